//! Lists: an enterprise's whitelist (long-term fleet, temporary and visitor permits, each
//! with validity) and blacklist, and the bureau blacklist a bureau issues to its region.

use chrono::{DateTime, Utc};
use platform_domain::ids::TenantId;
use sea_query::{Cond, Expr, ExprTrait, Iden, Order, Query};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{Conn, Page, now};

#[derive(Iden)]
enum ListEntries {
    Table,
    TenantId,
    Id,
    List,
    Plate,
    PlateColour,
    PermitKind,
    ValidFrom,
    ValidUntil,
    Reason,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}

/// An entry's editable fields.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct EntryFields {
    /// `whitelist` or `blacklist`.
    pub list: String,
    /// Normalised plate.
    pub plate: String,
    /// Plate colour, when it matters.
    pub plate_colour: Option<String>,
    /// Whitelist only: `long_term`, `temporary` or `visitor`.
    pub permit_kind: Option<String>,
    /// Valid from (inclusive).
    pub valid_from: Option<DateTime<Utc>>,
    /// Valid until (exclusive).
    pub valid_until: Option<DateTime<Utc>>,
    /// Why the entry exists.
    pub reason: Option<String>,
}

/// A stored entry.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct EntryRow {
    /// Id.
    pub id: Uuid,
    /// Fields.
    #[sqlx(flatten)]
    #[serde(flatten)]
    pub fields: EntryFields,
    /// Who created it.
    pub created_by: Option<Uuid>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

fn select_entries() -> sea_query::SelectStatement {
    Query::select()
        .columns([
            ListEntries::Id,
            ListEntries::List,
            ListEntries::Plate,
            ListEntries::PlateColour,
            ListEntries::PermitKind,
            ListEntries::ValidFrom,
            ListEntries::ValidUntil,
            ListEntries::Reason,
            ListEntries::CreatedBy,
            ListEntries::CreatedAt,
            ListEntries::UpdatedAt,
        ])
        .from(ListEntries::Table)
        .to_owned()
}

/// Adds an entry.
pub async fn insert_entry(
    c: &mut impl Conn,
    t: TenantId,
    e: &EntryFields,
    by: Option<Uuid>,
) -> Result<Uuid, sqlx::Error> {
    let id = Uuid::now_v7();
    let at = now();
    let stmt = Query::insert()
        .into_table(ListEntries::Table)
        .columns([
            ListEntries::TenantId,
            ListEntries::Id,
            ListEntries::List,
            ListEntries::Plate,
            ListEntries::PlateColour,
            ListEntries::PermitKind,
            ListEntries::ValidFrom,
            ListEntries::ValidUntil,
            ListEntries::Reason,
            ListEntries::CreatedBy,
            ListEntries::CreatedAt,
            ListEntries::UpdatedAt,
        ])
        .values_panic([
            Uuid::from(t).into(),
            id.into(),
            e.list.clone().into(),
            e.plate.clone().into(),
            e.plate_colour.clone().into(),
            e.permit_kind.clone().into(),
            e.valid_from.into(),
            e.valid_until.into(),
            e.reason.clone().into(),
            by.into(),
            at.into(),
            at.into(),
        ])
        .to_owned();
    c.execute(&stmt).await?;
    Ok(id)
}

/// One entry of a list.
pub async fn find_entry(
    c: &mut impl Conn,
    t: TenantId,
    list: &str,
    id: Uuid,
) -> Result<Option<EntryRow>, sqlx::Error> {
    let stmt = select_entries()
        .and_where(Expr::col(ListEntries::TenantId).eq(Uuid::from(t)))
        .and_where(Expr::col(ListEntries::List).eq(list))
        .and_where(Expr::col(ListEntries::Id).eq(id))
        .to_owned();
    c.fetch_optional(&stmt).await
}

/// A list's entries, by plate; `search` filters on the plate, `valid_at` keeps only entries
/// valid at that time.
pub async fn list_entries(
    c: &mut impl Conn,
    t: TenantId,
    list: &str,
    search: Option<&str>,
    valid_at: Option<DateTime<Utc>>,
    page: Page,
) -> Result<Vec<EntryRow>, sqlx::Error> {
    let mut q = select_entries();
    q.and_where(Expr::col(ListEntries::TenantId).eq(Uuid::from(t)))
        .and_where(Expr::col(ListEntries::List).eq(list));
    if let Some(s) = search.map(str::trim).filter(|s| !s.is_empty()) {
        q.and_where(Expr::col(ListEntries::Plate).like(format!("%{}%", s.to_uppercase())));
    }
    if let Some(at) = valid_at {
        q.cond_where(
            Cond::all()
                .add(
                    Cond::any()
                        .add(Expr::col(ListEntries::ValidFrom).is_null())
                        .add(Expr::col(ListEntries::ValidFrom).lte(at)),
                )
                .add(
                    Cond::any()
                        .add(Expr::col(ListEntries::ValidUntil).is_null())
                        .add(Expr::col(ListEntries::ValidUntil).gt(at)),
                ),
        );
    }
    q.order_by(ListEntries::Plate, Order::Asc)
        .order_by(ListEntries::Id, Order::Asc)
        .limit(page.limit)
        .offset(page.offset);
    c.fetch_all(&q).await
}

