//! OCR-tolerant plate matching against the cached registry. Pure: no I/O, no clock.
//!
//! Chinese ANPR misreads in known ways (research: peers §6): the province character is
//! the least reliable (苏→渝/甘/桂, 京→others), and some letters and digits swap (8/B,
//! 0/D/Q, 1/I, 2/Z, 5/S). Matching therefore runs in two steps over **every** candidate
//! reading the camera sent:
//!
//! 1. **Exact**: the camera's primary reading is a registered plate, and no other registered
//!    plate is within reach of any reading (a province twin such as 冀C10086 / 晋C10086 makes
//!    even an exact read ambiguous, since the province is the least reliable character).
//! 2. **Confusion-aware**: a registered plate of the same length that differs from a reading
//!    only in the province character and in characters of one confusion class
//!    ([`CONFUSION_CLASSES`]), at most `max_substitutions` of them.
//!
//! Invariant: anything uncertain becomes [`PlateMatch::NeedsReview`], never a match. That
//! covers two registered plates within reach (ambiguous), a corrected match needing more than
//! one substitution, and a read whose confidence is below the thresholds or unknown where a
//! correction is involved. A non-confusable difference (5 vs 6) is a different plate: no match.

use std::collections::HashMap;

use serde::Serialize;

use crate::camera::PlateReading;
use crate::config::MatchSettings;
use crate::store::RegisteredPlate;

/// Groups of characters an ANPR engine confuses with each other. Two characters in the same
/// group may stand for each other; I and O never occur on Chinese plates, so reading one is
/// itself a sign of a misread.
pub const CONFUSION_CLASSES: [&str; 8] = ["8B", "0DQO", "1IL", "2Z", "5S", "6G", "7T", "4A"];

/// One character that differs between the reading and the registered plate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Substitution {
    /// Character position (0 is the province).
    pub position: usize,
    /// What the camera read.
    pub read: char,
    /// What the registry has.
    pub registered: char,
}

/// Why a match needs a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewReason {
    /// The readings reach more than one registered plate.
    Ambiguous,
    /// An exact read with low confidence.
    LowConfidence,
    /// A correction that needs more than one substitution, or whose reading's confidence is
    /// too low or unknown.
    Uncertain,
}

impl ReviewReason {
    /// What the guard and the driver read.
    pub const fn label_zh(self) -> &'static str {
        match self {
            Self::Ambiguous => "车牌识别结果对应多辆登记车辆",
            Self::LowConfidence => "车牌识别置信度低",
            Self::Uncertain => "车牌识别结果不确定",
        }
    }
}

/// The outcome of matching one event's readings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PlateMatch {
    /// The primary reading is this registered plate.
    Exact {
        /// The registered plate.
        plate: RegisteredPlate,
    },
    /// One registered plate is within one confusable substitution of a confident reading, or
    /// a secondary reading equals it.
    Corrected {
        /// The registered plate.
        plate: RegisteredPlate,
        /// Which reading reached it.
        reading: usize,
        /// What was changed.
        substitutions: Vec<Substitution>,
    },
    /// A person must confirm.
    NeedsReview {
        /// Why.
        reason: ReviewReason,
        /// Registered plates within reach, best first.
        candidates: Vec<String>,
    },
    /// No registered plate is within reach of any reading.
    NoMatch,
    /// The camera saw a vehicle without a readable plate.
    NoPlate,
}

impl PlateMatch {
    /// The registered plate, for a match that may be acted on.
    pub fn matched(&self) -> Option<&RegisteredPlate> {
        match self {
            Self::Exact { plate } | Self::Corrected { plate, .. } => Some(plate),
            _ => None,
        }
    }
}

/// The cached registry, indexed for matching.
#[derive(Debug, Clone, Default)]
pub struct Registry {
    plates: Vec<RegisteredPlate>,
    exact: HashMap<String, usize>,
    // Plates by character count: a confusion never changes the length.
    by_len: HashMap<usize, Vec<usize>>,
}

impl Registry {
    /// Indexes `plates` (already normalised).
    pub fn new(plates: Vec<RegisteredPlate>) -> Self {
        let mut exact = HashMap::with_capacity(plates.len());
        let mut by_len: HashMap<usize, Vec<usize>> = HashMap::new();
        for (i, p) in plates.iter().enumerate() {
            exact.insert(p.plate.clone(), i);
            by_len.entry(p.plate.chars().count()).or_default().push(i);
        }
        Self { plates, exact, by_len }
    }

    /// How many plates are registered.
    pub fn len(&self) -> usize {
        self.plates.len()
    }

    /// Whether the registry is empty.
    pub fn is_empty(&self) -> bool {
        self.plates.is_empty()
    }

    fn get(&self, plate: &str) -> Option<&RegisteredPlate> {
        self.exact.get(plate).map(|&i| &self.plates[i])
    }
}

fn confusable(a: char, b: char) -> bool {
    CONFUSION_CLASSES.iter().any(|class| class.contains(a) && class.contains(b))
}

