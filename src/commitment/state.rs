//! The lifecycle of a commitment as a table: (state, action) → next state.
//!
//! SUBMITTED → APPROVED (decision on the spot) or REJECTED;
//! APPROVED → VERIFYING (批后核查) → FULFILLED or NONCOMPLIANT (承诺不实);
//! NONCOMPLIANT → RECTIFYING (责令限期整改) → FULFILLED or REVOKED (撤销);
//! NONCOMPLIANT → REVOKED directly, since the seed allows the decision to be
//! revoked on a false commitment without ordering rectification first
//! [证明事项方案 (七): 终止办理、责令限期整改、撤销行政决定].
//! WITHDRAWN (承诺退出) only before the matter is concluded, which on the
//! commitment route is the decision itself: the seed lets the applicant
//! "在行政事项办结前 … 撤回承诺申请，撤回后按原法定程序办理" — withdraw the
//! commitment *application* and go the normal way, which only makes sense
//! before the decision is made [证明事项方案 (十), 涉企经营许可方案 (六)].

use crate::error::Error;
use crate::stored_enum;

stored_enum! {
    /// Where a commitment stands in its lifecycle.
    pub enum State {
        /// Signed and handed in, awaiting the decision (已提交).
        Submitted = "SUBMITTED",
        /// Approved on the spot on the commitment (准予许可/办理).
        Approved = "APPROVED",
        /// Refused (不予许可); final.
        Rejected = "REJECTED",
        /// Under its post-approval check (批后核查).
        Verifying = "VERIFYING",
        /// Checked and found true, or rectified (承诺履行); final.
        Fulfilled = "FULFILLED",
        /// Found untrue (承诺不实).
        Noncompliant = "NONCOMPLIANT",
        /// Ordered to rectify by a deadline (限期整改).
        Rectifying = "RECTIFYING",
        /// The decision revoked (撤销); final.
        Revoked = "REVOKED",
        /// Withdrawn by the applicant before the decision (承诺退出); final.
        Withdrawn = "WITHDRAWN",
    }
}

stored_enum! {
    /// What can be done to a commitment.
    pub enum Action {
        /// Approve on the spot.
        Approve = "APPROVE",
        /// Refuse.
        Reject = "REJECT",
        /// Begin the post-approval check.
        StartVerification = "START_VERIFICATION",
        /// Record that the check found the commitment true.
        RecordCompliant = "RECORD_COMPLIANT",
        /// Record that the check found the commitment untrue.
        RecordNoncompliant = "RECORD_NONCOMPLIANT",
        /// Order rectification by a deadline.
        OrderRectification = "ORDER_RECTIFICATION",
        /// Confirm the rectification.
        ConfirmRectification = "CONFIRM_RECTIFICATION",
        /// Revoke the decision.
        Revoke = "REVOKE",
        /// Withdraw the commitment (the applicant's request).
        Withdraw = "WITHDRAW",
        /// Hand in promised materials (no change of state).
        SubmitMaterials = "SUBMIT_MATERIALS",
        /// Confirm receipt of all promised materials (no change of state).
        ConfirmReceipt = "CONFIRM_RECEIPT",
    }
}

use Action as A;
use State as S;

