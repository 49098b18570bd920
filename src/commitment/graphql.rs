//! GraphQL types, queries and mutations of commitments.

use std::sync::{Arc, OnceLock};

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Months, NaiveDate, Utc};
use serde_json::json;
use uuid::Uuid;

use super::rules::{self, CommitmentKind, PromisedMaterialInput, SignedNotification, Statements};
use super::state::{self, Action, State};
use super::store::{self, Commitment, Documents, NewEvent};
use crate::auth::{Caller, Scope};
use crate::connection_type;
use crate::credit::graphql::uuid_of;
use crate::credit::rules::{CreditKind, CreditLevel, Severity};
use crate::directory::graphql::DepartmentRef;
use crate::error::{Error, Result, required};
use crate::identity::scalars::Date;
use crate::identity::{SubjectId, SubjectKind};
use crate::pagination;
use crate::power_list::graphql::PowerItemNode;
use crate::power_list::rules::{CommitmentMode, VerificationMethod};
use crate::power_list::store::PowerItem;
use crate::request::{ContextExt, Write};

/// Whether the caller may read this commitment: the deciding department
/// with `commitment:write` or `commitment:read`, any other with `commitment:read`.
pub fn check_readable(caller: &Caller, c: &Commitment) -> Result<()> {
    match caller.require(Scope::CommitmentRead) {
        Ok(_) => Ok(()),
        Err(_)
            if caller.dept().is_some_and(|d| d.as_str() == c.dept_code)
                && caller.has(Scope::CommitmentWrite) =>
        {
            Ok(())
        }
        Err(e) => Err(e),
    }
}

/// A commitment as GraphQL shows it.
///
/// Shared, so that the request's loaders hand it out without copying it.
#[derive(Clone)]
pub struct CommitmentNode {
    commitment: Arc<Commitment>,
    /// Its documents, once loaded, when it was read for a list without them.
    documents: OnceLock<Arc<Documents>>,
}

impl CommitmentNode {
    /// The node of `c`.
    pub fn new(c: Commitment) -> Self {
        CommitmentNode::shared(Arc::new(c))
    }

    /// The node of a commitment a loader shares.
    pub fn shared(commitment: Arc<Commitment>) -> Self {
        CommitmentNode {
            commitment,
            documents: OnceLock::new(),
        }
    }

    /// The commitment.
    pub fn commitment(&self) -> &Commitment {
        &self.commitment
    }

    /// Its documents: as read, or loaded by id (batched with the other
    /// commitments of the response that need theirs) if it was read for a list.
    async fn documents(&self, ctx: &Context<'_>) -> Result<&Documents> {
        if let Some(d) = self.commitment.documents.as_deref() {
            return Ok(d);
        }
        if let Some(d) = self.documents.get() {
            return Ok(d);
        }
        let id = self.commitment.id;
        let whole = ctx
            .request()
            .loaders
            .commitment()
            .load_one(id)
            .await
            .map_err(|e| {
                Error::internal_msg(format!("loading commitment {id}: {:?}", e.message()))
            })?
            .ok_or_else(|| Error::internal_msg(format!("commitment {id} is gone")))?;
        let documents = whole.documents.ok_or_else(|| {
            Error::internal_msg(format!("commitment {id} loaded without its documents"))
        })?;
        Ok(self.documents.get_or_init(|| documents))
    }
}

connection_type!(
    CommitmentConnection,
    CommitmentEdge,
    CommitmentNode,
    "commitments"
);

/// The applicant of a commitment (申请人). Persons' ID numbers and names are
/// masked without `pii:read`.
#[derive(SimpleObject)]
pub struct Applicant {
    /// 统一社会信用代码 or (masked) 公民身份号码.
    pub subject_id: String,
    /// Enterprise or person.
    pub kind: SubjectKind,
    /// Name as signed (a person's masked).
    pub name: String,
}

/// A material promised for after the decision (事后限期补交).
#[derive(SimpleObject)]
pub struct PromisedMaterial {
    /// The material.
    pub name: String,
    /// Due date.
    pub due_date: Date,
    /// When it was handed in.
    pub submitted_at: Option<DateTime<Utc>>,
    /// True when it is past due and not handed in.
    pub overdue: bool,
    /// When its lateness was recorded as a credit fact.
    pub late_recorded_at: Option<DateTime<Utc>>,
}

/// One step in a commitment's lifecycle: who, when, why.
#[derive(SimpleObject)]
pub struct CommitmentEvent {
    /// Its number within the commitment, from 1 (equal to the version it produced).
    pub seq: i32,
    /// What was done (SUBMIT, APPROVE, REVOKE …).
    pub action: String,
    /// The state before.
    pub from_state: Option<State>,
    /// The state after.
    pub to_state: State,
    /// The calling system.
    pub actor: String,
    /// Its department's code.
    pub actor_department: String,
    /// The reason given, where one is.
    pub reason: Option<String>,
    /// Particulars: findings, deadlines, materials (JSON).
    pub details: async_graphql::Json<serde_json::Value>,
    /// When.
    pub at: DateTime<Utc>,
}

fn overdue(due: Option<NaiveDate>, today: NaiveDate) -> bool {
    due.is_some_and(|d| d < today)
}

