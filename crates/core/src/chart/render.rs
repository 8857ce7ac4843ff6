//! The whole of `helm template NAME CHART` in process: checks, dependencies, values, schema,
//! templates, manifests in install order, hooks, CRDs, `--show-only`, and the text exactly as
//! helm prints it.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use super::capabilities::Capabilities;
use super::error::ChartError;
use super::manifest::{Hook, Manifest, sort_manifests, split_manifests};
use super::pattern::path_match;
use super::values::{Warnings, coalesce_values};
use super::{Chart, dependencies, engine, schema};
use crate::template::{MapRef, Value, satisfies};

/// What `helm template` is told besides the chart and its values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReleaseOptions {
    /// The release name (`.Release.Name`).
    pub name: String,
    /// The namespace (`.Release.Namespace`).
    pub namespace: String,
    /// `--is-upgrade`: `.Release.IsUpgrade` instead of `.Release.IsInstall`.
    pub is_upgrade: bool,
    /// `--kube-version`.
    pub kube_version: Option<String>,
    /// `--api-versions`.
    pub api_versions: Vec<String>,
    /// `--include-crds`: print the charts' `crds/` files first.
    pub include_crds: bool,
    /// `--skip-tests`: leave out test hooks.
    pub skip_tests: bool,
    /// `--no-hooks`: leave out all hooks.
    pub no_hooks: bool,
    /// `--show-only`: only the manifests of templates matching these patterns.
    pub show_only: Vec<String>,
    /// `--skip-schema-validation`.
    pub skip_schema_validation: bool,
    /// `--post-renderer`: a program the manifests (not the hooks) go through.
    pub post_renderer: Option<PostRenderer>,
}

/// A `--post-renderer` program with its `--post-renderer-args`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostRenderer {
    /// The program: a path (relative to `dir`) or a name looked up in `PATH`.
    pub program: String,
    /// Its arguments.
    pub args: Vec<String>,
    /// The folder it runs in.
    pub dir: PathBuf,
}

impl ReleaseOptions {
    /// Options for release `name` in `namespace`, everything else as `helm template` defaults.
    pub fn new(name: impl Into<String>, namespace: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            namespace: namespace.into(),
            is_upgrade: false,
            kube_version: None,
            api_versions: Vec::new(),
            include_crds: false,
            skip_tests: false,
            no_hooks: false,
            show_only: Vec::new(),
            skip_schema_validation: false,
            post_renderer: None,
        }
    }
}

/// The output of a render.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rendered {
    /// What `helm template` prints on stdout.
    pub manifests: String,
    /// What helm would log on stderr (coalescing warnings, skipped hooks).
    pub warnings: Vec<String>,
}

/// Renders `chart` with the user's `values` (already merged from values files and `--set`
/// flags, see [`super::merge_values`]) as `helm template` 3.17 does.
pub fn render(
    chart: &Chart,
    values: &Value,
    options: &ReleaseOptions,
) -> Result<Rendered, ChartError> {
    let mut warnings = Warnings::new();
    match chart.metadata.chart_type.as_str() {
        "" | "application" => {}
        other => {
            return Err(ChartError::Unrenderable {
                message: format!("{other} charts are not installable"),
            });
        }
    }
    if chart.metadata.deprecated {
        warnings.push("WARNING: This chart is deprecated".into());
    }
    dependencies::check_present(chart)?;
    validate_release_name(&options.name)?;
    let mut chart = chart.clone();
    dependencies::process(&mut chart, values, &mut warnings)?;
    let caps = Capabilities::new(options.kube_version.as_deref(), &options.api_versions)
        .map_err(|message| ChartError::Unrenderable { message })?;
    let vals = coalesce_values(&chart, values, false, &mut warnings)?;
    if !options.skip_schema_validation {
        schema::validate(&chart, &vals)?;
    }
    if !chart.metadata.kube_version.is_empty()
        && !satisfies(&chart.metadata.kube_version, &caps.kube_version).unwrap_or(false)
    {
        return Err(ChartError::Unrenderable {
            message: format!(
                "chart requires kubeVersion: {} which is incompatible with Kubernetes {}",
                chart.metadata.kube_version, caps.kube_version
            ),
        });
    }
    let top = MapRef::new(BTreeMap::from([
        ("Capabilities".to_owned(), caps.template_object()),
        (
            "Release".to_owned(),
            Value::map(BTreeMap::from([
                ("Name".to_owned(), Value::str(&options.name)),
                ("Namespace".to_owned(), Value::str(&options.namespace)),
                ("IsUpgrade".to_owned(), Value::Bool(options.is_upgrade)),
                ("IsInstall".to_owned(), Value::Bool(!options.is_upgrade)),
                ("Revision".to_owned(), Value::Int(1)),
                ("Service".to_owned(), Value::str("Helm")),
            ])),
        ),
        ("Values".to_owned(), Value::Map(vals)),
    ]));
    let mut files = engine::render(&chart, &top)?;
    files.retain(|name, _| !name.ends_with("NOTES.txt"));
    let (hooks, manifests) = sort_manifests(&files, &mut warnings)?;
    let text = print(&chart, &hooks, &manifests, options)?;
    let text = if options.show_only.is_empty() {
        text
    } else {
        show_only(&text, &options.show_only)?
    };
    Ok(Rendered {
        manifests: text,
        warnings,
    })
}

