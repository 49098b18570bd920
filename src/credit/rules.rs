//! The rules of credit (信用), as pure functions: how a subject's records and
//! joint-punishment list entries decide its level, whether the commitment
//! route is open to it and why not, and how its commitments are checked.
//!
//! Sources: 涉企经营许可方案 (五) (轻微失信 is not recorded, 一般失信 is
//! recorded and loses the commitment route, 严重失信 brings joint punishment);
//! 证明事项方案 (五) and 涉企经营许可方案 (三) (a subject on a national,
//! provincial, city or mutually recognised region's joint-punishment list, or
//! with an unrepaired false commitment, cannot use the route until repaired);
//! 证明事项方案 (七) (credit decides the time, way and exemption of checks).

use chrono::NaiveDate;
use uuid::Uuid;

use crate::power_list::rules::{VerificationMethod, VerificationPolicy};
use crate::stored_enum;

stored_enum! {
    /// What kind of credit fact a record holds.
    pub enum CreditKind {
        /// A commitment found false (虚假承诺).
        FalseCommitment = "FALSE_COMMITMENT",
        /// A commitment broken after the decision (违反承诺).
        BrokenCommitment = "BROKEN_COMMITMENT",
        /// Promised materials not handed in by their due date (逾期未提交材料).
        LateMaterials = "LATE_MATERIALS",
        /// An administrative penalty (行政处罚).
        AdministrativePenalty = "ADMINISTRATIVE_PENALTY",
        /// Taxes owed past their due date (欠税).
        TaxArrears = "TAX_ARREARS",
        /// A court judgment not performed (失信被执行).
        JudgmentDefault = "JUDGMENT_DEFAULT",
        /// Another dishonest act, described in the facts.
        Other = "OTHER",
    }
}

stored_enum! {
    /// How serious a credit fact is [涉企经营许可方案 (五)].
    pub enum Severity {
        /// 轻微失信: education first; kept as a warning, not in the credit record.
        Minor = "MINOR",
        /// 一般失信: in the credit record; the commitment route is closed.
        General = "GENERAL",
        /// 严重失信: in the credit record, and the subject goes on the city's
        /// joint-punishment list.
        Severe = "SEVERE",
    }
}

stored_enum! {
    /// Where a credit record stands.
    pub enum RecordStatus {
        /// In force.
        Active = "ACTIVE",
        /// Under objection (异议处理中); it still counts until the objection is decided.
        Disputed = "DISPUTED",
        /// Repaired (信用修复); it no longer counts.
        Repaired = "REPAIRED",
        /// Removed after an upheld objection; it no longer counts.
        Removed = "REMOVED",
    }
}

stored_enum! {
    /// Which joint-punishment list an entry is on.
    pub enum ListLevel {
        /// A national list (全国).
        National = "NATIONAL",
        /// Henan province's list (我省).
        Provincial = "PROVINCIAL",
        /// Puyang city's list (我市).
        City = "CITY",
        /// A list of a region with a mutual-recognition agreement with Puyang (互认地区).
        RecognisedRegion = "RECOGNISED_REGION",
        /// A list of another region without such an agreement: shown, but it
        /// does not close the commitment route.
        OtherRegion = "OTHER_REGION",
    }
}

stored_enum! {
    /// A subject's credit level, derived from its records and list entries.
    pub enum CreditLevel {
        /// 守信: nothing on record.
        Good = "GOOD",
        /// 关注: only minor warnings.
        Warned = "WARNED",
        /// 失信: a general record in force; no commitment route.
        Dishonest = "DISHONEST",
        /// 严重失信: on a joint-punishment list or a severe record in force.
        SeverelyDishonest = "SEVERELY_DISHONEST",
    }
}

/// A record, as far as the rules need it.
#[derive(Clone, Debug)]
pub struct RecordFacts {
    /// Its id.
    pub id: Uuid,
    /// Its kind.
    pub kind: CreditKind,
    /// Its severity.
    pub severity: Severity,
    /// Its status.
    pub status: RecordStatus,
    /// The department that found it.
    pub source_dept: String,
    /// When it was recorded.
    pub recorded_on: NaiveDate,
}

