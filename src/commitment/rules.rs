//! The rules of a commitment's submission, as pure functions.
//!
//! Sources: 证明事项方案 (六) (the four statements of a written commitment;
//! what the notification tells), 涉企经营许可方案 (二)1 (materials handed in
//! with the commitment, or after the decision by an agreed date) and (二)3
//! (承诺具备条件 or 承诺一定期限内具备条件).

use std::collections::BTreeSet;

use async_graphql::{InputObject, SimpleObject};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::power_list::rules::{CommitmentMode, Condition, Notification, VerificationPolicy};
use crate::power_list::store::PowerItem;
use crate::stored_enum;

stored_enum! {
    /// What a business-licence applicant commits to [涉企经营许可方案 (二)3].
    pub enum CommitmentKind {
        /// 承诺具备条件: meets the conditions now; may operate once licensed.
        MeetsNow = "MEETS_NOW",
        /// 承诺一定期限内具备条件: will meet them by a date; may operate only
        /// once the promised materials are in and their receipt is confirmed.
        MeetsByDeadline = "MEETS_BY_DEADLINE",
    }
}

/// The four statements of a written commitment [证明事项方案 (六)]; all four
/// must be made.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, SimpleObject, InputObject)]
#[serde(rename_all = "camelCase")]
#[graphql(input_name = "StatementsInput")]
pub struct Statements {
    /// 已知晓告知事项: the applicant knows what it was told.
    pub knows_notification: bool,
    /// 已符合相关条件: it meets the conditions (or will, by the date promised).
    pub meets_conditions: bool,
    /// 愿意承担不实承诺的法律责任: it accepts the liability of a false commitment.
    pub accepts_liability: bool,
    /// 承诺的意思表示真实: its commitment is truly meant.
    pub declares_truth: bool,
}

/// Refuses a commitment that lacks any of the four statements.
pub fn check_statements(s: &Statements) -> Result<()> {
    let missing: Vec<&str> = [
        (s.knows_notification, "knowsNotification"),
        (s.meets_conditions, "meetsConditions"),
        (s.accepts_liability, "acceptsLiability"),
        (s.declares_truth, "declaresTruth"),
    ]
    .iter()
    .filter(|(made, _)| !made)
    .map(|(_, name)| *name)
    .collect();
    match missing.first() {
        None => Ok(()),
        Some(first) => Err(Error::bad_field(
            format!("statements.{first}"),
            format!(
                "a written commitment needs all four statements (证明事项方案 (六)); not made: {}",
                missing.join(", ")
            ),
        )),
    }
}

/// Refuses a kind that does not fit the item's mode.
pub fn check_kind(mode: CommitmentMode, kind: Option<CommitmentKind>) -> Result<()> {
    match (mode, kind) {
        (CommitmentMode::BusinessLicense, None) => Err(Error::bad_field(
            "kind",
            "a business-licence commitment says whether the applicant meets the conditions now (MEETS_NOW) \
             or by a deadline (MEETS_BY_DEADLINE)",
        )),
        (CommitmentMode::Certification, Some(_)) => Err(Error::bad_field(
            "kind",
            "the kind applies to business licences only; leave it out for a certification matter",
        )),
        (CommitmentMode::None, _) => Err(Error::bad_field(
            "item",
            "this item admits no commitment; use the normal procedure",
        )),
        _ => Ok(()),
    }
}

/// A material promised for after the decision.
#[derive(Clone, Debug, PartialEq, InputObject)]
pub struct PromisedMaterialInput {
    /// The material's name, as the item lists it.
    pub name: String,
    /// The day by which it will be handed in.
    pub due_date: crate::identity::scalars::Date,
}

/// Checks the materials against the item: every name is one of the item's;
/// every required material (but the proof a certification commitment
/// replaces) is handed in now or promised; promised ones may follow and are
/// due after today; a MEETS_BY_DEADLINE commitment promises at least one.
/// When something is missing, the message lists all of it at once (一次性告知).
pub fn check_materials(
    item: &PowerItem,
    kind: Option<CommitmentKind>,
    now: &[String],
    later: &[(String, NaiveDate)],
    today: NaiveDate,
) -> Result<()> {
    let known: Vec<&str> = item
        .details
        .materials
        .iter()
        .map(|m| m.name.as_str())
        .collect();
    let mut seen = BTreeSet::new();
    for (field, name) in now
        .iter()
        .map(|n| ("materials", n))
        .chain(later.iter().map(|(n, _)| ("promisedMaterials", n)))
    {
        if !known.contains(&name.as_str()) {
            return Err(Error::bad_field(
                field,
                format!(
                    "\"{name}\" is not a material of item {}; its materials are: {}",
                    item.code,
                    known.join("、")
                ),
            ));
        }
        if !seen.insert(name.as_str()) {
            return Err(Error::bad_field(
                field,
                format!("\"{name}\" is listed twice"),
            ));
        }
    }
    for (name, due) in later {
        let m = item.details.materials.iter().find(|m| &m.name == name);
        if !m.is_some_and(|m| m.may_follow) {
            return Err(Error::bad_field(
                "promisedMaterials",
                format!(
                    "\"{name}\" must be handed in with the commitment: the item does not let it follow later"
                ),
            ));
        }
        if *due <= today {
            return Err(Error::bad_field(
                "promisedMaterials",
                format!("\"{name}\" must be due after today, not on {due}"),
            ));
        }
    }
    let replaced = item.details.replaced_proof.as_deref();
    let missing: Vec<&str> = item
        .details
        .materials
        .iter()
        .filter(|m| {
            m.required && Some(m.name.as_str()) != replaced && !seen.contains(m.name.as_str())
        })
        .map(|m| m.name.as_str())
        .collect();
    if !missing.is_empty() {
        return Err(Error::bad_field(
            "materials",
            format!(
                "required materials missing, hand them in or promise them: {} (一次性告知)",
                missing.join("、")
            ),
        ));
    }
    if kind == Some(CommitmentKind::MeetsByDeadline) && later.is_empty() {
        return Err(Error::bad_field(
            "promisedMaterials",
            "a MEETS_BY_DEADLINE commitment promises the materials that will show the conditions met, with their due dates",
        ));
    }
    Ok(())
}

