//! Which helm we drive: 3.x and 4.x differ in flag names and defaults.

use std::fmt;

/// A helm release version, as `helm version --short` prints it (`v3.17.3+ge4da497`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct HelmVersion {
    /// Major version: 3 or 4.
    pub major: u32,
    /// Minor version.
    pub minor: u32,
    /// Patch version.
    pub patch: u32,
}

impl HelmVersion {
    /// Parses `helm version --short` output; `None` when it is not a version.
    pub fn parse(output: &str) -> Option<Self> {
        let text = output.trim().trim_start_matches('v');
        let core = text.split(['+', '-']).next()?;
        let mut parts = core.split('.').map(|p| p.parse::<u32>().ok());
        Some(Self {
            major: parts.next()??,
            minor: parts.next()??,
            patch: parts.next().flatten().unwrap_or(0),
        })
    }

    /// Helm 4 renamed `--atomic` to `--rollback-on-failure` and `--force` to `--force-replace`, and
    /// applies server-side by default.
    pub fn is_helm4(&self) -> bool {
        self.major >= 4
    }
}

impl fmt::Display for HelmVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "v{}.{}.{}", self.major, self.minor, self.patch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_short_versions_of_helm_3_and_4() {
        let v3 = HelmVersion::parse("v3.17.3+ge4da497\n");
        assert_eq!(
            v3,
            Some(HelmVersion {
                major: 3,
                minor: 17,
                patch: 3
            })
        );
        let v4 = HelmVersion::parse("v4.1.4+g05fa379");
        assert_eq!(
            v4.map(|v| (v.is_helm4(), v.to_string())),
            Some((true, "v4.1.4".to_string()))
        );
        assert_eq!(HelmVersion::parse("Error: unknown flag"), None);
    }
}
