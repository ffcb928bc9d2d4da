//! An enterprise's admission rules, stored as data (the rule itself is a JSON document of
//! the platform-domain rule type) with a name and an on/off switch.

use chrono::{DateTime, Utc};
use platform_domain::ids::TenantId;
use sea_query::{Expr, ExprTrait, Iden, Order, Query};
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

use super::{Conn, now};

#[derive(Iden)]
enum AdmissionRules {
    Table,
    TenantId,
    Id,
    Name,
    Enabled,
    Rule,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}

/// A stored rule.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct RuleRow {
    /// Id.
    pub id: Uuid,
    /// Name shown to people (禁行规则名称).
    pub name: String,
    /// Whether it applies.
    pub enabled: bool,
    /// The rule document.
    #[schema(value_type = Object)]
    pub rule: sqlx::types::Json<Value>,
    /// Who created it.
    pub created_by: Option<Uuid>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

fn select() -> sea_query::SelectStatement {
    Query::select()
        .columns([
            AdmissionRules::Id,
            AdmissionRules::Name,
            AdmissionRules::Enabled,
            AdmissionRules::Rule,
            AdmissionRules::CreatedBy,
            AdmissionRules::CreatedAt,
            AdmissionRules::UpdatedAt,
        ])
        .from(AdmissionRules::Table)
        .to_owned()
}

/// Adds a rule under `id` (the id inside the rule document).
pub async fn insert(
    c: &mut impl Conn,
    t: TenantId,
    id: Uuid,
    name: &str,
    enabled: bool,
    rule: Value,
    by: Option<Uuid>,
) -> Result<(), sqlx::Error> {
    let at = now();
    let stmt = Query::insert()
        .into_table(AdmissionRules::Table)
        .columns([
            AdmissionRules::TenantId,
            AdmissionRules::Id,
            AdmissionRules::Name,
            AdmissionRules::Enabled,
            AdmissionRules::Rule,
            AdmissionRules::CreatedBy,
            AdmissionRules::CreatedAt,
            AdmissionRules::UpdatedAt,
        ])
        .values_panic([
            Uuid::from(t).into(),
            id.into(),
            name.into(),
            enabled.into(),
            rule.into(),
            by.into(),
            at.into(),
            at.into(),
        ])
        .to_owned();
    c.execute(&stmt).await.map(drop)
}

/// One rule.
pub async fn find(
    c: &mut impl Conn,
    t: TenantId,
    id: Uuid,
) -> Result<Option<RuleRow>, sqlx::Error> {
    let stmt = select()
        .and_where(Expr::col(AdmissionRules::TenantId).eq(Uuid::from(t)))
        .and_where(Expr::col(AdmissionRules::Id).eq(id))
        .to_owned();
    c.fetch_optional(&stmt).await
}

/// Every rule of an enterprise, by name.
pub async fn list(c: &mut impl Conn, t: TenantId) -> Result<Vec<RuleRow>, sqlx::Error> {
    let stmt = select()
        .and_where(Expr::col(AdmissionRules::TenantId).eq(Uuid::from(t)))
        .order_by(AdmissionRules::Name, Order::Asc)
        .to_owned();
    c.fetch_all(&stmt).await
}

/// Replaces a rule.
pub async fn update(
    c: &mut impl Conn,
    t: TenantId,
    id: Uuid,
    name: &str,
    enabled: bool,
    rule: Value,
) -> Result<u64, sqlx::Error> {
    let stmt = Query::update()
        .table(AdmissionRules::Table)
        .value(AdmissionRules::Name, name)
        .value(AdmissionRules::Enabled, enabled)
        .value(AdmissionRules::Rule, rule)
        .value(AdmissionRules::UpdatedAt, now())
        .and_where(Expr::col(AdmissionRules::TenantId).eq(Uuid::from(t)))
        .and_where(Expr::col(AdmissionRules::Id).eq(id))
        .to_owned();
    c.execute(&stmt).await
}

/// Deletes a rule.
pub async fn delete(c: &mut impl Conn, t: TenantId, id: Uuid) -> Result<u64, sqlx::Error> {
    let stmt = Query::delete()
        .from_table(AdmissionRules::Table)
        .and_where(Expr::col(AdmissionRules::TenantId).eq(Uuid::from(t)))
        .and_where(Expr::col(AdmissionRules::Id).eq(id))
        .to_owned();
    c.execute(&stmt).await
}
