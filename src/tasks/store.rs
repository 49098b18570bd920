//! Storage of the reform task ledger and its progress reports.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::Loader;
use chrono::{DateTime, NaiveDate, Utc};
use entity::{reform_task, reform_task_dept, task_report};
use sea_orm::sea_query::{OnConflict, Query};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};

use super::TaskStatus;
use super::ledger::{self, Group, Plan, TaskKind};
use crate::error::{Error, Result};
use crate::pagination::Page;

/// A task as stored, with its latest status.
#[derive(Clone, Debug)]
pub struct Task {
    /// `PLAN:number`, e.g. `BUSINESS_ENVIRONMENT:一(一)3`.
    pub id: String,
    /// Its plan.
    pub plan: Plan,
    /// Its number as printed.
    pub number: String,
    /// The task a measure belongs to.
    pub parent_id: Option<String>,
    /// Task or measure.
    pub kind: TaskKind,
    /// Its place in the ledger.
    pub position: i32,
    /// Its text.
    pub text: String,
    /// Its deadline.
    pub deadline: Option<NaiveDate>,
    /// The deadline as printed.
    pub deadline_text: Option<String>,
    /// Whether it never ends (长期).
    pub ongoing: bool,
    /// Groups named as responsible.
    pub groups: Vec<Group>,
    /// The latest reported status.
    pub status: TaskStatus,
    /// When it was last reported.
    pub status_at: Option<DateTime<Utc>>,
}

impl Task {
    /// Whether it is past its deadline and not done.
    pub fn overdue(&self, today: NaiveDate) -> bool {
        self.status != TaskStatus::Done && self.deadline.is_some_and(|d| d < today)
    }
}

impl TryFrom<reform_task::Model> for Task {
    type Error = Error;
    fn try_from(m: reform_task::Model) -> Result<Self> {
        Ok(Task {
            plan: Plan::from_stored(&m.plan)?,
            kind: TaskKind::from_stored(&m.kind)?,
            status: TaskStatus::from_stored(&m.status)?,
            groups: serde_json::from_value(m.groups).map_err(Error::internal)?,
            id: m.id,
            number: m.number,
            parent_id: m.parent_id,
            position: m.position,
            text: m.text,
            deadline: m.deadline,
            deadline_text: m.deadline_text,
            ongoing: m.ongoing,
            status_at: m.status_at,
        })
    }
}

/// The id of a task of a plan.
pub fn task_id(plan: Plan, number: &str) -> String {
    format!("{}:{number}", plan.as_str())
}

/// Loads the ledger parsed from the seed: tasks are added or their text
/// refreshed, their reported status kept; the departments they name are
/// replaced.
pub async fn load(conn: &impl ConnectionTrait, tasks: &[ledger::Task]) -> Result<()> {
    for chunk in tasks.chunks(200) {
        let rows = chunk.iter().map(|t| {
            Ok(reform_task::ActiveModel {
                id: Set(task_id(t.plan, &t.number)),
                plan: Set(t.plan.as_str().to_owned()),
                number: Set(t.number.clone()),
                parent_id: Set(t.parent.as_deref().map(|p| task_id(t.plan, p))),
                kind: Set(t.kind.as_str().to_owned()),
                position: Set(i32::try_from(t.position).unwrap_or(i32::MAX)),
                text: Set(t.text.clone()),
                deadline: Set(t.deadline),
                deadline_text: Set(t.deadline_text.clone()),
                ongoing: Set(t.ongoing),
                groups: Set(serde_json::to_value(&t.groups).map_err(Error::internal)?),
                status: Set(TaskStatus::NotStarted.as_str().to_owned()),
                status_at: Set(None),
            })
        });
        let rows = rows.collect::<Result<Vec<_>>>()?;
        reform_task::Entity::insert_many(rows)
            .on_conflict(
                OnConflict::column(reform_task::Column::Id)
                    .update_columns([
                        reform_task::Column::Plan,
                        reform_task::Column::Number,
                        reform_task::Column::ParentId,
                        reform_task::Column::Kind,
                        reform_task::Column::Position,
                        reform_task::Column::Text,
                        reform_task::Column::Deadline,
                        reform_task::Column::DeadlineText,
                        reform_task::Column::Ongoing,
                        reform_task::Column::Groups,
                    ])
                    .to_owned(),
            )
            .exec(conn)
            .await?;
    }
    reform_task_dept::Entity::delete_many().exec(conn).await?;
    let mut rows = Vec::new();
    for t in tasks {
        let id = task_id(t.plan, &t.number);
        let named = t
            .lead
            .iter()
            .map(|c| (c, "LEAD"))
            .chain(t.responsible.iter().map(|c| (c, "RESPONSIBLE")));
        for (seq, (code, role)) in named.enumerate() {
            rows.push(reform_task_dept::ActiveModel {
                task_id: Set(id.clone()),
                dept_code: Set(code.clone()),
                role: Set(role.to_owned()),
                seq: Set(seq as i32 + 1),
            });
        }
    }
    for chunk in rows.chunks(500) {
        reform_task_dept::Entity::insert_many(chunk.to_vec())
            .exec(conn)
            .await?;
    }
    Ok(())
}

