//! The sign-in page (`/` for visitors), sign-out, the language switch, the caller's
//! account: forced and voluntary password change, password reset by e-mailed link, and
//! one-time codes with the secret shown as a QR code drawn on the server.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderValue, request::Parts};
use axum::response::{IntoResponse, Redirect};
use serde::Deserialize;

use super::{Ctx, FieldErrors, FormData, PageError, PageResult, Route, Viewer, done, get, post};
use crate::auth::flows::{self, LoginInput};
use crate::auth::principal::client;
use crate::auth::totp;
use crate::error::AppError;
use crate::http::AppState;
use crate::http::api::auth::session_cookie;
use crate::i18n::Lang;
use crate::storage::sessions;

pub(super) fn routes() -> Vec<Route> {
    vec![
        get("/", start),
        post("/login", login),
        post("/logout", logout),
        post("/lang", switch_language),
        get("/account", account),
        post("/account", update_account),
        get("/account/password", password_form),
        post("/account/password", change_password),
        post("/account/totp/setup", totp_setup),
        post("/account/totp/enable", totp_enable),
        post("/account/totp/disable", totp_disable),
        get("/forgot-password", forgot_form),
        post("/forgot-password", forgot),
        get("/reset-password", reset_form),
        post("/reset-password", reset),
    ]
}

#[derive(Template)]
#[template(path = "login.html")]
struct Login {
    c: Ctx,
    username: String,
    error: Option<(String, String)>,
    lock_minutes: u32,
}

/// `/`: the sign-in page for a visitor; a signed-in user goes home.
async fn start(State(state): State<AppState>, v: Viewer) -> PageResult {
    if v.must_change.is_some() {
        return Err(PageError::Redirect("/account/password".into()));
    }
    if let Some(u) = &v.user {
        return Err(PageError::Redirect(super::home_of(u)));
    }
    super::page(&Login {
        c: v.bare(v_t(&v, "登录", "Sign in")),
        username: String::new(),
        error: None,
        lock_minutes: state.settings.auth.lockout_minutes,
    })
}

fn v_t(v: &Viewer, zh: &'static str, en: &'static str) -> &'static str {
    if v.en { en } else { zh }
}

