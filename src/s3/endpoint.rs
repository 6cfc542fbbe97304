//! Where a bucket lives and how to reach it: the [`Provider`], the [`Endpoint`] and the
//! [`Bucket`] that resolves both into everything signing needs.
//!
//! # Addressing and TLS
//!
//! A virtual-hosted URL puts the bucket in the host name (`<bucket>.s3.<region>.amazonaws.com`),
//! a path-style URL puts it in the path (`s3.<region>.amazonaws.com/<bucket>`). Over HTTPS the
//! provider's wildcard certificate (`*.s3.<region>.amazonaws.com`) covers exactly one DNS label,
//! so a bucket name with dots cannot be virtual-hosted: the TLS name check fails
//! (s3-spec §9, VirtualHosting page). AWS's SDKs silently fall back to path style; this crate
//! refuses instead ([`Error::InvalidBucket`]) and asks for [`Endpoint::path_style`], so a URL
//! never changes shape behind the caller's back and never fails TLS.
//!
//! ```
//! use presign::s3::endpoint::{Bucket, Endpoint};
//! use presign::s3::key::ObjectKey;
//! use presign::s3::region::Region;
//!
//! let bucket = Bucket::aws("my-uploads", Region::EuWest1)?;
//! assert_eq!(bucket.host(), "my-uploads.s3.eu-west-1.amazonaws.com");
//!
//! let key = ObjectKey::new("photos/summer 2024.jpg")?;
//! assert_eq!(bucket.object_path(&key), "/photos/summer 2024.jpg");
//! assert_eq!(bucket.object_url(&key), "https://my-uploads.s3.eu-west-1.amazonaws.com/photos/summer%202024.jpg");
//!
//! assert_eq!(Bucket::aws("logs.example.com", Region::EuWest1).unwrap_err().code(), "INVALID_BUCKET");
//! # Ok::<(), presign::Error>(())
//! ```

use std::borrow::Cow;
use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};
use std::sync::Arc;

use crate::error::{Error, Result};
use crate::s3::bucket::BucketName;
use crate::s3::key::ObjectKey;
use crate::s3::limits::Limits;
use crate::s3::region::{Partition, Region};
use crate::s3::storage_class::StorageClass;
use crate::sigv4::{SigningConfig, encode_path};

#[cfg(test)]
mod tests;

/// Who runs the S3 API: what it accepts is not the same everywhere.
///
/// The capability methods let features refuse, before signing, what the provider would
/// reject after the upload. For [`Provider::Custom`] (MinIO, SeaweedFS, Garage…) they all say
/// yes: each server decides for itself, and this crate cannot know its configuration.
///
/// ```
/// use presign::s3::endpoint::Provider;
/// use presign::s3::storage_class::StorageClass;
///
/// assert!(Provider::R2.supports_storage_class(StorageClass::StandardIa));
/// assert!(!Provider::R2.supports_storage_class(StorageClass::Glacier));
/// assert!(!Provider::R2.supports_presigned_post());
/// assert_eq!(Provider::R2.limits().max_part_size, 5 * 1024 * 1024 * 1024 - 5 * 1024 * 1024);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Provider {
    /// Amazon S3.
    Aws,
    /// Cloudflare R2.
    R2,
    /// Any other S3-compatible server, reached through [`Endpoint::custom`].
    Custom,
}

