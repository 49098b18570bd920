//! The database handle: SQLite (embedded default) or PostgreSQL.
//!
//! SQLite allows one writer at a time. Rather than let writers collide and
//! spin on `SQLITE_BUSY`, the hub keeps one writer connection, so write
//! transactions queue fairly in the pool, beside a pool of readers that WAL
//! mode lets run alongside the writer. On PostgreSQL both handles are the
//! same pool.
//!
//! The hot lookups read through a [`Reader`]: on SQLite it runs a statement
//! on the calling thread when it can ([`inline`]), on PostgreSQL it is the
//! pool.

pub mod group;
mod inline;
pub mod inserts;
pub mod keyed;

pub use keyed::Keyed;

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction, DbBackend,
    DbErr, EntityTrait, ExecResult, QueryResult, Select, SqliteTransactionMode, Statement,
    TransactionOptions, TransactionTrait, TryIntoModel,
};

use crate::error::{Error, Result};

/// Readers and the writer of one database.
#[derive(Clone, Debug)]
pub struct Db {
    /// For queries outside a write transaction.
    pub read: DatabaseConnection,
    /// For write transactions (one connection on SQLite).
    pub write: DatabaseConnection,
    /// For the hot lookups: `read`, with SQLite's inline readers in front.
    pub reader: Reader,
    /// Counts of the statements sent.
    pub stats: Arc<DbStats>,
    /// On SQLite, the group commit that mutations may share (see [`group`]).
    pub group: Option<Arc<group::Committer>>,
}

/// Statements sent by this process (for metrics, and for tests that count queries).
#[derive(Debug, Default)]
pub struct DbStats {
    /// Statements executed.
    pub statements: AtomicU64,
    /// Of which on the readers (the rest went through the writer).
    pub reads: AtomicU64,
    /// Of those, run on SQLite's inline readers.
    pub inline: AtomicU64,
    /// Statements that failed.
    pub failed: AtomicU64,
    /// Total time spent in statements, microseconds.
    pub micros: AtomicU64,
    /// Mutations' write transactions that ended (committed or not).
    pub transactions: AtomicU64,
    /// How long they held the writer in all, from `BEGIN` to the end of
    /// `COMMIT` or the rollback, microseconds: on SQLite, over the wall
    /// clock, how busy its one writer is.
    pub held_micros: AtomicU64,
    /// Mutations whose writes went into a group's transaction (SQLite).
    pub group_members: AtomicU64,
    /// Groups that ended, committed or not (each also counted, once, in
    /// `transactions`).
    pub groups: AtomicU64,
}

impl DbStats {
    /// Statements executed so far.
    pub fn statements(&self) -> u64 {
        self.statements.load(Ordering::Relaxed)
    }

    /// Statements executed on the readers so far.
    pub fn reads(&self) -> u64 {
        self.reads.load(Ordering::Relaxed)
    }

    /// Counts a write transaction that held the writer since `began`.
    pub fn held(&self, began: std::time::Instant) {
        self.transactions.fetch_add(1, Ordering::Relaxed);
        self.held_micros
            .fetch_add(began.elapsed().as_micros() as u64, Ordering::Relaxed);
    }

    /// Counts a group that ended with `members` members' writes in it.
    pub fn grouped(&self, members: usize) {
        self.groups.fetch_add(1, Ordering::Relaxed);
        self.group_members
            .fetch_add(members as u64, Ordering::Relaxed);
    }
}

fn instrument(conn: &mut DatabaseConnection, stats: &Arc<DbStats>, reader: bool) {
    let stats = stats.clone();
    conn.set_metric_callback(move |info| {
        stats.statements.fetch_add(1, Ordering::Relaxed);
        if reader {
            stats.reads.fetch_add(1, Ordering::Relaxed);
        }
        stats
            .micros
            .fetch_add(info.elapsed.as_micros() as u64, Ordering::Relaxed);
        if info.failed {
            stats.failed.fetch_add(1, Ordering::Relaxed);
        }
    });
}

const SQLITE_READERS: u32 = 8;

