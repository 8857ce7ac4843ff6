//! The top level of a Helmfile state file and the specs below it (repositories, helm defaults,
//! environments, sub-helmfiles), with validation of each document where it was written.

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use serde_yaml::Value;

use crate::project::error::ProjectError;
use crate::project::fields::{At, decode};
use crate::project::release::{MissingFileHandler, ReleaseSpec};
use crate::project::source::{Document, Segment};

/// The top-level keys of a state file. Nested parts stay raw here and are decoded where their
/// own location is known. Keys Helmfile accepts that windlass does not act on yet are decoded (so
/// their types are checked) but not read.
#[allow(dead_code)]
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct StateDocument {
    #[serde(default)]
    pub(crate) helm_binary: Option<String>,
    #[serde(default)]
    pub(crate) kustomize_binary: Option<String>,
    #[serde(default)]
    pub(crate) values: Vec<Value>,
    #[serde(default)]
    pub(crate) environments: IndexMap<String, Value>,
    #[serde(default)]
    pub(crate) bases: Vec<String>,
    #[serde(default)]
    pub(crate) helm_defaults: Value,
    #[serde(default)]
    pub(crate) helmfiles: Vec<Value>,
    #[serde(default)]
    pub(crate) kube_context: Option<String>,
    #[serde(default)]
    pub(crate) namespace: Option<String>,
    #[serde(default)]
    pub(crate) chart: Option<String>,
    #[serde(default)]
    pub(crate) repositories: Vec<Value>,
    #[serde(default)]
    pub(crate) common_labels: IndexMap<String, Value>,
    #[serde(default)]
    pub(crate) releases: Vec<Value>,
    #[serde(default)]
    pub(crate) llm: Value,
    #[serde(default)]
    pub(crate) api_versions: Vec<String>,
    #[serde(default)]
    pub(crate) kube_version: Option<Value>,
    #[serde(default)]
    pub(crate) hooks: Vec<Value>,
    #[serde(default)]
    pub(crate) templates: IndexMap<String, Value>,
    #[serde(default)]
    pub(crate) default_inherit: Value,
    #[serde(default)]
    pub(crate) missing_file_handler: Option<MissingFileHandler>,
    #[serde(default)]
    pub(crate) missing_file_handler_config: Value,
    #[serde(default, rename = "lockFilePath")]
    pub(crate) lock_file: Option<String>,
    #[serde(default)]
    pub(crate) ignore_missing_git_branch: Option<bool>,
}

/// A chart repository (`repositories:` entry).
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[allow(missing_docs)] // Helmfile's repository fields.
pub struct Repository {
    pub name: String,
    #[serde(default)]
    pub url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca_file: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cert_file: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_file: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registry_config: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub managed: Option<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub oci: bool,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub verify: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keyring: Option<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub pass_credentials: bool,
    #[serde(
        default,
        rename = "skipTLSVerify",
        skip_serializing_if = "std::ops::Not::not"
    )]
    pub skip_tls_verify: bool,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub plain_http: bool,
}

/// `helmDefaults:` — flags applied to every release unless the release says otherwise.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[allow(missing_docs)] // Helmfile's helmDefaults fields.
pub struct HelmDefaults {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kube_context: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub args: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub diff_args: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sync_args: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub template_args: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verify: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keyring: Option<String>,
    #[serde(default, rename = "enableDNS", skip_serializing_if = "Option::is_none")]
    pub enable_dns: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skip_schema_validation: Option<bool>,
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
    pub create_namespace: Option<bool>,
    #[serde(default, rename = "skipCRDs", skip_serializing_if = "Option::is_none")]
    pub skip_crds: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skip_deps: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skip_refresh: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reuse_values: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub post_renderer: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub post_renderer_args: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cascade: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub suppress_output_line_regex: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disable_auto_detected_kube_version_for_diff: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disable_validation: Option<bool>,
    #[serde(
        default,
        rename = "disableOpenAPIValidation",
        skip_serializing_if = "Option::is_none"
    )]
    pub disable_openapi_validation: Option<bool>,
    #[serde(
        default,
        rename = "insecureSkipTLSVerify",
        skip_serializing_if = "Option::is_none"
    )]
    pub insecure_skip_tls_verify: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plain_http: Option<bool>,
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
    pub helm_stuck_grace: Option<i64>,
}

/// One `environments:` entry.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EnvironmentSpec {
    /// Values files, globs or inline maps that make the state values.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<Value>,
    /// SOPS-encrypted values files.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub secrets: Vec<String>,
    /// The kube context releases of this environment use by default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kube_context: Option<String>,
    /// What to do when a values file is missing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub missing_file_handler: Option<MissingFileHandler>,
    /// Helmfile's options for remote files (kept, not interpreted).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub missing_file_handler_config: Option<Value>,
    /// `override` (default) or `fallback`: which of two layers wins.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merge_strategy: Option<String>,
}

/// One `helmfiles:` entry: a sub-helmfile path (or glob), the selectors it runs with and the state
/// values it receives.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SubHelmfileSpec {
    /// The path or glob, relative to the including file.
    #[serde(default)]
    pub path: String,
    /// Selectors applied to the sub-helmfile's releases instead of the command line's.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub selectors: Vec<String>,
    /// Whether the command line's selectors apply.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub selectors_inherited: bool,
    /// Parent fields the sub-helmfile inherits.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub inherits: Vec<String>,
    /// State values passed to the sub-helmfile (files or inline maps).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<Value>,
}

/// Checks every part of one state document where it was written, so that an unknown or
/// mistyped field points at its own line before documents and bases are merged.
pub(crate) fn validate_document(document: &Document) -> Result<(), ProjectError> {
    let map = &document.map;
    let state: StateDocument = decode(&document.value, &At(map, &[]), "the state file")?;
    let key = |k: &str| Segment::Key(k.to_string());
    for (i, release) in state.releases.iter().enumerate() {
        let name = release.get("name").and_then(Value::as_str).unwrap_or("?");
        decode::<ReleaseSpec>(
            release,
            &At(map, &[key("releases"), Segment::Index(i)]),
            &format!("release \"{name}\""),
        )?;
    }
    for (name, template) in &state.templates {
        decode::<ReleaseSpec>(
            template,
            &At(map, &[key("templates"), key(name)]),
            &format!("template \"{name}\""),
        )?;
    }
    for (name, environment) in &state.environments {
        if !environment.is_null() {
            decode::<EnvironmentSpec>(
                environment,
                &At(map, &[key("environments"), key(name)]),
                &format!("environment \"{name}\""),
            )?;
        }
    }
    for (i, repository) in state.repositories.iter().enumerate() {
        decode::<Repository>(
            repository,
            &At(map, &[key("repositories"), Segment::Index(i)]),
            "repository",
        )?;
    }
    for (i, helmfile) in state.helmfiles.iter().enumerate() {
        if !helmfile.is_string() {
            decode::<SubHelmfileSpec>(
                helmfile,
                &At(map, &[key("helmfiles"), Segment::Index(i)]),
                "helmfiles entry",
            )?;
        }
    }
    if !state.helm_defaults.is_null() {
        decode::<HelmDefaults>(
            &state.helm_defaults,
            &At(map, &[key("helmDefaults")]),
            "helmDefaults",
        )?;
    }
    Ok(())
}
