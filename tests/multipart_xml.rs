//! The multipart XML against S3's documentation: every response parser on the examples of the
//! S3 API Reference, the request body against the reference's example and an independent XML
//! reader, error documents with a session token in them, and no-panic properties over
//! arbitrary bodies.
//!
//! The example bodies are those of the API Reference pages named above each one
//! (docs.aws.amazon.com/AmazonS3/latest/API/…). The pages themselves are not in the stored
//! corpus this project can search, so their text was read from verbatim copies of the examples
//! (test fixtures and comments that quote them, including older revisions); each body below
//! keeps the example's values unchanged.
#![cfg(feature = "multipart")]

use std::time::Duration;

use presign::multipart::xml::{
    ChecksumAlgorithm, CompleteMultipartUploadResult, CompletedPart, InitiateMultipartUploadResult,
    ListMultipartUploadsResult, ListPartsResult, S3ErrorBody, check_response, complete_body, error_from_response,
};
use presign::sigv4::{Request, Signer, SigningConfig};
use presign::{Credentials, Error};
use proptest::prelude::*;
use quick_xml::events::Event;
use time::macros::datetime;

/// API_CreateMultipartUpload.html, "Example: Initiate a multipart upload", response.
const INITIATE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<InitiateMultipartUploadResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Bucket>example-bucket</Bucket>
  <Key>example-object</Key>
  <UploadId>VXBsb2FkIElEIGZvciA2aWWpbmcncyBteS1tb3ZpZS5tMnRzIHVwbG9hZA</UploadId>
</InitiateMultipartUploadResult>"#;

/// API_CompleteMultipartUpload.html, sample request body (parts 1 to 3).
const COMPLETE_REQUEST: &str = r#"<CompleteMultipartUpload>
  <Part>
    <PartNumber>1</PartNumber>
    <ETag>"a54357aff0632cce46d942af68356b38"</ETag>
  </Part>
  <Part>
    <PartNumber>2</PartNumber>
    <ETag>"0c78aef83f66abc1fa1e8477f296d394"</ETag>
  </Part>
  <Part>
    <PartNumber>3</PartNumber>
    <ETag>"acbd18db4cc2f85cedef654fccc4a4d8"</ETag>
  </Part>
</CompleteMultipartUpload>"#;

/// API_CompleteMultipartUpload.html, sample response. (The current page writes the location
/// as `http://Example-Bucket.s3.<Region>.amazonaws.com/…`, a placeholder that is not XML; the
/// earlier revision's literal host is used.)
const COMPLETE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<CompleteMultipartUploadResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Location>http://Example-Bucket.s3.amazonaws.com/Example-Object</Location>
  <Bucket>Example-Bucket</Bucket>
  <Key>Example-Object</Key>
  <ETag>"3858f62230ac3c915f300c664312c11f-9"</ETag>
</CompleteMultipartUploadResult>"#;

/// API_CompleteMultipartUpload.html, "sample response with error specified in body": status
/// 200, then the error. The leading spaces stand for the whitespace S3 sends while it works.
const COMPLETE_FAILED_AFTER_200: &str = r#"

   <?xml version="1.0" encoding="UTF-8"?>
<Error>
  <Code>InternalError</Code>
  <Message>We encountered an internal error. Please try again.</Message>
  <RequestId>656c76696e6727732072657175657374</RequestId>
  <HostId>Uuag1LuByRx9e6j5Onimru9pO4ZVKnJ2Qz7/C1NPcfTWAtRPfTaOFg==</HostId>
</Error>"#;

