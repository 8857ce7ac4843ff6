//! Local charts' dependencies: `helm dependency build` before templating or installing (each
//! chart that declares dependencies, once), and `deps`: `helm dependency update` for each local
//! chart of the plan, once however many releases use it.

use std::collections::HashSet;
use std::path::Path;

use crate::charts::Fetcher;
use crate::events::{Event, Events};
use crate::helm::{Helm, argv};
use crate::ops::OperationError;
use crate::ops::remote_charts::{chart_cache, release_chart, write_locks};
use crate::ops::repos::add_repositories_named;
use crate::plan::{Desired, Plan, PlannedRelease};
use crate::project::{Project, Release};

/// How `deps` runs.
#[derive(Debug, Clone, Default)]
pub struct DepsOptions {
    /// Do not add the repositories first (`--skip-repos`): use what helm already has.
    pub skip_repos: bool,
    /// How many OCI charts are asked of registries at once; 0 means one per available core.
    pub concurrency: usize,
    /// Where fetched charts are kept between runs; `None`: a temporary folder for this run.
    pub chart_cache: Option<std::path::PathBuf>,
}

/// The local chart folders of the releases to install, each once, in definition order, with the
/// first release that uses it.
fn local_charts(plan: &Plan) -> Vec<(&Path, &PlannedRelease)> {
    let mut seen = HashSet::new();
    plan.releases
        .iter()
        // A chart chartify rewrites gets its dependencies there.
        .filter(|r| r.desired == Desired::Install && r.chartify.is_none())
        .filter_map(|r| r.chart.local_path().map(|path| (path, r)))
        .filter(|(path, _)| seen.insert(*path))
        .collect()
}

/// `helm dependency update` for each local chart of `plan`; then, as Helmfile does, every state
/// file's remote charts (all its releases) are resolved now and written to its lock file.
/// Returns the lock files written.
pub async fn update_dependencies<H: Helm>(
    helm: &H,
    project: &Project,
    plan: &Plan,
    options: &DepsOptions,
    events: &dyn Events,
) -> Result<Vec<std::path::PathBuf>, OperationError> {
    if !options.skip_repos {
        let mut names: Vec<String> = Vec::new();
        for release in &project.releases {
            if let Some(name) = repository_name(project, release)
                && !names.contains(&name)
            {
                names.push(name);
            }
        }
        add_repositories_named(helm, project, &names, events).await?;
    }
    for (chart, release) in local_charts(plan) {
        let chart_text = chart.to_string_lossy();
        let mut args = argv::global_flags(release);
        args.extend(argv::dependency_update(&chart_text));
        helm.run(&args)
            .await
            .map_err(OperationError::helm(&chart_text))?;
        events.emit(Event::DependenciesUpdated {
            chart: chart.to_path_buf(),
        });
    }
    let concurrency = match options.concurrency {
        0 => std::thread::available_parallelism().map_or(2, |n| n.get()),
        n => n,
    };
    let fetcher = Fetcher::new(
        helm,
        chart_cache(options.chart_cache.as_deref()),
        concurrency,
        events,
    );
    write_locks(project, &fetcher, events).await
}

/// The declared repository a release's remote chart comes from, if any.
fn repository_name(project: &Project, release: &Release) -> Option<String> {
    release_chart(project, release)?;
    let (repo, _) = release.chart().split_once('/')?;
    project
        .state_of(release)
        .repositories
        .iter()
        .any(|r| r.name == repo)
        .then(|| repo.to_string())
}

/// `helm dependency build` once per local chart that declares dependencies, unless the releases
/// using it say `skipDeps` (Helmfile runs it once per release, and for charts without any).
pub(crate) async fn build_dependencies<H: Helm>(
    helm: &H,
    plan: &Plan,
    events: &dyn Events,
) -> Result<(), OperationError> {
    for (chart, release) in local_charts(plan) {
        if release.settings.skip_deps || !declares_dependencies(&plan.root.join(chart)) {
            continue;
        }
        let chart_text = chart.to_string_lossy();
        helm.run(&argv::dependency_build(release, &chart_text))
            .await
            .map_err(OperationError::helm(&chart_text))?;
        events.emit(Event::DependenciesBuilt {
            chart: chart.to_path_buf(),
        });
    }
    Ok(())
}

/// Whether a chart folder declares dependencies (`Chart.yaml` or helm 2's `requirements.yaml`).
pub(crate) fn declares_dependencies(chart: &Path) -> bool {
    ["Chart.yaml", "requirements.yaml"].iter().any(|file| {
        std::fs::read_to_string(chart.join(file))
            .ok()
            .and_then(|text| serde_yaml::from_str::<serde_yaml::Value>(&text).ok())
            .and_then(|doc| {
                doc.get("dependencies")
                    .and_then(|d| d.as_sequence())
                    .map(|d| !d.is_empty())
            })
            .unwrap_or(false)
    })
}
