//! `presign upload FILE s3://BUCKET/KEY`: sends a file through presigned URLs.
//!
//! Below the provider's minimum part size (5 MiB) the file goes as one presigned PUT.
//! Otherwise: CreateMultipartUpload with the PUT's typed options, the parts PUT in parallel
//! through their presigned URLs (at most `--concurrency` in flight, each retried with
//! exponential backoff), then CompleteMultipartUpload. On any failure, or Ctrl-C, the upload
//! is aborted, so that no upload is left holding (and billing) its parts.
//!
//! Each part's URL is signed just before it is sent, and again for a retry, so a long upload
//! never meets an expired URL. A part is read from the file when its turn comes: memory use
//! is about `--concurrency` × the part size.

use std::ops::RangeInclusive;
use std::pin::pin;
use std::sync::Arc;
use std::time::Duration;

use presign::multipart::requests::{CompleteMultipartUpload, CreateMultipartUpload};
use presign::multipart::xml::{CompleteMultipartUploadResult, CompletedPart};
use presign::multipart::{MultipartPlan, MultipartUpload, Part};
use presign::s3::{Method, PresignRequest};
use presign::sigv4::Signer;
use presign::transport::{ReqwestTransport, Transport as _};
use presign::{Credentials, Error};
use serde::Serialize;
use time::OffsetDateTime;
use tokio::task::JoinSet;

use crate::args::{PresignFlags, TransferArgs, UploadCommand};
use crate::error::CliError;
use crate::multipart_urls;
use crate::request;
use crate::transfer::{Progress, Source, put, with_retries};

/// Parts in flight at once when `--concurrency` is not given.
const DEFAULT_CONCURRENCY: u32 = 4;
/// Retries of a failed part when `--retries` is not given.
const DEFAULT_RETRIES: u32 = 3;
/// How long Ctrl-C during CreateMultipartUpload waits for its answer, to abort the upload.
const ANSWER_AFTER_CTRL_C: Duration = Duration::from_secs(10);

/// Uploads, and returns the summary to print.
pub fn run(args: UploadCommand) -> Result<String, CliError> {
    let job = Job::prepare(args)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|error| Error::Transport { reason: format!("cannot start the async runtime: {error}") })?;
    let json = job.json;
    runtime.block_on(Arc::new(job).send())?.render(json)
}

/// Everything an upload needs, checked before the first request.
#[derive(Debug)]
struct Job {
    source: Source,
    /// `s3://BUCKET/KEY` as given, for the summary and messages.
    object: String,
    /// A PUT of the key with the typed options (without `If-None-Match`, which a multipart
    /// upload sends at completion).
    options: PresignRequest,
    if_none_match: bool,
    /// `None`: the file is small enough for a single PUT.
    plan: Option<MultipartPlan>,
    /// How long each presigned URL works (`--expires`).
    expires: Duration,
    concurrency: usize,
    retries: u32,
    signer: Signer,
    transport: ReqwestTransport,
    json: bool,
}

impl Job {
    fn prepare(args: UploadCommand) -> Result<Job, CliError> {
        let UploadCommand { file, object, mut flags, transfer } = args;
        refuse_unsupported(&flags)?;
        let source = Source::open(&file)?;
        let if_none_match = std::mem::take(&mut flags.upload.if_none_match);
        let options = request::request(Method::Put, &object, &flags)?;
        let plan = plan(&options, source.size, &transfer)?;
        let signer = Signer::new(Credentials::from_env()?);
        // Signed once now, so that what the signer refuses (an expiry beyond seven days, or
        // beyond temporary credentials') fails before an upload exists, not at its first part.
        options.sign(&signer)?;
        Ok(Job {
            source,
            object: format!("s3://{}/{}", object.bucket, object.key),
            options,
            if_none_match,
            plan,
            expires: request::expiry(&flags.signing)?,
            concurrency: count("--concurrency", transfer.concurrency.as_deref(), DEFAULT_CONCURRENCY, 1..=64)? as usize,
            retries: count("--retries", transfer.retries.as_deref(), DEFAULT_RETRIES, 0..=10)?,
            signer,
            transport: ReqwestTransport::new()?,
            json: flags.signing.json,
        })
    }

    async fn send(self: Arc<Self>) -> Result<Summary, CliError> {
        match self.plan {
            None => self.single_put().await,
            Some(plan) => self.multipart(plan).await,
        }
    }

