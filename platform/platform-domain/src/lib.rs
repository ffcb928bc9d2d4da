//! Pure domain rules of gateledger, shared by the platform and the gate agent.
//!
//! Nothing in this crate performs I/O: no files, sockets, clocks or databases. Callers pass
//! the current time and the data in, and get decisions out, so the gate can decide offline
//! with exactly the same code the platform uses to preview a rule change.
//!
//! - [`ids`]: typed UUIDv7 identifiers, so a `GateId` can never be passed as a `TenantId`.
//! - [`codes`]: the canonical enums (plate colour, emission stage, fuel, …) with their ledger
//!   codes and zh-CN / en labels. Exports and regulator adapters map these to their own codes.
//! - [`error`]: the one shape of bad input, a stable code with the field and zh-CN / en text.
//! - Parsers: [`plate`] (GA 36), [`vin`] (GB 16735), [`credit_code`] (GB 32100),
//!   [`region`] (GB/T 2260 and inspectors' scopes), [`nrmm`] (machinery registration codes).
//! - [`schedule`]: validity periods, weekday sets, daily windows, date ranges, Beijing time.
//! - [`admission`]: the admission engine: lists, enterprise rules, the rating baseline,
//!   emergency overlays, one pure `decide`, previews and the manual-release check.
//! - [`permissions`]: scoped roles, the permission matrix and `authorize` (404 vs 403).
//! - [`metrics`]: rating metrics over trip and fleet summaries, against rating thresholds.

pub mod admission;
pub mod codes;
pub mod credit_code;
pub mod error;
pub mod ids;
pub mod metrics;
pub mod nrmm;
pub mod permissions;
pub mod plate;
pub mod region;
pub mod schedule;
pub mod vin;

#[cfg(test)]
mod tests {
    /// docs/DOMAIN.md lists every stable code with its texts; a code added here without a
    /// line there fails.
    #[test]
    fn the_domain_document_lists_every_code() {
        let doc = include_str!("../../../docs/DOMAIN.md");
        let mut ids: Vec<(&str, &str, &str)> = Vec::new();
        macro_rules! collect {
            ($($t:ty),+) => {$(
                for c in <$t>::ALL {
                    ids.push((c.as_str(), c.label_zh(), c.label_en()));
                }
            )+};
        }
        collect!(
            crate::error::ErrorCode,
            crate::admission::ReasonCode,
            crate::admission::Verdict,
            crate::metrics::Metric,
            crate::metrics::LedgerField,
            crate::permissions::Resource,
            crate::permissions::RoleKind
        );
        for (id, zh, en) in ids {
            let row = format!("| `{id}` | {zh} | {en} |");
            assert!(doc.contains(&row), "docs/DOMAIN.md lacks the row: {row}");
        }
    }
}
