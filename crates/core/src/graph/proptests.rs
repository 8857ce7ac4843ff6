//! Properties over random acyclic graphs: orders respect every `needs`, and a scheduler walk
//! runs every release exactly once, each after all it needs.

use std::collections::BTreeSet;

use proptest::prelude::*;

use crate::graph::{Dag, Direction, Need, Node, Outcome, ReleaseId, Scheduler, Status};
use crate::location::Location;

/// Random acyclic graphs: release `i` may need releases `0..i`; ids are shuffled so that the
/// id order is unrelated to the dependency order, and entries use the shortest form.
pub(crate) fn nodes() -> impl Strategy<Value = Vec<Node>> {
    (1usize..25)
        .prop_flat_map(|n| {
            let needs: Vec<_> = (0..n)
                .map(|i| proptest::sample::subsequence((0..i).collect::<Vec<_>>(), 0..=i.min(4)))
                .collect();
            (needs, Just((0..n).collect::<Vec<_>>()).prop_shuffle())
        })
        .prop_map(|(needs, names)| {
            let id = |i: usize| {
                let context = if names[i] % 5 == 0 { "other" } else { "" };
                ReleaseId::new(
                    context,
                    format!("ns{}", names[i] % 3),
                    format!("r{}", names[i]),
                )
            };
            needs
                .iter()
                .enumerate()
                .map(|(i, needs)| Node {
                    id: id(i),
                    location: Location::new("helmfile.yaml", 1, 1),
                    needs: needs
                        .iter()
                        .map(|&j| Need {
                            entry: id(j).need_entry_from(&id(i)),
                            location: Location::new("helmfile.yaml", 2, 1),
                        })
                        .collect(),
                })
                .collect()
        })
}

fn build(nodes: &[Node]) -> Result<Dag, TestCaseError> {
    Dag::new(nodes.to_vec()).map_err(|error| TestCaseError::fail(error.to_string()))
}

/// Every (release, need) pair of the input, resolved.
pub(crate) fn edges(nodes: &[Node]) -> Vec<(ReleaseId, ReleaseId)> {
    nodes
        .iter()
        .flat_map(|node| {
            node.needs
                .iter()
                .filter_map(|need| node.id.resolve_need(&need.entry))
                .map(|need| (node.id.clone(), need))
        })
        .collect()
}

proptest! {
    #[test]
    fn orders_respect_every_need(nodes in nodes()) {
        let dag = build(&nodes)?;
        let order = dag.order();
        let reverse = dag.reverse_order();
        prop_assert_eq!(order.len(), nodes.len());
        prop_assert_eq!(reverse.len(), nodes.len());
        let position = |ids: &[&ReleaseId], id: &ReleaseId| ids.iter().position(|x| *x == id);
        for (release, need) in edges(&nodes) {
            prop_assert!(position(&order, &need) < position(&order, &release));
            prop_assert!(position(&reverse, &release) < position(&reverse, &need));
        }
    }

    #[test]
    fn a_scheduler_walk_runs_every_release_once_after_its_needs(
        nodes in nodes(),
        concurrency in 1usize..5,
        picks in proptest::collection::vec(any::<usize>(), 64),
    ) {
        let dag = build(&nodes)?;
        let mut scheduler = Scheduler::new(&dag, Direction::Forward);
        let mut running: Vec<ReleaseId> = Vec::new();
        let mut done: BTreeSet<ReleaseId> = BTreeSet::new();
        let mut started = 0;
        let mut picks = picks.iter().cycle();
        while !scheduler.is_done() {
            while running.len() < concurrency {
                let Some(id) = scheduler.start_next() else { break };
                for need in dag.needs(&id) {
                    prop_assert!(done.contains(need), "{} started before {}", id, need);
                }
                running.push(id);
                started += 1;
            }
            prop_assert!(!running.is_empty(), "stuck with nothing running");
            let pick = picks.next().copied().unwrap_or_default() % running.len();
            let id = running.swap_remove(pick);
            let skipped = scheduler.finish(&id, Outcome::Succeeded);
            prop_assert_eq!(skipped, Ok(Vec::new()));
            prop_assert!(done.insert(id));
        }
        prop_assert_eq!(started, nodes.len());
        prop_assert_eq!(done.len(), nodes.len());
    }

    #[test]
    fn after_failures_every_release_ran_once_or_was_skipped_for_a_failed_need(
        nodes in nodes(),
        failures in proptest::collection::vec(any::<bool>(), 25),
    ) {
        let dag = build(&nodes)?;
        let mut scheduler = Scheduler::new(&dag, Direction::Forward);
        let mut ran = 0;
        while let Some(id) = scheduler.start_next() {
            let fail = failures[ran % failures.len()];
            ran += 1;
            let outcome = if fail { Outcome::Failed } else { Outcome::Succeeded };
            prop_assert!(scheduler.finish(&id, outcome).is_ok());
        }
        prop_assert!(scheduler.is_done());
        let mut skipped = 0;
        for (id, status) in scheduler.statuses() {
            match status {
                Status::Succeeded | Status::Failed => {}
                Status::Skipped => {
                    skipped += 1;
                    let blocked = dag.needs(id).into_iter().any(|need| {
                        matches!(scheduler.status(need), Some(Status::Failed | Status::Skipped))
                    });
                    prop_assert!(blocked, "{} skipped without a failed need", id);
                }
                other => prop_assert!(false, "{} left {:?}", id, other),
            }
        }
        prop_assert_eq!(ran + skipped, nodes.len());
    }
}
