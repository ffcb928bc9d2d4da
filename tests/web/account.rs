//! The account pages over HTTP: one-time codes set up with the server-drawn QR code, a
//! password reset from the e-mailed link through the real SMTP server, and an enterprise
//! registration submitted on the public page and approved on the admin's.

use gateledger_e2e::platform::{
    Backend, Options, TestApp, credit_code, jpeg, unique, wait_for_mail,
};
use platform_server::auth::totp;
use serde_json::json;

use crate::support::{PageClient, csrf_of};

fn between<'a>(html: &'a str, start: &str, end: &str) -> &'a str {
    let at = html.find(start).unwrap_or_else(|| panic!("no {start}")) + start.len();
    let len = html[at..].find(end).expect("the end");
    &html[at..at + len]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_time_codes_are_set_up_from_the_qr_page_and_then_asked_at_sign_in() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let root = app.root().await;
    let (_t, admin) = app.enterprise(&root, "己水泥厂", "140105", "cement", "b").await;
    let page = PageClient::new(&app);
    assert_eq!(page.login(&admin.username, &admin.password).await.status, 303);

    let setup = page.post("/account/totp/setup", &[]).await;
    let secret = between(&setup.body, "id=\"totp-secret\">", "<").to_owned();
    let qr = between(&setup.body, "id=\"totp-qr\">", "</div>").to_owned();
    let wrong = page.post("/account/totp/enable", &[("code", "000000")]).await;
    let code = totp::code_at(&totp::from_base32(&secret).unwrap(), chrono::Utc::now().timestamp());
    let enabled = page.post("/account/totp/enable", &[("code", &code)]).await;
    let again = PageClient::new(&app);
    let without = again.login(&admin.username, &admin.password).await;
    let start = again.get("/").await;
    let token = csrf_of(&start.body).unwrap();
    let code = totp::code_at(&totp::from_base32(&secret).unwrap(), chrono::Utc::now().timestamp());
    let with = again
        .post_raw(
            "/login",
            &[
                ("csrf", &token),
                ("username", &admin.username),
                ("password", &admin.password),
                ("totp", &code),
            ],
        )
        .await;

    assert_eq!(setup.status, 200);
    assert!(
        qr.trim_start().starts_with("<svg") && qr.contains("h1v1h-1z"),
        "a QR code drawn as SVG"
    );
    assert_eq!(wrong.status, 422, "a wrong code is refused next to its field");
    assert!(wrong.body.contains("id=\"code-error\""));
    assert_eq!(
        (enabled.status.as_u16(), enabled.location.as_str()),
        (303, "/account?notice=totp_enabled")
    );
    assert_eq!(without.status, 401);
    assert!(
        without.body.contains("data-code=\"totp_required\""),
        "the sign-in page asks for the code"
    );
    assert_eq!(with.status, 303, "{}", with.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_password_is_reset_from_the_mailed_link_on_the_reset_page() {
    let app = TestApp::spawn_with(Backend::Sqlite, Options { smtp: true, s3: false }).await;
    let root = app.root().await;
    let (t, admin) = app.enterprise(&root, "庚焦化厂", "140105", "coking", "b").await;
    let name = format!("u{}", unique());
    let email = format!("{name}@plant.test");
    app.post(&admin, &format!("/enterprises/{t}/users"), json!({"username": name, "display_name": "化验员", "email": email, "role": "enterprise_viewer"}))
        .await
        .expect(201);
    // The welcome mail goes first (it carries a link too): the reset link is in a later mail.
    wait_for_mail(&email).await;
    let maildir = std::path::PathBuf::from(gateledger_e2e::require_env("GATELEDGER_TEST_MAILDIR"))
        .join("new");
    let before: std::collections::HashSet<_> =
        std::fs::read_dir(&maildir).unwrap().filter_map(Result::ok).map(|e| e.path()).collect();
    let visitor = PageClient::new(&app);

    let asked = visitor.post("/forgot-password", &[("username_or_email", &name)]).await;
    let mut link = String::new();
    for _ in 0..150 {
        for path in std::fs::read_dir(&maildir).unwrap().filter_map(Result::ok).map(|e| e.path()) {
            if before.contains(&path) {
                continue;
            }
            let raw = std::fs::read(&path).unwrap();
            let Ok(mail) = mailparse::parse_mail(&raw) else { continue };
            let to_us = mail
                .headers
                .iter()
                .any(|h| h.get_key().eq_ignore_ascii_case("to") && h.get_value().contains(&email));
            let body = if mail.subparts.is_empty() {
                mail.get_body().unwrap_or_default()
            } else {
                mail.subparts.iter().map(|p| p.get_body().unwrap_or_default()).collect()
            };
            if let (true, Some(tok)) = (to_us, body.split("/reset-password?token=").nth(1)) {
                link = tok
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                    .collect();
            }
        }
        if !link.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(!link.is_empty(), "the reset mail arrived");
    let form = visitor.get(&format!("/reset-password?token={link}")).await;
    let hidden = between(&form.body, "name=\"token\" value=\"", "\"").to_owned();
    let mismatch = visitor
        .post(
            "/reset-password",
            &[
                ("token", &hidden),
                ("new_password", "Neu2026pass"),
                ("confirm_password", "Other2026pass"),
            ],
        )
        .await;
    let reset = visitor
        .post(
            "/reset-password",
            &[
                ("token", &hidden),
                ("new_password", "Neu2026pass"),
                ("confirm_password", "Neu2026pass"),
            ],
        )
        .await;
    let reused = visitor
        .post(
            "/reset-password",
            &[
                ("token", &hidden),
                ("new_password", "Zwei2026pass"),
                ("confirm_password", "Zwei2026pass"),
            ],
        )
        .await;
    let signed_in = PageClient::new(&app).login(&name, "Neu2026pass").await;

    assert_eq!(
        (asked.status.as_u16(), asked.location.as_str()),
        (303, "/forgot-password?notice=reset_sent")
    );
    assert_eq!(hidden, link, "the page carries the link's token");
    assert_eq!(mismatch.status, 422);
    assert!(mismatch.body.contains("id=\"confirm_password-error\""));
    assert_eq!((reset.status.as_u16(), reset.location.as_str()), (303, "/?notice=reset_done"));
    assert_eq!(reused.status, 422, "a link works once");
    assert!(reused.body.contains("id=\"token-error\""));
    assert_eq!(signed_in.status, 303);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_enterprise_registers_on_the_public_page_and_an_admin_approves_it() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let root = app.root().await;
    let visitor = PageClient::new(&app);
    let start = visitor.get("/register").await;
    let token = csrf_of(&start.body).expect("the registration form");
    let code = credit_code("91140105MA0REG012");
    let admin_name = format!("adm{}", unique());
    let form = |bad: bool| {
        reqwest::multipart::Form::new()
            .text("csrf", token.clone())
            .text("name", "辛钢铁厂")
            .text("credit_code", if bad { "91140105MA0REG01X".to_owned() } else { code.clone() })
            .text("region_code", "140105")
            .text("industry", "steel")
            .text("rating", "a")
            .text("contact_name", "环保专员")
            .text("contact_email", "env@plant.test")
            .text("admin_username", admin_name.clone())
            .part(
                "business_licence",
                reqwest::multipart::Part::bytes(jpeg(b"licence")).file_name("营业执照.jpg"),
            )
    };
    let bad = visitor
        .http
        .post(format!("{}/register", app.url))
        .multipart(form(true))
        .send()
        .await
        .unwrap();
    let bad_status = bad.status();
    let bad_body = bad.text().await.unwrap();
    let sent = visitor
        .http
        .post(format!("{}/register", app.url))
        .multipart(form(false))
        .send()
        .await
        .unwrap();
    let sent_status = sent.status();
    let sent_body = sent.text().await.unwrap();
    let forged = reqwest::Client::new()
        .post(format!("{}/register", app.url))
        .multipart(form(false))
        .send()
        .await
        .unwrap()
        .status();

    let admin = PageClient::new(&app);
    assert_eq!(admin.login(&root.username, &root.password).await.status, 303);
    let list = admin.get("/admin/registrations").await;
    let id = between(&list.body, "href=\"/admin/registrations/", "\"").to_owned();
    let document = admin
        .http
        .get(format!("{}/admin/registrations/{id}/documents/0", app.url))
        .send()
        .await
        .unwrap();
    let document_status = document.status();
    let document_bytes = document.bytes().await.unwrap().to_vec();
    let approved = admin.post(&format!("/admin/registrations/{id}/approve"), &[]).await;
    let password = between(&approved.body, "<code class=\"secret\">", "</code>").to_owned();
    let first = PageClient::new(&app).login(&admin_name, &password).await;

    assert_eq!(bad_status, 422);
    assert!(bad_body.contains("data-field=\"credit_code\""), "the wrong field is named");
    assert_eq!(sent_status, 200);
    assert!(sent_body.contains("id=\"registration-sent\""));
    assert_eq!(forged, 403, "a registration without the page's token is refused");
    assert!(list.body.contains("辛钢铁厂"));
    assert_eq!(document_status, 200);
    assert_eq!(document_bytes, jpeg(b"licence"), "the licence as submitted");
    assert!(approved.body.contains("id=\"approved\""));
    assert_eq!(
        (first.status.as_u16(), first.location.as_str()),
        (303, "/account/password"),
        "the first sign-in changes the password"
    );
}
