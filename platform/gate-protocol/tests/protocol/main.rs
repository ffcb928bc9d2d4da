//! gate-protocol's tests: golden vectors, verifier cases, property tests.

mod canonical;
mod fixtures;
mod golden;
mod messages;
mod props;
mod verifier;
