//! AWS regions and partitions, plus custom regions for S3-compatible providers.
//!
//! The table of AWS regions below is the only place where a region's code, display name,
//! country, partition, opt-in status and S3 FIPS support are written down; every accessor
//! reads it. Its content comes from `reference/s3-spec.md` §8 (botocore `partitions.json`,
//! the 2019-03-20 opt-in rule) and §9 (which regions have S3 FIPS endpoints). Display names
//! and ISO 3166-1 alpha-2 country codes follow the seed plan's region table where it has
//! the region, and AWS's naming (as in §8) for the others.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize, Serializer};

use crate::error::{Error, Result};

/// An AWS partition: a group of regions sharing a DNS suffix and a bucket namespace
/// (s3-spec §8).
///
/// ```
/// use presign::s3::region::{Partition, Region};
/// assert_eq!(Region::CnNorth1.partition(), Some(Partition::AwsCn));
/// assert_eq!(Partition::AwsCn.dns_suffix(), "amazonaws.com.cn");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Partition {
    /// `aws`: the commercial regions.
    Aws,
    /// `aws-cn`: the China regions, run with separate China accounts.
    AwsCn,
    /// `aws-us-gov`: AWS GovCloud (US).
    AwsUsGov,
    /// `aws-eusc`: the AWS European Sovereign Cloud.
    AwsEusc,
}

impl Partition {
    /// The partition id as AWS writes it (`aws`, `aws-cn`, `aws-us-gov`, `aws-eusc`).
    pub fn id(self) -> &'static str {
        match self {
            Partition::Aws => "aws",
            Partition::AwsCn => "aws-cn",
            Partition::AwsUsGov => "aws-us-gov",
            Partition::AwsEusc => "aws-eusc",
        }
    }

    /// The DNS suffix of S3 hosts in this partition, e.g. `s3.<region>.amazonaws.com`.
    pub fn dns_suffix(self) -> &'static str {
        match self {
            Partition::Aws | Partition::AwsUsGov => "amazonaws.com",
            Partition::AwsCn => "amazonaws.com.cn",
            Partition::AwsEusc => "amazonaws.eu",
        }
    }
}

impl fmt::Display for Partition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// What the table knows about one AWS region.
struct Row {
    code: &'static str,
    name: &'static str,
    country: &'static str,
    partition: Partition,
    opt_in: bool,
    s3_fips: bool,
}

/// Declares [`Region`], [`Region::ALL`] and the code <-> row lookups from one table, so a
/// region's code, name, country and partition cannot drift apart.
macro_rules! aws_regions {
    ($( $variant:ident: $code:literal, $name:literal, $country:literal, $partition:ident,
        opt_in = $opt_in:literal, s3_fips = $fips:literal; )*) => {
        /// An S3 signing region: one of AWS's, or a custom one for an S3-compatible provider.
        ///
        /// `FromStr`, `Display` and serde use the region code (`eu-west-1`). Parsing and
        /// deserializing accept AWS codes only; build a custom region explicitly with
        /// [`Region::custom`], so a typo in an AWS region code is an error and not a silently
        /// unusable signature.
        ///
        /// ```
        /// use presign::s3::region::{Partition, Region};
        /// let region: Region = "eu-west-1".parse()?;
        /// assert_eq!(region, Region::EuWest1);
        /// assert_eq!(region.display_name(), "Europe (Ireland)");
        /// assert_eq!(region.country(), Some("IE"));
        /// assert_eq!(region.partition(), Some(Partition::Aws));
        /// assert!("eu-west-one".parse::<Region>().is_err());
        ///
        /// let minio = Region::custom("my-dc-1")?;
        /// assert_eq!(minio.code(), "my-dc-1");
        /// assert_eq!(minio.partition(), None);
        /// # Ok::<(), presign::Error>(())
        /// ```
        #[derive(Debug, Clone, PartialEq, Eq, Hash, Deserialize)]
        #[serde(try_from = "String")]
        #[non_exhaustive]
        pub enum Region {
            $(
                #[doc = concat!("`", $code, "`: ", $name, ".")]
                $variant,
            )*
            /// A region outside AWS's table, for S3-compatible providers (R2's `auto`,
            /// MinIO's configured region, …). Build it with [`Region::custom`].
            Custom(CustomRegion),
        }

        impl Region {
            /// Every AWS region this crate knows (all partitions), in table order.
            /// Custom regions are not listed.
            pub const ALL: &'static [Region] = &[$(Region::$variant),*];

            /// The table row of an AWS region; `None` for a custom region.
            fn row(&self) -> Option<&'static Row> {
                match self {
                    $(
                        Region::$variant => Some(&Row {
                            code: $code,
                            name: $name,
                            country: $country,
                            partition: Partition::$partition,
                            opt_in: $opt_in,
                            s3_fips: $fips,
                        }),
                    )*
                    Region::Custom(_) => None,
                }
            }

            /// The AWS region whose code is exactly `code`.
            fn from_aws_code(code: &str) -> Option<Region> {
                match code {
                    $($code => Some(Region::$variant),)*
                    _ => None,
                }
            }
        }
    };
}

