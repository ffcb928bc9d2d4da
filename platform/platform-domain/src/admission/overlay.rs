//! Emergency overlays: the truck bans of a heavy-pollution alert, on top of everything else.
//!
//! A bureau issues a [`RegionAlert`] for its region (level, validity, and optionally measures
//! imposed on every enterprise there). What an enterprise must do also depends on its
//! rating: an [`EmergencyPlan`] maps (industry, rating, level) to measure codes. The platform
//! combines both with [`overlays_for`] into the [`EmergencyOverlay`]s it sends each gate; the
//! gate applies them with [`super::decide`].
//!
//! The measure codes (regulator codes 1–4) ban, among vehicles of the external-transport
//! registry (进出厂运输车辆):
//! 1. heavy diesel and gas trucks of 国三 and below;
//! 2. heavy diesel and gas trucks of 国四 and below;
//! 3. heavy diesel trucks of 国四 and below, and heavy gas trucks of 国五 and below;
//! 4. every vehicle: road transport stops.
//!
//! "Heavy truck" means a heavy truck or a tractor: a trailer has no engine and the tractor
//! pulling it is judged. New-energy trucks are never diesel or gas, so measures 1–3 spare
//! them. In-plant vehicles and machinery are not road transport; a local variant that bans
//! machinery (e.g. 国二 and below during an orange alert) is a [`LocalBan`].

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

use super::criteria::{Name, VehicleCriteria};
use super::{ReasonCode, VehicleProfile};
use crate::codes::{
    AlertLevel, EmissionStage, EnterpriseRating, Fuel, Industry, LedgerKind, MeasureCode,
    VehicleClass,
};
use crate::ids::AlertId;
use crate::region::{RegionCode, RegionScope};
use crate::schedule::Validity;

impl MeasureCode {
    /// Whether this measure bans the registered vehicle `v`.
    pub fn bans(self, v: &VehicleProfile) -> bool {
        if v.ledger != LedgerKind::ExternalTransport {
            return false;
        }
        let heavy = matches!(v.class, VehicleClass::HeavyTruck | VehicleClass::Tractor);
        let at_most = |max| v.stage.is_at_most(max);
        match self {
            Self::BanCn3HeavyDieselGas => {
                heavy && matches!(v.fuel, Fuel::Diesel | Fuel::Gas) && at_most(EmissionStage::Cn3)
            }
            Self::BanCn4HeavyDieselGas => {
                heavy && matches!(v.fuel, Fuel::Diesel | Fuel::Gas) && at_most(EmissionStage::Cn4)
            }
            Self::BanCn4DieselCn5Gas => {
                heavy
                    && match v.fuel {
                        Fuel::Diesel => at_most(EmissionStage::Cn4),
                        Fuel::Gas => at_most(EmissionStage::Cn5),
                        _ => false,
                    }
            }
            Self::StopRoadTransport => true,
        }
    }

    /// The reason a gate gives when this measure refuses a vehicle.
    pub fn reason(self) -> ReasonCode {
        match self {
            Self::BanCn3HeavyDieselGas => ReasonCode::EmergencyBanCn3Heavy,
            Self::BanCn4HeavyDieselGas => ReasonCode::EmergencyBanCn4Heavy,
            Self::BanCn4DieselCn5Gas => ReasonCode::EmergencyBanCn4DieselCn5Gas,
            Self::StopRoadTransport => ReasonCode::EmergencyStopRoadTransport,
        }
    }
}

/// A local measure beyond codes 1–4 ("only 国六 may enter", "no 国二 machinery"): a named set
/// of banned vehicles.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LocalBan {
    /// What the measure is called, shown at the gate.
    pub name: Name,
    /// The banned vehicles.
    pub criteria: VehicleCriteria,
}

