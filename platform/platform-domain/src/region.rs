//! Administrative regions (GB/T 2260) and the region scopes of bureau inspectors.
//!
//! A [`RegionCode`] is six digits `PPCCDD`: province, prefecture, county. `140000` is
//! Shanxi, `140100` Taiyuan, `140105` a district of Taiyuan. A [`RegionScope`] is the prefix
//! an inspector is bound to: province (`14`), prefecture (`1401`) or county (`140105`). A scope
//! contains a code when the code starts with the scope's digits.
//!
//! Invariants, kept by the parsers: a code is six ASCII digits whose province part is one of
//! the 34 province-level units, and a code with prefecture part `00` has county part `00`
//! (no county hangs directly under a province without a prefecture code; counties directly
//! under a province use prefecture part `90`, e.g. `429004`). The county list itself changes
//! every year, so it is not checked here: the platform can check a code against its own
//! copy of the current list.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::{ErrorCode, ValidationError, normalise_code};

const FIELD_CODE: &str = "region_code";
const FIELD_SCOPE: &str = "region_scope";

/// A province-level unit (省级行政区) with its GB/T 2260 code and, for the 31 mainland units,
/// the one-character abbreviation that starts a licence plate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Province {
    /// The two-digit GB/T 2260 code, e.g. `14`.
    pub code: u8,
    /// The plate abbreviation (号牌省份简称), e.g. `晋`; none for Taiwan, Hong Kong and Macau,
    /// which issue no mainland plates.
    pub plate_char: Option<char>,
    /// The zh-CN name.
    pub name_zh: &'static str,
    /// The English name.
    pub name_en: &'static str,
}

const fn p(code: u8, plate: char, zh: &'static str, en: &'static str) -> Province {
    Province { code, plate_char: Some(plate), name_zh: zh, name_en: en }
}

/// Every province-level unit, in GB/T 2260 order.
pub const PROVINCES: &[Province] = &[
    p(11, '京', "北京市", "Beijing"),
    p(12, '津', "天津市", "Tianjin"),
    p(13, '冀', "河北省", "Hebei"),
    p(14, '晋', "山西省", "Shanxi"),
    p(15, '蒙', "内蒙古自治区", "Inner Mongolia"),
    p(21, '辽', "辽宁省", "Liaoning"),
    p(22, '吉', "吉林省", "Jilin"),
    p(23, '黑', "黑龙江省", "Heilongjiang"),
    p(31, '沪', "上海市", "Shanghai"),
    p(32, '苏', "江苏省", "Jiangsu"),
    p(33, '浙', "浙江省", "Zhejiang"),
    p(34, '皖', "安徽省", "Anhui"),
    p(35, '闽', "福建省", "Fujian"),
    p(36, '赣', "江西省", "Jiangxi"),
    p(37, '鲁', "山东省", "Shandong"),
    p(41, '豫', "河南省", "Henan"),
    p(42, '鄂', "湖北省", "Hubei"),
    p(43, '湘', "湖南省", "Hunan"),
    p(44, '粤', "广东省", "Guangdong"),
    p(45, '桂', "广西壮族自治区", "Guangxi"),
    p(46, '琼', "海南省", "Hainan"),
    p(50, '渝', "重庆市", "Chongqing"),
    p(51, '川', "四川省", "Sichuan"),
    p(52, '贵', "贵州省", "Guizhou"),
    p(53, '云', "云南省", "Yunnan"),
    p(54, '藏', "西藏自治区", "Xizang"),
    p(61, '陕', "陕西省", "Shaanxi"),
    p(62, '甘', "甘肃省", "Gansu"),
    p(63, '青', "青海省", "Qinghai"),
    p(64, '宁', "宁夏回族自治区", "Ningxia"),
    p(65, '新', "新疆维吾尔自治区", "Xinjiang"),
    Province { code: 71, plate_char: None, name_zh: "台湾省", name_en: "Taiwan" },
    Province { code: 81, plate_char: None, name_zh: "香港特别行政区", name_en: "Hong Kong" },
    Province { code: 82, plate_char: None, name_zh: "澳门特别行政区", name_en: "Macao" },
];

