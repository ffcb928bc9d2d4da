//! End-to-end tests of the gate agent: the barrier driver against the real Modbus peer
//! (pymodbus), and `gateledger-gate` / `gate-sim` as real processes against the gate-sim PLC,
//! a dead PLC address, the status page in Chromium, and the `status` command.
//!
//! Modbus addresses on the shared pymodbus peer that belong to these tests: coils and
//! discrete inputs 40–49 (docs/GATE.md keeps the table).

mod agent;
mod modbus;
mod support;
