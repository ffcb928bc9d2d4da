//! The three registries (车辆台账): list with filters, register, view with document photos,
//! edit, delete, import with the per-row report and confirmation, export, and expiring
//! documents. Reads and writes go through the API's handler functions.

use askama::Template;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Query, State};
use axum::response::IntoResponse;
use platform_domain::codes::{
    EmissionStage, Fuel, LedgerKind, PlateColour, TransportUse, VehicleClass,
};
use platform_domain::permissions::{Action, Resource};
use serde::Deserialize;
use serde_json::{Map, Value};
use uuid::Uuid;

use super::{
    Choice, Ctx, FieldErrors, FormData, PageError, PageResult, Route, Viewer, can_write, done, get,
    post,
};
use crate::auth::{CurrentUser, tenant_access};
use crate::error::AppError;
use crate::http::AppState;
use crate::http::api::vehicles as api;
use crate::http::extract::{ApiPath, ApiQuery, JsonBody};
use crate::registry::{self, VehicleInput};
use crate::storage::tenants::TenantRow;
use crate::storage::vehicles::VehicleFields;

pub(super) fn routes() -> Vec<Route> {
    vec![
        get("/e/{tenant_id}/vehicles", list),
        post("/e/{tenant_id}/vehicles", create),
        get("/e/{tenant_id}/vehicles/new", new_form),
        get("/e/{tenant_id}/vehicles/export", export),
        get("/e/{tenant_id}/vehicles/expiring", expiring),
        get("/e/{tenant_id}/vehicles/{vehicle_id}", show),
        post("/e/{tenant_id}/vehicles/{vehicle_id}", update),
        get("/e/{tenant_id}/vehicles/{vehicle_id}/edit", edit_form),
        post("/e/{tenant_id}/vehicles/{vehicle_id}/delete", delete),
        post("/e/{tenant_id}/vehicles/{vehicle_id}/documents", upload),
        get("/e/{tenant_id}/vehicles/{vehicle_id}/documents/{document_id}", document),
        post(
            "/e/{tenant_id}/vehicles/{vehicle_id}/documents/{document_id}/delete",
            delete_document,
        ),
        get("/e/{tenant_id}/imports/new", import_form),
        post("/e/{tenant_id}/imports", start_import),
        get("/e/{tenant_id}/imports/{import_id}", import_report),
        post("/e/{tenant_id}/imports/{import_id}/confirm", confirm_import),
    ]
}

fn kind_label(kind: &str, en: bool) -> String {
    crate::code_label!(LedgerKind, kind, en)
}

// ------------------------------------------------------------------------------ list

#[derive(Debug, Default, Deserialize)]
struct ListQuery {
    kind: Option<String>,
    search: Option<String>,
    stage: Option<String>,
    fuel: Option<String>,
    page: Option<u64>,
}

/// A row of the registry list.
#[derive(Debug)]
struct Row {
    id: Uuid,
    label: String,
    kind: String,
    class: String,
    fuel: String,
    stage: String,
    missing: usize,
    warning: bool,
}

#[derive(Template)]
#[template(path = "ent/vehicles.html")]
struct List {
    c: Ctx,
    t: Uuid,
    rows: Vec<Row>,
    total: i64,
    kinds: Vec<Choice>,
    stages: Vec<Choice>,
    fuels: Vec<Choice>,
    search: String,
    kind: String,
    page: u64,
    next: Option<String>,
    prev: Option<String>,
    writable: bool,
}

fn opt(s: &Option<String>) -> Option<String> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned)
}

