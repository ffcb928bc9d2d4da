//! Time in rules: validity periods, weekday sets, daily time windows and date ranges.
//!
//! Every time a rule sees is **local Beijing time** (Asia/Shanghai) as a [`NaiveDateTime`]:
//! the regulations, the bureau's alerts and the ledger's `yyyymmdd hhmmss` are all in local
//! time. China has kept UTC+8 without daylight saving since 1991, so [`to_beijing`] and
//! [`from_beijing`] convert with a fixed offset; callers never need a time-zone database.
//! Nothing here reads a clock: callers pass the time in.
//!
//! Invariants, checked by the constructors and by deserialisation: a validity period ends
//! after it starts; a time window does not start and end at the same minute; a date range
//! does not end before it starts; a weekday set holds ISO weekdays 1–7.

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, Utc, Weekday};
use serde::{Deserialize, Serialize};

use crate::error::{ErrorCode, ValidationError};

/// Local Beijing time of a UTC instant.
pub fn to_beijing(utc: DateTime<Utc>) -> NaiveDateTime {
    utc.naive_utc() + TimeDelta::hours(8)
}

/// The UTC instant of a local Beijing time.
pub fn from_beijing(local: NaiveDateTime) -> DateTime<Utc> {
    (local - TimeDelta::hours(8)).and_utc()
}

/// A half-open period `[from, until)` in local time; an open end is unbounded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(try_from = "ValidityRepr")]
pub struct Validity {
    from: Option<NaiveDateTime>,
    until: Option<NaiveDateTime>,
}

#[derive(Deserialize)]
struct ValidityRepr {
    #[serde(default)]
    from: Option<NaiveDateTime>,
    #[serde(default)]
    until: Option<NaiveDateTime>,
}

impl TryFrom<ValidityRepr> for Validity {
    type Error = ValidationError;

    fn try_from(r: ValidityRepr) -> Result<Self, Self::Error> {
        Self::new(r.from, r.until)
    }
}

impl Validity {
    /// Valid at every time.
    pub const ALWAYS: Self = Self { from: None, until: None };

    /// A period from `from` (inclusive) to `until` (exclusive); `until` must be after `from`.
    pub fn new(
        from: Option<NaiveDateTime>,
        until: Option<NaiveDateTime>,
    ) -> Result<Self, ValidationError> {
        if let (Some(f), Some(u)) = (from, until)
            && u <= f
        {
            return Err(ValidationError::new(
                ErrorCode::ValidityReversed,
                "validity",
                format!("有效期结束时间（{u}）应晚于开始时间（{f}）"),
                format!("The validity period must end ({u}) after it starts ({f})."),
            ));
        }
        Ok(Self { from, until })
    }

    /// The start, if bounded.
    pub fn from(&self) -> Option<NaiveDateTime> {
        self.from
    }

    /// The end (exclusive), if bounded.
    pub fn until(&self) -> Option<NaiveDateTime> {
        self.until
    }

    /// Whether `at` lies in the period.
    pub fn contains(&self, at: NaiveDateTime) -> bool {
        self.from.is_none_or(|f| f <= at) && self.until.is_none_or(|u| at < u)
    }
}

/// A set of ISO weekdays (1 = Monday … 7 = Sunday). Serialised as the sorted list of numbers.
/// In a [`Schedule`], the empty set means "every day", like every other empty criterion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(try_from = "Vec<u8>", into = "Vec<u8>")]
pub struct WeekdaySet(u8);

impl WeekdaySet {
    /// No weekday.
    pub const EMPTY: Self = Self(0);
    /// Monday to Friday.
    pub const WORKDAYS: Self = Self(0b0001_1111);
    /// Every day.
    pub const ALL: Self = Self(0b0111_1111);

