//! The multipart plan against the providers' published limits (s3-spec.md §5 and §12):
//! worked examples computed by hand from the rule, and properties over object sizes
//! from 5 MiB to each provider's maximum, drawn log-uniformly so that huge sizes are as
//! well covered as small ones, plus the exact sizes where the part size steps up.

use presign::Error;
use presign::multipart::{MultipartPlan, Part};
use presign::s3::limits::Limits;
use proptest::prelude::*;
use serde_json::json;

const MIB: u64 = 1024 * 1024;
const GIB: u64 = 1024 * MIB;
const TIB: u64 = 1024 * GIB;

/// A provider's limits as the spec states them, written out independently of
/// `src/s3/limits.rs` so that the tests also check those constants.
#[derive(Debug, Clone, Copy)]
struct Spec {
    limits: Limits,
    min_part: u64,
    max_part: u64,
    max_parts: u64,
    max_object: u64,
}

/// AWS S3 (qfacts page): 10,000 parts of 5 MiB to 5 GiB, objects up to 10,000 × 5 GiB.
const AWS: Spec =
    Spec { limits: Limits::AWS, min_part: 5 * MIB, max_part: 5 * GIB, max_parts: 10_000, max_object: 10_000 * 5 * GIB };

/// Cloudflare R2 (platform limits): parts up to 5 GiB − 5 MiB, objects up to 5 TiB − 5 GiB.
const R2: Spec = Spec {
    limits: Limits::R2,
    min_part: 5 * MIB,
    max_part: 5 * GIB - 5 * MIB,
    max_parts: 10_000,
    max_object: 5 * TIB - 5 * GIB,
};

fn provider() -> impl Strategy<Value = Spec> {
    prop_oneof![Just(AWS), Just(R2)]
}

// ---------------------------------------------------------------------------------------------
// Checking a plan
// ---------------------------------------------------------------------------------------------

/// Walks every part: numbered 1.., contiguous from 0 to the object size, each non-empty,
/// all but the last exactly the part size, the last no larger; and random access, the
/// reverse order and the reported length agree with the walk.
fn check_parts(plan: &MultipartPlan, spec: &Spec) {
    let count = plan.part_count();
    assert!(count >= 1 && u64::from(count) <= spec.max_parts, "{plan:?}");
    assert!(plan.part_size() >= spec.min_part && plan.part_size() <= spec.max_part, "{plan:?}");
    assert_eq!(plan.parts().len(), count as usize);
    let mut end = 0;
    for (index, part) in plan.parts().enumerate() {
        assert_eq!(part.number as usize, index + 1);
        assert_eq!(part.offset, end, "{plan:?} {part:?}");
        assert!(part.size > 0 && part.size <= plan.part_size(), "{plan:?} {part:?}");
        if part.number < count {
            assert_eq!(part.size, plan.part_size(), "{plan:?} {part:?}");
        }
        end += part.size;
    }
    assert_eq!(end, plan.object_size(), "{plan:?}");
    check_access(plan);
}

/// `part(n)`, `last_part_size`, `rev` and `nth` against the definition of the last part.
fn check_access(plan: &MultipartPlan) {
    let count = plan.part_count();
    let last = plan.part(count).expect("the last part exists");
    assert_eq!(last.range().end, plan.object_size());
    assert_eq!(last.size, plan.last_part_size());
    assert_eq!(plan.parts().next_back(), Some(last));
    assert_eq!(plan.parts().nth(count as usize - 1), Some(last));
    assert_eq!(plan.part(1), plan.parts().next());
    assert_eq!(plan.part(0), None);
    assert_eq!(plan.part(count + 1), None);
    assert_eq!(plan.parts().nth(count as usize), None);
}

/// The chosen part size is a whole MiB and one MiB less would be below the minimum or
/// need more parts than allowed.
fn check_minimal(plan: &MultipartPlan, spec: &Spec) {
    let size = plan.part_size();
    assert_eq!(size % MIB, 0, "{plan:?}");
    let smaller = size - MIB;
    assert!(smaller < spec.min_part || plan.object_size().div_ceil(smaller) > spec.max_parts, "{plan:?}");
}

/// Whether the spec admits uploading `object` bytes in parts of `part` bytes.
fn spec_accepts(spec: &Spec, object: u64, part: u64) -> bool {
    (spec.min_part..=spec.max_object).contains(&object)
        && (spec.min_part..=spec.max_part).contains(&part)
        && object.div_ceil(part) <= spec.max_parts
}

/// The error code the spec calls for, checked in the documented order: the object first.
fn expected_rejection(spec: &Spec, object: u64) -> &'static str {
    if object < spec.min_part {
        "FILE_TOO_SMALL"
    } else if object > spec.max_object {
        "OBJECT_TOO_LARGE"
    } else {
        "INVALID_PART_SIZE"
    }
}

