//! End-to-end: the bare `sigv4` layer against two real S3 servers over HTTP.
//!
//! Every scenario runs against the in-process s3s server and against SeaweedFS (see
//! `tests/common/mod.rs`), with path-style URLs `http://127.0.0.1:PORT/bucket/key`,
//! `SigningConfig::s3` and the raw path `/bucket/key`. The servers are the authority: a URL is
//! right when they accept it, and every "rejected" case targets an object that exists, so a
//! server that skipped the check would answer 2xx instead of 4xx.
//!
//! What the servers do not check, so passing here proves nothing about it (pinned by
//! `s3s_limits` and `seaweedfs_limits`; AWS checks all of these):
//! - neither checks the region: both derive the key from the scope the URL names (s3s:
//!   `v4_check_presigned_url` in `s3s::ops::signature` never compares it with a region of its
//!   own). Region correctness rests on the AWS vectors and the `aws-sigv4` comparison.
//! - s3s 0.14.1: never looks up a session token (it is only signed); accepts unsigned
//!   `x-amz-*` headers beside a presigned URL; no 7-day cap (`X-Amz-Expires` is any u32); a body
//!   that differs from a signed `x-amz-content-sha256` gets 500 InternalError, not a 4xx (and
//!   is not stored).
//! - SeaweedFS 4.48: accepts a presigned URL dated in the future; stores a body that differs
//!   from the signed `x-amz-content-sha256`. It does reject unknown session tokens and unsigned
//!   `x-amz-*` headers. Its 7-day cap is not tested: our signer refuses to produce a longer
//!   expiry (`INVALID_EXPIRY`).
//! - both store keys in a directory tree, so `a//b` is stored (and listed) as `a/b`.
//! - both reject an `Authorization` dated an hour ago (s3s allows 900 s of skew).

mod common;

use std::time::Duration;

use common::{REGION, Response, Target, assert_rejected, assert_response_rejected, send, unique_key};
use presign::sigv4::{PayloadHash, Request, Signer, SigningConfig};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

const EXPIRES: Duration = Duration::from_secs(300);

/// Keys that need encoding, none with `.`/`..` segments (see `common::send`).
const UNUSUAL_KEYS: &[&str] = &[
    "with some spaces.txt",
    "unicode-żółć-日本語-🚀",
    "sym+=&!'()*",
    "double//slash",
    "dollar$sign",
    "all/ a+b=c&d!e'f(g)h*i$j//k",
];

/// A presigned URL for `method` on `path` with `query` and signed `headers`.
fn presign_with(
    target: &Target,
    method: &str,
    path: &str,
    query: &[(&str, &str)],
    headers: &[(&str, &str)],
    expires: Duration,
    now: OffsetDateTime,
) -> String {
    let request = Request::new(method, &target.host, path).query(query).headers(headers);
    let url = target.signer().presign_at(&request, &target.config(), expires, now).expect("presign");
    target.url(url.path_and_query())
}

/// A presigned URL for `method` on `key`, valid for five minutes from now.
fn presign(target: &Target, method: &str, key: &str) -> String {
    presign_with(target, method, &target.object_path(key), &[], &[], EXPIRES, OffsetDateTime::now_utc())
}

async fn put(target: &Target, key: &str, body: &[u8]) {
    send("PUT", &presign(target, "PUT", key), &[], Some(body)).await.assert_ok(&format!("PUT {key}"));
}

async fn get(target: &Target, key: &str) -> Response {
    send("GET", &presign(target, "GET", key), &[], None).await
}

async fn assert_body(target: &Target, key: &str, expected: &[u8]) {
    let response = get(target, key).await;
    response.assert_ok(&format!("GET {key}"));
    assert_eq!(response.body, expected, "GET {key} returned other bytes");
}

/// Changes the last hex digit of a signature, keeping it well formed.
fn flip_last_hex(signature: &str) -> String {
    let (head, last) = signature.split_at(signature.len() - 1);
    format!("{head}{}", if last == "0" { "1" } else { "0" })
}

