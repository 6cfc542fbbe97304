//! The typed presign builder: one S3 request, its options checked against the method and
//! the provider, signed into a [`PresignedRequest`].

use std::borrow::Cow;
use std::cmp::Ordering;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::encryption::Encryption;
use super::endpoint::Bucket;
use super::key::ObjectKey;
use super::options::{CannedAcl, Checksum, ContentMd5, Metadata, Tagging};
use super::presigned::PresignedRequest;
use super::required_headers::RequiredHeaders;
use super::storage_class::StorageClass;
use crate::error::{Error, Result};
use crate::sigv4::{HeaderSink, HeaderSource, Presign, Request, Signer, is_canonical_header, name_order, trim_blanks};

/// The HTTP methods S3 operations use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Method {
    /// Read an object (GetObject) or list (ListObjectsV2, ListParts…).
    Get,
    /// Upload an object or a part.
    Put,
    /// Read an object's metadata.
    Head,
    /// Delete an object or abort a multipart upload.
    Delete,
    /// Create or complete a multipart upload, browser POST uploads.
    Post,
}

impl Method {
    /// The method as sent on the wire.
    pub const fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Put => "PUT",
            Method::Head => "HEAD",
            Method::Delete => "DELETE",
            Method::Post => "POST",
        }
    }

    fn writes(self) -> bool {
        matches!(self, Method::Put | Method::Post)
    }

    fn reads(self) -> bool {
        matches!(self, Method::Get | Method::Head)
    }
}

impl std::str::FromStr for Method {
    type Err = Error;
    fn from_str(s: &str) -> Result<Method> {
        match s.to_ascii_uppercase().as_str() {
            "GET" => Ok(Method::Get),
            "PUT" => Ok(Method::Put),
            "HEAD" => Ok(Method::Head),
            "DELETE" => Ok(Method::Delete),
            "POST" => Ok(Method::Post),
            _ => Err(Error::InvalidMethod { reason: "S3 operations use GET, PUT, HEAD, DELETE or POST".into() }),
        }
    }
}

/// Default lifetime of a presigned URL: one hour.
pub const DEFAULT_EXPIRY: Duration = Duration::from_secs(3600);

/// How many signed headers are sorted on the stack before the list moves to the heap: more
/// than any typed combination but a long metadata list sets.
const INLINE_HEADERS: usize = 12;

/// A request to presign, built with typed options.
///
/// Options that do not apply to the method (a storage class on a GET, `response-*`
/// overrides on a PUT) or that the provider does not support (SSE-KMS on R2) are refused with
/// a typed error when signing, never silently dropped. Errors in option values are kept and
/// reported by [`sign_at`](PresignRequest::sign_at), so the builder chains without `?`.
///
/// ```
/// use presign::Credentials;
/// use presign::s3::{Bucket, Encryption, ObjectKey, PresignRequest, Region, StorageClass};
/// use presign::sigv4::Signer;
/// use std::time::Duration;
/// use time::macros::datetime;
///
/// let signer = Signer::new(Credentials::new("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")?);
/// let bucket = Bucket::aws("my-bucket", Region::EuWest1)?;
/// let put = PresignRequest::put(&bucket, ObjectKey::new("uploads/photo.jpg")?)
///     .content_type("image/jpeg")
///     .storage_class(StorageClass::StandardIa)
///     .encryption(Encryption::SseS3)
///     .expires_in(Duration::from_secs(600))
///     .sign_at(&signer, datetime!(2024-05-24 12:00:00 UTC))?;
/// assert!(put.url().starts_with("https://my-bucket.s3.eu-west-1.amazonaws.com/uploads/photo.jpg?"));
/// assert_eq!(put.header("x-amz-storage-class"), Some("STANDARD_IA"));
/// assert_eq!(put.header("content-type"), Some("image/jpeg"));
/// # Ok::<(), presign::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct PresignRequest {
    bucket: Bucket,
    method: Method,
    key: Option<ObjectKey>,
    /// The raw path S3 signs (the object's, or the bucket's for a bucket operation), worked
    /// out once rather than per signature.
    path: String,
    expires_in: Duration,
    clamp_to_credentials: bool,
    /// Plain-string headers (content type, range, conditions, caller extras), lowercase names.
    headers: Vec<(Cow<'static, str>, String)>,
    /// Every header set through `headers` was in canonical form when set (nearly always), so
    /// the signer may copy it unchecked.
    headers_canonical: bool,
    /// Raw (unencoded) query parameters: sub-resources, `response-*`, `versionId`…
    query: Vec<(String, String)>,
    storage_class: Option<StorageClass>,
    encryption: Option<Encryption>,
    metadata: Option<Metadata>,
    tagging: Option<Tagging>,
    acl: Option<CannedAcl>,
    checksum: Option<Checksum>,
    content_md5: Option<ContentMd5>,
    /// The first problem found while building; reported by `sign_at`.
    error: Option<Error>,
}

