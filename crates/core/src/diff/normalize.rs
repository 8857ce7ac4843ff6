//! Normalisation before objects are compared, so that only meaningful differences count:
//!
//! - fields the server owns are removed: `status`, `metadata.managedFields`, `resourceVersion`,
//!   `uid`, `generation`, `creationTimestamp`, `selfLink`, `deletionTimestamp`,
//!   `deletionGracePeriodSeconds`; helm's own `meta.helm.sh/release-name` and
//!   `meta.helm.sh/release-namespace` annotations and its `app.kubernetes.io/managed-by: Helm`
//!   label; `kubectl.kubernetes.io/last-applied-configuration` (it may hold a Secret's values) and
//!   `deployment.kubernetes.io/revision`;
//! - map entries whose value is `null` are removed, and empty `labels`/`annotations` maps, as the
//!   API server does;
//! - `metadata.namespace` is the object's key namespace for namespaced kinds, absent for
//!   cluster-scoped ones (a manifest may leave it to the release namespace);
//! - a Secret's `stringData` is folded into `data` (base64), as the API server does on write, so
//!   a manifest's `stringData` compares with the cluster's `data`.

use base64::Engine as _;
use serde_json::Value as Json;

use super::key::ObjectKey;

const SERVER_METADATA: &[&str] = &[
    "managedFields",
    "resourceVersion",
    "uid",
    "generation",
    "creationTimestamp",
    "selfLink",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
];

const SERVER_ANNOTATIONS: &[&str] = &[
    "meta.helm.sh/release-name",
    "meta.helm.sh/release-namespace",
    "kubectl.kubernetes.io/last-applied-configuration",
    "deployment.kubernetes.io/revision",
];

/// Applies every normalisation of the module documentation to `body`, the object `key`.
pub fn normalize(key: &ObjectKey, body: &mut Json) {
    drop_nulls(body);
    let Json::Object(object) = body else {
        return;
    };
    object.remove("status");
    if let Some(Json::Object(metadata)) = object.get_mut("metadata") {
        for field in SERVER_METADATA {
            metadata.remove(*field);
        }
        match &key.namespace {
            Some(namespace) => {
                let value = Json::String(namespace.clone());
                if let Some(current) = metadata.get_mut("namespace") {
                    *current = value;
                } else {
                    // Where a person writes it: after the name.
                    let at = metadata
                        .keys()
                        .position(|k| k == "name")
                        .map_or(0, |i| i + 1);
                    metadata.shift_insert(at, "namespace".into(), value);
                }
            }
            None => {
                metadata.remove("namespace");
            }
        }
        if let Some(Json::Object(annotations)) = metadata.get_mut("annotations") {
            for name in SERVER_ANNOTATIONS {
                annotations.remove(*name);
            }
        }
        if let Some(Json::Object(labels)) = metadata.get_mut("labels")
            && labels
                .get("app.kubernetes.io/managed-by")
                .is_some_and(|v| v == "Helm")
        {
            labels.remove("app.kubernetes.io/managed-by");
        }
        for map in ["annotations", "labels"] {
            if metadata
                .get(map)
                .is_some_and(|m| m.as_object().is_some_and(|m| m.is_empty()))
            {
                metadata.remove(map);
            }
        }
    }
    if key.is_secret() {
        fold_string_data(object);
    }
}

/// Removes `null` map entries everywhere.
fn drop_nulls(value: &mut Json) {
    match value {
        Json::Object(map) => {
            map.retain(|_, v| !v.is_null());
            map.values_mut().for_each(drop_nulls);
        }
        Json::Array(items) => items.iter_mut().for_each(drop_nulls),
        _ => {}
    }
}

/// Moves a Secret's `stringData` into `data`, base64-encoded; `stringData` wins for a key in both.
fn fold_string_data(secret: &mut serde_json::Map<String, Json>) {
    let Some(Json::Object(strings)) = secret.remove("stringData") else {
        return;
    };
    let data = secret
        .entry("data")
        .or_insert_with(|| Json::Object(Default::default()));
    if !data.is_object() {
        *data = Json::Object(Default::default());
    }
    if let Json::Object(data) = data {
        for (name, value) in strings {
            let text = match value {
                Json::String(s) => s,
                other => other.to_string(),
            };
            let encoded = base64::engine::general_purpose::STANDARD.encode(text.as_bytes());
            data.insert(name, Json::String(encoded));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn server_fields_and_helm_metadata_go() {
        let key = ObjectKey::new("apps/v1", "Deployment", Some("backend"), "api");
        let mut live = json!({
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {
                "name": "api", "namespace": "backend", "uid": "1", "resourceVersion": "7",
                "generation": 2, "creationTimestamp": "2024-01-01T00:00:00Z",
                "managedFields": [{"manager": "helm"}],
                "annotations": {"meta.helm.sh/release-name": "api", "meta.helm.sh/release-namespace": "backend"},
                "labels": {"app.kubernetes.io/managed-by": "Helm", "app": "api"}
            },
            "spec": {"replicas": 1, "paused": null},
            "status": {"readyReplicas": 1}
        });
        normalize(&key, &mut live);
        assert_eq!(
            live,
            json!({
                "apiVersion": "apps/v1",
                "kind": "Deployment",
                "metadata": {"name": "api", "namespace": "backend", "labels": {"app": "api"}},
                "spec": {"replicas": 1}
            })
        );
    }

    #[test]
    fn namespace_follows_the_key() {
        let mut cm = json!({"metadata": {"name": "a"}});
        normalize(&ObjectKey::new("v1", "ConfigMap", Some("ns"), "a"), &mut cm);
        assert_eq!(cm, json!({"metadata": {"name": "a", "namespace": "ns"}}));
        let mut role = json!({"metadata": {"name": "r", "namespace": "ns"}});
        normalize(
            &ObjectKey::new("rbac.authorization.k8s.io/v1", "ClusterRole", None, "r"),
            &mut role,
        );
        assert_eq!(role, json!({"metadata": {"name": "r"}}));
    }

    #[test]
    fn secret_string_data_folds_into_data() {
        let key = ObjectKey::new("v1", "Secret", Some("ns"), "s");
        let mut secret = json!({"metadata": {"name": "s"}, "data": {"a": "eA==", "b": "eQ=="}, "stringData": {"b": "z", "c": 1}});
        normalize(&key, &mut secret);
        assert_eq!(
            secret,
            json!({"metadata": {"name": "s", "namespace": "ns"}, "data": {"a": "eA==", "b": "eg==", "c": "MQ=="}})
        );
    }
}
