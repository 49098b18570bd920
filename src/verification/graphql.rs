//! GraphQL of online verification, assistance requests, batch lookups and
//! the subscription that delivers new requests.

use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject, Subscription};
use chrono::{DateTime, Utc};
use futures_util::Stream;
use uuid::Uuid;

use super::rules::{CheckOutcome, ConditionResult, Evidence};
use super::store::{self, Report, Request};
use crate::auth::Scope;
use crate::commitment::graphql::CommitmentNode;
use crate::connection_type;
use crate::credit::graphql::uuid_of;
use crate::directory::graphql::{DepartmentRef, Subject};
use crate::error::{Error, Result};
use crate::identity::SubjectId;
use crate::identity::scalars::Date;
use crate::pagination;
use crate::power_list::rules::CheckBinding;
use crate::request::{ContextExt, Write};

/// One condition's result, as GraphQL shows it.
pub struct ConditionResultNode(pub ConditionResult);

/// The result of checking one condition of an item against the shared data
/// (在线核查结果), with the evidence it rests on.
#[Object(name = "ConditionResult")]
impl ConditionResultNode {
    /// The condition's code.
    async fn condition_code(&self) -> &str {
        &self.0.code
    }
    /// The condition as signed.
    async fn text(&self) -> &str {
        &self.0.text
    }
    /// How it is checked; empty for a condition bound to nothing (on site).
    async fn binding(&self) -> Option<CheckBinding> {
        self.0.binding
    }
    /// PASS, FAIL, NEEDS_ONSITE or NEEDS_ASSISTANCE.
    async fn result(&self) -> CheckOutcome {
        self.0.outcome
    }
    /// Why.
    async fn detail(&self) -> &str {
        &self.0.detail
    }
    /// What the result rests on: certificates, credit records, list entries,
    /// earlier commitments, assistance requests.
    async fn evidence(&self) -> &Evidence {
        &self.0.evidence
    }
    /// For NEEDS_ASSISTANCE: the department asked.
    async fn assist_department(&self, ctx: &Context<'_>) -> Result<Option<DepartmentRef>> {
        match &self.0.assist_department {
            Some(code) if crate::directory::store::exists(&ctx.app().db.read, code).await? => {
                Ok(Some(DepartmentRef::load(ctx, code).await?))
            }
            _ => Ok(None),
        }
    }
    /// Who decided an on-site or assisted check.
    async fn decided_by(&self) -> Option<&str> {
        self.0.decided_by.as_deref()
    }
}

/// A report as GraphQL shows it.
pub struct ReportNode(pub Report);

/// Whether a report is decided.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Enum)]
pub enum ReportStatus {
    /// Some checks wait for an inspector or another department.
    Pending,
    /// Every check is decided.
    Complete,
}

/// A verification report (在线核查报告): one result per condition of the
/// commitment's item, and the outcome once every check is decided.
#[Object(name = "VerificationReport")]
impl ReportNode {
    /// Identifier.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// The commitment verified.
    async fn commitment(&self, ctx: &Context<'_>) -> Result<CommitmentNode> {
        Ok(CommitmentNode::new(
            crate::commitment::store::get(&ctx.app().db.read, self.0.commitment_id).await?,
        ))
    }
    /// PENDING while a check waits; COMPLETE when all are decided.
    async fn status(&self) -> ReportStatus {
        if self.0.outcome.is_some() {
            ReportStatus::Complete
        } else {
            ReportStatus::Pending
        }
    }
    /// Once complete: true when every check passed.
    async fn compliant(&self) -> Option<bool> {
        self.0.outcome
    }
    /// One result per condition.
    async fn results(&self) -> Vec<ConditionResultNode> {
        self.0
            .results
            .iter()
            .cloned()
            .map(ConditionResultNode)
            .collect()
    }
    /// The calling system that ran it.
    async fn run_by(&self) -> &str {
        &self.0.run_by
    }
    /// When it was run.
    async fn run_at(&self) -> DateTime<Utc> {
        self.0.run_at
    }
    /// When its last check was decided.
    async fn completed_at(&self) -> Option<DateTime<Utc>> {
        self.0.completed_at
    }
}

