//! Helm's own functions (helm 3.17 `pkg/engine/funcs.go` and the engine's closures): `toYaml`
//! through JSON as `sigs.k8s.io/yaml` writes it, `fromYaml`/`fromJson` that put errors in an
//! `Error` key, `include` and `tpl` over the whole chart's templates, `required` and `fail`
//! with the markers helm strips from error messages, and `lookup` empty as `helm template` has
//! no cluster.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::Param::{Any, Str};
use super::encoding::{from_json, json_float, to_json};
use super::toml::to_toml;
use super::yaml::{to_yaml, to_yaml_pretty};
use super::{Ctx, FResult, Registry, s};
use crate::template::exec::{MAX_DEPTH, execute, execute_tree};
use crate::template::format::go_quote;
use crate::template::parse::{associate, parse_file};
use crate::template::value::{ElemType, MapRef, Struct, Value};
use crate::yaml::read::{ReadError, TopKeys, load};

/// The name helm's `tpl` parses its text under (the engine's root template).
const TPL_NAME: &str = "gotpl";

/// Marks the text of `required` and `fail` errors; helm prints only what is between.
pub const ERR_START: &str = "HELM_ERR_START";
/// The end of a `required`/`fail` message.
pub const ERR_END: &str = "HELM_ERR_END";

pub(super) fn register(r: &mut Registry) {
    r.remove("sprigGet");
    r.add(
        "get",
        &[super::Param::Map, Str],
        None,
        super::dicts::sprig_get,
    );
    r.add("toYaml", &[Any], None, |_, a| {
        Ok(Value::String(helm_to_yaml(&a[0]).unwrap_or_default()))
    });
    r.add("toYamlPretty", &[Any], None, |_, a| {
        let text = to_yaml_pretty(&a[0]);
        Ok(Value::String(
            text.strip_suffix('\n').unwrap_or(&text).to_owned(),
        ))
    });
    r.add("toToml", &[Any], None, |_, a| {
        Ok(Value::String(to_toml(&a[0]).unwrap_or_else(|e| e)))
    });
    r.add("fromYaml", &[Str], None, |_, a| {
        Ok(map_or_error(read_yaml(s(&a[0])), cannot_unmarshal))
    });
    r.add("fromYamlArray", &[Str], None, |_, a| {
        Ok(list_or_error(read_yaml(s(&a[0])), cannot_unmarshal))
    });
    r.add("fromJson", &[Str], None, |_, a| {
        Ok(map_or_error(from_json(s(&a[0])), json_type_error))
    });
    r.add("fromJsonArray", &[Str], None, |_, a| {
        Ok(list_or_error(from_json(s(&a[0])), json_type_error))
    });
    r.add("toJson", &[Any], None, |_, a| {
        Ok(Value::String(if json_value(&a[0]).is_some() {
            to_json(&a[0], true, None)
        } else {
            String::new()
        }))
    });
    r.add("include", &[Str, Any], None, |ctx, a| {
        let name = s(&a[0]);
        if !ctx.set.contains_key(name) {
            return Err(format!(
                "template: no template {name:?} associated with template {TPL_NAME:?}"
            ));
        }
        if ctx.depth >= MAX_DEPTH {
            return Err(format!(
                "rendering template has a nested reference name: {name}: unable to execute template"
            ));
        }
        execute(ctx.set, name, &a[1], ctx.opts, ctx.depth + 1)
            .map(Value::String)
            .map_err(|e| e.go_message())
    });
    r.add("tpl", &[Str, Any], None, tpl);
    r.add("required", &[Str, Any], None, |_, a| match &a[1] {
        Value::Nil => Err(format!("{ERR_START}{}{ERR_END}", s(&a[0]))),
        Value::String(v) if v.is_empty() => Err(format!("{ERR_START}{}{ERR_END}", s(&a[0]))),
        v => Ok(v.clone()),
    });
    r.add("fail", &[Str], None, |_, a| {
        Err(format!("{ERR_START}{}{ERR_END}", s(&a[0])))
    });
    r.add("lookup", &[Str, Str, Str, Str], None, |_, _| {
        Ok(Value::empty_map())
    });
    r.add("getHostByName", &[Str], None, |_, _| Ok(Value::str("")));
}

