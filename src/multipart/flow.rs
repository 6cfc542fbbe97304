//! A multipart upload driven over a [`Transport`]: initiate → part URLs → complete, or abort
//! on failure.
//!
//! [`MultipartUpload`] is only where the upload goes and its id: no transport, no credentials,
//! no clock. Each call takes the transport and the signer, so one value works on any HTTP
//! client and any async runtime, and a server that hands out part URLs in one HTTP request
//! and completes in a later one keeps `(key, upload id)` and [`resume`](MultipartUpload::resume)s.
//!
//! ```no_run
//! use presign::Credentials;
//! use presign::multipart::flow::MultipartUpload;
//! use presign::multipart::requests::CreateMultipartUpload;
//! use presign::multipart::xml::CompletedPart;
//! use presign::multipart::MultipartPlan;
//! use presign::s3::{Bucket, ObjectKey, PresignRequest, Region};
//! use presign::sigv4::Signer;
//! use presign::transport::Transport;
//!
//! async fn upload(transport: &impl Transport, object: &[u8]) -> presign::Result<String> {
//!     let signer = Signer::new(Credentials::from_env()?);
//!     let bucket = Bucket::aws("videos", Region::UsWest2)?;
//!     let options = PresignRequest::put(&bucket, ObjectKey::new("raw/take-1.mp4")?).content_type("video/mp4");
//!     let upload = MultipartUpload::initiate(transport, &signer, &CreateMultipartUpload::new(options)).await?;
//!     let plan = MultipartPlan::new(object.len() as u64, &bucket.limits())?;
//!     let urls = upload.part_urls(&plan)?.bind_content_length().sign(&signer)?;
//!     // Hand `urls` to the client; here the parts go up through the same transport.
//!     let uploading = async {
//!         let mut parts = Vec::new();
//!         for url in &urls {
//!             let bytes = &object[url.part.range().start as usize..url.part.range().end as usize];
//!             let request = presign::transport::HttpRequest::new(url.request.method().as_str(), url.request.url())
//!                 .with_headers(url.request.headers())
//!                 .with_body(bytes);
//!             let response = transport.send(request).await?;
//!             presign::multipart::xml::check_response(response.status, &response.body)?;
//!             let etag = response.header("etag").unwrap_or_default();
//!             parts.push(CompletedPart::new(url.part.number, etag));
//!         }
//!         Ok::<_, presign::Error>(parts)
//!     };
//!     // Completes, or aborts the upload if a part or the completion failed.
//!     let object = upload.complete_or_abort(transport, &signer, uploading).await?;
//!     Ok(object.etag)
//! }
//! ```

use std::future::Future;

use super::part_urls::{PartUrls, check_upload_id};
use super::plan::MultipartPlan;
use super::requests::{AbortMultipartUpload, CompleteMultipartUpload, CreateMultipartUpload, ListParts};
use super::xml::{
    CompleteMultipartUploadResult, CompletedPart, InitiateMultipartUploadResult, ListPartsResult, ListedPart,
    check_response,
};
use crate::error::{Error, Result};
use crate::s3::{Bucket, ObjectKey};
use crate::sigv4::Signer;
use crate::transport::Transport;

/// A multipart upload that was created and is neither completed nor aborted (as far as this
/// value knows): its bucket, key and upload id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MultipartUpload {
    bucket: Bucket,
    key: ObjectKey,
    upload_id: String,
}

impl MultipartUpload {
    /// Sends CreateMultipartUpload and returns the upload it started.
    ///
    /// The server must answer for the key asked for: an answer about another key is an
    /// [`Error::InvalidResponse`] (and that upload is left to the server's cleanup).
    pub async fn initiate<T: Transport>(
        transport: &T,
        signer: &Signer,
        create: &CreateMultipartUpload,
    ) -> Result<Self> {
        let request = create.sign(signer)?;
        // `sign` refuses options without a key, so this holds; the error keeps it panic-free.
        let key = create.key().cloned().ok_or(Error::InvalidOption {
            option: "key",
            reason: "CreateMultipartUpload needs an object key".into(),
        })?;
        let response = transport.send(request).await?;
        let created = InitiateMultipartUploadResult::from_response(response.status, &response.body)?;
        if created.key != key.as_str() {
            return Err(Error::InvalidResponse { reason: "CreateMultipartUpload answered for another key".into() });
        }
        Self::resume(create.bucket().clone(), key, created.upload_id)
    }