    /// The whole file in one presigned PUT, bound to its length.
    async fn single_put(&self) -> Result<Summary, CliError> {
        let size = self.source.size;
        let body = self.source.read(0, size).await?;
        let mut request = self.options.clone().content_length(size);
        if self.if_none_match {
            request = request.if_none_match_any();
        }
        let progress = Progress::new(size);
        let (signer, transport, request, body) = (&self.signer, &self.transport, &request, body.as_slice());
        let etag = with_retries(self.retries, || async move { put(transport, &request.sign(signer)?, body).await });
        let etag = etag.await;
        progress.clear();
        Ok(self.summary(1, false, etag?))
    }

    /// Create, send the parts, complete; abort if anything fails or Ctrl-C comes.
    async fn multipart(self: Arc<Self>, plan: MultipartPlan) -> Result<Summary, CliError> {
        // Listening from before the upload exists, so that Ctrl-C never leaves one behind.
        let mut interrupted = pin!(interrupted());
        let create = CreateMultipartUpload::new(self.options.clone());
        let mut initiating = pin!(MultipartUpload::initiate(&self.transport, &self.signer, &create));
        let upload = tokio::select! {
            created = &mut initiating => created?,
            () = &mut interrupted => {
                // The request may have reached the server: let it answer (for a while), and
                // abort what it created.
                if let Ok(Ok(upload)) = tokio::time::timeout(ANSWER_AFTER_CTRL_C, initiating).await {
                    abort(&self, &upload).await;
                }
                return Err(CliError::Interrupted);
            }
        };
        let parts =
            Arc::new(Parts { job: Arc::clone(&self), upload, plan, progress: Progress::new(plan.object_size()) });
        let outcome = tokio::select! {
            outcome = Arc::clone(&parts).send_and_complete() => outcome,
            () = &mut interrupted => Err(CliError::Interrupted),
        };
        parts.progress.clear();
        if outcome.is_err() {
            abort(&self, &parts.upload).await;
        }
        outcome
    }

    fn summary(&self, parts: u32, multipart: bool, etag: String) -> Summary {
        Summary { object: self.object.clone(), size: self.source.size, parts, multipart, etag }
    }
}

/// Options that do not fit an upload of a whole file, refused before anything is sent.
fn refuse_unsupported(flags: &PresignFlags) -> Result<(), CliError> {
    let refused = [
        (flags.signing.date.is_some(), "--date does not apply to upload: it signs at the current time"),
        (flags.upload.content_length.is_some(), "--content-length does not apply to upload: FILE's size is sent"),
        (flags.upload.checksum_sha256.is_some(), "--checksum-sha256 is not supported by upload"),
        (
            flags.encryption.sse_c_key.is_some(),
            "--sse-c-key is not supported by upload: every part would have to send the key too",
        ),
    ];
    match refused.into_iter().find(|&(given, _)| given) {
        Some((_, message)) => Err(CliError::argument(message)),
        None => Ok(()),
    }
}

/// The parts of a `size`-byte upload to the options' bucket, or `None` for a single PUT (a
/// file below the provider's minimum part size).
fn plan(options: &PresignRequest, size: u64, transfer: &TransferArgs) -> Result<Option<MultipartPlan>, CliError> {
    match multipart_urls::plan(options.bucket(), size, transfer.part_size.as_deref()) {
        Ok(plan) => Ok(Some(plan)),
        Err(CliError::Presign(Error::FileTooSmall { .. })) => Ok(None),
        Err(error) => Err(error),
    }
}

/// A count flag's value within `range`, or `default` when the flag is absent.
fn count(flag: &str, text: Option<&str>, default: u32, range: RangeInclusive<u32>) -> Result<u32, CliError> {
    let Some(text) = text else { return Ok(default) };
    text.parse().ok().filter(|n| range.contains(n)).ok_or_else(|| {
        CliError::argument(format!("{flag} takes a whole number from {} to {}", range.start(), range.end()))
    })
}

/// Resolves on the first Ctrl-C (never, if the handler cannot be installed). A second Ctrl-C
/// ends the process at once, as it would without a handler, should the abort hang.
async fn interrupted() {
    if tokio::signal::ctrl_c().await.is_err() {
        std::future::pending::<()>().await;
    }
    tokio::spawn(async {
        if tokio::signal::ctrl_c().await.is_ok() {
            std::process::exit(130);
        }
    });
}

