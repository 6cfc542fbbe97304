//! The `presign` example, run as a user runs it: the built binary, its arguments, its
//! environment, its stdout, stderr and exit status.
//!
//! What the URLs must be comes from authorities: the S3 documentation's presigned example
//! (byte for byte), the official `aws-sigv4` signer (for hosts and inputs the docs do not
//! cover, including random ones), and S3's documented header names and values for the typed
//! flags. The library's own output is used only to check that the CLI wires flags to it.
//!
//! The binary is built by `cargo test` (examples are built with the tests); this file finds it
//! at `target/<profile>/examples/presign`.

mod differential_support;
#[allow(dead_code)] // Each test crate uses a different part of the shared helpers.
mod vectors_support;

mod cli_support;
use cli_support::binary;
use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::process::Command;
use std::time::{Duration, SystemTime};

use aws_sigv4::http_request::{SignableBody, SignatureLocation};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use differential_support::{Scope, TheirRequest, texts, their_sign, their_url};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use presign::Credentials;
use presign::s3::{
    Bucket, Checksum, ChecksumAlgorithm, Encryption, KmsContext, Metadata, ObjectKey, PresignRequest, Region,
    StorageClass, Tagging,
};
use presign::sigv4::{AmzDate, Signer};
use proptest::prelude::*;
use proptest::sample::select;
use serde_json::Value;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use vectors_support::{all, expect_eq, expect_same_params, param_set, read_vector, split_target};

/// Any valid credentials do for the tests that are not the doc example; these are the doc's.
const AKID: &str = "AKIAIOSFODNN7EXAMPLE";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

/// Credentials whose secret parts must never reach stderr.
const LEAK_SECRET: &str = "leakCheck/SECRET+KEY/0123456789abcdefABCD";
const LEAK_TOKEN: &str = "leakCheckTOKEN//////////FwoGZXIvYXdzEJr+TOKEN=";

/// A presigned URL pasted where `s3://BUCKET/KEY` belongs: its token must not be echoed.
const LEAK_URL: &str = "https://b.s3.amazonaws.com/k?X-Amz-Security-Token=leakCheckTOKEN%2F%2F%2F&X-Amz-Signature=00";

/// The instant and lifetime of the fixed-date tests: 2024-05-24T12:00:00Z, ten minutes.
const DATE: &str = "20240524T120000Z";
const EXPIRES: &str = "600";

// ---------------------------------------------------------------------------------------------
// Running the binary
// ---------------------------------------------------------------------------------------------

/// What one run of the CLI did.
#[derive(Debug)]
struct Run {
    status: Option<i32>,
    stdout: String,
    stderr: String,
}

