//! `diff` and `apply` with the recording helm: the desired side is what `helm template` prints
//! (from fixtures), the deployed side what `helm history` and `helm get` print (`HELM_DRIVER=sql`,
//! a driver windlass reads through helm), so no cluster is needed. Exit codes, whole outputs and
//! the exact helm calls are the specification.

use std::path::{Path, PathBuf};

use insta::assert_snapshot;
use windlass_tests::TestProject;

const DEPLOYMENT: &str = "---
# Source: app/templates/deployment.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: NAME
spec:
  replicas: 2
  template:
    spec:
      containers:
      - name: app
        image: example/app:IMAGE
";

const CONFIG: &str = "---
# Source: app/templates/config.yaml
apiVersion: v1
kind: ConfigMap
metadata:
  name: NAME-config
data:
  mode: fast
";

const SECRET: &str = "---
# Source: app/templates/secret.yaml
apiVersion: v1
kind: Secret
metadata:
  name: NAME-auth
stringData:
  password: PASSWORD
";

/// The plaintext a secrets test must never find in any output.
const PASSWORD: &str = "hunter2-plaintext";

/// `web` (frontend) needs `api` (backend); `old` (jobs) has `installed: false`; all use the local
/// chart `app` 0.2.0.
fn project() -> TestProject {
    TestProject::new()
        .file(
            "helmfile.yaml",
            "
            releases:
            - name: api
              namespace: backend
              chart: ./charts/app
              labels: {tier: backend}
            - name: web
              namespace: frontend
              chart: ./charts/app
              needs: [backend/api]
            - name: old
              namespace: jobs
              chart: ./charts/app
              installed: false
            ",
        )
        .file(
            "charts/app/Chart.yaml",
            "apiVersion: v2\nname: app\nversion: 0.2.0\n",
        )
}

/// Writes what the recording helm answers for release `name`: `template` prints `desired`; when
/// `deployed` is set, `history` lists one revision (`status`, chart `app-VERSION`) and `get
/// manifest` prints it.
fn release(
    project: TestProject,
    name: &str,
    desired: &str,
    deployed: Option<(&str, &str, &str)>,
) -> TestProject {
    let desired = desired.replace("NAME", name);
    let project = project.file(&format!(".fixtures/{name}/template.yaml"), &desired);
    match deployed {
        None => project,
        Some((manifest, status, version)) => project
            .file(
                &format!(".fixtures/{name}/history.json"),
                &format!(
                    r#"[{{"revision":1,"status":"superseded","chart":"app-0.1.0"}},{{"revision":2,"status":"{status}","chart":"app-{version}"}}]"#
                ),
            )
            .file(
                &format!(".fixtures/{name}/manifest.yaml"),
                &manifest.replace("NAME", name),
            ),
    }
}

fn with_image(image: &str, parts: &[&str]) -> String {
    parts.iter().map(|p| p.replace("IMAGE", image)).collect()
}

/// Runs `windlass ARGS` with the recording helm answering from the project's fixtures.
fn run(project: &TestProject, args: &[&str]) -> String {
    run_with(project, args, &[])
}

/// [`run`] with extra environment variables for the recording helm. The desired side comes from
/// the recording helm's `template` fixtures, so `diff` and `apply` render with helm
/// (`--renderer helm`) unless the test chooses a renderer.
fn run_with(project: &TestProject, args: &[&str], env: &[(&str, &str)]) -> String {
    let mut args = args.to_vec();
    if !args.contains(&"--renderer")
        && let Some(at) = args.iter().position(|a| *a == "diff" || *a == "apply")
    {
        args.splice(at + 1..at + 1, ["--renderer", "helm"]);
    }
    let args = &args[..];
    let fixtures: PathBuf = project.path().join(".fixtures");
    let mut all: Vec<(&str, &Path)> = vec![
        ("RECORDING_HELM_FIXTURES", &fixtures),
        ("HELM_DRIVER", Path::new("sql")),
    ];
    all.extend(env.iter().map(|(k, v)| (*k, Path::new(*v))));
    project.run_recorded_with_env(&[&["--concurrency", "1"], args].concat(), &all)
}

