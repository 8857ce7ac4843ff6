//! The helm command lines windlass runs, built as Helmfile builds them so a repository behaves the
//! same under both.

use crate::project::{HelmDefaults, Release, Repository};

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

/// What `helm template` and `helm upgrade` share for one release: its name, chart, and the
/// values files and `--set` flags that carry its values.
#[derive(Debug, Clone)]
pub struct ReleaseCall<'a> {
    /// The release.
    pub release: &'a Release,
    /// The chart as helm should read it (a local path relative to helm's working folder, a
    /// fetched archive, or `repo/chart`, or `oci://...`).
    pub chart: String,
    /// `--version`: the version or range (pinned by a lock file); `None` for charts read from
    /// a path.
    pub version: Option<String>,
    /// The `--values` files, in order.
    pub values_files: Vec<String>,
    /// `--set`/`--set-file` flag pairs.
    pub set_flags: &'a [String],
}

/// Flags `windlass template` passes through to every `helm template`.
#[derive(Debug, Clone, Default)]
pub struct TemplateFlags {
    /// `--include-crds`.
    pub include_crds: bool,
    /// `--skip-tests`.
    pub skip_tests: bool,
    /// Extra `--values` files from the command line, after the release's.
    pub values: Vec<String>,
    /// Extra `--set` values from the command line, after the release's.
    pub set: Vec<String>,
    /// `--args`: extra helm arguments, last.
    pub args: Vec<String>,
    /// `--kube-version`, over the releases' `kubeVersion`.
    pub kube_version: Option<String>,
    /// `--show-only` templates.
    pub show_only: Vec<String>,
}

/// The flags before the subcommand that apply to every helm call of a state file: Helmfile puts
/// `helmDefaults.kubeContext` there.
pub fn global_flags(defaults: &HelmDefaults) -> Vec<String> {
    match defaults.kube_context.as_deref().filter(|c| !c.is_empty()) {
        Some(context) => vec!["--kube-context".into(), context.into()],
        None => Vec::new(),
    }
}

/// `helm template NAME CHART ...` in Helmfile's flag order.
pub fn template(
    call: &ReleaseCall<'_>,
    defaults: &HelmDefaults,
    flags: &TemplateFlags,
    output_dir: Option<&str>,
) -> Vec<String> {
    let spec = &call.release.spec;
    let mut args = global_flags(defaults);
    args.extend([
        "template".to_string(),
        call.release.name().to_string(),
        call.chart.clone(),
    ]);
    if let Some(version) = call.version.as_deref().filter(|v| !v.is_empty()) {
        args.extend(["--version".into(), version.into()]);
    }
    if spec.devel.or(defaults.devel).unwrap_or(false) {
        args.push("--devel".into());
    }
    push_post_renderer(&mut args, call.release, defaults);
    for api in &spec.api_versions {
        args.extend(["--api-versions".into(), api.clone()]);
    }
    let kube_version = flags
        .kube_version
        .as_deref()
        .or(spec.kube_version.as_deref());
    if let Some(kube_version) = kube_version.filter(|v| !v.is_empty()) {
        args.extend(["--kube-version".into(), kube_version.into()]);
    }
    for template in &flags.show_only {
        args.extend(["--show-only".into(), template.clone()]);
    }
    push_values(&mut args, call);
    for file in &flags.values {
        args.extend(["--values".into(), file.clone()]);
    }
    for set in &flags.set {
        args.extend(["--set".into(), set.clone()]);
    }
    if let Some(dir) = output_dir {
        args.extend(["--output-dir".into(), dir.into()]);
    }
    if flags.include_crds {
        args.push("--include-crds".into());
    }
    if flags.skip_tests {
        args.push("--skip-tests".into());
    }
    args.extend(defaults.args.iter().cloned());
    args.extend(flags.args.iter().cloned());
    args
}

/// `helm lint CHART ...` in Helmfile's flag order.
pub fn lint(call: &ReleaseCall<'_>, defaults: &HelmDefaults, flags: &TemplateFlags) -> Vec<String> {
    let mut args = global_flags(defaults);
    args.extend(["lint".to_string(), call.chart.clone()]);
    push_values(&mut args, call);
    for file in &flags.values {
        args.extend(["--values".into(), file.clone()]);
    }
    for set in &flags.set {
        args.extend(["--set".into(), set.clone()]);
    }
    args.extend(defaults.args.iter().cloned());
    args.extend(flags.args.iter().cloned());
    args
}

/// `--post-renderer` and its `--post-renderer-args`, the release's or else the defaults'.
fn push_post_renderer(args: &mut Vec<String>, release: &Release, defaults: &HelmDefaults) {
    let spec = &release.spec;
    let Some(renderer) = spec
        .post_renderer
        .as_deref()
        .or(defaults.post_renderer.as_deref())
    else {
        return;
    };
    args.extend(["--post-renderer".into(), renderer.into()]);
    let renderer_args = if spec.post_renderer_args.is_empty() {
        &defaults.post_renderer_args
    } else {
        &spec.post_renderer_args
    };
    for arg in renderer_args {
        args.extend(["--post-renderer-args".into(), arg.clone()]);
    }
}

/// `--namespace`, `--values` and `--set` flags, as Helmfile orders them.
fn push_values(args: &mut Vec<String>, call: &ReleaseCall<'_>) {
    let namespace = call.release.namespace();
    if !namespace.is_empty() {
        args.extend(["--namespace".into(), namespace.into()]);
    }
    for file in &call.values_files {
        args.extend(["--values".into(), file.clone()]);
    }
    args.extend(call.set_flags.iter().cloned());
}

/// `helm dependency build CHART`.
pub fn dependency_build(chart: &str) -> Vec<String> {
    ["dependency", "build", chart].map(String::from).to_vec()
}

