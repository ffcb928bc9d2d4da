//! Enterprises (tenants) and enterprise groups (集团).

use chrono::{DateTime, Utc};
use platform_domain::ids::{GroupId, TenantId};
use sea_query::{Expr, ExprTrait, Iden, Order, Query};
use uuid::Uuid;

use super::{Conn, Page, now};

#[derive(Iden)]
enum Tenants {
    Table,
    Id,
    Name,
    CreditCode,
    PermitNo,
    RegionCode,
    Industry,
    Rating,
    Address,
    DailyTripBaseline,
    GroupId,
    Status,
    RulesVersion,
    AdmissionPolicy,
    CreatedAt,
    UpdatedAt,
}

#[derive(Iden)]
enum TenantGroups {
    Table,
    Id,
    Name,
    CreatedAt,
}

/// A stored enterprise.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct TenantRow {
    /// Id.
    pub id: Uuid,
    /// 企业名称.
    pub name: String,
    /// 统一社会信用代码.
    pub credit_code: String,
    /// 排污许可证编号.
    pub permit_no: Option<String>,
    /// GB/T 2260 region code.
    pub region_code: String,
    /// Industry identifier.
    pub industry: String,
    /// Rating identifier.
    pub rating: String,
    /// Address.
    pub address: Option<String>,
    /// Normal daily truck trips, the baseline for alert-period checks.
    pub daily_trip_baseline: Option<i32>,
    /// The group it belongs to.
    pub group_id: Option<Uuid>,
    /// `active` or `suspended`.
    pub status: String,
    /// Bumped by every change to the admission rules, so gates know to refresh.
    pub rules_version: i64,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

const COLUMNS: [Tenants; 14] = [
    Tenants::Id,
    Tenants::Name,
    Tenants::CreditCode,
    Tenants::PermitNo,
    Tenants::RegionCode,
    Tenants::Industry,
    Tenants::Rating,
    Tenants::Address,
    Tenants::DailyTripBaseline,
    Tenants::GroupId,
    Tenants::Status,
    Tenants::RulesVersion,
    Tenants::CreatedAt,
    Tenants::UpdatedAt,
];

fn select() -> sea_query::SelectStatement {
    Query::select().columns(COLUMNS).from(Tenants::Table).to_owned()
}

/// A new enterprise.
#[derive(Debug, Clone)]
pub struct NewTenant {
    /// 企业名称.
    pub name: String,
    /// 统一社会信用代码.
    pub credit_code: String,
    /// 排污许可证编号.
    pub permit_no: Option<String>,
    /// Region code.
    pub region_code: String,
    /// Industry identifier.
    pub industry: String,
    /// Rating identifier.
    pub rating: String,
    /// Address.
    pub address: Option<String>,
    /// Daily trip baseline.
    pub daily_trip_baseline: Option<i32>,
}

/// Inserts an enterprise and returns its id.
pub async fn insert(c: &mut impl Conn, t: &NewTenant) -> Result<TenantId, sqlx::Error> {
    let id = TenantId::new();
    let at = now();
    let stmt = Query::insert()
        .into_table(Tenants::Table)
        .columns([
            Tenants::Id,
            Tenants::Name,
            Tenants::CreditCode,
            Tenants::PermitNo,
            Tenants::RegionCode,
            Tenants::Industry,
            Tenants::Rating,
            Tenants::Address,
            Tenants::DailyTripBaseline,
            Tenants::CreatedAt,
            Tenants::UpdatedAt,
        ])
        .values_panic([
            Uuid::from(id).into(),
            t.name.clone().into(),
            t.credit_code.clone().into(),
            t.permit_no.clone().into(),
            t.region_code.clone().into(),
            t.industry.clone().into(),
            t.rating.clone().into(),
            t.address.clone().into(),
            t.daily_trip_baseline.into(),
            at.into(),
            at.into(),
        ])
        .to_owned();
    c.execute(&stmt).await?;
    Ok(id)
}

/// The enterprise with this id.
pub async fn find(c: &mut impl Conn, id: TenantId) -> Result<Option<TenantRow>, sqlx::Error> {
    let stmt = select().and_where(Expr::col(Tenants::Id).eq(Uuid::from(id))).to_owned();
    c.fetch_optional(&stmt).await
}

/// Which enterprises to list: the caller's visibility, already resolved.
#[derive(Debug, Clone, Default)]
pub struct TenantScope {
    /// Only this one.
    pub tenant_id: Option<Uuid>,
    /// Only members of this group.
    pub group_id: Option<Uuid>,
    /// Only those whose region code starts with this prefix.
    pub region_prefix: Option<String>,
}

/// Lists enterprises in a scope, by name.
pub async fn list(
    c: &mut impl Conn,
    scope: &TenantScope,
    page: Page,
) -> Result<Vec<TenantRow>, sqlx::Error> {
    let mut q = select();
    if let Some(t) = scope.tenant_id {
        q.and_where(Expr::col(Tenants::Id).eq(t));
    }
    if let Some(g) = scope.group_id {
        q.and_where(Expr::col(Tenants::GroupId).eq(g));
    }
    if let Some(prefix) = &scope.region_prefix {
        q.and_where(Expr::col(Tenants::RegionCode).like(format!("{prefix}%")));
    }
    q.order_by(Tenants::Name, Order::Asc).limit(page.limit).offset(page.offset);
    c.fetch_all(&q).await
}

