//! The identity of a release, `[kubeContext/]namespace/name`, formed as Helmfile forms it.

use std::fmt;

/// A release's identity: its kubeContext, namespace and name, each empty when not set.
///
/// Displayed as Helmfile's `ReleaseToID` does: `name`, `namespace/name`,
/// `kubeContext/namespace/name`, and `kubeContext//name` when only the context is set (so that
/// it is not confused with `namespace/name`). An unset namespace is not the same as `default`:
/// which namespace helm uses then depends on the kubeconfig. Ordered by context, then namespace,
/// then name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ReleaseId {
    kube_context: String,
    namespace: String,
    name: String,
}

impl ReleaseId {
    /// The id of release `name` in `namespace` on `kube_context` (pass `""` for an unset one).
    pub fn new(
        kube_context: impl Into<String>,
        namespace: impl Into<String>,
        name: impl Into<String>,
    ) -> Self {
        Self {
            kube_context: kube_context.into(),
            namespace: namespace.into(),
            name: name.into(),
        }
    }

    /// The kubeContext, empty when the release does not set one.
    pub fn kube_context(&self) -> &str {
        &self.kube_context
    }

    /// The namespace, empty when the release does not set one.
    pub fn namespace(&self) -> &str {
        &self.namespace
    }

    /// The release name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Resolves a `needs` entry written in release `self`, as Helmfile 1.x does.
    ///
    /// `name` means the same namespace and kubeContext as `self`; `namespace/name` the same
    /// kubeContext; `kubeContext/namespace/name` is absolute (everything before the last two
    /// parts is the context, since context names may contain `/`). An empty part is kept empty:
    /// `/name` is the release without namespace. `None` when the entry has no name (empty or
    /// ending in `/`).
    pub fn resolve_need(&self, entry: &str) -> Option<ReleaseId> {
        let (rest, name) = match entry.rsplit_once('/') {
            Some((rest, name)) => (Some(rest), name),
            None => (None, entry),
        };
        if name.is_empty() {
            return None;
        }
        let (kube_context, namespace) = match rest {
            None => (self.kube_context.as_str(), self.namespace.as_str()),
            Some(rest) => match rest.rsplit_once('/') {
                None => (self.kube_context.as_str(), rest),
                Some((kube_context, namespace)) => (kube_context, namespace),
            },
        };
        Some(ReleaseId::new(kube_context, namespace, name))
    }

    /// The shortest `needs` entry that release `from` can write to mean `self`: the inverse of
    /// [`ReleaseId::resolve_need`], used to suggest a fix.
    pub fn need_entry_from(&self, from: &ReleaseId) -> String {
        if self.kube_context != from.kube_context {
            format!("{}/{}/{}", self.kube_context, self.namespace, self.name)
        } else if self.namespace != from.namespace {
            format!("{}/{}", self.namespace, self.name)
        } else {
            self.name.clone()
        }
    }
}

/// Serialised as its text, `[kubeContext/]namespace/name`.
impl serde::Serialize for ReleaseId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl fmt::Display for ReleaseId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.kube_context.is_empty() {
            write!(f, "{}/{}/", self.kube_context, self.namespace)?;
        } else if !self.namespace.is_empty() {
            write!(f, "{}/", self.namespace)?;
        }
        f.write_str(&self.name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn displays_like_helmfile_release_to_id() {
        assert_eq!(ReleaseId::new("", "", "web").to_string(), "web");
        assert_eq!(ReleaseId::new("", "apps", "web").to_string(), "apps/web");
        assert_eq!(
            ReleaseId::new("prod", "apps", "web").to_string(),
            "prod/apps/web"
        );
        assert_eq!(ReleaseId::new("prod", "", "web").to_string(), "prod//web");
    }

    #[test]
    fn orders_by_context_then_namespace_then_name() {
        let mut ids = [
            ReleaseId::new("b", "a", "a"),
            ReleaseId::new("", "b", "a"),
            ReleaseId::new("", "a", "b"),
            ReleaseId::new("", "a", "a"),
        ];
        ids.sort();
        let shown: Vec<String> = ids.iter().map(ToString::to_string).collect();
        assert_eq!(shown, ["a/a", "a/b", "b/a", "b/a/a"]);
    }

    #[test]
    fn a_bare_name_inherits_namespace_and_context() {
        let web = ReleaseId::new("prod", "apps", "web");
        assert_eq!(
            web.resolve_need("db"),
            Some(ReleaseId::new("prod", "apps", "db"))
        );
    }

    #[test]
    fn namespace_slash_name_inherits_the_context() {
        let web = ReleaseId::new("prod", "apps", "web");
        assert_eq!(
            web.resolve_need("data/db"),
            Some(ReleaseId::new("prod", "data", "db"))
        );
        assert_eq!(
            web.resolve_need("/db"),
            Some(ReleaseId::new("prod", "", "db"))
        );
    }

    #[test]
    fn three_parts_are_absolute_and_the_context_may_contain_slashes() {
        let web = ReleaseId::new("prod", "apps", "web");
        assert_eq!(
            web.resolve_need("stage/data/db"),
            Some(ReleaseId::new("stage", "data", "db"))
        );
        assert_eq!(
            web.resolve_need("arn:aws:eks:eu/cluster/x/data/db"),
            Some(ReleaseId::new("arn:aws:eks:eu/cluster/x", "data", "db"))
        );
        assert_eq!(
            web.resolve_need("/data/db"),
            Some(ReleaseId::new("", "data", "db"))
        );
    }

    #[test]
    fn an_entry_without_a_name_is_rejected() {
        let web = ReleaseId::new("", "apps", "web");
        assert_eq!(web.resolve_need(""), None);
        assert_eq!(web.resolve_need("data/"), None);
    }

    #[test]
    fn need_entry_from_is_the_inverse_of_resolve_need() {
        let from = ReleaseId::new("prod", "apps", "web");
        for target in [
            ReleaseId::new("prod", "apps", "db"),
            ReleaseId::new("prod", "data", "db"),
            ReleaseId::new("prod", "", "db"),
            ReleaseId::new("stage", "data", "db"),
            ReleaseId::new("", "data", "db"),
            ReleaseId::new("", "", "db"),
        ] {
            let entry = target.need_entry_from(&from);
            assert_eq!(from.resolve_need(&entry), Some(target), "entry {entry}");
        }
        assert_eq!(
            ReleaseId::new("prod", "data", "db").need_entry_from(&from),
            "data/db"
        );
    }
}
