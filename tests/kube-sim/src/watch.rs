//! Watches: a stream of `{"type": ..., "object": ...}` lines. A watch without a resource
//! version first replays the matching objects as `ADDED`; with `sendInitialEvents=true` (helm 4's
//! streaming lists) it then sends a `BOOKMARK` annotated `k8s.io/initial-events-end`; from a
//! resource version it replays the changes after it (or a 410 `ERROR` when they are forgotten).

use std::collections::VecDeque;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use futures_util::Stream;
use serde_json::{Value, json};
use tokio::sync::watch;
use tokio::time::Instant;

use crate::cluster::Cluster;
use crate::resources::Resource;
use crate::selector::Selectors;
use crate::status::ApiError;
use crate::store::{ChangeKind, Store};

/// Where a watch starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Start {
    /// `ADDED` for every matching object, then changes (no or `0` resource version).
    Existing,
    /// The same, then a bookmark ending the initial events (`sendInitialEvents=true`).
    InitialEvents,
    /// Changes after this resource version.
    After(u64),
}

/// What to watch.
#[derive(Debug, Clone)]
pub struct WatchRequest {
    /// The resource.
    pub resource: Resource,
    /// The version objects are answered in.
    pub version: String,
    /// One namespace, or all.
    pub namespace: Option<String>,
    /// Label and field selectors.
    pub selectors: Selectors,
    /// Where to start.
    pub start: Start,
    /// `timeoutSeconds`.
    pub timeout: Option<Duration>,
}

struct Watcher {
    cluster: Arc<Cluster>,
    request: WatchRequest,
    changed: watch::Receiver<u64>,
    stopping: watch::Receiver<bool>,
    deadline: Option<Instant>,
    pending: VecDeque<Vec<u8>>,
    seen: u64,
    done: bool,
}

/// The event lines of a watch, until it times out, the client goes or the server stops.
pub fn events(
    cluster: Arc<Cluster>,
    request: WatchRequest,
) -> impl Stream<Item = Result<Vec<u8>, Infallible>> {
    let changed = cluster.subscribe();
    let stopping = cluster.stopping();
    let mut watcher = Watcher {
        deadline: request.timeout.map(|t| Instant::now() + t),
        cluster,
        request,
        changed,
        stopping,
        pending: VecDeque::new(),
        seen: 0,
        done: false,
    };
    watcher.begin();
    futures_util::stream::unfold(watcher, |mut watcher| async move {
        loop {
            if let Some(line) = watcher.pending.pop_front() {
                return Some((Ok(line), watcher));
            }
            if watcher.done || *watcher.stopping.borrow() {
                return None;
            }
            let deadline = watcher
                .deadline
                .unwrap_or_else(|| Instant::now() + Duration::from_secs(3600));
            tokio::select! {
                changed = watcher.changed.changed() => if changed.is_err() { return None },
                _ = watcher.stopping.changed() => return None,
                () = tokio::time::sleep_until(deadline) => return None,
            }
            watcher.collect();
        }
    })
}

impl Watcher {
    fn begin(&mut self) {
        let cluster = Arc::clone(&self.cluster);
        let store = cluster.read();
        match self.request.start {
            Start::Existing | Start::InitialEvents => {
                let key = self.request.resource.key();
                let objects: Vec<Value> = store
                    .list(&key, self.request.namespace.as_deref())
                    .filter(|o| self.request.selectors.matches(o))
                    .cloned()
                    .collect();
                for object in objects {
                    self.push("ADDED", object);
                }
                self.seen = store.resource_version();
                if self.request.start == Start::InitialEvents {
                    let bookmark = json!({
                        "kind": self.request.resource.kind,
                        "apiVersion": self.request.resource.api_version(&self.request.version),
                        "metadata": {
                            "resourceVersion": self.seen.to_string(),
                            "annotations": {"k8s.io/initial-events-end": "true"},
                        },
                    });
                    self.push("BOOKMARK", bookmark);
                }
            }
            Start::After(version) => {
                self.seen = version;
                self.collect_from(&store);
            }
        }
    }

    fn collect(&mut self) {
        let cluster = Arc::clone(&self.cluster);
        let store = cluster.read();
        self.collect_from(&store);
    }

    fn collect_from(&mut self, store: &Store) {
        let Some(changes) = store.changes_since(self.seen) else {
            let gone = ApiError::expired(format!("too old resource version: {}", self.seen));
            self.push_raw("ERROR", gone.to_status());
            self.done = true;
            return;
        };
        let key = self.request.resource.key();
        let mut events = Vec::new();
        for change in changes.filter(|c| c.key == key) {
            let in_namespace = |o: &Value| {
                self.request
                    .namespace
                    .as_deref()
                    .is_none_or(|ns| o["metadata"]["namespace"].as_str() == Some(ns))
            };
            let matches = |o: &Value| in_namespace(o) && self.request.selectors.matches(o);
            let now = matches(&change.object);
            let before = change.previous.as_deref().is_some_and(matches);
            let kind = match (change.kind, before, now) {
                (ChangeKind::Added, _, true) => "ADDED",
                (ChangeKind::Modified, true, true) => "MODIFIED",
                (ChangeKind::Modified, false, true) => "ADDED",
                (ChangeKind::Modified, true, false) => "DELETED",
                (ChangeKind::Deleted, true, _) => "DELETED",
                _ => continue,
            };
            events.push((kind, (*change.object).clone()));
        }
        for (kind, object) in events {
            self.push(kind, object);
        }
        self.seen = store.resource_version();
    }

    fn push(&mut self, kind: &str, mut object: Value) {
        if kind != "BOOKMARK" {
            object["apiVersion"] = json!(self.request.resource.api_version(&self.request.version));
        }
        self.push_raw(kind, object);
    }

    fn push_raw(&mut self, kind: &str, object: Value) {
        let mut line = json!({"type": kind, "object": object})
            .to_string()
            .into_bytes();
        line.push(b'\n');
        self.pending.push_back(line);
    }
}
