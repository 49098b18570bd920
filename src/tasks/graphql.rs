//! GraphQL of the reform task ledger: public reads, and progress reports
//! by the departments a task names.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};

use super::TaskStatus;
use super::ledger::{Group, Plan, TaskKind};
use super::store::{self, Report, Task};
use crate::auth::Scope;
use crate::connection_type;
use crate::directory::Level;
use crate::directory::graphql::DepartmentRef;
use crate::error::{Error, Result, required};
use crate::identity::scalars::Date;
use crate::pagination;
use crate::request::{ContextExt, Write};

/// Backing data of the GraphQL type of the same name.
#[derive(Clone)]
pub struct ReformTask(pub Task);

connection_type!(
    ReformTaskConnection,
    ReformTaskEdge,
    ReformTask,
    "reform tasks"
);

impl ReformTask {
    async fn named(&self, ctx: &Context<'_>, role: &str) -> Result<Vec<DepartmentRef>> {
        let named = ctx
            .request()
            .loaders
            .task_departments()
            .load_one(self.0.id.clone())
            .await
            .map_err(|e| {
                Error::internal_msg(format!("loading task departments: {:?}", e.message()))
            })?
            .unwrap_or_default();
        let mut out = Vec::new();
        for (code, r) in named {
            if r == role {
                out.push(DepartmentRef::load(ctx, &code).await?);
            }
        }
        Ok(out)
    }
}

/// A task or measure of the reform plans (任务分工), as the seed prints it,
/// with the progress its departments report. Public.
#[Object]
impl ReformTask {
    /// Identifier: the plan and the number, e.g. `BUSINESS_ENVIRONMENT:一(一)3`.
    async fn id(&self) -> ID {
        ID(self.0.id.clone())
    }
    /// The plan.
    async fn plan(&self) -> Plan {
        self.0.plan
    }
    /// The plan's title.
    async fn plan_title(&self) -> &'static str {
        self.0.plan.title()
    }
    /// Its number as printed: 一(一) is the first task of chapter one, 一(一)3 its third measure.
    async fn number(&self) -> &str {
        &self.0.number
    }
    /// Task or measure (具体措施).
    async fn kind(&self) -> TaskKind {
        self.0.kind
    }
    /// For a measure: its task.
    async fn parent(&self, ctx: &Context<'_>) -> Result<Option<ReformTask>> {
        let Some(id) = &self.0.parent_id else {
            return Ok(None);
        };
        Ok(ctx
            .request()
            .loaders
            .task()
            .load_one(id.clone())
            .await
            .map_err(|e| Error::internal_msg(format!("loading task {id}: {:?}", e.message())))?
            .map(ReformTask))
    }
    /// For a task: its measures, in order.
    async fn measures(&self, ctx: &Context<'_>) -> Result<Vec<ReformTask>> {
        Ok(ctx
            .request()
            .loaders
            .task_measures()
            .load_one(self.0.id.clone())
            .await
            .map_err(|e| Error::internal_msg(format!("loading measures: {:?}", e.message())))?
            .unwrap_or_default()
            .into_iter()
            .map(ReformTask)
            .collect())
    }
    /// Its text, without the closing clause that names its departments.
    async fn text(&self) -> &str {
        &self.0.text
    }
    /// Lead departments (牵头单位).
    async fn lead(&self, ctx: &Context<'_>) -> Result<Vec<DepartmentRef>> {
        self.named(ctx, "LEAD").await
    }
    /// Departments responsible with them (责任单位), named one by one.
    async fn responsible(&self, ctx: &Context<'_>) -> Result<Vec<DepartmentRef>> {
        self.named(ctx, "RESPONSIBLE").await
    }
    /// Bodies named as a group: CITY_DEPARTMENTS (市直各有关部门), COUNTIES
    /// (各县（区）), TOWNSHIPS (乡镇（街道）). Any department of that level
    /// shares the task.
    async fn groups(&self) -> &[Group] {
        &self.0.groups
    }
    /// Its deadline (完成时限), where the text gives one: a month means its last day.
    async fn deadline(&self) -> Option<Date> {
        self.0.deadline.map(Date)
    }
    /// The deadline as printed (e.g. 2021年3月底前, 2021年元月15日, 长期).
    async fn deadline_text(&self) -> Option<&str> {
        self.0.deadline_text.as_deref()
    }
    /// Whether the text says the work never ends (完成时限：长期).
    async fn ongoing(&self) -> bool {
        self.0.ongoing
    }
    /// Its status: the latest report's, NOT_STARTED before any.
    async fn status(&self) -> TaskStatus {
        self.0.status
    }
    /// When its status was last reported.
    async fn status_at(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        self.0.status_at
    }
    /// Whether its deadline has passed and it is not DONE.
    async fn overdue(&self, ctx: &Context<'_>) -> bool {
        self.0.overdue(ctx.app().clock.today())
    }
    /// Its progress reports, newest first; each is kept.
    async fn reports(&self, ctx: &Context<'_>) -> Result<Vec<TaskReport>> {
        Ok(ctx
            .request()
            .loaders
            .task_reports()
            .load_one(self.0.id.clone())
            .await
            .map_err(|e| Error::internal_msg(format!("loading reports: {:?}", e.message())))?
            .unwrap_or_default()
            .into_iter()
            .map(TaskReport)
            .collect())
    }
}

