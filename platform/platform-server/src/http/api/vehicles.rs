//! The three vehicle registries (移动源): vehicles and machinery with their documents,
//! bulk import and export in the bureau table format, and document expiry warnings.

use std::collections::{HashMap, HashSet};

use axum::Json;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{DefaultBodyLimit, Multipart, State};
use axum::http::StatusCode;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, NaiveDate, Utc};
use platform_domain::codes::LedgerKind;
use platform_domain::ids::TenantId;
use platform_domain::permissions::{Action, Resource};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::platform::serve_object;
use super::{Done, PageParams, Paged};
use crate::auth::{CurrentUser, tenant_access};
use crate::error::{AppError, AppResult};
use crate::http::AppState;
use crate::http::extract::{ApiPath, ApiQuery, JsonBody};
use crate::http::upload::{self, Accept};
use crate::objects::{sha256_hex, tenant_key};
use crate::registry::{self, FieldIssue, ImportIssue, TableRow, VehicleInput};
use crate::storage::audit::{self, Change};
use crate::storage::vehicles::{self, DocumentRow, NewDocument, VehicleFilter, VehicleRow};
use crate::storage::{Conn, Tx, imports, tenants};

pub(super) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(upload_document))
        .routes(routes!(start_import))
        .layer(DefaultBodyLimit::max(upload::MAX_REQUEST))
        .routes(routes!(list_vehicles, create_vehicle))
        .routes(routes!(export_vehicles))
        .routes(routes!(expiring_vehicles))
        .routes(routes!(show_vehicle, replace_vehicle, delete_vehicle))
        .routes(routes!(list_documents))
        .routes(routes!(show_document, delete_document))
        .routes(routes!(show_import))
        .routes(routes!(confirm_import))
}

/// Document kinds a vehicle can carry.
const DOCUMENT_KINDS: [(&str, &str, &str); 6] = [
    ("accompanying_list", "随车清单", "environmental information list"),
    ("driving_license", "行驶证", "vehicle registration certificate"),
    ("vehicle_photo", "车辆照片", "vehicle photo"),
    ("nameplate", "整车（机械）铭牌", "vehicle or machine nameplate"),
    ("engine_nameplate", "发动机铭牌", "engine nameplate"),
    ("env_label", "环保信息标签", "environmental information label"),
];

/// A registered vehicle or machine, with what it still lacks for the 2020 ledger tables.
#[derive(Debug, Serialize, ToSchema)]
pub struct Vehicle {
    /// The stored vehicle.
    #[serde(flatten)]
    pub vehicle: VehicleRow,
    /// Ledger fields still missing (identifiers of `platform_domain::metrics::LedgerField`).
    pub missing_fields: Vec<String>,
    /// Warnings, such as a VIN whose check digit does not verify.
    pub warnings: Vec<FieldIssue>,
}

fn warnings_of(v: &VehicleRow) -> Vec<FieldIssue> {
    v.fields
        .vin_warning
        .as_ref()
        .map(|code| FieldIssue {
            field: "vin".into(),
            code: code.clone(),
            zh: "车辆识别代号校验位不符，请核对".into(),
            en: "the VIN check digit does not match: please verify".into(),
        })
        .into_iter()
        .collect()
}

async fn views(c: &mut impl Conn, t: TenantId, rows: Vec<VehicleRow>) -> AppResult<Vec<Vehicle>> {
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let kinds = vehicles::document_kinds(c, t, &ids).await?;
    Ok(rows
        .into_iter()
        .map(|v| {
            let has = |k: &str| kinds.iter().any(|(id, kind)| *id == v.id && kind == k);
            let docs = has("accompanying_list") || has("driving_license");
            let missing = registry::incomplete(&v.fields, docs, has("engine_nameplate"))
                .iter()
                .map(|f| f.as_str().to_owned())
                .collect();
            Vehicle { warnings: warnings_of(&v), missing_fields: missing, vehicle: v }
        })
        .collect())
}

fn parse_kind(field: &str, s: &str) -> AppResult<LedgerKind> {
    s.parse().map_err(|_| {
        AppError::invalid(
            field,
            "invalid_kind",
            "台账类型应为 external_transport、in_plant 或 non_road",
            "the registry must be external_transport, in_plant or non_road",
        )
    })
}