fn pairs<'a>(headers: &'a [(&'static str, String)]) -> Vec<(&'a str, &'a str)> {
    headers.iter().map(|(n, v)| (*n, v.as_str())).collect()
}

/// ListObjectsV2 under `prefix`, through a presigned URL whose query the signer encodes.
async fn list_keys(target: &Target, prefix: &str) -> Vec<String> {
    let query = [("list-type", "2"), ("prefix", prefix)];
    let path = format!("/{}", target.bucket);
    let url = presign_with(target, "GET", &path, &query, &[], EXPIRES, OffsetDateTime::now_utc());
    let response = send("GET", &url, &[], None).await;
    response.assert_ok("ListObjectsV2");
    let xml = response.text();
    xml.split("<Key>").skip(1).filter_map(|s| s.split_once("</Key>")).map(|(key, _)| xml_unescape(key)).collect()
}

fn xml_unescape(text: &str) -> String {
    let entities = [("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&apos;", "'"), ("&#39;", "'"), ("&#34;", "\"")];
    let text = entities.iter().fold(text.to_string(), |t, (from, to)| t.replace(from, to));
    text.replace("&amp;", "&")
}

async fn presigned_put_then_get_returns_the_same_bytes(target: &Target) {
    let key = unique_key("bytes.bin");
    let body: Vec<u8> = (0..=255u8).cycle().take(70_000).collect();
    put(target, &key, &body).await;
    assert_body(target, &key, &body).await;
}

async fn presigned_head_and_delete(target: &Target) {
    let key = unique_key("head-delete");
    put(target, &key, b"twelve bytes").await;
    let head = send("HEAD", &presign(target, "HEAD", &key), &[], None).await;
    head.assert_ok("HEAD");
    assert_eq!(head.header("content-length"), Some("12"), "HEAD reports the stored length");
    send("DELETE", &presign(target, "DELETE", &key), &[], None).await.assert_ok("DELETE");
    assert_eq!(get(target, &key).await.status, 404, "GET after DELETE");
}

/// Each key round-trips, and the listing shows the server stored that key (a server that
/// decoded the path differently would list another name).
///
/// Both servers store objects in a directory tree, so they keep `a//b` as `a/b` (a GET of
/// `a/b` returns it); the listing is compared with `//` collapsed. That `//` is signed as
/// sent is still proven: the URL keeps it and the server verified the signature over it.
async fn unusual_keys_round_trip(target: &Target) {
    let prefix = unique_key("");
    for name in UNUSUAL_KEYS {
        let key = format!("{prefix}{name}");
        let url = presign(target, "PUT", &key);
        assert_eq!(url[target.endpoint.len()..].contains("//"), key.contains("//"), "{url} keeps `//`");
        send("PUT", &url, &[], Some(key.as_bytes())).await.assert_ok(&format!("PUT {key}"));
        assert_body(target, &key, key.as_bytes()).await;
    }
    let mut listed = list_keys(target, &prefix).await;
    let mut expected: Vec<String> =
        UNUSUAL_KEYS.iter().map(|name| format!("{prefix}{name}").replace("//", "/")).collect();
    listed.sort();
    expected.sort();
    assert_eq!(listed, expected, "keys as the server stored them");
}

async fn signed_content_type_must_be_sent_unchanged(target: &Target) {
    let key = unique_key("typed.txt");
    let signed = [("content-type", "text/plain")];
    let url = presign_with(target, "PUT", &target.object_path(&key), &[], &signed, EXPIRES, OffsetDateTime::now_utc());
    let withheld = send("PUT", &url, &[], Some(b"body")).await;
    assert_response_rejected(&withheld, "signed content-type withheld");
    let changed = send("PUT", &url, &[("content-type", "text/html")], Some(b"body")).await;
    assert_response_rejected(&changed, "signed content-type changed");
    assert_eq!(get(target, &key).await.status, 404, "a rejected PUT stored nothing");

    send("PUT", &url, &signed, Some(b"body")).await.assert_ok("PUT with the signed content-type");
    let response = get(target, &key).await;
    assert_eq!(response.header("content-type"), Some("text/plain"), "stored content-type");
    assert_eq!(response.body, b"body");
}

async fn edited_signature_is_rejected(target: &Target) {
    let key = unique_key("sig");
    put(target, &key, b"x").await;
    let url = presign(target, "GET", &key);
    send("GET", &url, &[], None).await.assert_ok("the unedited URL");
    let (head, signature) = url.rsplit_once('=').expect("URL ends with the signature");
    assert_eq!(signature.len(), 64);
    let edited = format!("{head}={}", flip_last_hex(signature));
    assert_response_rejected(&send("GET", &edited, &[], None).await, "edited signature");
}

/// The query of a URL signed for one object, sent to another object that exists.
async fn edited_path_is_rejected(target: &Target) {
    let (signed_key, other_key) = (unique_key("signed"), unique_key("other"));
    put(target, &signed_key, b"signed").await;
    put(target, &other_key, b"other").await;
    let url = presign(target, "GET", &signed_key);
    let query = url.split_once('?').expect("query").1;
    let edited = format!("{}?{query}", target.url(&target.object_path(&other_key)));
    assert_response_rejected(&send("GET", &edited, &[], None).await, "edited path");
}

async fn url_used_with_another_method_is_rejected(target: &Target) {
    let key = unique_key("method");
    put(target, &key, b"kept").await;
    let url = presign(target, "GET", &key);
    assert_response_rejected(&send("DELETE", &url, &[], None).await, "GET URL used for DELETE");
    assert_response_rejected(&send("PUT", &url, &[], Some(b"replaced")).await, "GET URL used for PUT");
    assert_body(target, &key, b"kept").await;
}

async fn expired_url_is_rejected(target: &Target) {
    let key = unique_key("expired");
    put(target, &key, b"x").await;
    let two_hours_ago = OffsetDateTime::now_utc() - Duration::from_secs(7200);
    let path = target.object_path(&key);
    let url = presign_with(target, "GET", &path, &[], &[], Duration::from_secs(60), two_hours_ago);
    assert_response_rejected(&send("GET", &url, &[], None).await, "URL expired 1 h 59 min ago");
}

/// `Authorization` header signing: `(url, headers to send)`.
fn sign_headers(
    target: &Target,
    method: &str,
    key: &str,
    payload: PayloadHash,
) -> (String, Vec<(&'static str, String)>) {
    let path = target.object_path(key);
    let request = Request::new(method, &target.host, &path).payload(payload);
    let signed = target.signer().sign_headers_at(&request, &target.config(), OffsetDateTime::now_utc()).expect("sign");
    (target.url(signed.path_and_query()), signed.headers().to_vec())
}

async fn header_signed_put_and_get(target: &Target) {
    let key = unique_key("header-signed");
    let body = b"signed in the Authorization header";
    let (url, headers) = sign_headers(target, "PUT", &key, PayloadHash::of(body));
    send("PUT", &url, &pairs(&headers), Some(body)).await.assert_ok("header-signed PUT");
    let (url, headers) = sign_headers(target, "GET", &key, PayloadHash::Unsigned);
    let response = send("GET", &url, &pairs(&headers), None).await;
    response.assert_ok("header-signed GET");
    assert_eq!(response.body, body);
}

async fn tampered_authorization_is_rejected(target: &Target) {
    let key = unique_key("tampered-auth");
    put(target, &key, b"x").await;
    let (url, mut headers) = sign_headers(target, "GET", &key, PayloadHash::Unsigned);
    send("GET", &url, &pairs(&headers), None).await.assert_ok("the untampered headers");
    let authorization = &mut headers.last_mut().expect("authorization is last").1;
    *authorization = flip_last_hex(authorization);
    assert_response_rejected(&send("GET", &url, &pairs(&headers), None).await, "tampered Authorization");
}

/// `x-amz-content-sha256` is signed: swapping it (with the body it describes) breaks the
/// signature. Neither server rejects a body that merely differs from the signed hash (see the
/// module docs), so the header itself is what is swapped here.
async fn swapped_payload_hash_is_rejected(target: &Target) {
    let key = unique_key("hash-swap");
    let (url, mut headers) = sign_headers(target, "PUT", &key, PayloadHash::of(b"the signed body"));
    let hash = headers.iter_mut().find(|(name, _)| *name == "x-amz-content-sha256").expect("S3 signs the hash");
    hash.1 = hex::encode(Sha256::digest(b"another body"));
    let response = send("PUT", &url, &pairs(&headers), Some(b"another body")).await;
    assert_response_rejected(&response, "x-amz-content-sha256 swapped");
    assert_eq!(get(target, &key).await.status, 404, "the rejected PUT stored nothing");
}

/// `x-amz-date` counts: an `Authorization` signed an hour ago is refused (AWS allows 15 min).
async fn stale_header_signature_is_rejected(target: &Target) {
    let key = unique_key("stale");
    put(target, &key, b"x").await;
    let path = target.object_path(&key);
    let request = Request::new("GET", &target.host, &path);
    let an_hour_ago = OffsetDateTime::now_utc() - Duration::from_secs(3600);
    let signed = target.signer().sign_headers_at(&request, &target.config(), an_hour_ago).expect("sign");
    let response = send("GET", &target.url(signed.path_and_query()), &pairs(signed.headers()), None).await;
    assert_response_rejected(&response, "Authorization dated an hour ago");
}

on_both_servers!(
    presigned_put_then_get_returns_the_same_bytes,
    presigned_head_and_delete,
    unusual_keys_round_trip,
    signed_content_type_must_be_sent_unchanged,
    edited_signature_is_rejected,
    edited_path_is_rejected,
    url_used_with_another_method_is_rejected,
    expired_url_is_rejected,
    header_signed_put_and_get,
    tampered_authorization_is_rejected,
    swapped_payload_hash_is_rejected,
    stale_header_signature_is_rejected,
);

/// A GET URL for an existing object, signed for `region`, by credentials with `token`, at `now`.
async fn get_signed_with(target: &Target, region: &str, token: Option<&str>, now: OffsetDateTime) -> Response {
    let key = unique_key("scope");
    put(target, &key, b"x").await;
    let mut creds = target.credentials();
    if let Some(token) = token {
        creds = creds.with_session_token(token).expect("token");
    }
    let path = target.object_path(&key);
    let request = Request::new("GET", &target.host, &path);
    let config = SigningConfig::s3(region).expect("region");
    let url = Signer::new(creds).presign_at(&request, &config, EXPIRES, now).expect("presign");
    send("GET", &target.url(url.path_and_query()), &[], None).await
}

/// A presigned PUT sent with an `x-amz-meta-*` header that was not signed.
async fn put_with_unsigned_amz_header(target: &Target) -> Response {
    let url = presign(target, "PUT", &unique_key("unsigned-meta"));
    send("PUT", &url, &[("x-amz-meta-color", "red")], Some(b"x")).await
}

const OTHER_REGION: &str = "mars-north-7";
const BOGUS_TOKEN: &str = "not-a-real-session-token";

/// Evidence for the module docs: what s3s 0.14.1 accepts although AWS would not. The s3s
/// tests above therefore say nothing about these.
#[tokio::test]
async fn s3s_limits() {
    let server = common::S3sServer::start().await;
    let (target, now) = (server.target(), OffsetDateTime::now_utc());
    get_signed_with(target, OTHER_REGION, None, now).await.assert_ok("s3s: another region");
    get_signed_with(target, REGION, Some(BOGUS_TOKEN), now).await.assert_ok("s3s: unknown session token");
    put_with_unsigned_amz_header(target).await.assert_ok("s3s: unsigned x-amz-meta header");
    let in_an_hour = now + Duration::from_secs(3600);
    let future = get_signed_with(target, REGION, None, in_an_hour).await;
    assert_response_rejected(&future, "s3s: URL dated an hour ahead (15 min skew allowed)");
}

/// Evidence for the module docs: SeaweedFS 4.48 rejects unknown tokens and unsigned `x-amz-*`
/// headers like AWS, but ignores the region, the date of a URL dated ahead, and whether the
/// body matches a signed `x-amz-content-sha256`.
#[tokio::test]
async fn seaweedfs_limits() {
    let Some(target) = common::seaweedfs() else { return };
    let now = OffsetDateTime::now_utc();
    let token = get_signed_with(&target, REGION, Some(BOGUS_TOKEN), now).await;
    assert_response_rejected(&token, "SeaweedFS: unknown session token");
    assert_response_rejected(&put_with_unsigned_amz_header(&target).await, "SeaweedFS: unsigned x-amz-meta header");
    get_signed_with(&target, OTHER_REGION, None, now).await.assert_ok("SeaweedFS: another region");
    let in_an_hour = now + Duration::from_secs(3600);
    get_signed_with(&target, REGION, None, in_an_hour).await.assert_ok("SeaweedFS: URL dated an hour ahead");

    let key = unique_key("hash-mismatch");
    let (url, headers) = sign_headers(&target, "PUT", &key, PayloadHash::of(b"the signed body"));
    send("PUT", &url, &pairs(&headers), Some(b"another body")).await.assert_ok("SeaweedFS: body != signed hash");
    assert_body(&target, &key, b"another body").await;
}

/// The URL rules of `reqwest` (WHATWG, via the `url` crate) that `common::send` relies on.
#[test]
fn reqwest_keeps_slashes_and_escapes_but_removes_dot_segments() {
    let path = |url: &str| reqwest::Url::parse(url).expect("parses").path().to_string();
    assert_eq!(path("http://h/b//k%2Fx%c5%BC%20"), "/b//k%2Fx%c5%BC%20", "kept as written");
    assert_eq!(path("http://h/b/./k/../x"), "/b/x", "dot segments removed");
    assert_eq!(path("http://h/b/%2e/k/%2E%2e/x"), "/b/x", "escaped dot segments removed too");
    assert_eq!(path("http://h/b\\k"), "/b/k", "backslash becomes a slash");
    assert_eq!(path("http://h/a b\"<>{}`ż"), "/a%20b%22%3C%3E%7B%7D%60%C5%BC", "escaped");
    common::parse_unchanged("http://h/b//k%2F%C5%BC?x=%2F&y=");
    let rewritten = std::panic::catch_unwind(|| common::parse_unchanged("http://h/b/./k"));
    assert!(rewritten.is_err(), "send refuses a URL reqwest would rewrite");
}

#[test]
fn assert_rejected_accepts_any_4xx_only() {
    for status in [400, 403, 404, 499] {
        assert_rejected(status);
    }
    for status in [200, 204, 301, 399, 500, 503] {
        assert!(std::panic::catch_unwind(|| assert_rejected(status)).is_err(), "{status} is not a rejection");
    }
}
