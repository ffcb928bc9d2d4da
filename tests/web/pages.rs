//! Page authorisation over plain HTTP, in the spirit of `tests/platform/isolation.rs`: every
//! page route of the route table is classified and walked with another enterprise's admin
//! and an inspector of another region (404 on every route of enterprise A), with A's
//! region's inspector (every write 403, the reads reached, no control that changes data on
//! the pages) and signed out. Every POST here carries a valid anti-forgery token of its
//! session, so a 403 or 404 comes from the access check; the token check has its own test.
//! Every HTML page is checked for the content security policy and for inline script.
//!
//! The pages call the API's handler functions, whose access checks run on both backends in
//! the platform suite; the walk here runs on SQLite.

use std::collections::HashMap;

use gateledger_e2e::platform::{Backend, Session, TestApp, jpeg};
use platform_server::http::pages::route_table;
use serde_json::json;
use uuid::Uuid;

use crate::support::{PageAnswer, PageClient};

/// GET pages that only show a form to change data: refused to read-only roles.
const WRITE_FORMS: [&str; 4] = ["/vehicles/new", "/imports/new", "/rules/new", "/edit"];

/// Routes of the visitor's own account, sign-in and registration: not tenant-scoped.
const OWN: [&str; 11] = [
    "/",
    "/login",
    "/logout",
    "/lang",
    "/account",
    "/account/password",
    "/account/totp/setup",
    "/account/totp/enable",
    "/account/totp/disable",
    "/forgot-password",
    "/reset-password",
];

struct World {
    a: Uuid,
    ids: HashMap<&'static str, String>,
    bureau_ids: HashMap<&'static str, String>,
    admin_a: Session,
    admin_b: Session,
    inspector_a: Session,
    inspector_b: Session,
    root: Session,
}

