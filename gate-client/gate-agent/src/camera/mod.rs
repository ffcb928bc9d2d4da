//! Camera intake: what the ANPR cameras push, normalised into one [`CameraEvent`].
//!
//! Three push formats arrive over HTTP ([`http`]): Hikvision ISAPI ([`hikvision`]), Dahua
//! ITSAPI ([`dahua`]) and our own plain JSON ([`json`]). Each parser turns a request body into
//! a [`CameraPush`] or an [`IntakeError`] that names the field and the reason, in Chinese
//! first; a parser never touches the store, so a refused push leaves nothing behind.
//!
//! Invariants of a [`CameraEvent`]:
//! - every candidate reading the camera sent is kept, in the camera's order (its primary
//!   reading first), with its confidence when the camera gave one; low-confidence reads are
//!   never dropped (a silent drop is a truck missing from the ledger);
//! - plates are normalised (half-width, upper case, no separators), the raw text is kept;
//! - `no_plate` is set, and `readings` is empty, when the camera reported a vehicle without
//!   a readable plate (无牌车);
//! - every photo is a JPEG no larger than the configured limit, with its SHA-256.

pub mod dahua;
pub mod error;
pub mod hikvision;
pub mod http;
pub mod json;

use chrono::{DateTime, FixedOffset, Utc};
use platform_domain::codes::{Direction, PlateColour};
use serde::Serialize;
use sha2::{Digest, Sha256};

pub use error::IntakeError;

/// Which push format an event came in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CameraSource {
    /// Hikvision ISAPI `EventNotificationAlert` (multipart with `anpr.xml`).
    Hikvision,
    /// Dahua ITSAPI `TollgateInfo` JSON.
    Dahua,
    /// gateledger's own plain JSON.
    Gateledger,
}

impl CameraSource {
    /// The stable identifier stored in the database.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Hikvision => "hikvision",
            Self::Dahua => "dahua",
            Self::Gateledger => "gateledger",
        }
    }
}

/// The travel direction relative to the camera, as the camera reports it. The lane's
/// configuration turns it into entry or exit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CameraDirection {
    /// Towards the camera's configured direction (Hikvision `forward`, Dahua `Obverse`).
    Forward,
    /// Against it (Hikvision `reverse`, Dahua `Reverse`).
    Reverse,
    /// The camera did not say.
    Unknown,
}

impl CameraDirection {
    /// The stable identifier stored in the database.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Forward => "forward",
            Self::Reverse => "reverse",
            Self::Unknown => "unknown",
        }
    }

    /// Entry or exit on a lane whose forward direction is `lane`.
    pub fn resolve(self, lane: Direction) -> Direction {
        match (self, lane) {
            (Self::Reverse, Direction::Entry) => Direction::Exit,
            (Self::Reverse, Direction::Exit) => Direction::Entry,
            (_, lane) => lane,
        }
    }
}

/// One candidate reading of the plate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlateReading {
    /// The normalised plate (half-width, upper case, no separators).
    pub plate: String,
    /// The text as the camera sent it.
    pub raw: String,
    /// The camera's confidence, 0–100, when it gave one.
    pub confidence: Option<u8>,
    /// The plate colour the camera saw, when it said.
    pub colour: Option<PlateColour>,
    /// Per-character confidences (Hikvision `plateCharBelieve`), when sent.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub char_confidences: Vec<u8>,
}

/// What a photo shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PhotoKind {
    /// The plate crop (Hikvision `licensePlatePicture`, Dahua `CutoutPic`).
    Plate,
    /// The scene (Hikvision `detectionPicture`, Dahua `NormalPic`).
    Scene,
    /// The whole vehicle body.
    Vehicle,
    /// Anything else the camera attached.
    Other,
}

impl PhotoKind {
    /// The stable identifier stored in the database.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Plate => "plate",
            Self::Scene => "scene",
            Self::Vehicle => "vehicle",
            Self::Other => "other",
        }
    }

    /// Parses [`Self::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "plate" => Self::Plate,
            "scene" => Self::Scene,
            "vehicle" => Self::Vehicle,
            "other" => Self::Other,
            _ => return None,
        })
    }
}

/// A photo attached to an event, checked to be a JPEG.
#[derive(Clone, PartialEq, Eq)]
pub struct Photo {
    /// What it shows.
    pub kind: PhotoKind,
    /// The name the camera gave it (part name or file name).
    pub name: String,
    /// The JPEG bytes.
    pub bytes: Vec<u8>,
    /// SHA-256 of `bytes`.
    pub sha256: [u8; 32],
}

impl std::fmt::Debug for Photo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Bytes are not logged: a photo is hundreds of kB.
        f.debug_struct("Photo")
            .field("kind", &self.kind)
            .field("name", &self.name)
            .field("len", &self.bytes.len())
            .field("sha256", &hex::encode(self.sha256))
            .finish()
    }
}

