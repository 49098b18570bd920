//! `/metrics` in the Prometheus text format: requests and their latency by
//! GraphQL operation, errors by code, database statements and pool use, audit
//! entries written. One recorder per process (the `metrics` crate's global),
//! rendered on each scrape.

use std::collections::BTreeSet;
use std::sync::atomic::Ordering;
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use sea_orm::DbBackend;

use crate::http::HttpState;

const LATENCY_BUCKETS: &[f64] = &[
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

/// The process's Prometheus handle, installing the recorder on first use.
pub fn handle() -> &'static PrometheusHandle {
    HANDLE.get_or_init(|| {
        let builder = PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), LATENCY_BUCKETS)
            .unwrap_or_else(|_| PrometheusBuilder::new());
        match builder.install_recorder() {
            Ok(h) => {
                describe();
                h
            }
            // Another recorder is installed (only in tests embedding the
            // hub twice): render our own, empty but valid.
            Err(_) => PrometheusBuilder::new().build_recorder().handle(),
        }
    })
}

/// The `# HELP` lines.
fn describe() {
    use metrics::{describe_counter, describe_gauge, describe_histogram};
    describe_counter!(
        "hub_graphql_requests_total",
        "GraphQL requests over HTTP, by operation name and HTTP status"
    );
    describe_histogram!(
        "hub_graphql_request_duration_seconds",
        metrics::Unit::Seconds,
        "Time to answer a GraphQL request over HTTP, by operation name"
    );
    describe_counter!(
        "hub_graphql_errors_total",
        "GraphQL errors returned, by extensions.code"
    );
    describe_gauge!(
        "hub_db_pool_connections",
        "Database pool connections, by pool and state (idle or in_use)"
    );
    describe_counter!(
        "hub_db_statements_total",
        "SQL statements run since the process started"
    );
    describe_counter!(
        "hub_db_statements_inline_total",
        "Of those, reads SQLite answered on the calling thread rather than through the pool"
    );
    describe_counter!(
        "hub_db_statements_failed_total",
        "SQL statements that failed since the process started"
    );
    describe_gauge!(
        "hub_db_statement_time_seconds",
        metrics::Unit::Seconds,
        "Cumulative time spent in SQL statements since the process started"
    );
    describe_counter!(
        "hub_db_write_transactions_total",
        "Mutations' write transactions ended (committed or rolled back) since the process started"
    );
    describe_gauge!(
        "hub_db_write_transaction_time_seconds",
        metrics::Unit::Seconds,
        "Cumulative time those transactions held the writer, from BEGIN to the end of COMMIT or the rollback \
         (on SQLite, whose one writer they share, its rate is how busy the writer is)"
    );
    describe_counter!(
        "hub_db_write_groups_total",
        "Write transactions that mutations shared on SQLite (group commit), committed or not; each counts once in hub_db_write_transactions_total"
    );
    describe_counter!(
        "hub_db_write_group_members_total",
        "Mutations whose writes went into those shared transactions (divided by the groups, the mean group size)"
    );
    describe_counter!(
        "hub_audit_entries_written_total",
        "Audit log entries written by this process"
    );
    describe_counter!(
        "hub_audit_read_batches_total",
        "Transactions in which the audit writer wrote reads' entries (group commit)"
    );
    describe_counter!(
        "hub_audit_read_batch_entries_total",
        "Reads' entries in those transactions (divided by them, the mean group size)"
    );
}

/// How many distinct operation names get a series of their own; later
/// names count as `other`, so clients cannot grow the scrape without bound.
const MAX_OPERATIONS: usize = 200;

static OPERATIONS: Mutex<BTreeSet<String>> = Mutex::new(BTreeSet::new());

/// A label value clients cannot blow up: GraphQL operation names are
/// theirs, so only short identifiers pass, and only the first
/// [`MAX_OPERATIONS`] of them; the rest count as `other`.
fn operation_label(name: Option<&str>) -> String {
    match OPERATIONS.lock() {
        Ok(mut seen) => label_in(&mut seen, name),
        Err(_) => "other".into(),
    }
}