async fn list(
    State(state): State<AppState>,
    v: Viewer,
    ApiPath(t): ApiPath<Uuid>,
    Query(q): Query<ListQuery>,
) -> PageResult {
    let u = v.require()?;
    let tenant = tenant_access(&state, u, t, Resource::Vehicles, Action::Read).await?;
    let page = q.page.unwrap_or(1).max(1);
    let per_page = 50;
    let query = api::VehicleQuery {
        kind: opt(&q.kind),
        search: opt(&q.search),
        stage: opt(&q.stage),
        fuel: opt(&q.fuel),
        vehicle_class: None,
        page: Some(page),
        per_page: Some(per_page),
    };
    let paged =
        api::list_vehicles(State(state.clone()), u.clone(), ApiPath(t), ApiQuery(query)).await?.0;
    let total = paged.total.unwrap_or(0);
    let rows = paged
        .items
        .into_iter()
        .map(|x| Row {
            id: x.vehicle.id,
            label: x
                .vehicle
                .fields
                .plate
                .clone()
                .or(x.vehicle.fields.registration_code.clone())
                .unwrap_or_default(),
            kind: kind_label(&x.vehicle.fields.kind, v.en),
            class: crate::code_label!(VehicleClass, &x.vehicle.fields.vehicle_class, v.en),
            fuel: crate::code_label!(Fuel, &x.vehicle.fields.fuel, v.en),
            stage: crate::code_label!(EmissionStage, &x.vehicle.fields.stage, v.en),
            missing: x.missing_fields.len(),
            warning: !x.warnings.is_empty(),
        })
        .collect();
    let link = |p: u64| {
        let mut s = form_urlencoded::Serializer::new(String::new());
        for (k, val) in
            [("kind", &q.kind), ("search", &q.search), ("stage", &q.stage), ("fuel", &q.fuel)]
        {
            if let Some(val) = opt(val) {
                s.append_pair(k, &val);
            }
        }
        s.append_pair("page", &p.to_string());
        format!("/e/{t}/vehicles?{}", s.finish())
    };
    let sel = |x: &Option<String>| opt(x).into_iter().collect::<Vec<_>>();
    super::page(&List {
        c: v.tenant_ctx(if v.en { "Registries" } else { "车辆台账" }, &tenant, "vehicles"),
        t,
        rows,
        total,
        kinds: crate::code_choices!(LedgerKind, v.en, &sel(&q.kind)),
        stages: crate::code_choices!(EmissionStage, v.en, &sel(&q.stage)),
        fuels: crate::code_choices!(Fuel, v.en, &sel(&q.fuel)),
        search: opt(&q.search).unwrap_or_default(),
        kind: opt(&q.kind).unwrap_or_default(),
        page,
        next: ((page * per_page) < total as u64).then(|| link(page + 1)),
        prev: (page > 1).then(|| link(page - 1)),
        writable: can_write(u, Resource::Vehicles),
    })
}

// ------------------------------------------------------------------------------ form

/// One field of the vehicle form.
#[derive(Debug, Clone)]
pub struct Field {
    /// Name (the API's field).
    pub name: &'static str,
    /// Label.
    pub label: &'static str,
    /// `text`, `date` or `select`.
    pub kind: &'static str,
    /// Current value.
    pub value: String,
    /// Options of a select.
    pub options: Vec<Choice>,
    /// The error to show next to it.
    pub error: String,
    /// A hint.
    pub hint: &'static str,
}

/// The text fields of the form, with their labels.
const TEXT_FIELDS: &[(&str, &str, &str, &str)] = &[
    ("plate", "号牌号码", "Plate number", "text"),
    ("trailer_plate", "挂车号牌", "Trailer plate", "text"),
    ("vin", "车辆识别代号（VIN）", "VIN", "text"),
    (
        "registration_code",
        "环保登记编码 / 内部管理号牌",
        "Registration code / internal plate",
        "text",
    ),
    ("machine_code", "机械环保代码（PIN）", "Machine code (PIN)", "text"),
    ("vehicle_model", "车辆（机械）型号", "Model", "text"),
    ("registration_date", "注册登记日期", "Registration date", "date"),
    ("production_date", "生产日期", "Production date", "date"),
    ("engine_model", "发动机型号", "Engine model", "text"),
    ("engine_no", "发动机号码", "Engine number", "text"),
    ("fleet_name", "车队名称", "Fleet", "text"),
    ("owner", "所属人（单位）", "Owner", "text"),
    ("license_expiry", "行驶证有效期至", "Registration certificate valid until", "date"),
    ("permit_expiry", "通行证有效期至", "Permit valid until", "date"),
    ("cargo_name", "常运货物名称", "Usual cargo", "text"),
    ("notes", "备注", "Notes", "text"),
];

