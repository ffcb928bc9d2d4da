//! The account flows behind the API and the pages: sign-in with lockout and the optional
//! one-time code, password change, reset by e-mailed link, and new-account mail.

use askama::Template;
use base64::Engine;
use chrono::{DateTime, Duration, Utc};
use platform_domain::ids::TenantId;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::{password, totp};
use crate::error::AppError;
use crate::http::AppState;
use crate::i18n::Lang;
use crate::mail::Mail;
use crate::storage::audit::{self, Actor, Change};
use crate::storage::sessions::{self, LoginResult};
use crate::storage::users::{self, UserRow};
use crate::storage::{Conn, Tx, now};

/// A sign-in attempt.
#[derive(Debug, Clone)]
pub struct LoginInput {
    /// Sign-in name.
    pub username: String,
    /// Password.
    pub password: String,
    /// One-time code, when the account has a second factor.
    pub totp: Option<String>,
    /// Client address.
    pub ip: Option<String>,
    /// Client software.
    pub user_agent: Option<String>,
}

/// A new session.
#[derive(Debug, Clone)]
pub struct NewSession {
    /// The token for the cookie or the Authorization header.
    pub token: String,
    /// When it ends.
    pub expires_at: DateTime<Utc>,
    /// The account.
    pub user: UserRow,
}

async fn start_session(
    state: &AppState,
    c: &mut impl Conn,
    user: UserRow,
    ip: Option<String>,
    user_agent: Option<String>,
) -> Result<NewSession, AppError> {
    let at = now();
    let expires_at = at + state.sessions.lifetime;
    let sid = sessions::insert(c, user.id, expires_at, ip, user_agent).await?;
    let token = state.sessions.issue(user.id, sid, at, expires_at)?;
    Ok(NewSession { token, expires_at, user })
}

/// Signs a user in. Every attempt is recorded with time, address, software and result.
/// Repeated failures lock the account for a while; a locked account is refused even with
/// the right password until the lock expires.
pub async fn login(state: &AppState, input: LoginInput) -> Result<NewSession, AppError> {
    let mut db = state.db.clone();
    let name = input.username.trim().to_lowercase();
    let record = |user: Option<Uuid>, result| {
        let mut db = state.db.clone();
        let (name, ip, agent) = (name.clone(), input.ip.clone(), input.user_agent.clone());
        async move { sessions::record_login(&mut db, user, &name, ip, agent, result).await }
    };
    let Some(user) = users::find_by_username(&mut db, &name).await? else {
        password::dummy_verify(input.password.clone()).await;
        record(None, LoginResult::UnknownUser).await?;
        return Err(AppError::Unauthorized("bad_credentials"));
    };
    if user.locked_until.is_some_and(|until| until > Utc::now()) {
        record(Some(user.id), LoginResult::Locked).await?;
        return Err(AppError::Unauthorized("account_locked"));
    }
    if !password::verify(user.password_hash.clone(), input.password.clone()).await? {
        let failures = user.failed_logins + 1;
        let limit = state.settings.auth.max_failed_logins.max(1) as i32;
        let lock = (failures >= limit).then(|| {
            now() + Duration::minutes(i64::from(state.settings.auth.lockout_minutes.max(1)))
        });
        users::record_failure(&mut db, user.id, failures, lock).await?;
        record(Some(user.id), LoginResult::BadPassword).await?;
        if lock.is_some() {
            tracing::warn!(user.id = %user.id, "account locked after repeated sign-in failures");
            return Err(AppError::Unauthorized("account_locked"));
        }
        return Err(AppError::Unauthorized("bad_credentials"));
    }
    if user.disabled {
        record(Some(user.id), LoginResult::Disabled).await?;
        return Err(AppError::Unauthorized("account_disabled"));
    }
    if user.totp_enabled {
        let secret = user.totp_secret.as_deref().and_then(totp::from_base32).unwrap_or_default();
        match input.totp.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
            None => {
                record(Some(user.id), LoginResult::TotpRequired).await?;
                return Err(AppError::Unauthorized("totp_required"));
            }
            Some(code) if !totp::verify(&secret, code, Utc::now().timestamp()) => {
                let failures = user.failed_logins + 1;
                let limit = state.settings.auth.max_failed_logins.max(1) as i32;
                let lock = (failures >= limit).then(|| {
                    now() + Duration::minutes(i64::from(state.settings.auth.lockout_minutes.max(1)))
                });
                users::record_failure(&mut db, user.id, failures, lock).await?;
                record(Some(user.id), LoginResult::TotpInvalid).await?;
                return Err(AppError::Unauthorized(if lock.is_some() {
                    "account_locked"
                } else {
                    "totp_invalid"
                }));
            }
            Some(_) => {}
        }
    }
    let mut tx = state.db.begin().await?;
    users::record_success(&mut tx, user.id).await?;
    let session =
        start_session(state, &mut tx, user, input.ip.clone(), input.user_agent.clone()).await?;
    tx.commit().await?;
    record(Some(session.user.id), LoginResult::Ok).await?;
    Ok(session)
}

