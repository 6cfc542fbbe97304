//! Typed request options: user metadata, tagging, canned ACLs, checksums and `Content-MD5`.
//!
//! Each type checks its value when it is built and keeps its header value ready, so signing
//! only borrows `(name, value)` pairs. They must all be **signed as headers**; the client that
//! uses the URL sends them with exactly these values. Header names are lowercase, as SigV4
//! canonicalises them and as HTTP/2 requires.
//!
//! Provider support (s3-spec §12): Cloudflare R2 does not implement `x-amz-acl` or
//! `x-amz-tagging` on PutObject, CreateMultipartUpload or CopyObject; it does implement
//! `Content-MD5` and user metadata (up to 8,192 bytes there). Its checksums are restricted for
//! multipart uploads (CRC64NVME full-object only; the others composite only).

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use md5::{Digest as _, Md5};
use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::{Error, Result};
use crate::sigv4::encode_query_component;

fn option_error(option: &'static str, reason: impl Into<Cow<'static, str>>) -> Error {
    Error::InvalidOption { option, reason: reason.into() }
}

/// A JSON object of strings that refuses repeated keys, which serde's maps silently merge.
pub(crate) struct StrictMap(pub(crate) BTreeMap<String, String>);

impl<'de> Deserialize<'de> for StrictMap {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<StrictMap, D::Error> {
        deserializer.deserialize_map(StrictMapVisitor)
    }
}

struct StrictMapVisitor;

impl<'de> Visitor<'de> for StrictMapVisitor {
    type Value = StrictMap;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object whose values are strings")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> std::result::Result<StrictMap, A::Error> {
        let mut map = BTreeMap::new();
        while let Some((key, value)) = access.next_entry::<String, String>()? {
            // The key is not echoed: callers may hold values they do not want in logs.
            if map.insert(key, value).is_some() {
                return Err(de::Error::custom("an object repeats a key"));
            }
        }
        Ok(StrictMap(map))
    }
}

// ---------------------------------------------------------------------------------------------
// User metadata

const META_PREFIX: &str = "x-amz-meta-";

/// User-defined object metadata, sent as `x-amz-meta-<name>: <value>` headers.
///
/// - Names are given without the `x-amz-meta-` prefix and must be lowercase HTTP token
///   characters (`a-z 0-9 !#$%&'*+-.^_`|~`): S3 stores names in lowercase, so an uppercase
///   name would not read back as written.
/// - Values must be printable ASCII (space to `~`) without leading or trailing spaces. Headers
///   carry ASCII only (S3 user guide, "Working with object metadata": "must conform to
///   US-ASCII when using REST"), and HTTP strips surrounding spaces. Encode other text
///   yourself, e.g. as RFC 2047 (`=?UTF-8?B?…?=`) or percent-encoding.
/// - The names and values together are at most [`Metadata::MAX_SIZE`] bytes: "Within the PUT
///   request header, the user-defined metadata is limited to 2 KB in size. The size of
///   user-defined metadata is measured by taking the sum of the number of bytes in the UTF-8
///   encoding of each key and value" (same page; S3's `MetadataTooLarge` error reports
///   `MaxSizeAllowed` 2048). The page does not say whether the `x-amz-meta-` prefix counts;
///   this type counts the name without it, as the SDKs' metadata maps hold it.
///
/// [`Metadata::insert`] replaces an existing name like a map; [`Metadata::from_pairs`] and
/// serde (a JSON object of strings) refuse repeated names.
///
/// ```
/// use presign::s3::options::Metadata;
/// let meta = Metadata::new().with("owner", "team-a")?.with("source", "upload form")?;
/// let headers: Vec<_> = meta.headers().collect();
/// assert_eq!(headers, [("x-amz-meta-owner", "team-a"), ("x-amz-meta-source", "upload form")]);
/// assert!(Metadata::new().with("Owner", "x").is_err());
/// assert!(Metadata::new().with("title", "café").is_err());
/// # Ok::<(), presign::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Metadata {
    /// Full header name (`x-amz-meta-<name>`) to value.
    entries: BTreeMap<String, String>,
    size: usize,
}

impl Metadata {
    /// The most bytes of names and values S3 accepts: 2 KB.
    pub const MAX_SIZE: usize = 2048;

    /// No metadata.
    pub fn new() -> Metadata {
        Metadata::default()
    }

    /// Metadata from name/value pairs; refuses repeated names.
    pub fn from_pairs<K: AsRef<str>, V: AsRef<str>>(pairs: impl IntoIterator<Item = (K, V)>) -> Result<Metadata> {
        let mut meta = Metadata::new();
        for (name, value) in pairs {
            let name = name.as_ref();
            if meta.get(name).is_some() {
                return Err(option_error("metadata", format!("the name {name:?} is given twice")));
            }
            meta.insert(name, value.as_ref())?;
        }
        Ok(meta)
    }

