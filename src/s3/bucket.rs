//! Validated S3 bucket names (s3-spec §10).

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize, Serializer};

use crate::error::{Error, Result};
use crate::s3::region::Region;

/// A bucket name that S3 accepts.
///
/// [`BucketName::new`] enforces every naming rule for general purpose buckets (s3-spec §10,
/// rules 1–14), so a name that passes is also DNS-compliant. Names of buckets created in
/// us-east-1 before 2018-03-01 may break those rules (uppercase letters, `_`, up to 255
/// characters); [`BucketName::legacy`] accepts them and marks them as not virtual-hostable,
/// so they are addressed path-style. Directory buckets (`--x-s3`, S3 Express One Zone) are
/// not supported yet and are refused.
///
/// `FromStr`, `TryFrom<String>` and serde deserialization apply [`BucketName::new`]'s rules;
/// serialization writes the name.
///
/// ```
/// use presign::s3::bucket::BucketName;
/// let bucket = BucketName::new("my-uploads")?;
/// assert_eq!(bucket.as_str(), "my-uploads");
/// assert!(bucket.is_virtual_hostable() && !bucket.has_dots());
///
/// let err = BucketName::new("My_Bucket").unwrap_err();
/// assert_eq!(err.code(), "INVALID_BUCKET");
///
/// let old = BucketName::legacy("My_Bucket")?;
/// assert!(old.is_legacy() && !old.is_virtual_hostable());
/// # Ok::<(), presign::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
#[serde(try_from = "String")]
pub struct BucketName {
    name: Box<str>,
    legacy: bool,
}

/// Reserved prefixes (rules 6–8): IDN punycode, S3 internals and AWS documentation names.
const RESERVED_PREFIXES: [&str; 3] = ["xn--", "sthree-", "amzn-s3-demo-"];

/// Reserved suffixes (rules 9–11 and 13): aliases of other S3 resources.
const RESERVED_SUFFIXES: [(&str, &str); 4] = [
    ("-s3alias", "access point aliases"),
    ("--ol-s3", "Object Lambda access point aliases"),
    (".mrap", "Multi-Region Access Points"),
    ("--table-s3", "S3 Tables buckets"),
];

/// Suffix of directory bucket names (rule 12).
const DIRECTORY_SUFFIX: &str = "--x-s3";

/// Suffix of names in the account regional namespace (rule 14).
const ACCOUNT_REGIONAL_SUFFIX: &str = "-an";

/// Digits of the account id in an account regional namespace name.
const ACCOUNT_ID_DIGITS: usize = 12;

/// Length limit of pre-2018 us-east-1 names.
const LEGACY_MAX_LEN: usize = 255;

impl BucketName {
    /// A general purpose bucket name, checked against every rule of s3-spec §10.
    ///
    /// ```
    /// use presign::s3::bucket::BucketName;
    /// assert!(BucketName::new("logs.example.com").is_ok());
    /// assert!(BucketName::new("mybucket-111122223333-us-west-2-an").is_ok());
    /// for bad in ["ab", "192.168.5.4", "xn--bucket", "my-bucket-s3alias", "base--usw2-az1--x-s3"] {
    ///     assert!(BucketName::new(bad).is_err(), "{bad}");
    /// }
    /// ```
    pub fn new(name: impl Into<String>) -> Result<BucketName> {
        let name = name.into();
        match general_rule_broken(&name) {
            None => Ok(BucketName { name: name.into(), legacy: false }),
            Some(reason) => Err(Error::InvalidBucket { bucket: name, reason }),
        }
    }

    /// A bucket name that may also follow the rules of us-east-1 before 2018-03-01:
    /// 3–255 letters (either case), digits, `.`, `-` and `_`, in dot-separated labels that
    /// begin and end with a letter or digit, and not shaped like an IP address.
    ///
    /// A name that satisfies today's rules gives the same value as [`BucketName::new`];
    /// any other accepted name is flagged [`is_legacy`](BucketName::is_legacy) and is not
    /// virtual-hostable.
    ///
    /// ```
    /// use presign::s3::bucket::BucketName;
    /// assert_eq!(BucketName::legacy("photos")?, BucketName::new("photos")?);
    /// assert!(BucketName::legacy("Photos_2016").is_ok_and(|b| b.is_legacy()));
    /// assert!(BucketName::legacy("a/b").is_err());
    /// # Ok::<(), presign::Error>(())
    /// ```
    pub fn legacy(name: impl Into<String>) -> Result<BucketName> {
        let name = name.into();
        if general_rule_broken(&name).is_none() {
            return Ok(BucketName { name: name.into(), legacy: false });
        }
        match legacy_rule_broken(&name) {
            None => Ok(BucketName { name: name.into(), legacy: true }),
            Some(reason) => Err(Error::InvalidBucket { bucket: name, reason: reason.into() }),
        }
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.name
    }

