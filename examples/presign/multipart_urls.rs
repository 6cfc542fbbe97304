//! `presign multipart-urls`: the plan of a multipart upload created elsewhere and every part's
//! presigned URL, signed locally (no network).

use presign::Credentials;
use presign::multipart::{MultipartPlan, PartUrls, SignedParts};
use presign::s3::{Bucket, ObjectKey};
use presign::sigv4::Signer;
use serde::Serialize;

use crate::args::MultipartUrlsArgs;
use crate::error::CliError;
use crate::request;

/// What `--json` prints: the plan's fields between the upload id and the parts.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Output<'a> {
    upload_id: &'a str,
    #[serde(flatten)]
    plan: &'a MultipartPlan,
    parts: &'a SignedParts<'a>,
}

/// The part URLs, one per line, or with `--json` the whole [`Output`].
pub fn render(args: &MultipartUrlsArgs) -> Result<String, CliError> {
    let bucket = request::bucket(&args.target, &args.object.bucket)?;
    let key = ObjectKey::new(args.object.key.as_str())?;
    let plan = plan(&bucket, bytes("--size", &args.size)?, args.part_size.as_deref())?;
    let urls = PartUrls::new(&bucket, &key, &args.upload_id, &plan)?
        .bind_content_length()
        .expires_in(request::expiry(&args.signing)?);
    let at = request::signing_time(&args.signing)?;
    // Every URL in one buffer: the form for thousands of parts in one response.
    let parts = urls.sign_all_at(&Signer::new(Credentials::from_env()?), at)?;
    if args.signing.json {
        let output = Output { upload_id: &args.upload_id, plan: &plan, parts: &parts };
        serde_json::to_string(&output).map_err(|e| CliError::Output(e.into()))
    } else {
        Ok(parts.iter().map(|part| part.url()).collect::<Vec<_>>().join("\n"))
    }
}

/// The plan for `size` bytes in the bucket's provider limits: the library's part size, or
/// `--part-size` checked against the same limits.
pub fn plan(bucket: &Bucket, size: u64, part_size: Option<&str>) -> Result<MultipartPlan, CliError> {
    let limits = bucket.limits();
    Ok(match part_size {
        Some(text) => MultipartPlan::with_part_size(size, bytes("--part-size", text)?, &limits)?,
        None => MultipartPlan::new(size, &limits)?,
    })
}

/// A flag's value as a whole number of bytes.
fn bytes(flag: &str, text: &str) -> Result<u64, CliError> {
    text.parse().map_err(|_| CliError::argument(format!("{flag} takes a whole number of bytes")))
}
