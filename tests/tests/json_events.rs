//! `--output json` of runs: every line on stdout is one JSON object valid against
//! `docs/events.schema.json` (checked by a JSON Schema validator), the report is the last line
//! and carries the process's exit code, and human text goes to stderr only.

use insta::assert_snapshot;
use windlass_tests::{TestProject, repo_root, sibling_binary, windlass};

/// The schema, compiled by the validator.
fn validator() -> jsonschema::Validator {
    let path = repo_root().join("docs/events.schema.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let schema: serde_json::Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    jsonschema::validator_for(&schema).unwrap_or_else(|e| panic!("invalid schema: {e}"))
}

/// The diff report's own schema, which `apply`'s report carries a document of.
fn diff_validator() -> jsonschema::Validator {
    let schema: serde_json::Value = serde_json::from_str(windlass::diff::report::JSON_SCHEMA)
        .unwrap_or_else(|e| panic!("the diff report schema: {e}"));
    jsonschema::validator_for(&schema).unwrap_or_else(|e| panic!("invalid schema: {e}"))
}

/// Every error of `validator` on `value`, one per line.
fn schema_errors(validator: &jsonschema::Validator, value: &serde_json::Value) -> String {
    validator
        .iter_errors(value)
        .map(|e| format!("{e}\n"))
        .collect()
}

/// [`json_run_in`] on the hooks fixture.
fn json_run(args: &[&str], env: &[(&str, &str)]) -> String {
    json_run_in(&TestProject::fixture("hooks"), args, env)
}

/// Runs `windlass --concurrency 1 ARGS` in `project` with the recording helm and `env`, checks
/// every stdout line against the schema (and a report's diff against the diff report's schema)
/// and that the report comes last with the exit code, and returns the lines (durations masked)
/// and stderr for a snapshot.
fn json_run_in(project: &TestProject, args: &[&str], env: &[(&str, &str)]) -> String {
    let output = windlass()
        .arg("--helm-binary")
        .arg(sibling_binary("recording-helm"))
        .args(["--concurrency", "1"])
        .args(args)
        .current_dir(project.path())
        .env(
            "RECORDING_HELM_LOG",
            project.path().join(".helm-calls.jsonl"),
        )
        .envs(env.iter().copied())
        .output()
        .unwrap_or_else(|e| panic!("cannot run windlass: {e}"));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let (validator, diff_validator) = (validator(), diff_validator());
    let lines: Vec<serde_json::Value> = stdout
        .lines()
        .map(|line| {
            let value: serde_json::Value =
                serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON: {e}: {line}"));
            let errors = schema_errors(&validator, &value);
            assert!(
                errors.is_empty(),
                "{line}\ndoes not match the schema:\n{errors}"
            );
            if let Some(diff) = value.get("diff") {
                let errors = schema_errors(&diff_validator, diff);
                assert!(
                    errors.is_empty(),
                    "{line}\nits diff does not match the diff report schema:\n{errors}"
                );
            }
            value
        })
        .collect();
    let reports: Vec<usize> = lines
        .iter()
        .enumerate()
        .filter(|(_, l)| l["type"] == "report")
        .map(|(i, _)| i)
        .collect();
    assert_eq!(
        reports,
        vec![lines.len() - 1],
        "one report, last:\n{stdout}"
    );
    let code = output.status.code().unwrap_or(-1);
    assert_eq!(lines[lines.len() - 1]["exitCode"], code, "{stdout}");
    let masked: Vec<String> = lines
        .iter()
        .map(|line| {
            let mut line = line.clone();
            let releases = line.get_mut("releases").and_then(|r| r.as_array_mut());
            for release in releases.into_iter().flatten() {
                release["durationMs"] = "[DURATION]".into();
            }
            line.to_string()
        })
        .collect();
    format!(
        "exit: {code}\n----- stdout -----\n{}\n----- stderr -----\n{}",
        masked.join("\n"),
        String::from_utf8_lossy(&output.stderr)
    )
}

#[test]
fn sync_prints_one_schema_valid_event_per_line_and_the_report_last() {
    assert_snapshot!(json_run(
        &["sync", "--output", "json"],
        &[("RECORDING_HELM_FAIL", "upgrade --install web")]
    ));
}

#[test]
fn destroy_prints_one_schema_valid_event_per_line_and_the_report_last() {
    assert_snapshot!(json_run(
        &["destroy", "--output", "json"],
        &[("RECORDING_HELM_LIST", "db,web")]
    ));
}

/// The hooks fixture with what the recording helm answers for `apply` (`HELM_DRIVER=sql`): `db`
/// deployed as desired, `web` deployed with another value, `api` not installed.
fn apply_project() -> TestProject {
    let config = |name: &str, mode: &str| {
        format!(
            "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\ndata:\n  mode: {mode}\n"
        )
    };
    let history = r#"[{"revision":1,"status":"deployed","chart":"app-0.1.0"}]"#;
    TestProject::fixture("hooks")
        .file(".fixtures/db/template.yaml", &config("db", "fast"))
        .file(".fixtures/db/history.json", history)
        .file(".fixtures/db/manifest.yaml", &config("db", "fast"))
        .file(".fixtures/web/template.yaml", &config("web", "fast"))
        .file(".fixtures/web/history.json", history)
        .file(".fixtures/web/manifest.yaml", &config("web", "slow"))
        .file(".fixtures/api/template.yaml", &config("api", "fast"))
}

/// `apply --output json` of [`apply_project`] with `failing` failed by the recording helm (which
/// renders the desired side: `--renderer helm`).
fn json_apply(failing: &str) -> String {
    let project = apply_project();
    let fixtures = project.path().join(".fixtures");
    json_run_in(
        &project,
        &[
            "apply",
            "--skip-deps",
            "--kube-version",
            "1.31.0",
            "--renderer",
            "helm",
            "--output",
            "json",
        ],
        &[
            ("RECORDING_HELM_FIXTURES", &fixtures.to_string_lossy()),
            ("HELM_DRIVER", "sql"),
            ("RECORDING_HELM_FAIL", failing),
        ],
    )
}

/// `apply --output json`: the diff's and the upgrades' events, then the report with the diff it
/// acted on (`db` in sync, `api` new, `web` changed but its upgrade fails); stdout holds JSON
/// only, human text goes to stderr.
#[test]
fn apply_prints_its_events_and_the_report_with_its_diff_last() {
    assert_snapshot!(json_apply("upgrade --install web"));
}

/// A run that stops before it changes anything (apply's diff fails: helm cannot read `db`'s
/// history) still ends with the report: the error, no release, and the diff as far as it got.
#[test]
fn a_run_that_stops_before_any_change_still_ends_with_the_report() {
    assert_snapshot!(json_apply("history db"));
}

/// A run stopped before any release starts still ends with the report, as its only stdout line:
/// a plan error (a values file that does not exist), a selector that matches nothing, and a
/// state file that does not parse.
#[test]
fn a_run_stopped_by_the_project_or_the_selection_still_ends_with_the_report() {
    let missing_values = TestProject::new()
        .file("charts/app/Chart.yaml", "apiVersion: v2\nname: app\nversion: 0.1.0\n")
        .file(
            "helmfile.yaml",
            "releases:\n- name: a\n  namespace: x\n  chart: ./charts/app\n  values: [missing.yaml]\n",
        );
    let unparsable = TestProject::new().file("helmfile.yaml", "releases: [\n");
    let runs = [
        json_run_in(&missing_values, &["sync", "--output", "json"], &[]),
        json_run_in(
            &missing_values,
            &["-l", "name=b", "destroy", "--output", "json"],
            &[],
        ),
        json_run_in(&unparsable, &["apply", "--output", "json"], &[]),
    ];
    assert_snapshot!(runs.join("=====\n"));
}

#[test]
fn the_schema_rejects_what_windlass_never_prints() {
    let validator = validator();
    let unknown_phase = serde_json::json!({
        "schemaVersion": 1, "type": "event", "event": "release", "release": "ns/a", "phase": "exploded"
    });
    let report_without_releases = serde_json::json!({"schemaVersion": 1, "type": "report", "command": "sync", "exitCode": 0, "error": null});
    assert!(!validator.is_valid(&unknown_phase));
    assert!(!validator.is_valid(&report_without_releases));
}