impl Province {
    /// The province with GB/T 2260 code `code`.
    pub fn by_code(code: u8) -> Option<&'static Province> {
        PROVINCES.iter().find(|p| p.code == code)
    }

    /// The province whose plates start with `c`.
    pub fn by_plate_char(c: char) -> Option<&'static Province> {
        PROVINCES.iter().find(|p| p.plate_char == Some(c))
    }
}

/// A six-digit GB/T 2260 region code. Parse with [`RegionCode::parse`].
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RegionCode([u8; 6]);

impl RegionCode {
    /// Parses a code such as `140105`. Surrounding spaces are ignored.
    pub fn parse(input: &str) -> Result<Self, ValidationError> {
        let s = normalise_code(input);
        if s.is_empty() {
            return Err(ValidationError::new(
                ErrorCode::RegionEmpty,
                FIELD_CODE,
                "行政区划代码不能为空",
                "The region code must not be empty.",
            ));
        }
        let bytes = s.as_bytes();
        if bytes.len() != 6 || !bytes.iter().all(u8::is_ascii_digit) {
            return Err(ValidationError::new(
                ErrorCode::RegionFormat,
                FIELD_CODE,
                format!("行政区划代码应为6位数字，收到“{s}”"),
                format!("A region code has 6 digits; got {s:?}."),
            ));
        }
        let mut digits = [0u8; 6];
        digits.copy_from_slice(bytes);
        check_province(&digits[..2], FIELD_CODE)?;
        if &digits[2..4] == b"00" && &digits[4..6] != b"00" {
            return Err(ValidationError::new(
                ErrorCode::RegionStructure,
                FIELD_CODE,
                format!("行政区划代码“{s}”的地级代码为00，县级代码也应为00"),
                format!("Region code {s}: prefecture part 00 requires county part 00."),
            ));
        }
        Ok(Self(digits))
    }

    /// The six digits.
    pub fn as_str(&self) -> &str {
        // The bytes are ASCII digits by construction.
        std::str::from_utf8(&self.0).unwrap_or("000000")
    }

    /// The province this code belongs to.
    pub fn province(&self) -> &'static Province {
        let code = (self.0[0] - b'0') * 10 + (self.0[1] - b'0');
        // Checked in `parse`.
        Province::by_code(code).unwrap_or(&PROVINCES[0])
    }

    /// The narrowest scope this code names: `140000` → `14`, `140100` → `1401`,
    /// `140105` → `140105`.
    pub fn scope(&self) -> RegionScope {
        let len = if &self.0[2..6] == b"0000" {
            2
        } else if &self.0[4..6] == b"00" {
            4
        } else {
            6
        };
        RegionScope { digits: self.0, len }
    }
}

impl fmt::Display for RegionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for RegionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RegionCode({})", self.as_str())
    }
}

