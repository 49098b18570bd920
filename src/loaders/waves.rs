//! Running a request's batch loads when the request has nothing else to do.
//!
//! A DataLoader gathers the keys its callers ask for and hands the library's
//! spawner one load for all of them. When that load runs decides the batch:
//! too early and the keys that sibling fields ask for a moment later go into
//! loads of their own (a batch lookup then reads every commitment's documents
//! in a query each); too late and every level of loads adds a wait. A timer
//! only guesses: async-graphql's default waits a millisecond, which tokio
//! rounds up to its next tick, at every level of loads of every request.
//!
//! [`InWaves`] knows instead of guessing. It runs a request's execution and
//! keeps the loads the execution queues ([`Queued`]). Whenever the execution
//! stops without having woken itself (it waits for nothing but data), every
//! field that could ask for a key has asked, and the queued loads run, inside
//! the request's own task: one load per loader and level, as the timer gave
//! at best, with no wait and no task spawned for it. When a load's answer
//! wakes the execution, it goes on at once.
//!
//! An execution that woke itself during its poll (a list of more than 30
//! items is resolved through `FuturesUnordered`, which yields every 32) is
//! polled again before any load runs, so its yielding does not split a
//! batch. tokio defers the wakes of its own yields (its budget's, its
//! `yield_now`'s) until the poll is over, so those are not seen: an execution
//! that spends its budget on tokio's resources (a resolver's own query on
//! PostgreSQL) may have a batch split in two, and its wake still comes. The
//! loaders answer through futures' channels, which take no budget.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Wake, Waker};

use futures_util::future::BoxFuture;
use futures_util::stream::{FuturesUnordered, StreamExt};

use crate::db::Reader;
use crate::util::lock;

/// The loads a request's DataLoaders have handed over and that have not
/// started yet. Cloned into each loader's spawner.
#[derive(Clone, Default)]
pub struct Queued(Arc<Mutex<Vec<BoxFuture<'static, ()>>>>);

impl Queued {
    /// Keeps a load until the request's execution waits (the spawner given
    /// to each DataLoader).
    pub fn push(&self, load: BoxFuture<'static, ()>) {
        lock(&self.0).push(load);
    }

    fn take(&self) -> Vec<BoxFuture<'static, ()>> {
        std::mem::take(&mut *lock(&self.0))
    }

    fn is_empty(&self) -> bool {
        lock(&self.0).is_empty()
    }
}

/// A waker that passes every wake on to the task's and notes that one came.
struct Noting {
    woken: AtomicBool,
    task: Mutex<Waker>,
}

impl Noting {
    fn new(task: &Waker) -> Arc<Noting> {
        Arc::new(Noting {
            woken: AtomicBool::new(false),
            task: Mutex::new(task.clone()),
        })
    }

    /// Wakes go to `task` from now on.
    fn serve(&self, task: &Waker) {
        let mut current = lock(&self.task);
        if !current.will_wake(task) {
            *current = task.clone();
        }
    }

    fn reset(&self) {
        self.woken.store(false, Ordering::SeqCst);
    }

    fn woken(&self) -> bool {
        self.woken.load(Ordering::SeqCst)
    }
}

impl Wake for Noting {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.woken.store(true, Ordering::SeqCst);
        lock(&self.task).wake_by_ref();
    }
}

/// A request's execution, with its queued loads run whenever it waits for
/// them (see the module's notes).
pub struct InWaves<F> {
    execution: Pin<Box<F>>,
    queued: Queued,
    running: FuturesUnordered<BoxFuture<'static, ()>>,
    /// Noting the execution's wakes.
    wakes: Arc<Noting>,
    /// Where each poll's reads share one read transaction, if anywhere.
    reader: Option<Reader>,
}

impl<F: Future> InWaves<F> {
    /// Runs `execution`, whose DataLoaders queue their loads in `queued`.
    pub fn new(execution: F, queued: Queued) -> Self {
        InWaves {
            execution: Box::pin(execution),
            queued,
            running: FuturesUnordered::new(),
            // Given the task's waker on the first poll.
            wakes: Noting::new(Waker::noop()),
            reader: None,
        }
    }

    /// Runs the reads of each poll, the execution's and its loads', in one
    /// read transaction of `reader`'s ([`Reader::one_read`]): one snapshot
    /// for all, and one transaction begun and ended rather than one per
    /// statement. Only for a read-only operation: a write committed during
    /// a poll would not be seen by the reads after it in the same poll.
    pub fn in_one_read(mut self, reader: Reader) -> Self {
        self.reader = Some(reader);
        self
    }
}

