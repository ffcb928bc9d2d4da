//! Headless Chromium driven over WebDriver (fantoccini + Debian's chromium-driver).
//!
//! chromedriver runs in its own process group; dropping [`Browser`] kills the whole group,
//! so a failing test never leaves Chromium behind. The profile directory is dropped last.

use std::io::{BufRead, BufReader};
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder};
use hyper_util::client::legacy::connect::HttpConnector;

/// Variable naming the chromedriver binary.
pub const DRIVER_VAR: &str = "GATELEDGER_TEST_CHROMEDRIVER";
/// Variable naming the Chromium binary.
pub const CHROMIUM_VAR: &str = "GATELEDGER_TEST_CHROMIUM";

/// A WebDriver session on a fresh headless Chromium. Field order is drop order.
#[derive(Debug)]
pub struct Browser {
    /// The WebDriver client.
    pub client: Client,
    driver: Driver,
    _profile: tempfile::TempDir,
}

#[derive(Debug)]
struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        // chromedriver leads its own process group: kill it and every Chromium it started.
        let _ = Command::new("kill").args(["-KILL", "--", &format!("-{}", self.0.id())]).status();
        let _ = self.0.wait();
    }
}

impl Browser {
    /// Starts chromedriver and a headless Chromium with a new empty profile.
    pub async fn start() -> Self {
        let driver_bin = crate::require_env(DRIVER_VAR);
        let chromium = crate::require_env(CHROMIUM_VAR);
        let profile = tempfile::tempdir().expect("profile dir");
        let mut child = Command::new(&driver_bin)
            .arg("--port=0")
            .process_group(0)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {driver_bin}: {e}"));
        let stdout = child.stdout.take().expect("piped stdout");
        let driver = Driver(child);
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut lines = BufReader::new(stdout).lines();
            for line in lines.by_ref() {
                let Ok(line) = line else { break };
                if let Some(rest) = line.split("started successfully on port ").nth(1) {
                    let port: String = rest.chars().take_while(char::is_ascii_digit).collect();
                    let _ = tx.send(port);
                    break;
                }
            }
            for _ in lines {}
        });
        let port = rx
            .recv_timeout(Duration::from_secs(20))
            .expect("chromedriver did not report its port within 20 s");
        let args = vec![
            "--headless=new".to_owned(),
            "--no-sandbox".to_owned(),
            "--disable-gpu".to_owned(),
            "--disable-quic".to_owned(),
            "--disable-dev-shm-usage".to_owned(),
            "--no-first-run".to_owned(),
            "--disable-background-networking".to_owned(),
            "--disable-component-update".to_owned(),
            "--disable-sync".to_owned(),
            "--window-size=1280,900".to_owned(),
            "--lang=zh-CN".to_owned(),
            format!("--user-data-dir={}", profile.path().display()),
        ];
        let caps = serde_json::json!({
            "browserName": "chrome",
            // A Chinese browser: `--lang` alone does not set Accept-Language in headless mode.
            "goog:chromeOptions": {
                "binary": chromium,
                "args": args,
                "prefs": { "intl.accept_languages": "zh-CN,zh" },
            },
        });
        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(caps.as_object().expect("object").clone())
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .expect("cannot open a WebDriver session");
        Self { client, driver, _profile: profile }
    }

    /// Saves a PNG screenshot of the current page under the artefacts directory.
    pub async fn screenshot(&self, name: &str) -> std::path::PathBuf {
        let png = self.client.screenshot().await.expect("screenshot");
        let path = crate::artifacts_dir().join(format!("{name}.png"));
        std::fs::write(&path, png).expect("write screenshot");
        path
    }

    /// Ends the session; chromedriver and Chromium are killed on drop.
    pub async fn close(self) {
        let Self { client, driver, _profile } = self;
        let _ = client.close().await;
        drop(driver);
    }
}
