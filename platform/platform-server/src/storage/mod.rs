//! Storage: one layer, written once, that runs on SQLite or PostgreSQL.
//!
//! Statements are built with sea-query and run through [`Db`], which renders them with the
//! query builder of the backend chosen at start. Storage functions never name the backend;
//! the few places where the backends really differ get one explicit seam each.

mod db;

pub use db::{Backend, Db};
