//! The barrier driver against the real Modbus TCP peer (pymodbus, started by infra/test.sh).
//! pymodbus is a plain register bank: coils read back what was written, discrete inputs
//! stay off. These tests use coils and inputs 40–49 only.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use gate_agent::barrier::state::{BarrierState, FaultKind};
use gate_agent::barrier::{self, BarrierCommand, BarrierHandle, FAULT_ALARM};
use gate_agent::config::BarrierSettings;
use gate_agent::health::Health;
use gate_agent::store::Store;
use gateledger_e2e::require_env;
use tokio_modbus::client::{Reader as _, tcp};
use tokio_util::sync::CancellationToken;

fn peer() -> SocketAddr {
    require_env("GATELEDGER_TEST_MODBUS").parse().expect("GATELEDGER_TEST_MODBUS is host:port")
}

struct Lane {
    _dir: tempfile::TempDir,
    store: Arc<Store>,
    health: Arc<Health>,
    handle: BarrierHandle,
    cancel: CancellationToken,
    task: tokio::task::JoinHandle<anyhow::Result<()>>,
}

async fn drive(settings: BarrierSettings) -> Lane {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(Store::open(dir.path()).await.unwrap());
    let health = Arc::new(Health::new("测试门", Utc::now()));
    let (handle, rx) = BarrierHandle::channel("pymodbus");
    let cancel = CancellationToken::new();
    let task = tokio::spawn(barrier::run(
        "pymodbus".to_owned(),
        settings,
        rx,
        health.clone(),
        store.clone(),
        cancel.clone(),
    ));
    Lane { _dir: dir, store, health, handle, cancel, task }
}

impl Lane {
    async fn wait_for(&self, want: BarrierState, within: Duration) {
        let deadline = Instant::now() + within;
        loop {
            let state = self.health.snapshot().barriers.get("pymodbus").map(|b| b.state);
            if state == Some(want) {
                return;
            }
            assert!(Instant::now() < deadline, "barrier did not reach {want:?}; it is {state:?}");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    async fn stop(self) {
        self.cancel.cancel();
        self.task.await.unwrap().unwrap();
    }
}

/// Samples a coil every 10 ms for `window`; returns the values seen in order, deduplicated.
async fn watch_coil(addr: SocketAddr, coil: u16, window: Duration) -> Vec<bool> {
    let mut ctx = tcp::connect(addr).await.expect("connect to the Modbus peer");
    let deadline = Instant::now() + window;
    let mut seen: Vec<bool> = Vec::new();
    while Instant::now() < deadline {
        let v = ctx.read_coils(coil, 1).await.expect("transport").expect("exception")[0];
        if seen.last() != Some(&v) {
            seen.push(v);
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    seen
}

#[tokio::test]
async fn open_and_close_pulses_reach_the_real_modbus_peer() {
    // Arrange: open coil 40, close coil 41, no status input (pymodbus cannot move one).
    let addr = peer();
    let settings = BarrierSettings {
        pulse_ms: 300,
        close_coil: Some(41),
        assumed_open_ms: 60_000,
        poll_ms: 100,
        ..BarrierSettings::new(addr, 40)
    };
    let lane = drive(settings).await;
    lane.wait_for(BarrierState::Closed, Duration::from_secs(3)).await;

    // Act: open, watching coil 40 from a second client.
    let watcher = tokio::spawn(watch_coil(addr, 40, Duration::from_millis(900)));
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(lane.handle.command(BarrierCommand::Open { cause: "e2e".to_owned() }));

    // Assert: the coil went on for the pulse and off again; the write was acknowledged.
    assert_eq!(watcher.await.unwrap(), vec![false, true, false]);
    lane.wait_for(BarrierState::Open, Duration::from_secs(2)).await;

    let watcher = tokio::spawn(watch_coil(addr, 41, Duration::from_millis(900)));
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(lane.handle.command(BarrierCommand::Close));
    assert_eq!(watcher.await.unwrap(), vec![false, true, false]);
    lane.wait_for(BarrierState::Closed, Duration::from_secs(2)).await;
    assert!(lane.health.snapshot().alarms.is_empty());
    lane.stop().await;
}

#[tokio::test]
async fn an_open_the_status_input_never_confirms_is_a_fault_on_the_real_peer() {
    // Open coil 42 and status input 43: the peer acknowledges the pulse, but its input never
    // reports the barrier up, as with a locked arm.
    let settings = BarrierSettings {
        pulse_ms: 100,
        status_input: Some(43),
        confirm_ms: 800,
        poll_ms: 100,
        ..BarrierSettings::new(peer(), 42)
    };
    let lane = drive(settings).await;
    lane.wait_for(BarrierState::Closed, Duration::from_secs(3)).await;
    lane.handle.command(BarrierCommand::Open { cause: "e2e".to_owned() });
    lane.wait_for(BarrierState::Fault(FaultKind::NotConfirmed), Duration::from_secs(3)).await;
    let alarms = lane.health.snapshot().alarms;
    assert_eq!(alarms.len(), 1);
    assert_eq!(alarms[0].kind, FAULT_ALARM);
    let rows = lane.store.recent_alarms(1).await.unwrap();
    assert!(rows[0].raised, "{rows:?}");
    lane.stop().await;
}
