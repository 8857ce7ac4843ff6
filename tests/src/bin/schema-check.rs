//! `schema-check KIND FILE...`: checks YAML files against the schema `windlass schema KIND`
//! prints (the `windlass` beside this program, or `$WINDLASS_BIN`), as the schema tests do;
//! prints `ok FILE` or the file's errors, and exits 1 when any file fails. For measuring the
//! schemas on files outside the repository.

use windlass_tests::schema::Schema;

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((kind, files)) = args.split_first() else {
        eprintln!("usage: schema-check charts|cluster|helmfile FILE...");
        return std::process::ExitCode::from(2);
    };
    // The windlass built beside this program, or `$WINDLASS_BIN`.
    let windlass = std::env::var_os("WINDLASS_BIN")
        .map(std::path::PathBuf::from)
        .or_else(|| {
            let exe = std::env::current_exe().ok()?;
            Some(exe.parent()?.join("windlass"))
        })
        .unwrap_or_else(|| "windlass".into());
    let schema = Schema::printed_by(&windlass, kind);
    let mut failed = false;
    for file in files {
        let errors = match std::fs::read_to_string(file) {
            Ok(text) => schema.errors(&text),
            Err(error) => vec![format!("cannot read: {error}")],
        };
        if errors.is_empty() {
            println!("ok {file}");
        } else {
            failed = true;
            for error in errors {
                println!("FAIL {file}: {error}");
            }
        }
    }
    std::process::ExitCode::from(u8::from(failed))
}
