//! An enterprise's sites, gates (出入口) with their regulator codes, lanes and the devices
//! bound to each lane.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use platform_domain::ids::TenantId;
use platform_domain::permissions::{Action, Resource};
use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::enterprises::check_name;
use super::{Created, Done};
use crate::auth::{CurrentUser, tenant_access};
use crate::error::{AppError, AppResult};
use crate::http::AppState;
use crate::http::extract::{ApiPath, JsonBody};
use crate::storage::audit::{self, Change};
use crate::storage::directory::{
    self, DeviceFields, DeviceRow, GateChanges, GateRow, LaneFields, LaneRow, NewGate, SiteRow,
};
use crate::storage::tenants;

pub(super) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_sites, create_site))
        .routes(routes!(show_site, update_site, delete_site))
        .routes(routes!(list_gates, create_gate))
        .routes(routes!(show_gate, update_gate, delete_gate))
        .routes(routes!(list_lanes, create_lane))
        .routes(routes!(show_lane, update_lane, delete_lane))
        .routes(routes!(list_devices, create_device))
        .routes(routes!(show_device, update_device, delete_device))
}

async fn audited(
    state: &AppState,
    user: &CurrentUser,
    tenant: Uuid,
    change: Change<'_>,
    op: impl AsyncFnOnce(&mut crate::storage::Tx) -> AppResult<u64>,
) -> AppResult<()> {
    let mut tx = state.db.begin().await?;
    if op(&mut tx).await? == 0 {
        return Err(AppError::NotFound);
    }
    audit::record(&mut tx, TenantId::from(tenant), &user.actor(), change).await?;
    tx.commit().await?;
    Ok(())
}

// ------------------------------------------------------------------------------- sites

/// A site's fields.
#[derive(Debug, Deserialize, ToSchema)]
pub struct SiteInput {
    /// Name.
    pub name: String,
    /// Address.
    pub address: Option<String>,
}

/// An enterprise's sites.
#[utoipa::path(get, path = "/enterprises/{tenant_id}/sites", tag = "directory", params(("tenant_id" = Uuid, Path)),
    responses((status = 200, body = Vec<SiteRow>), (status = 404)))]
pub(crate) async fn list_sites(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(t): ApiPath<Uuid>,
) -> AppResult<Json<Vec<SiteRow>>> {
    tenant_access(&state, &user, t, Resource::Devices, Action::Read).await?;
    let mut db = state.db.clone();
    Ok(Json(directory::list_sites(&mut db, TenantId::from(t)).await?))
}

/// Adds a site.
#[utoipa::path(post, path = "/enterprises/{tenant_id}/sites", tag = "directory", params(("tenant_id" = Uuid, Path)),
    request_body = SiteInput, responses((status = 201, body = Created), (status = 403), (status = 404)))]
pub(crate) async fn create_site(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(t): ApiPath<Uuid>,
    req_body: JsonBody<SiteInput>,
) -> AppResult<(StatusCode, Json<Created>)> {
    tenant_access(&state, &user, t, Resource::Devices, Action::Write).await?;
    let req = req_body.parse()?;
    let name = check_name("name", &req.name)?;
    let address = req.address.map(|a| a.trim().to_owned()).filter(|a| !a.is_empty());
    let mut tx = state.db.begin().await?;
    let id = directory::insert_site(&mut tx, TenantId::from(t), &name, address.as_deref()).await?;
    audit::record(
        &mut tx,
        TenantId::from(t),
        &user.actor(),
        Change {
            action: "create",
            entity: "site",
            entity_id: id.to_string(),
            before: None,
            after: Some(json!({"name": name, "address": address})),
        },
    )
    .await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

async fn site(
    state: &AppState,
    user: &CurrentUser,
    t: Uuid,
    id: Uuid,
    action: Action,
) -> AppResult<SiteRow> {
    tenant_access(state, user, t, Resource::Devices, action).await?;
    let mut db = state.db.clone();
    directory::find_site(&mut db, TenantId::from(t), id).await?.ok_or(AppError::NotFound)
}

/// One site.
#[utoipa::path(get, path = "/enterprises/{tenant_id}/sites/{site_id}", tag = "directory",
    params(("tenant_id" = Uuid, Path), ("site_id" = Uuid, Path)), responses((status = 200, body = SiteRow), (status = 404)))]
pub(crate) async fn show_site(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath((t, id)): ApiPath<(Uuid, Uuid)>,
) -> AppResult<Json<SiteRow>> {
    Ok(Json(site(&state, &user, t, id, Action::Read).await?))
}

