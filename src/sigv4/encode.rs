//! SigV4's `UriEncode` and the optional RFC 3986 path normalisation.
//!
//! The encoders are table-driven and append whole runs of safe bytes at once: encoding sits
//! on the signing hot path, and the per-byte iterator of a general-purpose encoder costs more
//! than the rest of the request building together.

use std::borrow::Cow;

/// Which bytes pass unencoded.
type SafeTable = [bool; 256];

const fn table(extra_safe: &[u8], unsafe_ascii: &[u8]) -> SafeTable {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 128 {
        t[b] = (b as u8).is_ascii_alphanumeric() || matches!(b as u8, b'-' | b'.' | b'_' | b'~');
        b += 1;
    }
    let mut i = 0;
    while i < extra_safe.len() {
        t[extra_safe[i] as usize] = true;
        i += 1;
    }
    let mut i = 0;
    while i < unsafe_ascii.len() {
        t[unsafe_ascii[i] as usize] = false;
        i += 1;
    }
    t
}

/// Query names and values: only the unreserved `A-Z a-z 0-9 - . _ ~` pass.
const QUERY_COMPONENT: SafeTable = table(&[], &[]);

/// Paths: unreserved plus `/` (S3 object keys keep their slashes).
const PATH: SafeTable = table(b"/", &[]);

/// A path already in wire form: everything printable but what a request line cannot carry
/// raw passes, `%` included, so existing escapes are kept.
const WIRE_PATH: SafeTable = table(b"!$%&'()*+,/:;=@", b"");

const HEX: &[u8; 16] = b"0123456789ABCDEF";

/// Appends `input` to `out`, percent-encoding (uppercase hex) every byte `safe` rejects.
fn push_encoded(out: &mut Vec<u8>, input: &[u8], safe: &SafeTable) {
    let mut rest = input;
    // Copy each run of safe bytes at once, then encode the byte that ended it.
    while let Some(run) = rest.iter().position(|&b| !safe[b as usize]) {
        let b = rest[run];
        out.extend_from_slice(&rest[..run]);
        out.extend_from_slice(&[b'%', HEX[(b >> 4) as usize], HEX[(b & 15) as usize]]);
        rest = &rest[run + 1..];
    }
    out.extend_from_slice(rest);
}

/// `UriEncode(value)` for a query name or value; borrowed when nothing needs encoding.
pub(crate) fn query_component(value: &str) -> Cow<'_, [u8]> {
    if value.bytes().all(|b| QUERY_COMPONENT[b as usize]) {
        return Cow::Borrowed(value.as_bytes());
    }
    let mut out = Vec::with_capacity(value.len() + 16);
    push_encoded(&mut out, value.as_bytes(), &QUERY_COMPONENT);
    Cow::Owned(out)
}

/// Appends `UriEncode(value)` (query rules: `/` becomes `%2F`) as bytes.
pub(crate) fn push_query_component(out: &mut Vec<u8>, value: &[u8]) {
    push_encoded(out, value, &QUERY_COMPONENT);
}

/// Appends `UriEncode(raw_path)` (`/` kept) as bytes.
pub(crate) fn push_path(out: &mut Vec<u8>, raw_path: &str) {
    push_encoded(out, raw_path.as_bytes(), &PATH);
}

/// Appends a path that is already in wire form, escaping only what a request line cannot
/// carry (spaces, controls, non-ASCII, `#`, `?`, quotes, braces…).
pub(crate) fn push_wire_path(out: &mut Vec<u8>, path: &str) {
    push_encoded(out, path.as_bytes(), &WIRE_PATH);
}

fn push_str_encoded(out: &mut String, input: &str, safe: &SafeTable) {
    let mut bytes = Vec::with_capacity(input.len() + 16);
    push_encoded(&mut bytes, input.as_bytes(), safe);
    // Encoding only replaces whole UTF-8 sequences by ASCII, so the result is UTF-8.
    out.push_str(&String::from_utf8_lossy(&bytes));
}

