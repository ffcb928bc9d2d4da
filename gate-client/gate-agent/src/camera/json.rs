//! gateledger's own plain JSON push format (`POST /camera/events`,
//! `Content-Type: application/json`), for cameras and bridges that speak neither vendor
//! format. docs/GATE.md documents it; in short:
//!
//! ```json
//! {
//!   "device_id": "lane1-cam",            // required
//!   "event_id": "4711",                  // optional; the same id again is a duplicate
//!   "camera_lane": 1,                    // optional
//!   "direction": "forward",              // forward | reverse, optional
//!   "time": "2026-05-01T08:30:15+08:00", // RFC 3339, optional
//!   "readings": [{"plate": "冀B12345", "confidence": 93, "colour": "yellow"}],
//!   "vehicle": {"kind": "重型货车", "colour": "红", "brand": "解放"},
//!   "photos": [{"kind": "plate", "name": "plate.jpg", "content": "<base64 JPEG>"}]
//! }
//! ```
//!
//! An empty or absent `readings` means a vehicle without a readable plate (无牌车).
//! `{"device_id": "…", "heartbeat": true}` is a heartbeat.
//!
//! The helpers here read fields by path and name the path in every error; the Dahua parser
//! uses them too.

use base64::Engine as _;
use chrono::DateTime;
use serde_json::Value;

use super::{
    CameraDirection, CameraEvent, CameraPush, CameraSource, Heartbeat, IntakeError, Photo,
    PhotoKind, VehicleHints, plate_colour, reading,
};

fn lookup<'v>(root: &'v Value, path: &[&str]) -> Option<&'v Value> {
    path.iter().try_fold(root, |v, key| v.get(key)).filter(|v| !v.is_null())
}

/// A string at `path`, `None` when absent or null; `name` is the path shown in errors.
pub(crate) fn opt_str<'v>(
    root: &'v Value,
    path: &[&str],
    name: &str,
) -> Result<Option<&'v str>, IntakeError> {
    match lookup(root, path) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.as_str())),
        Some(_) => Err(IntakeError::bad_field(name, "应为字符串", "must be a string")),
    }
}

/// A required, non-empty string at `path`.
pub(crate) fn require_str<'v>(
    root: &'v Value,
    path: &[&str],
    name: &str,
) -> Result<&'v str, IntakeError> {
    match opt_str(root, path, name)? {
        Some(s) if !s.trim().is_empty() => Ok(s.trim()),
        _ => Err(IntakeError::missing(name)),
    }
}

/// A non-negative integer at `path`; numbers sent as strings are accepted, since firmware
/// differs.
pub(crate) fn opt_u64(root: &Value, path: &[&str], name: &str) -> Result<Option<u64>, IntakeError> {
    let bad = || IntakeError::bad_field(name, "应为非负整数", "must be a non-negative integer");
    match lookup(root, path) {
        None => Ok(None),
        Some(Value::Number(n)) => n.as_u64().map(Some).ok_or_else(bad),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) => s.trim().parse().map(Some).map_err(|_| bad()),
        Some(_) => Err(bad()),
    }
}

/// A boolean at `path` (`true`/`false`, `1`/`0`).
pub(crate) fn opt_bool(
    root: &Value,
    path: &[&str],
    name: &str,
) -> Result<Option<bool>, IntakeError> {
    match lookup(root, path) {
        None => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(Value::Number(n)) if n.as_u64() == Some(0) => Ok(Some(false)),
        Some(Value::Number(n)) if n.as_u64() == Some(1) => Ok(Some(true)),
        Some(_) => Err(IntakeError::bad_field(name, "应为布尔值", "must be a boolean")),
    }
}