fn value_of(f: &VehicleFields, name: &str) -> String {
    let d = |x: &Option<chrono::NaiveDate>| {
        x.map(|d| d.format("%Y-%m-%d").to_string()).unwrap_or_default()
    };
    match name {
        "kind" => f.kind.clone(),
        "plate" => f.plate.clone().unwrap_or_default(),
        "plate_colour" => f.plate_colour.clone().unwrap_or_default(),
        "trailer_plate" => f.trailer_plate.clone().unwrap_or_default(),
        "vin" => f.vin.clone().unwrap_or_default(),
        "registration_code" => f.registration_code.clone().unwrap_or_default(),
        "machine_code" => f.machine_code.clone().unwrap_or_default(),
        "vehicle_class" => f.vehicle_class.clone(),
        "vehicle_model" => f.vehicle_model.clone().unwrap_or_default(),
        "registration_date" => d(&f.registration_date),
        "production_date" => d(&f.production_date),
        "engine_model" => f.engine_model.clone().unwrap_or_default(),
        "engine_no" => f.engine_no.clone().unwrap_or_default(),
        "fuel" => f.fuel.clone(),
        "stage" => f.stage.clone(),
        "transport_use" => f.transport_use.clone().unwrap_or_default(),
        "fleet_name" => f.fleet_name.clone().unwrap_or_default(),
        "owner" => f.owner.clone().unwrap_or_default(),
        "license_expiry" => d(&f.license_expiry),
        "permit_expiry" => d(&f.permit_expiry),
        "cargo_name" => f.cargo_name.clone().unwrap_or_default(),
        "notes" => f.notes.clone().unwrap_or_default(),
        _ => String::new(),
    }
}

/// The form's fields filled from `get` (a form or a stored vehicle), with `errors`.
fn fields(
    en: bool,
    with_kind: bool,
    get: &dyn Fn(&str) -> String,
    errors: &FieldErrors,
) -> Vec<Field> {
    let select =
        |name: &'static str, zh: &'static str, e: &'static str, options: Vec<Choice>| Field {
            name,
            label: if en { e } else { zh },
            kind: "select",
            value: get(name),
            options,
            error: errors.of(name).to_owned(),
            hint: "",
        };
    let mut out = Vec::new();
    if with_kind {
        out.push(select(
            "kind",
            "台账类型",
            "Registry",
            crate::code_choices!(LedgerKind, en, &[get("kind")]),
        ));
    }
    let text =
        |&(name, zh, e, kind): &(&'static str, &'static str, &'static str, &'static str)| Field {
            name,
            label: if en { e } else { zh },
            kind,
            value: get(name),
            options: Vec::new(),
            error: errors.of(name).to_owned(),
            hint: match name {
                "plate" => {
                    if en {
                        "e.g. 晋A12345; leave empty for machinery without a plate"
                    } else {
                        "如 晋A12345；无牌机械可不填"
                    }
                }
                "registration_code" => {
                    if en {
                        "required for in-plant vehicles and machinery"
                    } else {
                        "厂内车辆和非道路机械必填"
                    }
                }
                _ => "",
            },
        };
    out.push(text(&TEXT_FIELDS[0]));
    let mut colours = vec![Choice {
        value: String::new(),
        label: "—".into(),
        selected: get("plate_colour").is_empty(),
    }];
    colours.extend(crate::code_choices!(PlateColour, en, &[get("plate_colour")]));
    out.push(select("plate_colour", "号牌颜色", "Plate colour", colours));
    out.extend(TEXT_FIELDS[1..5].iter().map(text));
    out.push(select(
        "vehicle_class",
        "车辆（机械）类型",
        "Class",
        crate::code_choices!(VehicleClass, en, &[get("vehicle_class")]),
    ));
    out.push(select("fuel", "燃料类型", "Fuel", crate::code_choices!(Fuel, en, &[get("fuel")])));
    out.push(select(
        "stage",
        "排放阶段",
        "Emission stage",
        crate::code_choices!(EmissionStage, en, &[get("stage")]),
    ));
    let mut uses = vec![Choice {
        value: String::new(),
        label: "—".into(),
        selected: get("transport_use").is_empty(),
    }];
    uses.extend(crate::code_choices!(TransportUse, en, &[get("transport_use")]));
    out.push(select("transport_use", "使用性质", "Transport use", uses));
    out.extend(TEXT_FIELDS[5..].iter().map(text));
    out
}