async fn world(app: &TestApp) -> World {
    let root = app.root().await;
    let (a, admin_a) = app.enterprise(&root, "甲水泥厂", "140105", "cement", "b").await;
    let (_b, admin_b) = app.enterprise(&root, "乙钢铁厂", "130102", "steel", "a").await;
    let operator = app.member(&admin_a, a, "enterprise_operator").await;
    let inspector_a = app.inspector(&root, "1401").await;
    let inspector_b = app.inspector(&root, "13").await;
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
    let lane = app
        .post(
            &admin_a,
            &format!("{t}/gates/{gate}/lanes"),
            json!({"name": "东门入口", "direction": "entry"}),
        )
        .await
        .expect(201)
        .id();
    let device = app
        .post(
            &admin_a,
            &format!("{t}/lanes/{lane}/devices"),
            json!({"kind": "anpr_camera", "name": "入口相机"}),
        )
        .await
        .expect(201)
        .id();
    let vehicle = app
        .post(&admin_a, &format!("{t}/vehicles"), json!({"kind": "external_transport", "plate": "晋A12345", "plate_colour": "yellow", "vehicle_class": "heavy_truck", "fuel": "diesel", "stage": "cn4"}))
        .await
        .expect(201)
        .id();
    let form = reqwest::multipart::Form::new()
        .text("kind", "driving_license")
        .part("file", reqwest::multipart::Part::bytes(jpeg(b"xsz")).file_name("xsz.jpg"));
    let doc = app
        .http
        .post(app.api(&format!("{t}/vehicles/{vehicle}/documents")))
        .bearer_auth(&admin_a.token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    let document = TestApp::answer(doc).await.expect(201).id();
    let entry = app
        .post(
            &admin_a,
            &format!("{t}/lists/whitelist"),
            json!({"plate": "晋A54321", "permit_kind": "long_term"}),
        )
        .await
        .expect(201)
        .id();
    let rule = app
        .post(&admin_a, &format!("{t}/rules"), json!({"name": "夜间禁行"}))
        .await
        .expect(201)
        .id();
    let csv = "号牌号码,号牌颜色,挂车号牌,车辆识别代号,注册日期,车辆类型,车辆型号,发动机型号,发动机生产厂,发动机号码,燃料类型,排放阶段,使用性质,联网状态,车队名称,所属人（单位）,行驶证有效期至,通行证有效期至,运输货物名称,货物类型,运输量,货物单位,货物来源地,货物目的地,备注\n晋A77777,黄色,,,,重型货车,,,,,柴油,6,,,,,,,,,,,,,\n";
    let form = reqwest::multipart::Form::new().text("kind", "external_transport").part(
        "file",
        reqwest::multipart::Part::bytes(csv.as_bytes().to_vec()).file_name("fleet.csv"),
    );
    let import = app
        .http
        .post(app.api(&format!("{t}/imports")))
        .bearer_auth(&admin_a.token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    let import = TestApp::answer(import).await;
    let import =
        import.body["import_id"].as_str().unwrap_or_else(|| panic!("{}", import.body)).to_owned();
    let bureau_entry = app
        .post(&inspector_a, "/bureau/blacklist", json!({"region_code": "1401", "plate": "晋A99999", "source": "remote_sensing", "reason": "遥感超标"}))
        .await
        .expect(201)
        .id();
    let alert = app
        .post(&inspector_a, "/bureau/alerts", json!({"region_code": "1401", "level": "orange", "measures": ["ban_cn4_heavy"], "starts_at": "2030-01-01T00:00:00Z", "ends_at": "2030-01-03T00:00:00Z"}))
        .await
        .expect(201)
        .id();
    let mut ids = HashMap::new();
    for (k, v) in [
        ("tenant_id", a.to_string()),
        ("site_id", site.to_string()),
        ("gate_id", gate.to_string()),
        ("lane_id", lane.to_string()),
        ("device_id", device.to_string()),
        ("vehicle_id", vehicle.to_string()),
        ("document_id", document.to_string()),
        ("list", "whitelist".into()),
        ("entry_id", entry.to_string()),
        ("rule_id", rule.to_string()),
        ("import_id", import),
        ("user_id", operator.user_id.to_string()),
    ] {
        ids.insert(k, v);
    }
    let mut bureau_ids = HashMap::new();
    bureau_ids.insert("entry_id", bureau_entry.to_string());
    bureau_ids.insert("alert_id", alert.to_string());
    World { a, ids, bureau_ids, admin_a, admin_b, inspector_a, inspector_b, root }
}

fn fill(template: &str, ids: &HashMap<&'static str, String>) -> String {
    let mut out = template.to_owned();
    for (k, v) in ids {
        out = out.replace(&format!("{{{k}}}"), v);
    }
    assert!(!out.contains('{'), "no fixture for a parameter of {template}");
    if template.ends_with("/vehicles/export") {
        out.push_str("?kind=external_transport&format=csv");
    }
    out
}

async fn client(app: &TestApp, s: &Session) -> PageClient {
    let c = PageClient::new(app);
    let a = c.login(&s.username, &s.password).await;
    assert_eq!(a.status, 303, "sign-in of {}: {}", s.username, a.body);
    c
}

/// Checks an HTML page for the policy header and for inline script, inline handlers and
/// inline styles (none may exist under the policy).
fn check_html(path: &str, a: &PageAnswer) {
    let is_html = a
        .headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if !is_html {
        return;
    }
    let csp = a.headers.get("content-security-policy").and_then(|v| v.to_str().ok()).unwrap_or("");
    assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"), "{path}: {csp}");
    let body = &a.body;
    let mut rest = body.as_str();
    while let Some(at) = rest.find("<script") {
        let tag_end = rest[at..].find('>').map(|e| at + e + 1).expect("a closed tag");
        let close = rest[tag_end..].find("</script>").map(|e| tag_end + e).expect("</script>");
        assert!(rest[tag_end..close].trim().is_empty(), "{path}: an inline script");
        assert!(rest[at..tag_end].contains("src=\"/static/"), "{path}: a script not from /static");
        rest = &rest[close..];
    }
    let lower = body.to_lowercase();
    for attr in
        [" onclick=", " onload=", " onsubmit=", " onchange=", " onerror=", " oninput=", " style=\""]
    {
        assert!(!lower.contains(attr), "{path}: inline {attr}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_route_keeps_tenants_apart_and_inspectors_read_only() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let w = world(&app).await;
    let admin_a = client(&app, &w.admin_a).await;
    let admin_b = client(&app, &w.admin_b).await;
    let inspector_a = client(&app, &w.inspector_a).await;
    let inspector_b = client(&app, &w.inspector_b).await;
    let root = client(&app, &w.root).await;
    let anonymous = PageClient::new(&app);
    let mut checked = 0;
    for (method, template) in route_table() {
        let post = method == "POST";
        if OWN.contains(&template) || template == "/register" || template.starts_with("/static") {
            continue;
        }
        if template.starts_with("/e/{tenant_id}") {
            let path = fill(template, &w.ids);
            if template.ends_with("/events") {
                // A stream: the status is all there is to check.
                for (who, expect) in
                    [(&admin_b, 404), (&inspector_b, 404), (&inspector_a, 200), (&admin_a, 200)]
                {
                    let resp = who.http.get(format!("{}{path}", app.url)).send().await.unwrap();
                    assert_eq!(resp.status(), expect, "{template}");
                }
                checked += 1;
                continue;
            }
            for (who, name) in [(&admin_b, "admin of B"), (&inspector_b, "inspector of 13")] {
                let a = if post { who.post(&path, &[]).await } else { who.get(&path).await };
                assert_eq!(a.status, 404, "{name} {method} {template}: {}", a.location);
            }
            let a = if post {
                inspector_a.post(&path, &[]).await
            } else {
                inspector_a.get(&path).await
            };
            if post
                || WRITE_FORMS.iter().any(|f| template.ends_with(f))
                || template.contains("/users")
            {
                assert_eq!(
                    a.status,
                    403,
                    "inspector {method} {template}: {} {}",
                    a.location,
                    a.body.len()
                );
            } else {
                assert!(
                    a.status == 200 || a.status == 303 && !a.location.starts_with("/?"),
                    "inspector GET {template}: {} {}",
                    a.status,
                    a.location
                );
                check_html(template, &a);
                // Read-only: no form that posts to the enterprise's data.
                let posting = format!("method=\"post\" action=\"/e/{}", w.a);
                assert!(!a.body.contains(&posting), "inspector sees a write control on {template}");
            }
            if !post {
                let a = admin_a.get(&path).await;
                assert!(a.status == 200, "admin GET {template}: {} {}", a.status, a.location);
                check_html(template, &a);
            }
        } else if template.starts_with("/bureau") {
            let path = fill(template, &w.bureau_ids);
            let a = if post { admin_a.post(&path, &[]).await } else { admin_a.get(&path).await };
            assert_eq!(a.status, 403, "enterprise admin {method} {template}");
            if template.contains('{') {
                let a = inspector_b.post(&path, &[]).await;
                assert_eq!(a.status, 404, "inspector of 13 {template}");
            } else if !post {
                let a = inspector_a.get(&path).await;
                assert_eq!(a.status, 200, "inspector GET {template}");
                check_html(template, &a);
            }
        } else if template.starts_with("/admin") {
            let path = fill(
                template,
                &HashMap::from([
                    ("registration_id", Uuid::now_v7().to_string()),
                    ("index", "0".to_owned()),
                    ("user_id", w.ids["user_id"].clone()),
                    ("group_id", Uuid::now_v7().to_string()),
                ]),
            );
            for (who, name) in [(&admin_a, "enterprise admin"), (&inspector_a, "inspector")] {
                let a = if post { who.post(&path, &[]).await } else { who.get(&path).await };
                assert_eq!(a.status, 403, "{name} {method} {template}");
            }
            if !post && !template.contains('{') {
                let a = root.get(&path).await;
                assert_eq!(a.status, 200, "root GET {template}");
                check_html(template, &a);
            }
        } else if template == "/group" {
            assert_eq!(admin_a.get(template).await.status, 403);
        } else {
            panic!("the page authorisation walk does not classify {method} {template}");
        }
        // Signed out: sent to sign in (a GET), refused without a token (a POST).
        let path = template.replace(['{', '}'], "x");
        let a =
            if post { anonymous.post_raw(&path, &[]).await } else { anonymous.get(&path).await };
        if post {
            assert_eq!(a.status, 403, "anonymous POST {template}");
        } else {
            assert!(
                a.status == 303 && a.location == "/" || a.status == 404,
                "anonymous GET {template}: {} {}",
                a.status,
                a.location
            );
        }
        checked += 1;
    }
    assert!(checked > 60, "only {checked} page routes checked");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_post_without_a_valid_token_is_refused_and_writes_nothing() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let root = app.root().await;
    let (a, admin) = app.enterprise(&root, "丙焦化厂", "140105", "coking", "b").await;
    let (_b, other) = app.enterprise(&root, "丁水泥厂", "140106", "cement", "c").await;
    let page = client(&app, &admin).await;
    let stranger = client(&app, &other).await;
    let path = format!("/e/{a}/lists/blacklist");
    let fields = [("plate", "晋A11111"), ("reason", "forged")];

    let missing = page.post_raw(&path, &fields).await;
    let foreign_token = stranger.token().await;
    let mut with_foreign = vec![("csrf", foreign_token.as_str())];
    with_foreign.extend_from_slice(&fields);
    let foreign = page.post_raw(&path, &with_foreign).await;
    let garbage =
        page.post_raw(&path, &[("csrf", "00ff"), ("plate", "晋A11111"), ("reason", "x")]).await;

    assert_eq!(missing.status, 403, "no token");
    assert!(
        missing.body.contains("csrf") || missing.body.contains("页面已过期"),
        "{}",
        missing.body
    );
    assert_eq!(foreign.status, 403, "another session's token");
    assert_eq!(garbage.status, 403, "a made-up token");
    let list = app.get(&admin, &format!("/enterprises/{a}/lists/blacklist")).await.expect(200);
    assert_eq!(list.body["items"].as_array().unwrap().len(), 0, "nothing was written");

    // The same form with the session's own token goes through.
    let ok = page.post(&path, &fields).await;
    assert_eq!(ok.status, 303, "{}", ok.body);
    let list = app.get(&admin, &format!("/enterprises/{a}/lists/blacklist")).await.expect(200);
    assert_eq!(list.body["items"].as_array().unwrap().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forged_write_by_an_inspector_is_refused_and_changes_nothing() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let root = app.root().await;
    let (a, admin) = app.enterprise(&root, "戊水泥厂", "140105", "cement", "b").await;
    let vehicle = app
        .post(&admin, &format!("/enterprises/{a}/vehicles"), json!({"kind": "external_transport", "plate": "晋A12345", "plate_colour": "yellow", "vehicle_class": "heavy_truck", "fuel": "diesel", "stage": "cn5"}))
        .await
        .expect(201)
        .id();
    let inspector = app.inspector(&root, "14").await;
    let page = client(&app, &inspector).await;

    let view = page.get(&format!("/e/{a}/vehicles/{vehicle}")).await;
    let edit = page
        .post(
            &format!("/e/{a}/vehicles/{vehicle}"),
            &[
                ("plate", "晋A99999"),
                ("vehicle_class", "heavy_truck"),
                ("fuel", "diesel"),
                ("stage", "cn6"),
                ("plate_colour", "yellow"),
            ],
        )
        .await;
    let delete = page.post(&format!("/e/{a}/vehicles/{vehicle}/delete"), &[]).await;

    assert_eq!(view.status, 200);
    assert!(view.body.contains("晋A12345"));
    assert!(
        !view.body.contains("id=\"edit-vehicle\"") && !view.body.contains("/delete\""),
        "no edit control rendered"
    );
    assert_eq!(edit.status, 403);
    assert!(edit.body.contains("监管账户只能查看"), "the read-only reason is shown: {}", edit.body);
    assert_eq!(delete.status, 403);
    let after = app.get(&admin, &format!("/enterprises/{a}/vehicles/{vehicle}")).await.expect(200);
    assert_eq!(after.body["plate"], json!("晋A12345"), "unchanged");
}

/// The dashboard's registry counts and its stage and fuel mix come from one grouped query
/// (`storage::vehicles::mix`): checked on both backends.
async fn dashboard_counts_the_registries(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let root = app.root().await;
    let (a, admin) = app.enterprise(&root, "壬水泥厂", "140105", "cement", "b").await;
    let t = format!("/enterprises/{a}/vehicles");
    for (plate, stage, fuel) in
        [("晋A10001", "cn4", "diesel"), ("晋A10002", "cn6", "diesel"), ("晋A10003", "cn6", "gas")]
    {
        app.post(&admin, &t, json!({"kind": "external_transport", "plate": plate, "plate_colour": "yellow", "vehicle_class": "heavy_truck", "fuel": fuel, "stage": stage}))
            .await
            .expect(201);
    }
    app.post(&admin, &t, json!({"kind": "non_road", "registration_code": "JX0001", "vehicle_class": "loader", "fuel": "diesel", "stage": "nr3"}))
        .await
        .expect(201);
    let page = client(&app, &admin).await;

    let html = page.get(&format!("/e/{a}")).await.body;

    let stat = |kind: &str| -> String {
        let at = html
            .find(&format!("data-kind=\"{kind}\"><div class=\"n\">"))
            .unwrap_or_else(|| panic!("no {kind}"));
        html[at..].split("<div class=\"n\">").nth(1).unwrap().split('<').next().unwrap().to_owned()
    };
    let bar = |label: &str| -> String {
        let at = html
            .find(&format!("data-label=\"{label}\" data-value=\""))
            .unwrap_or_else(|| panic!("no bar {label}"));
        html[at..].split("data-value=\"").nth(1).unwrap().split('"').next().unwrap().to_owned()
    };
    assert_eq!(
        (stat("external_transport"), stat("in_plant"), stat("non_road")),
        ("3".into(), "0".into(), "1".into())
    );
    assert_eq!((bar("国四"), bar("国六"), bar("非道路国三")), ("1".into(), "2".into(), "1".into()));
    assert_eq!((bar("柴油"), bar("燃气（CNG/LNG）")), ("3".into(), "1".into()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dashboard_counts_the_registries_on_sqlite() {
    dashboard_counts_the_registries(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dashboard_counts_the_registries_on_postgres() {
    dashboard_counts_the_registries(Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_rules_editor_shows_the_dry_run_before_saving_a_new_or_edited_rule() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let root = app.root().await;
    let (a, admin) = app.enterprise(&root, "癸水泥厂", "140105", "cement", "c").await;
    for (plate, stage) in [("晋A20004", "cn4"), ("晋A20006", "cn6")] {
        app.post(&admin, &format!("/enterprises/{a}/vehicles"), json!({"kind": "external_transport", "plate": plate, "plate_colour": "yellow", "vehicle_class": "heavy_truck", "fuel": "diesel", "stage": stage}))
            .await
            .expect(201);
    }
    let page = client(&app, &admin).await;
    let rule = |op: &'static str, stage: &'static str| {
        vec![
            ("name", "夜间禁行柴油车"),
            ("effect", "deny"),
            ("enabled", "on"),
            ("fuels", "diesel"),
            ("stage_at_most", stage),
            ("hours", "22:00-06:00"),
            ("at", "2030-01-07T23:00"),
            ("op", op),
        ]
    };
    let newly = |html: &str| -> String {
        html.split("id=\"newly-refused\">")
            .nth(1)
            .and_then(|r| r.split('<').next())
            .unwrap_or("")
            .to_owned()
    };

    let preview = page.post(&format!("/e/{a}/rules"), &rule("preview", "cn4")).await;
    let before_save = app.get(&admin, &format!("/enterprises/{a}/rules")).await.expect(200);
    let saved = page.post(&format!("/e/{a}/rules"), &rule("save", "cn4")).await;
    let rules = app.get(&admin, &format!("/enterprises/{a}/rules")).await.expect(200);
    let id = rules.body.as_array().unwrap()[0]["id"].as_str().unwrap().to_owned();
    let edit = page.get(&format!("/e/{a}/rules/{id}/edit")).await;
    let edit_preview = page.post(&format!("/e/{a}/rules/{id}"), &rule("preview", "cn6")).await;
    let bad = page
        .post(&format!("/e/{a}/rules/{id}"), &[("name", "x"), ("hours", "夜里"), ("op", "save")])
        .await;
    let still = app.get(&admin, &format!("/enterprises/{a}/rules/{id}")).await.expect(200);

    assert_eq!(newly(&preview.body), "1", "the 国四 truck, at 23:00");
    assert!(preview.body.contains("晋A20004") && !preview.body.contains("晋A20006"));
    assert!(before_save.body.as_array().unwrap().is_empty(), "a dry run saves nothing");
    assert_eq!(saved.status, 303);
    assert!(
        edit.body.contains("value=\"夜间禁行柴油车\"") && edit.body.contains("22:00-06:00"),
        "the form holds the stored rule"
    );
    assert_eq!(
        newly(&edit_preview.body),
        "1",
        "only the 国六 truck is new against the stored rule"
    );
    assert!(edit_preview.body.contains("晋A20006"));
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("id=\"hours-error\""), "the error next to the time windows");
    assert_eq!(
        still.body["rule"]["criteria"]["stages"]["at_most"],
        json!("cn4"),
        "nothing saved by a failed edit"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gates_are_kept_on_the_gates_page_with_errors_beside_the_failed_form() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let root = app.root().await;
    let (a, admin) = app.enterprise(&root, "子钢铁厂", "140105", "steel", "a").await;
    let page = client(&app, &admin).await;

    let site =
        page.post(&format!("/e/{a}/sites"), &[("name", "一号厂区"), ("address", "太原市")]).await;
    let sites = app.get(&admin, &format!("/enterprises/{a}/sites")).await.expect(200);
    let site_id = sites.body[0]["id"].as_str().unwrap().to_owned();
    let bad = page
        .post(
            &format!("/e/{a}/gates"),
            &[("site_id", &site_id), ("name", "东门"), ("entrance_no", "E01"), ("barrier_no", "1")],
        )
        .await;
    let good = page
        .post(
            &format!("/e/{a}/gates"),
            &[
                ("site_id", &site_id),
                ("name", "东门"),
                ("entrance_no", "E01"),
                ("barrier_no", "01"),
            ],
        )
        .await;
    let gates = app.get(&admin, &format!("/enterprises/{a}/gates")).await.expect(200);
    let gate_id = gates.body[0]["id"].as_str().unwrap().to_owned();
    let renamed = page
        .post(
            &format!("/e/{a}/gates/{gate_id}"),
            &[("name", "东一门"), ("entrance_no", "E01"), ("barrier_no", "02")],
        )
        .await;
    let lane = page
        .post(
            &format!("/e/{a}/gates/{gate_id}/lanes"),
            &[
                ("name", "东一门入口"),
                ("direction", "entry"),
                ("plc_address", "10.0.0.5:502"),
                ("plc_unit", "1"),
            ],
        )
        .await;
    let shown = page.get(&format!("/e/{a}/gates")).await;
    let gate = app.get(&admin, &format!("/enterprises/{a}/gates/{gate_id}")).await.expect(200);

    assert_eq!(site.status, 303);
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("道闸编号应为两位数字"), "the reason in Chinese");
    assert!(bad.body.contains("<details open><summary>"), "the failed form is open to fix");
    assert_eq!(
        (good.status.as_u16(), renamed.status.as_u16(), lane.status.as_u16()),
        (303, 303, 303)
    );
    assert_eq!(
        (gate.body["name"].as_str(), gate.body["barrier_no"].as_str()),
        (Some("东一门"), Some("02"))
    );
    assert!(shown.body.contains("东一门入口") && shown.body.contains("10.0.0.5:502 #1"));
}