/// API_ListParts.html, sample response (`max-parts=2&part-number-marker=1`).
const LIST_PARTS: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<ListPartsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Bucket>example-bucket</Bucket>
  <Key>example-object</Key>
  <UploadId>XXBsb2FkIElEIGZvciBlbHZpbmcncyVcdS1tb3ZpZS5tMnRzEEEwbG9hZA</UploadId>
  <Initiator>
      <ID>arn:aws:iam::111122223333:user/some-user-11116a31-17b5-4fb7-9df5-b288870f11xx</ID>
      <DisplayName>umat-user-11116a31-17b5-4fb7-9df5-b288870f11xx</DisplayName>
  </Initiator>
  <Owner>
    <ID>75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a</ID>
    <DisplayName>someName</DisplayName>
  </Owner>
  <StorageClass>STANDARD</StorageClass>
  <PartNumberMarker>1</PartNumberMarker>
  <NextPartNumberMarker>3</NextPartNumberMarker>
  <MaxParts>2</MaxParts>
  <IsTruncated>true</IsTruncated>
  <Part>
    <PartNumber>2</PartNumber>
    <LastModified>2010-11-10T20:48:34.000Z</LastModified>
    <ETag>"7778aef83f66abc1fa1e8477f296d394"</ETag>
    <Size>10485760</Size>
  </Part>
  <Part>
    <PartNumber>3</PartNumber>
    <LastModified>2010-11-10T20:48:33.000Z</LastModified>
    <ETag>"aaaa18db4cc2f85cedef654fccc4a4x8"</ETag>
    <Size>10485760</Size>
  </Part>
</ListPartsResult>"#;

/// API_ListMultipartUploads.html, "Example 1: List multipart uploads" (`max-uploads=3`).
const LIST_UPLOADS: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<ListMultipartUploadsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Bucket>bucket</Bucket>
  <KeyMarker></KeyMarker>
  <UploadIdMarker></UploadIdMarker>
  <NextKeyMarker>my-movie.m2ts</NextKeyMarker>
  <NextUploadIdMarker>YW55IGlkZWEgd2h5IGVsdmluZydzIHVwbG9hZCBmYWlsZWQ</NextUploadIdMarker>
  <MaxUploads>3</MaxUploads>
  <IsTruncated>true</IsTruncated>
  <Upload>
    <Key>my-divisor</Key>
    <UploadId>XMgbGlrZSBlbHZpbmcncyBub3QgaGF2aW5nIG11Y2ggbHVjaw</UploadId>
    <Initiator>
      <ID>arn:aws:iam::111122223333:user/user1-11111a31-17b5-4fb7-9df5-b111111f13de</ID>
      <DisplayName>user1-11111a31-17b5-4fb7-9df5-b111111f13de</DisplayName>
    </Initiator>
    <Owner>
      <ID>75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a</ID>
      <DisplayName>OwnerDisplayName</DisplayName>
    </Owner>
    <StorageClass>STANDARD</StorageClass>
    <Initiated>2010-11-10T20:48:33.000Z</Initiated>
  </Upload>
  <Upload>
    <Key>my-movie.m2ts</Key>
    <UploadId>VXBsb2FkIElEIGZvciBlbHZpbmcncyBteS1tb3ZpZS5tMnRzIHVwbG9hZA</UploadId>
    <Initiator>
      <ID>b1d16700c70b0b05597d7acd6a3f92be</ID>
      <DisplayName>InitiatorDisplayName</DisplayName>
    </Initiator>
    <Owner>
      <ID>b1d16700c70b0b05597d7acd6a3f92be</ID>
      <DisplayName>OwnerDisplayName</DisplayName>
    </Owner>
    <StorageClass>STANDARD</StorageClass>
    <Initiated>2010-11-10T20:48:33.000Z</Initiated>
  </Upload>
  <Upload>
    <Key>my-movie.m2ts</Key>
    <UploadId>YW55IGlkZWEgd2h5IGVsdmluZydzIHVwbG9hZCBmYWlsZWQ</UploadId>
    <Initiator>
      <ID>arn:aws:iam::444455556666:user/user1-22222a31-17b5-4fb7-9df5-b222222f13de</ID>
      <DisplayName>user1-22222a31-17b5-4fb7-9df5-b222222f13de</DisplayName>
    </Initiator>
    <Owner>
      <ID>b1d16700c70b0b05597d7acd6a3f92be</ID>
      <DisplayName>OwnerDisplayName</DisplayName>
    </Owner>
    <StorageClass>STANDARD</StorageClass>
    <Initiated>2010-11-10T20:49:33.000Z</Initiated>
  </Upload>
</ListMultipartUploadsResult>"#;

