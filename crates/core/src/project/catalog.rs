//! Layout A: `charts.yaml` (the catalog of releases) plus `<environmentsDir>/<env>/cluster.yaml`
//! (which releases an environment runs, with overrides), and the per-environment
//! `values/<release>.yaml[.gotmpl]` and `secrets/<release>.yaml` files attached automatically.

use std::path::{Path, PathBuf};

use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::Deserialize;
use serde_yaml::{Mapping, Value};

use crate::graph::GraphError;
use crate::location::Location;
use crate::project::error::{ProjectError, closest};
use crate::project::fields::{At, decode};
use crate::project::layers::Layers;
use crate::project::merge::{Policy, merge};
use crate::project::release::{MissingFileHandler, ReleaseSpec};
use crate::project::resolve::{RawRelease, dir_of, resolve};
use crate::project::source::{Document, Segment, read_documents};
use crate::project::state::{EnvironmentSpec, HelmDefaults, Repository};
use crate::project::state_values::{
    EntryContext, TemplateEnvironment, apply_command_line, load_entries, load_secrets,
};
use crate::project::{Environment, Layout, LoadOptions, Project, StateFile, display_dir};

/// `charts.yaml`: the releases that exist and what applies to all environments.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(
    deny_unknown_fields,
    title = "charts.yaml",
    description = "The release catalog of a windlass project: every release once, and what applies to all environments."
)]
pub(super) struct Catalog {
    /// The folder holding one folder per environment, each with a `cluster.yaml` (default
    /// `environments`), relative to this file.
    #[serde(default)]
    environments_dir: Option<String>,
    /// Chart repositories and OCI registries the releases' charts come from.
    #[serde(default)]
    repositories: Vec<Repository>,
    /// Settings every release takes unless it sets its own.
    #[schemars(with = "Option<HelmDefaults>")]
    #[serde(default)]
    helm_defaults: HelmDefaults,
    /// Every release, by name; an environment runs those its `cluster.yaml` lists.
    #[schemars(with = "IndexMap<String, ReleaseSpec>")]
    #[serde(default)]
    releases: IndexMap<String, Value>,
    /// What to do when a values or secrets file is missing (default `Error`).
    #[serde(default)]
    missing_file_handler: Option<MissingFileHandler>,
    /// Labels added to every release (they win over the releases' own).
    #[serde(default)]
    common_labels: IndexMap<String, String>,
    /// API versions the charts see in `.Capabilities.APIVersions`, for releases that set none.
    #[serde(default)]
    api_versions: Vec<String>,
    /// The Kubernetes version the charts see, for releases that set none.
    #[serde(default)]
    kube_version: Option<String>,
}

/// `<environmentsDir>/<env>/cluster.yaml`: the environment and the releases it runs.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[schemars(
    deny_unknown_fields,
    title = "cluster.yaml",
    description = "One environment of a windlass project: its settings and the releases of charts.yaml it runs."
)]
pub(super) struct Cluster {
    /// The environment: its state values, secrets and kube context.
    #[serde(default)]
    environment: Option<EnvironmentSpec>,
    /// The releases this environment runs, by their name in `charts.yaml`: empty (`api:`) to
    /// run one as declared, or the fields that change here (maps merge, lists replace).
    #[schemars(with = "IndexMap<String, Option<ReleaseSpec>>")]
    #[serde(default)]
    releases: IndexMap<String, Value>,
}

fn key(name: &str) -> Segment {
    Segment::Key(name.to_string())
}

/// The first document of a YAML file (an empty file is an empty map).
fn first_document(full: &Path, shown: &Path) -> Result<Document, ProjectError> {
    let mut documents = read_documents(full, shown)?;
    Ok(if documents.is_empty() {
        crate::project::source::parse_documents(shown, "{}")?.remove(0)
    } else {
        documents.remove(0)
    })
}