impl PresignRequest {
    /// Any request on an object.
    pub fn new(method: Method, bucket: &Bucket, key: ObjectKey) -> Self {
        Self::with_target(method, bucket, Some(key))
    }

    /// A bucket-level request (ListObjectsV2, ListMultipartUploads…): the path is the bucket
    /// itself; add the operation's sub-resource with [`query`](Self::query).
    pub fn bucket_operation(method: Method, bucket: &Bucket) -> Self {
        Self::with_target(method, bucket, None)
    }

    /// GetObject.
    pub fn get(bucket: &Bucket, key: ObjectKey) -> Self {
        Self::new(Method::Get, bucket, key)
    }

    /// PutObject.
    pub fn put(bucket: &Bucket, key: ObjectKey) -> Self {
        Self::new(Method::Put, bucket, key)
    }

    /// HeadObject.
    pub fn head(bucket: &Bucket, key: ObjectKey) -> Self {
        Self::new(Method::Head, bucket, key)
    }

    /// DeleteObject.
    pub fn delete(bucket: &Bucket, key: ObjectKey) -> Self {
        Self::new(Method::Delete, bucket, key)
    }

    fn with_target(method: Method, bucket: &Bucket, key: Option<ObjectKey>) -> Self {
        let path = match &key {
            Some(key) => bucket.object_path(key),
            None => bucket.bucket_path().to_string(),
        };
        PresignRequest {
            bucket: bucket.clone(),
            method,
            key,
            path,
            expires_in: DEFAULT_EXPIRY,
            clamp_to_credentials: false,
            headers: Vec::new(),
            headers_canonical: true,
            query: Vec::new(),
            storage_class: None,
            encryption: None,
            metadata: None,
            tagging: None,
            acl: None,
            checksum: None,
            content_md5: None,
            error: None,
        }
    }

    /// How long the URL stays valid: 1 s to 7 days, whole seconds (default one hour).
    pub fn expires_in(mut self, expires_in: Duration) -> Self {
        self.expires_in = expires_in;
        self
    }

    /// When the credentials expire before the URL would, shorten the URL's lifetime to
    /// theirs instead of refusing with `EXPIRY_EXCEEDS_CREDENTIALS`.
    pub fn clamp_expiry_to_credentials(mut self) -> Self {
        self.clamp_to_credentials = true;
        self
    }

    /// `Content-Type` (uploads).
    pub fn content_type(self, value: &str) -> Self {
        self.write_header("content-type", value)
    }

    /// `Content-Length`: the upload must be exactly this many bytes. This is how a presigned
    /// PUT limits upload size (use a POST policy for a range).
    pub fn content_length(self, bytes: u64) -> Self {
        self.write_header("content-length", &bytes.to_string())
    }

    /// `Content-Disposition` stored with the object.
    pub fn content_disposition(self, value: &str) -> Self {
        self.write_header("content-disposition", value)
    }

    /// `Content-Encoding` stored with the object.
    pub fn content_encoding(self, value: &str) -> Self {
        self.write_header("content-encoding", value)
    }

    /// `Content-Language` stored with the object.
    pub fn content_language(self, value: &str) -> Self {
        self.write_header("content-language", value)
    }

    /// `Cache-Control` stored with the object.
    pub fn cache_control(self, value: &str) -> Self {
        self.write_header("cache-control", value)
    }

    /// `Expires` stored with the object (an HTTP date such as `Wed, 21 Oct 2015 07:28:00 GMT`).
    pub fn expires_header(self, value: &str) -> Self {
        self.write_header("expires", value)
    }

    /// `x-amz-storage-class`.
    pub fn storage_class(mut self, class: StorageClass) -> Self {
        self.storage_class = Some(class);
        self
    }

    /// Server-side encryption; always signed as headers (S3 ignores or refuses SSE in the query).
    pub fn encryption(mut self, encryption: Encryption) -> Self {
        self.encryption = Some(encryption);
        self
    }

    /// User metadata (`x-amz-meta-*`).
    pub fn metadata(mut self, metadata: Metadata) -> Self {
        self.metadata = Some(metadata);
        self
    }

    /// Object tags (`x-amz-tagging`).
    pub fn tagging(mut self, tagging: Tagging) -> Self {
        self.tagging = Some(tagging);
        self
    }

