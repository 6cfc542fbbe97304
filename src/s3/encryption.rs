//! Server-side encryption settings and the headers that ask S3 for them.
//!
//! Every header produced here must be **signed as a header**, never hoisted into the query:
//! S3 rejects a presigned PUT whose `x-amz-server-side-encryption*` values were not signed as
//! headers, and a KMS encryption context moved into the query is silently ignored (s3-spec
//! §2.2; aws-sdk-js-v3#1576, aws-sdk-go#4949, aws-sdk-ruby#874). The client that uses the URL
//! must send these headers with exactly these values.
//!
//! All header values (base64 of the SSE-C key and of its MD5, base64 of the KMS context JSON)
//! are computed once, when the value is built, so signing only borrows them. Header names are
//! lowercase, as SigV4 canonicalises them and as HTTP/2 requires.
//!
//! Provider support (s3-spec §12): Cloudflare R2 does not implement SSE-S3 or SSE-KMS headers
//! on PutObject, CreateMultipartUpload or CopyObject; it does implement all three SSE-C
//! headers, on reads too.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use md5::{Digest as _, Md5};
use serde::{Deserialize, Deserializer, Serialize, Serializer, de, ser};

use super::options::StrictMap;
use crate::error::{Error, Result};
use crate::sigv4::HeaderSink;

const SSE: &str = "x-amz-server-side-encryption";
const KMS_KEY_ID: &str = "x-amz-server-side-encryption-aws-kms-key-id";
const KMS_CONTEXT: &str = "x-amz-server-side-encryption-context";
const BUCKET_KEY: &str = "x-amz-server-side-encryption-bucket-key-enabled";
const CUSTOMER_HEADERS: [&str; 3] = [
    "x-amz-server-side-encryption-customer-algorithm",
    "x-amz-server-side-encryption-customer-key",
    "x-amz-server-side-encryption-customer-key-md5",
];
const COPY_SOURCE_CUSTOMER_HEADERS: [&str; 3] = [
    "x-amz-copy-source-server-side-encryption-customer-algorithm",
    "x-amz-copy-source-server-side-encryption-customer-key",
    "x-amz-copy-source-server-side-encryption-customer-key-md5",
];

/// The longest KMS key id, ARN or alias KMS accepts (its `KeyId` length constraint).
const MAX_KMS_KEY_ID: usize = 2048;

/// How S3 should encrypt an object at rest.
///
/// [`Encryption::headers`] gives the headers for requests that create an object (PutObject,
/// CreateMultipartUpload, CopyObject's destination); [`Encryption::access_headers`] the ones
/// every later request on the object needs (only SSE-C has any).
///
/// ```
/// use presign::s3::encryption::{Encryption, KmsContext};
/// let context = KmsContext::from_json(r#"{"project":"apollo"}"#)?;
/// let sse = Encryption::kms("alias/uploads")?.with_context(context)?.with_bucket_key(true)?;
/// let headers: Vec<_> = sse.headers().collect();
/// assert_eq!(headers[0], ("x-amz-server-side-encryption", "aws:kms"));
/// assert_eq!(headers[1], ("x-amz-server-side-encryption-aws-kms-key-id", "alias/uploads"));
/// assert_eq!(headers[2], ("x-amz-server-side-encryption-bucket-key-enabled", "true"));
/// assert_eq!(headers[3].0, "x-amz-server-side-encryption-context");
/// # Ok::<(), presign::Error>(())
/// ```
///
/// Serde writes the non-secret variants with S3's algorithm names, e.g.
/// `{"algorithm":"aws:kms","keyId":"alias/uploads","bucketKeyEnabled":true}`. SSE-C is never
/// serialized (serializing it is an error) and cannot be deserialized: its key is a secret
/// that has no place in configuration files or logs; build it with [`CustomerKey`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Encryption {
    /// SSE-S3: keys managed by S3 (`x-amz-server-side-encryption: AES256`).
    SseS3,
    /// SSE-KMS (`aws:kms`).
    SseKms {
        /// The KMS key; `None` uses the bucket's default (the AWS managed key `aws/s3`).
        key_id: Option<KmsKeyId>,
        /// Extra encryption context, sent base64-encoded.
        context: Option<KmsContext>,
        /// Whether to use an S3 Bucket Key; `None` keeps the bucket's setting.
        bucket_key: Option<bool>,
    },
    /// Dual-layer SSE-KMS (`aws:kms:dsse`). S3 Bucket Keys do not apply to it.
    DsseKms {
        /// The KMS key; `None` uses the AWS managed key.
        key_id: Option<KmsKeyId>,
        /// Extra encryption context, sent base64-encoded.
        context: Option<KmsContext>,
    },
    /// SSE-C: the client supplies the AES-256 key with every request.
    ///
    /// A presigned URL for an SSE-C object is **not a shareable link**: whoever uses it must
    /// send all three SSE-C headers, key included (S3 user guide, "Using SSE-C with presigned
    /// URLs"; aws-sdk-js-v3#6978, boto3#1365). S3 disables SSE-C by default on new general
    /// purpose buckets (s3-spec §2.2).
    SseC(CustomerKey),
}