impl Photo {
    /// Checks that `bytes` is a JPEG within `max_bytes` and computes its digest. `field`
    /// names the part or JSON field in the error.
    pub fn new(
        kind: PhotoKind,
        name: impl Into<String>,
        bytes: Vec<u8>,
        max_bytes: usize,
        field: &str,
    ) -> Result<Self, IntakeError> {
        if bytes.len() > max_bytes {
            return Err(IntakeError::photo_too_large(field, bytes.len(), max_bytes));
        }
        if !bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            return Err(IntakeError::bad_field(
                field,
                "图片不是 JPEG 格式",
                "the picture is not a JPEG",
            ));
        }
        let sha256 = Sha256::digest(&bytes).into();
        Ok(Self { kind, name: name.into(), bytes, sha256 })
    }

    /// The digest as lowercase hex.
    pub fn sha256_hex(&self) -> String {
        hex::encode(self.sha256)
    }
}

/// What else the camera said about the vehicle; kept for the record, not used to decide.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct VehicleHints {
    /// The camera's vehicle type text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Body colour.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub colour: Option<String>,
    /// Brand or series.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub brand: Option<String>,
    /// The list the camera itself matched (Hikvision `vehicleListName`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub camera_list: Option<String>,
}

/// One vehicle seen by one camera, normalised from any push format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CameraEvent {
    /// The push format.
    pub source: CameraSource,
    /// The camera's id (Hikvision `deviceID`, else `macAddress`, else `ipAddress`).
    pub device_id: String,
    /// A key that is the same on every re-upload of this event, when the camera gives one
    /// (Hikvision `UUID`, Dahua `GroupID`/`EventID`, our `event_id`).
    pub vendor_key: Option<String>,
    /// Hikvision `activePostCount`: how many times this alarm has been uploaded.
    pub post_count: Option<u32>,
    /// The camera's own lane number.
    pub camera_lane: Option<u32>,
    /// Direction relative to the camera.
    pub camera_direction: CameraDirection,
    /// The capture time by the camera's clock.
    pub camera_time: Option<DateTime<FixedOffset>>,
    /// Every candidate reading, the camera's primary reading first.
    pub readings: Vec<PlateReading>,
    /// The camera saw a vehicle without a readable plate (无牌车).
    pub no_plate: bool,
    /// Vehicle type, colour, brand.
    pub vehicle: VehicleHints,
    /// The pictures.
    pub photos: Vec<Photo>,
}

impl CameraEvent {
    /// The primary reading's plate.
    pub fn best_plate(&self) -> Option<&str> {
        self.readings.first().map(|r| r.plate.as_str())
    }
}

/// A camera heartbeat (Hikvision `eventState=inactive`, Dahua `KeepAlive`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heartbeat {
    /// The push format.
    pub source: CameraSource,
    /// The camera's id.
    pub device_id: String,
}

/// What one push carried.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CameraPush {
    /// A vehicle.
    Event(Box<CameraEvent>),
    /// The camera is alive.
    Heartbeat(Heartbeat),
    /// A well-formed notification that is not a plate read (e.g. motion detection); it is
    /// acknowledged and not recorded.
    Ignored {
        /// The camera's id.
        device_id: String,
        /// What it was.
        what: String,
    },
}

/// An event as the gate received it: when, and on which of its lanes.
#[derive(Debug, Clone)]
pub struct ReceivedEvent {
    /// The event's id on this gate (UUIDv7, so ids sort by arrival).
    pub id: uuid::Uuid,
    /// When the gate received it (gate clock, UTC).
    pub received_at: DateTime<Utc>,
    /// The configured lane, when the camera is bound to one.
    pub lane: Option<String>,
    /// Entry or exit, when the lane is known.
    pub direction: Option<Direction>,
    /// The event.
    pub event: CameraEvent,
}

/// Text that cameras send instead of a plate when they saw a vehicle without one.
const NO_PLATE_MARKERS: [&str; 6] = ["无车牌", "无牌", "无牌车", "未识别", "UNKNOWN", "NONE"];

/// Normalises a plate as read: full-width forms to half-width, upper case, separators
/// (spaces, `·`, `-`, `.`) removed. `None` for empty text or a no-plate marker.
pub fn normalise_plate(raw: &str) -> Option<String> {
    let mut out = String::with_capacity(raw.len());
    for c in raw.trim().chars() {
        let c = match c {
            // Full-width ASCII (U+FF01–U+FF5E) maps to U+0021–U+007E.
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            c => c,
        };
        if c.is_whitespace() || matches!(c, '·' | '•' | '-' | '.' | '_' | '\u{30FB}') {
            continue;
        }
        out.extend(c.to_uppercase());
    }
    if out.is_empty() || NO_PLATE_MARKERS.contains(&out.as_str()) { None } else { Some(out) }
}

/// The longest plate text accepted (new-energy plates have 8 characters; some cameras add
/// a colour prefix, which is stripped).
pub const MAX_PLATE_CHARS: usize = 12;

