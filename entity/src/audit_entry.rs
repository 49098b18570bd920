//! One audit-log entry. Pending while `seq` is null; sealed into the hash chain
//! by the sequencer, which sets `seq`, `prev_hash` and `hash` once.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_entry")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub at: DateTimeUtc,
    pub sub: String,
    pub dept_code: Option<String>,
    /// QUERY, MUTATION or SUBSCRIPTION.
    pub operation_type: String,
    pub operation: String,
    /// JSON array of the subject ids the operation touched.
    pub subjects: Json,
    pub purpose: Option<String>,
    /// `ok`, or the error codes the operation ended with.
    pub outcome: String,
    pub request_id: String,
    #[sea_orm(unique)]
    pub seq: Option<i64>,
    pub prev_hash: Option<String>,
    pub hash: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
