//! An enterprise's lists (whitelist with permits, blacklist), its admission settings and
//! rules, and previews of what a change would do to its registered vehicles.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, NaiveDateTime, Utc};
use platform_domain::admission::{ChangeImpact, EnterpriseRule};
use platform_domain::codes::{Direction, PlateColour};
use platform_domain::ids::{RuleId, TenantId};
use platform_domain::permissions::{Action, Resource};
use platform_domain::plate::PlateNumber;
use platform_domain::schedule::to_beijing;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::{Created, Done, Paged, invalid};
use crate::auth::{CurrentUser, tenant_access};
use crate::error::{AppError, AppResult};
use crate::http::AppState;
use crate::http::extract::{ApiPath, ApiQuery, JsonBody};
use crate::ops::admission::{self, PolicySettings};
use crate::storage::audit::{self, Change};
use crate::storage::lists::{self, EntryFields, EntryRow};
use crate::storage::rules::{self, RuleRow};
use crate::storage::tenants;

pub(super) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_entries, create_entry))
        .routes(routes!(show_entry, replace_entry, delete_entry))
        .routes(routes!(show_policy, replace_policy))
        .routes(routes!(list_rules, create_rule))
        .routes(routes!(show_rule, replace_rule, delete_rule))
        .routes(routes!(preview))
}

fn check_list(list: &str) -> AppResult<&'static str> {
    match list {
        "whitelist" => Ok("whitelist"),
        "blacklist" => Ok("blacklist"),
        _ => Err(AppError::NotFound),
    }
}

/// A list entry as entered.
#[derive(Debug, Deserialize, ToSchema)]
pub struct EntryInput {
    /// The plate.
    pub plate: String,
    /// Its colour, when it matters.
    pub plate_colour: Option<String>,
    /// Whitelist only: `long_term` (自有车队), `temporary` (临时通行) or `visitor` (访客).
    pub permit_kind: Option<String>,
    /// Valid from (inclusive).
    pub valid_from: Option<DateTime<Utc>>,
    /// Valid until (exclusive); required for temporary and visitor permits.
    pub valid_until: Option<DateTime<Utc>>,
    /// Why (required on the blacklist).
    pub reason: Option<String>,
}

fn entry_fields(list: &str, req: EntryInput) -> AppResult<EntryFields> {
    let plate = PlateNumber::parse(&req.plate).map_err(|e| invalid(e.with_field("plate")))?;
    let plate_colour = match req.plate_colour.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(c) => {
            let colour: PlateColour = c.parse().map_err(|_| {
                AppError::invalid(
                    "plate_colour",
                    "invalid_plate_colour",
                    "号牌颜色不正确",
                    "unknown plate colour",
                )
            })?;
            plate.check_colour(colour).map_err(|e| invalid(e.with_field("plate_colour")))?;
            Some(colour.as_str().to_owned())
        }
        None => None,
    };
    let permit_kind = match list {
        "whitelist" => {
            let k = req.permit_kind.unwrap_or_default();
            if !matches!(k.as_str(), "long_term" | "temporary" | "visitor") {
                return Err(AppError::invalid(
                    "permit_kind",
                    "invalid_permit_kind",
                    "许可类型应为 long_term、temporary 或 visitor",
                    "the permit kind must be long_term, temporary or visitor",
                ));
            }
            if k != "long_term" && req.valid_until.is_none() {
                return Err(AppError::invalid(
                    "valid_until",
                    "required",
                    "临时或访客许可须填写有效期至",
                    "temporary and visitor permits need an end",
                ));
            }
            Some(k)
        }
        _ => {
            if req.permit_kind.is_some() {
                return Err(AppError::invalid(
                    "permit_kind",
                    "not_applicable",
                    "黑名单没有许可类型",
                    "blacklist entries have no permit kind",
                ));
            }
            None
        }
    };
    if let (Some(f), Some(u)) = (req.valid_from, req.valid_until)
        && u <= f
    {
        return Err(AppError::invalid(
            "valid_until",
            "validity_reversed",
            "有效期的结束不晚于开始",
            "the validity period does not end after it starts",
        ));
    }
    let reason = req.reason.map(|r| r.trim().to_owned()).filter(|r| !r.is_empty());
    if list == "blacklist" && reason.is_none() {
        return Err(AppError::required("reason"));
    }
    if reason.as_ref().is_some_and(|r| r.chars().count() > 200) {
        return Err(AppError::invalid(
            "reason",
            "too_long",
            "不能超过 200 个字符",
            "must not exceed 200 characters",
        ));
    }
    Ok(EntryFields {
        list: list.to_owned(),
        plate: plate.as_str().to_owned(),
        plate_colour,
        permit_kind,
        valid_from: req.valid_from.map(|t| t.trunc_subsecs_micros()),
        valid_until: req.valid_until.map(|t| t.trunc_subsecs_micros()),
        reason,
    })
}