/// A signed notification-and-commitment (告知承诺书) and where it stands.
/// Readable by the deciding department and by departments with
/// `commitment:read`.
#[Object(name = "Commitment")]
impl CommitmentNode {
    /// Identifier.
    async fn id(&self) -> ID {
        ID(self.commitment.id.to_string())
    }
    /// The item as the power list holds it now (see `signedNotification` for
    /// what was signed).
    async fn item(&self, ctx: &Context<'_>) -> Result<Option<PowerItemNode>> {
        let c = &self.commitment;
        match &c.item_name {
            // Read with the commitment: the rest of the item only if asked.
            Some(name) => Ok(Some(PowerItemNode::named(
                c.item_code.clone(),
                name.clone(),
            ))),
            None => crate::power_list::graphql::load_item(ctx, &c.item_code).await,
        }
    }
    /// The notification exactly as the applicant signed it, frozen at
    /// submission: later changes of the power list never alter it.
    async fn signed_notification(&self, ctx: &Context<'_>) -> Result<&SignedNotification> {
        Ok(&self.documents(ctx).await?.notification)
    }
    /// The deciding department (the item's; 审批部门), which owns it.
    async fn department(&self, ctx: &Context<'_>) -> Result<DepartmentRef> {
        DepartmentRef::load(ctx, &self.commitment.dept_code).await
    }
    /// The applicant.
    async fn applicant(&self, ctx: &Context<'_>) -> Applicant {
        let c = ctx.caller();
        Applicant {
            subject_id: c.show_subject_id(&self.commitment.subject_id),
            kind: self.commitment.subject_kind,
            name: c.show_subject_name(&self.commitment.subject_id, &self.commitment.applicant_name),
        }
    }
    /// Certification matter or business licence.
    async fn mode(&self) -> CommitmentMode {
        self.commitment.mode
    }
    /// For business licences: MEETS_NOW or MEETS_BY_DEADLINE.
    async fn kind(&self) -> Option<CommitmentKind> {
        self.commitment.kind
    }
    /// Lifecycle state.
    async fn state(&self) -> State {
        self.commitment.state
    }
    /// For business licences: whether the holder may operate (MEETS_NOW once
    /// approved; MEETS_BY_DEADLINE only once the promised materials are in and
    /// their receipt confirmed). Empty for certification matters.
    async fn operating(&self) -> Option<bool> {
        (self.commitment.mode == CommitmentMode::BusinessLicense)
            .then_some(self.commitment.operating)
    }
    /// The four statements the applicant made.
    async fn statements(&self, ctx: &Context<'_>) -> Result<&Statements> {
        Ok(&self.documents(ctx).await?.statements)
    }
    /// Materials handed in with the commitment.
    async fn materials_submitted(&self, ctx: &Context<'_>) -> Result<&[String]> {
        Ok(&self.documents(ctx).await?.materials_submitted)
    }
    /// Materials promised for after the decision, with their due dates.
    async fn promised_materials(&self, ctx: &Context<'_>) -> Result<Vec<PromisedMaterial>> {
        let today = ctx.app().clock.today();
        Ok(store::promised(&ctx.app().db.read, self.commitment.id)
            .await?
            .into_iter()
            .map(|m| PromisedMaterial {
                overdue: m.submitted_at.is_none() && m.due_date < today,
                name: m.name,
                due_date: Date(m.due_date),
                submitted_at: m.submitted_at,
                late_recorded_at: m.late_recorded_at,
            })
            .collect())
    }
    /// How the commitment is checked, as the item's policy gives it for the
    /// applicant's credit at submission [证明事项方案 (七)].
    async fn verification_method(&self) -> VerificationMethod {
        self.commitment.verification_method
    }
    /// The applicant's credit level at submission.
    async fn credit_level_at_submission(&self) -> CreditLevel {
        self.commitment.credit_level
    }
    /// Whether it is published for public supervision (see `publicCommitments`).
    async fn published(&self) -> bool {
        self.commitment.published
    }
    /// The last day of publication.
    async fn publish_until(&self) -> Option<Date> {
        self.commitment.publish_until.map(Date)
    }
    /// When it was submitted.
    async fn submitted_at(&self) -> DateTime<Utc> {
        self.commitment.submitted_at
    }
    /// When it was decided (approved or rejected).
    async fn decided_at(&self) -> Option<DateTime<Utc>> {
        self.commitment.decided_at
    }
    /// The matter (办件) it was received as: where, by whom, its route and rating.
    async fn matter(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Option<crate::network::graphql::MatterNode>> {
        crate::network::graphql::matter_of(ctx, self.commitment.id).await
    }
    /// The post-approval check's due date (批后核查时限): the item's deadline in
    /// working days after the decision; empty when exempt.
    async fn verification_due(&self) -> Option<Date> {
        self.commitment.verification_due.map(Date)
    }
    /// True when the check is due and the commitment is still APPROVED or VERIFYING.
    async fn verification_overdue(&self, ctx: &Context<'_>) -> bool {
        matches!(self.commitment.state, State::Approved | State::Verifying)
            && overdue(self.commitment.verification_due, ctx.app().clock.today())
    }
    /// When the check's result was recorded.
    async fn verified_at(&self) -> Option<DateTime<Utc>> {
        self.commitment.verified_at
    }
    /// The rectification deadline (整改期限), once ordered.
    async fn rectification_due(&self) -> Option<Date> {
        self.commitment.rectification_due.map(Date)
    }
    /// True when rectification is past due and not confirmed.
    async fn rectification_overdue(&self, ctx: &Context<'_>) -> bool {
        self.commitment.state == State::Rectifying
            && overdue(self.commitment.rectification_due, ctx.app().clock.today())
    }
    /// When receipt of the promised materials was confirmed (确认回执).
    async fn receipt_confirmed_at(&self) -> Option<DateTime<Utc>> {
        self.commitment.receipt_confirmed_at
    }
    /// When the matter ended (rejected, fulfilled, revoked or withdrawn).
    async fn concluded_at(&self) -> Option<DateTime<Utc>> {
        self.commitment.concluded_at
    }
    /// The day by which the decision and the commitment must reach the credit
    /// side: 7 working days after the decision [涉企经营许可方案 (二)2].
    async fn credit_push_due(&self) -> Option<Date> {
        self.commitment.credit_push_due.map(Date)
    }
    /// When the credit side confirmed it received them.
    async fn credit_pushed_at(&self) -> Option<DateTime<Utc>> {
        self.commitment.credit_pushed_at
    }
    /// True when the push is past due and unconfirmed.
    async fn credit_push_overdue(&self, ctx: &Context<'_>) -> bool {
        self.commitment.credit_pushed_at.is_none()
            && overdue(self.commitment.credit_push_due, ctx.app().clock.today())
    }
    /// Version, raised by every change; pass it as `expectedVersion` to be
    /// sure you change what you read.
    async fn version(&self) -> i32 {
        self.commitment.version
    }
    /// The actions the state machine allows from the current state.
    async fn allowed_actions(&self) -> Vec<Action> {
        state::allowed(self.commitment.state)
    }
    /// Every step of the lifecycle, oldest first.
    async fn events(&self, ctx: &Context<'_>) -> Result<Vec<CommitmentEvent>> {
        store::events(&ctx.app().db.read, self.commitment.id)
            .await?
            .into_iter()
            .map(|e| {
                Ok(CommitmentEvent {
                    seq: e.seq,
                    action: e.action,
                    from_state: e
                        .from_state
                        .as_deref()
                        .map(State::from_stored)
                        .transpose()?,
                    to_state: State::from_stored(&e.to_state)?,
                    actor: e.actor_sub,
                    actor_department: e.actor_dept,
                    reason: e.reason,
                    details: async_graphql::Json(e.details),
                    at: e.at,
                })
            })
            .collect()
    }
}

/// A commitment as published for public supervision (告知承诺公示): item,
/// department, applicant's name (a person's masked), statements, decision and
/// status. Never an ID number. Public.
pub struct PublicCommitment(Commitment);

connection_type!(
    PublicCommitmentConnection,
    PublicCommitmentEdge,
    PublicCommitment,
    "published commitments"
);

/// A published commitment (告知承诺公示), readable by anyone.
#[Object]
impl PublicCommitment {
    /// Identifier.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// The item's code.
    async fn item_code(&self) -> Result<&str> {
        Ok(&self.0.documents()?.notification.item_code)
    }
    /// The item's name as signed.
    async fn item_name(&self) -> Result<&str> {
        Ok(&self.0.documents()?.notification.item_name)
    }
    /// The deciding department (the item's), which owns it; see `matter` for where it was received.
    async fn department(&self, ctx: &Context<'_>) -> Result<DepartmentRef> {
        DepartmentRef::load(ctx, &self.0.dept_code).await
    }
    /// The applicant's name; a person's is always masked here.
    async fn applicant_name(&self) -> String {
        match self.0.subject_kind {
            SubjectKind::Person => crate::auth::mask::person_name(&self.0.applicant_name),
            SubjectKind::Enterprise => self.0.applicant_name.clone(),
        }
    }
    /// The enterprise's 统一社会信用代码; empty for persons.
    async fn applicant_uscc(&self) -> Option<&str> {
        (self.0.subject_kind == SubjectKind::Enterprise).then_some(self.0.subject_id.as_str())
    }
    /// For business licences: MEETS_NOW or MEETS_BY_DEADLINE.
    async fn kind(&self) -> Option<CommitmentKind> {
        self.0.kind
    }
    /// The statements the applicant made.
    async fn statements(&self) -> Result<&Statements> {
        Ok(&self.0.documents()?.statements)
    }
    /// The conditions the applicant committed to.
    async fn conditions(&self) -> Result<Vec<String>> {
        Ok(self
            .0
            .documents()?
            .notification
            .conditions
            .iter()
            .map(|c| c.text.clone())
            .collect())
    }
    /// The day of the decision (准予决定).
    async fn decided_on(&self) -> Option<Date> {
        self.0.decided_on.map(Date)
    }
    /// Where the commitment stands now.
    async fn state(&self) -> State {
        self.0.state
    }
    /// The last day of publication.
    async fn publish_until(&self) -> Option<Date> {
        self.0.publish_until.map(Date)
    }
}

/// Which commitments to list. Every field narrows the list.
#[derive(InputObject, Default)]
pub struct CommitmentFilter {
    /// Accepting department.
    pub department: Option<String>,
    /// Item code.
    pub item: Option<String>,
    /// Applicant.
    pub applicant: Option<SubjectId>,
    /// Any of these states.
    #[graphql(default)]
    pub states: Vec<State>,
    /// Kind.
    pub kind: Option<CommitmentKind>,
    /// Decided on or after this day.
    pub decided_from: Option<Date>,
    /// Decided on or before this day.
    pub decided_to: Option<Date>,
    /// Only those whose post-approval check or rectification is overdue today.
    #[graphql(default)]
    pub overdue_only: bool,
}

/// Which published commitments to list.
#[derive(InputObject, Default)]
pub struct PublicCommitmentFilter {
    /// Accepting department.
    pub department: Option<String>,
    /// Item code.
    pub item: Option<String>,
}

/// Reads of commitments.
#[derive(Default)]
pub struct CommitmentQuery;

#[Object]
impl CommitmentQuery {
    /// One commitment with its events (the deciding department, or scope
    /// `commitment:read`; audited).
    async fn commitment(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The commitment's id.")] id: ID,
    ) -> Result<CommitmentNode> {
        ctx.read_authenticated("commitment")?;
        let c = store::get(&ctx.app().db.read, uuid_of("id", &id)?).await?;
        check_readable(ctx.caller(), &c)?;
        ctx.touched(&c.subject_id);
        ctx.looked_up(&c.dept_code);
        Ok(CommitmentNode::new(c))
    }

