//! Bureau-owned data: the bureau blacklist a bureau issues to its region, and heavy-pollution
//! alerts with their measures. Inspectors write them inside their own region (every write
//! audited); enterprises read what covers them.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use platform_domain::admission::{AdmissionContext, EnterpriseFacts, dry_run};
use platform_domain::codes::{AlertLevel, Direction, MeasureCode, PlateColour};
use platform_domain::ids::TenantId;
use platform_domain::permissions::{Action, Resource, RoleKind, Target};
use platform_domain::plate::PlateNumber;
use platform_domain::region::{RegionCode, RegionScope};
use platform_domain::schedule::to_beijing;
use platform_domain::vin::Vin;
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::{Created, Done, PageParams, Paged, invalid};
use crate::auth::{CurrentUser, tenant_access};
use crate::error::{AppError, AppResult};
use crate::http::AppState;
use crate::http::events::{PageEvent, Scope};
use crate::http::extract::{ApiPath, ApiQuery, JsonBody};
use crate::ops::admission;
use crate::storage::audit::{self, Change};
use crate::storage::lists::{self, BureauEntryFields, BureauEntryRow};
use crate::storage::regions::{self, AlertFields, AlertRow};
use crate::storage::tenants::{self, TenantScope};
use crate::storage::{Page, now};

pub(super) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_blacklist, create_blacklist_entry))
        .routes(routes!(show_blacklist_entry, replace_blacklist_entry, delete_blacklist_entry))
        .routes(routes!(lift_blacklist_entry))
        .routes(routes!(list_alerts, issue_alert))
        .routes(routes!(preview_alert))
        .routes(routes!(show_alert))
        .routes(routes!(cancel_alert))
        .routes(routes!(enterprise_blacklist))
        .routes(routes!(enterprise_alerts))
}

/// The region scope the caller lists bureau data in: an inspector's own, everything for a
/// platform admin.
fn listing_scope(user: &CurrentUser) -> AppResult<String> {
    match user.kind {
        RoleKind::BureauInspector => Ok(user.user.region_prefix.clone().unwrap_or_default()),
        RoleKind::PlatformAdmin => Ok(String::new()),
        _ => Err(AppError::Forbidden("forbidden")),
    }
}

/// Only bureau inspectors issue bureau data; others are refused before their input is read.
fn bureau_writer(user: &CurrentUser) -> AppResult<()> {
    if user.kind == RoleKind::BureauInspector {
        Ok(())
    } else {
        Err(AppError::Forbidden("forbidden"))
    }
}

fn scope(field: &str, code: &str) -> AppResult<RegionScope> {
    RegionScope::parse(code).map_err(|e| invalid(e.with_field(field.to_owned())))
}

// ------------------------------------------------------------------------- blacklist

/// A bureau blacklist entry as entered.
#[derive(Debug, Deserialize, ToSchema)]
pub struct BureauEntryInput {
    /// The region it applies to, inside the inspector's own (e.g. `1401` for a city).
    pub region_code: String,
    /// The plate.
    pub plate: String,
    /// Its colour.
    pub plate_colour: Option<String>,
    /// The VIN, when known.
    pub vin: Option<String>,
    /// 超标原因: `periodic_inspection` (环保定期检验), `remote_monitoring` (远程监控),
    /// `roadside_check` (路检路查), `site_inspection` (入户检查), `remote_sensing` (尾气遥感监测),
    /// `smoke_report` (黑烟举报) or `other`.
    pub source: String,
    /// The bureau's reason.
    pub reason: String,
    /// 下发时间; default now.
    pub issued_at: Option<DateTime<Utc>>,
}

const SOURCES: [&str; 7] = [
    "periodic_inspection",
    "remote_monitoring",
    "roadside_check",
    "site_inspection",
    "remote_sensing",
    "smoke_report",
    "other",
];

