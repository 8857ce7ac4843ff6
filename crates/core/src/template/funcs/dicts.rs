//! sprig's dictionary functions; maps are shared, so `set`, `unset` and `merge` change them in
//! place as Go does.

use std::collections::BTreeMap;

use super::Param::{Any, Map, Str};
use super::conv::strval;
use super::{Ctx, FResult, Registry, s};
use crate::template::value::{MapRef, Value};

/// The map of an argument checked to be a map (nil reads as an empty map).
fn map_of(v: &Value) -> MapRef {
    match v {
        Value::Map(m) => m.clone(),
        _ => MapRef::new(BTreeMap::new()),
    }
}

pub(super) fn register(r: &mut Registry) {
    r.add("dict", &[], Some(Any), |_, a| {
        let mut m = BTreeMap::new();
        for pair in a.chunks(2) {
            let v = pair.get(1).cloned().unwrap_or_else(|| Value::str(""));
            m.insert(strval(&pair[0]), v);
        }
        Ok(Value::map(m))
    });
    r.add("sprigGet", &[Map, Str], None, sprig_get);
    r.add("set", &[Map, Str, Any], None, |_, a| {
        let m = map_of(&a[0]);
        m.insert(s(&a[1]).to_owned(), a[2].clone());
        Ok(Value::Map(m))
    });
    r.add("unset", &[Map, Str], None, |_, a| {
        let m = map_of(&a[0]);
        m.remove(s(&a[1]));
        Ok(Value::Map(m))
    });
    r.add("hasKey", &[Map, Str], None, |_, a| {
        Ok(Value::Bool(map_of(&a[0]).contains_key(s(&a[1]))))
    });
    r.add("pluck", &[Str], Some(Map), |_, a| {
        let key = s(&a[0]);
        Ok(Value::list(
            a[1..].iter().filter_map(|m| map_of(m).get(key)).collect(),
        ))
    });
    r.add("keys", &[], Some(Map), |_, a| {
        let mut keys = Vec::new();
        for m in &a {
            keys.extend(map_of(m).keys());
        }
        Ok(Value::string_list(keys))
    });
    r.add("values", &[Map], None, |_, a| {
        Ok(Value::list(
            map_of(&a[0])
                .entries()
                .into_iter()
                .map(|(_, v)| v)
                .collect(),
        ))
    });
    r.add("pick", &[Map], Some(Str), |_, a| {
        let m = map_of(&a[0]);
        let picked = a[1..]
            .iter()
            .filter_map(|k| m.get(s(k)).map(|v| (s(k).to_owned(), v)))
            .collect();
        Ok(Value::map(picked))
    });
    r.add("omit", &[Map], Some(Str), |_, a| {
        let kept = map_of(&a[0])
            .entries()
            .into_iter()
            .filter(|(k, _)| !a[1..].iter().any(|o| s(o) == k))
            .collect();
        Ok(Value::map(kept))
    });
    for name in ["merge", "mustMerge"] {
        r.add(name, &[Map], Some(Map), |_, a| merge_all(a, false));
    }
    for name in ["mergeOverwrite", "mustMergeOverwrite"] {
        r.add(name, &[Map], Some(Map), |_, a| merge_all(a, true));
    }
    r.add("dig", &[], Some(Any), |_, a| {
        if a.len() < 3 {
            return Err("dig needs at least three arguments".into());
        }
        let (keys, rest) = a.split_at(a.len() - 2);
        let default = rest[0].clone();
        let mut cur = dict_assert(&rest[1])?;
        for (n, k) in keys.iter().enumerate() {
            let Value::String(k) = k else {
                return Err(format!(
                    "interface conversion: interface {{}} is {}, not string",
                    k.type_name()
                ));
            };
            let Some(step) = cur.get(k) else {
                return Ok(default);
            };
            if n + 1 == keys.len() {
                return Ok(step);
            }
            cur = dict_assert(&step)?;
        }
        Ok(default)
    });
}

fn dict_assert(v: &Value) -> Result<MapRef, String> {
    match v {
        Value::Map(m) => Ok(m.clone()),
        Value::Nil => {
            Err("interface conversion: interface {} is nil, not map[string]interface {}".into())
        }
        v => Err(format!(
            "interface conversion: interface {{}} is {}, not map[string]interface {{}}",
            v.type_name()
        )),
    }
}

fn merge_all(a: Vec<Value>, overwrite: bool) -> FResult {
    let dst = map_of(&a[0]);
    for src in &a[1..] {
        merge_into(&dst, &map_of(src), overwrite);
    }
    Ok(Value::Map(dst))
}

/// mergo's map merge: keys missing (or empty) in `dst` come from `src`; nested maps merge;
/// with `overwrite`, `src` wins for every non-map value.
pub(crate) fn merge_into(dst: &MapRef, src: &MapRef, overwrite: bool) {
    for (k, sv) in src.entries() {
        let dv = dst.get(&k);
        if sv.is_nil() {
            if overwrite {
                dst.insert(k, sv);
            }
            continue;
        }
        if let (Some(Value::Map(dm)), Value::Map(sm)) = (&dv, &sv) {
            merge_into(dm, sm, overwrite);
            continue;
        }
        let dst_empty = dv.as_ref().is_none_or(|d| !d.truthy());
        if overwrite || dst_empty {
            dst.insert(k, sv);
        }
    }
}

/// sprig's `get`: the value at a key of a map, or `""` (Helmfile calls it `sprigGet`).
pub(super) fn sprig_get(_: &mut Ctx<'_>, a: Vec<Value>) -> FResult {
    Ok(map_of(&a[0])
        .get(s(&a[1]))
        .unwrap_or_else(|| Value::str("")))
}