/// What one gate enforces for one alert: its measures and local bans, while valid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmergencyOverlay {
    /// The alert it comes from, if a bureau issued one (an enterprise may also enter
    /// measures by hand).
    #[serde(default)]
    pub alert: Option<AlertId>,
    /// The alert level.
    pub level: AlertLevel,
    /// The measure codes in force.
    #[serde(default)]
    pub measures: Vec<MeasureCode>,
    /// Local measures in force.
    #[serde(default)]
    pub local_bans: Vec<LocalBan>,
    /// When it is in force.
    #[serde(default)]
    pub validity: Validity,
}

/// Which part of an overlay banned a vehicle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Ban<'a> {
    Measure(MeasureCode),
    Local(&'a LocalBan),
}

impl EmergencyOverlay {
    /// Whether the overlay bans anything at local time `at`.
    pub fn is_active(&self, at: NaiveDateTime) -> bool {
        self.validity.contains(at) && !(self.measures.is_empty() && self.local_bans.is_empty())
    }

    /// The part of the overlay that bans `v`, ignoring validity. Measures are tried from the
    /// most sweeping (4) down, so the reported reason does not depend on their order.
    pub(crate) fn ban_for(&self, v: &VehicleProfile) -> Option<Ban<'_>> {
        let mut measures = self.measures.clone();
        measures.sort_by_key(|m| std::cmp::Reverse(m.number()));
        if let Some(m) = measures.into_iter().find(|m| m.bans(v)) {
            return Some(Ban::Measure(m));
        }
        self.local_bans.iter().find(|b| b.criteria.matches(v)).map(Ban::Local)
    }

    /// Whether the overlay could ban some vehicle that is not a new-energy vehicle only:
    /// measures 1–3 never ban new energy, measure 4 and local bans may.
    pub(crate) fn could_ban_new_energy(&self) -> bool {
        self.measures.contains(&MeasureCode::StopRoadTransport) || !self.local_bans.is_empty()
    }
}

/// A heavy-pollution alert a bureau issued for its region.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegionAlert {
    /// The alert's id.
    pub id: AlertId,
    /// The region it covers.
    pub scope: RegionScope,
    /// The level.
    pub level: AlertLevel,
    /// When it is in force.
    pub validity: Validity,
    /// Measures imposed on every enterprise in the region, whatever its rating (as regulator
    /// platforms push them).
    #[serde(default)]
    pub measures: Vec<MeasureCode>,
    /// Local measures imposed on every enterprise in the region.
    #[serde(default)]
    pub local_bans: Vec<LocalBan>,
}

/// One row of an emergency plan: at these levels, an enterprise of this rating (and
/// industry, or any) takes these measures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanRow {
    /// The industry; none for a row that applies to every industry without its own rows.
    #[serde(default)]
    pub industry: Option<Industry>,
    /// The rating.
    pub rating: EnterpriseRating,
    /// The alert levels the row applies at.
    pub levels: Vec<AlertLevel>,
    /// The measures.
    pub measures: Vec<MeasureCode>,
}

/// The measures each rating takes at each alert level (per-level measures of the rating
/// guide).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct EmergencyPlan {
    /// The rows.
    pub rows: Vec<PlanRow>,
}

impl EmergencyPlan {
    /// Cement clinker, 2020 revision (research: domain §5.1): A takes voluntary measures
    /// only; B and C stop using 国四-and-below heavy trucks (incl. gas) from yellow up; D
    /// stops road transport from yellow up.
    pub fn cement_2020() -> Self {
        use AlertLevel as L;
        let alerts = vec![L::Yellow, L::Orange, L::Red];
        let row = |rating, measures: Vec<MeasureCode>| PlanRow {
            industry: Some(Industry::Cement),
            rating,
            levels: alerts.clone(),
            measures,
        };
        Self {
            rows: vec![
                row(EnterpriseRating::B, vec![MeasureCode::BanCn4HeavyDieselGas]),
                row(EnterpriseRating::C, vec![MeasureCode::BanCn4HeavyDieselGas]),
                row(EnterpriseRating::D, vec![MeasureCode::StopRoadTransport]),
            ],
        }
    }