    /// An upload created earlier, from what was kept of it.
    pub fn resume(bucket: Bucket, key: ObjectKey, upload_id: impl Into<String>) -> Result<Self> {
        let upload_id = upload_id.into();
        check_upload_id(&upload_id)?;
        Ok(MultipartUpload { bucket, key, upload_id })
    }

    /// The bucket.
    pub fn bucket(&self) -> &Bucket {
        &self.bucket
    }

    /// The object key.
    pub fn key(&self) -> &ObjectKey {
        &self.key
    }

    /// The upload id every call of this upload names.
    pub fn upload_id(&self) -> &str {
        &self.upload_id
    }

    /// The presigned part URLs of `plan` (set their options, then sign them).
    pub fn part_urls<'a>(&'a self, plan: &'a MultipartPlan) -> Result<PartUrls<'a>> {
        PartUrls::new(&self.bucket, &self.key, &self.upload_id, plan)
    }

    /// Sends CompleteMultipartUpload with `parts` (ascending, each with the ETag its upload
    /// answered); on success the object exists and the upload is over.
    pub async fn complete<T: Transport>(
        &self,
        transport: &T,
        signer: &Signer,
        parts: &[CompletedPart],
    ) -> Result<CompleteMultipartUploadResult> {
        let request = CompleteMultipartUpload::new(&self.bucket, &self.key, &self.upload_id, parts).sign(signer)?;
        let response = transport.send(request).await?;
        CompleteMultipartUploadResult::from_response(response.status, &response.body)
    }

    /// Sends AbortMultipartUpload: the parts are freed and the upload is over.
    pub async fn abort<T: Transport>(&self, transport: &T, signer: &Signer) -> Result<()> {
        let request = AbortMultipartUpload::new(&self.bucket, &self.key, &self.upload_id).sign(signer)?;
        let response = transport.send(request).await?;
        check_response(response.status, &response.body)
    }

    /// Every part uploaded so far, by ascending part number, following ListParts' pages.
    pub async fn list_parts<T: Transport>(&self, transport: &T, signer: &Signer) -> Result<Vec<ListedPart>> {
        let mut parts = Vec::new();
        let mut next = Some(ListParts::new(&self.bucket, &self.key, &self.upload_id));
        while let Some(page_request) = next {
            let response = transport.send(page_request.sign(signer)?).await?;
            let page = ListPartsResult::from_response(response.status, &response.body)?;
            next = page_request.next_page(&page)?;
            parts.extend(page.parts);
        }
        // S3 lists by part number, but not every server does (s3s-fs: in directory order).
        parts.sort_by_key(|part| part.part_number);
        Ok(parts)
    }

    /// Awaits `uploading` (which uploads the parts and returns them), then completes the
    /// upload; if `uploading` or the completion fails, aborts it and returns that failure.
    ///
    /// The abort is best effort: its own failure is dropped in favour of the error that caused
    /// it. A future dropped before it finishes aborts nothing. Uploads left behind either way
    /// are found with ListMultipartUploads, or removed by a lifecycle rule
    /// (`AbortIncompleteMultipartUpload`).
    pub async fn complete_or_abort<T, E>(
        &self,
        transport: &T,
        signer: &Signer,
        uploading: impl Future<Output = std::result::Result<Vec<CompletedPart>, E>>,
    ) -> std::result::Result<CompleteMultipartUploadResult, E>
    where
        T: Transport,
        E: From<Error>,
    {
        let outcome = match uploading.await {
            Ok(parts) => self.complete(transport, signer, &parts).await.map_err(E::from),
            Err(error) => Err(error),
        };
        if outcome.is_err() {
            let _ = self.abort(transport, signer).await;
        }
        outcome
    }
}

