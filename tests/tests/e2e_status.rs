//! What windlass reads back from the local Kubernetes API (`tests/kube-sim`) after a sync with
//! the real helm 3 and 4: `list --deployed` (each release's revision and status, from one `helm
//! list` per kube context) and `status` (helm's release records and the workloads' live objects,
//! read with windlass's own client; health as Argo CD names it; its JSON checked against
//! `docs/status.schema.json`), before and after workloads are broken with kubectl.

use std::path::Path;

use insta::assert_snapshot;
use windlass_tests::cluster::Cluster;
use windlass_tests::{TestProject, repo_root};

/// The example's backend releases synced (twice for `api`: revision 2), `web` never installed.
fn synced(major: u32) -> (Cluster, TestProject) {
    let cluster = Cluster::for_example();
    let project = TestProject::example();
    for selector in ["tier!=frontend", "name=api"] {
        let output = cluster.windlass_production(&project, major, &["-l", selector, "sync"]);
        assert!(output.starts_with("exit: 0\n"), "{output}");
    }
    (cluster, project)
}

fn list_deployed(major: u32) -> String {
    let (cluster, project) = synced(major);
    let table = cluster.windlass_production(&project, major, &["list", "--deployed"]);
    let json =
        cluster.windlass_production(&project, major, &["list", "--deployed", "--output", "json"]);
    format!("{table}{json}")
}

#[test]
fn e2e_helm3_list_deployed_adds_revision_and_status() {
    assert_snapshot!(list_deployed(3));
}

#[test]
fn e2e_helm4_list_deployed_adds_revision_and_status() {
    assert_snapshot!(list_deployed(4));
}

/// Every error of `docs/status.schema.json` (checked by a JSON Schema validator) on `document`.
fn schema_errors(document: &serde_json::Value) -> String {
    let path = repo_root().join("docs/status.schema.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let schema: serde_json::Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let validator =
        jsonschema::validator_for(&schema).unwrap_or_else(|e| panic!("invalid schema: {e}"));
    validator
        .iter_errors(document)
        .map(|e| format!("{e}\n"))
        .collect()
}

#[test]
fn the_status_schema_rejects_what_windlass_never_prints() {
    let release = |installed: bool, health: &str| {
        serde_json::json!({"releases": [{
            "release": "ns/a", "name": "a", "namespace": "ns", "installed": installed,
            "revision": null, "status": null, "chart": null, "appVersion": null,
            "lastDeployed": null, "health": health, "workloads": []
        }], "errors": []})
    };
    assert_eq!(schema_errors(&release(false, "Missing")), "");
    assert_ne!(schema_errors(&release(false, "Healthy")), "");
    assert_ne!(schema_errors(&release(true, "Fine")), "");
    assert_ne!(schema_errors(&serde_json::json!({"releases": []})), "");
}

/// `status` of the synced example (exit 0; with `--detailed-exitcode` 2, `web` is not
/// installed), then of the backend after kubectl deleted `api`'s Deployment (Missing) and paused
/// `worker`'s (Suspended): exit 2, each broken workload named on stderr.
fn status_of_the_example(major: u32) -> String {
    let (cluster, project) = synced(major);
    let status =
        |args: &[&str]| cluster.windlass_production(&project, major, &[&["status"], args].concat());
    let deployed = status(&[]);
    let json = status(&["--detailed-exitcode", "--output", "json"]);
    // The transcript's third line is what stdout held: the one JSON document.
    let document = json.lines().nth(2).unwrap_or_default();
    let document: serde_json::Value =
        serde_json::from_str(document).unwrap_or_else(|e| panic!("not JSON: {e}\n{json}"));
    let errors = schema_errors(&document);
    assert!(
        errors.is_empty(),
        "{json}\ndoes not match docs/status.schema.json:\n{errors}"
    );
    let kubectl = |args: &[&str]| {
        let output = cluster
            .kubectl()
            .args(["--context", "prod-eu", "--namespace", "backend"])
            .args(args)
            .output()
            .unwrap_or_else(|e| panic!("cannot run kubectl: {e}"));
        assert!(output.status.success(), "{output:?}");
    };
    kubectl(&["delete", "deployment", "api"]);
    kubectl(&[
        "patch",
        "deployment",
        "worker",
        "-p",
        r#"{"spec":{"paused":true}}"#,
    ]);
    let broken = status(&["-l", "tier=backend", "--detailed-exitcode"]);
    format!(
        "----- synced -----\n{deployed}----- as JSON -----\n{json}----- after kubectl -----\n{broken}"
    )
}

#[test]
fn e2e_helm3_status_reads_records_and_health_and_sees_broken_workloads() {
    assert_snapshot!(status_of_the_example(3));
}

#[test]
fn e2e_helm4_status_reads_records_and_health_and_sees_broken_workloads() {
    assert_snapshot!(status_of_the_example(4));
}

/// `status` reads helm's records from the cluster itself: it calls helm for nothing. With a
/// storage driver windlass does not read (`HELM_DRIVER=sql`), it asks `helm history` per release
/// (none is installed here), each in the release's own kube context.
#[test]
fn status_calls_helm_only_for_drivers_windlass_cannot_read() {
    let cluster = Cluster::for_example();
    let project = TestProject::example();
    let key = project.path().join("environments-example/age-test-key.txt");
    let env = cluster.env();
    let mut with_env: Vec<(&str, &Path)> = env.iter().map(|(k, v)| (*k, v.as_path())).collect();
    with_env.push(("SOPS_AGE_KEY_FILE", &key));
    let args = ["-e", "production", "--concurrency", "1", "status"];
    let direct = project.run_recorded_with_env(&args, &with_env);
    // No fixtures: the recording helm answers every `helm history` with "release: not found".
    let fixtures = project.path().join(".no-fixtures");
    with_env.push(("HELM_DRIVER", Path::new("sql")));
    with_env.push(("RECORDING_HELM_FIXTURES", &fixtures));
    let through_helm = project.run_recorded_with_env(&args, &with_env);
    let kubeconfig = cluster.kubeconfig().to_string_lossy().into_owned();
    assert_snapshot!(
        format!("{direct}----- HELM_DRIVER=sql -----\n{through_helm}")
            .replace(&kubeconfig, "[KUBECONFIG]")
    );
}
