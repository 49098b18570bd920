//! Metrics: a working-day ordinal for every date (so the working days between
//! two dates are a difference of two ordinals, in SQL on both databases) and
//! the indexes the dashboard aggregates use.
use sea_orm_migration::{prelude::*, schema::*};

use crate::m20260101_000001_foundation::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(WorkingDay::Table)
                .col(date(WorkingDay::Day).primary_key())
                .col(boolean(WorkingDay::Working))
                .col(integer(WorkingDay::Ordinal))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "idx_commitment_event_action",
            CommitmentEvent::Table,
            &[CommitmentEvent::Action, CommitmentEvent::At],
        )
        .await?;
        index(
            m,
            "idx_credit_record_recorded",
            CreditRecord::Table,
            &[CreditRecord::RecordedOn],
        )
        .await?;
        index(
            m,
            "idx_certificate_issued",
            Certificate::Table,
            &[Certificate::IssueDate],
        )
        .await?;
        index(
            m,
            "idx_punishment_entry_listed",
            PunishmentEntry::Table,
            &[PunishmentEntry::ListedOn],
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(WorkingDay::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum WorkingDay {
    Table,
    Day,
    Working,
    Ordinal,
}

#[derive(DeriveIden, Clone, Copy)]
enum CommitmentEvent {
    Table,
    Action,
    At,
}

#[derive(DeriveIden, Clone, Copy)]
enum CreditRecord {
    Table,
    RecordedOn,
}

#[derive(DeriveIden, Clone, Copy)]
enum Certificate {
    Table,
    IssueDate,
}

#[derive(DeriveIden, Clone, Copy)]
enum PunishmentEntry {
    Table,
    ListedOn,
}