/// The notification as the applicant signed it, frozen into the commitment:
/// later changes of the power list never alter it [涉企经营许可方案 (六)].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, SimpleObject)]
#[serde(rename_all = "camelCase")]
pub struct SignedNotification {
    /// The item's code.
    pub item_code: String,
    /// The item's name (事项名称) at signing.
    pub item_name: String,
    /// The item's version at signing.
    pub item_version: i32,
    /// The legal basis (设定依据) at signing.
    pub legal_basis: Vec<String>,
    /// The conditions at signing.
    pub conditions: Vec<Condition>,
    /// The proof the commitment replaces, for certification matters.
    pub replaced_proof: Option<String>,
    /// The notification text (告知内容) at signing.
    pub notification: Notification,
    /// The verification policy (核查办法) at signing.
    pub verification_policy: VerificationPolicy,
}

/// Freezes an item's notification; `None` if the item has none.
pub fn snapshot(item: &PowerItem) -> Option<SignedNotification> {
    Some(SignedNotification {
        item_code: item.code.clone(),
        item_name: item.name.clone(),
        item_version: item.version,
        legal_basis: item.details.legal_basis.clone(),
        conditions: item.details.conditions.clone(),
        replaced_proof: item.details.replaced_proof.clone(),
        notification: item.details.notification.clone()?,
        verification_policy: item.details.verification_policy.clone()?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::power_list::rules::{Category, ItemStatus, Material};

    fn item() -> PowerItem {
        let details = crate::power_list::rules::ItemDetails {
            materials: vec![
                Material {
                    name: "申请书".into(),
                    required: true,
                    may_follow: false,
                    note: None,
                },
                Material {
                    name: "平面图".into(),
                    required: true,
                    may_follow: true,
                    note: None,
                },
                Material {
                    name: "照片".into(),
                    required: false,
                    may_follow: true,
                    note: None,
                },
            ],
            ..Default::default()
        };
        PowerItem {
            code: "X-1".into(),
            name: "x".into(),
            category: Category::Licensing,
            dept_code: "D".into(),
            commitment_mode: CommitmentMode::BusinessLicense,
            status: ItemStatus::Active,
            statutory_days: 20,
            promised_days: 5,
            effective_from: NaiveDate::MIN,
            effective_to: None,
            details,
            version: 1,
            updated_at: chrono::Utc::now(),
        }
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 6, 1).unwrap()
    }

    #[test]
    fn all_four_statements_are_required() {
        let mut s = Statements {
            knows_notification: true,
            meets_conditions: true,
            accepts_liability: true,
            declares_truth: true,
        };
        check_statements(&s).unwrap();
        s.accepts_liability = false;
        let Error::BadInput { field, .. } = check_statements(&s).unwrap_err() else {
            panic!()
        };
        assert_eq!(field.as_deref(), Some("statements.acceptsLiability"));
    }

    #[test]
    fn business_licences_need_a_kind_and_certifications_none() {
        assert!(check_kind(CommitmentMode::BusinessLicense, None).is_err());
        assert!(
            check_kind(
                CommitmentMode::Certification,
                Some(CommitmentKind::MeetsNow)
            )
            .is_err()
        );
        check_kind(CommitmentMode::Certification, None).unwrap();
    }

    #[test]
    fn missing_materials_are_listed_at_once() {
        let err = check_materials(&item(), Some(CommitmentKind::MeetsNow), &[], &[], today())
            .unwrap_err();
        let Error::BadInput { message, .. } = err else {
            panic!()
        };
        assert!(
            message.contains("申请书") && message.contains("平面图"),
            "{message}"
        );
    }

    #[test]
    fn promised_materials_must_be_allowed_to_follow_and_be_due_later() {
        let later = |name: &str, d: NaiveDate| vec![(name.to_owned(), d)];
        let tomorrow = today().succ_opt().unwrap();
        check_materials(
            &item(),
            Some(CommitmentKind::MeetsByDeadline),
            &["申请书".into()],
            &later("平面图", tomorrow),
            today(),
        )
        .unwrap();
        assert!(
            check_materials(
                &item(),
                None,
                &["平面图".into()],
                &later("申请书", tomorrow),
                today()
            )
            .is_err()
        );
        assert!(
            check_materials(
                &item(),
                None,
                &["申请书".into()],
                &later("平面图", today()),
                today()
            )
            .is_err()
        );
    }

    #[test]
    fn a_deadline_commitment_promises_something() {
        let now = vec!["申请书".to_owned(), "平面图".to_owned()];
        assert!(
            check_materials(
                &item(),
                Some(CommitmentKind::MeetsByDeadline),
                &now,
                &[],
                today()
            )
            .is_err()
        );
        check_materials(&item(), Some(CommitmentKind::MeetsNow), &now, &[], today()).unwrap();
    }

    #[test]
    fn unknown_materials_are_named() {
        let err = check_materials(&item(), None, &["营业执照".into()], &[], today()).unwrap_err();
        assert_eq!(err.code(), "BAD_USER_INPUT");
    }
}
