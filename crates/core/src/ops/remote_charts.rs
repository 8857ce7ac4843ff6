//! The remote charts of a project's releases: writing the state files' lock files (`deps`,
//! Helmfile's `ResolveDeps`) and fetching each chart once into the chart cache. The plan reads
//! the lock files ([`crate::charts::lock::pinned_versions`]).

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::PathBuf;

use crate::charts::lock::{LockFile, LockedChart, Requirement, lock_path, requirement};
use crate::charts::{ChartCache, Fetched, Fetcher, RemoteChart, Wanted, remote_chart};
use crate::events::{Event, Events};
use crate::graph::ReleaseId;
use crate::helm::Helm;
use crate::ops::OperationError;
use crate::plan::{ChartRef, Desired, Plan, PlannedRelease};
use crate::project::{Project, Release};

/// Where a planned release's chart lives, when windlass fetches it: `oci://` charts and charts
/// of the plan's repositories.
pub fn planned_chart(plan: &Plan, release: &PlannedRelease) -> Option<RemoteChart> {
    match &release.chart {
        ChartRef::Repository { .. } | ChartRef::Oci { .. } => remote_chart(
            &release.chart.to_string(),
            &plan.repositories,
            release.settings.plain_http,
        ),
        _ => None,
    }
}

/// Where a project release's chart lives, when windlass fetches it (see [`remote_chart`]).
pub fn release_chart(project: &Project, release: &Release) -> Option<RemoteChart> {
    remote_chart(
        release.chart(),
        &project.state_of(release).repositories,
        release.spec.plain_http.unwrap_or(false),
    )
}

/// `deps`' lock files: for every state file with remote charts of declared repositories,
/// resolves each release's constraint now and writes the state's lock file (Helmfile's
/// format), replacing it whole. Returns the files written, relative to the project root.
pub async fn write_locks<H: Helm>(
    project: &Project,
    fetcher: &Fetcher<'_, H>,
    events: &dyn Events,
) -> Result<Vec<PathBuf>, OperationError> {
    let mut written = Vec::new();
    for (index, state) in project.states.iter().enumerate() {
        let releases = project.releases.iter().filter(|r| r.state == index);
        let mut requirements = Vec::new();
        let mut locked = Vec::new();
        for release in releases {
            let (Some(requirement), Some(chart)) = (
                requirement(project, release),
                release_chart(project, release),
            ) else {
                continue;
            };
            let wanted = Wanted {
                chart,
                constraint: release.spec.version.clone().unwrap_or_default(),
                devel: release.spec.devel.unwrap_or(false),
            };
            let version = fetcher.resolve(&wanted).await?;
            locked.push(LockedChart {
                name: requirement.name.clone(),
                version,
                repository: requirement.repository.clone(),
            });
            requirements.push(requirement);
        }
        if requirements.is_empty() {
            continue;
        }
        // Helmfile lists them from a map keyed by chart name: by name, then in release order.
        let mut order: Vec<usize> = (0..requirements.len()).collect();
        order.sort_by(|&a, &b| requirements[a].name.cmp(&requirements[b].name));
        let requirements: Vec<Requirement> =
            order.iter().map(|&i| requirements[i].clone()).collect();
        let locked: Vec<LockedChart> = order.iter().map(|&i| locked[i].clone()).collect();
        let lock = LockFile::new(&requirements, &locked);
        let path = lock_path(&state.file, &state.base_dir, state.lock_file.as_deref());
        write_atomically(&path, lock.render().as_bytes())?;
        let shown = lock_path(&state.file, &state.shown_dir, state.lock_file.as_deref());
        events.emit(Event::LockWritten {
            file: shown.clone(),
        });
        written.push(shown);
    }
    Ok(written)
}

/// Writes `bytes` to `path` through a temporary file in the same folder, so a failure never
/// leaves half a file.
fn write_atomically(path: &std::path::Path, bytes: &[u8]) -> Result<(), OperationError> {
    let error = |source| OperationError::Write {
        path: path.to_path_buf(),
        source,
    };
    let dir = path.parent().unwrap_or(std::path::Path::new("."));
    std::fs::create_dir_all(dir).map_err(error)?;
    let mut temp = tempfile::NamedTempFile::new_in(dir).map_err(error)?;
    std::io::Write::write_all(&mut temp, bytes).map_err(error)?;
    // Lock files are shared with the team: readable like Helmfile's (0644).
    std::fs::set_permissions(
        temp.path(),
        std::os::unix::fs::PermissionsExt::from_mode(0o644),
    )
    .map_err(error)?;
    temp.persist(path).map_err(|e| error(e.error))?;
    Ok(())
}

/// The remote charts of a run, fetched: each release's archive, and the cache that keeps them.
#[derive(Debug)]
pub struct LocalCharts {
    fetched: HashMap<ReleaseId, Fetched>,
    _cache: ChartCache,
}

impl LocalCharts {
    /// The release as helm should run it: from the fetched archive (no `--version`), or as it is.
    pub fn localize<'r>(&self, release: &'r PlannedRelease) -> Cow<'r, PlannedRelease> {
        match self.fetched.get(&release.id) {
            Some(fetched) => {
                let mut local = release.clone();
                local.chart = ChartRef::Local {
                    path: fetched.archive.clone(),
                };
                local.chart_version = None;
                Cow::Owned(local)
            }
            None => Cow::Borrowed(release),
        }
    }
}

/// Fetches, once per (chart, version), the remote charts of the plan's releases to install that
/// `wanted` selects, into the cache at `cache_dir` (a temporary one when `None`); with
/// `skip_deps`, OCI ranges pick what they picked last time (see
/// [`Fetcher::with_recorded_ranges`]).
pub async fn fetch_charts<H: Helm>(
    plan: &Plan,
    helm: &H,
    cache_dir: Option<&std::path::Path>,
    skip_deps: bool,
    concurrency: usize,
    events: &dyn Events,
    wanted: impl Fn(&RemoteChart) -> bool,
) -> Result<LocalCharts, OperationError> {
    let mut ids = Vec::new();
    let mut charts = Vec::new();
    for release in plan
        .releases
        .iter()
        .filter(|r| r.desired == Desired::Install)
    {
        let Some(chart) = planned_chart(plan, release).filter(|c| wanted(c)) else {
            continue;
        };
        ids.push(release.id.clone());
        charts.push(Wanted {
            chart,
            constraint: release.chart_version.clone().unwrap_or_default(),
            devel: release.settings.devel,
        });
    }
    let fetcher = Fetcher::new(helm, chart_cache(cache_dir), concurrency, events)
        .with_recorded_ranges(skip_deps);
    let fetched = fetcher.fetch_all(&charts).await?;
    Ok(LocalCharts {
        fetched: ids.into_iter().zip(fetched).collect(),
        _cache: fetcher.into_cache(),
    })
}

/// The chart cache of a run: the folder given, or a temporary one made only if a chart is
/// fetched.
pub fn chart_cache(dir: Option<&std::path::Path>) -> ChartCache {
    match dir {
        Some(dir) => ChartCache::new(dir),
        None => ChartCache::temporary(),
    }
}
