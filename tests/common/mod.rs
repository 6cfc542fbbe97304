//! End-to-end harness shared by the `tests/e2e_*.rs` files: two real S3 servers and a raw HTTP
//! client.
//!
//! - [`S3sServer`]: `s3s` + `s3s-fs` in process on 127.0.0.1:0, checking SigV4 with
//!   `SimpleAuth`. Always available.
//! - [`seaweedfs`]: the SeaweedFS started by `.ci/seaweedfs.sh` (and by `.ci/run`), found
//!   through the `PRESIGN_E2E_*` environment variables.
//!
//! Use [`on_both_servers!`](crate::on_both_servers) to run one scenario against both.
//! Only loopback is ever contacted: the client has no proxy and follows no redirect.

// Each `tests/*.rs` file is its own crate and uses a different part of this module.
#![allow(dead_code)]

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use presign::Credentials;
use presign::sigv4::{Signer, SigningConfig};

/// Region every test signs for. s3s does not check it; SeaweedFS' default is `us-east-1`.
pub const REGION: &str = "us-east-1";

/// Environment variables `.ci/seaweedfs.sh` exports.
pub const SEAWEEDFS_ENDPOINT_VAR: &str = "PRESIGN_E2E_SEAWEEDFS";
pub const ACCESS_KEY_VAR: &str = "PRESIGN_E2E_ACCESS_KEY";
pub const SECRET_KEY_VAR: &str = "PRESIGN_E2E_SECRET_KEY";

/// The bucket `.ci/seaweedfs.sh` creates (`weed mini -bucket=e2e`).
pub const SEAWEEDFS_BUCKET: &str = "e2e";

/// The in-process s3s server's bucket (its credentials are the embedded server's; the secret
/// has `/` and `+` like real ones).
const S3S_BUCKET: &str = "presign-e2e";

/// A running S3 server the tests can reach: where it is, which bucket, which keys.
#[derive(Debug, Clone)]
pub struct Target {
    /// Short name for messages: `s3s` or `seaweedfs`.
    pub name: &'static str,
    /// `http://127.0.0.1:PORT`, no trailing slash.
    pub endpoint: String,
    /// `127.0.0.1:PORT`: the `Host` header value to sign.
    pub host: String,
    /// A bucket that exists.
    pub bucket: String,
    pub access_key: String,
    pub secret_key: String,
}

impl Target {
    fn new(name: &'static str, endpoint: &str, bucket: &str, access_key: &str, secret_key: &str) -> Self {
        let endpoint = endpoint.trim_end_matches('/').to_string();
        let host = endpoint.strip_prefix("http://").unwrap_or_else(|| panic!("{name}: not an http URL: {endpoint}"));
        Target {
            name,
            host: host.to_string(),
            endpoint,
            bucket: bucket.to_string(),
            access_key: access_key.to_string(),
            secret_key: secret_key.to_string(),
        }
    }

    pub fn credentials(&self) -> Credentials {
        Credentials::new(&self.access_key, &self.secret_key).expect("test credentials are valid")
    }

    pub fn signer(&self) -> Signer {
        Signer::new(self.credentials())
    }

    /// `SigningConfig::s3(REGION)`.
    pub fn config(&self) -> SigningConfig {
        SigningConfig::s3(REGION).expect("valid region")
    }

    /// The raw (decoded) path-style path of `key`: `/bucket/key`.
    pub fn object_path(&self, key: &str) -> String {
        format!("/{}/{key}", self.bucket)
    }

    /// The bucket as the typed layer sees it: a custom endpoint, path style.
    pub fn bucket(&self) -> presign::s3::Bucket {
        let region = presign::s3::Region::custom(REGION).expect("region");
        presign::s3::Bucket::custom(&self.endpoint, region, &self.bucket).expect("bucket")
    }

    /// `endpoint` + `path_and_query` (which starts with `/`).
    pub fn url(&self, path_and_query: &str) -> String {
        format!("{}{path_and_query}", self.endpoint)
    }
}

/// A key no other test or earlier run uses: SeaweedFS' bucket is shared by all tests and kept
/// while the server runs, so every key gets a per-process, per-call prefix.
pub fn unique_key(name: &str) -> String {
    format!("{}/{name}", unique_name("t"))
}

fn unique_name(prefix: &str) -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    format!("{prefix}-{}-{nanos}-{}", std::process::id(), COUNTER.fetch_add(1, Ordering::Relaxed))
}

#[path = "../../examples/quickstart/embedded.rs"]
mod embedded;

/// `s3s` + `s3s-fs` serving a temp dir on 127.0.0.1:0, with signature checking on: the same
/// embedded server the quickstart runs.
///
/// The accept loop runs on the calling test's tokio runtime and is aborted on drop; the temp
/// dir goes with it.
pub struct S3sServer {
    target: Target,
    server: embedded::EmbeddedS3,
}

impl S3sServer {
    pub async fn start() -> Self {
        let server = embedded::EmbeddedS3::start(&[S3S_BUCKET]).await.expect("start the embedded s3s server");
        let target = Target::new("s3s", &server.endpoint, S3S_BUCKET, server.access_key, server.secret_key);
        S3sServer { target, server }
    }

    pub fn target(&self) -> &Target {
        &self.target
    }

    /// The directory s3s-fs stores objects in (`root/bucket/key`).
    pub fn root(&self) -> &Path {
        self.server.root()
    }
}

