//! The repository's example project (layout A, local charts, `.gotmpl` values, SOPS secrets)
//! rendered by real helm 3 and helm 4 in every environment.

use insta::assert_snapshot;
use windlass_tests::{TestProject, real_helm, render, windlass};

fn template(environment: &str, helm: u32) -> String {
    template_with(environment, helm, &[])
}

fn template_with(environment: &str, helm: u32, args: &[&str]) -> String {
    let project = TestProject::example();
    let mut command = windlass();
    command
        .arg("--helm-binary")
        .arg(real_helm(helm))
        .args(["-e", environment, "template"])
        .args(args)
        .current_dir(project.path())
        .env(
            "SOPS_AGE_KEY_FILE",
            project.path().join("environments-example/age-test-key.txt"),
        );
    render(command, project.path())
}

#[test]
fn development_with_helm_3() {
    assert_snapshot!(template("development", 3));
}

#[test]
fn staging_with_helm_3() {
    assert_snapshot!(template("staging", 3));
}

#[test]
fn production_with_helm_3() {
    assert_snapshot!(template("production", 3));
}

#[test]
fn helm_4_renders_the_same_as_helm_3() {
    for environment in ["development", "staging", "production"] {
        assert_eq!(
            template(environment, 4),
            template(environment, 3),
            "{environment}"
        );
    }
}

#[test]
fn the_native_renderer_prints_what_helm_3_prints() {
    for environment in ["development", "staging", "production"] {
        assert_eq!(
            template_with(environment, 3, &["--renderer", "native"]),
            template(environment, 3),
            "{environment}"
        );
    }
}

#[test]
fn build_embeds_rendered_values_but_not_secrets() {
    let project = TestProject::example();
    let mut command = windlass();
    command
        .args([
            "-e",
            "production",
            "-l",
            "name=api",
            "build",
            "--embed-values",
        ])
        .current_dir(project.path())
        .env(
            "SOPS_AGE_KEY_FILE",
            project.path().join("environments-example/age-test-key.txt"),
        );
    assert_snapshot!(render(command, project.path()), @"
    exit: 0
    ----- stdout -----
    ---
    #  Source: [PROJECT]/charts.yaml

    filepath: charts.yaml
    helmBinary: helm
    kustomizeBinary: kustomize
    helmDefaults:
      wait: true
      timeout: 300
      historyMax: 5
      createNamespace: true
    releases:
      - chart: ./charts/api
        version: 1.4.0
        needs:
          - data/postgres
        name: api
        namespace: backend
        labels:
          chart: api
          name: api
          namespace: backend
          tier: backend
        values:
          - database:
              host: postgres.data.svc
          - image:
              tag: 1.4.0
            logLevel: warn
            replicaCount: 3
        secrets:
          - environments-example/production/secrets/api.yaml
    templates: {}
    renderedvalues:
      domain: example.com
      replicas: 3
      logLevel: warn
      apiTag: 1.4.0
      ingressClass: nginx-public
    ----- stderr -----
    ");
}
