//! Differential property test of the typed layer: random `PresignRequest`s, signed by this
//! crate, against the official `aws-sigv4` crate (configured as the AWS SDK signs S3; see
//! `tests/differential_support`).
//!
//! aws-sigv4 gets what a client of the typed layer sends: the method, our URL without the
//! authentication parameters (`X-Amz-*`, which it adds itself), and exactly the headers of
//! `PresignedRequest::headers()`. It derives `host` from the URL, as an HTTP client does. The
//! signature and the complete parameter set (so `X-Amz-SignedHeaders` too) must agree: this
//! proves the URL's path and query are encoded as signed, `host` is right, and `headers()`
//! lists exactly the headers that were signed, with the signed values.

mod differential_support;

use std::time::{Duration, SystemTime};

use aws_sigv4::http_request::{SignableBody, SignatureLocation};
use differential_support::{
    AUTH_PARAMS, LAST_SECOND_OF_2100, Scope, TheirRequest, same_url, texts, their_sign, their_trace, their_url,
};
use presign::Credentials;
use presign::s3::{
    Bucket, BucketName, CannedAcl, Checksum, ChecksumAlgorithm, ContentMd5, CustomerKey, Encryption, Endpoint,
    KmsContext, Metadata, Method, ObjectKey, PresignRequest, PresignedRequest, Region, StorageClass, Tagging,
};
use presign::sigv4::Signer;
use proptest::prelude::*;
use proptest::sample::select;
use time::OffsetDateTime;

/// Header names the generators never pass to `PresignRequest::header`: the signer owns the
/// first five (and refuses them), aws-sigv4 never signs the others in a presigned URL (see
/// `tests/differential_aws_sigv4.rs`).
const NOT_COMPARABLE_HEADERS: [&str; 10] = [
    "host",
    "authorization",
    "x-amz-date",
    "x-amz-security-token",
    "x-amz-content-sha256",
    "user-agent",
    "x-amzn-trace-id",
    "transfer-encoding",
    "x-amz-user-agent",
    "x-amz-checksum-mode",
];

// ---------------------------------------------------------------------------------------------
// Generators
// ---------------------------------------------------------------------------------------------

fn methods() -> impl Strategy<Value = Method> {
    select(vec![Method::Get, Method::Put, Method::Head, Method::Delete, Method::Post])
}

fn bucket_names() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => "[a-z0-9][a-z0-9-]{1,30}[a-z0-9]",
        1 => "[a-z][a-z0-9]{0,10}(\\.[a-z0-9]{1,10}){1,3}",
        1 => select(vec!["examplebucket", "my.bucket.example.com", "a1b", "logs-2024"]).prop_map(String::from),
    ]
}

/// An AWS bucket in any region, virtual-hosted or path-style (always path-style with dots,
/// which HTTPS cannot virtual-host).
fn aws_buckets() -> impl Strategy<Value = Bucket> {
    (select(Region::ALL.to_vec()), bucket_names(), any::<bool>()).prop_filter_map(
        "a valid bucket name",
        |(region, name, path_style)| {
            let name = BucketName::new(name).ok()?;
            let endpoint = Endpoint::aws(region);
            let endpoint = if path_style || name.has_dots() { endpoint.path_style() } else { endpoint };
            Bucket::new(name, endpoint).ok()
        },
    )
}

/// S3-compatible servers (ports, `http`, custom regions) and R2 (region `auto`).
fn other_buckets() -> impl Strategy<Value = Bucket> {
    let origin = select(vec![
        "http://127.0.0.1:9000",
        "http://localhost:8333",
        "https://s3.example.com",
        "https://minio.internal:8443",
        "http://[::1]:9000",
    ]);
    let region = select(vec!["us-east-1", "garage", "minio-dc.1", "auto", "eu-central-1"]);
    let custom = (origin, region, bucket_names()).prop_filter_map("a valid custom bucket", |(origin, region, name)| {
        Bucket::custom(origin, Region::custom(region).ok()?, &name).ok()
    });
    let r2 = bucket_names().prop_filter_map("a valid R2 bucket", |name| {
        let name = BucketName::new(name).ok().filter(|n| !n.has_dots())?;
        Bucket::r2("023e105f4ecef8ad9ca31a8372d0c353", name.as_str()).ok()
    });
    prop_oneof![custom, r2]
}

