//! `presign`: S3 presigned URLs from the command line, computed locally. No network is used:
//! the signature is derived from the credentials in the environment.
//!
//! ```text
//! export AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE
//! export AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
//! cargo run --example presign -- get s3://examplebucket/test.txt
//! cargo run --example presign -- put s3://examplebucket/photo.jpg --content-type image/jpeg --json
//! cargo run --example presign -- multipart-urls s3://examplebucket/big.iso --upload-id ID --size 12582912
//! cargo run --example presign --features reqwest -- upload big.iso s3://examplebucket/big.iso
//! cargo run --example presign -- --help
//! ```
//!
//! The URL alone goes to stdout (`--json`: method, URL, the headers the client must send and
//! the expiry). Bad input exits with status 2 and one line on stderr naming the error code,
//! e.g. `error: INVALID_EXPIRY: invalid expiry: ... (hint: ...)`.
//!
//! `upload` is the one command that sends requests; it needs the `reqwest` feature (the HTTP
//! client), and without it says so, while every other command works.

// The crate root's own modules would be looked up beside it, in `examples/`, where Cargo
// would take each file for an example of its own: keep them in `examples/presign/`.
#[path = "presign/args.rs"]
mod args;
#[path = "presign/error.rs"]
mod error;
#[path = "presign/multipart_urls.rs"]
mod multipart_urls;
#[path = "presign/request.rs"]
mod request;
#[cfg(all(feature = "reqwest", feature = "multipart"))]
#[path = "presign/transfer.rs"]
mod transfer;
#[cfg(all(feature = "reqwest", feature = "multipart"))]
#[path = "presign/upload.rs"]
mod upload;
#[cfg(not(all(feature = "reqwest", feature = "multipart")))]
#[path = "presign/upload_unavailable.rs"]
mod upload;

use std::io::Write;
use std::process::ExitCode;

use args::Command;
use error::CliError;
use presign::Credentials;
use presign::sigv4::Signer;
use request::Job;

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            // Nothing useful is left to do if stderr itself is gone.
            let _ = writeln!(std::io::stderr().lock(), "error: {}", error.line());
            error.exit_code()
        }
    }
}

/// Parse → build the request → sign (and for `upload`, send) → print.
fn run() -> Result<(), CliError> {
    match args::parse(std::env::args_os().skip(1))? {
        Command::Help => print(args::USAGE),
        Command::Presign(args) => {
            let job = Job::build(&args)?;
            let signer = Signer::new(Credentials::from_env()?);
            let signed = job.request.sign_at(&signer, job.at)?;
            print(&job.render(&signed)?)
        }
        Command::MultipartUrls(args) => print(&multipart_urls::render(&args)?),
        Command::Upload(args) => print(&upload::run(*args)?),
    }
}

/// Writes `text` and a newline to stdout; a closed pipe is an error, not a panic.
fn print(text: &str) -> Result<(), CliError> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "{text}").and_then(|()| out.flush()).map_err(CliError::Output)
}
