//! The barrier driver against the gate-sim PLC, in process on a free port: the pulse, the
//! status read-back, the close coil, and the faults a real PLC shows.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use gate_agent::barrier::state::{BarrierState, FaultKind};
use gate_agent::barrier::{self, BarrierCommand, BarrierHandle, FAULT_ALARM};
use gate_agent::config::BarrierSettings;
use gate_agent::health::Health;
use gate_agent::store::Store;
use gate_sim::plc::{self, Fault, PlcConfig, PlcHandle};
use tokio_util::sync::CancellationToken;

struct Rig {
    _dir: tempfile::TempDir,
    store: Arc<Store>,
    health: Arc<Health>,
    handle: BarrierHandle,
    cancel: CancellationToken,
    task: tokio::task::JoinHandle<anyhow::Result<()>>,
}

impl Rig {
    async fn start(settings: BarrierSettings) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(Store::open(dir.path()).await.unwrap());
        let health = Arc::new(Health::new("测试门", Utc::now()));
        let (handle, rx) = BarrierHandle::channel("in-1");
        let cancel = CancellationToken::new();
        let task = tokio::spawn(barrier::run(
            "in-1".to_owned(),
            settings,
            rx,
            health.clone(),
            store.clone(),
            cancel.clone(),
        ));
        Self { _dir: dir, store, health, handle, cancel, task }
    }

    fn state(&self) -> Option<BarrierState> {
        self.health.snapshot().barriers.get("in-1").map(|b| b.state)
    }

    async fn wait_for(&self, want: BarrierState, within: Duration) {
        let deadline = Instant::now() + within;
        loop {
            if self.state() == Some(want) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "barrier did not reach {want:?}; it is {:?}",
                self.state()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    async fn stop(self) {
        self.cancel.cancel();
        self.task.await.unwrap().unwrap();
    }
}

fn sim_config() -> PlcConfig {
    PlcConfig {
        open_delay: Duration::from_millis(100),
        hold: Duration::from_millis(800),
        ..PlcConfig::default()
    }
}

fn lane_settings(plc: &PlcHandle) -> BarrierSettings {
    BarrierSettings {
        pulse_ms: 100,
        close_coil: Some(1),
        status_input: Some(0),
        request_timeout_ms: 200,
        retries: 1,
        backoff_ms: 50,
        confirm_ms: 1_000,
        poll_ms: 100,
        ..BarrierSettings::new(plc.addr(), 0)
    }
}

#[tokio::test]
async fn open_pulse_is_confirmed_by_the_status_input_and_the_barrier_falls_back() {
    let plc = plc::start("127.0.0.1:0".parse().unwrap(), sim_config()).await.unwrap();
    let rig = Rig::start(lane_settings(&plc)).await;
    rig.wait_for(BarrierState::Closed, Duration::from_secs(2)).await;

    assert!(rig.handle.command(BarrierCommand::Open { cause: "test".to_owned() }));
    rig.wait_for(BarrierState::Open, Duration::from_secs(2)).await;
    assert_eq!(plc.open_pulses(), 1);
    assert!(!plc.coil(0), "the pulse ended: the coil is off again");

    // The PLC lets the arm down after its hold time; the poll sees it.
    rig.wait_for(BarrierState::Closed, Duration::from_secs(3)).await;
    assert!(rig.health.snapshot().alarms.is_empty());
    rig.stop().await;
}

#[tokio::test]
async fn close_coil_closes_the_barrier() {
    let plc = plc::start(
        "127.0.0.1:0".parse().unwrap(),
        PlcConfig { hold: Duration::from_secs(60), ..sim_config() },
    )
    .await
    .unwrap();
    let rig = Rig::start(lane_settings(&plc)).await;
    rig.handle.command(BarrierCommand::Open { cause: "test".to_owned() });
    rig.wait_for(BarrierState::Open, Duration::from_secs(2)).await;
    rig.handle.command(BarrierCommand::Close);
    rig.wait_for(BarrierState::Closed, Duration::from_secs(2)).await;
    assert_eq!((plc.open_pulses(), plc.close_pulses()), (1, 1));
    assert!(!plc.is_open());
    rig.stop().await;
}

#[tokio::test]
async fn a_jammed_barrier_is_a_fault_with_an_alarm_until_it_moves_again() {
    let plc = plc::start("127.0.0.1:0".parse().unwrap(), sim_config()).await.unwrap();
    plc.set_fault(Fault::Jammed);
    let rig = Rig::start(lane_settings(&plc)).await;
    rig.handle.command(BarrierCommand::Open { cause: "test".to_owned() });
    rig.wait_for(BarrierState::Fault(FaultKind::NotConfirmed), Duration::from_secs(3)).await;
    let alarms = rig.health.snapshot().alarms;
    assert_eq!(alarms.len(), 1);
    assert_eq!(alarms[0].kind, FAULT_ALARM);
    assert!(alarms[0].message.contains("道闸未按指令动作"), "{}", alarms[0].message);
    let rows = rig.store.recent_alarms(5).await.unwrap();
    assert!(
        rows[0].raised && rows[0].kind == FAULT_ALARM && rows[0].lane.as_deref() == Some("in-1"),
        "{rows:?}"
    );

    // Freed, the next open works and clears the alarm (a cleared row is appended).
    plc.set_fault(Fault::None);
    rig.handle.command(BarrierCommand::Open { cause: "retry".to_owned() });
    rig.wait_for(BarrierState::Open, Duration::from_secs(2)).await;
    assert!(rig.health.snapshot().alarms.is_empty());
    let rows = rig.store.recent_alarms(5).await.unwrap();
    assert!(!rows[0].raised, "{rows:?}");
    rig.stop().await;
}

#[tokio::test]
async fn a_plc_that_goes_away_is_a_fault_and_recovery_clears_it() {
    let plc = plc::start("127.0.0.1:0".parse().unwrap(), sim_config()).await.unwrap();
    let addr = plc.addr();
    let rig = Rig::start(lane_settings(&plc)).await;
    rig.wait_for(BarrierState::Closed, Duration::from_secs(2)).await;

    // Pulled plug: commands fail after the retries, and the poll notices too.
    plc.stop();
    drop(plc);
    rig.handle.command(BarrierCommand::Open { cause: "test".to_owned() });
    rig.wait_for(BarrierState::Fault(FaultKind::PlcUnreachable), Duration::from_secs(5)).await;
    let snapshot = rig.health.snapshot();
    assert_eq!(snapshot.alarms.len(), 1);
    assert!(snapshot.barriers["in-1"].last_error.is_some());

    // The PLC comes back on the same address.
    let plc = plc::start(addr, sim_config()).await.unwrap();
    rig.wait_for(BarrierState::Closed, Duration::from_secs(5)).await;
    assert!(rig.health.snapshot().alarms.is_empty());
    assert_eq!(plc.open_pulses(), 0, "the failed command is not replayed behind the guard's back");
    rig.stop().await;
}

#[tokio::test]
async fn a_silent_plc_times_out_into_a_fault() {
    let plc = plc::start("127.0.0.1:0".parse().unwrap(), sim_config()).await.unwrap();
    let rig = Rig::start(lane_settings(&plc)).await;
    rig.wait_for(BarrierState::Closed, Duration::from_secs(2)).await;
    plc.set_fault(Fault::Silent);
    rig.wait_for(BarrierState::Fault(FaultKind::PlcUnreachable), Duration::from_secs(5)).await;
    plc.set_fault(Fault::None);
    rig.wait_for(BarrierState::Closed, Duration::from_secs(5)).await;
    rig.stop().await;
}

#[tokio::test]
async fn commands_never_wait_for_a_stuck_barrier_task() {
    // Nobody drains the queue: the sender must still return at once, and say so when full.
    let (handle, _rx) = BarrierHandle::channel("in-1");
    let started = Instant::now();
    let accepted = (0..barrier::QUEUE_DEPTH + 5)
        .filter(|_| handle.command(BarrierCommand::Open { cause: "burst".to_owned() }))
        .count();
    assert_eq!(accepted, barrier::QUEUE_DEPTH);
    assert!(started.elapsed() < Duration::from_millis(100));
}
