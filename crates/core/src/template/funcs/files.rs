//! Helmfile's functions that reach outside the template: files, directories, commands and the
//! environment. Paths are relative to the render's base directory; the environment is the one
//! given in the render options, never the process's.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;

use super::Param::{List, Map, Str};
use super::paths::clean;
use super::{Ctx, FResult, Registry, s};
use crate::template::format::sprint_value;
use crate::template::value::{Object, Value};

const INSECURE: &str =
    "HELMFILE_DISABLE_INSECURE_FEATURES is active, insecure function calls are disabled";

fn guard(ctx: &Ctx<'_>) -> Result<(), String> {
    if ctx.opts.insecure_features_disabled() {
        return Err(INSECURE.into());
    }
    Ok(())
}

/// The path to open and the path to show in errors (Go shows `filepath.Join(base, path)`, which
/// for the usual base `.` is the path as written).
fn resolve(ctx: &Ctx<'_>, path: &str) -> (PathBuf, String) {
    let p = Path::new(path);
    if p.is_absolute() {
        return (p.to_path_buf(), path.to_owned());
    }
    (ctx.opts.base_dir.join(p), clean(path))
}

fn io_error(op: &str, shown: &str, e: &std::io::Error) -> String {
    let why = match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".to_owned(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_owned(),
        _ => e.to_string(),
    };
    format!("{op} {shown}: {why}")
}

/// Functions of this file that helm's function map does not have (helm removes sprig's `env`
/// and `expandenv`).
pub(super) const HELMFILE_ONLY: &[&str] = &[
    "readFile",
    "readDir",
    "readDirEntries",
    "isFile",
    "isDir",
    "exec",
    "envExec",
    "env",
    "expandenv",
    "requiredEnv",
];

pub(super) fn register(r: &mut Registry) {
    r.add("readFile", &[Str], None, |ctx, a| {
        guard(ctx)?;
        let (path, shown) = resolve(ctx, s(&a[0]));
        std::fs::read(&path)
            .map(|b| Value::String(String::from_utf8_lossy(&b).into_owned()))
            .map_err(|e| io_error("open", &shown, &e))
    });
    r.add("readDir", &[Str], None, |ctx, a| {
        guard(ctx)?;
        let entries = read_dir(ctx, s(&a[0]), "ReadDir")?;
        let files = entries
            .into_iter()
            .filter(|e| !e.dir)
            .map(|e| join(s(&a[0]), &e.name))
            .collect();
        Ok(Value::string_list(files))
    });
    r.add("readDirEntries", &[Str], None, |ctx, a| {
        guard(ctx)?;
        let entries = read_dir(ctx, s(&a[0]), "ReadDirEntries")?;
        Ok(Value::list(
            entries
                .into_iter()
                .map(|e| Value::Object(Arc::new(e)))
                .collect(),
        ))
    });
    r.add("isFile", &[Str], None, |ctx, a| {
        let (path, _) = resolve(ctx, s(&a[0]));
        Ok(Value::Bool(path.is_file()))
    });
    r.add("isDir", &[Str], None, |ctx, a| {
        let (path, _) = resolve(ctx, s(&a[0]));
        Ok(Value::Bool(path.is_dir()))
    });
    r.add("exec", &[Str, List], Some(Str), |ctx, a| {
        guard(ctx)?;
        run(ctx, &[], s(&a[0]), &a[1], a.get(2).map(s))
    });
    r.add("envExec", &[Map, Str, List], Some(Str), |ctx, a| {
        guard(ctx)?;
        let mut extra = Vec::new();
        if let Value::Map(m) = &a[0] {
            for (k, v) in m.entries() {
                match v {
                    Value::String(v) => extra.push((k, v)),
                    other => {
                        return Err(format!(
                            "unexpected type of env {:?} in envs {} at index {k}",
                            other.type_name(),
                            sprint_value(&a[0])
                        ));
                    }
                }
            }
        }
        run(ctx, &extra, s(&a[1]), &a[2], a.get(3).map(s))
    });
    r.add("env", &[Str], None, |ctx, a| {
        Ok(Value::String(
            ctx.opts.env.get(s(&a[0])).cloned().unwrap_or_default(),
        ))
    });
    r.add("expandenv", &[Str], None, |ctx, a| {
        Ok(Value::String(expand_env(s(&a[0]), ctx)))
    });
    r.add("requiredEnv", &[Str], None, |ctx, a| {
        match ctx.opts.env.get(s(&a[0])) {
            Some(v) if !v.is_empty() => Ok(Value::String(v.clone())),
            _ => Err(format!("required env var `{}` is not set", s(&a[0]))),
        }
    });
}

fn join(dir: &str, name: &str) -> String {
    clean(&format!("{dir}/{name}"))
}

/// One entry of `readDirEntries`, with the `Name` and `IsDir` methods of Go's `fs.DirEntry`.
#[derive(Debug)]
struct DirEntry {
    name: String,
    dir: bool,
}

