//! `presign upload` in a build without the `reqwest` feature: there is no HTTP client to send
//! with, so the command says how to get one instead of failing later.

use crate::args::UploadCommand;
use crate::error::CliError;

/// Always the error that names the missing feature.
pub fn run(_args: UploadCommand) -> Result<String, CliError> {
    Err(CliError::argument(
        "upload sends requests and this build has no HTTP client: build the example with `--features reqwest` \
         (e.g. cargo run --example presign --features reqwest -- upload FILE s3://BUCKET/KEY)",
    ))
}
