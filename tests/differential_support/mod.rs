//! The oracle shared by the differential tests (`tests/differential_*.rs`): the official
//! `aws-sigv4` crate configured the way the AWS SDK signs S3 requests, a capture of its trace
//! for failure reports, the URL comparison, and the text generators both files draw from.

// Each `tests/*.rs` file is its own crate and uses a different part of this module.
#![allow(dead_code)]

use std::time::{Duration, SystemTime};

use aws_sigv4::http_request::{
    PayloadChecksumKind, PercentEncodingMode, SessionTokenMode, SignableBody, SignableRequest, SignatureLocation,
    SigningInstructions, SigningSettings, UriPathNormalizationMode, sign,
};
use aws_sigv4::sign::v4;
use aws_smithy_runtime_api::client::identity::Identity;
use proptest::prelude::*;
use proptest::sample::select;

// ---------------------------------------------------------------------------------------------
// Generators
// ---------------------------------------------------------------------------------------------

/// Fragments of keys and query text: everything careless encoders get wrong (`+` is not a
/// space, `~` is unreserved, `%` is literal, sub-delims, controls, multi-byte UTF-8) and the
/// slash patterns S3 keeps verbatim.
pub fn text_piece() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => "[a-zA-Z0-9._-]{1,8}",
        2 => select(vec![
            " ", "  ", "+", "=", "&", "?", "#", "%", "~", "!", "'", "(", ")", "*", "$", ",", ";", ":", "@", "[",
            "]", "\"", "<", ">", "^", "`", "{", "}", "|", "\\", "%2F", "%20", "\t", "\n", "\u{7f}",
        ])
        .prop_map(String::from),
        1 => select(vec!["/", "//", "./", "../", "é", "ሴ", "日本語", "😀", "\u{a0}", "Å"]).prop_map(String::from),
    ]
}

/// Up to `max_pieces - 1` [`text_piece`]s joined.
pub fn texts(max_pieces: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(text_piece(), 0..max_pieces).prop_map(|pieces| pieces.concat())
}

// ---------------------------------------------------------------------------------------------
// aws-sigv4's side
// ---------------------------------------------------------------------------------------------

/// Who signs, for which region and when: what aws-sigv4 needs besides the request.
#[derive(Debug, Clone)]
pub struct Scope<'a> {
    pub access_key_id: &'a str,
    pub secret: &'a str,
    pub token: Option<&'a str>,
    pub region: &'a str,
    pub time: SystemTime,
}

/// One request as aws-sigv4 takes it: `uri` already percent-encoded as it goes on the wire.
#[derive(Debug, Clone)]
pub struct TheirRequest<'a> {
    pub method: &'a str,
    pub uri: &'a str,
    pub headers: &'a [(&'a str, &'a str)],
}

/// aws-sigv4's S3 settings: what the AWS SDK for Rust uses for S3 (single percent-encoding,
/// no path normalisation, `x-amz-content-sha256`, session token inside the signature).
pub fn their_settings(location: SignatureLocation, expires_in: Option<Duration>) -> SigningSettings {
    let mut settings = SigningSettings::default();
    settings.percent_encoding_mode = PercentEncodingMode::Single;
    settings.uri_path_normalization_mode = UriPathNormalizationMode::Disabled;
    settings.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
    settings.session_token_mode = SessionTokenMode::Include;
    settings.signature_location = location;
    settings.expires_in = expires_in;
    settings
}

/// Signs `request` with aws-sigv4 for S3: its instructions and its signature.
pub fn their_sign(
    scope: &Scope<'_>,
    request: &TheirRequest<'_>,
    location: SignatureLocation,
    expires_in: Option<Duration>,
    body: SignableBody<'_>,
) -> Result<(SigningInstructions, String), String> {
    let token = scope.token.map(str::to_string);
    let credentials =
        aws_credential_types::Credentials::new(scope.access_key_id, scope.secret, token, None, "differential-test");
    let identity = Identity::from(credentials);
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(scope.region)
        .name("s3")
        .time(scope.time)
        .settings(their_settings(location, expires_in))
        .build()
        .map_err(|e| format!("aws-sigv4 params: {e}"))?
        .into();
    let headers = request.headers.iter().copied();
    let signable = SignableRequest::new(request.method, request.uri, headers, body)
        .map_err(|e| format!("aws-sigv4 request: {e}"))?;
    let output = sign(signable, &params).map_err(|e| format!("aws-sigv4 sign: {e}"))?;
    Ok(output.into_parts())
}

