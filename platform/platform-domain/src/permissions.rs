//! Who may do what to which object: scoped roles, the permission matrix, and [`authorize`].
//!
//! Roles are scoped, not one ordered list: a bureau inspector sees every enterprise of a
//! region but changes none of their data, while an enterprise admin changes everything of
//! one plant and sees nothing of another. So a decision has two parts:
//!
//! 1. **Scope**: is the object within the role's reach at all? An enterprise's objects are
//!    within reach of that enterprise's roles, of the admins of its group, of inspectors
//!    whose region contains it, and of platform admins. An object out of reach is
//!    [`Access::NotFound`]: the platform answers 404 and does not reveal that it exists.
//! 2. **Matrix**: within reach, may this kind of role take this action on this kind of
//!    resource ([`allows`])? If not, [`Access::Forbidden`] (403): e.g. an inspector writing
//!    enterprise data.
//!
//! A principal with several roles gets the best answer of any of them.
//!
//! Bureau-owned data (region alerts, the bureau blacklist) belongs to a region: an inspector
//! writes it only inside their own region, reads it where the regions overlap (a city
//! inspector reads the province's alert), and an enterprise reads the entries whose region
//! contains the plant.

use serde::{Deserialize, Serialize};

use crate::codes::code_enum;
use crate::ids::{GateId, GroupId, TenantId};
use crate::region::{RegionCode, RegionScope};

code_enum! {
    /// A kind of object, as the permission matrix knows it.
    Resource ("resource") {
        /// 企业信息: the enterprise's master data (name, credit code, region, industry, rating).
        TenantProfile = "tenant_profile", "企业信息", "enterprise profile";
        /// 用户与角色: the enterprise's user accounts and their roles.
        Members = "members", "用户与角色", "users and roles";
        /// 门岗与设备: sites, gates, lanes, cameras, barriers, gate enrolment.
        Devices = "devices", "门岗与设备", "gates and devices";
        /// 车辆台账: the three registries (external, in-plant, machinery).
        Vehicles = "vehicles", "车辆与机械台账", "vehicle and machinery registries";
        /// 企业名单: the enterprise blacklist and permits.
        EnterpriseLists = "enterprise_lists", "企业黑名单与通行许可", "enterprise blacklist and permits";
        /// 准入规则: enterprise rules and policy.
        AdmissionRules = "admission_rules", "准入规则", "admission rules";
        /// 通行记录: the passage ledger and its corrections.
        Passages = "passages", "通行记录", "passages";
        /// 报表: reports, schedules, metrics, evidence packs.
        Reports = "reports", "报表与证据包", "reports and evidence packs";
        /// 操作日志: the enterprise's audit log of changes made by people. Append-only: no role
        /// writes it directly; every write elsewhere adds an entry.
        AuditLog = "audit_log", "操作日志", "audit log";
        /// 生态环境部门黑名单: bureau-owned, per region.
        BureauBlacklist = "bureau_blacklist", "生态环境部门黑名单", "bureau blacklist";
        /// 重污染天气预警: bureau-owned, per region.
        RegionAlerts = "region_alerts", "重污染天气预警", "pollution alerts";
        /// 平台管理: enterprise registrations, bureau accounts, groups.
        Platform = "platform", "平台管理", "platform administration";
    }
}

code_enum! {
    /// What a principal wants to do.
    Action ("action") {
        /// See it.
        Read = "read", "查看", "read";
        /// Create, change or delete it; for passages, record a correction.
        Write = "write", "编辑", "write";
        /// Open a barrier by hand (on devices).
        Release = "release", "人工放行", "manual release";
        /// Append passages to the ledger (a gate's upload).
        Ingest = "ingest", "上传通行记录", "ingest passages";
    }
}

code_enum! {
    /// The kind of a [`Role`], without its scope: the rows of the matrix.
    RoleKind ("role") {
        /// 平台管理员: runs the service, approves enterprises, creates bureau accounts.
        PlatformAdmin = "platform_admin", "平台管理员", "platform admin";
        /// 生态环境局检查人员: reads the enterprises of a region, writes bureau data.
        BureauInspector = "bureau_inspector", "生态环境部门检查人员", "bureau inspector";
        /// 集团管理员: administers several plants of one group.
        GroupAdmin = "group_admin", "集团管理员", "group admin";
        /// 企业管理员.
        EnterpriseAdmin = "enterprise_admin", "企业管理员", "enterprise admin";
        /// 企业门岗操作员: live gate view, manual release, ledger lookup, corrections.
        EnterpriseOperator = "enterprise_operator", "门岗操作员", "gate operator";
        /// 企业只读用户: reports only.
        EnterpriseViewer = "enterprise_viewer", "企业只读用户", "viewer";
        /// 门岗设备: a gate agent.
        GateDevice = "gate_device", "门岗设备", "gate device";
    }
}