/// Records a change to an account in the right audit log: the enterprise's for its staff,
/// the platform's for everyone else.
pub async fn audit_account(
    c: &mut impl Conn,
    subject: &UserRow,
    actor: &Actor,
    change: Change<'_>,
) -> Result<(), sqlx::Error> {
    match subject.tenant_id {
        Some(t) => audit::record(c, TenantId::from(t), actor, change).await,
        None => audit::record_platform(c, subject.region_prefix.as_deref(), actor, change).await,
    }
}

/// Changes the caller's password after checking the current one. Every session of the
/// user is revoked, and a new one is started for the caller.
pub async fn change_password(
    state: &AppState,
    user: &UserRow,
    actor: &Actor,
    current: &str,
    new: &str,
    ip: Option<String>,
    user_agent: Option<String>,
) -> Result<NewSession, AppError> {
    if !password::verify(user.password_hash.clone(), current.to_owned()).await? {
        return Err(AppError::invalid(
            "current_password",
            "wrong_password",
            "当前密码不正确",
            "the current password is wrong",
        ));
    }
    password::check_policy("new_password", new, &user.username)?;
    if new == current {
        return Err(AppError::invalid(
            "new_password",
            "password_unchanged",
            "新密码不能与当前密码相同",
            "the new password must differ from the current one",
        ));
    }
    let hash = password::hash(new.to_owned()).await?;
    let mut tx = state.db.begin().await?;
    users::set_password(&mut tx, user.id, &hash, false).await?;
    sessions::revoke_all(&mut tx, user.id).await?;
    audit_account(
        &mut tx,
        user,
        actor,
        Change {
            action: "change_password",
            entity: "user",
            entity_id: user.id.to_string(),
            before: None,
            after: None,
        },
    )
    .await?;
    let mut fresh = user.clone();
    fresh.must_change_password = false;
    let session = start_session(state, &mut tx, fresh, ip, user_agent).await?;
    tx.commit().await?;
    Ok(session)
}

fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

fn new_token() -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>())
}

#[derive(Template)]
#[template(path = "password_reset.txt")]
struct ResetMail<'a> {
    en: bool,
    name: &'a str,
    username: &'a str,
    minutes: u32,
    link: &'a str,
}

#[derive(Template)]
#[template(path = "account_created.txt")]
struct AccountMail<'a> {
    en: bool,
    name: &'a str,
    username: &'a str,
    organisation: Option<&'a str>,
    hours: i64,
    link: &'a str,
}

fn user_lang(user: &UserRow, fallback: Lang) -> Lang {
    Lang::from_tag(&user.locale).unwrap_or(fallback)
}

/// Sends a password-reset link to the account named by `who` (a sign-in name or an e-mail
/// address). Says nothing about whether the account exists: the caller always answers the
/// same. Disabled accounts and accounts without an address get no mail.
pub async fn request_reset(state: &AppState, who: &str, lang: Lang) -> Result<(), AppError> {
    let mut db = state.db.clone();
    let who = who.trim();
    let mut targets = Vec::new();
    if let Some(u) = users::find_by_username(&mut db, who).await? {
        targets.push(u);
    } else if who.contains('@') {
        targets = users::list_by_email(&mut db, who).await?;
    }
    for user in targets.into_iter().filter(|u| !u.disabled) {
        let Some(email) = user.email.clone() else { continue };
        let token = new_token();
        let minutes = state.settings.auth.reset_minutes.max(5);
        let expires = now() + Duration::minutes(i64::from(minutes));
        sessions::insert_reset(&mut db, &hash_token(&token), user.id, expires).await?;
        let link = format!("{}/reset-password?token={token}", state.settings.public_url());
        let lang = user_lang(&user, lang);
        let text = ResetMail {
            en: lang == Lang::En,
            name: &user.display_name,
            username: &user.username,
            minutes,
            link: &link,
        }
        .render()
        .map_err(anyhow::Error::from)?;
        let subject = lang.pick("gateledger 密码重置", "gateledger password reset").to_owned();
        state.mailer.send(&Mail { to: vec![email], subject, text, attachments: vec![] }).await?;
        tracing::info!(user.id = %user.id, "password reset link sent");
    }
    Ok(())
}

