//! `sync`: make the cluster match the plan. Releases with `installed: false` are uninstalled
//! first if helm lists them (dependents before what they need), then every release to install
//! gets `helm upgrade --install` as soon as what it needs has succeeded (no level barriers).
//! A failed release skips its dependents and lets independent ones finish. Everything that can
//! fail before a change (values, secrets, settings) already failed when the plan was built.

use std::borrow::Cow;

use crate::chartify::{self, Chartified};
use crate::charts::RemoteChart;
use crate::events::Action;
use crate::graph::Direction;
use crate::helm::{Helm, HelmError, HelmVersion, argv};
use crate::ops::OperationError;
use crate::ops::deps::build_dependencies;
use crate::ops::remote_charts::{LocalCharts, fetch_charts};
use crate::ops::report::Report;
use crate::ops::repos::add_plan_repositories;
use crate::ops::runner::{RunContext, Work, run};
use crate::plan::{Desired, Plan, PlannedRelease};

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
pub type SyncReport = Report<SyncAction, HelmError>;

/// Syncs `plan`; an `Err` is returned only when nothing could start (helm's version,
/// repositories, dependencies); release failures are in the report.
pub async fn sync<H: Helm>(
    plan: &Plan,
    options: &SyncOptions,
    context: &RunContext<H>,
) -> Result<SyncReport, OperationError> {
    let (version, charts) = prepare_upgrades(
        plan,
        context,
        options.skip_deps,
        options.chart_cache.as_deref(),
    )
    .await?;
    let upgrade = |release: &PlannedRelease| argv::upgrade(&charts.localize(release), version);
    Ok(converge(plan, context, |_| true, upgrade).await)
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
/// plan has it); the repositories and chart dependencies (unless `skip_deps`); then the charts
/// chartify rewrites, and the OCI charts pulled first, as Helmfile does. Charts of chart
/// repositories go to helm by name with their (locked) version, as Helmfile 0.166 does.
pub(crate) async fn prepare_upgrades<H: Helm>(
    plan: &Plan,
    context: &RunContext<H>,
    skip_deps: bool,
    chart_cache: Option<&std::path::Path>,
) -> Result<(HelmVersion, UpgradeCharts), OperationError> {
    let helm = &context.helm;
    let version = helm_version(plan, helm).await?;
    if !skip_deps {
        add_plan_repositories(helm, plan, context.events.as_ref()).await?;
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
/// `selected` picks: the part `sync` and `apply` share. Stops after the uninstalls when the run
/// is stopped.
pub(crate) async fn converge<H: Helm>(
    plan: &Plan,
    context: &RunContext<H>,
    selected: impl Fn(&PlannedRelease) -> bool,
    upgrade: impl Fn(&PlannedRelease) -> Vec<String> + Sync,
) -> SyncReport {
    let helm = &context.helm;
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
            let listed = helm
                .run_for(&release.id, &argv::list_release(release))
                .await?;
            if !listed
                .stdout
                .lines()
                .any(|line| line.trim() == release.name)
            {
                return Ok(None);
            }
            helm.run_for(&release.id, &argv::uninstall(release)).await?;
            Ok(Some(SyncAction::Deleted))
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
                helm.run_for(&release.id, &upgrade(release)).await?;
                Ok(Some(SyncAction::Upgraded))
            },
        )
        .await,
    );
    report
}
