//! An enterprise's sites, gates (出入口, with the regulator's entrance and barrier numbers),
//! lanes with their barrier PLC, and the devices of each lane. Enrolment codes, gate status
//! and remote release come with the gate link.

use askama::Template;
use axum::extract::State;
use platform_domain::permissions::{Action, Resource};
use serde_json::{Value, json};
use uuid::Uuid;

use super::{Ctx, FieldErrors, FormData, PageResult, Route, Viewer, can_write, done, get, post};
use crate::auth::tenant_access;
use crate::http::AppState;
use crate::http::api::directory as api;
use crate::http::extract::{ApiPath, JsonBody};

pub(super) fn routes() -> Vec<Route> {
    vec![
        get("/e/{tenant_id}/gates", gates),
        post("/e/{tenant_id}/sites", add_site),
        post("/e/{tenant_id}/sites/{site_id}", edit_site),
        post("/e/{tenant_id}/sites/{site_id}/delete", delete_site),
        post("/e/{tenant_id}/gates", add_gate),
        post("/e/{tenant_id}/gates/{gate_id}", edit_gate),
        post("/e/{tenant_id}/gates/{gate_id}/delete", delete_gate),
        post("/e/{tenant_id}/gates/{gate_id}/lanes", add_lane),
        post("/e/{tenant_id}/lanes/{lane_id}", edit_lane),
        post("/e/{tenant_id}/lanes/{lane_id}/delete", delete_lane),
        post("/e/{tenant_id}/lanes/{lane_id}/devices", add_device),
        post("/e/{tenant_id}/devices/{device_id}", edit_device),
        post("/e/{tenant_id}/devices/{device_id}/delete", delete_device),
    ]
}

/// A lane with its devices.
#[derive(Debug)]
struct LaneView {
    id: Uuid,
    name: String,
    direction: String,
    direction_id: String,
    plc: String,
    plc_address: String,
    plc_unit: String,
    devices: Vec<DeviceView>,
}

/// A device of a lane.
#[derive(Debug)]
struct DeviceView {
    id: Uuid,
    kind: String,
    kind_label: String,
    name: String,
    vendor: String,
    address: String,
}

/// A gate with its lanes.
#[derive(Debug)]
struct GateView {
    id: Uuid,
    name: String,
    entrance_no: String,
    barrier_no: String,
    lanes: Vec<LaneView>,
}

/// A site with its gates.
#[derive(Debug)]
struct SiteView {
    id: Uuid,
    name: String,
    address: String,
    gates: Vec<GateView>,
}

#[derive(Template)]
#[template(path = "ent/gates.html")]
struct Gates {
    c: Ctx,
    t: Uuid,
    sites: Vec<SiteView>,
    writable: bool,
    /// Which form failed (`site`, `gate`, `lane:<gate id>`, `device:<lane id>`).
    failed: String,
    errors: FieldErrors,
}

fn direction_label(d: &str, en: bool) -> &'static str {
    match (d, en) {
        ("entry", false) => "入口",
        ("entry", true) => "entry",
        ("exit", false) => "出口",
        ("exit", true) => "exit",
        (_, false) => "进出口",
        (_, true) => "entry and exit",
    }
}

fn device_label(k: &str, en: bool) -> &'static str {
    match (k, en) {
        ("anpr_camera", false) => "车牌识别相机",
        ("anpr_camera", true) => "ANPR camera",
        ("body_camera", false) => "车身抓拍相机",
        ("body_camera", true) => "body camera",
        ("violation_camera", false) => "违规抓拍相机",
        ("violation_camera", true) => "violation camera",
        (_, false) => "LED 显示屏",
        (_, true) => "LED screen",
    }
}

