//! The append-only, hash-chained audit log.
//!
//! A mutation writes its entry *pending* (no sequence number) inside its own
//! transaction, so the change and its entry commit or fail together. A read
//! hands its entry to the writer task, which gathers the entries of many
//! concurrent requests into one transaction (group commit) and wakes each
//! request once its entry is durable; only then is the response sent.
//!
//! The sequencer seals committed pending entries in batches, in the order it
//! finds them: it assigns the sequence number and the chained hash. Whoever
//! seals moves the chain head, and holds the chain's lock while it does: on
//! PostgreSQL a transaction-scoped advisory lock, so replicas sharing one
//! database never fork the chain; on SQLite the database's one write lock.
//!
//! On SQLite the writer seals the reads' entries itself, in the transaction
//! that writes them: the write lock it holds already makes it the only one
//! who can move the head, so the entries are written once, sealed, rather
//! than written pending, read back and rewritten by a second transaction
//! (each commit also empties every reader's page cache). On PostgreSQL the
//! writers of several replicas would queue on the chain's lock for every
//! batch, so there they write pending entries for the sequencer.

pub mod chain;
pub mod graphql;
mod sqlite_rows;

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

use entity::{audit_entry, audit_fact, audit_head};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseTransaction, DbBackend, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait, Statement,
};
use tokio::sync::{Notify, mpsc, oneshot};

use crate::db::Db;
use crate::db::inserts::Inserts;
use crate::error::{Error, Result};

/// The kind of GraphQL operation an entry records.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum OperationType {
    /// A read.
    Query,
    /// A write.
    Mutation,
    /// A subscription being opened.
    Subscription,
}

impl OperationType {
    /// The stored form.
    pub fn as_str(self) -> &'static str {
        match self {
            OperationType::Query => "QUERY",
            OperationType::Mutation => "MUTATION",
            OperationType::Subscription => "SUBSCRIPTION",
        }
    }
}

/// A structured fact about an audited operation, kept beside its entry so
/// dashboards can count it (a certificate verification and its result, a
/// lookup of another department's data).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fact {
    /// When, by the domain's clock (the time dashboards count it at).
    pub at: chrono::DateTime<chrono::Utc>,
    /// What happened, e.g. `CERTIFICATE_VERIFICATION`, `LOOKUP`.
    pub kind: &'static str,
    /// The department whose data it concerned.
    pub owner_dept: Option<String>,
    /// The subject it concerned.
    pub subject_id: Option<String>,
    /// Its result, e.g. `VALID`, `INVALID`, `ok`.
    pub result: String,
    /// More, e.g. the checks that failed.
    pub detail: Option<String>,
}

/// An entry about to be written.
#[derive(Clone, Debug)]
pub struct NewEntry {
    /// When the request was handled.
    pub at: chrono::DateTime<chrono::Utc>,
    /// Calling system (`anonymous` without a token).
    pub sub: String,
    /// Calling department.
    pub dept: Option<String>,
    /// Query, mutation or subscription.
    pub operation_type: OperationType,
    /// What was done: a mutation's name, or the non-public fields read.
    pub operation: String,
    /// Subjects touched.
    pub subjects: BTreeSet<String>,
    /// The declared purpose (`X-Purpose`), as given.
    pub purpose: Option<String>,
    /// `ok`, or the error codes the operation ended with.
    pub outcome: String,
    /// The request id.
    pub request_id: String,
    /// Structured facts to keep beside the entry.
    pub facts: Vec<Fact>,
}

impl NewEntry {
    /// The rows of the entry's facts, which it gives up (they are moved
    /// into the rows, not copied).
    fn take_fact_rows(&mut self) -> Vec<audit_fact::ActiveModel> {
        let facts = std::mem::take(&mut self.facts);
        fact_rows(&self.request_id, self.dept.as_deref(), facts)
    }

    fn into_active(self) -> audit_entry::ActiveModel {
        audit_entry::ActiveModel {
            at: Set(self.at),
            sub: Set(self.sub),
            dept_code: Set(self.dept),
            operation_type: Set(self.operation_type.as_str().to_owned()),
            operation: Set(self.operation),
            subjects: Set(serde_json::json!(self.subjects)),
            purpose: Set(self.purpose),
            outcome: Set(self.outcome),
            request_id: Set(self.request_id),
            seq: Set(None),
            prev_hash: Set(None),
            hash: Set(None),
            ..Default::default()
        }
    }
}

/// The rows of an entry's facts, given the entry's request id and
/// department.
fn fact_rows(
    request_id: &str,
    dept: Option<&str>,
    facts: Vec<Fact>,
) -> Vec<audit_fact::ActiveModel> {
    facts
        .into_iter()
        .map(|f| audit_fact::ActiveModel {
            at: Set(f.at),
            request_id: Set(request_id.to_owned()),
            requester_dept: Set(dept.map(str::to_owned)),
            kind: Set(f.kind.to_owned()),
            owner_dept: Set(f.owner_dept),
            subject_id: Set(f.subject_id),
            result: Set(f.result),
            detail: Set(f.detail),
            ..Default::default()
        })
        .collect()
}

