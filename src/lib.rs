//! sharing-hub: one GraphQL schema over power lists, commitments, credit and
//! e-certificates, so that departments check an applicant online instead of
//! asking for paper proofs.
//!
//! `lib.rs` wires configuration, database, schema and router; each domain
//! lives in its own module with its rules, storage and GraphQL types.

pub mod audit;
pub mod auth;
pub mod calendar;
pub mod certificate;
pub mod clock;
pub mod commitment;
pub mod config;
pub mod credit;
pub mod db;
pub mod demo;
pub mod directory;
pub mod error;
pub mod events;
pub mod http;
pub mod identity;
pub mod loaders;
pub mod metrics;
pub mod money;
pub mod network;
pub mod pagination;
pub mod power_list;
pub mod request;
pub mod schema;
pub mod stored_enum;
pub mod tasks;
pub mod telemetry;
pub mod util;
pub mod verification;

use std::net::SocketAddr;
use std::sync::Arc;

use crate::audit::AuditLog;
use crate::auth::jwt::Tokens;
use crate::config::{Config, ServeConfig};
use crate::db::Db;
use crate::error::{Error, Result};

/// What every request shares: the database, the audit log, the token keys.
#[derive(Clone)]
pub struct AppState {
    /// The database.
    pub db: Db,
    /// The audit log.
    pub audit: AuditLog,
    /// Token verification (and local minting).
    pub tokens: Arc<Tokens>,
    /// The domain's clock.
    pub clock: clock::Clock,
    /// The key-encryption key of issuers' signing keys.
    pub kek: Arc<certificate::seal::Kek>,
    /// Wake-ups within this process.
    pub events: events::Events,
    /// Turns for dashboard queries: each runs a score of aggregates at once,
    /// so this process computes at most as many dashboards together as it
    /// has cores; the others wait their turn (a local limit on work, not
    /// shared state: each replica has its own).
    pub dashboards: Arc<tokio::sync::Semaphore>,
    /// Turns for batch lookups (up to 1,000 subjects each): at most twice as
    /// many at once as the process has cores, so that many batches at once
    /// queue instead of each holding its rows and answer in memory together.
    pub batches: Arc<tokio::sync::Semaphore>,
    /// Departments found to exist, which every request's caller names.
    pub departments: Arc<directory::store::KnownDepartments>,
}

/// Loads the key-encryption key the configuration names, or the one kept
/// beside the database (created on first use).
pub fn load_kek(cfg: &Config) -> Result<certificate::seal::Kek> {
    match &cfg.kek {
        Some(text) => certificate::seal::Kek::from_base64(text).map_err(Error::internal),
        None => certificate::seal::Kek::load_or_create(&cfg.kek_path()).map_err(Error::internal),
    }
}

/// Loads the token keys the configuration names: a JWKS file, or the
/// embedded HS256 secret (created on first use).
pub fn load_tokens(cfg: &Config) -> Result<Tokens> {
    let leeway = cfg.jwt_leeway.as_secs();
    match &cfg.jwks_file {
        Some(path) => Tokens::from_jwks_file(
            path,
            cfg.jwt_issuer.clone(),
            cfg.jwt_audience.clone(),
            leeway,
        )
        .map_err(Error::internal),
        None => {
            let secret = auth::jwt::load_or_create_secret(&cfg.jwt_secret_path())
                .map_err(Error::internal)?;
            Ok(Tokens::shared_secret(
                &secret,
                cfg.jwt_issuer.clone(),
                cfg.jwt_audience.clone(),
                leeway,
            ))
        }
    }
}

/// Connects to the database and applies pending migrations.
pub async fn open_database(cfg: &Config) -> Result<Db> {
    let db = Db::connect(&cfg.database_url, cfg.db_max_connections)
        .await
        .map_err(Error::from)?;
    db.migrate().await?;
    Ok(db)
}

/// A hub ready to serve: state, schema and router.
pub struct Hub {
    /// Shared state.
    pub state: AppState,
    /// The router.
    pub router: axum::Router,
}

impl Hub {
    /// Opens the database, loads the keys, starts the audit log's background
    /// tasks and builds the router.
    pub async fn new(cfg: &Config, serve: &ServeConfig) -> Result<Hub> {
        let db = open_database(cfg).await?;
        let tokens = Arc::new(load_tokens(cfg)?);
        let audit = AuditLog::start(db.clone(), serve.audit_commit_delay);
        let kek = Arc::new(load_kek(cfg)?);
        let departments = directory::store::KnownDepartments::new(db.reader.clone());
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        let state = AppState {
            db,
            audit,
            tokens,
            clock: clock::Clock::default(),
            kek,
            events: events::Events::default(),
            dashboards: Arc::new(tokio::sync::Semaphore::new(cores)),
            batches: Arc::new(tokio::sync::Semaphore::new(2 * cores)),
            departments: Arc::new(departments),
        };
        if serve.demo {
            demo::load_if_empty(&state.db, &state.kek).await?;
        }
        commitment::spawn_sweeper(state.clone());
        let schema = schema::build(state.clone(), serve);
        let router = http::router(state.clone(), schema, serve);
        Ok(Hub { state, router })
    }

    /// Serves on `listener` until `shutdown` resolves, then drains in-flight
    /// requests and seals what the audit log holds.
    pub async fn serve(
        self,
        listener: tokio::net::TcpListener,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> Result<()> {
        let app = self
            .router
            .into_make_service_with_connect_info::<SocketAddr>();
        axum::serve(listener, app)
            .with_graceful_shutdown(shutdown)
            .await
            .map_err(Error::internal)?;
        self.state.audit.seal_pending().await?;
        Ok(())
    }
}
