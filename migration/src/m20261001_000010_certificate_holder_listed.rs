//! A holder's certificates from the index alone. A subject's lookup lists its
//! certificates with the columns a list and the in-force check need
//! (`entity::certificate_listed`); with only the holder in the index, each
//! certificate was a seek into the table, on a page that the last commit had
//! usually evicted from the reader's cache. This index holds those columns,
//! after the holder and the creation time the list is ordered by, and replaces
//! the holder's index, of which it is a prefix.
use sea_orm_migration::prelude::*;

use crate::m20260101_000001_foundation::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        drop(m, "idx_certificate_holder").await?;
        index(
            m,
            "idx_certificate_holder_listed",
            Certificate::Table,
            &[
                Certificate::HolderId,
                Certificate::CreatedAt,
                Certificate::Id,
                Certificate::Identifier,
                Certificate::TypeCode,
                Certificate::TypeName,
                Certificate::IssuerDept,
                Certificate::ValidFrom,
                Certificate::ValidUntil,
                Certificate::Status,
                Certificate::SupersededBy,
            ],
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        drop(m, "idx_certificate_holder_listed").await?;
        index(
            m,
            "idx_certificate_holder",
            Certificate::Table,
            &[Certificate::HolderId],
        )
        .await
    }
}

async fn drop(m: &SchemaManager<'_>, name: &str) -> Result<(), DbErr> {
    m.drop_index(
        Index::drop()
            .name(name)
            .table(Certificate::Table)
            .to_owned(),
    )
    .await
}

#[derive(DeriveIden, Clone, Copy)]
enum Certificate {
    Table,
    Id,
    Identifier,
    TypeCode,
    TypeName,
    HolderId,
    IssuerDept,
    ValidFrom,
    ValidUntil,
    Status,
    SupersededBy,
    CreatedAt,
}
