//! The plan's answers, checked on small projects: kube contexts, charts, repositories, desired
//! states, the fields it refuses, and that nothing decrypted shows in `Debug`.

use std::sync::Arc;

use super::*;
use crate::helm::HelmVersion;
use crate::project::LoadOptions;
use crate::project::test_support::project_in;
use crate::secrets::{AgeIdentities, DecryptOptions};

fn load(files: &[(&str, &str)], environment: &str, kube_context: Option<&str>) -> Project {
    let dir = project_in(files);
    let options = LoadOptions {
        dir: dir.path().to_path_buf(),
        environment: environment.into(),
        kube_context: kube_context.map(String::from),
        ..Default::default()
    };
    let project = Project::load(&options).unwrap_or_else(|e| panic!("{e}"));
    // The folder must outlive the project for plans that read values.
    std::mem::forget(dir);
    project
}

fn plan(project: &Project, options: &PlanOptions) -> Result<Plan, String> {
    Plan::build(project, &Selection::default(), options).map_err(|e| e.to_string())
}

fn bare() -> PlanOptions {
    PlanOptions {
        prepare: false,
        ..PlanOptions::default()
    }
}

/// `(name, kube context)` of each release.
fn contexts(plan: &Plan) -> Vec<(String, Option<String>)> {
    plan.releases
        .iter()
        .map(|r| (r.name.clone(), r.kube_context.clone()))
        .collect()
}

const CONTEXTS: &str = "
environments:
  prod:
    kubeContext: env-ctx
---
releases:
- {name: own, chart: ./c, kubeContext: own-ctx}
- {name: inherited, chart: ./c}
";

#[test]
fn the_kube_context_is_the_release_s_else_the_environment_s() {
    let project = load(&[("helmfile.yaml", CONTEXTS)], "prod", None);
    let planned = plan(&project, &bare()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        contexts(&planned),
        [
            ("own".into(), Some("own-ctx".into())),
            ("inherited".into(), Some("env-ctx".into())),
        ]
    );
}

#[test]
fn kube_context_on_the_command_line_overrides_every_release_as_in_helmfile() {
    let project = load(&[("helmfile.yaml", CONTEXTS)], "prod", Some("cli-ctx"));
    let planned = plan(&project, &bare()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        contexts(&planned),
        [
            ("own".into(), Some("cli-ctx".into())),
            ("inherited".into(), Some("cli-ctx".into())),
        ]
    );
}

#[test]
fn helm_defaults_context_applies_to_releases_without_one() {
    let helmfile = "
environments:
  prod:
    kubeContext: env-ctx
---
helmDefaults:
  kubeContext: defaults-ctx
releases:
- {name: a, chart: ./c}
";
    let project = load(&[("helmfile.yaml", helmfile)], "prod", None);
    let planned = plan(&project, &bare()).unwrap_or_else(|e| panic!("{e}"));
    // Helmfile 1.x puts helmDefaults.kubeContext on releases that set none (ExecuteTemplates).
    assert_eq!(
        contexts(&planned),
        [("a".into(), Some("defaults-ctx".into()))]
    );
    assert_eq!(
        planned.releases[0].defaults_kube_context.as_deref(),
        Some("defaults-ctx")
    );
}

