//! What a run did to each release: a typed outcome with its start time and duration.

use std::time::{Duration, SystemTime};

use crate::graph::ReleaseId;

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
}

impl<T, E> Default for Report<T, E> {
    fn default() -> Self {
        Self {
            releases: Vec::new(),
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

    /// Whether every release succeeded or had nothing to do.
    pub fn all_succeeded(&self) -> bool {
        self.releases.iter().all(|r| {
            matches!(
                r.outcome,
                ReleaseOutcome::Succeeded(_) | ReleaseOutcome::Unchanged
            )
        })
    }

    /// Adds the releases of a later pass of the same run.
    pub fn extend(&mut self, other: Report<T, E>) {
        self.releases.extend(other.releases);
    }
}
