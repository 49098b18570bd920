//! The commitments as lists read them, through the view `commitment_named`
//! (migration 12): every column of [`super::commitment`] but the three
//! documents (statements, signed notification, materials), which are about
//! 1 KB a row and which no list shows, and with the name of each one's item
//! joined in, so that a list names its items in the same read. Read only;
//! rows are written through `commitment`.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "commitment_named")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub item_code: String,
    pub dept_code: String,
    pub subject_id: String,
    pub subject_kind: String,
    pub applicant_name: String,
    pub mode: String,
    pub kind: Option<String>,
    pub state: String,
    pub operating: bool,
    pub verification_method: String,
    pub credit_level: String,
    pub published: bool,
    pub publish_until: Option<Date>,
    pub submitted_at: DateTimeUtc,
    pub submitted_on: Date,
    pub submitted_by: String,
    pub decided_on: Option<Date>,
    pub decided_at: Option<DateTimeUtc>,
    pub verification_due: Option<Date>,
    pub verified_at: Option<DateTimeUtc>,
    pub rectification_due: Option<Date>,
    pub receipt_confirmed_at: Option<DateTimeUtc>,
    pub concluded_at: Option<DateTimeUtc>,
    pub credit_push_due: Option<Date>,
    pub credit_pushed_at: Option<DateTimeUtc>,
    pub version: i32,
    /// The item's name (`power_item.name`); empty only if the item were gone.
    pub item_name: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
