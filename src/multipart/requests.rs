//! The multipart calls a server makes itself, as plain values: each builder signs one
//! [`HttpRequest`] (method, URL, headers, body) with an `Authorization` header, to send through
//! a [`Transport`](crate::transport::Transport) or any HTTP client. Nothing here does I/O.
//!
//! | call | builder | request | read the answer with |
//! |---|---|---|---|
//! | CreateMultipartUpload | [`CreateMultipartUpload`] | `POST /key?uploads` | [`InitiateMultipartUploadResult::from_response`](super::xml::InitiateMultipartUploadResult::from_response) |
//! | CompleteMultipartUpload | [`CompleteMultipartUpload`] | `POST /key?uploadId=` + XML | [`CompleteMultipartUploadResult::from_response`](super::xml::CompleteMultipartUploadResult::from_response) |
//! | AbortMultipartUpload | [`AbortMultipartUpload`] | `DELETE /key?uploadId=` | [`check_response`](super::xml::check_response) |
//! | ListParts | [`ListParts`] | `GET /key?uploadId=` | [`ListPartsResult::from_response`](super::xml::ListPartsResult::from_response) |
//! | ListMultipartUploads | [`ListMultipartUploads`] | `GET /bucket?uploads` | [`ListMultipartUploadsResult::from_response`](super::xml::ListMultipartUploadsResult::from_response) |
//!
//! UploadPart is not here: parts go through presigned URLs ([`PartUrls`](super::PartUrls)), so
//! their bytes never pass through the server that signs.
//!
//! Every request signs the SHA-256 of its body (the empty body's for all but Complete), not
//! `UNSIGNED-PAYLOAD`: S3 accepts both, and with the hash nobody on the way can swap the part
//! list of a CompleteMultipartUpload or add a body to the others.
//!
//! ```
//! use presign::Credentials;
//! use presign::multipart::requests::{CompleteMultipartUpload, CreateMultipartUpload};
//! use presign::multipart::xml::CompletedPart;
//! use presign::s3::{Bucket, ChecksumAlgorithm, ObjectKey, PresignRequest, Region, StorageClass};
//! use presign::sigv4::Signer;
//! use time::macros::datetime;
//!
//! let signer = Signer::new(Credentials::new("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")?);
//! let bucket = Bucket::aws("videos", Region::UsWest2)?;
//! let key = ObjectKey::new("raw/take-1.mp4")?;
//! let now = datetime!(2024-05-24 12:00:00 UTC);
//!
//! // The same typed options as a presigned PUT.
//! let options = PresignRequest::put(&bucket, key.clone())
//!     .content_type("video/mp4")
//!     .storage_class(StorageClass::StandardIa);
//! let create = CreateMultipartUpload::new(options).checksum_algorithm(ChecksumAlgorithm::Crc32).sign_at(&signer, now)?;
//! assert_eq!(create.method, "POST");
//! assert_eq!(create.url, "https://videos.s3.us-west-2.amazonaws.com/raw/take-1.mp4?uploads=");
//! assert!(create.headers.contains(&("x-amz-checksum-algorithm".into(), "CRC32".into())));
//! assert!(create.headers.iter().any(|(name, _)| name == "authorization"));
//!
//! let parts = [CompletedPart::new(1, "\"a54357aff0632cce46d942af68356b38\"")];
//! let complete = CompleteMultipartUpload::new(&bucket, &key, "VXBsb2FkIElE", &parts).sign_at(&signer, now)?;
//! assert_eq!(complete.url, "https://videos.s3.us-west-2.amazonaws.com/raw/take-1.mp4?uploadId=VXBsb2FkIElE");
//! assert!(complete.body.starts_with(b"<CompleteMultipartUpload"));
//!
//! // Out-of-order parts are refused before any round trip.
//! let unordered = [CompletedPart::new(2, "\"b\""), CompletedPart::new(1, "\"a\"")];
//! let err = CompleteMultipartUpload::new(&bucket, &key, "VXBsb2FkIElE", &unordered).sign_at(&signer, now);
//! assert_eq!(err.unwrap_err().code(), "INVALID_PART");
//! # Ok::<(), presign::Error>(())
//! ```

use time::OffsetDateTime;

