//! Online verification (在线核查) and assistance requests (协助核查): the hub
//! compares what an applicant promised with what the shared data says, and
//! where the data is not shared it asks the department that holds it, which
//! must answer or refuse in writing [证明事项方案 (八)].

pub mod graphql;
pub mod rules;
pub mod store;

use async_graphql::ID;
use serde_json::json;
use uuid::Uuid;

use self::graphql::{
    AssistanceNode, AssistanceOutcome, AssistancePayload, ReportNode, VerificationPayload,
};
use self::rules::{CheckOutcome, ConditionResult, SubjectFacts};
use self::store::Report;
use crate::certificate::store::Cert;
use crate::commitment::graphql::CommitmentNode;
use crate::commitment::state::{Action, State};
use crate::commitment::store::Commitment;
use crate::credit::graphql::uuid_of;
use crate::credit::store::Dossier;
use crate::error::{Error, Result};
use crate::request::Write;

/// Working days a department has to answer a request the hub makes itself.
pub const DEFAULT_ANSWER_DAYS: u32 = 5;

/// The shared data about one subject: credit, certificates, commitments.
pub async fn facts_of(
    conn: &impl crate::db::Fetch,
    subject: &str,
) -> Result<(Dossier, Vec<Cert>, Vec<Commitment>)> {
    let key = [subject.to_owned()];
    let dossier = crate::credit::store::dossier(conn, subject).await?;
    let certificates = crate::certificate::store::of_holders(conn, &key)
        .await?
        .remove(subject)
        .unwrap_or_default();
    let commitments = crate::commitment::store::of_subjects(conn, &key, false)
        .await?
        .remove(subject)
        .unwrap_or_default();
    Ok((dossier, certificates, commitments))
}

fn required<'a>(field: &str, value: Option<&'a str>) -> Result<&'a str> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        Some(v) => Ok(v),
        None => Err(Error::bad_field(
            field,
            format!("{field} must not be empty"),
        )),
    }
}

/// Moves the commitment on if the report is decided and it still awaits its check.
async fn conclude(w: &Write<'_>, report: &Report, c: Commitment) -> Result<Commitment> {
    let (Some(ok), State::Verifying) = (report.outcome, c.state) else {
        return Ok(c);
    };
    let (action, findings) = if ok {
        (Action::RecordCompliant, None)
    } else {
        (
            Action::RecordNoncompliant,
            Some(rules::findings(&report.results)),
        )
    };
    let details = json!({ "report": report.id, "online": true });
    crate::commitment::move_on(w, &c, action, findings.as_deref(), details).await
}

/// Runs online verification of a commitment.
pub(crate) async fn run(w: &Write<'_>, id: &ID) -> Result<VerificationPayload> {
    let c = crate::commitment::store::get(w.reader(), uuid_of("commitment", id)?).await?;
    w.touch(&c.subject_id);
    w.principal()
        .must_own(&c.dept_code, &format!("commitment {}", c.id))?;
    if !matches!(c.state, State::Approved | State::Verifying) {
        return Err(Error::InvalidTransition {
            entity: "commitment",
            action: "run online verification on".into(),
            current: c.state.to_string(),
            allowed: crate::commitment::state::allowed(c.state)
                .iter()
                .map(|a| a.to_string())
                .collect(),
        });
    }
    if let Some(pending) = store::reports_of(w.reader(), c.id)
        .await?
        .into_iter()
        .find(|r| r.outcome.is_none())
    {
        return Err(Error::Conflict(format!(
            "report {} of this commitment still waits on checks; complete it before running another",
            pending.id
        )));
    }
    let today = w.clock().today();
    let (dossier, certificates, commitments) = facts_of(w.reader(), &c.subject_id).await?;
    let facts = SubjectFacts {
        subject_id: &c.subject_id,
        dossier: &dossier,
        certificates: &certificates,
        commitments: &commitments,
        exclude: Some(c.id),
        today,
    };
    let mut results: Vec<ConditionResult> = c
        .documents()?
        .notification
        .conditions
        .iter()
        .map(|cond| rules::evaluate(cond, &facts))
        .collect();
    let p = w.principal();
    let txn = w.txn().await?;
    let mut c = c;
    if c.state == State::Approved {
        let details = json!({ "online": true });
        c = crate::commitment::move_on(w, &c, Action::StartVerification, None, details).await?;
    }
    let report_id = Uuid::now_v7();
    let due = crate::calendar::store::add_working_days(w.reader(), today, DEFAULT_ANSWER_DAYS)
        .await?
        .date;
    for r in results
        .iter_mut()
        .filter(|r| r.outcome == CheckOutcome::NeedsAssistance)
    {
        let dept = r.assist_department.clone().unwrap_or_default();
        if !crate::directory::store::exists(txn, &dept).await? {
            r.outcome = CheckOutcome::NeedsOnsite;
            r.detail = format!(
                "the department {dept:?} named to assist is unknown: an inspector checks it on site"
            );
            continue;
        }
        let question = format!(
            "请协助核查：{}（告知承诺 {}，事项 {}）",
            r.text, c.id, c.item_code
        );
        let new = store::NewRequest {
            commitment_id: c.id,
            report: Some((report_id, &r.code)),
            from_dept: p.dept.as_str(),
            to_dept: &dept,
            subject_id: &c.subject_id,
            question: &question,
            due,
            by: &p.sub,
        };
        let request = store::insert_request(txn, new, w.clock().now()).await?;
        r.evidence.assistance_requests.push(request.id.to_string());
    }
    let now = w.clock().now();
    let outcome = rules::decision(&results);
    let report = Report {
        id: report_id,
        commitment_id: c.id,
        subject_id: c.subject_id.clone(),
        item_code: c.item_code.clone(),
        dept_code: c.dept_code.clone(),
        results,
        outcome,
        run_by: p.sub.clone(),
        run_at: now,
        completed_at: outcome.map(|_| now),
        version: 1,
    };
    store::insert_report(txn, &report).await?;
    let c = conclude(w, &report, c).await?;
    Ok(VerificationPayload {
        report: ReportNode(report),
        commitment: CommitmentNode::new(c),
    })
}

