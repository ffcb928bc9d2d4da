//! Assembles a running agent from its settings: the store, the registry, the gate, and the
//! supervised components (camera intake, status page, one barrier task per lane with a PLC,
//! one LED sender per lane with a screen, and the health loop).
//!
//! Listeners are bound before any component starts, so a busy port fails the start (instead
//! of a restart loop) and port 0 works in tests; a restarted server reuses its listener.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use chrono::Utc;
use tokio_util::sync::CancellationToken;

use crate::barrier::{self, BarrierHandle};
use crate::config::Settings;
use crate::gate::{Gate, RegistryOnly};
use crate::health::Health;
use crate::matching::Registry;
use crate::store::Store;
use crate::supervisor::Supervisor;

/// How often the health loop runs (registry reload, store check).
const HEALTH_INTERVAL: Duration = Duration::from_secs(5);

/// A running agent.
#[derive(Debug)]
pub struct Agent {
    /// Where the cameras push.
    pub camera_addr: SocketAddr,
    /// Where the status page is.
    pub status_addr: SocketAddr,
    gate: Arc<Gate>,
    supervisor: Supervisor,
}

fn bind(addr: SocketAddr, what: &str) -> anyhow::Result<std::net::TcpListener> {
    let listener = std::net::TcpListener::bind(addr)
        .with_context(|| format!("cannot listen on {addr} ({what})"))?;
    listener.set_nonblocking(true)?;
    Ok(listener)
}

async fn serve(
    listener: &std::net::TcpListener,
    app: axum::Router,
    cancel: CancellationToken,
) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::from_std(listener.try_clone()?)?;
    axum::serve(listener, app)
        .with_graceful_shutdown(async move { cancel.cancelled().await })
        .await?;
    Ok(())
}

impl Agent {
    /// Opens the store, binds the listeners and starts every component.
    pub async fn start(settings: Settings) -> anyhow::Result<Self> {
        settings.validate()?;
        let settings = Arc::new(settings);
        let store = Arc::new(Store::open(&settings.data_dir).await?);
        let health = Arc::new(Health::new(&settings.gate.name, Utc::now()));
        health.lanes(settings.lanes.iter().map(|l| (l.id.as_str(), l.name.as_str())));
        let registry = Registry::new(store.registry().await?);

        let mut handles = Vec::new();
        let mut receivers = Vec::new();
        for lane in &settings.lanes {
            if let Some(b) = &lane.barrier {
                let (handle, rx) = BarrierHandle::channel(&lane.id);
                handles.push((lane.id.clone(), handle));
                receivers.push((lane.id.clone(), b.clone(), rx));
            }
        }
        let decider = Box::new(RegistryOnly { control: settings.gate.control_status.clone() });
        let gate = Arc::new(Gate::new(
            settings.clone(),
            store.clone(),
            registry,
            decider,
            handles,
            health.clone(),
        ));

        let camera_listener = Arc::new(bind(settings.camera.bind, "camera intake")?);
        let status_listener = Arc::new(bind(settings.status.bind, "status page")?);
        let camera_addr = camera_listener.local_addr()?;
        let status_addr = status_listener.local_addr()?;

        let mut supervisor = Supervisor::new(health.clone());
        {
            let gate = gate.clone();
            supervisor.spawn("camera", move |cancel| {
                let (gate, listener) = (gate.clone(), camera_listener.clone());
                async move { serve(&listener, crate::camera::http::router(gate), cancel).await }
            });
        }
        {
            let gate = gate.clone();
            supervisor.spawn("status", move |cancel| {
                let (gate, listener) = (gate.clone(), status_listener.clone());
                async move { serve(&listener, crate::status::router(gate), cancel).await }
            });
        }
        for (lane, settings, rx) in receivers {
            let (health, store) = (health.clone(), store.clone());
            supervisor.spawn(&format!("barrier:{lane}"), move |cancel| {
                barrier::run(
                    lane.clone(),
                    settings.clone(),
                    rx.clone(),
                    health.clone(),
                    store.clone(),
                    cancel,
                )
            });
        }
        for lane in &settings.lanes {
            if let Some(led) = &lane.led {
                let (id, led, health) = (lane.id.clone(), led.clone(), health.clone());
                supervisor.spawn(&format!("display:{id}"), move |cancel| {
                    crate::display::run_led(id.clone(), led.clone(), health.clone(), cancel)
                });
            }
        }
        {
            let gate = gate.clone();
            supervisor.spawn("health", move |cancel| {
                let gate = gate.clone();
                async move {
                    let mut tick = tokio::time::interval(HEALTH_INTERVAL);
                    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
                    loop {
                        tokio::select! {
                            () = cancel.cancelled() => return Ok(()),
                            _ = tick.tick() => {}
                        }
                        // The cached registry may have been changed by `gateledger-gate registry`
                        // (and later by the platform's list sync).
                        gate.reload_registry().await.context("cannot reload the plate registry")?;
                    }
                }
            });
        }
        tracing::info!(camera.addr = %camera_addr, status.addr = %status_addr, lanes = settings.lanes.len(), "gate agent started");
        Ok(Self { camera_addr, status_addr, gate, supervisor })
    }

    /// The gate.
    pub fn gate(&self) -> &Arc<Gate> {
        &self.gate
    }

    /// Stops every component.
    pub async fn shutdown(self) {
        self.supervisor.shutdown(Duration::from_secs(5)).await;
        tracing::info!("gate agent stopped");
    }
}