/// One task, or NOT_FOUND.
pub async fn get(conn: &impl ConnectionTrait, id: &str) -> Result<Task> {
    reform_task::Entity::find_by_id(id.to_owned())
        .one(conn)
        .await?
        .ok_or_else(|| Error::NotFound(format!("there is no reform task {id}")))
        .and_then(Task::try_from)
}

/// Tasks by id (DataLoader).
pub struct TaskLoader(pub DatabaseConnection);

impl Loader<String> for TaskLoader {
    type Value = Task;
    type Error = Arc<Error>;

    async fn load(
        &self,
        keys: &[String],
    ) -> std::result::Result<HashMap<String, Task>, Self::Error> {
        let rows = reform_task::Entity::find()
            .filter(reform_task::Column::Id.is_in(keys.iter().cloned()))
            .all(&self.0)
            .await
            .map_err(|e| Arc::new(e.into()))?;
        rows.into_iter()
            .map(|m| Task::try_from(m).map(|t| (t.id.clone(), t)))
            .collect::<Result<_>>()
            .map_err(Arc::new)
    }
}

/// Filter of the task list.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    /// Only this plan's.
    pub plan: Option<Plan>,
    /// Only tasks naming this department (lead or responsible).
    pub department: Option<String>,
    /// Only where it leads.
    pub lead_only: bool,
    /// Only these statuses.
    pub statuses: Vec<TaskStatus>,
    /// Only tasks overdue on this day.
    pub overdue_on: Option<NaiveDate>,
    /// Only tasks or only measures.
    pub kind: Option<TaskKind>,
}

/// A page of tasks in ledger order, and the total.
pub async fn list(
    conn: &impl ConnectionTrait,
    f: &Filter,
    page: &Page<i32>,
) -> Result<(Vec<Task>, u64)> {
    use reform_task::Column as C;
    let mut cond = Condition::all();
    if let Some(p) = f.plan {
        cond = cond.add(C::Plan.eq(p.as_str()));
    }
    if let Some(d) = &f.department {
        let mut sub = Query::select();
        sub.column(reform_task_dept::Column::TaskId)
            .from(reform_task_dept::Entity)
            .and_where(reform_task_dept::Column::DeptCode.eq(d.as_str()));
        if f.lead_only {
            sub.and_where(reform_task_dept::Column::Role.eq("LEAD"));
        }
        cond = cond.add(C::Id.in_subquery(sub.to_owned()));
    }
    if !f.statuses.is_empty() {
        cond = cond.add(C::Status.is_in(f.statuses.iter().map(|s| s.as_str())));
    }
    if let Some(today) = f.overdue_on {
        cond = cond
            .add(C::Deadline.lt(today))
            .add(C::Status.ne(TaskStatus::Done.as_str()));
    }
    if let Some(k) = f.kind {
        cond = cond.add(C::Kind.eq(k.as_str()));
    }
    let total = reform_task::Entity::find()
        .filter(cond.clone())
        .count(conn)
        .await?;
    let mut q = reform_task::Entity::find().filter(cond);
    if let Some(after) = page.after {
        q = q.filter(C::Position.gt(after));
    }
    let rows = q
        .order_by_asc(C::Position)
        .limit(page.first + 1)
        .all(conn)
        .await?;
    Ok((
        rows.into_iter()
            .map(Task::try_from)
            .collect::<Result<_>>()?,
        total,
    ))
}

/// The departments a task names: (code, LEAD or RESPONSIBLE).
pub type Named = Vec<(String, String)>;

/// Departments by task (DataLoader).
pub struct NamedLoader(pub DatabaseConnection);

impl Loader<String> for NamedLoader {
    type Value = Named;
    type Error = Arc<Error>;