/// Backing data of the GraphQL type of the same name.
pub struct TaskReport(Report);

/// A progress report on a reform task.
#[Object]
impl TaskReport {
    /// Identifier.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// The reporting department.
    async fn department(&self, ctx: &Context<'_>) -> Result<DepartmentRef> {
        DepartmentRef::load(ctx, &self.0.dept_code).await
    }
    /// The status reported.
    async fn status(&self) -> Result<TaskStatus> {
        TaskStatus::from_stored(&self.0.status)
    }
    /// What was done, or why not.
    async fn note(&self) -> &str {
        &self.0.note
    }
    /// References to the evidence (documents, links, case numbers).
    async fn evidence(&self) -> Vec<String> {
        serde_json::from_value(self.0.evidence.clone()).unwrap_or_default()
    }
    /// When it was reported.
    async fn reported_at(&self) -> chrono::DateTime<chrono::Utc> {
        self.0.reported_at
    }
}

/// Which tasks to list.
#[derive(InputObject, Default)]
pub struct TaskFilter {
    /// Only this plan's.
    pub plan: Option<Plan>,
    /// Only tasks naming this department (lead or responsible).
    pub department: Option<String>,
    /// With `department`: only tasks it leads (牵头).
    #[graphql(default)]
    pub lead_only: bool,
    /// Only these statuses.
    #[graphql(default)]
    pub statuses: Vec<TaskStatus>,
    /// Only tasks past their deadline and not DONE.
    #[graphql(default)]
    pub overdue_only: bool,
    /// Only tasks, or only measures.
    pub kind: Option<TaskKind>,
}

/// The reform task ledger's queries (public).
#[derive(Default)]
pub struct TasksQuery;

#[Object]
impl TasksQuery {
    /// The tasks and measures of the four plans, in the seed's order.
    async fn tasks(
        &self,
        ctx: &Context<'_>,
        filter: Option<TaskFilter>,
        #[graphql(desc = "Page size, at most 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last task of the previous page.")] after: Option<String>,
    ) -> Result<ReformTaskConnection> {
        let f = filter.unwrap_or_default();
        let page = pagination::page(first, after)?;
        let filter = store::Filter {
            plan: f.plan,
            department: f.department,
            lead_only: f.lead_only,
            statuses: f.statuses,
            overdue_on: f.overdue_only.then(|| ctx.app().clock.today()),
            kind: f.kind,
        };
        let (rows, total) = store::list(&ctx.app().db.read, &filter, &page).await?;
        Ok(pagination::connection(
            rows,
            &page,
            total,
            |t| t.position,
            ReformTask,
        ))
    }

