//! `list`, `build` and `graph` on small projects of both layouts: what a person sees before
//! deploying anything.

use insta::assert_snapshot;
use windlass_tests::TestProject;

/// Layout A: a catalog, two environments, overrides and automatic values/secrets files.
fn layout_a() -> TestProject {
    TestProject::new()
        .file(
            "charts.yaml",
            "
            repositories:
            - name: bitnami
              url: https://charts.bitnami.com/bitnami
            helmDefaults:
              wait: true
              timeout: 300
            releases:
              postgres:
                chart: bitnami/postgresql
                version: 15.5.0
                namespace: data
                labels: {tier: data}
                values:
                - common/postgres.yaml
              api:
                chart: ./charts/api
                namespace: backend
                needs: [data/postgres]
                labels: {tier: backend}
                set:
                - name: image.tag
                  value: '1.0'
              web:
                chart: ./charts/web
                namespace: frontend
                needs: [backend/api]
                labels: {tier: frontend}
            ",
        )
        .file("common/postgres.yaml", "auth:\n  database: app\n")
        .file(
            "environments/staging/cluster.yaml",
            "
            environment:
              kubeContext: staging-cluster
              values:
              - environments/staging/env.yaml
            releases:
              postgres:
              api:
                labels: {canary: 'true'}
            ",
        )
        .file(
            "environments/staging/env.yaml",
            "domain: staging.example.com\nreplicas: 1\n",
        )
        .file(
            "environments/production/cluster.yaml",
            "
            environment:
              kubeContext: prod-cluster
            releases:
              postgres:
                version: 15.6.0
                values:
                - common/postgres.yaml
                - environments/production/postgres-ha.yaml
              api:
                set:
                - name: replicas
                  value: '3'
              web:
            ",
        )
        .file(
            "environments/production/postgres-ha.yaml",
            "architecture: replication\n",
        )
        .file("environments/production/values/api.yaml", "replicas: 3\n")
        .file(
            "environments/production/values/web.yaml.gotmpl",
            "domain: {{ .Values.domain }}\n",
        )
}

