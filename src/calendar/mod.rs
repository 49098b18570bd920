//! Working days (工作日): weekends, statutory holidays, and the weekend days
//! worked in exchange (调休), from a calendar table that ships 2021–2026
//! (generated from the State Council's notices, see
//! `data/calendar/cn-2021-2026.csv`) and can be extended.
//!
//! Deadlines count working days *after* a start day: the n-th working day
//! following it. For a year the calendar does not cover yet, weekends and the
//! fixed-date statutory holidays (元旦 1 January, 劳动节 1–2 May, 国庆节 1–3
//! October, 全国年节及纪念日放假办法) are rest days, and the result says it is
//! provisional: the lunar holidays and the 调休 swaps of that year are only
//! known once the State Council publishes them.

pub mod graphql;
pub mod store;

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, Duration, NaiveDate, Weekday};

use crate::stored_enum;

stored_enum! {
    /// How a day departs from the weekday/weekend rule.
    pub enum DayKind {
        /// A rest day on a weekday, or a named holiday (法定节假日).
        Holiday = "HOLIDAY",
        /// A weekend day that is a working day (调休上班).
        Workday = "WORKDAY",
    }
}

/// The calendar over a span of days.
#[derive(Clone, Debug, Default)]
pub struct Calendar {
    /// Days that depart from the rule.
    pub days: BTreeMap<NaiveDate, DayKind>,
    /// Years whose arrangements are loaded.
    pub covered_years: BTreeSet<i32>,
}

/// A deadline and whether every day it spans was covered by the calendar.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Deadline {
    /// The due date.
    pub date: NaiveDate,
    /// True when part of the span lies in a year not yet in the calendar.
    pub provisional: bool,
}

impl Calendar {
    /// Whether `day` is a working day.
    pub fn is_working_day(&self, day: NaiveDate) -> bool {
        match self.days.get(&day) {
            Some(DayKind::Workday) => true,
            Some(DayKind::Holiday) => false,
            None if !self.covered_years.contains(&day.year()) && fixed_statutory_holiday(day) => {
                false
            }
            None => !matches!(day.weekday(), Weekday::Sat | Weekday::Sun),
        }
    }

    /// The `n`-th working day after `start` (`start` itself when `n` is 0).
    pub fn add_working_days(&self, start: NaiveDate, n: u32) -> Deadline {
        let mut day = start;
        let mut left = n;
        while left > 0 {
            day += Duration::days(1);
            if self.is_working_day(day) {
                left -= 1;
            }
        }
        let provisional = (start.year()..=day.year()).any(|y| !self.covered_years.contains(&y));
        Deadline {
            date: day,
            provisional,
        }
    }

    /// Working days in `(from, to]`: 0 when `to` is not after `from`.
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> u32 {
        let mut n = 0;
        let mut day = from;
        while day < to {
            day += Duration::days(1);
            if self.is_working_day(day) {
                n += 1;
            }
        }
        n
    }

    /// The span of days to load to add `n` working days to `start`: long
    /// enough for any holiday season (the longest has 9 rest days in a row).
    pub fn span_for(start: NaiveDate, n: u32) -> (NaiveDate, NaiveDate) {
        (start, start + Duration::days(i64::from(n) * 2 + 30))
    }
}

/// Statutory holidays whose dates are fixed by law, for years the calendar
/// does not cover yet.
fn fixed_statutory_holiday(day: NaiveDate) -> bool {
    matches!(
        (day.month(), day.day()),
        (1, 1) | (5, 1) | (5, 2) | (10, 1) | (10, 2) | (10, 3)
    )
}

/// Parses a calendar file: `date,kind,name` lines after a header, `#` comments.
pub fn parse_csv(text: &str) -> Result<Vec<(NaiveDate, DayKind, String)>, String> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with("date,") {
            continue;
        }
        let mut parts = line.splitn(3, ',');
        let (Some(d), Some(k)) = (parts.next(), parts.next()) else {
            return Err(format!("line {}: expected date,kind,name", i + 1));
        };
        let date = crate::util::parse_date(d.trim())
            .ok_or_else(|| format!("line {}: bad date {d:?}", i + 1))?;
        let kind = DayKind::parse(k.trim())
            .ok_or_else(|| format!("line {}: kind must be HOLIDAY or WORKDAY", i + 1))?;
        out.push((date, kind, parts.next().unwrap_or("").trim().to_owned()));
    }
    Ok(out)
}

/// The calendar file shipped with the hub.
pub const SHIPPED: &str = include_str!("../../data/calendar/cn-2021-2026.csv");
/// The years the shipped file covers, and its source.
pub const SHIPPED_YEARS: std::ops::RangeInclusive<i32> = 2021..=2026;
/// Where the shipped file comes from.
pub const SHIPPED_SOURCE: &str =
    "State Council holiday notices 2021–2026, via PyPI chinese-calendar 1.11.0";

#[cfg(test)]
mod tests {
    use super::*;

    fn shipped() -> Calendar {
        let days = parse_csv(SHIPPED)
            .unwrap()
            .into_iter()
            .map(|(d, k, _)| (d, k))
            .collect();
        Calendar {
            days,
            covered_years: SHIPPED_YEARS.collect(),
        }
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn national_day_2021_with_its_working_saturday() {
        let cal = shipped();
        // Decided on Thursday 30 September 2021: 1–7 October are off, Saturday
        // 9 October is a working day (调休), so the 1st working day after is
        // Friday 8 October and the 2nd is Saturday 9 October.
        assert_eq!(cal.add_working_days(d(2021, 9, 30), 1).date, d(2021, 10, 8));
        assert_eq!(cal.add_working_days(d(2021, 9, 30), 2).date, d(2021, 10, 9));
        assert_eq!(
            cal.add_working_days(d(2021, 9, 30), 3).date,
            d(2021, 10, 11)
        );
        // Sunday 26 September 2021 was worked too.
        assert!(cal.is_working_day(d(2021, 9, 26)));
    }

    #[test]
    fn seven_working_days_across_spring_festival_2026() {
        let cal = shipped();
        // Friday 13 Feb 2026; Sat 14 Feb worked; 15–23 Feb off.
        let due = cal.add_working_days(d(2026, 2, 13), 7);
        assert_eq!(due.date, d(2026, 3, 2));
        assert!(!due.provisional);
    }

    #[test]
    fn years_beyond_the_calendar_are_provisional() {
        let cal = shipped();
        // 29–31 December, then 1 January 2027 is 元旦 by law even before the
        // 2027 notice; Monday 4 and Tuesday 5 January.
        let due = cal.add_working_days(d(2026, 12, 28), 5);
        assert!(due.provisional);
        assert_eq!(due.date, d(2027, 1, 5));
    }

    #[test]
    fn counting_between_days() {
        let cal = shipped();
        assert_eq!(cal.working_days_between(d(2021, 9, 30), d(2021, 10, 11)), 3);
        assert_eq!(cal.working_days_between(d(2021, 10, 11), d(2021, 9, 30)), 0);
    }

    #[test]
    fn the_file_parses_and_names_its_source() {
        assert!(SHIPPED.contains("chinese-calendar 1.11.0"));
        assert!(parse_csv(SHIPPED).unwrap().len() > 150);
        assert!(parse_csv("2021-01-01,NOPE,x").is_err());
    }
}
