//! Robustness properties: every public entry point, fed arbitrary strings (controls, non-ASCII,
//! empty, kilobytes long) and arbitrary instants and durations, returns `Ok` or a typed
//! [`presign::Error`], never panics, and never puts a secret into an error message.
//!
//! Each entry point has one small `check_*` helper that calls it and judges the result
//! through [`Judge`]; adding an entry point (the S3 layer) means one helper plus a call from
//! one of the properties at the bottom.

use std::str::FromStr;
use std::time::Duration;

use presign::multipart::{MultipartPlan, PartUrls};
use presign::s3::{
    Bucket, BucketName, CdnDomain, Checksum, ChecksumAlgorithm, ContentMd5, CustomerKey, Encryption, Endpoint,
    KmsContext, Metadata, Method, ObjectKey, PresignRequest, Region, StorageClass, Tagging, UploadKey,
};
use presign::sigv4::{AmzDate, PathMode, PayloadHash, Request, Signer, SigningConfig, SigningKey};
use presign::{Credentials, Error};
use proptest::prelude::*;
use time::{OffsetDateTime, PrimitiveDateTime, UtcOffset};

/// A secret that passes validation, so the signer's own checks are reached.
const FALLBACK_SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

/// Shorter secrets are not checked for leaks: a random 3-character secret may well occur in
/// an error message by chance.
const MIN_LEAK_CHECKED_LEN: usize = 8;

// ---------------------------------------------------------------------------------------------
// Judging results
// ---------------------------------------------------------------------------------------------

/// What a case must not leak (secret, session token) and what errors may echo (everything
/// else the caller passed: a region, a header name…).
#[derive(Default)]
struct Judge {
    secrets: Vec<String>,
    echoable: Vec<String>,
}

impl Judge {
    fn secret(mut self, value: &str) -> Self {
        self.secrets.push(value.to_string());
        self
    }

    fn echoable<'a>(mut self, values: impl IntoIterator<Item = &'a str>) -> Self {
        self.echoable.extend(values.into_iter().map(str::to_string));
        self
    }

    /// Fails if `shown` (a message, a `Debug` form) contains a secret that is not also one of
    /// the echoable inputs.
    fn no_leak(&self, entry: &str, shown: &str) -> Result<(), TestCaseError> {
        for secret in &self.secrets {
            let checkable = secret.len() >= MIN_LEAK_CHECKED_LEN && !self.echoable.iter().any(|e| e.contains(secret));
            prop_assert!(!(checkable && shown.contains(secret.as_str())), "{entry} leaked a secret: {shown:?}");
        }
        Ok(())
    }

    /// `Ok` passes; an `Err` must carry a SCREAMING_SNAKE code and a hint and leak nothing.
    fn result<T>(&self, entry: &str, result: presign::Result<T>) -> Result<Option<T>, TestCaseError> {
        match result {
            Ok(value) => Ok(Some(value)),
            Err(err) => {
                self.error(entry, &err)?;
                Ok(None)
            }
        }
    }

    fn error(&self, entry: &str, err: &Error) -> Result<(), TestCaseError> {
        let code = err.code();
        let screaming_snake = !code.is_empty()
            && code.bytes().all(|b| b.is_ascii_uppercase() || b == b'_')
            && !code.starts_with('_')
            && !code.ends_with('_');
        prop_assert!(screaming_snake, "{entry}: bad error code {code:?}");
        prop_assert!(!err.hint().is_empty(), "{entry}: {code} has no hint");
        self.no_leak(entry, &err.to_string())?;
        self.no_leak(entry, &format!("{err:?}"))
    }
}

// ---------------------------------------------------------------------------------------------
// One helper per entry point
// ---------------------------------------------------------------------------------------------

fn check_credentials_new(judge: &Judge, id: &str, secret: &str) -> Result<Option<Credentials>, TestCaseError> {
    let credentials = judge.result("Credentials::new", Credentials::new(id, secret))?;
    if let Some(c) = &credentials {
        judge.no_leak("Credentials Debug", &format!("{c:?}"))?;
        judge.no_leak("Credentials Display", &c.to_string())?;
    }
    Ok(credentials)
}

