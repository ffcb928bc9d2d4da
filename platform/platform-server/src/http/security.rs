//! Security headers on every answer: a content security policy that allows no inline
//! script, no framing, no plugins and forms only to the platform itself; `nosniff`; a
//! same-origin referrer policy; and HSTS when the platform serves HTTPS itself.
//!
//! Pages load their styles and scripts from `/static/` only, and templates carry no inline
//! `<script>` body, no `style=` attribute and no `on…=` handler (a test walks the rendered
//! pages for them), so the policy needs no `'unsafe-inline'` and no nonces. Document photos
//! kept on an S3 store are shown through short-lived presigned links, so the store's origin
//! is allowed for images.

use axum::extract::{Request, State};
use axum::http::HeaderValue;
use axum::http::header::{
    CONTENT_SECURITY_POLICY, REFERRER_POLICY, STRICT_TRANSPORT_SECURITY, X_CONTENT_TYPE_OPTIONS,
    X_FRAME_OPTIONS,
};
use axum::middleware::Next;
use axum::response::Response;

use super::AppState;
use crate::config::Settings;

/// The content security policy for these settings.
pub fn content_security_policy(settings: &Settings) -> String {
    let mut img = String::from("'self' data:");
    if let Some(s3) = &settings.objects.s3
        && let Some(origin) = origin_of(&s3.endpoint)
    {
        img.push(' ');
        img.push_str(&origin);
    }
    format!(
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src {img}; \
         connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; \
         frame-ancestors 'none'; form-action 'self'"
    )
}

/// `scheme://host[:port]` of a URL.
fn origin_of(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let host = rest.split('/').next()?;
    (!host.is_empty() && !host.contains(['\'', ';', ' '])).then(|| format!("{scheme}://{host}"))
}

/// Middleware: adds the headers unless a handler set its own.
pub async fn headers(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let mut resp = next.run(req).await;
    let h = resp.headers_mut();
    if !h.contains_key(CONTENT_SECURITY_POLICY)
        && let Ok(v) = HeaderValue::from_str(&content_security_policy(&state.settings))
    {
        h.insert(CONTENT_SECURITY_POLICY, v);
    }
    h.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    h.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    if state.settings.http.tls_cert.is_some() {
        h.insert(STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=31536000"));
    }
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_allows_no_inline_script_and_the_s3_origin_for_images() {
        let mut settings = Settings::default();
        let csp = content_security_policy(&settings);
        assert!(csp.contains("script-src 'self';"), "{csp}");
        assert!(!csp.contains("unsafe-inline"), "{csp}");
        assert!(csp.contains("frame-ancestors 'none'"));
        settings.objects.s3 = Some(crate::config::S3Settings {
            endpoint: "http://127.0.0.1:8014/".into(),
            bucket: "b".into(),
            region: "us-east-1".into(),
            access_key: "k".into(),
            secret_key: "s".to_owned().into(),
            presign_seconds: 60,
        });
        assert!(
            content_security_policy(&settings)
                .contains("img-src 'self' data: http://127.0.0.1:8014;")
        );
    }
}
