//! The signing key, `HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request")`,
//! and the per-thread cache that derives it once a day, together with the rest of what a
//! signature needs from its scope.

use std::cell::RefCell;
use std::fmt;

use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::{AmzDate, decimal};
use crate::credentials::Credentials;

type HmacSha256 = Hmac<Sha256>;

/// A derived SigV4 signing key for one (secret, date, region, service).
///
/// It keeps the HMAC state already keyed, so each signature costs only the hashing of the
/// string to sign. `Debug` does not print the key.
#[derive(Clone)]
pub struct SigningKey {
    bytes: [u8; 32],
    keyed: HmacSha256,
}

impl SigningKey {
    /// Derives the key from a secret access key and a scope (`date` is `YYYYMMDD`).
    pub fn derive(secret_access_key: &str, date: &str, region: &str, service: &str) -> Self {
        let mut seed = Vec::with_capacity(4 + secret_access_key.len());
        seed.extend_from_slice(b"AWS4");
        seed.extend_from_slice(secret_access_key.as_bytes());
        let k_date = hmac(&seed, date.as_bytes());
        let k_region = hmac(&k_date, region.as_bytes());
        let k_service = hmac(&k_region, service.as_bytes());
        SigningKey::from_bytes(hmac(&k_service, b"aws4_request"))
    }

    fn from_bytes(bytes: [u8; 32]) -> Self {
        let keyed = keyed_hmac(&bytes);
        SigningKey { bytes, keyed }
    }

    /// The raw 32 key bytes (what the AWS docs print as the "signing key").
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.bytes
    }

    /// The HMAC state after `prefix`, to finish several messages that start with it.
    pub(crate) fn resume_after(&self, prefix: &[u8]) -> HmacSha256 {
        let mut mac = self.keyed.clone();
        mac.update(prefix);
        mac
    }

    /// HMAC-SHA256 of the concatenated `parts` under this key.
    pub fn sign_parts(&self, parts: &[&[u8]]) -> [u8; 32] {
        let mut mac = self.keyed.clone();
        for part in parts {
            mac.update(part);
        }
        mac.finalize().into_bytes().into()
    }

    /// HMAC-SHA256 of `message` as lowercase hex: the SigV4 signature of a string to sign.
    pub fn sign_hex(&self, message: &[u8]) -> String {
        hex::encode(self.sign_parts(&[message]))
    }
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SigningKey(<redacted>)")
    }
}

fn keyed_hmac(key: &[u8]) -> HmacSha256 {
    // HMAC accepts keys of any length, so this cannot fail.
    match HmacSha256::new_from_slice(key) {
        Ok(mac) => mac,
        Err(_) => unreachable!("HMAC takes keys of any length"),
    }
}

fn hmac(key: &[u8], message: &[u8]) -> [u8; 32] {
    let mut mac = keyed_hmac(key);
    mac.update(message);
    mac.finalize().into_bytes().into()
}

/// How many keys each thread keeps: a service signing for a handful of regions and
/// credential sets never derives twice a day, and a bounded list cannot grow without limit.
const CACHE_SLOTS: usize = 16;

/// SHA-256's block size.
const BLOCK: usize = 64;

/// Everything a signature needs from its scope (secret, date, region, service), kept per
/// thread so that signing repeats none of it.
pub(crate) struct Scope {
    key: SigningKey,
    /// `YYYYMMDD/region/service/aws4_request`.
    text: String,
    /// `%2FYYYYMMDD%2Fregion%2Fservice%2Faws4_request`: the `X-Amz-Credential` value after
    /// the access key id. Region and service are validated to unreserved characters.
    query: String,
    /// `AWS4-HMAC-SHA256\n{timestamp}\n{scope}\n`: the string to sign up to the canonical
    /// request's hash, for the last timestamp signed.
    sts_prefix: Vec<u8>,
    /// The HMAC state after the first 64 bytes of the string to sign, which depend only on
    /// that timestamp and the scope: every signature within the same second starts from it.
    /// `None` when the prefix is shorter than a block (a one-letter region).
    after_first_block: Option<HmacSha256>,
    /// `X-Amz-Algorithm=…&…&X-Amz-SignedHeaders=` for that same timestamp, as the signer and
    /// expiry in `auth_for` sign it (empty until asked for).
    auth_params: String,
    /// The signer's id and the expiry `auth_params` was written for.
    auth_for: Option<(u64, u64)>,
}

/// What a presigned URL's authentication parameters say about its signer.
pub(crate) struct Signatory<'a> {
    /// Unique per credentials a `Signer` was made with (its clones share it).
    pub(crate) id: u64,
    /// The access key id, encoded.
    pub(crate) access_key_query: &'a str,
    /// `&X-Amz-Security-Token=…`, encoded, or empty.
    pub(crate) token_query: &'a str,
}

/// What `auth_params` starts with, before the access key id.
const AUTH_HEAD_START: &str = "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=";

