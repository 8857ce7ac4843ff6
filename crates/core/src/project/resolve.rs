//! The last step shared by both layouts: merged release specs become validated [`Release`]s with
//! Helmfile's defaults, their files are checked, and the dependency graph is built.

use std::collections::HashMap;
use std::path::PathBuf;

use serde_yaml::Value;

use crate::graph::{Dag, Need, Node, ReleaseId, release_labels};
use crate::location::Location;
use crate::project::error::ProjectError;
use crate::project::fields::{decode, invalid};
use crate::project::layers::Layers;
use crate::project::release::{Release, ReleaseSpec};
use crate::project::release_templates;
use crate::project::source::Segment;
use crate::project::state_values::{EntryContext, resolve_files};
use crate::project::template_data::EnvironmentData;
use crate::project::{Diagnostic, Environment, LoadOptions, StateFile};

/// A release spec merged from its layers, not yet validated.
pub(crate) struct RawRelease {
    /// The merged mapping.
    pub value: Value,
    /// Where its parts were written.
    pub layers: Layers,
    /// Its state file's index.
    pub state: usize,
}

/// Validates `raw` releases and builds the graph; findings that do not stop the load go to
/// `diagnostics`.
pub(crate) fn resolve(
    raw: Vec<RawRelease>,
    options: &LoadOptions,
    environment: &Environment,
    states: &[StateFile],
    diagnostics: &mut Vec<Diagnostic>,
) -> Result<(Vec<Release>, Dag), ProjectError> {
    let mut releases = Vec::with_capacity(raw.len());
    let mut seen: HashMap<ReleaseId, Location> = HashMap::new();
    for raw in raw {
        let release = resolve_one(raw, options, environment, states, diagnostics)?;
        if let Some(first) = seen.get(&release.id) {
            return Err(ProjectError::DuplicateRelease {
                location: release.location.clone(),
                id: release.id.to_string(),
                first: first.clone(),
            });
        }
        seen.insert(release.id.clone(), release.location.clone());
        releases.push(release);
    }
    let graph = Dag::new(releases.iter().map(graph_node))?;
    Ok((releases, graph))
}

fn resolve_one(
    mut raw: RawRelease,
    options: &LoadOptions,
    environment: &Environment,
    states: &[StateFile],
    diagnostics: &mut Vec<Diagnostic>,
) -> Result<Release, ProjectError> {
    let state = &states[raw.state];
    let environment_data = EnvironmentData {
        name: &environment.name,
        kube_context: environment.kube_context.as_deref().unwrap_or_default(),
        values: &state.values,
    };
    release_templates::expand(
        &mut raw.value,
        &environment_data,
        options,
        &state.file,
        &state.base_dir,
    )?;
    let name = raw
        .value
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let context = format!("release \"{name}\"");
    let mut spec: ReleaseSpec = decode(&raw.value, &raw.layers, &context)?;
    let location = raw.layers.origin();
    if name.is_empty() {
        return Err(ProjectError::MissingField {
            location,
            context: "release".into(),
            field: "name",
        });
    }
    if spec.chart.as_deref().unwrap_or_default().is_empty() {
        return Err(ProjectError::MissingField {
            location,
            context,
            field: "chart",
        });
    }
    let state = &states[raw.state];
    if let Some(namespace) = options.namespace.as_ref().or(state.namespace.as_ref()) {
        spec.namespace = Some(namespace.clone());
    }
    // Helmfile 1.x: `--kube-context` (or the state file's `kubeContext:`) overrides every
    // release's own; a release without one takes `helmDefaults.kubeContext`.
    if let (Some(_), Some(_)) = (&options.kube_context, &state.kube_context) {
        return Err(invalid(
            Location::file(&state.file),
            "the state file".into(),
            "\"kubeContext\" cannot be combined with --kube-context".into(),
        ));
    }
    if let Some(context) = options
        .kube_context
        .as_ref()
        .or(state.kube_context.as_ref())
    {
        spec.kube_context = Some(context.clone());
    }
    if spec.kube_context.as_deref().unwrap_or_default().is_empty() {
        spec.kube_context = state
            .helm_defaults
            .kube_context
            .clone()
            .filter(|c| !c.is_empty());
    }
    for (key, value) in &state.common_labels {
        spec.labels.insert(key.clone(), value.clone());
    }
    if spec.api_versions.is_empty() {
        spec.api_versions = state.api_versions.clone();
    }
    if spec.kube_version.is_none() {
        spec.kube_version = state.kube_version.clone();
    }
    // Helmfile 1.x labels every release with its name, namespace and chart too
    // (`GetReleasesWithLabels`, after release templates): `list`, `build`, selectors and
    // `--labels` all see them.
    spec.labels = release_labels(
        std::mem::take(&mut spec.labels),
        &name,
        spec.namespace.as_deref().unwrap_or_default(),
        spec.chart.as_deref().unwrap_or_default(),
    )
    .into_iter()
    .collect();
    let enabled = condition_enabled(&spec, &environment.values).map_err(|message| {
        invalid(
            raw.layers.locate(&[key("condition")]),
            context.clone(),
            message,
        )
    })?;
    let mut problems = Vec::new();
    for field in ["values", "secrets"] {
        let entries = if field == "values" {
            &spec.values
        } else {
            &spec.secrets
        };
        for (i, entry) in entries.iter().enumerate() {
            let Value::String(path) = entry else { continue };
            if is_checkable_path(path) {
                let at = || raw.layers.locate(&[key(field), Segment::Index(i)]);
                // Like Helmfile, a missing file matters only if the release is selected.
                match release_entry_files(&spec, state, path, field, &at, diagnostics) {
                    Err(error @ ProjectError::MissingFile { .. }) => {
                        problems.push(std::sync::Arc::new(error))
                    }
                    other => {
                        other?;
                    }
                }
            }
        }
    }
    let id = ReleaseId::new(
        spec.kube_context.clone().unwrap_or_default(),
        spec.namespace.clone().unwrap_or_default(),
        name.as_str(),
    );
    Ok(Release {
        id,
        spec,
        location,
        base_dir: state.base_dir.clone(),
        state: raw.state,
        enabled,
        problems,
        layers: raw.layers,
    })
}

