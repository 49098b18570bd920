//! Evaluating an item's conditions against the shared data about a subject
//! (在线核查), as pure functions over plain values: the subject's credit
//! dossier, its certificates and its commitments [证明事项方案 (八)].

use async_graphql::SimpleObject;
use chrono::{Duration, NaiveDate};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::certificate::rules as cert_rules;
use crate::certificate::store::Cert;
use crate::commitment::state::State;
use crate::commitment::store::Commitment;
use crate::credit::rules::{CreditKind, Severity};
use crate::credit::store::Dossier;
use crate::power_list::rules::{CheckBinding, Condition};
use crate::stored_enum;

stored_enum! {
    /// The result of checking one condition.
    pub enum CheckOutcome {
        /// The shared data shows the condition met.
        Pass = "PASS",
        /// The shared data shows it not met.
        Fail = "FAIL",
        /// The data is not online: an inspector must check on site (现场核查).
        NeedsOnsite = "NEEDS_ONSITE",
        /// Another department holds the data and is asked (协助核查).
        NeedsAssistance = "NEEDS_ASSISTANCE",
    }
}

/// What a result rests on.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, SimpleObject)]
#[serde(rename_all = "camelCase")]
pub struct Evidence {
    /// Identifiers of the certificates that showed the condition met.
    pub certificates: Vec<String>,
    /// Ids of the credit records that showed it not met.
    pub credit_records: Vec<String>,
    /// Ids of the joint-punishment list entries that showed it not met.
    pub list_entries: Vec<String>,
    /// Ids of the earlier commitments it rests on.
    pub commitments: Vec<String>,
    /// Ids of the assistance requests it rests on.
    pub assistance_requests: Vec<String>,
}

/// One condition's result.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConditionResult {
    /// The condition's code.
    pub code: String,
    /// The condition as signed.
    pub text: String,
    /// How it was checked.
    pub binding: Option<CheckBinding>,
    /// The result.
    pub outcome: CheckOutcome,
    /// Why, for a person.
    pub detail: String,
    /// What it rests on.
    pub evidence: Evidence,
    /// For NEEDS_ASSISTANCE: the department asked.
    pub assist_department: Option<String>,
    /// Who decided an on-site or assisted check, and when.
    #[serde(default)]
    pub decided_by: Option<String>,
}

impl ConditionResult {
    /// Whether the result is final.
    pub fn decided(&self) -> bool {
        matches!(self.outcome, CheckOutcome::Pass | CheckOutcome::Fail)
    }
}

/// The shared data about one subject.
pub struct SubjectFacts<'a> {
    /// Its id.
    pub subject_id: &'a str,
    /// Its credit.
    pub dossier: &'a Dossier,
    /// Its certificates.
    pub certificates: &'a [Cert],
    /// Its commitments.
    pub commitments: &'a [Commitment],
    /// The commitment being verified, left out of the evidence.
    pub exclude: Option<Uuid>,
    /// The day checked on.
    pub today: NaiveDate,
}

fn result(
    c: &Condition,
    outcome: CheckOutcome,
    detail: impl Into<String>,
    evidence: Evidence,
) -> ConditionResult {
    ConditionResult {
        code: c.code.clone(),
        text: c.text.clone(),
        binding: c.check.as_ref().map(|b| b.kind),
        outcome,
        detail: detail.into(),
        evidence,
        assist_department: None,
        decided_by: None,
    }
}

