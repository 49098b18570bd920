//! SQLite reads that run on the calling thread.
//!
//! sqlx gives each SQLite connection a thread of its own: every statement is
//! sent there, every row sent back, and every connection pinged on its way
//! back into the pool, so one statement costs several thread switches. On the
//! hub's hot lookups that cost more CPU than SQLite itself (see
//! `bench/results/2026-11-27-findings.md`). Here a few read-only connections
//! run a statement where the task already is, which takes tens of
//! microseconds on pages the operating system holds.
//!
//! The queries are still sea-orm's (`Select<E>`, built for SQLite), and each
//! row becomes the entity's model through sea-orm itself (its active model,
//! set column by column), from values typed by the entity's own column
//! definitions. Parameters are bound as sqlx binds
//! them, so a comparison means the same on both paths. Whatever this path does
//! not know (a type it does not map, a text it cannot parse, a busy database,
//! every connection in use) it hands back, and the caller runs the query
//! through sea-orm and sqlx instead: this path is only ever faster, never
//! different.

use std::cell::Cell;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use chrono::{DateTime, NaiveDateTime, Utc};
use parking_lot::{ReentrantMutex, ReentrantMutexGuard};
use rusqlite::config::DbConfig;
use rusqlite::types::{Value as Bound, ValueRef};
use rusqlite::{Connection, OpenFlags};
use sea_orm::sea_query::{ColumnType, Value};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DbBackend, IdenStatic, Iterable, QueryTrait, Select,
    TryIntoModel,
};

use super::keyed::{Built, Keyed, Param};
use super::{DbStats, Readable};

/// How long a statement waits for a lock before it is handed back to sqlx,
/// whose connections wait longer on threads of their own. Readers in WAL
/// mode are blocked only while the log is recovered or truncated.
const BUSY: Duration = Duration::from_millis(20);

/// Prepared statements kept per connection: the hot lookups, each with the
/// few sizes their key lists come in.
const STATEMENTS: usize = 128;

/// A handful of read-only connections to one SQLite file.
///
/// Each is locked only while a statement runs on it, or while a
/// [`OneRead`] holds it for its thread; the lock is reentrant so that the
/// statements a `OneRead` covers take it again on the same thread.
pub struct Readers {
    slots: Vec<ReentrantMutex<Connection>>,
    /// The next home slot to give a thread (see `HOME`).
    next: AtomicUsize,
    stats: Arc<DbStats>,
}

impl std::fmt::Debug for Readers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Readers")
            .field("connections", &self.slots.len())
            .finish()
    }
}

/// Why a query went to sqlx instead.
#[derive(Debug, thiserror::Error)]
pub enum Declined {
    /// Every connection was in use.
    #[error("every inline reader is in use")]
    Busy,
    /// SQLite could not answer here (locked, or an error sqlx will report).
    #[error("SQLite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// A parameter or column of a type this path does not map.
    #[error("{0} this path does not map")]
    Unmapped(&'static str),
    /// A stored value that did not read as its column's type.
    #[error("{0}")]
    Unreadable(String),
}

impl Readers {
    /// Opens `connections` read-only connections to the database at `path`,
    /// with the same page cache as sqlx's readers.
    pub fn open(path: &Path, connections: usize, stats: Arc<DbStats>) -> rusqlite::Result<Self> {
        let slots = (0..connections.max(1))
            .map(|_| {
                let conn = Connection::open_with_flags(
                    path,
                    OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
                )?;
                // Opened read-write so that it can share the WAL index like
                // sqlx's connections do; `query_only` refuses any write.
                configure(&conn)?;
                Ok(ReentrantMutex::new(conn))
            })
            .collect::<rusqlite::Result<_>>()?;
        Ok(Readers {
            slots,
            next: AtomicUsize::new(0),
            stats,
        })
    }

    /// Runs `select` on a free connection, on this thread, and reads its rows
    /// as `E`'s models; or says why it did not.
    pub fn all<E: Readable>(&self, select: &Select<E>) -> Result<Vec<E::Model>, Declined> {
        self.with_connection(|conn| run::<E>(conn, select))
    }

