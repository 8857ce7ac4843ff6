//! `apply`: after a diff, exactly what it found — in dependency order, uninstall the
//! `installed: false` releases that exist and upgrade the releases that would change; every
//! other release is left alone. The releases were rendered once, by the diff; helm renders them
//! again only inside `helm upgrade`.
//!
//! Live drift is repaired as Flux's drift correction does: helm 3's three-way merge puts back
//! the fields the manifest sets, and with helm 4 (server-side apply) a release with live drift
//! is upgraded with `--force-conflicts`, so helm takes back the fields another field manager
//! (`kubectl set image`...) took, unless the release turned server-side apply off.

use crate::helm::{Helm, argv};
use crate::ops::OperationError;
use crate::ops::diff::DiffRun;
use crate::ops::runner::RunContext;
use crate::ops::sync::{SyncReport, converge, helm_version};
use crate::plan::{Plan, PlannedRelease};

/// Applies what `diff` found ([`DiffRun::changed`], with [`DiffRun::drifted`] forced back); an
/// `Err` means helm's version could not be read. Release failures are in the report.
pub async fn apply<H: Helm>(
    plan: &Plan,
    diff: &DiffRun,
    context: &RunContext<H>,
) -> Result<SyncReport, OperationError> {
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
    Ok(converge(plan, context, selected, upgrade).await)
}
