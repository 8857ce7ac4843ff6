//! The dependency graph of the releases of a run (petgraph), checked for unknown needs and cycles
//! when it is built, and walked in a deterministic order: dependencies first, ties in definition
//! order.

use std::cmp::Reverse;
use std::collections::{BTreeSet, BinaryHeap, HashMap};
use std::fmt::Write;

use petgraph::graph::{DiGraph, NodeIndex};

use crate::graph::{GraphError, ReleaseId};
use crate::location::Location;

/// A release as the graph sees it.
#[derive(Debug, Clone)]
pub struct Node {
    id: ReleaseId,
    needs: Vec<(String, Location)>,
    location: Location,
}

impl Node {
    /// A release `id` defined at `location`, with its `needs` entries as written and where.
    pub fn new(id: ReleaseId, needs: Vec<(String, Location)>, location: Location) -> Self {
        Self {
            id,
            needs,
            location,
        }
    }
}

/// Which releases a selection pulls in besides the selected ones.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Inclusion {
    /// Only the selected releases (Helmfile's `--skip-needs`, its default for sync in 1.x).
    #[default]
    SelectedOnly,
    /// The selected releases and what they directly need (`--include-needs`).
    DirectNeeds,
    /// The selected releases and everything they need, transitively (`--include-transitive-needs`).
    TransitiveNeeds,
}

/// The release dependency graph; node `i` is release `i` of the project.
#[derive(Debug, Clone, Default)]
pub struct Dag {
    ids: Vec<ReleaseId>,
    /// `needs[i]`: the releases release `i` needs, in the order written.
    needs: Vec<Vec<usize>>,
}

impl Dag {
    /// Builds the graph, resolving every `needs` entry and rejecting unknown ones and cycles.
    pub fn new(nodes: Vec<Node>) -> Result<Self, GraphError> {
        let index: HashMap<&ReleaseId, usize> =
            nodes.iter().enumerate().map(|(i, n)| (&n.id, i)).collect();
        let mut needs = Vec::with_capacity(nodes.len());
        for node in &nodes {
            let mut resolved = Vec::with_capacity(node.needs.len());
            for (written, location) in &node.needs {
                let target = node.id.resolve_need(written);
                let Some(&i) = index.get(&target) else {
                    let candidates: Vec<String> = nodes.iter().map(|n| n.id.to_string()).collect();
                    return Err(GraphError::UnknownNeed {
                        location: location.clone(),
                        release: node.id.to_string(),
                        need: target.to_string(),
                        suggestion: crate::project::closest_of(
                            &target.to_string(),
                            candidates.iter().map(String::as_str),
                        ),
                    });
                };
                if !resolved.contains(&i) {
                    resolved.push(i);
                }
            }
            needs.push(resolved);
        }
        let dag = Self {
            ids: nodes.iter().map(|n| n.id.clone()).collect(),
            needs,
        };
        if let Some(mut cycle) = dag.find_cycle() {
            // Start the message at the release defined first, so it does not depend on the walk.
            let first = cycle
                .iter()
                .enumerate()
                .min_by_key(|(_, i)| **i)
                .map_or(0, |(p, _)| p);
            cycle.rotate_left(first);
            return Err(GraphError::Cycle {
                cycle: cycle
                    .into_iter()
                    .map(|i| (nodes[i].id.to_string(), nodes[i].location.clone()))
                    .collect(),
            });
        }
        Ok(dag)
    }

    /// The releases release `index` needs.
    pub fn needs_of(&self, index: usize) -> &[usize] {
        &self.needs[index]
    }

    /// `selected` plus the needs `inclusion` asks for, in definition order.
    pub fn with_needs(&self, selected: &[usize], inclusion: Inclusion) -> Vec<usize> {
        let mut set: BTreeSet<usize> = selected.iter().copied().collect();
        match inclusion {
            Inclusion::SelectedOnly => {}
            Inclusion::DirectNeeds => {
                for &i in selected {
                    set.extend(&self.needs[i]);
                }
            }
            Inclusion::TransitiveNeeds => {
                let mut stack: Vec<usize> = selected.to_vec();
                while let Some(i) = stack.pop() {
                    for &need in &self.needs[i] {
                        if set.insert(need) {
                            stack.push(need);
                        }
                    }
                }
            }
        }
        set.into_iter().collect()
    }