/// Every allowed move.
const TABLE: &[(State, Action, State)] = &[
    (S::Submitted, A::Approve, S::Approved),
    (S::Submitted, A::Reject, S::Rejected),
    (S::Submitted, A::Withdraw, S::Withdrawn),
    (S::Approved, A::StartVerification, S::Verifying),
    (S::Verifying, A::RecordCompliant, S::Fulfilled),
    (S::Verifying, A::RecordNoncompliant, S::Noncompliant),
    (S::Noncompliant, A::OrderRectification, S::Rectifying),
    (S::Noncompliant, A::Revoke, S::Revoked),
    (S::Rectifying, A::ConfirmRectification, S::Fulfilled),
    (S::Rectifying, A::Revoke, S::Revoked),
    // Materials promised for later can come in while the decision stands.
    (S::Approved, A::SubmitMaterials, S::Approved),
    (S::Verifying, A::SubmitMaterials, S::Verifying),
    (S::Noncompliant, A::SubmitMaterials, S::Noncompliant),
    (S::Rectifying, A::SubmitMaterials, S::Rectifying),
    (S::Fulfilled, A::SubmitMaterials, S::Fulfilled),
    (S::Approved, A::ConfirmReceipt, S::Approved),
    (S::Verifying, A::ConfirmReceipt, S::Verifying),
    (S::Rectifying, A::ConfirmReceipt, S::Rectifying),
    (S::Fulfilled, A::ConfirmReceipt, S::Fulfilled),
];

/// The actions allowed from `state`.
pub fn allowed(state: State) -> Vec<Action> {
    TABLE
        .iter()
        .filter(|(s, _, _)| *s == state)
        .map(|(_, a, _)| *a)
        .collect()
}

/// The state `action` leads to from `state`, or `INVALID_TRANSITION` naming
/// the current state and what is allowed from it.
pub fn next(state: State, action: Action) -> Result<State, Error> {
    TABLE
        .iter()
        .find(|(s, a, _)| *s == state && *a == action)
        .map(|(_, _, to)| *to)
        .ok_or_else(|| Error::InvalidTransition {
            entity: "commitment",
            action: action.as_str().to_lowercase().replace('_', " "),
            current: state.to_string(),
            allowed: allowed(state).iter().map(|a| a.to_string()).collect(),
        })
}

/// Whether the matter is over (no action leads anywhere new).
pub fn is_final(state: State) -> bool {
    matches!(
        state,
        S::Rejected | S::Fulfilled | S::Revoked | S::Withdrawn
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_happy_path_runs_through() {
        let mut s = State::Submitted;
        for a in [A::Approve, A::StartVerification, A::RecordCompliant] {
            s = next(s, a).unwrap();
        }
        assert_eq!(s, State::Fulfilled);
    }

    #[test]
    fn a_false_commitment_is_rectified_or_revoked() {
        let s = next(
            next(
                next(S::Approved, A::StartVerification).unwrap(),
                A::RecordNoncompliant,
            )
            .unwrap(),
            A::OrderRectification,
        )
        .unwrap();
        assert_eq!(next(s, A::ConfirmRectification).unwrap(), S::Fulfilled);
        assert_eq!(next(s, A::Revoke).unwrap(), S::Revoked);
        assert_eq!(next(S::Noncompliant, A::Revoke).unwrap(), S::Revoked);
    }

    #[test]
    fn withdrawal_only_before_the_decision() {
        assert_eq!(next(S::Submitted, A::Withdraw).unwrap(), S::Withdrawn);
        for s in [S::Approved, S::Verifying, S::Fulfilled, S::Revoked] {
            assert_eq!(
                next(s, A::Withdraw).unwrap_err().code(),
                "INVALID_TRANSITION"
            );
        }
    }

    #[test]
    fn an_illegal_move_names_the_state_and_the_way_forward() {
        let Error::InvalidTransition {
            current, allowed, ..
        } = next(S::Fulfilled, A::Approve).unwrap_err()
        else {
            panic!("expected an invalid transition")
        };
        assert_eq!(current, "FULFILLED");
        assert_eq!(allowed, vec!["SUBMIT_MATERIALS", "CONFIRM_RECEIPT"]);
        let Error::InvalidTransition { allowed, .. } = next(S::Revoked, A::Approve).unwrap_err()
        else {
            panic!()
        };
        assert!(allowed.is_empty());
    }

    #[test]
    fn final_states_lead_nowhere_new() {
        for (s, _, to) in TABLE {
            if is_final(*s) {
                assert_eq!(s, to, "a final state moved");
            }
        }
    }
}