fn key(name: &str) -> Segment {
    Segment::Key(name.to_string())
}

/// The files a release's `values:` or `secrets:` path entry names: its `valuesPathPrefix` and
/// the path, relative to its state file's folder, globs expanded, under the release's (else the
/// state file's) `missingFileHandler`. Loading checks entries with it and the values pipeline
/// reads them with it, so both always agree.
pub(crate) fn release_entry_files(
    spec: &ReleaseSpec,
    state: &StateFile,
    path: &str,
    field: &str,
    location: &dyn Fn() -> Location,
    diagnostics: &mut Vec<Diagnostic>,
) -> Result<Vec<PathBuf>, ProjectError> {
    let owner = format!("release \"{}\"", spec.name.as_deref().unwrap_or_default());
    let context = EntryContext {
        base_dir: &state.base_dir,
        shown_dir: &state.shown_dir,
        missing: spec
            .missing_file_handler
            .unwrap_or(state.missing_file_handler),
        owner: &owner,
        what: if field == "values" {
            "values file"
        } else {
            "secrets file"
        },
        templates: None,
    };
    let prefixed = format!(
        "{}{path}",
        spec.values_path_prefix.as_deref().unwrap_or_default()
    );
    resolve_files(&prefixed, &context, location, diagnostics)
}

/// Whether a values path can be checked now: not templated, not remote.
fn is_checkable_path(path: &str) -> bool {
    !path.contains("{{") && !path.contains("://") && !path.starts_with("git::")
}

/// Helmfile's `condition:` rule: `true`/`false`, or `a.b.enabled` read from the state values
/// (a missing or non-boolean `enabled` is false; a missing parent is an error).
fn condition_enabled(spec: &ReleaseSpec, values: &Value) -> Result<bool, String> {
    let Some(condition) = spec.condition.as_deref().filter(|c| !c.is_empty()) else {
        return Ok(true);
    };
    match condition.to_ascii_lowercase().as_str() {
        "true" => return Ok(true),
        "false" => return Ok(false),
        _ => {}
    }
    let keys: Vec<&str> = condition.split('.').collect();
    if keys.last() != Some(&"enabled") || keys.len() < 2 {
        return Err(format!(
            "condition \"{condition}\" must be of the form \"foo.enabled\""
        ));
    }
    let mut current = values;
    let mut walked = String::new();
    for part in &keys[..keys.len() - 1] {
        walked.push('.');
        walked.push_str(part);
        current = current
            .get(*part)
            .ok_or_else(|| format!("environment values field \"{walked}\" not found"))?;
        if !current.is_mapping() {
            return Err(format!(
                "environment values field \"{walked}\" is not a map"
            ));
        }
    }
    Ok(current
        .get("enabled")
        .and_then(Value::as_bool)
        .unwrap_or(false))
}

/// The graph's view of a release.
fn graph_node(release: &Release) -> Node {
    let needs = release
        .spec
        .needs
        .iter()
        .enumerate()
        .map(|(i, entry)| Need {
            entry: entry.clone(),
            location: release.value_location("needs", i),
        })
        .collect();
    Node {
        id: release.id.clone(),
        location: release.location.clone(),
        needs,
    }
}

/// The folder of `file`, for resolving paths written in it.
pub(crate) fn dir_of(file: &std::path::Path) -> PathBuf {
    file.parent().map(PathBuf::from).unwrap_or_default()
}