/// Runs the CLI with exactly `env` as its environment.
fn run<S: AsRef<OsStr>>(args: impl IntoIterator<Item = S>, env: &[(&str, &str)]) -> Run {
    let output = Command::new(binary())
        .args(args)
        .env_clear()
        .envs(env.iter().copied())
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", binary().display()));
    Run {
        status: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

fn credentials_env<'a>(akid: &'a str, secret: &'a str) -> [(&'static str, &'a str); 2] {
    [("AWS_ACCESS_KEY_ID", akid), ("AWS_SECRET_ACCESS_KEY", secret)]
}

/// Runs with the doc credentials; the run must succeed and print one line.
fn run_ok(args: &[&str]) -> String {
    let run = run(args, &credentials_env(AKID, SECRET));
    assert!(run.status == Some(0) && run.stderr.is_empty(), "presign {args:?} failed: {run:?}");
    let line = run.stdout.strip_suffix('\n').unwrap_or_else(|| panic!("no final newline: {run:?}"));
    assert!(!line.contains('\n'), "more than one line: {run:?}");
    line.to_string()
}

fn run_json(args: &[&str]) -> Value {
    let line = run_ok(args);
    serde_json::from_str(&line).unwrap_or_else(|e| panic!("--json printed invalid JSON ({e}): {line}"))
}

// ---------------------------------------------------------------------------------------------
// The oracle: aws-sigv4, configured as the AWS SDK signs S3 presigned URLs
// ---------------------------------------------------------------------------------------------

/// RFC 3986 unreserved characters pass; everything else is `%XX` (SigV4's `UriEncode`).
const QUERY_COMPONENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');
/// The same, keeping `/` (S3 object keys).
const PATH: &AsciiSet = &QUERY_COMPONENT.remove(b'/');

/// One presigned request as a test expects it, everything raw (decoded).
#[derive(Debug, Clone)]
struct Expected {
    method: String,
    /// `scheme://host[:port]`.
    origin: String,
    /// The raw path: `/` + key, or `/` + bucket + `/` + key.
    path: String,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    region: String,
    time: SystemTime,
    expires: Duration,
    akid: String,
    secret: String,
    token: Option<String>,
}

impl Expected {
    /// `method` on `path` at `origin`, no extra headers or query, with the doc credentials,
    /// at [`DATE`] for [`EXPIRES`].
    fn new(method: &str, origin: &str, path: &str, region: &str) -> Expected {
        Expected {
            method: method.into(),
            origin: origin.into(),
            path: path.into(),
            query: Vec::new(),
            headers: Vec::new(),
            region: region.into(),
            time: at(DATE).into(),
            expires: Duration::from_secs(EXPIRES.parse().expect("EXPIRES is a number")),
            akid: AKID.into(),
            secret: SECRET.into(),
            token: None,
        }
    }

    /// The URI on the wire, which aws-sigv4 takes as already encoded.
    fn uri(&self) -> String {
        let mut uri = format!("{}{}", self.origin, utf8_percent_encode(&self.path, PATH));
        for (i, (name, value)) in self.query.iter().enumerate() {
            let (name, value) =
                (utf8_percent_encode(name, QUERY_COMPONENT), utf8_percent_encode(value, QUERY_COMPONENT));
            uri.push_str(&format!("{}{name}={value}", if i == 0 { '?' } else { '&' }));
        }
        uri
    }

    /// The presigned URL aws-sigv4 makes of it, applied the way the SDK applies it.
    fn aws_sigv4_url(&self) -> Result<String, String> {
        let scope = Scope {
            access_key_id: &self.akid,
            secret: &self.secret,
            token: self.token.as_deref(),
            region: &self.region,
            time: self.time,
        };
        let (uri, headers) = (self.uri(), vectors_support::pairs(&self.headers));
        let request = TheirRequest { method: &self.method, uri: &uri, headers: &headers };
        let location = SignatureLocation::QueryParams;
        let (instructions, _) =
            their_sign(&scope, &request, location, Some(self.expires), SignableBody::UnsignedPayload)?;
        Ok(their_url(&uri, instructions)?.to_string())
    }

    /// `Ok` when `url` is aws-sigv4's URL: same scheme, host and path, same parameters
    /// (signature included) whatever their order on the wire.
    fn check(&self, url: &str) -> Result<(), String> {
        let theirs = self.aws_sigv4_url()?;
        expect_eq("scheme, host and path", split_target(&theirs).0, split_target(url).0)?;
        expect_same_params("query parameters (aws-sigv4 first)", &param_set(&theirs)?, &param_set(url)?)
    }
}

fn at(amz_date: &str) -> OffsetDateTime {
    AmzDate::parse(amz_date).unwrap_or_else(|e| panic!("bad date {amz_date}: {e}")).instant()
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter().map(|&(n, v)| (n.to_string(), v.to_string())).collect()
}

// ---------------------------------------------------------------------------------------------
// URLs against the AWS documentation, aws-sigv4 and the library
// ---------------------------------------------------------------------------------------------

/// The S3 docs' presigned GET, byte for byte. The doc signs for the legacy global host
/// `examplebucket.s3.amazonaws.com`, which is that endpoint, virtual-hosted.
#[test]
fn the_doc_example_is_reproduced_byte_for_byte() {
    let text = read_vector("s3-doc-examples.json").unwrap_or_else(|e| panic!("{e}"));
    let vectors: Value = serde_json::from_str(&text).expect("s3-doc-examples.json is JSON");
    let case = &vectors["sigv4_presigned_url"][0];
    let (inputs, expected) = (&case["inputs"], &case["expected"]);
    let field = |name: &str| inputs[name].as_str().unwrap_or_else(|| panic!("inputs.{name} is missing"));
    assert_eq!((field("method"), field("host"), field("path")), ("GET", "examplebucket.s3.amazonaws.com", "/test.txt"));
    let expires = inputs["expires_seconds"].as_u64().expect("inputs.expires_seconds").to_string();
    let args = [
        "get",
        "s3://examplebucket/test.txt",
        "--endpoint",
        "https://s3.amazonaws.com",
        "--virtual-hosted",
        "--region",
        field("region"),
        "--expires",
        &expires,
        "--date",
        field("amz_date"),
    ];
    let run = run(args, &credentials_env(field("access_key_id"), field("secret_access_key")));
    let url = expected["url"].as_str().expect("expected.url");
    assert_eq!((run.status, run.stdout.as_str(), run.stderr.as_str()), (Some(0), &*format!("{url}\n"), ""));
}

/// The same request with the defaults: the regional virtual-hosted host (s3-spec §9), so
/// another signature than the doc's; aws-sigv4 and the library agree with the CLI.
#[test]
fn the_default_endpoint_is_regional_and_signed_as_aws_sigv4_and_the_library_sign_it() {
    let url = run_ok(&["get", "s3://examplebucket/test.txt", "--expires", "86400", "--date", "20130524T000000Z"]);
    assert!(url.starts_with("https://examplebucket.s3.us-east-1.amazonaws.com/test.txt?"), "{url}");
    assert!(!url.contains("aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"), "the host is signed");

    let mut expected =
        Expected::new("GET", "https://examplebucket.s3.us-east-1.amazonaws.com", "/test.txt", "us-east-1");
    (expected.time, expected.expires) = (at("20130524T000000Z").into(), Duration::from_secs(86400));
    expected.check(&url).unwrap_or_else(|e| panic!("{e}"));

    let signer = Signer::new(Credentials::new(AKID, SECRET).expect("doc credentials"));
    let bucket = Bucket::aws("examplebucket", Region::UsEast1).expect("bucket");
    let library = PresignRequest::get(&bucket, ObjectKey::new("test.txt").expect("key"))
        .expires_in(Duration::from_secs(86400))
        .sign_at(&signer, at("20130524T000000Z"))
        .expect("library signs");
    assert_eq!(url, library.url());
}

/// Every typed upload flag adds the header S3 documents, with S3's value; `--json` lists
/// exactly those (no `host`); the URL is aws-sigv4's for those headers and the library's JSON.
#[test]
fn typed_upload_flags_add_s3_headers_shown_by_json() {
    let body_sha256 = BASE64.encode(<sha2::Sha256 as sha2::Digest>::digest(b"hello world"));
    let context = r#"{"project":"x"}"#;
    let flags: [&[&str]; 12] = [
        &["put", "s3://examplebucket/uploads/photo 1.jpg", "--date", DATE, "--expires", EXPIRES, "--json"],
        &["--content-type", "image/jpeg"],
        &["--content-length", "11"],
        &["--storage-class", "STANDARD_IA"],
        &["--sse", "aws:kms", "--kms-key-id", "alias/uploads", "--kms-context", context, "--bucket-key"],
        &["--metadata", "owner=team-a"],
        &["--tagging", "project=x"],
        &["--tagging", "tier=gold a"],
        &["--acl", "bucket-owner-full-control"],
        &["--if-none-match"],
        &["--checksum-sha256", &body_sha256],
        &["--header", "Cache-Control: no-cache"],
    ];
    let json = run_json(&flags.concat());
    let headers = pairs(&[
        ("cache-control", "no-cache"),
        ("content-length", "11"),
        ("content-type", "image/jpeg"),
        ("if-none-match", "*"),
        ("x-amz-acl", "bucket-owner-full-control"),
        ("x-amz-checksum-sha256", &body_sha256),
        ("x-amz-meta-owner", "team-a"),
        ("x-amz-server-side-encryption", "aws:kms"),
        ("x-amz-server-side-encryption-aws-kms-key-id", "alias/uploads"),
        ("x-amz-server-side-encryption-bucket-key-enabled", "true"),
        ("x-amz-server-side-encryption-context", &BASE64.encode(context)),
        ("x-amz-storage-class", "STANDARD_IA"),
        // Tags are sent URL-encoded, as a query string (PutObject, x-amz-tagging).
        ("x-amz-tagging", "project=x&tier=gold%20a"),
    ]);
    assert_contract(&json, "PUT", &headers, "2024-05-24T12:10:00Z");
    let mut expected =
        Expected::new("PUT", "https://examplebucket.s3.us-east-1.amazonaws.com", "/uploads/photo 1.jpg", "us-east-1");
    expected.headers = headers;
    expected.check(json["url"].as_str().unwrap_or_default()).unwrap_or_else(|e| panic!("{e}"));

    let bucket = Bucket::aws("examplebucket", Region::UsEast1).expect("bucket");
    let library = PresignRequest::put(&bucket, ObjectKey::new("uploads/photo 1.jpg").expect("key"))
        .content_type("image/jpeg")
        .content_length(11)
        .storage_class(StorageClass::StandardIa)
        .encryption(
            Encryption::kms("alias/uploads")
                .and_then(|e| e.with_context(KmsContext::from_json(context)?))
                .and_then(|e| e.with_bucket_key(true))
                .expect("encryption"),
        )
        .metadata(Metadata::new().with("owner", "team-a").expect("metadata"))
        .tagging(Tagging::new().with("project", "x").and_then(|t| t.with("tier", "gold a")).expect("tags"))
        .acl("bucket-owner-full-control".parse().expect("acl"))
        .if_none_match_any()
        .checksum(Checksum::new(ChecksumAlgorithm::Sha256, &body_sha256).expect("checksum"))
        .header("Cache-Control", "no-cache")
        .expires_in(Duration::from_secs(600))
        .sign_at(&Signer::new(Credentials::new(AKID, SECRET).expect("creds")), at(DATE))
        .expect("library signs");
    assert_eq!(json, serde_json::to_value(&library).expect("library JSON"));
}

/// The read-side flags: SSE-C headers (the client must send the key), response overrides and
/// the version id in the query.
#[test]
fn typed_read_flags_add_sse_c_headers_and_query_parameters() {
    let key = *b"0123456789abcdef0123456789abcdef";
    let key_b64 = BASE64.encode(key);
    let key_md5 = BASE64.encode(<md5::Md5 as md5::Digest>::digest(key));
    let disposition = r#"attachment; filename="a b.pdf""#;
    let version = "3/L4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY";
    let flags: [&[&str]; 4] = [
        &["get", "s3://examplebucket/report.pdf", "--date", DATE, "--expires", EXPIRES, "--json"],
        &["--sse-c-key", &key_b64],
        &["--response-content-disposition", disposition],
        &["--version-id", version],
    ];
    let json = run_json(&flags.concat());
    let headers = pairs(&[
        ("x-amz-server-side-encryption-customer-algorithm", "AES256"),
        ("x-amz-server-side-encryption-customer-key", &key_b64),
        ("x-amz-server-side-encryption-customer-key-md5", &key_md5),
    ]);
    assert_contract(&json, "GET", &headers, "2024-05-24T12:10:00Z");
    let mut expected =
        Expected::new("GET", "https://examplebucket.s3.us-east-1.amazonaws.com", "/report.pdf", "us-east-1");
    expected.headers = headers;
    expected.query = pairs(&[("response-content-disposition", disposition), ("versionId", version)]);
    expected.check(json["url"].as_str().unwrap_or_default()).unwrap_or_else(|e| panic!("{e}"));
}

/// `{"method","url","headers","expiresAt"}` with exactly `headers`.
fn assert_contract(json: &Value, method: &str, headers: &[(String, String)], expires_at: &str) {
    let fields: Vec<&str> = json.as_object().map(|o| o.keys().map(String::as_str).collect()).unwrap_or_default();
    assert_eq!(fields, ["expiresAt", "headers", "method", "url"], "{json}");
    assert_eq!((json["method"].as_str(), json["expiresAt"].as_str()), (Some(method), Some(expires_at)), "{json}");
    let expected: BTreeMap<&str, &str> = headers.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
    let actual: BTreeMap<&str, &str> = json["headers"]
        .as_object()
        .map(|o| o.iter().map(|(n, v)| (n.as_str(), v.as_str().unwrap_or("<not a string>"))).collect())
        .unwrap_or_default();
    assert_eq!(actual, expected, "headers the client must send");
}

/// The endpoint flags choose the hosts of s3-spec §9 (and R2's, §12), each signed for the
/// right region as aws-sigv4 signs it.
#[test]
fn endpoint_flags_choose_the_documented_hosts() {
    let r2 = "023e105f4ecef8ad9ca31a8372d0c353";
    let cases: [(&[&str], &str, &str, &str); 8] = [
        (&["--region", "eu-west-1"], "https://photos.s3.eu-west-1.amazonaws.com", "/a/b.jpg", "eu-west-1"),
        (
            &["--region", "eu-west-1", "--path-style"],
            "https://s3.eu-west-1.amazonaws.com",
            "/photos/a/b.jpg",
            "eu-west-1",
        ),
        (&["--region", "cn-north-1"], "https://photos.s3.cn-north-1.amazonaws.com.cn", "/a/b.jpg", "cn-north-1"),
        (
            &["--dualstack", "--region", "us-west-2"],
            "https://photos.s3.dualstack.us-west-2.amazonaws.com",
            "/a/b.jpg",
            "us-west-2",
        ),
        (
            &["--fips", "--region", "us-gov-west-1"],
            "https://photos.s3-fips.us-gov-west-1.amazonaws.com",
            "/a/b.jpg",
            "us-gov-west-1",
        ),
        (
            &["--accelerate", "--region", "ap-south-1"],
            "https://photos.s3-accelerate.amazonaws.com",
            "/a/b.jpg",
            "ap-south-1",
        ),
        (&["--r2-account", r2], &format!("https://photos.{r2}.r2.cloudflarestorage.com"), "/a/b.jpg", "auto"),
        (
            &["--endpoint", "http://127.0.0.1:9000", "--region", "garage"],
            "http://127.0.0.1:9000",
            "/photos/a/b.jpg",
            "garage",
        ),
    ];
    let reports = cases.iter().map(|(flags, origin, path, region)| {
        let mut args = vec!["get", "s3://photos/a/b.jpg", "--date", DATE, "--expires", EXPIRES];
        args.extend_from_slice(flags);
        Expected::new("GET", origin, path, region).check(&run_ok(&args)).map_err(|e| format!("{flags:?}: {e}"))
    });
    all(reports.collect::<Vec<_>>()).unwrap_or_else(|e| panic!("{e}"));
}

/// `--flag=VALUE` is `--flag VALUE`; a session token is signed into the URL.
#[test]
fn inline_values_and_session_tokens() {
    let common = ["get", "s3://examplebucket/k", "--date", DATE];
    let separate = run_ok(&[&common[..], &["--expires", "600", "--query", "x-id=GetObject"]].concat());
    let inline = run_ok(&[&common[..], &["--expires=600", "--query=x-id=GetObject"]].concat());
    assert_eq!(separate, inline);

    let token = "FwoGZXIvYXdzEJr//////////wEaDGV4YW1wbGV0b2tlbg==";
    let env = [("AWS_ACCESS_KEY_ID", AKID), ("AWS_SECRET_ACCESS_KEY", SECRET), ("AWS_SESSION_TOKEN", token)];
    let run = run(common, &env);
    assert_eq!((run.status, run.stderr.as_str()), (Some(0), ""), "{run:?}");
    let mut expected = Expected::new("GET", "https://examplebucket.s3.us-east-1.amazonaws.com", "/k", "us-east-1");
    (expected.expires, expected.token) = (Duration::from_secs(3600), Some(token.to_string()));
    expected.check(run.stdout.trim_end()).unwrap_or_else(|e| panic!("{e}"));
}

// ---------------------------------------------------------------------------------------------
// Help and errors
// ---------------------------------------------------------------------------------------------

#[test]
fn help_prints_every_flag_and_exits_0() {
    for args in [&["--help"][..], &["-h"], &["help"], &["get", "s3://b/k", "--help"]] {
        let run = run(args, &[]);
        assert_eq!((run.status, run.stderr.as_str()), (Some(0), ""), "{args:?}: {run:?}");
        assert!(run.stdout.contains("Usage:") && run.stdout.contains("get|put|head|delete"), "{args:?}: {run:?}");
        let flags = [
            "--region",
            "--endpoint",
            "--path-style",
            "--expires",
            "--date",
            "--header",
            "--query",
            "--json",
            "--storage-class",
            "--sse",
            "--kms-key-id",
            "--kms-context",
            "--bucket-key",
            "--sse-c-key",
            "--content-type",
            "--content-length",
            "--metadata",
            "--tagging",
            "--acl",
            "--if-none-match",
            "--checksum-sha256",
            "--response-content-disposition",
            "--version-id",
            "--dualstack",
            "--accelerate",
            "--fips",
            "--r2-account",
        ];
        let missing: Vec<_> = flags.iter().filter(|f| !run.stdout.contains(&format!("{f} "))).collect();
        assert!(missing.is_empty(), "--help does not document {missing:?}");
    }
}

/// A base64 SSE-C key of the wrong length (33 bytes): it must not be echoed either.
const BAD_SSE_C_KEY: &str = "c2VjcmV0LXNzZS1jLWtleS1zZWNyZXQtc3NlLWMta2V5LXg=";

/// Bad input, and the code the error line must name.
const ERROR_CASES: &[(&[&str], &str)] = &[
    (&["get", "s3://examplebucket/k", "--region", "us-east-9"], "INVALID_REGION"),
    (&["get", "s3://examplebucket/k", "--endpoint", "http://127.0.0.1:9000", "--region", "us east"], "INVALID_REGION"),
    (&["get", "s3://examplebucket/k", "--expires", "0"], "INVALID_EXPIRY"),
    (&["get", "s3://examplebucket/k", "--expires", "604801"], "INVALID_EXPIRY"),
    (&["get", "s3://examplebucket/k", "--expires", "abc"], "INVALID_EXPIRY"),
    (&["get", "s3://examplebucket/k", "--expires", "-5"], "INVALID_EXPIRY"),
    (&["get", "s3://examplebucket/k", "--date", "2013-05-24T00:00:00Z"], "INVALID_DATE"),
    (&["get", "https://examplebucket.s3.amazonaws.com/k"], "INVALID_ARGUMENT"),
    (&["get", "examplebucket/k"], "INVALID_ARGUMENT"),
    (&["get", LEAK_URL], "INVALID_ARGUMENT"),
    (&["get", "s3://examplebucket/k", LEAK_URL], "INVALID_ARGUMENT"),
    (&["get", "s3://examplebucket"], "INVALID_ARGUMENT"),
    (&["get", "s3://examplebucket/"], "INVALID_KEY"),
    (&["get", "s3://examplebucket/a/../b"], "INVALID_KEY"),
    (&["get", "s3://Example_Bucket/k"], "INVALID_BUCKET"),
    (&["get", "s3://my.bucket/k"], "INVALID_BUCKET"),
    (&["get", "s3://examplebucket/k", "--bogus"], "INVALID_ARGUMENT"),
    (&["get", "s3://examplebucket/k", "-x"], "INVALID_ARGUMENT"),
    (&["get", "s3://examplebucket/k", "--region"], "INVALID_ARGUMENT"),
    (&["get", "s3://examplebucket/k", "--region", "--json"], "INVALID_ARGUMENT"),
    (&["get", "s3://examplebucket/k", "--region", "eu-west-1", "--region", "eu-west-2"], "INVALID_ARGUMENT"),
    (&["get", "s3://examplebucket/k", "--json=yes"], "INVALID_ARGUMENT"),
    (&["get", "s3://examplebucket/k", "s3://examplebucket/other"], "INVALID_ARGUMENT"),
    (&["get", "s3://examplebucket/k", "--header", "no-colon"], "INVALID_ARGUMENT"),
    (&["get", "s3://examplebucket/k", "--query", "=value"], "INVALID_ARGUMENT"),
    (&["get", "s3://examplebucket/k", "--path-style", "--virtual-hosted"], "INVALID_ARGUMENT"),
    (
        &["get", "s3://examplebucket/k", "--r2-account", "023e105f4ecef8ad9ca31a8372d0c353", "--region", "auto"],
        "INVALID_ARGUMENT",
    ),
    (&["get"], "INVALID_ARGUMENT"),
    (&["copy", "s3://examplebucket/k"], "INVALID_ARGUMENT"),
    (&[], "INVALID_ARGUMENT"),
    (&["--region", "eu-west-1", "get", "s3://examplebucket/k"], "INVALID_ARGUMENT"),
    (&["get", "s3://examplebucket/k", "--header", "X-Amz-Date: 20130524T000000Z"], "INVALID_HEADER"),
    (&["get", "s3://examplebucket/k", "--query", "X-Amz-Signature=0"], "INVALID_QUERY"),
    (&["get", "s3://examplebucket/k", "--storage-class", "STANDARD_IA"], "INVALID_OPTION"),
    (&["put", "s3://examplebucket/k", "--storage-class", "standard-ia"], "INVALID_STORAGE_CLASS"),
    (&["get", "s3://examplebucket/k", "--content-type", "text/plain"], "INVALID_OPTION"),
    (&["put", "s3://examplebucket/k", "--content-length", "many"], "INVALID_OPTION"),
    (&["put", "s3://examplebucket/k", "--metadata", "Owner=me"], "INVALID_OPTION"),
    (&["put", "s3://examplebucket/k", "--tagging", "aws:x=y"], "INVALID_OPTION"),
    (&["put", "s3://examplebucket/k", "--acl", "public"], "INVALID_OPTION"),
    (&["put", "s3://examplebucket/k", "--checksum-sha256", "DUoRhQ=="], "INVALID_OPTION"),
    (&["put", "s3://examplebucket/k", "--response-content-disposition", "inline"], "INVALID_OPTION"),
    (
        &["put", "s3://examplebucket/k", "--sse", "aws:kms", "--r2-account", "023e105f4ecef8ad9ca31a8372d0c353"],
        "UNSUPPORTED_BY_PROVIDER",
    ),
    (&["put", "s3://examplebucket/k", "--sse", "AES-256"], "INVALID_ENCRYPTION"),
    (&["put", "s3://examplebucket/k", "--sse", "AES256", "--kms-key-id", "alias/x"], "INVALID_ENCRYPTION"),
    (&["put", "s3://examplebucket/k", "--kms-key-id", "alias/x"], "INVALID_ENCRYPTION"),
    (&["put", "s3://examplebucket/k", "--sse", "aws:kms:dsse", "--bucket-key"], "INVALID_ENCRYPTION"),
    (&["put", "s3://examplebucket/k", "--sse", "aws:kms", "--kms-context", r#"{"a":1}"#], "INVALID_ENCRYPTION"),
    (&["get", "s3://examplebucket/k", "--sse", "AES256"], "INVALID_OPTION"),
    (&["get", "s3://examplebucket/k", "--sse-c-key", BAD_SSE_C_KEY], "INVALID_ENCRYPTION"),
    (&["put", "s3://examplebucket/k", "--sse", "AES256", "--sse-c-key", BAD_SSE_C_KEY], "INVALID_ENCRYPTION"),
    (&["get", "s3://examplebucket/k", "--fips", "--region", "eu-west-1"], "INVALID_ENDPOINT"),
    (&["get", "s3://examplebucket/k", "--accelerate", "--path-style"], "INVALID_ENDPOINT"),
    (&["get", "s3://examplebucket/k", "--endpoint", "ftp://127.0.0.1"], "INVALID_ENDPOINT"),
    (&["get", "s3://examplebucket/k", "--r2-account", "not-an-account"], "INVALID_ENDPOINT"),
];

/// Exit status 2, nothing on stdout, one `error: CODE: … (hint: …)` line on stderr, and none
/// of the secrets the process was given.
fn check_error(run: &Run, code: &str, secrets: &[&str]) -> Result<(), String> {
    let line_ok = run.stderr.starts_with(&format!("error: {code}: "))
        && run.stderr.ends_with(")\n")
        && run.stderr.contains(" (hint: ")
        && run.stderr.lines().count() == 1;
    let leaked: Vec<&&str> = secrets.iter().filter(|s| run.stderr.contains(**s)).collect();
    if run.status == Some(2) && run.stdout.is_empty() && line_ok && leaked.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "expected exit 2 and one `error: {code}: …` line without secrets (leaked: {leaked:?}); got {run:?}"
        ))
    }
}

