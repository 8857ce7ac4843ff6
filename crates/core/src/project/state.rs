//! The top level of a Helmfile state file and the specs below it (repositories, helm defaults,
//! environments, sub-helmfiles), with validation of each document where it was written.

use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_yaml::Value;

use crate::project::error::ProjectError;
use crate::project::fields::{At, decode};
use crate::project::release::{Hook, MissingFileHandler, ReleaseSpec};
use crate::project::source::{Document, Segment};

/// The top-level keys of a state file. Nested parts stay raw here and are decoded where their
/// own location is known; the schema attributes name the types they are decoded into. Keys
/// Helmfile accepts that windlass does not act on yet are decoded (so their types are checked)
/// but not read.
#[allow(dead_code)]
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(
    deny_unknown_fields,
    title = "helmfile.yaml",
    description = "A Helmfile state file (one `---` part of helmfile.yaml, helmfile.d/*.yaml or a base), as windlass reads it."
)]
pub(crate) struct StateDocument {
    /// The helm binary to run when the command line names none (`--helm-binary`).
    #[serde(default)]
    pub(crate) helm_binary: Option<String>,
    /// The kustomize binary Helmfile's chartify runs; windlass does not run kustomize.
    #[serde(default)]
    pub(crate) kustomize_binary: Option<String>,
    /// State values (`.Values` in templates): files (paths or globs; `.gotmpl` rendered) and inline
    /// maps, later entries winning; environment values win over them.
    #[schemars(schema_with = "crate::project::schema::values_entries")]
    #[serde(default)]
    pub(crate) values: Vec<Value>,
    /// The environments (`-e NAME`), each with its values, secrets and kube context; `default` is
    /// used when none is named.
    #[schemars(with = "IndexMap<String, Option<EnvironmentSpec>>")]
    #[serde(default)]
    pub(crate) environments: IndexMap<String, Value>,
    /// State files merged before this one (environments, defaults, templates).
    #[serde(default)]
    pub(crate) bases: Vec<String>,
    /// Settings every release takes unless it sets its own.
    #[schemars(with = "Option<HelmDefaults>")]
    #[serde(default)]
    pub(crate) helm_defaults: Value,
    /// Sub-helmfiles to load: a path or glob, or an entry with the values and selectors it gets.
    #[schemars(schema_with = "crate::project::schema::sub_helmfiles")]
    #[serde(default)]
    pub(crate) helmfiles: Vec<Value>,
    /// The kube context of every release of this file.
    #[serde(default)]
    pub(crate) kube_context: Option<String>,
    /// The namespace of every release of this file.
    #[serde(default)]
    pub(crate) namespace: Option<String>,
    /// The chart of every release of this file.
    #[serde(default)]
    pub(crate) chart: Option<String>,
    /// Chart repositories and OCI registries the releases' charts come from.
    #[schemars(with = "Vec<Repository>")]
    #[serde(default)]
    pub(crate) repositories: Vec<Value>,
    /// Labels added to every release of this file (they win over the releases' own).
    #[schemars(schema_with = "crate::project::schema::labels")]
    #[serde(default)]
    pub(crate) common_labels: IndexMap<String, Value>,
    /// The Helm releases.
    #[schemars(schema_with = "crate::project::schema::named_releases")]
    #[serde(default)]
    pub(crate) releases: Vec<Value>,
    /// Helmfile 1.x's settings for its AI assistant; windlass reads no further than their type.
    #[schemars(with = "serde_json::Value")]
    #[serde(default)]
    pub(crate) llm: Value,
    /// API versions the charts see in `.Capabilities.APIVersions`, for releases that set none.
    #[serde(default)]
    pub(crate) api_versions: Vec<String>,
    /// The Kubernetes version the charts see, for releases that set none.
    #[schemars(schema_with = "crate::project::schema::scalar")]
    #[serde(default)]
    pub(crate) kube_version: Option<Value>,
    /// Commands run once per run, at the `prepare` and `cleanup` events.
    #[schemars(with = "Vec<Hook>")]
    #[serde(default)]
    pub(crate) hooks: Vec<Value>,
    /// Release templates that releases take fields from with `inherit`.
    #[schemars(with = "IndexMap<String, ReleaseSpec>")]
    #[serde(default)]
    pub(crate) templates: IndexMap<String, Value>,
    /// Templates every release of this file inherits: one name or a list.
    #[schemars(schema_with = "crate::project::schema::one_or_more_names")]
    #[serde(default)]
    pub(crate) default_inherit: Value,
    /// What to do when a values or secrets file is missing (default `Error`).
    #[serde(default)]
    pub(crate) missing_file_handler: Option<MissingFileHandler>,
    /// Options of `missingFileHandler` for remote files (`ignoreMissingGitBranch`).
    #[schemars(with = "serde_json::Value")]
    #[serde(default)]
    pub(crate) missing_file_handler_config: Value,
    /// The path of the lock file Helmfile's `deps` command writes.
    #[serde(default, rename = "lockFilePath")]
    pub(crate) lock_file: Option<String>,
    /// Treat a remote values file on a missing Git branch as missing.
    #[serde(default)]
    pub(crate) ignore_missing_git_branch: Option<bool>,
}