    /// Sets `name` to `value`, replacing an earlier value of the same name.
    pub fn insert(&mut self, name: &str, value: &str) -> Result<()> {
        check_meta_name(name)?;
        check_meta_value(name, value)?;
        let header = format!("{META_PREFIX}{name}");
        let replaced = self.entries.get(&header).map_or(0, |old| name.len() + old.len());
        let size = self.size - replaced + name.len() + value.len();
        if size > Metadata::MAX_SIZE {
            let reason = format!("names and values would total {size} bytes; S3 allows {}", Metadata::MAX_SIZE);
            return Err(option_error("metadata", reason));
        }
        self.entries.insert(header, value.to_owned());
        self.size = size;
        Ok(())
    }

    /// [`Metadata::insert`] for chaining.
    pub fn with(mut self, name: &str, value: &str) -> Result<Metadata> {
        self.insert(name, value)?;
        Ok(self)
    }

    /// The value of `name` (without the prefix).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.iter().find(|(n, _)| *n == name).map(|(_, v)| v)
    }

    /// The `(name, value)` pairs without the prefix, sorted by name.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.entries.iter().map(|(header, value)| (&header[META_PREFIX.len()..], value.as_str()))
    }

    /// How many entries there are.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Bytes counted against [`Metadata::MAX_SIZE`].
    pub fn size(&self) -> usize {
        self.size
    }

    /// The `x-amz-meta-*` headers to sign, sorted by name.
    pub fn headers(&self) -> impl Iterator<Item = (&str, &str)> {
        self.entries.iter().map(|(header, value)| (header.as_str(), value.as_str()))
    }
}

fn check_meta_name(name: &str) -> Result<()> {
    if name.is_empty() {
        return Err(option_error("metadata", "a name is empty"));
    }
    if name.starts_with(META_PREFIX) {
        return Err(option_error("metadata", format!("give the name {name:?} without the {META_PREFIX} prefix")));
    }
    let token = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit() || b"!#$%&'*+-.^_`|~".contains(&b);
    if !name.bytes().all(token) {
        let reason = format!(
            "the name {name:?} must be lowercase letters, digits or !#$%&'*+-.^_`|~ (S3 stores names lowercased)"
        );
        return Err(option_error("metadata", reason));
    }
    Ok(())
}

fn check_meta_value(name: &str, value: &str) -> Result<()> {
    let problem = if !value.is_ascii() {
        "is not ASCII, which S3 metadata headers cannot carry; encode it first (RFC 2047 \
         =?UTF-8?B?…?= or percent-encoding)"
    } else if value.bytes().any(|b| b.is_ascii_control()) {
        "contains control characters (tab, newline…), which a header cannot carry"
    } else if value.starts_with(' ') || value.ends_with(' ') {
        "starts or ends with a space, which HTTP strips"
    } else {
        return Ok(());
    };
    Err(option_error("metadata", format!("the value of {name:?} {problem}")))
}

impl Serialize for Metadata {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        serializer.collect_map(self.iter())
    }
}

impl<'de> Deserialize<'de> for Metadata {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Metadata, D::Error> {
        let StrictMap(map) = StrictMap::deserialize(deserializer)?;
        Metadata::from_pairs(map).map_err(de::Error::custom)
    }
}

// ---------------------------------------------------------------------------------------------
// Tagging

/// Object tags, sent as `x-amz-tagging: k1=v1&k2=v2` (each key and value percent-encoded
/// with SigV4's `UriEncode`, space as `%20`).
///
/// Limits from the S3 user guide, "Categorizing your storage using tags": "You can associate
/// up to 10 tags with an object. Tags that are associated with an object must have unique tag
/// keys. A tag key can be up to 128 Unicode characters in length, and tag values can be up to
/// 256 Unicode characters in length. Amazon S3 object tags are internally represented in
/// UTF-16", so lengths are counted in UTF-16 units. Keys are non-empty and may not start with
/// the reserved `aws:` prefix; values may be empty. Characters are limited to S3's tag pattern
/// `[\p{L}\p{Z}\p{N}_.:/=+\-@]` (S3 API reference, `Tag`), checked here as Unicode letters
/// and digits, space separators and `_.:/=+-@`; S3 refuses others (a `,` for instance) with
/// `InvalidTag`.
///
/// [`Tagging::insert`] replaces an existing key like a map; [`Tagging::from_pairs`] and serde
/// (a JSON object of strings) refuse repeated keys.
///
/// ```
/// use presign::s3::options::Tagging;
/// let tags = Tagging::new().with("project", "x y")?.with("path", "a/b")?;
/// assert_eq!(tags.header(), Some(("x-amz-tagging", "path=a%2Fb&project=x%20y")));
/// assert!(Tagging::new().with("aws:owner", "me").is_err());
/// # Ok::<(), presign::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tagging {
    tags: BTreeMap<String, String>,
    header: String,
}

