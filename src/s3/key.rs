//! Validated S3 object keys, and unique keys for uploaded files.
//!
//! # What a key may contain
//!
//! S3 takes any UTF-8 string of 1 to 1,024 bytes as a key (s3-spec §4), `/` being an ordinary
//! character. [`ObjectKey`] keeps that, with two exceptions, both about URLs that would
//! silently address something other than the key that was signed:
//!
//! - **`.` and `..` path segments.** S3 signs and serves the path verbatim (s3-spec §3), but
//!   much of the software between a URL and S3 removes dot segments first (RFC 3986 §5.2.4):
//!   every WHATWG URL parser (browsers' `fetch`, Node's `URL`, the `url` crate behind
//!   `reqwest`), curl unless given `--path-as-is`, and nginx, which matches locations
//!   against the normalised URI and forwards that URI when `proxy_pass` names one. The key
//!   `a/../b` then reaches S3 as `b`, `..` as the bucket root, and, in a path-style URL, `../x`
//!   as bucket `x`. Even where the signature check catches the rewrite, the URL is
//!   unusable. MinIO refuses such paths outright (its `hasBadPathComponent`). So any segment
//!   that is exactly `.` or `..` is refused, including harmless-looking inner ones such as
//!   `a/./b`. Segments are split at `\` too: a Windows-hosted server once mapped a decoded
//!   `\` to `/` (MinIO, CVE-2023-28433), which turns `a\..\b` into a traversal.
//! - **NUL (U+0000).** Servers that keep keys as C strings or file names cut the key at NUL,
//!   addressing a different object.
//!
//! The other characters s3-spec §4 lists as needing special handling (`& $ @ = ; : + , ?`,
//! space, the other ASCII control characters) or to avoid (backslash, `{ } ^ %`, the grave
//! accent, `[ ] " < > ~ # |`) are
//! accepted: the signer percent-encodes every byte of a key except `A-Z a-z 0-9 - . _ ~ /`,
//! so none of them reaches the HTTP request line or a header raw, and none changes which key
//! a URL names. Keys made by [`UploadKey`] contain none of them.

use std::borrow::Cow;
use std::collections::hash_map::RandomState;
use std::fmt;
use std::hash::BuildHasher;
use std::str::FromStr;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize, Serializer};

use crate::error::{Error, Result};

/// The longest key S3 and R2 accept, in bytes of UTF-8 (s3-spec §4).
pub const MAX_KEY_BYTES: usize = 1024;

/// An S3 object key that addresses exactly one object: 1–1,024 bytes of UTF-8, no NUL, no
/// `.` or `..` path segment (see the [module documentation](crate::s3::key) for why).
///
/// `FromStr`, `TryFrom` and serde deserialization validate; serialization writes the key.
///
/// ```
/// use presign::s3::key::ObjectKey;
/// let key = ObjectKey::new("uploads/2024/photo (1).jpg")?;
/// assert_eq!(key.as_str(), "uploads/2024/photo (1).jpg");
/// assert!(ObjectKey::new("a//b").is_ok()); // S3 keeps `//`; nothing normalises it away
///
/// for bad in ["", "..", "../other-bucket/x", "a/./b", "a/b/.."] {
///     assert_eq!(ObjectKey::new(bad).unwrap_err().code(), "INVALID_KEY");
/// }
/// # Ok::<(), presign::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
#[serde(try_from = "String")]
pub struct ObjectKey(Box<str>);

impl ObjectKey {
    /// Validates `key`.
    pub fn new(key: impl Into<String>) -> Result<ObjectKey> {
        let key = key.into();
        match rule_broken(&key) {
            None => Ok(ObjectKey(key.into())),
            Some(reason) => Err(Error::InvalidKey { reason }),
        }
    }

