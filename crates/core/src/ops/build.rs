//! `build`: each state file as Helmfile 1.x prints it — a `#  Source:` comment with the state
//! file's absolute path, then its state: the fields as written (parts and bases merged,
//! templates rendered) in Helmfile's field order, with the selected releases resolved (templates
//! inherited, release templates rendered, automatic labels added, `needs` as
//! `[kubeContext/]namespace/name`) and the state values as `renderedvalues`. Unlike Helmfile,
//! values decrypted from secrets are printed as `<secret>`.

use serde_yaml::{Mapping, Value};

use crate::project::{Project, Release, StateFile, masked};
use crate::values::{ValuesError, ValuesReader};

/// Helmfile 1.x's order of a state file's fields (its `ReleaseSetSpec`), after `filepath`.
const STATE_FIELDS: [&str; 22] = [
    "helmBinary",
    "kustomizeBinary",
    "values",
    "environments",
    "bases",
    "helmDefaults",
    "helmfiles",
    "kubeContext",
    "namespace",
    "chart",
    "repositories",
    "commonLabels",
    "releases",
    "llm",
    "apiVersions",
    "kubeVersion",
    "hooks",
    "templates",
    "defaultInherit",
    "missingFileHandler",
    "missingFileHandlerConfig",
    "lockFilePath",
];

/// Helmfile 1.x's order of a release's fields (its `ReleaseSpec`).
const RELEASE_FIELDS: [&str; 86] = [
    "chart",
    "chartPath",
    "directory",
    "version",
    "verify",
    "keyring",
    "enableDNS",
    "devel",
    "wait",
    "waitRetries",
    "waitForJobs",
    "timeout",
    "recreatePods",
    "force",
    "installed",
    "updateStrategy",
    "atomic",
    "rollbackOnFailure",
    "cleanupOnFail",
    "forceConflicts",
    "historyMax",
    "condition",
    "createNamespace",
    "reuseValues",
    "disableOpenAPIValidation",
    "disableValidation",
    "disableValidationOnInstall",
    "missingFileHandler",
    "missingFileHandlerConfig",
    "needs",
    "hooks",
    "unitTests",
    "name",
    "description",
    "namespace",
    "labels",
    "values",
    "secrets",
    "set",
    "setString",
    "valuesTemplate",
    "setTemplate",
    "apiVersions",
    "kubeVersion",
    "env",
    "valuesPathPrefix",
    "kubeContext",
    "insecureSkipTLSVerify",
    "plainHttp",
    "verifyTemplate",
    "waitTemplate",
    "installedTemplate",
    "conditionTemplate",
    "dependencies",
    "jsonPatches",
    "strategicMergePatches",
    "transformers",
    "adopt",
    "forceGoGetter",
    "forceNamespace",
    "skipDeps",
    "skipRefresh",
    "postRenderer",
    "skipSchemaValidation",
    "postRendererArgs",
    "cascade",
    "suppressOutputLineRegex",
    "disableAutoDetectedKubeVersionForDiff",
    "inherit",
    "suppressDiff",
    "deleteWait",
    "deleteTimeout",
    "syncReleaseLabels",
    "takeOwnership",
    "serverSide",
    "trackMode",
    "trackTimeout",
    "trackLogs",
    "trackFailedLogs",
    "helmStuckGrace",
    "trackKinds",
    "skipKinds",
    "trackResources",
    "kubedogQPS",
    "kubedogBurst",
    "trackFailOnError",
];

/// Helmfile 1.x's order of a repository's fields (its `RepositorySpec`).
const REPOSITORY_FIELDS: [&str; 15] = [
    "name",
    "url",
    "caFile",
    "certFile",
    "keyFile",
    "username",
    "password",
    "registryConfig",
    "managed",
    "oci",
    "verify",
    "keyring",
    "passCredentials",
    "skipTLSVerify",
    "plainHttp",
];

/// Helmfile 1.x's order of an environment's fields (its `EnvironmentSpec`).
const ENVIRONMENT_FIELDS: [&str; 6] = [
    "values",
    "secrets",
    "kubeContext",
    "missingFileHandler",
    "missingFileHandlerConfig",
    "mergeStrategy",
];

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

/// The `build` output: for each state file `---`, a `#  Source:` comment and its state with the
/// `selected` releases. With `embed_values`, each release's `values:` holds the content of its
/// values files (templates rendered) instead of their paths; `secrets:` stay paths.
pub fn render(
    project: &Project,
    selected: &[usize],
    embed_values: bool,
) -> Result<String, BuildError> {
    let mut out = String::new();
    let mut reader = ValuesReader::new(project);
    for (index, state) in project.states.iter().enumerate() {
        let releases = selected
            .iter()
            .map(|&i| &project.releases[i])
            .filter(|r| r.state == index)
            .map(|r| release(&mut reader, r, embed_values))
            .collect::<Result<Vec<Value>, BuildError>>()?;
        let mut document = Mapping::new();
        document.insert(
            "filepath".into(),
            Value::String(
                state
                    .file
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
            ),
        );
        for field in STATE_FIELDS {
            if let Some(value) = state_field(state, field, &releases)? {
                document.insert(field.into(), value);
            }
        }
        document.insert(
            "renderedvalues".into(),
            masked(&state.values, &state.secret_paths),
        );
        let absolute = std::path::absolute(project.root.join(&state.file))
            .unwrap_or_else(|_| project.root.join(&state.file));
        out.push_str(&format!(
            "---\n#  Source: {}\n\n",
            crate::plan::clean(&absolute).display()
        ));
        out.push_str(&crate::yaml::to_v3_string(&Value::Mapping(document)));
    }
    Ok(out)
}

