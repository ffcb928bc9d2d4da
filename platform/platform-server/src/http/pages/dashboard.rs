//! An enterprise's home (dashboard), its big screen (数字大屏) for the control room, the
//! alerts that cover it, its live event stream, and the group admin's list of plants.
//!
//! What exists before the gate link is shown with real numbers: the registries, their stage
//! and fuel mix, permits, expiring documents, the current control measure, the gates.
//! Passages, denials, manual releases and gate health arrive with the gate link; their
//! panels say so and show no number.

use askama::Template;
use axum::extract::State;
use axum::response::IntoResponse;
use chrono::Utc;
use platform_domain::codes::{AlertLevel, EmissionStage, Fuel, LedgerKind, MeasureCode};
use platform_domain::ids::TenantId;
use platform_domain::permissions::{Action, Resource, RoleKind};
use uuid::Uuid;

use super::charts::{Bar, bar_chart, stage_colour};
use super::{Ctx, PageResult, Route, Viewer, get};
use crate::auth::tenant_access;
use crate::http::AppState;
use crate::http::extract::ApiPath;
use crate::storage::tenants::{TenantRow, TenantScope};
use crate::storage::{Page, directory, lists, regions, tenants, vehicles};

pub(super) fn routes() -> Vec<Route> {
    vec![
        get("/e/{tenant_id}", dashboard),
        get("/e/{tenant_id}/screen", screen),
        get("/e/{tenant_id}/events", events),
        get("/e/{tenant_id}/panels/measure", measure_fragment),
        get("/e/{tenant_id}/alerts", alerts),
        get("/group", group_home),
    ]
}

/// An alert as the pages show it.
#[derive(Debug, Clone)]
pub struct AlertView {
    /// Id.
    pub id: Uuid,
    /// Level identifier (`yellow`, `orange`, `red`).
    pub level: String,
    /// Level label.
    pub level_label: String,
    /// Measure labels.
    pub measures: Vec<String>,
    /// Region code.
    pub region: String,
    /// Start, Beijing time.
    pub starts: String,
    /// End, Beijing time.
    pub ends: String,
    /// The bureau's notice.
    pub reason: String,
    /// Whether it is in force now.
    pub current: bool,
    /// Cancelled at, Beijing time, or empty.
    pub cancelled: String,
}

/// Turns a stored alert into its view.
pub fn alert_view(a: &regions::AlertRow, en: bool) -> AlertView {
    let now = Utc::now();
    AlertView {
        id: a.id,
        level: a.fields.level.clone(),
        level_label: crate::code_label!(AlertLevel, &a.fields.level, en),
        measures: a
            .fields
            .measures
            .0
            .iter()
            .map(|m| match m.parse::<MeasureCode>() {
                Ok(c) => {
                    format!("{}. {}", c.number(), if en { c.label_en() } else { c.label_zh() })
                }
                Err(_) => m.clone(),
            })
            .collect(),
        region: a.fields.region_code.clone(),
        starts: super::local(&a.fields.starts_at),
        ends: super::local(&a.fields.ends_at),
        reason: a.fields.reason.clone().unwrap_or_default(),
        current: a.cancelled_at.is_none() && a.fields.starts_at <= now && now < a.fields.ends_at,
        cancelled: super::local_opt(&a.cancelled_at),
    }
}

/// The control-measure panel: the alert in force and those to come.
#[derive(Debug, Clone, Default)]
pub struct MeasurePanel {
    /// In force now.
    pub current: Vec<AlertView>,
    /// Issued, not yet started.
    pub coming: Vec<AlertView>,
}

async fn measure_panel(
    state: &AppState,
    t: &TenantRow,
    en: bool,
) -> Result<MeasurePanel, sqlx::Error> {
    let mut db = state.db.clone();
    let rows = regions::list_covering(&mut db, &t.region_code, Utc::now()).await?;
    let (current, coming) = rows.iter().map(|a| alert_view(a, en)).partition(|a| a.current);
    Ok(MeasurePanel { current, coming })
}

/// Counts of one registry.
#[derive(Debug, Clone)]
pub struct RegistryCount {
    /// Ledger kind id.
    pub kind: &'static str,
    /// Label.
    pub label: &'static str,
    /// Vehicles registered.
    pub n: i64,
}

struct Mix {
    registries: Vec<RegistryCount>,
    stage_chart: String,
    fuel_chart: String,
    total: i64,
}

