//! Runs one command: load the project, build its plan, call the library, render the result, pick
//! the exit status. Signals stop the run through the library's [`Cancellation`].

use std::io::Write;
use std::sync::{Arc, Mutex};

use windlass::cancel::Cancellation;
use windlass::diff::{DiffError, DiffReport};
use windlass::events::Events;
use windlass::graph::GraphError;
use windlass::helm::{Helm, HelmError, HelmProcess};
use windlass::ops::hooks::Hooks;
use windlass::ops::report::{ReleaseOutcome, ReleaseResult, ReleaseSummary, Report};
use windlass::ops::runner::RunContext;
use windlass::ops::template::{ChartCommand, TemplateOptions};
use windlass::ops::{self, OperationError};
use windlass::plan::{HookEvent, Plan, PlanError, PlanOptions};
use windlass::project::{Project, ProjectError};

use crate::args::{
    ApplyArgs, BuildArgs, Command, DepsArgs, DestroyArgs, DiffArgs, DiffFormat, FetchArgs,
    GraphArgs, GraphFormat, LintArgs, ListArgs, ListFormat, RunFormat, StatusArgs, SyncArgs,
    TemplateArgs, Tool, WriteValuesArgs,
};
use crate::progress::{self, Progress};
use crate::settings::Settings;
use crate::{completion, render, schema};

/// How the process ends (uv's shape: an explicit enum, not scattered integers).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// Done; nothing changed or nothing to report.
    Success,
    /// Done, and something would change (`diff`) or was changed (`apply`), with
    /// `--detailed-exitcode`.
    Changes,
    /// Something went wrong.
    Failure,
    /// The selectors matched no release.
    NoMatch,
    /// Stopped by SIGINT (130) or SIGTERM (143) after cleaning up.
    Interrupted(Signal),
}

/// The signals that stop a run cleanly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    /// SIGINT (Ctrl-C).
    Interrupt,
    /// SIGTERM.
    Terminate,
}

impl ExitStatus {
    /// The process exit code.
    pub fn code(self) -> u8 {
        match self {
            ExitStatus::Success => 0,
            ExitStatus::Failure => 1,
            ExitStatus::Changes => 2,
            ExitStatus::NoMatch => 3,
            ExitStatus::Interrupted(Signal::Interrupt) => 130,
            ExitStatus::Interrupted(Signal::Terminate) => 143,
        }
    }
}

impl From<ExitStatus> for std::process::ExitCode {
    fn from(status: ExitStatus) -> Self {
        std::process::ExitCode::from(status.code())
    }
}

