//! The one loop that runs per-release work over a plan: each release starts as soon as what it
//! waits for has succeeded (no level barriers), up to a concurrency limit; a failure skips
//! exactly the releases that wait for it; a stop request starts nothing new and lets running
//! work end (its helm processes get SIGTERM through the same [`Cancellation`]).
//!
//! Operations describe their per-release work as an async function and never loop themselves.

use std::fmt::Display;
use std::sync::Arc;
use std::time::{Instant, SystemTime};

use futures_util::StreamExt;
use futures_util::stream::FuturesUnordered;

use crate::cancel::Cancellation;
use crate::events::{Action, Event, Events, ReleasePhase};
use crate::graph::{Direction, Outcome, ReleaseId, Scheduler, Status};
use crate::ops::report::{ReleaseOutcome, ReleaseReport, Report};
use crate::plan::{Plan, PlannedRelease};

/// What every run needs besides its plan: the helm to drive, where events go, the stop switch and
/// how many releases may run at once.
#[derive(Clone)]
pub struct RunContext<H> {
    /// The helm implementation.
    pub helm: H,
    /// Where progress goes.
    pub events: Arc<dyn Events>,
    /// The run's stop switch.
    pub cancel: Cancellation,
    /// At most this many releases at once; 0 means one per available core.
    pub concurrency: usize,
}

impl<H> RunContext<H> {
    /// The concurrency limit, 0 resolved to the number of cores.
    pub fn limit(&self) -> usize {
        match self.concurrency {
            0 => std::thread::available_parallelism().map_or(2, |n| n.get()),
            n => n,
        }
    }
}

/// One kind of per-release work: what it is (for events) and which releases take part.
#[derive(Debug, Clone, Copy)]
pub struct Work<P> {
    /// What the work does to a release.
    pub action: Action,
    /// Whether a release takes part; the others pass at once (what waits for them may go on).
    pub takes_part: P,
}

/// Runs `per_release` for every release of `plan` that takes part in `work`, in `direction`
/// over the plan's graph, and reports what happened to each. `per_release` returns `Ok(Some)`
/// when it did something, `Ok(None)` when there was nothing to do, `Err` when it failed.
pub async fn run<H, T, E, P>(
    plan: &Plan,
    direction: Direction,
    context: &RunContext<H>,
    work: Work<P>,
    per_release: impl AsyncFn(&PlannedRelease) -> Result<Option<T>, E>,
) -> Report<T, E>
where
    E: Display,
    P: Fn(&PlannedRelease) -> bool,
{
    let positions = plan.run_position();
    let last = positions.len();
    let mut scheduler = Scheduler::with_priority(&plan.dag, direction, |id| {
        let position = positions.get(id).copied().unwrap_or(last);
        match direction {
            Direction::Reverse => last - position,
            _ => position,
        }
    });
    let limit = context.limit();
    let emit = |release: &ReleaseId, phase: ReleasePhase| {
        context.events.emit(Event::Release {
            release: release.clone(),
            phase,
        });
    };
    let takes_part = |id: &ReleaseId| plan.release(id).filter(|r| (work.takes_part)(r));
    let mut report = Report::default();
    let mut running = FuturesUnordered::new();
    let mut stopping = false;
    loop {
        while !stopping && running.len() < limit {
            let Some(id) = scheduler.start_next() else {
                break;
            };
            let Some(release) = takes_part(&id) else {
                // Nothing to do for it here; what waits for it may go on.
                let _ = scheduler.finish(&id, Outcome::Succeeded);
                continue;
            };
            emit(
                &id,
                ReleasePhase::Started {
                    action: work.action,
                    chart: release.chart.to_string(),
                },
            );
            let per_release = &per_release;
            running.push(async move {
                let started = SystemTime::now();
                let clock = Instant::now();
                let result = per_release(release).await;
                (id, started, clock.elapsed(), result)
            });
        }
        if running.is_empty() {
            break;
        }
        tokio::select! {
            Some((id, started, duration, result)) = running.next() => {
                let (outcome, phase) = match result {
                    Ok(Some(value)) => (ReleaseOutcome::Succeeded(value), ReleasePhase::Done { action: work.action }),
                    Ok(None) => (ReleaseOutcome::Unchanged, ReleasePhase::Unchanged { action: work.action }),
                    // Work that fails once the run is stopping was stopped by it.
                    Err(_) if context.cancel.is_stopped() => (ReleaseOutcome::Cancelled { started: true }, ReleasePhase::Cancelled),
                    Err(error) => {
                        let message = error.to_string();
                        (ReleaseOutcome::Failed(error), ReleasePhase::Failed { action: work.action, message })
                    }
                };
                let failed = matches!(outcome, ReleaseOutcome::Failed(_));
                emit(&id, phase);
                let end = if failed { Outcome::Failed } else { Outcome::Succeeded };
                for skipped in scheduler.finish(&id, end).unwrap_or_default() {
                    if takes_part(&skipped).is_some() {
                        emit(&skipped, ReleasePhase::Skipped { failed: id.clone() });
                        report.releases.push(ReleaseReport {
                            id: skipped,
                            action: work.action,
                            outcome: ReleaseOutcome::Skipped { failed: id.clone() },
                            started: None,
                            duration: Default::default(),
                        });
                    }
                }
                report.releases.push(ReleaseReport { id, action: work.action, outcome, started: Some(started), duration });
            }
            () = context.cancel.stopped(), if !stopping => stopping = true,
        }
    }
    if stopping {
        for release in plan.in_run_order() {
            let waiting = scheduler.status(&release.id) == Some(Status::Waiting);
            if waiting && (work.takes_part)(release) {
                emit(&release.id, ReleasePhase::Cancelled);
                report.releases.push(ReleaseReport {
                    id: release.id.clone(),
                    action: work.action,
                    outcome: ReleaseOutcome::Cancelled { started: false },
                    started: None,
                    duration: Default::default(),
                });
            }
        }
    }
    report
}

#[cfg(test)]
mod proptests;
