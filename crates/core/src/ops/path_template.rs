//! Output paths from Go templates, as Helmfile names them: `--output-file-template` of
//! `write-values` and `--output-dir-template` of `template` see `.State` (`BaseName`, `Path`,
//! `AbsPath`, `AbsPathSHA1`), `.Release` and `.Environment`.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
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
    let base_name = without_extension(&state.file)
        .to_string_lossy()
        .into_owned();
    let absolute = project.root.join(&state.file);
    // Of the path's own bytes, which need not be UTF-8.
    let digest = Sha1::digest(absolute.as_os_str().as_bytes());
    let absolute = absolute.display().to_string();
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

/// `path` without its extension, as Go's `path[:len(path)-len(filepath.Ext(path))]` (Helmfile's
/// `.State.BaseName`): `helmfile.yaml.gotmpl` gives `helmfile.yaml`.
fn without_extension(path: &Path) -> &OsStr {
    let bytes = path.as_os_str().as_bytes();
    let name_start = bytes.iter().rposition(|&b| b == b'/').map_or(0, |i| i + 1);
    match bytes[name_start..].iter().rposition(|&b| b == b'.') {
        Some(dot) => OsStr::from_bytes(&bytes[..name_start + dot]),
        None => path.as_os_str(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_names_drop_one_extension_of_any_bytes() {
        let name = |p: &[u8]| {
            without_extension(Path::new(OsStr::from_bytes(p)))
                .as_bytes()
                .to_vec()
        };
        assert_eq!(name(b"helmfile.yaml.gotmpl"), b"helmfile.yaml");
        assert_eq!(name(b"helmfile.d/a.yaml"), b"helmfile.d/a");
        assert_eq!(name(b"dir.d/helmfile"), b"dir.d/helmfile");
        assert_eq!(name(b"h\xffelm\xfe.yaml"), b"h\xffelm\xfe");
    }
}
