//! The CLI's errors: the library's, plus the two only a command line has.

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
        }
    }

    fn hint(&self) -> &'static str {
        match self {
            CliError::Argument(_) => "run `presign --help` for usage",
            CliError::Presign(error) => error.hint(),
            CliError::Output(_) => "check that stdout is writable (a closed pipe ends the output)",
        }
    }

    /// The line printed after `error: `, with line breaks (which an echoed argument may hold)
    /// turned into spaces, so that the error is always one line.
    pub fn line(&self) -> String {
        self.to_string().replace(['\n', '\r'], " ")
    }

    /// 2 for bad input, as command-line tools use for usage errors; 1 when only the output
    /// failed.
    pub fn exit_code(&self) -> ExitCode {
        match self {
            CliError::Output(_) => ExitCode::FAILURE,
            CliError::Argument(_) | CliError::Presign(_) => ExitCode::from(2),
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
        }
        write!(f, " (hint: {})", self.hint())
    }
}

impl From<presign::Error> for CliError {
    fn from(error: presign::Error) -> CliError {
        CliError::Presign(error)
    }
}
