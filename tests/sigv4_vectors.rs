//! Every case of the AWS SigV4 test suites in `../shared/vectors/sigv4-test-suite` (see its
//! README.md): `classic/` (header signing, generic rules), `v4/` (header and query signing, both
//! URI modes) and `smithy-rs-additions/`. Cases are discovered on disk; a folder that is missing,
//! holds fewer cases than the suite README lists, or is not run in full fails the test.

mod vectors_support;

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use percent_encoding::percent_decode_str;
use presign::sigv4::{AmzDate, PathMode, PayloadHash, Request, SignedHeaders, Signer, SigningConfig};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use vectors_support::{
    Outcome, all, at, decode_query, expect_eq, expect_presigned_wire, expect_same_params, pairs, param_set,
    read_vector, signer, split_target, step, vector_path,
};

/// The inputs every suite case shares (suite README).
const SUITE_TIME: &str = "20150830T123600Z";
const SUITE_AKID: &str = "AKIDEXAMPLE";
const SUITE_SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const SUITE_REGION: &str = "us-east-1";
const SUITE_SERVICE: &str = "service";

/// smithy-rs's `Credentials::for_tests()`, which two of its additions are signed with.
const SMITHY_AKID: &str = "ANOTREAL";
const SMITHY_SECRET: &str = "notrealrnrELgWzOk3IfjzDKtFBhDby";

/// The clock of smithy-rs's default test signing parameters: `double-encode-path.creq` was
/// written at this time (its own `x-amz-date` line), unlike its `.req` and `.sreq`.
const SMITHY_DEFAULT_TIME: &str = "20210511T154045Z";

/// Signature of the IAM `ListUsers` example of the AWS General Reference ("Signature Version 4
/// signing process", examples), whose string to sign is `iam/iam.creq`; smithy-rs's
/// `test_signature_calculation` asserts the same value for that file.
const IAM_DOC_SIGNATURE: &str = "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7";

/// Known upstream defect (suite README): this case's `.sreq` carries the `Authorization` of
/// `get-vanilla` (whose `.authz` is named here) instead of its own; its `.creq`, `.sts` and
/// `.authz` are right.
const KNOWN_BAD_SREQ: (&str, &str) = ("get-vanilla-with-session-token", "classic/get-vanilla/get-vanilla.authz");

/// A classic case whose `.req` has no `X-Amz-Security-Token` line although its `.creq` signs
/// one: the suite's harnesses put the token in the credentials by case name (aws-sdk-ruby's
/// `aws4_testsuite` spec does exactly that), and the signer adds the header.
const TOKEN_FROM_CREDENTIALS: &str = "get-vanilla-with-session-token";

const TOKEN_HEADER: &str = "x-amz-security-token";

#[test]
fn classic_suite() {
    let expected = [("classic", 24), ("classic/normalize-path", 8), ("classic/post-sts-token", 2)];
    run_folder("classic", &expected, run_classic);
}

#[test]
fn v4_suite() {
    run_folder("v4", &[("v4", 38)], run_v4);
}

#[test]
fn smithy_rs_additions() {
    run_folder("smithy-rs-additions", &[("smithy-rs-additions", 5)], run_smithy_addition);
}

// ---------------------------------------------------------------------------------------------
// Discovery and counting

/// Runs every case folder under `relative` (inside the suite), prints how many passed per
/// folder, and fails unless each folder listed in `expected` holds at least that many cases
/// (the suite README's lists) and every case found passed.
fn run_folder(relative: &str, expected: &[(&str, usize)], run: fn(&Path, &str) -> Outcome) {
    let cases = discover(relative).unwrap_or_else(|e| panic!("{e}"));
    let mut failures = Vec::new();
    for (folder, dirs) in &cases {
        let mut passed = 0;
        for dir in dirs {
            let name = dir.file_name().and_then(|n| n.to_str()).unwrap_or_default();
            match run(dir, name) {
                Ok(()) => passed += 1,
                Err(report) => failures.push(format!("{folder}/{name}:\n{report}")),
            }
        }
        println!("{folder}: {passed} of {} case folders passed", dirs.len());
    }
    for &(folder, minimum) in expected {
        let found = cases.get(folder).map_or(0, Vec::len);
        if found < minimum {
            failures.push(format!("{folder}: {found} case folders found, the suite README lists {minimum}"));
        }
    }
    assert!(failures.is_empty(), "{} failure(s):\n\n{}", failures.len(), failures.join("\n\n"));
}

