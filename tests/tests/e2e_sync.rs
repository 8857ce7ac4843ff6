//! `windlass sync` with the real helm 3 and 4 against the local Kubernetes API
//! (`tests/kube-sim`): the example project installs in dependency order (the order helm wrote
//! its release records proves it), its SOPS secrets reach the cluster decrypted and never
//! windlass's output, a release the API rejects skips its dependents only, and `installed:
//! false` uninstalls.

use std::path::Path;

use insta::assert_snapshot;
use windlass_tests::TestProject;
use windlass_tests::cluster::Cluster;

/// The plaintext of `environments-example/production/secrets/postgres.yaml`'s password.
const PRODUCTION_DB_PASSWORD: &str = "example-production-db-password";

fn age_key(project: &TestProject) -> std::path::PathBuf {
    project.path().join("environments-example/age-test-key.txt")
}

fn sync(cluster: &Cluster, project: &TestProject, major: u32, args: &[&str]) -> String {
    let key = age_key(project);
    let env: [(&str, &Path); 1] = [("SOPS_AGE_KEY_FILE", &key)];
    cluster.windlass(
        project,
        major,
        &[args, &["--concurrency", "1", "sync"]].concat(),
        &env,
    )
}

fn kubectl(cluster: &Cluster, args: &[&str]) -> String {
    cluster.kubectl_transcript(args, &[])
}

/// A Secret's value, base64-decoded by kubectl's go-template.
fn secret_value(cluster: &Cluster, namespace: &str, name: &str, key: &str) -> String {
    let output = cluster
        .kubectl()
        .args([
            "--context",
            "prod-eu",
            "get",
            "secret",
            name,
            "-n",
            namespace,
        ])
        .args([
            "-o",
            &format!("go-template={{{{index .data \"{key}\" | base64decode}}}}"),
        ])
        .output()
        .unwrap_or_else(|e| panic!("cannot run kubectl: {e}"));
    assert!(
        output.status.success(),
        "kubectl failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn example_sync(major: u32) -> String {
    let cluster = Cluster::for_example();
    let project = TestProject::example();
    let output = sync(&cluster, &project, major, &["-e", "production"]);
    // The secrets were decrypted on their way to the cluster, and only there.
    assert_eq!(
        secret_value(&cluster, "data", "postgres-auth", "password"),
        PRODUCTION_DB_PASSWORD
    );
    let url = secret_value(&cluster, "backend", "api-database", "url");
    assert!(
        url.contains(PRODUCTION_DB_PASSWORD),
        "the api's database URL lacks the decrypted password: {url}"
    );
    assert!(
        !output.contains(PRODUCTION_DB_PASSWORD),
        "windlass printed a secret:\n{output}"
    );
    let objects = kubectl(
        &cluster,
        &[
            "--context",
            "prod-eu",
            "get",
            "deployments,statefulsets,services,ingresses",
            "--all-namespaces",
            "-o",
            "custom-columns=KIND:.kind,NAMESPACE:.metadata.namespace,NAME:.metadata.name,REPLICAS:.spec.replicas,READY:.status.readyReplicas,IMAGE:.spec.template.spec.containers[0].image",
        ],
    );
    format!(
        "{output}{objects}----- release records -----\n{}",
        cluster.release_records()
    )
}

#[test]
fn e2e_helm3_sync_installs_the_example_in_dependency_order() {
    assert_snapshot!(example_sync(3));
}

#[test]
fn e2e_helm4_sync_installs_the_example_in_dependency_order() {
    assert_snapshot!(example_sync(4));
}

/// `db` ← `broken` ← `app`, and `side` on its own; `broken`'s ConfigMap has a name the API
/// rejects.
fn failing_project() -> TestProject {
    let chart = |name: &str, object_name: &str| {
        (
            format!("charts/{name}/templates/config.yaml"),
            format!(
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {object_name}\ndata:\n  release: {{{{ .Release.Name }}}}\n"
            ),
        )
    };
    let mut project = TestProject::new().file(
        "helmfile.yaml",
        "
        releases:
        - name: db
          namespace: data
          chart: ./charts/ok
        - name: broken
          namespace: apps
          chart: ./charts/broken
          needs: [data/db]
        - name: app
          namespace: apps
          chart: ./charts/ok
          needs: [apps/broken]
        - name: side
          namespace: tools
          chart: ./charts/ok
        ",
    );
    for (name, object_name) in [("ok", "{{ .Release.Name }}-config"), ("broken", "Bad_Name")] {
        let (path, content) = chart(name, object_name);
        project = project
            .file(
                &format!("charts/{name}/Chart.yaml"),
                &format!("apiVersion: v2\nname: {name}\nversion: 0.1.0\n"),
            )
            .file(&path, &content);
    }
    project
}

fn failing_release(major: u32) -> String {
    let cluster = Cluster::start();
    let project = failing_project();
    let output = cluster.windlass(&project, major, &["--concurrency", "1", "sync"], &[]);
    let configs = kubectl(
        &cluster,
        &[
            "get",
            "configmaps",
            "--all-namespaces",
            "-o",
            "custom-columns=NAMESPACE:.metadata.namespace,NAME:.metadata.name,RELEASE:.data.release",
        ],
    );
    format!(
        "{output}{configs}----- release records -----\n{}",
        cluster.release_records()
    )
}

#[test]
fn e2e_helm3_sync_failed_release_skips_only_its_dependents() {
    assert_snapshot!(failing_release(3));
}

#[test]
fn e2e_helm4_sync_failed_release_skips_only_its_dependents() {
    assert_snapshot!(failing_release(4));
}

fn uninstalls_not_installed(major: u32) -> String {
    let cluster = Cluster::for_example();
    let project = TestProject::example();
    let first = sync(
        &cluster,
        &project,
        major,
        &["-e", "production", "-l", "tier=backend"],
    );
    assert!(first.starts_with("exit: 0\n"), "{first}");
    let project = project.file(
        "environments-example/production/cluster.yaml",
        "
        environment:
          kubeContext: prod-eu
          values:
            - environments-example/production/env.yaml
        releases:
          postgres:
          api:
          worker:
            installed: false
        ",
    );
    let second = sync(
        &cluster,
        &project,
        major,
        &["-e", "production", "-l", "tier=backend"],
    );
    let deployments = kubectl(
        &cluster,
        &[
            "--context",
            "prod-eu",
            "get",
            "deployments",
            "-n",
            "backend",
            "-o",
            "custom-columns=NAME:.metadata.name",
        ],
    );
    format!(
        "{second}{deployments}----- release records -----\n{}",
        cluster.release_records()
    )
}

#[test]
fn e2e_helm3_sync_uninstalls_releases_not_installed() {
    assert_snapshot!(uninstalls_not_installed(3));
}

#[test]
fn e2e_helm4_sync_uninstalls_releases_not_installed() {
    assert_snapshot!(uninstalls_not_installed(4));
}
