//! A view of the commitments with their items' names. An online check lists
//! a subject's open commitments and, for each, its item's name; read from the
//! commitment table alone, the names took a second statement, and a second
//! round of the request's loaders, after the commitments had come back. The
//! view joins them in the one read. Both backends fold a view into the query
//! that reads it, so the read still finds a subject's commitments by their
//! index, and the join looks each item up by its key.
//!
//! Every commitment names an item that exists (`fk_commitment_item`, and
//! items are never deleted); the join is an outer one all the same, so that a
//! commitment is never missing from a list for want of its item.
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The same text on SQLite and PostgreSQL. `c.*` is fixed when PostgreSQL
/// creates the view: a column added to the commitment table later needs the
/// view made again.
const CREATE: &str = "CREATE VIEW commitment_named AS \
     SELECT c.*, p.name AS item_name \
     FROM commitment c LEFT JOIN power_item p ON p.code = c.item_code";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.get_connection()
            .execute_unprepared(CREATE)
            .await
            .map(drop)
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.get_connection()
            .execute_unprepared("DROP VIEW commitment_named")
            .await
            .map(drop)
    }
}
