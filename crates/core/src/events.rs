//! Typed progress events: operations report what they do through an [`Events`] sink, and the
//! caller decides how (or whether) to show them. Everything about a release is keyed by its
//! [`ReleaseId`].

use std::path::PathBuf;

use crate::graph::ReleaseId;
use crate::location::Location;

/// Something an operation did or is doing.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event {
    /// A chart repository was added (or refreshed).
    RepositoryAdded {
        /// Its name.
        name: String,
        /// Its URL.
        url: String,
    },
    /// A line helm wrote to stderr (its warnings and progress), as it was written.
    HelmMessage {
        /// The release whose helm call printed it, if the call was for one.
        release: Option<ReleaseId>,
        /// The line, without its newline.
        line: String,
    },
    /// A line helm wrote to stdout, as it was written; emitted only by a helm with live output on
    /// (Helmfile's `--enable-live-output`).
    HelmOutput {
        /// The release whose helm call printed it, if the call was for one.
        release: Option<ReleaseId>,
        /// The line, without its newline.
        line: String,
    },
    /// A release's chart was rewritten (its `dependencies:` added, its `strategicMergePatches:`
    /// applied) into a local chart, which helm gets instead.
    ChartRewritten {
        /// The release.
        release: ReleaseId,
        /// The rewritten chart's folder (private to the run).
        chart: std::path::PathBuf,
    },
    /// The repository indexes were refreshed.
    RepositoriesUpdated,
    /// Logged in to an OCI registry.
    RegistryLogin {
        /// The registry host and path.
        registry: String,
    },
    /// The dependencies of a local chart were built from its lock file.
    DependenciesBuilt {
        /// The chart folder.
        chart: PathBuf,
    },
    /// A remote chart was downloaded into the chart cache.
    ChartFetched {
        /// The chart as helm names it (`repo/chart`, `oci://...`).
        chart: String,
        /// Its version.
        version: String,
    },
    /// A lock file was written with the versions the constraints picked.
    LockWritten {
        /// The lock file, relative to the project root.
        file: PathBuf,
    },
    /// The dependencies of a local chart were updated.
    DependenciesUpdated {
        /// The chart folder.
        chart: PathBuf,
    },
    /// A release moved on in a run.
    Release {
        /// The release.
        release: ReleaseId,
        /// What happened.
        phase: ReleasePhase,
    },
    /// Something worth a warning that does not stop the run.
    Warning {
        /// Where it applies.
        location: Location,
        /// What it is.
        message: String,
    },
    /// `--renderer auto` asked helm to render instead of the native renderer.
    RenderedByHelm {
        /// The release, or `None` when it applies to the whole run.
        release: Option<ReleaseId>,
        /// Why the native renderer did not.
        reason: String,
    },
    /// A warning of the native renderer (what helm would have logged on stderr).
    RenderWarning {
        /// The release.
        release: ReleaseId,
        /// The warning.
        line: String,
    },
}

/// What a run does to a release.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Action {
    /// `helm upgrade --install`.
    Upgrade,
    /// `helm uninstall` (when the release exists).
    Uninstall,
    /// `helm template`.
    Template,
    /// `helm lint`.
    Lint,
    /// `helm template` and a comparison with what is deployed.
    Diff,
    /// `helm pull --untar` (or a copy of a local chart), for `fetch`.
    Fetch,
}

/// Where a release is in a run.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ReleasePhase {
    /// Its work started.
    Started {
        /// The work.
        action: Action,
        /// Its chart, as helm is given it.
        chart: String,
    },
    /// Its work is done and changed something (or produced output).
    Done {
        /// The work.
        action: Action,
    },
    /// Its work found nothing to do (e.g. a release to uninstall that does not exist).
    Unchanged {
        /// The work.
        action: Action,
    },
    /// Its work failed.
    Failed {
        /// The work.
        action: Action,
        /// Why, with secrets masked.
        message: String,
    },
    /// It did not run because a release it waits for failed.
    Skipped {
        /// The failed release it (directly or not) waits for.
        failed: ReleaseId,
    },
    /// The run was interrupted before it finished.
    Cancelled,
}

/// Receives events; must be cheap, as operations call it from their tasks.
pub trait Events: Send + Sync {
    /// Called once per event, in the order they happen.
    fn emit(&self, event: Event);
}

/// Collects events in memory (for tests and for callers that report at the end).
#[derive(Debug, Default)]
pub struct Recorded(std::sync::Mutex<Vec<Event>>);

impl Recorded {
    /// The events so far.
    pub fn events(&self) -> Vec<Event> {
        self.0.lock().map(|e| e.clone()).unwrap_or_default()
    }
}

impl Events for Recorded {
    fn emit(&self, event: Event) {
        if let Ok(mut events) = self.0.lock() {
            events.push(event);
        }
    }
}

/// A closure is a sink: `Arc::new(|event: Event| ...)` receives every event as it happens.
impl<F: Fn(Event) + Send + Sync> Events for F {
    fn emit(&self, event: Event) {
        self(event);
    }
}

/// The sending half of a channel is a sink; a receiver that was dropped just stops receiving.
impl Events for tokio::sync::mpsc::UnboundedSender<Event> {
    fn emit(&self, event: Event) {
        // The caller stopped listening: the run goes on without telling anyone.
        let _ = self.send(event);
    }
}

/// A sink and the stream of its events, for callers that consume progress as a
/// `tokio::sync::mpsc` stream (the stream ends when every clone of the sink is dropped).
pub fn channel() -> (
    std::sync::Arc<dyn Events>,
    tokio::sync::mpsc::UnboundedReceiver<Event>,
) {
    let (sender, receiver) = tokio::sync::mpsc::unbounded_channel();
    (std::sync::Arc::new(sender), receiver)
}
