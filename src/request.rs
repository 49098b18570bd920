//! What every resolver can ask of its request: the hub's state, the caller,
//! and the doors through which non-public reads and all writes pass, so that
//! each is checked and audited the same way.

use std::collections::BTreeSet;
use std::sync::{Mutex, OnceLock};

use async_graphql::Context;
use sea_orm::DatabaseTransaction;

use crate::AppState;
use crate::audit::{Fact, NewEntry, OperationType};
use crate::auth::{Caller, Principal, Scope};
use crate::error::{Error, Result};

/// Per-request data, put into the GraphQL request by the HTTP layer.
pub struct RequestContext {
    /// Who is calling.
    pub caller: Caller,
    /// The id of this request (also in the `x-request-id` header).
    pub request_id: String,
    /// The declared purpose (`X-Purpose`), e.g. a case number.
    pub purpose: Option<String>,
    /// Non-public reads of this request, for its audit entry.
    pub reads: ReadLog,
    /// Batch loaders, whose caches live only as long as this request.
    pub loaders: crate::loaders::Loaders,
    /// The name of the operation the document holds, once parsed (for
    /// request metrics when the client sent no `operationName`).
    pub document_operation: std::sync::OnceLock<String>,
}

impl RequestContext {
    /// A context for one request of `caller`, whose loads run as `dispatch`
    /// says.
    pub fn new(
        caller: Caller,
        request_id: String,
        purpose: Option<String>,
        db: &crate::db::Db,
        dispatch: &crate::loaders::Dispatch,
    ) -> Self {
        RequestContext {
            caller,
            request_id,
            purpose,
            reads: ReadLog::default(),
            loaders: crate::loaders::Loaders::new(db, dispatch),
            document_operation: std::sync::OnceLock::new(),
        }
    }

    /// An entry about this request, for the audit log.
    pub fn entry(
        &self,
        operation_type: OperationType,
        operation: String,
        subjects: BTreeSet<String>,
        outcome: String,
        facts: Vec<Fact>,
    ) -> NewEntry {
        let (sub, dept) = match &self.caller {
            Caller::Authenticated(p) => (p.sub.clone(), Some(p.dept.as_str().to_owned())),
            Caller::Anonymous => ("anonymous".to_owned(), None),
        };
        NewEntry {
            at: crate::util::now(),
            sub,
            dept,
            operation_type,
            operation,
            subjects,
            purpose: self.purpose.clone(),
            outcome,
            request_id: self.request_id.clone(),
            facts,
        }
    }
}

#[derive(Default)]
struct Reads {
    fields: BTreeSet<&'static str>,
    subjects: BTreeSet<String>,
    facts: Vec<Fact>,
    owners: BTreeSet<String>,
    wrote: bool,
}

/// The non-public reads one request made: which fields, which subjects.
#[derive(Default)]
pub struct ReadLog(Mutex<Reads>);

impl ReadLog {
    fn with<T>(&self, f: impl FnOnce(&mut Reads) -> T) -> T {
        let mut guard = crate::util::lock(&self.0);
        f(&mut guard)
    }

    /// Records an attempt to read the non-public field `field`.
    pub fn field(&self, field: &'static str) {
        self.with(|r| r.fields.insert(field));
    }

    /// Records that a subject's data was read.
    pub fn subject(&self, id: &str) {
        self.with(|r| r.subjects.insert(id.to_owned()));
    }

    /// Records a structured fact for the read's audit entry.
    pub fn fact(&self, fact: Fact) {
        self.with(|r| r.facts.push(fact));
    }

    /// Records that another department's records were read.
    pub fn owner(&self, dept: &str) {
        self.with(|r| {
            if !r.owners.contains(dept) {
                r.owners.insert(dept.to_owned());
            }
        });
    }

    fn wrote(&self) {
        self.with(|r| r.wrote = true);
    }

