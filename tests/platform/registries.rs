//! The vehicle registries through the API: registering with bureau labels and ledger
//! codes, bad input naming the field, documents on the local store and on the real S3
//! server (streamed or redirected to a presigned link, only to authorised callers), imports
//! of good and malformed files with their per-row reports, all-or-nothing confirmation,
//! export that imports again unchanged, and expiry warnings.

use gateledger_e2e::platform::{Backend, Options, Session, TestApp, jpeg};
use reqwest::Method;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::both_backends;

both_backends!(
    vehicles_register_with_labels_and_report_what_they_lack,
    bad_vehicle_input_names_the_field_in_the_callers_language,
    documents_on_the_local_store_reach_authorised_callers_only,
    documents_on_s3_are_served_through_presigned_links,
    an_import_reports_every_error_and_writes_only_on_confirmation,
    malformed_import_files_are_refused_and_nothing_is_written,
    a_confirmation_that_collides_writes_nothing,
    an_export_imports_again_unchanged,
    expiring_documents_are_warned_before_and_after,
);

async fn upload(
    app: &TestApp,
    who: &Session,
    path: &str,
    form: reqwest::multipart::Form,
) -> gateledger_e2e::platform::Answer {
    TestApp::answer(
        app.http.post(app.api(path)).bearer_auth(&who.token).multipart(form).send().await.unwrap(),
    )
    .await
}

fn truck(plate: &str) -> Value {
    json!({"kind": "external_transport", "plate": plate, "plate_colour": "黄色", "vehicle_class": "重型货车", "fuel": "柴油", "stage": "国Ⅴ"})
}

async fn setup(backend: Backend, options: Options) -> (TestApp, Uuid, Session) {
    let app = TestApp::spawn_with(backend, options).await;
    let root = app.root().await;
    let (tenant, admin) = app.enterprise(&root, "晋中水泥有限公司", "140105", "cement", "b").await;
    (app, tenant, admin)
}

async fn vehicles_register_with_labels_and_report_what_they_lack(backend: Backend) {
    let (app, t, admin) = setup(backend, Options::default()).await;
    let mut body = truck(" 晋a12345 ");
    body["vin"] = json!("LATPAB07XW1005301"); // check digit should be 1: a warning
    let created = app.post(&admin, &format!("/enterprises/{t}/vehicles"), body).await.expect(201);
    assert_eq!(created.body["warnings"][0]["code"], json!("vin_check_digit"));
    let v =
        app.get(&admin, &format!("/enterprises/{t}/vehicles/{}", created.id())).await.expect(200);
    assert_eq!(v.body["plate"], json!("晋A12345"));
    assert_eq!(v.body["plate_colour"], json!("yellow"));
    assert_eq!(v.body["stage"], json!("cn5"));
    assert_eq!(v.body["vin_warning"], json!("vin_check_digit"));
    let missing: Vec<&str> =
        v.body["missing_fields"].as_array().unwrap().iter().map(|f| f.as_str().unwrap()).collect();
    assert_eq!(missing, vec!["registration_date", "engine_number", "documents", "fleet_name"]);

    // The same plate twice in one registry is a conflict naming the field.
    let dup = app
        .post(&admin, &format!("/enterprises/{t}/vehicles"), truck("晋A12345"))
        .await
        .expect(409);
    assert_eq!((dup.error(), dup.body["field"].as_str()), ("plate_taken", Some("plate")));

    // Machinery takes non-road stages; the list filters and counts.
    app.post(&admin, &format!("/enterprises/{t}/vehicles"), json!({"kind": "non_road", "registration_code": "晋A-00001", "vehicle_class": "叉车", "fuel": "柴油", "stage": "3"}))
        .await
        .expect(201);
    let list =
        app.get(&admin, &format!("/enterprises/{t}/vehicles?kind=non_road")).await.expect(200);
    assert_eq!(list.body["total"], json!(1));
    assert_eq!(list.body["items"][0]["stage"], json!("nr3"));
    let searched =
        app.get(&admin, &format!("/enterprises/{t}/vehicles?search=12345")).await.expect(200);
    assert_eq!(searched.body["total"], json!(1));

    // A replacement keeps the registry and is audited with before and after.
    let id = created.id();
    let mut changed = truck("晋A12345");
    changed["stage"] = json!("6");
    changed["fleet_name"] = json!("自有");
    app.call(Some(&admin), Method::PUT, &format!("/enterprises/{t}/vehicles/{id}"), Some(changed))
        .await
        .expect(200);
    let audit = app
        .get(&admin, &format!("/enterprises/{t}/audit?entity=vehicle&entity_id={id}"))
        .await
        .expect(200);
    let first = &audit.body["items"][0];
    assert_eq!(first["action"], json!("update"));
    assert_eq!(first["before"]["stage"], json!("cn5"));
    assert_eq!(first["after"]["stage"], json!("cn6"));
    assert!(first["actor_name"].as_str().unwrap().starts_with("adm"));
    app.call(Some(&admin), Method::DELETE, &format!("/enterprises/{t}/vehicles/{id}"), None)
        .await
        .expect(200);
    app.get(&admin, &format!("/enterprises/{t}/vehicles/{id}")).await.expect(404);
}

