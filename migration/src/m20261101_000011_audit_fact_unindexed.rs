//! The audit facts without their two indexes. Every audited operation writes
//! its facts (a lookup of another department's data, a certificate's
//! verification), and each fact was inserted into the table and into two
//! indexes, by kind and by requesting department, that no query reads: the
//! dashboards count facts from the daily tallies each fact adds to in the same
//! transaction, and rebuilding those tallies scans the whole table anyway.
//! Without them an audited lookup costs about 2% fewer instructions, and the
//! ever-growing log two fewer B-trees on disk.
use sea_orm_migration::prelude::*;

use crate::m20260101_000001_foundation::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The indexes dropped, with the columns `down` builds them on again.
const INDEXES: [(&str, [AuditFact; 2]); 2] = [
    ("idx_audit_fact_kind", [AuditFact::Kind, AuditFact::At]),
    (
        "idx_audit_fact_requester",
        [AuditFact::RequesterDept, AuditFact::At],
    ),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for (name, _) in INDEXES {
            m.drop_index(
                Index::drop()
                    .name(name)
                    .table(AuditFact::Table)
                    .if_exists()
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for (name, cols) in INDEXES {
            index(m, name, AuditFact::Table, &cols).await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum AuditFact {
    Table,
    Kind,
    At,
    RequesterDept,
}
