//! The platform admin's pages (registration approvals with their documents, enterprises,
//! accounts, groups, platform health, the platform audit log) and the public registration
//! page for enterprises.

use askama::Template;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Query, State};
use platform_domain::codes::{EnterpriseRating, Industry};
use platform_domain::permissions::RoleKind;
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use super::enterprises::{AuditLine, audit_lines};
use super::{
    Choice, Ctx, FieldErrors, FormData, PageResult, Route, Viewer, done, get, post, role_label,
};
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::http::AppState;
use crate::http::api::{PageParams, audit as audit_api, enterprises as ent_api, platform as api};
use crate::http::extract::{ApiPath, ApiQuery, JsonBody};

pub(super) fn routes() -> Vec<Route> {
    vec![
        get("/register", register_form),
        post("/register", register),
        get("/admin", home),
        get("/admin/registrations", registrations),
        get("/admin/registrations/{registration_id}", registration),
        get("/admin/registrations/{registration_id}/documents/{index}", registration_document),
        post("/admin/registrations/{registration_id}/approve", approve),
        post("/admin/registrations/{registration_id}/reject", reject),
        get("/admin/enterprises", enterprises),
        get("/admin/users", users),
        post("/admin/bureau-users", add_bureau_user),
        post("/admin/users/{user_id}", change_user),
        post("/admin/users/{user_id}/reset-password", reset_password),
        get("/admin/groups", groups),
        post("/admin/groups", add_group),
        post("/admin/groups/{group_id}/members", add_member),
        post("/admin/groups/{group_id}/admins", add_group_admin),
        get("/admin/health", health),
        get("/admin/audit", audit),
    ]
}

fn admin(v: &Viewer) -> Result<&CurrentUser, super::PageError> {
    let u = v.require()?;
    if u.kind != RoleKind::PlatformAdmin {
        return Err(AppError::Forbidden("forbidden").into());
    }
    Ok(u)
}

// ---------------------------------------------------------------------- registration

#[derive(Template)]
#[template(path = "register.html")]
struct Register {
    c: Ctx,
    errors: FieldErrors,
    industries: Vec<Choice>,
    ratings: Vec<Choice>,
    done: bool,
}

fn register_page(v: &Viewer, form: FormData, errors: FieldErrors, done: bool) -> Register {
    Register {
        c: v.bare(if v.en { "Register an enterprise" } else { "企业注册" }),
        industries: crate::code_choices!(Industry, v.en, &[form.get("industry")]),
        ratings: crate::code_choices!(EnterpriseRating, v.en, &[form.get("rating")]),
        errors,
        done,
    }
}

async fn register_form(v: Viewer) -> PageResult {
    super::page(&register_page(&v, FormData::default(), FieldErrors::default(), false))
}

async fn register(
    State(state): State<AppState>,
    v: Viewer,
    multipart: Result<Multipart, MultipartRejection>,
) -> PageResult {
    match api::submit_registration(State(state.clone()), multipart).await {
        Ok(_) => super::page(&register_page(&v, FormData::default(), FieldErrors::default(), true)),
        // The multipart body is consumed: the form comes back empty but says what was wrong.
        Err(e) => super::invalid_form(&register_page(
            &v,
            FormData::default(),
            FieldErrors::from_error(e, v.en)?,
            false,
        )),
    }
}

// ---------------------------------------------------------------------------- admin

#[derive(Template)]
#[template(path = "admin/home.html")]
struct Home {
    c: Ctx,
    pending: usize,
    enterprises: usize,
    database: bool,
}

async fn home(State(state): State<AppState>, v: Viewer) -> PageResult {
    let u = admin(&v)?;
    let q = api::RegistrationQuery {
        status: Some("pending".into()),
        page: Some(1),
        per_page: Some(500),
    };
    let pending =
        api::list_registrations(State(state.clone()), u.clone(), ApiQuery(q)).await?.0.items.len();
    let enterprises = ent_api::list_enterprises(
        State(state.clone()),
        u.clone(),
        ApiQuery(PageParams { page: Some(1), per_page: Some(500) }),
    )
    .await?
    .0
    .items
    .len();
    super::page(&Home {
        c: v.ctx(if v.en { "Platform" } else { "平台概况" }, "admin"),
        pending,
        enterprises,
        database: state.db.ping().await.is_ok(),
    })
}