trait Micros {
    fn trunc_subsecs_micros(self) -> Self;
}

impl Micros for DateTime<Utc> {
    fn trunc_subsecs_micros(self) -> Self {
        chrono::SubsecRound::trunc_subsecs(self, 6)
    }
}

/// Filters on a list.
#[derive(Debug, Deserialize, IntoParams)]
pub struct EntryQuery {
    /// Text in the plate.
    pub search: Option<String>,
    /// Only entries valid now.
    pub valid_now: Option<bool>,
    /// Page number.
    pub page: Option<u64>,
    /// Rows per page.
    pub per_page: Option<u64>,
}

/// A list's entries (`list` is `whitelist` or `blacklist`).
#[utoipa::path(get, path = "/enterprises/{tenant_id}/lists/{list}", tag = "lists",
    params(("tenant_id" = Uuid, Path), ("list" = String, Path, description = "whitelist or blacklist"), EntryQuery),
    responses((status = 200, body = Paged<EntryRow>), (status = 404)))]
pub(crate) async fn list_entries(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath((t, list)): ApiPath<(Uuid, String)>,
    ApiQuery(q): ApiQuery<EntryQuery>,
) -> AppResult<Json<Paged<EntryRow>>> {
    tenant_access(&state, &user, t, Resource::EnterpriseLists, Action::Read).await?;
    let list = check_list(&list)?;
    let paging = super::PageParams { page: q.page, per_page: q.per_page };
    let mut db = state.db.clone();
    let at = q.valid_now.unwrap_or(false).then(crate::storage::now);
    let rows = lists::list_entries(
        &mut db,
        TenantId::from(t),
        list,
        q.search.as_deref(),
        at,
        paging.page(),
    )
    .await?;
    Ok(Json(paging.wrap(rows, None)))
}

/// Adds an entry to a list.
#[utoipa::path(post, path = "/enterprises/{tenant_id}/lists/{list}", tag = "lists",
    params(("tenant_id" = Uuid, Path), ("list" = String, Path)), request_body = EntryInput,
    responses((status = 201, body = Created), (status = 403), (status = 404), (status = 422)))]
pub(crate) async fn create_entry(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath((t, list)): ApiPath<(Uuid, String)>,
    req_body: JsonBody<EntryInput>,
) -> AppResult<(StatusCode, Json<Created>)> {
    tenant_access(&state, &user, t, Resource::EnterpriseLists, Action::Write).await?;
    let req = req_body.parse()?;
    let list = check_list(&list)?;
    let fields = entry_fields(list, req)?;
    let tenant = TenantId::from(t);
    let mut tx = state.db.begin().await?;
    let id = lists::insert_entry(&mut tx, tenant, &fields, Some(user.id())).await?;
    audit::record(
        &mut tx,
        tenant,
        &user.actor(),
        Change {
            action: "create",
            entity: list,
            entity_id: id.to_string(),
            before: None,
            after: Some(json!(fields)),
        },
    )
    .await?;
    tenants::bump_rules_version(&mut tx, tenant).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

async fn entry(
    state: &AppState,
    user: &CurrentUser,
    t: Uuid,
    list: &str,
    id: Uuid,
    action: Action,
) -> AppResult<(&'static str, EntryRow)> {
    tenant_access(state, user, t, Resource::EnterpriseLists, action).await?;
    let list = check_list(list)?;
    let mut db = state.db.clone();
    Ok((
        list,
        lists::find_entry(&mut db, TenantId::from(t), list, id).await?.ok_or(AppError::NotFound)?,
    ))
}

/// One entry.
#[utoipa::path(get, path = "/enterprises/{tenant_id}/lists/{list}/{entry_id}", tag = "lists",
    params(("tenant_id" = Uuid, Path), ("list" = String, Path), ("entry_id" = Uuid, Path)), responses((status = 200, body = EntryRow), (status = 404)))]
pub(crate) async fn show_entry(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath((t, list, id)): ApiPath<(Uuid, String, Uuid)>,
) -> AppResult<Json<EntryRow>> {
    Ok(Json(entry(&state, &user, t, &list, id, Action::Read).await?.1))
}

/// Replaces an entry.
#[utoipa::path(put, path = "/enterprises/{tenant_id}/lists/{list}/{entry_id}", tag = "lists",
    params(("tenant_id" = Uuid, Path), ("list" = String, Path), ("entry_id" = Uuid, Path)), request_body = EntryInput,
    responses((status = 200, body = EntryRow), (status = 404), (status = 422)))]