struct Job {
    entry: NewEntry,
    done: oneshot::Sender<bool>,
}

struct Inner {
    db: Db,
    queue: mpsc::Sender<Job>,
    wake_sequencer: Notify,
    written: AtomicU64,
    batches: AtomicU64,
    batched: AtomicU64,
    executing: AtomicUsize,
    delay: Option<Duration>,
}

/// Handle to the audit log, shared by all requests of this process.
#[derive(Clone)]
pub struct AuditLog {
    inner: Arc<Inner>,
}

/// A read counted as executing (see [`AuditLog::executing`]) until dropped.
pub struct Executing(Arc<Inner>);

impl Drop for Executing {
    fn drop(&mut self) {
        self.0.executing.fetch_sub(1, Ordering::Relaxed);
    }
}

/// Reads executing, at least, when a batch's first entries come for the
/// writer to wait for theirs (PostgreSQL's `commit_siblings`, for its
/// `commit_delay`). Each batch is one transaction, one `fsync` and, on
/// SQLite, one emptying of every reader's page cache; under load, entries
/// gathered for a millisecond or two more share them. A lone caller never
/// waits.
pub const SIBLINGS: usize = 4;

/// Most entries gathered into one write or one seal.
const BATCH: usize = 1000;
/// How often the sequencer looks for entries other replicas committed.
const SEAL_INTERVAL: Duration = Duration::from_millis(200);
/// Key of the PostgreSQL advisory lock the sequencer holds while sealing.
const SEAL_LOCK: i64 = 7_243_001;

impl AuditLog {
    /// Starts the writer and the sequencer on the current runtime. The
    /// writer waits up to `commit_delay` for more entries before it writes a
    /// batch while other reads are executing (see [`SIBLINGS`]); zero turns
    /// the wait off.
    pub fn start(db: Db, commit_delay: Duration) -> AuditLog {
        let (queue, rx) = mpsc::channel(16 * BATCH);
        let log = AuditLog {
            inner: Arc::new(Inner {
                db,
                queue,
                wake_sequencer: Notify::new(),
                written: AtomicU64::new(0),
                batches: AtomicU64::new(0),
                batched: AtomicU64::new(0),
                executing: AtomicUsize::new(0),
                delay: (!commit_delay.is_zero()).then_some(commit_delay),
            }),
        };
        tokio::spawn(log.clone().run_writer(rx));
        tokio::spawn(log.clone().run_sequencer());
        log
    }

    /// Writes an entry through the group-commit writer and returns once it is
    /// durable. An error means the entry was not written: the caller must not
    /// send the data it guards.
    pub async fn append(&self, entry: NewEntry) -> Result<()> {
        let (done, written) = oneshot::channel();
        self.inner
            .queue
            .send(Job { entry, done })
            .await
            .map_err(|_| Error::internal_msg("the audit writer has stopped"))?;
        match written.await {
            Ok(true) => Ok(()),
            _ => Err(Error::internal_msg("the audit entry could not be written")),
        }
    }

    /// Writes an entry inside the caller's transaction: it commits or rolls
    /// back with the change it records. Call [`AuditLog::committed`] after the
    /// commit.
    pub async fn append_in(&self, txn: &DatabaseTransaction, entry: NewEntry) -> Result<()> {
        let statements = entry_statements(txn.get_database_backend(), entry);
        Ok(crate::db::execute_all(txn, statements).await?)
    }

    /// Tells the sequencer that entries were committed.
    pub fn committed(&self, entries: u64) {
        self.inner.written.fetch_add(entries, Ordering::Relaxed);
        self.inner.wake_sequencer.notify_one();
    }

    /// Counts a read that is executing, and will append its entry when it
    /// is done, until the guard is dropped: while enough are, the writer
    /// waits a little for their entries.
    pub fn executing(&self) -> Executing {
        self.inner.executing.fetch_add(1, Ordering::Relaxed);
        Executing(self.inner.clone())
    }

    /// Batches of reads' entries the writer has handled since it started,
    /// and the entries in them.
    pub fn batches(&self) -> (u64, u64) {
        (
            self.inner.batches.load(Ordering::Relaxed),
            self.inner.batched.load(Ordering::Relaxed),
        )
    }

    /// Entries this process has written since it started.
    pub fn written(&self) -> u64 {
        self.inner.written.load(Ordering::Relaxed)
    }

