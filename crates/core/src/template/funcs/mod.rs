//! The function map: Go's builtins, sprig's text functions and Helmfile's, each with the Go
//! parameter types that decide how arguments are checked and converted.

mod aes;
mod bcrypt;
mod builtins;
mod certs;
mod conv;
pub(crate) mod dates;
mod dicts;
mod encoding;
mod files;
mod helm;
mod keys;
mod lists;
mod math;
mod network;
mod password;
mod paths;
mod pem;
mod random;
mod render;
pub(crate) mod semver;
mod strings;
mod toml;
mod url;
mod yaml;

pub(crate) use helm::{
    ERR_END as HELM_ERR_END, ERR_START as HELM_ERR_START, cannot_unmarshal, helm_to_yaml,
    json_kind, json_value, read_yaml, read_yaml_typed,
};
pub(crate) use semver::{normalize_version, satisfies};

use std::collections::HashMap;
use std::sync::{Arc, LazyLock};

use super::exec::TreeSet;
use super::value::{ElemType, Value};
use super::{Functions, RenderOptions};

/// A function's Go parameter type, which decides argument checks and conversions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Param {
    /// `interface {}`
    Any,
    /// `string`
    Str,
    /// `string`, for functions that work on a Go string's bytes (`b64enc`): a string object
    /// that is not UTF-8 (a binary chart file) reaches them as it is.
    Text,
    /// `int`
    Int,
    /// `uint32`
    Uint32,
    /// `bool`
    Bool,
    /// `map[string]interface {}`
    Map,
    /// `[]interface {}`
    List,
    /// A named Go type (`time.Time`, `sprig.certificate`): only objects of that type.
    Named(&'static str),
}

impl Param {
    /// Whether a computed value can be passed as is.
    pub fn accepts(self, v: &Value) -> bool {
        match (self, v) {
            (Param::Any, _) => true,
            (Param::Str | Param::Text, Value::String(_)) => true,
            (Param::Text, Value::Object(o)) => o.kind_name() == "string",
            (Param::Int, Value::Int(_)) => true,
            (Param::Bool, Value::Bool(_)) => true,
            (Param::Map, Value::Map(m)) => m.elem() == ElemType::Any,
            (Param::List, Value::List(_, e)) => *e == ElemType::Any,
            (Param::Named(name), Value::Object(o)) => o.type_name() == *name,
            _ => false,
        }
    }

    /// Whether Go lets nil stand for this type.
    pub fn nilable(self) -> bool {
        matches!(self, Param::Any | Param::Map | Param::List)
    }

    /// The Go type name, for error messages.
    pub fn go_name(self) -> &'static str {
        match self {
            Param::Any => "interface {}",
            Param::Str | Param::Text => "string",
            Param::Int => "int",
            Param::Uint32 => "uint32",
            Param::Bool => "bool",
            Param::Map => "map[string]interface {}",
            Param::List => "[]interface {}",
            Param::Named(name) => name,
        }
    }
}

/// Compiled regular expressions by pattern, shared by the renders of one [`RenderOptions`].
#[derive(Clone, Default)]
pub(crate) struct RegexCache(Arc<std::sync::Mutex<HashMap<String, regex::Regex>>>);

impl RegexCache {
    /// The compiled `pattern`, compiling it with `compile` the first time.
    pub fn get_or_compile(
        &self,
        pattern: &str,
        compile: impl FnOnce(&str) -> Result<regex::Regex, String>,
    ) -> Result<regex::Regex, String> {
        if let Some(re) = self.0.lock().ok().and_then(|m| m.get(pattern).cloned()) {
            return Ok(re);
        }
        let re = compile(pattern)?;
        if let Ok(mut m) = self.0.lock() {
            m.insert(pattern.to_owned(), re.clone());
        }
        Ok(re)
    }
}

/// What a function can reach besides its arguments.
pub(crate) struct Ctx<'a> {
    pub opts: &'a RenderOptions,
    pub set: &'a TreeSet,
    pub depth: usize,
    pub parse_name: &'a Arc<str>,
}

/// A function's result: the value, or the message Go prints after `error calling NAME: `.
pub(crate) type FResult = Result<Value, String>;

