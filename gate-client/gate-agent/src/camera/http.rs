//! The camera listener's routes:
//!
//! | path | format | answer |
//! | --- | --- | --- |
//! | `POST /camera/hikvision` | Hikvision ISAPI: `multipart/form-data` with `anpr.xml` and JPEG parts, or a bare XML body | `200 {"result":…}` |
//! | `POST /NotificationInfo/TollgateInfo` | Dahua ITSAPI JSON | `200 {"Message":"Success","Result":true}` |
//! | `POST /NotificationInfo/KeepAlive` | Dahua heartbeat | the same |
//! | `POST /camera/events` | our JSON ([`super::json`]) | `200 {"result":…}` |
//!
//! Every handler reads the whole body (bounded by `max_body_bytes`), parses it completely,
//! and only then hands it to [`Gate::handle_push`], which answers after the event is
//! durable. A refused push gets a 4xx naming the field and the reason and leaves the store
//! as it was.

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{FromRequest as _, Multipart, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde_json::json;

use super::hikvision::{self, PicturePart};
use super::{CameraPush, IntakeError, dahua, json as own_json};
use crate::gate::Gate;

/// The largest XML part accepted; a real `anpr.xml` is a few kB.
const MAX_XML_BYTES: usize = 256 * 1024;

/// The camera routes over a shared gate.
pub fn router(gate: Arc<Gate>) -> Router {
    Router::new()
        .route("/camera/hikvision", post(hikvision_push))
        .route("/NotificationInfo/TollgateInfo", post(dahua_tollgate))
        .route("/NotificationInfo/KeepAlive", post(dahua_keepalive))
        .route("/camera/events", post(own_push))
        // The handlers apply the configured limit themselves, with a clear error.
        .layer(axum::extract::DefaultBodyLimit::disable())
        .with_state(gate)
}

fn content_type(headers: &HeaderMap) -> String {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

async fn read_body(body: Body, max: usize) -> Result<Bytes, IntakeError> {
    axum::body::to_bytes(body, max).await.map_err(|e| {
        // `to_bytes` fails for a body over the limit or a connection that broke mid-body.
        let mut over_limit = false;
        let mut source: Option<&(dyn std::error::Error + 'static)> = Some(&e);
        while let Some(s) = source {
            over_limit |= s.to_string().contains("length limit exceeded");
            source = s.source();
        }
        if over_limit {
            IntakeError::body_too_large(max)
        } else {
            IntakeError::malformed(
                "body",
                "请求体读取失败（连接中断或数据不完整）",
                format!("cannot read the body: {e}"),
            )
        }
    })
}

/// Records `push` and answers in the shape the camera expects; counts refusals.
async fn finish(
    gate: &Gate,
    push: Result<CameraPush, IntakeError>,
    dahua_answer: bool,
) -> Response {
    let result = match push {
        Ok(push) => gate.handle_push(push).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(_) if dahua_answer => {
            ([(header::CONTENT_TYPE, "application/json")], dahua::SUCCESS).into_response()
        }
        Ok(outcome) => (StatusCode::OK, Json(json!({ "result": outcome }))).into_response(),
        Err(e) => {
            if e.status.is_client_error() {
                gate.health().count(|c| c.refused += 1);
                tracing::warn!(code = e.code, field = %e.field, reason = %e.en, "camera push refused");
            }
            e.into_response()
        }
    }
}

async fn hikvision_push(State(gate): State<Arc<Gate>>, req: Request) -> Response {
    let push = parse_hikvision(&gate, req).await;
    finish(&gate, push, false).await
}

async fn parse_hikvision(gate: &Gate, req: Request) -> Result<CameraPush, IntakeError> {
    let limits = &gate.settings().camera;
    let ctype = content_type(req.headers());
    if ctype.starts_with("application/xml") || ctype.starts_with("text/xml") {
        let body = read_body(req.into_body(), MAX_XML_BYTES).await?;
        return hikvision::parse(&body, Vec::new(), limits.max_photo_bytes);
    }
    if !ctype.starts_with("multipart/") {
        return Err(IntakeError::content_type(
            &ctype,
            "multipart/form-data（或 application/xml 心跳）",
        ));
    }
    // Read the whole body under the limit first: the multipart parser then sees a complete
    // buffer, and a truncated upload shows up as a missing closing boundary.
    let (parts, body) = req.into_parts();
    let bytes = read_body(body, limits.max_body_bytes).await?;
    let req = Request::from_parts(parts, Body::from(bytes));
    let mut multipart = Multipart::from_request(req, &()).await.map_err(|e| {
        IntakeError::malformed("Content-Type", "multipart 缺少有效的 boundary", e.body_text())
    })?;

    let mut xml: Option<Bytes> = None;
    let mut pictures = Vec::new();
    let mut index = 0;
    loop {
        let field = multipart.next_field().await.map_err(multipart_error)?;
        let Some(field) = field else { break };
        index += 1;
        let name = field
            .name()
            .or(field.file_name())
            .map(str::to_owned)
            .unwrap_or_else(|| format!("part{index}"));
        let file_name = field.file_name().unwrap_or("").to_ascii_lowercase();
        let part_type = field.content_type().unwrap_or("").to_ascii_lowercase();
        let is_xml = part_type.contains("xml")
            || name.to_ascii_lowercase().ends_with(".xml")
            || file_name.ends_with(".xml");
        let is_image = part_type.starts_with("image/")
            || name.to_ascii_lowercase().ends_with(".jpg")
            || file_name.ends_with(".jpg")
            || file_name.ends_with(".jpeg");
        let data = field.bytes().await.map_err(multipart_error)?;
        if is_xml {
            if data.len() > MAX_XML_BYTES {
                return Err(IntakeError::bad_field(
                    &format!("multipart: {name}"),
                    "XML 部分过大",
                    "the XML part is too large",
                ));
            }
            if xml.replace(data).is_some() {
                return Err(IntakeError::bad_field(
                    &format!("multipart: {name}"),
                    "一次推送只能有一个 XML 部分",
                    "a push carries one XML part",
                ));
            }
        } else if is_image {
            if data.len() > limits.max_photo_bytes {
                return Err(IntakeError::photo_too_large(
                    &format!("multipart: {name}"),
                    data.len(),
                    limits.max_photo_bytes,
                ));
            }
            pictures.push(PicturePart { name, bytes: data.to_vec() });
        } else {
            tracing::debug!(part = %name, content_type = %part_type, "multipart part ignored");
        }
    }
    let xml =
        xml.ok_or_else(|| IntakeError::missing(&format!("multipart: {}", hikvision::XML_PART)))?;
    hikvision::parse(&xml, pictures, limits.max_photo_bytes)
}

fn multipart_error(e: axum::extract::multipart::MultipartError) -> IntakeError {
    IntakeError::malformed(
        "multipart",
        "multipart 数据不完整或格式错误（可能被截断）",
        format!("incomplete or malformed multipart body: {}", e.body_text()),
    )
}

fn require_json(headers: &HeaderMap) -> Result<(), IntakeError> {
    let ctype = content_type(headers);
    // Dahua firmware sends `application/json;charset=UTF-8`; some older builds `text/plain`.
    if ctype.starts_with("application/json") || ctype.starts_with("text/plain") || ctype.is_empty()
    {
        Ok(())
    } else {
        Err(IntakeError::content_type(&ctype, "application/json"))
    }
}

async fn dahua_tollgate(State(gate): State<Arc<Gate>>, req: Request) -> Response {
    let max_photo = gate.settings().camera.max_photo_bytes;
    let max_body = gate.settings().camera.max_body_bytes;
    let push = async {
        require_json(req.headers())?;
        let body = read_body(req.into_body(), max_body).await?;
        dahua::parse_tollgate(&body, max_photo)
    }
    .await;
    finish(&gate, push, true).await
}

async fn dahua_keepalive(State(gate): State<Arc<Gate>>, req: Request) -> Response {
    let push = async {
        require_json(req.headers())?;
        let body = read_body(req.into_body(), 64 * 1024).await?;
        dahua::parse_keepalive(&body)
    }
    .await;
    finish(&gate, push, true).await
}

async fn own_push(State(gate): State<Arc<Gate>>, req: Request) -> Response {
    let max_photo = gate.settings().camera.max_photo_bytes;
    let max_body = gate.settings().camera.max_body_bytes;
    let push = async {
        let ctype = content_type(req.headers());
        if !ctype.starts_with("application/json") {
            return Err(IntakeError::content_type(&ctype, "application/json"));
        }
        let body = read_body(req.into_body(), max_body).await?;
        own_json::parse(&body, max_photo)
    }
    .await;
    finish(&gate, push, false).await
}
