//! Typed progress events: operations report what they do through an [`Events`] sink, and the
//! caller decides how (or whether) to show them.

use std::path::PathBuf;

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
        /// The line, without its newline.
        line: String,
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
    /// A release started installing or upgrading.
    ReleaseStarted {
        /// The release.
        release: String,
        /// Its chart.
        chart: String,
    },
    /// A release was installed or upgraded.
    ReleaseUpgraded {
        /// The release.
        release: String,
    },
    /// Helm failed for a release.
    ReleaseFailed {
        /// The release.
        release: String,
        /// What helm said.
        message: String,
    },
    /// A release was not run because something it needs failed.
    ReleaseSkipped {
        /// The release.
        release: String,
    },
    /// A release with `installed: false` was uninstalled.
    ReleaseDeleted {
        /// The release.
        release: String,
    },
    /// The dependencies of a local chart were updated.
    DependenciesUpdated {
        /// The chart folder.
        chart: PathBuf,
    },
    /// `--renderer auto` asked helm to render instead of the native renderer.
    RenderedByHelm {
        /// The release, or `None` when it applies to the whole run.
        release: Option<String>,
        /// Why the native renderer did not.
        reason: String,
    },
    /// A warning of the native renderer (what helm would have logged on stderr).
    RenderWarning {
        /// The release.
        release: String,
        /// The warning.
        line: String,
    },
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
