//! A subject's commitments by state. An online check asks for a subject's
//! open commitments only; with the subject's index on (subject, submission
//! time) the database read every commitment of the subject, each a wide row
//! with its notification, to keep about one in six. With the state in the
//! index it reads only the open ones. The list of all a subject's commitments
//! still finds them by the index's first column, and sorts its few rows.
use sea_orm_migration::prelude::*;

use crate::m20260101_000001_foundation::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        drop(m, "idx_commitment_subject").await?;
        index(
            m,
            "idx_commitment_subject_state",
            Commitment::Table,
            &[
                Commitment::SubjectId,
                Commitment::State,
                Commitment::SubmittedAt,
            ],
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        drop(m, "idx_commitment_subject_state").await?;
        index(
            m,
            "idx_commitment_subject",
            Commitment::Table,
            &[Commitment::SubjectId, Commitment::SubmittedAt],
        )
        .await
    }
}

async fn drop(m: &SchemaManager<'_>, name: &str) -> Result<(), DbErr> {
    m.drop_index(Index::drop().name(name).table(Commitment::Table).to_owned())
        .await
}

#[derive(DeriveIden, Clone, Copy)]
enum Commitment {
    Table,
    SubjectId,
    State,
    SubmittedAt,
}
