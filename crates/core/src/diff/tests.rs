//! Release-level diffs and the three outputs, as specifications.

use std::collections::HashMap;

use insta::assert_snapshot;
use serde_json::json;

use super::*;

const DEPLOYMENT: &str = "---
# Source: app/templates/deployment.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web}
spec:
  replicas: 2
  template:
    spec:
      containers:
      - name: web
        image: nginx:IMAGE
        resources:
          limits: {cpu: 500m, memory: 1Gi}
";

const CONFIG: &str = "---
# Source: app/templates/config.yaml
apiVersion: v1
kind: ConfigMap
metadata:
  name: web-config
data:
  mode: fast
";

const SECRET: &str = "---
# Source: app/templates/secret.yaml
apiVersion: v1
kind: Secret
metadata:
  name: web-secret
stringData:
  password: PASSWORD
  user: admin
";

const HOOK: &str = "---
# Source: app/templates/migrate.yaml
apiVersion: batch/v1
kind: Job
metadata:
  name: web-migrate
  annotations:
    helm.sh/hook: pre-upgrade
spec:
  template:
    spec:
      containers:
      - name: migrate
        image: migrate:IMAGE
";

fn manifest(image: &str, parts: &[&str]) -> String {
    parts.iter().map(|p| p.replace("IMAGE", image)).collect()
}

fn deployed(manifest: String, hooks: Vec<String>, status: &str, version: &str) -> DeployedRelease {
    DeployedRelease {
        revision: 3,
        status: status.into(),
        chart: "app".into(),
        chart_version: version.into(),
        app_version: String::new(),
        last_deployed: String::new(),
        baseline_revision: if status == "deployed" { 3 } else { 2 },
        manifest,
        hooks,
    }
}

fn input<'a>(desired: Option<&'a str>, deployed: Option<&'a DeployedRelease>) -> ReleaseInput<'a> {
    ReleaseInput {
        name: "web",
        namespace: "frontend",
        kube_context: Some("prod"),
        chart: "./charts/app",
        chart_version: desired.map(|_| ("app", "0.2.0")),
        desired,
        deployed,
    }
}

fn diff(input: ReleaseInput<'_>, options: &DiffOptions) -> ReleaseDiff {
    parse_release(input, &KnownScopes::default(), options)
        .unwrap_or_else(|e| panic!("{e}"))
        .finish(None, options)
}

fn report(releases: Vec<ReleaseDiff>) -> DiffReport {
    DiffReport {
        environment: "production".into(),
        comparison: Comparison::Release,
        releases,
        errors: Vec::new(),
    }
}

fn text(lines: &[OutputLine]) -> String {
    lines.iter().map(|l| format!("{}\n", l.text)).collect()
}

fn validate(document: &serde_json::Value) {
    let schema: serde_json::Value =
        serde_json::from_str(report::JSON_SCHEMA).unwrap_or_else(|e| panic!("schema: {e}"));
    let validator = jsonschema::draft202012::new(&schema).unwrap_or_else(|e| panic!("schema: {e}"));
    let errors: Vec<String> = validator
        .iter_errors(document)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}\n{document:#}");
}

#[test]
fn in_sync_release_is_unchanged_whatever_the_yaml_form() {
    let current = manifest("1.25", &[DEPLOYMENT, CONFIG])
        .replace("500m", "0.5")
        .replace("1Gi", "1024Mi");
    let desired = manifest("1.25", &[CONFIG, DEPLOYMENT]).replace('\n', "\r\n");
    let deployed = deployed(current, vec![], "deployed", "0.2.0");
    let found = diff(
        input(Some(&desired), Some(&deployed)),
        &DiffOptions::default(),
    );
    assert_eq!(found.action, Action::None);
    assert_eq!(found.reasons, [Reason::InSync]);
    let report = report(vec![found]);
    assert_snapshot!(text(&report.diff_lines()), @"No changes: 1 of 1 release(s) in sync (release comparison)");
    validate(&report.to_json());
}