/// Appends `UriEncode(value)` (query rules: `/` becomes `%2F`) to `out`.
pub fn encode_query_component(out: &mut String, value: &str) {
    push_str_encoded(out, value, &QUERY_COMPONENT);
}

/// Appends `UriEncode(raw_path)` with `/` kept to `out`: S3's encoding of an object path,
/// applied exactly once (`photos/cat picture.jpg` → `photos/cat%20picture.jpg`).
pub fn encode_path(out: &mut String, raw_path: &str) {
    push_str_encoded(out, raw_path, &PATH);
}

/// RFC 3986 dot-segment removal plus merging of empty segments, as the generic SigV4 rules
/// (and the AWS test suite's `normalize: true` cases) require. S3 must never get this:
/// `a//b` and `a/../b` are distinct object keys there.
pub(crate) fn normalize_path(path: &str) -> Cow<'_, str> {
    let needs_work = path.is_empty()
        || !path.starts_with('/')
        || path.contains("//")
        || path.split('/').any(|segment| segment == "." || segment == "..");
    if !needs_work {
        return Cow::Borrowed(path);
    }
    let mut segments: Vec<&str> = Vec::new();
    for segment in path.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                segments.pop();
            }
            other => segments.push(other),
        }
    }
    // A path ending in `/`, `/.` or `/..` names a directory: keep the trailing slash.
    let last = path.rsplit('/').next().unwrap_or("");
    let trailing_slash = !segments.is_empty() && matches!(last, "" | "." | "..");
    let mut out = String::with_capacity(path.len() + 1);
    for segment in &segments {
        out.push('/');
        out.push_str(segment);
    }
    if trailing_slash || out.is_empty() {
        out.push('/');
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
    use proptest::prelude::*;

    /// RFC 3986 unreserved, as the percent-encoding crate spells it: an independent oracle.
    const ORACLE_QUERY: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');
    const ORACLE_PATH: &AsciiSet = &ORACLE_QUERY.remove(b'/');

    #[test]
    fn unreserved_characters_pass_and_the_rest_is_uppercase_hex() {
        let query = |s: &str| String::from_utf8(query_component(s).into_owned()).unwrap();
        assert_eq!(query("AZaz09-._~"), "AZaz09-._~");
        assert_eq!(query("a b/c+d=e&f"), "a%20b%2Fc%2Bd%3De%26f");
        assert_eq!(query("ሴ"), "%E1%88%B4");
        let mut out = String::new();
        encode_path(&mut out, "/photos/2024/cat picture$.jpg");
        assert_eq!(out, "/photos/2024/cat%20picture%24.jpg");
        let mut wire = Vec::new();
        push_wire_path(&mut wire, "/a%3Ab c/ሴ?#");
        assert_eq!(wire, b"/a%3Ab%20c/%E1%88%B4%3F%23");
    }

    proptest! {
        #[test]
        fn encoders_agree_with_the_percent_encoding_crate(s in any::<String>()) {
            let mut path = String::new();
            encode_path(&mut path, &s);
            prop_assert_eq!(path, utf8_percent_encode(&s, ORACLE_PATH).to_string());
            let mut query = String::new();
            encode_query_component(&mut query, &s);
            prop_assert_eq!(query, utf8_percent_encode(&s, ORACLE_QUERY).to_string());
        }
    }

    #[test]
    fn normalisation_follows_rfc3986_and_merges_slashes() {
        for (input, expected) in [
            ("/", "/"),
            ("", "/"),
            ("//", "/"),
            ("//example//", "/example/"),
            ("/example/..", "/"),
            ("/example1/example2/../..", "/"),
            ("/./example", "/example"),
            ("/./", "/"),
            ("/a/./b/../c", "/a/c"),
            ("/a/b/.", "/a/b/"),
            ("/../a", "/a"),
        ] {
            assert_eq!(normalize_path(input), expected, "{input}");
        }
    }
}
