//! Helmfile's YAML functions: `toYaml` written as go-yaml v2 writes it ([`crate::yaml`]), `fromYaml`
//! read as go-yaml v2 reads it, `setValueAtPath`, `get`, `getOrNil`.

use super::Param::{Any, Map, Str};
use super::{FResult, Registry, s};
use crate::template::format::{format_float_g, sprint_value};
use crate::template::value::{Struct, Value};
use crate::yaml::key_order;
use crate::yaml::read::{TopKeys, load};

/// Helmfile's functions of this file that helm does not have; helm has its own `toYaml`,
/// `fromYaml` and (sprig's) `get`.
pub(super) const HELMFILE_ONLY: &[&str] = &["setValueAtPath", "getOrNil", "get"];

pub(super) fn register(r: &mut Registry) {
    r.add("toYaml", &[Any], None, |_, a| {
        Ok(Value::String(to_yaml(&a[0])))
    });
    r.add("fromYaml", &[Str], None, |_, a| from_yaml(s(&a[0])));
    r.add("setValueAtPath", &[Str, Any, Map], None, |_, a| {
        set_value_at_path(s(&a[0]), &a[1], &a[2])
    });
    r.add("get", &[Str], Some(Any), |_, a| {
        let (def, obj) = match &a[1..] {
            [obj] => (None, obj),
            [def, obj] => (Some(def), obj),
            rest => {
                return Err(format!(
                    "unexpected number of args passed to the template function get(path, [def, ]obj): expected 1 or 2, got {}, args was {}",
                    rest.len(),
                    sprint_value(&Value::list(rest.to_vec()))
                ));
            }
        };
        get(s(&a[0]), def, obj).map_err(|e| e.message)
    });
    r.add("getOrNil", &[Str, Any], None, |_, a| {
        match get(s(&a[0]), None, &a[1]) {
            Ok(v) => Ok(v),
            Err(e) if e.no_value => Ok(Value::Nil),
            Err(e) => Err(e.message),
        }
    });
}

/// Why `get` failed; `no_value` errors make `getOrNil` return nil instead.
pub(crate) struct GetError {
    no_value: bool,
    message: String,
}

/// Helmfile's `get`: a dotted path through maps and struct fields, with an optional default.
pub(crate) fn get(path: &str, def: Option<&Value>, obj: &Value) -> Result<Value, GetError> {
    if path.is_empty() {
        return Ok(obj.clone());
    }
    let (key, rest) = path.split_once('.').unwrap_or((path, ""));
    let v = match obj {
        Value::Object(o) if o.deref().is_some() => {
            return get(path, def, &o.deref().unwrap_or_default());
        }
        Value::Map(m) => match m.get(key) {
            Some(v) => v,
            None => {
                if let Some(d) = def {
                    return Ok(d.clone());
                }
                return Err(GetError {
                    no_value: true,
                    message: format!("no value exist for key {key:?} in {}", sprint_value(obj)),
                });
            }
        },
        Value::Object(o) if o.kind_name() == "struct" => match o.field(key) {
            Some(v) => v,
            None => {
                return Err(GetError {
                    no_value: true,
                    message: format!("no field named {key:?} exist in {}", sprint_value(obj)),
                });
            }
        },
        other => {
            let t = if other.is_nil() {
                "<nil>".to_owned()
            } else {
                other.type_name()
            };
            return Err(GetError {
                no_value: true,
                message: format!(
                    "unexpected type({t}) of value for key {key:?}: it must be either map[string]any or any struct"
                ),
            });
        }
    };
    get(rest, def, &v)
}

fn set_value_at_path(path: &str, value: &Value, values: &Value) -> FResult {
    let parts: Vec<&str> = path.split('.').collect();
    let (key, parents) = parts.split_last().unwrap_or((&"", &[]));
    let Value::Map(root) = values else {
        return Err(format!(
            "failed to set value at path {path:?}: value for key {key:?} was not a map"
        ));
    };
    let mut cur = root.clone();
    for k in parents {
        match cur.get(k) {
            None => {
                return Err(format!(
                    "failed to set value at path {path:?}: value for key {k:?} does not exist"
                ));
            }
            Some(Value::Map(m)) => cur = m,
            Some(_) => {
                return Err(format!(
                    "failed to set value at path {path:?}: value for key {k:?} was not a map"
                ));
            }
        }
    }
    cur.insert((*key).to_owned(), value.clone());
    Ok(values.clone())
}

/// Helmfile's `fromYaml`: a YAML mapping into `map[string]interface {}`.
fn from_yaml(text: &str) -> FResult {
    let loaded = load(text, TopKeys::AsWritten)
        .map_err(|e| format!("{}, offending yaml: {text}", e.go_yaml()))?;
    let (tag, shown) = match &loaded {
        None | Some(Value::Nil) => return Ok(Value::empty_map()),
        Some(v @ Value::Map(_)) => return Ok(v.clone()),
        Some(Value::List(..)) => ("!!seq", String::new()),
        Some(Value::Bool(b)) => ("!!bool", short_value(&b.to_string())),
        Some(Value::Int(i)) => ("!!int", short_value(&i.to_string())),
        Some(Value::Float(f)) => ("!!float", short_value(&format_float_g(*f, None))),
        Some(other) => ("!!str", short_value(&sprint_value(other))),
    };
    Err(format!(
        "yaml: unmarshal errors:\n  line 1: cannot unmarshal {tag}{shown} into map[string]interface {{}}, offending yaml: {text}"
    ))
}

/// go-yaml's shortened value in unmarshal errors.
fn short_value(v: &str) -> String {
    if v.chars().count() > 10 {
        let head: String = v.chars().take(7).collect();
        format!(" `{head}...`")
    } else {
        format!(" `{v}`")
    }
}

/// `yaml.Marshal` of go-yaml v2.
pub(crate) fn to_yaml(v: &Value) -> String {
    crate::yaml::marshal(&go_data(v))
}

/// go-yaml v3's encoder with `SetIndent(2)` (helm's `toYamlPretty`): sequences indented under
/// their key, no line folding.
pub(crate) fn to_yaml_pretty(v: &Value) -> String {
    crate::yaml::to_v3_string(&go_data(v))
}

/// A template value as go-yaml sees the Go data behind it: maps in Go's key order, struct
/// fields in declaration order with lower-cased names, typed objects as their data.
fn go_data(v: &Value) -> serde_yaml::Value {
    use serde_yaml::Value as Y;
    match v {
        Value::Map(m) => {
            let mut entries = m.entries();
            entries.sort_by(|(a, _), (b, _)| key_order(a, b));
            Y::Mapping(
                entries
                    .into_iter()
                    .map(|(k, v)| (Y::String(k), go_data(&v)))
                    .collect(),
            )
        }
        Value::List(items, _) => Y::Sequence(items.iter().map(go_data).collect()),
        Value::Object(o) => {
            if let Some(inner) = o.deref() {
                return go_data(&inner);
            }
            match o.as_any().downcast_ref::<Struct>() {
                Some(st) => Y::Mapping(
                    st.fields
                        .iter()
                        .map(|(k, v)| (Y::String(k.to_lowercase()), go_data(v)))
                        .collect(),
                ),
                None => go_data(&o.to_data()),
            }
        }
        scalar => serde_yaml::Value::from(scalar),
    }
}
