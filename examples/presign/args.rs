//! The command line, parsed with std only: the subcommand, then flags in any order.
//!
//! Parsing checks the shape of the command line only (which flags, how many values, the
//! `s3://` URL); every error here is `INVALID_ARGUMENT`. What the values mean is checked by
//! the library when the request is built ([`crate::request`]), with its own error codes.
//!
//! Flags come in groups (where to send the request, how to sign it, what the request carries,
//! upload options, encryption), each a struct with a `take` method: each subcommand is a
//! [`Command`] variant that offers every flag to the groups it takes.

use std::ffi::OsString;

use presign::s3::Method;

use crate::error::CliError;

/// What `--help` prints.
pub const USAGE: &str = r#"presign: S3 presigned URLs, computed locally (no network) from the credentials in the environment.

Usage:
  presign <get|put|head|delete> s3://BUCKET/KEY [options]
  presign multipart-urls s3://BUCKET/KEY --upload-id ID --size BYTES [--part-size BYTES] [options]
  presign upload FILE s3://BUCKET/KEY [options]
  presign --help

KEY is the raw object key (everything after BUCKET/), not URL-encoded.
Credentials: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, and AWS_SESSION_TOKEN for temporary ones.
Output: the URL on stdout. With --json: {"method","url","headers","expiresAt"}, where "headers"
are the headers the client must send, with exactly these values.

multipart-urls: the presigned UploadPart URL of every part of an upload already created, one
per line; no network. Each URL is bound to its part's Content-Length. With --json:
{"uploadId","objectSize","partSize","partCount","parts":[{"partNumber","uploadUrl","headers",
"offset","size","expiresAt"}]}. Takes the "Where to" and "Signing" options and:
  --upload-id ID             the UploadId CreateMultipartUpload answered
  --size BYTES               the object's size (at least 5 MiB)
  --part-size BYTES          the size of every part but the last (default: the smallest whole
                             MiB, at least 5 MiB, that fits the object in 10,000 parts)

upload: sends FILE to S3 (the one command that uses the network, and only with the `reqwest`
feature). Under 5 MiB: one presigned PUT. Otherwise a multipart upload: created with the
"Uploads (put)" and "Encryption" options, parts PUT in parallel through presigned URLs (each
retried with exponential backoff), then completed; aborted if it cannot finish (Ctrl-C too).
A progress bar shows on a terminal. Prints "uploaded N bytes in M parts (or: in a single PUT)
to s3://BUCKET/KEY (etag E)"; with --json {"object","size","parts","multipart","etag"}. Takes
the options below except --date, --content-length, --checksum-sha256 and --sse-c-key, and:
  --part-size BYTES          as for multipart-urls
  --concurrency N            parts in flight at once, 1 to 64 (default 4; memory: N parts)
  --retries N                tries after the first for a part that fails with a network error
                             or a 5xx/429 answer, 0 to 10 (default 3)

Where to:
  --region REGION            signing region (default us-east-1)
  --endpoint URL             an S3-compatible server, http[s]://host[:port] (path-style by default)
  --path-style               the bucket goes in the path (AWS: needed for bucket names with dots)
  --virtual-hosted           the bucket goes in the host name (for --endpoint; the AWS default)
  --dualstack                AWS dual-stack (IPv4 and IPv6) host
  --fips                     AWS FIPS host (us-east-1/2, us-west-1/2, ca-central-1, ca-west-1, GovCloud)
  --accelerate               AWS S3 Transfer Acceleration host
  --r2-account ID            Cloudflare R2 account id (32 hex digits); signs for region "auto"

Signing:
  --expires SECONDS          how long the URL works, 1 to 604800 (default 3600)
  --date YYYYMMDDTHHMMSSZ    sign at this instant instead of now, e.g. 20130524T000000Z
  --json                     print JSON instead of the bare URL

