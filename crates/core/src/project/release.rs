//! The Helmfile v1 release spec, field for field, and the resolved release of one environment.

use std::path::PathBuf;

use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize};
use serde_yaml::Value;

use crate::graph::ReleaseId;
use crate::location::Location;
use crate::project::layers::Layers;
use crate::project::source::Segment;

/// One release as written in a state file (Helmfile's `ReleaseSpec`); every field is optional here
/// and defaults are applied when the project is resolved.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(
    deny_unknown_fields,
    description = "A Helm release: its chart, namespace, values and helm settings."
)]
pub struct ReleaseSpec {
    /// The chart: `repo/name`, a local folder (`./charts/api`), `oci://registry/path/name` or a
    /// chart archive URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chart: Option<String>,
    /// Helmfile's internal path of a chart it rewrote (chartify); not meant to be written by hand.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chart_path: Option<String>,
    /// Helmfile's alias of `chart` for a folder of plain manifests or a kustomization (chartify).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub directory: Option<String>,
    /// The chart version or semver range (`1.2.3`, `~1.2`); a number is read as text.
    #[schemars(schema_with = "crate::project::schema::scalar")]
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "scalar_string"
    )]
    pub version: Option<String>,
    /// Verify the chart's provenance signature (helm `--verify`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verify: Option<bool>,
    /// The keyring holding the public keys `verify` checks against (helm `--keyring`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keyring: Option<String>,
    /// Let the chart's templates look up DNS names (helm `--enable-dns`).
    #[serde(default, rename = "enableDNS", skip_serializing_if = "Option::is_none")]
    pub enable_dns: Option<bool>,
    /// Also consider development versions of the chart (helm `--devel`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub devel: Option<bool>,
    /// Wait until the release's resources are ready before calling it done (helm `--wait`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wait: Option<bool>,
    /// Retries of helm's `--wait`, a flag helm removed; Helmfile 1.x ignores it and windlass warns.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wait_retries: Option<i64>,
    /// With `wait`, also wait until the release's Jobs have completed (helm `--wait-for-jobs`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wait_for_jobs: Option<bool>,
    /// Seconds helm waits for any single Kubernetes operation (helm `--timeout`, default 300).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout: Option<i64>,
    /// Restart the release's pods on upgrade (helm 2's `--recreate-pods`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recreate_pods: Option<bool>,
    /// Replace resources that cannot be updated in place (helm 3 `--force`, helm 4
    /// `--force-replace`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub force: Option<bool>,
    /// `false` uninstalls the release where it exists and never installs it (default `true`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub installed: Option<bool>,
    /// Helmfile's `reinstallIfForbidden` strategy; not supported yet: windlass stops with an error
    /// where it is set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub update_strategy: Option<String>,
    /// Roll back a failed install or upgrade (helm 3 `--atomic`, helm 4 `--rollback-on-failure`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub atomic: Option<bool>,
    /// Helm 4's name for `atomic` (`--rollback-on-failure`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rollback_on_failure: Option<bool>,
    /// Delete the resources a failed upgrade created (helm `--cleanup-on-fail`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cleanup_on_fail: Option<bool>,
    /// Take over fields that other managers own when applying server-side (helm 4
    /// `--force-conflicts`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub force_conflicts: Option<bool>,
    /// Revisions helm keeps for the release (helm `--history-max`, default 10; 0 keeps all).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub history_max: Option<i64>,
    /// A state value path ending in `enabled` (`postgres.enabled`): the release runs only when it
    /// is true.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub condition: Option<String>,
    /// Create the release's namespace when it is missing (helm `--create-namespace`, default
    /// `true`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub create_namespace: Option<bool>,
    /// Start from the deployed release's values instead of the chart's (helm `--reuse-values`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reuse_values: Option<bool>,
    /// Skip the validation of rendered manifests against the cluster's OpenAPI schema (helm
    /// `--disable-openapi-validation`).
    #[serde(
        default,
        rename = "disableOpenAPIValidation",
        skip_serializing_if = "Option::is_none"
    )]
    pub disable_openapi_validation: Option<bool>,
    /// Do not validate the release's manifests against the cluster when diffing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disable_validation: Option<bool>,
    /// Like `disableValidation`, only while the release is not installed yet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disable_validation_on_install: Option<bool>,
    /// What to do when one of the release's `values` or `secrets` files is missing (default
    /// `Error`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub missing_file_handler: Option<MissingFileHandler>,
    /// Options of `missingFileHandler` for remote files (`ignoreMissingGitBranch`).
    #[schemars(with = "Option<serde_json::Value>")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub missing_file_handler_config: Option<Value>,
    /// Releases deployed before this one: `name`, `namespace/name` or `kubeContext/namespace/name`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub needs: Vec<String>,
    /// Commands run at events of this release's lifecycle (`prepare`, `presync`, `postsync`...).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hooks: Vec<Hook>,
    /// helm-unittest test folders (Helmfile's `unittest` command); windlass warns and does not run
    /// them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unit_tests: Vec<String>,
    /// The release name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// A description of the release for helm (`--description`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The namespace the release is installed into.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// Labels to select the release with (`-l tier=web`); numbers and booleans are read as text.
    #[schemars(schema_with = "crate::project::schema::labels")]
    #[serde(
        default,
        skip_serializing_if = "IndexMap::is_empty",
        deserialize_with = "string_map"
    )]
    pub labels: IndexMap<String, String>,
    /// Values files (paths or globs; `.gotmpl` files are rendered) and inline maps, later entries
    /// winning.
    #[schemars(schema_with = "crate::project::schema::values_entries")]
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<Value>,
    /// SOPS-encrypted values files, decrypted in memory; they win over `values`.
    #[schemars(with = "Vec<String>")]
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub secrets: Vec<Value>,
    /// Single values, as helm `--set` (`value`), `--set-file` (`file`) or a list (`values`); they
    /// win over values files.
    #[serde(default, rename = "set", skip_serializing_if = "Vec::is_empty")]
    pub set_values: Vec<SetValue>,
    /// Like `set`, always as strings (helm `--set-string`).
    #[serde(default, rename = "setString", skip_serializing_if = "Vec::is_empty")]
    pub set_string_values: Vec<SetValue>,
    /// Like `values`, with the entries' text rendered as templates first (`{{ .Release.Name }}`).
    #[schemars(schema_with = "crate::project::schema::values_entries")]
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values_template: Vec<Value>,
    /// Like `set`, with the entries rendered as templates first.
    #[serde(default, rename = "setTemplate", skip_serializing_if = "Vec::is_empty")]
    pub set_values_template: Vec<SetValue>,
    /// API versions the chart sees in `.Capabilities.APIVersions` (helm `--api-versions`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub api_versions: Vec<String>,
    /// The Kubernetes version the chart sees in `.Capabilities.KubeVersion` (helm
    /// `--kube-version`).
    #[schemars(schema_with = "crate::project::schema::scalar")]
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "scalar_string"
    )]
    pub kube_version: Option<String>,
    /// The old form of `set`, kept by Helmfile for compatibility.
    #[serde(default, rename = "env", skip_serializing_if = "Vec::is_empty")]
    pub env_values: Vec<SetValue>,
    /// Text put before every relative path in `values` and `secrets`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values_path_prefix: Option<String>,
    /// The kube context helm talks to for this release (helm `--kube-context`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kube_context: Option<String>,
    /// Do not check the TLS certificate of the chart's server (helm `--insecure-skip-tls-verify`).
    #[serde(
        default,
        rename = "insecureSkipTLSVerify",
        skip_serializing_if = "Option::is_none"
    )]
    pub insecure_skip_tls_verify: Option<bool>,
    /// Fetch the chart from its OCI registry over plain HTTP (helm `--plain-http`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plain_http: Option<bool>,
    /// A template whose result sets `verify`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verify_template: Option<String>,
    /// A template whose result sets `wait`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wait_template: Option<String>,
    /// A template whose result sets `installed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub installed_template: Option<String>,
    /// A template whose result sets `condition`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub condition_template: Option<String>,
    /// Charts Helmfile adds to the release's chart (chartify); not supported yet: windlass stops
    /// with an error.
    #[schemars(with = "Vec<serde_json::Value>")]
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dependencies: Vec<Value>,
    /// JSON patches Helmfile applies to the rendered manifests (chartify); not supported yet:
    /// windlass stops with an error.
    #[schemars(with = "Vec<serde_json::Value>")]
    #[serde(default, rename = "jsonPatches", skip_serializing_if = "Vec::is_empty")]
    pub json_patches: Vec<Value>,
    /// Strategic merge patches Helmfile applies to the rendered manifests (chartify); not supported
    /// yet: windlass stops with an error.
    #[schemars(with = "Vec<serde_json::Value>")]
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub strategic_merge_patches: Vec<Value>,
    /// Kustomize transformers Helmfile applies to the rendered manifests (chartify); not supported
    /// yet: windlass stops with an error.
    #[schemars(with = "Vec<serde_json::Value>")]
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub transformers: Vec<Value>,
    /// Existing resources the release takes over (`namespace/kind/name`), passed on as `--adopt` as
    /// Helmfile does.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub adopt: Vec<String>,
    /// Fetch `chart` with go-getter even when its URL does not look like one; not supported yet:
    /// windlass stops with an error.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub force_go_getter: Option<bool>,
    /// Force this namespace into every rendered resource (chartify); not supported yet: windlass
    /// stops with an error.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub force_namespace: Option<String>,
    /// Do not build the local chart's dependencies (`helm dependency build`) first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skip_deps: Option<bool>,
    /// Do not refresh the repositories' indexes when building the chart's dependencies (helm
    /// `--skip-refresh`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skip_refresh: Option<bool>,
    /// A program that rewrites the rendered manifests before helm applies them (helm
    /// `--post-renderer`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub post_renderer: Option<String>,
    /// Do not validate the values against the chart's `values.schema.json` (helm
    /// `--skip-schema-validation`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skip_schema_validation: Option<bool>,
    /// Arguments of `postRenderer` (helm `--post-renderer-args`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub post_renderer_args: Vec<String>,
    /// How an uninstall deletes dependents: `background`, `foreground` or `orphan` (helm
    /// `--cascade`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cascade: Option<String>,
    /// Regular expressions of diff output lines to hide.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub suppress_output_line_regex: Vec<String>,
    /// Do not pass the cluster's Kubernetes version to the chart when diffing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disable_auto_detected_kube_version_for_diff: Option<bool>,
    /// Release templates (under `templates:`) to take fields from, each with the fields to leave
    /// out (`except`); one entry or a list.
    #[schemars(schema_with = "crate::project::schema::inherits")]
    #[serde(default, skip_serializing, deserialize_with = "inherits")]
    pub inherit: Vec<Inherit>,
    /// Hide this release's changes in diff output.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suppress_diff: Option<bool>,
    /// On uninstall, wait until the resources are gone (helm `--wait`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delete_wait: Option<bool>,
    /// Seconds an uninstall waits (helm `--timeout`, default 300).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delete_timeout: Option<i64>,
    /// Also put the release's `labels` on helm's release record (helm `--labels`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sync_release_labels: Option<bool>,
    /// Take over existing resources that belong to no release (helm `--take-ownership`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub take_ownership: Option<bool>,
    /// Helm 4's server-side apply: `true`, `false` or `auto` (helm `--server-side`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_side: Option<String>,
    /// How to wait for the release's resources: `helm` (helm's own wait); Helmfile's `kubedog` is
    /// not supported yet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub track_mode: Option<String>,
    /// Seconds kubedog tracking waits (with `trackMode: kubedog`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub track_timeout: Option<i64>,
    /// Show the tracked resources' logs (with `trackMode: kubedog`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub track_logs: Option<bool>,
    /// Show the logs of failed resources (with `trackMode: kubedog`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub track_failed_logs: Option<bool>,
    /// Seconds Helmfile gives a helm process that seems stuck; windlass warns, as it stops helm
    /// itself on Ctrl-C (SIGTERM, then SIGKILL after `--grace-period`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub helm_stuck_grace: Option<i64>,
    /// Resource kinds kubedog tracks (with `trackMode: kubedog`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub track_kinds: Vec<String>,
    /// Resource kinds kubedog does not track (with `trackMode: kubedog`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skip_kinds: Vec<String>,
    /// Resources kubedog tracks (with `trackMode: kubedog`).
    #[schemars(with = "Vec<serde_json::Value>")]
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub track_resources: Vec<Value>,
    /// Queries per second kubedog may send (with `trackMode: kubedog`).
    #[serde(
        default,
        rename = "kubedogQPS",
        skip_serializing_if = "Option::is_none"
    )]
    pub kubedog_qps: Option<f64>,
    /// Burst of queries kubedog may send (with `trackMode: kubedog`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kubedog_burst: Option<i64>,
    /// Fail the release when kubedog tracking reports an error (with `trackMode: kubedog`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub track_fail_on_error: Option<bool>,
}

/// What to do when a file named in `values:`/`secrets:` does not exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
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
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SetValue {
    /// The helm value path, e.g. `image.tag`.
    #[serde(default)]
    pub name: String,
    /// The value, as text.
    #[schemars(schema_with = "crate::project::schema::scalar")]
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
    #[schemars(with = "Vec<serde_json::Value>")]
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<Value>,
}

/// A command run at a release lifecycle event (`presync`, `postsync`, ...).
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
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
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
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