/// API_ListMultipartUploads.html, "Example 2: Using the delimiter and the prefix parameters".
const LIST_UPLOADS_WITH_DELIMITER: &str = r#"<ListMultipartUploadsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Bucket>example-bucket</Bucket>
  <KeyMarker/>
  <UploadIdMarker/>
  <NextKeyMarker>sample.jpg</NextKeyMarker>
  <NextUploadIdMarker>Xgw4MJT6ZPAVxpY0SAuGN7q4uWJJM22ZYg1W99trdp4tpO88.PT6.MhO0w2E17eutfAvQfQWoajgE_W2gpcxQw--</NextUploadIdMarker>
  <Delimiter>/</Delimiter>
  <Prefix/>
  <MaxUploads>1000</MaxUploads>
  <IsTruncated>false</IsTruncated>
  <Upload>
    <Key>sample.jpg</Key>
    <UploadId>Agw4MJT6ZPAVxpY0SAuGN7q4uWJJM22ZYg1N99trdp4tpO88.PT6.MhO0w2E17eutfAvQfQWoajgE_W2gpcxQw--</UploadId>
    <Initiator>
      <ID>314133b66967d86f031c7249d1d9a80249109428335cd0ef1cdc487b4566cb1b</ID>
      <DisplayName>s3-nickname</DisplayName>
    </Initiator>
    <Owner>
      <ID>314133b66967d86f031c7249d1d9a80249109428335cd0ef1cdc487b4566cb1b</ID>
      <DisplayName>s3-nickname</DisplayName>
    </Owner>
    <StorageClass>STANDARD</StorageClass>
    <Initiated>2010-11-26T19:24:17.000Z</Initiated>
  </Upload>
  <CommonPrefixes>
    <Prefix>photos/</Prefix>
  </CommonPrefixes>
  <CommonPrefixes>
    <Prefix>videos/</Prefix>
  </CommonPrefixes>
</ListMultipartUploadsResult>"#;

/// ErrorResponses.html, the sample error response (s3-spec.md §6).
const NO_SUCH_KEY: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<Error>
  <Code>NoSuchKey</Code>
  <Message>The resource you requested does not exist</Message>
  <Resource>/mybucket/myfoto.jpg</Resource>
  <RequestId>4442587FB7D0A2F9</RequestId>
</Error>"#;

/// The `S3` error's fields, or a panic naming what came instead.
fn s3_error(error: Error) -> (u16, String, String, Option<String>) {
    match error {
        Error::S3 { status, code, message, request_id } => (status, code, message, request_id),
        other => panic!("expected an S3 error, got {other:?}"),
    }
}

#[test]
fn initiate_example() {
    let result = InitiateMultipartUploadResult::from_response(200, INITIATE.as_bytes()).unwrap();
    assert_eq!(result.bucket, "example-bucket");
    assert_eq!(result.key, "example-object");
    assert_eq!(result.upload_id, "VXBsb2FkIElEIGZvciA2aWWpbmcncyBteS1tb3ZpZS5tMnRzIHVwbG9hZA");
}

#[test]
fn complete_example_and_its_failure_after_200() {
    let result = CompleteMultipartUploadResult::from_response(200, COMPLETE.as_bytes()).unwrap();
    assert_eq!(result.location.as_deref(), Some("http://Example-Bucket.s3.amazonaws.com/Example-Object"));
    assert_eq!((result.bucket.as_str(), result.key.as_str()), ("Example-Bucket", "Example-Object"));
    assert_eq!(result.etag, "\"3858f62230ac3c915f300c664312c11f-9\"");
    assert_eq!((result.checksum, result.checksum_type), (None, None));

    let error = CompleteMultipartUploadResult::from_response(200, COMPLETE_FAILED_AFTER_200.as_bytes()).unwrap_err();
    assert_eq!(error.code(), "S3_ERROR");
    let (status, code, message, request_id) = s3_error(error);
    assert_eq!((status, code.as_str()), (200, "InternalError"));
    assert_eq!(message, "We encountered an internal error. Please try again.");
    assert_eq!(request_id.as_deref(), Some("656c76696e6727732072657175657374"));
}

