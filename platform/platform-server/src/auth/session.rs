//! Session tokens: a JWT (HS256) naming the user and the session row. A token is only
//! honoured while its row exists, has not expired and has not been revoked, so logout, a
//! password change and disabling the user end it at once.

use std::path::Path;

use anyhow::Context;
use chrono::{DateTime, Duration, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};
use sha2::Digest;
use uuid::Uuid;

use crate::config::AuthSettings;

/// The name of the session cookie.
pub const COOKIE: &str = "gl_session";

/// The claims inside a session token.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    /// The user.
    pub sub: Uuid,
    /// The session row.
    pub sid: Uuid,
    /// Issued at (Unix seconds).
    pub iat: i64,
    /// Expires at (Unix seconds).
    pub exp: i64,
}

/// The key that signs and checks session tokens.
#[derive(Clone)]
pub struct SessionKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    /// Derived from the session key: signs the pages' anti-forgery tokens, so that every
    /// replica sharing the session key checks them.
    csrf: [u8; 32],
    /// How long a new session lasts.
    pub lifetime: Duration,
}

impl std::fmt::Debug for SessionKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionKeys").field("lifetime", &self.lifetime).finish_non_exhaustive()
    }
}

impl SessionKeys {
    /// The configured key, or the one kept in `<data_dir>/keys/session.key` (created with
    /// 32 random bytes and mode 0600 on first start).
    pub fn load(settings: &AuthSettings, data_dir: &Path) -> anyhow::Result<Self> {
        let secret: Vec<u8> = match &settings.session_key {
            Some(key) => key.expose_secret().as_bytes().to_vec(),
            None => {
                let path = data_dir.join("keys").join("session.key");
                match std::fs::read_to_string(&path) {
                    Ok(text) => hex::decode(text.trim()).context("session.key is not hex")?,
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                        let key: [u8; 32] = rand::random();
                        write_secret(&path, &hex::encode(key))?;
                        key.to_vec()
                    }
                    Err(e) => {
                        return Err(e).with_context(|| format!("cannot read {}", path.display()));
                    }
                }
            }
        };
        anyhow::ensure!(secret.len() >= 32, "the session key must have at least 32 bytes");
        let mut derive = sha2::Sha256::new();
        sha2::Digest::update(&mut derive, b"gateledger csrf key v1\0");
        sha2::Digest::update(&mut derive, &secret);
        Ok(Self {
            csrf: derive.finalize().into(),
            encoding: EncodingKey::from_secret(&secret)?,
            decoding: DecodingKey::from_secret(&secret)?,
            lifetime: Duration::hours(i64::from(settings.session_hours.max(1))),
        })
    }

    /// A token for session `sid` of user `sub`, valid until `expires`.
    pub fn issue(
        &self,
        sub: Uuid,
        sid: Uuid,
        now: DateTime<Utc>,
        expires: DateTime<Utc>,
    ) -> anyhow::Result<String> {
        let claims = Claims { sub, sid, iat: now.timestamp(), exp: expires.timestamp() };
        Ok(jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)?)
    }

    /// The anti-forgery token of a browser (`nonce`, its random `gl_csrf` cookie) in a
    /// session (`sid`, empty before sign-in): HMAC-SHA256 over both, hex. A token copied
    /// from another browser or another session does not verify.
    pub fn csrf_token(&self, nonce: &str, sid: &str) -> String {
        use hmac::{KeyInit, Mac};
        let mut mac =
            <hmac::Hmac<sha2::Sha256> as KeyInit>::new_from_slice(&self.csrf).expect("any key");
        mac.update(nonce.as_bytes());
        mac.update(b"|");
        mac.update(sid.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }

    /// Checks an anti-forgery token in constant time.
    pub fn csrf_verify(&self, nonce: &str, sid: &str, token: &str) -> bool {
        let expected = self.csrf_token(nonce, sid);
        expected.len() == token.len()
            && expected.bytes().zip(token.bytes()).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0
    }

    /// The claims of a well-signed, unexpired token; `None` otherwise.
    pub fn check(&self, token: &str) -> Option<Claims> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 0;
        jsonwebtoken::decode::<Claims>(token, &self.decoding, &validation).ok().map(|d| d.claims)
    }
}

/// Writes a secret file readable only by the platform's user.
pub fn write_secret(path: &Path, contents: &str) -> anyhow::Result<()> {
    use std::io::Write;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file =
        options.open(path).with_context(|| format!("cannot create {}", path.display()))?;
    file.write_all(contents.as_bytes())?;
    file.sync_all()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_check_only_with_the_same_key_and_before_expiry() {
        let dir = tempfile::tempdir().unwrap();
        let keys = SessionKeys::load(&AuthSettings::default(), dir.path()).unwrap();
        let again = SessionKeys::load(&AuthSettings::default(), dir.path()).unwrap();
        let other =
            SessionKeys::load(&AuthSettings::default(), tempfile::tempdir().unwrap().path())
                .unwrap();
        let now = Utc::now();
        let (sub, sid) = (Uuid::now_v7(), Uuid::now_v7());
        let token = keys.issue(sub, sid, now, now + Duration::hours(1)).unwrap();
        let claims = again.check(&token).expect("the key persisted in the data dir");
        assert_eq!((claims.sub, claims.sid), (sub, sid));
        assert!(other.check(&token).is_none());
        let old = keys.issue(sub, sid, now - Duration::hours(2), now - Duration::hours(1)).unwrap();
        assert!(keys.check(&old).is_none());
        assert!(keys.check("garbage").is_none());
    }

    #[test]
    fn csrf_tokens_bind_the_browser_and_the_session() {
        let dir = tempfile::tempdir().unwrap();
        let keys = SessionKeys::load(&AuthSettings::default(), dir.path()).unwrap();
        let other =
            SessionKeys::load(&AuthSettings::default(), tempfile::tempdir().unwrap().path())
                .unwrap();
        let token = keys.csrf_token("nonce-a", "sid-1");
        assert!(keys.csrf_verify("nonce-a", "sid-1", &token));
        assert!(!keys.csrf_verify("nonce-b", "sid-1", &token), "another browser");
        assert!(!keys.csrf_verify("nonce-a", "sid-2", &token), "another session");
        assert!(!keys.csrf_verify("nonce-a", "", &token), "signed out");
        assert!(!other.csrf_verify("nonce-a", "sid-1", &token), "another platform key");
        assert!(!keys.csrf_verify("nonce-a", "sid-1", ""));
    }
}