    /// Like [`Readers::all`] for a lookup by keys, from its text built before.
    pub fn keyed<E: Readable, K: AsRef<str>>(
        &self,
        keyed: &Keyed<E>,
        keys: &[K],
    ) -> Result<Vec<E::Model>, Declined> {
        match keyed.built(DbBackend::Sqlite, keys.len()) {
            Some(built) => self.with_connection(|conn| run_built(conn, &built, keys)),
            None => self.all(&keyed.select(keys)),
        }
    }

    fn with_connection<T>(
        &self,
        run: impl FnOnce(&Connection) -> Result<Vec<T>, Declined>,
    ) -> Result<Vec<T>, Declined> {
        // The connection a `OneRead` holds for this thread, if it holds one
        // of these readers'; else a free one. A connection is held only
        // while statements run, never across an await, so one is nearly
        // always free; if none is, sqlx has more.
        let conn = match PINNED.get() {
            Some((readers, slot)) if readers == self.id() => self.slots[slot].lock(),
            _ => self.free().ok_or(Declined::Busy)?.1,
        };
        let began = Instant::now();
        let result = run(&conn);
        drop(conn);
        // Counted as sqlx's statements are, so the tests that count queries
        // see every statement whichever path ran it.
        if result.is_ok() {
            let s = &self.stats;
            s.statements.fetch_add(1, Ordering::Relaxed);
            s.reads.fetch_add(1, Ordering::Relaxed);
            s.inline.fetch_add(1, Ordering::Relaxed);
            s.micros
                .fetch_add(began.elapsed().as_micros() as u64, Ordering::Relaxed);
        }
        result
    }

    /// A free connection, and its slot: this thread's own first, so that
    /// with a connection per core each thread keeps reading through the one
    /// whose page cache (and prepared statements) its core holds already.
    fn free(&self) -> Option<(usize, ReentrantMutexGuard<'_, Connection>)> {
        let start = HOME.get().unwrap_or_else(|| {
            let home = self.next.fetch_add(1, Ordering::Relaxed);
            HOME.set(Some(home));
            home
        });
        let n = self.slots.len();
        (0..n).find_map(|i| {
            let slot = (start + i) % n;
            self.slots[slot].try_lock().map(|conn| (slot, conn))
        })
    }

    /// These readers, told apart from others in the process.
    fn id(&self) -> usize {
        std::ptr::from_ref(self) as usize
    }

    /// Runs this thread's reads, until the [`OneRead`] is dropped, on one
    /// connection and in one read transaction: they read one snapshot, and
    /// begin and end one transaction rather than one each (beginning and
    /// ending them was about a tenth of a lookup's CPU). Only for code that
    /// does not await: the transaction ends with the guard. Nothing is held
    /// when every connection is in use, when another `OneRead` holds one
    /// for this thread already, or when the transaction cannot begin; the
    /// reads then run as they would without.
    pub fn one_read(&self) -> OneRead<'_> {
        if PINNED.get().is_some() {
            return OneRead(None);
        }
        let Some((slot, conn)) = self.free() else {
            return OneRead(None);
        };
        // Deferred: the snapshot is taken by the first read.
        if conn
            .prepare_cached("BEGIN")
            .and_then(|mut b| b.execute([]))
            .is_err()
        {
            return OneRead(None);
        }
        PINNED.set(Some((self.id(), slot)));
        OneRead(Some(conn))
    }
}

thread_local! {
    /// The readers and the connection a [`OneRead`] holds for this thread.
    static PINNED: Cell<Option<(usize, usize)>> = const { Cell::new(None) };
    /// Where this thread looks first for a free connection: given by the
    /// first readers it reads from, in turn, and kept.
    static HOME: Cell<Option<usize>> = const { Cell::new(None) };
}

/// This thread's reads in one transaction on one connection, until dropped
/// (see [`Readers::one_read`]).
pub struct OneRead<'a>(Option<ReentrantMutexGuard<'a, Connection>>);

