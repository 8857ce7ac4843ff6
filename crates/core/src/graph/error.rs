//! What can be wrong with the graph: `needs` naming no release, cycles, malformed selectors.

use crate::location::Location;

/// An invalid dependency graph or selector.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum GraphError {
    /// A `needs` entry names a release that does not exist.
    #[error(
        "{location}: release \"{release}\" needs \"{need}\", which is not defined{}",
        .suggestion.as_ref().map(|s| format!(" (did you mean \"{s}\"?)")).unwrap_or_default()
    )]
    UnknownNeed {
        /// The `needs` entry.
        location: Location,
        /// The needing release's id.
        release: String,
        /// The needed id, as resolved.
        need: String,
        /// The closest existing id.
        suggestion: Option<String>,
    },
    /// Releases need each other in a circle.
    #[error("{}: dependency cycle: {}", .cycle[0].1, cycle_text(.cycle))]
    Cycle {
        /// The releases of the cycle in order, each with where it is defined.
        cycle: Vec<(String, Location)>,
    },
    /// A `-l` selector is malformed.
    #[error("invalid selector \"{selector}\": expected key=value or key!=value, comma-separated")]
    InvalidSelector {
        /// The selector as given.
        selector: String,
    },
}

impl GraphError {
    /// A suggestion of what to do about the error.
    pub fn hint(&self) -> Option<String> {
        Some(match self {
            Self::UnknownNeed { .. } => {
                "needs entries are name, namespace/name or kubeContext/namespace/name; a bare name means the needing release's namespace".into()
            }
            Self::Cycle { .. } => "remove one of these needs so the releases can be ordered".into(),
            Self::InvalidSelector { .. } => "for example: -l tier=web,name!=legacy".into(),
        })
    }
}

fn cycle_text(cycle: &[(String, Location)]) -> String {
    let mut parts: Vec<String> = cycle
        .iter()
        .map(|(id, at)| format!("{id} ({at})"))
        .collect();
    if let Some((first, _)) = cycle.first() {
        parts.push(first.clone());
    }
    parts.join(" -> ")
}
