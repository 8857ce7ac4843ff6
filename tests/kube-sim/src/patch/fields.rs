//! Field sets and `metadata.managedFields`: which manager owns which fields, in the `FieldsV1`
//! encoding the API server uses (`f:name`, `k:{"name":"app"}`, `v:"value"`, `.`).

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use super::keys::{ListKind, list_kind};

/// One step of a field path.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum PathElement {
    /// A map field.
    Field(String),
    /// A list item identified by its key fields (compact JSON object, keys sorted).
    Key(String),
    /// A set item (compact JSON scalar).
    Value(String),
}

/// A field path from the object root.
pub type FieldPath = Vec<PathElement>;

/// A set of field paths, as a tree.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldSet {
    member: bool,
    children: BTreeMap<PathElement, FieldSet>,
}

/// Metadata fields the server owns; they are never in a field set.
const SERVER_METADATA: &[&str] = &[
    "name",
    "namespace",
    "uid",
    "resourceVersion",
    "generation",
    "creationTimestamp",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
    "managedFields",
    "selfLink",
];

/// Where field sets read list keys: the object's kind, and whether it is built in.
#[derive(Debug, Clone, Copy)]
pub struct Schema<'a> {
    /// The object's kind.
    pub kind: &'a str,
    /// Built-in kinds have keyed lists; custom resources only atomic ones.
    pub builtin: bool,
}

impl FieldSet {
    /// The fields set in `object` (not status, nor server-owned metadata).
    pub fn of(object: &Value, schema: Schema<'_>) -> Self {
        let mut set = Self::default();
        let mut path = Vec::new();
        for (key, value) in object.as_object().into_iter().flatten() {
            if matches!(key.as_str(), "apiVersion" | "kind" | "status") {
                continue;
            }
            let node = set
                .children
                .entry(PathElement::Field(key.clone()))
                .or_default();
            path.push(key.clone());
            if key == "metadata" {
                for (field, v) in value.as_object().into_iter().flatten() {
                    if SERVER_METADATA.contains(&field.as_str()) {
                        continue;
                    }
                    path.push(field.clone());
                    let child = node
                        .children
                        .entry(PathElement::Field(field.clone()))
                        .or_default();
                    child.collect(v, schema, &mut path);
                    path.pop();
                }
            } else {
                node.collect(value, schema, &mut path);
            }
            path.pop();
        }
        set.prune();
        set
    }

    fn collect(&mut self, value: &Value, schema: Schema<'_>, path: &mut Vec<String>) {
        match value {
            Value::Object(map) if !map.is_empty() => {
                for (key, v) in map {
                    path.push(key.clone());
                    self.children
                        .entry(PathElement::Field(key.clone()))
                        .or_default()
                        .collect(v, schema, path);
                    path.pop();
                }
            }
            Value::Array(items) if !items.is_empty() => {
                match list_kind(schema.kind, schema.builtin, path) {
                    ListKind::Map(keys) => {
                        for item in items {
                            let child = self
                                .children
                                .entry(PathElement::Key(item_key(item, keys)))
                                .or_default();
                            child.member = true;
                            for (key, v) in item.as_object().into_iter().flatten() {
                                path.push(key.clone());
                                child
                                    .children
                                    .entry(PathElement::Field(key.clone()))
                                    .or_default()
                                    .collect(v, schema, path);
                                path.pop();
                            }
                        }
                    }
                    ListKind::Set => {
                        for item in items {
                            self.children
                                .entry(PathElement::Value(item.to_string()))
                                .or_default()
                                .member = true;
                        }
                    }
                    ListKind::Atomic => self.member = true,
                }
            }
            _ => self.member = true,
        }
    }

    /// Drops nodes that hold no member.
    fn prune(&mut self) -> bool {
        self.children.retain(|_, child| child.prune());
        self.member || !self.children.is_empty()
    }

    /// Every member path.
    pub fn paths(&self) -> Vec<FieldPath> {
        let mut out = Vec::new();
        self.walk(&mut Vec::new(), &mut out);
        out
    }

    fn walk(&self, prefix: &mut FieldPath, out: &mut Vec<FieldPath>) {
        if self.member {
            out.push(prefix.clone());
        }
        for (element, child) in &self.children {
            prefix.push(element.clone());
            child.walk(prefix, out);
            prefix.pop();
        }
    }

    /// Whether `path` is a member.
    pub fn contains(&self, path: &[PathElement]) -> bool {
        match path.split_first() {
            None => self.member,
            Some((first, rest)) => self.children.get(first).is_some_and(|c| c.contains(rest)),
        }
    }