/// Whose an object is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OwnerKind {
    /// An enterprise (tenant).
    Tenant,
    /// A bureau, for a region.
    Region,
    /// The platform.
    Platform,
}

impl Resource {
    /// Whose objects of this kind are.
    pub const fn owner_kind(self) -> OwnerKind {
        match self {
            Self::BureauBlacklist | Self::RegionAlerts => OwnerKind::Region,
            Self::Platform => OwnerKind::Platform,
            _ => OwnerKind::Tenant,
        }
    }
}

/// The permission matrix: what a role of `kind` may do to resources of `resource` within its
/// scope.
pub const fn actions(kind: RoleKind, resource: Resource) -> &'static [Action] {
    use Action::{Ingest, Read, Release, Write};
    use Resource as Res;
    use RoleKind as K;
    const R: &[Action] = &[Read];
    const RW: &[Action] = &[Read, Write];
    const NONE: &[Action] = &[];
    match (kind, resource) {
        // The operator of the service administers enterprises and accounts; it does not
        // browse or change their ledgers and registries, and writes no bureau data.
        (K::PlatformAdmin, Res::Platform | Res::TenantProfile | Res::Members) => RW,
        (K::PlatformAdmin, Res::Devices | Res::BureauBlacklist | Res::RegionAlerts) => R,
        (K::PlatformAdmin, _) => NONE,

        // Reads every enterprise record of the region except its user accounts; writes only
        // bureau-owned data.
        (K::BureauInspector, Res::BureauBlacklist | Res::RegionAlerts) => RW,
        (K::BureauInspector, Res::Members | Res::Platform) => NONE,
        (K::BureauInspector, _) => R,

        // Administers the group's plants; operating barriers and correcting passages is for
        // the staff on site.
        (
            K::GroupAdmin,
            Res::TenantProfile
            | Res::Members
            | Res::Devices
            | Res::Vehicles
            | Res::EnterpriseLists
            | Res::AdmissionRules
            | Res::Reports,
        ) => RW,
        (
            K::GroupAdmin,
            Res::Passages | Res::AuditLog | Res::BureauBlacklist | Res::RegionAlerts,
        ) => R,
        (K::GroupAdmin, Res::Platform) => NONE,

        (K::EnterpriseAdmin, Res::Devices) => &[Read, Write, Release],
        (K::EnterpriseAdmin, Res::AuditLog | Res::BureauBlacklist | Res::RegionAlerts) => R,
        (K::EnterpriseAdmin, Res::Platform) => NONE,
        (K::EnterpriseAdmin, _) => RW,

        (K::EnterpriseOperator, Res::Devices) => &[Read, Release],
        (K::EnterpriseOperator, Res::Passages) => RW,
        (K::EnterpriseOperator, Res::Members | Res::AuditLog | Res::Platform) => NONE,
        (K::EnterpriseOperator, _) => R,

        (K::EnterpriseViewer, Res::TenantProfile | Res::Reports | Res::RegionAlerts) => R,
        (K::EnterpriseViewer, _) => NONE,

        // A gate reads what it needs to decide offline and appends its passages.
        (
            K::GateDevice,
            Res::Devices
            | Res::Vehicles
            | Res::EnterpriseLists
            | Res::AdmissionRules
            | Res::BureauBlacklist
            | Res::RegionAlerts,
        ) => R,
        (K::GateDevice, Res::Passages) => &[Ingest],
        (K::GateDevice, _) => NONE,
    }
}

/// Whether a role of `kind` may take `action` on `resource` within its scope.
pub fn allows(kind: RoleKind, resource: Resource, action: Action) -> bool {
    actions(kind, resource).contains(&action)
}

