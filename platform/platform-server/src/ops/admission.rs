//! Assembles an enterprise's admission context from storage: its lists (permits, its
//! blacklist, the bureau blacklist covering its region), its policy (settings, the rating
//! baseline, its own rules), the emergency overlays of the alerts covering it, and its
//! registered vehicles. The platform previews changes with it; the gate link sends the same
//! data to the gates, which decide with the same platform-domain function.

use chrono::{DateTime, Utc};
use platform_domain::admission::{
    AdmissionContext, AdmissionPolicy, BaselineTable, ChangeImpact, EmergencyOverlay,
    EmergencyPlan, EnterpriseFacts, EnterpriseRule, ExitMode, ListEntry, ListKind, Lists,
    RegionAlert, VehicleProfile, Verdict, compare, overlays_for,
};
use platform_domain::codes::{
    AlertLevel, Direction, EmissionStage, EnterpriseRating, Fuel, Industry, LedgerKind,
    MeasureCode, PlateColour, VehicleClass,
};
use platform_domain::ids::{AlertId, ListEntryId, TenantId, VehicleId};
use platform_domain::plate::{Plate, PlateNumber};
use platform_domain::region::{RegionCode, RegionScope};
use platform_domain::schedule::{Validity, to_beijing};
use serde::{Deserialize, Serialize};

use crate::storage::tenants::TenantRow;
use crate::storage::vehicles::VehicleFilter;
use crate::storage::{Conn, Page, lists, regions, rules, tenants, vehicles};

/// The settings an enterprise chooses for its gates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PolicySettings {
    /// What happens to an unregistered vehicle: `admit`, `deny` or `needs_review` (default).
    #[serde(default = "review")]
    #[schema(value_type = String)]
    pub unknown_vehicle: Verdict,
    /// What happens to a vehicle without a plate (default `needs_review`).
    #[serde(default = "review")]
    #[schema(value_type = String)]
    pub unplated: Verdict,
    /// `admit_all` (default: exits pass unless blacklisted) or `apply_rules`.
    #[serde(default)]
    #[schema(value_type = String)]
    pub exit: ExitMode,
}

fn review() -> Verdict {
    Verdict::NeedsReview
}

impl Default for PolicySettings {
    fn default() -> Self {
        Self {
            unknown_vehicle: Verdict::NeedsReview,
            unplated: Verdict::NeedsReview,
            exit: ExitMode::AdmitAll,
        }
    }
}

/// Everything the admission engine needs for one enterprise.
#[derive(Debug, Clone, Serialize)]
pub struct TenantAdmission {
    /// The version of the rules and lists (bumped by every change).
    pub version: i64,
    /// The lists.
    pub lists: Lists,
    /// The policy.
    pub policy: AdmissionPolicy,
    /// The overlays of current and coming alerts.
    pub overlays: Vec<EmergencyOverlay>,
    /// The registered vehicles.
    pub vehicles: Vec<VehicleProfile>,
    /// Records that could not be turned into domain values (a stored code an older build
    /// does not know): skipped, and named here so that the caller can log them.
    pub skipped: Vec<String>,
}

impl TenantAdmission {
    /// The context to judge with.
    pub fn context(&self) -> AdmissionContext<'_> {
        AdmissionContext { lists: &self.lists, policy: &self.policy, overlays: &self.overlays }
    }
}

fn validity(from: Option<DateTime<Utc>>, until: Option<DateTime<Utc>>) -> Option<Validity> {
    Validity::new(from.map(to_beijing), until.map(to_beijing)).ok()
}

/// The overlays of the alerts covering an enterprise that have not ended by `now`.
pub async fn overlays(
    c: &mut impl Conn,
    tenant: &TenantRow,
    facts: &EnterpriseFacts,
    now: DateTime<Utc>,
    skipped: &mut Vec<String>,
) -> Result<Vec<EmergencyOverlay>, sqlx::Error> {
    let rows = regions::list_covering(c, &tenant.region_code, now).await?;
    let mut alerts = Vec::new();
    for a in rows {
        let level = a.fields.level.parse::<AlertLevel>();
        let scope = RegionScope::parse(&a.fields.region_code);
        let measures: Result<Vec<MeasureCode>, _> =
            a.fields.measures.0.iter().map(|m| m.parse::<MeasureCode>()).collect();
        match (level, scope, measures, validity(Some(a.fields.starts_at), Some(a.fields.ends_at))) {
            (Ok(level), Ok(scope), Ok(measures), Some(validity)) => alerts.push(RegionAlert {
                id: AlertId::from(a.id),
                scope,
                level,
                validity,
                measures,
                local_bans: Vec::new(),
            }),
            _ => skipped.push(format!("alert {}", a.id)),
        }
    }
    Ok(overlays_for(&alerts, &EmergencyPlan::cement_2020(), facts))
}

