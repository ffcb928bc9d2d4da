//! Platform administration: enterprise registrations (submitted by anyone, reviewed by a
//! platform admin), bureau and platform accounts, enterprise groups.

use axum::Json;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{DefaultBodyLimit, Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, Utc};
use platform_domain::codes::{EnterpriseRating, Industry};
use platform_domain::credit_code::CreditCode;
use platform_domain::ids::{GroupId, TenantId};
use platform_domain::permissions::{Action, RoleKind};
use platform_domain::region::{RegionCode, RegionScope};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::enterprises::{UserInfo, check_email, check_name};
use super::{Done, PageParams, Paged, invalid};
use crate::auth::CurrentUser;
use crate::auth::accounts::{self, AccountRequest};
use crate::error::{AppError, AppResult};
use crate::http::AppState;
use crate::http::extract::{ApiPath, ApiQuery, JsonBody};
use crate::http::upload::{self, Accept};
use crate::objects::{Fetch, sha256_hex};
use crate::storage::audit::{self, Actor, Change};
use crate::storage::registrations::{self, NewRegistration, RegistrationDocument, RegistrationRow};
use crate::storage::tenants::{self, NewTenant};
use crate::storage::users::{self, UserFilter};

pub(super) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(submit_registration))
        .layer(DefaultBodyLimit::max(upload::MAX_REQUEST))
        .routes(routes!(list_registrations))
        .routes(routes!(show_registration))
        .routes(routes!(registration_document))
        .routes(routes!(approve_registration))
        .routes(routes!(reject_registration))
        .routes(routes!(list_users))
        .routes(routes!(update_user))
        .routes(routes!(reset_user_password))
        .routes(routes!(create_bureau_user))
        .routes(routes!(create_platform_admin))
        .routes(routes!(list_groups, create_group))
        .routes(routes!(add_group_member))
        .routes(routes!(remove_group_member))
        .routes(routes!(create_group_admin))
}

/// The documents a registration carries, by form field: 营业执照, 排污许可证, others.
const REGISTRATION_DOCUMENTS: [&str; 3] = ["business_licence", "discharge_permit", "other"];

fn doc_key(registration: Uuid, sha256: &str) -> String {
    format!("registrations/{registration}/{sha256}")
}

/// Parses the enterprise master data every registration and every enterprise carries.
pub fn parse_enterprise(
    credit_code: &str,
    region_code: &str,
    industry: &str,
    rating: &str,
) -> Result<(CreditCode, RegionCode, Industry, EnterpriseRating), AppError> {
    let credit = CreditCode::parse(credit_code).map_err(invalid)?;
    let region = RegionCode::parse(region_code).map_err(invalid)?;
    let industry: Industry = industry.parse().map_err(|_| {
        AppError::invalid("industry", "unknown_industry", "行业代码不存在", "unknown industry code")
    })?;
    let rating: EnterpriseRating = rating.parse().map_err(|_| {
        AppError::invalid("rating", "unknown_rating", "绩效等级代码不存在", "unknown rating code")
    })?;
    Ok((credit, region, industry, rating))
}

/// A registration as a platform admin sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct Registration {
    /// Id.
    pub id: Uuid,
    /// 企业名称.
    pub name: String,
    /// 统一社会信用代码.
    pub credit_code: String,
    /// 排污许可证编号.
    pub permit_no: Option<String>,
    /// Region code.
    pub region_code: String,
    /// Industry identifier.
    pub industry: String,
    /// Rating identifier.
    pub rating: String,
    /// Address.
    pub address: Option<String>,
    /// Contact person.
    pub contact_name: String,
    /// Contact e-mail.
    pub contact_email: String,
    /// Contact phone.
    pub contact_phone: Option<String>,
    /// Wanted admin sign-in name.
    pub admin_username: String,
    /// Documents submitted.
    pub documents: Vec<RegistrationDocument>,
    /// `pending`, `approved`, `rejected`.
    pub status: String,
    /// Reason of a rejection.
    pub reject_reason: Option<String>,
    /// Reviewed at.
    pub reviewed_at: Option<DateTime<Utc>>,
    /// The enterprise created on approval.
    pub tenant_id: Option<Uuid>,
    /// Submitted at.
    pub created_at: DateTime<Utc>,
}