/// Sets a new password with a reset token. The token works once; every session of the user
/// is revoked and a lock is lifted.
pub async fn confirm_reset(
    state: &AppState,
    token: &str,
    new: &str,
    ip: Option<String>,
) -> Result<(), AppError> {
    let mut tx: Tx = state.db.begin().await?;
    let Some(user_id) = sessions::take_reset(&mut tx, &hash_token(token.trim())).await? else {
        return Err(AppError::invalid(
            "token",
            "token_invalid",
            "链接无效或已过期",
            "the link is invalid or has expired",
        ));
    };
    let user = users::find(&mut tx, user_id).await?.ok_or(AppError::NotFound)?;
    password::check_policy("new_password", new, &user.username)?;
    let hash = password::hash(new.to_owned()).await?;
    users::set_password(&mut tx, user.id, &hash, false).await?;
    sessions::revoke_all(&mut tx, user.id).await?;
    let actor =
        Actor { id: Some(user.id), name: user.username.clone(), role: user.role.clone(), ip };
    audit_account(
        &mut tx,
        &user,
        &actor,
        Change {
            action: "reset_password",
            entity: "user",
            entity_id: user.id.to_string(),
            before: None,
            after: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Tells a new account holder their sign-in name and sends a link to choose a password
/// (valid for a day). Accounts without an address get nothing; the administrator hands the
/// temporary password over instead.
pub async fn send_welcome(
    state: &AppState,
    user: &UserRow,
    organisation: Option<&str>,
) -> Result<(), AppError> {
    let Some(email) = user.email.clone() else { return Ok(()) };
    let mut db = state.db.clone();
    let token = new_token();
    let hours = 24;
    sessions::insert_reset(&mut db, &hash_token(&token), user.id, now() + Duration::hours(hours))
        .await?;
    let link = format!("{}/reset-password?token={token}", state.settings.public_url());
    let lang = user_lang(user, Lang::Zh);
    let text = AccountMail {
        en: lang == Lang::En,
        name: &user.display_name,
        username: &user.username,
        organisation,
        hours,
        link: &link,
    }
    .render()
    .map_err(anyhow::Error::from)?;
    let subject = lang.pick("您的 gateledger 账户已开通", "your gateledger account").to_owned();
    state.mailer.send(&Mail { to: vec![email], subject, text, attachments: vec![] }).await?;
    Ok(())
}

/// Starts TOTP enrolment: a new secret is stored, not yet required. Returns the secret in
/// base32 and the provisioning URI.
pub async fn totp_setup(state: &AppState, user: &UserRow) -> Result<(String, String), AppError> {
    let secret = totp::new_secret();
    let b32 = totp::base32(&secret);
    let mut db = state.db.clone();
    users::set_totp(&mut db, user.id, Some(b32.clone()), false).await?;
    Ok((b32, totp::otpauth_uri(&secret, &user.username)))
}

/// Turns the second factor on once the user proves their app shows the right code.
pub async fn totp_enable(
    state: &AppState,
    user: &UserRow,
    actor: &Actor,
    code: &str,
) -> Result<(), AppError> {
    let secret = user
        .totp_secret
        .as_deref()
        .and_then(totp::from_base32)
        .ok_or(AppError::BadRequest("invalid_state"))?;
    if !totp::verify(&secret, code, Utc::now().timestamp()) {
        return Err(AppError::invalid(
            "code",
            "totp_invalid",
            "动态验证码错误",
            "the one-time code is wrong",
        ));
    }
    let mut tx = state.db.begin().await?;
    users::set_totp(&mut tx, user.id, user.totp_secret.clone(), true).await?;
    audit_account(
        &mut tx,
        user,
        actor,
        Change {
            action: "enable_totp",
            entity: "user",
            entity_id: user.id.to_string(),
            before: None,
            after: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Turns the second factor off after checking the password.
pub async fn totp_disable(
    state: &AppState,
    user: &UserRow,
    actor: &Actor,
    password_given: &str,
) -> Result<(), AppError> {
    if !password::verify(user.password_hash.clone(), password_given.to_owned()).await? {
        return Err(AppError::invalid(
            "password",
            "wrong_password",
            "密码不正确",
            "the password is wrong",
        ));
    }
    let mut tx = state.db.begin().await?;
    users::set_totp(&mut tx, user.id, None, false).await?;
    audit_account(
        &mut tx,
        user,
        actor,
        Change {
            action: "disable_totp",
            entity: "user",
            entity_id: user.id.to_string(),
            before: None,
            after: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