    /// The read entry this request owes, if it read non-public data outside a
    /// mutation (a mutation's own entry covers the payload it returns). Asked
    /// once, when the request is done: it hands over the subjects and facts
    /// it holds rather than copying them.
    pub fn pending(
        &self,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Option<(String, BTreeSet<String>, Vec<Fact>)> {
        self.with(|r| {
            (!r.fields.is_empty() && !r.wrote).then(|| {
                let op = r.fields.iter().copied().collect::<Vec<_>>().join(",");
                {
                    let mut facts = std::mem::take(&mut r.facts);
                    facts.extend(std::mem::take(&mut r.owners).into_iter().map(|owner| Fact {
                        at: now,
                        kind: "LOOKUP",
                        owner_dept: Some(owner),
                        subject_id: None,
                        result: "ok".into(),
                        detail: None,
                    }));
                    (op, std::mem::take(&mut r.subjects), facts)
                }
            })
        })
    }
}

/// Access to the hub from a resolver.
pub trait ContextExt {
    /// The hub's shared state.
    fn app(&self) -> &AppState;
    /// This request.
    fn request(&self) -> &RequestContext;
    /// The caller.
    fn caller(&self) -> &Caller {
        &self.request().caller
    }
    /// The door for a non-public read: records the attempt for the audit log,
    /// then checks the scope.
    fn read_with(&self, field: &'static str, scope: Scope) -> Result<&Principal> {
        self.request().reads.field(field);
        self.caller().require(scope)
    }
    /// Like [`ContextExt::read_with`] for data any authenticated caller may read.
    fn read_authenticated(&self, field: &'static str) -> Result<&Principal> {
        self.request().reads.field(field);
        self.caller().principal()
    }
    /// Records that a subject's non-public data was read.
    fn touched(&self, subject: &str) {
        self.request().reads.subject(subject);
    }
    /// Records a structured fact for this read's audit entry.
    fn fact(&self, fact: Fact) {
        self.request().reads.fact(fact);
    }
    /// Records that the records of department `owner` were read: a
    /// cross-agency lookup when it is not the caller's own.
    fn looked_up(&self, owner: &str) {
        if self.caller().dept().is_some_and(|d| d.as_str() != owner) {
            self.request().reads.owner(owner);
        }
    }
}

impl ContextExt for Context<'_> {
    fn app(&self) -> &AppState {
        self.data_unchecked::<AppState>()
    }

    fn request(&self) -> &RequestContext {
        self.data_unchecked::<std::sync::Arc<RequestContext>>()
    }
}

/// The door every mutation goes through: one transaction, whose audit entry
/// commits with it; a refused or failed mutation is audited too, after the
/// rollback, with its error code.
///
/// The transaction begins on the first call to [`Write::txn`], so that a
/// mutation can first read what it will change from the readers: an
/// optimistic compare-and-set then tells a lost race (`CONFLICT`) from an
/// illegal move, on SQLite (whose single writer would otherwise serialise
/// both requests) as on PostgreSQL.
pub struct Write<'a> {
    ctx: &'a Context<'a>,
    operation: &'static str,
    txn: tokio::sync::OnceCell<DatabaseTransaction>,
    principal: Principal,
    subjects: Mutex<BTreeSet<String>>,
    facts: Mutex<Vec<Fact>>,
    tallies: Mutex<Vec<crate::metrics::tally::Add>>,
    /// Writes whose results nothing reads, sent with the audit entry.
    deferred: Mutex<Vec<sea_orm::Statement>>,
    /// When the transaction began, to count how long it held the writer.
    began: OnceLock<std::time::Instant>,
    /// Whether the mutation may share its transaction ([`Write::in_group`]).
    grouped: bool,
    /// Its place in a shared transaction, once it has one.
    member: tokio::sync::OnceCell<crate::db::group::Member>,
}

