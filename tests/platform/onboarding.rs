//! Enterprise onboarding and administration: a registration with documents, its approval
//! (the enterprise and its first admin, the welcome mail through the real SMTP server, the
//! audit trail) or rejection; bad registrations; groups of plants; the `gateledger admin`
//! command line.

use gateledger_e2e::platform::{
    Backend, Options, TestApp, credit_code, jpeg, unique, wait_for_mail,
};
use gateledger_e2e::process::bin_path;
use reqwest::Method;
use reqwest::multipart::{Form, Part};
use serde_json::json;

use crate::both_backends;

both_backends!(
    a_registration_is_approved_into_an_enterprise_with_its_first_admin,
    bad_registrations_name_the_field_and_reviews_happen_once,
    a_group_admin_administers_its_plants_only,
);

fn form(code: &str, admin: &str) -> Form {
    Form::new()
        .text("name", "阳泉焦化有限公司")
        .text("credit_code", code.to_owned())
        .text("permit_no", "91140300MA0XXXX001P")
        .text("region_code", "140302")
        .text("industry", "coking")
        .text("rating", "b_minus")
        .text("address", "山西省阳泉市")
        .text("contact_name", "王工")
        .text("contact_email", format!("{admin}@coking.test"))
        .text("contact_phone", "13800000000")
        .text("admin_username", admin.to_owned())
}

async fn a_registration_is_approved_into_an_enterprise_with_its_first_admin(backend: Backend) {
    let app = TestApp::spawn_with(backend, Options { smtp: true, ..Options::default() }).await;
    let root = app.root().await;
    let admin = format!("yq{}", unique());
    let code = credit_code("91140302MA0YQ0001");
    let licence = jpeg(b"business licence");
    let f = form(&code, &admin)
        .part("business_licence", Part::bytes(licence.clone()).file_name("licence.jpg"))
        .part("discharge_permit", Part::bytes(b"%PDF-1.4 permit".to_vec()).file_name("permit.pdf"));
    let submitted = TestApp::answer(
        app.http.post(app.api("/registrations")).multipart(f).send().await.unwrap(),
    )
    .await
    .expect(201);
    let id = submitted.id();

    let pending = app.get(&root, "/admin/registrations?status=pending").await.expect(200);
    let reg = pending.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == json!(id))
        .unwrap()
        .clone();
    assert_eq!(reg["documents"].as_array().unwrap().len(), 2);
    assert_eq!(reg["documents"][0]["kind"], json!("business_licence"));
    let doc = app
        .http
        .get(app.api(&format!("/admin/registrations/{id}/documents/0")))
        .bearer_auth(&root.token)
        .send()
        .await
        .unwrap();
    assert_eq!(doc.bytes().await.unwrap().as_ref(), licence.as_slice());

    let approved =
        app.post(&root, &format!("/admin/registrations/{id}/approve"), json!({})).await.expect(200);
    let tenant = approved.body["tenant_id"].as_str().unwrap().to_owned();
    let mail = wait_for_mail(&format!("{admin}@coking.test")).await;
    assert!(
        mail.contains(&admin)
            && mail.contains("阳泉焦化有限公司")
            && mail.contains("reset-password?token="),
        "{mail}"
    );

    let session = app.login(&admin, approved.body["temporary_password"].as_str().unwrap()).await;
    let me = app.get(&session, &format!("/enterprises/{tenant}")).await.expect(200);
    assert_eq!(
        (me.body["credit_code"].as_str(), me.body["rating"].as_str(), me.body["industry"].as_str()),
        (Some(code.as_str()), Some("b_minus"), Some("coking"))
    );
    let audit = app.get(&session, &format!("/enterprises/{tenant}/audit")).await.expect(200);
    let entities: Vec<&str> = audit.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["entity"].as_str().unwrap())
        .collect();
    assert!(entities.contains(&"tenant") && entities.contains(&"user"), "{entities:?}");
    let platform_audit = app.get(&root, "/audit?entity=registration").await.expect(200);
    assert_eq!(platform_audit.body["items"][0]["action"], json!("approve"));
}