    /// The set of the given ISO weekday numbers; each must be 1–7.
    pub fn from_numbers(days: &[u8]) -> Result<Self, ValidationError> {
        let mut bits = 0u8;
        for &d in days {
            if !(1..=7).contains(&d) {
                return Err(ValidationError::new(
                    ErrorCode::WeekdayRange,
                    "weekdays",
                    format!("星期应为1（周一）至7（周日），收到{d}"),
                    format!("A weekday is 1 (Monday) to 7 (Sunday); got {d}."),
                ));
            }
            bits |= 1 << (d - 1);
        }
        Ok(Self(bits))
    }

    /// The set with `day` added.
    #[must_use]
    pub fn with(self, day: Weekday) -> Self {
        Self(self.0 | 1 << day.num_days_from_monday())
    }

    /// Whether `day` is in the set.
    pub fn contains(self, day: Weekday) -> bool {
        self.0 & (1 << day.num_days_from_monday()) != 0
    }

    /// Whether the set is empty.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The ISO numbers in the set, ascending.
    pub fn numbers(self) -> Vec<u8> {
        (1..=7).filter(|d| self.0 & (1 << (d - 1)) != 0).collect()
    }
}

impl TryFrom<Vec<u8>> for WeekdaySet {
    type Error = ValidationError;

    fn try_from(days: Vec<u8>) -> Result<Self, Self::Error> {
        Self::from_numbers(&days)
    }
}

impl From<WeekdaySet> for Vec<u8> {
    fn from(set: WeekdaySet) -> Self {
        set.numbers()
    }
}

/// A daily window `[start, end)` of local time. When `end` is before `start` the window wraps
/// midnight (`22:00`–`06:00`). Serialised as `{"start": "HH:MM:SS", "end": "HH:MM:SS"}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "TimeWindowRepr")]
pub struct TimeWindow {
    start: NaiveTime,
    end: NaiveTime,
}

#[derive(Deserialize)]
struct TimeWindowRepr {
    start: NaiveTime,
    end: NaiveTime,
}

impl TryFrom<TimeWindowRepr> for TimeWindow {
    type Error = ValidationError;

    fn try_from(r: TimeWindowRepr) -> Result<Self, Self::Error> {
        Self::new(r.start, r.end)
    }
}

impl TimeWindow {
    /// A window from `start` to `end` (exclusive); they must differ (a whole day is an empty
    /// list of windows, not a window).
    pub fn new(start: NaiveTime, end: NaiveTime) -> Result<Self, ValidationError> {
        if start == end {
            return Err(ValidationError::new(
                ErrorCode::TimeWindowEmpty,
                "hours",
                format!("时间段的开始与结束相同（{start}）；全天有效请不设时间段"),
                format!(
                    "The time window starts and ends at {start}; for the whole day, give no window."
                ),
            ));
        }
        Ok(Self { start, end })
    }

    /// The start (inclusive).
    pub fn start(&self) -> NaiveTime {
        self.start
    }

    /// The end (exclusive).
    pub fn end(&self) -> NaiveTime {
        self.end
    }

    /// Whether `time` lies in the window.
    pub fn contains(&self, time: NaiveTime) -> bool {
        if self.start < self.end {
            self.start <= time && time < self.end
        } else {
            time >= self.start || time < self.end
        }
    }
}

/// An inclusive range of local dates. Serialised as `{"start": "YYYY-MM-DD", "end": …}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "DateRangeRepr")]
pub struct DateRange {
    start: NaiveDate,
    end: NaiveDate,
}

#[derive(Deserialize)]
struct DateRangeRepr {
    start: NaiveDate,
    end: NaiveDate,
}

impl TryFrom<DateRangeRepr> for DateRange {
    type Error = ValidationError;

    fn try_from(r: DateRangeRepr) -> Result<Self, Self::Error> {
        Self::new(r.start, r.end)
    }
}

impl DateRange {
    /// The dates from `start` to `end`, both included; `end` must not be before `start`.
    pub fn new(start: NaiveDate, end: NaiveDate) -> Result<Self, ValidationError> {
        if end < start {
            return Err(ValidationError::new(
                ErrorCode::DateRangeReversed,
                "dates",
                format!("日期范围的结束日期（{end}）早于开始日期（{start}）"),
                format!("The date range ends ({end}) before it starts ({start})."),
            ));
        }
        Ok(Self { start, end })
    }