    /// Commitments, newest first (scope `commitment:read`; with only
    /// `commitment:write`, the caller's own department's; audited).
    #[graphql(complexity = "first.unwrap_or(20).max(0) as usize * child_complexity")]
    async fn commitments(
        &self,
        ctx: &Context<'_>,
        filter: Option<CommitmentFilter>,
        #[graphql(desc = "Page size, at most 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last commitment of the previous page.")] after: Option<
            String,
        >,
    ) -> Result<CommitmentConnection> {
        ctx.read_authenticated("commitments")?;
        let caller = ctx.caller();
        let f = filter.unwrap_or_default();
        let mut department = f.department;
        if !caller.has(Scope::CommitmentRead) {
            let p = caller.require(Scope::CommitmentWrite).map_err(|_| {
                Error::Forbidden("listing commitments needs scope commitment:read (or commitment:write for your own)".into())
            })?;
            if department.as_deref().is_some_and(|d| d != p.dept.as_str()) {
                return Err(Error::Forbidden(
                    "another department's commitments need scope commitment:read".into(),
                ));
            }
            department = Some(p.dept.as_str().to_owned());
        }
        let page = pagination::page(first, after)?;
        let today = ctx.app().clock.today();
        let filter = store::Filter {
            department,
            item: f.item,
            applicant: f.applicant.map(|a| a.as_str().to_owned()),
            states: f.states,
            kind: f.kind,
            decided_from: f.decided_from.map(|d| d.0),
            decided_to: f.decided_to.map(|d| d.0),
            overdue_on: f.overdue_only.then_some(today),
            published_on: None,
        };
        let (rows, total) = store::list(&ctx.app().db.read, &filter, &page, false).await?;
        for c in &rows {
            ctx.touched(&c.subject_id);
            ctx.looked_up(&c.dept_code);
        }
        Ok(pagination::connection(
            rows,
            &page,
            total,
            |c| (c.submitted_at, c.id),
            CommitmentNode::new,
        ))
    }

