//! Subcharts as helm's `ProcessDependenciesWithMerge` settles them before rendering: aliases
//! applied, `tags` and `condition` deciding which are enabled (disabled ones removed), then
//! `import-values` copying child values into the parent's defaults.

use std::collections::BTreeSet;

use super::Chart;
use super::error::ChartError;
use super::metadata::Dependency;
use super::values::{
    PathError, Warnings, coalesce_values, merge_tables, new_table, path_value, table,
};
use crate::template::{MapRef, Value, satisfies};

/// helm's `CheckDependencies`: every dependency of `Chart.yaml` is present under `charts/`.
pub(crate) fn check_present(chart: &Chart) -> Result<(), ChartError> {
    let Some(reqs) = &chart.metadata.dependencies else {
        return Ok(());
    };
    let missing: Vec<&str> = reqs
        .iter()
        .filter(|r| !chart.dependencies.iter().any(|d| d.name() == r.name))
        .map(|r| r.name.as_str())
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    Err(ChartError::Unrenderable {
        message: format!(
            "An error occurred while checking for chart dependencies. You may need to run `helm dependency build` to fetch missing dependencies: found in Chart.yaml, but missing in charts/ directory: {}",
            missing.join(", ")
        ),
    })
}

/// helm's `ProcessDependenciesWithMerge(chart, vals)`.
pub(crate) fn process(
    chart: &mut Chart,
    vals: &Value,
    warnings: &mut Warnings,
) -> Result<(), ChartError> {
    process_enabled(chart, vals, "", warnings)?;
    process_import_values(chart, warnings)
}

/// helm's `IsCompatibleRange`.
fn compatible(constraint: &str, version: &str) -> bool {
    satisfies(constraint, version).unwrap_or(false)
}

fn process_enabled(
    chart: &mut Chart,
    vals: &Value,
    path: &str,
    warnings: &mut Warnings,
) -> Result<(), ChartError> {
    let Some(mut reqs) = chart.metadata.dependencies.take() else {
        return Ok(());
    };
    let mut deps: Vec<Chart> = chart
        .dependencies
        .iter()
        .filter(|existing| {
            !reqs.iter().any(|req| {
                existing.name() == req.name && compatible(&req.version, &existing.metadata.version)
            })
        })
        .cloned()
        .collect();
    for req in &mut reqs {
        if let Some(dep) = alias_dependency(&chart.dependencies, req) {
            deps.push(dep);
        }
        if !req.alias.is_empty() {
            req.name = req.alias.clone();
        }
    }
    chart.dependencies = deps;
    for dep in &mut chart.dependencies {
        dep.path = format!("{}/charts/{}", chart.path, dep.metadata.name);
    }
    for req in &mut reqs {
        req.enabled = true;
    }
    let cvals = coalesce_values(chart, vals, false, warnings)?;
    process_tags(&mut reqs, &cvals, warnings);
    process_conditions(&mut reqs, &cvals, path, warnings);
    let removed: BTreeSet<String> = reqs
        .iter()
        .filter(|r| !r.enabled)
        .map(|r| r.name.clone())
        .collect();
    chart.dependencies.retain(|d| !removed.contains(d.name()));
    reqs.retain(|r| !removed.contains(&r.name));
    let cvals = Value::Map(cvals);
    for sub in &mut chart.dependencies {
        let sub_path = format!("{path}{}.", sub.name());
        process_enabled(sub, &cvals, &sub_path, warnings)?;
    }
    chart.metadata.dependencies = Some(reqs);
    Ok(())
}

/// helm's `getAliasDependency`: a copy of the subchart a dependency names, renamed to its alias.
fn alias_dependency(charts: &[Chart], dep: &Dependency) -> Option<Chart> {
    let found = charts
        .iter()
        .find(|c| c.name() == dep.name && compatible(&dep.version, &c.metadata.version))?;
    let mut out = found.clone();
    if !dep.alias.is_empty() {
        out.metadata.name = dep.alias.clone();
    }
    Some(out)
}

fn process_tags(reqs: &mut [Dependency], cvals: &MapRef, warnings: &mut Warnings) {
    let Ok(tags) = table(cvals, "tags") else {
        return;
    };
    for r in reqs {
        let (mut has_true, mut has_false) = (false, false);
        for k in &r.tags {
            match tags.get(k) {
                Some(Value::Bool(true)) => has_true = true,
                Some(Value::Bool(false)) => has_false = true,
                Some(_) => warnings.push(format!(
                    "Warning: Tag '{k}' for chart {} returned non-bool value",
                    r.name
                )),
                None => {}
            }
        }
        if !has_true && has_false {
            r.enabled = false;
        } else if has_true || !has_false {
            r.enabled = true;
        }
    }
}

fn process_conditions(
    reqs: &mut [Dependency],
    cvals: &MapRef,
    path: &str,
    warnings: &mut Warnings,
) {
    for r in reqs {
        for c in r.condition.trim().split(',') {
            if c.is_empty() {
                continue;
            }
            match path_value(cvals, &format!("{path}{c}")) {
                Ok(Value::Bool(b)) => {
                    r.enabled = b;
                    break;
                }
                Ok(_) => warnings.push(format!(
                    "Warning: Condition path '{c}' for chart {} returned non-bool value",
                    r.name
                )),
                Err(PathError::NoValue) => {}
                Err(PathError::Empty) => warnings
                    .push("Warning: PathValue returned error YAML path cannot be empty".into()),
            }
        }
    }
}

/// helm's `processDependencyImportValues` (with merge): children first, then the chart.
fn process_import_values(chart: &mut Chart, warnings: &mut Warnings) -> Result<(), ChartError> {
    for sub in &mut chart.dependencies {
        process_import_values(sub, warnings)?;
    }
    let Some(mut reqs) = chart.metadata.dependencies.take() else {
        return Ok(());
    };
    let cvals = coalesce_values(chart, &Value::Nil, true, warnings)?;
    let imported = new_table();
    for r in &mut reqs {
        let mut out = Vec::new();
        for iv in &r.import_values {
            let (child, parent) = match iv {
                Value::Map(m) => (
                    m.get("child").map(|v| text(&v)).unwrap_or_default(),
                    m.get("parent").map(|v| text(&v)).unwrap_or_default(),
                ),
                Value::String(s) => (format!("exports.{s}"), ".".to_owned()),
                _ => continue,
            };
            out.push(Value::Map(MapRef::typed(
                [
                    ("child".to_owned(), Value::str(&child)),
                    ("parent".to_owned(), Value::str(&parent)),
                ]
                .into_iter()
                .collect(),
                crate::template::ElemType::String,
            )));
            match table(&cvals, &format!("{}.{child}", r.name)) {
                Ok(found) => merge_tables(&imported, &path_to_map(&parent, found), warnings),
                Err(e) => warnings.push(format!(
                    "Warning: ImportValues missing table from chart {}: {:?} is not a table",
                    r.name, e
                )),
            }
        }
        r.import_values = out;
    }
    let values = super::values::deep_copy(&Value::Map(cvals));
    merge_tables(&values, &imported, warnings);
    chart.values = Value::Map(values);
    chart.metadata.dependencies = Some(reqs);
    Ok(())
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => crate::template::sprint_value(other),
    }
}

/// helm's `pathToMap`: `data` nested under the dotted `path` (`.` is the top).
fn path_to_map(path: &str, data: MapRef) -> MapRef {
    if path == "." {
        return data;
    }
    let mut cur = data;
    for key in path.split('.').rev() {
        let wrapper = new_table();
        wrapper.insert(key.to_owned(), Value::Map(cur));
        cur = wrapper;
    }
    cur
}
