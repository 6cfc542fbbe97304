//! S3's multipart XML without I/O: the `CompleteMultipartUpload` request body, and the
//! documents S3 answers the multipart calls with.
//!
//! | call | answer | parser |
//! |---|---|---|
//! | CreateMultipartUpload (`POST …?uploads`) | `<InitiateMultipartUploadResult>` | [`InitiateMultipartUploadResult::from_response`] |
//! | CompleteMultipartUpload (`POST …?uploadId=`) | `<CompleteMultipartUploadResult>` | [`CompleteMultipartUploadResult::from_response`] |
//! | ListParts (`GET …?uploadId=`) | `<ListPartsResult>` | [`ListPartsResult::from_response`] |
//! | ListMultipartUploads (`GET /bucket?uploads`) | `<ListMultipartUploadsResult>` | [`ListMultipartUploadsResult::from_response`] |
//! | AbortMultipartUpload (`DELETE …?uploadId=`), any failure | `204`, or `<Error>` | [`check_response`], [`S3ErrorBody`] |
//!
//! Parsers take the HTTP status and body. They are lenient where S3-compatible servers differ
//! and strict where a wrong value would do harm:
//! - accepted: whitespace before the document (S3 sends spaces while a CompleteMultipartUpload
//!   runs), a byte-order mark, namespace prefixes, a missing or other `xmlns`, comments,
//!   CDATA, unknown elements, optional elements that are absent or empty;
//! - [`Error::InvalidResponse`]: a body that is not XML, another root element, a missing
//!   required element (`UploadId`, a part's `PartNumber`…), a malformed number, boolean or
//!   date;
//! - [`Error::S3`]: an `<Error>` document, also when it came with `200 OK`: S3 documents that
//!   CompleteMultipartUpload can fail after it has sent `200`.
//!
//! No input makes them panic. Error documents can echo the request's session token
//! (`SignatureDoesNotMatch` carries the canonical request; `ExpiredToken` the token itself):
//! [`S3ErrorBody`] removes it while parsing, so nothing stored, logged or displayed holds it.
//!
//! ```
//! use presign::multipart::xml::{complete_body, CompletedPart, InitiateMultipartUploadResult};
//!
//! let body = complete_body(&[CompletedPart::new(1, "\"a54357aff0632cce46d942af68356b38\"")])?;
//! assert_eq!(
//!     body,
//!     "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Part>\
//!      <ETag>&quot;a54357aff0632cce46d942af68356b38&quot;</ETag><PartNumber>1</PartNumber>\
//!      </Part></CompleteMultipartUpload>"
//! );
//!
//! let answer = b"<InitiateMultipartUploadResult><Bucket>b</Bucket><Key>k</Key>\
//!                <UploadId>abc</UploadId></InitiateMultipartUploadResult>";
//! assert_eq!(InitiateMultipartUploadResult::from_response(200, answer)?.upload_id, "abc");
//!
//! let failed = b"<Error><Code>NoSuchUpload</Code><Message>gone</Message></Error>";
//! let err = InitiateMultipartUploadResult::from_response(404, failed).unwrap_err();
//! assert_eq!(err.code(), "S3_ERROR");
//! # Ok::<(), presign::Error>(())
//! ```

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use quick_xml::Reader;
use quick_xml::escape::{escape, resolve_xml_entity};
use quick_xml::events::{BytesRef, BytesStart, Event};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::error::{Error, Result};

/// The XML namespace of S3's documents.
pub const S3_XMLNS: &str = "http://s3.amazonaws.com/doc/2006-03-01/";

/// The highest part number S3 accepts (part numbers are 1 to 10,000).
pub const MAX_PART_NUMBER: u32 = 10_000;

/// S3 documents nest three levels deep; anything far deeper is not one of them, and the limit
/// keeps a hostile body from growing the parser's stack of open elements without bound.
const MAX_DEPTH: usize = 32;

/// What replaces a session token in text kept from an error document.
const REDACTED: &str = "[redacted]";

/// The header and query parameter that carry a session token, lowercase.
const TOKEN_NAME: &str = "x-amz-security-token";

// ---------------------------------------------------------------------------------------------
// Checksums
// ---------------------------------------------------------------------------------------------

/// A checksum algorithm of S3's additional checksums (`x-amz-checksum-algorithm`).
///
/// Its XML element is `Checksum` + [`as_str`](Self::as_str) (`ChecksumCRC32`…); JSON and
/// [`Display`](fmt::Display) use the S3 name (`CRC32`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum ChecksumAlgorithm {
    /// `CRC32`.
    #[serde(rename = "CRC32")]
    Crc32,
    /// `CRC32C`.
    #[serde(rename = "CRC32C")]
    Crc32c,
    /// `CRC64NVME`.
    #[serde(rename = "CRC64NVME")]
    Crc64Nvme,
    /// `SHA1`.
    #[serde(rename = "SHA1")]
    Sha1,
    /// `SHA256`.
    #[serde(rename = "SHA256")]
    Sha256,
    /// `SHA512`.
    #[serde(rename = "SHA512")]
    Sha512,
    /// `MD5`.
    #[serde(rename = "MD5")]
    Md5,
    /// `XXHASH64`.
    #[serde(rename = "XXHASH64")]
    XxHash64,
    /// `XXHASH3`.
    #[serde(rename = "XXHASH3")]
    XxHash3,
    /// `XXHASH128`.
    #[serde(rename = "XXHASH128")]
    XxHash128,
}

