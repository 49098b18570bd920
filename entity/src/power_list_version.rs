//! A published version of one department's power list: a named, dated snapshot.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "power_list_version")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub dept_code: String,
    pub name: String,
    pub effective_date: Date,
    pub note: Option<String>,
    pub item_count: i32,
    /// The items as they stood when published.
    pub items: Json,
    pub published_by: String,
    pub published_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
