//! Tests of the admission engine: one test per step of the order, then previews, then
//! properties over random rule sets.

use proptest::prelude::*;

use super::*;
use crate::ids::ListEntryId;
use crate::plate::PlateNumber;
use crate::schedule::tests::at;
use crate::schedule::{Schedule, TimeWindow, Validity, WeekdaySet};

/// A registered heavy diesel/gas/… truck of the external-transport registry.
pub(crate) fn truck(plate: &str, fuel: Fuel, stage: EmissionStage) -> VehicleProfile {
    let plate = Plate::parse(plate).unwrap();
    let plate_colour = match plate.number().map(PlateNumber::kind) {
        Some(PlateKind::LargeNewEnergy) => PlateColour::YellowGreen,
        Some(PlateKind::SmallNewEnergy) => PlateColour::GradientGreen,
        _ => PlateColour::Yellow,
    };
    VehicleProfile {
        id: VehicleId::new(),
        plate,
        plate_colour,
        ledger: LedgerKind::ExternalTransport,
        class: VehicleClass::HeavyTruck,
        fuel,
        stage,
    }
}

/// A registered loader without a plate.
pub(crate) fn machine(stage: EmissionStage) -> VehicleProfile {
    VehicleProfile {
        id: VehicleId::new(),
        plate: Plate::Unplated,
        plate_colour: PlateColour::Other,
        ledger: LedgerKind::NonRoad,
        class: VehicleClass::Loader,
        fuel: Fuel::Diesel,
        stage,
    }
}

fn entry(kind: ListKind, plate: &str) -> ListEntry {
    ListEntry {
        id: ListEntryId::new(),
        kind,
        plate: PlateNumber::parse(plate).unwrap(),
        validity: Validity::ALWAYS,
        note: String::new(),
    }
}

fn overlay(measures: &[MeasureCode]) -> EmergencyOverlay {
    EmergencyOverlay {
        alert: Some(AlertId::new()),
        level: AlertLevel::Orange,
        measures: measures.to_vec(),
        local_bans: vec![],
        validity: Validity::new(Some(at("2025-11-17 00:00")), Some(at("2025-11-20 00:00")))
            .unwrap(),
    }
}

fn rule(name: &str, effect: RuleEffect, criteria: VehicleCriteria) -> EnterpriseRule {
    EnterpriseRule {
        id: RuleId::new(),
        name: Name::parse(name).unwrap(),
        enabled: true,
        effect,
        directions: vec![],
        criteria,
        schedule: Schedule::always(),
    }
}

fn cement_a() -> AdmissionPolicy {
    AdmissionPolicy {
        baseline: BaselineTable::cement_2020()
            .for_enterprise(Industry::Cement, EnterpriseRating::A),
        ..AdmissionPolicy::default()
    }
}

/// Monday morning, inside the test overlays' validity.
const MONDAY: &str = "2025-11-17 09:00";

fn judge(
    lists: &Lists,
    policy: &AdmissionPolicy,
    overlays: &[EmergencyOverlay],
    subject: Subject<'_>,
    direction: Direction,
) -> Decision {
    let ctx = AdmissionContext { lists, policy, overlays };
    decide(&ctx, subject, direction, at(MONDAY))
}

fn unknown(plate: &Plate, colour: Option<PlateColour>) -> Subject<'_> {
    Subject::Unknown { plate, colour }
}

// 1. Bureau blacklist.

#[test]
fn bureau_blacklist_denies_in_both_directions_over_permits_and_release() {
    let v = truck("晋A12345", Fuel::Electric, EmissionStage::Electric);
    let black = entry(ListKind::BureauBlacklist, "晋A12345");
    let lists = Lists::new([black.clone(), entry(ListKind::Permit, "晋A12345")]);
    for direction in Direction::ALL {
        let d =
            judge(&lists, &AdmissionPolicy::default(), &[], Subject::Registered(&v), *direction);
        assert_eq!(d.verdict, Verdict::Deny);
        assert_eq!(d.reason, ReasonCode::BureauBlacklist);
        assert_eq!(d.rule, RuleRef::BureauBlacklist { entry: black.id });
        assert!(!d.allows_manual_release());
    }
    // Also when the camera alone saw it.
    let d =
        judge(&lists, &AdmissionPolicy::default(), &[], unknown(&v.plate, None), Direction::Entry);
    assert_eq!(d.reason, ReasonCode::BureauBlacklist);
    let refused = check_manual_release(&lists, &v.plate, at(MONDAY)).unwrap_err();
    assert_eq!(refused.entry, black.id);
    assert_eq!(refused.reason(), ReasonCode::BureauBlacklist);
    assert!(refused.message("zh-CN").contains("不得人工放行"));
}