impl ChecksumAlgorithm {
    /// Every algorithm, in the order of S3's API reference.
    pub const ALL: [ChecksumAlgorithm; 10] = [
        Self::Crc32,
        Self::Crc32c,
        Self::Crc64Nvme,
        Self::Sha1,
        Self::Sha256,
        Self::Sha512,
        Self::Md5,
        Self::XxHash64,
        Self::XxHash3,
        Self::XxHash128,
    ];

    /// The S3 name: `CRC32`, `CRC32C`, `CRC64NVME`, `SHA1`, `SHA256`…
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Crc32 => "CRC32",
            Self::Crc32c => "CRC32C",
            Self::Crc64Nvme => "CRC64NVME",
            Self::Sha1 => "SHA1",
            Self::Sha256 => "SHA256",
            Self::Sha512 => "SHA512",
            Self::Md5 => "MD5",
            Self::XxHash64 => "XXHASH64",
            Self::XxHash3 => "XXHASH3",
            Self::XxHash128 => "XXHASH128",
        }
    }

    /// The algorithm of an element named `Checksum<NAME>`; `None` for other names (including
    /// `ChecksumType` and `ChecksumAlgorithm`).
    fn from_element(name: &str) -> Option<Self> {
        let suffix = name.strip_prefix("Checksum")?;
        Self::ALL.into_iter().find(|algorithm| algorithm.as_str() == suffix)
    }
}

impl fmt::Display for ChecksumAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A part's or an object's additional checksum: the algorithm and its base64 value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checksum {
    /// The algorithm.
    pub algorithm: ChecksumAlgorithm,
    /// The value as S3 writes it (base64; composite object checksums end in `-<parts>`).
    pub value: String,
}

// ---------------------------------------------------------------------------------------------
// The CompleteMultipartUpload request body
// ---------------------------------------------------------------------------------------------

/// One uploaded part, as listed in a CompleteMultipartUpload request.
///
/// Serde uses the upload API's JSON names: `{"partNumber": 1, "etag": "\"…\""}`, plus
/// `"checksum": {"algorithm": "CRC32", "value": "…"}` when the upload used checksums.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CompletedPart {
    /// The part number, 1 to 10,000.
    pub part_number: u32,
    /// The `ETag` header UploadPart answered with, quotes included.
    pub etag: String,
    /// The part's checksum, when the upload was created with a checksum algorithm.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checksum: Option<Checksum>,
}

impl CompletedPart {
    /// A part without checksum.
    pub fn new(part_number: u32, etag: impl Into<String>) -> Self {
        CompletedPart { part_number, etag: etag.into(), checksum: None }
    }

    /// The same part with a checksum.
    pub fn with_checksum(mut self, algorithm: ChecksumAlgorithm, value: impl Into<String>) -> Self {
        self.checksum = Some(Checksum { algorithm, value: value.into() });
        self
    }
}

/// The CompleteMultipartUpload request body listing `parts`.
///
/// S3 wants every part once, in ascending part-number order: anything else is an
/// [`Error::InvalidPart`] here rather than an `InvalidPartOrder` from the server after the
/// round trip. ETags (which contain quotes) and checksums are XML-escaped.
pub fn complete_body(parts: &[CompletedPart]) -> Result<String> {
    validate_parts(parts)?;
    let mut body = String::with_capacity(96 + parts.len() * 112);
    body.push_str("<CompleteMultipartUpload xmlns=\"");
    body.push_str(S3_XMLNS);
    body.push_str("\">");
    for part in parts {
        push_part(&mut body, part);
    }
    body.push_str("</CompleteMultipartUpload>");
    Ok(body)
}

fn push_part(body: &mut String, part: &CompletedPart) {
    push_element(body, "<Part><ETag>", &part.etag, "</ETag>");
    push_element(body, "<PartNumber>", &part.part_number.to_string(), "</PartNumber>");
    if let Some(checksum) = &part.checksum {
        let name = checksum.algorithm.as_str();
        push_element(body, &format!("<Checksum{name}>"), &checksum.value, &format!("</Checksum{name}>"));
    }
    body.push_str("</Part>");
}

fn push_element(body: &mut String, open: &str, text: &str, close: &str) {
    body.push_str(open);
    body.push_str(&escape(text));
    body.push_str(close);
}

fn validate_parts(parts: &[CompletedPart]) -> Result<()> {
    if parts.is_empty() {
        return Err(invalid_part("the part list is empty: an upload completes with at least one part".into()));
    }
    let mut previous = 0;
    for part in parts {
        validate_part(part)?;
        let number = part.part_number;
        if number == previous {
            return Err(invalid_part(format!("part {number} is listed twice").into()));
        }
        if number < previous {
            return Err(invalid_part(
                format!("parts must be in ascending order, but {number} follows {previous}").into(),
            ));
        }
        previous = number;
    }
    Ok(())
}

fn validate_part(part: &CompletedPart) -> Result<()> {
    let number = part.part_number;
    if !(1..=MAX_PART_NUMBER).contains(&number) {
        return Err(invalid_part(format!("part number {number} is outside 1 to {MAX_PART_NUMBER}").into()));
    }
    check_part_text(number, "ETag", &part.etag)?;
    match &part.checksum {
        Some(checksum) => check_part_text(number, "checksum", &checksum.value),
        None => Ok(()),
    }
}

