//! The per-request batch loaders (DataLoader): per-item fetches of one request
//! are gathered into one query per kind. Their caches die with the request,
//! so no replica serves data another replica has changed.

use async_graphql::dataloader::{DataLoader, HashMapCache};

use crate::certificate::store::HolderCertificatesLoader;
use crate::commitment::store::{CommitmentLoader, SubjectCommitmentsLoader};
use crate::credit::store::DossierLoader;
use crate::db::Db;
use crate::directory::store::DepartmentLoader;
use crate::network::store::{
    AgentLoader, AgentsLoader, LegsLoader, MatterByCommitmentLoader, OutletLoader, RatingLoader,
    WindowsLoader,
};
use crate::power_list::store::ItemLoader;
use crate::tasks::store::{MeasuresLoader, NamedLoader, ReportsLoader, TaskLoader};

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
            commitment: DataLoader::new(CommitmentLoader(conn()), tokio::spawn),
            outlets: DataLoader::new(OutletLoader(conn()), tokio::spawn),
            agent: DataLoader::new(AgentLoader(conn()), tokio::spawn),
            windows: DataLoader::new(WindowsLoader(conn()), tokio::spawn),
            agents: DataLoader::new(AgentsLoader(conn()), tokio::spawn),
            legs: DataLoader::new(LegsLoader(conn()), tokio::spawn),
            ratings: DataLoader::new(RatingLoader(conn()), tokio::spawn),
            matter_by_commitment: DataLoader::new(MatterByCommitmentLoader(conn()), tokio::spawn),
            task: DataLoader::new(TaskLoader(conn()), tokio::spawn),
            task_departments: DataLoader::new(NamedLoader(conn()), tokio::spawn),
            task_measures: DataLoader::new(MeasuresLoader(conn()), tokio::spawn),
            task_reports: DataLoader::new(ReportsLoader(conn()), tokio::spawn),
        }
    }
}
