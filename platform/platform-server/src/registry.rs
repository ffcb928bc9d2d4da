//! The vehicle registries' rules at the platform's edge: turning what people type or import
//! into [`VehicleFields`] through the platform-domain parsers, and the bureau-style table
//! format (Chinese column headers, ledger codes, `yyyymmdd` dates) used by both import and
//! export, so an exported file imports again unchanged.
//!
//! Validation collects every problem of a record, not only the first: an import report
//! lists each error by row, column and reason. A VIN whose check digit does not verify is a
//! warning, stored with the vehicle and shown, never a refusal (domain research §8.4).

use chrono::NaiveDate;
use platform_domain::codes::{
    CargoUnit, EmissionStage, Fuel, LedgerKind, PlateColour, TransportUse, VehicleClass,
};
use platform_domain::error::ValidationError;
use platform_domain::metrics::{LedgerField, missing_fields};
use platform_domain::nrmm::NrmmCode;
use platform_domain::plate::Plate;
use platform_domain::vin::Vin;
use serde::{Deserialize, Serialize};

use crate::storage::vehicles::VehicleFields;

/// A field problem: which field, a stable code, and the reason in both languages.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FieldIssue {
    /// The field (API name).
    pub field: String,
    /// A stable code.
    pub code: String,
    /// The reason in Chinese.
    pub zh: String,
    /// The reason in English.
    pub en: String,
}

impl FieldIssue {
    fn new(field: &str, code: &str, zh: impl Into<String>, en: impl Into<String>) -> Self {
        Self { field: field.to_owned(), code: code.to_owned(), zh: zh.into(), en: en.into() }
    }

    fn from_domain(field: &str, e: ValidationError) -> Self {
        Self {
            field: field.to_owned(),
            code: e.code().as_str().to_owned(),
            zh: e.message_zh().to_owned(),
            en: e.message_en().to_owned(),
        }
    }

    fn required(field: &str) -> Self {
        Self::new(field, "required", format!("{field} 为必填项"), format!("{field} is required"))
    }

    /// As an API error.
    pub fn into_error(self) -> crate::error::AppError {
        crate::error::AppError::invalid(self.field, self.code, self.zh, self.en)
    }
}

/// A vehicle as entered: every field as text (or the few typed ones), before checking.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct VehicleInput {
    /// `external_transport`, `in_plant` or `non_road`.
    pub kind: Option<String>,
    /// 号牌号码.
    pub plate: Option<String>,
    /// 号牌颜色 (identifier or Chinese label).
    pub plate_colour: Option<String>,
    /// The trailer registered with a tractor (plate ending in 挂).
    pub trailer_plate: Option<String>,
    /// 车辆识别代号.
    pub vin: Option<String>,
    /// 环保登记编码 / 内部管理号牌.
    pub registration_code: Option<String>,
    /// 机械环保代码 / PIN.
    pub machine_code: Option<String>,
    /// Vehicle or machine class (identifier or Chinese label).
    pub vehicle_class: Option<String>,
    /// 车辆型号 / 机械型号.
    pub vehicle_model: Option<String>,
    /// 注册登记日期 (`YYYY-MM-DD` or `YYYYMMDD`).
    pub registration_date: Option<String>,
    /// 生产日期.
    pub production_date: Option<String>,
    /// 发动机型号.
    pub engine_model: Option<String>,
    /// 发动机生产厂.
    pub engine_maker: Option<String>,
    /// 发动机编号.
    pub engine_no: Option<String>,
    /// 燃料类型.
    pub fuel: Option<String>,
    /// 排放阶段 (identifier, Chinese label, or ledger code 0–6/D/X).
    pub stage: Option<String>,
    /// 使用性质.
    pub transport_use: Option<String>,
    /// 联网状态.
    pub obd_connected: Option<bool>,
    /// 车队名称.
    pub fleet_name: Option<String>,
    /// 所属人(单位).
    pub owner: Option<String>,
    /// 行驶证 valid until.
    pub license_expiry: Option<String>,
    /// Permit valid until.
    pub permit_expiry: Option<String>,
    /// Default cargo name.
    pub cargo_name: Option<String>,
    /// Default cargo type.
    pub cargo_type: Option<String>,
    /// Default cargo quantity.
    pub cargo_quantity: Option<f64>,
    /// Default cargo unit (`t`/吨, `l`/升, `pkg`/包).
    pub cargo_unit: Option<String>,
    /// Default origin.
    pub cargo_origin: Option<String>,
    /// Default destination.
    pub cargo_destination: Option<String>,
    /// Notes.
    pub notes: Option<String>,
}

