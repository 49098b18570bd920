//! Covering indexes for the dashboard's aggregates over commitments and their
//! events. Each aggregate filters on one date column and groups or filters on
//! a few short columns; with all of them in the index the database answers
//! from the index alone instead of visiting every row of the (wide)
//! commitment table. Measured on 1,000,000 commitments (bench/results/):
//! the commitment figures went from seconds to tens of milliseconds each.
use sea_orm_migration::prelude::*;

use crate::m20260101_000001_foundation::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // Replaced by the wider ones of `COVERING`.
        for (name, table) in [
            ("idx_commitment_state", C::Table.into_iden()),
            ("idx_commitment_decided", C::Table.into_iden()),
            (
                "idx_commitment_event_action",
                CommitmentEvent::Table.into_iden(),
            ),
        ] {
            m.drop_index(Index::drop().name(name).table(table).to_owned())
                .await?;
        }
        let mut names: Vec<&str> = COVERING.iter().map(|(name, ..)| *name).collect();
        names.push("idx_commitment_event_action");
        create(m, &names).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for (name, table) in [
            ("idx_commitment_state", C::Table.into_iden()),
            ("idx_commitment_submitted", C::Table.into_iden()),
            ("idx_commitment_submitted_on", C::Table.into_iden()),
            ("idx_commitment_decided", C::Table.into_iden()),
            ("idx_commitment_due", C::Table.into_iden()),
            ("idx_commitment_verified", C::Table.into_iden()),
            ("idx_commitment_credit_push", C::Table.into_iden()),
            (
                "idx_commitment_event_action",
                CommitmentEvent::Table.into_iden(),
            ),
        ] {
            m.drop_index(Index::drop().name(name).table(table).to_owned())
                .await?;
        }
        index(
            m,
            "idx_commitment_state",
            C::Table,
            &[C::State, C::VerificationDue],
        )
        .await?;
        index(m, "idx_commitment_decided", C::Table, &[C::DecidedOn]).await?;
        index(
            m,
            "idx_commitment_event_action",
            CommitmentEvent::Table,
            &[CommitmentEvent::Action, CommitmentEvent::At],
        )
        .await
    }
}

use Commitment as C;

/// This migration's indexes: name, table and columns, with the figures
/// they served.
const COVERING: [(&str, &str, &[C]); 7] = [
    // The checks due by state (as before), overdueChecks, and byState:
    // grouping by state, SQLite prefers an index in state order over a
    // range on the submission time, so that index must cover the query.
    (
        "idx_commitment_state",
        "commitment",
        &[
            C::State,
            C::VerificationDue,
            C::SubmittedAt,
            C::Kind,
            C::Mode,
            C::DeptCode,
            C::ItemCode,
        ],
    ),
    // byKind.
    (
        "idx_commitment_submitted",
        "commitment",
        &[C::SubmittedAt, C::Kind, C::Mode, C::DeptCode, C::ItemCode],
    ),
    // The series of submissions.
    (
        "idx_commitment_submitted_on",
        "commitment",
        &[C::SubmittedOn, C::DeptCode, C::ItemCode],
    ),
    // onTheSpotRate, the series of approvals.
    (
        "idx_commitment_decided",
        "commitment",
        &[
            C::DecidedOn,
            C::State,
            C::SubmittedOn,
            C::DeptCode,
            C::ItemCode,
        ],
    ),
    // verificationCoverage.
    (
        "idx_commitment_due",
        "commitment",
        &[C::VerificationDue, C::VerifiedAt, C::DeptCode, C::ItemCode],
    ),
    // meanWorkingDaysToVerification, the series of verifications.
    (
        "idx_commitment_verified",
        "commitment",
        &[C::VerifiedAt, C::DecidedOn, C::DeptCode, C::ItemCode],
    ),
    // creditPushesOverdue.
    (
        "idx_commitment_credit_push",
        "commitment",
        &[
            C::CreditPushedAt,
            C::CreditPushDue,
            C::DeptCode,
            C::ItemCode,
        ],
    ),
];

/// Creates the indexes of this migration named in `names` (a later
/// migration that dropped some recreates them on its way down).
pub(crate) async fn create(m: &SchemaManager<'_>, names: &[&str]) -> Result<(), DbErr> {
    for (name, table, cols) in COVERING {
        if names.contains(&name) {
            index(m, name, Alias::new(table), cols).await?;
        }
    }
    if names.contains(&"idx_commitment_event_action") {
        // revocations, withdrawals, falseCommitmentRate.
        index(
            m,
            "idx_commitment_event_action",
            CommitmentEvent::Table,
            &[
                CommitmentEvent::Action,
                CommitmentEvent::At,
                CommitmentEvent::CommitmentId,
            ],
        )
        .await?;
    }
    Ok(())
}

#[derive(DeriveIden, Clone, Copy)]
enum Commitment {
    Table,
    SubmittedAt,
    SubmittedOn,
    State,
    Kind,
    Mode,
    DeptCode,
    ItemCode,
    DecidedOn,
    VerificationDue,
    VerifiedAt,
    CreditPushedAt,
    CreditPushDue,
}

#[derive(DeriveIden, Clone, Copy)]
enum CommitmentEvent {
    Table,
    Action,
    At,
    CommitmentId,
}
