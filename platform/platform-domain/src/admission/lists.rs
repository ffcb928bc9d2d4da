//! The plate lists: bureau blacklist, enterprise blacklist, permits.
//!
//! Every entry names one plate and has a validity period; an entry outside its period is
//! kept (the platform shows history) but does not act. Lookups are by plate number, so a
//! vehicle without a plate is never on a list.

use std::collections::BTreeMap;

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

use crate::codes::code_enum;
use crate::ids::ListEntryId;
use crate::plate::PlateNumber;
use crate::schedule::Validity;

code_enum! {
    /// Which list an entry is on.
    ListKind ("list kind") {
        /// 生态环境部门黑名单: issued by the bureau (e.g. over-standard vehicles). Nothing
        /// overrides it, not even a manual release.
        BureauBlacklist = "bureau_blacklist", "生态环境部门黑名单", "bureau blacklist";
        /// 企业黑名单: kept by the enterprise. A manual release may override it.
        EnterpriseBlacklist = "enterprise_blacklist", "企业黑名单", "enterprise blacklist";
        /// 白名单 / 临时通行许可: admits a vehicle the enterprise's own rules would not.
        Permit = "permit", "通行许可（白名单）", "permit (whitelist)";
    }
}

/// One entry of a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListEntry {
    /// The entry's id, quoted in decisions.
    pub id: ListEntryId,
    /// Which list.
    pub kind: ListKind,
    /// The plate it names.
    pub plate: PlateNumber,
    /// When it acts; unbounded by default.
    #[serde(default)]
    pub validity: Validity,
    /// Why it exists (free text, shown to staff).
    #[serde(default)]
    pub note: String,
}

/// All list entries a gate or a preview needs, indexed by plate. Serialised as the list of
/// entries, ordered by plate.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(from = "Vec<ListEntry>", into = "Vec<ListEntry>")]
pub struct Lists {
    by_plate: BTreeMap<PlateNumber, Vec<ListEntry>>,
}

impl Lists {
    /// Lists holding `entries`.
    pub fn new(entries: impl IntoIterator<Item = ListEntry>) -> Self {
        let mut lists = Self::default();
        for e in entries {
            lists.insert(e);
        }
        lists
    }

    /// Adds an entry (an entry with the same id is replaced).
    pub fn insert(&mut self, entry: ListEntry) {
        self.remove(entry.id);
        self.by_plate.entry(entry.plate.clone()).or_default().push(entry);
    }

    /// Removes the entry with `id`, returning it.
    pub fn remove(&mut self, id: ListEntryId) -> Option<ListEntry> {
        let plate = self.entries().find(|e| e.id == id)?.plate.clone();
        let entries = self.by_plate.get_mut(&plate)?;
        let at = entries.iter().position(|e| e.id == id)?;
        let removed = entries.remove(at);
        if entries.is_empty() {
            self.by_plate.remove(&plate);
        }
        Some(removed)
    }

    /// Every entry, ordered by plate.
    pub fn entries(&self) -> impl Iterator<Item = &ListEntry> {
        self.by_plate.values().flatten()
    }

    /// How many entries there are.
    pub fn len(&self) -> usize {
        self.by_plate.values().map(Vec::len).sum()
    }

    /// Whether there are no entries.
    pub fn is_empty(&self) -> bool {
        self.by_plate.is_empty()
    }

    /// The first entry of `kind` for `plate` that acts at `at`.
    pub fn valid_entry(
        &self,
        kind: ListKind,
        plate: &PlateNumber,
        at: NaiveDateTime,
    ) -> Option<&ListEntry> {
        self.of_kind(kind, plate).find(|e| e.validity.contains(at))
    }

    /// Every entry of `kind` for `plate`, acting or not.
    pub fn of_kind<'a>(
        &'a self,
        kind: ListKind,
        plate: &PlateNumber,
    ) -> impl Iterator<Item = &'a ListEntry> + 'a {
        self.by_plate.get(plate).into_iter().flatten().filter(move |e| e.kind == kind)
    }
}

impl From<Vec<ListEntry>> for Lists {
    fn from(entries: Vec<ListEntry>) -> Self {
        Self::new(entries)
    }
}

impl From<Lists> for Vec<ListEntry> {
    fn from(lists: Lists) -> Self {
        lists.by_plate.into_values().flatten().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schedule::tests::at;

    fn entry(kind: ListKind, plate: &str, validity: Validity) -> ListEntry {
        ListEntry {
            id: ListEntryId::new(),
            kind,
            plate: PlateNumber::parse(plate).unwrap(),
            validity,
            note: String::new(),
        }
    }

    #[test]
    fn lookups_respect_kind_plate_and_validity() {
        let week =
            Validity::new(Some(at("2025-11-17 00:00")), Some(at("2025-11-24 00:00"))).unwrap();
        let permit = entry(ListKind::Permit, "晋A12345", week);
        let black = entry(ListKind::EnterpriseBlacklist, "晋A12345", Validity::ALWAYS);
        let mut lists = Lists::new([permit.clone(), black.clone()]);
        let plate = PlateNumber::parse("晋A12345").unwrap();
        assert_eq!(
            lists.valid_entry(ListKind::Permit, &plate, at("2025-11-18 09:00")),
            Some(&permit)
        );
        assert_eq!(lists.valid_entry(ListKind::Permit, &plate, at("2025-11-25 09:00")), None);
        assert_eq!(lists.of_kind(ListKind::Permit, &plate).count(), 1);
        assert_eq!(
            lists.valid_entry(ListKind::EnterpriseBlacklist, &plate, at("2030-01-01 00:00")),
            Some(&black)
        );
        assert_eq!(
            lists.valid_entry(ListKind::BureauBlacklist, &plate, at("2025-11-18 09:00")),
            None
        );
        let other = PlateNumber::parse("晋A12346").unwrap();
        assert_eq!(lists.valid_entry(ListKind::Permit, &other, at("2025-11-18 09:00")), None);
        assert_eq!(lists.len(), 2);
        assert_eq!(lists.remove(black.id), Some(black));
        assert_eq!(lists.len(), 1);
        assert_eq!(lists.remove(permit.id), Some(permit));
        assert!(lists.is_empty());
    }

    #[test]
    fn inserting_the_same_id_replaces_and_serde_round_trips() {
        let mut e = entry(ListKind::Permit, "晋A12345", Validity::ALWAYS);
        let mut lists = Lists::new([e.clone()]);
        e.note = "长期供货".to_owned();
        lists.insert(e.clone());
        assert_eq!(lists.len(), 1);
        assert_eq!(lists.entries().next().unwrap().note, "长期供货");
        lists.insert(entry(ListKind::BureauBlacklist, "冀B1234挂", Validity::ALWAYS));
        let json = serde_json::to_string(&lists).unwrap();
        assert!(json.starts_with('['), "serialised as a list: {json}");
        assert_eq!(serde_json::from_str::<Lists>(&json).unwrap(), lists);
    }
}
