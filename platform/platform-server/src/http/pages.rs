//! Server-rendered pages.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::routing::get;

use super::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/", get(home))
}

/// The landing page.
#[derive(Template, WebTemplate)]
#[template(path = "home.html")]
struct Home {
    version: &'static str,
}

async fn home() -> Home {
    Home { version: crate::VERSION }
}
