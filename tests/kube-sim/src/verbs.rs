//! The API verbs on stored objects: create, update (PUT), patch, delete, with what the API server
//! does around them (identity and metadata, defaults, validation, generation, managed fields,
//! dry runs, cascading deletion), then the controllers.

use serde_json::{Value, json};

use crate::patch::apply::{self, Writer};
use crate::patch::fields::Schema;
use crate::patch::{PatchType, patch};
use crate::resources::Resource;
use crate::status::ApiError;
use crate::store::Store;
use crate::validation;

/// The request a verb serves.
#[derive(Debug, Clone)]
pub struct Request<'a> {
    /// The resource addressed.
    pub resource: &'a Resource,
    /// The API version of the path (objects are answered in it).
    pub version: &'a str,
    /// The namespace of the path, for namespaced resources.
    pub namespace: Option<&'a str>,
    /// The field manager (`fieldManager`, else the client's user-agent name).
    pub manager: &'a str,
    /// `dryRun=All`: everything but storing.
    pub dry_run: bool,
    /// `force=true` on server-side apply.
    pub force: bool,
}

impl Request<'_> {
    fn namespace(&self) -> &str {
        self.namespace.unwrap_or_default()
    }

    fn writer<'w>(&'w self, now: &'w str, api_version: &'w str) -> Writer<'w> {
        Writer {
            manager: self.manager,
            force: self.force,
            schema: Schema {
                kind: &self.resource.kind,
                builtin: !self.resource.custom,
            },
            api_version,
            now,
        }
    }

    fn api_version(&self) -> String {
        self.resource.api_version(self.version)
    }

    /// The object as answered through this request's version.
    pub fn answer(&self, mut object: Value) -> Value {
        object["apiVersion"] = json!(self.api_version());
        object
    }
}

/// Gives a new object its identity: uid, creation time and, for objects with a spec, generation.
pub fn stamp_new(object: &mut Value, has_generation: bool) {
    object["metadata"]["uid"] = json!(crate::clock::uid());
    object["metadata"]["creationTimestamp"] = json!(crate::clock::now());
    if has_generation {
        object["metadata"]["generation"] = json!(1);
    }
}

/// The stored object `name`.
pub fn get(store: &Store, request: &Request<'_>, name: &str) -> Result<Value, ApiError> {
    store
        .get(&request.resource.key(), request.namespace(), name)
        .cloned()
        .map(|o| request.answer(o))
        .ok_or_else(|| ApiError::not_found(request.resource, name))
}

/// POST: creates `body`.
pub fn create(
    store: &mut Store,
    request: &Request<'_>,
    mut body: Value,
) -> Result<Value, ApiError> {
    let name = match body["metadata"]["name"].as_str() {
        Some(name) if !name.is_empty() => name.to_string(),
        _ => match body["metadata"]["generateName"].as_str() {
            Some(prefix) if !prefix.is_empty() => {
                format!("{prefix}{}", crate::clock::name_suffix())
            }
            _ => String::new(),
        },
    };
    body["metadata"]["name"] = json!(name);
    if store
        .get(&request.resource.key(), request.namespace(), &name)
        .is_some()
    {
        return Err(ApiError::already_exists(request.resource, &name));
    }
    let now = crate::clock::now();
    apply::record_update(
        None,
        &mut body,
        &request.writer(&now, &request.api_version()),
    );
    commit(store, request, None, body, false)
}

/// PUT: replaces `name` with `body` (only its status, for the `status` subresource).
pub fn update(
    store: &mut Store,
    request: &Request<'_>,
    name: &str,
    mut body: Value,
    status_only: bool,
) -> Result<Value, ApiError> {
    let old = store
        .get(&request.resource.key(), request.namespace(), name)
        .cloned()
        .ok_or_else(|| ApiError::not_found(request.resource, name))?;
    check_name(request, name, &body)?;
    if status_only {
        let mut new = old.clone();
        new["status"] = body["status"].take();
        new["metadata"]["resourceVersion"] = body["metadata"]["resourceVersion"].take();
        return commit(store, request, Some(&old), new, true);
    }
    let now = crate::clock::now();
    apply::record_update(
        Some(&old),
        &mut body,
        &request.writer(&now, &request.api_version()),
    );
    commit(store, request, Some(&old), body, false)
}