    /// `subset` in dependency order: every release after what it needs (needs outside `subset`
    /// are ignored), ties broken by definition order.
    pub fn order(&self, subset: &[usize]) -> Vec<usize> {
        let members: BTreeSet<usize> = subset.iter().copied().collect();
        let mut waiting: HashMap<usize, usize> = members
            .iter()
            .map(|&i| {
                (
                    i,
                    self.needs[i].iter().filter(|n| members.contains(n)).count(),
                )
            })
            .collect();
        let mut ready: BinaryHeap<Reverse<usize>> = waiting
            .iter()
            .filter(|(_, n)| **n == 0)
            .map(|(&i, _)| Reverse(i))
            .collect();
        let mut order = Vec::with_capacity(members.len());
        while let Some(Reverse(i)) = ready.pop() {
            order.push(i);
            for &dependent in &members {
                if self.needs[dependent].contains(&i)
                    && let Some(count) = waiting.get_mut(&dependent)
                {
                    *count -= 1;
                    if *count == 0 {
                        ready.push(Reverse(dependent));
                    }
                }
            }
        }
        order
    }

    /// Each release of `subset` in dependency order, with what it needs, one per line.
    pub fn to_text(&self, subset: &[usize]) -> String {
        let mut out = String::new();
        for i in self.order(subset) {
            let _ = writeln!(out, "{}", self.ids[i]);
            let needs: Vec<String> = self.needs[i]
                .iter()
                .map(|&n| self.ids[n].to_string())
                .collect();
            if !needs.is_empty() {
                let _ = writeln!(out, "  needs {}", needs.join(", "));
            }
        }
        out
    }

    /// Graphviz: an edge from each needed release to the release that needs it (deploy order).
    pub fn to_dot(&self, subset: &[usize]) -> String {
        let mut out = String::from("digraph releases {\n  rankdir=LR;\n");
        for i in self.order(subset) {
            let _ = writeln!(out, "  \"{}\";", self.ids[i]);
            for &need in &self.needs[i] {
                let _ = writeln!(out, "  \"{}\" -> \"{}\";", self.ids[need], self.ids[i]);
            }
        }
        out.push_str("}\n");
        out
    }