Request:
  --header 'Name: value'     a header the client must send, signed (repeatable)
  --query 'name=value'       a query parameter, raw: it is encoded for you (repeatable)
  --version-id ID            a specific version of the object
  --response-content-disposition VALUE
                             (get) the Content-Disposition S3 answers with

Uploads (put):
  --content-type TYPE        Content-Type stored with the object
  --content-length BYTES     the body must be exactly this many bytes
  --storage-class CLASS      e.g. STANDARD_IA, INTELLIGENT_TIERING, GLACIER_IR
  --metadata NAME=VALUE      user metadata x-amz-meta-NAME (repeatable)
  --tagging KEY=VALUE        one object tag (repeat the flag for more tags; raw, encoded for you)
  --acl ACL                  canned ACL, e.g. private, bucket-owner-full-control
  --if-none-match            fail with 412 if the key already exists (If-None-Match: *)
  --checksum-sha256 BASE64   base64 SHA-256 of the body the client will send

Encryption:
  --sse AES256|aws:kms|aws:kms:dsse
                             server-side encryption for the new object (put)
  --kms-key-id ID            KMS key id, key ARN, alias/NAME or alias ARN (aws:kms, aws:kms:dsse)
  --kms-context JSON         KMS encryption context, a JSON object of strings
  --bucket-key               use an S3 Bucket Key (aws:kms)
  --sse-c-key BASE64         SSE-C with your 32-byte AES-256 key (any method); the client must
                             send the key too, so such a URL is not a shareable link

A flag's value may also be written --flag=VALUE (needed when the value starts with "--").
Exit status: 0 on success; 2 on bad input, 1 when the server, the network or FILE fails (upload),
130 when interrupted; on failure, one line on stderr:
  error: CODE: message (hint: ...)
"#;

/// What the command line asks for.
#[derive(Debug)]
pub enum Command {
    /// `--help`, `-h` or `help`: print [`USAGE`].
    Help,
    /// `get|put|head|delete s3://BUCKET/KEY [options]` (boxed: it is large, and `Help` is not).
    Presign(Box<PresignArgs>),
    /// `multipart-urls s3://BUCKET/KEY --upload-id ID --size BYTES [options]`.
    MultipartUrls(Box<MultipartUrlsArgs>),
    /// `upload FILE s3://BUCKET/KEY [options]`.
    Upload(Box<UploadCommand>),
}

/// Everything `presign multipart-urls` takes, as given (values unchecked).
#[derive(Debug)]
pub struct MultipartUrlsArgs {
    pub object: S3Url,
    pub target: TargetArgs,
    pub signing: SigningArgs,
    pub upload_id: String,
    pub size: String,
    pub part_size: Option<String>,
}

/// Everything `presign upload` takes, as given (values unchecked).
#[derive(Debug)]
// Without the `reqwest` feature the upload module, which reads these, is not built.
#[cfg_attr(not(all(feature = "reqwest", feature = "multipart")), allow(dead_code))]
pub struct UploadCommand {
    /// The file to send, as written (a path, not checked yet).
    pub file: String,
    pub object: S3Url,
    pub flags: PresignFlags,
    pub transfer: TransferArgs,
}

/// How `upload` moves the bytes.
#[derive(Debug, Default)]
#[cfg_attr(not(all(feature = "reqwest", feature = "multipart")), allow(dead_code))]
pub struct TransferArgs {
    pub part_size: Option<String>,
    pub concurrency: Option<String>,
    pub retries: Option<String>,
}

/// Everything `presign <method>` takes, as given (values unchecked).
#[derive(Debug)]
pub struct PresignArgs {
    pub method: Method,
    pub object: S3Url,
    pub flags: PresignFlags,
}

/// The flags of `presign <method>`, by group.
#[derive(Debug, Default)]
pub struct PresignFlags {
    pub target: TargetArgs,
    pub signing: SigningArgs,
    pub request: RequestArgs,
    pub upload: UploadArgs,
    pub encryption: EncryptionArgs,
}

