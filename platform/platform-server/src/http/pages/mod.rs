//! Server-rendered pages (askama templates under `web/templates`), one module per feature,
//! mirroring `http/api`.
//!
//! **How a page works.** A page reads and writes through the same handler functions as the
//! JSON API (`http::api::*`): the access check (404 for what the caller may not know, 403
//! for what it may see but not change), the validation, the transaction and its audit entry
//! exist once. A page handler turns a form into the API's input, calls the function, and
//! answers with a redirect (post/redirect/get) or with the form again, the error next to
//! its field in the user's language.
//!
//! **Texts.** Each text is written in the template where it is used, in both languages:
//! `{{ c.t("车辆台账", "Registries") }}`. A text cannot lack its translation, and no key
//! table can drift from the templates. zh-CN is the default; the `lang` cookie (set by the
//! language switch) or `Accept-Language` selects English. Times are shown in Beijing time
//! (Asia/Shanghai).
//!
//! **Security.** Every POST carries an anti-forgery token ([`csrf`]); pages load scripts
//! and styles from `/static/` only, under a content security policy without inline script
//! (`http::security`).
//!
//! **Live parts.** A page panel that updates live names its fragment route in
//! `data-panel-src`; `static/app.js` subscribes to the enterprise's event stream
//! (`/e/{tenant_id}/events`, fed by `http::events::EventHub`) and reloads the fragment when
//! its panel changes. The gate link's passages and gate health slot in as more panels.

pub mod account;
pub mod bureau;
pub mod charts;
pub mod csrf;
pub mod dashboard;
pub mod directory;
pub mod enterprises;
pub mod lists;
pub mod platform;
mod static_files;
pub mod vehicles;

use std::collections::BTreeMap;

use askama::Template;
use axum::Router;
use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::MethodRouter;
use chrono::{DateTime, Utc};
use platform_domain::permissions::{Action, Resource, RoleKind, allows};
use uuid::Uuid;

use super::AppState;
use crate::auth::{CurrentUser, SignedIn};
use crate::error::AppError;
use crate::i18n::Lang;
use crate::storage::tenants::TenantRow;

/// One page route: what the router serves and what the authorisation test walks.
pub struct Route {
    /// `GET` or `POST`.
    pub method: &'static str,
    /// The path, with `{name}` parameters.
    pub path: &'static str,
    handler: MethodRouter<AppState>,
}

impl std::fmt::Debug for Route {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.method, self.path)
    }
}