/// Case folders by the folder holding them (`classic`, `classic/normalize-path`, ...): a
/// folder with sub-folders is a group; any other folder is a case, so an emptied case folder
/// is still found and fails for its missing files.
fn discover(relative: &str) -> Result<BTreeMap<String, Vec<PathBuf>>, String> {
    let mut cases = BTreeMap::new();
    let mut groups = vec![relative.to_string()];
    while let Some(group) = groups.pop() {
        for dir in sub_folders(&vector_path(&format!("sigv4-test-suite/{group}")))? {
            let name = dir.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_string();
            if sub_folders(&dir)?.is_empty() {
                cases.entry(group.clone()).or_insert_with(Vec::new).push(dir);
            } else {
                groups.push(format!("{group}/{name}"));
            }
        }
    }
    Ok(cases)
}

/// The sub-folders of `dir`, sorted; a missing `dir` is an error.
fn sub_folders(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("cannot list {}: {e}", dir.display()))?;
    let mut dirs: Vec<PathBuf> = entries.filter_map(|e| e.ok()).map(|e| e.path()).filter(|p| p.is_dir()).collect();
    dirs.sort();
    Ok(dirs)
}

/// Reads `<dir>/<name>`.
fn read_in(dir: &Path, name: &str) -> Result<String, String> {
    let path = dir.join(name);
    std::fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

/// Reads `<dir>/<stem>.<ext>`.
fn case_file(dir: &Path, stem: &str, ext: &str) -> Result<String, String> {
    read_in(dir, &format!("{stem}.{ext}"))
}

// ---------------------------------------------------------------------------------------------
// Requests as the suite writes them

/// How a header continuation line (obs-fold) is read.
#[derive(Clone, Copy)]
enum Fold {
    /// RFC 9112 §5.2: the line joins the previous value after one space.
    Space,
    /// The 2015 suite's reading: each continuation line is one more value of the same header.
    Repeat,
}

/// An HTTP/1.1 request (or signed request) file of the suite.
struct Message {
    method: String,
    /// The request target as written: already percent-encoded, except where the suite puts a
    /// raw space or raw UTF-8 in the request line.
    target: String,
    /// Name and value as written (values untrimmed, so the signer's trimming is exercised).
    headers: Vec<(String, String)>,
    body: String,
}

impl Message {
    fn parse(text: &str) -> Result<Self, String> {
        Self::parse_folding(text, Fold::Space)
    }

    fn parse_folding(text: &str, fold: Fold) -> Result<Self, String> {
        let (head, body) = text.split_once("\n\n").unwrap_or((text.trim_end_matches('\n'), ""));
        let mut lines = head.lines();
        let line = lines.next().unwrap_or_default();
        // Every file ends its request line in " HTTP/1.1" except double-url-encode.sreq.
        let line = line.strip_suffix(" HTTP/1.1").unwrap_or(line);
        let (method, target) = line.split_once(' ').ok_or_else(|| format!("bad request line {line:?}"))?;
        let mut headers: Vec<(String, String)> = Vec::new();
        for line in lines {
            match headers.last_mut() {
                Some((name, value)) if line.starts_with([' ', '\t']) => match fold {
                    Fold::Space => {
                        value.push(' ');
                        value.push_str(line.trim());
                    }
                    Fold::Repeat => {
                        let name = name.clone();
                        headers.push((name, line.trim().to_string()));
                    }
                },
                _ => {
                    let (name, value) = line.split_once(':').ok_or_else(|| format!("bad header line {line:?}"))?;
                    headers.push((name.to_string(), value.to_string()));
                }
            }
        }
        Ok(Message { method: method.into(), target: target.into(), headers, body: body.into() })
    }

    /// The trimmed value of the first header called `name` (any case).
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.trim())
    }
}

/// What the signer is given for a suite request: `Host` becomes the host, and the headers the
/// signer adds itself (`X-Amz-Date`, `X-Amz-Security-Token`) are set aside for the caller.
struct Inputs {
    method: String,
    host: String,
    target: String,
    headers: Vec<(String, String)>,
    body: String,
    date: Option<String>,
    token: Option<String>,
}

