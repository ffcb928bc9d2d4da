//! Sessions, sign-in events and password-reset tokens.
//!
//! A session token (JWT) is only valid while its row exists, has not expired and has not
//! been revoked: logout, a password change and disabling the user all revoke rows.

use chrono::{DateTime, Utc};
use sea_query::{Expr, ExprTrait, Iden, Order, Query};
use uuid::Uuid;

use super::{Conn, now};

#[derive(Iden)]
enum Sessions {
    Table,
    Id,
    UserId,
    CreatedAt,
    ExpiresAt,
    RevokedAt,
    Ip,
    UserAgent,
}

#[derive(Iden)]
enum LoginEvents {
    Table,
    Id,
    UserId,
    Username,
    At,
    Ip,
    UserAgent,
    Result,
}

#[derive(Iden)]
enum PasswordResets {
    Table,
    TokenHash,
    UserId,
    CreatedAt,
    ExpiresAt,
    UsedAt,
}

/// A stored session.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SessionRow {
    /// Session id (the token's `sid`).
    pub id: Uuid,
    /// Whose session.
    pub user_id: Uuid,
    /// Started.
    pub created_at: DateTime<Utc>,
    /// Ends.
    pub expires_at: DateTime<Utc>,
    /// Revoked, if it was.
    pub revoked_at: Option<DateTime<Utc>>,
    /// Client address at sign-in.
    pub ip: Option<String>,
    /// Client software at sign-in.
    pub user_agent: Option<String>,
}

/// Starts a session and returns its id.
pub async fn insert(
    c: &mut impl Conn,
    user_id: Uuid,
    expires_at: DateTime<Utc>,
    ip: Option<String>,
    user_agent: Option<String>,
) -> Result<Uuid, sqlx::Error> {
    let id = Uuid::now_v7();
    let stmt = Query::insert()
        .into_table(Sessions::Table)
        .columns([
            Sessions::Id,
            Sessions::UserId,
            Sessions::CreatedAt,
            Sessions::ExpiresAt,
            Sessions::Ip,
            Sessions::UserAgent,
        ])
        .values_panic([
            id.into(),
            user_id.into(),
            now().into(),
            expires_at.into(),
            ip.into(),
            user_agent.into(),
        ])
        .to_owned();
    c.execute(&stmt).await?;
    Ok(id)
}

/// The session with this id.
pub async fn find(c: &mut impl Conn, id: Uuid) -> Result<Option<SessionRow>, sqlx::Error> {
    let stmt = Query::select()
        .columns([
            Sessions::Id,
            Sessions::UserId,
            Sessions::CreatedAt,
            Sessions::ExpiresAt,
            Sessions::RevokedAt,
            Sessions::Ip,
            Sessions::UserAgent,
        ])
        .from(Sessions::Table)
        .and_where(Expr::col(Sessions::Id).eq(id))
        .to_owned();
    c.fetch_optional(&stmt).await
}

/// A user's sessions that are still open, newest first.
pub async fn list_open(c: &mut impl Conn, user_id: Uuid) -> Result<Vec<SessionRow>, sqlx::Error> {
    let stmt = Query::select()
        .columns([
            Sessions::Id,
            Sessions::UserId,
            Sessions::CreatedAt,
            Sessions::ExpiresAt,
            Sessions::RevokedAt,
            Sessions::Ip,
            Sessions::UserAgent,
        ])
        .from(Sessions::Table)
        .and_where(Expr::col(Sessions::UserId).eq(user_id))
        .and_where(Expr::col(Sessions::RevokedAt).is_null())
        .and_where(Expr::col(Sessions::ExpiresAt).gt(now()))
        .order_by(Sessions::CreatedAt, Order::Desc)
        .to_owned();
    c.fetch_all(&stmt).await
}

/// Revokes one session of a user.
pub async fn revoke(c: &mut impl Conn, user_id: Uuid, id: Uuid) -> Result<u64, sqlx::Error> {
    let stmt = Query::update()
        .table(Sessions::Table)
        .value(Sessions::RevokedAt, now())
        .and_where(Expr::col(Sessions::Id).eq(id))
        .and_where(Expr::col(Sessions::UserId).eq(user_id))
        .and_where(Expr::col(Sessions::RevokedAt).is_null())
        .to_owned();
    c.execute(&stmt).await
}

/// Revokes every open session of a user.
pub async fn revoke_all(c: &mut impl Conn, user_id: Uuid) -> Result<u64, sqlx::Error> {
    let stmt = Query::update()
        .table(Sessions::Table)
        .value(Sessions::RevokedAt, now())
        .and_where(Expr::col(Sessions::UserId).eq(user_id))
        .and_where(Expr::col(Sessions::RevokedAt).is_null())
        .to_owned();
    c.execute(&stmt).await
}