#[test]
fn a_lapsed_bureau_entry_no_longer_acts() {
    let v = truck("晋A12345", Fuel::Diesel, EmissionStage::Cn6);
    let mut black = entry(ListKind::BureauBlacklist, "晋A12345");
    black.validity = Validity::new(None, Some(at("2025-11-01 00:00"))).unwrap();
    let lists = Lists::new([black]);
    let d =
        judge(&lists, &AdmissionPolicy::default(), &[], Subject::Registered(&v), Direction::Entry);
    assert_eq!(d.reason, ReasonCode::Compliant);
    assert!(check_manual_release(&lists, &v.plate, at(MONDAY)).is_ok());
}

// 2. Enterprise blacklist.

#[test]
fn enterprise_blacklist_denies_over_permits_but_allows_release() {
    let v = truck("晋A12345", Fuel::Diesel, EmissionStage::Cn6);
    let black = entry(ListKind::EnterpriseBlacklist, "晋A12345");
    let lists = Lists::new([black.clone(), entry(ListKind::Permit, "晋A12345")]);
    let d =
        judge(&lists, &AdmissionPolicy::default(), &[], Subject::Registered(&v), Direction::Exit);
    assert_eq!(d.verdict, Verdict::Deny);
    assert_eq!(d.rule, RuleRef::EnterpriseBlacklist { entry: black.id });
    assert!(d.allows_manual_release());
    assert!(check_manual_release(&lists, &v.plate, at(MONDAY)).is_ok());
    assert!(check_manual_release(&lists, &Plate::Unplated, at(MONDAY)).is_ok());
}

// 3. Exit policy.

#[test]
fn exits_are_admitted_by_default_even_when_entry_would_be_refused() {
    let old = truck("晋A12345", Fuel::Diesel, EmissionStage::Cn3);
    let overlays = [overlay(&[MeasureCode::StopRoadTransport])];
    let policy = AdmissionPolicy { unknown_vehicle: Verdict::Deny, ..cement_a() };
    let lists = Lists::default();
    let d = judge(&lists, &policy, &overlays, Subject::Registered(&old), Direction::Exit);
    assert_eq!(
        (d.verdict, d.reason, d.rule),
        (Verdict::Admit, ReasonCode::ExitAdmitted, RuleRef::ExitPolicy)
    );
    let plate = Plate::parse("晋A99999").unwrap();
    let d = judge(&lists, &policy, &overlays, unknown(&plate, None), Direction::Exit);
    assert_eq!(d.reason, ReasonCode::ExitAdmitted);
    let d = judge(&lists, &policy, &overlays, Subject::Registered(&old), Direction::Entry);
    assert_eq!(d.verdict, Verdict::Deny);
}

#[test]
fn apply_rules_judges_exits_like_entries() {
    let old = truck("晋A12345", Fuel::Diesel, EmissionStage::Cn4);
    let overlays = [overlay(&[MeasureCode::BanCn4HeavyDieselGas])];
    let policy = AdmissionPolicy { exit: ExitMode::ApplyRules, ..AdmissionPolicy::default() };
    let d =
        judge(&Lists::default(), &policy, &overlays, Subject::Registered(&old), Direction::Exit);
    assert_eq!((d.verdict, d.reason), (Verdict::Deny, ReasonCode::EmergencyBanCn4Heavy));
}

// 4. Emergency overlays.

#[test]
fn each_measure_reports_its_own_reason_and_overlay() {
    let cases = [
        (
            MeasureCode::BanCn3HeavyDieselGas,
            Fuel::Diesel,
            EmissionStage::Cn3,
            ReasonCode::EmergencyBanCn3Heavy,
        ),
        (
            MeasureCode::BanCn4HeavyDieselGas,
            Fuel::Gas,
            EmissionStage::Cn4,
            ReasonCode::EmergencyBanCn4Heavy,
        ),
        (
            MeasureCode::BanCn4DieselCn5Gas,
            Fuel::Gas,
            EmissionStage::Cn5,
            ReasonCode::EmergencyBanCn4DieselCn5Gas,
        ),
        (
            MeasureCode::StopRoadTransport,
            Fuel::Electric,
            EmissionStage::Electric,
            ReasonCode::EmergencyStopRoadTransport,
        ),
    ];
    for (measure, fuel, stage, reason) in cases {
        let v = truck("晋A12345", fuel, stage);
        let o = overlay(&[measure]);
        let d = judge(
            &Lists::default(),
            &AdmissionPolicy::default(),
            std::slice::from_ref(&o),
            Subject::Registered(&v),
            Direction::Entry,
        );
        assert_eq!(d.verdict, Verdict::Deny, "{measure}");
        assert_eq!(d.reason, reason);
        assert_eq!(
            d.rule,
            RuleRef::Emergency {
                alert: o.alert,
                level: AlertLevel::Orange,
                measure: Some(measure),
                local_ban: None
            }
        );
    }
}

