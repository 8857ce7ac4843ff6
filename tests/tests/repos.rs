//! `repos`: every repository added once with Helmfile's flags; OCI registries logged in to with
//! the password on stdin, never on the command line.

use insta::assert_snapshot;
use windlass_tests::TestProject;

#[test]
fn adds_each_repository_once_and_logs_in_to_oci_registries() {
    let project = TestProject::new()
        .file(
            "helmfile.yaml",
            "
            repositories:
            - name: bitnami
              url: https://charts.bitnami.com/bitnami
            - name: private
              url: https://charts.example.com
              username: u
              password: p
              caFile: ca.pem
              passCredentials: true
            - name: ghcr
              url: ghcr.io/org/charts
              oci: true
              username: bot
              password: s3cret
            - name: public-oci
              url: ghcr.io/org/public
              oci: true
            helmfiles:
            - sub.yaml
            ",
        )
        .file(
            "sub.yaml",
            "repositories:\n- name: bitnami\n  url: https://charts.bitnami.com/bitnami\nreleases: []\n",
        );
    assert_snapshot!(project.run_recorded(&["repos"]), @"
    exit: 0
    ----- stdout -----
    ----- stderr -----
    Adding repo bitnami https://charts.bitnami.com/bitnami
    Adding repo private https://charts.example.com
    Logged in to registry ghcr.io/org/charts
    Updated repository indexes
    ----- helm calls -----
    helm repo add bitnami https://charts.bitnami.com/bitnami --force-update
    helm repo add private https://charts.example.com --force-update --ca-file ca.pem --username u --password p --pass-credentials
    helm registry login ghcr.io --username bot --password-stdin
      stdin: s3cret
    helm repo update
    ");
}

#[test]
fn a_failing_repo_add_names_the_command_without_secrets() {
    let project = TestProject::new().file(
        "helmfile.yaml",
        "
        repositories:
        - name: private
          url: https://charts.example.com
          username: u
          password: hunter2
        ",
    );
    let mut command = windlass_tests::windlass();
    command
        .args(["--helm-binary"])
        .arg(windlass_tests::sibling_binary("recording-helm"))
        .arg("repos")
        .current_dir(project.path())
        .env("RECORDING_HELM_FAIL", "repo add");
    assert_snapshot!(windlass_tests::render(command, project.path()), @r#"
    exit: 1
    ----- stdout -----
    ----- stderr -----
    error: repository "private" (https://charts.example.com): `helm repo add private https://charts.example.com --force-update --username *** --password ***` failed (exit 1): Error: simulated failure of `repo add`
    "#);
}

#[test]
fn deps_updates_each_local_chart_once() {
    let project = TestProject::new()
        .file(
            "helmfile.yaml",
            "
            releases:
            - name: api
              chart: ./charts/app
            - name: worker
              chart: ./charts/app
            - name: web
              chart: charts/web
            - name: nginx
              chart: bitnami/nginx
            - name: oci
              chart: oci://ghcr.io/org/chart
            ",
        )
        .file(
            "charts/app/Chart.yaml",
            "apiVersion: v2\nname: app\nversion: 0.1.0\n",
        )
        .file(
            "charts/web/Chart.yaml",
            "apiVersion: v2\nname: web\nversion: 0.1.0\n",
        );
    assert_snapshot!(project.run_recorded(&["deps"]), @"
    exit: 0
    ----- stdout -----
    ----- stderr -----
    Updated dependencies of charts/app
    Updated dependencies of charts/web
    ----- helm calls -----
    helm dependency update charts/app
    helm dependency update charts/web
    ");
}
