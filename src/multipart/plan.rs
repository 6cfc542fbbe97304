//! How to split one object into the parts of a multipart upload.
//!
//! A [`MultipartPlan`] is three numbers (object size, part size, part count); every [`Part`]
//! is computed on demand from them, so planning a 48.8 TiB upload allocates nothing and
//! iterating its 10,000 parts allocates nothing either.

use std::borrow::Cow;
use std::iter::FusedIterator;
use std::ops::Range;

use serde::Serialize;
use serde::ser::{SerializeStruct, Serializer};

use crate::s3::limits::Limits;
use crate::{Error, Result};

/// One mebibyte: the planner only chooses whole-MiB part sizes, so that part boundaries are
/// easy to read in logs and match what SDKs and people pick.
const MIB: u64 = 1024 * 1024;

/// The parts of one multipart upload: all of [`part_size`](Self::part_size) bytes except
/// the last, which is smaller or equal and never empty.
///
/// This satisfies both AWS S3 (parts of 5 MiB–5 GiB, the last any size) and Cloudflare R2
/// (all parts but the last the same size, the last no larger than the others).
///
/// Serializes (serde) as `{"objectSize", "partSize", "partCount"}`; use
/// [`with_parts`](Self::with_parts) to add the list of parts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MultipartPlan {
    object_size: u64,
    part_size: u64,
    part_count: u32,
}

impl MultipartPlan {
    /// Plans the upload of `object_size` bytes with the smallest whole-MiB part size that
    /// is at least the provider's minimum part size (5 MiB) and keeps the number of parts
    /// within its maximum (10,000).
    ///
    /// An object of exactly 5 MiB gets one part: the threshold is on objects *below* 5 MiB,
    /// and a one-part multipart upload is legal on S3 and R2.
    ///
    /// # Errors
    /// [`Error::FileTooSmall`] below the minimum part size (use a single PUT instead),
    /// [`Error::ObjectTooLarge`] above the provider's maximum object size, and
    /// [`Error::InvalidPartSize`] if hand-written `limits` allow no whole-MiB part size.
    pub fn new(object_size: u64, limits: &Limits) -> Result<Self> {
        check_object_size(object_size, limits)?;
        let (smallest, largest) = whole_mib_part_bounds(limits)?;
        let max_parts = u64::from(limits.max_parts);
        // ceil(size / p) <= max_parts  <=>  p >= ceil(size / max_parts), so the smallest
        // fitting whole-MiB size is that quotient rounded up to a MiB.
        let needed = round_up_to_mib(object_size.div_ceil(max_parts));
        match needed {
            Some(size) if size <= largest => Ok(Self::build(object_size, size.max(smallest))),
            // Only reachable with hand-written limits whose maximum object size exceeds
            // max_parts × the largest whole-MiB part (not AWS, not R2).
            _ => Err(Error::ObjectTooLarge { size: object_size, maximum: largest.saturating_mul(max_parts) }),
        }
    }

    /// Plans the upload of `object_size` bytes in parts of `part_size` bytes chosen by the
    /// caller. Any byte count is accepted (not only whole MiB) if it lies within the
    /// provider's part sizes and gives at most its maximum number of parts; it may exceed
    /// the object size (one part).
    ///
    /// # Errors
    /// [`Error::FileTooSmall`] and [`Error::ObjectTooLarge`] as for [`new`](Self::new),
    /// then [`Error::InvalidPartSize`] if the part size is outside the provider's range or
    /// would need too many parts.
    pub fn with_part_size(object_size: u64, part_size: u64, limits: &Limits) -> Result<Self> {
        check_object_size(object_size, limits)?;
        let minimum = limits.min_part_size.max(1);
        if part_size < minimum {
            return Err(invalid_part_size(format!(
                "{part_size} bytes is below the minimum part size of {minimum} bytes"
            )));
        }
        if part_size > limits.max_part_size {
            return Err(invalid_part_size(format!(
                "{part_size} bytes is above the maximum part size of {} bytes",
                limits.max_part_size
            )));
        }
        let count = object_size.div_ceil(part_size);
        if count > u64::from(limits.max_parts) {
            return Err(invalid_part_size(format!(
                "parts of {part_size} bytes split {object_size} bytes into {count} parts, more than the {} allowed",
                limits.max_parts
            )));
        }
        Ok(Self::build(object_size, part_size))
    }

    /// The plan for sizes already checked: `part_size > 0` and the count fits `u32`.
    fn build(object_size: u64, part_size: u64) -> Self {
        let count = object_size.div_ceil(part_size);
        // Callers checked count <= max_parts (a u32); saturating only guards that invariant.
        let part_count = u32::try_from(count).unwrap_or(u32::MAX);
        Self { object_size, part_size, part_count }
    }

    /// The size of the whole object, in bytes.
    pub fn object_size(&self) -> u64 {
        self.object_size
    }

    /// The size of every part but the last, in bytes (the last may be smaller).
    pub fn part_size(&self) -> u64 {
        self.part_size
    }

    /// How many parts the upload has (at least 1).
    pub fn part_count(&self) -> u32 {
        self.part_count
    }

    /// The size of the last part, in bytes: from 1 to [`part_size`](Self::part_size).
    pub fn last_part_size(&self) -> u64 {
        self.object_size - self.last_offset()
    }

    /// Where the last part starts.
    fn last_offset(&self) -> u64 {
        u64::from(self.part_count - 1) * self.part_size
    }

