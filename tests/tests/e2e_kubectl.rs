//! Real kubectl against the local Kubernetes API (`tests/kube-sim`): client-side and server-side
//! apply, `set image`, server dry runs (`apply --dry-run=server`, `diff`, `diff --server-side --force-conflicts`),
//! `edit` (through `KUBE_EDITOR`), the three patch types, rollout status,
//! cascading deletion of owned and namespaced objects, and the read-only user's 403.

use insta::assert_snapshot;
use windlass_tests::cluster::Cluster;

fn kubectl(cluster: &Cluster, args: &[&str], env: &[(&str, &str)]) -> String {
    cluster.kubectl_transcript(args, env)
}

/// Creating the same ConfigMap twice: the second is a 409 AlreadyExists.
const CREATE_CONFIG: &[&str] = &[
    "create",
    "configmap",
    "settings",
    "-n",
    "team",
    "--from-literal",
    "a=b",
];

const CONTAINER: &str =
    r#"jsonpath={.metadata.labels} {.spec.replicas} {.spec.template.spec.containers[0]}{"\n"}"#;

#[test]
fn e2e_kubectl_applies_edits_patches_and_deletes() {
    let cluster = Cluster::start();
    let manifest = "tests/fixtures/kube/demo-deployment.yaml";
    let read_only = &["--context", cluster.read_only_context()];
    let steps = [
        kubectl(&cluster, &["apply", "-f", manifest], &[]),
        kubectl(&cluster, &["apply", "-f", manifest], &[]),
        kubectl(&cluster, &["get", "deployments"], &[]),
        kubectl(
            &cluster,
            &["set", "image", "deployment/demo", "app=nginx:1.26"],
            &[],
        ),
        kubectl(
            &cluster,
            &["apply", "--dry-run=server", "-f", manifest],
            &[],
        ),
        kubectl(&cluster, &["diff", "-f", manifest], &[]),
        kubectl(
            &cluster,
            &["diff", "--server-side", "--force-conflicts", "-f", manifest],
            &[],
        ),
        kubectl(
            &cluster,
            &["edit", "deployment", "demo"],
            &[(
                "KUBE_EDITOR",
                r#"sed -i -e "s/value: \"2\"/value: \"edited\"/""#,
            )],
        ),
        kubectl(
            &cluster,
            &[
                "patch",
                "deployment",
                "demo",
                "-p",
                r#"{"spec":{"template":{"spec":{"containers":[{"name":"app","env":[{"name":"C","value":"3"}]}]}}}}"#,
            ],
            &[],
        ),
        kubectl(
            &cluster,
            &[
                "patch",
                "deployment",
                "demo",
                "--type",
                "merge",
                "-p",
                r#"{"metadata":{"labels":{"team":"web"}}}"#,
            ],
            &[],
        ),
        kubectl(
            &cluster,
            &[
                "patch",
                "deployment",
                "demo",
                "--type",
                "json",
                "-p",
                r#"[{"op":"replace","path":"/spec/replicas","value":3}]"#,
            ],
            &[],
        ),
        kubectl(
            &cluster,
            &["get", "deployment", "demo", "-o", CONTAINER],
            &[],
        ),
        kubectl(
            &cluster,
            &["rollout", "status", "deployment/demo", "--timeout", "30s"],
            &[],
        ),
        kubectl(
            &cluster,
            &[
                "get",
                "replicasets",
                "-o",
                "custom-columns=OWNER:.metadata.ownerReferences[0].name,REPLICAS:.spec.replicas,READY:.status.readyReplicas,IMAGE:.spec.template.spec.containers[0].image",
                "--sort-by",
                ".spec.template.spec.containers[0].image",
            ],
            &[],
        ),
        kubectl(&cluster, &["apply", "--server-side", "-f", manifest], &[]),
        kubectl(
            &cluster,
            &[
                "apply",
                "--server-side",
                "--force-conflicts",
                "-f",
                manifest,
            ],
            &[],
        ),
        kubectl(
            &cluster,
            &["get", "deployment", "demo", "-o", CONTAINER],
            &[],
        ),
        kubectl(
            &cluster,
            &[
                &read_only[..],
                &[
                    "get",
                    "deployment",
                    "demo",
                    "-o",
                    "jsonpath={.metadata.name}{\"\\n\"}",
                ],
            ]
            .concat(),
            &[],
        ),
        kubectl(
            &cluster,
            &[
                &read_only[..],
                &[
                    "patch",
                    "deployment",
                    "demo",
                    "-p",
                    r#"{"spec":{"replicas":1}}"#,
                ],
            ]
            .concat(),
            &[],
        ),
        kubectl(
            &cluster,
            &[&read_only[..], &["delete", "deployment", "demo"]].concat(),
            &[],
        ),
        kubectl(&cluster, &["delete", "deployment", "demo"], &[]),
        kubectl(&cluster, &["get", "deployments,replicasets"], &[]),
        kubectl(&cluster, &["create", "namespace", "team"], &[]),
        kubectl(&cluster, CREATE_CONFIG, &[]),
        kubectl(&cluster, CREATE_CONFIG, &[]),
        kubectl(&cluster, &["delete", "namespace", "team"], &[]),
        kubectl(
            &cluster,
            &["get", "configmap", "settings", "-n", "team"],
            &[],
        ),
    ];
    assert_snapshot!(steps.concat());
}
