//! Go's builtin template functions: comparisons, `len`, `index`, `not`, printing and escaping.

use super::Param::{Any, Str};
use super::url::{Mode, escape};
use super::{FResult, Registry};
use crate::template::format::{sprint, sprint_value, sprintf, sprintln};
use crate::template::value::Value;

pub(super) fn register(r: &mut Registry) {
    r.add("and", &[Any], Some(Any), |_, _| Ok(Value::Nil));
    r.add("or", &[Any], Some(Any), |_, _| Ok(Value::Nil));
    r.add("not", &[Any], None, |_, a| Ok(Value::Bool(!a[0].truthy())));
    r.add("len", &[Any], None, |_, a| len(&a[0]));
    r.add("index", &[Any], Some(Any), |_, a| index(&a[0], &a[1..]));
    r.add("eq", &[Any], Some(Any), |_, a| {
        eq(&a[0], &a[1..]).map(Value::Bool)
    });
    r.add("ne", &[Any, Any], None, |_, a| {
        eq(&a[0], &a[1..2]).map(|b| Value::Bool(!b))
    });
    r.add("lt", &[Any, Any], None, |_, a| {
        lt(&a[0], &a[1]).map(Value::Bool)
    });
    r.add("le", &[Any, Any], None, |_, a| {
        le(&a[0], &a[1]).map(Value::Bool)
    });
    r.add("gt", &[Any, Any], None, |_, a| {
        le(&a[0], &a[1]).map(|b| Value::Bool(!b))
    });
    r.add("ge", &[Any, Any], None, |_, a| {
        lt(&a[0], &a[1]).map(|b| Value::Bool(!b))
    });
    r.add("print", &[], Some(Any), |_, a| {
        Ok(Value::String(sprint(&a)))
    });
    r.add("println", &[], Some(Any), |_, a| {
        Ok(Value::String(sprintln(&a)))
    });
    r.add("printf", &[Str], Some(Any), |_, a| {
        Ok(Value::String(sprintf(super::s(&a[0]), &a[1..])))
    });
    r.add("html", &[], Some(Any), |_, a| {
        Ok(Value::String(html_escape(&eval_args(&a))))
    });
    r.add("js", &[], Some(Any), |_, a| {
        Ok(Value::String(js_escape(&eval_args(&a))))
    });
    r.add("urlquery", &[], Some(Any), |_, a| {
        Ok(Value::String(escape(&eval_args(&a), Mode::QueryComponent)))
    });
    r.add("call", &[Any], Some(Any), |_, a| match &a[0] {
        Value::Nil => Err("call of nil".into()),
        v => Err(format!("non-function of type {}", v.type_name())),
    });
}

/// Go's `evalArgs`: a single string argument as is, otherwise `fmt.Sprint` of all.
fn eval_args(a: &[Value]) -> String {
    match a {
        [Value::String(s)] => s.clone(),
        _ => sprint(a),
    }
}

fn len(v: &Value) -> FResult {
    match v {
        Value::Object(o) if o.deref().is_some() => len(&o.deref().unwrap_or_default()),
        Value::Object(o) if o.collection().is_some() => len(&o.collection().unwrap_or_default()),
        Value::Object(o) if o.bytes().is_some() => {
            Ok(Value::Int(o.bytes().map_or(0, <[u8]>::len) as i64))
        }
        Value::Nil => Err("len of nil pointer".into()),
        Value::String(s) => Ok(Value::Int(s.len() as i64)),
        Value::List(l, _) => Ok(Value::Int(l.len() as i64)),
        Value::Map(m) => Ok(Value::Int(m.len() as i64)),
        v => Err(format!("len of type {}", v.type_name())),
    }
}

fn index_arg(i: &Value, cap: usize) -> Result<usize, String> {
    let x = match i {
        Value::Int(x) | Value::Int64(x) => *x,
        Value::Nil => return Err("cannot index slice/array with nil".into()),
        v => {
            return Err(format!(
                "cannot index slice/array with type {}",
                v.type_name()
            ));
        }
    };
    if x < 0 || x as usize > cap {
        return Err(format!("index out of range: {x}"));
    }
    Ok(x as usize)
}

pub(super) fn index(item: &Value, indexes: &[Value]) -> FResult {
    if item.is_nil() {
        return Err("index of untyped nil".into());
    }
    let mut item = item.clone();
    for ix in indexes {
        if let Value::Object(o) = &item
            && let Some(inner) = o.deref().or_else(|| o.collection())
        {
            item = inner;
        }
        item = match &item {
            Value::Nil => return Err("index of nil pointer".into()),
            Value::List(l, _) => {
                let x = index_arg(ix, l.len())?;
                match l.get(x) {
                    Some(v) => v.clone(),
                    None => return Err("reflect: slice index out of range".into()),
                }
            }
            Value::String(s) => {
                let x = index_arg(ix, s.len())?;
                match s.as_bytes().get(x) {
                    Some(b) => Value::Int(i64::from(*b)),
                    None => return Err("reflect: string index out of range".into()),
                }
            }
            Value::Map(m) => match ix {
                Value::String(k) => m.get(k).unwrap_or(match m.elem() {
                    crate::template::value::ElemType::String => Value::str(""),
                    _ => Value::Nil,
                }),
                Value::Nil => return Err("value is nil; should be of type string".into()),
                v => {
                    return Err(format!(
                        "value has type {}; should be string",
                        v.type_name()
                    ));
                }
            },
            v => return Err(format!("can't index item of type {}", v.type_name())),
        };
    }
    Ok(item)
}

