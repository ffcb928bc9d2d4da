//! An enterprise's profile and admission facts, its users (enterprise admins and group
//! admins), and its audit log.

use askama::Template;
use axum::extract::{Query, State};
use platform_domain::codes::{EnterpriseRating, Industry};
use platform_domain::permissions::{Action, Resource};
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use super::{
    Choice, Ctx, FieldErrors, FormData, PageResult, Route, Viewer, can_write, done, get, post,
    role_label,
};
use crate::auth::tenant_access;
use crate::http::AppState;
use crate::http::api::{audit as audit_api, enterprises as api};
use crate::http::extract::{ApiPath, ApiQuery, JsonBody};

pub(super) fn routes() -> Vec<Route> {
    vec![
        get("/e/{tenant_id}/profile", profile),
        post("/e/{tenant_id}/profile", save_profile),
        get("/e/{tenant_id}/users", users),
        post("/e/{tenant_id}/users", add_user),
        post("/e/{tenant_id}/users/{user_id}", change_user),
        post("/e/{tenant_id}/users/{user_id}/reset-password", reset_password),
        get("/e/{tenant_id}/audit", audit),
    ]
}

#[derive(Template)]
#[template(path = "ent/profile.html")]
struct Profile {
    c: Ctx,
    t: Uuid,
    e: api::Enterprise,
    industries: Vec<Choice>,
    ratings: Vec<Choice>,
    writable: bool,
    errors: FieldErrors,
    region: String,
}

async fn profile_page(state: &AppState, v: &Viewer, t: Uuid, errors: FieldErrors) -> PageResult {
    let u = v.require()?;
    let tenant = tenant_access(state, u, t, Resource::TenantProfile, Action::Read).await?;
    let e = api::show_enterprise(State(state.clone()), u.clone(), ApiPath(t)).await?.0;
    let page = Profile {
        c: v.tenant_ctx(if v.en { "Enterprise profile" } else { "企业信息" }, &tenant, "profile"),
        t,
        industries: crate::code_choices!(Industry, v.en, std::slice::from_ref(&e.industry)),
        ratings: crate::code_choices!(EnterpriseRating, v.en, std::slice::from_ref(&e.rating)),
        region: e.region_code.clone(),
        e,
        writable: can_write(u, Resource::TenantProfile),
        errors,
    };
    if page.errors.any() { super::invalid_form(&page) } else { super::page(&page) }
}

async fn profile(
    State(state): State<AppState>,
    v: Viewer,
    ApiPath(t): ApiPath<Uuid>,
) -> PageResult {
    profile_page(&state, &v, t, FieldErrors::default()).await
}

async fn save_profile(
    State(state): State<AppState>,
    v: Viewer,
    ApiPath(t): ApiPath<Uuid>,
    form: FormData,
) -> PageResult {
    let u = v.require()?;
    let baseline = form.get("daily_trip_baseline");
    let body = json!({
        "name": form.get("name"),
        "permit_no": form.get("permit_no"),
        "industry": form.get("industry"),
        "rating": form.get("rating"),
        "address": form.get("address"),
        "daily_trip_baseline": if baseline.is_empty() { json!(0) } else { baseline.parse::<i32>().map(|b| json!(b)).unwrap_or(json!(-1)) },
    });
    match api::update_enterprise(
        State(state.clone()),
        u.clone(),
        ApiPath(t),
        JsonBody::from_value(&body),
    )
    .await
    {
        Ok(_) => done(&format!("/e/{t}/profile"), "saved"),
        Err(e) => profile_page(&state, &v, t, FieldErrors::from_error(e, v.en)?).await,
    }
}

// ----------------------------------------------------------------------------- users

/// A user as listed.
#[derive(Debug)]
struct UserLine {
    id: Uuid,
    username: String,
    name: String,
    role: &'static str,
    disabled: bool,
    locked: bool,
    must_change: bool,
}

#[derive(Template)]
#[template(path = "ent/users.html")]
struct Users {
    c: Ctx,
    t: Uuid,
    users: Vec<UserLine>,
    me: Uuid,
    errors: FieldErrors,
    form: FormData,
    created: Option<(String, String)>,
}

async fn users_page(
    state: &AppState,
    v: &Viewer,
    t: Uuid,
    errors: FieldErrors,
    form: FormData,
    created: Option<(String, String)>,
) -> PageResult {
    let u = v.require()?;
    let tenant = tenant_access(state, u, t, Resource::Members, Action::Read).await?;
    let q = crate::http::api::PageParams { page: Some(1), per_page: Some(500) };
    let rows =
        api::list_members(State(state.clone()), u.clone(), ApiPath(t), ApiQuery(q)).await?.0.items;
    let now = chrono::Utc::now();
    let page = Users {
        c: v.tenant_ctx(if v.en { "Users" } else { "用户" }, &tenant, "users"),
        t,
        users: rows
            .into_iter()
            .map(|r| UserLine {
                id: r.id,
                username: r.username,
                name: r.display_name,
                role: role_label(&r.role, v.en),
                disabled: r.disabled,
                locked: r.locked_until.is_some_and(|l| l > now),
                must_change: r.must_change_password,
            })
            .collect(),
        me: u.id(),
        errors,
        form,
        created,
    };
    if page.errors.any() { super::invalid_form(&page) } else { super::page(&page) }
}

