//! Storage of verification reports and assistance requests.

use chrono::{DateTime, NaiveDate, Utc};
use entity::{assistance_request, verification_report};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect,
};
use uuid::Uuid;

use super::rules::ConditionResult;
use crate::error::{Error, Result};
use crate::pagination::Page;

/// A verification report.
#[derive(Clone, Debug)]
pub struct Report {
    /// Id.
    pub id: Uuid,
    /// The commitment verified.
    pub commitment_id: Uuid,
    /// The applicant.
    pub subject_id: String,
    /// The item.
    pub item_code: String,
    /// The department that ran it (the commitment's).
    pub dept_code: String,
    /// One result per condition.
    pub results: Vec<ConditionResult>,
    /// Whether every check is decided, and the outcome then.
    pub outcome: Option<bool>,
    /// The calling system that ran it.
    pub run_by: String,
    /// When.
    pub run_at: DateTime<Utc>,
    /// When the last check was decided.
    pub completed_at: Option<DateTime<Utc>>,
    /// Version, raised by every change.
    pub version: i32,
}

impl TryFrom<verification_report::Model> for Report {
    type Error = Error;
    fn try_from(m: verification_report::Model) -> Result<Self> {
        Ok(Report {
            results: serde_json::from_value(m.results).map_err(Error::internal)?,
            outcome: m.outcome.map(|o| o == "COMPLIANT"),
            id: m.id,
            commitment_id: m.commitment_id,
            subject_id: m.subject_id,
            item_code: m.item_code,
            dept_code: m.dept_code,
            run_by: m.run_by,
            run_at: m.run_at,
            completed_at: m.completed_at,
            version: m.version,
        })
    }
}

fn row(r: &Report) -> Result<verification_report::ActiveModel> {
    Ok(verification_report::ActiveModel {
        id: Set(r.id),
        commitment_id: Set(r.commitment_id),
        subject_id: Set(r.subject_id.clone()),
        item_code: Set(r.item_code.clone()),
        dept_code: Set(r.dept_code.clone()),
        status: Set(if r.outcome.is_some() {
            "COMPLETE"
        } else {
            "PENDING"
        }
        .to_owned()),
        outcome: Set(r
            .outcome
            .map(|ok| if ok { "COMPLIANT" } else { "NONCOMPLIANT" }.to_owned())),
        results: Set(serde_json::to_value(&r.results).map_err(Error::internal)?),
        run_by: Set(r.run_by.clone()),
        run_at: Set(r.run_at),
        completed_at: Set(r.completed_at),
        version: Set(r.version),
    })
}

/// Stores a new report.
pub async fn insert_report(conn: &impl ConnectionTrait, r: &Report) -> Result<()> {
    verification_report::Entity::insert(row(r)?)
        .exec_without_returning(conn)
        .await?;
    Ok(())
}

/// Stores a changed report if it is still at `r.version - 1`; `CONFLICT` otherwise.
pub async fn update_report(conn: &impl ConnectionTrait, r: &Report) -> Result<()> {
    let res = verification_report::Entity::update_many()
        .set(row(r)?)
        .filter(verification_report::Column::Id.eq(r.id))
        .filter(verification_report::Column::Version.eq(r.version - 1))
        .exec(conn)
        .await?;
    if res.rows_affected == 0 {
        return Err(Error::Conflict(format!(
            "report {} changed meanwhile; reload it and try again",
            r.id
        )));
    }
    Ok(())
}

/// One report, or `NOT_FOUND`.
pub async fn get_report(conn: &impl ConnectionTrait, id: Uuid) -> Result<Report> {
    verification_report::Entity::find_by_id(id)
        .one(conn)
        .await?
        .ok_or_else(|| Error::NotFound(format!("there is no verification report {id}")))
        .and_then(Report::try_from)
}

/// A commitment's reports, newest first.
pub async fn reports_of(conn: &impl ConnectionTrait, commitment: Uuid) -> Result<Vec<Report>> {
    verification_report::Entity::find()
        .filter(verification_report::Column::CommitmentId.eq(commitment))
        .order_by_desc(verification_report::Column::RunAt)
        .all(conn)
        .await?
        .into_iter()
        .map(Report::try_from)
        .collect()
}

/// A department's reports still waiting on a check, oldest first.
pub async fn pending_reports(conn: &impl ConnectionTrait, dept: &str) -> Result<Vec<Report>> {
    verification_report::Entity::find()
        .filter(verification_report::Column::DeptCode.eq(dept))
        .filter(verification_report::Column::Status.eq("PENDING"))
        .order_by_asc(verification_report::Column::RunAt)
        .limit(1000)
        .all(conn)
        .await?
        .into_iter()
        .map(Report::try_from)
        .collect()
}

/// An assistance request.
pub type Request = assistance_request::Model;

