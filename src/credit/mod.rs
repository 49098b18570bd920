//! Credit (信用): records departments find, joint-punishment lists,
//! objections (异议) and repair (信用修复); and the credit status of a
//! subject, always derived from those, never stored by hand.

pub mod graphql;
pub mod rules;
pub mod store;
