//! Rating metrics (绩效分级): shares over trip and fleet summaries, judged against the
//! thresholds of a rating level and industry.
//!
//! Inputs are summaries, not passages: one [`TripSummary`] may stand for one trip or for a
//! `GROUP BY (ledger, class, fuel, stage)` row of many, so the platform can aggregate a
//! month of passages in SQL and hand the few rows here.
//!
//! Definitions:
//! - **Road-transport trips** are trips of the external-transport registry by heavy trucks
//!   and tractors (the "重型载货车辆" of the rating texts). A trailer's trip is its
//!   tractor's; medium and light trucks are not counted.
//! - A trip is **国五+/NEV** when its fuel is new-energy or its stage is at least 国五;
//!   **国六+/NEV** likewise with 国六 (国六 with a/b unknown counts); **国四及以下** when it is
//!   not new-energy and its stage is at most 国四 (no stage counts as below). Every trip is
//!   either 国五+/NEV or 国四及以下.
//! - Shares by **tonnage** weigh each trip by its cargo in kilograms (in and out together);
//!   cargo in litres or packages is not tonnage and is left out by the caller.
//! - **Fleet compliance** is the share of registered in-plant vehicles (or machines) that
//!   are new-energy or at least the rating's minimum stage.
//! - **Ledger completeness** is the share of ledger records with every required field of
//!   their table ([`required_fields`]).
//!
//! Shares are exact fractions; a threshold is met or not by integer arithmetic, never by a
//! rounded percentage. A share of nothing (no trips, no machines) has no value and does not
//! fail a threshold.

use serde::{Deserialize, Serialize};

use crate::codes::{
    EmissionStage, EnterpriseRating, Fuel, Industry, LedgerKind, VehicleClass, code_enum,
};
use crate::error::{ErrorCode, ValidationError};

/// A share in thousandths, 0–1000 (800 ‰ = 80 %).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "u16", into = "u16")]
pub struct Permille(u16);

impl Permille {
    /// All of it.
    pub const ALL: Self = Self(1000);
    /// None of it.
    pub const NONE: Self = Self(0);

    /// A share of `value` ‰; at most 1000.
    pub fn new(value: u16) -> Result<Self, ValidationError> {
        if value > 1000 {
            return Err(ValidationError::new(
                ErrorCode::PermilleRange,
                "threshold",
                format!("比例应在0‰至1000‰之间，收到{value}‰"),
                format!("A share is between 0 ‰ and 1000 ‰; got {value} ‰."),
            ));
        }
        Ok(Self(value))
    }

    /// The value in thousandths.
    pub fn get(self) -> u16 {
        self.0
    }
}

impl TryFrom<u16> for Permille {
    type Error = ValidationError;

    fn try_from(value: u16) -> Result<Self, Self::Error> {
        Self::new(value)
    }
}

impl From<Permille> for u16 {
    fn from(p: Permille) -> Self {
        p.0
    }
}

/// An exact share: `part` out of `whole`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct Share {
    /// What counts.
    pub part: u64,
    /// Out of what.
    pub whole: u64,
}

impl Share {
    /// The share in whole thousandths, rounded down; none for a share of nothing.
    pub fn permille(&self) -> Option<u16> {
        (self.whole > 0).then(|| (u128::from(self.part) * 1000 / u128::from(self.whole)) as u16)
    }

    /// The share as a fraction 0.0–1.0, for display; none for a share of nothing.
    pub fn ratio(&self) -> Option<f64> {
        (self.whole > 0).then(|| self.part as f64 / self.whole as f64)
    }

    /// Whether the share is at least `min` (exactly, not rounded); none for a share of
    /// nothing.
    pub fn is_at_least(&self, min: Permille) -> Option<bool> {
        (self.whole > 0)
            .then(|| u128::from(self.part) * 1000 >= u128::from(min.0) * u128::from(self.whole))
    }

    /// Whether the share is at most `max`; none for a share of nothing.
    pub fn is_at_most(&self, max: Permille) -> Option<bool> {
        (self.whole > 0)
            .then(|| u128::from(self.part) * 1000 <= u128::from(max.0) * u128::from(self.whole))
    }

    fn add(&mut self, counts: bool, amount: u64) {
        self.whole += amount;
        if counts {
            self.part += amount;
        }
    }
}

