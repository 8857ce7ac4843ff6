//! The result of a diff run: every release's diff and every failure, with the three ways to show
//! it — `diff` (headers and changed lines), `simple` (one line per object and a plan) and `json`
//! (one document, [`JSON_SCHEMA`]).

use serde::Serialize;
use serde_json::{Value as Json, json};

use super::objects::{Change, ObjectDiff};
use super::release::{Action, Comparison, ReleaseDiff};
use super::text::LineKind;

/// The JSON Schema of the `--output json` document.
pub const JSON_SCHEMA: &str = include_str!("../../schema/diff-report.schema.json");

/// The version of the JSON document's shape; bumped on incompatible changes.
pub const SCHEMA_VERSION: u32 = 1;

/// Releases that could not be diffed for one cause (one release, or every release of an
/// unreachable cluster), or a failure that is no release's.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Failure {
    /// The releases it stopped (`namespace/name`); empty when it is no release's.
    pub releases: Vec<String>,
    /// What went wrong (never a secret value).
    pub message: String,
    /// What to do about it, when known.
    pub hint: Option<String>,
}

/// The diff of a whole run.
#[derive(Debug, Clone, PartialEq)]
pub struct DiffReport {
    /// The environment.
    pub environment: String,
    /// Which comparison was made.
    pub comparison: Comparison,
    /// Every release diffed, in the order of the plan.
    pub releases: Vec<ReleaseDiff>,
    /// Releases that could not be diffed, and other failures.
    pub errors: Vec<Failure>,
}

/// Counts over a run, or over one release.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Releases diffed.
    pub releases: usize,
    /// Releases that would change.
    pub changed: usize,
    /// Releases in sync.
    pub unchanged: usize,
    /// Releases that could not be diffed.
    pub failed: usize,
    /// Objects to create.
    pub add: usize,
    /// Objects to modify.
    pub change: usize,
    /// Objects to delete.
    pub destroy: usize,
}

impl Summary {
    fn count(&mut self, release: &ReleaseDiff) {
        self.releases += 1;
        if release.changed() {
            self.changed += 1;
        } else {
            self.unchanged += 1;
        }
        for resource in &release.resources {
            match resource.change {
                Change::Add => self.add += 1,
                Change::Modify => self.change += 1,
                Change::Remove => self.destroy += 1,
            }
        }
    }

    /// `Plan: N to add, M to change, K to destroy`.
    pub fn plan(&self) -> String {
        format!(
            "Plan: {} to add, {} to change, {} to destroy",
            self.add, self.change, self.destroy
        )
    }
}

impl DiffReport {
    /// The counts of the run (failed releases count among `releases`).
    pub fn summary(&self) -> Summary {
        let mut summary = Summary::default();
        for release in &self.releases {
            summary.count(release);
        }
        summary.failed = self.errors.iter().map(|e| e.releases.len()).sum();
        summary.releases += summary.failed;
        summary
    }

    /// Whether any release would change.
    pub fn has_changes(&self) -> bool {
        self.releases.iter().any(ReleaseDiff::changed)
    }

    /// The closing line: `No changes: ...` or the plan and how many releases change.
    pub fn summary_line(&self) -> String {
        let summary = self.summary();
        let failed = match summary.failed {
            0 => String::new(),
            n => format!(", {n} failed"),
        };
        if summary.changed == 0 {
            format!(
                "No changes: {} of {} release(s) in sync ({} comparison){failed}",
                summary.unchanged,
                summary.releases,
                self.comparison.as_str()
            )
        } else {
            format!(
                "{}; {} of {} release(s) change ({} comparison){failed}",
                summary.plan(),
                summary.changed,
                summary.releases,
                self.comparison.as_str()
            )
        }
    }

    /// The one JSON document of `--output json`; arrays are never null.
    pub fn to_json(&self) -> Json {
        json!({
            "schemaVersion": SCHEMA_VERSION,
            "environment": self.environment,
            "comparison": self.comparison,
            "summary": self.summary(),
            "releases": self.releases.iter().map(release_json).collect::<Vec<_>>(),
            "errors": self.errors.iter().map(|e| json!({
                "releases": e.releases,
                "message": e.message,
                "hint": e.hint,
            })).collect::<Vec<_>>(),
        })
    }