/// One field of a state file's document, as Helmfile prints it (`None`: left out).
fn state_field(
    state: &StateFile,
    field: &str,
    releases: &[Value],
) -> Result<Option<Value>, BuildError> {
    let written = state.document.get(field).filter(|v| !is_empty(v)).cloned();
    Ok(match field {
        // Helmfile fills in its defaults.
        "helmBinary" => Some(Value::String(
            state.helm_binary.clone().unwrap_or_else(|| "helm".into()),
        )),
        "kustomizeBinary" => written.or_else(|| Some(Value::String("kustomize".into()))),
        "releases" => (!releases.is_empty()).then(|| Value::Sequence(releases.to_vec())),
        // Always printed, as Helmfile's field has no omitempty.
        "templates" => Some(written.unwrap_or_else(|| Value::Mapping(Mapping::new()))),
        // Layout A has no document: its typed fields stand in.
        "helmDefaults" if state.document.is_null() => {
            Some(serde_yaml::to_value(&state.helm_defaults)?).filter(|v| !is_empty(v))
        }
        "repositories" if state.document.is_null() => {
            Some(serde_yaml::to_value(&state.repositories)?).filter(|v| !is_empty(v))
        }
        "repositories" => written.map(|list| each(list, &REPOSITORY_FIELDS)),
        "environments" => written.map(|environments| match environments {
            Value::Mapping(map) => Value::Mapping(
                map.into_iter()
                    .map(|(name, spec)| {
                        let spec = match spec {
                            Value::Null => Value::Mapping(Mapping::new()),
                            spec => ordered(spec, &ENVIRONMENT_FIELDS),
                        };
                        (name, spec)
                    })
                    .collect(),
            ),
            other => other,
        }),
        _ => written,
    })
}

/// A selected release as Helmfile prints it.
fn release(
    reader: &mut ValuesReader<'_>,
    release: &Release,
    embed_values: bool,
) -> Result<Value, BuildError> {
    let mut spec = release.spec.clone();
    if embed_values {
        let values = reader.release_values(release)?;
        spec.values = values
            .files
            .iter()
            .filter(|file| !file.secret)
            .map(|file| file.parse(release))
            .collect::<Result<_, _>>()?;
    }
    spec.needs = spec
        .needs
        .iter()
        .map(|need| need_id(need, &spec.namespace, &spec.kube_context))
        .collect();
    Ok(ordered(serde_yaml::to_value(&spec)?, &RELEASE_FIELDS))
}

/// A `needs:` entry as Helmfile 1.x rewrites it: `[kubeContext/]namespace/name`, the
/// namespace and context the release's own when the entry leaves them out.
fn need_id(need: &str, namespace: &Option<String>, kube_context: &Option<String>) -> String {
    let parts: Vec<&str> = need.split('/').collect();
    let name = parts[parts.len() - 1];
    let namespace = match parts.len() {
        1 => namespace.clone().unwrap_or_default(),
        n => parts[n - 2].to_string(),
    };
    let kube_context = match parts.len() {
        n if n > 2 => parts[..n - 2].join("/"),
        _ => kube_context.clone().unwrap_or_default(),
    };
    let mut id = Vec::new();
    if !kube_context.is_empty() {
        id.push(kube_context.clone());
    }
    if !kube_context.is_empty() || !namespace.is_empty() {
        id.push(namespace);
    }
    id.push(name.to_string());
    id.join("/")
}

/// Each mapping of a list with its keys in `order`.
fn each(list: Value, order: &[&str]) -> Value {
    match list {
        Value::Sequence(items) => {
            Value::Sequence(items.into_iter().map(|v| ordered(v, order)).collect())
        }
        other => other,
    }
}

/// A mapping with the keys of `order` first, in that order, then the others as they were.
fn ordered(value: Value, order: &[&str]) -> Value {
    let Value::Mapping(mut map) = value else {
        return value;
    };
    let mut out = Mapping::new();
    for key in order {
        if let Some(value) = map.remove(*key) {
            out.insert(Value::String((*key).into()), value);
        }
    }
    out.extend(map);
    Value::Mapping(out)
}

/// Whether Helmfile's `omitempty` leaves a value out.
fn is_empty(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Sequence(items) => items.is_empty(),
        Value::Mapping(map) => map.is_empty(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::need_id;

    #[test]
    fn needs_are_written_as_helmfile_1_ids() {
        let ns = Some("apps".to_string());
        let none = None;
        let ctx = Some("prod".to_string());
        assert_eq!(need_id("db", &ns, &none), "apps/db");
        assert_eq!(need_id("data/db", &ns, &none), "data/db");
        assert_eq!(need_id("db", &none, &none), "db");
        assert_eq!(need_id("db", &ns, &ctx), "prod/apps/db");
        assert_eq!(need_id("east/data/db", &ns, &ctx), "east/data/db");
        assert_eq!(need_id("db", &none, &ctx), "prod//db");
    }
}
