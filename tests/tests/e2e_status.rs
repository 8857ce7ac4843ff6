//! What windlass reads back from the local Kubernetes API (`tests/kube-sim`) after a sync with
//! the real helm 3 and 4: `list --deployed` (each release's revision and status, from one `helm
//! list` per kube context). `status` itself is not built yet; its end-to-end tests go here.

use insta::assert_snapshot;
use windlass_tests::TestProject;
use windlass_tests::cluster::Cluster;

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
