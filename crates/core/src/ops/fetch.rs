//! `fetch`: every selected release's chart unpacked into a folder, as Helmfile 1.x's `fetch`
//! lays them out (`--output-dir`, `--output-dir-template`): remote charts pulled with
//! `helm pull --untar`, local charts copied. Without `--output-dir` the charts go to a
//! temporary folder that is removed afterwards, as in Helmfile.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::chartify::copy_dir;
use crate::events::Action;
use crate::graph::Direction;
use crate::helm::{Helm, HelmError, argv};
use crate::ops::OperationError;
use crate::ops::report::Report;
use crate::ops::repos::add_plan_repositories;
use crate::ops::runner::{RunContext, Work, run};
use crate::plan::{ChartRef, Desired, Plan, PlannedRelease};
use crate::project::Project;
use crate::project::template_data::{environment_of, environment_value, render};
use crate::template::{MissingKey, Struct, Value};

/// Helmfile 1.x's default `--output-dir-template` of `fetch`.
pub const DEFAULT_FETCH_OUTPUT_DIR_TEMPLATE: &str = "{{ .OutputDir }}{{ if .Release.Namespace }}/{{ .Release.Namespace }}{{ end }}{{ if .Release.KubeContext }}/{{ .Release.KubeContext }}{{ end }}/{{ .Release.Name }}/{{ .ChartName }}/{{ or .Release.Version \"latest\" }}";

/// How `fetch` runs.
#[derive(Debug, Clone, Default)]
pub struct FetchOptions {
    /// `--output-dir` (relative to the project folder); `None`: a temporary folder, removed
    /// afterwards.
    pub output_dir: Option<PathBuf>,
    /// `--output-dir-template`; `None`: [`DEFAULT_FETCH_OUTPUT_DIR_TEMPLATE`].
    pub output_dir_template: Option<String>,
    /// Add no repositories first (`--skip-deps`).
    pub skip_deps: bool,
}

/// Why one release's chart was not fetched.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FetchError {
    /// Helm could not pull it.
    #[error(transparent)]
    Helm(#[from] HelmError),
    /// The local chart could not be copied.
    #[error("cannot copy {} to {}: {source}", .from.display(), .to.display())]
    Copy {
        /// The chart folder.
        from: PathBuf,
        /// Where it was going.
        to: PathBuf,
        /// What the system said.
        source: std::io::Error,
    },
}

/// Fetches the chart of every release of `plan` to install; the report holds each release's
/// folder (the one `--output-dir-template` names).
pub async fn fetch<H: Helm>(
    project: &Project,
    plan: &Plan,
    options: &FetchOptions,
    context: &RunContext<H>,
) -> Result<Report<PathBuf, FetchError>, OperationError> {
    if !options.skip_deps {
        add_plan_repositories(&context.helm, plan, context.events.as_ref()).await?;
    }
    let temporary = match &options.output_dir {
        Some(_) => None,
        None => Some(
            tempfile::Builder::new()
                .prefix("windlass-fetch-")
                .tempdir()
                .map_err(OperationError::TempDir)?,
        ),
    };
    let output_dir = match (&options.output_dir, &temporary) {
        (Some(dir), _) => dir.clone(),
        (None, Some(temporary)) => temporary.path().to_path_buf(),
        (None, None) => PathBuf::new(),
    };
    let template = options
        .output_dir_template
        .as_deref()
        .unwrap_or(DEFAULT_FETCH_OUTPUT_DIR_TEMPLATE);
    let mut destinations = HashMap::new();
    for release in plan
        .releases
        .iter()
        .filter(|r| r.desired == Desired::Install)
    {
        let destination = destination(project, release, &output_dir, template)?;
        destinations.insert(release.id.clone(), destination);
    }
    let work = Work {
        action: Action::Fetch,
        takes_part: |r: &PlannedRelease| r.desired == Desired::Install,
    };
    let report = run(plan, Direction::Unordered, context, work, async |release| {
        let Some(destination) = destinations.get(&release.id) else {
            return Ok(None);
        };
        match &release.chart {
            ChartRef::Local { path } => {
                // Helm runs in the project folder: a relative output folder is relative to it.
                let (from, to) = (plan.root.join(path), plan.root.join(destination));
                copy_dir(&from, &to).map_err(|source| FetchError::Copy {
                    from: from.clone(),
                    to: to.clone(),
                    source,
                })?;
            }
            _ => {
                let args = argv::pull_untar(release, &destination.to_string_lossy());
                context.helm.run_for(&release.id, &args).await?;
            }
        }
        Ok(Some(destination.clone()))
    })
    .await;
    Ok(report)
}

/// The folder a release's chart goes to: `template` over Helmfile's fetch data (`.OutputDir`,
/// `.ChartName`, `.Release` with its `Version`, `.Environment`).
fn destination(
    project: &Project,
    planned: &PlannedRelease,
    output_dir: &Path,
    template: &str,
) -> Result<PathBuf, OperationError> {
    let release = &project.releases[planned.release_index];
    let state = project.state_of(release);
    let chart_name = match &planned.chart {
        ChartRef::Local { path } => path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        ChartRef::Oci { url } => url.rsplit('/').next().unwrap_or(url).to_string(),
        other => other.to_string(),
    };
    let environment = environment_of(project, state);
    let data = Struct::value(
        "state.fetchTemplateData",
        vec![
            ("ChartName".into(), Value::str(&chart_name)),
            ("OutputDir".into(), Value::str(output_dir.to_string_lossy())),
            (
                "Release".into(),
                Struct::value(
                    "state.ReleaseSpec",
                    vec![
                        ("Name".into(), Value::str(&planned.name)),
                        ("Namespace".into(), Value::str(&planned.namespace)),
                        (
                            "KubeContext".into(),
                            Value::str(release.spec.kube_context.as_deref().unwrap_or_default()),
                        ),
                        ("Chart".into(), Value::str(release.chart())),
                        (
                            "Version".into(),
                            Value::str(planned.chart_version.as_deref().unwrap_or_default()),
                        ),
                    ],
                ),
            ),
            ("Environment".into(), environment_value(&environment)),
        ],
    );
    let rendered = render(
        Path::new("output-dir-template"),
        template,
        &data,
        &project.root,
        MissingKey::Error,
        &project.options,
    )?;
    Ok(PathBuf::from(rendered))
}
