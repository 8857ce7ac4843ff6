//! The validated graph of releases and their `needs`, and its deterministic orders.

use std::collections::VecDeque;

use petgraph::Direction::{Incoming, Outgoing};
use petgraph::graph::{DiGraph, NodeIndex};

use crate::graph::{CycleStep, GraphError, ReleaseId};
use crate::location::Location;

/// A release as the graph sees it: its id, where it is defined, and its `needs` as written.
///
/// As in Helmfile, the id's kubeContext is the release's own `kubeContext` (or the
/// `--kube-context` override), not the one of `helmDefaults` or of the environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    /// The release's identity.
    pub id: ReleaseId,
    /// Where the release is defined (for error messages).
    pub location: Location,
    /// The release's `needs` entries, in the order written.
    pub needs: Vec<Need>,
}

/// One `needs` entry as written (`name`, `namespace/name` or `kubeContext/namespace/name`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Need {
    /// The entry, unresolved.
    pub entry: String,
    /// Where the entry is written.
    pub location: Location,
}

/// A release inside the graph.
#[derive(Debug, Clone)]
pub(super) struct Release {
    pub(super) id: ReleaseId,
    pub(super) location: Location,
}

/// An acyclic graph of releases in which every `needs` names a release of the graph.
///
/// Releases are stored sorted by id, so every order derived from the graph is deterministic.
/// An edge goes from a release to a release it needs; its weight is where the entry is written.
#[derive(Debug, Clone)]
pub struct Dag {
    pub(super) graph: DiGraph<Release, Location>,
}

impl Dag {
    /// Builds the graph of `nodes`, resolving each `needs` entry relative to its release.
    ///
    /// Fails on two releases with the same id, a `needs` entry without a name or naming an
    /// undefined release (with the closest defined one as a suggestion), and a cycle (the one
    /// through the smallest id, as a shortest path).
    pub fn new(nodes: impl IntoIterator<Item = Node>) -> Result<Dag, GraphError> {
        let mut nodes: Vec<Node> = nodes.into_iter().collect();
        // Stable, so of two duplicates the one defined first comes first.
        nodes.sort_by(|a, b| a.id.cmp(&b.id));
        if let Some(pair) = nodes.windows(2).find(|pair| pair[0].id == pair[1].id) {
            return Err(GraphError::DuplicateRelease {
                id: pair[0].id.clone(),
                first: pair[0].location.clone(),
                second: pair[1].location.clone(),
            });
        }

        let mut graph = DiGraph::with_capacity(nodes.len(), 0);
        for node in &nodes {
            graph.add_node(Release {
                id: node.id.clone(),
                location: node.location.clone(),
            });
        }
        let ids: Vec<&ReleaseId> = nodes.iter().map(|node| &node.id).collect();
        for (from, node) in nodes.iter().enumerate() {
            for need in &node.needs {
                let to = resolve(&node.id, need, &ids)?;
                let (from, to) = (NodeIndex::new(from), NodeIndex::new(to));
                if graph.find_edge(from, to).is_none() {
                    graph.add_edge(from, to, need.location.clone());
                }
            }
        }

        let dag = Dag { graph };
        match dag.find_cycle() {
            Some(steps) => Err(GraphError::Cycle { steps }),
            None => Ok(dag),
        }
    }

    /// The number of releases.
    pub fn len(&self) -> usize {
        self.graph.node_count()
    }

    /// Whether the graph has no release.
    pub fn is_empty(&self) -> bool {
        self.graph.node_count() == 0
    }

    /// Every release id, sorted.
    pub fn ids(&self) -> impl Iterator<Item = &ReleaseId> {
        self.graph.node_weights().map(|release| &release.id)
    }

    /// Whether the graph holds release `id`.
    pub fn contains(&self, id: &ReleaseId) -> bool {
        self.index(id).is_some()
    }

    /// Where release `id` is defined, if the graph holds it.
    pub fn location(&self, id: &ReleaseId) -> Option<&Location> {
        self.index(id).map(|index| &self.graph[index].location)
    }

    /// The releases that `id` needs (inside this graph), sorted; empty for an unknown id.
    pub fn needs(&self, id: &ReleaseId) -> Vec<&ReleaseId> {
        self.neighbors(id, Outgoing)
    }

    /// The releases that need `id` (inside this graph), sorted; empty for an unknown id.
    pub fn dependents(&self, id: &ReleaseId) -> Vec<&ReleaseId> {
        self.neighbors(id, Incoming)
    }

