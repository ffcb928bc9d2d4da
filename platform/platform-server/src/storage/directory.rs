//! An enterprise's plant layout: sites, gates (出入口) with the codes regulators assign,
//! lanes (direction, barrier PLC) and the devices bound to each lane.

use chrono::{DateTime, Utc};
use platform_domain::ids::TenantId;
use sea_query::{Expr, ExprTrait, Iden, Order, Query};
use uuid::Uuid;

use super::{Conn, now};

#[derive(Iden)]
enum Sites {
    Table,
    TenantId,
    Id,
    Name,
    Address,
    CreatedAt,
    UpdatedAt,
}

#[derive(Iden)]
enum Gates {
    Table,
    TenantId,
    Id,
    SiteId,
    Name,
    EntranceNo,
    BarrierNo,
    Status,
    CreatedAt,
    UpdatedAt,
}

#[derive(Iden)]
enum Lanes {
    Table,
    TenantId,
    Id,
    GateId,
    Name,
    Direction,
    PlcAddress,
    PlcUnit,
    CreatedAt,
    UpdatedAt,
}

#[derive(Iden)]
enum LaneDevices {
    Table,
    TenantId,
    Id,
    LaneId,
    Kind,
    Name,
    Vendor,
    Model,
    Serial,
    Address,
    CreatedAt,
    UpdatedAt,
}

fn tid(t: TenantId) -> Uuid {
    t.into()
}

// ---------------------------------------------------------------------------- sites

/// A plant site.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct SiteRow {
    /// Id.
    pub id: Uuid,
    /// Name.
    pub name: String,
    /// Address.
    pub address: Option<String>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

/// Inserts a site.
pub async fn insert_site(
    c: &mut impl Conn,
    t: TenantId,
    name: &str,
    address: Option<&str>,
) -> Result<Uuid, sqlx::Error> {
    let id = Uuid::now_v7();
    let at = now();
    let stmt = Query::insert()
        .into_table(Sites::Table)
        .columns([
            Sites::TenantId,
            Sites::Id,
            Sites::Name,
            Sites::Address,
            Sites::CreatedAt,
            Sites::UpdatedAt,
        ])
        .values_panic([
            tid(t).into(),
            id.into(),
            name.into(),
            address.map(str::to_owned).into(),
            at.into(),
            at.into(),
        ])
        .to_owned();
    c.execute(&stmt).await?;
    Ok(id)
}

/// One site.
pub async fn find_site(
    c: &mut impl Conn,
    t: TenantId,
    id: Uuid,
) -> Result<Option<SiteRow>, sqlx::Error> {
    let stmt = Query::select()
        .columns([Sites::Id, Sites::Name, Sites::Address, Sites::CreatedAt, Sites::UpdatedAt])
        .from(Sites::Table)
        .and_where(Expr::col(Sites::TenantId).eq(tid(t)))
        .and_where(Expr::col(Sites::Id).eq(id))
        .to_owned();
    c.fetch_optional(&stmt).await
}

/// Every site of an enterprise.
pub async fn list_sites(c: &mut impl Conn, t: TenantId) -> Result<Vec<SiteRow>, sqlx::Error> {
    let stmt = Query::select()
        .columns([Sites::Id, Sites::Name, Sites::Address, Sites::CreatedAt, Sites::UpdatedAt])
        .from(Sites::Table)
        .and_where(Expr::col(Sites::TenantId).eq(tid(t)))
        .order_by(Sites::Name, Order::Asc)
        .to_owned();
    c.fetch_all(&stmt).await
}

/// Renames or moves a site.
pub async fn update_site(
    c: &mut impl Conn,
    t: TenantId,
    id: Uuid,
    name: Option<&str>,
    address: Option<Option<&str>>,
) -> Result<u64, sqlx::Error> {
    let mut q = Query::update();
    q.table(Sites::Table).value(Sites::UpdatedAt, now());
    if let Some(n) = name {
        q.value(Sites::Name, n);
    }
    if let Some(a) = address {
        q.value(Sites::Address, a.map(str::to_owned));
    }
    q.and_where(Expr::col(Sites::TenantId).eq(tid(t))).and_where(Expr::col(Sites::Id).eq(id));
    c.execute(&q).await
}

/// Deletes a site (refused by the database while gates reference it).
pub async fn delete_site(c: &mut impl Conn, t: TenantId, id: Uuid) -> Result<u64, sqlx::Error> {
    let stmt = Query::delete()
        .from_table(Sites::Table)
        .and_where(Expr::col(Sites::TenantId).eq(tid(t)))
        .and_where(Expr::col(Sites::Id).eq(id))
        .to_owned();
    c.execute(&stmt).await
}

