//! What the gate shows the driver and the guard: plate, emission stage, control status, and
//! whether the truck may pass, with the reason in Chinese.
//!
//! A [`DisplayMessage`] is built from a decision ([`crate::gate::Decision`]) and goes to two
//! outputs: the guard-house status page (through [`crate::health::Health`], pushed over
//! server-sent events) and, where a lane has one, an LED screen controller over TCP
//! ([`run_led`]), rendered from the lane's template.
//!
//! Template placeholders: `{plate}`, `{stage}` (emission stage label, e.g. 国六),
//! `{status}` (允许通行 / 禁止通行 / 请等待人工确认), `{control}` (管控状态), `{reason}`,
//! `{time}` (Asia/Shanghai, HH:MM:SS), `{lane}`. Unknown placeholders are left as written so
//! a typo shows on the screen during commissioning instead of vanishing.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, FixedOffset, Utc};
use serde::Serialize;
use tokio::io::AsyncWriteExt as _;
use tokio_util::sync::CancellationToken;

use crate::config::LedSettings;
use crate::health::{Health, StatusEvent};

/// Whether the vehicle may pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// The barrier opens.
    Admitted,
    /// The barrier stays down.
    Refused,
    /// The barrier stays down until a guard decides.
    Review,
}

impl Verdict {
    /// What the screen says.
    pub const fn label_zh(self) -> &'static str {
        match self {
            Self::Admitted => "允许通行",
            Self::Refused => "禁止通行",
            Self::Review => "请等待人工确认",
        }
    }
}

/// One screenful for one lane.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DisplayMessage {
    /// The lane.
    pub lane: String,
    /// The plate as shown (the registered plate when matched, else the reading, else 无牌车).
    pub plate: String,
    /// The emission stage label (国六), empty when unknown.
    pub stage: String,
    /// The control status (管控状态).
    pub control: String,
    /// Whether the vehicle may pass.
    pub verdict: Verdict,
    /// The verdict's text.
    pub status: String,
    /// The reason, in Chinese.
    pub reason: String,
    /// When.
    pub at: DateTime<Utc>,
}

impl DisplayMessage {
    /// Builds a message; `status` follows from `verdict`.
    pub fn new(
        lane: &str,
        plate: &str,
        stage: &str,
        control: &str,
        verdict: Verdict,
        reason: &str,
        at: DateTime<Utc>,
    ) -> Self {
        Self {
            lane: lane.to_owned(),
            plate: plate.to_owned(),
            stage: stage.to_owned(),
            control: control.to_owned(),
            verdict,
            status: verdict.label_zh().to_owned(),
            reason: reason.to_owned(),
            at,
        }
    }

    /// Renders `template` with this message's values.
    pub fn render(&self, template: &str) -> String {
        let china = FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset");
        let time = self.at.with_timezone(&china).format("%H:%M:%S").to_string();
        let mut out = String::with_capacity(template.len() + 32);
        let mut rest = template;
        while let Some(start) = rest.find('{') {
            out.push_str(&rest[..start]);
            let after = &rest[start..];
            let Some(end) = after.find('}') else {
                out.push_str(after);
                rest = "";
                break;
            };
            let value = match &after[1..end] {
                "plate" => Some(self.plate.as_str()),
                "stage" => Some(self.stage.as_str()),
                "status" => Some(self.status.as_str()),
                "control" => Some(self.control.as_str()),
                "reason" => Some(self.reason.as_str()),
                "time" => Some(time.as_str()),
                "lane" => Some(self.lane.as_str()),
                _ => None,
            };
            match value {
                Some(v) => out.push_str(v),
                None => out.push_str(&after[..=end]),
            }
            rest = &after[end + 1..];
        }
        out.push_str(rest);
        out
    }
}

/// Sends every message for `lane` to its LED controller: one TCP connection per message, the
/// rendered text followed by `\r\n`. A controller that does not answer costs that message
/// only (logged); the next message tries again.
pub async fn run_led(
    lane: String,
    led: LedSettings,
    health: Arc<Health>,
    cancel: CancellationToken,
) -> anyhow::Result<()> {
    let mut events = health.subscribe();
    loop {
        let event = tokio::select! {
            () = cancel.cancelled() => return Ok(()),
            event = events.recv() => event,
        };
        let message = match event {
            Ok(StatusEvent::Display(m)) if m.lane == lane => m,
            Ok(_) => continue,
            Err(tokio::sync::broadcast::error::RecvError::Lagged(n)) => {
                tracing::warn!(lane.id = %lane, missed = n, "the LED sender fell behind");
                continue;
            }
            Err(tokio::sync::broadcast::error::RecvError::Closed) => return Ok(()),
        };
        let text = message.render(&led.template);
        if let Err(e) = send_led(led.addr, &text).await {
            tracing::warn!(lane.id = %lane, led.addr = %led.addr, error = %e, "cannot update the LED screen");
        }
    }
}

async fn send_led(addr: std::net::SocketAddr, text: &str) -> std::io::Result<()> {
    let limit = Duration::from_secs(2);
    let mut stream = tokio::time::timeout(limit, tokio::net::TcpStream::connect(addr))
        .await
        .map_err(|_| std::io::Error::new(std::io::ErrorKind::TimedOut, "connect timed out"))??;
    let mut payload = text.replace('\n', "\r\n");
    payload.push_str("\r\n");
    tokio::time::timeout(limit, stream.write_all(payload.as_bytes()))
        .await
        .map_err(|_| std::io::Error::new(std::io::ErrorKind::TimedOut, "write timed out"))??;
    stream.shutdown().await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message() -> DisplayMessage {
        let at = DateTime::parse_from_rfc3339("2026-03-01T02:04:05Z").unwrap().with_timezone(&Utc);
        DisplayMessage::new(
            "in-1",
            "冀B12345",
            "国六",
            "橙色预警",
            Verdict::Refused,
            "国五及以下禁止进厂",
            at,
        )
    }

    #[test]
    fn template_placeholders_are_filled() {
        let text = message().render("{plate} {stage}\n{status}\n{reason}\n{time} {control} {lane}");
        assert_eq!(text, "冀B12345 国六\n禁止通行\n国五及以下禁止进厂\n10:04:05 橙色预警 in-1");
    }

    #[test]
    fn unknown_placeholders_and_braces_stay_visible() {
        assert_eq!(message().render("{plat} {plate} {"), "{plat} 冀B12345 {");
    }

    #[tokio::test]
    async fn led_controller_receives_the_rendered_text() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let health = Arc::new(Health::new("门", Utc::now()));
        let cancel = CancellationToken::new();
        let led = LedSettings { addr, template: "{plate}\n{status}".to_owned() };
        let task = tokio::spawn(run_led("in-1".to_owned(), led, health.clone(), cancel.clone()));
        // Let the sender subscribe before the message goes out.
        tokio::time::sleep(Duration::from_millis(50)).await;

        let mut other_lane = message();
        other_lane.lane = "out-1".to_owned();
        health.display(other_lane);
        health.display(message());

        let (mut conn, _) =
            tokio::time::timeout(Duration::from_secs(5), listener.accept()).await.unwrap().unwrap();
        let mut received = String::new();
        tokio::io::AsyncReadExt::read_to_string(&mut conn, &mut received).await.unwrap();
        assert_eq!(received, "冀B12345\r\n禁止通行\r\n");
        cancel.cancel();
        task.await.unwrap().unwrap();
    }
}
