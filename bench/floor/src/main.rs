//! The floor the benchmarks compare the hub with: the same lookups as the
//! hub's `subject` and `subjects` queries — a subject's credit records and
//! list entries, certificates in force, open commitments with their items'
//! names — written as plain SQL behind a bare axum handler, on the same
//! database, with no GraphQL, no tokens and no audit log. Whatever the hub
//! spends above this is the price of what it adds.
//!
//! On SQLite it reads as the hub's lookups do: rusqlite connections used on
//! the request's own thread (sqlx would send each statement to a thread of
//! its connection's and each row back). On PostgreSQL, sqlx's pool.
//!
//! `GET /subject/{id}`, `POST /subject {"id": "…"}` and
//! `POST /subjects {"ids": ["…", …]}`.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use clap::Parser;
use sea_orm::sqlx::{self, Row};
use serde_json::{Value, json};

#[derive(Parser)]
struct Args {
    /// `sqlite://<file>` or `postgres://…` (the hub's database).
    #[arg(long)]
    database_url: String,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:18090")]
    bind: String,
}

#[derive(Clone)]
enum Pool {
    Sqlite(Arc<Readers>),
    Postgres(sqlx::PgPool),
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Read-only SQLite connections, one per thread that runs requests.
struct Readers {
    slots: Vec<Mutex<rusqlite::Connection>>,
    next: AtomicUsize,
}

impl Readers {
    fn open(path: &str, n: usize) -> rusqlite::Result<Readers> {
        let slots = (0..n)
            .map(|_| {
                let conn = rusqlite::Connection::open_with_flags(
                    path,
                    rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY
                        | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
                )?;
                conn.set_prepared_statement_cache_capacity(64);
                Ok(Mutex::new(conn))
            })
            .collect::<rusqlite::Result<_>>()?;
        Ok(Readers {
            slots,
            next: AtomicUsize::new(0),
        })
    }

    /// A free connection, or the next one's turn.
    fn get(&self) -> std::sync::MutexGuard<'_, rusqlite::Connection> {
        let start = self.next.fetch_add(1, Ordering::Relaxed);
        let n = self.slots.len();
        (0..n)
            .find_map(|i| self.slots[(start + i) % n].try_lock().ok())
            .unwrap_or_else(|| {
                self.slots[start % n]
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
            })
    }
}

/// A row's text columns, whichever driver read it.
trait Text {
    fn text(&self, col: &str) -> Result<String, BoxError>;
    fn maybe_text(&self, col: &str) -> Result<Option<String>, BoxError>;
}

impl Text for rusqlite::Row<'_> {
    fn text(&self, col: &str) -> Result<String, BoxError> {
        Ok(self.get(col)?)
    }
    fn maybe_text(&self, col: &str) -> Result<Option<String>, BoxError> {
        Ok(self.get(col)?)
    }
}

impl Text for sqlx::postgres::PgRow {
    fn text(&self, col: &str) -> Result<String, BoxError> {
        Ok(self.try_get(col)?)
    }
    fn maybe_text(&self, col: &str) -> Result<Option<String>, BoxError> {
        Ok(self.try_get(col)?)
    }
}

/// Commitment states that are not final.
const OPEN: &str = "'SUBMITTED', 'APPROVED', 'VERIFYING', 'NONCOMPLIANT', 'RECTIFYING'";

fn placeholders(pg: bool, n: usize) -> String {
    (1..=n)
        .map(|i| if pg { format!("${i}") } else { "?".to_owned() })
        .collect::<Vec<_>>()
        .join(", ")
}

macro_rules! fetch {
    ($pool:expr, $sql:expr, $ids:expr, $row:ident => $map:expr) => {{
        match $pool {
            Pool::Sqlite(readers) => {
                let conn = readers.get();
                let mut stmt = conn.prepare_cached($sql)?;
                let mut rows = stmt.query(rusqlite::params_from_iter($ids.iter()))?;
                let mut out = Vec::new();
                while let Some($row) = rows.next()? {
                    out.push((|| -> Result<(String, Value), BoxError> { $map })()?);
                }
                out
            }
            Pool::Postgres(p) => {
                let mut q = sqlx::query(sqlx::AssertSqlSafe(String::clone($sql)));
                for id in $ids {
                    q = q.bind(id);
                }
                q.fetch_all(p)
                    .await?
                    .iter()
                    .map(|$row| -> Result<(String, Value), BoxError> { $map })
                    .collect::<Result<Vec<_>, _>>()?
            }
        }
    }};
}

