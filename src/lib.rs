//! Fast, typed, no-network S3 presigned requests (AWS SigV4) for AWS S3, Cloudflare R2, MinIO
//! and any S3-compatible store.
//!
//! A service builds a typed [`s3::PresignRequest`], signs it with a [`sigv4::Signer`], and
//! hands the resulting [`s3::PresignedRequest`] (URL, method, the exact headers to send,
//! expiry) to a browser or device, which then talks to S3 directly.
//!
//! ```
//! use presign::Credentials;
//! use presign::s3::{Bucket, ObjectKey, PresignRequest, Region};
//! use presign::sigv4::Signer;
//!
//! let signer = Signer::new(Credentials::new("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")?);
//! let bucket = Bucket::aws("my-bucket", Region::EuWest1)?;
//! let get = PresignRequest::get(&bucket, ObjectKey::new("photos/cat.jpg")?).sign(&signer)?;
//! assert!(get.url().starts_with("https://my-bucket.s3.eu-west-1.amazonaws.com/photos/cat.jpg?"));
//! # Ok::<(), presign::Error>(())
//! ```
//!
//! # Layers
//!
//! Imports only point down; each layer knows nothing of the ones above it.
//!
//! ```text
//! transport/   Transport trait + ReqwestTransport (feature `reqwest`)        (edge)
//! multipart/   plan, part URLs, XML bodies and parsers (feature `multipart`)
//! s3/          Region, Bucket/Endpoint/Provider, ObjectKey, StorageClass, Encryption,
//!              options, PresignRequest -> PresignedRequest
//! sigv4/       pure SigV4: canonical request, string to sign, signing key (+ cache),
//!              query presigning and Authorization header; no S3 types          (bottom)
//! credentials  Credentials (redacted, optional session token and expiry, from_env)
//! error        one Error enum with a stable code() and hint() per variant
//! ```
//!
//! `sigv4` passes the generic AWS test suite ([`sigv4::PathMode::Normalized`]) and signs S3
//! requests with S3's rules ([`sigv4::PathMode::S3`]): one canonical-request builder, one
//! setting.
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

/// The README's examples, compiled and run as doctests so it cannot drift from the API.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