fn bureau_fields(
    req: BureauEntryInput,
    lifted_at: Option<DateTime<Utc>>,
) -> AppResult<(RegionScope, BureauEntryFields)> {
    let region = scope("region_code", &req.region_code)?;
    let plate = PlateNumber::parse(&req.plate).map_err(|e| invalid(e.with_field("plate")))?;
    let plate_colour = match req.plate_colour.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(c) => {
            let colour: PlateColour = c.parse().map_err(|_| {
                AppError::invalid(
                    "plate_colour",
                    "invalid_plate_colour",
                    "号牌颜色不正确",
                    "unknown plate colour",
                )
            })?;
            plate.check_colour(colour).map_err(|e| invalid(e.with_field("plate_colour")))?;
            Some(colour.as_str().to_owned())
        }
        None => None,
    };
    let vin = match req.vin.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(v) => {
            Some(Vin::parse(v).map_err(|e| invalid(e.with_field("vin")))?.as_str().to_owned())
        }
        None => None,
    };
    if !SOURCES.contains(&req.source.as_str()) {
        return Err(AppError::invalid(
            "source",
            "invalid_source",
            "超标原因代码不正确",
            "unknown source",
        ));
    }
    let reason = req.reason.trim();
    if reason.is_empty() {
        return Err(AppError::required("reason"));
    }
    Ok((
        region,
        BureauEntryFields {
            region_code: region.as_str().to_owned(),
            plate: plate.as_str().to_owned(),
            plate_colour,
            vin,
            source: req.source,
            reason: reason.chars().take(500).collect(),
            issued_at: chrono::SubsecRound::trunc_subsecs(req.issued_at.unwrap_or_else(now), 6),
            lifted_at,
        },
    ))
}

/// Filters on the bureau blacklist.
#[derive(Debug, Deserialize, IntoParams)]
pub struct BlacklistQuery {
    /// Text in the plate.
    pub search: Option<String>,
    /// Page number.
    pub page: Option<u64>,
    /// Rows per page.
    pub per_page: Option<u64>,
}

/// The bureau blacklist of the caller's region (inspectors; all regions for platform admins).
#[utoipa::path(get, path = "/bureau/blacklist", tag = "bureau", params(BlacklistQuery), responses((status = 200, body = Paged<BureauEntryRow>), (status = 403)))]
pub(crate) async fn list_blacklist(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiQuery(q): ApiQuery<BlacklistQuery>,
) -> AppResult<Json<Paged<BureauEntryRow>>> {
    let prefix = listing_scope(&user)?;
    let paging = PageParams { page: q.page, per_page: q.per_page };
    let mut db = state.db.clone();
    Ok(Json(paging.wrap(
        lists::list_bureau_within(&mut db, &prefix, q.search.as_deref(), paging.page()).await?,
        None,
    )))
}

/// Issues a bureau blacklist entry for a region inside the inspector's own.
#[utoipa::path(post, path = "/bureau/blacklist", tag = "bureau", request_body = BureauEntryInput,
    responses((status = 201, body = Created), (status = 403), (status = 404, description = "the region is outside the inspector's"), (status = 422)))]
pub(crate) async fn create_blacklist_entry(
    State(state): State<AppState>,
    user: CurrentUser,
    req_body: JsonBody<BureauEntryInput>,
) -> AppResult<(StatusCode, Json<Created>)> {
    bureau_writer(&user)?;
    let req = req_body.parse()?;
    let (region, fields) = bureau_fields(req, None)?;
    user.require(Action::Write, &Target::region(Resource::BureauBlacklist, region))?;
    let mut tx = state.db.begin().await?;
    let id = lists::insert_bureau(&mut tx, &fields, Some(user.id())).await?;
    audit::record_platform(
        &mut tx,
        Some(region.as_str()),
        &user.actor(),
        Change {
            action: "create",
            entity: "bureau_blacklist",
            entity_id: id.to_string(),
            before: None,
            after: Some(json!(fields)),
        },
    )
    .await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

async fn blacklist_entry(
    state: &AppState,
    user: &CurrentUser,
    id: Uuid,
    action: Action,
) -> AppResult<BureauEntryRow> {
    let mut db = state.db.clone();
    let row = lists::find_bureau(&mut db, id).await?.ok_or(AppError::NotFound)?;
    let region = scope("region_code", &row.fields.region_code)?;
    user.require(action, &Target::region(Resource::BureauBlacklist, region))?;
    Ok(row)
}

/// One bureau blacklist entry.
#[utoipa::path(get, path = "/bureau/blacklist/{entry_id}", tag = "bureau", params(("entry_id" = Uuid, Path)),
    responses((status = 200, body = BureauEntryRow), (status = 404)))]