pub(crate) async fn replace_entry(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath((t, list, id)): ApiPath<(Uuid, String, Uuid)>,
    req_body: JsonBody<EntryInput>,
) -> AppResult<Json<EntryRow>> {
    let (list, before) = entry(&state, &user, t, &list, id, Action::Write).await?;
    let req = req_body.parse()?;
    let fields = entry_fields(list, req)?;
    let tenant = TenantId::from(t);
    let mut tx = state.db.begin().await?;
    lists::update_entry(&mut tx, tenant, id, &fields).await?;
    audit::record(
        &mut tx,
        tenant,
        &user.actor(),
        Change {
            action: "update",
            entity: list,
            entity_id: id.to_string(),
            before: Some(json!(before.fields)),
            after: Some(json!(fields)),
        },
    )
    .await?;
    tenants::bump_rules_version(&mut tx, tenant).await?;
    let after = lists::find_entry(&mut tx, tenant, list, id).await?.ok_or(AppError::NotFound)?;
    tx.commit().await?;
    Ok(Json(after))
}

/// Removes an entry.
#[utoipa::path(delete, path = "/enterprises/{tenant_id}/lists/{list}/{entry_id}", tag = "lists",
    params(("tenant_id" = Uuid, Path), ("list" = String, Path), ("entry_id" = Uuid, Path)), responses((status = 200, body = Done), (status = 404)))]
pub(crate) async fn delete_entry(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath((t, list, id)): ApiPath<(Uuid, String, Uuid)>,
) -> AppResult<Json<Done>> {
    let (list, before) = entry(&state, &user, t, &list, id, Action::Write).await?;
    let tenant = TenantId::from(t);
    let mut tx = state.db.begin().await?;
    lists::delete_entry(&mut tx, tenant, list, id).await?;
    audit::record(
        &mut tx,
        tenant,
        &user.actor(),
        Change {
            action: "delete",
            entity: list,
            entity_id: id.to_string(),
            before: Some(json!(before.fields)),
            after: None,
        },
    )
    .await?;
    tenants::bump_rules_version(&mut tx, tenant).await?;
    tx.commit().await?;
    Ok(Done::new())
}

// ------------------------------------------------------------------------------ policy

/// The enterprise's admission settings.
#[utoipa::path(get, path = "/enterprises/{tenant_id}/admission-policy", tag = "lists", params(("tenant_id" = Uuid, Path)),
    responses((status = 200, body = PolicySettings), (status = 404)))]
pub(crate) async fn show_policy(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(t): ApiPath<Uuid>,
) -> AppResult<Json<PolicySettings>> {
    tenant_access(&state, &user, t, Resource::AdmissionRules, Action::Read).await?;
    let mut db = state.db.clone();
    Ok(Json(
        serde_json::from_value(tenants::admission_policy(&mut db, TenantId::from(t)).await?)
            .unwrap_or_default(),
    ))
}

fn field_error(e: serde_path_to_error::Error<serde_json::Error>) -> AppError {
    let path = e.path().to_string();
    let field = if path == "." || path.is_empty() { "body".to_owned() } else { path };
    let inner = e.inner().to_string();
    AppError::invalid(
        field.clone(),
        "invalid_value",
        format!("字段 {field} 的值无效：{inner}"),
        format!("the value of {field} is not valid: {inner}"),
    )
}

fn parse_value<T: serde::de::DeserializeOwned>(v: Value) -> AppResult<T> {
    serde_path_to_error::deserialize(v).map_err(field_error)
}

/// Replaces the enterprise's admission settings.
#[utoipa::path(put, path = "/enterprises/{tenant_id}/admission-policy", tag = "lists", params(("tenant_id" = Uuid, Path)),
    request_body = PolicySettings, responses((status = 200, body = PolicySettings), (status = 404), (status = 422)))]
