//! One configuration, from flags and environment variables (flags win).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, ValueEnum};

/// Settings shared by every subcommand.
#[derive(Clone, Debug, Args)]
pub struct Config {
    /// Database: `sqlite://<file>` (created if missing) or `postgres://…`.
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "sqlite://sharing-hub.db",
        global = true
    )]
    pub database_url: String,

    /// Where generated secrets (JWT secret, key-encryption key) are kept.
    /// Default: beside the SQLite file, or the working directory for PostgreSQL.
    #[arg(long, env = "HUB_DATA_DIR", global = true)]
    pub data_dir: Option<PathBuf>,

    /// The key-encryption key for issuers' signing keys, base64 of 32 bytes.
    /// Default: generated on first use and kept beside the database
    /// (`sharing-hub.kek`, mode 0600).
    #[arg(long, env = "HUB_KEK", global = true, hide_env_values = true)]
    pub kek: Option<String>,

    /// A JWKS file of the identity provider's public keys (RS256, ES256,
    /// EdDSA). When set, only tokens signed by those keys are accepted and the
    /// embedded HS256 secret is not used.
    #[arg(long, env = "HUB_JWKS_FILE", global = true)]
    pub jwks_file: Option<PathBuf>,

    /// The token issuer (`iss`) the hub accepts.
    #[arg(
        long,
        env = "HUB_JWT_ISSUER",
        default_value = "sharing-hub",
        global = true
    )]
    pub jwt_issuer: String,

    /// The audience (`aud`) a token must name.
    #[arg(
        long,
        env = "HUB_JWT_AUDIENCE",
        default_value = "sharing-hub",
        global = true
    )]
    pub jwt_audience: String,

    /// Clock leeway for `exp`, `nbf` and `iat`.
    #[arg(long, env = "HUB_JWT_LEEWAY", default_value = "30s", value_parser = humantime::parse_duration, global = true)]
    pub jwt_leeway: Duration,

    /// Log filter (tracing's `EnvFilter` syntax).
    #[arg(long, env = "HUB_LOG", default_value = "info", global = true)]
    pub log: String,

    /// Log format.
    #[arg(
        long,
        env = "HUB_LOG_FORMAT",
        value_enum,
        default_value = "text",
        global = true
    )]
    pub log_format: LogFormat,

    /// Database connections of a PostgreSQL pool (SQLite uses a fixed
    /// layout: one writer, several readers).
    #[arg(
        long,
        env = "HUB_DB_MAX_CONNECTIONS",
        default_value_t = 16,
        global = true
    )]
    pub db_max_connections: u32,
}

/// Settings of the HTTP server.
#[derive(Clone, Debug, Args)]
pub struct ServeConfig {
    /// Address to listen on.
    #[arg(long, env = "HUB_BIND", default_value = "127.0.0.1:8080")]
    pub bind: SocketAddr,

    /// Load the demo data if the database is empty.
    #[arg(long, env = "HUB_DEMO")]
    pub demo: bool,

    /// Allow schema introspection (GraphiQL needs it).
    #[arg(long, env = "HUB_INTROSPECTION", default_value_t = true, action = clap::ArgAction::Set)]
    pub introspection: bool,

    /// Serve GraphiQL at /graphiql.
    #[arg(long, env = "HUB_GRAPHIQL", default_value_t = true, action = clap::ArgAction::Set)]
    pub graphiql: bool,

    /// Deepest selection nesting a query may have.
    #[arg(long, env = "HUB_MAX_DEPTH", default_value_t = 12)]
    pub max_depth: usize,

    /// Highest complexity (fields, multiplied by page sizes) a query may have.
    #[arg(long, env = "HUB_MAX_COMPLEXITY", default_value_t = 20_000)]
    pub max_complexity: usize,

    /// Most aliases (repeated fields) a query may have.
    #[arg(long, env = "HUB_MAX_ALIASES", default_value_t = 30)]
    pub max_aliases: usize,

    /// Largest request body accepted.
    #[arg(long, env = "HUB_MAX_BODY_BYTES", default_value_t = 1024 * 1024)]
    pub max_body_bytes: usize,

    /// Longest a request may run before it is cancelled.
    #[arg(long, env = "HUB_REQUEST_TIMEOUT", default_value = "30s", value_parser = humantime::parse_duration)]
    pub request_timeout: Duration,

    /// Longest the audit writer waits for more reads' entries before it
    /// writes a batch, when at least four other reads are executing (as
    /// PostgreSQL's `commit_delay` with `commit_siblings`): under load, more
    /// entries share each transaction and its `fsync`. `0s` turns it off.
    #[arg(long, env = "HUB_AUDIT_COMMIT_DELAY", default_value = "2ms", value_parser = humantime::parse_duration)]
    pub audit_commit_delay: Duration,
}

impl Default for ServeConfig {
    fn default() -> Self {
        ServeConfig {
            bind: SocketAddr::from(([127, 0, 0, 1], 8080)),
            demo: false,
            introspection: true,
            graphiql: true,
            max_depth: 12,
            max_complexity: 20_000,
            max_aliases: 30,
            max_body_bytes: 1024 * 1024,
            request_timeout: Duration::from_secs(30),
            audit_commit_delay: Duration::from_millis(2),
        }
    }
}

/// How log lines are written.
#[derive(Copy, Clone, Debug, ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

impl Config {
    /// Settings for a database at `url`, everything else at its default.
    pub fn for_database(url: &str) -> Config {
        Config {
            database_url: url.to_owned(),
            data_dir: None,
            jwks_file: None,
            kek: None,
            jwt_issuer: "sharing-hub".into(),
            jwt_audience: "sharing-hub".into(),
            jwt_leeway: Duration::from_secs(30),
            log: "info".into(),
            log_format: LogFormat::Text,
            db_max_connections: 16,
        }
    }

    /// The directory for generated secrets.
    pub fn data_dir(&self) -> PathBuf {
        if let Some(dir) = &self.data_dir {
            return dir.clone();
        }
        if let Some(path) = self.sqlite_path()
            && let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty())
        {
            return parent.to_path_buf();
        }
        PathBuf::from(".")
    }

    /// The SQLite file, when the database is SQLite.
    pub fn sqlite_path(&self) -> Option<PathBuf> {
        let rest = self.database_url.strip_prefix("sqlite:")?;
        let rest = rest.trim_start_matches("//");
        let file = rest.split('?').next().unwrap_or(rest);
        (!file.is_empty() && file != ":memory:").then(|| PathBuf::from(file))
    }

    /// The path of the generated key-encryption key.
    pub fn kek_path(&self) -> PathBuf {
        self.data_dir().join("sharing-hub.kek")
    }

    /// The path of the embedded HS256 secret.
    pub fn jwt_secret_path(&self) -> PathBuf {
        self.data_dir().join("sharing-hub.jwt-secret")
    }
}
