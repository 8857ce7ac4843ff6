//! Values as helm computes them (`pkg/chartutil/coalesce.go`, `values.go`): the user's values
//! coalesced with each chart's defaults, subcharts scoped under their names, `global` copied
//! down, `null` deleting a default. Maps are shared references, as Go's maps are, so the few
//! places where helm shares a table between two trees behave the same here.

use std::collections::BTreeMap;

use super::Chart;
use super::error::ChartError;
use crate::template::{ElemType, MapRef, Value};

/// The key whose table every subchart receives a copy of.
pub(crate) const GLOBAL_KEY: &str = "global";

/// Warnings helm logs while it coalesces (`warning: skipped value for ...`).
pub(crate) type Warnings = Vec<String>;

/// Go's `istable`: a `map[string]interface{}`.
pub(crate) fn is_table(v: &Value) -> bool {
    matches!(v, Value::Map(m) if m.elem() == ElemType::Any)
}

fn as_table(v: &Value) -> Option<MapRef> {
    match v {
        Value::Map(m) if m.elem() == ElemType::Any => Some(m.clone()),
        _ => None,
    }
}

/// A new empty table.
pub(crate) fn new_table() -> MapRef {
    MapRef::new(BTreeMap::new())
}

/// `copystructure.Copy` of a values table: nothing shared with the original.
pub(crate) fn deep_copy(v: &Value) -> MapRef {
    match v.deep_copy() {
        Value::Map(m) => m,
        _ => new_table(),
    }
}

/// `chartutil.CoalesceValues` (`merge` false: a user's `null` deletes the default) or
/// `MergeValues` (`merge` true: nulls are kept) of `vals` over the chart's defaults.
pub(crate) fn coalesce_values(
    chart: &Chart,
    vals: &Value,
    merge: bool,
    warnings: &mut Warnings,
) -> Result<MapRef, ChartError> {
    coalesce(chart, deep_copy(vals), "", merge, warnings)
}

fn coalesce(
    chart: &Chart,
    dest: MapRef,
    prefix: &str,
    merge: bool,
    warnings: &mut Warnings,
) -> Result<MapRef, ChartError> {
    coalesce_chart_values(chart, &dest, prefix, merge, warnings);
    coalesce_deps(chart, dest, prefix, merge, warnings)
}

fn concat_prefix(a: &str, b: &str) -> String {
    if a.is_empty() {
        b.to_owned()
    } else {
        format!("{a}.{b}")
    }
}

fn coalesce_deps(
    chart: &Chart,
    dest: MapRef,
    prefix: &str,
    merge: bool,
    warnings: &mut Warnings,
) -> Result<MapRef, ChartError> {
    for sub in &chart.dependencies {
        let name = sub.name();
        match dest.get(name) {
            None => dest.insert(name.to_owned(), Value::Map(new_table())),
            Some(v) if !is_table(&v) => {
                return Err(ChartError::Unrenderable {
                    message: format!(
                        "type mismatch on {name}: %!t({}={})",
                        v.type_name(),
                        crate::template::sprint_value(&v)
                    ),
                });
            }
            Some(_) => {}
        }
        if let Some(dv) = dest.get(name).as_ref().and_then(as_table) {
            let sub_prefix = concat_prefix(prefix, chart.name());
            coalesce_globals(&dv, &dest, &sub_prefix, warnings);
            let merged = coalesce(sub, dv, &sub_prefix, merge, warnings)?;
            dest.insert(name.to_owned(), Value::Map(merged));
        }
    }
    Ok(dest)
}

/// Copies the parent's `global` table into the subchart's (`dest`), the parent winning.
fn coalesce_globals(dest: &MapRef, src: &MapRef, prefix: &str, warnings: &mut Warnings) {
    let globals =
        |values: &MapRef, side: &str, warnings: &mut Warnings| match values.get(GLOBAL_KEY) {
            None => Some(new_table()),
            Some(v) => {
                let table = as_table(&v);
                if table.is_none() {
                    warnings.push(format!(
                        "warning: skipping globals because {side} {GLOBAL_KEY} is not a table."
                    ));
                }
                table
            }
        };
    let Some(dg) = globals(dest, "destination", warnings) else {
        return;
    };
    let Some(sg) = globals(src, "source", warnings) else {
        return;
    };
    for (key, val) in sg.entries() {
        if let Some(table) = as_table(&val) {
            // A shallow copy, as helm's copyMap: nested tables stay shared.
            let vv = MapRef::new(table.entries().into_iter().collect());
            match dg.get(&key) {
                None => dg.insert(key, Value::Map(vv)),
                Some(destv) => match as_table(&destv) {
                    None => warnings.push(format!(
                        "Conflict: cannot merge map onto non-map for {key:?}. Skipping."
                    )),
                    Some(destvmap) => {
                        let sub_prefix = concat_prefix(prefix, &key);
                        coalesce_tables(&vv, &destvmap, &sub_prefix, true, warnings);
                        dg.insert(key, Value::Map(vv));
                    }
                },
            }
        } else if dg.get(&key).is_some_and(|dv| is_table(&dv)) {
            warnings.push(format!("key {key} is table. Skipping"));
        } else {
            dg.insert(key, val);
        }
    }
    dest.insert(GLOBAL_KEY.to_owned(), Value::Map(dg));
}