fn check_with_session_token(
    judge: &Judge,
    credentials: Credentials,
    token: &str,
) -> Result<Option<Credentials>, TestCaseError> {
    let credentials = judge.result("Credentials::with_session_token", credentials.with_session_token(token))?;
    if let Some(c) = &credentials {
        judge.no_leak("Credentials Debug", &format!("{c:?}"))?;
        judge.no_leak("Credentials Display", &c.to_string())?;
        // The signer keeps its own encoded copy of the token.
        judge.no_leak("Signer Debug", &format!("{:?}", Signer::new(c.clone())))?;
    }
    Ok(credentials)
}

/// `vars` holds `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and `AWS_SESSION_TOKEN`.
fn check_from_lookup(judge: &Judge, vars: &[Option<String>; 3]) -> Result<(), TestCaseError> {
    let lookup = |name: &str| match name {
        "AWS_ACCESS_KEY_ID" => vars[0].clone(),
        "AWS_SECRET_ACCESS_KEY" => vars[1].clone(),
        "AWS_SESSION_TOKEN" => vars[2].clone(),
        _ => None,
    };
    judge.result("Credentials::from_lookup", Credentials::from_lookup(lookup)).map(drop)
}

fn check_config_s3(judge: &Judge, region: &str) -> Result<Option<SigningConfig>, TestCaseError> {
    judge.result("SigningConfig::s3", SigningConfig::s3(region))
}

fn check_config_new(judge: &Judge, region: &str, service: &str) -> Result<Option<SigningConfig>, TestCaseError> {
    judge.result("SigningConfig::new", SigningConfig::new(region, service))
}

fn check_amz_date_parse(judge: &Judge, text: &str) -> Result<(), TestCaseError> {
    if let Some(date) = judge.result("AmzDate::parse", AmzDate::parse(text))? {
        prop_assert_eq!(date.as_str(), text, "a parsed date must print as it was written");
    }
    Ok(())
}

fn check_amz_date_new(judge: &Judge, time: OffsetDateTime) -> Result<Option<AmzDate>, TestCaseError> {
    let date = judge.result("AmzDate::new", AmzDate::new(time))?;
    if let Some(date) = &date {
        prop_assert_eq!(date.as_str().len(), 16);
    }
    Ok(date)
}

fn check_signing_key_derive(secret: &str, date: &str, region: &str, service: &str) -> Result<(), TestCaseError> {
    let key = SigningKey::derive(secret, date, region, service);
    let again = SigningKey::derive(secret, date, region, service);
    prop_assert_eq!(key.as_bytes(), again.as_bytes(), "derivation must be deterministic");
    Ok(())
}

/// Everything one signing call needs, arbitrary.
struct SignCase<'a> {
    signer: &'a Signer,
    request: Request<'a>,
    config: &'a SigningConfig,
    expires_in: Duration,
    now: OffsetDateTime,
}

fn check_presign_at(judge: &Judge, case: &SignCase<'_>) -> Result<(), TestCaseError> {
    let url = case.signer.presign_at(&case.request, case.config, case.expires_in, case.now);
    if let Some(url) = judge.result("Signer::presign_at", url)? {
        let signed =
            url.path_and_query().strip_suffix(url.signature()).is_some_and(|s| s.ends_with("X-Amz-Signature="));
        prop_assert!(signed, "the URL must end with its signature");
    }
    Ok(())
}

fn check_presign_into(judge: &Judge, case: &SignCase<'_>, prefix: &str) -> Result<(), TestCaseError> {
    let mut out = prefix.to_string();
    let result = case.signer.presign_into(&case.request, case.config, case.expires_in, case.now, &mut out);
    match judge.result("Signer::presign_into", result)? {
        Some(_) => prop_assert!(out.starts_with(prefix), "presign_into must append"),
        None => prop_assert_eq!(out.as_str(), prefix, "presign_into must leave `out` unchanged on error"),
    }
    Ok(())
}

fn check_presign_now(judge: &Judge, case: &SignCase<'_>) -> Result<(), TestCaseError> {
    judge.result("Signer::presign", case.signer.presign(&case.request, case.config, case.expires_in)).map(drop)
}

fn check_sign_headers_at(judge: &Judge, case: &SignCase<'_>) -> Result<(), TestCaseError> {
    let signed = case.signer.sign_headers_at(&case.request, case.config, case.now);
    if let Some(signed) = judge.result("Signer::sign_headers_at", signed)? {
        prop_assert!(signed.authorization().ends_with(signed.signature()));
    }
    Ok(())
}

