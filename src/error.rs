//! The crate's one error type.
//!
//! Every variant carries a stable [`Error::code`] in the upload API's SCREAMING_SNAKE style
//! and a [`Error::hint`] telling the caller what to change. Messages never contain secrets:
//! variants name the offending field, and echo a value only where that value is not
//! sensitive (a region code, a bucket name, a number).

use std::borrow::Cow;

/// Everything that can go wrong while building or signing a request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A credential field is malformed (empty, contains whitespace or control characters…).
    #[error("invalid credentials: {reason}")]
    InvalidCredentials {
        /// What is wrong; never contains the secret or the token.
        reason: Cow<'static, str>,
    },
    /// A required credential is absent (for example an unset environment variable).
    #[error("missing credentials: {what}")]
    MissingCredentials {
        /// Which credential is missing.
        what: Cow<'static, str>,
    },
    /// The credentials had already expired at signing time.
    #[error("the credentials expired at {expired_at}")]
    CredentialsExpired {
        /// When they expired (RFC 3339).
        expired_at: String,
    },
    /// The requested URL lifetime outlives the (temporary) credentials that sign it.
    #[error(
        "the URL would outlive its credentials: it expires at {url_expires_at}, the credentials at {credentials_expire_at}"
    )]
    ExpiryExceedsCredentials {
        /// When the URL would expire (RFC 3339).
        url_expires_at: String,
        /// When the credentials expire (RFC 3339).
        credentials_expire_at: String,
    },
    /// The expiry is outside 1 s ..= 604,800 s (seven days) or not whole seconds.
    #[error("invalid expiry: {reason}")]
    InvalidExpiry {
        /// What is wrong with it.
        reason: Cow<'static, str>,
    },
    /// The signing time cannot be written as an AWS date (`YYYYMMDDTHHMMSSZ`).
    #[error("invalid date: {reason}")]
    InvalidDate {
        /// What is wrong with it.
        reason: Cow<'static, str>,
    },
    /// The HTTP method is not a valid token.
    #[error("invalid HTTP method: {reason}")]
    InvalidMethod {
        /// What is wrong with it.
        reason: Cow<'static, str>,
    },
    /// The host (with optional port) is empty or contains characters a host cannot have.
    #[error("invalid host: {reason}")]
    InvalidHost {
        /// What is wrong with it.
        reason: Cow<'static, str>,
    },
    /// A header name or value cannot be signed (bad characters, reserved by the signer…).
    #[error("invalid header {name:?}: {reason}")]
    InvalidHeader {
        /// The header name (values are never echoed: they may be secret, e.g. SSE-C keys).
        name: String,
        /// What is wrong with it.
        reason: Cow<'static, str>,
    },
    /// A query parameter cannot be signed (for example it would overwrite an `X-Amz-*` one).
    #[error("invalid query parameter {name:?}: {reason}")]
    InvalidQuery {
        /// The parameter name.
        name: String,
        /// What is wrong with it.
        reason: Cow<'static, str>,
    },
    /// The signing scope (region or service) is malformed or unknown.
    #[error("invalid region {region:?}: {reason}")]
    InvalidRegion {
        /// The region as given.
        region: String,
        /// What is wrong with it.
        reason: Cow<'static, str>,
    },
    /// The service name of the signing scope is malformed.
    #[error("invalid service {service:?}: {reason}")]
    InvalidService {
        /// The service as given.
        service: String,
        /// What is wrong with it.
        reason: Cow<'static, str>,
    },
    /// The bucket name breaks S3's naming rules or cannot be used with the chosen addressing.
    #[error("invalid bucket {bucket:?}: {reason}")]
    InvalidBucket {
        /// The bucket name as given.
        bucket: String,
        /// What is wrong with it.
        reason: Cow<'static, str>,
    },
    /// The object key is empty, too long, or would address something other than an object.
    #[error("invalid object key: {reason}")]
    InvalidKey {
        /// What is wrong with it.
        reason: Cow<'static, str>,
    },
    /// The storage class is unknown, or not offered by the provider.
    #[error("invalid storage class {value:?}: {reason}")]
    InvalidStorageClass {
        /// The storage class as given.
        value: String,
        /// What is wrong with it.
        reason: Cow<'static, str>,
    },
    /// The endpoint (scheme, host, port, addressing options) is malformed or not served.
    #[error("invalid endpoint: {reason}")]
    InvalidEndpoint {
        /// What is wrong with it.
        reason: Cow<'static, str>,
    },
    /// The server-side encryption settings are malformed.
    #[error("invalid encryption: {reason}")]
    InvalidEncryption {
        /// What is wrong with it (never the key material).
        reason: Cow<'static, str>,
    },
    /// A typed request option is malformed (content length, metadata, checksum, tagging…).
    #[error("invalid option {option}: {reason}")]
    InvalidOption {
        /// The option's name.
        option: &'static str,
        /// What is wrong with it.
        reason: Cow<'static, str>,
    },
    /// The provider does not support what was asked (e.g. presigned POST on R2).
    #[error("{provider} does not support {what}")]
    Unsupported {
        /// The provider's name.
        provider: &'static str,
        /// What it does not support.
        what: Cow<'static, str>,
    },
    /// The CloudFront or CDN domain is not a bare host name.
    #[error("invalid CloudFront domain: {reason}")]
    InvalidCloudFrontDomain {
        /// What is wrong with it.
        reason: Cow<'static, str>,
    },
    /// A presigned URL or its parts could not be parsed.
    #[error("invalid URL: {reason}")]
    InvalidUrl {
        /// What is wrong with it.
        reason: Cow<'static, str>,
    },
    /// The object is below the multipart threshold (the provider's minimum part size).
    #[error("an object of {size} bytes is too small for a multipart upload (minimum {minimum} bytes)")]
    FileTooSmall {
        /// The object size asked for, in bytes.
        size: u64,
        /// The smallest object a multipart upload is planned for, in bytes.
        minimum: u64,
    },
    /// A requested part size breaks the provider's limits for this object.
    #[error("invalid part size: {reason}")]
    InvalidPartSize {
        /// What is wrong with it.
        reason: Cow<'static, str>,
    },
    /// The object is larger than the provider stores.
    #[error("an object of {size} bytes exceeds the provider's maximum of {maximum} bytes")]
    ObjectTooLarge {
        /// The object size asked for, in bytes.
        size: u64,
        /// The largest object the provider accepts, in bytes.
        maximum: u64,
    },
    /// S3 (or an S3-compatible server) answered with an error document.
    #[error("S3 answered {status} {code}: {message}")]
    S3 {
        /// The HTTP status (200 when CompleteMultipartUpload failed after sending `200 OK`).
        status: u16,
        /// S3's error code, such as `NoSuchUpload` or `SignatureDoesNotMatch`.
        code: String,
        /// S3's message.
        message: String,
        /// S3's request id, for the provider's support.
        request_id: Option<String>,
    },
    /// The server's answer is not the S3 document expected.
    #[error("invalid response: {reason}")]
    InvalidResponse {
        /// What is wrong with it.
        reason: Cow<'static, str>,
    },
    /// A part list cannot complete a multipart upload (empty, out of order, bad ETag…).
    #[error("invalid part list: {reason}")]
    InvalidPart {
        /// What is wrong with it.
        reason: Cow<'static, str>,
    },
    /// The request could not be sent or its answer not read (connection, TLS, timeout).
    #[error("transport error: {reason}")]
    Transport {
        /// What went wrong; URLs in it have their query string (signature, token) removed.
        reason: String,
    },
}