/// The substitutions turning `read` into `registered`, or `None` when they differ in length
/// or in a character that is not a known confusion.
pub fn substitutions(read: &str, registered: &str) -> Option<Vec<Substitution>> {
    let mut subs = Vec::new();
    let mut r = read.chars();
    let mut g = registered.chars();
    let mut position = 0;
    loop {
        match (r.next(), g.next()) {
            (None, None) => return Some(subs),
            (Some(a), Some(b)) if a == b => {}
            // The province: any CJK character for any other.
            (Some(a), Some(b)) if position == 0 && !a.is_ascii() && !b.is_ascii() => {
                subs.push(Substitution { position, read: a, registered: b });
            }
            (Some(a), Some(b)) if a.is_ascii() && b.is_ascii() && confusable(a, b) => {
                subs.push(Substitution { position, read: a, registered: b });
            }
            _ => return None,
        }
        position += 1;
    }
}

/// Matches the readings of one event against the registry.
pub fn match_plate(
    readings: &[PlateReading],
    registry: &Registry,
    settings: &MatchSettings,
) -> PlateMatch {
    let Some(primary) = readings.first() else { return PlateMatch::NoPlate };

    // Every registered plate within reach of any reading, with its cheapest route.
    let mut reach: Vec<(usize, usize, Vec<Substitution>)> = Vec::new(); // (plate index, reading, subs)
    for (ri, reading) in readings.iter().enumerate() {
        let len = reading.plate.chars().count();
        for &pi in registry.by_len.get(&len).map(Vec::as_slice).unwrap_or_default() {
            let Some(subs) = substitutions(&reading.plate, &registry.plates[pi].plate) else {
                continue;
            };
            if subs.len() > usize::from(settings.max_substitutions) {
                continue;
            }
            match reach.iter_mut().find(|(p, _, _)| *p == pi) {
                Some(entry) if (subs.len(), ri) < (entry.2.len(), entry.1) => {
                    *entry = (pi, ri, subs)
                }
                Some(_) => {}
                None => reach.push((pi, ri, subs)),
            }
        }
    }
    reach.sort_by_key(|(pi, ri, subs)| (subs.len(), *ri, registry.plates[*pi].plate.clone()));
    let candidates = || reach.iter().map(|(pi, _, _)| registry.plates[*pi].plate.clone()).collect();

    if reach.len() > 1 {
        return PlateMatch::NeedsReview {
            reason: ReviewReason::Ambiguous,
            candidates: candidates(),
        };
    }
    let Some((pi, ri, subs)) = reach.first() else { return PlateMatch::NoMatch };
    let plate = registry.plates[*pi].clone();

    if *ri == 0 && subs.is_empty() {
        debug_assert!(registry.get(&primary.plate).is_some());
        return match primary.confidence {
            Some(c) if c < settings.min_exact_confidence => PlateMatch::NeedsReview {
                reason: ReviewReason::LowConfidence,
                candidates: candidates(),
            },
            _ => PlateMatch::Exact { plate },
        };
    }
    // A correction: one substitution at most, from a reading the camera was sure of.
    let confident =
        readings[*ri].confidence.is_some_and(|c| c >= settings.min_corrected_confidence);
    if subs.len() <= 1 && confident {
        PlateMatch::Corrected { plate, reading: *ri, substitutions: subs.clone() }
    } else {
        PlateMatch::NeedsReview { reason: ReviewReason::Uncertain, candidates: candidates() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn registry(plates: &[&str]) -> Registry {
        Registry::new(
            plates
                .iter()
                .map(|p| RegisteredPlate {
                    plate: (*p).to_owned(),
                    colour: None,
                    label: String::new(),
                })
                .collect(),
        )
    }

    fn reads(items: &[(&str, Option<u8>)]) -> Vec<PlateReading> {
        items
            .iter()
            .map(|(p, c)| PlateReading {
                plate: (*p).to_owned(),
                raw: (*p).to_owned(),
                confidence: *c,
                colour: None,
                char_confidences: Vec::new(),
            })
            .collect()
    }

    /// What a test expects, compactly.
    #[derive(Debug, PartialEq, Eq)]
    enum Want {
        Exact(&'static str),
        Corrected(&'static str, usize),
        Review(ReviewReason),
        NoMatch,
        NoPlate,
    }

    fn outcome(m: &PlateMatch) -> String {
        format!("{m:?}")
    }

    #[test]
    fn table() {
        let reg = registry(&[
            "冀B12345",   // yellow heavy truck
            "冀BD12345",  // 8-char new-energy plate
            "晋A8B801挂", // trailer
            "苏E5S226",
            "冀C10086",
            "晋C10086", // differs from 冀C10086 only in the province
        ]);
        let s = MatchSettings::default();
        use ReviewReason::*;
        use Want::*;
        let cases: Vec<(&str, Vec<PlateReading>, Want)> = vec![
            ("exact primary", reads(&[("冀B12345", Some(95))]), Exact("冀B12345")),
            ("exact, no confidence given", reads(&[("冀B12345", None)]), Exact("冀B12345")),
            ("exact but low confidence", reads(&[("冀B12345", Some(30))]), Review(LowConfidence)),
            ("new-energy exact", reads(&[("冀BD12345", Some(90))]), Exact("冀BD12345")),
            ("trailer exact", reads(&[("晋A8B801挂", Some(90))]), Exact("晋A8B801挂")),
            ("province misread", reads(&[("鲁B12345", Some(92))]), Corrected("冀B12345", 0)),
            ("B read as 8", reads(&[("晋A88801挂", Some(92))]), Corrected("晋A8B801挂", 0)),
            ("B and 5 are not one class", reads(&[("冀B1234B", Some(92))]), NoMatch),
            (
                "B read as 8 in the city letter",
                reads(&[("冀812345", Some(92))]),
                Corrected("冀B12345", 0),
            ),
            (
                "D read as 0 on new energy",
                reads(&[("冀B012345", Some(90))]),
                Corrected("冀BD12345", 0),
            ),
            ("0 read as Q", reads(&[("冀C1Q086", Some(90))]), Review(Ambiguous)),
            ("S read as 5", reads(&[("苏E55226", Some(90))]), Corrected("苏E5S226", 0)),
            ("two substitutions is uncertain", reads(&[("鲁812345", Some(99))]), Review(Uncertain)),
            ("correction with low confidence", reads(&[("鲁B12345", Some(60))]), Review(Uncertain)),
            ("correction with unknown confidence", reads(&[("鲁B12345", None)]), Review(Uncertain)),
            (
                "province-only twins are ambiguous",
                reads(&[("豫C10086", Some(99))]),
                Review(Ambiguous),
            ),
            (
                "exact read with a province twin",
                reads(&[("冀C10086", Some(99))]),
                Review(Ambiguous),
            ),
            ("non-confusable digit is another plate", reads(&[("冀B12346", Some(99))]), NoMatch),
            ("unregistered", reads(&[("京A00001", Some(99))]), NoMatch),
            ("no readings", reads(&[]), NoPlate),
            (
                "secondary reading matches exactly",
                reads(&[("冀B12845", Some(90)), ("冀B12345", Some(85))]),
                Corrected("冀B12345", 1),
            ),
            (
                "secondary without confidence goes to review",
                reads(&[("冀B12845", Some(90)), ("冀B12345", None)]),
                Review(Uncertain),
            ),
            (
                "readings reaching two plates are ambiguous",
                reads(&[("冀B12345", Some(90)), ("苏E5S226", Some(80))]),
                Review(Ambiguous),
            ),
            (
                "every reading of one plate agrees",
                reads(&[("冀B12345", Some(90)), ("鲁B12345", Some(60))]),
                Exact("冀B12345"),
            ),
        ];
        for (name, readings, want) in cases {
            let got = match_plate(&readings, &reg, &s);
            let ok = match (&want, &got) {
                (Exact(p), PlateMatch::Exact { plate }) => plate.plate == *p,
                (Corrected(p, r), PlateMatch::Corrected { plate, reading, .. }) => {
                    plate.plate == *p && reading == r
                }
                (Review(w), PlateMatch::NeedsReview { reason, .. }) => reason == w,
                (NoMatch, PlateMatch::NoMatch) | (NoPlate, PlateMatch::NoPlate) => true,
                _ => false,
            };
            assert!(ok, "{name}: expected {want:?}, got {}", outcome(&got));
        }
    }

    #[test]
    fn substitutions_name_position_and_characters() {
        let subs = substitutions("鲁8D0001", "冀BD0001").unwrap();
        assert_eq!(
            subs,
            vec![
                Substitution { position: 0, read: '鲁', registered: '冀' },
                Substitution { position: 1, read: '8', registered: 'B' },
            ]
        );
        assert_eq!(substitutions("冀B12345", "冀B1234"), None, "length differs");
        assert_eq!(substitutions("冀B1234挂", "冀B1234学"), None, "suffix is not a province");
        assert_eq!(substitutions("冀B12345", "冀B12346"), None, "5 and 6 are not confused");
    }

    #[test]
    fn ambiguity_lists_every_candidate() {
        let reg = registry(&["冀C10086", "晋C10086"]);
        let got = match_plate(&reads(&[("豫C10086", Some(99))]), &reg, &MatchSettings::default());
        let PlateMatch::NeedsReview { candidates, .. } = got else { panic!("{got:?}") };
        assert_eq!(candidates, vec!["冀C10086".to_owned(), "晋C10086".to_owned()]);
    }

    #[test]
    fn max_substitutions_bounds_the_search() {
        let reg = registry(&["冀B12345"]);
        let strict = MatchSettings { max_substitutions: 1, ..MatchSettings::default() };
        assert_eq!(
            match_plate(&reads(&[("鲁812345", Some(99))]), &reg, &strict),
            PlateMatch::NoMatch
        );
        let loose = MatchSettings::default();
        assert!(matches!(
            match_plate(&reads(&[("鲁812345", Some(99))]), &reg, &loose),
            PlateMatch::NeedsReview { reason: ReviewReason::Uncertain, .. }
        ));
    }
}
