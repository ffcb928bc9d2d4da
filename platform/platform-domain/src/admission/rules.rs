//! Enterprise rules (禁行规则): bans an enterprise sets for itself, by vehicle criteria and
//! schedule.

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

use super::VehicleProfile;
use super::criteria::{Name, VehicleCriteria};
use crate::codes::Direction;
use crate::ids::RuleId;
use crate::schedule::Schedule;

/// What a matching enterprise rule does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleEffect {
    /// Refuse the vehicle.
    #[default]
    Deny,
    /// Hold the vehicle for a person to decide.
    NeedsReview,
}

/// One enterprise rule: "these vehicles may not pass then".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnterpriseRule {
    /// The rule's id, quoted in decisions.
    pub id: RuleId,
    /// What staff call it, e.g. 夜间禁行国四柴油车.
    pub name: Name,
    /// A disabled rule is kept but never matches.
    #[serde(default = "enabled_by_default")]
    pub enabled: bool,
    /// Refuse, or hold for review.
    #[serde(default)]
    pub effect: RuleEffect,
    /// The directions it applies to; empty means both.
    #[serde(default)]
    pub directions: Vec<Direction>,
    /// Which vehicles.
    #[serde(default)]
    pub criteria: VehicleCriteria,
    /// When.
    #[serde(default)]
    pub schedule: Schedule,
}

fn enabled_by_default() -> bool {
    true
}

impl EnterpriseRule {
    /// Whether the rule applies to `v` passing in `direction` at local time `at`.
    pub fn applies(&self, v: &VehicleProfile, direction: Direction, at: NaiveDateTime) -> bool {
        self.enabled
            && (self.directions.is_empty() || self.directions.contains(&direction))
            && self.criteria.matches(v)
            && self.schedule.is_active(at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::admission::tests::truck;
    use crate::codes::{EmissionStage, Fuel};
    use crate::schedule::tests::at;

    #[test]
    fn rules_deserialise_with_defaults_and_apply_by_direction_and_switch() {
        let rule: EnterpriseRule = serde_json::from_value(serde_json::json!({
            "id": RuleId::new(),
            "name": "夜间禁行柴油车",
            "directions": ["entry"],
            "criteria": {"fuels": ["diesel"]},
            "schedule": {"hours": [{"start": "22:00:00", "end": "06:00:00"}]}
        }))
        .unwrap();
        assert!(rule.enabled);
        assert_eq!(rule.effect, RuleEffect::Deny);
        let diesel = truck("晋A12345", Fuel::Diesel, EmissionStage::Cn6);
        let gas = truck("晋A12346", Fuel::Gas, EmissionStage::Cn6);
        assert!(rule.applies(&diesel, Direction::Entry, at("2025-11-17 23:00")));
        assert!(!rule.applies(&diesel, Direction::Exit, at("2025-11-17 23:00")));
        assert!(!rule.applies(&diesel, Direction::Entry, at("2025-11-17 12:00")));
        assert!(!rule.applies(&gas, Direction::Entry, at("2025-11-17 23:00")));
        let off = EnterpriseRule { enabled: false, ..rule };
        assert!(!off.applies(&diesel, Direction::Entry, at("2025-11-17 23:00")));
        assert!(
            serde_json::from_value::<EnterpriseRule>(
                serde_json::json!({"id": RuleId::new(), "name": ""})
            )
            .is_err()
        );
    }
}
