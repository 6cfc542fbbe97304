//! From parsed arguments to a [`PresignRequest`]: every value is checked by the library, so
//! its error codes (`INVALID_REGION`, `INVALID_EXPIRY`…) are what the user sees.

use std::time::Duration;

use presign::Error;
use presign::s3::{
    Bucket, BucketName, Checksum, ChecksumAlgorithm, CustomerKey, DEFAULT_EXPIRY, Encryption, Endpoint, KmsContext,
    Metadata, Method, ObjectKey, PresignRequest, PresignedRequest, Region, Tagging,
};
use presign::sigv4::AmzDate;
use time::OffsetDateTime;

use crate::args::{EncryptionArgs, PresignArgs, PresignFlags, RequestArgs, S3Url, SigningArgs, TargetArgs, UploadArgs};
use crate::error::CliError;

/// A request ready to sign: what, when, and how to print the result.
#[derive(Debug)]
pub struct Job {
    pub request: PresignRequest,
    /// `--date`, or the system clock when the job was built.
    pub at: OffsetDateTime,
    json: bool,
}

impl Job {
    /// Checks every value and builds the request.
    pub fn build(args: &PresignArgs) -> Result<Job, CliError> {
        let flags = &args.flags;
        let request = request(args.method, &args.object, flags)?;
        Ok(Job { request, at: signing_time(&flags.signing)?, json: flags.signing.json })
    }

    /// The URL alone, or with `--json` the whole contract (`{"method","url","headers","expiresAt"}`).
    pub fn render(&self, signed: &PresignedRequest) -> Result<String, CliError> {
        if self.json {
            serde_json::to_string(signed).map_err(|e| CliError::Output(e.into()))
        } else {
            Ok(signed.url().to_string())
        }
    }
}

/// `method` on `object` with every option of `flags` (the signing time aside).
pub fn request(method: Method, object: &S3Url, flags: &PresignFlags) -> Result<PresignRequest, CliError> {
    let bucket = bucket(&flags.target, &object.bucket)?;
    let key = ObjectKey::new(object.key.as_str())?;
    let request = PresignRequest::new(method, &bucket, key).expires_in(expiry(&flags.signing)?);
    let request = with_request_args(request, &flags.request);
    let request = with_upload_args(request, &flags.upload)?;
    with_encryption(request, &flags.encryption)
}

/// One of `Endpoint`'s chainable options, such as `Endpoint::fips`.
type EndpointOption = fn(Endpoint) -> Endpoint;

/// The bucket on AWS (the default), R2 (`--r2-account`) or a custom server (`--endpoint`).
pub fn bucket(target: &TargetArgs, name: &str) -> Result<Bucket, CliError> {
    if target.path_style && target.virtual_hosted {
        return Err(CliError::argument("--path-style and --virtual-hosted are exclusive"));
    }
    let endpoint = endpoint(target)?;
    let switches: [(bool, EndpointOption); 5] = [
        (target.path_style, Endpoint::path_style),
        (target.virtual_hosted, Endpoint::virtual_hosted),
        (target.dualstack, Endpoint::dualstack),
        (target.fips, Endpoint::fips),
        (target.accelerate, Endpoint::accelerate),
    ];
    let endpoint =
        switches.into_iter().fold(endpoint, |endpoint, (on, apply)| if on { apply(endpoint) } else { endpoint });
    // `Bucket::new` refuses the option combinations the provider does not serve.
    Ok(Bucket::new(BucketName::new(name)?, endpoint)?)
}

fn endpoint(target: &TargetArgs) -> Result<Endpoint, CliError> {
    let region = target.region.as_deref();
    match (&target.endpoint, &target.r2_account) {
        (Some(_), Some(_)) => Err(CliError::argument(
            "--endpoint and --r2-account are exclusive: R2's endpoint comes from the account id",
        )),
        // Whatever region the server is configured with, so any well-formed code.
        (Some(url), None) => Ok(Endpoint::custom(url, Region::custom(region.unwrap_or("us-east-1"))?)?),
        (None, Some(_)) if region.is_some() => {
            Err(CliError::argument("--region does not apply to --r2-account: R2 always signs for region \"auto\""))
        }
        (None, Some(account)) => Ok(Endpoint::r2(account)?),
        // AWS regions only, so a typo is refused (with the closest code) instead of signed.
        (None, None) => Ok(Endpoint::aws(region.map_or(Ok(Region::UsEast1), str::parse)?)),
    }
}

pub fn expiry(signing: &SigningArgs) -> Result<Duration, Error> {
    let Some(text) = &signing.expires else { return Ok(DEFAULT_EXPIRY) };
    // The range (1 s to 7 days) is the signer's to check.
    text.parse()
        .map(Duration::from_secs)
        .map_err(|_| Error::InvalidExpiry { reason: "--expires takes a whole number of seconds, 1 to 604800".into() })
}

