//! `template` and `lint`: `helm template` (or `helm lint`) for every release of the plan to
//! install, with its values, as Helmfile runs them: repositories and local charts' dependencies
//! prepared first, releases rendered concurrently through the runner, output in run order.

use std::collections::HashMap;
use std::path::PathBuf;

use crate::chartify;
use crate::events::Action;
use crate::graph::{Direction, ReleaseId};
use crate::helm::Helm;
use crate::helm::argv::{self, TemplateFlags};
use crate::ops::OperationError;
use crate::ops::deps::build_dependencies;
use crate::ops::hooks::Hooks;
use crate::ops::path_template::render_path;
use crate::ops::remote_charts::fetch_charts;
use crate::ops::renderer::{ChartRenderer, RenderError, Renderer};
use crate::ops::report::{ReleaseOutcome, Report};
use crate::ops::repos::add_plan_repositories;
use crate::ops::runner::{RunContext, Work, run};
use crate::ops::sync::cleanup_state;
use crate::plan::{Desired, HookEvent, Plan};
use crate::project::Project;
use crate::template::Value as TemplateValue;

/// How `template` runs.
#[derive(Debug, Clone, Default)]
pub struct TemplateOptions {
    /// Flags passed to every `helm template`.
    pub flags: TemplateFlags,
    /// Add no repositories and build no local chart dependencies first (`--skip-deps`).
    pub skip_deps: bool,
    /// `--output-dir`: helm writes the manifests under it instead of printing them.
    pub output_dir: Option<String>,
    /// `--output-dir-template`: each release's folder under the output dir.
    pub output_dir_template: Option<String>,
    /// Who renders the charts (`template` only; `lint` always runs helm).
    pub renderer: Renderer,
    /// The folder helm runs in, which relative chart paths start from (the process' current
    /// folder when empty).
    pub working_dir: PathBuf,
    /// Where fetched charts are kept between runs; `None`: a temporary folder for this run.
    pub chart_cache: Option<PathBuf>,
}

/// Helmfile's default `--output-dir-template`.
pub const DEFAULT_OUTPUT_DIR_TEMPLATE: &str =
    "{{ .OutputDir }}/{{ .State.BaseName }}-{{ .State.AbsPathSHA1 }}-{{ .Release.Name }}";

/// Which helm subcommand runs per release.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ChartCommand {
    /// `helm template`: the manifests.
    Template,
    /// `helm lint`: the chart's findings with these values.
    Lint,
}

/// What `template`/`lint` printed per release, and the text of the whole run: each release's
/// output in run order, followed by an empty line as Helmfile prints it.
#[derive(Debug)]
pub struct Rendered {
    /// The whole output.
    pub text: String,
    /// Each release's outcome (its output when it succeeded).
    pub report: Report<String, RenderError>,
}

/// Runs `command` for the releases of `plan` to install, with the hooks Helmfile runs around
/// them (state and release `prepare` first, each release's `cleanup` after it, state `cleanup`
/// last); an `Err` is returned when nothing could start (repositories, a `prepare` hook,
/// dependencies, output folders). Release failures are in the report.
pub async fn run_per_release<H: Helm>(
    project: &Project,
    plan: &Plan,
    command: ChartCommand,
    options: &TemplateOptions,
    context: &RunContext<H>,
) -> Result<Rendered, OperationError> {
    if !options.skip_deps {
        add_plan_repositories(&context.helm, plan, context.events.as_ref()).await?;
    }
    let output_dirs = output_dirs(project, plan, options)?;
    let (action, name) = match command {
        ChartCommand::Template => (Action::Template, "template"),
        ChartCommand::Lint => (Action::Lint, "lint"),
    };
    let hooks = Hooks::new(plan, name, context);
    hooks.run_state(HookEvent::Prepare, None).await?;
    hooks.prepare_releases(false).await?;
    // Charts are prepared after the `prepare` hooks, as Helmfile prepares a release's chart
    // after its hooks.
    if !options.skip_deps {
        build_dependencies(&context.helm, plan, context.events.as_ref()).await?;
    }
    let helm4 = plan.helm_version.is_some_and(|v| v.is_helm4());
    let chartified = chartify::prepare(plan, &context.helm, helm4, context.events.as_ref()).await?;
    // Each remote chart is fetched once and helm reads the archive, however many releases use it.
    let charts = fetch_charts(
        plan,
        &context.helm,
        options.chart_cache.as_deref(),
        options.skip_deps,
        context.concurrency,
        context.events.as_ref(),
        |_| true,
    )
    .await?;
    let work = Work {
        action,
        takes_part: |r: &crate::plan::PlannedRelease| r.desired == Desired::Install,
    };
    let renderer = match command {
        ChartCommand::Template => options.renderer,
        ChartCommand::Lint => Renderer::Helm,
    };
    let renderer = ChartRenderer::new(
        renderer,
        plan,
        &context.helm,
        &options.working_dir,
        context.events.as_ref(),
    )
    .await;
    let report = run(plan, Direction::Unordered, context, work, async |release| {
        // A rewritten chart wins over the fetched one it was made from.
        let release = &*chartified.localize(charts.localize(release));
        let args = match command {
            ChartCommand::Template => argv::template(
                release,
                &options.flags,
                output_dirs.get(&release.id).map(String::as_str),
            ),
            ChartCommand::Lint => argv::lint(release),
        };
        let output = renderer
            .template(&context.helm, &release.id, &args, context.events.as_ref())
            .await;
        // Helmfile runs a release's cleanup hooks after its template, failed or not.
        if let Err(error) = hooks.run_release(release, HookEvent::Cleanup, None).await {
            hooks.warn(&error);
        }
        Ok(Some(output?))
    })
    .await;
    let mut report = report;
    cleanup_state(&hooks, &mut report).await;
    let mut text = String::new();
    for release in plan.in_run_order() {
        if let Some(ReleaseOutcome::Succeeded(output)) = report.get(&release.id).map(|r| &r.outcome)
        {
            // Helmfile prints each release's output followed by a newline.
            text.push_str(output);
            text.push('\n');
        }
    }
    Ok(Rendered { text, report })
}

/// Each release's `--output-dir` folder, when `--output-dir` is given.
fn output_dirs(
    project: &Project,
    plan: &Plan,
    options: &TemplateOptions,
) -> Result<HashMap<ReleaseId, String>, OperationError> {
    let Some(dir) = &options.output_dir else {
        return Ok(HashMap::new());
    };
    let template = options
        .output_dir_template
        .as_deref()
        .unwrap_or(DEFAULT_OUTPUT_DIR_TEMPLATE);
    let mut dirs = HashMap::new();
    for planned in plan
        .releases
        .iter()
        .filter(|r| r.desired == Desired::Install)
    {
        let release = &project.releases[planned.release_index];
        let extra = vec![("OutputDir".to_string(), TemplateValue::str(dir))];
        let path = render_path(project, release, "output-dir-template", template, extra)?;
        dirs.insert(planned.id.clone(), path.to_string_lossy().into_owned());
    }
    Ok(dirs)
}
