//! Which releases may start now: each one as soon as everything it waits for succeeded (no
//! level barriers), and a failure skips what depends on it while independent releases go on.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use petgraph::Direction::{Incoming, Outgoing};

use crate::graph::{Dag, GraphError, ReleaseId};

/// Which way the `needs` point for a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Direction {
    /// Installs and upgrades: a release waits for the releases it needs.
    Forward,
    /// Deletes: a release waits for the releases that need it.
    Reverse,
    /// Work without side effects (rendering): nothing waits, a failure skips nothing.
    Unordered,
}

/// How a started release ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Outcome {
    /// It succeeded; what waits for it may start.
    Succeeded,
    /// It failed; everything waiting for it, directly or not, is skipped.
    Failed,
}

/// Where a release stands in a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Status {
    /// Not started yet.
    Waiting,
    /// Handed out by [`Scheduler::start_next`], not finished.
    Running,
    /// Finished successfully.
    Succeeded,
    /// Finished with a failure.
    Failed,
    /// Will not run because a release it waits for failed.
    Skipped,
}

/// The state of one run over a [`Dag`]: a pure data structure the async runner drives.
///
/// The runner calls [`start_next`](Scheduler::start_next) while it has room (its concurrency
/// limit), reports each end with [`finish`](Scheduler::finish), and stops when
/// [`is_done`](Scheduler::is_done). To stop early (Ctrl-C) it simply starts nothing more; the
/// releases still [`Status::Waiting`] are those that did not run. Of the releases that may start,
/// the one with the lowest priority number goes first; every step costs O(log n) plus the
/// releases it unblocks.
#[derive(Debug, Clone)]
pub struct Scheduler {
    /// Release ids, sorted; everything else is indexed like this.
    ids: Vec<ReleaseId>,
    /// How many releases each one still waits for.
    waiting_for: Vec<usize>,
    /// The releases that wait for each one.
    unblocks: Vec<Vec<usize>>,
    status: Vec<Status>,
    /// Lower starts first among releases that may start.
    priority: Vec<usize>,
    /// The releases that may start, by (priority, index).
    ready: BinaryHeap<Reverse<(usize, usize)>>,
    /// How many releases are running.
    running: usize,
}

impl Scheduler {
    /// A run over every release of `dag`, in `direction`, with nothing started; ties between
    /// releases that may start are broken by id.
    pub fn new(dag: &Dag, direction: Direction) -> Scheduler {
        Self::with_priority(dag, direction, |_| 0)
    }

    /// A run like [`Scheduler::new`] whose ties are broken by `priority` (lower first), then by
    /// id: e.g. the position of each release in Helmfile's run order.
    pub fn with_priority(
        dag: &Dag,
        direction: Direction,
        priority: impl Fn(&ReleaseId) -> usize,
    ) -> Scheduler {
        let edges = match direction {
            Direction::Forward => Some((Outgoing, Incoming)),
            Direction::Reverse => Some((Incoming, Outgoing)),
            Direction::Unordered => None,
        };
        let graph = &dag.graph;
        let ids: Vec<ReleaseId> = graph.node_weights().map(|r| r.id.clone()).collect();
        let priority: Vec<usize> = ids.iter().map(priority).collect();
        let waiting_for: Vec<usize> = graph
            .node_indices()
            .map(|i| edges.map_or(0, |(waits, _)| graph.neighbors_directed(i, waits).count()))
            .collect();
        let ready = (0..ids.len())
            .filter(|&i| waiting_for[i] == 0)
            .map(|i| Reverse((priority[i], i)))
            .collect();
        Scheduler {
            waiting_for,
            unblocks: graph
                .node_indices()
                .map(|i| match edges {
                    Some((_, unblocks)) => graph
                        .neighbors_directed(i, unblocks)
                        .map(|n| n.index())
                        .collect(),
                    None => Vec::new(),
                })
                .collect(),
            status: vec![Status::Waiting; ids.len()],
            ids,
            priority,
            ready,
            running: 0,
        }
    }

