//! A request for assistance with a check (协助核查) from one department to another.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "assistance_request")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub commitment_id: Uuid,
    pub report_id: Option<Uuid>,
    pub condition_code: Option<String>,
    pub from_dept: String,
    pub to_dept: String,
    pub subject_id: String,
    #[sea_orm(column_type = "Text")]
    pub question: String,
    pub due_date: Date,
    pub status: String,
    pub outcome: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub facts: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub reason: Option<String>,
    pub created_by: String,
    pub created_at: DateTimeUtc,
    pub answered_by: Option<String>,
    pub answered_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
