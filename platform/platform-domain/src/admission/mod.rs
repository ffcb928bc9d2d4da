//! The admission engine: may this vehicle pass this gate now?
//!
//! Rules are data ([`AdmissionPolicy`], [`Lists`], [`EmergencyOverlay`]); one pure function,
//! [`decide`], judges a vehicle against them. The gate runs it offline on its cached copy;
//! the platform runs the same function to preview a change ([`dry_run`], [`compare`]).
//!
//! The order, first match decides:
//! 1. **Bureau blacklist** → deny. Nothing overrides it, in either direction, and a manual
//!    release is refused ([`check_manual_release`]).
//! 2. **Enterprise blacklist** → deny (a manual release may override it).
//! 3. **Exit policy**: with [`ExitMode::AdmitAll`] (the default) every exit not stopped by a
//!    blacklist is admitted; with [`ExitMode::ApplyRules`] exits go through the steps below.
//! 4. For a vehicle the gate does not know (no registry match, or no plate): a valid
//!    **permit** admits it, otherwise the **unplated** or **unknown-vehicle policy** decides.
//!    While an overlay is in force, "admit" becomes "review" for any unknown vehicle that an
//!    overlay could ban (by its plate colour and kind), because nobody knows its stage.
//! 5. **Emergency overlays** in force → deny a registered vehicle one of them bans. Permits
//!    do not override an alert.
//! 6. For a registered vehicle: a valid **permit** admits it (it lifts the baseline and the
//!    enterprise rules); else the **baseline** of the enterprise's rating → deny below the
//!    minimum; else the **enterprise rules** → the first applicable denying rule, else the
//!    first applicable reviewing rule; else admit.
//!
//! The decisions behind this order are in `docs/DOMAIN.md` (D9–D23).
//!
//! All times are local Beijing time, passed in by the caller ([`crate::schedule`]).

mod baseline;
mod criteria;
mod dry_run;
mod lists;
mod overlay;
mod rules;

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

pub use self::baseline::{BaselineTable, StageMinimum};
pub use self::criteria::{NAME_MAX_CHARS, Name, StageMatch, VehicleCriteria};
pub use self::dry_run::{ChangeImpact, Refusal, compare, dry_run};
pub use self::lists::{ListEntry, ListKind, Lists};
use self::overlay::Ban;
pub use self::overlay::{
    EmergencyOverlay, EmergencyPlan, EnterpriseFacts, LocalBan, PlanRow, RegionAlert, overlays_for,
};
pub use self::rules::{EnterpriseRule, RuleEffect};
use crate::codes::{
    AlertLevel, Direction, EmissionStage, EnterpriseRating, Fuel, Industry, LedgerKind,
    MeasureCode, PlateColour, VehicleClass, code_enum,
};
use crate::ids::{AlertId, ListEntryId, RuleId, VehicleId};
use crate::plate::{Plate, PlateKind};

code_enum! {
    /// The outcome of a decision.
    Verdict ("verdict") {
        /// Open the barrier.
        Admit = "admit", "放行", "admitted";
        /// Keep it closed.
        Deny = "deny", "禁止通行", "denied";
        /// Keep it closed until a person decides.
        NeedsReview = "needs_review", "待人工核验", "needs review";
    }
}

code_enum! {
    /// Why a decision came out as it did. The passage record carries the identifier; the gate
    /// display shows the label. **Never change an identifier**: stored chains encode them.
    ReasonCode ("reason code") {
        /// Nothing objected.
        Compliant = "compliant", "符合准入要求", "meets the admission rules";
        /// A valid permit admitted the vehicle.
        Permit = "permit", "持有效通行许可", "holds a valid permit";
        /// The exit policy admitted the vehicle.
        ExitAdmitted = "exit_admitted", "出厂放行", "leaving the plant";
        /// The vehicle is in no registry.
        UnknownVehicle = "unknown_vehicle", "未登记车辆", "not registered";
        /// The vehicle has no plate.
        Unplated = "unplated", "无牌车辆", "no plate";
        /// The vehicle is in no registry; its permit is outside its validity.
        PermitExpired = "permit_expired", "通行许可已过期或尚未生效", "the permit has expired or is not yet valid";
        /// The vehicle is in no registry and an alert is in force: its stage must be checked.
        UnknownDuringAlert = "unknown_during_alert", "预警期间未登记车辆，须人工核验排放阶段", "not registered during a pollution alert: check the emission stage";
        /// On the bureau blacklist.
        BureauBlacklist = "bureau_blacklist", "生态环境部门黑名单车辆", "on the environmental bureau's blacklist";
        /// On the enterprise blacklist.
        EnterpriseBlacklist = "enterprise_blacklist", "本企业黑名单车辆", "on the enterprise's blacklist";
        /// Below the minimum stage of the enterprise's rating.
        BelowBaseline = "below_baseline", "排放阶段低于本企业绩效等级要求", "emission stage below what the enterprise's rating requires";
        /// An enterprise rule applies.
        EnterpriseRule = "enterprise_rule", "本企业禁行规则", "barred by an enterprise rule";
        /// Measure 1 of an alert.
        EmergencyBanCn3Heavy = "emergency_ban_cn3_heavy", "重污染天气管控：禁行国三及以下重型柴油（燃气）车", "pollution alert: China 3 and older heavy diesel and gas trucks are banned";
        /// Measure 2 of an alert.
        EmergencyBanCn4Heavy = "emergency_ban_cn4_heavy", "重污染天气管控：禁行国四及以下重型柴油（燃气）车", "pollution alert: China 4 and older heavy diesel and gas trucks are banned";
        /// Measure 3 of an alert.
        EmergencyBanCn4DieselCn5Gas = "emergency_ban_cn4_diesel_cn5_gas", "重污染天气管控：禁行国四及以下重型柴油车与国五及以下燃气车", "pollution alert: China 4 and older heavy diesel and China 5 and older gas trucks are banned";
        /// Measure 4 of an alert.
        EmergencyStopRoadTransport = "emergency_stop_road_transport", "重污染天气管控：停止公路运输", "pollution alert: road transport has stopped";
        /// A local measure of an alert.
        EmergencyLocalBan = "emergency_local_ban", "重污染天气管控：地方管控措施禁行", "pollution alert: banned by a local measure";
    }
}