/// Trips of one kind of vehicle in a period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TripSummary {
    /// The registry of the vehicles.
    pub ledger: LedgerKind,
    /// Their class.
    pub class: VehicleClass,
    /// Their fuel.
    pub fuel: Fuel,
    /// Their stage.
    pub stage: EmissionStage,
    /// How many trips (a visit in and out is one trip).
    pub trips: u64,
    /// The cargo they carried, in kilograms.
    pub cargo_kg: u64,
}

/// Registered vehicles or machines of one kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FleetSummary {
    /// The registry.
    pub ledger: LedgerKind,
    /// Their fuel.
    pub fuel: Fuel,
    /// Their stage.
    pub stage: EmissionStage,
    /// How many.
    pub count: u64,
}

/// Ledger records in a period, and how many of them are complete.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct LedgerCounts {
    /// All records.
    pub records: u64,
    /// Records with every required field.
    pub complete: u64,
}

/// What the metrics are computed from.
#[derive(Debug, Clone, Copy, Default)]
pub struct MetricInputs<'a> {
    /// Trip summaries of the period.
    pub trips: &'a [TripSummary],
    /// The registered in-plant vehicles and machines.
    pub fleet: &'a [FleetSummary],
    /// Ledger records of the period.
    pub ledger: LedgerCounts,
}

code_enum! {
    /// A rating metric.
    Metric ("metric") {
        Cn5PlusOrNevTrips = "cn5_plus_or_nev_trips", "国五及以上或新能源重型货车运输车次占比", "share of heavy-truck trips by China 5+ or new-energy trucks";
        Cn5PlusOrNevTonnage = "cn5_plus_or_nev_tonnage", "国五及以上或新能源重型货车运输量占比", "share of heavy-truck tonnage by China 5+ or new-energy trucks";
        Cn6PlusOrNevTrips = "cn6_plus_or_nev_trips", "国六或新能源重型货车运输车次占比", "share of heavy-truck trips by China 6 or new-energy trucks";
        Cn6PlusOrNevTonnage = "cn6_plus_or_nev_tonnage", "国六或新能源重型货车运输量占比", "share of heavy-truck tonnage by China 6 or new-energy trucks";
        Cn4OrBelowTrips = "cn4_or_below_trips", "国四及以下重型货车运输车次占比", "share of heavy-truck trips by China 4 and older trucks";
        Cn4OrBelowTonnage = "cn4_or_below_tonnage", "国四及以下重型货车运输量占比", "share of heavy-truck tonnage by China 4 and older trucks";
        Cn3OrBelowTrips = "cn3_or_below_trips", "国三及以下重型货车运输车次占比", "share of heavy-truck trips by China 3 and older trucks";
        Cn3OrBelowTonnage = "cn3_or_below_tonnage", "国三及以下重型货车运输量占比", "share of heavy-truck tonnage by China 3 and older trucks";
        InPlantCompliance = "in_plant_compliance", "厂内运输车辆达标率", "in-plant vehicles meeting the minimum stage";
        NrmmCompliance = "nrmm_compliance", "非道路移动机械达标率", "non-road machinery meeting the minimum stage";
        LedgerCompleteness = "ledger_completeness", "电子台账完整率", "complete ledger records";
    }
}

/// The minimum stages fleet compliance is measured against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FleetMinimums {
    /// For in-plant vehicles.
    pub in_plant: EmissionStage,
    /// For non-road machinery.
    pub nrmm: EmissionStage,
}

fn is_road_trip(t: &TripSummary) -> bool {
    t.ledger == LedgerKind::ExternalTransport
        && matches!(t.class, VehicleClass::HeavyTruck | VehicleClass::Tractor)
}

fn clean(fuel: Fuel, stage: EmissionStage, minimum: EmissionStage) -> bool {
    fuel.is_new_energy() || stage.is_at_least(minimum)
}

fn old(fuel: Fuel, stage: EmissionStage, maximum: EmissionStage) -> bool {
    !fuel.is_new_energy() && stage.is_at_most(maximum)
}