impl Provider {
    /// A human-readable name, as used in [`Error::Unsupported`] messages.
    pub fn name(self) -> &'static str {
        match self {
            Provider::Aws => "Amazon S3",
            Provider::R2 => "Cloudflare R2",
            Provider::Custom => "the S3-compatible server",
        }
    }

    /// Object and part size limits (s3-spec §5 and §12).
    pub fn limits(self) -> Limits {
        match self {
            Provider::Aws => Limits::AWS,
            Provider::R2 => Limits::R2,
            Provider::Custom => Limits::S3_COMPATIBLE,
        }
    }

    /// Whether the provider accepts `class` in `x-amz-storage-class`. R2 takes only
    /// `STANDARD` and `STANDARD_IA` (s3-spec §7, §12).
    pub fn supports_storage_class(self, class: StorageClass) -> bool {
        match self {
            Provider::R2 => matches!(class, StorageClass::Standard | StorageClass::StandardIa),
            Provider::Aws | Provider::Custom => true,
        }
    }

    /// Whether browser uploads with a presigned POST policy work. R2: "POST, which performs
    /// uploads via native HTML forms, is not currently supported" (s3-spec §11).
    pub fn supports_presigned_post(self) -> bool {
        self != Provider::R2
    }

    /// Whether SSE-S3 (`x-amz-server-side-encryption: AES256`) is accepted. R2 does not
    /// implement the SSE-S3/KMS headers (s3-spec §12).
    pub fn supports_sse_s3(self) -> bool {
        self != Provider::R2
    }

    /// Whether SSE-KMS (`aws:kms`, key id, context, bucket key) is accepted; not on R2
    /// (s3-spec §12).
    pub fn supports_sse_kms(self) -> bool {
        self != Provider::R2
    }

    /// Whether SSE-C (customer-provided keys) is accepted: everywhere, R2 included
    /// (s3-spec §12 lists all three SSE-C headers as implemented).
    pub fn supports_sse_c(self) -> bool {
        true
    }

    /// Whether `x-amz-tagging` on uploads is accepted; not on R2 (s3-spec §12).
    pub fn supports_tagging(self) -> bool {
        self != Provider::R2
    }

    /// Whether ACL headers (`x-amz-acl`, `x-amz-grant-*`) are accepted; not on R2 (s3-spec §12).
    pub fn supports_acl(self) -> bool {
        self != Provider::R2
    }

    /// The [`Error::Unsupported`] that says this provider cannot do `what`.
    ///
    /// ```
    /// use presign::s3::endpoint::Provider;
    /// let err = Provider::R2.unsupported("presigned POST");
    /// assert_eq!(err.to_string(), "Cloudflare R2 does not support presigned POST");
    /// ```
    pub fn unsupported(self, what: impl Into<Cow<'static, str>>) -> Error {
        Error::Unsupported { provider: self.name(), what: what.into() }
    }
}

impl fmt::Display for Provider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Where the bucket name goes in a URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Addressing {
    /// In the host: `https://<bucket>.<endpoint host>/<key>`.
    VirtualHosted,
    /// In the path: `https://<endpoint host>/<bucket>/<key>`.
    Path,
}

/// An R2 jurisdiction: buckets created in one are reached only through its own endpoint,
/// `<account>.<jurisdiction>.r2.cloudflarestorage.com` (s3-spec §9).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum R2Jurisdiction {
    /// The European Union (`eu`).
    Eu,
    /// FedRAMP (`fedramp`).
    Fedramp,
    /// The United States (`us`, added 2026-08-17).
    Us,
}

impl R2Jurisdiction {
    /// The label in the endpoint host (`eu`, `fedramp`, `us`).
    pub fn as_str(self) -> &'static str {
        match self {
            R2Jurisdiction::Eu => "eu",
            R2Jurisdiction::Fedramp => "fedramp",
            R2Jurisdiction::Us => "us",
        }
    }
}

/// How to reach a provider's S3 API, before a bucket is chosen.
///
/// Build one with [`Endpoint::aws`], [`Endpoint::r2`] or [`Endpoint::custom`], then choose
/// options. Options never fail on their own; a combination the provider does not serve
/// (FIPS in a region without FIPS endpoints, acceleration with path style, dual-stack on R2…)
/// is refused with [`Error::InvalidEndpoint`] by [`Endpoint::validate`], which
/// [`Bucket::new`] runs.
///
/// ```
/// use presign::s3::endpoint::{Bucket, Endpoint, R2Jurisdiction};
/// use presign::s3::region::Region;
///
/// let fips = Bucket::new("data".parse()?, Endpoint::aws(Region::UsGovWest1).fips().dualstack())?;
/// assert_eq!(fips.host(), "data.s3-fips.dualstack.us-gov-west-1.amazonaws.com");
///
/// let r2 = Endpoint::r2("023e105f4ecef8ad9ca31a8372d0c353")?.jurisdiction(R2Jurisdiction::Eu).path_style();
/// let bucket = Bucket::new("media".parse()?, r2)?;
/// assert_eq!(bucket.host(), "023e105f4ecef8ad9ca31a8372d0c353.eu.r2.cloudflarestorage.com");
/// assert_eq!(bucket.signing_config().region(), "auto");
///
/// let minio = Endpoint::custom("http://127.0.0.1:9000", Region::UsEast1)?;
/// assert_eq!(Bucket::new("test".parse()?, minio)?.host(), "127.0.0.1:9000");
///
/// assert!(Endpoint::aws(Region::CnNorth1).fips().validate().is_err());
/// # Ok::<(), presign::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Endpoint {
    target: Target,
    region: Region,
    addressing: Addressing,
    dualstack: bool,
    fips: bool,
    accelerate: bool,
    jurisdiction: Option<R2Jurisdiction>,
}

