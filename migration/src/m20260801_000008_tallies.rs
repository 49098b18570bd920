//! Daily tallies for the dashboard: counts per day, department and item (for
//! commitments) or per day and department pair (for the audit log's facts),
//! kept current by the writes themselves, in the same transaction as the
//! change they count. A dashboard over a year then adds up tens of thousands
//! of tally rows instead of aggregating a million commitments.
//!
//! Writers add to a row chosen among a few `shard`s, so concurrent
//! transactions on PostgreSQL rarely wait on the same row; readers sum over
//! the shards. The tallies are filled here from the rows already stored, by
//! the statements of [`rebuild`], which the dataset generator also uses.
//!
//! The covering indexes migration 7 added for the figures the tallies now
//! answer are dropped: every commitment written had to update them. The
//! state index keeps what the overdue checks and lists need.
use sea_orm_migration::{prelude::*, schema::*, sea_orm::DbBackend};

use crate::m20260101_000001_foundation::index;

/// Indexes of migration 7 that only the tallied figures used.
const REPLACED: [(&str, &str); 8] = [
    ("idx_commitment_state", "commitment"),
    ("idx_commitment_due", "commitment"),
    ("idx_credit_record_recorded", "credit_record"),
    ("idx_commitment_submitted", "commitment"),
    ("idx_commitment_submitted_on", "commitment"),
    ("idx_commitment_decided", "commitment"),
    ("idx_commitment_verified", "commitment"),
    ("idx_commitment_event_action", "commitment_event"),
];

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        use CommitmentTally as T;
        m.create_table(
            Table::create()
                .table(T::Table)
                .col(string_len(T::Measure, 32))
                .col(date(T::Day))
                .col(string(T::DeptCode))
                .col(string(T::ItemCode))
                .col(string_len(T::Detail, 32))
                .col(small_integer(T::Shard))
                .col(big_integer(T::N))
                .col(big_integer(T::DaysN))
                .col(big_integer(T::DaysTotal))
                .primary_key(
                    Index::create()
                        .col(T::Measure)
                        .col(T::Day)
                        .col(T::DeptCode)
                        .col(T::ItemCode)
                        .col(T::Detail)
                        .col(T::Shard),
                )
                .to_owned(),
        )
        .await?;
        use AuditTally as A;
        m.create_table(
            Table::create()
                .table(A::Table)
                .col(string_len(A::Kind, 32))
                .col(date(A::Day))
                .col(string(A::RequesterDept))
                .col(string(A::OwnerDept))
                .col(string(A::Result))
                .col(string(A::Detail))
                .col(small_integer(A::Shard))
                .col(big_integer(A::N))
                .primary_key(
                    Index::create()
                        .col(A::Kind)
                        .col(A::Day)
                        .col(A::RequesterDept)
                        .col(A::OwnerDept)
                        .col(A::Result)
                        .col(A::Detail)
                        .col(A::Shard),
                )
                .to_owned(),
        )
        .await?;
        let conn = m.get_connection();
        for sql in rebuild(m.get_database_backend(), Part::All) {
            conn.execute_unprepared(&sql).await?;
        }
        for (name, table) in REPLACED {
            m.drop_index(Index::drop().name(name).table(Alias::new(table)).to_owned())
                .await?;
        }
        // overdueChecks and the lists of overdue commitments.
        use Commitment as C;
        index(
            m,
            "idx_commitment_state",
            C::Table,
            &[C::State, C::VerificationDue, C::DeptCode, C::ItemCode],
        )
        .await?;
        // Credit facts by severity and kind in a period: from the index alone.
        recorded_index(m, true).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        use Commitment as C;
        m.drop_index(
            Index::drop()
                .name("idx_commitment_state")
                .table(C::Table)
                .to_owned(),
        )
        .await?;
        // Migration 7's indexes, as it made them.
        let names: Vec<&str> = REPLACED
            .iter()
            .filter(|(name, _)| *name != "idx_credit_record_recorded")
            .map(|(name, _)| *name)
            .collect();
        crate::m20260701_000007_metric_indexes::create(m, &names).await?;
        m.drop_index(
            Index::drop()
                .name("idx_credit_record_recorded")
                .table(CreditRecord::Table)
                .to_owned(),
        )
        .await?;
        recorded_index(m, false).await?;
        m.drop_table(Table::drop().table(AuditTally::Table).to_owned())
            .await?;
        m.drop_table(Table::drop().table(CommitmentTally::Table).to_owned())
            .await
    }
}

/// The index of credit facts by day: covering the dashboard's figures, or
/// (`wide` false) as migration 5 made it.
async fn recorded_index(m: &SchemaManager<'_>, wide: bool) -> Result<(), DbErr> {
    use CreditRecord as R;
    let cols: &[R] = if wide {
        &[R::RecordedOn, R::SourceDept, R::Severity, R::Kind]
    } else {
        &[R::RecordedOn]
    };
    index(m, "idx_credit_record_recorded", R::Table, cols).await
}

/// Which tallies [`rebuild`] recomputes.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Part {
    /// Every tally.
    All,
    /// Only the commitments' tallies.
    Commitments,
    /// Only the working days from decision to check (after the calendar changed).
    WorkingDays,
}

