//! What kustomize does to a chart's rendered manifests when Helmfile's chartify hands it
//! `strategicMergePatches`: each patch is merged into the resource with its kind, name and
//! namespace (Kubernetes' strategic merge: maps merge, `null` removes a key, lists of known
//! built-in fields merge by their key, other lists are replaced, `$patch: delete|replace`),
//! patched resources come out with their keys sorted (kustomize writes them through JSON), and
//! the resources are ordered as kustomize's legacy order sorts them.

use serde_yaml::{Mapping, Value};

/// One resource of a rendered chart: its text as helm printed it, or its patched value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Resource {
    /// Untouched: helm's text, without its `# Source:` comment.
    Text(String, Value),
    /// Patched: the merged object.
    Patched(Value),
}

impl Resource {
    fn value(&self) -> &Value {
        match self {
            Self::Text(_, value) | Self::Patched(value) => value,
        }
    }

    /// The resource as kustomize writes it.
    pub(crate) fn to_yaml(&self) -> String {
        match self {
            Self::Text(text, _) => text.clone(),
            Self::Patched(value) => {
                serde_yaml::to_string(&sorted(value.clone())).unwrap_or_default()
            }
        }
    }

    /// Whether it is a `CustomResourceDefinition` (chartify keeps those apart).
    pub(crate) fn is_crd(&self) -> bool {
        field(self.value(), "kind") == Some("CustomResourceDefinition")
    }
}

/// Splits helm's rendered output into resources (empty documents dropped).
pub(crate) fn resources(rendered: &str) -> Result<Vec<Resource>, String> {
    let mut out = Vec::new();
    for document in split_documents(rendered) {
        let text: String = document
            .lines()
            .filter(|line| !line.starts_with("# Source: "))
            .map(|line| format!("{line}\n"))
            .collect();
        let value: Value = serde_yaml::from_str(&text).map_err(|e| e.to_string())?;
        if !value.is_null() {
            out.push(Resource::Text(
                text.trim_start_matches('\n').to_string(),
                value,
            ));
        }
    }
    Ok(out)
}

/// The documents of a YAML stream, split on `---` lines.
fn split_documents(text: &str) -> Vec<String> {
    let mut documents = vec![String::new()];
    for line in text.lines() {
        if line == "---" || line.starts_with("--- ") {
            documents.push(String::new());
        } else if let Some(current) = documents.last_mut() {
            current.push_str(line);
            current.push('\n');
        }
    }
    documents
        .into_iter()
        .filter(|d| !d.trim().is_empty())
        .collect()
}

/// Applies `patch` to the resource it targets (same kind and name; same namespace when the patch
/// names one). Returns `false` when no resource matches.
pub(crate) fn apply(resources: &mut [Resource], patch: &Value) -> bool {
    let (kind, name) = (field(patch, "kind"), metadata(patch, "name"));
    let namespace = metadata(patch, "namespace");
    let mut matched = false;
    for resource in resources.iter_mut() {
        let value = resource.value();
        let same = field(value, "kind") == kind
            && metadata(value, "name") == name
            && namespace.is_none_or(|ns| metadata(value, "namespace").unwrap_or("default") == ns);
        if !same {
            continue;
        }
        let mut merged = value.clone();
        let builtin = is_builtin(field(value, "apiVersion").unwrap_or_default());
        merge(&mut merged, patch, builtin, None);
        *resource = Resource::Patched(merged);
        matched = true;
    }
    matched
}

/// Sorts `resources` in kustomize's legacy order: by kind (namespaces and cluster plumbing
/// first, webhooks last), then by the rest of their id.
pub(crate) fn sort_legacy(resources: &mut [Resource]) {
    const FIRST: [&str; 22] = [
        "Namespace",
        "ResourceQuota",
        "StorageClass",
        "CustomResourceDefinition",
        "ServiceAccount",
        "PodSecurityPolicy",
        "Role",
        "ClusterRole",
        "RoleBinding",
        "ClusterRoleBinding",
        "ConfigMap",
        "Secret",
        "Endpoints",
        "Service",
        "LimitRange",
        "PriorityClass",
        "PersistentVolume",
        "PersistentVolumeClaim",
        "Deployment",
        "StatefulSet",
        "CronJob",
        "PodDisruptionBudget",
    ];
    const LAST: [&str; 2] = [
        "MutatingWebhookConfiguration",
        "ValidatingWebhookConfiguration",
    ];
    let key = |resource: &Resource| {
        let value = resource.value();
        let kind = field(value, "kind").unwrap_or_default();
        let rank = match (
            FIRST.iter().position(|k| *k == kind),
            LAST.iter().position(|k| *k == kind),
        ) {
            (Some(i), _) => i,
            (None, Some(i)) => FIRST.len() + 1 + i,
            (None, None) => FIRST.len(),
        };
        (
            rank,
            kind.to_string(),
            field(value, "apiVersion").unwrap_or_default().to_string(),
            metadata(value, "namespace").unwrap_or_default().to_string(),
            metadata(value, "name").unwrap_or_default().to_string(),
        )
    };
    resources.sort_by_key(key);
}

