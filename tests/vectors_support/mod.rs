//! Helpers shared by the vector tests (`sigv4_vectors`, `s3_doc_examples`): where the vectors
//! live, the fixed clocks they sign at, query strings, and readable mismatch reports.

use std::fmt::Display;
use std::path::PathBuf;

use percent_encoding::percent_decode_str;
use presign::Credentials;
use presign::sigv4::{AmzDate, Signer};
use time::OffsetDateTime;

/// The vectors folder, relative to the crate root so the tests run from any directory.
const VECTORS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/vectors");

/// The outcome of checking one vector: `Err` carries a report of what differed.
pub type Outcome = Result<(), String>;

/// Absolute path of `relative` inside the vectors folder.
pub fn vector_path(relative: &str) -> PathBuf {
    PathBuf::from(VECTORS).join(relative)
}

/// Reads a vector file; a missing file is a failure, never a skip.
pub fn read_vector(relative: &str) -> Result<String, String> {
    let path = vector_path(relative);
    std::fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

/// The instant named by an `X-Amz-Date` value such as `20150830T123600Z`.
pub fn at(amz_date: &str) -> Result<OffsetDateTime, String> {
    AmzDate::parse(amz_date).map(|d| d.instant()).map_err(|e| format!("bad date {amz_date:?}: {e}"))
}

/// Splits a request target or URL tail at the first `?` into (path, query).
pub fn split_target(target: &str) -> (&str, &str) {
    target.split_once('?').unwrap_or((target, ""))
}

/// A query string as it appears on the wire, decoded into the raw (name, value) pairs the
/// signer takes. A parameter without `=` has an empty value (`?lifecycle`).
pub fn decode_query(query: &str) -> Result<Vec<(String, String)>, String> {
    let decode = |text: &str| {
        percent_decode_str(text)
            .decode_utf8()
            .map(|t| t.into_owned())
            .map_err(|e| format!("query component {text:?} is not UTF-8 once decoded: {e}"))
    };
    query
        .split('&')
        .filter(|part| !part.is_empty())
        .map(|part| {
            let (name, value) = part.split_once('=').unwrap_or((part, ""));
            Ok((decode(name)?, decode(value)?))
        })
        .collect()
}

/// The query parameters of a URL or `path?query`, decoded and sorted: two URLs carrying the same
/// parameters compare equal whatever their wire order or percent-encoding form (the suite
/// writes some values as raw UTF-8), and nothing else does.
pub fn param_set(url: &str) -> Result<Vec<(String, String)>, String> {
    let mut params = decode_query(split_target(url).1)?;
    params.sort();
    Ok(params)
}

/// `Ok` when two parameter sets from [`param_set`] are equal; the report lists both, one
/// `name=value` a line.
pub fn expect_same_params(what: &str, expected: &[(String, String)], actual: &[(String, String)]) -> Outcome {
    let lines = |params: &[(String, String)]| params.iter().map(|(n, v)| format!("{n}={v}\n")).collect::<String>();
    expect_eq(what, &lines(expected), &lines(actual))
}

/// Borrows owned pairs in the `&[(&str, &str)]` form `Request` takes.
pub fn pairs(owned: &[(String, String)]) -> Vec<(&str, &str)> {
    owned.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect()
}

/// `Ok` when equal; otherwise a report naming `what`, with both values and the first line
/// that differs (canonical requests are long and differ in one line).
pub fn expect_eq(what: &str, expected: &str, actual: &str) -> Outcome {
    if expected == actual {
        return Ok(());
    }
    let line = expected.lines().zip(actual.lines()).position(|(e, a)| e != a);
    let first = match line {
        Some(i) => format!("first difference on line {}", i + 1),
        None => "one is a prefix of the other".to_string(),
    };
    Err(format!("{what} differs ({first}):\n--- expected\n{expected}\n--- actual\n{actual}\n---"))
}

/// A signer for these credentials (and session token, if any).
pub fn signer(akid: &str, secret: &str, token: Option<&str>) -> Result<Signer, String> {
    let credentials = step("Credentials::new", Credentials::new(akid, secret))?;
    let credentials = match token {
        Some(token) => step("with_session_token", credentials.with_session_token(token))?,
        None => credentials,
    };
    Ok(Signer::new(credentials))
}

/// Turns a signer error into a failure report naming the step.
pub fn step<T, E: Display>(what: &str, result: Result<T, E>) -> Result<T, String> {
    result.map_err(|e| format!("{what} failed: {e}"))
}

/// Runs every check, keeps going after a failure, and returns all the reports together.
pub fn all(checks: impl IntoIterator<Item = Outcome>) -> Outcome {
    let failures: Vec<String> = checks.into_iter().filter_map(Result::err).collect();
    if failures.is_empty() { Ok(()) } else { Err(failures.join("\n")) }
}

/// A presigned path and query is, by the crate's documented design, the canonical URI and the
/// canonical query string (canonical order) followed by `X-Amz-Signature`. Rebuilding it from
/// the expected canonical request checks the wire form byte for byte against the authority.
pub fn expect_presigned_wire(expected_creq: &str, expected_signature: &str, actual: &str) -> Outcome {
    let mut lines = expected_creq.split('\n').skip(1);
    let (uri, query) = (lines.next().unwrap_or_default(), lines.next().unwrap_or_default());
    let expected = format!("{uri}?{query}&X-Amz-Signature={expected_signature}");
    expect_eq("presigned path and query (canonical URI, canonical query, signature)", &expected, actual)
}
