//! Departments, subjects, power lists and the audit log.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Department::Table)
                .col(string(Department::Code).primary_key())
                .col(string(Department::Name))
                .col(string(Department::Level))
                .col(string(Department::RegionCode))
                .col(string_null(Department::ParentCode))
                .col(string_null(Department::Uscc).unique_key())
                .col(timestamp_with_time_zone(Department::CreatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_department_parent")
                        .from(Department::Table, Department::ParentCode)
                        .to(Department::Table, Department::Code),
                )
                .to_owned(),
        )
        .await?;
        index(
            m,
            "idx_department_parent",
            Department::Table,
            &[Department::ParentCode],
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Subject::Table)
                .col(string(Subject::Id).primary_key())
                .col(string(Subject::Kind))
                .col(string_null(Subject::Name))
                .col(timestamp_with_time_zone(Subject::CreatedAt))
                .col(timestamp_with_time_zone(Subject::UpdatedAt))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(PowerItem::Table)
                .col(string(PowerItem::Code).primary_key())
                .col(string(PowerItem::Name))
                .col(string(PowerItem::Category))
                .col(string(PowerItem::DeptCode))
                .col(string(PowerItem::CommitmentMode))
                .col(string(PowerItem::Status))
                .col(integer(PowerItem::StatutoryDays))
                .col(integer(PowerItem::PromisedDays))
                .col(date(PowerItem::EffectiveFrom))
                .col(date_null(PowerItem::EffectiveTo))
                .col(json_binary(PowerItem::Details))
                .col(integer(PowerItem::Version))
                .col(timestamp_with_time_zone(PowerItem::CreatedAt))
                .col(timestamp_with_time_zone(PowerItem::UpdatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_power_item_department")
                        .from(PowerItem::Table, PowerItem::DeptCode)
                        .to(Department::Table, Department::Code),
                )
                .to_owned(),
        )
        .await?;
        index(
            m,
            "idx_power_item_dept",
            PowerItem::Table,
            &[PowerItem::DeptCode, PowerItem::Code],
        )
        .await?;
        index(
            m,
            "idx_power_item_category",
            PowerItem::Table,
            &[PowerItem::Category],
        )
        .await?;
        index(
            m,
            "idx_power_item_mode",
            PowerItem::Table,
            &[PowerItem::CommitmentMode],
        )
        .await?;
        index(
            m,
            "idx_power_item_status",
            PowerItem::Table,
            &[PowerItem::Status],
        )
        .await?;

        m.create_table(
            Table::create()
                .table(PowerItemChange::Table)
                .col(uuid(PowerItemChange::Id).primary_key())
                .col(string(PowerItemChange::ItemCode))
                .col(integer(PowerItemChange::Version))
                .col(string(PowerItemChange::Kind))
                .col(text(PowerItemChange::Reason))
                .col(json_binary(PowerItemChange::ChangedFields))
                .col(json_binary(PowerItemChange::Snapshot))
                .col(string(PowerItemChange::ChangedBy))
                .col(string(PowerItemChange::DeptCode))
                .col(timestamp_with_time_zone(PowerItemChange::ChangedAt))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_power_item_change_item")
                        .from(PowerItemChange::Table, PowerItemChange::ItemCode)
                        .to(PowerItem::Table, PowerItem::Code),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("uq_power_item_change_version")
                .table(PowerItemChange::Table)
                .col(PowerItemChange::ItemCode)
                .col(PowerItemChange::Version)
                .unique()
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(PowerListVersion::Table)
                .col(uuid(PowerListVersion::Id).primary_key())
                .col(string(PowerListVersion::DeptCode))
                .col(string(PowerListVersion::Name))
                .col(date(PowerListVersion::EffectiveDate))
                .col(text_null(PowerListVersion::Note))
                .col(integer(PowerListVersion::ItemCount))
                .col(json_binary(PowerListVersion::Items))
                .col(string(PowerListVersion::PublishedBy))
                .col(timestamp_with_time_zone(PowerListVersion::PublishedAt))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_power_list_version_department")
                        .from(PowerListVersion::Table, PowerListVersion::DeptCode)
                        .to(Department::Table, Department::Code),
                )
                .to_owned(),
        )
        .await?;
        index(
            m,
            "idx_power_list_version_dept",
            PowerListVersion::Table,
            &[PowerListVersion::DeptCode, PowerListVersion::PublishedAt],
        )
        .await?;

        m.create_table(
            Table::create()
                .table(AuditEntry::Table)
                .col(big_pk_auto(AuditEntry::Id))
                .col(timestamp_with_time_zone(AuditEntry::At))
                .col(string(AuditEntry::Sub))
                .col(string_null(AuditEntry::DeptCode))
                .col(string(AuditEntry::OperationType))
                .col(string(AuditEntry::Operation))
                .col(json_binary(AuditEntry::Subjects))
                .col(text_null(AuditEntry::Purpose))
                .col(string(AuditEntry::Outcome))
                .col(string(AuditEntry::RequestId))
                .col(big_integer_null(AuditEntry::Seq).unique_key())
                .col(string_null(AuditEntry::PrevHash))
                .col(string_null(AuditEntry::Hash))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "idx_audit_entry_at",
            AuditEntry::Table,
            &[AuditEntry::At],
        )
        .await?;
        index(
            m,
            "idx_audit_entry_dept",
            AuditEntry::Table,
            &[AuditEntry::DeptCode, AuditEntry::At],
        )
        .await?;

        m.create_table(
            Table::create()
                .table(AuditHead::Table)
                .col(integer(AuditHead::Id).primary_key())
                .col(big_integer(AuditHead::Seq))
                .col(string(AuditHead::Hash))
                .col(timestamp_with_time_zone(AuditHead::SealedAt))
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            AuditHead::Table.into_iden(),
            AuditEntry::Table.into_iden(),
            PowerListVersion::Table.into_iden(),
            PowerItemChange::Table.into_iden(),
            PowerItem::Table.into_iden(),
            Subject::Table.into_iden(),
            Department::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}

