//! Typed progress events: operations report what they do through an [`Events`] sink, and the
//! caller decides how (or whether) to show them. Everything about a release is keyed by its
//! [`ReleaseId`].
//!
//! Events serialise to JSON (`windlass sync --output json` prints one per line): the variant
//! names, in camelCase, are the `event` field, and the names are part of the documented schema
//! (`docs/events.schema.json`): they change only with its `schemaVersion`.

use std::path::PathBuf;

use serde::Serialize;

use crate::graph::ReleaseId;
use crate::location::Location;
use crate::plan::HookEvent;

/// The version of the JSON shape of events and reports; it changes when a name or a field's
/// meaning changes (adding an event or a field does not change it).
pub const SCHEMA_VERSION: u32 = 1;

/// Something an operation did or is doing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(
    tag = "event",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
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
        #[serde(flatten)]
        phase: ReleasePhase,
    },
    /// A hook ran (a state file's hook when `release` is `None`).
    Hook {
        /// The release whose hook it is.
        release: Option<ReleaseId>,
        /// What ran and how it ended.
        #[serde(flatten)]
        run: HookRun,
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
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
    /// Reading a release's record and its workloads, for `status`.
    Status,
}

/// A step of a release's work, as progress shows it ("presync", "upgrading").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(
    tag = "step",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
#[non_exhaustive]
pub enum Step {
    /// Running its hooks of an event.
    Hook {
        /// The event.
        hook: HookEvent,
    },
    /// Asking helm whether it is installed.
    Checking,
    /// `helm upgrade --install`; with `wait`, helm then waits for its resources to be ready.
    Upgrading {
        /// Whether helm waits (`--wait`).
        wait: bool,
    },
    /// `helm uninstall`; with `wait`, helm then waits for its resources to be gone.
    Uninstalling {
        /// Whether helm waits (`--wait`).
        wait: bool,
    },
}

/// One run of a hook: which, where it ran, and how it ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HookRun {
    /// The hook's name (its command when it has none, `kubectlApply` for those).
    pub name: String,
    /// The event it ran at.
    pub hook: HookEvent,
    /// The program it ran, after templating (its arguments are not shown: they may hold
    /// secrets).
    pub command: String,
    /// Its exit code (`None` when a signal ended it).
    pub exit_code: Option<i32>,
    /// What it wrote to standard output, when the hook has `showlogs: true`.
    pub output: Option<String>,
}

/// Where a release is in a run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(
    tag = "phase",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
#[non_exhaustive]
pub enum ReleasePhase {
    /// Its work started.
    Started {
        /// The work.
        action: Action,
        /// Its chart, as helm is given it.
        chart: String,
    },
    /// Its work moved on to another step.
    Running {
        /// The step.
        #[serde(flatten)]
        step: Step,
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
