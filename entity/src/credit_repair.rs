//! An application for credit repair (信用修复).
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "credit_repair")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub subject_id: String,
    pub decider_dept: String,
    pub record_ids: Json,
    #[sea_orm(column_type = "Text")]
    pub repair_commitment: String,
    pub evidence: Json,
    pub status: String,
    pub applied_by_dept: String,
    pub applied_by: String,
    pub applied_at: DateTimeUtc,
    pub decision_reason: Option<String>,
    pub decided_by: Option<String>,
    pub decided_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