fn text(v: &Option<String>) -> Option<String> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned)
}

fn limited(
    field: &str,
    v: &Option<String>,
    max: usize,
    issues: &mut Vec<FieldIssue>,
) -> Option<String> {
    let v = text(v)?;
    if v.chars().count() > max {
        issues.push(FieldIssue::new(
            field,
            "too_long",
            format!("不能超过 {max} 个字符"),
            format!("must not exceed {max} characters"),
        ));
        return None;
    }
    Some(v)
}

/// Parses a code given as its identifier or one of its labels.
fn code<T: Copy>(
    all: &[T],
    id: fn(T) -> &'static str,
    zh: fn(T) -> &'static str,
    en: fn(T) -> &'static str,
    input: &str,
) -> Option<T> {
    let s = input.trim();
    all.iter().copied().find(|v| id(*v) == s || zh(*v) == s || en(*v).eq_ignore_ascii_case(s))
}

macro_rules! parse_code {
    ($ty:ty, $input:expr) => {
        code(<$ty>::ALL, <$ty>::as_str, <$ty>::label_zh, <$ty>::label_en, $input)
    };
}

/// Parses an emission stage from an identifier, a label or a ledger code; the ledger codes
/// `1`–`4` mean the non-road stages for machinery.
pub fn parse_stage(input: &str, machinery: bool) -> Option<EmissionStage> {
    let s = input.trim();
    if let Some(stage) = parse_code!(EmissionStage, s) {
        return Some(stage);
    }
    // Common spellings: 国V, 国Ⅴ, 国5, 国六B, 国Ⅳ …
    let roman = s
        .replace(['Ⅰ', 'I'], "1")
        .replace(['Ⅱ'], "2")
        .replace(['Ⅲ'], "3")
        .replace(['Ⅳ'], "4")
        .replace(['Ⅴ'], "5")
        .replace(['Ⅵ'], "6")
        .replace("IV", "4")
        .replace("VI", "6")
        .replace("V", "5")
        .to_lowercase();
    let digits = roman.strip_prefix('国').unwrap_or(&roman);
    let by_code = |c: &str| -> Option<EmissionStage> {
        Some(match (c, machinery) {
            ("0", _) => EmissionStage::Cn0,
            ("1", true) => EmissionStage::Nr1,
            ("2", true) => EmissionStage::Nr2,
            ("3", true) => EmissionStage::Nr3,
            ("4", true) => EmissionStage::Nr4,
            ("1", false) => EmissionStage::Cn1,
            ("2", false) => EmissionStage::Cn2,
            ("3", false) => EmissionStage::Cn3,
            ("4", false) => EmissionStage::Cn4,
            ("5", false) => EmissionStage::Cn5,
            ("6", false) => EmissionStage::Cn6,
            ("6a", false) => EmissionStage::Cn6a,
            ("6b", false) => EmissionStage::Cn6b,
            ("d", _) => EmissionStage::Electric,
            ("x", _) => EmissionStage::Unstaged,
            _ => return None,
        })
    };
    by_code(digits).or_else(|| {
        by_code(
            &digits
                .replace(['一'], "1")
                .replace('二', "2")
                .replace('三', "3")
                .replace('四', "4")
                .replace('五', "5")
                .replace('六', "6"),
        )
    })
}

/// Parses a date as `YYYY-MM-DD` or the ledger's `YYYYMMDD`.
pub fn parse_date(input: &str) -> Option<NaiveDate> {
    let s = input.trim();
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(s, "%Y%m%d"))
        .or_else(|_| NaiveDate::parse_from_str(s, "%Y/%m/%d"))
        .ok()
}

/// A checked vehicle, with its warnings.
#[derive(Debug, Clone, PartialEq)]
pub struct Checked {
    /// The fields to store.
    pub fields: VehicleFields,
    /// Problems that do not stop the record (a VIN check digit).
    pub warnings: Vec<FieldIssue>,
}

