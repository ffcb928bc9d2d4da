//! The portal's flows in headless Chromium, against an in-process platform. Two browser
//! sessions keep the load modest on CI: one signs in as each role (wrong password, locked
//! account, forced password change on the way), the other works as an enterprise admin
//! (register a vehicle through a validation error, upload a document photo, import a CSV
//! with errors and confirm it) and then as the region's inspector (read-only enterprise
//! pages, an alert issued after its dry run, and an alert that reaches an open dashboard
//! live). Screenshots of the main pages are kept under `target/debug/test-artifacts/`.

use std::time::Duration;

use fantoccini::{Client, Locator};
use gateledger_e2e::browser::Browser;
use gateledger_e2e::platform::{Backend, TestApp, unique};
use serde_json::json;

/// A 96×60 PNG of one colour (made once with zlib; any valid PNG would do).
const PHOTO_PNG: &str = "89504e470d0a1a0a0000000d49484452000000600000003c080200000016b628e3000000654944415478daedd0310d00000803b0fd884308fe7f0c101434a982a6a6794481204182040912244810820409122448902041081224489020418204214890204182040912240841820409122448902004091224489020418210244890204182040912c46d01f63c5180709e69560000000049454e44ae426082";

fn hex_bytes(hex: &str) -> Vec<u8> {
    (0..hex.len()).step_by(2).map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap()).collect()
}

async fn path_of(c: &Client) -> String {
    let url = c.current_url().await.expect("url");
    url.path().to_owned()
}

async fn text(c: &Client, css: &str) -> String {
    c.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("no {css}: {e}"))
        .text()
        .await
        .expect("text")
}

async fn fill(c: &Client, css: &str, value: &str) {
    let el = c.find(Locator::Css(css)).await.unwrap_or_else(|e| panic!("no {css}: {e}"));
    el.clear().await.expect("clear");
    el.send_keys(value).await.expect("type");
}

async fn click(c: &Client, css: &str) {
    c.find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("no {css}: {e}"))
        .click()
        .await
        .expect("click");
}

async fn sign_in(c: &Client, app: &TestApp, username: &str, password: &str) {
    c.goto(&format!("{}/", app.url)).await.expect("goto");
    fill(c, "#username", username).await;
    fill(c, "#password", password).await;
    click(c, "#sign-in").await;
}

/// Uses the language switch: English, then back to Chinese (the browser asks for Chinese;
/// the switch's cookie wins over Accept-Language). Returns the sign-in button's English text.
async fn switch_languages(c: &Client, app: &TestApp) -> String {
    c.goto(&format!("{}/", app.url)).await.expect("goto");
    let lang = |l: &'static str| async move {
        c.find(Locator::Css("#lang-switch")).await.unwrap().select_by_value(l).await.unwrap();
        click(c, ".lang-go").await;
        c.wait()
            .for_element(Locator::Css(&format!("html[lang='{l}']")))
            .await
            .unwrap_or_else(|e| panic!("the pages in {l}: {e}"));
    };
    lang("en").await;
    let english = text(c, "#sign-in").await;
    lang("zh-CN").await;
    english
}

async fn sign_out(c: &Client) {
    click(c, "#sign-out").await;
    c.wait()
        .for_element(Locator::Css("#sign-in"))
        .await
        .expect("the sign-in page after signing out");
}