    async fn run_writer(self, mut rx: mpsc::Receiver<Job>) {
        let mut jobs = Vec::with_capacity(BATCH);
        while rx.recv_many(&mut jobs, BATCH).await > 0 {
            if let Some(delay) = self.inner.delay
                && self.inner.executing.load(Ordering::Relaxed) >= SIBLINGS
            {
                let deadline = tokio::time::Instant::now() + delay;
                while jobs.len() < BATCH && self.inner.executing.load(Ordering::Relaxed) > 0 {
                    let room = BATCH - jobs.len();
                    let more = rx.recv_many(&mut jobs, room);
                    match tokio::time::timeout_at(deadline, more).await {
                        Ok(n) if n > 0 => {}
                        _ => break,
                    }
                }
            }
            self.inner.batches.fetch_add(1, Ordering::Relaxed);
            self.inner
                .batched
                .fetch_add(jobs.len() as u64, Ordering::Relaxed);
            let (entries, waiting): (Vec<NewEntry>, Vec<_>) =
                jobs.drain(..).map(|j| (j.entry, j.done)).unzip();
            let n = entries.len() as u64;
            let written = write_batch(&self.inner.db, entries).await;
            for done in waiting {
                let _ = done.send(written.is_ok());
            }
            match written {
                Ok(Written::Sealed) => {
                    self.inner.written.fetch_add(n, Ordering::Relaxed);
                }
                Ok(Written::Pending) => self.committed(n),
                Err(e) => {
                    tracing::error!(error = ?e, entries = n, "audit entries could not be written");
                }
            }
        }
    }

    async fn run_sequencer(self) {
        loop {
            tokio::select! {
                _ = self.inner.wake_sequencer.notified() => {}
                _ = tokio::time::sleep(SEAL_INTERVAL) => {}
            }
            if let Err(e) = self.seal_pending().await {
                tracing::warn!(error = ?e, "sealing the audit log failed; will retry");
            }
        }
    }

    /// Seals every committed pending entry; returns how many it sealed.
    pub async fn seal_pending(&self) -> Result<u64> {
        let mut total = 0;
        loop {
            let n = seal_batch(&self.inner.db).await?;
            total += n as u64;
            if n < BATCH {
                return Ok(total);
            }
        }
    }
}

/// What appending `entry` inside a transaction writes: the tally of its facts,
/// the entry, and its facts.
pub fn entry_statements(backend: DbBackend, mut entry: NewEntry) -> Vec<Statement> {
    let mut statements = crate::metrics::tally::fact_statements(backend, &[&entry]);
    let facts = entry.take_fact_rows();
    statements.push(audit_entry::Entity::insert(entry.into_active()).build(backend));
    if !facts.is_empty() {
        statements.push(audit_fact::Entity::insert_many(facts).build(backend));
    }
    statements
}

/// How a batch of reads' entries went in.
enum Written {
    /// Sealed in the transaction that wrote them (SQLite).
    Sealed,
    /// Pending, for the sequencer (PostgreSQL).
    Pending,
}

/// Writes a batch of reads' entries in one transaction: sealed on SQLite,
/// pending on PostgreSQL (see the module's notes).
async fn write_batch(db: &Db, mut batch: Vec<NewEntry>) -> Result<Written> {
    let txn = db.begin().await?;
    let written = if db.backend() == DbBackend::Sqlite {
        append_sealed(&txn, batch).await?;
        Written::Sealed
    } else {
        crate::metrics::tally::add_facts(&txn, &batch.iter().collect::<Vec<_>>()).await?;
        let facts: Vec<_> = batch.iter_mut().flat_map(|e| e.take_fact_rows()).collect();
        let entries: Vec<_> = batch.into_iter().map(NewEntry::into_active).collect();
        insert_rows(&txn, entries, facts).await?;
        Written::Pending
    };
    txn.commit().await?;
    Ok(written)
}

/// The texts of the entries' and facts' inserts, by row count.
static ENTRY_INSERTS: Inserts<audit_entry::Entity> = Inserts::new();
static FACT_INSERTS: Inserts<audit_fact::Entity> = Inserts::new();

/// Inserts entries and their facts, in chunks under PostgreSQL's 65535 bind
/// parameters per statement.
async fn insert_rows(
    txn: &DatabaseTransaction,
    entries: Vec<audit_entry::ActiveModel>,
    facts: Vec<audit_fact::ActiveModel>,
) -> Result<()> {
    for chunk in in_chunks(entries, 2000) {
        ENTRY_INSERTS.insert(txn, chunk).await?;
    }
    for chunk in in_chunks(facts, 3000) {
        FACT_INSERTS.insert(txn, chunk).await?;
    }
    Ok(())
}

/// `rows` in runs of at most `size`, each its own vector.
fn in_chunks<T>(mut rows: Vec<T>, size: usize) -> impl Iterator<Item = Vec<T>> {
    std::iter::from_fn(move || {
        if rows.is_empty() {
            return None;
        }
        let rest = rows.split_off(rows.len().min(size));
        Some(std::mem::replace(&mut rows, rest))
    })
}

