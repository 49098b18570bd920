//! Storage of commitments, their events and promised materials. A change is
//! a compare-and-set on the commitment's version, so of two racing changes
//! exactly one lands and the other is told CONFLICT.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::Loader;
use chrono::{DateTime, NaiveDate, Utc};
use entity::{commitment, commitment_event, commitment_named, promised_material};
use sea_orm::{
    ActiveValue::{NotSet, Set},
    ColumnTrait, Condition, ConnectionTrait, DbBackend, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, QueryTrait, Statement,
    sea_query::{Expr, ExprTrait, IntoIden},
};
use uuid::Uuid;

use super::rules::{CommitmentKind, SignedNotification, Statements};
use super::state::{Action, State};
use crate::credit::rules::CreditLevel;
use crate::db::{Fetch, Keyed, Reader};
use crate::error::{Error, Result};
use crate::identity::SubjectKind;
use crate::metrics::tally::Tallies;
use crate::pagination::Page;
use crate::power_list::rules::{CommitmentMode, VerificationMethod};

/// What the applicant signed and handed in with a commitment, frozen at
/// submission. About 1 KB, and no list shows it, so the lists read their
/// commitments without it ([`of_subjects`]); everything else reads it whole.
#[derive(Debug)]
pub struct Documents {
    /// The four statements.
    pub statements: Statements,
    /// The notification as signed.
    pub notification: SignedNotification,
    /// Materials handed in with the commitment.
    pub materials_submitted: Vec<String>,
}

/// A commitment (告知承诺书) as stored.
#[derive(Clone, Debug)]
pub struct Commitment {
    /// Id.
    pub id: Uuid,
    /// The item.
    pub item_code: String,
    /// The deciding department (the item's), which owns it.
    pub dept_code: String,
    /// The applicant.
    pub subject_id: String,
    /// Enterprise or person.
    pub subject_kind: SubjectKind,
    /// The applicant's name.
    pub applicant_name: String,
    /// Certification matter or business licence.
    pub mode: CommitmentMode,
    /// For business licences: meets now or by a deadline.
    pub kind: Option<CommitmentKind>,
    /// Lifecycle state.
    pub state: State,
    /// For business licences: whether the holder may operate.
    pub operating: bool,
    /// What the applicant signed and handed in; `None` when read for a list
    /// (see [`Documents`]).
    pub documents: Option<Arc<Documents>>,
    /// How it will be checked, given the applicant's credit at submission.
    pub verification_method: VerificationMethod,
    /// The applicant's credit level at submission.
    pub credit_level: CreditLevel,
    /// Whether it is published for public supervision.
    pub published: bool,
    /// Until when.
    pub publish_until: Option<NaiveDate>,
    /// When submitted.
    pub submitted_at: DateTime<Utc>,
    /// The day submitted (China Standard Time).
    pub submitted_on: NaiveDate,
    /// The submitting system.
    pub submitted_by: String,
    /// The day of the decision.
    pub decided_on: Option<NaiveDate>,
    /// When decided.
    pub decided_at: Option<DateTime<Utc>>,
    /// When the post-approval check is due.
    pub verification_due: Option<NaiveDate>,
    /// When the check's result was recorded.
    pub verified_at: Option<DateTime<Utc>>,
    /// When rectification is due.
    pub rectification_due: Option<NaiveDate>,
    /// When receipt of the promised materials was confirmed.
    pub receipt_confirmed_at: Option<DateTime<Utc>>,
    /// When the matter ended.
    pub concluded_at: Option<DateTime<Utc>>,
    /// When the decision and commitment must reach the credit side.
    pub credit_push_due: Option<NaiveDate>,
    /// When they did.
    pub credit_pushed_at: Option<DateTime<Utc>>,
    /// Version, raised by every change.
    pub version: i32,
    /// Its item's name, when read with it (a subject's lists, see
    /// [`of_subjects`]); `None` when not read, and the item is then loaded by
    /// its code.
    pub item_name: Option<String>,
}

