//! The HTTP surface: pages for people, `/api/v1` for programs, `/healthz` for operators.

mod health;
mod pages;

use std::sync::Arc;

use axum::Router;
use tower_http::trace::TraceLayer;

use crate::config::Settings;
use crate::storage::Db;

/// What every handler can reach.
#[derive(Debug, Clone)]
pub struct AppState {
    /// The database.
    pub db: Db,
    /// The settings the platform started with.
    pub settings: Arc<Settings>,
}

/// The whole route table.
pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(health::router())
        .merge(pages::router())
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}
