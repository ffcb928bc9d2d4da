//! The bureau inspector's pages: the region's enterprises (whose pages the inspector opens
//! read-only: no control that changes enterprise data is rendered, and every such route
//! answers 403), the bureau blacklist, heavy-pollution alerts with a dry run that must be
//! seen before an alert can be issued, and the region's audit log.

use askama::Template;
use axum::extract::{Query, State};
use chrono::{Duration, Utc};
use platform_domain::codes::{AlertLevel, MeasureCode};
use platform_domain::ids::TenantId;
use platform_domain::permissions::RoleKind;
use serde::Deserialize;
use serde_json::{Value, json};
use uuid::Uuid;

use super::dashboard::{AlertView, alert_view};
use super::enterprises::{AuditLine, audit_lines};
use super::{Choice, Ctx, FieldErrors, FormData, PageResult, Route, Viewer, done, get, post};
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::http::AppState;
use crate::http::api::{PageParams, audit as audit_api, bureau as api, enterprises as ent_api};
use crate::http::extract::{ApiPath, ApiQuery, JsonBody};
use crate::storage::{directory, vehicles};

pub(super) fn routes() -> Vec<Route> {
    vec![
        get("/bureau", home),
        get("/bureau/blacklist", blacklist),
        post("/bureau/blacklist", add_blacklist),
        post("/bureau/blacklist/{entry_id}/lift", lift_blacklist),
        post("/bureau/blacklist/{entry_id}/delete", delete_blacklist),
        get("/bureau/alerts", alerts),
        post("/bureau/alerts/preview", preview_alert),
        post("/bureau/alerts", issue_alert),
        post("/bureau/alerts/{alert_id}/cancel", cancel_alert),
        get("/bureau/audit", audit),
    ]
}

fn inspector(v: &Viewer) -> Result<&CurrentUser, super::PageError> {
    let u = v.require()?;
    if u.kind != RoleKind::BureauInspector {
        return Err(AppError::Forbidden("forbidden").into());
    }
    Ok(u)
}

// ------------------------------------------------------------------------------ home

/// An enterprise of the region.
#[derive(Debug)]
struct Plant {
    id: Uuid,
    name: String,
    region: String,
    industry: String,
    rating: String,
    vehicles: i64,
    gates: usize,
}

#[derive(Template)]
#[template(path = "bureau/home.html")]
struct Home {
    c: Ctx,
    region: String,
    plants: Vec<Plant>,
    current: Vec<AlertView>,
}

async fn home(State(state): State<AppState>, v: Viewer) -> PageResult {
    let u = inspector(&v)?;
    let q = PageParams { page: Some(1), per_page: Some(500) };
    let rows =
        ent_api::list_enterprises(State(state.clone()), u.clone(), ApiQuery(q)).await?.0.items;
    let mut db = state.db.clone();
    let mut plants = Vec::new();
    for e in rows {
        let t = TenantId::from(e.id);
        plants.push(Plant {
            vehicles: vehicles::count(&mut db, t, &vehicles::VehicleFilter::default()).await?,
            gates: directory::list_gates(&mut db, t).await?.len(),
            industry: crate::code_label!(platform_domain::codes::Industry, &e.industry, v.en),
            rating: crate::code_label!(platform_domain::codes::EnterpriseRating, &e.rating, v.en),
            id: e.id,
            name: e.name,
            region: e.region_code,
        });
    }
    let alerts = api::list_alerts(
        State(state.clone()),
        u.clone(),
        ApiQuery(PageParams { page: Some(1), per_page: Some(100) }),
    )
    .await?
    .0
    .items;
    super::page(&Home {
        c: v.ctx(if v.en { "Enterprises of the region" } else { "辖区企业" }, "bureau"),
        region: u.user.region_prefix.clone().unwrap_or_default(),
        plants,
        current: alerts.iter().map(|a| alert_view(a, v.en)).filter(|a| a.current).collect(),
    })
}