/// `s3://BUCKET/KEY`, split; neither part is checked yet.
#[derive(Debug)]
pub struct S3Url {
    pub bucket: String,
    /// Everything after `BUCKET/`, raw.
    pub key: String,
}

/// Where the request goes.
#[derive(Debug, Default)]
pub struct TargetArgs {
    pub region: Option<String>,
    pub endpoint: Option<String>,
    pub r2_account: Option<String>,
    pub path_style: bool,
    pub virtual_hosted: bool,
    pub dualstack: bool,
    pub fips: bool,
    pub accelerate: bool,
}

/// How and when to sign, and how to print.
#[derive(Debug, Default)]
pub struct SigningArgs {
    pub expires: Option<String>,
    pub date: Option<String>,
    pub json: bool,
}

/// What any request may carry.
#[derive(Debug, Default)]
pub struct RequestArgs {
    /// `--header 'Name: value'`, split at the first `:`.
    pub headers: Vec<(String, String)>,
    /// `--query 'name=value'`, split at the first `=`.
    pub query: Vec<(String, String)>,
    pub version_id: Option<String>,
    pub response_content_disposition: Option<String>,
}

/// What an upload stores with the object.
#[derive(Debug, Default)]
pub struct UploadArgs {
    pub content_type: Option<String>,
    pub content_length: Option<String>,
    pub storage_class: Option<String>,
    pub metadata: Vec<(String, String)>,
    pub tagging: Vec<(String, String)>,
    pub acl: Option<String>,
    pub if_none_match: bool,
    pub checksum_sha256: Option<String>,
}

/// Server-side encryption.
#[derive(Debug, Default)]
pub struct EncryptionArgs {
    pub sse: Option<String>,
    pub kms_key_id: Option<String>,
    pub kms_context: Option<String>,
    pub bucket_key: bool,
    pub sse_c_key: Option<String>,
}

/// Parses the arguments after the program name.
pub fn parse(args: impl IntoIterator<Item = OsString>) -> Result<Command, CliError> {
    let mut input = Input::new(args)?;
    if input.asks_for_help() {
        return Ok(Command::Help);
    }
    let command = match input.next() {
        Some(Token::Positional(command)) => command,
        Some(Token::Flag(flag)) => {
            return Err(CliError::argument(format!("expected a command ({COMMANDS}) before {}", flag.name)));
        }
        None => return Err(CliError::argument(format!("no command given: expected {COMMANDS}"))),
    };
    let method = match command.as_str() {
        "get" => Method::Get,
        "put" => Method::Put,
        "head" => Method::Head,
        "delete" => Method::Delete,
        _ => return other_command(&command, input),
    };
    PresignArgs::parse(method, input).map(|args| Command::Presign(Box::new(args)))
}

/// The commands that do not presign one request.
fn other_command(command: &str, input: Input) -> Result<Command, CliError> {
    match command {
        "multipart-urls" => MultipartUrlsArgs::parse(input).map(|args| Command::MultipartUrls(Box::new(args))),
        "upload" => UploadCommand::parse(input).map(|args| Command::Upload(Box::new(args))),
        "help" => Ok(Command::Help),
        other => Err(CliError::argument(format!("unknown command {other:?}: expected {COMMANDS}"))),
    }
}

/// The commands, for error messages.
const COMMANDS: &str = "get, put, head, delete, multipart-urls or upload";

/// The object URL, the only positional argument of `get|put|head|delete` and `multipart-urls`.
const OBJECT: &str = "s3://BUCKET/KEY";

impl PresignArgs {
    fn parse(method: Method, input: Input) -> Result<PresignArgs, CliError> {
        let mut flags = PresignFlags::default();
        let [url] = input.parse_rest([OBJECT], |flag, input| flags.take(flag, input))?;
        Ok(PresignArgs { method, object: S3Url::parse(&url)?, flags })
    }
}

