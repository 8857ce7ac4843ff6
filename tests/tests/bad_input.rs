//! Every kind of bad project input fails at load time, for every command, with exit 1, the file and
//! line to fix, and a hint — never a panic.

use insta::assert_snapshot;
use windlass_tests::TestProject;

const CHARTS: &str = "
    releases:
      api:
        chart: ./charts/api
        namespace: backend
      web:
        chart: ./charts/web
        namespace: frontend
        needs: [backend/api]
";

#[test]
fn no_project_in_the_folder() {
    assert_snapshot!(TestProject::new().run(&["list"]), @"
    exit: 1
    ----- stdout -----
    ----- stderr -----
    error: [PROJECT]: no charts.yaml, helmfile.yaml, helmfile.yaml.gotmpl or helmfile.d/ found
      hint: run windlass in the project folder, or name the state file with -f FILE
    ");
}

#[test]
fn yaml_syntax_error_points_at_line_and_column() {
    let project =
        TestProject::new().file("charts.yaml", "releases:\n  api:\n    chart: [unclosed\n");
    assert_snapshot!(project.run(&["list"]), @"
    exit: 1
    ----- stdout -----
    ----- stderr -----
    error: charts.yaml:4:1: invalid YAML: did not find expected ',' or ']'
      hint: check the indentation and quoting around that position
    ");
}

#[test]
fn unknown_environment_lists_the_defined_ones() {
    let project = TestProject::new()
        .file("charts.yaml", CHARTS)
        .file("environments/staging/cluster.yaml", "releases:\n  api:\n")
        .file(
            "environments/production/cluster.yaml",
            "releases:\n  api:\n",
        );
    assert_snapshot!(project.run(&["-e", "prod", "list"]), @r#"
    exit: 1
    ----- stdout -----
    ----- stderr -----
    error: environments: environment "prod" is not defined (did you mean "production"?); defined: production, staging
      hint: pass one of the defined environments with -e NAME
    "#);
}

#[test]
fn release_enabled_but_not_defined_suggests_the_closest_name() {
    let project = TestProject::new().file("charts.yaml", CHARTS).file(
        "environments/prod/cluster.yaml",
        "releases:\n  api:\n  wbe:\n",
    );
    assert_snapshot!(project.run(&["-e", "prod", "list"]), @r#"
    exit: 1
    ----- stdout -----
    ----- stderr -----
    error: environments/prod/cluster.yaml:3:3: release "wbe" is not defined in charts.yaml
      hint: define the release under `releases:` in charts.yaml, or fix the name
    "#);
}

#[test]
fn unknown_release_field_in_the_catalog_names_the_closest_field() {
    let project = TestProject::new()
        .file(
            "charts.yaml",
            "releases:\n  api:\n    chart: ./charts/api\n    namespce: backend\n",
        )
        .file("environments/prod/cluster.yaml", "releases:\n  api:\n");
    assert_snapshot!(project.run(&["-e", "prod", "build"]), @r#"
    exit: 1
    ----- stdout -----
    ----- stderr -----
    error: charts.yaml:4:5: unknown field "namespce" in release "api" (did you mean "namespace"?)
      hint: field names are case-sensitive; see the Helmfile release spec
    "#);
}

#[test]
fn unknown_release_field_in_an_environment_override() {
    let project = TestProject::new().file("charts.yaml", CHARTS).file(
        "environments/prod/cluster.yaml",
        "releases:\n  api:\n    waitt: true\n",
    );
    assert_snapshot!(project.run(&["-e", "prod", "graph"]), @r#"
    exit: 1
    ----- stdout -----
    ----- stderr -----
    error: environments/prod/cluster.yaml:3:5: unknown field "waitt" in release "api" (did you mean "wait"?)
      hint: field names are case-sensitive; see the Helmfile release spec
    "#);
}

#[test]
fn unknown_release_field_in_a_helmfile() {
    let project = TestProject::new().file(
        "helmfile.yaml",
        "
        releases:
        - name: api
          chart: ./charts/api
          createNamespce: true
        ",
    );
    assert_snapshot!(project.run(&["list"]), @r#"
    exit: 1
    ----- stdout -----
    ----- stderr -----
    error: helmfile.yaml:4:3: unknown field "createNamespce" in release "api" (did you mean "createNamespace"?)
      hint: field names are case-sensitive; see the Helmfile release spec
    "#);
}

#[test]
fn duplicate_release_ids() {
    let project = TestProject::new().file(
        "helmfile.yaml",
        "
        releases:
        - name: api
          namespace: backend
          chart: ./charts/api
        - name: api
          namespace: backend
          chart: ./charts/api-v2
        ",
    );
    assert_snapshot!(project.run(&["list"]), @r#"
    exit: 1
    ----- stdout -----
    ----- stderr -----
    error: helmfile.yaml:5:3: duplicate release "backend/api", first defined at helmfile.yaml:2:3
      hint: give one of them another name or namespace
    "#);
}

#[test]
fn needs_naming_an_unknown_release() {
    let project = TestProject::new().file("charts.yaml", CHARTS).file(
        "environments/prod/cluster.yaml",
        "releases:\n  web:\n    needs: [backend/apii]\n  api:\n",
    );
    assert_snapshot!(project.run(&["-e", "prod", "list"]), @r#"
    exit: 1
    ----- stdout -----
    ----- stderr -----
    error: environments/prod/cluster.yaml:3:13: release "frontend/web" needs "backend/apii", which is not defined (did you mean "backend/api"?)
      hint: write [[kubeContext/]namespace/]name; a bare name means the same namespace and kubeContext as the release
    "#);
}

#[test]
fn dependency_cycle_is_printed_with_its_path() {
    let project = TestProject::new().file(
        "helmfile.yaml",
        "
        releases:
        - name: a
          chart: ./c
          needs: [c]
        - name: b
          chart: ./c
          needs: [a]
        - name: c
          chart: ./c
          needs: [b]
        ",
    );
    assert_snapshot!(project.run(&["list"]), @"
    exit: 1
    ----- stdout -----
    ----- stderr -----
    error: helmfile.yaml:4:11: dependency cycle: a -> c -> b -> a
      a (defined at helmfile.yaml:2:3) needs c at helmfile.yaml:4:11
      c (defined at helmfile.yaml:8:3) needs b at helmfile.yaml:10:11
      b (defined at helmfile.yaml:5:3) needs a at helmfile.yaml:7:11
      hint: remove one of these needs entries to break the cycle
    ");
}

#[test]
fn missing_values_file_is_an_error_by_default() {
    let project = TestProject::new().file(
        "helmfile.yaml",
        "
        releases:
        - name: api
          chart: ./charts/api
          values:
          - values/api.yaml
        ",
    );
    assert_snapshot!(project.run(&["list"]), @r#"
    exit: 1
    ----- stdout -----
    ----- stderr -----
    error: helmfile.yaml:5:5: release "api": values file "values/api.yaml" does not exist
      hint: create the file, fix the path, or set `missingFileHandler: Warn` to skip missing files
    "#);
}

#[test]
fn missing_values_file_with_warn_handler_is_skipped_with_a_warning() {
    let project = TestProject::new().file(
        "helmfile.yaml",
        "
        releases:
        - name: api
          chart: ./charts/api
          missingFileHandler: Warn
          values:
          - values/api.yaml
        ",
    );
    assert_snapshot!(project.run(&["list"]), @r#"
    exit: 0
    ----- stdout -----
    NAME	NAMESPACE	ENABLED	INSTALLED	LABELS                       	CHART       	VERSION
    api 	         	true   	true     	chart:api,name:api,namespace:	./charts/api
    ----- stderr -----
    warning: helmfile.yaml:6:5: release "api": values file "values/api.yaml" does not exist
    "#);
}

#[test]
fn missing_environment_values_file_in_layout_a() {
    let project = TestProject::new().file("charts.yaml", CHARTS).file(
        "environments/prod/cluster.yaml",
        "environment:\n  values:\n  - environments/prod/env.yaml\nreleases:\n  api:\n",
    );
    assert_snapshot!(project.run(&["-e", "prod", "list"]), @r#"
    exit: 1
    ----- stdout -----
    ----- stderr -----
    error: environments/prod/cluster.yaml:3:5: environment "prod": values file "environments/prod/env.yaml" does not exist
      hint: create the file, fix the path, or set `missingFileHandler: Warn` to skip missing files
    "#);
}

#[test]
fn unknown_environment_in_a_helmfile() {
    let project = TestProject::new().file(
        "helmfile.yaml",
        "
        environments:
          staging: {}
          production: {}
        releases:
        - name: api
          chart: ./charts/api
        ",
    );
    assert_snapshot!(project.run(&["-e", "qa", "list"]), @r#"
    exit: 1
    ----- stdout -----
    ----- stderr -----
    error: helmfile.yaml: environment "qa" is not defined; defined: production, staging
      hint: pass one of the defined environments with -e NAME
    "#);
}

#[test]
fn missing_values_file_of_a_release_not_installed_or_not_selected_is_fine() {
    let project = TestProject::new().file(
        "helmfile.yaml",
        "
        releases:
        - name: api
          chart: ./charts/api
        - name: old
          chart: ./charts/old
          installed: false
          values: [values/old.yaml]
        - name: other
          chart: ./charts/other
          secrets: [secrets/other.yaml]
        ",
    );
    assert_snapshot!(project.run(&["-l", "name!=other", "list"]), @"
    exit: 0
    ----- stdout -----
    NAME	NAMESPACE	ENABLED	INSTALLED	LABELS                       	CHART       	VERSION
    api 	         	true   	true     	chart:api,name:api,namespace:	./charts/api
    old 	         	true   	false    	chart:old,name:old,namespace:	./charts/old
    ----- stderr -----
    ");
}

#[test]
fn helmfile_state_values_and_secrets_errors_name_their_line() {
    // Each error points at the line of the entry that names the file, in the file that holds
    // it: a later `---` part, a base, an environment's secrets, a sub-helmfile entry.
    let base = "
        environments:
          default:
            values:
            - missing-from-base.yaml
        ";
    let cases = [
        "releases: []\n---\nvalues:\n- common.yaml\n- missing-common.yaml\n",
        "bases:\n- base.yaml\n",
        "environments:\n  default:\n    secrets:\n    - common.yaml\n",
        "helmfiles:\n- path: common.yaml\n  values:\n  - missing-passed.yaml\n",
    ];
    let outputs: Vec<String> = cases
        .iter()
        .map(|helmfile| {
            TestProject::new()
                .file("helmfile.yaml", helmfile)
                .file("base.yaml", base)
                .file("common.yaml", "password: not-encrypted\n")
                .run(&["list"])
        })
        .collect();
    assert_snapshot!(outputs.join("\n"));
}
