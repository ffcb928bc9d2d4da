//! Licence plates (GA 36): parsing, the plate kinds, and the colour that fits each kind.
//!
//! A [`Plate`] is either a [`PlateNumber`] or the explicit [`Plate::Unplated`] (无牌): a
//! vehicle seen without a plate is a fact the ledger records, never an empty string.
//!
//! A [`PlateNumber`] always holds the normalised text (no spaces or dots, ASCII upper case)
//! and is one of:
//! - ordinary, 7 characters: province + authority letter + 5-character serial;
//! - with a suffix, 7 characters: province + letter + 4-character serial + 挂 (trailer),
//!   学 (driving school), 警 (police), 港 or 澳 (Guangdong cross-border);
//! - small new-energy, 8 characters: province + letter + `[DABCEFGHJK]` + letter or digit +
//!   4 digits;
//! - large new-energy, 8 characters: province + letter + 5 digits + `D` or `F`.
//!
//! The serial never contains I or O. The authority letter may be any of A–Z.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::codes::PlateColour;
use crate::error::{ErrorCode, ValidationError, normalise_code};
use crate::region::Province;

const FIELD: &str = "plate_number";
const FIELD_COLOUR: &str = "plate_colour";

/// The text that stands for "no plate" in storage and on the wire.
pub const UNPLATED: &str = "无牌";

/// Inputs read as "no plate": what people type and what cameras report for a vehicle
/// without a readable plate.
const UNPLATED_SPELLINGS: &[&str] = &["无牌", "无车牌", "无牌车", "无号牌"];

/// Small new-energy letters (first serial character): D A B C E for battery electric,
/// F G H J K for the others. The original rule had only D and F; the extension is in use.
const SMALL_NEV_LETTERS: &[char] = &['D', 'A', 'B', 'C', 'E', 'F', 'G', 'H', 'J', 'K'];

/// Large new-energy letters (last serial character).
const LARGE_NEV_LETTERS: &[char] = &['D', 'F'];

/// What kind of plate a [`PlateNumber`] is. Decides which colours fit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PlateKind {
    /// 7 characters, no suffix: blue (small) or yellow (large), or black/white for special
    /// vehicles.
    Ordinary,
    /// 挂: a trailer; yellow.
    Trailer,
    /// 学: a driving-school vehicle; yellow.
    Coach,
    /// 警: a police vehicle; white.
    Police,
    /// 港 / 澳: a Guangdong cross-border vehicle from Hong Kong or Macao; black.
    CrossBorder,
    /// 8 characters, small new-energy vehicle; gradient green.
    SmallNewEnergy,
    /// 8 characters, large new-energy vehicle; yellow-green.
    LargeNewEnergy,
}

impl PlateKind {
    /// The colours a plate of this kind may have. [`PlateColour::Other`] (colour not known)
    /// fits every kind.
    pub fn colours(self) -> &'static [PlateColour] {
        use PlateColour as C;
        match self {
            Self::Ordinary => &[C::Blue, C::Yellow, C::Black, C::White, C::Other],
            Self::Trailer | Self::Coach => &[C::Yellow, C::Other],
            Self::Police => &[C::White, C::Other],
            Self::CrossBorder => &[C::Black, C::Other],
            Self::SmallNewEnergy => &[C::GradientGreen, C::Other],
            Self::LargeNewEnergy => &[C::YellowGreen, C::Other],
        }
    }

    /// Whether this is a new-energy plate.
    pub fn is_new_energy(self) -> bool {
        matches!(self, Self::SmallNewEnergy | Self::LargeNewEnergy)
    }
}

/// A valid plate number in normalised form, e.g. `晋A12345`, `冀B1234挂`, `京AD12345`.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PlateNumber(String);