#[test]
fn measure_3_bans_gas_one_stage_higher_than_diesel() {
    let o = [overlay(&[MeasureCode::BanCn4DieselCn5Gas])];
    let lists = Lists::default();
    let policy = AdmissionPolicy::default();
    let diesel5 = truck("晋A12345", Fuel::Diesel, EmissionStage::Cn5);
    let gas5 = truck("晋A12346", Fuel::Gas, EmissionStage::Cn5);
    assert!(
        judge(&lists, &policy, &o, Subject::Registered(&diesel5), Direction::Entry).is_admitted()
    );
    assert!(
        !judge(&lists, &policy, &o, Subject::Registered(&gas5), Direction::Entry).is_admitted()
    );
}

#[test]
fn permits_do_not_override_an_alert_and_overlays_act_only_while_valid() {
    let v = truck("晋A12345", Fuel::Diesel, EmissionStage::Cn4);
    let lists = Lists::new([entry(ListKind::Permit, "晋A12345")]);
    let o = [overlay(&[MeasureCode::BanCn4HeavyDieselGas])];
    let policy = AdmissionPolicy::default();
    let d = judge(&lists, &policy, &o, Subject::Registered(&v), Direction::Entry);
    assert_eq!(d.reason, ReasonCode::EmergencyBanCn4Heavy);
    let ctx = AdmissionContext { lists: &lists, policy: &policy, overlays: &o };
    let after = decide(&ctx, Subject::Registered(&v), Direction::Entry, at("2025-11-20 00:00"));
    assert_eq!(after.reason, ReasonCode::Permit);
}

#[test]
fn local_bans_name_the_measure() {
    let machine_ban = LocalBan {
        name: Name::parse("橙色预警禁用国二及以下非道路移动机械").unwrap(),
        criteria: VehicleCriteria {
            ledgers: vec![LedgerKind::NonRoad],
            stages: StageMatch::AtMost(EmissionStage::Nr2),
            ..VehicleCriteria::default()
        },
    };
    let mut o = overlay(&[]);
    o.local_bans.push(machine_ban.clone());
    let loader = machine(EmissionStage::Nr2);
    let d = judge(
        &Lists::default(),
        &AdmissionPolicy::default(),
        std::slice::from_ref(&o),
        Subject::Registered(&loader),
        Direction::Entry,
    );
    assert_eq!(d.reason, ReasonCode::EmergencyLocalBan);
    assert_eq!(
        d.rule,
        RuleRef::Emergency {
            alert: o.alert,
            level: o.level,
            measure: None,
            local_ban: Some(machine_ban.name)
        }
    );
    let newer = machine(EmissionStage::Nr3);
    assert!(
        judge(
            &Lists::default(),
            &AdmissionPolicy::default(),
            &[o],
            Subject::Registered(&newer),
            Direction::Entry
        )
        .is_admitted()
    );
}

// 5. Unknown vehicles.

#[test]
fn unknown_vehicles_follow_the_policy() {
    let plate = Plate::parse("晋A99999").unwrap();
    let lists = Lists::default();
    for verdict in Verdict::ALL {
        let policy = AdmissionPolicy { unknown_vehicle: *verdict, ..AdmissionPolicy::default() };
        let d = judge(
            &lists,
            &policy,
            &[],
            unknown(&plate, Some(PlateColour::Yellow)),
            Direction::Entry,
        );
        assert_eq!(
            (d.verdict, d.reason, d.rule),
            (*verdict, ReasonCode::UnknownVehicle, RuleRef::UnknownVehiclePolicy)
        );
    }
    // The default is review.
    let d =
        judge(&lists, &AdmissionPolicy::default(), &[], unknown(&plate, None), Direction::Entry);
    assert_eq!(d.verdict, Verdict::NeedsReview);
}

#[test]
fn unplated_vehicles_follow_their_own_policy() {
    let policy = AdmissionPolicy {
        unplated: Verdict::Deny,
        unknown_vehicle: Verdict::Admit,
        ..AdmissionPolicy::default()
    };
    let d =
        judge(&Lists::default(), &policy, &[], unknown(&Plate::Unplated, None), Direction::Entry);
    assert_eq!(
        (d.verdict, d.reason, d.rule),
        (Verdict::Deny, ReasonCode::Unplated, RuleRef::UnplatedPolicy)
    );
}