#[test]
fn complete_body_lists_the_examples_parts() {
    let parts: Vec<CompletedPart> =
        example_parts(COMPLETE_REQUEST).into_iter().map(|(number, etag)| CompletedPart::new(number, etag)).collect();
    assert_eq!(parts.len(), 3);
    let body = complete_body(&parts).unwrap();
    assert_eq!(example_parts(&body), example_parts(COMPLETE_REQUEST));
    assert!(body.starts_with(r#"<CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Part>"#));
}

/// `(PartNumber, ETag)` of each `<Part>`, read with quick-xml's own reader and unescaping.
fn example_parts(xml: &str) -> Vec<(u32, String)> {
    let (mut parts, mut number, mut etag, mut current) = (Vec::new(), None, None, String::new());
    let mut reader = quick_xml::Reader::from_str(xml);
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Start(start) => current = start.local_name().as_ref().to_string(),
            Event::Text(text) if current == "PartNumber" => number = Some(text.xml10_content().parse().unwrap()),
            Event::Text(text) if current == "ETag" => push_text(&mut etag, &text.xml10_content()),
            Event::GeneralRef(reference) if current == "ETag" => push_text(&mut etag, &resolve(&reference)),
            Event::End(end) if end.local_name().as_ref() == "Part" => {
                parts.push((number.take().expect("PartNumber"), etag.take().expect("ETag")));
            }
            Event::End(_) => current.clear(),
            Event::Eof => return parts,
            _ => {}
        }
    }
}

fn push_text(target: &mut Option<String>, text: &str) {
    target.get_or_insert_with(String::new).push_str(text);
}

fn resolve(reference: &quick_xml::events::BytesRef<'_>) -> String {
    match reference.resolve_char_ref().expect("valid character reference") {
        Some(ch) => ch.to_string(),
        None => quick_xml::escape::resolve_xml_entity(reference).expect("predefined entity").to_string(),
    }
}

#[test]
fn completed_parts_use_the_upload_apis_json_names() {
    let part = CompletedPart::new(2, "\"0c78aef83f66abc1fa1e8477f296d394\"");
    let json = serde_json::to_value(&part).unwrap();
    assert_eq!(json, serde_json::json!({"partNumber": 2, "etag": "\"0c78aef83f66abc1fa1e8477f296d394\""}));

    let with_checksum: CompletedPart = serde_json::from_value(serde_json::json!(
        {"partNumber": 1, "etag": "\"e\"", "checksum": {"algorithm": "CRC32C", "value": "AAAAAA=="}}
    ))
    .unwrap();
    assert_eq!(with_checksum, CompletedPart::new(1, "\"e\"").with_checksum(ChecksumAlgorithm::Crc32c, "AAAAAA=="));
    let body = complete_body(&[with_checksum]).unwrap();
    assert!(body.contains("<PartNumber>1</PartNumber><ChecksumCRC32C>AAAAAA==</ChecksumCRC32C></Part>"), "{body}");
}

#[test]
fn list_parts_example() {
    let page = ListPartsResult::from_response(200, LIST_PARTS.as_bytes()).unwrap();
    assert_eq!((page.bucket.as_str(), page.key.as_str()), ("example-bucket", "example-object"));
    assert_eq!(page.upload_id, "XXBsb2FkIElEIGZvciBlbHZpbmcncyVcdS1tb3ZpZS5tMnRzEEEwbG9hZA");
    assert_eq!((page.part_number_marker, page.next_part_number_marker, page.max_parts), (Some(1), Some(3), Some(2)));
    assert!(page.is_truncated);
    assert_eq!(page.storage_class.as_deref(), Some("STANDARD"));
    let parts: Vec<_> = page.parts.iter().map(|p| (p.part_number, p.etag.as_deref().unwrap(), p.size)).collect();
    assert_eq!(
        parts,
        [
            (2, "\"7778aef83f66abc1fa1e8477f296d394\"", 10_485_760),
            (3, "\"aaaa18db4cc2f85cedef654fccc4a4x8\"", 10_485_760)
        ]
    );
    assert_eq!(page.parts[0].last_modified, Some(datetime!(2010-11-10 20:48:34 UTC)));
    assert_eq!(page.next_page_query(), Some(vec![("part-number-marker", "3".to_string())]));
}