/// An assistance request as GraphQL shows it.
#[derive(Clone)]
pub struct AssistanceNode(pub Request);

connection_type!(
    AssistanceRequestConnection,
    AssistanceRequestEdge,
    AssistanceNode,
    "assistance requests"
);

/// The answer to an assistance request.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Enum)]
pub enum AssistanceOutcome {
    /// The data confirms what the applicant committed to.
    Confirmed,
    /// The data contradicts it.
    Denied,
    /// The department cannot assist; it says why in writing (书面告知并说明理由).
    CannotAssist,
}

impl AssistanceOutcome {
    /// The stored form.
    pub fn as_str(self) -> &'static str {
        match self {
            AssistanceOutcome::Confirmed => "CONFIRMED",
            AssistanceOutcome::Denied => "DENIED",
            AssistanceOutcome::CannotAssist => "CANNOT_ASSIST",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        match s {
            "CONFIRMED" => Some(AssistanceOutcome::Confirmed),
            "DENIED" => Some(AssistanceOutcome::Denied),
            "CANNOT_ASSIST" => Some(AssistanceOutcome::CannotAssist),
            _ => None,
        }
    }
}

/// A request from one department to another to check data it holds
/// (协助核查, 证明事项方案 (八)): the asked department must answer, or refuse in
/// writing with a reason.
#[Object(name = "AssistanceRequest")]
impl AssistanceNode {
    /// Identifier.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// The commitment the check serves.
    async fn commitment_id(&self) -> ID {
        ID(self.0.commitment_id.to_string())
    }
    /// The report and condition it completes, if any.
    async fn report_id(&self) -> Option<ID> {
        self.0.report_id.map(|id| ID(id.to_string()))
    }
    /// The condition it completes, if any.
    async fn condition_code(&self) -> Option<&str> {
        self.0.condition_code.as_deref()
    }
    /// The asking department.
    #[graphql(name = "fromDepartment")]
    async fn asking_department(&self, ctx: &Context<'_>) -> Result<DepartmentRef> {
        DepartmentRef::load(ctx, &self.0.from_dept).await
    }
    /// The asked department.
    async fn to_department(&self, ctx: &Context<'_>) -> Result<DepartmentRef> {
        DepartmentRef::load(ctx, &self.0.to_dept).await
    }
    /// The applicant (a person's ID number masked without `pii:read`).
    async fn subject_id(&self, ctx: &Context<'_>) -> String {
        ctx.caller().show_subject_id(&self.0.subject_id)
    }
    /// What is asked.
    async fn question(&self) -> &str {
        &self.0.question
    }
    /// The day the answer is due.
    async fn due_date(&self) -> Date {
        Date(self.0.due_date)
    }
    /// True while unanswered past the due date.
    async fn overdue(&self, ctx: &Context<'_>) -> bool {
        self.0.status == "OPEN" && self.0.due_date < ctx.app().clock.today()
    }
    /// OPEN or ANSWERED.
    async fn status(&self) -> &str {
        &self.0.status
    }
    /// The answer.
    async fn outcome(&self) -> Option<AssistanceOutcome> {
        self.0.outcome.as_deref().and_then(AssistanceOutcome::parse)
    }
    /// The facts found, for CONFIRMED or DENIED.
    async fn facts(&self) -> Option<&str> {
        self.0.facts.as_deref()
    }
    /// The written reason, for CANNOT_ASSIST.
    async fn reason(&self) -> Option<&str> {
        self.0.reason.as_deref()
    }
    /// When it was made.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When it was answered.
    async fn answered_at(&self) -> Option<DateTime<Utc>> {
        self.0.answered_at
    }
}

