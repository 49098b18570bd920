//! The certificate table as a holder's list reads it: the columns a list and
//! the in-force check need, all held by the index `idx_certificate_holder_listed`
//! (migration 10), so that the database answers from the index alone. Read
//! only; rows are written through `certificate`.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "certificate")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub identifier: String,
    pub type_code: String,
    pub type_name: String,
    pub holder_id: String,
    pub issuer_dept: String,
    pub valid_from: Date,
    pub valid_until: Option<Date>,
    pub status: String,
    pub superseded_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
