//! Agent settings: defaults in code, then an optional TOML file, then the environment
//! (`GATELEDGER_GATE__SECTION__KEY`).
//!
//! Invariants the loader enforces (so a misconfigured gate refuses to start instead of
//! misbehaving at the barrier):
//! - unknown keys are refused by name;
//! - lane ids are unique, and a camera device is bound to at most one lane per camera lane
//!   number;
//! - a barrier's coil and input addresses fit the Modbus address space and the pulse is not
//!   zero.
//!
//! Lanes are lists and come from the TOML file; scalar settings can be overridden from the
//! environment (`GATELEDGER_GATE__CAMERA__BIND=0.0.0.0:8091`).

use std::collections::HashSet;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context;
use platform_domain::codes::Direction;
use serde::Deserialize;

/// The example configuration shipped with the binary (`gateledger-gate config-example`).
pub const EXAMPLE: &str = include_str!("../gateledger-gate.example.toml");

/// Everything the agent reads at start.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Settings {
    /// Where the local ledger, photos, keys and cached lists live.
    pub data_dir: PathBuf,
    /// Logging filter; `RUST_LOG` wins.
    pub log_filter: String,
    /// Who this gate is.
    pub gate: GateSettings,
    /// The local status page for the guard house.
    pub status: StatusSettings,
    /// The HTTP listener the ANPR cameras push to.
    pub camera: CameraSettings,
    /// How tolerant plate matching is.
    pub matching: MatchSettings,
    /// The lanes of this gate, each with its cameras, barrier and LED screen.
    pub lanes: Vec<LaneSettings>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            data_dir: PathBuf::from("./gate-data"),
            log_filter: "info".to_owned(),
            gate: GateSettings::default(),
            status: StatusSettings::default(),
            camera: CameraSettings::default(),
            matching: MatchSettings::default(),
            lanes: Vec::new(),
        }
    }
}

/// The gate's identity as shown on the status page (the platform identity comes with
/// enrollment).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct GateSettings {
    /// A short name shown to the guard, e.g. `1号门`.
    pub name: String,
    /// The control status (管控状态) shown to drivers until the platform sends alert levels.
    pub control_status: String,
}

impl Default for GateSettings {
    fn default() -> Self {
        Self { name: "大门".to_owned(), control_status: "常态管控".to_owned() }
    }
}

/// The local status page.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct StatusSettings {
    /// Address of the status page; keep it on the gate's LAN.
    pub bind: SocketAddr,
}

impl Default for StatusSettings {
    fn default() -> Self {
        Self { bind: SocketAddr::from(([127, 0, 0, 1], 8090)) }
    }
}

/// The camera intake listener.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CameraSettings {
    /// Address the cameras push to. Cameras sit on the gate's LAN, so a real install sets
    /// the LAN address; the default stays on loopback so nothing is exposed by accident.
    pub bind: SocketAddr,
    /// The largest single picture accepted, in bytes; a larger one refuses the whole push.
    pub max_photo_bytes: usize,
    /// The largest request body accepted, in bytes (all pictures plus the metadata).
    pub max_body_bytes: usize,
    /// A push of the same plate on the same lane within this many seconds of an earlier one
    /// is a duplicate (the camera re-reporting a truck that is still standing there).
    pub dedup_window_secs: u64,
}

impl Default for CameraSettings {
    fn default() -> Self {
        Self {
            bind: SocketAddr::from(([127, 0, 0, 1], 8091)),
            max_photo_bytes: 2 * 1024 * 1024,
            max_body_bytes: 8 * 1024 * 1024,
            dedup_window_secs: 20,
        }
    }
}

impl CameraSettings {
    /// The duplicate window as a duration.
    pub fn dedup_window(&self) -> Duration {
        Duration::from_secs(self.dedup_window_secs)
    }
}

/// Thresholds of the OCR-tolerant plate matcher (see `matching`).
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct MatchSettings {
    /// An exact match read with a lower confidence (0–100) goes to review.
    pub min_exact_confidence: u8,
    /// A corrected match (one confusable character changed) needs at least this confidence.
    pub min_corrected_confidence: u8,
    /// Registry plates further than this many confusable substitutions are not considered.
    pub max_substitutions: u8,
}

impl Default for MatchSettings {
    fn default() -> Self {
        Self { min_exact_confidence: 50, min_corrected_confidence: 80, max_substitutions: 2 }
    }
}

