//! Which vehicles a rule concerns, and the names people give rules.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::VehicleProfile;
use crate::codes::{EmissionStage, Fuel, LedgerKind, PlateColour, VehicleClass};
use crate::error::{ErrorCode, ValidationError};

/// How a criterion selects emission stages.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StageMatch {
    /// Every stage.
    #[default]
    Any,
    /// Exactly these stages (as SmartEcoGate-style rule editors list them).
    AnyOf(Vec<EmissionStage>),
    /// This stage and every lower one ("国四及以下"), by [`EmissionStage::is_at_most`].
    AtMost(EmissionStage),
}

impl StageMatch {
    /// Whether `stage` is selected.
    pub fn matches(&self, stage: EmissionStage) -> bool {
        match self {
            Self::Any => true,
            Self::AnyOf(stages) => stages.contains(&stage),
            Self::AtMost(max) => stage.is_at_most(*max),
        }
    }
}

/// The vehicles a rule, ban or minimum concerns. An empty list does not restrict; every
/// non-empty list must contain the vehicle's value.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct VehicleCriteria {
    /// Registries (the three ledgers).
    #[serde(default)]
    pub ledgers: Vec<LedgerKind>,
    /// Vehicle or machine classes.
    #[serde(default)]
    pub classes: Vec<VehicleClass>,
    /// Registered plate colours.
    #[serde(default)]
    pub plate_colours: Vec<PlateColour>,
    /// Fuels.
    #[serde(default)]
    pub fuels: Vec<Fuel>,
    /// Emission stages.
    #[serde(default)]
    pub stages: StageMatch,
}

impl VehicleCriteria {
    /// Criteria that select every vehicle.
    pub fn all() -> Self {
        Self::default()
    }

    /// Whether the registered vehicle `v` is selected.
    pub fn matches(&self, v: &VehicleProfile) -> bool {
        fn within<T: PartialEq>(list: &[T], value: &T) -> bool {
            list.is_empty() || list.contains(value)
        }
        within(&self.ledgers, &v.ledger)
            && within(&self.classes, &v.class)
            && within(&self.plate_colours, &v.plate_colour)
            && within(&self.fuels, &v.fuel)
            && self.stages.matches(v.stage)
    }
}

/// The longest name, in characters.
pub const NAME_MAX_CHARS: usize = 64;

/// A person-given name of a rule or local ban: 1–64 characters, trimmed.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Name(String);

impl Name {
    /// Parses a name.
    pub fn parse(input: &str) -> Result<Self, ValidationError> {
        let s = input.trim();
        if s.is_empty() {
            return Err(ValidationError::new(
                ErrorCode::NameEmpty,
                "name",
                "名称不能为空",
                "The name must not be empty.",
            ));
        }
        let count = s.chars().count();
        if count > NAME_MAX_CHARS {
            return Err(ValidationError::new(
                ErrorCode::NameLength,
                "name",
                format!("名称最多{NAME_MAX_CHARS}个字符，收到{count}个"),
                format!("A name has at most {NAME_MAX_CHARS} characters; got {count}."),
            ));
        }
        Ok(Self(s.to_owned()))
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Name({:?})", self.0)
    }
}

impl TryFrom<String> for Name {
    type Error = ValidationError;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<Name> for String {
    fn from(n: Name) -> Self {
        n.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::admission::tests::truck;

    #[test]
    fn empty_criteria_match_everything_and_each_list_narrows() {
        let v = truck("晋A12345", Fuel::Diesel, EmissionStage::Cn4);
        assert!(VehicleCriteria::all().matches(&v));
        let mut c = VehicleCriteria { fuels: vec![Fuel::Diesel, Fuel::Gas], ..Default::default() };
        assert!(c.matches(&v));
        c.classes = vec![VehicleClass::LightTruck];
        assert!(!c.matches(&v));
        c.classes = vec![VehicleClass::HeavyTruck];
        c.plate_colours = vec![PlateColour::Blue];
        assert!(!c.matches(&v));
        c.plate_colours = vec![PlateColour::Yellow];
        c.ledgers = vec![LedgerKind::InPlant];
        assert!(!c.matches(&v));
        c.ledgers = vec![LedgerKind::ExternalTransport];
        c.stages = StageMatch::AtMost(EmissionStage::Cn3);
        assert!(!c.matches(&v));
        c.stages = StageMatch::AtMost(EmissionStage::Cn4);
        assert!(c.matches(&v));
        c.stages = StageMatch::AnyOf(vec![EmissionStage::Cn5]);
        assert!(!c.matches(&v));
    }

    #[test]
    fn stage_match_serialises_readably() {
        let json = serde_json::to_string(&StageMatch::AtMost(EmissionStage::Cn4)).unwrap();
        assert_eq!(json, r#"{"at_most":"cn4"}"#);
        assert_eq!(serde_json::to_string(&StageMatch::Any).unwrap(), r#""any""#);
        let any_of: StageMatch = serde_json::from_str(r#"{"any_of":["cn3","cn4"]}"#).unwrap();
        assert!(any_of.matches(EmissionStage::Cn3) && !any_of.matches(EmissionStage::Cn5));
    }

    #[test]
    fn bad_names_are_named() {
        assert_eq!(Name::parse("  夜间禁行 ").unwrap().as_str(), "夜间禁行");
        assert_eq!(Name::parse(" ").unwrap_err().code(), ErrorCode::NameEmpty);
        let long = "规".repeat(65);
        assert_eq!(Name::parse(&long).unwrap_err().code(), ErrorCode::NameLength);
        assert!(Name::parse(&"规".repeat(64)).is_ok());
        assert!(serde_json::from_str::<Name>(r#""""#).is_err());
    }
}
