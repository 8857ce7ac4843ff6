//! How errors, diagnostics, run summaries and JSON lines look.

use std::io::{BufRead, Write};
use std::time::Duration;

use anstyle::{AnsiColor, Style};
use serde::Serialize;
use windlass::events::{Action, SCHEMA_VERSION};
use windlass::ops::report::{ReleaseResult, ReleaseSummary};
use windlass::plan::Plan;
use windlass::project::{Diagnostic, MissingFileHandler};

use windlass::diff::{DiffReport, Style as Line};
use windlass::kube::health::Health;
use windlass::ops::status::StatusReport;

use crate::args::{DiffFormat, ListFormat, LogLevel};
use crate::run::CommandError;

const ERROR: Style = AnsiColor::Red.on_default().bold();
pub(crate) const WARNING: Style = AnsiColor::Yellow.on_default().bold();
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

/// `Writing values file PATH`, one line per file, as Helmfile logs them.
pub fn written(out: &mut impl Write, files: &[std::path::PathBuf], level: LogLevel) {
    if level >= LogLevel::Info {
        for file in files {
            let _ = writeln!(out, "Writing values file {}", file.display());
        }
    }
}

/// A duration as progress lines and the summary show it: `0.4s`, `12.0s`, `2m05s`.
pub fn duration(elapsed: Duration) -> String {
    let seconds = elapsed.as_secs_f64();
    if seconds < 60.0 {
        format!("{seconds:.1}s")
    } else {
        let whole = elapsed.as_secs();
        format!("{}m{:02}s", whole / 60, whole % 60)
    }
}

/// A duration as Helmfile's summary blocks show it (Go's, rounded to the second): `0s`, `1m5s`.
fn go_duration(elapsed: Duration) -> String {
    let total = (elapsed.as_millis() + 500) / 1000;
    let (hours, minutes, seconds) = (total / 3600, total / 60 % 60, total % 60);
    match (hours, minutes) {
        (0, 0) => format!("{seconds}s"),
        (0, _) => format!("{minutes}m{seconds}s"),
        _ => format!("{hours}h{minutes}m{seconds}s"),
    }
}

/// One JSON line of `--output json`: `schemaVersion`, `type` (`event` or `report`), then the
/// fields of `body`.
pub fn json_line(kind: &str, body: &impl Serialize) -> String {
    let mut line = serde_json::Map::new();
    line.insert("schemaVersion".into(), SCHEMA_VERSION.into());
    line.insert("type".into(), kind.into());
    if let Ok(serde_json::Value::Object(fields)) = serde_json::to_value(body) {
        line.extend(fields);
    }
    serde_json::Value::Object(line).to_string()
}

/// The last line of `--output json`: how the run ended and each release's outcome.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct JsonReport<'a> {
    /// The command (`sync`, `destroy`, `apply`).
    pub command: &'a str,
    /// The process's exit code.
    pub exit_code: u8,
    /// The error that ended the run, if any.
    pub error: Option<String>,
    /// Each release, in the order they ended.
    pub releases: &'a [ReleaseSummary],
    /// `apply`'s diff, as `diff --output json` prints it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diff: Option<serde_json::Value>,
}

/// What a release's outcome is called in the summary table.
fn result_word(row: &ReleaseSummary) -> &'static str {
    match (row.result, row.action) {
        (ReleaseResult::Done, Action::Upgrade) => "upgraded",
        (ReleaseResult::Done, Action::Uninstall) => "deleted",
        (ReleaseResult::Done, _) => "done",
        (ReleaseResult::Unchanged, Action::Uninstall) => "not installed",
        (ReleaseResult::Unchanged, _) => "unchanged",
        (ReleaseResult::Failed, _) => "failed",
        (ReleaseResult::Skipped, _) => "skipped",
        (ReleaseResult::Cancelled, _) => "cancelled",
        _ => "",
    }
}