    /// Commitments published for public supervision, newest first: those whose
    /// item says so, from their decision until their publication period ends.
    /// Public; never shows an ID number.
    #[graphql(complexity = "first.unwrap_or(20).max(0) as usize * child_complexity")]
    async fn public_commitments(
        &self,
        ctx: &Context<'_>,
        filter: Option<PublicCommitmentFilter>,
        #[graphql(desc = "Page size, at most 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last commitment of the previous page.")] after: Option<
            String,
        >,
    ) -> Result<PublicCommitmentConnection> {
        let f = filter.unwrap_or_default();
        let page = pagination::page(first, after)?;
        let filter = store::Filter {
            department: f.department,
            item: f.item,
            published_on: Some(ctx.app().clock.today()),
            ..Default::default()
        };
        // What is published is what was signed: the documents are the point.
        let (rows, total) = store::list(&ctx.app().db.read, &filter, &page, true).await?;
        Ok(pagination::connection(
            rows,
            &page,
            total,
            |c| (c.submitted_at, c.id),
            PublicCommitment,
        ))
    }
}

/// A commitment to submit for the caller's department to accept.
#[derive(InputObject)]
pub struct SubmitCommitmentInput {
    /// The item's code; it must be in force and admit a commitment.
    pub item: String,
    /// The applicant: 统一社会信用代码 or 公民身份号码.
    pub applicant: SubjectId,
    /// The applicant's name as signed.
    pub applicant_name: String,
    /// For business licences: MEETS_NOW or MEETS_BY_DEADLINE.
    pub kind: Option<CommitmentKind>,
    /// The four statements; all must be true.
    pub statements: Statements,
    /// Materials handed in now, by the names the item lists.
    #[graphql(default)]
    pub materials: Vec<String>,
    /// Materials promised for after the decision, with due dates.
    #[graphql(default)]
    pub promised_materials: Vec<PromisedMaterialInput>,
}

/// The result of a change to a commitment.
#[derive(SimpleObject)]
pub struct CommitmentPayload {
    /// The commitment as it now stands.
    pub commitment: CommitmentNode,
}

/// A move of a commitment that needs nothing but a note.
#[derive(InputObject)]
pub struct CommitmentActionInput {
    /// The commitment.
    pub id: ID,
    /// The version you read; refused with CONFLICT if it has changed since.
    pub expected_version: Option<i32>,
    /// A note, kept with the event.
    pub note: Option<String>,
}

/// A move of a commitment that needs a reason.
#[derive(InputObject)]
pub struct CommitmentReasonInput {
    /// The commitment.
    pub id: ID,
    /// The version you read.
    pub expected_version: Option<i32>,
    /// Why; kept with the event.
    pub reason: String,
}

/// The result of a post-approval check.
#[derive(InputObject)]
pub struct RecordVerificationResultInput {
    /// The commitment.
    pub id: ID,
    /// The version you read.
    pub expected_version: Option<i32>,
    /// Whether what was promised is true (承诺属实).
    pub compliant: bool,
    /// What the check found; required when not compliant.
    pub findings: Option<String>,
}

/// An order to rectify (责令限期整改).
#[derive(InputObject)]
pub struct OrderRectificationInput {
    /// The commitment.
    pub id: ID,
    /// The version you read.
    pub expected_version: Option<i32>,
    /// What must be put right.
    pub requirements: String,
    /// Working days allowed, 1–90.
    pub working_days: u32,
}

/// A confirmation that rectification was done.
#[derive(InputObject)]
pub struct ConfirmRectificationInput {
    /// The commitment.
    pub id: ID,
    /// The version you read.
    pub expected_version: Option<i32>,
    /// What the re-check found.
    pub findings: String,
}

/// A revocation of the decision (撤销).
#[derive(InputObject)]
pub struct RevokeCommitmentInput {
    /// The commitment.
    pub id: ID,
    /// The version you read.
    pub expected_version: Option<i32>,
    /// Why.
    pub reason: String,
    /// How serious the false commitment is: GENERAL (recorded, route closed)
    /// or SEVERE (also the city's joint-punishment list). A FALSE_COMMITMENT
    /// credit fact is recorded with it.
    pub severity: Severity,
    /// For a commitment under rectification: true when the re-check found it
    /// still not meeting the conditions (整改后仍达不到要求). Otherwise the
    /// rectification deadline must have passed.
    #[graphql(default)]
    pub rectification_failed: bool,
}

/// Promised materials handed in.
#[derive(InputObject)]
pub struct SubmitPromisedMaterialsInput {
    /// The commitment.
    pub id: ID,
    /// The materials, by name.
    pub materials: Vec<String>,
}

/// Confirms receipt of the promised materials.
#[derive(InputObject)]
pub struct ConfirmMaterialsReceiptInput {
    /// The commitment.
    pub id: ID,
    /// The version you read.
    pub expected_version: Option<i32>,
}

/// The credit side's confirmation that decisions reached it.
#[derive(InputObject)]
pub struct ConfirmCreditPushInput {
    /// The commitments whose decisions were received.
    pub ids: Vec<ID>,
}

/// The result of confirming credit pushes.
#[derive(SimpleObject)]
pub struct ConfirmCreditPushPayload {
    /// How many were newly marked received.
    pub confirmed: u64,
}

/// A change being made to one commitment.
struct Change<'w, 'c> {
    w: &'w Write<'c>,
    before: Commitment,
    after: Commitment,
    action: Action,
}

impl<'w, 'c> Change<'w, 'c> {
    /// Reads the commitment from the readers (before the write transaction
    /// begins), checks ownership, the expected version and the move.
    async fn load(
        w: &'w Write<'c>,
        id: &ID,
        expected: Option<i32>,
        action: Action,
    ) -> Result<Change<'w, 'c>> {
        let before = store::get(w.reader(), uuid_of("id", id)?).await?;
        w.touch(&before.subject_id);
        w.principal()
            .must_own(&before.dept_code, &format!("commitment {}", before.id))?;
        if let Some(v) = expected.filter(|v| *v != before.version) {
            return Err(Error::Conflict(format!(
                "commitment {} is at version {} ({}), not {v}: reload it and decide again",
                before.id, before.version, before.state
            )));
        }
        let mut after = before.clone();
        after.state = state::next(before.state, action)?;
        after.version += 1;
        Ok(Change {
            w,
            before,
            after,
            action,
        })
    }

