//! Camera intake end to end inside the library: real-shaped vendor samples through the HTTP
//! router into the SQLite store and photo files on disk.

use std::time::Duration;

use axum::http::StatusCode;
use gate_agent::barrier::BarrierCommand;
use gate_agent::store::Store;
use gate_sim::camera::{PLATE_JPEG, SCENE_JPEG, Traffic, TrafficConfig};
use sha2::{Digest as _, Sha256};

use crate::support::{DAHUA_DEVICE, HIK_BOUNDARY, HIK_DEVICE, TestGate, fixture};

/// The id of the event the answer reports.
fn event_id(answer: &serde_json::Value) -> uuid::Uuid {
    let id =
        answer["result"]["event_id"].as_str().unwrap_or_else(|| panic!("no event id in {answer}"));
    id.parse().unwrap()
}

#[tokio::test]
async fn hikvision_multipart_sample_is_recorded_with_every_reading_and_both_photos() {
    // Arrange: the truck is registered.
    let t = TestGate::new(&["冀B12345"]).await;

    // Act
    let (status, answer) =
        t.post("/camera/hikvision", HIK_BOUNDARY, fixture("hikvision_anpr.multipart")).await;

    // Assert: recorded, matched exactly, barrier commanded.
    assert_eq!(status, StatusCode::OK, "{answer}");
    let result = &answer["result"];
    assert_eq!(result["outcome"], "recorded");
    assert_eq!(result["lane"], "in-1");
    assert_eq!(result["plate_match"]["kind"], "exact");
    assert_eq!(result["decision"]["verdict"], "admitted");
    assert_eq!(result["barrier_commanded"], true);
    let id = event_id(&answer);

    // The store was durable before the answer: a fresh connection sees everything.
    let fresh = Store::open(t.dir.path()).await.unwrap();
    let readings = fresh.readings_of(id).await.unwrap().expect("event row");
    let readings = readings.as_array().unwrap();
    assert_eq!(readings.len(), 2, "licensePlate and originalLicensePlate are both kept");
    assert_eq!(readings[0]["plate"], "冀B12345");
    assert_eq!(readings[0]["raw"], "冀B·12345");
    assert_eq!(readings[0]["confidence"], 92);
    assert_eq!(readings[0]["colour"], "yellow");
    assert_eq!(readings[0]["char_confidences"], serde_json::json!([81, 97, 96, 95, 97, 96, 94]));
    assert_eq!(readings[1]["plate"], "冀812345");
    assert_eq!(readings[1]["confidence"], serde_json::Value::Null);

    let photos = fresh.photos_of(id).await.unwrap();
    assert_eq!(photos.len(), 2);
    assert_eq!((photos[0].kind.as_str(), photos[1].kind.as_str()), ("plate", "scene"));
    for (photo, original) in photos.iter().zip([PLATE_JPEG, SCENE_JPEG]) {
        let on_disk = std::fs::read(t.dir.path().join(&photo.path)).unwrap();
        assert_eq!(on_disk, original, "the file holds the pushed bytes");
        assert_eq!(photo.sha256, hex::encode(Sha256::digest(original)));
        assert_eq!(photo.size as usize, original.len());
    }
    assert_eq!(t.barrier_commands().await, vec![BarrierCommand::Open { cause: id.to_string() }]);
}

#[tokio::test]
async fn hikvision_heartbeat_is_not_an_event() {
    let t = TestGate::new(&[]).await;
    let (status, answer) =
        t.post("/camera/hikvision", "application/xml", fixture("hikvision_heartbeat.xml")).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["result"]["outcome"], "heartbeat");
    assert_eq!(t.counts().await.events, 0);
    let snapshot = t.gate.health().snapshot();
    assert_eq!(snapshot.cameras[HIK_DEVICE].source, "hikvision");
    assert_eq!(snapshot.cameras[HIK_DEVICE].last_event, None);
}

