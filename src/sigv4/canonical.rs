//! The canonical request: the exact bytes whose hash SigV4 signs.
//!
//! One builder serves both URI rules (S3's and the generic one); what differs is a
//! [`PathMode`](super::PathMode) setting, never a second copy of the code.

use std::borrow::Cow;
use std::cmp::Ordering;

use super::PathMode;
use super::encode;
use crate::error::{Error, Result};

/// Lowercased, trimmed, sorted headers, ready to be written; duplicates stay adjacent in the
/// order they were given, to be joined with `,`.
pub(crate) enum Headers<'a> {
    /// Headers a builder wrote already, in every form the signature needs (see
    /// [`HeaderText`]); `host` goes in its place among them.
    Written { host: &'a str, text: &'a HeaderText },
    /// Headers checked, lowercased and sorted here.
    Sorted {
        /// Lowercase name and trimmed value, sorted by name.
        entries: Vec<(Cow<'a, str>, Cow<'a, str>)>,
        /// Every name is unreserved (letters, digits, `-` …), as nearly all are: the
        /// `X-Amz-SignedHeaders` value then needs no per-name encoding.
        plain_names: bool,
    },
}

impl<'a> Headers<'a> {
    /// `host` plus the request's headers plus those the signer adds itself, checked.
    pub(crate) fn new(host: &'a str, given: &[(&'a str, &'a str)], added: &[(&'static str, &'a str)]) -> Result<Self> {
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
    pub(crate) fn write_names_encoded(&self, out: &mut String) {
        match self {
            Headers::Written { text, .. } => out.push_str(text.names_encoded()),
            Headers::Sorted { entries, plain_names } => for_each_name(entries, |first, name| {
                if !first {
                    out.push_str("%3B");
                }
                if *plain_names {
                    out.push_str(name);
                } else {
                    encode::encode_query_component(out, name);
                }
            }),
        }
    }

    /// Appends `name1;name2;…` (each name once): the signed-headers list of the canonical
    /// request and the `Authorization` header.
    pub(crate) fn write_names(&self, out: &mut String) {
        match self {
            Headers::Written { text, .. } => out.push_str(text.names()),
            Headers::Sorted { entries, .. } => for_each_name(entries, |first, name| {
                if !first {
                    out.push(';');
                }
                out.push_str(name);
            }),
        }
    }

    /// Appends `name:value[,value…]\n` for each header name.
    pub(crate) fn write(&self, out: &mut String) {
        let entries = match self {
            Headers::Written { host, text } => {
                let lines = text.lines();
                let (before, after) = lines.split_at_checked(text.host_at()).unwrap_or((lines, ""));
                for part in [before, "host:", host, "\n", after] {
                    out.push_str(part);
                }
                return;
            }
            Headers::Sorted { entries, .. } => entries,
        };
        for (i, (name, value)) in entries.iter().enumerate() {
            if i > 0 && entries[i - 1].0 == *name {
                out.push(',');
            } else {
                out.push_str(name);
                out.push(':');
            }
            out.push_str(value);
            if entries.get(i + 1).is_none_or(|next| next.0 != *name) {
                out.push('\n');
            }
        }
    }
}

/// Calls `f(is_first, name)` for each distinct name of sorted `entries`, in order.
fn for_each_name(entries: &[(Cow<'_, str>, Cow<'_, str>)], mut f: impl FnMut(bool, &str)) {
    for (i, (name, _)) in entries.iter().enumerate() {
        if i == 0 || entries[i - 1].0 != *name {
            f(i == 0, name);
        }
    }
}

/// Receives a request's headers, name by name, in name order.
pub(crate) trait HeaderSink<'h> {
    /// The next header.
    fn header(&mut self, name: &'h str, value: &'h str);

    /// Marks where two runs of headers meet, each in name order by construction; the first
    /// name after the seam may sort before the last one before it.
    fn seam(&mut self);
}