    /// Part `number`, counted from 1 like S3 part numbers; `None` outside `1..=part_count`.
    pub fn part(&self, number: u32) -> Option<Part> {
        if number == 0 || number > self.part_count {
            return None;
        }
        // (number - 1) × part_size <= last_offset < object_size: no overflow.
        let offset = u64::from(number - 1) * self.part_size;
        let size = self.part_size.min(self.object_size - offset);
        Some(Part { number, offset, size })
    }

    /// All parts in order, computed one at a time.
    pub fn parts(&self) -> Parts {
        Parts { plan: *self, front: 1, remaining: self.part_count }
    }

    /// A view of this plan that also serializes its parts, as
    /// `{"objectSize", "partSize", "partCount", "parts": [{"partNumber", "offset", "size"}]}`.
    /// The parts are streamed to the serializer, not collected first.
    pub fn with_parts(&self) -> PlanWithParts<'_> {
        PlanWithParts { plan: self }
    }
}

/// Rejects objects the provider cannot take as a multipart upload.
fn check_object_size(object_size: u64, limits: &Limits) -> Result<()> {
    // An empty object never has parts, even under hand-written limits with a 0 minimum.
    let minimum = limits.min_part_size.max(1);
    if object_size < minimum {
        return Err(Error::FileTooSmall { size: object_size, minimum });
    }
    if object_size > limits.max_object_size {
        return Err(Error::ObjectTooLarge { size: object_size, maximum: limits.max_object_size });
    }
    Ok(())
}

/// The smallest and largest whole-MiB part sizes `limits` allow.
fn whole_mib_part_bounds(limits: &Limits) -> Result<(u64, u64)> {
    let largest = limits.max_part_size / MIB * MIB;
    match round_up_to_mib(limits.min_part_size.max(1)) {
        Some(smallest) if smallest <= largest && limits.max_parts > 0 => Ok((smallest, largest)),
        _ => Err(invalid_part_size("the provider limits allow no whole-MiB part size".into())),
    }
}

/// `bytes` rounded up to a whole MiB; `None` if that does not fit a `u64`.
fn round_up_to_mib(bytes: u64) -> Option<u64> {
    bytes.div_ceil(MIB).checked_mul(MIB)
}

fn invalid_part_size(reason: String) -> Error {
    Error::InvalidPartSize { reason: Cow::Owned(reason) }
}

/// One part of a [`MultipartPlan`]: its S3 part number and the bytes of the object it holds.
///
/// Only plans make parts, so a part is never empty and `offset + size` never overflows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[non_exhaustive]
pub struct Part {
    /// The S3 part number, from 1.
    #[serde(rename = "partNumber")]
    pub number: u32,
    /// Where the part starts in the object, in bytes.
    pub offset: u64,
    /// How many bytes it holds (at least 1).
    pub size: u64,
}

impl Part {
    /// The byte after the part's last byte.
    pub fn end(&self) -> u64 {
        self.offset + self.size
    }

    /// The part's bytes as a half-open range, for slicing a buffer or seeking a file.
    pub fn range(&self) -> Range<u64> {
        self.offset..self.end()
    }

    /// The part's bytes as an HTTP `Range` header value, `bytes=first-last` (inclusive
    /// ends, RFC 9110 §14.1.2), e.g. to download the object in parallel.
    pub fn range_header(&self) -> String {
        format!("bytes={}-{}", self.offset, self.end() - 1)
    }
}

/// The iterator returned by [`MultipartPlan::parts`]: exact length, double-ended, `O(1)`
/// skipping, no allocation.
#[derive(Debug, Clone)]
pub struct Parts {
    plan: MultipartPlan,
    /// The number of the next part from the front.
    front: u32,
    /// Parts not yet yielded from either end.
    remaining: u32,
}

impl Iterator for Parts {
    type Item = Part;

    fn next(&mut self) -> Option<Part> {
        if self.remaining == 0 {
            return None;
        }
        let part = self.plan.part(self.front);
        // Saturating: after the part numbered u32::MAX nothing remains anyway.
        self.front = self.front.saturating_add(1);
        self.remaining -= 1;
        part
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let len = self.remaining as usize;
        (len, Some(len))
    }

    fn nth(&mut self, n: usize) -> Option<Part> {
        match u32::try_from(n) {
            Ok(skip) if skip < self.remaining => {
                self.front += skip;
                self.remaining -= skip;
                self.next()
            }
            _ => {
                self.remaining = 0;
                None
            }
        }
    }
}

impl DoubleEndedIterator for Parts {
    fn next_back(&mut self) -> Option<Part> {
        if self.remaining == 0 {
            return None;
        }
        self.remaining -= 1;
        self.plan.part(self.front + self.remaining)
    }
}

impl ExactSizeIterator for Parts {}

impl FusedIterator for Parts {}

/// A [`MultipartPlan`] that serializes with its parts; see [`MultipartPlan::with_parts`].
#[derive(Debug, Clone, Copy)]
pub struct PlanWithParts<'a> {
    plan: &'a MultipartPlan,
}

impl Serialize for PlanWithParts<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        let mut out = serializer.serialize_struct("MultipartPlan", 4)?;
        out.serialize_field("objectSize", &self.plan.object_size)?;
        out.serialize_field("partSize", &self.plan.part_size)?;
        out.serialize_field("partCount", &self.plan.part_count)?;
        out.serialize_field("parts", &PartList(self.plan))?;
        out.end()
    }
}

/// Streams a plan's parts as a sequence.
struct PartList<'a>(&'a MultipartPlan);

impl Serialize for PartList<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.parts())
    }
}