impl PlateNumber {
    /// Parses a plate number. Normalisation first: NFKC (full-width letters and digits
    /// become ASCII), surrounding whitespace trimmed, letters upper-cased, and the separators
    /// people and cameras put inside a plate (spaces, `·`, `•`, `・`, `-`) removed.
    ///
    /// "No plate" is not a plate number: use [`Plate::parse`] where 无牌 is acceptable.
    pub fn parse(input: &str) -> Result<Self, ValidationError> {
        let s = normalise_plate(input);
        let chars: Vec<char> = s.chars().collect();
        if chars.is_empty() {
            return Err(ValidationError::new(
                ErrorCode::PlateEmpty,
                FIELD,
                "号牌号码不能为空；没有号牌的车辆请填写“无牌”",
                "The plate number must not be empty; enter 无牌 for a vehicle without a plate.",
            ));
        }
        if UNPLATED_SPELLINGS.contains(&s.as_str()) {
            return Err(ValidationError::new(
                ErrorCode::PlateEmpty,
                FIELD,
                "此处需要号牌号码，不能填写“无牌”",
                "A plate number is required here; 无牌 (no plate) is not accepted.",
            ));
        }
        if chars.len() != 7 && chars.len() != 8 {
            return Err(ValidationError::new(
                ErrorCode::PlateLength,
                FIELD,
                format!("号牌号码“{s}”有{}个字符；普通号牌应为7位，新能源号牌应为8位", chars.len()),
                format!(
                    "Plate {s:?} has {} characters; ordinary plates have 7, new-energy plates 8.",
                    chars.len()
                ),
            ));
        }
        if Province::by_plate_char(chars[0]).is_none() {
            return Err(ValidationError::new(
                ErrorCode::PlateProvince,
                FIELD,
                format!("号牌“{s}”的第1位“{}”不是省份简称", chars[0]),
                format!(
                    "Plate {s:?}: the first character {:?} is not a province abbreviation.",
                    chars[0]
                ),
            ));
        }
        if !chars[1].is_ascii_uppercase() {
            return Err(ValidationError::new(
                ErrorCode::PlateAuthority,
                FIELD,
                format!("号牌“{s}”的第2位“{}”应为发牌机关代号字母A–Z", chars[1]),
                format!(
                    "Plate {s:?}: the second character {:?} must be an issuing-authority letter A–Z.",
                    chars[1]
                ),
            ));
        }
        let serial = &chars[2..];
        // A final Chinese character on a 7-character plate is a suffix; check it before the
        // serial so that "冀A1234挂" is judged as a trailer plate.
        let (body, suffix) = match serial.last() {
            Some(&c) if chars.len() == 7 && !c.is_ascii() => (&serial[..serial.len() - 1], Some(c)),
            _ => (serial, None),
        };
        for (i, &c) in body.iter().enumerate() {
            if c == 'I' || c == 'O' {
                return Err(ValidationError::new(
                    ErrorCode::PlateSerialIo,
                    FIELD,
                    format!("号牌“{s}”的序号第{}位使用了字母{c}；号牌序号不使用I和O", i + 1),
                    format!(
                        "Plate {s:?}: serial character {} is {c}; plate serials never use I or O.",
                        i + 1
                    ),
                ));
            }
            if !(c.is_ascii_uppercase() || c.is_ascii_digit()) {
                return Err(ValidationError::new(
                    ErrorCode::PlateSerialChar,
                    FIELD,
                    format!("号牌“{s}”的序号第{}位“{c}”不是字母或数字", i + 1),
                    format!(
                        "Plate {s:?}: serial character {} ({c:?}) is not a letter or digit.",
                        i + 1
                    ),
                ));
            }
        }
        if let Some(c) = suffix
            && suffix_kind(c).is_none()
        {
            return Err(ValidationError::new(
                ErrorCode::PlateSuffix,
                FIELD,
                format!("号牌“{s}”的末位“{c}”不是可用的号牌后缀（挂、学、警、港、澳）"),
                format!(
                    "Plate {s:?}: the final character {c:?} is not a plate suffix (挂, 学, 警, 港, 澳)."
                ),
            ));
        }
        if chars.len() == 8 && nev_kind(serial).is_none() {
            return Err(ValidationError::new(
                ErrorCode::PlateNevSerial,
                FIELD,
                format!(
                    "新能源号牌“{s}”的序号不符合规则：小型新能源为D、A、B、C、E、F、G、H、J、K之一 + 字母或数字 + 4位数字，大型新能源为5位数字 + D或F"
                ),
                format!(
                    "New-energy plate {s:?}: a small NEV serial is one of DABCEFGHJK, a letter or digit, then 4 digits; a large NEV serial is 5 digits then D or F."
                ),
            ));
        }
        Ok(Self(s))
    }

    /// The normalised text, e.g. `晋A12345`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The kind of plate.
    pub fn kind(&self) -> PlateKind {
        let chars: Vec<char> = self.0.chars().collect();
        if chars.len() == 8 {
            // Checked in `parse`.
            return nev_kind(&chars[2..]).unwrap_or(PlateKind::SmallNewEnergy);
        }
        suffix_kind(chars[6]).unwrap_or(PlateKind::Ordinary)
    }

