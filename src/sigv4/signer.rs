//! Query presigning and `Authorization` header signing over one canonical-request builder.

use std::time::Duration;

use sha2::{Digest, Sha256};
use std::cell::RefCell;
use time::OffsetDateTime;

use super::canonical::{self, AUTH_PARAMS, Headers};
use super::encode;
use super::key::{SigningKey, cached_key};
use super::{ALGORITHM, AmzDate, MAX_EXPIRES_SECONDS, Request, SigningConfig, hex_into};
use crate::credentials::Credentials;
use crate::error::{Error, Result};

/// Signs requests with one set of credentials.
///
/// `Signer` is `Send + Sync`: share one across threads (in an `Arc` or a `static`). Signing
/// keys are derived once per (secret, day, region, service) and cached per thread, so the
/// hot path takes no lock and a rotated secret never meets a stale key.
#[derive(Debug, Clone)]
pub struct Signer {
    credentials: Credentials,
}

/// A presigned request's path and query, ready to append to `scheme://host`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PresignedUrl {
    path_and_query: String,
    expires_at: OffsetDateTime,
}

impl PresignedUrl {
    /// `/path?…&X-Amz-Signature=…`, percent-encoded, parameters in canonical order.
    pub fn path_and_query(&self) -> &str {
        &self.path_and_query
    }

    /// When the URL stops working.
    pub fn expires_at(&self) -> OffsetDateTime {
        self.expires_at
    }

    /// The `X-Amz-Signature` value.
    pub fn signature(&self) -> &str {
        let at = self.path_and_query.len().saturating_sub(64);
        &self.path_and_query[at..]
    }
}

/// The result of `Authorization` header signing: the headers to add to the request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedHeaders {
    path_and_query: String,
    headers: Vec<(&'static str, String)>,
    signature: String,
}

impl SignedHeaders {
    /// The canonical path and query to send (the request's own, encoded and sorted).
    pub fn path_and_query(&self) -> &str {
        &self.path_and_query
    }

    /// Headers to add, in this order: `x-amz-date`, `x-amz-content-sha256` (S3),
    /// `x-amz-security-token` (temporary credentials) and `authorization`.
    pub fn headers(&self) -> &[(&'static str, String)] {
        &self.headers
    }

    /// The `Authorization` header value.
    pub fn authorization(&self) -> &str {
        self.headers.last().map(|(_, v)| v.as_str()).unwrap_or_default()
    }

    /// The hex signature.
    pub fn signature(&self) -> &str {
        &self.signature
    }
}

/// Every intermediate value of a signature, for debugging `SignatureDoesNotMatch` against
/// the `CanonicalRequest` and `StringToSign` S3 echoes in its error body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Explanation {
    /// The canonical request.
    pub canonical_request: String,
    /// The string to sign.
    pub string_to_sign: String,
    /// The signature (lowercase hex).
    pub signature: String,
    /// The path and query as sent (for a presigned URL, with `X-Amz-Signature`).
    pub path_and_query: String,
}

/// Which of the two SigV4 carriers to produce.
#[derive(Clone, Copy)]
enum Carrier {
    Query { expires_seconds: u64 },
    Header,
}

/// Buffers reused across signatures on one thread, so signing allocates only its output.
#[derive(Default)]
struct Scratch {
    canonical_request: String,
    string_to_sign: String,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

/// The signature and, for header signing, the headers the signer added.
struct Signed {
    signature: [u8; 64],
    added: Vec<(&'static str, String)>,
}

impl Signer {
    /// A signer for `credentials`.
    pub fn new(credentials: Credentials) -> Self {
        Signer { credentials }
    }

    /// The credentials this signer uses.
    pub fn credentials(&self) -> &Credentials {
        &self.credentials
    }

    /// The signing key for `date` (`YYYYMMDD`) and `config`'s scope, from the cache.
    pub fn signing_key(&self, date: &AmzDate, config: &SigningConfig) -> SigningKey {
        cached_key(&self.credentials, date.date_stamp(), &config.region, &config.service)
    }

    /// Presigns `request` for `expires_in`, from now (system clock).
    pub fn presign(&self, request: &Request<'_>, config: &SigningConfig, expires_in: Duration) -> Result<PresignedUrl> {
        self.presign_at(request, config, expires_in, OffsetDateTime::now_utc())
    }

