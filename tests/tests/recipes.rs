//! The drift-check recipes of `docs/recipes/` (GitHub Actions, GitLab CI): the YAML parses, and
//! the `windlass` command lines of their jobs run, once per environment of their matrix, against
//! the example project on the local Kubernetes API with real helm. What the recipes read is
//! checked as they read it: the exit code (0 in sync, 2 drift, 1 error) and the JSON report's
//! summary and changed releases (the recipes' `jq` lines, computed here from the same fields).

use std::path::{Path, PathBuf};
use std::process::Command;

use insta::assert_snapshot;
use serde_yaml::Value;
use windlass_tests::cluster::{Cluster, mask_cluster};
use windlass_tests::{TestProject, binary, real_helm, render, repo_root, windlass};

/// A recipe's job: the environments of its matrix and its `windlass` command lines.
#[derive(Debug)]
struct Recipe {
    environments: Vec<String>,
    commands: Vec<String>,
}

fn read_yaml(name: &str) -> Value {
    let path = repo_root().join("docs/recipes").join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {path:?}: {e}"));
    serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{name} is not YAML: {e}"))
}

fn strings(value: &Value) -> Vec<String> {
    value
        .as_sequence()
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str().map(str::to_string))
        .collect()
}

/// The lines of `script` that run windlass.
fn windlass_lines(script: &str) -> Vec<String> {
    script
        .lines()
        .map(str::trim)
        .filter(|line| line.starts_with("windlass "))
        .map(str::to_string)
        .collect()
}

fn github_actions() -> Recipe {
    let workflow = read_yaml("github-actions.yaml");
    let job = &workflow["jobs"]["drift"];
    Recipe {
        environments: strings(&job["strategy"]["matrix"]["environment"]),
        commands: job["steps"]
            .as_sequence()
            .into_iter()
            .flatten()
            .filter_map(|step| step["run"].as_str())
            .flat_map(windlass_lines)
            .collect(),
    }
}

fn gitlab_ci() -> Recipe {
    let pipeline = read_yaml("gitlab-ci.yml");
    let job = &pipeline["drift"];
    Recipe {
        environments: strings(&job["parallel"]["matrix"][0]["ENVIRONMENT"]),
        commands: strings(&job["script"])
            .iter()
            .flat_map(|line| windlass_lines(line))
            .collect(),
    }
}

/// A folder with `windlass` and `helm` (3) as the recipes find them: on PATH.
fn tools_on_path(dir: &Path) -> String {
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).unwrap_or_else(|e| panic!("mkdir {bin:?}: {e}"));
    for (name, target) in [("windlass", binary()), ("helm", real_helm(3))] {
        std::os::unix::fs::symlink(&target, bin.join(name))
            .unwrap_or_else(|e| panic!("link {name}: {e}"));
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut folders: Vec<PathBuf> = vec![bin];
    folders.extend(std::env::split_paths(&path));
    std::env::join_paths(folders)
        .unwrap_or_else(|e| panic!("PATH: {e}"))
        .to_string_lossy()
        .into_owned()
}

/// What the recipe's `case` and `jq` lines make of a run.
fn read_as_the_recipe(status: Option<i32>, report: &Path) -> String {
    let verdict = match status {
        Some(0) => "in sync",
        Some(2) => "drift",
        _ => "error",
    };
    let mut out = format!("verdict: {verdict}\n");
    let Ok(text) = std::fs::read_to_string(report) else {
        return out + "drift.json: missing\n";
    };
    if text.is_empty() {
        // The shell created it for the redirection; windlass stopped before writing a report.
        return out + "drift.json: empty\n";
    }
    let json: serde_json::Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("drift.json is not JSON: {e}"));
    let summary = &json["summary"];
    out.push_str(&format!(
        "{} of {} releases differ, {} could not be checked\n",
        summary["changed"], summary["releases"], summary["failed"]
    ));
    for release in json["releases"].as_array().into_iter().flatten() {
        if release["action"] == "none" {
            continue;
        }
        let reasons: Vec<&str> = release["reasons"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|r| r["code"].as_str())
            .collect();
        out.push_str(&format!(
            "{}/{}: {} ({})\n",
            release["namespace"].as_str().unwrap_or_default(),
            release["name"].as_str().unwrap_or_default(),
            release["action"].as_str().unwrap_or_default(),
            reasons.join(", ")
        ));
    }
    out
}

