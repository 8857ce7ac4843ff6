//! `[kubeContext/]namespace/name`: how Helmfile identifies a release, and how it reads `needs`.

use std::fmt;

/// A release's identity within a run (Helmfile's `ReleaseToID`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ReleaseId {
    kube_context: String,
    namespace: String,
    name: String,
}

impl ReleaseId {
    /// The id of a release with these (possibly unset) kube context and namespace.
    pub fn new(kube_context: Option<&str>, namespace: Option<&str>, name: &str) -> Self {
        Self {
            kube_context: kube_context.unwrap_or_default().to_string(),
            namespace: namespace.unwrap_or_default().to_string(),
            name: name.to_string(),
        }
    }

    /// The release a `needs` entry of `self` means: `name` and `namespace/name` take the missing
    /// parts from the needing release, `context/namespace/name` is complete.
    pub fn resolve_need(&self, need: &str) -> Self {
        let parts: Vec<&str> = need.split('/').collect();
        let name = parts.last().copied().unwrap_or_default();
        let namespace = if parts.len() > 1 {
            parts[parts.len() - 2]
        } else {
            &self.namespace
        };
        let kube_context = if parts.len() > 2 {
            parts[..parts.len() - 2].join("/")
        } else {
            self.kube_context.clone()
        };
        Self {
            kube_context,
            namespace: namespace.to_string(),
            name: name.to_string(),
        }
    }

    /// The release name.
    pub fn name(&self) -> &str {
        &self.name
    }
}

impl fmt::Display for ReleaseId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.kube_context.is_empty() {
            write!(f, "{}/", self.kube_context)?;
            if self.namespace.is_empty() {
                // Helmfile writes `ctx//name` so it differs from namespace `ctx`, name `name`.
                f.write_str("/")?;
            }
        }
        if !self.namespace.is_empty() {
            write!(f, "{}/", self.namespace)?;
        }
        f.write_str(&self.name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn displays_like_helmfile() {
        assert_eq!(ReleaseId::new(None, None, "a").to_string(), "a");
        assert_eq!(ReleaseId::new(None, Some("ns"), "a").to_string(), "ns/a");
        assert_eq!(
            ReleaseId::new(Some("kc"), Some("ns"), "a").to_string(),
            "kc/ns/a"
        );
        assert_eq!(ReleaseId::new(Some("kc"), None, "a").to_string(), "kc//a");
    }

    #[test]
    fn needs_take_missing_parts_from_the_needing_release() {
        let from = ReleaseId::new(Some("kc"), Some("apps"), "web");
        assert_eq!(from.resolve_need("api").to_string(), "kc/apps/api");
        assert_eq!(from.resolve_need("data/db").to_string(), "kc/data/db");
        assert_eq!(
            from.resolve_need("other/data/db").to_string(),
            "other/data/db"
        );
        let plain = ReleaseId::new(None, None, "web");
        assert_eq!(plain.resolve_need("api").to_string(), "api");
    }
}
