//! SeaORM entities of sharing-hub: one module per table or view.
//!
//! Columns that hold a closed set (a level, a category, a state) are stored as
//! text and parsed into the domain's enums in the hub's `store` modules; nested
//! lists that are only ever read whole (materials, conditions, fees) are JSON.

pub mod agent;
pub mod assistance_request;
pub mod audit_entry;
pub mod audit_fact;
pub mod audit_head;
pub mod calendar_day;
pub mod calendar_year;
pub mod certificate;
pub mod certificate_listed;
pub mod certificate_serial;
pub mod certificate_type;
pub mod commitment;
pub mod commitment_event;
pub mod commitment_named;
pub mod credit_objection;
pub mod credit_record;
pub mod credit_repair;
pub mod department;
pub mod issuer_key;
pub mod matter;
pub mod matter_leg;
pub mod outlet;
pub mod outlet_window;
pub mod power_item;
pub mod power_item_change;
pub mod power_item_listed;
pub mod power_item_outlet;
pub mod power_list_version;
pub mod promised_material;
pub mod punishment_entry;
pub mod rating;
pub mod reform_task;
pub mod reform_task_dept;
pub mod subject;
pub mod task_report;
pub mod verification_report;
pub mod working_day;