/// Checks a vehicle. `fixed_kind` is the registry when the caller already knows it (an
/// import into one registry, an update). `nrmm_pattern` is the enterprise's format for
/// registration codes, if it set one.
pub fn check(
    input: &VehicleInput,
    fixed_kind: Option<LedgerKind>,
    nrmm_pattern: Option<&dyn platform_domain::nrmm::CodePattern>,
) -> Result<Checked, Vec<FieldIssue>> {
    let mut issues = Vec::new();
    let mut warnings = Vec::new();
    let kind = match (fixed_kind, text(&input.kind)) {
        (Some(k), _) => Some(k),
        (None, Some(s)) => parse_code!(LedgerKind, &s).or_else(|| {
            issues.push(FieldIssue::new(
                "kind",
                "invalid_kind",
                "台账类型应为 external_transport、in_plant 或 non_road",
                "the registry must be external_transport, in_plant or non_road",
            ));
            None
        }),
        (None, None) => {
            issues.push(FieldIssue::required("kind"));
            None
        }
    };
    let machinery = kind == Some(LedgerKind::NonRoad);

    let plate = match text(&input.plate) {
        Some(p) => match Plate::parse(&p) {
            Ok(Plate::Number(n)) => Some(n),
            Ok(Plate::Unplated) => None,
            Err(e) => {
                issues.push(FieldIssue::from_domain("plate", e));
                None
            }
        },
        None => None,
    };
    if kind == Some(LedgerKind::ExternalTransport)
        && plate.is_none()
        && !issues.iter().any(|i| i.field == "plate")
    {
        issues.push(FieldIssue::required("plate"));
    }
    let plate_colour = match text(&input.plate_colour) {
        Some(c) => match parse_code!(PlateColour, &c) {
            Some(colour) => {
                if let Some(p) = &plate
                    && let Err(e) = p.check_colour(colour)
                {
                    issues.push(FieldIssue::from_domain("plate_colour", e));
                }
                Some(colour)
            }
            None => {
                issues.push(FieldIssue::new(
                    "plate_colour",
                    "invalid_plate_colour",
                    "号牌颜色不正确",
                    "unknown plate colour",
                ));
                None
            }
        },
        None => None,
    };
    if kind == Some(LedgerKind::ExternalTransport)
        && plate.is_some()
        && plate_colour.is_none()
        && !issues.iter().any(|i| i.field == "plate_colour")
    {
        issues.push(FieldIssue::required("plate_colour"));
    }
    let trailer_plate = match text(&input.trailer_plate) {
        Some(p) => match Plate::parse(&p) {
            Ok(Plate::Number(n)) if n.as_str().ends_with('挂') => Some(n.as_str().to_owned()),
            Ok(_) => {
                issues.push(FieldIssue::new(
                    "trailer_plate",
                    "not_a_trailer",
                    "挂车号牌应以“挂”结尾",
                    "a trailer plate ends in 挂",
                ));
                None
            }
            Err(e) => {
                issues.push(FieldIssue::from_domain("trailer_plate", e));
                None
            }
        },
        None => None,
    };
    let vin = match text(&input.vin) {
        Some(v) => match Vin::parse(&v) {
            Ok(vin) => {
                if let Some(w) = vin.check_digit_warning() {
                    warnings.push(FieldIssue {
                        field: "vin".into(),
                        code: w.code().as_str().into(),
                        zh: w.message("zh-CN").into(),
                        en: w.message("en").into(),
                    });
                }
                Some(vin)
            }
            Err(e) => {
                issues.push(FieldIssue::from_domain("vin", e));
                None
            }
        },
        None => None,
    };
    let registration_code = match text(&input.registration_code) {
        Some(c) => match NrmmCode::parse_with(&c, nrmm_pattern) {
            Ok(code) => Some(code.as_str().to_owned()),
            Err(e) => {
                issues.push(FieldIssue::from_domain("registration_code", e));
                None
            }
        },
        None => None,
    };
    if matches!(kind, Some(LedgerKind::InPlant | LedgerKind::NonRoad))
        && registration_code.is_none()
        && !issues.iter().any(|i| i.field == "registration_code")
    {
        issues.push(FieldIssue::required("registration_code"));
    }
    let vehicle_class = match text(&input.vehicle_class) {
        Some(c) => match parse_code!(VehicleClass, &c) {
            Some(class) if machinery && !class.is_machinery() => {
                issues.push(FieldIssue::new(
                    "vehicle_class",
                    "class_not_machinery",
                    "非道路移动机械台账只能登记机械种类",
                    "the machinery registry takes machine classes only",
                ));
                None
            }
            Some(class) if !machinery && kind.is_some() && class.is_machinery() => {
                issues.push(FieldIssue::new(
                    "vehicle_class",
                    "class_is_machinery",
                    "机械请登记在非道路移动机械台账",
                    "register machinery in the non-road registry",
                ));
                None
            }
            Some(class) => Some(class),
            None => {
                issues.push(FieldIssue::new(
                    "vehicle_class",
                    "invalid_vehicle_class",
                    "车辆类型不正确",
                    "unknown vehicle class",
                ));
                None
            }
        },
        None => {
            issues.push(FieldIssue::required("vehicle_class"));
            None
        }
    };
    let fuel = match text(&input.fuel) {
        Some(f) => parse_code!(Fuel, &f).or_else(|| {
            issues.push(FieldIssue::new("fuel", "invalid_fuel", "燃料类型不正确", "unknown fuel"));
            None
        }),
        None => {
            issues.push(FieldIssue::required("fuel"));
            None
        }
    };
    let stage = match text(&input.stage) {
        Some(s) => match parse_stage(&s, machinery) {
            Some(st)
                if machinery
                    && !(st.is_non_road()
                        || matches!(
                            st,
                            EmissionStage::Electric | EmissionStage::Unstaged | EmissionStage::Cn0
                        )) =>
            {
                issues.push(FieldIssue::new(
                    "stage",
                    "stage_not_machinery",
                    "非道路移动机械的排放阶段应为国一至国四、电动或无排放阶段",
                    "machinery stages are non-road 1–4, electric or none",
                ));
                None
            }
            Some(st) if !machinery && st.is_non_road() => {
                issues.push(FieldIssue::new(
                    "stage",
                    "stage_is_machinery",
                    "道路车辆不能使用非道路机械排放阶段",
                    "road vehicles cannot have a non-road stage",
                ));
                None
            }
            Some(st) => Some(st),
            None => {
                issues.push(FieldIssue::new(
                    "stage",
                    "invalid_stage",
                    "排放阶段不正确",
                    "unknown emission stage",
                ));
                None
            }
        },
        None => {
            issues.push(FieldIssue::required("stage"));
            None
        }
    };
    if let (Some(f), Some(s)) = (fuel, stage)
        && f == Fuel::Electric
        && s != EmissionStage::Electric
    {
        issues.push(FieldIssue::new(
            "stage",
            "stage_fuel_mismatch",
            "纯电动车辆的排放阶段应为电动（D）",
            "battery-electric vehicles have the stage electric (D)",
        ));
    }
    let date =
        |field: &str, v: &Option<String>, issues: &mut Vec<FieldIssue>| -> Option<NaiveDate> {
            let s = text(v)?;
            parse_date(&s).or_else(|| {
                issues.push(FieldIssue::new(
                    field,
                    "invalid_date",
                    "日期格式应为 YYYY-MM-DD 或 YYYYMMDD",
                    "dates are YYYY-MM-DD or YYYYMMDD",
                ));
                None
            })
        };
    let registration_date = date("registration_date", &input.registration_date, &mut issues);
    let production_date = date("production_date", &input.production_date, &mut issues);
    let license_expiry = date("license_expiry", &input.license_expiry, &mut issues);
    let permit_expiry = date("permit_expiry", &input.permit_expiry, &mut issues);
    let transport_use = match text(&input.transport_use) {
        Some(u) => parse_code!(TransportUse, &u).map(|u| u.as_str().to_owned()).or_else(|| {
            issues.push(FieldIssue::new(
                "transport_use",
                "invalid_transport_use",
                "使用性质不正确",
                "unknown transport use",
            ));
            None
        }),
        None => None,
    };
    let cargo_unit = match text(&input.cargo_unit) {
        Some(u) => parse_code!(CargoUnit, &u).map(|u| u.as_str().to_owned()).or_else(|| {
            issues.push(FieldIssue::new(
                "cargo_unit",
                "invalid_cargo_unit",
                "货物单位应为吨、升或包",
                "the cargo unit is t, L or packages",
            ));
            None
        }),
        None => None,
    };
    let cargo_quantity = match input.cargo_quantity {
        Some(q) if !q.is_finite() || !(0.0..1_000_000.0).contains(&q) => {
            issues.push(FieldIssue::new(
                "cargo_quantity",
                "out_of_range",
                "运输量应在 0 到 1000000 之间",
                "the quantity must be between 0 and 1000000",
            ));
            None
        }
        q => q,
    };
    let fields = VehicleFields {
        kind: kind.map(|k| k.as_str().to_owned()).unwrap_or_default(),
        plate: plate.map(|p| p.as_str().to_owned()),
        plate_colour: plate_colour.map(|c| c.as_str().to_owned()),
        trailer_plate,
        vin: vin.map(|v| v.as_str().to_owned()),
        vin_warning: warnings.iter().find(|w| w.field == "vin").map(|w| w.code.clone()),
        registration_code,
        machine_code: limited("machine_code", &input.machine_code, 64, &mut issues),
        vehicle_class: vehicle_class.map(|c| c.as_str().to_owned()).unwrap_or_default(),
        vehicle_model: limited("vehicle_model", &input.vehicle_model, 64, &mut issues),
        registration_date,
        production_date,
        engine_model: limited("engine_model", &input.engine_model, 64, &mut issues),
        engine_maker: limited("engine_maker", &input.engine_maker, 100, &mut issues),
        engine_no: limited("engine_no", &input.engine_no, 32, &mut issues),
        fuel: fuel.map(|f| f.as_str().to_owned()).unwrap_or_default(),
        stage: stage.map(|s| s.as_str().to_owned()).unwrap_or_default(),
        transport_use,
        obd_connected: input.obd_connected,
        fleet_name: limited("fleet_name", &input.fleet_name, 100, &mut issues),
        owner: limited("owner", &input.owner, 100, &mut issues),
        license_expiry,
        permit_expiry,
        cargo_name: limited("cargo_name", &input.cargo_name, 32, &mut issues),
        cargo_type: limited("cargo_type", &input.cargo_type, 32, &mut issues),
        cargo_quantity,
        cargo_unit,
        cargo_origin: limited("cargo_origin", &input.cargo_origin, 100, &mut issues),
        cargo_destination: limited("cargo_destination", &input.cargo_destination, 100, &mut issues),
        notes: limited("notes", &input.notes, 500, &mut issues),
    };
    if issues.is_empty() { Ok(Checked { fields, warnings }) } else { Err(issues) }
}

