//! End-to-end: the multipart XML and `ReqwestTransport` against the two real servers.
//!
//! Each call is signed with `Signer::sign_headers_at` (path-style, `Authorization` header),
//! sent through [`ReqwestTransport`], and its answer read by the parsers of
//! `presign::multipart::xml`, so every body parsed here was written by a real server:
//! CreateMultipartUpload, ListParts, ListMultipartUploads, CompleteMultipartUpload (with a body
//! from `complete_body`), AbortMultipartUpload, and `<Error>` documents.
//!
//! Where the servers differ, each is pinned (s3s-fs 0.14.1 read in `s3s-fs/src/s3.rs`):
//! - s3s-fs lists parts without `ETag`, does not implement ListMultipartUploads
//!   (`NotImplemented`), answers a call on an aborted or completed upload with `AccessDenied`
//!   (but lists its parts as an empty page), and writes error documents with a `Code` alone;
//! - SeaweedFS 4.48 answers such calls with `NoSuchUpload` as AWS does, with `Message`,
//!   `Resource`, `RequestId`, `Key` and `BucketName`, and writes the ETag's quotes as `&#34;`.
//!   It answers a second AbortMultipartUpload with 204 and a second CompleteMultipartUpload
//!   with the first one's result, so "gone" is checked with UploadPart on both servers.
#![cfg(all(feature = "multipart", feature = "reqwest"))]

mod common;

use common::{Target, transport, unique_key};
use presign::Error;
use presign::multipart::xml::{
    CompleteMultipartUploadResult, CompletedPart, InitiateMultipartUploadResult, ListMultipartUploadsResult,
    ListPartsResult, S3ErrorBody, check_response, complete_body,
};
use presign::sigv4::{PayloadHash, Request, Signer};
use presign::transport::{HttpRequest, HttpResponse, Transport};
use time::OffsetDateTime;

/// One S3 call on `path` with `query` and `body`, signed by `signer` in the headers.
async fn call_as(
    signer: &Signer,
    target: &Target,
    method: &str,
    path: &str,
    query: &[(&str, &str)],
    body: &[u8],
) -> HttpResponse {
    let request = Request::new(method, &target.host, path).query(query).payload(PayloadHash::of(body));
    let signed = signer.sign_headers_at(&request, &target.config(), OffsetDateTime::now_utc()).expect("sign");
    let headers = signed.headers().iter().map(|(name, value)| (*name, value.clone()));
    let request = HttpRequest::new(method, target.url(signed.path_and_query())).with_headers(headers).with_body(body);
    transport().send(request).await.expect("the server answers")
}

/// One call on object `key`, signed with the target's credentials.
async fn call(target: &Target, method: &str, key: &str, query: &[(&str, &str)], body: &[u8]) -> HttpResponse {
    call_as(&target.signer(), target, method, &target.object_path(key), query, body).await
}

/// The S3 error's status and code, or a panic naming what came instead.
fn s3_code(result: Result<impl std::fmt::Debug, Error>) -> (u16, String) {
    match result {
        Err(Error::S3 { status, code, .. }) => (status, code),
        other => panic!("expected an S3 error, got {other:?}"),
    }
}

/// What a server answers for a call on an upload that is gone.
fn no_such_upload(target: &Target) -> (u16, String) {
    match target.name {
        "s3s" => (403, "AccessDenied".into()),
        _ => (404, "NoSuchUpload".into()),
    }
}

async fn create(target: &Target, key: &str) -> String {
    let response = call(target, "POST", key, &[("uploads", "")], b"").await;
    let created = InitiateMultipartUploadResult::from_response(response.status, &response.body).expect("created");
    assert_eq!((created.bucket.as_str(), created.key.as_str()), (target.bucket.as_str(), key));
    assert!(!created.upload_id.is_empty());
    created.upload_id
}

/// Uploads part 1 of `upload_id`; returns its `ETag` header.
async fn upload_part(target: &Target, key: &str, upload_id: &str, body: &[u8]) -> String {
    let response = call(target, "PUT", key, &[("partNumber", "1"), ("uploadId", upload_id)], body).await;
    check_response(response.status, &response.body).expect("part uploaded");
    response.header("etag").expect("UploadPart answers an ETag").to_string()
}

async fn abort(target: &Target, key: &str, upload_id: &str) -> HttpResponse {
    call(target, "DELETE", key, &[("uploadId", upload_id)], b"").await
}

async fn list_parts(target: &Target, key: &str, upload_id: &str) -> Result<ListPartsResult, Error> {
    let response = call(target, "GET", key, &[("uploadId", upload_id)], b"").await;
    ListPartsResult::from_response(response.status, &response.body)
}

