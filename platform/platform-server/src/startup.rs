//! Building and running the platform: open storage, bind listeners, serve until stopped.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context;
use tokio::net::TcpListener;

use crate::auth::session::SessionKeys;
use crate::config::{Settings, redact_url};
use crate::http::{self, AppState};
use crate::mail::Mailer;
use crate::objects::Objects;
use crate::storage::Db;

/// A platform whose storage is open and migrated and whose listeners are bound.
#[derive(Debug)]
pub struct Application {
    listener: TcpListener,
    tls: Option<Arc<rustls::ServerConfig>>,
    state: AppState,
}

impl Application {
    /// Creates the data directory, opens and migrates the database, binds HTTP.
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        settings.http.check_transport()?;
        let tls = match settings.http.tls()? {
            Some((cert, key)) => Some(crate::tls::server_config(cert, key)?),
            None => None,
        };
        std::fs::create_dir_all(&settings.data_dir).with_context(|| {
            format!("cannot create the data directory {}", settings.data_dir.display())
        })?;
        let url = settings.database_url();
        let db = Db::connect(&url, settings.database.max_connections).await?;
        db.migrate().await?;
        tracing::info!(database.url = %redact_url(&url), "database ready");
        let listener = TcpListener::bind(settings.http.bind)
            .await
            .with_context(|| format!("cannot listen on {}", settings.http.bind))?;
        let mut settings = settings;
        if settings.http.public_url.is_none() {
            // Links in e-mails name the address actually bound (port 0 picks one).
            settings.http.public_url =
                Some(format!("{}://{}", settings.scheme(), listener.local_addr()?));
        }
        let objects = match &settings.objects.s3 {
            Some(s3) => Objects::s3(s3).await?,
            None => Objects::local(settings.data_dir.join("evidence"))?,
        };
        let mailer = Mailer::from_settings(&settings.mail, settings.data_dir.join("mail-outbox"))?;
        let sessions = Arc::new(SessionKeys::load(&settings.auth, &settings.data_dir)?);
        let signing = Arc::new(crate::keys::SigningKeys::load_or_create(&settings.data_dir)?);
        crate::storage::passages::ensure_partitions(
            &db,
            [chrono::Utc::now(), chrono::Utc::now() + chrono::Duration::days(31)],
        )
        .await
        .context("cannot create the passage partitions")?;
        let state = AppState {
            db,
            settings: Arc::new(settings),
            objects,
            mailer,
            sessions,
            signing,
            events: crate::http::events::EventHub::default(),
        };
        Ok(Self { listener, tls, state })
    }

    /// The HTTP address actually bound (useful with port 0).
    pub fn http_addr(&self) -> SocketAddr {
        self.listener.local_addr().expect("a bound listener has an address")
    }

    /// `https` when the platform serves TLS itself, else `http`.
    pub fn scheme(&self) -> &'static str {
        if self.tls.is_some() { "https" } else { "http" }
    }

    /// The shared state, for tests that inspect storage directly.
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until `shutdown` completes, then finishes in-flight requests.
    pub async fn run_until_stopped(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let db = self.state.db.clone();
        let router = http::router(self.state);
        let service = router.into_make_service_with_connect_info::<SocketAddr>();
        match self.tls {
            Some(config) => {
                use axum::serve::ListenerExt;
                // tap_io is a no-op here; it lets axum hand the peer address to handlers.
                let listener = crate::tls::TlsListener::new(self.listener, config)?.tap_io(|_| {});
                axum::serve(listener, service)
                    .with_graceful_shutdown(shutdown)
                    .await
                    .context("HTTPS server failed")?;
            }
            None => {
                axum::serve(self.listener, service)
                    .with_graceful_shutdown(shutdown)
                    .await
                    .context("HTTP server failed")?;
            }
        }
        db.close().await;
        Ok(())
    }
}

/// Completes on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down");
}
