//! Runs one command: load the project, call the library, render the result, pick the exit status.

use std::io::Write;

use std::sync::Arc;
use windlass::graph::{GraphError, NeedsMode};

use windlass::events::Events;
use windlass::helm::{HelmError, HelmProcess};
use windlass::ops::template::{ChartCommand, OperationError};
use windlass::ops::{self, SelectOptions};
use windlass::project::{Project, ProjectError};

use crate::args::{Command, GraphFormat, ListFormat, RendererArg};
use crate::render;
use crate::settings::Settings;

/// How the process ends (uv's shape: an explicit enum, not scattered integers).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// Done; nothing changed or nothing to report.
    Success,
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

impl From<ExitStatus> for std::process::ExitCode {
    fn from(status: ExitStatus) -> Self {
        std::process::ExitCode::from(match status {
            ExitStatus::Success => 0,
            ExitStatus::Failure => 1,
            ExitStatus::NoMatch => 3,
            ExitStatus::Interrupted(Signal::Interrupt) => 130,
            ExitStatus::Interrupted(Signal::Terminate) => 143,
        })
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
    /// Helm failed.
    #[error(transparent)]
    Helm(#[from] HelmError),
    /// The state could not be built.
    #[error(transparent)]
    Build(#[from] windlass::ops::build::BuildError),
    /// Some releases failed (each was reported as it failed).
    #[error("{0} release(s) failed")]
    ReleasesFailed(usize),
    /// Values could not be written.
    #[error(transparent)]
    WriteValues(#[from] windlass::ops::write_values::WriteValuesError),
    /// An operation on releases failed.
    #[error(transparent)]
    Operation(#[from] OperationError),
    /// The async runtime could not start.
    #[error("cannot start the async runtime: {0}")]
    Runtime(std::io::Error),
    /// The command exists but its issue has not landed.
    #[error("`{0}` is not yet implemented")]
    NotImplemented(&'static str),
    /// A signal stopped the run; its work was cancelled and cleaned up.
    #[error("interrupted; running helm commands were stopped and temporary files removed")]
    Interrupted(Signal),
    /// Writing the output failed.
    #[error("cannot write output: {0}")]
    Output(String),
    /// `lint` was given `--renderer`, which only `template` uses.
    #[error("--renderer applies to `template`; `lint` always runs `helm lint`")]
    RendererForLint,
}

impl CommandError {
    /// A suggestion for the user, when there is one.
    pub fn hint(&self) -> Option<String> {
        match self {
            Self::Project(error) => error.hint(),
            Self::Selector(error) => error.hint(),
            Self::Helm(error) => error.hint(),
            Self::Operation(error) => error.hint(),
            Self::Runtime(_)
            | Self::Interrupted(_)
            | Self::WriteValues(_)
            | Self::Build(_)
            | Self::ReleasesFailed(_)
            | Self::Output(_) => None,
            Self::RendererForLint => Some("leave out --renderer".into()),
            Self::NotImplemented(_) => Some(
                "available today: build, list, graph, repos, deps, template, lint, write-values, sync"
                    .into(),
            ),
        }
    }
}

/// Runs `command` and reports errors on stderr.
pub fn run(command: Command, settings: &Settings) -> ExitStatus {
    let mut stdout = anstream::AutoStream::new(std::io::stdout(), settings.color);
    let mut stderr = anstream::AutoStream::new(std::io::stderr(), settings.color);
    match execute(command, settings, &mut stdout, &mut stderr) {
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

fn execute(
    command: Command,
    settings: &Settings,
    stdout: &mut impl Write,
    stderr: &mut impl Write,
) -> Result<ExitStatus, CommandError> {
    let name = match &command {
        Command::Apply(_) => "apply",
        Command::Diff(_) => "diff",
        Command::Destroy(_) => "destroy",
        Command::Status(_) => "status",
        Command::List(_)
        | Command::Build(_)
        | Command::Graph(_)
        | Command::Repos(_)
        | Command::Deps(_)
        | Command::Template(_)
        | Command::Lint(_)
        | Command::WriteValues(_)
        | Command::Sync(_) => "",
    };
    if !name.is_empty() {
        return Err(CommandError::NotImplemented(name));
    }
    let is_lint = matches!(command, Command::Lint(_));
    if let Command::Lint(args) = &command
        && args.renderer != RendererArg::Helm
    {
        return Err(CommandError::RendererForLint);
    }
    let (load_options, key_problem) = settings.load_options();
    if let Some(problem) = key_problem {
        render::warning(stderr, &problem.to_string());
    }
    let mut project = Project::load(&load_options)?;
    render::diagnostics(stderr, &project.diagnostics, settings.log_level);
    let include_needs = match &command {
        Command::Template(args) | Command::Lint(args) => Some(&args.releases),
        Command::Sync(args) => Some(&args.releases),
        _ => None,
    }
    .is_some_and(|r| r.include_needs || r.include_transitive_needs);
    let needs = match include_needs {
        true => {
            // Helmfile's --include-needs pulls in needs of needs as well (its own tests say so).
            NeedsMode::IncludeTransitive
        }
        _ => NeedsMode::Skip,
    };
    let selection = SelectOptions {
        selectors: settings.selectors.clone(),
        needs,
    };
    let selection = ops::select(&project, &selection)?;
    let selected = &selection.releases;
    project.check_selected(selected)?;
    if selected.is_empty() && !settings.selectors.is_empty() {
        render::no_match(stderr, &settings.selectors);
        return Ok(ExitStatus::NoMatch);
    }
    let events = Arc::new(render::StderrEvents::new(settings));
    let mut helm =
        HelmProcess::new(&settings.helm_binary, &settings.load.dir).with_events(events.clone());
    if let Some(kubeconfig) = &settings.kubeconfig {
        helm = helm.with_env("KUBECONFIG", kubeconfig);
    }
    let events: &dyn Events = &*events;
    let text = match command {
        Command::List(args) => {
            let entries = ops::list::entries(&project, selected);
            match args.output {
                ListFormat::Table => ops::list::table(&entries),
                ListFormat::Json => format!(
                    "{}\n",
                    serde_json::to_string(&entries)
                        .map_err(|e| CommandError::Output(e.to_string()))?
                ),
            }
        }
        Command::Build(args) => ops::build::render(&project, selected, args.embed_values)?,
        Command::Graph(args) => match args.output {
            GraphFormat::Text => selection.graph.to_text(),
            GraphFormat::Dot => selection.graph.to_dot(),
        },
        Command::Repos(_) => {
            interruptible(ops::repos::add_repositories(&helm, &project, true, events))?;
            String::new()
        }
        Command::Template(args) | Command::Lint(args) => {
            let kind = if is_lint {
                ChartCommand::Lint
            } else {
                ChartCommand::Template
            };
            let options = settings.template_options(args);
            // Helmfile renders in dependency groups, each in definition order.
            interruptible(ops::template::run_per_release(
                &helm,
                &project,
                &selection.ordered,
                kind,
                &options,
                events,
            ))?
        }
        Command::Sync(args) => {
            let options = settings.sync_options(args);
            let report = interruptible(ops::sync::sync(
                &helm, &project, &selection, &options, events,
            ))?;
            render::sync_summary(stderr, &report);
            if !report.failed.is_empty() {
                return Err(CommandError::ReleasesFailed(report.failed.len()));
            }
            String::new()
        }
        Command::WriteValues(args) => {
            let files = ops::write_values::write_values(
                &project,
                selected,
                &args.output_file_template,
                &args.values,
            )?;
            render::written(stderr, &files, settings.log_level);
            String::new()
        }
        Command::Deps(_) => {
            interruptible(ops::deps::update_dependencies(
                &helm, &project, selected, events,
            ))?;
            String::new()
        }
        _ => String::new(),
    };
    stdout
        .write_all(text.as_bytes())
        .map_err(|e| CommandError::Output(e.to_string()))?;
    Ok(ExitStatus::Success)
}

/// Runs `work` on a tokio runtime until it ends or SIGINT/SIGTERM arrives. On a signal the work
/// is dropped: its helm processes are killed (`kill_on_drop`) and its private folder of values
/// files is removed (`PrivateDir`'s drop) before the error is returned.
fn interruptible<T, E: Into<CommandError>>(
    work: impl Future<Output = Result<T, E>>,
) -> Result<T, CommandError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(CommandError::Runtime)?;
    runtime.block_on(async {
        let mut terminate =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
                .map_err(CommandError::Runtime)?;
        tokio::select! {
            result = work => result.map_err(Into::into),
            _ = tokio::signal::ctrl_c() => Err(CommandError::Interrupted(Signal::Interrupt)),
            _ = terminate.recv() => Err(CommandError::Interrupted(Signal::Terminate)),
        }
    })
}