/// The 2020 ledger fields a registered vehicle still lacks (documents are counted by the
/// caller, who knows them).
pub fn incomplete(
    v: &VehicleFields,
    has_documents: bool,
    has_engine_nameplate: bool,
) -> Vec<LedgerField> {
    let Ok(kind) = v.kind.parse::<LedgerKind>() else { return Vec::new() };
    missing_fields(kind, |f| match f {
        LedgerField::PlateNumber => v.plate.is_some(),
        LedgerField::RegistrationDate => v.registration_date.is_some(),
        LedgerField::Vin => v.vin.is_some(),
        LedgerField::EngineNumber => v.engine_no.is_some(),
        LedgerField::EmissionStage => !v.stage.is_empty(),
        LedgerField::Documents => has_documents,
        LedgerField::FleetName => v.fleet_name.is_some(),
        LedgerField::RegistrationCode => v.registration_code.is_some(),
        LedgerField::ProductionDate => v.production_date.is_some(),
        LedgerField::MachineCode => v.machine_code.is_some(),
        LedgerField::EngineNameplatePhoto => has_engine_nameplate,
        // Passage time, photos and cargo belong to passages, not to the registry.
        LedgerField::PassageTime
        | LedgerField::Photo
        | LedgerField::CargoName
        | LedgerField::CargoAmount => true,
    })
}

