//! `TestHub`: a real server, a fresh database, a token minter and a client.

use std::net::SocketAddr;
use std::path::PathBuf;

use serde_json::{Value, json};
use sharing_hub::auth::Scope;
use sharing_hub::config::{Config, ServeConfig};
use sharing_hub::{AppState, Hub};
use tokio::sync::oneshot;

/// A running hub for one test.
pub struct TestHub {
    pub addr: SocketAddr,
    pub state: AppState,
    pub config: Config,
    pub client: reqwest::Client,
    _dir: std::sync::Arc<tempfile::TempDir>,
    _stop: oneshot::Sender<()>,
}

/// A fresh, empty database: a SQLite file in `dir`, or a new database on the
/// PostgreSQL server named by TEST_DATABASE_URL.
pub async fn fresh_database(dir: &std::path::Path) -> String {
    match std::env::var("TEST_DATABASE_URL") {
        Ok(admin) if admin.starts_with("postgres") => {
            use sea_orm::{ConnectionTrait, Database, Statement};
            let name = format!("hub_test_{}", uuid::Uuid::new_v4().simple());
            // Without a server, every test would wait out the pool's 30 s for
            // a connection; the first to find none says so, and the rest
            // fail at once.
            static UNREACHABLE: std::sync::OnceLock<String> = std::sync::OnceLock::new();
            if let Some(why) = UNREACHABLE.get() {
                panic!("{why}");
            }
            let mut options = sea_orm::ConnectOptions::new(admin.as_str());
            options
                .connect_timeout(std::time::Duration::from_secs(5))
                .acquire_timeout(std::time::Duration::from_secs(5));
            let conn = match Database::connect(options).await {
                Ok(conn) => conn,
                Err(e) => panic!(
                    "{}",
                    UNREACHABLE.get_or_init(|| format!(
                        "no PostgreSQL answers at TEST_DATABASE_URL ({e}): \
                         start one with `scripts/pg-test-server start`"
                    ))
                ),
            };
            // The databases of earlier runs go first, so a server kept
            // between runs does not fill its disk (one test process runs at
            // a time; this one's are made after).
            static SWEPT: tokio::sync::OnceCell<()> = tokio::sync::OnceCell::const_new();
            SWEPT
                .get_or_init(|| async {
                    let old = conn
                        .query_all_raw(Statement::from_string(
                            conn.get_database_backend(),
                            "SELECT datname FROM pg_database WHERE datname LIKE 'hub_test_%'",
                        ))
                        .await
                        .unwrap_or_default();
                    for row in old {
                        if let Ok(db) = row.try_get::<String>("", "datname") {
                            let _ = conn
                                .execute_raw(Statement::from_string(
                                    conn.get_database_backend(),
                                    format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)"),
                                ))
                                .await;
                        }
                    }
                })
                .await;
            conn.execute_raw(Statement::from_string(
                conn.get_database_backend(),
                format!("CREATE DATABASE {name}"),
            ))
            .await
            .expect("create test database");
            conn.close().await.ok();
            let (base, _) = admin
                .rsplit_once('/')
                .expect("TEST_DATABASE_URL ends with /<database>");
            format!("{base}/{name}")
        }
        _ => format!("sqlite://{}", dir.join("hub.db").display()),
    }
}

impl TestHub {
    /// A hub with the demo's departments and power-list items, and nothing else.
    pub async fn spawn() -> TestHub {
        let dir = std::sync::Arc::new(tempfile::tempdir().expect("temp dir"));
        let url = fresh_database(dir.path()).await;
        let hub = Self::spawn_on(url, dir, false).await;
        sharing_hub::demo::load_reference(&hub.state.db)
            .await
            .expect("reference data loads");
        hub
    }

    /// A hub on a fresh SQLite file, whatever TEST_DATABASE_URL says.
    pub async fn spawn_sqlite() -> TestHub {
        let dir = std::sync::Arc::new(tempfile::tempdir().expect("temp dir"));
        let url = format!("sqlite://{}", dir.path().join("hub.db").display());
        let hub = Self::spawn_on(url, dir, false).await;
        sharing_hub::demo::load_reference(&hub.state.db)
            .await
            .expect("reference data loads");
        hub
    }

    /// A hub with the whole demo, generated commitments and credit included.
    pub async fn spawn_demo() -> TestHub {
        let dir = std::sync::Arc::new(tempfile::tempdir().expect("temp dir"));
        let url = fresh_database(dir.path()).await;
        Self::spawn_on(url, dir, true).await
    }