/// Camera colour prefixes some firmware puts in front of the plate (`黄冀B12345`).
const COLOUR_PREFIXES: [(&str, PlateColour); 5] = [
    ("蓝", PlateColour::Blue),
    ("黄", PlateColour::Yellow),
    ("黑", PlateColour::Black),
    ("白", PlateColour::White),
    ("绿", PlateColour::GradientGreen),
];

/// Builds a reading from camera text; `Ok(None)` when the text means "no plate".
pub fn reading(
    raw: &str,
    confidence: Option<u8>,
    colour: Option<PlateColour>,
    field: &str,
) -> Result<Option<PlateReading>, IntakeError> {
    let Some(mut plate) = normalise_plate(raw) else { return Ok(None) };
    let mut colour = colour;
    for (prefix, c) in COLOUR_PREFIXES {
        if let Some(rest) = plate.strip_prefix(prefix)
            && rest.chars().count() >= 7
        {
            colour = colour.or(Some(c));
            plate = rest.to_owned();
            break;
        }
    }
    if plate.chars().count() > MAX_PLATE_CHARS {
        return Err(IntakeError::bad_field(
            field,
            &format!("车牌号过长（{} 个字符，最多 {MAX_PLATE_CHARS} 个）", plate.chars().count()),
            "the plate text is too long",
        ));
    }
    if let Some(c) = confidence
        && c > 100
    {
        return Err(IntakeError::bad_field(
            field,
            "置信度必须在 0–100 之间",
            "confidence must be 0–100",
        ));
    }
    Ok(Some(PlateReading {
        plate,
        raw: raw.to_owned(),
        confidence,
        colour,
        char_confidences: Vec::new(),
    }))
}

/// Maps the colour words cameras use (English or Chinese) to the canonical colour.
pub fn plate_colour(text: &str) -> Option<PlateColour> {
    let t = text.trim().to_ascii_lowercase();
    Some(match t.as_str() {
        "blue" | "蓝" | "蓝色" => PlateColour::Blue,
        "yellow" | "黄" | "黄色" => PlateColour::Yellow,
        "black" | "黑" | "黑色" => PlateColour::Black,
        "white" | "白" | "白色" => PlateColour::White,
        "green" | "newenergygreen" | "gradient_green" | "绿" | "绿色" | "渐变绿" => {
            PlateColour::GradientGreen
        }
        "yellowgreen" | "yellow_green" | "newenergyyellowgreen" | "黄绿" | "黄绿双拼" => {
            PlateColour::YellowGreen
        }
        "" | "unknown" => return None,
        _ => PlateColour::Other,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plates_are_normalised() {
        for (raw, want) in [
            ("冀B·12345", Some("冀B12345")),
            (" 冀b 12345 ", Some("冀B12345")),
            ("冀Ｂ１２３４５", Some("冀B12345")),
            ("晋A-D12345", Some("晋AD12345")),
            ("无车牌", None),
            ("无牌车", None),
            ("", None),
            ("unknown", None),
        ] {
            assert_eq!(normalise_plate(raw).as_deref(), want, "{raw}");
        }
    }

    #[test]
    fn colour_prefix_is_stripped_into_the_colour() {
        let r = reading("黄冀B12345", Some(90), None, "x").unwrap().unwrap();
        assert_eq!(r.plate, "冀B12345");
        assert_eq!(r.colour, Some(PlateColour::Yellow));
        assert_eq!(r.raw, "黄冀B12345");
    }

    #[test]
    fn overlong_plate_and_bad_confidence_name_the_field() {
        let err = reading("冀B1234567890123", None, None, "ANPR.licensePlate").unwrap_err();
        assert!(err.to_string().contains("ANPR.licensePlate"), "{err}");
        let err = reading("冀B12345", Some(101), None, "Plate.Confidence").unwrap_err();
        assert!(err.to_string().contains("Plate.Confidence"), "{err}");
    }

    #[test]
    fn photo_must_be_a_jpeg_within_the_limit() {
        let jpeg = vec![0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3];
        assert!(Photo::new(PhotoKind::Plate, "p", jpeg.clone(), 100, "f").is_ok());
        let err = Photo::new(PhotoKind::Plate, "p", jpeg, 3, "f").unwrap_err();
        assert_eq!(err.status, axum::http::StatusCode::PAYLOAD_TOO_LARGE);
        let err = Photo::new(PhotoKind::Plate, "p", b"GIF89a".to_vec(), 100, "f").unwrap_err();
        assert_eq!(err.status, axum::http::StatusCode::BAD_REQUEST);
    }

    #[test]
    fn reverse_travel_flips_the_lane_direction() {
        assert_eq!(CameraDirection::Reverse.resolve(Direction::Entry), Direction::Exit);
        assert_eq!(CameraDirection::Forward.resolve(Direction::Exit), Direction::Exit);
        assert_eq!(CameraDirection::Unknown.resolve(Direction::Entry), Direction::Entry);
    }
}
