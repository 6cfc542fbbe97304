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
pub(crate) struct Headers<'a> {
    entries: Vec<(Cow<'a, str>, Cow<'a, str>)>,
}

impl<'a> Headers<'a> {
    /// `host` plus the request's headers plus those the signer adds itself.
    pub(crate) fn new(
        host: &'a str,
        given: &'a [(&'a str, &'a str)],
        added: &[(&'static str, &'a str)],
    ) -> Result<Self> {
        let mut entries = Vec::with_capacity(1 + given.len() + added.len());
        entries.push((Cow::Borrowed("host"), Cow::Borrowed(host)));
        for &(name, value) in given {
            check_header_name(name)?;
            let name = lowercase(name);
            if is_reserved_header(&name) || added.iter().any(|(n, _)| *n == name) {
                return Err(Error::InvalidHeader {
                    name: name.into_owned(),
                    reason: "this header is set by the signer".into(),
                });
            }
            check_header_value(&name, value)?;
            entries.push((name, collapse_spaces(value)));
        }
        entries.extend(added.iter().map(|&(n, v)| (Cow::Borrowed(n), Cow::Borrowed(v))));
        // Stable: repeated headers keep their order, which the signature depends on.
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(Headers { entries })
    }

    /// Appends `name1;name2;…` (each name once) to `out`, through `encode` (identity for the
    /// canonical request, `UriEncode` for the `X-Amz-SignedHeaders` parameter).
    pub(crate) fn write_names(&self, out: &mut String, encode: fn(&mut String, &str)) {
        for (i, (name, _)) in self.entries.iter().enumerate() {
            if i > 0 && self.entries[i - 1].0 == *name {
                continue;
            }
            if i > 0 {
                encode(out, ";");
            }
            encode(out, name);
        }
    }

    /// Appends `name:value[,value…]\n` for each header name.
    pub(crate) fn write(&self, out: &mut String) {
        for (i, (name, value)) in self.entries.iter().enumerate() {
            if i > 0 && self.entries[i - 1].0 == *name {
                out.push(',');
            } else {
                out.push_str(name);
                out.push(':');
            }
            out.push_str(value);
            if self.entries.get(i + 1).is_none_or(|next| next.0 != *name) {
                out.push('\n');
            }
        }
    }
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
const INLINE_PARAMS: usize = 8;

/// Appends the canonical query string to `out`: the request's parameters, encoded and sorted
/// (by encoded name, then value: byte order, as AWS does), merged with `auth`, whose names
/// are already in canonical order and whose values `write_auth` appends already encoded.
pub(crate) fn write_query<'a>(
    out: &mut String,
    given: &'a [(&'a str, &'a str)],
    auth: &[&'static str],
    write_auth: &mut dyn FnMut(usize, &mut String),
) -> Result<()> {
    for &(name, _) in given {
        if !auth.is_empty() && AUTH_PARAMS.iter().any(|p| p.eq_ignore_ascii_case(name)) {
            return Err(Error::InvalidQuery {
                name: name.to_string(),
                reason: "authentication parameters are added by the signer".into(),
            });
        }
    }
    let encode = |&(n, v): &(&'a str, &'a str)| (encode::query_component(n), encode::query_component(v));
    if given.len() <= INLINE_PARAMS {
        let mut inline: [(Cow<'_, str>, Cow<'_, str>); INLINE_PARAMS] = Default::default();
        for (slot, pair) in inline.iter_mut().zip(given) {
            *slot = encode(pair);
        }
        merge(out, &mut inline[..given.len()], auth, write_auth);
    } else {
        let mut heap: Vec<_> = given.iter().map(encode).collect();
        merge(out, &mut heap, auth, write_auth);
    }
    Ok(())
}

fn merge(
    out: &mut String,
    params: &mut [(Cow<'_, str>, Cow<'_, str>)],
    auth: &[&'static str],
    write_auth: &mut dyn FnMut(usize, &mut String),
) {
    params.sort_unstable();
    let mut rest = params.iter().peekable();
    let mut first = true;
    let mut separator = |out: &mut String| {
        if !std::mem::take(&mut first) {
            out.push('&');
        }
    };
    for (index, &name) in auth.iter().enumerate() {
        while let Some((n, v)) = rest.next_if(|(n, _)| n.as_ref() < name) {
            separator(out);
            push_pair(out, n, v);
        }
        separator(out);
        out.push_str(name);
        out.push('=');
        write_auth(index, out);
    }
    for (n, v) in rest {
        separator(out);
        push_pair(out, n, v);
    }
}

fn push_pair(out: &mut String, name: &str, value: &str) {
    out.push_str(name);
    out.push('=');
    out.push_str(value);
}

/// Appends the path as sent and returns the canonical URI when it differs from it.
///
/// S3: both are the raw path encoded once. Normalized: the path is already in wire form; it
/// is normalised and sent with only what cannot stand in a request line escaped, and the
/// canonical URI encodes it once more.
pub(crate) fn write_path<'p>(path: &'p str, mode: PathMode, out: &mut String) -> Result<Option<String>> {
    if path.is_empty() {
        out.push('/');
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
            let mut canonical = String::with_capacity(normalized.len() + 16);
            encode::push_path(&mut canonical, &normalized);
            Ok(Some(canonical))
        }
    }
}

