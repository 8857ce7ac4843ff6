//! Every helm setting of one release, decided once: the release's own value, else its state
//! file's `helmDefaults`, else Helmfile's default. argv builders read only these.

use crate::project::{HelmDefaults, ReleaseSpec, Repository};

/// A release's helm settings with every default applied.
#[derive(Debug, Clone, PartialEq, Default)]
#[non_exhaustive]
pub struct HelmSettings {
    /// `--devel`: accept pre-release chart versions.
    pub devel: bool,
    /// `--verify`: check the chart's provenance (not for OCI charts).
    pub verify: bool,
    /// `--keyring` for `--verify`.
    pub keyring: Option<String>,
    /// `--enable-dns` for templates.
    pub enable_dns: bool,
    /// `--wait` for the release's resources.
    pub wait: bool,
    /// `--wait-for-jobs`.
    pub wait_for_jobs: bool,
    /// `--timeout` in seconds (`None`: helm's default).
    pub timeout: Option<i64>,
    /// `--force` (helm 4: `--force-replace`).
    pub force: bool,
    /// `--force-conflicts` (helm 4 only).
    pub force_conflicts: bool,
    /// `--recreate-pods`.
    pub recreate_pods: bool,
    /// `atomic`: `--atomic` (helm 4: `--rollback-on-failure`).
    pub atomic: bool,
    /// `rollbackOnFailure` (helm 4 only): `--rollback-on-failure`.
    pub rollback_on_failure: bool,
    /// `--cleanup-on-fail`.
    pub cleanup_on_fail: bool,
    /// `--create-namespace` (Helmfile's default: on).
    pub create_namespace: bool,
    /// `--disable-openapi-validation`.
    pub disable_openapi_validation: bool,
    /// `--plain-http` for the chart download (release, defaults or its repository).
    pub plain_http: bool,
    /// `--oci-plain-http`: plain HTTP for OCI registries, in dependency updates too (helm 4).
    pub oci_plain_http: bool,
    /// `--insecure-skip-tls-verify` for the chart download (release, defaults or repository);
    /// left out when `plain_http` is on, as helm ignores one for the other.
    pub insecure_skip_tls_verify: bool,
    /// `--post-renderer`.
    pub post_renderer: Option<String>,
    /// `--post-renderer-args`, in order.
    pub post_renderer_args: Vec<String>,
    /// `--skip-crds` for upgrades (`helmDefaults.skipCRDs`).
    pub skip_crds: bool,
    /// `--reuse-values` (otherwise `--reset-values`).
    pub reuse_values: bool,
    /// `--history-max` (Helmfile's default: 10).
    pub history_max: i64,
    /// `--skip-schema-validation`.
    pub skip_schema_validation: bool,
    /// `--take-ownership` (helm 3.17+).
    pub take_ownership: bool,
    /// `--server-side true|false|auto` (helm 4 only).
    pub server_side: Option<String>,
    /// `--labels` with the release's labels (`syncReleaseLabels`).
    pub sync_release_labels: bool,
    /// `--description`.
    pub description: Option<String>,
    /// `--adopt` entries (Helmfile passes them through).
    pub adopt: Vec<String>,
    /// `--api-versions` for templates.
    pub api_versions: Vec<String>,
    /// `--kube-version` for templates.
    pub kube_version: Option<String>,
    /// `--cascade` for uninstalls: the release's own.
    pub cascade: Option<String>,
    /// `helmDefaults.cascade`, for uninstalls of releases that set none (`destroy --cascade`
    /// comes between the two, as in Helmfile).
    pub default_cascade: Option<String>,
    /// `--wait` for uninstalls.
    pub delete_wait: bool,
    /// `--timeout` in seconds for uninstalls with `delete_wait`.
    pub delete_timeout: Option<i64>,
    /// Do not build the chart's dependencies (`skipDeps`).
    pub skip_deps: bool,
    /// `--skip-refresh` for dependency builds (`skipRefresh`).
    pub skip_refresh: bool,
    /// `helmDefaults.args`: appended to every helm call of the release.
    pub args: Vec<String>,
    /// `helmDefaults.syncArgs`: appended to upgrades.
    pub sync_args: Vec<String>,
    /// `helmDefaults.templateArgs`: appended to `helm template`.
    pub template_args: Vec<String>,
    /// `helmDefaults.diffArgs`: for diffs.
    pub diff_args: Vec<String>,
}

