//! Helmfile's lock file (`helmfile.lock` beside `helmfile.yaml`, or `lockFilePath:`): the exact
//! version each remote chart's constraint picked, written by `deps` and read by every later run.
//!
//! The format is Helmfile 1.x's: the `Chart.lock` that `helm dependency update` writes for a
//! temporary chart whose dependencies are the state file's remote charts (alias
//! `<namespace>-<release>`), entries sorted by name, without duplicates, and `version:` naming the
//! tool that wrote it. windlass resolves the versions itself and computes helm's digest of the
//! requirements and the locked versions, so Helmfile reads the file as its own.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::charts::cache::hex;
use crate::charts::registry_path;
use crate::plan::PlanError;
use crate::project::{Project, Release, Repository};
use crate::template::funcs::semver::{Version, VersionConstraint};

/// A remote chart a state file uses, as Helmfile lists it in the temporary `Chart.yaml`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Requirement {
    /// The chart name (for OCI charts, the last part of the reference).
    pub name: String,
    /// The version constraint (`*` when the release sets none).
    #[serde(rename = "version", skip_serializing_if = "String::is_empty")]
    pub constraint: String,
    /// The repository URL (`oci://host/path` for OCI charts).
    pub repository: String,
    /// `<namespace>-<release>`, which keeps two releases of one chart apart.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub alias: String,
}

/// One locked chart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockedChart {
    /// The chart name.
    pub name: String,
    /// The exact version.
    #[serde(default)]
    pub version: String,
    /// The repository URL.
    #[serde(default)]
    pub repository: String,
}

/// The content of a lock file.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct LockFile {
    /// The version of the tool that wrote it (Helmfile checks only that it is semver).
    #[serde(default, deserialize_with = "crate::charts::lock::scalar")]
    pub version: String,
    /// The locked charts, sorted by name.
    #[serde(default)]
    pub dependencies: Vec<LockedChart>,
    /// helm's digest of the requirements and the locked versions.
    #[serde(default)]
    pub digest: String,
    /// When it was written (RFC 3339).
    #[serde(default, deserialize_with = "crate::charts::lock::scalar")]
    pub generated: String,
}

/// Why a lock file cannot be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LockError {
    /// It could not be read or written.
    #[error("{}: {source}", .path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// It is not a lock file.
    #[error("{}: not a lock file: {message}", .path.display())]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What the parser said.
        message: String,
    },
}

impl LockFile {
    /// The lock of `requirements` (in the order the temporary `Chart.yaml` lists them) resolved to
    /// `locked` (same order), as Helmfile writes it now.
    pub fn new(requirements: &[Requirement], locked: &[LockedChart]) -> Self {
        let mut dependencies = locked.to_vec();
        dependencies.sort_by(|a, b| a.name.cmp(&b.name));
        let mut seen = Vec::new();
        dependencies.retain(|d| {
            let key = (d.name.clone(), d.repository.clone(), d.version.clone());
            let fresh = !seen.contains(&key);
            seen.push(key);
            fresh
        });
        Self {
            version: env!("CARGO_PKG_VERSION").to_string(),
            dependencies,
            digest: helm_digest(requirements, locked),
            generated: crate::template::funcs::dates::now_rfc3339_nano(),
        }
    }

    /// Reads a lock file; `None` when there is none.
    pub fn read(path: &Path) -> Result<Option<Self>, LockError> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(source) => {
                return Err(LockError::Io {
                    path: path.to_path_buf(),
                    source,
                });
            }
        };
        let lock: Self = serde_yaml::from_str(&text).map_err(|e| LockError::Invalid {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
        if !lock.version.is_empty() && Version::parse(&lock.version).is_none() {
            return Err(LockError::Invalid {
                path: path.to_path_buf(),
                message: format!("version {:?} is not a semantic version", lock.version),
            });
        }
        Ok(Some(lock))
    }

    /// The lock as Helmfile 1.x writes it (go-yaml v3, two-space indentation).
    pub fn render(&self) -> String {
        let mut out = format!("version: {}\ndependencies:", scalar_text(&self.version));
        if self.dependencies.is_empty() {
            out.push_str(" []");
        }
        out.push('\n');
        for d in &self.dependencies {
            out.push_str(&format!(
                "  - name: {}\n    repository: {}\n    version: {}\n",
                scalar_text(&d.name),
                scalar_text(&d.repository),
                scalar_text(&d.version)
            ));
        }
        out.push_str(&format!(
            "digest: {}\ngenerated: {}\n",
            scalar_text(&self.digest),
            scalar_text(&self.generated)
        ));
        out
    }

    /// The locked version of `chart` that satisfies `constraint` (empty: any), as Helmfile
    /// looks it up: by chart name, the first entry that fits.
    pub fn version_for(&self, chart: &str, constraint: &str) -> Option<&str> {
        let constraint = VersionConstraint::parse(match constraint.trim() {
            "" => "*",
            text => text,
        })?;
        self.dependencies
            .iter()
            .filter(|d| d.name == chart)
            .find(|d| Version::parse(&d.version).is_some_and(|v| constraint.matches(&v)))
            .map(|d| d.version.as_str())
    }
}