/// Loads an enterprise's admission context as of `now`.
pub async fn load(
    c: &mut impl Conn,
    tenant: &TenantRow,
    now: DateTime<Utc>,
) -> Result<TenantAdmission, sqlx::Error> {
    let t = TenantId::from(tenant.id);
    let mut skipped = Vec::new();
    let facts = EnterpriseFacts {
        region: RegionCode::parse(&tenant.region_code)
            .map_err(|e| sqlx::Error::Decode(Box::new(e)))?,
        industry: tenant.industry.parse::<Industry>().unwrap_or(Industry::Other),
        rating: tenant.rating.parse::<EnterpriseRating>().unwrap_or(EnterpriseRating::C),
    };

    // Lists.
    let all = Page { offset: 0, limit: 100_000 };
    let mut entries = Vec::new();
    for (list, kind) in
        [("whitelist", ListKind::Permit), ("blacklist", ListKind::EnterpriseBlacklist)]
    {
        for e in lists::list_entries(c, t, list, None, None, all).await? {
            match (
                PlateNumber::parse(&e.fields.plate),
                validity(e.fields.valid_from, e.fields.valid_until),
            ) {
                (Ok(plate), Some(validity)) => entries.push(ListEntry {
                    id: ListEntryId::from(e.id),
                    kind,
                    plate,
                    validity,
                    note: e.fields.reason.clone().unwrap_or_default(),
                }),
                _ => skipped.push(format!("{list} entry {}", e.id)),
            }
        }
    }
    for e in lists::list_bureau_covering(c, &tenant.region_code, false, all).await? {
        match PlateNumber::parse(&e.fields.plate) {
            Ok(plate) => entries.push(ListEntry {
                id: ListEntryId::from(e.id),
                kind: ListKind::BureauBlacklist,
                plate,
                validity: validity(Some(e.fields.issued_at), e.fields.lifted_at)
                    .unwrap_or(Validity::ALWAYS),
                note: e.fields.reason.clone(),
            }),
            Err(_) => skipped.push(format!("bureau entry {}", e.id)),
        }
    }

    // Policy.
    let settings: PolicySettings =
        serde_json::from_value(tenants::admission_policy(c, t).await?).unwrap_or_default();
    let mut enterprise_rules = Vec::new();
    for r in rules::list(c, t).await? {
        match serde_json::from_value::<EnterpriseRule>(r.rule.0.clone()) {
            Ok(rule) => enterprise_rules.push(rule),
            Err(_) => skipped.push(format!("rule {}", r.id)),
        }
    }
    let policy = AdmissionPolicy {
        unknown_vehicle: settings.unknown_vehicle,
        unplated: settings.unplated,
        exit: settings.exit,
        baseline: BaselineTable::cement_2020().for_enterprise(facts.industry, facts.rating),
        rules: enterprise_rules,
    };

    let overlays = overlays(c, tenant, &facts, now, &mut skipped).await?;

    // Vehicles.
    let mut profiles = Vec::new();
    for v in vehicles::list(c, t, &VehicleFilter::default(), all).await? {
        let f = &v.fields;
        let plate = match &f.plate {
            Some(p) => PlateNumber::parse(p).map(Plate::Number),
            None => Ok(Plate::Unplated),
        };
        let parsed = (
            plate,
            f.plate_colour.as_deref().unwrap_or("other").parse::<PlateColour>(),
            f.kind.parse::<LedgerKind>(),
            f.vehicle_class.parse::<VehicleClass>(),
            f.fuel.parse::<Fuel>(),
            f.stage.parse::<EmissionStage>(),
        );
        match parsed {
            (Ok(plate), Ok(plate_colour), Ok(ledger), Ok(class), Ok(fuel), Ok(stage)) => profiles
                .push(VehicleProfile {
                    id: VehicleId::from(v.id),
                    plate,
                    plate_colour,
                    ledger,
                    class,
                    fuel,
                    stage,
                }),
            _ => skipped.push(format!("vehicle {}", v.id)),
        }
    }

    Ok(TenantAdmission {
        version: tenant.rules_version,
        lists: Lists::new(entries),
        policy,
        overlays,
        vehicles: profiles,
        skipped,
    })
}

/// A change to an enterprise's admission, to preview before saving it.
#[derive(Debug, Clone, Default)]
pub struct ProposedChange {
    /// A new rule.
    pub add_rule: Option<EnterpriseRule>,
    /// A rule replacing the stored rule with the same id (an edit).
    pub replace_rule: Option<EnterpriseRule>,
    /// New settings.
    pub settings: Option<PolicySettings>,
}

/// The dry run of a change (used by the API's preview and the rules editor): every
/// registered vehicle is judged under the current and the proposed admission, passing in
/// `direction` at local Beijing time `at`. Returns how many vehicles were judged and the
/// impact: newly refused, still refused, no longer refused.
pub async fn preview(
    c: &mut impl Conn,
    tenant: &TenantRow,
    now: DateTime<Utc>,
    change: ProposedChange,
    direction: Direction,
    at: chrono::NaiveDateTime,
) -> Result<(usize, ChangeImpact), sqlx::Error> {
    let current = load(c, tenant, now).await?;
    let mut policy: AdmissionPolicy = current.policy.clone();
    if let Some(rule) = change.replace_rule {
        match policy.rules.iter_mut().find(|r| r.id == rule.id) {
            Some(slot) => *slot = rule,
            None => policy.rules.push(rule),
        }
    }
    if let Some(rule) = change.add_rule {
        policy.rules.push(rule);
    }
    if let Some(s) = change.settings {
        policy.unknown_vehicle = s.unknown_vehicle;
        policy.unplated = s.unplated;
        policy.exit = s.exit;
    }
    let proposed =
        AdmissionContext { lists: &current.lists, policy: &policy, overlays: &current.overlays };
    let impact = compare(&current.context(), &proposed, &current.vehicles, direction, at);
    Ok((current.vehicles.len(), impact))
}