    /// Stores the change with its event (compare-and-set on the version).
    async fn save(
        self,
        reason: Option<&str>,
        details: serde_json::Value,
    ) -> Result<CommitmentPayload> {
        let p = self.w.principal();
        let event = NewEvent {
            action: self.action.as_str(),
            from: Some(self.before.state),
            actor_sub: &p.sub,
            actor_dept: p.dept.as_str(),
            reason,
            details,
            at: self.w.clock().now(),
        };
        let tallies = store::apply(self.w.txn().await?, &self.after, event).await?;
        self.w.count(tallies);
        if self.before.state == State::Submitted {
            use crate::network::MatterOutcome as O;
            let outcome = match self.after.state {
                State::Approved => Some(O::Approved),
                State::Rejected => Some(O::Refused),
                State::Withdrawn => Some(O::Withdrawn),
                _ => None,
            };
            if let Some(o) = outcome {
                crate::network::flow::commitment_decided(self.w, self.after.id, o, reason).await?;
            }
        }
        Ok(CommitmentPayload {
            commitment: CommitmentNode::new(self.after),
        })
    }
}

async fn working_days(w: &Write<'_>, from: NaiveDate, n: u32) -> Result<NaiveDate> {
    Ok(
        crate::calendar::store::add_working_days(w.reader(), from, n)
            .await?
            .date,
    )
}

/// Changes to commitments (scope `commitment:write`; the deciding department only).
#[derive(Default)]
pub struct CommitmentMutation;

#[Object]
impl CommitmentMutation {
    /// Accepts a signed commitment for the caller's department. The item's
    /// notification is frozen into it. Refused with INELIGIBLE, listing every
    /// reason, when the applicant's credit closes the commitment route; the
    /// normal procedure then applies.
    async fn submit_commitment(
        &self,
        ctx: &Context<'_>,
        input: SubmitCommitmentInput,
    ) -> Result<CommitmentPayload> {
        let w = Write::begin(ctx, "submitCommitment", Scope::CommitmentWrite)
            .await?
            .in_group();
        w.touch(input.applicant.as_str());
        let result = async {
            // Everything that only reads is done before the write transaction
            // opens, to keep it (and SQLite's one writer) short.
            let item = crate::power_list::store::get(w.reader(), &input.item).await?;
            let place = crate::network::flow::place(&w, &item).await?;
            let matter = crate::network::flow::plan_for_commitment(&w, &item, &place).await?;
            let payload = submit(&w, &item, input).await?;
            crate::network::flow::open_for_commitment(&w, matter, payload.commitment.commitment())
                .await?;
            Ok(payload)
        }
        .await;
        w.finish(result).await
    }

