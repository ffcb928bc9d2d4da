//! The three vehicle registries (移动源): external transport vehicles, in-plant vehicles and
//! non-road machinery, kept in one table with a `kind`, plus their documents and the
//! tenant's evidence objects.

use chrono::{DateTime, NaiveDate, Utc};
use platform_domain::ids::TenantId;
use sea_query::{Cond, Expr, ExprTrait, Iden, Order, Query};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{Conn, Count, Page, now};

#[derive(Iden)]
enum Vehicles {
    Table,
    TenantId,
    Id,
    Kind,
    Plate,
    PlateColour,
    TrailerPlate,
    Vin,
    VinWarning,
    RegistrationCode,
    MachineCode,
    VehicleClass,
    VehicleModel,
    RegistrationDate,
    ProductionDate,
    EngineModel,
    EngineMaker,
    EngineNo,
    Fuel,
    Stage,
    TransportUse,
    ObdConnected,
    FleetName,
    Owner,
    LicenseExpiry,
    PermitExpiry,
    CargoName,
    CargoType,
    CargoQuantity,
    CargoUnit,
    CargoOrigin,
    CargoDestination,
    Notes,
    CreatedAt,
    UpdatedAt,
}

/// Every field of a registered vehicle or machine that people edit. Codes are the
/// platform-domain identifiers (`kind` is a ledger kind, `stage` an emission stage, …).
#[derive(
    Debug, Clone, Default, PartialEq, Serialize, Deserialize, sqlx::FromRow, utoipa::ToSchema,
)]
pub struct VehicleFields {
    /// Ledger kind: `external_transport`, `in_plant` or `non_road`.
    pub kind: String,
    /// 号牌号码 (normalised); optional for machinery.
    pub plate: Option<String>,
    /// 号牌颜色.
    pub plate_colour: Option<String>,
    /// The trailer registered with a tractor: one vehicle for trip counting.
    pub trailer_plate: Option<String>,
    /// 车辆识别代号.
    pub vin: Option<String>,
    /// Set when the VIN check digit did not verify (a warning, not an error).
    pub vin_warning: Option<String>,
    /// 环保登记编码 or 内部管理号牌.
    pub registration_code: Option<String>,
    /// 机械环保代码 / PIN of machinery.
    pub machine_code: Option<String>,
    /// Vehicle or machine class.
    pub vehicle_class: String,
    /// 车辆型号 / 机械型号.
    pub vehicle_model: Option<String>,
    /// 注册登记日期.
    pub registration_date: Option<NaiveDate>,
    /// 生产日期.
    pub production_date: Option<NaiveDate>,
    /// 发动机型号.
    pub engine_model: Option<String>,
    /// 发动机生产厂.
    pub engine_maker: Option<String>,
    /// 发动机编号.
    pub engine_no: Option<String>,
    /// 燃料类型.
    pub fuel: String,
    /// 排放阶段.
    pub stage: String,
    /// 使用性质 / transport use.
    pub transport_use: Option<String>,
    /// 联网状态 (remote OBD, HJ 1239) of 国六 heavy vehicles.
    pub obd_connected: Option<bool>,
    /// 车队名称.
    pub fleet_name: Option<String>,
    /// 所属人(单位).
    pub owner: Option<String>,
    /// 行驶证 valid until.
    pub license_expiry: Option<NaiveDate>,
    /// Permit (通行证) valid until.
    pub permit_expiry: Option<NaiveDate>,
    /// Default cargo name, used when nobody enters one at the gate.
    pub cargo_name: Option<String>,
    /// Default cargo type.
    pub cargo_type: Option<String>,
    /// Default cargo quantity.
    pub cargo_quantity: Option<f64>,
    /// Default cargo unit (`t`, `l`, `pkg`).
    pub cargo_unit: Option<String>,
    /// Default origin.
    pub cargo_origin: Option<String>,
    /// Default destination.
    pub cargo_destination: Option<String>,
    /// Free notes.
    pub notes: Option<String>,
}

/// A stored vehicle.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct VehicleRow {
    /// Id.
    pub id: Uuid,
    /// The editable fields.
    #[sqlx(flatten)]
    #[serde(flatten)]
    pub fields: VehicleFields,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

