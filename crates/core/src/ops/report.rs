//! What a run did to each release: a typed outcome with its start time and duration.

use std::time::{Duration, SystemTime};

use crate::events::Action;
use crate::graph::ReleaseId;
use crate::ops::OperationError;

/// How one release's work ended.
#[derive(Debug)]
#[non_exhaustive]
pub enum ReleaseOutcome<T, E> {
    /// It ran and did something (`T` says what, e.g. upgraded, or the rendered manifests).
    Succeeded(T),
    /// It ran and found nothing to do.
    Unchanged,
    /// It ran and failed.
    Failed(E),
    /// It did not run because `failed`, which it waits for (directly or not), failed.
    Skipped {
        /// The failed release.
        failed: ReleaseId,
    },
    /// The run was interrupted: it had not started, or it was stopped while running.
    Cancelled {
        /// Whether it had started.
        started: bool,
    },
}

/// One release of a run.
#[derive(Debug)]
pub struct ReleaseReport<T, E> {
    /// The release.
    pub id: ReleaseId,
    /// What the run was to do to it.
    pub action: Action,
    /// How it ended.
    pub outcome: ReleaseOutcome<T, E>,
    /// When its work started (`None` if it never started).
    pub started: Option<SystemTime>,
    /// How long its work took.
    pub duration: Duration,
}

/// What a run did, release by release, in the order they ended (releases that never started
/// last, in run order).
#[derive(Debug)]
pub struct Report<T, E> {
    /// The releases that took part.
    pub releases: Vec<ReleaseReport<T, E>>,
    /// A failure of the run as a whole once its releases ran (a state file's `cleanup` hook).
    pub failure: Option<OperationError>,
}

impl<T, E> Default for Report<T, E> {
    fn default() -> Self {
        Self {
            releases: Vec::new(),
            failure: None,
        }
    }
}

impl<T, E> Report<T, E> {
    /// The report of release `id`, if it took part.
    pub fn get(&self, id: &ReleaseId) -> Option<&ReleaseReport<T, E>> {
        self.releases.iter().find(|r| &r.id == id)
    }

    /// The releases that failed, with their errors.
    pub fn failures(&self) -> impl Iterator<Item = (&ReleaseId, &E)> {
        self.releases.iter().filter_map(|r| match &r.outcome {
            ReleaseOutcome::Failed(error) => Some((&r.id, error)),
            _ => None,
        })
    }

    /// Whether any release was cancelled.
    pub fn was_cancelled(&self) -> bool {
        self.releases
            .iter()
            .any(|r| matches!(r.outcome, ReleaseOutcome::Cancelled { .. }))
    }

    /// Whether every release succeeded or had nothing to do, and the run as a whole did not fail.
    pub fn all_succeeded(&self) -> bool {
        self.failure.is_none()
            && self.releases.iter().all(|r| {
                matches!(
                    r.outcome,
                    ReleaseOutcome::Succeeded(_) | ReleaseOutcome::Unchanged
                )
            })
    }

    /// Adds the releases of a later pass of the same run.
    pub fn extend(&mut self, other: Report<T, E>) {
        self.releases.extend(other.releases);
        self.failure = self.failure.take().or(other.failure);
    }

    /// The first error of the run, as Helmfile hands it to the state files' `cleanup` hooks.
    pub fn first_error(&self) -> Option<String>
    where
        E: std::fmt::Display,
    {
        self.failures()
            .next()
            .map(|(id, error)| format!("failed processing release {}: {error}", id.name()))
    }
}

/// How a release's work ended, as summaries and the JSON report name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub enum ReleaseResult {
    /// It did what the action says (upgraded, uninstalled, rendered).
    Done,
    /// There was nothing to do (a release to uninstall that is not installed).
    Unchanged,
    /// It failed.
    Failed,
    /// A release it needs failed.
    Skipped,
    /// The run was interrupted.
    Cancelled,
}

/// One release of a run's summary, in plain data (the last line of `--output json`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReleaseSummary {
    /// The release.
    pub release: ReleaseId,
    /// Its name.
    pub name: String,
    /// Its namespace.
    pub namespace: String,
    /// What the run was to do to it.
    pub action: Action,
    /// How that ended.
    pub result: ReleaseResult,
    /// Why it failed (secrets masked), or which failed release it needs when skipped.
    pub error: Option<String>,
    /// How long its work took, in milliseconds.
    pub duration_ms: u64,
}

impl<T, E: std::fmt::Display> Report<T, E> {
    /// Each release's outcome as plain data, in the order they ended.
    pub fn summary(&self) -> Vec<ReleaseSummary> {
        self.releases
            .iter()
            .map(|r| {
                let (result, error) = match &r.outcome {
                    ReleaseOutcome::Succeeded(_) => (ReleaseResult::Done, None),
                    ReleaseOutcome::Unchanged => (ReleaseResult::Unchanged, None),
                    ReleaseOutcome::Failed(error) => {
                        (ReleaseResult::Failed, Some(error.to_string()))
                    }
                    ReleaseOutcome::Skipped { failed } => (
                        ReleaseResult::Skipped,
                        Some(format!("it waits for \"{}\", which failed", failed.name())),
                    ),
                    ReleaseOutcome::Cancelled { .. } => (ReleaseResult::Cancelled, None),
                };
                ReleaseSummary {
                    release: r.id.clone(),
                    name: r.id.name().to_string(),
                    namespace: r.id.namespace().to_string(),
                    action: r.action,
                    result,
                    error,
                    duration_ms: u64::try_from(r.duration.as_millis()).unwrap_or(u64::MAX),
                }
            })
            .collect()
    }
}
