//! Runs the agent's components under one cancellation token, restarting each one that fails
//! (returns an error or panics) after a back-off: 200 ms, doubling, capped at 30 s, with up
//! to 25 % jitter so that components failing together do not retry in lockstep. A component
//! that ran for a minute before failing starts again from the shortest back-off.
//!
//! Shutdown: [`Supervisor::shutdown`] cancels the token and waits for every component to
//! return; a component gets `grace` to finish its current step (an HTTP answer, a coil
//! pulse) before it is aborted.

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use crate::health::{ComponentState, Health};

/// The first back-off.
pub const BACKOFF_START: Duration = Duration::from_millis(200);
/// The longest back-off.
pub const BACKOFF_CAP: Duration = Duration::from_secs(30);
/// A run at least this long resets the back-off.
const HEALTHY_RUN: Duration = Duration::from_secs(60);

/// The back-off after `failures` consecutive failures, before jitter.
pub fn backoff(failures: u32) -> Duration {
    BACKOFF_START.saturating_mul(2u32.saturating_pow(failures.saturating_sub(1))).min(BACKOFF_CAP)
}

fn jitter(d: Duration) -> Duration {
    // The sub-second clock is random enough to spread retries; no RNG needed for that.
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|t| t.subsec_nanos())
        .unwrap_or(0);
    d + d.mul_f64(f64::from(nanos % 250) / 1000.0)
}

/// The components of one agent.
#[derive(Debug)]
pub struct Supervisor {
    cancel: CancellationToken,
    tasks: JoinSet<()>,
    health: Arc<Health>,
}

impl Supervisor {
    /// A supervisor reporting to `health`.
    pub fn new(health: Arc<Health>) -> Self {
        Self { cancel: CancellationToken::new(), tasks: JoinSet::new(), health }
    }

    /// The token every component watches.
    pub fn token(&self) -> CancellationToken {
        self.cancel.clone()
    }

    /// Starts `name`, made anew by `make` on every (re)start.
    pub fn spawn<F, Fut>(&mut self, name: &str, make: F)
    where
        F: Fn(CancellationToken) -> Fut + Send + 'static,
        Fut: Future<Output = anyhow::Result<()>> + Send + 'static,
    {
        let name = name.to_owned();
        let cancel = self.cancel.clone();
        let health = self.health.clone();
        self.tasks.spawn(async move {
            let mut failures = 0u32;
            loop {
                health.component(&name, ComponentState::Running);
                let started = Instant::now();
                // Run in its own task so that a panic is caught as a failure.
                let outcome = tokio::spawn(make(cancel.child_token())).await;
                if cancel.is_cancelled() {
                    health.component(&name, ComponentState::Stopped);
                    return;
                }
                let error = match outcome {
                    Ok(Ok(())) => "stopped unexpectedly".to_owned(),
                    Ok(Err(e)) => format!("{e:#}"),
                    Err(join) if join.is_panic() => "panicked".to_owned(),
                    Err(join) => join.to_string(),
                };
                if started.elapsed() >= HEALTHY_RUN {
                    failures = 0;
                }
                failures += 1;
                let delay = jitter(backoff(failures));
                tracing::error!(component = %name, error = %error, retry_in_ms = delay.as_millis() as u64, "component failed; restarting");
                health.component(&name, ComponentState::Restarting { error });
                tokio::select! {
                    () = cancel.cancelled() => {
                        health.component(&name, ComponentState::Stopped);
                        return;
                    }
                    () = tokio::time::sleep(delay) => {}
                }
            }
        });
    }

    /// Cancels every component and waits up to `grace` for them to return.
    pub async fn shutdown(mut self, grace: Duration) {
        self.cancel.cancel();
        let all = async { while self.tasks.join_next().await.is_some() {} };
        if tokio::time::timeout(grace, all).await.is_err() {
            tracing::warn!("components did not stop in time; aborting them");
            self.tasks.abort_all();
            while self.tasks.join_next().await.is_some() {}
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU32, Ordering};

    use chrono::Utc;

    use super::*;

    #[test]
    fn backoff_doubles_and_is_capped() {
        assert_eq!(backoff(1), Duration::from_millis(200));
        assert_eq!(backoff(2), Duration::from_millis(400));
        assert_eq!(backoff(4), Duration::from_millis(1600));
        assert_eq!(backoff(20), BACKOFF_CAP);
        let j = jitter(Duration::from_secs(1));
        assert!(j >= Duration::from_secs(1) && j < Duration::from_millis(1250), "{j:?}");
    }

    #[tokio::test]
    async fn a_failing_component_is_restarted_and_shutdown_stops_it() {
        let health = Arc::new(Health::new("门", Utc::now()));
        let mut sup = Supervisor::new(health.clone());
        let runs = Arc::new(AtomicU32::new(0));
        let counter = runs.clone();
        sup.spawn("flaky", move |cancel| {
            let counter = counter.clone();
            async move {
                let n = counter.fetch_add(1, Ordering::SeqCst);
                if n < 2 {
                    if n == 1 {
                        panic!("second run panics");
                    }
                    anyhow::bail!("first run fails");
                }
                cancel.cancelled().await;
                Ok(())
            }
        });
        // Two failures: back-offs of about 200 and 400 ms.
        let deadline = Instant::now() + Duration::from_secs(5);
        while runs.load(Ordering::SeqCst) < 3 {
            assert!(Instant::now() < deadline, "the component was not restarted");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let snapshot = health.snapshot();
        assert_eq!(snapshot.components["flaky"].restarts, 2);
        assert_eq!(snapshot.components["flaky"].state, ComponentState::Running);

        sup.shutdown(Duration::from_secs(2)).await;
        assert_eq!(health.snapshot().components["flaky"].state, ComponentState::Stopped);
        assert_eq!(runs.load(Ordering::SeqCst), 3, "no restart after shutdown");
    }
}
