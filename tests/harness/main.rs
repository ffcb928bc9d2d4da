//! Proves the test harness: each real service the product needs answers, gateledger's own
//! binaries start, and the workspace's dependency rule holds.

mod binaries;
mod browser;
mod dependency_rule;
mod modbus;
mod postgres;
mod s3;
mod smtp;
