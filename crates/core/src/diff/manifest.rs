//! Reading manifests (what `helm template` prints, what a release record stores) into Kubernetes
//! objects keyed by [`ObjectKey`].
//!
//! Documents are separated by `---` lines; CRLF line ends, comments (helm's `# Source:` lines
//! among them), empty and comment-only documents never count. A `v1` `List` stands for its items.
//! Keys that are not strings become their text, as `sigs.k8s.io/yaml` (helm's reader) makes them;
//! `<<` merge keys are applied.

use indexmap::IndexMap;
use serde_json::Value as Json;

use super::DiffError;
use super::key::{KnownScopes, ObjectKey, Scope, group_of};

/// One YAML document of a manifest, as JSON.
#[derive(Clone, PartialEq)]
pub struct Document {
    /// The document.
    pub value: Json,
    /// Its first line in the manifest (1-based).
    pub line: usize,
    /// The template that produced it (helm's `# Source:` comment), when present.
    pub source: Option<String>,
}

// Documents may be Secrets: never print their content.
impl std::fmt::Debug for Document {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Document")
            .field("line", &self.line)
            .field("source", &self.source)
            .finish_non_exhaustive()
    }
}

/// One Kubernetes object of a manifest, or of the cluster.
#[derive(Clone, PartialEq)]
pub struct Object {
    /// Which object.
    pub key: ObjectKey,
    /// Its `apiVersion`.
    pub api_version: String,
    /// The whole object, as JSON.
    pub body: Json,
    /// Its first line in the manifest (0 for objects read from the cluster).
    pub line: usize,
    /// The template that produced it, when helm said.
    pub source: Option<String>,
}

// Objects may be Secrets: never print their content.
impl std::fmt::Debug for Object {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Object")
            .field("key", &self.key)
            .field("line", &self.line)
            .field("source", &self.source)
            .finish_non_exhaustive()
    }
}

impl Object {
    /// Whether helm runs this object as a hook (it has a `helm.sh/hook` annotation).
    pub fn is_hook(&self) -> bool {
        annotation(&self.body, "helm.sh/hook").is_some()
    }
}

/// The value of annotation `name` of an object, when set.
pub fn annotation<'a>(object: &'a Json, name: &str) -> Option<&'a str> {
    object["metadata"]["annotations"][name].as_str()
}

/// A manifest's objects in the order they came, by key.
pub type Objects = IndexMap<ObjectKey, Object>;

/// Splits `text` into its documents, skipping empty and comment-only ones. `origin` names the
/// manifest in errors.
pub fn documents(text: &str, origin: &str) -> Result<Vec<Document>, DiffError> {
    let text = text.replace("\r\n", "\n");
    let mut documents = Vec::new();
    let mut chunk = String::new();
    let mut start = 1;
    for (index, line) in text.lines().enumerate() {
        let number = index + 1;
        if is_document_separator(line) {
            push_document(&mut documents, &chunk, start, origin)?;
            chunk.clear();
            start = number;
        }
        // `...` ends a document; an empty line in its place keeps the line numbers.
        if line != "..." {
            chunk.push_str(line);
        }
        chunk.push('\n');
    }
    push_document(&mut documents, &chunk, start, origin)?;
    Ok(documents)
}

/// Whether `line` starts a document: `---`, alone or followed by a space (and content).
fn is_document_separator(line: &str) -> bool {
    line.strip_prefix("---")
        .is_some_and(|rest| rest.is_empty() || rest.starts_with(char::is_whitespace))
}

fn push_document(
    documents: &mut Vec<Document>,
    chunk: &str,
    line: usize,
    origin: &str,
) -> Result<(), DiffError> {
    let source = chunk.lines().find_map(|l| {
        l.trim_start()
            .strip_prefix("# Source:")
            .map(|s| s.trim().to_string())
    });
    let only_comments = chunk.lines().all(|l| {
        let l = l.trim();
        let after_separator = l.strip_prefix("---").map(str::trim);
        l.is_empty()
            || l.starts_with('#')
            || after_separator.is_some_and(|r| r.is_empty() || r.starts_with('#'))
    });
    if only_comments {
        return Ok(());
    }
    let yaml_error = |at: usize, message: String| DiffError::Yaml {
        origin: origin.to_string(),
        line: line + at.saturating_sub(1),
        template: source.clone(),
        message,
    };
    let mut yaml: serde_yaml::Value = serde_yaml::from_str(chunk).map_err(|e| {
        let at = e.location().map_or(1, |l| l.line());
        // The parser's own positions count from the document, not the manifest.
        let message = e.to_string();
        let message = message
            .split(" at line ")
            .next()
            .unwrap_or_default()
            .to_string();
        yaml_error(at, message)
    })?;
    yaml.apply_merge()
        .map_err(|e| yaml_error(1, e.to_string()))?;
    let value = to_json(yaml).map_err(|e| yaml_error(1, e))?;
    if value.is_null() {
        return Ok(());
    }
    documents.push(Document {
        value,
        line,
        source,
    });
    Ok(())
}

