//! Server-side apply (`application/apply-patch+yaml`, helm 4's default): the applied
//! configuration is merged into the object, fields the manager applied before and no longer
//! applies are removed (unless another manager owns them too), changing a field another manager
//! owns is a conflict unless `force`, and every write records who owns what in
//! `metadata.managedFields`.

use serde_json::Value;

use super::fields::{FieldPath, FieldSet, ManagedEntry, Schema, display, remove_at, value_at};
use super::keys::{ListKind, list_kind};

/// Who writes, and how.
#[derive(Debug, Clone)]
pub struct Writer<'a> {
    /// The field manager.
    pub manager: &'a str,
    /// Take over fields other managers own instead of failing (`force=true`).
    pub force: bool,
    /// Kind and list keys of the object.
    pub schema: Schema<'a>,
    /// The apiVersion the request used.
    pub api_version: &'a str,
    /// The time to record.
    pub now: &'a str,
}

impl Writer<'_> {
    fn keys(&self) -> impl Fn(&[String]) -> ListKind + '_ {
        move |names: &[String]| list_kind(self.schema.kind, self.schema.builtin, names)
    }

    fn entry<'e>(
        &self,
        entries: &'e mut Vec<ManagedEntry>,
        operation: &str,
    ) -> &'e mut ManagedEntry {
        let at = entries
            .iter()
            .position(|e| e.manager == self.manager && e.operation == operation)
            .unwrap_or_else(|| {
                entries.push(ManagedEntry {
                    manager: self.manager.into(),
                    operation: operation.into(),
                    api_version: self.api_version.into(),
                    time: self.now.into(),
                    fields: FieldSet::default(),
                });
                entries.len() - 1
            });
        let entry = &mut entries[at];
        entry.time = self.now.into();
        entry.api_version = self.api_version.into();
        entry
    }
}

/// Applies `applied` to `existing` (or creates it); `Err` lists the conflicts as
/// `(manager, field)`.
pub fn apply(
    existing: Option<&Value>,
    applied: &Value,
    writer: &Writer<'_>,
) -> Result<Value, Vec<(String, String)>> {
    let keys = writer.keys();
    let applied_set = FieldSet::of(applied, writer.schema);
    let mut object = existing
        .cloned()
        .unwrap_or_else(|| Value::Object(Default::default()));
    let mut entries = ManagedEntry::read(&object);
    let mut conflicts = Vec::new();
    for path in applied_set.paths() {
        let new = value_at(applied, &path, &keys);
        if is_item(&path) || value_at(&object, &path, &keys) == new {
            continue;
        }
        for entry in entries.iter_mut().filter(|e| e.manager != writer.manager) {
            if entry.fields.contains(&path) {
                if writer.force {
                    entry.fields.remove(&path);
                } else {
                    conflicts.push((entry.manager.clone(), display(&path)));
                }
            }
        }
    }
    if !conflicts.is_empty() {
        return Err(conflicts);
    }
    let previous = entries
        .iter()
        .find(|e| e.manager == writer.manager && e.operation == "Apply")
        .map(|e| e.fields.clone())
        .unwrap_or_default();
    let mut dropped: Vec<FieldPath> = previous
        .paths()
        .into_iter()
        .filter(|p| !applied_set.contains(p))
        .filter(|p| {
            !entries.iter().any(|e| {
                !(e.manager == writer.manager && e.operation == "Apply") && e.fields.contains(p)
            })
        })
        .collect();
    // Deepest first, so removing an item does not hide its fields' paths.
    dropped.sort_by_key(|p| std::cmp::Reverse(p.len()));
    for path in &dropped {
        remove_at(&mut object, path, &keys);
    }
    let mut names = Vec::new();
    merge_applied(&mut object, applied, &keys, &mut names);
    writer.entry(&mut entries, "Apply").fields = applied_set;
    ManagedEntry::write(&mut object, &entries);
    Ok(object)
}

/// Records a non-apply write (create, update, patch) by `writer` in `new`'s managed fields: it
/// owns what it changed, the others lose it, and removed fields are owned by nobody.
pub fn record_update(old: Option<&Value>, new: &mut Value, writer: &Writer<'_>) {
    let keys = writer.keys();
    let new_set = FieldSet::of(new, writer.schema);
    let old_set = old
        .map(|o| FieldSet::of(o, writer.schema))
        .unwrap_or_default();
    let mut entries = old.map(ManagedEntry::read).unwrap_or_default();
    let changed: Vec<FieldPath> = new_set
        .paths()
        .into_iter()
        .filter(|p| {
            old.is_none_or(|o| {
                value_at(o, p, &keys) != value_at(new, p, &keys) || !old_set.contains(p)
            })
        })
        .collect();
    let removed: Vec<FieldPath> = old_set
        .paths()
        .into_iter()
        .filter(|p| !new_set.contains(p))
        .collect();
    for entry in entries.iter_mut() {
        for path in changed.iter().chain(&removed) {
            entry.fields.remove(path);
        }
    }
    if !changed.is_empty() {
        let entry = writer.entry(&mut entries, "Update");
        for path in &changed {
            entry.fields.insert(path);
        }
    }
    ManagedEntry::write(new, &entries);
}

/// Whether the path ends at a list item's own membership (`.`), which carries no value to
/// conflict on.
fn is_item(path: &[super::fields::PathElement]) -> bool {
    matches!(
        path.last(),
        Some(super::fields::PathElement::Key(_) | super::fields::PathElement::Value(_))
    )
}