fn sizes(plan: &MultipartPlan) -> Vec<u64> {
    plan.parts().map(|part| part.size).collect()
}

// ---------------------------------------------------------------------------------------------
// Strategies
// ---------------------------------------------------------------------------------------------

/// Sizes in `low..=high`, log-uniform.
fn log_uniform(low: u64, high: u64) -> impl Strategy<Value = u64> {
    let (from, to) = ((low.max(1) as f64).ln(), (high as f64).ln());
    (0.0..=1.0f64).prop_map(move |t| ((from + t * (to - from)).exp() as u64).clamp(low, high))
}

/// Object sizes within the spec's range: log-uniform, the ends, and the sizes around each
/// point where the part size steps up (`k` MiB × max parts, ± 1 byte).
fn object_size(spec: Spec) -> impl Strategy<Value = u64> {
    let (low, high) = (spec.min_part, spec.max_object);
    let step = MIB * spec.max_parts;
    let steps =
        (1..=high / step, -1i64..=1).prop_map(move |(k, d)| (k * step).saturating_add_signed(d).clamp(low, high));
    prop_oneof![
        4 => log_uniform(low, high),
        1 => prop::sample::select(vec![low, low + 1, high - 1, high]),
        2 => steps,
    ]
}

/// Requested part sizes: log-uniform from 1 byte to twice the largest part, the limits' own
/// edges, and the edges of "few enough parts" for this object.
fn requested_part_size(spec: Spec, object: u64) -> impl Strategy<Value = u64> {
    let fewest = object.div_ceil(spec.max_parts);
    let edges =
        vec![0, 1, spec.min_part - 1, spec.min_part, spec.max_part, spec.max_part + 1, fewest - 1, fewest, fewest + 1];
    prop_oneof![log_uniform(1, 2 * spec.max_part), prop::sample::select(edges)]
}