/// The provider-specific part of an endpoint.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Target {
    Aws,
    R2 { account_id: Box<str> },
    Custom(Origin),
}

/// A parsed `scheme://host[:port]`, normalised to what HTTP clients send.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Origin {
    https: bool,
    /// Lowercase host (IPv6 in brackets, RFC 5952 form) plus `:port` unless it is the
    /// scheme's default: exactly the `Host` header a client sends for this URL.
    host: Box<str>,
    /// Whether the host is an IP address, which cannot get a bucket label in front of it.
    ip_literal: bool,
}

/// R2's signing region: "Region is `auto`" (s3-spec §9).
const R2_REGION: &str = "auto";

/// Length of a Cloudflare account id in hex digits.
const R2_ACCOUNT_ID_LEN: usize = 32;

/// Longest DNS name and label (RFC 1035 §2.3.4).
pub(crate) const MAX_DNS_NAME: usize = 253;
pub(crate) const MAX_DNS_LABEL: usize = 63;

impl Endpoint {
    /// Amazon S3 in `region`, virtual-hosted over HTTPS:
    /// `<bucket>.s3.<region>.<partition DNS suffix>` (s3-spec §9). `region` must be an AWS
    /// region; a custom one is refused by [`Endpoint::validate`].
    pub fn aws(region: Region) -> Endpoint {
        Endpoint::with(Target::Aws, region, Addressing::VirtualHosted)
    }

    /// Cloudflare R2 for an account, virtual-hosted over HTTPS:
    /// `<bucket>.<account_id>.r2.cloudflarestorage.com`, signing region `auto` (s3-spec §9,
    /// §12).
    ///
    /// `account_id` is the Cloudflare account id: 32 hexadecimal digits. Cloudflare's docs only
    /// say to copy it from the dashboard; its API schema declares account identifiers as
    /// strings of at most 32 characters, and every id it shows is 32 lowercase hex digits
    /// (e.g. `023e105f4ecef8ad9ca31a8372d0c353`). Uppercase digits are accepted and lowered,
    /// since host names are case-insensitive and HTTP clients send them lowercase.
    ///
    /// ```
    /// use presign::s3::endpoint::Endpoint;
    /// assert!(Endpoint::r2("023E105F4ECEF8AD9CA31A8372D0C353").is_ok());
    /// assert!(Endpoint::r2("https://023e105f4ecef8ad9ca31a8372d0c353.r2.cloudflarestorage.com").is_err());
    /// ```
    pub fn r2(account_id: &str) -> Result<Endpoint> {
        let is_hex = account_id.len() == R2_ACCOUNT_ID_LEN && account_id.bytes().all(|b| b.is_ascii_hexdigit());
        if !is_hex {
            return Err(invalid(
                "a Cloudflare account id is 32 hexadecimal digits (copy it from the dashboard; not the endpoint URL)",
            ));
        }
        let target = Target::R2 { account_id: account_id.to_ascii_lowercase().into() };
        Ok(Endpoint::with(target, Region::custom(R2_REGION)?, Addressing::VirtualHosted))
    }