pub(crate) async fn replace_policy(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(t): ApiPath<Uuid>,
    body_body: JsonBody<Value>,
) -> AppResult<Json<PolicySettings>> {
    tenant_access(&state, &user, t, Resource::AdmissionRules, Action::Write).await?;
    let body = body_body.parse()?;
    let settings: PolicySettings = parse_value(body)?;
    let tenant = TenantId::from(t);
    let mut tx = state.db.begin().await?;
    let before = tenants::admission_policy(&mut tx, tenant).await?;
    tenants::set_admission_policy(&mut tx, tenant, json!(settings)).await?;
    audit::record(
        &mut tx,
        tenant,
        &user.actor(),
        Change {
            action: "update",
            entity: "admission_policy",
            entity_id: t.to_string(),
            before: Some(before),
            after: Some(json!(settings)),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Json(settings))
}

// ------------------------------------------------------------------------------- rules

/// An enterprise rule (禁行规则) as entered: everything of the platform-domain rule but its
/// id. Example: `{"name":"夜间禁行国四柴油车","effect":"deny","directions":["entry"],
/// "criteria":{"fuels":["diesel"],"stages":{"at_most":"cn4"}},"schedule":{"hours":[{"start":"22:00:00","end":"06:00:00"}]}}`.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(value_type = Object)]
pub struct RuleInput(Value);

/// Builds a rule from its JSON (everything but the id), naming the field of any problem.
pub(crate) fn build_rule(id: Uuid, body: Value) -> AppResult<EnterpriseRule> {
    let Value::Object(mut map) = body else {
        return Err(AppError::invalid(
            "body",
            "invalid_value",
            "规则应为 JSON 对象",
            "a rule is a JSON object",
        ));
    };
    map.insert("id".into(), json!(RuleId::from(id)));
    parse_value(Value::Object(map))
}

/// The enterprise's rules.
#[utoipa::path(get, path = "/enterprises/{tenant_id}/rules", tag = "lists", params(("tenant_id" = Uuid, Path)),
    responses((status = 200, body = Vec<RuleRow>), (status = 404)))]
pub(crate) async fn list_rules(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(t): ApiPath<Uuid>,
) -> AppResult<Json<Vec<RuleRow>>> {
    tenant_access(&state, &user, t, Resource::AdmissionRules, Action::Read).await?;
    let mut db = state.db.clone();
    Ok(Json(rules::list(&mut db, TenantId::from(t)).await?))
}

/// Adds a rule.
#[utoipa::path(post, path = "/enterprises/{tenant_id}/rules", tag = "lists", params(("tenant_id" = Uuid, Path)),
    request_body = RuleInput, responses((status = 201, body = Created), (status = 404), (status = 422)))]
pub(crate) async fn create_rule(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(t): ApiPath<Uuid>,
    rule_body: JsonBody<RuleInput>,
) -> AppResult<(StatusCode, Json<Created>)> {
    tenant_access(&state, &user, t, Resource::AdmissionRules, Action::Write).await?;
    let RuleInput(body) = rule_body.parse()?;
    let id = Uuid::now_v7();
    let rule = build_rule(id, body)?;
    let tenant = TenantId::from(t);
    let mut tx = state.db.begin().await?;
    rules::insert(
        &mut tx,
        tenant,
        id,
        rule.name.as_str(),
        rule.enabled,
        json!(rule),
        Some(user.id()),
    )
    .await?;
    audit::record(
        &mut tx,
        tenant,
        &user.actor(),
        Change {
            action: "create",
            entity: "rule",
            entity_id: id.to_string(),
            before: None,
            after: Some(json!(rule)),
        },
    )
    .await?;
    tenants::bump_rules_version(&mut tx, tenant).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

async fn rule(
    state: &AppState,
    user: &CurrentUser,
    t: Uuid,
    id: Uuid,
    action: Action,
) -> AppResult<RuleRow> {
    tenant_access(state, user, t, Resource::AdmissionRules, action).await?;
    let mut db = state.db.clone();
    rules::find(&mut db, TenantId::from(t), id).await?.ok_or(AppError::NotFound)
}

/// One rule.
#[utoipa::path(get, path = "/enterprises/{tenant_id}/rules/{rule_id}", tag = "lists",
    params(("tenant_id" = Uuid, Path), ("rule_id" = Uuid, Path)), responses((status = 200, body = RuleRow), (status = 404)))]
pub(crate) async fn show_rule(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath((t, id)): ApiPath<(Uuid, Uuid)>,
) -> AppResult<Json<RuleRow>> {
    Ok(Json(rule(&state, &user, t, id, Action::Read).await?))
}

/// Replaces a rule.
#[utoipa::path(put, path = "/enterprises/{tenant_id}/rules/{rule_id}", tag = "lists",
    params(("tenant_id" = Uuid, Path), ("rule_id" = Uuid, Path)), request_body = RuleInput, responses((status = 200, body = RuleRow), (status = 404), (status = 422)))]
