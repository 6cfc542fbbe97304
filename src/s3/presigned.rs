//! The result of presigning: everything a client needs to make the request, and nothing it
//! has to guess.

use std::fmt;

use serde::ser::SerializeStruct;
use serde::{Serialize, Serializer};
use time::OffsetDateTime;

use super::request::Method;
use super::required_headers::RequiredHeaders;

/// A presigned request: URL, method, the exact headers the client must send, and when it
/// stops working.
///
/// `headers` holds every signed header except `host`, with the values that were signed: a
/// client that omits one, or changes a value, is refused by S3. For SSE-C requests that
/// includes the customer key, which is why this is not a shareable link.
///
/// `Debug` and `Display` redact the signature, the session token and SSE-C key material, so
/// logging a `PresignedRequest` never leaks a usable URL. `Serialize` writes the complete
/// contract (`{"method","url","headers","expiresAt"}`): it is meant for the client.
#[derive(Clone, PartialEq, Eq)]
pub struct PresignedRequest {
    pub(crate) method: Method,
    pub(crate) url: String,
    pub(crate) headers: RequiredHeaders,
    pub(crate) expires_at: OffsetDateTime,
}

/// Query parameters whose values make a URL usable: never print them.
const SENSITIVE_PARAMS: [&str; 2] = ["X-Amz-Signature", "X-Amz-Security-Token"];

impl PresignedRequest {
    /// The URL to send the request to.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The HTTP method the URL was signed for.
    pub fn method(&self) -> Method {
        self.method
    }

    /// The headers the client must send, with exactly these values (lowercase names, sorted).
    pub fn headers(&self) -> &RequiredHeaders {
        &self.headers
    }

    /// One header's value, by lowercase name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name)
    }

    /// When the URL stops working.
    pub fn expires_at(&self) -> OffsetDateTime {
        self.expires_at
    }

    /// The URL with the signature and session token replaced by `<redacted>`, for logs.
    pub fn redacted_url(&self) -> String {
        redact_url(&self.url)
    }

    /// Takes the parts: method, URL, headers and expiry.
    pub fn into_parts(self) -> (Method, String, RequiredHeaders, OffsetDateTime) {
        (self.method, self.url, self.headers, self.expires_at)
    }

    /// The request as an [`http::Request`] with an empty body, for users of the `http` crate.
    #[cfg(feature = "http")]
    pub fn to_http_request(&self) -> crate::Result<http::Request<()>> {
        let invalid = |reason: &'static str| crate::Error::InvalidUrl { reason: reason.into() };
        let mut builder = http::Request::builder().method(self.method.as_str()).uri(self.url.as_str());
        for (name, value) in &self.headers {
            builder = builder.header(name, value);
        }
        builder.body(()).map_err(|_| invalid("the URL or a header is not valid for the http crate"))
    }
}

/// Replaces the values of sensitive query parameters with `<redacted>`.
pub(crate) fn redact_url(url: &str) -> String {
    let Some((base, query)) = url.split_once('?') else { return url.to_string() };
    let mut out = String::with_capacity(url.len());
    out.push_str(base);
    out.push('?');
    for (i, pair) in query.split('&').enumerate() {
        if i > 0 {
            out.push('&');
        }
        match pair.split_once('=') {
            Some((name, _)) if SENSITIVE_PARAMS.iter().any(|p| p.eq_ignore_ascii_case(name)) => {
                out.push_str(name);
                out.push_str("=<redacted>");
            }
            _ => out.push_str(pair),
        }
    }
    out
}

impl fmt::Debug for PresignedRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PresignedRequest")
            .field("method", &self.method)
            .field("url", &self.redacted_url())
            .field("headers", &self.headers)
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

impl fmt::Display for PresignedRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.method.as_str(), self.redacted_url())
    }
}

impl Serialize for PresignedRequest {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_struct("PresignedRequest", 4)?;
        s.serialize_field("method", self.method.as_str())?;
        s.serialize_field("url", &self.url)?;
        s.serialize_field("headers", &self.headers)?;
        s.serialize_field("expiresAt", &crate::sigv4::rfc3339(self.expires_at))?;
        s.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn sample() -> PresignedRequest {
        PresignedRequest {
            method: Method::Put,
            url: "https://b.s3.amazonaws.com/k?X-Amz-Security-Token=TOKENSECRET&X-Amz-Signature=abcdef".into(),
            headers: RequiredHeaders::from_signed(
                [("content-type", "image/jpeg"), ("x-amz-server-side-encryption-customer-key", "KEYSECRET")]
                    .into_iter(),
            ),
            expires_at: datetime!(2024-01-01 01:00:00 UTC),
        }
    }

    #[test]
    fn debug_and_display_hide_what_makes_the_url_usable() {
        let p = sample();
        for shown in [format!("{p:?}"), format!("{p:#?}"), p.to_string()] {
            for secret in ["TOKENSECRET", "abcdef", "KEYSECRET"] {
                assert!(!shown.contains(secret), "{secret} leaked in {shown}");
            }
        }
        assert!(format!("{p:?}").contains("image/jpeg"));
    }

    #[test]
    fn serialize_is_the_full_contract() {
        let json = serde_json::to_value(sample()).unwrap();
        assert_eq!(json["method"], "PUT");
        assert_eq!(json["headers"]["content-type"], "image/jpeg");
        assert_eq!(json["expiresAt"], "2024-01-01T01:00:00Z");
        assert!(json["url"].as_str().unwrap().ends_with("X-Amz-Signature=abcdef"));
    }
}