/// The commitment in the model `$m` of any entity over the table, with
/// `$documents` and `$item_name`. Written once for all, so that a column added
/// to the one and not the others does not compile.
macro_rules! from_row {
    ($m:ident, $documents:expr, $item_name:expr) => {
        Commitment {
            subject_kind: if $m.subject_kind == "PERSON" {
                SubjectKind::Person
            } else {
                SubjectKind::Enterprise
            },
            mode: CommitmentMode::from_stored(&$m.mode)?,
            kind: $m
                .kind
                .as_deref()
                .map(CommitmentKind::from_stored)
                .transpose()?,
            state: State::from_stored(&$m.state)?,
            verification_method: VerificationMethod::from_stored(&$m.verification_method)?,
            credit_level: CreditLevel::from_stored(&$m.credit_level)?,
            documents: $documents,
            id: $m.id,
            item_code: $m.item_code,
            dept_code: $m.dept_code,
            subject_id: $m.subject_id,
            applicant_name: $m.applicant_name,
            operating: $m.operating,
            published: $m.published,
            publish_until: $m.publish_until,
            submitted_at: $m.submitted_at,
            submitted_on: $m.submitted_on,
            submitted_by: $m.submitted_by,
            decided_on: $m.decided_on,
            decided_at: $m.decided_at,
            verification_due: $m.verification_due,
            verified_at: $m.verified_at,
            rectification_due: $m.rectification_due,
            receipt_confirmed_at: $m.receipt_confirmed_at,
            concluded_at: $m.concluded_at,
            credit_push_due: $m.credit_push_due,
            credit_pushed_at: $m.credit_pushed_at,
            version: $m.version,
            item_name: $item_name,
        }
    };
}

impl TryFrom<commitment::Model> for Commitment {
    type Error = Error;
    fn try_from(m: commitment::Model) -> Result<Self> {
        let documents = Documents {
            statements: serde_json::from_value(m.statements).map_err(Error::internal)?,
            notification: serde_json::from_value(m.notification).map_err(Error::internal)?,
            materials_submitted: serde_json::from_value(m.materials_submitted)
                .map_err(Error::internal)?,
        };
        Ok(from_row!(m, Some(Arc::new(documents)), None))
    }
}

impl TryFrom<commitment_named::Model> for Commitment {
    type Error = Error;
    fn try_from(m: commitment_named::Model) -> Result<Self> {
        let name = m.item_name.clone();
        Ok(from_row!(m, None, name))
    }
}

impl Commitment {
    /// What the applicant signed and handed in; an internal error for a
    /// commitment read for a list, which no caller should ask.
    pub fn documents(&self) -> Result<&Arc<Documents>> {
        self.documents.as_ref().ok_or_else(|| {
            Error::internal_msg(format!(
                "commitment {} was read without its documents",
                self.id
            ))
        })
    }
}

/// The row of a new commitment, documents included.
fn new_row(c: &Commitment) -> Result<commitment::ActiveModel> {
    let d = c.documents()?;
    Ok(commitment::ActiveModel {
        statements: Set(serde_json::to_value(&d.statements).map_err(Error::internal)?),
        notification: Set(serde_json::to_value(&d.notification).map_err(Error::internal)?),
        materials_submitted: Set(serde_json::json!(d.materials_submitted)),
        ..to_row(c)
    })
}

