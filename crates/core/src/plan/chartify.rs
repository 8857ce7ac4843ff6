//! What windlass does to a release's chart before helm sees it, as Helmfile's chartify does:
//! `dependencies:` added to a copy of the chart, `strategicMergePatches:` applied to its rendered
//! manifests. Decided here; done by [`crate::chartify`].

use serde::Deserialize;
use serde_yaml::Value;

use crate::plan::PlanError;
use crate::plan::chart::clean;
use crate::project::{Project, Release};

/// A release's chart rewrite.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Chartify {
    /// Charts added as dependencies of the release's chart, in order.
    pub dependencies: Vec<AdhocDependency>,
    /// The strategic-merge patches, each one document (empty until the plan prepares values).
    pub strategic_merge_patches: Vec<Value>,
}

/// One chart `dependencies:` adds, as chartify writes it into `Chart.yaml`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdhocDependency {
    /// The chart's name.
    pub name: String,
    /// Where helm fetches it: a repository URL, `oci://registry/path`, or `file://FOLDER`.
    pub repository: String,
    /// `alias:`, the name it is installed under.
    pub alias: Option<String>,
    /// `version:`, a version or constraint.
    pub version: Option<String>,
    /// The repository of the state file it comes from, to add before helm fetches it.
    pub repository_name: Option<String>,
}

/// A `dependencies:` entry as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    chart: String,
    #[serde(default)]
    version: Option<String>,
    #[serde(default)]
    alias: Option<String>,
}

/// The rewrite `release` asks for, if any; its patches are read later, with its values.
pub(crate) fn plan(project: &Project, release: &Release) -> Result<Option<Chartify>, PlanError> {
    let spec = &release.spec;
    if spec.dependencies.is_empty() && spec.strategic_merge_patches.is_empty() {
        return Ok(None);
    }
    let dependencies = spec
        .dependencies
        .iter()
        .enumerate()
        .map(|(i, entry)| dependency(project, release, i, entry))
        .collect::<Result<_, _>>()?;
    Ok(Some(Chartify {
        dependencies,
        strategic_merge_patches: Vec::new(),
    }))
}

/// Entry `index` of the release's `dependencies:`: a local chart folder, an `oci://` chart, or
/// `repo/chart` of a repository its state file declares (an OCI one by its registry path).
fn dependency(
    project: &Project,
    release: &Release,
    index: usize,
    entry: &Value,
) -> Result<AdhocDependency, PlanError> {
    let invalid = |message: String| PlanError::Setting {
        location: release.value_location("dependencies", index),
        release: release.name().into(),
        message: format!("dependencies[{index}]: {message}"),
    };
    let entry: Entry = serde_yaml::from_value(entry.clone())
        .map_err(|e| invalid(format!("expected {{chart, version, alias}}: {e}")))?;
    let non_empty = |s: Option<String>| s.filter(|s| !s.is_empty());
    let (name, repository, repository_name) = if let Some(path) = entry.chart.strip_prefix("oci://")
    {
        let (registry, name) = path
            .trim_end_matches('/')
            .rsplit_once('/')
            .ok_or_else(|| invalid(format!("\"{}\" names no chart", entry.chart)))?;
        (name.to_string(), format!("oci://{registry}"), None)
    } else if release.base_dir.join(&entry.chart).is_dir() {
        let folder = clean(&release.base_dir.join(&entry.chart));
        let folder = std::path::absolute(&folder).unwrap_or(folder);
        let name = folder
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        (name, format!("file://{}", folder.display()), None)
    } else {
        let (repo, name) = entry.chart.split_once('/').ok_or_else(|| {
            invalid(format!(
                "\"{}\" is neither a chart folder, repo/chart nor oci://",
                entry.chart
            ))
        })?;
        let declared = project
            .state_of(release)
            .repositories
            .iter()
            .find(|r| r.name == repo)
            .ok_or_else(|| {
                invalid(format!(
                    "\"{}\" names repository \"{repo}\", which `repositories:` does not declare",
                    entry.chart
                ))
            })?;
        if declared.oci {
            let base = declared.url.trim_end_matches('/');
            let base = base.strip_prefix("oci://").unwrap_or(base);
            let (prefix, chart) = match name.rsplit_once('/') {
                Some((prefix, chart)) => (format!("/{prefix}"), chart),
                None => (String::new(), name),
            };
            (chart.to_string(), format!("oci://{base}{prefix}"), None)
        } else {
            (
                name.to_string(),
                declared.url.clone(),
                Some(declared.name.clone()),
            )
        }
    };
    Ok(AdhocDependency {
        name,
        repository,
        alias: non_empty(entry.alias),
        version: non_empty(entry.version),
        repository_name,
    })
}