/// YAML to JSON as `sigs.k8s.io/yaml` converts it: scalar keys become their text, tags are dropped.
fn to_json(yaml: serde_yaml::Value) -> Result<Json, String> {
    use serde_yaml::Value as Yaml;
    Ok(match yaml {
        Yaml::Null => Json::Null,
        Yaml::Bool(b) => Json::Bool(b),
        Yaml::Number(n) => {
            if let Some(i) = n.as_i64() {
                Json::from(i)
            } else if let Some(u) = n.as_u64() {
                Json::from(u)
            } else {
                let f = n.as_f64().unwrap_or(f64::NAN);
                serde_json::Number::from_f64(f)
                    .map_or_else(|| Json::String(n.to_string()), Json::Number)
            }
        }
        Yaml::String(s) => Json::String(s),
        Yaml::Sequence(items) => {
            Json::Array(items.into_iter().map(to_json).collect::<Result<_, _>>()?)
        }
        Yaml::Mapping(map) => {
            let mut out = serde_json::Map::with_capacity(map.len());
            for (key, value) in map {
                let key = match key {
                    Yaml::String(s) => s,
                    Yaml::Bool(b) => b.to_string(),
                    Yaml::Number(n) => n.to_string(),
                    Yaml::Null => "null".to_string(),
                    _ => return Err("a mapping key is not a scalar".into()),
                };
                out.insert(key, to_json(value)?);
            }
            Json::Object(out)
        }
        Yaml::Tagged(tagged) => to_json(tagged.value)?,
    })
}

/// The objects of `documents` by key. Namespaced kinds without a namespace get
/// `default_namespace` (the release's); `scopes` says which kinds are namespaced (a kind it does
/// not know is taken as namespaced, as custom resources mostly are).
pub fn objects(
    documents: Vec<Document>,
    default_namespace: &str,
    scopes: &KnownScopes,
    origin: &str,
) -> Result<Objects, DiffError> {
    let mut objects = Objects::with_capacity(documents.len());
    for document in documents {
        for value in list_items(document.value) {
            let object = object(
                value,
                document.line,
                &document.source,
                default_namespace,
                scopes,
                origin,
            )?;
            if let Some(first) = objects.get(&object.key) {
                return Err(DiffError::Duplicate {
                    origin: origin.to_string(),
                    key: object.key.to_string(),
                    first: first.line,
                    second: object.line,
                });
            }
            objects.insert(object.key.clone(), object);
        }
    }
    Ok(objects)
}

/// A `v1` `List` stands for its items; any other document for itself.
fn list_items(value: Json) -> Vec<Json> {
    let is_list = value["apiVersion"] == "v1" && value["kind"] == "List";
    match value {
        Json::Object(mut map) if is_list => match map.remove("items") {
            Some(Json::Array(items)) => items,
            _ => Vec::new(),
        },
        other => vec![other],
    }
}

/// One object, keyed.
pub fn object(
    value: Json,
    line: usize,
    source: &Option<String>,
    default_namespace: &str,
    scopes: &KnownScopes,
    origin: &str,
) -> Result<Object, DiffError> {
    let problem = |problem: &str| DiffError::NotAnObject {
        origin: origin.to_string(),
        line,
        template: source.clone(),
        problem: problem.to_string(),
    };
    if !value.is_object() {
        return Err(problem("not a mapping"));
    }
    let text = |field: &Json, name: &str| {
        field
            .as_str()
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .ok_or_else(|| problem(&format!("no {name}")))
    };
    let api_version = text(&value["apiVersion"], "\"apiVersion\"")?;
    let kind = text(&value["kind"], "\"kind\"")?;
    let name = text(&value["metadata"]["name"], "\"metadata.name\"")?;
    let namespace = match scopes.scope(group_of(&api_version), &kind) {
        Some(Scope::Cluster) => None,
        _ => Some(
            value["metadata"]["namespace"]
                .as_str()
                .filter(|n| !n.is_empty())
                .unwrap_or(default_namespace)
                .to_string(),
        ),
    };
    Ok(Object {
        key: ObjectKey::new(&api_version, &kind, namespace.as_deref(), &name),
        api_version,
        body: value,
        line,
        source: source.clone(),
    })
}

