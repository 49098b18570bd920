//! A township or street service centre, or a village or community agent station (政务服务中心/代办站).
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "outlet")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub dept_code: String,
    pub station_no: String,
    pub kind: String,
    pub county_code: String,
    #[sea_orm(column_type = "Text")]
    pub address: String,
    pub phone: Option<String>,
    pub opened_on: Date,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