// ------------------------------------------------------------------------ table format

/// A column of the import/export table: its Chinese header and the field it carries.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    /// The header, as in the bureau's ledger tables.
    pub header: &'static str,
    /// The field.
    pub field: &'static str,
}

const fn col(header: &'static str, field: &'static str) -> Column {
    Column { header, field }
}

const EXTERNAL_COLUMNS: &[Column] = &[
    col("号牌号码", "plate"),
    col("号牌颜色", "plate_colour"),
    col("挂车号牌", "trailer_plate"),
    col("车辆识别代号", "vin"),
    col("注册日期", "registration_date"),
    col("车辆类型", "vehicle_class"),
    col("车辆型号", "vehicle_model"),
    col("发动机型号", "engine_model"),
    col("发动机生产厂", "engine_maker"),
    col("发动机号码", "engine_no"),
    col("燃料类型", "fuel"),
    col("排放阶段", "stage"),
    col("使用性质", "transport_use"),
    col("联网状态", "obd_connected"),
    col("车队名称", "fleet_name"),
    col("所属人（单位）", "owner"),
    col("行驶证有效期至", "license_expiry"),
    col("通行证有效期至", "permit_expiry"),
    col("运输货物名称", "cargo_name"),
    col("货物类型", "cargo_type"),
    col("运输量", "cargo_quantity"),
    col("货物单位", "cargo_unit"),
    col("货物来源地", "cargo_origin"),
    col("货物目的地", "cargo_destination"),
    col("备注", "notes"),
];

