//! Strategic merge patch (`application/strategic-merge-patch+json`), as helm 3 and kubectl send
//! it for built-in kinds: maps merge, `null` deletes, lists with a merge key merge item by item,
//! and the directives `$patch` (`merge`, `replace`, `delete`), `$setElementOrder/<list>`,
//! `$deleteFromPrimitiveList/<list>` and `$retainKeys`.

use serde_json::{Map, Value};

use super::keys::{ListKind, list_kind};

/// `original` with `patch` applied; `kind` chooses the list merge keys.
pub fn merge(original: &Value, patch: &Value, kind: &str) -> Result<Value, String> {
    let Value::Object(patch) = patch else {
        return Err("a strategic merge patch must be a JSON object".into());
    };
    let mut path = Vec::new();
    let merged = merge_map(original.as_object(), patch, kind, &mut path)?;
    Ok(Value::Object(merged.unwrap_or_default()))
}

/// Merges one map; `None` when the patch deletes it.
fn merge_map(
    original: Option<&Map<String, Value>>,
    patch: &Map<String, Value>,
    kind: &str,
    path: &mut Vec<String>,
) -> Result<Option<Map<String, Value>>, String> {
    match patch.get("$patch").map(|v| v.as_str()) {
        None | Some(Some("merge")) => {}
        Some(Some("delete")) => return Ok(None),
        Some(Some("replace")) => {
            return Ok(clean(&Value::Object(patch.clone())).as_object().cloned());
        }
        Some(other) => return Err(format!("unknown patch type: {other:?}")),
    }
    let mut result = original.cloned().unwrap_or_default();
    for (key, value) in patch.iter().filter(|(k, _)| !k.starts_with('$')) {
        path.push(key.clone());
        match merge_value(result.get(key), value, kind, path)? {
            Some(merged) => {
                result.insert(key.clone(), merged);
            }
            None => {
                result.remove(key);
            }
        }
        path.pop();
    }
    for (key, value) in patch {
        if let Some(field) = key.strip_prefix("$deleteFromPrimitiveList/") {
            let remove = value.as_array().cloned().unwrap_or_default();
            if let Some(Value::Array(items)) = result.get_mut(field) {
                items.retain(|item| !remove.contains(item));
            }
        }
    }
    for (key, order) in patch {
        if let Some(field) = key.strip_prefix("$setElementOrder/") {
            path.push(field.to_string());
            let identity = list_kind(kind, true, path);
            path.pop();
            let before = original
                .and_then(|o| o.get(field))
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            if let (Some(Value::Array(items)), Some(order)) =
                (result.get_mut(field), order.as_array())
            {
                *items = reorder(items, order, &before, identity);
            }
        }
    }
    if let Some(retain) = patch.get("$retainKeys").and_then(Value::as_array) {
        result.retain(|key, _| retain.iter().any(|r| r.as_str() == Some(key)));
    }
    Ok(Some(result))
}

/// Merges one field's value; `None` deletes the field.
fn merge_value(
    original: Option<&Value>,
    patch: &Value,
    kind: &str,
    path: &mut Vec<String>,
) -> Result<Option<Value>, String> {
    match patch {
        Value::Null => Ok(None),
        Value::Object(map) => {
            Ok(merge_map(original.and_then(Value::as_object), map, kind, path)?.map(Value::Object))
        }
        Value::Array(items) => {
            let before = original.and_then(Value::as_array);
            let replace = items
                .iter()
                .any(|i| i.get("$patch").and_then(Value::as_str) == Some("replace"));
            let merged = match list_kind(kind, true, path) {
                _ if replace || before.is_none() => items
                    .iter()
                    .filter(|i| i.get("$patch").is_none())
                    .map(clean)
                    .collect(),
                ListKind::Atomic => items.iter().map(clean).collect(),
                ListKind::Set => {
                    let mut merged = before.cloned().unwrap_or_default();
                    for item in items {
                        if !merged.contains(item) {
                            merged.push(item.clone());
                        }
                    }
                    merged
                }
                ListKind::Map(keys) => merge_list(
                    before.map_or(&[], Vec::as_slice),
                    items,
                    keys[0],
                    kind,
                    path,
                )?,
            };
            Ok(Some(Value::Array(merged)))
        }
        scalar => Ok(Some(scalar.clone())),
    }
}

/// Merges a list whose items are identified by `key`.
fn merge_list(
    original: &[Value],
    patch: &[Value],
    key: &str,
    kind: &str,
    path: &mut Vec<String>,
) -> Result<Vec<Value>, String> {
    let mut result = original.to_vec();
    for item in patch {
        let Some(map) = item.as_object() else {
            if !result.contains(item) {
                result.push(item.clone());
            }
            continue;
        };
        let id = map
            .get(key)
            .ok_or_else(|| format!("map: {item} does not contain declared merge key: {key}"))?;
        let at = result.iter().position(|r| r.get(key) == Some(id));
        if map.get("$patch").and_then(Value::as_str) == Some("delete") {
            result.retain(|r| r.get(key) != Some(id));
            continue;
        }
        let merged = merge_map(at.and_then(|i| result[i].as_object()), map, kind, path)?;
        match (at, merged) {
            (Some(i), Some(m)) => result[i] = Value::Object(m),
            (Some(i), None) => {
                result.remove(i);
            }
            (None, Some(m)) => result.push(Value::Object(m)),
            (None, None) => {}
        }
    }
    Ok(result)
}

