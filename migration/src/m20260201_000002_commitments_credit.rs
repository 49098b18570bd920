//! The working-day calendar, credit (records, joint-punishment lists,
//! objections, repairs) and commitments with their events and promised
//! materials. Tables that grow with use are keyed by subject or department.
use sea_orm_migration::{prelude::*, schema::*};

use crate::m20260101_000001_foundation::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

fn fk(
    name: &str,
    from: (impl IntoIden, impl IntoIden),
    to: (impl IntoIden, impl IntoIden),
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from(from.0, from.1)
        .to(to.0, to.1)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(CalendarDay::Table)
                .col(date(CalendarDay::Day).primary_key())
                .col(string(CalendarDay::Kind))
                .col(string(CalendarDay::Name))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(CalendarYear::Table)
                .col(integer(CalendarYear::Year).primary_key())
                .col(text(CalendarYear::Source))
                .col(timestamp_with_time_zone(CalendarYear::LoadedAt))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(CreditRecord::Table)
                .col(uuid(CreditRecord::Id).primary_key())
                .col(string(CreditRecord::SubjectId))
                .col(string(CreditRecord::SourceDept))
                .col(string(CreditRecord::Kind))
                .col(string(CreditRecord::Severity))
                .col(text(CreditRecord::Facts))
                .col(uuid_null(CreditRecord::CommitmentId))
                .col(string(CreditRecord::Status))
                .col(date(CreditRecord::RecordedOn))
                .col(timestamp_with_time_zone(CreditRecord::RecordedAt))
                .col(string(CreditRecord::RecordedBy))
                .col(timestamp_with_time_zone(CreditRecord::StatusChangedAt))
                .foreign_key(&mut fk(
                    "fk_credit_record_dept",
                    (CreditRecord::Table, CreditRecord::SourceDept),
                    (Department::Table, Department::Code),
                ))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "idx_credit_record_subject",
            CreditRecord::Table,
            &[CreditRecord::SubjectId, CreditRecord::Status],
        )
        .await?;
        index(
            m,
            "idx_credit_record_dept",
            CreditRecord::Table,
            &[CreditRecord::SourceDept, CreditRecord::RecordedOn],
        )
        .await?;
        index(
            m,
            "idx_credit_record_commitment",
            CreditRecord::Table,
            &[CreditRecord::CommitmentId, CreditRecord::Kind],
        )
        .await?;

        m.create_table(
            Table::create()
                .table(PunishmentEntry::Table)
                .col(uuid(PunishmentEntry::Id).primary_key())
                .col(string(PunishmentEntry::SubjectId))
                .col(string(PunishmentEntry::ListLevel))
                .col(string(PunishmentEntry::ListName))
                .col(string(PunishmentEntry::Authority))
                .col(string_null(PunishmentEntry::RegionCode))
                .col(text(PunishmentEntry::Reason))
                .col(date(PunishmentEntry::ListedOn))
                .col(date_null(PunishmentEntry::DelistedOn))
                .col(text_null(PunishmentEntry::DelistReason))
                .col(uuid_null(PunishmentEntry::CreditRecordId))
                .col(string(PunishmentEntry::AddedByDept))
                .col(string(PunishmentEntry::AddedBy))
                .col(timestamp_with_time_zone(PunishmentEntry::AddedAt))
                .foreign_key(&mut fk(
                    "fk_punishment_entry_dept",
                    (PunishmentEntry::Table, PunishmentEntry::AddedByDept),
                    (Department::Table, Department::Code),
                ))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "idx_punishment_entry_subject",
            PunishmentEntry::Table,
            &[PunishmentEntry::SubjectId],
        )
        .await?;

        m.create_table(
            Table::create()
                .table(CreditObjection::Table)
                .col(uuid(CreditObjection::Id).primary_key())
                .col(uuid(CreditObjection::RecordId))
                .col(string(CreditObjection::SubjectId))
                .col(text(CreditObjection::Grounds))
                .col(string(CreditObjection::Status))
                .col(string(CreditObjection::PreviousStatus))
                .col(string(CreditObjection::FiledByDept))
                .col(string(CreditObjection::FiledBy))
                .col(timestamp_with_time_zone(CreditObjection::FiledAt))
                .col(text_null(CreditObjection::DecisionReason))
                .col(string_null(CreditObjection::DecidedBy))
                .col(timestamp_with_time_zone_null(CreditObjection::DecidedAt))
                .foreign_key(&mut fk(
                    "fk_credit_objection_record",
                    (CreditObjection::Table, CreditObjection::RecordId),
                    (CreditRecord::Table, CreditRecord::Id),
                ))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "idx_credit_objection_record",
            CreditObjection::Table,
            &[CreditObjection::RecordId],
        )
        .await?;
        index(
            m,
            "idx_credit_objection_subject",
            CreditObjection::Table,
            &[CreditObjection::SubjectId],
        )
        .await?;

        m.create_table(
            Table::create()
                .table(CreditRepair::Table)
                .col(uuid(CreditRepair::Id).primary_key())
                .col(string(CreditRepair::SubjectId))
                .col(string(CreditRepair::DeciderDept))
                .col(json_binary(CreditRepair::RecordIds))
                .col(text(CreditRepair::RepairCommitment))
                .col(json_binary(CreditRepair::Evidence))
                .col(string(CreditRepair::Status))
                .col(string(CreditRepair::AppliedByDept))
                .col(string(CreditRepair::AppliedBy))
                .col(timestamp_with_time_zone(CreditRepair::AppliedAt))
                .col(text_null(CreditRepair::DecisionReason))
                .col(string_null(CreditRepair::DecidedBy))
                .col(timestamp_with_time_zone_null(CreditRepair::DecidedAt))
                .foreign_key(&mut fk(
                    "fk_credit_repair_dept",
                    (CreditRepair::Table, CreditRepair::DeciderDept),
                    (Department::Table, Department::Code),
                ))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "idx_credit_repair_subject",
            CreditRepair::Table,
            &[CreditRepair::SubjectId],
        )
        .await?;
        index(
            m,
            "idx_credit_repair_decider",
            CreditRepair::Table,
            &[CreditRepair::DeciderDept, CreditRepair::Status],
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Commitment::Table)
                .col(uuid(Commitment::Id).primary_key())
                .col(string(Commitment::ItemCode))
                .col(string(Commitment::DeptCode))
                .col(string(Commitment::SubjectId))
                .col(string(Commitment::SubjectKind))
                .col(string(Commitment::ApplicantName))
                .col(string(Commitment::Mode))
                .col(string_null(Commitment::Kind))
                .col(string(Commitment::State))
                .col(boolean(Commitment::Operating))
                .col(json_binary(Commitment::Statements))
                .col(json_binary(Commitment::Notification))
                .col(json_binary(Commitment::MaterialsSubmitted))
                .col(string(Commitment::VerificationMethod))
                .col(string(Commitment::CreditLevel))
                .col(boolean(Commitment::Published))
                .col(date_null(Commitment::PublishUntil))
                .col(timestamp_with_time_zone(Commitment::SubmittedAt))
                .col(date(Commitment::SubmittedOn))
                .col(string(Commitment::SubmittedBy))
                .col(date_null(Commitment::DecidedOn))
                .col(timestamp_with_time_zone_null(Commitment::DecidedAt))
                .col(date_null(Commitment::VerificationDue))
                .col(timestamp_with_time_zone_null(Commitment::VerifiedAt))
                .col(date_null(Commitment::RectificationDue))
                .col(timestamp_with_time_zone_null(
                    Commitment::ReceiptConfirmedAt,
                ))
                .col(timestamp_with_time_zone_null(Commitment::ConcludedAt))
                .col(date_null(Commitment::CreditPushDue))
                .col(timestamp_with_time_zone_null(Commitment::CreditPushedAt))
                .col(integer(Commitment::Version))
                .foreign_key(&mut fk(
                    "fk_commitment_item",
                    (Commitment::Table, Commitment::ItemCode),
                    (PowerItem::Table, PowerItem::Code),
                ))
                .foreign_key(&mut fk(
                    "fk_commitment_dept",
                    (Commitment::Table, Commitment::DeptCode),
                    (Department::Table, Department::Code),
                ))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "idx_commitment_subject",
            Commitment::Table,
            &[Commitment::SubjectId, Commitment::SubmittedAt],
        )
        .await?;
        index(
            m,
            "idx_commitment_dept",
            Commitment::Table,
            &[Commitment::DeptCode, Commitment::SubmittedAt],
        )
        .await?;
        index(
            m,
            "idx_commitment_item",
            Commitment::Table,
            &[Commitment::ItemCode],
        )
        .await?;
        index(
            m,
            "idx_commitment_state",
            Commitment::Table,
            &[Commitment::State, Commitment::VerificationDue],
        )
        .await?;
        index(
            m,
            "idx_commitment_decided",
            Commitment::Table,
            &[Commitment::DecidedOn],
        )
        .await?;

        m.create_table(
            Table::create()
                .table(CommitmentEvent::Table)
                .col(uuid(CommitmentEvent::Id).primary_key())
                .col(uuid(CommitmentEvent::CommitmentId))
                .col(integer(CommitmentEvent::Seq))
                .col(string(CommitmentEvent::Action))
                .col(string_null(CommitmentEvent::FromState))
                .col(string(CommitmentEvent::ToState))
                .col(string(CommitmentEvent::ActorSub))
                .col(string(CommitmentEvent::ActorDept))
                .col(text_null(CommitmentEvent::Reason))
                .col(json_binary(CommitmentEvent::Details))
                .col(timestamp_with_time_zone(CommitmentEvent::At))
                .foreign_key(&mut fk(
                    "fk_commitment_event_commitment",
                    (CommitmentEvent::Table, CommitmentEvent::CommitmentId),
                    (Commitment::Table, Commitment::Id),
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("uq_commitment_event_seq")
                .table(CommitmentEvent::Table)
                .col(CommitmentEvent::CommitmentId)
                .col(CommitmentEvent::Seq)
                .unique()
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(PromisedMaterial::Table)
                .col(uuid(PromisedMaterial::Id).primary_key())
                .col(uuid(PromisedMaterial::CommitmentId))
                .col(string(PromisedMaterial::Name))
                .col(date(PromisedMaterial::DueDate))
                .col(timestamp_with_time_zone_null(PromisedMaterial::SubmittedAt))
                .col(timestamp_with_time_zone_null(
                    PromisedMaterial::LateRecordedAt,
                ))
                .foreign_key(&mut fk(
                    "fk_promised_material_commitment",
                    (PromisedMaterial::Table, PromisedMaterial::CommitmentId),
                    (Commitment::Table, Commitment::Id),
                ))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "idx_promised_material_commitment",
            PromisedMaterial::Table,
            &[PromisedMaterial::CommitmentId],
        )
        .await?;
        index(
            m,
            "idx_promised_material_due",
            PromisedMaterial::Table,
            &[PromisedMaterial::DueDate],
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            PromisedMaterial::Table.into_iden(),
            CommitmentEvent::Table.into_iden(),
            Commitment::Table.into_iden(),
            CreditRepair::Table.into_iden(),
            CreditObjection::Table.into_iden(),
            PunishmentEntry::Table.into_iden(),
            CreditRecord::Table.into_iden(),
            CalendarYear::Table.into_iden(),
            CalendarDay::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum Department {
    Table,
    Code,
}

#[derive(DeriveIden, Clone, Copy)]
enum PowerItem {
    Table,
    Code,
}

#[derive(DeriveIden, Clone, Copy)]
enum CalendarDay {
    Table,
    Day,
    Kind,
    Name,
}

#[derive(DeriveIden, Clone, Copy)]
enum CalendarYear {
    Table,
    Year,
    Source,
    LoadedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum CreditRecord {
    Table,
    Id,
    SubjectId,
    SourceDept,
    Kind,
    Severity,
    Facts,
    CommitmentId,
    Status,
    RecordedOn,
    RecordedAt,
    RecordedBy,
    StatusChangedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum PunishmentEntry {
    Table,
    Id,
    SubjectId,
    ListLevel,
    ListName,
    Authority,
    RegionCode,
    Reason,
    ListedOn,
    DelistedOn,
    DelistReason,
    CreditRecordId,
    AddedByDept,
    AddedBy,
    AddedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum CreditObjection {
    Table,
    Id,
    RecordId,
    SubjectId,
    Grounds,
    Status,
    PreviousStatus,
    FiledByDept,
    FiledBy,
    FiledAt,
    DecisionReason,
    DecidedBy,
    DecidedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum CreditRepair {
    Table,
    Id,
    SubjectId,
    DeciderDept,
    RecordIds,
    RepairCommitment,
    Evidence,
    Status,
    AppliedByDept,
    AppliedBy,
    AppliedAt,
    DecisionReason,
    DecidedBy,
    DecidedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Commitment {
    Table,
    Id,
    ItemCode,
    DeptCode,
    SubjectId,
    SubjectKind,
    ApplicantName,
    Mode,
    Kind,
    State,
    Operating,
    Statements,
    Notification,
    MaterialsSubmitted,
    VerificationMethod,
    CreditLevel,
    Published,
    PublishUntil,
    SubmittedAt,
    SubmittedOn,
    SubmittedBy,
    DecidedOn,
    DecidedAt,
    VerificationDue,
    VerifiedAt,
    RectificationDue,
    ReceiptConfirmedAt,
    ConcludedAt,
    CreditPushDue,
    CreditPushedAt,
    Version,
}

#[derive(DeriveIden, Clone, Copy)]
enum CommitmentEvent {
    Table,
    Id,
    CommitmentId,
    Seq,
    Action,
    FromState,
    ToState,
    ActorSub,
    ActorDept,
    Reason,
    Details,
    At,
}

#[derive(DeriveIden, Clone, Copy)]
enum PromisedMaterial {
    Table,
    Id,
    CommitmentId,
    Name,
    DueDate,
    SubmittedAt,
    LateRecordedAt,
}