async fn bad_vehicle_input_names_the_field_in_the_callers_language(backend: Backend) {
    let (app, t, admin) = setup(backend, Options::default()).await;
    let path = format!("/enterprises/{t}/vehicles");
    let cases = [
        (
            json!({"kind": "external_transport", "plate": "晋AI2345", "plate_colour": "yellow", "vehicle_class": "heavy_truck", "fuel": "diesel", "stage": "cn5"}),
            "plate",
            "plate_serial_i_o",
        ),
        (
            json!({"kind": "external_transport", "plate": "晋A12345", "plate_colour": "gradient_green", "vehicle_class": "heavy_truck", "fuel": "diesel", "stage": "cn5"}),
            "plate_colour",
            "plate_colour_mismatch",
        ),
        (
            json!({"kind": "external_transport", "plate": "晋A12345", "plate_colour": "yellow", "vehicle_class": "heavy_truck", "fuel": "diesel", "stage": "国九"}),
            "stage",
            "invalid_stage",
        ),
        (
            json!({"kind": "external_transport", "plate": "晋A12345", "plate_colour": "yellow", "vehicle_class": "heavy_truck", "fuel": "diesel", "stage": "cn5", "vin": "LATPAB07IW1005301"}),
            "vin",
            "vin_i_o_q",
        ),
        (
            json!({"kind": "external_transport", "plate": "晋A12345", "plate_colour": "yellow", "vehicle_class": "heavy_truck", "fuel": "diesel", "stage": "cn5", "registration_date": "2021-02-30"}),
            "registration_date",
            "invalid_date",
        ),
        (
            json!({"kind": "in_plant", "vehicle_class": "heavy_truck", "fuel": "diesel", "stage": "cn5"}),
            "registration_code",
            "required",
        ),
        (
            json!({"kind": "spaceship", "vehicle_class": "heavy_truck", "fuel": "diesel", "stage": "cn5"}),
            "kind",
            "invalid_kind",
        ),
        (
            json!({"kind": "external_transport", "plate": "晋A12345", "plate_colour": "yellow", "vehicle_class": "heavy_truck", "fuel": "diesel", "stage": "cn5", "cargo_quantity": "lots"}),
            "cargo_quantity",
            "invalid_value",
        ),
    ];
    for (body, field, code) in cases {
        let a = app.post(&admin, &path, body.clone()).await.expect(422);
        assert_eq!((a.body["field"].as_str(), a.error()), (Some(field), code), "{body}");
        assert!(
            a.body["message"]
                .as_str()
                .unwrap()
                .chars()
                .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
            "Chinese by default: {}",
            a.body
        );
    }
    let en = app
        .http
        .post(app.api(&path))
        .bearer_auth(&admin.token)
        .header("accept-language", "en")
        .json(&cases_en())
        .send()
        .await
        .unwrap();
    let en = TestApp::answer(en).await.expect(422);
    assert!(en.body["message"].as_str().unwrap().is_ascii(), "{}", en.body);
    let count = app.get(&admin, &path).await.expect(200);
    assert_eq!(count.body["total"], json!(0), "nothing half-written");
}

