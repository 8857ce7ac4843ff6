//! Native diff: manifests parsed into objects keyed by (API group, kind, namespace, name),
//! compared semantically, with Secret values masked, and shown as `diff`, `simple` or `json`.
//!
//! Three comparisons, each named in the output ([`Comparison`]):
//! - *release*: the desired manifest (`helm template` with the upgrade's settings) against the
//!   deployed release's manifest and hooks;
//! - *live*: the desired objects against the live objects, only the fields the manifest sets;
//! - *server-side*: a server-side-apply dry run of each desired object against the live object.
//!
//! What never counts as a change (every normalisation, in one place):
//! - YAML form: key order, quoting, flow or block style, comments (helm's `# Source:` lines
//!   among them), CRLF line ends, empty and comment-only documents ([`manifest`]);
//! - values equal by value: numbers (`1` = `1.0`) and resource quantities (`1000m` = `1`,
//!   `1Gi` = `1024Mi`) where Kubernetes keeps quantities ([`compare`]);
//! - fields the server owns: `status`, `metadata.managedFields`, `resourceVersion`, `uid`,
//!   `generation`, `creationTimestamp`, `selfLink`, deletion fields; helm's own annotations
//!   (`meta.helm.sh/release-name`, `meta.helm.sh/release-namespace`) and label
//!   (`app.kubernetes.io/managed-by: Helm`); `kubectl.kubernetes.io/last-applied-configuration`
//!   and `deployment.kubernetes.io/revision` ([`normalize`]);
//! - `null` map entries and empty `labels`/`annotations`; `metadata.namespace` left to the
//!   release namespace; a Secret's `stringData` against the same values in `data`
//!   ([`normalize`]);
//! - in live comparisons, fields the manifest does not set (server defaults), items other
//!   controllers add to merge-keyed lists (injected sidecars), zero values the API leaves out,
//!   hooks, and objects annotated `windlass.dev/drift: ignore` ([`compare::project`],
//!   [`ignore::DRIFT_ANNOTATION`]);
//! - the fields of [`ignore::DEFAULT_IGNORES`] (CA bundles injected into webhooks, CRD
//!   conversion webhooks and API services), `--ignore GROUP/KIND:JSON_POINTER` fields,
//!   `--suppress KIND` objects, and objects whose every changed line matches
//!   `--suppress-output-line-regex` ([`ignore`]).
//!
//! Secret values are replaced by markers ([`mask`]) in every output unless `--show-secrets`.
//! Nothing in this module prints; [`report::DiffReport`] gives lines and JSON to the caller.

pub mod compare;
mod error;
pub mod ignore;
pub mod key;
pub mod manifest;
pub mod mask;
pub mod normalize;
pub mod objects;
pub mod quantity;
pub mod release;
pub mod report;
pub mod text;

pub use error::DiffError;
pub use ignore::IgnoreRules;
pub use key::{KnownScopes, ObjectKey, Scope};
pub use objects::{Change, DiffOptions, ObjectDiff, Source};
pub use release::{
    Action, Comparison, DeployedRelease, LiveObjects, ParsedRelease, Reason, ReleaseDiff,
    ReleaseDocuments, ReleaseInput, parse_release, read_release,
};
pub use report::{DiffReport, Failure, OutputLine, Style, Summary};

#[cfg(test)]
mod tests;