    /// The whole demo on a fresh SQLite file, whatever TEST_DATABASE_URL says.
    pub async fn spawn_demo_sqlite() -> TestHub {
        let dir = std::sync::Arc::new(tempfile::tempdir().expect("temp dir"));
        let url = format!("sqlite://{}", dir.path().join("hub.db").display());
        Self::spawn_on(url, dir, true).await
    }

    /// A second hub over the same database and keys (a replica).
    pub async fn replica(&self) -> TestHub {
        Self::spawn_on(self.config.database_url.clone(), self._dir.clone(), false).await
    }

    async fn spawn_on(url: String, dir: std::sync::Arc<tempfile::TempDir>, demo: bool) -> TestHub {
        let mut config = Config::for_database(&url);
        config.data_dir = Some(dir.path().to_path_buf());
        let serve = ServeConfig {
            demo,
            bind: "127.0.0.1:0".parse().unwrap(),
            ..ServeConfig::default()
        };
        let hub = Hub::new(&config, &serve).await.expect("hub starts");
        let state = hub.state.clone();
        let listener = tokio::net::TcpListener::bind(serve.bind).await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = oneshot::channel::<()>();
        tokio::spawn(hub.serve(listener, async move {
            let _ = stopped.await;
        }));
        TestHub {
            addr,
            state,
            config,
            client: reqwest::Client::new(),
            _dir: dir,
            _stop: stop,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// The embedded HS256 secret the hub verifies tokens with.
    pub fn secret(&self) -> Vec<u8> {
        use base64::Engine;
        let text = std::fs::read_to_string(self.secret_path()).unwrap();
        base64::engine::general_purpose::STANDARD
            .decode(text.trim())
            .unwrap()
    }

    pub fn secret_path(&self) -> PathBuf {
        self.config.jwt_secret_path()
    }

    /// A valid token for `dept` with the space-separated `scopes`.
    pub fn token(&self, dept: &str, scopes: &str) -> String {
        let scopes: Vec<Scope> = scopes
            .split_whitespace()
            .map(|s| Scope::parse(s).expect("known scope"))
            .collect();
        self.state
            .tokens
            .mint("test-system", dept, &scopes, 3600)
            .unwrap()
    }

    /// POSTs a GraphQL request and returns the whole response body.
    pub async fn gql(&self, query: &str, variables: Value, token: Option<&str>) -> Value {
        self.gql_full(query, variables, token).await.1
    }

    /// POSTs a GraphQL request; returns the status and the body.
    pub async fn gql_full(
        &self,
        query: &str,
        variables: Value,
        token: Option<&str>,
    ) -> (u16, Value) {
        let mut req = self
            .client
            .post(self.url("/graphql"))
            .header("x-purpose", "test case 1")
            .json(&json!({ "query": query, "variables": variables }));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let res = req.send().await.expect("request sent");
        let status = res.status().as_u16();
        (status, res.json().await.expect("JSON body"))
    }

    /// Moves the hub's domain clock forward by `days`.
    pub fn advance_days(&self, days: i64) {
        self.state.clock.advance(chrono::Duration::days(days));
    }

    /// Sets the hub's domain clock to 10:00 China Standard Time on `day`.
    pub fn set_today(&self, day: &str) {
        let d = chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d").unwrap();
        let at = d.and_hms_opt(2, 0, 0).unwrap().and_utc();
        self.state.clock.set(at);
    }

    /// Waits until the sequencer has sealed every committed entry.
    pub async fn sealed(&self) {
        self.state
            .audit
            .seal_pending()
            .await
            .expect("sealing works");
    }
}

/// The `extensions.code` of every error in a response.
pub fn codes(body: &Value) -> Vec<String> {
    body["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .map(|e| e["extensions"]["code"].as_str().unwrap_or("").to_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// The first error's code, or "" when there is none.
pub fn code(body: &Value) -> String {
    codes(body).into_iter().next().unwrap_or_default()
}

/// Asserts that a response has no errors, showing them if it has.
#[track_caller]
pub fn ok(body: &Value) -> &Value {
    assert!(body.get("errors").is_none(), "unexpected errors: {body:#}");
    &body["data"]
}

/// Department codes of the demo data used across tests.
pub const MARKET: &str = "410900-SCJGJ";
pub const TAX: &str = "410900-SWJ";
pub const JUSTICE: &str = "410900-SFJ";
