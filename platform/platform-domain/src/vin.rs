//! Vehicle identification numbers (车辆识别代号, GB 16735).
//!
//! A [`Vin`] is 17 characters from digits and capital letters without I, O and Q. Position 9
//! is a check digit over the other 16: letters transliterate to numbers, each position has
//! a weight, the sum modulo 11 is the check digit (10 is written `X`).
//!
//! A wrong check digit is a [`ValidationWarning`], not an error: vehicles built for other
//! markets and old records often have none, and the ledger must still record them. The
//! platform shows the warning so that someone compares the VIN with the documents.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::{ErrorCode, ValidationError, ValidationWarning, normalise_code};

const FIELD: &str = "vin";

/// Position weights of GB 16735 (position 9, the check digit itself, weighs 0).
const WEIGHTS: [u32; 17] = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2];

/// A VIN of valid form. Parse with [`Vin::parse`]; its check digit may still be wrong
/// ([`Vin::check_digit_warning`]).
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Vin(String);

impl Vin {
    /// Parses a VIN: trims, folds full-width characters, upper-cases, then checks length
    /// and characters. The check digit is not an error; see [`Vin::check_digit_warning`].
    pub fn parse(input: &str) -> Result<Self, ValidationError> {
        let s = normalise_code(input);
        if s.is_empty() {
            return Err(ValidationError::new(
                ErrorCode::VinEmpty,
                FIELD,
                "车辆识别代号不能为空",
                "The VIN must not be empty.",
            ));
        }
        let count = s.chars().count();
        if count != 17 {
            return Err(ValidationError::new(
                ErrorCode::VinLength,
                FIELD,
                format!("车辆识别代号应为17位，“{s}”有{count}位"),
                format!("A VIN has 17 characters; {s:?} has {count}."),
            ));
        }
        for (i, c) in s.chars().enumerate() {
            if matches!(c, 'I' | 'O' | 'Q') {
                return Err(ValidationError::new(
                    ErrorCode::VinIoq,
                    FIELD,
                    format!("车辆识别代号第{}位是字母{c}；VIN不使用I、O、Q", i + 1),
                    format!("VIN position {} is {c}; VINs never use I, O or Q.", i + 1),
                ));
            }
            if !(c.is_ascii_uppercase() || c.is_ascii_digit()) {
                return Err(ValidationError::new(
                    ErrorCode::VinChar,
                    FIELD,
                    format!("车辆识别代号第{}位“{c}”不是数字或大写字母", i + 1),
                    format!("VIN position {} ({c:?}) is not a digit or capital letter.", i + 1),
                ));
            }
        }
        Ok(Self(s))
    }

    /// The 17 characters.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The check digit GB 16735 computes for this VIN: `0`–`9` or `X`.
    pub fn expected_check_digit(&self) -> char {
        check_digit(self.0.as_bytes())
    }

    /// Whether position 9 holds the computed check digit.
    pub fn check_digit_ok(&self) -> bool {
        self.0.as_bytes()[8] as char == self.expected_check_digit()
    }

    /// A warning when the check digit does not match; none when it does.
    pub fn check_digit_warning(&self) -> Option<ValidationWarning> {
        if self.check_digit_ok() {
            return None;
        }
        let found = self.0.as_bytes()[8] as char;
        let expected = self.expected_check_digit();
        Some(ValidationWarning::new(
            ErrorCode::VinCheckDigit,
            FIELD,
            format!(
                "车辆识别代号“{}”的校验位是{found}，按GB 16735计算应为{expected}；请核对行驶证或随车清单",
                self.0
            ),
            format!(
                "VIN {} has check digit {found}, GB 16735 gives {expected}; compare it with the vehicle documents.",
                self.0
            ),
        ))
    }
}

/// The value a VIN character stands for in the check-digit sum.
fn transliterate(c: u8) -> u32 {
    match c {
        b'0'..=b'9' => u32::from(c - b'0'),
        b'A' | b'J' => 1,
        b'B' | b'K' | b'S' => 2,
        b'C' | b'L' | b'T' => 3,
        b'D' | b'M' | b'U' => 4,
        b'E' | b'N' | b'V' => 5,
        b'F' | b'W' => 6,
        b'G' | b'P' | b'X' => 7,
        b'H' | b'Y' => 8,
        b'R' | b'Z' => 9,
        // I, O and Q are refused by the parser.
        _ => 0,
    }
}