/// Filters on a registry listing.
#[derive(Debug, Deserialize, IntoParams)]
pub struct VehicleQuery {
    /// `external_transport`, `in_plant` or `non_road`.
    pub kind: Option<String>,
    /// Text in the plate, trailer plate or registration code.
    pub search: Option<String>,
    /// Emission stage identifier.
    pub stage: Option<String>,
    /// Fuel identifier.
    pub fuel: Option<String>,
    /// Class identifier.
    pub vehicle_class: Option<String>,
    /// Page number.
    pub page: Option<u64>,
    /// Rows per page.
    pub per_page: Option<u64>,
}

/// A page of the registries.
#[utoipa::path(get, path = "/enterprises/{tenant_id}/vehicles", tag = "vehicles", params(("tenant_id" = Uuid, Path), VehicleQuery),
    responses((status = 200, body = Paged<Vehicle>), (status = 404)))]
pub(crate) async fn list_vehicles(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(t): ApiPath<Uuid>,
    ApiQuery(q): ApiQuery<VehicleQuery>,
) -> AppResult<Json<Paged<Vehicle>>> {
    tenant_access(&state, &user, t, Resource::Vehicles, Action::Read).await?;
    if let Some(k) = &q.kind {
        parse_kind("kind", k)?;
    }
    let tenant = TenantId::from(t);
    let filter = VehicleFilter {
        kind: q.kind,
        search: q.search,
        stage: q.stage,
        fuel: q.fuel,
        vehicle_class: q.vehicle_class,
        expiring_by: None,
    };
    let paging = PageParams { page: q.page, per_page: q.per_page };
    let mut db = state.db.clone();
    let rows = vehicles::list(&mut db, tenant, &filter, paging.page()).await?;
    let total = vehicles::count(&mut db, tenant, &filter).await?;
    Ok(Json(paging.wrap(views(&mut db, tenant, rows).await?, Some(total))))
}

/// A checked vehicle's id and warnings.
#[derive(Debug, Serialize, ToSchema)]
pub struct Registered {
    /// Its id.
    pub id: Uuid,
    /// Warnings (e.g. the VIN check digit).
    pub warnings: Vec<FieldIssue>,
}

async fn uniqueness(
    c: &mut impl Conn,
    t: TenantId,
    f: &vehicles::VehicleFields,
    except: Option<Uuid>,
) -> AppResult<()> {
    if let Some(p) = &f.plate
        && let Some(other) = vehicles::find_by_plate(c, t, &f.kind, p).await?
        && Some(other.id) != except
    {
        return Err(AppError::Conflict { code: "plate_taken", field: Some("plate") });
    }
    if let Some(code) = &f.registration_code
        && let Some(other) = vehicles::find_by_registration_code(c, t, &f.kind, code).await?
        && Some(other.id) != except
    {
        return Err(AppError::Conflict {
            code: "registration_code_taken",
            field: Some("registration_code"),
        });
    }
    Ok(())
}

fn first_issue(issues: Vec<FieldIssue>) -> AppError {
    issues.into_iter().next().map(FieldIssue::into_error).unwrap_or(AppError::BadRequest("invalid"))
}

/// Registers a vehicle or machine in one of the registries (`kind`).
#[utoipa::path(post, path = "/enterprises/{tenant_id}/vehicles", tag = "vehicles", params(("tenant_id" = Uuid, Path)),
    request_body = VehicleInput, responses((status = 201, body = Registered), (status = 409, description = "plate_taken or registration_code_taken"), (status = 422)))]
pub(crate) async fn create_vehicle(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(t): ApiPath<Uuid>,
    input_body: JsonBody<VehicleInput>,
) -> AppResult<(StatusCode, Json<Registered>)> {
    tenant_access(&state, &user, t, Resource::Vehicles, Action::Write).await?;
    let input = input_body.parse()?;
    let checked = registry::check(&input, None, None).map_err(first_issue)?;
    let tenant = TenantId::from(t);
    let mut tx = state.db.begin().await?;
    uniqueness(&mut tx, tenant, &checked.fields, None).await?;
    let id = vehicles::insert(&mut tx, tenant, &checked.fields).await?;
    audit::record(
        &mut tx,
        tenant,
        &user.actor(),
        Change {
            action: "create",
            entity: "vehicle",
            entity_id: id.to_string(),
            before: None,
            after: Some(json!(checked.fields)),
        },
    )
    .await?;
    tenants::bump_rules_version(&mut tx, tenant).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(Registered { id, warnings: checked.warnings })))
}

async fn vehicle(
    state: &AppState,
    user: &CurrentUser,
    t: Uuid,
    id: Uuid,
    action: Action,
) -> AppResult<VehicleRow> {
    tenant_access(state, user, t, Resource::Vehicles, action).await?;
    let mut db = state.db.clone();
    vehicles::find(&mut db, TenantId::from(t), id).await?.ok_or(AppError::NotFound)
}

