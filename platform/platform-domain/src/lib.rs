//! Pure domain rules of gateledger, shared by the platform and the gate agent.
//!
//! Nothing in this crate performs I/O: no files, sockets, clocks or databases. Callers pass
//! the current time and the data in, and get decisions out, so the gate can decide offline
//! with exactly the same code the platform uses to preview a rule change.