// ---------------------------------------------------------------------------- gates

/// A gate (出入口).
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct GateRow {
    /// Id.
    pub id: Uuid,
    /// The site it belongs to.
    pub site_id: Uuid,
    /// Name shown to people.
    pub name: String,
    /// 出入口编号, as the regulator assigned it.
    pub entrance_no: String,
    /// 道闸编号 (two digits), as the regulator assigned it.
    pub barrier_no: String,
    /// `active` or `revoked`.
    pub status: String,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

const GATE_COLUMNS: [Gates; 8] = [
    Gates::Id,
    Gates::SiteId,
    Gates::Name,
    Gates::EntranceNo,
    Gates::BarrierNo,
    Gates::Status,
    Gates::CreatedAt,
    Gates::UpdatedAt,
];

/// A new gate.
#[derive(Debug, Clone)]
pub struct NewGate {
    /// The site.
    pub site_id: Uuid,
    /// Name.
    pub name: String,
    /// 出入口编号.
    pub entrance_no: String,
    /// 道闸编号.
    pub barrier_no: String,
}

/// Inserts a gate.
pub async fn insert_gate(c: &mut impl Conn, t: TenantId, g: &NewGate) -> Result<Uuid, sqlx::Error> {
    let id = Uuid::now_v7();
    let at = now();
    let stmt = Query::insert()
        .into_table(Gates::Table)
        .columns([
            Gates::TenantId,
            Gates::Id,
            Gates::SiteId,
            Gates::Name,
            Gates::EntranceNo,
            Gates::BarrierNo,
            Gates::CreatedAt,
            Gates::UpdatedAt,
        ])
        .values_panic([
            tid(t).into(),
            id.into(),
            g.site_id.into(),
            g.name.clone().into(),
            g.entrance_no.clone().into(),
            g.barrier_no.clone().into(),
            at.into(),
            at.into(),
        ])
        .to_owned();
    c.execute(&stmt).await?;
    Ok(id)
}

/// One gate.
pub async fn find_gate(
    c: &mut impl Conn,
    t: TenantId,
    id: Uuid,
) -> Result<Option<GateRow>, sqlx::Error> {
    let stmt = Query::select()
        .columns(GATE_COLUMNS)
        .from(Gates::Table)
        .and_where(Expr::col(Gates::TenantId).eq(tid(t)))
        .and_where(Expr::col(Gates::Id).eq(id))
        .to_owned();
    c.fetch_optional(&stmt).await
}

/// Every gate of an enterprise.
pub async fn list_gates(c: &mut impl Conn, t: TenantId) -> Result<Vec<GateRow>, sqlx::Error> {
    let stmt = Query::select()
        .columns(GATE_COLUMNS)
        .from(Gates::Table)
        .and_where(Expr::col(Gates::TenantId).eq(tid(t)))
        .order_by(Gates::EntranceNo, Order::Asc)
        .order_by(Gates::BarrierNo, Order::Asc)
        .to_owned();
    c.fetch_all(&stmt).await
}

/// Changes to a gate; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct GateChanges {
    /// Name.
    pub name: Option<String>,
    /// 出入口编号.
    pub entrance_no: Option<String>,
    /// 道闸编号.
    pub barrier_no: Option<String>,
    /// Status.
    pub status: Option<String>,
}

/// Applies changes to a gate.
pub async fn update_gate(
    c: &mut impl Conn,
    t: TenantId,
    id: Uuid,
    ch: &GateChanges,
) -> Result<u64, sqlx::Error> {
    let mut q = Query::update();
    q.table(Gates::Table).value(Gates::UpdatedAt, now());
    if let Some(v) = &ch.name {
        q.value(Gates::Name, v.clone());
    }
    if let Some(v) = &ch.entrance_no {
        q.value(Gates::EntranceNo, v.clone());
    }
    if let Some(v) = &ch.barrier_no {
        q.value(Gates::BarrierNo, v.clone());
    }
    if let Some(v) = &ch.status {
        q.value(Gates::Status, v.clone());
    }
    q.and_where(Expr::col(Gates::TenantId).eq(tid(t))).and_where(Expr::col(Gates::Id).eq(id));
    c.execute(&q).await
}

/// Deletes a gate with its lanes and devices.
pub async fn delete_gate(c: &mut impl Conn, t: TenantId, id: Uuid) -> Result<u64, sqlx::Error> {
    let stmt = Query::delete()
        .from_table(Gates::Table)
        .and_where(Expr::col(Gates::TenantId).eq(tid(t)))
        .and_where(Expr::col(Gates::Id).eq(id))
        .to_owned();
    c.execute(&stmt).await
}

