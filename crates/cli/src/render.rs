//! How errors and diagnostics look on the terminal.

use std::io::Write;

use anstyle::{AnsiColor, Style};
use windlass::events::{Action, Event, Events, ReleasePhase};
use windlass::helm::HelmError;
use windlass::ops::report::ReleaseOutcome;
use windlass::ops::sync::{SyncAction, SyncReport};
use windlass::project::{Diagnostic, MissingFileHandler};

use windlass::diff::{DiffReport, Style as Line};

use crate::args::{DiffFormat, LogLevel};
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

/// `warning: <message>` and, when there is one, `  hint: <what to do>`.
pub fn warning(out: &mut impl Write, message: &str, hint: Option<String>) {
    let _ = writeln!(out, "{WARNING}warning{WARNING:#}: {message}");
    if let Some(hint) = hint {
        let _ = writeln!(out, "  {HINT}hint{HINT:#}: {hint}");
    }
}

/// An informational line, unless the log level is below `info`.
pub fn info(out: &mut impl Write, message: &str, level: LogLevel) {
    if level >= LogLevel::Info {
        let _ = writeln!(out, "{message}");
    }
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
    /// `--enable-live-output`: helm's own lines are printed as they come.
    live: bool,
    color: anstream::ColorChoice,
}

impl StderrEvents {
    /// A sink that follows the settings' verbosity and colour choice; with `live`, helm's own
    /// lines are printed as they come (`--enable-live-output`).
    pub fn new(settings: &Settings, live: bool) -> Self {
        Self {
            quiet: settings.log_level < LogLevel::Info,
            debug: settings.log_level >= LogLevel::Debug,
            live,
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
            // Live output shows helm's lines as helm wrote them: stderr to stderr, stdout to
            // stdout, as Helmfile's --enable-live-output does.
            Event::HelmMessage {
                release: Some(_),
                line,
            } if self.live => line,
            Event::HelmOutput { line, .. } => {
                let mut out = anstream::AutoStream::new(std::io::stdout(), self.color);
                let _ = writeln!(out, "{line}");
                return;
            }
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
            Event::ChartRewritten { release, .. } => {
                format!(
                    "Rewrote the chart of release={} (dependencies, patches)",
                    release.name()
                )
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
        ReleasePhase::Started {
            action: Action::Diff,
            chart,
        } => format!("Comparing release={name}, chart={chart}"),
        ReleasePhase::Started {
            action: Action::Fetch,
            chart,
        } => format!("Fetching release={name}, chart={chart}"),
        ReleasePhase::Done {
            action: Action::Upgrade,
        } => format!("Release \"{name}\" upgraded"),
        ReleasePhase::Done {
            action: Action::Uninstall,
        } => format!("Release \"{name}\" deleted (installed: false)"),
        // A diff's failures are listed, with their hints, when the diff ends.
        ReleasePhase::Failed {
            action: Action::Diff,
            ..
        } => return None,
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

/// The colour of each kind of diff line.
fn line_style(line: Line) -> Style {
    match line {
        Line::Release => Style::new().bold(),
        Line::Object => AnsiColor::Cyan.on_default().bold(),
        Line::Added => AnsiColor::Green.on_default(),
        Line::Removed => AnsiColor::Red.on_default(),
        Line::Changed => AnsiColor::Yellow.on_default(),
        Line::Note => Style::new().dimmed(),
        Line::Summary => Style::new().bold(),
        _ => Style::new(),
    }
}

/// A diff run's result: the report on `stdout` in `format` (with `json`, the summary line goes
/// to `stderr`), and its failures on `stderr`.
pub fn diff_report(
    stdout: &mut impl Write,
    stderr: &mut impl Write,
    report: &DiffReport,
    format: DiffFormat,
) -> Result<(), CommandError> {
    let output = |e: std::io::Error| CommandError::Output(e.to_string());
    let lines = match format {
        DiffFormat::Json => {
            let text = serde_json::to_string_pretty(&report.to_json())
                .map_err(|e| CommandError::Output(e.to_string()))?;
            writeln!(stdout, "{text}").map_err(output)?;
            let _ = writeln!(stderr, "{}", report.summary_line());
            diff_errors(stderr, report);
            return Ok(());
        }
        DiffFormat::Diff => report.diff_lines(),
        DiffFormat::Simple => report.simple_lines(),
    };
    for line in lines {
        let style = line_style(line.style);
        writeln!(stdout, "{style}{}{style:#}", line.text).map_err(output)?;
    }
    diff_errors(stderr, report);
    Ok(())
}

/// Each failure of a diff run: `error: <cause>`, the releases it stopped, and a hint.
pub fn diff_errors(out: &mut impl Write, report: &DiffReport) {
    for failure in &report.errors {
        let _ = writeln!(out, "{ERROR}error{ERROR:#}: {}", failure.message);
        if failure.releases.len() > 1 {
            let _ = writeln!(
                out,
                "  releases not diffed: {}",
                failure.releases.join(", ")
            );
        }
        if let Some(hint) = &failure.hint {
            let _ = writeln!(out, "  {HINT}hint{HINT:#}: {hint}");
        }
    }
}

/// `UNCHANGED: a, b`: the releases `apply` left alone because their diff found nothing.
pub fn unchanged(out: &mut impl Write, report: &DiffReport) {
    let names: Vec<&str> = report
        .releases
        .iter()
        .filter(|r| !r.changed())
        .map(|r| r.name.as_str())
        .collect();
    if !names.is_empty() {
        let _ = writeln!(out, "UNCHANGED: {}", names.join(", "));
    }
}

/// Asks on the terminal whether to apply; `Ok(false)` unless the answer is yes.
pub fn confirm(out: &mut impl Write) -> Result<bool, CommandError> {
    use std::io::IsTerminal;
    let stdin = std::io::stdin();
    if !stdin.is_terminal() {
        return Err(CommandError::NotATerminal);
    }
    let _ = write!(out, "Apply these changes? [y/N] ");
    let _ = out.flush();
    let mut answer = String::new();
    stdin
        .read_line(&mut answer)
        .map_err(|e| CommandError::Output(e.to_string()))?;
    let yes = matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes");
    if !yes {
        let _ = writeln!(out, "Nothing applied.");
    }
    Ok(yes)
}