/// XML 1.0 cannot carry most control characters even escaped, and no ETag or checksum has one.
fn check_part_text(number: u32, what: &str, text: &str) -> Result<()> {
    if text.is_empty() {
        return Err(invalid_part(format!("part {number} has an empty {what}").into()));
    }
    if text.chars().any(char::is_control) {
        return Err(invalid_part(format!("the {what} of part {number} contains a control character").into()));
    }
    Ok(())
}

fn invalid_part(reason: Cow<'static, str>) -> Error {
    Error::InvalidPart { reason }
}

// ---------------------------------------------------------------------------------------------
// Responses
// ---------------------------------------------------------------------------------------------

/// What CreateMultipartUpload answers: the upload's id.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct InitiateMultipartUploadResult {
    /// The bucket.
    pub bucket: String,
    /// The object key.
    pub key: String,
    /// The id every later call of this upload names.
    pub upload_id: String,
}

impl InitiateMultipartUploadResult {
    /// Parses CreateMultipartUpload's answer (`Bucket`, `Key` and `UploadId` are required).
    pub fn from_response(status: u16, body: &[u8]) -> Result<Self> {
        parse_response(status, body, "InitiateMultipartUploadResult", |root| {
            Ok(InitiateMultipartUploadResult {
                bucket: root.required("Bucket")?,
                key: root.required("Key")?,
                upload_id: root.required("UploadId")?,
            })
        })
    }
}

/// What a successful CompleteMultipartUpload answers.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CompleteMultipartUploadResult {
    /// The object's URL (s3s does not send it).
    pub location: Option<String>,
    /// The bucket.
    pub bucket: String,
    /// The object key.
    pub key: String,
    /// The object's ETag, quotes included (on AWS `"<md5 of the parts' md5s>-<part count>"`).
    pub etag: String,
    /// The object's checksum, when the upload used one.
    pub checksum: Option<Checksum>,
    /// `COMPOSITE` or `FULL_OBJECT`, when the upload used a checksum.
    pub checksum_type: Option<String>,
}

impl CompleteMultipartUploadResult {
    /// Parses CompleteMultipartUpload's answer (`Bucket`, `Key` and `ETag` are required).
    ///
    /// A `200 OK` whose body is an `<Error>` document is an [`Error::S3`] with status 200.
    pub fn from_response(status: u16, body: &[u8]) -> Result<Self> {
        parse_response(status, body, "CompleteMultipartUploadResult", |root| {
            Ok(CompleteMultipartUploadResult {
                location: root.optional("Location"),
                bucket: root.required("Bucket")?,
                key: root.required("Key")?,
                etag: root.required("ETag")?,
                checksum: root.checksum(),
                checksum_type: root.optional("ChecksumType"),
            })
        })
    }
}

/// One page of ListParts.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ListPartsResult {
    /// The bucket.
    pub bucket: String,
    /// The object key.
    pub key: String,
    /// The upload.
    pub upload_id: String,
    /// The `part-number-marker` this page starts after.
    pub part_number_marker: Option<u32>,
    /// Where the next page starts, when this one is truncated.
    pub next_part_number_marker: Option<u32>,
    /// The page size asked for (`max-parts`, at most 1,000).
    pub max_parts: Option<u32>,
    /// Whether more parts follow (absent means no, as s3s answers).
    pub is_truncated: bool,
    /// The storage class the object will have.
    pub storage_class: Option<String>,
    /// The parts on this page, as the server listed them.
    pub parts: Vec<ListedPart>,
}

/// A part in a ListParts page.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ListedPart {
    /// The part number.
    pub part_number: u32,
    /// The part's ETag, quotes included. AWS and SeaweedFS always send it; s3s 0.14 does not,
    /// so a listing from such a server cannot complete an upload by itself.
    pub etag: Option<String>,
    /// The part's size in bytes.
    pub size: u64,
    /// When the part was uploaded.
    pub last_modified: Option<OffsetDateTime>,
    /// The part's checksum, when the upload used one.
    pub checksum: Option<Checksum>,
}

impl ListPartsResult {
    /// Parses a ListParts page (`Bucket`, `Key`, `UploadId` and each part's `PartNumber` and
    /// `Size` are required; a truncated page must say where the next one starts).
    pub fn from_response(status: u16, body: &[u8]) -> Result<Self> {
        parse_response(status, body, "ListPartsResult", Self::from_root)
    }

    fn from_root(root: &Element) -> Result<Self> {
        let result = ListPartsResult {
            bucket: root.required("Bucket")?,
            key: root.required("Key")?,
            upload_id: root.required("UploadId")?,
            part_number_marker: root.number("PartNumberMarker")?,
            next_part_number_marker: root.number("NextPartNumberMarker")?,
            max_parts: root.number("MaxParts")?,
            is_truncated: root.flag("IsTruncated")?.unwrap_or(false),
            storage_class: root.optional("StorageClass"),
            parts: root.all("Part").map(ListedPart::from_element).collect::<Result<_>>()?,
        };
        if result.is_truncated && result.next_marker().is_none() {
            return Err(invalid("a truncated <ListPartsResult> has neither <NextPartNumberMarker> nor parts".into()));
        }
        Ok(result)
    }