aws_regions! {
    UsEast1: "us-east-1", "US East (N. Virginia)", "US", Aws, opt_in = false, s3_fips = true;
    UsEast2: "us-east-2", "US East (Ohio)", "US", Aws, opt_in = false, s3_fips = true;
    UsWest1: "us-west-1", "US West (N. California)", "US", Aws, opt_in = false, s3_fips = true;
    UsWest2: "us-west-2", "US West (Oregon)", "US", Aws, opt_in = false, s3_fips = true;
    AfSouth1: "af-south-1", "Africa (Cape Town)", "ZA", Aws, opt_in = true, s3_fips = false;
    ApEast1: "ap-east-1", "Asia Pacific (Hong Kong)", "HK", Aws, opt_in = true, s3_fips = false;
    ApEast2: "ap-east-2", "Asia Pacific (Taipei)", "TW", Aws, opt_in = true, s3_fips = false;
    ApNortheast1: "ap-northeast-1", "Asia Pacific (Tokyo)", "JP", Aws, opt_in = false, s3_fips = false;
    ApNortheast2: "ap-northeast-2", "Asia Pacific (Seoul)", "KR", Aws, opt_in = false, s3_fips = false;
    ApNortheast3: "ap-northeast-3", "Asia Pacific (Osaka)", "JP", Aws, opt_in = false, s3_fips = false;
    ApSouth1: "ap-south-1", "Asia Pacific (Mumbai)", "IN", Aws, opt_in = false, s3_fips = false;
    ApSouth2: "ap-south-2", "Asia Pacific (Hyderabad)", "IN", Aws, opt_in = true, s3_fips = false;
    ApSoutheast1: "ap-southeast-1", "Asia Pacific (Singapore)", "SG", Aws, opt_in = false, s3_fips = false;
    ApSoutheast2: "ap-southeast-2", "Asia Pacific (Sydney)", "AU", Aws, opt_in = false, s3_fips = false;
    ApSoutheast3: "ap-southeast-3", "Asia Pacific (Jakarta)", "ID", Aws, opt_in = true, s3_fips = false;
    ApSoutheast4: "ap-southeast-4", "Asia Pacific (Melbourne)", "AU", Aws, opt_in = true, s3_fips = false;
    ApSoutheast5: "ap-southeast-5", "Asia Pacific (Malaysia)", "MY", Aws, opt_in = true, s3_fips = false;
    ApSoutheast6: "ap-southeast-6", "Asia Pacific (New Zealand)", "NZ", Aws, opt_in = true, s3_fips = false;
    ApSoutheast7: "ap-southeast-7", "Asia Pacific (Thailand)", "TH", Aws, opt_in = true, s3_fips = false;
    CaCentral1: "ca-central-1", "Canada (Central)", "CA", Aws, opt_in = false, s3_fips = true;
    CaWest1: "ca-west-1", "Canada West (Calgary)", "CA", Aws, opt_in = true, s3_fips = true;
    EuCentral1: "eu-central-1", "Europe (Frankfurt)", "DE", Aws, opt_in = false, s3_fips = false;
    EuCentral2: "eu-central-2", "Europe (Zurich)", "CH", Aws, opt_in = true, s3_fips = false;
    EuNorth1: "eu-north-1", "Europe (Stockholm)", "SE", Aws, opt_in = false, s3_fips = false;
    EuSouth1: "eu-south-1", "Europe (Milan)", "IT", Aws, opt_in = true, s3_fips = false;
    EuSouth2: "eu-south-2", "Europe (Spain)", "ES", Aws, opt_in = true, s3_fips = false;
    EuWest1: "eu-west-1", "Europe (Ireland)", "IE", Aws, opt_in = false, s3_fips = false;
    EuWest2: "eu-west-2", "Europe (London)", "GB", Aws, opt_in = false, s3_fips = false;
    EuWest3: "eu-west-3", "Europe (Paris)", "FR", Aws, opt_in = false, s3_fips = false;
    IlCentral1: "il-central-1", "Israel (Tel Aviv)", "IL", Aws, opt_in = true, s3_fips = false;
    MeCentral1: "me-central-1", "Middle East (UAE)", "AE", Aws, opt_in = true, s3_fips = false;
    MeSouth1: "me-south-1", "Middle East (Bahrain)", "BH", Aws, opt_in = true, s3_fips = false;
    MxCentral1: "mx-central-1", "Mexico (Central)", "MX", Aws, opt_in = true, s3_fips = false;
    SaEast1: "sa-east-1", "South America (São Paulo)", "BR", Aws, opt_in = false, s3_fips = false;
    CnNorth1: "cn-north-1", "China (Beijing)", "CN", AwsCn, opt_in = false, s3_fips = false;
    CnNorthwest1: "cn-northwest-1", "China (Ningxia)", "CN", AwsCn, opt_in = false, s3_fips = false;
    UsGovEast1: "us-gov-east-1", "AWS GovCloud (US-East)", "US", AwsUsGov, opt_in = false, s3_fips = true;
    UsGovWest1: "us-gov-west-1", "AWS GovCloud (US-West)", "US", AwsUsGov, opt_in = false, s3_fips = true;
    EuscDeEast1: "eusc-de-east-1", "AWS European Sovereign Cloud (Germany)", "DE", AwsEusc, opt_in = false, s3_fips = false;
}

