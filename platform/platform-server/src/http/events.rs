//! Live updates for the pages: an in-process hub that the parts of the platform publish to
//! (an alert issued now; passages and gate health when the gate link lands), and the
//! server-sent-event stream a page subscribes to.
//!
//! A page never receives data it could not read: a stream belongs to one enterprise, is
//! opened only after the same access check as the page, and forwards only events scoped to
//! that enterprise or to a region containing it. Events carry little: the name of the panel
//! that changed; the page then fetches the panel's fragment, rendered by the server with the
//! caller's rights, so no second renderer lives in JavaScript.
//!
//! The hub is in-process. With several replicas on PostgreSQL, the gate link's cross-process
//! notification (LISTEN/NOTIFY) feeds each replica's hub.

use std::convert::Infallible;
use std::time::Duration;

use axum::response::sse::{Event, KeepAlive, Sse};
use futures::Stream;
use tokio::sync::broadcast;
use uuid::Uuid;

/// Who an event concerns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// One enterprise.
    Tenant(Uuid),
    /// Every enterprise whose region code starts with this prefix (GB/T 2260).
    Region(String),
}

impl Scope {
    /// Whether an event of this scope concerns the enterprise `tenant` in `region_code`.
    pub fn concerns(&self, tenant: Uuid, region_code: &str) -> bool {
        match self {
            Self::Tenant(t) => *t == tenant,
            Self::Region(prefix) => region_code.starts_with(prefix.as_str()),
        }
    }
}

/// A change a page may want to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageEvent {
    /// Who it concerns.
    pub scope: Scope,
    /// The panel that changed, e.g. `measure` (the current control measure); the page
    /// reloads the panel's fragment.
    pub panel: &'static str,
}

/// The publish side, shared by everything that changes what pages show.
#[derive(Debug, Clone)]
pub struct EventHub {
    tx: broadcast::Sender<PageEvent>,
}

impl Default for EventHub {
    fn default() -> Self {
        // A subscriber that falls this far behind misses events and reloads its panels.
        Self { tx: broadcast::channel(1024).0 }
    }
}

impl EventHub {
    /// Publishes an event to every open page it concerns; nobody listening is fine.
    pub fn publish(&self, event: PageEvent) {
        let _ = self.tx.send(event);
    }

    /// The stream of one enterprise's page: events for the enterprise, or for a region
    /// containing its region code.
    pub fn stream(
        &self,
        tenant: Uuid,
        region_code: String,
    ) -> Sse<impl Stream<Item = Result<Event, Infallible>> + use<>> {
        let mut rx = self.tx.subscribe();
        let stream = async_stream(move |yield_tx| async move {
            // The first event tells the page the stream is open (tests and the page's
            // status dot rely on it).
            if yield_tx.send(Event::default().event("ready").data("ok")).await.is_err() {
                return;
            }
            loop {
                let event = match rx.recv().await {
                    Ok(e) => e,
                    Err(broadcast::error::RecvError::Lagged(_)) => {
                        PageEvent { scope: Scope::Tenant(tenant), panel: "all" }
                    }
                    Err(broadcast::error::RecvError::Closed) => return,
                };
                if event.scope.concerns(tenant, &region_code)
                    && yield_tx
                        .send(Event::default().event("panel").data(event.panel))
                        .await
                        .is_err()
                {
                    return;
                }
            }
        });
        Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(20)))
    }
}

/// A stream fed by an async task through a small channel (no extra crate needed).
fn async_stream<F, Fut>(f: F) -> impl Stream<Item = Result<Event, Infallible>>
where
    F: FnOnce(tokio::sync::mpsc::Sender<Event>) -> Fut,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let (tx, rx) = tokio::sync::mpsc::channel(16);
    let task = tokio::spawn(f(tx));
    let guard = AbortOnDrop(task);
    futures::stream::unfold((rx, guard), |(mut rx, guard)| async move {
        rx.recv().await.map(|e| (Ok(e), (rx, guard)))
    })
}

/// Ends the feeding task when the client goes away and the stream is dropped.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_reach_their_enterprise_and_the_enterprises_inside_their_region_only() {
        let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
        assert!(Scope::Tenant(a).concerns(a, "140105"));
        assert!(!Scope::Tenant(a).concerns(b, "140105"));
        assert!(Scope::Region("1401".into()).concerns(b, "140105"));
        assert!(!Scope::Region("1401".into()).concerns(b, "130102"));
    }

    #[tokio::test]
    async fn a_stream_forwards_what_concerns_it() {
        use futures::StreamExt;
        let hub = EventHub::default();
        let tenant = Uuid::now_v7();
        let (tx, mut rx) = tokio::sync::mpsc::channel(4);
        let mut rx_hub = hub.tx.subscribe();
        let feed = async_stream(move |out| async move {
            while let Ok(e) = rx_hub.recv().await {
                if e.scope.concerns(tenant, "140105") {
                    let _ = out.send(Event::default().data(e.panel)).await;
                }
            }
        });
        tokio::spawn(async move {
            let mut feed = std::pin::pin!(feed);
            while let Some(e) = feed.next().await {
                let _ = tx.send(format!("{:?}", e.unwrap())).await;
            }
        });
        tokio::time::sleep(Duration::from_millis(20)).await;
        hub.publish(PageEvent { scope: Scope::Region("13".into()), panel: "other_region" });
        hub.publish(PageEvent { scope: Scope::Region("14".into()), panel: "measure" });
        let got = tokio::time::timeout(Duration::from_secs(2), rx.recv()).await.unwrap().unwrap();
        assert!(got.contains("measure") && !got.contains("other_region"), "{got}");
    }
}
