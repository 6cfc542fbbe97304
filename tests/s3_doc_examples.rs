//! The S3 worked examples of `../shared/vectors/s3-doc-examples.json` (see the vectors README):
//! the four header-signing examples, the presigned GET, the POST policy and the six derived
//! presigned URLs, all in S3 mode. Each section must hold exactly the records the README
//! describes, so a truncated file fails.

mod vectors_support;

use std::collections::BTreeMap;
use std::time::Duration;

use base64::Engine;
use presign::sigv4::{AmzDate, PayloadHash, Request, SignedHeaders, Signer, SigningConfig, SigningKey};
use serde::Deserialize;
use time::OffsetDateTime;
use vectors_support::{
    Outcome, all, at, decode_query, expect_eq, expect_presigned_wire, expect_same_params, pairs, param_set,
    read_vector, signer, split_target, step,
};

/// The headers the signer adds itself in S3 mode; the examples list them among the headers sent.
const SIGNER_HEADERS: [&str; 3] = ["host", "x-amz-date", "x-amz-content-sha256"];

#[derive(Deserialize)]
struct Examples {
    schema: String,
    sigv4_header_auth: Vec<HeaderExample>,
    sigv4_presigned_url: Vec<PresignExample>,
    post_policy: Vec<PostPolicy>,
    derived_sigv4_presigned_url: Derived,
}

#[derive(Deserialize)]
struct HeaderExample {
    id: String,
    inputs: HttpInputs,
    expected: HeaderExpected,
}

/// `inputs` of the header and presign examples.
#[derive(Deserialize)]
struct HttpInputs {
    method: String,
    host: String,
    path: String,
    query: String,
    headers: BTreeMap<String, String>,
    #[serde(default)]
    payload_utf8: String,
    amz_date: String,
    #[serde(default)]
    expires_seconds: u64,
    region: String,
    service: String,
    access_key_id: String,
    secret_access_key: String,
}

#[derive(Deserialize)]
struct HeaderExpected {
    canonical_uri: String,
    canonical_query_string: String,
    canonical_request: String,
    string_to_sign: String,
    signature: String,
    authorization: String,
}

#[derive(Deserialize)]
struct PresignExample {
    id: String,
    inputs: HttpInputs,
    expected: PresignExpected,
}

#[derive(Deserialize)]
struct PresignExpected {
    #[serde(default)]
    canonical_uri: Option<String>,
    canonical_request: String,
    string_to_sign: String,
    #[serde(default)]
    signing_key_hex: Option<String>,
    signature: String,
    url: String,
}

#[derive(Deserialize)]
struct PostPolicy {
    id: String,
    inputs: PostInputs,
    expected: PostExpected,
}

#[derive(Deserialize)]
struct PostInputs {
    access_key_id: String,
    secret_access_key: String,
    signing_date: String,
    region: String,
    policy_json: String,
}

#[derive(Deserialize)]
struct PostExpected {
    policy_base64: String,
    policy_utf8_length_bytes: usize,
    string_to_sign: String,
    signing_key_hex: String,
    signature: String,
}

#[derive(Deserialize)]
struct Derived {
    cases: Vec<DerivedCase>,
}

#[derive(Deserialize)]
struct DerivedCase {
    id: String,
    method: String,
    host: String,
    key: String,
    extra_query: Vec<(String, String)>,
    expires_seconds: u64,
    session_token: Option<String>,
    region: String,
    signed_headers_extra: BTreeMap<String, String>,
    amz_date: String,
    access_key_id: String,
    secret_access_key: String,
    expected: PresignExpected,
}

fn examples() -> Examples {
    let text = read_vector("s3-doc-examples.json").unwrap_or_else(|e| panic!("{e}"));
    let examples: Examples = serde_json::from_str(&text).unwrap_or_else(|e| panic!("s3-doc-examples.json: {e}"));
    assert_eq!(examples.schema, "s3-doc-examples/1", "unknown schema");
    examples
}

/// Runs `check` on every record, prints the count, and fails unless the section holds exactly
/// `expected` records and all of them pass.
fn run_section<T>(section: &str, records: &[T], expected: usize, id: fn(&T) -> &str, check: fn(&T) -> Outcome) {
    let failures: Vec<String> =
        records.iter().filter_map(|r| check(r).err().map(|report| format!("{}:\n{report}", id(r)))).collect();
    println!("{section}: {} of {} records passed", records.len() - failures.len(), records.len());
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    assert_eq!(records.len(), expected, "{section}: expected {expected} records (vectors README)");
}

