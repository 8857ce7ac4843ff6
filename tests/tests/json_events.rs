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

/// Runs `windlass --concurrency 1 ARGS` on the hooks fixture with the recording helm and `env`,
/// checks every stdout line against the schema and that the report comes last with the exit
/// code, and returns the lines (durations masked) and stderr for a snapshot.
fn json_run(args: &[&str], env: &[(&str, &str)]) -> String {
    let project = TestProject::fixture("hooks");
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
    let validator = validator();
    let lines: Vec<serde_json::Value> = stdout
        .lines()
        .map(|line| {
            let value: serde_json::Value =
                serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON: {e}: {line}"));
            let errors: Vec<String> = validator
                .iter_errors(&value)
                .map(|e| e.to_string())
                .collect();
            assert!(
                errors.is_empty(),
                "{line}\ndoes not match the schema:\n{}",
                errors.join("\n")
            );
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
