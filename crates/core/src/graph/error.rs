//! Errors of the release graph: bad `needs`, cycles, duplicate releases, bad selectors.

use std::fmt;

use crate::graph::ReleaseId;
use crate::location::Location;

/// Everything that can be wrong with the releases' `needs`, the selectors, or a scheduler call.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum GraphError {
    /// Two releases have the same `[kubeContext/]namespace/name`.
    #[error("{second}: release \"{id}\" is defined twice (first at {first})")]
    DuplicateRelease {
        /// The id both releases share.
        id: ReleaseId,
        /// Where the first one is defined.
        first: Location,
        /// Where the second one is defined.
        second: Location,
    },

    /// A `needs` entry has no release name (empty, or ending in `/`).
    #[error(
        "{location}: release \"{release}\" has a needs entry \"{entry}\" without a release name"
    )]
    InvalidNeed {
        /// Where the entry is written.
        location: Location,
        /// The release whose `needs` holds the entry.
        release: ReleaseId,
        /// The entry as written.
        entry: String,
    },

    /// A `needs` entry names a release that is not defined.
    #[error(
        "{location}: release \"{release}\" needs \"{entry}\"{}, which is not defined{}",
        read_as(entry, need),
        suggestion.as_ref().map(|s| format!(" (did you mean \"{s}\"?)")).unwrap_or_default()
    )]
    UnknownNeed {
        /// Where the entry is written.
        location: Location,
        /// The release whose `needs` holds the entry.
        release: ReleaseId,
        /// The entry as written.
        entry: String,
        /// The id the entry resolves to.
        need: ReleaseId,
        /// The entry to write instead, for the closest defined release, if one is close.
        suggestion: Option<String>,
    },

    /// Releases need each other in a cycle.
    #[error("{}", CycleDisplay(steps))]
    Cycle {
        /// Each release of the cycle and the `needs` entry leading to the next one; the last
        /// entry leads back to the first release.
        steps: Vec<CycleStep>,
    },

    /// With [`crate::graph::NeedsMode::Strict`], a selected release needs one that is not selected.
    #[error("{location}: release \"{release}\" needs \"{need}\", which the selectors do not match")]
    NeedNotSelected {
        /// Where the `needs` entry is written.
        location: Location,
        /// The selected release.
        release: ReleaseId,
        /// The release it needs.
        need: ReleaseId,
    },

    /// A `-l`/`--selector` value is not a list of `key=value` or `key!=value`.
    #[error("invalid selector \"{selector}\": \"{term}\" is not key=value or key!=value")]
    InvalidSelector {
        /// The whole selector as given.
        selector: String,
        /// The comma-separated part that is wrong.
        term: String,
    },

    /// A scheduler was told that a release finished which it had not handed out.
    #[error("release \"{id}\" was reported finished but was not running")]
    NotRunning {
        /// The release reported.
        id: ReleaseId,
    },
}

/// One link of a dependency cycle: a release and the `needs` entry that points to the next one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CycleStep {
    /// The release.
    pub release: ReleaseId,
    /// Where the release is defined.
    pub defined_at: Location,
    /// The release its `needs` entry names (the next one in the cycle).
    pub needs: ReleaseId,
    /// Where that `needs` entry is written.
    pub needs_at: Location,
}

fn read_as(entry: &str, need: &ReleaseId) -> String {
    let resolved = need.to_string();
    if resolved == entry {
        String::new()
    } else {
        format!(" (read as \"{resolved}\")")
    }
}

impl GraphError {
    /// What to do about the error, shown under it.
    pub fn hint(&self) -> Option<String> {
        Some(match self {
            Self::DuplicateRelease { .. } => "give one of them another name, namespace or kubeContext".into(),
            Self::InvalidNeed { .. } => "write [[kubeContext/]namespace/]name".into(),
            Self::UnknownNeed { .. } => "write [[kubeContext/]namespace/]name; a bare name means the same \
                                         namespace and kubeContext as the release"
                .into(),
            Self::Cycle { .. } => "remove one of these needs entries to break the cycle".into(),
            Self::NeedNotSelected { need, .. } => format!(
                "add a selector like `-l name={}`, or pass --include-needs or --skip-needs",
                need.name()
            ),
            Self::InvalidSelector { .. } => "keys and values are made of letters, digits and _ . / + -, \
                                             several are joined with `,`, e.g. `-l tier=backend,name!=web`"
                .into(),
            Self::NotRunning { .. } => return None,
        })
    }
}

/// Formats a cycle as `a -> b -> a`, then one line per link with its file positions.
struct CycleDisplay<'a>(&'a [CycleStep]);

impl fmt::Display for CycleDisplay<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Some(first) = self.0.first() else {
            return f.write_str("dependency cycle");
        };
        write!(f, "{}: dependency cycle: ", first.needs_at)?;
        for step in self.0 {
            write!(f, "{} -> ", step.release)?;
        }
        write!(f, "{}", first.release)?;
        for step in self.0 {
            write!(
                f,
                "\n  {} (defined at {}) needs {} at {}",
                step.release, step.defined_at, step.needs, step.needs_at
            )?;
        }
        Ok(())
    }
}
