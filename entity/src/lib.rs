//! SeaORM entities of sharing-hub: one module per table.
//!
//! Columns that hold a closed set (a level, a category, a state) are stored as
//! text and parsed into the domain's enums in the hub's `store` modules; nested
//! lists that are only ever read whole (materials, conditions, fees) are JSON.

pub mod audit_entry;
pub mod audit_head;
pub mod department;
pub mod power_item;
pub mod power_item_change;
pub mod power_list_version;
pub mod subject;
