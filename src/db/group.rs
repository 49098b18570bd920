//! Group commit on SQLite: mutations that opt in share one write
//! transaction, its `BEGIN IMMEDIATE`, its `COMMIT` (with the fsync) and
//! the writer's hand-over between transactions.
//!
//! SQLite has one writer. Each mutation used to pay for a transaction of its
//! own: the hop to `BEGIN`, its batch, the `COMMIT` and its fsync, and the
//! pool's ping when the connection went back. A group pays for those once.
//!
//! A member joins an open group (or opens one), which holds the write lock:
//! from then on nothing outside the group can commit, so the member reads
//! through the readers what it would read in the transaction, except the
//! writes of the group's other members, which the readers do not see yet.
//! That is the contract of joining: a member's locked reads must be ones
//! that no other member's writes change (see [`crate::request::Write::locked_in_group`]).
//! A member then hands over all its writes at once; they run in a savepoint
//! of their own, so a member whose writes fail is undone alone. When no
//! member is left with writes to hand over and nobody else waits to join,
//! or the group is full, it commits, and every member learns the outcome
//! together: none is told its writes are stored before they are.

use std::sync::Arc;
use std::time::Instant;

use futures_util::StreamExt;
use futures_util::stream::FuturesUnordered;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, DbErr, Statement};
use tokio::sync::{mpsc, oneshot};

use super::{DbStats, begin_immediate, execute_all};
use crate::error::{Error, Result};

/// The most members one group admits, so that its first member does not wait
/// without bound for its commit while others keep arriving.
const MOST: usize = 64;

/// What a member learns: whether its writes are stored.
type Outcome = std::result::Result<(), Arc<DbErr>>;

/// Opens groups and commits them; one per SQLite database, on a task of its own.
#[derive(Debug)]
pub struct Committer {
    joins: mpsc::UnboundedSender<Join>,
}

struct Join {
    admitted: oneshot::Sender<std::result::Result<Member, Arc<DbErr>>>,
}

/// A place in an open group. Until the group commits, nothing outside it can
/// commit. Dropping it without [`Member::write`] leaves the group with
/// nothing written.
#[derive(Debug)]
pub struct Member {
    work: oneshot::Sender<Work>,
}

#[derive(Debug)]
struct Work {
    statements: Vec<Statement>,
    done: oneshot::Sender<Outcome>,
}

impl Committer {
    /// Starts the task that runs the groups on `write`, the writer's pool.
    pub fn start(write: DatabaseConnection, stats: Arc<DbStats>) -> Committer {
        let (joins, rx) = mpsc::unbounded_channel();
        tokio::spawn(run(write, stats, rx));
        Committer { joins }
    }

    /// Joins the open group, or the next one: returns once the group holds
    /// the write lock.
    pub async fn join(&self) -> Result<Member> {
        let (admitted, rx) = oneshot::channel();
        self.joins
            .send(Join { admitted })
            .map_err(|_| Error::internal_msg("the group committer has stopped"))?;
        rx.await
            .map_err(|_| Error::internal_msg("the group committer has stopped"))?
            .map_err(shared)
    }
}

impl Member {
    /// Hands over the member's writes, run in order in a savepoint of their
    /// own; returns once the group has committed them, or with the error
    /// that undid them.
    pub async fn write(self, statements: Vec<Statement>) -> Result<()> {
        let (done, outcome) = oneshot::channel();
        self.work
            .send(Work { statements, done })
            .map_err(|_| Error::internal_msg("the group committer has stopped"))?;
        outcome
            .await
            .map_err(|_| Error::internal_msg("the group committer has stopped"))?
            .map_err(shared)
    }
}

fn shared(e: Arc<DbErr>) -> Error {
    Error::Internal(Box::new(e))
}

async fn run(
    write: DatabaseConnection,
    stats: Arc<DbStats>,
    mut joins: mpsc::UnboundedReceiver<Join>,
) {
    let mut next = None;
    loop {
        let first = match next.take() {
            Some(join) => join,
            None => match joins.recv().await {
                Some(join) => join,
                None => return,
            },
        };
        next = group(&write, &stats, first, &mut joins).await;
    }
}