/// The URL aws-sigv4's instructions produce from `uri`, applied the way the SDK applies them.
pub fn their_url(uri: &str, instructions: SigningInstructions) -> Result<http::Uri, String> {
    let mut request = http::Request::builder().uri(uri).body(()).map_err(|e| e.to_string())?;
    instructions.apply_to_request_http1x(&mut request);
    Ok(request.uri().clone())
}

/// aws-sigv4's canonical request (and string to sign), from the `trace!` events it emits
/// while `sign_again` runs.
pub fn their_trace(sign_again: impl FnOnce()) -> String {
    let capture = trace_capture::Capture::default();
    let dispatch = tracing_core::Dispatch::new(capture.clone());
    tracing_core::dispatcher::with_default(&dispatch, sign_again);
    capture.text()
}

/// A minimal `tracing` subscriber that writes aws-sigv4's events as `field = value` lines.
mod trace_capture {
    use std::fmt::{Debug, Write};
    use std::sync::{Arc, Mutex};

    use tracing_core::field::{Field, Visit};
    use tracing_core::{Event, Metadata, Subscriber, span};

    #[derive(Clone, Default)]
    pub struct Capture(Arc<Mutex<String>>);

    impl Capture {
        pub fn text(&self) -> String {
            self.0.lock().map(|text| text.clone()).unwrap_or_default()
        }
    }

    struct Lines<'a>(&'a mut String);

    impl Visit for Lines<'_> {
        fn record_debug(&mut self, field: &Field, value: &dyn Debug) {
            // `%value` fields print through Debug as their Display form, newlines kept.
            let _ = writeln!(self.0, "{} = {value:?}", field.name());
        }
    }

    impl Subscriber for Capture {
        fn enabled(&self, metadata: &Metadata<'_>) -> bool {
            metadata.target().starts_with("aws_sigv4")
        }
        fn new_span(&self, _: &span::Attributes<'_>) -> span::Id {
            span::Id::from_u64(1)
        }
        fn record(&self, _: &span::Id, _: &span::Record<'_>) {}
        fn record_follows_from(&self, _: &span::Id, _: &span::Id) {}
        fn event(&self, event: &Event<'_>) {
            if let Ok(mut text) = self.0.lock() {
                event.record(&mut Lines(&mut text));
            }
        }
        fn enter(&self, _: &span::Id) {}
        fn exit(&self, _: &span::Id) {}
    }
}

// ---------------------------------------------------------------------------------------------
// Comparing URLs
// ---------------------------------------------------------------------------------------------

/// Query parameters percent-decoded and sorted: what a server sees, whatever the wire order.
pub fn decoded_params(query: &str) -> Vec<(Vec<u8>, Vec<u8>)> {
    let decode = |s: &str| percent_encoding::percent_decode_str(s).collect::<Vec<u8>>();
    let mut params: Vec<_> = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (name, value) = p.split_once('=').unwrap_or((p, ""));
            (decode(name), decode(value))
        })
        .collect();
    params.sort();
    params
}

/// Same path, same multiset of decoded parameters.
pub fn same_url(path_and_query: &str, path: &str, query: &str) -> bool {
    let (our_path, our_query) = path_and_query.split_once('?').unwrap_or((path_and_query, ""));
    our_path == path && decoded_params(our_query) == decoded_params(query)
}

/// 2100-12-31T23:59:59Z, the last instant the generators produce.
pub const LAST_SECOND_OF_2100: u64 = 4_133_980_799;

/// The parameters of SigV4 query authentication (s3-spec §2), which the signer writes itself:
/// never generated as caller parameters, and stripped from URLs handed to aws-sigv4.
pub const AUTH_PARAMS: [&str; 7] = [
    "X-Amz-Algorithm",
    "X-Amz-Credential",
    "X-Amz-Date",
    "X-Amz-Expires",
    "X-Amz-Security-Token",
    "X-Amz-SignedHeaders",
    "X-Amz-Signature",
];