    /// Canned ACL (`x-amz-acl`).
    pub fn acl(mut self, acl: CannedAcl) -> Self {
        self.acl = Some(acl);
        self
    }

    /// A checksum of the body the client will send (`x-amz-checksum-*`). Opt-in only: the
    /// crate never invents one, and S3 refuses the upload when the body does not match.
    pub fn checksum(mut self, checksum: Checksum) -> Self {
        self.checksum = Some(checksum);
        self
    }

    /// `Content-MD5` of the body the client will send.
    pub fn content_md5(mut self, md5: ContentMd5) -> Self {
        self.content_md5 = Some(md5);
        self
    }

    /// `If-None-Match: *`: the upload fails (412) if the key already exists.
    pub fn if_none_match_any(self) -> Self {
        self.set_header("if-none-match", "*")
    }

    /// `If-None-Match: <etag>` on reads (304 when unchanged).
    pub fn if_none_match(self, etag: &str) -> Self {
        self.set_header("if-none-match", etag)
    }

    /// `If-Match: <etag>`: the request succeeds only if the object's ETag matches.
    pub fn if_match(self, etag: &str) -> Self {
        self.set_header("if-match", etag)
    }

    /// `Range: bytes=first-last` (reads), both ends included.
    pub fn range(self, first: u64, last: u64) -> Self {
        if last < first {
            return self.fail(option("range", "the last byte is before the first"));
        }
        self.read_header("range", &format!("bytes={first}-{last}"))
    }

    /// `versionId`: a specific version of the object.
    pub fn version_id(self, version_id: &str) -> Self {
        self.query("versionId", version_id)
    }

    /// `partNumber` (1–10,000): one part of a multipart object (reads) or upload (writes).
    pub fn part_number(self, part_number: u32) -> Self {
        if !(1..=10_000).contains(&part_number) {
            return self.fail(option("part_number", "part numbers run from 1 to 10000"));
        }
        self.query("partNumber", &part_number.to_string())
    }

    /// `response-content-type` override (GET).
    pub fn response_content_type(self, value: &str) -> Self {
        self.response_override("response-content-type", value)
    }

    /// `response-content-disposition` override (GET), e.g. `attachment; filename="a.pdf"`.
    pub fn response_content_disposition(self, value: &str) -> Self {
        self.response_override("response-content-disposition", value)
    }

    /// `response-content-encoding` override (GET).
    pub fn response_content_encoding(self, value: &str) -> Self {
        self.response_override("response-content-encoding", value)
    }

    /// `response-content-language` override (GET).
    pub fn response_content_language(self, value: &str) -> Self {
        self.response_override("response-content-language", value)
    }

    /// `response-cache-control` override (GET).
    pub fn response_cache_control(self, value: &str) -> Self {
        self.response_override("response-cache-control", value)
    }

    /// `response-expires` override (GET).
    pub fn response_expires(self, value: &str) -> Self {
        self.response_override("response-expires", value)
    }

    /// Any other signed header the client must send (names are case-insensitive). It replaces
    /// a plain-string option of the same name (`content_type`…); naming a header a typed option
    /// also sets (`x-amz-storage-class`…) is refused when signing.
    pub fn header(self, name: &str, value: &str) -> Self {
        let name = name.to_ascii_lowercase();
        self.set_header_named(Cow::Owned(name), value)
    }

    /// Any other query parameter (raw value: it is encoded when signing), e.g. a sub-resource
    /// such as `("uploads", "")` or `("list-type", "2")`.
    pub fn query(mut self, name: &str, value: &str) -> Self {
        self.query.push((name.to_string(), value.to_string()));
        self
    }

    /// The method.
    pub fn method(&self) -> Method {
        self.method
    }

    /// The bucket.
    pub fn bucket(&self) -> &Bucket {
        &self.bucket
    }

    /// The object key, if this is an object request.
    pub fn key(&self) -> Option<&ObjectKey> {
        self.key.as_ref()
    }

    /// Signs now (system clock).
    pub fn sign(&self, signer: &Signer) -> Result<PresignedRequest> {
        self.sign_at(signer, OffsetDateTime::now_utc())
    }