/// A plant a role is bound to: the tenant and where it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Plant {
    /// The enterprise.
    pub tenant: TenantId,
    /// Its region code.
    pub region: RegionCode,
}

/// A role with its scope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "role", rename_all = "snake_case")]
pub enum Role {
    /// The whole platform.
    PlatformAdmin,
    /// The enterprises and bureau data of a region.
    BureauInspector {
        /// The region prefix.
        scope: RegionScope,
    },
    /// The plants of a group. The platform resolves the group's plants when it loads the
    /// principal, so a decision needs no lookup.
    GroupAdmin {
        /// The group.
        group: GroupId,
        /// Its plants.
        plants: Vec<Plant>,
    },
    /// One plant, as its admin.
    EnterpriseAdmin {
        /// The plant.
        plant: Plant,
    },
    /// One plant, as a gate operator.
    EnterpriseOperator {
        /// The plant.
        plant: Plant,
    },
    /// One plant, reports only.
    EnterpriseViewer {
        /// The plant.
        plant: Plant,
    },
    /// One gate of one plant.
    GateDevice {
        /// The plant.
        plant: Plant,
        /// The gate.
        gate: GateId,
    },
}

impl Role {
    /// The role's kind (its row in the matrix).
    pub fn kind(&self) -> RoleKind {
        match self {
            Self::PlatformAdmin => RoleKind::PlatformAdmin,
            Self::BureauInspector { .. } => RoleKind::BureauInspector,
            Self::GroupAdmin { .. } => RoleKind::GroupAdmin,
            Self::EnterpriseAdmin { .. } => RoleKind::EnterpriseAdmin,
            Self::EnterpriseOperator { .. } => RoleKind::EnterpriseOperator,
            Self::EnterpriseViewer { .. } => RoleKind::EnterpriseViewer,
            Self::GateDevice { .. } => RoleKind::GateDevice,
        }
    }

    fn plant(&self) -> Option<&Plant> {
        match self {
            Self::EnterpriseAdmin { plant }
            | Self::EnterpriseOperator { plant }
            | Self::EnterpriseViewer { plant }
            | Self::GateDevice { plant, .. } => Some(plant),
            _ => None,
        }
    }

    /// How far `owner` is within this role's reach.
    fn reach(&self, owner: &Owner) -> Reach {
        match (self, owner) {
            (Self::PlatformAdmin, _) | (_, Owner::Platform) => Reach::Full,
            (Self::BureauInspector { scope }, Owner::Tenant { region, .. }) => {
                Reach::full_if(scope.contains(region))
            }
            (Self::BureauInspector { scope }, Owner::Region(owned)) => {
                if scope.contains_scope(owned) {
                    Reach::Full
                } else if owned.contains_scope(scope) {
                    Reach::ReadOnly
                } else {
                    Reach::Outside
                }
            }
            (Self::GroupAdmin { plants, .. }, Owner::Tenant { tenant, .. }) => {
                Reach::full_if(plants.iter().any(|p| p.tenant == *tenant))
            }
            (Self::GroupAdmin { plants, .. }, Owner::Region(owned)) => {
                Reach::full_if(plants.iter().any(|p| owned.contains(&p.region)))
            }
            (Self::GateDevice { plant, gate: own }, Owner::Tenant { tenant, gate, .. }) => {
                if plant.tenant != *tenant {
                    Reach::Outside
                } else if gate.is_some_and(|g| g != *own) {
                    // Another gate of its own plant: it exists, but is not this device's.
                    Reach::Nothing
                } else {
                    Reach::Full
                }
            }
            (role, Owner::Tenant { tenant, .. }) => {
                Reach::full_if(role.plant().is_some_and(|p| p.tenant == *tenant))
            }
            (role, Owner::Region(owned)) => {
                Reach::full_if(role.plant().is_some_and(|p| owned.contains(&p.region)))
            }
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reach {
    /// Not within reach: not found.
    Outside,
    /// Within reach, but no action is allowed.
    Nothing,
    /// Within reach for reading only.
    ReadOnly,
    /// Within reach: the matrix decides.
    Full,
}

impl Reach {
    fn full_if(inside: bool) -> Self {
        if inside { Self::Full } else { Self::Outside }
    }
}

/// Whose a particular object is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "owner", rename_all = "snake_case")]
pub enum Owner {
    /// An enterprise's object.
    Tenant {
        /// The enterprise.
        tenant: TenantId,
        /// Where the enterprise is.
        region: RegionCode,
        /// The gate the object belongs to, for gate-specific objects (a lane, a passage).
        gate: Option<GateId>,
    },
    /// A bureau's object for a region.
    Region(RegionScope),
    /// A platform object.
    Platform,
}

impl Owner {
    fn kind(&self) -> OwnerKind {
        match self {
            Self::Tenant { .. } => OwnerKind::Tenant,
            Self::Region(_) => OwnerKind::Region,
            Self::Platform => OwnerKind::Platform,
        }
    }
}

/// The object of a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Target {
    /// What kind of object.
    pub resource: Resource,
    /// Whose.
    pub owner: Owner,
}

impl Target {
    /// An enterprise's object.
    pub fn tenant(resource: Resource, tenant: TenantId, region: RegionCode) -> Self {
        Self { resource, owner: Owner::Tenant { tenant, region, gate: None } }
    }

    /// An object of one gate of an enterprise.
    pub fn gate(resource: Resource, tenant: TenantId, region: RegionCode, gate: GateId) -> Self {
        Self { resource, owner: Owner::Tenant { tenant, region, gate: Some(gate) } }
    }

    /// A bureau's object for `scope`.
    pub fn region(resource: Resource, scope: RegionScope) -> Self {
        Self { resource, owner: Owner::Region(scope) }
    }

    /// A platform object.
    pub fn platform() -> Self {
        Self { resource: Resource::Platform, owner: Owner::Platform }
    }
}

/// The answer of [`authorize`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Access {
    /// Not within reach: answer 404, do not reveal the object.
    NotFound,
    /// Within reach, not allowed: answer 403.
    Forbidden,
    /// Go ahead.
    Allowed,
}

impl Access {
    /// Whether the action may proceed.
    pub fn is_allowed(self) -> bool {
        self == Self::Allowed
    }

