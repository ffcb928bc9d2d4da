//! The user's language: zh-CN by default, English when asked for.
//!
//! A request's language comes, in order, from the `lang` cookie, the `Accept-Language`
//! header, or the default (zh-CN). The middleware [`scope`] makes it available to the code
//! that renders errors, which has no access to the request.

use axum::extract::Request;
use axum::http::HeaderMap;
use axum::http::header::{ACCEPT_LANGUAGE, COOKIE};
use axum::middleware::Next;
use axum::response::Response;
use serde::{Deserialize, Serialize};

/// A supported language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Lang {
    /// Simplified Chinese, the default.
    #[default]
    #[serde(rename = "zh-CN")]
    Zh,
    /// English.
    #[serde(rename = "en")]
    En,
}

impl Lang {
    /// Parses a tag such as `zh-CN`, `en-US` or `en`.
    pub fn from_tag(tag: &str) -> Option<Self> {
        let tag = tag.trim().to_ascii_lowercase();
        if tag.starts_with("en") {
            Some(Self::En)
        } else if tag.starts_with("zh") {
            Some(Self::Zh)
        } else {
            None
        }
    }

    /// The BCP 47 tag.
    pub fn tag(self) -> &'static str {
        match self {
            Self::Zh => "zh-CN",
            Self::En => "en",
        }
    }

    /// Picks the text in this language.
    pub fn pick<'a>(self, zh: &'a str, en: &'a str) -> &'a str {
        match self {
            Self::Zh => zh,
            Self::En => en,
        }
    }

    /// The language a request asks for.
    pub fn from_headers(headers: &HeaderMap) -> Self {
        let cookie = headers
            .get_all(COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|c| c.trim().strip_prefix("lang="))
            .find_map(Self::from_tag);
        if let Some(lang) = cookie {
            return lang;
        }
        headers
            .get(ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                // The first tag we support, in the order the client listed them.
                v.split(',').find_map(|part| Self::from_tag(part.split(';').next().unwrap_or("")))
            })
            .unwrap_or_default()
    }
}

tokio::task_local! {
    static CURRENT: Lang;
}

/// The language of the request being handled (zh-CN outside a request).
pub fn current() -> Lang {
    CURRENT.try_with(|l| *l).unwrap_or_default()
}

/// Middleware: runs the rest of the request with its language set.
pub async fn scope(req: Request, next: Next) -> Response {
    let lang = Lang::from_headers(req.headers());
    CURRENT.scope(lang, next.run(req)).await
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    #[test]
    fn chinese_is_the_default_and_english_is_honoured() {
        let mut h = HeaderMap::new();
        assert_eq!(Lang::from_headers(&h), Lang::Zh);
        h.insert(ACCEPT_LANGUAGE, HeaderValue::from_static("fr-FR, en-US;q=0.8"));
        assert_eq!(Lang::from_headers(&h), Lang::En);
        h.insert(COOKIE, HeaderValue::from_static("a=b; lang=zh-CN"));
        assert_eq!(Lang::from_headers(&h), Lang::Zh);
    }
}
