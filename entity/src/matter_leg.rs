//! One leg of a matter's route (village station → township centre → deciding department) with its time limit.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "matter_leg")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub matter_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub seq: i32,
    pub kind: String,
    pub from_dept: String,
    pub to_dept: String,
    pub limit_days: i32,
    pub started_at: Option<DateTimeUtc>,
    pub started_on: Option<Date>,
    pub due_on: Option<Date>,
    pub completed_at: Option<DateTimeUtc>,
    pub completed_on: Option<Date>,
    pub working_days: Option<i32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
