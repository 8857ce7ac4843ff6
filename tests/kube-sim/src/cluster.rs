//! The state one server shares between requests: the store behind a lock, a signal that it
//! changed (watches wait on it), a signal to stop, and the users' tokens.

use std::sync::{Mutex, MutexGuard};

use tokio::sync::watch;

use crate::auth::Tokens;
use crate::store::Store;

/// One simulated cluster.
#[derive(Debug)]
pub struct Cluster {
    store: Mutex<Store>,
    changed: watch::Sender<u64>,
    stopping: watch::Sender<bool>,
    /// Who may call it.
    pub tokens: Tokens,
    /// Print one line per request on stderr (`--log-requests`).
    pub log_requests: bool,
}

impl Default for Cluster {
    fn default() -> Self {
        Self::new(false)
    }
}

impl Cluster {
    /// An empty cluster (the standard namespaces only), logging requests if asked.
    pub fn new(log_requests: bool) -> Self {
        Self {
            store: Mutex::new(Store::new()),
            changed: watch::Sender::new(0),
            stopping: watch::Sender::new(false),
            tokens: Tokens::new(),
            log_requests,
        }
    }

    /// Reads the store.
    pub fn read(&self) -> MutexGuard<'_, Store> {
        self.store
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Changes the store, then wakes the watches.
    pub fn write<T>(&self, change: impl FnOnce(&mut Store) -> T) -> T {
        let (result, version) = {
            let mut store = self.read();
            let result = change(&mut store);
            (result, store.resource_version())
        };
        self.changed.send_replace(version);
        result
    }

    /// A receiver told about every change.
    pub fn subscribe(&self) -> watch::Receiver<u64> {
        self.changed.subscribe()
    }

    /// A receiver told when the server stops.
    pub fn stopping(&self) -> watch::Receiver<bool> {
        self.stopping.subscribe()
    }

    /// Ends every watch (the server is stopping).
    pub fn stop(&self) {
        self.stopping.send_replace(true);
    }
}
