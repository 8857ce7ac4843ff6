//! Charts rewritten before helm sees them, as Helmfile's chartify does (`dependencies:`,
//! `strategicMergePatches:`), rendered by the real helm 3 and 4.

use insta::assert_snapshot;
use windlass_tests::{TestProject, real_helm};

fn project() -> TestProject {
    TestProject::new()
        .file(
            "charts/app/Chart.yaml",
            "apiVersion: v2\nname: app\nversion: 1.0.0\n",
        )
        .file(
            "charts/app/templates/deployment.yaml",
            "
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: {{ .Release.Name }}
            spec:
              template:
                spec:
                  containers:
                  - name: app
                    image: app:{{ .Values.tag }}
                  - name: sidecar
                    image: sidecar:1
            ",
        )
        .file(
            "charts/app/templates/configmap.yaml",
            "
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: {{ .Release.Name }}-settings
            data:
              tag: {{ .Values.tag | quote }}
            ",
        )
        .file("charts/app/values.yaml", "tag: latest\n")
        .file(
            "charts/extra/Chart.yaml",
            "apiVersion: v2\nname: extra\nversion: 0.2.0\n",
        )
        .file(
            "charts/extra/templates/cm.yaml",
            "
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: {{ .Release.Name }}-{{ .Chart.Name }}
            data:
              greeting: {{ .Values.greeting }}
            ",
        )
        .file(
            "patches/image.yaml.gotmpl",
            "
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: {{ .Release.Name }}
            spec:
              template:
                spec:
                  containers:
                  - name: app
                    image: registry.example/app:{{ .Values.tag }}
                  - name: sidecar
                    $patch: delete
            ",
        )
        .file(
            "helmfile.yaml.gotmpl",
            "
            values:
            - tag: v2
            ---
            releases:
            - name: with-dep
              chart: ./charts/app
              values:
              - tag: v1
                side:
                  greeting: hello
              dependencies:
              - chart: ./charts/extra
                alias: side
                version: 0.2.0
            - name: patched
              chart: ./charts/app
              values:
              - tag: v2
              strategicMergePatches:
              - patches/image.yaml.gotmpl
              - apiVersion: v1
                kind: ConfigMap
                metadata:
                  name: patched-settings
                data:
                  tag: null
                  patched: \"yes\"
            ",
        )
}

fn template_with(project: &TestProject, major: u32) -> String {
    let mut command = windlass_tests::windlass();
    command
        .arg("--helm-binary")
        .arg(real_helm(major))
        .args(["--concurrency", "1", "template"])
        .env("HELM_CACHE_HOME", project.path().join(".helm/cache"))
        .env("HELM_CONFIG_HOME", project.path().join(".helm/config"))
        .env("HELM_DATA_HOME", project.path().join(".helm/data"))
        .current_dir(project.path());
    windlass_tests::render(command, project.path())
}

#[test]
fn dependencies_and_patches_with_real_helm_3_and_4() {
    let project = project();
    let helm3 = template_with(&project, 3);
    // Helm 4 renders the rewritten charts byte for byte as helm 3 does.
    assert_eq!(template_with(&project, 4), helm3);
    assert_snapshot!(helm3, @r#"
    exit: 0
    ----- stdout -----
    ---
    # Source: app/charts/side/templates/cm.yaml
    apiVersion: v1
    kind: ConfigMap
    metadata:
      name: with-dep-side
    data:
      greeting: hello
    ---
    # Source: app/templates/configmap.yaml
    apiVersion: v1
    kind: ConfigMap
    metadata:
      name: with-dep-settings
    data:
      tag: "v1"
    ---
    # Source: app/templates/deployment.yaml
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: with-dep
    spec:
      template:
        spec:
          containers:
          - name: app
            image: app:v1
          - name: sidecar
            image: sidecar:1

    ---
    # Source: app/templates/patched_resources.yaml
    apiVersion: v1
    data:
      patched: yes
    kind: ConfigMap
    metadata:
      name: patched-settings
    ---
    # Source: app/templates/patched_resources.yaml
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: patched
    spec:
      template:
        spec:
          containers:
          - image: registry.example/app:v2
            name: app

    ----- stderr -----
    with-dep | rewrote the chart (dependencies, patches)
    patched  | rewrote the chart (dependencies, patches)
    "#);
}

#[test]
fn a_patch_that_matches_nothing_names_itself() {
    let project = TestProject::new()
        .file(
            "charts/app/Chart.yaml",
            "apiVersion: v2\nname: app\nversion: 1.0.0\n",
        )
        .file(
            "charts/app/templates/cm.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: real\n",
        )
        .file(
            "helmfile.yaml",
            "
            releases:
            - name: app
              chart: ./charts/app
              strategicMergePatches:
              - apiVersion: v1
                kind: ConfigMap
                metadata:
                  name: typo
                data: {a: b}
            ",
        );
    assert_snapshot!(template_with(&project, 3), @r#"
    exit: 1
    ----- stdout -----
    ----- stderr -----
    error: release "app": strategicMergePatches[0] (ConfigMap "typo") matches no resource the chart renders
      hint: a patch applies to the resource with its kind, metadata.name and (when given) metadata.namespace; check them against `windlass template`
    "#);
}