/// Evaluates one condition.
pub fn evaluate(c: &Condition, f: &SubjectFacts<'_>) -> ConditionResult {
    let Some(check) = &c.check else {
        return result(
            c,
            CheckOutcome::NeedsOnsite,
            "not bound to shared data: an inspector checks it on site",
            Evidence::default(),
        );
    };
    match check.kind {
        CheckBinding::HoldsCertificate => {
            let ty = check.certificate_type.as_deref().unwrap_or_default();
            let valid: Vec<String> = f
                .certificates
                .iter()
                .filter(|cert| cert.row.type_code == ty && cert.row.holder_id == f.subject_id)
                .filter(|cert| {
                    cert.status().is_ok_and(|s| {
                        cert_rules::in_force(
                            s,
                            cert.row.superseded_by.is_some(),
                            cert.row.valid_from,
                            cert.row.valid_until,
                            f.today,
                        )
                        .is_ok()
                    })
                })
                .map(|cert| cert.row.identifier.clone())
                .collect();
            if valid.is_empty() {
                result(
                    c,
                    CheckOutcome::Fail,
                    format!("holds no certificate of type {ty} in force"),
                    Evidence::default(),
                )
            } else {
                let evidence = Evidence {
                    certificates: valid,
                    ..Default::default()
                };
                result(
                    c,
                    CheckOutcome::Pass,
                    "holds a certificate of the type, in force",
                    evidence,
                )
            }
        }
        CheckBinding::NoCreditRecord => {
            let min = check.min_severity.unwrap_or(Severity::General);
            let hits: Vec<String> = f
                .dossier
                .records
                .iter()
                .filter(|r| r.facts().in_force() && r.severity >= min)
                .map(|r| r.id.to_string())
                .collect();
            if hits.is_empty() {
                result(
                    c,
                    CheckOutcome::Pass,
                    format!("no credit record at or above {min} in force"),
                    Evidence::default(),
                )
            } else {
                let detail = format!("{} credit record(s) at or above {min} in force", hits.len());
                result(
                    c,
                    CheckOutcome::Fail,
                    detail,
                    Evidence {
                        credit_records: hits,
                        ..Default::default()
                    },
                )
            }
        }
        CheckBinding::NotOnPunishmentList => {
            let hits: Vec<String> = f
                .dossier
                .entries
                .iter()
                .filter(|e| e.facts().current(f.today) && e.facts().closes_route())
                .map(|e| e.id.to_string())
                .collect();
            if hits.is_empty() {
                result(
                    c,
                    CheckOutcome::Pass,
                    "on no joint-punishment list",
                    Evidence::default(),
                )
            } else {
                result(
                    c,
                    CheckOutcome::Fail,
                    "listed on a joint-punishment list",
                    Evidence {
                        list_entries: hits,
                        ..Default::default()
                    },
                )
            }
        }
        CheckBinding::NoFalseCommitmentWithin => {
            let days = check.days.unwrap_or(365);
            let since = f.today - Duration::days(i64::from(days));
            let hits: Vec<String> = f
                .dossier
                .records
                .iter()
                .filter(|r| r.kind == CreditKind::FalseCommitment && r.recorded_on > since)
                .map(|r| r.id.to_string())
                .collect();
            if hits.is_empty() {
                result(
                    c,
                    CheckOutcome::Pass,
                    format!("no false commitment recorded in the last {days} days"),
                    Evidence::default(),
                )
            } else {
                let detail = format!("a false commitment was recorded in the last {days} days");
                result(
                    c,
                    CheckOutcome::Fail,
                    detail,
                    Evidence {
                        credit_records: hits,
                        ..Default::default()
                    },
                )
            }
        }
        CheckBinding::CommitmentFulfilled => {
            let item = check.item.as_deref().unwrap_or_default();
            let done: Vec<String> = f
                .commitments
                .iter()
                .filter(|k| {
                    Some(k.id) != f.exclude && k.item_code == item && k.state == State::Fulfilled
                })
                .map(|k| k.id.to_string())
                .collect();
            if done.is_empty() {
                result(
                    c,
                    CheckOutcome::Fail,
                    format!("no fulfilled commitment for item {item}"),
                    Evidence::default(),
                )
            } else {
                result(
                    c,
                    CheckOutcome::Pass,
                    format!("a commitment for item {item} was fulfilled"),
                    Evidence {
                        commitments: done,
                        ..Default::default()
                    },
                )
            }
        }
        CheckBinding::Onsite => result(
            c,
            CheckOutcome::NeedsOnsite,
            "checked on site by an inspector",
            Evidence::default(),
        ),
        CheckBinding::Assistance => {
            let dept = check.department.clone().unwrap_or_default();
            let mut r = result(
                c,
                CheckOutcome::NeedsAssistance,
                format!("the data is held by {dept}, which is asked"),
                Evidence::default(),
            );
            r.assist_department = Some(dept);
            r
        }
    }
}