/// A GET route.
pub fn get<H, T>(path: &'static str, handler: H) -> Route
where
    H: axum::handler::Handler<T, AppState>,
    T: 'static,
{
    Route { method: "GET", path, handler: axum::routing::get(handler) }
}

/// A POST route.
pub fn post<H, T>(path: &'static str, handler: H) -> Route
where
    H: axum::handler::Handler<T, AppState>,
    T: 'static,
{
    Route { method: "POST", path, handler: axum::routing::post(handler) }
}

fn all_routes() -> Vec<Route> {
    let mut routes = Vec::new();
    routes.extend(account::routes());
    routes.extend(dashboard::routes());
    routes.extend(vehicles::routes());
    routes.extend(lists::routes());
    routes.extend(directory::routes());
    routes.extend(enterprises::routes());
    routes.extend(bureau::routes());
    routes.extend(platform::routes());
    routes
}

/// Every page route as (method, path): the authorisation test classifies each one, so a
/// new page cannot escape it.
pub fn route_table() -> Vec<(&'static str, &'static str)> {
    all_routes().iter().map(|r| (r.method, r.path)).collect()
}

/// The page routes, anti-forgery protected, and the static files.
pub fn router(state: &AppState) -> Router<AppState> {
    let mut by_path: BTreeMap<&'static str, MethodRouter<AppState>> = BTreeMap::new();
    for r in all_routes() {
        let merged = match by_path.remove(r.path) {
            Some(existing) => existing.merge(r.handler),
            None => r.handler,
        };
        by_path.insert(r.path, merged);
    }
    let mut router = Router::new();
    for (path, handler) in by_path {
        router = router.route(path, handler);
    }
    router
        .layer(axum::extract::DefaultBodyLimit::max(crate::http::upload::MAX_REQUEST))
        .layer(axum::middleware::from_fn_with_state(state.clone(), csrf::protect))
        .merge(static_files::router())
}

// -------------------------------------------------------------------------- context

/// A navigation entry.
#[derive(Debug, Clone)]
pub struct NavItem {
    /// Where it goes.
    pub href: String,
    /// What it says.
    pub label: &'static str,
    /// Whether it is the current section.
    pub active: bool,
}

/// What every page template gets: language, anti-forgery token, the user, navigation.
#[derive(Debug, Clone)]
pub struct Ctx {
    /// English (else zh-CN).
    pub en: bool,
    /// The anti-forgery token for forms.
    pub csrf: String,
    /// The signed-in user's name and role label.
    pub user: Option<(String, &'static str)>,
    /// The enterprise the page is about.
    pub tenant: Option<(Uuid, String)>,
    /// Navigation.
    pub nav: Vec<NavItem>,
    /// Navigation inside an enterprise (for inspectors, group and platform admins).
    pub subnav: Vec<NavItem>,
    /// A notice after a redirect.
    pub notice: Option<String>,
    /// The page's title.
    pub title: String,
}

impl Ctx {
    /// The text in the page's language.
    pub fn t<'a>(&self, zh: &'a str, en: &'a str) -> &'a str {
        if self.en { en } else { zh }
    }

    /// The `lang` attribute.
    pub fn lang(&self) -> &'static str {
        if self.en { "en" } else { "zh-CN" }
    }

    /// The language.
    pub fn language(&self) -> Lang {
        if self.en { Lang::En } else { Lang::Zh }
    }
}

/// A time in Beijing time, `YYYY-MM-DD HH:MM`.
pub fn local(t: &DateTime<Utc>) -> String {
    t.with_timezone(&chrono_tz::Asia::Shanghai).format("%Y-%m-%d %H:%M").to_string()
}

/// An optional time in Beijing time, or empty.
pub fn local_opt(t: &Option<DateTime<Utc>>) -> String {
    t.as_ref().map(local).unwrap_or_default()
}

/// The value of a `datetime-local` input for a time (Beijing time).
pub fn local_input(t: &DateTime<Utc>) -> String {
    t.with_timezone(&chrono_tz::Asia::Shanghai).format("%Y-%m-%dT%H:%M").to_string()
}

/// Reads a `datetime-local` input (Beijing time) as UTC.
pub fn parse_local_input(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    let naive = chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M")
        .or_else(|_| chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S"))
        .or_else(|_| chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M"))
        .ok()?;
    Some(platform_domain::schedule::from_beijing(naive))
}

/// The label of a role.
pub fn role_label(role: &str, en: bool) -> &'static str {
    role.parse::<RoleKind>()
        .map(|k| if en { k.label_en() } else { k.label_zh() })
        .unwrap_or(if en { "unknown role" } else { "未知角色" })
}

/// The visitor of a page: language and token always, the user when signed in.
#[derive(Debug, Clone)]
pub struct Viewer {
    /// The language.
    pub en: bool,
    /// The anti-forgery token.
    pub csrf: String,
    /// The user, when a valid session came with the request.
    pub user: Option<CurrentUser>,
    /// A user who still has to change their password.
    pub must_change: Option<CurrentUser>,
    /// The `notice` query parameter, if any (set by redirects after a write).
    pub notice: Option<String>,
}

impl FromRequestParts<AppState> for Viewer {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, PageError> {
        let en = crate::i18n::current() == Lang::En;
        let csrf =
            parts.extensions.get::<csrf::CsrfToken>().map(|t| t.0.clone()).unwrap_or_default();
        let (user, must_change) = match SignedIn::from_request_parts(parts, state).await {
            Ok(SignedIn(u)) if u.user.must_change_password => (None, Some(u)),
            Ok(SignedIn(u)) => (Some(u), None),
            Err(AppError::Unauthorized(_)) => (None, None),
            Err(e) => return Err(e.into()),
        };
        let notice = parts.uri.query().and_then(|q| {
            form_urlencoded::parse(q.as_bytes())
                .find(|(k, _)| k == "notice")
                .map(|(_, v)| notice_text(&v, en).to_owned())
        });
        Ok(Self { en, csrf, user, must_change, notice })
    }
}

/// The texts of the notices redirects name (only known codes are shown: a link cannot put
/// arbitrary text on a page).
fn notice_text(code: &str, en: bool) -> &'static str {
    let (zh, e) = match code {
        "saved" => ("已保存", "saved"),
        "created" => ("已创建", "created"),
        "deleted" => ("已删除", "deleted"),
        "uploaded" => ("已上传", "uploaded"),
        "imported" => ("已导入", "imported"),
        "issued" => ("预警已发布", "the alert is issued"),
        "cancelled" => ("已取消", "cancelled"),
        "lifted" => ("已解除", "lifted"),
        "password_changed" => ("密码已修改", "the password is changed"),
        "totp_enabled" => ("动态验证码已启用", "one-time codes are on"),
        "totp_disabled" => ("动态验证码已停用", "one-time codes are off"),
        "rejected" => ("已驳回", "rejected"),
        "signed_out" => ("已退出登录", "signed out"),
        "reset_sent" => (
            "如账户存在且登记了邮箱，重置链接已发送",
            "if the account exists and has an e-mail address, a reset link is on its way",
        ),
        "reset_done" => ("密码已重置，请登录", "the password is reset: sign in"),
        _ => ("", ""),
    };
    if en { e } else { zh }
}

impl Viewer {
    /// The signed-in user, or the sign-in page (or the forced password change).
    pub fn require(&self) -> Result<&CurrentUser, PageError> {
        if self.must_change.is_some() {
            return Err(PageError::Redirect("/account/password".into()));
        }
        self.user.as_ref().ok_or(PageError::Redirect("/".into()))
    }

    /// A context without navigation (sign-in, errors).
    pub fn bare(&self, title: &str) -> Ctx {
        Ctx {
            en: self.en,
            csrf: self.csrf.clone(),
            user: self
                .user
                .as_ref()
                .or(self.must_change.as_ref())
                .map(|u| (u.user.display_name.clone(), role_label(&u.user.role, self.en))),
            tenant: None,
            nav: Vec::new(),
            subnav: Vec::new(),
            notice: self.notice.clone().filter(|n| !n.is_empty()),
            title: title.to_owned(),
        }
    }

    /// A context with the user's navigation; `section` marks the current entry.
    pub fn ctx(&self, title: &str, section: &str) -> Ctx {
        let mut c = self.bare(title);
        if let Some(u) = &self.user {
            c.nav = nav(u, self.en, section);
        }
        c
    }

    /// A context for a page about enterprise `t`, with the enterprise's navigation.
    pub fn tenant_ctx(&self, title: &str, t: &TenantRow, section: &str) -> Ctx {
        let mut c = self.ctx(title, section);
        c.tenant = Some((t.id, t.name.clone()));
        if let Some(u) = &self.user {
            let items = tenant_nav(u, t.id, self.en, section);
            if matches!(
                u.kind,
                RoleKind::BureauInspector | RoleKind::GroupAdmin | RoleKind::PlatformAdmin
            ) {
                c.subnav = items;
            } else {
                c.nav = items;
            }
        }
        c
    }
}

/// Where a user lands after signing in.
pub fn home_of(u: &CurrentUser) -> String {
    match u.kind {
        RoleKind::PlatformAdmin => "/admin".into(),
        RoleKind::BureauInspector => "/bureau".into(),
        RoleKind::GroupAdmin => "/group".into(),
        _ => match u.user.tenant_id {
            Some(t) => format!("/e/{t}"),
            None => "/account".into(),
        },
    }
}

fn item(href: String, zh: &'static str, en_label: &'static str, en: bool, active: bool) -> NavItem {
    NavItem { href, label: if en { en_label } else { zh }, active }
}

fn nav(u: &CurrentUser, en: bool, section: &str) -> Vec<NavItem> {
    let i = |href: &str, key: &str, zh, e| item(href.to_owned(), zh, e, en, section == key);
    match u.kind {
        RoleKind::PlatformAdmin => vec![
            i("/admin", "admin", "平台概况", "Overview"),
            i("/admin/registrations", "registrations", "注册审核", "Registrations"),
            i("/admin/enterprises", "enterprises", "企业", "Enterprises"),
            i("/admin/users", "users", "账户", "Accounts"),
            i("/admin/groups", "groups", "集团", "Groups"),
            i("/admin/health", "health", "平台状态", "Health"),
            i("/admin/audit", "audit", "操作日志", "Audit log"),
        ],
        RoleKind::BureauInspector => vec![
            i("/bureau", "bureau", "辖区企业", "Enterprises"),
            i("/bureau/alerts", "alerts", "重污染天气预警", "Pollution alerts"),
            i("/bureau/blacklist", "blacklist", "黑名单", "Blacklist"),
            i("/bureau/audit", "audit", "操作日志", "Audit log"),
        ],
        RoleKind::GroupAdmin => vec![i("/group", "group", "集团企业", "Plants")],
        _ => match u.user.tenant_id {
            Some(t) => tenant_nav(u, t, en, section),
            None => Vec::new(),
        },
    }
}

fn tenant_nav(u: &CurrentUser, t: Uuid, en: bool, section: &str) -> Vec<NavItem> {
    let can = |r: Resource| allows(u.kind, r, Action::Read);
    let mut v = Vec::new();
    let mut i = |path: &str, key: &str, zh, e| {
        v.push(item(format!("/e/{t}{path}"), zh, e, en, section == key));
    };
    if u.kind != RoleKind::PlatformAdmin {
        i("", "dashboard", "首页", "Dashboard");
    }
    if can(Resource::Vehicles) {
        i("/vehicles", "vehicles", "车辆台账", "Registries");
    }
    if can(Resource::EnterpriseLists) {
        i("/lists/whitelist", "lists", "通行名单", "Lists");
    }
    if can(Resource::AdmissionRules) {
        i("/rules", "rules", "准入规则", "Admission rules");
    }
    if can(Resource::Devices) {
        i("/gates", "gates", "门岗", "Gates");
    }
    if can(Resource::Members) {
        i("/users", "users", "用户", "Users");
    }
    if can(Resource::AuditLog) {
        i("/audit", "audit", "操作日志", "Audit log");
    }
    i("/profile", "profile", "企业信息", "Profile");
    if can(Resource::RegionAlerts) && u.kind != RoleKind::PlatformAdmin {
        i("/alerts", "alerts", "预警与管控", "Alerts");
    }
    if can(Resource::Vehicles) {
        i("/screen", "screen", "数字大屏", "Big screen");
    }
    v
}

/// Whether the user may change `resource` of an enterprise (controls that change data are
/// rendered only then).
pub fn can_write(u: &CurrentUser, resource: Resource) -> bool {
    allows(u.kind, resource, Action::Write)
}

// ---------------------------------------------------------------------------- errors

/// A page that could not be shown: an error page, or a redirect.
#[derive(Debug)]
pub enum PageError {
    /// An error, shown as a page with its status.
    App(AppError),
    /// Go elsewhere (sign in, change the password).
    Redirect(String),
}

impl From<AppError> for PageError {
    fn from(e: AppError) -> Self {
        match e {
            AppError::Unauthorized(_) => Self::Redirect("/".into()),
            AppError::Forbidden("password_change_required") => {
                Self::Redirect("/account/password".into())
            }
            other => Self::App(other),
        }
    }
}

impl From<sqlx::Error> for PageError {
    fn from(e: sqlx::Error) -> Self {
        Self::App(e.into())
    }
}

/// The result of a page handler.
pub type PageResult = Result<Response, PageError>;

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    c: Ctx,
    status: u16,
    message: String,
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        match self {
            Self::Redirect(to) => Redirect::to(&to).into_response(),
            Self::App(e) => {
                if let AppError::Internal(err) = &e {
                    tracing::error!(error = format!("{err:#}"), "page failed");
                }
                let lang = crate::i18n::current();
                let en = lang == Lang::En;
                let c = Ctx {
                    en,
                    csrf: String::new(),
                    user: None,
                    tenant: None,
                    nav: Vec::new(),
                    subnav: Vec::new(),
                    notice: None,
                    title: e.status().to_string(),
                };
                let page = ErrorPage { c, status: e.status().as_u16(), message: e.message(lang) };
                (e.status(), render(&page)).into_response()
            }
        }
    }
}