impl RecordFacts {
    /// Whether it is in force (active, or disputed but not yet decided).
    pub fn in_force(&self) -> bool {
        matches!(self.status, RecordStatus::Active | RecordStatus::Disputed)
    }

    /// Whether it is part of the credit record (MINOR facts are warnings only).
    pub fn in_record(&self) -> bool {
        self.severity != Severity::Minor || self.kind == CreditKind::FalseCommitment
    }
}

/// A joint-punishment list entry, as far as the rules need it.
#[derive(Clone, Debug)]
pub struct EntryFacts {
    /// Its id.
    pub id: Uuid,
    /// Which list.
    pub level: ListLevel,
    /// The list's name.
    pub list_name: String,
    /// Listed on.
    pub listed_on: NaiveDate,
    /// Removed from the list on, if it was.
    pub delisted_on: Option<NaiveDate>,
}

impl EntryFacts {
    /// Whether the subject is on the list on `day`.
    pub fn current(&self, day: NaiveDate) -> bool {
        self.listed_on <= day && self.delisted_on.is_none_or(|d| d > day)
    }

    /// Whether the list is one that closes the commitment route.
    pub fn closes_route(&self) -> bool {
        self.level != ListLevel::OtherRegion
    }
}

/// What a subject's credit comes to on one day.
#[derive(Clone, Debug, PartialEq)]
pub struct Standing {
    /// Its level.
    pub level: CreditLevel,
    /// Whether it may use the commitment route.
    pub route_open: bool,
    /// Every reason the route is closed, as sentences (empty when open).
    pub reasons: Vec<String>,
}

/// Derives a subject's standing on `today`.
pub fn standing(records: &[RecordFacts], entries: &[EntryFacts], today: NaiveDate) -> Standing {
    let mut reasons = Vec::new();
    let mut level = CreditLevel::Good;
    let raise = |level: &mut CreditLevel, to: CreditLevel| {
        if to > *level {
            *level = to;
        }
    };
    for e in entries.iter().filter(|e| e.current(today)) {
        if e.closes_route() {
            raise(&mut level, CreditLevel::SeverelyDishonest);
            reasons.push(format!(
                "listed on the {} joint-punishment list \"{}\" since {} (失信联合惩戒对象名单)",
                e.level.as_str().to_lowercase().replace('_', " "),
                e.list_name,
                e.listed_on
            ));
        }
    }
    for r in records.iter().filter(|r| r.in_force()) {
        let disputed = if r.status == RecordStatus::Disputed {
            ", under objection"
        } else {
            ""
        };
        if !r.in_record() {
            raise(&mut level, CreditLevel::Warned);
            continue;
        }
        raise(
            &mut level,
            if r.severity == Severity::Severe {
                CreditLevel::SeverelyDishonest
            } else {
                CreditLevel::Dishonest
            },
        );
        let what = if r.kind == CreditKind::FalseCommitment {
            "a false commitment (虚假承诺) not yet repaired".to_owned()
        } else {
            format!(
                "a {} credit record ({})",
                r.severity.as_str().to_lowercase(),
                r.kind.as_str().to_lowercase().replace('_', " ")
            )
        };
        reasons.push(format!(
            "{what}, recorded by {} on {}{disputed} [record {}]",
            r.source_dept, r.recorded_on, r.id
        ));
    }
    Standing {
        route_open: reasons.is_empty(),
        level,
        reasons,
    }
}