/// Whether every check is decided, and if so whether all passed.
pub fn decision(results: &[ConditionResult]) -> Option<bool> {
    results
        .iter()
        .all(ConditionResult::decided)
        .then(|| results.iter().all(|r| r.outcome == CheckOutcome::Pass))
}

/// The findings of a noncompliant report, for the commitment's event.
pub fn findings(results: &[ConditionResult]) -> String {
    results
        .iter()
        .filter(|r| r.outcome == CheckOutcome::Fail)
        .map(|r| format!("{} {}: {}", r.code, r.text, r.detail))
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::power_list::rules::ConditionCheck;

    fn cond(kind: CheckBinding) -> Condition {
        Condition {
            code: "C1".into(),
            text: "x".into(),
            check: Some(ConditionCheck {
                kind,
                certificate_type: Some("T".into()),
                min_severity: None,
                days: Some(30),
                item: Some("I".into()),
                department: Some("D".into()),
            }),
        }
    }

    fn facts<'a>(dossier: &'a Dossier) -> SubjectFacts<'a> {
        SubjectFacts {
            subject_id: "S",
            dossier,
            certificates: &[],
            commitments: &[],
            exclude: None,
            today: NaiveDate::from_ymd_opt(2026, 6, 1).unwrap(),
        }
    }

    #[test]
    fn unbound_conditions_need_an_inspector() {
        let c = Condition {
            code: "C1".into(),
            text: "x".into(),
            check: None,
        };
        assert_eq!(
            evaluate(&c, &facts(&Dossier::default())).outcome,
            CheckOutcome::NeedsOnsite
        );
    }

    #[test]
    fn a_clean_subject_passes_credit_checks_and_fails_document_checks() {
        let d = Dossier::default();
        let f = facts(&d);
        assert_eq!(
            evaluate(&cond(CheckBinding::NoCreditRecord), &f).outcome,
            CheckOutcome::Pass
        );
        assert_eq!(
            evaluate(&cond(CheckBinding::NotOnPunishmentList), &f).outcome,
            CheckOutcome::Pass
        );
        assert_eq!(
            evaluate(&cond(CheckBinding::NoFalseCommitmentWithin), &f).outcome,
            CheckOutcome::Pass
        );
        assert_eq!(
            evaluate(&cond(CheckBinding::HoldsCertificate), &f).outcome,
            CheckOutcome::Fail
        );
        assert_eq!(
            evaluate(&cond(CheckBinding::CommitmentFulfilled), &f).outcome,
            CheckOutcome::Fail
        );
        let a = evaluate(&cond(CheckBinding::Assistance), &f);
        assert_eq!(
            (a.outcome, a.assist_department.as_deref()),
            (CheckOutcome::NeedsAssistance, Some("D"))
        );
    }

    #[test]
    fn a_report_is_decided_when_no_check_waits() {
        let d = Dossier::default();
        let f = facts(&d);
        let pass = evaluate(&cond(CheckBinding::NoCreditRecord), &f);
        let fail = evaluate(&cond(CheckBinding::HoldsCertificate), &f);
        let wait = evaluate(&cond(CheckBinding::Onsite), &f);
        assert_eq!(decision(std::slice::from_ref(&pass)), Some(true));
        assert_eq!(decision(&[pass.clone(), fail.clone()]), Some(false));
        assert_eq!(decision(&[pass, fail, wait]), None);
    }
}
