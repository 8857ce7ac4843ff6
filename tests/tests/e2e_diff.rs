//! `windlass diff` and `apply` with the real helm 3 and 4 against the local Kubernetes API: in
//! sync after `sync`; an out-of-band `kubectl set image` shows in `diff --live` (exit 2, the field
//! with both values) and not in the release comparison; read-only credentials still get the live
//! diff (the server-side dry run falls back); `apply --live` repairs the drift and upgrades only
//! that release; a changed value is diffed and applied to its release alone (the release records'
//! revisions prove it). Secret values never reach the output.

use std::process::Command;

use insta::assert_snapshot;
use windlass_tests::cluster::{Cluster, unreachable_kubeconfig};
use windlass_tests::{TestProject, real_helm, render, repo_root, windlass};

/// The chart's Secret value, which no output may show.
const PASSWORD: &str = "kube-fixture-password";

/// `web` and `api` in namespace `apps`, both of the fixture chart `web`; `api` runs `image`.
fn project(api_image: &str) -> TestProject {
    let chart = repo_root().join("tests/fixtures/kube/web");
    let mut project = TestProject::new().file(
        "helmfile.yaml",
        &format!(
            "
            releases:
            - name: web
              namespace: apps
              chart: ./charts/web
            - name: api
              namespace: apps
              chart: ./charts/web
              values:
              - image: {api_image}
            "
        ),
    );
    for file in [
        "Chart.yaml",
        "values.yaml",
        "templates/deployment.yaml",
        "templates/config.yaml",
        "templates/secret.yaml",
        "templates/hook.yaml",
    ] {
        let text =
            std::fs::read_to_string(chart.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
        project = project.file(&format!("charts/web/{file}"), &text);
    }
    project
}

/// Runs `windlass --helm-binary <helm major> ARGS` in `project` against `cluster`; the outcome
/// with the server's port masked.
fn windlass_run(cluster: &Cluster, project: &TestProject, major: u32, args: &[&str]) -> String {
    let mut command: Command = windlass();
    command
        .arg("--helm-binary")
        .arg(real_helm(major))
        .args(["--concurrency", "1"])
        .args(args)
        .current_dir(project.path())
        .envs(cluster.env());
    let text = render(command, project.path());
    assert!(!text.contains(PASSWORD), "a secret leaked:\n{text}");
    let port = cluster.sim().address().port().to_string();
    format!(
        "$ windlass {}\n{}",
        args.join(" "),
        text.replace(&port, "[PORT]")
    )
}

fn drift_and_repair(major: u32) -> String {
    let cluster = Cluster::start();
    let project = project("nginx:1.25");
    let mut out = String::new();
    out.push_str(&windlass_run(&cluster, &project, major, &["sync"]));
    out.push_str(&windlass_run(
        &cluster,
        &project,
        major,
        &["diff", "--detailed-exitcode"],
    ));
    out.push_str(&windlass_run(
        &cluster,
        &project,
        major,
        &["diff", "--live", "--detailed-exitcode"],
    ));
    out.push_str(&cluster.kubectl_transcript(
        &[
            "set",
            "image",
            "-n",
            "apps",
            "deployment/web",
            "web=nginx:edited-out-of-band",
        ],
        &[],
    ));
    // The deployed release did not change: only the live comparison sees the edit.
    out.push_str(&windlass_run(
        &cluster,
        &project,
        major,
        &["diff", "--detailed-exitcode", "--output", "simple"],
    ));
    out.push_str(&windlass_run(
        &cluster,
        &project,
        major,
        &["diff", "--live", "--detailed-exitcode", "--context", "3"],
    ));
    out.push_str(&windlass_run(
        &cluster,
        &project,
        major,
        &[
            "--kube-context",
            cluster.read_only_context(),
            "diff",
            "--live",
            "--server-side",
            "--detailed-exitcode",
            "--output",
            "simple",
        ],
    ));
    out.push_str(&windlass_run(
        &cluster,
        &project,
        major,
        &["apply", "--live", "--detailed-exitcode", "--suppress-diff"],
    ));
    out.push_str(&windlass_run(
        &cluster,
        &project,
        major,
        &["diff", "--live", "--detailed-exitcode"],
    ));
    out.push_str(&format!(
        "----- release records -----\n{}",
        cluster.release_records()
    ));
    out
}

#[test]
fn e2e_helm3_live_drift_is_found_read_only_and_repaired_by_apply() {
    assert_snapshot!(drift_and_repair(3));
}

#[test]
fn e2e_helm4_live_drift_is_found_read_only_and_repaired_by_apply() {
    assert_snapshot!(drift_and_repair(4));
}

fn changed_values(major: u32) -> String {
    let cluster = Cluster::start();
    let mut out = String::new();
    out.push_str(&windlass_run(
        &cluster,
        &project("nginx:1.25"),
        major,
        &["sync"],
    ));
    let changed = project("nginx:1.27");
    out.push_str(&windlass_run(
        &cluster,
        &changed,
        major,
        &["diff", "--detailed-exitcode", "--context", "2"],
    ));
    out.push_str(&windlass_run(
        &cluster,
        &changed,
        major,
        &["diff", "--detailed-exitcode", "--output", "json"],
    ));
    out.push_str(&windlass_run(
        &cluster,
        &changed,
        major,
        &["apply", "--detailed-exitcode", "--suppress-diff"],
    ));
    out.push_str(&windlass_run(
        &cluster,
        &changed,
        major,
        &["diff", "--detailed-exitcode"],
    ));
    out.push_str(&format!(
        "----- release records -----\n{}",
        cluster.release_records()
    ));
    out
}

#[test]
fn e2e_helm3_changed_values_diff_and_apply_only_that_release() {
    assert_snapshot!(changed_values(3));
}

#[test]
fn e2e_helm4_changed_values_diff_and_apply_only_that_release() {
    assert_snapshot!(changed_values(4));
}

/// The desired side rendered in process (`--renderer native`) gives, with the real helm 3.17
/// and cluster, the report helm's own `helm template` gives: the release comparison, the live
/// one, and the JSON report, after a values change; then `apply` from the native diff upgrades
/// the changed release.
#[test]
fn e2e_helm3_native_renderer_diffs_as_helm_renders() {
    let cluster = Cluster::start();
    let mut out = windlass_run(&cluster, &project("nginx:1.25"), 3, &["sync"]);
    let changed = project("nginx:1.27");
    for args in [
        &["diff", "--detailed-exitcode", "--context", "2"][..],
        &["diff", "--live", "--detailed-exitcode", "--output", "json"][..],
    ] {
        let run = |renderer: &str| {
            let text = windlass_run(
                &cluster,
                &changed,
                3,
                &[args, &["--renderer", renderer]].concat(),
            );
            text.replacen(&format!("--renderer {renderer}"), "--renderer [R]", 1)
        };
        let native = run("native");
        assert_eq!(native, run("helm"));
        out.push_str(&native);
    }
    out.push_str(&windlass_run(
        &cluster,
        &changed,
        3,
        &[
            "apply",
            "--detailed-exitcode",
            "--suppress-diff",
            "--renderer",
            "native",
        ],
    ));
    out.push_str(&format!(
        "----- release records -----\n{}",
        cluster.release_records()
    ));
    assert_snapshot!(out);
}

#[test]
fn e2e_unreachable_cluster_is_one_error_naming_context_and_server() {
    let project = project("nginx:1.25");
    let port = unreachable_kubeconfig(&project.path().join("kubeconfig"));
    let mut command = windlass();
    command
        .arg("--helm-binary")
        .arg(real_helm(3))
        .args([
            "--kubeconfig",
            "kubeconfig",
            "diff",
            "--detailed-exitcode",
            "--output",
            "json",
        ])
        .current_dir(project.path())
        .env("HOME", project.path());
    let text = render(command, project.path()).replace(&port.to_string(), "[PORT]");
    assert_snapshot!(text);
}

/// The README's "try it without a cluster": the example project synced, its web image edited
/// out of band, found by `diff --live`, put back by `apply --live`.
#[test]
fn e2e_helm3_example_project_drift_is_found_and_repaired() {
    let cluster = Cluster::for_example();
    let project = TestProject::example();
    let key = project.path().join("environments-example/age-test-key.txt");
    let run = |args: &[&str]| {
        let mut command: Command = windlass();
        command
            .arg("--helm-binary")
            .arg(real_helm(3))
            .args(["-e", "production", "--concurrency", "1"])
            .args(args)
            .current_dir(project.path())
            .envs(cluster.env())
            .env("SOPS_AGE_KEY_FILE", &key);
        let text = render(command, project.path());
        assert!(
            !text.contains("example-production-db-password"),
            "a secret leaked:\n{text}"
        );
        format!("$ windlass -e production {}\n{text}", args.join(" "))
    };
    let mut out = run(&["sync"]);
    out.push_str(&cluster.kubectl_transcript(
        &[
            "--context",
            "prod-eu",
            "-n",
            "frontend",
            "set",
            "image",
            "deployment/web",
            "web=ghcr.io/example/web:2.1.0",
        ],
        &[],
    ));
    out.push_str(&run(&[
        "diff",
        "--live",
        "--detailed-exitcode",
        "--context",
        "1",
    ]));
    out.push_str(&run(&["apply", "--live", "--suppress-diff"]));
    out.push_str(&run(&[
        "diff",
        "--live",
        "--detailed-exitcode",
        "--output",
        "simple",
    ]));
    assert_snapshot!(out);
}
