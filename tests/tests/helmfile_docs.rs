//! Helmfile's documented examples (plain-YAML fixtures under `tests/fixtures/helmfile-docs/`, each
//! accepted by the reference helmfile 0.166) load, validate and build under windlass.

use insta::assert_snapshot;
use windlass_tests::{TestProject, fixture_names};

fn build(topic: &str, file: &str) -> String {
    let project = TestProject::fixture("helmfile-docs");
    project.run(&["-f", &format!("{topic}/{file}"), "-e", "default", "build"])
}

#[test]
fn every_topic_has_a_snapshot() {
    let topics = fixture_names("helmfile-docs");
    let covered = [
        "bases",
        "common-labels",
        "environments",
        "helm-defaults",
        "helmfiles",
        "multi-document",
        "needs",
        "release-spec",
        "repositories",
        "templates-inherit",
    ];
    assert_eq!(topics, covered, "add a test below for each new topic");
}

macro_rules! topic {
    ($test:ident, $topic:literal, $file:literal) => {
        #[test]
        fn $test() {
            assert_snapshot!(build($topic, $file));
        }
    };
}

topic!(bases, "bases", "helmfile.yaml");
topic!(common_labels, "common-labels", "helmfile.yaml");
topic!(environments, "environments", "helmfile.yaml");
topic!(helm_defaults, "helm-defaults", "helmfile.yaml");
topic!(
    helm_defaults_v1_fields,
    "helm-defaults",
    "helmfile-v1-fields.yaml"
);
topic!(helmfiles, "helmfiles", "helmfile.yaml");
topic!(multi_document, "multi-document", "helmfile.yaml");
topic!(needs, "needs", "helmfile.yaml");
topic!(release_spec, "release-spec", "helmfile.yaml");
topic!(
    release_spec_v1_fields,
    "release-spec",
    "helmfile-v1-fields.yaml"
);
topic!(repositories, "repositories", "helmfile.yaml");
topic!(
    repositories_v1_fields,
    "repositories",
    "helmfile-v1-fields.yaml"
);
topic!(repositories_oci_release, "repositories", "oci-release.yaml");
topic!(templates_inherit, "templates-inherit", "helmfile.yaml");