/// The result of checking a subject against an item before any commitment.
#[derive(SimpleObject)]
pub struct SubjectCheck {
    /// The item's code.
    pub item: String,
    /// Whether the subject's credit leaves the commitment route open.
    pub commitment_route_open: bool,
    /// Why not, if closed.
    pub route_closed_reasons: Vec<String>,
    /// One result per condition.
    pub results: Vec<ConditionResultNode>,
    /// True when every check passed on shared data alone.
    pub all_passed: bool,
    /// How many checks need an inspector or another department.
    pub undecided: u32,
}

/// A commitment whose checks need an inspector (现场核查), for the
/// 互联网+监管 push to field staff.
#[derive(SimpleObject)]
pub struct OnsiteCheck {
    /// The commitment.
    pub commitment: CommitmentNode,
    /// The report waiting.
    pub report_id: ID,
    /// The conditions to check on site.
    pub conditions: Vec<ConditionResultNode>,
    /// The post-approval check's due date.
    pub due: Option<Date>,
}

/// Which way assistance requests go.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Enum)]
pub enum Direction {
    /// Addressed to the caller's department (scope `assistance:respond`).
    Incoming,
    /// Made by the caller's department (scope `verification:run`).
    Outgoing,
}

/// The most subjects one batch lookup may name.
pub const MAX_BATCH: usize = 1000;

/// Reads of online verification.
#[derive(Default)]
pub struct VerificationQuery;

#[Object]
impl VerificationQuery {
    /// A commitment's verification reports, newest first (scope `verification:run` or `commitment:read`; audited).
    async fn verification_reports(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The commitment.")] commitment: ID,
    ) -> Result<Vec<ReportNode>> {
        let c =
            crate::commitment::store::get(&ctx.app().db.read, uuid_of("commitment", &commitment)?)
                .await?;
        ctx.read_with("verificationReports", Scope::VerificationRun)
            .or_else(|_| ctx.read_with("verificationReports", Scope::CommitmentRead))?;
        ctx.touched(&c.subject_id);
        Ok(store::reports_of(&ctx.app().db.read, c.id)
            .await?
            .into_iter()
            .map(ReportNode)
            .collect())
    }

    /// Checks a subject against an item's conditions before any commitment
    /// exists, storing nothing but the audit entry: for a department deciding
    /// which route to offer (scope `verification:run`).
    async fn check_subject(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The applicant.")] subject: SubjectId,
        #[graphql(desc = "The power-list item's code.")] item: String,
    ) -> Result<SubjectCheck> {
        ctx.read_with("checkSubject", Scope::VerificationRun)?;
        ctx.touched(subject.as_str());
        let db = &ctx.app().db.read;
        let item = crate::power_list::store::get(db, &item).await?;
        let today = ctx.app().clock.today();
        let (dossier, certificates, commitments) = super::facts_of(db, subject.as_str()).await?;
        let standing = dossier.standing(today);
        let facts = super::rules::SubjectFacts {
            subject_id: subject.as_str(),
            dossier: &dossier,
            certificates: &certificates,
            commitments: &commitments,
            exclude: None,
            today,
        };
        let results: Vec<ConditionResult> = item
            .details
            .conditions
            .iter()
            .map(|c| super::rules::evaluate(c, &facts))
            .collect();
        Ok(SubjectCheck {
            item: item.code,
            commitment_route_open: standing.route_open,
            route_closed_reasons: standing.reasons,
            all_passed: results.iter().all(|r| r.outcome == CheckOutcome::Pass),
            undecided: results.iter().filter(|r| !r.decided()).count() as u32,
            results: results.into_iter().map(ConditionResultNode).collect(),
        })
    }