fn check_digit(vin: &[u8]) -> char {
    let sum: u32 = vin.iter().zip(WEIGHTS).map(|(&c, w)| transliterate(c) * w).sum();
    match sum % 11 {
        10 => 'X',
        r => char::from(b'0' + r as u8),
    }
}

impl fmt::Display for Vin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Vin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Vin({})", self.0)
    }
}

impl AsRef<str> for Vin {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl FromStr for Vin {
    type Err = ValidationError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for Vin {
    type Error = ValidationError;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<Vin> for String {
    fn from(v: Vin) -> Self {
        v.0
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn the_worked_example_of_the_standard_gives_1() {
        // LATPAB07?W1005301: the transliterated, weighted sum is 265, 265 mod 11 = 1.
        let sum: u32 =
            b"LATPAB070W1005301".iter().zip(WEIGHTS).map(|(&c, w)| transliterate(c) * w).sum();
        assert_eq!(sum, 265);
        let vin = Vin::parse("LATPAB071W1005301").unwrap();
        assert_eq!(vin.expected_check_digit(), '1');
        assert!(vin.check_digit_ok());
        assert_eq!(vin.check_digit_warning(), None);
    }

    #[test]
    fn a_wrong_check_digit_is_a_warning_not_an_error() {
        let vin = Vin::parse("latpab075w1005301").unwrap();
        assert_eq!(vin.as_str(), "LATPAB075W1005301");
        assert!(!vin.check_digit_ok());
        let warning = vin.check_digit_warning().unwrap();
        assert_eq!(warning.code(), ErrorCode::VinCheckDigit);
        assert_eq!(warning.field(), "vin");
        assert!(warning.message("en").contains("gives 1"), "{}", warning.message("en"));
    }

    #[test]
    fn remainder_ten_is_written_x() {
        // Find the X case by construction: vary position 10 until the sum leaves 10.
        let mut found = false;
        for c in "0123456789ABCDEFGHJKLMNPRSTUVWXYZ".chars() {
            let candidate = format!("LATPAB07X{c}1005301");
            let vin = Vin::parse(&candidate).unwrap();
            if vin.expected_check_digit() == 'X' {
                assert!(vin.check_digit_ok());
                found = true;
            }
        }
        assert!(found, "some model-year character gives remainder 10");
    }

    #[test]
    fn bad_vins_are_named() {
        let cases = [
            ("", ErrorCode::VinEmpty),
            ("   ", ErrorCode::VinEmpty),
            ("LATPAB071W100530", ErrorCode::VinLength),
            ("LATPAB071W10053011", ErrorCode::VinLength),
            ("LATPAB071W10053O1", ErrorCode::VinIoq),
            ("IATPAB071W1005301", ErrorCode::VinIoq),
            ("LATPAB071W100530Q", ErrorCode::VinIoq),
            ("LATPAB071W10053-1", ErrorCode::VinChar),
            ("LATPAB071W10053车1", ErrorCode::VinChar),
        ];
        for (input, expected) in cases {
            let err = Vin::parse(input).unwrap_err();
            assert_eq!(err.code(), expected, "{input:?}");
            assert_eq!(err.field(), "vin");
        }
    }

    fn vin_char() -> impl Strategy<Value = u8> {
        prop::sample::select(b"0123456789ABCDEFGHJKLMNPRSTUVWXYZ".to_vec())
    }

    proptest! {
        #[test]
        fn setting_the_computed_digit_always_satisfies_the_check(
            body in prop::collection::vec(vin_char(), 17),
        ) {
            let mut bytes = body;
            bytes[8] = check_digit(&bytes) as u8;
            let text = String::from_utf8(bytes).unwrap();
            let vin = Vin::parse(&text).unwrap();
            prop_assert!(vin.check_digit_ok());
            // Any other digit at position 9 is caught.
            let mut wrong = text.clone().into_bytes();
            wrong[8] = if wrong[8] == b'0' { b'1' } else { b'0' };
            let wrong = Vin::parse(std::str::from_utf8(&wrong).unwrap()).unwrap();
            prop_assert!(wrong.check_digit_warning().is_some());
        }
    }
}