    /// Groups of releases: the first group needs nothing, each later one needs only releases of
    /// earlier groups and at least one of the group just before. Each group is sorted by id.
    ///
    /// This is Helmfile's batching; releases of one group can run at the same time.
    pub fn levels(&self) -> Vec<Vec<&ReleaseId>> {
        let mut waiting: Vec<usize> = self
            .graph
            .node_indices()
            .map(|index| self.graph.edges_directed(index, Outgoing).count())
            .collect();
        let mut current: Vec<NodeIndex> = self
            .graph
            .node_indices()
            .filter(|index| waiting[index.index()] == 0)
            .collect();
        let mut levels = Vec::new();
        while !current.is_empty() {
            let mut next = Vec::new();
            for &done in &current {
                for dependent in self.graph.neighbors_directed(done, Incoming) {
                    waiting[dependent.index()] -= 1;
                    if waiting[dependent.index()] == 0 {
                        next.push(dependent);
                    }
                }
            }
            next.sort();
            levels.push(current.iter().map(|&index| &self.graph[index].id).collect());
            current = next;
        }
        levels
    }

    /// The order to install releases in: the [`levels`](Dag::levels) one after the other, so
    /// every release comes after all it needs, ties broken by id.
    pub fn order(&self) -> Vec<&ReleaseId> {
        self.levels().into_iter().flatten().collect()
    }

    /// The order to delete releases in: the levels from last to first (each sorted by id), so
    /// every release comes before all it needs.
    pub fn reverse_order(&self) -> Vec<&ReleaseId> {
        self.levels().into_iter().rev().flatten().collect()
    }

    fn index(&self, id: &ReleaseId) -> Option<NodeIndex> {
        let releases = self.graph.raw_nodes();
        releases
            .binary_search_by(|node| node.weight.id.cmp(id))
            .ok()
            .map(NodeIndex::new)
    }

    fn neighbors(&self, id: &ReleaseId, direction: petgraph::Direction) -> Vec<&ReleaseId> {
        let Some(index) = self.index(id) else {
            return Vec::new();
        };
        let mut found: Vec<NodeIndex> = self.graph.neighbors_directed(index, direction).collect();
        found.sort();
        found.into_iter().map(|i| &self.graph[i].id).collect()
    }

    /// The shortest cycle through the smallest release that lies on a cycle, if any.
    fn find_cycle(&self) -> Option<Vec<CycleStep>> {
        let start = petgraph::algo::tarjan_scc(&self.graph)
            .into_iter()
            .filter(|scc| scc.len() > 1 || self.graph.contains_edge(scc[0], scc[0]))
            .filter_map(|scc| scc.into_iter().min())
            .min()?;
        // Breadth-first from `start` along `needs`, back to `start`.
        let mut came_from: Vec<Option<NodeIndex>> = vec![None; self.graph.node_count()];
        let mut queue = VecDeque::from([start]);
        let mut last = None;
        while let Some(at) = queue.pop_front() {
            let mut next: Vec<NodeIndex> = self.graph.neighbors_directed(at, Outgoing).collect();
            next.sort();
            if next.contains(&start) {
                last = Some(at);
                break;
            }
            for to in next {
                if came_from[to.index()].is_none() {
                    came_from[to.index()] = Some(at);
                    queue.push_back(to);
                }
            }
        }
        let mut path = vec![last?];
        while let Some(&at) = path.last() {
            match came_from[at.index()] {
                Some(previous) if at != start => path.push(previous),
                _ => break,
            }
        }
        path.reverse();
        let steps = path
            .iter()
            .enumerate()
            .map(|(i, &from)| {
                let to = path.get(i + 1).copied().unwrap_or(start);
                let needs_at = self
                    .graph
                    .find_edge(from, to)
                    .map(|edge| self.graph[edge].clone())
                    .unwrap_or_else(|| self.graph[from].location.clone());
                CycleStep {
                    release: self.graph[from].id.clone(),
                    defined_at: self.graph[from].location.clone(),
                    needs: self.graph[to].id.clone(),
                    needs_at,
                }
            })
            .collect();
        Some(steps)
    }
}

/// The index in `ids` (sorted) of the release that `need`, written in `release`, names.
fn resolve(release: &ReleaseId, need: &Need, ids: &[&ReleaseId]) -> Result<usize, GraphError> {
    let Some(target) = release.resolve_need(&need.entry) else {
        return Err(GraphError::InvalidNeed {
            location: need.location.clone(),
            release: release.clone(),
            entry: need.entry.clone(),
        });
    };
    ids.binary_search(&&target)
        .map_err(|_| GraphError::UnknownNeed {
            location: need.location.clone(),
            release: release.clone(),
            entry: need.entry.clone(),
            suggestion: closest(&target, ids).map(|id| id.need_entry_from(release)),
            need: target,
        })
}