/// A plain (non-unique) index over the given columns.
pub(crate) async fn index<T, C>(
    m: &SchemaManager<'_>,
    name: &str,
    table: T,
    cols: &[C],
) -> Result<(), DbErr>
where
    T: IntoIden + Clone + 'static,
    C: IntoIden + Clone + 'static,
{
    let mut stmt = Index::create();
    stmt.name(name).table(table);
    for col in cols {
        stmt.col(col.clone());
    }
    m.create_index(stmt.to_owned()).await
}

#[derive(DeriveIden, Clone, Copy)]
enum Department {
    Table,
    Code,
    Name,
    Level,
    RegionCode,
    ParentCode,
    Uscc,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Subject {
    Table,
    Id,
    Kind,
    Name,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum PowerItem {
    Table,
    Code,
    Name,
    Category,
    DeptCode,
    CommitmentMode,
    Status,
    StatutoryDays,
    PromisedDays,
    EffectiveFrom,
    EffectiveTo,
    Details,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum PowerItemChange {
    Table,
    Id,
    ItemCode,
    Version,
    Kind,
    Reason,
    ChangedFields,
    Snapshot,
    ChangedBy,
    DeptCode,
    ChangedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum PowerListVersion {
    Table,
    Id,
    DeptCode,
    Name,
    EffectiveDate,
    Note,
    ItemCount,
    Items,
    PublishedBy,
    PublishedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum AuditEntry {
    Table,
    Id,
    At,
    Sub,
    DeptCode,
    OperationType,
    Operation,
    Subjects,
    Purpose,
    Outcome,
    RequestId,
    Seq,
    PrevHash,
    Hash,
}

#[derive(DeriveIden, Clone, Copy)]
enum AuditHead {
    Table,
    Id,
    Seq,
    Hash,
    SealedAt,
}
