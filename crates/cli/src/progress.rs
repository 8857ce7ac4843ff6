//! Progress of a run, from the library's events: a live view on a terminal (one spinner line per
//! running release with its step and elapsed time, finished releases scrolling above with their
//! result and duration), plain lines prefixed with the release elsewhere (not a terminal,
//! `--log-level debug`, `NO_COLOR`, CI), or one JSON object per event on stdout.

use std::collections::HashMap;
use std::io::Write;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anstyle::{AnsiColor, Style};
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use windlass::events::{Action, Event, Events, HookRun, ReleasePhase, Step};
use windlass::graph::ReleaseId;
use windlass::plan::Plan;

use crate::args::LogLevel;
use crate::render::{self, WARNING, duration};
use crate::settings::Settings;

const DONE: Style = AnsiColor::Green.on_default();
const FAILED: Style = AnsiColor::Red.on_default().bold();
const MUTED: Style = AnsiColor::BrightBlack.on_default();

/// How progress is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// A live view redrawn on the terminal (stderr).
    Live,
    /// One line per step on stderr, prefixed with the release.
    Plain,
    /// One JSON object per event on stdout.
    Json,
}

impl Mode {
    /// The mode for `settings`, or JSON when the command asks for it.
    pub fn choose(settings: &Settings, json: bool) -> Self {
        match (json, settings.live_progress) {
            (true, _) => Self::Json,
            (false, true) => Self::Live,
            (false, false) => Self::Plain,
        }
    }
}

/// An event sink that shows a run's progress (see the module documentation).
pub struct Progress {
    mode: Mode,
    quiet: bool,
    /// `--enable-live-output`: helm's own lines are printed as they come.
    helm_output: bool,
    debug: bool,
    color: bool,
    /// The width of the release column of plain lines.
    width: AtomicUsize,
    /// When each running release started, and its chart.
    running: Mutex<HashMap<ReleaseId, (Instant, String)>>,
    live: Option<Live>,
}

/// The live view: one spinner per running release.
struct Live {
    multi: MultiProgress,
    bars: Mutex<HashMap<ReleaseId, ProgressBar>>,
}

impl Progress {
    /// A sink in `mode` that follows the settings' verbosity and colour choice; with
    /// `helm_output`, helm's own lines are printed as they come (`--enable-live-output`).
    pub fn new(settings: &Settings, mode: Mode, helm_output: bool) -> Self {
        let live = (mode == Mode::Live).then(|| Live {
            multi: MultiProgress::with_draw_target(ProgressDrawTarget::stderr()),
            bars: Mutex::new(HashMap::new()),
        });
        Self {
            mode,
            quiet: settings.log_level < LogLevel::Info,
            helm_output,
            debug: settings.log_level >= LogLevel::Debug,
            color: settings.stderr_color(),
            width: AtomicUsize::new(0),
            running: Mutex::new(HashMap::new()),
            live,
        }
    }

    /// Aligns the release column of plain lines on the longest name of `plan`.
    pub fn align_on(&self, plan: &Plan) {
        let width = plan.releases.iter().map(|r| r.name.len()).max();
        self.width.store(width.unwrap_or(0), Ordering::Relaxed);
    }

    /// Whether events go to stdout as JSON.
    pub fn is_json(&self) -> bool {
        self.mode == Mode::Json
    }

    fn paint(&self, style: Style, text: &str) -> String {
        if self.color {
            format!("{style}{text}{style:#}")
        } else {
            text.to_string()
        }
    }

    /// Prints `text`, prefixed with `release`'s name when it is about one.
    fn line(&self, release: Option<&ReleaseId>, text: &str) {
        let line = match release {
            Some(id) => {
                let width = self.width.load(Ordering::Relaxed);
                format!("{:<width$} | {text}", id.name())
            }
            None => text.to_string(),
        };
        match &self.live {
            Some(live) => {
                let _ = live.multi.println(line);
            }
            None => {
                let mut err = std::io::stderr().lock();
                let _ = writeln!(err, "{line}");
            }
        }
    }

