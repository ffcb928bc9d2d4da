//! HTTPS served by the platform itself: with a certificate and key in the configuration it
//! speaks TLS, sends HSTS and marks its cookies Secure; without them it refuses plain HTTP
//! on anything but loopback unless explicitly told otherwise.

use platform_server::config::Settings;
use platform_server::startup::Application;

use crate::support::csrf_of;

fn cookies(resp: &reqwest::Response) -> Vec<String> {
    resp.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok().map(str::to_owned))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_platform_serves_https_with_secure_cookies_when_given_a_certificate() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let dir = tempfile::tempdir().unwrap();
    let cert =
        rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_owned(), "localhost".to_owned()])
            .unwrap();
    let (cert_path, key_path) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    std::fs::write(&cert_path, cert.cert.pem()).unwrap();
    std::fs::write(&key_path, cert.signing_key.serialize_pem()).unwrap();
    let mut settings = Settings { data_dir: dir.path().join("data"), ..Settings::default() };
    settings.http.bind = "127.0.0.1:0".parse().unwrap();
    settings.http.tls_cert = Some(cert_path);
    settings.http.tls_key = Some(key_path);
    let app = Application::build(settings).await.expect("the platform starts with TLS");
    let scheme = app.scheme();
    let url = format!("https://{}", app.http_addr());
    let out = platform_server::admin::run(
        &app.state().db,
        platform_server::admin::AdminRequest::CreatePlatformAdmin {
            username: "tlsroot".into(),
            display_name: "平台管理员".into(),
            email: None,
        },
    )
    .await
    .unwrap();
    let password = out.rsplit("temporary password: ").next().unwrap().trim().to_owned();
    let task = tokio::spawn(async move {
        let _ = app.run_until_stopped(std::future::pending()).await;
    });
    let trusting = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(cert.cert.pem().as_bytes()).unwrap())
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();

    let page = trusting.get(format!("{url}/")).send().await.expect("a TLS connection");
    let hsts =
        page.headers().get("strict-transport-security").map(|v| v.to_str().unwrap().to_owned());
    let set = cookies(&page);
    let html = page.text().await.unwrap();
    let token = csrf_of(&html).expect("the sign-in form");
    let login = trusting
        .post(format!("{url}/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("csrf={token}&username=tlsroot&password={password}"))
        .send()
        .await
        .unwrap();
    let login_status = login.status();
    let session = cookies(&login);
    let plain = reqwest::Client::new()
        .get(format!("http://{}/", url.trim_start_matches("https://")))
        .send()
        .await;
    task.abort();

    assert_eq!(scheme, "https");
    assert!(hsts.is_some_and(|h| h.contains("max-age=")), "HSTS over HTTPS");
    assert!(
        set.iter().any(|c| c.starts_with("gl_csrf=")
            && c.contains("Secure")
            && c.contains("HttpOnly")
            && c.contains("SameSite=Strict")),
        "{set:?}"
    );
    assert_eq!(login_status, 303);
    assert!(
        session.iter().any(|c| c.starts_with("gl_session=")
            && c.contains("Secure")
            && c.contains("HttpOnly")
            && c.contains("SameSite=Lax")),
        "{session:?}"
    );
    assert!(
        plain.is_err() || !plain.unwrap().status().is_success(),
        "no plain HTTP on the TLS port"
    );
}

#[tokio::test]
async fn plain_http_beyond_loopback_is_refused_unless_allowed() {
    let dir = tempfile::tempdir().unwrap();
    let mut settings = Settings { data_dir: dir.path().to_owned(), ..Settings::default() };
    settings.http.bind = "0.0.0.0:0".parse().unwrap();

    let refused = Application::build(settings.clone()).await.map(|_| ()).unwrap_err().to_string();
    settings.http.plain_http_beyond_loopback = true;
    let allowed = Application::build(settings).await;

    assert!(refused.contains("refusing plain HTTP"), "{refused}");
    assert!(allowed.is_ok(), "explicitly allowed behind a TLS proxy");
}