pub(crate) async fn show_blacklist_entry(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Json<BureauEntryRow>> {
    Ok(Json(blacklist_entry(&state, &user, id, Action::Read).await?))
}

/// Replaces a bureau blacklist entry (it may not move out of the inspector's region).
#[utoipa::path(put, path = "/bureau/blacklist/{entry_id}", tag = "bureau", params(("entry_id" = Uuid, Path)),
    request_body = BureauEntryInput, responses((status = 200, body = BureauEntryRow), (status = 403), (status = 404), (status = 422)))]
pub(crate) async fn replace_blacklist_entry(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
    req_body: JsonBody<BureauEntryInput>,
) -> AppResult<Json<BureauEntryRow>> {
    let before = blacklist_entry(&state, &user, id, Action::Write).await?;
    let req = req_body.parse()?;
    let (region, fields) = bureau_fields(req, before.fields.lifted_at)?;
    user.require(Action::Write, &Target::region(Resource::BureauBlacklist, region))?;
    let mut tx = state.db.begin().await?;
    lists::update_bureau(&mut tx, id, &fields).await?;
    audit::record_platform(
        &mut tx,
        Some(region.as_str()),
        &user.actor(),
        Change {
            action: "update",
            entity: "bureau_blacklist",
            entity_id: id.to_string(),
            before: Some(json!(before.fields)),
            after: Some(json!(fields)),
        },
    )
    .await?;
    let after = lists::find_bureau(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    tx.commit().await?;
    Ok(Json(after))
}

/// Deletes a bureau blacklist entry issued by mistake (lifting keeps the history).
#[utoipa::path(delete, path = "/bureau/blacklist/{entry_id}", tag = "bureau", params(("entry_id" = Uuid, Path)),
    responses((status = 200, body = Done), (status = 403), (status = 404)))]
pub(crate) async fn delete_blacklist_entry(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Json<Done>> {
    let before = blacklist_entry(&state, &user, id, Action::Write).await?;
    let mut tx = state.db.begin().await?;
    lists::delete_bureau(&mut tx, id).await?;
    audit::record_platform(
        &mut tx,
        Some(&before.fields.region_code),
        &user.actor(),
        Change {
            action: "delete",
            entity: "bureau_blacklist",
            entity_id: id.to_string(),
            before: Some(json!(before.fields)),
            after: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Done::new())
}

/// Lifts (解除) a bureau blacklist entry: it stays on record but no longer blocks.
#[utoipa::path(post, path = "/bureau/blacklist/{entry_id}/lift", tag = "bureau", params(("entry_id" = Uuid, Path)),
    responses((status = 200, body = BureauEntryRow), (status = 403), (status = 404), (status = 409)))]