fn cases_en() -> Value {
    json!({"kind": "external_transport", "plate": "晋A12345", "plate_colour": "purple", "vehicle_class": "heavy_truck", "fuel": "diesel", "stage": "cn5"})
}

async fn documents_round_trip(app: &TestApp, t: Uuid, admin: &Session) -> (Uuid, Uuid, Vec<u8>) {
    let v = app
        .post(admin, &format!("/enterprises/{t}/vehicles"), truck("晋K88888"))
        .await
        .expect(201)
        .id();
    let bytes = jpeg(&[7u8; 300_000]);
    let form = reqwest::multipart::Form::new()
        .text("kind", "accompanying_list")
        .part("file", reqwest::multipart::Part::bytes(bytes.clone()).file_name("随车清单.jpg"));
    let d = upload(app, admin, &format!("/enterprises/{t}/vehicles/{v}/documents"), form)
        .await
        .expect(201)
        .id();
    (v, d, bytes)
}

async fn documents_on_the_local_store_reach_authorised_callers_only(backend: Backend) {
    let (app, t, admin) = setup(backend, Options::default()).await;
    let (v, d, bytes) = documents_round_trip(&app, t, &admin).await;
    let got = app
        .http
        .get(app.api(&format!("/enterprises/{t}/vehicles/{v}/documents/{d}")))
        .bearer_auth(&admin.token)
        .send()
        .await
        .unwrap();
    assert_eq!(got.status(), 200);
    assert_eq!(got.headers()["content-type"], "image/jpeg");
    assert_eq!(got.bytes().await.unwrap().as_ref(), bytes.as_slice());
    // The document now counts for the ledger.
    let view = app.get(&admin, &format!("/enterprises/{t}/vehicles/{v}")).await.expect(200);
    assert!(!view.body["missing_fields"].as_array().unwrap().contains(&json!("documents")));
    // Not signed in, or another enterprise: nothing.
    let anon = app
        .http
        .get(app.api(&format!("/enterprises/{t}/vehicles/{v}/documents/{d}")))
        .send()
        .await
        .unwrap();
    assert_eq!(anon.status(), 401);
    // A file that is not what it claims, and an oversized one, are refused.
    let fake = reqwest::multipart::Form::new().text("kind", "driving_license").part(
        "file",
        reqwest::multipart::Part::bytes(b"not a picture at all".to_vec()).file_name("x.jpg"),
    );
    let a = upload(&app, &admin, &format!("/enterprises/{t}/vehicles/{v}/documents"), fake)
        .await
        .expect(422);
    assert_eq!((a.error(), a.body["field"].as_str()), ("unsupported_file", Some("file")));
    let huge = reqwest::multipart::Form::new().text("kind", "driving_license").part(
        "file",
        reqwest::multipart::Part::bytes(jpeg(&vec![1u8; 11 << 20])).file_name("big.jpg"),
    );
    let a = upload(&app, &admin, &format!("/enterprises/{t}/vehicles/{v}/documents"), huge).await;
    assert!(a.status == 422 || a.status == 413, "{}", a.status);
    let kinds =
        app.get(&admin, &format!("/enterprises/{t}/vehicles/{v}/documents")).await.expect(200);
    assert_eq!(kinds.body.as_array().unwrap().len(), 1, "the refused uploads left nothing");
}

