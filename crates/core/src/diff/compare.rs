//! Semantic comparison of two objects: the changed fields as RFC 6901 paths, the projection of a
//! live object onto the fields a manifest sets, and the alignment that makes two objects' YAML
//! text differ only where their values do.
//!
//! - Map key order never counts.
//! - Numbers compare by value (`1` = `1.0`); resource quantities too (`1000m` = `1`, `1Gi` =
//!   `1024Mi`) under `resources.limits`/`requests`, a ResourceQuota's `hard`, a LimitRange's
//!   limits, `overhead`, `capacity` and `sizeLimit`.
//! - List order counts. Lists whose items all carry a distinct merge key (`name`, `mountPath`,
//!   `devicePath`, `containerPort`, `port`, `ip`) and keep their relative order are compared item
//!   by item, so a changed container is reported at its own path.
//! - A live object is first cut down to the fields the manifest sets ([`project`]): fields the
//!   server defaults, and items other controllers add to merge-keyed lists (sidecars), never
//!   count. A field the manifest sets to its zero value (`false`, `0`, `""`, `{}`, `[]`) that the
//!   API leaves out counts as equal.

use serde::Serialize;
use serde_json::Value as Json;

use super::ignore::escape_segment;
use super::quantity::same_quantity;

/// One changed field: where, and its value on each side (`null` where absent).
#[derive(Clone, PartialEq, Serialize)]
pub struct FieldChange {
    /// RFC 6901 JSON pointer (`""` is the whole object).
    pub path: String,
    /// The current value (`null` when the field is added).
    pub before: Json,
    /// The desired value (`null` when the field is removed).
    pub after: Json,
}

// May hold a Secret's values: only the path is shown.
impl std::fmt::Debug for FieldChange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FieldChange")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

const MERGE_KEYS: &[&str] = &[
    "name",
    "mountPath",
    "devicePath",
    "containerPort",
    "port",
    "ip",
];

const QUANTITY_PARENTS: &[&str] = &["overhead", "capacity", "hard"];
const LIMIT_RANGE_FIELDS: &[&str] = &[
    "max",
    "min",
    "default",
    "defaultRequest",
    "maxLimitRequestRatio",
];

/// The fields that differ from `before` to `after`, in `after`'s order, then removed fields.
pub fn changes(before: &Json, after: &Json) -> Vec<FieldChange> {
    let mut out = Vec::new();
    walk(before, after, &mut Vec::new(), &mut out);
    out
}

fn pointer(path: &[String]) -> String {
    path.iter()
        .map(|s| format!("/{}", escape_segment(s)))
        .collect()
}

fn push(out: &mut Vec<FieldChange>, path: &[String], before: &Json, after: &Json) {
    out.push(FieldChange {
        path: pointer(path),
        before: before.clone(),
        after: after.clone(),
    });
}

fn walk(before: &Json, after: &Json, path: &mut Vec<String>, out: &mut Vec<FieldChange>) {
    match (before, after) {
        (Json::Object(b), Json::Object(a)) => {
            for (key, a_value) in a {
                path.push(key.clone());
                match b.get(key) {
                    Some(b_value) => walk(b_value, a_value, path, out),
                    None => push(out, path, &Json::Null, a_value),
                }
                path.pop();
            }
            for (key, b_value) in b.iter().filter(|(k, _)| !a.contains_key(*k)) {
                path.push(key.clone());
                push(out, path, b_value, &Json::Null);
                path.pop();
            }
        }
        (Json::Array(b), Json::Array(a)) => {
            if let Some(matches) = keyed_matches(b, a) {
                for (i, matched) in matches.iter().enumerate() {
                    path.push(i.to_string());
                    match matched {
                        Some(j) => walk(&b[*j], &a[i], path, out),
                        None => push(out, path, &Json::Null, &a[i]),
                    }
                    path.pop();
                }
                for (j, b_item) in b.iter().enumerate() {
                    if !matches.contains(&Some(j)) {
                        path.push(j.to_string());
                        push(out, path, b_item, &Json::Null);
                        path.pop();
                    }
                }
            } else if b.len() == a.len() {
                for (i, (b_item, a_item)) in b.iter().zip(a).enumerate() {
                    path.push(i.to_string());
                    walk(b_item, a_item, path, out);
                    path.pop();
                }
            } else {
                push(out, path, before, after);
            }
        }
        _ => {
            if !same_leaf(before, after, path) {
                push(out, path, before, after);
            }
        }
    }
}