    /// The HTTP status to answer when not allowed (200 when allowed).
    pub fn status(self) -> u16 {
        match self {
            Self::Allowed => 200,
            Self::Forbidden => 403,
            Self::NotFound => 404,
        }
    }
}

/// Who is asking: every role a user or device holds.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Principal {
    /// The roles.
    pub roles: Vec<Role>,
}

impl Principal {
    /// A principal with one role.
    pub fn with(role: Role) -> Self {
        Self { roles: vec![role] }
    }

    /// May this principal take `action` on `target`? See [`authorize`].
    pub fn may(&self, action: Action, target: &Target) -> Access {
        authorize(&self.roles, action, target)
    }
}

/// May a principal holding `roles` take `action` on `target`?
///
/// The best answer over all roles. A target whose owner does not fit its resource (a
/// bureau blacklist entry owned by a tenant) is a caller's mistake and fails closed as
/// [`Access::NotFound`].
pub fn authorize(roles: &[Role], action: Action, target: &Target) -> Access {
    if target.resource.owner_kind() != target.owner.kind() {
        return Access::NotFound;
    }
    roles
        .iter()
        .map(|role| match role.reach(&target.owner) {
            Reach::Outside => Access::NotFound,
            Reach::Nothing => Access::Forbidden,
            Reach::ReadOnly if action != Action::Read => Access::Forbidden,
            Reach::ReadOnly | Reach::Full => {
                if allows(role.kind(), target.resource, action) {
                    Access::Allowed
                } else {
                    Access::Forbidden
                }
            }
        })
        .max()
        .unwrap_or(Access::NotFound)
}