async fn documents_on_s3_are_served_through_presigned_links(backend: Backend) {
    let (app, t, admin) = setup(backend, Options { s3: true, ..Options::default() }).await;
    let (v, d, bytes) = documents_round_trip(&app, t, &admin).await;
    let got = app
        .http
        .get(app.api(&format!("/enterprises/{t}/vehicles/{v}/documents/{d}")))
        .bearer_auth(&admin.token)
        .send()
        .await
        .unwrap();
    assert_eq!(got.status(), 307, "a redirect to a short-lived link");
    let link = got.headers()["location"].to_str().unwrap().to_owned();
    assert!(link.contains("X-Amz-Expires=120"), "{link}");
    let fetched = reqwest::get(&link).await.unwrap();
    assert_eq!(fetched.status(), 200);
    assert_eq!(fetched.bytes().await.unwrap().as_ref(), bytes.as_slice());
    // The link is signed: changing the key breaks it.
    let tampered = link.replacen("/tenants/", "/tenants/x", 1);
    assert_ne!(reqwest::get(&tampered).await.unwrap().status(), 200);
}

fn csv_file(rows: &[&str]) -> Vec<u8> {
    let header = "号牌号码,号牌颜色,挂车号牌,车辆识别代号,注册日期,车辆类型,车辆型号,发动机型号,发动机生产厂,发动机号码,燃料类型,排放阶段,使用性质,联网状态,车队名称,所属人（单位）,行驶证有效期至,通行证有效期至,运输货物名称,货物类型,运输量,货物单位,货物来源地,货物目的地,备注";
    let mut s = String::from(header);
    for r in rows {
        s.push('\n');
        s.push_str(r);
    }
    s.into_bytes()
}

async fn import(
    app: &TestApp,
    who: &Session,
    t: Uuid,
    name: &str,
    bytes: Vec<u8>,
) -> gateledger_e2e::platform::Answer {
    let form = reqwest::multipart::Form::new()
        .text("kind", "external_transport")
        .part("file", reqwest::multipart::Part::bytes(bytes).file_name(name.to_owned()));
    upload(app, who, &format!("/enterprises/{t}/imports"), form).await
}

async fn an_import_reports_every_error_and_writes_only_on_confirmation(backend: Backend) {
    let (app, t, admin) = setup(backend, Options::default()).await;
    let file = csv_file(&[
        "晋A10001,黄色,晋A1234挂,LATPAB0711W100530,20210301,重型货车,,,,FD123,柴油,5,原辅材料运输,是,自有,,,,煤炭,,30.5,吨,,,",
        "晋AI0002,黄色,,,,重型货车,,,,,柴油,5,,,,,,,,,,,,,",
        "晋A10003,紫色,,,2021-13-01,重型货车,,,,,汽油,9,,也许,,,,,,,很多,,,,",
        "晋A10001,黄色,,,,重型货车,,,,,柴油,6,,,,,,,,,,,,,",
        "晋A10005,黄色,,LATPAB07XW1005301,,重型货车,,,,,柴油,6,,,,,,,,,,,,,",
    ]);
    let report = import(&app, &admin, t, "车队.csv", file).await.expect(201);
    assert_eq!(report.body["total_rows"], json!(5));
    assert_eq!(report.body["valid_rows"], json!(2));
    let errors = report.body["errors"].as_array().unwrap();
    let at = |row: u64, column: &str| {
        errors.iter().any(|e| e["row"] == json!(row) && e["column"] == json!(column))
    };
    assert!(!errors.iter().any(|e| e["row"] == json!(2)), "row 2 is good: {errors:?}");
    assert!(at(3, "号牌号码"), "row 3's I in the serial");
    for column in ["号牌颜色", "注册日期", "排放阶段", "联网状态", "运输量"] {
        assert!(at(4, column), "row 4 reports {column}: {errors:?}");
    }
    assert!(errors.iter().any(|e| e["row"] == json!(5) && e["code"] == json!("duplicate_in_file")));
    let warned: Vec<&Value> =
        report.body["warnings"].as_array().unwrap().iter().map(|w| &w["row"]).collect();
    assert_eq!(warned, vec![&json!(2), &json!(6)], "VIN check digits are warnings");
    // Nothing is in the registry before confirmation.
    let path = format!("/enterprises/{t}/vehicles");
    assert_eq!(app.get(&admin, &path).await.expect(200).body["total"], json!(0));
    let id = report.body["import_id"].as_str().unwrap().to_owned();
    let confirmed = app
        .post(&admin, &format!("/enterprises/{t}/imports/{id}/confirm"), json!({}))
        .await
        .expect(200);
    assert_eq!(confirmed.body["imported"], json!(2));
    let list = app.get(&admin, &path).await.expect(200);
    assert_eq!(list.body["total"], json!(2));
    let first = list.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["plate"] == json!("晋A10001"))
        .unwrap()
        .clone();
    assert_eq!(
        (
            first["trailer_plate"].as_str(),
            first["cargo_quantity"].as_f64(),
            first["obd_connected"].as_bool()
        ),
        (Some("晋A1234挂"), Some(30.5), Some(true))
    );
    app.post(&admin, &format!("/enterprises/{t}/imports/{id}/confirm"), json!({}))
        .await
        .expect(409);
    let shown = app.get(&admin, &format!("/enterprises/{t}/imports/{id}")).await.expect(200);
    assert_eq!(shown.body["status"], json!("confirmed"));
}

