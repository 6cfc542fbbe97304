//! Query presigning and `Authorization` header signing over one canonical-request builder.

use std::cell::RefCell;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use super::batch::Batch;
use super::canonical::{self, HeaderSource, HeaderText, Headers};
use super::encode::encode_query_component;
use super::key::{Scope, Signatory, SigningKey, cached_key, with_scope};
use super::template::{Marked, Template};
use super::{ALGORITHM, AmzDate, MAX_EXPIRES_SECONDS, Request, SigningConfig, hex_into, hex_str};
use crate::credentials::Credentials;
use crate::error::{Error, Result};

/// Signs requests with one set of credentials.
///
/// `Signer` is `Send + Sync`: share one across threads (in an `Arc` or a `static`). Signing
/// keys are derived once per (secret, day, region, service) and cached per thread, so the
/// hot path takes no lock and a rotated secret never meets a stale key.
#[derive(Clone)]
pub struct Signer {
    credentials: Credentials,
    /// The access key id as `X-Amz-Credential` starts, encoded once rather than per URL.
    access_key_query: Box<str>,
    /// `&X-Amz-Security-Token=…`, encoded once (empty without a session token): tokens run
    /// to a kilobyte, and encoding one per URL would cost more than the hashing.
    token_query: Box<str>,
    /// Tells this signer's rendered `X-Amz-*` parameters apart in the per-thread cache.
    id: u64,
}

/// The next [`Signer`]'s id (taken once per `Signer::new`, never on the signing path).
static NEXT_SIGNER_ID: AtomicU64 = AtomicU64::new(1);

impl fmt::Debug for Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The encoded token is a copy of a secret: only the (redacting) credentials show.
        f.debug_struct("Signer").field("credentials", &self.credentials).finish_non_exhaustive()
    }
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
    /// The rendered `X-Amz-*` parameters of a presigned URL.
    auth: String,
    /// Filled only when explaining: the hot path does not copy it.
    string_to_sign: Option<Vec<u8>>,
    /// Headers a builder wrote: their names' buffers are kept for the next request.
    headers: HeaderText,
    /// The last signing second and its `AmzDate`: URLs signed in the same second (nearly all,
    /// under load) skip the calendar arithmetic.
    date: Option<(i64, AmzDate)>,
    /// The last (signing second, expiry) and when such a URL expires.
    expiry: Option<(i64, u64, OffsetDateTime)>,
}

impl Scratch {
    fn date(&mut self, now: OffsetDateTime) -> Result<AmzDate> {
        let second = now.unix_timestamp();
        match self.date {
            Some((cached, date)) if cached == second => Ok(date),
            _ => {
                let date = AmzDate::new(now)?;
                self.date = Some((second, date));
                Ok(date)
            }
        }
    }

    fn url_expiry(&mut self, date: &AmzDate, expires_seconds: u64) -> Result<OffsetDateTime> {
        let second = date.instant().unix_timestamp();
        match self.expiry {
            Some((cached, seconds, at)) if cached == second && seconds == expires_seconds => Ok(at),
            _ => {
                let at = url_expiry(date, expires_seconds)?;
                self.expiry = Some((second, expires_seconds, at));
                Ok(at)
            }
        }
    }
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

/// What a presigned URL is asked for.
#[derive(Clone, Copy)]
pub(crate) struct Presign<'p> {
    pub(crate) request: &'p Request<'p>,
    pub(crate) config: &'p SigningConfig,
    pub(crate) expires_in: Duration,
    pub(crate) now: OffsetDateTime,
}

/// One signature's inputs.
#[derive(Clone, Copy)]
struct Job<'j> {
    request: &'j Request<'j>,
    /// The request's headers written by a builder (query presigning only): they stand in
    /// for `request`'s list.
    written: Option<&'j HeaderText>,
    config: &'j SigningConfig,
    carrier: Carrier,
    date: &'j AmzDate,
}

/// The signature and, for header signing, the headers the signer added.
struct Signed {
    signature: [u8; 64],
    added: Vec<(&'static str, String)>,
}

impl Signer {
    /// A signer for `credentials`.
    pub fn new(credentials: Credentials) -> Self {
        let mut access_key_query = String::new();
        encode_query_component(&mut access_key_query, credentials.access_key_id());
        let mut token_query = String::new();
        if let Some(token) = credentials.session_token() {
            token_query.push_str("&X-Amz-Security-Token=");
            encode_query_component(&mut token_query, token);
        }
        let id = NEXT_SIGNER_ID.fetch_add(1, Ordering::Relaxed);
        Signer { credentials, access_key_query: access_key_query.into(), token_query: token_query.into(), id }
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
        self.presign_batch_into(request, config, expires_in, now, out, None)
    }