/// A chart repository (`repositories:` entry).
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(deny_unknown_fields)]
pub struct Repository {
    /// The repository's name, used in `chart: name/chart`.
    pub name: String,
    /// The repository's URL; for `oci: true`, the registry host and path without `oci://`.
    #[serde(default)]
    pub url: String,
    /// A CA bundle to verify the repository's certificate (helm `--ca-file`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca_file: Option<String>,
    /// A client certificate for the repository (helm `--cert-file`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cert_file: Option<String>,
    /// The client certificate's key (helm `--key-file`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_file: Option<String>,
    /// The user name for the repository (helm `--username`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// The password for the repository, given to helm on stdin (`--password-stdin`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
    /// The registry configuration file for an OCI registry (helm `--registry-config`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registry_config: Option<String>,
    /// Helmfile's marker for repositories managed elsewhere (`acr` for Azure Container Registry).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub managed: Option<String>,
    /// An OCI registry: logged in to with `helm registry login` instead of added with
    /// `helm repo add`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub oci: bool,
    /// Verify the provenance signatures of this repository's charts (helm `--verify`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub verify: bool,
    /// The keyring holding the public keys `verify` checks against (helm `--keyring`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keyring: Option<String>,
    /// Send the credentials to every host the repository's charts are served from (helm
    /// `--pass-credentials`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub pass_credentials: bool,
    /// Do not check the repository's TLS certificate (helm `--insecure-skip-tls-verify`).
    #[serde(
        default,
        rename = "skipTLSVerify",
        skip_serializing_if = "std::ops::Not::not"
    )]
    pub skip_tls_verify: bool,
    /// Talk to the OCI registry over plain HTTP (helm `--plain-http`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub plain_http: bool,
}

