//! Unsigned public URLs of objects: straight from the bucket's endpoint ([`public_url`]), or
//! through a CDN such as CloudFront ([`CdnDomain::url`]).
//!
//! These URLs carry no signature, so they work only where the object is publicly readable:
//! a public bucket or object, or a CDN that fetches from a private bucket with its own
//! credentials (CloudFront origin access control).
//!
//! Cloudflare R2 serves public objects only through a custom domain or its `r2.dev`
//! development URL (cloudflare-docs `src/content/docs/r2/buckets/public-buckets.mdx`), and
//! presigned URLs "cannot be used with custom domains" (s3-spec §12). So for R2, give the
//! custom domain as a [`CdnDomain`] and hand out its unsigned URLs; keep presigned URLs on
//! the `r2.cloudflarestorage.com` endpoint.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize, Serializer};

use crate::error::{Error, Result};
use crate::s3::endpoint::{Bucket, MAX_DNS_LABEL, MAX_DNS_NAME};
use crate::s3::key::ObjectKey;
use crate::sigv4::encode_path;

/// The seed plan's `publicUrl`: the object's unsigned URL on the bucket's own endpoint,
/// e.g. `https://<bucket>.s3.<region>.amazonaws.com/<encoded key>`.
///
/// ```
/// use presign::s3::cdn::public_url;
/// use presign::s3::endpoint::Bucket;
/// use presign::s3::key::ObjectKey;
/// use presign::s3::region::Region;
///
/// let bucket = Bucket::aws("my-uploads", Region::EuWest1)?;
/// let url = public_url(&bucket, &ObjectKey::new("photos/a b.jpg")?);
/// assert_eq!(url, "https://my-uploads.s3.eu-west-1.amazonaws.com/photos/a%20b.jpg");
/// # Ok::<(), presign::Error>(())
/// ```
pub fn public_url(bucket: &Bucket, key: &ObjectKey) -> String {
    bucket.object_url(key)
}

/// A CDN host name that serves a bucket's objects under the same keys: a CloudFront
/// distribution domain (`d111111abcdef8.cloudfront.net`) or a custom domain
/// (`cdn.example.com`, an R2 custom domain or `pub-….r2.dev`).
///
/// [`CdnDomain::new`] takes the bare host name and refuses anything else with
/// [`Error::InvalidCloudFrontDomain`]: a scheme (`https://`), path, query, fragment,
/// credentials (`@`), port, whitespace, IP addresses (a CDN is reached by name, which its TLS
/// certificate must match), single-label names, empty labels, labels over 63 characters or
/// names over 253, characters other than letters, digits and `-` (underscores are not valid
/// in TLS certificate names), and `cloudfront.net` names that are not `d<letters and
/// digits>.cloudfront.net`. The name is lowercased. Serde reads and writes it as a string.
///
/// The URL assumes the CDN maps `/<key>` to the object `<key>`, i.e. the distribution has no
/// origin path.
///
/// ```
/// use presign::s3::cdn::CdnDomain;
/// use presign::s3::key::ObjectKey;
///
/// let cdn = CdnDomain::new("d111111abcdef8.cloudfront.net")?;
/// assert!(cdn.is_cloudfront());
/// assert_eq!(cdn.url(&ObjectKey::new("photos/été.jpg")?), "https://d111111abcdef8.cloudfront.net/photos/%C3%A9t%C3%A9.jpg");
///
/// for bad in ["https://cdn.example.com", "cdn.example.com/photos", "cdn.example.com:8443", "192.0.2.1", "x.cloudfront.net"] {
///     assert_eq!(CdnDomain::new(bad).unwrap_err().code(), "INVALID_CLOUDFRONT_DOMAIN", "{bad}");
/// }
/// # Ok::<(), presign::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
#[serde(try_from = "String")]
pub struct CdnDomain(Box<str>);

const CLOUDFRONT_SUFFIX: &str = ".cloudfront.net";

impl CdnDomain {
    /// Validates and lowercases `domain`.
    pub fn new(domain: &str) -> Result<CdnDomain> {
        if let Some(reason) = not_a_bare_host(domain) {
            return Err(Error::InvalidCloudFrontDomain { reason: reason.into() });
        }
        let domain = domain.to_ascii_lowercase();
        match rule_broken(&domain) {
            None => Ok(CdnDomain(domain.into())),
            Some(reason) => Err(Error::InvalidCloudFrontDomain { reason: reason.into() }),
        }
    }

    /// The host name.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether this is a CloudFront distribution domain (`*.cloudfront.net`).
    pub fn is_cloudfront(&self) -> bool {
        self.0.ends_with(CLOUDFRONT_SUFFIX)
    }