    /// A cycle as release indices in need order, if there is one (the one petgraph meets first).
    fn find_cycle(&self) -> Option<Vec<usize>> {
        let mut graph = DiGraph::<usize, ()>::with_capacity(self.ids.len(), 0);
        let nodes: Vec<NodeIndex> = (0..self.ids.len()).map(|i| graph.add_node(i)).collect();
        for (i, needs) in self.needs.iter().enumerate() {
            for &need in needs {
                graph.add_edge(nodes[i], nodes[need], ());
            }
        }
        let start = petgraph::algo::toposort(&graph, None)
            .err()?
            .node_id()
            .index();
        let component: BTreeSet<usize> = petgraph::algo::tarjan_scc(&graph)
            .into_iter()
            .find(|scc| scc.iter().any(|n| n.index() == start))?
            .into_iter()
            .map(NodeIndex::index)
            .collect();
        // Walk needs inside the strongly connected component until we are back at the start.
        let mut path = vec![start];
        let mut current = start;
        loop {
            let next = *self.needs[current]
                .iter()
                .filter(|n| component.contains(n))
                .min_by_key(|&&n| (n != start, path.contains(&n)))?;
            if next == start {
                return Some(path);
            }
            if path.contains(&next) {
                let at = path.iter().position(|&p| p == next).unwrap_or(0);
                return Some(path.split_off(at));
            }
            path.push(next);
            current = next;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dag(edges: &[(&str, &[&str])]) -> Result<Dag, GraphError> {
        Dag::new(
            edges
                .iter()
                .enumerate()
                .map(|(i, (name, needs))| {
                    let at = |line| Location::new("h.yaml", line, 3);
                    Node::new(
                        ReleaseId::new(None, Some("ns"), name),
                        needs
                            .iter()
                            .map(|n| (n.to_string(), at(100 + i as u32)))
                            .collect(),
                        at(i as u32 + 1),
                    )
                })
                .collect(),
        )
    }

    fn names(dag: &Dag, order: Vec<usize>) -> Vec<String> {
        order.into_iter().map(|i| dag.ids[i].to_string()).collect()
    }

    #[test]
    fn orders_dependencies_first_and_ties_by_definition() {
        let dag = dag(&[
            ("web", &["api"]),
            ("api", &["db"]),
            ("db", &[]),
            ("cache", &[]),
        ])
        .unwrap_or_default();
        assert_eq!(
            names(&dag, dag.order(&[0, 1, 2, 3])),
            ["ns/db", "ns/api", "ns/web", "ns/cache"]
        );
        assert_eq!(names(&dag, dag.order(&[0, 3])), ["ns/web", "ns/cache"]);
    }

    #[test]
    fn inclusion_adds_direct_or_transitive_needs() {
        let dag = dag(&[("web", &["api"]), ("api", &["db"]), ("db", &[])]).unwrap_or_default();
        assert_eq!(dag.with_needs(&[0], Inclusion::SelectedOnly), [0]);
        assert_eq!(dag.with_needs(&[0], Inclusion::DirectNeeds), [0, 1]);
        assert_eq!(dag.with_needs(&[0], Inclusion::TransitiveNeeds), [0, 1, 2]);
    }

    #[test]
    fn cycles_of_one_two_and_three_are_named() {
        let message =
            |edges: &[(&str, &[&str])]| dag(edges).err().map(|e| e.to_string()).unwrap_or_default();
        assert_eq!(
            message(&[("a", &["a"])]),
            "h.yaml:1:3: dependency cycle: ns/a (h.yaml:1:3) -> ns/a"
        );
        assert_eq!(
            message(&[("a", &["b"]), ("b", &["a"])]),
            "h.yaml:1:3: dependency cycle: ns/a (h.yaml:1:3) -> ns/b (h.yaml:2:3) -> ns/a"
        );
        assert_eq!(
            message(&[("x", &[]), ("a", &["c"]), ("b", &["a"]), ("c", &["b"])]),
            "h.yaml:2:3: dependency cycle: ns/a (h.yaml:2:3) -> ns/c (h.yaml:4:3) -> ns/b (h.yaml:3:3) -> ns/a"
        );
    }

    #[test]
    fn unknown_needs_suggest_the_closest_release() {
        let error = dag(&[("api", &[]), ("web", &["apii"])])
            .err()
            .map(|e| e.to_string());
        assert_eq!(
            error.as_deref(),
            Some(
                "h.yaml:101:3: release \"ns/web\" needs \"ns/apii\", which is not defined (did you mean \"ns/api\"?)"
            )
        );
    }

    #[test]
    fn renders_text_and_dot() {
        let dag =
            dag(&[("web", &["api", "db"]), ("api", &["db"]), ("db", &[])]).unwrap_or_default();
        assert_eq!(
            dag.to_text(&[0, 1, 2]),
            "ns/db\nns/api\n  needs ns/db\nns/web\n  needs ns/api, ns/db\n"
        );
        assert_eq!(
            dag.to_dot(&[0, 1, 2]),
            "digraph releases {\n  rankdir=LR;\n  \"ns/db\";\n  \"ns/api\";\n  \"ns/db\" -> \"ns/api\";\n  \"ns/web\";\n  \"ns/api\" -> \"ns/web\";\n  \"ns/db\" -> \"ns/web\";\n}\n"
        );
    }

    proptest::proptest! {
        #[test]
        fn order_respects_every_edge(edges in proptest::collection::vec((0usize..12, 0usize..12), 0..40)) {
            // Only edges from a higher to a lower index: always acyclic.
            let mut needs: Vec<Vec<String>> = vec![Vec::new(); 12];
            for (a, b) in edges {
                if a > b {
                    needs[a].push(format!("r{b}"));
                }
            }
            let names: Vec<String> = (0..12).map(|i| format!("r{i}")).collect();
            let nodes = (0..12)
                .map(|i| Node::new(
                    ReleaseId::new(None, None, &names[i]),
                    needs[i].iter().map(|n| (n.clone(), Location::file("x"))).collect(),
                    Location::file("x"),
                ))
                .collect();
            let dag = Dag::new(nodes).unwrap_or_default();
            let all: Vec<usize> = (0..12).collect();
            let order = dag.order(&all);
            proptest::prop_assert_eq!(order.len(), 12);
            let position: HashMap<usize, usize> = order.iter().enumerate().map(|(p, &i)| (i, p)).collect();
            for i in 0..12 {
                for &need in dag.needs_of(i) {
                    proptest::prop_assert!(position[&need] < position[&i]);
                }
            }
        }
    }
}
