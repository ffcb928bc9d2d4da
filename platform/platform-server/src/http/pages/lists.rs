//! The enterprise's lists (whitelist with long-term, temporary and visitor permits;
//! blacklist), its admission settings, and the rules editor with a dry run against the
//! registered vehicles before saving.

use askama::Template;
use axum::extract::State;
use chrono::NaiveDateTime;
use platform_domain::codes::{
    Direction, EmissionStage, Fuel, LedgerKind, PlateColour, VehicleClass,
};
use platform_domain::permissions::{Action, Resource};
use serde_json::{Value, json};
use uuid::Uuid;

use super::{
    Choice, Ctx, FieldErrors, FormData, PageResult, Route, Viewer, can_write, done, get, post,
};
use crate::auth::tenant_access;
use crate::error::AppError;
use crate::http::AppState;
use crate::http::api::lists as api;
use crate::http::extract::{ApiPath, ApiQuery, JsonBody};
use crate::ops::admission;
use crate::storage::tenants::TenantRow;

pub(super) fn routes() -> Vec<Route> {
    vec![
        get("/e/{tenant_id}/lists/{list}", list),
        post("/e/{tenant_id}/lists/{list}", add_entry),
        get("/e/{tenant_id}/lists/{list}/{entry_id}/edit", edit_entry),
        post("/e/{tenant_id}/lists/{list}/{entry_id}", replace_entry),
        post("/e/{tenant_id}/lists/{list}/{entry_id}/delete", delete_entry),
        get("/e/{tenant_id}/rules", rules),
        post("/e/{tenant_id}/admission-policy", save_policy),
        get("/e/{tenant_id}/rules/new", new_rule),
        post("/e/{tenant_id}/rules", save_rule),
        get("/e/{tenant_id}/rules/{rule_id}/edit", edit_rule),
        post("/e/{tenant_id}/rules/{rule_id}", update_rule),
        post("/e/{tenant_id}/rules/{rule_id}/toggle", toggle_rule),
        post("/e/{tenant_id}/rules/{rule_id}/delete", delete_rule),
    ]
}

// ----------------------------------------------------------------------------- lists

/// An entry as listed.
#[derive(Debug)]
struct Entry {
    id: Uuid,
    plate: String,
    kind: String,
    from: String,
    until: String,
    reason: String,
    valid: bool,
}

#[derive(Template)]
#[template(path = "ent/lists.html")]
struct Lists {
    c: Ctx,
    t: Uuid,
    list: String,
    entries: Vec<Entry>,
    writable: bool,
    form: FormData,
    errors: FieldErrors,
    colours: Vec<Choice>,
}

fn permit_label(kind: &str, en: bool) -> &'static str {
    match (kind, en) {
        ("long_term", false) => "长期（自有车队）",
        ("long_term", true) => "long-term (own fleet)",
        ("temporary", false) => "临时通行",
        ("temporary", true) => "temporary",
        ("visitor", false) => "访客",
        ("visitor", true) => "visitor",
        (_, false) => "黑名单",
        (_, true) => "blacklist",
    }
}

async fn list_page(
    state: &AppState,
    v: &Viewer,
    t: Uuid,
    list: String,
    form: FormData,
    errors: FieldErrors,
) -> PageResult {
    let u = v.require()?;
    let tenant = tenant_access(state, u, t, Resource::EnterpriseLists, Action::Read).await?;
    let q = api::EntryQuery { search: None, valid_now: None, page: Some(1), per_page: Some(500) };
    let rows =
        api::list_entries(State(state.clone()), u.clone(), ApiPath((t, list.clone())), ApiQuery(q))
            .await?
            .0
            .items;
    let now = chrono::Utc::now();
    let entries = rows
        .into_iter()
        .map(|e| Entry {
            id: e.id,
            plate: e.fields.plate,
            kind: permit_label(e.fields.permit_kind.as_deref().unwrap_or(""), v.en).to_owned(),
            from: super::local_opt(&e.fields.valid_from),
            until: super::local_opt(&e.fields.valid_until),
            reason: e.fields.reason.unwrap_or_default(),
            valid: e.fields.valid_from.is_none_or(|f| f <= now)
                && e.fields.valid_until.is_none_or(|x| now < x),
        })
        .collect();
    let mut colours = vec![Choice { value: String::new(), label: "—".into(), selected: true }];
    colours.extend(crate::code_choices!(PlateColour, v.en, &[form.get("plate_colour")]));
    let page = Lists {
        c: v.tenant_ctx(if v.en { "Lists" } else { "通行名单" }, &tenant, "lists"),
        t,
        list,
        entries,
        writable: can_write(u, Resource::EnterpriseLists),
        form,
        errors,
        colours,
    };
    if page.errors.any() { super::invalid_form(&page) } else { super::page(&page) }
}

