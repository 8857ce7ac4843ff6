//! Remote charts: where a chart lives ([`RemoteChart`]), which version a constraint picks from a
//! repository's index, fetching each (chart, version) once per run into a cache keyed by content
//! ([`Fetcher`], [`ChartCache`]), and Helmfile's lock file ([`lock`]).
//!
//! Helm does the network work (`helm repo add`, `helm pull`), so credentials, TLS settings and
//! registry logins behave exactly as they do for helm; windlass decides which version a
//! constraint means (as helm's resolver does: the highest version in the index that satisfies
//! it) and keeps the archives, so `template`, `lint`, diff and the native renderer read the same
//! file, and later runs with `--skip-deps` work without the network.

mod cache;
mod error;
mod fetch;
mod index;
pub mod lock;
mod resolve;

pub use cache::ChartCache;
pub use error::ChartsError;
pub use fetch::{Fetched, Fetcher, Wanted};
pub use index::RepoIndex;
pub use resolve::resolve_version;

/// Where a remote chart lives: enough to pull it with helm and to name it in a cache.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RemoteChart {
    /// `repo/chart` from an HTTP(S) chart repository that helm knows as `repo` (`helm repo add`).
    Repository {
        /// The repository name.
        repo: String,
        /// Its URL, as the state file writes it.
        url: String,
        /// The chart name in the repository.
        chart: String,
    },
    /// A chart in an OCI registry.
    Oci {
        /// `host/path/chart`, without `oci://`.
        reference: String,
        /// Flags `helm pull` needs to reach the registry (`--plain-http`, `--ca-file`, ...).
        flags: Vec<String>,
    },
}

impl RemoteChart {
    /// The chart's name (the last part of its reference).
    pub fn name(&self) -> &str {
        match self {
            Self::Repository { chart, .. } => chart,
            Self::Oci { reference, .. } => reference.rsplit('/').next().unwrap_or(reference),
        }
    }

    /// The chart as helm pulls it: `repo/chart` or `oci://host/path/chart`.
    pub fn helm_reference(&self) -> String {
        match self {
            Self::Repository { repo, chart, .. } => format!("{repo}/{chart}"),
            Self::Oci { reference, .. } => format!("oci://{reference}"),
        }
    }

    /// Where it comes from, independent of local names: the repository URL and chart, or the
    /// OCI reference. Cache entries are keyed by this.
    pub fn source(&self) -> String {
        match self {
            Self::Repository { url, chart, .. } => format!("{}/{chart}", url.trim_end_matches('/')),
            Self::Oci { reference, .. } => format!("oci://{reference}"),
        }
    }
}

impl std::fmt::Display for RemoteChart {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.helm_reference())
    }
}