use super::part_urls::check_upload_id;
use super::xml::{CompletedPart, ListMultipartUploadsResult, ListPartsResult, complete_body};
use crate::error::{Error, Result};
use crate::s3::{Bucket, ChecksumAlgorithm, Method, ObjectKey, PresignRequest};
use crate::sigv4::{PayloadHash, Request, Signer};
use crate::transport::HttpRequest;

// ---------------------------------------------------------------------------------------------
// CreateMultipartUpload
// ---------------------------------------------------------------------------------------------

/// CreateMultipartUpload: starts an upload and gets its id.
///
/// It takes the options of the object to create as a [`PresignRequest`] built for a `PUT` (or
/// `POST`) of the key: content type and the other stored headers, storage class, encryption,
/// metadata, tagging, ACL, any extra header. They are checked exactly as for a presigned PUT
/// (an option the provider lacks is refused the same way), then signed in the
/// `Authorization` header; the request's expiry does not apply. Options that describe one
/// request body (`content_length`, `content_md5`, a `checksum` value) and conditions
/// (`if_none_match_any`: see [`CompleteMultipartUpload::if_none_match_any`]) belong to the
/// parts or to the completion, and are refused here.
#[derive(Debug, Clone)]
pub struct CreateMultipartUpload {
    options: PresignRequest,
    checksum_algorithm: Option<ChecksumAlgorithm>,
}

impl CreateMultipartUpload {
    /// CreateMultipartUpload of `options`' bucket and key, with its options.
    pub fn new(options: PresignRequest) -> Self {
        CreateMultipartUpload { options, checksum_algorithm: None }
    }

    /// `x-amz-checksum-algorithm`: every part must then carry a checksum of this algorithm
    /// ([`PartUrls::checksums`](super::PartUrls::checksums)).
    pub fn checksum_algorithm(mut self, algorithm: ChecksumAlgorithm) -> Self {
        self.checksum_algorithm = Some(algorithm);
        self
    }

    /// The bucket.
    pub fn bucket(&self) -> &Bucket {
        self.options.bucket()
    }

    /// The object key (`None` when the options were built for the bucket, which `sign_at` refuses).
    pub fn key(&self) -> Option<&ObjectKey> {
        self.options.key()
    }

    /// Signs now (system clock).
    pub fn sign(&self, signer: &Signer) -> Result<HttpRequest> {
        self.sign_at(signer, OffsetDateTime::now_utc())
    }

    /// Signs at `now`.
    pub fn sign_at(&self, signer: &Signer, now: OffsetDateTime) -> Result<HttpRequest> {
        if !matches!(self.options.method(), Method::Put | Method::Post) {
            return Err(Error::InvalidMethod { reason: "build the options of CreateMultipartUpload for a PUT".into() });
        }
        let key = self.key().ok_or_else(|| invalid("key", "CreateMultipartUpload needs an object key"))?;
        let mut headers = self.options.checked_headers()?;
        if !self.options.query_pairs().is_empty() {
            return Err(invalid("query", "CreateMultipartUpload takes no query parameter besides `uploads`"));
        }
        if let Some((option, reason)) = headers.iter().find_map(|&(name, _)| not_for_create(name)) {
            return Err(invalid(option, reason));
        }
        if let Some(algorithm) = self.checksum_algorithm {
            if headers.iter().any(|&(name, _)| name == algorithm.header().0) {
                return Err(invalid("checksum_algorithm", "set twice (also as a header)"));
            }
            headers.push(algorithm.header());
        }
        headers.sort_unstable();
        let bucket = self.bucket();
        let target = Target { bucket, path: &bucket.object_path(key), query: &[("uploads", "")] };
        target.sign("POST", &headers, Vec::new(), signer, now)
    }
}

/// Why a header of the PUT options has no place in CreateMultipartUpload: `(option, reason)`.
fn not_for_create(name: &str) -> Option<(&'static str, &'static str)> {
    const PER_PART: &str = "describes one request body: sign it on the part URLs instead";
    match name {
        "content-length" => Some(("content_length", PER_PART)),
        "content-md5" => Some(("content_md5", PER_PART)),
        "if-none-match" | "if-match" => {
            Some(("conditions", "S3 checks conditions when the upload completes: set them on CompleteMultipartUpload"))
        }
        "x-amz-checksum-algorithm" | "x-amz-checksum-type" => None,
        _ if name.starts_with("x-amz-checksum-") => Some(("checksum", PER_PART)),
        _ => None,
    }
}