/// The matrix as a Markdown table (one row per resource, one column per role; letters
/// R W L I for read, write, release, ingest), as `docs/DOMAIN.md` shows it.
pub fn matrix_markdown() -> String {
    let mut out = String::from("| resource |");
    for k in RoleKind::ALL {
        out.push_str(&format!(" {} |", k.as_str()));
    }
    out.push_str("\n| --- |");
    for _ in RoleKind::ALL {
        out.push_str(" --- |");
    }
    out.push('\n');
    for r in Resource::ALL {
        out.push_str(&format!("| {} |", r.as_str()));
        for k in RoleKind::ALL {
            let letters: String = actions(*k, *r)
                .iter()
                .map(|a| match a {
                    Action::Read => 'R',
                    Action::Write => 'W',
                    Action::Release => 'L',
                    Action::Ingest => 'I',
                })
                .collect();
            out.push_str(&format!(" {} |", if letters.is_empty() { "–" } else { &letters }));
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The expected matrix, written out by hand from the decisions in docs/DOMAIN.md (not
    /// derived from [`actions`]). Columns: platform_admin, bureau_inspector, group_admin,
    /// enterprise_admin, enterprise_operator, enterprise_viewer, gate_device.
    const EXPECTED: &str = "
        tenant_profile   RW  R   RW  RW   R   R  -
        members          RW  -   RW  RW   -   -  -
        devices          R   R   RW  RWL  RL  -  R
        vehicles         -   R   RW  RW   R   -  R
        enterprise_lists -   R   RW  RW   R   -  R
        admission_rules  -   R   RW  RW   R   -  R
        passages         -   R   R   RW   RW  -  I
        reports          -   R   RW  RW   R   R  -
        audit_log        -   R   R   R    -   -  -
        bureau_blacklist R   RW  R   R    R   -  R
        region_alerts    R   RW  R   R    R   R  R
        platform         RW  -   -   -    -   -  -
    ";

    fn expected(kind: RoleKind, resource: Resource, action: Action) -> bool {
        let row = EXPECTED
            .lines()
            .map(str::split_whitespace)
            .find_map(|mut cols| {
                (cols.next() == Some(resource.as_str())).then(|| cols.collect::<Vec<_>>())
            })
            .unwrap_or_else(|| panic!("no row for {resource}"));
        let col = RoleKind::ALL.iter().position(|k| *k == kind).unwrap();
        let letter = match action {
            Action::Read => 'R',
            Action::Write => 'W',
            Action::Release => 'L',
            Action::Ingest => 'I',
        };
        row[col].contains(letter)
    }

    fn shanxi_plant() -> Plant {
        Plant { tenant: TenantId::new(), region: RegionCode::parse("140105").unwrap() }
    }

    fn scope(s: &str) -> RegionScope {
        RegionScope::parse(s).unwrap()
    }

    /// A role of `kind` whose scope contains `plant`.
    fn role_for(kind: RoleKind, plant: Plant, gate: GateId) -> Role {
        match kind {
            RoleKind::PlatformAdmin => Role::PlatformAdmin,
            RoleKind::BureauInspector => Role::BureauInspector { scope: scope("1401") },
            RoleKind::GroupAdmin => {
                Role::GroupAdmin { group: GroupId::new(), plants: vec![shanxi_plant(), plant] }
            }
            RoleKind::EnterpriseAdmin => Role::EnterpriseAdmin { plant },
            RoleKind::EnterpriseOperator => Role::EnterpriseOperator { plant },
            RoleKind::EnterpriseViewer => Role::EnterpriseViewer { plant },
            RoleKind::GateDevice => Role::GateDevice { plant, gate },
        }
    }

    /// An in-reach target of `resource` for `plant`.
    fn target_in(resource: Resource, plant: Plant, gate: GateId) -> Target {
        match resource.owner_kind() {
            OwnerKind::Tenant => Target::gate(resource, plant.tenant, plant.region, gate),
            OwnerKind::Region => Target::region(resource, scope("1401")),
            OwnerKind::Platform => Target::platform(),
        }
    }

    /// A target of `resource` out of reach of every role bound to `plant` (another tenant in
    /// another province; another province's bureau data).
    fn target_out(resource: Resource) -> Option<Target> {
        let other = RegionCode::parse("130102").unwrap();
        match resource.owner_kind() {
            OwnerKind::Tenant => Some(Target::tenant(resource, TenantId::new(), other)),
            OwnerKind::Region => Some(Target::region(resource, scope("13"))),
            OwnerKind::Platform => None,
        }
    }

    #[test]
    fn every_cell_of_the_matrix_within_scope() {
        let plant = shanxi_plant();
        let gate = GateId::new();
        let mut cells = 0;
        for kind in RoleKind::ALL {
            let principal = Principal::with(role_for(*kind, plant, gate));
            for resource in Resource::ALL {
                for action in Action::ALL {
                    let want = if expected(*kind, *resource, *action) {
                        Access::Allowed
                    } else {
                        Access::Forbidden
                    };
                    let got = principal.may(*action, &target_in(*resource, plant, gate));
                    assert_eq!(got, want, "{kind} {action} {resource}");
                    assert_eq!(allows(*kind, *resource, *action), want == Access::Allowed);
                    cells += 1;
                }
            }
        }
        assert_eq!(cells, 7 * 12 * 4);
    }

    #[test]
    fn every_cell_out_of_scope_is_not_found() {
        let plant = shanxi_plant();
        let gate = GateId::new();
        for kind in RoleKind::ALL {
            if *kind == RoleKind::PlatformAdmin {
                continue; // nothing is out of its reach
            }
            let principal = Principal::with(role_for(*kind, plant, gate));
            for resource in Resource::ALL {
                let Some(target) = target_out(*resource) else { continue };
                for action in Action::ALL {
                    assert_eq!(
                        principal.may(*action, &target),
                        Access::NotFound,
                        "{kind} {action} {resource}"
                    );
                }
            }
        }
    }

    #[test]
    fn platform_admins_reach_everything_but_the_matrix_still_applies() {
        let admin = Principal::with(Role::PlatformAdmin);
        for resource in Resource::ALL {
            if let Some(target) = target_out(*resource) {
                let want = if allows(RoleKind::PlatformAdmin, *resource, Action::Read) {
                    Access::Allowed
                } else {
                    Access::Forbidden
                };
                assert_eq!(admin.may(Action::Read, &target), want, "{resource}");
            }
        }
        assert_eq!(admin.may(Action::Write, &Target::platform()), Access::Allowed);
    }

    #[test]
    fn inspectors_read_enterprises_of_their_region_and_never_write_them() {
        let inspector = Principal::with(Role::BureauInspector { scope: scope("14") });
        let plant = shanxi_plant();
        let passages = Target::tenant(Resource::Passages, plant.tenant, plant.region);
        assert_eq!(inspector.may(Action::Read, &passages), Access::Allowed);
        assert_eq!(inspector.may(Action::Write, &passages), Access::Forbidden);
        assert_eq!(inspector.may(Action::Write, &passages).status(), 403);
        let hebei = Target::tenant(
            Resource::Passages,
            TenantId::new(),
            RegionCode::parse("130102").unwrap(),
        );
        assert_eq!(inspector.may(Action::Read, &hebei), Access::NotFound);
        assert_eq!(inspector.may(Action::Read, &hebei).status(), 404);
    }

    #[test]
    fn inspectors_write_bureau_data_only_inside_their_region() {
        let city = Principal::with(Role::BureauInspector { scope: scope("1401") });
        let province_alert = Target::region(Resource::RegionAlerts, scope("14"));
        let city_alert = Target::region(Resource::RegionAlerts, scope("1401"));
        let district_alert = Target::region(Resource::RegionAlerts, scope("140105"));
        let other_city = Target::region(Resource::RegionAlerts, scope("1402"));
        assert_eq!(city.may(Action::Read, &province_alert), Access::Allowed);
        assert_eq!(city.may(Action::Write, &province_alert), Access::Forbidden);
        assert_eq!(city.may(Action::Write, &city_alert), Access::Allowed);
        assert_eq!(city.may(Action::Write, &district_alert), Access::Allowed);
        assert_eq!(city.may(Action::Read, &other_city), Access::NotFound);
        let blacklist = Target::region(Resource::BureauBlacklist, scope("1401"));
        assert_eq!(city.may(Action::Write, &blacklist), Access::Allowed);
    }

    #[test]
    fn enterprises_read_bureau_data_whose_region_contains_them() {
        let plant = shanxi_plant();
        let admin = Principal::with(Role::EnterpriseAdmin { plant });
        let mine = Target::region(Resource::BureauBlacklist, scope("1401"));
        let elsewhere = Target::region(Resource::BureauBlacklist, scope("1402"));
        assert_eq!(admin.may(Action::Read, &mine), Access::Allowed);
        assert_eq!(admin.may(Action::Write, &mine), Access::Forbidden);
        assert_eq!(admin.may(Action::Read, &elsewhere), Access::NotFound);
    }

    #[test]
    fn tenants_never_see_each_other() {
        let a = shanxi_plant();
        let b = shanxi_plant();
        let admin_a = Principal::with(Role::EnterpriseAdmin { plant: a });
        for resource in Resource::ALL.iter().filter(|r| r.owner_kind() == OwnerKind::Tenant) {
            let theirs = Target::tenant(*resource, b.tenant, b.region);
            for action in Action::ALL {
                assert_eq!(admin_a.may(*action, &theirs), Access::NotFound, "{action} {resource}");
            }
        }
    }

    #[test]
    fn group_admins_reach_only_their_plants() {
        let a = shanxi_plant();
        let b = shanxi_plant();
        let group = Principal::with(Role::GroupAdmin { group: GroupId::new(), plants: vec![a] });
        assert_eq!(
            group.may(Action::Write, &Target::tenant(Resource::Vehicles, a.tenant, a.region)),
            Access::Allowed
        );
        assert_eq!(
            group.may(Action::Write, &Target::tenant(Resource::Vehicles, b.tenant, b.region)),
            Access::NotFound
        );
        assert_eq!(
            group.may(Action::Release, &Target::tenant(Resource::Devices, a.tenant, a.region)),
            Access::Forbidden
        );
    }

    #[test]
    fn a_gate_device_acts_only_for_its_own_gate() {
        let plant = shanxi_plant();
        let own = GateId::new();
        let device = Principal::with(Role::GateDevice { plant, gate: own });
        let mine = Target::gate(Resource::Passages, plant.tenant, plant.region, own);
        let other = Target::gate(Resource::Passages, plant.tenant, plant.region, GateId::new());
        assert_eq!(device.may(Action::Ingest, &mine), Access::Allowed);
        assert_eq!(device.may(Action::Ingest, &other), Access::Forbidden);
        assert_eq!(
            device.may(Action::Read, &mine),
            Access::Forbidden,
            "a gate uploads, it does not browse"
        );
        // Plant-wide objects (the registries) are readable.
        assert_eq!(
            device
                .may(Action::Read, &Target::tenant(Resource::Vehicles, plant.tenant, plant.region)),
            Access::Allowed
        );
    }

    #[test]
    fn several_roles_give_the_best_answer() {
        let a = shanxi_plant();
        let b = shanxi_plant();
        let target_b = Target::tenant(Resource::Vehicles, b.tenant, b.region);
        let viewer_b = Principal::with(Role::EnterpriseViewer { plant: b });
        assert_eq!(viewer_b.may(Action::Write, &target_b), Access::Forbidden);
        let both = Principal {
            roles: vec![Role::EnterpriseViewer { plant: b }, Role::EnterpriseAdmin { plant: a }],
        };
        assert_eq!(both.may(Action::Read, &target_b), Access::Forbidden);
        let both = Principal {
            roles: vec![Role::EnterpriseViewer { plant: b }, Role::EnterpriseAdmin { plant: b }],
        };
        assert_eq!(both.may(Action::Write, &target_b), Access::Allowed);
        assert_eq!(Principal::default().may(Action::Read, &target_b), Access::NotFound);
    }

    #[test]
    fn a_target_whose_owner_does_not_fit_its_resource_fails_closed() {
        let plant = shanxi_plant();
        let wrong = Target {
            resource: Resource::BureauBlacklist,
            owner: Owner::Tenant { tenant: plant.tenant, region: plant.region, gate: None },
        };
        assert_eq!(
            Principal::with(Role::PlatformAdmin).may(Action::Read, &wrong),
            Access::NotFound
        );
        let wrong = Target { resource: Resource::Vehicles, owner: Owner::Platform };
        assert_eq!(
            Principal::with(Role::EnterpriseAdmin { plant }).may(Action::Read, &wrong),
            Access::NotFound
        );
    }

    #[test]
    fn roles_serialise_with_their_scope() {
        let role = Role::BureauInspector { scope: scope("1401") };
        let json = serde_json::to_value(&role).unwrap();
        assert_eq!(json, serde_json::json!({"role": "bureau_inspector", "scope": "1401"}));
        assert_eq!(serde_json::from_value::<Role>(json).unwrap(), role);
    }

    #[test]
    fn the_documented_matrix_is_the_implemented_one() {
        let doc = include_str!("../../../docs/DOMAIN.md");
        assert!(
            doc.contains(&matrix_markdown()),
            "docs/DOMAIN.md must contain:\n{}",
            matrix_markdown()
        );
    }
}