fn field<'v>(value: &'v Value, name: &str) -> Option<&'v str> {
    value.get(name).and_then(Value::as_str)
}

fn metadata<'v>(value: &'v Value, name: &str) -> Option<&'v str> {
    value
        .get("metadata")
        .and_then(|m| m.get(name))
        .and_then(Value::as_str)
}

/// Whether an `apiVersion` is one of Kubernetes' own groups, whose lists merge by key.
fn is_builtin(api_version: &str) -> bool {
    match api_version.split_once('/') {
        None => true,
        Some((group, _)) => !group.contains('.') || group.ends_with(".k8s.io"),
    }
}

/// The key the items of a built-in list field merge by, as Kubernetes' types declare it
/// (`patchMergeKey`); `parent` is the list the object holding the field is in.
fn merge_key(field: &str, parent: Option<&str>) -> Option<&'static str> {
    Some(match field {
        "containers"
        | "initContainers"
        | "ephemeralContainers"
        | "env"
        | "volumes"
        | "imagePullSecrets"
        | "resourceClaims" => "name",
        "volumeMounts" => "mountPath",
        "volumeDevices" => "devicePath",
        "hostAliases" => "ip",
        "topologySpreadConstraints" => "topologyKey",
        "ports"
            if matches!(
                parent,
                Some("containers" | "initContainers" | "ephemeralContainers")
            ) =>
        {
            "containerPort"
        }
        "ports" => "port",
        _ => return None,
    })
}

/// Merges `patch` into `target` with strategic-merge rules (`builtin`: lists of known fields
/// merge by key); `list` is the list field `target` is an item of, if any.
fn merge(target: &mut Value, patch: &Value, builtin: bool, list: Option<&str>) {
    let (Value::Mapping(target_map), Value::Mapping(patch_map)) = (&mut *target, patch) else {
        *target = patch.clone();
        return;
    };
    match patch_map.get("$patch").and_then(Value::as_str) {
        Some("replace") => {
            let mut replaced = patch_map.clone();
            replaced.remove("$patch");
            *target = Value::Mapping(replaced);
            return;
        }
        Some("delete") => {
            *target = Value::Null;
            return;
        }
        _ => {}
    }
    for (key, patch_value) in patch_map {
        if key.as_str() == Some("$patch") {
            continue;
        }
        if patch_value.is_null() {
            target_map.remove(key);
            continue;
        }
        let name = key.as_str().unwrap_or_default();
        match (target_map.get_mut(key), patch_value) {
            (Some(Value::Sequence(items)), Value::Sequence(patch_items)) => {
                match merge_key(name, list).filter(|_| builtin) {
                    Some(by) => merge_list(items, patch_items, by, name),
                    None => *items = patch_items.clone(),
                }
            }
            (Some(existing), _) if existing.is_mapping() && patch_value.is_mapping() => {
                merge(existing, patch_value, builtin, list);
            }
            _ => {
                target_map.insert(key.clone(), clean(patch_value));
            }
        }
    }
}

/// Merges list items by the key field `by`: patched items merge into the item with the same key
/// (or are deleted with `$patch: delete`), new items are appended.
fn merge_list(items: &mut Vec<Value>, patch_items: &[Value], by: &str, field: &str) {
    for patch_item in patch_items {
        let key = patch_item.get(by);
        let position = key.and_then(|key| items.iter().position(|item| item.get(by) == Some(key)));
        let delete = patch_item.get("$patch").and_then(Value::as_str) == Some("delete");
        match (position, delete) {
            (Some(i), true) => {
                items.remove(i);
            }
            (Some(i), false) => merge(&mut items[i], patch_item, true, Some(field)),
            (None, true) => {}
            (None, false) => items.push(clean(patch_item)),
        }
    }
}