pub(crate) async fn replace_rule(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath((t, id)): ApiPath<(Uuid, Uuid)>,
    rule_body: JsonBody<RuleInput>,
) -> AppResult<Json<RuleRow>> {
    let before = rule(&state, &user, t, id, Action::Write).await?;
    let RuleInput(body) = rule_body.parse()?;
    let new = build_rule(id, body)?;
    let tenant = TenantId::from(t);
    let mut tx = state.db.begin().await?;
    rules::update(&mut tx, tenant, id, new.name.as_str(), new.enabled, json!(new)).await?;
    audit::record(
        &mut tx,
        tenant,
        &user.actor(),
        Change {
            action: "update",
            entity: "rule",
            entity_id: id.to_string(),
            before: Some(before.rule.0.clone()),
            after: Some(json!(new)),
        },
    )
    .await?;
    tenants::bump_rules_version(&mut tx, tenant).await?;
    let after = rules::find(&mut tx, tenant, id).await?.ok_or(AppError::NotFound)?;
    tx.commit().await?;
    Ok(Json(after))
}

/// Deletes a rule.
#[utoipa::path(delete, path = "/enterprises/{tenant_id}/rules/{rule_id}", tag = "lists",
    params(("tenant_id" = Uuid, Path), ("rule_id" = Uuid, Path)), responses((status = 200, body = Done), (status = 404)))]
pub(crate) async fn delete_rule(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath((t, id)): ApiPath<(Uuid, Uuid)>,
) -> AppResult<Json<Done>> {
    let before = rule(&state, &user, t, id, Action::Write).await?;
    let tenant = TenantId::from(t);
    let mut tx = state.db.begin().await?;
    rules::delete(&mut tx, tenant, id).await?;
    audit::record(
        &mut tx,
        tenant,
        &user.actor(),
        Change {
            action: "delete",
            entity: "rule",
            entity_id: id.to_string(),
            before: Some(before.rule.0),
            after: None,
        },
    )
    .await?;
    tenants::bump_rules_version(&mut tx, tenant).await?;
    tx.commit().await?;
    Ok(Done::new())
}

// ----------------------------------------------------------------------------- preview

/// A proposed change to preview.
#[derive(Debug, Deserialize, ToSchema)]
pub struct PreviewRequest {
    /// A new rule to add (as for `POST …/rules`).
    #[schema(value_type = Option<Object>)]
    pub add_rule: Option<Value>,
    /// New settings to use instead of the current ones.
    pub settings: Option<PolicySettings>,
    /// The local Beijing time to judge at (`2026-12-01T08:00:00`); default now.
    #[schema(value_type = Option<String>)]
    pub at: Option<NaiveDateTime>,
    /// `entry` (default) or `exit`.
    pub direction: Option<String>,
}

/// What a change would do: which registered vehicles it would newly refuse, which it would
/// no longer refuse, and which stay refused (with the decision and its reason).
#[derive(Debug, Serialize, ToSchema)]
pub struct Preview {
    /// The local time judged at.
    #[schema(value_type = String)]
    pub at: NaiveDateTime,
    /// Vehicles judged.
    pub vehicles: usize,
    /// The impact.
    #[schema(value_type = Object)]
    pub impact: ChangeImpact,
}

/// Previews a rule or settings change against the registered vehicles, without saving it.
#[utoipa::path(post, path = "/enterprises/{tenant_id}/rules/preview", tag = "lists", params(("tenant_id" = Uuid, Path)),
    request_body = PreviewRequest, responses((status = 200, body = Preview), (status = 404), (status = 422)))]
pub(crate) async fn preview(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(t): ApiPath<Uuid>,
    req_body: JsonBody<PreviewRequest>,
) -> AppResult<Json<Preview>> {
    let tenant = tenant_access(&state, &user, t, Resource::AdmissionRules, Action::Read).await?;
    let req = req_body.parse()?;
    let direction: Direction = match req.direction.as_deref() {
        None => Direction::Entry,
        Some(d) => d.parse().map_err(|_| {
            AppError::invalid(
                "direction",
                "invalid_direction",
                "方向应为 entry 或 exit",
                "the direction must be entry or exit",
            )
        })?,
    };
    let now = crate::storage::now();
    let at = req.at.unwrap_or_else(|| to_beijing(now));
    let add_rule = match req.add_rule {
        Some(body) => Some(build_rule(Uuid::now_v7(), body).map_err(|e| match e {
            AppError::Invalid { field, code, zh, en } => {
                AppError::Invalid { field: field.map(|f| format!("add_rule.{f}")), code, zh, en }
            }
            other => other,
        })?),
        None => None,
    };
    let mut db = state.db.clone();
    let change = admission::ProposedChange { add_rule, replace_rule: None, settings: req.settings };
    let (vehicles, impact) =
        admission::preview(&mut db, &tenant, now, change, direction, at).await?;
    Ok(Json(Preview { at, vehicles, impact }))
}