    /// Where the next page starts: `None` on the last page. S3 documents
    /// `NextPartNumberMarker` as the last part listed, so that stands in when it is absent.
    pub fn next_marker(&self) -> Option<u32> {
        if !self.is_truncated {
            return None;
        }
        self.next_part_number_marker.or_else(|| self.parts.last().map(|part| part.part_number))
    }

    /// The query parameter that asks for the next page (`part-number-marker`), to add to the
    /// ListParts request's `uploadId`; `None` on the last page.
    pub fn next_page_query(&self) -> Option<Vec<(&'static str, String)>> {
        self.next_marker().map(|marker| vec![("part-number-marker", marker.to_string())])
    }
}

impl ListedPart {
    fn from_element(part: &Element) -> Result<Self> {
        Ok(ListedPart {
            part_number: part.required_number("PartNumber")?,
            etag: part.optional("ETag"),
            size: part.required_number("Size")?,
            last_modified: part.date("LastModified")?,
            checksum: part.checksum(),
        })
    }
}

/// One page of ListMultipartUploads: the uploads started and neither completed nor aborted.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ListMultipartUploadsResult {
    /// The bucket.
    pub bucket: String,
    /// The `prefix` asked for.
    pub prefix: Option<String>,
    /// The `delimiter` asked for.
    pub delimiter: Option<String>,
    /// The `key-marker` this page starts after.
    pub key_marker: Option<String>,
    /// The `upload-id-marker` this page starts after.
    pub upload_id_marker: Option<String>,
    /// The `key-marker` of the next page, when this one is truncated.
    pub next_key_marker: Option<String>,
    /// The `upload-id-marker` of the next page, when this one is truncated.
    pub next_upload_id_marker: Option<String>,
    /// The page size asked for (`max-uploads`, at most 1,000).
    pub max_uploads: Option<u32>,
    /// Whether more uploads follow.
    pub is_truncated: bool,
    /// The uploads on this page.
    pub uploads: Vec<InProgressUpload>,
    /// The key prefixes rolled up by the delimiter.
    pub common_prefixes: Vec<String>,
}

/// An upload in a ListMultipartUploads page.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct InProgressUpload {
    /// The object key.
    pub key: String,
    /// The upload's id.
    pub upload_id: String,
    /// When it was created.
    pub initiated: Option<OffsetDateTime>,
    /// The storage class the object will have.
    pub storage_class: Option<String>,
}

impl ListMultipartUploadsResult {
    /// Parses a ListMultipartUploads page (`Bucket` and each upload's `Key` and `UploadId` are
    /// required; a truncated page must say where the next one starts).
    pub fn from_response(status: u16, body: &[u8]) -> Result<Self> {
        parse_response(status, body, "ListMultipartUploadsResult", Self::from_root)
    }

    fn from_root(root: &Element) -> Result<Self> {
        let result = ListMultipartUploadsResult {
            bucket: root.required("Bucket")?,
            prefix: root.optional("Prefix"),
            delimiter: root.optional("Delimiter"),
            key_marker: root.optional("KeyMarker"),
            upload_id_marker: root.optional("UploadIdMarker"),
            next_key_marker: root.optional("NextKeyMarker"),
            next_upload_id_marker: root.optional("NextUploadIdMarker"),
            max_uploads: root.number("MaxUploads")?,
            is_truncated: root.flag("IsTruncated")?.unwrap_or(false),
            uploads: root.all("Upload").map(InProgressUpload::from_element).collect::<Result<_>>()?,
            common_prefixes: root.all("CommonPrefixes").filter_map(|prefix| prefix.optional("Prefix")).collect(),
        };
        if result.is_truncated && result.next_markers().is_none() {
            return Err(invalid("a truncated <ListMultipartUploadsResult> has no <NextKeyMarker>".into()));
        }
        Ok(result)
    }

    /// The `(key-marker, upload-id-marker)` of the next page: `None` on the last page. When the
    /// server leaves out the next markers, the last upload listed stands in (S3 documents them
    /// as the last upload of the page).
    pub fn next_markers(&self) -> Option<(&str, Option<&str>)> {
        if !self.is_truncated {
            return None;
        }
        match (&self.next_key_marker, self.uploads.last()) {
            (Some(key), _) => Some((key, self.next_upload_id_marker.as_deref())),
            (None, Some(last)) => Some((&last.key, Some(&last.upload_id))),
            (None, None) => None,
        }
    }

    /// The query parameters that ask for the next page (`key-marker`, and `upload-id-marker`
    /// when there is one), to add to the request's `uploads`, `prefix`…; `None` on the last page.
    pub fn next_page_query(&self) -> Option<Vec<(&'static str, String)>> {
        let (key, upload_id) = self.next_markers()?;
        let mut query = vec![("key-marker", key.to_string())];
        query.extend(upload_id.map(|id| ("upload-id-marker", id.to_string())));
        Some(query)
    }
}

impl InProgressUpload {
    fn from_element(upload: &Element) -> Result<Self> {
        Ok(InProgressUpload {
            key: upload.required("Key")?,
            upload_id: upload.required("UploadId")?,
            initiated: upload.date("Initiated")?,
            storage_class: upload.optional("StorageClass"),
        })
    }
}

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