#[derive(PartialEq, Eq, Clone, Copy)]
enum Kind {
    Bool,
    Int,
    Uint,
    Float,
    String,
    Other,
    Invalid,
}

fn kind(v: &Value) -> Kind {
    match v {
        Value::Bool(_) => Kind::Bool,
        Value::Int(_) | Value::Int64(_) => Kind::Int,
        Value::Uint(_) => Kind::Uint,
        Value::Float(_) => Kind::Float,
        Value::String(_) => Kind::String,
        Value::Nil => Kind::Invalid,
        _ => Kind::Other,
    }
}

const INCOMPATIBLE: &str = "incompatible types for comparison";

pub(super) fn eq(a: &Value, others: &[Value]) -> Result<bool, String> {
    if others.is_empty() {
        return Err("missing argument for comparison".into());
    }
    let k1 = kind(a);
    for b in others {
        let k2 = kind(b);
        let truth = if let Some(o) = int_uint_order(a, b) {
            o == std::cmp::Ordering::Equal
        } else if k1 != k2 {
            if !a.is_nil() && !b.is_nil() {
                return Err(INCOMPATIBLE.into());
            }
            false
        } else {
            match (a, b) {
                (Value::Bool(x), Value::Bool(y)) => x == y,
                (Value::Float(x), Value::Float(y)) => x == y,
                (Value::String(x), Value::String(y)) => x == y,
                _ if k1 == Kind::Int => a.as_int() == b.as_int(),
                (Value::Nil, Value::Nil) => true,
                (Value::List(..), _) | (Value::Map(_), _) => {
                    if a.type_name() != b.type_name() {
                        return Err(format!(
                            "non-comparable types {}: {}, {}: {}",
                            sprint_value(a),
                            a.type_name(),
                            b.type_name(),
                            sprint_value(b)
                        ));
                    }
                    return Err(format!(
                        "non-comparable type {}: {}",
                        sprint_value(b),
                        b.type_name()
                    ));
                }
                _ => sprint_value(a) == sprint_value(b) && a.type_name() == b.type_name(),
            }
        };
        if truth {
            return Ok(true);
        }
    }
    Ok(false)
}

fn lt(a: &Value, b: &Value) -> Result<bool, String> {
    let (k1, k2) = (kind(a), kind(b));
    for k in [k1, k2] {
        if matches!(k, Kind::Other | Kind::Invalid) {
            return Err("invalid type for comparison".into());
        }
    }
    if let Some(o) = int_uint_order(a, b) {
        return Ok(o == std::cmp::Ordering::Less);
    }
    if k1 != k2 {
        return Err(INCOMPATIBLE.into());
    }
    match (a, b) {
        (Value::Bool(_), _) => Err("invalid type for comparison".into()),
        (Value::Float(x), Value::Float(y)) => Ok(x < y),
        (Value::String(x), Value::String(y)) => Ok(x < y),
        _ => Ok(a.as_int() < b.as_int()),
    }
}

/// Go compares signed and unsigned integers by value, whatever their types.
fn int_uint_order(a: &Value, b: &Value) -> Option<std::cmp::Ordering> {
    let wide = |v: &Value| -> Option<i128> {
        match v {
            Value::Uint(u) => Some(i128::from(*u)),
            Value::Int(i) | Value::Int64(i) => Some(i128::from(*i)),
            _ => None,
        }
    };
    if !matches!(a, Value::Uint(_)) && !matches!(b, Value::Uint(_)) {
        return None;
    }
    Some(wide(a)?.cmp(&wide(b)?))
}

fn le(a: &Value, b: &Value) -> Result<bool, String> {
    if lt(a, b)? {
        return Ok(true);
    }
    eq(a, std::slice::from_ref(b))
}

/// Go's `template.HTMLEscapeString`.
pub(super) fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("&#34;"),
            '\'' => out.push_str("&#39;"),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\0' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

/// Go's `template.JSEscapeString`.
fn js_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '"' => out.push_str("\\\""),
            '<' => out.push_str("\\u003C"),
            '>' => out.push_str("\\u003E"),
            '&' => out.push_str("\\u0026"),
            '=' => out.push_str("\\u003D"),
            c if !crate::template::format::is_go_printable(c) => {
                out.push_str(&format!("\\u{:04X}", c as u32))
            }
            c => out.push(c),
        }
    }
    out
}