#[test]
fn list_uploads_examples() {
    let page = ListMultipartUploadsResult::from_response(200, LIST_UPLOADS.as_bytes()).unwrap();
    assert_eq!(page.bucket, "bucket");
    assert_eq!((page.key_marker.as_deref(), page.upload_id_marker.as_deref()), (None, None));
    assert_eq!((page.max_uploads, page.is_truncated), (Some(3), true));
    let uploads: Vec<_> = page.uploads.iter().map(|u| (u.key.as_str(), u.upload_id.as_str())).collect();
    assert_eq!(
        uploads,
        [
            ("my-divisor", "XMgbGlrZSBlbHZpbmcncyBub3QgaGF2aW5nIG11Y2ggbHVjaw"),
            ("my-movie.m2ts", "VXBsb2FkIElEIGZvciBlbHZpbmcncyBteS1tb3ZpZS5tMnRzIHVwbG9hZA"),
            ("my-movie.m2ts", "YW55IGlkZWEgd2h5IGVsdmluZydzIHVwbG9hZCBmYWlsZWQ"),
        ]
    );
    assert_eq!(page.uploads[2].initiated, Some(datetime!(2010-11-10 20:49:33 UTC)));
    assert_eq!(page.uploads[0].storage_class.as_deref(), Some("STANDARD"));
    let next = vec![
        ("key-marker", "my-movie.m2ts".to_string()),
        ("upload-id-marker", "YW55IGlkZWEgd2h5IGVsdmluZydzIHVwbG9hZCBmYWlsZWQ".to_string()),
    ];
    assert_eq!(page.next_page_query(), Some(next));

    let page = ListMultipartUploadsResult::from_response(200, LIST_UPLOADS_WITH_DELIMITER.as_bytes()).unwrap();
    assert_eq!((page.delimiter.as_deref(), page.prefix.as_deref()), (Some("/"), None));
    assert_eq!(page.common_prefixes, ["photos/", "videos/"]);
    assert_eq!(page.uploads.len(), 1);
    assert_eq!(page.uploads[0].initiated, Some(datetime!(2010-11-26 19:24:17 UTC)));
    assert_eq!(page.next_page_query(), None, "the page is not truncated");
}

#[test]
fn error_example_from_every_entry_point() {
    let body = S3ErrorBody::parse(NO_SUCH_KEY.as_bytes()).unwrap();
    assert_eq!((body.code.as_str(), body.message.as_str()), ("NoSuchKey", "The resource you requested does not exist"));
    assert_eq!(body.resource.as_deref(), Some("/mybucket/myfoto.jpg"));
    assert_eq!((body.request_id.as_deref(), body.host_id.as_deref()), (Some("4442587FB7D0A2F9"), None));
    assert_eq!(body.to_string(), "NoSuchKey: The resource you requested does not exist (request id 4442587FB7D0A2F9)");

    let expected = (404, "NoSuchKey".to_string(), body.message.clone(), body.request_id.clone());
    let bytes = NO_SUCH_KEY.as_bytes();
    assert_eq!(s3_error(error_from_response(404, bytes)), expected);
    assert_eq!(s3_error(check_response(404, bytes).unwrap_err()), expected);
    assert_eq!(s3_error(InitiateMultipartUploadResult::from_response(404, bytes).unwrap_err()), expected);
    assert_eq!(s3_error(ListPartsResult::from_response(404, bytes).unwrap_err()), expected);
    assert_eq!(s3_error(check_response(204, bytes).unwrap_err()).0, 204, "an <Error> document is a failure");
    assert!(check_response(204, b"").is_ok());
}

#[test]
fn error_display_and_code() {
    let error = error_from_response(404, NO_SUCH_KEY.as_bytes());
    assert_eq!(error.to_string(), "S3 answered 404 NoSuchKey: The resource you requested does not exist");
    assert_eq!(error.code(), "S3_ERROR");
    assert!(!error.hint().is_empty());
}

#[test]
fn responses_that_are_not_the_document_expected() {
    let cases: [(u16, &[u8], &str); 6] = [
        (502, b"<html><body>Bad Gateway</body></html>", "HTTP 502 without an S3 <Error> document"),
        (404, b"", "HTTP 404 without an S3 <Error> document"),
        (200, INITIATE.as_bytes(), "expected <ListPartsResult>"),
        (200, b"<ListPartsResult><Bucket>b</Bucket><Key>k</Key></ListPartsResult>", "has no <UploadId>"),
        (200, b"<ListPartsResult><Bucket>b</Bucket><Key>k</Key><UploadId>u</UploadId><Part><Size>1</Size></Part></ListPartsResult>", "<Part> has no <PartNumber>"),
        (200, b"<ListPartsResult><Bucket>b</Bucket><Key>k</Key><UploadId>u</UploadId><IsTruncated>maybe</IsTruncated></ListPartsResult>", "<IsTruncated> is malformed"),
    ];
    for (status, body, expected) in cases {
        let error = ListPartsResult::from_response(status, body).unwrap_err();
        assert_eq!(error.code(), "INVALID_RESPONSE", "{expected}");
        assert!(error.to_string().contains(expected), "{error} should say {expected:?}");
    }
}