pub(crate) async fn lift_blacklist_entry(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Json<BureauEntryRow>> {
    let before = blacklist_entry(&state, &user, id, Action::Write).await?;
    if before.fields.lifted_at.is_some() {
        return Err(AppError::Conflict { code: "invalid_state", field: None });
    }
    let mut fields = before.fields.clone();
    fields.lifted_at = Some(now());
    let mut tx = state.db.begin().await?;
    lists::update_bureau(&mut tx, id, &fields).await?;
    audit::record_platform(
        &mut tx,
        Some(&fields.region_code),
        &user.actor(),
        Change {
            action: "lift",
            entity: "bureau_blacklist",
            entity_id: id.to_string(),
            before: Some(json!(before.fields)),
            after: Some(json!(fields)),
        },
    )
    .await?;
    let after = lists::find_bureau(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    tx.commit().await?;
    Ok(Json(after))
}

// ---------------------------------------------------------------------------- alerts

/// An alert as issued.
#[derive(Debug, Deserialize, ToSchema)]
pub struct AlertInput {
    /// The region it covers, inside the inspector's own.
    pub region_code: String,
    /// `yellow`, `orange` or `red`.
    pub level: String,
    /// Measure identifiers: `ban_cn3_heavy` (1), `ban_cn4_heavy` (2), `ban_cn4_diesel_cn5_gas`
    /// (3), `stop_road_transport` (4). Numbers 1–4 are accepted too.
    pub measures: Vec<String>,
    /// Start.
    pub starts_at: DateTime<Utc>,
    /// End (after the start).
    pub ends_at: DateTime<Utc>,
    /// The bureau's notice.
    pub reason: Option<String>,
}

fn alert_fields(req: AlertInput) -> AppResult<(RegionScope, AlertFields)> {
    let region = scope("region_code", &req.region_code)?;
    let level: AlertLevel = req.level.parse().map_err(|_| {
        AppError::invalid(
            "level",
            "invalid_level",
            "预警等级应为 yellow、orange 或 red",
            "the level must be yellow, orange or red",
        )
    })?;
    if level == AlertLevel::None {
        return Err(AppError::invalid(
            "level",
            "invalid_level",
            "预警等级应为 yellow、orange 或 red",
            "the level must be yellow, orange or red",
        ));
    }
    let mut measures = Vec::new();
    for (i, m) in req.measures.iter().enumerate() {
        let code = m
            .parse::<MeasureCode>()
            .ok()
            .or_else(|| m.parse::<u8>().ok().and_then(MeasureCode::from_number))
            .ok_or_else(|| {
                AppError::invalid(
                    format!("measures[{i}]"),
                    "invalid_measure",
                    "管控措施代码不正确",
                    "unknown measure code",
                )
            })?;
        if !measures.contains(&code.as_str().to_owned()) {
            measures.push(code.as_str().to_owned());
        }
    }
    if req.ends_at <= req.starts_at {
        return Err(AppError::invalid(
            "ends_at",
            "validity_reversed",
            "结束时间应晚于开始时间",
            "the end must be after the start",
        ));
    }
    let trunc = |t: DateTime<Utc>| chrono::SubsecRound::trunc_subsecs(t, 6);
    Ok((
        region,
        AlertFields {
            region_code: region.as_str().to_owned(),
            level: level.as_str().to_owned(),
            measures: sqlx::types::Json(measures),
            starts_at: trunc(req.starts_at),
            ends_at: trunc(req.ends_at),
            reason: req
                .reason
                .map(|r| r.trim().chars().take(500).collect::<String>())
                .filter(|r| !r.is_empty()),
        },
    ))
}

/// The alerts of the caller's region, newest first (inspectors; all for platform admins).
#[utoipa::path(get, path = "/bureau/alerts", tag = "bureau", params(PageParams), responses((status = 200, body = Paged<AlertRow>), (status = 403)))]
pub(crate) async fn list_alerts(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiQuery(q): ApiQuery<PageParams>,
) -> AppResult<Json<Paged<AlertRow>>> {
    let prefix = listing_scope(&user)?;
    let mut db = state.db.clone();
    Ok(Json(q.wrap(regions::list_within(&mut db, &prefix, q.page()).await?, None)))
}

/// Issues a heavy-pollution alert for a region inside the inspector's own. Connected gates
/// of the enterprises it covers pick it up with their next update.
#[utoipa::path(post, path = "/bureau/alerts", tag = "bureau", request_body = AlertInput,
    responses((status = 201, body = Created), (status = 403), (status = 404), (status = 422)))]
pub(crate) async fn issue_alert(
    State(state): State<AppState>,
    user: CurrentUser,
    req_body: JsonBody<AlertInput>,
) -> AppResult<(StatusCode, Json<Created>)> {
    bureau_writer(&user)?;
    let req = req_body.parse()?;
    let (region, fields) = alert_fields(req)?;
    user.require(Action::Write, &Target::region(Resource::RegionAlerts, region))?;
    let mut tx = state.db.begin().await?;
    let id = regions::insert(&mut tx, &fields, Some(user.id())).await?;
    audit::record_platform(
        &mut tx,
        Some(region.as_str()),
        &user.actor(),
        Change {
            action: "create",
            entity: "region_alert",
            entity_id: id.to_string(),
            before: None,
            after: Some(json!(fields)),
        },
    )
    .await?;
    tx.commit().await?;
    // Open dashboards and big screens of the region show the new measure at once.
    state
        .events
        .publish(PageEvent { scope: Scope::Region(region.as_str().to_owned()), panel: "measure" });
    Ok((StatusCode::CREATED, Json(Created { id })))
}