/// Renders a template to an HTML answer.
pub fn render(t: &impl Template) -> Response {
    match t.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// Renders a page.
pub fn page(t: &impl Template) -> PageResult {
    Ok(render(t))
}

/// Renders a form again with status 422 (its error shown next to its field).
pub fn invalid_form(t: &impl Template) -> PageResult {
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(t)).into_response())
}

/// Redirects after a write (post/redirect/get), with a notice.
pub fn done(to: &str, notice: &str) -> PageResult {
    let sep = if to.contains('?') { '&' } else { '?' };
    Ok(Redirect::to(&format!("{to}{sep}notice={notice}")).into_response())
}

// ----------------------------------------------------------------------------- forms

/// A url-encoded form body, read before the access check and parsed after it.
#[derive(Debug, Clone, Default)]
pub struct FormData(pub Vec<(String, String)>);

impl<S: Send + Sync> axum::extract::FromRequest<S> for FormData {
    type Rejection = PageError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, PageError> {
        let bytes = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|_| PageError::App(AppError::TooLarge))?;
        Ok(Self(form_urlencoded::parse(&bytes).into_owned().collect()))
    }
}

impl FormData {
    /// A field, trimmed (empty when absent).
    pub fn get(&self, name: &str) -> String {
        self.0.iter().find(|(k, _)| k == name).map(|(_, v)| v.trim().to_owned()).unwrap_or_default()
    }