impl Scope {
    fn new(key: SigningKey, date: &str, region: &str, service: &str) -> Self {
        // Sized exactly: a service with more credential sets than cache slots builds scopes
        // on the hot path, and every reallocation shows there.
        let parts = date.len() + region.len() + service.len();
        let (mut text, mut query) = (String::with_capacity(parts + 15), String::with_capacity(parts + 24));
        for part in [date, region, service] {
            text.push_str(part);
            text.push('/');
            query.push_str("%2F");
            query.push_str(part);
        }
        text.push_str("aws4_request");
        query.push_str("%2Faws4_request");
        let sts_prefix = Vec::with_capacity(35 + text.len());
        let auth_params = String::with_capacity(AUTH_HEAD_START.len() + 64 + query.len() + 80);
        Scope { key, text, query, sts_prefix, after_first_block: None, auth_params, auth_for: None }
    }

    /// `YYYYMMDD/region/service/aws4_request`.
    pub(crate) fn text(&self) -> &str {
        &self.text
    }

    /// The query of a presigned URL from `X-Amz-Algorithm` to `X-Amz-SignedHeaders=` (its
    /// value excluded), at `date`, by `signer`, valid for `expires_seconds`.
    pub(crate) fn auth_params(&mut self, date: &AmzDate, signer: &Signatory<'_>, expires_seconds: u64) -> &str {
        self.at(date.as_bytes());
        if self.auth_for != Some((signer.id, expires_seconds)) {
            let mut digits = [0u8; 20];
            self.auth_params.clear();
            for part in [
                AUTH_HEAD_START,
                signer.access_key_query,
                &self.query,
                "&X-Amz-Date=",
                date.as_str(),
                "&X-Amz-Expires=",
                decimal(expires_seconds, &mut digits),
                signer.token_query,
                "&X-Amz-SignedHeaders=",
            ] {
                self.auth_params.push_str(part);
            }
            self.auth_for = Some((signer.id, expires_seconds));
        }
        &self.auth_params
    }

    /// Moves the per-second state to `timestamp` (`YYYYMMDDTHHMMSSZ`).
    fn at(&mut self, timestamp: &[u8; 16]) {
        if self.sts_prefix.get(17..33) == Some(timestamp) {
            return;
        }
        self.sts_prefix.clear();
        for part in [super::ALGORITHM.as_bytes(), b"\n", timestamp, b"\n", self.text.as_bytes(), b"\n"] {
            self.sts_prefix.extend_from_slice(part);
        }
        self.after_first_block = self.sts_prefix.get(..BLOCK).map(|block| {
            let mut mac = self.key.keyed.clone();
            mac.update(block);
            mac
        });
        self.auth_for = None;
    }

    /// Signs the string to sign for `timestamp` (`YYYYMMDDTHHMMSSZ`) and the hex hash of a
    /// canonical request; returns the HMAC and the string to sign's prefix (for debugging).
    pub(crate) fn sign(&mut self, timestamp: &[u8; 16], hash_hex: &[u8; 64]) -> ([u8; 32], &[u8]) {
        self.at(timestamp);
        let (mut mac, rest) = match &self.after_first_block {
            Some(mac) => (mac.clone(), &self.sts_prefix[BLOCK..]),
            None => (self.key.keyed.clone(), &self.sts_prefix[..]),
        };
        mac.update(rest);
        mac.update(hash_hex);
        (mac.finalize().into_bytes().into(), &self.sts_prefix)
    }
}

struct CacheEntry {
    fingerprint: [u8; 32],
    date: [u8; 8],
    region: Box<str>,
    service: Box<str>,
    scope: Scope,
}