/// One group, from `BEGIN IMMEDIATE` to `COMMIT`. Returns whoever came to
/// join when it was full, to open the next.
async fn group(
    write: &DatabaseConnection,
    stats: &DbStats,
    first: Join,
    joins: &mut mpsc::UnboundedReceiver<Join>,
) -> Option<Join> {
    let txn = match begin_immediate(write).await {
        Ok(txn) => txn,
        Err(e) => {
            let _ = first.admitted.send(Err(Arc::new(e)));
            return None;
        }
    };
    let began = Instant::now();
    let mut outstanding = FuturesUnordered::new();
    let mut admitted = 0;
    let mut admit = |join: Join, outstanding: &mut FuturesUnordered<oneshot::Receiver<Work>>| {
        let (work, rx) = oneshot::channel();
        // A member that stopped waiting for its place is not counted.
        if join.admitted.send(Ok(Member { work })).is_ok() {
            admitted += 1;
            outstanding.push(rx);
        }
        admitted
    };
    let mut full = admit(first, &mut outstanding) >= MOST;
    let mut written: Vec<oneshot::Sender<Outcome>> = Vec::new();
    // Set when the transaction can no longer be trusted: every member fails.
    let mut broken: Option<Arc<DbErr>> = None;
    loop {
        if outstanding.is_empty() {
            // Whoever already waits joins; otherwise the group is done.
            match joins.try_recv() {
                Ok(join) if !full => {
                    full = admit(join, &mut outstanding) >= MOST;
                    continue;
                }
                Ok(join) => {
                    // Full: it opens the next group.
                    commit(txn, began, stats, written, broken).await;
                    return Some(join);
                }
                Err(_) => break,
            }
        }
        tokio::select! {
            biased;
            Some(work) = outstanding.next() => {
                // A member that left before writing wrote nothing.
                let Ok(work) = work else { continue };
                if let Some(e) = &broken {
                    let _ = work.done.send(Err(e.clone()));
                    continue;
                }
                match savepoint(&txn, work.statements).await {
                    Ok(()) => written.push(work.done),
                    Err((e, undone)) => {
                        if let Err(u) = undone {
                            // Nobody else joins a group that will fail.
                            broken = Some(Arc::new(u));
                            full = true;
                        }
                        let _ = work.done.send(Err(Arc::new(e)));
                    }
                }
            }
            Some(join) = joins.recv(), if !full => {
                full = admit(join, &mut outstanding) >= MOST;
            }
        }
    }
    commit(txn, began, stats, written, broken).await;
    None
}

/// Runs one member's writes in a savepoint; if they fail, undoes them and
/// returns the error, with whether the undoing worked.
async fn savepoint(
    txn: &sea_orm::DatabaseTransaction,
    statements: Vec<Statement>,
) -> std::result::Result<(), (DbErr, std::result::Result<(), DbErr>)> {
    let sql = |s: &str| Statement::from_string(DbBackend::Sqlite, s);
    let all = std::iter::once(sql("SAVEPOINT member"))
        .chain(statements)
        .chain(std::iter::once(sql("RELEASE member")));
    match execute_all(txn, all).await {
        Ok(()) => Ok(()),
        Err(e) => {
            let undone = txn
                .execute_unprepared("ROLLBACK TO member; RELEASE member")
                .await
                .map(drop);
            Err((e, undone))
        }
    }
}

async fn commit(
    txn: sea_orm::DatabaseTransaction,
    began: Instant,
    stats: &DbStats,
    written: Vec<oneshot::Sender<Outcome>>,
    broken: Option<Arc<DbErr>>,
) {
    let outcome = match broken {
        Some(e) => {
            if let Err(rollback) = txn.rollback().await {
                tracing::warn!(error = %rollback, "a broken group could not roll back");
            }
            Err(e)
        }
        None => txn.commit().await.map_err(Arc::new),
    };
    stats.held(began);
    stats.grouped(written.len());
    for done in written {
        let _ = done.send(outcome.clone());
    }
}

#[cfg(test)]
mod tests {
    use sea_orm::{ConnectionTrait, DbBackend, Statement};

    use crate::db::Db;

    fn sql(s: &str) -> Statement {
        Statement::from_string(DbBackend::Sqlite, s)
    }

    async fn values(db: &Db) -> Vec<String> {
        let rows = db
            .read
            .query_all_raw(sql("SELECT v FROM t ORDER BY v"))
            .await
            .expect("reads");
        rows.iter()
            .map(|r| r.try_get::<String>("", "v").expect("a text"))
            .collect()
    }

    #[tokio::test]
    async fn a_member_whose_writes_fail_is_undone_alone_and_one_that_leaves_writes_nothing() {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}", dir.path().join("g.db").display());
        let db = Db::connect(&url, 1).await.expect("opens");
        db.write
            .execute_unprepared("CREATE TABLE t (v TEXT NOT NULL UNIQUE)")
            .await
            .expect("creates");
        let group = db.group.clone().expect("SQLite groups its writes");
        let a = group.join().await.expect("opens a group");
        // Admitted to the same group, since `a` has not written yet.
        let b = group.join().await.expect("joins");
        let c = group.join().await.expect("joins");
        drop(c);
        let (a, b) = tokio::join!(
            a.write(vec![sql("INSERT INTO t VALUES ('a')")]),
            b.write(vec![
                sql("INSERT INTO t VALUES ('b')"),
                sql("INSERT INTO t VALUES ('twice')"),
                sql("INSERT INTO t VALUES ('twice')"),
            ]),
        );
        assert!(a.is_ok(), "{a:?}");
        assert!(b.is_err(), "the unique constraint fails b");
        assert_eq!(values(&db).await, ["a"], "b's first writes are undone too");
        let stats = &db.stats;
        assert_eq!(
            (
                stats.groups.load(std::sync::atomic::Ordering::Relaxed),
                stats
                    .group_members
                    .load(std::sync::atomic::Ordering::Relaxed),
            ),
            (1, 1),
            "one group, in which only a's writes committed"
        );

        // The next group starts afresh; the writer is free between groups.
        let d = group.join().await.expect("opens the next group");
        d.write(vec![sql("INSERT INTO t VALUES ('d')")])
            .await
            .expect("commits");
        assert_eq!(values(&db).await, ["a", "d"]);
    }
}