    /// Prints a line helm wrote to its stdout, on stdout, as Helmfile's `--enable-live-output`
    /// does (above the live view, which is redrawn after it).
    fn helm_output(&self, line: &str) {
        let print = || {
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "{line}");
        };
        match &self.live {
            Some(live) => live.multi.suspend(print),
            None => print(),
        }
    }

    fn json(&self, event: &Event) {
        let line = render::json_line("event", event);
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{line}");
    }

    fn release(&self, id: &ReleaseId, phase: ReleasePhase) {
        match phase {
            ReleasePhase::Started { action, chart } => self.started(id, action, chart),
            ReleasePhase::Running { step } => self.step(id, step),
            ReleasePhase::Done { action } => {
                if let Some(word) = done_word(action) {
                    let text = self.paint(DONE, word);
                    self.finished(id, &text);
                } else {
                    self.finished_silently(id);
                }
            }
            ReleasePhase::Unchanged { action } => {
                let word = match action {
                    Action::Uninstall => "not installed",
                    _ => "unchanged",
                };
                let text = self.paint(MUTED, word);
                self.finished(id, &text);
            }
            // A diff's failures are listed, with their hints, when the diff ends.
            ReleasePhase::Failed {
                action: Action::Diff,
                ..
            } => self.finished_silently(id),
            ReleasePhase::Failed { message, .. } => {
                let took = self.took(id);
                let failed = self.paint(FAILED, "failed");
                self.line(Some(id), &format!("{failed} {took}: {message}"));
            }
            ReleasePhase::Skipped { failed } => {
                let text = format!(
                    "{}: it waits for \"{}\", which failed",
                    self.paint(MUTED, "skipped"),
                    failed.name()
                );
                self.line(Some(id), &text);
            }
            ReleasePhase::Cancelled => {
                let text = self.paint(MUTED, "cancelled");
                self.finished(id, &text);
            }
            _ => {}
        }
    }

    fn started(&self, id: &ReleaseId, action: Action, chart: String) {
        if self.live.is_none() {
            // A diff or a fetch has no steps: its one line says what it works on.
            match action {
                Action::Diff => self.line(Some(id), &format!("comparing {chart}")),
                Action::Fetch => self.line(Some(id), &format!("fetching {chart}")),
                _ => {}
            }
        }
        if let Ok(mut running) = self.running.lock() {
            running.insert(id.clone(), (Instant::now(), chart));
        }
        if let Some(live) = &self.live {
            let bar = live.multi.add(ProgressBar::new_spinner());
            let style = ProgressStyle::with_template("{spinner} {prefix} | {msg} {elapsed:.dim}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner());
            bar.set_style(style);
            let width = self.width.load(Ordering::Relaxed);
            bar.set_prefix(format!("{:<width$}", id.name()));
            bar.set_message(action_word(action));
            bar.enable_steady_tick(Duration::from_millis(120));
            if let Ok(mut bars) = live.bars.lock() {
                bars.insert(id.clone(), bar);
            }
        }
    }

    fn step(&self, id: &ReleaseId, step: Step) {
        if let Some(live) = &self.live {
            if let Some(bar) = live.bars.lock().ok().and_then(|b| b.get(id).cloned()) {
                bar.set_message(step_text(step));
            }
            return;
        }
        let chart = self
            .running
            .lock()
            .ok()
            .and_then(|r| r.get(id).map(|(_, chart)| chart.clone()))
            .unwrap_or_default();
        match step {
            Step::Upgrading { .. } => self.line(Some(id), &format!("upgrading {chart}")),
            Step::Uninstalling { .. } => self.line(Some(id), "uninstalling"),
            _ => {}
        }
    }

    /// Ends `id`'s line with `text` and how long it took.
    fn finished(&self, id: &ReleaseId, text: &str) {
        let took = self.took(id);
        self.line(Some(id), &format!("{text} {took}"));
    }

    /// Ends `id`'s work: how long it took, `(1.2s)`.
    fn took(&self, id: &ReleaseId) -> String {
        let elapsed = self.stop(id);
        self.paint(MUTED, &format!("({})", duration(elapsed)))
    }

    /// Ends `id`'s work without a line (rendering, whose output is the manifests).
    fn finished_silently(&self, id: &ReleaseId) {
        self.stop(id);
    }

    /// Forgets `id` as running and clears its spinner; returns how long it ran.
    fn stop(&self, id: &ReleaseId) -> Duration {
        if let Some(live) = &self.live
            && let Some(bar) = live.bars.lock().ok().and_then(|mut b| b.remove(id))
        {
            bar.finish_and_clear();
        }
        self.running
            .lock()
            .ok()
            .and_then(|mut r| r.remove(id))
            .map(|(started, _)| started.elapsed())
            .unwrap_or_default()
    }

    fn hook(&self, release: Option<&ReleaseId>, run: &HookRun) {
        let code = match run.exit_code {
            Some(0) => self.paint(DONE, "ok"),
            Some(code) => self.paint(FAILED, &format!("exit {code}")),
            None => self.paint(FAILED, "killed"),
        };
        self.line(
            release,
            &format!("{} hook \"{}\": {code}", run.hook, run.name),
        );
        if let Some(output) = &run.output {
            for line in output.lines() {
                self.line(release, &format!("hook[{}] logs | {line}", run.hook));
            }
        }
    }
}

