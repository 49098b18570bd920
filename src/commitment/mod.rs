//! Commitments (告知承诺): one signed 告知承诺书 for one item by one applicant,
//! accepted by one department, and its lifecycle from submission to
//! fulfilment or revocation.

pub mod graphql;
pub mod rules;
pub mod state;
pub mod store;

use std::collections::BTreeSet;

use crate::AppState;
use crate::audit::{NewEntry, OperationType};
use crate::credit::rules::{CreditKind, Severity};
use crate::error::Result;

/// Moves a commitment along the state table on behalf of another domain
/// (online verification), in that write's transaction and in its caller's
/// name: a compare-and-set on its version with the event that explains it.
pub async fn move_on(
    w: &crate::request::Write<'_>,
    before: &store::Commitment,
    action: state::Action,
    reason: Option<&str>,
    details: serde_json::Value,
) -> Result<store::Commitment> {
    let now = w.clock().now();
    let p = w.principal();
    let mut after = before.clone();
    after.state = state::next(before.state, action)?;
    after.version += 1;
    match action {
        state::Action::RecordCompliant => {
            after.verified_at = Some(now);
            after.concluded_at = Some(now);
        }
        state::Action::RecordNoncompliant => after.verified_at = Some(now),
        _ => {}
    }
    let event = store::NewEvent {
        action: action.as_str(),
        from: Some(before.state),
        actor_sub: &p.sub,
        actor_dept: p.dept.as_str(),
        reason,
        details,
        at: now,
    };
    let tallies = store::apply(w.txn().await?, &after, event).await?;
    w.count(tallies);
    Ok(after)
}

/// Records, for every promised material past its due date and not handed in,
/// a LATE_MATERIALS fact against the applicant (一般失信: it enters the credit
/// record, 涉企经营许可方案 (五)), found by the deciding department. Each
/// material is claimed with a compare-and-set, so replicas running this at
/// once record it once. Returns how many were recorded.
pub async fn record_late_materials(app: &AppState) -> Result<usize> {
    let today = app.clock.today();
    let late = store::late_materials(&app.db.read, today).await?;
    let mut n = 0;
    for (material, c) in late {
        let txn = app.db.begin().await?;
        let now = app.clock.now();
        if !store::claim_late(&txn, material.id, now).await? {
            continue;
        }
        let facts = format!(
            "承诺于 {} 前补交的材料“{}”逾期未交 (commitment {}, item {})",
            material.due_date, material.name, c.id, c.item_code
        );
        let record = crate::credit::store::NewRecord {
            subject_id: &c.subject_id,
            source_dept: &c.dept_code,
            kind: CreditKind::LateMaterials,
            severity: Severity::General,
            facts: &facts,
            commitment_id: Some(c.id),
            by: "sharing-hub",
        };
        crate::credit::store::insert_record(&txn, record, now, today).await?;
        let entry = NewEntry {
            at: crate::util::now(),
            sub: "sharing-hub".into(),
            dept: Some(c.dept_code.clone()),
            operation_type: OperationType::Mutation,
            operation: "recordLateMaterials".into(),
            subjects: BTreeSet::from([c.subject_id.clone()]),
            purpose: Some("promised materials past due (涉企经营许可方案 (五))".into()),
            outcome: "ok".into(),
            request_id: uuid::Uuid::now_v7().to_string(),
            facts: Vec::new(),
        };
        app.audit.append_in(&txn, entry).await?;
        txn.commit().await?;
        app.audit.committed(1);
        n += 1;
    }
    Ok(n)
}

/// Runs [`record_late_materials`] every few minutes for as long as the hub runs.
pub fn spawn_sweeper(app: AppState) {
    tokio::spawn(async move {
        loop {
            if let Err(e) = record_late_materials(&app).await {
                tracing::warn!(error = ?e, "recording late materials failed; will retry");
            }
            tokio::time::sleep(std::time::Duration::from_secs(300)).await;
        }
    });
}