    /// `https://<domain>/<key>`, the key percent-encoded as in [`Bucket::object_url`].
    pub fn url(&self, key: &ObjectKey) -> String {
        let mut url = String::with_capacity("https:///".len() + self.0.len() + key.as_str().len() + 16);
        url.push_str("https://");
        url.push_str(&self.0);
        url.push('/');
        encode_path(&mut url, key.as_str());
        url
    }
}

/// What makes `domain` more (or less) than a host name: URL parts, ports, whitespace.
fn not_a_bare_host(domain: &str) -> Option<&'static str> {
    if domain.is_empty() {
        return Some("the domain is empty");
    }
    if domain.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Some("the domain contains whitespace or control characters");
    }
    if domain.contains("://") {
        return Some("give the host name without a scheme: remove https://");
    }
    let checks = [
        ('@', "the domain cannot carry credentials ('@')"),
        ('/', "the domain cannot have a path: configure the key prefix in the object key"),
        ('?', "the domain cannot have a query"),
        ('#', "the domain cannot have a fragment"),
        ('[', "the domain cannot be an IP address"),
        (':', "the domain cannot have a port (CDN URLs use HTTPS on 443)"),
    ];
    checks.iter().find(|(c, _)| domain.contains(*c)).map(|(_, reason)| *reason)
}

/// The DNS and CloudFront rules `domain` (lowercase) breaks, if any.
fn rule_broken(domain: &str) -> Option<&'static str> {
    if !domain.is_ascii() {
        return Some("the domain must be ASCII: write an internationalised name in punycode (xn--…)");
    }
    if domain.len() > MAX_DNS_NAME {
        return Some("the domain is longer than 253 characters");
    }
    let labels: Vec<&str> = domain.split('.').collect();
    if let Some(reason) = labels.iter().find_map(|label| label_rule_broken(label)) {
        return Some(reason);
    }
    if labels.len() < 2 {
        return Some("the domain needs at least two labels, such as cdn.example.com");
    }
    if labels.last().is_some_and(|tld| tld.bytes().all(|b| b.is_ascii_digit())) {
        return Some("the domain cannot be an IP address");
    }
    if domain.ends_with(CLOUDFRONT_SUFFIX) || domain == &CLOUDFRONT_SUFFIX[1..] {
        let distribution = domain.strip_suffix(CLOUDFRONT_SUFFIX).unwrap_or_default();
        let valid = distribution
            .strip_prefix('d')
            .is_some_and(|rest| !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()));
        if !valid {
            return Some(
                "a CloudFront domain is d<letters and digits>.cloudfront.net, like d111111abcdef8.cloudfront.net",
            );
        }
    }
    None
}

fn label_rule_broken(label: &str) -> Option<&'static str> {
    if label.is_empty() {
        return Some("the domain has an empty label (a leading, trailing or doubled '.')");
    }
    if label.len() > MAX_DNS_LABEL {
        return Some("each dot-separated label of the domain is at most 63 characters");
    }
    if !label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
        return Some("the domain has only letters, digits, '-' and '.'");
    }
    if label.starts_with('-') || label.ends_with('-') {
        return Some("domain labels cannot begin or end with '-'");
    }
    None
}

impl FromStr for CdnDomain {
    type Err = Error;

    fn from_str(domain: &str) -> Result<CdnDomain> {
        CdnDomain::new(domain)
    }
}

impl TryFrom<String> for CdnDomain {
    type Error = Error;

    fn try_from(domain: String) -> Result<CdnDomain> {
        CdnDomain::new(&domain)
    }
}

impl AsRef<str> for CdnDomain {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CdnDomain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for CdnDomain {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::s3::endpoint::Endpoint;
    use crate::s3::region::Region;

    #[test]
    fn accepted_domains_are_lowercased() {
        let cases = [
            ("d111111abcdef8.cloudfront.net", true),
            ("D111111ABCDEF8.CloudFront.Net", true),
            ("d1.cloudfront.net", true),
            ("cdn.example.com", false),
            ("Media.Example.co.uk", false),
            ("pub-0123456789abcdef.r2.dev", false),
            ("xn--bcher-kva.example", false),
            ("a-b.c1", false),
        ];
        for (domain, cloudfront) in cases {
            let cdn = CdnDomain::new(domain).unwrap_or_else(|e| panic!("{domain}: {e}"));
            assert_eq!(cdn.as_str(), domain.to_ascii_lowercase());
            assert_eq!(cdn.is_cloudfront(), cloudfront, "{domain}");
        }
    }