/// The row of a commitment, but for its documents: frozen at submission,
/// they are written by the insert ([`new_row`]) and never by a change.
fn to_row(c: &Commitment) -> commitment::ActiveModel {
    commitment::ActiveModel {
        id: Set(c.id),
        item_code: Set(c.item_code.clone()),
        dept_code: Set(c.dept_code.clone()),
        subject_id: Set(c.subject_id.clone()),
        subject_kind: Set(c.subject_kind.as_str().to_owned()),
        applicant_name: Set(c.applicant_name.clone()),
        mode: Set(c.mode.as_str().to_owned()),
        kind: Set(c.kind.map(|k| k.as_str().to_owned())),
        state: Set(c.state.as_str().to_owned()),
        operating: Set(c.operating),
        statements: NotSet,
        notification: NotSet,
        materials_submitted: NotSet,
        verification_method: Set(c.verification_method.as_str().to_owned()),
        credit_level: Set(c.credit_level.as_str().to_owned()),
        published: Set(c.published),
        publish_until: Set(c.publish_until),
        submitted_at: Set(c.submitted_at),
        submitted_on: Set(c.submitted_on),
        submitted_by: Set(c.submitted_by.clone()),
        decided_on: Set(c.decided_on),
        decided_at: Set(c.decided_at),
        verification_due: Set(c.verification_due),
        verified_at: Set(c.verified_at),
        rectification_due: Set(c.rectification_due),
        receipt_confirmed_at: Set(c.receipt_confirmed_at),
        concluded_at: Set(c.concluded_at),
        credit_push_due: Set(c.credit_push_due),
        credit_pushed_at: Set(c.credit_pushed_at),
        version: Set(c.version),
    }
}

/// A lifecycle event about to be stored.
pub struct NewEvent<'a> {
    /// What was done.
    pub action: &'a str,
    /// The state before (none for the submission).
    pub from: Option<State>,
    /// Calling system.
    pub actor_sub: &'a str,
    /// Its department.
    pub actor_dept: &'a str,
    /// Why, where a reason is given.
    pub reason: Option<&'a str>,
    /// Findings, deadlines and other particulars.
    pub details: serde_json::Value,
    /// When.
    pub at: DateTime<Utc>,
}

/// Stores an event; gives what it adds to the dashboard's tallies.
async fn insert_event(
    conn: &impl ConnectionTrait,
    c: &Commitment,
    e: NewEvent<'_>,
) -> Result<Tallies> {
    let (stmt, tallies) = event_statement(conn.get_database_backend(), c, e);
    conn.execute_raw(stmt).await?;
    Ok(tallies)
}

/// The statement that stores event `e` of `c`, and what it adds to the tallies.
fn event_statement(backend: DbBackend, c: &Commitment, e: NewEvent<'_>) -> (Statement, Tallies) {
    let tallies = Tallies(crate::metrics::tally::for_event(
        c.into(),
        e.action,
        e.from,
        e.at,
    ));
    let row = commitment_event::ActiveModel {
        id: Set(Uuid::now_v7()),
        commitment_id: Set(c.id),
        seq: Set(c.version),
        action: Set(e.action.to_owned()),
        from_state: Set(e.from.map(|s| s.as_str().to_owned())),
        to_state: Set(c.state.as_str().to_owned()),
        actor_sub: Set(e.actor_sub.to_owned()),
        actor_dept: Set(e.actor_dept.to_owned()),
        reason: Set(e.reason.map(str::to_owned)),
        details: Set(e.details),
        at: Set(e.at),
    };
    (
        commitment_event::Entity::insert(row).build(backend),
        tallies,
    )
}

/// A commitment with its whole history, as a bulk loader writes it.
pub struct Bulk {
    /// The commitment as it ends up.
    pub commitment: Commitment,
    /// Its events, in order (seq 1..).
    pub events: Vec<commitment_event::ActiveModel>,
    /// Its promised materials.
    pub promised: Vec<promised_material::ActiveModel>,
}

/// Stores many commitments with their events and materials in a few
/// multi-row inserts (the dataset generator's path; the API stores one at a
/// time through [`insert`] and [`apply`]). The dashboard's tallies are not
/// kept here: the loader rebuilds them once it is done.
pub async fn insert_bulk(conn: &impl ConnectionTrait, rows: Vec<Bulk>) -> Result<()> {
    let mut commitments = Vec::with_capacity(rows.len());
    let mut events = Vec::new();
    let mut promised = Vec::new();
    for b in rows {
        commitments.push(new_row(&b.commitment)?);
        events.extend(b.events);
        promised.extend(b.promised);
    }
    // PostgreSQL takes at most 65535 bind parameters per statement.
    for chunk in commitments.chunks(1000) {
        commitment::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(conn)
            .await?;
    }
    for chunk in events.chunks(2500) {
        commitment_event::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(conn)
            .await?;
    }
    for chunk in promised.chunks(5000) {
        promised_material::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(conn)
            .await?;
    }
    Ok(())
}

