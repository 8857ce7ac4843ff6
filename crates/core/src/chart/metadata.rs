//! `Chart.yaml` (and helm 2's `requirements.yaml`) read as helm reads them: through
//! `sigs.k8s.io/yaml` into `chart.Metadata`, so a number where a string belongs becomes its text
//! (`version: 1.10` is `"1.1"`), field names match case-insensitively, and the same checks
//! (`chart.metadata.name is required`...).

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::template::{Object, Value, cannot_unmarshal, json_kind};

/// A chart's `Chart.yaml`.
#[derive(Debug, Clone, Default)]
pub struct Metadata {
    /// `name`.
    pub name: String,
    /// `home`.
    pub home: String,
    /// `sources`.
    pub sources: Vec<String>,
    /// `version`.
    pub version: String,
    /// `description`.
    pub description: String,
    /// `keywords`.
    pub keywords: Vec<String>,
    /// `maintainers`.
    pub maintainers: Vec<Maintainer>,
    /// `icon`.
    pub icon: String,
    /// `apiVersion` (`v1` when missing).
    pub api_version: String,
    /// `condition`.
    pub condition: String,
    /// `tags`.
    pub tags: String,
    /// `appVersion`.
    pub app_version: String,
    /// `deprecated`.
    pub deprecated: bool,
    /// `annotations`.
    pub annotations: BTreeMap<String, String>,
    /// `kubeVersion`: the Kubernetes versions the chart supports.
    pub kube_version: String,
    /// `dependencies` (`None` when the chart declares none, as Go's nil slice).
    pub dependencies: Option<Vec<Dependency>>,
    /// `type`: `application`, `library` or empty.
    pub chart_type: String,
}

/// One of `maintainers`.
#[derive(Debug, Clone, Default)]
pub struct Maintainer {
    /// `name`.
    pub name: String,
    /// `email`.
    pub email: String,
    /// `url`.
    pub url: String,
}

/// One of `dependencies`.
#[derive(Debug, Clone, Default)]
pub struct Dependency {
    /// `name` (the alias once dependencies are processed).
    pub name: String,
    /// `version`: a semver range the subchart's version must satisfy.
    pub version: String,
    /// `repository`.
    pub repository: String,
    /// `condition`: comma-separated values paths; the first that is a boolean decides.
    pub condition: String,
    /// `tags`.
    pub tags: Vec<String>,
    /// `enabled` (set while dependencies are processed).
    pub enabled: bool,
    /// `import-values`: strings or `{child, parent}` maps.
    pub import_values: Vec<Value>,
    /// `alias`.
    pub alias: String,
}

/// Reads the fields of `doc` (a `Chart.yaml` or `requirements.yaml` document) into `md`, as
/// `json.Unmarshal` fills a struct: fields not in the document keep their value.
pub(crate) fn read_into(md: &mut Metadata, doc: &Value) -> Result<(), String> {
    let Value::Map(m) = doc else {
        return match doc {
            Value::Nil => Ok(()),
            other => Err(cannot_unmarshal(other, "chart.Metadata")),
        };
    };
    for (key, v) in m.entries() {
        let Some(field) = match_field(&key, METADATA_FIELDS) else {
            continue;
        };
        let at = |t: &str| format!("Metadata.{field} of type {t}");
        match field {
            "name" => md.name = string(&v, &at("string"))?,
            "home" => md.home = string(&v, &at("string"))?,
            "sources" => md.sources = strings(&v, &at("string"))?,
            "version" => md.version = string(&v, &at("string"))?,
            "description" => md.description = string(&v, &at("string"))?,
            "keywords" => md.keywords = strings(&v, &at("string"))?,
            "maintainers" => md.maintainers = maintainers(&v)?,
            "icon" => md.icon = string(&v, &at("string"))?,
            "apiVersion" => md.api_version = string(&v, &at("string"))?,
            "condition" => md.condition = string(&v, &at("string"))?,
            "tags" => md.tags = string(&v, &at("string"))?,
            "appVersion" => md.app_version = string(&v, &at("string"))?,
            "deprecated" => md.deprecated = boolean(&v, &at("bool"))?,
            "annotations" => md.annotations = string_map(&v, &at("string"))?,
            "kubeVersion" => md.kube_version = string(&v, &at("string"))?,
            "dependencies" => md.dependencies = dependencies(&v)?,
            "type" => md.chart_type = string(&v, &at("string"))?,
            _ => {}
        }
    }
    Ok(())
}