/// Renames or moves a site.
#[utoipa::path(patch, path = "/enterprises/{tenant_id}/sites/{site_id}", tag = "directory",
    params(("tenant_id" = Uuid, Path), ("site_id" = Uuid, Path)), request_body = SiteInput, responses((status = 200, body = SiteRow), (status = 404)))]
pub(crate) async fn update_site(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath((t, id)): ApiPath<(Uuid, Uuid)>,
    req_body: JsonBody<SiteInput>,
) -> AppResult<Json<SiteRow>> {
    let before = site(&state, &user, t, id, Action::Write).await?;
    let req = req_body.parse()?;
    let name = check_name("name", &req.name)?;
    let address = req.address.map(|a| a.trim().to_owned()).filter(|a| !a.is_empty());
    let change = Change {
        action: "update",
        entity: "site",
        entity_id: id.to_string(),
        before: Some(json!(before)),
        after: Some(json!({"name": name, "address": address})),
    };
    audited(&state, &user, t, change, async |tx| {
        Ok(directory::update_site(tx, TenantId::from(t), id, Some(&name), Some(address.as_deref()))
            .await?)
    })
    .await?;
    Ok(Json(site(&state, &user, t, id, Action::Read).await?))
}

/// Deletes a site; refused (409 `in_use`) while it has gates.
#[utoipa::path(delete, path = "/enterprises/{tenant_id}/sites/{site_id}", tag = "directory",
    params(("tenant_id" = Uuid, Path), ("site_id" = Uuid, Path)), responses((status = 200, body = Done), (status = 404), (status = 409)))]
pub(crate) async fn delete_site(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath((t, id)): ApiPath<(Uuid, Uuid)>,
) -> AppResult<Json<Done>> {
    let before = site(&state, &user, t, id, Action::Write).await?;
    let change = Change {
        action: "delete",
        entity: "site",
        entity_id: id.to_string(),
        before: Some(json!(before)),
        after: None,
    };
    audited(&state, &user, t, change, async |tx| {
        Ok(directory::delete_site(tx, TenantId::from(t), id).await?)
    })
    .await?;
    Ok(Done::new())
}

// ------------------------------------------------------------------------------- gates

/// A gate's fields.
#[derive(Debug, Deserialize, ToSchema)]
pub struct GateInput {
    /// The site it belongs to.
    pub site_id: Uuid,
    /// Name.
    pub name: String,
    /// 出入口编号, as the regulator assigned it (1–32 characters).
    pub entrance_no: String,
    /// 道闸编号: two digits, as the regulator assigned it.
    pub barrier_no: String,
}

/// Changes to a gate.
#[derive(Debug, Deserialize, ToSchema)]
pub struct GateUpdate {
    /// Name.
    pub name: Option<String>,
    /// 出入口编号.
    pub entrance_no: Option<String>,
    /// 道闸编号.
    pub barrier_no: Option<String>,
}

fn check_entrance(v: &str) -> AppResult<String> {
    let v = v.trim();
    if v.is_empty() || v.chars().count() > 32 {
        return Err(AppError::invalid(
            "entrance_no",
            "invalid_entrance_no",
            "出入口编号应为 1–32 个字符",
            "the entrance number must have 1–32 characters",
        ));
    }
    Ok(v.to_owned())
}

fn check_barrier(v: &str) -> AppResult<String> {
    let v = v.trim();
    if v.len() != 2 || !v.bytes().all(|b| b.is_ascii_digit()) {
        return Err(AppError::invalid(
            "barrier_no",
            "invalid_barrier_no",
            "道闸编号应为两位数字",
            "the barrier number must be two digits",
        ));
    }
    Ok(v.to_owned())
}

fn gate_conflict(e: sqlx::Error) -> AppError {
    match AppError::from(e) {
        AppError::Conflict { code: "already_exists", .. } => {
            AppError::Conflict { code: "gate_number_taken", field: Some("barrier_no") }
        }
        other => other,
    }
}

/// An enterprise's gates.
#[utoipa::path(get, path = "/enterprises/{tenant_id}/gates", tag = "directory", params(("tenant_id" = Uuid, Path)),
    responses((status = 200, body = Vec<GateRow>), (status = 404)))]
pub(crate) async fn list_gates(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(t): ApiPath<Uuid>,
) -> AppResult<Json<Vec<GateRow>>> {
    tenant_access(&state, &user, t, Resource::Devices, Action::Read).await?;
    let mut db = state.db.clone();
    Ok(Json(directory::list_gates(&mut db, TenantId::from(t)).await?))
}