    /// Signs at `now`.
    pub fn sign_at(&self, signer: &Signer, now: OffsetDateTime) -> Result<PresignedRequest> {
        if let Some(error) = &self.error {
            return Err(error.clone());
        }
        self.check_options()?;
        let expires_in = self.effective_expiry(signer, now)?;
        let query: Vec<(&str, &str)> = self.query.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
        let request = Request::new(self.method.as_str(), self.bucket.host(), &self.path).query(&query);
        let presign = Presign { request: &request, config: self.bucket.signing_config(), expires_in, now };
        let mut url = self.url_buffer();
        // Headers in canonical form are written once, by name, and sent exactly as signed.
        if self.canonical_headers() {
            if let Some((expires_at, (lines, count))) = signer.presign_written_into(presign, self, &mut url)? {
                let headers = RequiredHeaders::from_lines(lines, count);
                return Ok(PresignedRequest { method: self.method, url, headers, expires_at });
            }
        }
        // The others go to the signer as a list, to be checked, trimmed and sorted, and are sent
        // as given but for the surrounding whitespace SigV4 trims (names are lowercase already:
        // typed options are, `header()` lowercases).
        let mut gathered = HeaderBuf::default();
        self.signed_headers(&mut gathered)?;
        let headers = gathered.as_slice();
        let expires_at = signer.presign_into(&request.headers(headers), presign.config, expires_in, now, &mut url)?;
        let sent = RequiredHeaders::from_signed(headers.iter().map(|&(n, v)| (n, trim_blanks(v))));
        Ok(PresignedRequest { method: self.method, url, headers: sent, expires_at })
    }

    /// A buffer for the URL, holding the origin, with room for the rest: the encoded path,
    /// about 330 bytes of `X-Amz-*` parameters and a typed PUT's signed-header names.
    fn url_buffer(&self) -> String {
        let origin = self.bucket.origin();
        let query: usize = self.query.iter().map(|(name, value)| name.len() + value.len() * 3 / 2 + 2).sum();
        let mut url = String::with_capacity(origin.len() + self.path.len() * 3 / 2 + query + 520);
        url.push_str(origin);
        url
    }

    /// The headers [`sign_at`](Self::sign_at) would sign besides `host`, after the same checks
    /// (builder errors, options against the method and the provider): for requests signed
    /// another way, such as CreateMultipartUpload in the `Authorization` header
    /// (`multipart::requests`).
    #[cfg(feature = "multipart")]
    pub(crate) fn checked_headers(&self) -> Result<Vec<(&str, &str)>> {
        if let Some(error) = &self.error {
            return Err(error.clone());
        }
        self.check_options()?;
        let mut gathered = HeaderBuf::default();
        self.signed_headers(&mut gathered)?;
        Ok(gathered.as_slice().to_vec())
    }

    /// The raw query parameters added to the builder.
    #[cfg(feature = "multipart")]
    pub(crate) fn query_pairs(&self) -> &[(String, String)] {
        &self.query
    }

    /// Whether every header to sign is in canonical form: those set as strings were when set,
    /// typed options always are (their values are checked tokens, base64 or encoded), and
    /// metadata values are checked here, only when there are any.
    fn canonical_headers(&self) -> bool {
        self.headers_canonical
            && self.metadata.as_ref().is_none_or(|metadata| metadata.headers().all(|(n, v)| is_canonical_header(n, v)))
    }