pub fn signing_time(signing: &SigningArgs) -> Result<OffsetDateTime, Error> {
    match &signing.date {
        Some(text) => AmzDate::parse(text).map(|date| date.instant()),
        None => Ok(OffsetDateTime::now_utc()),
    }
}

/// `--header`, `--query`, `--version-id`, `--response-content-disposition`.
fn with_request_args(mut request: PresignRequest, args: &RequestArgs) -> PresignRequest {
    for (name, value) in &args.headers {
        // As curl does: the blanks around a value (`Name: value`) are layout, not content,
        // and HTTP drops them anyway (RFC 9110 §5.5), so `--json` shows the signed value.
        request = request.header(name, value.trim_matches([' ', '\t']));
    }
    for (name, value) in &args.query {
        request = request.query(name, value);
    }
    if let Some(version_id) = &args.version_id {
        request = request.version_id(version_id);
    }
    if let Some(value) = &args.response_content_disposition {
        request = request.response_content_disposition(value);
    }
    request
}

/// The upload options; the library refuses them on methods that do not upload.
fn with_upload_args(mut request: PresignRequest, args: &UploadArgs) -> Result<PresignRequest, Error> {
    if let Some(value) = &args.content_type {
        request = request.content_type(value);
    }
    if let Some(value) = &args.content_length {
        request = request.content_length(content_length(value)?);
    }
    if let Some(value) = &args.storage_class {
        request = request.storage_class(value.parse()?);
    }
    if !args.metadata.is_empty() {
        request = request.metadata(Metadata::from_pairs(args.metadata.iter().map(|(n, v)| (n, v)))?);
    }
    if !args.tagging.is_empty() {
        request = request.tagging(Tagging::from_pairs(args.tagging.iter().map(|(k, v)| (k, v)))?);
    }
    if let Some(value) = &args.acl {
        request = request.acl(value.parse()?);
    }
    if args.if_none_match {
        request = request.if_none_match_any();
    }
    if let Some(value) = &args.checksum_sha256 {
        request = request.checksum(Checksum::new(ChecksumAlgorithm::Sha256, value)?);
    }
    Ok(request)
}

fn content_length(text: &str) -> Result<u64, Error> {
    text.parse().map_err(|_| Error::InvalidOption {
        option: "content_length",
        reason: "--content-length takes a whole number of bytes".into(),
    })
}

fn with_encryption(request: PresignRequest, args: &EncryptionArgs) -> Result<PresignRequest, CliError> {
    Ok(match encryption(args)? {
        Some(encryption) => request.encryption(encryption),
        None => request,
    })
}

/// `--sse` and its KMS options, or `--sse-c-key`.
fn encryption(args: &EncryptionArgs) -> Result<Option<Encryption>, Error> {
    let kms_options = args.kms_key_id.is_some() || args.kms_context.is_some() || args.bucket_key;
    let encryption = match (args.sse.as_deref(), &args.sse_c_key) {
        (Some(_), Some(_)) => return Err(invalid_encryption("--sse and --sse-c-key are exclusive")),
        (Some("AES256"), None) | (None, Some(_)) if kms_options => {
            return Err(invalid_encryption(
                "--kms-key-id, --kms-context and --bucket-key apply only to --sse aws:kms or aws:kms:dsse",
            ));
        }
        (None, None) if kms_options => {
            return Err(invalid_encryption(
                "--kms-key-id, --kms-context and --bucket-key need --sse aws:kms or aws:kms:dsse",
            ));
        }
        (None, None) => return Ok(None),
        // The library's decoding error never echoes the key.
        (None, Some(key)) => Encryption::SseC(CustomerKey::from_base64(key)?),
        (Some("AES256"), None) => Encryption::SseS3,
        (Some("aws:kms"), None) => kms(args, Encryption::kms, Encryption::kms_default())?,
        (Some("aws:kms:dsse"), None) => kms(args, Encryption::dsse, Encryption::dsse_default())?,
        (Some(_), None) => return Err(invalid_encryption("--sse takes AES256, aws:kms or aws:kms:dsse")),
    };
    Ok(Some(encryption))
}

/// SSE-KMS or DSSE-KMS with the key, context and Bucket Key asked for; the library refuses
/// a Bucket Key with DSSE.
fn kms(
    args: &EncryptionArgs,
    with_key: fn(&str) -> Result<Encryption, Error>,
    default_key: Encryption,
) -> Result<Encryption, Error> {
    let mut encryption = match &args.kms_key_id {
        Some(key_id) => with_key(key_id)?,
        None => default_key,
    };
    if let Some(json) = &args.kms_context {
        encryption = encryption.with_context(KmsContext::from_json(json)?)?;
    }
    if args.bucket_key {
        encryption = encryption.with_bucket_key(true)?;
    }
    Ok(encryption)
}

fn invalid_encryption(reason: &'static str) -> Error {
    Error::InvalidEncryption { reason: reason.into() }
}
