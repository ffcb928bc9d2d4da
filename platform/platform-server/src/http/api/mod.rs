//! The JSON API under `/api/v1`. Every handler is annotated for the OpenAPI document, which
//! is generated from this code and served at `/api/openapi.json`.
//!
//! Conventions: errors are `{error, message, field?}` in the caller's language (zh-CN by
//! default, `Accept-Language: en` for English); lists take `page` and `per_page` (at most
//! 500) and answer `{items, page, per_page}` (with `total` where counting is cheap); an id
//! of another tenant, or of something outside the caller's region, answers 404; a write by
//! a read-only role answers 403.

pub mod audit;
pub mod auth;
pub mod bureau;
pub mod directory;
pub mod enterprises;
pub mod lists;
pub mod platform;
pub mod vehicles;

use axum::Router;
use serde::Serialize;
use utoipa::openapi::OpenApi as OpenApiDoc;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;

use super::AppState;

#[derive(OpenApi)]
#[openapi(
    info(title = "gateledger API", description = "环保门禁电子台账系统 — enterprise portal, inspector view and platform administration."),
    modifiers(&SecurityAddon),
    security(("bearer" = []), ("cookie" = [])),
    tags(
        (name = "auth", description = "Sign-in, sessions, passwords, one-time codes"),
        (name = "platform", description = "Registrations, bureau accounts, groups (platform admins)"),
        (name = "enterprises", description = "Enterprises and their users"),
        (name = "directory", description = "Sites, gates, lanes and devices"),
        (name = "vehicles", description = "The three vehicle registries, documents, import and export"),
        (name = "lists", description = "Whitelist, blacklist and admission rules"),
        (name = "bureau", description = "Bureau blacklist and pollution alerts"),
        (name = "audit", description = "Operation audit logs"),
    )
)]
struct ApiDoc;

struct SecurityAddon;

impl Modify for SecurityAddon {
    fn modify(&self, openapi: &mut OpenApiDoc) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new().scheme(HttpAuthScheme::Bearer).bearer_format("JWT").build(),
            ),
        );
        components.add_security_scheme(
            "cookie",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new("gl_session"))),
        );
    }
}

/// The API routes and their OpenAPI document.
pub fn router() -> (Router<AppState>, OpenApiDoc) {
    let (router, mut doc) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(auth::router())
        .merge(platform::router())
        .merge(enterprises::router())
        .merge(directory::router())
        .merge(vehicles::router())
        .merge(lists::router())
        .merge(bureau::router())
        .merge(audit::router())
        .split_for_parts();
    // The routes are nested under /api/v1; say so in the document.
    doc.servers = Some(vec![utoipa::openapi::Server::new("/api/v1")]);
    (router, doc)
}

/// A page of a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct Paged<T> {
    /// The rows of this page.
    pub items: Vec<T>,
    /// This page, from 1.
    pub page: u64,
    /// Rows per page.
    pub per_page: u64,
    /// All matching rows, where counted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total: Option<i64>,
}

/// Paging parameters.
#[derive(Debug, Clone, Copy, Default, serde::Deserialize, utoipa::IntoParams)]
pub struct PageParams {
    /// Page number, from 1.
    pub page: Option<u64>,
    /// Rows per page (1–500, default 50).
    pub per_page: Option<u64>,
}

impl PageParams {
    /// The storage page.
    pub fn page(&self) -> crate::storage::Page {
        crate::storage::Page::new(self.page, self.per_page)
    }

    /// Wraps rows.
    pub fn wrap<T>(&self, items: Vec<T>, total: Option<i64>) -> Paged<T> {
        let p = self.page();
        Paged { items, page: p.offset / p.limit + 1, per_page: p.limit, total }
    }
}

/// An empty success body.
#[derive(Debug, Serialize, ToSchema)]
pub struct Done {
    /// Always true.
    pub ok: bool,
}

impl Done {
    /// The body.
    pub fn new() -> axum::Json<Self> {
        axum::Json(Self { ok: true })
    }
}

/// The id of a created object.
#[derive(Debug, Serialize, ToSchema)]
pub struct Created {
    /// Its id.
    pub id: uuid::Uuid,
}

/// Turns a domain validation error into the API's error.
pub fn invalid(e: platform_domain::error::ValidationError) -> crate::error::AppError {
    crate::error::AppError::invalid(
        e.field().to_owned(),
        e.code().as_str(),
        e.message_zh().to_owned(),
        e.message_en().to_owned(),
    )
}
