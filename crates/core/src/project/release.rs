//! The Helmfile v1 release spec, field for field, and the resolved release of one environment.

use std::path::PathBuf;

use indexmap::IndexMap;
use serde::{Deserialize, Deserializer, Serialize};
use serde_yaml::Value;

use crate::graph::ReleaseId;
use crate::location::Location;
use crate::project::layers::Layers;
use crate::project::source::Segment;

/// One release as written in a state file (Helmfile's `ReleaseSpec`); every field is optional here
/// and defaults are applied when the project is resolved.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[allow(missing_docs)] // The fields are Helmfile's, documented in its release spec.
pub struct ReleaseSpec {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chart: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chart_path: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub directory: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "scalar_string"
    )]
    pub version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verify: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keyring: Option<String>,
    #[serde(default, rename = "enableDNS", skip_serializing_if = "Option::is_none")]
    pub enable_dns: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub devel: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wait: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wait_retries: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wait_for_jobs: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recreate_pods: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub force: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub installed: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub update_strategy: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub atomic: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rollback_on_failure: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cleanup_on_fail: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub force_conflicts: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub history_max: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub condition: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub create_namespace: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reuse_values: Option<bool>,
    #[serde(
        default,
        rename = "disableOpenAPIValidation",
        skip_serializing_if = "Option::is_none"
    )]
    pub disable_openapi_validation: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disable_validation: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disable_validation_on_install: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub missing_file_handler: Option<MissingFileHandler>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub missing_file_handler_config: Option<Value>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub needs: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hooks: Vec<Hook>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unit_tests: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "IndexMap::is_empty",
        deserialize_with = "string_map"
    )]
    pub labels: IndexMap<String, String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<Value>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub secrets: Vec<Value>,
    #[serde(default, rename = "set", skip_serializing_if = "Vec::is_empty")]
    pub set_values: Vec<SetValue>,
    #[serde(default, rename = "setString", skip_serializing_if = "Vec::is_empty")]
    pub set_string_values: Vec<SetValue>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values_template: Vec<Value>,
    #[serde(default, rename = "setTemplate", skip_serializing_if = "Vec::is_empty")]
    pub set_values_template: Vec<SetValue>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub api_versions: Vec<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "scalar_string"
    )]
    pub kube_version: Option<String>,
    #[serde(default, rename = "env", skip_serializing_if = "Vec::is_empty")]
    pub env_values: Vec<SetValue>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values_path_prefix: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kube_context: Option<String>,
    #[serde(
        default,
        rename = "insecureSkipTLSVerify",
        skip_serializing_if = "Option::is_none"
    )]
    pub insecure_skip_tls_verify: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plain_http: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verify_template: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wait_template: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub installed_template: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub condition_template: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dependencies: Vec<Value>,
    #[serde(default, rename = "jsonPatches", skip_serializing_if = "Vec::is_empty")]
    pub json_patches: Vec<Value>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub strategic_merge_patches: Vec<Value>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub transformers: Vec<Value>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub adopt: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub force_go_getter: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub force_namespace: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skip_deps: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skip_refresh: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub post_renderer: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skip_schema_validation: Option<bool>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub post_renderer_args: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cascade: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub suppress_output_line_regex: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disable_auto_detected_kube_version_for_diff: Option<bool>,
    #[serde(default, skip_serializing, deserialize_with = "inherits")]
    pub inherit: Vec<Inherit>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suppress_diff: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delete_wait: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delete_timeout: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sync_release_labels: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub take_ownership: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_side: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub track_mode: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub track_timeout: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub track_logs: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub track_failed_logs: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub helm_stuck_grace: Option<i64>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub track_kinds: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skip_kinds: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub track_resources: Vec<Value>,
    #[serde(
        default,
        rename = "kubedogQPS",
        skip_serializing_if = "Option::is_none"
    )]
    pub kubedog_qps: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kubedog_burst: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub track_fail_on_error: Option<bool>,
}

/// What to do when a file named in `values:`/`secrets:` does not exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[non_exhaustive]
pub enum MissingFileHandler {
    /// Fail the run (the default).
    Error,
    /// Skip the file and warn.
    Warn,
    /// Skip the file and say so at info level.
    Info,
    /// Skip the file and say so at debug level.
    Debug,
}

/// One `set:`/`setString:` entry: a value, a file whose content is the value, or a list of values.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SetValue {
    /// The helm value path, e.g. `image.tag`.
    #[serde(default)]
    pub name: String,
    /// The value, as text.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "scalar_string"
    )]
    pub value: Option<String>,
    /// A file whose content is the value (`--set-file`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// A list of values (`name={a,b}`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<Value>,
}

