//! Starting a gate agent process with a configuration written for the test.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use gateledger_e2e::process::{Running, bin_path, spawn_until};

/// A running `gateledger-gate run` and where it listens.
#[derive(Debug)]
pub struct AgentProcess {
    pub process: Running,
    pub camera: String,
    pub status: String,
    pub status_addr: SocketAddr,
}

/// The lane block of a config: one entry lane bound to both simulated cameras, with a
/// barrier on `plc` when given.
pub fn lane_toml(plc: Option<SocketAddr>) -> String {
    let mut lane = String::from(
        r#"
[[lanes]]
id = "in-1"
name = "1号入口"
direction = "entry"
cameras = [{ device = "DS-TCG405-E0120230101AAWRJ00001" }, { device = "6F0A1B2PAZ00001" }]
"#,
    );
    if let Some(plc) = plc {
        lane.push_str(&format!(
            r#"
[lanes.barrier]
plc = "{plc}"
open_coil = 0
close_coil = 1
status_input = 0
pulse_ms = 100
confirm_ms = 2000
poll_ms = 200
request_timeout_ms = 200
retries = 1
backoff_ms = 50
"#
        ));
    }
    lane
}

/// Writes a config under `dir` (data in `dir/data`, both listeners on free ports).
pub fn write_config(dir: &Path, lanes: &str) -> PathBuf {
    let path = dir.join("gate.toml");
    let text = format!(
        "data_dir = \"{}\"\n\n[gate]\nname = \"测试门岗\"\n\n[camera]\nbind = \"127.0.0.1:0\"\n\n[status]\nbind = \"127.0.0.1:0\"\n{lanes}",
        dir.join("data").display()
    );
    std::fs::write(&path, text).unwrap();
    path
}

/// A `gateledger-gate` command with `config`, free of the caller's gateledger variables.
pub fn gate_command(config: &Path) -> Command {
    let mut cmd = Command::new(bin_path("gateledger-gate"));
    cmd.arg("--config").arg(config);
    for (key, _) in std::env::vars() {
        if key.starts_with("GATELEDGER_GATE") {
            cmd.env_remove(key);
        }
    }
    cmd.env("RUST_LOG", "warn");
    cmd
}

/// Registers plates with `gateledger-gate registry add`.
pub fn register(config: &Path, plates: &[String]) {
    let out = gate_command(config).args(["registry", "add"]).args(plates).output().unwrap();
    assert!(out.status.success(), "registry add failed: {}", String::from_utf8_lossy(&out.stderr));
}

/// Starts `gateledger-gate run` and reads the two address lines.
pub fn start_agent(config: &Path) -> AgentProcess {
    let mut cmd = gate_command(config);
    cmd.arg("run");
    let (process, line) = spawn_until(cmd, "status on http://", Duration::from_secs(30));
    let status = line.rsplit_once("status on ").unwrap().1.trim().to_owned();
    let camera = process
        .stdout_head
        .iter()
        .find_map(|l| l.split_once("camera intake on ").map(|(_, a)| a.trim().to_owned()))
        .expect("camera line");
    let status_addr = status.trim_start_matches("http://").parse().unwrap();
    AgentProcess { process, camera, status, status_addr }
}

impl AgentProcess {
    /// `GET /api/status`.
    pub async fn status_json(&self) -> serde_json::Value {
        reqwest::get(format!("{}/api/status", self.status)).await.unwrap().json().await.unwrap()
    }

    /// Polls `/api/status` until `pred` holds, for at most `within`.
    pub async fn wait_status(
        &self,
        within: Duration,
        what: &str,
        pred: impl Fn(&serde_json::Value) -> bool,
    ) -> serde_json::Value {
        let deadline = Instant::now() + within;
        loop {
            let v = self.status_json().await;
            if pred(&v) {
                return v;
            }
            assert!(
                Instant::now() < deadline,
                "{what}: not reached within {within:?}; status: {v:#}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Posts a push to the camera listener.
    pub async fn push(&self, path: &str, content_type: &str, body: Vec<u8>) -> (u16, String) {
        let resp = reqwest::Client::new()
            .post(format!("{}{path}", self.camera))
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .unwrap();
        (resp.status().as_u16(), resp.text().await.unwrap())
    }
}

/// A loopback address where nothing listens (bound, then released).
pub fn dead_address() -> SocketAddr {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap()
}