// ---------------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------------

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn plans_cover_the_object_with_the_smallest_whole_mib_parts(
        (spec, size) in provider().prop_flat_map(|spec| (Just(spec), object_size(spec)))
    ) {
        let plan = MultipartPlan::new(size, &spec.limits).unwrap();
        prop_assert_eq!(plan.object_size(), size);
        check_parts(&plan, &spec);
        check_minimal(&plan, &spec);
        // Asking for the chosen part size gives the same plan.
        prop_assert_eq!(MultipartPlan::with_part_size(size, plan.part_size(), &spec.limits), Ok(plan));
    }

    #[test]
    fn requested_part_sizes_are_accepted_iff_the_spec_allows_them(
        (spec, object, part) in provider()
            .prop_flat_map(|spec| (Just(spec), object_size(spec)))
            .prop_flat_map(|(spec, object)| (Just(spec), Just(object), requested_part_size(spec, object)))
    ) {
        match MultipartPlan::with_part_size(object, part, &spec.limits) {
            Ok(plan) => {
                prop_assert!(spec_accepts(&spec, object, part), "accepted {} in parts of {}", object, part);
                prop_assert_eq!(plan.part_size(), part);
                check_parts(&plan, &spec);
            }
            Err(err) => {
                prop_assert!(!spec_accepts(&spec, object, part), "rejected {} in parts of {}: {}", object, part, err);
                prop_assert_eq!(err.code(), expected_rejection(&spec, object));
            }
        }
    }

    #[test]
    fn objects_below_five_mib_are_too_small(spec in provider(), size in 0..5 * MIB, part in any::<u64>()) {
        let expected = Error::FileTooSmall { size, minimum: 5 * MIB };
        prop_assert_eq!(MultipartPlan::new(size, &spec.limits), Err(expected.clone()));
        prop_assert_eq!(MultipartPlan::with_part_size(size, part, &spec.limits), Err(expected));
    }

    #[test]
    fn objects_above_the_maximum_are_too_large(
        (spec, size) in provider().prop_flat_map(|spec| {
            let edges = prop::sample::select(vec![spec.max_object + 1, u64::MAX - 1, u64::MAX]);
            (Just(spec), prop_oneof![log_uniform(spec.max_object + 1, u64::MAX), edges])
        }),
        part in any::<u64>(),
    ) {
        let expected = Error::ObjectTooLarge { size, maximum: spec.max_object };
        prop_assert_eq!(MultipartPlan::new(size, &spec.limits), Err(expected.clone()));
        prop_assert_eq!(MultipartPlan::with_part_size(size, part, &spec.limits), Err(expected));
    }

    /// Hand-written limits (fields are public) may be nonsensical: the planner still never
    /// panics, and whatever it accepts respects them.
    #[test]
    fn arbitrary_limits_never_panic(
        size in any::<u64>(),
        part in any::<u64>(),
        max_object_size in any::<u64>(),
        min_part_size in prop_oneof![any::<u64>(), 0..=10 * MIB],
        max_part_size in prop_oneof![any::<u64>(), 0..=10 * MIB],
        max_parts in any::<u32>(),
    ) {
        let limits = Limits { max_object_size, max_single_put: 0, min_part_size, max_part_size, max_parts, equal_parts: true };
        for plan in [MultipartPlan::new(size, &limits), MultipartPlan::with_part_size(size, part, &limits)].into_iter().flatten() {
            prop_assert!(plan.object_size() <= max_object_size && plan.object_size() >= min_part_size.max(1));
            prop_assert!(plan.part_size() >= min_part_size && plan.part_size() <= max_part_size);
            prop_assert!(plan.part_count() >= 1 && plan.part_count() <= max_parts);
            check_access(&plan);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Worked examples
// ---------------------------------------------------------------------------------------------

#[test]
fn limits_match_the_spec() {
    for spec in [AWS, R2] {
        assert_eq!(spec.limits.min_part_size, spec.min_part);
        assert_eq!(spec.limits.max_part_size, spec.max_part);
        assert_eq!(u64::from(spec.limits.max_parts), spec.max_parts);
        assert_eq!(spec.limits.max_object_size, spec.max_object);
    }
}

#[test]
fn twelve_mib_is_two_five_mib_parts_and_two_mib() {
    let plan = MultipartPlan::new(12 * MIB, &Limits::AWS).unwrap();
    let parts: Vec<Part> = plan.parts().collect();
    let expected = [(1, 0, 5 * MIB), (2, 5 * MIB, 5 * MIB), (3, 10 * MIB, 2 * MIB)];
    let actual: Vec<_> = parts.iter().map(|p| (p.number, p.offset, p.size)).collect();
    assert_eq!(actual, expected);
    assert_eq!(parts[2].range(), 10 * MIB..12 * MIB);
    // RFC 9110 ranges name the first and last byte, both included.
    assert_eq!(parts[2].range_header(), "bytes=10485760-12582911");
    assert_eq!(plan.parts().rev().map(|p| p.number).collect::<Vec<_>>(), [3, 2, 1]);
}

#[test]
fn exactly_five_mib_is_one_part_and_one_byte_more_is_two() {
    for limits in [Limits::AWS, Limits::R2] {
        let plan = MultipartPlan::new(5 * MIB, &limits).unwrap();
        assert_eq!((plan.part_size(), plan.part_count()), (5 * MIB, 1));
        assert_eq!(sizes(&MultipartPlan::new(5 * MIB + 1, &limits).unwrap()), [5 * MIB, 1]);
    }
}

#[test]
fn one_hundred_gb_takes_ten_mib_parts() {
    // ceil(100e9 / 10,000) = 10,000,000 bytes = 9.54 MiB -> 10 MiB; ceil(100e9 / 10 MiB) = 9537
    // parts; the last holds 100e9 - 9536 × 10,485,760 = 7,792,640 bytes.
    let plan = MultipartPlan::new(100_000_000_000, &Limits::AWS).unwrap();
    assert_eq!((plan.part_size(), plan.part_count(), plan.last_part_size()), (10 * MIB, 9537, 7_792_640));
}

#[test]
fn fixed_five_mib_parts_end_at_ten_thousand_parts() {
    // The seed plan's fixed 5 MiB parts fit 52,428,800,000 bytes at most; one byte more
    // needs the next whole MiB.
    let edge = 10_000 * 5 * MIB;
    assert_eq!(MultipartPlan::new(edge, &Limits::AWS).unwrap().part_count(), 10_000);
    let above = MultipartPlan::new(edge + 1, &Limits::AWS).unwrap();
    assert_eq!((above.part_size(), above.part_count()), (6 * MIB, 8334));
    assert!(MultipartPlan::with_part_size(edge + 1, 5 * MIB, &Limits::AWS).is_err());
}

#[test]
fn five_tib_on_aws_takes_525_mib_parts() {
    // 5 TiB = 5,242,880 MiB; / 10,000 = 524.288 MiB -> 525 MiB; ceil(5,242,880 / 525) = 9987
    // parts; the last holds 5,242,880 - 9986 × 525 = 230 MiB.
    let plan = MultipartPlan::new(5 * TIB, &Limits::AWS).unwrap();
    assert_eq!((plan.part_size(), plan.part_count(), plan.last_part_size()), (525 * MIB, 9987, 230 * MIB));
}

#[test]
fn aws_maximum_is_ten_thousand_five_gib_parts() {
    let max = 10_000 * 5 * GIB;
    let plan = MultipartPlan::new(max, &Limits::AWS).unwrap();
    assert_eq!((plan.part_size(), plan.part_count(), plan.last_part_size()), (5 * GIB, 10_000, 5 * GIB));
    assert_eq!(MultipartPlan::new(max + 1, &Limits::AWS), Err(Error::ObjectTooLarge { size: max + 1, maximum: max }));
}

#[test]
fn r2_maximum_takes_524_mib_parts() {
    // 5 TiB - 5 GiB = 5,237,760 MiB; / 10,000 = 523.776 MiB -> 524 MiB; ceil(5,237,760 / 524)
    // = 9996 parts; the last holds 5,237,760 - 9995 × 524 = 380 MiB (smaller, as R2 wants).
    let max = 5 * TIB - 5 * GIB;
    let plan = MultipartPlan::new(max, &Limits::R2).unwrap();
    assert_eq!((plan.part_size(), plan.part_count(), plan.last_part_size()), (524 * MIB, 9996, 380 * MIB));
    assert_eq!(MultipartPlan::new(max + 1, &Limits::R2).unwrap_err().code(), "OBJECT_TOO_LARGE");
    // The largest R2 parts cover it in 1024 parts: 5115 MiB × 1024 = 5,237,760 MiB.
    let largest = MultipartPlan::with_part_size(max, 5 * GIB - 5 * MIB, &Limits::R2).unwrap();
    assert_eq!((largest.part_count(), largest.last_part_size()), (1024, 5 * GIB - 5 * MIB));
}

#[test]
fn five_gib_parts_are_too_large_on_r2_only() {
    let object = 20 * GIB;
    assert_eq!(MultipartPlan::with_part_size(object, 5 * GIB, &Limits::AWS).unwrap().part_count(), 4);
    assert_eq!(MultipartPlan::with_part_size(object, 5 * GIB, &Limits::R2).unwrap_err().code(), "INVALID_PART_SIZE");
}

#[test]
fn requested_part_sizes_need_not_be_whole_mib() {
    let plan = MultipartPlan::with_part_size(12 * MIB, 5 * MIB + 1, &Limits::R2).unwrap();
    assert_eq!(sizes(&plan), [5 * MIB + 1, 5 * MIB + 1, 2 * MIB - 2]);
    // Larger than the object: one part holding the whole object.
    let single = MultipartPlan::with_part_size(6 * MIB, 100 * MIB, &Limits::AWS).unwrap();
    assert_eq!(sizes(&single), [6 * MIB]);
}

#[test]
fn errors_carry_codes_and_hints() {
    let small = MultipartPlan::new(0, &Limits::AWS).unwrap_err();
    assert_eq!(small, Error::FileTooSmall { size: 0, minimum: 5 * MIB });
    assert_eq!(small.code(), "FILE_TOO_SMALL");
    assert!(small.hint().contains("single presigned PUT"), "{}", small.hint());
    let zero = MultipartPlan::with_part_size(10 * MIB, 0, &Limits::AWS).unwrap_err();
    assert_eq!(zero.code(), "INVALID_PART_SIZE");
    assert!(zero.to_string().contains("below the minimum"), "{zero}");
    let huge = MultipartPlan::new(u64::MAX, &Limits::R2).unwrap_err();
    assert_eq!(huge.code(), "OBJECT_TOO_LARGE");
    for err in [small, zero, huge] {
        assert!(!err.hint().is_empty());
    }
}

#[test]
fn iterator_skips_and_stays_exhausted() {
    let plan = MultipartPlan::new(100_000_000_000, &Limits::AWS).unwrap();
    let mut parts = plan.parts();
    assert_eq!(parts.nth(4999).map(|p| p.number), Some(5000));
    assert_eq!(parts.len(), 4537);
    assert_eq!(parts.next_back().map(|p| p.number), Some(9537));
    assert_eq!(parts.nth(10_000), None);
    assert_eq!((parts.next(), parts.next_back(), parts.len()), (None, None, 0));
}

#[test]
fn serializes_in_camel_case_with_optional_parts() {
    let plan = MultipartPlan::new(12 * MIB, &Limits::R2).unwrap();
    let summary = json!({"objectSize": 12_582_912, "partSize": 5_242_880, "partCount": 3});
    assert_eq!(serde_json::to_value(plan).unwrap(), summary);
    let mut detailed = summary;
    detailed["parts"] = json!([
        {"partNumber": 1, "offset": 0, "size": 5_242_880},
        {"partNumber": 2, "offset": 5_242_880, "size": 5_242_880},
        {"partNumber": 3, "offset": 10_485_760, "size": 2_097_152},
    ]);
    assert_eq!(serde_json::to_value(plan.with_parts()).unwrap(), detailed);
}