    /// The key, unencoded.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The rule `key` breaks, if any.
fn rule_broken(key: &str) -> Option<Cow<'static, str>> {
    if key.is_empty() {
        return Some("an object key cannot be empty".into());
    }
    if key.len() > MAX_KEY_BYTES {
        return Some(format!("an object key is at most 1024 bytes of UTF-8 (this one has {})", key.len()).into());
    }
    if key.contains('\0') {
        return Some(
            "an object key cannot contain NUL: servers that store keys as C strings would cut it there".into(),
        );
    }
    if key.split(['/', '\\']).any(|segment| segment == "." || segment == "..") {
        return Some(
            "an object key cannot have a '.' or '..' path segment: URL parsers and proxies remove them, so the URL would address another key, the bucket root or another bucket"
                .into(),
        );
    }
    None
}

impl FromStr for ObjectKey {
    type Err = Error;

    fn from_str(key: &str) -> Result<ObjectKey> {
        ObjectKey::new(key)
    }
}

impl TryFrom<String> for ObjectKey {
    type Error = Error;

    fn try_from(key: String) -> Result<ObjectKey> {
        ObjectKey::new(key)
    }
}

impl TryFrom<&str> for ObjectKey {
    type Error = Error;

    fn try_from(key: &str) -> Result<ObjectKey> {
        ObjectKey::new(key)
    }
}

impl AsRef<str> for ObjectKey {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ObjectKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for ObjectKey {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl From<UploadKey> for ObjectKey {
    fn from(upload: UploadKey) -> ObjectKey {
        upload.key
    }
}

/// A fresh, unique key for an uploaded file: `[prefix]{id}_{file name}`, the seed plan's
/// `{uploadId}_{filename}` scheme made safe.
///
/// - The id is 23 characters of lowercase Crockford base32: 10 for the time in milliseconds
///   (ids sort by creation time, as the system clock sees it) and 13 for a per-process
///   counter passed through a bijective mix keyed by per-process random bits. Ids never repeat within a process, whatever the
///   threads, and two processes collide only if their 64-bit mixes meet in the same
///   millisecond.
/// - The file name is [`sanitize_file_name`]'s, cut to at most 255 bytes (and to what the
///   1,024-byte key limit leaves), keeping its extension.
///
/// ```
/// use presign::s3::key::UploadKey;
/// let upload = UploadKey::generate("../../etc/passwd");
/// assert_eq!(upload.file_name(), "passwd");
/// assert_eq!(upload.key().as_str(), format!("{}_passwd", upload.id()));
///
/// let upload = UploadKey::generate_under("uploads/", "Résumé 2024.pdf")?;
/// assert!(upload.key().as_str().starts_with("uploads/"));
/// assert!(upload.key().as_str().ends_with("_Résumé_2024.pdf"));
/// # Ok::<(), presign::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct UploadKey {
    key: ObjectKey,
    id: String,
    /// Where the file name starts in `key`.
    name_start: usize,
}

/// Length of an upload id.
const ID_LEN: usize = 23;

/// Longest file name kept in a key (the usual file system limit, so the name can be saved
/// back to disk as is).
const MAX_FILE_NAME_BYTES: usize = 255;

/// Shortest room a prefix must leave for the file name (`file`).
const MIN_FILE_NAME_BYTES: usize = 4;

/// The name used when nothing of the original survives sanitising.
const FALLBACK_NAME: &str = "file";

impl UploadKey {
    /// A key `{id}_{sanitised file_name}`.
    pub fn generate(file_name: &str) -> UploadKey {
        let id = unique_id();
        let name = fit(&sanitize_file_name(file_name), MAX_FILE_NAME_BYTES).into_owned();
        let name_start = id.len() + 1;
        // The key cannot break a rule: it is at most 23 + 1 + 255 bytes, has no NUL, and its
        // only segment starts with the id.
        let key = ObjectKey(format!("{id}_{name}").into());
        UploadKey { key, id, name_start }
    }