impl From<RegistrationRow> for Registration {
    fn from(r: RegistrationRow) -> Self {
        Self {
            id: r.id,
            name: r.name,
            credit_code: r.credit_code,
            permit_no: r.permit_no,
            region_code: r.region_code,
            industry: r.industry,
            rating: r.rating,
            address: r.address,
            contact_name: r.contact_name,
            contact_email: r.contact_email,
            contact_phone: r.contact_phone,
            admin_username: r.admin_username,
            documents: r.documents.0,
            status: r.status,
            reject_reason: r.reject_reason,
            reviewed_at: r.reviewed_at,
            tenant_id: r.tenant_id,
            created_at: r.created_at,
        }
    }
}

/// The multipart form of a registration.
#[derive(Debug, ToSchema)]
#[allow(dead_code, reason = "describes the form for the OpenAPI document")]
struct RegistrationForm {
    name: String,
    credit_code: String,
    permit_no: Option<String>,
    region_code: String,
    industry: String,
    rating: String,
    address: Option<String>,
    contact_name: String,
    contact_email: String,
    contact_phone: Option<String>,
    admin_username: String,
    /// Files (JPEG, PNG or PDF, up to 10 MB each) in the fields `business_licence`
    /// (营业执照), `discharge_permit` (排污许可证) and `other` (其他证明文件).
    #[schema(value_type = Vec<String>, format = Binary)]
    documents: Vec<Vec<u8>>,
}

/// Submits an enterprise's registration with its documents (no sign-in needed). A platform
/// admin approves or rejects it.
#[utoipa::path(post, path = "/registrations", tag = "platform", security(()),
    request_body(content = RegistrationForm, content_type = "multipart/form-data"),
    responses((status = 201, body = super::Created), (status = 422, description = "a field names what is wrong")))]
pub(crate) async fn submit_registration(
    State(state): State<AppState>,
    multipart: Result<Multipart, MultipartRejection>,
) -> AppResult<(StatusCode, Json<super::Created>)> {
    let form = upload::read(
        multipart.map_err(|_| AppError::BadRequest("bad_multipart"))?,
        Accept::Documents,
    )
    .await?;
    let name = check_name("name", &form.required("name")?)?;
    let (credit, region, industry, rating) = parse_enterprise(
        &form.required("credit_code")?,
        &form.required("region_code")?,
        &form.required("industry")?,
        &form.required("rating")?,
    )?;
    let contact_name = check_name("contact_name", &form.required("contact_name")?)?;
    let contact_email = check_email("contact_email", &form.required("contact_email")?)?
        .ok_or_else(|| AppError::required("contact_email"))?;
    let admin_username =
        accounts::check_username("admin_username", &form.required("admin_username")?)?;
    if form.files.is_empty() {
        return Err(AppError::invalid(
            "documents",
            "documents_required",
            "请上传营业执照等证明文件",
            "attach the business licence and other documents",
        ));
    }
    if form.files.len() > 10 {
        return Err(AppError::invalid(
            "documents",
            "too_many_files",
            "最多上传 10 个文件",
            "at most 10 files",
        ));
    }
    if let Some(f) = form.files.iter().find(|f| !REGISTRATION_DOCUMENTS.contains(&f.field.as_str()))
    {
        return Err(AppError::invalid(
            f.field.clone(),
            "invalid_document_kind",
            "文件字段应为 business_licence（营业执照）、discharge_permit（排污许可证）或 other（其他证明文件）",
            "file fields are business_licence, discharge_permit or other",
        ));
    }
    let id = Uuid::now_v7();
    let mut documents = Vec::new();
    for f in &form.files {
        let sha = sha256_hex(&f.bytes);
        state.objects.put(&doc_key(id, &sha), f.bytes.clone(), f.content_type).await?;
        documents.push(RegistrationDocument {
            kind: f.field.clone(),
            file_name: f.file_name.clone().unwrap_or_default(),
            content_type: f.content_type.to_owned(),
            sha256: sha,
            size: f.bytes.len() as i64,
        });
    }
    let mut db = state.db.clone();
    registrations::insert(
        &mut db,
        id,
        &NewRegistration {
            name,
            credit_code: credit.as_str().to_owned(),
            permit_no: form.text("permit_no"),
            region_code: region.as_str().to_owned(),
            industry: industry.as_str().to_owned(),
            rating: rating.as_str().to_owned(),
            address: form.text("address"),
            contact_name,
            contact_email,
            contact_phone: form.text("contact_phone"),
            admin_username,
            documents,
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(super::Created { id })))
}

