//! One error type for the HTTP surface, rendered as `{error, message, field?}` in the
//! request's language. Internal causes are logged once, here, and never shown.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::i18n;

/// A failure a handler reports.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Input that cannot be accepted (422), naming the field and the reason.
    #[error("invalid {field:?}: {en}")]
    Invalid {
        /// The offending field, as the client named it.
        field: Option<String>,
        /// A stable machine-readable code.
        code: String,
        /// The reason in Chinese.
        zh: String,
        /// The reason in English.
        en: String,
    },
    /// The request is malformed as a whole (400).
    #[error("bad request: {0}")]
    BadRequest(&'static str),
    /// Not signed in, or the credentials failed (401).
    #[error("unauthorized: {0}")]
    Unauthorized(&'static str),
    /// Signed in but not allowed (403).
    #[error("forbidden: {0}")]
    Forbidden(&'static str),
    /// No such object, or one the caller may not know about (404).
    #[error("not found")]
    NotFound,
    /// The object already exists or changed meanwhile (409).
    #[error("conflict {code}")]
    Conflict {
        /// A stable machine-readable code.
        code: &'static str,
        /// The field whose value collides, when known.
        field: Option<&'static str>,
    },
    /// The body is larger than allowed (413).
    #[error("payload too large")]
    TooLarge,
    /// A service the request needs is not configured (503).
    #[error("unavailable: {0}")]
    Unavailable(&'static str),
    /// Anything else (500). The cause is logged, never returned.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

/// The result of a handler.
pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    /// An invalid field with its reason in both languages.
    pub fn invalid(
        field: impl Into<String>,
        code: impl Into<String>,
        zh: impl Into<String>,
        en: impl Into<String>,
    ) -> Self {
        Self::Invalid { field: Some(field.into()), code: code.into(), zh: zh.into(), en: en.into() }
    }

    /// A required field that is missing or empty.
    pub fn required(field: &str) -> Self {
        Self::invalid(
            field,
            "required",
            format!("{field} 为必填项"),
            format!("{field} is required"),
        )
    }

    /// The HTTP status of this error.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::Invalid { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::Conflict { .. } => StatusCode::CONFLICT,
            Self::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The stable code clients match on.
    pub fn code(&self) -> &str {
        match self {
            Self::Invalid { code, .. } => code,
            Self::BadRequest(code)
            | Self::Unauthorized(code)
            | Self::Forbidden(code)
            | Self::Unavailable(code) => code,
            Self::NotFound => "not_found",
            Self::Conflict { code, .. } => code,
            Self::TooLarge => "payload_too_large",
            Self::Internal(_) => "internal",
        }
    }

    /// The field concerned, if any.
    pub fn field(&self) -> Option<&str> {
        match self {
            Self::Invalid { field, .. } => field.as_deref(),
            Self::Conflict { field, .. } => *field,
            _ => None,
        }
    }

    /// The message in `lang`.
    pub fn message(&self, lang: i18n::Lang) -> String {
        match self {
            Self::Invalid { zh, en, .. } => lang.pick(zh, en).to_owned(),
            other => {
                let (zh, en) = catalogue(other.code());
                lang.pick(zh, en).to_owned()
            }
        }
    }
}

/// Texts of the fixed error codes.
fn catalogue(code: &str) -> (&'static str, &'static str) {
    match code {
        "not_found" => ("未找到该对象", "not found"),
        "not_signed_in" => ("请先登录", "please sign in"),
        "bad_credentials" => ("用户名或密码错误", "wrong user name or password"),
        "account_locked" => (
            "连续登录失败次数过多，账户已暂时锁定，请稍后再试",
            "too many failed sign-ins: the account is locked for a while",
        ),
        "account_disabled" => ("账户已停用", "the account is disabled"),
        "totp_required" => ("请输入动态验证码", "a one-time code is required"),
        "totp_invalid" => ("动态验证码错误", "the one-time code is wrong"),
        "session_ended" => ("登录已失效，请重新登录", "the session has ended: sign in again"),
        "forbidden" => ("无权执行此操作", "you may not do this"),
        "read_only" => (
            "监管账户只能查看企业数据，不能修改",
            "inspector accounts can read enterprise data but never change it",
        ),
        "password_change_required" => {
            ("首次登录或密码重置后，请先修改密码", "change your password before you continue")
        }
        "conflict" | "already_exists" => ("该记录已存在", "this record already exists"),
        "in_use" => ("该记录仍被引用，不能删除", "this record is still in use"),
        "payload_too_large" => ("上传内容过大", "the upload is too large"),
        "mail_unavailable" => ("邮件服务未配置", "mail is not configured"),
        "bad_json" => ("请求内容不是有效的 JSON", "the request body is not valid JSON"),
        "bad_form" => ("表单内容无效", "the form is not valid"),
        "bad_multipart" => ("上传内容格式无效", "the upload is not valid multipart data"),
        "invalid_state" => ("当前状态下不能执行此操作", "not possible in the current state"),
        "token_invalid" => ("链接无效或已过期", "the link is invalid or has expired"),
        "csrf_invalid" => (
            "页面已过期或表单来源不可信，请刷新页面后重试",
            "the page has expired or the form did not come from this site: reload the page and try again",
        ),
        "internal" => ("服务器内部错误，请稍后再试", "internal error, please try again later"),
        _ => ("请求无效", "invalid request"),
    }
}

#[derive(Serialize)]
struct Body<'a> {
    error: &'a str,
    message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    field: Option<&'a str>,
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        if let Self::Internal(err) = &self {
            tracing::error!(error = format!("{err:#}"), "request failed");
        }
        let lang = i18n::current();
        let body = Body { error: self.code(), message: self.message(lang), field: self.field() };
        (self.status(), Json(body)).into_response()
    }
}

impl From<sqlx::Error> for AppError {
    fn from(err: sqlx::Error) -> Self {
        if let sqlx::Error::Database(db) = &err {
            if db.is_unique_violation() {
                return Self::Conflict { code: "already_exists", field: None };
            }
            if db.is_foreign_key_violation() {
                return Self::Conflict { code: "in_use", field: None };
            }
        }
        Self::Internal(err.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    #[test]
    fn messages_follow_the_language() {
        let e = AppError::required("plate");
        assert_eq!(e.message(Lang::Zh), "plate 为必填项");
        assert_eq!(e.message(Lang::En), "plate is required");
        assert_eq!(e.field(), Some("plate"));
        assert_eq!(AppError::NotFound.message(Lang::En), "not found");
        assert_eq!(AppError::Forbidden("read_only").status(), StatusCode::FORBIDDEN);
    }
}