/// One vehicle.
#[utoipa::path(get, path = "/enterprises/{tenant_id}/vehicles/{vehicle_id}", tag = "vehicles",
    params(("tenant_id" = Uuid, Path), ("vehicle_id" = Uuid, Path)), responses((status = 200, body = Vehicle), (status = 404)))]
pub(crate) async fn show_vehicle(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath((t, id)): ApiPath<(Uuid, Uuid)>,
) -> AppResult<Json<Vehicle>> {
    let v = vehicle(&state, &user, t, id, Action::Read).await?;
    let mut db = state.db.clone();
    Ok(Json(views(&mut db, TenantId::from(t), vec![v]).await?.remove(0)))
}

/// Replaces a vehicle's fields (its registry stays).
#[utoipa::path(put, path = "/enterprises/{tenant_id}/vehicles/{vehicle_id}", tag = "vehicles",
    params(("tenant_id" = Uuid, Path), ("vehicle_id" = Uuid, Path)), request_body = VehicleInput,
    responses((status = 200, body = Vehicle), (status = 404), (status = 409), (status = 422)))]
pub(crate) async fn replace_vehicle(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath((t, id)): ApiPath<(Uuid, Uuid)>,
    input_body: JsonBody<VehicleInput>,
) -> AppResult<Json<Vehicle>> {
    let before = vehicle(&state, &user, t, id, Action::Write).await?;
    let input = input_body.parse()?;
    let kind = parse_kind("kind", &before.fields.kind)?;
    if let Some(k) = input.kind.as_deref()
        && k != before.fields.kind
    {
        return Err(AppError::invalid(
            "kind",
            "kind_fixed",
            "车辆登记后不能更换台账类型",
            "a vehicle cannot move to another registry",
        ));
    }
    let checked = registry::check(&input, Some(kind), None).map_err(first_issue)?;
    let tenant = TenantId::from(t);
    let mut tx = state.db.begin().await?;
    uniqueness(&mut tx, tenant, &checked.fields, Some(id)).await?;
    vehicles::update(&mut tx, tenant, id, &checked.fields).await?;
    audit::record(
        &mut tx,
        tenant,
        &user.actor(),
        Change {
            action: "update",
            entity: "vehicle",
            entity_id: id.to_string(),
            before: Some(json!(before.fields)),
            after: Some(json!(checked.fields)),
        },
    )
    .await?;
    tenants::bump_rules_version(&mut tx, tenant).await?;
    let after = vehicles::find(&mut tx, tenant, id).await?.ok_or(AppError::NotFound)?;
    let view = views(&mut tx, tenant, vec![after]).await?.remove(0);
    tx.commit().await?;
    Ok(Json(view))
}

/// Removes a vehicle from its registry. Its passages keep their snapshot of it.
#[utoipa::path(delete, path = "/enterprises/{tenant_id}/vehicles/{vehicle_id}", tag = "vehicles",
    params(("tenant_id" = Uuid, Path), ("vehicle_id" = Uuid, Path)), responses((status = 200, body = Done), (status = 404)))]
pub(crate) async fn delete_vehicle(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath((t, id)): ApiPath<(Uuid, Uuid)>,
) -> AppResult<Json<Done>> {
    let before = vehicle(&state, &user, t, id, Action::Write).await?;
    let tenant = TenantId::from(t);
    let mut tx = state.db.begin().await?;
    vehicles::delete(&mut tx, tenant, id).await?;
    audit::record(
        &mut tx,
        tenant,
        &user.actor(),
        Change {
            action: "delete",
            entity: "vehicle",
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

// ---------------------------------------------------------------------------- documents

/// The documents of a vehicle.
#[utoipa::path(get, path = "/enterprises/{tenant_id}/vehicles/{vehicle_id}/documents", tag = "vehicles",
    params(("tenant_id" = Uuid, Path), ("vehicle_id" = Uuid, Path)), responses((status = 200, body = Vec<DocumentRow>), (status = 404)))]
pub(crate) async fn list_documents(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath((t, v)): ApiPath<(Uuid, Uuid)>,
) -> AppResult<Json<Vec<DocumentRow>>> {
    vehicle(&state, &user, t, v, Action::Read).await?;
    let mut db = state.db.clone();
    Ok(Json(vehicles::list_documents(&mut db, TenantId::from(t), v).await?))
}

/// The multipart form of a document upload.
#[derive(Debug, ToSchema)]
#[allow(dead_code, reason = "describes the form for the OpenAPI document")]
struct DocumentForm {
    /// `accompanying_list` (随车清单), `driving_license` (行驶证), `vehicle_photo`,
    /// `nameplate`, `engine_nameplate` or `env_label`.
    kind: String,
    /// The photo or scan (JPEG, PNG or PDF, up to 10 MB).
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

/// Attaches a document photo or scan to a vehicle. Stored once per enterprise by content.
#[utoipa::path(post, path = "/enterprises/{tenant_id}/vehicles/{vehicle_id}/documents", tag = "vehicles",
    params(("tenant_id" = Uuid, Path), ("vehicle_id" = Uuid, Path)), request_body(content = DocumentForm, content_type = "multipart/form-data"),
    responses((status = 201, body = super::Created), (status = 404), (status = 413), (status = 422)))]