impl<'a> Write<'a> {
    fn new(ctx: &'a Context<'a>, operation: &'static str, principal: Principal) -> Write<'a> {
        Write {
            ctx,
            operation,
            txn: tokio::sync::OnceCell::new(),
            principal,
            subjects: Mutex::new(BTreeSet::new()),
            facts: Mutex::new(Vec::new()),
            tallies: Mutex::new(Vec::new()),
            deferred: Mutex::new(Vec::new()),
            began: OnceLock::new(),
            grouped: false,
            member: tokio::sync::OnceCell::new(),
        }
    }

    /// Lets the mutation share its write transaction with others like it on
    /// SQLite (group commit, see [`crate::db::group`]): they share the
    /// `BEGIN`, the `COMMIT` and its fsync, and the mutation is still
    /// answered only once its writes are committed. Only for a mutation that
    /// writes through [`Write::defer`] alone ([`Write::txn`] then fails) and
    /// whose [`Write::locked`] reads are ones no grouped mutation's writes
    /// change: the readers do not see the group's uncommitted writes.
    pub fn in_group(mut self) -> Self {
        self.grouped = true;
        self
    }

    /// Checks `scope`; refusals are audited.
    pub async fn begin(
        ctx: &'a Context<'a>,
        operation: &'static str,
        scope: Scope,
    ) -> Result<Write<'a>> {
        ctx.request().reads.wrote();
        match ctx.caller().require(scope) {
            Ok(p) => Ok(Write::new(ctx, operation, p.clone())),
            Err(e) => Err(refused(ctx, operation, BTreeSet::new(), e).await),
        }
    }