/// An S3 `<Error>` document, with every session token removed.
///
/// `SignatureDoesNotMatch` documents keep their diagnostics ([`canonical_request`],
/// [`string_to_sign`], the rest in [`details`]) with the value of any `x-amz-security-token`
/// header or `X-Amz-Security-Token` parameter replaced by `[redacted]`. Elements named like a
/// token (`Token-0` in `ExpiredToken` and `InvalidToken`) are redacted whole, and the
/// `CanonicalRequestBytes`/`StringToSignBytes` hex echoes are dropped: they repeat the text
/// fields, token included, in a form the redaction cannot read.
///
/// [`canonical_request`]: Self::canonical_request
/// [`string_to_sign`]: Self::string_to_sign
/// [`details`]: Self::details
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct S3ErrorBody {
    /// S3's error code: `NoSuchUpload`, `SignatureDoesNotMatch`…
    pub code: String,
    /// S3's message (empty when the server sent none).
    pub message: String,
    /// The request id (also the `x-amz-request-id` header); give it to the provider's support.
    pub request_id: Option<String>,
    /// The host id (also the `x-amz-id-2` header).
    pub host_id: Option<String>,
    /// The bucket or object the error is about.
    pub resource: Option<String>,
    /// The canonical request the server computed (`SignatureDoesNotMatch`), token redacted.
    pub canonical_request: Option<String>,
    /// The string to sign the server computed (`SignatureDoesNotMatch`), token redacted.
    pub string_to_sign: Option<String>,
    /// Every other element without children, in document order: `Key`, `BucketName`,
    /// `Endpoint`, `AWSAccessKeyId`, `SignatureProvided`…
    pub details: Vec<(String, String)>,
}

impl S3ErrorBody {
    /// Parses an `<Error>` document (`Code` is required).
    pub fn parse(body: &[u8]) -> Result<Self> {
        let root = parse_document(body)?;
        if root.name != "Error" {
            return Err(invalid("expected <Error> as the root element".into()));
        }
        Self::from_root(&root)
    }

    fn from_root(root: &Element) -> Result<Self> {
        Ok(S3ErrorBody {
            code: root.required("Code")?,
            message: root.optional("Message").map_or_else(String::new, redacted),
            request_id: root.optional("RequestId"),
            host_id: root.optional("HostId"),
            resource: root.optional("Resource").map(redacted),
            canonical_request: root.optional("CanonicalRequest").map(redacted),
            string_to_sign: root.optional("StringToSign").map(redacted),
            details: root.children.iter().filter_map(error_detail).collect(),
        })
    }

    /// The crate error for this document, answered with HTTP `status`.
    pub fn into_error(self, status: u16) -> Error {
        Error::S3 { status, code: self.code, message: self.message, request_id: self.request_id }
    }
}

impl fmt::Display for S3ErrorBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)?;
        if let Some(request_id) = &self.request_id {
            write!(f, " (request id {request_id})")?;
        }
        Ok(())
    }
}

/// Elements [`S3ErrorBody`] has a field for.
const ERROR_FIELDS: [&str; 7] =
    ["Code", "Message", "RequestId", "HostId", "Resource", "CanonicalRequest", "StringToSign"];

fn error_detail(element: &Element) -> Option<(String, String)> {
    let name = element.name.as_str();
    if ERROR_FIELDS.contains(&name) || !element.children.is_empty() || name.ends_with("Bytes") {
        return None;
    }
    let value =
        if name.to_ascii_lowercase().contains("token") { REDACTED.to_string() } else { redacted(element.text.clone()) };
    Some((element.name.clone(), value))
}

fn redacted(text: String) -> String {
    match redact_session_token(&text) {
        Cow::Borrowed(_) => text,
        Cow::Owned(clean) => clean,
    }
}

/// `text` with the value of every `x-amz-security-token:` header line and every
/// `X-Amz-Security-Token=` query parameter (any letter case) replaced by `[redacted]`.
///
/// Canonical requests carry the session token in one of these two forms (SigV2 strings to sign
/// in the first), so this makes an echoed one safe to log without knowing the token.
pub fn redact_session_token(text: &str) -> Cow<'_, str> {
    // ASCII lowercasing keeps every byte offset, so positions found in `lower` index `text`.
    let lower = text.to_ascii_lowercase();
    let mut clean = String::new();
    let (mut copied, mut from) = (0, 0);
    while let Some(found) = lower[from..].find(TOKEN_NAME) {
        let name_end = from + found + TOKEN_NAME.len();
        from = name_end;
        if !matches!(lower.as_bytes().get(name_end), Some(b':' | b'=')) {
            continue; // the name alone, as in the SignedHeaders list
        }
        let value_start = name_end + 1;
        let value_end = text[value_start..].find(['&', '\n', '\r']).map_or(text.len(), |end| value_start + end);
        clean.push_str(&text[copied..value_start]);
        clean.push_str(REDACTED);
        (copied, from) = (value_end, value_end);
    }
    if copied == 0 {
        return Cow::Borrowed(text);
    }
    clean.push_str(&text[copied..]);
    Cow::Owned(clean)
}

/// The error a failed call answered with: [`Error::S3`] from its `<Error>` document, or
/// [`Error::InvalidResponse`] when the body is not one (a proxy's HTML page, an empty body).
pub fn error_from_response(status: u16, body: &[u8]) -> Error {
    match S3ErrorBody::parse(body) {
        Ok(error) => error.into_error(status),
        Err(_) => invalid(format!("HTTP {status} without an S3 <Error> document").into()),
    }
}