const TOKEN: &str = "IQoJb3JpZ2luX2VjEXAMPLE/Session+Token==";

/// A `SignatureDoesNotMatch` document laid out as s3-spec.md §6 describes, echoing the
/// canonical request and string to sign our signer computed with a session token.
fn signature_mismatch(canonical_request: &str, string_to_sign: &str) -> String {
    let hex = |text: &str| text.bytes().map(|b| format!("{b:02x}")).collect::<Vec<_>>().join(" ");
    let escape = |text: &str| quick_xml::escape::escape(text).into_owned();
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>SignatureDoesNotMatch</Code>\
         <Message>The request signature we calculated does not match the signature you provided. Check your key and signing method.</Message>\
         <AWSAccessKeyId>AKIDEXAMPLE</AWSAccessKeyId><StringToSign>{}</StringToSign>\
         <SignatureProvided>0123abcd</SignatureProvided><StringToSignBytes>{}</StringToSignBytes>\
         <CanonicalRequest>{}</CanonicalRequest><CanonicalRequestBytes>{}</CanonicalRequestBytes>\
         <RequestId>4442587FB7D0A2F9</RequestId><HostId>host/id==</HostId></Error>",
        escape(string_to_sign),
        hex(string_to_sign),
        escape(canonical_request),
        hex(canonical_request),
    )
}

#[test]
fn signature_mismatch_diagnostics_are_kept_without_the_session_token() {
    let credentials = Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
        .and_then(|c| c.with_session_token(TOKEN))
        .unwrap();
    let signer = Signer::new(credentials);
    let (config, now) = (SigningConfig::s3("us-east-1").unwrap(), datetime!(2013-05-24 00:00:00 UTC));
    let request = Request::new("POST", "examplebucket.s3.amazonaws.com", "/key").query(&[("uploads", "")]);
    let header = signer.explain_headers(&request, &config, now).unwrap();
    let query = signer.explain_presign(&request, &config, Duration::from_secs(60), now).unwrap();

    for explained in [header, query] {
        let signed = &explained.canonical_request;
        assert!(signed.contains(TOKEN) || signed.contains(&encoded(TOKEN)), "the token is signed: {signed}");
        let body = signature_mismatch(&explained.canonical_request, &explained.string_to_sign);
        let parsed = S3ErrorBody::parse(body.as_bytes()).unwrap();
        let everything = format!("{parsed:?} {parsed} {}", parsed.clone().into_error(403));
        for leak in [TOKEN, "IQoJb3JpZ2luX2Vj", "IQoJb3JpZ2luX2VjEXAMPLE%2FSession%2BToken%3D%3D", "49 51 6f 4a"] {
            assert!(!everything.contains(leak), "{leak:?} leaked: {everything}");
        }
        let canonical = parsed.canonical_request.as_deref().unwrap();
        assert_eq!(
            canonical,
            explained.canonical_request.replace(TOKEN, "[redacted]").replace(&encoded(TOKEN), "[redacted]")
        );
        assert_eq!(parsed.string_to_sign.as_deref(), Some(explained.string_to_sign.as_str()));
        let names: Vec<&str> = parsed.details.iter().map(|(name, _)| name.as_str()).collect();
        assert_eq!(names, ["AWSAccessKeyId", "SignatureProvided"], "byte echoes are dropped");
    }
}

