//! The identity of a Kubernetes object in a diff, (API group, kind, namespace, name), and which
//! kinds are namespaced: the built-in kinds are known here, custom kinds are learnt from the
//! CustomResourceDefinitions of the manifests and from the cluster's discovery.

use std::collections::HashMap;
use std::fmt;

/// Whether objects of a kind live in a namespace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Scope {
    /// In a namespace (Deployment, ConfigMap, most custom resources).
    Namespaced,
    /// Cluster-wide (Namespace, ClusterRole, CustomResourceDefinition...).
    Cluster,
}

/// Tells whether a kind is namespaced: the built-in table, the manifests' CRDs, discovery.
pub trait Scopes {
    /// The scope of `kind` in API group `group` (`""` for the core group), when known.
    fn scope(&self, group: &str, kind: &str) -> Option<Scope>;
}

/// The cluster-scoped kinds of Kubernetes itself; every other built-in kind is namespaced.
const CLUSTER_SCOPED: &[(&str, &str)] = &[
    ("", "Namespace"),
    ("", "Node"),
    ("", "PersistentVolume"),
    ("", "ComponentStatus"),
    ("rbac.authorization.k8s.io", "ClusterRole"),
    ("rbac.authorization.k8s.io", "ClusterRoleBinding"),
    ("apiextensions.k8s.io", "CustomResourceDefinition"),
    ("apiregistration.k8s.io", "APIService"),
    (
        "admissionregistration.k8s.io",
        "MutatingWebhookConfiguration",
    ),
    (
        "admissionregistration.k8s.io",
        "ValidatingWebhookConfiguration",
    ),
    ("admissionregistration.k8s.io", "ValidatingAdmissionPolicy"),
    (
        "admissionregistration.k8s.io",
        "ValidatingAdmissionPolicyBinding",
    ),
    ("admissionregistration.k8s.io", "MutatingAdmissionPolicy"),
    (
        "admissionregistration.k8s.io",
        "MutatingAdmissionPolicyBinding",
    ),
    ("storage.k8s.io", "StorageClass"),
    ("storage.k8s.io", "CSIDriver"),
    ("storage.k8s.io", "CSINode"),
    ("storage.k8s.io", "VolumeAttachment"),
    ("storage.k8s.io", "VolumeAttributesClass"),
    ("scheduling.k8s.io", "PriorityClass"),
    ("node.k8s.io", "RuntimeClass"),
    ("networking.k8s.io", "IngressClass"),
    ("networking.k8s.io", "IPAddress"),
    ("networking.k8s.io", "ServiceCIDR"),
    ("policy", "PodSecurityPolicy"),
    ("certificates.k8s.io", "CertificateSigningRequest"),
    ("certificates.k8s.io", "ClusterTrustBundle"),
    ("flowcontrol.apiserver.k8s.io", "FlowSchema"),
    ("flowcontrol.apiserver.k8s.io", "PriorityLevelConfiguration"),
    ("authentication.k8s.io", "TokenReview"),
    ("authentication.k8s.io", "SelfSubjectReview"),
    ("authorization.k8s.io", "SubjectAccessReview"),
    ("authorization.k8s.io", "SelfSubjectAccessReview"),
    ("authorization.k8s.io", "SelfSubjectRulesReview"),
    ("resource.k8s.io", "DeviceClass"),
    ("resource.k8s.io", "ResourceSlice"),
];

/// The API groups Kubernetes itself serves (the core group is `""`).
const BUILT_IN_GROUPS: &[&str] = &[
    "",
    "apps",
    "batch",
    "autoscaling",
    "policy",
    "networking.k8s.io",
    "rbac.authorization.k8s.io",
    "apiextensions.k8s.io",
    "apiregistration.k8s.io",
    "admissionregistration.k8s.io",
    "storage.k8s.io",
    "scheduling.k8s.io",
    "node.k8s.io",
    "certificates.k8s.io",
    "coordination.k8s.io",
    "discovery.k8s.io",
    "events.k8s.io",
    "flowcontrol.apiserver.k8s.io",
    "authentication.k8s.io",
    "authorization.k8s.io",
    "resource.k8s.io",
];

/// The scopes of Kubernetes' own kinds: cluster-scoped ones from a table, the rest of the
/// built-in groups namespaced, custom groups unknown.
#[derive(Debug, Clone, Copy, Default)]
pub struct BuiltinScopes;

impl Scopes for BuiltinScopes {
    fn scope(&self, group: &str, kind: &str) -> Option<Scope> {
        if CLUSTER_SCOPED.contains(&(group, kind)) {
            Some(Scope::Cluster)
        } else if BUILT_IN_GROUPS.contains(&group) {
            Some(Scope::Namespaced)
        } else {
            None
        }
    }
}

/// Scopes learnt at run time: from CustomResourceDefinitions and from the cluster's discovery.
#[derive(Debug, Clone, Default)]
pub struct KnownScopes {
    kinds: HashMap<(String, String), Scope>,
}

