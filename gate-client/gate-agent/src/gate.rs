//! The gate's path from a camera push to the barrier and the screen; the one place where
//! admission and the ledger plug in.
//!
//! [`Gate::handle_push`] runs, in order:
//! 1. **resolve**: the event gets the gate's id (UUIDv7), arrival time, lane and direction;
//! 2. **match**: the readings against the cached registry ([`crate::matching`], pure);
//! 3. **decide**: a [`Decide`] implementation turns the match into a [`Decision`] (pure);
//! 4. **record**: the event is written durably ([`Store::record_event`]); a duplicate stops
//!    here and nothing is acted on;
//! 5. **act**: an admitted vehicle's barrier command is queued (never waited on), and the
//!    display message goes to the status page and the lane's LED screen.
//!
//! Only then does the camera get its answer. Steps 2–3 run before the write so that the
//! ledger step can store the decision with the event in the same transaction: the admission
//! engine of platform-domain replaces [`RegistryOnly`] behind [`Decide`], and the signed
//! passage is appended in step 4, before step 5 drives the barrier.

use std::sync::{Arc, RwLock};

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::barrier::{BarrierCommand, BarrierHandle};
use crate::camera::{CameraEvent, CameraPush, IntakeError, ReceivedEvent};
use crate::config::{LaneSettings, Settings};
use crate::display::{DisplayMessage, Verdict};
use crate::health::Health;
use crate::matching::{PlateMatch, Registry, match_plate};
use crate::store::{DuplicateReason, Recorded, Store};

/// What a decision is made from.
#[derive(Debug, Clone, Copy)]
pub struct DecisionInput<'a> {
    /// The event as received.
    pub event: &'a ReceivedEvent,
    /// The plate match.
    pub plate_match: &'a PlateMatch,
    /// The lane's configuration, when the camera is bound to a lane.
    pub lane: Option<&'a LaneSettings>,
    /// The gate's clock.
    pub now: DateTime<Utc>,
}

/// A decision about one vehicle: what the barrier does and what the driver reads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Decision {
    /// Admitted, refused, or waiting for a guard.
    pub verdict: Verdict,
    /// The reason, in Chinese.
    pub reason: String,
    /// The emission stage label shown (国六), empty when unknown.
    pub stage: String,
    /// The control status shown (管控状态).
    pub control: String,
}

/// Decides about one vehicle. Implementations are pure and fast: they run before the
/// camera gets its answer.
pub trait Decide: Send + Sync + std::fmt::Debug {
    /// The decision for `input`.
    fn decide(&self, input: &DecisionInput<'_>) -> Decision;
}

/// The decision used until the admission engine lands: a vehicle on the cached registry is
/// admitted, anything uncertain waits for a guard, anything else is refused.
#[derive(Debug, Clone)]
pub struct RegistryOnly {
    /// The control status shown.
    pub control: String,
}

impl Decide for RegistryOnly {
    fn decide(&self, input: &DecisionInput<'_>) -> Decision {
        let (verdict, reason) = match input.plate_match {
            PlateMatch::Exact { .. } => (Verdict::Admitted, "登记车辆".to_owned()),
            PlateMatch::Corrected { plate, .. } => {
                (Verdict::Admitted, format!("登记车辆（识别结果已纠正为 {}）", plate.plate))
            }
            PlateMatch::NeedsReview { reason, .. } => {
                (Verdict::Review, format!("{}，请人工确认", reason.label_zh()))
            }
            PlateMatch::NoMatch => (Verdict::Refused, "未登记车辆".to_owned()),
            PlateMatch::NoPlate => (Verdict::Review, "无牌车，请人工确认".to_owned()),
        };
        Decision { verdict, reason, stage: String::new(), control: self.control.clone() }
    }
}

/// What happened to one push.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum PushOutcome {
    /// A new vehicle, recorded and acted on.
    Recorded {
        /// The gate's id for the event.
        event_id: String,
        /// The lane.
        lane: Option<String>,
        /// The plate match.
        plate_match: PlateMatch,
        /// The decision.
        decision: Decision,
        /// Whether a barrier command was queued.
        barrier_commanded: bool,
    },
    /// A repeat of a recorded event.
    Duplicate {
        /// The event it repeats.
        of: String,
        /// How it was recognised.
        reason: DuplicateReason,
    },
    /// A heartbeat.
    Heartbeat,
    /// A notification that is not a vehicle.
    Ignored,
}

/// The gate: settings, store, registry, decision and the lanes' barriers.
#[derive(Debug)]
pub struct Gate {
    settings: Arc<Settings>,
    store: Arc<Store>,
    registry: RwLock<Arc<Registry>>,
    decider: Box<dyn Decide>,
    barriers: Vec<(String, BarrierHandle)>,
    health: Arc<Health>,
}