async fn list(
    State(state): State<AppState>,
    v: Viewer,
    ApiPath((t, list)): ApiPath<(Uuid, String)>,
) -> PageResult {
    list_page(&state, &v, t, list, FormData::default(), FieldErrors::default()).await
}

/// The API body of a list entry form; a time that does not parse is a field error.
fn entry_body(list: &str, form: &FormData) -> Result<Value, AppError> {
    let mut body = json!({"plate": form.get("plate")});
    if let Some(c) = form.opt("plate_colour") {
        body["plate_colour"] = json!(c);
    }
    if list == "whitelist" {
        body["permit_kind"] = json!(form.get("permit_kind"));
    }
    if let Some(r) = form.opt("reason") {
        body["reason"] = json!(r);
    }
    for field in ["valid_from", "valid_until"] {
        if let Some(raw) = form.opt(field) {
            let at = super::parse_local_input(&raw).ok_or_else(|| {
                AppError::invalid(field, "invalid_time", "时间格式不正确", "the time is not valid")
            })?;
            body[field] = json!(at);
        }
    }
    Ok(body)
}

#[derive(Template)]
#[template(path = "ent/entry_form.html")]
struct EntryForm {
    c: Ctx,
    action: String,
    back: String,
    list: String,
    form: FormData,
    errors: FieldErrors,
    colours: Vec<Choice>,
}

fn entry_form(
    v: &Viewer,
    tenant: &TenantRow,
    list: &str,
    id: Uuid,
    form: FormData,
    errors: FieldErrors,
) -> EntryForm {
    let mut colours = vec![Choice { value: String::new(), label: "—".into(), selected: false }];
    colours.extend(crate::code_choices!(PlateColour, v.en, &[form.get("plate_colour")]));
    EntryForm {
        c: v.tenant_ctx(if v.en { "Edit entry" } else { "修改名单记录" }, tenant, "lists"),
        action: format!("/e/{}/lists/{list}/{id}", tenant.id),
        back: format!("/e/{}/lists/{list}", tenant.id),
        list: list.to_owned(),
        form,
        errors,
        colours,
    }
}

async fn edit_entry(
    State(state): State<AppState>,
    v: Viewer,
    ApiPath((t, list, id)): ApiPath<(Uuid, String, Uuid)>,
) -> PageResult {
    let u = v.require()?;
    let tenant = tenant_access(&state, u, t, Resource::EnterpriseLists, Action::Write).await?;
    let e =
        api::show_entry(State(state.clone()), u.clone(), ApiPath((t, list.clone(), id))).await?.0;
    let f = &e.fields;
    let input = |t: &Option<chrono::DateTime<chrono::Utc>>| {
        t.as_ref().map(super::local_input).unwrap_or_default()
    };
    let form = FormData(vec![
        ("plate".into(), f.plate.clone()),
        ("plate_colour".into(), f.plate_colour.clone().unwrap_or_default()),
        ("permit_kind".into(), f.permit_kind.clone().unwrap_or_default()),
        ("valid_from".into(), input(&f.valid_from)),
        ("valid_until".into(), input(&f.valid_until)),
        ("reason".into(), f.reason.clone().unwrap_or_default()),
    ]);
    super::page(&entry_form(&v, &tenant, &list, id, form, FieldErrors::default()))
}