/// `helmDefaults:` — flags applied to every release unless the release says otherwise.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(deny_unknown_fields)]
pub struct HelmDefaults {
    /// Default `kubeContext` of every release: the kube context helm talks to (helm
    /// `--kube-context`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kube_context: Option<String>,
    /// Extra arguments for every helm command that takes a chart (`template`, `upgrade`,
    /// `diff`...).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub args: Vec<String>,
    /// Extra arguments for diffing only.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub diff_args: Vec<String>,
    /// Extra arguments for `helm upgrade` only.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sync_args: Vec<String>,
    /// Extra arguments for `helm template` only.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub template_args: Vec<String>,
    /// Default `verify` of every release: verify the chart's provenance signature (helm
    /// `--verify`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verify: Option<bool>,
    /// Default `keyring` of every release: the keyring holding the public keys `verify` checks
    /// against (helm `--keyring`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keyring: Option<String>,
    /// Default `enableDNS` of every release: let the chart's templates look up DNS names (helm
    /// `--enable-dns`).
    #[serde(default, rename = "enableDNS", skip_serializing_if = "Option::is_none")]
    pub enable_dns: Option<bool>,
    /// Default `skipSchemaValidation` of every release: do not validate the values against the
    /// chart's `values.schema.json` (helm `--skip-schema-validation`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skip_schema_validation: Option<bool>,
    /// Default `devel` of every release: also consider development versions of the chart (helm
    /// `--devel`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub devel: Option<bool>,
    /// Default `wait` of every release: wait until the release's resources are ready before calling
    /// it done (helm `--wait`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wait: Option<bool>,
    /// Default `waitRetries` of every release: retries of helm's `--wait`, a flag helm removed;
    /// Helmfile 1.x ignores it and windlass warns.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wait_retries: Option<i64>,
    /// Default `waitForJobs` of every release: with `wait`, also wait until the release's Jobs have
    /// completed (helm `--wait-for-jobs`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wait_for_jobs: Option<bool>,
    /// Default `timeout` of every release: seconds helm waits for any single Kubernetes operation
    /// (helm `--timeout`, default 300).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout: Option<i64>,
    /// Default `recreatePods` of every release: restart the release's pods on upgrade (helm 2's
    /// `--recreate-pods`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recreate_pods: Option<bool>,
    /// Default `force` of every release: replace resources that cannot be updated in place (helm 3
    /// `--force`, helm 4 `--force-replace`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub force: Option<bool>,
    /// Default `atomic` of every release: roll back a failed install or upgrade (helm 3 `--atomic`,
    /// helm 4 `--rollback-on-failure`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub atomic: Option<bool>,
    /// Default `rollbackOnFailure` of every release: helm 4's name for `atomic`
    /// (`--rollback-on-failure`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rollback_on_failure: Option<bool>,
    /// Default `cleanupOnFail` of every release: delete the resources a failed upgrade created
    /// (helm `--cleanup-on-fail`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cleanup_on_fail: Option<bool>,
    /// Default `forceConflicts` of every release: take over fields that other managers own when
    /// applying server-side (helm 4 `--force-conflicts`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub force_conflicts: Option<bool>,
    /// Default `historyMax` of every release: revisions helm keeps for the release (helm
    /// `--history-max`, default 10; 0 keeps all).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub history_max: Option<i64>,
    /// Default `createNamespace` of every release: create the release's namespace when it is
    /// missing (helm `--create-namespace`, default `true`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub create_namespace: Option<bool>,
    /// Default `skipCRDs` of every release: do not install the charts' CRDs (helm `--skip-crds`).
    #[serde(default, rename = "skipCRDs", skip_serializing_if = "Option::is_none")]
    pub skip_crds: Option<bool>,
    /// Default `skipDeps` of every release: do not build the local chart's dependencies
    /// (`helm dependency build`) first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skip_deps: Option<bool>,
    /// Default `skipRefresh` of every release: do not refresh the repositories' indexes when
    /// building the chart's dependencies (helm `--skip-refresh`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skip_refresh: Option<bool>,
    /// Default `reuseValues` of every release: start from the deployed release's values instead of
    /// the chart's (helm `--reuse-values`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reuse_values: Option<bool>,
    /// Default `postRenderer` of every release: a program that rewrites the rendered manifests
    /// before helm applies them (helm `--post-renderer`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub post_renderer: Option<String>,
    /// Default `postRendererArgs` of every release: arguments of `postRenderer` (helm
    /// `--post-renderer-args`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub post_renderer_args: Vec<String>,
    /// Default `cascade` of every release: how an uninstall deletes dependents: `background`,
    /// `foreground` or `orphan` (helm `--cascade`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cascade: Option<String>,
    /// Default `suppressOutputLineRegex` of every release: regular expressions of diff output lines
    /// to hide.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub suppress_output_line_regex: Vec<String>,
    /// Default `disableAutoDetectedKubeVersionForDiff` of every release: do not pass the cluster's
    /// Kubernetes version to the chart when diffing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disable_auto_detected_kube_version_for_diff: Option<bool>,
    /// Default `disableValidation` of every release: do not validate the release's manifests
    /// against the cluster when diffing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disable_validation: Option<bool>,
    /// Default `disableOpenAPIValidation` of every release: skip the validation of rendered
    /// manifests against the cluster's OpenAPI schema (helm `--disable-openapi-validation`).
    #[serde(
        default,
        rename = "disableOpenAPIValidation",
        skip_serializing_if = "Option::is_none"
    )]
    pub disable_openapi_validation: Option<bool>,
    /// Default `insecureSkipTLSVerify` of every release: do not check the TLS certificate of the
    /// chart's server (helm `--insecure-skip-tls-verify`).
    #[serde(
        default,
        rename = "insecureSkipTLSVerify",
        skip_serializing_if = "Option::is_none"
    )]
    pub insecure_skip_tls_verify: Option<bool>,
    /// Default `plainHttp` of every release: fetch the chart from its OCI registry over plain HTTP
    /// (helm `--plain-http`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plain_http: Option<bool>,
    /// Default `deleteWait` of every release: on uninstall, wait until the resources are gone (helm
    /// `--wait`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delete_wait: Option<bool>,
    /// Default `deleteTimeout` of every release: seconds an uninstall waits (helm `--timeout`,
    /// default 300).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delete_timeout: Option<i64>,
    /// Default `syncReleaseLabels` of every release: also put the release's `labels` on helm's
    /// release record (helm `--labels`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sync_release_labels: Option<bool>,
    /// Default `takeOwnership` of every release: take over existing resources that belong to no
    /// release (helm `--take-ownership`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub take_ownership: Option<bool>,
    /// Default `serverSide` of every release: helm 4's server-side apply: `true`, `false` or `auto`
    /// (helm `--server-side`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_side: Option<String>,
    /// Default `trackMode` of every release: how to wait for the release's resources: `helm`
    /// (helm's own wait); Helmfile's `kubedog` is not supported yet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub track_mode: Option<String>,
    /// Default `helmStuckGrace` of every release: seconds Helmfile gives a helm process that seems
    /// stuck; windlass warns, as it stops helm itself on Ctrl-C (SIGTERM, then SIGKILL after
    /// `--grace-period`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub helm_stuck_grace: Option<i64>,
}

/// One `environments:` entry.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(deny_unknown_fields)]
pub struct EnvironmentSpec {
    #[schemars(schema_with = "crate::project::schema::values_entries")]
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
    #[schemars(with = "Option<serde_json::Value>")]
    /// Helmfile's options for remote files (kept, not interpreted).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub missing_file_handler_config: Option<Value>,
    /// `override` (default) or `fallback`: which of two layers wins.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merge_strategy: Option<String>,
}

/// One `helmfiles:` entry: a sub-helmfile path (or glob), the selectors it runs with and the state
/// values it receives.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(deny_unknown_fields)]
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
    #[schemars(schema_with = "crate::project::schema::values_entries")]
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