/// Which registrations.
#[derive(Debug, Deserialize, IntoParams)]
pub struct RegistrationQuery {
    /// `pending`, `approved` or `rejected`; all when absent.
    pub status: Option<String>,
    /// Page number.
    pub page: Option<u64>,
    /// Rows per page.
    pub per_page: Option<u64>,
}

/// Lists registrations, oldest first (platform admins).
#[utoipa::path(get, path = "/admin/registrations", tag = "platform", params(RegistrationQuery),
    responses((status = 200, body = Paged<Registration>)))]
pub(crate) async fn list_registrations(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiQuery(q): ApiQuery<RegistrationQuery>,
) -> AppResult<Json<Paged<Registration>>> {
    user.require_platform(Action::Read)?;
    let paging = PageParams { page: q.page, per_page: q.per_page };
    let mut db = state.db.clone();
    let rows = registrations::list(&mut db, q.status.as_deref(), paging.page()).await?;
    Ok(Json(paging.wrap(rows.into_iter().map(Registration::from).collect(), None)))
}

async fn registration(
    state: &AppState,
    user: &CurrentUser,
    id: Uuid,
) -> AppResult<RegistrationRow> {
    user.require_platform(Action::Read)?;
    let mut db = state.db.clone();
    registrations::find(&mut db, id).await?.ok_or(AppError::NotFound)
}

/// One registration (platform admins).
#[utoipa::path(get, path = "/admin/registrations/{registration_id}", tag = "platform",
    params(("registration_id" = Uuid, Path)), responses((status = 200, body = Registration), (status = 404)))]
pub(crate) async fn show_registration(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Json<Registration>> {
    Ok(Json(registration(&state, &user, id).await?.into()))
}

/// One document of a registration (platform admins): the bytes, or a redirect to a
/// short-lived link.
#[utoipa::path(get, path = "/admin/registrations/{registration_id}/documents/{index}", tag = "platform",
    params(("registration_id" = Uuid, Path), ("index" = usize, Path)), responses((status = 200), (status = 302), (status = 404)))]
pub(crate) async fn registration_document(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath((id, index)): ApiPath<(Uuid, usize)>,
) -> AppResult<Response> {
    let reg = registration(&state, &user, id).await?;
    let doc = reg.documents.0.get(index).ok_or(AppError::NotFound)?;
    serve_object(&state, &doc_key(id, &doc.sha256), &doc.content_type).await
}

/// Serves a stored object the caller may read: its bytes, or a redirect to a presigned URL.
pub async fn serve_object(state: &AppState, key: &str, content_type: &str) -> AppResult<Response> {
    match state.objects.fetch(key).await? {
        Some(Fetch::File(file)) => {
            let body = axum::body::Body::from_stream(tokio_util::io::ReaderStream::new(file));
            Ok((
                [
                    (axum::http::header::CONTENT_TYPE, content_type.to_owned()),
                    (axum::http::header::CACHE_CONTROL, "private, no-store".to_owned()),
                ],
                body,
            )
                .into_response())
        }
        Some(Fetch::Redirect(url)) => Ok(Redirect::temporary(&url).into_response()),
        None => Err(AppError::NotFound),
    }
}

/// The enterprise and first admin created by an approval.
#[derive(Debug, Serialize, ToSchema)]
pub struct Approved {
    /// The new enterprise.
    pub tenant_id: Uuid,
    /// Its first admin.
    pub admin: UserInfo,
    /// The admin's temporary password, shown once; it must be changed at first sign-in.
    /// The admin also gets an e-mail with a link to choose a password.
    pub temporary_password: String,
}

/// Approves a pending registration: creates the enterprise and its first admin account.
#[utoipa::path(post, path = "/admin/registrations/{registration_id}/approve", tag = "platform",
    params(("registration_id" = Uuid, Path)),
    responses((status = 200, body = Approved), (status = 409, description = "already reviewed, credit code or sign-in name taken")))]