impl<F: Future> Future for InWaves<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.get_mut();
        let _one_read = this.reader.as_ref().map(Reader::one_read);
        let execution_wakes = &this.wakes;
        execution_wakes.serve(cx.waker());
        let execution_waker = Waker::from(execution_wakes.clone());
        loop {
            execution_wakes.reset();
            if let Poll::Ready(out) = this
                .execution
                .as_mut()
                .poll(&mut Context::from_waker(&execution_waker))
            {
                return Poll::Ready(out);
            }
            if execution_wakes.woken() {
                // It yielded and has more to do (the task's waker has been
                // woken): its fields may still ask for keys.
                return Poll::Pending;
            }
            // Every load that can finish now does; an answer wakes the
            // execution, which then goes on with it. A load waiting on the
            // database, or yielding, wakes the task itself. A load that asks
            // another loader has that load run too, before the execution.
            loop {
                this.running.extend(this.queued.take());
                if this.running.is_empty() {
                    break;
                }
                while let Poll::Ready(Some(())) = this.running.poll_next_unpin(cx) {}
                if this.queued.is_empty() {
                    break;
                }
            }
            if !execution_wakes.woken() {
                return Poll::Pending;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::sync::atomic::AtomicUsize;

    use async_graphql::dataloader::{DataLoader, Loader};

    use super::*;

    /// Counts its loads and the keys of each.
    struct Counting(Arc<Mutex<Vec<usize>>>);

    impl Loader<u32> for Counting {
        type Value = u32;
        type Error = String;

        async fn load(&self, keys: &[u32]) -> Result<HashMap<u32, u32>, String> {
            // A load that waits once, as one on a database's socket does.
            tokio::task::yield_now().await;
            lock(&self.0).push(keys.len());
            Ok(keys.iter().map(|k| (*k, k * 2)).collect())
        }
    }

    /// Yields once, waking its task at once, as `FuturesUnordered` does
    /// (tokio's own `yield_now` defers the wake until the poll is over).
    async fn yield_now() {
        let mut yielded = false;
        std::future::poll_fn(|cx| {
            if yielded {
                return Poll::Ready(());
            }
            yielded = true;
            cx.waker().wake_by_ref();
            Poll::Pending
        })
        .await
    }

    fn loader(queued: &Queued) -> (DataLoader<Counting>, Arc<Mutex<Vec<usize>>>) {
        let loads = Arc::new(Mutex::new(Vec::new()));
        let q = queued.clone();
        let loader = DataLoader::new(Counting(loads.clone()), move |f| q.push(f))
            .delay(std::time::Duration::ZERO);
        (loader, loads)
    }

    #[tokio::test]
    async fn keys_asked_for_across_yields_go_into_one_load_per_level() {
        let queued = Queued::default();
        let (loader, loads) = loader(&queued);
        let loader = &loader;
        let yields = AtomicUsize::new(0);
        let yields = &yields;
        // 100 callers, each yielding a different number of times before it
        // asks (as fields deep in a list do), then asking again with what it
        // got: two levels.
        let execution = futures_util::future::join_all((0..100u32).map(|i| async move {
            for _ in 0..i % 7 {
                yields.fetch_add(1, Ordering::Relaxed);
                yield_now().await;
            }
            let answer = |got: Result<Option<u32>, String>| {
                got.expect("the load answers").expect("every key is found")
            };
            let first = answer(loader.load_one(i).await);
            answer(loader.load_one(first + 1000).await)
        }));
        let got = InWaves::new(execution, queued).await;
        assert_eq!(
            got,
            (0..100).map(|i| (i * 2 + 1000) * 2).collect::<Vec<_>>()
        );
        assert!(yields.load(Ordering::Relaxed) > 0);
        assert_eq!(*lock(&loads), vec![100, 100], "one load per level");
    }

    #[tokio::test]
    async fn a_load_that_asks_another_loader_is_answered() {
        struct Asking(DataLoader<Counting>);
        impl Loader<u32> for Asking {
            type Value = u32;
            type Error = String;
            async fn load(&self, keys: &[u32]) -> Result<HashMap<u32, u32>, String> {
                let doubled = self.0.load_many(keys.iter().copied()).await?;
                Ok(doubled.into_iter().map(|(k, v)| (k, v + 1)).collect())
            }
        }
        let queued = Queued::default();
        let (inner, loads) = loader(&queued);
        let q = queued.clone();
        let asking =
            DataLoader::new(Asking(inner), move |f| q.push(f)).delay(std::time::Duration::ZERO);
        let asking = &asking;
        let execution = futures_util::future::join_all(
            (1..=3u32).map(|i| async move { asking.load_one(i).await }),
        );
        // Bounded, so that a load left waiting fails the test instead of
        // holding it.
        let got = tokio::time::timeout(
            std::time::Duration::from_secs(10),
            InWaves::new(execution, queued),
        )
        .await
        .expect("the inner loader's load runs");
        assert_eq!(got, vec![Ok(Some(3)), Ok(Some(5)), Ok(Some(7))]);
        assert_eq!(*lock(&loads), vec![3]);
    }

    #[tokio::test]
    async fn an_execution_without_loads_finishes_and_one_that_fails_a_load_is_answered() {
        let queued = Queued::default();
        assert_eq!(InWaves::new(async { 7 }, queued.clone()).await, 7);

        struct Failing;
        impl Loader<u32> for Failing {
            type Value = u32;
            type Error = String;
            async fn load(&self, _: &[u32]) -> Result<HashMap<u32, u32>, String> {
                Err("the database is gone".into())
            }
        }
        let q = queued.clone();
        let failing = DataLoader::new(Failing, move |f| q.push(f));
        let got = InWaves::new(failing.load_one(1), queued).await;
        assert_eq!(got, Err("the database is gone".to_owned()));
    }
}
