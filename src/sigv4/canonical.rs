//! The canonical request: the exact bytes whose hash SigV4 signs.
//!
//! One builder serves both URI rules (S3's and the generic one); what differs is a
//! [`PathMode`](super::PathMode) setting, never a second copy of the code.

use std::borrow::Cow;

use super::PathMode;
use super::encode;
use crate::error::{Error, Result};

/// Lowercased, trimmed, sorted headers, ready to be written; duplicates stay adjacent in the
/// order they were given, to be joined with `,`.
pub(crate) enum Headers<'a> {
    /// Only `host`: the common presigned GET, kept off the heap.
    HostOnly(&'a str),
    /// Several headers, sorted by name.
    Sorted {
        /// Lowercase name and trimmed value, sorted by name.
        entries: Vec<(Cow<'a, str>, Cow<'a, str>)>,
        /// Every name is unreserved (letters, digits, `-` …), as nearly all are: the
        /// `X-Amz-SignedHeaders` value then needs no per-name encoding.
        plain_names: bool,
    },
}

impl<'a> Headers<'a> {
    /// `host` plus the request's headers plus those the signer adds itself.
    pub(crate) fn new(
        host: &'a str,
        given: &'a [(&'a str, &'a str)],
        added: &[(&'static str, &'a str)],
    ) -> Result<Self> {
        if given.is_empty() && added.is_empty() {
            return Ok(Headers::HostOnly(host));
        }
        let mut entries = Vec::with_capacity(1 + given.len() + added.len());
        entries.push((Cow::Borrowed("host"), Cow::Borrowed(host)));
        let mut plain_names = true;
        for &(name, value) in given {
            let (name, plain) = checked_name(name)?;
            plain_names &= plain;
            if is_reserved_header(&name) || added.iter().any(|(n, _)| *n == name) {
                return Err(Error::InvalidHeader {
                    name: name.into_owned(),
                    reason: "this header is set by the signer".into(),
                });
            }
            let value = checked_value(&name, value)?;
            entries.push((name, value));
        }
        entries.extend(added.iter().map(|&(n, v)| (Cow::Borrowed(n), Cow::Borrowed(v))));
        // Stable: repeated headers keep their order, which the signature depends on.
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(Headers::Sorted { entries, plain_names })
    }

    /// Appends the `X-Amz-SignedHeaders` value: the names `UriEncode`d, `;` as `%3B`.
    pub(crate) fn write_names_encoded(&self, out: &mut Vec<u8>) {
        match self {
            Headers::Sorted { plain_names: false, .. } => self.write_names(out, encode::push_query_component),
            _ => self.write_names(out, |out, bytes| match bytes {
                b";" => out.extend_from_slice(b"%3B"),
                name => out.extend_from_slice(name),
            }),
        }
    }

    /// Appends `name1;name2;…` (each name once) through `encode` (plain for the canonical
    /// request and the `Authorization` header, `UriEncode` for `X-Amz-SignedHeaders`).
    pub(crate) fn write_names(&self, out: &mut Vec<u8>, encode: fn(&mut Vec<u8>, &[u8])) {
        let entries = match self {
            Headers::HostOnly(_) => return out.extend_from_slice(b"host"),
            Headers::Sorted { entries, .. } => entries,
        };
        for (i, (name, _)) in entries.iter().enumerate() {
            if i > 0 && entries[i - 1].0 == *name {
                continue;
            }
            if i > 0 {
                encode(out, b";");
            }
            encode(out, name.as_bytes());
        }
    }

    /// Appends `name:value[,value…]\n` for each header name.
    pub(crate) fn write(&self, out: &mut Vec<u8>) {
        let entries = match self {
            Headers::HostOnly(host) => {
                for part in [b"host:", host.as_bytes(), b"\n"] {
                    out.extend_from_slice(part);
                }
                return;
            }
            Headers::Sorted { entries, .. } => entries,
        };
        for (i, (name, value)) in entries.iter().enumerate() {
            if i > 0 && entries[i - 1].0 == *name {
                out.push(b',');
            } else {
                out.extend_from_slice(name.as_bytes());
                out.push(b':');
            }
            out.extend_from_slice(value.as_bytes());
            if entries.get(i + 1).is_none_or(|next| next.0 != *name) {
                out.push(b'\n');
            }
        }
    }
}

/// Appends bytes as they are (the `encode` of [`Headers::write_names`] for plain lists).
pub(crate) fn plain(out: &mut Vec<u8>, bytes: &[u8]) {
    out.extend_from_slice(bytes);
}

/// The query parameters of query (presigned) authentication, in canonical order; callers may
/// not pass them.
pub(crate) const AUTH_PARAMS: [&str; 7] = [
    "X-Amz-Algorithm",
    "X-Amz-Credential",
    "X-Amz-Date",
    "X-Amz-Expires",
    "X-Amz-Security-Token",
    "X-Amz-SignedHeaders",
    "X-Amz-Signature",
];

/// How many query parameters are sorted on the stack before falling back to the heap.
const INLINE_PARAMS: usize = 4;

