//! `sync`: make the cluster match the plan. Releases with `installed: false` are uninstalled
//! first if helm lists them (dependents before what they need), then every release to install
//! gets `helm upgrade --install` as soon as what it needs has succeeded (no level barriers).
//! A failed release skips its dependents and lets independent ones finish. Everything that can
//! fail before a change (values, secrets, settings) already failed when the plan was built.

use crate::charts::RemoteChart;
use crate::events::Action;
use crate::graph::Direction;
use crate::helm::{Helm, HelmError, argv};
use crate::ops::OperationError;
use crate::ops::deps::build_dependencies;
use crate::ops::remote_charts::fetch_charts;
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
    let helm = &context.helm;
    let version = match plan.helm_version {
        Some(version) => version,
        None => helm.version().await.map_err(OperationError::helm("helm"))?,
    };
    if !options.skip_deps {
        add_plan_repositories(helm, plan, context.events.as_ref()).await?;
        build_dependencies(helm, plan, context.events.as_ref()).await?;
    }
    // OCI charts are pulled first and installed from the archive, as Helmfile does; charts of
    // chart repositories go to helm by name with their (locked) version, as Helmfile 0.166 does.
    let charts = fetch_charts(
        plan,
        helm,
        options.chart_cache.as_deref(),
        options.skip_deps,
        context.concurrency,
        context.events.as_ref(),
        |chart| matches!(chart, RemoteChart::Oci { .. }),
    )
    .await?;
    let uninstalls = Work {
        action: Action::Uninstall,
        takes_part: |r: &PlannedRelease| r.desired == Desired::Uninstall,
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
        return Ok(report);
    }
    let upgrades = Work {
        action: Action::Upgrade,
        takes_part: |r: &PlannedRelease| r.desired == Desired::Install,
    };
    report.extend(
        run(
            plan,
            Direction::Forward,
            context,
            upgrades,
            async |release| {
                let release = &*charts.localize(release);
                helm.run_for(&release.id, &argv::upgrade(release, version))
                    .await?;
                Ok(Some(SyncAction::Upgraded))
            },
        )
        .await,
    );
    Ok(report)
}
