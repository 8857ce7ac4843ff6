//! `sync`: install or upgrade every selected release with `helm upgrade --install`, each as soon
//! as what it needs has succeeded (no level barriers), up to `concurrency` at once. A failed
//! release skips its dependents and lets independent ones finish. Releases with
//! `installed: false` are uninstalled if helm lists them.

use futures_util::StreamExt;
use futures_util::stream::FuturesUnordered;

use crate::charts::{Fetcher, RemoteChart};
use crate::events::{Event, Events};
use crate::graph::{Direction, Outcome, ReleaseId, Scheduler};
use crate::helm::Helm;
use crate::helm::argv::{self, ReleaseCall, UpgradeFlags};
use crate::ops::Selection;
use crate::ops::remote_charts::{
    chart_cache, fetch_charts, needed_repositories, pinned_versions, release_chart,
};
use crate::ops::repos::add_repositories;
use crate::ops::template::{OperationError, Prepared, build_dependencies, prepare};
use crate::project::{Project, Release};
use crate::secrets::PrivateDir;

/// How `sync` runs.
#[derive(Debug, Clone, Default)]
pub struct SyncOptions {
    /// Do not build local charts' dependencies first (`--skip-deps`).
    pub skip_deps: bool,
    /// How many releases run at once; 0 means one per available core.
    pub concurrency: usize,
    /// Extra `--values`, `--set` and `--args` for every upgrade.
    pub flags: UpgradeFlags,
    /// Where fetched charts are kept between runs; `None`: a temporary folder for this run.
    pub chart_cache: Option<std::path::PathBuf>,
}

/// What happened to each release, in the order they finished.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncReport {
    /// Releases installed or upgraded.
    pub upgraded: Vec<String>,
    /// Releases uninstalled (`installed: false`).
    pub deleted: Vec<String>,
    /// Releases not run because something they need failed.
    pub skipped: Vec<String>,
    /// Releases helm failed for, with what it said.
    pub failed: Vec<(String, String)>,
}

/// Syncs the `selection`; an `Err` is returned only when nothing could start (repositories,
/// dependencies, values); release failures are in the report.
pub async fn sync<H: Helm>(
    helm: &H,
    project: &Project,
    selection: &Selection,
    options: &SyncOptions,
    events: &dyn Events,
) -> Result<SyncReport, OperationError> {
    let helm4 = helm
        .version()
        .await
        .map_err(|source| OperationError::Helm {
            release: "helm".into(),
            source,
        })?
        .is_helm4();
    let releases: Vec<&Release> = selection
        .releases
        .iter()
        .map(|&i| &project.releases[i])
        .collect();
    let to_install: Vec<&Release> = releases
        .iter()
        .copied()
        .filter(|r| r.installed() && r.enabled)
        .collect();
    let versions = pinned_versions(project)?;
    if !options.skip_deps {
        let needed = needed_repositories(project, &to_install);
        add_repositories(helm, project, Some(&needed), false, events).await?;
        build_dependencies(helm, project, &to_install, events).await?;
    }
    // OCI charts are pulled first and installed from the archive, as Helmfile does; charts of
    // chart repositories go to helm by name with their pinned version, as Helmfile 0.166 does.
    let concurrency = match options.concurrency {
        0 => std::thread::available_parallelism().map_or(2, |n| n.get()),
        n => n,
    };
    let oci: Vec<&Release> = to_install
        .iter()
        .copied()
        .filter(|r| matches!(release_chart(project, r), Some(RemoteChart::Oci { .. })))
        .collect();
    let cache = chart_cache(options.chart_cache.as_deref());
    let fetcher =
        Fetcher::new(helm, cache, concurrency, events).with_recorded_ranges(options.skip_deps);
    let fetched = fetch_charts(project, &oci, &versions, &fetcher).await?;
    let mut report = SyncReport::default();
    for release in releases.iter().filter(|r| !r.installed()) {
        if uninstall_if_present(helm, project, release).await? {
            events.emit(Event::ReleaseDeleted {
                release: release.name().into(),
            });
            report.deleted.push(release.name().into());
        }
    }
    let dir = PrivateDir::new()?;
    let mut prepared: Vec<(&Release, Prepared)> = Vec::with_capacity(to_install.len());
    for (index, release) in to_install.iter().enumerate() {
        let values = prepare(project, release, index, &dir, &versions, &fetched)?;
        prepared.push((release, values));
    }
    let flags = UpgradeFlags {
        helm4,
        environment_kube_context: project.environment.kube_context.clone(),
        ..options.flags.clone()
    };
    let mut scheduler = Scheduler::new(&selection.graph, Direction::Forward);
    let mut running = FuturesUnordered::new();
    loop {
        while running.len() < concurrency {
            let Some(id) = scheduler.start_next() else {
                break;
            };
            match prepared.iter().find(|(release, _)| release.id == id) {
                Some((release, values)) => {
                    events.emit(Event::ReleaseStarted {
                        release: release.name().into(),
                        chart: values.chart.clone(),
                    });
                    running.push(upgrade(helm, project, release, values, &flags, id));
                }
                // Not installed or not enabled: nothing to run, its dependents may go on.
                None => {
                    let _ = scheduler.finish(&id, Outcome::Succeeded);
                }
            }
        }
        let Some((id, name, result)) = running.next().await else {
            if scheduler.is_done() || scheduler.ready().is_empty() {
                break;
            }
            continue;
        };
        let outcome = match result {
            Ok(()) => {
                events.emit(Event::ReleaseUpgraded {
                    release: name.clone(),
                });
                report.upgraded.push(name);
                Outcome::Succeeded
            }
            Err(message) => {
                events.emit(Event::ReleaseFailed {
                    release: name.clone(),
                    message: message.clone(),
                });
                report.failed.push((name, message));
                Outcome::Failed
            }
        };
        for skipped in scheduler.finish(&id, outcome).unwrap_or_default() {
            events.emit(Event::ReleaseSkipped {
                release: skipped.name().into(),
            });
            report.skipped.push(skipped.name().into());
        }
    }
    Ok(report)
}

/// Runs one `helm upgrade --install`; yields the release id, its name and helm's error text.
async fn upgrade<H: Helm>(
    helm: &H,
    project: &Project,
    release: &Release,
    prepared: &Prepared,
    flags: &UpgradeFlags,
    id: ReleaseId,
) -> (ReleaseId, String, Result<(), String>) {
    let call = ReleaseCall {
        release,
        chart: prepared.chart.clone(),
        version: prepared.version.clone(),
        values_files: prepared.values_files.clone(),
        set_flags: &prepared.set_flags,
    };
    let args = argv::upgrade(&call, &project.state_of(release).helm_defaults, flags);
    let result = helm.run(&args).await.map(|_| ()).map_err(|e| e.to_string());
    (id, release.name().to_string(), result)
}

/// Uninstalls a release that helm lists; returns whether it did.
async fn uninstall_if_present<H: Helm>(
    helm: &H,
    project: &Project,
    release: &Release,
) -> Result<bool, OperationError> {
    let defaults = &project.state_of(release).helm_defaults;
    let context = release
        .spec
        .kube_context
        .as_deref()
        .or(defaults.kube_context.as_deref());
    let helm_error = |source| OperationError::Helm {
        release: release.name().into(),
        source,
    };
    let listed = helm
        .run(&argv::list_release(release, context))
        .await
        .map_err(helm_error)?;
    if !listed
        .stdout
        .lines()
        .any(|line| line.trim() == release.name())
    {
        return Ok(false);
    }
    helm.run(&argv::uninstall(release, context))
        .await
        .map_err(helm_error)?;
    Ok(true)
}