/// Something that gives its headers to a [`HeaderSink`].
pub(crate) trait HeaderSource {
    /// Gives `sink` every header, each run in name order, with a [`seam`](HeaderSink::seam)
    /// between runs.
    fn write_headers<'h, S: HeaderSink<'h>>(&'h self, sink: &mut S);
}

/// A request's signed headers but `host`, written in each form a presigned URL needs: the
/// `name:value` lines (of the canonical request, and the headers the client sends) and the
/// names joined by `;` (the canonical request's signed-headers line) and by `%3B`
/// (`X-Amz-SignedHeaders`), `host` in its place among them.
///
/// A builder that holds its headers in canonical form gives them here name by name
/// ([`HeaderText::write`]), and all three forms are written in that one pass. Typed options
/// name their headers with literals, which the compiler then copies inline, where a list of
/// pairs costs a `memcpy` call per name and form. The three forms go to three buffers in one
/// pass (one pass per form into a single buffer measured about 5% slower on a typed PUT).
/// The lines' buffer becomes the result's; the names' buffers are reused.
// No `Debug`: the lines may hold an SSE-C key.
#[derive(Default)]
pub(crate) struct HeaderText {
    lines: String,
    names: String,
    names_encoded: String,
    /// Where the `host` line goes among the lines, once a name sorted after it.
    host_at: Option<usize>,
    count: usize,
    /// Whether the next name must be compared with the previous one.
    at_seam: bool,
    in_order: bool,
}

/// Room for the lines of a typed request's usual headers, reserved at the first one.
const LINES_CAPACITY: usize = 512;

impl HeaderText {
    /// Writes the headers of `source`, which must be in canonical form
    /// ([`is_canonical_header`]), over what was written before (keeping the names' buffers).
    /// `false` when they are out of order at a seam (a name given twice, say): the caller
    /// then hands the signer a list to check and sort instead.
    pub(crate) fn write(&mut self, source: &impl HeaderSource) -> bool {
        self.lines = String::new();
        self.names.clear();
        self.names_encoded.clear();
        (self.host_at, self.count, self.at_seam, self.in_order) = (None, 0, false, true);
        let mut writer = Writer { text: self, previous: "" };
        source.write_headers(&mut writer);
        if self.host_at.is_none() {
            // No name sorts after `host`: it goes last.
            self.host_at = Some(self.lines.len());
            self.names.push_str("host");
            self.names_encoded.push_str("host");
        } else {
            self.names.pop();
            self.names_encoded.truncate(self.names_encoded.len().saturating_sub(3));
        }
        self.in_order
    }

    /// `name:value\n` per header.
    pub(crate) fn lines(&self) -> &str {
        &self.lines
    }

    /// Where the `host` line goes among the [`lines`](Self::lines).
    pub(crate) fn host_at(&self) -> usize {
        self.host_at.unwrap_or(self.lines.len())
    }

    /// `name;…;host;…`: the canonical request's signed-headers line.
    pub(crate) fn names(&self) -> &str {
        &self.names
    }

    /// `name%3B…%3Bhost%3B…`: the `X-Amz-SignedHeaders` value.
    pub(crate) fn names_encoded(&self) -> &str {
        &self.names_encoded
    }

    /// Takes the lines, and how many there are.
    pub(crate) fn take_lines(&mut self) -> (String, usize) {
        (std::mem::take(&mut self.lines), self.count)
    }
}

/// [`HeaderText::write`]'s sink.
struct Writer<'t, 'h> {
    text: &'t mut HeaderText,
    previous: &'h str,
}

impl<'h> HeaderSink<'h> for Writer<'_, 'h> {
    #[inline(always)]
    fn header(&mut self, name: &'h str, value: &'h str) {
        debug_assert!(is_canonical_header(name, value), "not canonical: {name}");
        let text = &mut *self.text;
        if std::mem::take(&mut text.at_seam) {
            text.in_order &= text.count == 0 || name_order(self.previous, name).is_lt();
        } else {
            debug_assert!(text.count == 0 || self.previous < name, "{} >= {name}", self.previous);
        }
        self.previous = name;
        if text.count == 0 {
            // Allocated at the first header: a request with none allocates nothing.
            text.lines = String::with_capacity(LINES_CAPACITY);
        }
        text.count += 1;
        if text.host_at.is_none() && !sorts_before_host(name) {
            text.host_at = Some(text.lines.len());
            text.names.push_str("host;");
            text.names_encoded.push_str("host%3B");
        }
        text.lines.push_str(name);
        text.lines.push(':');
        text.lines.push_str(value);
        text.lines.push('\n');
        // Each name with a separator after it: `write` drops the last one.
        text.names.push_str(name);
        text.names.push(';');
        text.names_encoded.push_str(name);
        text.names_encoded.push_str("%3B");
    }