const METADATA_FIELDS: &[&str] = &[
    "name",
    "home",
    "sources",
    "version",
    "description",
    "keywords",
    "maintainers",
    "icon",
    "apiVersion",
    "condition",
    "tags",
    "appVersion",
    "deprecated",
    "annotations",
    "kubeVersion",
    "dependencies",
    "type",
];

const DEPENDENCY_FIELDS: &[&str] = &[
    "name",
    "version",
    "repository",
    "condition",
    "tags",
    "enabled",
    "import-values",
    "alias",
];

/// `encoding/json`'s field matching: the exact name, else the first equal ignoring case.
fn match_field(key: &str, fields: &[&'static str]) -> Option<&'static str> {
    fields
        .iter()
        .find(|f| **f == key)
        .or_else(|| fields.iter().find(|f| f.eq_ignore_ascii_case(key)))
        .copied()
}

/// encoding/json's error for a value of the wrong kind for a struct field (`at`: the field and
/// its type).
pub(super) fn field_error(v: &Value, at: &str) -> String {
    format!(
        "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into Go struct field {at}",
        json_kind(v)
    )
}

/// A scalar as `sigs.k8s.io/yaml` hands it to a string field: numbers and booleans become their
/// text (floats with float32 precision, as go-yaml formats them).
pub(super) fn string(v: &Value, at: &str) -> Result<String, String> {
    Ok(match v {
        Value::Nil => String::new(),
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) | Value::Int64(i) => i.to_string(),
        Value::Uint(u) => u.to_string(),
        Value::Float(f) => format_float32(*f),
        other => return Err(field_error(other, at)),
    })
}

fn strings(v: &Value, at: &str) -> Result<Vec<String>, String> {
    match v {
        Value::Nil => Ok(Vec::new()),
        Value::List(items, _) => items.iter().map(|i| string(i, at)).collect(),
        other => Err(field_error(other, &format!("{at} (slice)"))),
    }
}

fn boolean(v: &Value, at: &str) -> Result<bool, String> {
    match v {
        Value::Nil => Ok(false),
        Value::Bool(b) => Ok(*b),
        other => Err(field_error(other, at)),
    }
}

fn string_map(v: &Value, at: &str) -> Result<BTreeMap<String, String>, String> {
    match v {
        Value::Nil => Ok(BTreeMap::new()),
        Value::Map(m) => m
            .entries()
            .into_iter()
            .map(|(k, x)| Ok((k, string(&x, at)?)))
            .collect(),
        other => Err(field_error(other, at)),
    }
}

/// A YAML map's entries, read into a Go struct's fields.
type Entries = Vec<(String, Value)>;

/// The entries of each struct of a `[]*chart.<kind>` field (`field`: `maintainers`), `None` when
/// it is null.
fn struct_list(v: &Value, field: &str, kind: &str) -> Result<Option<Vec<Entries>>, String> {
    let items = match v {
        Value::Nil => return Ok(None),
        Value::List(items, _) => items,
        other => {
            let at = format!("Metadata.{field} of type []*chart.{kind}");
            return Err(field_error(other, &at));
        }
    };
    let entries = items.iter().map(|item| match item {
        Value::Map(m) => Ok(m.entries()),
        Value::Nil => Err(format!(
            "validation: {field} must not contain empty or null nodes"
        )),
        other => Err(field_error(
            other,
            &format!("Metadata.{field} of type chart.{kind}"),
        )),
    });
    entries.collect::<Result<Vec<_>, _>>().map(Some)
}

fn maintainers(v: &Value) -> Result<Vec<Maintainer>, String> {
    let mut out = Vec::new();
    for m in struct_list(v, "maintainers", "Maintainer")?.unwrap_or_default() {
        let mut mt = Maintainer::default();
        for (k, x) in m {
            let at = |f: &str| format!("Maintainer.{f} of type string");
            match match_field(&k, &["name", "email", "url"]) {
                Some("name") => mt.name = string(&x, &at("name"))?,
                Some("email") => mt.email = string(&x, &at("email"))?,
                Some("url") => mt.url = string(&x, &at("url"))?,
                _ => {}
            }
        }
        out.push(mt);
    }
    Ok(out)
}

fn dependencies(v: &Value) -> Result<Option<Vec<Dependency>>, String> {
    let Some(items) = struct_list(v, "dependencies", "Dependency")? else {
        return Ok(None);
    };
    let mut out = Vec::new();
    for m in items {
        let mut d = Dependency::default();
        for (k, x) in m {
            let Some(field) = match_field(&k, DEPENDENCY_FIELDS) else {
                continue;
            };
            let at = |t: &str| format!("Dependency.{field} of type {t}");
            match field {
                "name" => d.name = string(&x, &at("string"))?,
                "version" => d.version = string(&x, &at("string"))?,
                "repository" => d.repository = string(&x, &at("string"))?,
                "condition" => d.condition = string(&x, &at("string"))?,
                "tags" => d.tags = strings(&x, &at("string"))?,
                "enabled" => d.enabled = boolean(&x, &at("bool"))?,
                "import-values" => {
                    d.import_values = match &x {
                        Value::List(l, _) => l.to_vec(),
                        Value::Nil => Vec::new(),
                        other => return Err(field_error(other, &at("[]interface {}"))),
                    }
                }
                "alias" => d.alias = string(&x, &at("string"))?,
                _ => {}
            }
        }
        out.push(d);
    }
    Ok(Some(out))
}

/// go-yaml's `strconv.FormatFloat(f, 'g', -1, 32)`: the shortest text of the float32 nearest
/// `f`, in exponent form below 1e-4 and from 1e6 on.
pub(crate) fn format_float32(f: f64) -> String {
    let g = f as f32;
    if g.is_nan() {
        return "NaN".into();
    }
    if g.is_infinite() {
        return if g > 0.0 { "+Inf" } else { "-Inf" }.into();
    }
    if g == 0.0 {
        return if g.is_sign_negative() { "-0" } else { "0" }.into();
    }
    let e = format!("{:e}", g.abs());
    let (mant, exp) = e.split_once('e').unwrap_or((&e, "0"));
    let digits: String = mant.chars().filter(|c| c.is_ascii_digit()).collect();
    let exp: i32 = exp.parse().unwrap_or(0);
    let sign = if g < 0.0 { "-" } else { "" };
    if !(-4..6).contains(&exp) {
        let frac = if digits.len() > 1 {
            format!(".{}", &digits[1..])
        } else {
            String::new()
        };
        let esign = if exp < 0 { '-' } else { '+' };
        return format!("{sign}{}{frac}e{esign}{:02}", &digits[..1], exp.abs());
    }
    if exp < 0 {
        return format!("{sign}0.{}{digits}", "0".repeat((-exp - 1) as usize));
    }
    let int_len = (exp + 1) as usize;
    if digits.len() <= int_len {
        format!("{sign}{digits}{}", "0".repeat(int_len - digits.len()))
    } else {
        format!("{sign}{}.{}", &digits[..int_len], &digits[int_len..])
    }
}

impl Metadata {
    /// helm's `Metadata.Validate`: cleans strings and checks the required fields.
    pub(crate) fn validate(&mut self) -> Result<(), String> {
        for s in [
            &mut self.name,
            &mut self.description,
            &mut self.home,
            &mut self.icon,
            &mut self.condition,
            &mut self.tags,
            &mut self.app_version,
            &mut self.kube_version,
        ] {
            *s = sanitize(s);
        }
        for s in self.sources.iter_mut().chain(self.keywords.iter_mut()) {
            *s = sanitize(s);
        }
        if self.api_version.is_empty() {
            return Err("validation: chart.metadata.apiVersion is required".into());
        }
        if self.name.is_empty() {
            return Err("validation: chart.metadata.name is required".into());
        }
        if self.name.contains('/') {
            return Err(format!(
                "validation: chart.metadata.name {:?} is invalid",
                self.name
            ));
        }
        if self.version.is_empty() {
            return Err("validation: chart.metadata.version is required".into());
        }
        if crate::template::satisfies("", &self.version).is_none() {
            return Err(format!(
                "validation: chart.metadata.version {:?} is invalid",
                self.version
            ));
        }
        if !matches!(self.chart_type.as_str(), "" | "application" | "library") {
            return Err("validation: chart.metadata.type must be application or library".into());
        }
        for m in &mut self.maintainers {
            m.name = sanitize(&m.name);
            m.email = sanitize(&m.email);
            m.url = sanitize(&m.url);
        }
        let mut seen = std::collections::BTreeSet::new();
        for d in self.dependencies.iter_mut().flatten() {
            d.name = sanitize(&d.name);
            d.version = sanitize(&d.version);
            d.repository = sanitize(&d.repository);
            d.condition = sanitize(&d.condition);
            for t in &mut d.tags {
                *t = sanitize(t);
            }
            if !d.alias.is_empty()
                && !d
                    .alias
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
            {
                return Err(format!(
                    "validation: dependency {:?} has disallowed characters in the alias",
                    d.name
                ));
            }
            let key = if d.alias.is_empty() {
                &d.name
            } else {
                &d.alias
            };
            if !seen.insert(key.clone()) {
                return Err(format!(
                    "validation: more than one dependency with name or alias {key:?}"
                ));
            }
        }
        Ok(())
    }

    /// The `.Chart` object templates see: `chart.Metadata` plus `IsRoot`.
    pub(crate) fn template_object(&self, is_root: bool) -> Value {
        Value::Object(Arc::new(ChartObject {
            metadata: self.clone(),
            is_root,
        }))
    }
}

/// helm's `sanitizeString`: whitespace becomes a space, unprintable characters go.
fn sanitize(s: &str) -> String {
    s.chars()
        .filter_map(|c| {
            if c.is_whitespace() {
                Some(' ')
            } else if c.is_control() {
                None
            } else {
                Some(c)
            }
        })
        .collect()
}

/// `.Chart`: `struct { chart.Metadata; IsRoot bool }`.
#[derive(Debug)]
struct ChartObject {
    metadata: Metadata,
    is_root: bool,
}

fn string_list(items: &[String]) -> Value {
    Value::string_list(items.to_vec())
}

impl Dependency {
    fn fields(&self) -> Vec<(&'static str, Value)> {
        vec![
            ("Name", Value::str(&self.name)),
            ("Version", Value::str(&self.version)),
            ("Repository", Value::str(&self.repository)),
            ("Condition", Value::str(&self.condition)),
            ("Tags", string_list(&self.tags)),
            ("Enabled", Value::Bool(self.enabled)),
            ("ImportValues", Value::list(self.import_values.clone())),
            ("Alias", Value::str(&self.alias)),
        ]
    }

    fn json(&self) -> Value {
        let mut f = Vec::new();
        put(&mut f, "name", Value::str(&self.name), true);
        put(
            &mut f,
            "version",
            Value::str(&self.version),
            !self.version.is_empty(),
        );
        put(&mut f, "repository", Value::str(&self.repository), true);
        put(
            &mut f,
            "condition",
            Value::str(&self.condition),
            !self.condition.is_empty(),
        );
        put(
            &mut f,
            "tags",
            string_list(&self.tags),
            !self.tags.is_empty(),
        );
        put(&mut f, "enabled", Value::Bool(self.enabled), self.enabled);
        put(
            &mut f,
            "import-values",
            Value::list(self.import_values.clone()),
            !self.import_values.is_empty(),
        );
        put(
            &mut f,
            "alias",
            Value::str(&self.alias),
            !self.alias.is_empty(),
        );
        crate::template::Struct::value("chart.Dependency", f)
    }
}

/// Adds a JSON field unless `omitempty` drops it.
fn put(fields: &mut Vec<(String, Value)>, key: &str, v: Value, keep: bool) {
    if keep {
        fields.push((key.to_owned(), v));
    }
}

impl ChartObject {
    fn fields(&self) -> Vec<(&'static str, Value)> {
        let m = &self.metadata;
        vec![
            ("Name", Value::str(&m.name)),
            ("Home", Value::str(&m.home)),
            ("Sources", string_list(&m.sources)),
            ("Version", Value::str(&m.version)),
            ("Description", Value::str(&m.description)),
            ("Keywords", string_list(&m.keywords)),
            (
                "Maintainers",
                Value::list(m.maintainers.iter().map(Maintainer::object).collect()),
            ),
            ("Icon", Value::str(&m.icon)),
            ("APIVersion", Value::str(&m.api_version)),
            ("Condition", Value::str(&m.condition)),
            ("Tags", Value::str(&m.tags)),
            ("AppVersion", Value::str(&m.app_version)),
            ("Deprecated", Value::Bool(m.deprecated)),
            (
                "Annotations",
                Value::Map(crate::template::MapRef::typed(
                    m.annotations
                        .iter()
                        .map(|(k, v)| (k.clone(), Value::str(v)))
                        .collect(),
                    crate::template::ElemType::String,
                )),
            ),
            ("KubeVersion", Value::str(&m.kube_version)),
            (
                "Dependencies",
                Value::list(
                    m.dependencies
                        .iter()
                        .flatten()
                        .map(|d| {
                            crate::template::Pointer::to(crate::template::Struct::value(
                                "chart.Dependency",
                                d.fields()
                                    .into_iter()
                                    .map(|(k, v)| (k.to_owned(), v))
                                    .collect(),
                            ))
                        })
                        .collect(),
                ),
            ),
            ("Type", Value::str(&m.chart_type)),
        ]
    }
}

impl Maintainer {
    fn object(&self) -> Value {
        crate::template::Pointer::to(crate::template::Struct::value(
            "chart.Maintainer",
            vec![
                ("Name".to_owned(), Value::str(&self.name)),
                ("Email".to_owned(), Value::str(&self.email)),
                ("URL".to_owned(), Value::str(&self.url)),
            ],
        ))
    }

    fn json(&self) -> Value {
        let mut f = Vec::new();
        for (k, v) in [
            ("name", &self.name),
            ("email", &self.email),
            ("url", &self.url),
        ] {
            put(&mut f, k, Value::str(v), !v.is_empty());
        }
        crate::template::Struct::value("chart.Maintainer", f)
    }
}

impl Object for ChartObject {
    fn type_name(&self) -> String {
        "struct { chart.Metadata; IsRoot bool }".into()
    }
    fn field(&self, name: &str) -> Option<Value> {
        if name == "IsRoot" {
            return Some(Value::Bool(self.is_root));
        }
        if name == "Metadata" {
            return Some(crate::template::Struct::value(
                "chart.Metadata",
                self.fields()
                    .into_iter()
                    .map(|(k, v)| (k.to_owned(), v))
                    .collect(),
            ));
        }
        self.fields()
            .into_iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v)
    }
    fn method(&self, name: &str, args: &[Value]) -> Option<Result<Value, String>> {
        // chart.Metadata's `Validate` is the only method templates could reach; nobody calls it.
        let _ = (name, args);
        None
    }
    fn go_string(&self) -> String {
        let inner: Vec<String> = self
            .fields()
            .iter()
            .map(|(_, v)| crate::template::sprint_value(v))
            .collect();
        format!("{{{{{}}} {}}}", inner.join(" "), self.is_root)
    }
    fn to_data(&self) -> Value {
        let m = &self.metadata;
        let mut f: Vec<(String, Value)> = Vec::new();
        put(&mut f, "name", Value::str(&m.name), !m.name.is_empty());
        put(&mut f, "home", Value::str(&m.home), !m.home.is_empty());
        put(
            &mut f,
            "sources",
            string_list(&m.sources),
            !m.sources.is_empty(),
        );
        put(
            &mut f,
            "version",
            Value::str(&m.version),
            !m.version.is_empty(),
        );
        put(
            &mut f,
            "description",
            Value::str(&m.description),
            !m.description.is_empty(),
        );
        put(
            &mut f,
            "keywords",
            string_list(&m.keywords),
            !m.keywords.is_empty(),
        );
        put(
            &mut f,
            "maintainers",
            Value::list(m.maintainers.iter().map(Maintainer::json).collect()),
            !m.maintainers.is_empty(),
        );
        put(&mut f, "icon", Value::str(&m.icon), !m.icon.is_empty());
        put(
            &mut f,
            "apiVersion",
            Value::str(&m.api_version),
            !m.api_version.is_empty(),
        );
        put(
            &mut f,
            "condition",
            Value::str(&m.condition),
            !m.condition.is_empty(),
        );
        put(&mut f, "tags", Value::str(&m.tags), !m.tags.is_empty());
        put(
            &mut f,
            "appVersion",
            Value::str(&m.app_version),
            !m.app_version.is_empty(),
        );
        put(
            &mut f,
            "deprecated",
            Value::Bool(m.deprecated),
            m.deprecated,
        );
        let annotations = m
            .annotations
            .iter()
            .map(|(k, v)| (k.clone(), Value::str(v)))
            .collect();
        put(
            &mut f,
            "annotations",
            Value::map(annotations),
            !m.annotations.is_empty(),
        );
        put(
            &mut f,
            "kubeVersion",
            Value::str(&m.kube_version),
            !m.kube_version.is_empty(),
        );
        let deps: Vec<Value> = m
            .dependencies
            .iter()
            .flatten()
            .map(Dependency::json)
            .collect();
        let has_deps = !deps.is_empty();
        put(&mut f, "dependencies", Value::list(deps), has_deps);
        put(
            &mut f,
            "type",
            Value::str(&m.chart_type),
            !m.chart_type.is_empty(),
        );
        put(&mut f, "IsRoot", Value::Bool(self.is_root), true);
        crate::template::Struct::value("chart.Metadata", f)
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_print_with_float32_precision() {
        assert_eq!(format_float32(1.10), "1.1");
        assert_eq!(format_float32(1.234567891), "1.2345679");
        assert_eq!(format_float32(1e21), "1e+21");
        assert_eq!(format_float32(1e6), "1e+06");
        assert_eq!(format_float32(0.00001), "1e-05");
        assert_eq!(format_float32(100.0), "100");
    }
}
