//! Simulators for demos and tests: a Modbus TCP barrier PLC and a camera traffic generator
//! that speaks the Hikvision and Dahua push formats.
