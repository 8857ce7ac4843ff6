//! `template`: the helm calls windlass makes (recorded), and the manifests real helm 3 and helm 4
//! render for a small project.

use insta::assert_snapshot;
use windlass_tests::{TestProject, real_helm};

fn project() -> TestProject {
    TestProject::new()
        .helm_repositories(&["bitnami"])
        .file(
            "helmfile.yaml",
            "
            helmDefaults:
              kubeContext: dev
            releases:
            - name: api
              namespace: backend
              chart: ./charts/app
              version: 0.1.0
              values:
              - values/api.yaml
              - replicas: 2
              set:
              - name: image.tag
                value: v1,2
              - name: hosts
                values: [a.example.com, b.example.com]
            - name: web
              namespace: frontend
              chart: ./charts/app
              needs: [backend/api]
              apiVersions: [monitoring.coreos.com/v1]
              kubeVersion: '1.29'
            - name: old
              chart: ./charts/app
              installed: false
            - name: nginx
              namespace: edge
              chart: bitnami/nginx
              devel: true
            ",
        )
        .file(
            "values/api.yaml",
            "# raw copy, comments kept\nimage:\n  repository: example/api\nflag: yes\n",
        )
        .file(
            "charts/app/Chart.yaml",
            "apiVersion: v2\nname: app\nversion: 0.1.0\n",
        )
        .file(
            "charts/app/templates/configmap.yaml",
            "
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: {{ .Release.Name }}
              namespace: {{ .Release.Namespace }}
            data:
              replicas: {{ .Values.replicas | default 1 | quote }}
              tag: {{ (.Values.image | default dict).tag | default \"latest\" | quote }}
              flag: {{ .Values.flag | quote }}
            ",
        )
}

#[test]
fn helm_calls_follow_helmfile_flag_order() {
    assert_snapshot!(project().run_recorded(&["--concurrency", "1", "template", "--renderer", "helm", "--skip-tests", "--set", "extra=1", "--args", "--debug --no-hooks"]), @r"
    exit: 0
    ----- stdout -----



    ----- stderr -----
    ----- helm calls -----
    helm version --short
    helm --kube-context dev template api charts/app --version 0.1.0 --kube-context dev --namespace backend --values [VALUES]/000-backend-api-0.yaml --values [VALUES]/000-backend-api-1.yaml --set image.tag=v1\,2 --set hosts={a.example.com,b.example.com} --set extra=1 --skip-tests --debug --no-hooks
      [VALUES]/000-backend-api-0.yaml:
        # raw copy, comments kept
        image:
          repository: example/api
        flag: yes
      [VALUES]/000-backend-api-1.yaml:
        replicas: 2
    helm --kube-context dev template nginx bitnami/nginx --devel --kube-context dev --namespace edge --set extra=1 --skip-tests --debug --no-hooks
    helm --kube-context dev template web charts/app --api-versions monitoring.coreos.com/v1 --kube-version 1.29 --kube-context dev --namespace frontend --set extra=1 --skip-tests --debug --no-hooks
    ");
}

#[test]
fn dependencies_are_built_once_per_chart_that_declares_them() {
    let project = project()
        .file(
            "charts/app/Chart.yaml",
            "apiVersion: v2\nname: app\nversion: 0.1.0\ndependencies:\n- name: lib\n  version: 0.1.0\n  repository: file://../lib\n",
        )
        .file("charts/lib/Chart.yaml", "apiVersion: v2\nname: lib\nversion: 0.1.0\n");
    assert_snapshot!(project.run_recorded(&["--concurrency", "1", "-l", "name!=nginx", "template"]), @r"
    exit: 0
    ----- stdout -----


    ----- stderr -----
    Built dependencies of charts/app
    ----- helm calls -----
    helm version --short
    helm --kube-context dev dependency build charts/app
    helm --kube-context dev template api charts/app --version 0.1.0 --kube-context dev --namespace backend --values [VALUES]/000-backend-api-0.yaml --values [VALUES]/000-backend-api-1.yaml --set image.tag=v1\,2 --set hosts={a.example.com,b.example.com}
      [VALUES]/000-backend-api-0.yaml:
        # raw copy, comments kept
        image:
          repository: example/api
        flag: yes
      [VALUES]/000-backend-api-1.yaml:
        replicas: 2
    helm --kube-context dev template web charts/app --api-versions monitoring.coreos.com/v1 --kube-version 1.29 --kube-context dev --namespace frontend
    ");
}

fn render_with(major: u32) -> String {
    let project = project();
    let mut command = windlass_tests::windlass();
    command
        .arg("--helm-binary")
        .arg(real_helm(major))
        .args(["-l", "name!=nginx", "template"])
        .current_dir(project.path());
    windlass_tests::render(command, project.path())
}

#[test]
fn renders_with_real_helm_3() {
    assert_snapshot!(render_with(3), @r#"
    exit: 0
    ----- stdout -----
    ---
    # Source: app/templates/configmap.yaml
    apiVersion: v1
    kind: ConfigMap
    metadata:
      name: api
      namespace: backend
    data:
      replicas: "2"
      tag: "v1,2"
      flag: "true"

    ---
    # Source: app/templates/configmap.yaml
    apiVersion: v1
    kind: ConfigMap
    metadata:
      name: web
      namespace: frontend
    data:
      replicas: "1"
      tag: "latest"
      flag:

    ----- stderr -----
    "#);
}

#[test]
fn renders_with_real_helm_4() {
    assert_snapshot!(render_with(4), @r#"
    exit: 0
    ----- stdout -----
    ---
    # Source: app/templates/configmap.yaml
    apiVersion: v1
    kind: ConfigMap
    metadata:
      name: api
      namespace: backend
    data:
      replicas: "2"
      tag: "v1,2"
      flag: "true"

    ---
    # Source: app/templates/configmap.yaml
    apiVersion: v1
    kind: ConfigMap
    metadata:
      name: web
      namespace: frontend
    data:
      replicas: "1"
      tag: "latest"
      flag:

    ----- stderr -----
    "#);
}

#[test]
fn helm_failure_names_the_release_and_shows_helm_stderr() {
    let project = project().file(
        "charts/app/templates/broken.yaml",
        "{{ .Values.missing.deeper }}\n",
    );
    let mut command = windlass_tests::windlass();
    command
        .arg("--helm-binary")
        .arg(real_helm(3))
        .args(["-l", "name=api", "template"])
        .current_dir(project.path());
    assert_snapshot!(windlass_tests::render(command, project.path()), @r#"
    exit: 1
    ----- stdout -----
    ----- stderr -----
    api | failed ([DURATION]): `helm --kube-context dev template api charts/app --version 0.1.0 --kube-context dev --namespace backend --values [VALUES]/000-backend-api-0.yaml --values [VALUES]/000-backend-api-1.yaml --set image.tag=*** --set hosts=***` failed (exit 1): Error: template: app/templates/broken.yaml:1:10: executing "app/templates/broken.yaml" at <.Values.missing.deeper>: nil pointer evaluating interface {}.deeper

    Use --debug flag to render out invalid YAML
    error: 1 release(s) failed
    "#);
}

#[test]
fn lint_runs_helm_lint_per_release_with_its_values() {
    assert_snapshot!(project().run_recorded(&["--concurrency", "1", "-l", "namespace=backend", "lint"]), @r"
    exit: 0
    ----- stdout -----

    ----- stderr -----
    ----- helm calls -----
    helm version --short
    helm --kube-context dev lint charts/app --namespace backend --values [VALUES]/000-backend-api-0.yaml --values [VALUES]/000-backend-api-1.yaml --set image.tag=v1\,2 --set hosts={a.example.com,b.example.com}
      [VALUES]/000-backend-api-0.yaml:
        # raw copy, comments kept
        image:
          repository: example/api
        flag: yes
      [VALUES]/000-backend-api-1.yaml:
        replicas: 2
    ");
}

#[test]
fn lint_rejects_the_flags_only_template_has() {
    let project = project();
    let outputs: Vec<String> = [
        ["lint", "--include-crds", ""],
        ["lint", "--output-dir", "out"],
        ["lint", "--show-only", "templates/a.yaml"],
        ["lint", "--kube-version", "1.30"],
        ["lint", "--skip-tests", ""],
    ]
    .iter()
    .map(|args| {
        project.run(
            &args
                .iter()
                .copied()
                .filter(|a| !a.is_empty())
                .collect::<Vec<_>>(),
        )
    })
    .collect();
    assert_snapshot!(outputs.join("\n"));
}

#[test]
fn include_needs_adds_what_the_selected_releases_need() {
    assert_snapshot!(project().run_recorded(&["--concurrency", "1", "-l", "name=web", "template", "--include-needs"]), @r#"
    exit: 0
    ----- stdout -----
    ---
    # Source: app/templates/configmap.yaml
    apiVersion: v1
    kind: ConfigMap
    metadata:
      name: api
      namespace: backend
    data:
      replicas: "2"
      tag: "v1,2"
      flag: "true"

    ---
    # Source: app/templates/configmap.yaml
    apiVersion: v1
    kind: ConfigMap
    metadata:
      name: web
      namespace: frontend
    data:
      replicas: "1"
      tag: "latest"
      flag:

    ----- stderr -----
    ----- helm calls -----
    helm version --short
    "#);
}

#[test]
fn output_dir_show_only_and_kube_version_reach_helm_in_helmfile_order() {
    assert_snapshot!(
        project().run_recorded(&[
            "--concurrency", "1", "-l", "name=web", "template", "--show-only", "templates/configmap.yaml",
            "--kube-version", "1.31", "--output-dir", "out", "--output-dir-template", "{{ .OutputDir }}/{{ .Environment.Name }}-{{ .Release.Name }}",
        ]),
        @"
    exit: 0
    ----- stdout -----

    ----- stderr -----
    ----- helm calls -----
    helm version --short
    helm --kube-context dev template web charts/app --api-versions monitoring.coreos.com/v1 --kube-version 1.31 --show-only templates/configmap.yaml --kube-context dev --namespace frontend --output-dir out/default-web
    "
    );
}

#[test]
fn helm_messages_stream_at_debug_level_and_kubeconfig_reaches_helm() {
    let project = project();
    let message = std::path::Path::new("WARNING: a chart warning");
    assert_snapshot!(
        project.run_recorded_with_env(
            &["--log-level", "debug", "--kubeconfig", "/tmp/kube.yaml", "-l", "name=web", "template", "--renderer", "helm"],
            &[("RECORDING_HELM_STDERR", message)]
        ),
        @"
    exit: 0
    ----- stdout -----

    ----- stderr -----
    helm: WARNING: a chart warning
    web | helm: WARNING: a chart warning
    ----- helm calls -----
    helm version --short
      KUBECONFIG=/tmp/kube.yaml
    helm --kube-context dev template web charts/app --api-versions monitoring.coreos.com/v1 --kube-version 1.29 --kube-context dev --namespace frontend
      KUBECONFIG=/tmp/kube.yaml
    "
    );
}

fn render_natively(major: u32, args: &[&str]) -> String {
    let project = project();
    let mut command = windlass_tests::windlass();
    command
        .arg("--helm-binary")
        .arg(real_helm(major))
        .args(["-l", "name!=nginx", "template"])
        .args(args)
        .current_dir(project.path());
    windlass_tests::render(command, project.path())
}

#[test]
fn the_native_renderer_prints_what_helm_3_prints() {
    assert_eq!(
        render_natively(3, &["--renderer", "native"]),
        render_with(3)
    );
}

#[test]
fn auto_renders_in_process_with_helm_3_17() {
    assert_eq!(render_natively(3, &["--renderer", "auto"]), render_with(3));
}

/// The native renderer reproduces helm 3.17: with another helm, `auto` leaves the work to it
/// and says why at debug level.
#[test]
fn auto_leaves_other_helm_versions_to_helm() {
    let project = project();
    assert_snapshot!(project.run_recorded_with_env(
        &["--log-level", "debug", "-l", "name=web", "template", "--renderer", "auto"],
        &[("RECORDING_HELM_VERSION", std::path::Path::new("v3.15.3+g3bb50bb"))],
    ), @"
    exit: 0
    ----- stdout -----

    ----- stderr -----
    rendering with helm: helm v3.15.3 is not the v3.17.3 the native renderer reproduces
    ----- helm calls -----
    helm version --short
    helm --kube-context dev template web charts/app --api-versions monitoring.coreos.com/v1 --kube-version 1.29 --kube-context dev --namespace frontend
    ");
}

/// A chart from a repository is not on disk: `native` says so, `auto` asks helm.
#[test]
fn a_repository_chart_is_native_error_and_auto_fallback() {
    let project = project();
    assert_snapshot!(project.run_recorded(&["-l", "name=nginx", "template", "--renderer", "native"]), @"
    exit: 1
    ----- stdout -----
    ----- stderr -----
    nginx | failed ([DURATION]): not supported by the native renderer: chart bitnami/nginx is not a local folder or archive
    error: 1 release(s) failed
    ----- helm calls -----
    helm version --short
    ");
    assert_snapshot!(project.run_recorded(&["--log-level", "debug", "-l", "name=nginx", "template", "--renderer", "auto"]), @"
    exit: 0
    ----- stdout -----

    ----- stderr -----
    nginx | rendering with helm: not supported by the native renderer: chart bitnami/nginx is not a local folder or archive
    ----- helm calls -----
    helm version --short
    helm version --short
    helm --kube-context dev template nginx bitnami/nginx --devel --kube-context dev --namespace edge
    ");
}

#[test]
fn a_chart_of_an_undeclared_repository_helm_does_not_know_fails_before_any_helm_call() {
    let project = TestProject::new()
        .file(
            "helmfile.yaml",
            "
            repositories:
            - {name: stable, url: https://charts.example}
            releases:
            - name: web
              chart: stabel/web
            - name: db
              chart: added/postgres
            ",
        )
        .file(
            "helm-config/repositories.yaml",
            "repositories:\n- name: added\n  url: https://added.example\n",
        );
    assert_snapshot!(project.run_recorded(&["template"]), @r#"
    exit: 1
    ----- stdout -----
    ----- stderr -----
    error: helmfile.yaml:5:3: release "web": chart "stabel/web" names repository "stabel", which no state file declares and helm has not added
      hint: the state files declare stable; declare "stabel" under `repositories:` too, or add it with `helm repo add stabel URL`
    ----- helm calls -----
    helm version --short
    "#);
    let config = project.path().join("helm-config/repositories.yaml");
    assert_snapshot!(
        project.run_recorded_with_env(&["-l", "name=db", "template"], &[("HELM_REPOSITORY_CONFIG", &config)]),
        @"
    exit: 0
    ----- stdout -----

    ----- stderr -----
    ----- helm calls -----
    helm version --short
    helm version --short
    helm template db added/postgres
    "
    );
}
