//! Request extractors that answer bad input in the house error shape, naming the field:
//! JSON bodies, query strings and path ids.

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use crate::error::AppError;

/// The largest JSON body accepted (uploads go through multipart with their own limits).
const MAX_JSON: usize = 1 << 20;

fn field_error(path: String, inner: &str) -> AppError {
    let field = if path.is_empty() || path == "." { "body".to_owned() } else { path };
    AppError::invalid(
        field.clone(),
        "invalid_value",
        format!("字段 {field} 的值无效：{inner}"),
        format!("the value of {field} is not valid: {inner}"),
    )
}

/// A JSON body. A syntax error is `bad_json` (400); a missing or mistyped field is
/// `invalid_value` (422) naming the field by its path (`lanes[2].direction`).
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json = req
            .headers()
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/json"));
        if !is_json {
            return Err(AppError::BadRequest("bad_json"));
        }
        let bytes = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|_| AppError::BadRequest("bad_json"))?;
        if bytes.len() > MAX_JSON {
            return Err(AppError::TooLarge);
        }
        // A syntax error first, so that broken JSON is not reported as a field problem.
        if serde_json::from_slice::<serde::de::IgnoredAny>(&bytes).is_err() {
            return Err(AppError::BadRequest("bad_json"));
        }
        let mut de = serde_json::Deserializer::from_slice(&bytes);
        serde_path_to_error::deserialize(&mut de)
            .map(ApiJson)
            .map_err(|e| field_error(e.path().to_string(), &e.inner().to_string()))
    }
}

/// A JSON body read now but parsed later, with [`JsonBody::parse`], after the handler has
/// checked the caller's access: a request for another tenant's object answers 404, and a
/// read-only role's write 403, whatever its body holds.
#[derive(Debug)]
pub struct JsonBody<T> {
    bytes: axum::body::Bytes,
    is_json: bool,
    _type: std::marker::PhantomData<fn() -> T>,
}

impl<S, T> FromRequest<S> for JsonBody<T>
where
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json = req
            .headers()
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/json"));
        let bytes =
            axum::body::Bytes::from_request(req, state).await.map_err(|_| AppError::TooLarge)?;
        if bytes.len() > MAX_JSON {
            return Err(AppError::TooLarge);
        }
        Ok(Self { bytes, is_json, _type: std::marker::PhantomData })
    }
}

impl<T> JsonBody<T> {
    /// A body built in-process, e.g. by a page handler from a form, for the same handler
    /// function the API route uses.
    pub fn from_value(value: &serde_json::Value) -> Self {
        Self {
            bytes: axum::body::Bytes::from(serde_json::to_vec(value).expect("JSON serialises")),
            is_json: true,
            _type: std::marker::PhantomData,
        }
    }
}

impl<T: DeserializeOwned> JsonBody<T> {
    /// Parses the body, naming the field of any problem.
    pub fn parse(self) -> Result<T, AppError> {
        if !self.is_json || serde_json::from_slice::<serde::de::IgnoredAny>(&self.bytes).is_err() {
            return Err(AppError::BadRequest("bad_json"));
        }
        let mut de = serde_json::Deserializer::from_slice(&self.bytes);
        serde_path_to_error::deserialize(&mut de)
            .map_err(|e| field_error(e.path().to_string(), &e.inner().to_string()))
    }
}

/// A query string, with the same field-naming errors.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiQuery<T>(pub T);

impl<S, T> FromRequestParts<S> for ApiQuery<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or("");
        let de = serde_urlencoded::Deserializer::new(form_urlencoded_parse(query));
        serde_path_to_error::deserialize(de)
            .map(ApiQuery)
            .map_err(|e| field_error(e.path().to_string(), &e.inner().to_string()))
    }
}

fn form_urlencoded_parse(query: &str) -> form_urlencoded::Parse<'_> {
    form_urlencoded::parse(query.as_bytes())
}

/// Path parameters. An id that does not parse names nothing that exists: 404.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiPath<T>(pub T);

impl<S, T> FromRequestParts<S> for ApiPath<T>
where
    S: Send + Sync,
    T: DeserializeOwned + Send,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|p| ApiPath(p.0))
            .map_err(|_| AppError::NotFound)
    }
}