    /// Whether the name only passes the pre-2018 us-east-1 rules.
    pub fn is_legacy(&self) -> bool {
        self.legacy
    }

    /// Whether the name can be a DNS label of a virtual-hosted-style host
    /// (`<bucket>.s3.<region>.amazonaws.com`): true for every name [`BucketName::new`]
    /// accepts, false for legacy names (uppercase letters or `_` are not DNS-compliant).
    ///
    /// Over HTTPS a name with dots is still unusable virtual-hosted, because S3's wildcard
    /// certificate does not match it; see [`BucketName::has_dots`].
    pub fn is_virtual_hostable(&self) -> bool {
        !self.legacy
    }

    /// Whether the name contains `.` (no virtual-hosted HTTPS, no Transfer Acceleration).
    pub fn has_dots(&self) -> bool {
        self.name.contains('.')
    }

    /// Whether S3 Transfer Acceleration can serve the bucket: its name must be DNS-compliant
    /// and free of dots (rule 15).
    pub fn supports_transfer_acceleration(&self) -> bool {
        self.is_virtual_hostable() && !self.has_dots()
    }
}

/// The first general purpose naming rule `name` breaks, as a sentence naming it.
fn general_rule_broken(name: &str) -> Option<Cow<'static, str>> {
    if name.ends_with(DIRECTORY_SUFFIX) {
        return Some(
            "names ending in --x-s3 belong to directory buckets (S3 Express One Zone), which this crate does not support yet"
                .into(),
        );
    }
    if !(3..=63).contains(&name.len()) {
        return Some(format!("bucket names are 3 to 63 characters long (this one has {})", name.len()).into());
    }
    if let Some(c) = name.chars().find(|c| !matches!(c, 'a'..='z' | '0'..='9' | '.' | '-')) {
        return Some(bad_character(c));
    }
    shape_rule_broken(name).or_else(|| reserved_rule_broken(name))
}

/// The message for a character outside `a-z 0-9 . -` (rule 2).
fn bad_character(c: char) -> Cow<'static, str> {
    let legacy = if c.is_ascii_uppercase() || c == '_' {
        "; a bucket created in us-east-1 before 2018-03-01 may have one: use BucketName::legacy"
    } else {
        ""
    };
    format!("bucket names contain only lowercase letters, digits, '.' and '-' (found {c:?}){legacy}").into()
}

/// Rules 3–5, which also make the name a valid DNS name.
fn shape_rule_broken(name: &str) -> Option<Cow<'static, str>> {
    let alnum_ends =
        name.starts_with(|c: char| c.is_ascii_alphanumeric()) && name.ends_with(|c: char| c.is_ascii_alphanumeric());
    if !alnum_ends {
        return Some("bucket names begin and end with a letter or digit".into());
    }
    if name.contains("..") {
        return Some("bucket names cannot contain two adjacent periods".into());
    }
    if looks_like_ip_address(name) {
        return Some("bucket names cannot be formatted as an IP address".into());
    }
    None
}

/// Rules 6–14: reserved prefixes and suffixes.
fn reserved_rule_broken(name: &str) -> Option<Cow<'static, str>> {
    if let Some(prefix) = RESERVED_PREFIXES.iter().find(|prefix| name.starts_with(*prefix)) {
        return Some(format!("bucket names cannot start with the reserved prefix {prefix:?}").into());
    }
    if let Some((suffix, what)) = RESERVED_SUFFIXES.iter().find(|(suffix, _)| name.ends_with(suffix)) {
        return Some(format!("bucket names cannot end with {suffix:?}, which is reserved for {what}").into());
    }
    if name.ends_with(ACCOUNT_REGIONAL_SUFFIX) && !is_account_regional_name(name) {
        return Some(
            "bucket names end with \"-an\" only in the account regional namespace form <prefix>-<12-digit account id>-<region>-an"
                .into(),
        );
    }
    None
}