/// What a release's work is called in the summary table.
fn action_word(action: Action) -> &'static str {
    match action {
        Action::Upgrade => "upgrade",
        Action::Uninstall => "uninstall",
        Action::Template => "template",
        Action::Lint => "lint",
        Action::Diff => "diff",
        _ => "",
    }
}

/// Rows as an aligned table, columns three spaces apart, as Helmfile's prettytable prints them:
/// every column at least `min_width` wide (and as wide as its header and cells), the last one
/// aligned right.
fn table(header: &[&str], min_width: &[usize], rows: &[Vec<String>]) -> String {
    let widths: Vec<usize> = header
        .iter()
        .enumerate()
        .map(|(c, h)| {
            rows.iter()
                .map(|r| r[c].chars().count())
                .chain([h.len(), min_width.get(c).copied().unwrap_or(0)])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let last = header.len() - 1;
    let header: Vec<String> = header.iter().map(|h| h.to_string()).collect();
    std::iter::once(&header)
        .chain(rows)
        .map(|row| {
            let cells: Vec<String> = row
                .iter()
                .enumerate()
                .map(|(c, cell)| {
                    let width = widths[c];
                    if c == last {
                        format!("{cell:>width$}")
                    } else {
                        format!("{cell:<width$}")
                    }
                })
                .collect();
            format!("{}\n", cells.join("   ").trim_end())
        })
        .collect()
}

/// The end of a run that changes the cluster: a table of every release in the order they ended
/// (RELEASE, NAMESPACE, ACTION, RESULT, DURATION), then Helmfile's `UPDATED RELEASES`, `DELETED RELEASES` and
/// `FAILED RELEASES` blocks.
pub fn run_summary(out: &mut impl Write, plan: &Plan, rows: &[ReleaseSummary]) {
    if rows.is_empty() {
        return;
    }
    let took = |row: &ReleaseSummary| Duration::from_millis(row.duration_ms);
    let summary: Vec<Vec<String>> = rows
        .iter()
        .map(|row| {
            vec![
                row.name.clone(),
                row.namespace.clone(),
                action_word(row.action).to_string(),
                result_word(row).to_string(),
                duration(took(row)),
            ]
        })
        .collect();
    let header = ["RELEASE", "NAMESPACE", "ACTION", "RESULT", "DURATION"];
    let _ = write!(out, "\n{}", table(&header, &[], &summary));
    let chart_of = |row: &ReleaseSummary| {
        plan.release(&row.release)
            .map(|r| {
                (
                    r.chart.to_string(),
                    r.chart_version.clone().unwrap_or_default(),
                )
            })
            .unwrap_or_default()
    };
    let with_chart = |wanted: &dyn Fn(&ReleaseSummary) -> bool| -> Vec<Vec<String>> {
        rows.iter()
            .filter(|row| wanted(row))
            .map(|row| {
                let (chart, version) = chart_of(row);
                vec![
                    row.name.clone(),
                    row.namespace.clone(),
                    chart,
                    version,
                    go_duration(took(row)),
                ]
            })
            .collect()
    };
    let chart_header = ["NAME", "NAMESPACE", "CHART", "VERSION", "DURATION"];
    let chart_widths = [0, 6, 6, 6];
    let updated = with_chart(&|r| r.result == ReleaseResult::Done && r.action == Action::Upgrade);
    if !updated.is_empty() {
        let _ = write!(
            out,
            "\nUPDATED RELEASES:\n{}",
            table(&chart_header, &chart_widths, &updated)
        );
    }
    let deleted: Vec<Vec<String>> = rows
        .iter()
        .filter(|r| r.result == ReleaseResult::Done && r.action == Action::Uninstall)
        .map(|r| vec![r.name.clone(), r.namespace.clone(), go_duration(took(r))])
        .collect();
    if !deleted.is_empty() {
        let header = ["NAME", "NAMESPACE", "DURATION"];
        let _ = write!(
            out,
            "\nDELETED RELEASES:\n{}",
            table(&header, &[0, 6], &deleted)
        );
    }
    let failed = with_chart(&|r| r.result == ReleaseResult::Failed);
    if !failed.is_empty() {
        let _ = write!(
            out,
            "\nFAILED RELEASES:\n{}",
            table(&chart_header, &chart_widths, &failed)
        );
    }
}

/// Asks whether to go on, Helmfile's way: the releases a run affects, the question, then `[y/n]`
/// read from `input`; anything but `y` or `yes` is no.
pub fn confirm_affected(
    out: &mut impl Write,
    input: &mut impl BufRead,
    releases: &[String],
    verb: &str,
) -> bool {
    let _ = write!(
        out,
        "Affected releases are:\n{}\n\nDo you really want to {verb}?\n  windlass will {verb} all your releases, as shown above.\n\n[y/n]: ",
        releases
            .iter()
            .map(|r| format!("  {r}"))
            .collect::<Vec<_>>()
            .join("\n")
    );
    let _ = out.flush();
    let mut answer = String::new();
    if input.read_line(&mut answer).is_err() {
        return false;
    }
    matches!(answer.trim().to_lowercase().as_str(), "y" | "yes")
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

/// `status`: a table of the releases (or the report as JSON) on `stdout`, then on `stderr` each
/// workload that is not healthy and each release that could not be read, with a hint.
pub fn status(
    stdout: &mut impl Write,
    stderr: &mut impl Write,
    report: &StatusReport,
    format: ListFormat,
) -> Result<(), CommandError> {
    let output = |e: std::io::Error| CommandError::Output(e.to_string());
    match format {
        ListFormat::Json => {
            let text =
                serde_json::to_string(report).map_err(|e| CommandError::Output(e.to_string()))?;
            writeln!(stdout, "{text}").map_err(output)?;
        }
        ListFormat::Table => {
            let text = |value: &Option<String>| value.clone().unwrap_or_default();
            let rows: Vec<Vec<String>> = report
                .releases
                .iter()
                .map(|r| {
                    vec![
                        r.name.clone(),
                        r.namespace.clone(),
                        r.installed.to_string(),
                        r.revision.map(|n| n.to_string()).unwrap_or_default(),
                        text(&r.status),
                        r.health.to_string(),
                        text(&r.chart),
                        text(&r.app_version),
                        r.last_deployed
                            .as_deref()
                            .map(whole_seconds)
                            .unwrap_or_default(),
                    ]
                })
                .collect();
            let header = [
                "RELEASE",
                "NAMESPACE",
                "INSTALLED",
                "REVISION",
                "STATUS",
                "HEALTH",
                "CHART",
                "APP VERSION",
                "LAST DEPLOYED",
            ];
            if !rows.is_empty() {
                write!(stdout, "{}", table(&header, &[], &rows)).map_err(output)?;
            }
        }
    }
    for release in &report.releases {
        for workload in release
            .workloads
            .iter()
            .filter(|w| w.health != Health::Healthy)
        {
            let why = workload
                .message
                .as_deref()
                .map(|m| format!(": {m}"))
                .unwrap_or_default();
            let _ = writeln!(
                stderr,
                "{} | {} {}{why}",
                release.name, workload.object, workload.health
            );
        }
    }
    for failure in &report.errors {
        let _ = writeln!(stderr, "{ERROR}error{ERROR:#}: {}", failure.message);
        if let Some(hint) = &failure.hint {
            let _ = writeln!(stderr, "  {HINT}hint{HINT:#}: {hint}");
        }
    }
    Ok(())
}

/// An RFC 3339 time without its fraction of a second (`2026-12-02T07:01:02Z`).
fn whole_seconds(time: &str) -> String {
    match time.split_once('.') {
        Some((seconds, rest)) => {
            let zone = rest.trim_start_matches(|c: char| c.is_ascii_digit());
            format!("{seconds}{zone}")
        }
        None => time.to_string(),
    }
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