pub(crate) async fn approve_registration(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Json<Approved>> {
    user.require_platform(Action::Write)?;
    let actor = user.actor();
    let mut tx = state.db.begin().await?;
    let reg = registrations::find(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    if reg.status != "pending" {
        return Err(AppError::Conflict { code: "invalid_state", field: None });
    }
    let tenant = tenants::insert(
        &mut tx,
        &NewTenant {
            name: reg.name.clone(),
            credit_code: reg.credit_code.clone(),
            permit_no: reg.permit_no.clone(),
            region_code: reg.region_code.clone(),
            industry: reg.industry.clone(),
            rating: reg.rating.clone(),
            address: reg.address.clone(),
            daily_trip_baseline: None,
        },
    )
    .await
    .map_err(|e| match AppError::from(e) {
        AppError::Conflict { .. } => {
            AppError::Conflict { code: "credit_code_taken", field: Some("credit_code") }
        }
        other => other,
    })?;
    let account = accounts::create(
        &mut tx,
        &actor,
        AccountRequest {
            username: reg.admin_username.clone(),
            display_name: reg.contact_name.clone(),
            email: Some(reg.contact_email.clone()),
            role: RoleKind::EnterpriseAdmin.as_str().to_owned(),
            tenant_id: Some(tenant.into()),
            group_id: None,
            region_prefix: None,
        },
    )
    .await?;
    registrations::review(&mut tx, id, "approved", None, Some(user.id()), Some(tenant.into()))
        .await?;
    audit::record_platform(
        &mut tx,
        None,
        &actor,
        Change {
            action: "approve",
            entity: "registration",
            entity_id: id.to_string(),
            before: None,
            after: Some(json!({"tenant_id": Uuid::from(tenant)})),
        },
    )
    .await?;
    audit::record(
        &mut tx,
        tenant,
        &actor,
        Change { action: "create", entity: "tenant", entity_id: tenant.to_string(), before: None, after: Some(json!({"name": reg.name, "credit_code": reg.credit_code, "region_code": reg.region_code})) },
    )
    .await?;
    tx.commit().await?;
    accounts::welcome(&state, &account, Some(&reg.name)).await;
    Ok(Json(Approved {
        tenant_id: tenant.into(),
        admin: UserInfo::from(&account.user),
        temporary_password: account.temporary_password,
    }))
}

/// Why a registration is rejected.
#[derive(Debug, Deserialize, ToSchema)]
pub struct Rejection {
    /// Shown to the applicant.
    pub reason: String,
}

/// Rejects a pending registration with a reason.
#[utoipa::path(post, path = "/admin/registrations/{registration_id}/reject", tag = "platform",
    params(("registration_id" = Uuid, Path)), request_body = Rejection,
    responses((status = 200, body = Done), (status = 409, description = "already reviewed")))]