#[tokio::test]
async fn dahua_tollgate_sample_is_recorded_and_answered_the_dahua_way() {
    let t = TestGate::new(&["晋A12345D"]).await;
    let (status, answer) = t
        .post(
            "/NotificationInfo/TollgateInfo",
            "application/json;charset=UTF-8",
            fixture("dahua_tollgate.json"),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(answer, serde_json::json!({"Message": "Success", "Result": true}));

    let events = t.gate.store().recent_events(5).await.unwrap();
    assert_eq!(events.len(), 1);
    let e = &events[0];
    assert_eq!((e.source.as_str(), e.device_id.as_str()), ("dahua", DAHUA_DEVICE));
    assert_eq!(e.plate.as_deref(), Some("晋A12345D"));
    assert_eq!(e.confidence, Some(88));
    assert_eq!(e.lane.as_deref(), Some("in-1"));
    assert_eq!(e.photos, 2);
    let photos = t.gate.store().photos_of(e.id.parse().unwrap()).await.unwrap();
    let kinds: Vec<&str> = photos.iter().map(|p| p.kind.as_str()).collect();
    assert_eq!(kinds, ["plate", "scene"]);
    assert_eq!(photos[0].sha256, hex::encode(Sha256::digest(PLATE_JPEG)));

    let (status, answer) = t
        .post("/NotificationInfo/KeepAlive", "application/json", fixture("dahua_keepalive.json"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(answer, serde_json::json!({"Message": "Success", "Result": true}));
    assert_eq!(t.counts().await.events, 1, "a keep-alive is not an event");
}

#[tokio::test]
async fn own_json_sample_keeps_every_candidate_and_resolves_direction() {
    let t = TestGate::new(&["鲁Q8B801挂"]).await;
    let (status, answer) =
        t.post("/camera/events", "application/json", fixture("gateledger_event.json")).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["result"]["lane"], "in-2");
    assert_eq!(answer["result"]["plate_match"]["kind"], "exact");
    let id = event_id(&answer);
    let readings = t.gate.store().readings_of(id).await.unwrap().unwrap();
    let plates: Vec<&str> =
        readings.as_array().unwrap().iter().map(|r| r["plate"].as_str().unwrap()).collect();
    assert_eq!(plates, ["鲁Q8B801挂", "鲁Q88801挂"]);
    // in-2 is an entry lane and the truck drove "reverse": it is leaving.
    let row = t.gate.store().recent_events(1).await.unwrap();
    assert_eq!(row[0].lane.as_deref(), Some("in-2"));
    assert!(t.barrier_commands().await.is_empty(), "in-2 has no barrier");
}

/// A push that must be refused with `status`, naming `field`, leaving the store untouched.
async fn assert_refused(
    t: &TestGate,
    path: &str,
    ctype: &str,
    body: Vec<u8>,
    status: StatusCode,
    field: &str,
) {
    let before = t.counts().await;
    let files = t.photo_files();
    let (got, answer) = t.post(path, ctype, body).await;
    assert_eq!(got, status, "{answer}");
    let message = answer["message"].as_str().unwrap_or_else(|| panic!("no message in {answer}"));
    assert!(
        answer["field"].as_str().unwrap().contains(field),
        "field {field:?} not named: {answer}"
    );
    assert!(
        message.chars().next().is_some_and(|c| !c.is_ascii()) || message.contains('：'),
        "{message}"
    );
    assert!(
        answer["message_zh"]
            .as_str()
            .is_some_and(|m| m.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))),
        "Chinese reason: {answer}"
    );
    assert_eq!(t.counts().await, before, "the store changed");
    assert_eq!(t.photo_files(), files, "photo files changed");
}