fn check_sign_headers_now(judge: &Judge, case: &SignCase<'_>) -> Result<(), TestCaseError> {
    judge.result("Signer::sign_headers", case.signer.sign_headers(&case.request, case.config)).map(drop)
}

fn check_explain_presign(judge: &Judge, case: &SignCase<'_>) -> Result<(), TestCaseError> {
    let explained = case.signer.explain_presign(&case.request, case.config, case.expires_in, case.now);
    judge.result("Signer::explain_presign", explained).map(drop)
}

fn check_explain_headers(judge: &Judge, case: &SignCase<'_>) -> Result<(), TestCaseError> {
    judge.result("Signer::explain_headers", case.signer.explain_headers(&case.request, case.config, case.now)).map(drop)
}

fn check_sign_string(judge: &Judge, case: &SignCase<'_>, string_to_sign: &str) -> Result<(), TestCaseError> {
    let date = match judge.result("AmzDate::new", AmzDate::new(case.now))? {
        Some(date) => date,
        None => AmzDate::parse("20130524T000000Z").map_err(|e| TestCaseError::fail(e.to_string()))?,
    };
    let signature = case.signer.sign_string(string_to_sign, &date, case.config);
    prop_assert!(signature.len() == 64 && signature.bytes().all(|b| b.is_ascii_hexdigit()));
    prop_assert_eq!(case.signer.signing_key(&date, case.config).as_bytes().len(), 32);
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// One helper per entry point of the S3 layer
// ---------------------------------------------------------------------------------------------

fn check_region(judge: &Judge, code: &str) -> Result<Option<Region>, TestCaseError> {
    if let Some(region) = judge.result("Region::from_str", Region::from_str(code))? {
        prop_assert_eq!(region.code(), code, "a parsed region keeps its code");
    }
    let region = judge.result("Region::custom", Region::custom(code))?;
    if let Some(region) = &region {
        prop_assert_eq!(region.code(), code, "a custom region keeps its code");
    }
    Ok(region)
}

fn check_bucket_name(judge: &Judge, name: &str) -> Result<Option<BucketName>, TestCaseError> {
    let strict = judge.result("BucketName::new", BucketName::new(name))?;
    let legacy = judge.result("BucketName::legacy", BucketName::legacy(name))?;
    if let Some(strict) = &strict {
        prop_assert_eq!(Some(strict), legacy.as_ref(), "a valid name is also a valid legacy name, unchanged");
    }
    Ok(strict.or(legacy))
}

fn check_object_key(judge: &Judge, key: &str) -> Result<Option<ObjectKey>, TestCaseError> {
    let object_key = judge.result("ObjectKey::new", ObjectKey::new(key))?;
    if let Some(object_key) = &object_key {
        prop_assert_eq!(object_key.as_str(), key);
    }
    Ok(object_key)
}

/// A generated key is always a valid key.
fn check_upload_key(judge: &Judge, prefix: &str, file_name: &str) -> Result<(), TestCaseError> {
    let upload = UploadKey::generate(file_name);
    prop_assert!(ObjectKey::new(upload.key().as_str()).is_ok(), "UploadKey::generate made {:?}", upload.key());
    if let Some(upload) = judge.result("UploadKey::generate_under", UploadKey::generate_under(prefix, file_name))? {
        prop_assert!(upload.key().as_str().starts_with(prefix));
        prop_assert!(ObjectKey::new(upload.key().as_str()).is_ok());
    }
    Ok(())
}

fn check_storage_class(judge: &Judge, value: &str) -> Result<(), TestCaseError> {
    if let Some(class) = judge.result("StorageClass::from_str", StorageClass::from_str(value))? {
        prop_assert_eq!(class.as_str(), value);
    }
    Ok(())
}

/// Text inputs of the endpoint and bucket constructors.
struct Place<'a> {
    url: &'a str,
    account_id: &'a str,
    name: &'a str,
    region: Region,
}

fn check_endpoints(judge: &Judge, place: &Place<'_>) -> Result<Option<Endpoint>, TestCaseError> {
    let custom = judge.result("Endpoint::custom", Endpoint::custom(place.url, place.region.clone()))?;
    let r2 = judge.result("Endpoint::r2", Endpoint::r2(place.account_id))?;
    Ok(custom.or(r2))
}

