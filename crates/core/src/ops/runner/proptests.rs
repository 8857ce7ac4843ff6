//! Properties of the runner over random graphs, random durations and random failures: a release
//! never starts before its needs succeeded; a failure skips exactly its transitive dependents;
//! in reverse, dependents finish before what they need starts; the concurrency limit holds;
//! a stop starts nothing new.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use proptest::prelude::*;

use crate::cancel::Cancellation;
use crate::events::{Action, Recorded};
use crate::graph::proptests::{edges, nodes};
use crate::graph::{Dag, Direction, Node, ReleaseId};
use crate::ops::report::{ReleaseOutcome, Report};
use crate::ops::runner::{RunContext, Work, run};
use crate::plan::Plan;

/// What happened during a run, in virtual time.
#[derive(Debug, Default)]
struct Log {
    /// (release, start, end) in milliseconds of virtual time.
    spans: Vec<(ReleaseId, u64, u64)>,
    running: usize,
    most_running: usize,
}

/// Runs `plan` with `limit`, each release taking `millis[id]` and failing if in `failing`;
/// stops the run at `stop_at` (virtual milliseconds) when given.
fn run_plan(
    plan: &Plan,
    direction: Direction,
    limit: usize,
    millis: &BTreeMap<ReleaseId, u64>,
    failing: &BTreeSet<ReleaseId>,
    stop_at: Option<u64>,
) -> (Report<(), String>, Log) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build();
    let Ok(runtime) = runtime else {
        return (Report::default(), Log::default());
    };
    let log = Arc::new(Mutex::new(Log::default()));
    let context = RunContext {
        helm: (),
        events: Arc::new(Recorded::default()),
        cancel: Cancellation::default(),
        concurrency: limit,
    };
    let report = runtime.block_on(async {
        let origin = tokio::time::Instant::now();
        let now = move || u64::try_from(origin.elapsed().as_millis()).unwrap_or(u64::MAX);
        if let Some(at) = stop_at {
            let cancel = context.cancel.clone();
            tokio::spawn(async move {
                tokio::time::sleep(Duration::from_millis(at)).await;
                cancel.stop();
            });
        }
        let work = Work {
            action: Action::Upgrade,
            takes_part: |_: &crate::plan::PlannedRelease| true,
        };
        run(plan, direction, &context, work, async |release| {
            let start = now();
            {
                let mut log = log.lock().unwrap_or_else(|e| e.into_inner());
                log.running += 1;
                log.most_running = log.most_running.max(log.running);
            }
            let wait = millis.get(&release.id).copied().unwrap_or(1);
            tokio::time::sleep(Duration::from_millis(wait)).await;
            let mut log = log.lock().unwrap_or_else(|e| e.into_inner());
            log.running -= 1;
            log.spans.push((release.id.clone(), start, now()));
            match failing.contains(&release.id) {
                true => Err(format!("{} failed", release.id)),
                false => Ok(Some(())),
            }
        })
        .await
    });
    let log = std::mem::take(&mut *log.lock().unwrap_or_else(|e| e.into_inner()));
    (report, log)
}

/// Everything that (directly or not) needs `of`.
fn dependents(edges: &[(ReleaseId, ReleaseId)], of: &ReleaseId) -> BTreeSet<ReleaseId> {
    let mut found = BTreeSet::new();
    let mut stack = vec![of.clone()];
    while let Some(need) = stack.pop() {
        for (release, _) in edges.iter().filter(|(_, n)| *n == need) {
            if found.insert(release.clone()) {
                stack.push(release.clone());
            }
        }
    }
    found
}

/// A plan of `nodes`, random durations and a random set of failing releases.
fn case() -> impl Strategy<Value = (Vec<Node>, Vec<u64>, Vec<bool>, usize)> {
    nodes().prop_flat_map(|nodes| {
        let n = nodes.len();
        (
            Just(nodes),
            proptest::collection::vec(1u64..50, n),
            proptest::collection::vec(proptest::bool::weighted(0.2), n),
            1usize..5,
        )
    })
}

