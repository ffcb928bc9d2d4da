//! Password hashing with Argon2id, always off the async threads (a hash takes tens of
//! milliseconds of CPU by design), and the password policy.

use anyhow::Context;
use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};

use crate::error::AppError;

/// Hashes `password` into a PHC string (`$argon2id$v=19$…`).
pub async fn hash(password: String) -> anyhow::Result<String> {
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .hash_password(password.as_bytes())
            .map(|h| h.to_string())
            .map_err(|e| anyhow::anyhow!("argon2 hashing failed: {e}"))
    })
    .await
    .context("password hasher panicked")?
}

/// Checks `password` against a stored PHC string. A malformed hash never matches.
pub async fn verify(stored: String, password: String) -> anyhow::Result<bool> {
    tokio::task::spawn_blocking(move || {
        let Ok(parsed) = PasswordHash::new(&stored) else { return false };
        Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok()
    })
    .await
    .context("password verifier panicked")
}

/// A hash of a random password that no one knows, so that a sign-in with an unknown user
/// name costs as much time as one with a known name and a wrong password.
pub async fn dummy_verify(password: String) {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let stored = match DUMMY.get() {
        Some(h) => h.clone(),
        None => {
            let h = hash(uuid::Uuid::now_v7().to_string()).await.unwrap_or_default();
            DUMMY.get_or_init(|| h).clone()
        }
    };
    let _ = verify(stored, password).await;
}

/// The password policy: at least 8 characters, with both letters and digits, and not the
/// user name. `field` names the form field in the error.
pub fn check_policy(field: &str, password: &str, username: &str) -> Result<(), AppError> {
    let chars = password.chars().count();
    if chars < 8 {
        return Err(AppError::invalid(
            field,
            "password_too_short",
            "密码至少需要 8 个字符",
            "the password needs at least 8 characters",
        ));
    }
    if chars > 128 {
        return Err(AppError::invalid(
            field,
            "password_too_long",
            "密码最多 128 个字符",
            "the password may have at most 128 characters",
        ));
    }
    let letters = password.chars().any(char::is_alphabetic);
    let digits = password.chars().any(|c| c.is_ascii_digit());
    if !letters || !digits {
        return Err(AppError::invalid(
            field,
            "password_too_simple",
            "密码必须同时包含字母和数字",
            "the password must contain both letters and digits",
        ));
    }
    if password.eq_ignore_ascii_case(username) {
        return Err(AppError::invalid(
            field,
            "password_is_username",
            "密码不能与用户名相同",
            "the password must differ from the user name",
        ));
    }
    Ok(())
}

/// A random temporary password for new accounts and administrator resets: 16 characters
/// from an alphabet without look-alikes, always with letters and digits.
pub fn temporary() -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    loop {
        let bytes: [u8; 16] = rand::random();
        let s: String =
            bytes.iter().map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char).collect();
        if s.chars().any(|c| c.is_ascii_digit()) && s.chars().any(|c| c.is_ascii_alphabetic()) {
            return s;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_verify_and_differ_per_salt() {
        let a = hash("correct horse 1".into()).await.unwrap();
        let b = hash("correct horse 1".into()).await.unwrap();
        assert!(a.starts_with("$argon2id$"));
        assert_ne!(a, b);
        assert!(verify(a.clone(), "correct horse 1".into()).await.unwrap());
        assert!(!verify(a, "correct horse 2".into()).await.unwrap());
        assert!(!verify("not a hash".into(), "x".into()).await.unwrap());
    }

    #[test]
    fn policy_names_the_reason() {
        let code =
            |p: &str| check_policy("password", p, "zhang").err().map(|e| e.code().to_owned());
        assert_eq!(code("a1").as_deref(), Some("password_too_short"));
        assert_eq!(code("abcdefghij").as_deref(), Some("password_too_simple"));
        assert_eq!(code("1234567890").as_deref(), Some("password_too_simple"));
        assert_eq!(code("zhang").as_deref(), Some("password_too_short"));
        assert_eq!(
            check_policy("password", "Zhang1234", "zhang1234").unwrap_err().code(),
            "password_is_username"
        );
        assert_eq!(code("gate2026ledger"), None);
        let t = temporary();
        assert_eq!(t.len(), 16);
        assert!(check_policy("password", &t, "zhang").is_ok());
    }
}
