//! `values.schema.json` checks as helm 3.17 makes them with `xeipuuv/gojsonschema` (drafts 4,
//! 6 and 7): the same keywords, the same reading of `$ref` (siblings ignored), and the same
//! error lines (`- image.tag: Invalid type. Expected: string, given: integer`).

use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};

use regex::Regex;
use serde_json::Value as Json;

use super::Chart;
use super::error::ChartError;
use crate::template::{MapRef, RegexCache, Value, json_value};

/// A chart's `values.schema.json`: its bytes and, once a render has needed them, the parsed
/// schema and the regular expressions it uses (shared by the copies renders make).
#[derive(Clone)]
pub struct ValuesSchema {
    text: Arc<[u8]>,
    parsed: Arc<OnceLock<Result<Json, String>>>,
    regexes: RegexCache,
}

impl ValuesSchema {
    /// The schema file's contents.
    pub fn new(text: Arc<[u8]>) -> Self {
        Self {
            text,
            parsed: Arc::default(),
            regexes: RegexCache::default(),
        }
    }

    /// The file's bytes.
    pub fn text(&self) -> &[u8] {
        &self.text
    }

    fn parsed(&self) -> Result<&Json, ChartError> {
        self.parsed
            .get_or_init(|| serde_json::from_slice(&self.text).map_err(|e| e.to_string()))
            .as_ref()
            .map_err(|e| ChartError::Unrenderable {
                message: format!(
                    "values don't meet the specifications of the schema(s) in the following chart(s):\ninvalid character in schema: {e}"
                ),
            })
    }
}

impl std::fmt::Debug for ValuesSchema {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ValuesSchema({} bytes)", self.text.len())
    }
}

/// Checks the values of `chart` and of each subchart against their schemas, as helm's
/// `ValidateAgainstSchema` does.
pub(crate) fn validate(chart: &Chart, values: &MapRef) -> Result<(), ChartError> {
    let mut report = String::new();
    collect(chart, values, &mut report)?;
    if report.is_empty() {
        return Ok(());
    }
    Err(ChartError::Unrenderable {
        message: format!(
            "values don't meet the specifications of the schema(s) in the following chart(s):\n{report}"
        ),
    })
}

fn collect(chart: &Chart, values: &MapRef, report: &mut String) -> Result<(), ChartError> {
    if let Some(schema) = &chart.schema {
        let errors = validate_one(values, schema)?;
        if !errors.is_empty() {
            report.push_str(&format!("{}:\n", chart.name()));
            for e in errors {
                report.push_str(&format!("- {e}\n"));
            }
        }
    }
    for sub in &chart.dependencies {
        let sub_values = match values.get(sub.name()) {
            Some(Value::Map(m)) => m,
            _ => MapRef::new(BTreeMap::new()),
        };
        collect(sub, &sub_values, report)?;
    }
    Ok(())
}

/// The error lines of one schema check (empty when the values pass).
fn validate_one(values: &MapRef, schema: &ValuesSchema) -> Result<Vec<String>, ChartError> {
    let regexes = &schema.regexes;
    let schema = schema.parsed()?;
    let document = json_value(&Value::Map(values.clone()))
        .map(|v| to_json(&v))
        .unwrap_or(Json::Null);
    let document = if document.is_null() {
        Json::Object(serde_json::Map::new())
    } else {
        document
    };
    let v = Validator {
        root: schema,
        regexes,
    };
    let mut result = Outcome::default();
    v.validate(
        schema,
        &document,
        &mut result,
        &mut vec!["(root)".to_owned()],
    )?;
    Ok(result.errors)
}

/// A values tree as the JSON document gojsonschema reads.
fn to_json(v: &Value) -> Json {
    match v {
        Value::Nil => Json::Null,
        Value::Bool(b) => Json::Bool(*b),
        Value::Int(i) | Value::Int64(i) => Json::from(*i),
        Value::Uint(u) => Json::from(*u),
        Value::Float(f) => serde_json::Number::from_f64(*f).map_or(Json::Null, Json::Number),
        Value::String(s) => Json::String(s.clone()),
        Value::List(items, _) => Json::Array(items.iter().map(to_json).collect()),
        Value::Map(m) => Json::Object(
            m.entries()
                .into_iter()
                .map(|(k, x)| (k, to_json(&x)))
                .collect(),
        ),
        Value::Object(o) => Json::String(o.go_string()),
    }
}

/// What a check found: the error lines and gojsonschema's score (which of several failing
/// `anyOf`/`oneOf` branches it reports).
#[derive(Default)]
struct Outcome {
    errors: Vec<String>,
    score: i64,
}

