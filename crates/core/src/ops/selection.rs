//! Which releases a command acts on: `-l` selectors (OR of ANDs) against each release's labels,
//! a parent `helmfiles:` entry's selectors in place of the command line's, and Helmfile's needs
//! inclusion rules.

use crate::graph::{GraphError, Inclusion, Selector};
use crate::project::Project;

/// How the command line selects releases.
#[derive(Debug, Clone, Default)]
pub struct SelectOptions {
    /// `-l` selectors; a release matches when any of them matches.
    pub selectors: Vec<String>,
    /// Which needs of selected releases join the run.
    pub inclusion: Inclusion,
}

/// The indices (into `project.releases`) of the selected releases, in definition order. With no
/// selectors every release is selected.
pub fn select(project: &Project, options: &SelectOptions) -> Result<Vec<usize>, GraphError> {
    let command_line = parse_all(&options.selectors)?;
    let mut per_state = Vec::with_capacity(project.states.len());
    for state in &project.states {
        per_state.push(match &state.selectors {
            Some(own) => Some(parse_all(own)?),
            None => None,
        });
    }
    let matched: Vec<usize> = project
        .releases
        .iter()
        .enumerate()
        .filter(|(_, release)| {
            let selectors = per_state[release.state].as_ref().unwrap_or(&command_line);
            let labels = release.selector_labels();
            selectors.is_empty() || selectors.iter().any(|s| s.matches(&labels))
        })
        .map(|(i, _)| i)
        .collect();
    Ok(project.graph.with_needs(&matched, options.inclusion))
}

fn parse_all(selectors: &[String]) -> Result<Vec<Selector>, GraphError> {
    selectors.iter().map(|s| Selector::parse(s)).collect()
}