/// The statements that recompute the tallies from the stored rows, one shard
/// per key. The measures, each per day, department and item:
///
/// - `STATE`: commitments by the day they were submitted and their state now;
/// - `SUBMIT`: commitments by the day they were submitted and their kind
///   (or mode, for certification matters);
/// - `APPROVE`: commitments approved, by their decision day, detail
///   `SAME_DAY` when decided on the day they were submitted, else `LATER`;
/// - `DUE`: commitments by the day their post-approval check is due, detail
///   `CHECKED` once its result is recorded, else `OPEN`;
/// - `RECORD_COMPLIANT` and `RECORD_NONCOMPLIANT`: check results by the day
///   they were recorded, with the working days from the decision to that day
///   (`days_total` over the `days_n` of them whose days are in the calendar);
/// - `REVOKE` and `WITHDRAW`: those events by their day.
///
/// The audit log's facts are counted per day, kind, requesting and owning
/// department, result and detail, with `''` for an absent department or detail.
pub fn rebuild(backend: DbBackend, part: Part) -> Vec<String> {
    let day = |col: &str| match backend {
        DbBackend::Postgres => format!("(({col} AT TIME ZONE 'UTC') + INTERVAL '8 hours')::date"),
        _ => format!("date({col}, '+8 hours')"),
    };
    let into = "INSERT INTO commitment_tally (measure, day, dept_code, item_code, detail, shard, n, days_n, days_total)";
    // Events with their commitments, and `more` joined before the condition.
    let events = |more: &str, actions: &str| {
        format!(
            "FROM commitment_event e JOIN commitment c ON c.id = e.commitment_id{more} WHERE e.action IN ({actions})"
        )
    };
    let records = format!(
        "{into} SELECT e.action, {d}, c.dept_code, c.item_code, '', 0, COUNT(*), COUNT(d2.ordinal - d1.ordinal), \
         COALESCE(SUM(d2.ordinal - d1.ordinal), 0) {from} \
         GROUP BY e.action, {d}, c.dept_code, c.item_code",
        d = day("e.at"),
        from = events(
            &format!(
                " LEFT JOIN working_day d1 ON d1.day = c.decided_on LEFT JOIN working_day d2 ON d2.day = {}",
                day("e.at")
            ),
            "'RECORD_COMPLIANT', 'RECORD_NONCOMPLIANT'"
        ),
    );
    if part == Part::WorkingDays {
        return vec![
            "DELETE FROM commitment_tally WHERE measure IN ('RECORD_COMPLIANT', 'RECORD_NONCOMPLIANT')"
                .to_owned(),
            records,
        ];
    }
    let mut sql = vec![
        "DELETE FROM commitment_tally".to_owned(),
        format!(
            "{into} SELECT 'STATE', c.submitted_on, c.dept_code, c.item_code, c.state, 0, COUNT(*), 0, 0 \
             FROM commitment c GROUP BY c.submitted_on, c.dept_code, c.item_code, c.state"
        ),
        format!(
            "{into} SELECT 'SUBMIT', c.submitted_on, c.dept_code, c.item_code, COALESCE(c.kind, c.mode), 0, COUNT(*), 0, 0 \
             FROM commitment c GROUP BY c.submitted_on, c.dept_code, c.item_code, COALESCE(c.kind, c.mode)"
        ),
        format!(
            "{into} SELECT 'APPROVE', c.decided_on, c.dept_code, c.item_code, \
             CASE WHEN c.decided_on = c.submitted_on THEN 'SAME_DAY' ELSE 'LATER' END, 0, COUNT(*), 0, 0 \
             FROM commitment c WHERE c.state <> 'REJECTED' AND c.decided_on IS NOT NULL \
             GROUP BY c.decided_on, c.dept_code, c.item_code, \
             CASE WHEN c.decided_on = c.submitted_on THEN 'SAME_DAY' ELSE 'LATER' END"
        ),
        format!(
            "{into} SELECT 'DUE', c.verification_due, c.dept_code, c.item_code, \
             CASE WHEN c.verified_at IS NULL THEN 'OPEN' ELSE 'CHECKED' END, 0, COUNT(*), 0, 0 \
             FROM commitment c WHERE c.verification_due IS NOT NULL \
             GROUP BY c.verification_due, c.dept_code, c.item_code, \
             CASE WHEN c.verified_at IS NULL THEN 'OPEN' ELSE 'CHECKED' END"
        ),
        records,
        format!(
            "{into} SELECT e.action, {d}, c.dept_code, c.item_code, '', 0, COUNT(*), 0, 0 {from} \
             GROUP BY e.action, {d}, c.dept_code, c.item_code",
            d = day("e.at"),
            from = events("", "'REVOKE', 'WITHDRAW'"),
        ),
    ];
    if part == Part::All {
        sql.push("DELETE FROM audit_tally".to_owned());
        sql.push(format!(
            "INSERT INTO audit_tally (kind, day, requester_dept, owner_dept, result, detail, shard, n) \
             SELECT f.kind, {d}, COALESCE(f.requester_dept, ''), COALESCE(f.owner_dept, ''), f.result, \
             COALESCE(f.detail, ''), 0, COUNT(*) FROM audit_fact f \
             GROUP BY f.kind, {d}, COALESCE(f.requester_dept, ''), COALESCE(f.owner_dept, ''), f.result, \
             COALESCE(f.detail, '')",
            d = day("f.at"),
        ));
    }
    sql
}

#[derive(DeriveIden, Clone, Copy)]
enum Commitment {
    Table,
    State,
    DeptCode,
    ItemCode,
    VerificationDue,
}

#[derive(DeriveIden, Clone, Copy)]
enum CreditRecord {
    Table,
    RecordedOn,
    SourceDept,
    Severity,
    Kind,
}

#[derive(DeriveIden, Clone, Copy)]
enum CommitmentTally {
    Table,
    Measure,
    Day,
    DeptCode,
    ItemCode,
    Detail,
    Shard,
    N,
    DaysN,
    DaysTotal,
}

#[derive(DeriveIden, Clone, Copy)]
enum AuditTally {
    Table,
    Kind,
    Day,
    RequesterDept,
    OwnerDept,
    Result,
    Detail,
    Shard,
    N,
}