/// Decides one pending check of a report and moves the commitment on if that
/// decides the report.
async fn decide(
    w: &Write<'_>,
    report_id: Uuid,
    code: &str,
    update: impl FnOnce(&mut ConditionResult) -> Result<()>,
) -> Result<(Report, Commitment)> {
    let txn = w.txn().await?;
    let mut report = store::get_report(txn, report_id).await?;
    let r = report
        .results
        .iter_mut()
        .find(|r| r.code == code)
        .ok_or_else(|| {
            Error::bad_field(
                "conditionCode",
                format!("the report has no condition {code}"),
            )
        })?;
    update(r)?;
    report.outcome = rules::decision(&report.results);
    report.version += 1;
    if report.outcome.is_some() {
        report.completed_at = Some(w.clock().now());
    }
    store::update_report(txn, &report).await?;
    let c = crate::commitment::store::get(txn, report.commitment_id).await?;
    let c = conclude(w, &report, c).await?;
    Ok((report, c))
}

/// Makes an assistance request.
pub(crate) async fn request(
    w: &Write<'_>,
    i: graphql::RequestAssistanceInput,
) -> Result<AssistancePayload> {
    let question = required("question", Some(&i.question))?;
    if !(1..=30).contains(&i.due_in_working_days) {
        return Err(Error::bad_field(
            "dueInWorkingDays",
            "allow between 1 and 30 working days",
        ));
    }
    let c =
        crate::commitment::store::get(w.reader(), uuid_of("commitment", &i.commitment)?).await?;
    w.touch(&c.subject_id);
    let p = w.principal();
    p.must_own(&c.dept_code, &format!("commitment {}", c.id))?;
    if crate::commitment::state::is_final(c.state) {
        return Err(Error::bad_field(
            "commitment",
            format!("the commitment is {}: its matter is over", c.state),
        ));
    }
    if i.to_department == p.dept.as_str() {
        return Err(Error::bad_field(
            "toDepartment",
            "ask another department, not your own",
        ));
    }
    if !crate::directory::store::exists(w.reader(), &i.to_department).await? {
        return Err(Error::bad_field(
            "toDepartment",
            format!("there is no department {}", i.to_department),
        ));
    }
    let pending = match &i.condition_code {
        Some(code) => {
            let report = store::reports_of(w.reader(), c.id)
                .await?
                .into_iter()
                .find(|r| r.outcome.is_none())
                .ok_or_else(|| {
                    Error::bad_field(
                        "conditionCode",
                        "the commitment has no report waiting on checks",
                    )
                })?;
            let waiting = report
                .results
                .iter()
                .any(|r| &r.code == code && !r.decided());
            if !waiting {
                return Err(Error::bad_field(
                    "conditionCode",
                    format!("condition {code} is not waiting on a check"),
                ));
            }
            Some((report.id, code.clone()))
        }
        None => None,
    };
    let due = crate::calendar::store::add_working_days(
        w.reader(),
        w.clock().today(),
        i.due_in_working_days,
    )
    .await?
    .date;
    let txn = w.txn().await?;
    let new = store::NewRequest {
        commitment_id: c.id,
        report: pending.as_ref().map(|(id, code)| (*id, code.as_str())),
        from_dept: p.dept.as_str(),
        to_dept: &i.to_department,
        subject_id: &c.subject_id,
        question,
        due,
        by: &p.sub,
    };
    let request = store::insert_request(txn, new, w.clock().now()).await?;
    let report = match pending {
        Some((report_id, code)) => {
            let (report, _) = decide(w, report_id, &code, |r| {
                r.outcome = CheckOutcome::NeedsAssistance;
                r.assist_department = Some(request.to_dept.clone());
                r.detail = format!("asked of {}", request.to_dept);
                r.evidence.assistance_requests.push(request.id.to_string());
                Ok(())
            })
            .await?;
            Some(ReportNode(report))
        }
        None => None,
    };
    Ok(AssistancePayload {
        request: AssistanceNode(request),
        report,
    })
}