    #[test]
    fn refused_domains_say_why() {
        let long_label = format!("{}.com", "a".repeat(64));
        let label = "a".repeat(63);
        let long_name = format!("{}.com", [label.as_str(); 4].join("."));
        let cases = [
            ("", "empty"),
            ("https://cdn.example.com", "scheme"),
            ("http://cdn.example.com", "scheme"),
            ("//cdn.example.com", "path"),
            ("cdn.example.com/", "path"),
            ("cdn.example.com/images", "path"),
            ("cdn.example.com?x=1", "query"),
            ("cdn.example.com#top", "fragment"),
            ("user:pw@cdn.example.com", "credentials"),
            ("cdn.example.com:443", "port"),
            ("cdn.example.com:8443", "port"),
            (" cdn.example.com", "whitespace"),
            ("cdn.example .com", "whitespace"),
            ("cdn.example.com\n", "whitespace"),
            ("192.0.2.1", "IP address"),
            ("10.0.0.256", "IP address"),
            ("[2001:db8::1]", "IP address"),
            ("localhost", "two labels"),
            ("cdn..example.com", "empty label"),
            (".cdn.example.com", "empty label"),
            ("cdn.example.com.", "empty label"),
            (long_label.as_str(), "63"),
            (long_name.as_str(), "253"),
            ("cdn_1.example.com", "only letters"),
            ("cdn*.example.com", "only letters"),
            ("-cdn.example.com", "'-'"),
            ("cdn-.example.com", "'-'"),
            ("bücher.example", "punycode"),
            ("cloudfront.net", "d<letters and digits>"),
            ("x111.cloudfront.net", "d<letters and digits>"),
            ("d.cloudfront.net", "d<letters and digits>"),
            ("d-1.cloudfront.net", "d<letters and digits>"),
            ("a.d111.cloudfront.net", "d<letters and digits>"),
        ];
        for (domain, words) in cases {
            match CdnDomain::new(domain) {
                Ok(cdn) => panic!("{domain:?} accepted as {cdn}"),
                Err(err) => {
                    assert_eq!(err.code(), "INVALID_CLOUDFRONT_DOMAIN", "{domain:?}");
                    assert!(err.to_string().contains(words), "{domain:?}: {err}");
                }
            }
        }
    }

    #[test]
    fn urls_encode_the_key_like_the_bucket_does() {
        let cdn = CdnDomain::new("cdn.example.com").unwrap();
        let bucket = Bucket::aws("my-bucket", Region::UsEast1).unwrap();
        for raw in ["a.jpg", "dir/a b+c.jpg", "été/100%.png", "a//b", "q?x#y"] {
            let key = ObjectKey::new(raw).unwrap();
            let bucket_url = public_url(&bucket, &key);
            let path = bucket_url.strip_prefix("https://my-bucket.s3.us-east-1.amazonaws.com").unwrap();
            assert_eq!(cdn.url(&key), format!("https://cdn.example.com{path}"), "{raw}");
        }
        let key = ObjectKey::new("dir/a b+c.jpg").unwrap();
        assert_eq!(cdn.url(&key), "https://cdn.example.com/dir/a%20b%2Bc.jpg");
    }

    #[test]
    fn public_url_of_each_addressing_style() {
        let key = ObjectKey::new("k 1").unwrap();
        let path_style =
            Bucket::new("my.bucket".parse().unwrap(), Endpoint::aws(Region::EuWest1).path_style()).unwrap();
        assert_eq!(public_url(&path_style, &key), "https://s3.eu-west-1.amazonaws.com/my.bucket/k%201");
        let r2 = Bucket::r2("023e105f4ecef8ad9ca31a8372d0c353", "media").unwrap();
        assert_eq!(
            public_url(&r2, &key),
            "https://media.023e105f4ecef8ad9ca31a8372d0c353.r2.cloudflarestorage.com/k%201"
        );
    }

    #[test]
    fn parse_display_and_serde() {
        let cdn: CdnDomain = "CDN.example.com".parse().unwrap();
        assert_eq!((cdn.to_string(), cdn.as_ref()), ("cdn.example.com".to_string(), "cdn.example.com"));
        assert_eq!(CdnDomain::try_from(String::from("cdn.example.com")).unwrap(), cdn);
        let json = serde_json::to_string(&cdn).unwrap();
        assert_eq!(json, "\"cdn.example.com\"");
        assert_eq!(serde_json::from_str::<CdnDomain>(&json).unwrap(), cdn);
        assert!(serde_json::from_str::<CdnDomain>("\"https://cdn.example.com\"").is_err());
    }
}
