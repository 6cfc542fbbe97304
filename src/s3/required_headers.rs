//! The headers a presigned request must be sent with, held in one string.
//!
//! A typed PUT carries half a dozen signed headers; as a list of owned `(String, String)`
//! pairs they cost a dozen allocations per URL, more than the signing around them. One
//! `name:value\n` text holds them all: names cannot contain `:` (they are RFC 9110 tokens)
//! and values cannot contain a line break (the signer refuses control characters), so the
//! text splits back into exactly the pairs that went in.

use std::fmt;

use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};

/// Headers whose values are secrets (smithy-rs redacts the same ones).
const SENSITIVE: [&str; 2] =
    ["x-amz-server-side-encryption-customer-key", "x-amz-server-side-encryption-customer-key-md5"];

/// The headers a client must send with a presigned request, with exactly these values:
/// lowercase names, sorted, each name once.
///
/// Iterate it for `(name, value)` pairs of `&str`, look one up with [`get`](Self::get).
/// `Debug` redacts SSE-C key material; `Serialize` writes a JSON object `{name: value}` with
/// every value, for the client that must send them.
///
/// ```
/// use presign::Credentials;
/// use presign::s3::{Bucket, ObjectKey, PresignRequest, Region, StorageClass};
/// use presign::sigv4::Signer;
/// use time::macros::datetime;
///
/// let signer = Signer::new(Credentials::new("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")?);
/// let bucket = Bucket::aws("my-bucket", Region::EuWest1)?;
/// let put = PresignRequest::put(&bucket, ObjectKey::new("photo.jpg")?)
///     .content_type("image/jpeg")
///     .storage_class(StorageClass::StandardIa)
///     .sign_at(&signer, datetime!(2024-05-24 12:00:00 UTC))?;
/// let headers: Vec<(&str, &str)> = put.headers().iter().collect();
/// assert_eq!(headers, [("content-type", "image/jpeg"), ("x-amz-storage-class", "STANDARD_IA")]);
/// assert_eq!(put.headers().get("content-type"), Some("image/jpeg"));
/// # Ok::<(), presign::Error>(())
/// ```
#[derive(Clone, Default, PartialEq, Eq)]
pub struct RequiredHeaders {
    /// `name:value\n` per header.
    lines: String,
    len: usize,
}

impl RequiredHeaders {
    /// Headers from `(name, value)` pairs that were signed: valid lowercase names, sorted,
    /// each once; values without line breaks.
    pub(crate) fn from_signed<'a>(pairs: impl Iterator<Item = (&'a str, &'a str)> + Clone) -> Self {
        let size = pairs.clone().map(|(name, value)| name.len() + value.len() + 2).sum();
        let mut headers = RequiredHeaders { lines: String::with_capacity(size), len: 0 };
        for (name, value) in pairs {
            for part in [name, ":", value, "\n"] {
                headers.lines.push_str(part);
            }
            headers.len += 1;
        }
        headers
    }

    /// Headers from `count` lines `name:value\n` in canonical form, as written for signing.
    pub(crate) fn from_lines(lines: String, count: usize) -> Self {
        debug_assert_eq!(lines.bytes().filter(|&b| b == b'\n').count(), count, "{lines:?}");
        RequiredHeaders { lines, len: count }
    }

    /// How many headers there are.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the client need send no header at all (a plain presigned GET).
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// One header's value, by lowercase name.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.iter().find(|&(n, _)| n == name).map(|(_, value)| value)
    }

    /// The `(name, value)` pairs, sorted by name.
    pub fn iter(&self) -> Iter<'_> {
        Iter { rest: &self.lines, left: self.len }
    }

    /// The pairs as owned strings.
    pub fn to_vec(&self) -> Vec<(String, String)> {
        self.iter().map(|(name, value)| (name.to_string(), value.to_string())).collect()
    }
}

/// The `(name, value)` pairs of [`RequiredHeaders`], in name order.
#[derive(Debug, Clone)]
pub struct Iter<'h> {
    rest: &'h str,
    left: usize,
}

impl<'h> Iterator for Iter<'h> {
    type Item = (&'h str, &'h str);

    fn next(&mut self) -> Option<Self::Item> {
        let (line, rest) = self.rest.split_once('\n')?;
        self.rest = rest;
        self.left = self.left.saturating_sub(1);
        Some(line.split_once(':').unwrap_or((line, "")))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.left, Some(self.left))
    }
}

impl ExactSizeIterator for Iter<'_> {}

impl<'h> IntoIterator for &'h RequiredHeaders {
    type Item = (&'h str, &'h str);
    type IntoIter = Iter<'h>;

    fn into_iter(self) -> Iter<'h> {
        self.iter()
    }
}

/// `value`, or `<redacted>` when the header carries key material.
fn shown_value<'v>(name: &str, value: &'v str) -> &'v str {
    if SENSITIVE.contains(&name) { "<redacted>" } else { value }
}

impl fmt::Debug for RequiredHeaders {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter().map(|(name, value)| (name, shown_value(name, value)))).finish()
    }
}

impl Serialize for RequiredHeaders {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.len))?;
        for (name, value) in self {
            map.serialize_entry(name, value)?;
        }
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> RequiredHeaders {
        let pairs = [("content-type", "text/plain; a=b:c"), ("x-amz-server-side-encryption-customer-key", "S3CRET")];
        RequiredHeaders::from_signed(pairs.into_iter())
    }

    #[test]
    fn pairs_come_back_as_they_went_in() {
        let headers = sample();
        let pairs: Vec<(&str, &str)> = headers.iter().collect();
        assert_eq!(
            pairs,
            [("content-type", "text/plain; a=b:c"), ("x-amz-server-side-encryption-customer-key", "S3CRET")]
        );
        assert_eq!((headers.len(), headers.iter().len()), (2, 2));
        assert_eq!(headers.get("content-type"), Some("text/plain; a=b:c"));
        assert_eq!(headers.get("content"), None);
        assert_eq!(headers.to_vec()[1].1, "S3CRET");
        let empty = RequiredHeaders::from_signed(std::iter::empty());
        assert!(empty.is_empty() && empty.iter().next().is_none() && empty == RequiredHeaders::default());
    }

    #[test]
    fn debug_redacts_key_material_and_serialize_keeps_it() {
        let headers = sample();
        let shown = format!("{headers:?}");
        assert!(!shown.contains("S3CRET") && shown.contains("text/plain"), "{shown}");
        let json = serde_json::to_value(&headers).unwrap();
        assert_eq!(json["x-amz-server-side-encryption-customer-key"], "S3CRET");
        assert_eq!(json["content-type"], "text/plain; a=b:c");
    }
}