impl Encryption {
    /// SSE-KMS with the given key (id, ARN, alias name or alias ARN).
    pub fn kms(key_id: &str) -> Result<Encryption> {
        Ok(Encryption::SseKms { key_id: Some(KmsKeyId::new(key_id)?), context: None, bucket_key: None })
    }

    /// SSE-KMS with the bucket's default KMS key.
    pub fn kms_default() -> Encryption {
        Encryption::SseKms { key_id: None, context: None, bucket_key: None }
    }

    /// Dual-layer SSE-KMS with the given key.
    pub fn dsse(key_id: &str) -> Result<Encryption> {
        Ok(Encryption::DsseKms { key_id: Some(KmsKeyId::new(key_id)?), context: None })
    }

    /// Dual-layer SSE-KMS with the AWS managed key.
    pub fn dsse_default() -> Encryption {
        Encryption::DsseKms { key_id: None, context: None }
    }

    /// Sets the KMS encryption context; an error for SSE-S3 and SSE-C, which have none.
    pub fn with_context(mut self, new: KmsContext) -> Result<Encryption> {
        match &mut self {
            Encryption::SseKms { context, .. } | Encryption::DsseKms { context, .. } => *context = Some(new),
            _ => return Err(invalid("an encryption context applies only to SSE-KMS and DSSE-KMS")),
        }
        Ok(self)
    }

    /// Turns the S3 Bucket Key on or off; an error for anything but SSE-KMS.
    pub fn with_bucket_key(mut self, enabled: bool) -> Result<Encryption> {
        match &mut self {
            Encryption::SseKms { bucket_key, .. } => *bucket_key = Some(enabled),
            _ => return Err(invalid("S3 Bucket Keys apply only to SSE-KMS (aws:kms)")),
        }
        Ok(self)
    }

    /// The headers that ask for this encryption when an object is created, to be signed as
    /// headers, in name order.
    pub fn headers(&self) -> impl Iterator<Item = (&'static str, &str)> {
        let mut list = Listed { list: [None; 4], len: 0 };
        self.write_headers(&mut list);
        list.list.into_iter().flatten()
    }

    /// Gives `sink` each of [`headers`](Self::headers), in name order: one straight-line
    /// call per header, so that the names stay literals where the sink is inlined.
    #[inline(always)]
    pub(crate) fn write_headers<'e>(&'e self, sink: &mut impl HeaderSink<'e>) {
        let (algorithm, key_id, bucket_key, context) = match self {
            Encryption::SseS3 => {
                sink.header(SSE, "AES256");
                return;
            }
            Encryption::SseC(key) => {
                for (name, value) in key.headers() {
                    sink.header(name, value);
                }
                return;
            }
            Encryption::SseKms { key_id, context, bucket_key } => ("aws:kms", key_id, *bucket_key, context),
            Encryption::DsseKms { key_id, context } => ("aws:kms:dsse", key_id, None, context),
        };
        sink.header(SSE, algorithm);
        if let Some(id) = key_id {
            sink.header(KMS_KEY_ID, id.as_str());
        }
        if let Some(on) = bucket_key {
            sink.header(BUCKET_KEY, if on { "true" } else { "false" });
        }
        if let Some(context) = context {
            sink.header(KMS_CONTEXT, context.header_value());
        }
    }

    /// The headers GET, HEAD and UploadPart on the object need: the key for SSE-C, nothing
    /// otherwise. S3 refuses the SSE-S3/KMS headers outside object creation with
    /// `InvalidArgument` ("x-amz-server-side-encryption header is not supported for this
    /// operation"; aead/s3#1, s3fs-fuse#2409), as it decrypts those objects by itself.
    pub fn access_headers(&self) -> impl Iterator<Item = (&'static str, &str)> {
        let list = match self {
            Encryption::SseC(key) => customer_list(key.headers()),
            _ => [None; 4],
        };
        list.into_iter().flatten()
    }
}