impl Inputs {
    fn from_message(msg: &Message) -> Result<Self, String> {
        let host = msg.header("host").ok_or("the request has no Host header")?.to_string();
        let own = |name: &str| !["host", "x-amz-date", TOKEN_HEADER].iter().any(|n| n.eq_ignore_ascii_case(name));
        Ok(Inputs {
            method: msg.method.clone(),
            host,
            target: msg.target.clone(),
            headers: msg.headers.iter().filter(|(n, _)| own(n)).cloned().collect(),
            body: msg.body.clone(),
            date: msg.header("x-amz-date").map(str::to_string),
            token: msg.header(TOKEN_HEADER).map(str::to_string),
        })
    }

    /// Calls `f` with the request. The path is read per `mode`: the generic rules take the
    /// request-line path as it is (the signer encodes it again), S3's take the decoded path
    /// (the signer encodes it once). The query is decoded into raw pairs; the payload is the
    /// SHA-256 of the body.
    fn with_request<T>(&self, mode: PathMode, f: impl FnOnce(&Request<'_>) -> Result<T, String>) -> Result<T, String> {
        let (path, query) = split_target(&self.target);
        let path = match mode {
            PathMode::Normalized => Cow::Borrowed(path),
            PathMode::S3 => percent_decode_str(path).decode_utf8().map_err(|e| format!("path {path:?}: {e}"))?,
        };
        let query = decode_query(query)?;
        let query = pairs(&query);
        let headers = pairs(&self.headers);
        let payload = PayloadHash::of(self.body.as_bytes());
        f(&Request::new(&self.method, &self.host, &path).query(&query).headers(&headers).payload(payload))
    }
}

/// How a session token takes part in a case (`classic/post-sts-token/readme.txt`).
enum Token {
    None,
    /// In the credentials, so the signer signs and sends `X-Amz-Security-Token`.
    Signed(String),
    /// Added to the request after signing: sent but not signed.
    AddedAfter(String),
}

impl Token {
    fn signed(&self) -> Option<&str> {
        match self {
            Token::Signed(token) => Some(token),
            _ => None,
        }
    }

