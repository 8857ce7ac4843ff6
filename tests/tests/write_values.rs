//! `write-values`: each release's values merged into one file, secrets decrypted (files of
//! releases with secrets readable by the owner only), on the example project.

use std::os::unix::fs::PermissionsExt;

use insta::assert_snapshot;
use windlass_tests::{TestProject, render, windlass};

fn write_values(project: &TestProject, args: &[&str]) -> String {
    let mut command = windlass();
    command
        .args(["-e", "production", "write-values"])
        .args(args)
        .current_dir(project.path())
        .env(
            "SOPS_AGE_KEY_FILE",
            project.path().join("environments-example/age-test-key.txt"),
        );
    render(command, project.path())
}

/// Every file under `dir`, with its mode and content.
fn listing(dir: &std::path::Path) -> String {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .collect();
    files.sort();
    files
        .iter()
        .map(|path| {
            let mode = std::fs::metadata(path)
                .map(|m| m.permissions().mode() & 0o777)
                .unwrap_or(0);
            let content = std::fs::read_to_string(path).unwrap_or_default();
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            format!("== {name} ({mode:o})\n{content}")
        })
        .collect()
}

#[test]
fn writes_merged_and_decrypted_values_per_release() {
    let project = TestProject::example();
    let output = write_values(
        &project,
        &[
            "--output-file-template",
            "out/{{ .Environment.Name }}/{{ .Release.Name }}.yaml",
        ],
    );
    assert_snapshot!(output, @"
    exit: 0
    ----- stdout -----
    ----- stderr -----
    Writing values file out/production/postgres.yaml
    Writing values file out/production/api.yaml
    Writing values file out/production/worker.yaml
    Writing values file out/production/web.yaml
    ");
    assert_snapshot!(listing(&project.path().join("out/production")), @"
    == api.yaml (600)
    database:
      host: postgres.data.svc
      password: example-production-db-password
    image:
      tag: 1.4.0
    logLevel: warn
    replicaCount: 3
    == postgres.yaml (600)
    auth:
      password: example-production-db-password
    storage:
      size: 50Gi
    == web.yaml (644)
    ingress:
      className: nginx-public
      host: www.example.com
    replicaCount: 3
    == worker.yaml (644)
    concurrency: 8
    replicaCount: 3
    ");
}

#[test]
fn default_output_path_is_state_name_and_path_hash() {
    let project = TestProject::example();
    write_values(&project, &[]);
    let mut dirs: Vec<String> = std::fs::read_dir(project.path())
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with("charts-"))
        .collect();
    dirs.sort();
    assert_eq!(dirs.len(), 1, "{dirs:?}");
    let hash = &dirs[0]["charts-".len()..];
    assert!(
        hash.len() == 8 && hash.chars().all(|c| c.is_ascii_hexdigit()),
        "{hash}"
    );
}