#[test]
fn every_error_exits_2_with_its_code_on_one_line_and_leaks_no_secret() {
    let env = [("AWS_ACCESS_KEY_ID", AKID), ("AWS_SECRET_ACCESS_KEY", LEAK_SECRET), ("AWS_SESSION_TOKEN", LEAK_TOKEN)];
    let reports = ERROR_CASES.iter().map(|(args, code)| {
        check_error(&run(*args, &env), code, &[LEAK_SECRET, LEAK_TOKEN, "leakCheckTOKEN", BAD_SSE_C_KEY])
            .map_err(|e| format!("presign {args:?}: {e}"))
    });
    all(reports.collect::<Vec<_>>()).unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn missing_or_malformed_credentials_are_refused_without_echoing_them() {
    let args = ["get", "s3://examplebucket/test.txt"];
    let secret_with_trailing_space = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY ";
    let token_with_newline = "FwoGZXIvYXdzEJr\nSECRETTOKEN";
    let cases: [(&[(&str, &str)], &str); 4] = [
        (&[], "MISSING_CREDENTIALS"),
        (&[("AWS_ACCESS_KEY_ID", AKID)], "MISSING_CREDENTIALS"),
        (&[("AWS_ACCESS_KEY_ID", AKID), ("AWS_SECRET_ACCESS_KEY", secret_with_trailing_space)], "INVALID_CREDENTIALS"),
        (
            &[
                ("AWS_ACCESS_KEY_ID", AKID),
                ("AWS_SECRET_ACCESS_KEY", SECRET),
                ("AWS_SESSION_TOKEN", token_with_newline),
            ],
            "INVALID_CREDENTIALS",
        ),
    ];
    let secrets = [SECRET, secret_with_trailing_space, "EXAMPLEKEY", "SECRETTOKEN", "FwoGZXIvYXdzEJr"];
    let reports = cases.iter().map(|(env, code)| {
        check_error(&run(args, env), code, &secrets).map_err(|e| format!("environment {env:?}: {e}"))
    });
    all(reports.collect::<Vec<_>>()).unwrap_or_else(|e| panic!("{e}"));
}

#[cfg(unix)]
#[test]
fn arguments_that_are_not_utf8_are_refused() {
    use std::os::unix::ffi::OsStrExt;
    let args = [OsStr::new("get"), OsStr::from_bytes(b"s3://examplebucket/\xff.txt")];
    check_error(&run(args, &credentials_env(AKID, SECRET)), "INVALID_ARGUMENT", &[]).unwrap_or_else(|e| panic!("{e}"));
}

// ---------------------------------------------------------------------------------------------
// Random inputs: the CLI's URL is aws-sigv4's
// ---------------------------------------------------------------------------------------------

/// Where a random request goes, and the host and path s3-spec §9 and §12 say it gets.
#[derive(Debug, Clone)]
enum Target {
    Aws { region: &'static str, suffix: &'static str, path_style: bool, dualstack: bool },
    R2 { account: String },
    Custom { origin: String, region: String },
}

impl Target {
    fn flags(&self) -> Vec<String> {
        let mut flags = Vec::new();
        match self {
            Target::Aws { region, path_style, dualstack, .. } => {
                flags.extend(["--region".to_string(), region.to_string()]);
                flags.extend(path_style.then(|| "--path-style".to_string()));
                flags.extend(dualstack.then(|| "--dualstack".to_string()));
            }
            Target::R2 { account } => flags.extend(["--r2-account".to_string(), account.clone()]),
            Target::Custom { origin, region } => {
                flags.extend(["--endpoint".into(), origin.clone(), "--region".into(), region.clone()]);
            }
        }
        flags
    }

    /// (origin, raw path, signing region).
    fn locate(&self, bucket: &str, key: &str) -> (String, String, String) {
        match self {
            Target::Aws { region, suffix, path_style, dualstack } => {
                let service = if *dualstack { "s3.dualstack" } else { "s3" };
                if *path_style {
                    (format!("https://{service}.{region}.{suffix}"), format!("/{bucket}/{key}"), region.to_string())
                } else {
                    (format!("https://{bucket}.{service}.{region}.{suffix}"), format!("/{key}"), region.to_string())
                }
            }
            Target::R2 { account } => {
                (format!("https://{bucket}.{account}.r2.cloudflarestorage.com"), format!("/{key}"), "auto".into())
            }
            Target::Custom { origin, region } => (origin.clone(), format!("/{bucket}/{key}"), region.clone()),
        }
    }
}

fn targets() -> impl Strategy<Value = Target> {
    let aws_regions = vec![
        ("us-east-1", "amazonaws.com"),
        ("eu-west-1", "amazonaws.com"),
        ("ap-southeast-2", "amazonaws.com"),
        ("sa-east-1", "amazonaws.com"),
        ("il-central-1", "amazonaws.com"),
        ("cn-north-1", "amazonaws.com.cn"),
        ("cn-northwest-1", "amazonaws.com.cn"),
        ("us-gov-west-1", "amazonaws.com"),
        ("eusc-de-east-1", "amazonaws.eu"),
    ];
    let aws = (select(aws_regions), any::<bool>(), any::<bool>())
        .prop_map(|((region, suffix), path_style, dualstack)| Target::Aws { region, suffix, path_style, dualstack });
    let r2 = "[0-9a-f]{32}".prop_map(|account| Target::R2 { account });
    // Default ports are left out: the `Host` header (and so the URL) drops them.
    let origin = (select(vec!["http://127.0.0.1", "http://localhost", "https://s3.garage.test"]), 1u16..=65535)
        .prop_filter("default port", |(_, port)| *port != 80 && *port != 443)
        .prop_map(|(host, port)| format!("{host}:{port}"));
    let custom = (origin, "[a-z0-9][a-z0-9_.-]{0,20}").prop_map(|(origin, region)| Target::Custom { origin, region });
    prop_oneof![3 => aws, 1 => r2, 1 => custom]
}

/// Valid on every endpoint: no dots, no reserved prefix (starts with `b`) or suffix (ends with `x`).
fn buckets() -> impl Strategy<Value = String> {
    "b[a-z0-9]{1,20}(-[a-z0-9]{1,10})?x"
}

/// Object keys S3 takes and `ObjectKey` keeps: not empty, no `.`/`..` segment (split at `/`
/// and `\`).
fn keys() -> impl Strategy<Value = String> {
    texts(12).prop_filter("empty key or dot segment", |key| {
        !key.is_empty() && !key.split(['/', '\\']).any(|s| s == "." || s == "..")
    })
}

/// `name=value` pairs; names have no `=` (the CLI splits there) and are not the signer's.
fn queries() -> impl Strategy<Value = Vec<(String, String)>> {
    let name = prop_oneof![
        1 => select(vec!["versionId", "partNumber", "x-id", "response-cache-control", "A", "a"]).prop_map(String::from),
        2 => texts(4),
    ]
    .prop_filter("empty, with = (the CLI splits there), or X-Amz-*", |n| {
        !n.is_empty() && !n.contains('=') && !n.to_ascii_lowercase().starts_with("x-amz-")
    });
    prop::collection::vec((name, texts(5)), 0..4)
}

/// Headers with distinct names (any case) that aws-sigv4 signs when presigning, values with
/// spaces around and inside.
fn headers() -> impl Strategy<Value = Vec<(String, String)>> {
    let name = prop_oneof![
        1 => select(vec!["Content-Type", "cache-control", "X-Amz-Meta-Author", "if-match", "Range", "x-amz-acl"])
            .prop_map(String::from),
        1 => "[xX]-[A-Za-z0-9!#$%&'*+.^_`|~-]{1,16}",
    ];
    let core =
        prop_oneof![3 => "[!-~]([!-~ \t]{0,20}[!-~])?", 1 => select(vec!["é", "日本", "a  b"]).prop_map(String::from)];
    let value =
        (0usize..3, core, 0usize..3).prop_map(|(l, core, r)| format!("{}{core}{}", " ".repeat(l), " ".repeat(r)));
    prop::collection::vec((name, value), 0..4).prop_map(|mut headers| {
        let mut seen = std::collections::HashSet::new();
        headers.retain(|(name, _)| seen.insert(name.to_ascii_lowercase()));
        headers
    })
}

/// A random presign request and the environment it runs in.
#[derive(Debug, Clone)]
struct Case {
    method: &'static str,
    target: Target,
    bucket: String,
    key: String,
    expires: u64,
    time: OffsetDateTime,
    headers: Vec<(String, String)>,
    query: Vec<(String, String)>,
    akid: String,
    secret: String,
    token: Option<String>,
    json: bool,
}

fn cases() -> impl Strategy<Value = Case> {
    let request = (select(vec!["GET", "PUT", "HEAD", "DELETE"]), targets(), buckets(), keys(), headers(), queries());
    // 2000-01-01 to 2099-12-31.
    let signing = (1u64..=604_800, 946_684_800i64..4_102_444_800, any::<bool>());
    let credentials = ("[A-Z0-9]{16,20}", "[A-Za-z0-9/+]{40}", prop::option::of("[A-Za-z0-9/+=]{16,400}"));
    (request, signing, credentials).prop_map(
        |((method, target, bucket, key, headers, query), (expires, secs, json), (akid, secret, token))| Case {
            method,
            target,
            bucket,
            key,
            expires,
            time: OffsetDateTime::from_unix_timestamp(secs).expect("in range"),
            headers,
            query,
            akid,
            secret,
            token,
            json,
        },
    )
}

impl Case {
    /// Values that may start with `-` go inline (`--flag=VALUE`).
    fn args(&self) -> Vec<String> {
        let date = AmzDate::new(self.time).expect("date in range");
        let mut args = vec![self.method.to_ascii_lowercase(), format!("s3://{}/{}", self.bucket, self.key)];
        args.extend(self.target.flags());
        args.extend([format!("--expires={}", self.expires), format!("--date={}", date.as_str())]);
        args.extend(self.headers.iter().map(|(n, v)| format!("--header={n}:{v}")));
        args.extend(self.query.iter().map(|(n, v)| format!("--query={n}={v}")));
        args.extend(self.json.then(|| "--json".to_string()));
        args
    }

    fn env(&self) -> Vec<(&str, &str)> {
        let mut env = credentials_env(&self.akid, &self.secret).to_vec();
        env.extend(self.token.as_deref().map(|token| ("AWS_SESSION_TOKEN", token)));
        env
    }

    fn expected(&self) -> Expected {
        let (origin, path, region) = self.target.locate(&self.bucket, &self.key);
        Expected {
            method: self.method.into(),
            origin,
            path,
            query: self.query.clone(),
            headers: self.headers.clone(),
            region,
            time: self.time.into(),
            expires: Duration::from_secs(self.expires),
            akid: self.akid.clone(),
            secret: self.secret.clone(),
            token: self.token.clone(),
        }
    }

    /// The `headers` `--json` must show: lowercase names, values without surrounding blanks.
    fn sent_headers(&self) -> BTreeMap<String, String> {
        let sent = self.headers.iter().map(|(n, v)| (n.to_ascii_lowercase(), v.trim_matches([' ', '\t']).to_string()));
        sent.collect()
    }

    /// The URL from the output, after checking the rest of the `--json` contract.
    fn url_from(&self, stdout: &str) -> Result<String, String> {
        let line = stdout.strip_suffix('\n').ok_or("no final newline")?;
        if !self.json {
            return Ok(line.to_string());
        }
        let json: Value = serde_json::from_str(line).map_err(|e| format!("invalid JSON: {e}"))?;
        let headers: Option<BTreeMap<String, String>> = serde_json::from_value(json["headers"].clone()).ok();
        let expires_at = (self.time + Duration::from_secs(self.expires)).format(&Rfc3339).map_err(|e| e.to_string())?;
        if json["method"] != self.method || json["expiresAt"] != expires_at || headers != Some(self.sent_headers()) {
            return Err(format!("--json contract broken: {json}"));
        }
        json["url"].as_str().map(String::from).ok_or_else(|| "no url".to_string())
    }
}

proptest! {
    // Each case starts a process: 64 keep the run short.
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn random_requests_are_signed_as_aws_sigv4_signs_them(case in cases()) {
        let run = run(case.args(), &case.env());
        prop_assert!(run.status == Some(0) && run.stderr.is_empty(), "{:?}\n{run:?}", case.args());
        let checked = case.url_from(&run.stdout).and_then(|url| case.expected().check(&url));
        prop_assert!(checked.is_ok(), "{:?}\n{}", case.args(), checked.unwrap_err());
    }
}