/// PATCH: merges `body` into `name`, or applies it server-side (creating the object if needed).
pub fn patch_object(
    store: &mut Store,
    request: &Request<'_>,
    name: &str,
    kind: PatchType,
    body: Value,
    status_only: bool,
) -> Result<Value, ApiError> {
    let old = store
        .get(&request.resource.key(), request.namespace(), name)
        .cloned();
    let now = crate::clock::now();
    if kind == PatchType::Apply {
        check_name(request, name, &body)?;
        let mut applied = body;
        if let Some(metadata) = applied["metadata"].as_object_mut() {
            metadata.remove("managedFields");
        }
        let merged = apply::apply(
            old.as_ref(),
            &applied,
            &request.writer(&now, &request.api_version()),
        )
        .map_err(|conflicts| ApiError::apply_conflict(request.resource, name, &conflicts))?;
        return match old {
            Some(old) => commit(store, request, Some(&old), merged, false),
            None => commit(store, request, None, merged, false),
        };
    }
    let old = old.ok_or_else(|| ApiError::not_found(request.resource, name))?;
    if kind == PatchType::Strategic && request.resource.custom {
        return Err(ApiError::unsupported_media_type(
            "strategic merge patch is not supported for custom resources; use a JSON merge patch",
        ));
    }
    let mut new =
        patch(kind, &old, &body, &request.resource.kind).map_err(ApiError::bad_request)?;
    if status_only {
        let mut only = old.clone();
        only["status"] = new["status"].take();
        return commit(store, request, Some(&old), only, true);
    }
    if new["metadata"]["resourceVersion"] == old["metadata"]["resourceVersion"] {
        // An unchanged resourceVersion is not a precondition; a changed one is (checked below).
        new["metadata"]
            .as_object_mut()
            .map(|m| m.remove("resourceVersion"));
    }
    apply::record_update(
        Some(&old),
        &mut new,
        &request.writer(&now, &request.api_version()),
    );
    commit(store, request, Some(&old), new, false)
}

fn check_name(request: &Request<'_>, name: &str, body: &Value) -> Result<(), ApiError> {
    match body["metadata"]["name"].as_str() {
        Some(given) if !given.is_empty() && given != name => Err(ApiError::bad_request(format!(
            "the name of the object ({given}) does not match the name on the URL ({name})"
        ))),
        _ => {
            let _ = request;
            Ok(())
        }
    }
}

