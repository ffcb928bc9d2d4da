//! Every auth flow end to end: sign-in with its audit trail, lockout, the forced password
//! change, reset by e-mail through the real SMTP server, the TOTP second factor, cookies,
//! and revocation (logout, password change, disabling a user, ending one session).

use gateledger_e2e::platform::{Backend, Options, Session, TestApp, unique, wait_for_mail};
use platform_server::auth::totp;
use platform_server::storage::users;
use reqwest::Method;
use serde_json::json;

use crate::both_backends;

both_backends!(
    sign_in_is_recorded_and_bad_credentials_are_refused,
    repeated_failures_lock_the_account_until_the_lock_ends,
    a_new_account_must_change_its_password_first,
    password_reset_by_email_through_real_smtp,
    totp_second_factor,
    sessions_end_on_logout_password_change_and_disabling,
    cookie_sessions_and_languages,
);

async fn sign_in_is_recorded_and_bad_credentials_are_refused(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let root = app.root().await;

    // Arrange: an unknown user, a wrong password, then a good sign-in.
    let unknown = app.login_answer("nobody-here", "whatever1", None).await.expect(401);
    assert_eq!(unknown.error(), "bad_credentials");
    let wrong = app.login_answer(&root.username, "wrong-password-1", None).await.expect(401);
    assert_eq!(wrong.error(), "bad_credentials", "unknown user and wrong password look the same");
    let ok = app.login_answer(&root.username, &root.password, None).await.expect(200);
    assert!(ok.body["token"].as_str().unwrap().len() > 20);

    // Assert: the attempts are in the user's sign-in history, with address and result.
    let history = app.get(&root, "/me/logins").await.expect(200);
    let results: Vec<&str> =
        history.body.as_array().unwrap().iter().map(|e| e["result"].as_str().unwrap()).collect();
    assert_eq!(&results[..2], &["ok", "bad_password"]);
    assert_eq!(history.body[0]["ip"], json!("127.0.0.1"));
    assert!(history.body[0]["user_agent"].is_string() || history.body[0]["user_agent"].is_null());
    let missing = app
        .call(None, Method::POST, "/auth/login", Some(json!({"username": "", "password": "x"})))
        .await
        .expect(422);
    assert_eq!(missing.body["field"], json!("username"));
}

async fn repeated_failures_lock_the_account_until_the_lock_ends(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let root = app.root().await;
    for _ in 0..4 {
        assert_eq!(
            app.login_answer(&root.username, "wrong-password-1", None).await.expect(401).error(),
            "bad_credentials"
        );
    }
    // The fifth failure locks; from then on even the right password is refused.
    assert_eq!(
        app.login_answer(&root.username, "wrong-password-1", None).await.expect(401).error(),
        "account_locked"
    );
    assert_eq!(
        app.login_answer(&root.username, &root.password, None).await.expect(401).error(),
        "account_locked"
    );
    // The account shows the lock to administrators.
    let listed = app.get(&root, "/admin/users").await.expect(200);
    let me = listed.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == json!(root.username))
        .unwrap()
        .clone();
    assert!(me["locked_until"].is_string(), "{me}");
    // When the lock ends, the right password works again.
    let mut db = app.state.db.clone();
    let user = users::find_by_username(&mut db, &root.username).await.unwrap().unwrap();
    users::record_failure(
        &mut db,
        user.id,
        0,
        Some(chrono::Utc::now() - chrono::Duration::minutes(1)),
    )
    .await
    .unwrap();
    app.login_answer(&root.username, &root.password, None).await.expect(200);
    let history = app.get(&root, "/me/logins").await.expect(200);
    let locked =
        history.body.as_array().unwrap().iter().filter(|e| e["result"] == json!("locked")).count();
    assert_eq!(locked, 1);
}

async fn a_new_account_must_change_its_password_first(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let root = app.root().await;
    let name = format!("insp{}", unique());
    let created = app
        .post(
            &root,
            "/admin/bureau-users",
            json!({"username": name, "display_name": "检查员", "region_prefix": "1401"}),
        )
        .await
        .expect(201);
    let temp = created.body["temporary_password"].as_str().unwrap().to_owned();
    let first = app.login_answer(&name, &temp, None).await.expect(200);
    assert_eq!(first.body["user"]["must_change_password"], json!(true));
    let s = Session {
        token: first.body["token"].as_str().unwrap().into(),
        user_id: root.user_id,
        username: name.clone(),
        password: temp.clone(),
    };
    // Everything but the account itself is refused until the password changes.
    assert_eq!(app.get(&s, "/enterprises").await.expect(403).error(), "password_change_required");
    app.get(&s, "/me").await.expect(200);
    // The policy is checked, naming the field.
    let weak = app
        .post(&s, "/me/password", json!({"current_password": temp, "new_password": "short"}))
        .await
        .expect(422);
    assert_eq!(
        (weak.error(), weak.body["field"].as_str()),
        ("password_too_short", Some("new_password"))
    );
    let wrong = app
        .post(
            &s,
            "/me/password",
            json!({"current_password": "nope", "new_password": "Gate2026ledger"}),
        )
        .await
        .expect(422);
    assert_eq!(wrong.body["field"], json!("current_password"));
    let changed = app
        .post(
            &s,
            "/me/password",
            json!({"current_password": temp, "new_password": "Gate2026ledger"}),
        )
        .await
        .expect(200);
    let fresh = Session { token: changed.body["token"].as_str().unwrap().into(), ..s.clone() };
    app.get(&fresh, "/enterprises").await.expect(200);
    // The old token ended with the change.
    assert_eq!(app.get(&s, "/me").await.expect(401).error(), "session_ended");
}