/// Every bucket constructor; returns one that worked, to sign with.
fn check_buckets(
    judge: &Judge,
    place: &Place<'_>,
    name: Option<BucketName>,
    endpoint: Option<Endpoint>,
) -> Result<Option<Bucket>, TestCaseError> {
    let (url, account_id, name_text, region) = (place.url, place.account_id, place.name, place.region.clone());
    let mut buckets = vec![
        judge.result("Bucket::aws", Bucket::aws(name_text, region.clone()))?,
        judge.result("Bucket::r2", Bucket::r2(account_id, name_text))?,
        judge.result("Bucket::custom", Bucket::custom(url, region, name_text))?,
    ];
    if let (Some(name), Some(endpoint)) = (name, endpoint) {
        buckets.push(judge.result("Bucket::new", Bucket::new(name, endpoint))?);
    }
    for bucket in buckets.iter().flatten() {
        prop_assert!(bucket.origin().ends_with(bucket.host()), "{:?}", bucket);
    }
    Ok(buckets.into_iter().flatten().next())
}

fn check_cdn_domain(judge: &Judge, domain: &str) -> Result<(), TestCaseError> {
    judge.result("CdnDomain::new", CdnDomain::new(domain)).map(drop)
}

/// KMS context, key id and SSE-C key parsing; the SSE-C key text is a secret.
fn check_encryption_inputs(judge: &Judge, json: &str, key_id: &str, customer_key: &str) -> Result<(), TestCaseError> {
    judge.result("KmsContext::from_json", KmsContext::from_json(json))?;
    judge.result("Encryption::kms", Encryption::kms(key_id))?;
    let key_judge = Judge { secrets: vec![customer_key.to_string()], ..Judge::default() };
    if let Some(key) = key_judge.result("CustomerKey::from_base64", CustomerKey::from_base64(customer_key))? {
        key_judge.no_leak("CustomerKey Debug", &format!("{key:?}"))?;
    }
    Ok(())
}

fn check_option_values(judge: &Judge, name: &str, value: &str, algorithm: usize) -> Result<(), TestCaseError> {
    judge.result("Metadata::insert", Metadata::new().insert(name, value))?;
    judge.result("Tagging::insert", Tagging::new().insert(name, value))?;
    let algorithm = ChecksumAlgorithm::ALL[algorithm % ChecksumAlgorithm::ALL.len()];
    judge.result("Checksum::new", Checksum::new(algorithm, value))?;
    judge.result("ContentMd5::from_base64", ContentMd5::from_base64(value)).map(drop)
}

/// One option of `PresignRequest`, fed arbitrary values: `(which, text, text, number)`.
type OptionInput = (usize, String, String, u64);

/// The options that take strings or numbers, chosen by `which`.
fn with_option(request: PresignRequest, (which, a, b, n): &OptionInput) -> PresignRequest {
    let setters: [fn(PresignRequest, &str) -> PresignRequest; 15] = [
        PresignRequest::content_type,
        PresignRequest::content_disposition,
        PresignRequest::content_encoding,
        PresignRequest::content_language,
        PresignRequest::cache_control,
        PresignRequest::expires_header,
        PresignRequest::if_none_match,
        PresignRequest::if_match,
        PresignRequest::version_id,
        PresignRequest::response_content_type,
        PresignRequest::response_content_disposition,
        PresignRequest::response_content_encoding,
        PresignRequest::response_content_language,
        PresignRequest::response_cache_control,
        PresignRequest::response_expires,
    ];
    match which % (setters.len() + 6) {
        i if i < setters.len() => setters[i](request, a),
        15 => request.header(a, b),
        16 => request.query(a, b),
        17 => request.range(*n, n.wrapping_mul(3) >> 1),
        18 => request.part_number(*n as u32),
        19 => request.content_length(*n),
        _ => request.if_none_match_any(),
    }
}

/// Everything a `PresignRequest` is built from, arbitrary.
struct PresignInputs<'a> {
    method: &'a str,
    key: &'a str,
    options: &'a [OptionInput],
    customer_key: Option<[u8; 32]>,
    expires_in: Duration,
    clamp: bool,
}