    /// A field when present and not empty.
    pub fn opt(&self, name: &str) -> Option<String> {
        Some(self.get(name)).filter(|v| !v.is_empty())
    }

    /// Every value of a repeated field (checkboxes).
    pub fn all(&self, name: &str) -> Vec<String> {
        self.0.iter().filter(|(k, _)| k == name).map(|(_, v)| v.trim().to_owned()).collect()
    }

    /// Whether a checkbox is ticked.
    pub fn checked(&self, name: &str) -> bool {
        self.0.iter().any(|(k, _)| k == name)
    }
}

/// An error to show next to a form field.
#[derive(Debug, Clone, Default)]
pub struct FieldErrors(pub Vec<(String, String)>);

impl FieldErrors {
    /// The message for `field`, or empty.
    pub fn of(&self, field: &str) -> &str {
        self.0.iter().find(|(f, _)| f == field).map(|(_, m)| m.as_str()).unwrap_or("")
    }

    /// Whether `field` has an error.
    pub fn has(&self, field: &str) -> bool {
        self.0.iter().any(|(f, _)| f == field)
    }

    /// Whether there is any error.
    pub fn any(&self) -> bool {
        !self.0.is_empty()
    }

    /// Errors of fields the form does not show (listed above the form).
    pub fn general(&self) -> Vec<&str> {
        self.0.iter().filter(|(f, _)| f.is_empty()).map(|(_, m)| m.as_str()).collect()
    }

