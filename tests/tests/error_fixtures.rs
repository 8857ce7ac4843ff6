//! The bad-input fixture projects under `tests/fixtures/errors/` (each README says what must be
//! reported): every one fails, or warns, with the file and line to fix.

use insta::assert_snapshot;
use windlass_tests::{TestProject, fixture_names};

#[test]
fn every_fixture_has_a_test() {
    let names = fixture_names("errors");
    let tested = [
        "duplicate-release",
        "missing-chart",
        "missing-environment-values-file",
        "missing-values-file",
        "missing-values-file-warn",
        "needs-cycle",
        "needs-not-enabled",
        "needs-unknown",
        "no-project",
        "unknown-environment",
        "unknown-environment-helmfile",
        "unknown-field",
        "unknown-field-cluster",
        "unknown-field-helmfile",
        "unknown-release",
        "yaml-syntax",
    ];
    assert_eq!(names, tested, "add a test below for each new fixture");
}

macro_rules! fixture {
    ($test:ident, $name:literal, [$($arg:literal),*]) => {
        #[test]
        fn $test() {
            let project = TestProject::fixture(concat!("errors/", $name));
            assert_snapshot!(project.run(&[$($arg),*]));
        }
    };
}

fixture!(duplicate_release, "duplicate-release", ["list"]);
fixture!(missing_chart, "missing-chart", ["list"]);
fixture!(
    missing_environment_values_file,
    "missing-environment-values-file",
    ["-e", "production", "list"]
);
fixture!(
    unknown_environment_helmfile,
    "unknown-environment-helmfile",
    ["-e", "prod", "list"]
);
fixture!(
    unknown_field_cluster,
    "unknown-field-cluster",
    ["-e", "production", "list"]
);
fixture!(missing_values_file, "missing-values-file", ["build"]);
fixture!(
    missing_values_file_warn,
    "missing-values-file-warn",
    ["build"]
);
fixture!(needs_cycle, "needs-cycle", ["list"]);
fixture!(
    needs_not_enabled,
    "needs-not-enabled",
    ["-e", "staging", "list"]
);
fixture!(needs_unknown, "needs-unknown", ["list"]);
fixture!(no_project, "no-project", ["list"]);
fixture!(
    unknown_environment,
    "unknown-environment",
    ["-e", "prod", "list"]
);
fixture!(unknown_field, "unknown-field", ["list"]);
fixture!(unknown_field_helmfile, "unknown-field-helmfile", ["list"]);
fixture!(
    unknown_release,
    "unknown-release",
    ["-e", "production", "list"]
);
fixture!(yaml_syntax, "yaml-syntax", ["list"]);