impl Tagging {
    /// The most tags an object can have.
    pub const MAX_TAGS: usize = 10;
    /// The longest key, in UTF-16 units.
    pub const MAX_KEY_LEN: usize = 128;
    /// The longest value, in UTF-16 units.
    pub const MAX_VALUE_LEN: usize = 256;

    /// No tags.
    pub fn new() -> Tagging {
        Tagging::default()
    }

    /// Tags from key/value pairs; refuses repeated keys.
    pub fn from_pairs<K: AsRef<str>, V: AsRef<str>>(pairs: impl IntoIterator<Item = (K, V)>) -> Result<Tagging> {
        let mut tagging = Tagging::new();
        for (key, value) in pairs {
            let key = key.as_ref();
            if tagging.get(key).is_some() {
                return Err(option_error("tagging", format!("the key {key:?} is given twice")));
            }
            tagging.insert(key, value.as_ref())?;
        }
        Ok(tagging)
    }

    /// Sets tag `key` to `value`, replacing an earlier value of the same key.
    pub fn insert(&mut self, key: &str, value: &str) -> Result<()> {
        check_tag_key(key)?;
        check_tag_text("value", value, Tagging::MAX_VALUE_LEN)?;
        if !self.tags.contains_key(key) && self.tags.len() == Tagging::MAX_TAGS {
            return Err(option_error("tagging", "an object can have at most 10 tags"));
        }
        self.tags.insert(key.to_owned(), value.to_owned());
        self.header = encode_tags(&self.tags);
        Ok(())
    }

    /// [`Tagging::insert`] for chaining.
    pub fn with(mut self, key: &str, value: &str) -> Result<Tagging> {
        self.insert(key, value)?;
        Ok(self)
    }

    /// The value of tag `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.tags.get(key).map(String::as_str)
    }

    /// The `(key, value)` pairs, sorted by key.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.tags.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// How many tags there are.
    pub fn len(&self) -> usize {
        self.tags.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.tags.is_empty()
    }

    /// The `x-amz-tagging` header, or `None` without tags.
    pub fn header(&self) -> Option<(&'static str, &str)> {
        (!self.tags.is_empty()).then_some(("x-amz-tagging", self.header.as_str()))
    }

    /// [`Tagging::header`] as an iterator of the headers to sign.
    pub fn headers(&self) -> impl Iterator<Item = (&'static str, &str)> {
        self.header().into_iter()
    }
}

fn check_tag_key(key: &str) -> Result<()> {
    if key.is_empty() {
        return Err(option_error("tagging", "a tag key is empty"));
    }
    if key.get(..4).is_some_and(|prefix| prefix.eq_ignore_ascii_case("aws:")) {
        return Err(option_error("tagging", format!("the tag key {key:?} uses the reserved aws: prefix")));
    }
    check_tag_text("key", key, Tagging::MAX_KEY_LEN)
}

fn check_tag_text(what: &str, text: &str, max: usize) -> Result<()> {
    let units = text.encode_utf16().count();
    if units > max {
        return Err(option_error("tagging", format!("a tag {what} is {units} UTF-16 units long; S3 allows {max}")));
    }
    // \p{Z} is exactly the non-control white space characters.
    let allowed = |c: char| c.is_alphanumeric() || (c.is_whitespace() && !c.is_control()) || "_.:/=+-@".contains(c);
    if let Some(bad) = text.chars().find(|c| !allowed(*c)) {
        let reason = format!("a tag {what} contains {bad:?}; S3 allows letters, digits, spaces and _.:/=+-@");
        return Err(option_error("tagging", reason));
    }
    Ok(())
}

fn encode_tags(tags: &BTreeMap<String, String>) -> String {
    let mut out = String::new();
    for (key, value) in tags {
        if !out.is_empty() {
            out.push('&');
        }
        encode_query_component(&mut out, key);
        out.push('=');
        encode_query_component(&mut out, value);
    }
    out
}

