//! The signing key, `HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request")`,
//! and the per-thread cache that derives it once a day.

use std::cell::RefCell;
use std::fmt;

use hmac::{Hmac, Mac};
use sha2::Sha256;

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

    /// The HMAC state already keyed with this key.
    pub(crate) fn keyed(&self) -> &HmacSha256 {
        &self.keyed
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

struct CacheEntry {
    fingerprint: [u8; 32],
    date: [u8; 8],
    region: Box<str>,
    service: Box<str>,
    key: SigningKey,
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
    with_cached_key(credentials, date, region, service, SigningKey::clone)
}

/// Runs `f` on the cached signing key without copying it out of the cache.
pub(crate) fn with_cached_key<T>(
    credentials: &Credentials,
    date: &str,
    region: &str,
    service: &str,
    f: impl FnOnce(&SigningKey) -> T,
) -> T {
    let fingerprint = credentials.fingerprint();
    let outcome = CACHE.with_borrow(|entries| {
        let hit = entries.iter().rev().find(|e| {
            e.date.as_slice() == date.as_bytes()
                && &e.fingerprint == fingerprint
                && &*e.region == region
                && &*e.service == service
        });
        match hit {
            Some(entry) => Ok(f(&entry.key)),
            None => Err(f),
        }
    });
    match outcome {
        Ok(result) => result,
        Err(f) => f(&derive_and_cache(credentials, date, region, service)),
    }
}

fn derive_and_cache(credentials: &Credentials, date: &str, region: &str, service: &str) -> SigningKey {
    let fingerprint = credentials.fingerprint();
    #[cfg(test)]
    DERIVATIONS.with(|n| n.set(n.get() + 1));
    let key = SigningKey::derive(credentials.secret_access_key(), date, region, service);
    let mut date_bytes = [0u8; 8];
    if date.len() == 8 {
        date_bytes.copy_from_slice(date.as_bytes());
    }
    CACHE.with_borrow_mut(|entries| {
        // A new day makes yesterday's keys useless; drop them before evicting anything else.
        entries.retain(|e| e.date == date_bytes);
        if entries.len() >= CACHE_SLOTS {
            entries.remove(0);
        }
        entries.push(CacheEntry {
            fingerprint: *fingerprint,
            date: date_bytes,
            region: region.into(),
            service: service.into(),
            key: key.clone(),
        });
    });
    key
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