impl Error {
    /// The stable, machine-readable code of this error (`INVALID_EXPIRY`, …).
    ///
    /// Codes never change between releases; match on them in API responses and logs.
    pub fn code(&self) -> &'static str {
        match self {
            Error::InvalidCredentials { .. } => "INVALID_CREDENTIALS",
            Error::MissingCredentials { .. } => "MISSING_CREDENTIALS",
            Error::CredentialsExpired { .. } => "CREDENTIALS_EXPIRED",
            Error::ExpiryExceedsCredentials { .. } => "EXPIRY_EXCEEDS_CREDENTIALS",
            Error::InvalidExpiry { .. } => "INVALID_EXPIRY",
            Error::InvalidDate { .. } => "INVALID_DATE",
            Error::InvalidMethod { .. } => "INVALID_METHOD",
            Error::InvalidHost { .. } => "INVALID_HOST",
            Error::InvalidHeader { .. } => "INVALID_HEADER",
            Error::InvalidQuery { .. } => "INVALID_QUERY",
            Error::InvalidRegion { .. } => "INVALID_REGION",
            Error::InvalidService { .. } => "INVALID_SERVICE",
            Error::InvalidUrl { .. } => "INVALID_URL",
            Error::InvalidBucket { .. } => "INVALID_BUCKET",
            Error::InvalidKey { .. } => "INVALID_KEY",
            Error::InvalidStorageClass { .. } => "INVALID_STORAGE_CLASS",
            Error::InvalidEndpoint { .. } => "INVALID_ENDPOINT",
            Error::InvalidEncryption { .. } => "INVALID_ENCRYPTION",
            Error::InvalidOption { .. } => "INVALID_OPTION",
            Error::Unsupported { .. } => "UNSUPPORTED_BY_PROVIDER",
            Error::InvalidCloudFrontDomain { .. } => "INVALID_CLOUDFRONT_DOMAIN",
            Error::FileTooSmall { .. } => "FILE_TOO_SMALL",
            Error::InvalidPartSize { .. } => "INVALID_PART_SIZE",
            Error::ObjectTooLarge { .. } => "OBJECT_TOO_LARGE",
            Error::S3 { .. } => "S3_ERROR",
            Error::InvalidResponse { .. } => "INVALID_RESPONSE",
            Error::InvalidPart { .. } => "INVALID_PART",
            Error::Transport { .. } => "TRANSPORT_ERROR",
        }
    }

    /// A one-line suggestion of what to change.
    pub fn hint(&self) -> &'static str {
        match self {
            Error::InvalidCredentials { .. } => {
                "check the access key id, secret and session token: non-empty, no whitespace or control characters"
            }
            Error::MissingCredentials { .. } => {
                "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary credentials)"
            }
            Error::CredentialsExpired { .. } => "refresh the temporary credentials before signing",
            Error::ExpiryExceedsCredentials { .. } => {
                "shorten the expiry, refresh the credentials, or opt in to clamping the expiry to the credentials' lifetime"
            }
            Error::InvalidExpiry { .. } => "use a whole number of seconds from 1 to 604800 (seven days)",
            Error::InvalidDate { .. } => "use a UTC time between years 0000 and 9999, written YYYYMMDDTHHMMSSZ",
            Error::InvalidMethod { .. } => "use an HTTP method such as GET, PUT, HEAD, DELETE or POST",
            Error::InvalidHost { .. } => {
                "give a host name or IP address with an optional :port, without scheme, path or credentials"
            }
            Error::InvalidHeader { .. } => {
                "header names are tokens (letters, digits, !#$%&'*+-.^_`|~); values have no control characters; the signer sets host, x-amz-date, x-amz-content-sha256 and x-amz-security-token itself"
            }
            Error::InvalidQuery { .. } => {
                "the X-Amz-* authentication parameters are added by the signer; do not pass them yourself"
            }
            Error::InvalidRegion { .. } => {
                "use an AWS region code such as us-east-1; S3-compatible providers take a custom region (letters, digits, '-', '_', '.')"
            }
            Error::InvalidService { .. } => "use a service name such as s3 (letters, digits and '-')",
            Error::InvalidUrl { .. } => "pass the presigned URL exactly as it was produced",
            Error::InvalidBucket { .. } => {
                "bucket names are 3-63 lowercase letters, digits, '.' and '-', starting and ending with a letter or digit; dotted names need path-style addressing over HTTPS"
            }
            Error::InvalidKey { .. } => {
                "object keys are 1-1024 bytes of UTF-8 without NUL and without '.' or '..' path segments, which URL parsers and servers rewrite"
            }
            Error::InvalidStorageClass { .. } => {
                "use one of the S3 storage classes the provider supports, e.g. STANDARD or STANDARD_IA"
            }
            Error::InvalidEndpoint { .. } => {
                "give scheme://host[:port] without path, query or credentials, and only addressing options the provider serves"
            }
            Error::InvalidEncryption { .. } => {
                "SSE-C keys are 32 bytes (base64 in the API); KMS encryption contexts are JSON objects of strings"
            }
            Error::InvalidOption { .. } => "check the option's documented format",
            Error::Unsupported { .. } => "choose another option or another provider",
            Error::InvalidCloudFrontDomain { .. } => {
                "give a bare host such as d111111abcdef8.cloudfront.net or cdn.example.com: no scheme, path, port or credentials"
            }
            Error::FileTooSmall { .. } => "use a single presigned PUT for objects under 5 MiB",
            Error::InvalidPartSize { .. } => {
                "use parts from 5 MiB to the provider's largest part (AWS 5 GiB, R2 5 GiB - 5 MiB), large enough for at most 10,000 parts, or let the plan choose"
            }
            Error::ObjectTooLarge { .. } => {
                "objects are limited to 10,000 x 5 GiB (48.8 TiB) on AWS and 5 TiB - 5 GiB (4.995 TiB) on R2; split the data into several objects"
            }
            Error::S3 { .. } => "see the S3 error code: the provider's documentation of it says what to change",
            Error::InvalidResponse { .. } => {
                "check that the endpoint is an S3-compatible service and that nothing between rewrites its answers"
            }
            Error::InvalidPart { .. } => {
                "list every uploaded part once, in ascending part-number order (1 to 10000), with the ETag its upload returned"
            }
            Error::Transport { .. } => "check the endpoint, the network and TLS; the request may be sent again",
        }
    }
}

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
