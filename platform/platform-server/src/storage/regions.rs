//! Bureau-owned data of a region: heavy-pollution alerts with their measures.

use chrono::{DateTime, Utc};
use sea_query::{Expr, ExprTrait, Iden, Order, Query};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{Conn, Page, now};

#[derive(Iden)]
enum RegionAlerts {
    Table,
    Id,
    RegionCode,
    Level,
    Measures,
    StartsAt,
    EndsAt,
    Reason,
    IssuedBy,
    CancelledAt,
    CreatedAt,
    UpdatedAt,
}

/// An alert's fields.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct AlertFields {
    /// The region it covers.
    pub region_code: String,
    /// Alert level identifier (`yellow`, `orange`, `red`).
    pub level: String,
    /// Measure code identifiers.
    #[schema(value_type = Vec<String>)]
    pub measures: sqlx::types::Json<Vec<String>>,
    /// Start (inclusive).
    pub starts_at: DateTime<Utc>,
    /// End (exclusive).
    pub ends_at: DateTime<Utc>,
    /// The bureau's notice.
    pub reason: Option<String>,
}

/// A stored alert.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct AlertRow {
    /// Id.
    pub id: Uuid,
    /// Fields.
    #[sqlx(flatten)]
    #[serde(flatten)]
    pub fields: AlertFields,
    /// The inspector who issued it.
    pub issued_by: Option<Uuid>,
    /// Cancelled before its end, if it was.
    pub cancelled_at: Option<DateTime<Utc>>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

fn select() -> sea_query::SelectStatement {
    Query::select()
        .columns([
            RegionAlerts::Id,
            RegionAlerts::RegionCode,
            RegionAlerts::Level,
            RegionAlerts::Measures,
            RegionAlerts::StartsAt,
            RegionAlerts::EndsAt,
            RegionAlerts::Reason,
            RegionAlerts::IssuedBy,
            RegionAlerts::CancelledAt,
            RegionAlerts::CreatedAt,
            RegionAlerts::UpdatedAt,
        ])
        .from(RegionAlerts::Table)
        .to_owned()
}

/// Issues an alert.
pub async fn insert(
    c: &mut impl Conn,
    a: &AlertFields,
    by: Option<Uuid>,
) -> Result<Uuid, sqlx::Error> {
    let id = Uuid::now_v7();
    let at = now();
    let stmt = Query::insert()
        .into_table(RegionAlerts::Table)
        .columns([
            RegionAlerts::Id,
            RegionAlerts::RegionCode,
            RegionAlerts::Level,
            RegionAlerts::Measures,
            RegionAlerts::StartsAt,
            RegionAlerts::EndsAt,
            RegionAlerts::Reason,
            RegionAlerts::IssuedBy,
            RegionAlerts::CreatedAt,
            RegionAlerts::UpdatedAt,
        ])
        .values_panic([
            id.into(),
            a.region_code.clone().into(),
            a.level.clone().into(),
            serde_json::to_value(&a.measures.0).unwrap_or_default().into(),
            a.starts_at.into(),
            a.ends_at.into(),
            a.reason.clone().into(),
            by.into(),
            at.into(),
            at.into(),
        ])
        .to_owned();
    c.execute(&stmt).await?;
    Ok(id)
}

/// One alert.
pub async fn find(c: &mut impl Conn, id: Uuid) -> Result<Option<AlertRow>, sqlx::Error> {
    let stmt = select().and_where(Expr::col(RegionAlerts::Id).eq(id)).to_owned();
    c.fetch_optional(&stmt).await
}

/// Alerts whose region lies within `region_prefix`, newest first.
pub async fn list_within(
    c: &mut impl Conn,
    region_prefix: &str,
    page: Page,
) -> Result<Vec<AlertRow>, sqlx::Error> {
    let stmt = select()
        .and_where(Expr::col(RegionAlerts::RegionCode).like(format!("{region_prefix}%")))
        .order_by(RegionAlerts::StartsAt, Order::Desc)
        .order_by(RegionAlerts::Id, Order::Desc)
        .limit(page.limit)
        .offset(page.offset)
        .to_owned();
    c.fetch_all(&stmt).await
}

/// Alerts that cover an enterprise in `region_code` and have not ended by `after`
/// (current and upcoming), not cancelled, earliest first.
pub async fn list_covering(
    c: &mut impl Conn,
    region_code: &str,
    after: DateTime<Utc>,
) -> Result<Vec<AlertRow>, sqlx::Error> {
    let mut prefixes: Vec<String> = [2, 4, 6]
        .iter()
        .filter(|n| **n <= region_code.len())
        .map(|n| region_code[..*n].to_owned())
        .collect();
    prefixes.push(region_code.to_owned());
    let stmt = select()
        .and_where(Expr::col(RegionAlerts::RegionCode).is_in(prefixes))
        .and_where(Expr::col(RegionAlerts::EndsAt).gt(after))
        .and_where(Expr::col(RegionAlerts::CancelledAt).is_null())
        .order_by(RegionAlerts::StartsAt, Order::Asc)
        .to_owned();
    c.fetch_all(&stmt).await
}

/// Cancels an alert before its end.
pub async fn cancel(c: &mut impl Conn, id: Uuid) -> Result<u64, sqlx::Error> {
    let at = now();
    let stmt = Query::update()
        .table(RegionAlerts::Table)
        .value(RegionAlerts::CancelledAt, at)
        .value(RegionAlerts::UpdatedAt, at)
        .and_where(Expr::col(RegionAlerts::Id).eq(id))
        .and_where(Expr::col(RegionAlerts::CancelledAt).is_null())
        .to_owned();
    c.execute(&stmt).await
}
