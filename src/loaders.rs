//! The per-request batch loaders (DataLoader): per-item fetches of one request
//! are gathered into one query per kind. Their caches die with the request,
//! so no replica serves data another replica has changed.

use async_graphql::dataloader::DataLoader;

use crate::certificate::store::HolderCertificatesLoader;
use crate::commitment::store::SubjectCommitmentsLoader;
use crate::credit::store::DossierLoader;
use crate::db::Db;
use crate::directory::store::DepartmentLoader;
use crate::power_list::store::ItemLoader;

/// Every loader of one request.
pub struct Loaders {
    /// Departments by code.
    pub departments: DataLoader<DepartmentLoader>,
    /// Power-list items by code.
    pub items: DataLoader<ItemLoader>,
    /// Credit dossiers by subject.
    pub dossiers: DataLoader<DossierLoader>,
    /// Commitments by subject.
    pub commitments: DataLoader<SubjectCommitmentsLoader>,
    /// Certificates by holder.
    pub certificates: DataLoader<HolderCertificatesLoader>,
}

impl Loaders {
    /// Fresh loaders over the read connection.
    pub fn new(db: &Db) -> Self {
        let conn = || db.read.clone();
        Loaders {
            departments: DataLoader::new(DepartmentLoader(conn()), tokio::spawn),
            items: DataLoader::new(ItemLoader(conn()), tokio::spawn),
            dossiers: DataLoader::new(DossierLoader(conn()), tokio::spawn),
            commitments: DataLoader::new(SubjectCommitmentsLoader(conn()), tokio::spawn),
            certificates: DataLoader::new(HolderCertificatesLoader(conn()), tokio::spawn),
        }
    }
}
