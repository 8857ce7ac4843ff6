//! HCL values files (`*.hcl`) as Helmfile 1.x reads them (its `hcllang` package). All the `.hcl`
//! files of one values list are read together, after its YAML files, and override them:
//! - `values { name = expression }` blocks are shared by every file and referenced as `hv.name`;
//!   only they reach `.Values`;
//! - one `locals { }` block per file, referenced as `local.name` in that file only; a local sees
//!   the other locals of its file and nothing else;
//! - a name defined again in a later file (or block) overrides the earlier definition: maps merge
//!   key by key, anything else (lists included) is replaced;
//! - values are evaluated in the order their references need, whatever order they are written in.

mod funcs;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use hcl::edit::Span;
use hcl::edit::expr::{Expression as Syntax, TraversalOperator};
use hcl::edit::structure::{Attribute, Structure};
use hcl::edit::visit::{self, Visit};
use hcl::eval::{Context, Evaluate};
use serde_yaml::{Mapping, Value};

use crate::location::Location;
use crate::project::error::ProjectError;

/// The accessor of `values` in expressions (`hv.name`).
const VALUES: &str = "hv";
/// The accessor of a file's `locals` (`local.name`).
const LOCALS: &str = "local";

/// One `name = expression` of a `values` or `locals` block.
struct Definition {
    name: String,
    expression: hcl::Expression,
    /// The names it refers to through its block's accessor, in order.
    references: Vec<String>,
    location: Location,
    /// Which file (index into the files read) it is written in.
    file: usize,
}

/// Evaluates the HCL values files `files` (each `(full path, path shown in messages)`) together
/// and returns what their `values` blocks define, as a map.
pub(crate) fn render(files: &[(PathBuf, PathBuf)]) -> Result<Value, ProjectError> {
    let functions = funcs::context();
    let mut values: Vec<Definition> = Vec::new();
    let mut locals: Vec<Option<hcl::Value>> = Vec::with_capacity(files.len());
    for (index, (full, shown)) in files.iter().enumerate() {
        let blocks = read_file(full, shown, index)?;
        values.extend(blocks.values);
        let file_locals = match blocks.locals {
            Some(definitions) => Some(evaluate_locals(&definitions, &functions)?),
            None => None,
        };
        locals.push(file_locals);
    }
    let order = evaluation_order(&values, VALUES)?;
    let mut evaluated = hcl::Map::new();
    for name in order {
        let mut merged: Option<hcl::Value> = None;
        for definition in values.iter().filter(|d| d.name == name) {
            let mut context = functions.clone();
            context.declare_var(VALUES, hcl::Value::Object(evaluated.clone()));
            if let Some(file_locals) = &locals[definition.file] {
                context.declare_var(LOCALS, file_locals.clone());
            }
            let value = evaluate(definition, &context)?;
            merged = Some(match merged {
                None => value,
                Some(earlier) => merge(earlier, value),
            });
        }
        evaluated.insert(name, merged.unwrap_or(hcl::Value::Null));
    }
    Ok(to_yaml(sorted(hcl::Value::Object(evaluated))))
}

/// The definitions of one file: its `values` blocks' and its `locals` block's, if any.
struct FileBlocks {
    values: Vec<Definition>,
    locals: Option<Vec<Definition>>,
}

/// Parses one HCL file into its definitions; anything but `values` and `locals` blocks of
/// attributes is an error, as in Helmfile.
fn read_file(full: &Path, shown: &Path, index: usize) -> Result<FileBlocks, ProjectError> {
    let text = std::fs::read_to_string(full).map_err(|source| ProjectError::Read {
        location: Location::file(shown),
        source,
    })?;
    let lines = LineIndex::new(&text);
    let body = hcl::edit::parser::parse_body(&text).map_err(|error| ProjectError::Hcl {
        location: Location::new(
            shown,
            error.location().line() as u32,
            error.location().column() as u32,
        ),
        message: error.message().to_string(),
    })?;
    let at = |span: Option<std::ops::Range<usize>>| lines.locate(shown, span);
    let mut blocks = FileBlocks {
        values: Vec::new(),
        locals: None,
    };
    for structure in body.iter() {
        let block = match structure {
            Structure::Block(block) => block,
            Structure::Attribute(attribute) => {
                return Err(hcl_error(
                    at(attribute.span()),
                    format!(
                        "unexpected attribute \"{}\": write it inside a `values` or `locals` block",
                        attribute.key.as_str()
                    ),
                ));
            }
        };
        let kind = block.ident.as_str();
        let accessor = match kind {
            "values" => VALUES,
            "locals" => LOCALS,
            other => {
                return Err(hcl_error(
                    at(block.span()),
                    format!(
                        "unexpected block \"{other}\": only `values` and `locals` blocks are read"
                    ),
                ));
            }
        };
        if !block.labels.is_empty() {
            return Err(hcl_error(
                at(block.span()),
                format!("a `{kind}` block takes no labels"),
            ));
        }
        if kind == "locals" && blocks.locals.is_some() {
            return Err(hcl_error(
                at(block.span()),
                "a file can have only one `locals` block".into(),
            ));
        }
        let mut definitions: Vec<Definition> = Vec::new();
        for structure in block.body.iter() {
            let Structure::Attribute(attribute) = structure else {
                return Err(hcl_error(
                    at(structure.span()),
                    format!("a `{kind}` block holds attributes only, not blocks"),
                ));
            };
            let location = at(attribute.span());
            if definitions.iter().any(|d| d.name == attribute.key.as_str()) {
                return Err(hcl_error(
                    location,
                    format!(
                        "\"{}\" is defined twice in this block",
                        attribute.key.as_str()
                    ),
                ));
            }
            definitions.push(definition(attribute, accessor, location, index)?);
        }
        if kind == "values" {
            blocks.values.extend(definitions);
        } else {
            blocks.locals = Some(definitions);
        }
    }
    Ok(blocks)
}