// ------------------------------------------------------------------------- blacklist

/// An entry as listed.
#[derive(Debug)]
struct Entry {
    id: Uuid,
    region: String,
    plate: String,
    source: String,
    reason: String,
    issued: String,
    lifted: String,
}

const SOURCES: [(&str, &str, &str); 7] = [
    ("remote_sensing", "尾气遥感监测", "remote sensing"),
    ("periodic_inspection", "环保定期检验", "periodic inspection"),
    ("remote_monitoring", "远程监控", "remote monitoring"),
    ("roadside_check", "路检路查", "roadside check"),
    ("site_inspection", "入户检查", "site inspection"),
    ("smoke_report", "黑烟举报", "smoke report"),
    ("other", "其他", "other"),
];

#[derive(Template)]
#[template(path = "bureau/blacklist.html")]
struct Blacklist {
    c: Ctx,
    entries: Vec<Entry>,
    sources: Vec<Choice>,
    form: FormData,
    errors: FieldErrors,
    region: String,
}

async fn blacklist_page(
    state: &AppState,
    v: &Viewer,
    form: FormData,
    errors: FieldErrors,
) -> PageResult {
    let u = inspector(v)?;
    let q = api::BlacklistQuery { search: None, page: Some(1), per_page: Some(500) };
    let rows = api::list_blacklist(State(state.clone()), u.clone(), ApiQuery(q)).await?.0.items;
    let source = form.get("source");
    let page = Blacklist {
        c: v.ctx(if v.en { "Bureau blacklist" } else { "生态环境部门黑名单" }, "blacklist"),
        entries: rows
            .into_iter()
            .map(|e| Entry {
                id: e.id,
                region: e.fields.region_code,
                plate: e.fields.plate,
                source: SOURCES
                    .iter()
                    .find(|s| s.0 == e.fields.source)
                    .map(|s| if v.en { s.2 } else { s.1 })
                    .unwrap_or("")
                    .to_owned(),
                reason: e.fields.reason,
                issued: super::local(&e.fields.issued_at),
                lifted: super::local_opt(&e.fields.lifted_at),
            })
            .collect(),
        sources: SOURCES
            .iter()
            .map(|(k, zh, en)| Choice {
                value: (*k).into(),
                label: if v.en { (*en).into() } else { (*zh).into() },
                selected: source == *k,
            })
            .collect(),
        region: u.user.region_prefix.clone().unwrap_or_default(),
        form,
        errors,
    };
    if page.errors.any() { super::invalid_form(&page) } else { super::page(&page) }
}

async fn blacklist(State(state): State<AppState>, v: Viewer) -> PageResult {
    blacklist_page(&state, &v, FormData::default(), FieldErrors::default()).await
}

async fn add_blacklist(State(state): State<AppState>, v: Viewer, form: FormData) -> PageResult {
    let u = inspector(&v)?;
    let body = json!({
        "region_code": form.get("region_code"),
        "plate": form.get("plate"),
        "plate_colour": form.opt("plate_colour"),
        "vin": form.opt("vin"),
        "source": form.get("source"),
        "reason": form.get("reason"),
    });
    match api::create_blacklist_entry(State(state.clone()), u.clone(), JsonBody::from_value(&body))
        .await
    {
        Ok(_) => done("/bureau/blacklist", "created"),
        // An entry for a region outside the inspector's own is refused like any foreign id.
        Err(AppError::NotFound) => {
            let e = AppError::invalid(
                "region_code",
                "outside_region",
                "只能为本辖区内的地区下发",
                "only regions inside your own",
            );
            blacklist_page(&state, &v, form, FieldErrors::from_error(e, v.en)?).await
        }
        Err(e) => {
            let errors = FieldErrors::from_error(e, v.en)?;
            blacklist_page(&state, &v, form, errors).await
        }
    }
}