fn lowercase(name: &str) -> Cow<'_, str> {
    if name.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Owned(name.to_ascii_lowercase())
    } else {
        Cow::Borrowed(name)
    }
}

fn is_reserved_header(lower: &str) -> bool {
    matches!(lower, "host" | "authorization" | "x-amz-date" | "x-amz-security-token")
}

/// RFC 9110 `token`: the only characters a header name or method may have.
pub(crate) fn is_token(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

fn check_header_name(name: &str) -> Result<()> {
    if is_token(name) {
        Ok(())
    } else {
        Err(Error::InvalidHeader { name: name.escape_debug().to_string(), reason: "not a valid header name".into() })
    }
}

fn check_header_value(name: &str, value: &str) -> Result<()> {
    // CR or LF would let a value smuggle extra headers into the request.
    if value.chars().any(|c| c.is_control() && c != '\t') {
        return Err(Error::InvalidHeader {
            name: name.to_string(),
            reason: "the value contains control characters".into(),
        });
    }
    Ok(())
}

/// SigV4's `Trimall`: strip surrounding whitespace (spaces and tabs, as HTTP servers do before
/// verifying), fold each run of spaces into one.
fn collapse_spaces(value: &str) -> Cow<'_, str> {
    let trimmed = value.trim_matches(|c| c == ' ' || c == '\t');
    if !trimmed.contains("  ") {
        return Cow::Borrowed(trimmed);
    }
    let mut out = String::with_capacity(trimmed.len());
    let mut previous_space = false;
    for c in trimmed.chars() {
        if c == ' ' && previous_space {
            continue;
        }
        previous_space = c == ' ';
        out.push(c);
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(headers: &Headers<'_>) -> String {
        let mut out = String::new();
        headers.write(&mut out);
        out
    }

    #[test]
    fn headers_are_lowercased_sorted_trimmed_and_merged() {
        let given = [("My-Header1", " a   b "), ("X-Amz-Meta-A", "1"), ("my-header1", "c")];
        let h = Headers::new("example.com", &given, &[]).unwrap();
        assert_eq!(render(&h), "host:example.com\nmy-header1:a b,c\nx-amz-meta-a:1\n");
        let mut names = String::new();
        h.write_names(&mut names, |out, s| out.push_str(s));
        assert_eq!(names, "host;my-header1;x-amz-meta-a");
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
        let mut out = String::new();
        write_query(&mut out, given, auth, &mut |i, out| out.push_str(&i.to_string()))?;
        Ok(out)
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