/// Replaces an entry's fields (the list it is on stays).
pub async fn update_entry(
    c: &mut impl Conn,
    t: TenantId,
    id: Uuid,
    e: &EntryFields,
) -> Result<u64, sqlx::Error> {
    let stmt = Query::update()
        .table(ListEntries::Table)
        .value(ListEntries::Plate, e.plate.clone())
        .value(ListEntries::PlateColour, e.plate_colour.clone())
        .value(ListEntries::PermitKind, e.permit_kind.clone())
        .value(ListEntries::ValidFrom, e.valid_from)
        .value(ListEntries::ValidUntil, e.valid_until)
        .value(ListEntries::Reason, e.reason.clone())
        .value(ListEntries::UpdatedAt, now())
        .and_where(Expr::col(ListEntries::TenantId).eq(Uuid::from(t)))
        .and_where(Expr::col(ListEntries::List).eq(e.list.clone()))
        .and_where(Expr::col(ListEntries::Id).eq(id))
        .to_owned();
    c.execute(&stmt).await
}

/// Removes an entry.
pub async fn delete_entry(
    c: &mut impl Conn,
    t: TenantId,
    list: &str,
    id: Uuid,
) -> Result<u64, sqlx::Error> {
    let stmt = Query::delete()
        .from_table(ListEntries::Table)
        .and_where(Expr::col(ListEntries::TenantId).eq(Uuid::from(t)))
        .and_where(Expr::col(ListEntries::List).eq(list))
        .and_where(Expr::col(ListEntries::Id).eq(id))
        .to_owned();
    c.execute(&stmt).await
}

// --------------------------------------------------------------------- bureau blacklist

#[derive(Iden)]
enum BureauBlacklist {
    Table,
    Id,
    RegionCode,
    Plate,
    PlateColour,
    Vin,
    Source,
    Reason,
    IssuedAt,
    LiftedAt,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}

/// A bureau blacklist entry's fields.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct BureauEntryFields {
    /// The region it applies to (an enterprise is covered when its code starts with it).
    pub region_code: String,
    /// Normalised plate.
    pub plate: String,
    /// Plate colour.
    pub plate_colour: Option<String>,
    /// VIN, when known.
    pub vin: Option<String>,
    /// Where the finding came from (超标原因): `periodic_inspection`, `remote_monitoring`,
    /// `roadside_check`, `site_inspection`, `remote_sensing`, `smoke_report`, `other`.
    pub source: String,
    /// The bureau's reason.
    pub reason: String,
    /// 下发时间.
    pub issued_at: DateTime<Utc>,
    /// 解除时间: lifted entries no longer block.
    pub lifted_at: Option<DateTime<Utc>>,
}

/// A stored bureau blacklist entry.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct BureauEntryRow {
    /// Id.
    pub id: Uuid,
    /// Fields.
    #[sqlx(flatten)]
    #[serde(flatten)]
    pub fields: BureauEntryFields,
    /// The inspector who issued it.
    pub created_by: Option<Uuid>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

fn select_bureau() -> sea_query::SelectStatement {
    Query::select()
        .columns([
            BureauBlacklist::Id,
            BureauBlacklist::RegionCode,
            BureauBlacklist::Plate,
            BureauBlacklist::PlateColour,
            BureauBlacklist::Vin,
            BureauBlacklist::Source,
            BureauBlacklist::Reason,
            BureauBlacklist::IssuedAt,
            BureauBlacklist::LiftedAt,
            BureauBlacklist::CreatedBy,
            BureauBlacklist::CreatedAt,
            BureauBlacklist::UpdatedAt,
        ])
        .from(BureauBlacklist::Table)
        .to_owned()
}

