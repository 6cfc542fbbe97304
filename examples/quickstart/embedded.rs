//! An S3 server inside the process: `s3s` + `s3s-fs` over a temporary directory, on
//! 127.0.0.1 with a random port, verifying SigV4 signatures. Shared by the quickstart and the
//! end-to-end tests (`tests/common`), so both exercise the same server.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// A running embedded server; stops (and deletes its files) on drop.
pub struct EmbeddedS3 {
    /// `http://127.0.0.1:PORT`.
    pub endpoint: String,
    /// The access key id it accepts.
    pub access_key: &'static str,
    /// The secret it accepts.
    pub secret_key: &'static str,
    root: PathBuf,
    accept_loop: tokio::task::JoinHandle<()>,
}

impl EmbeddedS3 {
    /// The only credentials the server accepts.
    pub const ACCESS_KEY: &'static str = "AKIAEMBEDDEDEXAMPLE";
    /// The matching secret.
    pub const SECRET_KEY: &'static str = "embedded/Secret+Key/EXAMPLEKEY";

    /// Starts the server on the current tokio runtime with one empty bucket per name.
    pub async fn start(buckets: &[&str]) -> std::io::Result<Self> {
        let root = unique_temp_dir()?;
        for bucket in buckets {
            // s3s-fs maps a bucket to a directory under its root.
            std::fs::create_dir_all(root.join(bucket))?;
        }
        let fs = s3s_fs::FileSystem::new(&root).map_err(|e| std::io::Error::other(format!("{e:?}")))?;
        let mut builder = s3s::service::S3ServiceBuilder::new(fs);
        builder.set_auth(s3s::auth::SimpleAuth::from_single(Self::ACCESS_KEY, Self::SECRET_KEY));
        let service = builder.build();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let endpoint = format!("http://{}", listener.local_addr()?);
        let accept_loop = tokio::spawn(accept_loop(listener, service));
        Ok(EmbeddedS3 { endpoint, access_key: Self::ACCESS_KEY, secret_key: Self::SECRET_KEY, root, accept_loop })
    }

    /// Where objects are stored (`root/bucket/key`).
    #[allow(dead_code)] // used by the tests, not by the quickstart
    pub fn root(&self) -> &Path {
        &self.root
    }
}

impl Drop for EmbeddedS3 {
    fn drop(&mut self) {
        self.accept_loop.abort();
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

fn unique_temp_dir() -> std::io::Result<PathBuf> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("presign-s3s-{}-{nanos}-{n}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

async fn accept_loop(listener: tokio::net::TcpListener, service: s3s::service::S3Service) {
    use hyper_util::rt::{TokioExecutor, TokioIo};
    let http = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
    loop {
        let Ok((socket, _)) = listener.accept().await else { continue };
        let conn = http.serve_connection(TokioIo::new(socket), service.clone()).into_owned();
        tokio::spawn(async move {
            let _ = conn.await;
        });
    }
}