    /// An S3-compatible server (MinIO, SeaweedFS, Garage…) at `url`, path-style by default,
    /// signing for `region` (whatever the server is configured with; MinIO's default is
    /// `us-east-1`).
    ///
    /// `url` is `http://` or `https://`, then a host name, an IPv4 address or a bracketed
    /// IPv6 address, then optionally `:port` (1–65535), then nothing or `/`. Credentials
    /// (`user@`), other paths, queries, fragments, whitespace and IPv6 zone ids are refused,
    /// as are numeric hosts that are not plain dotted-quad IPv4 (`010.0.0.1` and `0x7f.1` mean
    /// other addresses to URL parsers). The host is normalised the way HTTP clients write the
    /// `Host` header: lowercase, IPv6 compressed, and the scheme's default port (`:443`,
    /// `:80`) dropped.
    ///
    /// ```
    /// use presign::s3::endpoint::{Bucket, Endpoint};
    /// use presign::s3::region::Region;
    ///
    /// let garage = Endpoint::custom("HTTPS://S3.Garage.Example:443/", Region::custom("garage")?)?;
    /// assert_eq!(Bucket::new("photos".parse()?, garage)?.host(), "s3.garage.example");
    ///
    /// for bad in ["localhost:9000", "ftp://host", "https://key:secret@host", "https://host/bucket", "http://[::1"] {
    ///     assert_eq!(Endpoint::custom(bad, Region::UsEast1).unwrap_err().code(), "INVALID_ENDPOINT", "{bad}");
    /// }
    /// # Ok::<(), presign::Error>(())
    /// ```
    pub fn custom(url: &str, region: Region) -> Result<Endpoint> {
        Ok(Endpoint::with(Target::Custom(parse_origin(url)?), region, Addressing::Path))
    }

    fn with(target: Target, region: Region, addressing: Addressing) -> Endpoint {
        Endpoint { target, region, addressing, dualstack: false, fips: false, accelerate: false, jurisdiction: None }
    }

    /// Puts the bucket in the path. Needed for bucket names with dots over HTTPS and for
    /// legacy names; the default of [`Endpoint::custom`].
    pub fn path_style(mut self) -> Endpoint {
        self.addressing = Addressing::Path;
        self
    }

    /// Puts the bucket in the host name. The default for AWS and R2; with
    /// [`Endpoint::custom`], the server must be configured for it (MinIO's `MINIO_DOMAIN`).
    pub fn virtual_hosted(mut self) -> Endpoint {
        self.addressing = Addressing::VirtualHosted;
        self
    }

    /// AWS only: the dual-stack (IPv4 and IPv6) host `s3.dualstack.<region>.<suffix>`.
    pub fn dualstack(mut self) -> Endpoint {
        self.dualstack = true;
        self
    }

    /// AWS only: the FIPS host `s3-fips.<region>.amazonaws.com`, which exists only in
    /// us-east-1, us-east-2, us-west-1, us-west-2, ca-central-1, ca-west-1 and the two GovCloud
    /// regions (s3-spec §9).
    pub fn fips(mut self) -> Endpoint {
        self.fips = true;
        self
    }

    /// AWS only: S3 Transfer Acceleration, `<bucket>.s3-accelerate.amazonaws.com`. The
    /// signing region stays the bucket's. Refused in China, GovCloud and the European
    /// Sovereign Cloud, with FIPS and with path style; the bucket name must have no dots
    /// (s3-spec §9).
    pub fn accelerate(mut self) -> Endpoint {
        self.accelerate = true;
        self
    }

    /// R2 only: the jurisdiction the bucket was created in.
    pub fn jurisdiction(mut self, jurisdiction: R2Jurisdiction) -> Endpoint {
        self.jurisdiction = Some(jurisdiction);
        self
    }

    /// The provider behind the endpoint.
    pub fn provider(&self) -> Provider {
        match self.target {
            Target::Aws => Provider::Aws,
            Target::R2 { .. } => Provider::R2,
            Target::Custom(_) => Provider::Custom,
        }
    }

    /// The signing region (`auto` for R2).
    pub fn region(&self) -> &Region {
        &self.region
    }

    /// Where the bucket name goes.
    pub fn addressing(&self) -> Addressing {
        self.addressing
    }

