//! The main job, end to end, with no AWS account: an upload API presigns a PUT for a
//! user's file, the "browser" uploads straight to S3 with exactly the headers it was given,
//! then a presigned GET downloads it. The S3 server is embedded (s3s-fs, verifying
//! signatures), so this runs on a fresh machine with no network.
//!
//! ```text
//! cargo run --example quickstart
//! ```

#[path = "quickstart/embedded.rs"]
mod embedded;

use std::time::Duration;

use presign::Credentials;
use presign::s3::{Bucket, Metadata, PresignRequest, PresignedRequest, Region, RequiredHeaders, UploadKey};
use presign::sigv4::Signer;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let server = embedded::EmbeddedS3::start(&["uploads"]).await?;
    println!("embedded S3 server at {}", server.endpoint);

    // The service: credentials, a bucket, and a signer it keeps for its lifetime.
    let signer = Signer::new(Credentials::new(server.access_key, server.secret_key)?);
    let bucket = Bucket::custom(&server.endpoint, Region::custom("us-east-1")?, "uploads")?;

    // A request arrives: "photo of my cat.jpg", image/jpeg. Answer with a PUT the client can use.
    let upload = UploadKey::generate("photo of my cat.jpg");
    let photo = b"\xFF\xD8\xFF\xE0 pretend this is a JPEG".to_vec();
    let put = PresignRequest::put(&bucket, upload.key().clone())
        .content_type("image/jpeg")
        .content_length(photo.len() as u64)
        .metadata(Metadata::new().with("uploaded-by", "quickstart")?)
        .expires_in(Duration::from_secs(600))
        .sign(&signer)?;
    println!("\nthe upload API answers:\n{}", serde_json::to_string_pretty(&put)?);

    // The client uploads straight to S3, sending exactly the headers it was told to.
    let client = reqwest::Client::new();
    let status = send(&client, &put, Some(photo.clone())).await?.status();
    println!("\nPUT with the presigned URL: {status}");
    assert!(status.is_success(), "the server refused the presigned PUT");

    // The same URL with a header changed is refused: the signature covers it.
    let mut tampered = header_map(put.headers())?;
    tampered.insert(reqwest::header::CONTENT_TYPE, "text/html".parse()?);
    let refused = client.put(put.url()).headers(tampered).body(photo.clone()).send().await?.status();
    println!("PUT with content-type changed: {refused}");
    assert!(refused.is_client_error(), "a tampered request must be refused");

    // Later: a download link that saves the file under its original name.
    let get = PresignRequest::get(&bucket, upload.key().clone())
        .response_content_disposition(&format!("attachment; filename=\"{}\"", upload.file_name()))
        .sign(&signer)?;
    let response = send(&client, &get, None).await?;
    let disposition = response.headers().get("content-disposition").cloned();
    let body = response.bytes().await?;
    println!("GET with the presigned URL: {} bytes, content-disposition {disposition:?}", body.len());
    assert_eq!(body.as_ref(), photo.as_slice(), "downloaded bytes differ from the upload");
    println!("\nok: uploaded and downloaded {} through presigned URLs", upload.key());
    Ok(())
}

/// Sends a presigned request the way a client would: its URL, method and headers, verbatim.
async fn send(
    client: &reqwest::Client,
    request: &PresignedRequest,
    body: Option<Vec<u8>>,
) -> Result<reqwest::Response, Box<dyn std::error::Error>> {
    let method = reqwest::Method::from_bytes(request.method().as_str().as_bytes())?;
    let mut builder = client.request(method, request.url()).headers(header_map(request.headers())?);
    if let Some(body) = body {
        builder = builder.body(body);
    }
    Ok(builder.send().await?)
}

fn header_map(headers: &RequiredHeaders) -> Result<reqwest::header::HeaderMap, Box<dyn std::error::Error>> {
    let mut map = reqwest::header::HeaderMap::new();
    for (name, value) in headers {
        map.insert(reqwest::header::HeaderName::from_bytes(name.as_bytes())?, value.parse()?);
    }
    Ok(map)
}
