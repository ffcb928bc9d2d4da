//! The one shape of bad input: a stable code, the field it concerns, and a message in zh-CN
//! and English.
//!
//! The platform's API answers `{"error": code, "message": …, "field": …}` in the user's
//! language ([`ValidationError::body`]); the gate shows the zh-CN text. Codes are stable
//! identifiers like the enums in [`crate::codes`]: clients may branch on them, so **never
//! rename one**. Messages may be reworded freely.
//!
//! Every parser in this crate names a default field (`plate_number`, `vin`, …); a caller that
//! parses a nested field renames it with [`ValidationError::with_field`].
//!
//! A [`ValidationWarning`] has the same shape but does not stop the input: today only a VIN
//! whose check digit does not match (GB 16735 check digits are missing on many imported and
//! older vehicles, so a mismatch calls for a look at the documents, not a refusal).

use std::borrow::Cow;

use serde::Serialize;

use crate::codes::code_enum;

code_enum! {
    /// Why an input was refused (or, for [`ErrorCode::VinCheckDigit`], questioned).
    ErrorCode ("error code") {
        // Plate numbers (GA 36).
        PlateEmpty = "plate_empty", "号牌号码为空", "the plate number is empty";
        PlateLength = "plate_length", "号牌号码长度不正确", "the plate number has the wrong length";
        PlateProvince = "plate_province", "号牌省份简称不正确", "the plate's province character is not valid";
        PlateAuthority = "plate_authority", "号牌发牌机关代号不正确", "the plate's issuing-authority letter is not valid";
        PlateSerialIo = "plate_serial_i_o", "号牌序号不得使用字母I或O", "the plate serial must not contain I or O";
        PlateSerialChar = "plate_serial_char", "号牌序号含有不允许的字符", "the plate serial contains a character that is not allowed";
        PlateSuffix = "plate_suffix", "号牌末位汉字不正确", "the plate's final character is not a known suffix";
        PlateNevSerial = "plate_nev_serial", "新能源号牌序号不符合编码规则", "the new-energy plate serial breaks the coding rules";
        PlateColourMismatch = "plate_colour_mismatch", "号牌颜色与号牌不符", "the plate colour does not fit the plate number";
        // VIN (GB 16735).
        VinEmpty = "vin_empty", "车辆识别代号为空", "the VIN is empty";
        VinLength = "vin_length", "车辆识别代号应为17位", "the VIN must have 17 characters";
        VinChar = "vin_char", "车辆识别代号只能由数字和大写字母组成", "the VIN may contain only digits and capital letters";
        VinIoq = "vin_i_o_q", "车辆识别代号不得使用字母I、O、Q", "the VIN must not contain I, O or Q";
        /// Emitted as a warning only.
        VinCheckDigit = "vin_check_digit", "车辆识别代号校验位不符", "the VIN check digit does not match";
        // Unified social credit code (GB 32100).
        CreditCodeEmpty = "credit_code_empty", "统一社会信用代码为空", "the unified social credit code is empty";
        CreditCodeLength = "credit_code_length", "统一社会信用代码应为18位", "the unified social credit code must have 18 characters";
        CreditCodeChar = "credit_code_char", "统一社会信用代码含有不允许的字符", "the unified social credit code contains a character that is not allowed";
        CreditCodeRegion = "credit_code_region", "统一社会信用代码第3至8位应为行政区划码", "positions 3 to 8 of the unified social credit code must be a region code";
        CreditCodeCheck = "credit_code_check", "统一社会信用代码校验码不符", "the unified social credit code check character does not match";
        // Region codes (GB/T 2260).
        RegionEmpty = "region_empty", "行政区划代码为空", "the region code is empty";
        RegionFormat = "region_format", "行政区划代码格式不正确", "the region code has the wrong format";
        RegionProvince = "region_province", "行政区划代码的省级代码不存在", "the region code's province part does not exist";
        RegionStructure = "region_structure", "行政区划代码的层级结构不正确", "the region code's levels do not fit together";
        // NRMM registration code.
        NrmmCodeEmpty = "nrmm_code_empty", "环保登记编码为空", "the registration code is empty";
        NrmmCodeLength = "nrmm_code_length", "环保登记编码超过32个字符", "the registration code is longer than 32 characters";
        NrmmCodeChar = "nrmm_code_char", "环保登记编码含有不允许的字符", "the registration code contains a character that is not allowed";
        NrmmCodePattern = "nrmm_code_pattern", "环保登记编码不符合本企业规定的格式", "the registration code does not match the enterprise's format";
        // Rule data (admission rules, lists, overlays, thresholds).
        NameEmpty = "name_empty", "名称为空", "the name is empty";
        NameLength = "name_length", "名称过长", "the name is too long";
        TimeWindowEmpty = "time_window_empty", "时间段的开始与结束相同", "the time window starts and ends at the same time";
        DateRangeReversed = "date_range_reversed", "日期范围的结束早于开始", "the date range ends before it starts";
        ValidityReversed = "validity_reversed", "有效期的结束不晚于开始", "the validity period does not end after it starts";
        WeekdayRange = "weekday_range", "星期应为1（周一）至7（周日）", "a weekday must be 1 (Monday) to 7 (Sunday)";
        PermilleRange = "permille_range", "比例应在0‰至1000‰之间", "a share must be between 0 ‰ and 1000 ‰";
    }
}