    fn seam(&mut self) {
        self.text.at_seam = true;
    }
}

/// Byte order of header names, deciding on the first byte without a `memcmp` call when it
/// can (`content-…` against `x-amz-…`).
pub(crate) fn name_order(a: &str, b: &str) -> Ordering {
    match a.as_bytes().first().cmp(&b.as_bytes().first()) {
        Ordering::Equal => a.cmp(b),
        order => order,
    }
}

/// `name < "host"`, decided on the first byte without a `memcmp` call when it can.
fn sorts_before_host(name: &str) -> bool {
    match name.as_bytes().first() {
        Some(&first) if first != b'h' => first < b'h',
        _ => name < "host",
    }
}

/// Whether a header is already in the form the canonical request signs, so the signer may
/// copy it unchecked: a lowercase unreserved name (`a-z 0-9 - . _ ~`) that the signer does not
/// set itself, and a field value without control characters, surrounding blanks or runs of
/// spaces (its own `Trimall` form). Builders check this once, as headers are set.
pub(crate) fn is_canonical_header(name: &str, value: &str) -> bool {
    let name_ok = !name.is_empty()
        && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'-' | b'.' | b'_' | b'~'))
        && !is_reserved_header(name);
    name_ok && is_canonical_value(value)
}

/// `value` without the spaces and tabs around it, which SigV4 trims before signing and HTTP
/// servers strip before verifying.
pub(crate) fn trim_blanks(value: &str) -> &str {
    let blank = |c| c == ' ' || c == '\t';
    if value.starts_with(blank) || value.ends_with(blank) { value.trim_matches(blank) } else { value }
}

/// Whether [`checked_value`] would accept `value` and leave it as it is, in one pass (this
/// runs on every header a builder sets): no control character but tab, no run of spaces, no
/// blank at either end.
fn is_canonical_value(value: &str) -> bool {
    let bytes = value.as_bytes();
    let blank = |b: &u8| *b == b' ' || *b == b'\t';
    if bytes.first().is_some_and(blank) || bytes.last().is_some_and(blank) {
        return false;
    }
    let (mut bad, mut previous_space) = (false, false);
    for &b in bytes {
        let space = b == b' ';
        bad |= ((b < 0x20) & (b != b'\t')) | (b == 0x7f) | (previous_space & space);
        previous_space = space;
    }
    !bad
}

/// A request's path and query as sent: `path?query`, the `?` at `path_len`.
pub(crate) struct Sent<'s> {
    pub(crate) path_and_query: &'s str,
    pub(crate) path_len: usize,
}