/// Where a recipe runs: the example project on the local API, with windlass and helm on PATH
/// and the project's age key in `SOPS_AGE_KEY`, as the recipes' secrets provide it.
struct Runner {
    cluster: Cluster,
    project: TestProject,
    path: String,
    key: String,
    _tools: tempfile::TempDir,
}

impl Runner {
    fn new() -> Self {
        let cluster = Cluster::for_example();
        let project = TestProject::example();
        let tools = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
        let path = tools_on_path(tools.path());
        let key =
            std::fs::read_to_string(project.path().join("environments-example/age-test-key.txt"))
                .unwrap_or_else(|e| panic!("read the age key: {e}"));
        Self {
            cluster,
            project,
            path,
            key,
            _tools: tools,
        }
    }

    /// `windlass -e ENVIRONMENT sync`, which must succeed.
    fn sync(&self, environment: &str) {
        let mut sync = windlass();
        sync.arg("--helm-binary")
            .arg(real_helm(3))
            .args(["-e", environment, "sync"])
            .current_dir(self.project.path())
            .envs(self.cluster.env())
            .env("SOPS_AGE_KEY", &self.key);
        let synced = render(sync, self.project.path());
        assert!(synced.starts_with("exit: 0\n"), "sync failed:\n{synced}");
    }

    /// Runs the recipe's command `line` as its job would for `environment` (without the age
    /// key when `key` is false), and renders it with what the recipe reads of it.
    fn check(&self, line: &str, environment: &str, key: bool) -> String {
        let report = self.project.path().join("drift.json");
        let _ = std::fs::remove_file(&report);
        let mut command = Command::new("bash");
        command
            .args(["-c", line])
            .current_dir(self.project.path())
            .envs(self.cluster.env())
            .env("PATH", &self.path)
            .env("ENVIRONMENT", environment)
            .env_remove("SOPS_AGE_KEY_FILE")
            .env_remove("SOPS_AGE_KEY")
            .env("XDG_CONFIG_HOME", "/nonexistent");
        if key {
            command.env("SOPS_AGE_KEY", &self.key);
        }
        let output = command
            .output()
            .unwrap_or_else(|e| panic!("cannot run bash: {e}"));
        let stderr = String::from_utf8_lossy(&output.stderr)
            .replace(&self.project.path().display().to_string(), "[PROJECT]");
        format!(
            "$ ENVIRONMENT={environment} {line}{}\nexit: {}\n----- stderr -----\n{}----- read as the recipe reads it -----\n{}\n",
            if key { "" } else { "   # without SOPS_AGE_KEY" },
            output
                .status
                .code()
                .map_or("signal".into(), |c| c.to_string()),
            mask_cluster(&stderr),
            read_as_the_recipe(output.status.code(), &report),
        )
    }

    /// The recipe's job over its matrix: each environment checked right after it was synced
    /// (in sync; the example's environments share one local API server, so each is checked
    /// before the next is deployed over it); then the last one after a `kubectl set image`
    /// (drift), and without its key (an error).
    fn run(&self, recipe: &Recipe) -> String {
        let mut out = String::new();
        for environment in &recipe.environments {
            self.sync(environment);
            for line in &recipe.commands {
                out.push_str(&self.check(line, environment, true));
            }
        }
        let Some(last) = recipe.environments.last() else {
            return out + "no environments in the matrix\n";
        };
        out.push_str(&self.cluster.edit_example_web_image());
        for line in &recipe.commands {
            out.push_str(&self.check(line, last, true));
            out.push_str(&self.check(line, last, false));
        }
        out
    }
}

#[test]
fn recipes_parse_and_run_one_command_per_environment_of_the_example() {
    let github = github_actions();
    let gitlab = gitlab_ci();
    assert_snapshot!(format!("{github:#?}\n{gitlab:#?}"));
}

#[test]
fn e2e_ci_recipes_report_in_sync_drift_and_errors_as_their_jobs_read_them() {
    let github = Runner::new().run(&github_actions());
    let gitlab = Runner::new().run(&gitlab_ci());
    // Both recipes run the same check; their jobs must read the same.
    assert_eq!(github, gitlab);
    assert_snapshot!(github);
}