/// Parses one push in our format.
pub fn parse(body: &[u8], max_photo_bytes: usize) -> Result<CameraPush, IntakeError> {
    let root: Value = serde_json::from_slice(body).map_err(|e| {
        IntakeError::malformed("body", "JSON 格式错误", format!("malformed JSON: {e}"))
    })?;
    if !root.is_object() {
        return Err(IntakeError::malformed(
            "body",
            "应为 JSON 对象",
            "the body must be a JSON object",
        ));
    }
    let device_id = require_str(&root, &["device_id"], "device_id")?.to_owned();
    if opt_bool(&root, &["heartbeat"], "heartbeat")?.unwrap_or(false) {
        return Ok(CameraPush::Heartbeat(Heartbeat {
            source: CameraSource::Gateledger,
            device_id,
        }));
    }
    let vendor_key = match lookup(&root, &["event_id"]) {
        None => None,
        Some(Value::String(s)) if !s.trim().is_empty() => {
            Some(format!("gateledger:{device_id}:{}", s.trim()))
        }
        Some(Value::Number(n)) => Some(format!("gateledger:{device_id}:{n}")),
        Some(_) => {
            return Err(IntakeError::bad_field(
                "event_id",
                "应为非空字符串或数字",
                "must be a non-empty string or a number",
            ));
        }
    };
    let camera_lane = opt_u64(&root, &["camera_lane"], "camera_lane")?
        .map(|l| {
            u32::try_from(l)
                .map_err(|_| IntakeError::bad_field("camera_lane", "数值过大", "too large"))
        })
        .transpose()?;
    let camera_direction = match opt_str(&root, &["direction"], "direction")? {
        None => CameraDirection::Unknown,
        Some("forward") => CameraDirection::Forward,
        Some("reverse") => CameraDirection::Reverse,
        Some(other) => {
            return Err(IntakeError::bad_field(
                "direction",
                &format!("应为 forward 或 reverse，收到 {other:?}"),
                "must be forward or reverse",
            ));
        }
    };
    let camera_time = match opt_str(&root, &["time"], "time")? {
        None => None,
        Some(text) => Some(DateTime::parse_from_rfc3339(text).map_err(|_| {
            IntakeError::bad_field(
                "time",
                &format!("应为 RFC 3339 时间，收到 {text:?}"),
                "must be an RFC 3339 time",
            )
        })?),
    };

    let mut readings = Vec::new();
    match lookup(&root, &["readings"]) {
        None => {}
        Some(Value::Array(items)) => {
            for (i, item) in items.iter().enumerate() {
                let base = format!("readings[{i}]");
                let plate = require_str(item, &["plate"], &format!("{base}.plate"))?;
                let confidence =
                    match opt_u64(item, &["confidence"], &format!("{base}.confidence"))? {
                        Some(c) if c <= 100 => Some(c as u8),
                        Some(_) => {
                            return Err(IntakeError::bad_field(
                                &format!("{base}.confidence"),
                                "置信度必须在 0–100 之间",
                                "confidence must be 0–100",
                            ));
                        }
                        None => None,
                    };
                let colour =
                    opt_str(item, &["colour"], &format!("{base}.colour"))?.and_then(plate_colour);
                if let Some(r) = reading(plate, confidence, colour, &format!("{base}.plate"))?
                    && readings.iter().all(|x: &super::PlateReading| x.plate != r.plate)
                {
                    readings.push(r);
                }
            }
        }
        Some(_) => return Err(IntakeError::bad_field("readings", "应为数组", "must be an array")),
    }

    let mut photos = Vec::new();
    match lookup(&root, &["photos"]) {
        None => {}
        Some(Value::Array(items)) => {
            for (i, item) in items.iter().enumerate() {
                let base = format!("photos[{i}]");
                let kind_text = require_str(item, &["kind"], &format!("{base}.kind"))?;
                let kind = PhotoKind::parse(kind_text).ok_or_else(|| {
                    IntakeError::bad_field(
                        &format!("{base}.kind"),
                        "应为 plate、scene、vehicle 或 other",
                        "must be plate, scene, vehicle or other",
                    )
                })?;
                let content = require_str(item, &["content"], &format!("{base}.content"))?;
                if content.len() / 4 * 3 > max_photo_bytes + 3 {
                    return Err(IntakeError::photo_too_large(
                        &format!("{base}.content"),
                        content.len() / 4 * 3,
                        max_photo_bytes,
                    ));
                }
                let bytes =
                    base64::engine::general_purpose::STANDARD.decode(content).map_err(|e| {
                        IntakeError::bad_field(
                            &format!("{base}.content"),
                            "不是有效的 base64 编码",
                            &format!("not valid base64: {e}"),
                        )
                    })?;
                let name = opt_str(item, &["name"], &format!("{base}.name"))?
                    .map(str::to_owned)
                    .unwrap_or_else(|| format!("{kind_text}.jpg"));
                photos.push(Photo::new(
                    kind,
                    name,
                    bytes,
                    max_photo_bytes,
                    &format!("{base}.content"),
                )?);
            }
        }
        Some(_) => return Err(IntakeError::bad_field("photos", "应为数组", "must be an array")),
    }

    let hint = |key: &str| -> Result<Option<String>, IntakeError> {
        Ok(opt_str(&root, &["vehicle", key], &format!("vehicle.{key}"))?.map(str::to_owned))
    };
    Ok(CameraPush::Event(Box::new(CameraEvent {
        source: CameraSource::Gateledger,
        device_id,
        vendor_key,
        post_count: None,
        camera_lane,
        camera_direction,
        camera_time,
        no_plate: readings.is_empty(),
        readings,
        vehicle: VehicleHints {
            kind: hint("kind")?,
            colour: hint("colour")?,
            brand: hint("brand")?,
            camera_list: None,
        },
        photos,
    })))
}
