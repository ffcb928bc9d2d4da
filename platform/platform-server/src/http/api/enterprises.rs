//! Enterprises (tenants) as their staff, their group admins, the region's inspectors and
//! platform admins see them, and the enterprise's own user accounts.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use platform_domain::codes::{EnterpriseRating, Industry};
use platform_domain::ids::TenantId;
use platform_domain::permissions::{Action, Resource, RoleKind};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::platform::{
    AdminUserChanges, CreatedUser, TemporaryPassword, apply_user_changes, create_account,
};
use super::{PageParams, Paged};
use crate::auth::accounts::{self, AccountRequest};
use crate::auth::{CurrentUser, tenant_access};
use crate::error::{AppError, AppResult};
use crate::http::AppState;
use crate::http::extract::{ApiPath, ApiQuery, JsonBody};
use crate::storage::audit::{self, Change};
use crate::storage::tenants::{self, TenantChanges, TenantRow};
use crate::storage::users::{self, UserFilter, UserRow};

pub(super) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_enterprises))
        .routes(routes!(show_enterprise, update_enterprise))
        .routes(routes!(list_members, create_member))
        .routes(routes!(show_member, update_member))
        .routes(routes!(reset_member_password))
}

/// Checks a name shown to people: 1–100 characters after trimming.
pub fn check_name(field: &str, value: &str) -> Result<String, AppError> {
    let v = value.trim();
    if v.is_empty() {
        return Err(AppError::required(field));
    }
    if v.chars().count() > 100 {
        return Err(AppError::invalid(
            field,
            "too_long",
            "不能超过 100 个字符",
            "must not exceed 100 characters",
        ));
    }
    Ok(v.to_owned())
}

/// Checks an e-mail address; an empty one means none.
pub fn check_email(field: &str, value: &str) -> Result<Option<String>, AppError> {
    let v = value.trim();
    if v.is_empty() {
        return Ok(None);
    }
    let ok = v.len() <= 254
        && v.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        })
        && !v.chars().any(char::is_whitespace);
    if !ok {
        return Err(AppError::invalid(
            field,
            "invalid_email",
            "电子邮箱格式不正确",
            "the e-mail address is not valid",
        ));
    }
    Ok(Some(v.to_owned()))
}

/// An account as administrators see it (never its password hash or TOTP secret).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UserInfo {
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
    /// Enterprise of enterprise staff.
    pub tenant_id: Option<Uuid>,
    /// Group of group admins.
    pub group_id: Option<Uuid>,
    /// Region prefix of inspectors.
    pub region_prefix: Option<String>,
    /// Disabled accounts cannot sign in.
    pub disabled: bool,
    /// Locked until, after repeated failures.
    pub locked_until: Option<DateTime<Utc>>,
    /// Must change the password at next sign-in.
    pub must_change_password: bool,
    /// Has a second factor.
    pub totp_enabled: bool,
    /// Created.
    pub created_at: DateTime<Utc>,
}

impl From<&UserRow> for UserInfo {
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
            disabled: u.disabled,
            locked_until: u.locked_until,
            must_change_password: u.must_change_password,
            totp_enabled: u.totp_enabled,
            created_at: u.created_at,
        }
    }
}

/// An enterprise.
#[derive(Debug, Serialize, ToSchema)]
pub struct Enterprise {
    /// Id (the tenant id).
    pub id: Uuid,
    /// 企业名称.
    pub name: String,
    /// 统一社会信用代码.
    pub credit_code: String,
    /// 排污许可证编号.
    pub permit_no: Option<String>,
    /// GB/T 2260 region code.
    pub region_code: String,
    /// Industry identifier.
    pub industry: String,
    /// Rating identifier (绩效等级).
    pub rating: String,
    /// Address.
    pub address: Option<String>,
    /// Normal daily truck trips.
    pub daily_trip_baseline: Option<i32>,
    /// Its group.
    pub group_id: Option<Uuid>,
    /// `active` or `suspended`.
    pub status: String,
    /// Version of its admission rules and lists.
    pub rules_version: i64,
    /// Created.
    pub created_at: DateTime<Utc>,
}

