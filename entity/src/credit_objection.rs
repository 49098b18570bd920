//! An objection (异议) against a credit record.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "credit_objection")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub record_id: Uuid,
    pub subject_id: String,
    #[sea_orm(column_type = "Text")]
    pub grounds: String,
    pub status: String,
    pub previous_status: String,
    pub filed_by_dept: String,
    pub filed_by: String,
    pub filed_at: DateTimeUtc,
    pub decision_reason: Option<String>,
    pub decided_by: Option<String>,
    pub decided_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