async fn replace_entry(
    State(state): State<AppState>,
    v: Viewer,
    ApiPath((t, list, id)): ApiPath<(Uuid, String, Uuid)>,
    form: FormData,
) -> PageResult {
    let u = v.require()?;
    let tenant = tenant_access(&state, u, t, Resource::EnterpriseLists, Action::Write).await?;
    let result = match entry_body(&list, &form) {
        Ok(body) => api::replace_entry(
            State(state.clone()),
            u.clone(),
            ApiPath((t, list.clone(), id)),
            JsonBody::from_value(&body),
        )
        .await
        .map(|_| ()),
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => done(&format!("/e/{t}/lists/{list}"), "saved"),
        Err(e) => {
            let errors = FieldErrors::from_error(e, v.en)?;
            super::invalid_form(&entry_form(&v, &tenant, &list, id, form, errors))
        }
    }
}

async fn add_entry(
    State(state): State<AppState>,
    v: Viewer,
    ApiPath((t, list)): ApiPath<(Uuid, String)>,
    form: FormData,
) -> PageResult {
    let u = v.require()?;
    tenant_access(&state, u, t, Resource::EnterpriseLists, Action::Write).await?;
    let body = match entry_body(&list, &form) {
        Ok(b) => b,
        Err(e) => {
            return list_page(&state, &v, t, list, form, FieldErrors::from_error(e, v.en)?).await;
        }
    };
    match api::create_entry(
        State(state.clone()),
        u.clone(),
        ApiPath((t, list.clone())),
        JsonBody::from_value(&body),
    )
    .await
    {
        Ok(_) => done(&format!("/e/{t}/lists/{list}"), "created"),
        Err(e) => {
            let errors = FieldErrors::from_error(e, v.en)?;
            list_page(&state, &v, t, list, form, errors).await
        }
    }
}

async fn delete_entry(
    State(state): State<AppState>,
    v: Viewer,
    ApiPath((t, list, id)): ApiPath<(Uuid, String, Uuid)>,
) -> PageResult {
    let u = v.require()?;
    let _ =
        api::delete_entry(State(state.clone()), u.clone(), ApiPath((t, list.clone(), id))).await?;
    done(&format!("/e/{t}/lists/{list}"), "deleted")
}

// ----------------------------------------------------------------------------- rules

/// A rule as listed.
#[derive(Debug)]
struct RuleLine {
    id: Uuid,
    name: String,
    enabled: bool,
    summary: String,
}

#[derive(Template)]
#[template(path = "ent/rules.html")]
struct Rules {
    c: Ctx,
    t: Uuid,
    rules: Vec<RuleLine>,
    writable: bool,
    policy_writable: bool,
    unknown_vehicle: String,
    unplated: String,
    exit: String,
}

fn summary(rule: &Value, en: bool) -> String {
    let mut parts = Vec::new();
    let effect = rule["effect"].as_str().unwrap_or("deny");
    parts.push(
        if effect == "needs_review" {
            if en { "hold for review" } else { "转人工核验" }
        } else if en {
            "deny"
        } else {
            "禁止通行"
        }
        .to_owned(),
    );
    let list = |key: &str, label: fn(&str, bool) -> String| -> Option<String> {
        let items = rule["criteria"][key].as_array()?;
        (!items.is_empty()).then(|| {
            items
                .iter()
                .filter_map(Value::as_str)
                .map(|s| label(s, en))
                .collect::<Vec<_>>()
                .join("、")
        })
    };
    if let Some(x) = list("ledgers", |s, en| crate::code_label!(LedgerKind, s, en)) {
        parts.push(x);
    }
    if let Some(x) = list("classes", |s, en| crate::code_label!(VehicleClass, s, en)) {
        parts.push(x);
    }
    if let Some(x) = list("fuels", |s, en| crate::code_label!(Fuel, s, en)) {
        parts.push(x);
    }
    if let Some(x) = rule["criteria"]["stages"]["at_most"].as_str() {
        let l = crate::code_label!(EmissionStage, x, en);
        parts.push(if en { format!("{l} and older") } else { format!("{l}及以下") });
    }
    if let Some(h) = rule["schedule"]["hours"].as_array().filter(|h| !h.is_empty()) {
        parts.push(
            h.iter()
                .map(|w| {
                    format!(
                        "{}–{}",
                        &w["start"].as_str().unwrap_or("")
                            [..5.min(w["start"].as_str().unwrap_or("").len())],
                        &w["end"].as_str().unwrap_or("")
                            [..5.min(w["end"].as_str().unwrap_or("").len())]
                    )
                })
                .collect::<Vec<_>>()
                .join(", "),
        );
    }
    parts.join(" · ")
}