    /// A key `{prefix}{id}_{sanitised file_name}`, e.g. under `uploads/`. The prefix is kept
    /// verbatim (add the `/` yourself); the whole key must be valid and the prefix must
    /// leave at least 4 bytes for the file name.
    pub fn generate_under(prefix: &str, file_name: &str) -> Result<UploadKey> {
        let room = MAX_KEY_BYTES.saturating_sub(prefix.len() + ID_LEN + 1);
        if room < MIN_FILE_NAME_BYTES {
            return Err(Error::InvalidKey {
                reason: format!("the key prefix is too long: it leaves {room} of the 1024 bytes for the file name")
                    .into(),
            });
        }
        let id = unique_id();
        let name = fit(&sanitize_file_name(file_name), room.min(MAX_FILE_NAME_BYTES)).into_owned();
        let name_start = prefix.len() + id.len() + 1;
        let key = ObjectKey::new(format!("{prefix}{id}_{name}"))?;
        Ok(UploadKey { key, id, name_start })
    }

    /// The unique id in the key (the plan's `uploadId` of a single-PUT upload).
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The key.
    pub fn key(&self) -> &ObjectKey {
        &self.key
    }

    /// The sanitised file name at the end of the key, e.g. for a `Content-Disposition`.
    pub fn file_name(&self) -> &str {
        self.key.as_str().get(self.name_start..).unwrap_or(FALLBACK_NAME)
    }

    /// The key, consuming the upload key.
    pub fn into_key(self) -> ObjectKey {
        self.key
    }
}

/// Makes a user-supplied file name safe and tidy inside an object key.
///
/// - Only the last path component is kept (`/` and `\` both separate; browsers on Windows
///   have sent full local paths, which should not end up public in a key), so `..` traversal
///   disappears with the directories.
/// - Control characters and invisible formatting characters (bidirectional overrides that
///   can disguise `exe` as `txt`, zero-width characters, soft hyphens, byte order marks) are
///   removed.
/// - Whitespace becomes `_`, as do ASCII characters other than letters, digits, `-`, `_` and
///   `.` (they need special handling in URLs, s3-spec §4), fullwidth ASCII punctuation and
///   look-alikes of `/` and `\`. Runs of `_` made this way collapse to one.
/// - Other Unicode characters (letters, digits and combining marks of any script, emoji)
///   are kept, and so is the extension.
/// - Leading and trailing `.` are removed (no hidden files; S3's console cannot download
///   keys ending in `.`), and an empty result becomes `file`.
///
/// The result is not length-limited; [`UploadKey`] cuts it to fit.
///
/// ```
/// use presign::s3::key::sanitize_file_name;
/// assert_eq!(sanitize_file_name(r"C:\Users\me\My Photo (1).JPG"), "My_Photo_1_.JPG");
/// assert_eq!(sanitize_file_name("фото отпуск.jpg"), "фото_отпуск.jpg");
/// assert_eq!(sanitize_file_name("../.."), "file");
/// assert_eq!(sanitize_file_name("invoice\u{202E}fdp.exe"), "invoicefdp.exe");
/// ```
pub fn sanitize_file_name(file_name: &str) -> String {
    let base = file_name.rsplit(['/', '\\']).find(|part| !part.trim().is_empty()).unwrap_or_default();
    let mut out = String::with_capacity(base.len());
    for c in base.trim().chars() {
        match classify(c) {
            Keep::Yes => out.push(c),
            Keep::Drop => {}
            Keep::Replace => {
                if !out.ends_with('_') {
                    out.push('_');
                }
            }
        }
    }
    let trimmed = out.trim_matches('.');
    if trimmed.is_empty() || trimmed == "_" { FALLBACK_NAME.to_string() } else { trimmed.to_string() }
}

/// What happens to one character of a file name.
enum Keep {
    Yes,
    Drop,
    Replace,
}

/// Whitespace (tabs included) is checked before control characters so that it becomes `_`.
fn classify(c: char) -> Keep {
    if c.is_whitespace() {
        Keep::Replace
    } else if c.is_control() || is_invisible_format(c) {
        Keep::Drop
    } else if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
        Keep::Yes
    } else if c.is_ascii() || is_separator_lookalike(c) {
        Keep::Replace
    } else {
        Keep::Yes
    }
}

