//! The local status page and health endpoints of the agent, for the guard house:
//!
//! - `GET /`: a zh-CN page (plain HTML and a little hand-written JS, no build step) showing
//!   each lane's screen, barrier and alarms, updated live;
//! - `GET /events`: server-sent events, a `snapshot` first, then each change
//!   ([`crate::health::StatusEvent`]);
//! - `GET /api/status`: the health snapshot plus the store's counts, as JSON
//!   (`gateledger-gate status` reads it);
//! - `GET /healthz`: `{"status":"ok"|"degraded"}`; degraded while an alarm is raised.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use futures::Stream;
use serde_json::{Value, json};

use crate::gate::Gate;
use crate::health::StatusEvent;

const PAGE: &str = include_str!("../static/status.html");

/// The status routes.
pub fn router(gate: Arc<Gate>) -> Router {
    Router::new()
        .route("/", get(page))
        .route("/events", get(events))
        .route("/api/status", get(status))
        .route("/healthz", get(health))
        .with_state(gate)
}

async fn page() -> Html<&'static str> {
    Html(PAGE)
}

async fn health(State(gate): State<Arc<Gate>>) -> Json<Value> {
    let snapshot = gate.health().snapshot();
    let status = if snapshot.alarms.is_empty() { "ok" } else { "degraded" };
    Json(json!({"status": status, "version": crate::VERSION, "alarms": snapshot.alarms.len()}))
}

async fn status(State(gate): State<Arc<Gate>>) -> Response {
    let snapshot = gate.health().snapshot();
    let store = match gate.store().counts().await {
        Ok(counts) => json!(counts),
        Err(e) => json!({"error": format!("{e:#}")}),
    };
    let recent = gate.store().recent_events(10).await.unwrap_or_default();
    Json(json!({"agent": snapshot, "store": store, "recent_events": recent})).into_response()
}

async fn events(
    State(gate): State<Arc<Gate>>,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let rx = gate.health().subscribe();
    let first = gate.health().snapshot();
    let snapshot = Event::default().event("snapshot").json_data(&first).unwrap_or_default();
    let stream = futures::stream::unfold((Some(snapshot), rx), |(first, mut rx)| async move {
        if let Some(event) = first {
            return Some((Ok(event), (None, rx)));
        }
        match rx.recv().await {
            Ok(change) => {
                let name = match &change {
                    StatusEvent::Display(_) => "display",
                    StatusEvent::Barrier { .. } => "barrier",
                    StatusEvent::AlarmRaised(_) => "alarm_raised",
                    StatusEvent::AlarmCleared { .. } => "alarm_cleared",
                };
                let event = Event::default().event(name).json_data(&change).unwrap_or_default();
                Some((Ok(event), (None, rx)))
            }
            // A page that fell behind reloads its snapshot.
            Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {
                Some((Ok(Event::default().event("lagged").data("reload")), (None, rx)))
            }
            Err(tokio::sync::broadcast::error::RecvError::Closed) => None,
        }
    });
    Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
}