/// The common tail of every write: identity, defaults, validation, generation, then storing
/// (unless dry run) and the controllers.
fn commit(
    store: &mut Store,
    request: &Request<'_>,
    old: Option<&Value>,
    mut new: Value,
    status_only: bool,
) -> Result<Value, ApiError> {
    let resource = request.resource;
    new["apiVersion"] = json!(request.api_version());
    new["kind"] = json!(resource.kind);
    let name = new["metadata"]["name"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    if resource.namespaced {
        let namespace = request.namespace();
        match new["metadata"]["namespace"].as_str() {
            Some(given) if !given.is_empty() && given != namespace => {
                return Err(ApiError::bad_request(
                    "the namespace of the provided object does not match the namespace sent on the request",
                ));
            }
            _ => new["metadata"]["namespace"] = json!(namespace),
        }
        if old.is_none()
            && store
                .get(&("".into(), "namespaces".into()), namespace, namespace)
                .is_none()
            && store
                .get(&("".into(), "namespaces".into()), "", namespace)
                .is_none()
        {
            let namespaces = store.resource(&("".into(), "namespaces".into()));
            return Err(namespaces.map_or_else(
                || ApiError::bad_request("no namespaces resource"),
                |r| ApiError::not_found(&r, namespace),
            ));
        }
    } else if let Some(metadata) = new["metadata"].as_object_mut() {
        metadata.remove("namespace");
    }
    match old {
        Some(old) => {
            let given = new["metadata"]["resourceVersion"]
                .as_str()
                .unwrap_or_default();
            if !given.is_empty() && Some(given) != old["metadata"]["resourceVersion"].as_str() {
                return Err(ApiError::conflict(
                    resource,
                    &name,
                    "the object has been modified; please apply your changes to the latest version and try again",
                ));
            }
            for field in ["uid", "creationTimestamp", "generation"] {
                new["metadata"][field] = old["metadata"][field].clone();
            }
            if resource.has_status && !status_only {
                new["status"] = old["status"].clone();
                if new["status"].is_null() {
                    new.as_object_mut().map(|o| o.remove("status"));
                }
            }
            if resource.kind == "Service" {
                for field in ["clusterIP", "clusterIPs"] {
                    if new["spec"][field].as_str().is_none_or(str::is_empty)
                        && !new["spec"][field].is_array()
                    {
                        new["spec"][field] = old["spec"][field].clone();
                    }
                }
            }
        }
        None => {
            stamp_new(&mut new, resource.has_status || resource.custom);
            if resource.has_status {
                new.as_object_mut().map(|o| o.remove("status"));
            }
        }
    }
    validation::default(&resource.kind, &mut new);
    if resource.kind == "Service" && old.is_none() {
        allocate_cluster_ip(store, &mut new);
    }
    if resource.kind == "Namespace" {
        new["metadata"]["labels"]["kubernetes.io/metadata.name"] = json!(name);
        if old.is_none() {
            new["spec"]["finalizers"] = json!(["kubernetes"]);
            new["status"] = json!({"phase": "Active"});
        }
    }
    clean_nulls(&mut new);
    let problems = validation::validate(resource, &new);
    if !problems.is_empty() {
        return Err(ApiError::invalid(resource, &name, &problems));
    }
    if resource.kind == "CustomResourceDefinition" {
        let mut registry = store.registry.clone();
        registry
            .register(&new)
            .map_err(|why| ApiError::invalid(resource, &name, &[("spec".into(), why)]))?;
        if !request.dry_run {
            store.registry = registry;
        }
    }
    if let Some(old) = old {
        if spec_of(old) != spec_of(&new) && old["metadata"]["generation"].is_i64() {
            new["metadata"]["generation"] =
                json!(old["metadata"]["generation"].as_i64().unwrap_or(0) + 1);
        }
        if without_managed_times(old) == without_managed_times(&new) {
            return Ok(request.answer(old.clone()));
        }
    }
    if request.dry_run {
        // Nothing was stored: the object keeps the version it had (a new one has none).
        new["metadata"]["resourceVersion"] =
            old.map_or(Value::Null, |o| o["metadata"]["resourceVersion"].clone());
        clean_nulls(&mut new);
        return Ok(request.answer(new));
    }
    let key = resource.key();
    let stored = store.put(&key, new);
    crate::controllers::reconcile(store, &key, request.namespace(), &name);
    Ok(request.answer(
        store
            .get(&key, request.namespace(), &name)
            .cloned()
            .unwrap_or(stored),
    ))
}

/// Everything but metadata and status: what bumps `metadata.generation`.
fn spec_of(object: &Value) -> Value {
    let mut copy = object.clone();
    if let Some(map) = copy.as_object_mut() {
        map.remove("metadata");
        map.remove("status");
    }
    copy
}

/// The object with the timestamps of its managed fields left out (a no-op apply is no change).
fn without_managed_times(object: &Value) -> Value {
    let mut copy = object.clone();
    for entry in copy["metadata"]["managedFields"]
        .as_array_mut()
        .into_iter()
        .flatten()
    {
        entry.as_object_mut().map(|e| e.remove("time"));
    }
    copy
}

/// Drops `null` fields (clients send them for unset optional fields).
fn clean_nulls(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.retain(|_, v| !v.is_null());
            map.values_mut().for_each(clean_nulls);
        }
        Value::Array(items) => items.iter_mut().for_each(clean_nulls),
        _ => {}
    }
}