/// A patch value as it lands in the resource: `null` fields and directives dropped.
fn clean(value: &Value) -> Value {
    match value {
        Value::Mapping(map) => Value::Mapping(
            map.iter()
                .filter(|(k, v)| !v.is_null() && k.as_str() != Some("$patch"))
                .map(|(k, v)| (k.clone(), clean(v)))
                .collect::<Mapping>(),
        ),
        Value::Sequence(items) => Value::Sequence(items.iter().map(clean).collect()),
        other => other.clone(),
    }
}

/// `value` with every mapping's keys sorted, as a JSON round trip leaves them.
fn sorted(value: Value) -> Value {
    match value {
        Value::Mapping(map) => {
            let mut entries: Vec<(Value, Value)> =
                map.into_iter().map(|(k, v)| (k, sorted(v))).collect();
            entries.sort_by(|a, b| {
                let text = |k: &Value| k.as_str().map(str::to_string).unwrap_or_default();
                text(&a.0).cmp(&text(&b.0))
            });
            Value::Mapping(entries.into_iter().collect())
        }
        Value::Sequence(items) => Value::Sequence(items.into_iter().map(sorted).collect()),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn yaml(text: &str) -> Value {
        serde_yaml::from_str(text).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn a_patch_merges_maps_removes_nulls_and_sorts_keys() {
        let mut resources = resources(
            "---\n# Source: c/templates/cm.yaml\nkind: ConfigMap\napiVersion: v1\nmetadata:\n  name: foo\ndata:\n  a: \"1\"\n  b: \"2\"\n---\n# Source: c/templates/other.yaml\nkind: ConfigMap\napiVersion: v1\nmetadata:\n  name: other\n",
        )
        .unwrap_or_default();
        let patch = yaml(
            "kind: ConfigMap\napiVersion: v1\nmetadata: {name: foo}\ndata: {a: changed, b: null, c: new}\n",
        );
        assert!(apply(&mut resources, &patch));
        let texts: Vec<String> = resources.iter().map(Resource::to_yaml).collect();
        assert_eq!(
            texts,
            [
                "apiVersion: v1\ndata:\n  a: changed\n  c: new\nkind: ConfigMap\nmetadata:\n  name: foo\n",
                "kind: ConfigMap\napiVersion: v1\nmetadata:\n  name: other\n",
            ]
        );
        let missing = yaml("kind: ConfigMap\nmetadata: {name: nothere}\n");
        assert!(!apply(&mut resources, &missing));
    }

    #[test]
    fn built_in_lists_merge_by_key_and_others_are_replaced() {
        let mut resources = resources(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n    spec:\n      containers:\n      - name: app\n        image: app:1\n        ports: [{containerPort: 80, name: http}]\n      - name: sidecar\n        image: side:1\n      tolerations: [{key: a}]\n",
        )
        .unwrap_or_default();
        let patch = yaml(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n    spec:\n      containers:\n      - name: app\n        image: app:2\n        ports: [{containerPort: 80, protocol: TCP}]\n      - name: sidecar\n        $patch: delete\n      - name: extra\n        image: extra:1\n      tolerations: [{key: b}]\n",
        );
        assert!(apply(&mut resources, &patch));
        assert_eq!(
            resources[0].to_yaml(),
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers:\n      - image: app:2\n        name: app\n        ports:\n        - containerPort: 80\n          name: http\n          protocol: TCP\n      - image: extra:1\n        name: extra\n      tolerations:\n      - key: b\n"
        );
    }

    #[test]
    fn custom_resources_replace_lists_and_legacy_order_sorts_by_kind() {
        let mut resources = resources(
            "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\nspec: {items: [{name: a}]}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: n}\n---\napiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingWebhookConfiguration\nmetadata: {name: v}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n",
        )
        .unwrap_or_default();
        let patch = yaml(
            "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\nspec: {items: [{name: b}]}\n",
        );
        assert!(apply(&mut resources, &patch));
        sort_legacy(&mut resources);
        let order: Vec<String> = resources
            .iter()
            .map(|r| {
                format!(
                    "{}/{}",
                    field(r.value(), "kind").unwrap_or_default(),
                    metadata(r.value(), "name").unwrap_or_default()
                )
            })
            .collect();
        assert_eq!(
            order,
            [
                "Namespace/n",
                "ConfigMap/a",
                "ConfigMap/b",
                "Deployment/d",
                "Widget/w",
                "ValidatingWebhookConfiguration/v"
            ]
        );
        let widget = resources
            .iter()
            .find(|r| r.is_crd() || field(r.value(), "kind") == Some("Widget"));
        assert_eq!(
            widget.map(Resource::to_yaml).as_deref(),
            Some(
                "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\nspec:\n  items:\n  - name: b\n"
            )
        );
    }
}
