//! Online verification reports (在线核查) and assistance requests (协助核查).
use sea_orm_migration::{prelude::*, schema::*};

use crate::m20260101_000001_foundation::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(VerificationReport::Table)
                .col(uuid(VerificationReport::Id).primary_key())
                .col(uuid(VerificationReport::CommitmentId))
                .col(string(VerificationReport::SubjectId))
                .col(string(VerificationReport::ItemCode))
                .col(string(VerificationReport::DeptCode))
                .col(string(VerificationReport::Status))
                .col(string_null(VerificationReport::Outcome))
                .col(json_binary(VerificationReport::Results))
                .col(string(VerificationReport::RunBy))
                .col(timestamp_with_time_zone(VerificationReport::RunAt))
                .col(timestamp_with_time_zone_null(
                    VerificationReport::CompletedAt,
                ))
                .col(integer(VerificationReport::Version))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_verification_report_commitment")
                        .from(VerificationReport::Table, VerificationReport::CommitmentId)
                        .to(Commitment::Table, Commitment::Id),
                )
                .to_owned(),
        )
        .await?;
        index(
            m,
            "idx_verification_report_commitment",
            VerificationReport::Table,
            &[VerificationReport::CommitmentId],
        )
        .await?;
        index(
            m,
            "idx_verification_report_dept",
            VerificationReport::Table,
            &[VerificationReport::DeptCode, VerificationReport::Status],
        )
        .await?;

        m.create_table(
            Table::create()
                .table(AssistanceRequest::Table)
                .col(uuid(AssistanceRequest::Id).primary_key())
                .col(uuid(AssistanceRequest::CommitmentId))
                .col(uuid_null(AssistanceRequest::ReportId))
                .col(string_null(AssistanceRequest::ConditionCode))
                .col(string(AssistanceRequest::FromDept))
                .col(string(AssistanceRequest::ToDept))
                .col(string(AssistanceRequest::SubjectId))
                .col(text(AssistanceRequest::Question))
                .col(date(AssistanceRequest::DueDate))
                .col(string(AssistanceRequest::Status))
                .col(string_null(AssistanceRequest::Outcome))
                .col(text_null(AssistanceRequest::Facts))
                .col(text_null(AssistanceRequest::Reason))
                .col(string(AssistanceRequest::CreatedBy))
                .col(timestamp_with_time_zone(AssistanceRequest::CreatedAt))
                .col(string_null(AssistanceRequest::AnsweredBy))
                .col(timestamp_with_time_zone_null(AssistanceRequest::AnsweredAt))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_assistance_request_commitment")
                        .from(AssistanceRequest::Table, AssistanceRequest::CommitmentId)
                        .to(Commitment::Table, Commitment::Id),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_assistance_request_to")
                        .from(AssistanceRequest::Table, AssistanceRequest::ToDept)
                        .to(Department::Table, Department::Code),
                )
                .to_owned(),
        )
        .await?;
        index(
            m,
            "idx_assistance_to",
            AssistanceRequest::Table,
            &[AssistanceRequest::ToDept, AssistanceRequest::Status],
        )
        .await?;
        index(
            m,
            "idx_assistance_from",
            AssistanceRequest::Table,
            &[AssistanceRequest::FromDept, AssistanceRequest::CreatedAt],
        )
        .await?;
        index(
            m,
            "idx_assistance_report",
            AssistanceRequest::Table,
            &[AssistanceRequest::ReportId],
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(AssistanceRequest::Table).to_owned())
            .await?;
        m.drop_table(Table::drop().table(VerificationReport::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum Department {
    Table,
    Code,
}

#[derive(DeriveIden, Clone, Copy)]
enum Commitment {
    Table,
    Id,
}

#[derive(DeriveIden, Clone, Copy)]
enum VerificationReport {
    Table,
    Id,
    CommitmentId,
    SubjectId,
    ItemCode,
    DeptCode,
    Status,
    Outcome,
    Results,
    RunBy,
    RunAt,
    CompletedAt,
    Version,
}

#[derive(DeriveIden, Clone, Copy)]
enum AssistanceRequest {
    Table,
    Id,
    CommitmentId,
    ReportId,
    ConditionCode,
    FromDept,
    ToDept,
    SubjectId,
    Question,
    DueDate,
    Status,
    Outcome,
    Facts,
    Reason,
    CreatedBy,
    CreatedAt,
    AnsweredBy,
    AnsweredAt,
}
