//! State values (`.Values` in templates): values entries (files, globs, inline maps) merged in
//! order, with Helmfile's `missingFileHandler`, and the command line's `--state-values-set`.

use std::path::{Path, PathBuf};

use serde_yaml::{Mapping, Value};

use crate::location::Location;
use crate::project::error::ProjectError;
use crate::project::hcl;
use crate::project::merge::{Policy, merge};
use crate::project::release::MissingFileHandler;
use crate::project::source::{parse_documents, read_documents};
use crate::project::template_data::{EnvironmentData, render, state_data};
use crate::project::{Diagnostic, LoadOptions};
use crate::secrets::{DecryptOptions, decrypt_file};
use crate::template::MissingKey;

/// Where values entries are read from and what to do about missing files.
pub(crate) struct EntryContext<'a> {
    /// The folder relative paths start from.
    pub base_dir: &'a Path,
    /// How paths are shown in messages (relative to the project root).
    pub shown_dir: &'a Path,
    /// The missing-file policy in force.
    pub missing: MissingFileHandler,
    /// Whose files they are, for messages, e.g. `environment "prod"`.
    pub owner: &'a str,
    /// What the files are, for messages, e.g. `values file`.
    pub what: &'a str,
    /// How `*.gotmpl` values files are rendered; `None` where files are only checked.
    pub templates: Option<TemplateEnvironment<'a>>,
}

/// What a `*.gotmpl` environment values file sees: the environment, `--namespace`, the process
/// environment, and (as `.Values`) the values merged before it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TemplateEnvironment<'a> {
    /// `.Environment.Name`.
    pub name: &'a str,
    /// `.Environment.KubeContext`.
    pub kube_context: &'a str,
    /// `.Namespace`.
    pub namespace: &'a str,
    /// The load options: environment variables for `env`/`exec`, keys for `ref+sops://`.
    pub options: &'a LoadOptions,
}

/// Merges values `entries` (paths, globs or inline maps) in order; `locate(i)` says where entry `i`
/// is written.
pub(crate) fn load_entries(
    entries: &[Value],
    context: &EntryContext<'_>,
    locate: &dyn Fn(usize) -> Location,
    diagnostics: &mut Vec<Diagnostic>,
) -> Result<Value, ProjectError> {
    let mut merged = Value::Mapping(Mapping::new());
    // Helmfile reads the `.hcl` files of a values list together, after the others.
    let mut hcl_files = Vec::new();
    for (i, entry) in entries.iter().enumerate() {
        match entry {
            Value::String(path) => {
                for file in resolve_files(path, context, &|| locate(i), diagnostics)? {
                    let shown = context
                        .shown_dir
                        .join(file.strip_prefix(context.base_dir).unwrap_or(&file));
                    if file.extension().is_some_and(|e| e == "hcl") {
                        hcl_files.push((file, shown));
                        continue;
                    }
                    let documents = match context.templates {
                        Some(templates) if file.extension().is_some_and(|e| e == "gotmpl") => {
                            let source = std::fs::read_to_string(&file).map_err(|source| {
                                ProjectError::Read {
                                    location: Location::file(&shown),
                                    source,
                                }
                            })?;
                            let data = state_data(
                                &EnvironmentData {
                                    name: templates.name,
                                    kube_context: templates.kube_context,
                                    values: &merged,
                                },
                                templates.namespace,
                            );
                            // Helmfile renders environment values files from the state file's folder.
                            let text = render(
                                &shown,
                                &source,
                                &data,
                                context.base_dir,
                                MissingKey::Error,
                                templates.options,
                            )
                            .map_err(|source| ProjectError::Template { source })?;
                            parse_documents(&shown, &text)?
                        }
                        _ => read_documents(&file, &shown)?,
                    };
                    // An empty file (or document) adds nothing, as in Helmfile; it does not
                    // replace what earlier files set.
                    for document in documents.into_iter().filter(|d| !d.value.is_null()) {
                        merge(&mut merged, document.value, Policy::Values);
                    }
                }
            }
            Value::Mapping(_) => merge(&mut merged, entry.clone(), Policy::Values),
            Value::Null => {}
            other => {
                return Err(ProjectError::InvalidField {
                    location: locate(i),
                    context: context.owner.to_string(),
                    message: format!(
                        "expected a file path or a map, found {}",
                        crate::project::release::kind_of(other)
                    ),
                });
            }
        }
    }
    if !hcl_files.is_empty() {
        merge(&mut merged, hcl::render(&hcl_files)?, Policy::Values);
    }
    Ok(merged)
}

