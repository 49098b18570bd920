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
        let spawn = || dispatch.spawner();
        let conn = || db.read.clone();
        // The lookups every online check makes read through SQLite's inline
        // readers where there are some (see `db::inline`).
        let reader = || db.reader.clone();
        // A batch lookup names up to MAX_BATCH subjects: one load each.
        let batch = crate::verification::graphql::MAX_BATCH;
        Loaders {
            departments: DataLoader::new(DepartmentLoader(reader()), spawn()).delay(NO_DELAY),
            items: DataLoader::with_cache(ItemLoader(reader()), spawn(), HashMapCache::default())
                .delay(NO_DELAY),
            listed_items: DataLoader::with_cache(
                ListedItemLoader(reader()),
                spawn(),
                HashMapCache::default(),
            )
            .delay(NO_DELAY),
            dossiers: DataLoader::with_cache(
                DossierLoader(reader()),
                spawn(),
                HashMapCache::default(),
            )
            .delay(NO_DELAY)
            .max_batch_size(batch),
            commitments: DataLoader::with_cache(
                SubjectCommitmentsLoader(reader()),
                spawn(),
                HashMapCache::default(),
            )
            .delay(NO_DELAY)
            .max_batch_size(batch),
            open_commitments: DataLoader::with_cache(
                SubjectOpenCommitmentsLoader(reader()),
                spawn(),
                HashMapCache::default(),
            )
            .delay(NO_DELAY)
            .max_batch_size(batch),
            certificates: DataLoader::with_cache(
                HolderCertificatesLoader(reader()),
                spawn(),
                HashMapCache::default(),
            )
            .delay(NO_DELAY)
            .max_batch_size(batch),
            certificate: DataLoader::new(CertificateLoader(reader()), spawn()).delay(NO_DELAY),
            certificate_types: DataLoader::with_cache(
                TypeLoader(reader()),
                spawn(),
                HashMapCache::default(),
            )
            .delay(NO_DELAY),
            commitment: DataLoader::new(CommitmentLoader(reader()), spawn()).delay(NO_DELAY),
            outlets: DataLoader::new(OutletLoader(conn()), spawn()).delay(NO_DELAY),
            agent: DataLoader::new(AgentLoader(conn()), spawn()).delay(NO_DELAY),
            windows: DataLoader::new(WindowsLoader(conn()), spawn()).delay(NO_DELAY),
            agents: DataLoader::new(AgentsLoader(conn()), spawn()).delay(NO_DELAY),
            legs: DataLoader::new(LegsLoader(conn()), spawn()).delay(NO_DELAY),
            ratings: DataLoader::new(RatingLoader(conn()), spawn()).delay(NO_DELAY),
            matter_by_commitment: DataLoader::new(MatterByCommitmentLoader(conn()), spawn())
                .delay(NO_DELAY),
            task: DataLoader::new(TaskLoader(conn()), spawn()).delay(NO_DELAY),
            task_departments: DataLoader::new(NamedLoader(conn()), spawn()).delay(NO_DELAY),
            task_measures: DataLoader::new(MeasuresLoader(conn()), spawn()).delay(NO_DELAY),
            task_reports: DataLoader::new(ReportsLoader(conn()), spawn()).delay(NO_DELAY),
        }
    }
}
