//! What the API server checks and fills in before storing an object: name syntax, the few
//! required workload fields helm charts get wrong, and the defaults clients read back (helm 3's
//! readiness checks dereference `spec.replicas` and the rollout strategy).

use serde_json::{Value, json};

use crate::resources::Resource;

/// The problems with `object`, as `(field, message)`; empty when it is valid.
pub fn validate(resource: &Resource, object: &Value) -> Vec<(String, String)> {
    let mut problems = Vec::new();
    let name = object["metadata"]["name"].as_str().unwrap_or_default();
    if name.is_empty() {
        problems.push((
            "metadata.name".into(),
            "Required value: name or generateName is required".into(),
        ));
    } else if let Some(why) = name_problem(resource, name) {
        problems.push((
            "metadata.name".into(),
            format!("Invalid value: {name:?}: {why}"),
        ));
    }
    if matches!(
        resource.kind.as_str(),
        "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet"
    ) {
        workload(&object["spec"], "spec", &mut problems);
    }
    if resource.kind == "Job" {
        pod_spec(
            &object["spec"]["template"]["spec"],
            "spec.template.spec",
            &mut problems,
        );
    }
    problems
}

fn name_problem(resource: &Resource, name: &str) -> Option<&'static str> {
    let label_only = matches!(resource.kind.as_str(), "Namespace" | "Service");
    if resource.group == "rbac.authorization.k8s.io" {
        return (name.contains('/') || name.contains('%') || name == "." || name == "..")
            .then_some("may not contain '/' or '%'");
    }
    let max = if label_only { 63 } else { 253 };
    let parts_ok = name.split('.').all(|part| {
        !part.is_empty()
            && part
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !part.starts_with('-')
            && !part.ends_with('-')
    });
    if name.len() > max || !parts_ok || (label_only && name.contains('.')) {
        return Some(if label_only {
            "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
        } else {
            "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
        });
    }
    None
}

fn workload(spec: &Value, at: &str, problems: &mut Vec<(String, String)>) {
    let selector = &spec["selector"];
    if !selector.is_object() {
        problems.push((format!("{at}.selector"), "Required value".into()));
    }
    let labels = &spec["template"]["metadata"]["labels"];
    if selector.is_object() && !crate::selector::LabelSelector::from_spec(selector).matches(labels)
    {
        problems.push((
            format!("{at}.template.metadata.labels"),
            format!("Invalid value: {labels}: `selector` does not match template `labels`"),
        ));
    }
    pod_spec(
        &spec["template"]["spec"],
        &format!("{at}.template.spec"),
        problems,
    );
}

fn pod_spec(spec: &Value, at: &str, problems: &mut Vec<(String, String)>) {
    let containers = spec["containers"].as_array().map_or(&[][..], Vec::as_slice);
    if containers.is_empty() {
        problems.push((format!("{at}.containers"), "Required value".into()));
    }
    for (i, container) in containers.iter().enumerate() {
        for field in ["name", "image"] {
            if container[field].as_str().is_none_or(str::is_empty) {
                problems.push((
                    format!("{at}.containers[{i}].{field}"),
                    "Required value".into(),
                ));
            }
        }
    }
}

