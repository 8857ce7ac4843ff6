//! Which releases a command acts on: `-l` selectors (OR of ANDs) against each release's labels,
//! a parent `helmfiles:` entry's selectors in place of the command line's, and Helmfile's needs
//! inclusion rules.

use std::collections::{HashMap, HashSet};

use crate::graph::{Dag, GraphError, NeedsMode, ReleaseId, Selectors};
use crate::project::Project;

/// Which releases a command acts on, as the command line says it.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// `-l` selectors; a release matches when any of them matches.
    pub selectors: Vec<String>,
    /// What happens to the needs of selected releases that are not selected
    /// (`--include-needs`, `--include-transitive-needs`, `--skip-needs`).
    pub needs: NeedsMode,
}

/// The releases a selection picks, and their graph.
#[derive(Debug, Clone)]
pub(crate) struct Selected {
    /// Indices into `project.releases`, in definition order.
    pub releases: Vec<usize>,
    /// The same indices in Helmfile's run order: dependency groups, each in definition order.
    pub ordered: Vec<usize>,
    /// The dependency graph of just these releases.
    pub graph: Dag,
}

/// Selects releases: with no selectors (and no parent selectors) every release.
pub(crate) fn select(project: &Project, options: &Selection) -> Result<Selected, GraphError> {
    let command_line = Selectors::parse(options.selectors.iter().map(String::as_str))?;
    let mut per_state = Vec::with_capacity(project.states.len());
    for state in &project.states {
        per_state.push(match &state.selectors {
            Some(own) => Some(Selectors::parse(own.iter().map(String::as_str))?),
            None => None,
        });
    }
    let matched: HashSet<&ReleaseId> = project
        .releases
        .iter()
        .filter(|release| {
            let selectors = per_state[release.state].as_ref().unwrap_or(&command_line);
            // The loader gave every release Helmfile's automatic labels.
            let labels = release.spec.labels.clone().into_iter().collect();
            selectors.is_empty() || selectors.matches(&labels)
        })
        .map(|release| &release.id)
        .collect();
    let graph = project
        .graph
        .select(|id| matched.contains(id), options.needs)?;
    let index: HashMap<&ReleaseId, usize> = project
        .releases
        .iter()
        .enumerate()
        .map(|(i, r)| (&r.id, i))
        .collect();
    let mut releases: Vec<usize> = graph
        .ids()
        .filter_map(|id| index.get(id).copied())
        .collect();
    releases.sort_unstable();
    let ordered = graph
        .levels()
        .into_iter()
        .flat_map(|level| {
            let mut group: Vec<usize> = level
                .into_iter()
                .filter_map(|id| index.get(id).copied())
                .collect();
            group.sort_unstable();
            group
        })
        .collect();
    Ok(Selected {
        releases,
        ordered,
        graph,
    })
}
