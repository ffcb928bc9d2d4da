//! The operation audit: every create, update or delete made by a person, with who, when,
//! from where, the entity, and the values before and after. It is written in the same
//! transaction as the change it describes, so neither exists without the other.
//!
//! Changes to an enterprise's data go to `audit_log` (tenant-owned); changes outside any
//! tenant (registrations, bureau data, platform accounts) go to `platform_audit_log`, with
//! the region for bureau data so that the region's inspectors can read them.

use chrono::{DateTime, Utc};
use platform_domain::ids::TenantId;
use sea_query::{Expr, ExprTrait, Iden, Order, Query};
use serde_json::Value;
use uuid::Uuid;

use super::{Conn, Page, now};

#[derive(Iden)]
enum AuditLog {
    Table,
    TenantId,
    Id,
    At,
    ActorId,
    ActorName,
    ActorRole,
    Ip,
    Action,
    Entity,
    EntityId,
    Before,
    After,
}

#[derive(Iden)]
enum PlatformAuditLog {
    Table,
    Id,
    At,
    ActorId,
    ActorName,
    ActorRole,
    Ip,
    RegionCode,
    Action,
    Entity,
    EntityId,
    Before,
    After,
}

/// Who made a change, and from where.
#[derive(Debug, Clone)]
pub struct Actor {
    /// The user, or `None` for the command line.
    pub id: Option<Uuid>,
    /// The user's name at the time.
    pub name: String,
    /// The user's role at the time.
    pub role: String,
    /// The client address.
    pub ip: Option<String>,
}

impl Actor {
    /// The operator at the command line of the platform host.
    pub fn cli() -> Self {
        Self { id: None, name: "cli".to_owned(), role: "platform_admin".to_owned(), ip: None }
    }
}

/// What was changed.
#[derive(Debug, Clone)]
pub struct Change<'a> {
    /// `create`, `update`, `delete` or a named action (`approve`, `disable`, …).
    pub action: &'a str,
    /// The kind of object (`vehicle`, `user`, …).
    pub entity: &'a str,
    /// Its id.
    pub entity_id: String,
    /// The values before (none for a create).
    pub before: Option<Value>,
    /// The values after (none for a delete).
    pub after: Option<Value>,
}

/// Records a change to an enterprise's data.
pub async fn record(
    c: &mut impl Conn,
    tenant: TenantId,
    actor: &Actor,
    change: Change<'_>,
) -> Result<(), sqlx::Error> {
    let stmt = Query::insert()
        .into_table(AuditLog::Table)
        .columns([
            AuditLog::TenantId,
            AuditLog::Id,
            AuditLog::At,
            AuditLog::ActorId,
            AuditLog::ActorName,
            AuditLog::ActorRole,
            AuditLog::Ip,
            AuditLog::Action,
            AuditLog::Entity,
            AuditLog::EntityId,
            AuditLog::Before,
            AuditLog::After,
        ])
        .values_panic([
            Uuid::from(tenant).into(),
            Uuid::now_v7().into(),
            now().into(),
            actor.id.into(),
            actor.name.clone().into(),
            actor.role.clone().into(),
            actor.ip.clone().into(),
            change.action.into(),
            change.entity.into(),
            change.entity_id.into(),
            change.before.into(),
            change.after.into(),
        ])
        .to_owned();
    c.execute(&stmt).await.map(drop)
}

/// Records a change outside any tenant; `region` for bureau-owned data.
pub async fn record_platform(
    c: &mut impl Conn,
    region: Option<&str>,
    actor: &Actor,
    change: Change<'_>,
) -> Result<(), sqlx::Error> {
    let stmt = Query::insert()
        .into_table(PlatformAuditLog::Table)
        .columns([
            PlatformAuditLog::Id,
            PlatformAuditLog::At,
            PlatformAuditLog::ActorId,
            PlatformAuditLog::ActorName,
            PlatformAuditLog::ActorRole,
            PlatformAuditLog::Ip,
            PlatformAuditLog::RegionCode,
            PlatformAuditLog::Action,
            PlatformAuditLog::Entity,
            PlatformAuditLog::EntityId,
            PlatformAuditLog::Before,
            PlatformAuditLog::After,
        ])
        .values_panic([
            Uuid::now_v7().into(),
            now().into(),
            actor.id.into(),
            actor.name.clone().into(),
            actor.role.clone().into(),
            actor.ip.clone().into(),
            region.map(str::to_owned).into(),
            change.action.into(),
            change.entity.into(),
            change.entity_id.into(),
            change.before.into(),
            change.after.into(),
        ])
        .to_owned();
    c.execute(&stmt).await.map(drop)
}

