//! The tenant-isolation matrix over every route of the OpenAPI document: another
//! enterprise's users, a group admin of another group and an inspector of another region get
//! 404 on every route of enterprise A; an inspector of A's region gets 403 on every write to
//! A's data and reaches its reads; A's group admin reaches A; nobody signed out gets anything
//! but the public routes. Every path of the document must be classified here, so a new route
//! cannot escape the matrix.

use std::collections::HashMap;

use gateledger_e2e::platform::{Answer, Backend, Session, TestApp, jpeg, unique};
use reqwest::Method;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::both_backends;

both_backends!(every_route_keeps_tenants_and_regions_apart);

/// Public routes: reachable without signing in.
const PUBLIC: [&str; 4] =
    ["/auth/login", "/auth/password-reset", "/auth/password-reset/confirm", "/registrations"];

struct World {
    root: Session,
    a: Uuid,
    admin_a: Session,
    admin_b: Session,
    inspector_a: Session,
    inspector_b: Session,
    group_admin_a: Session,
    group_admin_b: Session,
    ids: HashMap<&'static str, String>,
    bureau_ids: HashMap<&'static str, String>,
}

async fn multipart(
    app: &TestApp,
    who: &Session,
    path: &str,
    form: reqwest::multipart::Form,
) -> Answer {
    let resp =
        app.http.post(app.api(path)).bearer_auth(&who.token).multipart(form).send().await.unwrap();
    TestApp::answer(resp).await
}

async fn world(app: &TestApp) -> World {
    let root = app.root().await;
    let (a, admin_a) = app.enterprise(&root, "甲水泥厂", "140105", "cement", "b").await;
    let (b, admin_b) = app.enterprise(&root, "乙钢铁厂", "130102", "steel", "a").await;
    let operator_a = app.member(&admin_a, a, "enterprise_operator").await;
    // The platform routes act on this account (a reset ends its sessions).
    let victim = app.member(&admin_a, a, "enterprise_viewer").await;
    let inspector_a = app.inspector(&root, "1401").await;
    let inspector_b = app.inspector(&root, "13").await;

    let mut groups = Vec::new();
    for (name, member) in [("甲集团", a), ("乙集团", b)] {
        let g = app.post(&root, "/admin/groups", json!({"name": name})).await.expect(201).id();
        app.post(&root, &format!("/admin/groups/{g}/members"), json!({"tenant_id": member}))
            .await
            .expect(200);
        let user = format!("grp{}", unique());
        let created = app
            .post(
                &root,
                &format!("/admin/groups/{g}/admins"),
                json!({"username": user, "display_name": "集团管理员"}),
            )
            .await
            .expect(201);
        groups.push((
            g,
            app.login(&user, created.body["temporary_password"].as_str().unwrap()).await,
        ));
    }
    let (group_a, group_admin_a) = groups.remove(0);
    let (_group_b, group_admin_b) = groups.remove(0);

    // One object of every kind in enterprise A.
    let t = format!("/enterprises/{a}");
    let site =
        app.post(&admin_a, &format!("{t}/sites"), json!({"name": "一厂区"})).await.expect(201).id();
    let gate = app
        .post(
            &admin_a,
            &format!("{t}/gates"),
            json!({"site_id": site, "name": "东门", "entrance_no": "E01", "barrier_no": "01"}),
        )
        .await
        .expect(201)
        .id();
    let lane = app.post(&admin_a, &format!("{t}/gates/{gate}/lanes"), json!({"name": "东门入口", "direction": "entry", "plc_address": "10.0.0.5:502", "plc_unit": 1})).await.expect(201).id();
    let device = app
        .post(
            &admin_a,
            &format!("{t}/lanes/{lane}/devices"),
            json!({"kind": "anpr_camera", "name": "入口车牌识别", "vendor": "海康威视"}),
        )
        .await
        .expect(201)
        .id();
    let vehicle = app
        .post(&admin_a, &format!("{t}/vehicles"), json!({"kind": "external_transport", "plate": "晋A12345", "plate_colour": "yellow", "vehicle_class": "heavy_truck", "fuel": "diesel", "stage": "cn5"}))
        .await
        .expect(201)
        .id();
    let doc_form = reqwest::multipart::Form::new()
        .text("kind", "driving_license")
        .part("file", reqwest::multipart::Part::bytes(jpeg(b"license")).file_name("xsz.jpg"));
    let document = multipart(app, &admin_a, &format!("{t}/vehicles/{vehicle}/documents"), doc_form)
        .await
        .expect(201)
        .id();
    let entry = app
        .post(&admin_a, &format!("{t}/lists/whitelist"), json!({"plate": "晋A54321", "permit_kind": "visitor", "valid_until": "2030-01-01T00:00:00Z"}))
        .await
        .expect(201)
        .id();
    let rule = app
        .post(
            &admin_a,
            &format!("{t}/rules"),
            json!({"name": "夜间禁行", "criteria": {"fuels": ["diesel"]}}),
        )
        .await
        .expect(201)
        .id();
    let csv = "号牌号码,号牌颜色,挂车号牌,车辆识别代号,注册日期,车辆类型,车辆型号,发动机型号,发动机生产厂,发动机号码,燃料类型,排放阶段,使用性质,联网状态,车队名称,所属人（单位）,行驶证有效期至,通行证有效期至,运输货物名称,货物类型,运输量,货物单位,货物来源地,货物目的地,备注\n晋A77777,黄色,,,,重型货车,,,,,柴油,6,,,,,,,,,,,,,\n";
    let import_form = reqwest::multipart::Form::new().text("kind", "external_transport").part(
        "file",
        reqwest::multipart::Part::bytes(csv.as_bytes().to_vec()).file_name("fleet.csv"),
    );
    let import = multipart(app, &admin_a, &format!("{t}/imports"), import_form).await.expect(201);
    let import = import.body["import_id"].as_str().unwrap().to_owned();

    let bureau_entry = app
        .post(&inspector_a, "/bureau/blacklist", json!({"region_code": "1401", "plate": "晋A99999", "source": "remote_sensing", "reason": "尾气遥感监测超标"}))
        .await
        .expect(201)
        .id();
    let alert = app
        .post(&inspector_a, "/bureau/alerts", json!({"region_code": "1401", "level": "orange", "measures": ["ban_cn4_heavy"], "starts_at": "2030-01-01T00:00:00Z", "ends_at": "2030-01-03T00:00:00Z"}))
        .await
        .expect(201)
        .id();

    let mut ids: HashMap<&'static str, String> = HashMap::new();
    ids.insert("tenant_id", a.to_string());
    ids.insert("site_id", site.to_string());
    ids.insert("gate_id", gate.to_string());
    ids.insert("lane_id", lane.to_string());
    ids.insert("device_id", device.to_string());
    ids.insert("vehicle_id", vehicle.to_string());
    ids.insert("document_id", document.to_string());
    ids.insert("list", "whitelist".into());
    ids.insert("entry_id", entry.to_string());
    ids.insert("rule_id", rule.to_string());
    ids.insert("import_id", import);
    ids.insert("user_id", operator_a.user_id.to_string());
    ids.insert("victim", victim.user_id.to_string());
    let mut bureau_ids = HashMap::new();
    bureau_ids.insert("entry_id", bureau_entry.to_string());
    bureau_ids.insert("alert_id", alert.to_string());
    let _ = group_a;
    World {
        root,
        a,
        admin_a,
        admin_b,
        inspector_a,
        inspector_b,
        group_admin_a,
        group_admin_b,
        ids,
        bureau_ids,
    }
}

