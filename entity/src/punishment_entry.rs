//! An entry of a joint-punishment list (失信联合惩戒对象名单).
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "punishment_entry")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub subject_id: String,
    pub list_level: String,
    pub list_name: String,
    pub authority: String,
    pub region_code: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub reason: String,
    pub listed_on: Date,
    pub delisted_on: Option<Date>,
    pub delist_reason: Option<String>,
    pub credit_record_id: Option<Uuid>,
    pub added_by_dept: String,
    pub added_by: String,
    pub added_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
