//! The CLI's `upload` and `multipart-urls`, run as a user runs them (the built example, its
//! arguments and environment, its output and exit status) against the two real servers.
//!
//! The servers are the authority: what was stored is read back with a presigned GET and
//! compared byte for byte, single PUTs have the MD5 ETag S3 gives them, and whether an upload
//! is still in progress is asked of the server (ListMultipartUploads on SeaweedFS; s3s-fs does
//! not implement it, so there ListParts must fail). Between the CLI and the server, a proxy
//! ([`Proxy`]) records every request and injects the failures a network has: 503 answers,
//! a part that never finishes.
//!
//! The binary is built by `cargo test` (examples are built with the tests) with the same
//! features, so this file needs the `reqwest` feature like `upload` does.
#![cfg(all(feature = "reqwest", feature = "multipart"))]

mod common;

mod cli_support;
use cli_support::binary;
use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{REGION, Response, Target, object_bytes, send, transport, unique_key};
use md5::{Digest, Md5};
use presign::Credentials;
use presign::multipart::requests::CreateMultipartUpload;
use presign::multipart::xml::{CompletedPart, ListMultipartUploadsResult, check_response};
use presign::multipart::{ListMultipartUploads, MultipartPlan, MultipartUpload, PartUrls};
use presign::s3::{Bucket, ObjectKey, PresignRequest, Region};
use presign::sigv4::{AmzDate, Signer};
use presign::transport::Transport;
use serde_json::{Value, json};
use time::OffsetDateTime;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const MIB: u64 = 1024 * 1024;
/// Three parts for S3's smallest part size (5 MiB): 5 MiB, 5 MiB and 2 MiB.
const TWELVE_MIB: u64 = 12 * MIB;

// ---------------------------------------------------------------------------------------------
// Running the binary
// ---------------------------------------------------------------------------------------------

/// The CLI with `args`, and only the credentials in its environment (no proxy variables: the
/// requests go to loopback directly).
fn command(args: &[String], access_key: &str, secret_key: &str) -> Command {
    let mut command = Command::new(binary());
    command
        .args(args)
        .env_clear()
        .env("AWS_ACCESS_KEY_ID", access_key)
        .env("AWS_SECRET_ACCESS_KEY", secret_key)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    command
}

/// What one run of the CLI did.
#[derive(Debug)]
struct Run {
    status: Option<i32>,
    stdout: String,
    stderr: String,
}

impl From<Output> for Run {
    fn from(output: Output) -> Run {
        Run {
            status: output.status.code(),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }
}

impl Run {
    /// The one line printed on success.
    fn line(&self) -> &str {
        assert!(self.status == Some(0) && self.stderr.is_empty(), "the CLI failed: {self:?}");
        self.stdout.strip_suffix('\n').unwrap_or_else(|| panic!("no final newline: {self:?}"))
    }
}

/// Waits for `child` off the async runtime: the in-process s3s server runs on this test's
/// single runtime thread and must keep answering meanwhile.
async fn finish(child: Child) -> Run {
    let output = tokio::task::spawn_blocking(move || child.wait_with_output()).await.expect("join");
    output.expect("wait for the CLI").into()
}

/// Runs the CLI with `target`'s credentials.
async fn run(target: &Target, args: &[String]) -> Run {
    run_as(args, &target.access_key, &target.secret_key).await
}

async fn run_as(args: &[String], access_key: &str, secret_key: &str) -> Run {
    finish(command(args, access_key, secret_key).spawn().expect("start the CLI")).await
}

/// `upload FILE s3://BUCKET/KEY --endpoint ENDPOINT --region REGION` and `extra`.
fn upload_args(file: &Path, target: &Target, endpoint: &str, key: &ObjectKey, extra: &[&str]) -> Vec<String> {
    let file = file.to_str().expect("UTF-8 temp path").to_string();
    let object = format!("s3://{}/{}", target.bucket, key.as_str());
    let mut args = vec!["upload".into(), file, object, "--endpoint".into(), endpoint.into()];
    args.extend(["--region", REGION].iter().chain(extra).map(|s| s.to_string()));
    args
}

// ---------------------------------------------------------------------------------------------
// A proxy that records and breaks requests
// ---------------------------------------------------------------------------------------------

/// What the proxy does to the requests (those a fault does not name pass unchanged).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fault {
    None,
    /// CreateMultipartUpload is forwarded after a second.
    SlowCreate,
    /// The first try of each part number gets `503 SlowDown`.
    FirstTryOfEachPart,
    /// Every part gets `503 SlowDown`.
    EveryPart,
    /// Parts are never answered.
    HoldParts,
}