    /// Approves a submitted commitment on the spot (当场作出决定). Sets the
    /// post-approval check's due date and the credit push's.
    async fn approve_commitment(
        &self,
        ctx: &Context<'_>,
        input: CommitmentActionInput,
    ) -> Result<CommitmentPayload> {
        let w = Write::begin(ctx, "approveCommitment", Scope::CommitmentWrite).await?;
        let result = async {
            let mut ch = Change::load(&w, &input.id, input.expected_version, Action::Approve).await?;
            let today = w.clock().today();
            let c = &mut ch.after;
            c.decided_on = Some(today);
            c.decided_at = Some(w.clock().now());
            c.operating = c.mode == CommitmentMode::BusinessLicense && c.kind == Some(CommitmentKind::MeetsNow);
            let documents = Arc::clone(c.documents()?);
            let policy = &documents.notification.verification_policy;
            c.verification_due = match c.verification_method {
                VerificationMethod::Exempt => None,
                _ => Some(working_days(&w, today, u32::from(policy.deadline_days)).await?),
            };
            c.credit_push_due = Some(working_days(&w, today, 7).await?);
            let publication = &documents.notification.notification.publication;
            c.published = publication.published;
            c.publish_until = publication
                .published
                .then(|| today.checked_add_months(Months::new(publication.months.unwrap_or(12))))
                .flatten();
            let details = json!({ "verificationDue": c.verification_due, "creditPushDue": c.credit_push_due });
            ch.save(input.note.as_deref(), details).await
        }
        .await;
        w.finish(result).await
    }

    /// Refuses a submitted commitment (不予许可), with the reason.
    async fn reject_commitment(
        &self,
        ctx: &Context<'_>,
        input: CommitmentReasonInput,
    ) -> Result<CommitmentPayload> {
        let w = Write::begin(ctx, "rejectCommitment", Scope::CommitmentWrite).await?;
        let result = async {
            let reason = required("reason", &input.reason)?;
            let mut ch =
                Change::load(&w, &input.id, input.expected_version, Action::Reject).await?;
            let now = w.clock().now();
            ch.after.decided_on = Some(w.clock().today());
            ch.after.decided_at = Some(now);
            ch.after.concluded_at = Some(now);
            ch.save(Some(reason), json!({})).await
        }
        .await;
        w.finish(result).await
    }

    /// Begins the post-approval check (批后核查) of an approved commitment.
    async fn start_commitment_verification(
        &self,
        ctx: &Context<'_>,
        input: CommitmentActionInput,
    ) -> Result<CommitmentPayload> {
        let w = Write::begin(ctx, "startCommitmentVerification", Scope::CommitmentWrite).await?;
        let result = async {
            let ch = Change::load(
                &w,
                &input.id,
                input.expected_version,
                Action::StartVerification,
            )
            .await?;
            ch.save(input.note.as_deref(), json!({})).await
        }
        .await;
        w.finish(result).await
    }

    /// Records the check's result: compliant (FULFILLED) or not (NONCOMPLIANT,
    /// with the findings).
    async fn record_verification_result(
        &self,
        ctx: &Context<'_>,
        input: RecordVerificationResultInput,
    ) -> Result<CommitmentPayload> {
        let w = Write::begin(ctx, "recordVerificationResult", Scope::CommitmentWrite).await?;
        let result = async {
            let action = if input.compliant {
                Action::RecordCompliant
            } else {
                Action::RecordNoncompliant
            };
            let findings = input
                .findings
                .as_deref()
                .map(str::trim)
                .filter(|f| !f.is_empty());
            if !input.compliant && findings.is_none() {
                return Err(Error::bad_field(
                    "findings",
                    "say what the check found untrue",
                ));
            }
            let mut ch = Change::load(&w, &input.id, input.expected_version, action).await?;
            let now = w.clock().now();
            ch.after.verified_at = Some(now);
            if input.compliant {
                ch.after.concluded_at = Some(now);
            }
            ch.save(
                findings,
                json!({ "compliant": input.compliant, "findings": findings }),
            )
            .await
        }
        .await;
        w.finish(result).await
    }

    /// Orders a noncompliant applicant to rectify by a deadline counted in
    /// working days (责令限期整改).
    async fn order_rectification(
        &self,
        ctx: &Context<'_>,
        input: OrderRectificationInput,
    ) -> Result<CommitmentPayload> {
        let w = Write::begin(ctx, "orderRectification", Scope::CommitmentWrite).await?;
        let result = async {
            let requirements = required("requirements", &input.requirements)?;
            if !(1..=90).contains(&input.working_days) {
                return Err(Error::bad_field(
                    "workingDays",
                    "allow between 1 and 90 working days",
                ));
            }
            let mut ch = Change::load(
                &w,
                &input.id,
                input.expected_version,
                Action::OrderRectification,
            )
            .await?;
            let due = working_days(&w, w.clock().today(), input.working_days).await?;
            ch.after.rectification_due = Some(due);
            ch.save(
                Some(requirements),
                json!({ "workingDays": input.working_days, "due": due }),
            )
            .await
        }
        .await;
        w.finish(result).await
    }

