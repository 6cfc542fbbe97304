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

/// `%00%01…%FF`: every byte's escape, three characters each, sliced out as `&str` so encoded
/// text is built as a `String` without a UTF-8 validation pass over the result.
const ESCAPES: &str = {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    const BYTES: [u8; 768] = {
        let mut t = [0u8; 768];
        let mut b = 0;
        while b < 256 {
            t[3 * b] = b'%';
            t[3 * b + 1] = HEX[b >> 4];
            t[3 * b + 2] = HEX[b & 15];
            b += 1;
        }
        t
    };
    match std::str::from_utf8(&BYTES) {
        Ok(text) => text,
        Err(_) => panic!("escapes are ASCII"),
    }
};

/// Appends `input` to `out`, percent-encoding (uppercase hex) every byte `safe` rejects.
fn push_encoded(out: &mut String, input: &str, safe: &SafeTable) {
    let mut rest = input;
    // Copy each run of safe bytes at once, then escape the character that ended it, every
    // byte of it. Safe bytes are ASCII, so a run always ends on a character boundary.
    while let Some(run) = rest.bytes().position(|b| !safe[b as usize]) {
        out.push_str(&rest[..run]);
        let tail = &rest[run..];
        let width = tail.chars().next().map_or(1, char::len_utf8);
        for &b in &tail.as_bytes()[..width] {
            let at = 3 * b as usize;
            out.push_str(&ESCAPES[at..at + 3]);
        }
        rest = &tail[width..];
    }
    out.push_str(rest);
}

/// `UriEncode(value)` for a query name or value; borrowed when nothing needs encoding.
pub(crate) fn query_component(value: &str) -> Cow<'_, str> {
    if value.bytes().all(|b| QUERY_COMPONENT[b as usize]) {
        return Cow::Borrowed(value);
    }
    let mut out = String::with_capacity(value.len() + 16);
    push_encoded(&mut out, value, &QUERY_COMPONENT);
    Cow::Owned(out)
}

/// Appends `UriEncode(value)` (query rules: `/` becomes `%2F`) to `out`: a query name or
/// value.
pub fn encode_query_component(out: &mut String, value: &str) {
    push_encoded(out, value, &QUERY_COMPONENT);
}

/// Appends `UriEncode(raw_path)` with `/` kept to `out`: S3's encoding of an object path,
/// applied exactly once (`photos/cat picture.jpg` → `photos/cat%20picture.jpg`).
pub fn encode_path(out: &mut String, raw_path: &str) {
    push_encoded(out, raw_path, &PATH);
}

/// Appends a path that is already in wire form, escaping only what a request line cannot
/// carry (spaces, controls, non-ASCII, `#`, `?`, quotes, braces…).
pub(crate) fn push_wire_path(out: &mut String, path: &str) {
    push_encoded(out, path, &WIRE_PATH);
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
        let query = |s: &str| query_component(s).into_owned();
        assert_eq!(query("AZaz09-._~"), "AZaz09-._~");
        assert_eq!(query("a b/c+d=e&f"), "a%20b%2Fc%2Bd%3De%26f");
        assert_eq!(query("ሴ"), "%E1%88%B4");
        let mut out = String::new();
        encode_path(&mut out, "/photos/2024/cat picture$.jpg");
        assert_eq!(out, "/photos/2024/cat%20picture%24.jpg");
        let mut wire = String::new();
        push_wire_path(&mut wire, "/a%3Ab c/ሴ?#");
        assert_eq!(wire, "/a%3Ab%20c/%E1%88%B4%3F%23");
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