    /// The error of a failed write: a field error goes next to its field; anything that is
    /// not the caller's input (404, 403, 500) is not a form error and is returned.
    pub fn from_error(e: AppError, en: bool) -> Result<Self, PageError> {
        let lang = if en { Lang::En } else { Lang::Zh };
        match &e {
            AppError::Invalid { field, .. } => {
                Ok(Self(vec![(field.clone().unwrap_or_default(), e.message(lang))]))
            }
            AppError::Conflict { field, .. } => Ok(Self(vec![(
                field.unwrap_or("").to_owned(),
                conflict_text(e.code(), en, &e.message(lang)),
            )])),
            AppError::BadRequest(code) if *code != "bad_json" => {
                Ok(Self(vec![(String::new(), e.message(lang))]))
            }
            _ => Err(e.into()),
        }
    }
}

fn conflict_text(code: &str, en: bool, fallback: &str) -> String {
    let (zh, e) = match code {
        "plate_taken" => ("该号牌已在本台账登记", "this plate is already registered"),
        "registration_code_taken" => {
            ("该登记编码已在本台账登记", "this registration code is already registered")
        }
        "gate_number_taken" => ("该道闸编号已被使用", "this barrier number is taken"),
        "username_taken" => ("该登录名已被使用", "this sign-in name is taken"),
        "credit_code_taken" => ("该统一社会信用代码已注册", "this credit code is registered"),
        _ => return fallback.to_owned(),
    };
    if en { e.to_owned() } else { zh.to_owned() }
}

/// One `<option>` of a select.
#[derive(Debug, Clone)]
pub struct Choice {
    /// The value.
    pub value: String,
    /// The label.
    pub label: String,
    /// Whether selected.
    pub selected: bool,
}

/// The options of a coded enum, labelled in the page's language.
pub fn choices<T: Copy>(
    all: &[T],
    id: fn(T) -> &'static str,
    zh: fn(T) -> &'static str,
    en_label: fn(T) -> &'static str,
    en: bool,
    selected: &[String],
) -> Vec<Choice> {
    all.iter()
        .map(|v| Choice {
            value: id(*v).to_owned(),
            label: if en { en_label(*v) } else { zh(*v) }.to_owned(),
            selected: selected.iter().any(|s| s == id(*v)),
        })
        .collect()
}

/// The options of a coded enum.
#[macro_export]
macro_rules! code_choices {
    ($ty:ty, $en:expr, $selected:expr) => {
        $crate::http::pages::choices(
            <$ty>::ALL,
            <$ty>::as_str,
            <$ty>::label_zh,
            <$ty>::label_en,
            $en,
            $selected,
        )
    };
}

/// The label of a stored code, in the page's language (the identifier when unknown).
#[macro_export]
macro_rules! code_label {
    ($ty:ty, $value:expr, $en:expr) => {{
        let v: &str = $value;
        v.parse::<$ty>()
            .map(|c| if $en { c.label_en().to_owned() } else { c.label_zh().to_owned() })
            .unwrap_or_else(|_| v.to_owned())
    }};
}
