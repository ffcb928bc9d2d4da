//! Barrier control: one task per lane drives that lane's PLC over Modbus TCP.
//!
//! Commands reach the task through a bounded channel ([`BarrierHandle::command`] never
//! waits), so a PLC that hangs can never hold up camera intake: the worst case is a full
//! queue, which is counted and logged while intake goes on.
//!
//! For each command the task writes the coil pulse (on, `pulse_ms`, off), retrying with
//! doubling back-off when the PLC does not answer, then reads the barrier back: the status
//! input when wired, else the coil itself. Between commands it polls the PLC every
//! `poll_ms` (every 100 ms while a movement awaits confirmation). The pure
//! [`state::Machine`] turns what was seen into a state; entering a fault raises an alarm
//! (health, the status page and the `alarms` table), leaving it clears the alarm.

pub mod plc;
pub mod state;

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use tokio::sync::{Mutex, mpsc};
use tokio_util::sync::CancellationToken;

use crate::config::BarrierSettings;
use crate::health::Health;
use crate::store::Store;
use plc::{Plc, PlcError};
use state::{BarrierState, Input, Machine, Timing};

/// The alarm kind for a barrier fault.
pub const FAULT_ALARM: &str = "barrier_fault";

/// What a lane's barrier should do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BarrierCommand {
    /// Pulse the open coil.
    Open {
        /// Why (the camera event or passage it is for), for the log.
        cause: String,
    },
    /// Pulse the close coil (ignored when none is wired).
    Close,
}

/// The sending side of a lane's command queue.
#[derive(Debug, Clone)]
pub struct BarrierHandle {
    lane: String,
    tx: mpsc::Sender<BarrierCommand>,
}

/// How many commands may wait for a slow PLC before new ones are dropped.
pub const QUEUE_DEPTH: usize = 16;

impl BarrierHandle {
    /// A queue for `lane`; the receiver goes to [`run`]. It sits behind a mutex so that a
    /// restarted task picks up the same queue.
    pub fn channel(lane: &str) -> (Self, Arc<Mutex<mpsc::Receiver<BarrierCommand>>>) {
        let (tx, rx) = mpsc::channel(QUEUE_DEPTH);
        (Self { lane: lane.to_owned(), tx }, Arc::new(Mutex::new(rx)))
    }

    /// Queues a command without waiting; `false` when the queue is full or the task is gone.
    pub fn command(&self, cmd: BarrierCommand) -> bool {
        match self.tx.try_send(cmd) {
            Ok(()) => true,
            Err(e) => {
                tracing::error!(lane.id = %self.lane, error = %e, "barrier command dropped: the barrier task is not keeping up");
                false
            }
        }
    }
}

fn timing(s: &BarrierSettings) -> Timing {
    Timing {
        has_status: s.status_input.is_some(),
        confirm_ms: s.confirm_ms,
        assumed_open_ms: s.assumed_open_ms,
    }
}

struct Driver {
    lane: String,
    settings: BarrierSettings,
    plc: Plc,
    machine: Machine,
    epoch: Instant,
    health: Arc<Health>,
    store: Arc<Store>,
    last_error: Option<String>,
}

