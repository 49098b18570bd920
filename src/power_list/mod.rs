//! Power lists (权力清单): the items departments implement, with every element
//! the seed requires, their commitment modes, status, history and published
//! versions. Public to read; each department writes only its own items.

pub mod graphql;
pub mod rules;
pub mod store;
