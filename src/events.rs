//! Wake-ups within one process: a subscription polls the database (so it
//! sees what other replicas write), and a local write wakes its poll at once.
//! Nothing here holds data.

use tokio::sync::watch;

/// The process's wake-up channels.
#[derive(Clone, Debug)]
pub struct Events {
    /// Ticks when this process made an assistance request.
    pub assistance: watch::Sender<u64>,
}

impl Default for Events {
    fn default() -> Self {
        Events {
            assistance: watch::channel(0).0,
        }
    }
}

impl Events {
    /// Wakes the assistance subscriptions of this process.
    pub fn assistance_created(&self) {
        self.assistance.send_modify(|n| *n = n.wrapping_add(1));
    }
}