async fn page(
    state: &AppState,
    v: &Viewer,
    t: Uuid,
    failed: &str,
    errors: FieldErrors,
    _form: FormData,
) -> PageResult {
    let u = v.require()?;
    let tenant = tenant_access(state, u, t, Resource::Devices, Action::Read).await?;
    let sites = api::list_sites(State(state.clone()), u.clone(), ApiPath(t)).await?.0;
    let gates = api::list_gates(State(state.clone()), u.clone(), ApiPath(t)).await?.0;
    let mut views = Vec::new();
    for s in sites {
        let mut gv = Vec::new();
        for g in gates.iter().filter(|g| g.site_id == s.id) {
            let lanes =
                api::list_lanes(State(state.clone()), u.clone(), ApiPath((t, g.id))).await?.0;
            let mut lv = Vec::new();
            for l in lanes {
                let devices =
                    api::list_devices(State(state.clone()), u.clone(), ApiPath((t, l.id))).await?.0;
                lv.push(LaneView {
                    id: l.id,
                    name: l.name,
                    direction: direction_label(&l.direction, v.en).to_owned(),
                    direction_id: l.direction.clone(),
                    plc: match (&l.plc_address, l.plc_unit) {
                        (Some(a), Some(u)) => format!("{a} #{u}"),
                        (Some(a), None) => a.clone(),
                        _ => String::new(),
                    },
                    plc_address: l.plc_address.clone().unwrap_or_default(),
                    plc_unit: l.plc_unit.map(|u| u.to_string()).unwrap_or_default(),
                    devices: devices
                        .into_iter()
                        .map(|d| DeviceView {
                            id: d.id,
                            kind_label: device_label(&d.kind, v.en).to_owned(),
                            kind: d.kind,
                            name: d.name,
                            vendor: d.vendor.unwrap_or_default(),
                            address: d.address.unwrap_or_default(),
                        })
                        .collect(),
                });
            }
            gv.push(GateView {
                id: g.id,
                name: g.name.clone(),
                entrance_no: g.entrance_no.clone(),
                barrier_no: g.barrier_no.clone(),
                lanes: lv,
            });
        }
        views.push(SiteView {
            id: s.id,
            name: s.name,
            address: s.address.unwrap_or_default(),
            gates: gv,
        });
    }
    let page = Gates {
        c: v.tenant_ctx(if v.en { "Gates" } else { "门岗" }, &tenant, "gates"),
        t,
        sites: views,
        writable: can_write(u, Resource::Devices),
        failed: failed.to_owned(),
        errors,
    };
    if page.errors.any() { super::invalid_form(&page) } else { super::page(&page) }
}

async fn gates(State(state): State<AppState>, v: Viewer, ApiPath(t): ApiPath<Uuid>) -> PageResult {
    page(&state, &v, t, "", FieldErrors::default(), FormData::default()).await
}

/// Runs a write; a field error shows the page again with the failed form marked.
async fn write<F, Fut, T>(
    state: &AppState,
    v: &Viewer,
    t: Uuid,
    which: &str,
    form: FormData,
    call: F,
) -> PageResult
where
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = Result<T, crate::error::AppError>>,
{
    match call().await {
        Ok(_) => done(&format!("/e/{t}/gates"), "saved"),
        Err(e) => {
            let errors = FieldErrors::from_error(e, v.en)?;
            page(state, v, t, which, errors, form).await
        }
    }
}

fn opt_str(form: &FormData, name: &str) -> Value {
    form.opt(name).map(Value::String).unwrap_or(Value::Null)
}

async fn add_site(
    State(state): State<AppState>,
    v: Viewer,
    ApiPath(t): ApiPath<Uuid>,
    form: FormData,
) -> PageResult {
    let u = v.require()?.clone();
    let body = json!({"name": form.get("name"), "address": opt_str(&form, "address")});
    let s = state.clone();
    write(&state, &v, t, "site", form, || {
        api::create_site(State(s), u, ApiPath(t), JsonBody::from_value(&body))
    })
    .await
}

async fn add_gate(
    State(state): State<AppState>,
    v: Viewer,
    ApiPath(t): ApiPath<Uuid>,
    form: FormData,
) -> PageResult {
    let u = v.require()?.clone();
    let site: Value = form.get("site_id").parse::<Uuid>().map(|s| json!(s)).unwrap_or(Value::Null);
    let body = json!({"site_id": site, "name": form.get("name"), "entrance_no": form.get("entrance_no"), "barrier_no": form.get("barrier_no")});
    let s = state.clone();
    let which = format!("gate:{}", form.get("site_id"));
    write(&state, &v, t, &which, form, || {
        api::create_gate(State(s), u, ApiPath(t), JsonBody::from_value(&body))
    })
    .await
}

async fn add_lane(
    State(state): State<AppState>,
    v: Viewer,
    ApiPath((t, g)): ApiPath<(Uuid, Uuid)>,
    form: FormData,
) -> PageResult {
    let u = v.require()?.clone();
    let unit: Value = form
        .opt("plc_unit")
        .and_then(|x| x.parse::<i32>().ok())
        .map(|x| json!(x))
        .unwrap_or(Value::Null);
    let body = json!({"name": form.get("name"), "direction": form.get("direction"), "plc_address": opt_str(&form, "plc_address"), "plc_unit": unit});
    let s = state.clone();
    write(&state, &v, t, &format!("lane:{g}"), form, || {
        api::create_lane(State(s), u, ApiPath((t, g)), JsonBody::from_value(&body))
    })
    .await
}

