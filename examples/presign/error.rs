//! The CLI's errors: the library's, plus those only a command line has.

use std::fmt;
use std::process::ExitCode;

/// Why the command failed.
#[derive(Debug)]
pub enum CliError {
    /// The command line is malformed (unknown flag, missing value, bad `s3://` URL…):
    /// `INVALID_ARGUMENT`, a code that exists only in the CLI.
    Argument(String),
    /// The library refused a value, or signing failed.
    Presign(presign::Error),
    /// The result could not be written to stdout.
    Output(std::io::Error),
    /// `upload`'s FILE could not be read (the path as given, and why).
    // Only the upload module, which needs the `reqwest` feature, makes these two.
    #[cfg_attr(not(all(feature = "reqwest", feature = "multipart")), allow(dead_code))]
    File(String, std::io::Error),
    /// `upload` was stopped by Ctrl-C (a multipart upload in progress was aborted).
    #[cfg_attr(not(all(feature = "reqwest", feature = "multipart")), allow(dead_code))]
    Interrupted,
}

impl CliError {
    /// Shorthand for [`CliError::Argument`].
    pub fn argument(message: impl Into<String>) -> CliError {
        CliError::Argument(message.into())
    }

    /// The stable code printed first on the error line.
    pub fn code(&self) -> &'static str {
        match self {
            CliError::Argument(_) => "INVALID_ARGUMENT",
            CliError::Presign(error) => error.code(),
            CliError::Output(_) => "OUTPUT_ERROR",
            CliError::File(..) => "FILE_ERROR",
            CliError::Interrupted => "INTERRUPTED",
        }
    }

    fn hint(&self) -> &'static str {
        match self {
            CliError::Argument(_) => "run `presign --help` for usage",
            CliError::Presign(error) => error.hint(),
            CliError::Output(_) => "check that stdout is writable (a closed pipe ends the output)",
            CliError::File(..) => "give a regular file that exists and can be read",
            CliError::Interrupted => "run the upload again",
        }
    }

    /// The line printed after `error: `, with line breaks (which an echoed argument may hold)
    /// turned into spaces, so that the error is always one line.
    pub fn line(&self) -> String {
        self.to_string().replace(['\n', '\r'], " ")
    }

    /// 2 for bad input, as command-line tools use for usage errors; 1 when the input was
    /// fine but the work failed (the output, the file, the server or the network); 130 after
    /// Ctrl-C, as shells report a process ended by SIGINT.
    pub fn exit_code(&self) -> ExitCode {
        match self {
            CliError::Presign(presign::Error::S3 { .. } | presign::Error::Transport { .. })
            | CliError::Presign(presign::Error::InvalidResponse { .. })
            | CliError::Output(_)
            | CliError::File(..) => ExitCode::FAILURE,
            CliError::Argument(_) | CliError::Presign(_) => ExitCode::from(2),
            CliError::Interrupted => ExitCode::from(130),
        }
    }
}

/// `CODE: message (hint: …)`. The library's messages never contain secrets, and the CLI's own
/// messages echo flag names and positional arguments but never a flag's value (it may be an
/// SSE-C key).
impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CliError::Argument(message) => write!(f, "{}: {message}", self.code())?,
            CliError::Presign(error) => write!(f, "{}: {error}", self.code())?,
            CliError::Output(error) => write!(f, "{}: cannot write the result: {error}", self.code())?,
            CliError::File(path, error) => write!(f, "{}: cannot read {path:?}: {error}", self.code())?,
            CliError::Interrupted => {
                write!(f, "{}: interrupted: the upload was stopped, nothing was stored", self.code())?
            }
        }
        write!(f, " (hint: {})", self.hint())
    }
}

impl From<presign::Error> for CliError {
    fn from(error: presign::Error) -> CliError {
        CliError::Presign(error)
    }
}
