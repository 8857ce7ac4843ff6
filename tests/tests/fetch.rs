//! `fetch`: each selected release's chart into `--output-dir`, laid out as Helmfile 1.x lays it
//! out (`<dir>/<namespace>/<kubeContext>/<release>/<chart>/<version or latest>`).

use insta::assert_snapshot;
use windlass_tests::TestProject;

fn project() -> TestProject {
    TestProject::new()
        .file(
            "charts/app/Chart.yaml",
            "apiVersion: v2\nname: app\nversion: 1.0.0\n",
        )
        .file("charts/app/templates/cm.yaml", "kind: ConfigMap\n")
        .file(
            "helmfile.yaml",
            "
            repositories:
            - name: myrepo
              url: https://charts.example.org
            - name: registry
              url: registry.example.org/charts
              oci: true
            releases:
            - name: from-repo
              namespace: web
              chart: myrepo/nginx
              version: 1.2.3
            - name: from-registry
              kubeContext: prod
              chart: registry/redis
              version: 17.0.1
            - name: direct
              chart: oci://registry.example.org/charts/postgres
            - name: local
              chart: ./charts/app
            - name: off
              chart: myrepo/nginx
              installed: false
            ",
        )
}

/// The files under `dir`, relative to it, sorted.
fn files(dir: &std::path::Path) -> Vec<String> {
    windlass_tests::files_below(dir)
        .iter()
        .filter_map(|path| path.strip_prefix(dir).ok())
        .map(|relative| relative.display().to_string())
        .collect()
}

#[test]
fn charts_are_pulled_into_helmfile_s_layout_and_local_charts_copied() {
    let project = project();
    assert_snapshot!(
        project.run_recorded(&["--concurrency", "1", "--oci-plain-http", "fetch", "--output-dir", "out"]),
        @"
    exit: 0
    ----- stdout -----
    ----- stderr -----
    Adding repo myrepo https://charts.example.org
    from-repo     | fetching myrepo/nginx
    from-registry | fetching oci://registry.example.org/charts/redis
    direct        | fetching oci://registry.example.org/charts/postgres
    local         | fetching charts/app
    ----- helm calls -----
    helm repo add myrepo https://charts.example.org --force-update
    helm pull myrepo/nginx --version 1.2.3 --untar --untardir out/web/from-repo/myrepo/nginx/1.2.3
    helm pull oci://registry.example.org/charts/redis --version 17.0.1 --plain-http --untar --untardir out/prod/from-registry/redis/17.0.1
    helm pull oci://registry.example.org/charts/postgres --plain-http --untar --untardir out/direct/postgres/latest
    "
    );
    assert_eq!(
        files(&project.path().join("out")),
        [
            "local/app/latest/Chart.yaml",
            "local/app/latest/templates/cm.yaml"
        ]
    );
}

#[test]
fn a_custom_output_dir_template_sees_the_chart_and_the_release() {
    let project = project();
    assert_snapshot!(
        project.run_recorded(&[
            "-l", "name=from-repo",
            "fetch", "--skip-deps", "--output-dir", "out",
            "--output-dir-template", "{{ .OutputDir }}/{{ .Environment.Name }}-{{ .Release.Name }}-{{ .ChartName }}-{{ .Release.Version }}",
        ]),
        @"
    exit: 0
    ----- stdout -----
    ----- stderr -----
    from-repo | fetching myrepo/nginx
    ----- helm calls -----
    helm pull myrepo/nginx --version 1.2.3 --untar --untardir out/default-from-repo-myrepo/nginx-1.2.3
    "
    );
}