/// The region code of a [`Region::Custom`]: 1–64 letters, digits, `-`, `_` or `.`, and
/// never the code of an AWS region (those are always the named variants).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CustomRegion(Box<str>);

impl CustomRegion {
    /// The region code, as it goes into the signing scope.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CustomRegion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A custom region code is the region part of the SigV4 scope `date/region/s3/aws4_request`:
/// the same rule as the signer's (a `/` or a space would change the scope's meaning).
const MAX_CUSTOM_LEN: usize = 64;

impl Region {
    /// A region for an S3-compatible provider, e.g. `auto` for Cloudflare R2.
    ///
    /// `code` must be 1–64 letters, digits, `-`, `_` or `.` (it becomes part of the SigV4
    /// credential scope). The code of an AWS region gives that AWS region, so
    /// `Region::custom("us-east-1")` equals [`Region::UsEast1`].
    ///
    /// ```
    /// use presign::s3::region::Region;
    /// assert_eq!(Region::custom("auto")?.code(), "auto");
    /// assert_eq!(Region::custom("us-east-1")?, Region::UsEast1);
    /// assert!(Region::custom("us east").is_err());
    /// # Ok::<(), presign::Error>(())
    /// ```
    pub fn custom(code: &str) -> Result<Region> {
        if let Some(region) = Region::from_aws_code(code) {
            return Ok(region);
        }
        let invalid = |reason: &'static str| Error::InvalidRegion { region: code.into(), reason: reason.into() };
        if code.is_empty() {
            return Err(invalid("a custom region code cannot be empty"));
        }
        if code.len() > MAX_CUSTOM_LEN {
            return Err(invalid("a custom region code is at most 64 characters"));
        }
        if !code.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.')) {
            return Err(invalid("a custom region code has only letters, digits, '-', '_' and '.'"));
        }
        Ok(Region::Custom(CustomRegion(code.into())))
    }

    /// The region code (`us-east-1`, or the custom code), as it goes into the signing scope.
    pub fn code(&self) -> &str {
        match self {
            Region::Custom(custom) => custom.as_str(),
            known => known.row().map_or("", |row| row.code),
        }
    }

    /// A human-readable name such as `Europe (Ireland)`; a custom region's name is its code.
    pub fn display_name(&self) -> &str {
        match self {
            Region::Custom(custom) => custom.as_str(),
            known => known.row().map_or("", |row| row.name),
        }
    }