/// The rule that decided, so staff and auditors can see which one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RuleRef {
    /// A bureau blacklist entry.
    BureauBlacklist {
        /// The entry.
        entry: ListEntryId,
    },
    /// An enterprise blacklist entry.
    EnterpriseBlacklist {
        /// The entry.
        entry: ListEntryId,
    },
    /// A permit.
    Permit {
        /// The entry.
        entry: ListEntryId,
    },
    /// The exit policy.
    ExitPolicy,
    /// The policy for vehicles without a plate.
    UnplatedPolicy,
    /// The policy for unregistered vehicles.
    UnknownVehiclePolicy,
    /// An emergency overlay.
    Emergency {
        /// The alert, if the overlay came from one.
        alert: Option<AlertId>,
        /// The alert level.
        level: AlertLevel,
        /// The measure that banned the vehicle, if one did.
        measure: Option<MeasureCode>,
        /// The local measure that banned the vehicle, if one did.
        local_ban: Option<Name>,
    },
    /// A baseline minimum.
    Baseline {
        /// The rating it belongs to.
        rating: EnterpriseRating,
        /// Its industry (none for a generic row).
        industry: Option<Industry>,
        /// The minimum stage.
        minimum: EmissionStage,
    },
    /// An enterprise rule.
    EnterpriseRule {
        /// The rule.
        rule: RuleId,
        /// Its name when it decided.
        name: Name,
    },
    /// No rule objected.
    AllRules,
}

/// What [`decide`] answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    /// Admit, deny or hold for review.
    pub verdict: Verdict,
    /// Why.
    pub reason: ReasonCode,
    /// Which rule.
    pub rule: RuleRef,
}

impl Decision {
    fn new(verdict: Verdict, reason: ReasonCode, rule: RuleRef) -> Self {
        Self { verdict, reason, rule }
    }

    /// Whether the barrier opens.
    pub fn is_admitted(&self) -> bool {
        self.verdict == Verdict::Admit
    }

    /// Whether staff may open the barrier by hand against this decision: never for a vehicle
    /// on the bureau blacklist.
    pub fn allows_manual_release(&self) -> bool {
        !matches!(self.rule, RuleRef::BureauBlacklist { .. })
    }

    /// The gate display's line, e.g. `禁止通行：生态环境部门黑名单车辆`.
    pub fn display(&self, lang: &str) -> String {
        let sep = if lang.starts_with("en") { ": " } else { "：" };
        format!("{}{sep}{}", self.verdict.label(lang), self.reason.label(lang))
    }
}

/// What a registry says about a vehicle: the facts the rules need.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VehicleProfile {
    /// The registry record.
    pub id: VehicleId,
    /// Its plate (machinery may have none).
    pub plate: Plate,
    /// Its registered plate colour.
    pub plate_colour: PlateColour,
    /// Which of the three registries it is in.
    pub ledger: LedgerKind,
    /// Its class.
    pub class: VehicleClass,
    /// Its fuel.
    pub fuel: Fuel,
    /// Its emission stage.
    pub stage: EmissionStage,
}