/// helm's `tpl`: the text parsed into a copy of all the chart's templates (so it can `include`
/// them and its own `define`s), rendered over the given data, `<no value>` removed.
fn tpl(ctx: &mut Ctx<'_>, a: Vec<Value>) -> FResult {
    let text = s(&a[0]);
    let name: Arc<str> = Arc::from(TPL_NAME);
    let trees = parse_file(TPL_NAME, &name, &Arc::from(text), &|f| {
        ctx.set.functions.lookup(f).is_some()
    })
    .map_err(|e| {
        format!(
            "cannot parse template {}: template: {TPL_NAME}:{}: {}",
            go_quote(text),
            e.line,
            e.message
        )
    })?;
    let mut set = ctx.set.clone();
    associate(&mut set.trees, &trees);
    // Go executes the text's own tree, even when it was empty and so did not replace an
    // earlier tpl's in the set.
    let Some((_, main)) = trees.iter().find(|(n, _)| n == TPL_NAME) else {
        return Ok(Value::str(""));
    };
    let out = execute_tree(&set, main, &a[1], ctx.opts, ctx.depth + 1).map_err(|e| {
        format!(
            "error during tpl function execution for {}: {}",
            go_quote(text),
            e.go_message()
        )
    })?;
    Ok(Value::String(out.replace("<no value>", "")))
}

fn error_map(message: &str) -> Value {
    Value::map(BTreeMap::from([("Error".to_owned(), Value::str(message))]))
}

/// `fromYaml`/`fromJson`: the map read, or a map holding the error under `Error`.
fn map_or_error(read: Result<Value, String>, type_error: fn(&Value, &str) -> String) -> Value {
    match read {
        Ok(Value::Map(m)) => Value::Map(m),
        Ok(Value::Nil) => Value::empty_map(),
        Ok(other) => error_map(&type_error(&other, "map[string]interface {}")),
        Err(e) => error_map(&e),
    }
}

/// `fromYamlArray`/`fromJsonArray`: the list read, or a list holding the error.
fn list_or_error(read: Result<Value, String>, type_error: fn(&Value, &str) -> String) -> Value {
    match read {
        Ok(v @ Value::List(..)) => v,
        Ok(Value::Nil) => Value::list(Vec::new()),
        Ok(other) => Value::list(vec![Value::String(type_error(&other, "[]interface {}"))]),
        Err(e) => Value::list(vec![Value::String(e)]),
    }
}

/// `sigs.k8s.io/yaml`'s error for a document that is not the expected type.
pub(crate) fn cannot_unmarshal(v: &Value, into: &str) -> String {
    format!(
        "error unmarshaling JSON: while decoding JSON: {}",
        json_type_error(v, into)
    )
}

/// `encoding/json`'s error for a value of the wrong type.
fn json_type_error(v: &Value, into: &str) -> String {
    format!(
        "json: cannot unmarshal {} into Go value of type {into}",
        json_kind(v)
    )
}

/// The kind `encoding/json` names in its type errors.
pub(crate) fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Bool(_) => "bool",
        Value::Int(_) | Value::Int64(_) | Value::Uint(_) | Value::Float(_) => "number",
        Value::String(_) => "string",
        Value::List(..) => "array",
        _ => "object",
    }
}

/// helm's `toYaml`: `sigs.k8s.io/yaml.Marshal`, i.e. the value through `encoding/json`, read
/// back by go-yaml v2 (so whole floats become integers) and written by it, without the final
/// newline; `None` when JSON cannot hold the value (NaN, infinities).
pub fn helm_to_yaml(v: &Value) -> Option<String> {
    let data = json_value(v)?;
    let text = to_yaml(&data);
    Some(text.strip_suffix('\n').unwrap_or(&text).to_owned())
}