impl From<TenantRow> for Enterprise {
    fn from(t: TenantRow) -> Self {
        Self {
            id: t.id,
            name: t.name,
            credit_code: t.credit_code,
            permit_no: t.permit_no,
            region_code: t.region_code,
            industry: t.industry,
            rating: t.rating,
            address: t.address,
            daily_trip_baseline: t.daily_trip_baseline,
            group_id: t.group_id,
            status: t.status,
            rules_version: t.rules_version,
            created_at: t.created_at,
        }
    }
}

/// The enterprises the caller may see: their own, their group's, their region's, or all
/// for platform admins.
#[utoipa::path(get, path = "/enterprises", tag = "enterprises", params(PageParams), responses((status = 200, body = Paged<Enterprise>)))]
pub(crate) async fn list_enterprises(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiQuery(q): ApiQuery<PageParams>,
) -> AppResult<Json<Paged<Enterprise>>> {
    let scope = user.tenant_scope().ok_or(AppError::Forbidden("forbidden"))?;
    let mut db = state.db.clone();
    let rows = tenants::list(&mut db, &scope, q.page()).await?;
    Ok(Json(q.wrap(rows.into_iter().map(Enterprise::from).collect(), None)))
}

/// One enterprise.
#[utoipa::path(get, path = "/enterprises/{tenant_id}", tag = "enterprises", params(("tenant_id" = Uuid, Path)),
    responses((status = 200, body = Enterprise), (status = 404)))]
pub(crate) async fn show_enterprise(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(tenant_id): ApiPath<Uuid>,
) -> AppResult<Json<Enterprise>> {
    let tenant =
        tenant_access(&state, &user, tenant_id, Resource::TenantProfile, Action::Read).await?;
    Ok(Json(tenant.into()))
}

/// Changes to an enterprise's master data. The credit code and region are fixed at
/// registration; a platform admin handles a change of either.
#[derive(Debug, Deserialize, ToSchema)]
pub struct EnterpriseChanges {
    /// 企业名称.
    pub name: Option<String>,
    /// 排污许可证编号 (empty clears it).
    pub permit_no: Option<String>,
    /// Industry identifier.
    pub industry: Option<String>,
    /// Rating identifier; changing it changes the admission baseline.
    pub rating: Option<String>,
    /// Address (empty clears it).
    pub address: Option<String>,
    /// Normal daily truck trips (0 clears it).
    pub daily_trip_baseline: Option<i32>,
}

/// Updates an enterprise's master data.
#[utoipa::path(patch, path = "/enterprises/{tenant_id}", tag = "enterprises", params(("tenant_id" = Uuid, Path)),
    request_body = EnterpriseChanges, responses((status = 200, body = Enterprise), (status = 403), (status = 404)))]
