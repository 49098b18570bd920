//! Schema migrations of sharing-hub. Every migration runs on SQLite and on
//! PostgreSQL; the integration suite runs against both.

pub use sea_orm_migration::prelude::*;

mod m20260101_000001_foundation;
mod m20260201_000002_commitments_credit;
mod m20260301_000003_certificates;
mod m20260401_000004_verification;
mod m20260501_000005_metrics;
mod m20260601_000006_service_network;
mod m20260701_000007_metric_indexes;
mod m20260801_000008_tallies;
mod m20260901_000009_subject_state_index;
mod m20261001_000010_certificate_holder_listed;
mod m20261101_000011_audit_fact_unindexed;
mod m20261201_000012_commitment_named;

pub use m20260801_000008_tallies::{Part as TallyPart, rebuild as rebuild_tallies};

/// All migrations, oldest first.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20260101_000001_foundation::Migration),
            Box::new(m20260201_000002_commitments_credit::Migration),
            Box::new(m20260301_000003_certificates::Migration),
            Box::new(m20260401_000004_verification::Migration),
            Box::new(m20260501_000005_metrics::Migration),
            Box::new(m20260601_000006_service_network::Migration),
            Box::new(m20260701_000007_metric_indexes::Migration),
            Box::new(m20260801_000008_tallies::Migration),
            Box::new(m20260901_000009_subject_state_index::Migration),
            Box::new(m20261001_000010_certificate_holder_listed::Migration),
            Box::new(m20261101_000011_audit_fact_unindexed::Migration),
            Box::new(m20261201_000012_commitment_named::Migration),
        ]
    }
}