async fn malformed_import_files_are_refused_and_nothing_is_written(backend: Backend) {
    let (app, t, admin) = setup(backend, Options::default()).await;
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("garbage.bin", vec![0u8, 159, 146, 150, 0, 1, 2], "unsupported_file"),
        ("broken.xlsx", b"PK\x03\x04 this is not a workbook".to_vec(), "file_unreadable"),
        ("empty.csv", b"\n\n".to_vec(), "file_unreadable"),
        ("wrong.csv", "车牌,颜色\n晋A12345,黄色\n".as_bytes().to_vec(), "unknown_column"),
        (
            "unclosed_quote.csv",
            "号牌号码,\"号牌颜色\n晋A12345".as_bytes().to_vec(),
            "unknown_column",
        ),
    ];
    for (name, bytes, code) in cases {
        let a = import(&app, &admin, t, name, bytes).await.expect(422);
        assert_eq!(a.error(), code, "{name}: {}", a.body);
        assert_eq!(a.body["field"], json!("file"), "{name}");
    }
    // A GBK-encoded CSV from Excel on Chinese Windows is read.
    let (gbk, _, _) = encoding_rs_gbk(
        &String::from_utf8(csv_file(&["晋A20001,黄色,,,,重型货车,,,,,柴油,5,,,,,,,,,,,,,"]))
            .unwrap(),
    );
    let report = import(&app, &admin, t, "gbk.csv", gbk).await.expect(201);
    assert_eq!(report.body["valid_rows"], json!(1), "{}", report.body);
    assert_eq!(
        app.get(&admin, &format!("/enterprises/{t}/vehicles")).await.expect(200).body["total"],
        json!(0)
    );
}

fn encoding_rs_gbk(s: &str) -> (Vec<u8>, (), ()) {
    // GB18030 is a superset of GBK; the platform reads both.
    (platform_server::sheets::gb18030_encoder()(s), (), ())
}

async fn a_confirmation_that_collides_writes_nothing(backend: Backend) {
    let (app, t, admin) = setup(backend, Options::default()).await;
    let file = csv_file(&[
        "晋B30001,黄色,,,,重型货车,,,,,柴油,5,,,,,,,,,,,,,",
        "晋B30002,黄色,,,,重型货车,,,,,柴油,5,,,,,,,,,,,,,",
        "晋B30003,黄色,,,,重型货车,,,,,柴油,5,,,,,,,,,,,,,",
    ]);
    let report = import(&app, &admin, t, "fleet.csv", file).await.expect(201);
    assert_eq!(report.body["valid_rows"], json!(3));
    // Meanwhile someone registers the last truck by hand.
    app.post(&admin, &format!("/enterprises/{t}/vehicles"), truck("晋B30003")).await.expect(201);
    let id = report.body["import_id"].as_str().unwrap();
    let failed = app
        .post(&admin, &format!("/enterprises/{t}/imports/{id}/confirm"), json!({}))
        .await
        .expect(409);
    assert_eq!(failed.body["field"], json!("plate"));
    let list = app.get(&admin, &format!("/enterprises/{t}/vehicles")).await.expect(200);
    assert_eq!(list.body["total"], json!(1), "no row of the import was kept: {}", list.body);
    let shown = app.get(&admin, &format!("/enterprises/{t}/imports/{id}")).await.expect(200);
    assert_eq!(
        shown.body["status"],
        json!("previewed"),
        "the import can be fixed and confirmed again"
    );
}

