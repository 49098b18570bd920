//! The power-item table as a commitment's or a matter's answer reads it:
//! every column but `details` (about 1 KB of JSON an item's name does not
//! need). Read only; rows are written through `power_item`.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "power_item")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub code: String,
    pub name: String,
    pub category: String,
    /// 实施机关.
    pub dept_code: String,
    pub commitment_mode: String,
    pub status: String,
    pub statutory_days: i32,
    pub promised_days: i32,
    pub effective_from: Date,
    pub effective_to: Option<Date>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