fn buckets() -> impl Strategy<Value = Bucket> {
    prop_oneof![4 => aws_buckets(), 1 => other_buckets()]
}

/// Keys with every character class, `//` and trailing slashes; a key the type refuses (a
/// `.`/`..` segment) has its dots replaced, so no case is lost.
fn keys() -> impl Strategy<Value = ObjectKey> {
    texts(12).prop_map(|key| {
        ObjectKey::new(key.as_str())
            .or_else(|_| ObjectKey::new(format!("k{}", key.replace('.', "_"))))
            .expect("a key without dots is valid")
    })
}

/// Header-safe values: visible ASCII, inner spaces, some UTF-8.
fn header_values() -> impl Strategy<Value = String> {
    let piece = prop_oneof![3 => "[!-~]{1,12}", 1 => select(vec![" ", "  ", "é", "日本", "😀"]).prop_map(String::from)];
    prop::collection::vec(piece, 1..5).prop_map(|pieces| {
        let value = pieces.concat();
        let trimmed = value.trim();
        if trimmed.is_empty() { "v".to_string() } else { trimmed.to_string() }
    })
}

fn metadata() -> impl Strategy<Value = Metadata> {
    let name = prop_oneof!["[a-z0-9][a-z0-9_-]{0,15}", "[a-z0-9!#$%&'*+.^_`|~-]{1,10}"];
    let value = "[!-~]([ -~]{0,20}[!-~])?";
    prop::collection::vec((name, value), 1..4)
        .prop_map(|pairs| pairs.iter().fold(Metadata::new(), |meta, (n, v)| meta.clone().with(n, v).unwrap_or(meta)))
}

fn tagging() -> impl Strategy<Value = Tagging> {
    let text = prop_oneof![3 => "[a-zA-Z0-9 _.:/=+@-]{1,20}", 1 => select(vec!["é", "日本語", "x y", "a/b"]).prop_map(String::from)];
    let value = prop_oneof![1 => Just(String::new()), 3 => text.clone()];
    prop::collection::vec((text, value), 1..5)
        .prop_map(|pairs| pairs.iter().fold(Tagging::new(), |tags, (k, v)| tags.clone().with(k, v).unwrap_or(tags)))
}

fn kms_contexts() -> impl Strategy<Value = KmsContext> {
    prop::collection::btree_map(texts(4), texts(4), 1..4).prop_map(|map| KmsContext::new(map).expect("non-empty"))
}

fn kms_key_ids() -> impl Strategy<Value = String> {
    prop_oneof![
        "alias/[a-zA-Z0-9/_-]{1,30}",
        "arn:aws:kms:us-east-1:[0-9]{12}:key/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
        "[!-~]{1,40}",
    ]
}

fn encryptions() -> impl Strategy<Value = Encryption> {
    let kms = (prop::option::of(kms_key_ids()), prop::option::of(kms_contexts()), prop::option::of(any::<bool>()))
        .prop_map(|(key_id, context, bucket_key)| {
            let sse = key_id.map_or_else(|| Ok(Encryption::kms_default()), |id| Encryption::kms(&id));
            let sse = sse.and_then(|sse| context.map_or(Ok(sse.clone()), |c| sse.with_context(c)));
            let sse = sse.and_then(|sse| bucket_key.map_or(Ok(sse.clone()), |on| sse.with_bucket_key(on)));
            sse.expect("valid SSE-KMS")
        });
    let dsse = (prop::option::of(kms_key_ids()), prop::option::of(kms_contexts())).prop_map(|(key_id, context)| {
        let sse = key_id.map_or_else(|| Ok(Encryption::dsse_default()), |id| Encryption::dsse(&id));
        sse.and_then(|sse| context.map_or(Ok(sse.clone()), |c| sse.with_context(c))).expect("valid DSSE-KMS")
    });
    prop_oneof![
        Just(Encryption::SseS3),
        kms,
        dsse,
        any::<[u8; 32]>().prop_map(|key| Encryption::SseC(CustomerKey::new(key))),
    ]
}