/// Adds a gate to a site.
#[utoipa::path(post, path = "/enterprises/{tenant_id}/gates", tag = "directory", params(("tenant_id" = Uuid, Path)),
    request_body = GateInput, responses((status = 201, body = Created), (status = 404), (status = 409, description = "gate_number_taken")))]
pub(crate) async fn create_gate(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(t): ApiPath<Uuid>,
    req_body: JsonBody<GateInput>,
) -> AppResult<(StatusCode, Json<Created>)> {
    tenant_access(&state, &user, t, Resource::Devices, Action::Write).await?;
    let req = req_body.parse()?;
    let tenant = TenantId::from(t);
    let gate = NewGate {
        site_id: req.site_id,
        name: check_name("name", &req.name)?,
        entrance_no: check_entrance(&req.entrance_no)?,
        barrier_no: check_barrier(&req.barrier_no)?,
    };
    let mut tx = state.db.begin().await?;
    if directory::find_site(&mut tx, tenant, gate.site_id).await?.is_none() {
        return Err(AppError::invalid("site_id", "unknown_site", "厂区不存在", "no such site"));
    }
    let id = directory::insert_gate(&mut tx, tenant, &gate).await.map_err(gate_conflict)?;
    audit::record(&mut tx, tenant, &user.actor(), Change { action: "create", entity: "gate", entity_id: id.to_string(), before: None, after: Some(json!({"site_id": gate.site_id, "name": gate.name, "entrance_no": gate.entrance_no, "barrier_no": gate.barrier_no})) }).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

async fn gate(
    state: &AppState,
    user: &CurrentUser,
    t: Uuid,
    id: Uuid,
    action: Action,
) -> AppResult<GateRow> {
    tenant_access(state, user, t, Resource::Devices, action).await?;
    let mut db = state.db.clone();
    directory::find_gate(&mut db, TenantId::from(t), id).await?.ok_or(AppError::NotFound)
}

/// One gate.
#[utoipa::path(get, path = "/enterprises/{tenant_id}/gates/{gate_id}", tag = "directory",
    params(("tenant_id" = Uuid, Path), ("gate_id" = Uuid, Path)), responses((status = 200, body = GateRow), (status = 404)))]
pub(crate) async fn show_gate(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath((t, id)): ApiPath<(Uuid, Uuid)>,
) -> AppResult<Json<GateRow>> {
    Ok(Json(gate(&state, &user, t, id, Action::Read).await?))
}

/// Changes a gate's name or regulator codes.
#[utoipa::path(patch, path = "/enterprises/{tenant_id}/gates/{gate_id}", tag = "directory",
    params(("tenant_id" = Uuid, Path), ("gate_id" = Uuid, Path)), request_body = GateUpdate, responses((status = 200, body = GateRow), (status = 404), (status = 409)))]
pub(crate) async fn update_gate(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath((t, id)): ApiPath<(Uuid, Uuid)>,
    req_body: JsonBody<GateUpdate>,
) -> AppResult<Json<GateRow>> {
    let before = gate(&state, &user, t, id, Action::Write).await?;
    let req = req_body.parse()?;
    let ch = GateChanges {
        name: req.name.as_deref().map(|n| check_name("name", n)).transpose()?,
        entrance_no: req.entrance_no.as_deref().map(check_entrance).transpose()?,
        barrier_no: req.barrier_no.as_deref().map(check_barrier).transpose()?,
        status: None,
    };
    let change = Change {
        action: "update",
        entity: "gate",
        entity_id: id.to_string(),
        before: Some(json!(before)),
        after: Some(
            json!({"name": ch.name, "entrance_no": ch.entrance_no, "barrier_no": ch.barrier_no}),
        ),
    };
    let mut tx = state.db.begin().await?;
    directory::update_gate(&mut tx, TenantId::from(t), id, &ch).await.map_err(gate_conflict)?;
    audit::record(&mut tx, TenantId::from(t), &user.actor(), change).await?;
    tx.commit().await?;
    Ok(Json(gate(&state, &user, t, id, Action::Read).await?))
}

/// Deletes a gate with its lanes and devices. Its passages stay in the ledger.
#[utoipa::path(delete, path = "/enterprises/{tenant_id}/gates/{gate_id}", tag = "directory",
    params(("tenant_id" = Uuid, Path), ("gate_id" = Uuid, Path)), responses((status = 200, body = Done), (status = 404)))]
