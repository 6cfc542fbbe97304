//! End-to-end: a multipart upload as a server runs it, against the two real servers.
//!
//! The server side goes through the public API only: `CreateMultipartUpload` and the other
//! `multipart::requests` builders, sent by `MultipartUpload` over [`ReqwestTransport`]. The
//! parts go up the way a browser sends them: each presigned part URL with exactly its
//! `headers()`, through the raw client of `common::send`.
//!
//! What a server does not check or implement is pinned here (s3s-fs 0.14.1 read in
//! `s3s-fs/src/s3.rs`, SeaweedFS 4.48 observed):
//! - s3s-fs never reads the ETags of a CompleteMultipartUpload (`complete_multipart_upload`
//!   takes each part's file by `part_number` and ignores `part.e_tag`), so a wrong ETag
//!   completes the object; SeaweedFS refuses it with `InvalidPart`, as AWS does.
//! - s3s-fs lists parts without ETags, in directory order rather than by part number, and
//!   ignores `max-parts` (`list_parts` returns every part file of `fs::read_dir` in one page);
//!   SeaweedFS lists them in order and pages as asked.
//! - s3s-fs does not implement ListMultipartUploads (`NotImplemented`).
//! - A call on an aborted upload is `AccessDenied` on s3s-fs, `NoSuchUpload` on SeaweedFS.
#![cfg(all(feature = "reqwest", feature = "multipart"))]

mod common;

use common::{Response, Target, assert_response_rejected, object_bytes, send, transport, unique_key};
use presign::Error;
use presign::multipart::xml::{CompletedPart, ListMultipartUploadsResult, ListPartsResult, check_response};
use presign::multipart::{
    ListMultipartUploads, ListParts, MultipartPlan, MultipartUpload, PresignedPart, requests::CreateMultipartUpload,
};
use presign::s3::{Metadata, ObjectKey, PresignRequest};
use presign::transport::Transport;

const MIB: u64 = 1024 * 1024;
/// 2 × 5 MiB + a remainder that is not a whole number of MiB.
const OBJECT_SIZE: u64 = 2 * 5 * MIB + MIB + 7;
const CONTENT_TYPE: &str = "application/x-presign-e2e";

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// Starts an upload of a fresh key named `name`, with a content type and metadata to read back.
async fn initiate(target: &Target, name: &str) -> MultipartUpload {
    let key = ObjectKey::new(unique_key(name)).expect("key");
    let metadata = Metadata::new().with("origin", "e2e-multipart").expect("metadata");
    let options = PresignRequest::put(&target.bucket(), key).content_type(CONTENT_TYPE).metadata(metadata);
    let create = CreateMultipartUpload::new(options);
    MultipartUpload::initiate(&transport(), &target.signer(), &create).await.expect("CreateMultipartUpload")
}

/// Every part URL of an `object_size` upload in 5 MiB parts, each bound to its length.
fn part_urls(target: &Target, upload: &MultipartUpload, object_size: u64) -> Vec<PresignedPart> {
    let plan = MultipartPlan::with_part_size(object_size, 5 * MIB, &upload.bucket().limits()).expect("plan");
    upload.part_urls(&plan).expect("part urls").bind_content_length().sign(&target.signer()).expect("signed")
}

/// Sends `url` (a part's URL, possibly tampered with) with the part's headers and its bytes.
async fn put_part(part: &PresignedPart, url: &str, object: &[u8]) -> Response {
    let headers: Vec<(&str, &str)> = part.request.headers().iter().collect();
    let range = part.part.range();
    send(part.request.method().as_str(), url, &headers, Some(&object[range.start as usize..range.end as usize])).await
}

/// Uploads `part` as signed; the part with the ETag the server answered, or its error.
async fn upload_part(part: &PresignedPart, object: &[u8]) -> Result<CompletedPart, Error> {
    let response = put_part(part, part.request.url(), object).await;
    check_response(response.status, &response.body)?;
    let etag = response.header("etag").expect("UploadPart answers an ETag");
    Ok(CompletedPart::new(part.part.number, etag))
}

async fn upload_parts(parts: &[PresignedPart], object: &[u8]) -> Result<Vec<CompletedPart>, Error> {
    let mut completed = Vec::with_capacity(parts.len());
    for part in parts {
        completed.push(upload_part(part, object).await?);
    }
    Ok(completed)
}

/// GETs the object through a presigned URL.
async fn get_object(target: &Target, key: &ObjectKey) -> Response {
    let get = PresignRequest::get(&target.bucket(), key.clone()).sign(&target.signer()).expect("sign GET");
    send("GET", get.url(), &[], None).await
}

/// The S3 error's status and code, or a panic naming what came instead.
fn s3_code<T: std::fmt::Debug>(result: Result<T, Error>) -> (u16, String) {
    match result {
        Err(Error::S3 { status, code, .. }) => (status, code),
        other => panic!("expected an S3 error, got {other:?}"),
    }
}

