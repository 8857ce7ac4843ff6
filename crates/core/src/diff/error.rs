//! Why a diff could not be made: a manifest that is not Kubernetes objects, or a bad ignore rule.

/// Errors of the `diff` area. Messages never quote object contents (they may hold secrets).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DiffError {
    /// A document of a manifest is not YAML.
    #[error("{origin}, line {line}{}: invalid YAML: {message}", source_suffix(.template))]
    Yaml {
        /// Which manifest (e.g. `desired manifest of release backend/api`).
        origin: String,
        /// The line of the manifest where the parser stopped.
        line: usize,
        /// Its `# Source:` template, when helm wrote one.
        template: Option<String>,
        /// What the parser said.
        message: String,
    },
    /// A document is YAML but not a Kubernetes object.
    #[error("{origin}, document at line {line}{}: {problem}", source_suffix(.template))]
    NotAnObject {
        /// Which manifest.
        origin: String,
        /// The document's first line in the manifest.
        line: usize,
        /// Its `# Source:` template, when helm wrote one.
        template: Option<String>,
        /// What is wrong, e.g. `no "kind"`.
        problem: String,
    },
    /// Two documents of one manifest are the same object.
    #[error("{origin}: {key} is defined twice (documents at lines {first} and {second})")]
    Duplicate {
        /// Which manifest.
        origin: String,
        /// The object.
        key: String,
        /// The first document's line.
        first: usize,
        /// The second document's line.
        second: usize,
    },
    /// An `--ignore` rule is not `GROUP/KIND:JSON_POINTER`.
    #[error("--ignore {rule:?}: {problem}")]
    IgnoreRule {
        /// The rule as given.
        rule: String,
        /// What is wrong with it.
        problem: String,
    },
    /// A `--suppress-output-line-regex` is not a regular expression.
    #[error("--suppress-output-line-regex {pattern:?}: {message}")]
    LineRegex {
        /// The pattern as given.
        pattern: String,
        /// What the regex parser said.
        message: String,
    },
}

impl DiffError {
    /// A suggestion of what to do about the error, when there is one.
    pub fn hint(&self) -> Option<String> {
        match self {
            Self::Yaml { .. } | Self::NotAnObject { .. } => Some(
                "run `windlass template` for the release to see the manifest helm renders".into(),
            ),
            Self::Duplicate { .. } => {
                Some("give each object of the release a distinct kind, namespace and name".into())
            }
            Self::IgnoreRule { .. } => Some(
                "write GROUP/KIND:/json/pointer, e.g. apps/Deployment:/spec/replicas (core kinds: Service:/spec/clusterIP)"
                    .into(),
            ),
            Self::LineRegex { .. } => None,
        }
    }
}

fn source_suffix(template: &Option<String>) -> String {
    template
        .as_deref()
        .map(|s| format!(" ({s})"))
        .unwrap_or_default()
}