impl Gate {
    /// Assembles a gate. `barriers` holds the command queue of each lane that has one.
    pub fn new(
        settings: Arc<Settings>,
        store: Arc<Store>,
        registry: Registry,
        decider: Box<dyn Decide>,
        barriers: Vec<(String, BarrierHandle)>,
        health: Arc<Health>,
    ) -> Self {
        health.registry_plates(registry.len());
        Self {
            settings,
            store,
            registry: RwLock::new(Arc::new(registry)),
            decider,
            barriers,
            health,
        }
    }

    /// The settings.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// The store.
    pub fn store(&self) -> &Arc<Store> {
        &self.store
    }

    /// The health record.
    pub fn health(&self) -> &Arc<Health> {
        &self.health
    }

    /// Replaces the registry (after the cached list changed).
    pub fn set_registry(&self, registry: Registry) {
        self.health.registry_plates(registry.len());
        *self.registry.write().unwrap_or_else(std::sync::PoisonError::into_inner) =
            Arc::new(registry);
    }

    /// Reloads the registry from the store.
    pub async fn reload_registry(&self) -> anyhow::Result<usize> {
        let plates = self.store.registry().await?;
        let n = plates.len();
        self.set_registry(Registry::new(plates));
        Ok(n)
    }

    fn registry(&self) -> Arc<Registry> {
        self.registry.read().unwrap_or_else(std::sync::PoisonError::into_inner).clone()
    }

    fn barrier(&self, lane: &str) -> Option<&BarrierHandle> {
        self.barriers.iter().find(|(l, _)| l == lane).map(|(_, h)| h)
    }

    /// Resolves the event's lane and direction and gives it an id.
    pub fn receive(&self, event: CameraEvent, now: DateTime<Utc>) -> ReceivedEvent {
        let lane = self.settings.lane_for(&event.device_id, event.camera_lane);
        ReceivedEvent {
            id: uuid::Uuid::now_v7(),
            received_at: now,
            lane: lane.map(|l| l.id.clone()),
            direction: lane.map(|l| event.camera_direction.resolve(l.direction)),
            event,
        }
    }

    /// Handles one parsed push; see the module docs for the steps. An `Err` means nothing was
    /// recorded and the camera should be told so.
    pub async fn handle_push(&self, push: CameraPush) -> Result<PushOutcome, IntakeError> {
        let now = Utc::now();
        let event = match push {
            CameraPush::Heartbeat(hb) => {
                self.health.camera_seen(&hb.device_id, hb.source.as_str(), false, now);
                self.health.count(|c| c.heartbeats += 1);
                return Ok(PushOutcome::Heartbeat);
            }
            CameraPush::Ignored { device_id, what } => {
                tracing::debug!(camera.device = %device_id, what = %what, "notification ignored");
                return Ok(PushOutcome::Ignored);
            }
            CameraPush::Event(event) => *event,
        };
        self.health.camera_seen(&event.device_id, event.source.as_str(), true, now);

        let received = self.receive(event, now);
        let lane = received.lane.as_deref().and_then(|id| self.settings.lane(id));
        let plate_match =
            match_plate(&received.event.readings, &self.registry(), &self.settings.matching);
        let decision = self.decider.decide(&DecisionInput {
            event: &received,
            plate_match: &plate_match,
            lane,
            now,
        });

        let recorded =
            self.store.record_event(&received, self.settings.camera.dedup_window()).await.map_err(
                |e| {
                    tracing::error!(error = %format!("{e:#}"), "camera event not recorded");
                    IntakeError::store(&e)
                },
            )?;
        if let Recorded::Duplicate { of, reason } = recorded {
            self.health.count(|c| c.duplicates += 1);
            tracing::info!(
                camera.device = %received.event.device_id,
                event.of = %of,
                reason = reason.as_str(),
                "duplicate push recognised"
            );
            return Ok(PushOutcome::Duplicate { of: of.to_string(), reason });
        }
        self.health.count(|c| c.recorded += 1);
        tracing::info!(
            event.id = %received.id,
            lane.id = received.lane.as_deref().unwrap_or("-"),
            plate = received.event.best_plate().unwrap_or("无牌"),
            verdict = ?decision.verdict,
            "camera event recorded"
        );

        let barrier_commanded = match (&received.lane, decision.verdict) {
            (Some(lane), Verdict::Admitted) => match self.barrier(lane) {
                Some(handle) => {
                    let queued =
                        handle.command(BarrierCommand::Open { cause: received.id.to_string() });
                    if !queued {
                        self.health.count(|c| c.barrier_queue_full += 1);
                    }
                    queued
                }
                None => false,
            },
            _ => false,
        };
        if let Some(lane) = &received.lane {
            let shown = plate_match
                .matched()
                .map(|p| p.plate.as_str())
                .or(received.event.best_plate())
                .unwrap_or("无牌车");
            self.health.display(DisplayMessage::new(
                lane,
                shown,
                &decision.stage,
                &decision.control,
                decision.verdict,
                &decision.reason,
                now,
            ));
        }
        Ok(PushOutcome::Recorded {
            event_id: received.id.to_string(),
            lane: received.lane,
            plate_match,
            decision,
            barrier_commanded,
        })
    }
}
