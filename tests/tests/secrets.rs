//! SOPS secrets end to end: environment secrets become state values, release secrets become
//! values files, nothing decrypted is printed or left on disk, whatever way the run ends.

use std::path::Path;
use std::process::Command;

use insta::assert_snapshot;
use windlass_tests::{
    TestProject, interrupt_when, mask_durations, private_dirs_left, render, repo_root,
    sibling_binary, windlass,
};

/// A project whose environment and release both use the example's production secrets file
/// (encrypted with sops 3.11 for the committed test key).
fn project() -> TestProject {
    let encrypted = std::fs::read_to_string(
        repo_root().join("environments-example/production/secrets/postgres.yaml"),
    )
    .unwrap_or_else(|e| panic!("example secrets file: {e}"));
    TestProject::new()
        .file(
            "helmfile.yaml",
            "
            environments:
              default:
                secrets:
                - secrets/postgres.yaml
            releases:
            - name: db
              namespace: data
              chart: ./charts/db
              values:
              - replicas: 1
              secrets:
              - secrets/postgres.yaml
            ",
        )
        .file("secrets/postgres.yaml", &encrypted)
}

/// `windlass ARGS` with the test key, a recording helm, and `tmp` as the temporary folder.
fn command(project: &TestProject, tmp: &Path, args: &[&str]) -> Command {
    let mut command = windlass();
    command
        .arg("--helm-binary")
        .arg(sibling_binary("recording-helm"))
        .args(args)
        .current_dir(project.path())
        .env(
            "SOPS_AGE_KEY_FILE",
            repo_root().join("environments-example/age-test-key.txt"),
        )
        .env("TMPDIR", tmp)
        .env(
            "RECORDING_HELM_LOG",
            project.path().join(".helm-calls.jsonl"),
        );
    command
}

/// `windlass template` with the test key and `tmp` as the temporary folder, through the
/// recording helm; `tmp` reads as `[TMP]` in the output.
fn template_recorded(project: &TestProject, tmp: &Path) -> String {
    let key = repo_root().join("environments-example/age-test-key.txt");
    let output = project.run_recorded_with_env(
        &["template"],
        &[("SOPS_AGE_KEY_FILE", &key), ("TMPDIR", tmp)],
    );
    output.replace(&tmp.display().to_string(), "[TMP]")
}

