//! Use cases reached from more than one entry point (HTTP, the gate link, jobs).

pub mod admission;
