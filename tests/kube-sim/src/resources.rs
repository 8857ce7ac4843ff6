//! The kinds this server serves: the built-in ones helm charts use most, and the custom resources
//! that stored CustomResourceDefinitions declare.

use serde_json::Value;

/// One served resource (a REST collection), e.g. `deployments` in `apps/v1`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resource {
    /// API group (`""` for the core group).
    pub group: String,
    /// Served versions, the storage (preferred) one first.
    pub versions: Vec<String>,
    /// Plural name, the path segment (`deployments`).
    pub plural: String,
    /// Singular name (`deployment`).
    pub singular: String,
    /// Kind (`Deployment`).
    pub kind: String,
    /// Whether objects live in a namespace.
    pub namespaced: bool,
    /// kubectl's short names (`deploy`).
    pub short_names: Vec<String>,
    /// Whether the resource has a `status` subresource (its main endpoint ignores `status`).
    pub has_status: bool,
    /// Declared by a CustomResourceDefinition (no strategic-merge patches).
    pub custom: bool,
    /// Categories (`all` for what `kubectl get all` lists).
    pub categories: Vec<String>,
}

impl Resource {
    /// `apiVersion` of objects read through `version`.
    pub fn api_version(&self, version: &str) -> String {
        if self.group.is_empty() {
            version.to_string()
        } else {
            format!("{}/{version}", self.group)
        }
    }

    /// `plural.group`, or `plural` for the core group, as error messages name it.
    pub fn qualified(&self) -> String {
        if self.group.is_empty() {
            self.plural.clone()
        } else {
            format!("{}.{}", self.plural, self.group)
        }
    }

    /// The key objects of this resource are stored under.
    pub fn key(&self) -> ResourceKey {
        (self.group.clone(), self.plural.clone())
    }
}

/// `(group, plural)`: where objects of one resource are stored, whatever the version.
pub type ResourceKey = (String, String);

/// (group, version, plural, kind, namespaced, short names, has status)
type Builtin = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    bool,
    &'static [&'static str],
    bool,
);

const BUILTIN: &[Builtin] = &[
    ("", "v1", "namespaces", "Namespace", false, &["ns"], true),
    ("", "v1", "configmaps", "ConfigMap", true, &["cm"], false),
    ("", "v1", "secrets", "Secret", true, &[], false),
    ("", "v1", "services", "Service", true, &["svc"], true),
    (
        "",
        "v1",
        "serviceaccounts",
        "ServiceAccount",
        true,
        &["sa"],
        false,
    ),
    (
        "",
        "v1",
        "persistentvolumeclaims",
        "PersistentVolumeClaim",
        true,
        &["pvc"],
        true,
    ),
    ("", "v1", "pods", "Pod", true, &["po"], true),
    ("", "v1", "events", "Event", true, &["ev"], false),
    (
        "apps",
        "v1",
        "deployments",
        "Deployment",
        true,
        &["deploy"],
        true,
    ),
    (
        "apps",
        "v1",
        "statefulsets",
        "StatefulSet",
        true,
        &["sts"],
        true,
    ),
    ("apps", "v1", "daemonsets", "DaemonSet", true, &["ds"], true),
    (
        "apps",
        "v1",
        "replicasets",
        "ReplicaSet",
        true,
        &["rs"],
        true,
    ),
    ("batch", "v1", "jobs", "Job", true, &[], true),
    ("batch", "v1", "cronjobs", "CronJob", true, &["cj"], true),
    (
        "networking.k8s.io",
        "v1",
        "ingresses",
        "Ingress",
        true,
        &["ing"],
        true,
    ),
    (
        "networking.k8s.io",
        "v1",
        "ingressclasses",
        "IngressClass",
        false,
        &[],
        false,
    ),
    (
        "networking.k8s.io",
        "v1",
        "networkpolicies",
        "NetworkPolicy",
        true,
        &["netpol"],
        false,
    ),
    (
        "policy",
        "v1",
        "poddisruptionbudgets",
        "PodDisruptionBudget",
        true,
        &["pdb"],
        true,
    ),
    (
        "autoscaling",
        "v2",
        "horizontalpodautoscalers",
        "HorizontalPodAutoscaler",
        true,
        &["hpa"],
        true,
    ),
    (
        "rbac.authorization.k8s.io",
        "v1",
        "roles",
        "Role",
        true,
        &[],
        false,
    ),
    (
        "rbac.authorization.k8s.io",
        "v1",
        "rolebindings",
        "RoleBinding",
        true,
        &[],
        false,
    ),
    (
        "rbac.authorization.k8s.io",
        "v1",
        "clusterroles",
        "ClusterRole",
        false,
        &[],
        false,
    ),
    (
        "rbac.authorization.k8s.io",
        "v1",
        "clusterrolebindings",
        "ClusterRoleBinding",
        false,
        &[],
        false,
    ),
    (
        "apiextensions.k8s.io",
        "v1",
        "customresourcedefinitions",
        "CustomResourceDefinition",
        false,
        &["crd", "crds"],
        true,
    ),
];