/// The effect of an alert on one enterprise.
#[derive(Debug, Serialize, ToSchema)]
pub struct AlertImpact {
    /// The enterprise.
    pub tenant_id: Uuid,
    /// Its name.
    pub name: String,
    /// Its gates.
    pub gates: usize,
    /// Registered vehicles it would refuse at the alert's start that it admits without it.
    pub newly_refused: usize,
    /// Plates of those vehicles (at most 50).
    pub plates: Vec<String>,
}

/// The effect of a proposed alert, before issuing it.
#[derive(Debug, Serialize, ToSchema)]
pub struct AlertPreview {
    /// Enterprises in the region.
    pub enterprises: Vec<AlertImpact>,
    /// Gates in the region.
    pub gates: usize,
    /// Registered vehicles newly refused, all enterprises together.
    pub newly_refused: usize,
}

/// Dry run of an alert: for every enterprise of the region, how many gates it has and which
/// registered trucks the alert would refuse at its start.
#[utoipa::path(post, path = "/bureau/alerts/preview", tag = "bureau", request_body = AlertInput,
    responses((status = 200, body = AlertPreview), (status = 403), (status = 404), (status = 422)))]
pub(crate) async fn preview_alert(
    State(state): State<AppState>,
    user: CurrentUser,
    req_body: JsonBody<AlertInput>,
) -> AppResult<Json<AlertPreview>> {
    listing_scope(&user)?;
    let req = req_body.parse()?;
    let (region, fields) = alert_fields(req)?;
    user.require(Action::Read, &Target::region(Resource::RegionAlerts, region))?;
    let mut db = state.db.clone();
    let enterprises = tenants::list(
        &mut db,
        &TenantScope { region_prefix: Some(region.as_str().to_owned()), ..Default::default() },
        Page { offset: 0, limit: 10_000 },
    )
    .await?;
    let at = to_beijing(fields.starts_at);
    let measures: Vec<MeasureCode> =
        fields.measures.0.iter().filter_map(|m| m.parse().ok()).collect();
    let level: AlertLevel = fields.level.parse().unwrap_or(AlertLevel::Yellow);
    let validity = platform_domain::schedule::Validity::new(
        Some(to_beijing(fields.starts_at)),
        Some(to_beijing(fields.ends_at)),
    )
    .map_err(invalid)?;
    let alert = platform_domain::admission::RegionAlert {
        id: platform_domain::ids::AlertId::new(),
        scope: region,
        level,
        validity,
        measures,
        local_bans: Vec::new(),
    };
    let mut out = Vec::new();
    for t in enterprises {
        let current = admission::load(&mut db, &t, fields.starts_at).await?;
        let facts = EnterpriseFacts {
            region: RegionCode::parse(&t.region_code).map_err(invalid)?,
            industry: t.industry.parse().unwrap_or(platform_domain::codes::Industry::Other),
            rating: t.rating.parse().unwrap_or(platform_domain::codes::EnterpriseRating::C),
        };
        let mut overlays = current.overlays.clone();
        overlays.extend(platform_domain::admission::overlays_for(
            std::slice::from_ref(&alert),
            &platform_domain::admission::EmergencyPlan::cement_2020(),
            &facts,
        ));
        let proposed = AdmissionContext {
            lists: &current.lists,
            policy: &current.policy,
            overlays: &overlays,
        };
        let before: std::collections::HashSet<_> =
            dry_run(&current.context(), &current.vehicles, Direction::Entry, at)
                .into_iter()
                .map(|r| r.vehicle)
                .collect();
        let newly: Vec<_> = dry_run(&proposed, &current.vehicles, Direction::Entry, at)
            .into_iter()
            .filter(|r| !before.contains(&r.vehicle))
            .collect();
        let gates =
            crate::storage::directory::list_gates(&mut db, TenantId::from(t.id)).await?.len();
        out.push(AlertImpact {
            tenant_id: t.id,
            name: t.name.clone(),
            gates,
            newly_refused: newly.len(),
            plates: newly.iter().take(50).map(|r| r.plate.as_str().to_owned()).collect(),
        });
    }
    Ok(Json(AlertPreview {
        gates: out.iter().map(|e| e.gates).sum(),
        newly_refused: out.iter().map(|e| e.newly_refused).sum(),
        enterprises: out,
    }))
}