    /// `https`, or `http` for a custom endpoint given as such.
    pub fn scheme(&self) -> &'static str {
        match &self.target {
            Target::Custom(Origin { https: false, .. }) => "http",
            _ => "https",
        }
    }

    /// Refuses option combinations the provider does not serve (s3-spec §9).
    ///
    /// ```
    /// use presign::s3::endpoint::Endpoint;
    /// use presign::s3::region::Region;
    /// assert!(Endpoint::aws(Region::UsEast1).fips().dualstack().validate().is_ok());
    /// assert!(Endpoint::aws(Region::EuWest1).fips().validate().is_err());
    /// assert!(Endpoint::aws(Region::UsEast1).accelerate().path_style().validate().is_err());
    /// assert!(Endpoint::aws(Region::custom("auto")?).validate().is_err());
    /// # Ok::<(), presign::Error>(())
    /// ```
    pub fn validate(&self) -> Result<()> {
        match &self.target {
            Target::Aws => self.check_aws(),
            Target::R2 { .. } => self.check_no_aws_options(),
            Target::Custom(origin) => {
                self.check_no_aws_options()?;
                if self.jurisdiction.is_some() {
                    return Err(invalid("a jurisdiction is an R2 option; use Endpoint::r2"));
                }
                if self.addressing == Addressing::VirtualHosted && origin.ip_literal {
                    return Err(invalid(
                        "virtual-hosted addressing needs a host name to put the bucket in front of, not an IP address; use path style",
                    ));
                }
                Ok(())
            }
        }
    }

    fn check_aws(&self) -> Result<()> {
        let Some(partition) = self.region.partition() else {
            return Err(invalid(
                "Endpoint::aws needs an AWS region; for an S3-compatible server use Endpoint::custom with its region",
            ));
        };
        if self.jurisdiction.is_some() {
            return Err(invalid("a jurisdiction is an R2 option; AWS regions are chosen with the Region"));
        }
        if self.fips && !self.region.has_s3_fips() {
            return Err(invalid(match partition {
                Partition::AwsCn => "the China partition does not support FIPS".into(),
                _ => format!(
                    "S3 has no FIPS endpoint in {}; FIPS endpoints exist in us-east-1, us-east-2, us-west-1, us-west-2, ca-central-1, ca-west-1, us-gov-east-1 and us-gov-west-1",
                    self.region
                ),
            }));
        }
        if self.accelerate { self.check_accelerate(partition) } else { Ok(()) }
    }

    fn check_accelerate(&self, partition: Partition) -> Result<()> {
        match partition {
            Partition::Aws => {}
            Partition::AwsCn => return Err(invalid("S3 Transfer Acceleration cannot be used in the China regions")),
            Partition::AwsUsGov => {
                return Err(invalid("S3 Transfer Acceleration is not available in the AWS GovCloud (US) regions"));
            }
            Partition::AwsEusc => {
                return Err(invalid("S3 Transfer Acceleration has no endpoint in the European Sovereign Cloud"));
            }
        }
        if self.fips {
            return Err(invalid("S3 Transfer Acceleration cannot be combined with FIPS"));
        }
        if self.addressing == Addressing::Path {
            return Err(invalid("S3 Transfer Acceleration works only virtual-hosted; remove .path_style()"));
        }
        Ok(())
    }

    fn check_no_aws_options(&self) -> Result<()> {
        let option = [(self.dualstack, "dual-stack"), (self.fips, "FIPS"), (self.accelerate, "Transfer Acceleration")]
            .into_iter()
            .find_map(|(on, name)| on.then_some(name));
        match option {
            Some(name) => Err(invalid(format!(
                "{name} is an Amazon S3 endpoint option; {} has no such endpoint",
                self.provider().name()
            ))),
            None => Ok(()),
        }
    }

    /// The host without the bucket; the endpoint must be valid.
    fn service_host(&self) -> String {
        match &self.target {
            Target::Aws => self.aws_host(),
            Target::R2 { account_id } => match self.jurisdiction {
                Some(jurisdiction) => format!("{account_id}.{}.r2.cloudflarestorage.com", jurisdiction.as_str()),
                None => format!("{account_id}.r2.cloudflarestorage.com"),
            },
            Target::Custom(origin) => origin.host.to_string(),
        }
    }

    /// `s3[-fips|-accelerate][.dualstack][.<region>].<suffix>` (s3-spec §9): the accelerate
    /// host carries no region, and exists only in the `aws` partition (`amazonaws.com`).
    fn aws_host(&self) -> String {
        let suffix = self.region.partition().map_or("amazonaws.com", Partition::dns_suffix);
        let service = match (self.accelerate, self.fips) {
            (true, _) => "s3-accelerate",
            (false, true) => "s3-fips",
            (false, false) => "s3",
        };
        let dualstack = if self.dualstack { ".dualstack" } else { "" };
        if self.accelerate {
            format!("{service}{dualstack}.{suffix}")
        } else {
            format!("{service}{dualstack}.{}.{suffix}", self.region)
        }
    }
}