    /// Gathers every header to sign, borrowed from the builder, sorted by name. Called after
    /// [`check_options`](Self::check_options), which refuses SSE-S3 and SSE-KMS on reads: the
    /// encryption headers are then those the method takes.
    ///
    /// Both sources are sorted already: plain headers as they are set, typed options by
    /// construction (each option's own headers are, and they come in the fixed order below).
    /// Plain headers (`content-type`, `cache-control`, …) nearly always sort before the typed
    /// ones (`x-amz-…`), so one comparison at the seam usually shows the list is sorted.
    fn signed_headers<'s>(&'s self, out: &mut HeaderBuf<'s>) -> Result<()> {
        self.write_headers(out);
        out.sort_at_seam()
    }

    /// Gives `sink` each header the typed options sign, in name order. Inlined into each
    /// sink's pass, so the literal header names stay literals (see `HeaderText`).
    #[inline(always)]
    fn write_typed_headers<'s>(&'s self, sink: &mut impl HeaderSink<'s>) {
        if let Some(md5) = &self.content_md5 {
            let (name, value) = md5.header();
            sink.header(name, value);
        }
        if let Some(acl) = self.acl {
            let (name, value) = acl.header();
            sink.header(name, value);
        }
        if let Some(checksum) = &self.checksum {
            let (name, value) = checksum.header();
            sink.header(name, value);
        }
        for (name, value) in self.metadata.iter().flat_map(Metadata::headers) {
            sink.header(name, value);
        }
        if let Some(encryption) = &self.encryption {
            encryption.write_headers(sink);
        }
        if let Some(class) = self.storage_class {
            sink.header("x-amz-storage-class", class.as_str());
        }
        if let Some((name, value)) = self.tagging.as_ref().and_then(Tagging::header) {
            sink.header(name, value);
        }
    }

    /// Refuses options the method or the provider cannot honour.
    fn check_options(&self) -> Result<()> {
        let provider = self.bucket.provider();
        let writes_only = [
            ("storage_class", self.storage_class.is_some()),
            ("metadata", self.metadata.is_some()),
            ("tagging", self.tagging.is_some()),
            ("acl", self.acl.is_some()),
            ("checksum", self.checksum.is_some()),
            ("content_md5", self.content_md5.is_some()),
        ];
        if let Some((name, _)) = writes_only.iter().find(|(_, set)| *set && !self.method.writes()) {
            return Err(option(name, "applies only to uploads (PUT or POST)"));
        }
        if let Some(class) = self.storage_class {
            if !provider.supports_storage_class(class) {
                return Err(Error::InvalidStorageClass {
                    value: class.as_str().into(),
                    reason: format!("{} does not offer this storage class", provider.name()).into(),
                });
            }
        }
        self.check_encryption()?;
        if self.tagging.is_some() && !provider.supports_tagging() {
            return Err(provider.unsupported("object tagging (x-amz-tagging)"));
        }
        if self.acl.is_some() && !provider.supports_acl() {
            return Err(provider.unsupported("canned ACLs (x-amz-acl)"));
        }
        self.check_content_length()
    }

    fn check_encryption(&self) -> Result<()> {
        let provider = self.bucket.provider();
        match &self.encryption {
            None => Ok(()),
            Some(Encryption::SseC(_)) if !provider.supports_sse_c() => Err(provider.unsupported("SSE-C")),
            Some(Encryption::SseC(_)) => Ok(()),
            Some(_) if !self.method.writes() => Err(option(
                "encryption",
                "SSE-S3 and SSE-KMS are chosen when uploading; S3 refuses their headers on reads",
            )),
            Some(Encryption::SseS3) if !provider.supports_sse_s3() => Err(provider.unsupported("SSE-S3")),
            Some(_) if !provider.supports_sse_kms() => Err(provider.unsupported("SSE-KMS")),
            Some(_) => Ok(()),
        }
    }

    fn check_content_length(&self) -> Result<()> {
        let Some((_, length)) = self.headers.iter().find(|(n, _)| n == "content-length") else { return Ok(()) };
        let maximum = self.bucket.limits().max_single_put;
        match length.parse::<u64>() {
            Ok(size) if size > maximum && self.method == Method::Put && self.query.is_empty() => {
                Err(Error::ObjectTooLarge { size, maximum })
            }
            Ok(_) => Ok(()),
            Err(_) => Err(option("content_length", "not a number of bytes")),
        }
    }

    /// The expiry, shortened to the credentials' lifetime when the caller opted in.
    fn effective_expiry(&self, signer: &Signer, now: OffsetDateTime) -> Result<Duration> {
        let Some(credentials_expire_at) = signer.credentials().expires_at() else { return Ok(self.expires_in) };
        if !self.clamp_to_credentials {
            return Ok(self.expires_in);
        }
        let left = (credentials_expire_at - now.replace_nanosecond(0).unwrap_or(now)).whole_seconds();
        if left < 1 {
            return Err(Error::CredentialsExpired { expired_at: crate::sigv4::rfc3339(credentials_expire_at) });
        }
        Ok(self.expires_in.min(Duration::from_secs(left as u64)))
    }

    fn write_header(self, name: &'static str, value: &str) -> Self {
        if self.method.writes() {
            self.set_header(name, value)
        } else {
            self.fail(option(name, "applies only to uploads (PUT or POST)"))
        }
    }

    fn read_header(self, name: &'static str, value: &str) -> Self {
        if self.method.reads() {
            self.set_header(name, value)
        } else {
            self.fail(option(name, "applies only to reads (GET or HEAD)"))
        }
    }

    fn response_override(self, name: &'static str, value: &str) -> Self {
        if self.method == Method::Get {
            self.query(name, value)
        } else {
            self.fail(option(name, "response overrides apply only to GET"))
        }
    }

    fn set_header(self, name: &'static str, value: &str) -> Self {
        self.set_header_named(Cow::Borrowed(name), value)
    }

    /// Sets a plain header, keeping the list sorted by name (signing merges it with the typed
    /// options' headers).
    fn set_header_named(mut self, name: Cow<'static, str>, value: &str) -> Self {
        self.headers_canonical &= is_canonical_header(&name, value);
        match self.headers.binary_search_by(|(n, _)| name_order(n, &name)) {
            Ok(at) => self.headers.get_mut(at).into_iter().for_each(|(_, old)| *old = value.to_string()),
            Err(at) => self.headers.insert(at, (name, value.to_string())),
        }
        self
    }

    fn fail(mut self, error: Error) -> Self {
        self.error.get_or_insert(error);
        self
    }
}

