//! The signed-in user of a request, with the scoped roles the permission matrix needs, and
//! the access checks handlers call before touching data.
//!
//! [`CurrentUser`] refuses a user who must still change their password (403
//! `password_change_required`); [`SignedIn`] accepts them, for the few routes that let them
//! change it or sign out.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::header::{AUTHORIZATION, COOKIE, USER_AGENT};
use axum::http::request::Parts;
use chrono::Utc;
use platform_domain::ids::{GroupId, TenantId};
use platform_domain::permissions::{
    Access, Action, Plant, Principal, Resource, Role, RoleKind, Target,
};
use platform_domain::region::{RegionCode, RegionScope};
use uuid::Uuid;

use super::session::COOKIE as SESSION_COOKIE;
use crate::error::AppError;
use crate::http::AppState;
use crate::storage::audit::Actor;
use crate::storage::tenants::{TenantRow, TenantScope};
use crate::storage::users::UserRow;
use crate::storage::{Page, sessions, tenants, users};

/// The signed-in user of a request.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    /// The account.
    pub user: UserRow,
    /// The role kind.
    pub kind: RoleKind,
    /// The session the request came with.
    pub session_id: Uuid,
    /// The roles with their scopes, for the permission matrix.
    pub principal: Principal,
    /// The client address.
    pub ip: Option<String>,
    /// The client software.
    pub user_agent: Option<String>,
}

/// A signed-in user who may still have to change their password.
#[derive(Debug, Clone)]
pub struct SignedIn(pub CurrentUser);

impl CurrentUser {
    /// The user id.
    pub fn id(&self) -> Uuid {
        self.user.id
    }

    /// Who to name in the audit log.
    pub fn actor(&self) -> Actor {
        Actor {
            id: Some(self.user.id),
            name: self.user.username.clone(),
            role: self.kind.as_str().to_owned(),
            ip: self.ip.clone(),
        }
    }

    /// Turns the matrix's answer into a handler result.
    pub fn require(&self, action: Action, target: &Target) -> Result<(), AppError> {
        match self.principal.may(action, target) {
            Access::Allowed => Ok(()),
            Access::NotFound => Err(AppError::NotFound),
            Access::Forbidden
                if self.kind == RoleKind::BureauInspector && action != Action::Read =>
            {
                Err(AppError::Forbidden("read_only"))
            }
            Access::Forbidden => Err(AppError::Forbidden("forbidden")),
        }
    }

    /// Requires a platform-level action (registrations, bureau accounts, groups).
    pub fn require_platform(&self, action: Action) -> Result<(), AppError> {
        self.require(action, &Target::platform())
    }

    /// The scope of enterprises this user may list.
    pub fn tenant_scope(&self) -> Option<TenantScope> {
        match self.kind {
            RoleKind::PlatformAdmin => Some(TenantScope::default()),
            RoleKind::BureauInspector => Some(TenantScope {
                region_prefix: self.user.region_prefix.clone(),
                ..TenantScope::default()
            }),
            RoleKind::GroupAdmin => {
                Some(TenantScope { group_id: self.user.group_id, ..TenantScope::default() })
            }
            RoleKind::EnterpriseAdmin
            | RoleKind::EnterpriseOperator
            | RoleKind::EnterpriseViewer => {
                Some(TenantScope { tenant_id: self.user.tenant_id, ..TenantScope::default() })
            }
            RoleKind::GateDevice => None,
        }
    }
}

/// The region code of a stored enterprise. Stored codes were parsed on the way in; a bad
/// one is an internal error, not the caller's.
pub fn tenant_region(t: &TenantRow) -> Result<RegionCode, AppError> {
    RegionCode::parse(&t.region_code)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("stored region code: {e}")))
}

/// Loads an enterprise and checks `action` on `resource` of it. Another tenant's id, or one
/// that does not exist, is 404; a read-only role's write is 403.
pub async fn tenant_access(
    state: &AppState,
    user: &CurrentUser,
    tenant_id: Uuid,
    resource: Resource,
    action: Action,
) -> Result<TenantRow, AppError> {
    let mut db = state.db.clone();
    let Some(tenant) = tenants::find(&mut db, TenantId::from(tenant_id)).await? else {
        return Err(AppError::NotFound);
    };
    let target = Target::tenant(resource, TenantId::from(tenant.id), tenant_region(&tenant)?);
    user.require(action, &target)?;
    Ok(tenant)
}