pub(crate) async fn upload_document(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath((t, v)): ApiPath<(Uuid, Uuid)>,
    multipart: Result<Multipart, MultipartRejection>,
) -> AppResult<(StatusCode, Json<super::Created>)> {
    vehicle(&state, &user, t, v, Action::Write).await?;
    let form = upload::read(
        multipart.map_err(|_| AppError::BadRequest("bad_multipart"))?,
        Accept::Documents,
    )
    .await?;
    let kind = form.required("kind")?;
    if !DOCUMENT_KINDS.iter().any(|(k, _, _)| *k == kind) {
        return Err(AppError::invalid(
            "kind",
            "invalid_document_kind",
            "证件类型不正确",
            "unknown document kind",
        ));
    }
    let [file] = form.files.as_slice() else {
        return Err(AppError::invalid(
            "file",
            "one_file",
            "请上传一个文件",
            "upload exactly one file",
        ));
    };
    let tenant = TenantId::from(t);
    let sha = sha256_hex(&file.bytes);
    // The object first: a row never points at bytes that are not stored.
    state.objects.put(&tenant_key(tenant, &sha), file.bytes.clone(), file.content_type).await?;
    let mut tx = state.db.begin().await?;
    vehicles::note_object(&mut tx, tenant, &sha, file.bytes.len() as i64, file.content_type)
        .await?;
    let doc = NewDocument {
        vehicle_id: v,
        kind: kind.clone(),
        sha256: sha.clone(),
        content_type: file.content_type.to_owned(),
        size: file.bytes.len() as i64,
        file_name: file.file_name.clone(),
        uploaded_by: Some(user.id()),
    };
    let id = vehicles::insert_document(&mut tx, tenant, &doc).await?;
    audit::record(
        &mut tx,
        tenant,
        &user.actor(),
        Change {
            action: "create",
            entity: "vehicle_document",
            entity_id: id.to_string(),
            before: None,
            after: Some(
                json!({"vehicle_id": v, "kind": kind, "sha256": sha, "file_name": file.file_name}),
            ),
        },
    )
    .await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(super::Created { id })))
}

async fn document(
    state: &AppState,
    user: &CurrentUser,
    t: Uuid,
    v: Uuid,
    d: Uuid,
    action: Action,
) -> AppResult<DocumentRow> {
    vehicle(state, user, t, v, action).await?;
    let mut db = state.db.clone();
    vehicles::find_document(&mut db, TenantId::from(t), v, d).await?.ok_or(AppError::NotFound)
}

/// A document's bytes, or a redirect to a short-lived link when an S3 store holds them.
#[utoipa::path(get, path = "/enterprises/{tenant_id}/vehicles/{vehicle_id}/documents/{document_id}", tag = "vehicles",
    params(("tenant_id" = Uuid, Path), ("vehicle_id" = Uuid, Path), ("document_id" = Uuid, Path)),
    responses((status = 200, description = "the file"), (status = 307, description = "a presigned link"), (status = 404)))]
pub(crate) async fn show_document(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath((t, v, d)): ApiPath<(Uuid, Uuid, Uuid)>,
) -> AppResult<Response> {
    let doc = document(&state, &user, t, v, d, Action::Read).await?;
    serve_object(&state, &tenant_key(TenantId::from(t), &doc.sha256), &doc.content_type).await
}

/// Detaches a document (its bytes stay: passages and packs may cite them).
#[utoipa::path(delete, path = "/enterprises/{tenant_id}/vehicles/{vehicle_id}/documents/{document_id}", tag = "vehicles",
    params(("tenant_id" = Uuid, Path), ("vehicle_id" = Uuid, Path), ("document_id" = Uuid, Path)), responses((status = 200, body = Done), (status = 404)))]
