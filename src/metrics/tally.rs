//! The dashboard's daily tallies (tables `commitment_tally` and
//! `audit_tally`, migration 8): every write that changes what a figure
//! counts adds to them in its own transaction, so a figure over a year adds
//! up a few thousand tally rows instead of aggregating a million
//! commitments. [`rebuild`] recomputes them from the stored rows (the
//! migration, the dataset generator and a calendar change use it); the
//! integration tests check that the tallies a run of requests kept equal the
//! tallies rebuilt afterwards.
//!
//! A mutation gathers what its changes add ([`Tallies`]) and adds them in one
//! statement just before it commits, so its tally rows are locked last, once,
//! in key order. On PostgreSQL that statement adds to one of [`SHARDS`] rows
//! per key, so transactions that count the same day, department and item at
//! once rarely wait on each other; readers sum over the shards. SQLite has a
//! single writer, so it keeps one row per key.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use rand::Rng;
use sea_orm::{ConnectionTrait, DbBackend, Statement};

use super::sql::Q;
use crate::audit::NewEntry;
use crate::clock::china_day;
use crate::commitment::state::State;
use crate::commitment::store::Commitment;
use crate::error::Result;

/// Rows per key that PostgreSQL's writers spread over.
const SHARDS: i16 = 8;

/// What a tally row counts (see `rebuild` in the migration for each measure).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Key {
    /// STATE, SUBMIT, APPROVE, DUE, RECORD_COMPLIANT, RECORD_NONCOMPLIANT, REVOKE or WITHDRAW.
    pub measure: &'static str,
    /// The day it is counted on.
    pub day: NaiveDate,
    /// The deciding department.
    pub dept_code: String,
    /// The item.
    pub item_code: String,
    /// The state, the kind, SAME_DAY or LATER, OPEN or CHECKED, or empty.
    pub detail: &'static str,
}

/// What a transaction's changes add to the commitments' tallies, to be added
/// in one statement just before it commits ([`crate::request::Write`] does):
/// every transaction then locks its tally rows last, once and in key order,
/// so two PostgreSQL transactions can never wait on each other's tallies in
/// a cycle.
#[must_use = "a change's tallies must be handed to the write that commits it"]
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Tallies(pub Vec<Add>);

/// An addition to a tally row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Add {
    /// Where.
    pub key: Key,
    /// How many (−1 takes one away: a commitment leaving a state).
    pub n: i64,
    /// For check results: the decision day and the day of the check, whose
    /// working days apart are added to the tally when both are in the calendar.
    pub working_days: Option<(NaiveDate, NaiveDate)>,
}

/// What the tallies know of a commitment.
#[derive(Clone, Debug)]
pub struct Counted<'a> {
    /// The deciding department.
    pub dept_code: &'a str,
    /// The item.
    pub item_code: &'a str,
    /// Its state.
    pub state: State,
    /// Its kind, or its mode where it has no kind.
    pub kind: &'static str,
    /// The day it was submitted.
    pub submitted_on: NaiveDate,
    /// The day it was decided.
    pub decided_on: Option<NaiveDate>,
    /// The day its post-approval check is due.
    pub verification_due: Option<NaiveDate>,
}

impl<'a> From<&'a Commitment> for Counted<'a> {
    fn from(c: &'a Commitment) -> Self {
        Counted {
            dept_code: &c.dept_code,
            item_code: &c.item_code,
            state: c.state,
            kind: c.kind.map_or(c.mode.as_str(), |k| k.as_str()),
            submitted_on: c.submitted_on,
            decided_on: c.decided_on,
            verification_due: c.verification_due,
        }
    }
}

