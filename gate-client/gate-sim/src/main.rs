//! `gate-sim`: simulators for gateledger demos.
//!
//! ```text
//! gate-sim plc --bind 127.0.0.1:5020                  a barrier PLC (Modbus TCP)
//! gate-sim camera --target http://127.0.0.1:8091 --rate 2 --count 100
//! gate-sim fleet --seed 1                             the plates to register on the gate
//! ```

use std::net::SocketAddr;
use std::time::Duration;

use clap::{Parser, Subcommand, ValueEnum};
use gate_sim::camera::{self, TrafficConfig, Vendor};
use gate_sim::plc::{self, PlcConfig};

/// Simulators for gateledger demos: a Modbus barrier PLC and ANPR camera traffic.
#[derive(Debug, Parser)]
#[command(name = "gate-sim", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum VendorArg {
    Hikvision,
    Dahua,
    Mixed,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run a barrier PLC: an open-coil pulse raises the status input, which falls after the
    /// hold time or on a close-coil pulse.
    Plc {
        /// Listen address.
        #[arg(long, default_value = "127.0.0.1:5020")]
        bind: SocketAddr,
        /// The open coil (protocol address).
        #[arg(long, default_value_t = 0)]
        open_coil: u16,
        /// The close coil.
        #[arg(long, default_value_t = 1)]
        close_coil: u16,
        /// The status discrete input.
        #[arg(long, default_value_t = 0)]
        status_input: u16,
        /// How long the arm takes to move, in ms.
        #[arg(long, default_value_t = 200)]
        open_delay_ms: u64,
        /// How long it stays open, in ms.
        #[arg(long, default_value_t = 5000)]
        hold_ms: u64,
    },
    /// Send camera traffic to a gate agent.
    Camera {
        /// The agent's camera listener.
        #[arg(long, default_value = "http://127.0.0.1:8091")]
        target: String,
        /// Pushes per second.
        #[arg(long, default_value_t = 1.0)]
        rate: f64,
        /// Stop after this many pushes.
        #[arg(long)]
        count: Option<u64>,
        /// Which formats.
        #[arg(long, value_enum, default_value = "mixed")]
        vendor: VendorArg,
        /// Seed of the traffic (the same seed replays the same traffic).
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// The Hikvision camera's device id.
        #[arg(long, default_value = "DS-TCG405-E0120230101AAWRJ00001")]
        hikvision_device: String,
        /// The Dahua camera's device id.
        #[arg(long, default_value = "6F0A1B2PAZ00001")]
        dahua_device: String,
    },
    /// Print the registered fleet of a seed, one plate per line.
    Fleet {
        /// Seed (the same as the camera's).
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Fleet size.
        #[arg(long, default_value_t = 40)]
        size: usize,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt().with_writer(std::io::stderr).init();
    match Cli::parse().command {
        Command::Plc { bind, open_coil, close_coil, status_input, open_delay_ms, hold_ms } => {
            let config = PlcConfig {
                open_coil,
                close_coil: Some(close_coil),
                status_input,
                open_delay: Duration::from_millis(open_delay_ms),
                hold: Duration::from_millis(hold_ms),
            };
            let handle = plc::start(bind, config).await?;
            println!("gate-sim PLC on {}", handle.addr());
            tokio::signal::ctrl_c().await?;
        }
        Command::Camera { target, rate, count, vendor, seed, hikvision_device, dahua_device } => {
            let vendors = match vendor {
                VendorArg::Hikvision => vec![Vendor::Hikvision],
                VendorArg::Dahua => vec![Vendor::Dahua],
                VendorArg::Mixed => vec![Vendor::Hikvision, Vendor::Dahua],
            };
            let config = TrafficConfig {
                seed,
                vendors,
                hikvision_device,
                dahua_device,
                ..TrafficConfig::default()
            };
            camera::run(&target, rate, count, config).await?;
        }
        Command::Fleet { seed, size } => {
            for (plate, _) in camera::fleet(seed, size) {
                println!("{plate}");
            }
        }
    }
    Ok(())
}