pub(crate) async fn update_enterprise(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(tenant_id): ApiPath<Uuid>,
    req_body: JsonBody<EnterpriseChanges>,
) -> AppResult<Json<Enterprise>> {
    let before =
        tenant_access(&state, &user, tenant_id, Resource::TenantProfile, Action::Write).await?;
    let req = req_body.parse()?;
    let mut ch = TenantChanges::default();
    if let Some(n) = req.name {
        ch.name = Some(check_name("name", &n)?);
    }
    if let Some(p) = req.permit_no {
        let p = p.trim();
        if p.chars().count() > 64 {
            return Err(AppError::invalid(
                "permit_no",
                "too_long",
                "不能超过 64 个字符",
                "must not exceed 64 characters",
            ));
        }
        ch.permit_no = Some((!p.is_empty()).then(|| p.to_owned()));
    }
    if let Some(i) = req.industry {
        let i: Industry = i.parse().map_err(|_| {
            AppError::invalid(
                "industry",
                "unknown_industry",
                "行业代码不存在",
                "unknown industry code",
            )
        })?;
        ch.industry = Some(i.as_str().to_owned());
    }
    if let Some(r) = req.rating {
        let r: EnterpriseRating = r.parse().map_err(|_| {
            AppError::invalid(
                "rating",
                "unknown_rating",
                "绩效等级代码不存在",
                "unknown rating code",
            )
        })?;
        ch.rating = Some(r.as_str().to_owned());
    }
    if let Some(a) = req.address {
        let a = a.trim();
        ch.address = Some((!a.is_empty()).then(|| a.to_owned()));
    }
    if let Some(b) = req.daily_trip_baseline {
        if !(0..=1_000_000).contains(&b) {
            return Err(AppError::invalid(
                "daily_trip_baseline",
                "out_of_range",
                "应在 0 到 1000000 之间",
                "must be between 0 and 1000000",
            ));
        }
        ch.daily_trip_baseline = Some((b > 0).then_some(b));
    }
    let t = TenantId::from(tenant_id);
    let mut tx = state.db.begin().await?;
    tenants::update(&mut tx, t, &ch).await?;
    let after = tenants::find(&mut tx, t).await?.ok_or(AppError::NotFound)?;
    audit::record(
        &mut tx,
        t,
        &user.actor(),
        Change {
            action: "update",
            entity: "tenant",
            entity_id: tenant_id.to_string(),
            before: Some(json!(before)),
            after: Some(json!(after)),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Json(after.into()))
}

/// The enterprise roles an enterprise's users can hold.
const STAFF_ROLES: [RoleKind; 3] =
    [RoleKind::EnterpriseAdmin, RoleKind::EnterpriseOperator, RoleKind::EnterpriseViewer];

fn staff_role(field: &str, role: &str) -> Result<String, AppError> {
    STAFF_ROLES.iter().find(|k| k.as_str() == role).map(|k| k.as_str().to_owned()).ok_or_else(
        || {
            AppError::invalid(
                field,
                "invalid_role",
                "角色应为 enterprise_admin、enterprise_operator 或 enterprise_viewer",
                "the role must be enterprise_admin, enterprise_operator or enterprise_viewer",
            )
        },
    )
}

/// An enterprise's users.
#[utoipa::path(get, path = "/enterprises/{tenant_id}/users", tag = "enterprises", params(("tenant_id" = Uuid, Path), PageParams),
    responses((status = 200, body = Paged<UserInfo>), (status = 404)))]
pub(crate) async fn list_members(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(tenant_id): ApiPath<Uuid>,
    ApiQuery(q): ApiQuery<PageParams>,
) -> AppResult<Json<Paged<UserInfo>>> {
    tenant_access(&state, &user, tenant_id, Resource::Members, Action::Read).await?;
    let mut db = state.db.clone();
    let rows = users::list(
        &mut db,
        &UserFilter { tenant_id: Some(tenant_id), ..Default::default() },
        q.page(),
    )
    .await?;
    Ok(Json(q.wrap(rows.iter().map(UserInfo::from).collect(), None)))
}

/// A new user of an enterprise.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewMember {
    /// Sign-in name (3–32 lowercase letters, digits, `.`, `_`, `-`).
    pub username: String,
    /// Name shown to people.
    pub display_name: String,
    /// E-mail address, for the welcome and reset mails.
    pub email: Option<String>,
    /// `enterprise_admin`, `enterprise_operator` or `enterprise_viewer`.
    pub role: String,
}

/// Creates a user of the enterprise. The answer carries a temporary password (shown once);
/// the user must change it at first sign-in.
#[utoipa::path(post, path = "/enterprises/{tenant_id}/users", tag = "enterprises", params(("tenant_id" = Uuid, Path)),
    request_body = NewMember, responses((status = 201, body = CreatedUser), (status = 404), (status = 409)))]
pub(crate) async fn create_member(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(tenant_id): ApiPath<Uuid>,
    req_body: JsonBody<NewMember>,
) -> AppResult<(StatusCode, Json<CreatedUser>)> {
    let tenant = tenant_access(&state, &user, tenant_id, Resource::Members, Action::Write).await?;
    let req = req_body.parse()?;
    create_account(
        &state,
        &user.actor(),
        AccountRequest {
            username: req.username,
            display_name: check_name("display_name", &req.display_name)?,
            email: req.email.as_deref().map(|e| check_email("email", e)).transpose()?.flatten(),
            role: staff_role("role", &req.role)?,
            tenant_id: Some(tenant_id),
            group_id: None,
            region_prefix: None,
        },
        Some(&tenant.name),
    )
    .await
}

