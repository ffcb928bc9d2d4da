//! An in-process platform for end-to-end tests of the API: the same `Application` that
//! `gateledger serve` runs, on a free port, with its own data directory and a fresh
//! database on the backend under test (a SQLite file, or a new database in the test
//! PostgreSQL cluster). Mail goes to the real SMTP server when the harness provides one;
//! evidence objects go to the local directory, or to a fresh bucket on the real S3 server.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use platform_server::config::{S3Settings, Settings, SmtpTls};
use platform_server::http::AppState;
use platform_server::startup::Application;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::require_env;

/// The SQL backend a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// A SQLite file in the test's data directory.
    Sqlite,
    /// A fresh database in the harness's PostgreSQL cluster.
    Postgres,
}

/// How to build the app.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Store evidence objects on the real S3 server instead of the local directory.
    pub s3: bool,
    /// Send mail through the real SMTP server (else into files).
    pub smtp: bool,
}

/// A running platform.
#[derive(Debug)]
pub struct TestApp {
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    /// The app's state, for direct storage checks.
    pub state: AppState,
    /// The backend.
    pub backend: Backend,
    /// The HTTP client (no redirects followed, so presigned redirects can be checked).
    pub http: reqwest::Client,
    task: tokio::task::JoinHandle<()>,
    _dir: tempfile::TempDir,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// An answer: status and JSON body (`Value::Null` when the body is not JSON).
#[derive(Debug, Clone)]
pub struct Answer {
    /// Status.
    pub status: StatusCode,
    /// Body.
    pub body: Value,
    /// Headers.
    pub headers: reqwest::header::HeaderMap,
}

impl Answer {
    /// The `error` code of an error body.
    pub fn error(&self) -> &str {
        self.body["error"].as_str().unwrap_or("")
    }

    /// Asserts the status, showing the body on failure.
    #[track_caller]
    pub fn expect(self, status: u16) -> Self {
        assert_eq!(self.status.as_u16(), status, "unexpected answer: {}", self.body);
        self
    }

    /// The `id` of a created object.
    #[track_caller]
    pub fn id(&self) -> Uuid {
        self.body["id"]
            .as_str()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("no id in {}", self.body))
    }
}

/// A signed-in client.
#[derive(Debug, Clone)]
pub struct Session {
    /// Bearer token.
    pub token: String,
    /// The user.
    pub user_id: Uuid,
    /// Sign-in name.
    pub username: String,
    /// Current password.
    pub password: String,
}

/// Builds a valid unified social credit code from 17 leading characters by finding the
/// check character the platform-domain parser accepts.
pub fn credit_code(seventeen: &str) -> String {
    const CHARS: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    CHARS
        .chars()
        .map(|c| format!("{seventeen}{c}"))
        .find(|code| platform_domain::credit_code::CreditCode::parse(code).is_ok())
        .unwrap_or_else(|| panic!("no check character makes {seventeen} valid"))
}

/// A unique suffix for names in a test.
pub fn unique() -> String {
    Uuid::now_v7().simple().to_string()[20..].to_owned()
}

impl TestApp {
    /// Starts a platform on `backend` with local objects and file mail.
    pub async fn spawn(backend: Backend) -> Self {
        Self::spawn_with(backend, Options::default()).await
    }

