//! sprig's conversions, defaults and type functions, and the helpers other sprig functions share
//! (`strval`, `toInt64`, `toFloat64` as `spf13/cast` does them).

use super::Param::{Any, Bool, Str};
use super::{Registry, s};
use crate::strconv::parse_int_base0;
use crate::template::format::sprint_value;
use std::sync::Arc;

use crate::template::value::{GoBytes, Value};

pub(super) fn register(r: &mut Registry) {
    r.add("toString", &[Any], None, |_, a| match &a[0] {
        // A []byte becomes a Go string of the same bytes, UTF-8 or not.
        Value::Object(o) if o.bytes().is_some() => {
            Ok(GoBytes::string(Arc::from(o.bytes().unwrap_or_default())))
        }
        v => Ok(Value::String(strval(v))),
    });
    r.add("toStrings", &[Any], None, |_, a| {
        Ok(Value::string_list(strslice(&a[0])))
    });
    r.add("atoi", &[Str], None, |_, a| {
        Ok(Value::Int(s(&a[0]).parse().unwrap_or(0)))
    });
    r.add("int", &[Any], None, |_, a| Ok(Value::Int(to_int64(&a[0]))));
    r.add("int64", &[Any], None, |_, a| {
        Ok(Value::Int64(to_int64(&a[0])))
    });
    r.add("float64", &[Any], None, |_, a| {
        Ok(Value::Float(to_float64(&a[0])))
    });
    r.add("toDecimal", &[Any], None, |_, a| {
        Ok(Value::Int64(
            i64::from_str_radix(&strval(&a[0]), 8).unwrap_or(0),
        ))
    });
    r.add("default", &[Any], Some(Any), |_, a| {
        Ok(match a.get(1) {
            Some(v) if v.truthy() => v.clone(),
            _ => a[0].clone(),
        })
    });
    r.add("empty", &[Any], None, |_, a| {
        Ok(Value::Bool(!a[0].truthy()))
    });
    r.add("coalesce", &[], Some(Any), |_, a| {
        Ok(a.into_iter().find(Value::truthy).unwrap_or(Value::Nil))
    });
    r.add("all", &[], Some(Any), |_, a| {
        Ok(Value::Bool(a.iter().all(Value::truthy)))
    });
    r.add("any", &[], Some(Any), |_, a| {
        Ok(Value::Bool(a.iter().any(Value::truthy)))
    });
    r.add("ternary", &[Any, Any, Bool], None, |_, a| {
        Ok(if matches!(a[2], Value::Bool(true)) {
            a[0].clone()
        } else {
            a[1].clone()
        })
    });
    r.add("fail", &[Str], None, |_, a| Err(s(&a[0]).to_owned()));
    r.add("typeOf", &[Any], None, |_, a| {
        Ok(Value::String(a[0].type_name()))
    });
    r.add("kindOf", &[Any], None, |_, a| {
        Ok(Value::str(a[0].kind_name()))
    });
    r.add("typeIs", &[Str, Any], None, |_, a| {
        Ok(Value::Bool(s(&a[0]) == a[1].type_name()))
    });
    r.add("typeIsLike", &[Str, Any], None, |_, a| {
        let t = a[1].type_name();
        Ok(Value::Bool(s(&a[0]) == t || format!("*{}", s(&a[0])) == t))
    });
    r.add("kindIs", &[Str, Any], None, |_, a| {
        Ok(Value::Bool(s(&a[0]) == a[1].kind_name()))
    });
    r.add("deepEqual", &[Any, Any], None, |_, a| {
        Ok(Value::Bool(deep_equal(&a[0], &a[1])))
    });
    r.add("deepCopy", &[Any], None, |_, a| match &a[0] {
        Value::Nil => Err("reflect: call of reflect.Value.Type on zero Value".into()),
        v => Ok(v.deep_copy()),
    });
    r.add("mustDeepCopy", &[Any], None, |_, a| Ok(a[0].deep_copy()));
}

/// sprig's `strval`: strings as they are, everything else as `%v`.
pub(crate) fn strval(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Object(o) if o.bytes().is_some() => {
            String::from_utf8_lossy(o.bytes().unwrap_or_default()).into_owned()
        }
        v => sprint_value(v),
    }
}

/// sprig's `strslice`: a list's elements as strings (nils dropped), or the value alone.
pub(crate) fn strslice(v: &Value) -> Vec<String> {
    match v {
        Value::List(items, _) => items.iter().filter(|i| !i.is_nil()).map(strval).collect(),
        Value::Nil => Vec::new(),
        v => vec![strval(v)],
    }
}

/// `cast.ToInt64`, errors ignored as sprig ignores them.
pub(crate) fn to_int64(v: &Value) -> i64 {
    match v {
        Value::Int(i) | Value::Int64(i) => *i,
        Value::Uint(u) => *u as i64,
        Value::Float(f) => super::lists::go_int(*f),
        Value::Bool(b) => i64::from(*b),
        Value::String(s) => parse_int_base0(trim_zero_decimal(s)).unwrap_or(0),
        _ => 0,
    }
}

/// `cast.ToFloat64`, errors ignored.
pub(crate) fn to_float64(v: &Value) -> f64 {
    match v {
        Value::Int(i) | Value::Int64(i) => *i as f64,
        Value::Uint(u) => *u as f64,
        Value::Float(f) => *f,
        Value::Bool(b) => f64::from(u8::from(*b)),
        Value::String(s) => s.parse().unwrap_or(0.0),
        _ => 0.0,
    }
}

/// cast's `trimZeroDecimal`: `"1.00"` → `"1"`.
fn trim_zero_decimal(s: &str) -> &str {
    let mut found_zero = false;
    for (i, b) in s.bytes().enumerate().rev() {
        match b {
            b'.' if found_zero => return &s[..i],
            b'.' => return s,
            b'0' => found_zero = true,
            _ => return s,
        }
    }
    s
}

/// `reflect.DeepEqual` over template values.
pub(crate) fn deep_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Nil, Value::Nil) => true,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Int(x), Value::Int(y)) | (Value::Int64(x), Value::Int64(y)) => x == y,
        (Value::Uint(x), Value::Uint(y)) => x == y,
        (Value::Float(x), Value::Float(y)) => x == y,
        (Value::String(x), Value::String(y)) => x == y,
        (Value::List(x, ex), Value::List(y, ey)) => {
            ex == ey && x.len() == y.len() && x.iter().zip(y.iter()).all(|(p, q)| deep_equal(p, q))
        }
        (Value::Map(x), Value::Map(y)) => {
            let (ex, ey) = (x.entries(), y.entries());
            x.elem() == y.elem()
                && ex.len() == ey.len()
                && ex
                    .iter()
                    .zip(ey.iter())
                    .all(|((k1, v1), (k2, v2))| k1 == k2 && deep_equal(v1, v2))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.type_name() == y.type_name() && x.go_string() == y.go_string()
        }
        _ => false,
    }
}