    /// Presigns `request` for `expires_in` from `now`.
    pub fn presign_at(
        &self,
        request: &Request<'_>,
        config: &SigningConfig,
        expires_in: Duration,
        now: OffsetDateTime,
    ) -> Result<PresignedUrl> {
        let mut path_and_query = String::with_capacity(estimate_len(request, &self.credentials));
        let expires_at = self.presign_into(request, config, expires_in, now, &mut path_and_query)?;
        Ok(PresignedUrl { path_and_query, expires_at })
    }

    /// Presigns `request`, appending `/path?query&X-Amz-Signature=…` to `out` (which may already
    /// hold `https://host`), and returns when the URL expires. On error `out` is unchanged.
    pub fn presign_into(
        &self,
        request: &Request<'_>,
        config: &SigningConfig,
        expires_in: Duration,
        now: OffsetDateTime,
        out: &mut String,
    ) -> Result<OffsetDateTime> {
        let expires_seconds = check_expiry(expires_in)?;
        let date = AmzDate::new(now)?;
        let expires_at = self.check_credentials_cover(&date, expires_seconds)?;
        let signed = SCRATCH.with_borrow_mut(|scratch| {
            self.sign(request, config, Carrier::Query { expires_seconds }, &date, out, scratch)
        })?;
        out.push_str("&X-Amz-Signature=");
        out.push_str(std::str::from_utf8(&signed.signature).unwrap_or_default());
        Ok(expires_at)
    }

    /// Signs `request` with an `Authorization` header, now (system clock).
    pub fn sign_headers(&self, request: &Request<'_>, config: &SigningConfig) -> Result<SignedHeaders> {
        self.sign_headers_at(request, config, OffsetDateTime::now_utc())
    }

    /// Signs `request` with an `Authorization` header at `now`.
    pub fn sign_headers_at(
        &self,
        request: &Request<'_>,
        config: &SigningConfig,
        now: OffsetDateTime,
    ) -> Result<SignedHeaders> {
        let date = AmzDate::new(now)?;
        self.check_credentials_cover(&date, 0)?;
        let mut path_and_query = String::new();
        let signed = SCRATCH.with_borrow_mut(|scratch| {
            self.sign(request, config, Carrier::Header, &date, &mut path_and_query, scratch)
        })?;
        let signature = std::str::from_utf8(&signed.signature).unwrap_or_default().to_string();
        Ok(SignedHeaders { path_and_query, headers: signed.added, signature })
    }

    /// The canonical request, string to sign and signature of a presigned URL.
    pub fn explain_presign(
        &self,
        request: &Request<'_>,
        config: &SigningConfig,
        expires_in: Duration,
        now: OffsetDateTime,
    ) -> Result<Explanation> {
        let expires_seconds = check_expiry(expires_in)?;
        self.explain(request, config, Carrier::Query { expires_seconds }, now)
    }

    /// The canonical request, string to sign and signature of `Authorization` header signing.
    pub fn explain_headers(
        &self,
        request: &Request<'_>,
        config: &SigningConfig,
        now: OffsetDateTime,
    ) -> Result<Explanation> {
        self.explain(request, config, Carrier::Header, now)
    }

    fn explain(
        &self,
        request: &Request<'_>,
        config: &SigningConfig,
        carrier: Carrier,
        now: OffsetDateTime,
    ) -> Result<Explanation> {
        let date = AmzDate::new(now)?;
        if let Carrier::Query { expires_seconds } = carrier {
            self.check_credentials_cover(&date, expires_seconds)?;
        }
        let mut path_and_query = String::new();
        let mut scratch = Scratch::default();
        let signed = self.sign(request, config, carrier, &date, &mut path_and_query, &mut scratch)?;
        let signature = std::str::from_utf8(&signed.signature).unwrap_or_default().to_string();
        if let Carrier::Query { .. } = carrier {
            path_and_query.push_str("&X-Amz-Signature=");
            path_and_query.push_str(&signature);
        }
        Ok(Explanation {
            canonical_request: scratch.canonical_request,
            string_to_sign: scratch.string_to_sign,
            signature,
            path_and_query,
        })
    }

    /// Signs an arbitrary string to sign (a POST policy, a chunk) under `config`'s scope.
    pub fn sign_string(&self, string_to_sign: &str, date: &AmzDate, config: &SigningConfig) -> String {
        self.signing_key(date, config).sign_hex(string_to_sign.as_bytes())
    }