async fn rules(State(state): State<AppState>, v: Viewer, ApiPath(t): ApiPath<Uuid>) -> PageResult {
    let u = v.require()?;
    let tenant = tenant_access(&state, u, t, Resource::AdmissionRules, Action::Read).await?;
    let rows = api::list_rules(State(state.clone()), u.clone(), ApiPath(t)).await?.0;
    let policy = api::show_policy(State(state.clone()), u.clone(), ApiPath(t)).await?.0;
    let p = serde_json::to_value(policy).unwrap_or_default();
    super::page(&Rules {
        c: v.tenant_ctx(if v.en { "Admission rules" } else { "准入规则" }, &tenant, "rules"),
        t,
        rules: rows
            .into_iter()
            .map(|r| RuleLine {
                id: r.id,
                name: r.name,
                enabled: r.enabled,
                summary: summary(&r.rule.0, v.en),
            })
            .collect(),
        writable: can_write(u, Resource::AdmissionRules),
        policy_writable: can_write(u, Resource::AdmissionRules),
        unknown_vehicle: p["unknown_vehicle"].as_str().unwrap_or("needs_review").to_owned(),
        unplated: p["unplated"].as_str().unwrap_or("needs_review").to_owned(),
        exit: p["exit"].as_str().unwrap_or("admit_all").to_owned(),
    })
}

async fn save_policy(
    State(state): State<AppState>,
    v: Viewer,
    ApiPath(t): ApiPath<Uuid>,
    form: FormData,
) -> PageResult {
    let u = v.require()?;
    tenant_access(&state, u, t, Resource::AdmissionRules, Action::Write).await?;
    let body = json!({
        "unknown_vehicle": form.get("unknown_vehicle"),
        "unplated": form.get("unplated"),
        "exit": form.get("exit"),
    });
    let _ = api::replace_policy(
        State(state.clone()),
        u.clone(),
        ApiPath(t),
        JsonBody::from_value(&body),
    )
    .await?;
    done(&format!("/e/{t}/rules"), "saved")
}

/// A vehicle the dry run would refuse.
#[derive(Debug)]
struct Refused {
    plate: String,
    reason: String,
}

#[derive(Template)]
#[template(path = "ent/rule_form.html")]
struct RuleForm {
    c: Ctx,
    t: Uuid,
    action: String,
    editing: bool,
    form: FormData,
    errors: FieldErrors,
    ledgers: Vec<Choice>,
    classes: Vec<Choice>,
    fuels: Vec<Choice>,
    stages: Vec<Choice>,
    weekdays: Vec<Choice>,
    previewed: bool,
    judged: usize,
    at: String,
    newly: Vec<Refused>,
    still: usize,
}

fn rule_form(v: &Viewer, tenant: &TenantRow, form: FormData, errors: FieldErrors) -> RuleForm {
    let en = v.en;
    let weekdays = [
        ("1", "周一", "Mon"),
        ("2", "周二", "Tue"),
        ("3", "周三", "Wed"),
        ("4", "周四", "Thu"),
        ("5", "周五", "Fri"),
        ("6", "周六", "Sat"),
        ("7", "周日", "Sun"),
    ]
    .iter()
    .map(|(n, zh, e)| Choice {
        value: (*n).into(),
        label: if en { (*e).into() } else { (*zh).into() },
        selected: form.all("weekdays").iter().any(|x| x == n),
    })
    .collect();
    RuleForm {
        c: v.tenant_ctx(if en { "New rule" } else { "新建准入规则" }, tenant, "rules"),
        t: tenant.id,
        action: format!("/e/{}/rules", tenant.id),
        editing: false,
        ledgers: crate::code_choices!(LedgerKind, en, &form.all("ledgers")),
        classes: crate::code_choices!(VehicleClass, en, &form.all("classes")),
        fuels: crate::code_choices!(Fuel, en, &form.all("fuels")),
        stages: crate::code_choices!(EmissionStage, en, &[form.get("stage_at_most")]),
        weekdays,
        form,
        errors,
        previewed: false,
        judged: 0,
        at: String::new(),
        newly: Vec::new(),
        still: 0,
    }
}

