//! Integration tests of the gate agent's library: camera intake through the real HTTP
//! router into a real store on disk, and the barrier driver against the gate-sim PLC.

mod barrier;
mod intake;
mod support;
