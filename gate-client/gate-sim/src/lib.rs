//! Simulators for demos and tests: a Modbus TCP barrier PLC ([`plc`]) and a camera traffic
//! generator that speaks the Hikvision and Dahua push formats ([`camera`]).

pub mod camera;
pub mod plc;