impl Serialize for Tagging {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        self.tags.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Tagging {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Tagging, D::Error> {
        let StrictMap(map) = StrictMap::deserialize(deserializer)?;
        Tagging::from_pairs(map).map_err(de::Error::custom)
    }
}

// ---------------------------------------------------------------------------------------------
// Enums written as S3 writes them

/// `FromStr`, `TryFrom<String>`, `Display` and `Serialize` for an enum with `ALL` and
/// `as_str`, written exactly as S3 writes the values.
macro_rules! s3_names {
    ($type:ty, $option:literal) => {
        impl FromStr for $type {
            type Err = Error;

            /// Parses the S3 value exactly (case-sensitive).
            fn from_str(value: &str) -> Result<$type> {
                <$type>::ALL.iter().copied().find(|v| v.as_str() == value).ok_or_else(|| {
                    let valid = <$type>::ALL.iter().map(|v| v.as_str()).collect::<Vec<_>>().join(", ");
                    option_error($option, format!("{value:?} is not one of {valid}"))
                })
            }
        }

        impl TryFrom<String> for $type {
            type Error = Error;

            fn try_from(value: String) -> Result<$type> {
                value.parse()
            }
        }

        impl fmt::Display for $type {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl Serialize for $type {
            fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }
    };
}

/// A canned ACL (`x-amz-acl`), written as S3 writes it (`public-read`).
///
/// The seven values of the S3 service model's `ObjectCannedACL` (s3-spec §7). Buckets whose
/// Object Ownership is "bucket owner enforced" (ACLs disabled) "only accept PUT requests that
/// don't specify an ACL or PUT requests that specify bucket owner full control ACLs"
/// (PutObject reference).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(try_from = "String")]
#[non_exhaustive]
pub enum CannedAcl {
    /// `private`: only the owner has access.
    Private,
    /// `public-read`: anyone may read.
    PublicRead,
    /// `public-read-write`: anyone may read and write.
    PublicReadWrite,
    /// `authenticated-read`: any authenticated AWS user may read.
    AuthenticatedRead,
    /// `aws-exec-read`: EC2 may read AMI bundles.
    AwsExecRead,
    /// `bucket-owner-read`: the bucket owner may read.
    BucketOwnerRead,
    /// `bucket-owner-full-control`: the bucket owner has full control.
    BucketOwnerFullControl,
}

impl CannedAcl {
    /// Every canned ACL, in the service model's order.
    pub const ALL: &'static [CannedAcl] = &[
        CannedAcl::Private,
        CannedAcl::PublicRead,
        CannedAcl::PublicReadWrite,
        CannedAcl::AuthenticatedRead,
        CannedAcl::AwsExecRead,
        CannedAcl::BucketOwnerRead,
        CannedAcl::BucketOwnerFullControl,
    ];

    /// The S3 value.
    pub const fn as_str(self) -> &'static str {
        match self {
            CannedAcl::Private => "private",
            CannedAcl::PublicRead => "public-read",
            CannedAcl::PublicReadWrite => "public-read-write",
            CannedAcl::AuthenticatedRead => "authenticated-read",
            CannedAcl::AwsExecRead => "aws-exec-read",
            CannedAcl::BucketOwnerRead => "bucket-owner-read",
            CannedAcl::BucketOwnerFullControl => "bucket-owner-full-control",
        }
    }

    /// The `x-amz-acl` header to sign.
    pub const fn header(self) -> (&'static str, &'static str) {
        ("x-amz-acl", self.as_str())
    }
}

s3_names!(CannedAcl, "canned ACL");

/// A checksum algorithm S3 verifies uploads with.
///
/// The five of the PutObject reference (`CRC32`, `CRC32C`, `CRC64NVME`, `SHA1`, `SHA256`).
/// The latest service model lists more (s3-spec §7); they are not offered yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(try_from = "String")]
#[non_exhaustive]
pub enum ChecksumAlgorithm {
    /// CRC-32 (4 bytes).
    Crc32,
    /// CRC-32C, Castagnoli (4 bytes).
    Crc32c,
    /// CRC-64/NVME (8 bytes).
    Crc64Nvme,
    /// SHA-1 (20 bytes).
    Sha1,
    /// SHA-256 (32 bytes).
    Sha256,
}

