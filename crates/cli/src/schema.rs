//! `windlass schema`: the JSON Schemas of the files windlass reads, printed or written to a
//! folder (how `schemas/` in the repository is made).

use std::io::Write;
use std::path::Path;

use windlass::project::schema::SchemaFile;

use crate::args::{SchemaArgs, SchemaFileArg};
use crate::run::CommandError;

/// Prints the schema `args` names, or writes every schema into `--output-dir`.
pub fn run(args: SchemaArgs, out: &mut impl Write) -> Result<(), CommandError> {
    match (args.kind, args.output_dir) {
        (_, Some(dir)) => SchemaFile::ALL
            .into_iter()
            .try_for_each(|file| write_file(&dir, file)),
        (Some(file), None) => out
            .write_all(text(schema_file(file)).as_bytes())
            .map_err(|e| CommandError::Output(e.to_string())),
        // clap requires one of the two.
        (None, None) => Ok(()),
    }
}

/// The schema of `file` as pretty-printed JSON with a final newline.
fn text(file: SchemaFile) -> String {
    let mut text = serde_json::to_string_pretty(&file.schema()).unwrap_or_default();
    text.push('\n');
    text
}

/// Writes the schema of `file` into `dir` whole: to a temporary name first, then renamed.
fn write_file(dir: &Path, file: SchemaFile) -> Result<(), CommandError> {
    let path = dir.join(file.file_name());
    let partial = dir.join(format!(".{}.partial", file.file_name()));
    let failed = |e: std::io::Error| CommandError::Output(format!("{}: {e}", path.display()));
    std::fs::create_dir_all(dir).map_err(failed)?;
    std::fs::write(&partial, text(file)).map_err(failed)?;
    std::fs::rename(&partial, &path).map_err(failed)
}

/// The library's name for the file the command line names.
fn schema_file(file: SchemaFileArg) -> SchemaFile {
    match file {
        SchemaFileArg::Charts => SchemaFile::Charts,
        SchemaFileArg::Cluster => SchemaFile::Cluster,
        SchemaFileArg::Helmfile => SchemaFile::Helmfile,
    }
}