/// The vehicle in front of the gate.
#[derive(Debug, Clone, Copy)]
pub enum Subject<'a> {
    /// Found in a registry by its plate.
    Registered(&'a VehicleProfile),
    /// Not found: only what the camera saw.
    Unknown {
        /// The plate read, or [`Plate::Unplated`].
        plate: &'a Plate,
        /// The colour the camera reported, if any.
        colour: Option<PlateColour>,
    },
}

impl Subject<'_> {
    /// The plate.
    pub fn plate(&self) -> &Plate {
        match self {
            Self::Registered(v) => &v.plate,
            Self::Unknown { plate, .. } => plate,
        }
    }
}

/// What exits go through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExitMode {
    /// Every exit is admitted unless a blacklist stops it (a vehicle already inside is not
    /// trapped by rules it met on the way in).
    #[default]
    AdmitAll,
    /// Exits are judged like entries (for plants whose loaded product trucks must not leave
    /// during an alert); enterprise rules can still be limited to one direction.
    ApplyRules,
}

/// An enterprise's admission settings, as the platform stores them and the gate caches them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdmissionPolicy {
    /// What happens to an unregistered vehicle. Default: review.
    #[serde(default = "review")]
    pub unknown_vehicle: Verdict,
    /// What happens to a vehicle without a plate. Default: review.
    #[serde(default = "review")]
    pub unplated: Verdict,
    /// What exits go through. Default: admit all.
    #[serde(default)]
    pub exit: ExitMode,
    /// The minimums of the enterprise's rating ([`BaselineTable::for_enterprise`]).
    #[serde(default)]
    pub baseline: Vec<StageMinimum>,
    /// The enterprise's own rules, in the order staff arranged them.
    #[serde(default)]
    pub rules: Vec<EnterpriseRule>,
}

fn review() -> Verdict {
    Verdict::NeedsReview
}

impl Default for AdmissionPolicy {
    fn default() -> Self {
        Self {
            unknown_vehicle: Verdict::NeedsReview,
            unplated: Verdict::NeedsReview,
            exit: ExitMode::AdmitAll,
            baseline: Vec::new(),
            rules: Vec::new(),
        }
    }
}

/// Everything a decision is judged against.
#[derive(Debug, Clone, Copy)]
pub struct AdmissionContext<'a> {
    /// The lists.
    pub lists: &'a Lists,
    /// The enterprise's policy.
    pub policy: &'a AdmissionPolicy,
    /// The emergency overlays the enterprise's gates enforce (active or not: each carries its
    /// validity).
    pub overlays: &'a [EmergencyOverlay],
}

/// Decides whether `subject` may pass in `direction` at local Beijing time `at`.
pub fn decide(
    ctx: &AdmissionContext<'_>,
    subject: Subject<'_>,
    direction: Direction,
    at: NaiveDateTime,
) -> Decision {
    let number = subject.plate().number();
    let entry = |kind| number.and_then(|n| ctx.lists.valid_entry(kind, n, at));

    if let Some(e) = entry(ListKind::BureauBlacklist) {
        return Decision::new(
            Verdict::Deny,
            ReasonCode::BureauBlacklist,
            RuleRef::BureauBlacklist { entry: e.id },
        );
    }
    if let Some(e) = entry(ListKind::EnterpriseBlacklist) {
        return Decision::new(
            Verdict::Deny,
            ReasonCode::EnterpriseBlacklist,
            RuleRef::EnterpriseBlacklist { entry: e.id },
        );
    }
    if direction == Direction::Exit && ctx.policy.exit == ExitMode::AdmitAll {
        return Decision::new(Verdict::Admit, ReasonCode::ExitAdmitted, RuleRef::ExitPolicy);
    }
    let active: Vec<&EmergencyOverlay> = ctx.overlays.iter().filter(|o| o.is_active(at)).collect();
    let permit = entry(ListKind::Permit);

    let v = match subject {
        Subject::Registered(v) => v,
        Subject::Unknown { plate, colour } => {
            let (verdict, reason, rule) = if let Some(p) = permit {
                (Verdict::Admit, ReasonCode::Permit, RuleRef::Permit { entry: p.id })
            } else if *plate == Plate::Unplated {
                (ctx.policy.unplated, ReasonCode::Unplated, RuleRef::UnplatedPolicy)
            } else {
                let lapsed =
                    number.is_some_and(|n| ctx.lists.of_kind(ListKind::Permit, n).next().is_some());
                let reason =
                    if lapsed { ReasonCode::PermitExpired } else { ReasonCode::UnknownVehicle };
                (ctx.policy.unknown_vehicle, reason, RuleRef::UnknownVehiclePolicy)
            };
            if verdict == Verdict::Admit
                && let Some(o) = overlay_that_could_ban(&active, plate, colour)
            {
                return Decision::new(
                    Verdict::NeedsReview,
                    ReasonCode::UnknownDuringAlert,
                    RuleRef::Emergency {
                        alert: o.alert,
                        level: o.level,
                        measure: None,
                        local_ban: None,
                    },
                );
            }
            return Decision::new(verdict, reason, rule);
        }
    };

    for o in &active {
        if let Some(ban) = o.ban_for(v) {
            let (reason, measure, local_ban) = match ban {
                Ban::Measure(m) => (m.reason(), Some(m), None),
                Ban::Local(b) => (ReasonCode::EmergencyLocalBan, None, Some(b.name.clone())),
            };
            return Decision::new(
                Verdict::Deny,
                reason,
                RuleRef::Emergency { alert: o.alert, level: o.level, measure, local_ban },
            );
        }
    }
    if let Some(p) = permit {
        return Decision::new(Verdict::Admit, ReasonCode::Permit, RuleRef::Permit { entry: p.id });
    }
    if let Some(m) = ctx.policy.baseline.iter().find(|m| m.concerns(v) && !m.is_met_by(v)) {
        return Decision::new(
            Verdict::Deny,
            ReasonCode::BelowBaseline,
            RuleRef::Baseline { rating: m.rating, industry: m.industry, minimum: m.minimum },
        );
    }
    // A denying rule wins over a reviewing one; among equals, the first in the staff's order.
    let rule = ctx.policy.rules.iter().filter(|r| r.applies(v, direction, at)).min_by_key(|r| {
        match r.effect {
            RuleEffect::Deny => 0,
            RuleEffect::NeedsReview => 1,
        }
    });
    if let Some(r) = rule {
        let verdict = match r.effect {
            RuleEffect::Deny => Verdict::Deny,
            RuleEffect::NeedsReview => Verdict::NeedsReview,
        };
        return Decision::new(
            verdict,
            ReasonCode::EnterpriseRule,
            RuleRef::EnterpriseRule { rule: r.id, name: r.name.clone() },
        );
    }
    Decision::new(Verdict::Admit, ReasonCode::Compliant, RuleRef::AllRules)
}