/// An event row for the bulk loader.
#[allow(clippy::too_many_arguments)]
pub fn event_row(
    id: Uuid,
    commitment_id: Uuid,
    seq: i32,
    action: &str,
    from: Option<State>,
    to: State,
    actor: (&str, &str),
    reason: Option<&str>,
    at: DateTime<Utc>,
) -> commitment_event::ActiveModel {
    commitment_event::ActiveModel {
        id: Set(id),
        commitment_id: Set(commitment_id),
        seq: Set(seq),
        action: Set(action.to_owned()),
        from_state: Set(from.map(|s| s.as_str().to_owned())),
        to_state: Set(to.as_str().to_owned()),
        actor_sub: Set(actor.0.to_owned()),
        actor_dept: Set(actor.1.to_owned()),
        reason: Set(reason.map(str::to_owned)),
        details: Set(serde_json::json!({})),
        at: Set(at),
    }
}

/// A promised-material row for the bulk loader.
pub fn promised_row(
    id: Uuid,
    commitment_id: Uuid,
    name: &str,
    due: NaiveDate,
    submitted_at: Option<DateTime<Utc>>,
) -> promised_material::ActiveModel {
    promised_material::ActiveModel {
        id: Set(id),
        commitment_id: Set(commitment_id),
        name: Set(name.to_owned()),
        due_date: Set(due),
        submitted_at: Set(submitted_at),
        late_recorded_at: Set(None),
    }
}

/// What stores a new commitment (version 1) with its promised materials and
/// its submission event, and what that adds to the dashboard's tallies.
pub fn insert_statements(
    backend: DbBackend,
    c: &Commitment,
    promised: &[(String, NaiveDate)],
    event: NewEvent<'_>,
) -> Result<(Vec<Statement>, Tallies)> {
    let mut statements = vec![commitment::Entity::insert(new_row(c)?).build(backend)];
    if !promised.is_empty() {
        let rows: Vec<_> = promised
            .iter()
            .map(|(name, due)| promised_material::ActiveModel {
                id: Set(Uuid::now_v7()),
                commitment_id: Set(c.id),
                name: Set(name.clone()),
                due_date: Set(*due),
                submitted_at: Set(None),
                late_recorded_at: Set(None),
            })
            .collect();
        statements.push(promised_material::Entity::insert_many(rows).build(backend));
    }
    let (event, tallies) = event_statement(backend, c, event);
    statements.push(event);
    Ok((statements, tallies))
}

/// One commitment, or `NOT_FOUND`.
pub async fn get(conn: &impl ConnectionTrait, id: Uuid) -> Result<Commitment> {
    commitment::Entity::find_by_id(id)
        .one(conn)
        .await?
        .ok_or_else(|| Error::NotFound(format!("there is no commitment {id}")))
        .and_then(Commitment::try_from)
}

/// Commitments by id (DataLoader).
pub struct CommitmentLoader(pub Reader);

impl Loader<Uuid> for CommitmentLoader {
    type Value = Commitment;
    type Error = Arc<Error>;

    async fn load(
        &self,
        keys: &[Uuid],
    ) -> std::result::Result<HashMap<Uuid, Commitment>, Self::Error> {
        let rows = self
            .0
            .fetch(
                commitment::Entity::find()
                    .filter(commitment::Column::Id.is_in(keys.iter().copied())),
            )
            .await
            .map_err(|e| Arc::new(e.into()))?;
        rows.into_iter()
            .map(|m| Commitment::try_from(m).map(|c| (c.id, c)))
            .collect::<Result<_>>()
            .map_err(Arc::new)
    }
}

