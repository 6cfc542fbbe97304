//! Every part URL of an upload in one buffer.
//!
//! Ten thousand part URLs are about 4.5 MB of text. Allocated one `String` per part, they cost
//! as much in allocation and page faults as in signing; here they are written back to back
//! into one buffer, and each part is a view into it.

use std::fmt;

use serde::ser::{SerializeSeq, SerializeStruct};
use serde::{Serialize, Serializer};
use time::OffsetDateTime;

use super::part_urls::{PartUrls, PresignedPart};
use super::plan::Part;
use crate::s3::Method;
use crate::s3::RequiredHeaders;
use crate::s3::presigned::{PresignedRequest, redact_url};

/// Every part's presigned `PUT` URL of one upload, made by
/// [`PartUrls::sign_all_at`](super::PartUrls::sign_all_at).
///
/// Serializes as the upload API's `partUrls` array (see [`PresignedPart`]'s fields).
#[derive(Clone)]
pub struct SignedParts<'a> {
    source: PartUrls<'a>,
    /// Every part's URL, back to back.
    text: String,
    /// Where each part's URL ends in `text` (index 0 is part 1).
    ends: Vec<usize>,
    expires_at: OffsetDateTime,
}

impl<'a> SignedParts<'a> {
    pub(crate) fn new(source: PartUrls<'a>, text: String, ends: Vec<usize>, expires_at: OffsetDateTime) -> Self {
        SignedParts { source, text, ends, expires_at }
    }

    /// How many parts.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Whether there are no parts (a plan always has at least one).
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// When the URLs stop working.
    pub fn expires_at(&self) -> OffsetDateTime {
        self.expires_at
    }

    /// Part `number` (from 1).
    pub fn get(&self, number: u32) -> Option<SignedPart<'_>> {
        let part = self.source.plan().part(number)?;
        let end = *self.ends.get(number as usize - 1)?;
        Some(self.view(part, end))
    }

    /// The parts in order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = SignedPart<'_>> + '_ {
        self.source.plan().parts().zip(&self.ends).map(|(part, &end)| self.view(part, end))
    }

    /// Part `part`, whose URL ends at `end` (part numbers start at 1).
    fn view(&self, part: Part, end: usize) -> SignedPart<'_> {
        let index = part.number as usize - 1;
        let start = index.checked_sub(1).map_or(0, |previous| self.ends[previous]);
        SignedPart { source: &self.source, part, url: &self.text[start..end], expires_at: self.expires_at }
    }

    /// Each part as an owned [`PresignedPart`].
    pub fn to_vec(&self) -> Vec<PresignedPart> {
        self.iter().map(|part| part.to_owned()).collect()
    }
}

impl fmt::Debug for SignedParts<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The URLs carry signatures and any session token: they are not printed.
        f.debug_struct("SignedParts").field("parts", &self.len()).field("expires_at", &self.expires_at).finish()
    }
}

impl Serialize for SignedParts<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(self.len()))?;
        for part in self.iter() {
            seq.serialize_element(&part)?;
        }
        seq.end()
    }
}

/// One part of [`SignedParts`]: its bytes, URL and headers.
#[derive(Clone, Copy)]
pub struct SignedPart<'s> {
    source: &'s PartUrls<'s>,
    part: Part,
    url: &'s str,
    expires_at: OffsetDateTime,
}

impl<'s> SignedPart<'s> {
    /// Which bytes of the object this part carries.
    pub fn part(&self) -> Part {
        self.part
    }

    /// The presigned URL to `PUT` the part to (borrowed from the [`SignedParts`]).
    pub fn url(&self) -> &'s str {
        self.url
    }

    /// The headers the client must send with it (sorted by name; none unless the URLs were
    /// bound to lengths, MD5s or checksums).
    pub fn headers(&self) -> RequiredHeaders {
        owned_headers(self.source, self.part)
    }

    /// This part as an owned [`PresignedPart`].
    pub fn to_owned(&self) -> PresignedPart {
        owned_part(self.source, self.part, self.url.to_string(), self.expires_at)
    }
}

impl fmt::Debug for SignedPart<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignedPart")
            .field("part", &self.part)
            .field("url", &redact_url(self.url))
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

impl Serialize for SignedPart<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut length = [0u8; 20];
        let headers = self.source.headers(self.part, &mut length);
        serialize_part(serializer, self.part, self.url, &HeaderMap(headers.as_slice()), self.expires_at)
    }
}

/// `part` of `source` as an owned [`PresignedPart`], its URL signed already.
pub(crate) fn owned_part(source: &PartUrls<'_>, part: Part, url: String, expires_at: OffsetDateTime) -> PresignedPart {
    let headers = owned_headers(source, part);
    PresignedPart { part, request: PresignedRequest { method: Method::Put, url, headers, expires_at } }
}

fn owned_headers(source: &PartUrls<'_>, part: Part) -> RequiredHeaders {
    let mut length = [0u8; 20];
    let headers = source.headers(part, &mut length);
    RequiredHeaders::from_signed(headers.as_slice().iter().copied())
}

/// A part's headers as a JSON object `{name: value}`, serialized from the stack.
struct HeaderMap<'h>(&'h [(&'h str, &'h str)]);

impl Serialize for HeaderMap<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.0.iter().copied())
    }
}

/// `{"partNumber", "uploadUrl", "headers", "offset", "size", "expiresAt"}`: the upload API's
/// `partUrls[]` entries, plus what the client needs to send the right bytes.
pub(crate) fn serialize_part<S: Serializer>(
    serializer: S,
    part: Part,
    url: &str,
    headers: &impl Serialize,
    expires_at: OffsetDateTime,
) -> Result<S::Ok, S::Error> {
    let mut s = serializer.serialize_struct("PresignedPart", 6)?;
    s.serialize_field("partNumber", &part.number)?;
    s.serialize_field("uploadUrl", url)?;
    s.serialize_field("headers", headers)?;
    s.serialize_field("offset", &part.offset)?;
    s.serialize_field("size", &part.size)?;
    s.serialize_field("expiresAt", &crate::sigv4::rfc3339(expires_at))?;
    s.end()
}