/// A query parameter's name and value, `UriEncode`d.
type EncodedPair<'a> = (Cow<'a, [u8]>, Cow<'a, [u8]>);

/// Writes the `value` of the `index`th authentication parameter.
pub(crate) type AuthWriter<'w> = dyn FnMut(usize, &mut Vec<u8>) + 'w;

/// Appends the canonical query string: the request's parameters, encoded and sorted (by
/// encoded name, then value: byte order, as AWS does), merged with `auth`, whose names are
/// already in canonical order and whose values `write_auth` appends already encoded.
pub(crate) fn write_query<'a>(
    out: &mut Vec<u8>,
    given: &'a [(&'a str, &'a str)],
    auth: &[&'static str],
    write_auth: &mut AuthWriter<'_>,
) -> Result<()> {
    if !auth.is_empty() {
        if let Some((name, _)) = given.iter().find(|(n, _)| AUTH_PARAMS.iter().any(|p| p.eq_ignore_ascii_case(n))) {
            return Err(Error::InvalidQuery {
                name: name.to_string(),
                reason: "authentication parameters are added by the signer".into(),
            });
        }
    }
    if given.is_empty() {
        // The common presigned GET: only the authentication parameters, already in order.
        for (index, name) in auth.iter().enumerate() {
            if index > 0 {
                out.push(b'&');
            }
            out.extend_from_slice(name.as_bytes());
            out.push(b'=');
            write_auth(index, out);
        }
        return Ok(());
    }
    let encode = |&(n, v): &(&'a str, &'a str)| (encode::query_component(n), encode::query_component(v));
    // Part URLs and most requests carry a handful of parameters: sort those on the stack.
    let mut inline: [EncodedPair<'a>; INLINE_PARAMS] = Default::default();
    let mut heap: Vec<EncodedPair<'a>> = Vec::new();
    let params: &mut [EncodedPair<'a>] = if given.len() <= INLINE_PARAMS {
        for (slot, pair) in inline.iter_mut().zip(given) {
            *slot = encode(pair);
        }
        &mut inline[..given.len()]
    } else {
        heap.extend(given.iter().map(encode));
        &mut heap
    };
    params.sort_unstable();
    let mut rest = params.iter().peekable();
    let mut first = true;
    let mut separator = |out: &mut Vec<u8>| {
        if !std::mem::take(&mut first) {
            out.push(b'&');
        }
    };
    for (index, &name) in auth.iter().enumerate() {
        while let Some((n, v)) = rest.next_if(|(n, _)| n.as_ref() < name.as_bytes()) {
            separator(out);
            push_pair(out, n, v);
        }
        separator(out);
        out.extend_from_slice(name.as_bytes());
        out.push(b'=');
        write_auth(index, out);
    }
    for (n, v) in rest {
        separator(out);
        push_pair(out, n, v);
    }
    Ok(())
}

fn push_pair(out: &mut Vec<u8>, name: &[u8], value: &[u8]) {
    out.extend_from_slice(name);
    out.push(b'=');
    out.extend_from_slice(value);
}

/// Appends the path as sent and returns the canonical URI when it differs from it.
///
/// S3: both are the raw path encoded once. Normalized: the path is already in wire form; it
/// is normalised and sent with only what cannot stand in a request line escaped, and the
/// canonical URI encodes it once more.
pub(crate) fn write_path(path: &str, mode: PathMode, out: &mut Vec<u8>) -> Result<Option<Vec<u8>>> {
    if path.is_empty() {
        out.push(b'/');
        return Ok(None);
    }
    if !path.starts_with('/') {
        return Err(Error::InvalidUrl { reason: "the path must start with '/'".into() });
    }
    match mode {
        PathMode::S3 => {
            encode::push_path(out, path);
            Ok(None)
        }
        PathMode::Normalized => {
            let normalized = encode::normalize_path(path);
            encode::push_wire_path(out, &normalized);
            let mut canonical = Vec::with_capacity(normalized.len() + 16);
            encode::push_path(&mut canonical, &normalized);
            Ok(Some(canonical))
        }
    }
}

fn is_reserved_header(lower: &str) -> bool {
    matches!(lower, "host" | "authorization" | "x-amz-date" | "x-amz-security-token")
}

/// RFC 9110 `tchar`s: the only characters a header name or method may have.
const TOKEN: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        t[b] = c.is_ascii_alphanumeric()
            || matches!(
                c,
                b'!' | b'#' | b'$' | b'%' | b'&' | b'\'' | b'*' | b'+' | b'-' | b'.' | b'^' | b'_' | b'`' | b'|' | b'~'
            );
        b += 1;
    }
    t
};

/// RFC 9110 `token`: the only characters a header name or method may have.
pub(crate) fn is_token(text: &str) -> bool {
    !text.is_empty() && text.bytes().fold(true, |ok, b| ok & TOKEN[b as usize])
}