pub(crate) async fn delete_document(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath((t, v, d)): ApiPath<(Uuid, Uuid, Uuid)>,
) -> AppResult<Json<Done>> {
    let doc = document(&state, &user, t, v, d, Action::Write).await?;
    let tenant = TenantId::from(t);
    let mut tx = state.db.begin().await?;
    vehicles::delete_document(&mut tx, tenant, v, d).await?;
    audit::record(
        &mut tx,
        tenant,
        &user.actor(),
        Change {
            action: "delete",
            entity: "vehicle_document",
            entity_id: d.to_string(),
            before: Some(json!(doc)),
            after: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Done::new())
}

// ------------------------------------------------------------------------------ expiry

/// How far ahead to look.
#[derive(Debug, Deserialize, IntoParams)]
pub struct ExpiryQuery {
    /// Days ahead (default 30); already expired documents are always included.
    pub within_days: Option<u32>,
}

/// A vehicle whose 行驶证 or permit expires soon or has expired.
#[derive(Debug, Serialize, ToSchema)]
pub struct Expiring {
    /// The vehicle.
    pub vehicle_id: Uuid,
    /// Its plate or registration code.
    pub label: String,
    /// `driving_license` or `permit`.
    pub document: String,
    /// The expiry date.
    pub expires_on: NaiveDate,
    /// Days until expiry (negative when expired).
    pub days_left: i64,
    /// `expired` or `expiring`.
    pub status: String,
}

/// Today in Beijing time, the date the registries' expiry dates are in.
pub fn today_local() -> NaiveDate {
    Utc::now().with_timezone(&chrono_tz::Asia::Shanghai).date_naive()
}

/// Documents that expire within the window, or have expired: the warnings before and after
/// expiry.
#[utoipa::path(get, path = "/enterprises/{tenant_id}/vehicles/expiring", tag = "vehicles", params(("tenant_id" = Uuid, Path), ExpiryQuery),
    responses((status = 200, body = Vec<Expiring>), (status = 404)))]
pub(crate) async fn expiring_vehicles(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(t): ApiPath<Uuid>,
    ApiQuery(q): ApiQuery<ExpiryQuery>,
) -> AppResult<Json<Vec<Expiring>>> {
    tenant_access(&state, &user, t, Resource::Vehicles, Action::Read).await?;
    let today = today_local();
    let horizon = today + chrono::Duration::days(i64::from(q.within_days.unwrap_or(30).min(3650)));
    let mut db = state.db.clone();
    let filter = VehicleFilter { expiring_by: Some(horizon), ..Default::default() };
    let rows = vehicles::list(
        &mut db,
        TenantId::from(t),
        &filter,
        crate::storage::Page { offset: 0, limit: 5000 },
    )
    .await?;
    let mut out = Vec::new();
    for v in rows {
        let label =
            v.fields.plate.clone().or(v.fields.registration_code.clone()).unwrap_or_default();
        for (doc, date) in
            [("driving_license", v.fields.license_expiry), ("permit", v.fields.permit_expiry)]
        {
            if let Some(d) = date.filter(|d| *d <= horizon) {
                let days_left = (d - today).num_days();
                out.push(Expiring {
                    vehicle_id: v.id,
                    label: label.clone(),
                    document: doc.into(),
                    expires_on: d,
                    days_left,
                    status: if days_left < 0 { "expired".into() } else { "expiring".into() },
                });
            }
        }
    }
    out.sort_by_key(|e| e.expires_on);
    Ok(Json(out))
}

// ---------------------------------------------------------------------- export / import

/// Which registry and format to export.
#[derive(Debug, Deserialize, IntoParams)]
pub struct ExportQuery {
    /// `external_transport`, `in_plant` or `non_road` (required).
    pub kind: Option<String>,
    /// `csv` or `xlsx` (default).
    pub format: Option<String>,
}

fn sheet_name(kind: LedgerKind) -> &'static str {
    kind.label_zh()
}

/// Exports a registry in the import format (Chinese headers, ledger codes, `yyyymmdd`
/// dates), as XLSX or CSV.
#[utoipa::path(get, path = "/enterprises/{tenant_id}/vehicles/export", tag = "vehicles", params(("tenant_id" = Uuid, Path), ExportQuery),
    responses((status = 200, description = "the file"), (status = 404), (status = 422)))]
