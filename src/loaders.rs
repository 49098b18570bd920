//! The per-request batch loaders (DataLoader): per-item fetches of one request
//! are gathered into one query per kind. Their caches die with the request,
//! so no replica serves data another replica has changed.

use async_graphql::dataloader::DataLoader;

use crate::db::Db;
use crate::directory::store::DepartmentLoader;

/// Every loader of one request.
pub struct Loaders {
    /// Departments by code.
    pub departments: DataLoader<DepartmentLoader>,
}

impl Loaders {
    /// Fresh loaders over the read connection.
    pub fn new(db: &Db) -> Self {
        Loaders {
            departments: DataLoader::new(DepartmentLoader(db.read.clone()), tokio::spawn),
        }
    }
}