// ---------------------------------------------------------------------------- lanes

/// A lane of a gate.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct LaneRow {
    /// Id.
    pub id: Uuid,
    /// The gate.
    pub gate_id: Uuid,
    /// Name.
    pub name: String,
    /// `entry`, `exit` or `both`.
    pub direction: String,
    /// Barrier PLC address (host:port).
    pub plc_address: Option<String>,
    /// Modbus unit id of the PLC.
    pub plc_unit: Option<i32>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

const LANE_COLUMNS: [Lanes; 8] = [
    Lanes::Id,
    Lanes::GateId,
    Lanes::Name,
    Lanes::Direction,
    Lanes::PlcAddress,
    Lanes::PlcUnit,
    Lanes::CreatedAt,
    Lanes::UpdatedAt,
];

/// A new lane, or the full new state of one.
#[derive(Debug, Clone)]
pub struct LaneFields {
    /// Name.
    pub name: String,
    /// `entry`, `exit` or `both`.
    pub direction: String,
    /// PLC address.
    pub plc_address: Option<String>,
    /// PLC unit id.
    pub plc_unit: Option<i32>,
}

/// Inserts a lane into a gate.
pub async fn insert_lane(
    c: &mut impl Conn,
    t: TenantId,
    gate: Uuid,
    l: &LaneFields,
) -> Result<Uuid, sqlx::Error> {
    let id = Uuid::now_v7();
    let at = now();
    let stmt = Query::insert()
        .into_table(Lanes::Table)
        .columns([
            Lanes::TenantId,
            Lanes::Id,
            Lanes::GateId,
            Lanes::Name,
            Lanes::Direction,
            Lanes::PlcAddress,
            Lanes::PlcUnit,
            Lanes::CreatedAt,
            Lanes::UpdatedAt,
        ])
        .values_panic([
            tid(t).into(),
            id.into(),
            gate.into(),
            l.name.clone().into(),
            l.direction.clone().into(),
            l.plc_address.clone().into(),
            l.plc_unit.into(),
            at.into(),
            at.into(),
        ])
        .to_owned();
    c.execute(&stmt).await?;
    Ok(id)
}

/// One lane.
pub async fn find_lane(
    c: &mut impl Conn,
    t: TenantId,
    id: Uuid,
) -> Result<Option<LaneRow>, sqlx::Error> {
    let stmt = Query::select()
        .columns(LANE_COLUMNS)
        .from(Lanes::Table)
        .and_where(Expr::col(Lanes::TenantId).eq(tid(t)))
        .and_where(Expr::col(Lanes::Id).eq(id))
        .to_owned();
    c.fetch_optional(&stmt).await
}

/// The lanes of a gate.
pub async fn list_lanes(
    c: &mut impl Conn,
    t: TenantId,
    gate: Uuid,
) -> Result<Vec<LaneRow>, sqlx::Error> {
    let stmt = Query::select()
        .columns(LANE_COLUMNS)
        .from(Lanes::Table)
        .and_where(Expr::col(Lanes::TenantId).eq(tid(t)))
        .and_where(Expr::col(Lanes::GateId).eq(gate))
        .order_by(Lanes::Name, Order::Asc)
        .to_owned();
    c.fetch_all(&stmt).await
}

/// Replaces a lane's fields.
pub async fn update_lane(
    c: &mut impl Conn,
    t: TenantId,
    id: Uuid,
    l: &LaneFields,
) -> Result<u64, sqlx::Error> {
    let stmt = Query::update()
        .table(Lanes::Table)
        .value(Lanes::Name, l.name.clone())
        .value(Lanes::Direction, l.direction.clone())
        .value(Lanes::PlcAddress, l.plc_address.clone())
        .value(Lanes::PlcUnit, l.plc_unit)
        .value(Lanes::UpdatedAt, now())
        .and_where(Expr::col(Lanes::TenantId).eq(tid(t)))
        .and_where(Expr::col(Lanes::Id).eq(id))
        .to_owned();
    c.execute(&stmt).await
}

/// Deletes a lane with its devices.
pub async fn delete_lane(c: &mut impl Conn, t: TenantId, id: Uuid) -> Result<u64, sqlx::Error> {
    let stmt = Query::delete()
        .from_table(Lanes::Table)
        .and_where(Expr::col(Lanes::TenantId).eq(tid(t)))
        .and_where(Expr::col(Lanes::Id).eq(id))
        .to_owned();
    c.execute(&stmt).await
}

// ---------------------------------------------------------------------------- devices

