//! `template` and `lint`: run `helm template` (or `helm lint`) for every selected release with its
//! values, as Helmfile does, with each local chart's dependencies built once and releases run
//! concurrently; the output comes in release order.

use std::path::{Path, PathBuf};

use futures_util::{StreamExt, stream};

use crate::events::{Event, Events};
use crate::helm::argv::{self, ReleaseCall, TemplateFlags};
use crate::helm::{Helm, HelmError};
use crate::ops::deps::local_chart;
use crate::ops::path_template::render_path;
use crate::ops::renderer::{ChartRenderer, RenderError, Renderer};
use crate::project::{Project, Release};
use crate::secrets::{PrivateDir, SecretsError};
use crate::template::Value as TemplateValue;
use crate::values::{ValuesError, release_values};

/// How `template` runs.
#[derive(Debug, Clone, Default)]
pub struct TemplateOptions {
    /// Flags passed to every `helm template`.
    pub flags: TemplateFlags,
    /// Do not build local charts' dependencies first (`--skip-deps`).
    pub skip_deps: bool,
    /// How many releases render at once; 0 means one per available core.
    pub concurrency: usize,
    /// `--output-dir`: helm writes the manifests under it instead of printing them.
    pub output_dir: Option<String>,
    /// `--output-dir-template`: each release's folder under the output dir.
    pub output_dir_template: Option<String>,
    /// Who renders the charts (`template` only; `lint` always runs helm).
    pub renderer: Renderer,
    /// The folder helm runs in, which relative chart paths start from (the process' current
    /// folder when empty).
    pub working_dir: PathBuf,
}

/// Helmfile's default `--output-dir-template`.
pub const DEFAULT_OUTPUT_DIR_TEMPLATE: &str =
    "{{ .OutputDir }}/{{ .State.BaseName }}-{{ .State.AbsPathSHA1 }}-{{ .Release.Name }}";

/// Why an operation on releases failed, naming the release.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OperationError {
    /// Its values could not be made.
    #[error(transparent)]
    Values(#[from] ValuesError),
    /// Helm failed for it.
    #[error("release \"{release}\": {source}")]
    Helm {
        /// The release (or chart, for dependency builds).
        release: String,
        /// What helm said.
        source: HelmError,
    },
    /// Its chart could not be rendered.
    #[error("release \"{release}\": {source}")]
    Render {
        /// The release.
        release: String,
        /// Why.
        source: RenderError,
    },
    /// The `--output-dir-template` failed.
    #[error("--output-dir-template: {0}")]
    OutputDir(#[from] crate::template::TemplateError),
    /// The private folder for values files could not be written.
    #[error(transparent)]
    PrivateDir(#[from] SecretsError),
}

impl OperationError {
    /// A suggestion of what to do about the error, when there is one.
    pub fn hint(&self) -> Option<String> {
        match self {
            Self::Helm { source, .. } => source.hint(),
            Self::Render { source, .. } => source.hint(),
            _ => None,
        }
    }
}

/// Which helm subcommand runs per release.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ChartCommand {
    /// `helm template`: the manifests.
    Template,
    /// `helm lint`: the chart's findings with these values.
    Lint,
}

/// Runs `command` for the `selected` releases that are installed and enabled, each with its own
/// values; returns helm's output in release order, each followed by an empty line as Helmfile
/// prints it.
pub async fn run_per_release<H: Helm>(
    helm: &H,
    project: &Project,
    selected: &[usize],
    command: ChartCommand,
    options: &TemplateOptions,
    events: &dyn Events,
) -> Result<String, OperationError> {
    let releases: Vec<&Release> = selected
        .iter()
        .map(|&i| &project.releases[i])
        .filter(|r| r.installed() && r.enabled)
        .collect();
    if !options.skip_deps {
        build_dependencies(helm, project, &releases, events).await?;
    }
    let dir = PrivateDir::new()?;
    let mut calls = Vec::with_capacity(releases.len());
    for (index, release) in releases.iter().enumerate() {
        let prepared = prepare(project, release, index, &dir)?;
        let output_dir = match &options.output_dir {
            Some(dir) => {
                let template = options
                    .output_dir_template
                    .as_deref()
                    .unwrap_or(DEFAULT_OUTPUT_DIR_TEMPLATE);
                let extra = vec![("OutputDir".to_string(), TemplateValue::str(dir))];
                let path = render_path(project, release, "output-dir-template", template, extra)?;
                Some(path.to_string_lossy().into_owned())
            }
            None => None,
        };
        calls.push((
            release,
            prepared.chart,
            prepared.values_files,
            prepared.set_flags,
            output_dir,
        ));
    }
    let renderer = match command {
        ChartCommand::Template => options.renderer,
        ChartCommand::Lint => Renderer::Helm,
    };
    let renderer = ChartRenderer::new(renderer, helm, &options.working_dir, events).await;
    let renderer = &renderer;
    let concurrency = match options.concurrency {
        0 => std::thread::available_parallelism().map_or(2, |n| n.get()),
        n => n,
    };
    let outputs: Vec<Result<String, OperationError>> = stream::iter(calls)
        .map(
            |(release, chart, values_files, set_flags, output_dir)| async move {
                let call = ReleaseCall {
                    release,
                    chart,
                    values_files,
                    set_flags: &set_flags,
                };
                let defaults = &project.state_of(release).helm_defaults;
                let args = match command {
                    ChartCommand::Template => {
                        argv::template(&call, defaults, &options.flags, output_dir.as_deref())
                    }
                    ChartCommand::Lint => argv::lint(&call, defaults, &options.flags),
                };
                renderer
                    .template(helm, release.name(), &args, events)
                    .await
                    .map_err(|source| OperationError::Render {
                        release: release.name().to_string(),
                        source,
                    })
            },
        )
        .buffered(concurrency)
        .collect()
        .await;
    let mut text = String::new();
    for output in outputs {
        // Helmfile prints each release's output followed by a newline.
        text.push_str(&output?);
        text.push('\n');
    }
    Ok(text)
}

/// A release's values written for helm: the chart argument, the `--values` files in the
/// run's private folder, and the `--set` flags.
pub(crate) struct Prepared {
    pub chart: String,
    pub values_files: Vec<String>,
    pub set_flags: Vec<String>,
}

/// Makes a release's values and writes them into `dir` (`index` keeps file names apart).
pub(crate) fn prepare(
    project: &Project,
    release: &Release,
    index: usize,
    dir: &PrivateDir,
) -> Result<Prepared, OperationError> {
    let values = release_values(project, release)?;
    let mut values_files = Vec::with_capacity(values.files.len());
    for (n, file) in values.files.iter().enumerate() {
        let name = format!(
            "{index:03}-{}-{}-{n}.yaml",
            release.namespace(),
            release.name()
        );
        values_files.push(
            dir.write(&name, file.content.as_bytes())?
                .to_string_lossy()
                .into_owned(),
        );
    }
    Ok(Prepared {
        chart: chart_argument(project, release),
        values_files,
        set_flags: values.set_flags,
    })
}

/// How helm is told where the chart is: local charts by their path from the project root.
pub(crate) fn chart_argument(project: &Project, release: &Release) -> String {
    match local_chart(project, release) {
        Some(path) => normalize(&path).to_string_lossy().into_owned(),
        None => release.chart().to_string(),
    }
}

/// `./a/../b/` → `b`, as Go's `filepath.Clean` writes paths Helmfile passes to helm.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir if out.file_name().is_some_and(|n| n != "..") => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    if out.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        out
    }
}

