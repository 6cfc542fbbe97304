//! presign
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod credentials;
pub mod error;
pub mod multipart;
pub mod s3;
pub mod sigv4;
pub mod transport;

pub use credentials::Credentials;
pub use error::{Error, Result};