    fn added_after(&self) -> Option<&str> {
        match self {
            Token::AddedAfter(token) => Some(token),
            _ => None,
        }
    }
}

fn suite_config() -> Result<SigningConfig, String> {
    step("SigningConfig::new", SigningConfig::new(SUITE_REGION, SUITE_SERVICE))
}

/// The file's text without the one newline some copied files end with after their last line.
fn without_final_newline(text: &str) -> &str {
    text.strip_suffix('\n').unwrap_or(text)
}

/// The hex signature at the end of an `Authorization` value.
fn signature_of(authorization: &str) -> Option<String> {
    authorization.rsplit_once("Signature=").map(|(_, s)| s.trim().to_string())
}

// ---------------------------------------------------------------------------------------------
// Checks shared by the three suites

/// What a header-signing vector expects; absent values are not checked.
#[derive(Default)]
struct HeaderExpected {
    creq: Option<String>,
    sts: Option<String>,
    signature: Option<String>,
    authorization: Option<String>,
}

/// Signs `inputs` with `explain_headers` and `sign_headers_at` and compares every expected value.
fn check_header_signing(
    signer: &Signer,
    inputs: &Inputs,
    config: &SigningConfig,
    now: OffsetDateTime,
    expected: &HeaderExpected,
) -> Result<SignedHeaders, String> {
    inputs.with_request(config.path_mode(), |request| {
        let explained = step("explain_headers", signer.explain_headers(request, config, now))?;
        let signed = step("sign_headers_at", signer.sign_headers_at(request, config, now))?;
        let check = |what: &str, expected: &Option<String>, actual: &str| {
            expected.as_deref().map_or(Ok(()), |e| expect_eq(what, e, actual))
        };
        all([
            check("canonical request", &expected.creq, &explained.canonical_request),
            check("string to sign", &expected.sts, &explained.string_to_sign),
            check("signature", &expected.signature, &explained.signature),
            check("Authorization", &expected.authorization, signed.authorization()),
            expect_eq("sign_headers_at vs explain_headers signature", &explained.signature, signed.signature()),
        ])?;
        Ok(signed)
    })
}

/// The headers the signer returned, plus a token added after signing.
fn sent_headers(signed: &SignedHeaders, added_after: Option<&str>) -> Vec<(String, String)> {
    let mut sent: Vec<(String, String)> = signed.headers().iter().map(|(n, v)| (n.to_string(), v.clone())).collect();
    sent.extend(added_after.map(|token| (TOKEN_HEADER.to_string(), token.to_string())));
    sent
}

/// A signed-request file must be the request (same request line and body) with exactly its own
/// headers plus `sent`, in any order and name case.
fn check_signed_request(sreq: &Message, inputs: &Inputs, sent: &[(String, String)]) -> Outcome {
    let mut ours = inputs.headers.clone();
    ours.push(("host".to_string(), inputs.host.clone()));
    ours.extend_from_slice(sent);
    all([
        expect_eq(
            "signed request line",
            &format!("{} {}", sreq.method, sreq.target),
            &format!("{} {}", inputs.method, inputs.target),
        ),
        expect_eq("signed request headers", &header_lines(&sreq.headers), &header_lines(&ours)),
        expect_eq("signed request body", &sreq.body, &inputs.body),
    ])
}

/// Sorted `name:value` lines, lowercase names and trimmed values: neither wire order nor name
/// case is part of what is sent in a meaningful way.
fn header_lines(headers: &[(String, String)]) -> String {
    let mut lines: Vec<String> =
        headers.iter().map(|(n, v)| format!("{}:{}", n.to_ascii_lowercase(), v.trim())).collect();
    lines.sort();
    lines.join("\n")
}

// ---------------------------------------------------------------------------------------------
// classic/

fn run_classic(dir: &Path, case: &str) -> Outcome {
    let file = |ext: &str| case_file(dir, case, ext);
    let inputs = Inputs::from_message(&Message::parse(&file("req")?)?)?;
    let sreq = Message::parse(&file("sreq")?)?;
    expect_eq("X-Amz-Date of the .req (the signing time)", SUITE_TIME, inputs.date.as_deref().unwrap_or("(none)"))?;
    let token = classic_token(case, &inputs, &sreq);
    let signer = signer(SUITE_AKID, SUITE_SECRET, token.signed())?;
    let authz = file("authz")?;
    let expected = HeaderExpected {
        creq: Some(file("creq")?),
        sts: Some(file("sts")?),
        signature: signature_of(&authz),
        authorization: Some(authz),
    };
    let signed = check_header_signing(&signer, &inputs, &suite_config()?, at(SUITE_TIME)?, &expected)?;
    let mut sent = sent_headers(&signed, token.added_after());
    if case == KNOWN_BAD_SREQ.0 {
        expect_known_bad_authorization(&sreq, &mut sent)?;
    }
    check_signed_request(&sreq, &inputs, &sent)
}

/// A token in the `.req` is signed ("before"); one only in the `.sreq` was added after signing
/// ("after"), except for the one case whose token the harnesses take from the credentials.
fn classic_token(case: &str, inputs: &Inputs, sreq: &Message) -> Token {
    if let Some(token) = &inputs.token {
        return Token::Signed(token.clone());
    }
    match sreq.header(TOKEN_HEADER) {
        None => Token::None,
        Some(token) if case == TOKEN_FROM_CREDENTIALS => Token::Signed(token.to_string()),
        Some(token) => Token::AddedAfter(token.to_string()),
    }
}

/// Asserts the known defect is exactly what the README says (the `.sreq` Authorization is ours
/// with get-vanilla's signature in place of ours), then expects that value so the rest of the
/// file is still checked. If upstream fixes the file, this fails and the exception must go.
fn expect_known_bad_authorization(sreq: &Message, sent: &mut [(String, String)]) -> Outcome {
    let vanilla = read_vector(&format!("sigv4-test-suite/{}", KNOWN_BAD_SREQ.1))?;
    let vanilla_signature = signature_of(&vanilla).ok_or("get-vanilla.authz has no signature")?;
    let ours = sent.iter_mut().find(|(n, _)| n == "authorization").ok_or("the signer sent no authorization")?;
    let our_signature = signature_of(&ours.1).ok_or("our Authorization has no signature")?;
    if our_signature == vanilla_signature {
        return Err("our signature equals get-vanilla's: the token was not signed".into());
    }
    let known_bad = ours.1.replace(&our_signature, &vanilla_signature);
    expect_eq("known-bad .sreq Authorization", &known_bad, sreq.header("authorization").unwrap_or_default())?;
    ours.1 = known_bad;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// v4/

/// `context.json` of a v4 case.
#[derive(Deserialize)]
struct Context {
    credentials: ContextCredentials,
    expiration_in_seconds: u64,
    normalize: bool,
    region: String,
    service: String,
    sign_body: bool,
    timestamp: String,
    #[serde(default)]
    omit_session_token: bool,
}

#[derive(Deserialize)]
struct ContextCredentials {
    access_key_id: String,
    secret_access_key: String,
    token: Option<String>,
}

/// One v4 case: its inputs, read once, for the header and the query variant.
struct V4Case<'a> {
    dir: &'a Path,
    inputs: Inputs,
    signer: Signer,
    config: SigningConfig,
    now: OffsetDateTime,
    token: Token,
    expires: Duration,
}

impl V4Case<'_> {
    fn file(&self, name: &str) -> Result<String, String> {
        read_in(self.dir, name)
    }
}