#[test]
fn list_layout_a_staging() {
    assert_snapshot!(layout_a().run(&["-e", "staging", "list"]), @"
    exit: 0
    ----- stdout -----
    NAME    	NAMESPACE	ENABLED	INSTALLED	LABELS                                                       	CHART             	VERSION
    api     	backend  	true   	true     	canary:true,chart:api,name:api,namespace:backend,tier:backend	./charts/api
    postgres	data     	true   	true     	chart:postgresql,name:postgres,namespace:data,tier:data      	bitnami/postgresql	15.5.0
    ----- stderr -----
    ");
}

#[test]
fn list_layout_a_production_as_json() {
    assert_snapshot!(layout_a().run(&["-e", "production", "list", "--output", "json"]), @r#"
    exit: 0
    ----- stdout -----
    [{"name":"api","namespace":"backend","enabled":true,"installed":true,"labels":"chart:api,name:api,namespace:backend,tier:backend","chart":"./charts/api","version":""},{"name":"postgres","namespace":"data","enabled":true,"installed":true,"labels":"chart:postgresql,name:postgres,namespace:data,tier:data","chart":"bitnami/postgresql","version":"15.6.0"},{"name":"web","namespace":"frontend","enabled":true,"installed":true,"labels":"chart:web,name:web,namespace:frontend,tier:frontend","chart":"./charts/web","version":""}]
    ----- stderr -----
    "#);
}

#[test]
fn environment_variable_selects_the_environment() {
    let project = layout_a();
    let mut command = windlass_tests::windlass();
    command
        .args(["list"])
        .current_dir(project.path())
        .env("HELMFILE_ENVIRONMENT", "staging");
    assert_snapshot!(windlass_tests::render(command, project.path()), @"
    exit: 0
    ----- stdout -----
    NAME    	NAMESPACE	ENABLED	INSTALLED	LABELS                                                       	CHART             	VERSION
    api     	backend  	true   	true     	canary:true,chart:api,name:api,namespace:backend,tier:backend	./charts/api
    postgres	data     	true   	true     	chart:postgresql,name:postgres,namespace:data,tier:data      	bitnami/postgresql	15.5.0
    ----- stderr -----
    ");
}

#[test]
fn build_layout_a_production_merges_overrides_and_attaches_files() {
    assert_snapshot!(layout_a().run(&["-e", "production", "build"]), @r#"
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
    repositories:
      - name: bitnami
        url: https://charts.bitnami.com/bitnami
    releases:
      - chart: bitnami/postgresql
        version: 15.6.0
        name: postgres
        namespace: data
        labels:
          chart: postgresql
          name: postgres
          namespace: data
          tier: data
        values:
          - common/postgres.yaml
          - environments/production/postgres-ha.yaml
      - chart: ./charts/api
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
          - environments/production/values/api.yaml
        set:
          - name: replicas
            value: "3"
      - chart: ./charts/web
        needs:
          - backend/api
        name: web
        namespace: frontend
        labels:
          chart: web
          name: web
          namespace: frontend
          tier: frontend
        values:
          - environments/production/values/web.yaml.gotmpl
    templates: {}
    renderedvalues: {}
    ----- stderr -----
    "#);
}

#[test]
fn build_layout_a_with_state_values_set() {
    assert_snapshot!(
        layout_a().run(&["-e", "staging", "--state-values-set", "replicas=2,feature.on=true", "build"]),
        @r#"
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
    repositories:
      - name: bitnami
        url: https://charts.bitnami.com/bitnami
    releases:
      - chart: bitnami/postgresql
        version: 15.5.0
        name: postgres
        namespace: data
        labels:
          chart: postgresql
          name: postgres
          namespace: data
          tier: data
        values:
          - common/postgres.yaml
      - chart: ./charts/api
        needs:
          - data/postgres
        name: api
        namespace: backend
        labels:
          canary: "true"
          chart: api
          name: api
          namespace: backend
          tier: backend
        set:
          - name: image.tag
            value: "1.0"
    templates: {}
    renderedvalues:
      domain: staging.example.com
      replicas: 2
      feature:
        "on": true
    ----- stderr -----
    "#
    );
}

#[test]
fn graph_layout_a_production() {
    assert_snapshot!(layout_a().run(&["-e", "production", "graph"]), @"
    exit: 0
    ----- stdout -----
    GROUP  RELEASE        NEEDS
    1      data/postgres
    2      backend/api    data/postgres
    3      frontend/web   backend/api
    ----- stderr -----
    ");
}

#[test]
fn graph_layout_a_production_as_dot() {
    assert_snapshot!(layout_a().run(&["-e", "production", "graph", "--output", "dot"]), @r#"
    exit: 0
    ----- stdout -----
    digraph releases {
      node [shape=box];
      "backend/api" [tooltip="charts.yaml:15:3"];
      "data/postgres" [tooltip="charts.yaml:8:3"];
      "frontend/web" [tooltip="charts.yaml:23:3"];
      "backend/api" -> "data/postgres";
      "frontend/web" -> "backend/api";
    }
    ----- stderr -----
    "#);
}

#[test]
fn selector_filters_list() {
    assert_snapshot!(layout_a().run(&["-e", "production", "-l", "tier=backend", "-l", "name=web", "list"]), @"
    exit: 0
    ----- stdout -----
    NAME	NAMESPACE	ENABLED	INSTALLED	LABELS                                             	CHART       	VERSION
    api 	backend  	true   	true     	chart:api,name:api,namespace:backend,tier:backend  	./charts/api
    web 	frontend 	true   	true     	chart:web,name:web,namespace:frontend,tier:frontend	./charts/web
    ----- stderr -----
    ");
}

#[test]
fn selector_matching_nothing_exits_3() {
    assert_snapshot!(layout_a().run(&["-e", "production", "-l", "tier=nothing", "list"]), @"
    exit: 3
    ----- stdout -----
    ----- stderr -----
    warning: no release matches the selector tier=nothing
    ");
}

/// Layout B: a helmfile with environments, templates, bases, documents and conditions.
fn helmfile() -> TestProject {
    TestProject::new()
        .file(
            "bases/environments.yaml",
            "
            environments:
              default:
                values:
                - env/default.yaml
              production:
                kubeContext: prod
                values:
                - env/default.yaml
                - env/production.yaml
            ",
        )
        .file(
            "env/default.yaml",
            "monitoring:\n  enabled: false\nreplicas: 1\n",
        )
        .file(
            "env/production.yaml",
            "monitoring:\n  enabled: true\nreplicas: 3\n",
        )
        .file(
            "helmfile.yaml",
            "
            bases:
            - bases/environments.yaml
            ---
            repositories:
            - name: prometheus-community
              url: https://prometheus-community.github.io/helm-charts
            commonLabels:
              team: platform
            templates:
              default:
                namespace: apps
                wait: true
                values:
                - values/common.yaml
            releases:
            - name: api
              chart: ./charts/api
              inherit:
              - template: default
              labels: {tier: backend}
            - name: web
              chart: ./charts/web
              inherit:
              - template: default
                except: [values]
              needs: [api]
            - name: prometheus
              namespace: monitoring
              chart: prometheus-community/prometheus
              version: 25.0.0
              condition: monitoring.enabled
              installed: true
            ",
        )
        .file("values/common.yaml", "resources: {}\n")
}

#[test]
fn list_helmfile_default_environment() {
    assert_snapshot!(helmfile().run(&["list"]), @"
    exit: 0
    ----- stdout -----
    NAME      	NAMESPACE 	ENABLED	INSTALLED	LABELS                                                             	CHART                          	VERSION
    api       	apps      	true   	true     	chart:api,name:api,namespace:apps,team:platform,tier:backend       	./charts/api
    web       	apps      	true   	true     	chart:web,name:web,namespace:apps,team:platform                    	./charts/web
    prometheus	monitoring	false  	true     	chart:prometheus,name:prometheus,namespace:monitoring,team:platform	prometheus-community/prometheus	25.0.0
    ----- stderr -----
    ");
}

#[test]
fn list_helmfile_production_enables_the_conditional_release() {
    assert_snapshot!(helmfile().run(&["-e", "production", "list"]), @"
    exit: 0
    ----- stdout -----
    NAME      	NAMESPACE 	ENABLED	INSTALLED	LABELS                                                             	CHART                          	VERSION
    api       	apps      	true   	true     	chart:api,name:api,namespace:apps,team:platform,tier:backend       	./charts/api
    web       	apps      	true   	true     	chart:web,name:web,namespace:apps,team:platform                    	./charts/web
    prometheus	monitoring	true   	true     	chart:prometheus,name:prometheus,namespace:monitoring,team:platform	prometheus-community/prometheus	25.0.0
    ----- stderr -----
    ");
}

#[test]
fn build_helmfile_production() {
    assert_snapshot!(helmfile().run(&["-e", "production", "build"]), @"
    exit: 0
    ----- stdout -----
    ---
    #  Source: [PROJECT]/helmfile.yaml

    filepath: helmfile.yaml
    helmBinary: helm
    kustomizeBinary: kustomize
    environments:
      default:
        values:
          - env/default.yaml
      production:
        values:
          - env/default.yaml
          - env/production.yaml
        kubeContext: prod
    repositories:
      - name: prometheus-community
        url: https://prometheus-community.github.io/helm-charts
    commonLabels:
      team: platform
    releases:
      - chart: ./charts/api
        wait: true
        name: api
        namespace: apps
        labels:
          chart: api
          name: api
          namespace: apps
          team: platform
          tier: backend
        values:
          - values/common.yaml
      - chart: ./charts/web
        wait: true
        needs:
          - apps/api
        name: web
        namespace: apps
        labels:
          chart: web
          name: web
          namespace: apps
          team: platform
      - chart: prometheus-community/prometheus
        version: 25.0.0
        installed: true
        condition: monitoring.enabled
        name: prometheus
        namespace: monitoring
        labels:
          chart: prometheus
          name: prometheus
          namespace: monitoring
          team: platform
    templates:
      default:
        namespace: apps
        wait: true
        values:
          - values/common.yaml
    renderedvalues:
      monitoring:
        enabled: true
      replicas: 3
    ----- stderr -----
    ");
}

#[test]
fn graph_helmfile() {
    assert_snapshot!(helmfile().run(&["graph"]), @"
    exit: 0
    ----- stdout -----
    GROUP  RELEASE                NEEDS
    1      apps/api
    1      monitoring/prometheus
    2      apps/web               apps/api
    ----- stderr -----
    ");
}

#[test]
fn namespace_flag_overrides_every_release() {
    assert_snapshot!(helmfile().run(&["-n", "sandbox", "list"]), @"
    exit: 0
    ----- stdout -----
    NAME      	NAMESPACE	ENABLED	INSTALLED	LABELS                                                          	CHART                          	VERSION
    api       	sandbox  	true   	true     	chart:api,name:api,namespace:sandbox,team:platform,tier:backend 	./charts/api
    prometheus	sandbox  	false  	true     	chart:prometheus,name:prometheus,namespace:sandbox,team:platform	prometheus-community/prometheus	25.0.0
    web       	sandbox  	true   	true     	chart:web,name:web,namespace:sandbox,team:platform              	./charts/web
    ----- stderr -----
    ");
}

#[test]
fn sub_helmfiles_are_loaded_with_their_selectors_and_values() {
    let project = TestProject::new()
        .file(
            "helmfile.yaml",
            "
            helmfiles:
            - path: apps/helmfile.yaml
              selectors: [tier=web]
              values:
              - region: eu
            - infra/*.yaml
            ",
        )
        .file(
            "apps/helmfile.yaml",
            "
            releases:
            - name: web
              chart: ../charts/web
              labels: {tier: web}
            - name: worker
              chart: ../charts/worker
              labels: {tier: jobs}
            ",
        )
        .file(
            "infra/dns.yaml",
            "releases:\n- name: external-dns\n  chart: ../charts/dns\n",
        );
    assert_snapshot!(project.run(&["list"]), @"
    exit: 0
    ----- stdout -----
    NAME        	NAMESPACE	ENABLED	INSTALLED	LABELS                                	CHART        	VERSION
    external-dns	         	true   	true     	chart:dns,name:external-dns,namespace:	../charts/dns
    web         	         	true   	true     	chart:web,name:web,namespace:,tier:web	../charts/web
    ----- stderr -----
    ");
}

#[test]
fn helmfile_d_folder_loads_every_file_in_order() {
    let project = TestProject::new()
        .file(
            "helmfile.d/10-data.yaml",
            "releases:\n- name: postgres\n  chart: ./pg\n",
        )
        .file(
            "helmfile.d/20-apps.yaml",
            "releases:\n- name: api\n  chart: ./api\n",
        );
    assert_snapshot!(project.run(&["list"]), @"
    exit: 0
    ----- stdout -----
    NAME    	NAMESPACE	ENABLED	INSTALLED	LABELS                           	CHART	VERSION
    api     	         	true   	true     	chart:api,name:api,namespace:    	./api
    postgres	         	true   	true     	chart:pg,name:postgres,namespace:	./pg
    ----- stderr -----
    ");
}
