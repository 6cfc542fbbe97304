//! Pure AWS Signature Version 4: canonical request, string to sign, signing key, and the two
//! ways of carrying a signature (query presigning and the `Authorization` header).
//!
//! This layer knows HTTP and SigV4, nothing about buckets or object keys. Its inputs are a
//! [`Request`] (method, host, path, query, headers, payload hash) and a [`SigningConfig`]
//! (region, service and the URI rules). It passes the whole AWS SigV4 test suite in
//! [`PathMode::Normalized`] and signs S3 requests in [`PathMode::S3`].
//!
//! ```
//! use presign::Credentials;
//! use presign::sigv4::{Request, Signer, SigningConfig};
//! use std::time::Duration;
//! use time::macros::datetime;
//!
//! let signer = Signer::new(Credentials::new("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")?);
//! let request = Request::new("GET", "examplebucket.s3.amazonaws.com", "/test.txt");
//! let url = signer.presign_at(&request, &SigningConfig::s3("us-east-1")?, Duration::from_secs(86400),
//!                             datetime!(2013-05-24 00:00:00 UTC))?;
//! // The signature published in the S3 API reference for this request:
//! assert!(url.path_and_query().ends_with(
//!     "X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"));
//! # Ok::<(), presign::Error>(())
//! ```

mod batch;
mod canonical;
mod date;
mod encode;
mod key;
mod signer;
mod template;

pub use batch::Batch;
pub(crate) use canonical::{HeaderSink, HeaderSource, is_canonical_header, name_order, trim_blanks};
pub use date::AmzDate;
pub use encode::{encode_path, encode_query_component};
pub use key::SigningKey;
pub use signer::{Explanation, PresignedUrl, SignedHeaders, Signer};
pub(crate) use signer::{Presign, rfc3339};
pub(crate) use template::{SLOTS, Template};

use crate::error::{Error, Result};

/// The only algorithm this crate signs with.
pub const ALGORITHM: &str = "AWS4-HMAC-SHA256";

/// The payload hash S3 accepts when the body is not hashed (always used by presigned URLs).
pub const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";

/// Longest lifetime SigV4 allows for a presigned URL: seven days.
pub const MAX_EXPIRES_SECONDS: u64 = 604_800;

/// How the path becomes the canonical URI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PathMode {
    /// S3's rules: the path is the raw (decoded) path, encoded once with `/` kept, never
    /// normalised. `a//b`, `./` and `../` are kept as they are: they are distinct S3 keys.
    S3,
    /// The generic rules of the AWS test suite and non-S3 services: the path is taken as it
    /// appears in the request line (already percent-encoded), dot segments are removed and
    /// repeated slashes merged (RFC 3986), and the result is encoded again, which is AWS's
    /// "double encoding" (`%3A` → `%253A`).
    Normalized,
}

/// The hash of the body that goes at the end of the canonical request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PayloadHash {
    /// `UNSIGNED-PAYLOAD`: the body is not covered by the signature.
    Unsigned,
    /// The SHA-256 of the body, supplied by the caller (see [`PayloadHash::of`]).
    Sha256([u8; 32]),
}

impl PayloadHash {
    /// Hashes `body`.
    pub fn of(body: &[u8]) -> Self {
        use sha2::Digest;
        PayloadHash::Sha256(sha2::Sha256::digest(body).into())
    }

    /// Writes the canonical-request form (lowercase hex, or `UNSIGNED-PAYLOAD`) into `buf`.
    pub(crate) fn render<'b>(&self, buf: &'b mut [u8; 64]) -> &'b str {
        match self {
            PayloadHash::Unsigned => UNSIGNED_PAYLOAD,
            PayloadHash::Sha256(digest) => {
                hex_into(digest, buf);
                hex_str(buf)
            }
        }
    }
}

/// Lowercase hex of a 32-byte digest into `buf`, without allocating (read it back with
/// [`hex_str`]).
pub(crate) fn hex_into(digest: &[u8; 32], buf: &mut [u8; 64]) {
    /// Each byte's two lowercase hex digits as one little-endian `u16`: one lookup per byte.
    const PAIRS: [u16; 256] = {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut t = [0u16; 256];
        let mut b = 0;
        while b < 256 {
            t[b] = u16::from_le_bytes([HEX[b >> 4], HEX[b & 15]]);
            b += 1;
        }
        t
    };
    for (pair, &byte) in buf.chunks_exact_mut(2).zip(digest) {
        pair.copy_from_slice(&PAIRS[byte as usize].to_le_bytes());
    }
}

/// The text of a buffer [`hex_into`] filled.
pub(crate) fn hex_str(hex: &[u8; 64]) -> &str {
    // Only hex digits are ever written into these buffers.
    std::str::from_utf8(hex).unwrap_or_default()
}

