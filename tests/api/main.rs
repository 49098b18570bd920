//! Integration tests: each starts a real hub on a random port over a fresh
//! database (SQLite, or PostgreSQL when TEST_DATABASE_URL names a server) and
//! speaks GraphQL over HTTP to it with real tokens, as users do.

mod helpers;

mod audit;
mod auth;
mod certificates;
mod commitments;
mod credit;
mod metrics;
mod network;
mod power_list;
mod protocol;
mod schema;
mod subjects;
mod tasks;
mod verification;