impl MultipartUrlsArgs {
    fn parse(input: Input) -> Result<MultipartUrlsArgs, CliError> {
        let (mut target, mut signing) = (TargetArgs::default(), SigningArgs::default());
        let (mut upload_id, mut size, mut part_size) = (None, None, None);
        let [url] = input.parse_rest([OBJECT], |flag, input| {
            Ok(match flag.name.as_str() {
                "--upload-id" => input.once(flag, &mut upload_id).map(|()| true)?,
                "--size" => input.once(flag, &mut size).map(|()| true)?,
                "--part-size" => input.once(flag, &mut part_size).map(|()| true)?,
                _ => target.take(flag, input)? || signing.take(flag, input)?,
            })
        })?;
        let required = |value: Option<String>, flag: &str| {
            value.ok_or_else(|| CliError::argument(format!("multipart-urls needs {flag}")))
        };
        Ok(MultipartUrlsArgs {
            object: S3Url::parse(&url)?,
            target,
            signing,
            upload_id: required(upload_id, "--upload-id ID")?,
            size: required(size, "--size BYTES")?,
            part_size,
        })
    }
}

impl UploadCommand {
    fn parse(input: Input) -> Result<UploadCommand, CliError> {
        let (mut flags, mut transfer) = (PresignFlags::default(), TransferArgs::default());
        let [file, url] = input
            .parse_rest(["FILE", OBJECT], |flag, input| Ok(transfer.take(flag, input)? || flags.take(flag, input)?))?;
        Ok(UploadCommand { file, object: S3Url::parse(&url)?, flags, transfer })
    }
}

impl TransferArgs {
    fn take(&mut self, flag: &Flag, input: &mut Input) -> Result<bool, CliError> {
        match flag.name.as_str() {
            "--part-size" => input.once(flag, &mut self.part_size)?,
            "--concurrency" => input.once(flag, &mut self.concurrency)?,
            "--retries" => input.once(flag, &mut self.retries)?,
            _ => return Ok(false),
        }
        Ok(true)
    }
}

impl PresignFlags {
    /// Offers `flag` to each group; false if none knows it.
    fn take(&mut self, flag: &Flag, input: &mut Input) -> Result<bool, CliError> {
        Ok(self.target.take(flag, input)?
            || self.signing.take(flag, input)?
            || self.request.take(flag, input)?
            || self.upload.take(flag, input)?
            || self.encryption.take(flag, input)?)
    }
}

impl S3Url {
    fn parse(url: &str) -> Result<S3Url, CliError> {
        let rest =
            url.get(..5).filter(|scheme| scheme.eq_ignore_ascii_case("s3://")).map(|_| &url[5..]).ok_or_else(|| {
                CliError::argument(format!("{} is not an s3:// URL: expected s3://BUCKET/KEY", shown(url)))
            })?;
        let (bucket, key) = rest.split_once('/').ok_or_else(|| {
            CliError::argument(format!("{} names no object: expected s3://BUCKET/KEY (KEY after the '/')", shown(url)))
        })?;
        Ok(S3Url { bucket: bucket.to_string(), key: key.to_string() })
    }
}

/// An argument quoted for an error message, cut at `?`: a pasted presigned URL carries a
/// session token in its query string, and stderr must never show one.
fn shown(text: &str) -> String {
    match text.split_once('?') {
        Some((before, _)) => format!("{:?}", format!("{before}?…")),
        None => format!("{text:?}"),
    }
}

impl TargetArgs {
    fn take(&mut self, flag: &Flag, input: &mut Input) -> Result<bool, CliError> {
        match flag.name.as_str() {
            "--region" => input.once(flag, &mut self.region)?,
            "--endpoint" => input.once(flag, &mut self.endpoint)?,
            "--r2-account" => input.once(flag, &mut self.r2_account)?,
            "--path-style" => input.switch(flag, &mut self.path_style)?,
            "--virtual-hosted" => input.switch(flag, &mut self.virtual_hosted)?,
            "--dualstack" => input.switch(flag, &mut self.dualstack)?,
            "--fips" => input.switch(flag, &mut self.fips)?,
            "--accelerate" => input.switch(flag, &mut self.accelerate)?,
            _ => return Ok(false),
        }
        Ok(true)
    }
}