#[cfg(test)]
mod tests {
    use std::collections::VecDeque;
    use std::sync::Mutex;

    use super::*;
    use crate::Credentials;
    use crate::s3::{PresignRequest, Region};
    use crate::transport::{HttpRequest, HttpResponse};

    /// Answers with the scripted responses in order and records what it was sent.
    struct Scripted {
        answers: Mutex<VecDeque<HttpResponse>>,
        sent: Mutex<Vec<HttpRequest>>,
    }

    impl Scripted {
        fn new<B: AsRef<[u8]>>(answers: impl IntoIterator<Item = (u16, B)>) -> Self {
            let answers = answers
                .into_iter()
                .map(|(status, body)| HttpResponse { status, headers: Vec::new(), body: body.as_ref().to_vec() })
                .collect();
            Scripted { answers: Mutex::new(answers), sent: Mutex::new(Vec::new()) }
        }

        /// `METHOD path?query` of every request sent, origin removed.
        fn calls(&self) -> Vec<String> {
            let sent = self.sent.lock().unwrap();
            sent.iter().map(|r| format!("{} {}", r.method, r.url.trim_start_matches(ORIGIN))).collect()
        }
    }

    impl Transport for Scripted {
        async fn send(&self, request: HttpRequest) -> Result<HttpResponse> {
            self.sent.lock().unwrap().push(request);
            let answer = self.answers.lock().unwrap().pop_front();
            answer.ok_or_else(|| Error::Transport { reason: "no answer scripted".into() })
        }
    }

    const ORIGIN: &str = "https://my-bucket.s3.eu-west-1.amazonaws.com";
    // Answers shaped like the AWS API reference's examples (s3-spec §5).
    const CREATED: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><InitiateMultipartUploadResult \
        xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Bucket>my-bucket</Bucket><Key>big.bin</Key>\
        <UploadId>up1</UploadId></InitiateMultipartUploadResult>";
    const COMPLETED: &str = "<CompleteMultipartUploadResult><Bucket>my-bucket</Bucket><Key>big.bin</Key>\
        <ETag>\"3858f62230ac3c915f300c664312c11f-2\"</ETag></CompleteMultipartUploadResult>";
    const INVALID_PART: &str = "<Error><Code>InvalidPart</Code><Message>One or more of the specified parts could \
        not be found.</Message></Error>";

