//! Output paths from Go templates, as Helmfile names them: `--output-file-template` of
//! `write-values` and `--output-dir-template` of `template` see `.State` (`BaseName`, `Path`,
//! `AbsPath`, `AbsPathSHA1`), `.Release` and `.Environment`.

use std::path::{Path, PathBuf};

use sha1::{Digest, Sha1};

use crate::project::template_data::{environment_of, release_data_fields, release_fields, render};
use crate::project::{Project, Release};
use crate::template::{MissingKey, Struct, TemplateError, Value};

/// Renders `template` (named `name` in errors) for `release`, with `extra` top-level fields.
pub(crate) fn render_path(
    project: &Project,
    release: &Release,
    name: &str,
    template: &str,
    extra: Vec<(String, Value)>,
) -> Result<PathBuf, TemplateError> {
    let state = project.state_of(release);
    let file = state.file.display().to_string();
    // Helmfile strips one extension: helmfile.yaml.gotmpl has the base name helmfile.yaml.
    let base_name = match state.file.extension() {
        Some(extension) => file[..file.len() - extension.len() - 1].to_string(),
        None => file.clone(),
    };
    let absolute = project.root.join(&state.file).display().to_string();
    let digest = Sha1::digest(absolute.as_bytes());
    let sha1: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    let state_data = Struct::value(
        "state.state",
        vec![
            ("BaseName".into(), Value::str(base_name)),
            ("Path".into(), Value::str(&file)),
            ("AbsPath".into(), Value::str(&absolute)),
            ("AbsPathSHA1".into(), Value::str(&sha1[..8])),
        ],
    );
    let environment = environment_of(project, state);
    let mut fields = release_data_fields(&environment, &release_fields(release), &project.options);
    fields.push(("State".into(), state_data));
    fields.extend(extra);
    let data = Struct::value("state.releaseTemplateData", fields);
    let rendered = render(
        Path::new(name),
        template,
        &data,
        &project.root,
        MissingKey::Error,
        &project.options,
    )?;
    Ok(PathBuf::from(rendered))
}
