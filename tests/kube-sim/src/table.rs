//! `Table` answers for `kubectl get` (it asks for `as=Table`): a name and age column for every
//! kind, plus the columns kubectl users look at for the common ones.

use serde_json::{Value, json};

use crate::resources::Resource;

/// (column name, cell of an object)
type Column = (&'static str, fn(&Value) -> Value);

fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn count(value: &Value) -> Value {
    json!(value.as_object().map_or(0, |m| m.len()))
}

fn ready(object: &Value) -> Value {
    let ready = object["status"]["readyReplicas"].as_i64().unwrap_or(0);
    json!(format!(
        "{ready}/{}",
        object["spec"]["replicas"].as_i64().unwrap_or(1)
    ))
}

fn ports(service: &Value) -> Value {
    let ports: Vec<String> = service["spec"]["ports"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| {
            format!(
                "{}/{}",
                text(&p["port"]),
                p["protocol"].as_str().unwrap_or("TCP")
            )
        })
        .collect();
    json!(if ports.is_empty() {
        "<none>".to_string()
    } else {
        ports.join(",")
    })
}

fn columns(kind: &str) -> &'static [Column] {
    match kind {
        "Deployment" => &[
            ("Ready", ready),
            ("Up-to-date", |o| o["status"]["updatedReplicas"].clone()),
            ("Available", |o| o["status"]["availableReplicas"].clone()),
        ],
        "StatefulSet" => &[("Ready", ready)],
        "Service" => &[
            ("Type", |o| o["spec"]["type"].clone()),
            ("Cluster-IP", |o| o["spec"]["clusterIP"].clone()),
            ("Port(s)", ports),
        ],
        "Secret" => &[
            ("Type", |o| o["type"].clone()),
            ("Data", |o| count(&o["data"])),
        ],
        "ConfigMap" => &[("Data", |o| count(&o["data"]))],
        "Namespace" => &[("Status", |o| o["status"]["phase"].clone())],
        "Pod" => &[("Status", |o| o["status"]["phase"].clone())],
        _ => &[],
    }
}

/// The table of `objects`; rows carry the object, or only its metadata (kubectl's default).
pub fn table(
    resource: &Resource,
    objects: &[Value],
    resource_version: &str,
    include: Option<&str>,
) -> Value {
    let extra = columns(&resource.kind);
    let mut definitions = vec![
        json!({"name": "Name", "type": "string", "format": "name", "description": "Name", "priority": 0}),
    ];
    definitions.extend(
        extra
            .iter()
            .map(|(name, _)| json!({"name": name, "type": "string", "format": "", "description": name, "priority": 0})),
    );
    definitions.push(
        json!({"name": "Age", "type": "string", "format": "", "description": "Age", "priority": 0}),
    );
    let rows: Vec<Value> = objects
        .iter()
        .map(|object| {
            let mut cells = vec![object["metadata"]["name"].clone()];
            cells.extend(extra.iter().map(|(_, cell)| json!(text(&cell(object)))));
            cells.push(json!(crate::clock::age(
                object["metadata"]["creationTimestamp"]
                    .as_str()
                    .unwrap_or_default()
            )));
            let object = match include {
                Some("Object") => object.clone(),
                Some("None") => Value::Null,
                _ => json!({
                    "kind": "PartialObjectMetadata",
                    "apiVersion": "meta.k8s.io/v1",
                    "metadata": object["metadata"],
                }),
            };
            json!({"cells": cells, "object": object})
        })
        .collect();
    json!({
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": {"resourceVersion": resource_version},
        "columnDefinitions": definitions,
        "rows": rows,
    })
}
