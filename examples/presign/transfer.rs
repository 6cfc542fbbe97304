//! The byte-moving half of `presign upload`: reading a range of the file, one PUT through a
//! presigned URL, retries with backoff, and the progress bar.

use std::fs::File;
use std::future::Future;
use std::io::{self, IsTerminal, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};
use presign::Error;
use presign::multipart::xml::check_response;
use presign::s3::PresignedRequest;
use presign::transport::{HttpRequest, ReqwestTransport, Transport};

use crate::error::CliError;

/// The first retry waits this long; each later one twice as long as the one before.
const FIRST_BACKOFF: Duration = Duration::from_millis(250);
/// The longest wait between two tries (the 6th retry and later).
const MAX_BACKOFF: Duration = Duration::from_secs(8);

/// The file being uploaded: where it is, and its size when the upload was planned.
#[derive(Debug, Clone)]
pub struct Source {
    path: Arc<PathBuf>,
    /// The path as the user wrote it, for messages.
    shown: Arc<str>,
    pub size: u64,
}

impl Source {
    /// Checks that `path` is a regular file (parts are read at offsets, so a pipe won't do).
    pub fn open(path: &str) -> Result<Source, CliError> {
        let file_error = |error| CliError::File(path.to_string(), error);
        let metadata = std::fs::metadata(path).map_err(file_error)?;
        if !metadata.is_file() {
            return Err(file_error(io::Error::new(io::ErrorKind::InvalidInput, "not a regular file")));
        }
        Ok(Source { path: Arc::new(PathBuf::from(path)), shown: Arc::from(path), size: metadata.len() })
    }

    /// Bytes `offset..offset + size`, read on a blocking thread so the uploads in flight go on.
    pub async fn read(&self, offset: u64, size: u64) -> Result<Vec<u8>, CliError> {
        let path = Arc::clone(&self.path);
        let read = tokio::task::spawn_blocking(move || read_range(&path, offset, size)).await;
        // A panic while reading is a bug: let it surface as one.
        let read = read.unwrap_or_else(|join_error| std::panic::resume_unwind(join_error.into_panic()));
        read.map_err(|error| CliError::File(self.shown.to_string(), error))
    }
}

/// One range of the file; only what is asked for is held in memory.
fn read_range(path: &Path, offset: u64, size: u64) -> io::Result<Vec<u8>> {
    let mut file = File::open(path)?;
    file.seek(SeekFrom::Start(offset))?;
    let length = usize::try_from(size).map_err(|_| io::Error::other("the part does not fit in memory"))?;
    let mut buffer = vec![0; length];
    file.read_exact(&mut buffer).map_err(|error| match error.kind() {
        io::ErrorKind::UnexpectedEof => io::Error::other("the file got shorter during the upload"),
        _ => error,
    })?;
    Ok(buffer)
}

/// Sends `body` with exactly the method, URL and headers of `request`; the `ETag` the server
/// answered (quotes included), or its error.
pub async fn put(transport: &ReqwestTransport, request: &PresignedRequest, body: &[u8]) -> Result<String, Error> {
    let http =
        HttpRequest::new(request.method().as_str(), request.url()).with_headers(request.headers()).with_body(body);
    let response = transport.send(http).await?;
    check_response(response.status, &response.body)?;
    match response.header("etag") {
        Some(etag) => Ok(etag.to_string()),
        None => Err(Error::InvalidResponse { reason: "the PUT was answered without an ETag header".into() }),
    }
}

/// Runs `attempt`, and again up to `retries` more times while it fails with an error that a
/// new try may not meet, waiting [`backoff`] between tries.
pub async fn with_retries<T, F, Fut>(retries: u32, mut attempt: F) -> Result<T, Error>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, Error>>,
{
    let mut failures = 0;
    loop {
        match attempt().await {
            Err(error) if failures < retries && is_transient(&error) => {
                tokio::time::sleep(backoff(failures)).await;
                failures += 1;
            }
            outcome => return outcome,
        }
    }
}

/// A network failure, a 5xx (S3's `InternalError`, `ServiceUnavailable`, `SlowDown`) or a
/// 429 may pass on a new try; anything else (a refused signature, a missing bucket or upload)
/// would fail the same way again.
fn is_transient(error: &Error) -> bool {
    match error {
        Error::Transport { .. } => true,
        Error::S3 { status, .. } => *status >= 500 || *status == 429,
        _ => false,
    }
}

/// The wait after `failures` failed tries: 250 ms, 500 ms, 1 s… up to [`MAX_BACKOFF`].
fn backoff(failures: u32) -> Duration {
    FIRST_BACKOFF.saturating_mul(1 << failures.min(16)).min(MAX_BACKOFF)
}

/// A progress bar in bytes, drawn on stderr only when it is a terminal, so that logs and
/// pipes never get its control sequences. Cheap to clone (the tasks share one bar).
#[derive(Debug, Clone)]
pub struct Progress(Option<ProgressBar>);

impl Progress {
    /// A bar for `total` bytes (or nothing, off a terminal).
    pub fn new(total: u64) -> Progress {
        if !io::stderr().is_terminal() {
            return Progress(None);
        }
        let bar = ProgressBar::new(total);
        let template = "{spinner} {elapsed_precise} [{wide_bar}] {bytes}/{total_bytes} {bytes_per_sec} eta {eta}";
        if let Ok(style) = ProgressStyle::with_template(template) {
            bar.set_style(style.progress_chars("=> "));
        }
        // Parts finish seconds apart: keep the clock and the spinner moving in between.
        bar.enable_steady_tick(Duration::from_millis(200));
        Progress(Some(bar))
    }

    /// `bytes` more are on the server.
    pub fn advance(&self, bytes: u64) {
        if let Some(bar) = &self.0 {
            bar.inc(bytes);
        }
    }

    /// Removes the bar, before the summary or the error line is printed.
    pub fn clear(&self) {
        if let Some(bar) = &self.0 {
            bar.finish_and_clear();
        }
    }
}