/// Why a command failed.
#[derive(Debug, thiserror::Error)]
pub enum CommandError {
    /// The project did not load.
    #[error(transparent)]
    Project(#[from] ProjectError),
    /// A selector is malformed.
    #[error(transparent)]
    Selector(#[from] GraphError),
    /// The plan could not be built.
    #[error(transparent)]
    Plan(#[from] PlanError),
    /// Helm failed or is missing.
    #[error(transparent)]
    Helm(#[from] HelmError),
    /// The state could not be built.
    #[error(transparent)]
    Build(#[from] windlass::ops::build::BuildError),
    /// Values could not be written.
    #[error(transparent)]
    WriteValues(#[from] windlass::ops::write_values::WriteValuesError),
    /// An operation on releases failed.
    #[error(transparent)]
    Operation(#[from] OperationError),
    /// A diff flag is malformed.
    #[error(transparent)]
    Diff(#[from] DiffError),
    /// `--interactive` without a terminal to ask on.
    #[error("--interactive needs a terminal to ask for confirmation")]
    NotATerminal,
    /// helm's repository file could not be read.
    #[error(transparent)]
    Charts(#[from] windlass::charts::ChartsError),
    /// The async runtime could not start.
    #[error("cannot start the async runtime: {0}")]
    Runtime(std::io::Error),
    /// A signal stopped the run; its work was cancelled and cleaned up.
    #[error("interrupted; running helm commands were stopped and temporary files removed")]
    Interrupted(Signal),
    /// Writing the output failed.
    #[error("cannot write output: {0}")]
    Output(String),
}

impl CommandError {
    /// A suggestion for the user, when there is one.
    pub fn hint(&self) -> Option<String> {
        match self {
            Self::Project(error) => error.hint(),
            Self::Selector(error) => error.hint(),
            Self::Plan(error) => error.hint(),
            Self::Helm(error) => error.hint(),
            Self::Operation(error) => error.hint(),
            Self::Diff(error) => error.hint(),
            Self::Charts(error) => error.hint(),
            Self::WriteValues(error) => error.hint(),
            Self::Build(error) => error.hint(),
            Self::NotATerminal => {
                Some("run it on a terminal, or leave out -i/--interactive".into())
            }
            Self::Runtime(_) | Self::Interrupted(_) | Self::Output(_) => None,
        }
    }
}

/// Runs `command` and reports errors on stderr.
pub fn run(command: Command, settings: &Settings) -> ExitStatus {
    let mut stdout = anstream::AutoStream::new(std::io::stdout(), settings.color);
    let mut stderr = anstream::AutoStream::new(std::io::stderr(), settings.color);
    let result = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(CommandError::Runtime)
        .and_then(|runtime| {
            runtime.block_on(async {
                let signals = Signals::listen()?;
                let result = execute(command, settings, &signals, &mut stdout, &mut stderr).await;
                match (result, signals.received()) {
                    (_, Some(signal)) => Err(CommandError::Interrupted(signal)),
                    (result, None) => result,
                }
            })
        });
    match result {
        Ok(status) => status,
        Err(error) => {
            render::error(&mut stderr, &error);
            match error {
                CommandError::Interrupted(signal) => ExitStatus::Interrupted(signal),
                _ => ExitStatus::Failure,
            }
        }
    }
}

/// Runs a command that needs no project and reports errors on stderr.
pub fn tool(tool: Tool, settings: &Settings) -> ExitStatus {
    let mut stdout = std::io::stdout().lock();
    let result = match tool {
        Tool::Completion(args) => completion::write(args.shell, &mut stdout),
        Tool::Schema(args) => schema::run(args, &mut stdout),
    };
    match result {
        Ok(()) => ExitStatus::Success,
        Err(error) => {
            render::error(
                &mut anstream::AutoStream::new(std::io::stderr(), settings.color),
                &error,
            );
            ExitStatus::Failure
        }
    }
}

/// The run's stop switch, pulled by SIGINT and SIGTERM: the first stops the run, a second kills
/// running helm processes at once.
struct Signals {
    cancel: Cancellation,
    first: Arc<Mutex<Option<Signal>>>,
}

impl Signals {
    /// Starts listening (on the current runtime).
    fn listen() -> Result<Self, CommandError> {
        use tokio::signal::unix::{SignalKind, signal};
        let mut interrupt = signal(SignalKind::interrupt()).map_err(CommandError::Runtime)?;
        let mut terminate = signal(SignalKind::terminate()).map_err(CommandError::Runtime)?;
        let signals = Self {
            cancel: Cancellation::default(),
            first: Arc::new(Mutex::new(None)),
        };
        let (cancel, first) = (signals.cancel.clone(), signals.first.clone());
        tokio::spawn(async move {
            loop {
                let signal = tokio::select! {
                    Some(()) = interrupt.recv() => Signal::Interrupt,
                    Some(()) = terminate.recv() => Signal::Terminate,
                    else => return,
                };
                let mut seen = first.lock().unwrap_or_else(|e| e.into_inner());
                if seen.is_none() {
                    *seen = Some(signal);
                    cancel.stop();
                } else {
                    cancel.kill();
                }
            }
        });
        Ok(signals)
    }

    /// The first signal received, if any.
    fn received(&self) -> Option<Signal> {
        *self.first.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// With a custom grace period for running helm processes.
    fn cancellation(&self, settings: &Settings) -> Cancellation {
        let cancel = Cancellation::new(settings.grace_period);
        let (outer, inner) = (self.cancel.clone(), cancel.clone());
        tokio::spawn(async move {
            outer.stopped().await;
            inner.stop();
            outer.must_kill().await;
            inner.kill();
        });
        cancel
    }
}

/// A command, sorted by what it needs: nothing but the project, or helm too.
enum Step {
    /// Looks at the project and its plan only.
    Inspect(Inspect),
    /// Drives helm.
    Drive(Drive),
}

/// The commands that read the project only.
enum Inspect {
    List(ListArgs),
    Build(BuildArgs),
    Graph(GraphArgs),
    WriteValues(WriteValuesArgs),
}

/// The commands that run helm.
enum Drive {
    Repos,
    Deps(DepsArgs),
    Template(TemplateArgs),
    Lint(LintArgs),
    Fetch(FetchArgs),
    Sync(SyncArgs),
    Destroy(DestroyArgs),
    Status(StatusArgs),
    List(ListArgs),
    Diff(DiffArgs),
    Apply(ApplyArgs),
}

/// A step ready to run: helm located for the commands that drive it.
enum Job {
    /// Looks at the project and its plan only.
    Inspect(Inspect),
    /// Drives this helm.
    Drive(Drive, Box<HelmProcess>),
}

impl From<Command> for Step {
    fn from(command: Command) -> Self {
        match command {
            Command::List(args) if args.deployed => Self::Drive(Drive::List(args)),
            Command::List(args) => Self::Inspect(Inspect::List(args)),
            Command::Build(args) => Self::Inspect(Inspect::Build(args)),
            Command::Graph(args) => Self::Inspect(Inspect::Graph(args)),
            Command::WriteValues(args) => Self::Inspect(Inspect::WriteValues(args)),
            Command::Repos(_) => Self::Drive(Drive::Repos),
            Command::Deps(args) => Self::Drive(Drive::Deps(args)),
            Command::Template(args) => Self::Drive(Drive::Template(args)),
            Command::Lint(args) => Self::Drive(Drive::Lint(args)),
            Command::Sync(args) => Self::Drive(Drive::Sync(args)),
            Command::Fetch(args) => Self::Drive(Drive::Fetch(args)),
            Command::Apply(args) => Self::Drive(Drive::Apply(args)),
            Command::Diff(args) => Self::Drive(Drive::Diff(args)),
            Command::Destroy(args) => Self::Drive(Drive::Destroy(args)),
            Command::Status(args) => Self::Drive(Drive::Status(args)),
        }
    }
}

/// Runs `command`. With `--output json`, a run that changes the cluster ends with its report
/// as the last line on stdout however it ends: also when loading, planning or selecting stops
/// it before any release (a scheduled job reads that line).
async fn execute(
    command: Command,
    settings: &Settings,
    signals: &Signals,
    stdout: &mut impl Write,
    stderr: &mut impl Write,
) -> Result<ExitStatus, CommandError> {
    let reported = json_run_name(&command);
    let parts = Mutex::new(JsonParts::default());
    let result = execute_command(command, settings, signals, &parts, stdout, stderr).await;
    if let Some(command) = reported {
        print_json_report(command, &result, signals, parts);
    }
    result
}

/// The name of a run that reports as JSON lines (`sync`, `destroy`, `apply` with `--output
/// json`).
fn json_run_name(command: &Command) -> Option<&'static str> {
    match command {
        Command::Sync(SyncArgs {
            output: RunFormat::Json,
            ..
        }) => Some("sync"),
        Command::Destroy(DestroyArgs {
            output: RunFormat::Json,
            ..
        }) => Some("destroy"),
        Command::Apply(ApplyArgs {
            output: RunFormat::Json,
            ..
        }) => Some("apply"),
        _ => None,
    }
}

/// The last line of `--output json`: the exit code the process ends with, the error, each
/// release's outcome and (apply) the diff.
fn print_json_report(
    command: &str,
    result: &Result<ExitStatus, CommandError>,
    signals: &Signals,
    parts: Mutex<JsonParts>,
) {
    let status = match (result, signals.received()) {
        (_, Some(signal)) => ExitStatus::Interrupted(signal),
        (Ok(status), None) => *status,
        (Err(_), None) => ExitStatus::Failure,
    };
    let parts = parts.into_inner().unwrap_or_default();
    let line = render::json_line(
        "report",
        &render::JsonReport {
            command,
            exit_code: status.code(),
            error: result.as_ref().err().map(ToString::to_string),
            releases: &parts.releases,
            diff: parts.diff,
        },
    );
    let _ = writeln!(std::io::stdout().lock(), "{line}");
}

/// [`execute`]'s work; `json_report` gathers what the JSON report carries.
async fn execute_command(
    command: Command,
    settings: &Settings,
    signals: &Signals,
    json_report: &Mutex<JsonParts>,
    stdout: &mut impl Write,
    stderr: &mut impl Write,
) -> Result<ExitStatus, CommandError> {
    let needs = settings.selection(&command);
    let command_line = settings.command_line(&command);
    let json = json_run_name(&command).is_some();
    let step = Step::from(command);
    // As in Helmfile, `template` never streams helm's output: it is the manifests; nor does
    // `diff`, whose helm calls print manifests too (the diff is windlass's own output).
    let live =
        settings.live_output && !matches!(step, Step::Drive(Drive::Template(_) | Drive::Diff(_)));
    let cancel = signals.cancellation(settings);
    let progress = Arc::new(Progress::new(
        settings,
        progress::Mode::choose(settings, json),
        live,
    ));
    let events: Arc<dyn Events> = progress.clone();
    if settings.live_output {
        render::info(stderr, "Live output is enabled", settings.log_level);
    }
    let (load_options, key_problem) = settings.load_options();
    if let Some(problem) = key_problem {
        render::warning(stderr, &problem.to_string(), problem.hint());
    }
    let project = tokio::task::block_in_place(|| Project::load(&load_options))?;
    render::diagnostics(stderr, &project.diagnostics, settings.log_level);
    // helm is located once, before any other work, for the commands that run it.
    let job = match step {
        Step::Inspect(inspect) => Job::Inspect(inspect),
        Step::Drive(drive) => {
            let helm =
                settings.helm(project.helm_binary(), events.clone(), cancel.clone(), live)?;
            Job::Drive(drive, Box::new(helm))
        }
    };
    let helm_version = match &job {
        Job::Drive(
            Drive::Sync(_) | Drive::Template(_) | Drive::Lint(_) | Drive::Diff(_) | Drive::Apply(_),
            helm,
        ) => Some(helm.version().await?),
        Job::Drive(..) | Job::Inspect(_) => None,
    };
    let prepare = matches!(
        job,
        Job::Drive(
            Drive::Template(_) | Drive::Lint(_) | Drive::Sync(_) | Drive::Diff(_) | Drive::Apply(_),
            _
        )
    );
    let helm_repositories = match &settings.helm_repository_config {
        Some(path) if prepare => Some(windlass::charts::helm_repository_names(path)?),
        _ => None,
    };
    let plan_options = PlanOptions {
        prepare,
        helm_version,
        command_line,
        helm_repositories,
        cancel: cancel.stop_token(),
        oci_plain_http: settings.oci_plain_http,
    };
    let plan = tokio::task::block_in_place(|| Plan::build(&project, &needs, &plan_options))?;
    render::diagnostics(stderr, &plan.diagnostics, settings.log_level);
    progress.align_on(&plan);
    if plan.releases.is_empty() && !settings.selectors.is_empty() {
        render::no_match(stderr, &settings.selectors);
        if !settings.allow_no_matching_release {
            return Ok(ExitStatus::NoMatch);
        }
    }
    match job {
        Job::Inspect(inspect) => {
            let text = inspect_project(inspect, &project, &plan, settings, stderr)?;
            stdout
                .write_all(text.as_bytes())
                .map_err(|e| CommandError::Output(e.to_string()))?;
            Ok(ExitStatus::Success)
        }
        Job::Drive(drive, helm) => {
            let context = RunContext {
                helm: *helm,
                events,
                cancel,
                concurrency: settings.concurrency,
            };
            let run = Run {
                project: &project,
                plan: &plan,
                context: &context,
                settings,
                progress: &progress,
                json_report,
            };
            run.drive(drive, stdout, stderr).await
        }
    }
}

/// Runs a command that reads the project only; returns what to print.
fn inspect_project(
    inspect: Inspect,
    project: &Project,
    plan: &Plan,
    settings: &Settings,
    stderr: &mut impl Write,
) -> Result<String, CommandError> {
    let selected: Vec<usize> = plan.releases.iter().map(|r| r.release_index).collect();
    Ok(match inspect {
        Inspect::List(args) => list_text(&ops::list::entries(project, plan), args.output)?,
        Inspect::Build(args) => ops::build::render(project, &selected, args.embed_values)?,
        Inspect::Graph(args) => match args.output {
            GraphFormat::Text => plan.dag.to_text(),
            GraphFormat::Dot => plan.dag.to_dot(),
        },
        Inspect::WriteValues(args) => {
            let files = ops::write_values::write_values(
                project,
                &selected,
                &args.output_file_template,
                &args.values,
            )?;
            render::written(stderr, &files, settings.log_level);
            String::new()
        }
    })
}

/// What a command that drives helm works with.
struct Run<'a> {
    project: &'a Project,
    plan: &'a Plan,
    context: &'a RunContext<HelmProcess>,
    settings: &'a Settings,
    progress: &'a Progress,
    /// What the `--output json` report carries, gathered as the command goes.
    json_report: &'a Mutex<JsonParts>,
}

/// The parts of the `--output json` report a command gathers before it ends.
#[derive(Default)]
struct JsonParts {
    /// Each release's outcome, in the order they ended.
    releases: Vec<ReleaseSummary>,
    /// `apply`'s diff, as `diff --output json` prints it.
    diff: Option<serde_json::Value>,
}

impl Run<'_> {
    /// Runs a command that drives helm; returns how the process ends.
    async fn drive(
        &self,
        drive: Drive,
        stdout: &mut impl Write,
        stderr: &mut impl Write,
    ) -> Result<ExitStatus, CommandError> {
        let (project, plan, context, settings) =
            (self.project, self.plan, self.context, self.settings);
        let events = context.events.as_ref();
        let output = |e: std::io::Error| CommandError::Output(e.to_string());
        match drive {
            Drive::Repos => {
                ops::repos::add_repositories(&context.helm, project, true, events)
                    .await
                    .map_err(OperationError::from)?;
            }
            Drive::Deps(args) => {
                let options = settings.deps_options(&args);
                ops::deps::update_dependencies(&context.helm, project, plan, &options, events)
                    .await?;
            }
            Drive::List(args) => {
                let mut entries = ops::list::entries(project, plan);
                ops::list::add_deployed(&context.helm, plan, &mut entries).await?;
                let text = list_text(&entries, args.output)?;
                stdout.write_all(text.as_bytes()).map_err(output)?;
            }
            Drive::Template(args) => {
                let options = settings.template_options(&args);
                per_release(
                    ChartCommand::Template,
                    &options,
                    project,
                    plan,
                    context,
                    stdout,
                )
                .await?;
            }
            Drive::Lint(args) => {
                let options = settings.lint_options(&args);
                per_release(ChartCommand::Lint, &options, project, plan, context, stdout).await?;
            }
            Drive::Fetch(args) => {
                let report =
                    ops::fetch::fetch(project, plan, &settings.fetch_options(&args), context)
                        .await?;
                failures(report.failures().count())?;
            }
            Drive::Sync(args) => {
                let report = ops::sync::sync(plan, &settings.sync_options(&args), context).await?;
                self.finish(report, stderr)?;
            }
            Drive::Destroy(args) => {
                if args.interactive && !self.confirm_destroy(stderr) {
                    return Ok(ExitStatus::Success);
                }
                let options = settings.destroy_options(&args);
                let report = ops::destroy::destroy(plan, &options, context).await?;
                self.finish(report, stderr)?;
            }
            Drive::Diff(args) => {
                let diff_settings = settings.diff_settings(&args.compare)?;
                let run = ops::diff::diff(plan, &diff_settings, context).await?;
                render::diff_report(stdout, stderr, &run.report, args.output)?;
                diff_failures(&run.report)?;
                if args.detailed_exitcode && run.report.has_changes() {
                    return Ok(ExitStatus::Changes);
                }
            }
            Drive::Apply(args) => return self.apply(args, stdout, stderr).await,
            Drive::Status(args) => {
                let report = ops::status::status(plan, &settings.status_settings(), context).await;
                render::status(stdout, stderr, &report, args.output)?;
                if !report.errors.is_empty() {
                    let releases: std::collections::HashSet<&String> =
                        report.errors.iter().flat_map(|e| &e.releases).collect();
                    return Err(OperationError::ReleasesFailed(releases.len().max(1)).into());
                }
                if args.detailed_exitcode && !report.all_ok() {
                    return Ok(ExitStatus::Changes);
                }
            }
        }
        Ok(ExitStatus::Success)
    }

    /// `apply`: the diff (shown unless `--suppress-diff`), nothing more when it failed anywhere
    /// or found nothing, the user's confirmation with `-i`, then exactly the changed releases.
    async fn apply(
        &self,
        args: ApplyArgs,
        stdout: &mut impl Write,
        stderr: &mut impl Write,
    ) -> Result<ExitStatus, CommandError> {
        let (plan, context) = (self.plan, self.context);
        let diff_settings = self.settings.diff_settings(&args.compare)?;
        let hooks = Hooks::new(plan, "apply", context);
        hooks.prepare_run().await.map_err(OperationError::from)?;
        // With --enable-live-output only the upgrades stream: the diff's helm calls print
        // manifests.
        let diffing = RunContext {
            helm: context.helm.clone().without_live_output(),
            ..context.clone()
        };
        let run = ops::diff::diff(plan, &diff_settings, &diffing).await?;
        if self.progress.is_json() {
            render::diff_errors(stderr, &run.report);
            if let Ok(mut parts) = self.json_report.lock() {
                parts.diff = Some(run.report.to_json());
            }
        } else if args.suppress_diff {
            render::diff_errors(stderr, &run.report);
        } else {
            render::diff_report(stdout, stderr, &run.report, DiffFormat::Diff)?;
        }
        // A release that could not be diffed stops the apply before anything changes.
        diff_failures(&run.report)?;
        let changes = !run.changed.is_empty();
        if context.cancel.is_stopped() || (changes && args.interactive && !render::confirm(stderr)?)
        {
            // Nothing changes; the state files' cleanup hooks still close the run.
            hooks
                .run_state(HookEvent::Cleanup, None)
                .await
                .map_err(OperationError::from)?;
            return Ok(ExitStatus::Success);
        }
        let report = ops::apply::apply(plan, &run, &hooks, context).await?;
        let applied = report
            .releases
            .iter()
            .any(|r| matches!(r.outcome, ReleaseOutcome::Succeeded(_)));
        self.finish(report, stderr)?;
        if changes {
            render::unchanged(stderr, &run.report);
        }
        Ok(if args.detailed_exitcode && applied {
            ExitStatus::Changes
        } else {
            ExitStatus::Success
        })
    }

    /// Asks on the terminal (or standard input) before `destroy` deletes anything.
    fn confirm_destroy(&self, stderr: &mut impl Write) -> bool {
        let releases: Vec<String> = self
            .plan
            .releases
            .iter()
            .map(|r| format!("{} ({})", r.name, r.chart))
            .collect();
        render::confirm_affected(stderr, &mut std::io::stdin().lock(), &releases, "delete")
    }

    /// The end of a run that changed the cluster: the summary (with `--output json`, the
    /// releases of the report [`Run::drive`] prints last), then the run's error, if any.
    fn finish<T, E: std::fmt::Display>(
        &self,
        report: Report<T, E>,
        stderr: &mut impl Write,
    ) -> Result<(), CommandError> {
        let rows = report.summary();
        let error: Option<CommandError> = match report.failure {
            Some(failure) => Some(failure.into()),
            None => failures(
                rows.iter()
                    .filter(|r| r.result == ReleaseResult::Failed)
                    .count(),
            )
            .err(),
        };
        if self.progress.is_json() {
            if let Ok(mut parts) = self.json_report.lock() {
                parts.releases = rows;
            }
        } else {
            render::run_summary(stderr, self.plan, &rows);
        }
        error.map_or(Ok(()), Err)
    }
}

/// The entries of `list` in `format`.
fn list_text(entries: &[ops::list::ListEntry], format: ListFormat) -> Result<String, CommandError> {
    Ok(match format {
        ListFormat::Table => ops::list::table(entries),
        ListFormat::Json => format!(
            "{}\n",
            serde_json::to_string(entries).map_err(|e| CommandError::Output(e.to_string()))?
        ),
    })
}

/// An error when the diff failed for any release (or before any release could be diffed).
fn diff_failures(report: &DiffReport) -> Result<(), CommandError> {
    match (report.summary().failed, report.errors.is_empty()) {
        (0, true) => Ok(()),
        (n, _) => Err(OperationError::ReleasesFailed(n.max(1)).into()),
    }
}

/// `helm template` or `helm lint` of every release; prints what helm printed.
async fn per_release(
    kind: ChartCommand,
    options: &TemplateOptions,
    project: &Project,
    plan: &Plan,
    context: &RunContext<HelmProcess>,
    stdout: &mut impl Write,
) -> Result<(), CommandError> {
    let rendered = ops::template::run_per_release(project, plan, kind, options, context).await?;
    stdout
        .write_all(rendered.text.as_bytes())
        .map_err(|e| CommandError::Output(e.to_string()))?;
    if let Some(failure) = rendered.report.failure {
        return Err(failure.into());
    }
    failures(rendered.report.failures().count())
}

/// An error when `count` releases failed (each was reported as it failed).
fn failures(count: usize) -> Result<(), CommandError> {
    match count {
        0 => Ok(()),
        n => Err(OperationError::ReleasesFailed(n).into()),
    }
}