    /// [`presign_into`](Self::presign_into) as one of a batch of similar requests (the part
    /// URLs of a multipart upload): hash state shared with the batch's previous request is
    /// reused. The result is byte-identical to signing alone.
    pub fn presign_batch_into(
        &self,
        request: &Request<'_>,
        config: &SigningConfig,
        expires_in: Duration,
        now: OffsetDateTime,
        out: &mut String,
        batch: Option<&mut Batch>,
    ) -> Result<OffsetDateTime> {
        self.presign_with(Presign { request, config, expires_in, now }, out, batch)
    }

    /// [`presign_into`](Self::presign_into) for a request whose headers `source` gives, in
    /// canonical form, instead of the request's own list (see [`HeaderText`]). Returns also
    /// the headers' `name:value\n` lines, to send them exactly as signed, and how many. `None`
    /// when they are out of order: sign them as a list then.
    pub(crate) fn presign_written_into(
        &self,
        presign: Presign<'_>,
        source: &impl HeaderSource,
        out: &mut String,
    ) -> Result<Option<(OffsetDateTime, (String, usize))>> {
        SCRATCH.with_borrow_mut(|scratch| {
            // Taken out of the scratch for the signature, which borrows the scratch whole.
            let mut text = std::mem::take(&mut scratch.headers);
            let signed = if text.write(source) {
                let signed = self.presign_in(scratch, presign, Some(&text), out, None);
                signed.map(|at| Some((at, text.take_lines())))
            } else {
                Ok(None)
            };
            scratch.headers = text;
            signed
        })
    }

    fn presign_with(
        &self,
        presign: Presign<'_>,
        out: &mut String,
        batch: Option<&mut Batch>,
    ) -> Result<OffsetDateTime> {
        SCRATCH.with_borrow_mut(|scratch| self.presign_in(scratch, presign, None, out, batch))
    }

    /// Presigns with the per-thread `scratch` already borrowed (once per URL).
    fn presign_in(
        &self,
        scratch: &mut Scratch,
        presign: Presign<'_>,
        written: Option<&HeaderText>,
        out: &mut String,
        batch: Option<&mut Batch>,
    ) -> Result<OffsetDateTime> {
        let Presign { request, config, expires_in, now } = presign;
        let expires_seconds = check_expiry(expires_in)?;
        let date = scratch.date(now)?;
        let expires_at = scratch.url_expiry(&date, expires_seconds)?;
        self.check_credentials_cover(&date, expires_at)?;
        let job = Job { request, written, config, carrier: Carrier::Query { expires_seconds }, date: &date };
        let start = out.len();
        match self.sign(job, scratch, out, batch) {
            Ok(signed) => {
                out.push_str("&X-Amz-Signature=");
                out.push_str(hex_str(&signed.signature));
                Ok(expires_at)
            }
            Err(error) => {
                out.truncate(start);
                Err(error)
            }
        }
    }

    /// A [`Template`] for presigning requests like `request`, whose first `slots` slot
    /// markers (`template::SLOTS`) stand for the values that vary; `None` when the markers
    /// cannot be located unambiguously (sign each request alone then).
    pub(crate) fn presign_template(
        &self,
        request: &Request<'_>,
        config: &SigningConfig,
        expires_in: Duration,
        now: OffsetDateTime,
        slots: usize,
    ) -> Result<Option<Template>> {
        let explained = self.explain_presign(request, config, expires_in, now)?;
        let date = AmzDate::new(now)?;
        let expires_at = url_expiry(&date, check_expiry(expires_in)?)?;
        let sts = explained.string_to_sign.as_bytes();
        let prefix = &sts[..sts.len().saturating_sub(64)];
        let unsigned = explained.path_and_query.rsplit_once("&X-Amz-Signature=").map_or("", |(url, _)| url);
        let marked = Marked {
            path_and_query: unsigned,
            canonical_request: explained.canonical_request.as_bytes(),
            mac_after_prefix: self.signing_key(&date, config).resume_after(prefix),
            expires_at,
        };
        Ok(Template::cut(marked, slots))
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
        self.check_credentials_cover(&date, date.instant())?;
        SCRATCH.with_borrow_mut(|scratch| {
            let mut path_and_query = String::with_capacity(request.path.len() * 3 / 2 + 64);
            let job = Job { request, written: None, config, carrier: Carrier::Header, date: &date };
            let signed = self.sign(job, scratch, &mut path_and_query, None)?;
            let signature = hex_str(&signed.signature).to_string();
            Ok(SignedHeaders { path_and_query, headers: signed.added, signature })
        })
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
            self.check_credentials_cover(&date, url_expiry(&date, expires_seconds)?)?;
        }
        let mut scratch = Scratch { string_to_sign: Some(Vec::new()), ..Scratch::default() };
        let mut path_and_query = String::new();
        let signed = self.sign(
            Job { request, written: None, config, carrier, date: &date },
            &mut scratch,
            &mut path_and_query,
            None,
        )?;
        let signature = hex_str(&signed.signature).to_string();
        if let Carrier::Query { .. } = carrier {
            path_and_query.push_str("&X-Amz-Signature=");
            path_and_query.push_str(&signature);
        }
        Ok(Explanation {
            canonical_request: scratch.canonical_request,
            string_to_sign: String::from_utf8_lossy(&scratch.string_to_sign.unwrap_or_default()).into_owned(),
            signature,
            path_and_query,
        })
    }

