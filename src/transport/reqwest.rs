//! [`Transport`] over `reqwest` (feature `reqwest`): rustls with the webpki roots, no OpenSSL.

use std::error::Error as _;
use std::time::Duration;

use ::reqwest::header::{HeaderName, HeaderValue};
use ::reqwest::{Client, ClientBuilder, Method, redirect};

use super::{HttpRequest, HttpResponse, REDACTED, Transport, redact_url};
use crate::error::{Error, Result};

/// How long [`ReqwestTransport::new`]'s client waits for a connection. There is no overall
/// timeout: an upload's body may take as long as the network needs.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(30);

/// A [`Transport`] that sends requests with a [`reqwest::Client`](::reqwest::Client).
///
/// reqwest runs on Tokio: await [`send`](Transport::send) inside a Tokio runtime. URLs are sent
/// as given; one that reqwest's URL parser would change (a path with `.` or `..` segments,
/// which S3 keys may have but the parser removes) is refused instead of sent to fail the
/// signature check. Error messages name the URL without its query string.
#[derive(Debug, Clone)]
pub struct ReqwestTransport {
    client: Client,
}

impl ReqwestTransport {
    /// A transport with its own client that does not follow redirects (S3 answers a request
    /// sent to the wrong region with one, which the caller must see), gives up connecting after
    /// 30 s, and otherwise has reqwest's defaults, including a proxy from the environment.
    pub fn new() -> Result<Self> {
        let client = client_builder().build().map_err(|error| transport_error(error, ""))?;
        Ok(Self::with_client(client))
    }

    /// A transport on an existing client, sharing its connection pool. Configure the client
    /// not to follow redirects ([`redirect::Policy::none`]).
    pub fn with_client(client: Client) -> Self {
        ReqwestTransport { client }
    }

    fn build(&self, request: HttpRequest) -> Result<::reqwest::Request> {
        let HttpRequest { method, url, headers, body } = request;
        let method = Method::from_bytes(method.as_bytes()).map_err(|_| transport("invalid HTTP method".into()))?;
        let mut builder = self.client.request(method, url.as_str());
        for (name, value) in headers {
            let name = HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| transport(format!("invalid header name {name:?}")))?;
            // The value is not echoed: it may be a credential.
            let value =
                HeaderValue::from_str(&value).map_err(|_| transport(format!("invalid value for header {name}")))?;
            builder = builder.header(name, value);
        }
        let built = builder.body(body).build().map_err(|error| transport_error(error, &url))?;
        check_unchanged(&url, built.url())?;
        Ok(built)
    }
}

impl Transport for ReqwestTransport {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse> {
        let url = request.url.clone();
        let request = self.build(request)?;
        let response = self.client.execute(request).await.map_err(|error| transport_error(error, &url))?;
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(name, value)| (name.as_str().to_owned(), String::from_utf8_lossy(value.as_bytes()).into_owned()))
            .collect();
        let body = response.bytes().await.map_err(|error| transport_error(error, &url))?.to_vec();
        Ok(HttpResponse { status, headers, body })
    }
}

fn client_builder() -> ClientBuilder {
    Client::builder().redirect(redirect::Policy::none()).connect_timeout(CONNECT_TIMEOUT)
}

/// Refuses a URL whose path or query the parser rewrote: the signature covers them as written.
fn check_unchanged(url: &str, parsed: &::reqwest::Url) -> Result<()> {
    let after_scheme = url.find("://").map_or(url, |i| &url[i + 3..]);
    let written = after_scheme.find(['/', '?']).map_or("", |i| &after_scheme[i..]);
    let written = written.split_once('#').map_or(written, |(before, _)| before);
    let sent = match parsed.query() {
        Some(query) => format!("{}?{query}", parsed.path()),
        None => parsed.path().to_string(),
    };
    // `http://host` and `http://host?q` are sent with the path `/`, which S3 signs for them too.
    if sent == written || sent.strip_prefix('/') == Some(written) {
        return Ok(());
    }
    Err(transport(format!(
        "reqwest would rewrite the path or query of {} (it removes `.` and `..` segments); it was not sent",
        redact_url(url)
    )))
}

fn transport(reason: String) -> Error {
    Error::Transport { reason }
}

/// reqwest's message with its causes, naming the URL without its query string.
fn transport_error(error: ::reqwest::Error, url: &str) -> Error {
    // reqwest's own message ends with the whole URL, signature and token included.
    let error = error.without_url();
    let mut reason = error.to_string();
    let mut cause = error.source();
    while let Some(inner) = cause {
        reason.push_str(": ");
        reason.push_str(&inner.to_string());
        cause = inner.source();
    }
    if !url.is_empty() {
        reason.push_str(" (");
        reason.push_str(&redact_url(url));
        reason.push(')');
    }
    // Should a cause quote the URL itself, its query goes too.
    if let Some((_, query)) = url.split_once('?').filter(|(_, query)| !query.is_empty()) {
        reason = reason.replace(query, REDACTED);
    }
    transport(reason)
}

#[cfg(test)]
mod tests {
    use std::io::{BufRead, BufReader, Read, Write};
    use std::net::{TcpListener, TcpStream};
    use std::thread;

    use super::*;

    /// Looks like a presigned URL's query: none of it may reach an error message.
    const SECRET_QUERY: &str = "X-Amz-Signature=5ecre7515a7ure&X-Amz-Security-Token=FQoToken%2F5ecret";

