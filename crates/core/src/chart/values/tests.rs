//! Values as templates see them, for the examples of helm's documentation (charts.md "Values
//! Files", "Scope, Dependencies, and Values", "Global Values", "Tags and Condition fields",
//! "Importing Child Values via dependencies"; helm.md "Deleting a default key"). Where helm 3.17
//! does not do what the documentation says, the test follows helm (checked with helm 3.17.3)
//! and says so.

use std::path::Path;

use crate::chart::{Chart, ReleaseOptions, render};
use crate::template::Value;

/// Writes `files` (path, content) into a temporary chart folder and loads it.
fn chart(files: &[(&str, &str)]) -> Chart {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    for (path, content) in files {
        let full = dir.path().join(path);
        if let Some(parent) = full.parent() {
            std::fs::create_dir_all(parent).unwrap_or_else(|e| panic!("mkdir {parent:?}: {e}"));
        }
        std::fs::write(&full, content).unwrap_or_else(|e| panic!("write {full:?}: {e}"));
    }
    Chart::load(dir.path()).unwrap_or_else(|e| panic!("load: {e}"))
}

/// The user's values (one values file's YAML).
fn user(yaml: &str) -> Value {
    crate::chart::merge_values(
        &[crate::values::ValuesFile {
            source: None,
            content: yaml.to_owned().into(),
            secret: false,
        }],
        &[],
        Path::new("."),
    )
    .unwrap_or_else(|e| panic!("values: {e}"))
}

/// What `helm template` prints for `chart` with `values`, without the `# Source` lines.
fn rendered(chart: &Chart, values: &Value) -> String {
    let out = render(chart, values, &ReleaseOptions::new("rel", "ns"))
        .unwrap_or_else(|e| panic!("render: {e}"));
    out.manifests
        .lines()
        .filter(|l| !l.starts_with("# Source") && *l != "---")
        .collect::<Vec<_>>()
        .join("\n")
}

const PARENT: &str = "apiVersion: v2\nname: mychart\nversion: 0.1.0\n";

/// charts.md "Scope, Dependencies, and Values" and "Global Values": a subchart sees its own
/// section of the parent's values, and `global` everywhere; the parent wins over the
/// subchart's defaults.
#[test]
fn subcharts_see_their_section_and_globals() {
    let c = chart(&[
        ("Chart.yaml", PARENT),
        (
            "values.yaml",
            "favorite:\n  drink: coffee\nmysubchart:\n  dessert: ice cream\nglobal:\n  salad: caesar\n",
        ),
        ("templates/v.yaml", "parent: {{ toJson .Values }}\n"),
        (
            "charts/mysubchart/Chart.yaml",
            "apiVersion: v2\nname: mysubchart\nversion: 0.1.0\n",
        ),
        (
            "charts/mysubchart/values.yaml",
            "dessert: cake\nglobal:\n  salad: house\n  only_child: x\n",
        ),
        (
            "charts/mysubchart/templates/v.yaml",
            "sub: {{ toJson .Values }}\n",
        ),
    ]);
    assert_eq!(
        rendered(&c, &user("")),
        "sub: {\"dessert\":\"ice cream\",\"global\":{\"only_child\":\"x\",\"salad\":\"caesar\"}}\n\
         parent: {\"favorite\":{\"drink\":\"coffee\"},\"global\":{\"salad\":\"caesar\"},\"mysubchart\":{\"dessert\":\"ice cream\",\"global\":{\"only_child\":\"x\",\"salad\":\"caesar\"}}}"
    );
}

/// A user's value beats the parent's default, which beats the subchart's; a user's global
/// reaches the subchart.
#[test]
fn user_values_win_down_to_the_subchart() {
    let c = chart(&[
        ("Chart.yaml", PARENT),
        ("values.yaml", "sub:\n  size: m\nglobal:\n  env: dev\n"),
        (
            "charts/sub/Chart.yaml",
            "apiVersion: v2\nname: sub\nversion: 0.1.0\n",
        ),
        ("charts/sub/values.yaml", "size: s\nname: sub\n"),
        (
            "charts/sub/templates/v.yaml",
            "sub: {{ .Values.size }} {{ .Values.name }} {{ .Values.global.env }}\n",
        ),
    ]);
    assert_eq!(
        rendered(&c, &user("global:\n  env: prod\n")),
        "sub: m sub prod"
    );
    assert_eq!(rendered(&c, &user("sub:\n  size: xl\n")), "sub: xl sub dev");
}

/// helm.md "Deleting a default key": a `null` removes the chart's default.
#[test]
fn null_deletes_a_default_key() {
    let c = chart(&[
        ("Chart.yaml", PARENT),
        (
            "values.yaml",
            "livenessProbe:\n  httpGet:\n    path: /user/login\n    port: http\n  initialDelaySeconds: 120\n",
        ),
        (
            "templates/v.yaml",
            "probe: {{ toJson .Values.livenessProbe }}\n",
        ),
    ]);
    assert_eq!(
        rendered(
            &c,
            &user(
                "livenessProbe:\n  httpGet: null\n  exec:\n    command: [cat, docroot/CHANGELOG.txt]\n"
            )
        ),
        "probe: {\"exec\":{\"command\":[\"cat\",\"docroot/CHANGELOG.txt\"]},\"initialDelaySeconds\":120}"
    );
}

