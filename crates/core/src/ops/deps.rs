//! `deps`: `helm dependency update` for every local chart of the selected releases, each chart
//! once however many releases use it.

use std::path::PathBuf;

use crate::events::{Event, Events};
use crate::helm::{Helm, HelmError, argv};
use crate::project::{Project, Release};

/// The local chart folder of a release (relative to the project root), or `None` for charts
/// from repositories and registries.
pub fn local_chart(project: &Project, release: &Release) -> Option<PathBuf> {
    let chart = release.chart();
    if chart.contains("://") {
        return None;
    }
    let shown = project.state_of(release).shown_dir.join(chart);
    let local = chart.starts_with("./") || chart.starts_with("../") || chart.starts_with('/');
    (local || release.base_dir.join(chart).is_dir()).then_some(shown)
}

/// Updates the dependencies of each distinct local chart among `selected`, in release order.
pub async fn update_dependencies<H: Helm>(
    helm: &H,
    project: &Project,
    selected: &[usize],
    events: &dyn Events,
) -> Result<(), HelmError> {
    let mut done: Vec<PathBuf> = Vec::new();
    for &index in selected {
        let Some(chart) = local_chart(project, &project.releases[index]) else {
            continue;
        };
        if done.contains(&chart) {
            continue;
        }
        helm.run(&argv::dependency_update(&chart.to_string_lossy()))
            .await?;
        events.emit(Event::DependenciesUpdated {
            chart: chart.clone(),
        });
        done.push(chart);
    }
    Ok(())
}
