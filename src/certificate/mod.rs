//! E-certificates (电子证照): types, issuing and signing, lifecycle,
//! verification across departments and regions.

pub mod canonical;
pub mod graphql;
pub mod rules;
pub mod seal;
pub mod store;
pub mod verify;