pub(crate) async fn export_vehicles(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(t): ApiPath<Uuid>,
    ApiQuery(q): ApiQuery<ExportQuery>,
) -> AppResult<Response> {
    let tenant_row = tenant_access(&state, &user, t, Resource::Vehicles, Action::Read).await?;
    let kind = parse_kind("kind", q.kind.as_deref().ok_or_else(|| AppError::required("kind"))?)?;
    let xlsx = match q.format.as_deref() {
        None | Some("xlsx") => true,
        Some("csv") => false,
        Some(_) => {
            return Err(AppError::invalid(
                "format",
                "invalid_format",
                "格式应为 csv 或 xlsx",
                "the format must be csv or xlsx",
            ));
        }
    };
    let cols = registry::columns(kind);
    let mut db = state.db.clone();
    let filter = VehicleFilter { kind: Some(kind.as_str().to_owned()), ..Default::default() };
    let mut rows = Vec::new();
    let mut page = 0;
    loop {
        let batch = vehicles::list(
            &mut db,
            TenantId::from(t),
            &filter,
            crate::storage::Page { offset: page * 500, limit: 500 },
        )
        .await?;
        let done = batch.len() < 500;
        rows.extend(
            batch.iter().map(|v| {
                cols.iter().map(|c| registry::cell(&v.fields, c.field)).collect::<Vec<_>>()
            }),
        );
        if done {
            break;
        }
        page += 1;
    }
    let header: Vec<&str> = cols.iter().map(|c| c.header).collect();
    let (bytes, content_type, ext) = if xlsx {
        (
            crate::sheets::write_xlsx(sheet_name(kind), &header, &rows)?,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
        )
    } else {
        (crate::sheets::write_csv(&header, &rows)?, "text/csv; charset=utf-8", "csv")
    };
    let file =
        format!("{}-{}-{}.{ext}", tenant_row.name, kind.label_zh(), today_local().format("%Y%m%d"));
    let disposition =
        format!("attachment; filename=\"registry.{ext}\"; filename*=UTF-8''{}", percent(&file));
    Ok(([(CONTENT_TYPE, content_type.to_owned()), (CONTENT_DISPOSITION, disposition)], bytes)
        .into_response())
}

/// Percent-encodes a file name for `filename*=`.
pub fn percent(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The report of a checked import file.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportReport {
    /// The staged import; confirm it to write the valid rows.
    pub import_id: Uuid,
    /// The registry it imports into.
    pub kind: String,
    /// The uploaded file's name.
    pub file_name: String,
    /// `previewed` or `confirmed`.
    pub status: String,
    /// Data rows in the file.
    pub total_rows: usize,
    /// Rows that passed every check and will be imported on confirmation.
    pub valid_rows: usize,
    /// Every problem, by row, column and reason.
    pub errors: Vec<ImportIssueView>,
    /// Warnings that do not stop a row (VIN check digits).
    pub warnings: Vec<ImportIssueView>,
}

/// An import problem in the caller's language.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportIssueView {
    /// The row in the file (the header is row 1; 0 for the whole file).
    pub row: usize,
    /// The column header.
    pub column: String,
    /// The field.
    pub field: String,
    /// A stable code.
    pub code: String,
    /// The reason.
    pub message: String,
}

#[derive(Debug, Serialize, Deserialize)]
struct StoredReport {
    total_rows: usize,
    errors: Vec<ImportIssue>,
    warnings: Vec<ImportIssue>,
}

fn view(issues: &[ImportIssue]) -> Vec<ImportIssueView> {
    let lang = crate::i18n::current();
    issues
        .iter()
        .map(|i| ImportIssueView {
            row: i.row,
            column: i.column.clone(),
            field: i.issue.field.clone(),
            code: i.issue.code.clone(),
            message: lang.pick(&i.issue.zh, &i.issue.en).to_owned(),
        })
        .collect()
}

fn report_of(row: &imports::ImportRow) -> AppResult<ImportReport> {
    let stored: StoredReport =
        serde_json::from_value(row.report.0.clone()).map_err(anyhow::Error::from)?;
    let valid = row.rows.0.as_array().map(Vec::len).unwrap_or(0);
    Ok(ImportReport {
        import_id: row.id,
        kind: row.kind.clone(),
        file_name: row.file_name.clone(),
        status: row.status.clone(),
        total_rows: stored.total_rows,
        valid_rows: valid,
        errors: view(&stored.errors),
        warnings: view(&stored.warnings),
    })
}