type HeaderList<'a> = [Option<(&'static str, &'a str)>; 4];

/// Collects [`Encryption::headers`] (at most four).
struct Listed<'a> {
    list: HeaderList<'a>,
    len: usize,
}

impl<'a> HeaderSink<'a> for Listed<'a> {
    fn header(&mut self, name: &'a str, value: &'a str) {
        // A sink sees names as borrowed text; they are all this module's constants, so the
        // constant is looked up to give `headers()` callers `'static` names.
        let names = [SSE, KMS_KEY_ID, BUCKET_KEY, KMS_CONTEXT];
        let name = names.into_iter().chain(CUSTOMER_HEADERS).find(|known| *known == name);
        if let (Some(slot), Some(name)) = (self.list.get_mut(self.len), name) {
            *slot = Some((name, value));
            self.len += 1;
        }
    }

    fn seam(&mut self) {}
}

fn customer_list<'a>(headers: [(&'static str, &'a str); 3]) -> HeaderList<'a> {
    let [algorithm, key, md5] = headers;
    [Some(algorithm), Some(key), Some(md5), None]
}

fn invalid(reason: &'static str) -> Error {
    Error::InvalidEncryption { reason: reason.into() }
}

/// A KMS key id, key ARN, alias name (`alias/…`) or alias ARN, checked for shape only.
///
/// KMS takes 1 to 2,048 characters; these are all visible ASCII (no spaces or control
/// characters), which is also what a header value can carry unchanged. Cloning is cheap (the
/// text is shared).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct KmsKeyId(Arc<str>);

impl KmsKeyId {
    /// Checks and wraps a key id.
    pub fn new(key_id: &str) -> Result<KmsKeyId> {
        if key_id.is_empty() {
            return Err(invalid("the KMS key id is empty"));
        }
        if key_id.len() > MAX_KMS_KEY_ID {
            return Err(invalid("the KMS key id is longer than 2048 characters"));
        }
        if !key_id.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(invalid("the KMS key id contains spaces, control or non-ASCII characters"));
        }
        Ok(KmsKeyId(key_id.into()))
    }

    /// The key id as given.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for KmsKeyId {
    type Error = Error;

    fn try_from(value: String) -> Result<KmsKeyId> {
        KmsKeyId::new(&value)
    }
}

impl From<KmsKeyId> for String {
    fn from(id: KmsKeyId) -> String {
        id.0.to_string()
    }
}

impl fmt::Display for KmsKeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A KMS encryption context: string keys mapped to string values.
///
/// S3 takes it as `x-amz-server-side-encryption-context`, the base64 of a UTF-8 JSON object.
/// The JSON kept and sent is this crate's canonical form: compact, keys sorted, as
/// `serde_json` writes a sorted map. It is not a secret (KMS logs it in CloudTrail), so
/// `Debug` shows it. Serde reads and writes it as a JSON object.
///
/// Cloning is cheap (the context is shared): build it once and clone it into each request.
#[derive(Clone, PartialEq, Eq)]
pub struct KmsContext(Arc<ContextParts>);

#[derive(PartialEq, Eq)]
struct ContextParts {
    pairs: BTreeMap<String, String>,
    json: String,
    header: String,
}