    /// The releases that may start now (waiting, with all they wait for succeeded), in the
    /// order they would start.
    pub fn ready(&self) -> Vec<&ReleaseId> {
        let mut ready: Vec<(usize, usize)> = self.ready.iter().map(|Reverse(key)| *key).collect();
        ready.sort_unstable();
        ready.into_iter().map(|(_, i)| &self.ids[i]).collect()
    }

    /// Marks the first ready release as running and returns it; `None` when nothing can start
    /// until a running release finishes (or the run is done).
    pub fn start_next(&mut self) -> Option<ReleaseId> {
        let Reverse((_, next)) = self.ready.pop()?;
        self.status[next] = Status::Running;
        self.running += 1;
        Some(self.ids[next].clone())
    }

    /// Records how a running release ended. On a failure, returns the releases skipped because
    /// of it (sorted); they are never handed out.
    pub fn finish(
        &mut self,
        id: &ReleaseId,
        outcome: Outcome,
    ) -> Result<Vec<ReleaseId>, GraphError> {
        let index = self
            .ids
            .binary_search(id)
            .ok()
            .filter(|&i| self.status[i] == Status::Running)
            .ok_or_else(|| GraphError::NotRunning { id: id.clone() })?;
        self.running -= 1;
        match outcome {
            Outcome::Succeeded => {
                self.status[index] = Status::Succeeded;
                for &next in &self.unblocks[index] {
                    self.waiting_for[next] -= 1;
                    if self.waiting_for[next] == 0 && self.status[next] == Status::Waiting {
                        self.ready.push(Reverse((self.priority[next], next)));
                    }
                }
                Ok(Vec::new())
            }
            Outcome::Failed => {
                self.status[index] = Status::Failed;
                // Whatever waits for a failed release cannot have started.
                let mut skipped = Vec::new();
                let mut stack = self.unblocks[index].clone();
                while let Some(next) = stack.pop() {
                    if self.status[next] == Status::Waiting {
                        self.status[next] = Status::Skipped;
                        skipped.push(next);
                        stack.extend(&self.unblocks[next]);
                    }
                }
                skipped.sort_unstable();
                Ok(skipped.into_iter().map(|i| self.ids[i].clone()).collect())
            }
        }
    }

    /// Where release `id` stands; `None` if it is not part of the run.
    pub fn status(&self, id: &ReleaseId) -> Option<Status> {
        self.ids.binary_search(id).ok().map(|i| self.status[i])
    }

    /// Every release of the run with its status, sorted by id.
    pub fn statuses(&self) -> impl Iterator<Item = (&ReleaseId, Status)> {
        self.ids.iter().zip(self.status.iter().copied())
    }

    /// Whether nothing is running and nothing can start any more.
    pub fn is_done(&self) -> bool {
        self.running == 0 && self.ready.is_empty()
    }

