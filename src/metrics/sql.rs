//! The little SQL the dashboards need that differs between SQLite and
//! PostgreSQL: placeholders, the China Standard Time date of a timestamp,
//! time buckets, day differences, floats. Every figure is one aggregate
//! query; the process only merges the rows it returns.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use sea_orm::{ConnectionTrait, DbBackend, QueryResult, Statement, Value};

use crate::error::Result;

/// Time buckets of a series.
#[derive(Copy, Clone, Debug, PartialEq, Eq, async_graphql::Enum)]
pub enum Bucket {
    /// Calendar days (China Standard Time).
    Day,
    /// ISO weeks, starting on Monday; a bucket is named by its Monday.
    Week,
    /// Calendar months; a bucket is named by its first day.
    Month,
}

/// A query being built.
pub struct Q {
    backend: DbBackend,
    sql: String,
    values: Vec<Value>,
}

impl Q {
    /// An empty query for `backend`.
    pub fn new(backend: DbBackend) -> Self {
        Q {
            backend,
            sql: String::new(),
            values: Vec::new(),
        }
    }

    /// Appends SQL text.
    pub fn push(&mut self, sql: &str) -> &mut Self {
        self.sql.push_str(sql);
        self
    }

    /// Appends a placeholder bound to `v`.
    pub fn bind(&mut self, v: impl Into<Value>) -> &mut Self {
        self.values.push(v.into());
        match self.backend {
            DbBackend::Postgres => self.sql.push_str(&format!("${}", self.values.len())),
            _ => self.sql.push('?'),
        }
        self
    }

    /// Runs the query.
    pub async fn rows(&self, conn: &impl ConnectionTrait) -> Result<Vec<QueryResult>> {
        let stmt = Statement::from_sql_and_values(self.backend, &self.sql, self.values.clone());
        Ok(conn.query_all_raw(stmt).await?)
    }

    /// The statement, to run with others.
    pub fn into_statement(self) -> Statement {
        Statement::from_sql_and_values(self.backend, self.sql, self.values)
    }

    /// Runs a statement that returns no rows; gives the rows it changed.
    pub async fn execute(&self, conn: &impl ConnectionTrait) -> Result<u64> {
        let stmt = Statement::from_sql_and_values(self.backend, &self.sql, self.values.clone());
        Ok(conn.execute_raw(stmt).await?.rows_affected())
    }

    /// Runs the query and reads the first row's columns as integers (0 when NULL).
    pub async fn ints(&self, conn: &impl ConnectionTrait, cols: &[&str]) -> Result<Vec<i64>> {
        let rows = self.rows(conn).await?;
        let row = rows.first();
        cols.iter()
            .map(|c| {
                Ok(row
                    .map(|r| r.try_get::<Option<i64>>("", c))
                    .transpose()?
                    .flatten()
                    .unwrap_or(0))
            })
            .collect()
    }

    /// Runs the query and reads (key, count) rows.
    pub async fn counts(&self, conn: &impl ConnectionTrait) -> Result<Vec<(String, i64)>> {
        self.rows(conn)
            .await?
            .iter()
            .map(|r| {
                Ok((
                    r.try_get::<Option<String>>("", "k")?.unwrap_or_default(),
                    r.try_get::<i64>("", "n")?,
                ))
            })
            .collect()
    }

    /// Runs the query and reads one float column of the first row.
    pub async fn float(&self, conn: &impl ConnectionTrait, col: &str) -> Result<Option<f64>> {
        let rows = self.rows(conn).await?;
        Ok(match rows.first() {
            Some(r) => r.try_get::<Option<f64>>("", col)?,
            None => None,
        })
    }
}

/// The China Standard Time date of a timestamp column, as a date.
pub fn day(backend: DbBackend, col: &str) -> String {
    match backend {
        DbBackend::Postgres => format!("(({col} AT TIME ZONE 'UTC') + INTERVAL '8 hours')::date"),
        _ => format!("date({col}, '+8 hours')"),
    }
}

/// The bucket a date expression falls in, as text `YYYY-MM-DD` (the bucket's first day).
pub fn bucket(backend: DbBackend, date: &str, b: Bucket) -> String {
    match (backend, b) {
        (DbBackend::Postgres, Bucket::Day) => format!("to_char({date}, 'YYYY-MM-DD')"),
        (DbBackend::Postgres, Bucket::Week) => {
            format!("to_char(date_trunc('week', ({date})::timestamp), 'YYYY-MM-DD')")
        }
        (DbBackend::Postgres, Bucket::Month) => {
            format!("to_char(date_trunc('month', ({date})::timestamp), 'YYYY-MM-DD')")
        }
        (_, Bucket::Day) => format!("date({date})"),
        (_, Bucket::Week) => format!(
            "date({date}, '-' || ((CAST(strftime('%w', {date}) AS INTEGER) + 6) % 7) || ' days')"
        ),
        (_, Bucket::Month) => format!("date({date}, 'start of month')"),
    }
}

/// Days (with fractions) from timestamp `a` to timestamp `b`.
pub fn days_between(backend: DbBackend, a: &str, b: &str) -> String {
    match backend {
        DbBackend::Postgres => format!("(EXTRACT(EPOCH FROM ({b} - {a})) / 86400.0)"),
        _ => format!("(julianday({b}) - julianday({a}))"),
    }
}

/// An expression cast to a float.
pub fn float(backend: DbBackend, expr: &str) -> String {
    match backend {
        DbBackend::Postgres => format!("CAST({expr} AS DOUBLE PRECISION)"),
        _ => format!("CAST({expr} AS REAL)"),
    }
}

/// The instants that bound the China Standard Time days `from..=to`.
pub fn instants(from: NaiveDate, to: NaiveDate) -> (DateTime<Utc>, DateTime<Utc>) {
    let start =
        |d: NaiveDate| d.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc() - Duration::hours(8);
    (start(from), start(to + Duration::days(1)))
}

/// The median of `value` over the rows `from_where` selects (a FROM … WHERE
/// clause, with its bindings already in `q`): counted, then read at the
/// middle offset — the same on both databases, which do not share a median
/// function.
pub async fn median(
    conn: &impl ConnectionTrait,
    backend: DbBackend,
    value: &str,
    from_where: impl Fn(&mut Q),
) -> Result<Option<f64>> {
    let mut count = Q::new(backend);
    count.push("SELECT COUNT(*) AS n ");
    from_where(&mut count);
    let n = count.ints(conn, &["n"]).await?[0];
    if n == 0 {
        return Ok(None);
    }
    let (offset, take) = if n % 2 == 1 {
        (n / 2, 1)
    } else {
        (n / 2 - 1, 2)
    };
    let mut q = Q::new(backend);
    q.push(&format!(
        "SELECT AVG(v) AS m FROM (SELECT {} AS v ",
        float(backend, value)
    ));
    from_where(&mut q);
    q.push(&format!(" ORDER BY v LIMIT {take} OFFSET {offset}) middle"));
    q.float(conn, "m").await
}