#[derive(Debug, Deserialize)]
struct StatusQuery {
    status: Option<String>,
}

#[derive(Template)]
#[template(path = "admin/registrations.html")]
struct Registrations {
    c: Ctx,
    status: String,
    rows: Vec<(Uuid, String, String, String, String, String)>,
}

fn status_label(s: &str, en: bool) -> String {
    match (s, en) {
        ("pending", false) => "待审核",
        ("approved", false) => "已通过",
        ("rejected", false) => "已驳回",
        (other, _) => other,
    }
    .to_owned()
}

async fn registrations(
    State(state): State<AppState>,
    v: Viewer,
    Query(q): Query<StatusQuery>,
) -> PageResult {
    let u = admin(&v)?;
    let status = q.status.filter(|s| !s.is_empty()).unwrap_or_else(|| "pending".into());
    let query =
        api::RegistrationQuery { status: Some(status.clone()), page: Some(1), per_page: Some(500) };
    let rows =
        api::list_registrations(State(state.clone()), u.clone(), ApiQuery(query)).await?.0.items;
    super::page(&Registrations {
        c: v.ctx(if v.en { "Registrations" } else { "注册审核" }, "registrations"),
        rows: rows
            .into_iter()
            .map(|r| {
                (
                    r.id,
                    r.name,
                    r.credit_code,
                    r.region_code,
                    super::local(&r.created_at),
                    status_label(&r.status, v.en),
                )
            })
            .collect(),
        status,
    })
}

#[derive(Template)]
#[template(path = "admin/registration.html")]
struct RegistrationPage {
    c: Ctx,
    r: api::Registration,
    industry: String,
    rating: String,
    status: String,
    submitted: String,
    errors: FieldErrors,
    approved: Option<(Uuid, String, String)>,
}

async fn registration_page(
    state: &AppState,
    v: &Viewer,
    id: Uuid,
    errors: FieldErrors,
    approved: Option<(Uuid, String, String)>,
) -> PageResult {
    let u = admin(v)?;
    let r = api::show_registration(State(state.clone()), u.clone(), ApiPath(id)).await?.0;
    let page = RegistrationPage {
        c: v.ctx(if v.en { "Registration" } else { "注册申请" }, "registrations"),
        industry: crate::code_label!(Industry, &r.industry, v.en),
        rating: crate::code_label!(EnterpriseRating, &r.rating, v.en),
        status: status_label(&r.status, v.en),
        submitted: super::local(&r.created_at),
        r,
        errors,
        approved,
    };
    if page.errors.any() { super::invalid_form(&page) } else { super::page(&page) }
}

async fn registration(
    State(state): State<AppState>,
    v: Viewer,
    ApiPath(id): ApiPath<Uuid>,
) -> PageResult {
    registration_page(&state, &v, id, FieldErrors::default(), None).await
}

async fn registration_document(
    State(state): State<AppState>,
    v: Viewer,
    ApiPath((id, index)): ApiPath<(Uuid, usize)>,
) -> PageResult {
    let u = admin(&v)?;
    Ok(api::registration_document(State(state.clone()), u.clone(), ApiPath((id, index))).await?)
}

async fn approve(
    State(state): State<AppState>,
    v: Viewer,
    ApiPath(id): ApiPath<Uuid>,
) -> PageResult {
    let u = admin(&v)?;
    match api::approve_registration(State(state.clone()), u.clone(), ApiPath(id)).await {
        Ok(axum::Json(a)) => {
            registration_page(
                &state,
                &v,
                id,
                FieldErrors::default(),
                Some((a.tenant_id, a.admin.username, a.temporary_password)),
            )
            .await
        }
        Err(e) => {
            let errors = FieldErrors::from_error(e, v.en)?;
            registration_page(&state, &v, id, errors, None).await
        }
    }
}

