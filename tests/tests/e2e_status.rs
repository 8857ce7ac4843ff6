//! What windlass reads back from the local Kubernetes API (`tests/kube-sim`) after a sync with
//! the real helm 3 and 4: `list --deployed` (each release's revision and status, from one `helm
//! list` per kube context) and `status`.

use std::path::Path;

use insta::assert_snapshot;
use windlass_tests::TestProject;
use windlass_tests::cluster::Cluster;

fn run(cluster: &Cluster, project: &TestProject, major: u32, args: &[&str]) -> String {
    let key = project.path().join("environments-example/age-test-key.txt");
    let env: [(&str, &Path); 1] = [("SOPS_AGE_KEY_FILE", &key)];
    cluster.windlass(
        project,
        major,
        &[&["-e", "production", "--concurrency", "1"], args].concat(),
        &env,
    )
}

/// The example's backend releases synced (twice for `api`: revision 2), `web` never installed.
fn synced(major: u32) -> (Cluster, TestProject) {
    let cluster = Cluster::for_example();
    let project = TestProject::example();
    for selector in ["tier!=frontend", "name=api"] {
        let output = run(&cluster, &project, major, &["-l", selector, "sync"]);
        assert!(output.starts_with("exit: 0\n"), "{output}");
    }
    (cluster, project)
}

fn list_deployed(major: u32) -> String {
    let (cluster, project) = synced(major);
    let table = run(&cluster, &project, major, &["list", "--deployed"]);
    let json = run(
        &cluster,
        &project,
        major,
        &["list", "--deployed", "--output", "json"],
    );
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
