//! Rendered templates into manifests and hooks as helm's `releaseutil.SortManifests` makes
//! them: split on `---`, each document's head read (`apiVersion`, `kind`, `metadata.name`,
//! annotations), hooks picked out by `helm.sh/hook`, both sorted by helm's install order.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use regex::Regex;

use super::error::ChartError;
use super::metadata::{field_error, string};
use super::values::Warnings;
use crate::template::{Value, cannot_unmarshal, read_yaml_typed};

/// A rendered resource: the template it came from and its text.
#[derive(Debug, Clone)]
pub(crate) struct Manifest {
    /// The template's path (`app/templates/svc.yaml`).
    pub name: String,
    /// The document, trimmed.
    pub content: String,
    /// Its `kind`.
    pub kind: String,
}

/// A rendered hook.
#[derive(Debug, Clone)]
pub(crate) struct Hook {
    /// The template's path.
    pub path: String,
    /// The document, trimmed.
    pub manifest: String,
    /// Its `kind`.
    pub kind: String,
    /// Whether it runs for `helm test` (`--skip-tests` drops it).
    pub is_test: bool,
}

/// helm's install order of kinds; others come after, by name.
const INSTALL_ORDER: &[&str] = &[
    "PriorityClass",
    "Namespace",
    "NetworkPolicy",
    "ResourceQuota",
    "LimitRange",
    "PodSecurityPolicy",
    "PodDisruptionBudget",
    "ServiceAccount",
    "Secret",
    "SecretList",
    "ConfigMap",
    "StorageClass",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "CustomResourceDefinition",
    "ClusterRole",
    "ClusterRoleList",
    "ClusterRoleBinding",
    "ClusterRoleBindingList",
    "Role",
    "RoleList",
    "RoleBinding",
    "RoleBindingList",
    "Service",
    "DaemonSet",
    "Pod",
    "ReplicationController",
    "ReplicaSet",
    "Deployment",
    "HorizontalPodAutoscaler",
    "StatefulSet",
    "Job",
    "CronJob",
    "IngressClass",
    "Ingress",
    "APIService",
];

const HOOK_EVENTS: &[&str] = &[
    "pre-install",
    "post-install",
    "pre-delete",
    "post-delete",
    "pre-upgrade",
    "post-upgrade",
    "pre-rollback",
    "post-rollback",
    "test",
    "test-success",
];

static SEPARATOR: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"(?:^|[\t\n\f\r ]*\n)---[\t\n\f\r ]*").ok());

/// helm's `SplitManifests`: the non-empty documents of a rendered file, trimmed, in order.
pub(crate) fn split_manifests(text: &str) -> Vec<String> {
    let trimmed = text.trim();
    let docs: Vec<&str> = match SEPARATOR.as_ref() {
        Some(re) => re.split(trimmed).collect(),
        None => vec![trimmed],
    };
    docs.into_iter()
        .filter(|d| !d.is_empty())
        .map(|d| d.trim().to_owned())
        .collect()
}

/// helm's `SortManifests` with `InstallOrder`: the hooks and the other manifests of the
/// rendered templates (partials, empty files and `NOTES.txt` already left out by the caller).
pub(crate) fn sort_manifests(
    files: &BTreeMap<String, String>,
    warnings: &mut Warnings,
) -> Result<(Vec<Hook>, Vec<Manifest>), ChartError> {
    let mut hooks = Vec::new();
    let mut generic = Vec::new();
    for (path, content) in files {
        if path.rsplit('/').next().unwrap_or(path).starts_with('_') || content.trim().is_empty() {
            continue;
        }
        for doc in split_manifests(content) {
            let head = Head::read(&doc).map_err(|message| ChartError::Manifest {
                template: path.clone(),
                message,
            })?;
            let Some(hook_types) = head.annotations.get("helm.sh/hook") else {
                generic.push(Manifest {
                    name: path.clone(),
                    content: doc,
                    kind: head.kind,
                });
                continue;
            };
            let mut is_test = false;
            let mut unknown = false;
            for t in hook_types.split(',') {
                let t = t.trim().to_lowercase();
                if !HOOK_EVENTS.contains(&t.as_str()) {
                    unknown = true;
                    break;
                }
                is_test |= t == "test" || t == "test-success";
            }
            if unknown {
                warnings.push(format!("info: skipping unknown hook: {hook_types:?}"));
                continue;
            }
            hooks.push(Hook {
                path: path.clone(),
                manifest: doc,
                kind: head.kind,
                is_test,
            });
        }
    }
    hooks.sort_by(|a, b| kind_order(&a.kind, &b.kind));
    generic.sort_by(|a, b| kind_order(&a.kind, &b.kind));
    Ok((hooks, generic))
}

