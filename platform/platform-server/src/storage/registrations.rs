//! Enterprise registration requests, reviewed by a platform admin.

use chrono::{DateTime, Utc};
use sea_query::{Expr, ExprTrait, Iden, Order, Query};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{Conn, Page, now};

#[derive(Iden)]
enum Registrations {
    Table,
    Id,
    Name,
    CreditCode,
    PermitNo,
    RegionCode,
    Industry,
    Rating,
    Address,
    ContactName,
    ContactEmail,
    ContactPhone,
    AdminUsername,
    Documents,
    Status,
    RejectReason,
    ReviewedBy,
    ReviewedAt,
    TenantId,
    CreatedAt,
}

/// A document submitted with a registration.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RegistrationDocument {
    /// What it is (营业执照, 排污许可证, …), as the applicant labelled it.
    pub kind: String,
    /// The original file name.
    pub file_name: String,
    /// Its content type.
    pub content_type: String,
    /// SHA-256 of the bytes (the object key derives from it).
    pub sha256: String,
    /// Size in bytes.
    pub size: i64,
}

/// A stored registration request.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RegistrationRow {
    /// Id.
    pub id: Uuid,
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
    /// Contact person.
    pub contact_name: String,
    /// Contact e-mail; the first admin's address.
    pub contact_email: String,
    /// Contact phone.
    pub contact_phone: Option<String>,
    /// Sign-in name wanted for the first admin.
    pub admin_username: String,
    /// Submitted documents.
    pub documents: sqlx::types::Json<Vec<RegistrationDocument>>,
    /// `pending`, `approved` or `rejected`.
    pub status: String,
    /// Why it was rejected.
    pub reject_reason: Option<String>,
    /// Reviewer.
    pub reviewed_by: Option<Uuid>,
    /// Reviewed at.
    pub reviewed_at: Option<DateTime<Utc>>,
    /// The enterprise created on approval.
    pub tenant_id: Option<Uuid>,
    /// Submitted at.
    pub created_at: DateTime<Utc>,
}

const COLUMNS: [Registrations; 19] = [
    Registrations::Id,
    Registrations::Name,
    Registrations::CreditCode,
    Registrations::PermitNo,
    Registrations::RegionCode,
    Registrations::Industry,
    Registrations::Rating,
    Registrations::Address,
    Registrations::ContactName,
    Registrations::ContactEmail,
    Registrations::ContactPhone,
    Registrations::AdminUsername,
    Registrations::Documents,
    Registrations::Status,
    Registrations::RejectReason,
    Registrations::ReviewedBy,
    Registrations::ReviewedAt,
    Registrations::TenantId,
    Registrations::CreatedAt,
];

/// A new registration request.
#[derive(Debug, Clone)]
pub struct NewRegistration {
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
    /// Contact person.
    pub contact_name: String,
    /// Contact e-mail.
    pub contact_email: String,
    /// Contact phone.
    pub contact_phone: Option<String>,
    /// Wanted admin sign-in name.
    pub admin_username: String,
    /// Documents.
    pub documents: Vec<RegistrationDocument>,
}

/// Stores a new request under `id` (chosen by the caller, who stores its documents under it).
pub async fn insert(c: &mut impl Conn, id: Uuid, r: &NewRegistration) -> Result<(), sqlx::Error> {
    let stmt = Query::insert()
        .into_table(Registrations::Table)
        .columns([
            Registrations::Id,
            Registrations::Name,
            Registrations::CreditCode,
            Registrations::PermitNo,
            Registrations::RegionCode,
            Registrations::Industry,
            Registrations::Rating,
            Registrations::Address,
            Registrations::ContactName,
            Registrations::ContactEmail,
            Registrations::ContactPhone,
            Registrations::AdminUsername,
            Registrations::Documents,
            Registrations::Status,
            Registrations::CreatedAt,
        ])
        .values_panic([
            id.into(),
            r.name.clone().into(),
            r.credit_code.clone().into(),
            r.permit_no.clone().into(),
            r.region_code.clone().into(),
            r.industry.clone().into(),
            r.rating.clone().into(),
            r.address.clone().into(),
            r.contact_name.clone().into(),
            r.contact_email.clone().into(),
            r.contact_phone.clone().into(),
            r.admin_username.to_lowercase().into(),
            serde_json::to_value(&r.documents).unwrap_or_default().into(),
            "pending".into(),
            now().into(),
        ])
        .to_owned();
    c.execute(&stmt).await.map(drop)
}

/// The request with this id.
pub async fn find(c: &mut impl Conn, id: Uuid) -> Result<Option<RegistrationRow>, sqlx::Error> {
    let stmt = Query::select()
        .columns(COLUMNS)
        .from(Registrations::Table)
        .and_where(Expr::col(Registrations::Id).eq(id))
        .to_owned();
    c.fetch_optional(&stmt).await
}

/// Requests in a status (all when `None`), oldest first.
pub async fn list(
    c: &mut impl Conn,
    status: Option<&str>,
    page: Page,
) -> Result<Vec<RegistrationRow>, sqlx::Error> {
    let mut q = Query::select();
    q.columns(COLUMNS).from(Registrations::Table);
    if let Some(s) = status {
        q.and_where(Expr::col(Registrations::Status).eq(s));
    }
    q.order_by(Registrations::CreatedAt, Order::Asc).limit(page.limit).offset(page.offset);
    c.fetch_all(&q).await
}

/// Marks a pending request reviewed. Returns false when it was not pending any more.
pub async fn review(
    c: &mut impl Conn,
    id: Uuid,
    status: &str,
    reason: Option<&str>,
    reviewer: Option<Uuid>,
    tenant: Option<Uuid>,
) -> Result<bool, sqlx::Error> {
    let stmt = Query::update()
        .table(Registrations::Table)
        .value(Registrations::Status, status)
        .value(Registrations::RejectReason, reason.map(str::to_owned))
        .value(Registrations::ReviewedBy, reviewer)
        .value(Registrations::ReviewedAt, now())
        .value(Registrations::TenantId, tenant)
        .and_where(Expr::col(Registrations::Id).eq(id))
        .and_where(Expr::col(Registrations::Status).eq("pending"))
        .to_owned();
    Ok(c.execute(&stmt).await? == 1)
}
