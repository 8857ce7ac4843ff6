//! Narrowing the graph to the releases a command runs: the selected ones and, on request, what
//! they need.

use std::collections::BTreeSet;

use petgraph::Direction::Outgoing;
use petgraph::graph::NodeIndex;
use petgraph::visit::EdgeRef as _;

use crate::graph::{Dag, GraphError, ReleaseId};

/// What happens to the `needs` of selected releases that the selectors did not select.
///
/// Helmfile 1.x: `sync`, `apply`, `diff`, `template`, `lint` all default to `--skip-needs=true`,
/// and `--include-needs` / `--include-transitive-needs` turn it off. `needs` between two
/// releases that both run always order them. Without `-l`, every release is selected, so the
/// modes do not differ.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum NeedsMode {
    /// `--skip-needs` (the default): run only the selected releases; their `needs` on
    /// unselected releases are ignored.
    #[default]
    Skip,
    /// `--include-needs`: also run the direct `needs` of the selected releases (not the needs
    /// of those), as Helmfile documents it. Helmfile 1.x's code actually pulls in needs of
    /// needs too (its own tests note it); callers wanting that pass `IncludeTransitive`.
    Include,
    /// `--include-transitive-needs`: also run everything the selected releases need, directly
    /// or not, even releases the selectors exclude.
    IncludeTransitive,
    /// `--skip-needs=false` without `--include-needs`: a selected release that needs an
    /// unselected one is an error, as in Helmfile.
    Strict,
}

impl Dag {
    /// The graph of the releases to run: those `is_selected` accepts (the caller matches
    /// selectors, `condition` and the like) plus the needs `mode` adds, with the `needs`
    /// between them. `self` should hold every release of the environment, unselected ones
    /// included, so that a need on an unselected release is not mistaken for an unknown one.
    ///
    /// Fails only with [`NeedsMode::Strict`], on the first (by id) selected release that needs
    /// an unselected one.
    pub fn select(
        &self,
        is_selected: impl Fn(&ReleaseId) -> bool,
        mode: NeedsMode,
    ) -> Result<Dag, GraphError> {
        let selected: BTreeSet<NodeIndex> = self
            .graph
            .node_indices()
            .filter(|&index| is_selected(&self.graph[index].id))
            .collect();
        let mut run = selected.clone();
        match mode {
            NeedsMode::Skip => {}
            NeedsMode::Include => {
                run.extend(
                    selected
                        .iter()
                        .flat_map(|&index| self.graph.neighbors_directed(index, Outgoing)),
                );
            }
            NeedsMode::IncludeTransitive => {
                let mut stack: Vec<NodeIndex> = selected.iter().copied().collect();
                while let Some(index) = stack.pop() {
                    for need in self.graph.neighbors_directed(index, Outgoing) {
                        if run.insert(need) {
                            stack.push(need);
                        }
                    }
                }
            }
            NeedsMode::Strict => {
                for &index in &selected {
                    let mut unselected: Vec<_> = self
                        .graph
                        .edges_directed(index, Outgoing)
                        .filter(|edge| !selected.contains(&edge.target()))
                        .map(|edge| (edge.target(), edge.weight()))
                        .collect();
                    unselected.sort_by_key(|(target, _)| *target);
                    if let Some((need, location)) = unselected.first() {
                        return Err(GraphError::NeedNotSelected {
                            location: (*location).clone(),
                            release: self.graph[index].id.clone(),
                            need: self.graph[*need].id.clone(),
                        });
                    }
                }
            }
        }
        let graph = self.graph.filter_map(
            |index, release| run.contains(&index).then(|| release.clone()),
            |_, location| Some(location.clone()),
        );
        Ok(Dag { graph })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::dag::tests::{node, parse, shown};

    /// Helmfile's docs example: serviceA needs serviceB, which needs serviceC; serviceD alone.
    fn services() -> Dag {
        let dag = Dag::new([
            node("serviceA", 1, &["serviceB"]),
            node("serviceB", 10, &["serviceC"]),
            node("serviceC", 20, &[]),
            node("serviceD", 30, &[]),
        ]);
        match dag {
            Ok(dag) => dag,
            Err(error) => panic!("{error}"),
        }
    }

    fn run(dag: &Dag, selected: &[&str], mode: NeedsMode) -> Result<Vec<String>, String> {
        let selected: Vec<ReleaseId> = selected.iter().map(|id| parse(id)).collect();
        dag.select(|id| selected.contains(id), mode)
            .map(|dag| shown(&dag.order()))
            .map_err(|error| error.to_string())
    }

    #[test]
    fn by_default_needs_on_unselected_releases_are_skipped() {
        assert_eq!(
            run(&services(), &["serviceA"], NeedsMode::Skip),
            Ok(vec!["serviceA".to_owned()])
        );
    }

    #[test]
    fn include_needs_adds_only_direct_needs() {
        assert_eq!(
            run(&services(), &["serviceA"], NeedsMode::Include),
            Ok(vec!["serviceB".to_owned(), "serviceA".to_owned()])
        );
    }

    #[test]
    fn include_transitive_needs_adds_needs_of_needs() {
        assert_eq!(
            run(&services(), &["serviceA"], NeedsMode::IncludeTransitive),
            Ok(vec![
                "serviceC".to_owned(),
                "serviceB".to_owned(),
                "serviceA".to_owned()
            ])
        );
    }

    #[test]
    fn needs_between_selected_releases_still_order_them() {
        let selected = ["serviceA", "serviceC", "serviceB"];
        for mode in [NeedsMode::Skip, NeedsMode::Strict] {
            assert_eq!(
                run(&services(), &selected, mode),
                Ok(vec![
                    "serviceC".to_owned(),
                    "serviceB".to_owned(),
                    "serviceA".to_owned()
                ])
            );
        }
    }

    #[test]
    fn without_selectors_every_mode_runs_everything() {
        let dag = services();
        let all: Vec<String> = dag.ids().map(ToString::to_string).collect();
        let all: Vec<&str> = all.iter().map(String::as_str).collect();
        for mode in [
            NeedsMode::Skip,
            NeedsMode::Include,
            NeedsMode::IncludeTransitive,
            NeedsMode::Strict,
        ] {
            assert_eq!(
                run(&dag, &all, mode),
                Ok(vec![
                    "serviceC".to_owned(),
                    "serviceD".to_owned(),
                    "serviceB".to_owned(),
                    "serviceA".to_owned()
                ])
            );
        }
    }

    #[test]
    fn strict_mode_rejects_a_need_on_an_unselected_release() {
        let error = match run(&services(), &["serviceA", "serviceD"], NeedsMode::Strict) {
            Ok(order) => panic!("expected an error, got {order:?}"),
            Err(error) => error,
        };
        insta::assert_snapshot!(error, @r#"helmfile.yaml:3:7: release "serviceA" needs "serviceB", which the selectors do not match"#);
    }

    #[test]
    fn the_narrowed_graph_keeps_only_edges_between_running_releases() {
        let dag = services();
        let selected = parse("serviceA");
        let narrowed = dag.select(|id| *id == selected, NeedsMode::Include);
        let edges: Vec<(String, String)> = narrowed
            .map(|dag| {
                dag.graph
                    .edge_references()
                    .map(|e| {
                        (
                            dag.graph[e.source()].id.to_string(),
                            dag.graph[e.target()].id.to_string(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        assert_eq!(edges, [("serviceA".to_owned(), "serviceB".to_owned())]);
    }
}
