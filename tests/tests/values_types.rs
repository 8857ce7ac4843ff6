//! Values reach helm with the type they were written with: real helm 3 and helm 4 read the
//! values windlass writes (inline maps, decrypted secrets, `write-values` output) and print the
//! kind, type and JSON of each one (fixture `values-types`).

use std::path::Path;
use std::process::Command;

use base64::Engine as _;
use insta::assert_snapshot;
use proptest::prelude::*;
use windlass_tests::{TestProject, real_helm, render, repo_root};

/// `windlass ARGS` with real helm `major` and the test age key.
fn windlass_with(project: &TestProject, major: u32, args: &[&str]) -> Command {
    let mut command = project.windlass_with_helm(major, args);
    command.env(
        "SOPS_AGE_KEY_FILE",
        repo_root().join("environments-example/age-test-key.txt"),
    );
    command
}

/// The standard output of `command`, which must succeed.
fn stdout_of(mut command: Command) -> String {
    let output = command
        .output()
        .unwrap_or_else(|e| panic!("cannot run {command:?}: {e}"));
    assert!(
        output.status.success(),
        "{command:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// `helm template types ./chart -f VALUES` run by helm `major` in the project.
fn helm_template(project: &TestProject, major: u32, values: &Path) -> String {
    let mut command = Command::new(real_helm(major));
    command
        .args([
            "template",
            "types",
            "./chart",
            "--namespace",
            "default",
            "--values",
        ])
        .arg(values)
        .current_dir(project.path());
    stdout_of(command)
}

/// What helm `major` reads from the values `windlass template` hands it.
fn template(project: &TestProject, major: u32) -> String {
    render(windlass_with(project, major, &["template"]), project.path())
}

#[test]
fn inline_values_and_secrets_keep_their_types_in_helm_3_and_4() {
    let project = TestProject::fixture("values-types");
    let helm3 = template(&project, 3);
    assert_eq!(
        template(&project, 4),
        helm3,
        "helm 4 reads what helm 3 reads"
    );
    assert_snapshot!(helm3);
}

/// The file `write-values` writes, read by helm on its own, gives exactly what helm read from
/// the files `template` handed it.
#[test]
fn write_values_output_reads_back_the_same_in_helm_3_and_4() {
    let project = TestProject::fixture("values-types");
    let written = render(
        windlass_with(
            &project,
            3,
            &[
                "write-values",
                "--output-file-template",
                "out/{{ .Release.Name }}.yaml",
            ],
        ),
        project.path(),
    );
    assert_snapshot!("write_values_run", written);
    let file = project.path().join("out/types.yaml");
    for major in [3, 4] {
        let through_windlass = stdout_of(windlass_with(&project, major, &["template"]));
        // `windlass template` prints helm's manifests without the final blank line.
        assert_eq!(
            helm_template(&project, major, &file).trim_end(),
            through_windlass.trim_end(),
            "helm {major}"
        );
    }
    assert_snapshot!(
        "write_values_file",
        std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{file:?}: {e}"))
    );
}

/// `s` as a YAML double-quoted scalar with everything outside printable ASCII escaped, so the
/// test's own input does not depend on the writer under test.
fn escaped(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            ' '..='~' => out.push(c),
            c => out.push_str(&format!("\\U{:08X}", u32::from(c))),
        }
    }
    out.push('"');
    out
}

/// Strings that YAML 1.1 likes to read as something else, mixed with any string at all.
fn strings() -> impl Strategy<Value = Vec<String>> {
    let yaml_like = proptest::string::string_regex(
        "([-+.:_0-9eExob ~#'\"yYnNoOfFtT|>@!&*%,?\\[\\]{}]|yes|off|null|\\n|\u{2028}|\u{85}){0,12}",
    )
    .unwrap_or_else(|e| panic!("strategy: {e}"));
    proptest::collection::vec(prop_oneof![yaml_like, any::<String>()], 1..24)
}

/// What helm read as `.Values` in `windlass template`'s output (the chart prints it as base64
/// JSON).
fn values_seen_by_helm(output: &str) -> serde_json::Value {
    let encoded = output
        .lines()
        .find_map(|l| l.trim().strip_prefix("json: "))
        .map(|v| v.trim_matches('"'))
        .unwrap_or_else(|| panic!("no values in helm's output:\n{output}"));
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .unwrap_or_else(|e| panic!("{e}: {encoded}"));
    serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{e}"))
}

fn strings_reach_helm_unchanged(major: u32, strings: &[String]) -> Result<(), TestCaseError> {
    let inline: String = strings
        .iter()
        .enumerate()
        .map(|(i, s)| format!("    s{i}: {}\n", escaped(s)))
        .collect();
    let project = TestProject::new()
        .file("chart/Chart.yaml", "apiVersion: v2\nname: strings\nversion: 0.1.0\n")
        .file(
            "chart/templates/values.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: strings\ndata:\n  json: {{ toJson .Values | b64enc | quote }}\n",
        )
        .file(
            "helmfile.yaml",
            &format!("releases:\n- name: strings\n  chart: ./chart\n  values:\n  - \n{inline}"),
        );
    let output = windlass_with(&project, major, &["template"])
        .output()
        .unwrap_or_else(|e| panic!("cannot run windlass: {e}"));
    let stdout = String::from_utf8_lossy(&output.stdout);
    prop_assert!(
        output.status.success(),
        "windlass failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let expected: serde_json::Map<String, serde_json::Value> = strings
        .iter()
        .enumerate()
        .map(|(i, s)| (format!("s{i}"), serde_json::Value::from(s.as_str())))
        .collect();
    prop_assert_eq!(
        values_seen_by_helm(&stdout),
        serde_json::Value::Object(expected)
    );
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(12))]

    #[test]
    fn any_string_reaches_helm_3_unchanged(strings in strings()) {
        strings_reach_helm_unchanged(3, &strings)?;
    }

    #[test]
    fn any_string_reaches_helm_4_unchanged(strings in strings()) {
        strings_reach_helm_unchanged(4, &strings)?;
    }
}