#[test]
fn layout_a_releases_take_the_environment_context() {
    let project = load(
        &[
            ("charts.yaml", "releases:\n  api:\n    chart: ./api\n"),
            (
                "environments/prod/cluster.yaml",
                "environment:\n  kubeContext: prod-eu\nreleases:\n  api:\n",
            ),
        ],
        "prod",
        None,
    );
    let planned = plan(&project, &bare()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(contexts(&planned), [("api".into(), Some("prod-eu".into()))]);
}

#[test]
fn charts_of_oci_repositories_become_registry_references_and_only_used_repositories_are_needed() {
    let helmfile = "
repositories:
- {name: unused, url: 'https://unused.example.com'}
- {name: bitnami, url: 'https://charts.bitnami.com/bitnami'}
- {name: ghcr, url: ghcr.io/org/charts, oci: true}
releases:
- {name: db, chart: bitnami/postgresql, version: 15.0.0}
- {name: app, chart: ghcr/app}
- {name: off, chart: bitnami/redis, installed: false}
";
    let project = load(&[("helmfile.yaml", helmfile)], "default", None);
    let planned = plan(&project, &bare()).unwrap_or_else(|e| panic!("{e}"));
    let charts: Vec<String> = planned
        .releases
        .iter()
        .map(|r| r.chart.to_string())
        .collect();
    assert_eq!(
        charts,
        [
            "bitnami/postgresql",
            "oci://ghcr.io/org/charts/app",
            "bitnami/redis"
        ]
    );
    let needed: Vec<&str> = planned
        .repositories
        .iter()
        .map(|r| r.name.as_str())
        .collect();
    assert_eq!(needed, ["bitnami", "ghcr"]);
    let desired: Vec<Desired> = planned.releases.iter().map(|r| r.desired).collect();
    assert_eq!(
        desired,
        [Desired::Install, Desired::Install, Desired::Uninstall]
    );
}

#[test]
fn fields_windlass_does_not_act_on_are_errors_with_their_line() {
    let helmfile =
        "releases:\n- name: a\n  chart: ./c\n  jsonPatches:\n  - {target: {kind: Deployment}}\n";
    let project = load(&[("helmfile.yaml", helmfile)], "default", None);
    assert_eq!(
        plan(&project, &PlanOptions::default()).map(|_| ()),
        Err("helmfile.yaml:4:3: release \"a\": \"jsonPatches\" is not supported yet".into())
    );
    // Commands that only look at the state still work.
    assert!(plan(&project, &bare()).is_ok());
}

#[test]
fn fields_helmfile_ignores_too_are_warnings() {
    let helmfile = "releases:\n- name: a\n  chart: ./c\n  waitRetries: 3\n";
    let project = load(&[("helmfile.yaml", helmfile)], "default", None);
    let planned = plan(&project, &PlanOptions::default()).unwrap_or_else(|e| panic!("{e}"));
    let warnings: Vec<String> = planned
        .diagnostics
        .iter()
        .map(|d| format!("{}: {}", d.location, d.message))
        .collect();
    assert_eq!(
        warnings,
        [
            "helmfile.yaml:4:3: release \"a\": \"waitRetries\" is ignored: helm removed --wait-retries, and Helmfile 1.x ignores it too"
        ]
    );
}

#[test]
fn unknown_hook_events_are_errors() {
    let helmfile = "releases:\n- name: a\n  chart: ./c\n  hooks:\n  - {name: h, events: [pre-sync], command: echo}\n";
    let project = load(&[("helmfile.yaml", helmfile)], "default", None);
    assert_eq!(
        plan(&project, &bare()).map(|_| ()),
        Err("helmfile.yaml:5:5: hook \"h\": unknown event \"pre-sync\"".into())
    );
}

#[test]
fn settings_that_need_helm_4_are_errors_with_helm_3() {
    let helmfile = "releases:\n- name: a\n  chart: ./c\n  forceConflicts: true\n";
    let project = load(&[("helmfile.yaml", helmfile)], "default", None);
    let helm = |major| PlanOptions {
        helm_version: Some(HelmVersion {
            major,
            minor: 1,
            patch: 0,
        }),
        ..PlanOptions::default()
    };
    assert_eq!(
        plan(&project, &helm(3)).map(|_| ()),
        Err("helmfile.yaml:4:3: release \"a\": forceConflicts requires Helm 4 or greater (helm is v3.1.0)".into())
    );
    assert!(plan(&project, &helm(4)).is_ok());
}

#[test]
fn legacy_env_entries_become_one_set_flag() {
    let helmfile =
        "releases:\n- name: a\n  chart: ./c\n  env:\n  - {name: image.tag, value: TAG}\n";
    let dir = project_in(&[("helmfile.yaml", helmfile)]);
    let options = |env: &[(&str, &str)]| LoadOptions {
        dir: dir.path().to_path_buf(),
        environment: "default".into(),
        env: Arc::new(
            env.iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        ),
        ..Default::default()
    };
    let project = Project::load(&options(&[("TAG", "v1,2")])).unwrap_or_else(|e| panic!("{e}"));
    let planned = plan(&project, &bare()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        planned.releases[0].values.set_flags,
        ["--set", "image.tag=v1\\,2"]
    );
    let project = Project::load(&options(&[])).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        plan(&project, &bare()).map(|_| ()),
        Err("helmfile.yaml:4:3: release \"a\": environment variable \"TAG\" (env: image.tag) is not set".into())
    );
}

