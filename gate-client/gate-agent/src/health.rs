//! The agent's live health: components, barriers, cameras, alarms and what each lane's
//! screen shows. Components write it; the status page, its server-sent events and
//! `gateledger-gate status` read it.
//!
//! Every change that the guard house should see at once is also broadcast as a
//! [`StatusEvent`]; a slow page only misses events (it lags), it never slows a component.

use std::collections::BTreeMap;
use std::sync::Mutex;

use chrono::{DateTime, Utc};
use serde::Serialize;
use tokio::sync::broadcast;

use crate::barrier::state::BarrierState;
use crate::display::DisplayMessage;

/// A component's run state under the supervisor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum ComponentState {
    /// Running.
    Running,
    /// Failed; restarting after a back-off.
    Restarting {
        /// The failure.
        error: String,
    },
    /// Stopped for shutdown.
    Stopped,
}

/// One component.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ComponentHealth {
    /// Its run state.
    #[serde(flatten)]
    pub state: ComponentState,
    /// How many times it was restarted.
    pub restarts: u32,
}

/// One lane's barrier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BarrierHealth {
    /// Its state.
    pub state: BarrierState,
    /// What the guard reads.
    pub label: String,
    /// Since when.
    pub since: DateTime<Utc>,
    /// The last PLC error, when there was one.
    pub last_error: Option<String>,
}

/// One camera.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CameraHealth {
    /// The push format it uses.
    pub source: String,
    /// When it last pushed anything (event or heartbeat).
    pub last_seen: DateTime<Utc>,
    /// When it last pushed a vehicle.
    pub last_event: Option<DateTime<Utc>>,
}

/// A raised alarm.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Alarm {
    /// The lane, when the alarm is about one.
    pub lane: Option<String>,
    /// A stable kind (`barrier_fault`).
    pub kind: String,
    /// What the guard reads.
    pub message: String,
    /// When it was raised.
    pub since: DateTime<Utc>,
}

/// Intake counters since start.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct IntakeCounters {
    /// New events recorded.
    pub recorded: u64,
    /// Repeated pushes recognised.
    pub duplicates: u64,
    /// Pushes refused with a 4xx.
    pub refused: u64,
    /// Heartbeats.
    pub heartbeats: u64,
    /// Barrier commands dropped because the barrier's queue was full.
    pub barrier_queue_full: u64,
}

/// Everything the status page shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Snapshot {
    /// The agent's version.
    pub version: &'static str,
    /// The gate's name.
    pub gate: String,
    /// When the agent started.
    pub started_at: DateTime<Utc>,
    /// The configured lanes: id to the name the guard reads.
    pub lanes: BTreeMap<String, String>,
    /// Components by name.
    pub components: BTreeMap<String, ComponentHealth>,
    /// Barriers by lane.
    pub barriers: BTreeMap<String, BarrierHealth>,
    /// Cameras by device id.
    pub cameras: BTreeMap<String, CameraHealth>,
    /// Raised alarms.
    pub alarms: Vec<Alarm>,
    /// What each lane's screen shows.
    pub displays: BTreeMap<String, DisplayMessage>,
    /// Intake counters.
    pub intake: IntakeCounters,
    /// Plates in the cached registry.
    pub registry_plates: usize,
}

/// A change pushed to the guard-house page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum StatusEvent {
    /// A lane's screen changed.
    Display(DisplayMessage),
    /// A barrier changed state.
    Barrier {
        /// The lane.
        lane: String,
        /// Its barrier.
        barrier: BarrierHealth,
    },
    /// An alarm was raised.
    AlarmRaised(Alarm),
    /// An alarm was cleared.
    AlarmCleared {
        /// The lane.
        lane: Option<String>,
        /// The kind.
        kind: String,
    },
}

/// The shared health record.
#[derive(Debug)]
pub struct Health {
    inner: Mutex<Snapshot>,
    events: broadcast::Sender<StatusEvent>,
}

impl Health {
    /// A fresh record for the gate named `gate`.
    pub fn new(gate: &str, now: DateTime<Utc>) -> Self {
        let (events, _) = broadcast::channel(256);
        Self {
            inner: Mutex::new(Snapshot {
                version: crate::VERSION,
                gate: gate.to_owned(),
                started_at: now,
                lanes: BTreeMap::new(),
                components: BTreeMap::new(),
                barriers: BTreeMap::new(),
                cameras: BTreeMap::new(),
                alarms: Vec::new(),
                displays: BTreeMap::new(),
                intake: IntakeCounters::default(),
                registry_plates: 0,
            }),
            events,
        }
    }

