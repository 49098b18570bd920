//! The reform task ledger (任务分工): every task and measure of the four
//! plans, parsed from the seed, with the progress departments report.

pub mod graphql;
pub mod ledger;
pub mod store;

use crate::stored_enum;

stored_enum! {
    /// How far a task has come, as last reported.
    pub enum TaskStatus {
        /// Nothing reported yet, or reported not started.
        NotStarted = "NOT_STARTED",
        /// Under way.
        InProgress = "IN_PROGRESS",
        /// Done.
        Done = "DONE",
    }
}
