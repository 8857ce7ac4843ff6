//! `deps` writes the lock files Helmfile writes: for each state of `tests/fixtures/lock-compare`,
//! the same entries as Helmfile 0.166's (recorded by its `regen.sh`), in Helmfile 1.x's layout.

use std::path::{Path, PathBuf};

use windlass_tests::chart_repo::{ChartRepoServer, ChartSpec, index_charts, package_charts};
use windlass_tests::{TestProject, helm_home_env, real_helm, repo_root};

/// Serves the charts of `charts.txt`, runs `windlass deps` in each case, and returns the
/// differences from the expected lock files (empty when they match).
fn compare(major: u32) -> Vec<String> {
    let helm = real_helm(major);
    let fixtures = repo_root().join("tests/fixtures/lock-compare");
    let work = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let list = std::fs::read_to_string(fixtures.join("charts.txt")).unwrap_or_default();
    let charts: Vec<ChartSpec> = list
        .lines()
        .filter_map(|l| l.split_once(' '))
        .map(|(name, version)| ChartSpec::new(name, version))
        .collect();
    let packages = work.path().join("packages");
    package_charts(&helm, &charts, &work.path().join("src"), &packages);
    index_charts(&helm, &packages);
    let server = ChartRepoServer::serve(&packages, None);
    let mut problems = Vec::new();
    for case in windlass_tests::fixture_names("lock-compare") {
        let project = TestProject::fixture(&format!("lock-compare/{case}"));
        let mut command = windlass_tests::windlass();
        command
            .arg("--helm-binary")
            .arg(&helm)
            .arg("deps")
            .current_dir(project.path())
            .env("REPO_URL", server.url())
            .env("WINDLASS_CACHE_DIR", work.path().join("cache"))
            .envs(helm_home_env(&work.path().join("helm")));
        let run = windlass_tests::render(command, project.path());
        if !run.starts_with("exit: 0") {
            problems.push(format!("{case}: deps failed:\n{run}"));
            continue;
        }
        let expected_dir = fixtures.join(&case).join("expected");
        let expected_files = lock_files(&expected_dir);
        if expected_files.is_empty() {
            problems.push(format!("{case}: no expected lock files (run regen.sh)"));
        }
        for expected in expected_files {
            let relative = expected.strip_prefix(&expected_dir).unwrap_or(&expected);
            let written =
                std::fs::read_to_string(project.path().join(relative)).unwrap_or_default();
            let ours = mask(&written, server.url());
            let theirs = helmfile_1_layout(&std::fs::read_to_string(&expected).unwrap_or_default());
            if ours != theirs {
                problems.push(format!(
                    "{case}/{}:\n{}",
                    relative.display(),
                    similar::TextDiff::from_lines(&theirs, &ours).unified_diff()
                ));
            }
        }
    }
    problems
}

/// The lock files under `dir`, sorted.
fn lock_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(lock_files(&path));
        } else if path.extension().is_some_and(|e| e == "lock") {
            files.push(path);
        }
    }
    files.sort();
    files
}

/// What `regen.sh` masks: the repository URL, the writer's version, the digest, the time.
fn mask(lock: &str, url: &str) -> String {
    lock.replace(url, "[REPO]")
        .lines()
        .map(|line| {
            for key in ["version", "digest", "generated"] {
                if line.starts_with(&format!("{key}: ")) {
                    let masked = match key {
                        "version" => "[VERSION]",
                        "digest" => "[DIGEST]",
                        _ => "[TIME]",
                    };
                    return format!("{key}: {masked}\n");
                }
            }
            format!("{line}\n")
        })
        .collect()
}

/// Helmfile 0.166's lock (go-yaml v2) as Helmfile 1.x writes it (go-yaml v3, list items
/// indented by two spaces).
fn helmfile_1_layout(lock: &str) -> String {
    lock.lines()
        .map(|line| {
            if line.starts_with("- ") || line.starts_with("  ") {
                format!("  {line}\n")
            } else {
                format!("{line}\n")
            }
        })
        .collect()
}

#[test]
fn e2e_deps_locks_the_versions_helmfile_locks_helm3() {
    let problems = compare(3);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn e2e_deps_locks_the_versions_helmfile_locks_helm4() {
    let problems = compare(4);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