    /// Assistance requests of the caller's department, newest first.
    #[graphql(complexity = "first.unwrap_or(20).max(0) as usize * child_complexity")]
    async fn assistance_requests(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "INCOMING (to the caller's department) or OUTGOING (made by it).")]
        direction: Direction,
        #[graphql(desc = "Only OPEN or only ANSWERED ones.")] status: Option<String>,
        #[graphql(desc = "Only open ones past their due date.", default)] overdue_only: bool,
        #[graphql(desc = "Page size, at most 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last request of the previous page.")] after: Option<String>,
    ) -> Result<AssistanceRequestConnection> {
        let p = match direction {
            Direction::Incoming => ctx.read_with("assistanceRequests", Scope::AssistanceRespond)?,
            Direction::Outgoing => ctx.read_with("assistanceRequests", Scope::VerificationRun)?,
        };
        let dept = p.dept.as_str().to_owned();
        let page = pagination::page(first, after)?;
        let filter = store::Filter {
            to_dept: (direction == Direction::Incoming).then(|| dept.clone()),
            from_dept: (direction == Direction::Outgoing).then_some(dept),
            status,
            overdue_on: overdue_only.then(|| ctx.app().clock.today()),
        };
        let (rows, total) = store::list(&ctx.app().db.read, &filter, &page).await?;
        for r in &rows {
            ctx.touched(&r.subject_id);
        }
        Ok(pagination::connection(
            rows,
            &page,
            total,
            |r| (r.created_at, r.id),
            AssistanceNode,
        ))
    }

    /// Commitments whose checks need an inspector, with their due dates
    /// (scope `verification:run`; another department's need `commitment:read` too).
    async fn pending_onsite_checks(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The department (default: the caller's).")] department: Option<String>,
    ) -> Result<Vec<OnsiteCheck>> {
        let p = ctx.read_with("pendingOnsiteChecks", Scope::VerificationRun)?;
        let dept = department.unwrap_or_else(|| p.dept.as_str().to_owned());
        if dept != p.dept.as_str() && !ctx.caller().has(Scope::CommitmentRead) {
            return Err(Error::Forbidden(
                "another department's checks need scope commitment:read".into(),
            ));
        }
        let db = &ctx.app().db.read;
        let mut out = Vec::new();
        for report in store::pending_reports(db, &dept).await? {
            let onsite: Vec<ConditionResult> = report
                .results
                .iter()
                .filter(|r| r.outcome == CheckOutcome::NeedsOnsite)
                .cloned()
                .collect();
            if onsite.is_empty() {
                continue;
            }
            let c = crate::commitment::store::get(db, report.commitment_id).await?;
            ctx.touched(&c.subject_id);
            out.push(OnsiteCheck {
                due: c.verification_due.map(Date),
                commitment: CommitmentNode::new(c),
                report_id: ID(report.id.to_string()),
                conditions: onsite.into_iter().map(ConditionResultNode).collect(),
            });
        }
        Ok(out)
    }

    /// Many subjects at once (up to 1,000): ask each for its credit status,
    /// certificates and open commitments in one request; the hub answers with
    /// a fixed number of queries whatever the number of subjects. Needs a
    /// token; each field needs its scope; audited.
    #[graphql(complexity = "ids.len() * child_complexity")]
    async fn subjects(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "统一社会信用代码 or 公民身份号码, at most 1,000.")] ids: Vec<SubjectId>,
    ) -> Result<Vec<Subject>> {
        ctx.read_authenticated("subjects")?;
        if ids.len() > MAX_BATCH {
            return Err(Error::bad_field(
                "ids",
                format!(
                    "at most {MAX_BATCH} subjects per request, not {}",
                    ids.len()
                ),
            ));
        }
        let turn = std::sync::Arc::new(
            ctx.app()
                .batches
                .clone()
                .acquire_owned()
                .await
                .map_err(|_| Error::internal_msg("the batch lookups' turns are closed"))?,
        );
        let keys: Vec<String> = ids.iter().map(|id| id.as_str().to_owned()).collect();
        let names = crate::directory::store::names_of(&ctx.app().db.reader, &keys).await?;
        prime(ctx, &keys).await?;
        Ok(ids
            .into_iter()
            .map(|id| {
                ctx.touched(id.as_str());
                let name = names.get(id.as_str()).cloned();
                Subject::new(id, name.clone().flatten(), name.is_some()).in_turn(turn.clone())
            })
            .collect())
    }
}

