//! `gateledger`: the platform binary. A thin CLI over the `platform_server` library.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context;
use clap::{Parser, Subcommand};
use platform_server::admin::AdminRequest;
use platform_server::config::{EXAMPLE, Settings};
use platform_server::startup::{Application, shutdown_signal};
use platform_server::storage::Db;
use platform_server::telemetry;

fn admin_request(cmd: AdminCommand) -> anyhow::Result<AdminRequest> {
    Ok(match cmd {
        AdminCommand::CreatePlatformAdmin { username, display_name, email } => {
            AdminRequest::CreatePlatformAdmin { username, display_name, email }
        }
        AdminCommand::CreateBureauUser { username, display_name, region, email } => {
            AdminRequest::CreateBureauUser { username, display_name, region, email }
        }
        AdminCommand::ResetPassword { username } => AdminRequest::ResetPassword { username },
        AdminCommand::ListUsers => AdminRequest::ListUsers,
    })
}

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

    /// Data directory, overriding the configuration.
    #[arg(long, global = true)]
    data_dir: Option<PathBuf>,

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
    },
    /// Apply the database migrations and exit.
    Migrate,
    /// Set up and administer accounts from the platform host (first setup, lost passwords).
    #[command(subcommand)]
    Admin(AdminCommand),
    /// Print an example configuration file with every default.
    ConfigExample,
}

#[derive(Debug, Subcommand)]
enum AdminCommand {
    /// Create a platform admin; prints the temporary password (changed at first sign-in).
    CreatePlatformAdmin {
        /// Sign-in name.
        #[arg(long)]
        username: String,
        /// Name shown to people.
        #[arg(long)]
        display_name: String,
        /// E-mail address, for password resets.
        #[arg(long)]
        email: Option<String>,
    },
    /// Create a bureau inspector bound to a region prefix (GB/T 2260, e.g. 14 or 1401).
    CreateBureauUser {
        /// Sign-in name.
        #[arg(long)]
        username: String,
        /// Name shown to people.
        #[arg(long)]
        display_name: String,
        /// Region prefix the inspector sees.
        #[arg(long)]
        region: String,
        /// E-mail address, for password resets.
        #[arg(long)]
        email: Option<String>,
    },
    /// Give an account a new temporary password and unlock it; its sessions end.
    ResetPassword {
        /// Sign-in name.
        #[arg(long)]
        username: String,
    },
    /// List the accounts of the platform.
    ListUsers,
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
    if let Some(dir) = cli.data_dir {
        settings.data_dir = dir;
    }
    telemetry::init(&settings.log.filter);
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    runtime.block_on(async move {
        match cli.command {
            Command::Serve { bind } => {
                if let Some(bind) = bind {
                    settings.http.bind = bind;
                }
                let app = Application::build(settings).await?;
                println!("gateledger listening on {}://{}", app.scheme(), app.http_addr());
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
            Command::Admin(cmd) => {
                std::fs::create_dir_all(&settings.data_dir)?;
                let db = Db::connect(&settings.database_url(), settings.database.max_connections)
                    .await?;
                db.migrate().await?;
                let result = platform_server::admin::run(&db, admin_request(cmd)?).await;
                db.close().await;
                println!("{}", result?);
                Ok(())
            }
            Command::ConfigExample => unreachable!("handled before the runtime starts"),
        }
    })
}
