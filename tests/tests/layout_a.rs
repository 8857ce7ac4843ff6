//! Layout A is Helmfile in disguise: each project under `tests/fixtures/layout-a/` resolves to the
//! same releases as its `expected.helmfile.yaml` (the equivalent Helmfile state, accepted by the
//! reference helmfile 0.166).

use insta::assert_snapshot;
use windlass_tests::TestProject;

/// The environment a case's `expected.helmfile.yaml` is for, from its first line.
fn environment_of(project: &TestProject) -> String {
    let expected = std::fs::read_to_string(project.path().join("expected.helmfile.yaml"))
        .unwrap_or_else(|e| panic!("expected.helmfile.yaml: {e}"));
    let first = expected.lines().next().unwrap_or_default();
    first
        .split('`')
        .nth(1)
        .and_then(|flag| flag.strip_prefix("-e "))
        .unwrap_or_else(|| panic!("no `-e ENV` on the first line: {first}"))
        .to_string()
}

/// `build` of the layout-A project and of its equivalent helmfile, releases only.
fn both(case: &str) -> (String, String) {
    let project = TestProject::fixture(&format!("layout-a/{case}"));
    let environment = environment_of(&project);
    let releases = |args: &[&str]| {
        let output = project.run(args);
        let start = output
            .find("releases:")
            .unwrap_or_else(|| panic!("no releases in:\n{output}"));
        let end = output.find("renderedvalues:").unwrap_or(output.len());
        output[start..end].to_string()
    };
    (
        releases(&["-e", &environment, "build"]),
        releases(&["-f", "expected.helmfile.yaml", "-e", &environment, "build"]),
    )
}

macro_rules! equivalent {
    ($test:ident, $case:literal) => {
        #[test]
        fn $test() {
            let (layout_a, helmfile) = both($case);
            assert_eq!(layout_a, helmfile, "layout A and its helmfile differ");
            assert_snapshot!(layout_a);
        }
    };
}

equivalent!(overrides_merge, "overrides-merge");
equivalent!(auto_files, "auto-files");
equivalent!(custom_environments_dir, "custom-environments-dir");
equivalent!(empty_entries, "empty-entries");
