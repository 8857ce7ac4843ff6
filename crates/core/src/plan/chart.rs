//! Where a release's chart comes from, decided once: a folder or archive on disk, a chart of a
//! named repository, an OCI reference, or an archive URL.

use std::fmt;
use std::path::{Component, Path, PathBuf};

/// A release's chart, as helm will be asked to find it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ChartRef {
    /// A chart folder or `.tgz` on disk; the path is relative to the project root (cleaned as
    /// Go's `filepath.Clean` does), or absolute.
    Local {
        /// The folder or archive.
        path: PathBuf,
    },
    /// `repo/chart`: a chart of a repository added with `helm repo add`.
    Repository {
        /// The repository name (the part before the `/`).
        repository: String,
        /// The chart name.
        chart: String,
    },
    /// `oci://registry/path/chart`.
    Oci {
        /// The whole reference, scheme included.
        url: String,
    },
    /// An `http(s)://` URL of a chart archive.
    Url {
        /// The URL.
        url: String,
    },
}

impl ChartRef {
    /// Classifies the `chart:` of a release written in a state file whose folder is `base_dir`
    /// (on disk) and `shown_dir` (relative to the project root), as Helmfile does: `./`, `../`
    /// and absolute paths are local, and so is any other name that is an existing folder or file
    /// there or that has no `/` (or more than two); `oci://`, `http://` and `https://` are
    /// remote; the rest is `repo/chart`.
    ///
    /// Returns the scheme of a reference windlass cannot fetch (go-getter's `git::`, `s3::`...)
    /// as the error.
    pub fn classify(chart: &str, base_dir: &Path, shown_dir: &Path) -> Result<Self, String> {
        if chart.starts_with("oci://") {
            return Ok(Self::Oci { url: chart.into() });
        }
        if chart.starts_with("http://") || chart.starts_with("https://") {
            return Ok(Self::Url { url: chart.into() });
        }
        if let Some((scheme, _)) = chart.split_once("::").filter(|(s, _)| !s.contains('/')) {
            return Err(scheme.to_string());
        }
        if let Some((scheme, _)) = chart.split_once("://") {
            return Err(scheme.to_string());
        }
        let explicit =
            chart.starts_with("./") || chart.starts_with("../") || chart.starts_with('/');
        if explicit || base_dir.join(chart).exists() {
            return Ok(Self::Local {
                path: clean(&shown_dir.join(chart)),
            });
        }
        // Helmfile's `isLocalChart`: `repo/chart` and `repo/path/chart` are remote, any other
        // shape is a path.
        match chart.split_once('/') {
            Some((repository, name)) if chart.matches('/').count() <= 2 => Ok(Self::Repository {
                repository: repository.into(),
                chart: name.into(),
            }),
            _ => Ok(Self::Local {
                path: clean(&shown_dir.join(chart)),
            }),
        }
    }

    /// The local folder or archive, if the chart is on disk.
    pub fn local_path(&self) -> Option<&Path> {
        match self {
            Self::Local { path } => Some(path),
            _ => None,
        }
    }

    /// The repository it names, for `repo/chart` references.
    pub fn repository(&self) -> Option<&str> {
        match self {
            Self::Repository { repository, .. } => Some(repository),
            _ => None,
        }
    }
}

/// The chart argument helm gets: the cleaned path, `repo/chart`, or the URL.
impl fmt::Display for ChartRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Local { path } => write!(f, "{}", path.display()),
            Self::Repository { repository, chart } => write!(f, "{repository}/{chart}"),
            Self::Oci { url } | Self::Url { url } => f.write_str(url),
        }
    }
}

/// `./a/../b/` → `b`, as Go's `filepath.Clean` writes the paths Helmfile passes to helm.
pub(crate) fn clean(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir if out.file_name().is_some_and(|n| n != "..") => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    if out.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn classify(chart: &str) -> Result<ChartRef, String> {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        std::fs::create_dir_all(dir.path().join("charts/app")).unwrap_or_else(|e| panic!("{e}"));
        ChartRef::classify(chart, dir.path(), Path::new("sub"))
    }

    #[test]
    fn local_paths_are_cleaned_relative_to_the_project_root() {
        assert_eq!(
            classify("./charts/app"),
            Ok(ChartRef::Local {
                path: "sub/charts/app".into()
            })
        );
        assert_eq!(
            classify("../shared/x"),
            Ok(ChartRef::Local {
                path: "shared/x".into()
            })
        );
        // An existing folder without `./` is local too, as in Helmfile.
        assert_eq!(
            classify("charts/app"),
            Ok(ChartRef::Local {
                path: "sub/charts/app".into()
            })
        );
        assert_eq!(
            classify("standalone"),
            Ok(ChartRef::Local {
                path: "sub/standalone".into()
            })
        );
    }

    #[test]
    fn remote_references_keep_their_form() {
        assert_eq!(
            classify("bitnami/postgresql"),
            Ok(ChartRef::Repository {
                repository: "bitnami".into(),
                chart: "postgresql".into()
            })
        );
        assert_eq!(
            classify("oci://ghcr.io/org/charts/app").map(|c| c.to_string()),
            Ok("oci://ghcr.io/org/charts/app".to_string())
        );
        assert_eq!(
            classify("https://example.com/app-1.0.0.tgz"),
            Ok(ChartRef::Url {
                url: "https://example.com/app-1.0.0.tgz".into()
            })
        );
        assert_eq!(
            classify("git::https://github.com/org/repo.git//chart"),
            Err("git".to_string())
        );
        assert_eq!(classify("s3://bucket/chart.tgz"), Err("s3".to_string()));
    }

    #[test]
    fn cleaning_matches_go_filepath_clean() {
        assert_eq!(
            clean(Path::new("./charts/app")),
            PathBuf::from("charts/app")
        );
        assert_eq!(clean(Path::new("a/../../b/./c")), PathBuf::from("../b/c"));
        assert_eq!(clean(Path::new("./")), PathBuf::from("."));
    }
}