const IN_PLANT_COLUMNS: &[Column] = &[
    col("环保登记编码或内部管理号牌", "registration_code"),
    col("号牌号码", "plate"),
    col("号牌颜色", "plate_colour"),
    col("车辆识别代号", "vin"),
    col("注册日期", "registration_date"),
    col("生产日期", "production_date"),
    col("车辆类型", "vehicle_class"),
    col("车辆型号", "vehicle_model"),
    col("发动机型号", "engine_model"),
    col("发动机生产厂", "engine_maker"),
    col("发动机号码", "engine_no"),
    col("燃料类型", "fuel"),
    col("排放阶段", "stage"),
    col("所属人（单位）", "owner"),
    col("备注", "notes"),
];

const NON_ROAD_COLUMNS: &[Column] = &[
    col("环保登记编码", "registration_code"),
    col("机械代码（PIN）", "machine_code"),
    col("号牌号码", "plate"),
    col("生产日期", "production_date"),
    col("机械种类", "vehicle_class"),
    col("机械型号", "vehicle_model"),
    col("发动机型号", "engine_model"),
    col("发动机生产厂", "engine_maker"),
    col("发动机编号", "engine_no"),
    col("燃料类型", "fuel"),
    col("排放阶段", "stage"),
    col("所属人（单位）", "owner"),
    col("备注", "notes"),
];

/// The columns of a registry's table, in order.
pub fn columns(kind: LedgerKind) -> &'static [Column] {
    match kind {
        LedgerKind::ExternalTransport => EXTERNAL_COLUMNS,
        LedgerKind::InPlant => IN_PLANT_COLUMNS,
        LedgerKind::NonRoad => NON_ROAD_COLUMNS,
    }
}

fn header_matches(cell: &str, header: &str) -> bool {
    let norm =
        |s: &str| s.trim().replace(['(', '（'], "（").replace([')', '）'], "）").replace(' ', "");
    norm(cell) == norm(header)
}

/// The value of `field` of a stored vehicle, as the table shows it: Chinese labels for
/// codes, ledger codes for stages, `yyyymmdd` for dates.
pub fn cell(v: &VehicleFields, field: &str) -> String {
    let label = |id: &Option<String>, f: fn(&str) -> Option<&'static str>| {
        id.as_deref().map(|s| f(s).unwrap_or("").to_owned()).unwrap_or_default()
    };
    let date =
        |d: &Option<NaiveDate>| d.map(|d| d.format("%Y%m%d").to_string()).unwrap_or_default();
    let s = |o: &Option<String>| o.clone().unwrap_or_default();
    match field {
        "plate" => s(&v.plate),
        "plate_colour" => {
            label(&v.plate_colour, |id| id.parse::<PlateColour>().ok().map(PlateColour::label_zh))
        }
        "trailer_plate" => s(&v.trailer_plate),
        "vin" => s(&v.vin),
        "registration_code" => s(&v.registration_code),
        "machine_code" => s(&v.machine_code),
        "registration_date" => date(&v.registration_date),
        "production_date" => date(&v.production_date),
        "vehicle_class" => v
            .vehicle_class
            .parse::<VehicleClass>()
            .map(VehicleClass::label_zh)
            .unwrap_or("")
            .to_owned(),
        "vehicle_model" => s(&v.vehicle_model),
        "engine_model" => s(&v.engine_model),
        "engine_maker" => s(&v.engine_maker),
        "engine_no" => s(&v.engine_no),
        "fuel" => v.fuel.parse::<Fuel>().map(Fuel::label_zh).unwrap_or("").to_owned(),
        "stage" => v
            .stage
            .parse::<EmissionStage>()
            .map(|st| st.ledger_code().to_string())
            .unwrap_or_default(),
        "transport_use" => label(&v.transport_use, |id| {
            id.parse::<TransportUse>().ok().map(TransportUse::label_zh)
        }),
        "obd_connected" => match v.obd_connected {
            Some(true) => "是".to_owned(),
            Some(false) => "否".to_owned(),
            None => String::new(),
        },
        "fleet_name" => s(&v.fleet_name),
        "owner" => s(&v.owner),
        "license_expiry" => date(&v.license_expiry),
        "permit_expiry" => date(&v.permit_expiry),
        "cargo_name" => s(&v.cargo_name),
        "cargo_type" => s(&v.cargo_type),
        "cargo_quantity" => v.cargo_quantity.map(|q| format!("{q}")).unwrap_or_default(),
        "cargo_unit" => {
            label(&v.cargo_unit, |id| id.parse::<CargoUnit>().ok().map(CargoUnit::label_zh))
        }
        "cargo_origin" => s(&v.cargo_origin),
        "cargo_destination" => s(&v.cargo_destination),
        "notes" => s(&v.notes),
        _ => String::new(),
    }
}