/// A value as go-yaml v2 reads back the JSON `encoding/json` writes for it: objects become maps
/// of their JSON fields, floats without a fraction become integers.
pub(crate) fn json_value(v: &Value) -> Option<Value> {
    Some(match v {
        Value::Float(f) => {
            if !f.is_finite() {
                return None;
            }
            let text = json_float(*f);
            if let Ok(i) = text.parse::<i64>() {
                Value::Int(i)
            } else if let Ok(u) = text.parse::<u64>() {
                Value::Uint(u)
            } else {
                Value::Float(*f)
            }
        }
        Value::List(items, _) => Value::list(
            items
                .iter()
                .map(json_value)
                .collect::<Option<Vec<Value>>>()?,
        ),
        Value::Map(m) => Value::Map(MapRef::typed(
            m.entries()
                .into_iter()
                .map(|(k, x)| Some((k, json_value(&x)?)))
                .collect::<Option<BTreeMap<String, Value>>>()?,
            ElemType::Any,
        )),
        Value::Object(o) => {
            if let Some(st) = o.as_any().downcast_ref::<Struct>() {
                return Some(Value::map(
                    st.fields
                        .iter()
                        .map(|(k, x)| Some((k.clone(), json_value(x)?)))
                        .collect::<Option<BTreeMap<String, Value>>>()?,
                ));
            }
            match o.to_data() {
                Value::Object(inner) if inner.as_any().downcast_ref::<Struct>().is_none() => {
                    Value::String(inner.go_string())
                }
                data => json_value(&data)?,
            }
        }
        other => other.clone(),
    })
}

/// `sigs.k8s.io/yaml.Unmarshal` into `interface{}`: go-yaml v2 reads the first document (every
/// map key resolved to its text), `encoding/json` turns every number into a float64.
pub fn read_yaml(text: &str) -> Result<Value, String> {
    match read_yaml_typed(text)? {
        Value::Nil => Ok(Value::Nil),
        v => json_numbers(&v),
    }
}

/// `sigs.k8s.io/yaml.Unmarshal` into a struct: the first document with every map key resolved,
/// numbers as go-yaml typed them (the struct's string fields turn them into text).
pub fn read_yaml_typed(text: &str) -> Result<Value, String> {
    match load(text, TopKeys::Resolved) {
        Ok(doc) => Ok(doc.unwrap_or_default()),
        // Only a syntax error is worth a second reader: a document that parsed but cannot become
        // JSON (a null key) fails in helm too.
        Err(e @ ReadError::Syntax { .. }) => libyaml_read(text)
            .ok_or_else(|| format!("error converting YAML to JSON: {}", e.go_yaml())),
        Err(e) => Err(format!("error converting YAML to JSON: {e}")),
    }
}

/// The first document as libyaml reads it. go-yaml v2 is a port of libyaml, which accepts a
/// few layouts the fast reader refuses (a flow collection or a quoted scalar continued less
/// indented than its key); `serde_yaml`, built on another port of libyaml, is the judge then.
fn libyaml_read(text: &str) -> Option<Value> {
    use serde::Deserialize as _;
    let doc = serde_yaml::Deserializer::from_str(text).next()?;
    serde_yaml::Value::deserialize(doc)
        .ok()
        .map(|v| Value::from(&v))
}

/// Numbers as `encoding/json` decodes them into `interface{}`: all float64.
fn json_numbers(v: &Value) -> Result<Value, String> {
    Ok(match v {
        Value::Int(i) | Value::Int64(i) => Value::Float(*i as f64),
        Value::Uint(u) => Value::Float(*u as f64),
        Value::Float(f) if !f.is_finite() => {
            return Err(format!(
                "error converting YAML to JSON: json: unsupported value: {}",
                crate::template::format::format_float_g(*f, None)
            ));
        }
        Value::List(items, _) => Value::list(
            items
                .iter()
                .map(json_numbers)
                .collect::<Result<Vec<Value>, String>>()?,
        ),
        Value::Map(m) => Value::map(
            m.entries()
                .into_iter()
                .map(|(k, x)| Ok((k, json_numbers(&x)?)))
                .collect::<Result<BTreeMap<String, Value>, String>>()?,
        ),
        other => other.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_numbers_are_float64_and_print_like_go() {
        let v = read_yaml("a: 1000000\nb: 1.5\nc: [1, x]\non: yes\n").unwrap_or_default();
        assert_eq!(
            crate::template::sprint_value(&v),
            "map[a:1e+06 b:1.5 c:[1 x] true:true]"
        );
    }

    #[test]
    fn to_yaml_goes_through_json() {
        let v = read_yaml("a: 1000000\nb: {c: 1.5, d: [x]}\n").unwrap_or_default();
        assert_eq!(
            helm_to_yaml(&v).unwrap_or_default(),
            "a: 1000000\nb:\n  c: 1.5\n  d:\n  - x"
        );
        assert_eq!(helm_to_yaml(&Value::Float(f64::NAN)), None);
    }
}