    /// The ISO 3166-1 alpha-2 code of the country the region is in (`IE`); `None` for a
    /// custom region.
    pub fn country(&self) -> Option<&'static str> {
        self.row().map(|row| row.country)
    }

    /// The AWS partition of the region; `None` for a custom region.
    pub fn partition(&self) -> Option<Partition> {
        self.row().map(|row| row.partition)
    }

    /// Whether an AWS account must enable the region before using it (commercial regions
    /// launched after 2019-03-20, s3-spec §8). False for custom regions and for the China,
    /// GovCloud and European Sovereign Cloud regions, which need their own kind of account
    /// instead.
    pub fn is_opt_in(&self) -> bool {
        self.row().is_some_and(|row| row.opt_in)
    }

    /// Whether S3 has a FIPS endpoint (`s3-fips.<region>.amazonaws.com`) in the region
    /// (s3-spec §9). False for custom regions.
    pub fn has_s3_fips(&self) -> bool {
        self.row().is_some_and(|row| row.s3_fips)
    }

    /// Whether this is a custom (non-AWS) region.
    pub fn is_custom(&self) -> bool {
        matches!(self, Region::Custom(_))
    }
}

impl FromStr for Region {
    type Err = Error;

    /// Parses an exact AWS region code; anything else is [`Error::InvalidRegion`], with the
    /// closest known code when one is near.
    fn from_str(code: &str) -> Result<Region> {
        Region::from_aws_code(code).ok_or_else(|| unknown_region(code))
    }
}

impl TryFrom<String> for Region {
    type Error = Error;

    fn try_from(code: String) -> Result<Region> {
        code.parse()
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl Serialize for Region {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        serializer.serialize_str(self.code())
    }
}

/// The error for a code that is not an AWS region, pointing at the nearest one and at
/// [`Region::custom`].
fn unknown_region(code: &str) -> Error {
    let custom_hint = "for an S3-compatible provider build the region with Region::custom";
    let reason = match closest_aws_code(code) {
        Some(near) => format!("not an AWS region code; did you mean {near:?}? ({custom_hint})"),
        None => format!("not an AWS region code (see Region::ALL; {custom_hint})"),
    };
    Error::InvalidRegion { region: code.into(), reason: reason.into() }
}

/// The AWS region code nearest to `code` (case and surrounding spaces ignored), if it is
/// within two edits: close enough to be a typo, not a different region.
fn closest_aws_code(code: &str) -> Option<&'static str> {
    const MAX_EDITS: usize = 2;
    let wanted = code.trim().to_ascii_lowercase();
    Region::ALL
        .iter()
        .filter_map(|region| region.row())
        .map(|row| (edit_distance(&wanted, row.code), row.code))
        .filter(|(distance, _)| *distance <= MAX_EDITS)
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, code)| code)
}