fn run_v4(dir: &Path, _case: &str) -> Outcome {
    let case = load_v4(dir)?;
    all([v4_header(&case), v4_query(&case)])
}

fn load_v4(dir: &Path) -> Result<V4Case<'_>, String> {
    let text = case_file(dir, "context", "json")?;
    let ctx: Context = serde_json::from_str(&text).map_err(|e| format!("context.json: {e}"))?;
    let now = OffsetDateTime::parse(&ctx.timestamp, &Rfc3339).map_err(|e| format!("timestamp: {e}"))?;
    let token = match ctx.credentials.token {
        None => Token::None,
        Some(token) if ctx.omit_session_token => Token::AddedAfter(token),
        Some(token) => Token::Signed(token),
    };
    let mut config = step("SigningConfig::new", SigningConfig::new(&ctx.region, &ctx.service))?
        .with_content_sha256_header(ctx.sign_body);
    if !ctx.normalize {
        config = config.with_path_mode(PathMode::S3);
    }
    let inputs = Inputs::from_message(&Message::parse(&case_file(dir, "request", "txt")?)?)?;
    // The signer adds these from the context; a request line carrying them would be ignored.
    if inputs.date.is_some() || inputs.token.is_some() {
        return Err("request.txt carries X-Amz-Date or X-Amz-Security-Token".into());
    }
    let signer = signer(&ctx.credentials.access_key_id, &ctx.credentials.secret_access_key, token.signed())?;
    let expires = Duration::from_secs(ctx.expiration_in_seconds);
    Ok(V4Case { dir, inputs, signer, config, now, token, expires })
}

fn v4_header(case: &V4Case<'_>) -> Outcome {
    let expected = HeaderExpected {
        creq: Some(case.file("header-canonical-request.txt")?),
        sts: Some(case.file("header-string-to-sign.txt")?),
        signature: Some(case.file("header-signature.txt")?),
        authorization: None,
    };
    let signed = check_header_signing(&case.signer, &case.inputs, &case.config, case.now, &expected)?;
    let sreq = Message::parse(&case.file("header-signed-request.txt")?)?;
    check_signed_request(&sreq, &case.inputs, &sent_headers(&signed, case.token.added_after()))
}

fn v4_query(case: &V4Case<'_>) -> Outcome {
    let (config, now, expires) = (&case.config, case.now, case.expires);
    case.inputs.with_request(config.path_mode(), |request| {
        let explained = step("explain_presign", case.signer.explain_presign(request, config, expires, now))?;
        let url = step("presign_at", case.signer.presign_at(request, config, expires, now))?;
        let sreq = Message::parse(&case.file("query-signed-request.txt")?)?;
        all([
            expect_eq(
                "query canonical request",
                &case.file("query-canonical-request.txt")?,
                &explained.canonical_request,
            ),
            expect_eq("query string to sign", &case.file("query-string-to-sign.txt")?, &explained.string_to_sign),
            expect_eq("query signature", &case.file("query-signature.txt")?, &explained.signature),
            expect_eq("presign_at vs explain_presign", &explained.path_and_query, url.path_and_query()),
            expect_eq("presign_at signature", &explained.signature, url.signature()),
            expect_presigned_wire(
                &case.file("query-canonical-request.txt")?,
                &case.file("query-signature.txt")?,
                url.path_and_query(),
            ),
            check_query_params(&sreq.target, url.path_and_query(), case.token.added_after()),
        ])
    })
}

