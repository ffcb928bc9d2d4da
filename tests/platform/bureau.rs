//! Bureau-owned data end to end: an inspector issues a blacklist entry and a pollution alert
//! for their region (audited, visible to the enterprises it covers, invisible elsewhere),
//! previews an alert's effect on registered trucks before issuing it, and lifts or cancels.

use gateledger_e2e::platform::{Backend, TestApp};
use serde_json::json;

use crate::both_backends;

both_backends!(
    inspectors_issue_bureau_data_for_their_region_only,
    an_alert_preview_names_the_trucks_it_would_stop
);

async fn inspectors_issue_bureau_data_for_their_region_only(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let root = app.root().await;
    let (a, admin_a) = app.enterprise(&root, "太原水泥厂", "140105", "cement", "b").await;
    let (b, admin_b) = app.enterprise(&root, "石家庄钢铁厂", "130102", "steel", "b").await;
    let inspector = app.inspector(&root, "1401").await;

    // Outside the inspector's region: as if it did not exist.
    let outside = app.post(&inspector, "/bureau/blacklist", json!({"region_code": "13", "plate": "冀A11111", "source": "roadside_check", "reason": "路检超标"})).await.expect(404);
    assert_eq!(outside.error(), "not_found");
    let bad = app.post(&inspector, "/bureau/blacklist", json!({"region_code": "1401", "plate": "晋A1", "source": "roadside_check", "reason": "x"})).await.expect(422);
    assert_eq!(bad.body["field"], json!("plate"));

    let entry = app.post(&inspector, "/bureau/blacklist", json!({"region_code": "1401", "plate": "晋A66666", "plate_colour": "yellow", "source": "remote_sensing", "reason": "尾气遥感监测超标"})).await.expect(201).id();
    let covering =
        app.get(&admin_a, &format!("/enterprises/{a}/bureau-blacklist")).await.expect(200);
    assert_eq!(covering.body["items"][0]["plate"], json!("晋A66666"));
    assert_eq!(
        app.get(&admin_b, &format!("/enterprises/{b}/bureau-blacklist")).await.expect(200).body["items"],
        json!([])
    );

    // The write is audited in the region's log, which the inspector reads.
    let audit = app.get(&inspector, "/audit?entity=bureau_blacklist").await.expect(200);
    assert_eq!(audit.body["items"][0]["entity_id"], json!(entry.to_string()));
    assert_eq!(audit.body["items"][0]["after"]["plate"], json!("晋A66666"));

    // Lifting keeps the entry but it no longer covers anyone.
    app.post(&inspector, &format!("/bureau/blacklist/{entry}/lift"), json!({})).await.expect(200);
    app.post(&inspector, &format!("/bureau/blacklist/{entry}/lift"), json!({})).await.expect(409);
    assert_eq!(
        app.get(&admin_a, &format!("/enterprises/{a}/bureau-blacklist")).await.expect(200).body["items"],
        json!([])
    );

    // Alerts: issued for the region, seen by the covered enterprise, cancelled.
    let bad_alert = app.post(&inspector, "/bureau/alerts", json!({"region_code": "1401", "level": "orange", "measures": ["9"], "starts_at": "2030-01-02T00:00:00Z", "ends_at": "2030-01-01T00:00:00Z"})).await.expect(422);
    assert_eq!(bad_alert.body["field"], json!("measures[0]"));
    let alert = app.post(&inspector, "/bureau/alerts", json!({"region_code": "1401", "level": "orange", "measures": ["2"], "starts_at": "2030-01-01T00:00:00Z", "ends_at": "2030-01-03T00:00:00Z", "reason": "重污染天气橙色预警"})).await.expect(201).id();
    let seen = app.get(&admin_a, &format!("/enterprises/{a}/alerts")).await.expect(200);
    assert_eq!(seen.body[0]["measures"], json!(["ban_cn4_heavy"]));
    assert_eq!(
        app.get(&admin_b, &format!("/enterprises/{b}/alerts")).await.expect(200).body,
        json!([])
    );
    app.post(&inspector, &format!("/bureau/alerts/{alert}/cancel"), json!({})).await.expect(200);
    assert_eq!(
        app.get(&admin_a, &format!("/enterprises/{a}/alerts")).await.expect(200).body,
        json!([])
    );
}

async fn an_alert_preview_names_the_trucks_it_would_stop(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let root = app.root().await;
    let (a, admin_a) = app.enterprise(&root, "阳曲水泥厂", "140122", "cement", "b").await;
    for (plate, stage) in [("晋A40001", "cn4"), ("晋A50001", "cn5"), ("晋A30001", "cn3")] {
        app.post(&admin_a, &format!("/enterprises/{a}/vehicles"), json!({"kind": "external_transport", "plate": plate, "plate_colour": "yellow", "vehicle_class": "heavy_truck", "fuel": "diesel", "stage": stage}))
            .await
            .expect(201);
    }
    let gate_site = app
        .post(&admin_a, &format!("/enterprises/{a}/sites"), json!({"name": "厂区"}))
        .await
        .expect(201)
        .id();
    app.post(
        &admin_a,
        &format!("/enterprises/{a}/gates"),
        json!({"site_id": gate_site, "name": "北门", "entrance_no": "N1", "barrier_no": "01"}),
    )
    .await
    .expect(201);
    let inspector = app.inspector(&root, "1401").await;
    let preview = app
        .post(&inspector, "/bureau/alerts/preview", json!({"region_code": "1401", "level": "yellow", "measures": [], "starts_at": "2030-01-01T08:00:00Z", "ends_at": "2030-01-02T08:00:00Z"}))
        .await
        .expect(200);
    let ours = preview.body["enterprises"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["tenant_id"] == json!(a))
        .unwrap()
        .clone();
    assert_eq!(ours["gates"], json!(1));
    let mut plates: Vec<&str> =
        ours["plates"].as_array().unwrap().iter().map(|p| p.as_str().unwrap()).collect();
    plates.sort();
    // Cement B under a yellow alert: 国四 heavy trucks stop (the plan's measure); the 国三
    // truck is already refused by the B-rating baseline, so the alert changes nothing for it.
    assert_eq!(plates, vec!["晋A40001"]);
    assert_eq!(ours["newly_refused"], json!(1));
    assert_eq!(
        app.get(&inspector, "/bureau/alerts").await.expect(200).body["items"],
        json!([]),
        "a preview issues nothing"
    );
}