/// Answers an assistance request.
pub(crate) async fn respond(
    w: &Write<'_>,
    i: graphql::RespondAssistanceInput,
) -> Result<AssistancePayload> {
    let id = uuid_of("request", &i.request)?;
    let req = store::get_request(w.reader(), id).await?;
    w.touch(&req.subject_id);
    let p = w.principal();
    if p.dept.as_str() != req.to_dept {
        return Err(Error::Forbidden(format!(
            "request {id} is addressed to {}, not to {}",
            req.to_dept, p.dept
        )));
    }
    let (facts, reason) = match i.outcome {
        AssistanceOutcome::Confirmed | AssistanceOutcome::Denied => {
            (Some(required("facts", i.facts.as_deref())?), None)
        }
        AssistanceOutcome::CannotAssist => {
            let reason = i.reason.as_deref().map(str::trim).filter(|r| !r.is_empty()).ok_or_else(|| {
                Error::bad_field(
                    "reason",
                    "a department that cannot assist must say why in writing (证明事项方案 (八): 书面告知并说明理由)",
                )
            })?;
            (None, Some(reason))
        }
    };
    let txn = w.txn().await?;
    let request = store::answer(
        txn,
        id,
        i.outcome.as_str(),
        facts,
        reason,
        &p.sub,
        w.clock().now(),
    )
    .await?;
    let report = match (&request.report_id, &request.condition_code) {
        (Some(report_id), Some(code)) => {
            let answered_by = format!("{} ({})", p.dept, p.sub);
            let (report, _) = decide(w, *report_id, code, |r| {
                if r.outcome != CheckOutcome::NeedsAssistance {
                    return Ok(());
                }
                (r.outcome, r.detail) = match i.outcome {
                    AssistanceOutcome::Confirmed => (
                        CheckOutcome::Pass,
                        format!("confirmed by {}: {}", request.to_dept, facts.unwrap_or("")),
                    ),
                    AssistanceOutcome::Denied => (
                        CheckOutcome::Fail,
                        format!("denied by {}: {}", request.to_dept, facts.unwrap_or("")),
                    ),
                    AssistanceOutcome::CannotAssist => (
                        CheckOutcome::NeedsOnsite,
                        format!(
                            "{} cannot assist ({}): an inspector checks it on site",
                            request.to_dept,
                            reason.unwrap_or("")
                        ),
                    ),
                };
                r.decided_by = Some(answered_by);
                Ok(())
            })
            .await?;
            Some(ReportNode(report))
        }
        _ => None,
    };
    Ok(AssistancePayload {
        request: AssistanceNode(request),
        report,
    })
}

/// Records an inspector's finding.
pub(crate) async fn onsite(
    w: &Write<'_>,
    i: graphql::RecordOnsiteCheckInput,
) -> Result<VerificationPayload> {
    let findings = required("findings", Some(&i.findings))?;
    let report = store::get_report(w.reader(), uuid_of("report", &i.report)?).await?;
    w.touch(&report.subject_id);
    let p = w.principal();
    p.must_own(&report.dept_code, &format!("report {}", report.id))?;
    let inspector = format!("{} ({})", p.dept, p.sub);
    let (report, c) = decide(w, report.id, &i.condition_code, |r| {
        if r.outcome != CheckOutcome::NeedsOnsite {
            return Err(Error::bad_field(
                "conditionCode",
                format!(
                    "condition {} does not wait on an on-site check (it is {})",
                    r.code, r.outcome
                ),
            ));
        }
        r.outcome = if i.passed {
            CheckOutcome::Pass
        } else {
            CheckOutcome::Fail
        };
        r.detail = format!("on site: {findings}");
        r.decided_by = Some(inspector);
        Ok(())
    })
    .await?;
    Ok(VerificationPayload {
        report: ReportNode(report),
        commitment: CommitmentNode::new(c),
    })
}
