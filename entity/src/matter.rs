//! A matter (办件): an application or a commitment as received, with where it was accepted and how it travels.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "matter")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub item_code: String,
    pub kind: String,
    pub subject_id: String,
    pub applicant_name: String,
    pub origin_dept: String,
    pub accepted_dept: String,
    pub deciding_dept: String,
    pub proxied: bool,
    pub agent_id: Option<Uuid>,
    pub authorisation: Option<Json>,
    pub state: String,
    pub outcome: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub outcome_reason: Option<String>,
    pub commitment_id: Option<Uuid>,
    pub draft: Option<Json>,
    pub materials: Json,
    pub notice: Option<Json>,
    pub received_at: DateTimeUtc,
    pub received_on: Date,
    pub complete_at: Option<DateTimeUtc>,
    pub concluded_at: Option<DateTimeUtc>,
    pub concluded_on: Option<Date>,
    pub created_by: String,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