async fn exists(c: &Client, css: &str) -> bool {
    !c.find_all(Locator::Css(css)).await.expect("find").is_empty()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_role_signs_in_and_lands_on_its_home() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let root = app.root().await;
    let (t, admin) = app.enterprise(&root, "晋阳水泥有限公司", "140105", "cement", "b").await;
    let viewer = app.member(&admin, t, "enterprise_viewer").await;
    let inspector = app.inspector(&root, "1401").await;
    let group =
        app.post(&root, "/admin/groups", json!({"name": "晋阳建材集团"})).await.expect(201).id();
    app.post(&root, &format!("/admin/groups/{group}/members"), json!({"tenant_id": t}))
        .await
        .expect(200);
    let group_user = format!("grp{}", unique());
    let created = app
        .post(
            &root,
            &format!("/admin/groups/{group}/admins"),
            json!({"username": group_user, "display_name": "集团管理员"}),
        )
        .await
        .expect(201);
    let group_admin =
        app.login(&group_user, created.body["temporary_password"].as_str().unwrap()).await;
    // A new operator who has never signed in: a temporary password to change.
    let operator_name = format!("op{}", unique());
    let created = app
        .post(&admin, &format!("/enterprises/{t}/users"), json!({"username": operator_name, "display_name": "门岗值班员", "role": "enterprise_operator"}))
        .await
        .expect(201);
    let temporary = created.body["temporary_password"].as_str().unwrap().to_owned();
    // An account locked by five wrong passwords.
    let locked = app.member(&admin, t, "enterprise_viewer").await;
    for _ in 0..5 {
        app.login_answer(&locked.username, "wrong-password-1", None).await.expect(401);
    }
    let browser = Browser::start().await;
    let c = &browser.client;
    c.goto(&format!("{}/", app.url)).await.unwrap();
    let default_lang = c.execute("return document.documentElement.lang", vec![]).await.unwrap();
    let english = switch_languages(c, &app).await;

    // A wrong password, then a locked account, each said on the sign-in page.
    sign_in(c, &app, &admin.username, "not-the-password-1").await;
    let wrong = c.wait().for_element(Locator::Css("#login-error")).await.expect("an error");
    let wrong_code = wrong.attr("data-code").await.unwrap();
    let wrong_text = wrong.text().await.unwrap();
    browser.screenshot("web-login-wrong-password").await;
    sign_in(c, &app, &locked.username, &locked.password).await;
    let lock = c.wait().for_element(Locator::Css("#login-error")).await.expect("an error");
    let lock_code = lock.attr("data-code").await.unwrap();
    let lock_text = lock.text().await.unwrap();
    browser.screenshot("web-login-locked").await;

    // The first sign-in forces a password change, then lands on the enterprise.
    sign_in(c, &app, &operator_name, &temporary).await;
    c.wait().for_element(Locator::Css("#forced-change")).await.expect("the forced change");
    let forced_path = path_of(c).await;
    browser.screenshot("web-forced-password-change").await;
    fill(c, "#current_password", &temporary).await;
    fill(c, "#new_password", "Mima2026xyz").await;
    fill(c, "#confirm_password", "Mima2026xyz").await;
    click(c, "#change-password").await;
    c.wait().for_element(Locator::Css("#sign-out")).await.expect("signed in");
    let operator_home = path_of(c).await;
    let notice = text(c, ".notice").await;
    sign_out(c).await;

    // Every role lands on its own home.
    let mut homes = Vec::new();
    for (who, name) in [
        (&root, "platform-admin"),
        (&admin, "enterprise-admin"),
        (&viewer, "viewer"),
        (&group_admin, "group-admin"),
        (&inspector, "inspector"),
    ] {
        sign_in(c, &app, &who.username, &who.password).await;
        c.wait()
            .for_element(Locator::Css("#sign-out"))
            .await
            .unwrap_or_else(|e| panic!("{name} signed in: {e}"));
        homes.push((name, path_of(c).await, text(c, "h1").await));
        browser.screenshot(&format!("web-home-{name}")).await;
        sign_out(c).await;
    }
    browser.close().await;

    assert_eq!(default_lang, json!("zh-CN"), "Chinese by default");
    assert_eq!(english, "Sign in", "English is selectable");
    assert_eq!(wrong_code.as_deref(), Some("bad_credentials"));
    assert!(wrong_text.contains("用户名或密码错误"), "{wrong_text}");
    assert_eq!(lock_code.as_deref(), Some("account_locked"));
    assert!(lock_text.contains("账户已暂时锁定"), "{lock_text}");
    assert_eq!(forced_path, "/account/password");
    assert_eq!(operator_home, format!("/e/{t}"));
    assert_eq!(notice, "密码已修改");
    let expected = [
        ("platform-admin", "/admin".to_owned()),
        ("enterprise-admin", format!("/e/{t}")),
        ("viewer", format!("/e/{t}")),
        ("group-admin", "/group".to_owned()),
        ("inspector", "/bureau".to_owned()),
    ];
    for ((name, path, heading), (want_name, want_path)) in homes.iter().zip(expected.iter()) {
        assert_eq!((name, path), (want_name, want_path), "{heading}");
    }
    assert!(homes[1].2.contains("晋阳水泥有限公司"), "the enterprise dashboard: {}", homes[1].2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_keeps_the_registry_and_an_inspector_reads_it_and_issues_an_alert() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let root = app.root().await;
    let (t, admin) = app.enterprise(&root, "太原钢铁有限公司", "140105", "cement", "b").await;
    let inspector = app.inspector(&root, "1401").await;
    // A 国四 diesel truck, which measure 2 would ban.
    app.post(&admin, &format!("/enterprises/{t}/vehicles"), json!({"kind": "external_transport", "plate": "晋A44444", "plate_colour": "yellow", "vehicle_class": "heavy_truck", "fuel": "diesel", "stage": "cn4"}))
        .await
        .expect(201);
    let files = tempfile::tempdir().unwrap();
    // A real 96×60 PNG, so that the page shows a decoded image.
    let photo = files.path().join("行驶证.png");
    std::fs::write(&photo, hex_bytes(PHOTO_PNG)).unwrap();
    let csv = files.path().join("fleet.csv");
    std::fs::write(
        &csv,
        "号牌号码,号牌颜色,挂车号牌,车辆识别代号,注册日期,车辆类型,车辆型号,发动机型号,发动机生产厂,发动机号码,燃料类型,排放阶段,使用性质,联网状态,车队名称,所属人（单位）,行驶证有效期至,通行证有效期至,运输货物名称,货物类型,运输量,货物单位,货物来源地,货物目的地,备注\n晋A66666,黄色,,,,重型货车,,,,,柴油,6,,,,,,,,,,,,,\n晋A1,黄色,,,,重型货车,,,,,柴油,5,,,,,,,,,,,,,\n",
    )
    .unwrap();
    let browser = Browser::start().await;
    let c = &browser.client;

    // --- the enterprise admin
    sign_in(c, &app, &admin.username, &admin.password).await;
    c.wait().for_element(Locator::Css("#stage-mix")).await.expect("the dashboard chart");
    browser.screenshot("web-enterprise-dashboard").await;
    c.goto(&format!("{}/e/{t}/vehicles/new?kind=external_transport", app.url)).await.unwrap();
    fill(c, "#f-plate", "晋A1234").await;
    fill(c, "#f-vin", "LATPAB07X0W100530").await;
    click(c, "#save-vehicle").await;
    let plate_error = text(c, "#plate-error").await;
    let invalid =
        c.find(Locator::Css("#f-plate")).await.unwrap().attr("aria-invalid").await.unwrap();
    browser.screenshot("web-vehicle-validation-error").await;
    fill(c, "#f-plate", "晋A12345").await;
    fill(c, "#f-vin", "").await;
    click(c, "#save-vehicle").await;
    let title = text(c, "#vehicle-title").await;
    c.find(Locator::Css("#doc-kind"))
        .await
        .unwrap()
        .select_by_value("driving_license")
        .await
        .unwrap();
    c.find(Locator::Css("#doc-file"))
        .await
        .unwrap()
        .send_keys(photo.to_str().unwrap())
        .await
        .unwrap();
    click(c, "#upload-document").await;
    c.wait().for_element(Locator::Css("#documents img")).await.expect("the photo shows");
    let photo_loaded = c
        .execute(
            "var img = document.querySelector('#documents img'); \
             return img.complete ? img.naturalWidth : -1;",
            vec![],
        )
        .await
        .unwrap();
    browser.screenshot("web-vehicle-with-document").await;

    c.goto(&format!("{}/e/{t}/imports/new", app.url)).await.unwrap();
    c.find(Locator::Css("#import-file"))
        .await
        .unwrap()
        .send_keys(csv.to_str().unwrap())
        .await
        .unwrap();
    click(c, "#check-import").await;
    let errors = text(c, "#error-count").await;
    let valid = text(c, "#valid-rows").await;
    let bad_row = c
        .find(Locator::Css("#import-errors tr[data-row='3']"))
        .await
        .expect("row 3 reported")
        .text()
        .await
        .unwrap();
    browser.screenshot("web-import-report").await;
    click(c, "#confirm-import").await;
    let total = text(c, "#vehicle-total").await;
    browser.screenshot("web-vehicles").await;
    c.goto(&format!("{}/e/{t}/screen", app.url)).await.unwrap();
    let screen_total = text(c, "#screen-total").await;
    browser.screenshot("web-big-screen").await;
    c.goto(&format!("{}/e/{t}/vehicles", app.url)).await.unwrap();
    sign_out(c).await;

    // --- the inspector of the region
    sign_in(c, &app, &inspector.username, &inspector.password).await;
    c.wait().for_element(Locator::Css("#plants")).await.expect("the region's enterprises");
    let plants = text(c, "#plants").await;
    browser.screenshot("web-inspector-home").await;
    c.goto(&format!("{}/e/{t}/vehicles", app.url)).await.unwrap();
    let listed = text(c, "#vehicles").await;
    let write_controls = exists(c, "#new-vehicle").await || exists(c, "#import").await;
    let first = c.find(Locator::Css("#vehicles tbody a")).await.unwrap();
    first.click().await.unwrap();
    c.wait().for_element(Locator::Css("#vehicle-facts")).await.unwrap();
    let detail_controls = exists(c, "#edit-vehicle").await || exists(c, "#upload-form").await;
    browser.screenshot("web-inspector-vehicle-read-only").await;

    // An alert: the dry run first, then issue.
    c.goto(&format!("{}/bureau/alerts", app.url)).await.unwrap();
    let issue_before_preview = exists(c, "#issue-alert").await;
    c.find(Locator::Css("#a-level")).await.unwrap().select_by_value("orange").await.unwrap();
    click(c, "input[name=measures][value=ban_cn4_heavy]").await;
    fill(c, "#a-reason", "太原市重污染天气橙色预警").await;
    click(c, "#preview-alert").await;
    let refused = text(c, "#dry-run-refused").await;
    let dry_run = text(c, "#alert-dry-run").await;
    browser.screenshot("web-alert-dry-run").await;
    click(c, "#issue-alert").await;
    let issued = text(c, ".notice").await;
    let listed_alerts = text(c, "#alerts").await;
    browser.screenshot("web-alerts").await;

    // An alert in force reaches the enterprise's open dashboard without a reload.
    c.goto(&format!("{}/e/{t}", app.url)).await.unwrap();
    let live = c
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("body[data-live='on']"))
        .await
        .is_ok();
    let before = text(c, "#measure").await;
    // The policy holds in the browser: an inline script injected into the page never runs.
    let inline_ran = c
        .execute(
            "window.__inline = 0; var s = document.createElement('script'); \
             s.textContent = 'window.__inline = 1'; document.head.appendChild(s); \
             return window.__inline;",
            vec![],
        )
        .await
        .unwrap();
    let now = chrono::Utc::now();
    app.post(&inspector, "/bureau/alerts", json!({"region_code": "140105", "level": "red", "measures": ["stop_road_transport"], "starts_at": now - chrono::Duration::minutes(1), "ends_at": now + chrono::Duration::days(1)}))
        .await
        .expect(201);
    let updated = c
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("#measure[data-updated] .measure-current[data-level='red']"))
        .await
        .is_ok();
    browser.screenshot("web-dashboard-live-measure").await;
    browser.close().await;

    assert!(plate_error.contains("号牌"), "the error next to the plate: {plate_error}");
    assert_eq!(invalid.as_deref(), Some("true"));
    assert_eq!(title, "晋A12345");
    assert_eq!(photo_loaded, json!(96), "the uploaded photo is served and decodes");
    assert_eq!((errors.as_str(), valid.as_str()), ("1", "1"));
    assert!(bad_row.contains("号牌号码"), "the column and reason of row 3: {bad_row}");
    assert_eq!(total, "3", "the first truck, the one registered here and the one imported");
    assert_eq!(screen_total, "3");
    assert!(plants.contains("太原钢铁有限公司"));
    assert!(listed.contains("晋A66666") && listed.contains("晋A12345"));
    assert!(!write_controls, "no write control on the inspector's registry list");
    assert!(!detail_controls, "no write control on the inspector's vehicle page");
    assert!(!issue_before_preview, "no way to issue before the dry run");
    assert_eq!(refused, "1", "the 国四 diesel truck: {dry_run}");
    assert!(dry_run.contains("晋A44444"), "{dry_run}");
    assert_eq!(issued, "预警已发布");
    assert!(listed_alerts.contains("橙色预警"), "{listed_alerts}");
    assert!(live, "the dashboard's event stream opened");
    assert_eq!(inline_ran, json!(0), "the content security policy blocked an inline script");
    assert!(!before.contains("红色预警"));
    assert!(updated, "the red alert reached the open dashboard live");
}