fn input_json(form: &FormData, kind: Option<&str>) -> Value {
    let mut map = Map::new();
    if let Some(k) = kind {
        map.insert("kind".into(), Value::String(k.to_owned()));
    }
    for name in [
        "plate",
        "plate_colour",
        "trailer_plate",
        "vin",
        "registration_code",
        "machine_code",
        "vehicle_class",
        "vehicle_model",
        "registration_date",
        "production_date",
        "engine_model",
        "engine_no",
        "fuel",
        "stage",
        "transport_use",
        "fleet_name",
        "owner",
        "license_expiry",
        "permit_expiry",
        "cargo_name",
        "notes",
    ] {
        if let Some(v) = form.opt(name) {
            map.insert(name.into(), Value::String(v));
        }
    }
    Value::Object(map)
}

#[derive(Template)]
#[template(path = "ent/vehicle_form.html")]
struct Form {
    c: Ctx,
    t: Uuid,
    action: String,
    fields: Vec<Field>,
    general: Vec<String>,
    editing: bool,
}

async fn new_form(
    State(state): State<AppState>,
    v: Viewer,
    ApiPath(t): ApiPath<Uuid>,
    Query(q): Query<ListQuery>,
) -> PageResult {
    let u = v.require()?;
    let tenant = tenant_access(&state, u, t, Resource::Vehicles, Action::Write).await?;
    let kind = opt(&q.kind).unwrap_or_else(|| "external_transport".into());
    let get = |n: &str| match n {
        "kind" => kind.clone(),
        "plate_colour" if kind == "external_transport" => "yellow".into(),
        "vehicle_class" => match kind.as_str() {
            "non_road" => "loader".into(),
            "in_plant" => "in_plant_vehicle".into(),
            _ => "heavy_truck".into(),
        },
        "fuel" => "diesel".into(),
        "stage" => {
            if kind == "non_road" {
                "nr3".into()
            } else {
                "cn6".into()
            }
        }
        _ => String::new(),
    };
    super::page(&Form {
        c: v.tenant_ctx(if v.en { "Register a vehicle" } else { "登记车辆" }, &tenant, "vehicles"),
        t,
        action: format!("/e/{t}/vehicles"),
        fields: fields(v.en, true, &get, &FieldErrors::default()),
        general: Vec::new(),
        editing: false,
    })
}

fn issues_to_errors(issues: Vec<registry::FieldIssue>, en: bool) -> FieldErrors {
    FieldErrors(issues.into_iter().map(|i| (i.field, if en { i.en } else { i.zh })).collect())
}