impl KmsContext {
    /// Builds a context from key/value pairs; refuses an empty one and repeated keys.
    pub fn new<K: Into<String>, V: Into<String>>(pairs: impl IntoIterator<Item = (K, V)>) -> Result<KmsContext> {
        let mut map = BTreeMap::new();
        for (key, value) in pairs {
            if map.insert(key.into(), value.into()).is_some() {
                return Err(invalid("the KMS encryption context repeats a key"));
            }
        }
        KmsContext::from_map(map)
    }

    /// Parses a context written as a JSON object whose values are all strings.
    ///
    /// ```
    /// use presign::s3::encryption::KmsContext;
    /// let context = KmsContext::from_json(r#"{ "b": "2", "a": "1" }"#)?;
    /// assert_eq!(context.as_json(), r#"{"a":"1","b":"2"}"#);
    /// assert!(KmsContext::from_json(r#"{"a": 1}"#).is_err());
    /// # Ok::<(), presign::Error>(())
    /// ```
    pub fn from_json(json: &str) -> Result<KmsContext> {
        // serde_json's messages quote offending values; report the position only.
        let StrictMap(map) = serde_json::from_str(json).map_err(|e| {
            let reason = format!(
                "the KMS encryption context must be a JSON object of string values without repeated keys \
                 (error at line {}, column {})",
                e.line(),
                e.column()
            );
            Error::InvalidEncryption { reason: reason.into() }
        })?;
        KmsContext::from_map(map)
    }

    fn from_map(pairs: BTreeMap<String, String>) -> Result<KmsContext> {
        if pairs.is_empty() {
            return Err(invalid("the KMS encryption context is empty; leave it out instead"));
        }
        let json =
            serde_json::to_string(&pairs).map_err(|_| invalid("the KMS encryption context cannot be written"))?;
        let header = BASE64.encode(&json);
        Ok(KmsContext(Arc::new(ContextParts { pairs, json, header })))
    }

    /// The canonical JSON (compact, keys sorted).
    pub fn as_json(&self) -> &str {
        &self.0.json
    }

    /// The header value: base64 of [`KmsContext::as_json`].
    pub fn header_value(&self) -> &str {
        &self.0.header
    }

    /// The value of one key.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0.pairs.get(key).map(String::as_str)
    }

    /// The pairs, sorted by key.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.pairs.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }
}

impl fmt::Debug for KmsContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("KmsContext").field(&self.0.pairs).finish()
    }
}

impl Serialize for KmsContext {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        self.0.pairs.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for KmsContext {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<KmsContext, D::Error> {
        let StrictMap(map) = StrictMap::deserialize(deserializer)?;
        KmsContext::from_map(map).map_err(de::Error::custom)
    }
}

/// An SSE-C key: 32 bytes for AES-256.
///
/// Only the two header values are kept, both computed here once: the base64 of the key and
/// the base64 of its MD5. Neither `Debug` nor any error of this module shows them
/// (smithy-rs likewise redacts both headers). The key is not zeroed on drop.
#[derive(Clone, PartialEq, Eq)]
pub struct CustomerKey {
    key: String,
    md5: String,
}

impl CustomerKey {
    /// Wraps 32 raw key bytes.
    pub fn new(key: [u8; 32]) -> CustomerKey {
        CustomerKey { key: BASE64.encode(key), md5: BASE64.encode(Md5::digest(key)) }
    }

    /// Decodes a key given in standard base64 with padding (44 characters), as the S3 API
    /// writes it; it must decode to exactly 32 bytes.
    pub fn from_base64(encoded: &str) -> Result<CustomerKey> {
        // The decoder's own error names the offending byte: never pass it on.
        let bytes = BASE64
            .decode(encoded)
            .map_err(|_| invalid("the SSE-C key is not valid base64 (standard alphabet, with padding)"))?;
        let key: [u8; 32] = bytes.as_slice().try_into().map_err(|_| {
            let reason = format!("the SSE-C key decodes to {} bytes; AES-256 needs 32", bytes.len());
            Error::InvalidEncryption { reason: reason.into() }
        })?;
        Ok(CustomerKey::new(key))
    }