impl ChecksumAlgorithm {
    /// Every algorithm offered.
    pub const ALL: &'static [ChecksumAlgorithm] = &[
        ChecksumAlgorithm::Crc32,
        ChecksumAlgorithm::Crc32c,
        ChecksumAlgorithm::Crc64Nvme,
        ChecksumAlgorithm::Sha1,
        ChecksumAlgorithm::Sha256,
    ];

    /// The S3 value (`CRC64NVME`).
    pub const fn as_str(self) -> &'static str {
        match self {
            ChecksumAlgorithm::Crc32 => "CRC32",
            ChecksumAlgorithm::Crc32c => "CRC32C",
            ChecksumAlgorithm::Crc64Nvme => "CRC64NVME",
            ChecksumAlgorithm::Sha1 => "SHA1",
            ChecksumAlgorithm::Sha256 => "SHA256",
        }
    }

    /// The header that carries a digest of this algorithm (`x-amz-checksum-crc64nvme`).
    pub const fn header_name(self) -> &'static str {
        match self {
            ChecksumAlgorithm::Crc32 => "x-amz-checksum-crc32",
            ChecksumAlgorithm::Crc32c => "x-amz-checksum-crc32c",
            ChecksumAlgorithm::Crc64Nvme => "x-amz-checksum-crc64nvme",
            ChecksumAlgorithm::Sha1 => "x-amz-checksum-sha1",
            ChecksumAlgorithm::Sha256 => "x-amz-checksum-sha256",
        }
    }

    /// The digest's length in bytes (before base64).
    pub const fn digest_len(self) -> usize {
        match self {
            ChecksumAlgorithm::Crc32 | ChecksumAlgorithm::Crc32c => 4,
            ChecksumAlgorithm::Crc64Nvme => 8,
            ChecksumAlgorithm::Sha1 => 20,
            ChecksumAlgorithm::Sha256 => 32,
        }
    }

    /// The `x-amz-checksum-algorithm` header of CreateMultipartUpload, which makes every part
    /// carry a checksum of this algorithm.
    pub const fn header(self) -> (&'static str, &'static str) {
        ("x-amz-checksum-algorithm", self.as_str())
    }
}

s3_names!(ChecksumAlgorithm, "checksum algorithm");

// ---------------------------------------------------------------------------------------------
// Digests

/// Decodes strict standard base64 (with padding) of exactly `len` bytes.
fn decode_digest(option: &'static str, encoded: &str, len: usize) -> Result<Vec<u8>> {
    let bytes = BASE64
        .decode(encoded)
        .map_err(|_| option_error(option, "not valid base64 (standard alphabet, with padding)"))?;
    if bytes.len() != len {
        return Err(option_error(option, format!("decodes to {} bytes, expected {len}", bytes.len())));
    }
    Ok(bytes)
}

/// A checksum of the body the client will upload, sent as `x-amz-checksum-<algorithm>`.
///
/// There is no body when a URL is presigned, so the caller always supplies the digest
/// (base64 of the big-endian CRC or of the hash). The signed header then makes S3 refuse any
/// other body with `BadDigest`. Nothing here is added unless asked for: SDKs that signed a
/// default CRC32 of the *empty* body into presigned PUTs broke every upload (seaweedfs#10216,
/// usekaneo/kaneo#1196). `x-amz-sdk-checksum-algorithm` is not sent: "This header will not
/// provide any additional functionality if you don't use the SDK", and "If you provide an
/// individual checksum, Amazon S3 ignores any provided ChecksumAlgorithm parameter"
/// (PutObject/UploadPart reference).
///
/// ```
/// use presign::s3::options::{Checksum, ChecksumAlgorithm};
/// // CRC32 of "hello world" (0x0d4a1185), base64.
/// let crc = Checksum::new(ChecksumAlgorithm::Crc32, "DUoRhQ==")?;
/// assert_eq!(crc.header(), ("x-amz-checksum-crc32", "DUoRhQ=="));
/// assert!(Checksum::new(ChecksumAlgorithm::Sha256, "DUoRhQ==").is_err());
/// # Ok::<(), presign::Error>(())
/// ```
///
/// Serde form: `{"algorithm":"CRC32","value":"DUoRhQ=="}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Checksum {
    algorithm: ChecksumAlgorithm,
    value: String,
}

impl Checksum {
    /// Checks that `base64` decodes to a digest of the algorithm's length.
    pub fn new(algorithm: ChecksumAlgorithm, base64: &str) -> Result<Checksum> {
        decode_digest("checksum", base64, algorithm.digest_len())?;
        Ok(Checksum { algorithm, value: base64.to_owned() })
    }

    /// Encodes a raw digest (big-endian for CRCs) after checking its length.
    pub fn from_digest(algorithm: ChecksumAlgorithm, digest: &[u8]) -> Result<Checksum> {
        if digest.len() != algorithm.digest_len() {
            let reason = format!("a {algorithm} digest is {} bytes, not {}", algorithm.digest_len(), digest.len());
            return Err(option_error("checksum", reason));
        }
        Ok(Checksum { algorithm, value: BASE64.encode(digest) })
    }

    /// The algorithm.
    pub fn algorithm(&self) -> ChecksumAlgorithm {
        self.algorithm
    }

    /// The base64 digest.
    pub fn value(&self) -> &str {
        &self.value
    }

    /// The `x-amz-checksum-<algorithm>` header to sign.
    pub fn header(&self) -> (&'static str, &str) {
        (self.algorithm.header_name(), &self.value)
    }
}