async fn mix(state: &AppState, t: TenantId, en: bool) -> Result<Mix, sqlx::Error> {
    let mut db = state.db.clone();
    let rows = vehicles::mix(&mut db, t).await?;
    let registries = LedgerKind::ALL
        .iter()
        .map(|k| RegistryCount {
            kind: k.as_str(),
            label: if en { k.label_en() } else { k.label_zh() },
            n: rows.iter().filter(|r| r.kind == k.as_str()).map(|r| r.n).sum(),
        })
        .collect::<Vec<_>>();
    let stage_bars: Vec<Bar> = EmissionStage::ALL
        .iter()
        .filter_map(|s| {
            let n: i64 = rows.iter().filter(|r| r.stage == s.as_str()).map(|r| r.n).sum();
            (n > 0).then(|| Bar {
                label: if en { s.label_en() } else { s.label_zh() }.to_owned(),
                value: n,
                colour: stage_colour(s.as_str()),
            })
        })
        .collect();
    let fuel_bars: Vec<Bar> = Fuel::ALL
        .iter()
        .filter_map(|f| {
            let n: i64 = rows.iter().filter(|r| r.fuel == f.as_str()).map(|r| r.n).sum();
            (n > 0).then(|| Bar {
                label: if en { f.label_en() } else { f.label_zh() }.to_owned(),
                value: n,
                colour: if f.is_new_energy() { "#047857" } else { "#2563eb" },
            })
        })
        .collect();
    Ok(Mix {
        total: registries.iter().map(|r| r.n).sum(),
        registries,
        stage_chart: bar_chart(
            "stage-mix",
            if en {
                "Registered vehicles by emission stage"
            } else {
                "登记车辆排放阶段构成"
            },
            &stage_bars,
        ),
        fuel_chart: bar_chart(
            "fuel-mix",
            if en { "Registered vehicles by fuel" } else { "登记车辆燃料类型构成" },
            &fuel_bars,
        ),
    })
}

#[derive(Template)]
#[template(path = "ent/dashboard.html")]
struct Dashboard {
    c: Ctx,
    t: TenantRow,
    sees_registries: bool,
    registries: Vec<RegistryCount>,
    total: i64,
    stage_chart: String,
    fuel_chart: String,
    permits_valid: usize,
    expiring: usize,
    gates: usize,
    m: MeasurePanel,
    rating: String,
}

async fn dashboard(
    State(state): State<AppState>,
    v: Viewer,
    ApiPath(t): ApiPath<Uuid>,
) -> PageResult {
    let u = v.require()?;
    if u.kind == RoleKind::PlatformAdmin {
        // Platform admins do not browse enterprises' data (D24): their view is the profile.
        return Err(super::PageError::Redirect(format!("/e/{t}/profile")));
    }
    let tenant = tenant_access(&state, u, t, Resource::TenantProfile, Action::Read).await?;
    let sees_registries =
        platform_domain::permissions::allows(u.kind, Resource::Vehicles, Action::Read);
    let tid = TenantId::from(t);
    let (registries, total, stage_chart, fuel_chart) = if sees_registries {
        let m = mix(&state, tid, v.en).await?;
        (m.registries, m.total, m.stage_chart, m.fuel_chart)
    } else {
        (Vec::new(), 0, String::new(), String::new())
    };
    let mut db = state.db.clone();
    let (permits_valid, expiring) = if sees_registries {
        let permits = lists::list_entries(
            &mut db,
            tid,
            "whitelist",
            None,
            Some(crate::storage::now()),
            Page { offset: 0, limit: 100_000 },
        )
        .await?
        .len();
        let horizon = crate::http::api::vehicles::today_local() + chrono::Duration::days(30);
        let filter = vehicles::VehicleFilter { expiring_by: Some(horizon), ..Default::default() };
        (permits, vehicles::count(&mut db, tid, &filter).await? as usize)
    } else {
        (0, 0)
    };
    let gates = directory::list_gates(&mut db, tid).await?.len();
    let m = measure_panel(&state, &tenant, v.en).await?;
    super::page(&Dashboard {
        c: v.tenant_ctx(if v.en { "Dashboard" } else { "首页" }, &tenant, "dashboard"),
        rating: crate::code_label!(platform_domain::codes::EnterpriseRating, &tenant.rating, v.en),
        t: tenant,
        sees_registries,
        registries,
        total,
        stage_chart,
        fuel_chart,
        permits_valid,
        expiring,
        gates,
        m,
    })
}

/// A gate on the big screen.
#[derive(Debug, Clone)]
pub struct ScreenGate {
    /// Name.
    pub name: String,
    /// 出入口编号.
    pub entrance_no: String,
    /// 道闸编号.
    pub barrier_no: String,
    /// Lanes.
    pub lanes: usize,
}

#[derive(Template)]
#[template(path = "ent/screen.html")]
struct Screen {
    c: Ctx,
    t: TenantRow,
    registries: Vec<RegistryCount>,
    total: i64,
    stage_chart: String,
    gates: Vec<ScreenGate>,
    m: MeasurePanel,
}

