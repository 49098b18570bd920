//! E-certificates: types, issuers' keys (the trusted-issuer registry),
//! certificates, per-issuer serials; and audit facts, the structured side of
//! audit entries that dashboards aggregate.
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
                .table(CertificateType::Table)
                .col(string(CertificateType::Code).primary_key())
                .col(string(CertificateType::Name))
                .col(string(CertificateType::IssuerDept))
                .col(string(CertificateType::HolderKind))
                .col(json_binary(CertificateType::Fields))
                .col(integer_null(CertificateType::ValidityMonths))
                .col(text(CertificateType::Description))
                .foreign_key(&mut fk(
                    "fk_certificate_type_dept",
                    (CertificateType::Table, CertificateType::IssuerDept),
                    (Department::Table, Department::Code),
                ))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(IssuerKey::Table)
                .col(string(IssuerKey::Kid).primary_key())
                .col(string(IssuerKey::IssuerUscc))
                .col(string(IssuerKey::IssuerName))
                .col(string_null(IssuerKey::DeptCode))
                .col(string(IssuerKey::RegionCode))
                .col(string(IssuerKey::Algorithm))
                .col(text(IssuerKey::PublicKey))
                .col(text_null(IssuerKey::PrivateKeyEnc))
                .col(timestamp_with_time_zone(IssuerKey::ValidFrom))
                .col(timestamp_with_time_zone_null(IssuerKey::ValidUntil))
                .col(string(IssuerKey::RegisteredBy))
                .col(timestamp_with_time_zone(IssuerKey::CreatedAt))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "idx_issuer_key_issuer",
            IssuerKey::Table,
            &[IssuerKey::IssuerUscc],
        )
        .await?;
        index(
            m,
            "idx_issuer_key_dept",
            IssuerKey::Table,
            &[IssuerKey::DeptCode, IssuerKey::ValidFrom],
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Certificate::Table)
                .col(uuid(Certificate::Id).primary_key())
                .col(string_uniq(Certificate::Identifier))
                .col(string(Certificate::TypeCode))
                .col(string(Certificate::TypeName))
                .col(string(Certificate::Number))
                .col(string(Certificate::HolderId))
                .col(string(Certificate::HolderKind))
                .col(string(Certificate::HolderName))
                .col(string(Certificate::IssuerDept))
                .col(string(Certificate::IssuerUscc))
                .col(string(Certificate::IssuerName))
                .col(date(Certificate::IssueDate))
                .col(date(Certificate::ValidFrom))
                .col(date_null(Certificate::ValidUntil))
                .col(string(Certificate::Status))
                .col(integer(Certificate::CertVersion))
                .col(uuid_null(Certificate::SupersededBy))
                .col(json_binary(Certificate::Fields))
                .col(uuid_null(Certificate::CommitmentId))
                .col(string(Certificate::KeyId))
                .col(string(Certificate::Algorithm))
                .col(text(Certificate::Signature))
                .col(text_null(Certificate::StatusReason))
                .col(timestamp_with_time_zone(Certificate::StatusChangedAt))
                .col(timestamp_with_time_zone(Certificate::CreatedAt))
                .col(integer(Certificate::RowVersion))
                .foreign_key(&mut fk(
                    "fk_certificate_type",
                    (Certificate::Table, Certificate::TypeCode),
                    (CertificateType::Table, CertificateType::Code),
                ))
                .foreign_key(&mut fk(
                    "fk_certificate_dept",
                    (Certificate::Table, Certificate::IssuerDept),
                    (Department::Table, Department::Code),
                ))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "idx_certificate_holder",
            Certificate::Table,
            &[Certificate::HolderId],
        )
        .await?;
        index(
            m,
            "idx_certificate_type",
            Certificate::Table,
            &[Certificate::TypeCode, Certificate::Status],
        )
        .await?;
        index(
            m,
            "idx_certificate_dept",
            Certificate::Table,
            &[Certificate::IssuerDept, Certificate::CreatedAt],
        )
        .await?;
        index(
            m,
            "idx_certificate_commitment",
            Certificate::Table,
            &[Certificate::CommitmentId],
        )
        .await?;

        m.create_table(
            Table::create()
                .table(CertificateSerial::Table)
                .col(string(CertificateSerial::TypeCode))
                .col(string(CertificateSerial::IssuerUscc))
                .col(big_integer(CertificateSerial::Next))
                .primary_key(
                    Index::create()
                        .col(CertificateSerial::TypeCode)
                        .col(CertificateSerial::IssuerUscc),
                )
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(AuditFact::Table)
                .col(big_pk_auto(AuditFact::Id))
                .col(timestamp_with_time_zone(AuditFact::At))
                .col(string(AuditFact::RequestId))
                .col(string_null(AuditFact::RequesterDept))
                .col(string(AuditFact::Kind))
                .col(string_null(AuditFact::OwnerDept))
                .col(string_null(AuditFact::SubjectId))
                .col(string(AuditFact::Result))
                .col(string_null(AuditFact::Detail))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "idx_audit_fact_kind",
            AuditFact::Table,
            &[AuditFact::Kind, AuditFact::At],
        )
        .await?;
        index(
            m,
            "idx_audit_fact_requester",
            AuditFact::Table,
            &[AuditFact::RequesterDept, AuditFact::At],
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            AuditFact::Table.into_iden(),
            CertificateSerial::Table.into_iden(),
            Certificate::Table.into_iden(),
            IssuerKey::Table.into_iden(),
            CertificateType::Table.into_iden(),
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
enum CertificateType {
    Table,
    Code,
    Name,
    IssuerDept,
    HolderKind,
    Fields,
    ValidityMonths,
    Description,
}

#[derive(DeriveIden, Clone, Copy)]
enum IssuerKey {
    Table,
    Kid,
    IssuerUscc,
    IssuerName,
    DeptCode,
    RegionCode,
    Algorithm,
    PublicKey,
    PrivateKeyEnc,
    ValidFrom,
    ValidUntil,
    RegisteredBy,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Certificate {
    Table,
    Id,
    Identifier,
    TypeCode,
    TypeName,
    Number,
    HolderId,
    HolderKind,
    HolderName,
    IssuerDept,
    IssuerUscc,
    IssuerName,
    IssueDate,
    ValidFrom,
    ValidUntil,
    Status,
    CertVersion,
    SupersededBy,
    Fields,
    CommitmentId,
    KeyId,
    Algorithm,
    Signature,
    StatusReason,
    StatusChangedAt,
    CreatedAt,
    RowVersion,
}

#[derive(DeriveIden, Clone, Copy)]
enum CertificateSerial {
    Table,
    TypeCode,
    IssuerUscc,
    Next,
}

#[derive(DeriveIden, Clone, Copy)]
enum AuditFact {
    Table,
    Id,
    At,
    RequestId,
    RequesterDept,
    Kind,
    OwnerDept,
    SubjectId,
    Result,
    Detail,
}