/// AbortMultipartUpload; if that fails too, a warning names the upload left behind (the
/// error line that follows is about what made the upload fail).
async fn abort(job: &Job, upload: &MultipartUpload) {
    if let Err(error) = upload.abort(&job.transport, &job.signer).await {
        let (id, object) = (upload.upload_id(), &job.object);
        eprintln!(
            "warning: upload {id} of {object} could not be aborted ({}); abort it, or let a lifecycle rule \
             (AbortIncompleteMultipartUpload) remove it",
            CliError::from(error).line()
        );
    }
}

/// A multipart upload that was created: what its part tasks share.
#[derive(Debug)]
struct Parts {
    job: Arc<Job>,
    upload: MultipartUpload,
    plan: MultipartPlan,
    progress: Progress,
}

impl Parts {
    async fn send_and_complete(self: Arc<Self>) -> Result<Summary, CliError> {
        let parts = Arc::clone(&self).send_all().await?;
        let completed = self.complete(&parts).await?;
        Ok(self.job.summary(self.plan.part_count(), true, completed.etag))
    }

    /// Every part, at most `concurrency` at a time; the first failure stops the others (the
    /// `JoinSet` aborts its tasks when dropped).
    async fn send_all(self: Arc<Self>) -> Result<Vec<CompletedPart>, CliError> {
        let mut waiting = self.plan.parts();
        let mut running = JoinSet::new();
        for part in waiting.by_ref().take(self.job.concurrency) {
            running.spawn(Arc::clone(&self).send(part));
        }
        let mut done = Vec::with_capacity(self.plan.part_count() as usize);
        while let Some(joined) = running.join_next().await {
            // A panic in a part's task is a bug: let it surface as one.
            done.push(joined.unwrap_or_else(|join_error| std::panic::resume_unwind(join_error.into_panic()))?);
            if let Some(part) = waiting.next() {
                running.spawn(Arc::clone(&self).send(part));
            }
        }
        done.sort_by_key(|part| part.part_number);
        Ok(done)
    }

    /// One part: read, then PUT (retried) through a freshly signed URL.
    async fn send(self: Arc<Self>, part: Part) -> Result<CompletedPart, CliError> {
        let body = self.job.source.read(part.offset, part.size).await?;
        let (this, body) = (&*self, body.as_slice());
        let etag = with_retries(self.job.retries, || this.try_put(part.number, body)).await?;
        self.progress.advance(part.size);
        Ok(CompletedPart::new(part.number, etag))
    }

    async fn try_put(&self, number: u32, body: &[u8]) -> Result<String, Error> {
        let urls = self.upload.part_urls(&self.plan)?.bind_content_length().expires_in(self.job.expires);
        let signed = urls.sign_part_at(&self.job.signer, number, OffsetDateTime::now_utc())?;
        put(&self.job.transport, &signed.request, body).await
    }

    /// CompleteMultipartUpload, with `If-None-Match: *` when asked for.
    async fn complete(&self, parts: &[CompletedPart]) -> Result<CompleteMultipartUploadResult, Error> {
        let upload = &self.upload;
        let mut complete = CompleteMultipartUpload::new(upload.bucket(), upload.key(), upload.upload_id(), parts);
        if self.job.if_none_match {
            complete = complete.if_none_match_any();
        }
        let response = self.job.transport.send(complete.sign(&self.job.signer)?).await?;
        CompleteMultipartUploadResult::from_response(response.status, &response.body)
    }
}

/// What was uploaded.
#[derive(Debug, Serialize)]
struct Summary {
    object: String,
    size: u64,
    parts: u32,
    multipart: bool,
    etag: String,
}

impl Summary {
    /// `uploaded N bytes in M parts to s3://B/K (etag E)`, or with `--json` the fields.
    fn render(&self, json: bool) -> Result<String, CliError> {
        let Summary { object, size, parts, multipart, etag } = self;
        if json {
            return serde_json::to_string(self).map_err(|e| CliError::Output(e.into()));
        }
        Ok(match (multipart, parts) {
            (false, _) => format!("uploaded {size} bytes in a single PUT to {object} (etag {etag})"),
            (true, 1) => format!("uploaded {size} bytes in 1 part to {object} (etag {etag})"),
            (true, _) => format!("uploaded {size} bytes in {parts} parts to {object} (etag {etag})"),
        })
    }
}
