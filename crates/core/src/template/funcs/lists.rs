//! sprig's list functions, with sprig's errors for values that are not lists.

use std::sync::Arc;

use super::Param::{Any, Int};
use super::conv::{deep_equal, strslice, strval, to_int64};
use super::random::MAKESLICE;
use super::{FResult, Registry, i};
use crate::template::value::{ElemType, Value};

const NIL_DEREF: &str = "runtime error: invalid memory address or nil pointer dereference";

/// The items of a list argument, or sprig's `Cannot find OP on type T` error.
fn items(v: &Value, what: &str) -> Result<Arc<Vec<Value>>, String> {
    match v {
        Value::List(l, _) => Ok(l.clone()),
        Value::Nil => Err(NIL_DEREF.into()),
        other => Err(format!("{what} {}", other.kind_name())),
    }
}

fn opt(v: Option<&Value>) -> Value {
    v.cloned().unwrap_or(Value::Nil)
}

pub(super) fn register(r: &mut Registry) {
    r.add("list", &[], Some(Any), |_, a| Ok(Value::list(a)));
    r.add("tuple", &[], Some(Any), |_, a| Ok(Value::list(a)));
    for name in ["append", "push", "mustAppend", "mustPush"] {
        r.add(name, &[Any, Any], None, |_, a| {
            let mut l = items(&a[0], "Cannot push on type")?.to_vec();
            l.push(a[1].clone());
            Ok(Value::list(l))
        });
    }
    for name in ["prepend", "mustPrepend"] {
        r.add(name, &[Any, Any], None, |_, a| {
            let mut l = vec![a[1].clone()];
            l.extend(items(&a[0], "Cannot prepend on type")?.iter().cloned());
            Ok(Value::list(l))
        });
    }
    for name in ["first", "mustFirst"] {
        r.add(name, &[Any], None, |_, a| {
            Ok(opt(items(&a[0], "Cannot find first on type")?.first()))
        });
    }
    for name in ["last", "mustLast"] {
        r.add(name, &[Any], None, |_, a| {
            Ok(opt(items(&a[0], "Cannot find last on type")?.last()))
        });
    }
    for name in ["rest", "mustRest"] {
        r.add(name, &[Any], None, |_, a| {
            let l = items(&a[0], "Cannot find rest on type")?;
            Ok(Value::list(l.get(1..).unwrap_or_default().to_vec()))
        });
    }
    for name in ["initial", "mustInitial"] {
        r.add(name, &[Any], None, |_, a| {
            let l = items(&a[0], "Cannot find initial on type")?;
            Ok(Value::list(l[..l.len().saturating_sub(1)].to_vec()))
        });
    }
    for name in ["reverse", "mustReverse"] {
        r.add(name, &[Any], None, |_, a| {
            let mut l = items(&a[0], "Cannot find reverse on type")?.to_vec();
            l.reverse();
            Ok(Value::list(l))
        });
    }
    for name in ["uniq", "mustUniq"] {
        r.add(name, &[Any], None, |_, a| {
            let mut out: Vec<Value> = Vec::new();
            for v in items(&a[0], "Cannot find uniq on type")?.iter() {
                if !out.iter().any(|o| deep_equal(o, v)) {
                    out.push(v.clone());
                }
            }
            Ok(Value::list(out))
        });
    }
    for name in ["without", "mustWithout"] {
        r.add(name, &[Any], Some(Any), |_, a| {
            let l = items(&a[0], "Cannot find without on type")?;
            let out = l
                .iter()
                .filter(|v| !a[1..].iter().any(|o| deep_equal(o, v)))
                .cloned()
                .collect();
            Ok(Value::list(out))
        });
    }
    for name in ["has", "mustHas"] {
        r.add(name, &[Any, Any], None, |_, a| {
            if a[1].is_nil() {
                return Ok(Value::Bool(false));
            }
            let l = items(&a[1], "Cannot find has on type")?;
            Ok(Value::Bool(l.iter().any(|v| deep_equal(v, &a[0]))))
        });
    }
    for name in ["compact", "mustCompact"] {
        r.add(name, &[Any], None, |_, a| {
            let l = items(&a[0], "Cannot compact on type")?;
            Ok(Value::list(
                l.iter().filter(|v| v.truthy()).cloned().collect(),
            ))
        });
    }
    for name in ["slice", "mustSlice"] {
        r.add(name, &[Any], Some(Any), |_, a| {
            let l = match &a[0] {
                Value::List(l, _) => l.clone(),
                Value::Nil => return Err(NIL_DEREF.into()),
                v => {
                    return Err(format!(
                        "list should be type of slice or array but {}",
                        v.kind_name()
                    ));
                }
            };
            if l.is_empty() {
                return Ok(Value::Nil);
            }
            let start = a.get(1).map_or(0, to_int64);
            let end = a.get(2).map_or(l.len() as i64, to_int64);
            if start < 0 || end < start || end as usize > l.len() {
                return Err("reflect.Value.Slice: slice index out of bounds".into());
            }
            Ok(Value::list(l[start as usize..end as usize].to_vec()))
        });
    }
    r.add("concat", &[], Some(Any), |_, a| {
        let mut out = Vec::new();
        for v in &a {
            match v {
                Value::List(l, _) => out.extend(l.iter().cloned()),
                Value::Nil => return Err(NIL_DEREF.into()),
                v => return Err(format!("Cannot concat type {} as list", v.kind_name())),
            }
        }
        Ok(Value::list(out))
    });
    for name in ["chunk", "mustChunk"] {
        r.add(name, &[Int, Any], None, |_, a| {
            chunk(i(&a[0]), &items(&a[1], "Cannot chunk type")?)
        });
    }
    r.add("sortAlpha", &[Any], None, |_, a| {
        let mut v = match &a[0] {
            Value::List(..) => strslice(&a[0]),
            other => vec![strval(other)],
        };
        v.sort();
        Ok(Value::string_list(v))
    });
    r.add("until", &[Int], None, |_, a| {
        Ok(int_list(until_step(
            0,
            i(&a[0]),
            if i(&a[0]) < 0 { -1 } else { 1 },
        )))
    });
    r.add("untilStep", &[Int, Int, Int], None, |_, a| {
        Ok(int_list(until_step(i(&a[0]), i(&a[1]), i(&a[2]))))
    });
    r.add("seq", &[], Some(Int), seq);
}

