//! The controllers helm waits for, played at once after every write: a Deployment gets a
//! ReplicaSet it owns and both report every replica ready; StatefulSets and DaemonSets report
//! ready; Jobs complete; Pods run (or succeed, if they do not restart); claims bind;
//! CustomResourceDefinitions are established. No container ever runs.

use serde_json::{Value, json};

use crate::resources::ResourceKey;
use crate::store::Store;

fn key(group: &str, plural: &str) -> ResourceKey {
    (group.to_string(), plural.to_string())
}

/// Brings the object just written (and what it owns) to the state its controller would.
pub fn reconcile(store: &mut Store, resource: &ResourceKey, namespace: &str, name: &str) {
    let Some(object) = store.get(resource, namespace, name).cloned() else {
        return;
    };
    let now = crate::clock::now();
    let status = match (resource.0.as_str(), resource.1.as_str()) {
        ("apps", "deployments") => Some(deployment(store, &object, &now)),
        ("apps", "replicasets") => Some(replica_set(&object)),
        ("apps", "statefulsets") => Some(stateful_set(&object)),
        ("apps", "daemonsets") => Some(daemon_set(&object)),
        ("batch", "jobs") => Some(job(&object, &now)),
        ("", "pods") => Some(pod(&object, &now)),
        ("", "persistentvolumeclaims") => Some(claim(&object)),
        ("", "services") => service(&object),
        ("apiextensions.k8s.io", "customresourcedefinitions") => Some(definition(&object, &now)),
        _ => None,
    };
    let Some(status) = status else { return };
    let mut updated = store
        .get(resource, namespace, name)
        .cloned()
        .unwrap_or(object);
    if updated["status"] != status {
        updated["status"] = status;
        store.put(resource, updated);
    }
}

fn replicas(object: &Value) -> i64 {
    object["spec"]["replicas"].as_i64().unwrap_or(1)
}

fn generation(object: &Value) -> Value {
    object["metadata"]["generation"].clone()
}

/// A short, stable hash of a pod template, as `pod-template-hash` and revisions carry.
fn template_hash(template: &Value) -> String {
    const ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    let mut hash: u32 = 0x811c_9dc5;
    for byte in template.to_string().bytes() {
        hash = (hash ^ u32::from(byte)).wrapping_mul(0x0100_0193);
    }
    hash.to_string()
        .bytes()
        .map(|d| ALPHABET[usize::from(d - b'0') * 2 % ALPHABET.len()] as char)
        .collect()
}

/// A condition that keeps its transition time while its status does not change.
fn condition(
    previous: &Value,
    kind: &str,
    status: &str,
    reason: &str,
    message: &str,
    now: &str,
) -> Value {
    let old = previous["conditions"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|c| c["type"] == kind && c["status"] == status);
    let since = old.map_or_else(
        || Value::String(now.into()),
        |c| c["lastTransitionTime"].clone(),
    );
    json!({
        "type": kind,
        "status": status,
        "lastUpdateTime": old.map_or_else(|| Value::String(now.into()), |c| c["lastUpdateTime"].clone()),
        "lastTransitionTime": since,
        "reason": reason,
        "message": message,
    })
}

