//! `write-values`: each selected release's values, read and merged as helm reads and merges its
//! `--values` files, written to one YAML file per release (Helmfile's `write-values`).

use std::path::{Path, PathBuf};

use serde_yaml::{Mapping, Value};

use crate::location::Location;
use crate::ops::path_template::render_path;
use crate::project::merge::{Policy, merge};
use crate::project::{Project, Release};
use crate::values::{ValuesError, ValuesReader, parse_values};
use crate::yaml::go_sorted;

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

impl WriteValuesError {
    /// A suggestion of what to do about the error, when there is one.
    pub fn hint(&self) -> Option<String> {
        match self {
            Self::Values(error) => error.hint(),
            Self::Template(_) | Self::Write { .. } => None,
        }
    }
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
    let mut reader = ValuesReader::new(project);
    for release in selected
        .iter()
        .map(|&i| &project.releases[i])
        .filter(|r| r.installed() && r.enabled)
    {
        let values = reader.release_values(release)?;
        let mut merged = Value::Mapping(Mapping::new());
        for file in &values.files {
            merge(&mut merged, file.parse(release)?, Policy::Values);
        }
        for path in extra {
            let text = std::fs::read_to_string(project.root.join(path)).map_err(|source| {
                ValuesError::Read {
                    path: path.clone(),
                    source,
                }
            })?;
            let document = parse_values(&text, Location::file(path), release.name())?;
            merge(&mut merged, document, Policy::Values);
        }
        let path = output_path(project, release, output_file_template)?;
        let full = project.root.join(&path);
        // As Helmfile writes the merged map: keys in Go's order, quoted where YAML 1.1 needs.
        let text = crate::yaml::to_string(&go_sorted(merged));
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

/// Writes `text` to `path` whole or not at all: a temporary file beside it, renamed over it.
fn write_file(path: &Path, text: &str, private: bool) -> std::io::Result<()> {
    use std::io::Write;
    let parent = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(parent)?;
    let mut file = tempfile::NamedTempFile::new_in(parent)?;
    file.write_all(text.as_bytes())?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = if private { 0o600 } else { 0o644 };
        file.as_file()
            .set_permissions(std::fs::Permissions::from_mode(mode))?;
    }
    file.persist(path).map_err(|e| e.error)?;
    Ok(())
}
