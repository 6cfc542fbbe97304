//! The hashing floor of one signature: SHA-256 of its canonical request and the HMAC of its
//! string to sign under an already-keyed state, with nothing else (no encoding, no URL, no
//! allocation). No correct signer hashes less; shared by both bench files.

use std::hint::black_box;

use hmac::{Hmac, Mac};
use presign::sigv4::{Explanation, SigningKey};
use sha2::{Digest, Sha256};

pub struct Floor {
    canonical_request: Vec<u8>,
    /// The string to sign without the canonical request's hash.
    prefix: Vec<u8>,
    keyed: Hmac<Sha256>,
    /// The HMAC state after the string to sign's first 64 bytes, which depend only on the
    /// signing second and the scope: a signer may keep it across the signatures of a second.
    after_first_block: Hmac<Sha256>,
}

impl Floor {
    pub fn new(explained: &Explanation, key: &SigningKey) -> Self {
        let sts = explained.string_to_sign.as_bytes();
        let prefix = sts[..sts.len() - 64].to_vec();
        let keyed = Hmac::<Sha256>::new_from_slice(key.as_bytes()).expect("any key length");
        let mut after_first_block = keyed.clone();
        after_first_block.update(&prefix[..64]);
        Floor { canonical_request: explained.canonical_request.clone().into_bytes(), prefix, keyed, after_first_block }
    }

    /// Everything hashed from scratch.
    pub fn whole(&self) -> [u8; 32] {
        self.finish(self.keyed.clone(), &self.prefix)
    }

    /// Resuming the HMAC after the string to sign's first block, as this crate does within a
    /// second: one SHA-256 block less.
    pub fn per_second(&self) -> [u8; 32] {
        self.finish(self.after_first_block.clone(), &self.prefix[64..])
    }

    fn finish(&self, mut mac: Hmac<Sha256>, prefix: &[u8]) -> [u8; 32] {
        let digest = Sha256::digest(black_box(&self.canonical_request));
        let mut hash = [0u8; 64];
        hex::encode_to_slice(digest, &mut hash).expect("64 hex digits");
        mac.update(prefix);
        mac.update(&hash);
        mac.finalize().into_bytes().into()
    }
}