    /// Like [`Write::begin`] for a mutation any one of `scopes` allows, or
    /// any authenticated caller when `scopes` is empty.
    pub async fn begin_any(
        ctx: &'a Context<'a>,
        operation: &'static str,
        scopes: &[Scope],
    ) -> Result<Write<'a>> {
        ctx.request().reads.wrote();
        let allowed = ctx.caller().principal().and_then(|p| {
            if scopes.is_empty() || scopes.iter().any(|s| p.scopes.contains(s)) {
                Ok(p.clone())
            } else {
                let names: Vec<&str> = scopes.iter().map(|s| s.as_str()).collect();
                Err(Error::Forbidden(format!(
                    "this needs one of the scopes {}, which the token does not grant",
                    names.join(", ")
                )))
            }
        });
        match allowed {
            Ok(p) => Ok(Write::new(ctx, operation, p)),
            Err(e) => Err(refused(ctx, operation, BTreeSet::new(), e).await),
        }
    }

    /// The mutation's transaction, begun on first use.
    pub async fn txn(&self) -> Result<&DatabaseTransaction> {
        if self.member.initialized() {
            return Err(Error::internal_msg(
                "a mutation sharing its transaction writes only through Write::defer",
            ));
        }
        let txn = self
            .txn
            .get_or_try_init(|| async {
                let txn = self.ctx.app().db.begin().await?;
                self.began.get_or_init(std::time::Instant::now);
                Ok::<_, Error>(txn)
            })
            .await?;
        Ok(txn)
    }

    /// Where to read what the writes depend on, under the transaction's
    /// lock: it begins the transaction, then reads through SQLite's readers
    /// (see [`crate::db::Locked`]) or PostgreSQL's transaction. Read here
    /// only before the mutation writes anything other than through
    /// [`Write::defer`]. A mutation [`Write::in_group`] joins a group on
    /// SQLite instead, which holds the write lock for it.
    pub async fn locked(&self) -> Result<crate::db::Locked<'_>> {
        let db = &self.ctx.app().db;
        if let Some(group) = db.group.as_ref().filter(|_| self.grouped)
            && self.txn.get().is_none()
        {
            self.member.get_or_try_init(|| group.join()).await?;
            return Ok(crate::db::Locked::Readers(&db.reader));
        }
        let txn = self.txn().await?;
        Ok(match db.backend() {
            sea_orm::DbBackend::Sqlite => crate::db::Locked::Readers(&db.reader),
            _ => crate::db::Locked::Txn(txn),
        })
    }

    /// The database's backend, to build statements for [`Write::defer`].
    pub fn backend(&self) -> sea_orm::DbBackend {
        self.ctx.app().db.backend()
    }

    /// Keeps writes that nothing in the mutation reads back, to run them in
    /// order, in the transaction, in the round trip that writes the audit
    /// entry just before it commits. A deferred write that fails fails the
    /// mutation, as it would have at once.
    pub fn defer(&self, statements: impl IntoIterator<Item = sea_orm::Statement>) {
        crate::util::lock(&self.deferred).extend(statements);
    }

    /// The readers, for reads made before the transaction begins.
    pub fn reader(&self) -> &sea_orm::DatabaseConnection {
        &self.ctx.app().db.read
    }

    /// The authenticated caller.
    pub fn principal(&self) -> &Principal {
        &self.principal
    }

    /// The domain's clock.
    pub fn clock(&self) -> &crate::clock::Clock {
        &self.ctx.app().clock
    }

    /// Records a subject the mutation touches.
    pub fn touch(&self, subject: &str) {
        let mut s = crate::util::lock(&self.subjects);
        s.insert(subject.to_owned());
    }

    /// Keeps what a change adds to the dashboard's tallies, to add them all
    /// in one statement before the transaction commits.
    pub fn count(&self, tallies: crate::metrics::tally::Tallies) {
        crate::util::lock(&self.tallies).extend(tallies.0);
    }

    /// Records a structured fact for the mutation's audit entry.
    pub fn fact(&self, fact: Fact) {
        crate::util::lock(&self.facts).push(fact);
    }

    /// Commits with an `ok` entry if `result` is `Ok`; otherwise rolls back and
    /// records the failure.
    pub async fn finish<T>(mut self, result: Result<T>) -> Result<T> {
        let subjects = crate::util::lock(&self.subjects).clone();
        let value = match result {
            Ok(v) => v,
            Err(e) => {
                // Leaving the group before the refusal is audited, which
                // waits for the writer the group holds.
                drop(self.member.into_inner());
                if let Some(txn) = self.txn.into_inner() {
                    // Rolled back here rather than on drop, so that the
                    // writer is free again before the refusal is audited.
                    if let Err(rollback) = txn.rollback().await {
                        tracing::warn!(error = %rollback, "a failed mutation could not roll back");
                    }
                }
                held(self.ctx.app(), self.began.get().copied());
                return Err(refused(self.ctx, self.operation, subjects, e).await);
            }
        };
        let (ctx, operation) = (self.ctx, self.operation);
        let app = ctx.app();
        let facts = std::mem::take(&mut *crate::util::lock(&self.facts));
        let entry = ctx.request().entry(
            OperationType::Mutation,
            operation.to_owned(),
            subjects.clone(),
            "ok".into(),
            facts,
        );
        // The deferred writes, the tallies and the audit entry go in one
        // round trip.
        let backend = app.db.backend();
        let tallies = std::mem::take(&mut *crate::util::lock(&self.tallies));
        let tallies =
            crate::metrics::tally::statement(backend, crate::metrics::tally::Tallies(tallies));
        let mut statements = std::mem::take(&mut *crate::util::lock(&self.deferred));
        statements.extend(tallies);
        statements.extend(crate::audit::entry_statements(backend, entry));
        let (committed, began) = match self.member.take() {
            // Answered once its group has committed.
            Some(member) => (member.write(statements).await, None),
            None => {
                let begun = self.txn().await.map(drop);
                let began = self.began.get().copied();
                let committed = async {
                    begun?;
                    let txn = self
                        .txn
                        .into_inner()
                        .ok_or_else(|| Error::internal_msg("transaction vanished"))?;
                    crate::db::execute_all(&txn, statements).await?;
                    txn.commit().await?;
                    Ok::<_, Error>(())
                }
                .await;
                (committed, began)
            }
        };
        held(app, began);
        match committed {
            Ok(()) => {
                app.audit.committed(1);
                Ok(value)
            }
            Err(e) => Err(refused(ctx, operation, subjects, e).await),
        }
    }
}

/// Counts how long a mutation's transaction, if it began, held the writer.
fn held(app: &AppState, began: Option<std::time::Instant>) {
    if let Some(t) = began {
        app.db.stats.held(t);
    }
}

/// Audits a mutation that did not happen, then hands back its error. If even
/// the audit entry cannot be written, the error becomes `INTERNAL`.
async fn refused(
    ctx: &Context<'_>,
    operation: &'static str,
    subjects: BTreeSet<String>,
    e: Error,
) -> Error {
    let entry = ctx.request().entry(
        OperationType::Mutation,
        operation.to_owned(),
        subjects,
        e.code().to_owned(),
        Vec::new(),
    );
    match ctx.app().audit.append(entry).await {
        Ok(()) => e,
        Err(audit_error) => audit_error,
    }
}