/// Checks the answer of a call whose success has no document (AbortMultipartUpload's `204`):
/// `Ok` for a 2xx status unless the body is an `<Error>` document.
pub fn check_response(status: u16, body: &[u8]) -> Result<()> {
    if !is_success(status) {
        return Err(error_from_response(status, body));
    }
    match parse_document(body) {
        Ok(root) if root.name == "Error" => Err(S3ErrorBody::from_root(&root)?.into_error(status)),
        _ => Ok(()),
    }
}

fn is_success(status: u16) -> bool {
    (200..300).contains(&status)
}

/// Parses a 2xx answer whose document is `root_name` with `build`; anything else is an error.
fn parse_response<T>(
    status: u16,
    body: &[u8],
    root_name: &str,
    build: impl FnOnce(&Element) -> Result<T>,
) -> Result<T> {
    if !is_success(status) {
        return Err(error_from_response(status, body));
    }
    let root = parse_document(body)?;
    if root.name == "Error" {
        return Err(S3ErrorBody::from_root(&root)?.into_error(status));
    }
    if root.name != root_name {
        return Err(invalid(format!("expected <{root_name}> as the root element").into()));
    }
    build(&root)
}

fn invalid(reason: Cow<'static, str>) -> Error {
    Error::InvalidResponse { reason }
}

// ---------------------------------------------------------------------------------------------
// A small element tree
// ---------------------------------------------------------------------------------------------

/// An element by its local name (namespace prefix dropped), its text (references resolved)
/// and its child elements.
#[derive(Debug, Default)]
struct Element {
    name: String,
    text: String,
    children: Vec<Element>,
}

impl Element {
    fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |child| child.name == name)
    }

    /// The text of the first child called `name`.
    fn text(&self, name: &str) -> Option<&str> {
        self.children.iter().find(|child| child.name == name).map(|child| child.text.as_str())
    }

    /// The text of child `name`; absent and empty are both `None`.
    fn optional(&self, name: &str) -> Option<String> {
        self.text(name).filter(|text| !text.is_empty()).map(str::to_owned)
    }

    fn required(&self, name: &str) -> Result<String> {
        self.optional(name).ok_or_else(|| self.missing(name))
    }

    /// Child `name` read as a `T`, surrounding whitespace ignored; absent or empty is `None`.
    fn number<T: FromStr>(&self, name: &str) -> Result<Option<T>> {
        match self.text(name).map(str::trim) {
            None | Some("") => Ok(None),
            Some(text) => text.parse().map(Some).map_err(|_| self.malformed(name)),
        }
    }

    fn required_number<T: FromStr>(&self, name: &str) -> Result<T> {
        self.number(name)?.ok_or_else(|| self.missing(name))
    }

    fn flag(&self, name: &str) -> Result<Option<bool>> {
        match self.text(name).map(str::trim) {
            None | Some("") => Ok(None),
            Some(text) if text.eq_ignore_ascii_case("true") => Ok(Some(true)),
            Some(text) if text.eq_ignore_ascii_case("false") => Ok(Some(false)),
            Some(_) => Err(self.malformed(name)),
        }
    }

    /// Child `name` as an RFC 3339 instant (`2010-11-10T20:48:34.000Z`).
    fn date(&self, name: &str) -> Result<Option<OffsetDateTime>> {
        match self.text(name).map(str::trim) {
            None | Some("") => Ok(None),
            Some(text) => OffsetDateTime::parse(text, &Rfc3339).map(Some).map_err(|_| self.malformed(name)),
        }
    }

    /// The first non-empty `Checksum<ALGORITHM>` child.
    fn checksum(&self) -> Option<Checksum> {
        self.children.iter().find_map(|child| {
            let algorithm = ChecksumAlgorithm::from_element(&child.name)?;
            let value = child.text.trim();
            (!value.is_empty()).then(|| Checksum { algorithm, value: value.to_owned() })
        })
    }

    fn missing(&self, name: &str) -> Error {
        invalid(format!("<{}> has no <{name}>", self.name).into())
    }

    fn malformed(&self, name: &str) -> Error {
        invalid(format!("<{}><{name}> is malformed", self.name).into())
    }
}

/// Parses `body` into its root element.
fn parse_document(body: &[u8]) -> Result<Element> {
    let text = std::str::from_utf8(body).map_err(|_| invalid("the body is not UTF-8".into()))?;
    // The reader accepts a byte-order mark and whitespace before the XML declaration: S3 writes
    // spaces there while CompleteMultipartUpload runs (pinned by the tests).
    let mut reader = Reader::from_str(text);
    let mut tree = TreeBuilder::default();
    loop {
        let event = reader.read_event().map_err(|e| invalid(format!("malformed XML: {e}").into()))?;
        match event {
            Event::Start(start) => tree.open(&start)?,
            Event::Empty(start) => {
                tree.open(&start)?;
                tree.close()?;
            }
            Event::End(_) => tree.close()?,
            Event::Text(text) => tree.push_text(&text.xml10_content()),
            Event::CData(data) => tree.push_text(&data.xml10_content()),
            Event::GeneralRef(reference) => tree.push_reference(&reference)?,
            Event::Eof => return tree.finish(),
            // Declarations, comments, processing instructions, DOCTYPE: S3 keeps no data there.
            _ => {}
        }
    }
}

/// Builds the tree from the reader's events; the reader itself checks that end tags match.
#[derive(Default)]
struct TreeBuilder {
    open: Vec<Element>,
    root: Option<Element>,
}

