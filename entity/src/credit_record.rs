//! A credit fact a department found about a subject (信用记录).
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "credit_record")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub subject_id: String,
    pub source_dept: String,
    pub kind: String,
    pub severity: String,
    #[sea_orm(column_type = "Text")]
    pub facts: String,
    pub commitment_id: Option<Uuid>,
    pub status: String,
    pub recorded_on: Date,
    pub recorded_at: DateTimeUtc,
    pub recorded_by: String,
    pub status_changed_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
