//! `list`: one entry per selected release, as Helmfile's `list` reports them.

use serde::Serialize;

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
    /// The chart version, empty when unpinned.
    pub version: String,
}

/// The entries of the `selected` releases, sorted by namespace then name as Helmfile sorts them.
pub fn entries(project: &Project, selected: &[usize]) -> Vec<ListEntry> {
    let mut entries: Vec<ListEntry> = selected
        .iter()
        .map(|&i| {
            let release = &project.releases[i];
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
                version: release.spec.version.clone().unwrap_or_default(),
            }
        })
        .collect();
    entries.sort_by(|a, b| (&a.namespace, &a.name).cmp(&(&b.namespace, &b.name)));
    entries
}

/// The entries as an aligned table with Helmfile's header, one line per release.
pub fn table(entries: &[ListEntry]) -> String {
    let header = [
        "NAME",
        "NAMESPACE",
        "ENABLED",
        "INSTALLED",
        "LABELS",
        "CHART",
        "VERSION",
    ]
    .map(String::from);
    let rows: Vec<[String; 7]> = std::iter::once(header)
        .chain(entries.iter().map(|e| {
            [
                e.name.clone(),
                e.namespace.clone(),
                e.enabled.to_string(),
                e.installed.to_string(),
                e.labels.clone(),
                e.chart.clone(),
                e.version.clone(),
            ]
        }))
        .collect();
    let widths: Vec<usize> = (0..7)
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
