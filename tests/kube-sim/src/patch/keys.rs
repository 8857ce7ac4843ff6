//! Which lists of the built-in kinds merge item by item, and by which key: the
//! `patchMergeKey`/`listMapKeys` of the Kubernetes types that helm charts set. Every other list
//! is atomic (replaced whole).

/// How a list merges.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListKind {
    /// Replaced whole.
    Atomic,
    /// A set of scalars (`metadata.finalizers`).
    Set,
    /// Items identified by these fields (strategic merge uses the first; server-side apply all,
    /// with `protocol` defaulting to `TCP`).
    Map(&'static [&'static str]),
}

/// (path suffix of field names, list kind); the first rule whose suffix ends the path wins.
const RULES: &[(&[&str], ListKind)] = &[
    (&["metadata", "finalizers"], ListKind::Set),
    (&["metadata", "ownerReferences"], ListKind::Map(&["uid"])),
    (
        &["containers", "ports"],
        ListKind::Map(&["containerPort", "protocol"]),
    ),
    (
        &["initContainers", "ports"],
        ListKind::Map(&["containerPort", "protocol"]),
    ),
    (&["containers"], ListKind::Map(&["name"])),
    (&["initContainers"], ListKind::Map(&["name"])),
    (&["ephemeralContainers"], ListKind::Map(&["name"])),
    (&["env"], ListKind::Map(&["name"])),
    (&["volumeMounts"], ListKind::Map(&["mountPath"])),
    (&["volumeDevices"], ListKind::Map(&["devicePath"])),
    (&["volumes"], ListKind::Map(&["name"])),
    (&["imagePullSecrets"], ListKind::Map(&["name"])),
    (&["hostAliases"], ListKind::Map(&["ip"])),
    (
        &["topologySpreadConstraints"],
        ListKind::Map(&["topologyKey", "whenUnsatisfiable"]),
    ),
    (&["resourceClaims"], ListKind::Map(&["name"])),
    (&["schedulingGates"], ListKind::Map(&["name"])),
    (&["conditions"], ListKind::Map(&["type"])),
];

/// Lists that only exist at one place: Service ports and ServiceAccount secrets.
const ROOT_RULES: &[(&str, &[&str], ListKind)] = &[
    (
        "Service",
        &["spec", "ports"],
        ListKind::Map(&["port", "protocol"]),
    ),
    ("ServiceAccount", &["secrets"], ListKind::Map(&["name"])),
];

/// How the list at `path` (field names from the object root, list positions left out) of an
/// object of `kind` merges. Custom resources (`builtin` false) only have atomic lists.
pub fn list_kind(kind: &str, builtin: bool, path: &[String]) -> ListKind {
    if !builtin {
        return ListKind::Atomic;
    }
    if let Some((_, _, list)) = ROOT_RULES
        .iter()
        .find(|(k, p, _)| *k == kind && p.iter().eq(path.iter()))
    {
        return *list;
    }
    RULES
        .iter()
        .find(|(suffix, _)| {
            path.len() >= suffix.len()
                && path[path.len() - suffix.len()..]
                    .iter()
                    .zip(suffix.iter())
                    .all(|(a, b)| a == b)
        })
        .map_or(ListKind::Atomic, |(_, list)| *list)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(p: &str) -> Vec<String> {
        p.split('.').map(str::to_string).collect()
    }

    #[test]
    fn finds_keys_by_path() {
        let containers = list_kind("Deployment", true, &path("spec.template.spec.containers"));
        assert_eq!(containers, ListKind::Map(&["name"]));
        let ports = list_kind(
            "Deployment",
            true,
            &path("spec.template.spec.containers.ports"),
        );
        assert_eq!(ports, ListKind::Map(&["containerPort", "protocol"]));
        assert_eq!(
            list_kind("Service", true, &path("spec.ports")),
            ListKind::Map(&["port", "protocol"])
        );
        assert_eq!(
            list_kind("Deployment", true, &path("spec.ports")),
            ListKind::Atomic
        );
        assert_eq!(
            list_kind("Widget", false, &path("spec.containers")),
            ListKind::Atomic
        );
        assert_eq!(
            list_kind("ConfigMap", true, &path("metadata.finalizers")),
            ListKind::Set
        );
    }
}