/// `helm dependency build` once per local chart that declares dependencies (Helmfile runs it once
/// per release, and for charts without any).
pub(crate) async fn build_dependencies<H: Helm>(
    helm: &H,
    project: &Project,
    releases: &[&Release],
    events: &dyn Events,
) -> Result<(), OperationError> {
    let mut done: Vec<String> = Vec::new();
    for release in releases {
        let skip = release
            .spec
            .skip_deps
            .or(project.state_of(release).helm_defaults.skip_deps)
            .unwrap_or(false);
        let Some(path) = local_chart(project, release).filter(|_| !skip) else {
            continue;
        };
        let chart = normalize(&path).to_string_lossy().into_owned();
        if done.contains(&chart) || !declares_dependencies(&project.root.join(&path)) {
            continue;
        }
        let mut args = argv::global_flags(&project.state_of(release).helm_defaults);
        args.extend(argv::dependency_build(&chart));
        helm.run(&args)
            .await
            .map_err(|source| OperationError::Helm {
                release: chart.clone(),
                source,
            })?;
        events.emit(Event::DependenciesBuilt {
            chart: PathBuf::from(&chart),
        });
        done.push(chart);
    }
    Ok(())
}

/// Whether a chart folder declares dependencies (`Chart.yaml` or helm 2's `requirements.yaml`).
fn declares_dependencies(chart: &Path) -> bool {
    ["Chart.yaml", "requirements.yaml"].iter().any(|file| {
        std::fs::read_to_string(chart.join(file))
            .ok()
            .and_then(|text| serde_yaml::from_str::<serde_yaml::Value>(&text).ok())
            .and_then(|doc| {
                doc.get("dependencies")
                    .and_then(|d| d.as_sequence())
                    .map(|d| !d.is_empty())
            })
            .unwrap_or(false)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_like_go_filepath_clean() {
        assert_eq!(
            normalize(Path::new("./charts/app")),
            PathBuf::from("charts/app")
        );
        assert_eq!(
            normalize(Path::new("a/../../b/./c")),
            PathBuf::from("../b/c")
        );
        assert_eq!(normalize(Path::new("./")), PathBuf::from("."));
    }
}
