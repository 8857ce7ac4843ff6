//! Hooks as Helmfile runs them: the fixture `tests/fixtures/hooks` (global and release hooks
//! around a `needs` edge) writes the same lines under windlass as under Helmfile 0.166
//! (`expected/*.log`, made by its `regen.sh`), for `sync` with a failed upgrade, `destroy` and
//! `template`; the whole run (progress, summary, helm calls) is snapshotted too. Then what a
//! failing hook does, `kubectlApply`, template errors and `HELMFILE_DISABLE_HOOKS`.

use std::path::Path;

use insta::assert_snapshot;
use windlass_tests::{TestProject, repo_root};

/// Runs `windlass --concurrency 1 ARGS` on a copy of the hooks fixture with the recording helm
/// (and `env`), checks that the hooks wrote exactly what Helmfile 0.166's hooks wrote for
/// `scenario`, and returns the run's snapshot text.
fn fixture_run(scenario: &str, args: &[&str], env: &[(&str, &Path)]) -> String {
    let project = TestProject::fixture("hooks");
    let args = [&["--concurrency", "1"], args].concat();
    let output = project.run_recorded_with_env(&args, env);
    let written = std::fs::read_to_string(project.path().join("hooks.log"))
        .unwrap_or_else(|e| panic!("no hook wrote hooks.log: {e}\n{output}"));
    let expected_file = repo_root().join(format!("tests/fixtures/hooks/expected/{scenario}.log"));
    let expected = std::fs::read_to_string(&expected_file)
        .unwrap_or_else(|e| panic!("{}: {e}", expected_file.display()));
    similar_asserts(&expected, &written, scenario);
    output
}

/// Fails with a line diff when the hook lines differ from Helmfile's.
fn similar_asserts(expected: &str, actual: &str, scenario: &str) {
    if expected != actual {
        let diff = similar::TextDiff::from_lines(expected, actual)
            .unified_diff()
            .header("helmfile 0.166", "windlass")
            .to_string();
        panic!("the hooks of `{scenario}` wrote other lines than under Helmfile:\n{diff}");
    }
}

#[test]
fn sync_runs_hooks_in_helmfile_order_and_postsync_sees_a_failed_upgrade() {
    let fail = Path::new("upgrade --install web");
    assert_snapshot!(fixture_run(
        "sync",
        &["sync"],
        &[("RECORDING_HELM_FAIL", fail)]
    ));
}

#[test]
fn destroy_runs_uninstall_hooks_in_reverse_needs_order() {
    let listed = Path::new("db,api,web");
    assert_snapshot!(fixture_run(
        "destroy",
        &["destroy"],
        &[("RECORDING_HELM_LIST", listed)]
    ));
}

#[test]
fn template_runs_prepare_and_cleanup_hooks() {
    assert_snapshot!(fixture_run("template", &["template"], &[]));
}

/// `db` ← `api`, `side` alone; each hook appends a line to hooks.log; `db`'s presync exits 3.
fn failing_presync() -> TestProject {
    TestProject::new().file(
        "helmfile.yaml",
        r#"
        releases:
        - name: db
          namespace: data
          chart: ./charts/app
          hooks:
          - name: check-backup
            events: [presync]
            command: sh
            args: [-c, "echo presync db >> hooks.log; echo no backup >&2; exit 3"]
          - name: report
            events: [postsync]
            command: sh
            args: [-c, "echo 'postsync db {{`{{ printf \"%.30v\" .Event.Error }}`}}' >> hooks.log"]
        - name: api
          namespace: backend
          chart: ./charts/app
          needs: [data/db]
          hooks:
          - events: [presync]
            command: sh
            args: [-c, "echo presync api >> hooks.log"]
        - name: side
          namespace: tools
          chart: ./charts/app
          hooks:
          - events: [presync]
            command: sh
            args: [-c, "echo presync side >> hooks.log"]
        "#,
    )
}

#[test]
fn a_failing_presync_hook_fails_its_release_and_skips_its_dependents() {
    let project = failing_presync();
    let output = project.run_recorded(&["--concurrency", "1", "sync", "--skip-deps"]);
    let written = std::fs::read_to_string(project.path().join("hooks.log")).unwrap_or_default();
    assert_snapshot!(format!("{output}----- hooks.log -----\n{written}"));
}

#[test]
fn kubectl_apply_hooks_run_kubectl_apply_in_the_state_file_folder() {
    let project = TestProject::new()
        .file(
            "helmfile.yaml",
            "
            releases:
            - name: db
              namespace: data
              chart: ./charts/app
              hooks:
              - events: [presync]
                kubectlApply:
                  filename: manifests/crds.yaml
              - events: [postsync]
                kubectlApply:
                  kustomize: overlays/prod
            ",
        )
        .file(
            "bin/kubectl",
            "#!/bin/sh\necho \"kubectl $* (in $(basename \"$PWD\"))\" >> kubectl.log\n",
        );
    let bin = project.path().join("bin");
    make_executable(&bin.join("kubectl"));
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let output =
        project.run_recorded_with_env(&["sync", "--skip-deps"], &[("PATH", Path::new(&path))]);
    let log = std::fs::read_to_string(project.path().join("kubectl.log")).unwrap_or_default();
    let folder = project
        .path()
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    assert_snapshot!(format!(
        "{output}----- kubectl.log -----\n{}",
        log.replace(&folder, "[PROJECT]")
    ));
}

#[test]
fn hook_errors_name_the_hook_and_where_it_is_written() {
    let typo = TestProject::new().file(
        "helmfile.yaml",
        r#"
        hooks:
        - name: typo
          events: [prepare]
          command: echo
          args: ["{{`{{ .Event.Nmae }}`}}"]
        releases:
        - name: db
          namespace: data
          chart: ./charts/app
        "#,
    );
    let both = TestProject::new().file(
        "helmfile.yaml",
        "
        releases:
        - name: db
          namespace: data
          chart: ./charts/app
          hooks:
          - events: [presync]
            kubectlApply: {filename: a.yaml, kustomize: b}
        ",
    );
    let template = typo.run_recorded(&["sync", "--skip-deps"]);
    let kubectl = both.run_recorded(&["sync", "--skip-deps"]);
    let _ = std::fs::remove_file(both.path().join(".helm-calls.jsonl"));
    let disabled = Path::new("true");
    let hooks_off = both.run_recorded_with_env(
        &["sync", "--skip-deps"],
        &[("HELMFILE_DISABLE_HOOKS", disabled)],
    );
    assert_snapshot!(format!(
        "{template}===== kubectlApply =====\n{kubectl}===== HELMFILE_DISABLE_HOOKS=true =====\n{hooks_off}"
    ));
}

fn make_executable(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755))
        .unwrap_or_else(|e| panic!("chmod {}: {e}", path.display()));
}