#[test]
fn a_permit_admits_an_unknown_vehicle_and_a_lapsed_one_is_named() {
    let plate = Plate::parse("晋A99999").unwrap();
    let permit = entry(ListKind::Permit, "晋A99999");
    let policy = AdmissionPolicy { unknown_vehicle: Verdict::Deny, ..AdmissionPolicy::default() };
    let lists = Lists::new([permit.clone()]);
    let d = judge(&lists, &policy, &[], unknown(&plate, None), Direction::Entry);
    assert_eq!(
        (d.verdict, d.reason, d.rule),
        (Verdict::Admit, ReasonCode::Permit, RuleRef::Permit { entry: permit.id })
    );
    let lapsed = ListEntry {
        validity: Validity::new(Some(at("2025-11-01 00:00")), Some(at("2025-11-02 00:00")))
            .unwrap(),
        ..permit
    };
    let d = judge(&Lists::new([lapsed]), &policy, &[], unknown(&plate, None), Direction::Entry);
    assert_eq!((d.verdict, d.reason), (Verdict::Deny, ReasonCode::PermitExpired));
}

#[test]
fn during_an_alert_admit_becomes_review_for_unknown_vehicles_that_could_be_banned() {
    let policy = AdmissionPolicy {
        unknown_vehicle: Verdict::Admit,
        unplated: Verdict::Admit,
        ..AdmissionPolicy::default()
    };
    let lists = Lists::default();
    let heavy_ban = [overlay(&[MeasureCode::BanCn4HeavyDieselGas])];
    let stop_all = [overlay(&[MeasureCode::StopRoadTransport])];
    let ordinary = Plate::parse("晋A99999").unwrap();
    let large_nev = Plate::parse("晋A12345D").unwrap();
    let small_nev = Plate::parse("晋AD12345").unwrap();
    let trailer = Plate::parse("冀B1234挂").unwrap();
    use PlateColour as C;
    // (plate, colour, overlays, escalated?)
    let cases: [(&Plate, Option<PlateColour>, &[EmergencyOverlay], bool); 13] = [
        (&ordinary, Some(C::Yellow), &heavy_ban, true),
        (&ordinary, Some(C::Blue), &heavy_ban, false),
        (&ordinary, Some(C::Black), &heavy_ban, false),
        (&ordinary, None, &heavy_ban, true),
        (&ordinary, Some(C::Other), &heavy_ban, true),
        (&ordinary, Some(C::Yellow), &[], false),
        (&large_nev, Some(C::YellowGreen), &heavy_ban, false),
        (&large_nev, None, &heavy_ban, false),
        (&large_nev, Some(C::YellowGreen), &stop_all, true),
        (&small_nev, None, &stop_all, false),
        (&trailer, None, &heavy_ban, true),
        (&Plate::Unplated, None, &heavy_ban, true),
        (&ordinary, Some(C::GradientGreen), &stop_all, false),
    ];
    for (plate, colour, overlays, escalated) in cases {
        let d = judge(&lists, &policy, overlays, unknown(plate, colour), Direction::Entry);
        if escalated {
            assert_eq!(
                (d.verdict, d.reason),
                (Verdict::NeedsReview, ReasonCode::UnknownDuringAlert),
                "{plate} {colour:?}"
            );
            assert!(matches!(d.rule, RuleRef::Emergency { measure: None, .. }));
        } else {
            assert_eq!(d.verdict, Verdict::Admit, "{plate} {colour:?}");
        }
    }
    // A permit for an unregistered vehicle is escalated the same way…
    let with_permit = Lists::new([entry(ListKind::Permit, "晋A99999")]);
    let d = judge(
        &with_permit,
        &policy,
        &heavy_ban,
        unknown(&ordinary, Some(C::Yellow)),
        Direction::Entry,
    );
    assert_eq!(d.reason, ReasonCode::UnknownDuringAlert);
    // …and a stricter policy is never softened.
    let strict = AdmissionPolicy { unknown_vehicle: Verdict::Deny, ..policy };
    let d =
        judge(&lists, &strict, &heavy_ban, unknown(&ordinary, Some(C::Yellow)), Direction::Entry);
    assert_eq!((d.verdict, d.reason), (Verdict::Deny, ReasonCode::UnknownVehicle));
}

// 6. Registered vehicles: permit, baseline, enterprise rules.