/// Loads, in one batch each, the relations the selection asks of every
/// subject, so that each subject then reads its own from the request's cache:
/// a fixed number of queries whatever the number of subjects.
async fn prime(ctx: &Context<'_>, keys: &[String]) -> Result<()> {
    let look = ctx.look_ahead();
    let loaders = &ctx.request().loaders;
    let err = |e: std::sync::Arc<Error>| Error::internal_msg(format!("{:?}", e.message()));
    let (credit, certificates, commitments) = tokio::join!(
        async {
            if look.field("credit").exists() {
                loaders
                    .dossiers()
                    .load_many(keys.iter().cloned())
                    .await
                    .map(drop)
            } else {
                Ok(())
            }
        },
        async {
            if look.field("certificates").exists() {
                loaders
                    .certificates()
                    .load_many(keys.iter().cloned())
                    .await
                    .map(drop)
            } else {
                Ok(())
            }
        },
        async {
            // Each form the selection asks for: all, or only the open ones.
            let mut open = false;
            let mut all = false;
            for f in look.selection_fields() {
                for c in f.selection_set().filter(|c| c.name() == "commitments") {
                    let only = c
                        .arguments()
                        .ok()
                        .and_then(|args| {
                            args.into_iter()
                                .find(|(n, _)| n.as_str() == "openOnly")
                                .map(|(_, v)| v == async_graphql::Value::Boolean(true))
                        })
                        .unwrap_or(false);
                    if only {
                        open = true;
                    } else {
                        all = true;
                    }
                }
            }
            if open {
                loaders
                    .open_commitments()
                    .load_many(keys.iter().cloned())
                    .await
                    .map(drop)?;
            }
            if all {
                loaders
                    .commitments()
                    .load_many(keys.iter().cloned())
                    .await
                    .map(drop)?;
            }
            Ok(())
        },
    );
    credit.map_err(err)?;
    certificates.map_err(err)?;
    commitments.map_err(err)
}

/// What to verify.
#[derive(InputObject)]
pub struct RunOnlineVerificationInput {
    /// The commitment (APPROVED or VERIFYING), of the caller's department.
    pub commitment: ID,
}

/// The result of running or completing a verification.
#[derive(SimpleObject)]
pub struct VerificationPayload {
    /// The report.
    pub report: ReportNode,
    /// The commitment as it now stands.
    pub commitment: CommitmentNode,
}

/// A request for assistance.
#[derive(InputObject)]
pub struct RequestAssistanceInput {
    /// The commitment the check serves (the caller's department's).
    pub commitment: ID,
    /// The department asked.
    pub to_department: String,
    /// What is asked.
    pub question: String,
    /// Working days allowed for the answer, 1–30.
    pub due_in_working_days: u32,
    /// The condition of a pending report that the answer completes, if any.
    pub condition_code: Option<String>,
}

/// The result of a request.
#[derive(SimpleObject)]
pub struct AssistancePayload {
    /// The request as it now stands.
    pub request: AssistanceNode,
    /// The report it completes, if any, as it now stands.
    pub report: Option<ReportNode>,
}

/// An answer to an assistance request.
#[derive(InputObject)]
pub struct RespondAssistanceInput {
    /// The request (addressed to the caller's department).
    pub request: ID,
    /// CONFIRMED, DENIED or CANNOT_ASSIST.
    pub outcome: AssistanceOutcome,
    /// The facts found (required for CONFIRMED and DENIED).
    pub facts: Option<String>,
    /// The written reason (required for CANNOT_ASSIST).
    pub reason: Option<String>,
}

/// The result of an on-site check.
#[derive(InputObject)]
pub struct RecordOnsiteCheckInput {
    /// The report.
    pub report: ID,
    /// The condition checked on site.
    pub condition_code: String,
    /// Whether the condition is met.
    pub passed: bool,
    /// What the inspector found.
    pub findings: String,
}

/// Changes made by online verification.
#[derive(Default)]
pub struct VerificationMutation;

