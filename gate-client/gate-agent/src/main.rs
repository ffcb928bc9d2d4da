//! `gateledger-gate`: the gate agent binary. A thin CLI over the `gate_agent` library.

use std::io::{Read as _, Write as _};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use clap::{Parser, Subcommand};
use gate_agent::agent::Agent;
use gate_agent::config::{EXAMPLE, Settings};
use gate_agent::store::{RegisteredPlate, Store};

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
    /// Print the running agent's health (from its status endpoint), or the store's state when
    /// the agent is not running. Exits 1 when the agent does not answer.
    Status,
    /// The cached plate registry the agent matches readings against.
    Registry {
        #[command(subcommand)]
        action: RegistryAction,
    },
    /// Print an example configuration file with every default.
    ConfigExample,
}

#[derive(Debug, Subcommand)]
enum RegistryAction {
    /// Add (or update) plates; a running agent picks them up within seconds.
    Add {
        /// Plates, e.g. 冀B12345.
        #[arg(required = true)]
        plates: Vec<String>,
        /// Plate colour (blue, yellow, gradient_green, yellow_green, …).
        #[arg(long)]
        colour: Option<String>,
        /// What the guard reads (fleet, owner).
        #[arg(long, default_value = "")]
        label: String,
    },
    /// List the registered plates.
    List,
}

fn main() -> ExitCode {
    match run() {
        Ok(code) => code,
        Err(e) => {
            eprintln!("gateledger-gate: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> anyhow::Result<ExitCode> {
    let cli = Cli::parse();
    if let Command::ConfigExample = cli.command {
        print!("{EXAMPLE}");
        return Ok(ExitCode::SUCCESS);
    }
    let settings = Settings::load(cli.config.as_deref())?;
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(&settings.log_filter));
    tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).init();
    match cli.command {
        Command::ConfigExample => unreachable!("handled above"),
        Command::Status => status(&settings),
        Command::Run => {
            let runtime =
                tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
            runtime.block_on(run_agent(settings))?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Registry { action } => {
            let runtime =
                tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
            runtime.block_on(registry(settings, action))?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

async fn run_agent(settings: Settings) -> anyhow::Result<()> {
    let agent = Agent::start(settings).await?;
    // Tests and supervisors read these lines to learn the bound ports.
    println!("gateledger-gate camera intake on http://{}", agent.camera_addr);
    println!("gateledger-gate status on http://{}", agent.status_addr);
    shutdown_signal().await;
    agent.shutdown().await;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
}

async fn registry(settings: Settings, action: RegistryAction) -> anyhow::Result<()> {
    let store = Store::open(&settings.data_dir).await?;
    match action {
        RegistryAction::Add { plates, colour, label } => {
            let colour = colour
                .map(|c| c.parse().map_err(|e| anyhow::anyhow!("--colour: {e}")))
                .transpose()?;
            for raw in plates {
                let plate = gate_agent::camera::normalise_plate(&raw)
                    .with_context(|| format!("{raw:?} is not a plate"))?;
                store
                    .upsert_registry_plate(
                        &RegisteredPlate { plate: plate.clone(), colour, label: label.clone() },
                        chrono::Utc::now(),
                    )
                    .await?;
                println!("registered {plate}");
            }
        }
        RegistryAction::List => {
            for p in store.registry().await? {
                let colour = p.colour.map(|c| c.label_zh()).unwrap_or("-");
                println!("{}\t{}\t{}", p.plate, colour, p.label);
            }
        }
    }
    Ok(())
}

/// Asks the running agent's status endpoint; falls back to the store when it is down.
fn status(settings: &Settings) -> anyhow::Result<ExitCode> {
    let mut addr = settings.status.bind;
    if addr.ip().is_unspecified() {
        addr.set_ip(std::net::Ipv4Addr::LOCALHOST.into());
    }
    match http_get(addr, "/api/status") {
        Ok(body) => {
            let value: serde_json::Value =
                serde_json::from_str(&body).context("the status endpoint did not answer JSON")?;
            print_status(&value);
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            println!("agent: not running ({addr}: {e})");
            let runtime =
                tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
            runtime.block_on(async {
                if settings.database_path().is_file() {
                    let store = Store::open(&settings.data_dir).await?;
                    let c = store.counts().await?;
                    println!(
                        "store: {} events, {} duplicates, {} photos, {} registered plates, {} alarm rows ({})",
                        c.events,
                        c.duplicates,
                        c.photos,
                        c.registry,
                        c.alarms,
                        settings.database_path().display()
                    );
                } else {
                    println!("store: none yet at {}", settings.database_path().display());
                }
                anyhow::Ok(())
            })?;
            Ok(ExitCode::FAILURE)
        }
    }
}

fn print_status(v: &serde_json::Value) {
    let agent = &v["agent"];
    println!(
        "agent: running, version {}, gate {}, since {}",
        agent["version"].as_str().unwrap_or("?"),
        agent["gate"].as_str().unwrap_or("?"),
        agent["started_at"].as_str().unwrap_or("?")
    );
    if let Some(components) = agent["components"].as_object() {
        for (name, c) in components {
            let state = c["state"].as_str().unwrap_or("?");
            let error = c["error"].as_str().map(|e| format!(" ({e})")).unwrap_or_default();
            println!("component {name}: {state}{error}, restarts {}", c["restarts"]);
        }
    }
    if let Some(barriers) = agent["barriers"].as_object() {
        for (lane, b) in barriers {
            println!("barrier {lane}: {}", b["label"].as_str().unwrap_or("?"));
        }
    }
    if let Some(cameras) = agent["cameras"].as_object() {
        for (device, c) in cameras {
            println!(
                "camera {device} ({}): last seen {}",
                c["source"].as_str().unwrap_or("?"),
                c["last_seen"].as_str().unwrap_or("?")
            );
        }
    }
    let alarms = agent["alarms"].as_array().cloned().unwrap_or_default();
    if alarms.is_empty() {
        println!("alarms: none");
    }
    for a in alarms {
        println!("ALARM {}", a["message"].as_str().unwrap_or("?"));
    }
    let i = &agent["intake"];
    println!(
        "intake: {} recorded, {} duplicates, {} refused, {} heartbeats",
        i["recorded"], i["duplicates"], i["refused"], i["heartbeats"]
    );
    let s = &v["store"];
    println!(
        "store: {} events, {} duplicates, {} photos, {} registered plates",
        s["events"], s["duplicates"], s["photos"], s["registry"]
    );
}

/// A minimal HTTP/1.0 GET over loopback: the agent keeps no HTTP client for one request.
fn http_get(addr: std::net::SocketAddr, path: &str) -> anyhow::Result<String> {
    let mut stream = std::net::TcpStream::connect_timeout(&addr, Duration::from_secs(2))?;
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    write!(stream, "GET {path} HTTP/1.0\r\nHost: {addr}\r\nConnection: close\r\n\r\n")?;
    let mut response = String::new();
    stream.read_to_string(&mut response)?;
    let (head, body) = response.split_once("\r\n\r\n").context("malformed HTTP response")?;
    anyhow::ensure!(
        head.starts_with("HTTP/1.") && head.split_whitespace().nth(1) == Some("200"),
        "unexpected answer: {}",
        head.lines().next().unwrap_or("")
    );
    Ok(body.to_owned())
}