/// Our URL must carry the parameters of the signed request, in any order; a token added after
/// signing is in the file only, and must be the context's token.
fn check_query_params(expected_target: &str, ours: &str, added_after: Option<&str>) -> Outcome {
    let mut expected = param_set(expected_target)?;
    if let Some(token) = added_after {
        let at = expected.iter().position(|(n, _)| n == "X-Amz-Security-Token");
        let (_, value) = expected.remove(at.ok_or("the token added after signing is not in the signed request")?);
        expect_eq("token added after signing", token, &value)?;
    }
    expect_same_params("query parameters", &expected, &param_set(ours)?)
}

// ---------------------------------------------------------------------------------------------
// smithy-rs-additions/

fn run_smithy_addition(dir: &Path, case: &str) -> Outcome {
    match case {
        "double-url-encode" => double_url_encode(dir),
        "double-encode-path" => double_encode_path(dir),
        "get-header-value-multiline-2015" => multiline_2015(dir),
        "iam" => iam(dir),
        "get-vanilla-query-order-key-case" => presigned_query_order_key_case(dir),
        other => Err(format!("no runner for the smithy-rs addition {other:?}: add one")),
    }
}

/// Lambda in us-east-2 (the scope its `.sts` and `.authz` record), at the `.req`'s
/// `X-Amz-Date`, suite key: the already-encoded `%3A` of the path is encoded again (`%253A`).
fn double_url_encode(dir: &Path) -> Outcome {
    let file = |ext: &str| case_file(dir, "double-url-encode", ext);
    let inputs = Inputs::from_message(&Message::parse(&file("req")?)?)?;
    let date = inputs.date.clone().ok_or("the .req has no X-Amz-Date")?;
    let config = step("SigningConfig::new", SigningConfig::new("us-east-2", "lambda"))?;
    let authz = file("authz")?;
    let expected = HeaderExpected {
        creq: Some(file("creq")?),
        // The copied .sts ends in a newline that is not part of the string to sign.
        sts: Some(without_final_newline(&file("sts")?).to_string()),
        signature: signature_of(&authz),
        authorization: Some(authz),
    };
    let signed =
        check_header_signing(&signer(SUITE_AKID, SUITE_SECRET, None)?, &inputs, &config, at(&date)?, &expected)?;
    check_signed_request(&Message::parse(&file("sreq")?)?, &inputs, &sent_headers(&signed, None))
}

/// API Gateway path `@connections/...%3D` encoded again. smithy-rs wrote the `.creq` at its
/// default test time and the `.sreq` (`test_sign_url_escape`) at the `.req`'s `X-amz-date`, both
/// with its test credentials.
fn double_encode_path(dir: &Path) -> Outcome {
    let file = |ext: &str| case_file(dir, "double-encode-path", ext);
    let inputs = Inputs::from_message(&Message::parse(&file("req")?)?)?;
    let signer = signer(SMITHY_AKID, SMITHY_SECRET, None)?;
    let config = suite_config()?;
    let creq = HeaderExpected { creq: Some(file("creq")?), ..HeaderExpected::default() };
    check_header_signing(&signer, &inputs, &config, at(SMITHY_DEFAULT_TIME)?, &creq)?;
    expect_eq("X-amz-date of the .req", SUITE_TIME, inputs.date.as_deref().unwrap_or("(none)"))?;
    let signed = check_header_signing(&signer, &inputs, &config, at(SUITE_TIME)?, &HeaderExpected::default())?;
    check_signed_request(&Message::parse(&file("sreq")?)?, &inputs, &sent_headers(&signed, None))
}

