//! Runs one command: load the project, call the library, render the result, pick the exit status.

use std::io::Write;

use windlass::graph::{GraphError, NeedsMode};
use windlass::helm::{HelmError, HelmProcess};
use windlass::ops::template::{ChartCommand, OperationError};
use windlass::ops::{self, SelectOptions};
use windlass::project::{Project, ProjectError};

use crate::args::{Command, GraphFormat, ListFormat};
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
}

impl From<ExitStatus> for std::process::ExitCode {
    fn from(status: ExitStatus) -> Self {
        std::process::ExitCode::from(match status {
            ExitStatus::Success => 0,
            ExitStatus::Failure => 1,
            ExitStatus::NoMatch => 3,
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
    /// An operation on releases failed.
    #[error(transparent)]
    Operation(#[from] OperationError),
    /// The async runtime could not start.
    #[error("cannot start the async runtime: {0}")]
    Runtime(std::io::Error),
    /// The command exists but its issue has not landed.
    #[error("`{0}` is not yet implemented")]
    NotImplemented(&'static str),
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
            Self::Helm(error) => error.hint(),
            Self::Operation(error) => error.hint(),
            Self::Runtime(_) => None,
            Self::NotImplemented(_) => {
                Some("available today: build, list, graph, repos, deps, template, lint".into())
            }
            Self::Output(_) => None,
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
            ExitStatus::Failure
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
        Command::Sync(_) => "sync",
        Command::Destroy(_) => "destroy",
        Command::Status(_) => "status",
        Command::WriteValues(_) => "write-values",
        Command::List(_)
        | Command::Build(_)
        | Command::Graph(_)
        | Command::Repos(_)
        | Command::Deps(_)
        | Command::Template(_)
        | Command::Lint(_) => "",
    };
    if !name.is_empty() {
        return Err(CommandError::NotImplemented(name));
    }
    let is_lint = matches!(command, Command::Lint(_));
    let project = Project::load(&settings.load)?;
    render::diagnostics(stderr, &project.diagnostics, settings.log_level);
    let needs = match &command {
        Command::Template(args) | Command::Lint(args)
            if args.include_needs || args.include_transitive_needs =>
        {
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
    if selected.is_empty() && !settings.selectors.is_empty() {
        render::no_match(stderr, &settings.selectors);
        return Ok(ExitStatus::NoMatch);
    }
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
        Command::Build(_) => ops::build::render(&project, selected)
            .map_err(|e| CommandError::Output(e.to_string()))?,
        Command::Graph(args) => match args.output {
            GraphFormat::Text => selection.graph.to_text(),
            GraphFormat::Dot => selection.graph.to_dot(),
        },
        Command::Repos(_) => {
            let helm = HelmProcess::new(&settings.helm_binary, &settings.load.dir);
            let events = render::StderrEvents::new(settings);
            runtime()?.block_on(ops::repos::add_repositories(&helm, &project, &events))?;
            String::new()
        }
        Command::Template(args) | Command::Lint(args) => {
            let helm = HelmProcess::new(&settings.helm_binary, &settings.load.dir);
            let events = render::StderrEvents::new(settings);
            let kind = if is_lint {
                ChartCommand::Lint
            } else {
                ChartCommand::Template
            };
            let options = settings.template_options(args);
            runtime()?.block_on(ops::template::run_per_release(
                &helm, &project, selected, kind, &options, &events,
            ))?
        }
        Command::Deps(_) => {
            let helm = HelmProcess::new(&settings.helm_binary, &settings.load.dir);
            let events = render::StderrEvents::new(settings);
            runtime()?.block_on(ops::deps::update_dependencies(
                &helm, &project, selected, &events,
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

/// A multi-threaded tokio runtime for the operations that run helm.
fn runtime() -> Result<tokio::runtime::Runtime, CommandError> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(CommandError::Runtime)
}