/// `trackMode: kubedog`.
pub(crate) const TRACK_KUBEDOG: &str = "kubedog";

/// A release's `trackMode` (its own, else `helmDefaults`'), when set.
pub(crate) fn track_mode<'a>(spec: &'a ReleaseSpec, defaults: &'a HelmDefaults) -> Option<&'a str> {
    [&spec.track_mode, &defaults.track_mode]
        .into_iter()
        .flatten()
        .map(String::as_str)
        .find(|mode| !mode.is_empty())
}

/// The value of `field` for a release: its own, else the defaults', else `default`.
fn pick<T: Clone>(own: &Option<T>, defaults: &Option<T>, default: T) -> T {
    own.clone().or_else(|| defaults.clone()).unwrap_or(default)
}

/// A non-empty string setting: the release's, else the defaults'.
fn text(own: &Option<String>, defaults: &Option<String>) -> Option<String> {
    own.iter().chain(defaults).find(|s| !s.is_empty()).cloned()
}

impl HelmSettings {
    /// Resolves `spec` against its state file's `defaults` and the repository its chart names
    /// (for the download flags), as Helmfile 1.x's `flagsFor*` functions do.
    pub(crate) fn resolve(
        spec: &ReleaseSpec,
        defaults: &HelmDefaults,
        repository: Option<&Repository>,
    ) -> Self {
        let on = |own: &Option<bool>, default: &Option<bool>| pick(own, default, false);
        let plain_http =
            on(&spec.plain_http, &defaults.plain_http) || repository.is_some_and(|r| r.plain_http);
        let insecure = on(
            &spec.insecure_skip_tls_verify,
            &defaults.insecure_skip_tls_verify,
        ) || repository.is_some_and(|r| r.skip_tls_verify);
        let post_renderer_args = if spec.post_renderer_args.is_empty() {
            defaults.post_renderer_args.clone()
        } else {
            spec.post_renderer_args.clone()
        };
        // Helmfile 1.x's kubedog tracking waits for the release's resources to be ready; windlass
        // has helm wait for them (all of them, jobs to completion), within `trackTimeout`.
        let tracked = track_mode(spec, defaults) == Some(TRACK_KUBEDOG);
        let timeout = spec.timeout.or(defaults.timeout).filter(|t| *t != 0);
        Self {
            devel: on(&spec.devel, &defaults.devel),
            verify: on(&spec.verify, &defaults.verify),
            keyring: text(&spec.keyring, &defaults.keyring),
            enable_dns: on(&spec.enable_dns, &defaults.enable_dns),
            wait: on(&spec.wait, &defaults.wait) || tracked,
            wait_for_jobs: on(&spec.wait_for_jobs, &defaults.wait_for_jobs) || tracked,
            timeout: match spec.track_timeout.filter(|t| *t > 0) {
                Some(track_timeout) if tracked => Some(track_timeout),
                _ => timeout,
            },
            force: on(&spec.force, &defaults.force),
            force_conflicts: on(&spec.force_conflicts, &defaults.force_conflicts),
            recreate_pods: on(&spec.recreate_pods, &defaults.recreate_pods),
            atomic: on(&spec.atomic, &defaults.atomic),
            rollback_on_failure: on(&spec.rollback_on_failure, &defaults.rollback_on_failure),
            cleanup_on_fail: on(&spec.cleanup_on_fail, &defaults.cleanup_on_fail),
            create_namespace: pick(&spec.create_namespace, &defaults.create_namespace, true),
            disable_openapi_validation: on(
                &spec.disable_openapi_validation,
                &defaults.disable_openapi_validation,
            ),
            plain_http,
            oci_plain_http: false,
            insecure_skip_tls_verify: insecure && !plain_http,
            post_renderer: text(&spec.post_renderer, &defaults.post_renderer),
            post_renderer_args,
            skip_crds: defaults.skip_crds.unwrap_or(false),
            reuse_values: on(&spec.reuse_values, &defaults.reuse_values),
            history_max: pick(&spec.history_max, &defaults.history_max, 10),
            skip_schema_validation: on(
                &spec.skip_schema_validation,
                &defaults.skip_schema_validation,
            ),
            take_ownership: on(&spec.take_ownership, &defaults.take_ownership),
            server_side: text(&spec.server_side, &defaults.server_side),
            sync_release_labels: on(&spec.sync_release_labels, &defaults.sync_release_labels),
            description: spec.description.clone().filter(|d| !d.is_empty()),
            adopt: spec.adopt.clone(),
            api_versions: spec.api_versions.clone(),
            kube_version: spec.kube_version.clone().filter(|v| !v.is_empty()),
            cascade: text(&spec.cascade, &None),
            default_cascade: text(&None, &defaults.cascade),
            delete_wait: on(&spec.delete_wait, &defaults.delete_wait),
            delete_timeout: spec
                .delete_timeout
                .or(defaults.delete_timeout)
                .filter(|t| *t != 0),
            skip_deps: on(&spec.skip_deps, &defaults.skip_deps),
            skip_refresh: on(&spec.skip_refresh, &defaults.skip_refresh),
            args: defaults.args.clone(),
            sync_args: defaults.sync_args.clone(),
            template_args: defaults.template_args.clone(),
            diff_args: defaults.diff_args.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(spec: &str, defaults: &str) -> HelmSettings {
        let spec: ReleaseSpec = serde_yaml::from_str(spec).unwrap_or_else(|e| panic!("{e}"));
        let defaults: HelmDefaults =
            serde_yaml::from_str(defaults).unwrap_or_else(|e| panic!("{e}"));
        HelmSettings::resolve(&spec, &defaults, None)
    }

    #[test]
    fn the_release_wins_over_its_defaults_and_helmfile_defaults_fill_the_rest() {
        let resolved = settings(
            "{wait: false, timeout: 60, createNamespace: false}",
            "{wait: true, timeout: 300, atomic: true, historyMax: 3}",
        );
        assert!(!resolved.wait);
        assert_eq!(resolved.timeout, Some(60));
        assert!(resolved.atomic);
        assert!(!resolved.create_namespace);
        assert_eq!(resolved.history_max, 3);
        let bare = settings("{}", "{}");
        assert!(
            bare.create_namespace,
            "Helmfile creates namespaces by default"
        );
        assert_eq!(bare.history_max, 10);
        assert_eq!(bare.timeout, None);
    }

    #[test]
    fn kubedog_tracking_waits_through_helm_within_the_track_timeout() {
        let tracked = settings("{trackMode: kubedog, trackTimeout: 300, timeout: 60}", "{}");
        assert!(tracked.wait && tracked.wait_for_jobs);
        assert_eq!(tracked.timeout, Some(300));
        let by_default = settings("{timeout: 60}", "{trackMode: kubedog}");
        assert!(by_default.wait && by_default.wait_for_jobs);
        assert_eq!(by_default.timeout, Some(60));
        let helm = settings(
            "{trackMode: helm, trackTimeout: 300}",
            "{trackMode: kubedog}",
        );
        assert!(!helm.wait, "the release's own trackMode wins");
        assert_eq!(helm.timeout, None);
    }

    #[test]
    fn plain_http_leaves_out_insecure_skip_tls_verify_as_helmfile_does() {
        let repository: Repository =
            serde_yaml::from_str("{name: r, url: 'x', plainHttp: true}").unwrap_or_default();
        let spec: ReleaseSpec =
            serde_yaml::from_str("{insecureSkipTLSVerify: true}").unwrap_or_default();
        let resolved = HelmSettings::resolve(&spec, &HelmDefaults::default(), Some(&repository));
        assert!(resolved.plain_http);
        assert!(!resolved.insecure_skip_tls_verify);
    }
}