async fn add_device(
    State(state): State<AppState>,
    v: Viewer,
    ApiPath((t, l)): ApiPath<(Uuid, Uuid)>,
    form: FormData,
) -> PageResult {
    let u = v.require()?.clone();
    let body = json!({"kind": form.get("kind"), "name": form.get("name"), "vendor": opt_str(&form, "vendor"), "model": opt_str(&form, "model"), "serial": opt_str(&form, "serial"), "address": opt_str(&form, "address")});
    let s = state.clone();
    write(&state, &v, t, &format!("device:{l}"), form, || {
        api::create_device(State(s), u, ApiPath((t, l)), JsonBody::from_value(&body))
    })
    .await
}

async fn edit_site(
    State(state): State<AppState>,
    v: Viewer,
    ApiPath((t, id)): ApiPath<(Uuid, Uuid)>,
    form: FormData,
) -> PageResult {
    let u = v.require()?.clone();
    let body = json!({"name": form.get("name"), "address": opt_str(&form, "address")});
    let s = state.clone();
    write(&state, &v, t, &format!("site:{id}"), form, || {
        api::update_site(State(s), u, ApiPath((t, id)), JsonBody::from_value(&body))
    })
    .await
}

async fn edit_gate(
    State(state): State<AppState>,
    v: Viewer,
    ApiPath((t, id)): ApiPath<(Uuid, Uuid)>,
    form: FormData,
) -> PageResult {
    let u = v.require()?.clone();
    let body = json!({"name": form.get("name"), "entrance_no": form.get("entrance_no"), "barrier_no": form.get("barrier_no")});
    let s = state.clone();
    write(&state, &v, t, &format!("edit-gate:{id}"), form, || {
        api::update_gate(State(s), u, ApiPath((t, id)), JsonBody::from_value(&body))
    })
    .await
}

async fn edit_lane(
    State(state): State<AppState>,
    v: Viewer,
    ApiPath((t, id)): ApiPath<(Uuid, Uuid)>,
    form: FormData,
) -> PageResult {
    let u = v.require()?.clone();
    let unit: Value = form
        .opt("plc_unit")
        .and_then(|x| x.parse::<i32>().ok())
        .map(|x| json!(x))
        .unwrap_or(Value::Null);
    let body = json!({"name": form.get("name"), "direction": form.get("direction"), "plc_address": opt_str(&form, "plc_address"), "plc_unit": unit});
    let s = state.clone();
    write(&state, &v, t, &format!("edit-lane:{id}"), form, || {
        api::update_lane(State(s), u, ApiPath((t, id)), JsonBody::from_value(&body))
    })
    .await
}

async fn edit_device(
    State(state): State<AppState>,
    v: Viewer,
    ApiPath((t, id)): ApiPath<(Uuid, Uuid)>,
    form: FormData,
) -> PageResult {
    let u = v.require()?.clone();
    let body = json!({"kind": form.get("kind"), "name": form.get("name"), "vendor": opt_str(&form, "vendor"), "address": opt_str(&form, "address")});
    let s = state.clone();
    write(&state, &v, t, &format!("edit-device:{id}"), form, || {
        api::update_device(State(s), u, ApiPath((t, id)), JsonBody::from_value(&body))
    })
    .await
}

async fn delete_site(
    State(state): State<AppState>,
    v: Viewer,
    ApiPath((t, id)): ApiPath<(Uuid, Uuid)>,
) -> PageResult {
    let u = v.require()?.clone();
    let s = state.clone();
    write(&state, &v, t, "site", FormData::default(), || {
        api::delete_site(State(s), u, ApiPath((t, id)))
    })
    .await
}

async fn delete_gate(
    State(state): State<AppState>,
    v: Viewer,
    ApiPath((t, id)): ApiPath<(Uuid, Uuid)>,
) -> PageResult {
    let u = v.require()?;
    let _ = api::delete_gate(State(state.clone()), u.clone(), ApiPath((t, id))).await?;
    done(&format!("/e/{t}/gates"), "deleted")
}

async fn delete_lane(
    State(state): State<AppState>,
    v: Viewer,
    ApiPath((t, id)): ApiPath<(Uuid, Uuid)>,
) -> PageResult {
    let u = v.require()?;
    let _ = api::delete_lane(State(state.clone()), u.clone(), ApiPath((t, id))).await?;
    done(&format!("/e/{t}/gates"), "deleted")
}

async fn delete_device(
    State(state): State<AppState>,
    v: Viewer,
    ApiPath((t, id)): ApiPath<(Uuid, Uuid)>,
) -> PageResult {
    let u = v.require()?;
    let _ = api::delete_device(State(state.clone()), u.clone(), ApiPath((t, id))).await?;
    done(&format!("/e/{t}/gates"), "deleted")
}