pub(crate) async fn delete_gate(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath((t, id)): ApiPath<(Uuid, Uuid)>,
) -> AppResult<Json<Done>> {
    let before = gate(&state, &user, t, id, Action::Write).await?;
    let change = Change {
        action: "delete",
        entity: "gate",
        entity_id: id.to_string(),
        before: Some(json!(before)),
        after: None,
    };
    audited(&state, &user, t, change, async |tx| {
        Ok(directory::delete_gate(tx, TenantId::from(t), id).await?)
    })
    .await?;
    let mut db = state.db.clone();
    tenants::bump_rules_version(&mut db, TenantId::from(t)).await?;
    Ok(Done::new())
}

// ------------------------------------------------------------------------------- lanes

/// A lane's fields.
#[derive(Debug, Deserialize, ToSchema)]
pub struct LaneInput {
    /// Name.
    pub name: String,
    /// `entry`, `exit` or `both`.
    pub direction: String,
    /// Address of the barrier PLC (`host:port`, Modbus TCP).
    pub plc_address: Option<String>,
    /// Modbus unit id of the PLC (0–247).
    pub plc_unit: Option<i32>,
}

fn lane_fields(req: LaneInput) -> AppResult<LaneFields> {
    let name = check_name("name", &req.name)?;
    if !matches!(req.direction.as_str(), "entry" | "exit" | "both") {
        return Err(AppError::invalid(
            "direction",
            "invalid_direction",
            "方向应为 entry、exit 或 both",
            "the direction must be entry, exit or both",
        ));
    }
    let plc_address = req.plc_address.map(|a| a.trim().to_owned()).filter(|a| !a.is_empty());
    if let Some(a) = &plc_address {
        let ok = a.rsplit_once(':').is_some_and(|(host, port)| {
            !host.is_empty() && port.parse::<u16>().is_ok_and(|p| p > 0)
        });
        if !ok {
            return Err(AppError::invalid(
                "plc_address",
                "invalid_address",
                "PLC 地址应为 主机:端口",
                "the PLC address must be host:port",
            ));
        }
    }
    if let Some(u) = req.plc_unit
        && !(0..=247).contains(&u)
    {
        return Err(AppError::invalid(
            "plc_unit",
            "out_of_range",
            "Modbus 站号应在 0 到 247 之间",
            "the Modbus unit id must be 0–247",
        ));
    }
    Ok(LaneFields { name, direction: req.direction, plc_address, plc_unit: req.plc_unit })
}

/// The lanes of a gate.
#[utoipa::path(get, path = "/enterprises/{tenant_id}/gates/{gate_id}/lanes", tag = "directory",
    params(("tenant_id" = Uuid, Path), ("gate_id" = Uuid, Path)), responses((status = 200, body = Vec<LaneRow>), (status = 404)))]
pub(crate) async fn list_lanes(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath((t, g)): ApiPath<(Uuid, Uuid)>,
) -> AppResult<Json<Vec<LaneRow>>> {
    gate(&state, &user, t, g, Action::Read).await?;
    let mut db = state.db.clone();
    Ok(Json(directory::list_lanes(&mut db, TenantId::from(t), g).await?))
}

/// Adds a lane to a gate.
#[utoipa::path(post, path = "/enterprises/{tenant_id}/gates/{gate_id}/lanes", tag = "directory",
    params(("tenant_id" = Uuid, Path), ("gate_id" = Uuid, Path)), request_body = LaneInput, responses((status = 201, body = Created), (status = 404)))]
pub(crate) async fn create_lane(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath((t, g)): ApiPath<(Uuid, Uuid)>,
    req_body: JsonBody<LaneInput>,
) -> AppResult<(StatusCode, Json<Created>)> {
    gate(&state, &user, t, g, Action::Write).await?;
    let req = req_body.parse()?;
    let lane = lane_fields(req)?;
    let mut tx = state.db.begin().await?;
    let id = directory::insert_lane(&mut tx, TenantId::from(t), g, &lane).await?;
    audit::record(&mut tx, TenantId::from(t), &user.actor(), Change { action: "create", entity: "lane", entity_id: id.to_string(), before: None, after: Some(json!({"gate_id": g, "name": lane.name, "direction": lane.direction, "plc_address": lane.plc_address, "plc_unit": lane.plc_unit})) }).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

async fn lane(
    state: &AppState,
    user: &CurrentUser,
    t: Uuid,
    id: Uuid,
    action: Action,
) -> AppResult<LaneRow> {
    tenant_access(state, user, t, Resource::Devices, action).await?;
    let mut db = state.db.clone();
    directory::find_lane(&mut db, TenantId::from(t), id).await?.ok_or(AppError::NotFound)
}

/// One lane.
#[utoipa::path(get, path = "/enterprises/{tenant_id}/lanes/{lane_id}", tag = "directory",
    params(("tenant_id" = Uuid, Path), ("lane_id" = Uuid, Path)), responses((status = 200, body = LaneRow), (status = 404)))]