#[test]
fn sigv4_header_auth_examples() {
    run_section("sigv4_header_auth", &examples().sigv4_header_auth, 4, |r| &r.id, header_example);
}

#[test]
fn sigv4_presigned_url_example() {
    run_section("sigv4_presigned_url", &examples().sigv4_presigned_url, 1, |r| &r.id, presign_example);
}

#[test]
fn post_policy_example() {
    run_section("post_policy", &examples().post_policy, 1, |r| &r.id, post_policy);
}

#[test]
fn derived_presigned_url_cases() {
    run_section("derived_sigv4_presigned_url", &examples().derived_sigv4_presigned_url.cases, 6, |r| &r.id, derived);
}

/// An S3 configuration for `region`, refusing examples for another service.
fn s3_config(service: &str, region: &str) -> Result<SigningConfig, String> {
    expect_eq("service", "s3", service)?;
    step("SigningConfig::s3", SigningConfig::s3(region))
}

/// Line `index` of a canonical request (1: canonical URI, 2: canonical query string).
fn creq_line(creq: &str, index: usize) -> &str {
    creq.split('\n').nth(index).unwrap_or_default()
}

// ---------------------------------------------------------------------------------------------
// sigv4_header_auth

fn header_example(example: &HeaderExample) -> Outcome {
    let (inputs, expected) = (&example.inputs, &example.expected);
    let config = s3_config(&inputs.service, &inputs.region)?;
    let signer = signer(&inputs.access_key_id, &inputs.secret_access_key, None)?;
    let now = at(&inputs.amz_date)?;
    let headers: Vec<(&str, &str)> = inputs
        .headers
        .iter()
        .filter(|(name, _)| !SIGNER_HEADERS.contains(&name.to_ascii_lowercase().as_str()))
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let query = decode_query(&inputs.query)?;
    let query = pairs(&query);
    let payload = PayloadHash::of(inputs.payload_utf8.as_bytes());
    let request =
        Request::new(&inputs.method, &inputs.host, &inputs.path).query(&query).headers(&headers).payload(payload);
    let explained = step("explain_headers", signer.explain_headers(&request, &config, now))?;
    let signed = step("sign_headers_at", signer.sign_headers_at(&request, &config, now))?;
    let creq = &explained.canonical_request;
    all([
        expect_eq("canonical URI", &expected.canonical_uri, creq_line(creq, 1)),
        expect_eq("canonical query string", &expected.canonical_query_string, creq_line(creq, 2)),
        expect_eq("canonical request", &expected.canonical_request, creq),
        expect_eq("string to sign", &expected.string_to_sign, &explained.string_to_sign),
        expect_eq("signature", &expected.signature, &explained.signature),
        // The doc writes the components with "," only; we write ", " like the AWS SDKs.
        expect_eq("Authorization (doc style)", &expected.authorization, &signed.authorization().replace(", ", ",")),
        expect_signer_headers(&inputs.headers, &inputs.host, &signed),
    ])
}

/// The example's `Host` is the request's host, and every header the signer added (besides
/// `authorization`) carries the value the example sent.
fn expect_signer_headers(example: &BTreeMap<String, String>, host: &str, signed: &SignedHeaders) -> Outcome {
    let given = |name: &str| {
        example.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map_or("(absent from the example)", |(_, v)| v)
    };
    let added = signed.headers().iter().filter(|(name, _)| *name != "authorization");
    let checks = added.map(|(name, value)| expect_eq(&format!("{name} added by the signer"), given(name), value));
    all(checks.chain([expect_eq("Host", given("host"), host)]))
}

// ---------------------------------------------------------------------------------------------
// Presigned URLs

/// Presigns `request` and checks everything `expected` gives: intermediate values, the exact
/// wire form, and the parameters and path of the expected URL (whose order may differ).
fn expect_presign(
    signer: &Signer,
    request: &Request<'_>,
    config: &SigningConfig,
    (expires, now): (Duration, OffsetDateTime),
    host: &str,
    expected: &PresignExpected,
) -> Outcome {
    let explained = step("explain_presign", signer.explain_presign(request, config, expires, now))?;
    let url = step("presign_at", signer.presign_at(request, config, expires, now))?;
    let expected_tail = expected.url.strip_prefix(&format!("https://{host}")).ok_or("url is not https://host/…")?;
    let creq = &explained.canonical_request;
    let uri = expected.canonical_uri.as_deref().map(|e| expect_eq("canonical URI", e, creq_line(creq, 1)));
    all([
        uri.unwrap_or(Ok(())),
        expect_eq("canonical request", &expected.canonical_request, creq),
        expect_eq("string to sign", &expected.string_to_sign, &explained.string_to_sign),
        expect_eq("signature", &expected.signature, &explained.signature),
        expect_eq("presign_at signature", &expected.signature, url.signature()),
        expect_presigned_wire(&expected.canonical_request, &expected.signature, url.path_and_query()),
        expect_eq("URL path", split_target(expected_tail).0, split_target(url.path_and_query()).0),
        expect_same_params("URL query parameters", &param_set(expected_tail)?, &param_set(url.path_and_query())?),
    ])
}