/// A row of an imported table, with the header column each value came from.
#[derive(Debug, Clone, Default)]
pub struct TableRow {
    /// The row number as the user sees it in the file (the header is row 1).
    pub row: usize,
    /// (column header, field, raw value).
    pub cells: Vec<(&'static str, &'static str, String)>,
}

/// One problem of an import, by row, column and reason.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ImportIssue {
    /// The row in the file (the header is row 1; 0 for the file as a whole).
    pub row: usize,
    /// The column header (empty for the file as a whole).
    pub column: String,
    /// The issue.
    #[serde(flatten)]
    pub issue: FieldIssue,
}

/// Maps the header row to columns; every column of the table must be present (in any
/// order), unknown extra columns are refused so that a misspelt header is not silently
/// dropped.
pub fn map_header(
    kind: LedgerKind,
    header: &[String],
) -> Result<Vec<Option<Column>>, Vec<ImportIssue>> {
    let cols = columns(kind);
    let mut issues = Vec::new();
    let mapped: Vec<Option<Column>> = header
        .iter()
        .map(|h| {
            if h.trim().is_empty() {
                return None;
            }
            let found = cols.iter().find(|c| header_matches(h, c.header)).copied();
            if found.is_none() {
                issues.push(ImportIssue {
                    row: 1,
                    column: h.trim().to_owned(),
                    issue: FieldIssue::new(
                        "header",
                        "unknown_column",
                        format!("未知的列“{}”", h.trim()),
                        format!("unknown column \"{}\"", h.trim()),
                    ),
                });
            }
            found
        })
        .collect();
    for c in cols {
        if !mapped.iter().flatten().any(|m| m.header == c.header) {
            issues.push(ImportIssue {
                row: 1,
                column: c.header.to_owned(),
                issue: FieldIssue::new(
                    "header",
                    "missing_column",
                    format!("缺少列“{}”", c.header),
                    format!("the column \"{}\" is missing", c.header),
                ),
            });
        }
    }
    if issues.is_empty() { Ok(mapped) } else { Err(issues) }
}

/// Turns a table row into a vehicle input (typed cells parsed here, with their issues).
pub fn row_input(row: &TableRow) -> (VehicleInput, Vec<ImportIssue>) {
    let mut input = VehicleInput::default();
    let mut issues = Vec::new();
    for (header, field, raw) in &row.cells {
        let v = raw.trim();
        if v.is_empty() {
            continue;
        }
        let s = Some(v.to_owned());
        match *field {
            "plate" => input.plate = s,
            "plate_colour" => input.plate_colour = s,
            "trailer_plate" => input.trailer_plate = s,
            "vin" => input.vin = s,
            "registration_code" => input.registration_code = s,
            "machine_code" => input.machine_code = s,
            "registration_date" => input.registration_date = s,
            "production_date" => input.production_date = s,
            "vehicle_class" => input.vehicle_class = s,
            "vehicle_model" => input.vehicle_model = s,
            "engine_model" => input.engine_model = s,
            "engine_maker" => input.engine_maker = s,
            "engine_no" => input.engine_no = s,
            "fuel" => input.fuel = s,
            "stage" => input.stage = s,
            "transport_use" => input.transport_use = s,
            "obd_connected" => match v {
                "是" | "已联网" | "yes" | "true" | "1" => input.obd_connected = Some(true),
                "否" | "未联网" | "no" | "false" | "0" => input.obd_connected = Some(false),
                _ => issues.push(ImportIssue {
                    row: row.row,
                    column: (*header).to_owned(),
                    issue: FieldIssue::new(
                        field,
                        "invalid_bool",
                        "应为“是”或“否”",
                        "must be 是 (yes) or 否 (no)",
                    ),
                }),
            },
            "fleet_name" => input.fleet_name = s,
            "owner" => input.owner = s,
            "license_expiry" => input.license_expiry = s,
            "permit_expiry" => input.permit_expiry = s,
            "cargo_name" => input.cargo_name = s,
            "cargo_type" => input.cargo_type = s,
            "cargo_quantity" => match v.parse::<f64>() {
                Ok(q) => input.cargo_quantity = Some(q),
                Err(_) => issues.push(ImportIssue {
                    row: row.row,
                    column: (*header).to_owned(),
                    issue: FieldIssue::new(field, "invalid_number", "应为数字", "must be a number"),
                }),
            },
            "cargo_unit" => input.cargo_unit = s,
            "cargo_origin" => input.cargo_origin = s,
            "cargo_destination" => input.cargo_destination = s,
            "notes" => input.notes = s,
            _ => {}
        }
    }
    (input, issues)
}

