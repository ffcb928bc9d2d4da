//! Dahua ITSAPI pushes: `POST /NotificationInfo/TollgateInfo` with a JSON body, pictures in
//! base64, and `POST /NotificationInfo/KeepAlive` heartbeats, both answered
//! `{"Message":"Success","Result":true}`.
//!
//! Fields read: `Picture.Plate{PlateNumber, PlateColor, Confidence, Channel, IsExist}`,
//! `Picture.SnapInfo{DeviceID, AccurateTime, SnapTime, Direction, Lane, EventID, GroupID}`,
//! `Picture.Vehicle{VehicleColor, VehicleSeries, VehicleSign, VehicleType}`,
//! `Picture.NormalPic.Content` (scene), `Picture.CutoutPic.Content` (plate crop) and
//! `Picture.VehiclePic.Content` (body). Times without an offset are the camera's local time,
//! China Standard Time (UTC+8).
//!
//! Duplicates: every picture of one vehicle shares a `GroupID`; an `EventID` identifies one
//! event. Without either, the device and capture time stand in.

use base64::Engine as _;
use chrono::{DateTime, FixedOffset, NaiveDateTime, TimeZone};
use serde_json::Value;

use super::json::{opt_bool, opt_str, opt_u64, require_str};
use super::{
    CameraDirection, CameraEvent, CameraPush, CameraSource, Heartbeat, IntakeError, Photo,
    PhotoKind, VehicleHints, plate_colour, reading,
};

/// The answer Dahua cameras expect to both endpoints.
pub const SUCCESS: &str = r#"{"Message":"Success","Result":true}"#;

/// China Standard Time, which Dahua local timestamps are in.
pub fn china_offset() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset")
}

/// Parses a Dahua local time (`2026-05-01 08:30:15.123` or `2026-05-01 08:30:15`) or an
/// RFC 3339 time.
pub fn parse_time(text: &str) -> Option<DateTime<FixedOffset>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Some(t);
    }
    let naive = NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%.f").ok()?;
    china_offset().from_local_datetime(&naive).single()
}

fn decode_picture(
    picture: &Value,
    key: &str,
    kind: PhotoKind,
    max_photo_bytes: usize,
) -> Result<Option<Photo>, IntakeError> {
    let path = format!("Picture.{key}.Content");
    let Some(content) = opt_str(picture, &[key, "Content"], &path)? else { return Ok(None) };
    if content.is_empty() {
        return Ok(None);
    }
    // Check the size before decoding: base64 is 4/3 of the picture.
    if content.len() / 4 * 3 > max_photo_bytes + 3 {
        return Err(IntakeError::photo_too_large(&path, content.len() / 4 * 3, max_photo_bytes));
    }
    let bytes = base64::engine::general_purpose::STANDARD.decode(content.trim()).map_err(|e| {
        IntakeError::bad_field(&path, "不是有效的 base64 编码", &format!("not valid base64: {e}"))
    })?;
    let name = opt_str(picture, &[key, "PicName"], &format!("Picture.{key}.PicName"))?
        .map(str::to_owned)
        .unwrap_or_else(|| format!("{key}.jpg"));
    Photo::new(kind, name, bytes, max_photo_bytes, &path).map(Some)
}

