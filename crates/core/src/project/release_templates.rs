//! Template expressions inside release fields (Helmfile's `ExecuteTemplateExpressions`): `name`,
//! `chart`, `namespace`, `version`, label values, `values`/`secrets` paths, `needs`,
//! `valuesTemplate` and `setTemplate`, and the `*Template` booleans, rendered with the release's
//! own data until they stop changing.

use serde_yaml::Value;

use crate::project::LoadOptions;
use crate::project::error::ProjectError;
use crate::project::template_data::{EnvironmentData, ReleaseData, release_data, render};
use crate::template::{MissingKey, TemplateError};

/// How many rounds Helmfile allows before calling the references recursive.
const MAX_ROUNDS: usize = 6;

/// Renders the template expressions of `release` (a merged release mapping) in place.
pub(crate) fn expand(
    release: &mut Value,
    environment: &EnvironmentData<'_>,
    options: &LoadOptions,
    file: &std::path::Path,
    base_dir: &std::path::Path,
) -> Result<(), ProjectError> {
    if !has_actions(release) {
        // Nothing to render, but the template fields still move into the fields they stand
        // for, as Helmfile's pass over every release moves them.
        let unchanged = |text: &str| -> Result<String, TemplateError> { Ok(text.to_string()) };
        let moved = execute(release, &unchanged, file)?;
        *release = finish(moved);
        return Ok(());
    }
    let original = release.clone();
    let mut previous = original.clone();
    for _ in 0..MAX_ROUNDS {
        let data = release_data(environment, &fields_of(&previous), options);
        let render_text = |text: &str| -> Result<String, TemplateError> {
            if text.contains("{{") {
                render(file, text, &data, base_dir, MissingKey::Error, options)
            } else {
                Ok(text.to_string())
            }
        };
        let next = execute(&original, &render_text, file)?;
        if next == previous {
            *release = finish(next);
            return Ok(());
        }
        previous = next;
    }
    Err(ProjectError::InvalidField {
        location: crate::location::Location::file(file),
        context: format!("release \"{}\"", name_of(&original)),
        message: "template expressions refer to each other and never settle".into(),
    })
}

fn has_actions(value: &Value) -> bool {
    match value {
        Value::String(s) => s.contains("{{"),
        Value::Sequence(items) => items.iter().any(has_actions),
        Value::Mapping(map) => map.values().any(has_actions),
        _ => false,
    }
}

fn name_of(release: &Value) -> String {
    release
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

/// `.Release` as the current state of the release describes it.
fn fields_of(release: &Value) -> ReleaseData {
    let text = |key: &str| {
        release
            .get(key)
            .and_then(crate::project::scalar_text)
            .unwrap_or_default()
    };
    ReleaseData {
        name: text("name"),
        namespace: text("namespace"),
        labels: release
            .get("labels")
            .and_then(Value::as_mapping)
            .map(|labels| {
                labels
                    .iter()
                    .filter_map(|(k, v)| {
                        Some((k.as_str()?.to_string(), crate::project::scalar_text(v)?))
                    })
                    .collect()
            })
            .unwrap_or_default(),
        chart: text("chart"),
        kube_context: text("kubeContext"),
    }
}

type RenderText<'a> = dyn Fn(&str) -> Result<String, TemplateError> + 'a;

/// One round over the fields Helmfile renders, starting from the release as written (in
/// `file`).
fn execute(
    original: &Value,
    render_text: &RenderText<'_>,
    file: &std::path::Path,
) -> Result<Value, ProjectError> {
    let render_text =
        |text: &str| render_text(text).map_err(|source| ProjectError::Template { source });
    let mut release = original.clone();
    let Some(map) = release.as_mapping_mut() else {
        return Ok(release);
    };
    for key in [
        "name",
        "chart",
        "namespace",
        "version",
        "waitTemplate",
        "installedTemplate",
        "verifyTemplate",
        "conditionTemplate",
    ] {
        if let Some(Value::String(text)) = map.get_mut(key) {
            *text = render_text(text)?;
        }
    }
    if let Some(Value::Mapping(labels)) = map.get_mut("labels") {
        for value in labels.values_mut() {
            if let Value::String(text) = value {
                *text = render_text(text)?;
            }
        }
    }
    for key in ["values", "secrets", "needs"] {
        if let Some(Value::Sequence(items)) = map.get_mut(key) {
            for item in items.iter_mut() {
                if let Value::String(text) = item {
                    *text = render_text(text)?;
                }
            }
        }
    }
    // valuesTemplate entries are rendered as YAML and go before the release's own values.
    if let Some(Value::Sequence(templates)) = map.get("valuesTemplate").cloned() {
        let mut rendered = Vec::with_capacity(templates.len());
        for entry in templates {
            rendered.push(match entry {
                Value::Mapping(_) => {
                    // A round trip through text the template engine renders; serde_yaml on
                    // both sides, so nothing folds a template action across lines.
                    let invalid = |e: serde_yaml::Error| ProjectError::Yaml {
                        location: crate::location::Location::file(file),
                        message: format!(
                            "valuesTemplate of release \"{}\" renders to invalid YAML: {e}",
                            name_of(original)
                        ),
                    };
                    let text = serde_yaml::to_string(&entry).map_err(invalid)?;
                    let output = render_text(&text)?;
                    serde_yaml::from_str(&output).map_err(invalid)?
                }
                other => other,
            });
        }
        let values = map
            .entry("values".into())
            .or_insert(Value::Sequence(Vec::new()));
        if let Value::Sequence(values) = values {
            rendered.append(values);
            *values = rendered;
        }
    }
    // setTemplate entries are rendered field by field and go before the release's own `set`.
    if let Some(Value::Sequence(templates)) = map.get("setTemplate").cloned() {
        let mut rendered = Vec::with_capacity(templates.len());
        for mut entry in templates {
            if let Some(fields) = entry.as_mapping_mut() {
                for key in ["name", "value", "file"] {
                    if let Some(Value::String(text)) = fields.get_mut(key) {
                        *text = render_text(text)?;
                    }
                }
                if let Some(Value::Sequence(items)) = fields.get_mut("values") {
                    for item in items.iter_mut() {
                        if let Value::String(text) = item {
                            *text = render_text(text)?;
                        }
                    }
                }
            }
            rendered.push(entry);
        }
        let set = map
            .entry("set".into())
            .or_insert(Value::Sequence(Vec::new()));
        if let Value::Sequence(set) = set {
            rendered.append(set);
            *set = rendered;
        }
    }
    Ok(release)
}

/// After the last round: the `*Template` booleans become the fields they stand for, and the
/// template fields are consumed.
fn finish(mut release: Value) -> Value {
    if let Some(map) = release.as_mapping_mut() {
        for (template, field) in [
            ("installedTemplate", "installed"),
            ("waitTemplate", "wait"),
            ("verifyTemplate", "verify"),
        ] {
            if let Some(Value::String(text)) = map.remove(template) {
                map.insert(field.into(), Value::Bool(text.trim() == "true"));
            }
        }
        if let Some(Value::String(text)) = map.remove("conditionTemplate") {
            map.insert("condition".into(), Value::String(text.trim().to_string()));
        }
        map.remove("valuesTemplate");
        map.remove("setTemplate");
    }
    release
}