    /// The first date.
    pub fn start(&self) -> NaiveDate {
        self.start
    }

    /// The last date.
    pub fn end(&self) -> NaiveDate {
        self.end
    }

    /// Whether `date` lies in the range.
    pub fn contains(&self, date: NaiveDate) -> bool {
        self.start <= date && date <= self.end
    }
}

/// When a rule applies: on these weekdays, in these daily windows, within these date ranges.
/// Each part that is empty does not restrict; all non-empty parts must hold.
///
/// Weekday and window are judged on the same local time: a `22:00`–`06:00` window on
/// Mondays covers Monday 23:00 and Monday 03:00, not Tuesday 03:00.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Schedule {
    /// Weekdays on which the rule applies; empty means every day.
    #[serde(default)]
    pub weekdays: WeekdaySet,
    /// Daily windows in which it applies; empty means the whole day.
    #[serde(default)]
    pub hours: Vec<TimeWindow>,
    /// Date ranges in which it applies; empty means always.
    #[serde(default)]
    pub dates: Vec<DateRange>,
}

impl Schedule {
    /// A schedule that always applies.
    pub fn always() -> Self {
        Self::default()
    }

    /// Whether the schedule applies at local time `at`.
    pub fn is_active(&self, at: NaiveDateTime) -> bool {
        (self.weekdays.is_empty() || self.weekdays.contains(at.weekday()))
            && (self.hours.is_empty() || self.hours.iter().any(|w| w.contains(at.time())))
            && (self.dates.is_empty() || self.dates.iter().any(|d| d.contains(at.date())))
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use proptest::prelude::*;

    use super::*;

    /// `2025-11-17 08:30` style shorthand for tests.
    pub(crate) fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
    }

    fn t(s: &str) -> NaiveTime {
        NaiveTime::parse_from_str(s, "%H:%M").unwrap()
    }

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn beijing_time_is_utc_plus_8() {
        let utc = at("2025-11-16 20:30").and_utc();
        assert_eq!(to_beijing(utc), at("2025-11-17 04:30"));
        assert_eq!(from_beijing(at("2025-11-17 04:30")), utc);
    }

    #[test]
    fn validity_is_half_open() {
        let v = Validity::new(Some(at("2025-11-17 08:00")), Some(at("2025-11-18 08:00"))).unwrap();
        assert!(!v.contains(at("2025-11-17 07:59")));
        assert!(v.contains(at("2025-11-17 08:00")));
        assert!(v.contains(at("2025-11-18 07:59")));
        assert!(!v.contains(at("2025-11-18 08:00")));
        assert!(Validity::ALWAYS.contains(at("1990-01-01 00:00")));
        let open_end = Validity::new(Some(at("2025-11-17 08:00")), None).unwrap();
        assert!(open_end.contains(at("2099-01-01 00:00")));
    }

    #[test]
    fn windows_wrap_midnight() {
        let day = TimeWindow::new(t("08:00"), t("18:00")).unwrap();
        assert!(day.contains(t("08:00")) && day.contains(t("17:59")) && !day.contains(t("18:00")));
        let night = TimeWindow::new(t("22:00"), t("06:00")).unwrap();
        assert!(
            night.contains(t("23:00")) && night.contains(t("00:00")) && night.contains(t("05:59"))
        );
        assert!(!night.contains(t("06:00")) && !night.contains(t("12:00")));
    }

    #[test]
    fn schedules_combine_weekdays_hours_and_dates() {
        let s = Schedule {
            weekdays: WeekdaySet::from_numbers(&[1, 3]).unwrap(),
            hours: vec![TimeWindow::new(t("22:00"), t("06:00")).unwrap()],
            dates: vec![DateRange::new(d("2025-11-01"), d("2025-11-30")).unwrap()],
        };
        // 2025-11-17 is a Monday.
        assert!(s.is_active(at("2025-11-17 23:00")));
        assert!(s.is_active(at("2025-11-17 03:00")));
        assert!(!s.is_active(at("2025-11-18 03:00")), "Tuesday is not in the set");
        assert!(!s.is_active(at("2025-11-17 12:00")), "outside the window");
        assert!(!s.is_active(at("2025-12-01 23:00")), "outside the dates (a Monday)");
        assert!(Schedule::always().is_active(at("2025-11-18 12:00")));
    }