impl FromStr for RegionCode {
    type Err = ValidationError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for RegionCode {
    type Error = ValidationError;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<RegionCode> for String {
    fn from(code: RegionCode) -> Self {
        code.as_str().to_owned()
    }
}

/// A region prefix: a province (2 digits), a prefecture (4) or a county (6). An inspector's
/// scope, and the reach of a region alert or a bureau blacklist entry.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RegionScope {
    // The digits padded with '0' to six; only the first `len` count.
    digits: [u8; 6],
    len: usize,
}

impl RegionScope {
    /// Parses `14`, `1401` or `140105`. A full six-digit code with trailing zeros names the
    /// unit it is the code of: `140000` is the scope `14`, `140100` the scope `1401`.
    pub fn parse(input: &str) -> Result<Self, ValidationError> {
        let s = normalise_code(input);
        if s.is_empty() {
            return Err(ValidationError::new(
                ErrorCode::RegionEmpty,
                FIELD_SCOPE,
                "辖区代码不能为空",
                "The region scope must not be empty.",
            ));
        }
        let bytes = s.as_bytes();
        if !matches!(bytes.len(), 2 | 4 | 6) || !bytes.iter().all(u8::is_ascii_digit) {
            return Err(ValidationError::new(
                ErrorCode::RegionFormat,
                FIELD_SCOPE,
                format!("辖区代码应为2、4或6位数字，收到“{s}”"),
                format!("A region scope has 2, 4 or 6 digits; got {s:?}."),
            ));
        }
        if bytes.len() == 6 {
            return RegionCode::parse(&s).map(|c| c.scope()).map_err(|e| e.with_field(FIELD_SCOPE));
        }
        check_province(&bytes[..2], FIELD_SCOPE)?;
        if bytes.len() == 4 && &bytes[2..4] == b"00" {
            return Err(ValidationError::new(
                ErrorCode::RegionStructure,
                FIELD_SCOPE,
                format!("辖区代码“{s}”的地级代码不能为00；整个省份请用“{}”", &s[..2]),
                format!(
                    "Region scope {s}: prefecture part 00 is not a prefecture; use {} for the whole province.",
                    &s[..2]
                ),
            ));
        }
        let mut digits = *b"000000";
        digits[..bytes.len()].copy_from_slice(bytes);
        Ok(Self { digits, len: bytes.len() })
    }

    /// The scope of a whole province.
    pub fn province(province: &Province) -> Self {
        let mut digits = *b"000000";
        digits[0] = b'0' + province.code / 10;
        digits[1] = b'0' + province.code % 10;
        Self { digits, len: 2 }
    }

    /// The prefix digits: `14`, `1401` or `140105`.
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.digits[..self.len]).unwrap_or("")
    }

    /// The six-digit code of the unit this scope names (`1401` → `140100`).
    pub fn code(&self) -> RegionCode {
        RegionCode(self.digits)
    }

    /// Whether `code` lies inside this scope.
    pub fn contains(&self, code: &RegionCode) -> bool {
        code.0[..self.len] == self.digits[..self.len]
    }

    /// Whether `other` lies entirely inside this scope (a scope contains itself).
    pub fn contains_scope(&self, other: &RegionScope) -> bool {
        other.len >= self.len && other.digits[..self.len] == self.digits[..self.len]
    }

    /// Whether the two scopes share any region (one contains the other).
    pub fn overlaps(&self, other: &RegionScope) -> bool {
        self.contains_scope(other) || other.contains_scope(self)
    }
}

impl fmt::Display for RegionScope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for RegionScope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RegionScope({})", self.as_str())
    }
}

