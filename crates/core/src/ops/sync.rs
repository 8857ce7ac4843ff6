//! `sync`: make the cluster match the plan, with hooks where Helmfile runs them. The state files'
//! `prepare` hooks run first, then the releases' `prepare` hooks; releases with `installed:
//! false` are uninstalled if helm lists them (dependents before what they need: `presync`,
//! `preuninstall`, uninstall, `postuninstall`, `postsync`, `cleanup`); then every release to
//! install gets `presync`, `helm upgrade --install`, `postsync` (which sees the upgrade's error)
//! and `cleanup`, as soon as what it needs has succeeded (no level barriers). A failed release
//! skips its dependents and lets independent ones finish. The releases nothing happened to get
//! their `cleanup` hooks, and the state files' `cleanup` hooks run last with the run's first
//! error. Everything that can fail before a change (values, secrets, settings) already failed
//! when the plan was built.

use std::borrow::Cow;

use crate::chartify::{self, Chartified};
use crate::charts::RemoteChart;
use crate::events::{Action, Event, ReleasePhase, Step};
use crate::graph::Direction;
use crate::helm::{Helm, HelmVersion, argv};
use crate::ops::deps::build_dependencies;
use crate::ops::hooks::Hooks;
use crate::ops::remote_charts::{LocalCharts, fetch_charts};
use crate::ops::report::{ReleaseOutcome, Report};
use crate::ops::repos::add_plan_repositories;
use crate::ops::runner::{RunContext, Work, run};
use crate::ops::{OperationError, ReleaseError};
use crate::plan::{Desired, HookEvent, Plan, PlannedRelease};

/// How `sync` runs.
#[derive(Debug, Clone, Default)]
pub struct SyncOptions {
    /// Add no repositories and build no local chart dependencies first (`--skip-deps`).
    pub skip_deps: bool,
    /// Where fetched charts are kept between runs; `None`: a temporary folder for this run.
    pub chart_cache: Option<std::path::PathBuf>,
}

/// What `sync` did to a release.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SyncAction {
    /// Installed or upgraded.
    Upgraded,
    /// Uninstalled (`installed: false`).
    Deleted,
}

/// What `sync` did, release by release: the uninstalls, then the upgrades.
pub type SyncReport = Report<SyncAction, ReleaseError>;

/// Syncs `plan`; an `Err` is returned only when nothing could start (helm's version,
/// repositories, a `prepare` hook, dependencies); release failures are in the report.
pub async fn sync<H: Helm>(
    plan: &Plan,
    options: &SyncOptions,
    context: &RunContext<H>,
) -> Result<SyncReport, OperationError> {
    let hooks = Hooks::new(plan, "sync", context);
    let (version, charts) = prepare_upgrades(
        plan,
        context,
        Some(&hooks),
        options.skip_deps,
        options.chart_cache.as_deref(),
    )
    .await?;
    let upgrade = |release: &PlannedRelease| argv::upgrade(&charts.localize(release), version);
    let mut report = converge(plan, &hooks, context, |_| true, upgrade).await;
    cleanup_untouched(plan, &hooks, &report).await;
    cleanup_state(&hooks, &mut report).await;
    Ok(report)
}

/// The charts `helm upgrade` installs (and diff's `helm template` renders) when they are not
/// the plan's own: each chartify-rewritten chart, and each OCI chart windlass pulled.
#[derive(Debug)]
pub struct UpgradeCharts {
    chartified: Chartified,
    fetched: LocalCharts,
}

impl UpgradeCharts {
    /// `release` as helm installs it; a rewritten chart wins over the fetched one it was made
    /// from.
    pub fn localize<'r>(&self, release: &'r PlannedRelease) -> Cow<'r, PlannedRelease> {
        self.chartified.localize(self.fetched.localize(release))
    }
}

