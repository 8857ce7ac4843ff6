//! The library's examples (`crates/core/examples/`), built by `cargo test --workspace` (and
//! `scripts/test.sh`), run as a user runs them: programs that use the public API alone. The
//! drift check runs against the local Kubernetes API with the real helm 3 and 4.

use std::path::PathBuf;
use std::process::Command;

use insta::assert_snapshot;
use windlass_tests::cluster::{Cluster, mask_cluster};
use windlass_tests::{TestProject, real_helm, render, windlass};

/// An example program built into this build's target folder.
fn example(name: &str) -> Command {
    let exe = std::env::current_exe().unwrap_or_else(|e| panic!("no current executable: {e}"));
    // Tests run from target/debug/deps; examples are built into target/debug/examples.
    let path: PathBuf = exe
        .ancestors()
        .nth(2)
        .map(|debug| debug.join("examples").join(name))
        .unwrap_or_default();
    assert!(
        path.is_file(),
        "the {name} example is missing at {path:?}: run `cargo build -p windlass --examples` (scripts/test.sh does)"
    );
    let mut command = Command::new(path);
    command.env_remove("SOPS_AGE_KEY_FILE").env_remove("HELM");
    command
}

/// The example project's age key.
fn age_key(project: &TestProject) -> PathBuf {
    project.path().join("environments-example/age-test-key.txt")
}

#[test]
fn environments_lists_the_releases_of_every_environment() {
    let project = TestProject::example();
    let mut command = example("environments");
    command.arg(project.path());
    assert_snapshot!(render(command, project.path()));
}

#[test]
fn custom_helm_prints_the_helm_commands_a_sync_would_run() {
    let project = TestProject::example();
    let mut command = example("custom_helm");
    command
        .arg(project.path())
        .arg("production")
        .env("SOPS_AGE_KEY_FILE", age_key(&project));
    assert_snapshot!(render(command, project.path()));
}

#[test]
fn drift_names_the_missing_key_with_the_library_hint() {
    let project = TestProject::example();
    let mut command = example("drift");
    command.arg(project.path()).arg("production");
    assert_snapshot!(render(command, project.path()));
}

/// Syncs production with windlass, runs the drift example (in sync: 0), edits the web image
/// with kubectl, runs it again with `--live` (drift: 2, the Deployment named).
fn drift_against_a_cluster(major: u32) -> String {
    let cluster = Cluster::for_example();
    let project = TestProject::example();
    let key = age_key(&project);
    let mut sync = windlass();
    sync.arg("--helm-binary")
        .arg(real_helm(major))
        .args(["-e", "production", "sync"])
        .current_dir(project.path())
        .envs(cluster.env())
        .env("SOPS_AGE_KEY_FILE", &key);
    let synced = render(sync, project.path());
    assert!(synced.starts_with("exit: 0\n"), "sync failed:\n{synced}");
    let drift = |args: &[&str]| {
        let mut command = example("drift");
        command
            .arg(project.path())
            .arg("production")
            .args(args)
            .current_dir(project.path())
            .envs(cluster.env())
            .env("HELM", real_helm(major))
            .env("SOPS_AGE_KEY_FILE", &key);
        format!(
            "$ drift [PROJECT] production {}\n{}",
            args.join(" "),
            mask_cluster(&render(command, project.path()))
        )
    };
    let mut out = drift(&[]);
    out.push_str(&cluster.edit_example_web_image());
    out.push_str(&drift(&["--live"]));
    out
}

#[test]
fn e2e_helm3_drift_example_reports_live_drift_as_json_and_exit_code() {
    assert_snapshot!(drift_against_a_cluster(3));
}

#[test]
fn e2e_helm4_drift_example_reports_live_drift_as_json_and_exit_code() {
    assert_snapshot!(drift_against_a_cluster(4));
}