    fn with<R>(&self, f: impl FnOnce(&mut Snapshot) -> R) -> R {
        // A panic while holding the lock leaves plain data behind; keep serving it.
        let mut guard = self.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        f(&mut guard)
    }

    fn publish(&self, event: StatusEvent) {
        // No subscriber is fine: nobody is looking at the page.
        let _ = self.events.send(event);
    }

    /// A copy of everything.
    pub fn snapshot(&self) -> Snapshot {
        self.with(|s| s.clone())
    }

    /// Subscribes to changes.
    pub fn subscribe(&self) -> broadcast::Receiver<StatusEvent> {
        self.events.subscribe()
    }

    /// Records a component's state; a restart counts.
    pub fn component(&self, name: &str, state: ComponentState) {
        self.with(|s| {
            let entry = s
                .components
                .entry(name.to_owned())
                .or_insert(ComponentHealth { state: ComponentState::Stopped, restarts: 0 });
            if matches!(state, ComponentState::Restarting { .. }) {
                entry.restarts += 1;
            }
            entry.state = state;
        });
    }

    /// Records a barrier's state.
    pub fn barrier(
        &self,
        lane: &str,
        state: BarrierState,
        last_error: Option<String>,
        now: DateTime<Utc>,
    ) {
        let barrier =
            BarrierHealth { state, label: state.label_zh().to_owned(), since: now, last_error };
        self.with(|s| s.barriers.insert(lane.to_owned(), barrier.clone()));
        self.publish(StatusEvent::Barrier { lane: lane.to_owned(), barrier });
    }

    /// Raises an alarm (once per lane and kind).
    pub fn raise_alarm(&self, lane: Option<&str>, kind: &str, message: &str, now: DateTime<Utc>) {
        let alarm = Alarm {
            lane: lane.map(str::to_owned),
            kind: kind.to_owned(),
            message: message.to_owned(),
            since: now,
        };
        let new = self.with(|s| {
            if let Some(existing) =
                s.alarms.iter_mut().find(|a| a.lane.as_deref() == lane && a.kind == kind)
            {
                existing.message = message.to_owned();
                false
            } else {
                s.alarms.push(alarm.clone());
                true
            }
        });
        if new {
            self.publish(StatusEvent::AlarmRaised(alarm));
        }
    }

    /// Clears an alarm; returns whether one was raised.
    pub fn clear_alarm(&self, lane: Option<&str>, kind: &str) -> bool {
        let cleared = self.with(|s| {
            let before = s.alarms.len();
            s.alarms.retain(|a| !(a.lane.as_deref() == lane && a.kind == kind));
            before != s.alarms.len()
        });
        if cleared {
            self.publish(StatusEvent::AlarmCleared {
                lane: lane.map(str::to_owned),
                kind: kind.to_owned(),
            });
        }
        cleared
    }

    /// Records that a camera pushed something.
    pub fn camera_seen(&self, device: &str, source: &str, vehicle: bool, now: DateTime<Utc>) {
        self.with(|s| {
            let entry = s.cameras.entry(device.to_owned()).or_insert(CameraHealth {
                source: source.to_owned(),
                last_seen: now,
                last_event: None,
            });
            entry.last_seen = now;
            entry.source = source.to_owned();
            if vehicle {
                entry.last_event = Some(now);
            }
        });
    }

    /// Shows a message on a lane's screen.
    pub fn display(&self, message: DisplayMessage) {
        self.with(|s| s.displays.insert(message.lane.clone(), message.clone()));
        self.publish(StatusEvent::Display(message));
    }

    /// Updates the intake counters.
    pub fn count(&self, f: impl FnOnce(&mut IntakeCounters)) {
        self.with(|s| f(&mut s.intake));
    }

    /// Records the configured lanes (id, name) so the page shows each one from the start.
    pub fn lanes<'a>(&self, lanes: impl IntoIterator<Item = (&'a str, &'a str)>) {
        let lanes: BTreeMap<String, String> =
            lanes.into_iter().map(|(id, name)| (id.to_owned(), name.to_owned())).collect();
        self.with(|s| s.lanes = lanes);
    }

    /// Records the registry's size.
    pub fn registry_plates(&self, n: usize) {
        self.with(|s| s.registry_plates = n);
    }
}