/// Numbers come through JSON as float64, as helm reads values: a large one prints in
/// exponent form.
#[test]
fn numbers_are_float64() {
    let c = chart(&[
        ("Chart.yaml", PARENT),
        ("values.yaml", "big: 1000000\nsmall: 3\n"),
        (
            "templates/v.yaml",
            "v: {{ .Values.big }} {{ .Values.small }} {{ typeOf .Values.small }}\n",
        ),
    ]);
    assert_eq!(rendered(&c, &user("")), "v: 1e+06 3 float64");
}

const TAGGED: &str = "apiVersion: v2\nname: mychart\nversion: 0.1.0\ndependencies:\n- name: subchart1\n  version: 0.1.0\n  condition: subchart1.enabled,global.subchart1.enabled\n  tags: [front-end, subchart1]\n- name: subchart2\n  version: 0.1.0\n  condition: subchart2.enabled,global.subchart2.enabled\n  tags: [back-end, subchart2]\n";

fn tagged_chart(values: &str) -> Chart {
    chart(&[
        ("Chart.yaml", TAGGED),
        ("values.yaml", values),
        (
            "charts/subchart1/Chart.yaml",
            "apiVersion: v2\nname: subchart1\nversion: 0.1.0\n",
        ),
        ("charts/subchart1/templates/v.yaml", "on: subchart1\n"),
        (
            "charts/subchart2/Chart.yaml",
            "apiVersion: v2\nname: subchart2\nversion: 0.1.0\n",
        ),
        ("charts/subchart2/templates/v.yaml", "on: subchart2\n"),
    ])
}

/// charts.md "Tags and Condition fields": a condition wins over tags; a false tag disables
/// the charts it tags, a true one enables them.
#[test]
fn conditions_win_over_tags() {
    let c =
        tagged_chart("subchart1:\n  enabled: true\ntags:\n  front-end: false\n  back-end: true\n");
    assert_eq!(rendered(&c, &user("")), "on: subchart1\non: subchart2");
    assert_eq!(
        rendered(&c, &user("tags:\n  back-end: false\n")),
        "on: subchart1"
    );
    assert_eq!(
        rendered(&c, &user("subchart1:\n  enabled: false\n")),
        "on: subchart2"
    );
}

/// The first path of a condition that holds a boolean decides; `global.` paths work.
#[test]
fn the_first_boolean_condition_path_decides() {
    let c = tagged_chart("");
    assert_eq!(
        rendered(&c, &user("global:\n  subchart2:\n    enabled: false\n")),
        "on: subchart1"
    );
    assert_eq!(
        rendered(
            &c,
            &user("subchart2:\n  enabled: true\nglobal:\n  subchart2:\n    enabled: false\n")
        ),
        "on: subchart1\non: subchart2"
    );
}

const IMPORTING: &str = "apiVersion: v2\nname: parent\nversion: 0.1.0\ndependencies:\n- name: subchart1\n  version: 0.1.0\n  import-values:\n  - child: default.data\n    parent: myimports\n  - data\n";

/// charts.md "Importing Child Values": the `exports` form puts the child's `exports.data`
/// at the parent's top level; the child-parent form copies `default.data` under `myimports`.
/// The documentation shows the imported `myint: 999` winning over the parent's `myint: 0`;
/// helm 3.17 keeps the parent's value (a key the parent does not set is imported).
#[test]
fn import_values_in_both_forms() {
    let c = chart(&[
        ("Chart.yaml", IMPORTING),
        (
            "values.yaml",
            "myimports:\n  myint: 0\n  mystring: helm rocks!\n",
        ),
        (
            "templates/v.yaml",
            "{{ toJson (omit .Values \"subchart1\") }}\n",
        ),
        (
            "charts/subchart1/Chart.yaml",
            "apiVersion: v2\nname: subchart1\nversion: 0.1.0\n",
        ),
        (
            "charts/subchart1/values.yaml",
            "default:\n  data:\n    myint: 999\n    mybool: true\nexports:\n  data:\n    exported: 99\n",
        ),
    ]);
    assert_eq!(
        rendered(&c, &user("")),
        "{\"exported\":99,\"myimports\":{\"mybool\":true,\"myint\":0,\"mystring\":\"helm rocks!\"}}"
    );
}

/// An alias renames a subchart: its values and templates go by the alias, and one chart can
/// be used twice.
#[test]
fn an_alias_is_a_second_subchart() {
    let c = chart(&[
        (
            "Chart.yaml",
            "apiVersion: v2\nname: parent\nversion: 0.1.0\ndependencies:\n- name: db\n  version: 0.1.0\n- name: db\n  version: 0.1.0\n  alias: replica\n",
        ),
        ("values.yaml", "replica:\n  role: replica\n"),
        (
            "charts/db/Chart.yaml",
            "apiVersion: v2\nname: db\nversion: 0.1.0\n",
        ),
        ("charts/db/values.yaml", "role: primary\n"),
        (
            "charts/db/templates/v.yaml",
            "{{ .Chart.Name }}: {{ .Values.role }} {{ .Template.Name }}\n",
        ),
    ]);
    assert_eq!(
        rendered(&c, &user("")),
        "db: primary parent/charts/db/templates/v.yaml\nreplica: replica parent/charts/replica/templates/v.yaml"
    );
}
