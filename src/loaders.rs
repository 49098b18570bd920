//! The per-request batch loaders (DataLoader): per-item fetches of one request
//! are gathered into one query per kind. Their caches die with the request,
//! so no replica serves data another replica has changed.

use async_graphql::dataloader::{DataLoader, HashMapCache};

use crate::certificate::store::{CertificateLoader, HolderCertificatesLoader, TypeLoader};
use crate::commitment::store::{
    CommitmentLoader, SubjectCommitmentsLoader, SubjectOpenCommitmentsLoader,
};
use crate::credit::store::DossierLoader;
use crate::db::Db;
use crate::directory::store::DepartmentLoader;
use crate::network::store::{
    AgentLoader, AgentsLoader, LegsLoader, MatterByCommitmentLoader, OutletLoader, RatingLoader,
    WindowsLoader,
};
use crate::power_list::store::{ItemLoader, ListedItemLoader};
use crate::tasks::store::{MeasuresLoader, NamedLoader, ReportsLoader, TaskLoader};

/// Every loader of one request.
pub struct Loaders {
    /// Departments by code.
    pub departments: DataLoader<DepartmentLoader>,
    /// Power-list items by code (cached for the request: the commitments of
    /// a batch lookup name a few dozen items between them, and their loads
    /// may fall into several batches).
    pub items: DataLoader<ItemLoader, HashMapCache>,
    /// Power-list items by code without their details, as commitments and
    /// matters name them (cached for the request, like `items`).
    pub listed_items: DataLoader<ListedItemLoader, HashMapCache>,
    /// Credit dossiers by subject (cached for the request, so a batch lookup
    /// can load them all at once and each subject then reads its own).
    pub dossiers: DataLoader<DossierLoader, HashMapCache>,
    /// Commitments by subject (cached for the request).
    pub commitments: DataLoader<SubjectCommitmentsLoader, HashMapCache>,
    /// Open commitments by subject (cached for the request).
    pub open_commitments: DataLoader<SubjectOpenCommitmentsLoader, HashMapCache>,
    /// Certificates by holder, as lists read them (cached for the request).
    pub certificates: DataLoader<HolderCertificatesLoader, HashMapCache>,
    /// Whole certificates by id.
    pub certificate: DataLoader<CertificateLoader>,
    /// Certificate types by code (cached for the request: a list's
    /// certificates share a few).
    pub certificate_types: DataLoader<TypeLoader, HashMapCache>,
    /// Commitments by id.
    pub commitment: DataLoader<CommitmentLoader>,
    /// Outlets by code.
    pub outlets: DataLoader<OutletLoader>,
    /// Agents by id.
    pub agent: DataLoader<AgentLoader>,
    /// Windows by outlet.
    pub windows: DataLoader<WindowsLoader>,
    /// Agents by outlet.
    pub agents: DataLoader<AgentsLoader>,
    /// Routes by matter.
    pub legs: DataLoader<LegsLoader>,
    /// Ratings by matter.
    pub ratings: DataLoader<RatingLoader>,
    /// Matters by the commitment they became.
    pub matter_by_commitment: DataLoader<MatterByCommitmentLoader>,
    /// Reform tasks by id.
    pub task: DataLoader<TaskLoader>,
    /// Departments a reform task names, by task.
    pub task_departments: DataLoader<NamedLoader>,
    /// Measures by task.
    pub task_measures: DataLoader<MeasuresLoader>,
    /// Progress reports by task.
    pub task_reports: DataLoader<ReportsLoader>,
}

/// How long a loader waits for more keys before it queries. Sibling fields
/// register their keys in the same poll, before the spawned load runs, so
/// no wait is needed to batch them; the library's default (1 ms) only adds
/// latency to every request.
const NO_DELAY: std::time::Duration = std::time::Duration::ZERO;

impl Loaders {
    /// Fresh loaders over the read connection.
    pub fn new(db: &Db) -> Self {
        let conn = || db.read.clone();
        // The lookups every online check makes read through SQLite's inline
        // readers where there are some (see `db::inline`).
        let reader = || db.reader.clone();
        // A batch lookup names up to MAX_BATCH subjects: one load each.
        let batch = crate::verification::graphql::MAX_BATCH;
        Loaders {
            departments: DataLoader::new(DepartmentLoader(reader()), tokio::spawn).delay(NO_DELAY),
            items: DataLoader::with_cache(
                ItemLoader(reader()),
                tokio::spawn,
                HashMapCache::default(),
            )
            .delay(NO_DELAY),
            listed_items: DataLoader::with_cache(
                ListedItemLoader(reader()),
                tokio::spawn,
                HashMapCache::default(),
            )
            .delay(NO_DELAY),
            dossiers: DataLoader::with_cache(
                DossierLoader(reader()),
                tokio::spawn,
                HashMapCache::default(),
            )
            .delay(NO_DELAY)
            .max_batch_size(batch),
            commitments: DataLoader::with_cache(
                SubjectCommitmentsLoader(reader()),
                tokio::spawn,
                HashMapCache::default(),
            )
            .delay(NO_DELAY)
            .max_batch_size(batch),
            open_commitments: DataLoader::with_cache(
                SubjectOpenCommitmentsLoader(reader()),
                tokio::spawn,
                HashMapCache::default(),
            )
            .delay(NO_DELAY)
            .max_batch_size(batch),
            certificates: DataLoader::with_cache(
                HolderCertificatesLoader(reader()),
                tokio::spawn,
                HashMapCache::default(),
            )
            .delay(NO_DELAY)
            .max_batch_size(batch),
            certificate: DataLoader::new(CertificateLoader(reader()), tokio::spawn).delay(NO_DELAY),
            certificate_types: DataLoader::with_cache(
                TypeLoader(reader()),
                tokio::spawn,
                HashMapCache::default(),
            )
            .delay(NO_DELAY),
            commitment: DataLoader::new(CommitmentLoader(reader()), tokio::spawn).delay(NO_DELAY),
            outlets: DataLoader::new(OutletLoader(conn()), tokio::spawn).delay(NO_DELAY),
            agent: DataLoader::new(AgentLoader(conn()), tokio::spawn).delay(NO_DELAY),
            windows: DataLoader::new(WindowsLoader(conn()), tokio::spawn).delay(NO_DELAY),
            agents: DataLoader::new(AgentsLoader(conn()), tokio::spawn).delay(NO_DELAY),
            legs: DataLoader::new(LegsLoader(conn()), tokio::spawn).delay(NO_DELAY),
            ratings: DataLoader::new(RatingLoader(conn()), tokio::spawn).delay(NO_DELAY),
            matter_by_commitment: DataLoader::new(MatterByCommitmentLoader(conn()), tokio::spawn)
                .delay(NO_DELAY),
            task: DataLoader::new(TaskLoader(conn()), tokio::spawn).delay(NO_DELAY),
            task_departments: DataLoader::new(NamedLoader(conn()), tokio::spawn).delay(NO_DELAY),
            task_measures: DataLoader::new(MeasuresLoader(conn()), tokio::spawn).delay(NO_DELAY),
            task_reports: DataLoader::new(ReportsLoader(conn()), tokio::spawn).delay(NO_DELAY),
        }
    }
}