/// Where a state file's lock lives: `lockFilePath:` (relative to the state file's folder), or the
/// state file's name without `.gotmpl`, `.yaml`, `.yml`, plus `.lock`.
pub fn lock_path(state_file: &Path, base_dir: &Path, lock_file_path: Option<&str>) -> PathBuf {
    if let Some(path) = lock_file_path.filter(|p| !p.is_empty()) {
        return base_dir.join(path);
    }
    let name = state_file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let stem = [".gotmpl", ".yaml", ".yml"]
        .iter()
        .fold(name.as_str(), |n, suffix| {
            n.strip_suffix(suffix).unwrap_or(n)
        });
    base_dir.join(format!("{stem}.lock"))
}

/// helm's `HashReq`: `sha256:` and the SHA-256 of Go's JSON encoding of `[requirements, locked]`.
fn helm_digest(requirements: &[Requirement], locked: &[LockedChart]) -> String {
    let json = serde_json::to_string(&(requirements, locked)).unwrap_or_default();
    // Go's encoder escapes HTML characters and the JavaScript line separators.
    let json = json
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
        .replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029");
    format!("sha256:{}", hex(&Sha256::digest(json.as_bytes())))
}

/// A string as go-yaml v3 writes it: plain unless it would read back as another type
/// (numbers, booleans including YAML 1.1's, null, timestamps) or needs quoting.
fn scalar_text(text: &str) -> String {
    let safe = !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._/:@+~-".contains(c))
        && !text.starts_with(['-', ':', '@', '~', '.', '+'])
        && !text.ends_with(':');
    let lower = text.to_ascii_lowercase();
    let other_type = matches!(
        lower.as_str(),
        "true" | "false" | "yes" | "no" | "on" | "off" | "y" | "n" | "null"
    ) || text.parse::<f64>().is_ok()
        || looks_like_timestamp(text);
    if safe && !other_type {
        text.to_string()
    } else {
        serde_json::to_string(text).unwrap_or_default()
    }
}

fn looks_like_timestamp(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() >= 8 && b[..4].iter().all(u8::is_ascii_digit) && b[4] == b'-'
}

/// Reads a scalar of any YAML type as text (`version: 1.1` stays `1.1`).
fn scalar<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    let value = serde_yaml::Value::deserialize(deserializer)?;
    Ok(crate::project::scalar_text(&value).unwrap_or_default())
}

/// The repository a release's `repo/chart` names, when its state file declares it.
fn repository_of<'p>(project: &'p Project, release: &Release) -> Option<&'p Repository> {
    let chart = release.chart();
    if chart.contains("://") {
        return None;
    }
    let (repo, _) = chart.split_once('/')?;
    project
        .state_of(release)
        .repositories
        .iter()
        .find(|r| r.name == repo)
}

/// The version the state files' lock files pin, per release (same order as
/// `project.releases`): `repo/chart` releases of declared repositories, when their state has a
/// lock, as Helmfile does; `None` for the others. A lock that has no fitting entry for one of
/// its state's releases is an error, as in Helmfile.
pub(crate) fn pinned_versions(project: &Project) -> Result<Vec<Option<String>>, PlanError> {
    let mut locks: HashMap<usize, Option<LockFile>> = HashMap::new();
    let mut versions = Vec::with_capacity(project.releases.len());
    for release in &project.releases {
        let own = release.spec.version.clone().filter(|v| !v.is_empty());
        let Some(requirement) = requirement(project, release) else {
            versions.push(None);
            continue;
        };
        let lock = match locks.get(&release.state) {
            Some(lock) => lock,
            None => {
                let state = project.state_of(release);
                let path = lock_path(&state.file, &state.base_dir, state.lock_file.as_deref());
                let lock = LockFile::read(&path)?;
                locks.entry(release.state).or_insert(lock)
            }
        };
        let Some(lock) = lock else {
            versions.push(None);
            continue;
        };
        let constraint = own.clone().unwrap_or_default();
        match lock.version_for(&requirement.name, &constraint) {
            Some(version) => versions.push(Some(version.to_string())),
            None => {
                let state = project.state_of(release);
                let field = if own.is_some() { "version" } else { "chart" };
                return Err(PlanError::StaleLock {
                    location: release.field_location(field),
                    chart: requirement.name,
                    constraint: if constraint.is_empty() {
                        "*".into()
                    } else {
                        constraint
                    },
                    lock: lock_path(&state.file, &state.shown_dir, state.lock_file.as_deref()),
                });
            }
        }
    }
    Ok(versions)
}