/// What `sync` adds to every `helm upgrade`.
#[derive(Debug, Clone, Default)]
pub struct UpgradeFlags {
    /// Extra `--values` files from the command line, after the release's.
    pub values: Vec<String>,
    /// Extra `--set` values from the command line, after the release's.
    pub set: Vec<String>,
    /// `--args`: extra helm arguments, last.
    pub args: Vec<String>,
    /// The environment's kube context, for releases and defaults that set none.
    pub environment_kube_context: Option<String>,
    /// Whether helm is 4.x (renamed flags).
    pub helm4: bool,
}

/// `helm upgrade --install NAME CHART ...` in Helmfile's flag order, with helm 4's names for
/// `--atomic` (`--rollback-on-failure`) and `--force` (`--force-replace`) when driving helm 4.
pub fn upgrade(
    call: &ReleaseCall<'_>,
    defaults: &HelmDefaults,
    flags: &UpgradeFlags,
) -> Vec<String> {
    let spec = &call.release.spec;
    let on = |release: Option<bool>, default: Option<bool>| release.or(default).unwrap_or(false);
    let mut args = global_flags(defaults);
    args.extend([
        "upgrade".to_string(),
        "--install".to_string(),
        call.release.name().to_string(),
        call.chart.clone(),
    ]);
    if let Some(version) = call.version.as_deref().filter(|v| !v.is_empty()) {
        args.extend(["--version".into(), version.into()]);
    }
    if on(spec.devel, defaults.devel) {
        args.push("--devel".into());
    }
    if on(spec.verify, defaults.verify) {
        args.push("--verify".into());
    }
    if let Some(keyring) = spec
        .keyring
        .as_deref()
        .or(defaults.keyring.as_deref())
        .filter(|k| !k.is_empty())
    {
        args.extend(["--keyring".into(), keyring.into()]);
    }
    if on(spec.enable_dns, defaults.enable_dns) {
        args.push("--enable-dns".into());
    }
    if on(spec.wait, defaults.wait) {
        args.push("--wait".into());
    }
    if on(spec.wait_for_jobs, defaults.wait_for_jobs) {
        args.push("--wait-for-jobs".into());
    }
    if let Some(timeout) = spec.timeout.or(defaults.timeout).filter(|t| *t != 0) {
        args.extend(["--timeout".into(), format!("{timeout}s")]);
    }
    if on(spec.force, defaults.force) {
        args.push(
            if flags.helm4 {
                "--force-replace"
            } else {
                "--force"
            }
            .into(),
        );
    }
    if on(spec.recreate_pods, defaults.recreate_pods) {
        args.push("--recreate-pods".into());
    }
    if on(spec.atomic, defaults.atomic) {
        args.push(
            if flags.helm4 {
                "--rollback-on-failure"
            } else {
                "--atomic"
            }
            .into(),
        );
    }
    if on(spec.cleanup_on_fail, defaults.cleanup_on_fail) {
        args.push("--cleanup-on-fail".into());
    }
    // Helmfile creates namespaces unless told not to.
    if spec
        .create_namespace
        .or(defaults.create_namespace)
        .unwrap_or(true)
    {
        args.push("--create-namespace".into());
    }
    if on(
        spec.disable_openapi_validation,
        defaults.disable_openapi_validation,
    ) {
        args.push("--disable-openapi-validation".into());
    }
    let kube_context = spec
        .kube_context
        .as_deref()
        .or(flags.environment_kube_context.as_deref())
        .or(defaults.kube_context.as_deref())
        .filter(|c| !c.is_empty());
    if let Some(context) = kube_context {
        args.extend(["--kube-context".into(), context.into()]);
    }
    if on(
        spec.insecure_skip_tls_verify,
        defaults.insecure_skip_tls_verify,
    ) {
        args.push("--insecure-skip-tls-verify".into());
    }
    for adopt in &spec.adopt {
        args.extend(["--adopt".into(), adopt.clone()]);
    }
    push_post_renderer(&mut args, call.release, defaults);
    args.extend(defaults.sync_args.iter().cloned());
    push_values(&mut args, call);
    for file in &flags.values {
        args.extend(["--values".into(), file.clone()]);
    }
    for set in &flags.set {
        args.extend(["--set".into(), set.clone()]);
    }
    let reuse = spec.reuse_values.or(defaults.reuse_values).unwrap_or(false);
    args.push(
        if reuse {
            "--reuse-values"
        } else {
            "--reset-values"
        }
        .into(),
    );
    let history_max = spec.history_max.or(defaults.history_max).unwrap_or(10);
    args.extend(["--history-max".into(), history_max.to_string()]);
    args.extend(defaults.args.iter().cloned());
    args.extend(flags.args.iter().cloned());
    args
}

/// `helm list --filter ^NAME$ ...`: whether a release exists, as Helmfile asks before deleting.
pub fn list_release(release: &Release, kube_context: Option<&str>) -> Vec<String> {
    let mut args = vec![
        "list".to_string(),
        "--filter".into(),
        format!("^{}$", release.name()),
    ];
    if let Some(context) = kube_context {
        args.extend(["--kube-context".into(), context.into()]);
    }
    if !release.namespace().is_empty() {
        args.extend(["--namespace".into(), release.namespace().into()]);
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

/// `helm uninstall NAME ...`.
pub fn uninstall(release: &Release, kube_context: Option<&str>) -> Vec<String> {
    let mut args = vec!["uninstall".to_string(), release.name().to_string()];
    if let Some(context) = kube_context {
        args.extend(["--kube-context".into(), context.into()]);
    }
    if !release.namespace().is_empty() {
        args.extend(["--namespace".into(), release.namespace().into()]);
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