async fn new_rule(
    State(state): State<AppState>,
    v: Viewer,
    ApiPath(t): ApiPath<Uuid>,
) -> PageResult {
    let u = v.require()?;
    let tenant = tenant_access(&state, u, t, Resource::AdmissionRules, Action::Write).await?;
    let form = FormData(vec![("effect".into(), "deny".into()), ("enabled".into(), "on".into())]);
    super::page(&rule_form(&v, &tenant, form, FieldErrors::default()))
}

/// The rule the form describes, as the API takes it; a field error names the form field.
fn rule_json(form: &FormData) -> Result<Value, AppError> {
    let mut criteria = json!({
        "ledgers": form.all("ledgers"),
        "classes": form.all("classes"),
        "fuels": form.all("fuels"),
    });
    if let Some(s) = form.opt("stage_at_most") {
        criteria["stages"] = json!({"at_most": s});
    }
    let mut hours = Vec::new();
    for line in form.get("hours").lines().map(str::trim).filter(|l| !l.is_empty()) {
        let Some((a, b)) = line.split_once(['-', '–', '~']) else {
            return Err(AppError::invalid(
                "hours",
                "invalid_hours",
                "时间段格式应为 22:00-06:00，每行一段",
                "write windows as 22:00-06:00, one a line",
            ));
        };
        let t = |s: &str| chrono::NaiveTime::parse_from_str(s.trim(), "%H:%M").ok();
        let (Some(a), Some(b)) = (t(a), t(b)) else {
            return Err(AppError::invalid(
                "hours",
                "invalid_hours",
                "时间段格式应为 22:00-06:00，每行一段",
                "write windows as 22:00-06:00, one a line",
            ));
        };
        hours.push(json!({"start": a.format("%H:%M:%S").to_string(), "end": b.format("%H:%M:%S").to_string()}));
    }
    let mut dates = Vec::new();
    for line in form.get("dates").lines().map(str::trim).filter(|l| !l.is_empty()) {
        let parsed = line.split_once(['~', '至']).and_then(|(a, b)| {
            Some((crate::registry::parse_date(a)?, crate::registry::parse_date(b)?))
        });
        let Some((a, b)) = parsed else {
            return Err(AppError::invalid(
                "dates",
                "invalid_dates",
                "日期范围格式应为 2026-01-01~2026-01-31，每行一段",
                "write date ranges as 2026-01-01~2026-01-31, one a line",
            ));
        };
        dates.push(json!({"start": a, "end": b}));
    }
    let weekdays: Vec<u8> = form.all("weekdays").iter().filter_map(|d| d.parse().ok()).collect();
    let directions: Vec<String> = form.all("directions");
    Ok(json!({
        "name": form.get("name"),
        "enabled": form.checked("enabled"),
        "effect": form.get("effect"),
        "directions": directions,
        "criteria": criteria,
        "schedule": {"weekdays": weekdays, "hours": hours, "dates": dates},
    }))
}

/// Maps an API field path (`add_rule.name`, `schedule.hours[0]`) to the form's field.
fn form_field(field: &str) -> String {
    let f = field.strip_prefix("add_rule.").unwrap_or(field);
    let head = f.split(['.', '[']).collect::<Vec<_>>();
    match head.as_slice() {
        ["name", ..] => "name",
        ["schedule", "hours", ..] | ["hours", ..] => "hours",
        ["schedule", "dates", ..] | ["dates", ..] => "dates",
        ["schedule", "weekdays", ..] | ["weekdays", ..] => "weekdays",
        ["effect", ..] => "effect",
        ["directions", ..] => "directions",
        _ => "",
    }
    .to_owned()
}