async fn lift_blacklist(
    State(state): State<AppState>,
    v: Viewer,
    ApiPath(id): ApiPath<Uuid>,
) -> PageResult {
    let u = inspector(&v)?;
    let _ = api::lift_blacklist_entry(State(state.clone()), u.clone(), ApiPath(id)).await?;
    done("/bureau/blacklist", "lifted")
}

async fn delete_blacklist(
    State(state): State<AppState>,
    v: Viewer,
    ApiPath(id): ApiPath<Uuid>,
) -> PageResult {
    let u = inspector(&v)?;
    let _ = api::delete_blacklist_entry(State(state.clone()), u.clone(), ApiPath(id)).await?;
    done("/bureau/blacklist", "deleted")
}

// ---------------------------------------------------------------------------- alerts

/// The dry run of a proposed alert, for one enterprise.
#[derive(Debug)]
struct Impact {
    name: String,
    gates: usize,
    newly_refused: usize,
    plates: String,
}

#[derive(Template)]
#[template(path = "bureau/alerts.html")]
struct Alerts {
    c: Ctx,
    alerts: Vec<AlertView>,
    form: FormData,
    errors: FieldErrors,
    levels: Vec<Choice>,
    measures: Vec<Choice>,
    /// The dry run, when shown.
    preview: Option<(Vec<Impact>, usize, usize)>,
    /// Signs the previewed values: issuing needs exactly what was previewed.
    digest: String,
}

fn alert_body(form: &FormData) -> Result<Value, AppError> {
    let time = |field: &str| -> Result<Value, AppError> {
        super::parse_local_input(&form.get(field)).map(|t| json!(t)).ok_or_else(|| {
            AppError::invalid(
                field,
                "invalid_time",
                "请填写时间（北京时间）",
                "enter a time (Beijing time)",
            )
        })
    };
    Ok(json!({
        "region_code": form.get("region_code"),
        "level": form.get("level"),
        "measures": form.all("measures"),
        "starts_at": time("starts_at")?,
        "ends_at": time("ends_at")?,
        "reason": form.opt("reason"),
    }))
}

/// The digest of an alert's values in this session (the preview's signature).
fn digest(state: &AppState, u: &CurrentUser, body: &Value) -> String {
    state.sessions.csrf_token(&format!("alert-preview|{body}"), &u.session_id.to_string())
}

async fn alerts_page(
    state: &AppState,
    v: &Viewer,
    form: FormData,
    errors: FieldErrors,
    preview: Option<(Vec<Impact>, usize, usize)>,
    digest: String,
) -> PageResult {
    let u = inspector(v)?;
    let rows = api::list_alerts(
        State(state.clone()),
        u.clone(),
        ApiQuery(PageParams { page: Some(1), per_page: Some(100) }),
    )
    .await?
    .0
    .items;
    let levels = AlertLevel::ALL
        .iter()
        .filter(|l| **l != AlertLevel::None)
        .map(|l| Choice {
            value: l.as_str().into(),
            label: if v.en { l.label_en() } else { l.label_zh() }.into(),
            selected: form.get("level") == l.as_str(),
        })
        .collect();
    let chosen = form.all("measures");
    let measures = MeasureCode::ALL
        .iter()
        .map(|m| Choice {
            value: m.as_str().into(),
            label: format!("{}. {}", m.number(), if v.en { m.label_en() } else { m.label_zh() }),
            selected: chosen.iter().any(|c| c == m.as_str()),
        })
        .collect();
    let mut form = form;
    if form.get("region_code").is_empty() {
        form.0.push(("region_code".into(), u.user.region_prefix.clone().unwrap_or_default()));
    }
    if form.get("starts_at").is_empty() {
        let start = Utc::now() + Duration::hours(12);
        form.0.push(("starts_at".into(), super::local_input(&start)));
        form.0.push(("ends_at".into(), super::local_input(&(start + Duration::days(3)))));
    }
    let page = Alerts {
        c: v.ctx(if v.en { "Pollution alerts" } else { "重污染天气预警" }, "alerts"),
        alerts: rows.iter().map(|a| alert_view(a, v.en)).collect(),
        form,
        errors,
        levels,
        measures,
        preview,
        digest,
    };
    if page.errors.any() { super::invalid_form(&page) } else { super::page(&page) }
}