/// An active overlay that could ban an unknown vehicle with this plate and colour.
///
/// The colour says whether it could be a heavy truck: yellow and yellow-green plates are
/// large vehicles; blue, black, white and gradient-green plates are not. Without a colour
/// the plate's kind decides (trailer and large new-energy plates are large, ordinary plates
/// may be), and a vehicle without a plate could be anything. Measures 1–3 never ban new
/// energy, so a new-energy plate only matters to measure 4 and local bans.
fn overlay_that_could_ban<'o>(
    active: &[&'o EmergencyOverlay],
    plate: &Plate,
    colour: Option<PlateColour>,
) -> Option<&'o EmergencyOverlay> {
    let kind = plate.number().map(|n| n.kind());
    let large = match colour {
        Some(PlateColour::Yellow | PlateColour::YellowGreen) => true,
        Some(
            PlateColour::Blue
            | PlateColour::Black
            | PlateColour::White
            | PlateColour::GradientGreen,
        ) => false,
        Some(PlateColour::Other) | None => !matches!(
            kind,
            Some(
                PlateKind::SmallNewEnergy
                    | PlateKind::Coach
                    | PlateKind::Police
                    | PlateKind::CrossBorder
            )
        ),
    };
    if !large {
        return None;
    }
    let new_energy =
        colour == Some(PlateColour::YellowGreen) || kind.is_some_and(PlateKind::is_new_energy);
    active.iter().copied().find(|o| !new_energy || o.could_ban_new_energy())
}

/// Why a manual release was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("manual release refused: the vehicle is on the bureau blacklist (entry {entry})")]
pub struct ReleaseRefused {
    /// The bureau blacklist entry.
    pub entry: ListEntryId,
}

impl ReleaseRefused {
    /// The reason, as a gate shows it.
    pub fn reason(&self) -> ReasonCode {
        ReasonCode::BureauBlacklist
    }

    /// The message in `lang` (`"en…"` for English, anything else for zh-CN).
    pub fn message(&self, lang: &str) -> &'static str {
        if lang.starts_with("en") {
            "This vehicle is on the environmental bureau's blacklist; it cannot be released by hand."
        } else {
            "该车辆在生态环境部门黑名单中，不得人工放行"
        }
    }
}

/// Whether staff may open the barrier by hand for the vehicle with `plate` at `at`: refused
/// while it is on the bureau blacklist. Every other manual release is allowed here (and must
/// be recorded with operator, reason and photo by the caller).
pub fn check_manual_release(
    lists: &Lists,
    plate: &Plate,
    at: NaiveDateTime,
) -> Result<(), ReleaseRefused> {
    match plate.number().and_then(|n| lists.valid_entry(ListKind::BureauBlacklist, n, at)) {
        Some(e) => Err(ReleaseRefused { entry: e.id }),
        None => Ok(()),
    }
}

#[cfg(test)]
pub(crate) mod tests;