#[test]
fn a_permit_lifts_baseline_and_enterprise_rules_for_a_registered_vehicle() {
    let old = truck("晋A12345", Fuel::Diesel, EmissionStage::Cn4);
    let permit = entry(ListKind::Permit, "晋A12345");
    let mut policy = cement_a();
    policy.rules.push(rule("全部禁行", RuleEffect::Deny, VehicleCriteria::all()));
    let d = judge(
        &Lists::new([permit.clone()]),
        &policy,
        &[],
        Subject::Registered(&old),
        Direction::Entry,
    );
    assert_eq!((d.verdict, d.rule), (Verdict::Admit, RuleRef::Permit { entry: permit.id }));
}

#[test]
fn the_baseline_denies_below_the_rating_minimum() {
    let policy = cement_a();
    let lists = Lists::default();
    let old = truck("晋A12345", Fuel::Diesel, EmissionStage::Cn4);
    let d = judge(&lists, &policy, &[], Subject::Registered(&old), Direction::Entry);
    assert_eq!((d.verdict, d.reason), (Verdict::Deny, ReasonCode::BelowBaseline));
    assert_eq!(
        d.rule,
        RuleRef::Baseline {
            rating: EnterpriseRating::A,
            industry: Some(Industry::Cement),
            minimum: EmissionStage::Cn5
        }
    );
    let ok = truck("晋A12345", Fuel::Diesel, EmissionStage::Cn5);
    assert_eq!(
        judge(&lists, &policy, &[], Subject::Registered(&ok), Direction::Entry).reason,
        ReasonCode::Compliant
    );
    let nrmm = machine(EmissionStage::Nr2);
    let d = judge(&lists, &policy, &[], Subject::Registered(&nrmm), Direction::Entry);
    assert_eq!(
        d.rule,
        RuleRef::Baseline {
            rating: EnterpriseRating::A,
            industry: Some(Industry::Cement),
            minimum: EmissionStage::Nr3
        }
    );
}

#[test]
fn enterprise_rules_deny_or_hold_and_a_denial_wins() {
    let v = truck("晋A12345", Fuel::Diesel, EmissionStage::Cn5);
    let lists = Lists::default();
    let diesel = VehicleCriteria { fuels: vec![Fuel::Diesel], ..VehicleCriteria::default() };
    let review = rule("柴油车人工核验", RuleEffect::NeedsReview, diesel.clone());
    let deny = rule("柴油车禁行", RuleEffect::Deny, diesel.clone());
    let deny_too = rule("重型车禁行", RuleEffect::Deny, VehicleCriteria::all());

    let only_review = AdmissionPolicy { rules: vec![review.clone()], ..AdmissionPolicy::default() };
    let d = judge(&lists, &only_review, &[], Subject::Registered(&v), Direction::Entry);
    assert_eq!((d.verdict, d.reason), (Verdict::NeedsReview, ReasonCode::EnterpriseRule));
    assert_eq!(d.rule, RuleRef::EnterpriseRule { rule: review.id, name: review.name.clone() });

    let both = AdmissionPolicy {
        rules: vec![review, deny.clone(), deny_too],
        ..AdmissionPolicy::default()
    };
    let d = judge(&lists, &both, &[], Subject::Registered(&v), Direction::Entry);
    assert_eq!(d.verdict, Verdict::Deny);
    assert_eq!(
        d.rule,
        RuleRef::EnterpriseRule { rule: deny.id, name: deny.name },
        "the first denying rule"
    );
}

#[test]
fn enterprise_rules_respect_schedule_direction_and_switch() {
    let v = truck("晋A12345", Fuel::Diesel, EmissionStage::Cn5);
    let lists = Lists::default();
    let mut night = rule("夜间禁行", RuleEffect::Deny, VehicleCriteria::all());
    night.schedule = Schedule {
        weekdays: WeekdaySet::WORKDAYS,
        hours: vec![
            TimeWindow::new(
                chrono::NaiveTime::from_hms_opt(22, 0, 0).unwrap(),
                chrono::NaiveTime::from_hms_opt(6, 0, 0).unwrap(),
            )
            .unwrap(),
        ],
        dates: vec![],
    };
    night.directions = vec![Direction::Entry];
    let policy = AdmissionPolicy {
        exit: ExitMode::ApplyRules,
        rules: vec![night.clone()],
        ..AdmissionPolicy::default()
    };
    let ctx = AdmissionContext { lists: &lists, policy: &policy, overlays: &[] };
    let when = |s| decide(&ctx, Subject::Registered(&v), Direction::Entry, at(s)).verdict;
    assert_eq!(when("2025-11-17 23:00"), Verdict::Deny, "Monday night");
    assert_eq!(when("2025-11-17 12:00"), Verdict::Admit, "Monday noon");
    assert_eq!(when("2025-11-22 23:00"), Verdict::Admit, "Saturday night");
    assert_eq!(
        decide(&ctx, Subject::Registered(&v), Direction::Exit, at("2025-11-17 23:00")).verdict,
        Verdict::Admit
    );
    night.enabled = false;
    let off = AdmissionPolicy { rules: vec![night], ..AdmissionPolicy::default() };
    let ctx = AdmissionContext { lists: &lists, policy: &off, overlays: &[] };
    assert_eq!(
        decide(&ctx, Subject::Registered(&v), Direction::Entry, at("2025-11-17 23:00")).verdict,
        Verdict::Admit
    );
}

