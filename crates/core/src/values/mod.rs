//! The values of one release, in Helmfile's order: every `values:` entry (files copied as written,
//! `*.gotmpl` files rendered, inline maps as YAML), then decrypted `secrets:` (in memory; they
//! reach disk only in the run's private folder), then `set:` flags.
//! Each entry becomes one `--values` file, as Helmfile passes them.

mod set;

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::path::{Path, PathBuf};

use serde_yaml::Value;

use crate::location::Location;
use crate::project::template_data::{environment_of, release_data, release_fields, render};
use crate::project::{Project, ProjectError, Release, release_entry_files};
use crate::secrets::decrypt_file;
use crate::template::MissingKey;
use crate::yaml::go_sorted;
use crate::yaml::read::{ReadError, TopKeys, load};
use zeroize::Zeroizing;

pub use set::{escape as escape_set, set_flags};

/// One `--values` file to hand to helm.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValuesFile {
    /// The file it came from (relative to the project root), `None` for inline maps.
    pub source: Option<PathBuf>,
    /// The YAML text helm reads; wiped from memory when dropped, as it may hold secrets.
    pub content: Zeroizing<String>,
    /// Whether it was decrypted from a secrets file.
    pub secret: bool,
}

/// Everything helm needs to know about a release's values.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReleaseValues {
    /// The `--values` files, lowest precedence first.
    pub files: Vec<ValuesFile>,
    /// The `--set`/`--set-file` flags with their arguments, in order.
    pub set_flags: Vec<String>,
}

/// Why a release's values could not be made.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ValuesError {
    /// A values or secrets file is missing and `missingFileHandler` is `Error`.
    #[error("{location}: release \"{release}\": {what} \"{}\" does not exist", .path.display())]
    MissingFile {
        /// Where the file is named.
        location: Location,
        /// The release.
        release: String,
        /// `values file` or `secrets file`.
        what: &'static str,
        /// The path as resolved.
        path: PathBuf,
    },
    /// A file could not be read.
    #[error("{}: cannot read: {source}", .path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// An entry is neither a path nor a map.
    #[error("{location}: release \"{release}\": a values entry must be a file path or a map")]
    InvalidEntry {
        /// The entry.
        location: Location,
        /// The release.
        release: String,
    },
    /// A `*.gotmpl` values file failed to render.
    #[error("release \"{release}\": {source}")]
    Template {
        /// The release.
        release: String,
        /// What the template engine said, with the file, line and column.
        source: crate::template::TemplateError,
    },
    /// A secrets file could not be decrypted.
    #[error("{location}: release \"{release}\": {source}")]
    Secrets {
        /// Where the file is named.
        location: Location,
        /// The release.
        release: String,
        /// Why it could not be decrypted.
        source: crate::secrets::SecretsError,
    },
    /// A values path could not be resolved.
    #[error(transparent)]
    Project(Box<ProjectError>),
    /// A values file is not YAML, or its document is not a map.
    #[error("{location}: release \"{release}\": {message}")]
    NotAMap {
        /// The file, and the line when the YAML is broken.
        location: Location,
        /// The release.
        release: String,
        /// What is wrong.
        message: String,
    },
}

impl ValuesError {
    /// A suggestion of what to do about the error, when there is one.
    pub fn hint(&self) -> Option<String> {
        match self {
            Self::Project(error) => error.hint(),
            Self::MissingFile { .. } => Some(
                "create the file, or set `missingFileHandler: Warn` to skip missing files".into(),
            ),
            Self::Template { .. } => Some(
                "check the template at that position; values files see .Values, .Environment and .Release"
                    .into(),
            ),
            Self::Secrets { source, .. } => source.hint(),
            Self::NotAMap { .. } => Some(
                "helm reads a values file as a YAML map (YAML 1.1): check the indentation and quoting there"
                    .into(),
            ),
            Self::Read { .. } | Self::InvalidEntry { .. } => None,
        }
    }
}

/// Reads the values of a project's releases, each file from disk once: fleets repeat their
/// common values files, and reading one a thousand times costs more than the rest of a plan.
pub struct ValuesReader<'a> {
    project: &'a Project,
    /// Files read so far, by full path, as written (a `.gotmpl` file is rendered per release).
    texts: HashMap<PathBuf, Zeroizing<String>>,
}

impl<'a> ValuesReader<'a> {
    /// A reader for `project`'s releases that has read nothing yet.
    pub fn new(project: &'a Project) -> Self {
        Self {
            project,
            texts: HashMap::new(),
        }
    }

    /// The values of `release`, ready to write for helm.
    pub fn release_values(&mut self, release: &Release) -> Result<ReleaseValues, ValuesError> {
        let project = self.project;
        let mut files = entries_content(self, release, "values", &release.spec.values)?;
        for (index, entry) in release.spec.secrets.iter().enumerate() {
            let Value::String(path) = entry else { continue };
            for shown in entry_files(project, release, path, "secrets", index)? {
                let secrets_error = |source| ValuesError::Secrets {
                    location: release.value_location("secrets", index),
                    release: release.name().into(),
                    source,
                };
                let decrypted =
                    decrypt_file(&project_path(project, &shown), &project.options.decrypt)
                        .map_err(secrets_error)?;
                let content = decrypted.to_text().map_err(secrets_error)?;
                files.push(ValuesFile {
                    source: Some(shown),
                    content,
                    secret: true,
                });
            }
        }
        Ok(ReleaseValues {
            files,
            set_flags: set_flags(&release.spec.set_values, &release.spec.set_string_values),
        })
    }