thread_local! {
    // One cache per thread: signers are shared freely across threads and the hot path never
    // takes a lock. Entries are keyed by the secret's SHA-256, so a rotated secret (even under
    // the same access key id) can never reuse a key derived from the old one.
    static CACHE: RefCell<Vec<CacheEntry>> = const { RefCell::new(Vec::new()) };
    #[cfg(test)]
    static DERIVATIONS: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// The signing key for `credentials` and the scope, from this thread's cache when it has it.
pub(crate) fn cached_key(credentials: &Credentials, date: &str, region: &str, service: &str) -> SigningKey {
    with_scope(credentials, date, region, service, |scope| scope.key.clone())
}

/// Runs `f` on the cached scope (deriving its key first when this thread has not yet).
/// `f` must not sign: the cache is borrowed while it runs.
pub(crate) fn with_scope<T>(
    credentials: &Credentials,
    date: &str,
    region: &str,
    service: &str,
    f: impl FnOnce(&mut Scope) -> T,
) -> T {
    let fingerprint = credentials.fingerprint();
    CACHE.with_borrow_mut(|entries| {
        let hit = entries.iter().rposition(|e| {
            e.date.as_slice() == date.as_bytes()
                && &e.fingerprint == fingerprint
                && &*e.region == region
                && &*e.service == service
        });
        let at = match hit {
            Some(at) => at,
            None => derive_into(entries, credentials, date, region, service),
        };
        f(&mut entries[at].scope)
    })
}

/// Derives the key for the scope into the cache and returns its index.
fn derive_into(
    entries: &mut Vec<CacheEntry>,
    credentials: &Credentials,
    date: &str,
    region: &str,
    service: &str,
) -> usize {
    #[cfg(test)]
    DERIVATIONS.with(|n| n.set(n.get() + 1));
    let key = SigningKey::derive(credentials.secret_access_key(), date, region, service);
    let mut date_bytes = [0u8; 8];
    if date.len() == 8 {
        date_bytes.copy_from_slice(date.as_bytes());
    }
    // A new day makes yesterday's keys useless; drop them before evicting anything else.
    entries.retain(|e| e.date == date_bytes);
    if entries.len() >= CACHE_SLOTS {
        // O(1): entries hold hash states, and shifting sixteen of them on every miss showed
        // when secrets rotate per request. Which one goes hardly matters at this size.
        entries.swap_remove(0);
    }
    entries.push(CacheEntry {
        fingerprint: *credentials.fingerprint(),
        date: date_bytes,
        region: region.into(),
        service: service.into(),
        scope: Scope::new(key, date, region, service),
    });
    entries.len() - 1
}

#[cfg(test)]
pub(crate) fn derivations_on_this_thread() -> u64 {
    DERIVATIONS.with(|n| n.get())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derive_matches_the_s3_doc_signing_key() {
        // s3-doc-examples.json, sigv4_presigned_url[0].expected.signing_key_hex
        let key = SigningKey::derive("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "20130524", "us-east-1", "s3");
        assert_eq!(hex::encode(key.as_bytes()), "dbb893acc010964918f1fd433add87c70e8b0db6be30c1fbeafefa5ec6ba8378");
        assert_eq!(format!("{key:?}"), "SigningKey(<redacted>)");
    }

    #[test]
    fn scope_signs_like_a_plain_hmac_of_the_string_to_sign() {
        // "a" makes the prefix shorter than one block: no state is kept after it.
        for region in ["us-east-1", "a"] {
            let key = SigningKey::derive("secret", "20240101", region, "s3");
            let mut scope = Scope::new(key.clone(), "20240101", region, "s3");
            let date = AmzDate::parse("20240101T000000Z").unwrap();
            // Another signer or expiry rewrites the parameters; the same ones reuse them.
            for (id, akid, token, expires) in [
                (1, "AKID", "", 60),
                (2, "AKI", "&X-Amz-Security-Token=t", 60),
                (2, "AKI", "&X-Amz-Security-Token=t", 7),
                (1, "AKID", "", 7),
            ] {
                let signer = Signatory { id, access_key_query: akid, token_query: token };
                assert_eq!(
                    scope.auth_params(&date, &signer, expires),
                    format!(
                        "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential={akid}%2F20240101%2F{region}%2Fs3%2F\
                         aws4_request&X-Amz-Date=20240101T000000Z&X-Amz-Expires={expires}{token}&X-Amz-SignedHeaders="
                    )
                );
            }
            for (timestamp, fill) in
                [(b"20240101T000000Z", b'a'), (b"20240101T000001Z", b'b'), (b"20240101T000001Z", b'c')]
            {
                let hash = [fill; 64];
                let sts = format!(
                    "AWS4-HMAC-SHA256\n{}\n20240101/{region}/s3/aws4_request\n",
                    std::str::from_utf8(timestamp).unwrap()
                );
                let (mac, prefix) = scope.sign(timestamp, &hash);
                assert_eq!(prefix, sts.as_bytes());
                assert_eq!(mac, key.sign_parts(&[sts.as_bytes(), &hash]), "{region} {fill}");
            }
        }
    }

    #[test]
    fn cache_reuses_within_a_day_and_never_across_secrets() {
        let a = Credentials::new("AKID", "secret-a").unwrap();
        let b = Credentials::new("AKID", "secret-b").unwrap();
        let start = derivations_on_this_thread();
        let k1 = cached_key(&a, "20240101", "eu-west-1", "s3");
        let k2 = cached_key(&a, "20240101", "eu-west-1", "s3");
        assert_eq!(k1.as_bytes(), k2.as_bytes());
        assert_eq!(derivations_on_this_thread() - start, 1, "second call must hit the cache");

        let rotated = cached_key(&b, "20240101", "eu-west-1", "s3");
        assert_eq!(derivations_on_this_thread() - start, 2, "a new secret must derive again");
        assert_eq!(rotated.as_bytes(), SigningKey::derive("secret-b", "20240101", "eu-west-1", "s3").as_bytes());
        assert_ne!(rotated.as_bytes(), k1.as_bytes());

        let next_day = cached_key(&a, "20240102", "eu-west-1", "s3");
        assert_eq!(next_day.as_bytes(), SigningKey::derive("secret-a", "20240102", "eu-west-1", "s3").as_bytes());
        let other_region = cached_key(&a, "20240102", "us-east-1", "s3");
        assert_ne!(other_region.as_bytes(), next_day.as_bytes());
        assert_eq!(derivations_on_this_thread() - start, 4);
    }
}