/// Every header to sign: the plain ones (sorted as they are set), then the typed ones, with a
/// seam between (see [`PresignRequest::signed_headers`] for why the order holds).
impl HeaderSource for PresignRequest {
    fn write_headers<'h, S: HeaderSink<'h>>(&'h self, sink: &mut S) {
        for (name, value) in &self.headers {
            sink.header(name, value);
        }
        sink.seam();
        self.write_typed_headers(sink);
    }
}

/// The headers to sign, gathered on the stack: a heap list per URL showed in the cost of
/// signing. Past `INLINE_HEADERS` (long metadata) they move to the heap.
#[derive(Default)]
struct HeaderBuf<'s> {
    inline: [(&'s str, &'s str); INLINE_HEADERS],
    heap: Vec<(&'s str, &'s str)>,
    len: usize,
    /// Where the second sorted run starts.
    seam: usize,
}

impl<'s> HeaderSink<'s> for HeaderBuf<'s> {
    fn header(&mut self, name: &'s str, value: &'s str) {
        self.push((name, value));
    }

    fn seam(&mut self) {
        self.seam = self.len;
    }
}

impl<'s> HeaderBuf<'s> {
    fn push(&mut self, pair: (&'s str, &'s str)) {
        match self.inline.get_mut(self.len) {
            Some(slot) => *slot = pair,
            None if self.heap.is_empty() => {
                self.heap.extend_from_slice(&self.inline);
                self.heap.push(pair);
            }
            None => self.heap.push(pair),
        }
        self.len += 1;
    }

    /// Sorts a list made of two sorted runs, split at the seam. A header set both by a typed
    /// option and by [`PresignRequest::header`] would be sent twice and signed as `a,b`;
    /// servers refuse or misread that, so it is refused here.
    fn sort_at_seam(&mut self) -> Result<()> {
        let seam = self.seam;
        let list = self.as_mut_slice();
        let sorted = match (seam.checked_sub(1).and_then(|last| list.get(last)), list.get(seam)) {
            (Some(before), Some(after)) => name_order(before.0, after.0) == Ordering::Less,
            _ => true, // one run only
        };
        if sorted {
            return Ok(());
        }
        list.sort_unstable_by(|a, b| name_order(a.0, b.0));
        match list.windows(2).find(|pair| pair[0].0 == pair[1].0) {
            Some(pair) => Err(set_twice(pair[0].0)),
            None => Ok(()),
        }
    }

    fn as_mut_slice(&mut self) -> &mut [(&'s str, &'s str)] {
        if self.len <= INLINE_HEADERS { &mut self.inline[..self.len] } else { &mut self.heap[..] }
    }

    fn as_slice(&self) -> &[(&'s str, &'s str)] {
        if self.len <= INLINE_HEADERS { &self.inline[..self.len] } else { &self.heap[..] }
    }
}

/// A header set both by a typed option and by [`PresignRequest::header`] would be sent twice
/// and signed as `a,b`; servers refuse or misread that, so it is refused.
fn set_twice(name: &str) -> Error {
    Error::InvalidHeader { name: name.to_string(), reason: "set twice: by a typed option and by header()".into() }
}