/// Rule 5: four dot-separated groups of digits, like `192.168.5.4`.
fn looks_like_ip_address(name: &str) -> bool {
    let mut labels = 0;
    for label in name.split('.') {
        if label.is_empty() || !label.bytes().all(|b| b.is_ascii_digit()) {
            return false;
        }
        labels += 1;
    }
    labels == 4
}

/// Whether `name` is `<prefix>-<12-digit account id>-<AWS region code>-an` (rule 14).
fn is_account_regional_name(name: &str) -> bool {
    let Some(rest) = name.strip_suffix(ACCOUNT_REGIONAL_SUFFIX) else {
        return false;
    };
    Region::ALL.iter().any(|region| {
        let before_region = rest.strip_suffix(region.code()).and_then(|r| r.strip_suffix('-'));
        let Some((prefix, account)) = before_region.and_then(|r| r.rsplit_once('-')) else {
            return false;
        };
        !prefix.is_empty() && account.len() == ACCOUNT_ID_DIGITS && account.bytes().all(|b| b.is_ascii_digit())
    })
}

/// What breaks the pre-2018 us-east-1 rules, if anything.
fn legacy_rule_broken(name: &str) -> Option<&'static str> {
    if !(3..=LEGACY_MAX_LEN).contains(&name.len()) {
        return Some("even legacy us-east-1 bucket names are 3 to 255 characters long");
    }
    if !name.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_')) {
        return Some("legacy us-east-1 bucket names contain only letters, digits, '.', '-' and '_'");
    }
    let labels_ok = name.split('.').all(|label| {
        label.starts_with(|c: char| c.is_ascii_alphanumeric()) && label.ends_with(|c: char| c.is_ascii_alphanumeric())
    });
    if !labels_ok {
        return Some("each dot-separated part of a legacy bucket name begins and ends with a letter or digit");
    }
    if looks_like_ip_address(name) {
        return Some("bucket names cannot be formatted as an IP address");
    }
    None
}

impl FromStr for BucketName {
    type Err = Error;

    fn from_str(name: &str) -> Result<BucketName> {
        BucketName::new(name)
    }
}

impl TryFrom<String> for BucketName {
    type Error = Error;

    fn try_from(name: String) -> Result<BucketName> {
        BucketName::new(name)
    }
}

impl TryFrom<&str> for BucketName {
    type Error = Error;

    fn try_from(name: &str) -> Result<BucketName> {
        BucketName::new(name)
    }
}

impl AsRef<str> for BucketName {
    fn as_ref(&self) -> &str {
        &self.name
    }
}

impl fmt::Display for BucketName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}

impl Serialize for BucketName {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(name: &str) -> String {
        match BucketName::new(name) {
            Ok(_) => panic!("{name:?} was accepted"),
            Err(err) => {
                assert_eq!(err.code(), "INVALID_BUCKET");
                err.to_string()
            }
        }
    }

    fn assert_refused_for(name: &str, words: &str) {
        let message = refused(name);
        assert!(message.contains(words), "{name:?}: {message}");
    }

    #[test]
    fn rule_1_length_3_to_63() {
        assert!(BucketName::new("abc").is_ok());
        assert!(BucketName::new("a".repeat(63)).is_ok());
        assert_refused_for("ab", "3 to 63");
        assert_refused_for(&"a".repeat(64), "3 to 63");
        assert_refused_for("", "3 to 63");
    }

    #[test]
    fn rule_2_lowercase_letters_digits_dots_and_hyphens() {
        assert!(BucketName::new("my.bucket-01").is_ok());
        assert_refused_for("My-bucket", "BucketName::legacy");
        assert_refused_for("my_bucket", "BucketName::legacy");
        for bad in ["my bucket", "my/bucket", "my+bucket", "bücket"] {
            assert_refused_for(bad, "only lowercase letters");
        }
    }

    #[test]
    fn rule_3_begin_and_end_with_a_letter_or_digit() {
        for bad in ["-bucket", "bucket-", ".bucket", "bucket."] {
            assert_refused_for(bad, "begin and end");
        }
        assert!(BucketName::new("0bucket9").is_ok());
    }