    fn signer() -> Signer {
        Signer::new(Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY").unwrap())
    }

    fn create() -> CreateMultipartUpload {
        let bucket = Bucket::aws("my-bucket", Region::EuWest1).unwrap();
        CreateMultipartUpload::new(PresignRequest::put(&bucket, ObjectKey::new("big.bin").unwrap()))
    }

    fn parts() -> Vec<CompletedPart> {
        vec![CompletedPart::new(1, "\"e1\""), CompletedPart::new(2, "\"e2\"")]
    }

    async fn run(
        transport: &Scripted,
        uploading: std::result::Result<Vec<CompletedPart>, Error>,
    ) -> Result<CompleteMultipartUploadResult> {
        let upload = MultipartUpload::initiate(transport, &signer(), &create()).await?;
        assert_eq!(upload.upload_id(), "up1");
        upload.complete_or_abort(transport, &signer(), async { uploading }).await
    }

    #[tokio::test]
    async fn a_successful_upload_is_completed_and_not_aborted() {
        let transport = Scripted::new([(200, CREATED), (200, COMPLETED)]);
        let object = run(&transport, Ok(parts())).await.unwrap();
        assert_eq!(object.etag, "\"3858f62230ac3c915f300c664312c11f-2\"");
        assert_eq!(transport.calls(), ["POST /big.bin?uploads=", "POST /big.bin?uploadId=up1"]);
        let body = transport.sent.lock().unwrap()[1].body.clone();
        assert_eq!(body, crate::multipart::xml::complete_body(&parts()).unwrap().into_bytes());
    }

    #[tokio::test]
    async fn a_failed_part_upload_aborts_and_returns_its_own_error() {
        let transport = Scripted::new([(200, CREATED), (204, "")]);
        let failure = Error::Transport { reason: "part 2 timed out".into() };
        let error = run(&transport, Err(failure.clone())).await.unwrap_err();
        assert_eq!(error, failure);
        assert_eq!(transport.calls(), ["POST /big.bin?uploads=", "DELETE /big.bin?uploadId=up1"]);
    }

    #[tokio::test]
    async fn a_refused_completion_aborts_and_returns_the_server_error() {
        // The abort itself fails too (nothing scripted): the completion's error still wins.
        let transport = Scripted::new([(200, CREATED), (400, INVALID_PART)]);
        let error = run(&transport, Ok(parts())).await.unwrap_err();
        assert!(matches!(&error, Error::S3 { status: 400, code, .. } if code == "InvalidPart"), "{error:?}");
        let calls = transport.calls();
        assert_eq!(calls, ["POST /big.bin?uploads=", "POST /big.bin?uploadId=up1", "DELETE /big.bin?uploadId=up1"]);
    }

    #[tokio::test]
    async fn invalid_parts_are_refused_before_sending_and_abort() {
        let transport = Scripted::new([(200, CREATED), (204, "")]);
        let error = run(&transport, Ok(vec![CompletedPart::new(2, "\"e\""), CompletedPart::new(1, "\"e\"")])).await;
        assert_eq!(error.unwrap_err().code(), "INVALID_PART");
        assert_eq!(transport.calls(), ["POST /big.bin?uploads=", "DELETE /big.bin?uploadId=up1"]);
    }

    #[tokio::test]
    async fn an_answer_for_another_key_is_refused() {
        let transport = Scripted::new([(200, CREATED.replace("big.bin", "other.bin"))]);
        let error = MultipartUpload::initiate(&transport, &signer(), &create()).await.unwrap_err();
        assert_eq!(error.code(), "INVALID_RESPONSE");
    }

    #[tokio::test]
    async fn list_parts_follows_the_pages() {
        let page = |marker: &str, truncated: bool, number: u32| {
            format!(
                "<ListPartsResult><Bucket>my-bucket</Bucket><Key>big.bin</Key><UploadId>up1</UploadId>{marker}\
                 <IsTruncated>{truncated}</IsTruncated><Part><PartNumber>{number}</PartNumber><ETag>\"e\"</ETag>\
                 <Size>5</Size></Part></ListPartsResult>"
            )
        };
        let first = page("<NextPartNumberMarker>1</NextPartNumberMarker>", true, 1);
        let transport = Scripted::new([(200, first), (200, page("", false, 2))]);
        let bucket = Bucket::aws("my-bucket", Region::EuWest1).unwrap();
        let upload = MultipartUpload::resume(bucket, ObjectKey::new("big.bin").unwrap(), "up1").unwrap();
        let parts = upload.list_parts(&transport, &signer()).await.unwrap();
        assert_eq!(parts.iter().map(|part| part.part_number).collect::<Vec<_>>(), [1, 2]);
        let calls = transport.calls();
        assert_eq!(calls, ["GET /big.bin?uploadId=up1", "GET /big.bin?part-number-marker=1&uploadId=up1"]);
    }

    #[test]
    fn resume_checks_the_upload_id() {
        let bucket = Bucket::aws("my-bucket", Region::EuWest1).unwrap();
        let error = MultipartUpload::resume(bucket, ObjectKey::new("k").unwrap(), "").unwrap_err();
        assert_eq!(error.code(), "INVALID_OPTION");
    }
}