fn deployment(store: &mut Store, deployment: &Value, now: &str) -> Value {
    let namespace = deployment["metadata"]["namespace"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let name = deployment["metadata"]["name"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let uid = deployment["metadata"]["uid"].clone();
    let wanted = replicas(deployment);
    let hash = template_hash(&deployment["spec"]["template"]);
    let current = format!("{name}-{hash}");
    let sets = key("apps", "replicasets");
    let owned: Vec<Value> = store
        .list(&sets, Some(&namespace))
        .filter(|rs| {
            rs["metadata"]["ownerReferences"]
                .as_array()
                .is_some_and(|refs| refs.iter().any(|r| r["uid"] == uid))
        })
        .cloned()
        .collect();
    let revision_of = |rs: &Value| {
        rs["metadata"]["annotations"]["deployment.kubernetes.io/revision"]
            .as_str()
            .and_then(|r| r.parse::<u64>().ok())
            .unwrap_or(0)
    };
    let existing = owned
        .iter()
        .find(|rs| rs["metadata"]["name"] == current.as_str());
    let revision = existing.map_or_else(
        || owned.iter().map(revision_of).max().unwrap_or(0) + 1,
        revision_of,
    );
    for old in owned
        .iter()
        .filter(|rs| rs["metadata"]["name"] != current.as_str())
    {
        if old["spec"]["replicas"] != 0 {
            let mut scaled = old.clone();
            scaled["spec"]["replicas"] = json!(0);
            let scaled = store.put(&sets, scaled);
            let rs_name = scaled["metadata"]["name"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            reconcile(store, &sets, &namespace, &rs_name);
        }
    }
    let mut set = existing.cloned().unwrap_or_else(|| {
        let mut template = deployment["spec"]["template"].clone();
        template["metadata"]["labels"]["pod-template-hash"] = json!(hash);
        let mut selector = deployment["spec"]["selector"].clone();
        selector["matchLabels"]["pod-template-hash"] = json!(hash);
        let mut set = json!({
            "apiVersion": "apps/v1",
            "kind": "ReplicaSet",
            "metadata": {
                "name": current,
                "namespace": namespace,
                "labels": template["metadata"]["labels"].clone(),
                "ownerReferences": [{
                    "apiVersion": "apps/v1",
                    "kind": "Deployment",
                    "name": name,
                    "uid": uid,
                    "controller": true,
                    "blockOwnerDeletion": true,
                }],
            },
            "spec": {"replicas": wanted, "selector": selector, "template": template},
        });
        crate::verbs::stamp_new(&mut set, true);
        set
    });
    set["metadata"]["annotations"]["deployment.kubernetes.io/revision"] =
        json!(revision.to_string());
    set["metadata"]["annotations"]["deployment.kubernetes.io/desired-replicas"] =
        json!(wanted.to_string());
    if existing != Some(&set) || set["spec"]["replicas"] != wanted {
        set["spec"]["replicas"] = json!(wanted);
        store.put(&sets, set);
    }
    reconcile(store, &sets, &namespace, &current);
    // The revision annotation is the controller's; it is stored with the status.
    if let Some(mut stored) = store
        .get(&key("apps", "deployments"), &namespace, &name)
        .cloned()
    {
        let annotation = json!(revision.to_string());
        if stored["metadata"]["annotations"]["deployment.kubernetes.io/revision"] != annotation {
            stored["metadata"]["annotations"]["deployment.kubernetes.io/revision"] = annotation;
            store.put(&key("apps", "deployments"), stored);
        }
    }
    let previous = &deployment["status"];
    json!({
        "observedGeneration": generation(deployment),
        "replicas": wanted,
        "updatedReplicas": wanted,
        "readyReplicas": wanted,
        "availableReplicas": wanted,
        "conditions": [
            condition(previous, "Available", "True", "MinimumReplicasAvailable", "Deployment has minimum availability.", now),
            condition(previous, "Progressing", "True", "NewReplicaSetAvailable",
                &format!("ReplicaSet \"{current}\" has successfully progressed."), now),
        ],
    })
}

fn replica_set(set: &Value) -> Value {
    let wanted = replicas(set);
    json!({
        "replicas": wanted,
        "fullyLabeledReplicas": wanted,
        "readyReplicas": wanted,
        "availableReplicas": wanted,
        "observedGeneration": generation(set),
    })
}

fn stateful_set(set: &Value) -> Value {
    let wanted = replicas(set);
    let name = set["metadata"]["name"].as_str().unwrap_or_default();
    let revision = format!("{name}-{}", template_hash(&set["spec"]["template"]));
    json!({
        "observedGeneration": generation(set),
        "replicas": wanted,
        "readyReplicas": wanted,
        "currentReplicas": wanted,
        "updatedReplicas": wanted,
        "availableReplicas": wanted,
        "currentRevision": revision,
        "updateRevision": revision,
        "collisionCount": 0,
    })
}

/// DaemonSets run on the one node this cluster pretends to have.
fn daemon_set(set: &Value) -> Value {
    json!({
        "observedGeneration": generation(set),
        "currentNumberScheduled": 1,
        "desiredNumberScheduled": 1,
        "numberAvailable": 1,
        "numberMisscheduled": 0,
        "numberReady": 1,
        "updatedNumberScheduled": 1,
    })
}

fn job(job: &Value, now: &str) -> Value {
    let previous = &job["status"];
    if previous["completionTime"].is_string() || job["spec"]["suspend"] == true {
        return previous.clone();
    }
    let started = job["metadata"]["creationTimestamp"].clone();
    json!({
        "startTime": started,
        "completionTime": now,
        "succeeded": job["spec"]["completions"].as_i64().unwrap_or(1),
        "ready": 0,
        "terminating": 0,
        "uncountedTerminatedPods": {},
        "conditions": [
            {"type": "SuccessCriteriaMet", "status": "True", "reason": "CompletionsReached",
             "message": "Reached expected number of succeeded pods", "lastProbeTime": now, "lastTransitionTime": now},
            {"type": "Complete", "status": "True", "reason": "CompletionsReached",
             "message": "Reached expected number of succeeded pods", "lastProbeTime": now, "lastTransitionTime": now},
        ],
    })
}

/// Pods that never restart succeed at once (hooks, `helm test`); the others run, ready.
fn pod(pod: &Value, now: &str) -> Value {
    let previous = &pod["status"];
    let finishes = matches!(
        pod["spec"]["restartPolicy"].as_str(),
        Some("Never" | "OnFailure")
    );
    let containers: Vec<Value> = pod["spec"]["containers"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| {
            let state = if finishes {
                json!({"terminated": {"exitCode": 0, "reason": "Completed", "startedAt": now, "finishedAt": now}})
            } else {
                json!({"running": {"startedAt": now}})
            };
            json!({"name": c["name"], "image": c["image"], "ready": !finishes, "started": !finishes,
                   "restartCount": 0, "state": state})
        })
        .collect();
    let ready = if finishes { "False" } else { "True" };
    json!({
        "phase": if finishes { "Succeeded" } else { "Running" },
        "conditions": [
            condition(previous, "Initialized", "True", "", "", now),
            condition(previous, "Ready", ready, "", "", now),
            condition(previous, "ContainersReady", ready, "", "", now),
            condition(previous, "PodScheduled", "True", "", "", now),
        ],
        "hostIP": "10.0.0.1",
        "podIP": "10.244.0.10",
        "startTime": pod["metadata"]["creationTimestamp"],
        "containerStatuses": containers,
    })
}

fn claim(claim: &Value) -> Value {
    json!({
        "phase": "Bound",
        "accessModes": claim["spec"]["accessModes"],
        "capacity": {"storage": claim["spec"]["resources"]["requests"]["storage"]},
    })
}

/// A LoadBalancer Service gets an address (from the documentation range: nothing answers there).
fn service(service: &Value) -> Option<Value> {
    (service["spec"]["type"] == "LoadBalancer")
        .then(|| json!({"loadBalancer": {"ingress": [{"ip": "192.0.2.1", "ipMode": "VIP"}]}}))
}

fn definition(crd: &Value, now: &str) -> Value {
    let previous = &crd["status"];
    let stored: Vec<Value> = crd["spec"]["versions"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|v| v["storage"] == true)
        .map(|v| v["name"].clone())
        .collect();
    json!({
        "acceptedNames": crd["spec"]["names"],
        "conditions": [
            condition(previous, "NamesAccepted", "True", "NoConflicts", "no conflicts found", now),
            condition(previous, "Established", "True", "InitialNamesAccepted", "the initial names have been accepted", now),
        ],
        "storedVersions": stored,
    })
}
