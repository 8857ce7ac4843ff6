//! The helm command lines windlass runs, built as Helmfile builds them so a repository behaves the
//! same under both.

use crate::helm::HelmVersion;
use crate::plan::PlannedRelease;
use crate::project::Repository;

/// `helm repo add NAME URL --force-update` with the repository's TLS and credential flags, in
/// Helmfile's order; `None` for OCI repositories, which are not added but logged in to.
pub fn repo_add(repository: &Repository) -> Option<Vec<String>> {
    if repository.oci {
        return None;
    }
    let mut args: Vec<String> = [
        "repo",
        "add",
        &repository.name,
        &repository.url,
        "--force-update",
    ]
    .map(String::from)
    .to_vec();
    push_set(
        &mut args,
        &[
            ("--cert-file", &repository.cert_file),
            ("--key-file", &repository.key_file),
            ("--ca-file", &repository.ca_file),
            ("--username", &repository.username),
            ("--password", &repository.password),
        ],
    );
    if repository.pass_credentials {
        args.push("--pass-credentials".into());
    }
    if repository.skip_tls_verify {
        args.push("--insecure-skip-tls-verify".into());
    }
    Some(args)
}

/// `helm registry login HOST --username U --password-stdin` for an OCI repository with
/// credentials, with the password to pass on standard input; `None` when no login is needed.
/// Helm logs in to a registry host (helm 4 rejects a repository path), so the URL's path is left
/// out; `--plain-http` is added for plain-HTTP registries when driving helm 4 (helm 3 has no
/// such flag).
pub fn registry_login(repository: &Repository, helm4: bool) -> Option<(Vec<String>, String)> {
    let username = repository.username.as_deref().filter(|u| !u.is_empty())?;
    let password = repository.password.as_deref().filter(|p| !p.is_empty())?;
    if !repository.oci {
        return None;
    }
    let path = crate::charts::registry_path(&repository.url);
    let host = path.split('/').next().unwrap_or(path);
    let mut args: Vec<String> = ["registry", "login", host].map(String::from).to_vec();
    push_set(&mut args, &tls_files(repository));
    if repository.plain_http && helm4 {
        args.push("--plain-http".into());
    } else if repository.skip_tls_verify {
        args.push("--insecure".into());
    }
    args.extend([
        "--username".into(),
        username.into(),
        "--password-stdin".into(),
    ]);
    Some((args, password.to_string()))
}

/// The flags `helm pull` needs to reach an OCI repository's registry: its TLS files, and
/// `--plain-http` (or `--insecure-skip-tls-verify`).
pub fn registry_flags(repository: &Repository) -> Vec<String> {
    let mut flags = Vec::new();
    push_set(&mut flags, &tls_files(repository));
    if repository.plain_http {
        flags.push("--plain-http".into());
    } else if repository.skip_tls_verify {
        flags.push("--insecure-skip-tls-verify".into());
    }
    flags
}