/// Merges the applied configuration into the object: maps recursively, keyed lists item by item,
/// sets as a union, everything else replaced.
fn merge_applied(
    target: &mut Value,
    applied: &Value,
    keys: &dyn Fn(&[String]) -> ListKind,
    names: &mut Vec<String>,
) {
    match (target, applied) {
        (Value::Object(target), Value::Object(applied)) => {
            for (key, value) in applied {
                if key == "managedFields" && names.last().map(String::as_str) == Some("metadata") {
                    continue;
                }
                names.push(key.clone());
                match target.get_mut(key) {
                    Some(existing)
                        if existing.is_object() == value.is_object()
                            && existing.is_array() == value.is_array()
                            && (value.is_object() || value.is_array()) =>
                    {
                        merge_applied(existing, value, keys, names);
                    }
                    _ => {
                        target.insert(key.clone(), value.clone());
                    }
                }
                names.pop();
            }
        }
        (Value::Array(target), Value::Array(applied)) => match keys(names) {
            ListKind::Map(fields) => {
                for item in applied {
                    let id = super::fields::item_key(item, fields);
                    match target
                        .iter_mut()
                        .find(|t| super::fields::item_key(t, fields) == id)
                    {
                        Some(existing) => merge_applied(existing, item, keys, names),
                        None => target.push(item.clone()),
                    }
                }
            }
            ListKind::Set => {
                for item in applied {
                    if !target.contains(item) {
                        target.push(item.clone());
                    }
                }
            }
            ListKind::Atomic => *target = applied.clone(),
        },
        (target, applied) => *target = applied.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn writer<'a>(manager: &'a str, force: bool) -> Writer<'a> {
        Writer {
            manager,
            force,
            schema: Schema {
                kind: "Deployment",
                builtin: true,
            },
            api_version: "apps/v1",
            now: "2026-01-01T00:00:00Z",
        }
    }

    fn deployment(labels: Value, image: &str) -> Value {
        json!({
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "web", "labels": labels},
            "spec": {"template": {"spec": {"containers": [{"name": "web", "image": image}]}}}
        })
    }

    fn managers(object: &Value) -> Vec<(String, String)> {
        ManagedEntry::read(object)
            .into_iter()
            .map(|e| (e.manager, e.operation))
            .collect()
    }

    #[test]
    fn creates_then_removes_fields_no_longer_applied() {
        let first = apply(
            None,
            &deployment(json!({"a": "1", "b": "2"}), "web:1"),
            &writer("helm", false),
        )
        .unwrap();
        assert_eq!(first["metadata"]["labels"], json!({"a": "1", "b": "2"}));
        let second = apply(
            Some(&first),
            &deployment(json!({"a": "1"}), "web:2"),
            &writer("helm", false),
        )
        .unwrap();
        assert_eq!(second["metadata"]["labels"], json!({"a": "1"}));
        assert_eq!(
            second["spec"]["template"]["spec"]["containers"][0]["image"],
            "web:2"
        );
        assert_eq!(
            managers(&second),
            [("helm".to_string(), "Apply".to_string())]
        );
    }

    #[test]
    fn another_managers_change_conflicts_unless_forced() {
        let applied = apply(
            None,
            &deployment(json!({"a": "1"}), "web:1"),
            &writer("helm", false),
        )
        .unwrap();
        let mut edited = applied.clone();
        edited["spec"]["template"]["spec"]["containers"][0]["image"] = json!("web:edited");
        edited["metadata"]["labels"]["extra"] = json!("x");
        record_update(Some(&applied), &mut edited, &writer("kubectl-edit", false));
        assert_eq!(
            managers(&edited),
            [
                ("helm".to_string(), "Apply".to_string()),
                ("kubectl-edit".to_string(), "Update".to_string())
            ]
        );
        let again = deployment(json!({"a": "1"}), "web:1");
        let conflicts = apply(Some(&edited), &again, &writer("helm", false)).unwrap_err();
        assert_eq!(
            conflicts,
            [(
                "kubectl-edit".to_string(),
                r#".spec.template.spec.containers[name="web"].image"#.to_string()
            )]
        );
        let forced = apply(Some(&edited), &again, &writer("helm", true)).unwrap();
        assert_eq!(
            forced["spec"]["template"]["spec"]["containers"][0]["image"],
            "web:1"
        );
        // The label kubectl added stays: helm never owned it.
        assert_eq!(
            forced["metadata"]["labels"],
            json!({"a": "1", "extra": "x"})
        );
    }

    #[test]
    fn same_value_is_shared_not_a_conflict() {
        let applied = apply(
            None,
            &deployment(json!({"a": "1"}), "web:1"),
            &writer("helm", false),
        )
        .unwrap();
        let other = apply(
            Some(&applied),
            &deployment(json!({"a": "1"}), "web:1"),
            &writer("kubectl", false),
        )
        .unwrap();
        assert_eq!(managers(&other).len(), 2);
        // helm stops applying the label; kubectl still owns it, so it stays.
        let without = apply(
            Some(&other),
            &deployment(json!({}), "web:1"),
            &writer("helm", false),
        )
        .unwrap();
        assert_eq!(without["metadata"]["labels"], json!({"a": "1"}));
    }
}