/// Orders `items` as `$setElementOrder` says; items the patch did not mention keep their place
/// relative to the others as it was in `before` (what the server had).
fn reorder(items: &[Value], order: &[Value], before: &[Value], list: ListKind) -> Vec<Value> {
    let identity = |v: &Value| -> Value {
        match list {
            ListKind::Map(keys) => v.get(keys[0]).cloned().unwrap_or(Value::Null),
            _ => v.clone(),
        }
    };
    let ordered: Vec<&Value> = order
        .iter()
        .filter_map(|o| items.iter().find(|i| identity(i) == identity(o)))
        .collect();
    let server_only: Vec<&Value> = items
        .iter()
        .filter(|i| !order.iter().any(|o| identity(o) == identity(i)))
        .collect();
    let position = |v: &Value| before.iter().position(|b| identity(b) == identity(v));
    let mut result = Vec::with_capacity(items.len());
    let (mut left, mut right) = (
        server_only.into_iter().peekable(),
        ordered.into_iter().peekable(),
    );
    loop {
        let take_left = match (left.peek(), right.peek()) {
            (Some(l), Some(r)) => matches!((position(l), position(r)), (Some(a), Some(b)) if a < b),
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (None, None) => break,
        };
        let next = if take_left { left.next() } else { right.next() };
        result.extend(next.cloned());
    }
    result
}

/// A patch value without directives, as stored when nothing is merged into it.
fn clean(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(k, _)| !k.starts_with('$'))
                .map(|(k, v)| (k.clone(), clean(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(
            items
                .iter()
                .filter(|i| i.get("$patch").is_none())
                .map(clean)
                .collect(),
        ),
        scalar => scalar.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn deployment(containers: Value) -> Value {
        json!({"kind": "Deployment", "spec": {"replicas": 1, "template": {"spec": {"containers": containers}}}})
    }

    #[test]
    fn merges_containers_by_name_and_deletes_nulls() {
        let original = deployment(json!([
            {"name": "app", "image": "app:1", "args": ["a"]},
            {"name": "sidecar", "image": "proxy:1"}
        ]));
        let patch = json!({"spec": {"replicas": null, "template": {"spec": {"containers": [
            {"name": "app", "image": "app:2", "args": ["b"]}
        ]}}}});
        let merged = merge(&original, &patch, "Deployment").unwrap();
        let expected = json!({"kind": "Deployment", "spec": {"template": {"spec": {"containers": [
            {"name": "app", "image": "app:2", "args": ["b"]},
            {"name": "sidecar", "image": "proxy:1"}
        ]}}}});
        assert_eq!(merged, expected);
    }

    #[test]
    fn set_element_order_orders_items_and_patch_delete_removes_them() {
        let original = deployment(json!([
            {"name": "a", "image": "a"}, {"name": "b", "image": "b"}, {"name": "c", "image": "c"}
        ]));
        let patch = json!({"spec": {"template": {"spec": {
            "$setElementOrder/containers": [{"name": "c"}, {"name": "a"}, {"name": "d"}],
            "containers": [{"name": "b", "$patch": "delete"}, {"name": "d", "image": "d"}]
        }}}});
        let merged = merge(&original, &patch, "Deployment").unwrap();
        let names: Vec<&str> = merged["spec"]["template"]["spec"]["containers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["c", "a", "d"]);
    }

    #[test]
    fn server_only_items_keep_their_place() {
        let original =
            json!({"spec": {"template": {"spec": {"containers": [{"name": "x"}], "volumes": []}}}});
        let original = {
            let mut o = original;
            o["spec"]["template"]["spec"]["containers"] =
                json!([{"name": "a"}, {"name": "server"}, {"name": "b"}]);
            o
        };
        let patch = json!({"spec": {"template": {"spec": {
            "$setElementOrder/containers": [{"name": "b"}, {"name": "a"}],
            "containers": [{"name": "a", "image": "new"}]
        }}}});
        let merged = merge(&original, &patch, "Deployment").unwrap();
        assert_eq!(
            merged["spec"]["template"]["spec"]["containers"],
            json!([{"name": "server"}, {"name": "b"}, {"name": "a", "image": "new"}])
        );
    }

    #[test]
    fn replace_retain_keys_and_primitive_list_directives() {
        let original = json!({
            "metadata": {"finalizers": ["a", "b"], "labels": {"x": "1", "y": "2"}},
            "spec": {"strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1}}}
        });
        let patch = json!({
            "metadata": {"finalizers": ["c"], "$deleteFromPrimitiveList/finalizers": ["a"],
                         "labels": {"$patch": "replace", "z": "3"}},
            "spec": {"strategy": {"$retainKeys": ["type"], "type": "Recreate"}}
        });
        let merged = merge(&original, &patch, "Deployment").unwrap();
        assert_eq!(
            merged,
            json!({
                "metadata": {"finalizers": ["b", "c"], "labels": {"z": "3"}},
                "spec": {"strategy": {"type": "Recreate"}}
            })
        );
    }

    #[test]
    fn lists_without_merge_keys_are_replaced() {
        let original = json!({"spec": {"rules": [{"host": "a"}], "ports": [{"port": 80}]}});
        let patch =
            json!({"spec": {"rules": [{"host": "b"}], "ports": [{"port": 443, "name": "https"}]}});
        let ingress = merge(&original, &patch, "Ingress").unwrap();
        assert_eq!(ingress["spec"]["rules"], json!([{"host": "b"}]));
        let service = merge(&original, &patch, "Service").unwrap();
        assert_eq!(
            service["spec"]["ports"],
            json!([{"port": 80}, {"port": 443, "name": "https"}])
        );
    }

    #[test]
    fn a_merge_key_is_required() {
        let patch = json!({"spec": {"template": {"spec": {"containers": [{"image": "x"}]}}}});
        let error = merge(&deployment(json!([{"name": "a"}])), &patch, "Deployment").unwrap_err();
        assert_eq!(
            error,
            r#"map: {"image":"x"} does not contain declared merge key: name"#
        );
    }
}