pub(crate) async fn reject_registration(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
    req_body: JsonBody<Rejection>,
) -> AppResult<Json<Done>> {
    user.require_platform(Action::Write)?;
    let req = req_body.parse()?;
    let reason = req.reason.trim();
    if reason.is_empty() {
        return Err(AppError::required("reason"));
    }
    let mut tx = state.db.begin().await?;
    registrations::find(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    if !registrations::review(&mut tx, id, "rejected", Some(reason), Some(user.id()), None).await? {
        return Err(AppError::Conflict { code: "invalid_state", field: None });
    }
    audit::record_platform(
        &mut tx,
        None,
        &user.actor(),
        Change {
            action: "reject",
            entity: "registration",
            entity_id: id.to_string(),
            before: None,
            after: Some(json!({"reason": reason})),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Done::new())
}

/// Which accounts.
#[derive(Debug, Deserialize, IntoParams)]
pub struct UserQuery {
    /// Only this role.
    pub role: Option<String>,
    /// Only this enterprise's staff.
    pub tenant_id: Option<Uuid>,
    /// Page number.
    pub page: Option<u64>,
    /// Rows per page.
    pub per_page: Option<u64>,
}

/// Lists accounts of the whole platform (platform admins).
#[utoipa::path(get, path = "/admin/users", tag = "platform", params(UserQuery), responses((status = 200, body = Paged<UserInfo>)))]
pub(crate) async fn list_users(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiQuery(q): ApiQuery<UserQuery>,
) -> AppResult<Json<Paged<UserInfo>>> {
    user.require_platform(Action::Read)?;
    let paging = PageParams { page: q.page, per_page: q.per_page };
    let mut db = state.db.clone();
    let rows = users::list(
        &mut db,
        &UserFilter { tenant_id: q.tenant_id, group_id: None, role: q.role },
        paging.page(),
    )
    .await?;
    Ok(Json(paging.wrap(rows.iter().map(UserInfo::from).collect(), None)))
}

/// Changes to an account made by an administrator.
#[derive(Debug, Deserialize, ToSchema)]
pub struct AdminUserChanges {
    /// Name shown to people.
    pub display_name: Option<String>,
    /// E-mail address (empty clears it).
    pub email: Option<String>,
    /// Disable (true) or enable (false); disabling ends every session at once.
    pub disabled: Option<bool>,
}

/// Applies administrator changes, shared by the platform and the enterprise routes.
pub async fn apply_user_changes(
    state: &AppState,
    actor: &Actor,
    target: &crate::storage::users::UserRow,
    req: AdminUserChanges,
    role: Option<String>,
) -> AppResult<UserInfo> {
    let mut changes = users::UserChanges { role, ..Default::default() };
    if let Some(n) = req.display_name {
        changes.display_name = Some(check_name("display_name", &n)?);
    }
    if let Some(e) = req.email {
        changes.email = Some(check_email("email", &e)?);
    }
    changes.disabled = req.disabled;
    let mut tx = state.db.begin().await?;
    let after = accounts::update(&mut tx, actor, target, &changes).await?;
    tx.commit().await?;
    Ok(UserInfo::from(&after))
}

/// Changes any account (platform admins): e.g. disable an inspector who left.
#[utoipa::path(patch, path = "/admin/users/{user_id}", tag = "platform", params(("user_id" = Uuid, Path)),
    request_body = AdminUserChanges, responses((status = 200, body = UserInfo), (status = 404)))]
pub(crate) async fn update_user(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
    req_body: JsonBody<AdminUserChanges>,
) -> AppResult<Json<UserInfo>> {
    user.require_platform(Action::Write)?;
    let req = req_body.parse()?;
    let mut db = state.db.clone();
    let target = users::find(&mut db, id).await?.ok_or(AppError::NotFound)?;
    Ok(Json(apply_user_changes(&state, &user.actor(), &target, req, None).await?))
}

/// A temporary password, shown once.
#[derive(Debug, Serialize, ToSchema)]
pub struct TemporaryPassword {
    /// It must be changed at the next sign-in.
    pub temporary_password: String,
}

/// Resets any account's password to a temporary one (platform admins).
#[utoipa::path(post, path = "/admin/users/{user_id}/reset-password", tag = "platform", params(("user_id" = Uuid, Path)),
    responses((status = 200, body = TemporaryPassword), (status = 404)))]
pub(crate) async fn reset_user_password(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Json<TemporaryPassword>> {
    user.require_platform(Action::Write)?;
    let mut tx = state.db.begin().await?;
    let target = users::find(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    let temporary_password = accounts::reset_password(&mut tx, &user.actor(), &target).await?;
    tx.commit().await?;
    Ok(Json(TemporaryPassword { temporary_password }))
}

/// A new bureau inspector.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewBureauUser {
    /// Sign-in name.
    pub username: String,
    /// Name shown to people.
    pub display_name: String,
    /// E-mail address.
    pub email: Option<String>,
    /// The region prefix the inspector sees (GB/T 2260, e.g. `14` for a province, `1401`
    /// for a city).
    pub region_prefix: String,
}

/// A created account.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedUser {
    /// The account.
    pub user: UserInfo,
    /// Its temporary password, shown once.
    pub temporary_password: String,
}

/// Creates a bureau inspector bound to a region prefix (platform admins).
#[utoipa::path(post, path = "/admin/bureau-users", tag = "platform", request_body = NewBureauUser,
    responses((status = 201, body = CreatedUser), (status = 409, description = "username_taken")))]