fn check_presign_request(
    judge: &Judge,
    signer: &Signer,
    bucket: &Bucket,
    inputs: &PresignInputs<'_>,
    now: OffsetDateTime,
) -> Result<(), TestCaseError> {
    let method = judge.result("Method::from_str", Method::from_str(inputs.method))?.unwrap_or(Method::Put);
    let key = ObjectKey::new(inputs.key).unwrap_or_else(|_| ObjectKey::new("fallback").expect("valid key"));
    let mut request = PresignRequest::new(method, bucket, key).expires_in(inputs.expires_in);
    request = inputs.options.iter().fold(request, with_option);
    if let Some(key) = inputs.customer_key {
        request = request.encryption(Encryption::SseC(CustomerKey::new(key)));
    }
    if inputs.clamp {
        request = request.clamp_expiry_to_credentials();
    }
    if let Some(signed) = judge.result("PresignRequest::sign_at", request.sign_at(signer, now))? {
        prop_assert!(signed.url().starts_with(bucket.origin()));
        let headers = signed.headers().to_vec();
        let sorted = headers.windows(2).all(|pair| pair[0].0 < pair[1].0);
        prop_assert!(sorted && headers.iter().all(|(n, _)| *n == n.to_ascii_lowercase()));
        prop_assert_eq!(headers.len(), signed.headers().len());
        judge.no_leak("PresignedRequest Debug", &format!("{signed:?}"))?;
        judge.no_leak("PresignedRequest Display", &signed.to_string())?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Generators
// ---------------------------------------------------------------------------------------------

/// Any string: controls and any Unicode, empty, short, or kilobytes long.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "(?s).{0,24}",
        3 => "[ -~]{0,24}",
        1 => Just(String::new()),
        1 => prop::collection::vec(any::<char>(), 0..4096).prop_map(String::from_iter),
    ]
}

/// Mostly `valid`, sometimes anything: keeps early validation from hiding the later code.
fn valid_or_any(valid: &'static [&'static str]) -> impl Strategy<Value = String> {
    prop_oneof![2 => prop::sample::select(valid).prop_map(String::from), 1 => text()]
}

/// The range of Unix timestamps the `time` crate represents with the enabled features.
fn timestamp_range() -> (i64, i64) {
    (PrimitiveDateTime::MIN.assume_utc().unix_timestamp(), PrimitiveDateTime::MAX.assume_utc().unix_timestamp())
}

/// Any instant `time` can hold, in any UTC offset, including the extremes: the full `i64`
/// range clamped, plus the years around now.
fn times() -> impl Strategy<Value = OffsetDateTime> {
    let seconds = prop_oneof![
        2 => any::<i64>(),
        1 => Just(i64::MIN),
        1 => Just(i64::MAX),
        2 => {
            let (min, max) = timestamp_range();
            min..=max
        },
        2 => 0i64..=4_133_980_799,
    ];
    let offset = prop_oneof![Just(0), -86_399i32..=86_399];
    (seconds, 0u32..1_000_000_000, offset).prop_map(|(seconds, nanos, offset)| {
        let (min, max) = timestamp_range();
        let utc = OffsetDateTime::from_unix_timestamp(seconds.clamp(min, max)).unwrap_or(OffsetDateTime::UNIX_EPOCH);
        let local = PrimitiveDateTime::new(utc.date(), utc.time());
        let local = local.replace_nanosecond(nanos).unwrap_or(local);
        // The wall-clock time stays in range; its UTC equivalent may not, as a caller's may not.
        local.assume_offset(UtcOffset::from_whole_seconds(offset).unwrap_or(UtcOffset::UTC))
    })
}

fn durations() -> impl Strategy<Value = Duration> {
    prop_oneof![
        Just(Duration::ZERO),
        Just(Duration::MAX),
        (1u64..=604_800).prop_map(Duration::from_secs),
        (604_800u64..=604_801).prop_map(Duration::from_secs),
        (any::<u64>(), 0u32..1_000_000_000).prop_map(|(s, n)| Duration::new(s, n)),
        (0u64..10_000_000).prop_map(Duration::from_millis),
    ]
}

fn payloads() -> impl Strategy<Value = PayloadHash> {
    prop_oneof![Just(PayloadHash::Unsigned), any::<[u8; 32]>().prop_map(PayloadHash::Sha256)]
}