async fn an_export_imports_again_unchanged(backend: Backend) {
    let (app, t, admin) = setup(backend, Options::default()).await;
    let mut full = truck("晋C40001");
    for (k, v) in [
        ("trailer_plate", "晋C4001挂"),
        ("vin", "LATPAB0711W100530"),
        ("registration_date", "2020-06-18"),
        ("engine_no", "FD77"),
        ("fleet_name", "晋中运输公司"),
        ("cargo_name", "熟料"),
        ("cargo_unit", "吨"),
        ("license_expiry", "2027-01-31"),
    ] {
        full[k] = json!(v);
    }
    full["cargo_quantity"] = json!(31.5);
    full["obd_connected"] = json!(true);
    full["vin"] = json!("LATPAB0711W100530");
    app.post(&admin, &format!("/enterprises/{t}/vehicles"), full).await;
    app.post(&admin, &format!("/enterprises/{t}/vehicles"), truck("晋C40002")).await.expect(201);
    let root = app.root().await;
    let (other, other_admin) = app.enterprise(&root, "另一家水泥厂", "140105", "cement", "b").await;
    for format in ["csv", "xlsx"] {
        let resp = app
            .http
            .get(app.api(&format!(
                "/enterprises/{t}/vehicles/export?kind=external_transport&format={format}"
            )))
            .bearer_auth(&admin.token)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
        assert!(
            resp.headers()["content-disposition"].to_str().unwrap().contains("filename*=UTF-8''")
        );
        let bytes = resp.bytes().await.unwrap().to_vec();
        let report =
            import(&app, &other_admin, other, &format!("export.{format}"), bytes).await.expect(201);
        assert_eq!(report.body["errors"], json!([]), "{format}: {}", report.body);
        if format == "xlsx" {
            let id = report.body["import_id"].as_str().unwrap();
            app.post(
                &other_admin,
                &format!("/enterprises/{other}/imports/{id}/confirm"),
                json!({}),
            )
            .await
            .expect(200);
        }
    }
    let strip = |v: &Value| {
        let mut v = v.clone();
        for k in ["id", "created_at", "updated_at"] {
            v.as_object_mut().unwrap().remove(k);
        }
        v
    };
    let a = app.get(&admin, &format!("/enterprises/{t}/vehicles")).await.expect(200);
    let b = app.get(&other_admin, &format!("/enterprises/{other}/vehicles")).await.expect(200);
    let a: Vec<Value> = a.body["items"].as_array().unwrap().iter().map(strip).collect();
    let b: Vec<Value> = b.body["items"].as_array().unwrap().iter().map(strip).collect();
    assert_eq!(a, b);
}

async fn expiring_documents_are_warned_before_and_after(backend: Backend) {
    let (app, t, admin) = setup(backend, Options::default()).await;
    let today = chrono::Utc::now()
        .with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).unwrap())
        .date_naive();
    for (plate, expiry) in [
        ("晋D50001", today - chrono::Duration::days(3)),
        ("晋D50002", today + chrono::Duration::days(10)),
        ("晋D50003", today + chrono::Duration::days(200)),
    ] {
        let mut v = truck(plate);
        v["license_expiry"] = json!(expiry.to_string());
        app.post(&admin, &format!("/enterprises/{t}/vehicles"), v).await.expect(201);
    }
    let list = app
        .get(&admin, &format!("/enterprises/{t}/vehicles/expiring?within_days=30"))
        .await
        .expect(200);
    let got: Vec<(String, String, i64)> = list
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["label"].as_str().unwrap().into(),
                e["status"].as_str().unwrap().into(),
                e["days_left"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![("晋D50001".into(), "expired".into(), -3), ("晋D50002".into(), "expiring".into(), 10)]
    );
}