/// Invisible characters that change how a name displays: soft hyphen, Arabic letter mark,
/// zero-width space/joiners, directional marks, embeddings and overrides, word joiner and
/// invisible operators, directional isolates, byte order mark.
fn is_invisible_format(c: char) -> bool {
    matches!(c, '\u{AD}' | '\u{61C}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}')
}

/// Characters that look like, or normalise (NFKC) to, ASCII punctuation or a path separator:
/// fullwidth ASCII punctuation, fraction and division slashes, big and small solidi.
fn is_separator_lookalike(c: char) -> bool {
    (('\u{FF01}'..='\u{FF5E}').contains(&c) && !c.is_alphanumeric())
        || matches!(c, '\u{2044}' | '\u{2215}' | '\u{29F8}' | '\u{29F9}' | '\u{FE68}')
}

/// Longest extension kept whole when a name is cut.
const MAX_EXTENSION_BYTES: usize = 16;

/// `name` cut to at most `max` bytes on a character boundary, keeping a short extension.
/// `max` is at least [`MIN_FILE_NAME_BYTES`].
fn fit(name: &str, max: usize) -> Cow<'_, str> {
    if name.len() <= max {
        return Cow::Borrowed(name);
    }
    let extension = name.rsplit_once('.').filter(|(stem, ext)| {
        !stem.is_empty() && !ext.is_empty() && ext.len() <= MAX_EXTENSION_BYTES && ext.len() + 2 <= max
    });
    if let Some((stem, ext)) = extension {
        let stem = cut(stem, max - ext.len() - 1).trim_end_matches('.');
        if !stem.is_empty() {
            return Cow::Owned(format!("{stem}.{ext}"));
        }
    }
    match cut(name, max).trim_end_matches('.') {
        "" => Cow::Borrowed(FALLBACK_NAME),
        short => Cow::Borrowed(short),
    }
}

/// The longest prefix of `s` of at most `max` bytes that ends on a character boundary.
fn cut(s: &str, max: usize) -> &str {
    let end = s.char_indices().map(|(i, c)| i + c.len_utf8()).take_while(|&end| end <= max).last().unwrap_or(0);
    s.get(..end).unwrap_or_default()
}

/// Crockford's base32 alphabet, lowercase: no `i l o u`, ascending in ASCII so that ids sort
/// by their numeric value.
const ALPHABET: &[u8; 32] = b"0123456789abcdefghjkmnpqrstvwxyz";

/// A new upload id: 10 base32 digits of milliseconds since 1970, 13 of the mixed counter.
fn unique_id() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let count = COUNTER.fetch_add(1, Ordering::Relaxed);
    let millis = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis());
    let millis = u64::try_from(millis).unwrap_or(u64::MAX);
    let mut id = String::with_capacity(ID_LEN);
    push_base32(&mut id, millis, 10);
    push_base32(&mut id, mix(count ^ process_key()), 13);
    id
}

/// Appends the low `5 * digits` bits of `value`, most significant digit first.
fn push_base32(out: &mut String, value: u64, digits: u32) {
    for digit in (0..digits).rev() {
        let index = value.checked_shr(digit * 5).unwrap_or(0) & 31;
        out.push(char::from(ALPHABET[index as usize]));
    }
}