/// An audit entry as read back.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct AuditRow {
    /// Id.
    pub id: Uuid,
    /// When.
    pub at: DateTime<Utc>,
    /// The user, if any.
    pub actor_id: Option<Uuid>,
    /// Their name then.
    pub actor_name: String,
    /// Their role then.
    pub actor_role: String,
    /// Client address.
    pub ip: Option<String>,
    /// What was done.
    pub action: String,
    /// To what kind of object.
    pub entity: String,
    /// To which one.
    pub entity_id: String,
    /// Values before.
    #[schema(value_type = Option<Object>)]
    pub before: Option<sqlx::types::Json<Value>>,
    /// Values after.
    #[schema(value_type = Option<Object>)]
    pub after: Option<sqlx::types::Json<Value>>,
}

/// Filters on the audit log.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// Only this kind of object.
    pub entity: Option<String>,
    /// Only this object.
    pub entity_id: Option<String>,
    /// From this time.
    pub from: Option<DateTime<Utc>>,
    /// Before this time.
    pub until: Option<DateTime<Utc>>,
}

/// An enterprise's audit log, newest first.
pub async fn list(
    c: &mut impl Conn,
    tenant: TenantId,
    f: &AuditFilter,
    page: Page,
) -> Result<Vec<AuditRow>, sqlx::Error> {
    let mut q = Query::select();
    q.columns([
        AuditLog::Id,
        AuditLog::At,
        AuditLog::ActorId,
        AuditLog::ActorName,
        AuditLog::ActorRole,
        AuditLog::Ip,
        AuditLog::Action,
        AuditLog::Entity,
        AuditLog::EntityId,
        AuditLog::Before,
        AuditLog::After,
    ])
    .from(AuditLog::Table)
    .and_where(Expr::col(AuditLog::TenantId).eq(Uuid::from(tenant)));
    if let Some(e) = &f.entity {
        q.and_where(Expr::col(AuditLog::Entity).eq(e.clone()));
    }
    if let Some(e) = &f.entity_id {
        q.and_where(Expr::col(AuditLog::EntityId).eq(e.clone()));
    }
    if let Some(t) = f.from {
        q.and_where(Expr::col(AuditLog::At).gte(t));
    }
    if let Some(t) = f.until {
        q.and_where(Expr::col(AuditLog::At).lt(t));
    }
    q.order_by(AuditLog::At, Order::Desc)
        .order_by(AuditLog::Id, Order::Desc)
        .limit(page.limit)
        .offset(page.offset);
    c.fetch_all(&q).await
}

/// Platform-level entries: those of a region (bureau data) when `region_prefix` is given,
/// otherwise all. Newest first.
pub async fn list_platform(
    c: &mut impl Conn,
    region_prefix: Option<&str>,
    f: &AuditFilter,
    page: Page,
) -> Result<Vec<AuditRow>, sqlx::Error> {
    let mut q = Query::select();
    q.columns([
        PlatformAuditLog::Id,
        PlatformAuditLog::At,
        PlatformAuditLog::ActorId,
        PlatformAuditLog::ActorName,
        PlatformAuditLog::ActorRole,
        PlatformAuditLog::Ip,
        PlatformAuditLog::Action,
        PlatformAuditLog::Entity,
        PlatformAuditLog::EntityId,
        PlatformAuditLog::Before,
        PlatformAuditLog::After,
    ])
    .from(PlatformAuditLog::Table);
    if let Some(prefix) = region_prefix {
        q.and_where(Expr::col(PlatformAuditLog::RegionCode).like(format!("{prefix}%")));
    }
    if let Some(e) = &f.entity {
        q.and_where(Expr::col(PlatformAuditLog::Entity).eq(e.clone()));
    }
    if let Some(e) = &f.entity_id {
        q.and_where(Expr::col(PlatformAuditLog::EntityId).eq(e.clone()));
    }
    if let Some(t) = f.from {
        q.and_where(Expr::col(PlatformAuditLog::At).gte(t));
    }
    if let Some(t) = f.until {
        q.and_where(Expr::col(PlatformAuditLog::At).lt(t));
    }
    q.order_by(PlatformAuditLog::At, Order::Desc)
        .order_by(PlatformAuditLog::Id, Order::Desc)
        .limit(page.limit)
        .offset(page.offset);
    c.fetch_all(&q).await
}
