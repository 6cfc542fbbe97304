//! Typed presigning and multipart part URLs. Targets: a presigned PUT with storage class,
//! SSE-KMS and content type within 1.5× of the plain presigned GET (benches/sigv4.rs);
//! 10,000 part URLs in ≤ 6 ms.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use presign::Credentials;
use presign::multipart::{MultipartPlan, PartUrls};
use presign::s3::{Bucket, DEFAULT_EXPIRY, Encryption, KmsContext, ObjectKey, PresignRequest, Region, StorageClass};
use presign::sigv4::{AmzDate, Request, Signer};
use time::macros::datetime;

#[path = "floor/mod.rs"]
mod floor;
use floor::Floor;

fn signer() -> Signer {
    Signer::new(Credentials::new("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY").expect("valid"))
}

fn typed(c: &mut Criterion) {
    let signer = signer();
    let now = datetime!(2024-05-24 12:00:00 UTC);
    let bucket = Bucket::aws("examplebucket", Region::UsEast1).expect("valid bucket");
    let key = ObjectKey::new("photos/2024/cat picture.jpg").expect("valid key");
    let kms = Encryption::kms("arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab")
        .and_then(|e| e.with_context(KmsContext::new([("project", "cats")])?))
        .expect("valid KMS settings");

    c.bench_function("typed GET", |b| {
        let get = PresignRequest::get(&bucket, key.clone());
        b.iter(|| black_box(get.sign_at(&signer, now).expect("signs")))
    });
    c.bench_function("typed PUT (storage class, SSE-KMS, content type)", |b| {
        let put = PresignRequest::put(&bucket, key.clone())
            .content_type("image/jpeg")
            .storage_class(StorageClass::StandardIa)
            .encryption(kms.clone());
        b.iter(|| black_box(put.sign_at(&signer, now).expect("signs")))
    });
    // The same PUT naming its KMS key but no encryption context: the usual SSE-KMS upload
    // under a customer managed key, three SHA-256 blocks between the two others.
    c.bench_function("typed PUT (storage class, SSE-KMS key id, content type)", |b| {
        let key_only = Encryption::kms("arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab")
            .expect("valid KMS key id");
        let put = PresignRequest::put(&bucket, key.clone())
            .content_type("image/jpeg")
            .storage_class(StorageClass::StandardIa)
            .encryption(key_only);
        b.iter(|| black_box(put.sign_at(&signer, now).expect("signs")))
    });
    // The same PUT with SSE-KMS under the bucket's default key: no key id or context headers,
    // five SHA-256 blocks fewer. Shows how much of the PUT's cost is hashing its headers.
    c.bench_function("typed PUT (storage class, SSE-KMS default key, content type)", |b| {
        let put = PresignRequest::put(&bucket, key.clone())
            .content_type("image/jpeg")
            .storage_class(StorageClass::StandardIa)
            .encryption(Encryption::kms_default());
        b.iter(|| black_box(put.sign_at(&signer, now).expect("signs")))
    });
    // This PUT's floor: its canonical request is about three times the GET's (headers, a long
    // X-Amz-SignedHeaders), so the hashing alone is about twice the GET's.
    let put = PresignRequest::put(&bucket, key.clone())
        .content_type("image/jpeg")
        .storage_class(StorageClass::StandardIa)
        .encryption(kms.clone())
        .sign_at(&signer, now)
        .expect("signs");
    let headers: Vec<(&str, &str)> = put.headers().iter().collect();
    let request = Request::new("PUT", bucket.host(), "/photos/2024/cat picture.jpg").headers(&headers);
    let explained = signer.explain_presign(&request, bucket.signing_config(), DEFAULT_EXPIRY, now).expect("signs");
    let key_for_floor = signer.signing_key(&AmzDate::new(now).expect("valid date"), bucket.signing_config());
    let floor = Floor::new(&explained, &key_for_floor);
    c.bench_function("typed PUT SHA-256 floor (canonical request + HMAC)", |b| b.iter(|| black_box(floor.whole())));
    c.bench_function("typed PUT SHA-256 floor, HMAC resumed within the second", |b| {
        b.iter(|| black_box(floor.per_second()))
    });
    c.bench_function("typed GET built and signed per request", |b| {
        b.iter(|| black_box(PresignRequest::get(&bucket, black_box(key.clone())).sign_at(&signer, now).expect("signs")))
    });
    c.bench_function("typed PUT built and signed per request", |b| {
        b.iter(|| {
            let put = PresignRequest::put(&bucket, black_box(key.clone()))
                .content_type("image/jpeg")
                .storage_class(StorageClass::StandardIa)
                .encryption(kms.clone());
            black_box(put.sign_at(&signer, now).expect("signs"))
        })
    });
}

fn multipart(c: &mut Criterion) {
    let signer = signer();
    let now = datetime!(2024-05-24 12:00:00 UTC);
    let bucket = Bucket::aws("examplebucket", Region::UsEast1).expect("valid bucket");
    let key = ObjectKey::new("backups/2024-05-24/full.tar").expect("valid key");
    let upload_id = "VXBsb2FkIElEIGZvciA2aWWpbmcncyBteS1tb3ZpZS5tMnRzIHVwbG9hZA";
    // 50,000 MiB at 5 MiB parts: exactly 10,000 parts.
    let plan = MultipartPlan::new(50_000 * 1024 * 1024, &bucket.limits()).expect("valid plan");
    assert_eq!(plan.part_count(), 10_000);
    let mut group = c.benchmark_group("multipart");
    group.sample_size(20);
    let plain = PartUrls::new(&bucket, &key, upload_id, &plan).expect("valid");
    let bound = plain.clone().bind_content_length();
    // One buffer for every URL (`sign_all_at`), and one owned `PresignedPart` per part.
    group.bench_function("10,000 part URLs (sign_all_at)", |b| {
        b.iter(|| black_box(plain.sign_all_at(&signer, now).expect("signs")))
    });
    group.bench_function("10,000 part URLs bound to Content-Length (sign_all_at)", |b| {
        b.iter(|| black_box(bound.sign_all_at(&signer, now).expect("signs")))
    });
    group.bench_function("10,000 part URLs (sign_at, owned parts)", |b| {
        b.iter(|| black_box(plain.sign_at(&signer, now).expect("signs")))
    });
    group.bench_function("10,000 part URLs bound to Content-Length (sign_at, owned parts)", |b| {
        b.iter(|| black_box(bound.sign_at(&signer, now).expect("signs")))
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().measurement_time(Duration::from_secs(3)).warm_up_time(Duration::from_secs(1));
    targets = typed, multipart
}
criterion_main!(benches);