    /// How many releases are running.
    pub fn running(&self) -> usize {
        self.running
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::dag::tests::{docs_example, node, parse, shown};

    fn finish(scheduler: &mut Scheduler, id: &str, outcome: Outcome) -> Vec<String> {
        match scheduler.finish(&parse(id), outcome) {
            Ok(skipped) => skipped.iter().map(ToString::to_string).collect(),
            Err(error) => panic!("{error}"),
        }
    }

    fn start_all(scheduler: &mut Scheduler) -> Vec<String> {
        std::iter::from_fn(|| scheduler.start_next())
            .map(|id| id.to_string())
            .collect()
    }

    #[test]
    fn a_release_starts_as_soon_as_its_own_needs_succeeded() {
        // slow and fast need nothing; after-fast needs only fast: it must not wait for slow.
        let dag = Dag::new([
            node("slow", 1, &[]),
            node("fast", 10, &[]),
            node("after-fast", 20, &["fast"]),
            node("after-both", 30, &["fast", "slow"]),
        ]);
        let dag = match dag {
            Ok(dag) => dag,
            Err(error) => panic!("{error}"),
        };
        let mut scheduler = Scheduler::new(&dag, Direction::Forward);
        assert_eq!(start_all(&mut scheduler), ["fast", "slow"]);
        assert_eq!(finish(&mut scheduler, "fast", Outcome::Succeeded), [""; 0]);
        assert_eq!(shown(&scheduler.ready()), ["after-fast"]);
        assert_eq!(start_all(&mut scheduler), ["after-fast"]);
        assert_eq!(finish(&mut scheduler, "slow", Outcome::Succeeded), [""; 0]);
        assert_eq!(start_all(&mut scheduler), ["after-both"]);
        assert!(!scheduler.is_done());
        finish(&mut scheduler, "after-fast", Outcome::Succeeded);
        finish(&mut scheduler, "after-both", Outcome::Succeeded);
        assert!(scheduler.is_done());
    }

    #[test]
    fn a_failure_skips_its_dependents_and_independent_releases_continue() {
        let dag = Dag::new([
            node("db", 1, &[]),
            node("api", 10, &["db"]),
            node("web", 20, &["api"]),
            node("cache", 30, &[]),
            node("worker", 40, &["cache"]),
        ]);
        let dag = match dag {
            Ok(dag) => dag,
            Err(error) => panic!("{error}"),
        };
        let mut scheduler = Scheduler::new(&dag, Direction::Forward);
        assert_eq!(start_all(&mut scheduler), ["cache", "db"]);
        assert_eq!(finish(&mut scheduler, "db", Outcome::Succeeded), [""; 0]);
        assert_eq!(start_all(&mut scheduler), ["api"]);
        assert_eq!(finish(&mut scheduler, "api", Outcome::Failed), ["web"]);
        assert_eq!(start_all(&mut scheduler), [""; 0]);
        assert!(!scheduler.is_done());
        assert_eq!(finish(&mut scheduler, "cache", Outcome::Succeeded), [""; 0]);
        assert_eq!(start_all(&mut scheduler), ["worker"]);
        finish(&mut scheduler, "worker", Outcome::Succeeded);
        assert!(scheduler.is_done());
        let statuses: Vec<(String, Status)> = scheduler
            .statuses()
            .map(|(id, status)| (id.to_string(), status))
            .collect();
        assert_eq!(
            statuses,
            [
                ("api".to_owned(), Status::Failed),
                ("cache".to_owned(), Status::Succeeded),
                ("db".to_owned(), Status::Succeeded),
                ("web".to_owned(), Status::Skipped),
                ("worker".to_owned(), Status::Succeeded),
            ]
        );
    }

    #[test]
    fn a_failure_skips_dependents_transitively() {
        let mut scheduler = Scheduler::new(&docs_example(), Direction::Forward);
        assert_eq!(start_all(&mut scheduler), ["default/logging"]);
        assert_eq!(
            finish(&mut scheduler, "default/logging", Outcome::Failed),
            ["default/myapp1", "default/myapp2", "default/servicemesh"]
        );
        assert!(scheduler.is_done());
    }

    #[test]
    fn deletes_run_dependents_first() {
        let mut scheduler = Scheduler::new(&docs_example(), Direction::Reverse);
        assert_eq!(
            start_all(&mut scheduler),
            ["default/myapp1", "default/myapp2"]
        );
        finish(&mut scheduler, "default/myapp1", Outcome::Succeeded);
        assert_eq!(start_all(&mut scheduler), [""; 0]);
        finish(&mut scheduler, "default/myapp2", Outcome::Succeeded);
        assert_eq!(start_all(&mut scheduler), ["default/servicemesh"]);
        assert_eq!(
            finish(&mut scheduler, "default/servicemesh", Outcome::Failed),
            ["default/logging"]
        );
        assert!(scheduler.is_done());
    }

    #[test]
    fn finishing_a_release_that_is_not_running_is_an_error() {
        let mut scheduler = Scheduler::new(&docs_example(), Direction::Forward);
        let error = scheduler.finish(&parse("default/myapp1"), Outcome::Succeeded);
        assert_eq!(
            error.map_err(|e| e.to_string()),
            Err("release \"default/myapp1\" was reported finished but was not running".to_owned())
        );
        assert_eq!(
            scheduler.status(&parse("default/myapp1")),
            Some(Status::Waiting)
        );
        assert_eq!(scheduler.status(&parse("nope")), None);
    }
}