/// What `sync`, `diff` and `apply` do before their first release: helm's version (unless the
/// plan has it); the repositories (unless `skip_deps`); the `prepare` hooks (`sync`'s: the state
/// files', then the releases', before their charts are prepared, as Helmfile runs them); the
/// chart dependencies (unless `skip_deps`); then the charts chartify rewrites, and the OCI charts
/// pulled first, as Helmfile does. Charts of chart repositories go to helm by name with their
/// (locked) version, as Helmfile 0.166 does.
pub(crate) async fn prepare_upgrades<H: Helm>(
    plan: &Plan,
    context: &RunContext<H>,
    prepare_hooks: Option<&Hooks<'_>>,
    skip_deps: bool,
    chart_cache: Option<&std::path::Path>,
) -> Result<(HelmVersion, UpgradeCharts), OperationError> {
    let helm = &context.helm;
    let version = helm_version(plan, helm).await?;
    if !skip_deps {
        add_plan_repositories(helm, plan, context.events.as_ref()).await?;
    }
    if let Some(hooks) = prepare_hooks {
        hooks.prepare_run().await?;
    }
    if !skip_deps {
        build_dependencies(helm, plan, context.events.as_ref()).await?;
    }
    let chartified = chartify::prepare(
        plan,
        &context.helm,
        version.is_helm4(),
        context.events.as_ref(),
    )
    .await?;
    let fetched = fetch_charts(
        plan,
        &context.helm,
        chart_cache,
        skip_deps,
        context.concurrency,
        context.events.as_ref(),
        |chart| matches!(chart, RemoteChart::Oci { .. }),
    )
    .await?;
    Ok((
        version,
        UpgradeCharts {
            chartified,
            fetched,
        },
    ))
}

/// The helm version the plan was checked against, else asked of helm.
pub(crate) async fn helm_version<H: Helm>(
    plan: &Plan,
    helm: &H,
) -> Result<HelmVersion, OperationError> {
    match plan.helm_version {
        Some(version) => Ok(version),
        None => helm.version().await.map_err(OperationError::helm("helm")),
    }
}

/// The uninstalls (dependents first, only of releases helm lists), then the upgrades (as soon as
/// what each needs succeeded, with the argv `upgrade` builds) of the releases of `plan` that
/// `selected` picks, each with its hooks: the part `sync` and `apply` share. `hooks` gives them
/// `.HelmfileCommand` (`sync` for both, as in Helmfile). Stops after the uninstalls when the run
/// is stopped.
pub(crate) async fn converge<H: Helm>(
    plan: &Plan,
    hooks: &Hooks<'_>,
    context: &RunContext<H>,
    selected: impl Fn(&PlannedRelease) -> bool,
    upgrade: impl Fn(&PlannedRelease) -> Vec<String>,
) -> SyncReport {
    let uninstalls = Work {
        action: Action::Uninstall,
        takes_part: |r: &PlannedRelease| r.desired == Desired::Uninstall && selected(r),
    };
    let mut report = run(
        plan,
        Direction::Reverse,
        context,
        uninstalls,
        async |release| {
            if !is_installed(&context.helm, release).await? {
                return Ok(None);
            }
            with_sync_hooks(hooks, release, async || {
                uninstall(hooks, release, context).await?;
                Ok(SyncAction::Deleted)
            })
            .await
            .map(Some)
        },
    )
    .await;
    if context.cancel.is_stopped() {
        return report;
    }
    let upgrades = Work {
        action: Action::Upgrade,
        takes_part: |r: &PlannedRelease| r.desired == Desired::Install && selected(r),
    };
    report.extend(
        run(
            plan,
            Direction::Forward,
            context,
            upgrades,
            async |release| {
                with_sync_hooks(hooks, release, async || {
                    step(
                        context,
                        release,
                        Step::Upgrading {
                            wait: release.settings.wait,
                        },
                    );
                    context.helm.run_for(&release.id, &upgrade(release)).await?;
                    Ok(SyncAction::Upgraded)
                })
                .await
                .map(Some)
            },
        )
        .await,
    );
    report
}

