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
mod url;
mod yaml;
mod yaml_read;

use std::collections::HashMap;
use std::sync::{Arc, LazyLock};

use super::RenderOptions;
use super::exec::TreeSet;
use super::value::{ElemType, Value};

/// A function's Go parameter type, which decides argument checks and conversions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Param {
    /// `interface {}`
    Any,
    /// `string`
    Str,
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
            (Param::Str, Value::String(_)) => true,
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
            Param::Str => "string",
            Param::Int => "int",
            Param::Uint32 => "uint32",
            Param::Bool => "bool",
            Param::Map => "map[string]interface {}",
            Param::List => "[]interface {}",
            Param::Named(name) => name,
        }
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
    /// Adds `name` with fixed `params` and an optional variadic tail.
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
}

static FUNCS: LazyLock<HashMap<&'static str, Func>> = LazyLock::new(|| {
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
    r.0
});

/// The function `name`, if the map has it.
pub(crate) fn lookup(name: &str) -> Option<&'static Func> {
    FUNCS.get(name)
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
    /// sprig v3.3.0's whole function map, vendored with the commit it came from.
    const SPRIG_FUNCTIONS: &str = include_str!("sprig_functions.txt");

    #[test]
    fn every_sprig_function_is_defined() {
        let names: Vec<&str> = SPRIG_FUNCTIONS
            .lines()
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .collect();
        assert!(names.len() > 200, "the vendored list looks truncated");
        let missing: Vec<&str> = names
            .into_iter()
            .filter(|n| super::lookup(n).is_none())
            .collect();
        assert_eq!(missing, Vec::<&str>::new(), "sprig functions not defined");
    }
}
