//! Sign-in, sign-out, the caller's own account: password, sessions, one-time codes, and
//! password reset by e-mail.

use axum::Json;
use axum::extract::State;
use axum::http::HeaderValue;
use axum::http::header::SET_COOKIE;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::Done;
use crate::auth::flows::{self, LoginInput, NewSession};
use crate::auth::principal::client;
use crate::auth::session::COOKIE;
use crate::auth::{CurrentUser, SignedIn};
use crate::error::{AppError, AppResult};
use crate::http::AppState;
use crate::http::extract::{ApiJson, ApiPath};
use crate::storage::users::UserRow;
use crate::storage::{audit::Change, sessions, users};

pub(super) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(login))
        .routes(routes!(logout))
        .routes(routes!(request_reset))
        .routes(routes!(confirm_reset))
        .routes(routes!(me, update_me))
        .routes(routes!(change_password))
        .routes(routes!(list_sessions))
        .routes(routes!(revoke_session))
        .routes(routes!(list_logins))
        .routes(routes!(totp_setup))
        .routes(routes!(totp_enable))
        .routes(routes!(totp_disable))
}

/// The caller's account.
#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    /// Id.
    pub id: Uuid,
    /// Sign-in name.
    pub username: String,
    /// Name shown to people.
    pub display_name: String,
    /// E-mail address.
    pub email: Option<String>,
    /// Role identifier.
    pub role: String,
    /// The enterprise of enterprise staff.
    pub tenant_id: Option<Uuid>,
    /// The group of group admins.
    pub group_id: Option<Uuid>,
    /// The region prefix of inspectors.
    pub region_prefix: Option<String>,
    /// Preferred language.
    pub locale: String,
    /// Whether the password must be changed before anything else.
    pub must_change_password: bool,
    /// Whether sign-in asks for a one-time code.
    pub totp_enabled: bool,
}

impl From<&UserRow> for Me {
    fn from(u: &UserRow) -> Self {
        Self {
            id: u.id,
            username: u.username.clone(),
            display_name: u.display_name.clone(),
            email: u.email.clone(),
            role: u.role.clone(),
            tenant_id: u.tenant_id,
            group_id: u.group_id,
            region_prefix: u.region_prefix.clone(),
            locale: u.locale.clone(),
            must_change_password: u.must_change_password,
            totp_enabled: u.totp_enabled,
        }
    }
}

/// Credentials.
#[derive(Debug, Deserialize, ToSchema)]
pub struct LoginRequest {
    /// Sign-in name.
    pub username: String,
    /// Password.
    pub password: String,
    /// One-time code, for accounts with a second factor.
    pub totp: Option<String>,
}

/// A new session. The token also comes as an HttpOnly cookie.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionResponse {
    /// Bearer token for the API.
    pub token: String,
    /// When the session ends.
    pub expires_at: DateTime<Utc>,
    /// The account.
    pub user: Me,
}

/// The session cookie for a new session (Secure when the platform is reached over HTTPS).
pub fn session_cookie(state: &AppState, session: &NewSession) -> HeaderValue {
    let max_age = (session.expires_at - Utc::now()).num_seconds().max(0);
    let secure = if state.settings.public_url().starts_with("https://") { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{COOKIE}={}; HttpOnly; SameSite=Lax; Path=/; Max-Age={max_age}{secure}",
        session.token
    ))
    .expect("a token is a valid header value")
}

fn clear_cookie() -> HeaderValue {
    HeaderValue::from_static("gl_session=; HttpOnly; SameSite=Lax; Path=/; Max-Age=0")
}

fn session_response(state: &AppState, session: NewSession) -> Response {
    let cookie = session_cookie(state, &session);
    let body = SessionResponse {
        token: session.token.clone(),
        expires_at: session.expires_at,
        user: Me::from(&session.user),
    };
    ([(SET_COOKIE, cookie)], Json(body)).into_response()
}

/// Signs in. Repeated failures lock the account for a while (`account_locked`); an
/// account with a second factor answers `totp_required` until the code is given.
#[utoipa::path(post, path = "/auth/login", tag = "auth", request_body = LoginRequest,
    responses((status = 200, body = SessionResponse), (status = 401, description = "bad_credentials, account_locked, account_disabled, totp_required, totp_invalid")))]
async fn login(
    State(state): State<AppState>,
    parts: axum::http::request::Parts,
    ApiJson(req): ApiJson<LoginRequest>,
) -> AppResult<Response> {
    if req.username.trim().is_empty() {
        return Err(AppError::required("username"));
    }
    let (ip, user_agent) = client(&parts);
    let session = flows::login(
        &state,
        LoginInput {
            username: req.username,
            password: req.password,
            totp: req.totp,
            ip,
            user_agent,
        },
    )
    .await?;
    Ok(session_response(&state, session))
}