/// A device bound to a lane: ANPR camera, body camera, violation camera or LED screen.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct DeviceRow {
    /// Id.
    pub id: Uuid,
    /// The lane.
    pub lane_id: Uuid,
    /// `anpr_camera`, `body_camera`, `violation_camera` or `led_screen`.
    pub kind: String,
    /// Name.
    pub name: String,
    /// Vendor (海康威视, 大华, …).
    pub vendor: Option<String>,
    /// Model.
    pub model: Option<String>,
    /// Serial number.
    pub serial: Option<String>,
    /// Network address.
    pub address: Option<String>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

const DEVICE_COLUMNS: [LaneDevices; 10] = [
    LaneDevices::Id,
    LaneDevices::LaneId,
    LaneDevices::Kind,
    LaneDevices::Name,
    LaneDevices::Vendor,
    LaneDevices::Model,
    LaneDevices::Serial,
    LaneDevices::Address,
    LaneDevices::CreatedAt,
    LaneDevices::UpdatedAt,
];

/// A device's fields.
#[derive(Debug, Clone)]
pub struct DeviceFields {
    /// Kind.
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

/// Binds a device to a lane.
pub async fn insert_device(
    c: &mut impl Conn,
    t: TenantId,
    lane: Uuid,
    d: &DeviceFields,
) -> Result<Uuid, sqlx::Error> {
    let id = Uuid::now_v7();
    let at = now();
    let stmt = Query::insert()
        .into_table(LaneDevices::Table)
        .columns([
            LaneDevices::TenantId,
            LaneDevices::Id,
            LaneDevices::LaneId,
            LaneDevices::Kind,
            LaneDevices::Name,
            LaneDevices::Vendor,
            LaneDevices::Model,
            LaneDevices::Serial,
            LaneDevices::Address,
            LaneDevices::CreatedAt,
            LaneDevices::UpdatedAt,
        ])
        .values_panic([
            tid(t).into(),
            id.into(),
            lane.into(),
            d.kind.clone().into(),
            d.name.clone().into(),
            d.vendor.clone().into(),
            d.model.clone().into(),
            d.serial.clone().into(),
            d.address.clone().into(),
            at.into(),
            at.into(),
        ])
        .to_owned();
    c.execute(&stmt).await?;
    Ok(id)
}

/// One device.
pub async fn find_device(
    c: &mut impl Conn,
    t: TenantId,
    id: Uuid,
) -> Result<Option<DeviceRow>, sqlx::Error> {
    let stmt = Query::select()
        .columns(DEVICE_COLUMNS)
        .from(LaneDevices::Table)
        .and_where(Expr::col(LaneDevices::TenantId).eq(tid(t)))
        .and_where(Expr::col(LaneDevices::Id).eq(id))
        .to_owned();
    c.fetch_optional(&stmt).await
}

/// The devices of a lane.
pub async fn list_devices(
    c: &mut impl Conn,
    t: TenantId,
    lane: Uuid,
) -> Result<Vec<DeviceRow>, sqlx::Error> {
    let stmt = Query::select()
        .columns(DEVICE_COLUMNS)
        .from(LaneDevices::Table)
        .and_where(Expr::col(LaneDevices::TenantId).eq(tid(t)))
        .and_where(Expr::col(LaneDevices::LaneId).eq(lane))
        .order_by(LaneDevices::Name, Order::Asc)
        .to_owned();
    c.fetch_all(&stmt).await
}

/// Replaces a device's fields.
pub async fn update_device(
    c: &mut impl Conn,
    t: TenantId,
    id: Uuid,
    d: &DeviceFields,
) -> Result<u64, sqlx::Error> {
    let stmt = Query::update()
        .table(LaneDevices::Table)
        .value(LaneDevices::Kind, d.kind.clone())
        .value(LaneDevices::Name, d.name.clone())
        .value(LaneDevices::Vendor, d.vendor.clone())
        .value(LaneDevices::Model, d.model.clone())
        .value(LaneDevices::Serial, d.serial.clone())
        .value(LaneDevices::Address, d.address.clone())
        .value(LaneDevices::UpdatedAt, now())
        .and_where(Expr::col(LaneDevices::TenantId).eq(tid(t)))
        .and_where(Expr::col(LaneDevices::Id).eq(id))
        .to_owned();
    c.execute(&stmt).await
}

/// Unbinds a device.
pub async fn delete_device(c: &mut impl Conn, t: TenantId, id: Uuid) -> Result<u64, sqlx::Error> {
    let stmt = Query::delete()
        .from_table(LaneDevices::Table)
        .and_where(Expr::col(LaneDevices::TenantId).eq(tid(t)))
        .and_where(Expr::col(LaneDevices::Id).eq(id))
        .to_owned();
    c.execute(&stmt).await
}
