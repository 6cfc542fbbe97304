//! The canonical request: the exact bytes whose hash SigV4 signs.
//!
//! One builder serves both URI rules (S3's and the generic one); what differs is a
//! [`PathMode`](super::PathMode) setting, never a second copy of the code.

use std::borrow::Cow;

use super::encode;
use super::{PathMode, Request};
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

    /// `name1;name2;…`, each name once.
    pub(crate) fn signed_names(&self) -> Cow<'a, str> {
        if self.entries.len() == 1 {
            return Cow::Borrowed("host");
        }
        let mut out = String::with_capacity(self.entries.len() * 16);
        for (i, (name, _)) in self.entries.iter().enumerate() {
            if i > 0 && self.entries[i - 1].0 == *name {
                continue;
            }
            if !out.is_empty() {
                out.push(';');
            }
            out.push_str(name);
        }
        Cow::Owned(out)
    }

    /// Writes `name:value[,value…]\n` for each header name.
    pub(crate) fn write(&self, sink: &mut impl FnMut(&[u8])) {
        for (i, (name, value)) in self.entries.iter().enumerate() {
            let continues = i > 0 && self.entries[i - 1].0 == *name;
            if continues {
                sink(b",");
            } else {
                sink(name.as_bytes());
                sink(b":");
            }
            sink(value.as_bytes());
            let ends = self.entries.get(i + 1).is_none_or(|next| next.0 != *name);
            if ends {
                sink(b"\n");
            }
        }
    }
}

/// The request's own query parameters, encoded and sorted with any the signer adds.
pub(crate) struct Query<'a> {
    entries: Vec<(Cow<'a, str>, Cow<'a, str>)>,
}

/// The parameters of query (presigned) authentication; callers may not pass them.
const AUTH_PARAMS: [&str; 7] = [
    "x-amz-algorithm",
    "x-amz-credential",
    "x-amz-date",
    "x-amz-expires",
    "x-amz-security-token",
    "x-amz-signedheaders",
    "x-amz-signature",
];

impl<'a> Query<'a> {
    pub(crate) fn new(
        given: &'a [(&'a str, &'a str)],
        extra_capacity: usize,
        forbid_auth_params: bool,
    ) -> Result<Self> {
        let mut entries = Vec::with_capacity(given.len() + extra_capacity);
        for &(name, value) in given {
            if forbid_auth_params && AUTH_PARAMS.iter().any(|p| p.eq_ignore_ascii_case(name)) {
                return Err(Error::InvalidQuery {
                    name: name.to_string(),
                    reason: "authentication parameters are added by the signer".into(),
                });
            }
            entries.push((encode::query_component(name), encode::query_component(value)));
        }
        Ok(Query { entries })
    }

    /// Adds a parameter whose name and value are already `UriEncode`d.
    pub(crate) fn push_encoded(&mut self, name: &'static str, value: Cow<'a, str>) {
        self.entries.push((Cow::Borrowed(name), value));
    }

    /// Sorts by encoded name, then encoded value (byte order, as AWS does), and appends
    /// `name=value&…` to `out`.
    pub(crate) fn sort_and_write(&mut self, out: &mut String) {
        self.entries.sort_unstable();
        for (i, (name, value)) in self.entries.iter().enumerate() {
            if i > 0 {
                out.push('&');
            }
            out.push_str(name);
            out.push('=');
            out.push_str(value);
        }
    }
}

/// Appends the canonical URI (which is also the path sent on the wire) to `out`.
pub(crate) fn write_path(request: &Request<'_>, mode: PathMode, out: &mut String) -> Result<()> {
    let path = request.path;
    if path.is_empty() {
        out.push('/');
        return Ok(());
    }
    if !path.starts_with('/') {
        return Err(Error::InvalidUrl { reason: "the path must start with '/'".into() });
    }
    match mode {
        PathMode::S3 => encode::push_path(out, path),
        PathMode::Normalized => encode::push_path(out, &encode::normalize_path(path)),
    }
    Ok(())
}

/// Writes the whole canonical request.
pub(crate) fn write_request(
    method: &str,
    path: &str,
    query: &str,
    headers: &Headers<'_>,
    signed_names: &str,
    payload: &str,
    sink: &mut impl FnMut(&[u8]),
) {
    sink(method.as_bytes());
    sink(b"\n");
    sink(path.as_bytes());
    sink(b"\n");
    sink(query.as_bytes());
    sink(b"\n");
    headers.write(sink);
    sink(b"\n");
    sink(signed_names.as_bytes());
    sink(b"\n");
    sink(payload.as_bytes());
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

/// RFC 9110 `token`: the only characters a header name may have.
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

/// SigV4's `Trimall`: strip surrounding whitespace, fold each run of spaces into one.
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
        let mut out = Vec::new();
        headers.write(&mut |b: &[u8]| out.extend_from_slice(b));
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn headers_are_lowercased_sorted_trimmed_and_merged() {
        let given = [("My-Header1", " a   b "), ("X-Amz-Meta-A", "1"), ("my-header1", "c")];
        let h = Headers::new("example.com", &given, &[]).unwrap();
        assert_eq!(render(&h), "host:example.com\nmy-header1:a b,c\nx-amz-meta-a:1\n");
        assert_eq!(h.signed_names(), "host;my-header1;x-amz-meta-a");
    }

    #[test]
    fn reserved_and_malformed_headers_are_refused() {
        for given in [[("Host", "x")], [("X-Amz-Date", "x")], [("bad name", "x")], [("x-a", "line\r\nInjected: 1")]] {
            let err = Headers::new("example.com", &given, &[]).err().unwrap();
            assert_eq!(err.code(), "INVALID_HEADER");
            assert!(!err.to_string().contains("Injected"));
        }
    }

    #[test]
    fn query_sorts_by_encoded_bytes() {
        // Raw order would put "~" before "é"; encoded, "%C3%A9" sorts first.
        let given = [("~", "1"), ("é", "2"), ("a", "b"), ("a", "a")];
        let mut q = Query::new(&given, 0, true).unwrap();
        let mut out = String::new();
        q.sort_and_write(&mut out);
        assert_eq!(out, "%C3%A9=2&a=a&a=b&~=1");
        assert_eq!(Query::new(&[("x-amz-signature", "0")], 0, true).err().unwrap().code(), "INVALID_QUERY");
    }
}