/// Bad input: a stable [`ErrorCode`], the field it concerns and a message in zh-CN and en.
///
/// Construct one through the parsers of this crate; the private fields keep code, field and
/// both messages together.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message_en} ({code})")]
pub struct ValidationError {
    code: ErrorCode,
    field: Cow<'static, str>,
    message_zh: String,
    message_en: String,
}

impl ValidationError {
    /// A new error. Messages are full sentences that name the field's meaning and the reason.
    pub(crate) fn new(
        code: ErrorCode,
        field: &'static str,
        message_zh: impl Into<String>,
        message_en: impl Into<String>,
    ) -> Self {
        Self {
            code,
            field: Cow::Borrowed(field),
            message_zh: message_zh.into(),
            message_en: message_en.into(),
        }
    }

    /// The stable code.
    pub fn code(&self) -> ErrorCode {
        self.code
    }

    /// The field the error concerns, as the API names it.
    pub fn field(&self) -> &str {
        &self.field
    }

    /// The zh-CN message.
    pub fn message_zh(&self) -> &str {
        &self.message_zh
    }

    /// The English message.
    pub fn message_en(&self) -> &str {
        &self.message_en
    }

    /// The message in `lang` (`"en…"` for English, anything else for zh-CN).
    pub fn message(&self, lang: &str) -> &str {
        if lang.starts_with("en") { &self.message_en } else { &self.message_zh }
    }

    /// The same error about another field, e.g. `vehicles[3].plate_number` when a parser's
    /// default `plate_number` is not what the request called it.
    #[must_use]
    pub fn with_field(mut self, field: impl Into<Cow<'static, str>>) -> Self {
        self.field = field.into();
        self
    }

    /// The API body `{error, message, field}` in the user's language.
    pub fn body(&self, lang: &str) -> ErrorBody<'_> {
        ErrorBody {
            error: self.code.as_str(),
            message: self.message(lang),
            field: Some(self.field()),
        }
    }
}

/// A questionable input that is still accepted: same shape as [`ValidationError`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ValidationWarning {
    code: ErrorCode,
    field: Cow<'static, str>,
    message_zh: String,
    message_en: String,
}

impl ValidationWarning {
    pub(crate) fn new(
        code: ErrorCode,
        field: &'static str,
        message_zh: impl Into<String>,
        message_en: impl Into<String>,
    ) -> Self {
        Self {
            code,
            field: Cow::Borrowed(field),
            message_zh: message_zh.into(),
            message_en: message_en.into(),
        }
    }

    /// The stable code.
    pub fn code(&self) -> ErrorCode {
        self.code
    }

    /// The field the warning concerns.
    pub fn field(&self) -> &str {
        &self.field
    }

    /// The message in `lang` (`"en…"` for English, anything else for zh-CN).
    pub fn message(&self, lang: &str) -> &str {
        if lang.starts_with("en") { &self.message_en } else { &self.message_zh }
    }

    /// The same warning about another field.
    #[must_use]
    pub fn with_field(mut self, field: impl Into<Cow<'static, str>>) -> Self {
        self.field = field.into();
        self
    }

    /// The API body `{error, message, field}` in the user's language (the platform lists
    /// warnings next to a saved record).
    pub fn body(&self, lang: &str) -> ErrorBody<'_> {
        ErrorBody {
            error: self.code.as_str(),
            message: self.message(lang),
            field: Some(self.field()),
        }
    }
}

/// What the API sends for an error: `{"error": "plate_length", "message": "…", "field": "…"}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ErrorBody<'a> {
    /// The stable code.
    pub error: &'static str,
    /// The message in the requested language.
    pub message: &'a str,
    /// The field, when the error concerns one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<&'a str>,
}

/// Normalises a typed or recognised code before parsing: Unicode NFKC (full-width letters and
/// digits from Chinese input methods become ASCII), surrounding whitespace trimmed, ASCII
/// letters upper-cased.
pub(crate) fn normalise_code(input: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    input.nfkc().collect::<String>().trim().to_ascii_uppercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_speaks_the_requested_language_and_names_the_field() {
        let err = ValidationError::new(ErrorCode::VinLength, "vin", "车辆识别代号应为17位", "17");
        let zh = serde_json::to_value(err.body("zh-CN")).unwrap();
        assert_eq!(
            zh,
            serde_json::json!({"error": "vin_length", "message": "车辆识别代号应为17位", "field": "vin"})
        );
        let en = err.clone().with_field("vehicles[2].vin");
        assert_eq!(en.body("en-GB").message, "17");
        assert_eq!(en.field(), "vehicles[2].vin");
        assert_eq!(en.to_string(), "vehicles[2].vin: 17 (vin_length)");
    }

    #[test]
    fn normalisation_folds_full_width_trims_and_upper_cases() {
        assert_eq!(normalise_code("  冀ａ１２３４５\u{3000}"), "冀A12345");
        assert_eq!(normalise_code("lsvag2180e2100001"), "LSVAG2180E2100001");
    }

    #[test]
    fn error_codes_are_unique_snake_case_and_labelled() {
        let mut seen = std::collections::HashSet::new();
        for code in ErrorCode::ALL {
            assert!(seen.insert(code.as_str()), "duplicate {code}");
            assert!(code.as_str().bytes().all(|b| b.is_ascii_lowercase() || b == b'_'));
            assert!(!code.label_zh().is_empty() && !code.label_en().is_empty());
            assert_eq!(code.as_str().parse::<ErrorCode>().unwrap(), *code);
        }
    }
}