/// UploadPart on the upload is refused with the server's error for a missing upload.
async fn assert_upload_gone(target: &Target, upload: &MultipartUpload) {
    let late = part_urls(target, upload, 5 * MIB);
    let response = put_part(&late[0], late[0].request.url(), &object_bytes(5 * MIB)).await;
    let expected = match target.name {
        "s3s" => (403, "AccessDenied".to_string()),
        _ => (404, "NoSuchUpload".to_string()),
    };
    assert_eq!(s3_code(check_response(response.status, &response.body)), expected, "{}", target.name);
}

/// The `(part number, size, ETag)` of every part listed, one ListParts page of `max_parts`
/// at a time; also how many pages that took.
async fn list_parts_paged(target: &Target, upload: &MultipartUpload, max_parts: u32) -> (Vec<(u32, u64)>, usize) {
    let (signer, transport) = (target.signer(), transport());
    let mut next = Some(ListParts::new(upload.bucket(), upload.key(), upload.upload_id()).max_parts(max_parts));
    let (mut listed, mut pages) = (Vec::new(), 0);
    while let Some(request) = next {
        let response = transport.send(request.sign(&signer).expect("sign")).await.expect("answer");
        let page = ListPartsResult::from_response(response.status, &response.body).expect("ListParts");
        listed.extend(page.parts.iter().map(|part| (part.part_number, part.size)));
        pages += 1;
        next = request.next_page(&page).expect("the marker advances");
    }
    (listed, pages)
}

/// ListMultipartUploads under the key's prefix: the upload ids listed, or the server's error.
async fn listed_upload_ids(target: &Target, upload: &MultipartUpload) -> Result<Vec<String>, Error> {
    let request = ListMultipartUploads::new(upload.bucket()).prefix(upload.key().as_str()).max_uploads(10);
    let response = transport().send(request.sign(&target.signer()).expect("sign")).await.expect("answer");
    let page = ListMultipartUploadsResult::from_response(response.status, &response.body)?;
    Ok(page.uploads.into_iter().map(|listed| listed.upload_id).collect())
}

// ---------------------------------------------------------------------------------------------
// Scenarios
// ---------------------------------------------------------------------------------------------

/// Three parts (5 MiB, 5 MiB, the rest) through presigned URLs, listed, completed through the
/// transport, and read back byte for byte with the options given at creation.
async fn three_parts_complete_and_read_back(target: &Target) {
    let upload = initiate(target, "three-parts.bin").await;
    let object = object_bytes(OBJECT_SIZE);
    let parts = part_urls(target, &upload, OBJECT_SIZE);
    let sizes: Vec<u64> = parts.iter().map(|part| part.part.size).collect();
    assert_eq!(sizes, [5 * MIB, 5 * MIB, MIB + 7]);

    let completed = upload_parts(&parts, &object).await.expect("parts uploaded");
    assert_listed_as_sent(target, &upload, &completed).await;

    let (signer, transport) = (target.signer(), transport());
    let result = upload.complete(&transport, &signer, &completed).await.expect("CompleteMultipartUpload");
    assert_eq!((result.bucket.as_str(), result.key.as_str()), (target.bucket.as_str(), upload.key().as_str()));
    assert!(result.etag.ends_with("-3\""), "a multipart ETag names its part count: {}", result.etag);

    let read = get_object(target, upload.key()).await;
    read.assert_ok("GET the completed object");
    assert!(read.body == object, "{}: the object read back differs from the one uploaded", target.name);
    assert_eq!(read.header("content-type"), Some(CONTENT_TYPE));
    assert_eq!(read.header("x-amz-meta-origin"), Some("e2e-multipart"));
    assert_upload_gone(target, &upload).await;
}

/// ListParts shows what was sent: numbers, sizes, and (where the server lists them) ETags.
async fn assert_listed_as_sent(target: &Target, upload: &MultipartUpload, sent: &[CompletedPart]) {
    let listed = upload.list_parts(&transport(), &target.signer()).await.expect("ListParts");
    let numbers_and_sizes: Vec<(u32, u64)> = listed.iter().map(|part| (part.part_number, part.size)).collect();
    assert_eq!(numbers_and_sizes, [(1, 5 * MIB), (2, 5 * MIB), (3, MIB + 7)], "{}", target.name);
    let etags: Vec<Option<&str>> = listed.iter().map(|part| part.etag.as_deref()).collect();
    let sent_etags: Vec<Option<&str>> = sent.iter().map(|part| Some(part.etag.as_str())).collect();
    assert_eq!(etags, if target.name == "s3s" { vec![None; 3] } else { sent_etags });

    // One part per page: SeaweedFS takes three pages; s3s-fs ignores max-parts, and lists the
    // parts in directory order (`list_parts` walks `fs::read_dir`), so its page is sorted here.
    let (mut paged, pages) = list_parts_paged(target, upload, 1).await;
    if target.name == "s3s" {
        paged.sort_unstable();
    }
    assert_eq!(paged, numbers_and_sizes);
    assert_eq!(pages, if target.name == "s3s" { 1 } else { 3 });
}

