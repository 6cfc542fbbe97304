//! Signing speed: presigned GET with the cached key and with a fresh derivation, and
//! `Authorization` header signing. Target: ≤ 560 ns per cached presigned GET.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};

// The official signer, configured exactly as the differential tests configure it.
#[path = "floor/mod.rs"]
mod floor;
use floor::Floor;
#[path = "../tests/differential_support/mod.rs"]
mod differential_support;
use aws_sigv4::http_request::{SignableBody, SignatureLocation};
use differential_support::{Scope, TheirRequest, their_sign};
use presign::Credentials;
use presign::sigv4::{AmzDate, Request, Signer, SigningConfig, SigningKey};
use time::macros::datetime;

const HOST: &str = "examplebucket.s3.amazonaws.com";
const PATH: &str = "/photos/2024/cat picture.jpg";

fn signer() -> Signer {
    Signer::new(Credentials::new("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY").expect("valid"))
}

fn sigv4(c: &mut Criterion) {
    let signer = signer();
    let config = SigningConfig::s3("us-east-1").expect("valid region");
    let now = datetime!(2024-05-24 12:00:00 UTC);
    let hour = Duration::from_secs(3600);
    let request = Request::new("GET", HOST, PATH);

    // The floor: hashing this exact canonical request and string to sign, nothing else.
    let explained = signer.explain_presign(&request, &config, hour, now).expect("signs");
    let key = signer.signing_key(&AmzDate::new(now).expect("valid date"), &config);
    let floor = Floor::new(&explained, &key);
    c.bench_function("SHA-256 floor (canonical request + HMAC)", |b| b.iter(|| black_box(floor.whole())));
    c.bench_function("SHA-256 floor, HMAC resumed within the second", |b| b.iter(|| black_box(floor.per_second())));
    c.bench_function("presigned GET (cached key)", |b| {
        let mut url = String::with_capacity(512);
        b.iter(|| {
            url.clear();
            url.push_str("https://");
            url.push_str(HOST);
            signer.presign_into(black_box(&request), &config, hour, now, &mut url).expect("signs");
            black_box(&url);
        })
    });
    c.bench_function("presigned GET (a new second each call)", |b| {
        // Each call in a second of its own: the per-second state (the formatted date, the
        // string to sign's first HMAC block, the X-Amz-* head) is rebuilt every time, as for a
        // service that signs less than once a second.
        let mut url = String::with_capacity(512);
        let mut second = 0i64;
        b.iter(|| {
            // Within the same day (the bench signs at noon): the signing key stays cached.
            second = (second + 1) % 40_000;
            url.clear();
            url.push_str("https://");
            url.push_str(HOST);
            let at = now + time::Duration::seconds(second);
            signer.presign_into(black_box(&request), &config, hour, at, &mut url).expect("signs");
            black_box(&url);
        })
    });
    c.bench_function("presigned GET (owned result)", |b| {
        b.iter(|| black_box(signer.presign_at(black_box(&request), &config, hour, now).expect("signs")))
    });
    c.bench_function("signing key derivation", |b| {
        let date = AmzDate::new(now).expect("valid date");
        b.iter(|| {
            black_box(SigningKey::derive(
                black_box("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
                date.date_stamp(),
                "us-east-1",
                "s3",
            ))
        })
    });
    c.bench_function("presigned GET (key derived each time)", |b| {
        // A fresh secret per call defeats the cache, as a signer without one would behave.
        let mut n = 0u64;
        b.iter(|| {
            n += 1;
            let creds = Credentials::new("AKIAIOSFODNN7EXAMPLE", format!("secret-{n}")).expect("valid");
            black_box(Signer::new(creds).presign_at(&request, &config, hour, now).expect("signs"))
        })
    });
    c.bench_function("aws-sigv4 presigned GET (same request, for comparison)", |b| {
        let scope = Scope {
            access_key_id: "AKIAIOSFODNN7EXAMPLE",
            secret: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            token: None,
            region: "us-east-1",
            time: now.into(),
        };
        let uri = "https://examplebucket.s3.amazonaws.com/photos/2024/cat%20picture.jpg";
        let request = TheirRequest { method: "GET", uri, headers: &[] };
        b.iter(|| {
            let body = SignableBody::UnsignedPayload;
            black_box(their_sign(&scope, &request, SignatureLocation::QueryParams, Some(hour), body).expect("signs"))
        })
    });
    let headers = [("content-type", "image/jpeg")];
    let header_request = Request::new("PUT", HOST, PATH).headers(&headers);
    c.bench_function("Authorization header (PUT, content-type)", |b| {
        b.iter(|| black_box(signer.sign_headers_at(black_box(&header_request), &config, now).expect("signs")))
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().measurement_time(Duration::from_secs(3)).warm_up_time(Duration::from_secs(1));
    targets = sigv4
}
criterion_main!(benches);