impl Drop for OneRead<'_> {
    fn drop(&mut self) {
        let Some(conn) = self.0.take() else {
            return;
        };
        PINNED.set(None);
        // Ends the transaction whatever happened in it: a read-only one has
        // nothing to keep, and a connection left in one would go on reading
        // an old snapshot.
        if !conn.is_autocommit()
            && conn
                .prepare_cached("COMMIT")
                .and_then(|mut c| c.execute([]))
                .is_err()
        {
            let _ = conn.execute_batch("ROLLBACK");
        }
    }
}

/// Sets up a reader: read only, sqlx's page cache, a wait when busy, and
/// plans that do not depend on bound values.
fn configure(conn: &Connection) -> rusqlite::Result<()> {
    conn.pragma_update(None, "query_only", true)?;
    conn.pragma_update(None, "cache_size", -4000)?;
    conn.busy_timeout(BUSY)?;
    // Without the planner's stability guarantee, SQLite plans a `LIMIT ?`
    // with its bound value and marks the statement expired whenever it is
    // bound again: every cached lookup (`.one()` binds its `LIMIT 1`) was
    // compiled anew on each run. No plan here depends on a value: there are
    // no partial indexes and no STAT4 samples. The build turns it on for
    // every connection (`.cargo/config.toml`); the readers do not rely on it.
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)?;
    conn.set_prepared_statement_cache_capacity(STATEMENTS);
    Ok(())
}

fn run<E: Readable>(conn: &Connection, select: &Select<E>) -> Result<Vec<E::Model>, Declined> {
    let built = select.build(DbBackend::Sqlite);
    let mut stmt = conn.prepare_cached(&built.sql)?;
    for (i, value) in built.values.iter().flat_map(|v| v.0.iter()).enumerate() {
        stmt.raw_bind_parameter(i + 1, bind(value)?)?;
    }
    let columns = columns_of::<E>(&stmt)?;
    read_rows::<E>(stmt, &columns)
}

/// Runs a lookup from its text built before, with `keys`; the mapping of
/// its columns is kept with the text after the first run.
fn run_built<E: Readable, K: AsRef<str>>(
    conn: &Connection,
    built: &Built<E>,
    keys: &[K],
) -> Result<Vec<E::Model>, Declined> {
    let mut stmt = conn.prepare_cached(&built.sql)?;
    for (i, param) in built.params(keys).enumerate() {
        match param {
            Param::Fixed(value) => stmt.raw_bind_parameter(i + 1, bind(value)?)?,
            Param::Key(key) => stmt.raw_bind_parameter(i + 1, key)?,
        }
    }
    let columns = match built.columns.get() {
        Some(columns) => columns,
        None => {
            let found = columns_of::<E>(&stmt)?;
            built.columns.get_or_init(|| found)
        }
    };
    read_rows::<E>(stmt, columns)
}

/// The entity column, and its type, of each column `stmt` returns.
fn columns_of<E: Readable>(
    stmt: &rusqlite::CachedStatement<'_>,
) -> Result<Vec<(E::Column, ColumnType)>, Declined> {
    stmt.column_names()
        .into_iter()
        .map(|name| {
            E::Column::iter()
                .find(|c| c.as_str() == name)
                .map(|c| (c, c.def().get_column_type().clone()))
                .ok_or(Declined::Unmapped("a column that is not the entity's"))
        })
        .collect()
}

/// Reads the rows of a bound statement as `E`'s models.
fn read_rows<E: Readable>(
    mut stmt: rusqlite::CachedStatement<'_>,
    columns: &[(E::Column, ColumnType)],
) -> Result<Vec<E::Model>, Declined> {
    let unreadable = |e: sea_orm::DbErr| Declined::Unreadable(e.to_string());
    let mut rows = stmt.raw_query();
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        let mut model = <E::ActiveModel as ActiveModelTrait>::default();
        for (i, (column, kind)) in columns.iter().enumerate() {
            model
                .try_set(*column, read(row.get_ref(i)?, kind)?)
                .map_err(unreadable)?;
        }
        out.push(model.try_into_model().map_err(unreadable)?);
    }
    Ok(out)
}