/// Levenshtein distance between two strings, by character.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current = Vec::with_capacity(b.len() + 1);
    for (i, a_char) in a.chars().enumerate() {
        current.clear();
        current.push(i + 1);
        for (j, b_char) in b.iter().enumerate() {
            let substitution = previous.get(j).map_or(usize::MAX, |d| d + usize::from(a_char != *b_char));
            let deletion = previous.get(j + 1).map_or(usize::MAX, |d| d + 1);
            let insertion = current.get(j).map_or(usize::MAX, |d| d + 1);
            current.push(substitution.min(deletion).min(insertion));
        }
        std::mem::swap(&mut previous, &mut current);
    }
    previous.last().copied().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sigv4::SigningConfig;

    /// The region codes of the table in s3-spec §8, in its order.
    const SPEC_CODES: [&str; 39] = [
        "us-east-1",
        "us-east-2",
        "us-west-1",
        "us-west-2",
        "af-south-1",
        "ap-east-1",
        "ap-east-2",
        "ap-northeast-1",
        "ap-northeast-2",
        "ap-northeast-3",
        "ap-south-1",
        "ap-south-2",
        "ap-southeast-1",
        "ap-southeast-2",
        "ap-southeast-3",
        "ap-southeast-4",
        "ap-southeast-5",
        "ap-southeast-6",
        "ap-southeast-7",
        "ca-central-1",
        "ca-west-1",
        "eu-central-1",
        "eu-central-2",
        "eu-north-1",
        "eu-south-1",
        "eu-south-2",
        "eu-west-1",
        "eu-west-2",
        "eu-west-3",
        "il-central-1",
        "me-central-1",
        "me-south-1",
        "mx-central-1",
        "sa-east-1",
        "cn-north-1",
        "cn-northwest-1",
        "us-gov-east-1",
        "us-gov-west-1",
        "eusc-de-east-1",
    ];

    fn codes_where(predicate: impl Fn(&Region) -> bool) -> Vec<&'static str> {
        Region::ALL.iter().filter(|r| predicate(r)).filter_map(|r| r.row()).map(|row| row.code).collect()
    }

    #[test]
    fn all_is_exactly_the_spec_table() {
        // s3-spec §8: every commercial (incl. opt-in), China, GovCloud and EU sovereign region.
        let codes: Vec<&str> = Region::ALL.iter().map(Region::code).collect();
        assert_eq!(codes, SPEC_CODES);
    }

    #[test]
    fn every_code_parses_back_and_displays_as_itself() {
        for region in Region::ALL {
            assert_eq!(region.code().parse::<Region>().as_ref(), Ok(region));
            assert_eq!(region.to_string(), region.code());
            assert!(!region.is_custom());
        }
    }

    #[test]
    fn partitions_and_dns_suffixes_follow_spec_section_8() {
        assert_eq!(codes_where(|r| r.partition() == Some(Partition::AwsCn)), ["cn-north-1", "cn-northwest-1"]);
        assert_eq!(codes_where(|r| r.partition() == Some(Partition::AwsUsGov)), ["us-gov-east-1", "us-gov-west-1"]);
        assert_eq!(codes_where(|r| r.partition() == Some(Partition::AwsEusc)), ["eusc-de-east-1"]);
        assert_eq!(codes_where(|r| r.partition() == Some(Partition::Aws)).len(), 34);
        let suffixes = [
            (Partition::Aws, "aws", "amazonaws.com"),
            (Partition::AwsCn, "aws-cn", "amazonaws.com.cn"),
            (Partition::AwsUsGov, "aws-us-gov", "amazonaws.com"),
            (Partition::AwsEusc, "aws-eusc", "amazonaws.eu"),
        ];
        for (partition, id, suffix) in suffixes {
            assert_eq!((partition.id(), partition.dns_suffix()), (id, suffix));
            assert_eq!(partition.to_string(), id);
        }
    }

    #[test]
    fn aws_partition_codes_match_the_partition_regex() {
        // s3-spec §8: aws partition regex `^(us|eu|ap|sa|ca|me|af|il|mx)\-\w+\-\d+$`.
        for code in codes_where(|r| r.partition() == Some(Partition::Aws)) {
            let mut parts = code.split('-');
            let area = parts.next().unwrap_or_default();
            assert!(["us", "eu", "ap", "sa", "ca", "me", "af", "il", "mx"].contains(&area), "{code}");
            assert!(parts.next_back().is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit())));
        }
    }

    #[test]
    fn opt_in_regions_follow_spec_section_8() {
        // "the 17 'no' regions are exactly the 'enabled by default' list".
        assert_eq!(codes_where(|r| r.partition() == Some(Partition::Aws) && !r.is_opt_in()).len(), 17);
        let opt_in = [
            "af-south-1",
            "ap-east-1",
            "ap-east-2",
            "ap-south-2",
            "ap-southeast-3",
            "ap-southeast-4",
            "ap-southeast-5",
            "ap-southeast-6",
            "ap-southeast-7",
            "ca-west-1",
            "eu-central-2",
            "eu-south-1",
            "eu-south-2",
            "il-central-1",
            "me-central-1",
            "me-south-1",
            "mx-central-1",
        ];
        assert_eq!(codes_where(Region::is_opt_in), opt_in);
    }

    #[test]
    fn s3_fips_regions_follow_spec_section_9() {
        let fips = [
            "us-east-1",
            "us-east-2",
            "us-west-1",
            "us-west-2",
            "ca-central-1",
            "ca-west-1",
            "us-gov-east-1",
            "us-gov-west-1",
        ];
        assert_eq!(codes_where(Region::has_s3_fips), fips);
    }

    #[test]
    fn seed_plan_names_and_countries_are_kept() {
        // seed-plan.md `S3_REGIONS` (São Paulo spelled as AWS does; the plan's copy is mis-encoded).
        let plan = [
            ("us-east-1", "US East (N. Virginia)", "US"),
            ("us-east-2", "US East (Ohio)", "US"),
            ("us-west-1", "US West (N. California)", "US"),
            ("us-west-2", "US West (Oregon)", "US"),
            ("ca-central-1", "Canada (Central)", "CA"),
            ("eu-west-1", "Europe (Ireland)", "IE"),
            ("eu-west-2", "Europe (London)", "GB"),
            ("eu-west-3", "Europe (Paris)", "FR"),
            ("eu-central-1", "Europe (Frankfurt)", "DE"),
            ("eu-north-1", "Europe (Stockholm)", "SE"),
            ("ap-south-1", "Asia Pacific (Mumbai)", "IN"),
            ("ap-northeast-1", "Asia Pacific (Tokyo)", "JP"),
            ("ap-northeast-2", "Asia Pacific (Seoul)", "KR"),
            ("ap-southeast-1", "Asia Pacific (Singapore)", "SG"),
            ("ap-southeast-2", "Asia Pacific (Sydney)", "AU"),
            ("me-south-1", "Middle East (Bahrain)", "BH"),
            ("sa-east-1", "South America (São Paulo)", "BR"),
            ("af-south-1", "Africa (Cape Town)", "ZA"),
        ];
        for (code, name, country) in plan {
            let region: Region = code.parse().expect(code);
            assert_eq!((region.display_name(), region.country()), (name, Some(country)));
        }
    }

    #[test]
    fn every_region_has_a_name_and_a_two_letter_country() {
        for region in Region::ALL {
            assert!(!region.display_name().is_empty());
            let country = region.country().unwrap_or_default();
            assert!(country.len() == 2 && country.bytes().all(|b| b.is_ascii_uppercase()), "{region}");
        }
    }

    #[test]
    fn unknown_codes_are_refused_with_a_suggestion() {
        let err = "us-east1".parse::<Region>().unwrap_err();
        assert_eq!(err.code(), "INVALID_REGION");
        let message = err.to_string();
        assert!(message.contains("\"us-east-1\"") && message.contains("Region::custom"), "{message}");
        assert!(" US-EAST-2 ".parse::<Region>().unwrap_err().to_string().contains("\"us-east-2\""));
        let far = "auto".parse::<Region>().unwrap_err().to_string();
        assert!(!far.contains("did you mean") && far.contains("Region::custom"), "{far}");
        // Parsing is exact: no trimming, no case folding.
        assert!("US-EAST-1".parse::<Region>().is_err());
        assert!("".parse::<Region>().is_err());
    }

    #[test]
    fn custom_regions_follow_the_sigv4_scope_rule() {
        for ok in ["auto", "garage", "my_dc.1", &"a".repeat(64)] {
            let region = Region::custom(ok).expect(ok);
            assert!(region.is_custom() && region.code() == ok && region.display_name() == ok);
            assert_eq!((region.partition(), region.country(), region.is_opt_in()), (None, None, false));
            SigningConfig::s3(region.code()).expect("the signer takes every custom region");
        }
        for bad in ["", "us east", "a/b", "é", &"a".repeat(65)] {
            assert_eq!(Region::custom(bad).map_err(|e| e.code()), Err("INVALID_REGION"), "{bad:?}");
        }
        assert_eq!(Region::custom("eu-west-3"), Ok(Region::EuWest3));
    }

    #[test]
    fn serde_uses_the_code_and_refuses_unknown_codes() {
        let json = serde_json::to_string(&Region::ApSoutheast5).unwrap();
        assert_eq!(json, "\"ap-southeast-5\"");
        assert_eq!(serde_json::from_str::<Region>(&json).unwrap(), Region::ApSoutheast5);
        assert!(serde_json::from_str::<Region>("\"auto\"").is_err());
        assert!(serde_json::from_str::<Region>("\"eu-west-9\"").is_err());
        assert_eq!(serde_json::to_string(&Region::custom("auto").unwrap()).unwrap(), "\"auto\"");
    }

    #[test]
    fn edit_distance_counts_single_character_edits() {
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("us-east-1", "us-east-1"), 0);
    }
}