/// The multipart form of an import.
#[derive(Debug, ToSchema)]
#[allow(dead_code, reason = "describes the form for the OpenAPI document")]
struct ImportForm {
    /// The registry: `external_transport`, `in_plant` or `non_road`.
    kind: String,
    /// A CSV (UTF-8 or GBK) or XLSX file with the registry's Chinese column headers.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

/// Checks an import file and stages its valid rows. Nothing is written to the registry
/// until the import is confirmed; the report lists every error by row, column and reason.
#[utoipa::path(post, path = "/enterprises/{tenant_id}/imports", tag = "vehicles", params(("tenant_id" = Uuid, Path)),
    request_body(content = ImportForm, content_type = "multipart/form-data"),
    responses((status = 201, body = ImportReport), (status = 404), (status = 422, description = "the file cannot be read or its header is wrong")))]
pub(crate) async fn start_import(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(t): ApiPath<Uuid>,
    multipart: Result<Multipart, MultipartRejection>,
) -> AppResult<(StatusCode, Json<ImportReport>)> {
    tenant_access(&state, &user, t, Resource::Vehicles, Action::Write).await?;
    let form =
        upload::read(multipart.map_err(|_| AppError::BadRequest("bad_multipart"))?, Accept::Sheets)
            .await?;
    let kind = parse_kind("kind", &form.required("kind")?)?;
    let [file] = form.files.as_slice() else {
        return Err(AppError::invalid(
            "file",
            "one_file",
            "请上传一个文件",
            "upload exactly one file",
        ));
    };
    let table = crate::sheets::read(&file.bytes, file.content_type.ends_with(".sheet"))
        .map_err(FieldIssue::into_error)?;
    let header_issues = |issues: Vec<ImportIssue>| {
        let first = issues.into_iter().next().expect("at least one header issue");
        AppError::invalid(
            "file",
            first.issue.code,
            format!("第1行：{}", first.issue.zh),
            format!("row 1: {}", first.issue.en),
        )
    };
    let mapping = registry::map_header(kind, &table[0]).map_err(header_issues)?;
    let tenant = TenantId::from(t);
    let mut db = state.db.clone();
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    let mut valid = Vec::new();
    let mut seen_plates: HashMap<String, usize> = HashMap::new();
    let mut seen_codes: HashMap<String, usize> = HashMap::new();
    for (i, cells) in table.iter().enumerate().skip(1) {
        let row_no = i + 1;
        let row = TableRow {
            row: row_no,
            cells: mapping
                .iter()
                .zip(cells.iter().chain(std::iter::repeat(&String::new())))
                .filter_map(|(c, v)| c.map(|c| (c.header, c.field, v.clone())))
                .collect(),
        };
        let (input, mut row_issues) = registry::row_input(&row);
        match registry::check(&input, Some(kind), None) {
            Ok(checked) => {
                let f = &checked.fields;
                let mut dup = |field: &str,
                               key: &Option<String>,
                               seen: &mut HashMap<String, usize>,
                               code: &str,
                               zh: &str,
                               en: &str| {
                    if let Some(k) = key {
                        if let Some(first) = seen.get(k) {
                            row_issues.push(ImportIssue {
                                row: row_no,
                                column: registry::header_of(kind, field).into(),
                                issue: FieldIssue {
                                    field: field.into(),
                                    code: code.into(),
                                    zh: format!("{zh}（与第{first}行重复）"),
                                    en: format!("{en} (same as row {first})"),
                                },
                            });
                        } else {
                            seen.insert(k.clone(), row_no);
                        }
                    }
                };
                dup(
                    "plate",
                    &f.plate,
                    &mut seen_plates,
                    "duplicate_in_file",
                    "号牌号码在文件中重复",
                    "the plate appears twice in the file",
                );
                dup(
                    "registration_code",
                    &f.registration_code,
                    &mut seen_codes,
                    "duplicate_in_file",
                    "登记编码在文件中重复",
                    "the registration code appears twice in the file",
                );
                if let Some(p) = &f.plate
                    && vehicles::find_by_plate(&mut db, tenant, kind.as_str(), p).await?.is_some()
                {
                    row_issues.push(ImportIssue {
                        row: row_no,
                        column: registry::header_of(kind, "plate").into(),
                        issue: FieldIssue {
                            field: "plate".into(),
                            code: "plate_taken".into(),
                            zh: "该号牌已在台账中登记".into(),
                            en: "this plate is already registered".into(),
                        },
                    });
                }
                if let Some(c) = &f.registration_code
                    && vehicles::find_by_registration_code(&mut db, tenant, kind.as_str(), c)
                        .await?
                        .is_some()
                {
                    row_issues.push(ImportIssue {
                        row: row_no,
                        column: registry::header_of(kind, "registration_code").into(),
                        issue: FieldIssue {
                            field: "registration_code".into(),
                            code: "registration_code_taken".into(),
                            zh: "该登记编码已在台账中登记".into(),
                            en: "this registration code is already registered".into(),
                        },
                    });
                }
                warnings.extend(checked.warnings.iter().map(|w| ImportIssue {
                    row: row_no,
                    column: registry::header_of(kind, &w.field).into(),
                    issue: w.clone(),
                }));
                if row_issues.is_empty() {
                    valid.push(checked.fields);
                }
            }
            Err(issues) => {
                row_issues.extend(issues.into_iter().map(|issue| ImportIssue {
                    row: row_no,
                    column: registry::header_of(kind, &issue.field).into(),
                    issue,
                }));
            }
        }
        errors.extend(row_issues);
    }
    let total_rows = table.len() - 1;
    let report = StoredReport { total_rows, errors, warnings };
    let file_name = file.file_name.clone().unwrap_or_else(|| "import".into());
    let id = imports::insert(
        &mut db,
        tenant,
        kind.as_str(),
        &file_name,
        json!(valid),
        json!(report),
        Some(user.id()),
    )
    .await?;
    let row = imports::find(&mut db, tenant, id).await?.ok_or(AppError::NotFound)?;
    Ok((StatusCode::CREATED, Json(report_of(&row)?)))
}

