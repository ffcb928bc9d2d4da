//! Hikvision ISAPI ANPR pushes (listening mode): a `multipart/form-data` body with an
//! `anpr.xml` part holding an `EventNotificationAlert`, and JPEG parts such as
//! `licensePlatePicture.jpg` and `detectionPicture.jpg`. Heartbeats are the same envelope
//! with `eventState=inactive`, often sent as a bare XML body.
//!
//! Fields read (see the ISAPI `XML_EventNotificationAlert` schema): the envelope's
//! `ipAddress`, `macAddress`, `channelID`, `dateTime`, `activePostCount`, `eventType`,
//! `eventState`, `deviceID`, `UUID`; inside `<ANPR>`: `licensePlate`,
//! `originalLicensePlate`, `line`, `direction`, `confidenceLevel`, `plateCharBelieve`,
//! `plateColor`, `vehicleType`, `vehicleInfo` and `vehicleListName`. Unknown elements are
//! ignored, since models differ.
//!
//! Duplicates: a re-upload of the same alarm carries the same `UUID` (and a higher
//! `activePostCount`); without a `UUID`, the capture `dateTime` on the same channel stands
//! in for it.

use chrono::DateTime;
use quick_xml::events::Event as XmlEvent;
use serde::Deserialize;

use super::{
    CameraDirection, CameraEvent, CameraPush, CameraSource, Heartbeat, IntakeError, Photo,
    PhotoKind, VehicleHints, plate_colour, reading,
};

/// The name of the XML part.
pub const XML_PART: &str = "anpr.xml";

#[derive(Debug, Deserialize)]
struct Alert {
    #[serde(rename = "ipAddress")]
    ip_address: Option<String>,
    #[serde(rename = "macAddress")]
    mac_address: Option<String>,
    #[serde(rename = "channelID")]
    channel_id: Option<String>,
    #[serde(rename = "dateTime")]
    date_time: Option<String>,
    #[serde(rename = "activePostCount")]
    active_post_count: Option<String>,
    #[serde(rename = "eventType")]
    event_type: Option<String>,
    #[serde(rename = "eventState")]
    event_state: Option<String>,
    #[serde(rename = "deviceID")]
    device_id: Option<String>,
    #[serde(rename = "UUID")]
    uuid: Option<String>,
    #[serde(rename = "ANPR")]
    anpr: Option<Anpr>,
}

#[derive(Debug, Deserialize)]
struct Anpr {
    #[serde(rename = "licensePlate")]
    license_plate: Option<String>,
    #[serde(rename = "originalLicensePlate")]
    original_license_plate: Option<String>,
    line: Option<String>,
    direction: Option<String>,
    #[serde(rename = "confidenceLevel")]
    confidence_level: Option<String>,
    #[serde(rename = "plateCharBelieve")]
    plate_char_believe: Option<String>,
    #[serde(rename = "plateColor")]
    plate_color: Option<String>,
    #[serde(rename = "vehicleType")]
    vehicle_type: Option<String>,
    #[serde(rename = "vehicleInfo")]
    vehicle_info: Option<VehicleInfo>,
    #[serde(rename = "vehicleListName")]
    vehicle_list_name: Option<String>,
}

#[derive(Debug, Deserialize)]
struct VehicleInfo {
    color: Option<String>,
    #[serde(rename = "vehicleLogoRecog")]
    vehicle_logo_recog: Option<String>,
}

/// A JPEG part of the multipart body, as received.
#[derive(Debug, Clone)]
pub struct PicturePart {
    /// The part's name (`licensePlatePicture.jpg`).
    pub name: String,
    /// Its bytes.
    pub bytes: Vec<u8>,
}

/// Which photo kind a Hikvision part name stands for.
pub fn photo_kind(name: &str) -> PhotoKind {
    let lower = name.to_ascii_lowercase();
    if lower.contains("licenseplate") || lower.contains("plate") {
        PhotoKind::Plate
    } else if lower.contains("detection") || lower.contains("scene") {
        PhotoKind::Scene
    } else if lower.contains("vehicle") {
        PhotoKind::Vehicle
    } else {
        PhotoKind::Other
    }
}

fn field(name: &str) -> String {
    format!("{XML_PART}: {name}")
}