fn checksums() -> impl Strategy<Value = Checksum> {
    (select(ChecksumAlgorithm::ALL.to_vec()), any::<[u8; 32]>()).prop_map(|(algorithm, bytes)| {
        Checksum::from_digest(algorithm, &bytes[..algorithm.digest_len()]).expect("digest of the right length")
    })
}

/// Extra header names for `PresignRequest::header`, in random case: some that typed options
/// also set (so names repeat), S3 headers without an option, and random tokens.
fn extra_header_names() -> impl Strategy<Value = String> {
    let name = prop_oneof![
        1 => select(vec!["content-type", "x-amz-meta-color", "x-amz-storage-class", "if-match", "x-amz-acl"]),
        2 => select(vec![
            "x-amz-request-payer",
            "x-amz-expected-bucket-owner",
            "x-amz-website-redirect-location",
            "x-amz-object-lock-mode",
            "if-modified-since",
            "x-custom",
        ]),
    ]
    .prop_map(String::from);
    let name = prop_oneof![2 => name, 1 => "[A-Za-z][A-Za-z0-9-]{0,20}"];
    name.prop_filter("not comparable", |n| !NOT_COMPARABLE_HEADERS.contains(&n.to_ascii_lowercase().as_str()))
}

/// Extra query parameters for `PresignRequest::query` (raw names and values).
fn extra_query() -> impl Strategy<Value = Vec<(String, String)>> {
    let name = prop_oneof![
        1 => select(vec!["uploads", "tagging", "acl", "versionId", "x-id", "response-content-type"]).prop_map(String::from),
        1 => texts(4),
    ]
    .prop_filter("signer-owned parameter", |n| !AUTH_PARAMS.iter().any(|p| p.eq_ignore_ascii_case(n)));
    prop::collection::vec((name, prop_oneof![Just(String::new()), texts(5)]), 0..3)
}

/// A `PresignRequest` option that takes a string.
type Setter = fn(PresignRequest, &str) -> PresignRequest;

/// The `response-*` overrides of GET.
const OVERRIDES: [Setter; 6] = [
    PresignRequest::response_content_type,
    PresignRequest::response_content_disposition,
    PresignRequest::response_content_encoding,
    PresignRequest::response_content_language,
    PresignRequest::response_cache_control,
    PresignRequest::response_expires,
];

/// The content-header setters of uploads.
const CONTENT_SETTERS: [Setter; 6] = [
    PresignRequest::content_type,
    PresignRequest::content_disposition,
    PresignRequest::content_encoding,
    PresignRequest::content_language,
    PresignRequest::cache_control,
    PresignRequest::expires_header,
];

/// Options of uploads; those the provider does not offer are left out when applied.
#[derive(Debug, Clone)]
struct WriteOptions {
    content: Vec<(usize, String)>,
    storage_class: Option<StorageClass>,
    encryption: Option<Encryption>,
    metadata: Option<Metadata>,
    tagging: Option<Tagging>,
    acl: Option<CannedAcl>,
    checksum: Option<Checksum>,
    content_md5: Option<[u8; 16]>,
    content_length: Option<u64>,
    if_none_match_any: bool,
}