async fn member(
    state: &AppState,
    user: &CurrentUser,
    tenant_id: Uuid,
    user_id: Uuid,
    action: Action,
) -> AppResult<UserRow> {
    tenant_access(state, user, tenant_id, Resource::Members, action).await?;
    let mut db = state.db.clone();
    users::find(&mut db, user_id)
        .await?
        .filter(|u| u.tenant_id == Some(tenant_id))
        .ok_or(AppError::NotFound)
}

/// One user of the enterprise.
#[utoipa::path(get, path = "/enterprises/{tenant_id}/users/{user_id}", tag = "enterprises",
    params(("tenant_id" = Uuid, Path), ("user_id" = Uuid, Path)), responses((status = 200, body = UserInfo), (status = 404)))]
pub(crate) async fn show_member(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath((tenant_id, user_id)): ApiPath<(Uuid, Uuid)>,
) -> AppResult<Json<UserInfo>> {
    Ok(Json(UserInfo::from(&member(&state, &user, tenant_id, user_id, Action::Read).await?)))
}

/// Changes to a user of the enterprise.
#[derive(Debug, Deserialize, ToSchema)]
pub struct MemberChanges {
    /// Name shown to people.
    pub display_name: Option<String>,
    /// E-mail address (empty clears it).
    pub email: Option<String>,
    /// New role.
    pub role: Option<String>,
    /// Disable (true) or enable (false); disabling ends every session at once.
    pub disabled: Option<bool>,
}

/// Changes a user of the enterprise; disabling revokes their sessions at once.
#[utoipa::path(patch, path = "/enterprises/{tenant_id}/users/{user_id}", tag = "enterprises",
    params(("tenant_id" = Uuid, Path), ("user_id" = Uuid, Path)), request_body = MemberChanges,
    responses((status = 200, body = UserInfo), (status = 404)))]
pub(crate) async fn update_member(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath((tenant_id, user_id)): ApiPath<(Uuid, Uuid)>,
    req_body: JsonBody<MemberChanges>,
) -> AppResult<Json<UserInfo>> {
    let target = member(&state, &user, tenant_id, user_id, Action::Write).await?;
    let req = req_body.parse()?;
    if target.id == user.id()
        && (req.disabled == Some(true) || req.role.as_deref().is_some_and(|r| r != target.role))
    {
        return Err(AppError::invalid(
            if req.disabled == Some(true) { "disabled" } else { "role" },
            "self_lockout",
            "不能停用自己的账户或更改自己的角色",
            "you cannot disable your own account or change your own role",
        ));
    }
    let role = req.role.as_deref().map(|r| staff_role("role", r)).transpose()?;
    let changes = AdminUserChanges {
        display_name: req.display_name,
        email: req.email,
        disabled: req.disabled,
    };
    Ok(Json(apply_user_changes(&state, &user.actor(), &target, changes, role).await?))
}

/// Resets the password of a user of the enterprise to a temporary one.
#[utoipa::path(post, path = "/enterprises/{tenant_id}/users/{user_id}/reset-password", tag = "enterprises",
    params(("tenant_id" = Uuid, Path), ("user_id" = Uuid, Path)), responses((status = 200, body = TemporaryPassword), (status = 404)))]
pub(crate) async fn reset_member_password(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath((tenant_id, user_id)): ApiPath<(Uuid, Uuid)>,
) -> AppResult<Json<TemporaryPassword>> {
    let target = member(&state, &user, tenant_id, user_id, Action::Write).await?;
    let mut tx = state.db.begin().await?;
    let temporary_password = accounts::reset_password(&mut tx, &user.actor(), &target).await?;
    tx.commit().await?;
    Ok(Json(TemporaryPassword { temporary_password }))
}
