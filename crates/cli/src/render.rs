//! How errors and diagnostics look on the terminal.

use std::io::Write;

use anstyle::{AnsiColor, Style};
use windlass::events::{Action, Event, Events, ReleasePhase};
use windlass::helm::HelmError;
use windlass::ops::report::ReleaseOutcome;
use windlass::ops::sync::{SyncAction, SyncReport};
use windlass::project::{Diagnostic, MissingFileHandler};

use crate::args::LogLevel;
use crate::run::CommandError;
use crate::settings::Settings;

const ERROR: Style = AnsiColor::Red.on_default().bold();
const WARNING: Style = AnsiColor::Yellow.on_default().bold();
const HINT: Style = AnsiColor::Cyan.on_default();

/// `error: <cause>` and, when there is one, `  hint: <what to do>`.
pub fn error(out: &mut impl Write, error: &CommandError) {
    let _ = writeln!(out, "{ERROR}error{ERROR:#}: {error}");
    if let Some(hint) = error.hint() {
        let _ = writeln!(out, "  {HINT}hint{HINT:#}: {hint}");
    }
}

/// Non-fatal findings at or below `level`.
pub fn diagnostics(out: &mut impl Write, diagnostics: &[Diagnostic], level: LogLevel) {
    for diagnostic in diagnostics {
        let (needed, label) = match diagnostic.level {
            MissingFileHandler::Warn => (LogLevel::Warn, "warning"),
            MissingFileHandler::Info => (LogLevel::Info, "info"),
            _ => (LogLevel::Debug, "debug"),
        };
        if level >= needed {
            let _ = writeln!(
                out,
                "{WARNING}{label}{WARNING:#}: {}: {}",
                diagnostic.location, diagnostic.message
            );
        }
    }
}

/// `warning: <message>`.
pub fn warning(out: &mut impl Write, message: &str) {
    let _ = writeln!(out, "{WARNING}warning{WARNING:#}: {message}");
}

/// The message for exit status 3.
pub fn no_match(out: &mut impl Write, selectors: &[String]) {
    let _ = writeln!(
        out,
        "{WARNING}warning{WARNING:#}: no release matches the selector {}",
        selectors.join(" or ")
    );
}

/// Prints progress events on stderr, one line each, unless `-q`.
pub struct StderrEvents {
    quiet: bool,
    debug: bool,
    color: anstream::ColorChoice,
}

impl StderrEvents {
    /// A sink that follows the settings' verbosity and colour choice.
    pub fn new(settings: &Settings) -> Self {
        Self {
            quiet: settings.log_level < LogLevel::Info,
            debug: settings.log_level >= LogLevel::Debug,
            color: settings.color,
        }
    }
}

impl Events for StderrEvents {
    fn emit(&self, event: Event) {
        if self.quiet {
            return;
        }
        let line = match event {
            Event::RepositoryAdded { name, url } => format!("Adding repo {name} {url}"),
            Event::RegistryLogin { registry } => format!("Logged in to registry {registry}"),
            Event::RepositoriesUpdated => "Updated repository indexes".to_string(),
            Event::ChartFetched { chart, version } => format!("Fetched {chart} {version}"),
            Event::LockWritten { file } => format!("Wrote {}", file.display()),
            Event::HelmMessage { release, line } if self.debug => match release {
                Some(release) => format!("helm [{}]: {line}", release.name()),
                None => format!("helm: {line}"),
            },
            Event::RenderWarning { release, line } if self.debug => {
                format!("native renderer [{}]: {line}", release.name())
            }
            Event::RenderedByHelm { release, reason } if self.debug => match release {
                Some(release) => format!("rendering {} with helm: {reason}", release.name()),
                None => format!("rendering with helm: {reason}"),
            },
            Event::DependenciesUpdated { chart } => {
                format!("Updated dependencies of {}", chart.display())
            }
            Event::DependenciesBuilt { chart } => {
                format!("Built dependencies of {}", chart.display())
            }
            Event::Release { release, phase } => match release_line(release.name(), phase) {
                Some(line) => line,
                None => return,
            },
            Event::Warning { location, message } => {
                format!("{WARNING}warning{WARNING:#}: {location}: {message}")
            }
            _ => return,
        };
        let mut out = anstream::AutoStream::new(std::io::stderr(), self.color);
        let _ = writeln!(out, "{line}");
    }
}

/// The line a release's progress prints, if it prints one.
fn release_line(name: &str, phase: ReleasePhase) -> Option<String> {
    Some(match phase {
        ReleasePhase::Started {
            action: Action::Upgrade,
            chart,
        } => format!("Upgrading release={name}, chart={chart}"),
        ReleasePhase::Done {
            action: Action::Upgrade,
        } => format!("Release \"{name}\" upgraded"),
        ReleasePhase::Done {
            action: Action::Uninstall,
        } => format!("Release \"{name}\" deleted (installed: false)"),
        ReleasePhase::Failed { message, .. } => format!("Release \"{name}\" failed: {message}"),
        ReleasePhase::Skipped { failed } => format!(
            "Release \"{name}\" skipped: it needs \"{}\", which failed",
            failed.name()
        ),
        ReleasePhase::Cancelled => format!("Release \"{name}\" cancelled"),
        _ => return None,
    })
}

/// `Writing values file PATH`, one line per file, as Helmfile logs them.
pub fn written(out: &mut impl Write, files: &[std::path::PathBuf], level: LogLevel) {
    if level >= LogLevel::Info {
        for file in files {
            let _ = writeln!(out, "Writing values file {}", file.display());
        }
    }
}

/// The closing lines of `sync`: what was upgraded, deleted, skipped, failed and cancelled.
pub fn sync_summary(out: &mut impl Write, report: &SyncReport) {
    let names = |wanted: fn(&ReleaseOutcome<SyncAction, HelmError>) -> bool| -> Vec<&str> {
        report
            .releases
            .iter()
            .filter(|r| wanted(&r.outcome))
            .map(|r| r.id.name())
            .collect()
    };
    let lines = [
        (
            "UPGRADED",
            names(|o| matches!(o, ReleaseOutcome::Succeeded(SyncAction::Upgraded))),
        ),
        (
            "DELETED",
            names(|o| matches!(o, ReleaseOutcome::Succeeded(SyncAction::Deleted))),
        ),
        (
            "SKIPPED",
            names(|o| matches!(o, ReleaseOutcome::Skipped { .. })),
        ),
        ("FAILED", names(|o| matches!(o, ReleaseOutcome::Failed(_)))),
        (
            "CANCELLED",
            names(|o| matches!(o, ReleaseOutcome::Cancelled { .. })),
        ),
    ];
    for (label, names) in lines {
        if !names.is_empty() {
            let _ = writeln!(out, "{label}: {}", names.join(", "));
        }
    }
}