fn write_options() -> impl Strategy<Value = WriteOptions> {
    let content = prop::collection::vec((0..CONTENT_SETTERS.len(), header_values()), 0..3);
    let digests = (prop::option::of(checksums()), prop::option::of(any::<[u8; 16]>()), prop::option::of(0u64..1 << 32));
    (
        content,
        prop::option::of(select(StorageClass::ALL.to_vec())),
        prop::option::of(encryptions()),
        (prop::option::of(metadata()), prop::option::of(tagging()), prop::option::of(select(CannedAcl::ALL.to_vec()))),
        digests,
        any::<bool>(),
    )
        .prop_map(|(content, storage_class, encryption, (metadata, tagging, acl), digests, if_none_match_any)| {
            let (checksum, content_md5, content_length) = digests;
            WriteOptions {
                content,
                storage_class,
                encryption,
                metadata,
                tagging,
                acl,
                checksum,
                content_md5,
                content_length,
                if_none_match_any,
            }
        })
}

/// Options of reads and of every method.
#[derive(Debug, Clone)]
struct ReadOptions {
    overrides: Vec<(usize, String)>,
    range: Option<(u64, u64)>,
    if_none_match: Option<String>,
    customer_key: Option<[u8; 32]>,
    if_match: Option<String>,
    version_id: Option<String>,
    part_number: Option<u32>,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
}

fn read_options() -> impl Strategy<Value = ReadOptions> {
    let etag = prop_oneof!["\"[0-9a-f]{32}\"", header_values()];
    let range = (0u64..1 << 40, 0u64..1 << 20).prop_map(|(first, length)| (first, first + length));
    (
        prop::collection::vec((0..OVERRIDES.len(), texts(6)), 0..4),
        prop::option::of(range),
        (prop::option::of(etag.clone()), prop::option::of(any::<[u8; 32]>()), prop::option::of(etag)),
        (prop::option::of(texts(4)), prop::option::of(1u32..=10_000)),
        extra_query(),
        prop::collection::vec((extra_header_names(), header_values()), 0..3),
    )
        .prop_map(
            |(overrides, range, (if_none_match, customer_key, if_match), (version_id, part_number), query, headers)| {
                ReadOptions {
                    overrides,
                    range,
                    if_none_match,
                    customer_key,
                    if_match,
                    version_id,
                    part_number,
                    query,
                    headers,
                }
            },
        )
}

/// Who signs, and when.
#[derive(Debug, Clone)]
struct Signing {
    access_key_id: String,
    secret: String,
    token: Option<String>,
    time: SystemTime,
    expires_in: u64,
}

fn signings() -> impl Strategy<Value = Signing> {
    (
        "[A-Z0-9]{16,20}",
        "[A-Za-z0-9/+]{40}",
        prop::option::of("[A-Za-z0-9/+=]{16,300}"),
        (0..=LAST_SECOND_OF_2100, 0u32..1_000_000_000),
        1u64..=604_800,
    )
        .prop_map(|(access_key_id, secret, token, (secs, nanos), expires_in)| Signing {
            access_key_id,
            secret,
            token,
            time: SystemTime::UNIX_EPOCH + Duration::new(secs, nanos),
            expires_in,
        })
}

/// One random typed request and who signs it.
#[derive(Debug, Clone)]
struct Case {
    method: Method,
    bucket: Bucket,
    key: ObjectKey,
    write: WriteOptions,
    read: ReadOptions,
    signing: Signing,
}

fn cases() -> impl Strategy<Value = Case> {
    (methods(), buckets(), keys(), write_options(), read_options(), signings())
        .prop_map(|(method, bucket, key, write, read, signing)| Case { method, bucket, key, write, read, signing })
}

// ---------------------------------------------------------------------------------------------
// Building the request: each option where the method and the provider take it
// ---------------------------------------------------------------------------------------------

fn apply<T>(
    request: PresignRequest,
    value: Option<T>,
    set: impl FnOnce(PresignRequest, T) -> PresignRequest,
) -> PresignRequest {
    match value {
        Some(value) => set(request, value),
        None => request,
    }
}

impl Case {
    fn request(&self) -> PresignRequest {
        let request = PresignRequest::new(self.method, &self.bucket, self.key.clone())
            .expires_in(Duration::from_secs(self.signing.expires_in));
        let request = match self.method {
            Method::Put | Method::Post => self.with_write_options(request),
            Method::Get | Method::Head => self.with_read_options(request),
            Method::Delete => request,
        };
        self.with_common_options(request)
    }