/// One attribute of a block whose accessor is `accessor`, with what it refers to.
fn definition(
    attribute: &Attribute,
    accessor: &str,
    location: Location,
    file: usize,
) -> Result<Definition, ProjectError> {
    let mut finder = References::default();
    finder.visit_expr(&attribute.value);
    let mut references = Vec::new();
    for reference in finder.found {
        match reference {
            Reference::Attribute(root, name) if root == accessor && !references.contains(&name) => {
                references.push(name);
            }
            Reference::Attribute(root, _) if root == accessor => {}
            // A value may use its file's locals (they are evaluated first), even whole.
            Reference::Attribute(root, _) | Reference::Whole(root)
                if accessor == VALUES && root == LOCALS => {}
            Reference::Whole(root) | Reference::Other(root) if root == accessor => {
                return Err(hcl_error(
                    location,
                    format!("\"{root}\" can only be used as {root}.NAME"),
                ));
            }
            Reference::Attribute(root, _) | Reference::Whole(root) | Reference::Other(root)
                if accessor == LOCALS && root == VALUES =>
            {
                return Err(hcl_error(
                    location,
                    "a local can only use the locals of its own file (local.NAME), not values"
                        .into(),
                ));
            }
            // Anything else is a name bound by a `for` (or an undefined variable, which
            // evaluation reports).
            _ => {}
        }
    }
    Ok(Definition {
        name: attribute.key.as_str().to_string(),
        expression: hcl::Expression::from(attribute.value.clone()),
        references,
        location,
        file,
    })
}

/// A variable an expression uses: `root.name`, `root` alone, or `root[...]`.
enum Reference {
    Attribute(String, String),
    Whole(String),
    Other(String),
}

/// Collects the variables an expression uses, templates and nested expressions included.
#[derive(Default)]
struct References {
    found: Vec<Reference>,
}

impl Visit for References {
    fn visit_expr(&mut self, node: &Syntax) {
        match node {
            Syntax::Variable(variable) => {
                self.found
                    .push(Reference::Whole(variable.as_str().to_string()));
            }
            Syntax::Traversal(traversal) => {
                let Syntax::Variable(root) = &traversal.expr else {
                    visit::visit_traversal(self, traversal);
                    return;
                };
                let root = root.as_str().to_string();
                match traversal.operators.first().map(|o| o.value()) {
                    Some(TraversalOperator::GetAttr(name)) => self
                        .found
                        .push(Reference::Attribute(root, name.as_str().to_string())),
                    _ => self.found.push(Reference::Other(root)),
                }
                for operator in &traversal.operators {
                    self.visit_traversal_operator(operator);
                }
            }
            other => visit::visit_expr(self, other),
        }
    }

    /// hcl-edit's own walk skips the collection a `%{ for }` directive iterates over.
    fn visit_for_template_expr(&mut self, node: &hcl::edit::template::ForTemplateExpr) {
        self.visit_expr(&node.collection_expr);
        visit::visit_for_template_expr(self, node);
    }
}

/// Evaluates a file's locals, each after the locals it uses.
fn evaluate_locals(
    definitions: &[Definition],
    functions: &Context<'static>,
) -> Result<hcl::Value, ProjectError> {
    let mut evaluated = hcl::Map::new();
    for name in evaluation_order(definitions, LOCALS)? {
        let Some(definition) = definitions.iter().find(|d| d.name == name) else {
            continue;
        };
        let mut context = functions.clone();
        context.declare_var(LOCALS, hcl::Value::Object(evaluated.clone()));
        let value = evaluate(definition, &context)?;
        evaluated.insert(name, value);
    }
    Ok(hcl::Value::Object(evaluated))
}

/// One definition's value in `context`.
/// Objects come out with their keys sorted, as cty keeps them (a `for` over one sees that order).
fn evaluate(definition: &Definition, context: &Context<'_>) -> Result<hcl::Value, ProjectError> {
    definition
        .expression
        .evaluate(context)
        .map(sorted)
        .map_err(|error| {
            hcl_error(
                definition.location.clone(),
                format!("cannot evaluate \"{}\": {error}", definition.name),
            )
        })
}