    /// The province that issued the plate.
    pub fn province(&self) -> &'static Province {
        let first = self.0.chars().next().unwrap_or('京');
        // Checked in `parse`.
        Province::by_plate_char(first).unwrap_or(&crate::region::PROVINCES[0])
    }

    /// The plate as printed: `晋A·12345`.
    pub fn dotted(&self) -> String {
        let mut chars = self.0.chars();
        let head: String = chars.by_ref().take(2).collect();
        format!("{head}·{}", chars.as_str())
    }

    /// Whether `colour` fits this plate: 8-character plates are gradient green (small NEV) or
    /// yellow-green (large NEV), 7-character plates never are; 挂 and 学 plates are yellow,
    /// 警 white, 港/澳 black. [`PlateColour::Other`] (not known) always fits.
    pub fn check_colour(&self, colour: PlateColour) -> Result<(), ValidationError> {
        let kind = self.kind();
        if kind.colours().contains(&colour) {
            return Ok(());
        }
        let expected_zh: Vec<&str> = kind
            .colours()
            .iter()
            .filter(|c| **c != PlateColour::Other)
            .map(|c| c.label_zh())
            .collect();
        let expected_en: Vec<&str> = kind
            .colours()
            .iter()
            .filter(|c| **c != PlateColour::Other)
            .map(|c| c.label_en())
            .collect();
        Err(ValidationError::new(
            ErrorCode::PlateColourMismatch,
            FIELD_COLOUR,
            format!("号牌“{}”不能是{}；应为{}", self.0, colour.label_zh(), expected_zh.join("、")),
            format!(
                "Plate {:?} cannot be {}; expected {}.",
                self.0,
                colour.label_en(),
                expected_en.join(" or ")
            ),
        ))
    }
}

fn normalise_plate(input: &str) -> String {
    normalise_code(input)
        .chars()
        .filter(|c| !matches!(c, ' ' | '·' | '•' | '・' | '-' | '\t'))
        .collect()
}

fn suffix_kind(c: char) -> Option<PlateKind> {
    match c {
        '挂' => Some(PlateKind::Trailer),
        '学' => Some(PlateKind::Coach),
        '警' => Some(PlateKind::Police),
        '港' | '澳' => Some(PlateKind::CrossBorder),
        _ => None,
    }
}

/// The new-energy kind of a 6-character serial, or none if it fits neither rule.
fn nev_kind(serial: &[char]) -> Option<PlateKind> {
    if serial.len() != 6 {
        return None;
    }
    let digits = |cs: &[char]| cs.iter().all(char::is_ascii_digit);
    if SMALL_NEV_LETTERS.contains(&serial[0])
        && (serial[1].is_ascii_uppercase() || serial[1].is_ascii_digit())
        && digits(&serial[2..])
    {
        return Some(PlateKind::SmallNewEnergy);
    }
    if digits(&serial[..5]) && LARGE_NEV_LETTERS.contains(&serial[5]) {
        return Some(PlateKind::LargeNewEnergy);
    }
    None
}

impl fmt::Display for PlateNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for PlateNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PlateNumber({})", self.0)
    }
}

impl AsRef<str> for PlateNumber {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl FromStr for PlateNumber {
    type Err = ValidationError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for PlateNumber {
    type Error = ValidationError;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<PlateNumber> for String {
    fn from(p: PlateNumber) -> Self {
        p.0
    }
}

/// What a camera or a person says about a vehicle's plate: a number, or explicitly none.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Plate {
    /// A valid plate number.
    Number(PlateNumber),
    /// 无牌: the vehicle has no plate (new, temporary paper plate, machinery).
    Unplated,
}

impl Plate {
    /// Parses a plate number, or one of 无牌 / 无车牌 / 无牌车 / 无号牌 as [`Plate::Unplated`].
    /// An empty input is an error, not "no plate": absence must be stated.
    pub fn parse(input: &str) -> Result<Self, ValidationError> {
        let s = normalise_plate(input);
        if UNPLATED_SPELLINGS.contains(&s.as_str()) {
            return Ok(Self::Unplated);
        }
        PlateNumber::parse(&s).map(Self::Number)
    }

    /// The plate number, if there is one.
    pub fn number(&self) -> Option<&PlateNumber> {
        match self {
            Self::Number(n) => Some(n),
            Self::Unplated => None,
        }
    }

    /// The stored text: the plate number, or `无牌`.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Number(n) => n.as_str(),
            Self::Unplated => UNPLATED,
        }
    }

    /// Whether `colour` fits: see [`PlateNumber::check_colour`]. A vehicle without a plate
    /// has no plate colour, so only [`PlateColour::Other`] fits it.
    pub fn check_colour(&self, colour: PlateColour) -> Result<(), ValidationError> {
        match self {
            Self::Number(n) => n.check_colour(colour),
            Self::Unplated if colour == PlateColour::Other => Ok(()),
            Self::Unplated => Err(ValidationError::new(
                ErrorCode::PlateColourMismatch,
                FIELD_COLOUR,
                format!("无牌车辆没有号牌颜色，收到“{}”；请选择“其他”", colour.label_zh()),
                format!(
                    "A vehicle without a plate has no plate colour (got {}); choose other.",
                    colour.label_en()
                ),
            )),
        }
    }
}