#[test]
fn build_masks_values_decrypted_from_environment_secrets() {
    let project = project();
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    assert_snapshot!(render(command(&project, tmp.path(), &["build"]), project.path()), @"
    exit: 0
    ----- stdout -----
    ---
    #  Source: [PROJECT]/helmfile.yaml

    filepath: helmfile.yaml
    helmBinary: helm
    kustomizeBinary: kustomize
    environments:
      default:
        secrets:
          - secrets/postgres.yaml
    releases:
      - chart: ./charts/db
        name: db
        namespace: data
        labels:
          chart: db
          name: db
          namespace: data
        values:
          - replicas: 1
        secrets:
          - secrets/postgres.yaml
    templates: {}
    renderedvalues:
      auth:
        password: <secret>
    ----- stderr -----
    ");
}

#[test]
fn release_secrets_reach_helm_only_through_the_private_folder() {
    let project = project();
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let output = template_recorded(&project, tmp.path());
    assert_snapshot!(output, @"
    exit: 0
    ----- stdout -----

    ----- stderr -----
    ----- helm calls -----
    helm version --short
    helm template db charts/db --namespace data --values [TMP]/windlass-[RANDOM]/000-data-db-0.yaml --values [TMP]/windlass-[RANDOM]/000-data-db-1.yaml
      [TMP]/windlass-[RANDOM]/000-data-db-0.yaml:
        replicas: 1
      [TMP]/windlass-[RANDOM]/000-data-db-1.yaml:
        auth:
          password: example-production-db-password
    ");
    assert_eq!(
        private_dirs_left(tmp.path()),
        Vec::<String>::new(),
        "no plaintext left after success"
    );
}

#[test]
fn a_failing_helm_leaves_no_plaintext_behind() {
    let project = project();
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let mut failing = command(&project, tmp.path(), &["template"]);
    failing.env("RECORDING_HELM_FAIL", "template db");
    let output = render(failing, project.path());
    assert!(output.starts_with("exit: 1\n"), "{output}");
    assert!(
        !output.contains("example-production-db-password"),
        "{output}"
    );
    assert_eq!(
        private_dirs_left(tmp.path()),
        Vec::<String>::new(),
        "no plaintext left after an error"
    );
}

fn interrupted_by(signal: &str, code: i32) {
    let project = project();
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let mut slow = command(&project, tmp.path(), &["template"]);
    slow.env("RECORDING_HELM_SLEEP_MS", "5000");
    // Signal once the values files are written.
    let output = interrupt_when(slow, || !private_dirs_left(tmp.path()).is_empty(), signal);
    assert_eq!(output.status.code(), Some(code));
    assert_eq!(
        mask_durations(&String::from_utf8_lossy(&output.stderr)),
        "db | cancelled ([DURATION])\nerror: interrupted; running helm commands were stopped and temporary files removed\n"
    );
    assert_eq!(
        private_dirs_left(tmp.path()),
        Vec::<String>::new(),
        "no plaintext left after {signal}"
    );
}

#[test]
fn sigint_stops_the_run_and_removes_the_private_folder() {
    interrupted_by("-INT", 130);
}

#[test]
fn sigterm_stops_the_run_and_removes_the_private_folder() {
    interrupted_by("-TERM", 143);
}

#[test]
fn without_a_key_the_error_names_the_recipients_not_the_content() {
    let project = project();
    let mut command = windlass();
    command.arg("build").current_dir(project.path());
    assert_snapshot!(render(command, project.path()), @"
    exit: 1
    ----- stdout -----
    ----- stderr -----
    error: helmfile.yaml:4:7: [PROJECT]/secrets/postgres.yaml: no age identity to decrypt it (recipients: age1nkas99qjjaawyvdytgy39ukgk7qmnrcktwnuq9644w0m80w2kfjsluqkqd)
      hint: set SOPS_AGE_KEY or SOPS_AGE_KEY_FILE, or put the key in ~/.config/sops/age/keys.txt
    ");
}

#[test]
fn fetch_secret_value_reads_ref_sops_references_in_process() {
    let project = project()
        .file(
            "helmfile.yaml",
            "
            releases:
            - name: db
              namespace: data
              chart: ./charts/db
              values:
              - values/db.yaml.gotmpl
            ",
        )
        .file(
            "values/db.yaml.gotmpl",
            "password: {{ fetchSecretValue \"ref+sops://../secrets/postgres.yaml#/auth/password\" | len }}\n\
             expanded: {{ expandSecretRefs (dict \"p\" \"ref+sops://../secrets/postgres.yaml#/auth/password\") | toJson | len }}\n",
        );
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let output = template_recorded(&project, tmp.path());
    assert_snapshot!(output, @"
    exit: 0
    ----- stdout -----

    ----- stderr -----
    ----- helm calls -----
    helm version --short
    helm template db charts/db --namespace data --values [TMP]/windlass-[RANDOM]/000-data-db-0.yaml
      [TMP]/windlass-[RANDOM]/000-data-db-0.yaml:
        password: 30
        expanded: 38
    ");
}

#[test]
fn an_unreadable_key_file_only_warns_when_nothing_needs_decrypting() {
    let project = TestProject::new().file("helmfile.yaml", "releases:\n- name: a\n  chart: ./c\n");
    let mut command = windlass();
    command
        .arg("list")
        .current_dir(project.path())
        .env("SOPS_AGE_KEY_FILE", "/nonexistent/keys.txt");
    assert_snapshot!(render(command, project.path()), @"
    exit: 0
    ----- stdout -----
    NAME	NAMESPACE	ENABLED	INSTALLED	LABELS                   	CHART	VERSION
    a   	         	true   	true     	chart:c,name:a,namespace:	./c
    ----- stderr -----
    warning: /nonexistent/keys.txt: cannot read age identity file: No such file or directory (os error 2)
    ");
}