/// A bucket on an endpoint, resolved once into the host, paths and signing configuration
/// every request needs.
///
/// Cheap to clone (one reference count); the accessors return precomputed strings.
///
/// ```
/// use presign::s3::endpoint::{Bucket, Endpoint, Provider};
/// use presign::s3::key::ObjectKey;
/// use presign::s3::region::Region;
///
/// let dotted = Bucket::new("logs.example.com".parse()?, Endpoint::aws(Region::UsWest2).path_style())?;
/// assert_eq!(dotted.host(), "s3.us-west-2.amazonaws.com");
/// assert_eq!(dotted.bucket_path(), "/logs.example.com");
/// assert_eq!(dotted.object_path(&ObjectKey::new("2024/app.log")?), "/logs.example.com/2024/app.log");
///
/// let r2 = Bucket::r2("023e105f4ecef8ad9ca31a8372d0c353", "media")?;
/// assert_eq!(r2.host(), "media.023e105f4ecef8ad9ca31a8372d0c353.r2.cloudflarestorage.com");
/// assert_eq!((r2.provider(), r2.region().code()), (Provider::R2, "auto"));
///
/// let minio = Bucket::custom("http://localhost:9000", Region::UsEast1, "test")?;
/// assert_eq!(minio.object_url(&ObjectKey::new("a+b.txt")?), "http://localhost:9000/test/a%2Bb.txt");
/// # Ok::<(), presign::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Bucket(Arc<Resolved>);

#[derive(Debug, PartialEq, Eq, Hash)]
struct Resolved {
    name: BucketName,
    endpoint: Endpoint,
    signing: SigningConfig,
    /// The `Host` header value.
    host: Box<str>,
    /// `scheme://host`, what a URL starts with.
    origin: Box<str>,
    /// What comes before the key in the raw path: `/` or `/<bucket>/`.
    key_prefix: Box<str>,
}

impl Bucket {
    /// Resolves `name` on `endpoint`.
    ///
    /// Fails with [`Error::InvalidEndpoint`] when [`Endpoint::validate`] does, and with
    /// [`Error::InvalidBucket`] when the name cannot be virtual-hosted: a name with dots over
    /// HTTPS (the TLS certificate would not match), a legacy name (not a DNS label), or, with
    /// Transfer Acceleration, any name with dots. The message says to choose
    /// [`Endpoint::path_style`].
    pub fn new(name: BucketName, endpoint: Endpoint) -> Result<Bucket> {
        endpoint.validate()?;
        if endpoint.addressing == Addressing::VirtualHosted {
            check_virtual_hostable(&name, &endpoint)?;
        }
        let service_host = endpoint.service_host();
        let (host, key_prefix) = match endpoint.addressing {
            Addressing::VirtualHosted => (format!("{name}.{service_host}"), "/".to_string()),
            Addressing::Path => (service_host, format!("/{name}/")),
        };
        let signing = SigningConfig::s3(endpoint.region.code())?;
        let origin = format!("{}://{host}", endpoint.scheme());
        Ok(Bucket(Arc::new(Resolved {
            name,
            endpoint,
            signing,
            host: host.into(),
            origin: origin.into(),
            key_prefix: key_prefix.into(),
        })))
    }

    /// Bucket `name` on Amazon S3 in `region`, virtual-hosted. For a name with dots use
    /// [`Bucket::new`] with [`Endpoint::path_style`].
    pub fn aws(name: &str, region: Region) -> Result<Bucket> {
        Bucket::new(BucketName::new(name)?, Endpoint::aws(region))
    }

    /// Bucket `name` on Cloudflare R2 in account `account_id`, virtual-hosted (see
    /// [`Endpoint::r2`]).
    pub fn r2(account_id: &str, name: &str) -> Result<Bucket> {
        Bucket::new(BucketName::new(name)?, Endpoint::r2(account_id)?)
    }

    /// Bucket `name` on the S3-compatible server at `url`, path-style (see
    /// [`Endpoint::custom`]).
    pub fn custom(url: &str, region: Region, name: &str) -> Result<Bucket> {
        Bucket::new(BucketName::new(name)?, Endpoint::custom(url, region)?)
    }

    /// The bucket name.
    pub fn name(&self) -> &BucketName {
        &self.0.name
    }

    /// The endpoint it was resolved on.
    pub fn endpoint(&self) -> &Endpoint {
        &self.0.endpoint
    }

    /// The provider.
    pub fn provider(&self) -> Provider {
        self.0.endpoint.provider()
    }