/// A parameter as sqlx binds it on SQLite (`sqlx-sqlite`'s `Encode`
/// implementations), so that stored values compare the same.
fn bind(value: &Value) -> Result<Bound, Declined> {
    fn or_null<T>(v: &Option<T>, f: impl FnOnce(&T) -> Bound) -> Bound {
        v.as_ref().map_or(Bound::Null, f)
    }
    Ok(match value {
        Value::Bool(v) => or_null(v, |b| Bound::Integer(i64::from(*b))),
        Value::TinyInt(v) => or_null(v, |i| Bound::Integer(i64::from(*i))),
        Value::SmallInt(v) => or_null(v, |i| Bound::Integer(i64::from(*i))),
        Value::Int(v) => or_null(v, |i| Bound::Integer(i64::from(*i))),
        Value::BigInt(v) => or_null(v, |i| Bound::Integer(*i)),
        Value::TinyUnsigned(v) => or_null(v, |i| Bound::Integer(i64::from(*i))),
        Value::SmallUnsigned(v) => or_null(v, |i| Bound::Integer(i64::from(*i))),
        Value::Unsigned(v) => or_null(v, |i| Bound::Integer(i64::from(*i))),
        // A `LIMIT` or `OFFSET` comes as one.
        Value::BigUnsigned(Some(i)) => Bound::Integer(
            i64::try_from(*i).map_err(|_| Declined::Unmapped("an unsigned beyond i64"))?,
        ),
        Value::BigUnsigned(None) => Bound::Null,
        Value::Float(v) => or_null(v, |f| Bound::Real(f64::from(*f))),
        Value::Double(v) => or_null(v, |f| Bound::Real(*f)),
        Value::String(v) => or_null(v, |s| Bound::Text(s.clone())),
        Value::Bytes(v) => or_null(v, |b| Bound::Blob(b.clone())),
        Value::Uuid(v) => or_null(v, |u| Bound::Blob(u.as_bytes().to_vec())),
        Value::Json(v) => or_null(v, |j| Bound::Text(j.to_string())),
        Value::ChronoDate(v) => or_null(v, |d| Bound::Text(crate::util::format_date(*d))),
        Value::ChronoDateTimeUtc(v) => or_null(v, |t| Bound::Text(crate::util::format_instant(*t))),
        _ => return Err(Declined::Unmapped("a parameter type")),
    })
}

/// A stored value as the sea-orm value its column's type reads from, as
/// sqlx decodes it (`sqlx-sqlite`'s `Decode` implementations).
fn read(raw: ValueRef<'_>, kind: &ColumnType) -> Result<Value, Declined> {
    use ColumnType as C;
    let unreadable = || Declined::Unreadable(format!("a {kind:?} column held {raw:?}"));
    let text = || match raw {
        ValueRef::Text(t) => std::str::from_utf8(t).map_err(|_| unreadable()),
        _ => Err(unreadable()),
    };
    let integer = || match raw {
        ValueRef::Integer(i) => Ok(i),
        _ => Err(unreadable()),
    };
    let null = matches!(raw, ValueRef::Null);
    Ok(match kind {
        C::Boolean => Value::Bool(if null { None } else { Some(integer()? != 0) }),
        C::TinyInteger => Value::TinyInt(narrow(null, integer, unreadable)?),
        C::SmallInteger => Value::SmallInt(narrow(null, integer, unreadable)?),
        C::Integer => Value::Int(narrow(null, integer, unreadable)?),
        C::BigInteger => Value::BigInt(if null { None } else { Some(integer()?) }),
        C::Double | C::Float => Value::Double(match raw {
            ValueRef::Null => None,
            ValueRef::Real(f) => Some(f),
            ValueRef::Integer(i) => Some(i as f64),
            _ => return Err(unreadable()),
        }),
        C::Char(_) | C::String(_) | C::Text | C::Enum { .. } => {
            Value::String(if null { None } else { Some(text()?.to_owned()) })
        }
        C::Uuid => Value::Uuid(match raw {
            ValueRef::Null => None,
            ValueRef::Blob(b) => Some(uuid::Uuid::from_slice(b).map_err(|_| unreadable())?),
            _ => return Err(unreadable()),
        }),
        C::Json | C::JsonBinary => Value::Json(if null {
            None
        } else {
            Some(Box::new(
                serde_json::from_str(text()?).map_err(|_| unreadable())?,
            ))
        }),
        C::Date => Value::ChronoDate(if null {
            None
        } else {
            Some(crate::util::parse_date(text()?).ok_or_else(unreadable)?)
        }),
        // The hub's entities keep every instant as `DateTime<Utc>`.
        C::TimestampWithTimeZone => Value::ChronoDateTimeUtc(if null {
            None
        } else {
            Some(instant(text()?).ok_or_else(unreadable)?)
        }),
        C::Blob | C::Binary(_) | C::VarBinary(_) => Value::Bytes(match raw {
            ValueRef::Null => None,
            ValueRef::Blob(b) => Some(b.to_vec()),
            _ => return Err(unreadable()),
        }),
        _ => return Err(Declined::Unmapped("a column type")),
    })
}

