//! Accounts: enterprise staff, group admins, bureau inspectors and platform admins.
//!
//! The users table is platform-wide rather than tenant-owned: a sign-in names a user before
//! any tenant is known. Each user carries the scope it acts in (a tenant, a group or a region
//! prefix), and every query that lists users for a tenant filters on it.

use chrono::{DateTime, Utc};
use sea_query::{Expr, ExprTrait, Func, Iden, Order, Query};
use uuid::Uuid;

use super::{Conn, Page, now};

#[derive(Iden)]
pub(crate) enum Users {
    Table,
    Id,
    Username,
    DisplayName,
    Email,
    Role,
    TenantId,
    GroupId,
    RegionPrefix,
    PasswordHash,
    MustChangePassword,
    FailedLogins,
    LockedUntil,
    Disabled,
    TotpSecret,
    TotpEnabled,
    Locale,
    PasswordChangedAt,
    CreatedAt,
    UpdatedAt,
}

/// A stored account.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UserRow {
    /// Id.
    pub id: Uuid,
    /// Sign-in name, lowercase.
    pub username: String,
    /// Name shown to people.
    pub display_name: String,
    /// For password resets and reports.
    pub email: Option<String>,
    /// Role identifier (see `auth::Role`).
    pub role: String,
    /// The enterprise of enterprise staff.
    pub tenant_id: Option<Uuid>,
    /// The group of group admins.
    pub group_id: Option<Uuid>,
    /// The region prefix of bureau inspectors.
    pub region_prefix: Option<String>,
    /// Argon2id PHC string.
    pub password_hash: String,
    /// Set for new accounts and after an administrator reset.
    pub must_change_password: bool,
    /// Failed sign-ins in a row.
    pub failed_logins: i32,
    /// Locked until then after too many failures.
    pub locked_until: Option<DateTime<Utc>>,
    /// Disabled accounts cannot sign in; their sessions are revoked.
    pub disabled: bool,
    /// Base32 TOTP secret (pending until enabled).
    pub totp_secret: Option<String>,
    /// Whether a one-time code is required at sign-in.
    pub totp_enabled: bool,
    /// Preferred language tag.
    pub locale: String,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

const COLUMNS: [Users; 19] = [
    Users::Id,
    Users::Username,
    Users::DisplayName,
    Users::Email,
    Users::Role,
    Users::TenantId,
    Users::GroupId,
    Users::RegionPrefix,
    Users::PasswordHash,
    Users::MustChangePassword,
    Users::FailedLogins,
    Users::LockedUntil,
    Users::Disabled,
    Users::TotpSecret,
    Users::TotpEnabled,
    Users::Locale,
    Users::CreatedAt,
    Users::UpdatedAt,
    Users::PasswordChangedAt,
];

/// A new account.
#[derive(Debug, Clone)]
pub struct NewUser {
    /// Sign-in name (stored lowercase).
    pub username: String,
    /// Name shown to people.
    pub display_name: String,
    /// E-mail address.
    pub email: Option<String>,
    /// Role identifier.
    pub role: String,
    /// Enterprise scope.
    pub tenant_id: Option<Uuid>,
    /// Group scope.
    pub group_id: Option<Uuid>,
    /// Region scope.
    pub region_prefix: Option<String>,
    /// Argon2id hash.
    pub password_hash: String,
    /// Whether the first sign-in must change the password.
    pub must_change_password: bool,
}

/// Inserts an account and returns its id.
pub async fn insert(c: &mut impl Conn, user: &NewUser) -> Result<Uuid, sqlx::Error> {
    let id = Uuid::now_v7();
    let at = now();
    let stmt = Query::insert()
        .into_table(Users::Table)
        .columns(COLUMNS)
        .values_panic([
            id.into(),
            user.username.to_lowercase().into(),
            user.display_name.clone().into(),
            user.email.clone().into(),
            user.role.clone().into(),
            user.tenant_id.into(),
            user.group_id.into(),
            user.region_prefix.clone().into(),
            user.password_hash.clone().into(),
            user.must_change_password.into(),
            0i32.into(),
            Option::<DateTime<Utc>>::None.into(),
            false.into(),
            Option::<String>::None.into(),
            false.into(),
            "zh-CN".into(),
            at.into(),
            at.into(),
            Option::<DateTime<Utc>>::None.into(),
        ])
        .to_owned();
    c.execute(&stmt).await?;
    Ok(id)
}

/// The account with this id.
pub async fn find(c: &mut impl Conn, id: Uuid) -> Result<Option<UserRow>, sqlx::Error> {
    let stmt = Query::select()
        .columns(COLUMNS)
        .from(Users::Table)
        .and_where(Expr::col(Users::Id).eq(id))
        .to_owned();
    c.fetch_optional(&stmt).await
}

/// The account with this sign-in name (case-insensitive).
pub async fn find_by_username(
    c: &mut impl Conn,
    username: &str,
) -> Result<Option<UserRow>, sqlx::Error> {
    let stmt = Query::select()
        .columns(COLUMNS)
        .from(Users::Table)
        .and_where(Expr::col(Users::Username).eq(username.trim().to_lowercase()))
        .to_owned();
    c.fetch_optional(&stmt).await
}

