//! Creating and administering accounts: one place for the checks every creator applies
//! (sign-in name, display name, e-mail, role and scope), the temporary password, the audit
//! entry and the welcome mail.

use serde_json::json;
use uuid::Uuid;

use super::{flows, password};
use crate::error::AppError;
use crate::http::AppState;
use crate::storage::audit::{Actor, Change};
use crate::storage::users::{self, NewUser, UserRow};
use crate::storage::{Conn, sessions};

/// What a creator asks for.
#[derive(Debug, Clone)]
pub struct AccountRequest {
    /// Sign-in name.
    pub username: String,
    /// Name shown to people.
    pub display_name: String,
    /// E-mail address (for the welcome and reset mails).
    pub email: Option<String>,
    /// Role identifier.
    pub role: String,
    /// Enterprise scope.
    pub tenant_id: Option<Uuid>,
    /// Group scope.
    pub group_id: Option<Uuid>,
    /// Region scope.
    pub region_prefix: Option<String>,
}

/// A created account and the temporary password to hand over (shown once).
#[derive(Debug, Clone)]
pub struct CreatedAccount {
    /// The account.
    pub user: UserRow,
    /// The temporary password; it must be changed at first sign-in.
    pub temporary_password: String,
}

/// Checks a sign-in name: 3–32 characters of lowercase letters, digits, `.`, `_`, `-`.
pub fn check_username(field: &str, name: &str) -> Result<String, AppError> {
    let name = name.trim().to_lowercase();
    let ok = (3..=32).contains(&name.chars().count())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'));
    if !ok {
        return Err(AppError::invalid(
            field,
            "invalid_username",
            "登录名须为 3–32 位小写字母、数字或 . _ -",
            "the sign-in name must be 3–32 lowercase letters, digits, '.', '_' or '-'",
        ));
    }
    Ok(name)
}

/// Creates an account inside the caller's transaction, with a temporary password and an
/// audit entry. The welcome mail is sent by [`welcome`] after the commit.
pub async fn create(
    c: &mut impl Conn,
    actor: &Actor,
    req: AccountRequest,
) -> Result<CreatedAccount, AppError> {
    let username = check_username("username", &req.username)?;
    if users::find_by_username(c, &username).await?.is_some() {
        return Err(AppError::Conflict { code: "username_taken", field: Some("username") });
    }
    let temporary_password = password::temporary();
    let hash = password::hash(temporary_password.clone()).await?;
    let id = users::insert(
        c,
        &NewUser {
            username,
            display_name: req.display_name,
            email: req.email,
            role: req.role,
            tenant_id: req.tenant_id,
            group_id: req.group_id,
            region_prefix: req.region_prefix,
            password_hash: hash,
            must_change_password: true,
        },
    )
    .await?;
    let user = users::find(c, id).await?.ok_or(AppError::NotFound)?;
    flows::audit_account(
        c,
        &user,
        actor,
        Change {
            action: "create",
            entity: "user",
            entity_id: id.to_string(),
            before: None,
            after: Some(snapshot(&user)),
        },
    )
    .await?;
    Ok(CreatedAccount { user, temporary_password })
}

/// Sends the welcome mail; a mail failure is logged, not fatal (the administrator still
/// holds the temporary password).
pub async fn welcome(state: &AppState, account: &CreatedAccount, organisation: Option<&str>) {
    if let Err(e) = flows::send_welcome(state, &account.user, organisation).await {
        tracing::warn!(user.id = %account.user.id, error = ?e, "welcome mail not sent");
    }
}

/// The audited view of an account (never the password hash or TOTP secret).
pub fn snapshot(u: &UserRow) -> serde_json::Value {
    json!({
        "username": u.username,
        "display_name": u.display_name,
        "email": u.email,
        "role": u.role,
        "tenant_id": u.tenant_id,
        "group_id": u.group_id,
        "region_prefix": u.region_prefix,
        "disabled": u.disabled,
    })
}

/// Applies changes to an account; disabling it revokes its sessions at once.
pub async fn update(
    c: &mut impl Conn,
    actor: &Actor,
    before: &UserRow,
    changes: &users::UserChanges,
) -> Result<UserRow, AppError> {
    users::update(c, before.id, changes).await?;
    if changes.disabled == Some(true) {
        sessions::revoke_all(c, before.id).await?;
    }
    let after = users::find(c, before.id).await?.ok_or(AppError::NotFound)?;
    let action = match changes.disabled {
        Some(true) if !before.disabled => "disable",
        Some(false) if before.disabled => "enable",
        _ => "update",
    };
    flows::audit_account(
        c,
        &after,
        actor,
        Change {
            action,
            entity: "user",
            entity_id: before.id.to_string(),
            before: Some(snapshot(before)),
            after: Some(snapshot(&after)),
        },
    )
    .await?;
    Ok(after)
}

/// An administrator's password reset: a new temporary password that must be changed at
/// the next sign-in; every session of the account ends.
pub async fn reset_password(
    c: &mut impl Conn,
    actor: &Actor,
    user: &UserRow,
) -> Result<String, AppError> {
    let temporary = password::temporary();
    let hash = password::hash(temporary.clone()).await?;
    users::set_password(c, user.id, &hash, true).await?;
    sessions::revoke_all(c, user.id).await?;
    flows::audit_account(
        c,
        user,
        actor,
        Change {
            action: "reset_password",
            entity: "user",
            entity_id: user.id.to_string(),
            before: None,
            after: None,
        },
    )
    .await?;
    Ok(temporary)
}