impl Outcome {
    fn add(&mut self, path: &[String], message: String) {
        self.errors.push(format!("{}: {message}", field_name(path)));
        self.score -= 2;
    }

    fn merge(&mut self, other: Outcome) {
        self.errors.extend(other.errors);
        self.score += other.score;
    }

    fn valid(&self) -> bool {
        self.errors.is_empty()
    }
}

fn field_name(path: &[String]) -> String {
    if path.len() == 1 {
        path[0].clone()
    } else {
        path[1..].join(".")
    }
}

struct Validator<'a> {
    root: &'a Json,
    regexes: &'a RegexCache,
}

type R = Result<(), ChartError>;

/// The JSON type names gojsonschema reports.
fn type_of(v: &Json) -> &'static str {
    match v {
        Json::Null => "null",
        Json::Bool(_) => "boolean",
        Json::Number(n) => {
            if is_integer(n) {
                "integer"
            } else {
                "number"
            }
        }
        Json::String(_) => "string",
        Json::Array(_) => "array",
        Json::Object(_) => "object",
    }
}

fn is_integer(n: &serde_json::Number) -> bool {
    n.is_i64() || n.is_u64() || n.as_f64().is_some_and(|f| f.fract() == 0.0)
}

/// A number as Go's `big.Float.String()` prints it (`%.10g`).
fn number_text(n: f64) -> String {
    crate::template::sprintf("%.10g", &[Value::Float(n)])
}

fn schema_types(schema: &serde_json::Map<String, Json>) -> Vec<String> {
    match schema.get("type") {
        Some(Json::String(t)) => vec![t.clone()],
        Some(Json::Array(ts)) => ts
            .iter()
            .filter_map(|t| t.as_str().map(str::to_owned))
            .collect(),
        _ => Vec::new(),
    }
}

/// `json.Marshal` of a value with numbers as written (gojsonschema's `marshalWithoutNumber`).
fn canonical(v: &Json) -> String {
    match v {
        Json::Number(n) => match n.as_f64() {
            Some(f) if f.fract() == 0.0 && f.abs() < 1e21 => format!("{}", f as i128),
            _ => n.to_string(),
        },
        Json::Array(items) => format!(
            "[{}]",
            items.iter().map(canonical).collect::<Vec<_>>().join(",")
        ),
        Json::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            let body: Vec<String> = keys
                .into_iter()
                .map(|k| format!("{}:{}", Json::String(k.clone()), canonical(&m[k])))
                .collect();
            format!("{{{}}}", body.join(","))
        }
        other => other.to_string(),
    }
}