/// The value of `metric` over `inputs`.
pub fn measure(metric: Metric, inputs: &MetricInputs<'_>, minimums: &FleetMinimums) -> Share {
    use EmissionStage as S;
    let by_trips = |counts: &dyn Fn(&TripSummary) -> bool| {
        let mut share = Share::default();
        for t in inputs.trips.iter().filter(|t| is_road_trip(t)) {
            share.add(counts(t), t.trips);
        }
        share
    };
    let by_tonnage = |counts: &dyn Fn(&TripSummary) -> bool| {
        let mut share = Share::default();
        for t in inputs.trips.iter().filter(|t| is_road_trip(t)) {
            share.add(counts(t), t.cargo_kg);
        }
        share
    };
    let fleet = |ledger: LedgerKind, minimum: EmissionStage| {
        let mut share = Share::default();
        for f in inputs.fleet.iter().filter(|f| f.ledger == ledger) {
            share.add(clean(f.fuel, f.stage, minimum), f.count);
        }
        share
    };
    match metric {
        Metric::Cn5PlusOrNevTrips => by_trips(&|t| clean(t.fuel, t.stage, S::Cn5)),
        Metric::Cn5PlusOrNevTonnage => by_tonnage(&|t| clean(t.fuel, t.stage, S::Cn5)),
        Metric::Cn6PlusOrNevTrips => by_trips(&|t| clean(t.fuel, t.stage, S::Cn6)),
        Metric::Cn6PlusOrNevTonnage => by_tonnage(&|t| clean(t.fuel, t.stage, S::Cn6)),
        Metric::Cn4OrBelowTrips => by_trips(&|t| old(t.fuel, t.stage, S::Cn4)),
        Metric::Cn4OrBelowTonnage => by_tonnage(&|t| old(t.fuel, t.stage, S::Cn4)),
        Metric::Cn3OrBelowTrips => by_trips(&|t| old(t.fuel, t.stage, S::Cn3)),
        Metric::Cn3OrBelowTonnage => by_tonnage(&|t| old(t.fuel, t.stage, S::Cn3)),
        Metric::InPlantCompliance => fleet(LedgerKind::InPlant, minimums.in_plant),
        Metric::NrmmCompliance => fleet(LedgerKind::NonRoad, minimums.nrmm),
        Metric::LedgerCompleteness => {
            Share { part: inputs.ledger.complete, whole: inputs.ledger.records }
        }
    }
}

/// A bound on a metric.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Bound {
    /// The share must be at least this.
    AtLeast(Permille),
    /// The share must be at most this.
    AtMost(Permille),
}

/// One threshold of a rating.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Threshold {
    /// The metric.
    pub metric: Metric,
    /// Its bound.
    pub bound: Bound,
}

/// The transport thresholds of one rating level (in one industry, or any).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RatingThresholds {
    /// The industry; none for thresholds of every industry without its own.
    #[serde(default)]
    pub industry: Option<Industry>,
    /// The rating level.
    pub rating: EnterpriseRating,
    /// The minimum stages fleet compliance is measured against.
    pub minimums: FleetMinimums,
    /// The thresholds.
    pub thresholds: Vec<Threshold>,
}

/// Thresholds for every (industry, rating) the platform knows.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ThresholdTable {
    /// The rows.
    pub rows: Vec<RatingThresholds>,
}

impl ThresholdTable {
    /// Cement clinker, 2020 revision of the rating guide (research: domain §4.1):
    /// - A: all heavy-truck road trips 国五+/NEV; all in-plant vehicles 国五+/NEV; all
    ///   machinery 国三+/NEV.
    /// - B: at least 80 % of trips 国五+/NEV and the rest at least 国四 (no trip 国三 or
    ///   below); in-plant and machinery as A.
    /// - C: at least 50 % of trips 国五+/NEV.
    ///
    /// The guide's percentages are applied to trips, which the gate counts; the tonnage
    /// metrics are computed alongside and can be made thresholds by data.
    pub fn cement_2020() -> Self {
        let minimums = FleetMinimums { in_plant: EmissionStage::Cn5, nrmm: EmissionStage::Nr3 };
        let at_least = |metric, p: u16| Threshold { metric, bound: Bound::AtLeast(Permille(p)) };
        let at_most = |metric, p: u16| Threshold { metric, bound: Bound::AtMost(Permille(p)) };
        let row = |rating, thresholds| RatingThresholds {
            industry: Some(Industry::Cement),
            rating,
            minimums,
            thresholds,
        };
        Self {
            rows: vec![
                row(
                    EnterpriseRating::A,
                    vec![
                        at_least(Metric::Cn5PlusOrNevTrips, 1000),
                        at_least(Metric::InPlantCompliance, 1000),
                        at_least(Metric::NrmmCompliance, 1000),
                    ],
                ),
                row(
                    EnterpriseRating::B,
                    vec![
                        at_least(Metric::Cn5PlusOrNevTrips, 800),
                        at_most(Metric::Cn3OrBelowTrips, 0),
                        at_least(Metric::InPlantCompliance, 1000),
                        at_least(Metric::NrmmCompliance, 1000),
                    ],
                ),
                row(EnterpriseRating::C, vec![at_least(Metric::Cn5PlusOrNevTrips, 500)]),
            ],
        }
    }