    fn with_write_options(&self, request: PresignRequest) -> PresignRequest {
        let (w, provider) = (&self.write, self.bucket.provider());
        let request = w.content.iter().fold(request, |r, (i, v)| CONTENT_SETTERS[*i](r, v));
        let request = apply(
            request,
            w.storage_class.filter(|c| provider.supports_storage_class(*c)),
            PresignRequest::storage_class,
        );
        let supported = |e: &Encryption| match e {
            Encryption::SseS3 => provider.supports_sse_s3(),
            Encryption::SseC(_) => provider.supports_sse_c(),
            _ => provider.supports_sse_kms(),
        };
        let request = apply(request, w.encryption.clone().filter(supported), PresignRequest::encryption);
        let request = apply(request, w.metadata.clone(), PresignRequest::metadata);
        let request =
            apply(request, w.tagging.clone().filter(|_| provider.supports_tagging()), PresignRequest::tagging);
        let request = apply(request, w.acl.filter(|_| provider.supports_acl()), PresignRequest::acl);
        let request = apply(request, w.checksum.clone(), PresignRequest::checksum);
        let request = apply(request, w.content_md5.map(ContentMd5::from_digest), PresignRequest::content_md5);
        let request = apply(request, w.content_length, PresignRequest::content_length);
        if w.if_none_match_any { request.if_none_match_any() } else { request }
    }

    fn with_read_options(&self, request: PresignRequest) -> PresignRequest {
        let r = &self.read;
        let request = if self.method == Method::Get {
            r.overrides.iter().fold(request, |request, (i, v)| OVERRIDES[*i](request, v))
        } else {
            request
        };
        let request = apply(request, r.range, |request, (first, last)| request.range(first, last));
        let request = apply(request, r.if_none_match.as_deref(), PresignRequest::if_none_match);
        let customer_key = r.customer_key.map(|key| Encryption::SseC(CustomerKey::new(key)));
        apply(request, customer_key, PresignRequest::encryption)
    }

    fn with_common_options(&self, request: PresignRequest) -> PresignRequest {
        let r = &self.read;
        let request = apply(request, r.if_match.as_deref(), PresignRequest::if_match);
        let request = apply(request, r.version_id.as_deref(), PresignRequest::version_id);
        let request = apply(request, r.part_number, PresignRequest::part_number);
        let request = r.query.iter().fold(request, |request, (n, v)| request.query(n, v));
        r.headers.iter().fold(request, |request, (n, v)| request.header(n, v))
    }

    fn signer(&self) -> Signer {
        let s = &self.signing;
        let credentials = Credentials::new(&s.access_key_id, &s.secret).expect("generated credentials are valid");
        let credentials = match &s.token {
            Some(token) => credentials.with_session_token(token).expect("generated token is valid"),
            None => credentials,
        };
        Signer::new(credentials)
    }