/// A plan, each release's duration, and the releases that fail.
type Setup = (Plan, BTreeMap<ReleaseId, u64>, BTreeSet<ReleaseId>);

fn setup(nodes: &[Node], durations: &[u64], fails: &[bool]) -> Result<Setup, TestCaseError> {
    let dag = Dag::new(nodes.to_vec()).map_err(|e| TestCaseError::fail(e.to_string()))?;
    let ids: Vec<ReleaseId> = nodes.iter().map(|n| n.id.clone()).collect();
    let millis = ids.iter().cloned().zip(durations.iter().copied()).collect();
    let failing = ids
        .iter()
        .zip(fails)
        .filter(|(_, fail)| **fail)
        .map(|(id, _)| id.clone())
        .collect();
    Ok((Plan::of_graph(dag, &ids), millis, failing))
}

proptest! {
    #[test]
    fn forward_runs_respect_needs_failures_and_the_limit((nodes, durations, fails, limit) in case()) {
        let (plan, millis, failing) = setup(&nodes, &durations, &fails)?;
        let edges = edges(&nodes);
        let (report, log) = run_plan(&plan, Direction::Forward, limit, &millis, &failing, None);
        prop_assert!(log.most_running <= limit);
        let span: BTreeMap<&ReleaseId, (u64, u64)> =
            log.spans.iter().map(|(id, s, e)| (id, (*s, *e))).collect();
        for (release, need) in &edges {
            if let Some((start, _)) = span.get(release) {
                let need_end = span.get(need).map(|(_, end)| *end);
                prop_assert!(need_end.is_some_and(|end| end <= *start), "{release} started before {need} ended");
                prop_assert!(!failing.contains(need), "{release} ran although {need} failed");
            }
        }
        let ran_and_failed: BTreeSet<ReleaseId> = failing.iter().filter(|id| span.contains_key(id)).cloned().collect();
        let expected_skips: BTreeSet<ReleaseId> =
            ran_and_failed.iter().flat_map(|id| dependents(&edges, id)).collect();
        let skipped: BTreeSet<ReleaseId> = report.releases.iter()
            .filter(|r| matches!(r.outcome, ReleaseOutcome::Skipped { .. }))
            .map(|r| r.id.clone())
            .collect();
        prop_assert_eq!(&skipped, &expected_skips);
        prop_assert_eq!(report.releases.len(), nodes.len(), "every release is reported once");
        for id in span.keys() {
            prop_assert!(!skipped.contains(*id));
        }
    }

    #[test]
    fn reverse_runs_finish_dependents_first((nodes, durations, _fails, limit) in case()) {
        let (plan, millis, _) = setup(&nodes, &durations, &[])?;
        let (report, log) = run_plan(&plan, Direction::Reverse, limit, &millis, &BTreeSet::new(), None);
        prop_assert!(log.most_running <= limit);
        prop_assert!(report.all_succeeded());
        let span: BTreeMap<&ReleaseId, (u64, u64)> =
            log.spans.iter().map(|(id, s, e)| (id, (*s, *e))).collect();
        for (release, need) in edges(&nodes) {
            let (Some((_, release_end)), Some((need_start, _))) = (span.get(&release), span.get(&need)) else {
                return Err(TestCaseError::fail("a release did not run"));
            };
            prop_assert!(release_end <= need_start, "{need} started before {release} ended");
        }
    }

    #[test]
    fn a_stop_starts_nothing_new((nodes, durations, _fails, limit) in case(), stop_at in 0u64..60) {
        let (plan, millis, _) = setup(&nodes, &durations, &[])?;
        let (report, log) = run_plan(&plan, Direction::Forward, limit, &millis, &BTreeSet::new(), Some(stop_at));
        for (_, start, _) in &log.spans {
            prop_assert!(*start <= stop_at, "a release started after the stop");
        }
        let cancelled = report.releases.iter()
            .filter(|r| matches!(r.outcome, ReleaseOutcome::Cancelled { started: false }))
            .count();
        prop_assert_eq!(cancelled + log.spans.len(), nodes.len());
    }
}