/// An HTTP/1.1 proxy on 127.0.0.1 in front of a server, for one test.
///
/// It forwards the bytes unchanged (the CLI signs for the proxy's `host:port`, and the `Host`
/// header it sends is the one the server checks), adding only `Connection: close` so that
/// every request comes on a connection of its own and is seen here.
struct Proxy {
    endpoint: String,
    state: Arc<ProxyState>,
    accept_loop: tokio::task::JoinHandle<()>,
}

#[derive(Default)]
struct ProxyState {
    /// One entry per request: `create`, `part N`, `complete`, `abort`, or the method.
    calls: Mutex<Vec<String>>,
    /// The `uploadId` of the requests that carried one.
    upload_ids: Mutex<HashSet<String>>,
    /// Part numbers that got their failure ([`Fault::FirstTryOfEachPart`]).
    failed_once: Mutex<HashSet<u32>>,
    parts_in_flight: AtomicUsize,
    max_parts_in_flight: AtomicUsize,
}

impl Proxy {
    async fn start(target: &Target, fault: Fault) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind the proxy");
        let endpoint = format!("http://{}", listener.local_addr().expect("proxy address"));
        let state = Arc::new(ProxyState::default());
        let (upstream, shared) = (target.host.clone(), Arc::clone(&state));
        let accept_loop = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                tokio::spawn(relay(client, upstream.clone(), fault, Arc::clone(&shared)));
            }
        });
        Proxy { endpoint, state, accept_loop }
    }

    fn calls(&self) -> Vec<String> {
        self.state.calls.lock().unwrap().clone()
    }

    /// The one upload id the CLI's requests named.
    fn upload_id(&self) -> String {
        let ids = self.state.upload_ids.lock().unwrap();
        assert_eq!(ids.len(), 1, "expected requests on one upload, saw {ids:?}");
        ids.iter().next().unwrap().clone()
    }

    fn max_parts_in_flight(&self) -> usize {
        self.state.max_parts_in_flight.load(Ordering::SeqCst)
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.accept_loop.abort();
    }
}

/// Counts a part request in flight until dropped.
struct InFlight(Arc<ProxyState>);