/// What a commitment's event adds to the tallies: `c` as the event leaves it,
/// `from` its state before (none for the submission). Pure.
pub fn for_event(c: Counted<'_>, action: &str, from: Option<State>, at: DateTime<Utc>) -> Vec<Add> {
    let key = |measure, day, detail| Key {
        measure,
        day,
        dept_code: c.dept_code.to_owned(),
        item_code: c.item_code.to_owned(),
        detail,
    };
    let add = |k: Key, n: i64| Add {
        key: k,
        n,
        working_days: None,
    };
    let mut adds = Vec::new();
    if from != Some(c.state) {
        if let Some(before) = from {
            adds.push(add(key("STATE", c.submitted_on, before.as_str()), -1));
        }
        adds.push(add(key("STATE", c.submitted_on, c.state.as_str()), 1));
    }
    let day = china_day(at);
    match action {
        "SUBMIT" => adds.push(add(key("SUBMIT", c.submitted_on, c.kind), 1)),
        "APPROVE" => {
            if let Some(decided) = c.decided_on {
                let same = if decided == c.submitted_on {
                    "SAME_DAY"
                } else {
                    "LATER"
                };
                adds.push(add(key("APPROVE", decided, same), 1));
            }
            // A check falls due, not yet made.
            if let Some(due) = c.verification_due {
                adds.push(add(key("DUE", due, "OPEN"), 1));
            }
        }
        "RECORD_COMPLIANT" | "RECORD_NONCOMPLIANT" => {
            adds.push(Add {
                working_days: c.decided_on.map(|d| (d, day)),
                ..add(key(measure(action), day, ""), 1)
            });
            // The check due that day is made.
            if let Some(due) = c.verification_due {
                adds.push(add(key("DUE", due, "OPEN"), -1));
                adds.push(add(key("DUE", due, "CHECKED"), 1));
            }
        }
        "REVOKE" | "WITHDRAW" => adds.push(add(key(measure(action), day, ""), 1)),
        _ => {}
    }
    adds
}

fn measure(action: &str) -> &'static str {
    match action {
        "RECORD_COMPLIANT" => "RECORD_COMPLIANT",
        "RECORD_NONCOMPLIANT" => "RECORD_NONCOMPLIANT",
        "REVOKE" => "REVOKE",
        _ => "WITHDRAW",
    }
}

fn shard(backend: DbBackend) -> i16 {
    match backend {
        DbBackend::Postgres => rand::thread_rng().gen_range(0..SHARDS),
        _ => 0,
    }
}

/// Adds to the commitments' tallies, in one statement, rows in key order (so
/// two PostgreSQL transactions lock shared rows in the same order).
pub async fn add(conn: &impl ConnectionTrait, tallies: Tallies) -> Result<()> {
    if let Some(stmt) = statement(conn.get_database_backend(), tallies) {
        conn.execute_raw(stmt).await?;
    }
    Ok(())
}

/// The statement [`add`] runs, if there is anything to add.
pub fn statement(backend: DbBackend, Tallies(adds): Tallies) -> Option<Statement> {
    // Per key: the count, and how many check results each (decision day,
    // check day) pair adds (their working days are looked up in SQL).
    type Days = BTreeMap<(NaiveDate, NaiveDate), i64>;
    let mut merged: BTreeMap<Key, (i64, Days)> = BTreeMap::new();
    for a in adds {
        let e = merged.entry(a.key).or_default();
        e.0 += a.n;
        if let Some(pair) = a.working_days {
            *e.1.entry(pair).or_default() += a.n;
        }
    }
    merged.retain(|_, (n, days)| *n != 0 || days.values().any(|c| *c != 0));
    if merged.is_empty() {
        return None;
    }
    let shard = shard(backend);
    let mut q = Q::new(backend);
    q.push("INSERT INTO commitment_tally (measure, day, dept_code, item_code, detail, shard, n, days_n, days_total) VALUES ");
    for (i, (k, (n, days))) in merged.into_iter().enumerate() {
        q.push(if i == 0 { "(" } else { ", (" })
            .bind(k.measure)
            .push(", ")
            .bind(k.day)
            .push(", ")
            .bind(k.dept_code)
            .push(", ")
            .bind(k.item_code)
            .push(", ")
            .bind(k.detail)
            .push(", ")
            .bind(shard)
            .push(", ")
            .bind(n);
        // days_n: the pairs whose two days are in the calendar; days_total:
        // their working days apart (both 0 without check results).
        for value in ["COUNT(*)", "COALESCE(MAX(b.ordinal - a.ordinal), 0)"] {
            q.push(", ");
            if days.is_empty() {
                q.push("0");
            }
            for (j, ((decided, checked), count)) in days.iter().enumerate() {
                q.push(if j == 0 { "" } else { " + " })
                    .bind(*count)
                    .push(&format!(
                        " * (SELECT {value} FROM working_day a, working_day b WHERE a.day = "
                    ))
                    .bind(*decided)
                    .push(" AND b.day = ")
                    .bind(*checked)
                    .push(")");
            }
        }
        q.push(")");
    }
    q.push(
        " ON CONFLICT (measure, day, dept_code, item_code, detail, shard) DO UPDATE SET \
         n = commitment_tally.n + excluded.n, days_n = commitment_tally.days_n + excluded.days_n, \
         days_total = commitment_tally.days_total + excluded.days_total",
    );
    Some(q.into_statement())
}

