//! Why a remote chart could not be resolved, fetched or locked.

use std::path::PathBuf;

use crate::helm::HelmError;

/// Why a remote chart could not be resolved, fetched or locked.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ChartsError {
    /// No version of the chart satisfies the constraint.
    #[error("no version of chart \"{chart}\" in {source_url} matches \"{constraint}\" (available: {})", available_list(.available))]
    NoMatchingVersion {
        /// The chart.
        chart: String,
        /// Where it was looked for (repository URL or OCI reference).
        source_url: String,
        /// The version or range asked for.
        constraint: String,
        /// The versions the repository has, newest first.
        available: Vec<String>,
    },
    /// The version is neither a version nor a range.
    #[error("chart \"{chart}\": \"{constraint}\" is not a version or a version range")]
    BadConstraint {
        /// The chart.
        chart: String,
        /// What was written.
        constraint: String,
    },
    /// The repository has no chart of that name.
    #[error("repository {url} has no chart \"{chart}\"")]
    NoSuchChart {
        /// The chart.
        chart: String,
        /// The repository URL.
        url: String,
    },
    /// Helm's copy of a repository index is missing.
    #[error("no index of the repository at {}: {source}", .path.display())]
    NoIndex {
        /// Where helm keeps it.
        path: PathBuf,
        /// Why it could not be read.
        source: std::io::Error,
    },
    /// A repository index is not valid YAML.
    #[error("{}: not a chart repository index: {message}", .path.display())]
    BadIndex {
        /// The file.
        path: PathBuf,
        /// What the parser said.
        message: String,
    },
    /// An OCI range cannot be resolved offline: no earlier run recorded what it picked.
    #[error(
        "{chart}: no cached resolution of \"{constraint}\" (--skip-deps needs one earlier run with the network)"
    )]
    NotCached {
        /// The chart.
        chart: String,
        /// The version range.
        constraint: String,
    },
    /// Helm could not add or log in to a repository.
    #[error("repository \"{name}\" ({url}): {source}")]
    Repository {
        /// The repository name.
        name: String,
        /// Its URL.
        url: String,
        /// What helm said.
        source: HelmError,
    },
    /// Helm could not pull a chart.
    #[error("cannot fetch {chart} {version}: {source}")]
    Pull {
        /// The chart reference.
        chart: String,
        /// The version asked for.
        version: String,
        /// What helm said.
        source: HelmError,
    },
    /// `helm pull` succeeded but left no chart archive.
    #[error("`helm pull {chart} --version {version}` wrote no chart archive")]
    NoArchive {
        /// The chart reference.
        chart: String,
        /// The version asked for.
        version: String,
    },
    /// Helm failed for another reason (e.g. `helm env`).
    #[error(transparent)]
    Helm(#[from] HelmError),
    /// helm's repository file could not be read.
    #[error("cannot read helm's repository file {}: {message}", .path.display())]
    HelmConfig {
        /// The file (`HELM_REPOSITORY_CONFIG`, or `repositories.yaml` in helm's config folder).
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
    /// The chart cache could not be read or written.
    #[error("chart cache {}: {source}", .path.display())]
    Cache {
        /// The file or folder.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
}

impl ChartsError {
    /// A suggestion of what to do about the error, when there is one.
    pub fn hint(&self) -> Option<String> {
        match self {
            Self::NoMatchingVersion { .. } => {
                Some("change the release's version, or publish a matching chart".into())
            }
            Self::NoIndex { .. } => Some(
                "run once without --skip-deps so the repository is added and its index fetched"
                    .into(),
            ),
            Self::NotCached { .. } => Some("run once without --skip-deps".into()),
            Self::Repository { source, .. } | Self::Pull { source, .. } => {
                network_hint(source).or_else(|| source.hint())
            }
            Self::Helm(source) => source.hint(),
            _ => None,
        }
    }
}

/// What helm's message says went wrong with the network or the credentials. Status codes are
/// recognised by their words (`401 Unauthorized`, `403 Forbidden`): a bare "401" also appears in
/// URLs, e.g. a port such as 40312.
fn network_hint(error: &HelmError) -> Option<String> {
    let HelmError::Failed { stderr, .. } = error else {
        return None;
    };
    let said = |words: &[&str]| words.iter().any(|w| stderr.contains(w));
    if said(&[
        "unauthorized",
        "Unauthorized",
        "forbidden",
        "Forbidden",
        "authentication required",
        "basic auth credentials",
        "denied",
    ]) {
        Some(
            "the repository refused the credentials: check the repository's username and password"
                .into(),
        )
    } else if said(&[
        "connection refused",
        "no such host",
        "i/o timeout",
        "cannot be reached",
        "network is unreachable",
    ]) {
        Some("the repository cannot be reached: check its URL and the network".into())
    } else {
        None
    }
}

fn available_list(available: &[String]) -> String {
    if available.is_empty() {
        "none".into()
    } else {
        available.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failed(stderr: &str) -> HelmError {
        HelmError::Failed {
            command: "repo add r http://127.0.0.1:40312".into(),
            code: Some(1),
            stderr: stderr.into(),
        }
    }

    #[test]
    fn network_hints_read_words_not_numbers_in_urls() {
        let hints: Vec<Option<String>> = [
            r#"Error: looks like "http://127.0.0.1:40312" is not a valid chart repository or cannot be reached: Get "http://127.0.0.1:40312/index.yaml": dial tcp 127.0.0.1:40312: connect: connection refused"#,
            r#"Error: failed to fetch http://127.0.0.1:34403/index.yaml : 401 Unauthorized"#,
            r#"Error: GET "https://ghcr.io/v2/": response status code 403: forbidden"#,
            r#"Error: chart "app" version "1.0.0" not found in http://127.0.0.1:40399 repository"#,
        ]
        .into_iter()
        .map(|stderr| network_hint(&failed(stderr)))
        .collect();
        let unreachable = "the repository cannot be reached: check its URL and the network";
        let refused =
            "the repository refused the credentials: check the repository's username and password";
        assert_eq!(
            hints,
            [
                Some(unreachable.to_string()),
                Some(refused.to_string()),
                Some(refused.to_string()),
                None
            ]
        );
    }
}