async fn save_rule(
    State(state): State<AppState>,
    v: Viewer,
    ApiPath(t): ApiPath<Uuid>,
    form: FormData,
) -> PageResult {
    let u = v.require()?;
    let tenant = tenant_access(&state, u, t, Resource::AdmissionRules, Action::Write).await?;
    let fail = |e: AppError, form: FormData| -> PageResult {
        let mut errors = FieldErrors::from_error(e, v.en)?;
        for (f, _) in errors.0.iter_mut() {
            *f = form_field(f);
        }
        super::invalid_form(&rule_form(&v, &tenant, form, errors))
    };
    let rule = match rule_json(&form) {
        Ok(r) => r,
        Err(e) => return fail(e, form),
    };
    if form.get("op") == "preview" {
        let rule = match crate::http::api::lists::build_rule(Uuid::now_v7(), rule) {
            Ok(r) => r,
            Err(e) => return fail(e, form),
        };
        let change = admission::ProposedChange { add_rule: Some(rule), ..Default::default() };
        return dry_run(&state, &v, &tenant, form, change, None).await;
    }
    match api::create_rule(State(state.clone()), u.clone(), ApiPath(t), JsonBody::from_value(&rule))
        .await
    {
        Ok(_) => done(&format!("/e/{t}/rules"), "created"),
        Err(e) => fail(e, form),
    }
}

async fn toggle_rule(
    State(state): State<AppState>,
    v: Viewer,
    ApiPath((t, id)): ApiPath<(Uuid, Uuid)>,
) -> PageResult {
    let u = v.require()?;
    let row = api::show_rule(State(state.clone()), u.clone(), ApiPath((t, id))).await?.0;
    let mut rule = row.rule.0.clone();
    if let Value::Object(map) = &mut rule {
        map.remove("id");
        map.insert("enabled".into(), Value::Bool(!row.enabled));
    }
    let _ = api::replace_rule(
        State(state.clone()),
        u.clone(),
        ApiPath((t, id)),
        JsonBody::from_value(&rule),
    )
    .await?;
    done(&format!("/e/{t}/rules"), "saved")
}

/// Shows the rule form with the dry run of `change` (a new rule, or an edited one).
async fn dry_run(
    state: &AppState,
    v: &Viewer,
    tenant: &TenantRow,
    form: FormData,
    change: admission::ProposedChange,
    editing: Option<Uuid>,
) -> PageResult {
    let now = crate::storage::now();
    let at = form
        .opt("at")
        .and_then(|s| NaiveDateTime::parse_from_str(&s, "%Y-%m-%dT%H:%M").ok())
        .unwrap_or_else(|| platform_domain::schedule::to_beijing(now));
    let mut db = state.db.clone();
    let (judged, impact) =
        admission::preview(&mut db, tenant, now, change, Direction::Entry, at).await?;
    let lang = if v.en { "en" } else { "zh-CN" };
    let mut page = rule_form(v, tenant, form, FieldErrors::default());
    if let Some(id) = editing {
        page.action = format!("/e/{}/rules/{id}", tenant.id);
        page.editing = true;
    }
    page.previewed = true;
    page.judged = judged;
    page.at = at.format("%Y-%m-%d %H:%M").to_string();
    page.still = impact.still_refused.len();
    page.newly = impact
        .newly_refused
        .iter()
        .map(|r| Refused { plate: r.plate.to_string(), reason: r.decision.display(lang) })
        .collect();
    super::page(&page)
}

