//! The local status page and health endpoint of the agent.

use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};

/// The status routes.
pub fn router() -> Router {
    Router::new().route("/healthz", get(health))
}

async fn health() -> Json<Value> {
    Json(json!({"status": "ok", "version": crate::VERSION}))
}