    /// Starts a platform with the given options.
    pub async fn spawn_with(backend: Backend, options: Options) -> Self {
        let dir = tempfile::tempdir().expect("data dir");
        let mut settings = Settings { data_dir: dir.path().to_owned(), ..Settings::default() };
        settings.http.bind = "127.0.0.1:0".parse().unwrap();
        settings.log.filter = "warn".into();
        if backend == Backend::Postgres {
            settings.database.url = Some(crate::pg::fresh_database().await.into());
            settings.database.max_connections = Some(8);
        }
        if options.smtp {
            let addr = require_env("GATELEDGER_TEST_SMTP");
            let (host, port) = addr.rsplit_once(':').expect("host:port");
            settings.mail.smtp_host = Some(host.to_owned());
            settings.mail.smtp_port = Some(port.parse().expect("port"));
            settings.mail.tls = SmtpTls::None;
        }
        if options.s3 {
            settings.objects.s3 = Some(S3Settings {
                endpoint: require_env("GATELEDGER_TEST_S3_ENDPOINT"),
                bucket: format!("t-{}", Uuid::now_v7().simple()),
                region: "us-east-1".into(),
                access_key: require_env("GATELEDGER_TEST_S3_ACCESS_KEY"),
                secret_key: require_env("GATELEDGER_TEST_S3_SECRET_KEY").into(),
                presign_seconds: 120,
            });
        }
        let app = Application::build(settings).await.expect("the platform starts");
        let url = format!("http://{}", app.http_addr());
        let state = app.state().clone();
        let task = tokio::spawn(async move {
            let _ = app.run_until_stopped(std::future::pending()).await;
        });
        let http =
            reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        Self { url, state, backend, http, task, _dir: dir }
    }

    /// An absolute API URL for `path` (under `/api/v1`).
    pub fn api(&self, path: &str) -> String {
        format!("{}/api/v1{path}", self.url)
    }