/// A command run at a release lifecycle event (`presync`, `postsync`, ...).
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Hook {
    /// A name for messages.
    #[serde(default)]
    pub name: String,
    /// The events that trigger the hook.
    #[serde(default)]
    pub events: Vec<String>,
    /// The program to run.
    #[serde(default)]
    pub command: String,
    /// `kubectl apply` arguments instead of a command.
    #[serde(
        default,
        rename = "kubectlApply",
        skip_serializing_if = "IndexMap::is_empty"
    )]
    pub kubectl_apply: IndexMap<String, String>,
    /// The program's arguments.
    #[serde(default)]
    pub args: Vec<String>,
    /// Whether to show the command's output.
    #[serde(default)]
    pub showlogs: bool,
}

/// One `inherit:` entry: a release template and the fields not to take from it.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Inherit {
    /// The name of the template under `templates:`.
    #[serde(default)]
    pub template: String,
    /// Fields of the template to leave out (`values`, `set`, `labels`, ...).
    #[serde(default)]
    pub except: Vec<String>,
}

/// A release of the selected environment, resolved from its layers (template, catalog entry,
/// environment overrides) and validated.
#[derive(Debug)]
pub struct Release {
    /// `[kubeContext/]namespace/name`.
    pub id: ReleaseId,
    /// The merged spec, with Helmfile's defaults applied.
    pub spec: ReleaseSpec,
    /// Where the release is defined.
    pub location: Location,
    /// The folder that relative paths of this release are relative to.
    pub base_dir: PathBuf,
    /// The index of its state file in [`crate::project::Project::states`].
    pub state: usize,
    /// Whether its `condition:` holds in this environment (Helmfile's ENABLED column).
    pub enabled: bool,
    /// What is wrong with it that matters only if a command selects it (a missing values file).
    pub problems: Vec<std::sync::Arc<crate::project::ProjectError>>,
    /// The layers the spec was merged from, to locate any of its fields.
    pub(crate) layers: Layers,
}

impl Release {
    /// The release name.
    pub fn name(&self) -> &str {
        self.spec.name.as_deref().unwrap_or_default()
    }

    /// The namespace, empty when none is set.
    pub fn namespace(&self) -> &str {
        self.spec.namespace.as_deref().unwrap_or_default()
    }

    /// The chart reference as written (`repo/chart`, `./path`, `oci://...`).
    pub fn chart(&self) -> &str {
        self.spec.chart.as_deref().unwrap_or_default()
    }

    /// Whether the release is to be installed (`installed:`, default true).
    pub fn installed(&self) -> bool {
        self.spec.installed.unwrap_or(true)
    }

    /// Where field `field` (e.g. `chart`) was written, or the release itself when it was not.
    pub fn field_location(&self, field: &str) -> Location {
        self.layers.locate(&[Segment::Key(field.to_string())])
    }

    /// Where entry `index` of the list field `field` (e.g. `values`) was written.
    pub fn value_location(&self, field: &str, index: usize) -> Location {
        self.layers
            .locate(&[Segment::Key(field.to_string()), Segment::Index(index)])
    }
}

/// Accepts any YAML scalar as text, as Go's YAML decoder does for string fields (`version: 1.2`).
fn scalar_string<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    let value = Value::deserialize(deserializer)?;
    scalar_text(&value).map(Some).ok_or_else(|| {
        serde::de::Error::custom(format!("expected a string, found {}", kind_of(&value)))
    })
}

/// A map of strings whose values may be written as numbers or booleans (`tier: 1`).
fn string_map<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<IndexMap<String, String>, D::Error> {
    let map = Option::<IndexMap<String, Value>>::deserialize(deserializer)?.unwrap_or_default();
    map.into_iter()
        .map(|(k, v)| match scalar_text(&v) {
            Some(text) => Ok((k, text)),
            None => Err(serde::de::Error::custom(format!(
                "label \"{k}\" must be a string, found {}",
                kind_of(&v)
            ))),
        })
        .collect()
}

/// `inherit:` is a list of entries, or (before Helmfile 0.151) a single entry.
fn inherits<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<Inherit>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        Many(Vec<Inherit>),
        One(Inherit),
    }
    Ok(match Option::<OneOrMany>::deserialize(deserializer)? {
        None => Vec::new(),
        Some(OneOrMany::Many(list)) => list,
        Some(OneOrMany::One(one)) => vec![one],
    })
}

/// A scalar's text as Go would read it into a string field; `None` for collections.
pub(crate) fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Null => Some(String::new()),
        _ => None,
    }
}

/// A short name of a YAML value's kind, for messages.
pub(crate) fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Sequence(_) => "a list",
        Value::Mapping(_) => "a map",
        Value::Tagged(_) => "a tagged value",
    }
}
