//! The Modbus TCP peer: a coil written with tokio-modbus reads back.

use gateledger_e2e::require_env;
use tokio_modbus::client::{Reader, Writer, tcp};
use tokio_modbus::slave::Slave;

#[tokio::test]
async fn coil_written_to_modbus_peer_reads_back() {
    // Arrange: coil 17 belongs to this test; other tests use other addresses.
    let addr = require_env("GATELEDGER_TEST_MODBUS").parse().expect("host:port");
    let mut ctx = tcp::connect_slave(addr, Slave(1)).await.expect("connect");

    // Act and assert: on, then off, each read back.
    ctx.write_single_coil(17, true).await.expect("transport").expect("exception");
    let on = ctx.read_coils(17, 2).await.expect("transport").expect("exception");
    assert_eq!(on, vec![true, false]);
    ctx.write_single_coil(17, false).await.expect("transport").expect("exception");
    let off = ctx.read_coils(17, 1).await.expect("transport").expect("exception");
    assert_eq!(off, vec![false]);
}
