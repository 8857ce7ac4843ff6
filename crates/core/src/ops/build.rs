//! `build`: the fully resolved state of the environment as YAML, one document per state file,
//! shaped like Helmfile's `build` output. Unlike Helmfile, values decrypted from secrets are
//! printed as `<secret>`.

use serde::Serialize;
use serde_yaml::{Mapping, Value};

use crate::project::{HelmDefaults, Project, ReleaseSpec, Repository, masked};

/// What one state file resolves to, in Helmfile's field order.
#[derive(Serialize)]
struct BuiltState<'a> {
    filepath: String,
    environments: Mapping,
    #[serde(rename = "helmDefaults")]
    helm_defaults: &'a HelmDefaults,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    repositories: &'a [Repository],
    #[serde(
        rename = "commonLabels",
        skip_serializing_if = "indexmap::IndexMap::is_empty"
    )]
    common_labels: &'a indexmap::IndexMap<String, String>,
    releases: Vec<&'a ReleaseSpec>,
    renderedvalues: Value,
}

/// The `build` output: for each state file `---`, a `#  Source:` comment and its resolved state
/// with the `selected` releases.
pub fn render(project: &Project, selected: &[usize]) -> Result<String, serde_yaml::Error> {
    let environment = &project.environment;
    let mut spec = Mapping::new();
    if let Some(context) = &environment.kube_context {
        spec.insert("kubeContext".into(), Value::String(context.clone()));
    }
    let mut environments = Mapping::new();
    environments.insert(
        Value::String(environment.name.clone()),
        Value::Mapping(spec),
    );
    let mut out = String::new();
    for (index, state) in project.states.iter().enumerate() {
        let built = BuiltState {
            filepath: state.file.display().to_string(),
            environments: environments.clone(),
            helm_defaults: &state.helm_defaults,
            repositories: &state.repositories,
            common_labels: &state.common_labels,
            releases: selected
                .iter()
                .map(|&i| &project.releases[i])
                .filter(|r| r.state == index)
                .map(|r| &r.spec)
                .collect(),
            renderedvalues: masked(&state.values, &state.secret_paths),
        };
        out.push_str(&format!("---\n#  Source: {}\n\n", state.file.display()));
        out.push_str(&serde_yaml::to_string(&built)?);
    }
    Ok(out)
}