    /// The one signing pass: appends the path and query to `out`, builds the canonical
    /// request and string to sign in `scratch`, and signs.
    fn sign(
        &self,
        request: &Request<'_>,
        config: &SigningConfig,
        carrier: Carrier,
        date: &AmzDate,
        out: &mut String,
        scratch: &mut Scratch,
    ) -> Result<Signed> {
        check_method(request.method)?;
        check_host(request.host)?;
        let mut payload_buf = [0u8; 64];
        let payload = request.payload.render(&mut payload_buf);
        let added = self.added_headers(carrier, config, date, payload);
        let headers = Headers::new(request.host, request.headers, &added)?;

        let start = out.len();
        let canonical_path = canonical::write_path(request.path, config.path_mode, out)?;
        let path_end = out.len();
        out.push('?');
        let written = match carrier {
            Carrier::Query { expires_seconds } => {
                self.write_auth_query(request, config, date, expires_seconds, &headers, out)
            }
            Carrier::Header => canonical::write_query(out, request.query, &[], &mut |_, _| {}),
        };
        if let Err(e) = written {
            out.truncate(start);
            return Err(e);
        }

        let creq = &mut scratch.canonical_request;
        creq.clear();
        for part in [
            request.method,
            "\n",
            canonical_path.as_deref().unwrap_or(&out[start..path_end]),
            "\n",
            &out[path_end + 1..],
            "\n",
        ] {
            creq.push_str(part);
        }
        headers.write(creq);
        creq.push('\n');
        headers.write_names(creq, |out, s| out.push_str(s));
        creq.push('\n');
        creq.push_str(payload);
        if out.len() == path_end + 1 {
            out.truncate(path_end); // no query at all: no dangling '?'
        }

        let mut hash = [0u8; 64];
        let hash = hex_into(&Sha256::digest(creq.as_bytes()).into(), &mut hash);
        let sts = &mut scratch.string_to_sign;
        sts.clear();
        for part in [ALGORITHM, "\n", date.as_str(), "\n"] {
            sts.push_str(part);
        }
        push_scope(sts, date, config);
        sts.push('\n');
        sts.push_str(hash);
        let mut signature = [0u8; 64];
        hex_into(&self.signing_key(date, config).sign_parts(&[sts.as_bytes()]), &mut signature);

        let added = match carrier {
            Carrier::Query { .. } => Vec::new(),
            Carrier::Header => self.sent_headers(&added, &headers, date, config, &signature),
        };
        Ok(Signed { signature, added })
    }

    /// The headers header signing adds and signs itself.
    fn added_headers<'s>(
        &'s self,
        carrier: Carrier,
        config: &SigningConfig,
        date: &'s AmzDate,
        payload: &'s str,
    ) -> Vec<(&'static str, &'s str)> {
        let mut added = Vec::new();
        if let Carrier::Header = carrier {
            added.push(("x-amz-date", date.as_str()));
            if config.content_sha256_header {
                added.push(("x-amz-content-sha256", payload));
            }
            if let Some(token) = self.credentials.session_token() {
                added.push(("x-amz-security-token", token));
            }
        }
        added
    }