/// Credentials input: (access key id, secret, session token, expiry).
fn credential_inputs() -> impl Strategy<Value = (String, String, Option<String>, Option<OffsetDateTime>)> {
    (
        valid_or_any(&["AKIDEXAMPLE", "AKIAIOSFODNN7EXAMPLE"]),
        valid_or_any(&[FALLBACK_SECRET, "another-secret-value"]),
        prop::option::of(valid_or_any(&["FwoGZXIvYXdzEXAMPLETOKEN//+=", "IQoJb3JpZ2luX2VjEXAMPLE"])),
        prop::option::of(times()),
    )
}

/// A request: method, host, path, query, headers.
type RequestInputs = (String, String, String, Vec<(String, String)>, Vec<(String, String)>);

fn request_inputs() -> impl Strategy<Value = RequestInputs> {
    let header_name = valid_or_any(&["x-amz-meta-a", "Content-Type", "Host", "x-amz-date", "X-Amz-Content-Sha256"]);
    let query_name = valid_or_any(&["prefix", "uploads", "X-Amz-Signature", "x-amz-credential"]);
    (
        valid_or_any(&["GET", "PUT"]),
        valid_or_any(&["example.com", "127.0.0.1:9000", "[::1]:8080", "bucket.s3.amazonaws.com"]),
        prop_oneof![2 => text().prop_map(|t| format!("/{t}")), 1 => text()],
        prop::collection::vec((query_name, text()), 0..4),
        prop::collection::vec((header_name, text()), 0..4),
    )
}

/// A signing configuration: (S3 or generic, region, service, path mode, content-sha256 header).
fn config_inputs() -> impl Strategy<Value = (bool, String, String, bool, bool)> {
    (
        any::<bool>(),
        valid_or_any(&["us-east-1", "auto"]),
        valid_or_any(&["s3", "service"]),
        any::<bool>(),
        any::<bool>(),
    )
}

// ---------------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------------

fn pairs(owned: &[(String, String)]) -> Vec<(&str, &str)> {
    owned.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect()
}

/// Builds the signer (falling back to valid credentials so signing is always reached) and
/// returns it with the secrets it holds.
fn signer_for(
    (id, secret, token, expiry): &(String, String, Option<String>, Option<OffsetDateTime>),
) -> (Signer, Vec<String>) {
    let base = Credentials::new(id, secret)
        .map(|c| (c, secret.clone()))
        .or_else(|_| Credentials::new("AKIDEXAMPLE", FALLBACK_SECRET).map(|c| (c, FALLBACK_SECRET.to_string())));
    let (mut credentials, secret) = base.expect("the fallback credentials are valid");
    let mut secrets = vec![secret];
    if let Some(token) = token {
        if let Ok(with_token) = credentials.clone().with_session_token(token) {
            credentials = with_token;
            secrets.push(token.clone());
        }
    }
    if let Some(expiry) = expiry {
        credentials = credentials.with_expiry(*expiry);
    }
    (Signer::new(credentials), secrets)
}