const FIELD_COLUMNS: [Vehicles; 30] = [
    Vehicles::Kind,
    Vehicles::Plate,
    Vehicles::PlateColour,
    Vehicles::TrailerPlate,
    Vehicles::Vin,
    Vehicles::VinWarning,
    Vehicles::RegistrationCode,
    Vehicles::MachineCode,
    Vehicles::VehicleClass,
    Vehicles::VehicleModel,
    Vehicles::RegistrationDate,
    Vehicles::ProductionDate,
    Vehicles::EngineModel,
    Vehicles::EngineMaker,
    Vehicles::EngineNo,
    Vehicles::Fuel,
    Vehicles::Stage,
    Vehicles::TransportUse,
    Vehicles::ObdConnected,
    Vehicles::FleetName,
    Vehicles::Owner,
    Vehicles::LicenseExpiry,
    Vehicles::PermitExpiry,
    Vehicles::CargoName,
    Vehicles::CargoType,
    Vehicles::CargoQuantity,
    Vehicles::CargoUnit,
    Vehicles::CargoOrigin,
    Vehicles::CargoDestination,
    Vehicles::Notes,
];

fn field_values(v: &VehicleFields) -> [sea_query::Expr; 30] {
    [
        v.kind.clone().into(),
        v.plate.clone().into(),
        v.plate_colour.clone().into(),
        v.trailer_plate.clone().into(),
        v.vin.clone().into(),
        v.vin_warning.clone().into(),
        v.registration_code.clone().into(),
        v.machine_code.clone().into(),
        v.vehicle_class.clone().into(),
        v.vehicle_model.clone().into(),
        v.registration_date.into(),
        v.production_date.into(),
        v.engine_model.clone().into(),
        v.engine_maker.clone().into(),
        v.engine_no.clone().into(),
        v.fuel.clone().into(),
        v.stage.clone().into(),
        v.transport_use.clone().into(),
        v.obd_connected.into(),
        v.fleet_name.clone().into(),
        v.owner.clone().into(),
        v.license_expiry.into(),
        v.permit_expiry.into(),
        v.cargo_name.clone().into(),
        v.cargo_type.clone().into(),
        v.cargo_quantity.into(),
        v.cargo_unit.clone().into(),
        v.cargo_origin.clone().into(),
        v.cargo_destination.clone().into(),
        v.notes.clone().into(),
    ]
}

fn select() -> sea_query::SelectStatement {
    let mut q = Query::select();
    q.column(Vehicles::Id)
        .columns(FIELD_COLUMNS)
        .columns([Vehicles::CreatedAt, Vehicles::UpdatedAt])
        .from(Vehicles::Table);
    q
}

/// Inserts a vehicle and returns its id.
pub async fn insert(
    c: &mut impl Conn,
    t: TenantId,
    v: &VehicleFields,
) -> Result<Uuid, sqlx::Error> {
    let id = Uuid::now_v7();
    let at = now();
    let mut values: Vec<sea_query::Expr> = vec![Uuid::from(t).into(), id.into()];
    values.extend(field_values(v));
    values.extend([at.into(), at.into()]);
    let stmt = Query::insert()
        .into_table(Vehicles::Table)
        .columns(
            [Vehicles::TenantId, Vehicles::Id]
                .into_iter()
                .chain(FIELD_COLUMNS)
                .chain([Vehicles::CreatedAt, Vehicles::UpdatedAt]),
        )
        .values_panic(values)
        .to_owned();
    c.execute(&stmt).await?;
    Ok(id)
}

/// Replaces a vehicle's fields.
pub async fn update(
    c: &mut impl Conn,
    t: TenantId,
    id: Uuid,
    v: &VehicleFields,
) -> Result<u64, sqlx::Error> {
    let mut q = Query::update();
    q.table(Vehicles::Table);
    for (col, val) in FIELD_COLUMNS.into_iter().zip(field_values(v)) {
        q.value(col, val);
    }
    q.value(Vehicles::UpdatedAt, now())
        .and_where(Expr::col(Vehicles::TenantId).eq(Uuid::from(t)))
        .and_where(Expr::col(Vehicles::Id).eq(id));
    c.execute(&q).await
}

/// One vehicle.
pub async fn find(
    c: &mut impl Conn,
    t: TenantId,
    id: Uuid,
) -> Result<Option<VehicleRow>, sqlx::Error> {
    let stmt = select()
        .and_where(Expr::col(Vehicles::TenantId).eq(Uuid::from(t)))
        .and_where(Expr::col(Vehicles::Id).eq(id))
        .to_owned();
    c.fetch_optional(&stmt).await
}

