//! An online verification report (在线核查报告): one result per condition of a commitment's item.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "verification_report")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub commitment_id: Uuid,
    pub subject_id: String,
    pub item_code: String,
    pub dept_code: String,
    pub status: String,
    pub outcome: Option<String>,
    pub results: Json,
    pub run_by: String,
    pub run_at: DateTimeUtc,
    pub completed_at: Option<DateTimeUtc>,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