    /// Signs an arbitrary string to sign (a POST policy, a chunk) under `config`'s scope.
    pub fn sign_string(&self, string_to_sign: &str, date: &AmzDate, config: &SigningConfig) -> String {
        self.signing_key(date, config).sign_hex(string_to_sign.as_bytes())
    }

    /// The one signing pass: appends the path and query as sent to `out`, builds the
    /// canonical request in `scratch`, and signs it.
    fn sign(&self, job: Job<'_>, scratch: &mut Scratch, out: &mut String, batch: Option<&mut Batch>) -> Result<Signed> {
        let Job { request, written, config, carrier, date } = job;
        check_method(request.method)?;
        check_host(request.host)?;
        let mut payload_buf = [0u8; 64];
        let payload = request.payload.render(&mut payload_buf);
        let added = self.added_headers(carrier, config, date, payload);
        let headers = match written {
            // Only query presigning passes written headers, and the signer adds none then.
            Some(text) => {
                debug_assert!(added.is_empty());
                Headers::Written { host: request.host, text }
            }
            None => Headers::new(request.host, request.headers, &added)?,
        };

        let start = out.len();
        let canonical_path = canonical::write_path(request.path, config.path_mode, out)?;
        let path_end = out.len();
        out.push('?');
        with_scope(&self.credentials, date.date_stamp(), &config.region, &config.service, |scope| {
            scratch.auth.clear();
            if let Carrier::Query { expires_seconds } = carrier {
                self.write_auth_params(scope, date, expires_seconds, &headers, &mut scratch.auth);
            }
            canonical::write_query(out, request.query, &scratch.auth)?;
            let creq = &mut scratch.canonical_request;
            let sent = canonical::Sent { path_and_query: &out[start..], path_len: path_end - start };
            canonical::write_request(creq, request.method, sent, canonical_path.as_deref(), &headers, payload);
            if out.len() == path_end + 1 {
                out.truncate(path_end); // no query at all: no dangling '?'
            }

            let digest = match batch {
                Some(batch) => batch.digest(creq.as_bytes()),
                None => Sha256::digest(&creq[..]).into(),
            };
            let mut hash = [0u8; 64];
            hex_into(&digest, &mut hash);
            let (mac, sts_prefix) = scope.sign(date.as_bytes(), &hash);
            if let Some(sts) = &mut scratch.string_to_sign {
                *sts = [sts_prefix, &hash].concat();
            }
            let mut signature = [0u8; 64];
            hex_into(&mac, &mut signature);
            let added = match carrier {
                Carrier::Query { .. } => Vec::new(),
                Carrier::Header => self.sent_headers(&added, &headers, scope, &signature),
            };
            Ok(Signed { signature, added })
        })
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

    /// Appends the `X-Amz-*` authentication parameters but the signature, in canonical order.
    fn write_auth_params(
        &self,
        scope: &mut Scope,
        date: &AmzDate,
        expires_seconds: u64,
        headers: &Headers<'_>,
        out: &mut String,
    ) {
        let signer =
            Signatory { id: self.id, access_key_query: &self.access_key_query, token_query: &self.token_query };
        out.push_str(scope.auth_params(date, &signer, expires_seconds));
        headers.write_names_encoded(out);
    }

    /// `x-amz-date`, … and finally `authorization`, as the client must send them.
    fn sent_headers(
        &self,
        added: &[(&'static str, &str)],
        headers: &Headers<'_>,
        scope: &Scope,
        signature: &[u8; 64],
    ) -> Vec<(&'static str, String)> {
        let mut sent: Vec<(&'static str, String)> = added.iter().map(|&(n, v)| (n, v.to_string())).collect();
        let mut authorization = String::with_capacity(256);
        for part in [ALGORITHM, " Credential=", self.credentials.access_key_id(), "/", scope.text(), ", SignedHeaders="]
        {
            authorization.push_str(part);
        }
        headers.write_names(&mut authorization);
        authorization.push_str(", Signature=");
        authorization.push_str(hex_str(signature));
        sent.push(("authorization", authorization));
        sent
    }

    /// Refuses credentials that have expired, or that expire before the URL would.
    fn check_credentials_cover(&self, date: &AmzDate, url_expires_at: OffsetDateTime) -> Result<()> {
        let Some(credentials_expire_at) = self.credentials.expires_at() else {
            return Ok(());
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
        Ok(())
    }
}

/// When a URL signed at `date` for `expires_seconds` stops working.
fn url_expiry(date: &AmzDate, expires_seconds: u64) -> Result<OffsetDateTime> {
    date.instant()
        .checked_add(time::Duration::seconds(expires_seconds as i64))
        .ok_or(Error::InvalidDate { reason: "the signing time plus the expiry is past year 9999".into() })
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
    const HOST: [bool; 256] = {
        let mut t = [false; 256];
        let mut b = 0;
        while b < 128 {
            let c = b as u8;
            t[b] = c.is_ascii_alphanumeric() || matches!(c, b'-' | b'.' | b'_' | b':' | b'[' | b']');
            b += 1;
        }
        t
    };
    let ok = !host.is_empty() && host.len() <= 255 && host.bytes().fold(true, |ok, b| ok & HOST[b as usize]);
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

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    /// Headers a builder wrote sign into the URL that the same headers given as a list do, and
    /// come back as the lines the client sends.
    #[test]
    fn written_headers_sign_as_a_list_of_them_does() {
        let now = datetime!(2024-05-24 12:00:00 UTC);
        let signer = Signer::new(Credentials::new("AKIDA", "secret").unwrap());
        let config = SigningConfig::s3("us-east-1").unwrap();
        for given in canonical::CANONICAL_LISTS {
            let bare = Request::new("PUT", "bucket.s3.amazonaws.com", "/k");
            let presign = Presign { request: &bare, config: &config, expires_in: Duration::from_secs(60), now };
            let mut url = String::new();
            let source = canonical::Runs(&[given]);
            let (expires_at, lines) = signer.presign_written_into(presign, &source, &mut url).unwrap().unwrap();
            let expected: String = given.iter().map(|(name, value)| format!("{name}:{value}\n")).collect();
            assert_eq!(lines, (expected, given.len()));
            let listed = bare.headers(given);
            let alone = signer.presign_at(&listed, &config, Duration::from_secs(60), now).unwrap();
            assert_eq!((url.as_str(), expires_at), (alone.path_and_query(), alone.expires_at()));
        }
        // Out of order at a seam: nothing signed, the caller signs a list instead.
        let bare = Request::new("PUT", "bucket.s3.amazonaws.com", "/k");
        let presign = Presign { request: &bare, config: &config, expires_in: Duration::from_secs(60), now };
        let mut url = String::new();
        let source = canonical::Runs(&[&[("x-amz-tagging", "a=b")], &[("x-amz-acl", "private")]]);
        assert_eq!(signer.presign_written_into(presign, &source, &mut url).unwrap(), None);
        assert_eq!(url, "");
    }

    /// The per-thread state (date, expiry, scope, rendered X-Amz-* parameters) is shared by
    /// every signer on a thread: signers with one secret but another key id or token, and
    /// other expiries, within one second, must each get what a fresh thread computes.
    #[test]
    fn per_thread_state_never_crosses_signers_or_expiries() {
        let now = datetime!(2024-05-24 12:00:00 UTC);
        let make = |id: &str, token: Option<&str>| {
            let credentials = Credentials::new(id, "one-secret").unwrap();
            Signer::new(match token {
                Some(token) => credentials.with_session_token(token).unwrap(),
                None => credentials,
            })
        };
        let signers = [make("AKIDA", None), make("AKIDB", None), make("AKIDA", Some("token/1")), make("AKIDA", None)];
        for (which, expires) in [(0, 60), (1, 60), (2, 60), (0, 61), (1, 60), (3, 60), (2, 61), (0, 60)] {
            let sign = move |signer: &Signer| {
                let config = SigningConfig::s3("us-east-1").unwrap();
                let request = Request::new("GET", "bucket.s3.amazonaws.com", "/a key");
                signer.presign_at(&request, &config, Duration::from_secs(expires), now).unwrap()
            };
            let here = sign(&signers[which]);
            let signer = signers[which].clone();
            let fresh = std::thread::spawn(move || sign(&signer)).join().unwrap();
            assert_eq!(here, fresh, "signer {which}, {expires} s");
        }
    }
}
