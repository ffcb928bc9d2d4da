//! gate-protocol's tests: golden vectors, verifier cases, property tests.

mod fixtures;
mod golden;
mod verifier;