/// Signs out: the session is revoked and the cookie cleared.
#[utoipa::path(post, path = "/auth/logout", tag = "auth", responses((status = 200, body = Done)))]
async fn logout(State(state): State<AppState>, SignedIn(user): SignedIn) -> AppResult<Response> {
    let mut db = state.db.clone();
    sessions::revoke(&mut db, user.id(), user.session_id).await?;
    Ok(([(SET_COOKIE, clear_cookie())], Done::new()).into_response())
}

/// Who to reset.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ResetRequest {
    /// Sign-in name or e-mail address.
    pub username_or_email: String,
}

/// Sends a password-reset link by e-mail. Answers the same whether or not the account
/// exists.
#[utoipa::path(post, path = "/auth/password-reset", tag = "auth", request_body = ResetRequest,
    responses((status = 202, body = Done)))]
async fn request_reset(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<ResetRequest>,
) -> AppResult<(axum::http::StatusCode, Json<Done>)> {
    if req.username_or_email.trim().is_empty() {
        return Err(AppError::required("username_or_email"));
    }
    flows::request_reset(&state, &req.username_or_email, crate::i18n::current()).await?;
    Ok((axum::http::StatusCode::ACCEPTED, Done::new()))
}

/// A new password with the token from the e-mail.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ConfirmReset {
    /// The token from the link.
    pub token: String,
    /// The new password.
    pub new_password: String,
}

/// Sets a new password with a reset token; every session of the account ends.
#[utoipa::path(post, path = "/auth/password-reset/confirm", tag = "auth", request_body = ConfirmReset,
    responses((status = 200, body = Done), (status = 422, description = "token_invalid or a password policy failure")))]
async fn confirm_reset(
    State(state): State<AppState>,
    parts: axum::http::request::Parts,
    ApiJson(req): ApiJson<ConfirmReset>,
) -> AppResult<Json<Done>> {
    let (ip, _) = client(&parts);
    flows::confirm_reset(&state, &req.token, &req.new_password, ip).await?;
    Ok(Done::new())
}

/// The caller's account.
#[utoipa::path(get, path = "/me", tag = "auth", responses((status = 200, body = Me)))]
async fn me(SignedIn(user): SignedIn) -> Json<Me> {
    Json(Me::from(&user.user))
}

/// Changes to the caller's own profile.
#[derive(Debug, Deserialize, ToSchema)]
pub struct MeChanges {
    /// Name shown to people.
    pub display_name: Option<String>,
    /// E-mail address.
    pub email: Option<String>,
    /// Preferred language: `zh-CN` or `en`.
    pub locale: Option<String>,
}

/// Updates the caller's own name, e-mail or language.
#[utoipa::path(patch, path = "/me", tag = "auth", request_body = MeChanges, responses((status = 200, body = Me)))]
pub(crate) async fn update_me(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(req): ApiJson<MeChanges>,
) -> AppResult<Json<Me>> {
    let mut changes = users::UserChanges::default();
    if let Some(name) = req.display_name {
        changes.display_name = Some(super::enterprises::check_name("display_name", &name)?);
    }
    if let Some(email) = req.email {
        changes.email = Some(super::enterprises::check_email("email", &email)?);
    }
    if let Some(locale) = req.locale {
        let lang = crate::i18n::Lang::from_tag(&locale).ok_or_else(|| {
            AppError::invalid(
                "locale",
                "unknown_locale",
                "仅支持 zh-CN 和 en",
                "only zh-CN and en are supported",
            )
        })?;
        changes.locale = Some(lang.tag().to_owned());
    }
    let mut tx = state.db.begin().await?;
    users::update(&mut tx, user.id(), &changes).await?;
    let after = users::find(&mut tx, user.id()).await?.ok_or(AppError::NotFound)?;
    flows::audit_account(
        &mut tx,
        &after,
        &user.actor(),
        Change {
            action: "update",
            entity: "user",
            entity_id: user.id().to_string(),
            before: Some(serde_json::json!({"display_name": user.user.display_name, "email": user.user.email, "locale": user.user.locale})),
            after: Some(serde_json::json!({"display_name": after.display_name, "email": after.email, "locale": after.locale})),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Json(Me::from(&after)))
}

/// The current and the new password.
#[derive(Debug, Deserialize, ToSchema)]
pub struct PasswordChange {
    /// The current password.
    pub current_password: String,
    /// The new one: at least 8 characters with letters and digits.
    pub new_password: String,
}

/// Changes the caller's password (also the forced change at first sign-in). Every session
/// of the account ends; the answer carries a new one.
#[utoipa::path(post, path = "/me/password", tag = "auth", request_body = PasswordChange, responses((status = 200, body = SessionResponse)))]
async fn change_password(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    ApiJson(req): ApiJson<PasswordChange>,
) -> AppResult<Response> {
    let session = flows::change_password(
        &state,
        &user.user,
        &user.actor(),
        &req.current_password,
        &req.new_password,
        user.ip.clone(),
        user.user_agent.clone(),
    )
    .await?;
    Ok(session_response(&state, session))
}

/// An open session.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionInfo {
    /// Id.
    pub id: Uuid,
    /// Started.
    pub created_at: DateTime<Utc>,
    /// Ends.
    pub expires_at: DateTime<Utc>,
    /// Address at sign-in.
    pub ip: Option<String>,
    /// Software at sign-in.
    pub user_agent: Option<String>,
    /// Whether this is the session of the request.
    pub current: bool,
}

