//! Local charts' dependencies: `helm dependency build` before templating or installing (each
//! chart that declares dependencies, once), and `deps`: `helm dependency update` for each local
//! chart of the plan, once however many releases use it.

use std::collections::HashSet;
use std::path::Path;

use crate::events::{Event, Events};
use crate::helm::{Helm, argv};
use crate::ops::OperationError;
use crate::plan::{Desired, Plan, PlannedRelease};

/// The local chart folders of the releases to install, each once, in definition order, with the
/// first release that uses it.
fn local_charts(plan: &Plan) -> Vec<(&Path, &PlannedRelease)> {
    let mut seen = HashSet::new();
    plan.releases
        .iter()
        .filter(|r| r.desired == Desired::Install)
        .filter_map(|r| r.chart.local_path().map(|path| (path, r)))
        .filter(|(path, _)| seen.insert(*path))
        .collect()
}

/// `helm dependency update` for each local chart of `plan`.
pub async fn update_dependencies<H: Helm>(
    helm: &H,
    plan: &Plan,
    events: &dyn Events,
) -> Result<(), OperationError> {
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
    Ok(())
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
fn declares_dependencies(chart: &Path) -> bool {
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
