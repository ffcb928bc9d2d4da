//! `gateledger-gate run` as a real process: simulated camera traffic from the `gate-sim`
//! binary, the barrier on the gate-sim PLC, a PLC that is not there, the guard-house page in
//! Chromium, and `gateledger-gate status`.

use std::process::Command;
use std::time::{Duration, Instant};

use fantoccini::Locator;
use gate_sim::camera::{self, Sighting, Travel};
use gate_sim::plc::{self, PlcConfig};
use gateledger_e2e::browser::Browser;
use gateledger_e2e::process::bin_path;

use crate::support::{dead_address, lane_toml, register, start_agent, write_config};

fn sighting(plate: &str, event_no: u64) -> Sighting {
    Sighting {
        read: Some(plate.to_owned()),
        truth: Some(plate.to_owned()),
        confidence: 94,
        colour: "yellow",
        camera_lane: 1,
        travel: Travel::Forward,
        time: chrono::Utc::now().fixed_offset(),
        event_no,
    }
}

fn sim_plc() -> PlcConfig {
    PlcConfig {
        open_delay: Duration::from_millis(100),
        hold: Duration::from_millis(1_500),
        ..PlcConfig::default()
    }
}

#[tokio::test]
async fn simulated_traffic_is_recorded_and_registered_trucks_open_the_barrier() {
    // Arrange: a PLC, a gate agent process with the fleet registered.
    let dir = tempfile::tempdir().unwrap();
    let plc = plc::start("127.0.0.1:0".parse().unwrap(), sim_plc()).await.unwrap();
    let config = write_config(dir.path(), &lane_toml(Some(plc.addr())));
    let fleet: Vec<String> = camera::fleet(5, 40).into_iter().map(|(p, _)| p).collect();
    register(&config, &fleet);
    let agent = start_agent(&config);

    // Act: 40 pushes of mixed Hikvision and Dahua traffic from the gate-sim binary.
    let out = Command::new(bin_path("gate-sim"))
        .args(["camera", "--target", &agent.camera, "--rate", "40", "--count", "40", "--seed", "5"])
        .output()
        .unwrap();

    // Assert: every push was answered 200.
    assert!(out.status.success(), "gate-sim failed: {}", String::from_utf8_lossy(&out.stderr));
    let lines = String::from_utf8(out.stdout).unwrap();
    assert_eq!(lines.lines().count(), 40, "{lines}");
    for line in lines.lines() {
        assert!(line.ends_with("200 OK"), "{line}");
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    while plc.open_pulses() == 0 {
        assert!(Instant::now() < deadline, "the PLC saw no open pulse");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // The barrier went up for a registered truck (the PLC's status input confirmed it).
    let status = agent
        .wait_status(Duration::from_secs(10), "barrier confirmed", |v| {
            let state = &v["agent"]["barriers"]["in-1"]["state"]["state"];
            state == "open" || state == "closed"
        })
        .await;
    let store = &status["store"];
    let intake = &status["agent"]["intake"];
    assert!(store["events"].as_i64().unwrap() >= 20, "{status:#}");
    assert!(
        store["duplicates"].as_i64().unwrap() >= 1,
        "the generated repeats were recognised: {status:#}"
    );
    assert_eq!(store["registry"], 40);
    assert_eq!(intake["refused"], 0);
    assert!(intake["heartbeats"].as_u64().unwrap() >= 1);
    assert!(status["agent"]["cameras"]["DS-TCG405-E0120230101AAWRJ00001"].is_object());
    assert!(status["agent"]["cameras"]["6F0A1B2PAZ00001"].is_object());
    assert_eq!(status["agent"]["alarms"], serde_json::json!([]));
    let photos = walk_files(&dir.path().join("data/photos"));
    assert!(!photos.is_empty(), "photos were written next to the database");

    // `status` asks the running agent.
    let out = crate::support::gate_command(&config)
        .env("GATELEDGER_GATE__STATUS__BIND", agent.status_addr.to_string())
        .arg("status")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("agent: running"), "{text}");
    assert!(text.contains("barrier in-1:"), "{text}");
    assert!(text.contains("component camera: running"), "{text}");
    assert!(text.contains("alarms: none"), "{text}");

    // Once the agent is gone, `status` says so and reports the store instead.
    let mut agent = agent;
    agent.process.kill();
    let out = crate::support::gate_command(&config)
        .env("GATELEDGER_GATE__STATUS__BIND", agent.status_addr.to_string())
        .arg("status")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("agent: not running"), "{text}");
    assert!(text.contains(&format!("store: {} events", store["events"])), "{text}");
}

fn walk_files(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk_files(&path));
        } else {
            out.push(path);
        }
    }
    out
}