async fn create(
    State(state): State<AppState>,
    v: Viewer,
    ApiPath(t): ApiPath<Uuid>,
    form: FormData,
) -> PageResult {
    let u = v.require()?;
    let tenant = tenant_access(&state, u, t, Resource::Vehicles, Action::Write).await?;
    let json = input_json(&form, Some(&form.get("kind")));
    let again = |errors: FieldErrors| {
        let known: Vec<&str> =
            ["kind", "plate_colour", "vehicle_class", "fuel", "stage", "transport_use"]
                .into_iter()
                .chain(TEXT_FIELDS.iter().map(|f| f.0))
                .collect();
        let general = errors
            .0
            .iter()
            .filter(|(f, _)| !known.contains(&f.as_str()))
            .map(|(_, m)| m.clone())
            .collect();
        Form {
            c: v.tenant_ctx(
                if v.en { "Register a vehicle" } else { "登记车辆" },
                &tenant,
                "vehicles",
            ),
            t,
            action: format!("/e/{t}/vehicles"),
            fields: fields(v.en, true, &|n| form.get(n), &errors),
            general,
            editing: false,
        }
    };
    // Every problem at once, next to its field; the API would name only the first.
    let input: VehicleInput =
        serde_json::from_value(json.clone()).map_err(|e| AppError::Internal(e.into()))?;
    if let Err(issues) = registry::check(&input, None, None) {
        return super::invalid_form(&again(issues_to_errors(issues, v.en)));
    }
    match api::create_vehicle(
        State(state.clone()),
        u.clone(),
        ApiPath(t),
        JsonBody::from_value(&json),
    )
    .await
    {
        Ok((_, axum::Json(r))) => done(&format!("/e/{t}/vehicles/{}", r.id), "created"),
        Err(e) => super::invalid_form(&again(FieldErrors::from_error(e, v.en)?)),
    }
}

async fn edit_form(
    State(state): State<AppState>,
    v: Viewer,
    ApiPath((t, id)): ApiPath<(Uuid, Uuid)>,
) -> PageResult {
    let u = v.require()?;
    let tenant = tenant_access(&state, u, t, Resource::Vehicles, Action::Write).await?;
    let x = api::show_vehicle(State(state.clone()), u.clone(), ApiPath((t, id))).await?.0;
    let f = x.vehicle.fields.clone();
    super::page(&Form {
        c: v.tenant_ctx(if v.en { "Edit vehicle" } else { "修改车辆信息" }, &tenant, "vehicles"),
        t,
        action: format!("/e/{t}/vehicles/{id}"),
        fields: fields(v.en, false, &|n| value_of(&f, n), &FieldErrors::default()),
        general: Vec::new(),
        editing: true,
    })
}

async fn update(
    State(state): State<AppState>,
    v: Viewer,
    ApiPath((t, id)): ApiPath<(Uuid, Uuid)>,
    form: FormData,
) -> PageResult {
    let u = v.require()?;
    let tenant = tenant_access(&state, u, t, Resource::Vehicles, Action::Write).await?;
    let before = api::show_vehicle(State(state.clone()), u.clone(), ApiPath((t, id))).await?.0;
    let kind: LedgerKind = before.vehicle.fields.kind.parse().map_err(|_| AppError::NotFound)?;
    let json = input_json(&form, None);
    let again = |errors: FieldErrors| Form {
        c: v.tenant_ctx(if v.en { "Edit vehicle" } else { "修改车辆信息" }, &tenant, "vehicles"),
        t,
        action: format!("/e/{t}/vehicles/{id}"),
        general: errors.general().iter().map(|s| s.to_string()).collect(),
        fields: fields(v.en, false, &|n| form.get(n), &errors),
        editing: true,
    };
    let input: VehicleInput =
        serde_json::from_value(json.clone()).map_err(|e| AppError::Internal(e.into()))?;
    if let Err(issues) = registry::check(&input, Some(kind), None) {
        return super::invalid_form(&again(issues_to_errors(issues, v.en)));
    }
    match api::replace_vehicle(
        State(state.clone()),
        u.clone(),
        ApiPath((t, id)),
        JsonBody::from_value(&json),
    )
    .await
    {
        Ok(_) => done(&format!("/e/{t}/vehicles/{id}"), "saved"),
        Err(e) => super::invalid_form(&again(FieldErrors::from_error(e, v.en)?)),
    }
}

async fn delete(
    State(state): State<AppState>,
    v: Viewer,
    ApiPath((t, id)): ApiPath<(Uuid, Uuid)>,
) -> PageResult {
    let u = v.require()?;
    let _ = api::delete_vehicle(State(state.clone()), u.clone(), ApiPath((t, id))).await?;
    done(&format!("/e/{t}/vehicles"), "deleted")
}