pub(crate) async fn create_bureau_user(
    State(state): State<AppState>,
    user: CurrentUser,
    req_body: JsonBody<NewBureauUser>,
) -> AppResult<(StatusCode, Json<CreatedUser>)> {
    user.require_platform(Action::Write)?;
    let req = req_body.parse()?;
    let scope = RegionScope::parse(&req.region_prefix)
        .map_err(|e| invalid(e.with_field("region_prefix")))?;
    create_account(
        &state,
        &user.actor(),
        AccountRequest {
            username: req.username,
            display_name: check_name("display_name", &req.display_name)?,
            email: req.email.as_deref().map(|e| check_email("email", e)).transpose()?.flatten(),
            role: RoleKind::BureauInspector.as_str().to_owned(),
            tenant_id: None,
            group_id: None,
            region_prefix: Some(scope.as_str().to_owned()),
        },
        None,
    )
    .await
}

/// Creates an account in one transaction, then sends the welcome mail.
pub async fn create_account(
    state: &AppState,
    actor: &Actor,
    req: AccountRequest,
    organisation: Option<&str>,
) -> AppResult<(StatusCode, Json<CreatedUser>)> {
    let mut tx = state.db.begin().await?;
    let account = accounts::create(&mut tx, actor, req).await?;
    tx.commit().await?;
    accounts::welcome(state, &account, organisation).await;
    Ok((
        StatusCode::CREATED,
        Json(CreatedUser {
            user: UserInfo::from(&account.user),
            temporary_password: account.temporary_password,
        }),
    ))
}

/// A new platform admin.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewPlatformAdmin {
    /// Sign-in name.
    pub username: String,
    /// Name shown to people.
    pub display_name: String,
    /// E-mail address.
    pub email: Option<String>,
}

/// Creates another platform admin (platform admins).
#[utoipa::path(post, path = "/admin/platform-admins", tag = "platform", request_body = NewPlatformAdmin,
    responses((status = 201, body = CreatedUser)))]
pub(crate) async fn create_platform_admin(
    State(state): State<AppState>,
    user: CurrentUser,
    req_body: JsonBody<NewPlatformAdmin>,
) -> AppResult<(StatusCode, Json<CreatedUser>)> {
    user.require_platform(Action::Write)?;
    let req = req_body.parse()?;
    create_account(
        &state,
        &user.actor(),
        AccountRequest {
            username: req.username,
            display_name: check_name("display_name", &req.display_name)?,
            email: req.email.as_deref().map(|e| check_email("email", e)).transpose()?.flatten(),
            role: RoleKind::PlatformAdmin.as_str().to_owned(),
            tenant_id: None,
            group_id: None,
            region_prefix: None,
        },
        None,
    )
    .await
}

/// An enterprise group.
#[derive(Debug, Serialize, ToSchema)]
pub struct Group {
    /// Id.
    pub id: Uuid,
    /// 集团名称.
    pub name: String,
    /// Created.
    pub created_at: DateTime<Utc>,
}

/// Lists enterprise groups (platform admins).
#[utoipa::path(get, path = "/admin/groups", tag = "platform", responses((status = 200, body = Vec<Group>)))]
pub(crate) async fn list_groups(
    State(state): State<AppState>,
    user: CurrentUser,
) -> AppResult<Json<Vec<Group>>> {
    user.require_platform(Action::Read)?;
    let mut db = state.db.clone();
    let rows = tenants::list_groups(&mut db).await?;
    Ok(Json(
        rows.into_iter()
            .map(|g| Group { id: g.id, name: g.name, created_at: g.created_at })
            .collect(),
    ))
}

/// A new group.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewGroup {
    /// 集团名称.
    pub name: String,
}

/// Creates an enterprise group (platform admins).
#[utoipa::path(post, path = "/admin/groups", tag = "platform", request_body = NewGroup, responses((status = 201, body = super::Created)))]
pub(crate) async fn create_group(
    State(state): State<AppState>,
    user: CurrentUser,
    req_body: JsonBody<NewGroup>,
) -> AppResult<(StatusCode, Json<super::Created>)> {
    user.require_platform(Action::Write)?;
    let req = req_body.parse()?;
    let name = check_name("name", &req.name)?;
    let mut tx = state.db.begin().await?;
    let id = tenants::insert_group(&mut tx, &name).await?;
    audit::record_platform(
        &mut tx,
        None,
        &user.actor(),
        Change {
            action: "create",
            entity: "group",
            entity_id: id.to_string(),
            before: None,
            after: Some(json!({"name": name})),
        },
    )
    .await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(super::Created { id: id.into() })))
}