/// `value` in decimal, written into `buf` (no allocation).
pub(crate) fn decimal(value: u64, buf: &mut [u8; 20]) -> &str {
    // Only ASCII digits are written.
    std::str::from_utf8(decimal_digits(value, buf)).unwrap_or_default()
}

/// The ASCII digits of `value`, written into `buf`.
pub(crate) fn decimal_digits(mut value: u64, buf: &mut [u8; 20]) -> &[u8] {
    let mut at = buf.len();
    loop {
        at -= 1;
        buf[at] = b'0' + (value % 10) as u8;
        value /= 10;
        if value == 0 {
            break;
        }
    }
    &buf[at..]
}

/// The HTTP request to sign, borrowed from the caller.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    method: &'a str,
    host: &'a str,
    path: &'a str,
    query: &'a [(&'a str, &'a str)],
    headers: &'a [(&'a str, &'a str)],
    payload: PayloadHash,
}

impl<'a> Request<'a> {
    /// A request with no query, no extra headers and an unsigned payload.
    ///
    /// `host` is the `Host` header value (with `:port` when it is not the scheme's default);
    /// `path` is interpreted according to the [`PathMode`] of the [`SigningConfig`].
    pub fn new(method: &'a str, host: &'a str, path: &'a str) -> Self {
        Request { method, host, path, query: &[], headers: &[], payload: PayloadHash::Unsigned }
    }

    /// Query parameters as raw (decoded) name/value pairs; the signer encodes them. A
    /// valueless parameter such as `?uploads` is `("uploads", "")`.
    pub fn query(mut self, query: &'a [(&'a str, &'a str)]) -> Self {
        self.query = query;
        self
    }

    /// Headers to sign besides `host` (names in any case; repeated names are joined).
    pub fn headers(mut self, headers: &'a [(&'a str, &'a str)]) -> Self {
        self.headers = headers;
        self
    }

    /// The payload hash (default [`PayloadHash::Unsigned`]).
    pub fn payload(mut self, payload: PayloadHash) -> Self {
        self.payload = payload;
        self
    }
}

/// Region, service and URI rules of a signature.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SigningConfig {
    region: String,
    service: String,
    path_mode: PathMode,
    content_sha256_header: bool,
}

impl SigningConfig {
    /// S3 in `region`: [`PathMode::S3`], and header-signed requests carry the
    /// `x-amz-content-sha256` header S3 requires.
    pub fn s3(region: &str) -> Result<Self> {
        Ok(SigningConfig {
            region: checked_scope_part(region, |reason| Error::InvalidRegion { region: region.into(), reason })?,
            service: "s3".into(),
            path_mode: PathMode::S3,
            content_sha256_header: true,
        })
    }

    /// Any service, with the generic rules ([`PathMode::Normalized`], no
    /// `x-amz-content-sha256` header).
    pub fn new(region: &str, service: &str) -> Result<Self> {
        Ok(SigningConfig {
            region: checked_scope_part(region, |reason| Error::InvalidRegion { region: region.into(), reason })?,
            service: checked_scope_part(service, |reason| Error::InvalidService { service: service.into(), reason })?,
            path_mode: PathMode::Normalized,
            content_sha256_header: false,
        })
    }

    /// Overrides the URI rules.
    pub fn with_path_mode(mut self, mode: PathMode) -> Self {
        self.path_mode = mode;
        self
    }

    /// Whether header signing adds and signs `x-amz-content-sha256`.
    pub fn with_content_sha256_header(mut self, on: bool) -> Self {
        self.content_sha256_header = on;
        self
    }

    /// The region of the credential scope.
    pub fn region(&self) -> &str {
        &self.region
    }

    /// The service of the credential scope.
    pub fn service(&self) -> &str {
        &self.service
    }

    /// The URI rules.
    pub fn path_mode(&self) -> PathMode {
        self.path_mode
    }
}

/// Region and service are fields of `date/region/service/aws4_request`: a `/` or a space
/// would change the scope's meaning.
fn checked_scope_part(value: &str, error: impl Fn(std::borrow::Cow<'static, str>) -> Error) -> Result<String> {
    if value.is_empty() {
        return Err(error("it is empty".into()));
    }
    if value.len() > 64 {
        return Err(error("it is longer than 64 characters".into()));
    }
    if !value.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.') {
        return Err(error("only letters, digits, '-', '_' and '.' are allowed".into()));
    }
    Ok(value.to_string())
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn hex_matches_the_hex_crate(digest in any::<[u8; 32]>()) {
            let mut buf = [0u8; 64];
            super::hex_into(&digest, &mut buf);
            prop_assert_eq!(super::hex_str(&buf), hex::encode(digest));
        }
    }
}
