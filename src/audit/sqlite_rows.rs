//! How a batch of sealed entries goes in on SQLite: one round trip to the
//! writer's connection, through statements whose text never changes.
//!
//! Each table's rows are bound as one parameter, a JSON array of rows, and
//! taken apart by SQLite (`jsonb_each`, and `->>` for each column). A
//! multi-row `INSERT … VALUES` has a text for every row count: sqlx keeps
//! 100 compiled statements a connection, fewer than the batch sizes a busy
//! writer sees, so most batches compiled their inserts anew (1.5% of a
//! subject lookup's CPU), and every value went through sea-query, sea-orm
//! and sqlx on its own, each taking a copy that the writer's thread then
//! freed. The text of each column is what sea-orm binds for it (timestamps
//! in RFC 3339 with as many fractional digits as they need, days as
//! `YYYY-MM-DD`, subjects as their JSON text): a test writes the same batch
//! both ways and compares every stored value.

use sea_orm::{DbBackend, Statement, Value};

use super::{Head, Sealed};
use crate::util::format_instant as timestamp;

/// The statements appending a batch: its facts' tallies, its entries, its
/// facts, and the chain's new head.
const APPEND: &str = "\
INSERT INTO audit_tally (kind, day, requester_dept, owner_dept, result, detail, shard, n) \
SELECT value->>0, value->>1, value->>2, value->>3, value->>4, value->>5, 0, value->>6 \
FROM jsonb_each(?) WHERE true \
ON CONFLICT (kind, day, requester_dept, owner_dept, result, detail, shard) \
DO UPDATE SET n = audit_tally.n + excluded.n;
INSERT INTO audit_entry (id, at, sub, dept_code, operation_type, operation, subjects, purpose, \
outcome, request_id, seq, prev_hash, hash) \
SELECT value->>0, value->>1, value->>2, value->>3, value->>4, value->>5, value->>6, value->>7, \
value->>8, value->>9, value->>10, value->>11, value->>12 FROM jsonb_each(?);
INSERT INTO audit_fact (at, request_id, requester_dept, kind, owner_dept, subject_id, result, detail) \
SELECT value->>0, value->>1, value->>2, value->>3, value->>4, value->>5, value->>6, value->>7 \
FROM jsonb_each(?);
INSERT INTO audit_head (id, seq, hash, sealed_at) VALUES (1, ?, ?, ?) \
ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash, sealed_at = excluded.sealed_at";

/// The statement appending `sealed` (already chained), adding `tallies`
/// (from `metrics::tally::fact_rows_json`) and moving the head to `head`.
pub(super) fn append(sealed: &[Sealed], tallies: String, head: &Head) -> Statement {
    let mut entries = Vec::with_capacity(sealed.len());
    let mut facts = Vec::new();
    for Sealed { row: e, facts: fs } in sealed {
        entries.push((
            e.id,
            timestamp(e.at),
            &e.sub,
            &e.dept_code,
            &e.operation_type,
            &e.operation,
            e.subjects.to_string(),
            &e.purpose,
            &e.outcome,
            &e.request_id,
            e.seq,
            &e.prev_hash,
            &e.hash,
        ));
        for f in fs {
            facts.push((
                timestamp(f.at),
                &e.request_id,
                &e.dept_code,
                f.kind,
                &f.owner_dept,
                &f.subject_id,
                &f.result,
                &f.detail,
            ));
        }
    }
    let values: Vec<Value> = vec![
        tallies.into(),
        json(&entries).into(),
        json(&facts).into(),
        head.seq.into(),
        head.hash.clone().into(),
        timestamp(head.sealed_at).into(),
    ];
    Statement::from_sql_and_values(DbBackend::Sqlite, APPEND, values)
}

/// Rows of strings, integers and nulls as a JSON array.
fn json(rows: &impl serde::Serialize) -> String {
    // Nothing in them can fail to serialise.
    serde_json::to_string(rows).unwrap_or_default()
}