impl<'de> Deserialize<'de> for Checksum {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Checksum, D::Error> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Repr {
            algorithm: ChecksumAlgorithm,
            value: String,
        }
        let repr = Repr::deserialize(deserializer)?;
        Checksum::new(repr.algorithm, &repr.value).map_err(de::Error::custom)
    }
}

/// The base64 MD5 of the body, sent as `content-md5`; S3 refuses any other body with
/// `BadDigest`.
///
/// ```
/// use presign::s3::options::ContentMd5;
/// let md5 = ContentMd5::of(b"hello world");
/// assert_eq!(md5.header(), ("content-md5", "XrY7u+Ae7tCTyyK7j1rNww=="));
/// assert_eq!(ContentMd5::from_base64("XrY7u+Ae7tCTyyK7j1rNww==")?, md5);
/// # Ok::<(), presign::Error>(())
/// ```
///
/// Serde form: the base64 string.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ContentMd5(String);

impl ContentMd5 {
    /// The MD5 of `body`.
    pub fn of(body: &[u8]) -> ContentMd5 {
        ContentMd5::from_digest(Md5::digest(body).into())
    }

    /// Wraps a raw 16-byte MD5 digest.
    pub fn from_digest(digest: [u8; 16]) -> ContentMd5 {
        ContentMd5(BASE64.encode(digest))
    }

    /// Checks that `base64` decodes to 16 bytes.
    pub fn from_base64(base64: &str) -> Result<ContentMd5> {
        decode_digest("content-md5", base64, 16)?;
        Ok(ContentMd5(base64.to_owned()))
    }

    /// The base64 digest.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The `content-md5` header to sign.
    pub fn header(&self) -> (&'static str, &str) {
        ("content-md5", &self.0)
    }
}

impl TryFrom<String> for ContentMd5 {
    type Error = Error;

    fn try_from(value: String) -> Result<ContentMd5> {
        ContentMd5::from_base64(&value)
    }
}

