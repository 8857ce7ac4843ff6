//! `deploy/windlass-drift`, the chart that runs the drift check in-cluster: real helm 3 and 4
//! lint and render it, the rendered RBAC can only read, and kubectl reads its kubeconfig.

use std::path::PathBuf;
use std::process::Command;

use insta::assert_snapshot;
use windlass_tests::cluster::kubectl_binary;
use windlass_tests::{TestProject, real_helm, repo_root, stdout_of};

fn chart() -> PathBuf {
    repo_root().join("deploy/windlass-drift")
}

/// `helm ARGS` with helm `major`: (success, stdout, stderr).
fn helm(major: u32, args: &[&str]) -> (bool, String, String) {
    let output = Command::new(real_helm(major))
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("helm {major}: {e}"));
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// `helm template drift deploy/windlass-drift -n windlass EXTRA` with helm 3, checked to render
/// the same with helm 4.
fn template(extra: &[&str]) -> String {
    let chart = chart().display().to_string();
    let mut args = vec![
        "template",
        "drift",
        chart.as_str(),
        "--namespace",
        "windlass",
    ];
    args.extend_from_slice(extra);
    let (ok, helm3, stderr) = helm(3, &args);
    assert!(ok, "helm 3 template failed: {stderr}");
    let (ok, helm4, stderr) = helm(4, &args);
    assert!(ok, "helm 4 template failed: {stderr}");
    assert_eq!(
        helm3, helm4,
        "helm 3 and helm 4 render the chart differently"
    );
    helm3
}

/// The rendered objects of `manifests`.
fn objects(manifests: &str) -> Vec<serde_yaml::Value> {
    serde_yaml::Deserializer::from_str(manifests)
        .map(|document| {
            serde::Deserialize::deserialize(document)
                .unwrap_or_else(|e| panic!("helm rendered invalid YAML: {e}"))
        })
        .filter(|value: &serde_yaml::Value| !value.is_null())
        .collect()
}

/// The verbs of every rule of every Role and ClusterRole in `manifests`.
fn granted_verbs(manifests: &str) -> Vec<String> {
    let mut verbs = Vec::new();
    for object in objects(manifests) {
        let kind = object["kind"].as_str().unwrap_or_default();
        if kind != "ClusterRole" && kind != "Role" {
            continue;
        }
        for rule in object["rules"].as_sequence().into_iter().flatten() {
            for verb in rule["verbs"].as_sequence().into_iter().flatten() {
                verbs.push(verb.as_str().unwrap_or("<not text>").to_string());
            }
        }
    }
    verbs
}

const CUSTOM: [&str; 14] = [
    "--set",
    "environment=staging",
    "--set",
    "project.git.url=https://git.example.com/platform/deployments.git",
    "--set",
    "project.git.credentialsSecret=deployments-token",
    "--set",
    "sops.ageKeySecret=windlass-age",
    "--set",
    "kubeContexts={staging-eu,in-cluster}",
    "--set",
    "timeZone=Europe/Berlin",
    "--set-json",
    r#"rbac.rules=[{"apiGroups":[""],"resources":["secrets","configmaps"],"verbs":["get","list"]}]"#,
];

#[test]
fn helm_3_and_4_lint_the_drift_chart() {
    let chart = chart().display().to_string();
    let (ok3, lint3, err3) = helm(3, &["lint", "--strict", &chart]);
    let (ok4, lint4, err4) = helm(4, &["lint", "--strict", &chart]);
    assert!(
        ok3 && ok4,
        "helm lint failed:\n{lint3}{err3}\n{lint4}{err4}"
    );
    assert_eq!(lint3, lint4);
    assert_snapshot!(lint3.replace(&chart, "[CHART]"), @r"
    ==> Linting [CHART]
    [INFO] Chart.yaml: icon is recommended

    1 chart(s) linted, 0 chart(s) failed
    ");
}

#[test]
fn the_drift_chart_renders_with_its_defaults() {
    assert_snapshot!(template(&[]));
}

#[test]
fn the_drift_chart_renders_a_git_checkout_age_keys_and_contexts() {
    assert_snapshot!(template(&CUSTOM));
}

#[test]
fn the_drift_check_can_only_read() {
    let mut verbs = granted_verbs(&template(&[]));
    verbs.extend(granted_verbs(&template(&CUSTOM)));
    assert!(!verbs.is_empty(), "no Role or ClusterRole rendered");
    let writes: Vec<&String> = verbs
        .iter()
        .filter(|v| !["get", "list", "watch"].contains(&v.as_str()))
        .collect();
    assert!(writes.is_empty(), "the check may write: {writes:?}");

    let chart = chart().display().to_string();
    let refuse = [
        "template",
        "drift",
        &chart,
        "--set",
        "rbac.rules[0].verbs={get,delete}",
    ];
    let (ok3, _, stderr3) = helm(3, &refuse);
    let (ok4, _, stderr4) = helm(4, &refuse);
    assert!(!ok3 && !ok4, "a rule that deletes rendered");
    assert_eq!(stderr3, stderr4, "helm 3 and helm 4 refuse differently");
    assert_snapshot!(stderr3.replace(&chart, "[CHART]"), @r#"
    Error: execution error at (windlass-drift/templates/clusterrole.yaml:10:6): rbac.rules: verb "delete" is not read-only; a drift check needs only get, list and watch

    Use --debug flag to render out invalid YAML
    "#);
}

/// kubectl reads the rendered kubeconfig: every context the values name reaches the cluster.
#[test]
fn kubectl_reads_the_rendered_kubeconfig() {
    let manifests = template(&CUSTOM);
    let kubeconfig = objects(&manifests)
        .into_iter()
        .find(|o| o["kind"] == "ConfigMap")
        .and_then(|o| o["data"]["kubeconfig"].as_str().map(String::from))
        .unwrap_or_else(|| panic!("no kubeconfig ConfigMap in:\n{manifests}"));
    let dir = TestProject::new().file("kubeconfig", &kubeconfig);
    let contexts = stdout_of(
        Command::new(kubectl_binary())
            .args(["config", "view", "--kubeconfig"])
            .arg(dir.path().join("kubeconfig"))
            .args([
                "-o",
                "jsonpath={range .contexts[*]}{.name} -> {.context.cluster} as {.context.user}{\"\\n\"}{end}current: {.current-context}{\"\\n\"}{.users[0].user.tokenFile}",
            ]),
        "kubectl config view",
    );
    assert_snapshot!(contexts, @r"
    in-cluster -> in-cluster as service-account
    staging-eu -> in-cluster as service-account
    current: staging-eu
    /var/run/secrets/kubernetes.io/serviceaccount/token
    ");
}
