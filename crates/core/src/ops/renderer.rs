//! Who renders a release's chart for `template` and the desired side of `diff` (and `apply`):
//! the `helm` binary, windlass's in-process renderer ([`crate::chart`]), or `auto` — in process
//! whenever it can stand in for helm, helm otherwise. Both take the same `helm template` argv, so they see
//! exactly the same chart, values and flags.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::chart::{Chart, ChartError, HELM_VERSION, TemplateCommand};
use crate::events::{Event, Events};
use crate::graph::ReleaseId;
use crate::helm::{Helm, HelmError, HelmVersion};
use crate::ops::sync::helm_version;
use crate::plan::Plan;

/// Who renders the charts for `template` and the desired side of `diff`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Renderer {
    /// Run `helm template` for every release.
    Helm,
    /// Render every release in process; a chart the native renderer cannot do is an error.
    Native,
    /// Render in process when the native renderer can stand in for the helm in use (helm 3.17,
    /// the version it reproduces), with helm otherwise or when the native render fails; the
    /// reason is reported as an [`Event::RenderedByHelm`]. The default: the native renderer
    /// prints what helm 3.17 prints on the chart corpora (see the README).
    #[default]
    Auto,
}

/// Why a release could not be rendered.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RenderError {
    /// `helm template` failed.
    #[error(transparent)]
    Helm(#[from] HelmError),
    /// The native renderer failed.
    #[error(transparent)]
    Native(#[from] ChartError),
}

impl RenderError {
    /// A suggestion of what to do about the error, when there is one.
    pub fn hint(&self) -> Option<String> {
        match self {
            Self::Helm(e) => e.hint(),
            Self::Native(e) => e.hint(),
        }
    }
}

/// Renders `helm template` calls with the chosen renderer, loading each chart once per run.
pub struct ChartRenderer {
    native: Option<Renderer>,
    base_dir: PathBuf,
    charts: Mutex<HashMap<PathBuf, Arc<Chart>>>,
}

impl ChartRenderer {
    /// A renderer for helm calls made from `base_dir` (helm's working folder). For
    /// [`Renderer::Auto`] it needs helm's version, to know whether the native renderer
    /// reproduces it: the one `plan` was checked against, else it asks `helm`.
    pub async fn new<H: Helm>(
        renderer: Renderer,
        plan: &Plan,
        helm: &H,
        base_dir: &Path,
        events: &dyn Events,
    ) -> Self {
        let native = match renderer {
            Renderer::Helm => None,
            Renderer::Native => Some(Renderer::Native),
            Renderer::Auto => match helm_version(plan, helm).await {
                Ok(v) if reproduced(v) => Some(Renderer::Auto),
                Ok(v) => {
                    events.emit(Event::RenderedByHelm {
                        release: None,
                        reason: format!(
                            "helm {v} is not the {HELM_VERSION} the native renderer reproduces"
                        ),
                    });
                    None
                }
                Err(e) => {
                    events.emit(Event::RenderedByHelm {
                        release: None,
                        reason: format!("cannot tell helm's version: {e}"),
                    });
                    None
                }
            },
        };
        Self {
            native,
            base_dir: base_dir.to_owned(),
            charts: Mutex::new(HashMap::new()),
        }
    }

    /// What `helm <args>` (a `template` call for `release`) prints on stdout.
    pub async fn template<H: Helm>(
        &self,
        helm: &H,
        release: &ReleaseId,
        args: &[String],
        events: &dyn Events,
    ) -> Result<String, RenderError> {
        let Some(mode) = self.native else {
            return Ok(helm.run_for(release, args).await?.stdout);
        };
        let native = self.render_natively(args).await;
        match (native, mode) {
            (Ok((text, warnings)), _) => {
                for line in warnings {
                    events.emit(Event::RenderWarning {
                        release: release.clone(),
                        line,
                    });
                }
                Ok(text)
            }
            (Err(e), Renderer::Auto) => {
                events.emit(Event::RenderedByHelm {
                    release: Some(release.clone()),
                    reason: e.to_string(),
                });
                Ok(helm.run_for(release, args).await?.stdout)
            }
            (Err(e), _) => Err(e.into()),
        }
    }

    /// Renders off the async threads (a chart can take a while); the chart is loaded once.
    async fn render_natively(&self, args: &[String]) -> Result<(String, Vec<String>), ChartError> {
        let command = TemplateCommand::parse(args, &self.base_dir)?;
        let chart = self.chart(&command.chart).await?;
        let base_dir = self.base_dir.clone();
        let rendered = tokio::task::spawn_blocking(move || command.render(&chart, &base_dir))
            .await
            .map_err(|e| ChartError::Unsupported(format!("the render task failed: {e}")))??;
        Ok((rendered.manifests, rendered.warnings))
    }

    async fn chart(&self, path: &Path) -> Result<Arc<Chart>, ChartError> {
        if let Some(chart) = self.cached(path) {
            return Ok(chart);
        }
        let owned = path.to_owned();
        let chart = tokio::task::spawn_blocking(move || Chart::load(&owned))
            .await
            .map_err(|e| ChartError::Unsupported(format!("the load task failed: {e}")))??;
        let chart = Arc::new(chart);
        if let Ok(mut charts) = self.charts.lock() {
            charts.insert(path.to_owned(), chart.clone());
        }
        Ok(chart)
    }

    fn cached(&self, path: &Path) -> Option<Arc<Chart>> {
        self.charts.lock().ok()?.get(path).cloned()
    }
}

/// Whether the native renderer prints what this helm prints: it reproduces helm 3.17.
fn reproduced(v: HelmVersion) -> bool {
    v.major == 3 && v.minor == 17
}