/// Issues a bureau blacklist entry.
pub async fn insert_bureau(
    c: &mut impl Conn,
    e: &BureauEntryFields,
    by: Option<Uuid>,
) -> Result<Uuid, sqlx::Error> {
    let id = Uuid::now_v7();
    let at = now();
    let stmt = Query::insert()
        .into_table(BureauBlacklist::Table)
        .columns([
            BureauBlacklist::Id,
            BureauBlacklist::RegionCode,
            BureauBlacklist::Plate,
            BureauBlacklist::PlateColour,
            BureauBlacklist::Vin,
            BureauBlacklist::Source,
            BureauBlacklist::Reason,
            BureauBlacklist::IssuedAt,
            BureauBlacklist::LiftedAt,
            BureauBlacklist::CreatedBy,
            BureauBlacklist::CreatedAt,
            BureauBlacklist::UpdatedAt,
        ])
        .values_panic([
            id.into(),
            e.region_code.clone().into(),
            e.plate.clone().into(),
            e.plate_colour.clone().into(),
            e.vin.clone().into(),
            e.source.clone().into(),
            e.reason.clone().into(),
            e.issued_at.into(),
            e.lifted_at.into(),
            by.into(),
            at.into(),
            at.into(),
        ])
        .to_owned();
    c.execute(&stmt).await?;
    Ok(id)
}

/// One entry.
pub async fn find_bureau(
    c: &mut impl Conn,
    id: Uuid,
) -> Result<Option<BureauEntryRow>, sqlx::Error> {
    let stmt = select_bureau().and_where(Expr::col(BureauBlacklist::Id).eq(id)).to_owned();
    c.fetch_optional(&stmt).await
}

/// Entries whose region lies within `region_prefix` (an inspector's own scope).
pub async fn list_bureau_within(
    c: &mut impl Conn,
    region_prefix: &str,
    search: Option<&str>,
    page: Page,
) -> Result<Vec<BureauEntryRow>, sqlx::Error> {
    let mut q = select_bureau();
    q.and_where(Expr::col(BureauBlacklist::RegionCode).like(format!("{region_prefix}%")));
    if let Some(s) = search.map(str::trim).filter(|s| !s.is_empty()) {
        q.and_where(Expr::col(BureauBlacklist::Plate).like(format!("%{}%", s.to_uppercase())));
    }
    q.order_by(BureauBlacklist::IssuedAt, Order::Desc)
        .order_by(BureauBlacklist::Id, Order::Desc)
        .limit(page.limit)
        .offset(page.offset);
    c.fetch_all(&q).await
}

/// Entries that apply to an enterprise in `region_code`: issued for that region or for any
/// region containing it (a province-wide entry covers every city). Lifted entries included
/// only when `include_lifted`.
pub async fn list_bureau_covering(
    c: &mut impl Conn,
    region_code: &str,
    include_lifted: bool,
    page: Page,
) -> Result<Vec<BureauEntryRow>, sqlx::Error> {
    // The covering regions are the code's own prefixes at the GB/T 2260 levels (2, 4, 6
    // digits), plus the code itself.
    let mut prefixes: Vec<String> = [2, 4, 6]
        .iter()
        .filter(|n| **n <= region_code.len())
        .map(|n| region_code[..*n].to_owned())
        .collect();
    prefixes.push(region_code.to_owned());
    let mut q = select_bureau();
    q.and_where(Expr::col(BureauBlacklist::RegionCode).is_in(prefixes));
    if !include_lifted {
        q.and_where(Expr::col(BureauBlacklist::LiftedAt).is_null());
    }
    q.order_by(BureauBlacklist::Plate, Order::Asc).limit(page.limit).offset(page.offset);
    c.fetch_all(&q).await
}

/// Replaces an entry's fields.
pub async fn update_bureau(
    c: &mut impl Conn,
    id: Uuid,
    e: &BureauEntryFields,
) -> Result<u64, sqlx::Error> {
    let stmt = Query::update()
        .table(BureauBlacklist::Table)
        .value(BureauBlacklist::RegionCode, e.region_code.clone())
        .value(BureauBlacklist::Plate, e.plate.clone())
        .value(BureauBlacklist::PlateColour, e.plate_colour.clone())
        .value(BureauBlacklist::Vin, e.vin.clone())
        .value(BureauBlacklist::Source, e.source.clone())
        .value(BureauBlacklist::Reason, e.reason.clone())
        .value(BureauBlacklist::IssuedAt, e.issued_at)
        .value(BureauBlacklist::LiftedAt, e.lifted_at)
        .value(BureauBlacklist::UpdatedAt, now())
        .and_where(Expr::col(BureauBlacklist::Id).eq(id))
        .to_owned();
    c.execute(&stmt).await
}

/// Deletes an entry (lifting it keeps the history; deleting is for mistakes).
pub async fn delete_bureau(c: &mut impl Conn, id: Uuid) -> Result<u64, sqlx::Error> {
    let stmt = Query::delete()
        .from_table(BureauBlacklist::Table)
        .and_where(Expr::col(BureauBlacklist::Id).eq(id))
        .to_owned();
    c.execute(&stmt).await
}