fn non_empty(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

fn number<T: std::str::FromStr>(
    value: &Option<String>,
    name: &str,
) -> Result<Option<T>, IntakeError> {
    match non_empty(value) {
        None => Ok(None),
        Some(text) => text.parse().map(Some).map_err(|_| {
            IntakeError::bad_field(
                &field(name),
                &format!("不是有效的数字：{text:?}"),
                &format!("not a valid number: {text:?}"),
            )
        }),
    }
}

/// The name of the root element, or an error when the text is not XML.
fn root_element(xml: &str) -> Result<String, IntakeError> {
    let mut reader = quick_xml::Reader::from_str(xml);
    loop {
        match reader.read_event() {
            Ok(XmlEvent::Start(e)) | Ok(XmlEvent::Empty(e)) => {
                return Ok(String::from_utf8_lossy(e.local_name().as_ref()).into_owned());
            }
            Ok(XmlEvent::Eof) => {
                return Err(IntakeError::malformed(XML_PART, "XML 为空", "the XML has no element"));
            }
            Ok(_) => {}
            Err(e) => {
                return Err(IntakeError::malformed(
                    XML_PART,
                    "XML 格式错误",
                    format!("malformed XML: {e}"),
                ));
            }
        }
    }
}

/// Parses one push: the `anpr.xml` text and the picture parts that came with it.
pub fn parse(
    xml: &[u8],
    pictures: Vec<PicturePart>,
    max_photo_bytes: usize,
) -> Result<CameraPush, IntakeError> {
    let xml = std::str::from_utf8(xml).map_err(|_| {
        IntakeError::malformed(XML_PART, "XML 不是 UTF-8 编码", "the XML is not UTF-8")
    })?;
    let root = root_element(xml)?;
    if root != "EventNotificationAlert" {
        return Err(IntakeError::malformed(
            XML_PART,
            &format!("根元素应为 EventNotificationAlert，收到 {root}"),
            format!("the root element must be EventNotificationAlert, got {root}"),
        ));
    }
    let alert: Alert = quick_xml::de::from_str(xml).map_err(|e| {
        IntakeError::malformed(XML_PART, "XML 无法解析为 EventNotificationAlert", format!("{e}"))
    })?;

    let device_id = non_empty(&alert.device_id)
        .or(non_empty(&alert.mac_address))
        .or(non_empty(&alert.ip_address))
        .ok_or_else(|| IntakeError::missing(&field("deviceID/macAddress/ipAddress")))?
        .to_owned();

    let state = non_empty(&alert.event_state).unwrap_or("active");
    if state.eq_ignore_ascii_case("inactive") {
        return Ok(CameraPush::Heartbeat(Heartbeat { source: CameraSource::Hikvision, device_id }));
    }
    let event_type =
        non_empty(&alert.event_type).ok_or_else(|| IntakeError::missing(&field("eventType")))?;
    if !event_type.eq_ignore_ascii_case("ANPR") {
        return Ok(CameraPush::Ignored {
            device_id,
            what: format!("Hikvision eventType {event_type}"),
        });
    }
    let anpr = alert.anpr.as_ref().ok_or_else(|| IntakeError::missing(&field("ANPR")))?;

    let camera_time = match non_empty(&alert.date_time) {
        None => None,
        Some(text) => Some(DateTime::parse_from_rfc3339(text).map_err(|_| {
            IntakeError::bad_field(
                &field("dateTime"),
                &format!("时间格式应为 ISO 8601 带时区，收到 {text:?}"),
                "expected ISO 8601 with an offset",
            )
        })?),
    };
    let channel: Option<u32> = number(&alert.channel_id, "channelID")?;
    let post_count: Option<u32> = number(&alert.active_post_count, "activePostCount")?;
    let camera_lane: Option<u32> = number(&anpr.line, "ANPR.line")?;
    let confidence: Option<u8> = number(&anpr.confidence_level, "ANPR.confidenceLevel")?;
    let colour = non_empty(&anpr.plate_color).and_then(plate_colour);

    let mut readings = Vec::new();
    let primary_raw = anpr.license_plate.as_deref().unwrap_or("");
    if let Some(mut primary) =
        reading(primary_raw, confidence, colour, &field("ANPR.licensePlate"))?
    {
        if let Some(text) = non_empty(&anpr.plate_char_believe) {
            primary.char_confidences = text
                .split(',')
                .map(|p| p.trim().parse::<u8>().ok().filter(|c| *c <= 100))
                .collect::<Option<Vec<u8>>>()
                .ok_or_else(|| {
                    IntakeError::bad_field(
                        &field("ANPR.plateCharBelieve"),
                        "应为逗号分隔的 0–100 数字",
                        "expected comma-separated numbers 0–100",
                    )
                })?;
        }
        readings.push(primary);
    }
    // The camera's reading before its own correction is a second candidate; its confidence
    // is unknown.
    if let Some(original) = reading(
        anpr.original_license_plate.as_deref().unwrap_or(""),
        None,
        colour,
        &field("ANPR.originalLicensePlate"),
    )? && readings.iter().all(|r| r.plate != original.plate)
    {
        readings.push(original);
    }

    let camera_direction = match non_empty(&anpr.direction).map(str::to_ascii_lowercase).as_deref()
    {
        Some("forward") => CameraDirection::Forward,
        Some("reverse") => CameraDirection::Reverse,
        _ => CameraDirection::Unknown,
    };

    let mut photos = Vec::with_capacity(pictures.len());
    for part in pictures {
        let kind = photo_kind(&part.name);
        let field = format!("multipart: {}", part.name);
        photos.push(Photo::new(kind, part.name, part.bytes, max_photo_bytes, &field)?);
    }

    let vendor_key = match non_empty(&alert.uuid) {
        Some(uuid) => Some(format!("hikvision:{device_id}:{uuid}")),
        None => non_empty(&alert.date_time)
            .map(|t| format!("hikvision:{device_id}:ch{}:{t}", channel.unwrap_or(1))),
    };

    Ok(CameraPush::Event(Box::new(CameraEvent {
        source: CameraSource::Hikvision,
        device_id,
        vendor_key,
        post_count,
        camera_lane,
        camera_direction,
        camera_time,
        no_plate: readings.is_empty(),
        readings,
        vehicle: VehicleHints {
            kind: non_empty(&anpr.vehicle_type).map(str::to_owned),
            colour: anpr.vehicle_info.as_ref().and_then(|v| non_empty(&v.color)).map(str::to_owned),
            brand: anpr
                .vehicle_info
                .as_ref()
                .and_then(|v| non_empty(&v.vehicle_logo_recog))
                .map(str::to_owned),
            camera_list: non_empty(&anpr.vehicle_list_name).map(str::to_owned),
        },
        photos,
    })))
}
