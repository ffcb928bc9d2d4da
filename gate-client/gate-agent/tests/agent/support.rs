//! A gate over a temporary data directory, with its router and the barrier queue exposed.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use chrono::Utc;
use gate_agent::barrier::{BarrierCommand, BarrierHandle};
use gate_agent::config::{CameraBinding, LaneSettings, Settings};
use gate_agent::gate::{Gate, RegistryOnly};
use gate_agent::health::Health;
use gate_agent::matching::Registry;
use gate_agent::store::{RegisteredPlate, Store, StoreCounts};
use platform_domain::codes::Direction;
use tokio::sync::{Mutex, mpsc};
use tower::ServiceExt as _;

pub const HIK_DEVICE: &str = "DS-TCG405-E0120230101AAWRJ00001";
pub const DAHUA_DEVICE: &str = "6F0A1B2PAZ00001";

pub fn fixture(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/agent/fixtures").join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

pub const HIK_BOUNDARY: &str = "multipart/form-data; boundary=MIME_boundary_hik7Qx2";

pub fn lane(id: &str, direction: Direction, devices: &[&str]) -> LaneSettings {
    LaneSettings {
        id: id.to_owned(),
        name: String::new(),
        direction,
        cameras: devices
            .iter()
            .map(|d| CameraBinding { device: (*d).to_owned(), camera_lane: None })
            .collect(),
        barrier: None,
        led: None,
    }
}

pub fn settings(dir: &Path) -> Settings {
    let mut s = Settings { data_dir: dir.to_owned(), ..Settings::default() };
    s.lanes = vec![
        lane("in-1", Direction::Entry, &[HIK_DEVICE, DAHUA_DEVICE]),
        lane("in-2", Direction::Entry, &["lane2-bridge"]),
    ];
    s
}

pub struct TestGate {
    pub dir: tempfile::TempDir,
    pub gate: Arc<Gate>,
    pub app: Router,
    pub barrier: Arc<Mutex<mpsc::Receiver<BarrierCommand>>>,
}

impl TestGate {
    pub async fn new(registry: &[&str]) -> Self {
        Self::with(registry, |_| {}).await
    }

    pub async fn with(registry: &[&str], tweak: impl FnOnce(&mut Settings)) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let mut s = settings(dir.path());
        tweak(&mut s);
        let store = Arc::new(Store::open(dir.path()).await.unwrap());
        for plate in registry {
            let p =
                RegisteredPlate { plate: (*plate).to_owned(), colour: None, label: String::new() };
            store.upsert_registry_plate(&p, Utc::now()).await.unwrap();
        }
        let registry = Registry::new(store.registry().await.unwrap());
        let (handle, rx) = BarrierHandle::channel("in-1");
        let health = Arc::new(Health::new("测试门", Utc::now()));
        let decider = Box::new(RegistryOnly { control: "常态管控".to_owned() });
        let gate = Arc::new(Gate::new(
            Arc::new(s),
            store,
            registry,
            decider,
            vec![("in-1".to_owned(), handle)],
            health,
        ));
        let app = gate_agent::camera::http::router(gate.clone());
        Self { dir, gate, app, barrier: rx }
    }

    pub async fn post(
        &self,
        path: &str,
        content_type: &str,
        body: impl Into<Body>,
    ) -> (StatusCode, serde_json::Value) {
        let req =
            Request::post(path).header("content-type", content_type).body(body.into()).unwrap();
        let resp = self.app.clone().oneshot(req).await.unwrap();
        let status = resp.status();
        let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX).await.unwrap();
        let json = serde_json::from_slice(&bytes).unwrap_or_else(|_| {
            serde_json::Value::String(String::from_utf8_lossy(&bytes).into_owned())
        });
        (status, json)
    }

    pub async fn counts(&self) -> StoreCounts {
        self.gate.store().counts().await.unwrap()
    }

    /// Every file under photos/ (relative paths).
    pub fn photo_files(&self) -> Vec<PathBuf> {
        fn walk(dir: &Path, root: &Path, out: &mut Vec<PathBuf>) {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    walk(&path, root, out);
                } else {
                    out.push(path.strip_prefix(root).unwrap().to_owned());
                }
            }
        }
        let mut out = Vec::new();
        walk(&self.dir.path().join("photos"), self.dir.path(), &mut out);
        out.sort();
        out
    }

    /// The barrier commands queued so far.
    pub async fn barrier_commands(&self) -> Vec<BarrierCommand> {
        let mut rx = self.barrier.lock().await;
        let mut out = Vec::new();
        while let Ok(cmd) = rx.try_recv() {
            out.push(cmd);
        }
        out
    }
}
