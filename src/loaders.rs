//! The per-request batch loaders (DataLoader): per-item fetches of one request
//! are gathered into one query per kind. Their caches die with the request,
//! so no replica serves data another replica has changed.

use async_graphql::dataloader::{DataLoader, HashMapCache};

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
    /// Credit dossiers by subject (cached for the request, so a batch lookup
    /// can load them all at once and each subject then reads its own).
    pub dossiers: DataLoader<DossierLoader, HashMapCache>,
    /// Commitments by subject (cached for the request).
    pub commitments: DataLoader<SubjectCommitmentsLoader, HashMapCache>,
    /// Certificates by holder (cached for the request).
    pub certificates: DataLoader<HolderCertificatesLoader, HashMapCache>,
}

impl Loaders {
    /// Fresh loaders over the read connection.
    pub fn new(db: &Db) -> Self {
        let conn = || db.read.clone();
        // A batch lookup names up to MAX_BATCH subjects: one load each.
        let batch = crate::verification::graphql::MAX_BATCH;
        Loaders {
            departments: DataLoader::new(DepartmentLoader(conn()), tokio::spawn),
            items: DataLoader::new(ItemLoader(conn()), tokio::spawn),
            dossiers: DataLoader::with_cache(
                DossierLoader(conn()),
                tokio::spawn,
                HashMapCache::default(),
            )
            .max_batch_size(batch),
            commitments: DataLoader::with_cache(
                SubjectCommitmentsLoader(conn()),
                tokio::spawn,
                HashMapCache::default(),
            )
            .max_batch_size(batch),
            certificates: DataLoader::with_cache(
                HolderCertificatesLoader(conn()),
                tokio::spawn,
                HashMapCache::default(),
            )
            .max_batch_size(batch),
        }
    }
}