impl From<ContentMd5> for String {
    fn from(md5: ContentMd5) -> String {
        md5.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_option_error(result: Result<impl fmt::Debug>, option: &str) -> String {
        match result {
            Err(Error::InvalidOption { option: got, reason }) => {
                assert_eq!(got, option);
                reason.into_owned()
            }
            other => panic!("expected InvalidOption {option}, got {other:?}"),
        }
    }

    #[test]
    fn metadata_headers_carry_the_prefix() {
        let meta = Metadata::from_pairs([("b-name", "two words"), ("a", ""), ("x_y.z~1", "!~")]).unwrap();
        let headers: Vec<_> = meta.headers().collect();
        assert_eq!(headers, [("x-amz-meta-a", ""), ("x-amz-meta-b-name", "two words"), ("x-amz-meta-x_y.z~1", "!~")]);
        assert_eq!(meta.get("b-name"), Some("two words"));
        assert_eq!(meta.size(), "b-name".len() + "two words".len() + 1 + "x_y.z~1".len() + 2);
    }

    #[test]
    fn metadata_refuses_bad_names_and_values() {
        for name in ["", "Owner", "with space", "ü", "a:b", "x-amz-meta-owner", "a\nb"] {
            assert_option_error(Metadata::new().with(name, "v"), "metadata");
        }
        let reason = assert_option_error(Metadata::new().with("title", "Ünïcode"), "metadata");
        assert!(reason.contains("RFC 2047") && reason.contains("percent-encoding"), "{reason}");
        for value in ["a\tb", "line\r\nx-injected: 1", " lead", "trail ", "\u{7f}"] {
            assert_option_error(Metadata::new().with("k", value), "metadata");
        }
        assert_option_error(Metadata::from_pairs([("k", "1"), ("k", "2")]), "metadata");
    }

    #[test]
    fn metadata_size_is_capped_at_2048_bytes_of_names_and_values() {
        let full = Metadata::new().with("k", &"v".repeat(2047)).unwrap();
        assert_eq!(full.size(), 2048);
        let reason = assert_option_error(full.clone().with("j", ""), "metadata");
        assert!(reason.contains("2049"), "{reason}");
        assert_option_error(Metadata::new().with("k", &"v".repeat(2048)), "metadata");
        // Replacing a value frees its old size first.
        let replaced = full.with("k", "short").unwrap();
        assert_eq!((replaced.size(), replaced.len()), (6, 1));
    }

    #[test]
    fn metadata_serde_is_a_map_of_names() {
        let meta = Metadata::new().with("owner", "a").unwrap();
        assert_eq!(serde_json::to_string(&meta).unwrap(), r#"{"owner":"a"}"#);
        assert_eq!(serde_json::from_str::<Metadata>(r#"{"owner":"a"}"#).unwrap(), meta);
        for bad in [r#"{"Owner":"a"}"#, r#"{"a":"1","a":"2"}"#, r#"{"a":1}"#] {
            assert!(serde_json::from_str::<Metadata>(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn tagging_is_uri_encoded_like_urlencode_with_quote() {
        // Expected from python3: '&'.join(quote(k, safe='') + '=' + quote(v, safe='')) over the
        // pairs sorted by key.
        let tags = Tagging::from_pairs([("Project", "x y"), ("path", "a/b+c=d"), ("ünï", "@:._-")]).unwrap();
        assert_eq!(tags.header(), Some(("x-amz-tagging", "Project=x%20y&path=a%2Fb%2Bc%3Dd&%C3%BCn%C3%AF=%40%3A._-")));
        assert_eq!(tags.headers().count(), 1);
        assert_eq!(Tagging::new().header(), None);
        assert_eq!(Tagging::new().headers().count(), 0);
    }

    #[test]
    fn tagging_limits_follow_the_user_guide() {
        let ten = Tagging::from_pairs((0..10).map(|i| (format!("k{i}"), String::new()))).unwrap();
        assert_option_error(ten.clone().with("k10", "v"), "tagging");
        assert_eq!(ten.with("k3", "replaced").unwrap().get("k3"), Some("replaced"));
        // 128 UTF-16 units: an astral character counts twice.
        assert!(Tagging::new().with(&"k".repeat(128), "").is_ok());
        assert_option_error(Tagging::new().with(&"k".repeat(129), ""), "tagging");
        assert_option_error(Tagging::new().with(&format!("{}𝔸", "k".repeat(127)), ""), "tagging");
        assert!(Tagging::new().with("k", &"v".repeat(256)).is_ok());
        assert_option_error(Tagging::new().with("k", &"v".repeat(257)), "tagging");
    }

    #[test]
    fn tagging_refuses_reserved_keys_and_characters() {
        for (key, value) in [("", "v"), ("aws:x", "v"), ("AWS:x", "v"), ("a,b", "v"), ("k", "a,b"), ("k", "a\nb")] {
            assert_option_error(Tagging::new().with(key, value), "tagging");
        }
        assert!(Tagging::new().with("awsome", "ok").is_ok());
        assert!(Tagging::new().with("名前", "値 1\u{a0}2").is_ok());
        assert_option_error(Tagging::from_pairs([("a", "1"), ("a", "2")]), "tagging");
        let tags = Tagging::new().with("b", "2").unwrap().with("a", "1").unwrap();
        assert_eq!(serde_json::to_string(&tags).unwrap(), r#"{"a":"1","b":"2"}"#);
        assert_eq!(serde_json::from_str::<Tagging>(r#"{"b":"2","a":"1"}"#).unwrap(), tags);
        assert!(serde_json::from_str::<Tagging>(r#"{"aws:k":"1"}"#).is_err());
    }

    /// s3-spec §7: the service model's canned ACLs, in its order.
    const SPEC_ACLS: [&str; 7] = [
        "private",
        "public-read",
        "public-read-write",
        "authenticated-read",
        "aws-exec-read",
        "bucket-owner-read",
        "bucket-owner-full-control",
    ];

    #[test]
    fn canned_acls_round_trip_as_s3_names() {
        let names: Vec<_> = CannedAcl::ALL.iter().map(|acl| acl.as_str()).collect();
        assert_eq!(names, SPEC_ACLS);
        for acl in CannedAcl::ALL {
            assert_eq!(acl.as_str().parse::<CannedAcl>().unwrap(), *acl);
            assert_eq!(acl.to_string(), acl.as_str());
            assert_eq!(acl.header(), ("x-amz-acl", acl.as_str()));
            let json = serde_json::to_string(acl).unwrap();
            assert_eq!(serde_json::from_str::<CannedAcl>(&json).unwrap(), *acl);
        }
        let reason = assert_option_error("Public-Read".parse::<CannedAcl>(), "canned ACL");
        assert!(SPEC_ACLS.iter().all(|acl| reason.contains(acl)), "{reason}");
        assert!(serde_json::from_str::<CannedAcl>(r#""public""#).is_err());
    }

    #[test]
    fn checksum_algorithms_name_their_headers() {
        let expected = [
            ("CRC32", "x-amz-checksum-crc32", 4),
            ("CRC32C", "x-amz-checksum-crc32c", 4),
            ("CRC64NVME", "x-amz-checksum-crc64nvme", 8),
            ("SHA1", "x-amz-checksum-sha1", 20),
            ("SHA256", "x-amz-checksum-sha256", 32),
        ];
        let got: Vec<_> =
            ChecksumAlgorithm::ALL.iter().map(|a| (a.as_str(), a.header_name(), a.digest_len())).collect();
        assert_eq!(got, expected);
        for algorithm in ChecksumAlgorithm::ALL {
            assert_eq!(algorithm.as_str().parse::<ChecksumAlgorithm>().unwrap(), *algorithm);
            assert_eq!(serde_json::to_string(algorithm).unwrap(), format!("\"{algorithm}\""));
        }
        assert_eq!(ChecksumAlgorithm::Crc32c.header(), ("x-amz-checksum-algorithm", "CRC32C"));
        assert_option_error("crc32".parse::<ChecksumAlgorithm>(), "checksum algorithm");
    }

    #[test]
    fn checksums_are_checked_for_the_digest_length() {
        // Digests of "hello world" from python3 (zlib.crc32 packed big-endian, hashlib) and
        // arbitrary 4/8-byte values for CRC32C/CRC64NVME, whose length is all that is checked.
        let valid = [
            (ChecksumAlgorithm::Crc32, "DUoRhQ=="),
            (ChecksumAlgorithm::Crc32c, "yZRlqg=="),
            (ChecksumAlgorithm::Crc64Nvme, "AAAAAAAAAAA="),
            (ChecksumAlgorithm::Sha1, "Kq5sNclPz7QV2+lfQIuc6R7oRu0="),
            (ChecksumAlgorithm::Sha256, "uU0nuZNNPgilLlLX2n2r+sSE7+N6U4DukIj3rOLvzek="),
        ];
        for (algorithm, value) in valid {
            let checksum = Checksum::new(algorithm, value).unwrap();
            assert_eq!(checksum.header(), (algorithm.header_name(), value));
            let digest = BASE64.decode(value).unwrap();
            assert_eq!(Checksum::from_digest(algorithm, &digest).unwrap(), checksum);
            for other in ChecksumAlgorithm::ALL.iter().filter(|a| a.digest_len() != algorithm.digest_len()) {
                assert_option_error(Checksum::new(*other, value), "checksum");
                assert_option_error(Checksum::from_digest(*other, &digest), "checksum");
            }
        }
        for bad in ["", "DUoRhQ", "DUoRhQ==\n", "DUoR hQ==", "DUoRhR=="] {
            assert_option_error(Checksum::new(ChecksumAlgorithm::Crc32, bad), "checksum");
        }
    }

    #[test]
    fn checksum_serde_has_algorithm_and_value() {
        let checksum = Checksum::new(ChecksumAlgorithm::Crc32, "DUoRhQ==").unwrap();
        let json = r#"{"algorithm":"CRC32","value":"DUoRhQ=="}"#;
        assert_eq!(serde_json::to_string(&checksum).unwrap(), json);
        assert_eq!(serde_json::from_str::<Checksum>(json).unwrap(), checksum);
        assert!(serde_json::from_str::<Checksum>(r#"{"algorithm":"SHA1","value":"DUoRhQ=="}"#).is_err());
        assert!(serde_json::from_str::<Checksum>(r#"{"algorithm":"CRC32","value":"DUoRhQ==","x":1}"#).is_err());
    }

    #[test]
    fn content_md5_matches_an_independent_md5() {
        // `printf 'hello world' | openssl md5 -binary | base64` and python3 hashlib agree.
        let md5 = ContentMd5::of(b"hello world");
        assert_eq!(md5.as_str(), "XrY7u+Ae7tCTyyK7j1rNww==");
        assert_eq!(md5.header(), ("content-md5", "XrY7u+Ae7tCTyyK7j1rNww=="));
        // MD5 of the empty body, RFC 1321 test suite: d41d8cd98f00b204e9800998ecf8427e.
        let empty: [u8; 16] = hex::decode("d41d8cd98f00b204e9800998ecf8427e").unwrap().try_into().unwrap();
        assert_eq!(ContentMd5::of(b""), ContentMd5::from_digest(empty));
        assert_eq!(serde_json::to_string(&md5).unwrap(), r#""XrY7u+Ae7tCTyyK7j1rNww==""#);
        assert_eq!(serde_json::from_str::<ContentMd5>(r#""XrY7u+Ae7tCTyyK7j1rNww==""#).unwrap(), md5);
        for bad in ["", "XrY7u+Ae7tCTyyK7j1rN", "DUoRhQ==", "XrY7u-Ae7tCTyyK7j1rNww=="] {
            assert_option_error(ContentMd5::from_base64(bad), "content-md5");
        }
        assert!(serde_json::from_str::<ContentMd5>(r#""DUoRhQ==""#).is_err());
    }
}