impl Db {
    /// Connects to `url`, creating a SQLite file if it does not exist.
    pub async fn connect(url: &str, max_connections: u32) -> Result<Db, sea_orm::DbErr> {
        let stats = Arc::new(DbStats::default());
        if url.starts_with("sqlite:") {
            let mut read = Database::connect(sqlite_options(url, SQLITE_READERS)).await?;
            let mut write = Database::connect(sqlite_options(url, 1)).await?;
            instrument(&mut read, &stats, true);
            instrument(&mut write, &stats, false);
            let inline = inline_readers(&write, &stats).await?;
            let reader = Reader {
                pool: read.clone(),
                inline,
            };
            let group = Arc::new(group::Committer::start(write.clone(), stats.clone()));
            Ok(Db {
                read,
                write,
                reader,
                stats,
                group: Some(group),
            })
        } else {
            let mut opt = ConnectOptions::new(url);
            opt.max_connections(max_connections)
                .min_connections(1)
                .acquire_timeout(Duration::from_secs(10))
                // sqlx pings a pooled connection on every checkout by
                // default: a round trip per statement. Ping only those idle
                // long enough for a server or firewall to have dropped them.
                .test_before_acquire_if_idle_for(Duration::from_secs(30))
                .sqlx_logging(false);
            // Two handles on one pool, so each counts its own statements.
            let mut write = Database::connect(opt).await?;
            let mut read = write.clone();
            instrument(&mut read, &stats, true);
            instrument(&mut write, &stats, false);
            let reader = Reader {
                pool: read.clone(),
                inline: None,
            };
            Ok(Db {
                read,
                write,
                reader,
                stats,
                group: None,
            })
        }
    }

    /// Which database this is.
    pub fn backend(&self) -> DbBackend {
        self.write.get_database_backend()
    }

    /// Begins a write transaction. On SQLite it takes the write lock at once
    /// (`BEGIN IMMEDIATE`), so it never fails half-way on a lock upgrade.
    pub async fn begin(&self) -> Result<DatabaseTransaction> {
        Ok(begin_immediate(&self.write).await?)
    }

    /// Applies pending migrations and loads the reference data that ships
    /// with the binary (the working-day calendar). On PostgreSQL an advisory
    /// lock makes replicas that start together do this one after the other.
    pub async fn migrate(&self) -> Result<()> {
        use migration::MigratorTrait;
        let txn = self.begin().await?;
        if self.backend() == DbBackend::Postgres {
            txn.execute_raw(Statement::from_string(
                DbBackend::Postgres,
                "SELECT pg_advisory_xact_lock(7243000)",
            ))
            .await?;
        }
        migration::Migrator::up(&txn, None).await?;
        crate::calendar::store::ensure_shipped(&txn).await?;
        txn.commit().await?;
        if self.backend() == DbBackend::Sqlite {
            // Refresh the planner's statistics where tables grew a lot since
            // (PostgreSQL's autovacuum does this by itself).
            self.write
                .execute_unprepared("PRAGMA optimize=0x10002")
                .await?;
        }
        Ok(())
    }

    /// Whether the database answers.
    pub async fn ping(&self) -> Result<()> {
        self.read.ping().await.map_err(Error::from)
    }
}

/// Begins a write transaction on `write`, on SQLite with `BEGIN IMMEDIATE`.
async fn begin_immediate(write: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    let options = TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..Default::default()
    };
    write.begin_with_options(options).await
}

/// Runs `statements` in order: in one round trip on SQLite, whose driver
/// binds a query's parameters across the statements it holds, so a write
/// transaction spends fewer hops to the writer's thread; one by one on
/// PostgreSQL, whose prepared statements hold one statement each.
pub async fn execute_all(
    conn: &impl ConnectionTrait,
    statements: impl IntoIterator<Item = Statement>,
) -> Result<(), DbErr> {
    let mut statements = statements.into_iter();
    if conn.get_database_backend() != DbBackend::Sqlite {
        for stmt in statements {
            conn.execute_raw(stmt).await?;
        }
        return Ok(());
    }
    let Some(mut all) = statements.next() else {
        return Ok(());
    };
    for stmt in statements {
        all.sql.push_str(";\n");
        all.sql.push_str(&stmt.sql);
        if let Some(values) = stmt.values {
            all.values
                .get_or_insert_with(|| sea_orm::Values(Vec::new()))
                .0
                .extend(values.0);
        }
    }
    conn.execute_raw(all).await.map(drop)
}

