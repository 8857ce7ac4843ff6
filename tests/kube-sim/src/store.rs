//! Objects in memory: one map per resource, a global resource version, and the log of changes
//! that watches replay.

use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;

use serde_json::{Value, json};

use crate::resources::{Registry, Resource, ResourceKey};

/// How many changes are remembered for watches that resume from a resource version.
const LOG_CAPACITY: usize = 100_000;

/// What happened to an object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeKind {
    /// Created.
    Added,
    /// Updated.
    Modified,
    /// Deleted.
    Deleted,
}

/// One change, as watches see it.
#[derive(Debug, Clone)]
pub struct Change {
    /// The resource version the change produced.
    pub resource_version: u64,
    /// Where the object is stored.
    pub key: ResourceKey,
    /// What happened.
    pub kind: ChangeKind,
    /// The object after the change (the last state, for deletions).
    pub object: Arc<Value>,
    /// The object before the change, if it existed.
    pub previous: Option<Arc<Value>>,
}

/// `(namespace, name)`; the namespace is empty for cluster-scoped objects.
pub type ObjectKey = (String, String);

/// Every stored object and the change log.
#[derive(Debug)]
pub struct Store {
    /// The served resources (custom ones come and go with their definitions).
    pub registry: Registry,
    objects: BTreeMap<ResourceKey, BTreeMap<ObjectKey, Value>>,
    resource_version: u64,
    log: VecDeque<Change>,
    next_cluster_ip: u32,
}

impl Default for Store {
    fn default() -> Self {
        Self::new()
    }
}

impl Store {
    /// A store with the namespaces every cluster has.
    pub fn new() -> Self {
        let mut store = Self {
            registry: Registry::builtin(),
            objects: BTreeMap::new(),
            resource_version: 0,
            log: VecDeque::new(),
            next_cluster_ip: 1,
        };
        let now = crate::clock::now();
        let key = (String::new(), "namespaces".to_string());
        for name in ["default", "kube-system", "kube-public", "kube-node-lease"] {
            let namespace = json!({
                "apiVersion": "v1",
                "kind": "Namespace",
                "metadata": {
                    "name": name,
                    "uid": crate::clock::uid(),
                    "creationTimestamp": now,
                    "labels": {"kubernetes.io/metadata.name": name},
                },
                "spec": {"finalizers": ["kubernetes"]},
                "status": {"phase": "Active"},
            });
            store.put(&key, namespace);
        }
        store
    }

    /// The current (latest) resource version.
    pub fn resource_version(&self) -> u64 {
        self.resource_version
    }

    /// The object `name` in `namespace` ("" for cluster-scoped).
    pub fn get(&self, key: &ResourceKey, namespace: &str, name: &str) -> Option<&Value> {
        self.objects
            .get(key)?
            .get(&(namespace.to_string(), name.to_string()))
    }

    /// Objects of a resource, in one namespace or all, sorted by namespace and name.
    pub fn list<'a>(
        &'a self,
        key: &ResourceKey,
        namespace: Option<&'a str>,
    ) -> impl Iterator<Item = &'a Value> + 'a {
        self.objects
            .get(key)
            .into_iter()
            .flatten()
            .filter(move |((ns, _), _)| namespace.is_none_or(|n| n == ns))
            .map(|(_, object)| object)
    }

    /// Every object in `namespace`, with where it is stored.
    pub fn in_namespace(&self, namespace: &str) -> Vec<(ResourceKey, String)> {
        self.objects
            .iter()
            .flat_map(|(key, objects)| {
                objects
                    .keys()
                    .filter(|(ns, _)| ns == namespace)
                    .map(|(_, name)| (key.clone(), name.clone()))
            })
            .collect()
    }

    /// Every object whose `ownerReferences` name `uid`.
    pub fn owned_by(&self, uid: &str) -> Vec<(ResourceKey, ObjectKey)> {
        self.objects
            .iter()
            .flat_map(|(key, objects)| {
                objects
                    .iter()
                    .filter(|(_, o)| {
                        o["metadata"]["ownerReferences"]
                            .as_array()
                            .is_some_and(|refs| refs.iter().any(|r| r["uid"] == uid))
                    })
                    .map(|(name, _)| (key.clone(), name.clone()))
            })
            .collect()
    }

    /// Stores `object` (new or replacing), giving it the next resource version; returns it as
    /// stored.
    pub fn put(&mut self, key: &ResourceKey, mut object: Value) -> Value {
        self.resource_version += 1;
        let rv = self.resource_version;
        object["metadata"]["resourceVersion"] = Value::String(rv.to_string());
        let id = object_key(&object);
        let previous = self
            .objects
            .entry(key.clone())
            .or_default()
            .insert(id, object.clone());
        let kind = if previous.is_some() {
            ChangeKind::Modified
        } else {
            ChangeKind::Added
        };
        self.record(key, kind, object.clone(), previous);
        object
    }

    /// Removes an object; returns its last state (with the deletion's resource version).
    pub fn remove(&mut self, key: &ResourceKey, namespace: &str, name: &str) -> Option<Value> {
        let mut object = self
            .objects
            .get_mut(key)?
            .remove(&(namespace.to_string(), name.to_string()))?;
        self.resource_version += 1;
        let previous = object.clone();
        object["metadata"]["resourceVersion"] = Value::String(self.resource_version.to_string());
        self.record(key, ChangeKind::Deleted, object.clone(), Some(previous));
        Some(object)
    }

    fn record(
        &mut self,
        key: &ResourceKey,
        kind: ChangeKind,
        object: Value,
        previous: Option<Value>,
    ) {
        if self.log.len() == LOG_CAPACITY {
            self.log.pop_front();
        }
        self.log.push_back(Change {
            resource_version: self.resource_version,
            key: key.clone(),
            kind,
            object: Arc::new(object),
            previous: previous.map(Arc::new),
        });
    }

    /// Every remembered change, oldest first.
    pub fn log(&self) -> impl Iterator<Item = &Change> {
        self.log.iter()
    }

    /// The changes after resource version `since`, or `None` when some of them are forgotten.
    pub fn changes_since(&self, since: u64) -> Option<impl Iterator<Item = &Change>> {
        let oldest = self
            .log
            .front()
            .map_or(self.resource_version + 1, |c| c.resource_version);
        if since + 1 < oldest && since < self.resource_version {
            return None;
        }
        let start = self.log.partition_point(|c| c.resource_version <= since);
        Some(self.log.range(start..))
    }

    /// The next free cluster IP (10.96.0.0/12, as kubeadm's default service range).
    pub fn allocate_cluster_ip(&mut self) -> String {
        let n = self.next_cluster_ip;
        self.next_cluster_ip += 1;
        format!("10.96.{}.{}", n / 254, n % 254 + 1)
    }

    /// The resource a stored object belongs to.
    pub fn resource(&self, key: &ResourceKey) -> Option<Resource> {
        self.registry.by_key(key).cloned()
    }

    /// Drops every object of a resource (its definition was deleted); returns them.
    pub fn drop_resource(&mut self, key: &ResourceKey) -> Vec<Value> {
        let names: Vec<ObjectKey> = self
            .objects
            .get(key)
            .map(|objects| objects.keys().cloned().collect())
            .unwrap_or_default();
        names
            .into_iter()
            .filter_map(|(ns, name)| self.remove(key, &ns, &name))
            .collect()
    }
}

/// `(namespace, name)` of an object.
pub fn object_key(object: &Value) -> ObjectKey {
    let text = |field: &str| {
        object["metadata"][field]
            .as_str()
            .unwrap_or_default()
            .to_string()
    };
    (text("namespace"), text("name"))
}