/// Fills in the defaults a real API server sets and clients rely on.
pub fn default(kind: &str, object: &mut Value) {
    let spec = &mut object["spec"];
    match kind {
        "Deployment" => {
            set_default(spec, "replicas", json!(1));
            set_default(spec, "revisionHistoryLimit", json!(10));
            set_default(spec, "progressDeadlineSeconds", json!(600));
            set_default(spec, "strategy", json!({"type": "RollingUpdate"}));
            if spec["strategy"]["type"] == "RollingUpdate" {
                set_default(&mut spec["strategy"], "rollingUpdate", json!({}));
                set_default(
                    &mut spec["strategy"]["rollingUpdate"],
                    "maxUnavailable",
                    json!("25%"),
                );
                set_default(
                    &mut spec["strategy"]["rollingUpdate"],
                    "maxSurge",
                    json!("25%"),
                );
            }
        }
        "StatefulSet" => {
            set_default(spec, "replicas", json!(1));
            set_default(spec, "podManagementPolicy", json!("OrderedReady"));
            set_default(spec, "revisionHistoryLimit", json!(10));
            set_default(
                spec,
                "updateStrategy",
                json!({"type": "RollingUpdate", "rollingUpdate": {"partition": 0}}),
            );
        }
        "DaemonSet" => {
            set_default(spec, "revisionHistoryLimit", json!(10));
            set_default(
                spec,
                "updateStrategy",
                json!({"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1, "maxSurge": 0}}),
            );
        }
        "ReplicaSet" => set_default(spec, "replicas", json!(1)),
        "Job" => {
            if spec.get("completions").is_none() && spec.get("parallelism").is_none() {
                spec["completions"] = json!(1);
                spec["parallelism"] = json!(1);
            }
            set_default(spec, "parallelism", json!(1));
            set_default(spec, "backoffLimit", json!(6));
            set_default(spec, "completionMode", json!("NonIndexed"));
            set_default(spec, "suspend", json!(false));
        }
        "Service" => {
            set_default(spec, "type", json!("ClusterIP"));
            set_default(spec, "sessionAffinity", json!("None"));
            for port in spec["ports"].as_array_mut().into_iter().flatten() {
                set_default(port, "protocol", json!("TCP"));
                if port.get("targetPort").is_none() {
                    port["targetPort"] = port["port"].clone();
                }
            }
        }
        "Secret" => {
            if object.get("type").is_none() {
                object["type"] = json!("Opaque");
            }
            fold_string_data(object);
        }
        _ => {}
    }
    if object.get("spec").is_some_and(Value::is_null)
        && let Some(map) = object.as_object_mut()
    {
        map.remove("spec");
    }
}

/// A Secret's `stringData` is write-only: it is merged into `data`, base64-encoded.
fn fold_string_data(secret: &mut Value) {
    let Some(string_data) = secret.as_object_mut().and_then(|o| o.remove("stringData")) else {
        return;
    };
    for (key, value) in string_data.as_object().into_iter().flatten() {
        let text = value.as_str().unwrap_or_default();
        secret["data"][key] = Value::String(crate::protobuf::encode_base64(text.as_bytes()));
    }
}

fn set_default(map: &mut Value, key: &str, value: Value) {
    if map.is_null() {
        *map = json!({});
    }
    if let Some(map) = map.as_object_mut() {
        map.entry(key).or_insert(value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::Registry;

    #[test]
    fn names_must_be_dns_subdomains() {
        let registry = Registry::builtin();
        let config_maps = registry.find("", "v1", "configmaps").unwrap();
        let problems = validate(config_maps, &json!({"metadata": {"name": "Bad_Name"}}));
        assert_eq!(problems.len(), 1);
        assert!(
            problems[0]
                .1
                .starts_with("Invalid value: \"Bad_Name\": a lowercase RFC 1123 subdomain")
        );
        assert!(validate(config_maps, &json!({"metadata": {"name": "good.name-1"}})).is_empty());
    }

    #[test]
    fn workloads_need_a_selector_matching_their_template() {
        let registry = Registry::builtin();
        let deployments = registry.find("apps", "v1", "deployments").unwrap();
        let deployment = json!({"metadata": {"name": "web"}, "spec": {
            "selector": {"matchLabels": {"app": "web"}},
            "template": {"metadata": {"labels": {"app": "other"}}, "spec": {"containers": [{"name": "web"}]}}
        }});
        let fields: Vec<String> = validate(deployments, &deployment)
            .into_iter()
            .map(|(f, _)| f)
            .collect();
        assert_eq!(
            fields,
            [
                "spec.template.metadata.labels",
                "spec.template.spec.containers[0].image"
            ]
        );
    }

    #[test]
    fn secrets_fold_string_data_into_data() {
        let mut secret = json!({"stringData": {"password": "hunter2"}});
        default("Secret", &mut secret);
        assert_eq!(
            secret,
            json!({"type": "Opaque", "data": {"password": "aHVudGVyMg=="}})
        );
    }
}