fn label_in(seen: &mut BTreeSet<String>, name: Option<&str>) -> String {
    let Some(n) = name else {
        return "anonymous".into();
    };
    let shaped =
        !n.is_empty() && n.len() <= 48 && n.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'_');
    if shaped && (seen.contains(n) || seen.len() < MAX_OPERATIONS) {
        seen.insert(n.to_owned());
        n.into()
    } else {
        "other".into()
    }
}

/// Records one GraphQL request.
pub fn observe(operation: Option<&str>, status: u16, elapsed: Duration, codes: &[String]) {
    handle();
    let op = operation_label(operation);
    metrics::counter!("hub_graphql_requests_total", "operation" => op.clone(), "status" => status.to_string()).increment(1);
    metrics::histogram!("hub_graphql_request_duration_seconds", "operation" => op)
        .record(elapsed.as_secs_f64());
    for code in codes {
        metrics::counter!("hub_graphql_errors_total", "code" => code.clone()).increment(1);
    }
}

fn pool_gauges(s: &HttpState) {
    let db = &s.app.db;
    let pools: Vec<(&str, u32, usize)> = match db.backend() {
        DbBackend::Postgres => {
            let p = db.write.get_postgres_connection_pool();
            vec![("shared", p.size(), p.num_idle())]
        }
        _ => {
            let r = db.read.get_sqlite_connection_pool();
            let w = db.write.get_sqlite_connection_pool();
            vec![
                ("read", r.size(), r.num_idle()),
                ("write", w.size(), w.num_idle()),
            ]
        }
    };
    for (pool, size, idle) in pools {
        metrics::gauge!("hub_db_pool_connections", "pool" => pool, "state" => "idle")
            .set(idle as f64);
        metrics::gauge!("hub_db_pool_connections", "pool" => pool, "state" => "in_use")
            .set(size.saturating_sub(idle as u32) as f64);
    }
    let stats = &db.stats;
    // Totals kept by the database layer and the audit writer: counters,
    // set to their absolute value on each scrape.
    metrics::counter!("hub_db_statements_total").absolute(stats.statements.load(Ordering::Relaxed));
    metrics::counter!("hub_db_statements_inline_total")
        .absolute(stats.inline.load(Ordering::Relaxed));
    metrics::counter!("hub_db_statements_failed_total")
        .absolute(stats.failed.load(Ordering::Relaxed));
    metrics::gauge!("hub_db_statement_time_seconds")
        .set(stats.micros.load(Ordering::Relaxed) as f64 / 1e6);
    metrics::counter!("hub_db_write_transactions_total")
        .absolute(stats.transactions.load(Ordering::Relaxed));
    metrics::gauge!("hub_db_write_transaction_time_seconds")
        .set(stats.held_micros.load(Ordering::Relaxed) as f64 / 1e6);
    metrics::counter!("hub_db_write_groups_total").absolute(stats.groups.load(Ordering::Relaxed));
    metrics::counter!("hub_db_write_group_members_total")
        .absolute(stats.group_members.load(Ordering::Relaxed));
    metrics::counter!("hub_audit_entries_written_total").absolute(s.app.audit.written());
    let (batches, entries) = s.app.audit.batches();
    metrics::counter!("hub_audit_read_batches_total").absolute(batches);
    metrics::counter!("hub_audit_read_batch_entries_total").absolute(entries);
}

/// `GET /metrics`.
pub async fn scrape(State(s): State<HttpState>) -> impl IntoResponse {
    let h = handle();
    pool_gauges(&s);
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        h.render(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operation_labels_are_bounded() {
        let mut seen = BTreeSet::new();
        assert_eq!(label_in(&mut seen, None), "anonymous");
        assert_eq!(label_in(&mut seen, Some("Dashboard")), "Dashboard");
        assert_eq!(label_in(&mut seen, Some("bad name")), "other");
        assert_eq!(label_in(&mut seen, Some(&"x".repeat(49))), "other");
        for i in 0..MAX_OPERATIONS * 2 {
            label_in(&mut seen, Some(&format!("Flood{i}")));
        }
        assert_eq!(seen.len(), MAX_OPERATIONS);
        assert_eq!(
            label_in(&mut seen, Some("Dashboard")),
            "Dashboard",
            "names already seen keep their series"
        );
        assert_eq!(label_in(&mut seen, Some("Newcomer")), "other");
    }
}