/// The defined release the user most likely meant: one with the same name (the usual mistake
/// is a missing namespace or context), else the one whose id is within a few edits.
fn closest<'a>(target: &ReleaseId, ids: &[&'a ReleaseId]) -> Option<&'a ReleaseId> {
    let wanted = target.to_string();
    let distance = |id: &&ReleaseId| strsim::levenshtein(&wanted, &id.to_string());
    let same_name = ids
        .iter()
        .copied()
        .filter(|id| id.name() == target.name())
        .min_by_key(distance);
    same_name.or_else(|| {
        let limit = (wanted.chars().count() / 3).max(2);
        ids.iter()
            .copied()
            .filter(|id| distance(id) <= limit)
            .min_by_key(distance)
    })
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    /// A node `id` defined at `helmfile.yaml:<line>:3` whose needs are written on the lines after.
    pub(crate) fn node(id: &str, line: u32, needs: &[&str]) -> Node {
        Node {
            id: parse(id),
            location: Location::new("helmfile.yaml", line, 3),
            needs: needs
                .iter()
                .zip(line + 2..)
                .map(|(entry, line)| Need {
                    entry: (*entry).to_owned(),
                    location: Location::new("helmfile.yaml", line, 7),
                })
                .collect(),
        }
    }

    /// Parses an absolute id as written in a needs entry.
    pub(crate) fn parse(id: &str) -> ReleaseId {
        ReleaseId::new("", "", "")
            .resolve_need(id)
            .unwrap_or_else(|| panic!("bad test id {id:?}"))
    }

    pub(crate) fn shown(ids: &[&ReleaseId]) -> Vec<String> {
        ids.iter().map(ToString::to_string).collect()
    }

    fn error(nodes: Vec<Node>) -> String {
        match Dag::new(nodes) {
            Ok(dag) => panic!("expected an error, got {dag:?}"),
            Err(error) => error.to_string(),
        }
    }

    /// Helmfile's documentation example: myapp1/2 need servicemesh and logging.
    pub(crate) fn docs_example() -> Dag {
        let dag = Dag::new([
            node("default/myapp1", 1, &["servicemesh", "logging"]),
            node("default/myapp2", 10, &["servicemesh", "logging"]),
            node("default/servicemesh", 20, &["logging"]),
            node("default/logging", 30, &[]),
        ]);
        match dag {
            Ok(dag) => dag,
            Err(error) => panic!("{error}"),
        }
    }

    #[test]
    fn levels_group_releases_like_helmfile_batches() {
        let dag = docs_example();
        let levels: Vec<Vec<String>> = dag.levels().iter().map(|l| shown(l)).collect();
        assert_eq!(
            levels,
            [
                vec!["default/logging"],
                vec!["default/servicemesh"],
                vec!["default/myapp1", "default/myapp2"],
            ]
        );
        assert_eq!(
            shown(&dag.order()),
            [
                "default/logging",
                "default/servicemesh",
                "default/myapp1",
                "default/myapp2"
            ]
        );
        assert_eq!(
            shown(&dag.reverse_order()),
            [
                "default/myapp1",
                "default/myapp2",
                "default/servicemesh",
                "default/logging"
            ]
        );
    }

    #[test]
    fn needs_and_dependents_are_sorted_and_resolved() {
        let dag = docs_example();
        let mesh = parse("default/servicemesh");
        assert_eq!(shown(&dag.needs(&mesh)), ["default/logging"]);
        assert_eq!(
            shown(&dag.dependents(&mesh)),
            ["default/myapp1", "default/myapp2"]
        );
        assert_eq!(
            dag.location(&mesh),
            Some(&Location::new("helmfile.yaml", 20, 3))
        );
        assert!(dag.needs(&parse("nope")).is_empty());
        assert!(dag.contains(&mesh));
        assert!(!dag.contains(&parse("servicemesh")));
        assert_eq!((dag.len(), dag.is_empty()), (4, false));
    }

    #[test]
    fn needs_across_namespaces_and_contexts() {
        let dag = Dag::new([
            node("prod/apps/web", 1, &["data/db", "shared/infra/dns"]),
            node("prod/data/db", 10, &[]),
            node("shared/infra/dns", 20, &[]),
        ]);
        let dag = dag.map_err(|e| e.to_string());
        let needs = dag.map(|dag| shown(&dag.needs(&parse("prod/apps/web"))));
        assert_eq!(
            needs,
            Ok(vec![
                "prod/data/db".to_owned(),
                "shared/infra/dns".to_owned()
            ])
        );
    }

    #[test]
    fn an_unknown_need_suggests_the_release_with_the_same_name() {
        insta::assert_snapshot!(error(vec![
            node("apps/web", 1, &["db"]),
            node("data/db", 10, &[]),
        ]), @r#"helmfile.yaml:3:7: release "apps/web" needs "db" (read as "apps/db"), which is not defined (did you mean "data/db"?)"#);
    }

    #[test]
    fn an_unknown_need_suggests_a_close_spelling() {
        insta::assert_snapshot!(error(vec![
            node("apps/web", 1, &["postgress"]),
            node("apps/postgres", 10, &[]),
        ]), @r#"helmfile.yaml:3:7: release "apps/web" needs "postgress" (read as "apps/postgress"), which is not defined (did you mean "postgres"?)"#);
    }

    #[test]
    fn an_unknown_need_suggests_the_entry_to_write_across_contexts() {
        insta::assert_snapshot!(error(vec![
            node("prod/apps/web", 1, &["apps/db"]),
            node("stage/apps/db", 10, &[]),
        ]), @r#"helmfile.yaml:3:7: release "prod/apps/web" needs "apps/db" (read as "prod/apps/db"), which is not defined (did you mean "stage/apps/db"?)"#);
    }

    #[test]
    fn context_only_ids_keep_an_empty_namespace() {
        let dag = Dag::new([node("prod//web", 1, &["db"]), node("prod//db", 10, &[])]);
        let needs = dag.map(|dag| shown(&dag.needs(&parse("prod//web"))));
        assert_eq!(
            needs.map_err(|e| e.to_string()),
            Ok(vec!["prod//db".to_owned()])
        );
    }

    #[test]
    fn an_unknown_need_without_anything_close_explains_the_forms() {
        insta::assert_snapshot!(error(vec![
            node("web", 1, &["cache"]),
            node("database", 10, &[]),
        ]), @r#"helmfile.yaml:3:7: release "web" needs "cache", which is not defined"#);
    }

    #[test]
    fn a_need_without_a_name_is_an_error() {
        insta::assert_snapshot!(error(vec![node("apps/web", 1, &["data/"])]), @r#"helmfile.yaml:3:7: release "apps/web" has a needs entry "data/" without a release name"#);
    }

    #[test]
    fn a_duplicate_release_is_an_error() {
        insta::assert_snapshot!(error(vec![
            node("apps/web", 1, &[]),
            node("apps/db", 5, &[]),
            node("apps/web", 9, &[]),
        ]), @r#"helmfile.yaml:9:3: release "apps/web" is defined twice (first at helmfile.yaml:1:3)"#);
    }

    #[test]
    fn a_release_needing_itself_is_a_cycle_of_one() {
        insta::assert_snapshot!(error(vec![node("apps/web", 1, &["web"])]), @"
        helmfile.yaml:3:7: dependency cycle: apps/web -> apps/web
          apps/web (defined at helmfile.yaml:1:3) needs apps/web at helmfile.yaml:3:7
        ");
    }

    #[test]
    fn two_releases_needing_each_other_are_a_cycle() {
        insta::assert_snapshot!(error(vec![
            node("apps/web", 1, &["api"]),
            node("apps/api", 10, &["web"]),
        ]), @"
        helmfile.yaml:12:7: dependency cycle: apps/api -> apps/web -> apps/api
          apps/api (defined at helmfile.yaml:10:3) needs apps/web at helmfile.yaml:12:7
          apps/web (defined at helmfile.yaml:1:3) needs apps/api at helmfile.yaml:3:7
        ");
    }

    #[test]
    fn a_cycle_of_three_is_reported_from_the_smallest_id_along_needs() {
        insta::assert_snapshot!(error(vec![
            node("c", 1, &["a"]),
            node("b", 10, &["c"]),
            node("a", 20, &["x", "b"]),
            node("x", 30, &[]),
        ]), @"
        helmfile.yaml:23:7: dependency cycle: a -> b -> c -> a
          a (defined at helmfile.yaml:20:3) needs b at helmfile.yaml:23:7
          b (defined at helmfile.yaml:10:3) needs c at helmfile.yaml:12:7
          c (defined at helmfile.yaml:1:3) needs a at helmfile.yaml:3:7
        ");
    }

    #[test]
    fn the_shortest_cycle_is_reported() {
        insta::assert_snapshot!(error(vec![
            node("a", 1, &["b", "d"]),
            node("b", 10, &["c"]),
            node("c", 20, &["a"]),
            node("d", 30, &["a"]),
        ]), @"
        helmfile.yaml:4:7: dependency cycle: a -> d -> a
          a (defined at helmfile.yaml:1:3) needs d at helmfile.yaml:4:7
          d (defined at helmfile.yaml:30:3) needs a at helmfile.yaml:32:7
        ");
    }
}
