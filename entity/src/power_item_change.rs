//! One change of a power-list item: who, when, why, and the item as it became.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "power_item_change")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub item_code: String,
    pub version: i32,
    /// CREATED, UPDATED or STATUS_CHANGED.
    pub kind: String,
    pub reason: String,
    /// Names of the fields this change altered.
    pub changed_fields: Json,
    /// The whole item after the change.
    pub snapshot: Json,
    pub changed_by: String,
    pub dept_code: String,
    pub changed_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
