//! Previews: "these N registered trucks would be refused tomorrow, and why".
//!
//! [`dry_run`] judges every registered vehicle with [`decide`] as if it arrived at the gate at
//! a given time; [`compare`] does it under the current and a proposed rule set (a new rule,
//! a new overlay, a rating change) and sorts the vehicles by what changes. "Refused" means
//! not admitted automatically: denied or held for review.

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

use super::{AdmissionContext, Decision, Subject, VehicleProfile, Verdict, decide};
use crate::codes::Direction;
use crate::ids::VehicleId;
use crate::plate::Plate;

/// A vehicle that would not be admitted automatically.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Refusal {
    /// The registry record.
    pub vehicle: VehicleId,
    /// Its plate.
    pub plate: Plate,
    /// The decision it would get.
    pub decision: Decision,
}

/// Every registered vehicle in `vehicles` that `ctx` would deny or hold for review when it
/// arrives in `direction` at `at`, in the order given.
pub fn dry_run(
    ctx: &AdmissionContext<'_>,
    vehicles: &[VehicleProfile],
    direction: Direction,
    at: NaiveDateTime,
) -> Vec<Refusal> {
    vehicles
        .iter()
        .filter_map(|v| {
            let decision = decide(ctx, Subject::Registered(v), direction, at);
            (decision.verdict != Verdict::Admit).then(|| Refusal {
                vehicle: v.id,
                plate: v.plate.clone(),
                decision,
            })
        })
        .collect()
}

/// What a proposed rule set changes for the registered vehicles.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ChangeImpact {
    /// Admitted now, refused under the proposal (with the proposal's decision).
    pub newly_refused: Vec<Refusal>,
    /// Refused both ways (with the proposal's decision, whose reason may differ).
    pub still_refused: Vec<Refusal>,
    /// Refused now, admitted under the proposal (with the current decision).
    pub no_longer_refused: Vec<Refusal>,
}

/// Judges `vehicles` under `current` and `proposed` for `direction` at `at`.
pub fn compare(
    current: &AdmissionContext<'_>,
    proposed: &AdmissionContext<'_>,
    vehicles: &[VehicleProfile],
    direction: Direction,
    at: NaiveDateTime,
) -> ChangeImpact {
    let mut impact = ChangeImpact::default();
    for v in vehicles {
        let now = decide(current, Subject::Registered(v), direction, at);
        let then = decide(proposed, Subject::Registered(v), direction, at);
        let refusal =
            |decision: Decision| Refusal { vehicle: v.id, plate: v.plate.clone(), decision };
        match (now.is_admitted(), then.is_admitted()) {
            (true, false) => impact.newly_refused.push(refusal(then)),
            (false, false) => impact.still_refused.push(refusal(then)),
            (false, true) => impact.no_longer_refused.push(refusal(now)),
            (true, true) => {}
        }
    }
    impact
}
