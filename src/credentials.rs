//! Access keys, secrets and session tokens, kept out of logs.

use std::fmt;

use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use crate::error::{Error, Result};

/// An AWS-style access key pair, with an optional session token and expiry.
///
/// `Debug` and `Display` show the access key id only; the secret and the session token are
/// never printed, and `Credentials` deliberately does not implement `Serialize`.
///
/// ```
/// use presign::Credentials;
/// let creds = Credentials::new("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")?;
/// assert!(!format!("{creds:?}").contains("EXAMPLEKEY"));
/// # Ok::<(), presign::Error>(())
/// ```
#[derive(Clone)]
pub struct Credentials {
    access_key_id: String,
    secret_access_key: String,
    session_token: Option<String>,
    expires_at: Option<OffsetDateTime>,
    /// SHA-256 of the secret: identifies the secret in the signing-key cache without keeping a
    /// copy of it there, so a rotated secret can never hit a key derived from the old one.
    fingerprint: [u8; 32],
}

impl Credentials {
    /// Long-term credentials: an access key id and its secret.
    pub fn new(access_key_id: impl Into<String>, secret_access_key: impl Into<String>) -> Result<Self> {
        let access_key_id = access_key_id.into();
        let secret_access_key = secret_access_key.into();
        check_access_key_id(&access_key_id)?;
        check_secret("secret access key", &secret_access_key)?;
        let fingerprint = Sha256::digest(secret_access_key.as_bytes()).into();
        Ok(Credentials { access_key_id, secret_access_key, session_token: None, expires_at: None, fingerprint })
    }

    /// Adds the session token of temporary (STS) credentials.
    pub fn with_session_token(mut self, token: impl Into<String>) -> Result<Self> {
        let token = token.into();
        check_secret("session token", &token)?;
        if token.bytes().any(|b| b == b' ') {
            return Err(invalid("the session token contains a space"));
        }
        self.session_token = Some(token);
        Ok(self)
    }

    /// Records when temporary credentials stop working; signing refuses URLs that outlive them.
    pub fn with_expiry(mut self, expires_at: OffsetDateTime) -> Self {
        self.expires_at = Some(expires_at);
        self
    }

    /// Reads `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and, if set, `AWS_SESSION_TOKEN`.
    pub fn from_env() -> Result<Self> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Like [`Credentials::from_env`], reading variables through `lookup` (handy in tests and
    /// for configuration sources that mimic the environment).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self> {
        let get = |name: &'static str| {
            lookup(name).filter(|v| !v.is_empty()).ok_or(Error::MissingCredentials { what: name.into() })
        };
        let creds = Credentials::new(get("AWS_ACCESS_KEY_ID")?, get("AWS_SECRET_ACCESS_KEY")?)?;
        match lookup("AWS_SESSION_TOKEN").filter(|v| !v.is_empty()) {
            Some(token) => creds.with_session_token(token),
            None => Ok(creds),
        }
    }

    /// The access key id (not secret: it appears in every signed URL).
    pub fn access_key_id(&self) -> &str {
        &self.access_key_id
    }

    /// The session token, if these are temporary credentials. It appears in presigned URLs.
    pub fn session_token(&self) -> Option<&str> {
        self.session_token.as_deref()
    }

    /// When the credentials expire, if known.
    pub fn expires_at(&self) -> Option<OffsetDateTime> {
        self.expires_at
    }

    pub(crate) fn secret_access_key(&self) -> &str {
        &self.secret_access_key
    }

    pub(crate) fn fingerprint(&self) -> &[u8; 32] {
        &self.fingerprint
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"<redacted>")
            .field("session_token", &self.session_token.as_ref().map(|_| "<redacted>"))
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

impl fmt::Display for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (secret redacted", self.access_key_id)?;
        if self.session_token.is_some() {
            f.write_str(", session token redacted")?;
        }
        f.write_str(")")
    }
}

fn invalid(reason: &'static str) -> Error {
    Error::InvalidCredentials { reason: reason.into() }
}

/// Access key ids travel inside `X-Amz-Credential` (`AKID/date/region/service/aws4_request`),
/// so a `/` would shift every later field of the scope.
fn check_access_key_id(id: &str) -> Result<()> {
    if id.is_empty() {
        return Err(invalid("the access key id is empty"));
    }
    if !id.bytes().all(|b| b.is_ascii_graphic() && b != b'/' && b != b',' && b != b'=') {
        return Err(invalid("the access key id must be printable ASCII without '/', ',' or '='"));
    }
    Ok(())
}

fn check_secret(what: &'static str, value: &str) -> Result<()> {
    if value.is_empty() {
        return Err(Error::InvalidCredentials { reason: format!("the {what} is empty").into() });
    }
    if value.chars().any(char::is_control) {
        return Err(Error::InvalidCredentials { reason: format!("the {what} contains control characters").into() });
    }
    if value.trim() != value {
        return Err(Error::InvalidCredentials {
            reason: format!("the {what} has leading or trailing whitespace").into(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    const TOKEN: &str = "FQoGZXIvYXdzEXAMPLETOKEN";

    #[test]
    fn debug_and_display_redact_secret_and_token() {
        let c = Credentials::new("AKIDEXAMPLE", SECRET).unwrap().with_session_token(TOKEN).unwrap();
        for shown in [format!("{c:?}"), format!("{c:#?}"), c.to_string()] {
            assert!(shown.contains("AKIDEXAMPLE"), "{shown}");
            assert!(!shown.contains("EXAMPLEKEY"), "{shown}");
            assert!(!shown.contains(TOKEN), "{shown}");
        }
    }

    #[test]
    fn malformed_values_are_typed_errors_without_the_secret() {
        let cases = [
            Credentials::new("", SECRET),
            Credentials::new("AK ID", SECRET),
            Credentials::new("AK/ID", SECRET),
            Credentials::new("AKID", ""),
            Credentials::new("AKID", "sec\nret"),
            Credentials::new("AKID", " secret"),
            Credentials::new("AKID", SECRET).and_then(|c| c.with_session_token("a b")),
        ];
        for case in cases {
            let err = case.unwrap_err();
            assert_eq!(err.code(), "INVALID_CREDENTIALS");
            assert!(!err.to_string().contains("EXAMPLEKEY"));
        }
    }

    #[test]
    fn from_lookup_reads_the_three_variables() {
        let env = |k: &str| match k {
            "AWS_ACCESS_KEY_ID" => Some("AKID".to_string()),
            "AWS_SECRET_ACCESS_KEY" => Some(SECRET.to_string()),
            "AWS_SESSION_TOKEN" => Some(TOKEN.to_string()),
            _ => None,
        };
        let c = Credentials::from_lookup(env).unwrap();
        assert_eq!(c.access_key_id(), "AKID");
        assert_eq!(c.session_token(), Some(TOKEN));
        let missing = Credentials::from_lookup(|k| (k == "AWS_ACCESS_KEY_ID").then(|| "AKID".into()));
        assert_eq!(missing.unwrap_err().code(), "MISSING_CREDENTIALS");
    }

    #[test]
    fn fingerprint_tracks_the_secret() {
        let a = Credentials::new("AKID", "secret-one").unwrap();
        let b = Credentials::new("AKID", "secret-two").unwrap();
        assert_ne!(a.fingerprint(), b.fingerprint());
    }
}