    #[test]
    fn rule_4_no_adjacent_periods() {
        assert_refused_for("my..bucket", "two adjacent periods");
    }

    #[test]
    fn rule_5_not_an_ip_address() {
        assert_refused_for("192.168.5.4", "IP address");
        assert!(BucketName::new("192.168.5").is_ok());
        assert!(BucketName::new("192.168.5.4a").is_ok());
    }

    #[test]
    fn rules_6_to_8_reserved_prefixes() {
        for bad in ["xn--bucket", "sthree-bucket", "sthree-configurator", "amzn-s3-demo-bucket"] {
            assert_refused_for(bad, "reserved prefix");
        }
        assert!(BucketName::new("xn-bucket").is_ok());
    }

    #[test]
    fn rules_9_to_13_reserved_suffixes() {
        for bad in ["my-bucket-s3alias", "my-bucket--ol-s3", "my-bucket.mrap", "my-bucket--table-s3"] {
            assert_refused_for(bad, "reserved for");
        }
        // Rule 12, with the directory bucket example of s3-spec §10.
        assert_refused_for("bucket-base-name--usw2-az1--x-s3", "directory buckets");
    }

    #[test]
    fn rule_14_an_suffix_only_in_the_account_regional_namespace() {
        assert!(BucketName::new("mybucket-111122223333-us-west-2-an").is_ok());
        assert!(BucketName::new("my-bucket-111122223333-us-gov-west-1-an").is_ok());
        // The doc example `amzn-s3-demo-bucket-111122223333-us-west-2-an` uses the reserved
        // documentation prefix (rule 8), so it is refused for that.
        assert_refused_for("amzn-s3-demo-bucket-111122223333-us-west-2-an", "reserved prefix");
        for bad in [
            "my-bucket-an",
            "mybucket-11112222333-us-west-2-an",
            "mybucket-1111222233334-us-west-2-an",
            "mybucket-111122223333-us-west-9-an",
            "mybucket-111122223333-an",
            "111122223333-us-west-2-an",
            "mybucket-11112222333x-us-west-2-an",
        ] {
            assert_refused_for(bad, "account regional namespace");
        }
    }

    #[test]
    fn rule_15_dotted_names_cannot_use_transfer_acceleration() {
        let dotted = BucketName::new("logs.example.com").unwrap();
        assert!(dotted.has_dots() && dotted.is_virtual_hostable() && !dotted.supports_transfer_acceleration());
        assert!(BucketName::new("logs-example").unwrap().supports_transfer_acceleration());
    }

    #[test]
    fn legacy_us_east_1_names() {
        // s3-spec §10: up to 255 characters, uppercase letters and underscores.
        let old = BucketName::legacy("My_Old.Bucket").unwrap();
        assert!(old.is_legacy() && !old.is_virtual_hostable() && !old.supports_transfer_acceleration());
        assert!(BucketName::legacy("A".repeat(255)).is_ok());
        assert!(!BucketName::legacy("my-bucket").unwrap().is_legacy());
        for bad in ["", "ab", "a/b", "a b", "a..b", "_abc", "abc_", "abc._d", "10.0.0.1", &"A".repeat(256)] {
            assert_eq!(BucketName::legacy(bad).map_err(|e| e.code()), Err("INVALID_BUCKET"), "{bad:?}");
        }
    }

    #[test]
    fn accessors_display_and_serde() {
        let bucket: BucketName = "my-bucket".parse().unwrap();
        assert_eq!(
            (bucket.as_str(), bucket.as_ref(), bucket.to_string().as_str()),
            ("my-bucket", "my-bucket", "my-bucket")
        );
        assert_eq!(BucketName::try_from(String::from("my-bucket")).unwrap(), bucket);
        let json = serde_json::to_string(&bucket).unwrap();
        assert_eq!(json, "\"my-bucket\"");
        assert_eq!(serde_json::from_str::<BucketName>(&json).unwrap(), bucket);
        assert!(serde_json::from_str::<BucketName>("\"My_Bucket\"").is_err());
    }

    #[test]
    fn the_error_names_the_bucket() {
        let err = BucketName::new("UPPER").unwrap_err();
        assert!(matches!(&err, Error::InvalidBucket { bucket, .. } if bucket == "UPPER"));
    }
}