    /// Adds `path`.
    pub fn insert(&mut self, path: &[PathElement]) {
        match path.split_first() {
            None => self.member = true,
            Some((first, rest)) => self.children.entry(first.clone()).or_default().insert(rest),
        }
    }

    /// Removes `path` (not what is below it).
    pub fn remove(&mut self, path: &[PathElement]) {
        match path.split_first() {
            None => self.member = false,
            Some((first, rest)) => {
                if let Some(child) = self.children.get_mut(first) {
                    child.remove(rest);
                }
            }
        }
        self.prune();
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        !self.member && self.children.is_empty()
    }

    /// The `FieldsV1` JSON of the set.
    pub fn to_json(&self) -> Value {
        let mut map = Map::new();
        if self.member && !self.children.is_empty() {
            map.insert(".".into(), json!({}));
        }
        for (element, child) in &self.children {
            let key = match element {
                PathElement::Field(f) => format!("f:{f}"),
                PathElement::Key(k) => format!("k:{k}"),
                PathElement::Value(v) => format!("v:{v}"),
            };
            map.insert(key, child.to_json());
        }
        Value::Object(map)
    }

    /// A set from its `FieldsV1` JSON.
    pub fn from_json(value: &Value) -> Self {
        let mut set = Self::default();
        let map = value.as_object().cloned().unwrap_or_default();
        if map.is_empty() {
            set.member = true;
        }
        for (key, child) in &map {
            let element = if key == "." {
                set.member = true;
                continue;
            } else if let Some(f) = key.strip_prefix("f:") {
                PathElement::Field(f.into())
            } else if let Some(k) = key.strip_prefix("k:") {
                PathElement::Key(k.into())
            } else if let Some(v) = key.strip_prefix("v:") {
                PathElement::Value(v.into())
            } else {
                continue;
            };
            set.children.insert(element, Self::from_json(child));
        }
        set
    }
}

/// The compact JSON key of a keyed list item (`protocol` defaults to `TCP`, as the API does).
pub fn item_key(item: &Value, keys: &[&str]) -> String {
    let mut sorted: Vec<&str> = keys.to_vec();
    sorted.sort_unstable();
    let mut map = Map::new();
    for key in sorted {
        match item.get(key) {
            Some(value) => {
                map.insert(key.into(), value.clone());
            }
            None if key == "protocol" => {
                map.insert(key.into(), json!("TCP"));
            }
            None => {}
        }
    }
    Value::Object(map).to_string()
}

/// The value at `path` in `object`.
pub fn value_at<'a>(
    object: &'a Value,
    path: &[PathElement],
    keys: &dyn Fn(&[String]) -> ListKind,
) -> Option<&'a Value> {
    let mut names = Vec::new();
    let mut current = object;
    for element in path {
        current = match element {
            PathElement::Field(f) => {
                names.push(f.clone());
                current.get(f)?
            }
            PathElement::Key(k) => {
                let ListKind::Map(fields) = keys(&names) else {
                    return None;
                };
                current
                    .as_array()?
                    .iter()
                    .find(|i| item_key(i, fields) == *k)?
            }
            PathElement::Value(v) => current.as_array()?.iter().find(|i| i.to_string() == *v)?,
        };
    }
    Some(current)
}

/// Removes the value at `path` from `object`, if it is there.
pub fn remove_at(object: &mut Value, path: &[PathElement], keys: &dyn Fn(&[String]) -> ListKind) {
    let Some((last, parent_path)) = path.split_last() else {
        return;
    };
    let mut names = Vec::new();
    let mut current = object;
    for element in parent_path {
        let next = match element {
            PathElement::Field(f) => {
                names.push(f.clone());
                current.get_mut(f.as_str())
            }
            PathElement::Key(k) => match (keys(&names), current.as_array_mut()) {
                (ListKind::Map(fields), Some(items)) => {
                    items.iter_mut().find(|i| item_key(i, fields) == *k)
                }
                _ => None,
            },
            PathElement::Value(v) => current
                .as_array_mut()
                .and_then(|items| items.iter_mut().find(|i| i.to_string() == *v)),
        };
        let Some(next) = next else { return };
        current = next;
    }
    match last {
        PathElement::Field(f) => {
            if let Some(map) = current.as_object_mut() {
                map.remove(f);
            }
        }
        PathElement::Key(k) => {
            if let (ListKind::Map(fields), Some(items)) = (keys(&names), current.as_array_mut()) {
                items.retain(|i| item_key(i, fields) != *k);
            }
        }
        PathElement::Value(v) => {
            if let Some(items) = current.as_array_mut() {
                items.retain(|i| i.to_string().as_str() != v.as_str());
            }
        }
    }
}