fn bearer_or_cookie(parts: &Parts) -> Option<String> {
    if let Some(token) = parts
        .headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
    {
        return Some(token.trim().to_owned());
    }
    parts
        .headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|c| c.trim().strip_prefix(&format!("{SESSION_COOKIE}=")).map(str::to_owned))
}

/// The client address and software of a request.
pub fn client(parts: &Parts) -> (Option<String>, Option<String>) {
    let ip = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip().to_string());
    let agent = parts
        .headers
        .get(USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(|s| s.chars().take(300).collect());
    (ip, agent)
}

/// Builds the scoped roles of an account.
pub async fn roles_of(state: &AppState, user: &UserRow) -> Result<(RoleKind, Principal), AppError> {
    let kind: RoleKind = user
        .role
        .parse()
        .map_err(|_| AppError::Internal(anyhow::anyhow!("stored role {}", user.role)))?;
    let mut db = state.db.clone();
    let plant = |t: &TenantRow| -> Result<Plant, AppError> {
        Ok(Plant { tenant: TenantId::from(t.id), region: tenant_region(t)? })
    };
    let role = match kind {
        RoleKind::PlatformAdmin => Role::PlatformAdmin,
        RoleKind::BureauInspector => {
            let prefix = user.region_prefix.as_deref().unwrap_or("");
            let scope = RegionScope::parse(prefix)
                .map_err(|e| AppError::Internal(anyhow::anyhow!("stored region prefix: {e}")))?;
            Role::BureauInspector { scope }
        }
        RoleKind::GroupAdmin => {
            let group = user
                .group_id
                .ok_or_else(|| AppError::Internal(anyhow::anyhow!("group admin without group")))?;
            let scope = TenantScope { group_id: Some(group), ..TenantScope::default() };
            let members = tenants::list(&mut db, &scope, Page { offset: 0, limit: 10_000 }).await?;
            let plants = members.iter().map(plant).collect::<Result<Vec<_>, _>>()?;
            Role::GroupAdmin { group: GroupId::from(group), plants }
        }
        RoleKind::EnterpriseAdmin | RoleKind::EnterpriseOperator | RoleKind::EnterpriseViewer => {
            let tenant_id = user
                .tenant_id
                .ok_or_else(|| AppError::Internal(anyhow::anyhow!("staff without tenant")))?;
            let tenant = tenants::find(&mut db, TenantId::from(tenant_id))
                .await?
                .ok_or_else(|| AppError::Internal(anyhow::anyhow!("tenant of user missing")))?;
            let plant = plant(&tenant)?;
            match kind {
                RoleKind::EnterpriseAdmin => Role::EnterpriseAdmin { plant },
                RoleKind::EnterpriseOperator => Role::EnterpriseOperator { plant },
                _ => Role::EnterpriseViewer { plant },
            }
        }
        RoleKind::GateDevice => return Err(AppError::Unauthorized("not_signed_in")),
    };
    Ok((kind, Principal::with(role)))
}

async fn load(parts: &mut Parts, state: &AppState) -> Result<CurrentUser, AppError> {
    let token = bearer_or_cookie(parts).ok_or(AppError::Unauthorized("not_signed_in"))?;
    let claims = state.sessions.check(&token).ok_or(AppError::Unauthorized("session_ended"))?;
    let mut db = state.db.clone();
    let session = sessions::find(&mut db, claims.sid)
        .await?
        .ok_or(AppError::Unauthorized("session_ended"))?;
    if session.user_id != claims.sub
        || session.revoked_at.is_some()
        || session.expires_at <= Utc::now()
    {
        return Err(AppError::Unauthorized("session_ended"));
    }
    let user =
        users::find(&mut db, claims.sub).await?.ok_or(AppError::Unauthorized("session_ended"))?;
    if user.disabled {
        return Err(AppError::Unauthorized("account_disabled"));
    }
    let (kind, principal) = roles_of(state, &user).await?;
    let (ip, user_agent) = client(parts);
    Ok(CurrentUser { user, kind, session_id: session.id, principal, ip, user_agent })
}

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if let Some(user) = parts.extensions.get::<CurrentUser>() {
            return Ok(Self(user.clone()));
        }
        let user = load(parts, state).await?;
        parts.extensions.insert(user.clone());
        Ok(Self(user))
    }
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let SignedIn(user) = SignedIn::from_request_parts(parts, state).await?;
        if user.user.must_change_password {
            return Err(AppError::Forbidden("password_change_required"));
        }
        Ok(user)
    }
}