// ---------------------------------------------------------------------------- detail

/// A document as the detail page lists it.
#[derive(Debug)]
struct Doc {
    id: Uuid,
    kind: String,
    file_name: String,
    image: bool,
    uploaded: String,
}

#[derive(Template)]
#[template(path = "ent/vehicle.html")]
struct Detail {
    c: Ctx,
    t: Uuid,
    id: Uuid,
    title: String,
    facts: Vec<(&'static str, String)>,
    missing: Vec<String>,
    warnings: Vec<String>,
    docs: Vec<Doc>,
    doc_kinds: Vec<Choice>,
    upload_error: String,
    writable: bool,
}

const DOC_KINDS: [(&str, &str, &str); 6] = [
    ("driving_license", "行驶证", "registration certificate"),
    ("accompanying_list", "随车清单", "environmental information list"),
    ("vehicle_photo", "车辆照片", "vehicle photo"),
    ("nameplate", "整车（机械）铭牌", "vehicle or machine nameplate"),
    ("engine_nameplate", "发动机铭牌", "engine nameplate"),
    ("env_label", "环保信息标签", "environmental information label"),
];

fn doc_kind_label(kind: &str, en: bool) -> String {
    DOC_KINDS
        .iter()
        .find(|(k, _, _)| *k == kind)
        .map(|(_, zh, e)| if en { *e } else { *zh })
        .unwrap_or(kind)
        .to_owned()
}

fn field_label(field: &str, en: bool) -> String {
    if let Some((_, zh, e, _)) = TEXT_FIELDS.iter().find(|f| f.0 == field) {
        return if en { (*e).to_owned() } else { (*zh).to_owned() };
    }
    crate::code_label!(platform_domain::metrics::LedgerField, field, en)
}

async fn detail_page(
    state: &AppState,
    v: &Viewer,
    u: &CurrentUser,
    t: Uuid,
    id: Uuid,
    upload_error: String,
) -> PageResult {
    let tenant: TenantRow = tenant_access(state, u, t, Resource::Vehicles, Action::Read).await?;
    let x = api::show_vehicle(State(state.clone()), u.clone(), ApiPath((t, id))).await?.0;
    let docs = api::list_documents(State(state.clone()), u.clone(), ApiPath((t, id))).await?.0;
    let f = &x.vehicle.fields;
    let en = v.en;
    let mut facts: Vec<(&'static str, String)> = Vec::new();
    let mut push = |zh: &'static str, e: &'static str, val: String| {
        if !val.is_empty() {
            facts.push((if en { e } else { zh }, val));
        }
    };
    push("台账类型", "Registry", kind_label(&f.kind, en));
    push("号牌号码", "Plate", f.plate.clone().unwrap_or_default());
    push(
        "号牌颜色",
        "Plate colour",
        f.plate_colour
            .as_deref()
            .map(|c| crate::code_label!(PlateColour, c, en))
            .unwrap_or_default(),
    );
    push("车辆（机械）类型", "Class", crate::code_label!(VehicleClass, &f.vehicle_class, en));
    push("燃料类型", "Fuel", crate::code_label!(Fuel, &f.fuel, en));
    push("排放阶段", "Emission stage", crate::code_label!(EmissionStage, &f.stage, en));
    for (name, zh, e, _) in TEXT_FIELDS.iter().skip(1) {
        push(zh, e, value_of(f, name));
    }
    let writable = can_write(u, Resource::Vehicles);
    super::page(&Detail {
        c: v.tenant_ctx(if en { "Vehicle" } else { "车辆详情" }, &tenant, "vehicles"),
        t,
        id,
        title: f
            .plate
            .clone()
            .or(f.registration_code.clone())
            .unwrap_or_else(|| if en { "unplated".into() } else { "无牌".into() }),
        facts,
        missing: x.missing_fields.iter().map(|m| field_label(m, en)).collect(),
        warnings: x.warnings.iter().map(|w| if en { w.en.clone() } else { w.zh.clone() }).collect(),
        docs: docs
            .into_iter()
            .map(|d| Doc {
                id: d.id,
                kind: doc_kind_label(&d.kind, en),
                file_name: d.file_name.unwrap_or_default(),
                image: d.content_type.starts_with("image/"),
                uploaded: super::local(&d.uploaded_at),
            })
            .collect(),
        doc_kinds: DOC_KINDS
            .iter()
            .map(|(k, zh, e)| Choice {
                value: (*k).into(),
                label: if en { (*e).into() } else { (*zh).into() },
                selected: false,
            })
            .collect(),
        upload_error,
        writable,
    })
}

async fn show(
    State(state): State<AppState>,
    v: Viewer,
    ApiPath((t, id)): ApiPath<(Uuid, Uuid)>,
) -> PageResult {
    let u = v.require()?.clone();
    detail_page(&state, &v, &u, t, id, String::new()).await
}

async fn upload(
    State(state): State<AppState>,
    v: Viewer,
    ApiPath((t, id)): ApiPath<(Uuid, Uuid)>,
    multipart: Result<Multipart, MultipartRejection>,
) -> PageResult {
    let u = v.require()?.clone();
    match api::upload_document(State(state.clone()), u.clone(), ApiPath((t, id)), multipart).await {
        Ok(_) => done(&format!("/e/{t}/vehicles/{id}"), "uploaded"),
        Err(e @ (AppError::Invalid { .. } | AppError::TooLarge | AppError::BadRequest(_))) => {
            let lang = if v.en { crate::i18n::Lang::En } else { crate::i18n::Lang::Zh };
            let resp = detail_page(&state, &v, &u, t, id, e.message(lang)).await?;
            Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, resp).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

async fn document(
    State(state): State<AppState>,
    v: Viewer,
    ApiPath((t, id, d)): ApiPath<(Uuid, Uuid, Uuid)>,
) -> PageResult {
    let u = v.require()?;
    Ok(api::show_document(State(state.clone()), u.clone(), ApiPath((t, id, d))).await?)
}

async fn delete_document(
    State(state): State<AppState>,
    v: Viewer,
    ApiPath((t, id, d)): ApiPath<(Uuid, Uuid, Uuid)>,
) -> PageResult {
    let u = v.require()?;
    let _ = api::delete_document(State(state.clone()), u.clone(), ApiPath((t, id, d))).await?;
    done(&format!("/e/{t}/vehicles/{id}"), "deleted")
}

// ------------------------------------------------------------------ export and expiry

#[derive(Debug, Deserialize)]
struct ExportQuery {
    kind: Option<String>,
    format: Option<String>,
}

async fn export(
    State(state): State<AppState>,
    v: Viewer,
    ApiPath(t): ApiPath<Uuid>,
    Query(q): Query<ExportQuery>,
) -> PageResult {
    let u = v.require()?;
    let query = api::ExportQuery { kind: q.kind, format: q.format };
    Ok(api::export_vehicles(State(state.clone()), u.clone(), ApiPath(t), ApiQuery(query)).await?)
}

#[derive(Template)]
#[template(path = "ent/expiring.html")]
struct Expiring {
    c: Ctx,
    t: Uuid,
    rows: Vec<(Uuid, String, String, String, i64, bool)>,
}

async fn expiring(
    State(state): State<AppState>,
    v: Viewer,
    ApiPath(t): ApiPath<Uuid>,
) -> PageResult {
    let u = v.require()?;
    let tenant = tenant_access(&state, u, t, Resource::Vehicles, Action::Read).await?;
    let items = api::expiring_vehicles(
        State(state.clone()),
        u.clone(),
        ApiPath(t),
        ApiQuery(api::ExpiryQuery { within_days: Some(30) }),
    )
    .await?
    .0;
    let rows = items
        .into_iter()
        .map(|e| {
            let doc = if e.document == "permit" {
                if v.en { "permit" } else { "通行证" }
            } else if v.en {
                "registration certificate"
            } else {
                "行驶证"
            };
            (
                e.vehicle_id,
                e.label,
                doc.to_owned(),
                e.expires_on.format("%Y-%m-%d").to_string(),
                e.days_left,
                e.status == "expired",
            )
        })
        .collect();
    super::page(&Expiring {
        c: v.tenant_ctx(
            if v.en { "Expiring documents" } else { "证件到期提醒" },
            &tenant,
            "vehicles",
        ),
        t,
        rows,
    })
}

// ---------------------------------------------------------------------------- import

#[derive(Template)]
#[template(path = "ent/import_new.html")]
struct ImportForm {
    c: Ctx,
    t: Uuid,
    kinds: Vec<Choice>,
    error: String,
}

async fn import_form(
    State(state): State<AppState>,
    v: Viewer,
    ApiPath(t): ApiPath<Uuid>,
) -> PageResult {
    let u = v.require()?;
    let tenant = tenant_access(&state, u, t, Resource::Vehicles, Action::Write).await?;
    super::page(&ImportForm {
        c: v.tenant_ctx(if v.en { "Import" } else { "批量导入" }, &tenant, "vehicles"),
        t,
        kinds: crate::code_choices!(LedgerKind, v.en, &["external_transport".to_owned()]),
        error: String::new(),
    })
}

async fn start_import(
    State(state): State<AppState>,
    v: Viewer,
    ApiPath(t): ApiPath<Uuid>,
    multipart: Result<Multipart, MultipartRejection>,
) -> PageResult {
    let u = v.require()?;
    match api::start_import(State(state.clone()), u.clone(), ApiPath(t), multipart).await {
        Ok((_, axum::Json(report))) => {
            Err(PageError::Redirect(format!("/e/{t}/imports/{}", report.import_id)))
        }
        Err(e @ (AppError::Invalid { .. } | AppError::TooLarge | AppError::BadRequest(_))) => {
            let tenant = tenant_access(&state, u, t, Resource::Vehicles, Action::Write).await?;
            let lang = if v.en { crate::i18n::Lang::En } else { crate::i18n::Lang::Zh };
            super::invalid_form(&ImportForm {
                c: v.tenant_ctx(if v.en { "Import" } else { "批量导入" }, &tenant, "vehicles"),
                t,
                kinds: crate::code_choices!(LedgerKind, v.en, &["external_transport".to_owned()]),
                error: e.message(lang),
            })
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "ent/import.html")]
struct ImportReport {
    c: Ctx,
    t: Uuid,
    id: Uuid,
    kind: String,
    file_name: String,
    confirmed: bool,
    total_rows: usize,
    valid_rows: usize,
    errors: Vec<api::ImportIssueView>,
    warnings: Vec<api::ImportIssueView>,
    writable: bool,
}

async fn import_report(
    State(state): State<AppState>,
    v: Viewer,
    ApiPath((t, id)): ApiPath<(Uuid, Uuid)>,
) -> PageResult {
    let u = v.require()?;
    let tenant = tenant_access(&state, u, t, Resource::Vehicles, Action::Read).await?;
    let r = api::show_import(State(state.clone()), u.clone(), ApiPath((t, id))).await?.0;
    super::page(&ImportReport {
        c: v.tenant_ctx(if v.en { "Import report" } else { "导入检查报告" }, &tenant, "vehicles"),
        t,
        id,
        kind: kind_label(&r.kind, v.en),
        file_name: r.file_name,
        confirmed: r.status == "confirmed",
        total_rows: r.total_rows,
        valid_rows: r.valid_rows,
        errors: r.errors,
        warnings: r.warnings,
        writable: can_write(u, Resource::Vehicles),
    })
}

async fn confirm_import(
    State(state): State<AppState>,
    v: Viewer,
    ApiPath((t, id)): ApiPath<(Uuid, Uuid)>,
) -> PageResult {
    let u = v.require()?;
    let _ = api::confirm_import(State(state.clone()), u.clone(), ApiPath((t, id))).await?;
    done(&format!("/e/{t}/vehicles"), "imported")
}