/// Whether two values that are not both maps or both lists are equal: numbers by value,
/// quantities by value where the path holds a quantity.
fn same_leaf(before: &Json, after: &Json, path: &[String]) -> bool {
    if before == after {
        return true;
    }
    if let (Json::Number(b), Json::Number(a)) = (before, after)
        && b.as_f64().is_some()
        && b.as_f64() == a.as_f64()
    {
        return true;
    }
    is_quantity_path(path) && same_quantity(before, after)
}

/// Whether `path` is where Kubernetes keeps a resource quantity.
fn is_quantity_path(path: &[String]) -> bool {
    let at = |back: usize| {
        path.len()
            .checked_sub(back)
            .and_then(|i| path.get(i))
            .map(String::as_str)
    };
    let parent = at(2);
    let grandparent = at(3);
    at(1) == Some("sizeLimit")
        || (matches!(parent, Some("limits" | "requests")) && grandparent == Some("resources"))
        || parent.is_some_and(|p| QUANTITY_PARENTS.contains(&p))
        || (parent.is_some_and(|p| LIMIT_RANGE_FIELDS.contains(&p)) && at(4) == Some("limits"))
}

/// For each item of `after`, the index of the item of `before` with the same merge key, when
/// both lists are keyed by one merge key and the matched items keep their relative order.
fn keyed_matches(before: &[Json], after: &[Json]) -> Option<Vec<Option<usize>>> {
    let key = merge_key(before, after)?;
    let index: std::collections::HashMap<&Json, usize> = before
        .iter()
        .enumerate()
        .filter_map(|(j, item)| Some((item.get(key)?, j)))
        .collect();
    let matches: Vec<Option<usize>> = after
        .iter()
        .map(|item| item.get(key).and_then(|k| index.get(k).copied()))
        .collect();
    let mut last = None;
    for j in matches.iter().flatten() {
        if last.is_some_and(|l| l > *j) {
            return None;
        }
        last = Some(*j);
    }
    Some(matches)
}

/// The first merge key that every item of both lists has, distinct within each list.
fn merge_key(before: &[Json], after: &[Json]) -> Option<&'static str> {
    if before.is_empty() && after.is_empty() {
        return None;
    }
    MERGE_KEYS.iter().copied().find(|key| {
        [before, after].iter().all(|items| {
            let mut seen = std::collections::HashSet::new();
            items.iter().all(|item| {
                item.get(*key)
                    .is_some_and(|k| (k.is_string() || k.is_number()) && seen.insert(k))
            })
        })
    })
}

/// Whether a value is the zero value the API leaves out of an object (`false`, `0`, `""`, `{}`,
/// `[]`, `null`).
fn is_zero(value: &Json) -> bool {
    match value {
        Json::Null => true,
        Json::Bool(b) => !b,
        Json::Number(n) => n.as_f64() == Some(0.0),
        Json::String(s) => s.is_empty(),
        Json::Array(items) => items.is_empty(),
        Json::Object(map) => map.is_empty(),
    }
}

/// `live` cut down to the fields `desired` sets (see the module documentation).
pub fn project(live: &Json, desired: &Json) -> Json {
    match (live, desired) {
        (Json::Object(l), Json::Object(d)) => {
            let mut out = serde_json::Map::with_capacity(d.len());
            for (key, d_value) in d {
                match l.get(key) {
                    Some(l_value) => {
                        out.insert(key.clone(), project(l_value, d_value));
                    }
                    None if is_zero(d_value) => {
                        out.insert(key.clone(), d_value.clone());
                    }
                    None => {}
                }
            }
            Json::Object(out)
        }
        (Json::Array(l), Json::Array(d)) => match merge_key(l, d) {
            Some(key) => Json::Array(
                d.iter()
                    .filter_map(|d_item| {
                        let l_item = l.iter().find(|l_item| l_item.get(key) == d_item.get(key))?;
                        Some(project(l_item, d_item))
                    })
                    .collect(),
            ),
            None => Json::Array(
                l.iter()
                    .enumerate()
                    .map(|(i, l_item)| match d.get(i) {
                        Some(d_item) => project(l_item, d_item),
                        None => l_item.clone(),
                    })
                    .collect(),
            ),
        },
        _ => live.clone(),
    }
}

