//! Which version a constraint picks, as helm's resolver does: the newest version that satisfies
//! it (Masterminds/semver rules; pre-releases only when the constraint names one).

use crate::template::funcs::semver::{Version, VersionConstraint};

/// Why no version could be picked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unresolved {
    /// The constraint is not a version or a range.
    BadConstraint,
    /// Nothing satisfies it.
    NoMatch,
}

/// Picks the newest of `available` (newest first) that satisfies `constraint`; an empty
/// constraint means the newest release (or, with `devel`, the newest pre-release too).
pub fn resolve_version(
    constraint: &str,
    devel: bool,
    available: &[String],
) -> Result<String, Unresolved> {
    let constraint = match constraint.trim() {
        "" if devel => ">0.0.0-0",
        "" => "*",
        text => text,
    };
    let constraint = VersionConstraint::parse(constraint).ok_or(Unresolved::BadConstraint)?;
    available
        .iter()
        .find(|text| Version::parse(text).is_some_and(|v| constraint.matches(&v)))
        .cloned()
        .ok_or(Unresolved::NoMatch)
}

/// Whether `constraint` names exactly one version (`1.2.3`, `v1.2.3-rc.1`), so no index is
/// needed to know what it picks.
pub fn is_exact(constraint: &str) -> bool {
    Version::parse(constraint.trim()).is_some_and(|v| v.is_complete())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn versions() -> Vec<String> {
        ["1.0.0-rc.1", "0.2.0", "0.1.10", "0.1.3"]
            .map(String::from)
            .to_vec()
    }

    #[test]
    fn picks_the_newest_match_as_helm_does() {
        assert_eq!(
            resolve_version("~0.1.0", false, &versions()),
            Ok("0.1.10".into())
        );
        assert_eq!(resolve_version("", false, &versions()), Ok("0.2.0".into()));
        assert_eq!(
            resolve_version("", true, &versions()),
            Ok("1.0.0-rc.1".into())
        );
        assert_eq!(
            resolve_version(">=0.1.0 <0.2.0", false, &versions()),
            Ok("0.1.10".into())
        );
        assert_eq!(
            resolve_version("0.1.3", false, &versions()),
            Ok("0.1.3".into())
        );
        assert_eq!(
            resolve_version("~9.0", false, &versions()),
            Err(Unresolved::NoMatch)
        );
        assert_eq!(
            resolve_version("latest", false, &versions()),
            Err(Unresolved::BadConstraint)
        );
    }

    #[test]
    fn exact_versions_need_no_index() {
        assert!(is_exact("1.2.3"));
        assert!(is_exact("v1.2.3-rc.1"));
        assert!(!is_exact("1.2"));
        assert!(!is_exact("~1.2.3"));
        assert!(!is_exact(""));
    }
}