    fn scope(&self) -> Scope<'_> {
        let s = &self.signing;
        Scope {
            access_key_id: &s.access_key_id,
            secret: &s.secret,
            token: s.token.as_deref(),
            region: self.bucket.region().code(),
            time: s.time,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The comparison
// ---------------------------------------------------------------------------------------------

/// `url` without the parameters the signer adds: what a client hands aws-sigv4 to sign.
fn without_auth_params(url: &str) -> String {
    let Some((base, query)) = url.split_once('?') else { return url.to_string() };
    let kept: Vec<&str> =
        query.split('&').filter(|p| !AUTH_PARAMS.contains(&p.split('=').next().unwrap_or(p))).collect();
    if kept.is_empty() { base.to_string() } else { format!("{base}?{}", kept.join("&")) }
}

fn signature_of(url: &str) -> &str {
    url.rsplit_once("X-Amz-Signature=").map_or("", |(_, signature)| signature)
}

/// Headers that plain-string options set: `header()` replaces them instead of colliding.
const REPLACEABLE: [&str; 5] = ["content-type", "if-match", "if-none-match", "range", "content-length"];

/// A refused extra header must repeat one that a typed option sets (storage class, metadata,
/// ACL…): the same request without the extras signs, and carries that header.
fn expect_typed_collision(case: &Case, now: OffsetDateTime) -> Result<(), TestCaseError> {
    let mut bare = case.clone();
    bare.read.headers.clear();
    let typed = bare.request().sign_at(&bare.signer(), now).map_err(|e| TestCaseError::fail(format!("{e}")))?;
    let collides = case.read.headers.iter().any(|(name, _)| {
        let name = name.to_ascii_lowercase();
        !REPLACEABLE.contains(&name.as_str()) && typed.header(&name).is_some()
    });
    prop_assert!(collides, "INVALID_HEADER without a collision with a typed option");
    Ok(())
}

fn check(case: &Case) -> Result<(), TestCaseError> {
    let now = OffsetDateTime::from(case.signing.time);
    let ours: PresignedRequest = match case.request().sign_at(&case.signer(), now) {
        Ok(ours) => ours,
        Err(e) if e.code() == "INVALID_HEADER" => return expect_typed_collision(case, now),
        Err(e) => return Err(TestCaseError::fail(format!("our signing refused a valid request: {e} ({})", e.code()))),
    };
    prop_assert_eq!(ours.method(), case.method);
    prop_assert!(ours.url().starts_with(case.bucket.origin()), "{} is not under {}", ours.url(), case.bucket.origin());
    let expected_expiry = now.replace_nanosecond(0).expect("0 ns") + Duration::from_secs(case.signing.expires_in);
    prop_assert_eq!(ours.expires_at(), expected_expiry);

    let uri = without_auth_params(ours.url());
    let headers: Vec<(&str, &str)> = ours.headers().iter().collect();
    let request = TheirRequest { method: case.method.as_str(), uri: &uri, headers: &headers };
    let expires_in = Some(Duration::from_secs(case.signing.expires_in));
    let sign_theirs = || {
        their_sign(&case.scope(), &request, SignatureLocation::QueryParams, expires_in, SignableBody::UnsignedPayload)
    };
    let (instructions, their_signature) = sign_theirs().map_err(TestCaseError::fail)?;
    let theirs = their_url(&uri, instructions).map_err(TestCaseError::fail)?;

    let path_and_query = &ours.url()[case.bucket.origin().len()..];
    let same = signature_of(ours.url()) == their_signature
        && same_url(path_and_query, theirs.path(), theirs.query().unwrap_or(""));
    prop_assert!(
        same,
        "presign and aws-sigv4 disagree\n  case: {case:?}\n  ours:   {}\n  headers: {:?}\n  theirs: {theirs}\n\
         --- aws-sigv4 trace ---\n{}",
        ours.url(),
        ours.headers(),
        their_trace(|| {
            let _ = sign_theirs();
        })
    );
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// Every typed request signs as aws-sigv4 signs the URL and headers it hands the client.
    #[test]
    fn typed_requests_match_aws_sigv4(case in cases()) {
        check(&case)?;
    }
}

/// `without_auth_params` keeps the request's own parameters, in order, and nothing else.
#[test]
fn auth_params_are_stripped() {
    let url = "https://b.s3.amazonaws.com/k?X-Amz-Algorithm=A&X-Amz-Credential=C&X-Amz-Date=D&X-Amz-Expires=1\
               &X-Amz-Security-Token=T&X-Amz-SignedHeaders=host&partNumber=2&tagging=&X-Amz-Signature=S";
    assert_eq!(without_auth_params(url), "https://b.s3.amazonaws.com/k?partNumber=2&tagging=");
    assert_eq!(without_auth_params("https://h/k?X-Amz-Signature=S"), "https://h/k");
    assert_eq!(signature_of(url), "S");
}