fn allocate_cluster_ip(store: &mut Store, service: &mut Value) {
    let spec = &mut service["spec"];
    let unset = spec["clusterIP"].as_str().is_none_or(str::is_empty);
    if spec["type"] == "ExternalName" || !unset {
        if spec["clusterIP"] == "None" {
            spec["clusterIPs"] = json!(["None"]);
        }
        return;
    }
    let ip = store.allocate_cluster_ip();
    spec["clusterIP"] = json!(ip);
    spec["clusterIPs"] = json!([ip]);
}

/// How a deletion treats what the object owns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Propagation {
    /// Delete dependents too (`Background` and `Foreground` both do, at once).
    Cascade,
    /// Keep dependents, dropping their owner reference.
    Orphan,
}

impl Propagation {
    /// From `DeleteOptions` (body) and the `propagationPolicy` query parameter.
    pub fn from_options(options: &Value, query: Option<&str>) -> Self {
        let policy = query.or_else(|| options["propagationPolicy"].as_str());
        if policy == Some("Orphan") || (policy.is_none() && options["orphanDependents"] == true) {
            Self::Orphan
        } else {
            Self::Cascade
        }
    }
}

/// DELETE: removes `name`, what it owns (unless orphaned), and for a namespace everything in
/// it, for a definition its custom resources. Preconditions in `options` are checked.
pub fn delete(
    store: &mut Store,
    request: &Request<'_>,
    name: &str,
    options: &Value,
    propagation: Propagation,
) -> Result<Value, ApiError> {
    let key = request.resource.key();
    let object = store
        .get(&key, request.namespace(), name)
        .cloned()
        .ok_or_else(|| ApiError::not_found(request.resource, name))?;
    for field in ["uid", "resourceVersion"] {
        if let Some(expected) = options["preconditions"][field].as_str()
            && Some(expected) != object["metadata"][field].as_str()
        {
            return Err(ApiError::conflict(
                request.resource,
                name,
                &format!("Precondition failed: {field} in precondition: {expected}"),
            ));
        }
    }
    if request.dry_run {
        return Ok(request.answer(object));
    }
    let removed = remove(store, &key, request.namespace(), name, propagation);
    Ok(request.answer(removed.unwrap_or(object)))
}

