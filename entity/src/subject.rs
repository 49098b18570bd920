//! A subject (行政相对人): an enterprise or a person, keyed by its checked code.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "subject")]
pub struct Model {
    /// 统一社会信用代码 or 公民身份号码, already checked.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    /// ENTERPRISE or PERSON.
    pub kind: String,
    pub name: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