    /// Sends a JSON request as `who` (or anonymously) and returns the answer.
    pub async fn call(
        &self,
        who: Option<&Session>,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> Answer {
        let mut req = self.http.request(method, self.api(path));
        if let Some(s) = who {
            req = req.bearer_auth(&s.token);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        Self::answer(req.send().await.expect("request")).await
    }

    /// Turns a response into an [`Answer`].
    pub async fn answer(resp: reqwest::Response) -> Answer {
        let status = resp.status();
        let headers = resp.headers().clone();
        let bytes = resp.bytes().await.unwrap_or_default();
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Answer { status, body, headers }
    }

    /// GET as `who`.
    pub async fn get(&self, who: &Session, path: &str) -> Answer {
        self.call(Some(who), Method::GET, path, None).await
    }

    /// POST JSON as `who`.
    pub async fn post(&self, who: &Session, path: &str, body: Value) -> Answer {
        self.call(Some(who), Method::POST, path, Some(body)).await
    }

    /// Signs in and returns the raw answer.
    pub async fn login_answer(&self, username: &str, password: &str, totp: Option<&str>) -> Answer {
        let mut body = json!({"username": username, "password": password});
        if let Some(code) = totp {
            body["totp"] = json!(code);
        }
        self.call(None, Method::POST, "/auth/login", Some(body)).await
    }

    /// Signs in; when the account must change its password, changes it to a fresh one.
    pub async fn login(&self, username: &str, password: &str) -> Session {
        let a = self.login_answer(username, password, None).await.expect(200);
        let mut session = Session {
            token: a.body["token"].as_str().unwrap().to_owned(),
            user_id: a.body["user"]["id"].as_str().unwrap().parse().unwrap(),
            username: username.to_owned(),
            password: password.to_owned(),
        };
        if a.body["user"]["must_change_password"] == json!(true) {
            let new = format!("Pw{}x9", unique());
            let changed = self
                .post(
                    &session,
                    "/me/password",
                    json!({"current_password": password, "new_password": new}),
                )
                .await
                .expect(200);
            session.token = changed.body["token"].as_str().unwrap().to_owned();
            session.password = new;
        }
        session
    }

    /// A platform admin, created through the `admin` command path, signed in.
    pub async fn root(&self) -> Session {
        let name = format!("root{}", unique());
        let out = platform_server::admin::run(
            &self.state.db,
            platform_server::admin::AdminRequest::CreatePlatformAdmin {
                username: name.clone(),
                display_name: "平台管理员".into(),
                email: None,
            },
        )
        .await
        .expect("create platform admin");
        let password = out.rsplit("temporary password: ").next().unwrap().trim().to_owned();
        self.login(&name, &password).await
    }

    /// Registers an enterprise with one document, approves it as `root`, and signs its
    /// first admin in. Returns (tenant id, admin session).
    pub async fn enterprise(
        &self,
        root: &Session,
        name: &str,
        region: &str,
        industry: &str,
        rating: &str,
    ) -> (Uuid, Session) {
        let admin = format!("adm{}", unique());
        let code = credit_code(&format!(
            "91{region}MA0{}",
            &unique()[..6].to_uppercase().replace(['I', 'O', 'Z', 'S', 'V'], "1")
        ));
        let form = reqwest::multipart::Form::new()
            .text("name", name.to_owned())
            .text("credit_code", code)
            .text("region_code", region.to_owned())
            .text("industry", industry.to_owned())
            .text("rating", rating.to_owned())
            .text("contact_name", "环保专员".to_owned())
            .text("contact_email", format!("{admin}@plant.test"))
            .text("admin_username", admin.clone())
            .part(
                "business_licence",
                reqwest::multipart::Part::bytes(jpeg(b"licence")).file_name("licence.jpg"),
            );
        let reg = Self::answer(
            self.http.post(self.api("/registrations")).multipart(form).send().await.unwrap(),
        )
        .await
        .expect(201);
        let approved = self
            .post(root, &format!("/admin/registrations/{}/approve", reg.id()), json!({}))
            .await
            .expect(200);
        let tenant: Uuid = approved.body["tenant_id"].as_str().unwrap().parse().unwrap();
        let temp = approved.body["temporary_password"].as_str().unwrap().to_owned();
        (tenant, self.login(&admin, &temp).await)
    }

    /// Creates a user of `role` in `tenant` as `admin` and signs them in.
    pub async fn member(&self, admin: &Session, tenant: Uuid, role: &str) -> Session {
        let name = format!("u{}", unique());
        let created = self
            .post(
                admin,
                &format!("/enterprises/{tenant}/users"),
                json!({"username": name, "display_name": "员工", "role": role}),
            )
            .await
            .expect(201);
        self.login(&name, created.body["temporary_password"].as_str().unwrap()).await
    }

    /// Creates a bureau inspector for `region` as `root` and signs them in.
    pub async fn inspector(&self, root: &Session, region: &str) -> Session {
        let name = format!("insp{}", unique());
        let created = self
            .post(
                root,
                "/admin/bureau-users",
                json!({"username": name, "display_name": "执法人员", "region_prefix": region}),
            )
            .await
            .expect(201);
        self.login(&name, created.body["temporary_password"].as_str().unwrap()).await
    }
}

/// A small valid JPEG-looking body: the JPEG magic, then `tag`.
pub fn jpeg(tag: &[u8]) -> Vec<u8> {
    let mut b = vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, b'J', b'F', b'I', b'F', 0x00];
    b.extend_from_slice(tag);
    b.extend_from_slice(&[0xFF, 0xD9]);
    b
}

/// Waits for a mail to `to` in the harness's Maildir and returns its decoded text body.
pub async fn wait_for_mail(to: &str) -> String {
    let maildir = PathBuf::from(require_env("GATELEDGER_TEST_MAILDIR")).join("new");
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        for entry in std::fs::read_dir(&maildir).expect("maildir").filter_map(Result::ok) {
            let Ok(raw) = std::fs::read(entry.path()) else { continue };
            let Ok(mail) = mailparse::parse_mail(&raw) else { continue };
            let addressed = mail
                .headers
                .iter()
                .any(|h| h.get_key().eq_ignore_ascii_case("to") && h.get_value().contains(to));
            if addressed {
                return text_of(&mail);
            }
        }
        assert!(Instant::now() < deadline, "no mail to {to} arrived");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn text_of(mail: &mailparse::ParsedMail<'_>) -> String {
    if mail.subparts.is_empty() {
        return mail.get_body().unwrap_or_default();
    }
    mail.subparts.iter().map(text_of).collect::<Vec<_>>().join("\n")
}
