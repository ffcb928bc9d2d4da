//! `gateledger`: the platform binary. A thin CLI over the `platform_server` library.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context;
use clap::{Parser, Subcommand};
use platform_server::config::{EXAMPLE, Settings};
use platform_server::startup::{Application, shutdown_signal};
use platform_server::storage::Db;
use platform_server::telemetry;

/// gateledger platform: tenant portal, inspector view, JSON API and the link to gate agents.
///
/// With no configuration it keeps its data under ./data (SQLite and a local evidence
/// directory) and serves HTTP on 127.0.0.1:8080.
#[derive(Debug, Parser)]
#[command(name = "gateledger", version, about, long_about)]
struct Cli {
    /// A TOML configuration file (see `gateledger config-example`).
    #[arg(long, short, global = true, env = "GATELEDGER_CONFIG")]
    config: Option<PathBuf>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the platform until Ctrl-C or SIGTERM.
    Serve {
        /// Address to listen on, overriding the configuration.
        #[arg(long)]
        bind: Option<SocketAddr>,
        /// Data directory, overriding the configuration.
        #[arg(long)]
        data_dir: Option<PathBuf>,
    },
    /// Apply the database migrations and exit.
    Migrate,
    /// Print an example configuration file with every default.
    ConfigExample,
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    if let Command::ConfigExample = cli.command {
        print!("{EXAMPLE}");
        return Ok(());
    }
    // aws-sdk-s3 brings rustls' aws-lc provider into the graph next to ring; pick one.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut settings = Settings::load(cli.config.as_deref())?;
    telemetry::init(&settings.log.filter);
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    runtime.block_on(async move {
        match cli.command {
            Command::Serve { bind, data_dir } => {
                if let Some(bind) = bind {
                    settings.http.bind = bind;
                }
                if let Some(dir) = data_dir {
                    settings.data_dir = dir;
                }
                let app = Application::build(settings).await?;
                println!("gateledger listening on http://{}", app.http_addr());
                app.run_until_stopped(shutdown_signal()).await
            }
            Command::Migrate => {
                std::fs::create_dir_all(&settings.data_dir)?;
                let db = Db::connect(&settings.database_url(), settings.database.max_connections)
                    .await?;
                db.migrate().await?;
                db.close().await;
                println!("migrations applied");
                Ok(())
            }
            Command::ConfigExample => unreachable!("handled before the runtime starts"),
        }
    })
}