fn narrow<T: TryFrom<i64>>(
    null: bool,
    integer: impl Fn() -> Result<i64, Declined>,
    unreadable: impl Fn() -> Declined,
) -> Result<Option<T>, Declined> {
    if null {
        return Ok(None);
    }
    T::try_from(integer()?).map(Some).map_err(|_| unreadable())
}

/// An instant as sqlx writes it (RFC 3339), or as SQLite's own date
/// functions do (`YYYY-MM-DD HH:MM:SS`, in UTC). Anything else goes to sqlx,
/// which knows more forms.
fn instant(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .ok()
        .or_else(|| {
            NaiveDateTime::parse_from_str(text, "%F %T%.f")
                .ok()
                .map(|t| t.and_utc())
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    type TestResult = Result<(), Box<dyn std::error::Error>>;

    #[test]
    fn one_read_holds_one_snapshot_on_one_connection_until_dropped() -> TestResult {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("one-read.db");
        let writer = Connection::open(&path)?;
        writer.execute_batch(
            "PRAGMA journal_mode = WAL; CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1);",
        )?;
        let readers = Readers::open(&path, 2, Arc::new(DbStats::default()))?;
        let count = |r: &Readers| -> Result<i64, Declined> {
            let n = r.with_connection(|c| {
                Ok(vec![c.query_row("SELECT count(*) FROM t", [], |row| {
                    row.get::<_, i64>(0)
                })?])
            })?;
            Ok(n[0])
        };

        {
            let _one = readers.one_read();
            assert_eq!(count(&readers)?, 1);
            writer.execute("INSERT INTO t VALUES (2)", [])?;
            // The transaction's snapshot, on this thread...
            assert_eq!(count(&readers)?, 1);
            // ...and a nested guard holds nothing more.
            assert!(readers.one_read().0.is_none());
            assert_eq!(count(&readers)?, 1);
            // Another thread reads on the other connection, outside it.
            let elsewhere = std::thread::scope(|s| s.spawn(|| count(&readers)).join());
            assert_eq!(elsewhere.map_err(|_| "thread panicked")??, 2);
        }
        assert_eq!(count(&readers)?, 2);
        // No connection is left in a transaction.
        for slot in &readers.slots {
            assert!(slot.lock().is_autocommit());
        }
        // With every connection in use, nothing is held and reads still run.
        let held: Vec<_> = readers.slots.iter().map(|s| s.lock()).collect();
        let none = std::thread::scope(|s| s.spawn(|| readers.one_read().0.is_none()).join());
        assert!(none.map_err(|_| "thread panicked")?);
        drop(held);
        Ok(())
    }

    #[test]
    fn instants_read_as_sqlx_writes_them() -> TestResult {
        let t =
            DateTime::parse_from_rfc3339("2026-11-27T12:18:01.995884+00:00")?.with_timezone(&Utc);
        let written = crate::util::format_instant(t);
        assert_eq!(instant(&written), Some(t));
        assert_eq!(instant("2026-11-27 12:18:01.995884"), Some(t));
        assert_eq!(instant("2026-11-27T20:18:01.995884+08:00"), Some(t));
        assert_eq!(instant("27/11/2026"), None);
        Ok(())
    }

    #[test]
    fn values_read_by_their_column_type() -> TestResult {
        let int = read(ValueRef::Integer(7), &ColumnType::Integer)?;
        assert_eq!(int, Value::Int(Some(7)));
        let big = read(ValueRef::Integer(1 << 40), &ColumnType::BigInteger)?;
        assert_eq!(big, Value::BigInt(Some(1 << 40)));
        assert!(read(ValueRef::Integer(1 << 40), &ColumnType::Integer).is_err());
        let yes = read(ValueRef::Integer(1), &ColumnType::Boolean)?;
        assert_eq!(yes, Value::Bool(Some(true)));
        let none = read(ValueRef::Null, &ColumnType::Date)?;
        assert_eq!(none, Value::ChronoDate(None));
        let id = uuid::Uuid::now_v7();
        let blob = read(ValueRef::Blob(id.as_bytes()), &ColumnType::Uuid)?;
        assert_eq!(blob, Value::Uuid(Some(id)));
        // sqlx stores a UUID as 16 bytes; text would compare differently.
        assert!(read(ValueRef::Text(b"not-a-blob"), &ColumnType::Uuid).is_err());
        assert!(read(ValueRef::Text(b"{"), &ColumnType::Json).is_err());
        Ok(())
    }

    #[test]
    fn a_cached_lookup_is_not_compiled_again_when_bound_again() -> TestResult {
        // Three runs of one cached lookup, each with other bindings; how
        // many times SQLite compiled the statement anew.
        fn recompiled(conn: &Connection) -> rusqlite::Result<i32> {
            const SQL: &str = "SELECT x FROM t WHERE x = ? LIMIT ?";
            for (x, limit) in [(1, 1), (2, 1), (1, 2)] {
                let mut stmt = conn.prepare_cached(SQL)?;
                stmt.query_row((x, limit), |r| r.get::<_, i64>(0))?;
            }
            Ok(conn
                .prepare_cached(SQL)?
                .get_status(rusqlite::StatementStatus::RePrepare))
        }
        let table = || -> rusqlite::Result<Connection> {
            let conn = Connection::open_in_memory()?;
            conn.execute_batch("CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1), (2);")?;
            Ok(conn)
        };
        // The cause: without the guarantee, each new binding of the limit
        // recompiles.
        let unguarded = table()?;
        unguarded.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, false)?;
        assert!(recompiled(&unguarded)? > 0);
        let reader = table()?;
        configure(&reader)?;
        assert_eq!(recompiled(&reader)?, 0);
        // SQLite is built with the guarantee on by default
        // (`.cargo/config.toml`), so sqlx's connections have it too.
        assert_eq!(recompiled(&table()?)?, 0);
        Ok(())
    }

    #[test]
    fn parameters_bind_as_sqlx_binds_them() -> TestResult {
        let id = uuid::Uuid::now_v7();
        assert_eq!(
            bind(&Value::Uuid(Some(id)))?,
            Bound::Blob(id.as_bytes().to_vec())
        );
        let d = chrono::NaiveDate::from_ymd_opt(2026, 11, 27).ok_or("a real date")?;
        assert_eq!(
            bind(&Value::ChronoDate(Some(d)))?,
            Bound::Text("2026-11-27".into())
        );
        assert_eq!(bind(&Value::Bool(Some(true)))?, Bound::Integer(1));
        assert_eq!(bind(&Value::String(None))?, Bound::Null);
        assert_eq!(bind(&Value::BigUnsigned(Some(1)))?, Bound::Integer(1));
        assert!(bind(&Value::BigUnsigned(Some(u64::MAX))).is_err());
        Ok(())
    }
}
