//! A faithful Go `text/template` engine with sprig and Helmfile functions.
//!
//! ```
//! use windlass::template::{RenderOptions, Template, Value};
//! let t = Template::parse("v.gotmpl", "replicas: {{ .n | add 1 }}").unwrap();
//! let data = Value::from(&serde_yaml::from_str::<serde_yaml::Value>("n: 2").unwrap());
//! assert_eq!(t.render(&data, &RenderOptions::new(".")).unwrap(), "replicas: 3");
//! ```

mod ast;
mod error;
mod exec;
mod format;
pub(crate) mod funcs;
mod lex;
mod parse;
mod value;

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

pub use error::TemplateError;
pub(crate) use format::{format_float_g, go_quote};
pub use format::{sprint_value, sprintf};
pub(crate) use funcs::{
    HELM_ERR_END, HELM_ERR_START, RegexCache, cannot_unmarshal, helm_to_yaml, json_kind,
    json_value, normalize_version, read_yaml, read_yaml_typed, satisfies,
};
pub use value::{ElemType, GoBytes, MapRef, Object, Pointer, Struct, Value};

use crate::location::Location;

/// What a field lookup does when a map has no such key (Go's `missingkey` option).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum MissingKey {
    /// Fail with `map has no entry for key "x"` (Helmfile's final render).
    #[default]
    Error,
    /// Use the zero value (Helmfile's first pass over state files).
    Zero,
    /// Go's default: an invalid value, printed `<no value>`.
    Invalid,
}

/// Which function map templates can call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Functions {
    /// Helmfile's: Go's builtins, sprig, and Helmfile's own (`readFile`, `exec`, `get`...).
    #[default]
    Helmfile,
    /// Helm 3.17's: sprig without `env`/`expandenv`, plus `include`, `tpl`, `required`,
    /// `fail`, `lookup` (empty, as `helm template` has no cluster), `toYaml`, `fromYaml`,
    /// `fromYamlArray`, `toToml`, `fromJson`, `fromJsonArray`...
    Helm,
}

/// Resolves `ref+sops://...` secret references for `fetchSecretValue` and `expandSecretRefs`.
pub trait SecretResolver: Send + Sync {
    /// The secret value `reference` (the whole `ref+sops://file#/path` string) points at, or a
    /// one-line reason it cannot be read (never containing the secret).
    fn resolve(&self, reference: &str) -> Result<String, String>;
}

/// How to render: the missing-key rule, where relative paths start, the environment the
/// template sees, and the secret resolver.
#[derive(Clone)]
pub struct RenderOptions {
    /// What a missing map key does.
    pub missing_key: MissingKey,
    /// The directory relative paths (`readFile`, `exec`'s working directory) start from.
    pub base_dir: PathBuf,
    /// The environment variables `env`, `requiredEnv`, `expandenv` and `exec` see.
    pub env: BTreeMap<String, String>,
    /// Resolves `ref+sops://` references; without one they fail with a clear error.
    pub secrets: Option<Arc<dyn SecretResolver>>,
    /// The regular expressions compiled so far (charts call the same few many times).
    pub(crate) regexes: funcs::RegexCache,
}

impl fmt::Debug for RenderOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RenderOptions")
            .field("missing_key", &self.missing_key)
            .field("base_dir", &self.base_dir)
            .field("env", &format_args!("{} variables", self.env.len()))
            .field("secrets", &self.secrets.is_some())
            .finish()
    }
}

impl RenderOptions {
    /// Options with `missingkey=error`, paths relative to `base_dir`, an empty environment and
    /// no secret resolver.
    pub fn new(base_dir: impl Into<PathBuf>) -> Self {
        Self {
            missing_key: MissingKey::Error,
            base_dir: base_dir.into(),
            env: BTreeMap::new(),
            secrets: None,
            regexes: funcs::RegexCache::default(),
        }
    }

    /// The same options with the environment `env`.
    pub fn with_env<K: Into<String>, V: Into<String>>(
        mut self,
        env: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        self.env = env.into_iter().map(|(k, v)| (k.into(), v.into())).collect();
        self
    }

    /// Whether `exec`, `envExec`, `readFile` and `readDir` are disabled by
    /// `HELMFILE_DISABLE_INSECURE_FEATURES` or `WINDLASS_DISABLE_INSECURE_FEATURES`.
    pub fn insecure_features_disabled(&self) -> bool {
        [
            "HELMFILE_DISABLE_INSECURE_FEATURES",
            "WINDLASS_DISABLE_INSECURE_FEATURES",
        ]
        .iter()
        .any(|k| self.env.get(*k).is_some_and(|v| v == "true" || v == "1"))
    }
}