/// An enterprise to add to a group.
#[derive(Debug, Deserialize, ToSchema)]
pub struct GroupMember {
    /// The enterprise.
    pub tenant_id: Uuid,
}

async fn set_membership(
    state: &AppState,
    user: &CurrentUser,
    group: Uuid,
    tenant: Uuid,
    member: bool,
) -> AppResult<Json<Done>> {
    user.require_platform(Action::Write)?;
    let mut tx = state.db.begin().await?;
    tenants::find_group(&mut tx, GroupId::from(group)).await?.ok_or(AppError::NotFound)?;
    let row = tenants::find(&mut tx, TenantId::from(tenant)).await?.ok_or(AppError::NotFound)?;
    if !member && row.group_id != Some(group) {
        return Err(AppError::NotFound);
    }
    tenants::set_group(&mut tx, TenantId::from(tenant), member.then_some(GroupId::from(group)))
        .await?;
    let change = Change {
        action: if member { "join_group" } else { "leave_group" },
        entity: "tenant",
        entity_id: tenant.to_string(),
        before: Some(json!({"group_id": row.group_id})),
        after: Some(json!({"group_id": member.then_some(group)})),
    };
    audit::record(&mut tx, TenantId::from(tenant), &user.actor(), change.clone()).await?;
    audit::record_platform(&mut tx, None, &user.actor(), change).await?;
    tx.commit().await?;
    Ok(Done::new())
}

/// Puts an enterprise into a group (platform admins).
#[utoipa::path(post, path = "/admin/groups/{group_id}/members", tag = "platform", params(("group_id" = Uuid, Path)),
    request_body = GroupMember, responses((status = 200, body = Done), (status = 404)))]
pub(crate) async fn add_group_member(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(group): ApiPath<Uuid>,
    req_body: JsonBody<GroupMember>,
) -> AppResult<Json<Done>> {
    user.require_platform(Action::Write)?;
    let req = req_body.parse()?;
    set_membership(&state, &user, group, req.tenant_id, true).await
}

/// Takes an enterprise out of a group (platform admins).
#[utoipa::path(delete, path = "/admin/groups/{group_id}/members/{tenant_id}", tag = "platform",
    params(("group_id" = Uuid, Path), ("tenant_id" = Uuid, Path)), responses((status = 200, body = Done), (status = 404)))]
pub(crate) async fn remove_group_member(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath((group, tenant)): ApiPath<(Uuid, Uuid)>,
) -> AppResult<Json<Done>> {
    set_membership(&state, &user, group, tenant, false).await
}

/// A new group admin.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewGroupAdmin {
    /// Sign-in name.
    pub username: String,
    /// Name shown to people.
    pub display_name: String,
    /// E-mail address.
    pub email: Option<String>,
}

/// Creates an admin for a group's plants (platform admins).
#[utoipa::path(post, path = "/admin/groups/{group_id}/admins", tag = "platform", params(("group_id" = Uuid, Path)),
    request_body = NewGroupAdmin, responses((status = 201, body = CreatedUser), (status = 404)))]
pub(crate) async fn create_group_admin(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(group): ApiPath<Uuid>,
    req_body: JsonBody<NewGroupAdmin>,
) -> AppResult<(StatusCode, Json<CreatedUser>)> {
    user.require_platform(Action::Write)?;
    let req = req_body.parse()?;
    let mut db = state.db.clone();
    let g = tenants::find_group(&mut db, GroupId::from(group)).await?.ok_or(AppError::NotFound)?;
    create_account(
        &state,
        &user.actor(),
        AccountRequest {
            username: req.username,
            display_name: check_name("display_name", &req.display_name)?,
            email: req.email.as_deref().map(|e| check_email("email", e)).transpose()?.flatten(),
            role: RoleKind::GroupAdmin.as_str().to_owned(),
            tenant_id: None,
            group_id: Some(group),
            region_prefix: None,
        },
        Some(&g.name),
    )
    .await
}