    /// The text of the file at `full` (`shown` in messages).
    fn read(&mut self, full: PathBuf, shown: &Path) -> Result<&str, ValuesError> {
        Ok(match self.texts.entry(full) {
            Entry::Occupied(entry) => entry.into_mut(),
            Entry::Vacant(entry) => {
                let text =
                    std::fs::read_to_string(entry.key()).map_err(|source| ValuesError::Read {
                        path: shown.to_path_buf(),
                        source,
                    })?;
                entry.insert(Zeroizing::new(text))
            }
        })
    }
}

/// The content of a release's values-like `field` (`values`, `strategicMergePatches`): files
/// (`*.gotmpl` rendered with the release's data) and inline maps, in order.
pub(crate) fn entries_content(
    reader: &mut ValuesReader<'_>,
    release: &Release,
    field: &'static str,
    entries: &[Value],
) -> Result<Vec<ValuesFile>, ValuesError> {
    let project = reader.project;
    let mut files = Vec::new();
    for (index, entry) in entries.iter().enumerate() {
        match entry {
            Value::String(path) => {
                for shown in entry_files(project, release, path, field, index)? {
                    let full = project_path(project, &shown);
                    let text = reader.read(full.clone(), &shown)?;
                    let content = if shown.extension().is_some_and(|e| e == "gotmpl") {
                        render_values_file(project, release, &shown, &full, text)?
                    } else {
                        text.to_string()
                    };
                    files.push(ValuesFile {
                        source: Some(shown),
                        content: Zeroizing::new(content),
                        secret: false,
                    });
                }
            }
            Value::Mapping(_) => {
                // As Helmfile marshals a map: keys in Go's order, quoted where YAML 1.1 needs.
                let content = crate::yaml::to_string(&go_sorted(entry.clone()));
                files.push(ValuesFile {
                    source: None,
                    content: Zeroizing::new(content),
                    secret: false,
                });
            }
            Value::Null => {}
            _ => {
                return Err(ValuesError::InvalidEntry {
                    location: release.value_location(field, index),
                    release: release.name().into(),
                });
            }
        }
    }
    Ok(files)
}

impl ValuesFile {
    /// The values helm reads from this file: its first document as go-yaml v2 reads it (YAML
    /// 1.1 scalars, a repeated key's last value), an empty map when it has none. `release` is
    /// the release it belongs to, for errors.
    pub fn parse(&self, release: &Release) -> Result<Value, ValuesError> {
        let location = self
            .source
            .as_ref()
            .map_or_else(|| release.location.clone(), Location::file);
        parse_values(&self.content, location, release.name())
    }
}

/// `text`, the content of the values file at `location`, as helm reads it.
pub(crate) fn parse_values(
    text: &str,
    location: Location,
    release: &str,
) -> Result<Value, ValuesError> {
    let not_a_map = |location: Location, message: String| ValuesError::NotAMap {
        location,
        release: release.into(),
        message,
    };
    match load(text, TopKeys::Resolved) {
        Ok(None | Some(crate::template::Value::Nil)) => Ok(Value::Mapping(Default::default())),
        Ok(Some(value @ crate::template::Value::Map(_))) => Ok(Value::from(&value)),
        Ok(Some(_)) => Err(not_a_map(
            location,
            "the document is not a map of values".into(),
        )),
        Err(ReadError::Syntax {
            line,
            column,
            message,
        }) => Err(not_a_map(
            Location::new(location.file, line as u32, column as u32),
            format!("not valid YAML: {message}"),
        )),
        Err(error) => Err(not_a_map(location, format!("not valid YAML: {error}"))),
    }
}

/// Renders a `*.gotmpl` values file as Helmfile does: with the release's template data
/// (`.Values`, `.Environment`, `.Release`...), `missingkey=error`, paths from the file's folder.
fn render_values_file(
    project: &Project,
    release: &Release,
    shown: &Path,
    full: &Path,
    source: &str,
) -> Result<String, ValuesError> {
    let state = project.state_of(release);
    let environment = environment_of(project, state);
    let data = release_data(&environment, &release_fields(release), &project.options);
    let base_dir = full.parent().unwrap_or(&release.base_dir);
    render(
        shown,
        source,
        &data,
        base_dir,
        MissingKey::Error,
        &project.options,
    )
    .map_err(|source| ValuesError::Template {
        release: release.name().into(),
        source,
    })
}

/// The path of `shown` (relative to the project root) on disk.
fn project_path(project: &Project, shown: &Path) -> PathBuf {
    project.root.join(shown)
}

/// The files (relative to the project root) that entry `index` of the release's `field`
/// (`values` or `secrets`) names: `valuesPathPrefix` + the path, globs expanded, with the
/// release's missing-file policy. The one resolver loading and values share.
fn entry_files(
    project: &Project,
    release: &Release,
    path: &str,
    field: &'static str,
    index: usize,
) -> Result<Vec<PathBuf>, ValuesError> {
    let state = project.state_of(release);
    let location = || release.value_location(field, index);
    let files = release_entry_files(
        &release.spec,
        state,
        path,
        field,
        &location,
        &mut Vec::new(),
    )
    .map_err(|error| match error {
        ProjectError::MissingFile { path, .. } => ValuesError::MissingFile {
            location: location(),
            release: release.name().into(),
            what: match field {
                "values" => "values file",
                "secrets" => "secrets file",
                _ => "patch file",
            },
            path,
        },
        other => ValuesError::Project(Box::new(other)),
    })?;
    Ok(files
        .iter()
        .map(|full| {
            let relative = full.strip_prefix(&release.base_dir).unwrap_or(full);
            state.shown_dir.join(relative)
        })
        .collect())
}
