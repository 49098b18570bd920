//! The per-request batch loaders (DataLoader): per-item fetches of one request
//! are gathered into one query per kind. Their caches die with the request,
//! so no replica serves data another replica has changed.

mod waves;

use async_graphql::dataloader::{DataLoader, HashMapCache};
use futures_util::future::BoxFuture;

pub use waves::{InWaves, Queued};

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

/// How a request's loads run.
#[derive(Clone)]
pub enum Dispatch {
    /// Queued, and run by [`InWaves`] whenever the request's execution waits
    /// for them: the HTTP requests.
    InWaves(Queued),
    /// Each in a task of its own, once the runtime's timer has ticked (up to
    /// a millisecond): the subscriptions, whose executions async-graphql's
    /// WebSocket protocol drives and no [`InWaves`] wraps. The tick lets
    /// sibling fields ask for their keys first.
    Spawned,
}

impl Dispatch {
    /// A loader whose loads run as this dispatch says, without waiting.
    fn loader<T: Send + Sync + 'static>(&self, loader: T) -> DataLoader<T> {
        DataLoader::new(loader, self.spawner()).delay(NO_DELAY)
    }

    /// The same, keeping what it loaded for the rest of the request.
    fn cached<T: Send + Sync + 'static>(&self, loader: T) -> DataLoader<T, HashMapCache> {
        DataLoader::with_cache(loader, self.spawner(), HashMapCache::default()).delay(NO_DELAY)
    }

    /// The spawner a DataLoader is given.
    fn spawner(&self) -> impl Fn(BoxFuture<'static, ()>) + Send + Sync + 'static {
        let dispatch = self.clone();
        move |load| match &dispatch {
            Dispatch::InWaves(queued) => queued.push(load),
            Dispatch::Spawned => {
                tokio::spawn(async move {
                    tokio::time::sleep(std::time::Duration::ZERO).await;
                    load.await;
                });
            }
        }
    }
}

/// How long a loader waits for more keys before it queries: not at all.
/// When a load runs is the dispatch's to decide (see [`Dispatch`]); the wait
/// is a timer of async-graphql's (async-io's, without its `tokio-timer`
/// feature, see `Cargo.toml`), which finds a zero wait over when first
/// polled. A tokio sleep of zero would wait for the next millisecond tick.
const NO_DELAY: std::time::Duration = std::time::Duration::ZERO;

impl Loaders {
    /// Fresh loaders over the read connection, whose loads run as `dispatch`
    /// says.
    pub fn new(db: &Db, dispatch: &Dispatch) -> Self {
        let conn = || db.read.clone();
        // The lookups every online check makes read through SQLite's inline
        // readers where there are some (see `db::inline`).
        let reader = || db.reader.clone();
        // A batch lookup names up to MAX_BATCH subjects: one load each.
        let batch = crate::verification::graphql::MAX_BATCH;
        Loaders {
            departments: dispatch.loader(DepartmentLoader(reader())),
            items: dispatch.cached(ItemLoader(reader())),
            listed_items: dispatch.cached(ListedItemLoader(reader())),
            dossiers: dispatch
                .cached(DossierLoader(reader()))
                .max_batch_size(batch),
            commitments: dispatch
                .cached(SubjectCommitmentsLoader(reader()))
                .max_batch_size(batch),
            open_commitments: dispatch
                .cached(SubjectOpenCommitmentsLoader(reader()))
                .max_batch_size(batch),
            certificates: dispatch
                .cached(HolderCertificatesLoader(reader()))
                .max_batch_size(batch),
            certificate: dispatch.loader(CertificateLoader(reader())),
            certificate_types: dispatch.cached(TypeLoader(reader())),
            commitment: dispatch.loader(CommitmentLoader(reader())),
            outlets: dispatch.loader(OutletLoader(conn())),
            agent: dispatch.loader(AgentLoader(conn())),
            windows: dispatch.loader(WindowsLoader(conn())),
            agents: dispatch.loader(AgentsLoader(conn())),
            legs: dispatch.loader(LegsLoader(conn())),
            ratings: dispatch.loader(RatingLoader(conn())),
            matter_by_commitment: dispatch.loader(MatterByCommitmentLoader(conn())),
            task: dispatch.loader(TaskLoader(conn())),
            task_departments: dispatch.loader(NamedLoader(conn())),
            task_measures: dispatch.loader(MeasuresLoader(conn())),
            task_reports: dispatch.loader(ReportsLoader(conn())),
        }
    }
}
