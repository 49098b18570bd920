//! A task or measure of the reform plans (任务分工), as the seed gives it, with its latest reported status.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "reform_task")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub plan: String,
    pub number: String,
    pub parent_id: Option<String>,
    pub kind: String,
    pub position: i32,
    #[sea_orm(column_type = "Text")]
    pub text: String,
    pub deadline: Option<Date>,
    pub deadline_text: Option<String>,
    pub ongoing: bool,
    pub groups: Json,
    pub status: String,
    pub status_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
