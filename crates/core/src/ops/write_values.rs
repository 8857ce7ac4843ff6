//! `write-values`: each selected release's values, merged as helm would merge its `--values`
//! files, written to one YAML file per release (Helmfile's `write-values`).

use std::path::{Path, PathBuf};

use serde_yaml::{Mapping, Value};

use crate::ops::path_template::render_path;
use crate::project::merge::{Policy, merge};
use crate::project::{Project, Release};
use crate::values::{ValuesError, release_values};

/// Helmfile's default `--output-file-template`.
pub const DEFAULT_OUTPUT_FILE_TEMPLATE: &str =
    "{{ .State.BaseName }}-{{ .State.AbsPathSHA1 }}/{{ .Release.Name }}.yaml";

/// Why values could not be written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WriteValuesError {
    /// A release's values could not be made.
    #[error(transparent)]
    Values(#[from] ValuesError),
    /// A values file is not a YAML map.
    #[error("release \"{release}\": {file} is not a YAML map: {message}")]
    NotAMap {
        /// The release.
        release: String,
        /// The file (or `inline values`).
        file: String,
        /// What the parser said.
        message: String,
    },
    /// The output file template failed.
    #[error("--output-file-template: {0}")]
    Template(#[from] crate::template::TemplateError),
    /// The output file could not be written.
    #[error("{}: cannot write: {source}", .path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
}

/// Writes the merged values of the `selected` releases that are installed and enabled; returns
/// the files written, relative to the project root. `extra` values files (the command line's
/// `--values`) merge last. Files of releases with secrets are written readable by the owner only.
pub fn write_values(
    project: &Project,
    selected: &[usize],
    output_file_template: &str,
    extra: &[PathBuf],
) -> Result<Vec<PathBuf>, WriteValuesError> {
    let mut written = Vec::new();
    for release in selected
        .iter()
        .map(|&i| &project.releases[i])
        .filter(|r| r.installed() && r.enabled)
    {
        let values = release_values(project, release)?;
        let mut merged = Value::Mapping(Mapping::new());
        let extra_texts = extra
            .iter()
            .map(|path| {
                std::fs::read_to_string(project.root.join(path))
                    .map(|text| (path.display().to_string(), text))
                    .map_err(|source| WriteValuesError::Write {
                        path: path.clone(),
                        source,
                    })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let sources = values
            .files
            .iter()
            .map(|f| {
                let name = f
                    .source
                    .as_ref()
                    .map_or("inline values".to_string(), |p| p.display().to_string());
                (name, f.content.to_string())
            })
            .chain(extra_texts);
        for (file, text) in sources {
            let document: Value =
                serde_yaml::from_str(&text).map_err(|e| WriteValuesError::NotAMap {
                    release: release.name().into(),
                    file,
                    message: e.to_string(),
                })?;
            if !document.is_null() {
                merge(&mut merged, document, Policy::Values);
            }
        }
        let path = output_path(project, release, output_file_template)?;
        let full = project.root.join(&path);
        let text = serde_yaml::to_string(&sorted(merged)).unwrap_or_default();
        write_file(&full, &text, !release.spec.secrets.is_empty()).map_err(|source| {
            WriteValuesError::Write {
                path: path.clone(),
                source,
            }
        })?;
        written.push(path);
    }
    Ok(written)
}

/// Maps with their keys sorted, as Go's YAML encoder writes them.
fn sorted(value: Value) -> Value {
    match value {
        Value::Mapping(map) => {
            let mut entries: Vec<(Value, Value)> =
                map.into_iter().map(|(k, v)| (k, sorted(v))).collect();
            entries.sort_by_key(|(k, _)| crate::project::scalar_text(k).unwrap_or_default());
            Value::Mapping(entries.into_iter().collect())
        }
        Value::Sequence(items) => Value::Sequence(items.into_iter().map(sorted).collect()),
        other => other,
    }
}

/// Where a release's values go: `template` rendered with `.State`, `.Release`, `.Environment`.
fn output_path(
    project: &Project,
    release: &Release,
    template: &str,
) -> Result<PathBuf, WriteValuesError> {
    Ok(render_path(
        project,
        release,
        "output-file-template",
        template,
        Vec::new(),
    )?)
}

fn write_file(path: &Path, text: &str, private: bool) -> std::io::Result<()> {
    use std::io::Write;
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, if private { 0o600 } else { 0o644 });
    options.open(path)?.write_all(text.as_bytes())
}
