//! `diff`: for each release, desired (what `helm template` prints with the upgrade's settings)
//! against current (the deployed release, and with `--live` the live objects), as plain-data
//! steps the runner calls per release.

use std::collections::HashMap;

use crate::diff::{
    Comparison, DeployedRelease, DiffError, DiffOptions, KnownScopes, LiveObjects, ReleaseDiff,
    ReleaseInput, Source, read_release,
};
use crate::helm::HelmError;
use crate::kube::{Cluster, KubeError};

/// How a diff run compares.
#[derive(Debug, Clone, Default)]
pub struct DiffSettings {
    /// Release, live or server-side.
    pub comparison: Comparison,
    /// Context lines, secrets, ignore rules, hooks.
    pub options: DiffOptions,
}

/// Why one release could not be diffed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReleaseDiffError {
    /// A manifest is not Kubernetes objects.
    #[error(transparent)]
    Diff(#[from] DiffError),
    /// The cluster could not be read.
    #[error(transparent)]
    Kube(#[from] KubeError),
    /// Helm failed.
    #[error(transparent)]
    Helm(#[from] HelmError),
}

impl ReleaseDiffError {
    /// A suggestion of what to do about the error, when there is one.
    pub fn hint(&self) -> Option<String> {
        match self {
            Self::Diff(e) => e.hint(),
            Self::Kube(e) => e.hint(),
            Self::Helm(e) => e.hint(),
        }
    }
}

/// A release's diff, and what the user should know about how it was made.
#[derive(Debug, Clone)]
pub struct DiffOutcome {
    /// The diff.
    pub diff: ReleaseDiff,
    /// E.g. that a server-side dry run was forbidden and the live comparison was made instead.
    pub warnings: Vec<String>,
}

/// Diffs one release: `input` holds the desired manifest and the deployed release; `cluster`,
/// when the cluster is read, answers discovery and (for live and server-side comparisons) the
/// live objects.
pub async fn diff_release(
    input: ReleaseInput<'_>,
    cluster: Option<&Cluster>,
    settings: &DiffSettings,
) -> Result<DiffOutcome, ReleaseDiffError> {
    let options = &settings.options;
    let documents = read_release(input, options)?;
    let mut scopes = KnownScopes::default();
    if let Some(cluster) = cluster {
        let unknown = documents.unknown_kinds(&scopes);
        cluster.learn_scopes(&unknown, &mut scopes).await?;
    }
    let parsed = documents.key(&scopes, options)?;
    let mut warnings = Vec::new();
    let live = match (settings.comparison, cluster, input.desired) {
        (Comparison::Release, _, _) | (_, None, _) | (_, _, None) => None,
        (comparison, Some(cluster), Some(_)) => {
            let candidates: Vec<_> = parsed.live_candidates().collect();
            let objects = cluster.live_objects(&candidates).await?;
            let mut live = LiveObjects {
                objects,
                dry_run: HashMap::new(),
                source: Some(Source::Live),
            };
            if comparison == Comparison::ServerSide {
                match cluster.dry_run_apply(&candidates).await {
                    Ok(dry_run) => {
                        live.dry_run = dry_run;
                        live.source = Some(Source::ServerSide);
                    }
                    Err(error) if error.is_forbidden() => warnings.push(format!(
                        "{error}; compared with the live objects instead (--live)"
                    )),
                    Err(error) => return Err(error.into()),
                }
            }
            Some(live)
        }
    };
    Ok(DiffOutcome {
        diff: parsed.finish(live.as_ref(), options),
        warnings,
    })
}

/// The deployed releases of a run, read once per kube context and namespace.
#[derive(Debug, Default)]
pub struct DeployedReleases {
    by_place: HashMap<(String, String), HashMap<String, DeployedRelease>>,
}

impl DeployedReleases {
    /// Records what `context`/`namespace` holds.
    pub fn insert(
        &mut self,
        context: &str,
        namespace: &str,
        releases: HashMap<String, DeployedRelease>,
    ) {
        self.by_place
            .entry((context.to_string(), namespace.to_string()))
            .or_default()
            .extend(releases);
    }

    /// The deployed release `name` in `context`/`namespace`, if any.
    pub fn get(&self, context: &str, namespace: &str, name: &str) -> Option<&DeployedRelease> {
        self.by_place
            .get(&(context.to_string(), namespace.to_string()))
            .and_then(|releases| releases.get(name))
    }
}