fn presign_example(example: &PresignExample) -> Outcome {
    let (inputs, expected) = (&example.inputs, &example.expected);
    let config = s3_config(&inputs.service, &inputs.region)?;
    let signer = signer(&inputs.access_key_id, &inputs.secret_access_key, None)?;
    let date = step("AmzDate::parse", AmzDate::parse(&inputs.amz_date))?;
    // The only header the example sends is Host, which the signer takes as the host.
    let others: Vec<&String> = inputs.headers.keys().filter(|n| !n.eq_ignore_ascii_case("host")).collect();
    if !others.is_empty() {
        return Err(format!("the presign example now sends more headers than Host: {others:?}"));
    }
    let query = decode_query(&inputs.query)?;
    let query = pairs(&query);
    let request = Request::new(&inputs.method, &inputs.host, &inputs.path).query(&query);
    let timing = (Duration::from_secs(inputs.expires_seconds), date.instant());
    let derived = SigningKey::derive(&inputs.secret_access_key, date.date_stamp(), &inputs.region, "s3");
    let key_hex = expected.signing_key_hex.as_deref().ok_or("the example has no signing_key_hex")?;
    all([
        expect_eq("Host header", inputs.headers.get("Host").map_or("", String::as_str), &inputs.host),
        expect_eq("SigningKey::derive", key_hex, &hex::encode(derived.as_bytes())),
        expect_eq("Signer::signing_key", key_hex, &hex::encode(signer.signing_key(&date, &config).as_bytes())),
        expect_presign(&signer, &request, &config, timing, &inputs.host, expected),
    ])
}

/// Keys are raw; the path is `/` followed by the key (which starts with the bucket for the
/// path-style case).
fn derived(case: &DerivedCase) -> Outcome {
    let config = step("SigningConfig::s3", SigningConfig::s3(&case.region))?;
    let signer = signer(&case.access_key_id, &case.secret_access_key, case.session_token.as_deref())?;
    let path = format!("/{}", case.key);
    let query = pairs(&case.extra_query);
    let headers: Vec<(&str, &str)> = case.signed_headers_extra.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
    let request = Request::new(&case.method, &case.host, &path).query(&query).headers(&headers);
    let timing = (Duration::from_secs(case.expires_seconds), at(&case.amz_date)?);
    if case.expected.canonical_uri.is_none() {
        return Err("the case has no canonical_uri".into());
    }
    expect_presign(&signer, &request, &config, timing, &case.host, &case.expected)
}

// ---------------------------------------------------------------------------------------------
// post_policy

/// The string to sign of a POST policy is the base64 policy itself; it is signed with the key
/// of the policy's date, region and `s3`.
fn post_policy(example: &PostPolicy) -> Outcome {
    let (inputs, expected) = (&example.inputs, &example.expected);
    let policy = &inputs.policy_json;
    // The signature only matches with CRLF line endings (vectors README).
    if policy.matches('\n').count() != policy.matches("\r\n").count() || !policy.contains("\r\n") {
        return Err("policy_json is not CRLF throughout".into());
    }
    let encoded = base64::engine::general_purpose::STANDARD.encode(policy.as_bytes());
    let date = step("AmzDate::parse", AmzDate::parse(&format!("{}T000000Z", inputs.signing_date)))?;
    let config = step("SigningConfig::s3", SigningConfig::s3(&inputs.region))?;
    let signer = signer(&inputs.access_key_id, &inputs.secret_access_key, None)?;
    all([
        expect_eq("policy length", &expected.policy_utf8_length_bytes.to_string(), &policy.len().to_string()),
        expect_eq("base64 of policy_json", &expected.policy_base64, &encoded),
        expect_eq("string to sign (the base64 policy)", &expected.string_to_sign, &expected.policy_base64),
        expect_eq(
            "signing key",
            &expected.signing_key_hex,
            &hex::encode(signer.signing_key(&date, &config).as_bytes()),
        ),
        expect_eq("signature", &expected.signature, &signer.sign_string(&expected.policy_base64, &date, &config)),
    ])
}