impl Object for DirEntry {
    fn type_name(&self) -> String {
        "*os.unixDirent".into()
    }
    fn kind_name(&self) -> &'static str {
        "ptr"
    }
    fn method(&self, name: &str, args: &[Value]) -> Option<Result<Value, String>> {
        let v = match name {
            "Name" => Value::String(self.name.clone()),
            "IsDir" => Value::Bool(self.dir),
            _ => return None,
        };
        if !args.is_empty() {
            return Some(Err(format!(
                "wrong number of args for {name}: want 0 got {}",
                args.len()
            )));
        }
        Some(Ok(v))
    }
    fn go_string(&self) -> String {
        format!(
            "{} {}{}",
            if self.dir { "d" } else { "-" },
            self.name,
            if self.dir { "/" } else { "" }
        )
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

fn read_dir(ctx: &Ctx<'_>, dir: &str, op: &str) -> Result<Vec<DirEntry>, String> {
    let (path, shown) = resolve(ctx, dir);
    let wrap = |e: std::io::Error| format!("{op} {shown:?}: {}", io_error("open", &shown, &e));
    let mut entries = Vec::new();
    for entry in std::fs::read_dir(&path).map_err(wrap)? {
        let entry = entry.map_err(wrap)?;
        let dir = entry.file_type().map(|t| t.is_dir()).unwrap_or(false);
        entries.push(DirEntry {
            name: entry.file_name().to_string_lossy().into_owned(),
            dir,
        });
    }
    entries.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(entries)
}

/// Finds `cmd` on the `PATH` of the render's environment, as Go's `exec.LookPath` does.
fn look_path(ctx: &Ctx<'_>, cmd: &str) -> Option<PathBuf> {
    if cmd.contains('/') {
        return Some(PathBuf::from(cmd));
    }
    let path = ctx.opts.env.get("PATH")?;
    path.split(':')
        .map(|d| Path::new(if d.is_empty() { "." } else { d }).join(cmd))
        .find(|p| p.is_file())
}

fn run(
    ctx: &Ctx<'_>,
    extra_env: &[(String, String)],
    cmd: &str,
    args: &Value,
    input: Option<&str>,
) -> FResult {
    let mut argv = Vec::new();
    if let Value::List(items, _) = args {
        for (i, a) in items.iter().enumerate() {
            match a {
                Value::String(s) => argv.push(s.clone()),
                other => {
                    return Err(format!(
                        "unexpected type of arg {:?} in args {} at index {i}",
                        other.type_name(),
                        sprint_value(args)
                    ));
                }
            }
        }
    }
    let Some(program) = look_path(ctx, cmd) else {
        return Err(format!("exec: {cmd:?}: executable file not found in $PATH"));
    };
    let mut command = Command::new(&program);
    command
        .args(&argv)
        .current_dir(&ctx.opts.base_dir)
        .env_clear()
        .envs(ctx.opts.env.iter())
        .envs(extra_env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command
        .spawn()
        .map_err(|e| format!("fork/exec {}: {e}", program.display()))?;
    if let Some(mut stdin) = child.stdin.take() {
        let _ = stdin.write_all(input.unwrap_or_default().as_bytes());
    }
    let out = child.wait_with_output().map_err(|e| e.to_string())?;
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    if out.status.success() {
        return Ok(Value::String(stdout));
    }
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let code = out.status.code().unwrap_or(-1);
    let indent = |t: &str| -> String {
        t.trim_end_matches('\n')
            .lines()
            .map(|l| format!("  {l}"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let mut arg_lines = vec![format!("  0: {cmd} ({} bytes)", cmd.len())];
    for (i, a) in argv.iter().enumerate() {
        arg_lines.push(format!("  {}: {a} ({} bytes)", i + 1, a.len()));
    }
    Err(format!(
        "command \"{p}\" exited with non-zero status:\n\nPATH:\n  {p}\n\nARGS:\n{args}\n\nERROR:\n  exit status {code}\n\nEXIT STATUS\n  {code}\n\nSTDERR:\n{stderr}\n\nCOMBINED OUTPUT:\n{combined}",
        p = program.display(),
        args = arg_lines.join("\n"),
        stderr = indent(&stderr),
        combined = indent(&format!("{stdout}{stderr}")),
    ))
}

/// Go's `os.ExpandEnv` over the render's environment.
pub(crate) fn expand_env(text: &str, ctx: &Ctx<'_>) -> String {
    expand(text, &|name| {
        ctx.opts.env.get(name).cloned().unwrap_or_default()
    })
}

/// Go's `os.Expand`: `$NAME`, `${NAME}` and the one-character shell names.
pub(crate) fn expand(text: &str, lookup: &dyn Fn(&str) -> String) -> String {
    let b = text.as_bytes();
    let mut out = String::new();
    let mut i = 0;
    let mut last = 0;
    while i < b.len() {
        if b[i] == b'$' && i + 1 < b.len() {
            out.push_str(&text[last..i]);
            let (name, width) = shell_name(&text[i + 1..]);
            if name.is_empty() && width > 0 {
                // Bad syntax such as `${}`: the characters are dropped.
            } else if name.is_empty() {
                out.push('$');
            } else {
                out.push_str(&lookup(name));
            }
            i += 1 + width;
            last = i;
        } else {
            i += 1;
        }
    }
    out.push_str(&text[last..]);
    out
}

fn shell_name(s: &str) -> (&str, usize) {
    let b = s.as_bytes();
    if b[0] == b'{' {
        if b.len() > 2 && is_special(b[1]) && b[2] == b'}' {
            return (&s[1..2], 3);
        }
        for i in 1..b.len() {
            if b[i] == b'}' {
                if i == 1 {
                    return ("", 2);
                }
                return (&s[1..i], i + 1);
            }
        }
        return ("", 1);
    }
    if is_special(b[0]) {
        return (&s[0..1], 1);
    }
    let n = b
        .iter()
        .take_while(|c| c.is_ascii_alphanumeric() || **c == b'_')
        .count();
    (&s[..n], n)
}

fn is_special(c: u8) -> bool {
    matches!(
        c,
        b'*' | b'#' | b'$' | b'@' | b'!' | b'?' | b'-' | b'0'..=b'9'
    )
}