/// helm's `lessByKind` as an ordering (sorts using it are stable).
fn kind_order(a: &str, b: &str) -> std::cmp::Ordering {
    let pos = |k: &str| INSTALL_ORDER.iter().position(|x| *x == k);
    match (pos(a), pos(b)) {
        (Some(x), Some(y)) => x.cmp(&y),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => a.cmp(b),
    }
}

/// helm's `SimpleHead`: what it reads of each document.
#[derive(Debug, Default)]
struct Head {
    kind: String,
    annotations: BTreeMap<String, String>,
}

impl Head {
    /// Reads a document as `sigs.k8s.io/yaml.Unmarshal` into `SimpleHead` does.
    fn read(doc: &str) -> Result<Head, String> {
        let v = read_yaml_typed(doc)?;
        let mut head = Head::default();
        let m = match v {
            Value::Nil => return Ok(head),
            Value::Map(m) => m,
            other => {
                return Err(cannot_unmarshal(&other, "releaseutil.SimpleHead"));
            }
        };
        for (k, val) in m.entries() {
            if k.eq_ignore_ascii_case("kind") {
                head.kind = string(&val, "SimpleHead.kind of type string")?;
            } else if k.eq_ignore_ascii_case("apiVersion") {
                string(&val, "SimpleHead.apiVersion of type string")?;
            } else if k.eq_ignore_ascii_case("metadata") {
                match val {
                    Value::Nil => {}
                    Value::Map(md) => {
                        for (mk, mv) in md.entries() {
                            if mk.eq_ignore_ascii_case("name") {
                                string(&mv, "SimpleHead.metadata.name of type string")?;
                            } else if mk.eq_ignore_ascii_case("annotations") {
                                head.annotations = annotations(&mv)?;
                            }
                        }
                    }
                    other => {
                        return Err(field_error(
                            &other,
                            "SimpleHead.metadata of type struct { Name string \"json:\\\"name\\\"\"; Annotations map[string]string \"json:\\\"annotations\\\"\" }",
                        ));
                    }
                }
            }
        }
        Ok(head)
    }
}

fn annotations(v: &Value) -> Result<BTreeMap<String, String>, String> {
    match v {
        Value::Nil => Ok(BTreeMap::new()),
        Value::Map(m) => m
            .entries()
            .into_iter()
            .map(|(k, x)| {
                Ok((
                    k,
                    string(&x, "SimpleHead.metadata.annotations of type string")?,
                ))
            })
            .collect(),
        other => Err(field_error(
            other,
            "SimpleHead.metadata.annotations of type map[string]string",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_like_helm() {
        assert_eq!(
            split_manifests("\n---\na: 1\n---  \n\nb: 2\n--- # c\nc: 3\n---\n"),
            ["a: 1", "b: 2", "# c\nc: 3"]
        );
    }

    #[test]
    fn unknown_kinds_sort_after_known_ones_by_name() {
        let mut kinds = vec!["Zeta", "Deployment", "Alpha", "Namespace", ""];
        kinds.sort_by(|a, b| kind_order(a, b));
        assert_eq!(kinds, ["Namespace", "Deployment", "", "Alpha", "Zeta"]);
    }
}