/// A repository's client certificate, key and CA files, with their flags.
fn tls_files(repository: &Repository) -> [(&'static str, &Option<String>); 3] {
    [
        ("--cert-file", &repository.cert_file),
        ("--key-file", &repository.key_file),
        ("--ca-file", &repository.ca_file),
    ]
}

/// `FLAG VALUE` for each pair whose value is set and not empty.
fn push_set(args: &mut Vec<String>, pairs: &[(&str, &Option<String>)]) {
    for (flag, value) in pairs {
        if let Some(value) = value.as_deref().filter(|v| !v.is_empty()) {
            args.extend([flag.to_string(), value.to_string()]);
        }
    }
}

/// `helm repo update`: refresh every repository index.
pub fn repo_update() -> Vec<String> {
    ["repo", "update"].map(String::from).to_vec()
}

/// `helm dependency update CHART`.
pub fn dependency_update(chart: &str) -> Vec<String> {
    ["dependency", "update", chart].map(String::from).to_vec()
}

/// Flags `windlass template` (and the desired side of a diff) passes to every `helm template`.
#[derive(Debug, Clone, Default)]
pub struct TemplateFlags {
    /// `--include-crds`.
    pub include_crds: bool,
    /// `--skip-tests`.
    pub skip_tests: bool,
    /// `--kube-version`, over the releases' `kubeVersion`.
    pub kube_version: Option<String>,
    /// `--show-only` templates.
    pub show_only: Vec<String>,
    /// `--is-upgrade`: render as an upgrade of the deployed release would (diffs).
    pub is_upgrade: bool,
    /// `--no-hooks`: leave the chart's hooks out (`diff --no-hooks`).
    pub no_hooks: bool,
}

/// The flags before the subcommand: Helmfile runs every helm command of a state file with its
/// `helmDefaults.kubeContext` there.
pub fn global_flags(release: &PlannedRelease) -> Vec<String> {
    match &release.defaults_kube_context {
        Some(context) => vec!["--kube-context".into(), context.clone()],
        None => Vec::new(),
    }
}

/// `--kube-context` of the release, from the one place that decides it.
fn push_kube_context(args: &mut Vec<String>, release: &PlannedRelease) {
    if let Some(context) = &release.kube_context {
        args.extend(["--kube-context".into(), context.clone()]);
    }
}

/// `--version` and `--devel`.
fn push_chart_version(args: &mut Vec<String>, release: &PlannedRelease) {
    if let Some(version) = &release.chart_version {
        // An OCI digest (`1.2.3@sha256:...`) goes with the chart, not with --version.
        let version = version.split('@').next().unwrap_or(version);
        args.extend(["--version".into(), version.into()]);
    }
    if release.settings.devel {
        args.push("--devel".into());
    }
}

/// `--plain-http`, else `--insecure-skip-tls-verify`, for downloading the chart.
fn push_chart_download(args: &mut Vec<String>, release: &PlannedRelease) {
    if release.settings.plain_http {
        args.push("--plain-http".into());
    } else if release.settings.insecure_skip_tls_verify {
        args.push("--insecure-skip-tls-verify".into());
    }
}

/// `helm template NAME CHART ...` in Helmfile's flag order; `output_dir` is `--output-dir`.
pub fn template(
    release: &PlannedRelease,
    flags: &TemplateFlags,
    output_dir: Option<&str>,
) -> Vec<String> {
    let settings = &release.settings;
    let mut args = global_flags(release);
    args.extend([
        "template".to_string(),
        release.name.clone(),
        release.chart.to_string(),
    ]);
    push_chart_version(&mut args, release);
    push_adopt(&mut args, release);
    if settings.enable_dns {
        args.push("--enable-dns".into());
    }
    push_post_renderer(&mut args, release);
    for api in &settings.api_versions {
        args.extend(["--api-versions".into(), api.clone()]);
    }
    if let Some(kube_version) = flags
        .kube_version
        .as_ref()
        .or(settings.kube_version.as_ref())
    {
        args.extend(["--kube-version".into(), kube_version.clone()]);
    }
    push_chart_download(&mut args, release);
    for template in &flags.show_only {
        args.extend(["--show-only".into(), template.clone()]);
    }
    if settings.skip_schema_validation {
        args.push("--skip-schema-validation".into());
    }
    push_kube_context(&mut args, release);
    // `templateArgs` are for the template command; a diff renders what the upgrade would.
    if !flags.is_upgrade {
        args.extend(settings.template_args.iter().cloned());
    }
    push_values(&mut args, release);
    if let Some(dir) = output_dir {
        args.extend(["--output-dir".into(), dir.into()]);
    }
    if flags.include_crds {
        args.push("--include-crds".into());
    }
    if flags.skip_tests {
        args.push("--skip-tests".into());
    }
    if flags.is_upgrade {
        args.push("--is-upgrade".into());
    }
    if flags.no_hooks {
        args.push("--no-hooks".into());
    }
    push_extra_args(&mut args, release);
    args
}

/// `helm lint CHART ...` in Helmfile's flag order.
pub fn lint(release: &PlannedRelease) -> Vec<String> {
    let mut args = global_flags(release);
    args.extend(["lint".to_string(), release.chart.to_string()]);
    push_values(&mut args, release);
    push_extra_args(&mut args, release);
    args
}

/// `--adopt` entries, which Helmfile passes through.
fn push_adopt(args: &mut Vec<String>, release: &PlannedRelease) {
    for adopt in &release.settings.adopt {
        args.extend(["--adopt".into(), adopt.clone()]);
    }
}

/// `--post-renderer` and its `--post-renderer-args`.
fn push_post_renderer(args: &mut Vec<String>, release: &PlannedRelease) {
    let Some(renderer) = &release.settings.post_renderer else {
        return;
    };
    args.extend(["--post-renderer".into(), renderer.clone()]);
    for arg in &release.settings.post_renderer_args {
        args.extend(["--post-renderer-args".into(), arg.clone()]);
    }
}

/// `--namespace`, the release's `--values` and `--set` flags, then the command line's, as
/// Helmfile orders them.
fn push_values(args: &mut Vec<String>, release: &PlannedRelease) {
    if !release.namespace.is_empty() {
        args.extend(["--namespace".into(), release.namespace.clone()]);
    }
    for file in &release.values.files {
        args.extend(["--values".into(), file.path.to_string_lossy().into_owned()]);
    }
    args.extend(release.values.set_flags.iter().cloned());
    for file in &release.command_line.values {
        args.extend(["--values".into(), file.clone()]);
    }
    for set in &release.command_line.set {
        args.extend(["--set".into(), set.clone()]);
    }
}

/// `helmDefaults.args`, then the command line's `--args`: always last.
fn push_extra_args(args: &mut Vec<String>, release: &PlannedRelease) {
    args.extend(release.settings.args.iter().cloned());
    args.extend(release.command_line.args.iter().cloned());
}

/// `helm dependency build CHART` (with `--skip-refresh` when the release asks for it).
pub fn dependency_build(release: &PlannedRelease, chart: &str) -> Vec<String> {
    let mut args = global_flags(release);
    args.extend(["dependency", "build", chart].map(String::from));
    if release.settings.skip_refresh {
        args.push("--skip-refresh".into());
    }
    args
}

/// `helm pull CHART --version V --untar --untardir DIR`: the release's remote chart unpacked for
/// chartify to rewrite.
pub fn pull_untar(release: &PlannedRelease, dir: &str) -> Vec<String> {
    let mut args = global_flags(release);
    args.extend(["pull".to_string(), release.chart.to_string()]);
    push_chart_version(&mut args, release);
    push_chart_download(&mut args, release);
    args.extend(["--untar", "--untardir", dir].map(String::from));
    args
}

/// `helm dependency update CHART` of a chart chartify added dependencies to (`--plain-http` on
/// helm 4 for plain-HTTP OCI registries).
pub fn chartify_dependency_update(
    release: &PlannedRelease,
    chart: &str,
    helm4: bool,
) -> Vec<String> {
    let mut args = global_flags(release);
    args.extend(["dependency", "update", chart].map(String::from));
    if helm4 && release.settings.oci_plain_http {
        args.push("--plain-http".into());
    }
    args
}

/// `helm template NAME CHART` of a chart chartify patches: the release's values and
/// capabilities, CRDs included, no post-renderer (that runs on the patched chart).
pub fn chartify_render(release: &PlannedRelease, chart: &str) -> Vec<String> {
    let settings = &release.settings;
    let mut args = global_flags(release);
    args.extend([
        "template".to_string(),
        release.name.clone(),
        chart.to_string(),
    ]);
    args.push("--include-crds".into());
    for api in &settings.api_versions {
        args.extend(["--api-versions".into(), api.clone()]);
    }
    if let Some(kube_version) = &settings.kube_version {
        args.extend(["--kube-version".into(), kube_version.clone()]);
    }
    push_values(&mut args, release);
    args
}

/// `helm upgrade --install NAME CHART ...` in Helmfile's flag order, with helm 4's names for
/// `--atomic` (`--rollback-on-failure`) and `--force` (`--force-replace`) when driving helm 4.
pub fn upgrade(release: &PlannedRelease, helm: HelmVersion) -> Vec<String> {
    let settings = &release.settings;
    let helm4 = helm.is_helm4();
    let at_least = |minor: u32| helm4 || helm.minor >= minor;
    let mut args = global_flags(release);
    args.extend([
        "upgrade".to_string(),
        "--install".to_string(),
        release.name.clone(),
        release.chart.to_string(),
    ]);
    push_chart_version(&mut args, release);
    let oci = matches!(release.chart, crate::plan::ChartRef::Oci { .. });
    // Helmfile verifies OCI charts when it pulls them, not in the upgrade.
    if settings.verify && !oci {
        args.push("--verify".into());
    }
    if let Some(keyring) = settings.keyring.as_ref().filter(|_| !oci) {
        args.extend(["--keyring".into(), keyring.clone()]);
    }
    let flags = [
        (settings.enable_dns, "--enable-dns"),
        (settings.wait, "--wait"),
        (settings.wait_for_jobs, "--wait-for-jobs"),
    ];
    push_switches(&mut args, &flags);
    if let Some(timeout) = settings.timeout {
        args.extend(["--timeout".into(), format!("{timeout}s")]);
    }
    let force = if helm4 { "--force-replace" } else { "--force" };
    let rollback = if helm4 {
        "--rollback-on-failure"
    } else {
        "--atomic"
    };
    let flags = [
        (settings.force, force),
        (settings.force_conflicts, "--force-conflicts"),
        (settings.recreate_pods, "--recreate-pods"),
        (settings.atomic, rollback),
        (
            settings.rollback_on_failure && !settings.atomic,
            "--rollback-on-failure",
        ),
        (settings.cleanup_on_fail, "--cleanup-on-fail"),
        (settings.create_namespace, "--create-namespace"),
        (
            settings.disable_openapi_validation,
            "--disable-openapi-validation",
        ),
    ];
    push_switches(&mut args, &flags);
    push_kube_context(&mut args, release);
    push_chart_download(&mut args, release);
    push_adopt(&mut args, release);
    if settings.sync_release_labels && at_least(13) && !release.labels.is_empty() {
        let mut labels: Vec<String> = release
            .labels
            .iter()
            .filter(|(k, _)| !k.is_empty() && !HELM_SYSTEM_LABELS.contains(&k.as_str()))
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        labels.sort();
        if !labels.is_empty() {
            args.extend(["--labels".into(), labels.join(",")]);
        }
    }
    push_post_renderer(&mut args, release);
    if let Some(description) = &settings.description {
        args.extend(["--description".into(), description.clone()]);
    }
    let flags = [
        (settings.skip_schema_validation, "--skip-schema-validation"),
        (settings.take_ownership, "--take-ownership"),
    ];
    push_switches(&mut args, &flags);
    if let Some(server_side) = settings.server_side.as_ref().filter(|_| helm4) {
        args.extend(["--server-side".into(), server_side.clone()]);
    }
    args.extend(settings.sync_args.iter().cloned());
    push_values(&mut args, release);
    if settings.skip_crds {
        args.push("--skip-crds".into());
    }
    args.push(
        if settings.reuse_values {
            "--reuse-values"
        } else {
            "--reset-values"
        }
        .into(),
    );
    args.extend(["--history-max".into(), settings.history_max.to_string()]);
    push_extra_args(&mut args, release);
    args
}

/// The labels helm keeps for itself on release records; `--labels` cannot set them.
const HELM_SYSTEM_LABELS: [&str; 6] = [
    "name",
    "owner",
    "status",
    "version",
    "createdAt",
    "modifiedAt",
];

/// Adds each flag whose switch is on, in order.
fn push_switches(args: &mut Vec<String>, flags: &[(bool, &str)]) {
    args.extend(
        flags
            .iter()
            .filter(|(on, _)| *on)
            .map(|(_, flag)| flag.to_string()),
    );
}

/// `helm list --filter ^NAME$ ...`: whether a release exists, as Helmfile asks before deleting.
pub fn list_release(release: &PlannedRelease) -> Vec<String> {
    let mut args = global_flags(release);
    args.extend([
        "list".to_string(),
        "--filter".into(),
        format!("^{}$", release.name),
    ]);
    push_kube_context(&mut args, release);
    if !release.namespace.is_empty() {
        args.extend(["--namespace".into(), release.namespace.clone()]);
    }
    args.extend(
        [
            "--uninstalling",
            "--deployed",
            "--failed",
            "--pending",
            "--short",
        ]
        .map(String::from),
    );
    args
}

/// `helm list --all-namespaces --output json` of the releases deployed, failed, pending or
/// being uninstalled (the states Helmfile counts as installed) in `release`'s kube context.
pub fn list_all(release: &PlannedRelease) -> Vec<String> {
    let mut args = global_flags(release);
    args.extend(
        [
            "list",
            "--all-namespaces",
            "--deployed",
            "--failed",
            "--pending",
            "--uninstalling",
            "--output",
            "json",
        ]
        .map(String::from),
    );
    push_kube_context(&mut args, release);
    args
}

/// `helm uninstall NAME ...` with the release's context, namespace, `deleteWait`/`deleteTimeout`
/// and `cascade`.
pub fn uninstall(release: &PlannedRelease) -> Vec<String> {
    let settings = &release.settings;
    let mut args = global_flags(release);
    args.extend(["uninstall".to_string(), release.name.clone()]);
    push_kube_context(&mut args, release);
    if !release.namespace.is_empty() {
        args.extend(["--namespace".into(), release.namespace.clone()]);
    }
    if settings.delete_wait {
        args.push("--wait".into());
        if let Some(timeout) = settings.delete_timeout {
            args.extend(["--timeout".into(), format!("{timeout}s")]);
        }
    }
    if let Some(cascade) = settings
        .cascade
        .as_ref()
        .or(settings.default_cascade.as_ref())
    {
        args.extend(["--cascade".into(), cascade.clone()]);
    }
    args
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repository(yaml: &str) -> Repository {
        serde_yaml::from_str(yaml).unwrap_or_default()
    }

    #[test]
    fn repo_add_matches_helmfile_flag_order() {
        let private = repository(
            "{name: private, url: 'https://charts.example.com', username: u, password: p, caFile: ca.pem, certFile: c.pem, keyFile: k.pem, passCredentials: true, skipTLSVerify: true}",
        );
        assert_eq!(
            repo_add(&private).map(|a| a.join(" ")).as_deref(),
            Some(
                "repo add private https://charts.example.com --force-update --cert-file c.pem --key-file k.pem --ca-file ca.pem --username u --password p --pass-credentials --insecure-skip-tls-verify"
            )
        );
        assert_eq!(
            repo_add(&repository("{name: o, url: ghcr.io/x, oci: true}")),
            None
        );
    }

    #[test]
    fn registry_login_passes_the_password_on_stdin() {
        let oci =
            repository("{name: o, url: ghcr.io/org/charts, oci: true, username: u2, password: p2}");
        assert_eq!(
            registry_login(&oci, false).map(|(a, p)| (a.join(" "), p)),
            Some((
                "registry login ghcr.io --username u2 --password-stdin".into(),
                "p2".into()
            ))
        );
        let plain = repository(
            "{name: o, url: 'oci://127.0.0.1:5000/charts/', oci: true, plainHttp: true, username: u, password: p}",
        );
        assert_eq!(
            registry_login(&plain, true)
                .map(|(a, _)| a.join(" "))
                .as_deref(),
            Some("registry login 127.0.0.1:5000 --plain-http --username u --password-stdin")
        );
        assert_eq!(
            registry_login(&plain, false)
                .map(|(a, _)| a.join(" "))
                .as_deref(),
            Some("registry login 127.0.0.1:5000 --username u --password-stdin")
        );
        assert_eq!(
            registry_login(&repository("{name: o, url: ghcr.io/x, oci: true}"), false),
            None
        );
    }
}
