//! `helm template` arguments read back into a native render: the same argv windlass builds for
//! helm (`template NAME CHART --namespace ... --values ... --set ...`) drives the renderer, so
//! both paths get exactly the same inputs, and any flag the native path does not handle is
//! reported instead of ignored (`--renderer auto` then asks helm).

use std::path::{Path, PathBuf};

use super::error::ChartError;
use super::render::{PostRenderer, ReleaseOptions, Rendered};
use super::{Chart, merge_values};
use crate::values::ValuesFile;

/// A `helm template` call, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateCommand {
    /// The chart folder or archive.
    pub chart: PathBuf,
    /// `--values` files, in order.
    pub values_files: Vec<PathBuf>,
    /// `--set`, `--set-string`, `--set-file`, `--set-json`, `--set-literal` flags with their
    /// arguments, in order.
    pub set_flags: Vec<String>,
    /// Release name, namespace and the flags that shape the output.
    pub options: ReleaseOptions,
}

/// Flags `helm template` accepts that change nothing in its output without a cluster.
const IGNORED_WITH_VALUE: &[&str] = &[
    "--kube-context",
    "--kubeconfig",
    "--version",
    "--timeout",
    "--description",
    "--kube-apiserver",
    "--kube-as-user",
    "--kube-as-group",
    "--kube-ca-file",
    "--kube-token",
    "--kube-tls-server-name",
    "--registry-config",
    "--repository-cache",
    "--repository-config",
    "--burst-limit",
    "--qps",
];
const IGNORED_SWITCHES: &[&str] = &[
    "--devel",
    "--create-namespace",
    "--wait",
    "--wait-for-jobs",
    "--atomic",
    "--disable-openapi-validation",
    "--skip-crds",
    "--dependency-update",
    "--debug",
    "--replace",
    "--kube-insecure-skip-tls-verify",
];

impl TemplateCommand {
    /// Reads `helm template` arguments (starting at `template`, global flags allowed before it);
    /// relative paths are relative to `base_dir`, as for a helm process started there.
    pub fn parse(args: &[String], base_dir: &Path) -> Result<TemplateCommand, ChartError> {
        let mut positional: Vec<&str> = Vec::new();
        let mut values_files = Vec::new();
        let mut set_flags = Vec::new();
        let mut options = ReleaseOptions::new("", "default");
        let mut post_renderer: Option<String> = None;
        let mut renderer_args = Vec::new();
        let mut it = args.iter().map(String::as_str).peekable();
        while let Some(arg) = it.next() {
            if !arg.starts_with('-') || arg == "-" {
                positional.push(arg);
                continue;
            }
            let (flag, inline) = match arg.split_once('=') {
                Some((f, v)) if f.starts_with("--") => (f, Some(v)),
                _ => (arg, None),
            };
            let mut value = || -> Result<String, ChartError> {
                match inline {
                    Some(v) => Ok(v.to_owned()),
                    None => it
                        .next()
                        .map(str::to_owned)
                        .ok_or_else(|| unsupported(format!("{flag} without a value"))),
                }
            };
            match flag {
                "-n" | "--namespace" => options.namespace = value()?,
                "-f" | "--values" => {
                    for v in value()?.split(',') {
                        values_files.push(base_dir.join(v));
                    }
                }
                "--set" | "--set-string" | "--set-file" | "--set-json" | "--set-literal" => {
                    set_flags.push(flag.to_owned());
                    set_flags.push(value()?);
                }
                "-a" | "--api-versions" => {
                    let v = value()?;
                    options.api_versions.extend(v.split(',').map(str::to_owned));
                }
                "--kube-version" => options.kube_version = Some(value()?),
                "-s" | "--show-only" => options.show_only.push(value()?),
                "--include-crds" => options.include_crds = true,
                "--skip-tests" => options.skip_tests = true,
                "--is-upgrade" => options.is_upgrade = true,
                "--no-hooks" => options.no_hooks = true,
                "--skip-schema-validation" => options.skip_schema_validation = true,
                "--post-renderer" => post_renderer = Some(value()?),
                "--post-renderer-args" => renderer_args.push(value()?),
                f if IGNORED_WITH_VALUE.contains(&f) => {
                    value()?;
                }
                f if IGNORED_SWITCHES.contains(&f) => {}
                other => return Err(unsupported(format!("helm flag {other}"))),
            }
        }
        options.post_renderer = post_renderer.map(|program| PostRenderer {
            program,
            args: renderer_args,
            dir: base_dir.to_owned(),
        });
        if positional.first() == Some(&"template") {
            positional.remove(0);
        }
        let (name, chart) = match positional.as_slice() {
            [name, chart] => (*name, *chart),
            _ => {
                return Err(unsupported(format!(
                    "helm template arguments {positional:?} (expected NAME CHART)"
                )));
            }
        };
        let shown = chart;
        let chart = base_dir.join(chart);
        if !chart.exists() {
            return Err(unsupported(format!(
                "chart {shown} is not a local folder or archive"
            )));
        }
        options.name = name.to_owned();
        Ok(TemplateCommand {
            chart,
            values_files,
            set_flags,
            options,
        })
    }

    /// Renders the chart (already loaded from [`Self::chart`]) as the helm call would print it;
    /// `--set-file` paths are relative to `base_dir`.
    pub fn render(&self, chart: &Chart, base_dir: &Path) -> Result<Rendered, ChartError> {
        let mut files = Vec::with_capacity(self.values_files.len());
        for path in &self.values_files {
            let text = std::fs::read_to_string(path).map_err(|e| ChartError::Values {
                message: format!("open {}: {e}", path.display()),
            })?;
            files.push(ValuesFile {
                source: Some(path.clone()),
                content: text.into(),
                secret: false,
            });
        }
        let values = merge_values(&files, &self.set_flags, base_dir)?;
        super::render(chart, &values, &self.options)
    }
}

fn unsupported(what: String) -> ChartError {
    ChartError::Unsupported(what)
}
