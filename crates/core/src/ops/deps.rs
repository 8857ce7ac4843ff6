//! `deps`: `helm dependency update` for every local chart of the selected releases, each chart
//! once however many releases use it; then, as Helmfile does, each state file's remote charts
//! are resolved now and their versions written to the state's lock file (`helmfile.lock`).

use std::path::PathBuf;

use crate::charts::Fetcher;
use crate::events::{Event, Events};
use crate::helm::{Helm, argv};
use crate::ops::remote_charts::{chart_cache, needed_repositories, write_locks};
use crate::ops::repos::add_repositories;
use crate::ops::template::OperationError;
use crate::project::{Project, Release};

/// How `deps` runs.
#[derive(Debug, Clone, Default)]
pub struct DepsOptions {
    /// Do not add the repositories first (`--skip-repos`): use what helm already has.
    pub skip_repos: bool,
    /// How many OCI charts are asked of registries at once; 0 means one per available core.
    pub concurrency: usize,
    /// Where fetched charts are kept between runs; `None`: a temporary folder for this run.
    pub chart_cache: Option<PathBuf>,
}

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

/// Updates the dependencies of each distinct local chart among `selected`, in release order,
/// then writes the lock file of every state file with remote charts (all its releases, as
/// Helmfile locks them); returns the lock files written.
pub async fn update_dependencies<H: Helm>(
    helm: &H,
    project: &Project,
    selected: &[usize],
    options: &DepsOptions,
    events: &dyn Events,
) -> Result<Vec<PathBuf>, OperationError> {
    if !options.skip_repos {
        let all: Vec<&Release> = project.releases.iter().collect();
        let needed = needed_repositories(project, &all);
        add_repositories(helm, project, Some(&needed), false, events).await?;
    }
    let mut done: Vec<PathBuf> = Vec::new();
    for &index in selected {
        let Some(chart) = local_chart(project, &project.releases[index]) else {
            continue;
        };
        if done.contains(&chart) {
            continue;
        }
        helm.run(&argv::dependency_update(&chart.to_string_lossy()))
            .await
            .map_err(|source| OperationError::Helm {
                release: chart.display().to_string(),
                source,
            })?;
        events.emit(Event::DependenciesUpdated {
            chart: chart.clone(),
        });
        done.push(chart);
    }
    let concurrency = match options.concurrency {
        0 => std::thread::available_parallelism().map_or(2, |n| n.get()),
        n => n,
    };
    let cache = chart_cache(options.chart_cache.as_deref());
    let fetcher = Fetcher::new(helm, cache, concurrency, events);
    write_locks(project, &fetcher, events).await
}