#[test]
fn a_vehicle_nothing_objects_to_is_admitted_as_compliant() {
    let v = truck("晋A12345", Fuel::Diesel, EmissionStage::Cn6b);
    let d = judge(
        &Lists::default(),
        &cement_a(),
        &[overlay(&[MeasureCode::BanCn4DieselCn5Gas])],
        Subject::Registered(&v),
        Direction::Entry,
    );
    assert_eq!(
        (d.verdict, d.reason, &d.rule),
        (Verdict::Admit, ReasonCode::Compliant, &RuleRef::AllRules)
    );
    assert_eq!(d.display("zh-CN"), "放行：符合准入要求");
    assert_eq!(d.display("en"), "admitted: meets the admission rules");
}

// Reason codes and serialisation.

#[test]
fn reason_codes_are_stable_and_labelled() {
    let ids: Vec<&str> = ReasonCode::ALL.iter().map(|r| r.as_str()).collect();
    assert_eq!(
        ids,
        [
            "compliant",
            "permit",
            "exit_admitted",
            "unknown_vehicle",
            "unplated",
            "permit_expired",
            "unknown_during_alert",
            "bureau_blacklist",
            "enterprise_blacklist",
            "below_baseline",
            "enterprise_rule",
            "emergency_ban_cn3_heavy",
            "emergency_ban_cn4_heavy",
            "emergency_ban_cn4_diesel_cn5_gas",
            "emergency_stop_road_transport",
            "emergency_local_ban",
        ]
    );
    for r in ReasonCode::ALL {
        assert!(!r.label_zh().is_empty() && !r.label_en().is_empty());
    }
    for m in MeasureCode::ALL {
        assert!(m.reason().as_str().starts_with("emergency_"));
    }
    assert_eq!(
        Verdict::ALL.iter().map(|v| v.as_str()).collect::<Vec<_>>(),
        ["admit", "deny", "needs_review"]
    );
}

#[test]
fn policies_and_decisions_round_trip_through_json() {
    let mut policy = cement_a();
    policy.rules.push(rule(
        "柴油车禁行",
        RuleEffect::Deny,
        VehicleCriteria { fuels: vec![Fuel::Diesel], ..Default::default() },
    ));
    let json = serde_json::to_string(&policy).unwrap();
    assert_eq!(serde_json::from_str::<AdmissionPolicy>(&json).unwrap(), policy);
    assert_eq!(serde_json::from_str::<AdmissionPolicy>("{}").unwrap(), AdmissionPolicy::default());
    let d = Decision::new(
        Verdict::Deny,
        ReasonCode::EmergencyBanCn4Heavy,
        RuleRef::Emergency {
            alert: None,
            level: AlertLevel::Red,
            measure: Some(MeasureCode::BanCn4HeavyDieselGas),
            local_ban: None,
        },
    );
    let json = serde_json::to_value(&d).unwrap();
    assert_eq!(json["reason"], "emergency_ban_cn4_heavy");
    assert_eq!(json["rule"]["kind"], "emergency");
    assert_eq!(json["rule"]["measure"], "ban_cn4_heavy");
    assert_eq!(serde_json::from_value::<Decision>(json).unwrap(), d);
}

// Previews.

#[test]
fn dry_run_lists_who_an_overlay_would_refuse_and_why() {
    let fleet = vec![
        truck("晋A00001", Fuel::Diesel, EmissionStage::Cn4),
        truck("晋A00002", Fuel::Gas, EmissionStage::Cn5),
        truck("晋A00003", Fuel::Diesel, EmissionStage::Cn6),
        truck("晋A00004D", Fuel::Electric, EmissionStage::Electric),
    ];
    let lists = Lists::default();
    let policy = AdmissionPolicy::default();
    let o = [overlay(&[MeasureCode::BanCn4DieselCn5Gas])];
    let ctx = AdmissionContext { lists: &lists, policy: &policy, overlays: &o };
    let refused = dry_run(&ctx, &fleet, Direction::Entry, at(MONDAY));
    let plates: Vec<&str> = refused.iter().map(|r| r.plate.as_str()).collect();
    assert_eq!(plates, ["晋A00001", "晋A00002"]);
    assert!(refused.iter().all(|r| r.decision.reason == ReasonCode::EmergencyBanCn4DieselCn5Gas));
    assert_eq!(refused[0].vehicle, fleet[0].id);
}

