//! The chart corpus (`tests/fixtures/chart-corpus/`, the oracle for the native renderer) is what
//! real helm 3.17 prints today: its `regen.py --check` renders every case again with helm and
//! compares with the committed `expected/` files, masking only what `cases.tsv` marks as changing
//! from run to run.

use std::process::Command;

use windlass_tests::{real_helm, repo_root};

/// The cases `cases.tsv` lists (every line after the header).
fn listed_cases() -> Vec<String> {
    let manifest = repo_root().join("tests/fixtures/chart-corpus/cases.tsv");
    let text = std::fs::read_to_string(&manifest).unwrap_or_else(|e| panic!("{manifest:?}: {e}"));
    text.lines()
        .skip(1)
        .filter(|line| !line.trim().is_empty())
        .filter_map(|line| line.split('\t').next().map(str::to_string))
        .collect()
}

#[test]
fn every_case_is_what_helm_prints_today() {
    let cases = listed_cases();
    assert!(
        cases.len() >= 70,
        "expected at least 70 cases in cases.tsv, found {}",
        cases.len()
    );
    let script = repo_root().join("tests/fixtures/chart-corpus/regen.py");
    let output = Command::new("python3")
        .arg(&script)
        .arg("--check")
        .arg("--helm")
        .arg(real_helm(3))
        .output()
        .unwrap_or_else(|e| panic!("python3 {script:?}: {e} (python3 is needed)"));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "regen.py --check found differences:\n{stdout}\n{stderr}"
    );
    let checked: Vec<&str> = stdout
        .lines()
        .filter_map(|line| line.strip_prefix("ok"))
        .map(str::trim)
        .collect();
    assert_eq!(
        checked, cases,
        "regen.py --check did not check every listed case"
    );
}
