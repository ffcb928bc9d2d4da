//! The error a refused push gets: an HTTP status, a stable code, the field at fault, and a
//! message in Chinese first (the camera integrator reads it) with English alongside.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// Why a push was refused. Nothing of a refused push is stored.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {field}: {zh} ({en})")]
pub struct IntakeError {
    /// The HTTP status answered (4xx for the camera's fault, 500 for ours).
    pub status: StatusCode,
    /// A stable snake_case code.
    pub code: &'static str,
    /// The field, part or header at fault (`anpr.xml: ANPR.licensePlate`, `Content-Type`).
    pub field: String,
    /// The reason in Chinese.
    pub zh: String,
    /// The reason in English.
    pub en: String,
}

impl IntakeError {
    /// A field with a bad value (400).
    pub fn bad_field(field: &str, zh: &str, en: &str) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            code: "invalid_field",
            field: field.to_owned(),
            zh: zh.to_owned(),
            en: en.to_owned(),
        }
    }

    /// A required field that is absent (400).
    pub fn missing(field: &str) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            code: "missing_field",
            field: field.to_owned(),
            zh: "缺少必填字段".to_owned(),
            en: "required field is missing".to_owned(),
        }
    }

    /// A body that does not parse at all (400).
    pub fn malformed(field: &str, zh: &str, en: impl Into<String>) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            code: "malformed",
            field: field.to_owned(),
            zh: zh.to_owned(),
            en: en.into(),
        }
    }

    /// A picture above the configured limit (413).
    pub fn photo_too_large(field: &str, size: usize, max: usize) -> Self {
        Self {
            status: StatusCode::PAYLOAD_TOO_LARGE,
            code: "photo_too_large",
            field: field.to_owned(),
            zh: format!("图片过大：{size} 字节，上限 {max} 字节"),
            en: format!("picture too large: {size} bytes, limit {max} bytes"),
        }
    }

    /// A body above the configured limit (413).
    pub fn body_too_large(max: usize) -> Self {
        Self {
            status: StatusCode::PAYLOAD_TOO_LARGE,
            code: "body_too_large",
            field: "body".to_owned(),
            zh: format!("请求体过大，上限 {max} 字节"),
            en: format!("request body too large, limit {max} bytes"),
        }
    }

    /// The wrong `Content-Type` for this endpoint (415).
    pub fn content_type(got: &str, expected: &str) -> Self {
        Self {
            status: StatusCode::UNSUPPORTED_MEDIA_TYPE,
            code: "unsupported_content_type",
            field: "Content-Type".to_owned(),
            zh: format!("不支持的内容类型 {got:?}，此地址需要 {expected}"),
            en: format!("unsupported content type {got:?}; this endpoint takes {expected}"),
        }
    }

    /// The store failed: the push was not recorded and the camera should send it again (500).
    pub fn store(err: &anyhow::Error) -> Self {
        Self {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            code: "store_failed",
            field: "store".to_owned(),
            zh: "本地存储写入失败，事件未记录，请重发".to_owned(),
            en: format!("the local store failed, the event was not recorded: {err:#}"),
        }
    }
}

impl IntoResponse for IntakeError {
    fn into_response(self) -> Response {
        let body = json!({
            "error": self.code,
            "field": self.field,
            "message": format!("{}：{}（{}）", self.field, self.zh, self.en),
            "message_zh": self.zh,
            "message_en": self.en,
        });
        (self.status, Json(body)).into_response()
    }
}