/// helm's `ValidateReleaseName`.
fn validate_release_name(name: &str) -> Result<(), ChartError> {
    const REGEX: &str = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";
    let error = |what: &str| ChartError::Unrenderable {
        message: format!("release name {name:?}: {what}"),
    };
    if name.is_empty() {
        return Err(error("no name provided"));
    }
    let valid = name.len() <= 53
        && name.split('.').all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                && !part.starts_with('-')
                && !part.ends_with('-')
        });
    if !valid {
        return Err(error(&format!(
            "invalid release name, must match regex {REGEX} and the length must not be longer than 53"
        )));
    }
    Ok(())
}

/// The text `helm template` prints: CRDs (with `--include-crds`), manifests (through the
/// post-renderer, if any), then hooks.
fn print(
    chart: &Chart,
    hooks: &[Hook],
    manifests: &[Manifest],
    options: &ReleaseOptions,
) -> Result<String, ChartError> {
    let mut body = String::new();
    if options.include_crds {
        for (path, data) in chart.crd_objects() {
            body.push_str(&format!(
                "---\n# Source: {path}\n{}\n",
                String::from_utf8_lossy(&data)
            ));
        }
    }
    for m in manifests {
        body.push_str(&format!("---\n# Source: {}\n{}\n", m.name, m.content));
    }
    if let Some(renderer) = &options.post_renderer {
        body = renderer.run(&body)?;
    }
    let mut out = format!("{}\n", body.trim());
    if !options.no_hooks {
        for h in hooks {
            if options.skip_tests && h.is_test {
                continue;
            }
            out.push_str(&format!("---\n# Source: {}\n{}\n", h.path, h.manifest));
        }
    }
    Ok(out)
}

impl PostRenderer {
    /// Runs the program with `manifests` on stdin; its stdout replaces them.
    fn run(&self, manifests: &str) -> Result<String, ChartError> {
        use std::io::Write as _;
        let local = self.dir.join(&self.program);
        let program = if local.is_file() {
            local
        } else {
            PathBuf::from(&self.program)
        };
        let mut child = Command::new(&program)
            .args(&self.args)
            .current_dir(&self.dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| {
                ChartError::PostRender(format!("unable to find binary at {}: {e}", self.program))
            })?;
        if let Some(mut stdin) = child.stdin.take() {
            let input = manifests.to_owned();
            // Written from another thread, so a program that answers before it has read
            // everything cannot block on a full pipe.
            std::thread::spawn(move || stdin.write_all(input.as_bytes()));
        }
        let out = child
            .wait_with_output()
            .map_err(|e| ChartError::PostRender(e.to_string()))?;
        if !out.status.success() {
            return Err(ChartError::PostRender(format!(
                "error while running command {}. error output:\n{}: {}",
                program.display(),
                String::from_utf8_lossy(&out.stderr),
                out.status
            )));
        }
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    }
}

/// `--show-only`: the documents whose `# Source:` path (after the chart name) matches a
/// pattern, pattern by pattern.
fn show_only(text: &str, patterns: &[String]) -> Result<String, ChartError> {
    let docs = split_manifests(text);
    let mut out = String::new();
    for pattern in patterns {
        let mut missing = true;
        for doc in &docs {
            let Some(path) = source_path(doc) else {
                continue;
            };
            if path_match(pattern, path) {
                out.push_str(&format!("---\n{doc}\n"));
                missing = false;
            }
        }
        if missing {
            return Err(ChartError::ShowOnly(pattern.clone()));
        }
    }
    Ok(out)
}

/// The path after the chart name of the first `# Source: chart/path` line (helm's regex
/// `# Source: [^/]+/(.+)`).
fn source_path(doc: &str) -> Option<&str> {
    let mut rest = doc;
    while let Some(i) = rest.find("# Source: ") {
        let after = &rest[i + "# Source: ".len()..];
        let line_end = after.find('\n').unwrap_or(after.len());
        let line = &after[..line_end];
        if let Some(slash) = line.find('/')
            && slash > 0
            && slash + 1 < line.len()
        {
            return Some(&line[slash + 1..]);
        }
        rest = after;
    }
    None
}