/// Opens the inline readers on the file behind `write`, one per thread that
/// can run tasks at once; none for a database held in memory, which other
/// connections cannot share.
async fn inline_readers(
    write: &DatabaseConnection,
    stats: &Arc<DbStats>,
) -> Result<Option<Arc<inline::Readers>>, DbErr> {
    let row = write
        .query_one_raw(Statement::from_string(
            DbBackend::Sqlite,
            "SELECT file FROM pragma_database_list WHERE name = 'main'",
        ))
        .await?;
    let file: String = match row {
        Some(row) => row.try_get("", "file")?,
        None => String::new(),
    };
    if file.is_empty() {
        return Ok(None);
    }
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    inline::Readers::open(std::path::Path::new(&file), threads, stats.clone())
        .map(|r| Some(Arc::new(r)))
        .map_err(|e| DbErr::Custom(format!("cannot open the inline SQLite readers: {e}")))
}

/// What the hot lookups read through. Any query runs on the pool; a
/// [`Fetch`] of entities runs first on SQLite's inline readers, and on the
/// pool only when they hand it back.
#[derive(Clone, Debug)]
pub struct Reader {
    pool: DatabaseConnection,
    inline: Option<Arc<inline::Readers>>,
}

/// A thread's reads in one transaction until dropped ([`Reader::one_read`]).
pub struct OneRead<'a> {
    _held: Option<inline::OneRead<'a>>,
}

/// An entity [`Fetch`] can read: its models travel between tasks, and its
/// active model builds one (how the inline readers make them).
pub trait Readable:
    EntityTrait<Model: Send + Sync, ActiveModel: TryIntoModel<Self::Model>>
{
}

impl<E> Readable for E where E: EntityTrait<Model: Send + Sync, ActiveModel: TryIntoModel<E::Model>> {}

/// Reads whole entities: what the lookups' store functions take, so a
/// transaction, the pool or a [`Reader`] can each serve them.
pub trait Fetch: ConnectionTrait + Sized {
    /// The models `select` finds.
    fn fetch<E: Readable>(
        &self,
        select: Select<E>,
    ) -> impl Future<Output = Result<Vec<E::Model>, DbErr>> + Send {
        select.all(self)
    }

    /// The models the lookup `keyed` finds for `keys`.
    fn fetch_keyed<E: Readable, K: AsRef<str> + Sync>(
        &self,
        keyed: &Keyed<E>,
        keys: &[K],
    ) -> impl Future<Output = Result<Vec<E::Model>, DbErr>> + Send {
        let stmt = keyed.statement(self.get_database_backend(), keys);
        E::find().from_raw_sql(stmt).all(self)
    }
}

impl Fetch for DatabaseConnection {}
impl Fetch for DatabaseTransaction {}

impl Reader {
    /// This thread's reads through this reader in one read transaction, on
    /// one of SQLite's inline connections, until the guard is dropped (see
    /// `inline::Readers::one_read`): for code that does not await, and only
    /// where one snapshot is what the reads should see (a read-only
    /// operation, whose writes are none). On PostgreSQL it does nothing.
    pub fn one_read(&self) -> OneRead<'_> {
        OneRead {
            _held: self.inline.as_deref().map(inline::Readers::one_read),
        }
    }

    /// What the inline readers answer, if there are some and they do;
    /// `None` hands the read to sqlx.
    fn inline<T>(
        &self,
        read: impl FnOnce(&inline::Readers) -> Result<Vec<T>, inline::Declined>,
    ) -> Option<Vec<T>> {
        match read(self.inline.as_deref()?) {
            Ok(models) => Some(models),
            Err(inline::Declined::Busy) => None,
            Err(why) => {
                tracing::debug!(reason = %why, "inline read handed to sqlx");
                None
            }
        }
    }
}

impl Fetch for Reader {
    async fn fetch<E: Readable>(&self, select: Select<E>) -> Result<Vec<E::Model>, DbErr> {
        match self.inline(|r| r.all(&select)) {
            Some(models) => Ok(models),
            None => select.all(&self.pool).await,
        }
    }

    async fn fetch_keyed<E: Readable, K: AsRef<str> + Sync>(
        &self,
        keyed: &Keyed<E>,
        keys: &[K],
    ) -> Result<Vec<E::Model>, DbErr> {
        match self.inline(|r| r.keyed(keyed, keys)) {
            Some(models) => Ok(models),
            None => self.pool.fetch_keyed(keyed, keys).await,
        }
    }
}