// ---------------------------------------------------------------------------------------------
// The calls on one upload
// ---------------------------------------------------------------------------------------------

/// CompleteMultipartUpload: assembles the object from its parts and ends the upload.
///
/// The body is [`complete_body`]'s XML: every part once, part numbers ascending within
/// 1–10,000, non-empty ETags, or [`Error::InvalidPart`] when signing.
#[derive(Debug, Clone)]
pub struct CompleteMultipartUpload<'a> {
    bucket: &'a Bucket,
    key: &'a ObjectKey,
    upload_id: &'a str,
    parts: &'a [CompletedPart],
    if_none_match_any: bool,
}

impl<'a> CompleteMultipartUpload<'a> {
    /// Completes `upload_id` of `key` with `parts` (the ETag each part's upload answered).
    pub fn new(bucket: &'a Bucket, key: &'a ObjectKey, upload_id: &'a str, parts: &'a [CompletedPart]) -> Self {
        CompleteMultipartUpload { bucket, key, upload_id, parts, if_none_match_any: false }
    }

    /// `If-None-Match: *`: the completion fails (412) if the key already holds an object.
    pub fn if_none_match_any(mut self) -> Self {
        self.if_none_match_any = true;
        self
    }

    /// Signs now (system clock).
    pub fn sign(&self, signer: &Signer) -> Result<HttpRequest> {
        self.sign_at(signer, OffsetDateTime::now_utc())
    }

    /// Signs at `now`.
    pub fn sign_at(&self, signer: &Signer, now: OffsetDateTime) -> Result<HttpRequest> {
        let body = complete_body(self.parts)?.into_bytes();
        let headers: &[(&str, &str)] = if self.if_none_match_any { &[("if-none-match", "*")] } else { &[] };
        upload_call(self.bucket, self.key, self.upload_id, &[], |target| {
            target.sign("POST", headers, body, signer, now)
        })
    }
}

/// AbortMultipartUpload: ends the upload and frees its parts (S3 answers `204`).
#[derive(Debug, Clone)]
pub struct AbortMultipartUpload<'a> {
    bucket: &'a Bucket,
    key: &'a ObjectKey,
    upload_id: &'a str,
}

impl<'a> AbortMultipartUpload<'a> {
    /// Aborts `upload_id` of `key`.
    pub fn new(bucket: &'a Bucket, key: &'a ObjectKey, upload_id: &'a str) -> Self {
        AbortMultipartUpload { bucket, key, upload_id }
    }

    /// Signs now (system clock).
    pub fn sign(&self, signer: &Signer) -> Result<HttpRequest> {
        self.sign_at(signer, OffsetDateTime::now_utc())
    }

    /// Signs at `now`.
    pub fn sign_at(&self, signer: &Signer, now: OffsetDateTime) -> Result<HttpRequest> {
        upload_call(self.bucket, self.key, self.upload_id, &[], |target| {
            target.sign("DELETE", &[], Vec::new(), signer, now)
        })
    }
}

/// ListParts: one page (up to 1,000) of the parts uploaded so far, by ascending part number.
#[derive(Debug, Clone)]
pub struct ListParts<'a> {
    bucket: &'a Bucket,
    key: &'a ObjectKey,
    upload_id: &'a str,
    max_parts: Option<u32>,
    part_number_marker: Option<u32>,
}

impl<'a> ListParts<'a> {
    /// The first page of `upload_id`'s parts.
    pub fn new(bucket: &'a Bucket, key: &'a ObjectKey, upload_id: &'a str) -> Self {
        ListParts { bucket, key, upload_id, max_parts: None, part_number_marker: None }
    }

    /// `max-parts`: the page size, at least 1 (servers cap it, S3 at 1,000, its default).
    pub fn max_parts(mut self, max_parts: u32) -> Self {
        self.max_parts = Some(max_parts);
        self
    }

    /// `part-number-marker`: list the parts after this part number.
    pub fn part_number_marker(mut self, marker: u32) -> Self {
        self.part_number_marker = Some(marker);
        self
    }