    /// The measures of an enterprise of `industry` and `rating` at `level`: from the rows of
    /// its industry when it has any, else from the industry-independent rows.
    pub fn measures_for(
        &self,
        industry: Industry,
        rating: EnterpriseRating,
        level: AlertLevel,
    ) -> Vec<MeasureCode> {
        let has_own = self.rows.iter().any(|r| r.industry == Some(industry));
        let wanted = if has_own { Some(industry) } else { None };
        let mut measures: Vec<MeasureCode> = self
            .rows
            .iter()
            .filter(|r| r.industry == wanted && r.rating == rating && r.levels.contains(&level))
            .flat_map(|r| r.measures.iter().copied())
            .collect();
        measures.sort();
        measures.dedup();
        measures
    }
}

/// What the overlays depend on about an enterprise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnterpriseFacts {
    /// Where it is.
    pub region: RegionCode,
    /// Its industry.
    pub industry: Industry,
    /// Its current rating.
    pub rating: EnterpriseRating,
}

/// The overlays an enterprise's gates enforce: one per alert whose region contains the
/// enterprise, with the alert's own measures plus the plan's measures for the enterprise's
/// rating at the alert's level.
pub fn overlays_for(
    alerts: &[RegionAlert],
    plan: &EmergencyPlan,
    enterprise: &EnterpriseFacts,
) -> Vec<EmergencyOverlay> {
    alerts
        .iter()
        .filter(|a| a.scope.contains(&enterprise.region))
        .map(|a| {
            let mut measures = a.measures.clone();
            measures.extend(plan.measures_for(enterprise.industry, enterprise.rating, a.level));
            measures.sort();
            measures.dedup();
            EmergencyOverlay {
                alert: Some(a.id),
                level: a.level,
                measures,
                local_bans: a.local_bans.clone(),
                validity: a.validity,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::admission::tests::{machine, truck};
    use crate::schedule::tests::at;

    #[test]
    fn measure_codes_ban_by_fuel_and_stage() {
        use EmissionStage as S;
        use MeasureCode as M;
        // (fuel, stage, [bans under 1, 2, 3, 4])
        let table = [
            (Fuel::Diesel, S::Cn3, [true, true, true, true]),
            (Fuel::Diesel, S::Cn4, [false, true, true, true]),
            (Fuel::Diesel, S::Cn5, [false, false, false, true]),
            (Fuel::Gas, S::Cn3, [true, true, true, true]),
            (Fuel::Gas, S::Cn4, [false, true, true, true]),
            (Fuel::Gas, S::Cn5, [false, false, true, true]),
            (Fuel::Gas, S::Cn6, [false, false, false, true]),
            (Fuel::Gasoline, S::Cn3, [false, false, false, true]),
            (Fuel::Electric, S::Electric, [false, false, false, true]),
            (Fuel::Hybrid, S::Cn4, [false, false, false, true]),
            (Fuel::Diesel, S::Unstaged, [true, true, true, true]),
        ];
        for (fuel, stage, expected) in table {
            let v = truck("晋A12345", fuel, stage);
            for (m, want) in M::ALL.iter().zip(expected) {
                assert_eq!(m.bans(&v), want, "{m} {fuel} {stage}");
            }
        }
    }

    #[test]
    fn measures_spare_trailers_light_trucks_and_non_road_registries() {
        let mut trailer = truck("冀B1234挂", Fuel::Diesel, EmissionStage::Unstaged);
        trailer.class = VehicleClass::Trailer;
        let mut light = truck("晋A12345", Fuel::Diesel, EmissionStage::Cn3);
        light.class = VehicleClass::LightTruck;
        let mut in_plant = truck("晋A12345", Fuel::Diesel, EmissionStage::Cn3);
        in_plant.ledger = LedgerKind::InPlant;
        for v in [&trailer, &light] {
            assert!(!MeasureCode::BanCn4DieselCn5Gas.bans(v));
            assert!(MeasureCode::StopRoadTransport.bans(v), "road transport stops for all");
        }
        for m in MeasureCode::ALL {
            assert!(!m.bans(&in_plant), "{m}");
            assert!(!m.bans(&machine(EmissionStage::Nr1)), "{m}");
        }
    }

    #[test]
    fn the_cement_plan_follows_the_rating_guide() {
        let plan = EmergencyPlan::cement_2020();
        use AlertLevel as L;
        use EnterpriseRating as R;
        let m = |r, l| plan.measures_for(Industry::Cement, r, l);
        assert!(m(R::A, L::Red).is_empty());
        assert_eq!(m(R::B, L::Yellow), vec![MeasureCode::BanCn4HeavyDieselGas]);
        assert_eq!(m(R::C, L::Orange), vec![MeasureCode::BanCn4HeavyDieselGas]);
        assert_eq!(m(R::D, L::Yellow), vec![MeasureCode::StopRoadTransport]);
        assert!(m(R::D, L::None).is_empty());
        // Steel has no rows, and there are no generic rows.
        assert!(plan.measures_for(Industry::Steel, R::D, L::Red).is_empty());
        let mut generic = plan.clone();
        generic.rows.push(PlanRow {
            industry: None,
            rating: R::C,
            levels: vec![L::Orange],
            measures: vec![MeasureCode::BanCn3HeavyDieselGas],
        });
        assert_eq!(
            generic.measures_for(Industry::Steel, R::C, L::Orange),
            vec![MeasureCode::BanCn3HeavyDieselGas]
        );
        // Cement keeps its own rows.
        assert_eq!(
            generic.measures_for(Industry::Cement, R::C, L::Orange),
            vec![MeasureCode::BanCn4HeavyDieselGas]
        );
    }

    #[test]
    fn overlays_combine_alert_and_plan_for_enterprises_in_the_region() {
        let validity =
            Validity::new(Some(at("2025-11-17 00:00")), Some(at("2025-11-20 00:00"))).unwrap();
        let alert = RegionAlert {
            id: AlertId::new(),
            scope: RegionScope::parse("1401").unwrap(),
            level: AlertLevel::Orange,
            validity,
            measures: vec![MeasureCode::BanCn3HeavyDieselGas],
            local_bans: vec![],
        };
        let inside = EnterpriseFacts {
            region: RegionCode::parse("140105").unwrap(),
            industry: Industry::Cement,
            rating: EnterpriseRating::B,
        };
        let overlays =
            overlays_for(std::slice::from_ref(&alert), &EmergencyPlan::cement_2020(), &inside);
        assert_eq!(overlays.len(), 1);
        assert_eq!(overlays[0].alert, Some(alert.id));
        assert_eq!(
            overlays[0].measures,
            vec![MeasureCode::BanCn3HeavyDieselGas, MeasureCode::BanCn4HeavyDieselGas]
        );
        assert!(overlays[0].is_active(at("2025-11-18 09:00")));
        assert!(!overlays[0].is_active(at("2025-11-20 00:00")));
        let outside = EnterpriseFacts { region: RegionCode::parse("140200").unwrap(), ..inside };
        assert!(overlays_for(&[alert], &EmergencyPlan::cement_2020(), &outside).is_empty());
    }

    #[test]
    fn an_overlay_without_bans_is_not_active_and_the_sweeping_measure_is_reported() {
        let quiet = EmergencyOverlay {
            alert: None,
            level: AlertLevel::Yellow,
            measures: vec![],
            local_bans: vec![],
            validity: Validity::ALWAYS,
        };
        assert!(!quiet.is_active(at("2025-11-18 09:00")));
        let both = EmergencyOverlay {
            measures: vec![MeasureCode::BanCn4HeavyDieselGas, MeasureCode::StopRoadTransport],
            ..quiet
        };
        let v = truck("晋A12345", Fuel::Diesel, EmissionStage::Cn3);
        assert_eq!(both.ban_for(&v), Some(Ban::Measure(MeasureCode::StopRoadTransport)));
    }
}
