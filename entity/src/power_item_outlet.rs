//! An outlet allowed to accept a power-list item (事项下沉).
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "power_item_outlet")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub item_code: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub outlet_code: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
