//! A department (部门): a government body, a service centre or an agent station.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "department")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub code: String,
    pub name: String,
    /// PROVINCE, CITY, COUNTY, TOWNSHIP or VILLAGE.
    pub level: String,
    /// 行政区划代码, six digits.
    pub region_code: String,
    pub parent_code: Option<String>,
    /// The department's own 统一社会信用代码, where it issues certificates.
    #[sea_orm(unique)]
    pub uscc: Option<String>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