impl InFlight {
    fn new(state: &Arc<ProxyState>) -> InFlight {
        let now = state.parts_in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        state.max_parts_in_flight.fetch_max(now, Ordering::SeqCst);
        InFlight(Arc::clone(state))
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.parts_in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

/// One request of one connection: recorded, then refused, held or forwarded.
async fn relay(mut client: TcpStream, upstream: String, fault: Fault, state: Arc<ProxyState>) {
    let Some((head, early_body)) = read_head(&mut client).await else { return };
    let call = Call::parse(&head);
    state.calls.lock().unwrap().push(call.name());
    state.upload_ids.lock().unwrap().extend(call.upload_id.clone());
    let _in_flight = call.part.map(|_| InFlight::new(&state));
    let refuse = match (fault, call.part) {
        (Fault::EveryPart, Some(_)) => true,
        (Fault::FirstTryOfEachPart, Some(number)) => state.failed_once.lock().unwrap().insert(number),
        (Fault::HoldParts, Some(_)) => return std::future::pending().await,
        (Fault::SlowCreate, None) if call.name() == "create" => {
            tokio::time::sleep(Duration::from_secs(1)).await;
            false
        }
        _ => false,
    };
    if refuse {
        return refuse_with_503(client, &head, early_body.len()).await;
    }
    let Ok(mut server) = TcpStream::connect(&upstream).await else { return };
    let head = with_connection_close(&head);
    if server.write_all(head.as_bytes()).await.is_ok() && server.write_all(&early_body).await.is_ok() {
        let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
    }
}

/// The request head (through the blank line) and the body bytes read along with it.
async fn read_head(client: &mut TcpStream) -> Option<(String, Vec<u8>)> {
    let mut buffer = Vec::new();
    let mut chunk = [0; 8192];
    loop {
        if let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            let body = buffer.split_off(end + 4);
            return Some((String::from_utf8(buffer).ok()?, body));
        }
        match client.read(&mut chunk).await {
            Ok(0) | Err(_) => return None,
            Ok(n) => buffer.extend_from_slice(&chunk[..n]),
        }
    }
}

/// Reads the rest of the body (so the client is not reset mid-send), then answers 503.
async fn refuse_with_503(mut client: TcpStream, head: &str, already_read: usize) {
    let length: usize = header(head, "content-length").and_then(|v| v.parse().ok()).unwrap_or(0);
    let mut rest = vec![0; length.saturating_sub(already_read)];
    if client.read_exact(&mut rest).await.is_err() {
        return;
    }
    let body = "<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>";
    let response = format!(
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/xml\r\ncontent-length: {}\r\n\
         connection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = client.write_all(response.as_bytes()).await;
}

/// The head with `Connection: close` in place of any `Connection` header.
fn with_connection_close(head: &str) -> String {
    let mut lines: Vec<&str> = head.split("\r\n").filter(|line| !is_header(line, "connection")).collect();
    lines.insert(1, "connection: close");
    lines.join("\r\n")
}

fn is_header(line: &str, name: &str) -> bool {
    line.split_once(':').is_some_and(|(n, _)| n.trim().eq_ignore_ascii_case(name))
}

fn header<'a>(head: &'a str, name: &str) -> Option<&'a str> {
    head.split("\r\n").find(|line| is_header(line, name)).and_then(|line| line.split_once(':')).map(|(_, v)| v.trim())
}

/// What a request is, from its request line.
struct Call {
    method: String,
    query: BTreeMap<String, String>,
    part: Option<u32>,
    upload_id: Option<String>,
}

impl Call {
    fn parse(head: &str) -> Call {
        let mut words = head.split(' ');
        let method = words.next().unwrap_or_default().to_string();
        let target = words.next().unwrap_or_default();
        let query: BTreeMap<String, String> =
            target.split_once('?').map(|(_, query)| query.split('&').map(decode_pair).collect()).unwrap_or_default();
        let part = query.get("partNumber").and_then(|n| n.parse().ok()).filter(|_| method == "PUT");
        let upload_id = query.get("uploadId").cloned();
        Call { method, query, part, upload_id }
    }

    fn name(&self) -> String {
        let has = |name: &str| self.query.contains_key(name);
        match (self.method.as_str(), self.part) {
            (_, Some(number)) => format!("part {number}"),
            ("POST", _) if has("uploads") => "create".into(),
            ("POST", _) if has("uploadId") => "complete".into(),
            ("DELETE", _) if has("uploadId") => "abort".into(),
            (method, _) => method.into(),
        }
    }
}

fn decode_pair(pair: &str) -> (String, String) {
    let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
    let decode = |s: &str| percent_encoding::percent_decode_str(s).decode_utf8_lossy().into_owned();
    (decode(name), decode(value))
}

// ---------------------------------------------------------------------------------------------
// Talking to the server directly
// ---------------------------------------------------------------------------------------------

fn fresh_key(name: &str) -> ObjectKey {
    ObjectKey::new(unique_key(name)).expect("key")
}

/// A file of `size` bytes ([`object_bytes`]) in the system temp dir, removed on drop.
struct TempFile {
    path: PathBuf,
    bytes: Vec<u8>,
}

