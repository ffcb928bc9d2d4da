//! A cookie-keeping HTTP client that uses the pages as a browser does: it signs in through
//! the sign-in form and sends each form's anti-forgery token.

use gateledger_e2e::platform::TestApp;
use reqwest::StatusCode;

/// A browser-like client of one app.
#[derive(Debug)]
pub struct PageClient {
    pub http: reqwest::Client,
    pub base: String,
}

/// A page answer.
#[derive(Debug)]
pub struct PageAnswer {
    pub status: StatusCode,
    pub location: String,
    pub headers: reqwest::header::HeaderMap,
    pub body: String,
}

/// The anti-forgery token of the first form of a page.
pub fn csrf_of(html: &str) -> Option<String> {
    let at = html.find("name=\"csrf\" value=\"")? + "name=\"csrf\" value=\"".len();
    Some(html[at..].split('"').next()?.to_owned())
}

impl PageClient {
    pub fn new(app: &TestApp) -> Self {
        let http = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        Self { http, base: app.url.clone() }
    }

    async fn answer(resp: reqwest::Response) -> PageAnswer {
        let status = resp.status();
        let headers = resp.headers().clone();
        let location =
            headers.get("location").and_then(|l| l.to_str().ok()).unwrap_or("").to_owned();
        PageAnswer { status, location, headers, body: resp.text().await.unwrap_or_default() }
    }

    pub async fn get(&self, path: &str) -> PageAnswer {
        Self::answer(self.http.get(format!("{}{path}", self.base)).send().await.unwrap()).await
    }

    /// A token valid for this client's cookie and session, read from a page it may see.
    pub async fn token(&self) -> String {
        let page = self.get("/account").await;
        let page = if page.status == 200 { page } else { self.get("/").await };
        csrf_of(&page.body).expect("a page with a form")
    }

    /// POSTs a url-encoded form, adding this client's token.
    pub async fn post(&self, path: &str, fields: &[(&str, &str)]) -> PageAnswer {
        let token = self.token().await;
        let mut form: Vec<(&str, &str)> = vec![("csrf", token.as_str())];
        form.extend_from_slice(fields);
        self.post_raw(path, &form).await
    }

    /// POSTs exactly these fields (no token added).
    pub async fn post_raw(&self, path: &str, fields: &[(&str, &str)]) -> PageAnswer {
        let body = fields
            .iter()
            .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
            .collect::<Vec<_>>()
            .join("&");
        let resp = self
            .http
            .post(format!("{}{path}", self.base))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .unwrap();
        Self::answer(resp).await
    }

    /// Signs in through the form; returns where the platform sends the user.
    pub async fn login(&self, username: &str, password: &str) -> PageAnswer {
        let start = self.get("/").await;
        let token = csrf_of(&start.body).expect("the sign-in form");
        self.post_raw("/login", &[("csrf", &token), ("username", username), ("password", password)])
            .await
    }
}

/// Form (application/x-www-form-urlencoded) encoding of one value.
fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'*' => {
                (b as char).to_string()
            }
            b' ' => "+".to_owned(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
