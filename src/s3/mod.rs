//! Typed S3: regions, buckets, object keys, storage classes, endpoints and the presign builder.

pub mod bucket;
pub mod cdn;
pub mod encryption;
pub mod endpoint;
pub mod key;
pub mod limits;
pub mod options;
pub mod presigned;
pub mod region;
pub mod request;
pub mod required_headers;
pub mod storage_class;

pub use bucket::BucketName;
pub use cdn::{CdnDomain, public_url};
pub use encryption::{CustomerKey, Encryption, KmsContext, KmsKeyId};
pub use endpoint::{Addressing, Bucket, Endpoint, Provider, R2Jurisdiction};
pub use key::{ObjectKey, UploadKey};
pub use limits::Limits;
pub use options::{CannedAcl, Checksum, ChecksumAlgorithm, ContentMd5, Metadata, Tagging};
pub use presigned::PresignedRequest;
pub use region::{Partition, Region};
pub use request::{DEFAULT_EXPIRY, Method, PresignRequest};
pub use required_headers::RequiredHeaders;
pub use storage_class::StorageClass;
