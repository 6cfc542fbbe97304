//! Typed S3: regions, buckets, object keys, storage classes, endpoints and the presign builder.

pub mod bucket;
pub mod key;
pub mod limits;
pub mod region;
pub mod storage_class;
