//! SigV4's `UriEncode` and the optional RFC 3986 path normalisation.

use std::borrow::Cow;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// Everything but the unreserved characters `A-Z a-z 0-9 - . _ ~` is percent-encoded
/// (uppercase hex, space as `%20`): the encoding of query names and values.
pub(crate) const QUERY_COMPONENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// Like [`QUERY_COMPONENT`] but keeping `/`: the encoding of a path (S3 object keys keep
/// their slashes).
pub(crate) const PATH: &AsciiSet = &QUERY_COMPONENT.remove(b'/');

/// `UriEncode(value)` for a query name or value; borrowed when nothing needs encoding.
pub(crate) fn query_component(value: &str) -> Cow<'_, str> {
    utf8_percent_encode(value, QUERY_COMPONENT).into()
}

/// Appends `UriEncode(value)` (query rules) to `out`.
pub(crate) fn push_query_component(out: &mut String, value: &str) {
    out.extend(utf8_percent_encode(value, QUERY_COMPONENT));
}

/// Appends `UriEncode(path)` with `/` kept to `out`.
pub(crate) fn push_path(out: &mut String, path: &str) {
    out.extend(utf8_percent_encode(path, PATH));
}

/// What a request line cannot carry raw. `%` is absent: a wire-form path keeps its escapes.
const WIRE_PATH: &AsciiSet = &percent_encoding::CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}');

/// Appends a path that is already in wire form, escaping only what a request line cannot
/// carry (spaces, controls, non-ASCII, `#`, `?`…).
pub(crate) fn push_wire_path(out: &mut String, path: &str) {
    out.extend(utf8_percent_encode(path, WIRE_PATH));
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

    #[test]
    fn unreserved_characters_pass_and_the_rest_is_uppercase_hex() {
        assert_eq!(query_component("AZaz09-._~"), "AZaz09-._~");
        assert_eq!(query_component("a b/c+d=e&f"), "a%20b%2Fc%2Bd%3De%26f");
        assert_eq!(query_component("ሴ"), "%E1%88%B4");
        let mut out = String::new();
        push_path(&mut out, "/photos/2024/cat picture$.jpg");
        assert_eq!(out, "/photos/2024/cat%20picture%24.jpg");
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