/// Parses a `TollgateInfo` body.
pub fn parse_tollgate(body: &[u8], max_photo_bytes: usize) -> Result<CameraPush, IntakeError> {
    let root: Value = serde_json::from_slice(body).map_err(|e| {
        IntakeError::malformed("body", "JSON 格式错误", format!("malformed JSON: {e}"))
    })?;
    let picture = root.get("Picture").ok_or_else(|| IntakeError::missing("Picture"))?;
    if !picture.is_object() {
        return Err(IntakeError::bad_field("Picture", "应为对象", "must be an object"));
    }
    let device_id =
        require_str(picture, &["SnapInfo", "DeviceID"], "Picture.SnapInfo.DeviceID")?.to_owned();
    let accurate =
        opt_str(picture, &["SnapInfo", "AccurateTime"], "Picture.SnapInfo.AccurateTime")?;
    let snap = opt_str(picture, &["SnapInfo", "SnapTime"], "Picture.SnapInfo.SnapTime")?;
    let (time_text, time_field) = match (accurate, snap) {
        (Some(t), _) if !t.is_empty() => (Some(t), "Picture.SnapInfo.AccurateTime"),
        (_, Some(t)) if !t.is_empty() => (Some(t), "Picture.SnapInfo.SnapTime"),
        _ => (None, ""),
    };
    let camera_time = match time_text {
        None => None,
        Some(text) => Some(parse_time(text).ok_or_else(|| {
            IntakeError::bad_field(
                time_field,
                &format!("时间格式应为 yyyy-MM-dd HH:mm:ss，收到 {text:?}"),
                "expected yyyy-MM-dd HH:mm:ss",
            )
        })?),
    };

    let is_exist =
        opt_bool(picture, &["Plate", "IsExist"], "Picture.Plate.IsExist")?.unwrap_or(true);
    let confidence = match opt_u64(picture, &["Plate", "Confidence"], "Picture.Plate.Confidence")? {
        None => None,
        Some(c) if c <= 100 => Some(c as u8),
        Some(_) => {
            return Err(IntakeError::bad_field(
                "Picture.Plate.Confidence",
                "置信度必须在 0–100 之间",
                "confidence must be 0–100",
            ));
        }
    };
    let colour = opt_str(picture, &["Plate", "PlateColor"], "Picture.Plate.PlateColor")?
        .and_then(plate_colour);
    let mut readings = Vec::new();
    if is_exist {
        let number =
            opt_str(picture, &["Plate", "PlateNumber"], "Picture.Plate.PlateNumber")?.unwrap_or("");
        if let Some(r) = reading(number, confidence, colour, "Picture.Plate.PlateNumber")? {
            readings.push(r);
        }
    }

    let camera_lane = match opt_u64(picture, &["SnapInfo", "Lane"], "Picture.SnapInfo.Lane")? {
        Some(l) => Some(l),
        None => opt_u64(picture, &["Plate", "Channel"], "Picture.Plate.Channel")?,
    }
    .map(|l| u32::try_from(l).unwrap_or(u32::MAX));
    let camera_direction =
        match opt_str(picture, &["SnapInfo", "Direction"], "Picture.SnapInfo.Direction")? {
            Some(d) if d.eq_ignore_ascii_case("Obverse") => CameraDirection::Forward,
            Some(d) if d.eq_ignore_ascii_case("Reverse") => CameraDirection::Reverse,
            _ => CameraDirection::Unknown,
        };

    let group = opt_u64(picture, &["SnapInfo", "GroupID"], "Picture.SnapInfo.GroupID")?;
    let event = opt_u64(picture, &["SnapInfo", "EventID"], "Picture.SnapInfo.EventID")?;
    let vendor_key = match (group, event, time_text) {
        (Some(g), _, _) => Some(format!("dahua:{device_id}:g{g}")),
        (None, Some(e), _) => Some(format!("dahua:{device_id}:e{e}")),
        (None, None, Some(t)) => {
            Some(format!("dahua:{device_id}:lane{}:{t}", camera_lane.unwrap_or(0)))
        }
        (None, None, None) => None,
    };

    let mut photos = Vec::new();
    for (key, kind) in [
        ("CutoutPic", PhotoKind::Plate),
        ("NormalPic", PhotoKind::Scene),
        ("VehiclePic", PhotoKind::Vehicle),
    ] {
        if let Some(photo) = decode_picture(picture, key, kind, max_photo_bytes)? {
            photos.push(photo);
        }
    }

    let text = |key: &str| -> Result<Option<String>, IntakeError> {
        Ok(opt_str(picture, &["Vehicle", key], &format!("Picture.Vehicle.{key}"))?
            .filter(|s| !s.is_empty())
            .map(str::to_owned))
    };
    let brand = match (text("VehicleSign")?, text("VehicleSeries")?) {
        (Some(sign), Some(series)) => Some(format!("{sign} {series}")),
        (sign, series) => sign.or(series),
    };

    Ok(CameraPush::Event(Box::new(CameraEvent {
        source: CameraSource::Dahua,
        device_id,
        vendor_key,
        post_count: None,
        camera_lane,
        camera_direction,
        camera_time,
        no_plate: readings.is_empty(),
        readings,
        vehicle: VehicleHints {
            kind: text("VehicleType")?,
            colour: text("VehicleColor")?,
            brand,
            camera_list: None,
        },
        photos,
    })))
}

/// Parses a `KeepAlive` body (`{"Active": true, "DeviceID": "…"}`); an empty body is a
/// heartbeat from an unnamed camera.
pub fn parse_keepalive(body: &[u8]) -> Result<CameraPush, IntakeError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(CameraPush::Heartbeat(Heartbeat {
            source: CameraSource::Dahua,
            device_id: String::new(),
        }));
    }
    let root: Value = serde_json::from_slice(body).map_err(|e| {
        IntakeError::malformed("body", "JSON 格式错误", format!("malformed JSON: {e}"))
    })?;
    let device_id = opt_str(&root, &["DeviceID"], "DeviceID")?.unwrap_or("").to_owned();
    Ok(CameraPush::Heartbeat(Heartbeat { source: CameraSource::Dahua, device_id }))
}