impl From<PlateNumber> for Plate {
    fn from(n: PlateNumber) -> Self {
        Self::Number(n)
    }
}

impl fmt::Display for Plate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Plate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Plate({})", self.as_str())
    }
}

impl FromStr for Plate {
    type Err = ValidationError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for Plate {
    type Error = ValidationError;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<Plate> for String {
    fn from(p: Plate) -> Self {
        match p {
            Plate::Number(n) => n.0,
            Plate::Unplated => UNPLATED.to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::region::PROVINCES;

    fn plate(s: &str) -> PlateNumber {
        PlateNumber::parse(s).unwrap_or_else(|e| panic!("{s:?}: {e}"))
    }

    #[test]
    fn valid_plates_parse_to_their_kind() {
        let cases = [
            ("晋A12345", PlateKind::Ordinary),
            ("晋AB1234", PlateKind::Ordinary),
            ("冀B1234挂", PlateKind::Trailer),
            ("京A1234学", PlateKind::Coach),
            ("沪A0123警", PlateKind::Police),
            ("粤Z1234港", PlateKind::CrossBorder),
            ("粤Z1234澳", PlateKind::CrossBorder),
            ("京AD12345", PlateKind::SmallNewEnergy),
            ("京AFA1345", PlateKind::SmallNewEnergy),
            ("粤BA12345", PlateKind::SmallNewEnergy),
            ("苏EK99999", PlateKind::SmallNewEnergy),
            ("晋A12345D", PlateKind::LargeNewEnergy),
            ("晋A12345F", PlateKind::LargeNewEnergy),
        ];
        for (input, kind) in cases {
            assert_eq!(plate(input).kind(), kind, "{input}");
            assert_eq!(plate(input).as_str(), input);
        }
    }

    #[test]
    fn input_is_normalised_before_parsing() {
        assert_eq!(plate("  晋a12345 ").as_str(), "晋A12345");
        assert_eq!(plate("晋A·12345").as_str(), "晋A12345");
        assert_eq!(plate("晋A 123 45").as_str(), "晋A12345");
        assert_eq!(plate("晋Ａ１２３４５").as_str(), "晋A12345");
        assert_eq!(plate("冀b-1234挂").as_str(), "冀B1234挂");
        assert_eq!(plate("晋A12345").dotted(), "晋A·12345");
        assert_eq!(plate("晋A12345").province().code, 14);
    }

    #[test]
    fn unplated_is_explicit() {
        for s in ["无牌", " 无车牌 ", "无牌车", "无号牌"] {
            assert_eq!(Plate::parse(s).unwrap(), Plate::Unplated, "{s}");
        }
        assert_eq!(Plate::Unplated.as_str(), "无牌");
        assert_eq!(Plate::parse("晋A12345").unwrap().number().unwrap().as_str(), "晋A12345");
        // A plate number field does not accept "no plate", and an empty input is never "no
        // plate".
        assert_eq!(PlateNumber::parse("无牌").unwrap_err().code(), ErrorCode::PlateEmpty);
        assert_eq!(Plate::parse("").unwrap_err().code(), ErrorCode::PlateEmpty);
    }

    #[test]
    fn bad_plates_are_named() {
        let cases = [
            ("", ErrorCode::PlateEmpty),
            ("  ", ErrorCode::PlateEmpty),
            ("晋A1234", ErrorCode::PlateLength),
            ("晋A1234567", ErrorCode::PlateLength),
            ("A12345", ErrorCode::PlateLength),
            ("XA12345", ErrorCode::PlateProvince),
            ("台A12345", ErrorCode::PlateProvince),
            ("晋112345", ErrorCode::PlateAuthority),
            ("晋晋12345", ErrorCode::PlateAuthority),
            ("晋A1234O", ErrorCode::PlateSerialIo),
            ("晋AI2345", ErrorCode::PlateSerialIo),
            ("京AD1O345", ErrorCode::PlateSerialIo),
            ("晋A12#45", ErrorCode::PlateSerialChar),
            ("晋A1晋345", ErrorCode::PlateSerialChar),
            ("晋A1234领", ErrorCode::PlateSuffix),
            ("晋A1234省", ErrorCode::PlateSuffix),
            ("京AL12345", ErrorCode::PlateNevSerial),
            ("京AD1234A", ErrorCode::PlateNevSerial),
            ("晋A12345K", ErrorCode::PlateNevSerial),
            ("晋A1234D5", ErrorCode::PlateNevSerial),
            ("晋A1234挂D", ErrorCode::PlateSerialChar),
        ];
        for (input, expected) in cases {
            let err = PlateNumber::parse(input).unwrap_err();
            assert_eq!(err.code(), expected, "{input:?}: {err}");
            assert_eq!(err.field(), "plate_number");
            assert!(!err.message_zh().is_empty() && !err.message_en().is_empty());
        }
    }

    #[test]
    fn colour_must_fit_the_plate() {
        use PlateColour as C;
        let ok = [
            ("晋A12345", C::Blue),
            ("晋A12345", C::Yellow),
            ("晋A12345", C::Black),
            ("晋A12345", C::White),
            ("晋A12345", C::Other),
            ("冀B1234挂", C::Yellow),
            ("京A1234学", C::Yellow),
            ("沪A0123警", C::White),
            ("粤Z1234港", C::Black),
            ("京AD12345", C::GradientGreen),
            ("晋A12345D", C::YellowGreen),
            ("晋A12345D", C::Other),
        ];
        for (p, c) in ok {
            assert!(plate(p).check_colour(c).is_ok(), "{p} {c}");
        }
        let bad = [
            ("晋A12345", C::GradientGreen),
            ("晋A12345", C::YellowGreen),
            ("京AD12345", C::Blue),
            ("京AD12345", C::YellowGreen),
            ("晋A12345D", C::Yellow),
            ("晋A12345D", C::GradientGreen),
            ("冀B1234挂", C::Blue),
            ("沪A0123警", C::Blue),
            ("粤Z1234港", C::Blue),
        ];
        for (p, c) in bad {
            let err = plate(p).check_colour(c).unwrap_err();
            assert_eq!(err.code(), ErrorCode::PlateColourMismatch, "{p} {c}");
            assert_eq!(err.field(), "plate_colour");
        }
        assert!(Plate::Unplated.check_colour(C::Other).is_ok());
        assert_eq!(
            Plate::Unplated.check_colour(C::Yellow).unwrap_err().code(),
            ErrorCode::PlateColourMismatch
        );
    }

    #[test]
    fn serde_round_trips_and_rejects_bad_plates() {
        let p = Plate::parse("晋A12345").unwrap();
        assert_eq!(serde_json::to_string(&p).unwrap(), "\"晋A12345\"");
        assert_eq!(serde_json::from_str::<Plate>("\"无牌\"").unwrap(), Plate::Unplated);
        assert_eq!(serde_json::to_string(&Plate::Unplated).unwrap(), "\"无牌\"");
        assert!(serde_json::from_str::<PlateNumber>("\"晋A1234O\"").is_err());
    }

    fn serial_char() -> impl Strategy<Value = char> {
        prop::sample::select("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789".chars().collect::<Vec<_>>())
    }

    fn province_char() -> impl Strategy<Value = char> {
        prop::sample::select(PROVINCES.iter().filter_map(|p| p.plate_char).collect::<Vec<_>>())
    }

    proptest! {
        #[test]
        fn every_ordinary_plate_parses_and_is_stable(
            prov in province_char(),
            letter in prop::char::range('A', 'Z'),
            serial in prop::collection::vec(serial_char(), 5),
        ) {
            let text: String = [prov, letter].into_iter().chain(serial).collect();
            let parsed = PlateNumber::parse(&text).unwrap();
            prop_assert_eq!(parsed.as_str(), text.as_str());
            prop_assert_eq!(parsed.kind(), PlateKind::Ordinary);
            // Parsing the normalised text again gives the same plate.
            prop_assert_eq!(PlateNumber::parse(parsed.as_str()).unwrap(), parsed.clone());
            // Lower case and a dot read the same plate.
            let sloppy = parsed.dotted().to_lowercase();
            prop_assert_eq!(PlateNumber::parse(&sloppy).unwrap(), parsed);
        }

        #[test]
        fn an_i_or_o_anywhere_in_the_serial_is_refused(
            prov in province_char(),
            serial in prop::collection::vec(serial_char(), 5),
            at in 0usize..5,
            bad in prop::sample::select(vec!['I', 'O']),
        ) {
            let mut serial = serial;
            serial[at] = bad;
            let text: String = [prov, 'A'].into_iter().chain(serial).collect();
            prop_assert_eq!(PlateNumber::parse(&text).unwrap_err().code(), ErrorCode::PlateSerialIo);
        }

        #[test]
        fn parsing_never_panics(s in "\\PC{0,12}") {
            let _ = Plate::parse(&s);
        }
    }
}