/// The header of a field in a registry's table (for placing a field issue in a column).
pub fn header_of(kind: LedgerKind, field: &str) -> &'static str {
    columns(kind).iter().find(|c| c.field == field).map(|c| c.header).unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn truck() -> VehicleInput {
        VehicleInput {
            plate: Some(" 晋a12345 ".into()),
            plate_colour: Some("黄色".into()),
            vin: Some("LATPAB07?W1005301".replace('?', "1")),
            vehicle_class: Some("重型货车".into()),
            fuel: Some("柴油".into()),
            stage: Some("国Ⅴ".into()),
            registration_date: Some("20210301".into()),
            ..VehicleInput::default()
        }
    }

    #[test]
    fn a_typical_truck_checks_with_labels_and_ledger_codes() {
        let c = check(&truck(), Some(LedgerKind::ExternalTransport), None).unwrap();
        assert_eq!(c.fields.plate.as_deref(), Some("晋A12345"));
        assert_eq!(c.fields.plate_colour.as_deref(), Some("yellow"));
        assert_eq!(c.fields.stage, "cn5");
        assert_eq!(c.fields.registration_date, NaiveDate::from_ymd_opt(2021, 3, 1));
        assert!(c.warnings.is_empty(), "{:?}", c.warnings);
    }

    #[test]
    fn every_problem_of_a_record_is_reported() {
        let input = VehicleInput {
            plate: Some("晋AI2345".into()),
            plate_colour: Some("紫色".into()),
            vin: Some("123".into()),
            vehicle_class: Some("挖掘机".into()),
            stage: Some("国九".into()),
            registration_date: Some("2021-13-40".into()),
            ..VehicleInput::default()
        };
        let issues = check(&input, Some(LedgerKind::ExternalTransport), None).unwrap_err();
        let fields: Vec<&str> = issues.iter().map(|i| i.field.as_str()).collect();
        for f in
            ["plate", "plate_colour", "vin", "vehicle_class", "fuel", "stage", "registration_date"]
        {
            assert!(fields.contains(&f), "{f} not reported: {issues:?}");
        }
    }

    #[test]
    fn a_wrong_vin_check_digit_is_a_warning() {
        let input = VehicleInput { vin: Some("LATPAB07XW1005301".into()), ..truck() };
        let c = check(&input, Some(LedgerKind::ExternalTransport), None).unwrap();
        assert_eq!(c.fields.vin_warning.as_deref(), Some("vin_check_digit"));
        assert_eq!(c.warnings.len(), 1);
    }

    #[test]
    fn machinery_takes_non_road_stages_from_ledger_codes() {
        let input = VehicleInput {
            registration_code: Some("晋A-000123".into()),
            vehicle_class: Some("叉车".into()),
            fuel: Some("柴油".into()),
            stage: Some("3".into()),
            ..VehicleInput::default()
        };
        let c = check(&input, Some(LedgerKind::NonRoad), None).unwrap();
        assert_eq!(c.fields.stage, "nr3");
        let truck_in_nrmm = check(&truck(), Some(LedgerKind::NonRoad), None).unwrap_err();
        assert!(truck_in_nrmm.iter().any(|i| i.code == "class_not_machinery"));
    }

    #[test]
    fn exported_cells_parse_back_to_the_same_fields() {
        let c = check(&truck(), Some(LedgerKind::ExternalTransport), None).unwrap();
        let cols = columns(LedgerKind::ExternalTransport);
        let row = TableRow {
            row: 2,
            cells: cols
                .iter()
                .map(|col| (col.header, col.field, cell(&c.fields, col.field)))
                .collect(),
        };
        let (input, issues) = row_input(&row);
        assert!(issues.is_empty());
        assert_eq!(
            check(&input, Some(LedgerKind::ExternalTransport), None).unwrap().fields,
            c.fields
        );
    }

    #[test]
    fn headers_must_all_be_there_and_known() {
        let mut header: Vec<String> =
            columns(LedgerKind::InPlant).iter().map(|c| c.header.to_owned()).collect();
        assert!(map_header(LedgerKind::InPlant, &header).is_ok());
        header[0] = "环保登记编号".into();
        let issues = map_header(LedgerKind::InPlant, &header).unwrap_err();
        assert!(
            issues.iter().any(|i| i.issue.code == "unknown_column" && i.column == "环保登记编号")
        );
        assert!(
            issues
                .iter()
                .any(|i| i.issue.code == "missing_column"
                    && i.column == "环保登记编码或内部管理号牌")
        );
    }
}