/// The verification method an item's policy gives a subject of `level`;
/// `None` when the level keeps the subject off the commitment route.
pub fn method_for(level: CreditLevel, policy: &VerificationPolicy) -> Option<VerificationMethod> {
    match level {
        CreditLevel::Good => Some(policy.methods.good),
        CreditLevel::Warned => Some(policy.methods.warned),
        CreditLevel::Dishonest | CreditLevel::SeverelyDishonest => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::power_list::rules::{MethodsByCredit, RiskLevel};

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn record(kind: CreditKind, severity: Severity, status: RecordStatus) -> RecordFacts {
        RecordFacts {
            id: Uuid::nil(),
            kind,
            severity,
            status,
            source_dept: "410900-SCJGJ".into(),
            recorded_on: day("2026-03-01"),
        }
    }

    fn entry(level: ListLevel, delisted: Option<&str>) -> EntryFacts {
        EntryFacts {
            id: Uuid::nil(),
            level,
            list_name: "x".into(),
            listed_on: day("2026-01-01"),
            delisted_on: delisted.map(day),
        }
    }

    #[test]
    fn nothing_on_record_is_good_and_open() {
        let s = standing(&[], &[], day("2026-06-01"));
        assert_eq!((s.level, s.route_open), (CreditLevel::Good, true));
    }

    #[test]
    fn minor_facts_warn_but_keep_the_route_open() {
        let s = standing(
            &[record(
                CreditKind::LateMaterials,
                Severity::Minor,
                RecordStatus::Active,
            )],
            &[],
            day("2026-06-01"),
        );
        assert_eq!((s.level, s.route_open), (CreditLevel::Warned, true));
    }

    #[test]
    fn a_general_record_closes_the_route_with_its_reason() {
        let s = standing(
            &[record(
                CreditKind::AdministrativePenalty,
                Severity::General,
                RecordStatus::Active,
            )],
            &[],
            day("2026-06-01"),
        );
        assert_eq!((s.level, s.route_open), (CreditLevel::Dishonest, false));
        assert_eq!(s.reasons.len(), 1);
    }

    #[test]
    fn a_false_commitment_counts_until_repaired_even_under_objection() {
        let disputed = record(
            CreditKind::FalseCommitment,
            Severity::General,
            RecordStatus::Disputed,
        );
        assert!(!standing(&[disputed], &[], day("2026-06-01")).route_open);
        let repaired = record(
            CreditKind::FalseCommitment,
            Severity::General,
            RecordStatus::Repaired,
        );
        assert!(standing(&[repaired], &[], day("2026-06-01")).route_open);
    }

    #[test]
    fn lists_close_the_route_while_current_except_unrecognised_regions() {
        for level in [
            ListLevel::National,
            ListLevel::Provincial,
            ListLevel::City,
            ListLevel::RecognisedRegion,
        ] {
            let s = standing(&[], &[entry(level, None)], day("2026-06-01"));
            assert_eq!(
                (s.level, s.route_open),
                (CreditLevel::SeverelyDishonest, false),
                "{level}"
            );
        }
        assert!(
            standing(
                &[],
                &[entry(ListLevel::OtherRegion, None)],
                day("2026-06-01")
            )
            .route_open
        );
        assert!(
            standing(
                &[],
                &[entry(ListLevel::National, Some("2026-05-01"))],
                day("2026-06-01")
            )
            .route_open
        );
    }

    #[test]
    fn every_reason_is_listed() {
        let s = standing(
            &[record(
                CreditKind::FalseCommitment,
                Severity::General,
                RecordStatus::Active,
            )],
            &[entry(ListLevel::National, None)],
            day("2026-06-01"),
        );
        assert_eq!(s.reasons.len(), 2);
    }

    #[test]
    fn credit_decides_the_verification_method() {
        let p = VerificationPolicy {
            deadline_days: 20,
            methods: MethodsByCredit {
                good: VerificationMethod::Exempt,
                warned: VerificationMethod::Onsite,
            },
            risk_level: RiskLevel::Low,
        };
        assert_eq!(
            method_for(CreditLevel::Good, &p),
            Some(VerificationMethod::Exempt)
        );
        assert_eq!(
            method_for(CreditLevel::Warned, &p),
            Some(VerificationMethod::Onsite)
        );
        assert_eq!(method_for(CreditLevel::Dishonest, &p), None);
    }
}