async fn users(State(state): State<AppState>, v: Viewer, ApiPath(t): ApiPath<Uuid>) -> PageResult {
    users_page(&state, &v, t, FieldErrors::default(), FormData::default(), None).await
}

async fn add_user(
    State(state): State<AppState>,
    v: Viewer,
    ApiPath(t): ApiPath<Uuid>,
    form: FormData,
) -> PageResult {
    let u = v.require()?;
    let body = json!({"username": form.get("username"), "display_name": form.get("display_name"), "email": form.get("email"), "role": form.get("role")});
    match api::create_member(
        State(state.clone()),
        u.clone(),
        ApiPath(t),
        JsonBody::from_value(&body),
    )
    .await
    {
        // The temporary password is shown once, on this answer, never stored in a URL.
        Ok((_, axum::Json(c))) => {
            users_page(
                &state,
                &v,
                t,
                FieldErrors::default(),
                FormData::default(),
                Some((c.user.username, c.temporary_password)),
            )
            .await
        }
        Err(e) => users_page(&state, &v, t, FieldErrors::from_error(e, v.en)?, form, None).await,
    }
}

async fn change_user(
    State(state): State<AppState>,
    v: Viewer,
    ApiPath((t, id)): ApiPath<(Uuid, Uuid)>,
    form: FormData,
) -> PageResult {
    let u = v.require()?;
    let mut body = json!({});
    if let Some(d) = form.opt("disabled") {
        body["disabled"] = json!(d == "true");
    }
    if let Some(r) = form.opt("role") {
        body["role"] = json!(r);
    }
    match api::update_member(
        State(state.clone()),
        u.clone(),
        ApiPath((t, id)),
        JsonBody::from_value(&body),
    )
    .await
    {
        Ok(_) => done(&format!("/e/{t}/users"), "saved"),
        Err(e) => {
            users_page(&state, &v, t, FieldErrors::from_error(e, v.en)?, FormData::default(), None)
                .await
        }
    }
}

async fn reset_password(
    State(state): State<AppState>,
    v: Viewer,
    ApiPath((t, id)): ApiPath<(Uuid, Uuid)>,
) -> PageResult {
    let u = v.require()?;
    let member = api::show_member(State(state.clone()), u.clone(), ApiPath((t, id))).await?.0;
    let p = api::reset_member_password(State(state.clone()), u.clone(), ApiPath((t, id))).await?.0;
    users_page(
        &state,
        &v,
        t,
        FieldErrors::default(),
        FormData::default(),
        Some((member.username, p.temporary_password)),
    )
    .await
}

// ----------------------------------------------------------------------------- audit

/// An audit entry as listed.
#[derive(Debug)]
pub struct AuditLine {
    /// When (Beijing time).
    pub at: String,
    /// Who.
    pub actor: String,
    /// Their role.
    pub role: &'static str,
    /// From where.
    pub ip: String,
    /// What.
    pub action: String,
    /// On what.
    pub entity: String,
    /// Which.
    pub entity_id: String,
    /// The values after the change (or before a deletion), abridged.
    pub detail: String,
}

/// Turns stored audit rows into lines.
pub fn audit_lines(rows: Vec<crate::storage::audit::AuditRow>, en: bool) -> Vec<AuditLine> {
    rows.into_iter()
        .map(|r| {
            let detail =
                r.after.as_ref().or(r.before.as_ref()).map(|j| j.0.to_string()).unwrap_or_default();
            AuditLine {
                at: super::local(&r.at),
                actor: r.actor_name,
                role: if r.actor_role == "cli" { "cli" } else { role_label(&r.actor_role, en) },
                ip: r.ip.unwrap_or_default(),
                action: r.action,
                entity: r.entity,
                entity_id: r.entity_id,
                detail: detail.chars().take(240).collect(),
            }
        })
        .collect()
}

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
    ApiPath(t): ApiPath<Uuid>,
    Query(q): Query<AuditQuery>,
) -> PageResult {
    let u = v.require()?;
    let tenant = tenant_access(&state, u, t, Resource::AuditLog, Action::Read).await?;
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
        audit_api::enterprise_audit(State(state.clone()), u.clone(), ApiPath(t), ApiQuery(query))
            .await?
            .0
            .items;
    let more = rows.len() == 100;
    super::page(&Audit {
        c: v.tenant_ctx(if v.en { "Audit log" } else { "操作日志" }, &tenant, "audit"),
        action: format!("/e/{t}/audit"),
        entity: entity.unwrap_or_default(),
        lines: audit_lines(rows, v.en),
        page,
        more,
    })
}