impl KnownScopes {
    /// Records the scope of `kind` in `group`.
    pub fn insert(&mut self, group: &str, kind: &str, scope: Scope) {
        self.kinds
            .insert((group.to_string(), kind.to_string()), scope);
    }

    /// Adds what `other` learnt (its entries win).
    pub fn extend(&mut self, other: &KnownScopes) {
        self.kinds
            .extend(other.kinds.iter().map(|(k, v)| (k.clone(), *v)));
    }

    /// Records the kind a CustomResourceDefinition object (as JSON) defines; ignores anything else.
    pub fn learn_crd(&mut self, object: &serde_json::Value) {
        let is_crd = object["kind"] == "CustomResourceDefinition"
            && object["apiVersion"]
                .as_str()
                .is_some_and(|v| v.starts_with("apiextensions.k8s.io/"));
        let spec = &object["spec"];
        if let (true, Some(group), Some(kind)) = (
            is_crd,
            spec["group"].as_str(),
            spec["names"]["kind"].as_str(),
        ) {
            let scope = match spec["scope"].as_str() {
                Some("Cluster") => Scope::Cluster,
                _ => Scope::Namespaced,
            };
            self.insert(group, kind, scope);
        }
    }

    /// The built-in table first, then what was learnt.
    pub fn scope(&self, group: &str, kind: &str) -> Option<Scope> {
        BuiltinScopes.scope(group, kind).or_else(|| {
            self.kinds
                .get(&(group.to_string(), kind.to_string()))
                .copied()
        })
    }
}

impl Scopes for KnownScopes {
    fn scope(&self, group: &str, kind: &str) -> Option<Scope> {
        KnownScopes::scope(self, group, kind)
    }
}

/// Which object: its API group (not version: `apps/v1` and `apps/v1beta2` name the same object),
/// kind, namespace (`None` for cluster-scoped kinds) and name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ObjectKey {
    /// The API group, `""` for the core group.
    pub group: String,
    /// The kind, e.g. `Deployment`.
    pub kind: String,
    /// The namespace; `None` for cluster-scoped objects.
    pub namespace: Option<String>,
    /// The name.
    pub name: String,
}

impl ObjectKey {
    /// The key of an object whose `apiVersion` is `api_version`.
    pub fn new(api_version: &str, kind: &str, namespace: Option<&str>, name: &str) -> ObjectKey {
        ObjectKey {
            group: group_of(api_version).to_string(),
            kind: kind.to_string(),
            namespace: namespace.map(str::to_string),
            name: name.to_string(),
        }
    }

    /// `Kind.group` as kubectl writes it (`Deployment.apps`, `ConfigMap`).
    pub fn kind_and_group(&self) -> String {
        if self.group.is_empty() {
            self.kind.clone()
        } else {
            format!("{}.{}", self.kind, self.group)
        }
    }

    /// Whether this is a core `Secret`, whose values are masked.
    pub fn is_secret(&self) -> bool {
        self.group.is_empty() && self.kind == "Secret"
    }
}

impl fmt::Display for ObjectKey {
    /// `Deployment.apps backend/api`, `ClusterRole.rbac.authorization.k8s.io reader`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ", self.kind_and_group())?;
        if let Some(namespace) = &self.namespace {
            write!(f, "{namespace}/")?;
        }
        f.write_str(&self.name)
    }
}

/// The group of an `apiVersion`: `apps/v1` → `apps`, `v1` → `""`.
pub fn group_of(api_version: &str) -> &str {
    api_version.rsplit_once('/').map_or("", |(group, _)| group)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_kinds_have_known_scopes_and_custom_ones_are_learnt() {
        let mut scopes = KnownScopes::default();
        assert_eq!(scopes.scope("", "ConfigMap"), Some(Scope::Namespaced));
        assert_eq!(scopes.scope("", "Namespace"), Some(Scope::Cluster));
        assert_eq!(
            scopes.scope("rbac.authorization.k8s.io", "ClusterRole"),
            Some(Scope::Cluster)
        );
        assert_eq!(scopes.scope("example.com", "Widget"), None);
        let crd: serde_json::Value = serde_json::json!({
            "apiVersion": "apiextensions.k8s.io/v1",
            "kind": "CustomResourceDefinition",
            "spec": {"group": "example.com", "scope": "Cluster", "names": {"kind": "Widget"}}
        });
        scopes.learn_crd(&crd);
        assert_eq!(scopes.scope("example.com", "Widget"), Some(Scope::Cluster));
    }

    #[test]
    fn keys_print_as_kubectl_names_them() {
        let key = ObjectKey::new("apps/v1", "Deployment", Some("backend"), "api");
        assert_eq!(key.to_string(), "Deployment.apps backend/api");
        let key = ObjectKey::new("v1", "Namespace", None, "backend");
        assert_eq!(key.to_string(), "Namespace backend");
        assert!(ObjectKey::new("v1", "Secret", Some("a"), "b").is_secret());
        assert!(!ObjectKey::new("example.com/v1", "Secret", Some("a"), "b").is_secret());
    }
}