async fn password_reset_by_email_through_real_smtp(backend: Backend) {
    let app = TestApp::spawn_with(backend, Options { smtp: true, ..Options::default() }).await;
    let root = app.root().await;
    let name = format!("insp{}", unique());
    let email = format!("{name}@bureau.test");
    let created = app
        .post(&root, "/admin/bureau-users", json!({"username": name, "display_name": "检查员", "email": email, "region_prefix": "14"}))
        .await
        .expect(201);
    let inspector = app.login(&name, created.body["temporary_password"].as_str().unwrap()).await;
    // The welcome mail arrived too (it carries a set-password link).
    let welcome = wait_for_mail(&email).await;
    assert!(welcome.contains(&name), "{welcome}");

    // Act: ask for a reset by e-mail address; the answer does not reveal the account.
    app.call(None, Method::POST, "/auth/password-reset", Some(json!({"username_or_email": email})))
        .await
        .expect(202);
    app.call(
        None,
        Method::POST,
        "/auth/password-reset",
        Some(json!({"username_or_email": "ghost@nowhere.test"})),
    )
    .await
    .expect(202);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    let text = loop {
        if let Some(reset) = mails_to(&email).into_iter().find(|m| m.contains("重置")) {
            break reset;
        }
        assert!(std::time::Instant::now() < deadline, "no reset mail arrived");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    let token = text
        .split("token=")
        .nth(1)
        .expect("a link with a token")
        .split_whitespace()
        .next()
        .unwrap()
        .to_owned();

    // Assert: the token sets a new password once; old sessions end.
    let weak = app
        .call(
            None,
            Method::POST,
            "/auth/password-reset/confirm",
            Some(json!({"token": token, "new_password": "abc"})),
        )
        .await
        .expect(422);
    assert_eq!(weak.body["field"], json!("new_password"));
    app.call(
        None,
        Method::POST,
        "/auth/password-reset/confirm",
        Some(json!({"token": token, "new_password": "Reset2026pass"})),
    )
    .await
    .expect(200);
    let again = app
        .call(
            None,
            Method::POST,
            "/auth/password-reset/confirm",
            Some(json!({"token": token, "new_password": "Other2026pass"})),
        )
        .await
        .expect(422);
    assert_eq!(again.error(), "token_invalid");
    assert_eq!(app.get(&inspector, "/me").await.expect(401).error(), "session_ended");
    app.login_answer(&name, "Reset2026pass", None).await.expect(200);
    assert_eq!(
        app.login_answer(&name, &inspector.password, None).await.expect(401).error(),
        "bad_credentials"
    );
}

/// Every decoded mail addressed to `to`.
fn mails_to(to: &str) -> Vec<String> {
    let dir = std::path::PathBuf::from(gateledger_e2e::require_env("GATELEDGER_TEST_MAILDIR"))
        .join("new");
    std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .filter_map(|e| std::fs::read(e.path()).ok())
        .filter_map(|raw| {
            let mail = mailparse::parse_mail(&raw).ok()?;
            let addressed = mail
                .headers
                .iter()
                .any(|h| h.get_key().eq_ignore_ascii_case("to") && h.get_value().contains(to));
            addressed.then(|| mail.get_body().unwrap_or_default())
        })
        .collect()
}

async fn totp_second_factor(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let root = app.root().await;
    let setup = app.post(&root, "/me/totp", json!({})).await.expect(200);
    let secret = totp::from_base32(setup.body["secret"].as_str().unwrap()).unwrap();
    assert!(setup.body["uri"].as_str().unwrap().starts_with("otpauth://totp/gateledger:"));
    // Until enabled, sign-in does not ask for a code.
    app.login_answer(&root.username, &root.password, None).await.expect(200);
    let bad = app.post(&root, "/me/totp/enable", json!({"code": "000000"})).await.expect(422);
    assert_eq!(bad.body["field"], json!("code"));
    let now = chrono::Utc::now().timestamp();
    app.post(&root, "/me/totp/enable", json!({"code": totp::code_at(&secret, now)}))
        .await
        .expect(200);

    assert_eq!(
        app.login_answer(&root.username, &root.password, None).await.expect(401).error(),
        "totp_required"
    );
    let wrong = if totp::code_at(&secret, now) == "123456" { "654321" } else { "123456" };
    assert_eq!(
        app.login_answer(&root.username, &root.password, Some(wrong)).await.expect(401).error(),
        "totp_invalid"
    );
    let ok = app
        .login_answer(
            &root.username,
            &root.password,
            Some(&totp::code_at(&secret, chrono::Utc::now().timestamp())),
        )
        .await
        .expect(200);
    assert_eq!(ok.body["user"]["totp_enabled"], json!(true));

    // Turning it off needs the password.
    let no = app.post(&root, "/me/totp/disable", json!({"password": "nope"})).await.expect(422);
    assert_eq!(no.body["field"], json!("password"));
    app.post(&root, "/me/totp/disable", json!({"password": root.password})).await.expect(200);
    app.login_answer(&root.username, &root.password, None).await.expect(200);
}

async fn sessions_end_on_logout_password_change_and_disabling(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let root = app.root().await;
    let (tenant, admin) = app.enterprise(&root, "太原钢铁测试厂", "140105", "steel", "b").await;
    let operator = app.member(&admin, tenant, "enterprise_operator").await;

    // A second session of the operator, then one ended by id.
    let second = app.login(&operator.username, &operator.password).await;
    let sessions = app.get(&operator, "/me/sessions").await.expect(200);
    assert_eq!(sessions.body.as_array().unwrap().len(), 2);
    let other = sessions
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["current"] == json!(false))
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.call(Some(&operator), Method::DELETE, &format!("/me/sessions/{other}"), None)
        .await
        .expect(200);
    assert_eq!(app.get(&second, "/me").await.expect(401).error(), "session_ended");

    // Logout ends the session.
    let third = app.login(&operator.username, &operator.password).await;
    app.post(&third, "/auth/logout", json!({})).await.expect(200);
    assert_eq!(app.get(&third, "/me").await.expect(401).error(), "session_ended");

    // Disabling the user ends every session at once and blocks sign-in; it is audited.
    app.get(&operator, "/me").await.expect(200);
    app.call(
        Some(&admin),
        Method::PATCH,
        &format!("/enterprises/{tenant}/users/{}", operator.user_id),
        Some(json!({"disabled": true})),
    )
    .await
    .expect(200);
    assert_eq!(app.get(&operator, "/me").await.expect(401).error(), "session_ended");
    assert_eq!(
        app.login_answer(&operator.username, &operator.password, None).await.expect(401).error(),
        "account_disabled"
    );
    let audit = app
        .get(
            &admin,
            &format!("/enterprises/{tenant}/audit?entity=user&entity_id={}", operator.user_id),
        )
        .await
        .expect(200);
    let actions: Vec<&str> = audit.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert!(actions.contains(&"disable"), "{actions:?}");
    // An admin cannot lock themselves out.
    let selfish = app
        .call(
            Some(&admin),
            Method::PATCH,
            &format!("/enterprises/{tenant}/users/{}", admin.user_id),
            Some(json!({"disabled": true})),
        )
        .await
        .expect(422);
    assert_eq!(selfish.error(), "self_lockout");
}

