//! Real helm 3 and 4 against the local Kubernetes API (`tests/kube-sim`): the whole release
//! lifecycle with `--wait`, both storage drivers, hooks, CRDs and `--dry-run=server` with
//! `lookup`. What helm prints and the order in which it wrote its release records are
//! snapshotted; objects are read back with kubectl.

use insta::assert_snapshot;
use windlass_tests::cluster::Cluster;

fn helm(cluster: &Cluster, major: u32, args: &[&str], env: &[(&str, &str)]) -> String {
    cluster.helm_transcript(major, args, env)
}

fn kubectl(cluster: &Cluster, args: &[&str]) -> String {
    cluster.kubectl_transcript(args, &[])
}

/// helm 4's `status` lists the release's resources in groups (`==> v1/Service` ...) in map
/// order, which changes from run to run: this sorts the groups.
fn sorted_resource_groups(text: &str) -> String {
    let Some(start) = text.find("==> ") else {
        return text.to_string();
    };
    let end = text.find("TEST SUITE:").unwrap_or(text.len());
    let mut groups: Vec<&str> = text[start..end].split_inclusive("\n\n").collect();
    groups.sort_unstable();
    format!("{}{}{}", &text[..start], groups.concat(), &text[end..])
}

/// install, upgrade, list, status, get manifest, rollback, history, uninstall of the example
/// web chart, with the default (Secret) storage driver.
fn release_lifecycle(major: u32) -> String {
    let cluster = Cluster::start();
    let ns = &["--namespace", "frontend"];
    let wait = &["--wait", "--timeout", "60s"];
    let steps = [
        helm(
            &cluster,
            major,
            &[
                &["install", "web", "charts/web", "--create-namespace"][..],
                ns,
                wait,
            ]
            .concat(),
            &[],
        ),
        helm(
            &cluster,
            major,
            &[
                &["upgrade", "web", "charts/web", "--set", "replicaCount=3"][..],
                ns,
                wait,
            ]
            .concat(),
            &[],
        ),
        kubectl(
            &cluster,
            &[
                "get",
                "deployment",
                "web",
                "-n",
                "frontend",
                "-o",
                "jsonpath={.spec.replicas} {.status.readyReplicas}{\"\\n\"}",
            ],
        ),
        helm(
            &cluster,
            major,
            &[&["list", "--output", "yaml"][..], ns].concat(),
            &[],
        ),
        sorted_resource_groups(&helm(
            &cluster,
            major,
            &[&["status", "web"][..], ns].concat(),
            &[],
        )),
        helm(
            &cluster,
            major,
            &[&["get", "manifest", "web"][..], ns].concat(),
            &[],
        ),
        helm(
            &cluster,
            major,
            &[&["rollback", "web", "1"][..], ns, wait].concat(),
            &[],
        ),
        helm(
            &cluster,
            major,
            &[&["history", "web", "--output", "yaml"][..], ns].concat(),
            &[],
        ),
        kubectl(
            &cluster,
            &[
                "get",
                "deployment,replicaset,service,ingress",
                "-n",
                "frontend",
                "-o",
                "custom-columns=KIND:.kind,NAME:.metadata.name,REPLICAS:.spec.replicas,READY:.status.readyReplicas",
            ],
        ),
        helm(
            &cluster,
            major,
            &[&["uninstall", "web"][..], ns, wait].concat(),
            &[],
        ),
        kubectl(
            &cluster,
            &[
                "get",
                "deployment,replicaset,service,ingress,secret",
                "-n",
                "frontend",
            ],
        ),
    ];
    format!(
        "{}----- release records -----\n{}",
        steps.concat(),
        cluster.release_records()
    )
}

#[test]
fn e2e_helm3_release_lifecycle() {
    assert_snapshot!(release_lifecycle(3));
}

#[test]
fn e2e_helm4_release_lifecycle() {
    assert_snapshot!(release_lifecycle(4));
}

/// The hooks fixture with the ConfigMap storage driver: CRDs installed first and their custom
/// resource served, the hook Job run and deleted at each install and upgrade, `lookup` reading
/// the cluster under `--dry-run=server`, and StatefulSet, DaemonSet and claim ready for `--wait`.
fn hooks_and_crds(major: u32) -> String {
    let cluster = Cluster::start();
    let chart = "tests/fixtures/kube/hooks";
    let driver = &[("HELM_DRIVER", "configmap")];
    let ns = &["--namespace", "hooks"];
    let wait = &["--wait", "--timeout", "60s"];
    let steps = [
        helm(
            &cluster,
            major,
            &[
                &["install", "hk", chart, "--create-namespace"][..],
                ns,
                wait,
            ]
            .concat(),
            driver,
        ),
        helm(
            &cluster,
            major,
            &[
                &[
                    "upgrade",
                    "hk",
                    chart,
                    "--set",
                    "size=3",
                    "--dry-run=server",
                ][..],
                ns,
            ]
            .concat(),
            driver,
        ),
        helm(
            &cluster,
            major,
            &[&["upgrade", "hk", chart, "--set", "size=3"][..], ns, wait].concat(),
            driver,
        ),
        kubectl(
            &cluster,
            &[
                "get",
                "widgets,configmaps,statefulsets,daemonsets,persistentvolumeclaims,jobs",
                "-n",
                "hooks",
                "-o",
                "custom-columns=KIND:.kind,NAME:.metadata.name,SIZE:.spec.size,DATA:.data.existing",
            ],
        ),
        helm(
            &cluster,
            major,
            &[&["uninstall", "hk"][..], ns, wait].concat(),
            driver,
        ),
    ];
    let jobs: String = cluster
        .sim()
        .changes()
        .iter()
        .filter(|c| c.resource == "jobs")
        .map(|c| format!("{:?} {}/{}\n", c.kind, c.namespace, c.name))
        .collect();
    format!(
        "{}----- hook jobs -----\n{jobs}----- release records -----\n{}",
        steps.concat(),
        cluster.release_records()
    )
}

#[test]
fn e2e_helm3_hooks_crds_and_server_dry_run() {
    assert_snapshot!(hooks_and_crds(3));
}

#[test]
fn e2e_helm4_hooks_crds_and_server_dry_run() {
    assert_snapshot!(hooks_and_crds(4));
}