/// A staged import's report.
#[utoipa::path(get, path = "/enterprises/{tenant_id}/imports/{import_id}", tag = "vehicles",
    params(("tenant_id" = Uuid, Path), ("import_id" = Uuid, Path)), responses((status = 200, body = ImportReport), (status = 404)))]
pub(crate) async fn show_import(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath((t, id)): ApiPath<(Uuid, Uuid)>,
) -> AppResult<Json<ImportReport>> {
    tenant_access(&state, &user, t, Resource::Vehicles, Action::Read).await?;
    let mut db = state.db.clone();
    let row = imports::find(&mut db, TenantId::from(t), id).await?.ok_or(AppError::NotFound)?;
    Ok(Json(report_of(&row)?))
}

/// The outcome of a confirmed import.
#[derive(Debug, Serialize, ToSchema)]
pub struct Imported {
    /// Vehicles added.
    pub imported: usize,
    /// When.
    pub confirmed_at: DateTime<Utc>,
}

/// Writes a staged import's valid rows, all in one transaction: every row or none. A row
/// that meanwhile collides with the registry fails the whole import, naming it.
#[utoipa::path(post, path = "/enterprises/{tenant_id}/imports/{import_id}/confirm", tag = "vehicles",
    params(("tenant_id" = Uuid, Path), ("import_id" = Uuid, Path)),
    responses((status = 200, body = Imported), (status = 404), (status = 409, description = "already confirmed, or a row collides")))]
pub(crate) async fn confirm_import(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath((t, id)): ApiPath<(Uuid, Uuid)>,
) -> AppResult<Json<Imported>> {
    tenant_access(&state, &user, t, Resource::Vehicles, Action::Write).await?;
    let tenant = TenantId::from(t);
    let mut tx: Tx = state.db.begin().await?;
    let row = imports::find(&mut tx, tenant, id).await?.ok_or(AppError::NotFound)?;
    if !imports::mark_confirmed(&mut tx, tenant, id).await? {
        return Err(AppError::Conflict { code: "invalid_state", field: None });
    }
    let fields: Vec<vehicles::VehicleFields> =
        serde_json::from_value(row.rows.0).map_err(anyhow::Error::from)?;
    let mut seen = HashSet::new();
    for f in &fields {
        if !seen.insert((f.plate.clone(), f.registration_code.clone())) {
            continue;
        }
        uniqueness(&mut tx, tenant, f, None).await?;
        let vid = vehicles::insert(&mut tx, tenant, f).await?;
        audit::record(
            &mut tx,
            tenant,
            &user.actor(),
            Change {
                action: "import",
                entity: "vehicle",
                entity_id: vid.to_string(),
                before: None,
                after: Some(json!(f)),
            },
        )
        .await?;
    }
    tenants::bump_rules_version(&mut tx, tenant).await?;
    tx.commit().await?;
    Ok(Json(Imported { imported: fields.len(), confirmed_at: crate::storage::now() }))
}