async fn cookie_sessions_and_languages(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let root = app.root().await;
    let resp = app
        .http
        .post(app.api("/auth/login"))
        .json(&json!({"username": root.username, "password": root.password}))
        .send()
        .await
        .unwrap();
    let cookie = resp.headers().get("set-cookie").unwrap().to_str().unwrap().to_owned();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"), "{cookie}");
    let pair = cookie.split(';').next().unwrap().to_owned();
    let me = app.http.get(app.api("/me")).header("cookie", &pair).send().await.unwrap();
    assert_eq!(me.status(), 200);
    // Errors speak Chinese by default, English when asked.
    let zh = app.http.get(app.api("/me")).send().await.unwrap();
    assert_eq!(TestApp::answer(zh).await.body["message"], json!("请先登录"));
    let en = app
        .http
        .get(app.api("/me"))
        .header("accept-language", "en-GB,en;q=0.9")
        .send()
        .await
        .unwrap();
    assert_eq!(TestApp::answer(en).await.body["message"], json!("please sign in"));
    // Broken JSON is a clear 400.
    let broken = app
        .http
        .post(app.api("/auth/login"))
        .header("content-type", "application/json")
        .body("{\"username\":")
        .send()
        .await
        .unwrap();
    let broken = TestApp::answer(broken).await.expect(400);
    assert_eq!(broken.error(), "bad_json");
}