fn config_for((s3, region, service, normalized, sha_header): &(bool, String, String, bool, bool)) -> SigningConfig {
    let config = if *s3 { SigningConfig::s3(region) } else { SigningConfig::new(region, service) };
    let config = config.or_else(|_| SigningConfig::s3("us-east-1")).expect("us-east-1 is a valid region");
    let mode = if *normalized { PathMode::Normalized } else { PathMode::S3 };
    config.with_path_mode(mode).with_content_sha256_header(*sha_header)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn credentials_never_panic(
        id in text(),
        secret in text(),
        token in text(),
        vars in [prop::option::of(text()), prop::option::of(text()), prop::option::of(text())],
    ) {
        let judge = Judge::default().secret(&secret).secret(&token).echoable([id.as_str()]);
        if let Some(credentials) = check_credentials_new(&judge, &id, &secret)? {
            check_with_session_token(&judge, credentials, &token)?;
        }
        let mut judge = Judge::default().echoable(vars[0].as_deref());
        judge.secrets.extend(vars[1..].iter().flatten().cloned());
        check_from_lookup(&judge, &vars)?;
    }

    #[test]
    fn configs_dates_and_keys_never_panic(
        region in text(),
        service in text(),
        date_text in prop_oneof![text(), "[0-9]{8}T[0-9]{6}Z"],
        time in times(),
        secret in text(),
    ) {
        let judge = Judge::default().echoable([region.as_str(), service.as_str(), date_text.as_str()]);
        check_config_s3(&judge, &region)?;
        check_config_new(&judge, &region, &service)?;
        check_amz_date_parse(&judge, &date_text)?;
        check_amz_date_new(&judge, time)?;
        check_signing_key_derive(&secret, &date_text, &region, &service)?;
    }

    #[test]
    fn signing_never_panics(
        credentials in credential_inputs(),
        (method, host, path, query, headers) in request_inputs(),
        payload in payloads(),
        config in config_inputs(),
        expires_in in durations(),
        now in times(),
        prefix in text(),
        string_to_sign in text(),
    ) {
        let (signer, secrets) = signer_for(&credentials);
        let config = config_for(&config);
        let (query_pairs, header_pairs) = (pairs(&query), pairs(&headers));
        let request = Request::new(&method, &host, &path).query(&query_pairs).headers(&header_pairs).payload(payload);
        let case = SignCase { signer: &signer, request, config: &config, expires_in, now };

        let mut judge = Judge { secrets, ..Judge::default() }
            .echoable([method.as_str(), host.as_str(), path.as_str(), credentials.0.as_str()])
            .echoable([config.region(), config.service()]);
        judge = judge.echoable(query.iter().chain(&headers).flat_map(|(n, v)| [n.as_str(), v.as_str()]));

        check_presign_at(&judge, &case)?;
        check_presign_into(&judge, &case, &prefix)?;
        check_presign_now(&judge, &case)?;
        check_sign_headers_at(&judge, &case)?;
        check_sign_headers_now(&judge, &case)?;
        check_explain_presign(&judge, &case)?;
        check_explain_headers(&judge, &case)?;
        check_sign_string(&judge, &case, &string_to_sign)?;
    }

    #[test]
    fn s3_values_never_panic(
        region in valid_or_any(&["us-east-1", "eu-west-1", "auto", "garage"]),
        name in valid_or_any(&["examplebucket", "my.bucket", "Legacy_Bucket"]),
        key in text(),
        (prefix, file_name) in (text(), text()),
        class in valid_or_any(&["STANDARD", "GLACIER_IR", "standard_ia"]),
        place in (
            valid_or_any(&["http://127.0.0.1:9000", "https://s3.example.com/", "HTTPS://[::1]:443"]),
            valid_or_any(&["023e105f4ecef8ad9ca31a8372d0c353"]),
        ),
        domain in valid_or_any(&["cdn.example.com", "d111111abcdef8.cloudfront.net"]),
        (json, key_id, customer_key) in (
            valid_or_any(&["{\"a\":\"1\"}", "{}", "{\"a\":1}"]),
            text(),
            valid_or_any(&["AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", "c2VjcmV0"]),
        ),
        (option_name, option_value, algorithm) in (text(), text(), any::<usize>()),
    ) {
        let judge = Judge::default().echoable([region.as_str(), name.as_str(), key.as_str(), class.as_str()]);
        let judge = judge.echoable([prefix.as_str(), file_name.as_str(), domain.as_str(), json.as_str()]);
        let judge = judge.echoable([key_id.as_str(), option_name.as_str(), option_value.as_str()]);
        let region = check_region(&judge, &region)?.unwrap_or(Region::UsEast1);
        let bucket_name = check_bucket_name(&judge, &name)?;
        check_object_key(&judge, &key)?;
        check_upload_key(&judge, &prefix, &file_name)?;
        check_storage_class(&judge, &class)?;
        let judge = judge.echoable([place.0.as_str(), place.1.as_str()]);
        let place = Place { url: &place.0, account_id: &place.1, name: &name, region };
        let endpoint = check_endpoints(&judge, &place)?;
        check_buckets(&judge, &place, bucket_name, endpoint)?;
        check_cdn_domain(&judge, &domain)?;
        check_encryption_inputs(&judge, &json, &key_id, &customer_key)?;
        check_option_values(&judge, &option_name, &option_value, algorithm)?;
    }

    #[test]
    fn presign_requests_never_panic(
        credentials in credential_inputs(),
        (url, name) in (valid_or_any(&["http://127.0.0.1:9000", "https://s3.example.com"]), valid_or_any(&["bucket"])),
        region in valid_or_any(&["us-east-1", "eu-west-1", "auto"]),
        method in valid_or_any(&["GET", "PUT", "HEAD", "DELETE", "POST", "get"]),
        key in valid_or_any(&["photos/a b.jpg", "k"]),
        options in prop::collection::vec((any::<usize>(), valid_or_any(&["text/plain", "v1"]), text(), any::<u64>()), 0..4),
        customer_key in prop::option::of(any::<[u8; 32]>()),
        // Mostly a valid expiry and a plausible clock, so signing is reached often.
        expires_in in prop_oneof![3 => (1u64..=604_800).prop_map(Duration::from_secs), 1 => durations()],
        now in prop_oneof![
            3 => (946_684_800i64..=4_133_980_799).prop_map(|s| OffsetDateTime::from_unix_timestamp(s).expect("in range")),
            1 => times(),
        ],
        clamp in any::<bool>(),
    ) {
        let (signer, secrets) = signer_for(&credentials);
        let mut judge = Judge { secrets, ..Judge::default() };
        if let Some(customer_key) = &customer_key {
            // The base64 of the key, as the SSE-C header carries it.
            judge = judge.secret(&base64::Engine::encode(&base64::engine::general_purpose::STANDARD, customer_key));
        }
        let judge = judge.echoable([url.as_str(), name.as_str(), region.as_str(), method.as_str(), key.as_str()]);
        let judge = judge.echoable([credentials.0.as_str()]);
        let judge = judge.echoable(options.iter().flat_map(|(_, a, b, _)| [a.as_str(), b.as_str()]));
        let region = Region::custom(&region).unwrap_or(Region::UsEast1);
        let bucket = Bucket::custom(&url, region.clone(), &name)
            .or_else(|_| Bucket::custom("https://s3.example.com", region, "bucket"))
            .expect("the fallback bucket is valid");
        let inputs = PresignInputs { method: &method, key: &key, options: &options, customer_key, expires_in, clamp };
        check_presign_request(&judge, &signer, &bucket, &inputs, now)?;
    }

    #[test]
    fn part_urls_never_panic(
        credentials in credential_inputs(),
        upload_id in prop_oneof![2 => "[A-Za-z0-9._~/+=-]{1,60}", 1 => text()],
        key in valid_or_any(&["videos/a b.mp4", "k"]),
        size in prop_oneof![3 => (5u64 << 20)..(60u64 << 20), 1 => any::<u64>()],
        number in prop_oneof![3 => 0u32..16, 1 => any::<u32>()],
        bind in any::<bool>(),
        expires_in in prop_oneof![3 => (1u64..=604_800).prop_map(Duration::from_secs), 1 => durations()],
        now in times(),
    ) {
        let (signer, secrets) = signer_for(&credentials);
        let judge = Judge { secrets, ..Judge::default() };
        let judge = judge.echoable([upload_id.as_str(), key.as_str(), credentials.0.as_str()]);
        let bucket = Bucket::aws("videos", Region::EuWest1).expect("a valid bucket");
        let Some(key) = judge.result("ObjectKey::new", ObjectKey::new(&key))? else { return Ok(()) };
        let Some(plan) = judge.result("MultipartPlan::new", MultipartPlan::new(size, &bucket.limits()))? else {
            return Ok(());
        };
        let Some(urls) = judge.result("PartUrls::new", PartUrls::new(&bucket, &key, &upload_id, &plan))? else {
            return Ok(());
        };
        let urls = if bind { urls.expires_in(expires_in).bind_content_length() } else { urls.expires_in(expires_in) };
        judge.result("PartUrls::sign_part_at", urls.sign_part_at(&signer, number, now))?;
        // Every part only for small plans, to keep a thousand cases quick.
        if plan.part_count() <= 16 {
            if let Some(all) = judge.result("PartUrls::sign_all_at", urls.sign_all_at(&signer, now))? {
                judge.no_leak("SignedParts Debug", &format!("{all:?}"))?;
                for n in [0, 1, number, plan.part_count(), plan.part_count().saturating_add(1)] {
                    if let Some(part) = all.get(n) {
                        judge.no_leak("SignedPart Debug", &format!("{part:?}"))?;
                    }
                }
            }
        }
    }
}