async fn login(
    State(state): State<AppState>,
    v: Viewer,
    parts: Parts,
    form: FormData,
) -> PageResult {
    let username = form.get("username");
    let (ip, user_agent) = client(&parts);
    let result = if username.is_empty() {
        Err(AppError::Unauthorized("bad_credentials"))
    } else {
        flows::login(
            &state,
            LoginInput {
                username: username.clone(),
                password: form.get("password"),
                totp: form.opt("totp"),
                ip,
                user_agent,
            },
        )
        .await
    };
    match result {
        Ok(session) => {
            let to = if session.user.must_change_password {
                "/account/password".to_owned()
            } else {
                // The user's home; loading the roles again is cheap next to a sign-in.
                match crate::auth::principal::roles_of(&state, &session.user).await {
                    Ok((kind, _)) => home_for(kind, session.user.tenant_id),
                    Err(_) => "/".into(),
                }
            };
            let cookie = session_cookie(&state, &session);
            Ok(([(SET_COOKIE, cookie)], Redirect::to(&to)).into_response())
        }
        Err(AppError::Unauthorized(code)) => {
            let lang = if v.en { Lang::En } else { Lang::Zh };
            let message = AppError::Unauthorized(code).message(lang);
            let page = Login {
                c: v.bare(v_t(&v, "登录", "Sign in")),
                username,
                error: Some((code.to_owned(), message)),
                lock_minutes: state.settings.auth.lockout_minutes,
            };
            Ok((axum::http::StatusCode::UNAUTHORIZED, super::render(&page)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

fn home_for(kind: platform_domain::permissions::RoleKind, tenant: Option<uuid::Uuid>) -> String {
    use platform_domain::permissions::RoleKind;
    match kind {
        RoleKind::PlatformAdmin => "/admin".into(),
        RoleKind::BureauInspector => "/bureau".into(),
        RoleKind::GroupAdmin => "/group".into(),
        _ => tenant.map(|t| format!("/e/{t}")).unwrap_or_else(|| "/account".into()),
    }
}

fn clear_session_cookie(state: &AppState) -> HeaderValue {
    let secure = if state.settings.https() { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{}=; HttpOnly; SameSite=Lax; Path=/; Max-Age=0{secure}",
        crate::auth::session::COOKIE
    ))
    .expect("a valid header")
}

async fn logout(State(state): State<AppState>, v: Viewer) -> PageResult {
    if let Some(u) = v.user.as_ref().or(v.must_change.as_ref()) {
        let mut db = state.db.clone();
        sessions::revoke(&mut db, u.id(), u.session_id).await?;
    }
    Ok(([(SET_COOKIE, clear_session_cookie(&state))], Redirect::to("/?notice=signed_out"))
        .into_response())
}

async fn switch_language(
    State(state): State<AppState>,
    parts: Parts,
    form: FormData,
) -> PageResult {
    let lang = Lang::from_tag(&form.get("lang")).unwrap_or_default();
    let secure = if state.settings.https() { "; Secure" } else { "" };
    let cookie = HeaderValue::from_str(&format!(
        "lang={}; SameSite=Lax; Path=/; Max-Age=31536000{secure}",
        lang.tag()
    ))
    .expect("a valid header");
    // Back to the page the switch was on (same origin only).
    let back = parts
        .headers
        .get(axum::http::header::REFERER)
        .and_then(|r| r.to_str().ok())
        .and_then(|r| {
            let base = state.settings.public_url();
            r.strip_prefix(&base).map(str::to_owned).or_else(|| {
                let host = parts.headers.get(axum::http::header::HOST)?.to_str().ok()?;
                r.split_once("://").and_then(|(_, rest)| rest.strip_prefix(host)).map(str::to_owned)
            })
        })
        .filter(|p| p.starts_with('/') && !p.starts_with("//"))
        .unwrap_or_else(|| "/".into());
    Ok(([(SET_COOKIE, cookie)], Redirect::to(&back)).into_response())
}

// --------------------------------------------------------------------------- account

#[derive(Template)]
#[template(path = "account.html")]
struct Account {
    c: Ctx,
    username: String,
    display_name: String,
    email: String,
    locale: String,
    totp_enabled: bool,
    logins: Vec<(String, String, String)>,
    errors: FieldErrors,
}

async fn account_page(state: &AppState, v: &Viewer, errors: FieldErrors) -> PageResult {
    let u = v.require()?;
    let mut db = state.db.clone();
    let logins = sessions::list_logins(&mut db, u.id(), 10)
        .await?
        .into_iter()
        .map(|l| (super::local(&l.at), l.ip.unwrap_or_default(), login_result(&l.result, v.en)))
        .collect();
    let page = Account {
        c: v.ctx(v_t(v, "我的账户", "My account"), "account"),
        username: u.user.username.clone(),
        display_name: u.user.display_name.clone(),
        email: u.user.email.clone().unwrap_or_default(),
        locale: u.user.locale.clone(),
        totp_enabled: u.user.totp_enabled,
        logins,
        errors,
    };
    if page.errors.any() { super::invalid_form(&page) } else { super::page(&page) }
}

fn login_result(r: &str, en: bool) -> String {
    let (zh, e) = match r {
        "ok" => ("成功", "signed in"),
        "bad_password" => ("密码错误", "wrong password"),
        "locked" => ("账户锁定", "locked"),
        "disabled" => ("账户停用", "disabled"),
        "totp_required" => ("需要动态验证码", "code required"),
        "totp_invalid" => ("动态验证码错误", "wrong code"),
        other => (other, other),
    };
    if en { e.to_owned() } else { zh.to_owned() }
}

async fn account(State(state): State<AppState>, v: Viewer) -> PageResult {
    account_page(&state, &v, FieldErrors::default()).await
}

async fn update_account(State(state): State<AppState>, v: Viewer, form: FormData) -> PageResult {
    let u = v.require()?.clone();
    let changes = crate::http::api::auth::MeChanges {
        display_name: Some(form.get("display_name")),
        email: Some(form.get("email")),
        locale: Some(Lang::from_tag(&form.get("locale")).unwrap_or_default().tag().to_owned()),
    };
    match crate::http::api::auth::update_me(
        State(state.clone()),
        u,
        crate::http::extract::ApiJson(changes),
    )
    .await
    {
        Ok(_) => done("/account", "saved"),
        Err(e) => account_page(&state, &v, FieldErrors::from_error(e, v.en)?).await,
    }
}

// -------------------------------------------------------------------------- password

#[derive(Template)]
#[template(path = "password.html")]
struct Password {
    c: Ctx,
    forced: bool,
    errors: FieldErrors,
}

async fn password_form(v: Viewer) -> PageResult {
    let forced = v.must_change.is_some();
    if v.user.is_none() && !forced {
        return Err(PageError::Redirect("/".into()));
    }
    super::page(&Password {
        c: if forced {
            v.bare(v_t(&v, "修改密码", "Change password"))
        } else {
            v.ctx(v_t(&v, "修改密码", "Change password"), "account")
        },
        forced,
        errors: FieldErrors::default(),
    })
}

async fn change_password(State(state): State<AppState>, v: Viewer, form: FormData) -> PageResult {
    let forced = v.must_change.is_some();
    let Some(u) = v.must_change.as_ref().or(v.user.as_ref()) else {
        return Err(PageError::Redirect("/".into()));
    };
    let new = form.get("new_password");
    let result = if new != form.get("confirm_password") {
        Err(AppError::invalid(
            "confirm_password",
            "password_mismatch",
            "两次输入的新密码不一致",
            "the two new passwords differ",
        ))
    } else {
        flows::change_password(
            &state,
            &u.user,
            &u.actor(),
            &form.get("current_password"),
            &new,
            u.ip.clone(),
            u.user_agent.clone(),
        )
        .await
    };
    match result {
        Ok(session) => {
            let cookie = session_cookie(&state, &session);
            let home = match crate::auth::principal::roles_of(&state, &session.user).await {
                Ok((kind, _)) => home_for(kind, session.user.tenant_id),
                Err(_) => "/".into(),
            };
            Ok(([(SET_COOKIE, cookie)], Redirect::to(&format!("{home}?notice=password_changed")))
                .into_response())
        }
        Err(e) => {
            let errors = FieldErrors::from_error(e, v.en)?;
            let title = v_t(&v, "修改密码", "Change password");
            super::invalid_form(&Password {
                c: if forced { v.bare(title) } else { v.ctx(title, "account") },
                forced,
                errors,
            })
        }
    }
}

// ------------------------------------------------------------------------------ TOTP

#[derive(Template)]
#[template(path = "totp.html")]
struct TotpSetup {
    c: Ctx,
    secret: String,
    qr: String,
    error: String,
}

/// Draws a QR code as SVG: one path of dark modules inside a quiet zone.
pub fn qr_svg(text: &str) -> Option<String> {
    use qrcodegen::{QrCode, QrCodeEcc};
    let qr = QrCode::encode_text(text, QrCodeEcc::Medium).ok()?;
    let size = qr.size();
    let border = 4;
    let mut path = String::new();
    for y in 0..size {
        for x in 0..size {
            if qr.get_module(x, y) {
                path.push_str(&format!("M{},{}h1v1h-1z", x + border, y + border));
            }
        }
    }
    let dim = size + 2 * border;
    Some(format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {dim} {dim}\" role=\"img\" \
         aria-label=\"QR\" shape-rendering=\"crispEdges\"><rect width=\"{dim}\" height=\"{dim}\" \
         fill=\"#fff\"/><path d=\"{path}\" fill=\"#000\"/></svg>"
    ))
}

async fn totp_setup(State(state): State<AppState>, v: Viewer) -> PageResult {
    let u = v.require()?;
    if u.user.totp_enabled {
        return Err(AppError::BadRequest("invalid_state").into());
    }
    let (secret, uri) = flows::totp_setup(&state, &u.user).await?;
    super::page(&TotpSetup {
        c: v.ctx(v_t(&v, "设置动态验证码", "Set up one-time codes"), "account"),
        qr: qr_svg(&uri).unwrap_or_default(),
        secret,
        error: String::new(),
    })
}

async fn totp_enable(State(state): State<AppState>, v: Viewer, form: FormData) -> PageResult {
    let u = v.require()?;
    match flows::totp_enable(&state, &u.user, &u.actor(), &form.get("code")).await {
        Ok(()) => done("/account", "totp_enabled"),
        Err(e @ AppError::Invalid { .. }) => {
            let lang = if v.en { Lang::En } else { Lang::Zh };
            let secret = u.user.totp_secret.clone().unwrap_or_default();
            let uri = totp::from_base32(&secret)
                .map(|s| totp::otpauth_uri(&s, &u.user.username))
                .unwrap_or_default();
            super::invalid_form(&TotpSetup {
                c: v.ctx(v_t(&v, "设置动态验证码", "Set up one-time codes"), "account"),
                qr: qr_svg(&uri).unwrap_or_default(),
                secret,
                error: e.message(lang),
            })
        }
        Err(e) => Err(e.into()),
    }
}

async fn totp_disable(State(state): State<AppState>, v: Viewer, form: FormData) -> PageResult {
    let u = v.require()?;
    match flows::totp_disable(&state, &u.user, &u.actor(), &form.get("password")).await {
        Ok(()) => done("/account", "totp_disabled"),
        Err(e) => account_page(&state, &v, FieldErrors::from_error(e, v.en)?).await,
    }
}

// ----------------------------------------------------------------------------- reset

#[derive(Template)]
#[template(path = "forgot.html")]
struct Forgot {
    c: Ctx,
    error: String,
}

async fn forgot_form(v: Viewer) -> PageResult {
    super::page(&Forgot {
        c: v.bare(v_t(&v, "找回密码", "Forgot password")), error: String::new()
    })
}

async fn forgot(State(state): State<AppState>, v: Viewer, form: FormData) -> PageResult {
    let who = form.get("username_or_email");
    if who.is_empty() {
        return super::invalid_form(&Forgot {
            c: v.bare(v_t(&v, "找回密码", "Forgot password")),
            error: v_t(&v, "请填写登录名或电子邮箱", "enter your sign-in name or e-mail address")
                .to_owned(),
        });
    }
    let lang = if v.en { Lang::En } else { Lang::Zh };
    flows::request_reset(&state, &who, lang).await?;
    done("/forgot-password", "reset_sent")
}

#[derive(Debug, Deserialize)]
struct TokenQuery {
    token: Option<String>,
}

#[derive(Template)]
#[template(path = "reset.html")]
struct Reset {
    c: Ctx,
    token: String,
    errors: FieldErrors,
}

async fn reset_form(v: Viewer, Query(q): Query<TokenQuery>) -> PageResult {
    super::page(&Reset {
        c: v.bare(v_t(&v, "设置新密码", "Choose a new password")),
        token: q.token.unwrap_or_default(),
        errors: FieldErrors::default(),
    })
}

async fn reset(
    State(state): State<AppState>,
    v: Viewer,
    parts: Parts,
    form: FormData,
) -> PageResult {
    let (ip, _) = client(&parts);
    let token = form.get("token");
    let new = form.get("new_password");
    let result = if new != form.get("confirm_password") {
        Err(AppError::invalid(
            "confirm_password",
            "password_mismatch",
            "两次输入的新密码不一致",
            "the two new passwords differ",
        ))
    } else {
        flows::confirm_reset(&state, &token, &new, ip).await
    };
    match result {
        Ok(()) => done("/", "reset_done"),
        Err(e) => super::invalid_form(&Reset {
            c: v.bare(v_t(&v, "设置新密码", "Choose a new password")),
            token,
            errors: FieldErrors::from_error(e, v.en)?,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_qr_code_is_an_svg_of_square_modules() {
        let svg = qr_svg("otpauth://totp/gateledger:alice?secret=JBSWY3DPEHPK3PXP").unwrap();
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        // Version 3 or more for this length: at least 29 modules a side plus the quiet zone.
        let dim: usize =
            svg.split("viewBox=\"0 0 ").nth(1).unwrap().split(' ').next().unwrap().parse().unwrap();
        assert!(dim >= 29 + 8, "{dim}");
        assert!(svg.matches("h1v1h-1z").count() > 100, "dark modules drawn");
    }
}