fn option(name: &'static str, reason: &'static str) -> Error {
    Error::InvalidOption { option: name, reason: reason.into() }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Credentials;
    use crate::s3::{ChecksumAlgorithm, KmsContext, Region, Tagging};
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2024-05-24 12:00:00 UTC);

    fn signer() -> Signer {
        Signer::new(Credentials::new("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY").unwrap())
    }

    fn aws() -> Bucket {
        Bucket::aws("examplebucket", Region::UsEast1).unwrap()
    }

    fn key() -> ObjectKey {
        ObjectKey::new("photos/cat.jpg").unwrap()
    }

    fn code(request: PresignRequest) -> &'static str {
        request.sign_at(&signer(), NOW).unwrap_err().code()
    }

    #[test]
    fn options_that_do_not_fit_the_method_are_refused() {
        assert_eq!(code(PresignRequest::get(&aws(), key()).storage_class(StorageClass::Standard)), "INVALID_OPTION");
        assert_eq!(code(PresignRequest::get(&aws(), key()).content_type("a/b")), "INVALID_OPTION");
        assert_eq!(code(PresignRequest::put(&aws(), key()).response_content_type("a/b")), "INVALID_OPTION");
        assert_eq!(code(PresignRequest::put(&aws(), key()).range(0, 9)), "INVALID_OPTION");
        assert_eq!(code(PresignRequest::get(&aws(), key()).range(9, 0)), "INVALID_OPTION");
        assert_eq!(code(PresignRequest::get(&aws(), key()).encryption(Encryption::SseS3)), "INVALID_OPTION");
        assert_eq!(code(PresignRequest::get(&aws(), key()).part_number(0)), "INVALID_OPTION");
        assert_eq!(code(PresignRequest::get(&aws(), key()).part_number(10_001)), "INVALID_OPTION");
        assert!(PresignRequest::get(&aws(), key()).part_number(10_000).sign_at(&signer(), NOW).is_ok());
    }

    #[test]
    fn the_provider_decides_what_it_supports() {
        let r2 = Bucket::r2("0123456789abcdef0123456789abcdef", "media").unwrap();
        assert_eq!(code(PresignRequest::put(&r2, key()).storage_class(StorageClass::Glacier)), "INVALID_STORAGE_CLASS");
        assert_eq!(code(PresignRequest::put(&r2, key()).encryption(Encryption::SseS3)), "UNSUPPORTED_BY_PROVIDER");
        assert_eq!(
            code(PresignRequest::put(&r2, key()).encryption(Encryption::kms_default())),
            "UNSUPPORTED_BY_PROVIDER"
        );
        let tags = Tagging::new().with("a", "b").unwrap();
        assert_eq!(code(PresignRequest::put(&r2, key()).tagging(tags)), "UNSUPPORTED_BY_PROVIDER");
        let put =
            PresignRequest::put(&r2, key()).storage_class(StorageClass::StandardIa).sign_at(&signer(), NOW).unwrap();
        assert_eq!(put.header("x-amz-storage-class"), Some("STANDARD_IA"));
        assert!(put.url().contains("%2Fauto%2Fs3%2Faws4_request"), "R2 signs for region auto: {}", put.url());
    }

    #[test]
    fn a_single_put_is_bounded_by_the_provider() {
        let too_big = Limits5Gib::AWS + 1;
        assert_eq!(code(PresignRequest::put(&aws(), key()).content_length(too_big)), "OBJECT_TOO_LARGE");
        let r2 = Bucket::r2("0123456789abcdef0123456789abcdef", "media").unwrap();
        assert_eq!(code(PresignRequest::put(&r2, key()).content_length(Limits5Gib::AWS)), "OBJECT_TOO_LARGE");
        let put = PresignRequest::put(&aws(), key()).content_length(42).sign_at(&signer(), NOW).unwrap();
        assert_eq!(put.header("content-length"), Some("42"));
    }

    /// 5 GiB, the AWS single-PUT limit (s3-spec §5), written out independently of `Limits`.
    struct Limits5Gib;
    impl Limits5Gib {
        const AWS: u64 = 5 * 1024 * 1024 * 1024;
    }

    #[test]
    fn expiry_bounds_and_clamping_to_temporary_credentials() {
        for (seconds, ok) in [(0, false), (1, true), (604_800, true), (604_801, false)] {
            let result =
                PresignRequest::get(&aws(), key()).expires_in(Duration::from_secs(seconds)).sign_at(&signer(), NOW);
            assert_eq!(result.is_ok(), ok, "{seconds} s");
        }
        assert_eq!(code(PresignRequest::get(&aws(), key()).expires_in(Duration::from_millis(1500))), "INVALID_EXPIRY");

        let expiring = Credentials::new("ASIAEXAMPLE", "secret-key-value")
            .unwrap()
            .with_session_token("token-value")
            .unwrap()
            .with_expiry(NOW + time::Duration::minutes(10));
        let signer = Signer::new(expiring);
        let hour = PresignRequest::get(&aws(), key()).expires_in(Duration::from_secs(3600));
        assert_eq!(hour.sign_at(&signer, NOW).unwrap_err().code(), "EXPIRY_EXCEEDS_CREDENTIALS");
        let clamped = hour.clone().clamp_expiry_to_credentials().sign_at(&signer, NOW).unwrap();
        assert_eq!(clamped.expires_at(), NOW + time::Duration::minutes(10));
        assert!(clamped.url().contains("X-Amz-Expires=600&"));
        assert!(clamped.url().contains("X-Amz-Security-Token=token-value"));
        let later = NOW + time::Duration::minutes(11);
        assert_eq!(
            hour.clamp_expiry_to_credentials().sign_at(&signer, later).unwrap_err().code(),
            "CREDENTIALS_EXPIRED"
        );
    }

    #[test]
    fn headers_are_the_signed_ones_except_host() {
        let put = PresignRequest::put(&aws(), key())
            .content_type("image/jpeg")
            .header("X-Custom-Thing", "v")
            .if_none_match_any()
            .sign_at(&signer(), NOW)
            .unwrap();
        let names: Vec<&str> = put.headers().iter().map(|(n, _)| n).collect();
        assert_eq!(names, ["content-type", "if-none-match", "x-custom-thing"]);
        let padded = PresignRequest::get(&aws(), key()).header("x-a", " v \t").sign_at(&signer(), NOW).unwrap();
        assert_eq!(padded.header("x-a"), Some("v"), "headers() holds the signed (trimmed) value");
        let twice = PresignRequest::put(&aws(), key())
            .storage_class(StorageClass::Standard)
            .header("X-Amz-Storage-Class", "GLACIER");
        assert_eq!(code(twice), "INVALID_HEADER");
        let replaced = PresignRequest::put(&aws(), key()).content_type("a/b").header("Content-Type", "c/d");
        assert_eq!(replaced.sign_at(&signer(), NOW).unwrap().header("content-type"), Some("c/d"));
        assert!(put.url().contains("X-Amz-SignedHeaders=content-type%3Bhost%3Bif-none-match%3Bx-custom-thing&"));
    }

    #[test]
    fn plain_and_typed_headers_are_signed_in_name_order_whatever_the_order_set() {
        let kms = Encryption::kms("key-1").unwrap();
        let with_context = kms.clone().with_context(KmsContext::new([("project", "cats")]).unwrap()).unwrap();
        let checksum = Checksum::from_digest(ChecksumAlgorithm::Sha256, &[7; 32]).unwrap();
        let cases = [
            // Written: every typed option, plain headers before them.
            PresignRequest::put(&aws(), key())
                .tagging(Tagging::new().with("a", "b").unwrap())
                .storage_class(StorageClass::StandardIa)
                .encryption(with_context.with_bucket_key(true).unwrap())
                .metadata(Metadata::new().with("owner", "me").unwrap())
                .checksum(checksum)
                .acl(CannedAcl::Private)
                .content_type("image/png")
                .header("Cache-Control", "no-cache"),
            // Written: a GET's headers after `host`.
            PresignRequest::get(&aws(), key()).range(0, 99).if_match("\"e\""),
            // Listed: a plain header sorting among the typed ones, set out of order.
            PresignRequest::put(&aws(), key())
                .header("x-amz-website-redirect-location", "/elsewhere")
                .storage_class(StorageClass::StandardIa)
                .encryption(kms)
                .content_type("image/png")
                .header("Cache-Control", "no-cache"),
            // Listed: a typed header (`content-md5`) sorting before a plain one.
            PresignRequest::put(&aws(), key()).content_md5(ContentMd5::of(b"body")).content_type("text/plain"),
            // Listed: a value SigV4 trims and folds.
            PresignRequest::put(&aws(), key()).header("x-custom", "a  b"),
        ];
        for request in cases {
            let signed = request.sign_at(&signer(), NOW).unwrap();
            let pairs: Vec<(&str, &str)> = signed.headers().iter().collect();
            assert!(pairs.windows(2).all(|pair| pair[0].0 < pair[1].0), "{pairs:?}");
            // The signer's checked path, given the same headers in reverse, signs the same URL.
            let reversed: Vec<(&str, &str)> = pairs.iter().rev().copied().collect();
            let bucket = aws();
            let method = request.method().as_str();
            let query: Vec<(&str, &str)> = request.query.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
            let alone = Request::new(method, bucket.host(), "/photos/cat.jpg").headers(&reversed).query(&query);
            let alone = signer().presign_at(&alone, bucket.signing_config(), crate::s3::DEFAULT_EXPIRY, NOW).unwrap();
            assert_eq!(signed.url(), format!("{}{}", bucket.origin(), alone.path_and_query()));
        }
    }

    #[cfg(feature = "http")]
    #[test]
    fn converts_to_an_http_request() {
        let put = PresignRequest::put(&aws(), key()).content_type("image/jpeg").sign_at(&signer(), NOW).unwrap();
        let request = put.to_http_request().unwrap();
        assert_eq!(request.method(), "PUT");
        assert_eq!(request.uri().to_string(), put.url());
        assert_eq!(request.headers()["content-type"], "image/jpeg");
    }
}