/// A request about to be stored.
pub struct NewRequest<'a> {
    /// The commitment it serves.
    pub commitment_id: Uuid,
    /// The report and condition it completes, if any.
    pub report: Option<(Uuid, &'a str)>,
    /// Asking department.
    pub from_dept: &'a str,
    /// Asked department.
    pub to_dept: &'a str,
    /// The applicant.
    pub subject_id: &'a str,
    /// The question.
    pub question: &'a str,
    /// Due date.
    pub due: NaiveDate,
    /// Calling system.
    pub by: &'a str,
}

/// Stores a new open request.
pub async fn insert_request(
    conn: &impl ConnectionTrait,
    r: NewRequest<'_>,
    now: DateTime<Utc>,
) -> Result<Request> {
    let row = assistance_request::ActiveModel {
        id: Set(Uuid::now_v7()),
        commitment_id: Set(r.commitment_id),
        report_id: Set(r.report.map(|(id, _)| id)),
        condition_code: Set(r.report.map(|(_, c)| c.to_owned())),
        from_dept: Set(r.from_dept.to_owned()),
        to_dept: Set(r.to_dept.to_owned()),
        subject_id: Set(r.subject_id.to_owned()),
        question: Set(r.question.to_owned()),
        due_date: Set(r.due),
        status: Set("OPEN".into()),
        outcome: Set(None),
        facts: Set(None),
        reason: Set(None),
        created_by: Set(r.by.to_owned()),
        created_at: Set(now),
        answered_by: Set(None),
        answered_at: Set(None),
    };
    Ok(assistance_request::Entity::insert(row)
        .exec_with_returning(conn)
        .await?)
}

/// One request, or `NOT_FOUND`.
pub async fn get_request(conn: &impl ConnectionTrait, id: Uuid) -> Result<Request> {
    assistance_request::Entity::find_by_id(id)
        .one(conn)
        .await?
        .ok_or_else(|| Error::NotFound(format!("there is no assistance request {id}")))
}

/// Records the answer to an open request; `CONFLICT` if it was answered meanwhile.
pub async fn answer(
    conn: &impl ConnectionTrait,
    id: Uuid,
    outcome: &str,
    facts: Option<&str>,
    reason: Option<&str>,
    by: &str,
    now: DateTime<Utc>,
) -> Result<Request> {
    let res = assistance_request::Entity::update_many()
        .col_expr(assistance_request::Column::Status, "ANSWERED".into())
        .col_expr(assistance_request::Column::Outcome, outcome.into())
        .col_expr(
            assistance_request::Column::Facts,
            facts.map(str::to_owned).into(),
        )
        .col_expr(
            assistance_request::Column::Reason,
            reason.map(str::to_owned).into(),
        )
        .col_expr(assistance_request::Column::AnsweredBy, by.into())
        .col_expr(assistance_request::Column::AnsweredAt, now.into())
        .filter(assistance_request::Column::Id.eq(id))
        .filter(assistance_request::Column::Status.eq("OPEN"))
        .exec(conn)
        .await?;
    if res.rows_affected == 0 {
        return Err(Error::Conflict(format!(
            "assistance request {id} was already answered"
        )));
    }
    get_request(conn, id).await
}

/// Filter of the request list.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    /// Requests addressed to this department.
    pub to_dept: Option<String>,
    /// Requests made by this department.
    pub from_dept: Option<String>,
    /// OPEN or ANSWERED.
    pub status: Option<String>,
    /// Only open ones past their due date on this day.
    pub overdue_on: Option<NaiveDate>,
}

/// A page of requests, newest first.
pub async fn list(
    conn: &impl ConnectionTrait,
    f: &Filter,
    page: &Page<(DateTime<Utc>, Uuid)>,
) -> Result<(Vec<Request>, u64)> {
    use assistance_request::Column as C;
    let mut q = assistance_request::Entity::find();
    if let Some(d) = &f.to_dept {
        q = q.filter(C::ToDept.eq(d.as_str()));
    }
    if let Some(d) = &f.from_dept {
        q = q.filter(C::FromDept.eq(d.as_str()));
    }
    if let Some(s) = &f.status {
        q = q.filter(C::Status.eq(s.as_str()));
    }
    if let Some(day) = f.overdue_on {
        q = q.filter(C::Status.eq("OPEN")).filter(C::DueDate.lt(day));
    }
    let total = q.clone().count(conn).await?;
    let rows = crate::pagination::newest_first(q, C::CreatedAt, C::Id, page)
        .all(conn)
        .await?;
    Ok((rows, total))
}

/// Requests addressed to a department after a point, oldest first (the
/// subscription's poll).
pub async fn addressed_since(
    conn: &impl ConnectionTrait,
    dept: &str,
    after: (DateTime<Utc>, Uuid),
) -> Result<Vec<Request>> {
    use assistance_request::Column as C;
    let (at, id) = after;
    Ok(assistance_request::Entity::find()
        .filter(C::ToDept.eq(dept))
        .filter(
            Condition::any()
                .add(C::CreatedAt.gt(at))
                .add(Condition::all().add(C::CreatedAt.eq(at)).add(C::Id.gt(id))),
        )
        .order_by_asc(C::CreatedAt)
        .order_by_asc(C::Id)
        .limit(100)
        .all(conn)
        .await?)
}