async fn lookup(pool: &Pool, ids: &[String]) -> Result<Value, BoxError> {
    let pg = matches!(pool, Pool::Postgres(_));
    let list = placeholders(pg, ids.len());
    let subjects = fetch!(pool, &format!("SELECT id, name FROM subject WHERE id IN ({list})"), ids, r => {
        Ok((r.text("id")?, json!({ "name": r.maybe_text("name")? })))
    });
    let records = fetch!(pool, &format!(
        "SELECT id, subject_id, kind, severity, status, recorded_on FROM credit_record WHERE subject_id IN ({list}) ORDER BY recorded_at DESC"), ids, r => {
        Ok((r.text("subject_id")?, json!({
            "kind": r.text("kind")?, "severity": r.text("severity")?,
            "status": r.text("status")? })))
    });
    let entries = fetch!(pool, &format!(
        "SELECT subject_id, list_level, list_name, listed_on FROM punishment_entry WHERE subject_id IN ({list}) AND delisted_on IS NULL ORDER BY listed_on DESC"), ids, r => {
        Ok((r.text("subject_id")?, json!({
            "level": r.text("list_level")?, "list": r.text("list_name")? })))
    });
    let certificates = fetch!(pool, &format!(
        "SELECT holder_id, identifier, type_name, status FROM certificate WHERE holder_id IN ({list}) AND status = 'VALID' ORDER BY created_at DESC"), ids, r => {
        Ok((r.text("holder_id")?, json!({
            "identifier": r.text("identifier")?, "typeName": r.text("type_name")? })))
    });
    let commitments = fetch!(pool, &format!(
        "SELECT c.subject_id, c.id, c.state, p.name FROM commitment c JOIN power_item p ON p.code = c.item_code \
         WHERE c.subject_id IN ({list}) AND c.state IN ({OPEN}) ORDER BY c.submitted_at DESC"), ids, r => {
        Ok((r.text("subject_id")?, json!({
            "state": r.text("state")?, "item": r.text("name")? })))
    });
    let mut out = serde_json::Map::new();
    for (id, subject) in subjects {
        let of = |rows: &[(String, Value)]| -> Vec<Value> {
            rows.iter()
                .filter(|(s, _)| *s == id)
                .map(|(_, v)| v.clone())
                .collect()
        };
        out.insert(
            id.clone(),
            json!({
                "subject": subject,
                "credit": { "records": of(&records), "entries": of(&entries) },
                "certificates": of(&certificates),
                "commitments": of(&commitments),
            }),
        );
    }
    Ok(Value::Object(out))
}

async fn one(State(pool): State<Pool>, Json(body): Json<Value>) -> Result<Json<Value>, StatusCode> {
    let id = body["id"]
        .as_str()
        .ok_or(StatusCode::BAD_REQUEST)?
        .to_owned();
    lookup(&pool, &[id])
        .await
        .map(Json)
        .map_err(|_| StatusCode::INTERNAL_SERVER_ERROR)
}

async fn by_path(
    State(pool): State<Pool>,
    Path(id): Path<String>,
) -> Result<Json<Value>, StatusCode> {
    lookup(&pool, &[id])
        .await
        .map(Json)
        .map_err(|_| StatusCode::INTERNAL_SERVER_ERROR)
}

async fn many(
    State(pool): State<Pool>,
    Json(body): Json<Value>,
) -> Result<Json<Value>, StatusCode> {
    let ids: Vec<String> = body["ids"]
        .as_array()
        .ok_or(StatusCode::BAD_REQUEST)?
        .iter()
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect();
    lookup(&pool, &ids)
        .await
        .map(Json)
        .map_err(|_| StatusCode::INTERNAL_SERVER_ERROR)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    let pool = if args.database_url.starts_with("postgres") {
        Pool::Postgres(
            sqlx::postgres::PgPoolOptions::new()
                .max_connections(16)
                // As the hub: no ping on every checkout.
                .test_before_acquire(false)
                .connect(&args.database_url)
                .await?,
        )
    } else {
        let path = args
            .database_url
            .trim_start_matches("sqlite:")
            .trim_start_matches("//");
        let path = path.split('?').next().unwrap_or(path);
        let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
        Pool::Sqlite(Arc::new(Readers::open(path, threads)?))
    };
    let app = Router::new()
        .route("/subject", post(one))
        .route("/subject/{id}", get(by_path))
        .route("/subjects", post(many))
        .with_state(pool);
    let listener = tokio::net::TcpListener::bind(&args.bind).await?;
    println!("bench-floor listening on http://{}", args.bind);
    axum::serve(listener, app).await?;
    Ok(())
}