/// The chain's head: where an append or a seal finds it, and leaves it.
struct Head {
    /// Whether its row exists (not before the first entry is sealed).
    exists: bool,
    /// The last sealed entry's sequence number; 0 before the first.
    seq: i64,
    /// That entry's hash; [`chain::GENESIS`] before the first.
    hash: String,
    /// When it moves.
    sealed_at: chrono::DateTime<chrono::Utc>,
}

impl Head {
    fn new(row: Option<(i64, String)>) -> Head {
        let (exists, (seq, hash)) = match row {
            Some(h) => (true, h),
            None => (false, (0, chain::GENESIS.to_owned())),
        };
        Head {
            exists,
            seq,
            hash,
            sealed_at: crate::util::now(),
        }
    }
}

/// Takes the sequencer's lock on PostgreSQL, so replicas never fork the
/// chain (on SQLite the write lock a transaction holds does that).
async fn take_seal_lock(txn: &DatabaseTransaction) -> Result<()> {
    if txn.get_database_backend() == DbBackend::Postgres {
        txn.execute_raw(Statement::from_string(
            DbBackend::Postgres,
            format!("SELECT pg_advisory_xact_lock({SEAL_LOCK})"),
        ))
        .await?;
    }
    Ok(())
}

/// The chain's head as this transaction sees it, after taking the
/// sequencer's lock, and the id of the last entry written (0 for none), in
/// one query.
async fn lock_head_and_last_id(txn: &DatabaseTransaction) -> Result<(Head, i64)> {
    take_seal_lock(txn).await?;
    let row = txn
        .query_one_raw(Statement::from_string(
            txn.get_database_backend(),
            "SELECT h.seq, h.hash, (SELECT MAX(id) FROM audit_entry) AS last_id \
             FROM (SELECT 1 AS one) AS o LEFT JOIN audit_head AS h ON h.id = 1",
        ))
        .await?
        .ok_or_else(|| Error::internal_msg("the chain's head was not read"))?;
    let seq: Option<i64> = row.try_get("", "seq")?;
    let hash: Option<String> = row.try_get("", "hash")?;
    let last_id: Option<i64> = row.try_get("", "last_id")?;
    Ok((Head::new(seq.zip(hash)), last_id.unwrap_or(0)))
}

/// Moves the chain's head row to `head`.
async fn move_head(txn: &DatabaseTransaction, head: &Head) -> Result<()> {
    let row = audit_head::ActiveModel {
        id: Set(1),
        seq: Set(head.seq),
        hash: Set(head.hash.clone()),
        sealed_at: Set(head.sealed_at),
    };
    if head.exists {
        audit_head::Entity::update(row).exec(txn).await?;
    } else {
        audit_head::Entity::insert(row)
            .exec_without_returning(txn)
            .await?;
    }
    Ok(())
}

/// An entry given its id, sequence number and hashes, with its facts.
struct Sealed {
    row: audit_entry::Model,
    facts: Vec<Fact>,
}

/// Gives `entries` the ids after `last_id` and chains them onto `head`,
/// which moves to the last of them.
fn seal(entries: Vec<NewEntry>, last_id: i64, head: &mut Head) -> Vec<Sealed> {
    let mut sealed = Vec::with_capacity(entries.len());
    for (id, e) in (last_id + 1..).zip(entries) {
        head.seq += 1;
        let mut row = audit_entry::Model {
            id,
            at: e.at,
            subjects: serde_json::json!(e.subjects),
            operation_type: e.operation_type.as_str().to_owned(),
            sub: e.sub,
            dept_code: e.dept,
            operation: e.operation,
            purpose: e.purpose,
            outcome: e.outcome,
            request_id: e.request_id,
            seq: None,
            prev_hash: None,
            hash: None,
        };
        let next = chain::link(&head.hash, &content(&row, head.seq));
        row.seq = Some(head.seq);
        row.prev_hash = Some(std::mem::replace(&mut head.hash, next.clone()));
        row.hash = Some(next);
        sealed.push(Sealed {
            row,
            facts: e.facts,
        });
    }
    sealed
}

/// Appends entries already sealed, in the caller's transaction: the path of
/// the writer on SQLite, and of the dataset generator, which writes a history
/// of entries at once. Takes the chain's lock on PostgreSQL, gives the
/// entries the next ids and sequence numbers, chains them onto the head and
/// moves the head. Entries still pending keep their place in the queue: the
/// sequencer seals them after these. Giving ids by hand needs every other
/// writer of entries kept out until the commit: on SQLite its write lock
/// does that; on PostgreSQL only the generator, which runs alone, may call it.
pub async fn append_sealed(txn: &DatabaseTransaction, entries: Vec<NewEntry>) -> Result<()> {
    if entries.is_empty() {
        return Ok(());
    }
    let (head, last_id) = lock_head_and_last_id(txn).await?;
    if txn.get_database_backend() == DbBackend::Sqlite {
        write_sealed_sqlite(txn, entries, last_id, head).await
    } else {
        write_sealed(txn, entries, last_id, head).await?;
        // Ids were given explicitly: move the serial past them.
        txn.execute_raw(Statement::from_string(
            DbBackend::Postgres,
            "SELECT setval(pg_get_serial_sequence('audit_entry', 'id'), (SELECT MAX(id) FROM audit_entry))",
        ))
        .await?;
        Ok(())
    }
}

