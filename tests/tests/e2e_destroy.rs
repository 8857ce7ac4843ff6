//! `windlass destroy` with the real helm 3 and 4 against the local Kubernetes API
//! (`tests/kube-sim`): the example project, synced first, is uninstalled dependents first (the
//! order helm deleted its release records proves it), against the environment's kube context,
//! and nothing of it is left afterwards (helm and kubectl say so); a release that was never
//! installed is reported as such.

use insta::assert_snapshot;
use windlass_tests::TestProject;
use windlass_tests::cluster::Cluster;

fn destroys_the_example(major: u32) -> String {
    let cluster = Cluster::for_example();
    let project = TestProject::example();
    let synced = cluster.windlass_production(&project, major, &["sync"]);
    assert!(synced.starts_with("exit: 0\n"), "{synced}");
    // `web` goes away first by hand: destroy then finds it not installed.
    let removed = cluster
        .helm(major)
        .args([
            "--kube-context",
            "prod-eu",
            "uninstall",
            "web",
            "-n",
            "frontend",
        ])
        .output()
        .unwrap_or_else(|e| panic!("cannot run helm: {e}"));
    assert!(removed.status.success(), "{removed:?}");
    let before = helm_objects(&cluster);
    let destroyed = cluster.windlass_production(&project, major, &["destroy"]);
    let releases = cluster.helm_transcript(
        major,
        &[
            "--kube-context",
            "prod-eu",
            "list",
            "--all-namespaces",
            "--all",
        ],
        &[],
    );
    let objects = helm_objects(&cluster);
    let records: String = cluster
        .release_records()
        .lines()
        .filter(|l| l.starts_with("DELETED"))
        .map(|l| format!("{l}\n"))
        .collect();
    format!(
        "----- before -----\n{before}----- destroy -----\n{destroyed}{releases}{objects}----- release records deleted -----\n{records}"
    )
}

/// The objects helm manages in the example's context, as kubectl lists them.
fn helm_objects(cluster: &Cluster) -> String {
    cluster.kubectl_transcript(
        &[
            "--context",
            "prod-eu",
            "get",
            "deployments,statefulsets,services,configmaps,secrets",
            "--all-namespaces",
            "-l",
            "app.kubernetes.io/managed-by=Helm",
            "-o",
            "custom-columns=KIND:.kind,NAMESPACE:.metadata.namespace,NAME:.metadata.name",
        ],
        &[],
    )
}

#[test]
fn e2e_helm3_destroy_uninstalls_the_example_dependents_first() {
    assert_snapshot!(destroys_the_example(3));
}

#[test]
fn e2e_helm4_destroy_uninstalls_the_example_dependents_first() {
    assert_snapshot!(destroys_the_example(4));
}
