//! The `sharing-hub` command: serve, migrate, seed-demo, token, schema.

use clap::{Parser, Subcommand};
use sharing_hub::auth::Scope;
use sharing_hub::config::{Config, ServeConfig};
use sharing_hub::{Hub, demo, load_tokens, open_database, schema, telemetry};

// mimalloc: the hub allocates many small, short-lived objects per request
// (GraphQL values, rows, JSON); glibc's malloc spent a sixth of the CPU on
// them under load. The crate's `override` feature makes mimalloc the C
// library's `malloc`, `free` and `realloc` for the whole process, so it
// serves SQLite's C allocations (statements, pages, results), which under
// glibc took another 8% of a lookup's CPU and kept freed memory in
// per-thread arenas: (a) 1,921 → 2,370 requests/s in an A/B run on one
// dataset. Rust's allocations reach it the same way, through the standard
// `System` allocator, which calls `malloc` for any alignment `malloc`
// already gives. The crate's own `MiMalloc` calls `mi_malloc_aligned` for
// every allocation, whose alignment checks cost about 57 instructions an
// allocation against about 20, some 700 times a lookup.
extern crate mimalloc;

#[global_allocator]
static GLOBAL: std::alloc::System = std::alloc::System;

/// sharing-hub: one GraphQL hub for online verification (在线核查) across agencies.
#[derive(Parser)]
#[command(name = "sharing-hub", version, about)]
struct Cli {
    #[command(flatten)]
    config: Config,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Start the hub (migrations run first).
    Serve(ServeConfig),
    /// Apply pending database migrations and exit.
    Migrate,
    /// Load the demo data into an empty database.
    SeedDemo,
    /// Print a signed access token for local use, made with the hub's own key.
    Token {
        /// The caller's department code (see the `departments` query).
        #[arg(long)]
        dept: String,
        /// Space-separated scopes, e.g. "credit:read pii:read".
        #[arg(long, default_value = "")]
        scope: String,
        /// How long the token is valid, e.g. 1h, 30m, 7d.
        #[arg(long, default_value = "1h", value_parser = humantime::parse_duration)]
        ttl: std::time::Duration,
        /// The calling system's name (the token's `sub`).
        #[arg(long, default_value = "local-cli")]
        sub: String,
    },
    /// Print the GraphQL schema (SDL).
    Schema,
    /// Load holiday arrangements from a calendar file (`date,kind,name` lines,
    /// as data/calendar/cn-2021-2026.csv); the years it covers are replaced.
    CalendarLoad {
        /// The file.
        file: std::path::PathBuf,
        /// Where the arrangement comes from (the State Council notice).
        #[arg(long)]
        source: String,
    },
    /// Generate a dataset, deterministic from its seed, on top of the demo list
    /// (which is loaded first if the database is empty).
    Generate {
        /// Subjects to create.
        #[arg(long, default_value_t = 100_000)]
        subjects: usize,
        /// Commitments to create.
        #[arg(long, default_value_t = 1_000_000)]
        commitments: usize,
        /// The seed.
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
}

fn main() -> std::process::ExitCode {
    match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime.block_on(start()),
        Err(e) => {
            eprintln!("error: the async runtime could not start: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn start() -> std::process::ExitCode {
    let cli = Cli::parse();
    telemetry::init(&cli.config.log, cli.config.log_format);
    match run(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("sharing-hub: {message}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<(), String> {
    let cfg = cli.config;
    let fail = |e: sharing_hub::error::Error| match e {
        sharing_hub::error::Error::Internal(source) => source.to_string(),
        other => other.message(),
    };
    match cli.command {
        Command::Serve(serve) => {
            let hub = Hub::new(&cfg, &serve).await.map_err(fail)?;
            let listener = tokio::net::TcpListener::bind(serve.bind)
                .await
                .map_err(|e| format!("cannot listen on {}: {e}", serve.bind))?;
            let addr = listener.local_addr().map_err(|e| e.to_string())?;
            println!(
                "sharing-hub listening on http://{addr}  (GraphQL: /graphql, GraphiQL: http://{addr}/graphiql)"
            );
            hub.serve(listener, shutdown_signal()).await.map_err(fail)?;
            println!("sharing-hub stopped");
            Ok(())
        }
        Command::Migrate => {
            open_database(&cfg).await.map_err(fail)?;
            println!("migrations applied");
            Ok(())
        }
        Command::SeedDemo => {
            let db = open_database(&cfg).await.map_err(fail)?;
            let kek = sharing_hub::load_kek(&cfg).map_err(fail)?;
            if demo::load_if_empty(&db, &kek).await.map_err(fail)? {
                println!("demo data loaded");
            } else {
                println!("the database already holds data; demo data not loaded");
            }
            Ok(())
        }
        Command::Token {
            dept,
            scope,
            ttl,
            sub,
        } => {
            let mut scopes = Vec::new();
            for s in scope.split_whitespace() {
                let known = Scope::parse(s).ok_or_else(|| {
                    let all: Vec<&str> = Scope::ALL.iter().map(|s| s.as_str()).collect();
                    format!("unknown scope {s:?}; known scopes: {}", all.join(" "))
                })?;
                scopes.push(known);
            }
            let db = open_database(&cfg).await.map_err(fail)?;
            if !sharing_hub::directory::store::exists(&db.read, &dept)
                .await
                .map_err(fail)?
            {
                return Err(format!(
                    "there is no department {dept:?}; list them with the `departments` query"
                ));
            }
            let tokens = load_tokens(&cfg).map_err(fail)?;
            let ttl = i64::try_from(ttl.as_secs()).map_err(|e| e.to_string())?;
            println!("{}", tokens.mint(&sub, &dept, &scopes, ttl)?);
            Ok(())
        }
        Command::Schema => {
            print!("{}", schema::sdl());
            Ok(())
        }
        Command::CalendarLoad { file, source } => {
            let text =
                std::fs::read_to_string(&file).map_err(|e| format!("{}: {e}", file.display()))?;
            let days = sharing_hub::calendar::parse_csv(&text)?;
            let mut years: Vec<i32> = days
                .iter()
                .map(|(d, _, _)| chrono::Datelike::year(d))
                .collect();
            years.sort_unstable();
            years.dedup();
            if years.is_empty() {
                return Err("the file holds no days".into());
            }
            let db = open_database(&cfg).await.map_err(fail)?;
            let txn = db.begin().await.map_err(fail)?;
            sharing_hub::calendar::store::set_years(
                &txn,
                &years,
                &days,
                &source,
                chrono::Utc::now(),
            )
            .await
            .map_err(fail)?;
            txn.commit().await.map_err(|e| e.to_string())?;
            println!("calendar loaded for {years:?} ({} days)", days.len());
            Ok(())
        }
        Command::Generate {
            subjects,
            commitments,
            seed,
        } => {
            let db = open_database(&cfg).await.map_err(fail)?;
            let kek = sharing_hub::load_kek(&cfg).map_err(fail)?;
            demo::load_if_empty(&db, &kek).await.map_err(fail)?;
            let started = std::time::Instant::now();
            let plan = demo::generator::Plan {
                subjects,
                commitments,
                seed,
            };
            let stats = demo::generator::generate(&db, &kek, &plan, sharing_hub::util::today())
                .await
                .map_err(fail)?;
            println!(
                "generated {stats:?} in {:.1}s",
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    println!("shutting down: finishing in-flight requests");
}