/// A path as the API server prints it in conflicts: `.spec.containers[name="app"].image`.
pub fn display(path: &[PathElement]) -> String {
    path.iter()
        .map(|element| match element {
            PathElement::Field(f) => format!(".{f}"),
            PathElement::Key(k) => {
                let fields: Map<String, Value> = serde_json::from_str(k).unwrap_or_default();
                let parts: Vec<String> = fields.iter().map(|(k, v)| format!("{k}={v}")).collect();
                format!("[{}]", parts.join(","))
            }
            PathElement::Value(v) => format!("[={v}]"),
        })
        .collect()
}

/// One entry of `metadata.managedFields`.
#[derive(Debug, Clone, PartialEq)]
pub struct ManagedEntry {
    /// The field manager (`helm`, `kubectl-edit`...).
    pub manager: String,
    /// `Apply` or `Update`.
    pub operation: String,
    /// The apiVersion the fields were written through.
    pub api_version: String,
    /// When the entry last changed.
    pub time: String,
    /// The fields it owns.
    pub fields: FieldSet,
}

impl ManagedEntry {
    /// The entries of `object`.
    pub fn read(object: &Value) -> Vec<Self> {
        object["metadata"]["managedFields"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|entry| Self {
                manager: entry["manager"].as_str().unwrap_or_default().into(),
                operation: entry["operation"].as_str().unwrap_or("Update").into(),
                api_version: entry["apiVersion"].as_str().unwrap_or_default().into(),
                time: entry["time"].as_str().unwrap_or_default().into(),
                fields: FieldSet::from_json(&entry["fieldsV1"]),
            })
            .collect()
    }

    /// Writes `entries` (the empty ones left out) as `object`'s `metadata.managedFields`.
    pub fn write(object: &mut Value, entries: &[Self]) {
        let list: Vec<Value> = entries
            .iter()
            .filter(|e| !e.fields.is_empty())
            .map(|e| {
                json!({
                    "manager": e.manager,
                    "operation": e.operation,
                    "apiVersion": e.api_version,
                    "time": e.time,
                    "fieldsType": "FieldsV1",
                    "fieldsV1": e.fields.to_json(),
                })
            })
            .collect();
        if let Some(metadata) = object["metadata"].as_object_mut() {
            if list.is_empty() {
                metadata.remove("managedFields");
            } else {
                metadata.insert("managedFields".into(), Value::Array(list));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEPLOYMENT: Schema<'static> = Schema {
        kind: "Deployment",
        builtin: true,
    };

    #[test]
    fn encodes_fields_v1_like_the_api_server() {
        let object = json!({
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "web", "labels": {"app": "web"}, "finalizers": ["x"]},
            "spec": {"template": {"spec": {"containers": [
                {"name": "web", "image": "web:1", "args": ["a"], "ports": [{"containerPort": 80}]}
            ]}}},
            "status": {"replicas": 1}
        });
        let set = FieldSet::of(&object, DEPLOYMENT);
        assert_eq!(
            set.to_json(),
            json!({
                "f:metadata": {"f:finalizers": {"v:\"x\"": {}}, "f:labels": {"f:app": {}}},
                "f:spec": {"f:template": {"f:spec": {"f:containers": {"k:{\"name\":\"web\"}": {
                    ".": {}, "f:args": {}, "f:image": {}, "f:name": {},
                    "f:ports": {"k:{\"containerPort\":80,\"protocol\":\"TCP\"}": {".": {}, "f:containerPort": {}}}
                }}}}}
            })
        );
        assert_eq!(FieldSet::from_json(&set.to_json()), set);
    }

    #[test]
    fn finds_and_removes_values_by_path() {
        let mut object = json!({"spec": {"template": {"spec": {"containers": [
            {"name": "a", "image": "a:1"}, {"name": "b", "image": "b:1"}
        ]}}}});
        let keys = |names: &[String]| list_kind("Deployment", true, names);
        let set = FieldSet::of(&object, DEPLOYMENT);
        let image_b = set
            .paths()
            .into_iter()
            .find(|p| display(p) == r#".spec.template.spec.containers[name="b"].image"#)
            .unwrap();
        assert_eq!(value_at(&object, &image_b, &keys), Some(&json!("b:1")));
        remove_at(&mut object, &image_b[..image_b.len() - 1], &keys);
        assert_eq!(
            object["spec"]["template"]["spec"]["containers"],
            json!([{"name": "a", "image": "a:1"}])
        );
    }
}
