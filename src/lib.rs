//! presign
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod credentials;
pub mod error;
pub mod s3;
pub mod sigv4;

pub use credentials::Credentials;
pub use error::{Error, Result};