    /// The signing region (`auto` for R2; the bucket's region with Transfer Acceleration).
    pub fn region(&self) -> &Region {
        &self.0.endpoint.region
    }

    /// The provider's size limits.
    pub fn limits(&self) -> Limits {
        self.provider().limits()
    }

    /// The S3 signing configuration for the bucket's region.
    pub fn signing_config(&self) -> &SigningConfig {
        &self.0.signing
    }

    /// `https` or `http`.
    pub fn scheme(&self) -> &'static str {
        self.0.endpoint.scheme()
    }

    /// The `Host` header value: host name plus `:port` when it is not the scheme's default.
    pub fn host(&self) -> &str {
        &self.0.host
    }

    /// `scheme://host`: put a signed `path_and_query` after it to get the URL.
    pub fn origin(&self) -> &str {
        &self.0.origin
    }

    /// The raw (unencoded) path of the bucket itself, for bucket-level requests such as
    /// listing multipart uploads: `/` virtual-hosted, `/<bucket>` path-style.
    pub fn bucket_path(&self) -> &str {
        let prefix = &self.0.key_prefix;
        if prefix.len() > 1 { &prefix[..prefix.len() - 1] } else { prefix }
    }

    /// The raw (unencoded) path of an object, as the SigV4 layer signs it in
    /// [`PathMode::S3`](crate::sigv4::PathMode::S3): `/<key>` virtual-hosted,
    /// `/<bucket>/<key>` path-style.
    pub fn object_path(&self, key: &ObjectKey) -> String {
        let mut path = String::with_capacity(self.0.key_prefix.len() + key.as_str().len());
        path.push_str(&self.0.key_prefix);
        path.push_str(key.as_str());
        path
    }

    /// The object's unsigned URL, its path percent-encoded as S3 expects (every byte but
    /// `A-Z a-z 0-9 - . _ ~ /`). It works without a signature only if the object is publicly
    /// readable.
    pub fn object_url(&self, key: &ObjectKey) -> String {
        let mut url = String::with_capacity(self.0.origin.len() + self.0.key_prefix.len() + key.as_str().len() + 16);
        url.push_str(&self.0.origin);
        encode_path(&mut url, &self.0.key_prefix);
        encode_path(&mut url, key.as_str());
        url
    }
}

/// Refuses names that cannot be the first label of an HTTPS host (s3-spec §9, §10).
fn check_virtual_hostable(name: &BucketName, endpoint: &Endpoint) -> Result<()> {
    let refuse = |reason: &'static str| Err(Error::InvalidBucket { bucket: name.to_string(), reason: reason.into() });
    if endpoint.accelerate && !name.supports_transfer_acceleration() {
        return refuse(
            "S3 Transfer Acceleration serves only DNS-compliant bucket names without dots; drop .accelerate() and choose .path_style()",
        );
    }
    if !name.is_virtual_hostable() {
        return refuse(
            "a legacy bucket name is not a valid DNS label, so it cannot be virtual-hosted; choose path-style addressing with .path_style()",
        );
    }
    if name.has_dots() && endpoint.scheme() == "https" {
        return refuse(
            "a bucket name with dots cannot be virtual-hosted over HTTPS: the endpoint's wildcard TLS certificate covers one DNS label, so the name check would fail; choose path-style addressing with .path_style()",
        );
    }
    Ok(())
}

fn invalid(reason: impl Into<Cow<'static, str>>) -> Error {
    Error::InvalidEndpoint { reason: reason.into() }
}

/// Parses `scheme://host[:port][/]` strictly. Error messages never echo the URL: it could
/// carry credentials.
fn parse_origin(url: &str) -> Result<Origin> {
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(invalid("the endpoint URL contains whitespace or control characters"));
    }
    let Some((scheme, rest)) = url.split_once("://") else {
        return Err(invalid("the endpoint URL needs a scheme: http://host[:port] or https://host[:port]"));
    };
    let https = match scheme.to_ascii_lowercase().as_str() {
        "https" => true,
        "http" => false,
        _ => return Err(invalid("the endpoint URL's scheme must be http or https")),
    };
    let authority = authority_of(rest)?;
    let (host, port) = split_port(authority)?;
    let (host, ip_literal) = parse_host(host)?;
    let default_port = if https { 443 } else { 80 };
    let host = match port {
        Some(port) if port != default_port => format!("{host}:{port}"),
        _ => host,
    };
    Ok(Origin { https, host: host.into(), ip_literal })
}

