//! Staged bulk imports: a file is parsed and checked first; its valid rows wait here until
//! the user confirms, and are then written in one transaction, or not at all.

use chrono::{DateTime, Utc};
use platform_domain::ids::TenantId;
use sea_query::{Expr, ExprTrait, Iden, Query};
use serde_json::Value;
use uuid::Uuid;

use super::{Conn, now};

#[derive(Iden)]
enum Imports {
    Table,
    TenantId,
    Id,
    Kind,
    FileName,
    Status,
    Rows,
    Report,
    CreatedBy,
    CreatedAt,
    ConfirmedAt,
}

/// A staged import.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ImportRow {
    /// Id.
    pub id: Uuid,
    /// The registry (ledger kind) it imports into.
    pub kind: String,
    /// The uploaded file's name.
    pub file_name: String,
    /// `previewed` or `confirmed`.
    pub status: String,
    /// The valid rows, ready to insert.
    pub rows: sqlx::types::Json<Value>,
    /// The per-row report shown to the user.
    pub report: sqlx::types::Json<Value>,
    /// Who uploaded it.
    pub created_by: Option<Uuid>,
    /// When.
    pub created_at: DateTime<Utc>,
    /// When it was confirmed.
    pub confirmed_at: Option<DateTime<Utc>>,
}

/// Stages a checked file.
pub async fn insert(
    c: &mut impl Conn,
    t: TenantId,
    kind: &str,
    file_name: &str,
    rows: Value,
    report: Value,
    by: Option<Uuid>,
) -> Result<Uuid, sqlx::Error> {
    let id = Uuid::now_v7();
    let stmt = Query::insert()
        .into_table(Imports::Table)
        .columns([
            Imports::TenantId,
            Imports::Id,
            Imports::Kind,
            Imports::FileName,
            Imports::Status,
            Imports::Rows,
            Imports::Report,
            Imports::CreatedBy,
            Imports::CreatedAt,
        ])
        .values_panic([
            Uuid::from(t).into(),
            id.into(),
            kind.into(),
            file_name.into(),
            "previewed".into(),
            rows.into(),
            report.into(),
            by.into(),
            now().into(),
        ])
        .to_owned();
    c.execute(&stmt).await?;
    Ok(id)
}

/// One staged import.
pub async fn find(
    c: &mut impl Conn,
    t: TenantId,
    id: Uuid,
) -> Result<Option<ImportRow>, sqlx::Error> {
    let stmt = Query::select()
        .columns([
            Imports::Id,
            Imports::Kind,
            Imports::FileName,
            Imports::Status,
            Imports::Rows,
            Imports::Report,
            Imports::CreatedBy,
            Imports::CreatedAt,
            Imports::ConfirmedAt,
        ])
        .from(Imports::Table)
        .and_where(Expr::col(Imports::TenantId).eq(Uuid::from(t)))
        .and_where(Expr::col(Imports::Id).eq(id))
        .to_owned();
    c.fetch_optional(&stmt).await
}

/// Marks a previewed import confirmed; false when it was not in the previewed state.
pub async fn mark_confirmed(c: &mut impl Conn, t: TenantId, id: Uuid) -> Result<bool, sqlx::Error> {
    let stmt = Query::update()
        .table(Imports::Table)
        .value(Imports::Status, "confirmed")
        .value(Imports::ConfirmedAt, now())
        .and_where(Expr::col(Imports::TenantId).eq(Uuid::from(t)))
        .and_where(Expr::col(Imports::Id).eq(id))
        .and_where(Expr::col(Imports::Status).eq("previewed"))
        .to_owned();
    Ok(c.execute(&stmt).await? == 1)
}