/// The 2015 original of get-header-value-multiline expects `value1,value2,value3`: its files
/// imply each continuation line was read as one more value of `My-Header1`, joined with commas
/// like a repeated header. Read that way, we reproduce all of its files. Read the RFC way
/// (obs-fold = one space), as the newer suites and this test's request parsing do, our
/// canonical request differs from the 2015 one in exactly that line and equals the classic one.
fn multiline_2015(dir: &Path) -> Outcome {
    let file = |ext: &str| case_file(dir, "get-header-value-multiline", ext);
    let (req, creq_2015, authz) = (file("req")?, file("creq")?, file("authz")?);
    let (signer, config, now) = (signer(SUITE_AKID, SUITE_SECRET, None)?, suite_config()?, at(SUITE_TIME)?);

    let repeated = Inputs::from_message(&Message::parse_folding(&req, Fold::Repeat)?)?;
    let expected = HeaderExpected {
        creq: Some(creq_2015.clone()),
        sts: Some(file("sts")?),
        signature: signature_of(&authz),
        authorization: Some(authz),
    };
    let signed = check_header_signing(&signer, &repeated, &config, now, &expected)?;
    let sreq = Message::parse(&file("sreq")?)?;
    expect_eq(".sreq Authorization", sreq.header("authorization").unwrap_or_default(), signed.authorization())?;

    let folded = Inputs::from_message(&Message::parse(&req)?)?;
    let ours =
        folded.with_request(PathMode::Normalized, |r| step("explain", signer.explain_headers(r, &config, now)))?;
    let newer = creq_2015.replace("\nmy-header1:value1,value2,value3\n", "\nmy-header1:value1 value2 value3\n");
    if newer == creq_2015 {
        return Err("the 2015 .creq no longer has the comma-joined line the README describes".into());
    }
    let classic = read_vector("sigv4-test-suite/classic/get-header-value-multiline/get-header-value-multiline.creq")?;
    all([
        expect_eq("space-folded canonical request vs 2015 with its one line changed", &newer, &ours.canonical_request),
        expect_eq("space-folded canonical request vs classic/", &classic, &ours.canonical_request),
    ])
}

/// `iam/iam.creq` is, despite its name, a string to sign (smithy-rs signs it as one): that of
/// the IAM `ListUsers` example of the AWS General Reference. We rebuild that request; our
/// canonical request must hash to the file's last line (so it is the identical canonical
/// request), our string to sign must be the file, and both signatures the documented one.
fn iam(dir: &Path) -> Outcome {
    let text = case_file(dir, "iam", "creq")?;
    // The copied file ends in a newline; the documented signature is of the text without it.
    let sts = without_final_newline(&text);
    let recorded_hash = sts.lines().last().unwrap_or_default();
    let headers = [("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")];
    let query = [("Action", "ListUsers"), ("Version", "2010-05-08")];
    let request =
        Request::new("GET", "iam.amazonaws.com", "/").query(&query).headers(&headers).payload(PayloadHash::of(b""));
    let config = step("SigningConfig::new", SigningConfig::new(SUITE_REGION, "iam"))?;
    let signer = signer(SUITE_AKID, SUITE_SECRET, None)?;
    let ours = step("explain_headers", signer.explain_headers(&request, &config, at(SUITE_TIME)?))?;
    let date = step("AmzDate::parse", AmzDate::parse(SUITE_TIME))?;
    all([
        expect_eq(
            "SHA-256 of our canonical request",
            recorded_hash,
            &hex::encode(Sha256::digest(&ours.canonical_request)),
        ),
        expect_eq("string to sign", sts, &ours.string_to_sign),
        expect_eq("sign_string of iam.creq", IAM_DOC_SIGNATURE, &signer.sign_string(sts, &date, &config)),
        expect_eq("signature of the rebuilt request", IAM_DOC_SIGNATURE, &ours.signature),
    ])
}

/// The classic case presigned with smithy-rs's test credentials for 35 s, the payload hash
/// being that of the empty body (suite README): our URL must carry exactly the file's
/// parameters, signature included.
fn presigned_query_order_key_case(dir: &Path) -> Outcome {
    let qpsreq = Message::parse(&case_file(dir, "get-vanilla-query-order-key-case", "qpsreq")?)?;
    let (path, query) = split_target(&qpsreq.target);
    let own: Vec<(String, String)> =
        decode_query(query)?.into_iter().filter(|(n, _)| !n.starts_with("X-Amz-")).collect();
    let own = pairs(&own);
    let host = qpsreq.header("host").ok_or("the .qpsreq has no Host header")?;
    let payload = PayloadHash::of(qpsreq.body.as_bytes());
    let request = Request::new(&qpsreq.method, host, path).query(&own).payload(payload);
    let signer = signer(SMITHY_AKID, SMITHY_SECRET, None)?;
    let url =
        step("presign_at", signer.presign_at(&request, &suite_config()?, Duration::from_secs(35), at(SUITE_TIME)?))?;
    expect_same_params("presigned query parameters", &param_set(&qpsreq.target)?, &param_set(url.path_and_query())?)
}