/// Writes `entries`, sealed after `last_id` and `head`, their facts and
/// their tallies, through sea-orm's statements.
async fn write_sealed(
    txn: &DatabaseTransaction,
    entries: Vec<NewEntry>,
    last_id: i64,
    mut head: Head,
) -> Result<()> {
    crate::metrics::tally::add_facts(txn, &entries.iter().collect::<Vec<_>>()).await?;
    let mut facts = Vec::new();
    let mut rows = Vec::with_capacity(entries.len());
    for Sealed { row, facts: f } in seal(entries, last_id, &mut head) {
        facts.extend(fact_rows(&row.request_id, row.dept_code.as_deref(), f));
        rows.push(audit_entry::ActiveModel::from(row));
    }
    insert_rows(txn, rows, facts).await?;
    move_head(txn, &head).await
}

/// [`write_sealed`] on SQLite, in one statement of fixed text (see
/// [`sqlite_rows`]).
async fn write_sealed_sqlite(
    txn: &DatabaseTransaction,
    entries: Vec<NewEntry>,
    last_id: i64,
    mut head: Head,
) -> Result<()> {
    let tallies = crate::metrics::tally::fact_rows_json(&entries.iter().collect::<Vec<_>>());
    let sealed = seal(entries, last_id, &mut head);
    txn.execute_raw(sqlite_rows::append(&sealed, tallies, &head))
        .await?;
    Ok(())
}

/// Seals up to [`BATCH`] pending entries in one transaction.
async fn seal_batch(db: &Db) -> Result<usize> {
    let txn = db.begin().await?;
    let (mut head, _) = lock_head_and_last_id(&txn).await?;
    let pending = audit_entry::Entity::find()
        .filter(audit_entry::Column::Seq.is_null())
        .order_by_asc(audit_entry::Column::Id)
        .limit(BATCH as u64)
        .all(&txn)
        .await?;
    if pending.is_empty() {
        return Ok(0);
    }
    let mut links = Vec::with_capacity(pending.len());
    for e in &pending {
        head.seq += 1;
        let next = chain::link(&head.hash, &content(e, head.seq));
        links.push(Link {
            id: e.id,
            seq: head.seq,
            prev_hash: std::mem::replace(&mut head.hash, next),
            hash: head.hash.clone(),
        });
    }
    seal_rows(&txn, links).await?;
    move_head(&txn, &head).await?;
    txn.commit().await?;
    Ok(pending.len())
}

/// What sealing sets on one entry.
struct Link {
    id: i64,
    seq: i64,
    prev_hash: String,
    hash: String,
}

/// Seals many entries in one statement (`UPDATE … FROM` a list of values,
/// which SQLite ≥ 3.33 and PostgreSQL both take) rather than one round trip
/// per entry.
async fn seal_rows(txn: &DatabaseTransaction, links: Vec<Link>) -> Result<()> {
    // Four parameters per entry: well under both databases' limits per statement.
    for chunk in links.chunks(BATCH) {
        let mut q = crate::metrics::sql::Q::new(txn.get_database_backend());
        q.push("WITH v(id, seq, prev_hash, hash) AS (VALUES ");
        for (i, l) in chunk.iter().enumerate() {
            q.push(if i == 0 { "(CAST(" } else { ", (CAST(" })
                .bind(l.id)
                .push(" AS BIGINT), CAST(")
                .bind(l.seq)
                .push(" AS BIGINT), ")
                .bind(l.prev_hash.clone())
                .push(", ")
                .bind(l.hash.clone())
                .push(")");
        }
        q.push(
            ") UPDATE audit_entry SET seq = v.seq, prev_hash = v.prev_hash, hash = v.hash \
             FROM v WHERE audit_entry.id = v.id",
        );
        let updated = q.execute(txn).await?;
        if updated != chunk.len() as u64 {
            return Err(Error::internal_msg(format!(
                "sealing updated {updated} audit entries instead of {}",
                chunk.len()
            )));
        }
    }
    Ok(())
}

fn content(e: &audit_entry::Model, seq: i64) -> chain::Content<'_> {
    chain::Content {
        id: e.id,
        seq,
        at: e.at,
        sub: &e.sub,
        dept: e.dept_code.as_deref(),
        operation_type: &e.operation_type,
        operation: &e.operation,
        subjects: &e.subjects,
        purpose: e.purpose.as_deref(),
        outcome: &e.outcome,
        request_id: &e.request_id,
    }
}