#[Object]
impl VerificationMutation {
    /// Runs online verification (在线核查) of a commitment: every condition of
    /// its item is checked against the shared data; conditions held by another
    /// department are asked of it (a request is made); the report is stored.
    /// Once every check is decided the commitment moves on: all PASS records it
    /// compliant (FULFILLED), any FAIL NONCOMPLIANT with the report as findings.
    /// Scope `verification:run`, the commitment's department only.
    async fn run_online_verification(
        &self,
        ctx: &Context<'_>,
        input: RunOnlineVerificationInput,
    ) -> Result<VerificationPayload> {
        let w = Write::begin(ctx, "runOnlineVerification", Scope::VerificationRun).await?;
        let result = super::run(&w, &input.commitment).await;
        let ok = result.is_ok();
        let out = w.finish(result).await;
        if ok {
            ctx.app().events.assistance_created();
        }
        out
    }

    /// Asks another department to check data it holds (协助核查), with a due
    /// date in working days. Scope `verification:run`.
    async fn request_assistance(
        &self,
        ctx: &Context<'_>,
        input: RequestAssistanceInput,
    ) -> Result<AssistancePayload> {
        let w = Write::begin(ctx, "requestAssistance", Scope::VerificationRun).await?;
        let result = super::request(&w, input).await;
        let ok = result.is_ok();
        let out = w.finish(result).await;
        if ok {
            ctx.app().events.assistance_created();
        }
        out
    }

    /// Answers a request addressed to the caller's department: CONFIRMED or
    /// DENIED with the facts, or CANNOT_ASSIST with a written reason. The
    /// answer completes the report's check. Scope `assistance:respond`.
    async fn respond_assistance(
        &self,
        ctx: &Context<'_>,
        input: RespondAssistanceInput,
    ) -> Result<AssistancePayload> {
        let w = Write::begin(ctx, "respondAssistance", Scope::AssistanceRespond).await?;
        let result = super::respond(&w, input).await;
        w.finish(result).await
    }

    /// Records an inspector's finding on a condition that needed an on-site
    /// check. Scope `verification:run`, the commitment's department only.
    async fn record_onsite_check(
        &self,
        ctx: &Context<'_>,
        input: RecordOnsiteCheckInput,
    ) -> Result<VerificationPayload> {
        let w = Write::begin(ctx, "recordOnsiteCheck", Scope::VerificationRun).await?;
        let result = super::onsite(&w, input).await;
        w.finish(result).await
    }
}

/// The subscription root.
#[derive(Default)]
pub struct Subscription;

/// Subscriptions, over WebSocket at `/graphql` (graphql-transport-ws).
#[Subscription]
impl Subscription {
    /// New assistance requests addressed to the caller's department, as they
    /// are made (scope `assistance:respond`; send the token in the
    /// connection_init payload as `Authorization`).
    async fn assistance_requested(
        &self,
        ctx: &Context<'_>,
    ) -> Result<impl Stream<Item = AssistanceNode> + use<>> {
        let p = ctx.caller().require(Scope::AssistanceRespond)?.clone();
        let app = ctx.app().clone();
        let entry = ctx.request().entry(
            crate::audit::OperationType::Subscription,
            "assistanceRequested".into(),
            Default::default(),
            "ok".into(),
            Vec::new(),
        );
        app.audit.append(entry).await?;
        let dept = p.dept.as_str().to_owned();
        let start = (app.clock.now(), Uuid::nil());
        Ok(async_stream::stream! {
            let mut cursor = start;
            let mut wake = app.events.assistance.subscribe();
            loop {
                match store::addressed_since(&app.db.read, &dept, cursor).await {
                    Ok(rows) => {
                        for r in rows {
                            cursor = (r.created_at, r.id);
                            yield AssistanceNode(r);
                        }
                    }
                    Err(e) => tracing::warn!(error = ?e, "polling assistance requests failed"),
                }
                // Another replica's request shows up within a second; this
                // process's own wakes the poll at once.
                let _ = tokio::time::timeout(std::time::Duration::from_secs(1), wake.changed()).await;
            }
        })
    }
}