/// Stores `after` if the stored commitment is still at `after.version - 1`,
/// with the event that explains the change; `CONFLICT` otherwise. Gives what
/// the change adds to the dashboard's tallies.
pub async fn apply(
    conn: &impl ConnectionTrait,
    after: &Commitment,
    event: NewEvent<'_>,
) -> Result<Tallies> {
    let expected = after.version - 1;
    let mut row = to_row(after);
    // The credit side marks its receipt outside the lifecycle; a change must
    // not write back an older value.
    row.credit_pushed_at = sea_orm::ActiveValue::NotSet;
    let res = commitment::Entity::update_many()
        .set(row)
        .filter(commitment::Column::Id.eq(after.id))
        .filter(commitment::Column::Version.eq(expected))
        .exec(conn)
        .await?;
    if res.rows_affected == 0 {
        let now = get(conn, after.id).await?;
        return Err(Error::Conflict(format!(
            "commitment {} was changed by another request meanwhile (it is now {} at version {}); \
             reload it and decide again",
            after.id, now.state, now.version
        )));
    }
    insert_event(conn, after, event).await
}

/// A lifecycle event.
pub type Event = commitment_event::Model;

/// A commitment's events, oldest first.
pub async fn events(conn: &impl ConnectionTrait, id: Uuid) -> Result<Vec<Event>> {
    Ok(commitment_event::Entity::find()
        .filter(commitment_event::Column::CommitmentId.eq(id))
        .order_by_asc(commitment_event::Column::Seq)
        .all(conn)
        .await?)
}

/// A promised material.
pub type Promised = promised_material::Model;

/// The promised materials of a commitment, by due date.
pub async fn promised(conn: &impl ConnectionTrait, id: Uuid) -> Result<Vec<Promised>> {
    Ok(promised_material::Entity::find()
        .filter(promised_material::Column::CommitmentId.eq(id))
        .order_by_asc(promised_material::Column::DueDate)
        .order_by_asc(promised_material::Column::Name)
        .all(conn)
        .await?)
}

/// Marks promised materials as handed in at `now`.
pub async fn mark_submitted(
    conn: &impl ConnectionTrait,
    ids: &[Uuid],
    now: DateTime<Utc>,
) -> Result<()> {
    promised_material::Entity::update_many()
        .col_expr(promised_material::Column::SubmittedAt, now.into())
        .filter(promised_material::Column::Id.is_in(ids.iter().copied()))
        .filter(promised_material::Column::SubmittedAt.is_null())
        .exec(conn)
        .await?;
    Ok(())
}

/// Promised materials past their due date, not handed in and not yet
/// recorded as late, of commitments whose decision stands.
pub async fn late_materials(
    conn: &impl ConnectionTrait,
    today: NaiveDate,
) -> Result<Vec<(Promised, Commitment)>> {
    let rows = promised_material::Entity::find()
        .filter(promised_material::Column::DueDate.lt(today))
        .filter(promised_material::Column::SubmittedAt.is_null())
        .filter(promised_material::Column::LateRecordedAt.is_null())
        .limit(1000)
        .all(conn)
        .await?;
    let mut out = Vec::new();
    for m in rows {
        let c = get(conn, m.commitment_id).await?;
        if matches!(
            c.state,
            State::Approved
                | State::Verifying
                | State::Noncompliant
                | State::Rectifying
                | State::Fulfilled
        ) {
            out.push((m, c));
        }
    }
    Ok(out)
}

/// Claims a late material for recording; false if another replica already did.
pub async fn claim_late(conn: &impl ConnectionTrait, id: Uuid, now: DateTime<Utc>) -> Result<bool> {
    let res = promised_material::Entity::update_many()
        .col_expr(promised_material::Column::LateRecordedAt, now.into())
        .filter(promised_material::Column::Id.eq(id))
        .filter(promised_material::Column::LateRecordedAt.is_null())
        .exec(conn)
        .await?;
    Ok(res.rows_affected == 1)
}