async fn reject(
    State(state): State<AppState>,
    v: Viewer,
    ApiPath(id): ApiPath<Uuid>,
    form: FormData,
) -> PageResult {
    let u = admin(&v)?;
    let body = json!({"reason": form.get("reason")});
    match api::reject_registration(
        State(state.clone()),
        u.clone(),
        ApiPath(id),
        JsonBody::from_value(&body),
    )
    .await
    {
        Ok(_) => done("/admin/registrations", "rejected"),
        Err(e) => {
            let errors = FieldErrors::from_error(e, v.en)?;
            registration_page(&state, &v, id, errors, None).await
        }
    }
}

#[derive(Template)]
#[template(path = "admin/enterprises.html")]
struct Enterprises {
    c: Ctx,
    rows: Vec<(Uuid, String, String, String, String)>,
}

async fn enterprises(State(state): State<AppState>, v: Viewer) -> PageResult {
    let u = admin(&v)?;
    let rows = ent_api::list_enterprises(
        State(state.clone()),
        u.clone(),
        ApiQuery(PageParams { page: Some(1), per_page: Some(500) }),
    )
    .await?
    .0
    .items;
    super::page(&Enterprises {
        c: v.ctx(if v.en { "Enterprises" } else { "企业" }, "enterprises"),
        rows: rows
            .into_iter()
            .map(|e| {
                let industry = crate::code_label!(Industry, &e.industry, v.en);
                (e.id, e.name, e.credit_code, e.region_code, industry)
            })
            .collect(),
    })
}

// ---------------------------------------------------------------------------- users