    /// The request for the page after `page` (this request's answer); `None` when `page` is
    /// the last. A server whose marker does not move forward would make a caller loop forever:
    /// that is an [`Error::InvalidResponse`].
    pub fn next_page(&self, page: &ListPartsResult) -> Result<Option<Self>> {
        let Some(next) = page.next_marker() else { return Ok(None) };
        if next <= self.part_number_marker.unwrap_or(0) {
            return Err(Error::InvalidResponse {
                reason: "ListParts' next part-number-marker does not advance".into(),
            });
        }
        Ok(Some(self.clone().part_number_marker(next)))
    }

    /// Signs now (system clock).
    pub fn sign(&self, signer: &Signer) -> Result<HttpRequest> {
        self.sign_at(signer, OffsetDateTime::now_utc())
    }

    /// Signs at `now`.
    pub fn sign_at(&self, signer: &Signer, now: OffsetDateTime) -> Result<HttpRequest> {
        let max_parts = page_size("max_parts", self.max_parts)?;
        let marker = self.part_number_marker.map(|marker| marker.to_string());
        let mut query = Vec::with_capacity(2);
        query.extend(max_parts.as_deref().map(|max| ("max-parts", max)));
        query.extend(marker.as_deref().map(|marker| ("part-number-marker", marker)));
        upload_call(self.bucket, self.key, self.upload_id, &query, |target| {
            target.sign("GET", &[], Vec::new(), signer, now)
        })
    }
}

/// Signs one call on `upload_id` of `key`: `uploadId` plus `extra_query` on the object's path.
fn upload_call(
    bucket: &Bucket,
    key: &ObjectKey,
    upload_id: &str,
    extra_query: &[(&str, &str)],
    sign: impl FnOnce(&Target<'_>) -> Result<HttpRequest>,
) -> Result<HttpRequest> {
    check_upload_id(upload_id)?;
    let mut query = Vec::with_capacity(extra_query.len() + 1);
    query.push(("uploadId", upload_id));
    query.extend_from_slice(extra_query);
    sign(&Target { bucket, path: &bucket.object_path(key), query: &query })
}

// ---------------------------------------------------------------------------------------------
// ListMultipartUploads
// ---------------------------------------------------------------------------------------------

/// ListMultipartUploads: one page (up to 1,000) of the bucket's uploads that were neither
/// completed nor aborted, by key and then by start time. Abort the stale ones: S3 bills their
/// parts until then.
#[derive(Debug, Clone)]
pub struct ListMultipartUploads<'a> {
    bucket: &'a Bucket,
    prefix: Option<String>,
    delimiter: Option<String>,
    key_marker: Option<String>,
    upload_id_marker: Option<String>,
    max_uploads: Option<u32>,
}

impl<'a> ListMultipartUploads<'a> {
    /// The first page of the bucket's uploads in progress.
    pub fn new(bucket: &'a Bucket) -> Self {
        ListMultipartUploads {
            bucket,
            prefix: None,
            delimiter: None,
            key_marker: None,
            upload_id_marker: None,
            max_uploads: None,
        }
    }

    /// `prefix`: only uploads whose key starts with it.
    pub fn prefix(mut self, prefix: &str) -> Self {
        self.prefix = Some(prefix.to_string());
        self
    }

    /// `delimiter`: keys with it after the prefix are rolled up into common prefixes.
    pub fn delimiter(mut self, delimiter: &str) -> Self {
        self.delimiter = Some(delimiter.to_string());
        self
    }

    /// `key-marker` and, optionally, `upload-id-marker`: list the uploads after these.
    pub fn after(mut self, key_marker: &str, upload_id_marker: Option<&str>) -> Self {
        self.key_marker = Some(key_marker.to_string());
        self.upload_id_marker = upload_id_marker.map(str::to_string);
        self
    }

    /// `max-uploads`: the page size, at least 1 (servers cap it, S3 at 1,000, its default).
    pub fn max_uploads(mut self, max_uploads: u32) -> Self {
        self.max_uploads = Some(max_uploads);
        self
    }

    /// The request for the page after `page` (this request's answer); `None` when `page` is
    /// the last. Markers that do not move would make a caller loop forever: that is an
    /// [`Error::InvalidResponse`].
    pub fn next_page(&self, page: &ListMultipartUploadsResult) -> Result<Option<Self>> {
        let Some((key, upload_id)) = page.next_markers() else { return Ok(None) };
        if (Some(key), upload_id) == (self.key_marker.as_deref(), self.upload_id_marker.as_deref()) {
            return Err(Error::InvalidResponse {
                reason: "ListMultipartUploads' next markers are the ones just asked for".into(),
            });
        }
        Ok(Some(self.clone().after(key, upload_id)))
    }