/// A part URL whose signature or signed query was edited is refused and stores nothing; the
/// same part through its genuine URL is then accepted.
async fn tampered_part_url_is_refused(target: &Target) {
    let upload = initiate(target, "tampered.bin").await;
    let object = object_bytes(OBJECT_SIZE);
    let parts = part_urls(target, &upload, OBJECT_SIZE);
    let url = parts[0].request.url();
    let flipped_signature = flip_last_char(url);
    let other_part = url.replacen("partNumber=1&", "partNumber=2&", 1);
    assert!(other_part != url && flipped_signature != url);
    for tampered in [flipped_signature, other_part] {
        let response = put_part(&parts[0], &tampered, &object).await;
        assert_response_rejected(&response, &format!("{}: tampered part URL", target.name));
    }
    let (signer, transport) = (target.signer(), transport());
    assert_eq!(upload.list_parts(&transport, &signer).await.expect("ListParts"), []);

    upload_part(&parts[0], &object).await.expect("the genuine URL works");
    let listed = upload.list_parts(&transport, &signer).await.expect("ListParts");
    assert_eq!(listed.iter().map(|part| part.part_number).collect::<Vec<_>>(), [1]);
    upload.abort(&transport, &signer).await.expect("AbortMultipartUpload");
}

/// The URL's last character (the signature's last hex digit) changed.
fn flip_last_char(url: &str) -> String {
    assert!(url.rsplit('&').next().is_some_and(|last| last.starts_with("X-Amz-Signature=")), "{url}");
    let (head, last) = url.split_at(url.len() - 1);
    format!("{head}{}", if last == "0" { "1" } else { "0" })
}

/// AbortMultipartUpload ends the upload: it leaves ListMultipartUploads (SeaweedFS; s3s-fs
/// does not implement that call) and its part URLs stop working.
async fn abort_removes_the_upload(target: &Target) {
    let upload = initiate(target, "aborted.bin").await;
    let object = object_bytes(5 * MIB);
    let parts = part_urls(target, &upload, 5 * MIB);
    upload_part(&parts[0], &object).await.expect("part uploaded");

    let listed = listed_upload_ids(target, &upload).await;
    if target.name == "s3s" {
        assert_eq!(s3_code(listed), (501, "NotImplemented".into()));
    } else {
        assert_eq!(listed.expect("ListMultipartUploads"), [upload.upload_id()]);
    }

    upload.abort(&transport(), &target.signer()).await.expect("AbortMultipartUpload");
    assert_upload_gone(target, &upload).await;
    if target.name != "s3s" {
        assert_eq!(listed_upload_ids(target, &upload).await.expect("ListMultipartUploads"), Vec::<String>::new());
    }
    assert_eq!(get_object(target, upload.key()).await.status, 404, "no object was created");
}

/// A part upload that fails inside `complete_or_abort` aborts the upload.
async fn failed_upload_is_aborted(target: &Target) {
    let upload = initiate(target, "failed.bin").await;
    let object = object_bytes(OBJECT_SIZE);
    let parts = part_urls(target, &upload, OBJECT_SIZE);
    let uploading = async {
        upload_part(&parts[0], &object).await?;
        // The client gives up before part 2.
        Err::<Vec<CompletedPart>, Error>(Error::Transport { reason: "the client went away".into() })
    };
    let (signer, transport) = (target.signer(), transport());
    let error = upload.complete_or_abort(&transport, &signer, uploading).await.unwrap_err();
    assert_eq!(error.code(), "TRANSPORT_ERROR");
    assert_upload_gone(target, &upload).await;
}

/// CompleteMultipartUpload with a part's ETag changed: SeaweedFS refuses it with the typed
/// `InvalidPart` error (and `complete_or_abort` then aborts the upload); s3s-fs does not read
/// ETags and assembles the object anyway.
async fn complete_with_wrong_etag(target: &Target) {
    let upload = initiate(target, "wrong-etag.bin").await;
    let object = object_bytes(OBJECT_SIZE);
    let parts = part_urls(target, &upload, OBJECT_SIZE);
    let uploading = async {
        let mut completed = upload_parts(&parts, &object).await?;
        assert_ne!(completed[1].etag, "\"0123456789abcdef0123456789abcdef\"");
        completed[1].etag = "\"0123456789abcdef0123456789abcdef\"".into();
        Ok::<_, Error>(completed)
    };
    let (signer, transport) = (target.signer(), transport());
    let result = upload.complete_or_abort(&transport, &signer, uploading).await;
    if target.name == "s3s" {
        result.expect("s3s-fs does not check ETags");
        assert!(get_object(target, upload.key()).await.body == object);
        return;
    }
    assert_eq!(s3_code(result), (400, "InvalidPart".into()));
    assert_upload_gone(target, &upload).await;
    assert_eq!(get_object(target, upload.key()).await.status, 404, "no object was created");
}

on_both_servers!(
    three_parts_complete_and_read_back,
    tampered_part_url_is_refused,
    abort_removes_the_upload,
    failed_upload_is_aborted,
    complete_with_wrong_etag,
);
