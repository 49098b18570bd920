//! An e-certificate (电子证照) as issued and signed.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "certificate")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    #[sea_orm(unique)]
    pub identifier: String,
    pub type_code: String,
    pub type_name: String,
    pub number: String,
    pub holder_id: String,
    pub holder_kind: String,
    pub holder_name: String,
    pub issuer_dept: String,
    pub issuer_uscc: String,
    pub issuer_name: String,
    pub issue_date: Date,
    pub valid_from: Date,
    pub valid_until: Option<Date>,
    pub status: String,
    pub cert_version: i32,
    pub superseded_by: Option<Uuid>,
    pub fields: Json,
    pub commitment_id: Option<Uuid>,
    pub key_id: String,
    pub algorithm: String,
    #[sea_orm(column_type = "Text")]
    pub signature: String,
    #[sea_orm(column_type = "Text")]
    pub status_reason: Option<String>,
    pub status_changed_at: DateTimeUtc,
    pub created_at: DateTimeUtc,
    pub row_version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