impl SigningArgs {
    fn take(&mut self, flag: &Flag, input: &mut Input) -> Result<bool, CliError> {
        match flag.name.as_str() {
            "--expires" => input.once(flag, &mut self.expires)?,
            "--date" => input.once(flag, &mut self.date)?,
            "--json" => input.switch(flag, &mut self.json)?,
            _ => return Ok(false),
        }
        Ok(true)
    }
}

impl RequestArgs {
    fn take(&mut self, flag: &Flag, input: &mut Input) -> Result<bool, CliError> {
        match flag.name.as_str() {
            "--header" => input.pair(flag, ':', "'Name: value'", &mut self.headers)?,
            "--query" => input.pair(flag, '=', "'name=value'", &mut self.query)?,
            "--version-id" => input.once(flag, &mut self.version_id)?,
            "--response-content-disposition" => input.once(flag, &mut self.response_content_disposition)?,
            _ => return Ok(false),
        }
        Ok(true)
    }
}

impl UploadArgs {
    fn take(&mut self, flag: &Flag, input: &mut Input) -> Result<bool, CliError> {
        match flag.name.as_str() {
            "--content-type" => input.once(flag, &mut self.content_type)?,
            "--content-length" => input.once(flag, &mut self.content_length)?,
            "--storage-class" => input.once(flag, &mut self.storage_class)?,
            "--metadata" => input.pair(flag, '=', "NAME=VALUE", &mut self.metadata)?,
            "--tagging" => input.pair(flag, '=', "KEY=VALUE", &mut self.tagging)?,
            "--acl" => input.once(flag, &mut self.acl)?,
            "--if-none-match" => input.switch(flag, &mut self.if_none_match)?,
            "--checksum-sha256" => input.once(flag, &mut self.checksum_sha256)?,
            _ => return Ok(false),
        }
        Ok(true)
    }
}

impl EncryptionArgs {
    fn take(&mut self, flag: &Flag, input: &mut Input) -> Result<bool, CliError> {
        match flag.name.as_str() {
            "--sse" => input.once(flag, &mut self.sse)?,
            "--kms-key-id" => input.once(flag, &mut self.kms_key_id)?,
            "--kms-context" => input.once(flag, &mut self.kms_context)?,
            "--bucket-key" => input.switch(flag, &mut self.bucket_key)?,
            "--sse-c-key" => input.once(flag, &mut self.sse_c_key)?,
            _ => return Ok(false),
        }
        Ok(true)
    }
}

/// One command-line word, classified.
enum Token {
    /// `--name` or `--name=value` (the value is then inline), or `-x`.
    Flag(Flag),
    /// Anything else, and everything after `--`.
    Positional(String),
}

/// A flag as written: its name, and the value after `=` if any.
struct Flag {
    name: String,
    inline: Option<String>,
}

/// The remaining words of the command line.
struct Input {
    words: std::vec::IntoIter<String>,
    /// Set after `--`: later words are positional even if they start with `-`.
    positional_only: bool,
}

impl Input {
    /// Takes the arguments; refuses words that are not UTF-8 (keys and header values are text).
    fn new(args: impl IntoIterator<Item = OsString>) -> Result<Input, CliError> {
        let words = args
            .into_iter()
            .enumerate()
            .map(|(i, word)| {
                word.into_string().map_err(|_| CliError::argument(format!("argument {} is not valid UTF-8", i + 1)))
            })
            .collect::<Result<Vec<String>, CliError>>()?;
        Ok(Input { words: words.into_iter(), positional_only: false })
    }