    /// Signs now (system clock).
    pub fn sign(&self, signer: &Signer) -> Result<HttpRequest> {
        self.sign_at(signer, OffsetDateTime::now_utc())
    }

    /// Signs at `now`.
    pub fn sign_at(&self, signer: &Signer, now: OffsetDateTime) -> Result<HttpRequest> {
        let max_uploads = page_size("max_uploads", self.max_uploads)?;
        let named = [
            ("prefix", self.prefix.as_deref()),
            ("delimiter", self.delimiter.as_deref()),
            ("key-marker", self.key_marker.as_deref()),
            ("upload-id-marker", self.upload_id_marker.as_deref()),
            ("max-uploads", max_uploads.as_deref()),
        ];
        let mut query = vec![("uploads", "")];
        query.extend(named.iter().filter_map(|&(name, value)| Some((name, value?))));
        let target = Target { bucket: self.bucket, path: self.bucket.bucket_path(), query: &query };
        target.sign("GET", &[], Vec::new(), signer, now)
    }
}

// ---------------------------------------------------------------------------------------------
// Signing
// ---------------------------------------------------------------------------------------------

/// Where a call goes: the bucket's host, a raw path and raw query parameters.
struct Target<'a> {
    bucket: &'a Bucket,
    path: &'a str,
    query: &'a [(&'a str, &'a str)],
}

impl Target<'_> {
    /// Signs `method` with `headers` (besides host) and `body` in the `Authorization` header.
    fn sign(
        &self,
        method: &str,
        headers: &[(&str, &str)],
        body: Vec<u8>,
        signer: &Signer,
        now: OffsetDateTime,
    ) -> Result<HttpRequest> {
        let request = Request::new(method, self.bucket.host(), self.path)
            .query(self.query)
            .headers(headers)
            .payload(PayloadHash::of(&body));
        let signed = signer.sign_headers_at(&request, self.bucket.signing_config(), now)?;
        // Sent as signed: the signer trims the values it signs, and so does this.
        let mut sent: Vec<(String, String)> = headers
            .iter()
            .map(|&(name, value)| (name.to_ascii_lowercase(), value.trim_matches([' ', '\t']).to_string()))
            .collect();
        sent.extend(signed.headers().iter().map(|(name, value)| (name.to_string(), value.clone())));
        let url = format!("{}{}", self.bucket.origin(), signed.path_and_query());
        Ok(HttpRequest { method: method.to_string(), url, headers: sent, body })
    }
}

/// A page size as its query value; 0 is refused (a page of nothing never ends a listing).
fn page_size(option: &'static str, size: Option<u32>) -> Result<Option<String>> {
    match size {
        Some(0) => Err(invalid(option, "a page holds at least 1 item")),
        size => Ok(size.map(|size| size.to_string())),
    }
}

fn invalid(option: &'static str, reason: &'static str) -> Error {
    Error::InvalidOption { option, reason: reason.into() }
}

#[cfg(test)]
mod tests {
    use std::time::SystemTime;

    use aws_sigv4::http_request::{
        PayloadChecksumKind, PercentEncodingMode, SessionTokenMode, SignableBody, SignableRequest, SignatureLocation,
        SigningSettings, UriPathNormalizationMode, sign,
    };
    use aws_sigv4::sign::v4;
    use aws_smithy_runtime_api::client::identity::Identity;
    use time::macros::datetime;

    use super::*;
    use crate::Credentials;
    use crate::s3::{CannedAcl, Checksum, ContentMd5, Encryption, Metadata, Region, StorageClass, Tagging};

    const ACCESS_KEY: &str = "AKIDEXAMPLE";
    const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    const TOKEN: &str = "FwoGZXIvYXdzEXAMPLE/token+==";
    const NOW: OffsetDateTime = datetime!(2024-05-24 12:00:00 UTC);
    /// The headers the signer adds; aws-sigv4 must compute them from the rest of the request.
    const ADDED_BY_SIGNER: [&str; 4] = ["x-amz-date", "x-amz-content-sha256", "x-amz-security-token", "authorization"];

    fn signer() -> Signer {
        Signer::new(Credentials::new(ACCESS_KEY, SECRET).unwrap().with_session_token(TOKEN).unwrap())
    }

