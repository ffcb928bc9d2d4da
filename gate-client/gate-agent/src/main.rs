//! `gateledger-gate`: the gate agent binary. A thin CLI over the `gate_agent` library.

use std::path::PathBuf;

use anyhow::Context;
use clap::{Parser, Subcommand};
use gate_agent::config::{EXAMPLE, Settings};

/// gateledger gate agent: camera intake, local admission, barrier control and the signed
/// local ledger of one plant gate.
#[derive(Debug, Parser)]
#[command(name = "gateledger-gate", version, about, long_about)]
struct Cli {
    /// A TOML configuration file (see `gateledger-gate config-example`).
    #[arg(long, short, global = true, env = "GATELEDGER_GATE_CONFIG")]
    config: Option<PathBuf>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the agent until Ctrl-C or SIGTERM.
    Run,
    /// Print an example configuration file with every default.
    ConfigExample,
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    if let Command::ConfigExample = cli.command {
        print!("{EXAMPLE}");
        return Ok(());
    }
    let settings = Settings::load(cli.config.as_deref())?;
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(&settings.log_filter));
    tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).init();
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    runtime.block_on(async move {
        std::fs::create_dir_all(&settings.data_dir).with_context(|| {
            format!("cannot create the data directory {}", settings.data_dir.display())
        })?;
        let listener = tokio::net::TcpListener::bind(settings.status.bind)
            .await
            .with_context(|| format!("cannot listen on {}", settings.status.bind))?;
        println!("gateledger-gate status on http://{}", listener.local_addr()?);
        axum::serve(listener, gate_agent::status::router())
            .with_graceful_shutdown(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await
            .context("status server failed")
    })
}