/// The token as a query parameter value (RFC 3986 unreserved kept).
fn encoded(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------------

/// Every parser and checker on `body` with `status`: each returns or fails with a typed error.
fn parse_everything(status: u16, body: &[u8]) {
    let errors = [
        InitiateMultipartUploadResult::from_response(status, body).err(),
        CompleteMultipartUploadResult::from_response(status, body).err(),
        ListPartsResult::from_response(status, body).err(),
        ListMultipartUploadsResult::from_response(status, body).err(),
        S3ErrorBody::parse(body).err(),
        check_response(status, body).err(),
        Some(error_from_response(status, body)),
    ];
    for error in errors.into_iter().flatten() {
        assert!(["S3_ERROR", "INVALID_RESPONSE"].contains(&error.code()), "{error:?}");
        let _ = (error.to_string(), error.hint());
    }
}

/// Fragments of S3 documents, so that random bodies get past the XML reader often.
const PIECES: &[&str] = &[
    "<Error>",
    "</Error>",
    "<Code>",
    "</Code>",
    "<ListPartsResult>",
    "</ListPartsResult>",
    "<ListMultipartUploadsResult>",
    "<InitiateMultipartUploadResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">",
    "<CompleteMultipartUploadResult>",
    "<Bucket>b</Bucket>",
    "<Key>k</Key>",
    "<UploadId>u</UploadId>",
    "<ETag>&quot;e&quot;</ETag>",
    "<Part>",
    "</Part>",
    "<Upload>",
    "</Upload>",
    "<PartNumber>",
    "</PartNumber>",
    "<Size>",
    "</Size>",
    "<IsTruncated>true</IsTruncated>",
    "<NextPartNumberMarker>",
    "</NextPartNumberMarker>",
    "<LastModified>2010-11-10T20:48:34.000Z</LastModified>",
    "<Initiated>",
    "</Initiated>",
    "<ChecksumCRC32>",
    "</ChecksumCRC32>",
    "<Token-0>t</Token-0>",
    "<CanonicalRequest>x-amz-security-token:",
    "</CanonicalRequest>",
    "<s3:",
    "<x/>",
    "<![CDATA[",
    "]]>",
    "<!--",
    "-->",
    "<?xml version=\"1.0\"?>",
    "&amp;",
    "&#x",
    "&#",
    ";",
    "&",
    "<",
    ">",
    "\"",
    "1",
    "-1",
    "99999999999999999999",
    " ",
    "\n",
    "\u{feff}",
    "é",
];

fn soup() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(PIECES), 0..40).prop_map(|pieces| pieces.concat())
}

fn status() -> impl Strategy<Value = u16> {
    prop_oneof![Just(200u16), Just(204), Just(404), Just(500), any::<u16>()]
}

/// ETags and checksums as S3 could write them: any text without control characters.
fn part_text() -> impl Strategy<Value = String> {
    "[^\\p{Cc}]{1,40}"
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_bytes_never_panic(status in status(), body in prop::collection::vec(any::<u8>(), 0..256)) {
        parse_everything(status, &body);
    }

    #[test]
    fn arbitrary_text_never_panics(status in status(), body in any::<String>()) {
        parse_everything(status, body.as_bytes());
    }

    #[test]
    fn document_soup_never_panics(status in status(), body in soup()) {
        parse_everything(status, body.as_bytes());
    }

    #[test]
    fn complete_body_escapes_any_etag(etags in prop::collection::vec(part_text(), 1..8)) {
        let parts: Vec<CompletedPart> =
            etags.iter().enumerate().map(|(i, etag)| CompletedPart::new(i as u32 * 3 + 1, etag.as_str())).collect();
        let body = complete_body(&parts).unwrap();
        let read_back: Vec<(u32, String)> = parts.iter().map(|p| (p.part_number, p.etag.clone())).collect();
        prop_assert_eq!(example_parts(&body), read_back);
    }

    #[test]
    fn complete_body_accepts_only_strictly_ascending_numbers(numbers in prop::collection::vec(0u32..10_003, 1..12)) {
        let parts: Vec<CompletedPart> = numbers.iter().map(|&n| CompletedPart::new(n, "\"e\"")).collect();
        let valid = numbers.windows(2).all(|w| w[0] < w[1]) && numbers.iter().all(|n| (1..=10_000).contains(n));
        match complete_body(&parts) {
            Ok(_) => prop_assert!(valid, "accepted {numbers:?}"),
            Err(error) => prop_assert!(!valid && error.code() == "INVALID_PART", "{numbers:?}: {error:?}"),
        }
    }
}
