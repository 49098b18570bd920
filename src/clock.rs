//! The hub's notion of "now" for the domain: deadlines, overdue flags, due
//! dates. Production uses the system clock; tests move it forward to play
//! scenarios whose deadlines pass ("the rectification deadline passes …").
//! Audit timestamps always use the real time.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use chrono::{DateTime, Duration, NaiveDate, Utc};

/// The day an instant falls on in China Standard Time (UTC+8).
pub fn china_day(t: DateTime<Utc>) -> NaiveDate {
    (t + Duration::hours(8)).date_naive()
}

/// A clock, shared by clones.
#[derive(Clone, Debug, Default)]
pub struct Clock {
    offset_secs: Arc<AtomicI64>,
}

impl Clock {
    /// The current instant, microsecond precision.
    pub fn now(&self) -> DateTime<Utc> {
        crate::util::now() + Duration::seconds(self.offset_secs.load(Ordering::Relaxed))
    }

    /// Today in China Standard Time (UTC+8), the day deadlines count in.
    pub fn today(&self) -> NaiveDate {
        china_day(self.now())
    }

    /// Moves the clock forward (tests only: production never calls it).
    pub fn advance(&self, by: Duration) {
        self.offset_secs
            .fetch_add(by.num_seconds(), Ordering::Relaxed);
    }

    /// Sets the clock to `instant` (tests only: production never calls it).
    pub fn set(&self, instant: DateTime<Utc>) {
        let offset = instant - crate::util::now();
        self.offset_secs
            .store(offset.num_seconds(), Ordering::Relaxed);
    }
}