/// sprig's `chunk`, computed in float64 as sprig does, so odd sizes fail as they fail in Go
/// (a size of 0 makes a slice of impossible length).
fn chunk(size: i64, l: &[Value]) -> FResult {
    let len = l.len() as i64;
    let count = go_int(((len - 1) as f64 / size as f64).floor() + 1.0);
    if count < 0 {
        return Err(MAKESLICE.into());
    }
    let mut out = Vec::new();
    for n in 0..count {
        let mut clen = size;
        if n == count - 1 {
            clen = go_int((len as f64 % size as f64).floor());
            if clen == 0 {
                clen = size;
            }
        }
        if clen < 0 {
            return Err(MAKESLICE.into());
        }
        let mut part = Vec::new();
        for j in 0..clen {
            let ix = n.wrapping_mul(size).wrapping_add(j);
            match usize::try_from(ix).ok().and_then(|ix| l.get(ix)) {
                Some(v) => part.push(v.clone()),
                None => return Err("reflect: slice index out of range".into()),
            }
        }
        out.push(Value::list(part));
    }
    Ok(Value::List(Arc::new(out), ElemType::List))
}

/// Go's float64-to-int conversion on amd64: out-of-range values and NaN give the minimum int.
pub(super) fn go_int(f: f64) -> i64 {
    // 2^63, exactly representable: ints cover [-2^63, 2^63); NaN is in no range.
    let limit = -(i64::MIN as f64);
    if !(-limit..limit).contains(&f) {
        i64::MIN
    } else {
        f as i64
    }
}

fn int_list(v: Vec<i64>) -> Value {
    Value::List(
        Arc::new(v.into_iter().map(Value::Int).collect()),
        ElemType::Int,
    )
}

/// sprig's `untilStep`: from `start` towards `stop` (exclusive) by `step`.
fn until_step(start: i64, stop: i64, step: i64) -> Vec<i64> {
    let mut v = Vec::new();
    if step == 0 || (step > 0 && start >= stop) || (step < 0 && start <= stop) {
        return v;
    }
    let mut x = start;
    while (step > 0 && x < stop) || (step < 0 && x > stop) {
        v.push(x);
        x += step;
    }
    v
}

/// sprig's `seq`, like the Unix command: `seq 3`, `seq 2 5`, `seq 1 2 9`, joined by spaces.
fn seq(_: &mut super::Ctx<'_>, a: Vec<Value>) -> FResult {
    let n: Vec<i64> = a.iter().map(i).collect();
    let (start, step, end) = match n.as_slice() {
        [] => return Ok(Value::str("")),
        [end] => (1, 1, *end),
        [start, end] => (*start, if end >= start { 1 } else { -1 }, *end),
        [start, step, end, ..] => (*start, *step, *end),
    };
    if (step > 0 && end < start) || (step < 0 && end > start) || step == 0 {
        return Ok(Value::str(""));
    }
    let stop = if step > 0 { end + 1 } else { end - 1 };
    let parts: Vec<String> = until_step(start, stop, step)
        .iter()
        .map(i64::to_string)
        .collect();
    Ok(Value::String(parts.join(" ")))
}