/// Changes to an enterprise's master data; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct TenantChanges {
    /// 企业名称.
    pub name: Option<String>,
    /// 排污许可证编号.
    pub permit_no: Option<Option<String>>,
    /// Industry identifier.
    pub industry: Option<String>,
    /// Rating identifier.
    pub rating: Option<String>,
    /// Address.
    pub address: Option<Option<String>>,
    /// Daily trip baseline.
    pub daily_trip_baseline: Option<Option<i32>>,
}

/// Applies changes to an enterprise.
pub async fn update(
    c: &mut impl Conn,
    id: TenantId,
    ch: &TenantChanges,
) -> Result<u64, sqlx::Error> {
    let mut q = Query::update();
    q.table(Tenants::Table).value(Tenants::UpdatedAt, now());
    if let Some(v) = &ch.name {
        q.value(Tenants::Name, v.clone());
    }
    if let Some(v) = &ch.permit_no {
        q.value(Tenants::PermitNo, v.clone());
    }
    if let Some(v) = &ch.industry {
        q.value(Tenants::Industry, v.clone());
    }
    if let Some(v) = &ch.rating {
        q.value(Tenants::Rating, v.clone());
        // The rating sets the admission baseline: gates must refresh their rules.
        q.value(Tenants::RulesVersion, Expr::col(Tenants::RulesVersion).add(1));
    }
    if let Some(v) = &ch.address {
        q.value(Tenants::Address, v.clone());
    }
    if let Some(v) = &ch.daily_trip_baseline {
        q.value(Tenants::DailyTripBaseline, *v);
    }
    q.and_where(Expr::col(Tenants::Id).eq(Uuid::from(id)));
    c.execute(&q).await
}

/// Puts an enterprise into a group (or takes it out with `None`).
pub async fn set_group(
    c: &mut impl Conn,
    id: TenantId,
    group: Option<GroupId>,
) -> Result<u64, sqlx::Error> {
    let stmt = Query::update()
        .table(Tenants::Table)
        .value(Tenants::GroupId, group.map(Uuid::from))
        .value(Tenants::UpdatedAt, now())
        .and_where(Expr::col(Tenants::Id).eq(Uuid::from(id)))
        .to_owned();
    c.execute(&stmt).await
}

/// The enterprise's admission settings (a JSON object; `{}` until set).
pub async fn admission_policy(
    c: &mut impl Conn,
    id: TenantId,
) -> Result<serde_json::Value, sqlx::Error> {
    #[derive(sqlx::FromRow)]
    struct Row {
        admission_policy: sqlx::types::Json<serde_json::Value>,
    }
    let stmt = Query::select()
        .column(Tenants::AdmissionPolicy)
        .from(Tenants::Table)
        .and_where(Expr::col(Tenants::Id).eq(Uuid::from(id)))
        .to_owned();
    Ok(c.fetch_one::<Row>(&stmt).await?.admission_policy.0)
}

/// Replaces the enterprise's admission settings and bumps its rules version.
pub async fn set_admission_policy(
    c: &mut impl Conn,
    id: TenantId,
    policy: serde_json::Value,
) -> Result<i64, sqlx::Error> {
    let stmt = Query::update()
        .table(Tenants::Table)
        .value(Tenants::AdmissionPolicy, policy)
        .value(Tenants::UpdatedAt, now())
        .and_where(Expr::col(Tenants::Id).eq(Uuid::from(id)))
        .to_owned();
    c.execute(&stmt).await?;
    bump_rules_version(c, id).await
}

/// Bumps the rules version after a change to rules or lists, and returns the new version.
pub async fn bump_rules_version(c: &mut impl Conn, id: TenantId) -> Result<i64, sqlx::Error> {
    let stmt = Query::update()
        .table(Tenants::Table)
        .value(Tenants::RulesVersion, Expr::col(Tenants::RulesVersion).add(1))
        .and_where(Expr::col(Tenants::Id).eq(Uuid::from(id)))
        .to_owned();
    c.execute(&stmt).await?;
    let row = find(c, id).await?.ok_or(sqlx::Error::RowNotFound)?;
    Ok(row.rules_version)
}

/// A stored group.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct GroupRow {
    /// Id.
    pub id: Uuid,
    /// 集团名称.
    pub name: String,
    /// Created.
    pub created_at: DateTime<Utc>,
}

/// Inserts a group.
pub async fn insert_group(c: &mut impl Conn, name: &str) -> Result<GroupId, sqlx::Error> {
    let id = GroupId::new();
    let stmt = Query::insert()
        .into_table(TenantGroups::Table)
        .columns([TenantGroups::Id, TenantGroups::Name, TenantGroups::CreatedAt])
        .values_panic([Uuid::from(id).into(), name.into(), now().into()])
        .to_owned();
    c.execute(&stmt).await?;
    Ok(id)
}

/// The group with this id.
pub async fn find_group(c: &mut impl Conn, id: GroupId) -> Result<Option<GroupRow>, sqlx::Error> {
    let stmt = Query::select()
        .columns([TenantGroups::Id, TenantGroups::Name, TenantGroups::CreatedAt])
        .from(TenantGroups::Table)
        .and_where(Expr::col(TenantGroups::Id).eq(Uuid::from(id)))
        .to_owned();
    c.fetch_optional(&stmt).await
}

/// Every group, by name.
pub async fn list_groups(c: &mut impl Conn) -> Result<Vec<GroupRow>, sqlx::Error> {
    let stmt = Query::select()
        .columns([TenantGroups::Id, TenantGroups::Name, TenantGroups::CreatedAt])
        .from(TenantGroups::Table)
        .order_by(TenantGroups::Name, Order::Asc)
        .to_owned();
    c.fetch_all(&stmt).await
}