/// Byte classes of header names and values, combined so each check is one AND/OR reduction
/// over the bytes, which vectorises (no early exit, no carried state).
const TCHAR: u8 = 1;
const UNRESERVED: u8 = 2;
const UPPER: u8 = 4;
const CONTROL: u8 = 8;
const CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        let mut class = 0;
        if b < 128 && TOKEN[b] {
            class |= TCHAR;
        }
        if c.is_ascii_alphanumeric() || matches!(c, b'-' | b'.' | b'_' | b'~') {
            class |= UNRESERVED;
        }
        if c.is_ascii_uppercase() {
            class |= UPPER;
        }
        // CR or LF would smuggle extra headers into the request; other ASCII controls are not
        // valid in a field value either (RFC 9110 allows HTAB, visible ASCII, obs-text).
        if (c < 0x20 && c != b'\t') || c == 0x7f {
            class |= CONTROL;
        }
        t[b] = class;
        b += 1;
    }
    t
};

/// A header name, validated and lowercased; `true` when it is also unreserved.
fn checked_name(name: &str) -> Result<(Cow<'_, str>, bool)> {
    let (all, any) = name.bytes().fold((TCHAR | UNRESERVED, 0), |(all, any), b| {
        let class = CLASS[b as usize];
        (all & class, any | class)
    });
    if name.is_empty() || all & TCHAR == 0 {
        let name = name.escape_debug().to_string();
        return Err(Error::InvalidHeader { name, reason: "not a valid header name".into() });
    }
    let name = if any & UPPER != 0 { Cow::Owned(name.to_ascii_lowercase()) } else { Cow::Borrowed(name) };
    Ok((name, all & UNRESERVED != 0))
}

/// A header value checked and put in SigV4's `Trimall` form: surrounding spaces and tabs
/// stripped (as HTTP servers do before verifying), runs of spaces folded into one.
fn checked_value<'v>(name: &str, value: &'v str) -> Result<Cow<'v, str>> {
    if value.bytes().fold(0, |any, b| any | CLASS[b as usize]) & CONTROL != 0 {
        let reason = "the value contains control characters".into();
        return Err(Error::InvalidHeader { name: name.to_string(), reason });
    }
    let trimmed = value.trim_matches(|c| c == ' ' || c == '\t');
    // A pairwise scan: `str::contains` would set up a substring searcher on every call.
    if !trimmed.as_bytes().windows(2).any(|pair| pair == b"  ") {
        return Ok(Cow::Borrowed(trimmed));
    }
    let mut out = String::with_capacity(trimmed.len());
    let mut previous_space = false;
    for c in trimmed.chars() {
        if !(c == ' ' && previous_space) {
            out.push(c);
        }
        previous_space = c == ' ';
    }
    Ok(Cow::Owned(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(headers: &Headers<'_>) -> String {
        let mut out = Vec::new();
        headers.write(&mut out);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn headers_are_lowercased_sorted_trimmed_and_merged() {
        let given = [("My-Header1", " a   b "), ("X-Amz-Meta-A", "1"), ("my-header1", "c")];
        let h = Headers::new("example.com", &given, &[]).unwrap();
        assert_eq!(render(&h), "host:example.com\nmy-header1:a b,c\nx-amz-meta-a:1\n");
        let mut names = Vec::new();
        h.write_names(&mut names, plain);
        assert_eq!(names, b"host;my-header1;x-amz-meta-a");
    }

    #[test]
    fn reserved_and_malformed_headers_are_refused() {
        for given in [[("Host", "x")], [("X-Amz-Date", "x")], [("bad name", "x")], [("x-a", "line\r\nInjected: 1")]] {
            let err = Headers::new("example.com", &given, &[]).err().unwrap();
            assert_eq!(err.code(), "INVALID_HEADER");
            assert!(!err.to_string().contains("Injected"));
        }
    }

    fn query(given: &[(&str, &str)], auth: &[&'static str]) -> Result<String> {
        let mut out = Vec::new();
        write_query(&mut out, given, auth, &mut |i, out| out.extend_from_slice(i.to_string().as_bytes()))?;
        Ok(String::from_utf8(out).unwrap())
    }

    #[test]
    fn query_sorts_by_encoded_bytes_and_merges_auth_params() {
        // Raw order would put "~" before "é"; encoded, "%C3%A9" sorts first.
        let given = [("~", "1"), ("é", "2"), ("a", "b"), ("a", "a"), ("X-Amz-Checksum", "c")];
        assert_eq!(query(&given, &[]).unwrap(), "%C3%A9=2&X-Amz-Checksum=c&a=a&a=b&~=1");
        assert_eq!(
            query(&given, &["X-Amz-Algorithm", "X-Amz-Date"]).unwrap(),
            "%C3%A9=2&X-Amz-Algorithm=0&X-Amz-Checksum=c&X-Amz-Date=1&a=a&a=b&~=1"
        );
        let many: Vec<(String, String)> = (0..20).rev().map(|i| (format!("p{i:02}"), String::new())).collect();
        let many: Vec<(&str, &str)> = many.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
        assert!(query(&many, &[]).unwrap().starts_with("p00=&p01=&p02="));
        assert_eq!(query(&[("x-amz-signature", "0")], &["X-Amz-Date"]).unwrap_err().code(), "INVALID_QUERY");
    }
}
