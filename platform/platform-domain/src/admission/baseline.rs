//! The baseline: the minimum emission stage an enterprise's performance rating requires of
//! the vehicles and machines it uses, by industry, rating, registry, class and fuel.
//!
//! A new-energy vehicle (battery electric, hybrid, hydrogen, or stage 电动) always meets a
//! minimum: every rating text reads "国X及以上 … 或新能源".
//!
//! Built-in data covers what the research verified: cement clinker, 2020 revision of the
//! rating guide (A: road transport heavy trucks 国五+, in-plant vehicles 国五+, machinery
//! 国三+; B: the same, except that road transport only requires 国四+ per vehicle, the 80 %
//! share being a rating metric, not a gate rule). Other industries are data the platform
//! stores in the same shape.

use serde::{Deserialize, Serialize};

use super::VehicleProfile;
use super::criteria::VehicleCriteria;
use crate::codes::{EmissionStage, EnterpriseRating, Industry, LedgerKind, VehicleClass};

/// One minimum: vehicles matching `criteria`, used by an enterprise of `rating` (in
/// `industry`, or any industry when none), must be at least `minimum` or new-energy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StageMinimum {
    /// The industry; none for a row that applies to every industry without its own rows.
    #[serde(default)]
    pub industry: Option<Industry>,
    /// The rating the minimum belongs to.
    pub rating: EnterpriseRating,
    /// The vehicles it concerns (by registry, class, fuel).
    pub criteria: VehicleCriteria,
    /// The lowest acceptable stage.
    pub minimum: EmissionStage,
}

impl StageMinimum {
    /// Whether the minimum concerns `v` at all.
    pub fn concerns(&self, v: &VehicleProfile) -> bool {
        self.criteria.matches(v)
    }

    /// Whether `v` meets the minimum (new energy always does).
    pub fn is_met_by(&self, v: &VehicleProfile) -> bool {
        v.fuel.is_new_energy() || v.stage.is_at_least(self.minimum)
    }
}

/// Baseline minimums for every (industry, rating) the platform knows.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct BaselineTable {
    /// The rows.
    pub rows: Vec<StageMinimum>,
}

/// Road trucks with an engine: the "重型载货车辆" of the rating texts. Trailers are left out:
/// they have no engine, and the tractor pulling one is judged instead.
const HEAVY_WITH_ENGINE: &[VehicleClass] = &[VehicleClass::HeavyTruck, VehicleClass::Tractor];

impl BaselineTable {
    /// Cement clinker (水泥), 2020 revision of the rating guide (research: domain §4.1).
    pub fn cement_2020() -> Self {
        let row = |rating, ledger, classes: &[VehicleClass], minimum| StageMinimum {
            industry: Some(Industry::Cement),
            rating,
            criteria: VehicleCriteria {
                ledgers: vec![ledger],
                classes: classes.to_vec(),
                ..VehicleCriteria::default()
            },
            minimum,
        };
        use EmissionStage as S;
        use EnterpriseRating as R;
        use LedgerKind as L;
        Self {
            rows: vec![
                row(R::A, L::ExternalTransport, HEAVY_WITH_ENGINE, S::Cn5),
                row(R::A, L::InPlant, &[], S::Cn5),
                row(R::A, L::NonRoad, &[], S::Nr3),
                row(R::B, L::ExternalTransport, HEAVY_WITH_ENGINE, S::Cn4),
                row(R::B, L::InPlant, &[], S::Cn5),
                row(R::B, L::NonRoad, &[], S::Nr3),
            ],
        }
    }

    /// The minimums for an enterprise: the rows of its industry and rating, or, when its
    /// industry has no row for that rating, the industry-independent rows of the rating.
    pub fn for_enterprise(
        &self,
        industry: Industry,
        rating: EnterpriseRating,
    ) -> Vec<StageMinimum> {
        let of = |ind: Option<Industry>| -> Vec<StageMinimum> {
            self.rows.iter().filter(|r| r.rating == rating && r.industry == ind).cloned().collect()
        };
        let specific = of(Some(industry));
        if specific.is_empty() { of(None) } else { specific }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::admission::tests::{machine, truck};
    use crate::codes::Fuel;

    #[test]
    fn cement_a_requires_cn5_trucks_and_nr3_machinery() {
        let rows =
            BaselineTable::cement_2020().for_enterprise(Industry::Cement, EnterpriseRating::A);
        let failing = |v: &VehicleProfile| rows.iter().any(|m| m.concerns(v) && !m.is_met_by(v));
        assert!(failing(&truck("晋A12345", Fuel::Diesel, EmissionStage::Cn4)));
        assert!(!failing(&truck("晋A12345", Fuel::Diesel, EmissionStage::Cn5)));
        assert!(!failing(&truck("晋A12345", Fuel::Gas, EmissionStage::Cn6a)));
        // New energy meets every minimum, whatever stage is on file.
        assert!(!failing(&truck("晋A12345D", Fuel::Electric, EmissionStage::Unstaged)));
        assert!(!failing(&truck("晋A12345F", Fuel::Hybrid, EmissionStage::Cn4)));
        assert!(failing(&machine(EmissionStage::Nr2)));
        assert!(!failing(&machine(EmissionStage::Nr3)));
        // A light truck is not a heavy truck; the cement text does not concern it.
        let mut light = truck("晋A12345", Fuel::Diesel, EmissionStage::Cn3);
        light.class = VehicleClass::LightTruck;
        assert!(!failing(&light));
    }

    #[test]
    fn cement_b_requires_cn4_trucks_per_vehicle() {
        let rows =
            BaselineTable::cement_2020().for_enterprise(Industry::Cement, EnterpriseRating::B);
        let failing = |v: &VehicleProfile| rows.iter().any(|m| m.concerns(v) && !m.is_met_by(v));
        assert!(!failing(&truck("晋A12345", Fuel::Diesel, EmissionStage::Cn4)));
        assert!(failing(&truck("晋A12345", Fuel::Diesel, EmissionStage::Cn3)));
    }

    #[test]
    fn industries_without_rows_fall_back_to_generic_rows_only() {
        let table = BaselineTable::cement_2020();
        assert!(table.for_enterprise(Industry::Steel, EnterpriseRating::A).is_empty());
        assert!(table.for_enterprise(Industry::Cement, EnterpriseRating::C).is_empty());
        let mut with_generic = table.clone();
        with_generic.rows.push(StageMinimum {
            industry: None,
            rating: EnterpriseRating::A,
            criteria: VehicleCriteria::all(),
            minimum: EmissionStage::Cn6,
        });
        let steel = with_generic.for_enterprise(Industry::Steel, EnterpriseRating::A);
        assert_eq!(steel.len(), 1);
        assert_eq!(steel[0].minimum, EmissionStage::Cn6);
        // Cement keeps its own rows.
        assert_eq!(with_generic.for_enterprise(Industry::Cement, EnterpriseRating::A).len(), 3);
        let json = serde_json::to_string(&with_generic).unwrap();
        assert_eq!(serde_json::from_str::<BaselineTable>(&json).unwrap(), with_generic);
    }
}
