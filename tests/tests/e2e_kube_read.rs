//! The library's cluster reads (`windlass::kube`) against the local Kubernetes API, with releases
//! installed by the real helm 3 and 4: release records decode to exactly what `helm get
//! manifest` prints (drivers `secret` and `configmap`), live objects show a `kubectl set image`,
//! a read-only user gets the live diff and a server-side dry run falls back, and an unreachable
//! server is one error naming the context and server.

use std::path::Path;

use insta::assert_snapshot;
use windlass::diff::manifest::documents;
use windlass::diff::{Comparison, DiffReport, ReleaseInput};
use windlass::helm::history::{ReleaseAt, deployed_release};
use windlass::kube::{Cluster as Client, Driver, KubeconfigFiles};
use windlass::ops::diff::{DiffSettings, diff_release};
use windlass_tests::cluster::{Cluster, mask_cluster, unreachable_kubeconfig};
use windlass_tests::{real_helm, repo_root};

fn chart() -> String {
    repo_root()
        .join("tests/fixtures/kube/web")
        .display()
        .to_string()
}

/// Runs helm and returns its stdout; panics with its stderr when it fails.
fn helm(cluster: &Cluster, major: u32, driver: &str, args: &[&str]) -> String {
    let output = cluster
        .helm(major)
        .env("HELM_DRIVER", driver)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run helm: {e}"));
    assert!(
        output.status.success(),
        "helm {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Installs release `web` in `apps` (revision 1), then upgrades it to nginx:1.26 (revision 2).
fn install(cluster: &Cluster, major: u32, driver: &str) {
    let chart = chart();
    helm(
        cluster,
        major,
        driver,
        &["install", "web", &chart, "-n", "apps", "--create-namespace"],
    );
    helm(
        cluster,
        major,
        driver,
        &[
            "upgrade",
            "web",
            &chart,
            "-n",
            "apps",
            "--set",
            "image=nginx:1.26",
        ],
    );
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap_or_else(|e| panic!("no runtime: {e}"))
}

async fn connect(kubeconfig: &Path, context: &str) -> Client {
    let config = KubeconfigFiles(vec![kubeconfig.to_path_buf()])
        .read()
        .unwrap_or_else(|e| panic!("{e}"));
    Client::new(&config, Some(context))
        .await
        .unwrap_or_else(|e| panic!("{e}"))
}

fn records_match_helm_get(major: u32, driver: &str, windlass_driver: Driver) {
    let cluster = Cluster::start();
    install(&cluster, major, driver);
    let manifest = helm(
        &cluster,
        major,
        driver,
        &["get", "manifest", "web", "-n", "apps"],
    );
    let hooks = helm(
        &cluster,
        major,
        driver,
        &["get", "hooks", "web", "-n", "apps"],
    );
    runtime().block_on(async {
        let client = connect(cluster.kubeconfig(), cluster.admin_context()).await;
        let releases = client
            .deployed_releases(windlass_driver, "apps", &["web", "absent"])
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(releases.keys().collect::<Vec<_>>(), ["web"]);
        let web = &releases["web"];
        assert_eq!(
            (
                web.revision,
                web.status.as_str(),
                web.chart.as_str(),
                web.chart_version.as_str(),
                web.baseline_revision
            ),
            (2, "deployed", "web", "0.1.0", 2)
        );
        assert_eq!(web.manifest.trim(), manifest.trim());
        assert_eq!(web.hooks.len(), 1);
        assert!(
            hooks.contains(web.hooks[0].trim()),
            "{hooks}\n---\n{:?}",
            web.hooks
        );
    });
}

#[test]
fn e2e_helm3_release_records_read_directly_match_helm_get() {
    records_match_helm_get(3, "secret", Driver::Secret);
}

#[test]
fn e2e_helm4_release_records_read_directly_match_helm_get() {
    records_match_helm_get(4, "secret", Driver::Secret);
}

#[test]
fn e2e_helm3_configmap_release_records_match_helm_get() {
    records_match_helm_get(3, "configmap", Driver::ConfigMap);
}

/// The deployed release diffed live after `kubectl set image`, as `context` sees it, with
/// `comparison`; the whole diff output and the warnings.
fn live_diff(major: u32, context: &str, comparison: Comparison) -> String {
    let cluster = Cluster::start();
    install(&cluster, major, "secret");
    let edit = cluster.kubectl_transcript(
        &[
            "set",
            "image",
            "-n",
            "apps",
            "deployment/web",
            "web=nginx:edited-out-of-band",
        ],
        &[],
    );
    let desired = helm(
        &cluster,
        major,
        "secret",
        &[
            "template",
            "web",
            &chart(),
            "-n",
            "apps",
            "--set",
            "image=nginx:1.26",
            "--is-upgrade",
        ],
    );
    let text = runtime().block_on(async {
        let client = connect(cluster.kubeconfig(), context).await;
        let releases = client
            .deployed_releases(Driver::Secret, "apps", &["web"])
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let input = ReleaseInput {
            name: "web",
            namespace: "apps",
            kube_context: Some(context),
            chart: "web",
            chart_version: Some(("web", "0.1.0")),
            desired: Some(&desired),
            deployed: releases.get("web"),
        };
        let settings = DiffSettings {
            comparison,
            ..DiffSettings::default()
        };
        let outcome = diff_release(input, Some(&client), &settings)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let report = DiffReport {
            environment: "test".into(),
            comparison,
            releases: vec![outcome.diff],
            errors: Vec::new(),
        };
        let lines: String = report
            .diff_lines()
            .iter()
            .map(|l| format!("{}\n", l.text))
            .collect();
        let warnings: String = outcome
            .warnings
            .iter()
            .map(|w| format!("warning: {w}\n"))
            .collect();
        format!("{warnings}{lines}")
    });
    assert!(
        !text.contains("kube-fixture-password"),
        "a secret leaked:\n{text}"
    );
    format!("{}----- diff -----\n{text}", mask_cluster(&edit))
}

#[test]
fn e2e_helm3_live_diff_shows_an_out_of_band_image_edit() {
    assert_snapshot!(live_diff(3, "kube-sim", Comparison::Live));
}

#[test]
fn e2e_helm4_live_diff_shows_an_out_of_band_image_edit() {
    assert_snapshot!(live_diff(4, "kube-sim", Comparison::Live));
}

#[test]
fn e2e_helm3_server_side_diff_dry_runs_the_apply() {
    assert_snapshot!(live_diff(3, "kube-sim", Comparison::ServerSide));
}

#[test]
fn e2e_helm3_read_only_user_gets_the_live_diff_when_server_side_is_forbidden() {
    assert_snapshot!(live_diff(3, "kube-sim-read-only", Comparison::ServerSide));
}

#[test]
fn e2e_unreachable_server_is_one_error_naming_context_and_server() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let kubeconfig = dir.path().join("kubeconfig");
    let port = unreachable_kubeconfig(&kubeconfig);
    let error = runtime().block_on(async {
        let client = connect(&kubeconfig, "gone").await;
        client
            .version()
            .await
            .err()
            .map(|e| format!("{e}\nhint: {}", e.hint().unwrap_or_default()))
    });
    assert_snapshot!(mask_cluster(&error.unwrap_or_default()).replace(&port.to_string(), "[PORT]"));
}

#[test]
fn e2e_helm3_release_read_through_helm_matches_the_records() {
    let cluster = Cluster::start();
    install(&cluster, 3, "secret");
    let mut helm = windlass::helm::HelmProcess::new(real_helm(3), repo_root());
    for (name, value) in cluster.env() {
        helm = helm.with_env(name, value);
    }
    let at = ReleaseAt {
        name: "web",
        namespace: "apps",
        kube_context: Some(cluster.admin_context()),
    };
    let documents = |texts: &[String]| -> Vec<serde_json::Value> {
        texts
            .iter()
            .flat_map(|t| documents(t, "test").unwrap_or_else(|e| panic!("{e}")))
            .map(|d| d.value)
            .collect()
    };
    runtime().block_on(async {
        let through_helm = deployed_release(&helm, at)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let through_helm = through_helm.unwrap_or_else(|| panic!("helm found no release"));
        let client = connect(cluster.kubeconfig(), cluster.admin_context()).await;
        let records = client
            .deployed_releases(Driver::Secret, "apps", &["web"])
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let direct = &records["web"];
        let identity = |d: &windlass::diff::DeployedRelease| {
            (
                d.revision,
                d.status.clone(),
                d.chart.clone(),
                d.chart_version.clone(),
                d.baseline_revision,
                d.manifest.trim().to_string(),
            )
        };
        assert_eq!(identity(&through_helm), identity(direct));
        assert_eq!(documents(&through_helm.hooks), documents(&direct.hooks));
        let absent = ReleaseAt {
            name: "absent",
            ..at
        };
        assert!(
            deployed_release(&helm, absent)
                .await
                .is_ok_and(|r| r.is_none())
        );
    });
}

#[test]
fn e2e_exec_credential_plugins_authenticate_as_kubectl_does() {
    let cluster = Cluster::start();
    let kubeconfig =
        std::fs::read_to_string(cluster.kubeconfig()).unwrap_or_else(|e| panic!("{e}"));
    // The read-only user's token (the second user): a request without a token would be the
    // admin's, so a refused write proves the plugin's token was sent.
    let token = regex::Regex::new(r"token: (\S+)")
        .ok()
        .and_then(|r| {
            r.captures_iter(&kubeconfig)
                .nth(1)
                .map(|c| c[1].to_string())
        })
        .unwrap_or_else(|| panic!("no read-only token in {kubeconfig}"));
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let plugin = dir.path().join("credential-plugin");
    std::fs::write(
        &plugin,
        format!("#!/bin/sh\necho '{{\"apiVersion\":\"client.authentication.k8s.io/v1beta1\",\"kind\":\"ExecCredential\",\"status\":{{\"token\":\"{token}\"}}}}'\n"),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let mut permissions = std::fs::metadata(&plugin)
        .map(|m| m.permissions())
        .unwrap_or_else(|e| panic!("{e}"));
    std::os::unix::fs::PermissionsExt::set_mode(&mut permissions, 0o755);
    std::fs::set_permissions(&plugin, permissions).unwrap_or_else(|e| panic!("{e}"));
    let config = dir.path().join("kubeconfig");
    std::fs::write(
        &config,
        format!(
            "apiVersion: v1\nkind: Config\ncurrent-context: exec\nclusters:\n- name: sim\n  cluster: {{server: 'http://{}'}}\ncontexts:\n- name: exec\n  context: {{cluster: sim, user: exec}}\nusers:\n- name: exec\n  user:\n    exec:\n      apiVersion: client.authentication.k8s.io/v1beta1\n      command: {}\n      interactiveMode: Never\n",
            cluster.sim().address(),
            plugin.display()
        ),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    runtime().block_on(async {
        let client = connect(&config, "exec").await;
        let version = client.version().await.unwrap_or_else(|e| panic!("{e}"));
        assert!(version.starts_with("v1."), "{version}");
        let records = client
            .deployed_releases(Driver::Secret, "default", &["none"])
            .await;
        assert!(records.is_ok_and(|r| r.is_empty()));
        let mut scopes = windlass::diff::KnownScopes::default();
        let objects = windlass::diff::manifest::parse(
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: probe}\n",
            "default",
            &mut scopes,
            "test",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let refused = client
            .dry_run_apply(&objects.values().collect::<Vec<_>>())
            .await;
        assert!(refused.is_err_and(|e| e.is_forbidden()));
    });
}