pub(crate) async fn show_lane(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath((t, id)): ApiPath<(Uuid, Uuid)>,
) -> AppResult<Json<LaneRow>> {
    Ok(Json(lane(&state, &user, t, id, Action::Read).await?))
}

/// Replaces a lane's fields.
#[utoipa::path(patch, path = "/enterprises/{tenant_id}/lanes/{lane_id}", tag = "directory",
    params(("tenant_id" = Uuid, Path), ("lane_id" = Uuid, Path)), request_body = LaneInput, responses((status = 200, body = LaneRow), (status = 404)))]
pub(crate) async fn update_lane(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath((t, id)): ApiPath<(Uuid, Uuid)>,
    req_body: JsonBody<LaneInput>,
) -> AppResult<Json<LaneRow>> {
    let before = lane(&state, &user, t, id, Action::Write).await?;
    let req = req_body.parse()?;
    let fields = lane_fields(req)?;
    let change = Change {
        action: "update",
        entity: "lane",
        entity_id: id.to_string(),
        before: Some(json!(before)),
        after: Some(
            json!({"name": fields.name, "direction": fields.direction, "plc_address": fields.plc_address, "plc_unit": fields.plc_unit}),
        ),
    };
    audited(&state, &user, t, change, async |tx| {
        Ok(directory::update_lane(tx, TenantId::from(t), id, &fields).await?)
    })
    .await?;
    Ok(Json(lane(&state, &user, t, id, Action::Read).await?))
}

/// Deletes a lane with its devices.
#[utoipa::path(delete, path = "/enterprises/{tenant_id}/lanes/{lane_id}", tag = "directory",
    params(("tenant_id" = Uuid, Path), ("lane_id" = Uuid, Path)), responses((status = 200, body = Done), (status = 404)))]
pub(crate) async fn delete_lane(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath((t, id)): ApiPath<(Uuid, Uuid)>,
) -> AppResult<Json<Done>> {
    let before = lane(&state, &user, t, id, Action::Write).await?;
    let change = Change {
        action: "delete",
        entity: "lane",
        entity_id: id.to_string(),
        before: Some(json!(before)),
        after: None,
    };
    audited(&state, &user, t, change, async |tx| {
        Ok(directory::delete_lane(tx, TenantId::from(t), id).await?)
    })
    .await?;
    Ok(Done::new())
}

// ----------------------------------------------------------------------------- devices

/// A device's fields.
#[derive(Debug, Deserialize, ToSchema)]
pub struct DeviceInput {
    /// `anpr_camera` (车牌识别相机), `body_camera` (车身抓拍相机), `violation_camera`
    /// (违规抓拍相机) or `led_screen` (LED 显示屏).
    pub kind: String,
    /// Name.
    pub name: String,
    /// Vendor.
    pub vendor: Option<String>,
    /// Model.
    pub model: Option<String>,
    /// Serial number.
    pub serial: Option<String>,
    /// Network address.
    pub address: Option<String>,
}

fn device_fields(req: DeviceInput) -> AppResult<DeviceFields> {
    if !matches!(
        req.kind.as_str(),
        "anpr_camera" | "body_camera" | "violation_camera" | "led_screen"
    ) {
        return Err(AppError::invalid(
            "kind",
            "invalid_device_kind",
            "设备类型应为 anpr_camera、body_camera、violation_camera 或 led_screen",
            "the device kind must be anpr_camera, body_camera, violation_camera or led_screen",
        ));
    }
    let opt = |v: Option<String>| v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
    Ok(DeviceFields {
        kind: req.kind,
        name: check_name("name", &req.name)?,
        vendor: opt(req.vendor),
        model: opt(req.model),
        serial: opt(req.serial),
        address: opt(req.address),
    })
}

/// The devices of a lane.
#[utoipa::path(get, path = "/enterprises/{tenant_id}/lanes/{lane_id}/devices", tag = "directory",
    params(("tenant_id" = Uuid, Path), ("lane_id" = Uuid, Path)), responses((status = 200, body = Vec<DeviceRow>), (status = 404)))]