/// Rewrites `current` so that its YAML text differs from `desired`'s only where the values do:
/// map keys in `desired`'s order (keys only `current` has after them), and values equal by
/// value (numbers, quantities) written as `desired` writes them.
pub fn align(current: &mut Json, desired: &Json) {
    align_at(current, desired, &mut Vec::new());
}

fn align_at(current: &mut Json, desired: &Json, path: &mut Vec<String>) {
    match (current, desired) {
        (Json::Object(c), Json::Object(d)) => {
            let mut old = std::mem::take(c);
            for (key, d_value) in d {
                if let Some(mut c_value) = old.shift_remove(key) {
                    path.push(key.clone());
                    align_at(&mut c_value, d_value, path);
                    path.pop();
                    c.insert(key.clone(), c_value);
                }
            }
            c.extend(old);
        }
        (Json::Array(c), Json::Array(d)) => match keyed_matches(c, d) {
            Some(matches) => {
                for (i, matched) in matches.iter().enumerate() {
                    if let Some(j) = matched {
                        path.push(j.to_string());
                        align_at(&mut c[*j], &d[i], path);
                        path.pop();
                    }
                }
            }
            None => {
                for (i, (c_item, d_item)) in c.iter_mut().zip(d).enumerate() {
                    path.push(i.to_string());
                    align_at(c_item, d_item, path);
                    path.pop();
                }
            }
        },
        (current, desired) => {
            if current != desired && same_leaf(current, desired, path) {
                *current = desired.clone();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn paths(before: Json, after: Json) -> Vec<(String, Json, Json)> {
        changes(&before, &after)
            .into_iter()
            .map(|c| (c.path, c.before, c.after))
            .collect()
    }

    #[test]
    fn key_order_never_counts_and_numbers_compare_by_value() {
        assert!(
            paths(
                json!({"a": 1, "b": {"c": 2.0, "d": "x"}}),
                json!({"b": {"d": "x", "c": 2}, "a": 1})
            )
            .is_empty()
        );
    }

    #[test]
    fn changed_added_and_removed_fields_have_rfc_6901_paths() {
        assert_eq!(
            paths(
                json!({"metadata": {"annotations": {"a/b": "1", "gone": "x"}}, "spec": {"replicas": 1}}),
                json!({"metadata": {"annotations": {"a/b": "2"}}, "spec": {"replicas": 1, "paused": true}})
            ),
            [
                ("/metadata/annotations/a~1b".into(), json!("1"), json!("2")),
                ("/metadata/annotations/gone".into(), json!("x"), Json::Null),
                ("/spec/paused".into(), Json::Null, json!(true)),
            ]
        );
    }

    #[test]
    fn lists_by_merge_key_by_index_or_whole() {
        let containers = |image: &str, extra: bool| {
            let mut list = vec![json!({"name": "app", "image": image})];
            if extra {
                list.insert(0, json!({"name": "init", "image": "busybox"}));
            }
            json!({"containers": list})
        };
        assert_eq!(
            paths(containers("a:1", false), containers("a:2", true)),
            [
                (
                    "/containers/0".into(),
                    Json::Null,
                    json!({"name": "init", "image": "busybox"})
                ),
                ("/containers/1/image".into(), json!("a:1"), json!("a:2")),
            ]
        );
        assert_eq!(
            paths(json!({"args": ["a", "b"]}), json!({"args": ["a", "c"]})),
            [("/args/1".into(), json!("b"), json!("c"))]
        );
        assert_eq!(
            paths(json!({"args": ["a"]}), json!({"args": ["a", "c"]})),
            [("/args".into(), json!(["a"]), json!(["a", "c"]))]
        );
        // A reordered keyed list is a change of the list: the order is part of the object.
        assert_eq!(
            paths(
                json!({"env": [{"name": "A"}, {"name": "B"}]}),
                json!({"env": [{"name": "B"}, {"name": "A"}]})
            ),
            [
                ("/env/0/name".into(), json!("A"), json!("B")),
                ("/env/1/name".into(), json!("B"), json!("A")),
            ]
        );
    }

    #[test]
    fn quantities_compare_by_value_where_kubernetes_keeps_them() {
        let pod = |cpu: Json, memory: &str, label: &str| json!({"metadata": {"labels": {"size": label}}, "spec": {"containers": [{"name": "a", "resources": {"limits": {"cpu": cpu, "memory": memory}}}]}});
        assert!(
            paths(
                pod(json!("1000m"), "1Gi", "1"),
                pod(json!(1), "1024Mi", "1")
            )
            .is_empty()
        );
        assert_eq!(
            paths(
                pod(json!("500m"), "1Gi", "1000m"),
                pod(json!("0.5"), "1G", "1")
            ),
            [
                ("/metadata/labels/size".into(), json!("1000m"), json!("1")),
                (
                    "/spec/containers/0/resources/limits/memory".into(),
                    json!("1Gi"),
                    json!("1G")
                ),
            ]
        );
        assert!(
            paths(
                json!({"spec": {"hard": {"pods": "10"}}}),
                json!({"spec": {"hard": {"pods": 10}}})
            )
            .is_empty()
        );
        assert!(
            paths(
                json!({"spec": {"limits": [{"max": {"cpu": "2"}}]}}),
                json!({"spec": {"limits": [{"max": {"cpu": "2000m"}}]}})
            )
            .is_empty()
        );
        assert!(
            paths(
                json!({"emptyDir": {"sizeLimit": "1Gi"}}),
                json!({"emptyDir": {"sizeLimit": "1024Mi"}})
            )
            .is_empty()
        );
    }

    #[test]
    fn projection_keeps_only_what_the_manifest_sets() {
        let live = json!({
            "spec": {
                "replicas": 3,
                "progressDeadlineSeconds": 600,
                "template": {"spec": {
                    "containers": [
                        {"name": "istio-proxy", "image": "proxy"},
                        {"name": "app", "image": "app:2", "imagePullPolicy": "IfNotPresent"}
                    ],
                    "args": ["a", "b", "c"]
                }}
            }
        });
        let desired = json!({
            "spec": {
                "replicas": 3,
                "paused": false,
                "template": {"spec": {
                    "containers": [{"name": "app", "image": "app:1"}],
                    "args": ["a", "b"],
                    "hostNetwork": true
                }}
            }
        });
        let projected = project(&live, &desired);
        assert_eq!(
            projected,
            json!({
                "spec": {
                    "replicas": 3,
                    "paused": false,
                    "template": {"spec": {"containers": [{"name": "app", "image": "app:2"}], "args": ["a", "b", "c"]}}
                }
            })
        );
        assert_eq!(
            changes(&projected, &desired)
                .into_iter()
                .map(|c| c.path)
                .collect::<Vec<_>>(),
            [
                "/spec/template/spec/containers/0/image",
                "/spec/template/spec/args",
                "/spec/template/spec/hostNetwork"
            ]
        );
    }

    #[test]
    fn alignment_orders_keys_and_writes_equal_values_as_desired() {
        let mut current = json!({"b": {"cpu": "1000m"}, "extra": 1, "a": 1.0, "resources": {"limits": {"cpu": "1000m"}}});
        let desired = json!({"a": 1, "resources": {"limits": {"cpu": 1}}, "b": {"cpu": "1"}});
        align(&mut current, &desired);
        assert_eq!(
            serde_json::to_string(&current).unwrap_or_default(),
            r#"{"a":1,"resources":{"limits":{"cpu":1}},"b":{"cpu":"1000m"},"extra":1}"#
        );
    }
}