/// Writes the canonical request into `creq` (cleared first). `canonical_path` replaces the
/// path as sent when the URI rules make them differ (the generic rules' double encoding).
pub(crate) fn write_request(
    creq: &mut String,
    method: &str,
    sent: Sent<'_>,
    canonical_path: Option<&str>,
    headers: &Headers<'_>,
    payload: &str,
) {
    creq.clear();
    let (path, query) = sent.path_and_query.split_at(sent.path_len.min(sent.path_and_query.len()));
    for part in [method, "\n", canonical_path.unwrap_or(path), "\n", query.get(1..).unwrap_or("")] {
        creq.push_str(part);
    }
    creq.push('\n');
    headers.write(creq);
    creq.push('\n');
    headers.write_names(creq);
    creq.push('\n');
    creq.push_str(payload);
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
type EncodedPair<'a> = (Cow<'a, str>, Cow<'a, str>);

/// Appends the canonical query string: the request's parameters, encoded and sorted (by
/// encoded name, then value: byte order, as AWS does), merged with `auth`, the rendered
/// authentication parameters (`X-Amz-Algorithm=…&…&X-Amz-SignedHeaders=…`: already encoded,
/// in canonical order, from the first to the sixth of [`AUTH_PARAMS`]; empty for header
/// signing).
pub(crate) fn write_query<'g>(out: &mut String, given: &'g [(&'g str, &'g str)], auth: &str) -> Result<()> {
    if !auth.is_empty() {
        if let Some((name, _)) = given.iter().find(|(n, _)| AUTH_PARAMS.iter().any(|p| p.eq_ignore_ascii_case(n))) {
            return Err(Error::InvalidQuery {
                name: name.to_string(),
                reason: "authentication parameters are added by the signer".into(),
            });
        }
    }
    if given.is_empty() {
        out.push_str(auth);
        return Ok(());
    }
    let encode = |&(n, v): &(&'g str, &'g str)| (encode::query_component(n), encode::query_component(v));
    // Part URLs and most requests carry a handful of parameters: sort those on the stack.
    let mut inline: [EncodedPair<'g>; INLINE_PARAMS] = Default::default();
    let mut heap: Vec<EncodedPair<'g>> = Vec::new();
    let params: &mut [EncodedPair<'g>] = if given.len() <= INLINE_PARAMS {
        for (slot, pair) in inline.iter_mut().zip(given) {
            *slot = encode(pair);
        }
        &mut inline[..given.len()]
    } else {
        heap.extend(given.iter().map(encode));
        &mut heap
    };
    params.sort_unstable();
    let mut joiner = Joiner::default();
    if auth.is_empty() {
        for (n, v) in params.iter() {
            joiner.pair(out, n, v);
        }
        return Ok(());
    }
    // Usually every parameter sorts wholly before or after the authentication block (S3's are
    // lowercase, after `X-Amz-…`): the block is then copied whole, not merged entry by entry.
    let (first, last) = (AUTH_PARAMS[0], AUTH_PARAMS[5]);
    let before = params.partition_point(|(n, _)| n.as_ref() < first);
    let entries: &mut dyn Iterator<Item = &str> = if params.get(before).is_none_or(|(n, _)| n.as_ref() > last) {
        &mut std::iter::once(auth)
    } else {
        &mut auth.split('&')
    };
    let mut rest = params.iter().peekable();
    for entry in entries {
        let name = param_name(entry);
        while let Some((n, v)) = rest.next_if(|(n, _)| n.as_ref() < name) {
            joiner.pair(out, n, v);
        }
        joiner.next(out);
        out.push_str(entry);
    }
    for (n, v) in rest {
        joiner.pair(out, n, v);
    }
    Ok(())
}

/// The name of `name=value`.
fn param_name(entry: &str) -> &str {
    entry.split('=').next().unwrap_or(entry)
}

/// Puts `&` between query parameters.
#[derive(Default)]
struct Joiner {
    started: bool,
}

impl Joiner {
    fn next(&mut self, out: &mut String) {
        if std::mem::replace(&mut self.started, true) {
            out.push('&');
        }
    }

    fn pair(&mut self, out: &mut String, name: &str, value: &str) {
        self.next(out);
        out.push_str(name);
        out.push('=');
        out.push_str(value);
    }
}

/// Appends the path as sent and returns the canonical URI when it differs from it.
///
/// S3: both are the raw path encoded once. Normalized: the path is already in wire form; it
/// is normalised and sent with only what cannot stand in a request line escaped, and the
/// canonical URI encodes it once more.
pub(crate) fn write_path(path: &str, mode: PathMode, out: &mut String) -> Result<Option<String>> {
    if path.is_empty() {
        out.push('/');
        return Ok(None);
    }
    if !path.starts_with('/') {
        return Err(Error::InvalidUrl { reason: "the path must start with '/'".into() });
    }
    match mode {
        PathMode::S3 => {
            encode::encode_path(out, path);
            Ok(None)
        }
        PathMode::Normalized => {
            let normalized = encode::normalize_path(path);
            encode::push_wire_path(out, &normalized);
            let mut canonical = String::with_capacity(normalized.len() + 16);
            encode::encode_path(&mut canonical, &normalized);
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
        t[b] = class;
        b += 1;
    }
    t
};

/// A header name, validated and lowercased; `true` when it is also unreserved.
fn checked_name(name: &str) -> Result<(Cow<'_, str>, bool)> {
    // Nearly every name is lowercase letters, digits and `-`: a comparison-only pass (which
    // vectorises, unlike a table lookup per byte) settles those.
    let simple = name.bytes().fold(true, |ok, b| ok & (b.is_ascii_lowercase() | b.is_ascii_digit() | (b == b'-')));
    if simple && !name.is_empty() {
        return Ok((Cow::Borrowed(name), true));
    }
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
    // Header values (KMS contexts, ARNs, metadata) are the longest text a typed request signs:
    // both questions are comparison-only folds without early exit, so they vectorise.
    // CR or LF would smuggle extra headers into the request; other ASCII controls are not
    // valid in a field value either (RFC 9110 allows HTAB, visible ASCII, obs-text).
    let bytes = value.as_bytes();
    let control = bytes.iter().fold(false, |found, &b| found | ((b < 0x20) & (b != b'\t')) | (b == 0x7f));
    if control {
        let reason = "the value contains control characters".into();
        return Err(Error::InvalidHeader { name: name.to_string(), reason });
    }
    let next = bytes.get(1..).unwrap_or_default();
    let double_space = bytes.iter().zip(next).fold(false, |found, (&a, &b)| found | ((a == b' ') & (b == b' ')));
    let trimmed = trim_blanks(value);
    if !double_space {
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

/// Header lists in canonical form and name order, with names sorting before `host`, after it,
/// and none at all: for tests of headers written by a builder ([`HeaderText`]).
#[cfg(test)]
pub(crate) const CANONICAL_LISTS: [&[(&str, &str)]; 4] = [
    &[("content-type", "image/jpeg"), ("x-amz-meta-a", "1 2"), ("x-amz-storage-class", "STANDARD")],
    &[("a", "1"), ("b", "2")],
    &[("x-amz-acl", "private")],
    &[],
];

/// Header runs in canonical form, a seam between each two: a [`HeaderSource`] for tests.
#[cfg(test)]
pub(crate) struct Runs<'r>(pub(crate) &'r [&'r [(&'r str, &'r str)]]);

#[cfg(test)]
impl HeaderSource for Runs<'_> {
    fn write_headers<'h, S: HeaderSink<'h>>(&'h self, sink: &mut S) {
        for (i, run) in self.0.iter().enumerate() {
            if i > 0 {
                sink.seam();
            }
            run.iter().for_each(|&(name, value)| sink.header(name, value));
        }
    }
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
        h.write_names(&mut names);
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

    #[test]
    fn canonical_form_is_what_the_checked_path_would_leave_unchanged() {
        let canonical =
            [("content-type", "image/jpeg; a=b"), ("x-amz-meta-a_b.c~", "1 2"), ("x", ""), ("if-match", "\"e\"")];
        for (name, value) in canonical {
            assert!(is_canonical_header(name, value), "{name}: {value:?}");
        }
        let not = [
            ("Content-Type", "x"),
            ("x!", "v"),
            ("", "v"),
            ("host", "h"),
            ("x-amz-date", "d"),
            ("authorization", "a"),
            ("x", "a  b"),
            ("x", " a"),
            ("x", "a\t"),
            ("x", "a\nb"),
            ("x", "a\x7fb"),
        ];
        for (name, value) in not {
            assert!(!is_canonical_header(name, value), "{name}: {value:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn canonical_values_are_those_the_checked_path_leaves_unchanged(
            pieces in proptest::collection::vec(proptest::sample::select(vec!["a", " ", "  ", "\t", "\n", "\x7f", "é", ":"]), 0..6)
        ) {
            let value = pieces.concat();
            let unchanged = matches!(checked_value("x", &value), Ok(Cow::Borrowed(same)) if same.len() == value.len());
            proptest::prop_assert_eq!(is_canonical_value(&value), unchanged, "{:?}", value);
        }
    }

    fn written(runs: &[&[(&str, &str)]]) -> Option<HeaderText> {
        let mut text = HeaderText::default();
        text.write(&Runs(runs)).then_some(text)
    }

    #[test]
    fn written_headers_are_signed_as_the_checked_path_signs_them() {
        for given in CANONICAL_LISTS {
            let mut text = written(&[given]).unwrap();
            let expected: String = given.iter().map(|(name, value)| format!("{name}:{value}\n")).collect();
            assert_eq!(text.lines(), expected);
            let written = Headers::Written { host: "example.com", text: &text };
            let checked = Headers::new("example.com", given, &[]).unwrap();
            assert_eq!(render(&written), render(&checked));
            let (mut written_names, mut checked_names) = (String::new(), String::new());
            written.write_names(&mut written_names);
            checked.write_names(&mut checked_names);
            assert_eq!(written_names, checked_names);
            let (mut written_encoded, mut checked_encoded) = (String::new(), String::new());
            written.write_names_encoded(&mut written_encoded);
            checked.write_names_encoded(&mut checked_encoded);
            assert_eq!(written_encoded, checked_encoded);
            assert_eq!(text.take_lines(), (expected, given.len()));
        }
        // No header but `host`: nothing allocated.
        let (lines, count) = written(&[]).unwrap().take_lines();
        assert_eq!((lines.capacity(), count), (0, 0));
        // The buffers are reused: what was written before does not show.
        let mut text = written(&[CANONICAL_LISTS[0]]).unwrap();
        assert!(text.write(&Runs(&[CANONICAL_LISTS[2]])));
        assert_eq!(
            (text.lines(), text.names(), text.names_encoded()),
            ("x-amz-acl:private\n", "host;x-amz-acl", "host%3Bx-amz-acl")
        );
    }

    #[test]
    fn written_headers_out_of_order_at_a_seam_are_given_up() {
        let two_runs = |plain: &str, typed: &str| written(&[&[(plain, "1")], &[(typed, "2")]]);
        assert!(two_runs("content-type", "x-amz-acl").is_some());
        assert!(two_runs("x-amz-website-redirect-location", "x-amz-acl").is_none());
        assert!(two_runs("x-amz-acl", "x-amz-acl").is_none());
        // A seam with nothing before it has nothing to compare.
        assert!(written(&[&[], &[("a", "1")]]).is_some());
    }

    proptest::proptest! {
        /// Two runs of canonical headers, each sorted, with names around `host` (`h`, `hosts`,
        /// `host-a`…): written, they come out as the checked path signs them; out of order
        /// at the seam, they are given up.
        #[test]
        fn written_headers_match_the_checked_path(
            names in proptest::collection::btree_set(
                proptest::sample::select(vec!["a", "content-type", "h", "h-a", "hos", "host-a", "hosts", "i", "x-amz-acl", "x-amz-meta-z"]),
                0..8,
            ),
            split in 0usize..8,
            swap in proptest::bool::ANY,
        ) {
            let sorted: Vec<(&str, &str)> = names.iter().map(|&name| (name, "v 1")).collect();
            let (first, second) = sorted.split_at(split.min(sorted.len()));
            let runs: [&[(&str, &str)]; 2] = if swap { [second, first] } else { [first, second] };
            let in_order = !swap || first.is_empty() || second.is_empty();
            match written(&runs) {
                None => proptest::prop_assert!(!in_order),
                Some(text) => {
                    proptest::prop_assert!(in_order);
                    let (headers, checked) = (Headers::Written { host: "h.example", text: &text }, Headers::new("h.example", &sorted, &[]).unwrap());
                    proptest::prop_assert_eq!(render(&headers), render(&checked));
                    let (mut a, mut b) = (String::new(), String::new());
                    headers.write_names(&mut a);
                    checked.write_names(&mut b);
                    headers.write_names_encoded(&mut a);
                    checked.write_names_encoded(&mut b);
                    proptest::prop_assert_eq!(a, b);
                }
            }
        }
    }

    fn query(given: &[(&str, &str)], auth: &[&'static str]) -> Result<String> {
        let auth: Vec<String> = auth.iter().enumerate().map(|(i, name)| format!("{name}={i}")).collect();
        let mut out = String::new();
        write_query(&mut out, given, &auth.join("&"))?;
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
        // Nothing between the first and last authentication parameter: the block goes whole.
        assert_eq!(
            query(&[("b", "2"), ("A", "1")], &["X-Amz-Algorithm", "X-Amz-Date"]).unwrap(),
            "A=1&X-Amz-Algorithm=0&X-Amz-Date=1&b=2"
        );
        assert_eq!(query(&[("x-amz-signature", "0")], &["X-Amz-Date"]).unwrap_err().code(), "INVALID_QUERY");
    }
}
