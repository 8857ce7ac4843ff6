//! How errors and diagnostics look on the terminal.

use std::io::Write;

use anstyle::{AnsiColor, Style};
use windlass::events::{Event, Events};
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
            Event::HelmMessage { line } if self.debug => format!("helm: {line}"),
            Event::RenderWarning { release, line } if self.debug => {
                format!("native renderer: {release}: {line}")
            }
            Event::RenderedByHelm { release, reason } if self.debug => match release {
                Some(release) => format!("rendering {release} with helm: {reason}"),
                None => format!("rendering with helm: {reason}"),
            },
            Event::DependenciesUpdated { chart } => {
                format!("Updated dependencies of {}", chart.display())
            }
            Event::DependenciesBuilt { chart } => {
                format!("Built dependencies of {}", chart.display())
            }
            Event::ReleaseStarted { release, chart } => {
                format!("Upgrading release={release}, chart={chart}")
            }
            Event::ReleaseUpgraded { release } => format!("Release \"{release}\" upgraded"),
            Event::ReleaseFailed { release, message } => {
                format!("Release \"{release}\" failed: {message}")
            }
            Event::ReleaseSkipped { release } => {
                format!("Release \"{release}\" skipped: a release it needs failed")
            }
            Event::ReleaseDeleted { release } => {
                format!("Release \"{release}\" deleted (installed: false)")
            }
            _ => return,
        };
        let mut out = anstream::AutoStream::new(std::io::stderr(), self.color);
        let _ = writeln!(out, "{line}");
    }
}

/// `Writing values file PATH`, one line per file, as Helmfile logs them.
pub fn written(out: &mut impl Write, files: &[std::path::PathBuf], level: LogLevel) {
    if level >= LogLevel::Info {
        for file in files {
            let _ = writeln!(out, "Writing values file {}", file.display());
        }
    }
}

/// The closing lines of `sync`: what was upgraded, deleted, skipped and failed.
pub fn sync_summary(out: &mut impl Write, report: &windlass::ops::sync::SyncReport) {
    let line = |label: &str, names: Vec<&str>| {
        if names.is_empty() {
            None
        } else {
            Some(format!("{label}: {}", names.join(", ")))
        }
    };
    let lines = [
        line(
            "UPGRADED",
            report.upgraded.iter().map(String::as_str).collect(),
        ),
        line(
            "DELETED",
            report.deleted.iter().map(String::as_str).collect(),
        ),
        line(
            "SKIPPED",
            report.skipped.iter().map(String::as_str).collect(),
        ),
        line(
            "FAILED",
            report
                .failed
                .iter()
                .map(|(name, _)| name.as_str())
                .collect(),
        ),
    ];
    for text in lines.into_iter().flatten() {
        let _ = writeln!(out, "{text}");
    }
}
