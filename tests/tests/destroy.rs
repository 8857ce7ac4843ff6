//! `destroy`: every selected release helm lists is uninstalled, dependents before what they
//! need, each against its own kube context, with Helmfile's `--cascade`, `--deleteWait` and
//! `--deleteTimeout`; releases helm does not list are reported as not installed; `-i` asks first.

use std::path::Path;

use insta::assert_snapshot;
use windlass_tests::{TestProject, sibling_binary, windlass};

/// `web` → `api` → `db` (another kube context), `cron` alone, `old` with `installed: false`.
fn project() -> TestProject {
    TestProject::new().file(
        "helmfile.yaml",
        "
        helmDefaults:
          kubeContext: default-ctx
          cascade: background
        releases:
        - name: web
          namespace: frontend
          chart: ./charts/app
          needs: [backend/api]
        - name: api
          namespace: backend
          chart: ./charts/app
          needs: [data-cluster/data/db]
          cascade: foreground
        - name: db
          namespace: data
          chart: bitnami/postgresql
          kubeContext: data-cluster
          deleteWait: true
          deleteTimeout: 60
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
fn uninstalls_in_reverse_needs_order_with_each_release_context() {
    let listed = Path::new("web,api,db,old");
    assert_snapshot!(project().run_recorded_with_env(
        &["--concurrency", "1", "destroy"],
        &[("RECORDING_HELM_LIST", listed)]
    ));
}

#[test]
fn command_line_cascade_and_delete_wait_apply_where_releases_set_none() {
    let listed = Path::new("web,api,db,cron");
    assert_snapshot!(project().run_recorded_with_env(
        &[
            "--concurrency",
            "1",
            "-l",
            "namespace!=jobs",
            "destroy",
            "--cascade",
            "orphan",
            "--deleteWait",
            "--deleteTimeout",
            "120",
        ],
        &[("RECORDING_HELM_LIST", listed)]
    ));
}

#[test]
fn a_failed_uninstall_keeps_what_its_release_needs() {
    let listed = Path::new("web,api,db,cron");
    let fail = Path::new("uninstall api");
    assert_snapshot!(project().run_recorded_with_env(
        &["--concurrency", "1", "destroy"],
        &[
            ("RECORDING_HELM_LIST", listed),
            ("RECORDING_HELM_FAIL", fail)
        ]
    ));
}

#[test]
fn nothing_selected_exits_3_unless_allowed() {
    let project = project();
    let none = project.run_recorded(&["-l", "name=nope", "destroy"]);
    let _ = std::fs::remove_file(project.path().join(".helm-calls.jsonl"));
    let allowed =
        project.run_recorded(&["-l", "name=nope", "--allow-no-matching-release", "destroy"]);
    assert_snapshot!(format!(
        "{none}===== --allow-no-matching-release =====\n{allowed}"
    ));
}

/// Runs `destroy -i` with `answer` on standard input.
fn interactive(answer: &str) -> String {
    let project = project();
    let log = project.path().join(".helm-calls.jsonl");
    let mut child = windlass()
        .arg("--helm-binary")
        .arg(sibling_binary("recording-helm"))
        .args(["--concurrency", "1", "-l", "name=cron", "destroy", "-i"])
        .current_dir(project.path())
        .env("RECORDING_HELM_LOG", &log)
        .env("RECORDING_HELM_LIST", "cron")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run windlass: {e}"));
    if let Some(mut stdin) = child.stdin.take() {
        use std::io::Write;
        let _ = stdin.write_all(answer.as_bytes());
    }
    let output = child
        .wait_with_output()
        .unwrap_or_else(|e| panic!("wait: {e}"));
    let calls = std::fs::read_to_string(&log).unwrap_or_default();
    format!(
        "exit: {}\n----- stderr -----\n{}----- helm calls: {} -----\n",
        output.status.code().unwrap_or(-1),
        windlass_tests::mask_durations(&String::from_utf8_lossy(&output.stderr)),
        calls.lines().count()
    )
}

#[test]
fn interactive_destroy_asks_first() {
    assert_snapshot!(format!(
        "{}===== no =====\n{}",
        interactive("y\n"),
        interactive("n\n")
    ));
}