/// One lane (车道) of the gate: the cameras that watch it, its barrier and its screen.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LaneSettings {
    /// A short, stable id (`in-1`); it appears in every record.
    pub id: String,
    /// What the guard reads (`1号入口`).
    #[serde(default)]
    pub name: String,
    /// Which way a vehicle travelling "forward" past this lane's camera goes.
    pub direction: Direction,
    /// The cameras bound to this lane.
    #[serde(default)]
    pub cameras: Vec<CameraBinding>,
    /// The barrier PLC, when the lane has one the agent drives.
    #[serde(default)]
    pub barrier: Option<BarrierSettings>,
    /// An LED screen controller, when the lane has one.
    #[serde(default)]
    pub led: Option<LedSettings>,
}

/// A camera bound to a lane: its device id, and optionally which of its own lane numbers.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct CameraBinding {
    /// The id the camera reports (Hikvision `deviceID`/`macAddress`/`ipAddress`, Dahua
    /// `DeviceID`, our JSON `device_id`).
    pub device: String,
    /// The camera's own lane number (`line`, `Lane`); unset binds every lane of the camera.
    #[serde(default)]
    pub camera_lane: Option<u32>,
}

/// The Modbus register map of one lane's barrier. Addresses are protocol addresses
/// (0-based), as on the wire.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct BarrierSettings {
    /// The PLC's Modbus TCP address.
    pub plc: SocketAddr,
    /// The Modbus unit (slave) id.
    #[serde(default = "default_unit")]
    pub unit: u8,
    /// The coil pulsed to open the barrier.
    pub open_coil: u16,
    /// How long the open coil stays on, in milliseconds (dry contacts want about 500 ms).
    #[serde(default = "default_pulse_ms")]
    pub pulse_ms: u64,
    /// The coil pulsed to close the barrier, when wired.
    #[serde(default)]
    pub close_coil: Option<u16>,
    /// A discrete input that is on while the barrier is open, when wired.
    #[serde(default)]
    pub status_input: Option<u16>,
    /// One Modbus request's time limit, in milliseconds.
    #[serde(default = "default_request_timeout_ms")]
    pub request_timeout_ms: u64,
    /// Attempts after the first one when the PLC does not answer.
    #[serde(default = "default_retries")]
    pub retries: u32,
    /// The first retry waits this long, in milliseconds; each further one twice as long.
    #[serde(default = "default_backoff_ms")]
    pub backoff_ms: u64,
    /// How long the status input may take to report open (or closed) after a command.
    #[serde(default = "default_confirm_ms")]
    pub confirm_ms: u64,
    /// Without a status input: how long the barrier is assumed open after a pulse.
    #[serde(default = "default_assumed_open_ms")]
    pub assumed_open_ms: u64,
    /// How often the status input (or the PLC's presence) is polled, in milliseconds.
    #[serde(default = "default_poll_ms")]
    pub poll_ms: u64,
}

fn default_unit() -> u8 {
    1
}
fn default_pulse_ms() -> u64 {
    500
}
fn default_request_timeout_ms() -> u64 {
    300
}
fn default_retries() -> u32 {
    2
}
fn default_backoff_ms() -> u64 {
    100
}
fn default_confirm_ms() -> u64 {
    3_000
}
fn default_assumed_open_ms() -> u64 {
    10_000
}
fn default_poll_ms() -> u64 {
    1_000
}

impl BarrierSettings {
    /// A register map with every timing at its default, for tests and examples.
    pub fn new(plc: SocketAddr, open_coil: u16) -> Self {
        Self {
            plc,
            unit: default_unit(),
            open_coil,
            pulse_ms: default_pulse_ms(),
            close_coil: None,
            status_input: None,
            request_timeout_ms: default_request_timeout_ms(),
            retries: default_retries(),
            backoff_ms: default_backoff_ms(),
            confirm_ms: default_confirm_ms(),
            assumed_open_ms: default_assumed_open_ms(),
            poll_ms: default_poll_ms(),
        }
    }
}

/// A TCP LED controller that takes plain text lines.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct LedSettings {
    /// The controller's TCP address.
    pub addr: SocketAddr,
    /// The text sent, with placeholders `{plate}`, `{stage}`, `{status}`, `{control}`,
    /// `{reason}`, `{time}`, `{lane}`; `\n` separates screen lines.
    #[serde(default = "default_led_template")]
    pub template: String,
}

/// The default LED template: four lines, as on a common 4-row gate screen.
pub fn default_led_template() -> String {
    "{plate} {stage}\n{status}\n{reason}\n{time}".to_owned()
}

impl Settings {
    /// Loads defaults, then `file` when given, then the environment, and checks the result.
    pub fn load(file: Option<&Path>) -> anyhow::Result<Self> {
        let mut builder = config::Config::builder();
        if let Some(path) = file {
            anyhow::ensure!(path.is_file(), "configuration file {} does not exist", path.display());
            builder = builder.add_source(
                config::File::from(path).format(config::FileFormat::Toml).required(true),
            );
        }
        builder = builder.add_source(
            config::Environment::with_prefix("GATELEDGER_GATE")
                .prefix_separator("__")
                .separator("__")
                .try_parsing(true),
        );
        let settings: Settings = builder
            .build()
            .and_then(config::Config::try_deserialize)
            .context("invalid configuration")?;
        settings.validate()?;
        Ok(settings)
    }