impl Driver {
    fn now_ms(&self) -> u64 {
        u64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    async fn feed(&mut self, input: Input) {
        let now = self.now_ms();
        let Some(tr) = self.machine.step(input, now) else { return };
        tracing::info!(lane.id = %self.lane, from = ?tr.from, to = ?tr.to, "barrier state changed");
        let at = Utc::now();
        self.health.barrier(&self.lane, tr.to, self.last_error.clone(), at);
        match (tr.from.is_fault(), tr.to.is_fault()) {
            (_, true) => {
                let message = format!("{}：{}", self.lane, tr.to.label_zh());
                let detail = match &self.last_error {
                    Some(e)
                        if matches!(
                            tr.to,
                            BarrierState::Fault(state::FaultKind::PlcUnreachable)
                        ) =>
                    {
                        format!("{message}（{e}）")
                    }
                    _ => message,
                };
                tracing::error!(lane.id = %self.lane, alarm = %detail, "barrier alarm raised");
                self.health.raise_alarm(Some(&self.lane), FAULT_ALARM, &detail, at);
                if let Err(e) =
                    self.store.record_alarm(at, Some(&self.lane), FAULT_ALARM, true, &detail).await
                {
                    tracing::error!(lane.id = %self.lane, error = %e, "cannot record the alarm");
                }
            }
            (true, false) => {
                self.last_error = None;
                self.health.clear_alarm(Some(&self.lane), FAULT_ALARM);
                let message = format!("{}：道闸恢复正常（{}）", self.lane, tr.to.label_zh());
                if let Err(e) = self
                    .store
                    .record_alarm(at, Some(&self.lane), FAULT_ALARM, false, &message)
                    .await
                {
                    tracing::error!(lane.id = %self.lane, error = %e, "cannot record the alarm clearing");
                }
            }
            (false, false) => {}
        }
    }

    /// Runs `op` until it succeeds or the retries are spent, sleeping with doubling back-off.
    async fn with_retries<T>(
        &mut self,
        what: &str,
        mut op: impl AsyncFnMut(&mut Plc) -> Result<T, PlcError>,
    ) -> Result<T, PlcError> {
        let mut delay = Duration::from_millis(self.settings.backoff_ms);
        let mut attempt = 0;
        loop {
            match op(&mut self.plc).await {
                Ok(v) => return Ok(v),
                Err(e) if attempt >= self.settings.retries => return Err(e),
                Err(e) => {
                    tracing::warn!(lane.id = %self.lane, attempt, error = %e, "{what} failed; retrying");
                    tokio::time::sleep(delay).await;
                    delay = delay.saturating_mul(2);
                    attempt += 1;
                }
            }
        }
    }

    async fn pulse(&mut self, coil: u16) -> Result<(), PlcError> {
        let pulse = Duration::from_millis(self.settings.pulse_ms);
        self.with_retries("coil pulse", async move |plc: &mut Plc| {
            plc.write_coil(coil, true).await?;
            tokio::time::sleep(pulse).await;
            plc.write_coil(coil, false).await
        })
        .await
    }

    /// Reads the barrier back: the status input when wired, else the PLC's answer.
    async fn read_back(&mut self, coil: u16) -> Result<Input, PlcError> {
        match self.settings.status_input {
            Some(input) => {
                let open = self
                    .with_retries("status read", async move |plc: &mut Plc| {
                        plc.read_input(input).await
                    })
                    .await?;
                Ok(Input::Status { open })
            }
            None => {
                let on = self
                    .with_retries("coil read-back", async move |plc: &mut Plc| {
                        plc.read_coil(coil).await
                    })
                    .await?;
                if on {
                    tracing::warn!(lane.id = %self.lane, coil, "the coil still reads on after the pulse");
                }
                Ok(Input::PlcAnswered)
            }
        }
    }

    async fn execute(&mut self, cmd: BarrierCommand) {
        let (coil, commanded) = match &cmd {
            BarrierCommand::Open { cause } => {
                tracing::info!(lane.id = %self.lane, cause = %cause, "opening the barrier");
                (self.settings.open_coil, Input::OpenCommanded)
            }
            BarrierCommand::Close => match self.settings.close_coil {
                Some(coil) => (coil, Input::CloseCommanded),
                None => {
                    tracing::warn!(lane.id = %self.lane, "close requested but no close coil is configured");
                    return;
                }
            },
        };
        self.feed(commanded).await;
        let result = self.pulse(coil).await;
        let result = match result {
            Ok(()) => {
                self.feed(Input::CommandWritten).await;
                self.read_back(coil).await
            }
            Err(e) => Err(e),
        };
        match result {
            Ok(input) => self.feed(input).await,
            Err(e) => self.failed(e).await,
        }
    }

    async fn failed(&mut self, e: PlcError) {
        tracing::error!(lane.id = %self.lane, error = %e, "the barrier PLC does not answer");
        self.last_error = Some(e.to_string());
        self.feed(Input::PlcFailed).await;
    }

    async fn poll(&mut self) {
        let coil = self.settings.open_coil;
        match self.read_back(coil).await {
            Ok(input) => self.feed(input).await,
            Err(e) => self.failed(e).await,
        }
    }

    fn poll_interval(&self) -> Duration {
        match self.machine.state() {
            BarrierState::Opening | BarrierState::Closing => Duration::from_millis(100),
            _ => Duration::from_millis(self.settings.poll_ms),
        }
    }
}

/// Drives `lane`'s barrier until `cancel`; returns only on cancellation.
pub async fn run(
    lane: String,
    settings: BarrierSettings,
    commands: Arc<Mutex<mpsc::Receiver<BarrierCommand>>>,
    health: Arc<Health>,
    store: Arc<Store>,
    cancel: CancellationToken,
) -> anyhow::Result<()> {
    let mut commands = commands.lock().await;
    let epoch = Instant::now();
    let mut driver = Driver {
        plc: Plc::new(
            settings.plc,
            settings.unit,
            Duration::from_millis(settings.request_timeout_ms),
        ),
        machine: Machine::new(timing(&settings), 0),
        lane,
        settings,
        epoch,
        health,
        store,
        last_error: None,
    };
    driver.health.barrier(&driver.lane, driver.machine.state(), None, Utc::now());
    driver.poll().await;
    loop {
        let interval = driver.poll_interval();
        tokio::select! {
            () = cancel.cancelled() => return Ok(()),
            cmd = commands.recv() => match cmd {
                Some(cmd) => driver.execute(cmd).await,
                None => return Ok(()),
            },
            () = tokio::time::sleep(interval) => {
                driver.feed(Input::Tick).await;
                driver.poll().await;
            }
        }
        driver.feed(Input::Tick).await;
    }
}
