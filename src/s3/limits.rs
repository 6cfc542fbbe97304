//! Size limits of a provider, shared by single PUTs and multipart planning.

/// What one provider accepts for object and part sizes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Limits {
    /// Largest object, in bytes.
    pub max_object_size: u64,
    /// Largest single PUT, in bytes.
    pub max_single_put: u64,
    /// Smallest part of a multipart upload (the last part may be smaller), in bytes.
    pub min_part_size: u64,
    /// Largest part, in bytes.
    pub max_part_size: u64,
    /// Most parts in one upload (part numbers run from 1 to this).
    pub max_parts: u32,
    /// Whether every part but the last must have the same size (R2).
    pub equal_parts: bool,
}

const MIB: u64 = 1024 * 1024;
const GIB: u64 = 1024 * MIB;

impl Limits {
    /// AWS S3 (qfacts page, s3-spec.md §5): 10,000 parts of 5 MiB–5 GiB, objects up to
    /// 10,000 × 5 GiB (the "48.8 TiB" of the English page), single PUT up to 5 GiB.
    pub const AWS: Limits = Limits {
        max_object_size: 10_000 * 5 * GIB,
        max_single_put: 5 * GIB,
        min_part_size: 5 * MIB,
        max_part_size: 5 * GIB,
        max_parts: 10_000,
        equal_parts: false,
    };

    /// Cloudflare R2 (platform limits, s3-spec.md §5/§12): parts and single uploads up to
    /// 5 GiB − 5 MiB, objects up to 5 TiB − 5 GiB, equal-size parts but the last.
    pub const R2: Limits = Limits {
        max_object_size: 5 * 1024 * GIB - 5 * GIB,
        max_single_put: 5 * GIB - 5 * MIB,
        min_part_size: 5 * MIB,
        max_part_size: 5 * GIB - 5 * MIB,
        max_parts: 10_000,
        equal_parts: true,
    };

    /// S3-compatible servers (MinIO, SeaweedFS, Garage…): the AWS limits, the contract they
    /// implement. Servers configured tighter reject at upload time.
    pub const S3_COMPATIBLE: Limits = Limits::AWS;
}