async fn alert(
    state: &AppState,
    user: &CurrentUser,
    id: Uuid,
    action: Action,
) -> AppResult<AlertRow> {
    let mut db = state.db.clone();
    let row = regions::find(&mut db, id).await?.ok_or(AppError::NotFound)?;
    user.require(
        action,
        &Target::region(Resource::RegionAlerts, scope("region_code", &row.fields.region_code)?),
    )?;
    Ok(row)
}

/// One alert.
#[utoipa::path(get, path = "/bureau/alerts/{alert_id}", tag = "bureau", params(("alert_id" = Uuid, Path)),
    responses((status = 200, body = AlertRow), (status = 404)))]
pub(crate) async fn show_alert(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Json<AlertRow>> {
    Ok(Json(alert(&state, &user, id, Action::Read).await?))
}

/// Cancels an alert before its end.
#[utoipa::path(post, path = "/bureau/alerts/{alert_id}/cancel", tag = "bureau", params(("alert_id" = Uuid, Path)),
    responses((status = 200, body = AlertRow), (status = 403), (status = 404), (status = 409)))]
pub(crate) async fn cancel_alert(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Json<AlertRow>> {
    let before = alert(&state, &user, id, Action::Write).await?;
    let mut tx = state.db.begin().await?;
    if regions::cancel(&mut tx, id).await? == 0 {
        return Err(AppError::Conflict { code: "invalid_state", field: None });
    }
    let after = regions::find(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    audit::record_platform(
        &mut tx,
        Some(&before.fields.region_code),
        &user.actor(),
        Change {
            action: "cancel",
            entity: "region_alert",
            entity_id: id.to_string(),
            before: Some(json!(before)),
            after: Some(json!(after)),
        },
    )
    .await?;
    tx.commit().await?;
    state.events.publish(PageEvent {
        scope: Scope::Region(before.fields.region_code.clone()),
        panel: "measure",
    });
    Ok(Json(after))
}

/// The bureau blacklist entries that cover an enterprise (its region or a region containing
/// it), lifted ones excluded.
#[utoipa::path(get, path = "/enterprises/{tenant_id}/bureau-blacklist", tag = "bureau", params(("tenant_id" = Uuid, Path), PageParams),
    responses((status = 200, body = Paged<BureauEntryRow>), (status = 404)))]
pub(crate) async fn enterprise_blacklist(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(t): ApiPath<Uuid>,
    ApiQuery(q): ApiQuery<PageParams>,
) -> AppResult<Json<Paged<BureauEntryRow>>> {
    let tenant = tenant_access(&state, &user, t, Resource::EnterpriseLists, Action::Read).await?;
    let mut db = state.db.clone();
    Ok(Json(q.wrap(
        lists::list_bureau_covering(&mut db, &tenant.region_code, false, q.page()).await?,
        None,
    )))
}

/// The current and coming alerts that cover an enterprise.
#[utoipa::path(get, path = "/enterprises/{tenant_id}/alerts", tag = "bureau", params(("tenant_id" = Uuid, Path)),
    responses((status = 200, body = Vec<AlertRow>), (status = 404)))]
pub(crate) async fn enterprise_alerts(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(t): ApiPath<Uuid>,
) -> AppResult<Json<Vec<AlertRow>>> {
    let tenant = tenant_access(&state, &user, t, Resource::TenantProfile, Action::Read).await?;
    let mut db = state.db.clone();
    Ok(Json(regions::list_covering(&mut db, &tenant.region_code, now()).await?))
}
