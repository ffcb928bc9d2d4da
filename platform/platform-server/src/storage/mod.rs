//! Storage: one layer, written once, that runs on SQLite or PostgreSQL.
//!
//! Statements are built with sea-query and run through [`Conn`], implemented by the pool
//! ([`Db`]) and by a transaction ([`Tx`]); the helpers render each statement with the query
//! builder of the backend in use. Storage functions never name the backend; the few places
//! where the backends really differ get one explicit seam each.
//!
//! Every function over tenant-owned data takes the `TenantId` first and filters on it, so a
//! caller holding another tenant's id finds nothing. Naming: `get_*` (missing is an error),
//! `find_*` (returns `Option`), `list_*`, `insert_*`, `update_*`, `delete_*`.

pub mod audit;
mod db;
pub mod directory;
pub mod imports;
pub mod lists;
pub mod passages;
pub mod regions;
pub mod registrations;
pub mod rules;
pub mod sessions;
pub mod tenants;
pub mod users;
pub mod vehicles;

use chrono::{DateTime, SubsecRound, Utc};
pub use db::{Backend, Conn, Db, DbRow, Tx};

/// The current time, truncated to whole microseconds so that it reads back exactly the
/// same from either backend.
pub fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}

/// A page of a list.
#[derive(Debug, Clone, Copy)]
pub struct Page {
    /// Rows to skip.
    pub offset: u64,
    /// Rows to return.
    pub limit: u64,
}

impl Page {
    /// Page `page` (from 1) of `per_page` rows, with `per_page` capped at 500.
    pub fn new(page: Option<u64>, per_page: Option<u64>) -> Self {
        let per_page = per_page.unwrap_or(50).clamp(1, 500);
        let page = page.unwrap_or(1).max(1);
        Self { offset: (page - 1) * per_page, limit: per_page }
    }
}

/// A count, decodable from both backends.
#[derive(Debug, sqlx::FromRow)]
pub struct Count {
    /// The number.
    pub n: i64,
}