#[tokio::test]
async fn malformed_pushes_get_a_4xx_and_leave_the_store_as_it_was() {
    let t = TestGate::with(&["冀B12345"], |s| s.camera.max_photo_bytes = 3_500).await;
    // One good event with a photo first, so "as it was" is not just "empty".
    let mut good: serde_json::Value =
        serde_json::from_slice(&fixture("gateledger_event.json")).unwrap();
    good["photos"][0]["content"] =
        base64::Engine::encode(&base64::engine::general_purpose::STANDARD, PLATE_JPEG).into();
    let (status, answer) = t.post("/camera/events", "application/json", good.to_string()).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(t.photo_files().len(), 1);

    let multipart = fixture("hikvision_anpr.multipart");

    // Bad XML: the anpr.xml part cut in the middle of an element.
    let text = String::from_utf8_lossy(&fixture("hikvision_anpr.xml")).into_owned();
    let broken = text.replace("</licensePlate>", "</licensePlat");
    let (ctype, body) = gate_sim::camera::multipart(&[
        ("anpr.xml", "text/xml", broken.as_bytes()),
        ("licensePlatePicture.jpg", "image/jpeg", PLATE_JPEG),
    ]);
    assert_refused(&t, "/camera/hikvision", &ctype, body, StatusCode::BAD_REQUEST, "anpr.xml")
        .await;

    // Not even XML.
    assert_refused(
        &t,
        "/camera/hikvision",
        "application/xml",
        b"{\"not\":\"xml\"}".to_vec(),
        StatusCode::BAD_REQUEST,
        "anpr.xml",
    )
    .await;

    // Truncated multipart: the upload broke off inside the second picture.
    let cut = multipart[..multipart.len() - 1500].to_vec();
    assert_refused(
        &t,
        "/camera/hikvision",
        HIK_BOUNDARY,
        cut,
        StatusCode::BAD_REQUEST,
        "multipart",
    )
    .await;

    // Oversized picture: the scene JPEG (3.6 kB) is above the 3.5 kB limit.
    assert_refused(
        &t,
        "/camera/hikvision",
        HIK_BOUNDARY,
        multipart.clone(),
        StatusCode::PAYLOAD_TOO_LARGE,
        "detectionPicture.jpg",
    )
    .await;

    // The same limit on Dahua's base64 pictures.
    assert_refused(
        &t,
        "/NotificationInfo/TollgateInfo",
        "application/json",
        fixture("dahua_tollgate.json"),
        StatusCode::PAYLOAD_TOO_LARGE,
        "Picture.NormalPic.Content",
    )
    .await;

    // Wrong content types.
    assert_refused(
        &t,
        "/camera/hikvision",
        "application/json",
        fixture("gateledger_event.json"),
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "Content-Type",
    )
    .await;
    assert_refused(
        &t,
        "/camera/events",
        "text/html",
        fixture("gateledger_event.json"),
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "Content-Type",
    )
    .await;
    assert_refused(
        &t,
        "/NotificationInfo/TollgateInfo",
        "application/xml",
        fixture("dahua_tollgate.json"),
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "Content-Type",
    )
    .await;

    // A multipart without the XML part.
    let (ctype, body) =
        gate_sim::camera::multipart(&[("licensePlatePicture.jpg", "image/jpeg", PLATE_JPEG)]);
    assert_refused(&t, "/camera/hikvision", &ctype, body, StatusCode::BAD_REQUEST, "anpr.xml")
        .await;

    // A picture part that is not a JPEG.
    let (ctype, body) = gate_sim::camera::multipart(&[
        ("anpr.xml", "text/xml", text.as_bytes()),
        ("detectionPicture.jpg", "image/jpeg", b"GIF89a...."),
    ]);
    assert_refused(
        &t,
        "/camera/hikvision",
        &ctype,
        body,
        StatusCode::BAD_REQUEST,
        "detectionPicture.jpg",
    )
    .await;

    // Field-level errors name the field.
    let dahua: serde_json::Value = serde_json::from_slice(&fixture("dahua_tollgate.json")).unwrap();
    let mut no_device = dahua.clone();
    no_device["Picture"]["SnapInfo"].as_object_mut().unwrap().remove("DeviceID");
    assert_refused(
        &t,
        "/NotificationInfo/TollgateInfo",
        "application/json",
        no_device.to_string().into_bytes(),
        StatusCode::BAD_REQUEST,
        "Picture.SnapInfo.DeviceID",
    )
    .await;
    let mut bad_time = dahua.clone();
    bad_time["Picture"]["SnapInfo"]["AccurateTime"] = "14/03/2026 09:31".into();
    assert_refused(
        &t,
        "/NotificationInfo/TollgateInfo",
        "application/json",
        bad_time.to_string().into_bytes(),
        StatusCode::BAD_REQUEST,
        "AccurateTime",
    )
    .await;
    let mut bad_b64 = dahua;
    bad_b64["Picture"]["CutoutPic"]["Content"] = "@@not base64@@".into();
    assert_refused(
        &t,
        "/NotificationInfo/TollgateInfo",
        "application/json",
        bad_b64.to_string().into_bytes(),
        StatusCode::BAD_REQUEST,
        "Picture.CutoutPic.Content",
    )
    .await;
    let own: serde_json::Value = serde_json::from_slice(&fixture("gateledger_event.json")).unwrap();
    let mut bad_confidence = own;
    bad_confidence["readings"][1]["confidence"] = 140.into();
    assert_refused(
        &t,
        "/camera/events",
        "application/json",
        bad_confidence.to_string().into_bytes(),
        StatusCode::BAD_REQUEST,
        "readings[1].confidence",
    )
    .await;
    assert_refused(
        &t,
        "/camera/events",
        "application/json",
        b"{\"device_id\": \"x\", \"readings\": [".to_vec(),
        StatusCode::BAD_REQUEST,
        "body",
    )
    .await;

    assert!(t.gate.health().snapshot().intake.refused >= 15);
}