/// The state of the chain.
#[derive(Clone, Debug)]
pub struct ChainReport {
    /// The last sealed entry the check reached: every link up to it holds.
    pub sealed: i64,
    /// Entries committed but not yet sealed.
    pub pending: i64,
    /// The hash of entry `sealed`.
    pub head_hash: String,
    /// Entries this check read.
    pub checked: i64,
    /// Whether the check reached the end of the chain (and compared it with
    /// the recorded head), rather than stopping at its limit or a break.
    pub complete: bool,
    /// The first break, if any.
    pub first_break: Option<chain::Break>,
}

/// A link a check starts after: one a previous check verified.
#[derive(Clone, Debug)]
pub struct Verified {
    /// Its sequence number.
    pub seq: i64,
    /// Its hash, as that check reported it.
    pub hash: String,
}

/// Reads the sealed chain in order and checks every link; from its start, or
/// after `after` (which must still have the hash a previous check saw); up to
/// `max` entries, or to its end as the recorded head stood when the check
/// began, which is then compared with that head. A check of a long log can
/// so be done in parts, and an auditor who keeps the last verified link need
/// only check what was added since.
pub async fn verify(db: &Db, after: Option<Verified>, max: Option<u64>) -> Result<ChainReport> {
    const PAGE: u64 = 2000;
    let conn = &db.read;
    let pending = audit_entry::Entity::find()
        .filter(audit_entry::Column::Seq.is_null())
        .count(conn)
        .await? as i64;
    let head = audit_head::Entity::find_by_id(1).one(conn).await?;
    // The chain as it stood when the check began: entries sealed meanwhile
    // (the sequencer keeps sealing) are left to the next check, so that they
    // are not mistaken for entries the recorded head does not know.
    let upto = head.as_ref().map(|h| h.seq);
    let after_sealed = |seq: i64| {
        let q = audit_entry::Entity::find().filter(audit_entry::Column::Seq.gt(seq));
        match upto {
            Some(last) => q.filter(audit_entry::Column::Seq.lte(last)),
            None => q,
        }
    };
    let mut report = ChainReport {
        sealed: 0,
        pending,
        head_hash: chain::GENESIS.to_owned(),
        checked: 0,
        complete: false,
        first_break: None,
    };
    if let Some(link) = after {
        let recorded = head.as_ref().map_or(0, |h| h.seq);
        if link.seq > recorded {
            return Err(Error::bad_field(
                "after",
                format!(
                    "the chain has {recorded} sealed entries; there is no entry {} to start after",
                    link.seq
                ),
            ));
        }
        let stored = audit_entry::Entity::find()
            .filter(audit_entry::Column::Seq.eq(link.seq))
            .one(conn)
            .await?;
        let problem = match &stored {
            None => Some("it is missing: entries were removed".to_owned()),
            Some(e) if e.hash.as_deref() != Some(link.hash.as_str()) => Some(
                "its hash is not the one verified before: the chain was rewritten at or before it"
                    .to_owned(),
            ),
            Some(_) => None,
        };
        if let Some(problem) = problem {
            report.first_break = Some(chain::Break {
                seq: link.seq,
                entry_id: stored.map(|e| e.id),
                problem,
            });
            return Ok(report);
        }
        (report.sealed, report.head_hash) = (link.seq, link.hash);
    }
    let mut left = max.unwrap_or(u64::MAX);
    loop {
        let want = PAGE.min(left);
        if want == 0 {
            // At the limit: complete only if nothing follows.
            report.complete = after_sealed(report.sealed).one(conn).await?.is_none();
            break;
        }
        let rows = after_sealed(report.sealed)
            .order_by_asc(audit_entry::Column::Seq)
            .limit(want)
            .all(conn)
            .await?;
        let sealed: Vec<chain::Sealed<'_>> = rows
            .iter()
            .map(|r| chain::Sealed {
                content: content(r, r.seq.unwrap_or_default()),
                prev_hash: r.prev_hash.as_deref().unwrap_or(""),
                hash: r.hash.as_deref().unwrap_or(""),
            })
            .collect();
        report.checked += rows.len() as i64;
        left -= rows.len() as u64;
        match chain::check_run(report.sealed, report.head_hash.clone(), &sealed) {
            Ok((seq, hash)) => (report.sealed, report.head_hash) = (seq, hash),
            Err(b) => {
                report.first_break = Some(b);
                return Ok(report);
            }
        }
        if (rows.len() as u64) < want {
            report.complete = true;
            break;
        }
    }
    if report.complete
        && let Some(last) = upto
        && let Some(e) = audit_entry::Entity::find()
            .filter(audit_entry::Column::Seq.gt(last))
            .order_by_asc(audit_entry::Column::Seq)
            .one(conn)
            .await?
    {
        // Past the head the check began with: sealed meanwhile, or put there.
        // The sequencer moves the head in the transaction that seals, so an
        // entry the head, read after it, has not reached was not sealed.
        let now = audit_head::Entity::find_by_id(1).one(conn).await?;
        if now.is_none_or(|h| h.seq < e.seq.unwrap_or_default()) {
            report.first_break = Some(chain::Break {
                seq: e.seq.unwrap_or_default(),
                entry_id: Some(e.id),
                problem: "it lies beyond the chain's recorded head: it was not sealed by the hub"
                    .into(),
            });
            return Ok(report);
        }
    }
    if report.complete
        && let Some(h) = &head
        && (h.seq != report.sealed || h.hash != report.head_hash)
    {
        report.first_break = Some(chain::Break {
            seq: report.sealed + 1,
            entry_id: None,
            problem: format!(
                "the chain ends at entry {} but its head records entry {}: \
                         entries were removed from the end",
                report.sealed, h.seq
            ),
        });
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_entry(n: usize) -> NewEntry {
        NewEntry {
            at: crate::util::now(),
            sub: "test-system".into(),
            dept: Some("410900-SWJ".into()),
            operation_type: OperationType::Query,
            operation: "subject".into(),
            subjects: BTreeSet::from([format!("subject-{n}")]),
            purpose: None,
            outcome: "ok".into(),
            request_id: format!("request-{n}"),
            facts: Vec::new(),
        }
    }

    #[test]
    fn rows_go_in_runs_of_at_most_the_size() {
        let runs: Vec<Vec<u32>> = in_chunks((1..=7).collect(), 3).collect();
        assert_eq!(runs, vec![vec![1, 2, 3], vec![4, 5, 6], vec![7]]);
        assert_eq!(in_chunks(Vec::<u32>::new(), 3).count(), 0);
        assert_eq!(in_chunks(vec![1, 2, 3], 3).count(), 1);
    }

    async fn temp_db() -> (tempfile::TempDir, Db) {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}", dir.path().join("a.db").display());
        let db = Db::connect(&url, 1).await.expect("opens");
        db.migrate().await.expect("migrates");
        (dir, db)
    }

    #[tokio::test]
    async fn a_lone_read_is_written_at_once_whatever_the_commit_delay() {
        let (_dir, db) = temp_db().await;
        let log = AuditLog::start(db, Duration::from_secs(3600));
        let _others: Vec<_> = (1..SIBLINGS).map(|_| log.executing()).collect();
        tokio::time::timeout(Duration::from_secs(60), log.append(read_entry(1)))
            .await
            .expect("not kept waiting for the delay")
            .expect("written");
        assert_eq!(log.batches(), (1, 1));
    }

    #[tokio::test]
    async fn with_reads_executing_the_writer_waits_for_their_entries() {
        let (_dir, db) = temp_db().await;
        let log = AuditLog::start(db, Duration::from_secs(3600));
        let others: Vec<_> = (0..SIBLINGS).map(|_| log.executing()).collect();
        let first = tokio::spawn({
            let log = log.clone();
            async move { log.append(read_entry(1)).await }
        });
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(
            !first.is_finished(),
            "the first entry waits for the others'"
        );
        assert_eq!(log.batches(), (0, 0));
        // The others end; the last of them appends its entry.
        drop(others);
        log.append(read_entry(2)).await.expect("written");
        first.await.expect("joins").expect("written");
        assert_eq!(log.batches(), (1, 2), "both entries in one transaction");
    }

    /// Entries holding every kind of value their columns take: nulls,
    /// quotes, backslashes, line breaks, Chinese text; times with and without
    /// fractions of a second; facts on two China days, with and without
    /// their optional parts.
    fn varied_entries(first: usize) -> Vec<NewEntry> {
        use chrono::TimeZone;
        let at = |secs: i64, micros: u32| {
            chrono::Utc
                .timestamp_opt(1_780_000_000 + secs, micros * 1000)
                .single()
                .expect("a time")
        };
        let fact = |at, owner: Option<&str>, detail: Option<&str>| Fact {
            at,
            kind: "LOOKUP",
            owner_dept: owner.map(str::to_owned),
            subject_id: owner.map(|_| "91410922GLJP88HN2U".to_owned()),
            result: "ok".into(),
            detail: detail.map(str::to_owned),
        };
        (first..first + 4)
            .map(|n| NewEntry {
                at: at(n as i64 * 7_000, [0, 120_000, 123_456, 5][n % 4]),
                sub: format!("system \"{n}\" \\ 'quoted'"),
                dept: (n % 3 != 0).then(|| "410900-SWJ".to_owned()),
                operation_type: OperationType::Query,
                operation: "Subject.credit,subject".into(),
                subjects: BTreeSet::from([format!("主体-{n}"), "410922199507232842".into()]),
                purpose: (n % 2 == 0).then(|| format!("核查\n第{n}件 \"申请\"")),
                outcome: "ok".into(),
                request_id: format!("request-{n}"),
                facts: vec![
                    fact(at(n as i64 * 7_000, 1), Some("410900-SCJGJ"), None),
                    fact(
                        at(n as i64 * 7_000 + 40_000, 0),
                        None,
                        Some("证照 \"过期\""),
                    ),
                ],
            })
            .collect()
    }

    /// Every stored value of `columns` of `table`, quoted (so a number
    /// stored as text shows), row by row.
    async fn stored(db: &Db, table: &str, columns: &[&str]) -> Vec<String> {
        let quoted: Vec<String> = columns.iter().map(|c| format!("quote({c})")).collect();
        let sql = format!(
            "SELECT {} AS r FROM {table} ORDER BY {}",
            quoted.join(" || '|' || "),
            columns.join(", ")
        );
        db.read
            .query_all_raw(Statement::from_string(DbBackend::Sqlite, sql))
            .await
            .expect("reads")
            .iter()
            .map(|row| row.try_get::<String>("", "r").expect("a text"))
            .collect()
    }

    #[tokio::test]
    async fn on_sqlite_one_statement_stores_what_sea_orm_stores() {
        let mut stores = Vec::new();
        for one_statement in [false, true] {
            let (dir, db) = temp_db().await;
            for first in [0, 4] {
                let txn = db.begin().await.expect("begins");
                let (mut head, last_id) = lock_head_and_last_id(&txn).await.expect("reads");
                head.sealed_at = chrono::DateTime::UNIX_EPOCH;
                let entries = varied_entries(first);
                if one_statement {
                    write_sealed_sqlite(&txn, entries, last_id, head).await
                } else {
                    write_sealed(&txn, entries, last_id, head).await
                }
                .expect("writes");
                txn.commit().await.expect("commits");
            }
            let report = verify(&db, None, None).await.expect("verifies");
            assert!(report.first_break.is_none(), "{report:?}");
            assert_eq!((report.sealed, report.pending), (8, 0));
            let mut all = Vec::new();
            for (table, columns) in [
                (
                    "audit_entry",
                    &[
                        "id",
                        "at",
                        "sub",
                        "dept_code",
                        "operation_type",
                        "operation",
                        "subjects",
                        "purpose",
                        "outcome",
                        "request_id",
                        "seq",
                        "prev_hash",
                        "hash",
                    ][..],
                ),
                (
                    "audit_fact",
                    &[
                        "id",
                        "at",
                        "request_id",
                        "requester_dept",
                        "kind",
                        "owner_dept",
                        "subject_id",
                        "result",
                        "detail",
                    ],
                ),
                (
                    "audit_tally",
                    &[
                        "kind",
                        "day",
                        "requester_dept",
                        "owner_dept",
                        "result",
                        "detail",
                        "shard",
                        "n",
                    ],
                ),
                ("audit_head", &["id", "seq", "hash", "sealed_at"]),
                ("sqlite_sequence", &["name", "seq"]),
            ] {
                all.push((table, stored(&db, table, columns).await));
            }
            stores.push(all);
            drop(dir);
        }
        let (sea_orm, ours) = (&stores[0], &stores[1]);
        for ((table, theirs), (_, mine)) in sea_orm.iter().zip(ours) {
            assert!(!theirs.is_empty(), "{table} has rows");
            assert_eq!(theirs, mine, "{table}");
        }
        // The tally counted every fact of both batches.
        let counted: i64 = (sea_orm[2].1.iter())
            .map(|row| row.rsplit('|').next().and_then(|n| n.parse::<i64>().ok()))
            .map(|n| n.expect("a count"))
            .sum();
        assert_eq!(counted, 16);
    }

    #[tokio::test]
    async fn on_sqlite_reads_entries_are_written_sealed_after_the_pending_ones() {
        let (_dir, db) = temp_db().await;
        // A mutation's entry, pending until the sequencer seals it.
        let txn = db.begin().await.expect("begins");
        crate::db::execute_all(&txn, entry_statements(DbBackend::Sqlite, read_entry(0)))
            .await
            .expect("writes");
        txn.commit().await.expect("commits");

        let written = write_batch(&db, (1..=3).map(read_entry).collect()).await;
        assert!(matches!(written, Ok(Written::Sealed)));
        let rows = audit_entry::Entity::find()
            .order_by_asc(audit_entry::Column::Id)
            .all(&db.read)
            .await
            .expect("reads");
        let seqs: Vec<Option<i64>> = rows.iter().map(|r| r.seq).collect();
        assert_eq!(seqs, [None, Some(1), Some(2), Some(3)]);

        assert_eq!(seal_batch(&db).await.expect("seals"), 1);
        let report = verify(&db, None, None).await.expect("verifies");
        assert!(report.first_break.is_none(), "{report:?}");
        assert_eq!((report.sealed, report.pending), (4, 0));
    }
}