    /// The `diff` output: each changed release with its reasons, each changed object with a
    /// header and its lines, then the summary line.
    pub fn diff_lines(&self) -> Vec<OutputLine> {
        let mut out = Vec::new();
        for release in self.releases.iter().filter(|r| r.changed()) {
            out.push(OutputLine::new(Style::Release, release_header(release)));
            for resource in &release.resources {
                out.push(OutputLine::new(Style::Object, object_header(resource)));
                if resource.hidden {
                    out.push(OutputLine::new(
                        Style::Note,
                        "  (Secret content hidden: --suppress-secrets)".into(),
                    ));
                }
                for line in &resource.lines {
                    let (style, mark) = match line.kind {
                        LineKind::Added => (Style::Added, "+ "),
                        LineKind::Removed => (Style::Removed, "- "),
                        LineKind::Elided => (Style::Note, ""),
                        _ => (Style::Context, "  "),
                    };
                    out.push(OutputLine::new(style, format!("{mark}{}", line.text)));
                }
                out.push(OutputLine::new(Style::Context, String::new()));
            }
            if release.resources.is_empty() {
                out.push(OutputLine::new(Style::Context, String::new()));
            }
        }
        out.push(OutputLine::new(Style::Summary, self.summary_line()));
        out
    }

    /// The `simple` output: per changed release its header, one line per changed object and its
    /// plan; then the summary line.
    pub fn simple_lines(&self) -> Vec<OutputLine> {
        let mut out = Vec::new();
        for release in self.releases.iter().filter(|r| r.changed()) {
            out.push(OutputLine::new(Style::Release, release_header(release)));
            let mut summary = Summary::default();
            summary.count(release);
            for resource in &release.resources {
                let (style, mark) = match resource.change {
                    Change::Add => (Style::Added, "+"),
                    Change::Remove => (Style::Removed, "-"),
                    Change::Modify => (Style::Changed, "~"),
                };
                out.push(OutputLine::new(
                    style,
                    format!("  {mark} {} ({})", resource.key, resource.source.as_str()),
                ));
            }
            out.push(OutputLine::new(
                Style::Note,
                format!("  {}", summary.plan()),
            ));
        }
        out.push(OutputLine::new(Style::Summary, self.summary_line()));
        out
    }
}

/// `backend/api: upgrade (reason; reason)`.
fn release_header(release: &ReleaseDiff) -> String {
    let action = match release.action {
        Action::Install => "install",
        Action::Upgrade => "upgrade",
        Action::Uninstall => "uninstall",
        Action::None => "no change",
    };
    let reasons: Vec<String> = release.reasons.iter().map(|r| r.message()).collect();
    let context = release
        .kube_context
        .as_deref()
        .map(|c| format!(" [{c}]"))
        .unwrap_or_default();
    format!(
        "{}{context}: {action} ({})",
        release_id(release),
        reasons.join("; ")
    )
}

fn release_id(release: &ReleaseDiff) -> String {
    if release.namespace.is_empty() {
        release.name.clone()
    } else {
        format!("{}/{}", release.namespace, release.name)
    }
}

/// `Deployment.apps backend/api: modify (release)`.
fn object_header(resource: &ObjectDiff) -> String {
    let change = match resource.change {
        Change::Add => "add",
        Change::Remove => "remove",
        Change::Modify => "modify",
    };
    format!("{}: {change} ({})", resource.key, resource.source.as_str())
}

fn release_json(release: &ReleaseDiff) -> Json {
    json!({
        "name": release.name,
        "namespace": release.namespace,
        "kubeContext": release.kube_context,
        "chart": release.chart,
        "version": {"before": release.version_before, "after": release.version_after},
        "action": release.action,
        "reasons": release.reasons.iter().map(|r| json!({"code": r.code(), "message": r.message()})).collect::<Vec<_>>(),
        "resources": release.resources.iter().map(|r| json!({
            "apiVersion": r.api_version,
            "kind": r.key.kind,
            "namespace": r.key.namespace,
            "name": r.key.name,
            "change": r.change,
            "source": r.source,
            "hidden": r.hidden,
            "changes": r.changes,
        })).collect::<Vec<_>>(),
    })
}

/// How a line of human output is meant to look; the CLI picks the colours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Style {
    /// A release header.
    Release,
    /// An object header.
    Object,
    /// An added line or object.
    Added,
    /// A removed line or object.
    Removed,
    /// A modified object (`simple`).
    Changed,
    /// Unchanged context.
    Context,
    /// Elided lines, notes, per-release plans.
    Note,
    /// The closing summary.
    Summary,
}

/// One line of human output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputLine {
    /// How it looks.
    pub style: Style,
    /// The text, without a newline.
    pub text: String,
}

impl OutputLine {
    fn new(style: Style, text: String) -> OutputLine {
        OutputLine { style, text }
    }
}
