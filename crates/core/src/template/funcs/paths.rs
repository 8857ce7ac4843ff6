//! sprig's path functions: Go's `path` package (`base`, `dir`, `clean`, `ext`, `isAbs`) and its
//! `path/filepath` twins (`osBase`...). `filepath` follows the separator of the machine; on the
//! Unix systems windlass runs on, that is `/` and both families agree.

use super::Param::Str;
use super::{Registry, s};
use crate::template::value::Value;

pub(super) fn register(r: &mut Registry) {
    for name in ["base", "osBase"] {
        r.add(name, &[Str], None, |_, a| Ok(Value::String(base(s(&a[0])))));
    }
    for name in ["dir", "osDir"] {
        r.add(name, &[Str], None, |_, a| Ok(Value::String(dir(s(&a[0])))));
    }
    for name in ["clean", "osClean"] {
        r.add(name, &[Str], None, |_, a| {
            Ok(Value::String(clean(s(&a[0]))))
        });
    }
    for name in ["ext", "osExt"] {
        r.add(name, &[Str], None, |_, a| Ok(Value::str(ext(s(&a[0])))));
    }
    for name in ["isAbs", "osIsAbs"] {
        r.add(name, &[Str], None, |_, a| {
            Ok(Value::Bool(s(&a[0]).starts_with('/')))
        });
    }
}

/// Go's `path.Clean`: the shortest equivalent path, lexically (`.` for an empty result).
pub(super) fn clean(path: &str) -> String {
    let rooted = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => match parts.last() {
                Some(p) if *p != ".." => {
                    parts.pop();
                }
                _ if rooted => {}
                _ => parts.push(".."),
            },
            p => parts.push(p),
        }
    }
    match (rooted, parts.is_empty()) {
        (true, _) => format!("/{}", parts.join("/")),
        (false, true) => ".".into(),
        (false, false) => parts.join("/"),
    }
}

/// Go's `path.Base`: the last element, trailing slashes removed (`.` for empty, `/` for root).
fn base(path: &str) -> String {
    if path.is_empty() {
        return ".".into();
    }
    let trimmed = path.trim_end_matches('/');
    if trimmed.is_empty() {
        return "/".into();
    }
    trimmed.rsplit('/').next().unwrap_or(trimmed).to_owned()
}

/// Go's `path.Dir`: everything before the last slash, cleaned.
fn dir(path: &str) -> String {
    clean(&path[..path.rfind('/').map_or(0, |i| i + 1)])
}

/// Go's `path.Ext`: the suffix from the last dot of the last element.
fn ext(path: &str) -> &str {
    let last = &path[path.rfind('/').map_or(0, |i| i + 1)..];
    last.rfind('.').map_or("", |i| &last[i..])
}