/// The outcome of a sign-in attempt, as recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginResult {
    /// Signed in.
    Ok,
    /// No such user.
    UnknownUser,
    /// Wrong password.
    BadPassword,
    /// The account is locked.
    Locked,
    /// The account is disabled.
    Disabled,
    /// The password was right but no one-time code was given.
    TotpRequired,
    /// The one-time code was wrong.
    TotpInvalid,
}

impl LoginResult {
    /// Stable identifier, as stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::UnknownUser => "unknown_user",
            Self::BadPassword => "bad_password",
            Self::Locked => "locked",
            Self::Disabled => "disabled",
            Self::TotpRequired => "totp_required",
            Self::TotpInvalid => "totp_invalid",
        }
    }
}

/// A recorded sign-in attempt.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LoginEventRow {
    /// Id.
    pub id: Uuid,
    /// The user, when the name matched one.
    pub user_id: Option<Uuid>,
    /// The name given.
    pub username: String,
    /// When.
    pub at: DateTime<Utc>,
    /// Client address.
    pub ip: Option<String>,
    /// Client software.
    pub user_agent: Option<String>,
    /// Outcome identifier.
    pub result: String,
}

/// Records a sign-in attempt.
pub async fn record_login(
    c: &mut impl Conn,
    user_id: Option<Uuid>,
    username: &str,
    ip: Option<String>,
    user_agent: Option<String>,
    result: LoginResult,
) -> Result<(), sqlx::Error> {
    let stmt = Query::insert()
        .into_table(LoginEvents::Table)
        .columns([
            LoginEvents::Id,
            LoginEvents::UserId,
            LoginEvents::Username,
            LoginEvents::At,
            LoginEvents::Ip,
            LoginEvents::UserAgent,
            LoginEvents::Result,
        ])
        .values_panic([
            Uuid::now_v7().into(),
            user_id.into(),
            username.chars().take(100).collect::<String>().into(),
            now().into(),
            ip.into(),
            user_agent.into(),
            result.as_str().into(),
        ])
        .to_owned();
    c.execute(&stmt).await.map(drop)
}

/// Sign-in attempts for a user, newest first.
pub async fn list_logins(
    c: &mut impl Conn,
    user_id: Uuid,
    limit: u64,
) -> Result<Vec<LoginEventRow>, sqlx::Error> {
    let stmt = Query::select()
        .columns([
            LoginEvents::Id,
            LoginEvents::UserId,
            LoginEvents::Username,
            LoginEvents::At,
            LoginEvents::Ip,
            LoginEvents::UserAgent,
            LoginEvents::Result,
        ])
        .from(LoginEvents::Table)
        .and_where(Expr::col(LoginEvents::UserId).eq(user_id))
        .order_by(LoginEvents::At, Order::Desc)
        .limit(limit)
        .to_owned();
    c.fetch_all(&stmt).await
}

/// Stores a reset token's hash.
pub async fn insert_reset(
    c: &mut impl Conn,
    token_hash: &str,
    user_id: Uuid,
    expires_at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let stmt = Query::insert()
        .into_table(PasswordResets::Table)
        .columns([
            PasswordResets::TokenHash,
            PasswordResets::UserId,
            PasswordResets::CreatedAt,
            PasswordResets::ExpiresAt,
        ])
        .values_panic([token_hash.into(), user_id.into(), now().into(), expires_at.into()])
        .to_owned();
    c.execute(&stmt).await.map(drop)
}

#[derive(sqlx::FromRow)]
struct ResetRow {
    user_id: Uuid,
}

/// Marks an unused, unexpired reset token as used and returns its user; `None` when the
/// token is unknown, used or expired. A token works once.
pub async fn take_reset(c: &mut impl Conn, token_hash: &str) -> Result<Option<Uuid>, sqlx::Error> {
    let at = now();
    let stmt = Query::select()
        .column(PasswordResets::UserId)
        .from(PasswordResets::Table)
        .and_where(Expr::col(PasswordResets::TokenHash).eq(token_hash))
        .and_where(Expr::col(PasswordResets::UsedAt).is_null())
        .and_where(Expr::col(PasswordResets::ExpiresAt).gt(at))
        .to_owned();
    let Some(row) = c.fetch_optional::<ResetRow>(&stmt).await? else { return Ok(None) };
    let used = Query::update()
        .table(PasswordResets::Table)
        .value(PasswordResets::UsedAt, at)
        .and_where(Expr::col(PasswordResets::TokenHash).eq(token_hash))
        .and_where(Expr::col(PasswordResets::UsedAt).is_null())
        .to_owned();
    Ok((c.execute(&used).await? == 1).then_some(row.user_id))
}