/// The vehicle of a kind registered under a plate (as tractor or trailer).
pub async fn find_by_plate(
    c: &mut impl Conn,
    t: TenantId,
    kind: &str,
    plate: &str,
) -> Result<Option<VehicleRow>, sqlx::Error> {
    let stmt = select()
        .and_where(Expr::col(Vehicles::TenantId).eq(Uuid::from(t)))
        .and_where(Expr::col(Vehicles::Kind).eq(kind))
        .and_where(Expr::col(Vehicles::Plate).eq(plate))
        .to_owned();
    c.fetch_optional(&stmt).await
}

/// Filters on a registry listing.
#[derive(Debug, Clone, Default)]
pub struct VehicleFilter {
    /// Only this ledger kind.
    pub kind: Option<String>,
    /// Plate or registration code containing this text.
    pub search: Option<String>,
    /// Only this stage.
    pub stage: Option<String>,
    /// Only this fuel.
    pub fuel: Option<String>,
    /// Only this class.
    pub vehicle_class: Option<String>,
    /// Only those whose 行驶证 or permit expires on or before this date.
    pub expiring_by: Option<NaiveDate>,
}

fn filtered(t: TenantId, f: &VehicleFilter) -> Cond {
    let mut cond = Cond::all().add(Expr::col(Vehicles::TenantId).eq(Uuid::from(t)));
    if let Some(k) = &f.kind {
        cond = cond.add(Expr::col(Vehicles::Kind).eq(k.clone()));
    }
    if let Some(s) = f.search.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        let like = format!("%{}%", s.to_uppercase());
        cond = cond.add(
            Cond::any()
                .add(Expr::col(Vehicles::Plate).like(like.clone()))
                .add(Expr::col(Vehicles::TrailerPlate).like(like.clone()))
                .add(Expr::col(Vehicles::RegistrationCode).like(like)),
        );
    }
    if let Some(v) = &f.stage {
        cond = cond.add(Expr::col(Vehicles::Stage).eq(v.clone()));
    }
    if let Some(v) = &f.fuel {
        cond = cond.add(Expr::col(Vehicles::Fuel).eq(v.clone()));
    }
    if let Some(v) = &f.vehicle_class {
        cond = cond.add(Expr::col(Vehicles::VehicleClass).eq(v.clone()));
    }
    if let Some(d) = f.expiring_by {
        cond = cond.add(
            Cond::any()
                .add(Expr::col(Vehicles::LicenseExpiry).lte(d))
                .add(Expr::col(Vehicles::PermitExpiry).lte(d)),
        );
    }
    cond
}

/// A page of a registry, by plate.
pub async fn list(
    c: &mut impl Conn,
    t: TenantId,
    f: &VehicleFilter,
    page: Page,
) -> Result<Vec<VehicleRow>, sqlx::Error> {
    let stmt = select()
        .cond_where(filtered(t, f))
        .order_by(Vehicles::Kind, Order::Asc)
        .order_by(Vehicles::Plate, Order::Asc)
        .order_by(Vehicles::Id, Order::Asc)
        .limit(page.limit)
        .offset(page.offset)
        .to_owned();
    c.fetch_all(&stmt).await
}

/// How many vehicles match.
pub async fn count(c: &mut impl Conn, t: TenantId, f: &VehicleFilter) -> Result<i64, sqlx::Error> {
    let stmt = Query::select()
        .expr_as(Expr::col(Vehicles::Id).count(), "n")
        .from(Vehicles::Table)
        .cond_where(filtered(t, f))
        .to_owned();
    Ok(c.fetch_one::<Count>(&stmt).await?.n)
}

/// One group of the registry mix: how many vehicles of a registry have a fuel and stage.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct MixRow {
    /// Ledger kind.
    pub kind: String,
    /// Fuel identifier.
    pub fuel: String,
    /// Stage identifier.
    pub stage: String,
    /// How many.
    pub n: i64,
}

