//! Why a plan could not be built: each variant names the release and where to fix it.

use std::path::PathBuf;

use crate::graph::GraphError;
use crate::location::Location;
use crate::project::ProjectError;
use crate::secrets::SecretsError;
use crate::values::ValuesError;

/// A plan that cannot be built; nothing has been changed when this is returned.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PlanError {
    /// A selected release has a problem that matters now (e.g. a missing values file).
    #[error(transparent)]
    Problem(std::sync::Arc<ProjectError>),
    /// A selector is malformed, or the needs of the selection cannot be satisfied.
    #[error(transparent)]
    Graph(#[from] GraphError),
    /// A release's values could not be made (template, decryption, missing file).
    #[error(transparent)]
    Values(#[from] ValuesError),
    /// The private folder for values files could not be written.
    #[error(transparent)]
    PrivateDir(#[from] SecretsError),
    /// A chart reference windlass cannot fetch.
    #[error(
        "{location}: release \"{release}\": chart \"{chart}\" uses the {scheme}:: scheme, which windlass does not fetch"
    )]
    UnsupportedChart {
        /// Where the chart is named.
        location: Location,
        /// The release.
        release: String,
        /// The chart as written.
        chart: String,
        /// The go-getter or URL scheme.
        scheme: String,
    },
    /// A `repo/chart` names a repository neither the state files nor helm know.
    #[error(
        "{location}: release \"{release}\": chart \"{chart}\" names repository \"{repository}\", which no state file declares and helm has not added"
    )]
    UnknownRepository {
        /// Where the chart is named.
        location: Location,
        /// The release.
        release: String,
        /// The chart as written.
        chart: String,
        /// The repository name.
        repository: String,
        /// The repositories the state files declare.
        declared: Vec<String>,
    },
    /// A field windlass accepts (it is valid Helmfile) but does not act on yet.
    #[error("{location}: {owner}: \"{field}\" is not supported yet")]
    Unsupported {
        /// Where the field is written.
        location: Location,
        /// Whose field it is, e.g. `release "web"`.
        owner: String,
        /// The field.
        field: &'static str,
    },
    /// A hook names an event Helmfile does not have.
    #[error("{location}: hook \"{hook}\": unknown event \"{event}\"")]
    UnknownHookEvent {
        /// Where the hook is written.
        location: Location,
        /// The hook's name.
        hook: String,
        /// The event as written.
        event: String,
    },
    /// Two settings contradict each other, or need another helm version.
    #[error("{location}: release \"{release}\": {message}")]
    Setting {
        /// Where the release (or the setting) is written.
        location: Location,
        /// The release.
        release: String,
        /// What is wrong, as Helmfile words it.
        message: String,
    },
    /// The state's lock file has no version for a release's chart that fits its constraint.
    #[error("{location}: {} has no version of chart \"{chart}\" that matches \"{constraint}\"", .lock.display())]
    StaleLock {
        /// Where the release's version (or chart) is written.
        location: Location,
        /// The chart.
        chart: String,
        /// The release's version constraint.
        constraint: String,
        /// The lock file.
        lock: PathBuf,
    },
    /// A lock file could not be read.
    #[error(transparent)]
    Lock(#[from] crate::charts::lock::LockError),
    /// The plan was being built when the run was interrupted.
    #[error("interrupted while preparing the releases' values")]
    Cancelled,
}

impl PlanError {
    /// A suggestion of what to do about the error, when there is one.
    pub fn hint(&self) -> Option<String> {
        match self {
            Self::Problem(error) => error.hint(),
            Self::Graph(error) => error.hint(),
            Self::Values(error) => error.hint(),
            Self::UnsupportedChart { .. } => Some(
                "fetch the chart into a folder (or push it to a chart repository or OCI registry) and point `chart:` at it"
                    .into(),
            ),
            Self::UnknownRepository {
                repository,
                declared,
                ..
            } => Some(if declared.is_empty() {
                format!("declare it under `repositories:` ({{name: {repository}, url: ...}}), or add it with `helm repo add {repository} URL`")
            } else {
                format!(
                    "the state files declare {}; declare \"{repository}\" under `repositories:` too, or add it with `helm repo add {repository} URL`",
                    declared.join(", ")
                )
            }),
            Self::Unsupported { field, .. } => Some(format!(
                "remove \"{field}\" or run this release with Helmfile until windlass supports it"
            )),
            Self::UnknownHookEvent { .. } => Some(format!(
                "hook events are {}",
                crate::plan::HookEvent::ALL.map(|e| e.name()).join(", ")
            )),
            Self::PrivateDir(error) => error.hint(),
            Self::StaleLock { .. } => Some(
                "run `windlass deps` to resolve the versions again and update the lock file".into(),
            ),
            Self::Setting { .. } | Self::Lock(_) | Self::Cancelled => None,
        }
    }
}