#[tokio::test]
async fn oversized_body_is_refused_before_it_is_read_whole() {
    let t = TestGate::with(&[], |s| s.camera.max_body_bytes = 4_000).await;
    let (status, answer) =
        t.post("/camera/hikvision", HIK_BOUNDARY, fixture("hikvision_anpr.multipart")).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{answer}");
    assert_eq!(answer["error"], "body_too_large");
    assert_eq!(t.counts().await.events, 0);
}

#[tokio::test]
async fn a_reupload_of_the_same_camera_event_is_recorded_once() {
    let t = TestGate::new(&["冀B12345"]).await;
    let first =
        t.post("/camera/hikvision", HIK_BOUNDARY, fixture("hikvision_anpr.multipart")).await;
    assert_eq!(first.0, StatusCode::OK);
    // The camera uploads the same alarm again (same UUID, activePostCount 2), as it does when
    // it did not see an answer.
    let text = String::from_utf8(fixture("hikvision_anpr.xml"))
        .unwrap()
        .replace("<activePostCount>1</activePostCount>", "<activePostCount>2</activePostCount>");
    let (ctype, body) = gate_sim::camera::multipart(&[
        ("anpr.xml", "text/xml", text.as_bytes()),
        ("licensePlatePicture.jpg", "image/jpeg", PLATE_JPEG),
    ]);
    let (status, answer) = t.post("/camera/hikvision", &ctype, body).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(answer["result"]["outcome"], "duplicate");
    assert_eq!(answer["result"]["reason"], "vendor_key");
    assert_eq!(answer["result"]["of"], first.1["result"]["event_id"]);
    let counts = t.counts().await;
    assert_eq!((counts.events, counts.duplicates, counts.photos), (1, 1, 2));
    assert_eq!(t.barrier_commands().await.len(), 1, "the barrier opened once");

    // Dahua: the same GroupID again.
    let (status, _) = t
        .post("/NotificationInfo/TollgateInfo", "application/json", fixture("dahua_tollgate.json"))
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = t
        .post("/NotificationInfo/TollgateInfo", "application/json", fixture("dahua_tollgate.json"))
        .await;
    assert_eq!(status, StatusCode::OK);
    let counts = t.counts().await;
    assert_eq!((counts.events, counts.duplicates), (2, 2));
}

#[tokio::test]
async fn the_same_plate_on_the_same_lane_within_the_window_is_a_duplicate() {
    let t = TestGate::with(&[], |s| s.camera.dedup_window_secs = 2).await;
    let xml = String::from_utf8(fixture("hikvision_anpr.xml")).unwrap();
    let push = |uuid: &str| {
        let text = xml.replace("a2f40c1e-0a6b-4d2c-9f3a-3104b6e2d001", uuid);
        gate_sim::camera::multipart(&[("anpr.xml", "text/xml", text.as_bytes())])
    };
    let (ctype, body) = push("00000000-0000-4000-a000-000000000001");
    assert_eq!(t.post("/camera/hikvision", &ctype, body).await.1["result"]["outcome"], "recorded");
    // A new camera event (new UUID) for the truck still standing at the barrier.
    let (ctype, body) = push("00000000-0000-4000-a000-000000000002");
    let (_, answer) = t.post("/camera/hikvision", &ctype, body).await;
    assert_eq!(answer["result"]["outcome"], "duplicate");
    assert_eq!(answer["result"]["reason"], "plate_window");
    // The same plate on another lane is another vehicle movement.
    let own = String::from_utf8(fixture("gateledger_event.json"))
        .unwrap()
        .replace("鲁Q8B801挂", "冀B12345");
    assert_eq!(
        t.post("/camera/events", "application/json", own).await.1["result"]["outcome"],
        "recorded"
    );
    // After the window the truck is back: a new event.
    tokio::time::sleep(Duration::from_millis(2_100)).await;
    let (ctype, body) = push("00000000-0000-4000-a000-000000000003");
    assert_eq!(t.post("/camera/hikvision", &ctype, body).await.1["result"]["outcome"], "recorded");
    let counts = t.counts().await;
    assert_eq!((counts.events, counts.duplicates), (3, 1));
}