/// The resources in the `all` category.
const IN_ALL: &[&str] = &[
    "pods",
    "services",
    "deployments",
    "statefulsets",
    "daemonsets",
    "replicasets",
    "jobs",
    "cronjobs",
    "horizontalpodautoscalers",
];

/// Every served resource.
#[derive(Debug, Clone)]
pub struct Registry {
    resources: Vec<Resource>,
}

impl Registry {
    /// The built-in resources.
    pub fn builtin() -> Self {
        let resources = BUILTIN
            .iter()
            .map(
                |&(group, version, plural, kind, namespaced, short, has_status)| Resource {
                    group: group.into(),
                    versions: vec![version.into()],
                    plural: plural.into(),
                    singular: kind.to_ascii_lowercase(),
                    kind: kind.into(),
                    namespaced,
                    short_names: short.iter().map(|s| s.to_string()).collect(),
                    has_status,
                    custom: false,
                    categories: if IN_ALL.contains(&plural) {
                        vec!["all".into()]
                    } else {
                        Vec::new()
                    },
                },
            )
            .collect();
        Self { resources }
    }

    /// Every resource, built-in ones first.
    pub fn all(&self) -> &[Resource] {
        &self.resources
    }

    /// The resource served at `group/version/plural`.
    pub fn find(&self, group: &str, version: &str, plural: &str) -> Option<&Resource> {
        self.resources.iter().find(|r| {
            r.group == group && r.plural == plural && r.versions.iter().any(|v| v == version)
        })
    }

    /// The resource stored under `key`.
    pub fn by_key(&self, key: &ResourceKey) -> Option<&Resource> {
        self.resources
            .iter()
            .find(|r| r.group == key.0 && r.plural == key.1)
    }

    /// Groups and their versions, in the order discovery lists them.
    pub fn groups(&self) -> Vec<(String, Vec<String>)> {
        let mut groups: Vec<(String, Vec<String>)> = Vec::new();
        for resource in &self.resources {
            match groups.iter_mut().find(|(g, _)| *g == resource.group) {
                Some((_, versions)) => {
                    for version in &resource.versions {
                        if !versions.contains(version) {
                            versions.push(version.clone());
                        }
                    }
                }
                None => groups.push((resource.group.clone(), resource.versions.clone())),
            }
        }
        groups
    }

    /// Serves the custom resource a CustomResourceDefinition declares (replacing what an earlier
    /// version of it declared).
    pub fn register(&mut self, crd: &Value) -> Result<(), String> {
        let resource = custom_resource(crd)?;
        self.resources
            .retain(|r| !(r.custom && r.group == resource.group && r.plural == resource.plural));
        self.resources.push(resource);
        Ok(())
    }

    /// Stops serving the custom resource of `crd`; returns it.
    pub fn unregister(&mut self, crd: &Value) -> Option<Resource> {
        let resource = custom_resource(crd).ok()?;
        let at = self
            .resources
            .iter()
            .position(|r| r.custom && r.group == resource.group && r.plural == resource.plural)?;
        Some(self.resources.remove(at))
    }
}

/// `("apps", "v1")` from `apps/v1`, `("", "v1")` from `v1`.
pub fn split_api_version(api_version: &str) -> (&str, &str) {
    api_version.rsplit_once('/').unwrap_or(("", api_version))
}

/// The resource a CustomResourceDefinition declares.
fn custom_resource(crd: &Value) -> Result<Resource, String> {
    let spec = &crd["spec"];
    let text = |v: &Value, what: &str| {
        v.as_str()
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .ok_or_else(|| format!("spec.{what}: Required value"))
    };
    let group = text(&spec["group"], "group")?;
    let plural = text(&spec["names"]["plural"], "names.plural")?;
    let kind = text(&spec["names"]["kind"], "names.kind")?;
    let singular = spec["names"]["singular"]
        .as_str()
        .map_or_else(|| kind.to_ascii_lowercase(), str::to_string);
    let mut versions: Vec<(bool, String)> = spec["versions"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|v| v["served"].as_bool().unwrap_or(true))
        .filter_map(|v| {
            let storage = v["storage"].as_bool().unwrap_or(false);
            v["name"].as_str().map(|name| (!storage, name.to_string()))
        })
        .collect();
    if versions.is_empty() {
        return Err("spec.versions: Required value: must have exactly one version marked as storage version".into());
    }
    versions.sort_by_key(|(not_storage, _)| *not_storage);
    let short_names = spec["names"]["shortNames"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| s.as_str().map(str::to_string))
        .collect();
    let has_status = spec["versions"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|v| v["subresources"]["status"].is_object());
    Ok(Resource {
        group,
        versions: versions.into_iter().map(|(_, v)| v).collect(),
        plural,
        singular,
        kind,
        namespaced: spec["scope"].as_str() != Some("Cluster"),
        short_names,
        has_status,
        custom: true,
        categories: spec["names"]["categories"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|c| c.as_str().map(str::to_string))
            .collect(),
    })
}