async fn bad_registrations_name_the_field_and_reviews_happen_once(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let root = app.root().await;
    let send = |f: Form| {
        let app = &app;
        async move {
            TestApp::answer(
                app.http.post(app.api("/registrations")).multipart(f).send().await.unwrap(),
            )
            .await
        }
    };
    let admin = format!("x{}", unique());
    let good_code = credit_code("91140302MA0YQ0002");
    let doc = || Part::bytes(jpeg(b"x")).file_name("x.jpg");
    let mut bad_check = good_code.clone();
    bad_check.pop();
    bad_check.push(if good_code.ends_with('0') { '1' } else { '0' });
    let cases = vec![
        (
            form(&bad_check, &admin).part("business_licence", doc()),
            "credit_code",
            "credit_code_check",
        ),
        (
            form(&good_code, &admin).text("region_code", "999999").part("business_licence", doc()),
            "region_code",
            "region_province",
        ),
        (
            form(&good_code, &admin)
                .text("industry", "mining_bitcoin")
                .part("business_licence", doc()),
            "industry",
            "unknown_industry",
        ),
        (
            form(&good_code, &admin)
                .text("contact_email", "not-an-address")
                .part("business_licence", doc()),
            "contact_email",
            "invalid_email",
        ),
        (
            form(&good_code, "A B")
                .text("contact_email", "ok@coking.test")
                .part("business_licence", doc()),
            "admin_username",
            "invalid_username",
        ),
        (form(&good_code, &admin), "documents", "documents_required"),
        (
            form(&good_code, &admin).part(
                "business_licence",
                Part::bytes(b"MZ\x90\x00 an exe".to_vec()).file_name("x.jpg"),
            ),
            "business_licence",
            "unsupported_file",
        ),
        (form(&good_code, &admin).part("selfie", doc()), "selfie", "invalid_document_kind"),
    ];
    for (f, field, code) in cases {
        let a = send(f).await;
        assert_eq!(a.status, 422, "{field} {code}: {}", a.body);
        assert_eq!((a.body["field"].as_str(), a.error()), (Some(field), code), "{}", a.body);
    }
    let listed = app.get(&root, "/admin/registrations").await.expect(200);
    assert_eq!(listed.body["items"], json!([]), "no refused registration was stored");

    // Reject with a reason; a second review of the same request is refused.
    let id = send(form(&good_code, &admin).part("business_licence", doc())).await.expect(201).id();
    let no_reason = app
        .post(&root, &format!("/admin/registrations/{id}/reject"), json!({"reason": "  "}))
        .await
        .expect(422);
    assert_eq!(no_reason.body["field"], json!("reason"));
    app.post(
        &root,
        &format!("/admin/registrations/{id}/reject"),
        json!({"reason": "营业执照不清晰，请重新提交"}),
    )
    .await
    .expect(200);
    app.post(&root, &format!("/admin/registrations/{id}/approve"), json!({})).await.expect(409);
    let shown = app.get(&root, &format!("/admin/registrations/{id}")).await.expect(200);
    assert_eq!(
        (shown.body["status"].as_str(), shown.body["reject_reason"].as_str()),
        (Some("rejected"), Some("营业执照不清晰，请重新提交"))
    );

    // A second enterprise with the same credit code cannot be approved.
    let first = send(form(&good_code, &format!("a{}", unique())).part("business_licence", doc()))
        .await
        .expect(201)
        .id();
    let second = send(form(&good_code, &format!("b{}", unique())).part("business_licence", doc()))
        .await
        .expect(201)
        .id();
    app.post(&root, &format!("/admin/registrations/{first}/approve"), json!({})).await.expect(200);
    let dup = app
        .post(&root, &format!("/admin/registrations/{second}/approve"), json!({}))
        .await
        .expect(409);
    assert_eq!(
        (dup.error(), dup.body["field"].as_str()),
        ("credit_code_taken", Some("credit_code"))
    );
    assert_eq!(
        app.get(&root, &format!("/admin/registrations/{second}")).await.expect(200).body["status"],
        json!("pending"),
        "nothing half-written"
    );
}

async fn a_group_admin_administers_its_plants_only(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let root = app.root().await;
    let (a1, _) = app.enterprise(&root, "集团一厂", "140105", "steel", "a").await;
    let (a2, _) = app.enterprise(&root, "集团二厂", "140106", "steel", "b").await;
    let (other, _) = app.enterprise(&root, "外部企业", "140107", "steel", "b").await;
    let g = app.post(&root, "/admin/groups", json!({"name": "晋钢集团"})).await.expect(201).id();
    for t in [a1, a2] {
        app.post(&root, &format!("/admin/groups/{g}/members"), json!({"tenant_id": t}))
            .await
            .expect(200);
    }
    let name = format!("g{}", unique());
    let created = app
        .post(
            &root,
            &format!("/admin/groups/{g}/admins"),
            json!({"username": name, "display_name": "集团环保部"}),
        )
        .await
        .expect(201);
    let ga = app.login(&name, created.body["temporary_password"].as_str().unwrap()).await;

    let seen = app.get(&ga, "/enterprises").await.expect(200);
    let mut ids: Vec<String> = seen.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap().to_owned())
        .collect();
    ids.sort();
    let mut want = vec![a1.to_string(), a2.to_string()];
    want.sort();
    assert_eq!(ids, want);
    // It manages the plants' users, and nothing outside the group.
    app.post(&ga, &format!("/enterprises/{a2}/users"), json!({"username": format!("op{}", unique()), "display_name": "门岗", "role": "enterprise_operator"})).await.expect(201);
    app.post(&ga, &format!("/enterprises/{other}/users"), json!({"username": format!("op{}", unique()), "display_name": "门岗", "role": "enterprise_operator"})).await.expect(404);
    // Taking a plant out of the group takes it out of reach at once.
    app.call(Some(&root), Method::DELETE, &format!("/admin/groups/{g}/members/{a2}"), None)
        .await
        .expect(200);
    app.get(&ga, &format!("/enterprises/{a2}")).await.expect(404);
}

#[test]
fn the_admin_command_line_sets_up_accounts() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let out = std::process::Command::new(bin_path("gateledger"))
            .arg("--data-dir")
            .arg(dir.path())
            .arg("admin")
            .args(args)
            .output()
            .unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (ok, out, _) =
        run(&["create-platform-admin", "--username", "ops", "--display-name", "运维"]);
    assert!(ok && out.contains("temporary password: "), "{out}");
    let (ok, out, _) = run(&[
        "create-bureau-user",
        "--username",
        "taiyuan",
        "--display-name",
        "太原市生态环境局",
        "--region",
        "1401",
    ]);
    assert!(ok && out.contains("region 1401"), "{out}");
    let (ok, _, err) =
        run(&["create-bureau-user", "--username", "bad", "--display-name", "x", "--region", "99"]);
    assert!(!ok && err.contains("region"), "{err}");
    let (ok, _, err) =
        run(&["create-platform-admin", "--username", "ops", "--display-name", "again"]);
    assert!(!ok && err.contains("already taken"), "{err}");
    let (ok, out, _) = run(&["reset-password", "--username", "taiyuan"]);
    assert!(ok && out.contains("temporary password"), "{out}");
    let (ok, out, _) = run(&["list-users"]);
    assert!(
        ok && out.contains("ops\tplatform_admin\tplatform")
            && out.contains("taiyuan\tbureau_inspector\tregion 1401"),
        "{out}"
    );
}
