//! A rating of a concluded matter (好差评), with the follow-up of a bad one (差评整改).
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "rating")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub matter_id: Uuid,
    pub level: String,
    pub bad: bool,
    #[sea_orm(column_type = "Text")]
    pub comment: Option<String>,
    pub rater_id: String,
    pub channel_sub: String,
    pub channel_dept: String,
    pub outlet_dept: String,
    pub deciding_dept: String,
    pub rated_at: DateTimeUtc,
    pub rated_on: Date,
    pub follow_up_due: Option<Date>,
    #[sea_orm(column_type = "Text")]
    pub answer: Option<String>,
    pub answered_at: Option<DateTimeUtc>,
    pub answered_on: Option<Date>,
    pub answered_by: Option<String>,
    pub answered_dept: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