/// Decrypts the SOPS files `paths` (globs allowed) and merges them in order; `locate(i)` says
/// where path `i` is written. Also returns the key paths of every decrypted leaf, so output can
/// mask them.
pub(crate) fn load_secrets(
    paths: &[String],
    context: &EntryContext<'_>,
    locate: &dyn Fn(usize) -> Location,
    decrypt: &DecryptOptions,
    diagnostics: &mut Vec<Diagnostic>,
) -> Result<(Value, Vec<Vec<Value>>), ProjectError> {
    let mut merged = Value::Mapping(Mapping::new());
    for (i, path) in paths.iter().enumerate() {
        for file in resolve_files(path, context, &|| locate(i), diagnostics)? {
            let decrypted =
                decrypt_file(&file, decrypt).map_err(|source| ProjectError::Secrets {
                    location: locate(i),
                    source,
                })?;
            merge(&mut merged, decrypted.into_value(), Policy::Values);
        }
    }
    let mut leaves = Vec::new();
    collect_leaves(&merged, &mut Vec::new(), &mut leaves);
    Ok((merged, leaves))
}

/// The key paths of the non-map values below `value`.
fn collect_leaves(value: &Value, path: &mut Vec<Value>, leaves: &mut Vec<Vec<Value>>) {
    match value {
        Value::Mapping(map) => {
            for (key, child) in map {
                path.push(key.clone());
                collect_leaves(child, path, leaves);
                path.pop();
            }
        }
        _ => leaves.push(path.clone()),
    }
}

/// `values` with every leaf at `secret_paths` replaced by `<secret>`, for printing.
pub fn masked(values: &Value, secret_paths: &[Vec<Value>]) -> Value {
    fn mask_at(node: &mut Value, path: &[Value]) {
        match path.split_first() {
            None if !node.is_mapping() => *node = Value::String("<secret>".into()),
            None => {}
            Some((key, rest)) => {
                if let Some(child) = node.get_mut(key) {
                    mask_at(child, rest);
                }
            }
        }
    }
    let mut out = values.clone();
    for path in secret_paths {
        mask_at(&mut out, path);
    }
    out
}

/// The files a values path names: itself, or the sorted matches of a glob. A path that names
/// nothing is handled by the missing-file policy.
pub(crate) fn resolve_files(
    path: &str,
    context: &EntryContext<'_>,
    location: &dyn Fn() -> Location,
    diagnostics: &mut Vec<Diagnostic>,
) -> Result<Vec<PathBuf>, ProjectError> {
    let full = context.base_dir.join(path);
    let files = if path.contains(['*', '?', '[']) {
        glob_files(&full)
    } else if full.is_file() {
        vec![full]
    } else {
        Vec::new()
    };
    if files.is_empty() {
        let message = format!(
            "{}: {} \"{}\" does not exist",
            context.owner,
            context.what,
            context.shown_dir.join(path).display()
        );
        match context.missing {
            MissingFileHandler::Error => {
                return Err(ProjectError::MissingFile {
                    location: location(),
                    owner: context.owner.to_string(),
                    what: context.what.to_string(),
                    path: context.shown_dir.join(path),
                });
            }
            level => diagnostics.push(Diagnostic {
                level,
                location: location(),
                message,
            }),
        }
    }
    Ok(files)
}