#[test]
fn compare_sorts_vehicles_by_what_a_change_does() {
    let fleet = vec![
        truck("晋A00001", Fuel::Diesel, EmissionStage::Cn3),
        truck("晋A00002", Fuel::Diesel, EmissionStage::Cn4),
        truck("晋A00003", Fuel::Diesel, EmissionStage::Cn6),
    ];
    let lists = Lists::new([entry(ListKind::EnterpriseBlacklist, "晋A00003")]);
    let policy = AdmissionPolicy::default();
    let current_o = [overlay(&[MeasureCode::BanCn3HeavyDieselGas])];
    let proposed_o = [overlay(&[MeasureCode::BanCn4HeavyDieselGas])];
    let current = AdmissionContext { lists: &lists, policy: &policy, overlays: &current_o };
    let no_blacklist = Lists::default();
    let proposed =
        AdmissionContext { lists: &no_blacklist, policy: &policy, overlays: &proposed_o };
    let impact = compare(&current, &proposed, &fleet, Direction::Entry, at(MONDAY));
    let plates =
        |rs: &[Refusal]| rs.iter().map(|r| r.plate.as_str().to_owned()).collect::<Vec<_>>();
    assert_eq!(plates(&impact.newly_refused), ["晋A00002"]);
    assert_eq!(plates(&impact.still_refused), ["晋A00001"]);
    assert_eq!(
        impact.still_refused[0].decision.reason,
        ReasonCode::EmergencyBanCn4Heavy,
        "the proposal's reason"
    );
    assert_eq!(plates(&impact.no_longer_refused), ["晋A00003"]);
    assert_eq!(
        impact.no_longer_refused[0].decision.reason,
        ReasonCode::EnterpriseBlacklist,
        "the current reason"
    );
}

// Properties over random rule sets.

fn pick<T: Copy + std::fmt::Debug + 'static>(all: &'static [T]) -> impl Strategy<Value = T> {
    prop::sample::select(all)
}

const PLATES: &[&str] = &["晋A00001", "晋A00002", "冀B1234挂", "晋A12345D", "晋AD12345"];

fn profile() -> impl Strategy<Value = VehicleProfile> {
    (
        pick(PLATES),
        pick(PlateColour::ALL),
        pick(LedgerKind::ALL),
        pick(VehicleClass::ALL),
        pick(Fuel::ALL),
        pick(EmissionStage::ALL),
    )
        .prop_map(|(plate, plate_colour, ledger, class, fuel, stage)| VehicleProfile {
            id: VehicleId::new(),
            plate: Plate::parse(plate).unwrap(),
            plate_colour,
            ledger,
            class,
            fuel,
            stage,
        })
}

fn policy() -> impl Strategy<Value = AdmissionPolicy> {
    (
        pick(Verdict::ALL),
        pick(Verdict::ALL),
        any::<bool>(),
        pick(EnterpriseRating::ALL),
        prop::collection::vec((pick(Fuel::ALL), pick(EmissionStage::ALL), any::<bool>()), 0..3),
    )
        .prop_map(|(unknown_vehicle, unplated, apply, rating, rules)| AdmissionPolicy {
            unknown_vehicle,
            unplated,
            exit: if apply { ExitMode::ApplyRules } else { ExitMode::AdmitAll },
            baseline: BaselineTable::cement_2020().for_enterprise(Industry::Cement, rating),
            rules: rules
                .into_iter()
                .map(|(fuel, stage, deny)| {
                    rule(
                        "规则",
                        if deny { RuleEffect::Deny } else { RuleEffect::NeedsReview },
                        VehicleCriteria {
                            fuels: vec![fuel],
                            stages: StageMatch::AtMost(stage),
                            ..Default::default()
                        },
                    )
                })
                .collect(),
        })
}

fn lists() -> impl Strategy<Value = Lists> {
    prop::collection::vec((pick(ListKind::ALL), pick(PLATES)), 0..5)
        .prop_map(|es| Lists::new(es.into_iter().map(|(k, p)| entry(k, p))))
}