/// `presync`, `work`, then `postsync` (with `work`'s error, if any) and `cleanup`, as Helmfile
/// runs a release's sync: a failing `presync` fails the release without `work`; a failing
/// `postsync` or `cleanup` fails a release that had not failed, and is only a warning otherwise.
async fn with_sync_hooks<T>(
    hooks: &Hooks<'_>,
    release: &PlannedRelease,
    work: impl AsyncFnOnce() -> Result<T, ReleaseError>,
) -> Result<T, ReleaseError> {
    let mut result = match hooks.run_release(release, HookEvent::Presync, None).await {
        Ok(()) => work().await,
        Err(error) => Err(error.into()),
    };
    for event in [HookEvent::Postsync, HookEvent::Cleanup] {
        // Only `postsync` sees the error: Helmfile gives `cleanup` none.
        let error = result
            .as_ref()
            .err()
            .filter(|_| event == HookEvent::Postsync)
            .map(|e| format!("failed processing release {}: {e}", release.name));
        if let Err(hook_error) = hooks.run_release(release, event, error.as_deref()).await {
            if result.is_ok() {
                result = Err(hook_error.into());
            } else {
                hooks.warn(&hook_error);
            }
        }
    }
    result
}

/// `preuninstall`, `helm uninstall`, `postuninstall`: the first failure is the release's.
pub(crate) async fn uninstall<H: Helm>(
    hooks: &Hooks<'_>,
    release: &PlannedRelease,
    context: &RunContext<H>,
) -> Result<(), ReleaseError> {
    hooks
        .run_release(release, HookEvent::Preuninstall, None)
        .await?;
    step(
        context,
        release,
        Step::Uninstalling {
            wait: release.settings.delete_wait,
        },
    );
    context
        .helm
        .run_for(&release.id, &argv::uninstall(release))
        .await?;
    hooks
        .run_release(release, HookEvent::Postuninstall, None)
        .await?;
    Ok(())
}

/// Whether helm lists `release` (deployed, failed, pending or uninstalling), as Helmfile asks
/// before deleting.
pub(crate) async fn is_installed<H: Helm>(
    helm: &H,
    release: &PlannedRelease,
) -> Result<bool, ReleaseError> {
    let listed = helm
        .run_for(&release.id, &argv::list_release(release))
        .await?;
    Ok(listed
        .stdout
        .lines()
        .any(|line| line.trim() == release.name))
}

/// Tells that `release` moved on to `step`.
pub(crate) fn step<H>(context: &RunContext<H>, release: &PlannedRelease, step: Step) {
    context.events.emit(Event::Release {
        release: release.id.clone(),
        phase: ReleasePhase::Running { step },
    });
}

/// The `cleanup` hooks of the releases nothing happened to (disabled, or not installed and to
/// uninstall; not those skipped or cancelled); a failure is a warning, as in Helmfile.
pub(crate) async fn cleanup_untouched<T, E>(plan: &Plan, hooks: &Hooks<'_>, report: &Report<T, E>) {
    if report.was_cancelled() {
        return;
    }
    for release in &plan.releases {
        let untouched = matches!(
            report.get(&release.id).map(|r| &r.outcome),
            None | Some(ReleaseOutcome::Unchanged)
        );
        if untouched && let Err(error) = hooks.run_release(release, HookEvent::Cleanup, None).await
        {
            hooks.warn(&error);
        }
    }
}

/// The state files' `cleanup` hooks, last, with the run's first error as `.Event.Error`; their
/// failure fails the run.
pub(crate) async fn cleanup_state<T, E: std::fmt::Display>(
    hooks: &Hooks<'_>,
    report: &mut Report<T, E>,
) {
    if let Err(error) = hooks
        .run_state(HookEvent::Cleanup, report.first_error().as_deref())
        .await
    {
        report.failure = Some(error.into());
    }
}
