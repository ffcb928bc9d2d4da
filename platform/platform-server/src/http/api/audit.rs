//! Reading the operation audit logs: an enterprise's (its admin, its group admin, its
//! region's inspectors) and the platform's (platform admins; inspectors for their region's
//! bureau data).

use axum::Json;
use axum::extract::State;
use chrono::{DateTime, Utc};
use platform_domain::ids::TenantId;
use platform_domain::permissions::{Action, Resource, RoleKind};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::{PageParams, Paged};
use crate::auth::{CurrentUser, tenant_access};
use crate::error::{AppError, AppResult};
use crate::http::AppState;
use crate::http::extract::{ApiPath, ApiQuery};
use crate::storage::audit::{self, AuditFilter, AuditRow};

pub(super) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(enterprise_audit)).routes(routes!(platform_audit))
}

/// Filters on an audit log.
#[derive(Debug, Deserialize, IntoParams)]
pub struct AuditQuery {
    /// Only this kind of object (`vehicle`, `user`, `rule`, …).
    pub entity: Option<String>,
    /// Only this object.
    pub entity_id: Option<String>,
    /// From this time.
    pub from: Option<DateTime<Utc>>,
    /// Before this time.
    pub until: Option<DateTime<Utc>>,
    /// Page number.
    pub page: Option<u64>,
    /// Rows per page.
    pub per_page: Option<u64>,
}

impl AuditQuery {
    fn split(self) -> (AuditFilter, PageParams) {
        (
            AuditFilter {
                entity: self.entity,
                entity_id: self.entity_id,
                from: self.from,
                until: self.until,
            },
            PageParams { page: self.page, per_page: self.per_page },
        )
    }
}

/// An enterprise's audit log, newest first.
#[utoipa::path(get, path = "/enterprises/{tenant_id}/audit", tag = "audit", params(("tenant_id" = Uuid, Path), AuditQuery),
    responses((status = 200, body = Paged<AuditRow>), (status = 403), (status = 404)))]
pub(crate) async fn enterprise_audit(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(t): ApiPath<Uuid>,
    ApiQuery(q): ApiQuery<AuditQuery>,
) -> AppResult<Json<Paged<AuditRow>>> {
    tenant_access(&state, &user, t, Resource::AuditLog, Action::Read).await?;
    let (filter, paging) = q.split();
    let mut db = state.db.clone();
    Ok(Json(
        paging.wrap(audit::list(&mut db, TenantId::from(t), &filter, paging.page()).await?, None),
    ))
}

/// The platform's audit log: all of it for platform admins; an inspector's region's bureau
/// data for inspectors.
#[utoipa::path(get, path = "/audit", tag = "audit", params(AuditQuery), responses((status = 200, body = Paged<AuditRow>), (status = 403)))]
pub(crate) async fn platform_audit(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiQuery(q): ApiQuery<AuditQuery>,
) -> AppResult<Json<Paged<AuditRow>>> {
    let region = match user.kind {
        RoleKind::PlatformAdmin => None,
        RoleKind::BureauInspector => Some(user.user.region_prefix.clone().unwrap_or_default()),
        _ => return Err(AppError::Forbidden("forbidden")),
    };
    let (filter, paging) = q.split();
    let mut db = state.db.clone();
    Ok(Json(paging.wrap(
        audit::list_platform(&mut db, region.as_deref(), &filter, paging.page()).await?,
        None,
    )))
}