impl TreeBuilder {
    fn open(&mut self, start: &BytesStart<'_>) -> Result<()> {
        if self.root.is_some() {
            return Err(invalid("the body has more than one root element".into()));
        }
        if self.open.len() >= MAX_DEPTH {
            return Err(invalid("the XML nests far deeper than S3 documents do".into()));
        }
        let name = start.local_name().into_inner().to_owned();
        self.open.push(Element { name, ..Element::default() });
        Ok(())
    }

    fn close(&mut self) -> Result<()> {
        let element = self.open.pop().ok_or_else(|| invalid("a closing tag closes nothing".into()))?;
        match self.open.last_mut() {
            Some(parent) => parent.children.push(element),
            None => self.root = Some(element),
        }
        Ok(())
    }

    /// Text outside the root element (whitespace, in practice) is ignored.
    fn push_text(&mut self, text: &str) {
        if let Some(element) = self.open.last_mut() {
            element.text.push_str(text);
        }
    }

    fn push_reference(&mut self, reference: &BytesRef<'_>) -> Result<()> {
        let Some(element) = self.open.last_mut() else { return Ok(()) };
        match reference.resolve_char_ref() {
            Ok(Some(ch)) => element.text.push(ch),
            Ok(None) => {
                let resolved =
                    resolve_xml_entity(reference).ok_or_else(|| invalid("unknown entity reference".into()))?;
                element.text.push_str(resolved);
            }
            Err(_) => return Err(invalid("malformed character reference".into())),
        }
        Ok(())
    }

