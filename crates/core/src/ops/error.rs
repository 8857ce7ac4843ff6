//! Why an operation (or one release of it) failed.

use std::path::PathBuf;

use crate::charts::ChartsError;
use crate::charts::lock::LockError;
use crate::helm::HelmError;
use crate::ops::hooks::HookError;
use crate::plan::PlanError;
use crate::template::TemplateError;

/// An operation that failed, naming the release (or chart) it was working on.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OperationError {
    /// The plan could not be built.
    #[error(transparent)]
    Plan(#[from] PlanError),
    /// Helm failed for a release (or for a chart, a repository).
    #[error("release \"{release}\": {source}")]
    Helm {
        /// The release (or chart, for dependency builds; `repositories` for repository adds).
        release: String,
        /// What helm said.
        source: HelmError,
    },
    /// A state file's hook (or a release's `prepare` hook) failed.
    #[error(transparent)]
    Hook(#[from] HookError),
    /// Helm printed something windlass cannot read.
    #[error("cannot read helm's output: {0}")]
    HelmOutput(String),
    /// A release's chart could not be rewritten (`dependencies:`, `strategicMergePatches:`).
    #[error(transparent)]
    Chartify(#[from] crate::chartify::ChartifyError),
    /// A temporary folder could not be made.
    #[error("cannot create a temporary folder: {0}")]
    TempDir(std::io::Error),
    /// The `--output-dir-template` failed.
    #[error("--output-dir-template: {0}")]
    OutputDir(#[from] TemplateError),
    /// Some releases failed; each was reported as it failed.
    #[error("{0} release(s) failed")]
    ReleasesFailed(usize),
    /// A remote chart could not be resolved or fetched, or its repository added.
    #[error(transparent)]
    Charts(#[from] ChartsError),
    /// A lock file could not be read.
    #[error(transparent)]
    Lock(#[from] LockError),
    /// A file could not be written.
    #[error("cannot write {}: {source}", .path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
}

impl OperationError {
    /// A suggestion of what to do about the error, when there is one.
    pub fn hint(&self) -> Option<String> {
        match self {
            Self::Plan(error) => error.hint(),
            Self::Helm { source, .. } => source.hint(),
            Self::Hook(error) => error.hint(),
            Self::Chartify(error) => error.hint(),
            Self::Charts(error) => error.hint(),
            Self::OutputDir(_)
            | Self::TempDir(_)
            | Self::ReleasesFailed(_)
            | Self::HelmOutput(_)
            | Self::Lock(_)
            | Self::Write { .. } => None,
        }
    }

    /// Helm failed for `release`.
    pub(crate) fn helm(release: &str) -> impl FnOnce(HelmError) -> Self + '_ {
        move |source| Self::Helm {
            release: release.to_string(),
            source,
        }
    }
}

/// Why one release of a run failed: helm, or one of its hooks.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReleaseError {
    /// A helm command failed.
    #[error(transparent)]
    Helm(#[from] HelmError),
    /// A hook failed.
    #[error(transparent)]
    Hook(#[from] HookError),
}

impl ReleaseError {
    /// A suggestion of what to do about the error, when there is one.
    pub fn hint(&self) -> Option<String> {
        match self {
            Self::Helm(error) => error.hint(),
            Self::Hook(error) => error.hint(),
        }
    }
}