/// Files matching a glob with `*`, `?` and `[...]` in its last components, sorted.
fn glob_files(pattern: &Path) -> Vec<PathBuf> {
    let mut candidates = vec![PathBuf::new()];
    for component in pattern.components() {
        let part = component.as_os_str().to_string_lossy();
        if part.contains(['*', '?', '[']) {
            candidates = candidates
                .into_iter()
                .flat_map(|dir| {
                    let mut matches: Vec<PathBuf> = std::fs::read_dir(&dir)
                        .into_iter()
                        .flatten()
                        .flatten()
                        .filter(|e| wildcard_match(&part, &e.file_name().to_string_lossy()))
                        .map(|e| dir.join(e.file_name()))
                        .collect();
                    matches.sort();
                    matches
                })
                .collect();
        } else {
            for candidate in &mut candidates {
                candidate.push(component);
            }
        }
    }
    candidates.retain(|p| p.is_file());
    candidates
}

/// Shell-style matching of one path component: `*`, `?` and `[abc]`/`[a-z]` classes.
fn wildcard_match(pattern: &str, name: &str) -> bool {
    fn go(p: &[char], n: &[char]) -> bool {
        match p.first() {
            None => n.is_empty(),
            Some('*') => (0..=n.len()).any(|i| go(&p[1..], &n[i..])),
            Some('?') => !n.is_empty() && go(&p[1..], &n[1..]),
            Some('[') => match (p.iter().position(|&c| c == ']'), n.first()) {
                (Some(end), Some(&c)) => {
                    let class = &p[1..end];
                    let hit = class
                        .windows(3)
                        .any(|w| w[1] == '-' && w[0] <= c && c <= w[2])
                        || class.contains(&c);
                    hit && go(&p[end + 1..], &n[1..])
                }
                _ => false,
            },
            Some(&c) => n.first() == Some(&c) && go(&p[1..], &n[1..]),
        }
    }
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    go(&p, &n)
}

/// Merges `--state-values-file` then `--state-values-set` over `values`: the command line wins.
pub(crate) fn apply_command_line(
    options: &LoadOptions,
    values: &mut Value,
) -> Result<(), ProjectError> {
    for file in &options.state_values_files {
        for document in read_documents(&options.dir.join(file), file)? {
            merge(values, document.value, Policy::Values);
        }
    }
    for expression in &options.state_values_set {
        let set = parse_set(expression).map_err(|message| ProjectError::InvalidField {
            location: Location::file("--state-values-set"),
            context: "command line".into(),
            message,
        })?;
        merge(values, set, Policy::Values);
    }
    Ok(())
}

/// Parses `--state-values-set a.b=1,c=x` into a map, typing `true`, `false`, `null` and integers
/// as helm's `--set` does.
pub(crate) fn parse_set(expression: &str) -> Result<Value, String> {
    let mut root = Value::Mapping(Mapping::new());
    for pair in expression.split(',').filter(|p| !p.is_empty()) {
        let (key, raw) = pair
            .split_once('=')
            .ok_or_else(|| format!("\"{pair}\" is not of the form key=value"))?;
        let value = match raw {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            "null" => Value::Null,
            _ => raw.parse::<i64>().map_or_else(
                |_| Value::String(raw.to_string()),
                |n| Value::Number(n.into()),
            ),
        };
        let nested = key.rsplit('.').fold(value, |inner, part| {
            let mut map = Mapping::new();
            map.insert(Value::String(part.to_string()), inner);
            Value::Mapping(map)
        });
        merge(&mut root, nested, Policy::Values);
    }
    Ok(root)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_match_like_a_shell() {
        assert!(wildcard_match("*.yaml", "a.yaml"));
        assert!(!wildcard_match("*.yaml", "a.yaml.gotmpl"));
        assert!(wildcard_match("v?-[a-c].yml", "v1-b.yml"));
        assert!(!wildcard_match("v?-[a-c].yml", "v1-d.yml"));
    }

    #[test]
    fn state_values_set_nests_and_types() {
        let value = parse_set("a.b=1,a.c=true,d=x,e=null").unwrap_or(Value::Null);
        assert_eq!(
            serde_yaml::to_string(&value).unwrap_or_default(),
            "a:\n  b: 1\n  c: true\nd: x\ne: null\n"
        );
        assert_eq!(
            parse_set("novalue"),
            Err("\"novalue\" is not of the form key=value".into())
        );
    }
}