    /// The three SSE-C headers (algorithm, key, key MD5) for the object being written or
    /// read.
    pub fn headers(&self) -> [(&'static str, &str); 3] {
        self.named(CUSTOMER_HEADERS)
    }

    /// The same three values under the `x-amz-copy-source-…` names, for the source object of
    /// CopyObject and UploadPartCopy.
    pub fn copy_source_headers(&self) -> [(&'static str, &str); 3] {
        self.named(COPY_SOURCE_CUSTOMER_HEADERS)
    }

    fn named(&self, [algorithm, key, md5]: [&'static str; 3]) -> [(&'static str, &str); 3] {
        [(algorithm, "AES256"), (key, &self.key), (md5, &self.md5)]
    }
}

impl fmt::Debug for CustomerKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CustomerKey(<redacted>)")
    }
}

/// The serde form of the non-secret variants, named as S3 names the algorithms.
#[derive(Serialize, Deserialize)]
#[serde(tag = "algorithm", rename_all_fields = "camelCase", deny_unknown_fields)]
enum Repr {
    #[serde(rename = "AES256")]
    SseS3,
    #[serde(rename = "aws:kms")]
    SseKms {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        key_id: Option<KmsKeyId>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        context: Option<KmsContext>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        bucket_key_enabled: Option<bool>,
    },
    #[serde(rename = "aws:kms:dsse")]
    DsseKms {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        key_id: Option<KmsKeyId>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        context: Option<KmsContext>,
    },
}

impl Serialize for Encryption {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        let repr = match self {
            Encryption::SseS3 => Repr::SseS3,
            Encryption::SseKms { key_id, context, bucket_key } => {
                Repr::SseKms { key_id: key_id.clone(), context: context.clone(), bucket_key_enabled: *bucket_key }
            }
            Encryption::DsseKms { key_id, context } => {
                Repr::DsseKms { key_id: key_id.clone(), context: context.clone() }
            }
            Encryption::SseC(_) => return Err(ser::Error::custom("SSE-C keys are never serialized")),
        };
        repr.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Encryption {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Encryption, D::Error> {
        Ok(match Repr::deserialize(deserializer)? {
            Repr::SseS3 => Encryption::SseS3,
            Repr::SseKms { key_id, context, bucket_key_enabled } => {
                Encryption::SseKms { key_id, context, bucket_key: bucket_key_enabled }
            }
            Repr::DsseKms { key_id, context } => Encryption::DsseKms { key_id, context },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 32 bytes 0x00..=0x1f. Expected values from an independent tool:
    /// `python3 -c 'import base64,hashlib; k=bytes(range(32)); print(base64.b64encode(k).decode(),
    /// base64.b64encode(hashlib.md5(k).digest()).decode())'`.
    const KEY: [u8; 32] = {
        let mut key = [0u8; 32];
        let mut i = 0;
        while i < 32 {
            key[i] = i as u8;
            i += 1;
        }
        key
    };
    const KEY_B64: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
    const KEY_MD5_B64: &str = "tP/LI3N87DFaSk0aoqYgzg==";

    /// The headers, checked to come in name order (the typed signer relies on it to skip a
    /// sort).
    fn all(encryption: &Encryption) -> Vec<(&'static str, &str)> {
        let headers: Vec<_> = encryption.headers().collect();
        assert!(headers.windows(2).all(|pair| pair[0].0 < pair[1].0), "not in name order: {headers:?}");
        headers
    }

    #[test]
    fn sse_s3_is_one_aes256_header() {
        assert_eq!(all(&Encryption::SseS3), [("x-amz-server-side-encryption", "AES256")]);
        assert_eq!(Encryption::SseS3.access_headers().count(), 0);
    }

    #[test]
    fn sse_kms_headers_follow_the_put_object_reference() {
        assert_eq!(all(&Encryption::kms_default()), [("x-amz-server-side-encryption", "aws:kms")]);
        let arn = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
        let sse = Encryption::kms(arn).unwrap().with_bucket_key(false).unwrap();
        assert_eq!(
            all(&sse),
            [
                ("x-amz-server-side-encryption", "aws:kms"),
                ("x-amz-server-side-encryption-aws-kms-key-id", arn),
                ("x-amz-server-side-encryption-bucket-key-enabled", "false"),
            ]
        );
        assert_eq!(sse.access_headers().count(), 0);
        let context = KmsContext::new([("project", "cats")]).unwrap();
        let every = Encryption::kms(arn).unwrap().with_context(context).unwrap().with_bucket_key(true).unwrap();
        assert_eq!(all(&every).len(), 4);
    }

    #[test]
    fn kms_context_is_base64_of_the_canonical_json() {
        // Expected from python3: json.dumps(ctx, separators=(',',':'), sort_keys=True,
        // ensure_ascii=False) then base64.b64encode(...encode()).
        let context = KmsContext::from_json(
            r#"{"department": "ünïcode \"q\"", "aws:s3:arn": "arn:aws:s3:::amzn-s3-demo-bucket/photo.jpg"}"#,
        )
        .unwrap();
        assert_eq!(
            context.as_json(),
            r#"{"aws:s3:arn":"arn:aws:s3:::amzn-s3-demo-bucket/photo.jpg","department":"ünïcode \"q\""}"#
        );
        let expected = "eyJhd3M6czM6YXJuIjoiYXJuOmF3czpzMzo6OmFtem4tczMtZGVtby1idWNrZXQvcGhvdG8uanBnIiwiZGVwYXJ0bWVudCI6IsO8bsOvY29kZSBcInFcIiJ9";
        assert_eq!(context.header_value(), expected);
        let sse = Encryption::dsse("alias/archive").unwrap().with_context(context.clone()).unwrap();
        assert_eq!(
            all(&sse),
            [
                ("x-amz-server-side-encryption", "aws:kms:dsse"),
                ("x-amz-server-side-encryption-aws-kms-key-id", "alias/archive"),
                ("x-amz-server-side-encryption-context", expected),
            ]
        );
        let built = KmsContext::new([
            ("department", "ünïcode \"q\""),
            ("aws:s3:arn", "arn:aws:s3:::amzn-s3-demo-bucket/photo.jpg"),
        ])
        .unwrap();
        assert_eq!(built, context);
        assert_eq!(built.get("department"), Some("ünïcode \"q\""));
    }

    #[test]
    fn kms_context_refuses_what_is_not_an_object_of_strings() {
        let cases = [
            r#"{"a": 1}"#,
            r#"["a"]"#,
            r#""a""#,
            r#"{"a": null}"#,
            r#"{"a": {"b": "c"}}"#,
            r#"{"a":"1","a":"2"}"#,
            "{",
            "{}",
        ];
        for json in cases {
            let err = KmsContext::from_json(json).unwrap_err();
            assert_eq!(err.code(), "INVALID_ENCRYPTION", "{json}");
        }
        // The value that failed is never echoed.
        let message = KmsContext::from_json(r#"{"a": 12345}"#).unwrap_err().to_string();
        assert!(!message.contains("12345"), "{message}");
        assert!(KmsContext::new([("a", "1"), ("a", "2")]).is_err());
        assert!(KmsContext::new(Vec::<(String, String)>::new()).is_err());
    }

    #[test]
    fn sse_c_headers_carry_the_key_and_its_md5() {
        let expected = [
            ("x-amz-server-side-encryption-customer-algorithm", "AES256"),
            ("x-amz-server-side-encryption-customer-key", KEY_B64),
            ("x-amz-server-side-encryption-customer-key-md5", KEY_MD5_B64),
        ];
        let sse = Encryption::SseC(CustomerKey::new(KEY));
        assert_eq!(all(&sse), expected);
        assert_eq!(sse.access_headers().collect::<Vec<_>>(), expected);
        let decoded = CustomerKey::from_base64(KEY_B64).unwrap();
        let copy = decoded.copy_source_headers();
        assert_eq!(
            copy,
            [
                ("x-amz-copy-source-server-side-encryption-customer-algorithm", "AES256"),
                ("x-amz-copy-source-server-side-encryption-customer-key", KEY_B64),
                ("x-amz-copy-source-server-side-encryption-customer-key-md5", KEY_MD5_B64),
            ]
        );
        // Second key, also from python3: 32 bytes of 0xff.
        let ones = CustomerKey::from_base64("//////////////////////////////////////////8=").unwrap();
        assert_eq!(ones.headers()[2].1, "DX3EJmSXEA5IMfWzG2snTw==");
        assert_eq!(ones, CustomerKey::new([0xff; 32]));
    }

    #[test]
    fn customer_keys_of_the_wrong_size_or_encoding_are_refused_without_echo() {
        let short = BASE64.encode([7u8; 16]);
        let long = BASE64.encode([7u8; 33]);
        let unpadded = KEY_B64.trim_end_matches('=');
        let url_safe = "__________________________________________8=";
        for bad in [short.as_str(), long.as_str(), unpadded, url_safe, "", " AAEC", "not base64!"] {
            let err = CustomerKey::from_base64(bad).unwrap_err();
            assert_eq!(err.code(), "INVALID_ENCRYPTION");
            let message = err.to_string();
            assert!(bad.is_empty() || !message.contains(bad), "{message}");
        }
        assert!(CustomerKey::from_base64(&short).unwrap_err().to_string().contains("16 bytes"));
    }

    #[test]
    fn debug_never_shows_the_customer_key() {
        let sse = Encryption::SseC(CustomerKey::new(KEY));
        for shown in [format!("{sse:?}"), format!("{sse:#?}"), format!("{:?}", CustomerKey::new(KEY))] {
            assert!(!shown.contains(KEY_B64) && !shown.contains(KEY_MD5_B64), "{shown}");
            assert!(!shown.contains("AAECAwQF") && !shown.contains("tP/LI3N8"), "{shown}");
            assert!(shown.contains("redacted"), "{shown}");
        }
    }

    #[test]
    fn kms_key_ids_are_checked() {
        assert!(KmsKeyId::new(&"k".repeat(2048)).is_ok());
        for bad in ["", "alias/with space", "key\nid", "clé", &"k".repeat(2049)] {
            assert_eq!(KmsKeyId::new(bad).unwrap_err().code(), "INVALID_ENCRYPTION", "{bad:?}");
        }
        assert!(Encryption::kms("").is_err());
        assert!(Encryption::dsse("a\tb").is_err());
    }

    #[test]
    fn builder_refuses_options_the_algorithm_lacks() {
        let context = KmsContext::new([("a", "b")]).unwrap();
        assert!(Encryption::SseS3.with_context(context.clone()).is_err());
        assert!(Encryption::SseC(CustomerKey::new(KEY)).with_context(context).is_err());
        assert!(Encryption::dsse_default().with_bucket_key(true).is_err());
        assert!(Encryption::SseS3.with_bucket_key(true).is_err());
        assert!(Encryption::kms_default().with_bucket_key(true).is_ok());
    }

    #[test]
    fn serde_uses_s3_algorithm_names_and_never_writes_sse_c() {
        let cases = [
            (Encryption::SseS3, r#"{"algorithm":"AES256"}"#),
            (Encryption::kms_default(), r#"{"algorithm":"aws:kms"}"#),
            (
                Encryption::kms("alias/k").unwrap().with_bucket_key(true).unwrap(),
                r#"{"algorithm":"aws:kms","keyId":"alias/k","bucketKeyEnabled":true}"#,
            ),
            (
                Encryption::dsse_default().with_context(KmsContext::new([("b", "2"), ("a", "1")]).unwrap()).unwrap(),
                r#"{"algorithm":"aws:kms:dsse","context":{"a":"1","b":"2"}}"#,
            ),
        ];
        for (value, json) in cases {
            assert_eq!(serde_json::to_string(&value).unwrap(), json);
            assert_eq!(serde_json::from_str::<Encryption>(json).unwrap(), value);
        }
        let err = serde_json::to_string(&Encryption::SseC(CustomerKey::new(KEY))).unwrap_err().to_string();
        assert!(err.contains("never serialized") && !err.contains(KEY_B64), "{err}");
        let refused = [
            r#"{"algorithm":"SSE-C","key":"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="}"#,
            r#"{"algorithm":"aws:kms","keyId":""}"#,
            r#"{"algorithm":"aws:kms","context":{"a":"1","a":"2"}}"#,
            r#"{"algorithm":"aws:kms:dsse","bucketKeyEnabled":true}"#,
            r#"{"algorithm":"aes256"}"#,
        ];
        for json in refused {
            assert!(serde_json::from_str::<Encryption>(json).is_err(), "{json}");
        }
    }
}