#[test]
fn nothing_decrypted_shows_in_debug_output() {
    let root = crate::project::test_support::repo_root();
    let key = root.join("environments-example/age-test-key.txt");
    let encrypted =
        std::fs::read_to_string(root.join("environments-example/production/secrets/postgres.yaml"))
            .unwrap_or_else(|e| panic!("{e}"));
    let dir = project_in(&[
        (
            "helmfile.yaml",
            "environments:\n  default:\n    secrets: [secrets.yaml]\n---\nreleases:\n- {name: db, chart: ./c, secrets: [secrets.yaml]}\n",
        ),
        ("secrets.yaml", &encrypted),
    ]);
    let identities = AgeIdentities::discover(&|name: &str| {
        (name == "SOPS_AGE_KEY_FILE").then(|| key.display().to_string())
    })
    .unwrap_or_else(|e| panic!("{e}"));
    let options = LoadOptions {
        dir: dir.path().to_path_buf(),
        environment: "default".into(),
        decrypt: Arc::new(DecryptOptions {
            identities,
            ..Default::default()
        }),
        ..Default::default()
    };
    let project = Project::load(&options).unwrap_or_else(|e| panic!("{e}"));
    let planned = plan(&project, &PlanOptions::default()).unwrap_or_else(|e| panic!("{e}"));
    let written = &planned.releases[0].values.files[0];
    assert!(written.secret);
    let secret = "example-production-db-password";
    assert!(
        written.content.contains(secret),
        "the test needs a known secret"
    );
    let shown = format!("{project:?}\n{planned:?}");
    assert!(!shown.contains(secret), "plaintext in Debug output");
    assert!(shown.contains("<secret>") && shown.contains("<redacted>"));
}

#[test]
fn releases_with_the_same_values_share_one_written_file() {
    let helmfile = "releases:
- {name: a, chart: ./c, values: [common.yaml, {replicas: 1}]}
- {name: b, chart: ./c, values: [common.yaml, {replicas: 2}]}
";
    let project = load(
        &[("helmfile.yaml", helmfile), ("common.yaml", "team: core\n")],
        "default",
        None,
    );
    let planned = plan(&project, &PlanOptions::default()).unwrap_or_else(|e| panic!("{e}"));
    let files: Vec<(String, String)> = planned
        .releases
        .iter()
        .flat_map(|r| &r.values.files)
        .map(|f| {
            let name = f.path.file_name().map(|n| n.to_string_lossy().into_owned());
            let text = std::fs::read_to_string(&f.path).unwrap_or_else(|e| panic!("{e}"));
            (name.unwrap_or_default(), text)
        })
        .collect();
    assert_eq!(
        files,
        [
            ("000--a-0.yaml".into(), "team: core\n".into()),
            ("000--a-1.yaml".into(), "replicas: 1\n".into()),
            ("000--a-0.yaml".into(), "team: core\n".into()),
            ("001--b-1.yaml".into(), "replicas: 2\n".into()),
        ]
    );
}

#[test]
fn a_chart_of_a_repository_nobody_declared_is_an_error_with_its_line() {
    let helmfile = "repositories:
- {name: stable, url: https://charts.example}
releases:
- {name: known, chart: stable/app}
- {name: added, chart: mine/app}
- name: typo
  chart: stabel/app
";
    let project = load(&[("helmfile.yaml", helmfile)], "default", None);
    let with = |known: Option<&[&str]>| PlanOptions {
        helm_repositories: known.map(|k| k.iter().map(|s| s.to_string()).collect()),
        ..PlanOptions::default()
    };
    let error = Plan::build(&project, &Selection::default(), &with(Some(&["mine"])))
        .err()
        .map(|e| (e.to_string(), e.hint()));
    assert_eq!(
        error,
        Some((
            "helmfile.yaml:7:3: release \"typo\": chart \"stabel/app\" names repository \"stabel\", which no state file declares and helm has not added".into(),
            Some("the state files declare stable; declare \"stabel\" under `repositories:` too, or add it with `helm repo add stabel URL`".into())
        ))
    );
    let error = plan(&project, &with(Some(&["stabel"]))).err();
    assert_eq!(
        error,
        Some("helmfile.yaml:5:17: release \"added\": chart \"mine/app\" names repository \"mine\", which no state file declares and helm has not added".into())
    );
    // Without helm's list the check is left to helm.
    assert_eq!(plan(&project, &with(None)).map(|p| p.releases.len()), Ok(3));
}