    /// The thresholds of `industry` at `rating`, or the industry-independent ones.
    pub fn for_enterprise(
        &self,
        industry: Industry,
        rating: EnterpriseRating,
    ) -> Option<&RatingThresholds> {
        let find = |ind| self.rows.iter().find(|r| r.rating == rating && r.industry == ind);
        find(Some(industry)).or_else(|| find(None))
    }
}

/// How a metric fared against its bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Within the bound.
    Met,
    /// Outside the bound.
    NotMet,
    /// Nothing to measure (no trips, no machines, no records).
    NoData,
}

/// One metric against one threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct MetricResult {
    /// The metric.
    pub metric: Metric,
    /// Its value.
    pub share: Share,
    /// Its bound.
    pub bound: Bound,
    /// The outcome.
    pub outcome: Outcome,
}

/// Every threshold of a rating, judged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assessment {
    /// The rating judged against.
    pub rating: EnterpriseRating,
    /// One result per threshold, in the thresholds' order.
    pub results: Vec<MetricResult>,
}

impl Assessment {
    /// Whether no threshold is missed (no data is not a miss).
    pub fn all_met(&self) -> bool {
        self.results.iter().all(|r| r.outcome != Outcome::NotMet)
    }

    /// The thresholds missed.
    pub fn misses(&self) -> impl Iterator<Item = &MetricResult> {
        self.results.iter().filter(|r| r.outcome == Outcome::NotMet)
    }
}

/// Judges `inputs` against the thresholds of a rating.
pub fn assess(inputs: &MetricInputs<'_>, thresholds: &RatingThresholds) -> Assessment {
    let results = thresholds
        .thresholds
        .iter()
        .map(|t| {
            let share = measure(t.metric, inputs, &thresholds.minimums);
            let within = match t.bound {
                Bound::AtLeast(p) => share.is_at_least(p),
                Bound::AtMost(p) => share.is_at_most(p),
            };
            let outcome = match within {
                None => Outcome::NoData,
                Some(true) => Outcome::Met,
                Some(false) => Outcome::NotMet,
            };
            MetricResult { metric: t.metric, share, bound: t.bound, outcome }
        })
        .collect();
    Assessment { rating: thresholds.rating, results }
}

code_enum! {
    /// A field of the 2020 ledger tables (表3–表5).
    LedgerField ("ledger field") {
        PassageTime = "passage_time", "进出厂时间", "time of passage";
        Photo = "photo", "进出厂照片", "passage photo";
        PlateNumber = "plate_number", "号牌号码", "plate number";
        RegistrationDate = "registration_date", "注册日期", "registration date";
        Vin = "vin", "车辆识别代号", "VIN";
        EngineNumber = "engine_number", "发动机号码", "engine number";
        EmissionStage = "emission_stage", "排放阶段", "emission stage";
        /// 随车清单 or 行驶证: at least one of the two.
        Documents = "documents", "随车清单或行驶证", "environmental list or registration certificate";
        CargoName = "cargo_name", "运输货物名称", "cargo";
        CargoAmount = "cargo_amount", "运输量", "cargo amount";
        FleetName = "fleet_name", "车队名称", "fleet";
        RegistrationCode = "registration_code", "登记编码或内部管理号牌", "registration code or internal plate";
        ProductionDate = "production_date", "生产日期", "production date";
        MachineCode = "machine_code", "机械代码（PIN）", "machine code (PIN)";
        EngineNameplatePhoto = "engine_nameplate_photo", "发动机铭牌照片", "engine nameplate photo";
    }
}

