//! Presigning a series of requests that differ only in a few values, each rendered and
//! hashed once: the part URLs of a multipart upload differ only in `partNumber` (and, when
//! bound, a `Content-Length`, `Content-MD5` or checksum header).
//!
//! A [`Template`] is made by signing one request through the ordinary signer with marker
//! values in the varying places ("slots") and cutting its URL and canonical request at the
//! markers. Each later signature hashes from the state before the first slot on, and
//! resumes the HMAC after the string to sign's fixed prefix. If a marker does not appear
//! exactly once where expected (say, an object key that contains one), no template is made
//! and callers sign each request alone: the template only ever saves work, it never
//! decides what is signed.

use std::fmt;

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use super::{hex_into, hex_str};

/// The marker of each slot: unreserved characters only, so encoding and header trimming
/// leave them as they are. Slot 0 is a query value; the others are header values.
pub(crate) const SLOTS: [&str; 4] = ["PresignSlot0x7Q", "PresignSlot1x7Q", "PresignSlot2x7Q", "PresignSlot3x7Q"];

/// A request signed once with markers, ready to be signed again with real slot values.
#[derive(Clone)]
pub(crate) struct Template {
    /// The path and query up to the query slot's value, and after it.
    url_head: String,
    url_tail: String,
    /// SHA-256 of the canonical request up to its first slot.
    canonical_head: Sha256,
    /// Which slot comes next in the canonical request, and the text that follows it.
    canonical_rest: Vec<(usize, Vec<u8>)>,
    /// HMAC state after the string to sign's prefix (all of it but the hash).
    mac: Hmac<Sha256>,
    expires_at: OffsetDateTime,
}

impl fmt::Debug for Template {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The HMAC state is derived from the secret: never shown.
        f.debug_struct("Template").field("expires_at", &self.expires_at).finish_non_exhaustive()
    }
}

/// What the signer produced for the marked request.
pub(crate) struct Marked<'m> {
    /// Path and query as sent, without `X-Amz-Signature`.
    pub(crate) path_and_query: &'m str,
    pub(crate) canonical_request: &'m [u8],
    pub(crate) mac_after_prefix: Hmac<Sha256>,
    pub(crate) expires_at: OffsetDateTime,
}

impl Template {
    /// Cuts `marked` at the first `slots` markers; `None` unless slot 0 appears exactly once
    /// in the URL and every slot exactly once in the canonical request.
    pub(crate) fn cut(marked: Marked<'_>, slots: usize) -> Option<Template> {
        if !(1..=SLOTS.len()).contains(&slots) {
            return None;
        }
        let url = marked.path_and_query;
        let at = unique(url.as_bytes(), SLOTS[0])?;
        if SLOTS[1..slots].iter().any(|slot| url.contains(slot)) {
            return None;
        }
        let creq = marked.canonical_request;
        let mut found: Vec<(usize, usize)> = Vec::with_capacity(slots);
        for (slot, marker) in SLOTS[..slots].iter().enumerate() {
            found.push((unique(creq, marker)?, slot));
        }
        found.sort_unstable();
        let mut canonical_head = Sha256::new();
        canonical_head.update(&creq[..found[0].0]);
        let canonical_rest = found
            .iter()
            .enumerate()
            .map(|(i, &(start, slot))| {
                let end = found.get(i + 1).map_or(creq.len(), |next| next.0);
                (slot, creq[start + SLOTS[slot].len()..end].to_vec())
            })
            .collect();
        Some(Template {
            url_head: url[..at].to_string(),
            url_tail: url[at + SLOTS[0].len()..].to_string(),
            canonical_head,
            canonical_rest,
            mac: marked.mac_after_prefix,
            expires_at: marked.expires_at,
        })
    }

    /// Appends the path and query of the request with `values` in the slots (`values[i]` in
    /// slot `i`; they must be what the marked request could have carried there unchanged:
    /// unreserved ASCII for slot 0, trimmed printable text for the headers). `scratch` is
    /// any buffer, reused across calls.
    pub(crate) fn presign_into(&self, values: &[&[u8]], scratch: &mut Vec<u8>, out: &mut String) {
        // Indexing is by position given; a missing value (never passed by this crate) counts
        // as empty rather than panicking.
        let value = |slot: usize| values.get(slot).copied().unwrap_or_default();
        out.push_str(&self.url_head);
        out.extend(value(0).iter().map(|&b| char::from(b)));
        out.push_str(&self.url_tail);
        // The rest of the canonical request in one piece: one hash update, not one per slot.
        scratch.clear();
        for (slot, text) in &self.canonical_rest {
            scratch.extend_from_slice(value(*slot));
            scratch.extend_from_slice(text);
        }
        let mut canonical = self.canonical_head.clone();
        canonical.update(&scratch[..]);
        let mut hash = [0u8; 64];
        hex_into(&canonical.finalize().into(), &mut hash);
        let mut mac = self.mac.clone();
        mac.update(&hash);
        let mut signature = [0u8; 64];
        hex_into(&mac.finalize().into_bytes().into(), &mut signature);
        out.push_str("&X-Amz-Signature=");
        out.push_str(hex_str(&signature));
    }

    /// When the URLs stop working.
    pub(crate) fn expires_at(&self) -> OffsetDateTime {
        self.expires_at
    }
}

/// Where `marker` occurs in `text`, if it occurs exactly once.
fn unique(text: &[u8], marker: &str) -> Option<usize> {
    let marker = marker.as_bytes();
    let mut hits = text.windows(marker.len()).enumerate().filter(|(_, w)| *w == marker).map(|(at, _)| at);
    let first = hits.next()?;
    hits.next().is_none().then_some(first)
}