type Imp = fn(&mut Ctx<'_>, Vec<Value>) -> FResult;

/// A function of the map.
pub(crate) struct Func {
    pub params: &'static [Param],
    pub variadic: Option<Param>,
    pub imp: Imp,
}

/// The function table being built.
pub(crate) struct Registry(HashMap<&'static str, Func>);

impl Registry {
    /// Adds `name` with fixed `params` and an optional variadic tail, replacing any function
    /// of that name.
    pub fn add(
        &mut self,
        name: &'static str,
        params: &'static [Param],
        variadic: Option<Param>,
        imp: Imp,
    ) {
        self.0.insert(
            name,
            Func {
                params,
                variadic,
                imp,
            },
        );
    }

    /// Removes `name`.
    fn remove(&mut self, name: &str) {
        self.0.remove(name);
    }
}

/// Go's builtins, sprig and Helmfile's functions.
fn helmfile_functions() -> Registry {
    let mut r = Registry(HashMap::new());
    builtins::register(&mut r);
    strings::register(&mut r);
    conv::register(&mut r);
    lists::register(&mut r);
    dicts::register(&mut r);
    math::register(&mut r);
    password::register(&mut r);
    bcrypt::register(&mut r);
    aes::register(&mut r);
    certs::register(&mut r);
    encoding::register(&mut r);
    semver::register(&mut r);
    dates::register(&mut r);
    files::register(&mut r);
    paths::register(&mut r);
    url::register(&mut r);
    network::register(&mut r);
    yaml::register(&mut r);
    render::register(&mut r);
    random::register(&mut r);
    r
}

static HELMFILE: LazyLock<HashMap<&'static str, Func>> = LazyLock::new(|| helmfile_functions().0);

/// Helm's function map: sprig without `env` and `expandenv`, plus helm's own functions
/// (pkg/engine/funcs.go and the engine's `include`, `tpl`, `required`, `fail`, `lookup`).
static HELM: LazyLock<HashMap<&'static str, Func>> = LazyLock::new(|| {
    let mut r = helmfile_functions();
    for name in files::HELMFILE_ONLY
        .iter()
        .chain(yaml::HELMFILE_ONLY)
        .chain(render::HELMFILE_ONLY)
    {
        r.remove(name);
    }
    helm::register(&mut r);
    r.0
});

impl Functions {
    /// The function `name` of this map.
    pub(crate) fn lookup(self, name: &str) -> Option<&'static Func> {
        match self {
            Functions::Helmfile => HELMFILE.get(name),
            Functions::Helm => HELM.get(name),
        }
    }
}

/// The string of an argument already checked to be a string.
pub(crate) fn s(v: &Value) -> &str {
    v.as_str().unwrap_or_default()
}

/// The integer of an argument already checked to be an integer.
pub(crate) fn i(v: &Value) -> i64 {
    v.as_int().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::Functions;

    /// sprig v3.3.0's whole function map, vendored with the commit it came from.
    const SPRIG_FUNCTIONS: &str = include_str!("sprig_functions.txt");

    fn sprig_names() -> Vec<&'static str> {
        let names: Vec<&str> = SPRIG_FUNCTIONS
            .lines()
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .collect();
        assert!(names.len() > 200, "the vendored list looks truncated");
        names
    }

    #[test]
    fn every_sprig_function_is_defined() {
        let missing: Vec<&str> = sprig_names()
            .into_iter()
            .filter(|n| Functions::Helmfile.lookup(n).is_none())
            .collect();
        assert_eq!(missing, Vec::<&str>::new(), "sprig functions not defined");
    }

    #[test]
    fn helm_has_sprig_without_env_and_helmfile_extras() {
        let missing: Vec<&str> = sprig_names()
            .into_iter()
            .filter(|n| Functions::Helm.lookup(n).is_none())
            .collect();
        assert_eq!(missing, ["env", "expandenv"]);
        for helmfile_only in [
            "readFile",
            "exec",
            "requiredEnv",
            "getOrNil",
            "setValueAtPath",
        ] {
            assert!(
                Functions::Helm.lookup(helmfile_only).is_none(),
                "{helmfile_only}"
            );
        }
        for helm in [
            "include",
            "tpl",
            "lookup",
            "toToml",
            "fromYamlArray",
            "toYamlPretty",
        ] {
            assert!(Functions::Helm.lookup(helm).is_some(), "{helm}");
        }
    }
}