    /// Confirms that rectification was done: the commitment is FULFILLED.
    async fn confirm_rectification(
        &self,
        ctx: &Context<'_>,
        input: ConfirmRectificationInput,
    ) -> Result<CommitmentPayload> {
        let w = Write::begin(ctx, "confirmRectification", Scope::CommitmentWrite).await?;
        let result = async {
            let findings = required("findings", &input.findings)?;
            let mut ch = Change::load(
                &w,
                &input.id,
                input.expected_version,
                Action::ConfirmRectification,
            )
            .await?;
            ch.after.concluded_at = Some(w.clock().now());
            ch.save(Some(findings), json!({})).await
        }
        .await;
        w.finish(result).await
    }

    /// Revokes the decision on a false commitment (撤销), and records a
    /// FALSE_COMMITMENT credit fact of the chosen severity against the applicant.
    async fn revoke_commitment(
        &self,
        ctx: &Context<'_>,
        input: RevokeCommitmentInput,
    ) -> Result<CommitmentPayload> {
        let w = Write::begin(ctx, "revokeCommitment", Scope::CommitmentWrite).await?;
        let result = revoke(&w, input).await;
        w.finish(result).await
    }

    /// Withdraws a commitment at the applicant's request before the decision
    /// (承诺退出); the normal procedure then applies.
    async fn withdraw_commitment(
        &self,
        ctx: &Context<'_>,
        input: CommitmentReasonInput,
    ) -> Result<CommitmentPayload> {
        let w = Write::begin(ctx, "withdrawCommitment", Scope::CommitmentWrite).await?;
        let result = async {
            let reason = required("reason", &input.reason)?;
            let mut ch =
                Change::load(&w, &input.id, input.expected_version, Action::Withdraw).await?;
            ch.after.concluded_at = Some(w.clock().now());
            ch.save(Some(reason), json!({})).await
        }
        .await;
        w.finish(result).await
    }

    /// Records promised materials as handed in.
    async fn submit_promised_materials(
        &self,
        ctx: &Context<'_>,
        input: SubmitPromisedMaterialsInput,
    ) -> Result<CommitmentPayload> {
        let w = Write::begin(ctx, "submitPromisedMaterials", Scope::CommitmentWrite).await?;
        let result = async {
            let ch = Change::load(&w, &input.id, None, Action::SubmitMaterials).await?;
            let promised = store::promised(w.reader(), ch.before.id).await?;
            let mut ids = Vec::new();
            for name in &input.materials {
                let m = promised.iter().find(|m| &m.name == name).ok_or_else(|| {
                    let names: Vec<&str> = promised.iter().map(|m| m.name.as_str()).collect();
                    Error::bad_field(
                        "materials",
                        format!(
                            "\"{name}\" was not promised; promised: {}",
                            names.join("、")
                        ),
                    )
                })?;
                if m.submitted_at.is_some() {
                    return Err(Error::bad_field(
                        "materials",
                        format!("\"{name}\" was already handed in"),
                    ));
                }
                ids.push(m.id);
            }
            if ids.is_empty() {
                return Err(Error::bad_field(
                    "materials",
                    "name the materials handed in",
                ));
            }
            let now = w.clock().now();
            let payload = ch
                .save(None, json!({ "materials": input.materials }))
                .await?;
            store::mark_submitted(w.txn().await?, &ids, now).await?;
            Ok(payload)
        }
        .await;
        w.finish(result).await
    }

    /// Confirms receipt of every promised material (确认回执): a
    /// MEETS_BY_DEADLINE licence becomes OPERATING only by this.
    async fn confirm_materials_receipt(
        &self,
        ctx: &Context<'_>,
        input: ConfirmMaterialsReceiptInput,
    ) -> Result<CommitmentPayload> {
        let w = Write::begin(ctx, "confirmMaterialsReceipt", Scope::CommitmentWrite).await?;
        let result = async {
            let mut ch = Change::load(&w, &input.id, input.expected_version, Action::ConfirmReceipt).await?;
            if let Some(at) = ch.before.receipt_confirmed_at {
                return Err(Error::Conflict(format!("receipt was already confirmed at {at}")));
            }
            let promised = store::promised(w.reader(), ch.before.id).await?;
            let outstanding: Vec<&str> = promised.iter().filter(|m| m.submitted_at.is_none()).map(|m| m.name.as_str()).collect();
            if !outstanding.is_empty() {
                return Err(Error::bad_input(format!(
                    "receipt can be confirmed once every promised material is in; still outstanding: {}",
                    outstanding.join("、")
                )));
            }
            ch.after.receipt_confirmed_at = Some(w.clock().now());
            if ch.after.mode == CommitmentMode::BusinessLicense {
                ch.after.operating = true;
            }
            ch.save(None, json!({})).await
        }
        .await;
        w.finish(result).await
    }