/// Loads the layout-A project whose catalog is `catalog_file` (relative to `options.dir`).
pub(crate) fn load(options: &LoadOptions, catalog_file: &Path) -> Result<Project, ProjectError> {
    let root_shown = dir_of(catalog_file);
    let root = options.dir.join(&root_shown);
    let catalog_doc = first_document(&options.dir.join(catalog_file), catalog_file)?;
    let catalog: Catalog = decode(
        &catalog_doc.value,
        &At(&catalog_doc.map, &[]),
        "charts.yaml",
    )?;
    for (name, entry) in &catalog.releases {
        decode::<ReleaseSpec>(
            entry,
            &At(&catalog_doc.map, &[key("releases"), key(name)]),
            &format!("release \"{name}\""),
        )?;
    }

    let environments_dir = root_shown.join(
        catalog
            .environments_dir
            .as_deref()
            .unwrap_or("environments"),
    );
    let environments = list_environments(&options.dir.join(&environments_dir));
    let name = &options.environment;
    if !environments.contains(name) {
        return Err(ProjectError::UnknownEnvironment {
            location: Location::file(&environments_dir),
            name: name.clone(),
            defined: environments,
        });
    }
    let env_shown = environments_dir.join(name);
    let cluster_file = env_shown.join("cluster.yaml");
    let cluster_doc = first_document(&options.dir.join(&cluster_file), &cluster_file)?;
    let cluster: Cluster = decode(
        &cluster_doc.value,
        &At(&cluster_doc.map, &[]),
        "cluster.yaml",
    )?;
    let spec = cluster.environment.unwrap_or_default();
    if let Some(environment) = cluster_doc
        .value
        .get("environment")
        .filter(|v| !v.is_null())
    {
        decode::<EnvironmentSpec>(
            environment,
            &At(&cluster_doc.map, &[key("environment")]),
            "environment",
        )?;
    }

    let missing = catalog
        .missing_file_handler
        .unwrap_or(MissingFileHandler::Error);
    let mut diagnostics = Vec::new();
    let owner = format!("environment \"{name}\"");
    let context = EntryContext {
        base_dir: &root,
        shown_dir: &root_shown,
        missing: spec.missing_file_handler.unwrap_or(missing),
        owner: &owner,
        what: "values file",
        templates: Some(TemplateEnvironment {
            name,
            kube_context: spec.kube_context.as_deref().unwrap_or_default(),
            namespace: options.namespace.as_deref().unwrap_or_default(),
            options,
        }),
    };
    let locate = |i: usize| {
        cluster_doc
            .map
            .locate(&[key("environment"), key("values"), Segment::Index(i)])
    };
    let mut values = load_entries(&spec.values, &context, &locate, &mut diagnostics)?;
    let secrets_context = EntryContext {
        what: "secrets file",
        ..context
    };
    let locate_secret = |i: usize| {
        cluster_doc
            .map
            .locate(&[key("environment"), key("secrets"), Segment::Index(i)])
    };
    let (secrets, secret_paths) = load_secrets(
        &spec.secrets,
        &secrets_context,
        &locate_secret,
        &options.decrypt,
        &mut diagnostics,
    )?;
    merge(&mut values, secrets, Policy::Values);
    apply_command_line(options, &mut values)?;
    let environment = Environment {
        name: name.clone(),
        kube_context: spec.kube_context.clone(),
        values,
    };

    for release in cluster.releases.keys() {
        if !catalog.releases.contains_key(release) {
            return Err(ProjectError::UndefinedRelease {
                location: cluster_doc.map.locate(&[key("releases"), key(release)]),
                name: release.clone(),
                charts: catalog_file.display().to_string(),
                suggestion: closest(release, catalog.releases.keys().map(String::as_str)),
            });
        }
    }
    // Releases come in charts.yaml order: the catalog is the one list every environment shares.
    let mut raw = Vec::new();
    for (release, base) in &catalog.releases {
        let Some(entry) = cluster.releases.get(release) else {
            continue;
        };
        let at = [key("releases"), key(release)];
        if !entry.is_null() {
            decode::<ReleaseSpec>(
                entry,
                &At(&cluster_doc.map, &at),
                &format!("release \"{release}\""),
            )?;
        }
        let mut value = match base {
            Value::Mapping(m) => Value::Mapping(m.clone()),
            _ => Value::Mapping(Mapping::new()),
        };
        if !entry.is_null() {
            merge(&mut value, entry.clone(), Policy::Values);
        }
        if let Some(mapping) = value.as_mapping_mut() {
            mapping.insert("name".into(), Value::String(release.clone()));
            attach_environment_files(mapping, &options.dir, &env_shown, release);
        }
        let mut layers = Layers::single(catalog_doc.map.clone(), at.to_vec());
        layers.push(cluster_doc.map.clone(), at.to_vec());
        raw.push(RawRelease {
            value,
            layers,
            state: 0,
        });
    }

    let states = vec![StateFile {
        file: catalog_file.to_path_buf(),
        base_dir: root,
        shown_dir: root_shown,
        helm_defaults: catalog.helm_defaults,
        repositories: catalog.repositories,
        lock_file: None,
        selectors: None,
        values: environment.values.clone(),
        secret_paths,
        hooks: Vec::new(),
        helm_binary: None,
        common_labels: catalog.common_labels,
        api_versions: catalog.api_versions,
        kube_version: catalog.kube_version,
        missing_file_handler: missing,
        namespace: None,
        kube_context: None,
        document: serde_yaml::Value::Null,
    }];
    let (releases, graph) = resolve(raw, options, &environment, &states, &mut diagnostics)
        .map_err(|error| match error {
            ProjectError::Graph(GraphError::UnknownNeed {
                location,
                release,
                need,
                ..
            }) if catalog.releases.contains_key(need.name()) => ProjectError::NeedNotEnabled {
                location,
                release: release.to_string(),
                need: need.to_string(),
                cluster: cluster_file.display().to_string(),
            },
            other => other,
        })?;
    Ok(Project {
        root: display_dir(&options.dir),
        layout: Layout::ChartsAndEnvironments,
        environment,
        environments,
        options: options.clone(),
        states,
        releases,
        graph,
        diagnostics,
    })
}

