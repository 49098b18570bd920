//! The per-request batch loaders (DataLoader): per-item fetches of one request
//! are gathered into one query per kind. Their caches die with the request,
//! so no replica serves data another replica has changed.

mod waves;

use std::sync::OnceLock;

use async_graphql::dataloader::{DataLoader, HashMapCache};
use futures_util::future::BoxFuture;
use sea_orm::DatabaseConnection;

pub use waves::{InWaves, Queued};

use crate::certificate::store::{CertificateLoader, HolderCertificatesLoader, TypeLoader};
use crate::commitment::store::{
    CommitmentLoader, SubjectCommitmentsLoader, SubjectOpenCommitmentsLoader,
};
use crate::credit::store::DossierLoader;
use crate::db::{Db, Reader};
use crate::directory::store::DepartmentLoader;
use crate::network::store::{
    AgentLoader, AgentsLoader, LegsLoader, MatterByCommitmentLoader, OutletLoader, RatingLoader,
    WindowsLoader,
};
use crate::power_list::store::{ItemLoader, ListedItemLoader};
use crate::tasks::store::{MeasuresLoader, NamedLoader, ReportsLoader, TaskLoader};
use crate::verification::graphql::MAX_BATCH;

/// Declares the loaders of a request: for each, a field that holds it once
/// made and an accessor that makes it the first time a field asks for it
/// (`|l| …` builds it from the [`Loaders`]).
macro_rules! loaders {
    ($( $(#[doc = $doc:literal])* $name:ident: $ty:ty = |$l:ident| $make:expr; )*) => {
        /// Every loader of one request, each made when it is first asked for:
        /// a request uses a few of them, and making and dropping all of them
        /// for every request cost about 10K instructions.
        pub struct Loaders {
            read: DatabaseConnection,
            reader: Reader,
            dispatch: Dispatch,
            $( $name: OnceLock<$ty>, )*
        }

        impl Loaders {
            /// Loaders over the database, whose loads run as `dispatch` says;
            /// none is made yet.
            pub fn new(db: &Db, dispatch: &Dispatch) -> Self {
                Loaders {
                    read: db.read.clone(),
                    reader: db.reader.clone(),
                    dispatch: dispatch.clone(),
                    $( $name: OnceLock::new(), )*
                }
            }

            $(
                $(#[doc = $doc])*
                pub fn $name(&self) -> &$ty {
                    self.$name.get_or_init(|| {
                        let $l = self;
                        $make
                    })
                }
            )*
        }
    };
}

// The lookups every online check makes read through SQLite's inline readers
// where there are some (`l.reader`, see `db::inline`); the rest through the
// read connection (`l.read`).
loaders! {
    /// Departments by code.
    departments: DataLoader<DepartmentLoader> =
        |l| l.dispatch.loader(DepartmentLoader(l.reader.clone()));
    /// Power-list items by code (cached for the request: the commitments of
    /// a batch lookup name a few dozen items between them, and their loads
    /// may fall into several batches).
    items: DataLoader<ItemLoader, HashMapCache> =
        |l| l.dispatch.cached(ItemLoader(l.reader.clone()));
    /// Power-list items by code without their details, as commitments and
    /// matters name them (cached for the request, like `items`).
    listed_items: DataLoader<ListedItemLoader, HashMapCache> =
        |l| l.dispatch.cached(ListedItemLoader(l.reader.clone()));
    /// Credit dossiers by subject (cached for the request, so a batch lookup
    /// can load them all at once and each subject then reads its own).
    dossiers: DataLoader<DossierLoader, HashMapCache> =
        |l| l.dispatch.per_subject(DossierLoader(l.reader.clone()));
    /// Commitments by subject (cached for the request).
    commitments: DataLoader<SubjectCommitmentsLoader, HashMapCache> =
        |l| l.dispatch.per_subject(SubjectCommitmentsLoader(l.reader.clone()));
    /// Open commitments by subject (cached for the request).
    open_commitments: DataLoader<SubjectOpenCommitmentsLoader, HashMapCache> =
        |l| l.dispatch.per_subject(SubjectOpenCommitmentsLoader(l.reader.clone()));
    /// Certificates by holder, as lists read them (cached for the request).
    certificates: DataLoader<HolderCertificatesLoader, HashMapCache> =
        |l| l.dispatch.per_subject(HolderCertificatesLoader(l.reader.clone()));
    /// Whole certificates by id.
    certificate: DataLoader<CertificateLoader> =
        |l| l.dispatch.loader(CertificateLoader(l.reader.clone()));
    /// Certificate types by code (cached for the request: a list's
    /// certificates share a few).
    certificate_types: DataLoader<TypeLoader, HashMapCache> =
        |l| l.dispatch.cached(TypeLoader(l.reader.clone()));
    /// Commitments by id.
    commitment: DataLoader<CommitmentLoader> =
        |l| l.dispatch.loader(CommitmentLoader(l.reader.clone()));
    /// Outlets by code.
    outlets: DataLoader<OutletLoader> = |l| l.dispatch.loader(OutletLoader(l.read.clone()));
    /// Agents by id.
    agent: DataLoader<AgentLoader> = |l| l.dispatch.loader(AgentLoader(l.read.clone()));
    /// Windows by outlet.
    windows: DataLoader<WindowsLoader> = |l| l.dispatch.loader(WindowsLoader(l.read.clone()));
    /// Agents by outlet.
    agents: DataLoader<AgentsLoader> = |l| l.dispatch.loader(AgentsLoader(l.read.clone()));
    /// Routes by matter.
    legs: DataLoader<LegsLoader> = |l| l.dispatch.loader(LegsLoader(l.read.clone()));
    /// Ratings by matter.
    ratings: DataLoader<RatingLoader> = |l| l.dispatch.loader(RatingLoader(l.read.clone()));
    /// Matters by the commitment they became.
    matter_by_commitment: DataLoader<MatterByCommitmentLoader> =
        |l| l.dispatch.loader(MatterByCommitmentLoader(l.read.clone()));
    /// Reform tasks by id.
    task: DataLoader<TaskLoader> = |l| l.dispatch.loader(TaskLoader(l.read.clone()));
    /// Departments a reform task names, by task.
    task_departments: DataLoader<NamedLoader> =
        |l| l.dispatch.loader(NamedLoader(l.read.clone()));
    /// Measures by task.
    task_measures: DataLoader<MeasuresLoader> =
        |l| l.dispatch.loader(MeasuresLoader(l.read.clone()));
    /// Progress reports by task.
    task_reports: DataLoader<ReportsLoader> =
        |l| l.dispatch.loader(ReportsLoader(l.read.clone()));
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

    /// The same, loading as many keys at once as a batch lookup names
    /// subjects: the loaders of what a lookup shows of each subject.
    fn per_subject<T: Send + Sync + 'static>(&self, loader: T) -> DataLoader<T, HashMapCache> {
        self.cached(loader).max_batch_size(MAX_BATCH)
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