/// A parsed template and the templates it defines, ready to render any number of times.
#[derive(Debug, Clone)]
pub struct Template {
    name: String,
    set: Arc<exec::TreeSet>,
}

impl Template {
    /// Parses `source`; `name` names the template and the file in error positions.
    pub fn parse(name: &str, source: &str) -> Result<Template, TemplateError> {
        let mut set = exec::TreeSet::new(Functions::Helmfile);
        let parse_name: Arc<str> = Arc::from(name);
        parse_source(&mut set, name, &parse_name, source)?;
        Ok(Template {
            name: name.to_owned(),
            set: Arc::new(set),
        })
    }

    /// The template's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Whether a template `name` is defined (by `define` or `block`).
    pub fn has_template(&self, name: &str) -> bool {
        self.set.contains_key(name)
    }

    /// Renders the template over `data`.
    pub fn render(&self, data: &Value, opts: &RenderOptions) -> Result<String, TemplateError> {
        exec::execute(&self.set, &self.name, data, opts, 0)
    }

    /// Renders the `define`d template `name` over `data`.
    pub fn render_named(
        &self,
        name: &str,
        data: &Value,
        opts: &RenderOptions,
    ) -> Result<String, TemplateError> {
        exec::execute(&self.set, name, data, opts, 0)
    }
}

/// One source parsed on its own: its main template and the ones it defines.
#[derive(Debug, Clone)]
pub struct ParsedTemplate {
    trees: Vec<(String, Arc<ast::Tree>)>,
}

/// Templates parsed one source after another into one namespace, as helm parses a chart's
/// files: a later `define` of a name replaces an earlier one, and any template can `include`
/// any other.
#[derive(Debug, Clone)]
pub struct TemplateSet {
    set: exec::TreeSet,
}

impl TemplateSet {
    /// An empty set whose templates call `functions`.
    pub fn new(functions: Functions) -> Self {
        Self {
            set: exec::TreeSet::new(functions),
        }
    }

    /// Parses `source` as the template `name` (also the file name in error positions) and adds
    /// it and the templates it defines, as Go's `t.New(name).Parse(source)` does.
    pub fn parse(&mut self, name: &str, source: &str) -> Result<(), TemplateError> {
        parse_source(&mut self.set, name, &Arc::from(name), source)
    }

    /// Parses `source` as the template `name` on its own, to add it later (to this set or
    /// others with the same functions) with [`TemplateSet::add`] without parsing it again.
    pub fn parse_alone(&self, name: &str, source: &str) -> Result<ParsedTemplate, TemplateError> {
        let functions = self.set.functions;
        let parse_name: Arc<str> = Arc::from(name);
        parse::parse_file(name, &parse_name, &Arc::from(source), &|f| {
            functions.lookup(f).is_some()
        })
        .map(|trees| ParsedTemplate { trees })
        .map_err(|e| TemplateError::Parse {
            location: Location::new(name, e.line, 0),
            message: e.message,
        })
    }

    /// Adds a source parsed by [`TemplateSet::parse_alone`], as parsing it here would have.
    pub fn add(&mut self, parsed: &ParsedTemplate) {
        parse::associate(&mut self.set.trees, &parsed.trees);
    }

    /// Whether a template `name` is defined.
    pub fn contains(&self, name: &str) -> bool {
        self.set.contains_key(name)
    }

    /// Renders the template `name` over `data`.
    pub fn render(
        &self,
        name: &str,
        data: &Value,
        opts: &RenderOptions,
    ) -> Result<String, TemplateError> {
        exec::execute(&self.set, name, data, opts, 0)
    }
}

pub(crate) fn parse_source(
    set: &mut exec::TreeSet,
    name: &str,
    parse_name: &Arc<str>,
    source: &str,
) -> Result<(), TemplateError> {
    let src: Arc<str> = Arc::from(source);
    let functions = set.functions;
    parse::parse_into(&mut set.trees, name, parse_name, &src, &|f| {
        functions.lookup(f).is_some()
    })
    .map_err(|e| TemplateError::Parse {
        location: Location::new(parse_name.as_ref(), e.line, 0),
        message: e.message,
    })
}

#[cfg(test)]
mod tests;