/// `value` with every object's keys sorted.
fn sorted(value: hcl::Value) -> hcl::Value {
    match value {
        hcl::Value::Object(object) => {
            let mut entries: Vec<(String, hcl::Value)> =
                object.into_iter().map(|(k, v)| (k, sorted(v))).collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            hcl::Value::Object(entries.into_iter().collect())
        }
        hcl::Value::Array(items) => hcl::Value::Array(items.into_iter().map(sorted).collect()),
        other => other,
    }
}

/// The names of `definitions` in an order where each comes after what it refers to (first
/// definitions first when nothing decides); a reference to an undefined name or a cycle is an
/// error at the definition that makes it.
fn evaluation_order(
    definitions: &[Definition],
    accessor: &str,
) -> Result<Vec<String>, ProjectError> {
    let mut names: Vec<&str> = Vec::new();
    let mut needs: HashMap<&str, Vec<&str>> = HashMap::new();
    for definition in definitions {
        if !names.contains(&definition.name.as_str()) {
            names.push(&definition.name);
        }
        let entry = needs.entry(&definition.name).or_default();
        for reference in &definition.references {
            if !definitions.iter().any(|d| &d.name == reference) {
                return Err(hcl_error(
                    definition.location.clone(),
                    format!(
                        "\"{}\" uses {accessor}.{reference}, which no `{}` block defines",
                        definition.name,
                        if accessor == VALUES {
                            "values"
                        } else {
                            "locals"
                        }
                    ),
                ));
            }
            entry.push(reference);
        }
    }
    let mut order = Vec::with_capacity(names.len());
    let mut done: HashSet<&str> = HashSet::new();
    for name in &names {
        let mut path = Vec::new();
        visit_needs(name, &needs, &mut done, &mut path, &mut order).map_err(|cycle| {
            let first = definitions
                .iter()
                .find(|d| d.name == cycle[0])
                .map(|d| d.location.clone())
                .unwrap_or_else(|| Location::file(""));
            let shown: Vec<String> = cycle.iter().map(|n| format!("{accessor}.{n}")).collect();
            hcl_error(
                first,
                format!("values refer to each other: {}", shown.join(" -> ")),
            )
        })?;
    }
    Ok(order)
}

/// Depth-first: `name` after everything it needs. Returns the cycle when there is one.
fn visit_needs<'a>(
    name: &'a str,
    needs: &HashMap<&'a str, Vec<&'a str>>,
    done: &mut HashSet<&'a str>,
    path: &mut Vec<&'a str>,
    order: &mut Vec<String>,
) -> Result<(), Vec<String>> {
    if done.contains(name) {
        return Ok(());
    }
    if let Some(start) = path.iter().position(|n| *n == name) {
        let mut cycle: Vec<String> = path[start..].iter().map(|n| n.to_string()).collect();
        cycle.push(name.to_string());
        return Err(cycle);
    }
    path.push(name);
    for need in needs.get(name).into_iter().flatten() {
        visit_needs(need, needs, done, path, order)?;
    }
    path.pop();
    done.insert(name);
    order.push(name.to_string());
    Ok(())
}

/// Helmfile's merge of two definitions of one name: objects key by key (recursively), anything
/// else replaced; a later `null` keeps the earlier value.
fn merge(earlier: hcl::Value, later: hcl::Value) -> hcl::Value {
    match (earlier, later) {
        (earlier, hcl::Value::Null) => earlier,
        (hcl::Value::Object(mut base), hcl::Value::Object(over)) => {
            for (key, value) in over {
                let merged = match base.swap_remove(&key) {
                    Some(old) => merge(old, value),
                    None => value,
                };
                base.insert(key, merged);
            }
            hcl::Value::Object(base)
        }
        (_, later) => later,
    }
}

/// An HCL value as windlass's values, numbers as integers when they are whole.
fn to_yaml(value: hcl::Value) -> Value {
    match value {
        hcl::Value::Null => Value::Null,
        hcl::Value::Bool(b) => Value::Bool(b),
        hcl::Value::Number(n) => funcs::yaml_number(&n),
        hcl::Value::String(s) => Value::String(s),
        hcl::Value::Array(items) => Value::Sequence(items.into_iter().map(to_yaml).collect()),
        hcl::Value::Object(object) => Value::Mapping(
            object
                .into_iter()
                .map(|(k, v)| (Value::String(k), to_yaml(v)))
                .collect::<Mapping>(),
        ),
    }
}

fn hcl_error(location: Location, message: String) -> ProjectError {
    ProjectError::Hcl { location, message }
}

/// Byte offsets to 1-based lines and columns.
struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    fn new(text: &str) -> Self {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Self { starts }
    }

    fn locate(&self, file: &Path, span: Option<std::ops::Range<usize>>) -> Location {
        let Some(span) = span else {
            return Location::file(file);
        };
        let line = self.starts.partition_point(|&s| s <= span.start);
        let column = span.start - self.starts[line.saturating_sub(1)] + 1;
        Location::new(file, line as u32, column as u32)
    }
}

#[cfg(test)]
mod tests;
