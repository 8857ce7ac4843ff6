//! `sync`: `helm upgrade --install` for each release, dependencies first, with Helmfile's flags;
//! a failure skips what depends on it and nothing else.

use insta::assert_snapshot;
use windlass_tests::TestProject;

fn project() -> TestProject {
    TestProject::new().file(
        "helmfile.yaml",
        "
        helmDefaults:
          wait: true
          timeout: 300
          atomic: true
          historyMax: 5
        releases:
        - name: web
          namespace: frontend
          chart: ./charts/app
          needs: [backend/api]
          values:
          - replicas: 2
        - name: api
          namespace: backend
          chart: ./charts/app
          version: 1.2.3
          needs: [data-cluster/data/db]
          force: true
          set:
          - name: image.tag
            value: v1
        - name: db
          namespace: data
          chart: bitnami/postgresql
          kubeContext: data-cluster
          createNamespace: false
        - name: cron
          namespace: jobs
          chart: ./charts/app
        - name: old
          namespace: jobs
          chart: ./charts/app
          installed: false
        ",
    )
}

#[test]
fn upgrades_in_dependency_order_with_helmfile_flags() {
    assert_snapshot!(project().run_recorded(&["--concurrency", "1", "sync", "--skip-deps"]), @r#"
    exit: 0
    ----- stdout -----
    ----- stderr -----
    Upgrading release=cron, chart=charts/app
    Release "cron" upgraded
    Upgrading release=db, chart=bitnami/postgresql
    Release "db" upgraded
    Upgrading release=api, chart=charts/app
    Release "api" upgraded
    Upgrading release=web, chart=charts/app
    Release "web" upgraded
    UPGRADED: cron, db, api, web
    ----- helm calls -----
    helm version --short
    helm list --filter ^old$ --namespace jobs --uninstalling --deployed --failed --pending --short
    helm upgrade --install cron charts/app --wait --timeout 300s --atomic --create-namespace --namespace jobs --reset-values --history-max 5
    helm upgrade --install db bitnami/postgresql --wait --timeout 300s --atomic --kube-context data-cluster --namespace data --reset-values --history-max 5
    helm upgrade --install api charts/app --version 1.2.3 --wait --timeout 300s --force --atomic --create-namespace --namespace backend --set image.tag=v1 --reset-values --history-max 5
    helm upgrade --install web charts/app --wait --timeout 300s --atomic --create-namespace --namespace frontend --values [VALUES]/000-frontend-web-0.yaml --reset-values --history-max 5
      [VALUES]/000-frontend-web-0.yaml:
        replicas: 2
    "#);
}

#[test]
fn helm_4_gets_its_own_flag_names() {
    let project = project();
    let helm4 = std::path::Path::new("v4.1.4+g05fa379");
    assert_snapshot!(
        project.run_recorded_with_env(&["--concurrency", "1", "-l", "name=api", "sync", "--skip-deps"], &[("RECORDING_HELM_VERSION", helm4)]),
        @r#"
    exit: 0
    ----- stdout -----
    ----- stderr -----
    Upgrading release=api, chart=charts/app
    Release "api" upgraded
    UPGRADED: api
    ----- helm calls -----
    helm version --short
    helm upgrade --install api charts/app --version 1.2.3 --wait --timeout 300s --force-replace --rollback-on-failure --create-namespace --namespace backend --set image.tag=v1 --reset-values --history-max 5
    "#
    );
}

#[test]
fn a_failed_release_skips_its_dependents_only() {
    let project = project();
    let fail = std::path::Path::new("upgrade --install db");
    assert_snapshot!(
        project.run_recorded_with_env(&["--concurrency", "1", "sync", "--skip-deps"], &[("RECORDING_HELM_FAIL", fail)]),
        @r#"
    exit: 1
    ----- stdout -----
    ----- stderr -----
    Upgrading release=cron, chart=charts/app
    Release "cron" upgraded
    Upgrading release=db, chart=bitnami/postgresql
    Release "db" failed: `helm upgrade --install db bitnami/postgresql --wait --timeout 300s --atomic --kube-context data-cluster --namespace data --reset-values --history-max 5` failed (exit 1): Error: simulated failure of `upgrade --install db`
    Release "api" skipped: a release it needs failed
    Release "web" skipped: a release it needs failed
    UPGRADED: cron
    SKIPPED: api, web
    FAILED: db
    error: 1 release(s) failed
    ----- helm calls -----
    helm version --short
    helm list --filter ^old$ --namespace jobs --uninstalling --deployed --failed --pending --short
    helm upgrade --install cron charts/app --wait --timeout 300s --atomic --create-namespace --namespace jobs --reset-values --history-max 5
    helm upgrade --install db bitnami/postgresql --wait --timeout 300s --atomic --kube-context data-cluster --namespace data --reset-values --history-max 5
    "#
    );
}