/// The SeaweedFS started by `.ci/seaweedfs.sh`, from the `PRESIGN_E2E_*` variables.
///
/// When they are missing: under CI (`CI` set) this panics, so CI can never pass by skipping;
/// elsewhere it prints how to start the server and returns `None` (the caller returns early).
pub fn seaweedfs() -> Option<Target> {
    let vars = [SEAWEEDFS_ENDPOINT_VAR, ACCESS_KEY_VAR, SECRET_KEY_VAR].map(|v| std::env::var(v).ok());
    if let [Some(endpoint), Some(access_key), Some(secret_key)] = &vars {
        return Some(Target::new("seaweedfs", endpoint, SEAWEEDFS_BUCKET, access_key, secret_key));
    }
    let message = format!(
        "SeaweedFS not running: start it with .ci/seaweedfs.sh (`bash .ci/seaweedfs.sh start`, then export the \
         variables it prints: {SEAWEEDFS_ENDPOINT_VAR}, {ACCESS_KEY_VAR}, {SECRET_KEY_VAR})"
    );
    if std::env::var_os("CI").is_some_and(|v| !v.is_empty()) {
        panic!("CI is set but {message}");
    }
    eprintln!("skipping: {message}");
    None
}

/// Defines, for each `async fn scenario(target: &Target)` named, one test against the in-process
/// s3s server (`s3s::scenario`) and one against SeaweedFS (`seaweedfs::scenario`).
#[macro_export]
macro_rules! on_both_servers {
    ($($scenario:ident),+ $(,)?) => {
        mod s3s {
            $(
                #[tokio::test]
                async fn $scenario() {
                    let server = $crate::common::S3sServer::start().await;
                    super::$scenario(server.target()).await;
                }
            )+
        }
        mod seaweedfs {
            $(
                #[tokio::test]
                async fn $scenario() {
                    if let Some(target) = $crate::common::seaweedfs() {
                        super::$scenario(&target).await;
                    }
                }
            )+
        }
    };
}

/// What came back from the server.
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: Vec<u8>,
}

impl Response {
    /// The body as text, for assertion messages (S3 errors are XML).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Panics with the server's error body unless the status is 2xx.
    pub fn assert_ok(&self, what: &str) -> &Self {
        assert!((200..300).contains(&self.status), "{what}: expected 2xx, got {} {}", self.status, self.text());
        self
    }
}

/// Sends one request exactly as given: `url`'s path and query go on the request line
/// unchanged, or the call panics.
///
/// `reqwest` parses URLs with the WHATWG rules (`url` crate), which keep `//`, keep every
/// `%XX` escape as written (`%2F` stays `%2F`, case kept), but remove `.`/`..` segments (also
/// written `%2e`), turn `\` into `/`, and escape characters such as space, `"`, `<`, `>`, `{`,
/// `}` and non-ASCII. A signer's output only holds unreserved characters, `/` and `%XX`, so
/// the one rewrite that can hit it is dot segments: e2e tests avoid keys with `.`/`..`
/// segments, and this function refuses any URL the parser would change, so a rewrite can never
/// pass for a server's verdict. `tests/e2e_sigv4.rs` pins these rules.
pub async fn send(method: &str, url: &str, headers: &[(&str, &str)], body: Option<&[u8]>) -> Response {
    let parsed = parse_unchanged(url);
    let method = reqwest::Method::from_bytes(method.as_bytes()).expect("valid method");
    let mut request = client().request(method, parsed);
    for &(name, value) in headers {
        request = request.header(name, value);
    }
    if let Some(body) = body {
        request = request.body(body.to_vec());
    }
    let response = request.send().await.unwrap_or_else(|e| panic!("request to {url} failed: {e}"));
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = response.bytes().await.expect("read response body").to_vec();
    Response { status, headers, body }
}

/// Parses `url`, panicking if the parser's path or query differs from the text given.
pub fn parse_unchanged(url: &str) -> reqwest::Url {
    let parsed = reqwest::Url::parse(url).unwrap_or_else(|e| panic!("unparsable URL {url}: {e}"));
    let after_authority = url.splitn(4, '/').nth(3).map_or(String::new(), |rest| format!("/{rest}"));
    let (path, query) = after_authority.split_once('?').map_or((after_authority.as_str(), None), |(p, q)| (p, Some(q)));
    assert_eq!(parsed.path(), path, "reqwest would rewrite the path of {url}");
    assert_eq!(parsed.query(), query, "reqwest would rewrite the query of {url}");
    parsed
}

/// A client for loopback only: no proxy from the environment, no redirects. A new one per
/// request because each `#[tokio::test]` has its own runtime and pooled connections must not
/// outlive it.
fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .build()
        .expect("build HTTP client")
}

/// The server refused the request: any 4xx (servers differ between 400 and 403).
pub fn assert_rejected(status: u16) {
    assert!((400..500).contains(&status), "expected a 4xx rejection, got {status}");
}

/// Like [`assert_rejected`], with the response body in the failure message.
pub fn assert_response_rejected(response: &Response, what: &str) {
    assert!(
        (400..500).contains(&response.status),
        "{what}: expected a 4xx rejection, got {} {}",
        response.status,
        response.text()
    );
}

/// A transport for loopback only: no proxy from the environment, no redirects.
#[cfg(feature = "reqwest")]
pub fn transport() -> presign::transport::ReqwestTransport {
    let client = reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .build()
        .expect("build HTTP client");
    presign::transport::ReqwestTransport::with_client(client)
}

/// `size` bytes from a linear congruential sequence, in which no two parts of an object are
/// alike, so a part stored at the wrong place cannot compare equal.
pub fn object_bytes(size: u64) -> Vec<u8> {
    let mut state: u32 = 0x9e37_79b9;
    (0..size)
        .map(|_| {
            state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            (state >> 24) as u8
        })
        .collect()
}