impl TempFile {
    fn new(size: u64) -> TempFile {
        let bytes = object_bytes(size);
        let name = unique_key(&format!("presign-cli-upload-{size}.bin")).replace('/', "-");
        let path = std::env::temp_dir().join(name);
        std::fs::write(&path, &bytes).expect("write the file to upload");
        TempFile { path, bytes }
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

async fn presigned(target: &Target, request: PresignRequest, method: &str) -> Response {
    let signed = request.sign(&target.signer()).expect("sign");
    send(method, signed.url(), &[], None).await
}

/// The object read back through a presigned GET.
async fn get_object(target: &Target, key: &ObjectKey) -> Response {
    presigned(target, PresignRequest::get(&target.bucket(), key.clone()), "GET").await
}

/// HEAD of the object through a presigned URL.
async fn head_object(target: &Target, key: &ObjectKey) -> Response {
    presigned(target, PresignRequest::head(&target.bucket(), key.clone()), "HEAD").await
}

async fn assert_stored(target: &Target, key: &ObjectKey, bytes: &[u8]) {
    let response = get_object(target, key).await;
    response.assert_ok("GET of the uploaded object");
    assert!(response.body == bytes, "{}: the object read back differs from the file", target.name);
}

async fn assert_nothing_stored(target: &Target, key: &ObjectKey) {
    let status = head_object(target, key).await.status;
    assert_eq!(status, 404, "{}: no object may exist at {}", target.name, key.as_str());
}

/// The upload is over, as far as each server can tell: on SeaweedFS, ListParts of
/// `upload_id` is `NoSuchUpload` and ListMultipartUploads lists no upload of the key; s3s-fs
/// implements neither (its ListParts answers for any id), but its AbortMultipartUpload
/// refuses an id it does not hold with `AccessDenied` (and would succeed, failing the test,
/// were the upload still there).
async fn assert_no_upload_in_progress(target: &Target, key: &ObjectKey, upload_id: Option<&str>) {
    let (signer, transport) = (target.signer(), transport());
    let upload = upload_id.map(|id| MultipartUpload::resume(target.bucket(), key.clone(), id).expect("upload id"));
    if target.name == "s3s" {
        if let Some(upload) = upload {
            let probe = upload.abort(&transport, &signer).await;
            assert_eq!(s3_error(probe), (403, "AccessDenied".into()), "s3s: the upload was still there");
        }
        return;
    }
    if let Some(upload) = upload {
        let probe = upload.list_parts(&transport, &signer).await;
        assert_eq!(s3_error(probe), (404, "NoSuchUpload".into()), "{}: the upload is still there", target.name);
    }
    let bucket = target.bucket();
    let request = ListMultipartUploads::new(&bucket).prefix(key.as_str());
    let response = transport.send(request.sign(&signer).expect("sign")).await.expect("answer");
    let page = ListMultipartUploadsResult::from_response(response.status, &response.body).expect("list");
    assert!(page.uploads.is_empty(), "uploads left in progress: {:?}", page.uploads);
}

/// The status and code of an S3 error, or a panic naming what came instead.
fn s3_error<T: std::fmt::Debug>(result: Result<T, presign::Error>) -> (u16, String) {
    match result {
        Err(presign::Error::S3 { status, code, .. }) => (status, code),
        other => panic!("expected an S3 error, got {other:?}"),
    }
}

// ---------------------------------------------------------------------------------------------
// Scenarios, each against s3s and SeaweedFS
// ---------------------------------------------------------------------------------------------

on_both_servers!(
    twelve_mib_upload_reads_back_byte_identical,
    one_mib_upload_is_a_single_put,
    multipart_urls_upload_a_created_upload,
    transient_part_failures_are_retried_within_the_concurrency,
    a_part_that_keeps_failing_aborts_the_upload,
    ctrl_c_aborts_the_upload,
    ctrl_c_while_creating_aborts_the_upload_created,
    wrong_credentials_store_nothing,
);

/// 12 MiB in three parts, with typed options that must reach the object.
async fn twelve_mib_upload_reads_back_byte_identical(target: &Target) {
    let file = TempFile::new(TWELVE_MIB);
    let key = fresh_key("cli-upload-12mib.bin");
    let options = ["--content-type", "application/x-presign-cli", "--metadata", "origin=cli-upload"];
    let run = run(target, &upload_args(&file.path, target, &target.endpoint, &key, &options)).await;
    let line = run.line();
    let prefix = format!("uploaded {TWELVE_MIB} bytes in 3 parts to s3://{}/{} (etag ", target.bucket, key.as_str());
    assert!(line.starts_with(&prefix) && line.ends_with(')'), "{line}");

    assert_stored(target, &key, &file.bytes).await;
    let head = head_object(target, &key).await;
    head.assert_ok("HEAD");
    assert_eq!(head.header("content-type"), Some("application/x-presign-cli"));
    assert_eq!(head.header("x-amz-meta-origin"), Some("cli-upload"));
    assert_eq!(Some(&line[prefix.len()..line.len() - 1]), head.header("etag"), "the summary's ETag is the object's");
}

/// Under 5 MiB: one PUT and nothing else, and S3's ETag of a single PUT, the body's MD5.
async fn one_mib_upload_is_a_single_put(target: &Target) {
    let file = TempFile::new(MIB);
    let key = fresh_key("cli-upload-1mib.bin");
    let proxy = Proxy::start(target, Fault::None).await;
    let run = run(target, &upload_args(&file.path, target, &proxy.endpoint, &key, &["--json"])).await;
    let summary: Value = serde_json::from_str(run.line()).expect("--json prints JSON");

    assert_eq!(proxy.calls(), ["PUT"], "{}: a single PUT", target.name);
    let md5 = format!("\"{}\"", hex::encode(Md5::digest(&file.bytes)));
    let object = format!("s3://{}/{}", target.bucket, key.as_str());
    let expected = json!({"object": object, "size": MIB, "parts": 1, "multipart": false, "etag": md5});
    assert_eq!(summary, expected);
    assert_eq!(head_object(target, &key).await.header("etag"), Some(md5.as_str()));
    assert_stored(target, &key, &file.bytes).await;
}

/// The URLs `multipart-urls` prints for an upload created through the library are the
/// library's, and the server takes the parts sent to them with their headers.
async fn multipart_urls_upload_a_created_upload(target: &Target) {
    let (bucket, key, signer) = (target.bucket(), fresh_key("cli-multipart-urls.bin"), target.signer());
    let create = CreateMultipartUpload::new(PresignRequest::put(&bucket, key.clone()));
    let upload = MultipartUpload::initiate(&transport(), &signer, &create).await.expect("create");
    let date = AmzDate::new(OffsetDateTime::now_utc()).expect("now").to_string();
    let args: Vec<String> = [
        "multipart-urls",
        &format!("s3://{}/{}", target.bucket, key.as_str()),
        "--endpoint",
        &target.endpoint,
        "--region",
        REGION,
        "--upload-id",
        upload.upload_id(),
        "--size",
        &TWELVE_MIB.to_string(),
        "--date",
        &date,
        "--json",
    ]
    .map(String::from)
    .to_vec();
    let printed: Value = serde_json::from_str(run(target, &args).await.line()).expect("JSON");
    let plan = MultipartPlan::new(TWELVE_MIB, &bucket.limits()).expect("plan");
    let at = AmzDate::parse(&date).expect("date").instant();
    let library = upload.part_urls(&plan).expect("urls").bind_content_length().sign_at(&signer, at).expect("sign");
    assert_eq!(printed["parts"], serde_json::to_value(&library).expect("JSON"));

    let bytes = object_bytes(TWELVE_MIB);
    let mut completed = Vec::new();
    for part in printed["parts"].as_array().expect("parts") {
        completed.push(put_printed_part(part, &bytes).await);
    }
    upload.complete(&transport(), &signer, &completed).await.expect("complete");
    assert_stored(target, &key, &bytes).await;
}

/// Sends the bytes of one printed part to its `uploadUrl` with its `headers`.
async fn put_printed_part(part: &Value, object: &[u8]) -> CompletedPart {
    let (offset, size) = (part["offset"].as_u64().unwrap() as usize, part["size"].as_u64().unwrap() as usize);
    let headers: Vec<(&str, &str)> =
        part["headers"].as_object().expect("headers").iter().map(|(n, v)| (n.as_str(), v.as_str().unwrap())).collect();
    let response =
        send("PUT", part["uploadUrl"].as_str().unwrap(), &headers, Some(&object[offset..offset + size])).await;
    check_response(response.status, &response.body).expect("UploadPart through the printed URL");
    CompletedPart::new(part["partNumber"].as_u64().unwrap() as u32, response.header("etag").expect("ETag"))
}

/// Each part's first try gets a 503: each is tried again and the upload completes, with never
/// more parts in flight than `--concurrency`.
async fn transient_part_failures_are_retried_within_the_concurrency(target: &Target) {
    let file = TempFile::new(TWELVE_MIB);
    let key = fresh_key("cli-upload-retried.bin");
    let proxy = Proxy::start(target, Fault::FirstTryOfEachPart).await;
    let args = upload_args(&file.path, target, &proxy.endpoint, &key, &["--concurrency", "2", "--retries", "1"]);
    let line = run(target, &args).await.line().to_string();
    assert!(line.starts_with(&format!("uploaded {TWELVE_MIB} bytes in 3 parts")), "{line}");

    let mut calls = proxy.calls();
    assert_eq!(
        (calls.first().map(String::as_str), calls.last().map(String::as_str)),
        (Some("create"), Some("complete"))
    );
    calls.sort();
    let twice: Vec<String> = (1..=3).flat_map(|n| [format!("part {n}"), format!("part {n}")]).collect();
    assert_eq!(calls[2..], twice[..], "each part tried twice: {calls:?}");
    let max = proxy.max_parts_in_flight();
    assert!((1..=2).contains(&max), "{max} parts were in flight at once with --concurrency 2");
    assert_stored(target, &key, &file.bytes).await;
}

/// A part answered 503 on every try: tried `1 + --retries` times, then the upload is aborted
/// and the CLI fails with the server's error.
async fn a_part_that_keeps_failing_aborts_the_upload(target: &Target) {
    let file = TempFile::new(TWELVE_MIB);
    let key = fresh_key("cli-upload-failing.bin");
    let proxy = Proxy::start(target, Fault::EveryPart).await;
    let args = upload_args(&file.path, target, &proxy.endpoint, &key, &["--concurrency", "1", "--retries", "2"]);
    let run = run(target, &args).await;
    assert_eq!(run.status, Some(1), "{run:?}");
    assert!(run.stdout.is_empty() && run.stderr.starts_with("error: S3_ERROR: ") && run.stderr.contains("SlowDown"));

    assert_eq!(proxy.calls(), ["create", "part 1", "part 1", "part 1", "abort"]);
    assert_no_upload_in_progress(target, &key, Some(&proxy.upload_id())).await;
    assert_nothing_stored(target, &key).await;
}

/// Ctrl-C while the parts hang: the upload is aborted and the CLI exits with 130.
async fn ctrl_c_aborts_the_upload(target: &Target) {
    let file = TempFile::new(TWELVE_MIB);
    let key = fresh_key("cli-upload-interrupted.bin");
    let proxy = Proxy::start(target, Fault::HoldParts).await;
    let args = upload_args(&file.path, target, &proxy.endpoint, &key, &[]);
    let child = command(&args, &target.access_key, &target.secret_key).spawn().expect("start the CLI");
    wait_for(|| proxy.calls().iter().any(|call| call.starts_with("part"))).await;
    interrupt(&child);

    let run = finish(child).await;
    assert_eq!(run.status, Some(130), "{run:?}");
    assert!(run.stderr.starts_with("error: INTERRUPTED: "), "{run:?}");
    assert_eq!(proxy.calls().last().map(String::as_str), Some("abort"));
    assert_no_upload_in_progress(target, &key, Some(&proxy.upload_id())).await;
    assert_nothing_stored(target, &key).await;
}

/// Ctrl-C while CreateMultipartUpload is on its way: the CLI waits for the answer and aborts
/// the upload the server created.
async fn ctrl_c_while_creating_aborts_the_upload_created(target: &Target) {
    let file = TempFile::new(TWELVE_MIB);
    let key = fresh_key("cli-upload-interrupted-create.bin");
    let proxy = Proxy::start(target, Fault::SlowCreate).await;
    let args = upload_args(&file.path, target, &proxy.endpoint, &key, &[]);
    let child = command(&args, &target.access_key, &target.secret_key).spawn().expect("start the CLI");
    wait_for(|| proxy.calls().contains(&"create".to_string())).await;
    interrupt(&child);

    let run = finish(child).await;
    assert_eq!(run.status, Some(130), "{run:?}");
    assert_eq!(proxy.calls(), ["create", "abort"]);
    assert_no_upload_in_progress(target, &key, Some(&proxy.upload_id())).await;
    assert_nothing_stored(target, &key).await;
}

/// Sends SIGINT (what Ctrl-C sends) to `child`.
fn interrupt(child: &Child) {
    let killed = Command::new("kill").args(["-INT", &child.id().to_string()]).status().expect("run kill");
    assert!(killed.success());
}

/// Polls `condition` for up to 30 s.
async fn wait_for(condition: impl Fn() -> bool) {
    for _ in 0..600 {
        if condition() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("timed out waiting");
}

/// A wrong secret: the server refuses the first request, the CLI fails, nothing is stored.
async fn wrong_credentials_store_nothing(target: &Target) {
    let file = TempFile::new(TWELVE_MIB);
    let key = fresh_key("cli-upload-refused.bin");
    let args = upload_args(&file.path, target, &target.endpoint, &key, &[]);
    let run = run_as(&args, &target.access_key, "wrong/Secret+Key0123456789abcdefghijklm").await;
    assert_eq!(run.status, Some(1), "{run:?}");
    assert!(run.stderr.starts_with("error: S3_ERROR: S3 answered 403 "), "{run:?}");
    assert_no_upload_in_progress(target, &key, None).await;
    assert_nothing_stored(target, &key).await;
}

// ---------------------------------------------------------------------------------------------
// multipart-urls without a server
// ---------------------------------------------------------------------------------------------

const AKID: &str = "AKIAIOSFODNN7EXAMPLE";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
const DATE: &str = "20240524T120000Z";

fn multipart_urls(extra: &[&str]) -> Run {
    let mut args: Vec<String> = ["multipart-urls", "s3://examplebucket/videos/take 1.mp4", "--region", "eu-west-1"]
        .iter()
        .chain(extra)
        .map(|s| s.to_string())
        .collect();
    args.extend(["--upload-id", "VXBsb2FkIElE+/=", "--date", DATE].map(String::from));
    command(&args, AKID, SECRET).output().expect("run the CLI").into()
}

/// S3's smallest part size is 5 MiB, so 12 MiB is 5 + 5 + 2 MiB; every part's URL is the
/// library's for the same inputs and binds the part's length.
#[test]
fn multipart_urls_json_has_the_plan_and_the_library_urls() {
    let run = multipart_urls(&["--size", "12582912", "--json", "--expires", "900"]);
    let printed: Value = serde_json::from_str(run.line()).expect("JSON");
    let expected_parts = [(1, 0, 5 * MIB), (2, 5 * MIB, 5 * MIB), (3, 10 * MIB, 2 * MIB)];
    let shape: Vec<(u64, u64, u64)> = printed["parts"]
        .as_array()
        .expect("parts")
        .iter()
        .map(|p| (p["partNumber"].as_u64().unwrap(), p["offset"].as_u64().unwrap(), p["size"].as_u64().unwrap()))
        .collect();
    assert_eq!(shape, expected_parts);
    for part in printed["parts"].as_array().unwrap() {
        assert_eq!(part["headers"], json!({"content-length": part["size"].to_string()}));
        assert_eq!(part["expiresAt"], "2024-05-24T12:15:00Z");
    }

    let library = library_part_urls(12 * MIB, None, Duration::from_secs(900));
    let expected = json!({
        "uploadId": "VXBsb2FkIElE+/=", "objectSize": 12 * MIB, "partSize": 5 * MIB, "partCount": 3,
        "parts": serde_json::to_value(&library).unwrap(),
    });
    assert_eq!(printed, expected);
}

/// Without `--json`: one URL per line, the same as the JSON's; `--part-size` is honoured.
#[test]
fn multipart_urls_prints_one_url_per_line_with_the_part_size_asked() {
    let run = multipart_urls(&["--size", "12582912", "--part-size", "6291456"]);
    assert!(run.status == Some(0) && run.stderr.is_empty(), "{run:?}");
    let library = library_part_urls(12 * MIB, Some(6 * MIB), presign::s3::DEFAULT_EXPIRY);
    let urls: Vec<&str> = library.iter().map(|part| part.request.url()).collect();
    assert_eq!(run.stdout.lines().collect::<Vec<_>>(), urls);
    assert_eq!(urls.len(), 2);
    assert!(urls[1].contains("partNumber=2&uploadId=VXBsb2FkIElE%2B%2F%3D"), "{}", urls[1]);
}

#[test]
fn multipart_urls_refuses_what_cannot_be_a_multipart_upload() {
    let cases: [(&[&str], &str); 4] = [
        (&["--size", "5242879"], "error: FILE_TOO_SMALL: "),
        (&["--size", "12582912", "--part-size", "1048576"], "error: INVALID_PART_SIZE: "),
        (&["--size", "12MiB"], "error: INVALID_ARGUMENT: --size takes a whole number of bytes"),
        (&["--size", "12582912", "--content-type", "a/b"], "error: INVALID_ARGUMENT: unknown flag --content-type"),
    ];
    for (extra, expected) in cases {
        let run = multipart_urls(extra);
        assert!(
            run.status == Some(2) && run.stdout.is_empty() && run.stderr.starts_with(expected),
            "{extra:?}: {run:?}"
        );
    }
}

/// The library's part URLs for the inputs of [`multipart_urls`].
fn library_part_urls(size: u64, part_size: Option<u64>, expires: Duration) -> Vec<presign::multipart::PresignedPart> {
    let bucket = Bucket::aws("examplebucket", Region::EuWest1).unwrap();
    let key = ObjectKey::new("videos/take 1.mp4").unwrap();
    let plan = match part_size {
        Some(part_size) => MultipartPlan::with_part_size(size, part_size, &bucket.limits()).unwrap(),
        None => MultipartPlan::new(size, &bucket.limits()).unwrap(),
    };
    let signer = Signer::new(Credentials::new(AKID, SECRET).unwrap());
    let at = AmzDate::parse(DATE).unwrap().instant();
    let urls = PartUrls::new(&bucket, &key, "VXBsb2FkIElE+/=", &plan).unwrap().bind_content_length();
    urls.expires_in(expires).sign_at(&signer, at).unwrap()
}

/// Options an upload of a whole file cannot honour are refused before anything is sent (the
/// endpoint is a closed port: a request would fail differently).
#[test]
fn upload_refuses_options_it_cannot_honour() {
    let file = TempFile::new(MIB);
    let file = file.path.to_str().unwrap();
    let cases: [(&[&str], &str); 7] = [
        (&["--date", DATE], "INVALID_ARGUMENT: --date does not apply to upload"),
        (&["--content-length", "1"], "INVALID_ARGUMENT: --content-length does not apply to upload"),
        (&["--sse-c-key", "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="], "INVALID_ARGUMENT: --sse-c-key is not"),
        (&["--concurrency", "0"], "INVALID_ARGUMENT: --concurrency takes a whole number from 1 to 64"),
        (&["--retries", "11"], "INVALID_ARGUMENT: --retries takes a whole number from 0 to 10"),
        (&["--upload-id", "x"], "INVALID_ARGUMENT: unknown flag --upload-id"),
        (&["--expires", "604801"], "INVALID_EXPIRY: "),
    ];
    for (extra, expected) in cases {
        let mut args = vec!["upload", file, "s3://bucket/k", "--endpoint", "http://127.0.0.1:9"];
        args.extend_from_slice(extra);
        let args: Vec<String> = args.into_iter().map(String::from).collect();
        let run: Run = command(&args, AKID, SECRET).output().expect("run the CLI").into();
        let line = format!("error: {expected}");
        assert!(run.status == Some(2) && run.stderr.starts_with(&line), "{extra:?}: {run:?}");
    }
    let missing: Run = command(&["upload".into(), "/nonexistent/f".into(), "s3://b/k".into()], AKID, SECRET)
        .output()
        .expect("run the CLI")
        .into();
    assert!(missing.status == Some(1) && missing.stderr.starts_with("error: FILE_ERROR: "), "{missing:?}");
}