/// The key has characters the servers must escape in their XML (`&`, `<`, `>`, `"`, `'`).
async fn create_list_and_abort(target: &Target) {
    let key = unique_key("mpu <xml> & \"quotes\" 'apos'.bin");
    let upload_id = create(target, &key).await;
    let etag = upload_part(target, &key, &upload_id, b"part one").await;

    let page = list_parts(target, &key, &upload_id).await.expect("ListParts");
    assert_eq!((page.key.as_str(), page.upload_id.as_str()), (key.as_str(), upload_id.as_str()));
    assert_eq!((page.is_truncated, page.next_page_query()), (false, None));
    let parts: Vec<_> = page.parts.iter().map(|part| (part.part_number, part.size)).collect();
    assert_eq!(parts, [(1, 8)]);
    let listed_etag = page.parts[0].etag.as_deref();
    assert_eq!(listed_etag, if target.name == "s3s" { None } else { Some(etag.as_str()) });

    list_uploads_shows(target, &key, &upload_id).await;

    let aborted = abort(target, &key, &upload_id).await;
    check_response(aborted.status, &aborted.body).expect("aborted");
    assert_eq!(aborted.status, 204);
    let refused = assert_upload_gone(target, &key, &upload_id).await;
    if target.name == "s3s" {
        assert_eq!((refused.message.as_str(), refused.request_id, refused.details), ("", None, vec![]));
    } else {
        assert!(refused.message.contains("does not exist") && refused.request_id.is_some(), "{refused:?}");
        assert_eq!(refused.resource, Some(format!("/{}/{key}", target.bucket)));
        let details = [("Key".to_string(), key), ("BucketName".to_string(), target.bucket.clone())];
        assert_eq!(refused.details, details);
    }
}

/// UploadPart on an upload that was aborted or completed is refused with the server's error
/// for a missing upload; returns the error document.
async fn assert_upload_gone(target: &Target, key: &str, upload_id: &str) -> S3ErrorBody {
    let response = call(target, "PUT", key, &[("partNumber", "1"), ("uploadId", upload_id)], b"late").await;
    assert_eq!(s3_code(check_response(response.status, &response.body)), no_such_upload(target));
    S3ErrorBody::parse(&response.body).expect("an S3 error document")
}

/// ListMultipartUploads under the key's prefix lists the upload (s3s-fs does not implement it).
async fn list_uploads_shows(target: &Target, key: &str, upload_id: &str) {
    let prefix = format!("{}/", key.rsplit_once('/').map_or(key, |(dir, _)| dir));
    let path = format!("/{}", target.bucket);
    let response = call_as(&target.signer(), target, "GET", &path, &[("uploads", ""), ("prefix", &prefix)], b"").await;
    let page = ListMultipartUploadsResult::from_response(response.status, &response.body);
    if target.name == "s3s" {
        assert_eq!(s3_code(page), (501, "NotImplemented".into()));
        return;
    }
    let page = page.expect("ListMultipartUploads");
    assert_eq!(page.bucket, target.bucket);
    let uploads: Vec<_> = page.uploads.iter().map(|u| (u.key.as_str(), u.upload_id.as_str())).collect();
    assert_eq!(uploads, [(key, upload_id)]);
    assert!(page.uploads[0].initiated.is_some());
}

/// A one-part upload completed with `complete_body`, whose ETag carries quotes to escape.
async fn complete_one_part_upload(target: &Target) {
    let key = unique_key("completed.bin");
    let upload_id = create(target, &key).await;
    let body = b"the whole object, in one last part";
    let etag = upload_part(target, &key, &upload_id, body).await;
    assert!(etag.starts_with('"'), "ETags are quoted: {etag}");

    let xml = complete_body(&[CompletedPart::new(1, etag)]).expect("body");
    let response = call(target, "POST", &key, &[("uploadId", &upload_id)], xml.as_bytes()).await;
    let completed = CompleteMultipartUploadResult::from_response(response.status, &response.body).expect("completed");
    assert_eq!((completed.bucket.as_str(), completed.key.as_str()), (target.bucket.as_str(), key.as_str()));
    assert!(completed.etag.len() > 2, "{completed:?}");

    let object = call(target, "GET", &key, &[], b"").await;
    assert_eq!((object.status, object.body.as_slice()), (200, &body[..]));
    assert_upload_gone(target, &key, &upload_id).await;
}

/// A refused signature made with a session token: the error document parses, and nothing
/// kept from it holds the token. s3s checks the signature (`SignatureDoesNotMatch`); SeaweedFS
/// does not know the token and answers `InvalidAccessKeyId` first.
async fn refused_signature_error_holds_no_token(target: &Target) {
    const TOKEN: &str = "FwoGZXIvYXdzEXAMPLESESSIONTOKEN/with+slash==";
    let credentials = presign::Credentials::new(&target.access_key, "not-the-secret-key-0123456789abcdefghij")
        .and_then(|credentials| credentials.with_session_token(TOKEN))
        .expect("credentials");
    let key = unique_key("refused");
    let response =
        call_as(&Signer::new(credentials), target, "POST", &target.object_path(&key), &[("uploads", "")], b"").await;
    assert!((400..500).contains(&response.status), "{} {}", response.status, String::from_utf8_lossy(&response.body));

    let body = S3ErrorBody::parse(&response.body).expect("an S3 error document");
    let error = InitiateMultipartUploadResult::from_response(response.status, &response.body).unwrap_err();
    let kept = format!("{body:?} {body} {error:?} {error}");
    assert!(!kept.contains(TOKEN) && !kept.contains("FwoGZXIvYXdz"), "{kept}");
    let expected = if target.name == "s3s" { "SignatureDoesNotMatch" } else { "InvalidAccessKeyId" };
    assert_eq!((error.code(), body.code.as_str()), ("S3_ERROR", expected), "{kept}");
}

on_both_servers!(create_list_and_abort, complete_one_part_upload, refused_signature_error_holds_no_token);
