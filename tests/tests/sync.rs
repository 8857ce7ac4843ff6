//! `sync`: `helm upgrade --install` for each release, dependencies first, with Helmfile's flags;
//! a failure skips what depends on it and nothing else.

use insta::assert_snapshot;
use windlass_tests::{
    TestProject, interrupt_when, mask_durations, private_dirs_left, sibling_binary, windlass,
};

fn project() -> TestProject {
    TestProject::new().helm_repositories(&["bitnami"]).file(
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
    assert_snapshot!(project().run_recorded(&["--concurrency", "1", "sync", "--skip-deps"]), @"
    exit: 0
    ----- stdout -----
    ----- stderr -----
    old  | not installed ([DURATION])
    db   | upgrading bitnami/postgresql
    db   | upgraded ([DURATION])
    cron | upgrading charts/app
    cron | upgraded ([DURATION])
    api  | upgrading charts/app
    api  | upgraded ([DURATION])
    web  | upgrading charts/app
    web  | upgraded ([DURATION])

    RELEASE   NAMESPACE   ACTION      RESULT          DURATION
    old       jobs        uninstall   not installed   [DURATION]
    db        data        upgrade     upgraded   [DURATION]
    cron      jobs        upgrade     upgraded   [DURATION]
    api       backend     upgrade     upgraded   [DURATION]
    web       frontend    upgrade     upgraded   [DURATION]

    UPDATED RELEASES:
    NAME   NAMESPACE   CHART                VERSION   DURATION
    db     data        bitnami/postgresql   [DURATION]
    cron   jobs        charts/app   [DURATION]
    api    backend     charts/app           1.2.3   [DURATION]
    web    frontend    charts/app   [DURATION]
    ----- helm calls -----
    helm version --short
    helm list --filter ^old$ --namespace jobs --uninstalling --deployed --failed --pending --short
    helm upgrade --install db bitnami/postgresql --wait --timeout 300s --atomic --kube-context data-cluster --namespace data --reset-values --history-max 5
    helm upgrade --install cron charts/app --wait --timeout 300s --atomic --create-namespace --namespace jobs --reset-values --history-max 5
    helm upgrade --install api charts/app --version 1.2.3 --wait --timeout 300s --force --atomic --create-namespace --namespace backend --set image.tag=v1 --reset-values --history-max 5
    helm upgrade --install web charts/app --wait --timeout 300s --atomic --create-namespace --namespace frontend --values [VALUES]/000-frontend-web-0.yaml --reset-values --history-max 5
      [VALUES]/000-frontend-web-0.yaml:
        replicas: 2
    ");
}

#[test]
fn helm_4_gets_its_own_flag_names() {
    let project = project();
    let helm4 = std::path::Path::new("v4.1.4+g05fa379");
    assert_snapshot!(
        project.run_recorded_with_env(&["--concurrency", "1", "-l", "name=api", "sync", "--skip-deps"], &[("RECORDING_HELM_VERSION", helm4)]),
        @"
    exit: 0
    ----- stdout -----
    ----- stderr -----
    api | upgrading charts/app
    api | upgraded ([DURATION])

    RELEASE   NAMESPACE   ACTION    RESULT     DURATION
    api       backend     upgrade   upgraded   [DURATION]

    UPDATED RELEASES:
    NAME   NAMESPACE   CHART        VERSION   DURATION
    api    backend     charts/app   1.2.3   [DURATION]
    ----- helm calls -----
    helm version --short
    helm upgrade --install api charts/app --version 1.2.3 --wait --timeout 300s --force-replace --rollback-on-failure --create-namespace --namespace backend --set image.tag=v1 --reset-values --history-max 5
    "
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
    old  | not installed ([DURATION])
    db   | upgrading bitnami/postgresql
    db   | failed ([DURATION]): `helm upgrade --install db bitnami/postgresql --wait --timeout 300s --atomic --kube-context data-cluster --namespace data --reset-values --history-max 5` failed (exit 1): Error: simulated failure of `upgrade --install db`
    api  | skipped: it waits for "db", which failed
    web  | skipped: it waits for "db", which failed
    cron | upgrading charts/app
    cron | upgraded ([DURATION])

    RELEASE   NAMESPACE   ACTION      RESULT          DURATION
    old       jobs        uninstall   not installed   [DURATION]
    api       backend     upgrade     skipped   [DURATION]
    web       frontend    upgrade     skipped   [DURATION]
    db        data        upgrade     failed   [DURATION]
    cron      jobs        upgrade     upgraded   [DURATION]

    UPDATED RELEASES:
    NAME   NAMESPACE   CHART        VERSION   DURATION
    cron   jobs        charts/app   [DURATION]

    FAILED RELEASES:
    NAME   NAMESPACE   CHART                VERSION   DURATION
    db     data        bitnami/postgresql   [DURATION]
    error: 1 release(s) failed
    ----- helm calls -----
    helm version --short
    helm list --filter ^old$ --namespace jobs --uninstalling --deployed --failed --pending --short
    helm upgrade --install db bitnami/postgresql --wait --timeout 300s --atomic --kube-context data-cluster --namespace data --reset-values --history-max 5
    helm upgrade --install cron charts/app --wait --timeout 300s --atomic --create-namespace --namespace jobs --reset-values --history-max 5
    "#
    );
}

/// A helmfile whose environment names the kube context, with a release to uninstall.
fn environment_context_project() -> TestProject {
    TestProject::new().file(
        "helmfile.yaml",
        "
        environments:
          prod:
            kubeContext: prod-eu
        ---
        releases:
        - name: web
          namespace: apps
          chart: ./charts/app
        - name: old
          namespace: jobs
          chart: ./charts/app
          installed: false
        ",
    )
}

#[test]
fn an_uninstall_runs_against_the_environment_context_in_a_helmfile() {
    let project = environment_context_project();
    let listed = std::path::Path::new("old");
    assert_snapshot!(
        project.run_recorded_with_env(&["-e", "prod", "sync", "--skip-deps"], &[("RECORDING_HELM_LIST", listed)]),
        @"
    exit: 0
    ----- stdout -----
    ----- stderr -----
    old | uninstalling
    old | deleted ([DURATION])
    web | upgrading charts/app
    web | upgraded ([DURATION])

    RELEASE   NAMESPACE   ACTION      RESULT     DURATION
    old       jobs        uninstall   deleted   [DURATION]
    web       apps        upgrade     upgraded   [DURATION]

    UPDATED RELEASES:
    NAME   NAMESPACE   CHART        VERSION   DURATION
    web    apps        charts/app   [DURATION]

    DELETED RELEASES:
    NAME   NAMESPACE   DURATION
    old    jobs   [DURATION]
    ----- helm calls -----
    helm version --short
    helm list --filter ^old$ --kube-context prod-eu --namespace jobs --uninstalling --deployed --failed --pending --short
    helm uninstall old --kube-context prod-eu --namespace jobs
    helm upgrade --install web charts/app --create-namespace --kube-context prod-eu --namespace apps --reset-values --history-max 10
    "
    );
}

#[test]
fn an_uninstall_runs_against_the_environment_context_in_layout_a_as_in_a_helmfile() {
    let project = TestProject::new()
        .file(
            "charts.yaml",
            "
            releases:
              web:
                chart: ./charts/app
                namespace: apps
              old:
                chart: ./charts/app
                namespace: jobs
            ",
        )
        .file(
            "environments/prod/cluster.yaml",
            "
            environment:
              kubeContext: prod-eu
            releases:
              web:
              old:
                installed: false
            ",
        );
    let listed = std::path::Path::new("old");
    let sync = |project: &TestProject| {
        project.run_recorded_with_env(
            &["-e", "prod", "sync", "--skip-deps"],
            &[("RECORDING_HELM_LIST", listed)],
        )
    };
    // Layout A must ask helm exactly what the helmfile layout asks (snapshotted above).
    assert_eq!(sync(&project), sync(&environment_context_project()));
}

#[test]
fn a_secrets_error_deletes_nothing() {
    let project = environment_context_project()
        .file(
            "helmfile.yaml",
            "
        environments:
          prod:
            kubeContext: prod-eu
        ---
        releases:
        - name: web
          namespace: apps
          chart: ./charts/app
          secrets:
          - secrets.yaml
        - name: old
          namespace: jobs
          chart: ./charts/app
          installed: false
        ",
        )
        .file("secrets.yaml", "password: not encrypted\n");
    let listed = std::path::Path::new("old");
    assert_snapshot!(
        project.run_recorded_with_env(&["-e", "prod", "sync"], &[("RECORDING_HELM_LIST", listed)]),
        @r#"
    exit: 1
    ----- stdout -----
    ----- stderr -----
    error: helmfile.yaml:10:5: release "web": [PROJECT]/secrets.yaml: no `sops` metadata: the file is not encrypted with sops
      hint: encrypt it with `sops encrypt --in-place`, or list it under `values:` instead of `secrets:`
    ----- helm calls -----
    helm version --short
    "#
    );
}

#[test]
fn values_globs_start_from_the_values_path_prefix() {
    let project = TestProject::new()
        .file(
            "helmfile.yaml",
            "
            releases:
            - name: web
              namespace: apps
              chart: ./charts/app
              valuesPathPrefix: conf/
              values:
              - '*.yaml'
            ",
        )
        .file("conf/a.yaml", "a: 1\n")
        .file("conf/b.yaml", "b: 2\n");
    assert_snapshot!(project.run_recorded(&["sync", "--skip-deps"]), @"
    exit: 0
    ----- stdout -----
    ----- stderr -----
    web | upgrading charts/app
    web | upgraded ([DURATION])

    RELEASE   NAMESPACE   ACTION    RESULT     DURATION
    web       apps        upgrade   upgraded   [DURATION]

    UPDATED RELEASES:
    NAME   NAMESPACE   CHART        VERSION   DURATION
    web    apps        charts/app   [DURATION]
    ----- helm calls -----
    helm version --short
    helm upgrade --install web charts/app --create-namespace --namespace apps --values [VALUES]/000-apps-web-0.yaml --values [VALUES]/000-apps-web-1.yaml --reset-values --history-max 10
      [VALUES]/000-apps-web-0.yaml:
        a: 1
      [VALUES]/000-apps-web-1.yaml:
        b: 2
    ");
}

/// A chain a ← b ← c whose first upgrade sleeps until it is interrupted with `signal`.
fn interrupted_sync(signal: &str, code: i32) -> String {
    let project = TestProject::new().file(
        "helmfile.yaml",
        "
        releases:
        - name: a
          chart: ./charts/app
          values:
          - replicas: 1
        - name: b
          chart: ./charts/app
          needs: [a]
        - name: c
          chart: ./charts/app
          needs: [b]
        ",
    );
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let log = project.path().join(".helm-calls.jsonl");
    let mut command = windlass();
    command
        .arg("--helm-binary")
        .arg(sibling_binary("recording-helm"))
        .args(["--concurrency", "1", "sync", "--skip-deps"])
        .current_dir(project.path())
        .env("TMPDIR", tmp.path())
        .env("RECORDING_HELM_LOG", &log)
        .env("RECORDING_HELM_SLEEP_MS", "20000")
        .env("RECORDING_HELM_SLEEP_ON", "upgrade");
    let started = || std::fs::read_to_string(&log).is_ok_and(|l| l.contains("upgrade"));
    let output = interrupt_when(command, started, signal);
    assert_eq!(output.status.code(), Some(code));
    assert_eq!(private_dirs_left(tmp.path()), Vec::<String>::new());
    let calls = std::fs::read_to_string(&log).unwrap_or_default();
    format!(
        "----- stderr -----\n{}----- helm calls -----\n{}",
        mask_durations(&String::from_utf8_lossy(&output.stderr)),
        calls
            .lines()
            .map(|line| {
                let call: serde_json::Value = serde_json::from_str(line).unwrap_or_default();
                let argv: Vec<&str> = call["argv"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|a| a.as_str())
                    .take(4)
                    .collect();
                match call["signal"].as_str() {
                    Some(signal) => format!("{signal} received by: helm {}\n", argv.join(" ")),
                    None => format!("helm {}\n", argv.join(" ")),
                }
            })
            .collect::<String>()
    )
}

#[test]
fn sigint_stops_a_sync_cleanly() {
    assert_snapshot!(interrupted_sync("-INT", 130), @"
    ----- stderr -----
    a | upgrading charts/app
    a | cancelled ([DURATION])
    b | cancelled ([DURATION])
    c | cancelled ([DURATION])

    RELEASE   NAMESPACE   ACTION    RESULT      DURATION
    a                     upgrade   cancelled   [DURATION]
    b                     upgrade   cancelled   [DURATION]
    c                     upgrade   cancelled   [DURATION]
    error: interrupted; running helm commands were stopped and temporary files removed
    ----- helm calls -----
    helm version --short
    helm upgrade --install a charts/app
    SIGTERM received by: helm upgrade --install a charts/app
    ");
}

#[test]
fn sigterm_stops_a_sync_cleanly() {
    assert_snapshot!(interrupted_sync("-TERM", 143), @"
    ----- stderr -----
    a | upgrading charts/app
    a | cancelled ([DURATION])
    b | cancelled ([DURATION])
    c | cancelled ([DURATION])

    RELEASE   NAMESPACE   ACTION    RESULT      DURATION
    a                     upgrade   cancelled   [DURATION]
    b                     upgrade   cancelled   [DURATION]
    c                     upgrade   cancelled   [DURATION]
    error: interrupted; running helm commands were stopped and temporary files removed
    ----- helm calls -----
    helm version --short
    helm upgrade --install a charts/app
    SIGTERM received by: helm upgrade --install a charts/app
    ");
}

#[test]
fn a_missing_helm_is_one_clear_error_before_any_work() {
    let project = TestProject::new().file(
        "helmfile.yaml",
        "
        helmBinary: ./bin/helm-3
        releases:
        - name: web
          chart: ./charts/app
        ",
    );
    assert_snapshot!(project.run(&["sync"]), @r#"
    exit: 1
    ----- stdout -----
    ----- stderr -----
    error: helm not found: looked for "./bin/helm-3" at [PROJECT]/./bin/helm-3
      hint: install helm 3 or 4, or pass its path with --helm-binary
    "#);
    let mut on_path = windlass();
    on_path
        .args(["--helm-binary", "no-such-helm", "template"])
        .current_dir(project.path())
        .env("PATH", "/nonexistent/bin:/nonexistent/usr/bin");
    assert_snapshot!(windlass_tests::render(on_path, project.path()), @r#"
    exit: 1
    ----- stdout -----
    ----- stderr -----
    error: helm not found: looked for "no-such-helm" in the folders of PATH (/nonexistent/bin, /nonexistent/usr/bin)
      hint: install helm 3 or 4, or pass its path with --helm-binary
    "#);
}

#[test]
fn kubedog_tracking_waits_through_helm() {
    // Helmfile 1.x tracks these releases' resources with kubedog; windlass has helm wait for them.
    let project = TestProject::new().file(
        "helmfile.yaml",
        "
        helmDefaults:
          trackMode: kubedog
        releases:
        - name: tracked
          chart: ./charts/app
          trackTimeout: 120
          trackKinds: [Deployment]
          trackLogs: true
        - name: untracked
          chart: ./charts/app
          trackMode: helm
          timeout: 60
        ",
    );
    assert_snapshot!(project.run_recorded(&["--concurrency", "1", "sync", "--skip-deps"]), @r#"
    exit: 0
    ----- stdout -----
    ----- stderr -----
    warning: helmfile.yaml:7:3: release "tracked": "trackKinds" is ignored: windlass tracks through helm --wait, which waits for all of the release's resources and streams no logs
    warning: helmfile.yaml:8:3: release "tracked": "trackLogs" is ignored: windlass tracks through helm --wait, which waits for all of the release's resources and streams no logs
    tracked   | upgrading charts/app
    tracked   | upgraded ([DURATION])
    untracked | upgrading charts/app
    untracked | upgraded ([DURATION])

    RELEASE     NAMESPACE   ACTION    RESULT     DURATION
    tracked                 upgrade   upgraded   [DURATION]
    untracked               upgrade   upgraded   [DURATION]

    UPDATED RELEASES:
    NAME        NAMESPACE   CHART        VERSION   DURATION
    tracked                 charts/app   [DURATION]
    untracked               charts/app   [DURATION]
    ----- helm calls -----
    helm version --short
    helm upgrade --install tracked charts/app --wait --wait-for-jobs --timeout 120s --create-namespace --reset-values --history-max 10
    helm upgrade --install untracked charts/app --timeout 60s --create-namespace --reset-values --history-max 10
    "#);
}

#[test]
fn live_output_prints_helm_lines_as_they_come_but_not_for_template() {
    let project = || {
        TestProject::new().file(
            "helmfile.yaml",
            "
            releases:
            - name: app
              chart: ./charts/app
            ",
        )
    };
    let said = std::path::Path::new("coalesce.go:237: warning: skipped value");
    let printed = std::path::Path::new("NOTES: app is ready");
    let output = [
        ("RECORDING_HELM_STDERR", said),
        ("RECORDING_HELM_STDOUT", printed),
    ];
    assert_snapshot!(
        project().run_recorded_with_env(&["--enable-live-output", "sync", "--skip-deps"], &output),
        @"
    exit: 0
    ----- stdout -----
    NOTES: app is ready
    ----- stderr -----
    Live output is enabled
    app | upgrading charts/app
    coalesce.go:237: warning: skipped value
    app | upgraded ([DURATION])

    RELEASE   NAMESPACE   ACTION    RESULT     DURATION
    app                   upgrade   upgraded   [DURATION]

    UPDATED RELEASES:
    NAME   NAMESPACE   CHART        VERSION   DURATION
    app                charts/app   [DURATION]
    ----- helm calls -----
    helm version --short
    helm upgrade --install app charts/app --create-namespace --reset-values --history-max 10
    "
    );
    assert_snapshot!(
        project().run_recorded_with_env(&["--enable-live-output", "template", "--skip-deps"], &output),
        @"
    exit: 0
    ----- stdout -----
    NOTES: app is ready

    ----- stderr -----
    Live output is enabled
    ----- helm calls -----
    helm version --short
    helm template app charts/app
    "
    );
}
