//! Departments (部门) and subjects (行政相对人): who acts, and who is acted on.

pub mod graphql;
pub mod store;

use crate::stored_enum;

stored_enum! {
    /// The administrative level of a department.
    pub enum Level {
        /// 省级.
        Province = "PROVINCE",
        /// 市级.
        City = "CITY",
        /// 县级 (counties and districts).
        County = "COUNTY",
        /// 乡镇/街道: township and street service centres.
        Township = "TOWNSHIP",
        /// 村/居: village and community agent stations.
        Village = "VILLAGE",
    }
}