    async fn load(
        &self,
        keys: &[String],
    ) -> std::result::Result<HashMap<String, Named>, Self::Error> {
        let rows = reform_task_dept::Entity::find()
            .filter(reform_task_dept::Column::TaskId.is_in(keys.iter().cloned()))
            .order_by_asc(reform_task_dept::Column::TaskId)
            .order_by_asc(reform_task_dept::Column::Seq)
            .all(&self.0)
            .await
            .map_err(|e| Arc::new(e.into()))?;
        let mut out: HashMap<String, Named> =
            keys.iter().map(|k| (k.clone(), Vec::new())).collect();
        for r in rows {
            out.entry(r.task_id)
                .or_default()
                .push((r.dept_code, r.role));
        }
        Ok(out)
    }
}

/// The departments a task names, from a transaction.
pub async fn named(conn: &impl ConnectionTrait, id: &str) -> Result<Named> {
    Ok(reform_task_dept::Entity::find()
        .filter(reform_task_dept::Column::TaskId.eq(id))
        .all(conn)
        .await?
        .into_iter()
        .map(|r| (r.dept_code, r.role))
        .collect())
}

/// Measures by task (DataLoader).
pub struct MeasuresLoader(pub DatabaseConnection);

impl Loader<String> for MeasuresLoader {
    type Value = Vec<Task>;
    type Error = Arc<Error>;

    async fn load(
        &self,
        keys: &[String],
    ) -> std::result::Result<HashMap<String, Vec<Task>>, Self::Error> {
        let rows = reform_task::Entity::find()
            .filter(reform_task::Column::ParentId.is_in(keys.iter().cloned()))
            .order_by_asc(reform_task::Column::Position)
            .all(&self.0)
            .await
            .map_err(|e| Arc::new(e.into()))?;
        let mut out: HashMap<String, Vec<Task>> =
            keys.iter().map(|k| (k.clone(), Vec::new())).collect();
        for r in rows {
            let t = Task::try_from(r).map_err(Arc::new)?;
            if let Some(p) = t.parent_id.clone() {
                out.entry(p).or_default().push(t);
            }
        }
        Ok(out)
    }
}

/// A progress report.
pub type Report = task_report::Model;

/// Reports by task, newest first (DataLoader).
pub struct ReportsLoader(pub DatabaseConnection);

impl Loader<String> for ReportsLoader {
    type Value = Vec<Report>;
    type Error = Arc<Error>;

    async fn load(
        &self,
        keys: &[String],
    ) -> std::result::Result<HashMap<String, Vec<Report>>, Self::Error> {
        let rows = task_report::Entity::find()
            .filter(task_report::Column::TaskId.is_in(keys.iter().cloned()))
            .order_by_desc(task_report::Column::ReportedAt)
            .order_by_desc(task_report::Column::Id)
            .all(&self.0)
            .await
            .map_err(|e| Arc::new(e.into()))?;
        let mut out: HashMap<String, Vec<Report>> =
            keys.iter().map(|k| (k.clone(), Vec::new())).collect();
        for r in rows {
            out.entry(r.task_id.clone()).or_default().push(r);
        }
        Ok(out)
    }
}

/// Keeps a report and makes its status the task's.
pub async fn report(conn: &impl ConnectionTrait, row: &Report, status: TaskStatus) -> Result<()> {
    task_report::Entity::insert(task_report::ActiveModel::from(row.clone()))
        .exec(conn)
        .await?;
    reform_task::Entity::update_many()
        .set(reform_task::ActiveModel {
            status: Set(status.as_str().to_owned()),
            status_at: Set(Some(row.reported_at)),
            ..Default::default()
        })
        .filter(reform_task::Column::Id.eq(row.task_id.as_str()))
        .exec(conn)
        .await?;
    Ok(())
}

/// How many tasks the ledger holds.
pub async fn count(conn: &impl ConnectionTrait) -> Result<u64> {
    Ok(reform_task::Entity::find().count(conn).await?)
}

/// Ids of the tasks a department is named in (for the demo).
pub async fn ids_naming(conn: &impl ConnectionTrait, dept: &str) -> Result<Vec<String>> {
    Ok(reform_task_dept::Entity::find()
        .filter(reform_task_dept::Column::DeptCode.eq(dept))
        .select_only()
        .column(reform_task_dept::Column::TaskId)
        .into_tuple()
        .all(conn)
        .await?)
}
