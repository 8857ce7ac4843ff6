//! helm's template engine (`pkg/engine/engine.go`) on windlass's Go template engine: every
//! template of the chart and its subcharts parsed into one set (deepest paths first, so a parent
//! chart's `define` wins), each rendered over its own chart's scope with `missingkey=zero`, and
//! `<no value>` removed from the output.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use super::Chart;
use super::error::ChartError;
use super::files::Files;
use super::values::{new_table, table};
use crate::template::{
    Functions, MapRef, MissingKey, ParsedTemplate, RenderOptions, TemplateError, TemplateSet, Value,
};

/// Parsed templates by full name (`app/templates/svc.yaml`), shared between copies of a chart.
#[derive(Clone, Default)]
pub(crate) struct ParseCache(Arc<Mutex<HashMap<String, ParsedTemplate>>>);

impl ParseCache {
    fn get(&self, name: &str) -> Option<ParsedTemplate> {
        self.0.lock().ok()?.get(name).cloned()
    }

    fn insert(&self, name: &str, parsed: &ParsedTemplate) {
        if let Ok(mut m) = self.0.lock() {
            m.insert(name.to_owned(), parsed.clone());
        }
    }
}

impl std::fmt::Debug for ParseCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let n = self.0.lock().map(|m| m.len()).unwrap_or_default();
        write!(f, "ParseCache({n} templates)")
    }
}

/// A template to render: its source, the data it sees and the folder of its chart's templates.
struct Renderable {
    source: Arc<[u8]>,
    vals: MapRef,
    base_path: String,
}

/// Renders every template of `chart` over `top` (the map with `Values`, `Release`,
/// `Capabilities`), returning each template's output by its full path
/// (`app/charts/db/templates/svc.yaml`). Partials (`_*.tpl`) are parsed but not rendered.
pub(crate) fn render(chart: &Chart, top: &MapRef) -> Result<BTreeMap<String, String>, ChartError> {
    let mut templates = BTreeMap::new();
    collect(chart, &mut templates, top, true);
    let order = parse_order(&templates);
    let mut set = TemplateSet::new(Functions::Helm);
    for name in &order {
        let parsed = match chart.parsed.get(name) {
            Some(p) => p,
            None => {
                let p = set
                    .parse_alone(name, &String::from_utf8_lossy(&templates[name].source))
                    .map_err(|e| cleanup_parse_error(&e))?;
                chart.parsed.insert(name, &p);
                p
            }
        };
        set.add(&parsed);
    }
    let mut opts = RenderOptions::new(".");
    opts.missing_key = MissingKey::Zero;
    let mut rendered = BTreeMap::new();
    for name in order {
        if base_name(&name).starts_with('_') {
            continue;
        }
        let t = &templates[&name];
        t.vals.insert(
            "Template".into(),
            Value::map(BTreeMap::from([
                ("Name".to_owned(), Value::str(&name)),
                ("BasePath".to_owned(), Value::str(&t.base_path)),
            ])),
        );
        let out = set
            .render(&name, &Value::Map(t.vals.clone()), &opts)
            .map_err(|e| cleanup_exec_error(&e))?;
        rendered.insert(name, out.replace("<no value>", ""));
    }
    Ok(rendered)
}

fn base_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// helm's `recAllTpls`: the templates of `chart` and its subcharts with the data each sees;
/// returns the chart's data (its `.Subcharts` entry in the parent).
fn collect(
    chart: &Chart,
    templates: &mut BTreeMap<String, Renderable>,
    vals: &MapRef,
    is_root: bool,
) -> MapRef {
    let subcharts = new_table();
    let next = MapRef::new(BTreeMap::from([
        ("Chart".to_owned(), chart.metadata.template_object(is_root)),
        ("Files".to_owned(), Files::new(&chart.files).value()),
        (
            "Release".to_owned(),
            vals.get("Release").unwrap_or_default(),
        ),
        (
            "Capabilities".to_owned(),
            vals.get("Capabilities").unwrap_or_default(),
        ),
        ("Values".to_owned(), Value::Map(new_table())),
        ("Subcharts".to_owned(), Value::Map(subcharts.clone())),
    ]));
    if is_root {
        next.insert("Values".into(), vals.get("Values").unwrap_or_default());
    } else if let Ok(v) = table(vals, &format!("Values.{}", chart.name())) {
        next.insert("Values".into(), Value::Map(v));
    }
    let full_path = &chart.path;
    for child in &chart.dependencies {
        let data = collect(child, templates, &next, false);
        subcharts.insert(child.name().to_owned(), Value::Map(data));
    }
    let library = chart.metadata.chart_type.eq_ignore_ascii_case("library");
    for t in &chart.templates {
        if library && !base_name(&t.name).starts_with('_') {
            continue;
        }
        templates.insert(
            format!("{full_path}/{}", t.name),
            Renderable {
                source: t.data.clone(),
                vals: next.clone(),
                base_path: format!("{full_path}/templates"),
            },
        );
    }
    next
}

/// helm's `sortTemplates`: most `/` first, then reverse lexical order.
fn parse_order(templates: &BTreeMap<String, Renderable>) -> Vec<String> {
    let mut names: Vec<String> = templates.keys().cloned().collect();
    names.sort_by(|a, b| {
        let (ca, cb) = (a.matches('/').count(), b.matches('/').count());
        cb.cmp(&ca).then_with(|| b.cmp(a))
    });
    names
}

/// helm's `cleanupParseError`: `parse error at (file:line): message`.
fn cleanup_parse_error(e: &TemplateError) -> ChartError {
    let text = e.go_message();
    let tokens: Vec<&str> = text.split(": ").collect();
    let message = if tokens.len() == 1 {
        format!("parse error in ({}): {text}", e.location().file.display())
    } else {
        format!(
            "parse error at ({}): {}",
            tokens[1],
            tokens[tokens.len() - 1]
        )
    };
    ChartError::Template { message }
}

/// helm's `cleanupExecError`: `execution error at (file:line:col): message` for `required`
/// and `fail`, Go's own message otherwise.
fn cleanup_exec_error(e: &TemplateError) -> ChartError {
    let text = e.go_message();
    let tokens: Vec<&str> = text.splitn(3, ": ").collect();
    let message = match tokens.as_slice() {
        [_, location, rest] => match helm_error_text(rest) {
            Some(m) => format!("execution error at ({location}): {m}"),
            None => text.clone(),
        },
        _ => format!(
            "execution error in ({}): {text}",
            e.location().file.display()
        ),
    };
    ChartError::Template { message }
}

/// The text between helm's `HELM_ERR_START` and the last `HELM_ERR_END`.
fn helm_error_text(s: &str) -> Option<&str> {
    let start = s.find(crate::template::HELM_ERR_START)? + crate::template::HELM_ERR_START.len();
    let end = s.rfind(crate::template::HELM_ERR_END)?;
    (end >= start).then(|| &s[start..end])
}
