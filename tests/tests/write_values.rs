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

#[test]
fn values_files_read_as_helm_reads_them_or_fail_with_their_line() {
    let project = TestProject::new()
        .file(
            "helmfile.yaml",
            "
            releases:
            - name: app
              chart: ./chart
              values:
              - repeated.yaml
              - flags: {quoted: \"yes\"}
            - name: broken
              chart: ./chart
              values:
              - broken.yaml
            ",
        )
        .file(
            "repeated.yaml",
            "replicas: 1\nflags: {plain: yes}\nreplicas: 3\n",
        )
        .file("broken.yaml", "a: 1\nb: [unclosed\nc: 2\n")
        .file(
            "chart/Chart.yaml",
            "apiVersion: v2\nname: chart\nversion: 0.1.0\n",
        );
    let run = |selector: &str| {
        let mut command = windlass();
        command
            .args(["-l", selector, "write-values"])
            .args(["--output-file-template", "out/{{ .Release.Name }}.yaml"])
            .current_dir(project.path());
        render(command, project.path())
    };
    // A repeated key's last value wins, and plain `yes` is the boolean helm reads.
    assert_snapshot!(run("name=app"), @"
    exit: 0
    ----- stdout -----
    ----- stderr -----
    Writing values file out/app.yaml
    ");
    assert_snapshot!(listing(&project.path().join("out")), @r#"
    == app.yaml (644)
    flags:
      plain: true
      quoted: "yes"
    replicas: 3
    "#);
    // Nothing is written for a values file helm could not read either.
    let broken = run("name=broken");
    assert_snapshot!(broken, @r#"
    exit: 1
    ----- stdout -----
    ----- stderr -----
    error: broken.yaml:3:2: release "broken": not valid YAML: illegal placement of ':' indicator
      hint: helm reads a values file as a YAML map (YAML 1.1): check the indentation and quoting there
    "#);
    assert!(!project.path().join("out/broken.yaml").exists());
    // Nor does `build --embed-values` show it as an empty map: it fails the same way.
    assert_eq!(
        project.run(&["-l", "name=broken", "build", "--embed-values"]),
        broken
    );
}

#[test]
fn a_state_file_name_that_is_not_utf8_names_its_output_folder() {
    use std::os::unix::ffi::OsStrExt;
    let project = TestProject::new().file(
        "chart/Chart.yaml",
        "apiVersion: v2\nname: chart\nversion: 0.1.0\n",
    );
    let name = std::ffi::OsStr::from_bytes(b"st\xffte.yaml");
    std::fs::write(
        project.path().join(name),
        "releases:\n- name: app\n  chart: ./chart\n  values:\n  - {a: 1}\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let mut command = windlass();
    command
        .arg("-f")
        .arg(name)
        .args([
            "write-values",
            "--output-file-template",
            "{{ .State.BaseName }}/{{ .Release.Name }}.yaml",
        ])
        .current_dir(project.path());
    assert_snapshot!(render(command, project.path()), @"
    exit: 0
    ----- stdout -----
    ----- stderr -----
    Writing values file st�te/app.yaml
    ");
}
