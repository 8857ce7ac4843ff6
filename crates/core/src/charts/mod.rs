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
mod helm_config;
mod index;
pub mod lock;
mod resolve;

pub use cache::ChartCache;
pub use error::ChartsError;
pub use fetch::{Fetched, Fetcher, Wanted};
pub use helm_config::helm_repository_names;
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

/// Where `chart` (as a release writes it) lives when it is remote and windlass can fetch it:
/// `oci://host/path/chart`, or `repo/chart` where `repo` is one of `repositories` (an OCI one
/// becomes its registry reference). `None` for local charts and for repositories that only
/// helm's own configuration knows, which helm keeps resolving itself. `plain_http` is the
/// release's `plainHttp:` for `oci://` charts.
pub fn remote_chart(
    chart: &str,
    repositories: &[crate::project::Repository],
    plain_http: bool,
) -> Option<RemoteChart> {
    if let Some(reference) = chart.strip_prefix("oci://") {
        let flags = if plain_http {
            vec!["--plain-http".to_string()]
        } else {
            Vec::new()
        };
        return Some(RemoteChart::Oci {
            reference: reference.trim_end_matches('/').to_string(),
            flags,
        });
    }
    if chart.contains("://") || chart.starts_with(['.', '/']) {
        return None;
    }
    let (repo, name) = chart.split_once('/')?;
    let repository = repositories.iter().find(|r| r.name == repo)?;
    if repository.oci {
        return Some(RemoteChart::Oci {
            reference: format!("{}/{name}", registry_path(&repository.url)),
            flags: crate::helm::argv::registry_flags(repository),
        });
    }
    Some(RemoteChart::Repository {
        repo: repo.to_string(),
        url: repository.url.clone(),
        chart: name.to_string(),
    })
}

/// An OCI repository URL as a registry path: `host/path`, without `oci://` or a trailing `/`.
pub fn registry_path(url: &str) -> &str {
    url.strip_prefix("oci://")
        .unwrap_or(url)
        .trim_end_matches('/')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::project::Repository;

    fn repositories() -> Vec<Repository> {
        serde_yaml::from_str(
            "[{name: web, url: 'http://127.0.0.1:1/'}, {name: reg, url: 'oci://127.0.0.1:2/charts/', oci: true, plainHttp: true, caFile: ca.pem}]",
        )
        .unwrap_or_default()
    }

    #[test]
    fn names_where_remote_charts_live() {
        let repos = repositories();
        let web = remote_chart("web/app", &repos, false);
        assert_eq!(
            web.as_ref().map(RemoteChart::source).as_deref(),
            Some("http://127.0.0.1:1/app")
        );
        assert_eq!(
            web.as_ref().map(RemoteChart::helm_reference).as_deref(),
            Some("web/app")
        );
        assert_eq!(
            remote_chart("reg/app", &repos, false),
            Some(RemoteChart::Oci {
                reference: "127.0.0.1:2/charts/app".into(),
                flags: ["--ca-file", "ca.pem", "--plain-http"]
                    .map(String::from)
                    .to_vec(),
            })
        );
        let direct = remote_chart("oci://h/p/app", &repos, true);
        assert_eq!(direct.as_ref().map(RemoteChart::name), Some("app"));
        assert_eq!(remote_chart("bitnami/nginx", &repos, false), None);
        assert_eq!(remote_chart("./charts/app", &repos, false), None);
        assert_eq!(remote_chart("app", &repos, false), None);
    }
}
