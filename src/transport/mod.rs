//! The edge where requests leave the process: plain request and response values and a
//! one-method [`Transport`] trait.
//!
//! Everything else in the crate is pure (it computes URLs, headers and bodies); the few calls a
//! server-side upload flow makes itself (create, complete, abort, list a multipart upload) go
//! through a `Transport`, so the flow can be tested with a fake and run on any HTTP client and
//! any async runtime. With the `reqwest` feature, `ReqwestTransport` is a ready one.
//!
//! A presigned URL is a bearer credential until it expires, and `Authorization` /
//! `x-amz-security-token` headers are secrets: the `Debug` output of [`HttpRequest`] shows
//! neither, and [`redact_url`] is how implementations keep URLs in error messages harmless.
//!
//! ```
//! use presign::transport::{HttpRequest, HttpResponse, Transport};
//!
//! /// Answers every request with 204, as AbortMultipartUpload does.
//! struct NoContent;
//!
//! impl Transport for NoContent {
//!     async fn send(&self, _request: HttpRequest) -> presign::Result<HttpResponse> {
//!         Ok(HttpResponse { status: 204, headers: Vec::new(), body: Vec::new() })
//!     }
//! }
//! ```

use std::fmt;
use std::future::Future;

use crate::error::Result;

#[cfg(feature = "reqwest")]
mod reqwest;

#[cfg(feature = "reqwest")]
pub use self::reqwest::ReqwestTransport;

/// Headers whose values are credentials (compared in lowercase).
const SECRET_HEADERS: [&str; 5] = [
    "authorization",
    "x-amz-security-token",
    "x-amz-server-side-encryption-customer-key",
    "x-amz-copy-source-server-side-encryption-customer-key",
    "cookie",
];

/// An HTTP request, ready to send: `url` is absolute and already signed (query or headers).
#[derive(Clone, PartialEq, Eq)]
pub struct HttpRequest {
    /// The method: `GET`, `PUT`, `POST`, `DELETE`…
    pub method: String,
    /// The absolute URL, sent exactly as given.
    pub url: String,
    /// The headers to send, in order (names as given).
    pub headers: Vec<(String, String)>,
    /// The body (empty for none).
    pub body: Vec<u8>,
}

impl HttpRequest {
    /// A request without headers or body.
    pub fn new(method: impl Into<String>, url: impl Into<String>) -> Self {
        HttpRequest { method: method.into(), url: url.into(), headers: Vec::new(), body: Vec::new() }
    }

    /// Adds the headers.
    pub fn with_headers<N: Into<String>, V: Into<String>>(mut self, headers: impl IntoIterator<Item = (N, V)>) -> Self {
        self.headers.extend(headers.into_iter().map(|(name, value)| (name.into(), value.into())));
        self
    }

    /// Sets the body.
    pub fn with_body(mut self, body: impl Into<Vec<u8>>) -> Self {
        self.body = body.into();
        self
    }
}

/// Shows the URL without its query and secret header values as `[redacted]`.
impl fmt::Debug for HttpRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let headers: Vec<(&str, &str)> = self
            .headers
            .iter()
            .map(|(name, value)| {
                let secret = SECRET_HEADERS.iter().any(|s| name.eq_ignore_ascii_case(s));
                (name.as_str(), if secret { REDACTED } else { value.as_str() })
            })
            .collect();
        f.debug_struct("HttpRequest")
            .field("method", &self.method)
            .field("url", &redact_url(&self.url))
            .field("headers", &headers)
            .field("body_len", &self.body.len())
            .finish()
    }
}

/// An HTTP response: status, headers (names lowercase when the transport normalises them) and
/// the whole body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpResponse {
    /// The status code.
    pub status: u16,
    /// The headers, in the order received.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

impl HttpResponse {
    /// The first value of header `name` (any letter case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, value)| value.as_str())
    }

    /// Whether the status is 2xx.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// Sends one HTTP request and returns the server's answer, whatever its status.
///
/// Only failures to exchange the request (connect, TLS, timeout, reading the body) are errors,
/// as [`Error::Transport`](crate::Error::Transport); a 4xx or 5xx is a normal
/// [`HttpResponse`] for the caller to read (S3 puts its error document in the body).
/// Implementations must not follow redirects: S3 answers a request sent to the wrong region
/// with a redirect or an error that the caller should see.
pub trait Transport {
    /// Sends `request`.
    fn send(&self, request: HttpRequest) -> impl Future<Output = Result<HttpResponse>> + Send;
}

/// What stands in for a removed secret.
const REDACTED: &str = "[redacted]";

/// `url` without what makes it a credential: the query string (a presigned URL's signature and
/// session token) becomes `?[redacted]`, user information before the host is dropped, and the
/// fragment goes too. Scheme, host, port and path stay, so the message still says where the
/// request went.
pub fn redact_url(url: &str) -> String {
    let end = url.find(['?', '#']).unwrap_or(url.len());
    let (before, after) = url.split_at(end);
    let mut clean = drop_userinfo(before);
    if after.starts_with('?') {
        clean.push('?');
        clean.push_str(REDACTED);
    }
    clean
}

/// `scheme://user:pass@host/path` → `scheme://host/path`.
fn drop_userinfo(url: &str) -> String {
    let authority_start = url.find("://").map_or(0, |i| i + 3);
    let authority_end = url[authority_start..].find('/').map_or(url.len(), |i| authority_start + i);
    match url[authority_start..authority_end].rfind('@') {
        Some(at) => format!("{}{}", &url[..authority_start], &url[authority_start + at + 1..]),
        None => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redact_url_keeps_where_and_drops_credentials() {
        let cases = [
            (
                "https://b.s3.amazonaws.com/k?X-Amz-Signature=abc&X-Amz-Security-Token=t",
                "https://b.s3.amazonaws.com/k?[redacted]",
            ),
            ("http://127.0.0.1:9000/b/k", "http://127.0.0.1:9000/b/k"),
            ("http://user:pw@host:1/p?q#f", "http://host:1/p?[redacted]"),
            ("http://host/p#frag?not-a-query", "http://host/p"),
            ("http://host/a@b?x", "http://host/a@b?[redacted]"),
            ("no scheme?x=1", "no scheme?[redacted]"),
            ("", ""),
        ];
        for (url, expected) in cases {
            assert_eq!(redact_url(url), expected, "{url}");
        }
    }

    #[test]
    fn request_debug_hides_query_and_secret_headers() {
        let request = HttpRequest::new("PUT", "https://h/k?X-Amz-Signature=sig123")
            .with_headers([("Authorization", "AWS4-HMAC-SHA256 Signature=sig456"), ("X-Amz-Security-Token", "tok789")])
            .with_headers([("content-type", "text/plain")])
            .with_body(b"body".to_vec());
        let debug = format!("{request:?}");
        for secret in ["sig123", "sig456", "tok789"] {
            assert!(!debug.contains(secret), "{debug}");
        }
        assert!(
            debug.contains("https://h/k?[redacted]") && debug.contains("text/plain") && debug.contains("body_len: 4")
        );
    }

    #[test]
    fn response_header_lookup_ignores_case() {
        let response = HttpResponse { status: 200, headers: vec![("ETag".into(), "\"e\"".into())], body: Vec::new() };
        assert_eq!(response.header("etag"), Some("\"e\""));
        assert_eq!(response.header("x-amz-request-id"), None);
        assert!(response.is_success());
    }
}
