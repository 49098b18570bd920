//! The structured side of an audit entry, for aggregation: a verification and its result, a cross-agency lookup.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_fact")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub at: DateTimeUtc,
    pub request_id: String,
    pub requester_dept: Option<String>,
    pub kind: String,
    pub owner_dept: Option<String>,
    pub subject_id: Option<String>,
    pub result: String,
    pub detail: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
