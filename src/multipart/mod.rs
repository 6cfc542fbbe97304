//! Multipart uploads: planning the parts of a large object.
//!
//! S3 takes large objects in up to 10,000 parts of 5 MiB to 5 GiB each (the last part may
//! be smaller); Cloudflare R2 also wants every part but the last to have the same size, and
//! caps parts at 5 GiB − 5 MiB and objects at 5 TiB − 5 GiB. A [`MultipartPlan`] picks the
//! smallest whole-MiB part size that fits the object into the provider's part count
//! ([`Limits`](crate::s3::limits::Limits)), so part sizes grow with the object: fixed 5 MiB
//! parts stop working above 50 GB.
//!
//! Objects below 5 MiB are answered with [`Error::FileTooSmall`](crate::Error::FileTooSmall)
//! (a single presigned PUT is the way to upload them); objects of exactly 5 MiB get one part.
//!
//! ```
//! use presign::multipart::MultipartPlan;
//! use presign::s3::limits::Limits;
//!
//! const MIB: u64 = 1024 * 1024;
//!
//! // 100 GB need parts of at least 10,000,000 bytes: the next whole MiB is 10 MiB.
//! let plan = MultipartPlan::new(100_000_000_000, &Limits::AWS)?;
//! assert_eq!(plan.part_size(), 10 * MIB);
//! assert_eq!(plan.part_count(), 9537);
//!
//! let second = plan.part(2).expect("the plan has a part 2");
//! assert_eq!(second.range(), 10 * MIB..20 * MIB);
//! assert_eq!(second.range_header(), "bytes=10485760-20971519");
//! assert_eq!(plan.parts().map(|part| part.size).sum::<u64>(), 100_000_000_000);
//!
//! // A caller-chosen part size is checked against the same limits.
//! assert!(MultipartPlan::with_part_size(100_000_000_000, 8 * MIB, &Limits::AWS).is_err());
//!
//! // Too small for multipart: use a single PUT.
//! let err = MultipartPlan::new(MIB, &Limits::R2).unwrap_err();
//! assert_eq!(err.code(), "FILE_TOO_SMALL");
//!
//! // The JSON the upload API returns (add `.with_parts()` to list the parts too).
//! let json = serde_json::to_string(&plan).unwrap();
//! assert_eq!(json, r#"{"objectSize":100000000000,"partSize":10485760,"partCount":9537}"#);
//! # Ok::<(), presign::Error>(())
//! ```

#[cfg(feature = "multipart")]
pub mod flow;
pub mod part_urls;
pub mod plan;
#[cfg(feature = "multipart")]
pub mod requests;
pub mod signed_parts;
#[cfg(feature = "multipart")]
pub mod xml;

#[cfg(feature = "multipart")]
pub use flow::MultipartUpload;
pub use part_urls::{PartUrls, PresignedPart};
pub use plan::{MultipartPlan, Part, Parts, PlanWithParts};
#[cfg(feature = "multipart")]
pub use requests::{
    AbortMultipartUpload, CompleteMultipartUpload, CreateMultipartUpload, ListMultipartUploads, ListParts,
};
pub use signed_parts::{SignedPart, SignedParts};