/// The fields a record of `ledger` must have (表3, 表4, 表5 of the 2020 guide).
pub fn required_fields(ledger: LedgerKind) -> &'static [LedgerField] {
    use LedgerField as F;
    match ledger {
        LedgerKind::ExternalTransport => &[
            F::PassageTime,
            F::Photo,
            F::PlateNumber,
            F::RegistrationDate,
            F::Vin,
            F::EngineNumber,
            F::EmissionStage,
            F::Documents,
            F::CargoName,
            F::CargoAmount,
            F::FleetName,
        ],
        LedgerKind::InPlant => &[
            F::RegistrationCode,
            F::RegistrationDate,
            F::Vin,
            F::EngineNumber,
            F::EmissionStage,
            F::Documents,
        ],
        LedgerKind::NonRoad => &[
            F::RegistrationCode,
            F::ProductionDate,
            F::EmissionStage,
            F::MachineCode,
            F::EngineNameplatePhoto,
        ],
    }
}

/// The required fields a record of `ledger` lacks, given which fields it has.
pub fn missing_fields(ledger: LedgerKind, has: impl Fn(LedgerField) -> bool) -> Vec<LedgerField> {
    required_fields(ledger).iter().copied().filter(|f| !has(*f)).collect()
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn trips(fuel: Fuel, stage: EmissionStage, trips: u64, cargo_kg: u64) -> TripSummary {
        TripSummary {
            ledger: LedgerKind::ExternalTransport,
            class: VehicleClass::HeavyTruck,
            fuel,
            stage,
            trips,
            cargo_kg,
        }
    }

    fn fleet(ledger: LedgerKind, fuel: Fuel, stage: EmissionStage, count: u64) -> FleetSummary {
        FleetSummary { ledger, fuel, stage, count }
    }

    const MINIMUMS: FleetMinimums =
        FleetMinimums { in_plant: EmissionStage::Cn5, nrmm: EmissionStage::Nr3 };

    #[test]
    fn shares_count_trips_and_tonnage_of_heavy_road_trucks_only() {
        let mut light = trips(Fuel::Diesel, EmissionStage::Cn3, 100, 100_000);
        light.class = VehicleClass::LightTruck;
        let mut in_plant = trips(Fuel::Diesel, EmissionStage::Cn3, 100, 100_000);
        in_plant.ledger = LedgerKind::InPlant;
        let mut tractor = trips(Fuel::Gas, EmissionStage::Cn6a, 2, 60_000);
        tractor.class = VehicleClass::Tractor;
        let data = [
            trips(Fuel::Diesel, EmissionStage::Cn5, 6, 180_000),
            trips(Fuel::Electric, EmissionStage::Electric, 1, 30_000),
            trips(Fuel::Diesel, EmissionStage::Cn4, 1, 10_000),
            trips(Fuel::Diesel, EmissionStage::Cn3, 0, 0),
            tractor,
            light,
            in_plant,
        ];
        let inputs = MetricInputs { trips: &data, ..Default::default() };
        let m = |metric| measure(metric, &inputs, &MINIMUMS);
        assert_eq!(m(Metric::Cn5PlusOrNevTrips), Share { part: 9, whole: 10 });
        assert_eq!(m(Metric::Cn5PlusOrNevTonnage), Share { part: 270_000, whole: 280_000 });
        assert_eq!(m(Metric::Cn6PlusOrNevTrips), Share { part: 3, whole: 10 });
        assert_eq!(m(Metric::Cn6PlusOrNevTonnage), Share { part: 90_000, whole: 280_000 });
        assert_eq!(m(Metric::Cn4OrBelowTrips), Share { part: 1, whole: 10 });
        assert_eq!(m(Metric::Cn4OrBelowTonnage), Share { part: 10_000, whole: 280_000 });
        assert_eq!(m(Metric::Cn3OrBelowTrips), Share { part: 0, whole: 10 });
        assert_eq!(m(Metric::Cn3OrBelowTonnage), Share { part: 0, whole: 280_000 });
    }

    #[test]
    fn fleet_compliance_and_ledger_completeness() {
        let data = [
            fleet(LedgerKind::InPlant, Fuel::Diesel, EmissionStage::Cn5, 3),
            fleet(LedgerKind::InPlant, Fuel::Diesel, EmissionStage::Cn4, 1),
            fleet(LedgerKind::InPlant, Fuel::Electric, EmissionStage::Electric, 4),
            fleet(LedgerKind::NonRoad, Fuel::Diesel, EmissionStage::Nr3, 5),
            fleet(LedgerKind::NonRoad, Fuel::Diesel, EmissionStage::Nr2, 2),
            fleet(LedgerKind::NonRoad, Fuel::Electric, EmissionStage::Unstaged, 1),
        ];
        let inputs = MetricInputs {
            fleet: &data,
            ledger: LedgerCounts { records: 200, complete: 191 },
            ..Default::default()
        };
        assert_eq!(
            measure(Metric::InPlantCompliance, &inputs, &MINIMUMS),
            Share { part: 7, whole: 8 }
        );
        assert_eq!(
            measure(Metric::NrmmCompliance, &inputs, &MINIMUMS),
            Share { part: 6, whole: 8 }
        );
        let stricter = FleetMinimums { nrmm: EmissionStage::Nr4, ..MINIMUMS };
        assert_eq!(
            measure(Metric::NrmmCompliance, &inputs, &stricter),
            Share { part: 1, whole: 8 }
        );
        let completeness = measure(Metric::LedgerCompleteness, &inputs, &MINIMUMS);
        assert_eq!(completeness.permille(), Some(955));
        assert_eq!(completeness.is_at_least(Permille::new(950).unwrap()), Some(true));
        assert_eq!(completeness.is_at_least(Permille::new(956).unwrap()), Some(false));
    }

    #[test]
    fn cement_b_needs_80_percent_and_nothing_below_cn4() {
        let table = ThresholdTable::cement_2020();
        let b = table.for_enterprise(Industry::Cement, EnterpriseRating::B).unwrap();
        let fleet_ok = [fleet(LedgerKind::InPlant, Fuel::Diesel, EmissionStage::Cn6, 2)];
        let judge = |data: &[TripSummary]| {
            assess(&MetricInputs { trips: data, fleet: &fleet_ok, ..Default::default() }, b)
        };
        let exactly_80 = [
            trips(Fuel::Diesel, EmissionStage::Cn5, 8, 0),
            trips(Fuel::Diesel, EmissionStage::Cn4, 2, 0),
        ];
        let a = judge(&exactly_80);
        assert!(a.all_met(), "{a:?}");
        // No machinery registered: no data, not a miss.
        assert_eq!(a.results[3].outcome, Outcome::NoData);
        let below = [
            trips(Fuel::Diesel, EmissionStage::Cn5, 79, 0),
            trips(Fuel::Diesel, EmissionStage::Cn4, 21, 0),
        ];
        let a = judge(&below);
        assert_eq!(a.misses().map(|r| r.metric).collect::<Vec<_>>(), [Metric::Cn5PlusOrNevTrips]);
        let one_cn3 = [
            trips(Fuel::Diesel, EmissionStage::Cn5, 99, 0),
            trips(Fuel::Gas, EmissionStage::Cn3, 1, 0),
        ];
        let a = judge(&one_cn3);
        assert_eq!(a.misses().map(|r| r.metric).collect::<Vec<_>>(), [Metric::Cn3OrBelowTrips]);
    }

    #[test]
    fn cement_a_needs_everything_clean_and_other_ratings_fall_back() {
        let table = ThresholdTable::cement_2020();
        let a = table.for_enterprise(Industry::Cement, EnterpriseRating::A).unwrap();
        let data = [
            trips(Fuel::Diesel, EmissionStage::Cn5, 999, 0),
            trips(Fuel::Diesel, EmissionStage::Cn4, 1, 0),
        ];
        let result = assess(&MetricInputs { trips: &data, ..Default::default() }, a);
        assert!(!result.all_met());
        let c = table.for_enterprise(Industry::Cement, EnterpriseRating::C).unwrap();
        assert!(assess(&MetricInputs { trips: &data, ..Default::default() }, c).all_met());
        assert!(table.for_enterprise(Industry::Cement, EnterpriseRating::D).is_none());
        assert!(table.for_enterprise(Industry::Steel, EnterpriseRating::A).is_none());
        let mut generic = table.clone();
        generic.rows.push(RatingThresholds {
            industry: None,
            rating: EnterpriseRating::A,
            minimums: MINIMUMS,
            thresholds: vec![],
        });
        assert_eq!(
            generic.for_enterprise(Industry::Steel, EnterpriseRating::A).unwrap().industry,
            None
        );
        let json = serde_json::to_string(&generic).unwrap();
        assert_eq!(serde_json::from_str::<ThresholdTable>(&json).unwrap(), generic);
    }

    #[test]
    fn bad_permille_is_named() {
        let err = Permille::new(1001).unwrap_err();
        assert_eq!(err.code(), ErrorCode::PermilleRange);
        assert_eq!(err.field(), "threshold");
        assert!(serde_json::from_str::<Permille>("1200").is_err());
        assert_eq!(serde_json::from_str::<Permille>("800").unwrap().get(), 800);
        let bound: Bound = serde_json::from_str(r#"{"at_least":800}"#).unwrap();
        assert_eq!(bound, Bound::AtLeast(Permille::new(800).unwrap()));
    }

    #[test]
    fn required_fields_follow_the_2020_tables() {
        assert_eq!(required_fields(LedgerKind::ExternalTransport).len(), 11);
        let missing = missing_fields(LedgerKind::NonRoad, |f| f != LedgerField::MachineCode);
        assert_eq!(missing, [LedgerField::MachineCode]);
        let all = missing_fields(LedgerKind::InPlant, |_| false);
        assert_eq!(all, required_fields(LedgerKind::InPlant));
        assert!(missing_fields(LedgerKind::ExternalTransport, |_| true).is_empty());
    }

    fn summary() -> impl Strategy<Value = TripSummary> {
        (
            prop::sample::select(Fuel::ALL),
            prop::sample::select(EmissionStage::ALL),
            prop::sample::select(VehicleClass::ALL),
            prop::sample::select(LedgerKind::ALL),
            0u64..1000,
            0u64..10_000_000,
        )
            .prop_map(|(fuel, stage, class, ledger, trips, cargo_kg)| TripSummary {
                ledger,
                class,
                fuel,
                stage,
                trips,
                cargo_kg,
            })
    }

    proptest! {
        #[test]
        fn every_trip_is_cn5_plus_or_nev_or_cn4_or_below(data in prop::collection::vec(summary(), 0..20)) {
            let inputs = MetricInputs { trips: &data, ..Default::default() };
            for (clean, old) in [
                (Metric::Cn5PlusOrNevTrips, Metric::Cn4OrBelowTrips),
                (Metric::Cn5PlusOrNevTonnage, Metric::Cn4OrBelowTonnage),
            ] {
                let c = measure(clean, &inputs, &MINIMUMS);
                let o = measure(old, &inputs, &MINIMUMS);
                prop_assert_eq!(c.whole, o.whole);
                prop_assert_eq!(c.part + o.part, c.whole);
            }
            // Stricter selections are subsets.
            let cn6 = measure(Metric::Cn6PlusOrNevTrips, &inputs, &MINIMUMS);
            let cn5 = measure(Metric::Cn5PlusOrNevTrips, &inputs, &MINIMUMS);
            prop_assert!(cn6.part <= cn5.part);
            let cn3 = measure(Metric::Cn3OrBelowTrips, &inputs, &MINIMUMS);
            let cn4 = measure(Metric::Cn4OrBelowTrips, &inputs, &MINIMUMS);
            prop_assert!(cn3.part <= cn4.part);
        }

        #[test]
        fn threshold_checks_are_exact(part in 0u64..10_000, extra in 0u64..10_000, p in 0u16..=1000) {
            let share = Share { part, whole: part + extra };
            let p = Permille::new(p).unwrap();
            if share.whole == 0 {
                prop_assert_eq!(share.is_at_least(p), None);
            } else {
                // part / whole ≥ p / 1000, checked in exact rationals another way.
                let exact = (part as f64) * 1000.0 >= f64::from(p.get()) * (share.whole as f64);
                prop_assert_eq!(share.is_at_least(p), Some(exact));
                prop_assert!(u32::from(share.permille().unwrap()) <= 1000);
                // At least and at most agree at the boundary.
                prop_assert!(share.is_at_least(p).unwrap() || share.is_at_most(p).unwrap());
            }
        }
    }
}