pub(crate) async fn list_devices(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath((t, l)): ApiPath<(Uuid, Uuid)>,
) -> AppResult<Json<Vec<DeviceRow>>> {
    lane(&state, &user, t, l, Action::Read).await?;
    let mut db = state.db.clone();
    Ok(Json(directory::list_devices(&mut db, TenantId::from(t), l).await?))
}

/// Binds a device to a lane.
#[utoipa::path(post, path = "/enterprises/{tenant_id}/lanes/{lane_id}/devices", tag = "directory",
    params(("tenant_id" = Uuid, Path), ("lane_id" = Uuid, Path)), request_body = DeviceInput, responses((status = 201, body = Created), (status = 404)))]
pub(crate) async fn create_device(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath((t, l)): ApiPath<(Uuid, Uuid)>,
    req_body: JsonBody<DeviceInput>,
) -> AppResult<(StatusCode, Json<Created>)> {
    lane(&state, &user, t, l, Action::Write).await?;
    let req = req_body.parse()?;
    let d = device_fields(req)?;
    let mut tx = state.db.begin().await?;
    let id = directory::insert_device(&mut tx, TenantId::from(t), l, &d).await?;
    audit::record(&mut tx, TenantId::from(t), &user.actor(), Change { action: "create", entity: "device", entity_id: id.to_string(), before: None, after: Some(json!({"lane_id": l, "kind": d.kind, "name": d.name, "vendor": d.vendor, "model": d.model, "serial": d.serial, "address": d.address})) }).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

async fn device(
    state: &AppState,
    user: &CurrentUser,
    t: Uuid,
    id: Uuid,
    action: Action,
) -> AppResult<DeviceRow> {
    tenant_access(state, user, t, Resource::Devices, action).await?;
    let mut db = state.db.clone();
    directory::find_device(&mut db, TenantId::from(t), id).await?.ok_or(AppError::NotFound)
}

/// One device.
#[utoipa::path(get, path = "/enterprises/{tenant_id}/devices/{device_id}", tag = "directory",
    params(("tenant_id" = Uuid, Path), ("device_id" = Uuid, Path)), responses((status = 200, body = DeviceRow), (status = 404)))]
pub(crate) async fn show_device(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath((t, id)): ApiPath<(Uuid, Uuid)>,
) -> AppResult<Json<DeviceRow>> {
    Ok(Json(device(&state, &user, t, id, Action::Read).await?))
}

/// Replaces a device's fields.
#[utoipa::path(patch, path = "/enterprises/{tenant_id}/devices/{device_id}", tag = "directory",
    params(("tenant_id" = Uuid, Path), ("device_id" = Uuid, Path)), request_body = DeviceInput, responses((status = 200, body = DeviceRow), (status = 404)))]
pub(crate) async fn update_device(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath((t, id)): ApiPath<(Uuid, Uuid)>,
    req_body: JsonBody<DeviceInput>,
) -> AppResult<Json<DeviceRow>> {
    let before = device(&state, &user, t, id, Action::Write).await?;
    let req = req_body.parse()?;
    let d = device_fields(req)?;
    let change = Change {
        action: "update",
        entity: "device",
        entity_id: id.to_string(),
        before: Some(json!(before)),
        after: Some(
            json!({"kind": d.kind, "name": d.name, "vendor": d.vendor, "model": d.model, "serial": d.serial, "address": d.address}),
        ),
    };
    audited(&state, &user, t, change, async |tx| {
        Ok(directory::update_device(tx, TenantId::from(t), id, &d).await?)
    })
    .await?;
    Ok(Json(device(&state, &user, t, id, Action::Read).await?))
}

/// Unbinds a device.
#[utoipa::path(delete, path = "/enterprises/{tenant_id}/devices/{device_id}", tag = "directory",
    params(("tenant_id" = Uuid, Path), ("device_id" = Uuid, Path)), responses((status = 200, body = Done), (status = 404)))]
pub(crate) async fn delete_device(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath((t, id)): ApiPath<(Uuid, Uuid)>,
) -> AppResult<Json<Done>> {
    let before = device(&state, &user, t, id, Action::Write).await?;
    let change = Change {
        action: "delete",
        entity: "device",
        entity_id: id.to_string(),
        before: Some(json!(before)),
        after: None,
    };
    audited(&state, &user, t, change, async |tx| {
        Ok(directory::delete_device(tx, TenantId::from(t), id).await?)
    })
    .await?;
    Ok(Done::new())
}