/// The environments: sorted names of the folders of `dir` that hold a `cluster.yaml`.
fn list_environments(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.path().join("cluster.yaml").is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Appends `values/<release>.yaml`, `values/<release>.yaml.gotmpl` and `secrets/<release>.yaml`
/// of the environment folder to the release's `values`/`secrets`, when they exist.
fn attach_environment_files(release: &mut Mapping, dir: &Path, env_shown: &Path, name: &str) {
    let found = |relative: PathBuf| -> Option<Value> {
        let shown = env_shown.join(relative);
        dir.join(&shown)
            .is_file()
            .then(|| Value::String(shown.to_string_lossy().into_owned()))
    };
    let values: Vec<Value> = ["yaml", "yaml.gotmpl"]
        .into_iter()
        .filter_map(|ext| found(Path::new("values").join(format!("{name}.{ext}"))))
        .collect();
    let secrets: Vec<Value> = found(Path::new("secrets").join(format!("{name}.yaml")))
        .into_iter()
        .collect();
    for (field, files) in [("values", values), ("secrets", secrets)] {
        if files.is_empty() {
            continue;
        }
        let list = release
            .entry(Value::String(field.into()))
            .or_insert(Value::Sequence(Vec::new()));
        if let Value::Sequence(list) = list {
            list.extend(files);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::project::test_support::{project_in, write};

    #[test]
    fn environment_overrides_deep_merge_maps_and_replace_lists() {
        let dir = project_in(&[
            (
                "charts.yaml",
                "releases:\n  api:\n    chart: ./api\n    labels: {a: '1', b: '2'}\n    values: [base.yaml]\n",
            ),
            ("base.yaml", "x: 1\n"),
            ("over.yaml", "y: 2\n"),
            (
                "environments/prod/cluster.yaml",
                "releases:\n  api:\n    labels: {b: '3'}\n    values: [over.yaml]\n",
            ),
        ]);
        let project = Project::load(&LoadOptions {
            dir: dir.path().to_path_buf(),
            environment: "prod".into(),
            ..Default::default()
        })
        .unwrap_or_else(|e| panic!("{e}"));
        let spec = &project.releases[0].spec;
        assert_eq!(
            serde_yaml::to_string(&spec.labels).unwrap_or_default(),
            "a: '1'\nb: '3'\nchart: api\nname: api\nnamespace: ''\n",
            "maps deep-merge; Helmfile 1.x adds the automatic labels"
        );
        assert_eq!(spec.values, vec![Value::String("over.yaml".into())]);
        assert_eq!(project.releases[0].location.to_string(), "charts.yaml:2:3");
    }

    #[test]
    fn environment_files_are_attached_in_order() {
        let dir = project_in(&[
            (
                "charts.yaml",
                "environmentsDir: envs\nreleases:\n  web:\n    chart: ./web\n    values: [common.yaml]\n",
            ),
            ("common.yaml", "{}\n"),
            ("envs/dev/cluster.yaml", "releases:\n  web:\n"),
            ("envs/dev/values/web.yaml", "a: 1\n"),
            ("envs/dev/values/web.yaml.gotmpl", "b: 2\n"),
            ("envs/dev/secrets/web.yaml", "c: 3\n"),
        ]);
        write(dir.path(), "envs/dev/values/other.yaml", "{}\n");
        let project = Project::load(&LoadOptions {
            dir: dir.path().to_path_buf(),
            environment: "dev".into(),
            ..Default::default()
        })
        .unwrap_or_else(|e| panic!("{e}"));
        let spec = &project.releases[0].spec;
        let strings = |list: &[Value]| {
            list.iter()
                .filter_map(|v| v.as_str().map(String::from))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            strings(&spec.values),
            [
                "common.yaml",
                "envs/dev/values/web.yaml",
                "envs/dev/values/web.yaml.gotmpl"
            ]
        );
        assert_eq!(strings(&spec.secrets), ["envs/dev/secrets/web.yaml"]);
        assert_eq!(project.environments, ["dev"]);
    }
}
