//! `apply`: after a diff, exactly what it found — in dependency order, uninstall the
//! `installed: false` releases that exist and upgrade the releases that would change; every
//! other release is left alone. The releases were rendered once, by the diff; helm renders them
//! again only inside `helm upgrade`.
//!
//! Live drift is repaired as Flux's drift correction does: helm 3's three-way merge puts back
//! the fields the manifest sets, and with helm 4 (server-side apply) a release with live drift
//! is upgraded with `--force-conflicts`, so helm takes back the fields another field manager
//! (`kubectl set image`...) took, unless the release turned server-side apply off.
//!
//! Hooks run as Helmfile's `apply` runs them: every selected release's `preapply` hooks first
//! (dependents first), then the changed releases with their sync hooks (`.HelmfileCommand` is
//! `sync` there, as in Helmfile), the `cleanup` hooks of the releases left alone, and the state
//! files' `cleanup` hooks. The `prepare` hooks ran before the diff ([`Hooks::prepare_run`]).

use crate::helm::{Helm, argv};
use crate::ops::OperationError;
use crate::ops::diff::DiffRun;
use crate::ops::hooks::Hooks;
use crate::ops::runner::RunContext;
use crate::ops::sync::{SyncReport, cleanup_state, cleanup_untouched, converge, helm_version};
use crate::plan::{HookEvent, Plan, PlannedRelease};

/// Applies what `diff` found ([`DiffRun::changed`], with [`DiffRun::drifted`] forced back), with
/// `hooks` (made for `apply`): the `preapply` hooks run even when nothing changed, as in
/// Helmfile. An `Err` means a `preapply` hook failed or helm's version could not be read, before
/// anything changed. Release failures are in the report.
pub async fn apply<H: Helm>(
    plan: &Plan,
    diff: &DiffRun,
    hooks: &Hooks<'_>,
    context: &RunContext<H>,
) -> Result<SyncReport, OperationError> {
    for release in plan.in_run_order().collect::<Vec<_>>().into_iter().rev() {
        hooks
            .run_release(release, HookEvent::Preapply, None)
            .await?;
    }
    let mut report = if diff.changed.is_empty() {
        SyncReport::default()
    } else {
        let version = helm_version(plan, &context.helm).await?;
        let upgrade = |release: &PlannedRelease| {
            let server_side = release.settings.server_side.as_deref() != Some("false");
            if version.is_helm4() && server_side && diff.drifted.contains(&release.id) {
                let mut forced = release.clone();
                forced.settings.force_conflicts = true;
                argv::upgrade(&diff.charts.localize(&forced), version)
            } else {
                argv::upgrade(&diff.charts.localize(release), version)
            }
        };
        let selected = |release: &PlannedRelease| diff.changed.contains(&release.id);
        let sync_hooks = hooks.for_command("sync");
        converge(plan, &sync_hooks, context, selected, upgrade).await
    };
    cleanup_untouched(plan, hooks, &report).await;
    cleanup_state(hooks, &mut report).await;
    Ok(report)
}