impl FromStr for RegionScope {
    type Err = ValidationError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for RegionScope {
    type Error = ValidationError;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<RegionScope> for String {
    fn from(scope: RegionScope) -> Self {
        scope.as_str().to_owned()
    }
}

fn check_province(two: &[u8], field: &'static str) -> Result<(), ValidationError> {
    let code = (two[0] - b'0') * 10 + (two[1] - b'0');
    if Province::by_code(code).is_none() {
        let s = std::str::from_utf8(two).unwrap_or("");
        return Err(ValidationError::new(
            ErrorCode::RegionProvince,
            field,
            format!("省级行政区划代码“{s}”不存在"),
            format!("There is no province-level unit with code {s}."),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn code(s: &str) -> RegionCode {
        RegionCode::parse(s).unwrap()
    }

    fn scope(s: &str) -> RegionScope {
        RegionScope::parse(s).unwrap()
    }

    #[test]
    fn codes_parse_and_name_their_level() {
        assert_eq!(code("140000").scope().as_str(), "14");
        assert_eq!(code("140100").scope().as_str(), "1401");
        assert_eq!(code(" 140105 ").scope().as_str(), "140105");
        assert_eq!(code("429004").province().name_zh, "湖北省");
        assert_eq!(code("140105").province().plate_char, Some('晋'));
    }

    #[test]
    fn bad_region_codes_are_named() {
        let cases = [
            ("", ErrorCode::RegionEmpty),
            ("   ", ErrorCode::RegionEmpty),
            ("14010", ErrorCode::RegionFormat),
            ("1401055", ErrorCode::RegionFormat),
            ("14A105", ErrorCode::RegionFormat),
            ("990100", ErrorCode::RegionProvince),
            ("100000", ErrorCode::RegionProvince),
            ("140005", ErrorCode::RegionStructure),
        ];
        for (input, expected) in cases {
            let err = RegionCode::parse(input).unwrap_err();
            assert_eq!(err.code(), expected, "{input:?}");
            assert_eq!(err.field(), "region_code");
        }
    }

    #[test]
    fn bad_region_scopes_are_named() {
        let cases = [
            ("", ErrorCode::RegionEmpty),
            ("1", ErrorCode::RegionFormat),
            ("140", ErrorCode::RegionFormat),
            ("14x1", ErrorCode::RegionFormat),
            ("99", ErrorCode::RegionProvince),
            ("1400", ErrorCode::RegionStructure),
            ("140005", ErrorCode::RegionStructure),
        ];
        for (input, expected) in cases {
            let err = RegionScope::parse(input).unwrap_err();
            assert_eq!(err.code(), expected, "{input:?}");
            assert_eq!(err.field(), "region_scope");
        }
    }

    #[test]
    fn scopes_contain_by_prefix() {
        let shanxi = scope("14");
        let taiyuan = scope("1401");
        let district = scope("140105");
        assert!(shanxi.contains(&code("140105")));
        assert!(taiyuan.contains(&code("140105")));
        assert!(taiyuan.contains(&code("140100")));
        assert!(!taiyuan.contains(&code("140200")));
        assert!(!shanxi.contains(&code("130100")));
        assert!(district.contains(&code("140105")));
        assert!(!district.contains(&code("140106")));
        assert!(shanxi.contains_scope(&taiyuan) && !taiyuan.contains_scope(&shanxi));
        assert!(taiyuan.overlaps(&shanxi) && shanxi.overlaps(&district));
        assert!(!taiyuan.overlaps(&scope("1402")));
        assert_eq!(scope("140100"), taiyuan);
        assert_eq!(taiyuan.code(), code("140100"));
        assert_eq!(RegionScope::province(code("140105").province()), shanxi);
    }

    #[test]
    fn serde_uses_the_digit_string_and_checks_it() {
        assert_eq!(serde_json::to_string(&code("140105")).unwrap(), "\"140105\"");
        assert_eq!(serde_json::to_string(&scope("1401")).unwrap(), "\"1401\"");
        assert!(serde_json::from_str::<RegionCode>("\"999999\"").is_err());
        assert_eq!(serde_json::from_str::<RegionScope>("\"14\"").unwrap(), scope("14"));
    }

    #[test]
    fn province_table_is_consistent() {
        let mut chars = std::collections::HashSet::new();
        for p in PROVINCES {
            assert_eq!(Province::by_code(p.code), Some(p));
            if let Some(c) = p.plate_char {
                assert!(chars.insert(c));
                assert_eq!(Province::by_plate_char(c), Some(p));
            }
        }
        assert_eq!(chars.len(), 31);
    }

    proptest! {
        #[test]
        fn every_code_lies_in_each_of_its_prefixes(
            province in prop::sample::select(PROVINCES.iter().map(|p| p.code).collect::<Vec<_>>()),
            pref in 1u8..=99,
            county in 0u8..=99,
        ) {
            let s = format!("{province:02}{pref:02}{county:02}");
            let c = code(&s);
            prop_assert!(scope(&s[..2]).contains(&c));
            prop_assert!(scope(&s[..4]).contains(&c));
            prop_assert!(c.scope().contains(&c));
            prop_assert_eq!(c.as_str(), s.as_str());
            // A neighbouring prefecture never contains it.
            let other = format!("{province:02}{:02}", if pref == 99 { 1 } else { pref + 1 });
            prop_assert!(!scope(&other).contains(&c));
        }
    }
}