#[tokio::test]
async fn identical_pushes_arriving_together_are_recorded_once() {
    let t = TestGate::new(&["冀B12345"]).await;
    let body = fixture("hikvision_anpr.multipart");
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let app = t.app.clone();
        let body = body.clone();
        tasks.push(tokio::spawn(async move {
            use tower::ServiceExt as _;
            let req = axum::http::Request::post("/camera/hikvision")
                .header("content-type", HIK_BOUNDARY)
                .body(axum::body::Body::from(body))
                .unwrap();
            app.oneshot(req).await.unwrap().status()
        }));
    }
    for task in tasks {
        assert_eq!(task.await.unwrap(), StatusCode::OK);
    }
    let counts = t.counts().await;
    assert_eq!((counts.events, counts.duplicates), (1, 7));
}

#[tokio::test]
async fn decisions_before_admission_lands_follow_the_registry_match() {
    let t = TestGate::new(&["冀B12345", "冀C10086", "晋C10086"]).await;
    let post = |plate: &str, confidence: u8, event: u32| {
        let body = serde_json::json!({
            "device_id": HIK_DEVICE,
            "event_id": event,
            "readings": if plate.is_empty() { serde_json::json!([]) } else { serde_json::json!([{"plate": plate, "confidence": confidence}]) },
        });
        t.post("/camera/events", "application/json", body.to_string())
    };
    let verdict =
        |a: &serde_json::Value| a["result"]["decision"]["verdict"].as_str().unwrap().to_owned();

    // A province misread of a registered truck is corrected and admitted.
    let (_, a) = post("鲁B12345", 93, 1).await;
    assert_eq!(a["result"]["plate_match"]["kind"], "corrected");
    assert_eq!(verdict(&a), "admitted");
    assert!(a["result"]["decision"]["reason"].as_str().unwrap().contains("冀B12345"));
    // A plate that reaches two registered trucks waits for a guard: never a silent admit.
    let (_, a) = post("豫C10086", 99, 2).await;
    assert_eq!(verdict(&a), "review");
    assert_eq!(a["result"]["barrier_commanded"], false);
    // Unregistered: refused. No plate: review.
    let (_, a) = post("京A00001", 99, 3).await;
    assert_eq!(verdict(&a), "refused");
    let (_, a) = post("", 0, 4).await;
    assert_eq!(a["result"]["plate_match"]["kind"], "no_plate");
    assert_eq!(verdict(&a), "review");

    assert_eq!(t.barrier_commands().await.len(), 1, "only the admitted truck opened the barrier");
    let screen = &t.gate.health().snapshot().displays["in-1"];
    assert_eq!(screen.plate, "无牌车");
    assert_eq!(screen.status, "请等待人工确认");
}

#[tokio::test]
async fn every_push_of_generated_traffic_is_accepted() {
    // The simulator's formats are what the agent reads: a mixed stream of 200 pushes.
    let t = TestGate::new(&[]).await;
    let mut traffic = Traffic::new(TrafficConfig { seed: 11, ..TrafficConfig::default() });
    let (mut vehicles, mut repeats) = (0, 0);
    for _ in 0..200 {
        let push = traffic.next_push(chrono::Utc::now());
        let (status, answer) = t.post(push.path, &push.content_type, push.body.clone()).await;
        assert_eq!(status, StatusCode::OK, "{:?}: {answer}", push.kind);
        match push.kind {
            gate_sim::camera::PushKind::Vehicle(_) => vehicles += 1,
            gate_sim::camera::PushKind::Reupload(_) | gate_sim::camera::PushKind::Reread(_) => {
                repeats += 1
            }
            gate_sim::camera::PushKind::Heartbeat => {}
        }
    }
    let counts = t.counts().await;
    // Every repeat is recognised; a fresh vehicle may also be a plate-window duplicate when the
    // same fleet truck comes round twice within the window, so events can only be fewer.
    assert!(counts.duplicates >= repeats, "{counts:?}, {repeats} repeats");
    assert_eq!(counts.events + counts.duplicates, vehicles + repeats);
}