/// Parses a manifest into objects in one go (CRDs it defines teach `scopes` their kinds first).
pub fn parse(
    text: &str,
    default_namespace: &str,
    scopes: &mut KnownScopes,
    origin: &str,
) -> Result<Objects, DiffError> {
    let documents = documents(text, origin)?;
    for document in &documents {
        scopes.learn_crd(&document.value);
    }
    objects(documents, default_namespace, scopes, origin)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(objects: &Objects) -> Vec<String> {
        objects.keys().map(ToString::to_string).collect()
    }

    #[test]
    fn multi_document_with_empty_and_comment_only_documents_and_crlf() {
        let text = "---\r\n# Source: app/templates/empty.yaml\r\n---\r\n# Source: app/templates/cm.yaml\r\napiVersion: v1\r\nkind: ConfigMap\r\nmetadata:\r\n  name: a\r\ndata:\r\n  k: v\r\n---\r\n\r\n---\r\n# just a comment\r\n--- # Source: app/templates/ns.yaml\r\napiVersion: v1\r\nkind: Namespace\r\nmetadata: {name: team}\r\n...\r\n";
        let mut scopes = KnownScopes::default();
        let objects = parse(text, "backend", &mut scopes, "test").unwrap_or_default();
        assert_eq!(keys(&objects), ["ConfigMap backend/a", "Namespace team"]);
        let cm = &objects[0];
        assert_eq!(cm.source.as_deref(), Some("app/templates/cm.yaml"));
        assert_eq!(cm.line, 3);
        assert_eq!(cm.body["data"]["k"], "v");
        assert_eq!(objects[1].line, 15);
    }

    #[test]
    fn namespaces_default_to_the_release_namespace_for_namespaced_kinds_only() {
        let text = "
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: reader, namespace: ignored}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: other}
---
apiVersion: example.com/v1
kind: Widget
metadata: {name: w}
---
apiVersion: example.com/v1
kind: Gadget
metadata: {name: g}
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: gadgets.example.com}
spec: {group: example.com, scope: Cluster, names: {kind: Gadget, plural: gadgets}}
";
        let mut scopes = KnownScopes::default();
        let objects = parse(text, "backend", &mut scopes, "test").unwrap_or_default();
        assert_eq!(
            keys(&objects),
            [
                "ClusterRole.rbac.authorization.k8s.io reader",
                "Deployment.apps other/api",
                "Widget.example.com backend/w",
                "Gadget.example.com g",
                "CustomResourceDefinition.apiextensions.k8s.io gadgets.example.com",
            ]
        );
    }

    #[test]
    fn lists_stand_for_their_items_and_merge_keys_apply() {
        let text = "
apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: ConfigMap
  metadata: {name: a}
  data: &d {x: '1'}
- apiVersion: v1
  kind: ConfigMap
  metadata: {name: b}
  data:
    <<: *d
    y: '2'
";
        let mut scopes = KnownScopes::default();
        let objects = parse(text, "ns", &mut scopes, "test").unwrap_or_default();
        assert_eq!(keys(&objects), ["ConfigMap ns/a", "ConfigMap ns/b"]);
        assert_eq!(
            objects[1].body["data"],
            serde_json::json!({"x": "1", "y": "2"})
        );
    }

    #[test]
    fn bad_documents_are_errors_naming_the_line_and_template() {
        let mut scopes = KnownScopes::default();
        let error = |text: &str| {
            parse(
                text,
                "ns",
                &mut KnownScopes::default(),
                "desired manifest of release ns/app",
            )
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default()
        };
        assert_eq!(
            error(
                "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\n# Source: app/templates/b.yaml\napiVersion: v1\nkind: ConfigMap\n"
            ),
            "desired manifest of release ns/app, document at line 4 (app/templates/b.yaml): no \"metadata.name\""
        );
        assert_eq!(
            error("---\nkey: [unclosed\n"),
            "desired manifest of release ns/app, line 3: invalid YAML: did not find expected ',' or ']'"
        );
        assert_eq!(
            error("- a\n- b\n"),
            "desired manifest of release ns/app, document at line 1: not a mapping"
        );
        assert_eq!(
            error(
                "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: ns}\n"
            ),
            "desired manifest of release ns/app: ConfigMap ns/a is defined twice (documents at lines 1 and 4)"
        );
        assert!(parse("", "ns", &mut scopes, "t").is_ok_and(|o| o.is_empty()));
    }

    #[test]
    fn scalar_keys_become_text() {
        let mut scopes = KnownScopes::default();
        let objects = parse(
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata:\n  1: one\n  true: two\n",
            "ns",
            &mut scopes,
            "t",
        )
        .unwrap_or_default();
        assert_eq!(
            objects[0].body["data"],
            serde_json::json!({"1": "one", "true": "two"})
        );
    }
}
