//! `apply`: after a diff, exactly what it found — in dependency order, uninstall the
//! `installed: false` releases that exist and upgrade the releases that would change; every
//! other release is left alone. The releases were rendered once, by the diff; helm renders them
//! again only inside `helm upgrade`.

use std::collections::HashSet;

use crate::graph::ReleaseId;
use crate::helm::Helm;
use crate::ops::OperationError;
use crate::ops::runner::RunContext;
use crate::ops::sync::{SyncReport, converge, helm_version};
use crate::plan::Plan;

/// Applies the releases `changed` (from [`crate::ops::diff::DiffRun::changed`]); an `Err` means
/// helm's version could not be read. Release failures are in the report.
pub async fn apply<H: Helm>(
    plan: &Plan,
    changed: &HashSet<ReleaseId>,
    context: &RunContext<H>,
) -> Result<SyncReport, OperationError> {
    let version = helm_version(plan, &context.helm).await?;
    Ok(converge(plan, version, context, |release| {
        changed.contains(&release.id)
    })
    .await)
}