/// Everything deployed as desired, `old` not installed.
fn in_sync() -> TestProject {
    let api = with_image("1.0", &[DEPLOYMENT, CONFIG]);
    let web = with_image("2.0", &[DEPLOYMENT]);
    let project = release(project(), "api", &api, Some((&api, "deployed", "0.2.0")));
    release(project, "web", &web, Some((&web, "deployed", "0.2.0")))
}

#[test]
fn in_sync_exits_0_with_a_one_line_summary() {
    assert_snapshot!(run(&in_sync(), &["diff", "--skip-deps", "--kube-version", "1.31.0", "--detailed-exitcode"]), @"
    exit: 0
    ----- stdout -----
    No changes: 3 of 3 release(s) in sync (release comparison)
    ----- stderr -----
    api | comparing charts/app
    old | comparing charts/app
    web | comparing charts/app
    ----- helm calls -----
    helm version --short
    helm template api charts/app --kube-version 1.31.0 --namespace backend --is-upgrade
    helm history api --namespace backend --max 10 --output json
    helm get manifest api --namespace backend --revision 2
    helm get hooks api --namespace backend --revision 2
    helm history old --namespace jobs --max 10 --output json
    helm template web charts/app --kube-version 1.31.0 --namespace frontend --is-upgrade
    helm history web --namespace frontend --max 10 --output json
    helm get manifest web --namespace frontend --revision 2
    helm get hooks web --namespace frontend --revision 2
    ");
}

/// `api`'s image changed, `web` lost its ConfigMap, `old` exists and must go.
fn changed() -> TestProject {
    let api_deployed = with_image("1.0", &[DEPLOYMENT, CONFIG]);
    let api_desired = with_image("1.1", &[DEPLOYMENT, CONFIG]);
    let web_deployed = with_image("2.0", &[DEPLOYMENT, CONFIG]);
    let web_desired = with_image("2.0", &[DEPLOYMENT]);
    let old = with_image("0.9", &[CONFIG]);
    let project = release(
        project(),
        "api",
        &api_desired,
        Some((&api_deployed, "deployed", "0.2.0")),
    );
    let project = release(
        project,
        "web",
        &web_desired,
        Some((&web_deployed, "deployed", "0.2.0")),
    );
    release(project, "old", "", Some((&old, "deployed", "0.1.0")))
}

#[test]
fn changed_image_removed_object_and_installed_false_exit_2_with_the_exact_diff() {
    assert_snapshot!(run(
        &changed(),
        &[
            "diff",
            "--skip-deps",
            "--kube-version",
            "1.31.0",
            "--detailed-exitcode",
            "--context",
            "2"
        ]
    ));
}

#[test]
fn simple_output_lists_objects_and_plans() {
    assert_snapshot!(run(
        &changed(),
        &[
            "diff",
            "--skip-deps",
            "--kube-version",
            "1.31.0",
            "--output",
            "simple"
        ]
    ));
}

/// `diff --detailed-exitcode` of the release `api` alone.
fn diff_api(project: &TestProject) -> String {
    let args = [
        "-l",
        "name=api",
        "diff",
        "--skip-deps",
        "--kube-version",
        "1.31.0",
    ];
    run(project, &[&args[..], &["--detailed-exitcode"]].concat())
}

#[test]
fn a_new_release_adds_everything() {
    let project = release(project(), "api", &with_image("1.0", &[CONFIG]), None);
    assert_snapshot!(diff_api(&project));
}

#[test]
fn a_failed_last_revision_is_a_change_even_when_the_manifests_match() {
    let api = with_image("1.0", &[CONFIG]);
    let project = release(project(), "api", &api, Some((&api, "failed", "0.2.0")));
    assert_snapshot!(diff_api(&project));
}

#[test]
fn a_selector_that_matches_nothing_exits_3() {
    assert_snapshot!(run(&in_sync(), &["-l", "name=nothing", "diff", "--detailed-exitcode"]), @"
    exit: 3
    ----- stdout -----
    ----- stderr -----
    warning: no release matches the selector name=nothing
    ----- helm calls -----
    helm version --short
    ");
}

#[test]
fn an_error_wins_over_changes_and_every_release_is_still_diffed() {
    let project = changed();
    let output = run_with(
        &project,
        &[
            "diff",
            "--skip-deps",
            "--kube-version",
            "1.31.0",
            "--detailed-exitcode",
            "--output",
            "simple",
        ],
        &[("RECORDING_HELM_FAIL", "template web")],
    );
    assert_snapshot!(output);
}

/// The password changed from `PASSWORD` to `PASSWORD-new`.
fn secret_changed() -> TestProject {
    let deployed = SECRET.replace("PASSWORD", PASSWORD);
    let desired = SECRET.replace("PASSWORD", &format!("{PASSWORD}-new"));
    release(
        project(),
        "api",
        &desired,
        Some((&deployed, "deployed", "0.2.0")),
    )
}

#[test]
fn secret_values_are_masked_in_every_output_format() {
    let project = secret_changed();
    let mut outputs = String::new();
    for format in ["diff", "simple", "json"] {
        let output = run(
            &project,
            &[
                "-l",
                "name=api",
                "diff",
                "--skip-deps",
                "--kube-version",
                "1.31.0",
                "--output",
                format,
            ],
        );
        let shown = output
            .split("----- helm calls -----")
            .next()
            .unwrap_or_default();
        for plaintext in [
            PASSWORD,
            "aHVudGVyMi1wbGFpbnRleHQ",
            "aHVudGVyMi1wbGFpbnRleHQtbmV3",
        ] {
            assert!(
                !shown.contains(plaintext),
                "{format} output shows {plaintext}:\n{shown}"
            );
        }
        outputs.push_str(&format!("=== --output {format}\n{shown}"));
    }
    assert_snapshot!(outputs);
}

#[test]
fn json_is_one_schema_valid_document_with_human_text_on_stderr() {
    let project = changed();
    let fixtures = project.path().join(".fixtures");
    let output = windlass_tests::windlass()
        .arg("--helm-binary")
        .arg(windlass_tests::sibling_binary("recording-helm"))
        .args([
            "--concurrency",
            "1",
            "diff",
            "--skip-deps",
            "--kube-version",
            "1.31.0",
            "--output",
            "json",
            "--detailed-exitcode",
            "--renderer",
            "helm",
        ])
        .current_dir(project.path())
        .env("RECORDING_HELM_FIXTURES", &fixtures)
        .env("HELM_DRIVER", "sql")
        .output()
        .unwrap_or_else(|e| panic!("cannot run windlass: {e}"));
    assert_eq!(output.status.code(), Some(2));
    let document: serde_json::Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("stdout is not one JSON document: {e}"));
    let schema: serde_json::Value = serde_json::from_str(windlass::diff::report::JSON_SCHEMA)
        .unwrap_or_else(|e| panic!("schema: {e}"));
    let validator = jsonschema::draft202012::new(&schema).unwrap_or_else(|e| panic!("schema: {e}"));
    let errors: Vec<String> = validator
        .iter_errors(&document)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    assert_snapshot!(format!(
        "{}\n----- stderr -----\n{}",
        serde_json::to_string_pretty(&document).unwrap_or_default(),
        String::from_utf8_lossy(&output.stderr)
    ));
}

#[test]
fn apply_upgrades_only_the_changed_releases_and_uninstalls_installed_false() {
    let project = changed();
    // `web` is in sync for apply: only `api` changes and `old` goes.
    let web = with_image("2.0", &[DEPLOYMENT]);
    let project = release(project, "web", &web, Some((&web, "deployed", "0.2.0")));
    let output = run_with(
        &project,
        &[
            "apply",
            "--skip-deps",
            "--kube-version",
            "1.31.0",
            "--detailed-exitcode",
            "--suppress-diff",
        ],
        &[("RECORDING_HELM_LIST", "old")],
    );
    assert_snapshot!(output);
}

#[test]
fn apply_with_nothing_to_do_changes_nothing() {
    assert_snapshot!(run(
        &in_sync(),
        &[
            "apply",
            "--skip-deps",
            "--kube-version",
            "1.31.0",
            "--detailed-exitcode"
        ]
    ));
}

#[test]
fn apply_stops_before_any_change_when_a_diff_fails() {
    let project = changed();
    let output = run_with(
        &project,
        &[
            "apply",
            "--skip-deps",
            "--kube-version",
            "1.31.0",
            "--suppress-diff",
        ],
        &[("RECORDING_HELM_FAIL", "template web")],
    );
    assert_snapshot!(output);
}

#[test]
fn bad_ignore_rules_are_errors_with_a_hint() {
    assert_snapshot!(run(&in_sync(), &["diff", "--ignore", "apps/Deployment"]), @r#"
    exit: 1
    ----- stdout -----
    ----- stderr -----
    error: --ignore "apps/Deployment": no ":" between the kind and the JSON pointer
      hint: write GROUP/KIND:/json/pointer, e.g. apps/Deployment:/spec/replicas (core kinds: Service:/spec/clusterIP)
    ----- helm calls -----
    helm version --short
    "#);
}

#[test]
fn helm_diff_plugin_arguments_are_ignored_with_a_warning() {
    let project = in_sync().file(
        "helmfile.yaml",
        "
        helmDefaults:
          diffArgs: [--three-way-merge]
        releases:
        - name: api
          namespace: backend
          chart: ./charts/app
        ",
    );
    assert_snapshot!(run(&project, &["diff", "--skip-deps", "--kube-version", "1.31.0"]), @"
    exit: 0
    ----- stdout -----
    No changes: 1 of 1 release(s) in sync (release comparison)
    ----- stderr -----
    warning: helmfile.yaml:4:3: helmDefaults.diffArgs are flags of the helm-diff plugin, which windlass does not use; they are ignored (diff's own flags, e.g. --context or --suppress-secrets, do the same)
    api | comparing charts/app
    ----- helm calls -----
    helm version --short
    helm template api charts/app --kube-version 1.31.0 --namespace backend --is-upgrade
    helm history api --namespace backend --max 10 --output json
    helm get manifest api --namespace backend --revision 2
    helm get hooks api --namespace backend --revision 2
    ");
}

/// [`project`]'s releases, each with a hook on every event, and a state file hook on `prepare`
/// and `cleanup`; every hook appends a line to hooks.log.
const HOOKED: &str = r#"
hooks:
- events: [prepare, cleanup]
  command: sh
  args: [-c, 'echo "state {{ .Event.Name }} command={{ .HelmfileCommand }}" >> hooks.log']
templates:
  logged: &logged
    chart: ./charts/app
    hooks:
    - events: [prepare, preapply, presync, postsync, preuninstall, postuninstall, cleanup]
      command: sh
      args: [-c, 'echo "{{ .Release.Name }} {{ .Event.Name }} command={{ .HelmfileCommand }}" >> hooks.log']
releases:
- name: api
  namespace: backend
  labels: {tier: backend}
  <<: *logged
- name: web
  namespace: frontend
  needs: [backend/api]
  <<: *logged
- name: old
  namespace: jobs
  installed: false
  <<: *logged
"#;

/// `apply --suppress-diff` of `project` with [`HOOKED`] as its helmfile (`old` listed by helm):
/// the run, then the lines its hooks wrote.
fn hooked_apply(project: TestProject) -> String {
    let project = project.file("helmfile.yaml", HOOKED);
    let output = run_with(
        &project,
        &[
            "apply",
            "--skip-deps",
            "--kube-version",
            "1.31.0",
            "--suppress-diff",
        ],
        &[("RECORDING_HELM_LIST", "old")],
    );
    let hooks = std::fs::read_to_string(project.path().join("hooks.log"))
        .unwrap_or_else(|e| panic!("no hook wrote hooks.log: {e}\n{output}"));
    format!("{output}----- hooks.log -----\n{hooks}")
}

/// `apply` runs hooks as Helmfile's apply does: `prepare` before the diff, `preapply` for every
/// selected release (dependents first), the changed releases with their sync hooks
/// (`.HelmfileCommand` is `sync` there: `old`, `installed: false`, is uninstalled between them),
/// `cleanup` for the release left alone, the state file's `cleanup` last.
#[test]
fn apply_runs_preapply_for_every_release_and_sync_hooks_for_the_changed_ones() {
    let web = with_image("2.0", &[DEPLOYMENT]);
    let project = release(changed(), "web", &web, Some((&web, "deployed", "0.2.0")));
    assert_snapshot!(hooked_apply(project));
}

/// With nothing to change, `apply` still runs `preapply` and every release's `cleanup`, as
/// Helmfile's apply does, and calls no helm command that changes anything.
#[test]
fn apply_with_nothing_to_change_still_runs_preapply_and_cleanup_hooks() {
    assert_snapshot!(hooked_apply(in_sync()));
}

/// A release whose chart chartify rewrites (`dependencies:`) is diffed and upgraded from the
/// rewritten chart, the one `sync` installs and `template` renders.
#[test]
fn apply_diffs_and_installs_the_rewritten_chart() {
    let project = TestProject::new()
        .file(
            "helmfile.yaml",
            "
            releases:
            - name: api
              namespace: backend
              chart: ./charts/app
              dependencies:
              - chart: ./charts/extra
                version: 0.1.0
            ",
        )
        .file(
            "charts/app/Chart.yaml",
            "apiVersion: v2\nname: app\nversion: 0.2.0\n",
        )
        .file(
            "charts/extra/Chart.yaml",
            "apiVersion: v2\nname: extra\nversion: 0.1.0\n",
        );
    let deployed = with_image("1.0", &[DEPLOYMENT]);
    let desired = with_image("1.1", &[DEPLOYMENT]);
    let project = release(
        project,
        "api",
        &desired,
        Some((&deployed, "deployed", "0.2.0")),
    );
    assert_snapshot!(run(&project, &["apply", "--kube-version", "1.31.0", "--suppress-diff"]), @"
    exit: 0
    ----- stdout -----
    ----- stderr -----
    api | rewrote the chart (dependencies, patches)
    api | comparing charts/app
    api | upgrading charts/app
    api | upgraded ([DURATION])

    RELEASE   NAMESPACE   ACTION    RESULT     DURATION
    api       backend     upgrade   upgraded   [DURATION]

    UPDATED RELEASES:
    NAME   NAMESPACE   CHART        VERSION   DURATION
    api    backend     charts/app   [DURATION]
    ----- helm calls -----
    helm version --short
    helm dependency update [VALUES]/000-api/chart
    helm template api [VALUES]/000-api/chart --kube-version 1.31.0 --namespace backend --is-upgrade
    helm history api --namespace backend --max 10 --output json
    helm get manifest api --namespace backend --revision 2
    helm get hooks api --namespace backend --revision 2
    helm upgrade --install api [VALUES]/000-api/chart --create-namespace --namespace backend --reset-values --history-max 10
    ");
}

/// [`changed`] with a chart whose templates print what the recording helm's `template`
/// fixture for `api` prints, so that the in-process renderer has something real to render.
fn changed_with_templates() -> TestProject {
    changed()
        .file("charts/app/values.yaml", "image: \"1.1\"\n")
        .file(
            "charts/app/templates/deployment.yaml",
            "apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}
spec:
  replicas: 2
  template:
    spec:
      containers:
      - name: app
        image: example/app:{{ .Values.image }}
",
        )
        .file(
            "charts/app/templates/config.yaml",
            "apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-config
data:
  mode: fast
",
        )
}

/// The desired side rendered in process: no `helm template` call, and the same report as when
/// helm renders it (the recording helm's fixture for `api` is what the chart renders).
#[test]
fn native_renderer_diffs_without_helm_template_and_reports_what_helm_does() {
    let project = changed_with_templates();
    let args = [
        "-l",
        "name=api",
        "diff",
        "--skip-deps",
        "--kube-version",
        "1.31.0",
    ];
    let with = |renderer: &str| {
        run(
            &project,
            &[&args[..], &["--detailed-exitcode", "--renderer", renderer]].concat(),
        )
    };
    let native = with("native");
    let helm = with("helm");
    let report = |run: &str| {
        run.split("----- helm calls -----")
            .next()
            .map(str::to_owned)
    };
    assert_eq!(report(&native), report(&helm));
    assert!(helm.contains("helm template api charts/app"), "{helm}");
    assert_snapshot!(native, @"
    exit: 2
    ----- stdout -----
    backend/api: upgrade (manifests differ from the deployed release)
    Deployment.apps backend/api: modify (release)
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: api
        namespace: backend
      spec:
        replicas: 2
        template:
          spec:
            containers:
            - name: app
    -         image: example/app:1.0
    +         image: example/app:1.1

    Plan: 0 to add, 1 to change, 0 to destroy; 1 of 1 release(s) change (release comparison)
    ----- stderr -----
    api | comparing charts/app
    ----- helm calls -----
    helm version --short
    helm history api --namespace backend --max 10 --output json
    helm get manifest api --namespace backend --revision 2
    helm get hooks api --namespace backend --revision 2
    ");
}