    fn bucket() -> Bucket {
        Bucket::aws("my-bucket", Region::EuWest1).unwrap()
    }

    fn key() -> ObjectKey {
        ObjectKey::new("videos/a b+c.mp4").unwrap()
    }

    /// What the AWS SDK's signer (aws-sigv4, S3 settings) adds to `request` as sent: method,
    /// URL, the headers the signer did not add, and the body.
    fn aws_sigv4_headers(request: &HttpRequest) -> Vec<(String, String)> {
        let mut settings = SigningSettings::default();
        settings.percent_encoding_mode = PercentEncodingMode::Single;
        settings.uri_path_normalization_mode = UriPathNormalizationMode::Disabled;
        settings.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
        settings.session_token_mode = SessionTokenMode::Include;
        settings.signature_location = SignatureLocation::Headers;
        let credentials =
            aws_credential_types::Credentials::new(ACCESS_KEY, SECRET, Some(TOKEN.into()), None, "requests-test");
        let identity = Identity::from(credentials);
        let params = v4::SigningParams::builder()
            .identity(&identity)
            .region("eu-west-1")
            .name("s3")
            .time(SystemTime::from(NOW))
            .settings(settings)
            .build()
            .unwrap()
            .into();
        let own = request.headers.iter().filter(|(name, _)| !ADDED_BY_SIGNER.contains(&name.as_str()));
        let signable = SignableRequest::new(
            &request.method,
            &request.url,
            own.map(|(name, value)| (name.as_str(), value.as_str())),
            SignableBody::Bytes(&request.body),
        )
        .unwrap();
        let (instructions, _) = sign(signable, &params).unwrap().into_parts();
        let mut headers: Vec<_> = instructions.headers().map(|(n, v)| (n.to_string(), v.to_string())).collect();
        headers.sort();
        headers
    }

    fn signer_added(request: &HttpRequest) -> Vec<(String, String)> {
        let mut added: Vec<_> =
            request.headers.iter().filter(|(name, _)| ADDED_BY_SIGNER.contains(&name.as_str())).cloned().collect();
        added.sort();
        added
    }

    fn full_create() -> CreateMultipartUpload {
        let options = PresignRequest::put(&bucket(), key())
            .content_type("video/mp4")
            .cache_control("max-age=60")
            .storage_class(StorageClass::StandardIa)
            .encryption(Encryption::kms("arn:aws:kms:eu-west-1:111122223333:key/abc").unwrap())
            .metadata(Metadata::new().with("camera", "front  two").unwrap())
            .tagging(Tagging::new().with("project", "blue sky").unwrap())
            .acl(CannedAcl::BucketOwnerFullControl)
            .header("x-amz-checksum-type", "FULL_OBJECT");
        CreateMultipartUpload::new(options).checksum_algorithm(ChecksumAlgorithm::Crc64Nvme)
    }

    fn all_requests() -> Vec<(&'static str, HttpRequest)> {
        let (bucket, key, signer) = (bucket(), key(), signer());
        let parts = [CompletedPart::new(1, "\"a<&>\""), CompletedPart::new(2, "\"b\"")];
        let listing = ListMultipartUploads::new(&bucket).prefix("videos/").delimiter("/").after("videos/a", Some("u"));
        vec![
            ("create", full_create().sign_at(&signer, NOW).unwrap()),
            ("complete", CompleteMultipartUpload::new(&bucket, &key, "up/id=1", &parts).sign_at(&signer, NOW).unwrap()),
            (
                "complete if none",
                CompleteMultipartUpload::new(&bucket, &key, "u", &parts)
                    .if_none_match_any()
                    .sign_at(&signer, NOW)
                    .unwrap(),
            ),
            ("abort", AbortMultipartUpload::new(&bucket, &key, "up/id=1").sign_at(&signer, NOW).unwrap()),
            (
                "list parts",
                ListParts::new(&bucket, &key, "u").max_parts(2).part_number_marker(4).sign_at(&signer, NOW).unwrap(),
            ),
            ("list uploads", listing.max_uploads(10).sign_at(&signer, NOW).unwrap()),
        ]
    }

    #[test]
    fn every_request_is_signed_as_the_aws_sdk_signs_it() {
        for (name, request) in all_requests() {
            assert_eq!(signer_added(&request), aws_sigv4_headers(&request), "{name}");
        }
    }