impl Validator<'_> {
    fn regex(&self, pattern: &str) -> Option<Regex> {
        self.regexes
            .get_or_compile(pattern, |p| Regex::new(p).map_err(|e| e.to_string()))
            .ok()
    }

    fn resolve(&self, reference: &str) -> Result<&Json, ChartError> {
        let Some(pointer) = reference.strip_prefix('#') else {
            return Err(ChartError::Unsupported(format!(
                "values.schema.json refers to {reference}, which helm would download"
            )));
        };
        let pointer = pointer.replace("~1", "/").replace("~0", "~");
        self.root
            .pointer(&pointer)
            .ok_or_else(|| ChartError::Unrenderable {
                message: format!(
                    "values don't meet the specifications of the schema(s) in the following chart(s):\nObject has no key '{pointer}'"
                ),
            })
    }

    /// gojsonschema's "at least one" rules (`anyOf`, `contains`): valid as soon as one try
    /// (a schema for a node, under an array index) is, else `message` and the errors of the try
    /// that came closest.
    fn one_valid<'j>(
        &self,
        tries: impl Iterator<Item = (Option<usize>, &'j Json, &'j Json)>,
        message: &str,
        out: &mut Outcome,
        path: &mut Vec<String>,
    ) -> R {
        let mut best: Option<Outcome> = None;
        for (index, schema, node) in tries {
            if let Some(i) = index {
                path.push(i.to_string());
            }
            let r = self.sub(schema, node, path);
            if index.is_some() {
                path.pop();
            }
            let r = r?;
            if r.valid() {
                return Ok(());
            }
            if best.as_ref().is_none_or(|b| r.score > b.score) {
                best = Some(r);
            }
        }
        out.add(path, message.into());
        if let Some(b) = best {
            out.merge(b);
        }
        Ok(())
    }

    fn sub(
        &self,
        schema: &Json,
        node: &Json,
        path: &mut Vec<String>,
    ) -> Result<Outcome, ChartError> {
        let mut out = Outcome::default();
        self.validate(schema, node, &mut out, path)?;
        Ok(out)
    }

    /// gojsonschema's `validateRecursive`.
    fn validate(&self, schema: &Json, node: &Json, out: &mut Outcome, path: &mut Vec<String>) -> R {
        let s = match schema {
            Json::Bool(true) => return Ok(()),
            Json::Bool(false) => {
                out.add(path, "False always fails validation".into());
                return Ok(());
            }
            Json::Object(s) => s,
            _ => return Ok(()),
        };
        if let Some(Json::String(r)) = s.get("$ref") {
            let target = self.resolve(r)?;
            return self.validate(target, node, out, path);
        }
        let types = schema_types(s);
        let given = type_of(node);
        let typed_ok = types.is_empty()
            || types
                .iter()
                .any(|t| t == given || (t == "number" && given == "integer"));
        if !typed_ok {
            let expected = if types.len() > 1 {
                format!("[{}]", types.join(","))
            } else {
                types[0].clone()
            };
            out.add(
                path,
                format!("Invalid type. Expected: {expected}, given: {given}"),
            );
            return Ok(());
        }
        self.validate_schema(s, node, out, path)?;
        match node {
            Json::Number(n) => self.validate_number(s, n, out, path),
            Json::String(text) => self.validate_string(s, text, out, path),
            Json::Array(items) => self.validate_array(s, items, out, path)?,
            Json::Object(m) => self.validate_object(s, m, out, path)?,
            _ => {}
        }
        self.validate_common(s, node, out, path);
        if let (Json::Object(m), Some(Json::Object(props))) = (node, s.get("properties")) {
            for (name, sub) in props {
                if let Some(next) = m.get(name) {
                    path.push(name.clone());
                    let r = self.validate(sub, next, out, path);
                    path.pop();
                    r?;
                }
            }
        }
        out.score += 1;
        Ok(())
    }

    fn validate_schema(
        &self,
        s: &serde_json::Map<String, Json>,
        node: &Json,
        out: &mut Outcome,
        path: &mut Vec<String>,
    ) -> R {
        if let Some(Json::Array(any_of)) = s.get("anyOf") {
            let tries = any_of.iter().map(|sub| (None, sub, node));
            let message = "Must validate at least one schema (anyOf)";
            self.one_valid(tries, message, out, path)?;
        }
        if let Some(Json::Array(one_of)) = s.get("oneOf") {
            let mut valid = 0;
            let mut best: Option<Outcome> = None;
            for sub in one_of {
                let r = self.sub(sub, node, path)?;
                if r.valid() {
                    valid += 1;
                } else if valid == 0 && best.as_ref().is_none_or(|b| r.score > b.score) {
                    best = Some(r);
                }
            }
            if valid != 1 {
                out.add(path, "Must validate one and only one schema (oneOf)".into());
                if valid == 0
                    && let Some(b) = best
                {
                    out.merge(b);
                }
            }
        }
        if let Some(Json::Array(all_of)) = s.get("allOf") {
            let mut valid = 0;
            for sub in all_of {
                let r = self.sub(sub, node, path)?;
                if r.valid() {
                    valid += 1;
                }
                out.merge(r);
            }
            if valid != all_of.len() {
                out.add(path, "Must validate all the schemas (allOf)".into());
            }
        }
        if let Some(not) = s.get("not")
            && self.sub(not, node, path)?.valid()
        {
            out.add(path, "Must not validate the schema (not)".into());
        }
        if let (Some(Json::Object(deps)), Json::Object(m)) = (s.get("dependencies"), node) {
            for key in m.keys() {
                match deps.get(key) {
                    Some(Json::Array(names)) => {
                        for n in names.iter().filter_map(Json::as_str) {
                            if !m.contains_key(n) {
                                out.add(path, format!("Has a dependency on {n}"));
                            }
                        }
                    }
                    Some(dep @ Json::Object(_)) => self.validate(dep, node, out, path)?,
                    _ => {}
                }
            }
        }
        if let Some(cond) = s.get("if") {
            let if_ok = self.sub(cond, node, path)?.valid();
            if let Some(then) = s.get("then").filter(|_| if_ok) {
                let r = self.sub(then, node, path)?;
                if !r.valid() {
                    out.add(path, "Must validate \"then\" as \"if\" was valid".into());
                    out.merge(r);
                }
            }
            if let Some(otherwise) = s.get("else").filter(|_| !if_ok) {
                let r = self.sub(otherwise, node, path)?;
                if !r.valid() {
                    out.add(
                        path,
                        "Must validate \"else\" as \"if\" was not valid".into(),
                    );
                    out.merge(r);
                }
            }
        }
        out.score += 1;
        Ok(())
    }

    fn validate_common(
        &self,
        s: &serde_json::Map<String, Json>,
        node: &Json,
        out: &mut Outcome,
        path: &[String],
    ) {
        let field = field_name(path);
        if let Some(c) = s.get("const")
            && canonical(c) != canonical(node)
        {
            out.add(path, format!("{field} does not match: {}", canonical(c)));
        }
        if let Some(Json::Array(allowed)) = s.get("enum") {
            let texts: Vec<String> = allowed.iter().map(canonical).collect();
            if !texts.contains(&canonical(node)) {
                out.add(
                    path,
                    format!("{field} must be one of the following: {}", texts.join(", ")),
                );
            }
        }
        if let Some(Json::String(format)) = s.get("format")
            && !format_ok(format, node)
        {
            out.add(path, format!("Does not match format '{format}'"));
        }
        out.score += 1;
    }

    fn validate_number(
        &self,
        s: &serde_json::Map<String, Json>,
        n: &serde_json::Number,
        out: &mut Outcome,
        path: &[String],
    ) {
        let v = n.as_f64().unwrap_or_default();
        let num = |k: &str| s.get(k).and_then(Json::as_f64);
        if let Some(m) = num("multipleOf")
            && m != 0.0
            && ((v / m) - (v / m).round()).abs() > 1e-9
        {
            out.add(path, format!("Must be a multiple of {}", number_text(m)));
        }
        let draft4_exclusive = |k: &str| matches!(s.get(k), Some(Json::Bool(true)));
        if let Some(max) = num("maximum") {
            if draft4_exclusive("exclusiveMaximum") {
                if v >= max {
                    out.add(path, format!("Must be less than {}", number_text(max)));
                }
            } else if v > max {
                out.add(
                    path,
                    format!("Must be less than or equal to {}", number_text(max)),
                );
            }
        }
        if let Some(max) = num("exclusiveMaximum")
            && v >= max
        {
            out.add(path, format!("Must be less than {}", number_text(max)));
        }
        if let Some(min) = num("minimum") {
            if draft4_exclusive("exclusiveMinimum") {
                if v <= min {
                    out.add(path, format!("Must be greater than {}", number_text(min)));
                }
            } else if v < min {
                out.add(
                    path,
                    format!("Must be greater than or equal to {}", number_text(min)),
                );
            }
        }
        if let Some(min) = num("exclusiveMinimum")
            && v <= min
        {
            out.add(path, format!("Must be greater than {}", number_text(min)));
        }
        out.score += 1;
    }

    fn validate_string(
        &self,
        s: &serde_json::Map<String, Json>,
        text: &str,
        out: &mut Outcome,
        path: &[String],
    ) {
        let len = text.chars().count() as u64;
        if let Some(min) = s.get("minLength").and_then(Json::as_u64)
            && len < min
        {
            out.add(
                path,
                format!("String length must be greater than or equal to {min}"),
            );
        }
        if let Some(max) = s.get("maxLength").and_then(Json::as_u64)
            && len > max
        {
            out.add(
                path,
                format!("String length must be less than or equal to {max}"),
            );
        }
        if let Some(Json::String(p)) = s.get("pattern")
            && self.regex(p).is_some_and(|re| !re.is_match(text))
        {
            out.add(path, format!("Does not match pattern '{p}'"));
        }
        out.score += 1;
    }

    fn validate_array(
        &self,
        s: &serde_json::Map<String, Json>,
        items: &[Json],
        out: &mut Outcome,
        path: &mut Vec<String>,
    ) -> R {
        match s.get("items") {
            Some(Json::Array(schemas)) => {
                for (i, (sub, item)) in schemas.iter().zip(items).enumerate() {
                    path.push(i.to_string());
                    let r = self.sub(sub, item, path);
                    path.pop();
                    out.merge(r?);
                }
                if schemas.len() < items.len() {
                    match s.get("additionalItems") {
                        Some(Json::Bool(false)) => {
                            out.add(path, "No additional items allowed on array".into());
                        }
                        Some(extra @ Json::Object(_)) => {
                            for (i, item) in items.iter().enumerate().skip(schemas.len()) {
                                path.push(i.to_string());
                                let r = self.sub(extra, item, path);
                                path.pop();
                                out.merge(r?);
                            }
                        }
                        _ => {}
                    }
                }
            }
            Some(single @ (Json::Object(_) | Json::Bool(_))) => {
                for (i, item) in items.iter().enumerate() {
                    path.push(i.to_string());
                    let r = self.sub(single, item, path);
                    path.pop();
                    out.merge(r?);
                }
            }
            _ => {}
        }
        let n = items.len() as u64;
        if let Some(min) = s.get("minItems").and_then(Json::as_u64)
            && n < min
        {
            out.add(path, format!("Array must have at least {min} items"));
        }
        if let Some(max) = s.get("maxItems").and_then(Json::as_u64)
            && n > max
        {
            out.add(path, format!("Array must have at most {max} items"));
        }
        if matches!(s.get("uniqueItems"), Some(Json::Bool(true))) {
            let mut seen: BTreeMap<String, usize> = BTreeMap::new();
            for (j, item) in items.iter().enumerate() {
                let key = canonical(item);
                if let Some(i) = seen.get(&key) {
                    out.add(path, format!("array items[{i},{j}] must be unique"));
                }
                seen.insert(key, j);
            }
        }
        if let Some(contains) = s.get("contains") {
            let tries = (items.iter().enumerate()).map(|(i, item)| (Some(i), contains, item));
            self.one_valid(tries, "At least one of the items must match", out, path)?;
        }
        out.score += 1;
        Ok(())
    }

    fn validate_object(
        &self,
        s: &serde_json::Map<String, Json>,
        m: &serde_json::Map<String, Json>,
        out: &mut Outcome,
        path: &mut Vec<String>,
    ) -> R {
        let n = m.len() as u64;
        if let Some(min) = s.get("minProperties").and_then(Json::as_u64)
            && n < min
        {
            out.add(path, format!("Must have at least {min} properties"));
        }
        if let Some(max) = s.get("maxProperties").and_then(Json::as_u64)
            && n > max
        {
            out.add(path, format!("Must have at most {max} properties"));
        }
        if let Some(Json::Array(required)) = s.get("required") {
            for r in required.iter().filter_map(Json::as_str) {
                if m.contains_key(r) {
                    out.score += 1;
                } else {
                    out.add(path, format!("{r} is required"));
                }
            }
        }
        let props = s.get("properties").and_then(Json::as_object);
        let patterns = s.get("patternProperties").and_then(Json::as_object);
        for (key, value) in m {
            let declared = props.is_some_and(|p| p.contains_key(key));
            let mut pattern_matched = false;
            for (pattern, sub) in patterns.into_iter().flatten() {
                if self.regex(pattern).is_some_and(|re| re.is_match(key)) {
                    pattern_matched = true;
                    path.push(key.clone());
                    let r = self.sub(sub, value, path);
                    path.pop();
                    out.merge(r?);
                }
            }
            if pattern_matched {
                out.score += 1;
            }
            if !declared && !pattern_matched {
                match s.get("additionalProperties") {
                    Some(Json::Bool(false)) => {
                        out.add(path, format!("Additional property {key} is not allowed"));
                    }
                    Some(extra @ Json::Object(_)) => {
                        path.push(key.clone());
                        let r = self.sub(extra, value, path);
                        path.pop();
                        out.merge(r?);
                    }
                    _ => {}
                }
            }
        }
        if let Some(names) = s.get("propertyNames") {
            for key in m.keys() {
                let r = self.sub(names, &Json::String(key.clone()), path)?;
                if !r.valid() {
                    out.add(path, format!("Property name of \"{key}\" does not match"));
                    out.merge(r);
                }
            }
        }
        out.score += 1;
        Ok(())
    }
}

/// gojsonschema's format checkers, for the formats charts use; others always pass.
fn format_ok(format: &str, node: &Json) -> bool {
    let Json::String(s) = node else {
        return true;
    };
    match format {
        "email" => s
            .split_once('@')
            .is_some_and(|(a, b)| !a.is_empty() && !b.is_empty()),
        "ipv4" => s.parse::<std::net::Ipv4Addr>().is_ok(),
        "ipv6" => s.contains(':') && s.parse::<std::net::Ipv6Addr>().is_ok(),
        "uuid" => {
            s.len() == 36
                && s.chars().enumerate().all(|(i, c)| {
                    if [8, 13, 18, 23].contains(&i) {
                        c == '-'
                    } else {
                        c.is_ascii_hexdigit()
                    }
                })
        }
        "uri" => s.split_once(':').is_some_and(|(scheme, _)| {
            !scheme.is_empty()
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        }),
        "hostname" => {
            !s.is_empty()
                && s.len() <= 255
                && s.split('.').all(|l| {
                    !l.is_empty()
                        && l.len() <= 63
                        && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                        && !l.starts_with('-')
                        && !l.ends_with('-')
                })
        }
        _ => true,
    }
}