/// The form fields of a stored rule.
fn rule_form_data(rule: &Value) -> FormData {
    let mut f = vec![
        ("name".to_owned(), rule["name"].as_str().unwrap_or("").to_owned()),
        ("effect".to_owned(), rule["effect"].as_str().unwrap_or("deny").to_owned()),
    ];
    if rule["enabled"].as_bool().unwrap_or(true) {
        f.push(("enabled".into(), "on".into()));
    }
    let strings = |v: &Value| -> Vec<String> {
        v.as_array()
            .map(|a| a.iter().filter_map(|x| x.as_str().map(str::to_owned)).collect())
            .unwrap_or_default()
    };
    for d in strings(&rule["directions"]) {
        f.push(("directions".into(), d));
    }
    for (key, field) in [("ledgers", "ledgers"), ("classes", "classes"), ("fuels", "fuels")] {
        for x in strings(&rule["criteria"][key]) {
            f.push((field.into(), x));
        }
    }
    if let Some(s) = rule["criteria"]["stages"]["at_most"].as_str() {
        f.push(("stage_at_most".into(), s.to_owned()));
    }
    if let Some(days) = rule["schedule"]["weekdays"].as_array() {
        for d in days.iter().filter_map(Value::as_u64) {
            f.push(("weekdays".into(), d.to_string()));
        }
    }
    let short = |v: &Value| v.as_str().unwrap_or("").chars().take(5).collect::<String>();
    let hours: Vec<String> = rule["schedule"]["hours"]
        .as_array()
        .map(|h| h.iter().map(|w| format!("{}-{}", short(&w["start"]), short(&w["end"]))).collect())
        .unwrap_or_default();
    f.push(("hours".into(), hours.join("\n")));
    let dates: Vec<String> = rule["schedule"]["dates"]
        .as_array()
        .map(|d| {
            d.iter()
                .map(|r| {
                    format!(
                        "{}~{}",
                        r["start"].as_str().unwrap_or(""),
                        r["end"].as_str().unwrap_or("")
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    f.push(("dates".into(), dates.join("\n")));
    FormData(f)
}

async fn edit_rule(
    State(state): State<AppState>,
    v: Viewer,
    ApiPath((t, id)): ApiPath<(Uuid, Uuid)>,
) -> PageResult {
    let u = v.require()?;
    let tenant = tenant_access(&state, u, t, Resource::AdmissionRules, Action::Write).await?;
    let row = api::show_rule(State(state.clone()), u.clone(), ApiPath((t, id))).await?.0;
    let mut page = rule_form(&v, &tenant, rule_form_data(&row.rule.0), FieldErrors::default());
    page.action = format!("/e/{t}/rules/{id}");
    page.editing = true;
    super::page(&page)
}

async fn update_rule(
    State(state): State<AppState>,
    v: Viewer,
    ApiPath((t, id)): ApiPath<(Uuid, Uuid)>,
    form: FormData,
) -> PageResult {
    let u = v.require()?;
    let tenant = tenant_access(&state, u, t, Resource::AdmissionRules, Action::Write).await?;
    let fail = |e: AppError, form: FormData| -> PageResult {
        let mut errors = FieldErrors::from_error(e, v.en)?;
        for (f, _) in errors.0.iter_mut() {
            *f = form_field(f);
        }
        let mut page = rule_form(&v, &tenant, form, errors);
        page.action = format!("/e/{t}/rules/{id}");
        page.editing = true;
        super::invalid_form(&page)
    };
    // The rule must exist in this enterprise before anything is judged or saved.
    let _ = api::show_rule(State(state.clone()), u.clone(), ApiPath((t, id))).await?;
    let body = match rule_json(&form) {
        Ok(r) => r,
        Err(e) => return fail(e, form),
    };
    if form.get("op") == "preview" {
        let rule = match crate::http::api::lists::build_rule(id, body) {
            Ok(r) => r,
            Err(e) => return fail(e, form),
        };
        let change = admission::ProposedChange { replace_rule: Some(rule), ..Default::default() };
        return dry_run(&state, &v, &tenant, form, change, Some(id)).await;
    }
    match api::replace_rule(
        State(state.clone()),
        u.clone(),
        ApiPath((t, id)),
        JsonBody::from_value(&body),
    )
    .await
    {
        Ok(_) => done(&format!("/e/{t}/rules"), "saved"),
        Err(e) => fail(e, form),
    }
}

async fn delete_rule(
    State(state): State<AppState>,
    v: Viewer,
    ApiPath((t, id)): ApiPath<(Uuid, Uuid)>,
) -> PageResult {
    let u = v.require()?;
    let _ = api::delete_rule(State(state.clone()), u.clone(), ApiPath((t, id))).await?;
    done(&format!("/e/{t}/rules"), "deleted")
}