/// Accounts whose e-mail address is `email` (case-insensitive), for password resets.
pub async fn list_by_email(c: &mut impl Conn, email: &str) -> Result<Vec<UserRow>, sqlx::Error> {
    let stmt = Query::select()
        .columns(COLUMNS)
        .from(Users::Table)
        .and_where(Expr::expr(Func::lower(Expr::col(Users::Email))).eq(email.trim().to_lowercase()))
        .to_owned();
    c.fetch_all(&stmt).await
}

/// Which accounts to list.
#[derive(Debug, Clone, Default)]
pub struct UserFilter {
    /// Only this enterprise's staff.
    pub tenant_id: Option<Uuid>,
    /// Only this group's admins.
    pub group_id: Option<Uuid>,
    /// Only this role.
    pub role: Option<String>,
}

/// Lists accounts, oldest first.
pub async fn list(
    c: &mut impl Conn,
    filter: &UserFilter,
    page: Page,
) -> Result<Vec<UserRow>, sqlx::Error> {
    let mut q = Query::select();
    q.columns(COLUMNS).from(Users::Table);
    if let Some(t) = filter.tenant_id {
        q.and_where(Expr::col(Users::TenantId).eq(t));
    }
    if let Some(g) = filter.group_id {
        q.and_where(Expr::col(Users::GroupId).eq(g));
    }
    if let Some(r) = &filter.role {
        q.and_where(Expr::col(Users::Role).eq(r.clone()));
    }
    q.order_by(Users::CreatedAt, Order::Asc).limit(page.limit).offset(page.offset);
    c.fetch_all(&q).await
}

/// Changes of profile fields; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct UserChanges {
    /// New display name.
    pub display_name: Option<String>,
    /// New e-mail (`Some(None)` clears it).
    pub email: Option<Option<String>>,
    /// New role.
    pub role: Option<String>,
    /// Disable or enable.
    pub disabled: Option<bool>,
    /// Preferred language.
    pub locale: Option<String>,
}

/// Applies profile changes.
pub async fn update(c: &mut impl Conn, id: Uuid, ch: &UserChanges) -> Result<u64, sqlx::Error> {
    let mut q = Query::update();
    q.table(Users::Table).value(Users::UpdatedAt, now());
    if let Some(v) = &ch.display_name {
        q.value(Users::DisplayName, v.clone());
    }
    if let Some(v) = &ch.email {
        q.value(Users::Email, v.clone());
    }
    if let Some(v) = &ch.role {
        q.value(Users::Role, v.clone());
    }
    if let Some(v) = ch.disabled {
        q.value(Users::Disabled, v);
    }
    if let Some(v) = &ch.locale {
        q.value(Users::Locale, v.clone());
    }
    q.and_where(Expr::col(Users::Id).eq(id));
    c.execute(&q).await
}

/// Sets a new password hash, clears lockout, and says whether it must change at next sign-in.
pub async fn set_password(
    c: &mut impl Conn,
    id: Uuid,
    password_hash: &str,
    must_change: bool,
) -> Result<u64, sqlx::Error> {
    let at = now();
    let stmt = Query::update()
        .table(Users::Table)
        .value(Users::PasswordHash, password_hash)
        .value(Users::MustChangePassword, must_change)
        .value(Users::FailedLogins, 0i32)
        .value(Users::LockedUntil, Option::<DateTime<Utc>>::None)
        .value(Users::PasswordChangedAt, at)
        .value(Users::UpdatedAt, at)
        .and_where(Expr::col(Users::Id).eq(id))
        .to_owned();
    c.execute(&stmt).await
}

/// Records a failed sign-in; locks the account until `lock_until` when given.
pub async fn record_failure(
    c: &mut impl Conn,
    id: Uuid,
    failed_logins: i32,
    lock_until: Option<DateTime<Utc>>,
) -> Result<u64, sqlx::Error> {
    // A lock starts a fresh count: after it expires the user gets the full number of tries.
    let count = if lock_until.is_some() { 0 } else { failed_logins };
    let mut q = Query::update();
    q.table(Users::Table).value(Users::FailedLogins, count);
    if let Some(until) = lock_until {
        q.value(Users::LockedUntil, until);
    }
    q.and_where(Expr::col(Users::Id).eq(id));
    c.execute(&q).await
}

/// Clears the failure count after a successful sign-in.
pub async fn record_success(c: &mut impl Conn, id: Uuid) -> Result<u64, sqlx::Error> {
    let stmt = Query::update()
        .table(Users::Table)
        .value(Users::FailedLogins, 0i32)
        .value(Users::LockedUntil, Option::<DateTime<Utc>>::None)
        .and_where(Expr::col(Users::Id).eq(id))
        .to_owned();
    c.execute(&stmt).await
}

/// Stores a TOTP secret and whether it is enabled.
pub async fn set_totp(
    c: &mut impl Conn,
    id: Uuid,
    secret: Option<String>,
    enabled: bool,
) -> Result<u64, sqlx::Error> {
    let stmt = Query::update()
        .table(Users::Table)
        .value(Users::TotpSecret, secret)
        .value(Users::TotpEnabled, enabled)
        .value(Users::UpdatedAt, now())
        .and_where(Expr::col(Users::Id).eq(id))
        .to_owned();
    c.execute(&stmt).await
}