#[test]
fn changed_image_new_object_removed_object_and_chart_version() {
    let deployed = deployed(
        manifest("1.25", &[DEPLOYMENT, SECRET]),
        vec![],
        "deployed",
        "0.1.0",
    );
    let desired = manifest("1.26", &[DEPLOYMENT, CONFIG]);
    let options = DiffOptions {
        context: Some(2),
        ..Default::default()
    };
    let found = diff(input(Some(&desired), Some(&deployed)), &options);
    let report = report(vec![found]);
    assert_snapshot!(text(&report.diff_lines()), @"
    frontend/web [prod]: upgrade (chart app-0.1.0 -> app-0.2.0; manifests differ from the deployed release)
    Deployment.apps frontend/web: modify (release)
    ...
            containers:
            - name: web
    -         image: nginx:1.25
    +         image: nginx:1.26
              resources:
                limits:
    ...

    ConfigMap frontend/web-config: add (release)
    + apiVersion: v1
    + kind: ConfigMap
    + metadata:
    +   name: web-config
    +   namespace: frontend
    + data:
    +   mode: fast

    Secret frontend/web-secret: remove (release)
    - apiVersion: v1
    - kind: Secret
    - metadata:
    -   name: web-secret
    -   namespace: frontend
    - data:
    -   password: (removed)
    -   user: (removed)

    Plan: 1 to add, 1 to change, 1 to destroy; 1 of 1 release(s) change (release comparison)
    ");
    assert_snapshot!(text(&report.simple_lines()), @r"
    frontend/web [prod]: upgrade (chart app-0.1.0 -> app-0.2.0; manifests differ from the deployed release)
      ~ Deployment.apps frontend/web (release)
      + ConfigMap frontend/web-config (release)
      - Secret frontend/web-secret (release)
      Plan: 1 to add, 1 to change, 1 to destroy
    Plan: 1 to add, 1 to change, 1 to destroy; 1 of 1 release(s) change (release comparison)
    ");
    let document = report.to_json();
    validate(&document);
    assert_snapshot!(serde_json::to_string_pretty(&document["releases"][0]["resources"][0]).unwrap_or_default(), @r#"
    {
      "apiVersion": "apps/v1",
      "kind": "Deployment",
      "namespace": "frontend",
      "name": "web",
      "change": "modify",
      "source": "release",
      "hidden": false,
      "changes": [
        {
          "path": "/spec/template/spec/containers/0/image",
          "before": "nginx:1.25",
          "after": "nginx:1.26"
        }
      ]
    }
    "#);
}

#[test]
fn new_release_adds_everything_and_uninstall_removes_everything() {
    let desired = manifest("1.26", &[CONFIG]);
    let new = diff(input(Some(&desired), None), &DiffOptions::default());
    assert_eq!(
        (new.action, new.reasons.clone()),
        (Action::Install, vec![Reason::NewRelease])
    );
    assert_eq!(
        new.resources.iter().map(|r| r.change).collect::<Vec<_>>(),
        [Change::Add]
    );
    let deployed = deployed(
        manifest("1.25", &[CONFIG, HOOK]),
        vec![],
        "deployed",
        "0.1.0",
    );
    let gone = diff(input(None, Some(&deployed)), &DiffOptions::default());
    assert_eq!(
        (gone.action, gone.reasons.clone()),
        (Action::Uninstall, vec![Reason::Uninstall])
    );
    assert_eq!(
        gone.resources.iter().map(|r| r.change).collect::<Vec<_>>(),
        [Change::Remove, Change::Remove]
    );
    let absent = diff(input(None, None), &DiffOptions::default());
    assert_eq!(
        (absent.action, absent.reasons.clone()),
        (Action::None, vec![Reason::NotInstalled])
    );
    let report = report(vec![new, gone, absent]);
    assert_snapshot!(text(&report.simple_lines()), @r"
    frontend/web [prod]: install (new release)
      + ConfigMap frontend/web-config (release)
      Plan: 1 to add, 0 to change, 0 to destroy
    frontend/web [prod]: uninstall (installed: false and the release exists)
      - ConfigMap frontend/web-config (release)
      - Job.batch frontend/web-migrate (release)
      Plan: 0 to add, 0 to change, 2 to destroy
    Plan: 1 to add, 0 to change, 2 to destroy; 2 of 3 release(s) change (release comparison)
    ");
    validate(&report.to_json());
}

#[test]
fn failed_last_revision_is_a_change_even_with_identical_manifests() {
    let same = manifest("1.26", &[CONFIG]);
    let failed = deployed(same.clone(), vec![], "failed", "0.2.0");
    let found = diff(input(Some(&same), Some(&failed)), &DiffOptions::default());
    assert_eq!(found.action, Action::Upgrade);
    assert_eq!(
        found.reasons.iter().map(Reason::code).collect::<Vec<_>>(),
        ["last-revision-failed"]
    );
    assert!(found.resources.is_empty());
    let pending = deployed(same.clone(), vec![], "pending-upgrade", "0.2.0");
    let found = diff(input(Some(&same), Some(&pending)), &DiffOptions::default());
    assert_eq!(
        found.reasons[0].message(),
        "last upgrade did not finish: revision 3 is pending-upgrade"
    );
    let report = report(vec![found]);
    assert_snapshot!(text(&report.diff_lines()), @r"
    frontend/web [prod]: upgrade (last upgrade did not finish: revision 3 is pending-upgrade)

    Plan: 0 to add, 0 to change, 0 to destroy; 1 of 1 release(s) change (release comparison)
    ");
}

#[test]
fn chart_version_change_with_identical_manifests_is_a_change() {
    let same = manifest("1.26", &[CONFIG]);
    let older = deployed(same.clone(), vec![], "deployed", "0.1.0");
    let found = diff(input(Some(&same), Some(&older)), &DiffOptions::default());
    assert_eq!(found.action, Action::Upgrade);
    assert_eq!(
        found.reasons,
        [Reason::ChartChanged {
            before: "app-0.1.0".into(),
            after: "app-0.2.0".into()
        }]
    );
    assert_eq!(
        (
            found.version_before.as_deref(),
            found.version_after.as_deref()
        ),
        (Some("0.1.0"), Some("0.2.0"))
    );
}

#[test]
fn hooks_are_compared_unless_no_hooks() {
    let deployed = deployed(
        manifest("1.25", &[CONFIG]),
        vec![manifest("1", &[HOOK])],
        "deployed",
        "0.2.0",
    );
    let desired = manifest("1.25", &[CONFIG, HOOK]).replace("migrate:1.25", "migrate:2");
    let found = diff(
        input(Some(&desired), Some(&deployed)),
        &DiffOptions::default(),
    );
    assert_eq!(
        found
            .resources
            .iter()
            .map(|r| (r.key.to_string(), r.changes[0].path.clone()))
            .collect::<Vec<_>>(),
        [(
            "Job.batch frontend/web-migrate".to_string(),
            "/spec/template/spec/containers/0/image".to_string()
        )]
    );
    let options = DiffOptions {
        no_hooks: true,
        ..Default::default()
    };
    assert_eq!(
        diff(input(Some(&desired), Some(&deployed)), &options).action,
        Action::None
    );
}

#[test]
fn crds_and_their_custom_resources_key_by_the_crd_scope() {
    let crd = "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: backups.example.com}\nspec: {group: example.com, scope: Cluster, names: {kind: Backup, plural: backups}, versions: [{name: v1, served: true, storage: true}]}\n---\napiVersion: example.com/v1\nkind: Backup\nmetadata: {name: nightly}\nspec: {schedule: '0 1 * * *'}\n";
    let deployed = deployed(crd.into(), vec![], "deployed", "0.2.0");
    let desired = crd.replace("0 1", "0 2");
    let found = diff(
        input(Some(&desired), Some(&deployed)),
        &DiffOptions::default(),
    );
    assert_eq!(
        found
            .resources
            .iter()
            .map(|r| (r.key.to_string(), r.key.namespace.clone()))
            .collect::<Vec<_>>(),
        [("Backup.example.com nightly".to_string(), None)]
    );
}

#[test]
fn secrets_never_show_their_values_in_any_output() {
    let deployed = deployed(
        manifest("1", &[SECRET]).replace("PASSWORD", "old-hunter2"),
        vec![],
        "deployed",
        "0.2.0",
    );
    let desired = manifest("1", &[SECRET]).replace("PASSWORD", "new-hunter2");
    let found = diff(
        input(Some(&desired), Some(&deployed)),
        &DiffOptions::default(),
    );
    let report = report(vec![found]);
    let everything = format!(
        "{}{}{}",
        text(&report.diff_lines()),
        text(&report.simple_lines()),
        report.to_json()
    );
    for plaintext in [
        "hunter2",
        "aHVudGVyMg",
        "b2xkLWh1bnRlcjI",
        "bmV3LWh1bnRlcjI",
        "YWRtaW4",
    ] {
        assert!(
            !everything.contains(plaintext),
            "{plaintext} leaked:\n{everything}"
        );
    }
    assert_snapshot!(text(&report.diff_lines()), @r"
    frontend/web [prod]: upgrade (manifests differ from the deployed release)
    Secret frontend/web-secret: modify (release)
      apiVersion: v1
      kind: Secret
      metadata:
        name: web-secret
        namespace: frontend
      data:
    -   password: (old value)
    +   password: (changed)
        user: (unchanged)

    Plan: 0 to add, 1 to change, 0 to destroy; 1 of 1 release(s) change (release comparison)
    ");
    validate(&report.to_json());
}

fn live_diff(desired: &str, live: LiveObjects, options: &DiffOptions) -> ReleaseDiff {
    let deployed = deployed(desired.to_string(), vec![], "deployed", "0.2.0");
    let parsed = parse_release(
        input(Some(desired), Some(&deployed)),
        &KnownScopes::default(),
        options,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    parsed.finish(Some(&live), options)
}

fn live_deployment(image: &str) -> serde_json::Value {
    json!({
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "frontend", "uid": "u-1", "resourceVersion": "42",
            "labels": {"app": "web", "app.kubernetes.io/managed-by": "Helm"},
            "annotations": {"meta.helm.sh/release-name": "web", "deployment.kubernetes.io/revision": "3"}},
        "spec": {"replicas": 2, "revisionHistoryLimit": 10, "template": {"spec": {
            "containers": [{"name": "web", "image": image, "imagePullPolicy": "IfNotPresent",
                "resources": {"limits": {"cpu": "500m", "memory": "1Gi"}}}],
            "restartPolicy": "Always"}}},
        "status": {"replicas": 2}
    })
}

#[test]
fn live_drift_names_the_field_with_both_values_and_ignores_server_defaults() {
    let desired = manifest("1.26", &[DEPLOYMENT, CONFIG]);
    let mut objects = HashMap::new();
    let deployment_key = ObjectKey::new("apps/v1", "Deployment", Some("frontend"), "web");
    objects.insert(deployment_key.clone(), live_deployment("nginx:1.27-edited"));
    let live = LiveObjects {
        objects,
        dry_run: HashMap::new(),
        source: Some(Source::Live),
    };
    let found = live_diff(&desired, live, &DiffOptions::default());
    assert_eq!(found.reasons, [Reason::LiveDrift]);
    let mut report = report(vec![found]);
    report.comparison = Comparison::Live;
    assert_snapshot!(text(&report.diff_lines()), @"
    frontend/web [prod]: upgrade (live objects differ from the manifests)
    Deployment.apps frontend/web: modify (live)
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: web
        namespace: frontend
        labels:
          app: web
      spec:
        replicas: 2
        template:
          spec:
            containers:
            - name: web
    -         image: nginx:1.27-edited
    +         image: nginx:1.26
              resources:
                limits:
                  cpu: 500m
                  memory: 1Gi

    ConfigMap frontend/web-config: add (live)
    + apiVersion: v1
    + kind: ConfigMap
    + metadata:
    +   name: web-config
    +   namespace: frontend
    + data:
    +   mode: fast

    Plan: 1 to add, 1 to change, 0 to destroy; 1 of 1 release(s) change (live comparison)
    ");
    validate(&report.to_json());
}

#[test]
fn live_objects_matching_the_manifest_are_in_sync_and_the_annotation_ignores_drift() {
    let desired = manifest("1.26", &[DEPLOYMENT]);
    let key = ObjectKey::new("apps/v1", "Deployment", Some("frontend"), "web");
    let live = |image: &str| LiveObjects {
        objects: HashMap::from([(key.clone(), live_deployment(image))]),
        dry_run: HashMap::new(),
        source: Some(Source::Live),
    };
    assert_eq!(
        live_diff(&desired, live("nginx:1.26"), &DiffOptions::default()).action,
        Action::None
    );
    let annotated = desired.replace(
        "labels: {app: web}",
        "labels: {app: web}\n  annotations: {windlass.dev/drift: ignore}",
    );
    assert_eq!(
        live_diff(&annotated, live("nginx:edited"), &DiffOptions::default()).action,
        Action::None
    );
    let ignore = IgnoreRules::new(
        &[],
        &["apps/Deployment:/spec/template/spec/containers/*/image".into()],
        &[],
    )
    .unwrap_or_default();
    let options = DiffOptions {
        ignore,
        ..Default::default()
    };
    assert_eq!(
        live_diff(&desired, live("nginx:edited"), &options).action,
        Action::None
    );
}

#[test]
fn server_side_compares_the_dry_run_with_the_live_object() {
    let desired = manifest("1.26", &[DEPLOYMENT]);
    let key = ObjectKey::new("apps/v1", "Deployment", Some("frontend"), "web");
    let mut after = live_deployment("nginx:1.26");
    after["spec"]["template"]["spec"]["containers"][0]["terminationMessagePath"] =
        json!("/dev/termination-log");
    let live = LiveObjects {
        objects: HashMap::from([(key.clone(), live_deployment("nginx:1.25"))]),
        dry_run: HashMap::from([(key, after)]),
        source: Some(Source::ServerSide),
    };
    let found = live_diff(&desired, live, &DiffOptions::default());
    assert_eq!(found.reasons, [Reason::ServerSideChanges]);
    assert_eq!(
        found.resources[0]
            .changes
            .iter()
            .map(|c| c.path.as_str())
            .collect::<Vec<_>>(),
        [
            "/spec/template/spec/containers/0/image",
            "/spec/template/spec/containers/0/terminationMessagePath"
        ]
    );
}

#[test]
fn json_document_lists_errors_and_never_null_arrays() {
    let mut report = report(Vec::new());
    report.errors.push(Failure {
        releases: vec!["backend/api".into()],
        message: "release \"api\": `helm template` failed".into(),
        hint: None,
    });
    let document = report.to_json();
    validate(&document);
    assert_snapshot!(serde_json::to_string_pretty(&document).unwrap_or_default(), @r#"
    {
      "schemaVersion": 1,
      "environment": "production",
      "comparison": "release",
      "summary": {
        "releases": 1,
        "changed": 0,
        "unchanged": 0,
        "failed": 1,
        "add": 0,
        "change": 0,
        "destroy": 0
      },
      "releases": [],
      "errors": [
        {
          "releases": [
            "backend/api"
          ],
          "message": "release \"api\": `helm template` failed",
          "hint": null
        }
      ]
    }
    "#);
}

#[test]
fn kinds_neither_built_in_nor_defined_by_the_manifests_are_asked_of_discovery() {
    let desired = "apiVersion: example.com/v1\nkind: Backup\nmetadata: {name: nightly}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n";
    let documents = read_release(input(Some(desired), None), &DiffOptions::default())
        .unwrap_or_else(|e| panic!("{e}"));
    let unknown = documents.unknown_kinds(&KnownScopes::default());
    assert_eq!(
        unknown,
        [("example.com/v1".to_string(), "Backup".to_string())]
    );
    let mut discovered = KnownScopes::default();
    discovered.insert("example.com", "Backup", Scope::Cluster);
    assert!(documents.unknown_kinds(&discovered).is_empty());
    let parsed = documents
        .key(&discovered, &DiffOptions::default())
        .unwrap_or_else(|e| panic!("{e}"));
    let keys: Vec<String> = parsed
        .finish(None, &DiffOptions::default())
        .resources
        .iter()
        .map(|r| r.key.to_string())
        .collect();
    assert_eq!(
        keys,
        ["Backup.example.com nightly", "Deployment.apps frontend/web"]
    );
}