/// Filter of the commitment list.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    /// Accepting department.
    pub department: Option<String>,
    /// Item.
    pub item: Option<String>,
    /// Applicant.
    pub applicant: Option<String>,
    /// States.
    pub states: Vec<State>,
    /// Kind.
    pub kind: Option<CommitmentKind>,
    /// Decided on or after.
    pub decided_from: Option<NaiveDate>,
    /// Decided on or before.
    pub decided_to: Option<NaiveDate>,
    /// Only those whose check or rectification is overdue on this day.
    pub overdue_on: Option<NaiveDate>,
    /// Only published ones, still within their publication period on this day.
    pub published_on: Option<NaiveDate>,
}

/// The filter as a condition on `table`'s columns: the commitment table's,
/// or the same columns of the view a list reads ([`commitment_named`]).
fn condition(f: &Filter, table: impl IntoIden + Copy) -> Condition {
    use commitment::Column as C;
    let col = |c: C| Expr::col((table, c));
    let mut c = Condition::all();
    if let Some(d) = &f.department {
        c = c.add(col(C::DeptCode).eq(d.as_str()));
    }
    if let Some(i) = &f.item {
        c = c.add(col(C::ItemCode).eq(i.as_str()));
    }
    if let Some(a) = &f.applicant {
        c = c.add(col(C::SubjectId).eq(a.as_str()));
    }
    if !f.states.is_empty() {
        c = c.add(col(C::State).is_in(f.states.iter().map(|s| s.as_str())));
    }
    if let Some(k) = f.kind {
        c = c.add(col(C::Kind).eq(k.as_str()));
    }
    if let Some(d) = f.decided_from {
        c = c.add(col(C::DecidedOn).gte(d));
    }
    if let Some(d) = f.decided_to {
        c = c.add(col(C::DecidedOn).lte(d));
    }
    if let Some(today) = f.overdue_on {
        // Their post-approval check or their rectification is overdue.
        c = c.add(
            Condition::any()
                .add(
                    Condition::all()
                        .add(
                            col(C::State)
                                .is_in([State::Approved.as_str(), State::Verifying.as_str()]),
                        )
                        .add(col(C::VerificationDue).lt(today)),
                )
                .add(
                    Condition::all()
                        .add(col(C::State).eq(State::Rectifying.as_str()))
                        .add(col(C::RectificationDue).lt(today)),
                ),
        );
    }
    if let Some(today) = f.published_on {
        c = c
            .add(col(C::Published).eq(true))
            .add(col(C::DecidedOn).is_not_null())
            .add(col(C::PublishUntil).gte(today));
    }
    c
}

/// A page of commitments, newest first; without their documents, and with
/// their items' names, unless `documents` (see [`Documents`]).
pub async fn list(
    conn: &impl ConnectionTrait,
    f: &Filter,
    page: &Page<(DateTime<Utc>, Uuid)>,
    documents: bool,
) -> Result<(Vec<Commitment>, u64)> {
    let total = commitment::Entity::find()
        .filter(condition(f, commitment::Entity))
        .count(conn)
        .await?;
    let rows = if documents {
        use commitment::{Column as C, Entity};
        let q = Entity::find().filter(condition(f, Entity));
        page_of(conn, q, C::SubmittedAt, C::Id, page).await?
    } else {
        use commitment_named::{Column as C, Entity};
        let q = Entity::find().filter(condition(f, Entity));
        page_of(conn, q, C::SubmittedAt, C::Id, page).await?
    };
    Ok((rows, total))
}

async fn page_of<E>(
    conn: &impl ConnectionTrait,
    q: sea_orm::Select<E>,
    at: E::Column,
    id: E::Column,
    page: &Page<(DateTime<Utc>, Uuid)>,
) -> Result<Vec<Commitment>>
where
    E: EntityTrait,
    Commitment: TryFrom<E::Model, Error = Error>,
{
    crate::pagination::newest_first(q, at, id, page)
        .all(conn)
        .await?
        .into_iter()
        .map(Commitment::try_from)
        .collect()
}