    /// The request's query merged with the `X-Amz-*` authentication parameters.
    fn write_auth_query(
        &self,
        request: &Request<'_>,
        config: &SigningConfig,
        date: &AmzDate,
        expires_seconds: u64,
        headers: &Headers<'_>,
        out: &mut String,
    ) -> Result<()> {
        let token = self.credentials.session_token();
        let names: &[&'static str] = if token.is_some() { &AUTH_PARAMS[..6] } else { &AUTH_NO_TOKEN };
        canonical::write_query(out, request.query, names, &mut |index, out| match names[index] {
            "X-Amz-Algorithm" => out.push_str(ALGORITHM),
            "X-Amz-Credential" => {
                encode::push_query_component(out, self.credentials.access_key_id());
                // Region and service are validated to unreserved characters: only '/' needs escaping.
                for part in ["%2F", date.date_stamp(), "%2F", &config.region, "%2F", &config.service, "%2Faws4_request"]
                {
                    out.push_str(part);
                }
            }
            "X-Amz-Date" => out.push_str(date.as_str()),
            "X-Amz-Expires" => push_decimal(out, expires_seconds),
            "X-Amz-Security-Token" => encode::push_query_component(out, token.unwrap_or_default()),
            _ => headers.write_names(out, |out, s| encode::push_query_component(out, s)),
        })
    }

    /// `x-amz-date`, … and finally `authorization`, as the client must send them.
    fn sent_headers(
        &self,
        added: &[(&'static str, &str)],
        headers: &Headers<'_>,
        date: &AmzDate,
        config: &SigningConfig,
        signature: &[u8; 64],
    ) -> Vec<(&'static str, String)> {
        let mut sent: Vec<(&'static str, String)> = added.iter().map(|&(n, v)| (n, v.to_string())).collect();
        let mut authorization = String::with_capacity(256);
        authorization.push_str(ALGORITHM);
        authorization.push_str(" Credential=");
        authorization.push_str(self.credentials.access_key_id());
        authorization.push('/');
        push_scope(&mut authorization, date, config);
        authorization.push_str(", SignedHeaders=");
        headers.write_names(&mut authorization, |out, s| out.push_str(s));
        authorization.push_str(", Signature=");
        authorization.push_str(std::str::from_utf8(signature).unwrap_or_default());
        sent.push(("authorization", authorization));
        sent
    }

    /// Refuses credentials that have expired, or that expire before the URL would.
    fn check_credentials_cover(&self, date: &AmzDate, expires_seconds: u64) -> Result<OffsetDateTime> {
        let url_expires_at = date
            .instant()
            .checked_add(time::Duration::seconds(expires_seconds as i64))
            .ok_or(Error::InvalidDate { reason: "the signing time plus the expiry is past year 9999".into() })?;
        let Some(credentials_expire_at) = self.credentials.expires_at() else {
            return Ok(url_expires_at);
        };
        if credentials_expire_at <= date.instant() {
            return Err(Error::CredentialsExpired { expired_at: rfc3339(credentials_expire_at) });
        }
        if credentials_expire_at < url_expires_at {
            return Err(Error::ExpiryExceedsCredentials {
                url_expires_at: rfc3339(url_expires_at),
                credentials_expire_at: rfc3339(credentials_expire_at),
            });
        }
        Ok(url_expires_at)
    }
}

/// The authentication parameters without `X-Amz-Security-Token`, in canonical order.
const AUTH_NO_TOKEN: [&str; 5] =
    ["X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires", "X-Amz-SignedHeaders"];

/// Appends `YYYYMMDD/region/service/aws4_request`.
fn push_scope(out: &mut String, date: &AmzDate, config: &SigningConfig) {
    for part in [date.date_stamp(), "/", &config.region, "/", &config.service, "/aws4_request"] {
        out.push_str(part);
    }
}

fn push_decimal(out: &mut String, mut value: u64) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (value % 10) as u8;
        value /= 10;
        if value == 0 {
            break;
        }
    }
    out.push_str(std::str::from_utf8(&digits[at..]).unwrap_or_default());
}

pub(crate) fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339).unwrap_or_else(|_| t.to_string())
}

/// 1 s ..= 7 days, in whole seconds.
fn check_expiry(expires_in: Duration) -> Result<u64> {
    if expires_in.subsec_nanos() != 0 {
        return Err(Error::InvalidExpiry { reason: "the expiry must be a whole number of seconds".into() });
    }
    match expires_in.as_secs() {
        0 => Err(Error::InvalidExpiry { reason: "the expiry must be at least 1 second".into() }),
        s if s > MAX_EXPIRES_SECONDS => {
            Err(Error::InvalidExpiry { reason: format!("{s} s is longer than 604800 s (seven days)").into() })
        }
        s => Ok(s),
    }
}

fn check_method(method: &str) -> Result<()> {
    if canonical::is_token(method) {
        Ok(())
    } else {
        Err(Error::InvalidMethod { reason: "the method must be a non-empty HTTP token such as GET".into() })
    }
}

/// A host is a name or IP literal with an optional port; anything that could end the
/// authority (`/ ? # @`) or inject a header is refused.
fn check_host(host: &str) -> Result<()> {
    let ok = !host.is_empty()
        && host.len() <= 255
        && host.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._:[]".contains(&b));
    if ok {
        Ok(())
    } else {
        Err(Error::InvalidHost {
            reason: "expected host[:port] with letters, digits, '-', '.', ':' or an [IPv6] literal".into(),
        })
    }
}

fn estimate_len(request: &Request<'_>, credentials: &Credentials) -> usize {
    let query: usize = request.query.iter().map(|(n, v)| n.len() + v.len() + 2).sum();
    let token = credentials.session_token().map_or(0, |t| t.len() * 3 / 2 + 24);
    request.path.len() * 3 / 2 + query * 2 + token + 320
}
