//! The next serial of one certificate type at one issuer.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "certificate_serial")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub type_code: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub issuer_uscc: String,
    pub next: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
