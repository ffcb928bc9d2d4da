//! The HTTP surface: pages for people, `/api/v1` for programs (described by the OpenAPI
//! document at `/api/openapi.json`), `/healthz` for operators.

pub mod api;
pub mod events;
pub mod extract;
mod health;
pub mod pages;
pub mod security;
pub mod upload;

use std::sync::Arc;

use axum::Router;
use axum::middleware;
use tower_http::trace::TraceLayer;

use crate::auth::session::SessionKeys;
use crate::config::Settings;
use crate::mail::Mailer;
use crate::objects::Objects;
use crate::storage::Db;

/// What every handler can reach.
#[derive(Debug, Clone)]
pub struct AppState {
    /// The database.
    pub db: Db,
    /// The settings the platform started with.
    pub settings: Arc<Settings>,
    /// Evidence objects.
    pub objects: Objects,
    /// Outgoing mail.
    pub mailer: Mailer,
    /// The key of session tokens.
    pub sessions: Arc<SessionKeys>,
    /// The platform's ledger signing key.
    pub signing: Arc<crate::keys::SigningKeys>,
    /// Live updates for open pages.
    pub events: events::EventHub,
}

/// The whole route table.
pub fn router(state: AppState) -> Router {
    let (api, openapi) = api::router();
    let openapi = Arc::new(openapi);
    Router::new()
        .merge(health::router())
        .merge(pages::router(&state))
        .nest("/api/v1", api)
        .route(
            "/api/openapi.json",
            axum::routing::get(move || {
                let doc = openapi.clone();
                async move { axum::Json(doc.as_ref().clone()) }
            }),
        )
        .layer(middleware::from_fn(crate::i18n::scope))
        .layer(middleware::from_fn_with_state(state.clone(), security::headers))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}