#[derive(Template)]
#[template(path = "admin/users.html")]
struct Users {
    c: Ctx,
    rows: Vec<(Uuid, String, String, &'static str, String, bool)>,
    me: Uuid,
    form: FormData,
    errors: FieldErrors,
    created: Option<(String, String)>,
}

async fn users_page(
    state: &AppState,
    v: &Viewer,
    form: FormData,
    errors: FieldErrors,
    created: Option<(String, String)>,
) -> PageResult {
    let u = admin(v)?;
    let mut rows = Vec::new();
    for role in ["platform_admin", "bureau_inspector", "group_admin"] {
        let q = api::UserQuery {
            role: Some(role.into()),
            tenant_id: None,
            page: Some(1),
            per_page: Some(500),
        };
        for r in api::list_users(State(state.clone()), u.clone(), ApiQuery(q)).await?.0.items {
            let scope = r.region_prefix.clone().unwrap_or_default();
            rows.push((
                r.id,
                r.username,
                r.display_name,
                role_label(&r.role, v.en),
                scope,
                r.disabled,
            ));
        }
    }
    let page = Users {
        c: v.ctx(if v.en { "Accounts" } else { "账户" }, "users"),
        rows,
        me: u.id(),
        form,
        errors,
        created,
    };
    if page.errors.any() { super::invalid_form(&page) } else { super::page(&page) }
}

async fn users(State(state): State<AppState>, v: Viewer) -> PageResult {
    users_page(&state, &v, FormData::default(), FieldErrors::default(), None).await
}

async fn add_bureau_user(State(state): State<AppState>, v: Viewer, form: FormData) -> PageResult {
    let u = admin(&v)?;
    let body = json!({"username": form.get("username"), "display_name": form.get("display_name"), "email": form.opt("email"), "region_prefix": form.get("region_prefix")});
    match api::create_bureau_user(State(state.clone()), u.clone(), JsonBody::from_value(&body))
        .await
    {
        Ok((_, axum::Json(c))) => {
            users_page(
                &state,
                &v,
                FormData::default(),
                FieldErrors::default(),
                Some((c.user.username, c.temporary_password)),
            )
            .await
        }
        Err(e) => {
            let errors = FieldErrors::from_error(e, v.en)?;
            users_page(&state, &v, form, errors, None).await
        }
    }
}

async fn change_user(
    State(state): State<AppState>,
    v: Viewer,
    ApiPath(id): ApiPath<Uuid>,
    form: FormData,
) -> PageResult {
    let u = admin(&v)?;
    let body = json!({"disabled": form.get("disabled") == "true"});
    let _ =
        api::update_user(State(state.clone()), u.clone(), ApiPath(id), JsonBody::from_value(&body))
            .await?;
    done("/admin/users", "saved")
}

async fn reset_password(
    State(state): State<AppState>,
    v: Viewer,
    ApiPath(id): ApiPath<Uuid>,
) -> PageResult {
    let u = admin(&v)?;
    let mut db = state.db.clone();
    let name =
        crate::storage::users::find(&mut db, id).await?.map(|x| x.username).unwrap_or_default();
    let p = api::reset_user_password(State(state.clone()), u.clone(), ApiPath(id)).await?.0;
    users_page(
        &state,
        &v,
        FormData::default(),
        FieldErrors::default(),
        Some((name, p.temporary_password)),
    )
    .await
}

// --------------------------------------------------------------------------- groups

#[derive(Template)]
#[template(path = "admin/groups.html")]
struct Groups {
    c: Ctx,
    groups: Vec<(Uuid, String, Vec<String>)>,
    enterprises: Vec<(Uuid, String)>,
    errors: FieldErrors,
    created: Option<(String, String)>,
}

async fn groups_page(
    state: &AppState,
    v: &Viewer,
    errors: FieldErrors,
    created: Option<(String, String)>,
) -> PageResult {
    let u = admin(v)?;
    let groups = api::list_groups(State(state.clone()), u.clone()).await?.0;
    let all = ent_api::list_enterprises(
        State(state.clone()),
        u.clone(),
        ApiQuery(PageParams { page: Some(1), per_page: Some(500) }),
    )
    .await?
    .0
    .items;
    let page = Groups {
        c: v.ctx(if v.en { "Groups" } else { "集团" }, "groups"),
        groups: groups
            .into_iter()
            .map(|g| {
                let members = all
                    .iter()
                    .filter(|e| e.group_id == Some(g.id))
                    .map(|e| e.name.clone())
                    .collect();
                (g.id, g.name, members)
            })
            .collect(),
        enterprises: all.into_iter().map(|e| (e.id, e.name)).collect(),
        errors,
        created,
    };
    if page.errors.any() { super::invalid_form(&page) } else { super::page(&page) }
}

async fn groups(State(state): State<AppState>, v: Viewer) -> PageResult {
    groups_page(&state, &v, FieldErrors::default(), None).await
}

async fn add_group(State(state): State<AppState>, v: Viewer, form: FormData) -> PageResult {
    let u = admin(&v)?;
    match api::create_group(
        State(state.clone()),
        u.clone(),
        JsonBody::from_value(&json!({"name": form.get("name")})),
    )
    .await
    {
        Ok(_) => done("/admin/groups", "created"),
        Err(e) => {
            let errors = FieldErrors::from_error(e, v.en)?;
            groups_page(&state, &v, errors, None).await
        }
    }
}

async fn add_member(
    State(state): State<AppState>,
    v: Viewer,
    ApiPath(g): ApiPath<Uuid>,
    form: FormData,
) -> PageResult {
    let u = admin(&v)?;
    let tenant: serde_json::Value =
        form.get("tenant_id").parse::<Uuid>().map(|t| json!(t)).unwrap_or(serde_json::Value::Null);
    match api::add_group_member(
        State(state.clone()),
        u.clone(),
        ApiPath(g),
        JsonBody::from_value(&json!({"tenant_id": tenant})),
    )
    .await
    {
        Ok(_) => done("/admin/groups", "saved"),
        Err(e) => {
            let errors = FieldErrors::from_error(e, v.en)?;
            groups_page(&state, &v, errors, None).await
        }
    }
}

async fn add_group_admin(
    State(state): State<AppState>,
    v: Viewer,
    ApiPath(g): ApiPath<Uuid>,
    form: FormData,
) -> PageResult {
    let u = admin(&v)?;
    let body = json!({"username": form.get("username"), "display_name": form.get("display_name"), "email": form.opt("email")});
    match api::create_group_admin(
        State(state.clone()),
        u.clone(),
        ApiPath(g),
        JsonBody::from_value(&body),
    )
    .await
    {
        Ok((_, axum::Json(c))) => {
            groups_page(
                &state,
                &v,
                FieldErrors::default(),
                Some((c.user.username, c.temporary_password)),
            )
            .await
        }
        Err(e) => {
            let errors = FieldErrors::from_error(e, v.en)?;
            groups_page(&state, &v, errors, None).await
        }
    }
}

// --------------------------------------------------------------------------- health

#[derive(Template)]
#[template(path = "admin/health.html")]
struct Health {
    c: Ctx,
    version: &'static str,
    backend: String,
    database: bool,
    mail: String,
    objects: String,
    objects_ok: bool,
    https: bool,
}

async fn health(State(state): State<AppState>, v: Viewer) -> PageResult {
    admin(&v)?;
    let s = &state.settings;
    let objects_ok =
        tokio::time::timeout(std::time::Duration::from_secs(5), state.objects.get("health/probe"))
            .await
            .is_ok_and(|r| r.is_ok());
    super::page(&Health {
        c: v.ctx(if v.en { "Platform health" } else { "平台状态" }, "health"),
        version: crate::VERSION,
        backend: format!("{:?}", state.db.backend()).to_lowercase(),
        database: state.db.ping().await.is_ok(),
        mail: match (&s.mail.smtp_host, state.mailer.is_smtp()) {
            (Some(h), true) => {
                format!("SMTP {h}:{}", s.mail.smtp_port.map(|p| p.to_string()).unwrap_or_default())
            }
            _ => {
                if v.en {
                    "files in <data_dir>/mail-outbox (no SMTP host configured)".into()
                } else {
                    "写入 <data_dir>/mail-outbox 文件（未配置 SMTP）".into()
                }
            }
        },
        objects: match &s.objects.s3 {
            Some(s3) => format!("S3 {} / {}", s3.endpoint, s3.bucket),
            None => {
                if v.en {
                    "local directory <data_dir>/evidence".into()
                } else {
                    "本地目录 <data_dir>/evidence".into()
                }
            }
        },
        objects_ok,
        https: s.https(),
    })
}

// ---------------------------------------------------------------------------- audit

#[derive(Debug, Deserialize)]
struct AuditQuery {
    entity: Option<String>,
    page: Option<u64>,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct Audit {
    c: Ctx,
    action: String,
    entity: String,
    lines: Vec<AuditLine>,
    page: u64,
    more: bool,
}

async fn audit(
    State(state): State<AppState>,
    v: Viewer,
    Query(q): Query<AuditQuery>,
) -> PageResult {
    let u = admin(&v)?;
    let page = q.page.unwrap_or(1).max(1);
    let entity = q.entity.filter(|e| !e.trim().is_empty());
    let query = audit_api::AuditQuery {
        entity: entity.clone(),
        entity_id: None,
        from: None,
        until: None,
        page: Some(page),
        per_page: Some(100),
    };
    let rows =
        audit_api::platform_audit(State(state.clone()), u.clone(), ApiQuery(query)).await?.0.items;
    let more = rows.len() == 100;
    super::page(&Audit {
        c: v.ctx(if v.en { "Audit log" } else { "操作日志" }, "audit"),
        action: "/admin/audit".into(),
        entity: entity.unwrap_or_default(),
        lines: audit_lines(rows, v.en),
        page,
        more,
    })
}