    #[test]
    fn bad_schedule_parts_are_named() {
        let cases = [
            (
                Validity::new(Some(at("2025-11-17 08:00")), Some(at("2025-11-17 08:00")))
                    .unwrap_err(),
                ErrorCode::ValidityReversed,
                "validity",
            ),
            (
                Validity::new(Some(at("2025-11-17 08:00")), Some(at("2025-11-16 08:00")))
                    .unwrap_err(),
                ErrorCode::ValidityReversed,
                "validity",
            ),
            (
                TimeWindow::new(t("08:00"), t("08:00")).unwrap_err(),
                ErrorCode::TimeWindowEmpty,
                "hours",
            ),
            (
                DateRange::new(d("2025-11-02"), d("2025-11-01")).unwrap_err(),
                ErrorCode::DateRangeReversed,
                "dates",
            ),
            (WeekdaySet::from_numbers(&[0]).unwrap_err(), ErrorCode::WeekdayRange, "weekdays"),
            (WeekdaySet::from_numbers(&[1, 8]).unwrap_err(), ErrorCode::WeekdayRange, "weekdays"),
        ];
        for (err, code, field) in cases {
            assert_eq!(err.code(), code);
            assert_eq!(err.field(), field);
        }
    }

    #[test]
    fn serde_checks_invariants() {
        let s: Schedule = serde_json::from_str(
            r#"{"weekdays":[5,1],"hours":[{"start":"22:00:00","end":"06:00:00"}],"dates":[{"start":"2025-11-01","end":"2025-11-30"}]}"#,
        )
        .unwrap();
        assert_eq!(s.weekdays.numbers(), vec![1, 5]);
        let json = serde_json::to_string(&s).unwrap();
        assert_eq!(serde_json::from_str::<Schedule>(&json).unwrap(), s);
        assert!(serde_json::from_str::<WeekdaySet>("[9]").is_err());
        assert!(
            serde_json::from_str::<TimeWindow>(r#"{"start":"08:00:00","end":"08:00:00"}"#).is_err()
        );
        assert!(
            serde_json::from_str::<DateRange>(r#"{"start":"2025-11-02","end":"2025-11-01"}"#)
                .is_err()
        );
        assert!(
            serde_json::from_str::<Validity>(
                r#"{"from":"2025-11-02T00:00:00","until":"2025-11-01T00:00:00"}"#
            )
            .is_err()
        );
        assert_eq!(serde_json::from_str::<Validity>("{}").unwrap(), Validity::ALWAYS);
        assert_eq!(serde_json::from_str::<Schedule>("{}").unwrap(), Schedule::always());
    }

    proptest! {
        #[test]
        fn a_window_and_its_complement_split_the_day(
            s in 0u32..1440, e in 0u32..1440, x in 0u32..1440,
        ) {
            prop_assume!(s != e);
            let time = |m: u32| NaiveTime::from_hms_opt(m / 60, m % 60, 0).unwrap();
            let w = TimeWindow::new(time(s), time(e)).unwrap();
            let complement = TimeWindow::new(time(e), time(s)).unwrap();
            prop_assert!(w.contains(time(x)) != complement.contains(time(x)));
        }

        #[test]
        fn weekday_sets_round_trip(bits in 0u8..128) {
            let days: Vec<u8> = (1..=7).filter(|d| bits & (1 << (d - 1)) != 0).collect();
            let set = WeekdaySet::from_numbers(&days).unwrap();
            prop_assert_eq!(set.numbers(), days);
            let json = serde_json::to_string(&set).unwrap();
            prop_assert_eq!(serde_json::from_str::<WeekdaySet>(&json).unwrap(), set);
        }
    }
}