    /// The credit side confirms that decisions and commitments reached it
    /// (scope `credit:write`).
    async fn confirm_credit_push(
        &self,
        ctx: &Context<'_>,
        input: ConfirmCreditPushInput,
    ) -> Result<ConfirmCreditPushPayload> {
        let w = Write::begin(ctx, "confirmCreditPush", Scope::CreditWrite).await?;
        let result = async {
            let ids = input
                .ids
                .iter()
                .map(|id| uuid_of("ids", id))
                .collect::<Result<Vec<Uuid>>>()?;
            let confirmed = store::mark_pushed(w.txn().await?, &ids, w.clock().now()).await?;
            Ok(ConfirmCreditPushPayload { confirmed })
        }
        .await;
        w.finish(result).await
    }
}

/// Submits a commitment to the item's department (the deciding one),
/// whoever received it; the caller has checked where it may be received.
pub(crate) async fn submit(
    w: &Write<'_>,
    item: &PowerItem,
    i: SubmitCommitmentInput,
) -> Result<CommitmentPayload> {
    let today = w.clock().today();
    if !item.in_force_on(today) {
        return Err(Error::bad_field(
            "item",
            format!(
                "item {} is not in force today (status {}); no commitment can be accepted for it",
                item.code, item.status
            ),
        ));
    }
    rules::check_kind(item.commitment_mode, i.kind)?;
    rules::check_statements(&i.statements)?;
    let name = required("applicantName", &i.applicant_name)?;
    let later: Vec<(String, NaiveDate)> = i
        .promised_materials
        .iter()
        .map(|m| (m.name.clone(), m.due_date.0))
        .collect();
    rules::check_materials(item, i.kind, &i.materials, &later, today)?;
    let notification = rules::snapshot(item).ok_or_else(|| {
        Error::internal_msg(format!(
            "item {} has a commitment mode but no notification",
            item.code
        ))
    })?;
    let dossier = crate::credit::store::dossier(&w.locked().await?, i.applicant.as_str()).await?;
    let standing = dossier.standing(today);
    if !standing.route_open {
        return Err(Error::Ineligible {
            reasons: standing.reasons,
        });
    }
    let method =
        crate::credit::rules::method_for(standing.level, &notification.verification_policy)
            .ok_or_else(|| Error::internal_msg("an open route always has a method"))?;
    let p = w.principal();
    let now = w.clock().now();
    let c = Commitment {
        id: Uuid::now_v7(),
        item_code: item.code.clone(),
        dept_code: item.dept_code.clone(),
        subject_id: i.applicant.as_str().to_owned(),
        subject_kind: i.applicant.kind(),
        applicant_name: name.to_owned(),
        mode: item.commitment_mode,
        kind: i.kind,
        state: State::Submitted,
        operating: false,
        documents: Some(Arc::new(Documents {
            statements: i.statements,
            notification,
            materials_submitted: i.materials,
        })),
        verification_method: method,
        credit_level: standing.level,
        published: false,
        publish_until: None,
        submitted_at: now,
        submitted_on: today,
        submitted_by: p.sub.clone(),
        decided_on: None,
        decided_at: None,
        verification_due: None,
        verified_at: None,
        rectification_due: None,
        receipt_confirmed_at: None,
        concluded_at: None,
        credit_push_due: None,
        credit_pushed_at: None,
        version: 1,
        item_name: None,
    };
    let event = NewEvent {
        action: "SUBMIT",
        from: None,
        actor_sub: &p.sub,
        actor_dept: p.dept.as_str(),
        reason: None,
        details: json!({ "promisedMaterials": later, "verificationMethod": method, "creditLevel": standing.level }),
        at: now,
    };
    // Nothing below reads these writes back: they go with the audit entry.
    w.defer([crate::directory::store::register_statement(
        w.backend(),
        &i.applicant,
        Some(name),
    )]);
    let (statements, tallies) = store::insert_statements(w.backend(), &c, &later, event)?;
    w.defer(statements);
    w.count(tallies);
    Ok(CommitmentPayload {
        commitment: CommitmentNode::new(c),
    })
}

async fn revoke(w: &Write<'_>, i: RevokeCommitmentInput) -> Result<CommitmentPayload> {
    let reason = required("reason", &i.reason)?;
    if i.severity == Severity::Minor {
        return Err(Error::bad_field(
            "severity",
            "a false commitment that leads to revocation is GENERAL or SEVERE (涉企经营许可方案 (五))",
        ));
    }
    let mut ch = Change::load(w, &i.id, i.expected_version, Action::Revoke).await?;
    let today = w.clock().today();
    if ch.before.state == State::Rectifying && !i.rectification_failed {
        let due = ch.before.rectification_due.unwrap_or(today);
        if today <= due {
            return Err(Error::bad_field(
                "rectificationFailed",
                format!(
                    "the rectification deadline {due} has not passed: revoke now only if the re-check found the \
                     conditions still unmet (rectificationFailed: true)"
                ),
            ));
        }
    }
    let now = w.clock().now();
    ch.after.concluded_at = Some(now);
    ch.after.operating = false;
    let (subject, dept, id) = (
        ch.after.subject_id.clone(),
        ch.after.dept_code.clone(),
        ch.after.id,
    );
    let facts = format!(
        "告知承诺不实，撤销行政决定 (commitment {id}, item {}): {reason}",
        ch.after.item_code
    );
    let payload = ch
        .save(
            Some(reason),
            json!({ "severity": i.severity, "rectificationFailed": i.rectification_failed }),
        )
        .await?;
    let record = crate::credit::store::NewRecord {
        subject_id: &subject,
        source_dept: &dept,
        kind: CreditKind::FalseCommitment,
        severity: i.severity,
        facts: &facts,
        commitment_id: Some(id),
        by: &w.principal().sub,
    };
    let txn = w.txn().await?;
    crate::credit::store::insert_record(txn, record, now, today).await?;
    // Revoking the commitment revokes the licence issued on it.
    let reason = format!("告知承诺撤销 (commitment {id})");
    crate::certificate::store::revoke_for_commitment(txn, id, &reason, now).await?;
    Ok(payload)
}