/// The most commitments a subject's view lists.
pub const PER_SUBJECT: u64 = 100;

/// Subjects' commitments as lists read them, with their items' names,
/// newest first.
static ALL_OF: Keyed<commitment_named::Entity> = Keyed::new(|subjects| {
    commitment_named::Entity::find()
        .filter(commitment_named::Column::SubjectId.is_in(subjects))
        .order_by_desc(commitment_named::Column::SubmittedAt)
});

/// The same, only those not yet over.
static OPEN_OF: Keyed<commitment_named::Entity> = Keyed::new(|subjects| {
    let open = State::ALL
        .iter()
        .filter(|s| !super::state::is_final(**s))
        .map(|s| s.as_str());
    commitment_named::Entity::find()
        .filter(commitment_named::Column::SubjectId.is_in(subjects))
        .filter(commitment_named::Column::State.is_in(open))
        .order_by_desc(commitment_named::Column::SubmittedAt)
});

/// The newest commitments of many subjects (at most [`PER_SUBJECT`] each),
/// or only those not yet over: one query whatever their number. Read without
/// their documents, with their items' names.
pub async fn of_subjects(
    conn: &impl Fetch,
    subjects: &[String],
    open_only: bool,
) -> Result<HashMap<String, Vec<Commitment>>> {
    let mut out: HashMap<String, Vec<Commitment>> =
        subjects.iter().map(|s| (s.clone(), Vec::new())).collect();
    if subjects.is_empty() {
        return Ok(out);
    }
    let rows = conn
        .fetch_keyed(if open_only { &OPEN_OF } else { &ALL_OF }, subjects)
        .await?;
    for r in rows {
        let list = out.entry(r.subject_id.clone()).or_default();
        if (list.len() as u64) < PER_SUBJECT {
            list.push(Commitment::try_from(r)?);
        }
    }
    Ok(out)
}

/// Loads subjects' commitments, many subjects at a time (DataLoader).
pub struct SubjectCommitmentsLoader(pub Reader);

impl Loader<String> for SubjectCommitmentsLoader {
    type Value = Vec<Arc<Commitment>>;
    type Error = Arc<Error>;

    async fn load(
        &self,
        keys: &[String],
    ) -> std::result::Result<HashMap<String, Vec<Arc<Commitment>>>, Self::Error> {
        let found = of_subjects(&self.0, keys, false).await.map_err(Arc::new)?;
        Ok(crate::util::shared(found))
    }
}

/// Loads subjects' open commitments (not yet over), many subjects at a time:
/// what an online check needs, without reading a subject's whole history.
pub struct SubjectOpenCommitmentsLoader(pub Reader);

impl Loader<String> for SubjectOpenCommitmentsLoader {
    type Value = Vec<Arc<Commitment>>;
    type Error = Arc<Error>;

    async fn load(
        &self,
        keys: &[String],
    ) -> std::result::Result<HashMap<String, Vec<Arc<Commitment>>>, Self::Error> {
        let found = of_subjects(&self.0, keys, true).await.map_err(Arc::new)?;
        Ok(crate::util::shared(found))
    }
}

/// Records that the credit side received commitments' decisions; returns the
/// ids that were not yet marked.
pub async fn mark_pushed(
    conn: &impl ConnectionTrait,
    ids: &[Uuid],
    now: DateTime<Utc>,
) -> Result<u64> {
    let res = commitment::Entity::update_many()
        .col_expr(commitment::Column::CreditPushedAt, now.into())
        .filter(commitment::Column::Id.is_in(ids.iter().copied()))
        .filter(commitment::Column::DecidedAt.is_not_null())
        .filter(commitment::Column::CreditPushedAt.is_null())
        .exec(conn)
        .await?;
    Ok(res.rows_affected)
}

/// The action name stored with a lifecycle event.
pub fn action_name(a: Action) -> &'static str {
    a.as_str()
}