impl Events for Progress {
    fn emit(&self, event: Event) {
        if self.mode == Mode::Json {
            self.json(&event);
            return;
        }
        if self.quiet {
            return;
        }
        match event {
            Event::Release { release, phase } => self.release(&release, phase),
            Event::Hook { release, run } => self.hook(release.as_ref(), &run),
            // Live output shows helm's lines as helm wrote them: stderr to stderr, stdout to
            // stdout, as Helmfile's --enable-live-output does.
            Event::HelmMessage {
                release: Some(_),
                line,
            } if self.helm_output => self.line(None, &line),
            Event::HelmOutput { line, .. } if self.helm_output => self.helm_output(&line),
            Event::HelmMessage { release, line } if self.debug => {
                self.line(release.as_ref(), &format!("helm: {line}"));
            }
            Event::RenderWarning { release, line } if self.debug => {
                self.line(Some(&release), &format!("native renderer: {line}"));
            }
            Event::RenderedByHelm { release, reason } if self.debug => {
                self.line(release.as_ref(), &format!("rendering with helm: {reason}"));
            }
            Event::ChartRewritten { release, .. } => {
                self.line(Some(&release), "rewrote the chart (dependencies, patches)");
            }
            Event::RepositoryAdded { name, url } => {
                self.line(None, &format!("Adding repo {name} {url}"));
            }
            Event::RegistryLogin { registry } => {
                self.line(None, &format!("Logged in to registry {registry}"));
            }
            Event::RepositoriesUpdated => self.line(None, "Updated repository indexes"),
            Event::ChartFetched { chart, version } => {
                self.line(None, &format!("Fetched {chart} {version}"));
            }
            Event::LockWritten { file } => self.line(None, &format!("Wrote {}", file.display())),
            Event::DependenciesUpdated { chart } => {
                self.line(
                    None,
                    &format!("Updated dependencies of {}", chart.display()),
                );
            }
            Event::DependenciesBuilt { chart } => {
                self.line(None, &format!("Built dependencies of {}", chart.display()));
            }
            Event::Warning { location, message } => {
                let label = self.paint(WARNING, "warning");
                self.line(None, &format!("{label}: {location}: {message}"));
            }
            _ => {}
        }
    }
}

/// What a release's work is called while it runs.
fn action_word(action: Action) -> &'static str {
    match action {
        Action::Upgrade => "upgrading",
        Action::Uninstall => "uninstalling",
        Action::Template => "rendering",
        Action::Lint => "linting",
        Action::Diff => "comparing",
        Action::Fetch => "fetching",
        Action::Status => "reading",
        _ => "working",
    }
}

/// The word for finished work, `None` for work whose output says it all (rendering).
fn done_word(action: Action) -> Option<&'static str> {
    match action {
        Action::Upgrade => Some("upgraded"),
        Action::Uninstall => Some("deleted"),
        _ => None,
    }
}

/// A step as the live view shows it.
fn step_text(step: Step) -> String {
    match step {
        Step::Hook { hook } => format!("{hook} hooks"),
        Step::Checking => "checking".into(),
        Step::Upgrading { wait: false } => "upgrading".into(),
        Step::Upgrading { wait: true } => "upgrading and waiting".into(),
        Step::Uninstalling { wait: false } => "uninstalling".into(),
        Step::Uninstalling { wait: true } => "uninstalling and waiting".into(),
        _ => "working".into(),
    }
}
