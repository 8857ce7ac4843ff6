//! `windlass schema`: the JSON Schemas of charts.yaml, cluster.yaml and helmfile.yaml, judged by
//! a real JSON Schema validator. They accept the example project and every template-compare
//! fixture (as Helmfile renders it), reject unknown fields, agree with the loader on the edge
//! cases where YAML and serde could part ways, and the copies under `schemas/` are current.

use insta::assert_snapshot;
use windlass_tests::schema::Schema;
use windlass_tests::{TestProject, fixture_names, repo_root, windlass};

const KINDS: [&str; 3] = ["charts", "cluster", "helmfile"];

/// `path: ok`, or `path: <error>` for each error, for the files in `files`.
fn verdicts(schema: &Schema, root: &std::path::Path, files: &[String]) -> String {
    let mut text = String::new();
    for file in files {
        let yaml =
            std::fs::read_to_string(root.join(file)).unwrap_or_else(|e| panic!("read {file}: {e}"));
        let errors = schema.errors(&yaml);
        if errors.is_empty() {
            text.push_str(&format!("{file}: ok\n"));
        }
        for error in errors {
            text.push_str(&format!("{file}: {error}\n"));
        }
    }
    text
}

/// The files below `dir` (relative to it), sorted.
fn files_below(dir: &std::path::Path) -> Vec<String> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(next) = pending.pop() {
        for entry in std::fs::read_dir(&next)
            .unwrap_or_else(|e| panic!("{}: {e}", next.display()))
            .flatten()
        {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else if let Ok(relative) = path.strip_prefix(dir) {
                files.push(relative.display().to_string());
            }
        }
    }
    files.sort();
    files
}

#[test]
fn committed_schemas_are_what_windlass_prints() {
    let written = TestProject::new();
    let output = windlass()
        .args(["schema", "--output-dir"])
        .arg(written.path().join("schemas"))
        .output()
        .unwrap_or_else(|e| panic!("windlass schema --output-dir: {e}"));
    assert!(output.status.success(), "{output:?}");
    for kind in KINDS {
        let printed = windlass()
            .args(["schema", kind])
            .output()
            .unwrap_or_else(|e| panic!("windlass schema {kind}: {e}"));
        assert!(printed.status.success(), "{printed:?}");
        let printed = String::from_utf8_lossy(&printed.stdout);
        let name = format!("schemas/{kind}.schema.json");
        let committed = std::fs::read_to_string(repo_root().join(&name)).unwrap_or_default();
        let file = std::fs::read_to_string(written.path().join(&name)).unwrap_or_default();
        assert_eq!(
            printed, file,
            "--output-dir wrote another {name} than it prints"
        );
        assert!(
            printed == committed,
            "{name} is out of date: run `cargo run -p windlass-cli -- schema --output-dir schemas`"
        );
    }
}

#[test]
fn the_example_project_matches_its_schemas() {
    let root = repo_root();
    let clusters: Vec<String> = files_below(&root.join("environments-example"))
        .into_iter()
        .filter(|f| f.ends_with("/cluster.yaml"))
        .map(|f| format!("environments-example/{f}"))
        .collect();
    let text = verdicts(&Schema::of("charts"), &root, &["charts.yaml".into()])
        + &verdicts(&Schema::of("cluster"), &root, &clusters);
    assert_snapshot!(text, @r"
    charts.yaml: ok
    environments-example/development/cluster.yaml: ok
    environments-example/production/cluster.yaml: ok
    environments-example/staging/cluster.yaml: ok
    ");
}

/// Every state file part of every template-compare fixture, as Helmfile 0.166 rendered it
/// (`tests/fixtures/schema/regen.sh`), matches the helmfile schema.
#[test]
fn every_template_compare_helmfile_matches_the_schema() {
    let parts = repo_root().join("tests/fixtures/schema/helmfile-parts");
    let files = files_below(&parts);
    let rendered: std::collections::BTreeSet<&str> =
        files.iter().filter_map(|f| f.split('/').next()).collect();
    let fixtures = fixture_names("template-compare");
    assert_eq!(
        rendered.into_iter().collect::<Vec<_>>(),
        fixtures,
        "every template-compare fixture needs its rendered parts: run tests/fixtures/schema/regen.sh"
    );
    let text = verdicts(&Schema::of("helmfile"), &parts, &files);
    let failures: Vec<&str> = text.lines().filter(|l| !l.ends_with(": ok")).collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(text.lines().count(), 29, "{text}");
}

/// One file of a small project: what the schema says of it, and what `windlass list` says.
fn case(kind: &str, yaml: &str) -> String {
    let (file, project) = match kind {
        "charts" => (
            "charts.yaml",
            TestProject::new().file("environments/prod/cluster.yaml", "releases:\n  api:\n"),
        ),
        "cluster" => (
            "environments/prod/cluster.yaml",
            TestProject::new().file("charts.yaml", "releases:\n  api:\n    chart: ./api\n"),
        ),
        _ => ("helmfile.yaml", TestProject::new()),
    };
    let project = project.file(file, yaml);
    let errors = Schema::of(kind).errors(yaml);
    let output = windlass()
        .args([
            "-e",
            if kind == "helmfile" {
                "default"
            } else {
                "prod"
            },
            "list",
        ])
        .current_dir(project.path())
        .output()
        .unwrap_or_else(|e| panic!("windlass list: {e}"));
    let loader = String::from_utf8_lossy(&output.stderr)
        .lines()
        .next()
        .map_or_else(|| "accepted".to_string(), |l| l.replace("error: ", ""));
    let schema = if errors.is_empty() {
        "accepted".to_string()
    } else {
        errors.join("; ")
    };
    format!("== {file}\n{yaml}-> schema: {schema}\n-> loader: {loader}\n")
}

#[test]
fn unknown_fields_and_wrong_types_are_rejected_like_the_loader_rejects_them() {
    let text = [
        case("charts", "relases:\n  api:\n    chart: ./api\n"),
        case(
            "charts",
            "releases:\n  api:\n    chart: ./api\n    namspace: x\n",
        ),
        case("cluster", "enviroment:\n  kubeContext: prod\n"),
        case("cluster", "releases:\n  api:\n    timeout: soon\n"),
        case("helmfile", "helmDefault:\n  wait: true\n"),
        case(
            "helmfile",
            "releases:\n- name: api\n  chart: ./api\n  installed: 'no'\n",
        ),
        case("helmfile", "releases:\n- chart: ./api\n"),
        case("helmfile", "missingFileHandler: warn\n"),
    ]
    .concat();
    assert_snapshot!(text);
}

/// Where YAML's looseness meets serde's: empty lists and maps, numbers for strings, one entry
/// for a list. The schema accepts what the loader accepts.
#[test]
fn the_schema_accepts_what_the_loader_accepts() {
    let text = [
        case("helmfile", "releases:\n"),
        case("helmfile", "releases:\n- name: api\n  chart: ./api\n  needs:\n  values:\n"),
        case(
            "helmfile",
            "releases:\n- name: api\n  chart: ./api\n  version: 1.2\n  labels: {tier: 1}\n",
        ),
        case("helmfile", "environments:\n  default:\n    values:\n"),
        case(
            "helmfile",
            "templates:\n  base: {namespace: x}\nreleases:\n- name: api\n  chart: ./api\n  inherit: {template: base}\n",
        ),
        case("helmfile", "kubeVersion: 1.29\ncommonLabels:\n"),
        case("charts", "helmDefaults:\nreleases:\n  api:\n    chart: ./api\n"),
        case("cluster", "environment:\nreleases:\n  api:\n"),
    ]
    .concat();
    assert_snapshot!(text);
}