/// Adds the facts of audit entries to the audit tally, in one statement per
/// 2,000 keys.
pub async fn add_facts(conn: &impl ConnectionTrait, entries: &[&NewEntry]) -> Result<()> {
    for stmt in fact_statements(conn.get_database_backend(), entries) {
        conn.execute_raw(stmt).await?;
    }
    Ok(())
}

/// The statements [`add_facts`] runs.
pub fn fact_statements(backend: DbBackend, entries: &[&NewEntry]) -> Vec<Statement> {
    let shard = shard(backend);
    let rows: Vec<_> = fact_counts(entries).into_iter().collect();
    let mut statements = Vec::new();
    for chunk in rows.chunks(2000) {
        let mut q = Q::new(backend);
        q.push("INSERT INTO audit_tally (kind, day, requester_dept, owner_dept, result, detail, shard, n) VALUES ");
        for (i, ((kind, day, requester, owner, result, detail), n)) in chunk.iter().enumerate() {
            q.push(if i == 0 { "(" } else { ", (" })
                .bind(kind.to_string())
                .push(", ")
                .bind(*day)
                .push(", ")
                .bind(requester.to_string())
                .push(", ")
                .bind(owner.to_string())
                .push(", ")
                .bind(result.to_string())
                .push(", ")
                .bind(detail.to_string())
                .push(", ")
                .bind(shard)
                .push(", ")
                .bind(*n)
                .push(")");
        }
        q.push(
            " ON CONFLICT (kind, day, requester_dept, owner_dept, result, detail, shard) \
             DO UPDATE SET n = audit_tally.n + excluded.n",
        );
        statements.push(q.into_statement());
    }
    statements
}

/// What [`add_facts`] adds, as a JSON array of rows `[kind, day,
/// requester_dept, owner_dept, result, detail, n]`, the day as SQLite
/// stores it (`YYYY-MM-DD`): what the SQLite writer binds as one parameter
/// (see `audit::sqlite_rows`).
pub fn fact_rows_json(entries: &[&NewEntry]) -> String {
    let rows: Vec<_> = fact_counts(entries)
        .into_iter()
        .map(|((kind, day, requester, owner, result, detail), n)| {
            let day = crate::util::format_date(day);
            (kind, day, requester, owner, result, detail, n)
        })
        .collect();
    // Strings and integers only: serialising cannot fail.
    serde_json::to_string(&rows).unwrap_or_default()
}

/// A fact's key in the audit tally, borrowed from its entry.
type FactKey<'a> = (&'a str, NaiveDate, &'a str, &'a str, &'a str, &'a str);

/// How many of the entries' facts fall under each key. Keyed by the
/// entries' own text: a batch's facts share a few keys, so the text is
/// copied once per key, when bound, not once per fact.
fn fact_counts<'a>(entries: &[&'a NewEntry]) -> BTreeMap<FactKey<'a>, i64> {
    let mut counts: BTreeMap<FactKey<'a>, i64> = BTreeMap::new();
    for e in entries {
        for f in &e.facts {
            let key = (
                f.kind,
                china_day(f.at),
                e.dept.as_deref().unwrap_or_default(),
                f.owner_dept.as_deref().unwrap_or_default(),
                f.result.as_str(),
                f.detail.as_deref().unwrap_or_default(),
            );
            *counts.entry(key).or_default() += 1;
        }
    }
    counts
}