/// The registries' mix by (kind, fuel, stage), counted in the database.
pub async fn mix(c: &mut impl Conn, t: TenantId) -> Result<Vec<MixRow>, sqlx::Error> {
    let stmt = Query::select()
        .columns([Vehicles::Kind, Vehicles::Fuel, Vehicles::Stage])
        .expr_as(Expr::col(Vehicles::Id).count(), "n")
        .from(Vehicles::Table)
        .and_where(Expr::col(Vehicles::TenantId).eq(Uuid::from(t)))
        .group_by_col(Vehicles::Kind)
        .group_by_col(Vehicles::Fuel)
        .group_by_col(Vehicles::Stage)
        .order_by(Vehicles::Kind, Order::Asc)
        .to_owned();
    c.fetch_all(&stmt).await
}

/// Deletes a vehicle and its document rows (the evidence objects stay: passages may cite them).
pub async fn delete(c: &mut impl Conn, t: TenantId, id: Uuid) -> Result<u64, sqlx::Error> {
    let stmt = Query::delete()
        .from_table(Vehicles::Table)
        .and_where(Expr::col(Vehicles::TenantId).eq(Uuid::from(t)))
        .and_where(Expr::col(Vehicles::Id).eq(id))
        .to_owned();
    c.execute(&stmt).await
}

// ------------------------------------------------------------------ documents and objects

#[derive(Iden)]
enum VehicleDocuments {
    Table,
    TenantId,
    Id,
    VehicleId,
    Kind,
    Sha256,
    ContentType,
    Size,
    FileName,
    UploadedBy,
    UploadedAt,
}

#[derive(Iden)]
enum EvidenceObjects {
    Table,
    TenantId,
    Sha256,
    Size,
    ContentType,
    CreatedAt,
}

/// A document attached to a vehicle.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct DocumentRow {
    /// Id.
    pub id: Uuid,
    /// The vehicle.
    pub vehicle_id: Uuid,
    /// Kind identifier (see the API).
    pub kind: String,
    /// SHA-256 of the bytes.
    pub sha256: String,
    /// Content type.
    pub content_type: String,
    /// Size in bytes.
    pub size: i64,
    /// Original file name.
    pub file_name: Option<String>,
    /// Who uploaded it.
    pub uploaded_by: Option<Uuid>,
    /// When.
    pub uploaded_at: DateTime<Utc>,
}

const DOCUMENT_COLUMNS: [VehicleDocuments; 9] = [
    VehicleDocuments::Id,
    VehicleDocuments::VehicleId,
    VehicleDocuments::Kind,
    VehicleDocuments::Sha256,
    VehicleDocuments::ContentType,
    VehicleDocuments::Size,
    VehicleDocuments::FileName,
    VehicleDocuments::UploadedBy,
    VehicleDocuments::UploadedAt,
];

/// Notes that a tenant holds an evidence object; a second note of the same bytes is harmless.
pub async fn note_object(
    c: &mut impl Conn,
    t: TenantId,
    sha256: &str,
    size: i64,
    content_type: &str,
) -> Result<(), sqlx::Error> {
    let stmt = Query::insert()
        .into_table(EvidenceObjects::Table)
        .columns([
            EvidenceObjects::TenantId,
            EvidenceObjects::Sha256,
            EvidenceObjects::Size,
            EvidenceObjects::ContentType,
            EvidenceObjects::CreatedAt,
        ])
        .values_panic([
            Uuid::from(t).into(),
            sha256.into(),
            size.into(),
            content_type.into(),
            now().into(),
        ])
        .on_conflict(
            sea_query::OnConflict::columns([EvidenceObjects::TenantId, EvidenceObjects::Sha256])
                .do_nothing()
                .to_owned(),
        )
        .to_owned();
    c.execute(&stmt).await.map(drop)
}

/// A new document row.
#[derive(Debug, Clone)]
pub struct NewDocument {
    /// The vehicle.
    pub vehicle_id: Uuid,
    /// Kind identifier.
    pub kind: String,
    /// SHA-256.
    pub sha256: String,
    /// Content type.
    pub content_type: String,
    /// Size.
    pub size: i64,
    /// Original file name.
    pub file_name: Option<String>,
    /// Uploader.
    pub uploaded_by: Option<Uuid>,
}