    /// Reads the rest of the command line: exactly the positional arguments `expected` names
    /// (in order, e.g. `["FILE", "s3://BUCKET/KEY"]`), and flags, each offered to `take`, which
    /// says whether it knew the flag.
    fn parse_rest<const N: usize>(
        mut self,
        expected: [&str; N],
        mut take: impl FnMut(&Flag, &mut Input) -> Result<bool, CliError>,
    ) -> Result<[String; N], CliError> {
        let mut positionals = Vec::with_capacity(N);
        while let Some(token) = self.next() {
            match token {
                Token::Positional(text) if positionals.len() < N => positionals.push(text),
                Token::Positional(text) => {
                    let (text, usage) = (shown(&text), expected.join(" "));
                    return Err(CliError::argument(format!("unexpected argument {text}: give {usage}")));
                }
                Token::Flag(flag) if !take(&flag, &mut self)? => {
                    return Err(CliError::argument(format!("unknown flag {}", flag.name)));
                }
                Token::Flag(_) => {}
            }
        }
        positionals.try_into().map_err(|given: Vec<String>| {
            let missing = expected[given.len()];
            match N {
                1 => CliError::argument(format!("missing {missing}")),
                _ => CliError::argument(format!("missing {missing}: expected {}", expected.join(" "))),
            }
        })
    }

    /// `-h` or `--help` anywhere before `--`.
    fn asks_for_help(&self) -> bool {
        self.words.as_slice().iter().take_while(|w| *w != "--").any(|w| w == "-h" || w == "--help")
    }

    fn next(&mut self) -> Option<Token> {
        let word = self.words.next()?;
        if self.positional_only || word == "-" || !word.starts_with('-') {
            return Some(Token::Positional(word));
        }
        if word == "--" {
            self.positional_only = true;
            return self.next();
        }
        let flag = match word.split_once('=') {
            Some((name, value)) if name.starts_with("--") => {
                Flag { name: name.to_string(), inline: Some(value.into()) }
            }
            _ => Flag { name: word, inline: None },
        };
        Some(Token::Flag(flag))
    }

    /// The flag's value: inline, or the next word unless that is another flag.
    fn value(&mut self, flag: &Flag) -> Result<String, CliError> {
        if let Some(value) = &flag.inline {
            return Ok(value.clone());
        }
        let next_is_value = self.words.as_slice().first().is_some_and(|w| !w.starts_with("--"));
        match self.words.next() {
            Some(value) if next_is_value => Ok(value),
            _ => Err(CliError::argument(format!(
                "{0} needs a value ({0} VALUE, or {0}=VALUE if it starts with \"--\")",
                flag.name
            ))),
        }
    }

    /// A flag given at most once.
    fn once(&mut self, flag: &Flag, slot: &mut Option<String>) -> Result<(), CliError> {
        if slot.is_some() {
            return Err(CliError::argument(format!("{} is given twice", flag.name)));
        }
        *slot = Some(self.value(flag)?);
        Ok(())
    }

    /// A repeatable flag whose value is `name<separator>value`; the name must not be empty.
    fn pair(
        &mut self,
        flag: &Flag,
        separator: char,
        shape: &str,
        list: &mut Vec<(String, String)>,
    ) -> Result<(), CliError> {
        let text = self.value(flag)?;
        match text.split_once(separator) {
            Some((name, value)) if !name.is_empty() => {
                list.push((name.to_string(), value.to_string()));
                Ok(())
            }
            _ => Err(CliError::argument(format!("{} expects {shape}", flag.name))),
        }
    }

    /// A flag without a value.
    fn switch(&mut self, flag: &Flag, slot: &mut bool) -> Result<(), CliError> {
        if flag.inline.is_some() {
            return Err(CliError::argument(format!("{} takes no value", flag.name)));
        }
        *slot = true;
        Ok(())
    }
}