fn fill(template: &str, ids: &HashMap<&'static str, String>) -> String {
    let mut out = template.to_owned();
    for (k, v) in ids {
        out = out.replace(&format!("{{{k}}}"), v);
    }
    assert!(!out.contains('{'), "no fixture for a parameter of {template}");
    out
}

fn method(m: &str) -> Method {
    m.to_uppercase().parse().unwrap()
}

async fn send(app: &TestApp, who: Option<&Session>, m: &Method, path: &str) -> Answer {
    let body = (m != Method::GET && m != Method::DELETE).then(|| json!({}));
    app.call(who, m.clone(), path, body).await
}

async fn every_route_keeps_tenants_and_regions_apart(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let w = world(&app).await;
    let doc: Value =
        reqwest::get(format!("{}/api/openapi.json", app.url)).await.unwrap().json().await.unwrap();
    let paths = doc["paths"].as_object().expect("paths");
    assert!(paths.len() > 50, "the document lists the routes");

    let mut checked = 0;
    for (template, item) in paths {
        for m in item
            .as_object()
            .unwrap()
            .keys()
            .filter(|k| matches!(k.as_str(), "get" | "post" | "put" | "patch" | "delete"))
        {
            let m = method(m);
            // A preview is a POST that changes nothing: a read.
            let write = m != Method::GET && !template.ends_with("/preview");
            if template.starts_with("/enterprises/{tenant_id}") {
                let path = fill(template, &w.ids);
                // Outsiders: another enterprise, another group, another region.
                for (who, name) in [
                    (&w.admin_b, "admin of B"),
                    (&w.group_admin_b, "group admin of B"),
                    (&w.inspector_b, "inspector of 13"),
                ] {
                    let a = send(&app, Some(who), &m, &path).await;
                    assert_eq!(a.status, 404, "{name} {m} {template}: {}", a.body);
                }
                // The inspector of A's region: every write refused, reads reached.
                let a = send(&app, Some(&w.inspector_a), &m, &path).await;
                if write {
                    assert_eq!(a.status, 403, "inspector write {m} {template}: {}", a.body);
                    assert_eq!(a.error(), "read_only");
                } else if template.contains("/users") {
                    assert_eq!(a.status, 403, "inspectors do not read accounts: {template}");
                } else {
                    assert!(
                        ![401, 403, 404].contains(&a.status.as_u16()) && a.status.as_u16() < 500,
                        "inspector read {template}: {} {}",
                        a.status,
                        a.body
                    );
                }
                // A's own group admin reaches A (reads; writes are checked by the domain matrix).
                if !write {
                    let a = send(&app, Some(&w.group_admin_a), &m, &path).await;
                    assert!(
                        ![401, 404].contains(&a.status.as_u16()) && a.status.as_u16() < 500,
                        "group admin read {template}: {} {}",
                        a.status,
                        a.body
                    );
                }
                // A's own admin reaches every read.
                if !write {
                    let a = send(&app, Some(&w.admin_a), &m, &path).await;
                    assert!(
                        a.status.is_success() || a.status.as_u16() == 422,
                        "admin read {template}: {} {}",
                        a.status,
                        a.body
                    );
                }
            } else if template.starts_with("/admin") {
                let path = fill(
                    template,
                    &HashMap::from([
                        ("registration_id", Uuid::now_v7().to_string()),
                        ("index", "0".to_owned()),
                        ("user_id", w.ids["victim"].clone()),
                        ("group_id", Uuid::now_v7().to_string()),
                        ("tenant_id", w.a.to_string()),
                    ]),
                );
                for (who, name) in [
                    (&w.admin_a, "enterprise admin"),
                    (&w.inspector_a, "inspector"),
                    (&w.group_admin_a, "group admin"),
                ] {
                    let a = send(&app, Some(who), &m, &path).await;
                    assert_eq!(a.status, 403, "{name} {m} {template}: {}", a.body);
                }
                let a = send(&app, Some(&w.root), &m, &path).await;
                assert!(
                    a.status.as_u16() != 403 && a.status.as_u16() < 500,
                    "root {m} {template}: {} {}",
                    a.status,
                    a.body
                );
            } else if template.starts_with("/bureau") {
                if template.contains('{') {
                    let path = fill(template, &w.bureau_ids);
                    for (who, name) in
                        [(&w.inspector_b, "inspector of 13"), (&w.admin_b, "admin of B")]
                    {
                        let a = send(&app, Some(who), &m, &path).await;
                        assert_eq!(a.status, 404, "{name} {m} {template}: {}", a.body);
                    }
                    if write {
                        let a = send(&app, Some(&w.admin_a), &m, &path).await;
                        assert_eq!(
                            a.status, 403,
                            "enterprises never write bureau data: {template}"
                        );
                    }
                } else {
                    // Listings are the bureau's; enterprises use their own views.
                    let a = send(&app, Some(&w.admin_a), &m, template).await;
                    assert_eq!(a.status, 403, "enterprise {m} {template}: {}", a.body);
                }
            } else if template == "/enterprises"
                || template == "/audit"
                || template.starts_with("/me")
                || template.starts_with("/auth")
                || template == "/registrations"
            {
                // The caller's own data, listings scoped by the caller, or public routes:
                // covered by the scope checks below and the auth tests.
            } else {
                panic!("the isolation matrix does not classify {template}");
            }
            // Nobody signed out gets past the public routes.
            if !PUBLIC.contains(&template.as_str()) {
                let path = template.replace(['{', '}'], "x");
                let a = send(&app, None, &m, &path).await;
                assert!(
                    a.status == 401 || a.status == 404,
                    "anonymous {m} {template}: {}",
                    a.status
                );
            }
            checked += 1;
        }
    }
    assert!(checked > 80, "only {checked} routes checked");

    // Listings are scoped: B's admin, B's group admin and the inspector of 13 do not see A.
    for who in [&w.admin_b, &w.group_admin_b, &w.inspector_b] {
        let list = app.get(who, "/enterprises").await.expect(200);
        assert!(
            list.body["items"].as_array().unwrap().iter().all(|e| e["id"] != json!(w.a)),
            "{}",
            list.body
        );
    }
    for who in [&w.admin_a, &w.group_admin_a, &w.inspector_a, &w.root] {
        let list = app.get(who, "/enterprises").await.expect(200);
        assert!(
            list.body["items"].as_array().unwrap().iter().any(|e| e["id"] == json!(w.a)),
            "{}",
            list.body
        );
    }
    // The inspector of 13 sees none of 1401's bureau data; the platform audit log of an
    // inspector is their region's.
    let list = app.get(&w.inspector_b, "/bureau/blacklist").await.expect(200);
    assert!(list.body["items"].as_array().unwrap().is_empty());
    let audit = app.get(&w.inspector_a, "/audit").await.expect(200);
    assert!(
        audit.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["entity"] == json!("bureau_blacklist"))
    );
    let other = app.get(&w.inspector_b, "/audit").await.expect(200);
    assert!(
        other.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["entity"] != json!("bureau_blacklist")
                && e["entity"] != json!("region_alert")),
        "{}",
        other.body
    );
}