    /// Checks the invariants listed in the module docs.
    pub fn validate(&self) -> anyhow::Result<()> {
        let mut ids = HashSet::new();
        let mut bindings = HashSet::new();
        for lane in &self.lanes {
            anyhow::ensure!(!lane.id.trim().is_empty(), "lanes: a lane has an empty id");
            anyhow::ensure!(
                ids.insert(lane.id.as_str()),
                "lanes: lane id {:?} is repeated",
                lane.id
            );
            for cam in &lane.cameras {
                anyhow::ensure!(
                    bindings.insert((cam.device.as_str(), cam.camera_lane)),
                    "lanes.{}: camera {:?} (camera lane {:?}) is bound to two lanes",
                    lane.id,
                    cam.device,
                    cam.camera_lane
                );
            }
            if let Some(b) = &lane.barrier {
                anyhow::ensure!(
                    b.pulse_ms > 0,
                    "lanes.{}.barrier.pulse_ms must be above 0",
                    lane.id
                );
                anyhow::ensure!(
                    b.request_timeout_ms > 0,
                    "lanes.{}.barrier.request_timeout_ms must be above 0",
                    lane.id
                );
                anyhow::ensure!(b.poll_ms > 0, "lanes.{}.barrier.poll_ms must be above 0", lane.id);
            }
        }
        anyhow::ensure!(
            self.matching.min_exact_confidence <= 100
                && self.matching.min_corrected_confidence <= 100,
            "matching: confidences are percentages (0–100)"
        );
        Ok(())
    }

    /// The lane a camera event belongs to: the lane binding this device and camera lane, or
    /// else the lane binding the whole device.
    pub fn lane_for(&self, device: &str, camera_lane: Option<u32>) -> Option<&LaneSettings> {
        let exact = self.lanes.iter().find(|l| {
            l.cameras.iter().any(|c| {
                c.device == device && c.camera_lane.is_some() && c.camera_lane == camera_lane
            })
        });
        exact.or_else(|| {
            self.lanes
                .iter()
                .find(|l| l.cameras.iter().any(|c| c.device == device && c.camera_lane.is_none()))
        })
    }

    /// The lane with this id.
    pub fn lane(&self, id: &str) -> Option<&LaneSettings> {
        self.lanes.iter().find(|l| l.id == id)
    }

    /// The SQLite database file of the local store.
    pub fn database_path(&self) -> PathBuf {
        self.data_dir.join("gate.db")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load_str(toml: &str) -> anyhow::Result<Settings> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("gate.toml");
        std::fs::write(&path, toml).unwrap();
        Settings::load(Some(&path))
    }

    #[test]
    fn example_configuration_parses() {
        let settings = load_str(EXAMPLE).unwrap();
        assert_eq!(settings.status.bind.port(), 8090);
        assert_eq!(settings.lanes.len(), 2);
        let entry = settings.lane("in-1").unwrap();
        assert_eq!(entry.direction, Direction::Entry);
        let barrier = entry.barrier.as_ref().unwrap();
        assert_eq!(barrier.open_coil, 0);
        assert_eq!(barrier.status_input, Some(0));
    }

    #[test]
    fn unknown_keys_are_refused_by_name() {
        let err = load_str("[camera]\nbindd = \"127.0.0.1:1\"\n").unwrap_err();
        assert!(format!("{err:#}").contains("bindd"), "{err:#}");
    }

    #[test]
    fn repeated_lane_ids_are_refused() {
        let toml = "[[lanes]]\nid = \"a\"\ndirection = \"entry\"\n[[lanes]]\nid = \"a\"\ndirection = \"exit\"\n";
        let err = load_str(toml).unwrap_err();
        assert!(format!("{err:#}").contains("repeated"), "{err:#}");
    }

    #[test]
    fn lane_lookup_prefers_the_camera_lane_binding() {
        let toml = r#"
[[lanes]]
id = "whole"
direction = "entry"
cameras = [{ device = "cam-1" }]
[[lanes]]
id = "second"
direction = "exit"
cameras = [{ device = "cam-1", camera_lane = 2 }]
"#;
        let s = load_str(toml).unwrap();
        assert_eq!(s.lane_for("cam-1", Some(2)).unwrap().id, "second");
        assert_eq!(s.lane_for("cam-1", Some(1)).unwrap().id, "whole");
        assert_eq!(s.lane_for("cam-1", None).unwrap().id, "whole");
        assert!(s.lane_for("cam-9", Some(1)).is_none());
    }
}
