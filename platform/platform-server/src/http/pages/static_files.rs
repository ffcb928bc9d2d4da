//! The pages' CSS and JavaScript (`web/static`), compiled into the binary so that an
//! install is one file. They are small, hand-written, and served with a content hash in an
//! ETag so browsers revalidate cheaply.

use axum::Router;
use axum::extract::Path;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, ETAG, IF_NONE_MATCH};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use sha2::{Digest, Sha256};

use crate::http::AppState;

/// (name, content type, bytes).
const FILES: &[(&str, &str, &str)] = &[
    ("app.css", "text/css; charset=utf-8", include_str!("../../../../../web/static/app.css")),
    ("app.js", "text/javascript; charset=utf-8", include_str!("../../../../../web/static/app.js")),
];

pub(super) fn router() -> Router<AppState> {
    Router::new().route("/static/{name}", get(serve))
}

async fn serve(Path(name): Path<String>, headers: HeaderMap) -> Response {
    let Some((_, content_type, body)) = FILES.iter().find(|(n, _, _)| *n == name) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let etag = format!("\"{}\"", &hex::encode(Sha256::digest(body.as_bytes()))[..16]);
    if headers.get(IF_NONE_MATCH).and_then(|v| v.to_str().ok()) == Some(etag.as_str()) {
        return StatusCode::NOT_MODIFIED.into_response();
    }
    (
        [
            (CONTENT_TYPE, content_type.to_string()),
            (ETAG, etag),
            (CACHE_CONTROL, "public, max-age=300".to_owned()),
        ],
        *body,
    )
        .into_response()
}