async fn alerts(State(state): State<AppState>, v: Viewer) -> PageResult {
    alerts_page(&state, &v, FormData::default(), FieldErrors::default(), None, String::new()).await
}

async fn preview_alert(State(state): State<AppState>, v: Viewer, form: FormData) -> PageResult {
    let u = inspector(&v)?;
    let body = match alert_body(&form) {
        Ok(b) => b,
        Err(e) => {
            return alerts_page(
                &state,
                &v,
                form,
                FieldErrors::from_error(e, v.en)?,
                None,
                String::new(),
            )
            .await;
        }
    };
    match api::preview_alert(State(state.clone()), u.clone(), JsonBody::from_value(&body)).await {
        Ok(axum::Json(p)) => {
            let impacts = p
                .enterprises
                .into_iter()
                .map(|e| Impact {
                    name: e.name,
                    gates: e.gates,
                    newly_refused: e.newly_refused,
                    plates: e.plates.join("、"),
                })
                .collect();
            let d = digest(&state, u, &body);
            alerts_page(
                &state,
                &v,
                form,
                FieldErrors::default(),
                Some((impacts, p.gates, p.newly_refused)),
                d,
            )
            .await
        }
        Err(AppError::NotFound) => {
            let e = AppError::invalid(
                "region_code",
                "outside_region",
                "只能为本辖区内的地区发布预警",
                "only regions inside your own",
            );
            alerts_page(&state, &v, form, FieldErrors::from_error(e, v.en)?, None, String::new())
                .await
        }
        Err(e) => {
            let errors = FieldErrors::from_error(e, v.en)?;
            alerts_page(&state, &v, form, errors, None, String::new()).await
        }
    }
}

async fn issue_alert(State(state): State<AppState>, v: Viewer, form: FormData) -> PageResult {
    let u = inspector(&v)?;
    let body = match alert_body(&form) {
        Ok(b) => b,
        Err(e) => {
            return alerts_page(
                &state,
                &v,
                form,
                FieldErrors::from_error(e, v.en)?,
                None,
                String::new(),
            )
            .await;
        }
    };
    // Issuing needs the dry run of exactly these values, shown in this session.
    if !state.sessions.csrf_verify(
        &format!("alert-preview|{body}"),
        &u.session_id.to_string(),
        &form.get("preview_digest"),
    ) {
        let e = AppError::invalid(
            "",
            "preview_required",
            "请先试运行，查看受影响的门岗和车辆后再发布",
            "run the dry run and review the gates and trucks affected before issuing",
        );
        return alerts_page(
            &state,
            &v,
            form,
            FieldErrors::from_error(e, v.en)?,
            None,
            String::new(),
        )
        .await;
    }
    match api::issue_alert(State(state.clone()), u.clone(), JsonBody::from_value(&body)).await {
        Ok(_) => done("/bureau/alerts", "issued"),
        Err(e) => {
            let errors = FieldErrors::from_error(e, v.en)?;
            alerts_page(&state, &v, form, errors, None, String::new()).await
        }
    }
}

async fn cancel_alert(
    State(state): State<AppState>,
    v: Viewer,
    ApiPath(id): ApiPath<Uuid>,
) -> PageResult {
    let u = inspector(&v)?;
    let _ = api::cancel_alert(State(state.clone()), u.clone(), ApiPath(id)).await?;
    done("/bureau/alerts", "cancelled")
}

// ----------------------------------------------------------------------------- audit

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
    let u = inspector(&v)?;
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
        action: "/bureau/audit".into(),
        entity: entity.unwrap_or_default(),
        lines: audit_lines(rows, v.en),
        page,
        more,
    })
}