/// Recomputes tallies from the stored rows (see `migration::rebuild_tallies`).
pub async fn rebuild(conn: &impl ConnectionTrait, part: migration::TallyPart) -> Result<()> {
    for sql in migration::rebuild_tallies(conn.get_database_backend(), part) {
        conn.execute_unprepared(&sql).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Counted<'static> {
        Counted {
            dept_code: "410900-SCJGJ",
            item_code: "410900-SCJGJ-XK-003",
            state: State::Submitted,
            kind: "MEETS_NOW",
            submitted_on: date(2026, 3, 2),
            decided_on: None,
            verification_due: None,
        }
    }

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("a date of the calendar")
    }

    fn next(d: NaiveDate) -> NaiveDate {
        d.succ_opt().expect("a day after it")
    }

    fn at(day: NaiveDate, hour: u32) -> DateTime<Utc> {
        day.and_hms_opt(hour, 0, 0)
            .expect("an hour of the day")
            .and_utc()
    }

    #[test]
    fn a_submission_counts_its_state_and_kind() {
        let c = sample();
        let adds = for_event(c.clone(), "SUBMIT", None, at(c.submitted_on, 2));
        let keys: Vec<_> = adds
            .iter()
            .map(|a| (a.key.measure, a.key.detail, a.n))
            .collect();
        assert_eq!(
            keys,
            [("STATE", "SUBMITTED", 1), ("SUBMIT", "MEETS_NOW", 1)]
        );
    }

    #[test]
    fn a_move_takes_the_commitment_from_its_old_state_to_its_new() {
        let d = sample().submitted_on;
        let c = Counted {
            state: State::Approved,
            decided_on: Some(d),
            ..sample()
        };
        let adds = for_event(c, "APPROVE", Some(State::Submitted), at(d, 3));
        let keys: Vec<_> = adds
            .iter()
            .map(|a| (a.key.measure, a.key.day, a.key.detail, a.n))
            .collect();
        assert_eq!(
            keys,
            [
                ("STATE", d, "SUBMITTED", -1),
                ("STATE", d, "APPROVED", 1),
                ("APPROVE", d, "SAME_DAY", 1),
            ]
        );
    }

    #[test]
    fn a_later_decision_is_not_on_the_spot() {
        let d = sample().submitted_on;
        let next = next(d);
        let c = Counted {
            state: State::Approved,
            decided_on: Some(next),
            ..sample()
        };
        let adds = for_event(c, "APPROVE", Some(State::Submitted), at(next, 3));
        assert_eq!(adds[2].key.detail, "LATER");
        assert_eq!(adds[2].key.day, next);
    }

    #[test]
    fn a_check_result_counts_on_its_china_day_with_its_working_days() {
        let d = sample().submitted_on;
        let c = Counted {
            state: State::Fulfilled,
            decided_on: Some(d),
            ..sample()
        };
        // 17:00 UTC is 01:00 the next day in China.
        let next = next(d);
        let adds = for_event(c, "RECORD_COMPLIANT", Some(State::Verifying), at(d, 17));
        let record = adds
            .iter()
            .find(|a| a.key.measure == "RECORD_COMPLIANT")
            .expect("the check result is counted");
        assert_eq!(record.key.day, next);
        assert_eq!(record.working_days, Some((d, next)));
    }

    #[test]
    fn an_approval_opens_its_check_and_the_result_closes_it() {
        let d = sample().submitted_on;
        let due = date(2026, 3, 30);
        let approved = Counted {
            state: State::Approved,
            decided_on: Some(d),
            verification_due: Some(due),
            ..sample()
        };
        let dues = |adds: Vec<Add>| -> Vec<_> {
            adds.into_iter()
                .filter(|a| a.key.measure == "DUE")
                .map(|a| (a.key.day, a.key.detail, a.n))
                .collect()
        };
        assert_eq!(
            dues(for_event(
                approved.clone(),
                "APPROVE",
                Some(State::Submitted),
                at(d, 3)
            )),
            [(due, "OPEN", 1)]
        );
        let checked = Counted {
            state: State::Noncompliant,
            ..approved
        };
        assert_eq!(
            dues(for_event(
                checked,
                "RECORD_NONCOMPLIANT",
                Some(State::Verifying),
                at(due, 3)
            )),
            [(due, "OPEN", -1), (due, "CHECKED", 1)]
        );
    }

    #[test]
    fn handing_in_materials_changes_no_tally() {
        let c = Counted {
            state: State::Approved,
            ..sample()
        };
        assert!(
            for_event(
                c,
                "SUBMIT_MATERIALS",
                Some(State::Approved),
                at(sample().submitted_on, 2)
            )
            .is_empty()
        );
    }
}