async fn screen(State(state): State<AppState>, v: Viewer, ApiPath(t): ApiPath<Uuid>) -> PageResult {
    let u = v.require()?;
    let tenant = tenant_access(&state, u, t, Resource::Vehicles, Action::Read).await?;
    let tid = TenantId::from(t);
    let m = mix(&state, tid, v.en).await?;
    let mut db = state.db.clone();
    let mut gates = Vec::new();
    for g in directory::list_gates(&mut db, tid).await? {
        let lanes = directory::list_lanes(&mut db, tid, g.id).await?.len();
        gates.push(ScreenGate {
            name: g.name,
            entrance_no: g.entrance_no,
            barrier_no: g.barrier_no,
            lanes,
        });
    }
    let panel = measure_panel(&state, &tenant, v.en).await?;
    super::page(&Screen {
        c: v.tenant_ctx(if v.en { "Big screen" } else { "数字大屏" }, &tenant, "screen"),
        t: tenant,
        registries: m.registries,
        total: m.total,
        stage_chart: m.stage_chart,
        gates,
        m: panel,
    })
}

/// The enterprise's live event stream (server-sent events).
async fn events(State(state): State<AppState>, v: Viewer, ApiPath(t): ApiPath<Uuid>) -> PageResult {
    let u = v.require()?;
    let tenant = tenant_access(&state, u, t, Resource::TenantProfile, Action::Read).await?;
    Ok(state.events.stream(tenant.id, tenant.region_code).into_response())
}

#[derive(Template)]
#[template(path = "ent/measure_panel.html")]
struct MeasureFragment {
    c: Ctx,
    m: MeasurePanel,
}

/// The control-measure panel alone, for the live update.
async fn measure_fragment(
    State(state): State<AppState>,
    v: Viewer,
    ApiPath(t): ApiPath<Uuid>,
) -> PageResult {
    let u = v.require()?;
    let tenant = tenant_access(&state, u, t, Resource::TenantProfile, Action::Read).await?;
    let m = measure_panel(&state, &tenant, v.en).await?;
    super::page(&MeasureFragment { c: v.bare(""), m })
}

#[derive(Template)]
#[template(path = "ent/alerts.html")]
struct Alerts {
    c: Ctx,
    m: MeasurePanel,
    blacklist: Vec<(String, String, String)>,
    sees_blacklist: bool,
}

async fn alerts(State(state): State<AppState>, v: Viewer, ApiPath(t): ApiPath<Uuid>) -> PageResult {
    let u = v.require()?;
    // Alerts are the region's, not the enterprise's: reach the enterprise, then the matrix.
    let tenant = tenant_access(&state, u, t, Resource::TenantProfile, Action::Read).await?;
    if !platform_domain::permissions::allows(u.kind, Resource::RegionAlerts, Action::Read) {
        return Err(crate::error::AppError::Forbidden("forbidden").into());
    }
    let m = measure_panel(&state, &tenant, v.en).await?;
    let sees_blacklist =
        platform_domain::permissions::allows(u.kind, Resource::EnterpriseLists, Action::Read);
    let blacklist = if sees_blacklist {
        let mut db = state.db.clone();
        lists::list_bureau_covering(
            &mut db,
            &tenant.region_code,
            false,
            Page { offset: 0, limit: 500 },
        )
        .await?
        .into_iter()
        .map(|e| (e.fields.plate, e.fields.reason, super::local(&e.fields.issued_at)))
        .collect()
    } else {
        Vec::new()
    };
    super::page(&Alerts {
        c: v.tenant_ctx(if v.en { "Alerts and measures" } else { "预警与管控" }, &tenant, "alerts"),
        m,
        blacklist,
        sees_blacklist,
    })
}

#[derive(Template)]
#[template(path = "group/home.html")]
struct GroupHome {
    c: Ctx,
    plants: Vec<(Uuid, String, String, String)>,
}

async fn group_home(State(state): State<AppState>, v: Viewer) -> PageResult {
    let u = v.require()?;
    if u.kind != RoleKind::GroupAdmin {
        return Err(crate::error::AppError::Forbidden("forbidden").into());
    }
    let mut db = state.db.clone();
    let plants = tenants::list(
        &mut db,
        &TenantScope { group_id: u.user.group_id, ..TenantScope::default() },
        Page { offset: 0, limit: 1000 },
    )
    .await?
    .into_iter()
    .map(|p| {
        let industry = crate::code_label!(platform_domain::codes::Industry, &p.industry, v.en);
        (p.id, p.name, p.region_code, industry)
    })
    .collect();
    super::page(&GroupHome {
        c: v.ctx(if v.en { "Plants" } else { "集团企业" }, "group"), plants
    })
}