    /// Paths, sub-resources and methods from the S3 API reference (s3-spec §5).
    #[test]
    fn methods_paths_and_queries_follow_the_api_reference() {
        let origin = "https://my-bucket.s3.eu-west-1.amazonaws.com";
        let expected = [
            ("POST", "/videos/a%20b%2Bc.mp4?uploads="),
            ("POST", "/videos/a%20b%2Bc.mp4?uploadId=up%2Fid%3D1"),
            ("POST", "/videos/a%20b%2Bc.mp4?uploadId=u"),
            ("DELETE", "/videos/a%20b%2Bc.mp4?uploadId=up%2Fid%3D1"),
            ("GET", "/videos/a%20b%2Bc.mp4?max-parts=2&part-number-marker=4&uploadId=u"),
            (
                "GET",
                "/?delimiter=%2F&key-marker=videos%2Fa&max-uploads=10&prefix=videos%2F&upload-id-marker=u&uploads=",
            ),
        ];
        for ((name, request), (method, path_and_query)) in all_requests().into_iter().zip(expected) {
            assert_eq!(
                (request.method.as_str(), request.url.as_str()),
                (method, &*format!("{origin}{path_and_query}"))
            );
            let has_body = name.starts_with("complete");
            assert_eq!(!request.body.is_empty(), has_body, "{name}");
        }
    }

    #[test]
    fn create_sends_the_put_options_as_signed_headers() {
        let create = full_create().sign_at(&signer(), NOW).unwrap();
        let options = &create.headers[..create.headers.len() - 4];
        let names: Vec<&str> = options.iter().map(|(name, _)| name.as_str()).collect();
        assert_eq!(
            names,
            [
                "cache-control",
                "content-type",
                "x-amz-acl",
                "x-amz-checksum-algorithm",
                "x-amz-checksum-type",
                "x-amz-meta-camera",
                "x-amz-server-side-encryption",
                "x-amz-server-side-encryption-aws-kms-key-id",
                "x-amz-storage-class",
                "x-amz-tagging",
            ]
        );
        assert!(options.contains(&("x-amz-checksum-algorithm".into(), "CRC64NVME".into())));
        assert!(options.contains(&("x-amz-meta-camera".into(), "front  two".into())));
        assert!(create.body.is_empty());
    }

    #[test]
    fn complete_body_is_the_xml_of_the_parts() {
        let parts = [CompletedPart::new(1, "\"e1\""), CompletedPart::new(3, "\"e3\"")];
        let request = CompleteMultipartUpload::new(&bucket(), &key(), "u", &parts).sign_at(&signer(), NOW).unwrap();
        assert_eq!(request.body, complete_body(&parts).unwrap().into_bytes());
    }

    #[test]
    fn create_refuses_what_a_put_may_have_but_an_upload_may_not() {
        let put = || PresignRequest::put(&bucket(), key());
        let cases = [
            (put().content_length(6 << 20), "content_length"),
            (put().content_md5(ContentMd5::of(b"x")), "content_md5"),
            (put().checksum(Checksum::new(ChecksumAlgorithm::Crc32, "DUoRhQ==").unwrap()), "checksum"),
            (put().if_none_match_any(), "conditions"),
            (put().query("versionId", "1"), "query"),
            (PresignRequest::bucket_operation(Method::Post, &bucket()), "key"),
            (put().header("x-amz-checksum-algorithm", "SHA256"), "checksum_algorithm"),
        ];
        for (options, option) in cases {
            let create = CreateMultipartUpload::new(options).checksum_algorithm(ChecksumAlgorithm::Crc32);
            match create.sign_at(&signer(), NOW) {
                Err(Error::InvalidOption { option: got, .. }) => assert_eq!(got, option),
                other => panic!("{option}: {other:?}"),
            }
        }
        let get = CreateMultipartUpload::new(PresignRequest::get(&bucket(), key()));
        assert_eq!(get.sign_at(&signer(), NOW).unwrap_err().code(), "INVALID_METHOD");
    }