fn overlays() -> impl Strategy<Value = Vec<EmergencyOverlay>> {
    prop::collection::vec(prop::collection::vec(pick(MeasureCode::ALL), 0..3), 0..3)
        .prop_map(|ms| ms.iter().map(|m| overlay(m)).collect())
}

fn rank(v: Verdict) -> u8 {
    match v {
        Verdict::Deny => 0,
        Verdict::NeedsReview => 1,
        Verdict::Admit => 2,
    }
}

proptest! {
    #[test]
    fn the_bureau_blacklist_always_wins(
        v in profile(), lists in lists(), policy in policy(), overlays in overlays(),
        direction in pick(Direction::ALL), registered in any::<bool>(),
    ) {
        let mut lists = lists;
        let Some(n) = v.plate.number() else { return Ok(()) };
        lists.insert(entry(ListKind::BureauBlacklist, n.as_str()));
        let subject = if registered { Subject::Registered(&v) } else { unknown(&v.plate, Some(v.plate_colour)) };
        let d = judge(&lists, &policy, &overlays, subject, direction);
        prop_assert_eq!(d.verdict, Verdict::Deny);
        prop_assert_eq!(d.reason, ReasonCode::BureauBlacklist);
        prop_assert!(!d.allows_manual_release());
        prop_assert!(check_manual_release(&lists, &v.plate, at(MONDAY)).is_err());
    }

    #[test]
    fn a_permit_never_makes_a_decision_worse(
        v in profile(), lists in lists(), policy in policy(), overlays in overlays(),
        direction in pick(Direction::ALL), registered in any::<bool>(),
    ) {
        let Some(n) = v.plate.number() else { return Ok(()) };
        let subject = if registered { Subject::Registered(&v) } else { unknown(&v.plate, Some(v.plate_colour)) };
        let without = judge(&lists, &policy, &overlays, subject, direction);
        let mut with = lists.clone();
        with.insert(entry(ListKind::Permit, n.as_str()));
        let with = judge(&with, &policy, &overlays, subject, direction);
        prop_assert!(rank(with.verdict) >= rank(without.verdict), "{:?} → {:?}", without, with);
    }

    #[test]
    fn an_alert_never_makes_a_decision_better(
        v in profile(), lists in lists(), policy in policy(), overlays in overlays(),
        extra in prop::collection::vec(pick(MeasureCode::ALL), 1..3),
        direction in pick(Direction::ALL), registered in any::<bool>(),
    ) {
        let subject = if registered { Subject::Registered(&v) } else { unknown(&v.plate, Some(v.plate_colour)) };
        let before = judge(&lists, &policy, &overlays, subject, direction);
        let mut more = overlays.clone();
        more.push(overlay(&extra));
        let after = judge(&lists, &policy, &more, subject, direction);
        prop_assert!(rank(after.verdict) <= rank(before.verdict), "{:?} → {:?}", before, after);
    }

    #[test]
    fn the_order_of_measures_does_not_change_the_decision(
        v in profile(), measures in prop::collection::vec(pick(MeasureCode::ALL), 0..4),
    ) {
        let mut reversed = measures.clone();
        reversed.reverse();
        let a = judge(&Lists::default(), &AdmissionPolicy::default(), &[overlay(&measures)], Subject::Registered(&v), Direction::Entry);
        let b = judge(&Lists::default(), &AdmissionPolicy::default(), &[overlay(&reversed)], Subject::Registered(&v), Direction::Entry);
        prop_assert_eq!(a.verdict, b.verdict);
        prop_assert_eq!(a.reason, b.reason);
    }

    #[test]
    fn dry_run_agrees_with_decide(
        fleet in prop::collection::vec(profile(), 0..8), lists in lists(), policy in policy(), overlays in overlays(),
    ) {
        let ctx = AdmissionContext { lists: &lists, policy: &policy, overlays: &overlays };
        let refused = dry_run(&ctx, &fleet, Direction::Entry, at(MONDAY));
        let expected: Vec<VehicleId> = fleet
            .iter()
            .filter(|v| !decide(&ctx, Subject::Registered(v), Direction::Entry, at(MONDAY)).is_admitted())
            .map(|v| v.id)
            .collect();
        prop_assert_eq!(refused.iter().map(|r| r.vehicle).collect::<Vec<_>>(), expected);
        let impact = compare(&ctx, &ctx, &fleet, Direction::Entry, at(MONDAY));
        prop_assert!(impact.newly_refused.is_empty() && impact.no_longer_refused.is_empty());
        prop_assert_eq!(impact.still_refused.len(), refused.len());
    }
}