    /// A client that never uses a proxy, so the tests only ever reach loopback.
    fn loopback() -> ReqwestTransport {
        ReqwestTransport::with_client(client_builder().no_proxy().build().expect("client"))
    }

    fn assert_redacted(error: &Error) {
        assert_eq!(error.code(), "TRANSPORT_ERROR");
        let message = error.to_string();
        for secret in ["5ecre7515a7ure", "FQoToken", "5ecret", "X-Amz-Signature"] {
            assert!(!message.contains(secret), "{message}");
        }
    }

    /// A port on 127.0.0.1 nothing listens on (bound, then released).
    fn closed_port() -> u16 {
        TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("bind").port()
    }

    #[tokio::test]
    async fn connection_errors_name_the_url_without_its_query() {
        let url = format!("http://127.0.0.1:{}/bucket/key?{SECRET_QUERY}", closed_port());
        let error = loopback().send(HttpRequest::new("GET", url.as_str())).await.unwrap_err();
        assert_redacted(&error);
        let message = error.to_string();
        assert!(message.contains("/bucket/key?[redacted]"), "{message}");
    }

    #[tokio::test]
    async fn unsendable_requests_are_refused_without_echoing_secrets() {
        let transport = loopback();
        let port = closed_port();
        let requests = [
            HttpRequest::new("GET", format!("http://exa mple.com/k?{SECRET_QUERY}")),
            HttpRequest::new("G E T", format!("http://127.0.0.1:{port}/k?{SECRET_QUERY}")),
            HttpRequest::new("GET", format!("http://127.0.0.1:{port}/k")).with_headers([("x-amz-meta-a", "5ecret\n")]),
            HttpRequest::new("GET", format!("http://127.0.0.1:{port}/k")).with_headers([("bad name", "v")]),
            HttpRequest::new("GET", format!("http://127.0.0.1:{port}/b/a/../k?{SECRET_QUERY}")),
            HttpRequest::new("GET", format!("http://127.0.0.1:{port}/b/%2e/k?{SECRET_QUERY}")),
        ];
        for request in requests {
            let debug = format!("{request:?}");
            assert_redacted(&transport.send(request).await.expect_err(&debug));
        }
    }

    /// The whole request a one-shot server received, and the response it gave.
    fn serve_once(response: &'static [u8]) -> (u16, thread::JoinHandle<Vec<u8>>) {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let server = thread::spawn(move || {
            let (stream, _) = listener.accept().expect("accept");
            let received = read_request(&stream);
            (&stream).write_all(response).expect("write");
            received
        });
        (port, server)
    }

    /// Head and body of one HTTP/1.1 request with a `content-length`.
    fn read_request(stream: &TcpStream) -> Vec<u8> {
        let mut reader = BufReader::new(stream);
        let (mut head, mut length) = (String::new(), 0);
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).expect("read");
            if let Some(value) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                length = value.trim().parse().expect("length");
            }
            head.push_str(&line);
            if line == "\r\n" || line.is_empty() {
                break;
            }
        }
        let mut body = vec![0; length];
        reader.read_exact(&mut body).expect("body");
        [head.into_bytes(), body].concat()
    }

    #[tokio::test]
    async fn sends_as_given_and_returns_redirects_unfollowed() {
        let (port, server) = serve_once(
            b"HTTP/1.1 307 Temporary Redirect\r\nLocation: http://127.0.0.1:1/elsewhere\r\n\
              x-amz-request-id: R1\r\ncontent-length: 5\r\nconnection: close\r\n\r\nhello",
        );
        let request = HttpRequest::new("POST", format!("http://127.0.0.1:{port}/b/a%2Fb//c?uploads="))
            .with_headers([("x-amz-date", "20130524T000000Z")])
            .with_body(b"<xml/>".to_vec());
        let response = loopback().send(request).await.expect("response");
        assert_eq!((response.status, response.body.as_slice()), (307, &b"hello"[..]));
        assert_eq!(response.header("X-Amz-Request-Id"), Some("R1"));

        let received = String::from_utf8(server.join().expect("server")).expect("UTF-8");
        assert!(received.starts_with("POST /b/a%2Fb//c?uploads= HTTP/1.1\r\n"), "{received}");
        assert!(received.contains("x-amz-date: 20130524T000000Z\r\n"), "{received}");
        assert!(received.ends_with("\r\n\r\n<xml/>"), "{received}");
    }

    #[test]
    fn only_urls_the_parser_keeps_are_sent() {
        let cases = [
            ("http://h/b/k?uploads=", true),
            ("http://h:9000/a%2Fb//c%2e?partNumber=1&uploadId=x%2By", true),
            ("http://h", true),
            ("http://h?uploads", true),
            ("http://h/b/k#fragment", true),
            ("http://h/b/./k", false),
            ("http://h/b/../k", false),
            ("http://h/b/%2E%2E/k", false),
            ("http://h/b/k?a b", false),
        ];
        for (url, sent_unchanged) in cases {
            let parsed = ::reqwest::Url::parse(url).expect(url);
            assert_eq!(check_unchanged(url, &parsed).is_ok(), sent_unchanged, "{url}");
        }
    }

    #[test]
    fn new_builds_a_client_without_network() {
        assert!(ReqwestTransport::new().is_ok());
    }
}
