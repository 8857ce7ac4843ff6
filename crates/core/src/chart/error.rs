//! Why a chart could not be loaded or rendered. Messages are worded as helm words them, so a
//! failing native render reads like the `helm template` failure it stands for.

use std::path::PathBuf;

/// A chart could not be loaded or rendered.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ChartError {
    /// A file or folder of the chart could not be read.
    #[error("{}: {source}", .path.display())]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// What the system said.
        source: std::io::Error,
    },
    /// The chart's files are not a valid chart (Chart.yaml, values.yaml, the archive...).
    #[error("{message}")]
    Load {
        /// The chart folder or archive.
        path: PathBuf,
        /// helm's wording, e.g. `cannot load Chart.yaml: ...`.
        message: String,
    },
    /// A values file or `--set` flag could not be read.
    #[error("{message}")]
    Values {
        /// helm's wording, e.g. `failed to parse values.yaml: ...`.
        message: String,
    },
    /// The chart cannot be rendered as asked: missing dependencies, a library chart, an
    /// incompatible Kubernetes version, values that fail the chart's schema.
    #[error("{message}")]
    Unrenderable {
        /// helm's wording.
        message: String,
    },
    /// A template failed to parse or to execute.
    #[error("{message}")]
    Template {
        /// helm's wording, e.g. `execution error at (app/templates/a.yaml:3:4): replicas is
        /// required`.
        message: String,
    },
    /// A rendered manifest is not valid YAML.
    #[error("YAML parse error on {template}: {message}")]
    Manifest {
        /// The template that produced it (`app/templates/a.yaml`).
        template: String,
        /// What the YAML reader said.
        message: String,
    },
    /// `--show-only` named a template the chart does not have.
    #[error("could not find template {0} in chart")]
    ShowOnly(String),
    /// The `--post-renderer` program failed.
    #[error("error while running post render on files: {0}")]
    PostRender(String),
    /// The chart uses something the native renderer does not do like helm yet.
    #[error("not supported by the native renderer: {0}")]
    Unsupported(String),
}

impl ChartError {
    /// A suggestion of what to do about the error, when there is one.
    pub fn hint(&self) -> Option<String> {
        match self {
            Self::Unsupported(_) => {
                Some("use `--renderer helm` (or `auto`, which falls back to helm by itself)".into())
            }
            Self::Unrenderable { message } if message.contains("missing in charts/") => Some(
                "run `helm dependency build` for the chart (windlass does so unless --skip-deps)"
                    .into(),
            ),
            Self::Manifest { .. } => {
                Some("render with `--renderer helm --debug` to see the invalid YAML".into())
            }
            _ => None,
        }
    }

    /// Whether the error means "the native renderer cannot do this" rather than "helm would fail
    /// too", so `--renderer auto` should hand the release to helm.
    pub fn is_unsupported(&self) -> bool {
        matches!(self, Self::Unsupported(_))
    }
}