/// The caller's open sessions.
#[utoipa::path(get, path = "/me/sessions", tag = "auth", responses((status = 200, body = Vec<SessionInfo>)))]
async fn list_sessions(
    State(state): State<AppState>,
    user: CurrentUser,
) -> AppResult<Json<Vec<SessionInfo>>> {
    let mut db = state.db.clone();
    let rows = sessions::list_open(&mut db, user.id()).await?;
    Ok(Json(
        rows.into_iter()
            .map(|s| SessionInfo {
                current: s.id == user.session_id,
                id: s.id,
                created_at: s.created_at,
                expires_at: s.expires_at,
                ip: s.ip,
                user_agent: s.user_agent,
            })
            .collect(),
    ))
}

/// Ends one of the caller's sessions (sign out elsewhere).
#[utoipa::path(delete, path = "/me/sessions/{session_id}", tag = "auth", params(("session_id" = Uuid, Path)),
    responses((status = 200, body = Done), (status = 404)))]
async fn revoke_session(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(session_id): ApiPath<Uuid>,
) -> AppResult<Json<Done>> {
    let mut db = state.db.clone();
    if sessions::revoke(&mut db, user.id(), session_id).await? == 0 {
        return Err(AppError::NotFound);
    }
    Ok(Done::new())
}

/// A recorded sign-in attempt.
#[derive(Debug, Serialize, ToSchema)]
pub struct LoginEvent {
    /// When.
    pub at: DateTime<Utc>,
    /// Client address.
    pub ip: Option<String>,
    /// Client software.
    pub user_agent: Option<String>,
    /// `ok`, `bad_password`, `locked`, `disabled`, `totp_required`, `totp_invalid`.
    pub result: String,
}

/// The caller's last 50 sign-in attempts.
#[utoipa::path(get, path = "/me/logins", tag = "auth", responses((status = 200, body = Vec<LoginEvent>)))]
async fn list_logins(
    State(state): State<AppState>,
    user: CurrentUser,
) -> AppResult<Json<Vec<LoginEvent>>> {
    let mut db = state.db.clone();
    let rows = sessions::list_logins(&mut db, user.id(), 50).await?;
    Ok(Json(
        rows.into_iter()
            .map(|r| LoginEvent { at: r.at, ip: r.ip, user_agent: r.user_agent, result: r.result })
            .collect(),
    ))
}

/// A new TOTP secret to enter in an authenticator app.
#[derive(Debug, Serialize, ToSchema)]
pub struct TotpSetup {
    /// The secret in base32.
    pub secret: String,
    /// The `otpauth://` URI (for a QR code).
    pub uri: String,
}

/// Starts setting up the one-time-code second factor. Not required until enabled.
#[utoipa::path(post, path = "/me/totp", tag = "auth", responses((status = 200, body = TotpSetup)))]
async fn totp_setup(
    State(state): State<AppState>,
    user: CurrentUser,
) -> AppResult<Json<TotpSetup>> {
    if user.user.totp_enabled {
        return Err(AppError::BadRequest("invalid_state"));
    }
    let (secret, uri) = flows::totp_setup(&state, &user.user).await?;
    Ok(Json(TotpSetup { secret, uri }))
}

/// A one-time code.
#[derive(Debug, Deserialize, ToSchema)]
pub struct TotpCode {
    /// Six digits from the authenticator app.
    pub code: String,
}

/// Enables the second factor after checking a code from the app.
#[utoipa::path(post, path = "/me/totp/enable", tag = "auth", request_body = TotpCode, responses((status = 200, body = Done)))]
async fn totp_enable(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(req): ApiJson<TotpCode>,
) -> AppResult<Json<Done>> {
    flows::totp_enable(&state, &user.user, &user.actor(), &req.code).await?;
    Ok(Done::new())
}

/// The password, to confirm.
#[derive(Debug, Deserialize, ToSchema)]
pub struct PasswordConfirm {
    /// The account's password.
    pub password: String,
}

/// Disables the second factor after checking the password.
#[utoipa::path(post, path = "/me/totp/disable", tag = "auth", request_body = PasswordConfirm, responses((status = 200, body = Done)))]
async fn totp_disable(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(req): ApiJson<PasswordConfirm>,
) -> AppResult<Json<Done>> {
    flows::totp_disable(&state, &user.user, &user.actor(), &req.password).await?;
    Ok(Done::new())
}