/// SplitMix64's finaliser: a bijection on `u64`, so distinct counters give distinct ids,
/// and consecutive ones look unrelated.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// 64 random bits chosen once per process. std's `RandomState` is seeded from the operating
/// system's random source, so hashing with it gives random bits without a dependency.
fn process_key() -> u64 {
    static KEY: OnceLock<u64> = OnceLock::new();
    *KEY.get_or_init(|| RandomState::new().hash_one((std::process::id(), SystemTime::now())))
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;
    use std::time::Duration;

    use proptest::prelude::*;
    use time::macros::datetime;

    use super::*;
    use crate::Credentials;
    use crate::sigv4::{Request, Signer, SigningConfig};

    fn refused(key: &str) -> bool {
        ObjectKey::new(key).map_err(|e| e.code()) == Err("INVALID_KEY")
    }

    /// The path of the presigned GET URL our signer produces for `key` (path-style, bucket
    /// `examplebucket`), and that path as a WHATWG URL parser (the `url` crate, via reqwest)
    /// reads it.
    fn signed_and_parsed_paths(key: &str) -> (String, String) {
        let creds = Credentials::new("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY").unwrap();
        let path = format!("/examplebucket/{key}");
        let request = Request::new("GET", "s3.amazonaws.com", &path);
        let config = SigningConfig::s3("us-east-1").unwrap();
        let now = datetime!(2013-05-24 00:00:00 UTC);
        let url = Signer::new(creds).presign_at(&request, &config, Duration::from_secs(60), now).unwrap();
        let signed = url.path_and_query().split('?').next().unwrap_or_default().to_string();
        let parsed = reqwest::Url::parse(&format!("https://s3.amazonaws.com{}", url.path_and_query())).unwrap();
        (signed, parsed.path().to_string())
    }

    #[test]
    fn length_is_1_to_1024_bytes_of_utf8() {
        // s3-spec §4: "maximum 1,024 bytes"; the limit is in bytes, not characters.
        assert!(refused(""));
        assert!(ObjectKey::new("a".repeat(1024)).is_ok());
        assert!(refused(&"a".repeat(1025)));
        let euros = "€".repeat(341); // 1,023 bytes
        assert!(ObjectKey::new(format!("{euros}a")).is_ok());
        assert!(refused(&format!("{euros}ab")));
    }

    #[test]
    fn keys_are_case_sensitive_and_slash_is_a_character() {
        // s3-spec §4: case sensitive; `/` has no special meaning; §3: `my-object//example//photo.user`.
        assert_ne!(ObjectKey::new("Photo.jpg").unwrap(), ObjectKey::new("photo.jpg").unwrap());
        for key in ["my-object//example//photo.user", "/leading", "trailing/", "/", "soap"] {
            assert!(ObjectKey::new(key).is_ok(), "{key:?}");
        }
    }

    #[test]
    fn characters_needing_special_handling_are_accepted() {
        // s3-spec §4 safe, "special handling" and "avoid" lists: all encodable, so all kept.
        let safe = "0-9a-zA-Z/!-_.*'()";
        let special = "&$@=;:+,? \u{1}\u{1f}\u{7f}";
        let avoid = "\\{}^%`[]\"<>~#|\u{80}\u{ff}";
        for key in [safe, special, avoid, "file.", "file..", "...", ".hidden", "a/.b/c.."] {
            assert!(ObjectKey::new(key).is_ok(), "{key:?}");
        }
        assert!(refused("a\0b"));
    }

    #[test]
    fn dot_segments_are_refused() {
        for key in [".", "..", "./", "../", "../x", "a/../../x", "a/./b", "a/b/..", "a/.", "x/../y", "a\\..\\b", ".\\x"]
        {
            assert!(refused(key), "{key:?}");
        }
    }

    #[test]
    fn whatwg_parsers_rewrite_the_refused_keys() {
        // Why the rule exists (s3-spec §3): a WHATWG parser changes these URLs' paths.
        for key in ["..", "../x", "a/../../x", ".", "./", "a/./b", "a/b/.."] {
            let (signed, parsed) = signed_and_parsed_paths(key);
            assert_ne!(signed, parsed, "{key:?}");
        }
        assert_eq!(signed_and_parsed_paths("../other-bucket/x").1, "/other-bucket/x");
        assert_eq!(signed_and_parsed_paths("..").1, "/");
    }

    #[test]
    fn whatwg_parsers_keep_accepted_keys_with_dots_and_backslashes() {
        for key in ["...", ".a", "a.", "a//b", "%2e%2e", ".%2e/x", "a\\..\\b", "a/%2E/b"] {
            let (signed, parsed) = signed_and_parsed_paths(key);
            if ObjectKey::new(key).is_ok() {
                assert_eq!(signed, parsed, "{key:?}");
            }
        }
    }

    #[test]
    fn serde_and_conversions() {
        let key: ObjectKey = "a/b.txt".parse().unwrap();
        assert_eq!((key.as_str(), key.as_ref(), key.to_string().as_str()), ("a/b.txt", "a/b.txt", "a/b.txt"));
        assert_eq!(ObjectKey::try_from("a/b.txt").unwrap(), key);
        let json = serde_json::to_string(&key).unwrap();
        assert_eq!(json, "\"a/b.txt\"");
        assert_eq!(serde_json::from_str::<ObjectKey>(&json).unwrap(), key);
        assert!(serde_json::from_str::<ObjectKey>("\"../x\"").is_err());
    }

    #[test]
    fn sanitizing_keeps_names_and_extensions() {
        let cases = [
            ("photo.jpg", "photo.jpg"),
            ("my photo.jpg", "my_photo.jpg"),
            ("  spaced  out  .txt ", "spaced_out_.txt"),
            ("/home/bob/report.pdf", "report.pdf"),
            ("C:\\fakepath\\report.pdf", "report.pdf"),
            ("dir/", "dir"),
            ("..", "file"),
            ("../../etc/passwd", "passwd"),
            (".bashrc", "bashrc"),
            ("name.", "name"),
            ("", "file"),
            ("???", "file"),
            ("\u{0}\u{1}\u{7f}", "file"),
            ("写真.png", "写真.png"),
            ("नमस्ते.txt", "नमस्ते.txt"),
            ("cafe\u{301}.txt", "cafe\u{301}.txt"),
            ("a\u{FF0F}b\u{2215}c.txt", "a_b_c.txt"),
            ("tab\there.csv", "tab_here.csv"),
            ("zero\u{200B}width.txt", "zerowidth.txt"),
            ("🎉 party.gif", "🎉_party.gif"),
        ];
        for (input, expected) in cases {
            assert_eq!(sanitize_file_name(input), expected, "{input:?}");
        }
    }

    #[test]
    fn long_names_are_cut_keeping_the_extension() {
        let upload = UploadKey::generate(&format!("{}.jpeg", "x".repeat(1000)));
        assert_eq!(upload.file_name().len(), MAX_FILE_NAME_BYTES);
        assert!(upload.file_name().ends_with("x.jpeg"));
        let upload = UploadKey::generate(&"é".repeat(200)); // 400 bytes, no extension
        assert!(upload.file_name().len() <= MAX_FILE_NAME_BYTES && upload.file_name().chars().all(|c| c == 'é'));
        let prefix = "p/".repeat(490); // leaves 1024 - 980 - 24 = 20 bytes
        let upload = UploadKey::generate_under(&prefix, &format!("{}.tar.gz", "y".repeat(100))).unwrap();
        assert_eq!(upload.key().as_str().len(), MAX_KEY_BYTES);
        assert!(upload.file_name().ends_with(".gz"));
    }

    #[test]
    fn prefixes_are_validated() {
        let upload = UploadKey::generate_under("uploads/", "a.txt").unwrap();
        assert_eq!(upload.key().as_str(), format!("uploads/{}_a.txt", upload.id()));
        assert_eq!(upload.file_name(), "a.txt");
        assert_eq!(upload.clone().into_key(), ObjectKey::from(upload));
        for bad in ["../", "a/../", "./", "x\0/"] {
            assert!(UploadKey::generate_under(bad, "a.txt").is_err(), "{bad:?}");
        }
        assert!(UploadKey::generate_under(&"p".repeat(997), "a.txt").is_err());
        assert!(UploadKey::generate_under(&"p".repeat(996), "a.txt").is_ok());
        assert_eq!(UploadKey::generate_under("", "a.txt").unwrap().file_name(), "a.txt");
    }

    #[test]
    fn ids_are_url_safe_and_sorted_by_time() {
        let first = UploadKey::generate("a");
        std::thread::sleep(Duration::from_millis(2));
        let second = UploadKey::generate("a");
        for id in [first.id(), second.id()] {
            assert_eq!(id.len(), ID_LEN);
            assert!(id.bytes().all(|b| ALPHABET.contains(&b)), "{id}");
        }
        assert!(first.id() < second.id());
    }

    #[test]
    fn ids_are_unique_across_threads() {
        const THREADS: usize = 8;
        const PER_THREAD: usize = 20_000;
        let handles: Vec<_> = (0..THREADS)
            .map(|_| std::thread::spawn(|| (0..PER_THREAD).map(|_| unique_id()).collect::<Vec<_>>()))
            .collect();
        let mut seen = HashSet::new();
        for handle in handles {
            for id in handle.join().unwrap() {
                assert!(seen.insert(id), "duplicate id");
            }
        }
        assert_eq!(seen.len(), THREADS * PER_THREAD);
    }

    #[test]
    fn the_counter_mix_is_a_bijection_on_small_ranges() {
        let mixed: HashSet<u64> = (0..100_000u64).map(mix).collect();
        assert_eq!(mixed.len(), 100_000);
    }

    fn assert_clean_upload(upload: &UploadKey) {
        let key = upload.key().as_str();
        assert!(ObjectKey::new(key).is_ok(), "{key:?}");
        assert!(key.len() <= MAX_KEY_BYTES);
        let name = upload.file_name();
        assert!(!name.is_empty() && name.len() <= MAX_FILE_NAME_BYTES);
        assert!(!name.starts_with('.') && !name.ends_with('.'));
        assert!(!name.chars().any(|c| c == '/' || c == '\\' || c.is_control() || is_invisible_format(c)), "{name:?}");
        assert!(key.ends_with(&format!("{}_{name}", upload.id())));
    }

    proptest! {
        #[test]
        fn any_file_name_gives_a_valid_key(name in any::<String>()) {
            assert_clean_upload(&UploadKey::generate(&name));
        }

        #[test]
        fn any_long_name_fits_under_a_prefix(name in ".{0,1200}", prefix_len in 0usize..996) {
            let prefix = "u/".repeat(prefix_len / 2);
            let upload = UploadKey::generate_under(&prefix, &name).unwrap();
            assert_clean_upload(&upload);
        }

        #[test]
        // The stem ends in a letter or digit: a blank stem leaves a dot file (" .0" is ".0"),
        // whose leading dot is dropped, so it has no extension to keep.
        fn extensions_survive(stem in "[a-zA-Z0-9 ]{0,599}[a-zA-Z0-9]", ext in "[a-z0-9]{1,8}") {
            let upload = UploadKey::generate(&format!("{stem}.{ext}"));
            prop_assert!(upload.file_name().ends_with(&format!(".{ext}")), "{}", upload.file_name());
        }

        #[test]
        fn unicode_letters_survive(name in "\\p{L}{1,60}") {
            prop_assert_eq!(sanitize_file_name(&name), name);
        }

        #[test]
        fn accepted_keys_reach_the_server_unchanged(key in "[a-z./\\\\%]{1,12}") {
            // A WHATWG parser (url crate) leaves the signed path of every accepted key alone.
            if ObjectKey::new(key.as_str()).is_ok() {
                let (signed, parsed) = signed_and_parsed_paths(&key);
                prop_assert_eq!(signed, parsed);
            }
        }
    }
}