    fn finish(self) -> Result<Element> {
        if let Some(unclosed) = self.open.last() {
            return Err(invalid(format!("the body ends inside <{}>", unclosed.name).into()));
        }
        self.root.ok_or_else(|| invalid("the body holds no XML element".into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reason(error: Error) -> String {
        match error {
            Error::InvalidResponse { reason } | Error::InvalidPart { reason } => reason.into_owned(),
            other => panic!("expected INVALID_RESPONSE or INVALID_PART, got {other:?}"),
        }
    }

    fn document(xml: &str) -> Element {
        parse_document(xml.as_bytes()).expect("well-formed")
    }

    #[test]
    fn tree_drops_prefixes_and_resolves_references_cdata_and_comments() {
        let root = document(
            "\u{feff}  \n<?xml version=\"1.0\"?><!-- c --><s3:R xmlns:s3=\"x\"><s3:A>&quot;a&amp;b&#x27;&#60;</s3:A>\
             <B><![CDATA[<raw>&amp;]]></B><C/></s3:R>",
        );
        assert_eq!(root.name, "R");
        assert_eq!(root.text("A"), Some("\"a&b'<"));
        assert_eq!(root.text("B"), Some("<raw>&amp;"));
        assert_eq!(root.text("C"), Some(""));
    }

    #[test]
    fn tree_rejects_what_is_not_one_xml_document() {
        for (body, expected) in [
            ("", "holds no XML element"),
            ("just text", "holds no XML element"),
            ("<A></A><B/>", "more than one root"),
            ("<A><B></A>", "malformed XML"),
            ("<A><B>", "ends inside <B>"),
            ("<A>&nbsp;</A>", "unknown entity"),
            ("<A>&#0;</A>", "character reference"),
        ] {
            let error = parse_document(body.as_bytes()).expect_err(body);
            assert!(reason(error).contains(expected), "{body:?} should fail with {expected:?}");
        }
        assert!(reason(parse_document(b"<A>\xff</A>").unwrap_err()).contains("not UTF-8"));
    }

    #[test]
    fn tree_depth_is_bounded() {
        let deep = format!("{}{}", "<a>".repeat(MAX_DEPTH), "</a>".repeat(MAX_DEPTH));
        assert!(parse_document(deep.as_bytes()).is_ok());
        let deeper = format!("{}{}", "<a>".repeat(MAX_DEPTH + 1), "</a>".repeat(MAX_DEPTH + 1));
        assert!(reason(parse_document(deeper.as_bytes()).unwrap_err()).contains("deeper"));
    }

    #[test]
    fn typed_readers_are_strict_about_values_and_lenient_about_absence() {
        let root = document("<R><N> 42 </N><E></E><F>TRUE</F><D>2010-11-10T20:48:34.000Z</D><X>4x</X></R>");
        assert_eq!(root.number::<u32>("N").unwrap(), Some(42));
        assert_eq!(root.number::<u32>("E").unwrap(), None);
        assert_eq!(root.number::<u32>("Absent").unwrap(), None);
        assert_eq!(root.flag("F").unwrap(), Some(true));
        assert_eq!(root.date("D").unwrap().map(OffsetDateTime::unix_timestamp), Some(1_289_422_114));
        assert!(reason(root.number::<u32>("X").unwrap_err()).contains("<R><X> is malformed"));
        assert!(reason(root.flag("X").unwrap_err()).contains("malformed"));
        assert!(reason(root.date("X").unwrap_err()).contains("malformed"));
        assert!(reason(root.required("E").unwrap_err()).contains("<R> has no <E>"));
    }

    #[test]
    fn checksum_elements_map_to_algorithms() {
        for algorithm in ChecksumAlgorithm::ALL {
            let name = format!("Checksum{algorithm}");
            assert_eq!(ChecksumAlgorithm::from_element(&name), Some(algorithm));
        }
        for name in ["ChecksumType", "ChecksumAlgorithm", "Checksum", "CRC32", "checksumCRC32"] {
            assert_eq!(ChecksumAlgorithm::from_element(name), None, "{name}");
        }
    }

    #[test]
    fn redaction_covers_header_lines_and_query_parameters_in_any_case() {
        let text = "GET\n/k\nA=1&X-Amz-Security-Token=FQo%2Fsecret&b=2\nhost:h\nX-AMZ-SECURITY-TOKEN:FQo/secret\r\n\
                    \nhost;x-amz-security-token\nx-amz-security-token=tail";
        let clean = redact_session_token(text);
        assert!(!clean.contains("secret") && !clean.contains("tail"), "{clean}");
        assert_eq!(
            clean,
            "GET\n/k\nA=1&X-Amz-Security-Token=[redacted]&b=2\nhost:h\nX-AMZ-SECURITY-TOKEN:[redacted]\r\n\
             \nhost;x-amz-security-token\nx-amz-security-token=[redacted]"
        );
        assert!(matches!(redact_session_token("host;x-amz-security-token\n"), Cow::Borrowed(_)));
        assert_eq!(redact_session_token("ünï x-amz-security-token:ß"), "ünï x-amz-security-token:[redacted]");
    }

    #[test]
    fn complete_body_validation() {
        let part = |n: u32| CompletedPart::new(n, "\"e\"");
        let cases: [(Vec<CompletedPart>, &str); 7] = [
            (vec![], "empty"),
            (vec![part(0)], "outside 1 to 10000"),
            (vec![part(10_001)], "outside 1 to 10000"),
            (vec![part(1), part(1)], "listed twice"),
            (vec![part(2), part(1)], "1 follows 2"),
            (vec![CompletedPart::new(1, "")], "empty ETag"),
            (vec![part(1).with_checksum(ChecksumAlgorithm::Crc32, "a\u{1}")], "control character"),
        ];
        for (parts, expected) in cases {
            let error = complete_body(&parts).expect_err(expected);
            assert_eq!(error.code(), "INVALID_PART");
            assert!(reason(error).contains(expected), "{expected}");
        }
        assert!(complete_body(&[part(1), part(10_000)]).is_ok());
    }

    #[test]
    fn complete_body_escapes_and_writes_checksums() {
        let parts = [
            CompletedPart::new(1, "\"a<b>&'\"").with_checksum(ChecksumAlgorithm::Crc64Nvme, "AAA="),
            CompletedPart::new(3, "x"),
        ];
        assert_eq!(
            complete_body(&parts).unwrap(),
            "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">\
             <Part><ETag>&quot;a&lt;b&gt;&amp;&apos;&quot;</ETag><PartNumber>1</PartNumber>\
             <ChecksumCRC64NVME>AAA=</ChecksumCRC64NVME></Part>\
             <Part><ETag>x</ETag><PartNumber>3</PartNumber></Part></CompleteMultipartUpload>"
        );
    }

    #[test]
    fn error_body_redacts_tokens_and_drops_byte_echoes() {
        let body = b"<Error><Code>ExpiredToken</Code><Message>The provided token has expired.</Message>\
            <Token-0>FQoSECRET</Token-0><CanonicalRequestBytes>46 51 6f</CanonicalRequestBytes>\
            <AWSAccessKeyId>AKIDEXAMPLE</AWSAccessKeyId><Nested><A>1</A></Nested></Error>";
        let error = S3ErrorBody::parse(body).unwrap();
        assert_eq!(
            error.details,
            [("Token-0".into(), REDACTED.into()), ("AWSAccessKeyId".into(), "AKIDEXAMPLE".into())]
        );
        assert!(!format!("{error:?}{error}").contains("FQoSECRET"));
    }

    #[test]
    fn pagination_falls_back_to_the_last_item_listed() {
        let parts = b"<ListPartsResult><Bucket>b</Bucket><Key>k</Key><UploadId>u</UploadId>\
            <IsTruncated>true</IsTruncated><Part><PartNumber>7</PartNumber><Size>1</Size></Part></ListPartsResult>";
        let page = ListPartsResult::from_response(200, parts).unwrap();
        assert_eq!(page.next_page_query(), Some(vec![("part-number-marker", "7".to_string())]));

        let uploads = b"<ListMultipartUploadsResult><Bucket>b</Bucket><IsTruncated>true</IsTruncated>\
            <Upload><Key>k</Key><UploadId>u</UploadId></Upload></ListMultipartUploadsResult>";
        let page = ListMultipartUploadsResult::from_response(200, uploads).unwrap();
        let expected = vec![("key-marker", "k".to_string()), ("upload-id-marker", "u".to_string())];
        assert_eq!(page.next_page_query(), Some(expected));
    }

    #[test]
    fn truncated_pages_must_say_where_to_continue() {
        let parts = b"<ListPartsResult><Bucket>b</Bucket><Key>k</Key><UploadId>u</UploadId>\
            <IsTruncated>true</IsTruncated></ListPartsResult>";
        assert!(reason(ListPartsResult::from_response(200, parts).unwrap_err()).contains("truncated"));
        let uploads = b"<ListMultipartUploadsResult><Bucket>b</Bucket><IsTruncated>true</IsTruncated>\
            </ListMultipartUploadsResult>";
        assert!(reason(ListMultipartUploadsResult::from_response(200, uploads).unwrap_err()).contains("truncated"));
    }
}