/// How Helmfile lists a release's remote chart in the temporary `Chart.yaml` it resolves:
/// `repo/chart` of a declared repository (an OCI one by its registry path), aliased
/// `<namespace>-<release>`. `oci://` charts are not locked.
pub(crate) fn requirement(project: &Project, release: &Release) -> Option<Requirement> {
    let repository = repository_of(project, release)?;
    let (_, chart) = release.chart().split_once('/')?;
    let (name, url) = if repository.oci {
        let base = format!("oci://{}", registry_path(&repository.url));
        match chart.rsplit_once('/') {
            Some((prefix, name)) => (name.to_string(), format!("{base}/{prefix}")),
            None => (chart.to_string(), base),
        }
    } else {
        (chart.to_string(), repository.url.clone())
    };
    Some(Requirement {
        name,
        constraint: release
            .spec
            .version
            .clone()
            .filter(|v| !v.is_empty())
            .unwrap_or_else(|| "*".into()),
        repository: url,
        alias: format!("{}-{}", release.namespace(), release.name()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn requirement(name: &str, constraint: &str, alias: &str) -> Requirement {
        Requirement {
            name: name.into(),
            constraint: constraint.into(),
            repository: "http://127.0.0.1:8879".into(),
            alias: alias.into(),
        }
    }

    fn locked(name: &str, version: &str) -> LockedChart {
        LockedChart {
            name: name.into(),
            version: version.into(),
            repository: "http://127.0.0.1:8879".into(),
        }
    }

    #[test]
    fn digest_is_helms_hash_of_go_json() {
        // Go: json.Marshal([2][]*chart.Dependency{req, lock}) escapes '>' as \u003e.
        let reqs = [requirement("web", ">=0.1.0", "ns-web")];
        let json_digest = helm_digest(&reqs, &[locked("web", "0.2.0")]);
        let expected = format!(
            "sha256:{}",
            hex(&Sha256::digest(
                br#"[[{"name":"web","version":"\u003e=0.1.0","repository":"http://127.0.0.1:8879","alias":"ns-web"}],[{"name":"web","version":"0.2.0","repository":"http://127.0.0.1:8879"}]]"#
            ))
        );
        assert_eq!(json_digest, expected);
    }

    #[test]
    fn renders_sorted_deduplicated_entries_as_helmfile_1_does() {
        let reqs = [
            requirement("web", "~0.1.0", "a-web"),
            requirement("api", "*", "a-api"),
            requirement("web", "0.1.3", "b-web"),
        ];
        let mut lock = LockFile::new(
            &reqs,
            &[
                locked("web", "0.1.3"),
                locked("api", "1.0"),
                locked("web", "0.1.3"),
            ],
        );
        lock.generated = "2026-01-02T03:04:05.5Z".into();
        lock.version = "0.1.0".into();
        lock.digest = "sha256:ab".into();
        assert_eq!(
            lock.render(),
            "version: 0.1.0\ndependencies:\n  - name: api\n    repository: http://127.0.0.1:8879\n    version: \"1.0\"\n  - name: web\n    repository: http://127.0.0.1:8879\n    version: 0.1.3\ndigest: sha256:ab\ngenerated: \"2026-01-02T03:04:05.5Z\"\n"
        );
        assert_eq!(
            LockFile::read(Path::new("/nonexistent/helmfile.lock")).ok(),
            Some(None)
        );
    }

    #[test]
    fn looks_up_the_first_locked_version_that_fits() {
        let lock = LockFile::new(&[], &[locked("web", "0.1.3"), locked("web", "0.2.0")]);
        assert_eq!(lock.version_for("web", "~0.2"), Some("0.2.0"));
        assert_eq!(lock.version_for("web", ""), Some("0.1.3"));
        assert_eq!(lock.version_for("web", "~0.3"), None);
        assert_eq!(lock.version_for("api", ""), None);
    }

    #[test]
    fn lock_path_follows_the_state_file_name() {
        let base = Path::new("sub");
        assert_eq!(
            lock_path(Path::new("sub/helmfile.yaml.gotmpl"), base, None),
            PathBuf::from("sub/helmfile.lock")
        );
        assert_eq!(
            lock_path(Path::new("charts.yaml"), Path::new(""), None),
            PathBuf::from("charts.lock")
        );
        assert_eq!(
            lock_path(Path::new("sub/x.yaml"), base, Some("locks/x.lock")),
            PathBuf::from("sub/locks/x.lock")
        );
    }
}
