//! `list`: one entry per selected release, as Helmfile's `list` reports them; with
//! `--deployed`, each with its deployed revision and status, from one `helm list` per kube
//! context.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::helm::{Helm, argv};
use crate::ops::OperationError;
use crate::plan::Plan;
use crate::project::Project;

/// One row of `list`; the JSON field names are Helmfile's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ListEntry {
    /// The release name.
    pub name: String,
    /// Its namespace.
    pub namespace: String,
    /// Whether its `condition:` holds.
    pub enabled: bool,
    /// Whether it is to be installed (`installed:`).
    pub installed: bool,
    /// Its labels as `key:value` pairs sorted by key, comma-separated.
    pub labels: String,
    /// The chart reference.
    pub chart: String,
    /// The chart version: the one the state's lock file pins, else the one written; empty when
    /// unpinned.
    pub version: String,
    /// With `--deployed`: its deployed revision and status (`None` when not installed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deployed: Option<Option<Deployed>>,
}

/// A release as `helm list` reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deployed {
    /// Its latest revision.
    pub revision: String,
    /// Its status (`deployed`, `failed`, `pending-upgrade`...).
    pub status: String,
}

/// One row of `helm list --output json`.
#[derive(Deserialize)]
struct Listed {
    name: String,
    namespace: String,
    revision: String,
    status: String,
}

/// The entries of the plan's releases, sorted by namespace then name as Helmfile sorts them;
/// versions as the plan pins them (Helmfile's `list` resolves the lock file too).
pub fn entries(project: &Project, plan: &Plan) -> Vec<ListEntry> {
    let mut entries: Vec<ListEntry> = plan
        .releases
        .iter()
        .map(|planned| {
            let release = &project.releases[planned.release_index];
            let mut labels: Vec<_> = release.spec.labels.iter().collect();
            labels.sort();
            ListEntry {
                name: release.name().to_string(),
                namespace: release.namespace().to_string(),
                enabled: release.enabled,
                installed: release.installed(),
                labels: labels
                    .iter()
                    .map(|(k, v)| format!("{k}:{v}"))
                    .collect::<Vec<_>>()
                    .join(","),
                chart: release.chart().to_string(),
                version: planned.chart_version.clone().unwrap_or_default(),
                deployed: None,
            }
        })
        .collect();
    entries.sort_by(|a, b| (&a.namespace, &a.name).cmp(&(&b.namespace, &b.name)));
    entries
}

/// Adds to `entries` (of `plan`'s releases) what helm lists as deployed: one `helm list
/// --all-namespaces --all --output json` per kube context.
pub async fn add_deployed<H: Helm>(
    helm: &H,
    plan: &Plan,
    entries: &mut [ListEntry],
) -> Result<(), OperationError> {
    let mut contexts: Vec<&crate::plan::PlannedRelease> = Vec::new();
    for release in &plan.releases {
        if !contexts
            .iter()
            .any(|r| r.kube_context == release.kube_context)
        {
            contexts.push(release);
        }
    }
    let mut deployed: HashMap<(Option<&str>, String, String), Deployed> = HashMap::new();
    for first in contexts {
        let context = first.kube_context.as_deref();
        let output = helm
            .run(&argv::list_all(first))
            .await
            .map_err(OperationError::helm(
                context.unwrap_or("the current kube context"),
            ))?;
        let listed: Vec<Listed> = serde_json::from_str(output.stdout.trim())
            .map_err(|e| OperationError::HelmOutput(format!("`helm list --output json`: {e}")))?;
        for row in listed {
            deployed.insert(
                (context, row.namespace, row.name),
                Deployed {
                    revision: row.revision,
                    status: row.status,
                },
            );
        }
    }
    for entry in entries.iter_mut() {
        let context = plan
            .releases
            .iter()
            .find(|r| r.name == entry.name && r.namespace == entry.namespace)
            .and_then(|r| r.kube_context.as_deref());
        let key = (context, entry.namespace.clone(), entry.name.clone());
        entry.deployed = Some(deployed.get(&key).cloned());
    }
    Ok(())
}

/// The entries as an aligned table with Helmfile's header, one line per release; with the
/// deployed revision and status when they were asked for.
pub fn table(entries: &[ListEntry]) -> String {
    let with_deployed = entries.iter().any(|e| e.deployed.is_some());
    let mut header: Vec<String> = [
        "NAME",
        "NAMESPACE",
        "ENABLED",
        "INSTALLED",
        "LABELS",
        "CHART",
        "VERSION",
    ]
    .map(String::from)
    .to_vec();
    if with_deployed {
        header.extend(["REVISION".into(), "STATUS".into()]);
    }
    let columns = header.len();
    let rows: Vec<Vec<String>> = std::iter::once(header)
        .chain(entries.iter().map(|e| {
            let mut row = vec![
                e.name.clone(),
                e.namespace.clone(),
                e.enabled.to_string(),
                e.installed.to_string(),
                e.labels.clone(),
                e.chart.clone(),
                e.version.clone(),
            ];
            if with_deployed {
                let deployed = e.deployed.clone().flatten();
                row.push(
                    deployed
                        .as_ref()
                        .map(|d| d.revision.clone())
                        .unwrap_or_default(),
                );
                row.push(deployed.map_or_else(|| "not installed".into(), |d| d.status));
            }
            row
        }))
        .collect();
    let widths: Vec<usize> = (0..columns)
        .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
        .collect();
    rows.iter()
        .map(|row| {
            let cells: Vec<String> = row
                .iter()
                .zip(&widths)
                .map(|(cell, width)| format!("{cell:<width$}"))
                .collect();
            format!("{}\n", cells.join("\t").trim_end())
        })
        .collect()
}