/// The authority of `rest` (what follows `://`), refusing anything after it but `/`.
fn authority_of(rest: &str) -> Result<&str> {
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    if tail.contains('?') {
        return Err(invalid("the endpoint URL cannot have a query"));
    }
    if tail.contains('#') {
        return Err(invalid("the endpoint URL cannot have a fragment"));
    }
    if !tail.is_empty() && tail != "/" {
        return Err(invalid(
            "the endpoint URL cannot have a path: give scheme://host[:port] and put the bucket in the Bucket",
        ));
    }
    if authority.contains('@') {
        return Err(invalid("the endpoint URL cannot carry credentials (user@ or user:password@)"));
    }
    if authority.is_empty() {
        return Err(invalid("the endpoint URL has no host"));
    }
    Ok(authority)
}

/// Splits `host[:port]` / `[v6][:port]`, checking the port.
fn split_port(authority: &str) -> Result<(&str, Option<u16>)> {
    let (host, port) = if authority.starts_with('[') {
        let end = authority.find(']').ok_or_else(|| invalid("an IPv6 host is missing its closing ']'"))?;
        let (host, after) = authority.split_at(end + 1);
        match after {
            "" => (host, None),
            _ => (host, Some(after.strip_prefix(':').ok_or_else(|| invalid("only :port may follow an IPv6 host"))?)),
        }
    } else {
        match authority.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        }
    };
    let port = port.map(parse_port).transpose()?;
    Ok((host, port))
}

fn parse_port(port: &str) -> Result<u16> {
    let digits = !port.is_empty() && port.len() <= 5 && port.bytes().all(|b| b.is_ascii_digit());
    match port.parse::<u16>() {
        Ok(number) if digits && number > 0 => Ok(number),
        _ => Err(invalid("the port must be a number from 1 to 65535")),
    }
}

/// The host as a client writes it in `Host`, and whether it is an IP address.
fn parse_host(host: &str) -> Result<(String, bool)> {
    if let Some(inner) = host.strip_prefix('[') {
        let inner = inner.strip_suffix(']').unwrap_or(inner);
        let address: Ipv6Addr =
            inner.parse().map_err(|_| invalid("the IPv6 host is not a valid address (zone ids are not supported)"))?;
        if address.to_ipv4_mapped().is_some() {
            // Rust prints these as `::ffff:1.2.3.4`, URL parsers as `::ffff:102:304`: the
            // signed Host would differ from the sent one. The IPv4 address reaches the same host.
            return Err(invalid("use the IPv4 address itself rather than an IPv4-mapped IPv6 address"));
        }
        return Ok((format!("[{address}]"), true));
    }
    if host.is_empty() {
        return Err(invalid("the endpoint URL has no host"));
    }
    let host = host.to_ascii_lowercase();
    let last_label = host.rsplit('.').next().unwrap_or_default();
    let numeric = !last_label.is_empty() && last_label.bytes().all(|b| b.is_ascii_digit());
    if numeric || last_label.starts_with("0x") {
        // URL parsers read such hosts as IPv4 in decimal, octal or hex; only the canonical
        // dotted quad means the same to every client.
        return match host.parse::<Ipv4Addr>() {
            Ok(address) if address.to_string() == host => Ok((host, true)),
            _ => Err(invalid("a numeric host must be a dotted-quad IPv4 address such as 127.0.0.1")),
        };
    }
    check_host_name(&host)?;
    Ok((host, false))
}

/// RFC 1123 host name rules, plus `_`, which Docker Compose service names use and HTTP
/// clients accept.
fn check_host_name(host: &str) -> Result<()> {
    if !host.is_ascii() {
        return Err(invalid("the host must be ASCII: write an internationalised name in punycode (xn--…)"));
    }
    if host.len() > MAX_DNS_NAME {
        return Err(invalid("the host name is longer than 253 characters"));
    }
    for label in host.split('.') {
        if label.is_empty() || label.len() > MAX_DNS_LABEL {
            return Err(invalid("each dot-separated label of the host is 1 to 63 characters"));
        }
        if !label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') {
            return Err(invalid("the host name has only letters, digits, '-', '_' and '.'"));
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Err(invalid("host name labels cannot begin or end with '-'"));
        }
    }
    Ok(())
}