#[tokio::test]
async fn with_the_plc_down_the_fault_alarm_is_raised_while_intake_and_recording_go_on() {
    // Arrange: the lane's PLC address has nothing listening.
    let dir = tempfile::tempdir().unwrap();
    let plc_addr = dead_address();
    let config = write_config(dir.path(), &lane_toml(Some(plc_addr)));
    register(&config, &["冀B12345".to_owned()]);
    let agent = start_agent(&config);

    // Act: a registered truck arrives (Hikvision), then another vehicle (Dahua).
    let (ctype, body) =
        camera::hikvision_multipart("DS-TCG405-E0120230101AAWRJ00001", &sighting("冀B12345", 1), 1);
    let (status, answer) = agent.push("/camera/hikvision", &ctype, body).await;
    assert_eq!(status, 200, "{answer}");
    let answer: serde_json::Value = serde_json::from_str(&answer).unwrap();
    assert_eq!(answer["result"]["outcome"], "recorded");
    assert_eq!(answer["result"]["barrier_commanded"], true);

    // Assert: the fault alarm is raised…
    let status = agent
        .wait_status(Duration::from_secs(10), "fault alarm", |v| {
            v["agent"]["alarms"]
                .as_array()
                .is_some_and(|a| a.iter().any(|x| x["kind"] == "barrier_fault"))
        })
        .await;
    assert_eq!(status["agent"]["barriers"]["in-1"]["state"]["fault"], "plc_unreachable");
    let health: serde_json::Value =
        reqwest::get(format!("{}/healthz", agent.status)).await.unwrap().json().await.unwrap();
    assert_eq!(health["status"], "degraded");

    // …and intake and recording go on, answered at once.
    for n in 2..6u64 {
        let started = Instant::now();
        let body = camera::dahua_json("6F0A1B2PAZ00001", &sighting(&format!("晋A1234{n}"), n))
            .into_bytes();
        let (status, answer) =
            agent.push("/NotificationInfo/TollgateInfo", "application/json", body).await;
        assert_eq!(status, 200, "{answer}");
        assert!(started.elapsed() < Duration::from_secs(1), "intake waited for the PLC");
    }
    let status = agent.status_json().await;
    assert_eq!(status["store"]["events"], 5);
    assert!(
        status["store"]["alarms"].as_i64().unwrap() >= 1,
        "the alarm is in the store: {status:#}"
    );

    // The PLC comes up: the fault clears by itself.
    let plc = plc::start(plc_addr, sim_plc()).await.unwrap();
    agent
        .wait_status(Duration::from_secs(10), "alarm cleared", |v| {
            v["agent"]["alarms"] == serde_json::json!([])
        })
        .await;
    drop(plc);
}

#[tokio::test]
async fn the_guard_house_page_shows_each_decision_live() {
    // Arrange
    let dir = tempfile::tempdir().unwrap();
    let plc = plc::start("127.0.0.1:0".parse().unwrap(), sim_plc()).await.unwrap();
    let config = write_config(dir.path(), &lane_toml(Some(plc.addr())));
    register(&config, &["冀B12345".to_owned()]);
    let agent = start_agent(&config);
    let browser = Browser::start().await;
    browser.client.goto(&format!("{}/", agent.status)).await.expect("goto");
    wait_text(&browser, "#conn", "已连接").await;
    // Every configured lane has its card from the start, under the name the guard knows.
    wait_text(&browser, "#lane-in-1 h2", "1号入口（in-1）").await;

    // Act: a province misread of the registered truck, then an unregistered truck.
    let (ctype, body) =
        camera::hikvision_multipart("DS-TCG405-E0120230101AAWRJ00001", &sighting("鲁B12345", 1), 1);
    assert_eq!(agent.push("/camera/hikvision", &ctype, body).await.0, 200);

    // Assert: the lane card shows the corrected plate, the verdict and the barrier going up.
    wait_text(&browser, "#lane-in-1 .plate", "冀B12345").await;
    wait_text(&browser, "#lane-in-1 .status", "允许通行").await;
    wait_text(&browser, "#lane-in-1 .barrier", "道闸：已抬杆").await;
    let reason = browser
        .client
        .find(Locator::Css("#lane-in-1 .reason"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(reason.contains("识别结果已纠正"), "{reason}");
    browser.screenshot("gate-status-admitted").await;

    let body = camera::dahua_json("6F0A1B2PAZ00001", &sighting("京A00001", 2)).into_bytes();
    assert_eq!(agent.push("/NotificationInfo/TollgateInfo", "application/json", body).await.0, 200);
    wait_text(&browser, "#lane-in-1 .plate", "京A00001").await;
    wait_text(&browser, "#lane-in-1 .status", "禁止通行").await;
    wait_text(&browser, "#lane-in-1 .reason", "未登记车辆").await;
    let lang =
        browser.client.execute("return document.documentElement.lang", vec![]).await.unwrap();
    assert_eq!(lang, serde_json::json!("zh-CN"));
    browser.screenshot("gate-status-refused").await;
    browser.close().await;
}

async fn wait_text(browser: &Browser, css: &str, want: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut last = String::new();
    while Instant::now() < deadline {
        if let Ok(el) = browser.client.find(Locator::Css(css)).await {
            last = el.text().await.unwrap_or_default();
            if last == want {
                return;
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{css} shows {last:?}, not {want:?}");
}

#[test]
fn sigterm_stops_the_agent_cleanly() {
    use std::io::{BufRead as _, BufReader};
    use std::process::Stdio;

    // Arrange: an agent with a barrier lane, so every kind of component is running.
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), &lane_toml(Some(dead_address())));
    let mut child = crate::support::gate_command(&config)
        .arg("run")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let ready = lines.by_ref().map_while(Result::ok).any(|l| l.contains("status on http://"));
    assert!(ready, "the agent did not start");

    // Act
    let status = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(status.success());

    // Assert: it exits by itself, successfully, within the shutdown grace.
    let deadline = Instant::now() + Duration::from_secs(8);
    let exit = loop {
        if let Some(exit) = child.try_wait().unwrap() {
            break exit;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("the agent did not stop on SIGTERM");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(exit.success(), "{exit:?}");
}