    /// One task or measure by its id (`PLAN:number`).
    async fn task(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The task's id, e.g. `BUSINESS_ENVIRONMENT:一(一)3`.")] id: ID,
    ) -> Result<Option<ReformTask>> {
        match store::get(&ctx.app().db.read, &id).await {
            Ok(t) => Ok(Some(ReformTask(t))),
            Err(Error::NotFound(_)) => Ok(None),
            Err(e) => Err(e),
        }
    }
}

/// A progress report.
#[derive(InputObject)]
pub struct ReportTaskProgressInput {
    /// The task or measure (`PLAN:number`).
    pub task: ID,
    /// Where it stands.
    pub status: TaskStatus,
    /// What was done, or why not.
    pub note: String,
    /// References to the evidence.
    #[graphql(default)]
    pub evidence: Vec<String>,
}

/// The result of a progress report.
#[derive(SimpleObject)]
pub struct ReportTaskProgressPayload {
    /// The task as it now stands.
    pub task: ReformTask,
    /// The report kept.
    pub report: TaskReport,
}

/// Progress reports on reform tasks.
#[derive(Default)]
pub struct TasksMutation;

#[Object]
impl TasksMutation {
    /// Reports progress on a task or measure (scope `tasks:report`). The
    /// caller's department must be named by it (lead or responsible), or be
    /// of a group it names (a city department for 市直各有关部门, a county for
    /// 各县（区）, a township centre for 乡镇（街道）); else FORBIDDEN. The
    /// report is kept and its status becomes the task's.
    async fn report_task_progress(
        &self,
        ctx: &Context<'_>,
        input: ReportTaskProgressInput,
    ) -> Result<ReportTaskProgressPayload> {
        let w = Write::begin(ctx, "reportTaskProgress", Scope::TasksReport).await?;
        let result = async {
            let note = required("note", &input.note)?.to_owned();
            let evidence: Vec<String> = input
                .evidence
                .iter()
                .map(|e| e.trim().to_owned())
                .filter(|e| !e.is_empty())
                .collect();
            let txn = w.txn().await?;
            let task = store::get(txn, &input.task).await?;
            let p = w.principal();
            let dept = p.dept.as_str();
            let named = store::named(txn, &task.id).await?;
            let level = crate::directory::store::find(txn, dept).await?.map(|d| d.level);
            let in_group = task.groups.iter().any(|g| {
                matches!(
                    (g, level),
                    (Group::CityDepartments, Some(Level::City))
                        | (Group::Counties, Some(Level::County))
                        | (Group::Townships, Some(Level::Township))
                )
            });
            if !named.iter().any(|(code, _)| code == dept) && !in_group {
                let names: Vec<&str> = named.iter().map(|(c, _)| c.as_str()).collect();
                let groups: Vec<&str> = task.groups.iter().map(|g| g.as_str()).collect();
                return Err(Error::Forbidden(format!(
                    "task {} names {} and the groups {}; department {dept} is not among them, so it does not report on it",
                    task.id,
                    if names.is_empty() { "no department".to_owned() } else { names.join(", ") },
                    if groups.is_empty() { "none".to_owned() } else { groups.join(", ") },
                )));
            }
            let report = Report {
                id: uuid::Uuid::now_v7(),
                task_id: task.id.clone(),
                dept_code: dept.to_owned(),
                sub: p.sub.clone(),
                status: input.status.as_str().to_owned(),
                note,
                evidence: serde_json::to_value(&evidence).map_err(Error::internal)?,
                reported_at: w.clock().now(),
            };
            store::report(txn, &report, input.status).await?;
            let task = store::get(txn, &task.id).await?;
            Ok(ReportTaskProgressPayload {
                task: ReformTask(task),
                report: TaskReport(report),
            })
        }
        .await;
        w.finish(result).await
    }
}