/// Where a write transaction reads what its writes depend on, once it has
/// begun. On SQLite, `BEGIN IMMEDIATE` has taken the write lock, so no other
/// connection can commit until this transaction ends: the readers see
/// exactly what it would see, as long as it has not written yet, and they
/// spare its one connection the round trips. On PostgreSQL, the transaction.
#[derive(Clone, Copy, Debug)]
pub enum Locked<'a> {
    /// SQLite's readers, while the transaction holds the write lock.
    Readers(&'a Reader),
    /// The transaction itself.
    Txn(&'a DatabaseTransaction),
}

impl Fetch for Locked<'_> {
    async fn fetch<E: Readable>(&self, select: Select<E>) -> Result<Vec<E::Model>, DbErr> {
        match self {
            Locked::Readers(r) => r.fetch(select).await,
            Locked::Txn(t) => t.fetch(select).await,
        }
    }

    async fn fetch_keyed<E: Readable, K: AsRef<str> + Sync>(
        &self,
        keyed: &Keyed<E>,
        keys: &[K],
    ) -> Result<Vec<E::Model>, DbErr> {
        match self {
            Locked::Readers(r) => r.fetch_keyed(keyed, keys).await,
            Locked::Txn(t) => t.fetch_keyed(keyed, keys).await,
        }
    }
}

#[async_trait::async_trait]
impl ConnectionTrait for Locked<'_> {
    fn get_database_backend(&self) -> DbBackend {
        match self {
            Locked::Readers(r) => r.get_database_backend(),
            Locked::Txn(t) => t.get_database_backend(),
        }
    }
    async fn execute_raw(&self, stmt: Statement) -> Result<ExecResult, DbErr> {
        match self {
            Locked::Readers(r) => r.execute_raw(stmt).await,
            Locked::Txn(t) => t.execute_raw(stmt).await,
        }
    }
    async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
        match self {
            Locked::Readers(r) => r.execute_unprepared(sql).await,
            Locked::Txn(t) => t.execute_unprepared(sql).await,
        }
    }
    async fn query_one_raw(&self, stmt: Statement) -> Result<Option<QueryResult>, DbErr> {
        match self {
            Locked::Readers(r) => r.query_one_raw(stmt).await,
            Locked::Txn(t) => t.query_one_raw(stmt).await,
        }
    }
    async fn query_all_raw(&self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
        match self {
            Locked::Readers(r) => r.query_all_raw(stmt).await,
            Locked::Txn(t) => t.query_all_raw(stmt).await,
        }
    }
}

#[async_trait::async_trait]
impl ConnectionTrait for Reader {
    fn get_database_backend(&self) -> DbBackend {
        self.pool.get_database_backend()
    }
    async fn execute_raw(&self, stmt: Statement) -> Result<ExecResult, DbErr> {
        self.pool.execute_raw(stmt).await
    }
    async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
        self.pool.execute_unprepared(sql).await
    }
    async fn query_one_raw(&self, stmt: Statement) -> Result<Option<QueryResult>, DbErr> {
        self.pool.query_one_raw(stmt).await
    }
    async fn query_all_raw(&self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
        self.pool.query_all_raw(stmt).await
    }
}

fn sqlite_options(url: &str, connections: u32) -> ConnectOptions {
    use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
    let mut opt = ConnectOptions::new(url);
    opt.max_connections(connections)
        .min_connections(1)
        .acquire_timeout(Duration::from_secs(30))
        // No ping on checkout: the file cannot hang up, and on SQLite each
        // ping is a hop to the connection's thread and back, once per
        // statement (sqlx pings on every checkout by default).
        .test_before_acquire(false)
        .sqlx_logging(false)
        .map_sqlx_sqlite_opts(|o| {
            o.create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                // FULL: a committed transaction survives power loss, which the
                // audit log's promise of durability needs.
                .synchronous(SqliteSynchronous::Full)
                .busy_timeout(Duration::from_secs(10))
                .foreign_keys(true)
                // 4 MB of page cache per connection, so 36 MB at most for
                // the nine. (SQLite is built without memory statistics, see
                // .cargo/config.toml, so no soft heap limit caps them.)
                // A write resets every reader's cache in WAL mode, and the
                // audited reads write all the time, so a larger cache would
                // rarely be read twice anyway.
                .pragma("cache_size", "-4000")
        });
    opt
}