fn remove(
    store: &mut Store,
    key: &crate::resources::ResourceKey,
    namespace: &str,
    name: &str,
    propagation: Propagation,
) -> Option<Value> {
    let removed = store.remove(key, namespace, name)?;
    let uid = removed["metadata"]["uid"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    if key.1 == "namespaces" && key.0.is_empty() {
        for (resource, object) in store.in_namespace(name) {
            remove(store, &resource, name, &object, Propagation::Cascade);
        }
    }
    if key.1 == "customresourcedefinitions"
        && let Some(resource) = store.registry.unregister(&removed)
    {
        store.drop_resource(&resource.key());
    }
    for (resource, (ns, dependent)) in store.owned_by(&uid) {
        match propagation {
            Propagation::Cascade => {
                remove(store, &resource, &ns, &dependent, Propagation::Cascade);
            }
            Propagation::Orphan => {
                if let Some(mut object) = store.get(&resource, &ns, &dependent).cloned() {
                    if let Some(refs) = object["metadata"]["ownerReferences"].as_array_mut() {
                        refs.retain(|r| r["uid"] != uid.as_str());
                    }
                    store.put(&resource, object);
                }
            }
        }
    }
    Some(removed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::ResourceKey;

    fn request<'a>(
        resource: &'a Resource,
        namespace: Option<&'a str>,
        dry_run: bool,
    ) -> Request<'a> {
        Request {
            resource,
            version: "v1",
            namespace,
            manager: "test",
            dry_run,
            force: false,
        }
    }

    fn resource(store: &Store, group: &str, plural: &str) -> Resource {
        store
            .resource(&(group.to_string(), plural.to_string()))
            .unwrap()
    }

    fn names(store: &Store, key: &ResourceKey) -> Vec<String> {
        store
            .list(key, None)
            .map(|o| o["metadata"]["name"].as_str().unwrap().to_string())
            .collect()
    }

    fn deployment() -> Value {
        json!({"metadata": {"name": "web"}, "spec": {
            "selector": {"matchLabels": {"app": "web"}},
            "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "web", "image": "web:1"}]}}
        }})
    }

    fn with_deployment() -> (Store, Resource) {
        let mut store = Store::new();
        let deployments = resource(&store, "apps", "deployments");
        create(
            &mut store,
            &request(&deployments, Some("default"), false),
            deployment(),
        )
        .unwrap();
        (store, deployments)
    }

    #[test]
    fn dry_runs_answer_without_storing() {
        let mut store = Store::new();
        let deployments = resource(&store, "apps", "deployments");
        let answer = create(
            &mut store,
            &request(&deployments, Some("default"), true),
            deployment(),
        )
        .unwrap();
        assert_eq!(answer["spec"]["replicas"], 1);
        assert!(names(&store, &deployments.key()).is_empty());
        let (mut store, deployments) = with_deployment();
        let patch = json!({"spec": {"replicas": 5}});
        let dry = &request(&deployments, Some("default"), true);
        let answer = patch_object(&mut store, dry, "web", PatchType::Merge, patch, false).unwrap();
        assert_eq!(answer["spec"]["replicas"], 5);
        assert_eq!(
            store.get(&deployments.key(), "default", "web").unwrap()["spec"]["replicas"],
            1
        );
    }

    #[test]
    fn deleting_an_owner_cascades_unless_orphaned() {
        let sets: ResourceKey = ("apps".into(), "replicasets".into());
        let (mut store, deployments) = with_deployment();
        assert_eq!(names(&store, &sets).len(), 1);
        delete(
            &mut store,
            &request(&deployments, Some("default"), false),
            "web",
            &Value::Null,
            Propagation::Cascade,
        )
        .unwrap();
        assert!(names(&store, &sets).is_empty());

        let (mut store, deployments) = with_deployment();
        let orphan = Propagation::from_options(&json!({"propagationPolicy": "Orphan"}), None);
        delete(
            &mut store,
            &request(&deployments, Some("default"), false),
            "web",
            &Value::Null,
            orphan,
        )
        .unwrap();
        let left: Vec<&Value> = store.list(&sets, None).collect();
        assert_eq!(left.len(), 1);
        assert_eq!(left[0]["metadata"]["ownerReferences"], json!([]));
    }

    #[test]
    fn deleting_a_namespace_deletes_what_is_in_it() {
        let (mut store, _) = with_deployment();
        let namespaces = resource(&store, "", "namespaces");
        delete(
            &mut store,
            &request(&namespaces, None, false),
            "default",
            &Value::Null,
            Propagation::Cascade,
        )
        .unwrap();
        assert!(store.in_namespace("default").is_empty());
        let config_maps = resource(&store, "", "configmaps");
        let error = create(
            &mut store,
            &request(&config_maps, Some("default"), false),
            json!({"metadata": {"name": "a"}}),
        );
        assert_eq!(
            error.unwrap_err().message,
            "namespaces \"default\" not found"
        );
    }

    #[test]
    fn stale_resource_versions_conflict() {
        let (mut store, deployments) = with_deployment();
        let mut stale = store
            .get(&deployments.key(), "default", "web")
            .unwrap()
            .clone();
        stale["metadata"]["resourceVersion"] = json!("1");
        stale["spec"]["replicas"] = json!(2);
        let error = update(
            &mut store,
            &request(&deployments, Some("default"), false),
            "web",
            stale,
            false,
        )
        .unwrap_err();
        assert_eq!((error.code, error.reason), (409, "Conflict"));
    }
}