    #[test]
    fn create_checks_options_as_a_put_does() {
        let r2 = Bucket::r2("0123456789abcdef0123456789abcdef", "media").unwrap();
        let options = PresignRequest::put(&r2, key()).encryption(Encryption::kms_default());
        let put_error = options.sign_at(&signer(), NOW).unwrap_err();
        let create_error = CreateMultipartUpload::new(options).sign_at(&signer(), NOW).unwrap_err();
        assert_eq!(create_error, put_error);
        assert_eq!(create_error.code(), "UNSUPPORTED_BY_PROVIDER");
    }

    #[test]
    fn upload_calls_check_their_inputs() {
        let (bucket, key, signer) = (bucket(), key(), signer());
        let part = [CompletedPart::new(1, "\"e\"")];
        let codes = [
            CompleteMultipartUpload::new(&bucket, &key, "u", &[]).sign_at(&signer, NOW).unwrap_err().code(),
            CompleteMultipartUpload::new(&bucket, &key, "", &part).sign_at(&signer, NOW).unwrap_err().code(),
            AbortMultipartUpload::new(&bucket, &key, "a\nb").sign_at(&signer, NOW).unwrap_err().code(),
            ListParts::new(&bucket, &key, "u").max_parts(0).sign_at(&signer, NOW).unwrap_err().code(),
            ListMultipartUploads::new(&bucket).max_uploads(0).sign_at(&signer, NOW).unwrap_err().code(),
        ];
        assert_eq!(codes, ["INVALID_PART", "INVALID_OPTION", "INVALID_OPTION", "INVALID_OPTION", "INVALID_OPTION"]);
    }

    #[test]
    fn the_signature_covers_the_complete_body() {
        let parts = [CompletedPart::new(1, "\"e\"")];
        let mut request = CompleteMultipartUpload::new(&bucket(), &key(), "u", &parts).sign_at(&signer(), NOW).unwrap();
        request.body = complete_body(&[CompletedPart::new(1, "\"other\"")]).unwrap().into_bytes();
        assert_ne!(signer_added(&request), aws_sigv4_headers(&request));
    }

    fn parts_page(marker: Option<u32>, truncated: bool, last: u32) -> ListPartsResult {
        let marker = marker.map_or(String::new(), |m| format!("<NextPartNumberMarker>{m}</NextPartNumberMarker>"));
        let xml = format!(
            "<ListPartsResult><Bucket>b</Bucket><Key>k</Key><UploadId>u</UploadId>{marker}\
             <IsTruncated>{truncated}</IsTruncated><Part><PartNumber>{last}</PartNumber><Size>1</Size></Part>\
             </ListPartsResult>"
        );
        ListPartsResult::from_response(200, xml.as_bytes()).unwrap()
    }

    #[test]
    fn list_parts_pages_follow_the_marker_forward_only() {
        let (bucket, key) = (bucket(), key());
        let first = ListParts::new(&bucket, &key, "u").max_parts(2);
        let second = first.next_page(&parts_page(Some(2), true, 2)).unwrap().expect("a next page");
        assert!(second.sign_at(&signer(), NOW).unwrap().url.contains("max-parts=2&part-number-marker=2&"));
        assert!(second.next_page(&parts_page(None, false, 4)).unwrap().is_none());
        // Without NextPartNumberMarker the last part listed stands in (xml.rs).
        assert_eq!(second.next_page(&parts_page(None, true, 4)).unwrap().unwrap().part_number_marker, Some(4));
        let stuck = second.next_page(&parts_page(Some(2), true, 2)).unwrap_err();
        assert_eq!(stuck.code(), "INVALID_RESPONSE");
    }

    #[test]
    fn list_uploads_pages_follow_the_markers_and_refuse_a_repeat() {
        let xml = b"<ListMultipartUploadsResult><Bucket>b</Bucket><IsTruncated>true</IsTruncated>\
            <NextKeyMarker>k2</NextKeyMarker><NextUploadIdMarker>u2</NextUploadIdMarker></ListMultipartUploadsResult>";
        let page = ListMultipartUploadsResult::from_response(200, xml).unwrap();
        let bucket = bucket();
        let next = ListMultipartUploads::new(&bucket).prefix("p/").next_page(&page).unwrap().expect("a next page");
        let url = next.sign_at(&signer(), NOW).unwrap().url;
        assert!(url.ends_with("/?key-marker=k2&prefix=p%2F&upload-id-marker=u2&uploads="), "{url}");
        assert_eq!(next.next_page(&page).unwrap_err().code(), "INVALID_RESPONSE");
    }
}
