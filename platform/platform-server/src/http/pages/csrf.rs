//! Anti-forgery protection of every page form (signed double submit).
//!
//! Each browser gets a random nonce in the cookie `gl_csrf` (HttpOnly, SameSite=Strict,
//! Secure over HTTPS). Every form carries a hidden field `csrf` holding
//! HMAC(key, nonce | session id) (see [`SessionKeys::csrf_token`]); the middleware checks it
//! on every POST to a page route, for url-encoded and multipart forms alike, before the
//! handler runs. A forged cross-site form has neither the cookie (SameSite=Strict) nor a
//! token for it; a token lifted from another browser or session does not verify.
//!
//! [`SessionKeys::csrf_token`]: crate::auth::session::SessionKeys::csrf_token

use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, Request, State};
use axum::http::header::{CONTENT_TYPE, COOKIE, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::AppError;
use crate::http::AppState;

/// The nonce cookie.
pub const COOKIE_NAME: &str = "gl_csrf";
/// The form field.
pub const FIELD: &str = "csrf";

/// The token for the request being handled, for templates (a request extension).
#[derive(Debug, Clone)]
pub struct CsrfToken(pub String);

fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|c| c.trim().strip_prefix(&format!("{name}=")).map(str::to_owned))
        .filter(|v| !v.is_empty())
}

/// The session id a request's session cookie names (without asking the database: a token
/// for a revoked session is useless anyway, since the handler refuses the session).
fn session_id(state: &AppState, headers: &HeaderMap) -> String {
    cookie(headers, crate::auth::session::COOKIE)
        .and_then(|t| state.sessions.check(&t))
        .map(|c| c.sid.to_string())
        .unwrap_or_default()
}

/// The token a form posted by this request must carry after sign-in into `sid`.
pub fn token_for(state: &AppState, headers: &HeaderMap, sid: &str) -> Option<String> {
    cookie(headers, COOKIE_NAME).map(|nonce| state.sessions.csrf_token(&nonce, sid))
}

/// The largest page form body read for the check (uploads included).
const MAX_BODY: usize = crate::http::upload::MAX_REQUEST;

async fn posted_token(headers: &HeaderMap, body: &Bytes) -> Option<String> {
    let content_type = headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    if content_type.starts_with("application/x-www-form-urlencoded") {
        return form_urlencoded::parse(body).find(|(k, _)| k == FIELD).map(|(_, v)| v.into_owned());
    }
    if content_type.starts_with("multipart/form-data") {
        let mut req = Request::new(Body::from(body.clone()));
        req.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_str(content_type).ok()?);
        let mut multipart = axum::extract::Multipart::from_request(req, &()).await.ok()?;
        while let Ok(Some(field)) = multipart.next_field().await {
            if field.name() == Some(FIELD) {
                return field.text().await.ok();
            }
        }
    }
    None
}

/// Middleware for the page routes: sets the nonce cookie when missing, makes the token
/// available to templates, and refuses (403 `csrf_invalid`) a POST without a valid token.
pub async fn protect(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let (mut parts, body) = req.into_parts();
    let existing = cookie(&parts.headers, COOKIE_NAME);
    let nonce = existing.clone().unwrap_or_else(|| hex::encode(rand::random::<[u8; 16]>()));
    let sid = session_id(&state, &parts.headers);
    let body = if parts.method == Method::POST {
        let Ok(bytes) = axum::body::to_bytes(body, MAX_BODY).await else {
            return super::PageError::App(AppError::TooLarge).into_response();
        };
        let ok = match (&existing, posted_token(&parts.headers, &bytes).await) {
            (Some(n), Some(token)) => state.sessions.csrf_verify(n, &sid, &token),
            _ => false,
        };
        if !ok {
            tracing::warn!(path = %parts.uri.path(), "page form refused: missing or invalid anti-forgery token");
            return super::PageError::App(AppError::Forbidden("csrf_invalid")).into_response();
        }
        Body::from(bytes)
    } else {
        body
    };
    parts.extensions.insert(CsrfToken(state.sessions.csrf_token(&nonce, &sid)));
    let mut resp = next.run(Request::from_parts(parts, body)).await;
    if existing.is_none() {
        let secure = if state.settings.https() { "; Secure" } else { "" };
        if let Ok(v) = HeaderValue::from_str(&format!(
            "{COOKIE_NAME}={nonce}; HttpOnly; SameSite=Strict; Path=/{secure}"
        )) {
            resp.headers_mut().append(SET_COOKIE, v);
        }
    }
    resp
}