/// Attaches a document to a vehicle.
pub async fn insert_document(
    c: &mut impl Conn,
    t: TenantId,
    d: &NewDocument,
) -> Result<Uuid, sqlx::Error> {
    let id = Uuid::now_v7();
    let stmt = Query::insert()
        .into_table(VehicleDocuments::Table)
        .columns([
            VehicleDocuments::TenantId,
            VehicleDocuments::Id,
            VehicleDocuments::VehicleId,
            VehicleDocuments::Kind,
            VehicleDocuments::Sha256,
            VehicleDocuments::ContentType,
            VehicleDocuments::Size,
            VehicleDocuments::FileName,
            VehicleDocuments::UploadedBy,
            VehicleDocuments::UploadedAt,
        ])
        .values_panic([
            Uuid::from(t).into(),
            id.into(),
            d.vehicle_id.into(),
            d.kind.clone().into(),
            d.sha256.clone().into(),
            d.content_type.clone().into(),
            d.size.into(),
            d.file_name.clone().into(),
            d.uploaded_by.into(),
            now().into(),
        ])
        .to_owned();
    c.execute(&stmt).await?;
    Ok(id)
}

/// The documents of a vehicle.
pub async fn list_documents(
    c: &mut impl Conn,
    t: TenantId,
    vehicle: Uuid,
) -> Result<Vec<DocumentRow>, sqlx::Error> {
    let stmt = Query::select()
        .columns(DOCUMENT_COLUMNS)
        .from(VehicleDocuments::Table)
        .and_where(Expr::col(VehicleDocuments::TenantId).eq(Uuid::from(t)))
        .and_where(Expr::col(VehicleDocuments::VehicleId).eq(vehicle))
        .order_by(VehicleDocuments::UploadedAt, Order::Asc)
        .to_owned();
    c.fetch_all(&stmt).await
}

/// One document of a vehicle.
pub async fn find_document(
    c: &mut impl Conn,
    t: TenantId,
    vehicle: Uuid,
    id: Uuid,
) -> Result<Option<DocumentRow>, sqlx::Error> {
    let stmt = Query::select()
        .columns(DOCUMENT_COLUMNS)
        .from(VehicleDocuments::Table)
        .and_where(Expr::col(VehicleDocuments::TenantId).eq(Uuid::from(t)))
        .and_where(Expr::col(VehicleDocuments::VehicleId).eq(vehicle))
        .and_where(Expr::col(VehicleDocuments::Id).eq(id))
        .to_owned();
    c.fetch_optional(&stmt).await
}

/// Detaches a document.
pub async fn delete_document(
    c: &mut impl Conn,
    t: TenantId,
    vehicle: Uuid,
    id: Uuid,
) -> Result<u64, sqlx::Error> {
    let stmt = Query::delete()
        .from_table(VehicleDocuments::Table)
        .and_where(Expr::col(VehicleDocuments::TenantId).eq(Uuid::from(t)))
        .and_where(Expr::col(VehicleDocuments::VehicleId).eq(vehicle))
        .and_where(Expr::col(VehicleDocuments::Id).eq(id))
        .to_owned();
    c.execute(&stmt).await
}

#[derive(sqlx::FromRow)]
struct KindRow {
    vehicle_id: Uuid,
    kind: String,
}

/// The document kinds each of `vehicles` has, as (vehicle, kind) pairs.
pub async fn document_kinds(
    c: &mut impl Conn,
    t: TenantId,
    vehicles: &[Uuid],
) -> Result<Vec<(Uuid, String)>, sqlx::Error> {
    if vehicles.is_empty() {
        return Ok(Vec::new());
    }
    let stmt = Query::select()
        .columns([VehicleDocuments::VehicleId, VehicleDocuments::Kind])
        .from(VehicleDocuments::Table)
        .and_where(Expr::col(VehicleDocuments::TenantId).eq(Uuid::from(t)))
        .and_where(Expr::col(VehicleDocuments::VehicleId).is_in(vehicles.iter().copied()))
        .to_owned();
    let rows: Vec<KindRow> = c.fetch_all(&stmt).await?;
    Ok(rows.into_iter().map(|r| (r.vehicle_id, r.kind)).collect())
}

/// The vehicle of any kind registered under a registration code.
pub async fn find_by_registration_code(
    c: &mut impl Conn,
    t: TenantId,
    kind: &str,
    code: &str,
) -> Result<Option<VehicleRow>, sqlx::Error> {
    let stmt = select()
        .and_where(Expr::col(Vehicles::TenantId).eq(Uuid::from(t)))
        .and_where(Expr::col(Vehicles::Kind).eq(kind))
        .and_where(Expr::col(Vehicles::RegistrationCode).eq(code))
        .to_owned();
    c.fetch_optional(&stmt).await
}
