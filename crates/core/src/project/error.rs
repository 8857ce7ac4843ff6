//! Everything that can be wrong with a project's files, each pointing at the file and line.

use std::path::PathBuf;

use crate::location::Location;

/// A project that cannot be loaded, with the place to fix it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ProjectError {
    /// No state file in the folder and none named with `-f`.
    #[error("{}: no charts.yaml, helmfile.yaml, helmfile.yaml.gotmpl or helmfile.d/ found", .dir.display())]
    NoProject {
        /// The folder that was searched.
        dir: PathBuf,
    },
    /// A file could not be read.
    #[error("{location}: cannot read: {source}")]
    Read {
        /// The file.
        location: Location,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// A file is not valid YAML.
    #[error("{location}: invalid YAML: {message}")]
    Yaml {
        /// Where the parser stopped.
        location: Location,
        /// What the parser said.
        message: String,
    },
    /// A mapping has a key that is not a known field.
    #[error("{location}: unknown field \"{field}\" in {context}{}", did_you_mean(.suggestion))]
    UnknownField {
        /// The key.
        location: Location,
        /// The unknown key.
        field: String,
        /// What the mapping is, e.g. `release "web"`.
        context: String,
        /// The closest known field.
        suggestion: Option<String>,
    },
    /// A field has a value of the wrong shape.
    #[error("{location}: {context}: {message}")]
    InvalidField {
        /// The value.
        location: Location,
        /// What the value belongs to, e.g. `release "web", field "wait"`.
        context: String,
        /// What is wrong.
        message: String,
    },
    /// A release lacks a field it cannot do without (`name`, `chart`).
    #[error("{location}: {context} has no {field}")]
    MissingField {
        /// The release.
        location: Location,
        /// What lacks it, e.g. `release "web"`.
        context: String,
        /// The missing field.
        field: &'static str,
    },
    /// `-e` names an environment the project does not define.
    #[error("{location}: environment \"{name}\" is not defined{}{}", did_you_mean(&closest(.name, .defined.iter().map(String::as_str))), defined_list(.defined))]
    UnknownEnvironment {
        /// Where environments are defined.
        location: Location,
        /// The requested environment.
        name: String,
        /// The environments that exist.
        defined: Vec<String>,
    },
    /// A `cluster.yaml` enables a release that `charts.yaml` does not define.
    #[error("{location}: release \"{name}\" is not defined in {charts}{}", did_you_mean(.suggestion))]
    UndefinedRelease {
        /// The entry in `cluster.yaml`.
        location: Location,
        /// The release name.
        name: String,
        /// The catalog file.
        charts: String,
        /// The closest defined release.
        suggestion: Option<String>,
    },
    /// A release needs one that the catalog defines but the environment does not enable.
    #[error("{location}: release \"{release}\" needs \"{need}\", which {cluster} does not enable")]
    NeedNotEnabled {
        /// The `needs` entry.
        location: Location,
        /// The needing release's id.
        release: String,
        /// The needed release's id.
        need: String,
        /// The environment's `cluster.yaml`, where the release would be enabled.
        cluster: String,
    },
    /// Two releases have the same id.
    #[error("{location}: duplicate release \"{id}\", first defined at {first}")]
    DuplicateRelease {
        /// The second definition.
        location: Location,
        /// The id both share.
        id: String,
        /// The first definition.
        first: Location,
    },
    /// A file named in the project does not exist and `missingFileHandler` is `Error`.
    #[error("{location}: {owner}: {what} \"{}\" does not exist", .path.display())]
    MissingFile {
        /// Where the file is named.
        location: Location,
        /// Whose file it is, e.g. `release "web"`.
        owner: String,
        /// What the file is, e.g. `values file`.
        what: String,
        /// The path, as resolved.
        path: PathBuf,
    },
    /// A template in a state file or release field failed to parse or render.
    #[error(transparent)]
    Template {
        /// What the template engine said, with the file, line and column.
        source: crate::template::TemplateError,
    },
    /// An environment's secrets file could not be decrypted.
    #[error("{location}: {source}")]
    Secrets {
        /// Where the file is named.
        location: Location,
        /// Why it could not be decrypted.
        source: crate::secrets::SecretsError,
    },
    /// An HCL values file cannot be read or evaluated.
    #[error("{location}: HCL values: {message}")]
    Hcl {
        /// The file, and the attribute or position when known.
        location: Location,
        /// What is wrong.
        message: String,
    },
    /// The release graph is invalid (unknown `needs`, cycle).
    #[error(transparent)]
    Graph(#[from] crate::graph::GraphError),
}

impl ProjectError {
    /// A suggestion of what to do about the error, when there is one.
    pub fn hint(&self) -> Option<String> {
        match self {
            Self::NoProject { .. } => Some(
                "run windlass in the project folder, or name the state file with -f FILE".into(),
            ),
            Self::Yaml { .. } => Some("check the indentation and quoting around that position".into()),
            Self::UnknownField { .. } => {
                Some("field names are case-sensitive; see the Helmfile release spec".into())
            }
            Self::MissingField { field, .. } => Some(format!(
                "set `{field}:` on the release (in layout A, in charts.yaml or the environment's cluster.yaml)"
            )),
            Self::UnknownEnvironment { .. } => {
                Some("pass one of the defined environments with -e NAME".into())
            }
            Self::UndefinedRelease { charts, .. } => {
                Some(format!("define the release under `releases:` in {charts}, or fix the name"))
            }
            Self::NeedNotEnabled { cluster, need, .. } => {
                let name = need.rsplit('/').next().unwrap_or_default();
                Some(format!("add `{name}:` under `releases:` in {cluster}, or remove the need"))
            }
            Self::DuplicateRelease { .. } => {
                Some("give one of them another name or namespace".into())
            }
            Self::MissingFile { .. } => Some(
                "create the file, fix the path, or set `missingFileHandler: Warn` to skip missing files"
                    .into(),
            ),
            Self::Template { .. } => Some(
                "check the template at that position; state files see .Environment, .Values and .Namespace".into(),
            ),
            Self::Hcl { .. } => Some(
                "values live in `values { }` blocks (read as hv.NAME), a file's locals in one `locals { }` block (local.NAME); the README lists the functions HCL values can call".into(),
            ),
            Self::Graph(error) => error.hint(),
            Self::Secrets { source, .. } => source.hint(),
            _ => None,
        }
    }
}

fn did_you_mean(suggestion: &Option<String>) -> String {
    suggestion
        .as_ref()
        .map(|s| format!(" (did you mean \"{s}\"?)"))
        .unwrap_or_default()
}

fn defined_list(defined: &[String]) -> String {
    if defined.is_empty() {
        " (no environments are defined)".into()
    } else {
        format!("; defined: {}", defined.join(", "))
    }
}

/// The candidate closest to `wanted`, if any is close enough to be a likely typo.
pub(crate) fn closest<'a>(
    wanted: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(wanted, c), c))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c.to_string())
}