/// helm's `coalesceValues`: the chart's own defaults under the values in `v`.
fn coalesce_chart_values(
    chart: &Chart,
    v: &MapRef,
    prefix: &str,
    merge: bool,
    warnings: &mut Warnings,
) {
    let sub_prefix = concat_prefix(prefix, chart.name());
    let vc = deep_copy(&chart.values);
    for (key, val) in vc.entries() {
        match v.get(&key) {
            Some(Value::Nil) if !merge => v.remove(&key),
            Some(value) => {
                if let Some(dest) = as_table(&value) {
                    match as_table(&val) {
                        Some(src) => {
                            let merge = merge || chart.dependencies.iter().any(|d| d.name() == key);
                            coalesce_tables(
                                &dest,
                                &src,
                                &concat_prefix(&sub_prefix, &key),
                                merge,
                                warnings,
                            );
                        }
                        None => {
                            if !val.is_nil() {
                                warnings.push(format!(
                                    "warning: skipped value for {sub_prefix}.{key}: Not a table."
                                ));
                            }
                        }
                    }
                }
            }
            None => v.insert(key, val),
        }
    }
}

/// helm's `coalesceTablesFullKey`: `src`'s entries fill in what `dst` lacks, tables merged
/// deeply; without `merge`, a `null` in `dst` deletes the key.
pub(crate) fn coalesce_tables(
    dst: &MapRef,
    src: &MapRef,
    prefix: &str,
    merge: bool,
    warnings: &mut Warnings,
) {
    if dst.same(src) {
        return;
    }
    for (key, val) in src.entries() {
        let full_key = concat_prefix(prefix, &key);
        match dst.get(&key) {
            Some(Value::Nil) if !merge => dst.remove(&key),
            None => dst.insert(key, val),
            Some(dv) => {
                if let Some(src_table) = as_table(&val) {
                    match as_table(&dv) {
                        Some(dst_table) => {
                            coalesce_tables(&dst_table, &src_table, &full_key, merge, warnings);
                        }
                        None => warnings.push(format!(
                            "warning: cannot overwrite table with non table for {full_key} ({})",
                            crate::template::sprint_value(&val)
                        )),
                    }
                } else if is_table(&dv) && !val.is_nil() {
                    warnings.push(format!(
                        "warning: destination for {full_key} is a table. Ignoring non-table value ({})",
                        crate::template::sprint_value(&val)
                    ));
                }
            }
        }
    }
}

/// helm's `MergeTables`.
pub(crate) fn merge_tables(dst: &MapRef, src: &MapRef, warnings: &mut Warnings) {
    coalesce_tables(dst, src, "", true, warnings);
}

/// helm's `Values.Table`: the table at a dotted path, or the first key that is missing or not
/// a table.
pub(crate) fn table(v: &MapRef, path: &str) -> Result<MapRef, String> {
    let mut t = v.clone();
    for key in path.split('.') {
        match t.get(key).as_ref().and_then(as_table) {
            Some(next) => t = next,
            None => return Err(key.to_owned()),
        }
    }
    Ok(t)
}

/// Why `path_value` found nothing: no such key (helm's `ErrNoValue`), or something else.
pub(crate) enum PathError {
    /// The key is missing or names a table.
    NoValue,
    /// The path is empty.
    Empty,
}

/// helm's `Values.PathValue`: the non-table value at a dotted path.
pub(crate) fn path_value(v: &MapRef, path: &str) -> Result<Value, PathError> {
    if path.is_empty() {
        return Err(PathError::Empty);
    }
    let (parent, key) = match path.rsplit_once('.') {
        Some((p, k)) => (table(v, p).map_err(|_| PathError::NoValue)?, k),
        None => (v.clone(), path),
    };
    match parent.get(key) {
        Some(x) if !is_table(&x) => Ok(x),
        _ => Err(PathError::NoValue),
    }
}

#[cfg(test)]
mod tests;
