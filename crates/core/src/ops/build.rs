//! `build`: the fully resolved state of the environment as YAML, one document per state file,
//! shaped like Helmfile's `build` output. Unlike Helmfile, values decrypted from secrets are
//! printed as `<secret>`.

use serde::Serialize;
use serde_yaml::{Mapping, Value};

use std::borrow::Cow;

use crate::project::{HelmDefaults, Project, Release, ReleaseSpec, Repository, masked};
use crate::values::{ValuesError, release_values};

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
    releases: Vec<Cow<'a, ReleaseSpec>>,
    renderedvalues: Value,
}

/// Why `build` failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// A release's values could not be loaded for `--embed-values`.
    #[error(transparent)]
    Values(#[from] ValuesError),
    /// The state could not be turned into YAML data.
    #[error("cannot write the state as YAML: {0}")]
    Yaml(#[from] serde_yaml::Error),
}

impl BuildError {
    /// A suggestion of what to do about the error, when there is one.
    pub fn hint(&self) -> Option<String> {
        match self {
            Self::Values(error) => error.hint(),
            Self::Yaml(_) => None,
        }
    }
}

/// The `build` output: for each state file `---`, a `#  Source:` comment and its resolved state
/// with the `selected` releases. With `embed_values`, each release's `values:` holds the
/// content of its values files (templates rendered) instead of their paths; `secrets:` stay paths.
pub fn render(
    project: &Project,
    selected: &[usize],
    embed_values: bool,
) -> Result<String, BuildError> {
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
                .map(|r| {
                    if embed_values {
                        embedded(project, r).map(Cow::Owned)
                    } else {
                        Ok(Cow::Borrowed(&r.spec))
                    }
                })
                .collect::<Result<_, BuildError>>()?,
            renderedvalues: masked(&state.values, &state.secret_paths),
        };
        out.push_str(&format!("---\n#  Source: {}\n\n", state.file.display()));
        out.push_str(&crate::yaml::to_string(&serde_yaml::to_value(&built)?));
    }
    Ok(out)
}

/// A release's spec with its values files' content in place of their paths.
fn embedded(project: &Project, release: &Release) -> Result<ReleaseSpec, BuildError> {
    let values = release_values(project, release)?;
    let mut spec = release.spec.clone();
    spec.values = values
        .files
        .iter()
        .filter(|file| !file.secret)
        .map(|file| file.parse(release))
        .collect::<Result<_, _>>()?;
    Ok(spec)
}
