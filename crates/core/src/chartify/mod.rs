//! Rewriting a release's chart before helm sees it, as Helmfile's chartify does: a copy of the
//! chart (a local folder, or the remote chart pulled and unpacked) with the release's
//! `dependencies:` added to its `Chart.yaml` and fetched (`helm dependency update`), and, with
//! `strategicMergePatches:`, the chart rendered with the release's values, patched (see
//! [`patch`]) and turned into a chart whose only template prints the patched manifests.
//!
//! Charts are written in a private folder (rendered manifests may hold secrets) that the caller
//! removes when the run ends.

mod patch;

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde_yaml::{Mapping, Value};

use crate::events::{Event, Events};
use crate::graph::ReleaseId;
use crate::helm::{Helm, HelmError, argv};
use crate::ops::deps::declares_dependencies;
use crate::plan::{ChartRef, Chartify, Desired, Plan, PlannedRelease};
use crate::secrets::{PrivateDir, SecretsError};

/// Why a chart could not be rewritten.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ChartifyError {
    /// The folder for the rewritten charts could not be made.
    #[error("cannot make a private folder for rewritten charts: {0}")]
    PrivateDir(#[from] SecretsError),
    /// A file of the chart copy could not be read or written.
    #[error("release \"{release}\": {}: {source}", .path.display())]
    Io {
        /// The release.
        release: String,
        /// The file or folder.
        path: PathBuf,
        /// What the system said.
        source: std::io::Error,
    },
    /// The chart is not a chart folder windlass can rewrite.
    #[error("release \"{release}\": {message}")]
    Chart {
        /// The release.
        release: String,
        /// What is wrong.
        message: String,
    },
    /// Helm failed to pull, update or render the chart.
    #[error("release \"{release}\": {source}")]
    Helm {
        /// The release.
        release: String,
        /// What helm said.
        source: HelmError,
    },
    /// A strategic-merge patch names no resource the chart renders.
    #[error(
        "release \"{release}\": strategicMergePatches[{index}] ({kind} \"{name}\") matches no resource the chart renders"
    )]
    UnmatchedPatch {
        /// The release.
        release: String,
        /// Which patch.
        index: usize,
        /// The patch's kind.
        kind: String,
        /// The patch's `metadata.name`.
        name: String,
    },
}

impl ChartifyError {
    /// A suggestion of what to do about the error, when there is one.
    pub fn hint(&self) -> Option<String> {
        match self {
            Self::UnmatchedPatch { .. } => Some(
                "a patch applies to the resource with its kind, metadata.name and (when given) metadata.namespace; check them against `windlass template`".into(),
            ),
            Self::Helm { source, .. } => source.hint(),
            _ => None,
        }
    }
}

/// The rewritten charts of a run, each release's in its own folder; removed when dropped.
#[derive(Debug, Default)]
pub struct Chartified {
    charts: HashMap<ReleaseId, PathBuf>,
    _dir: Option<PrivateDir>,
}

impl Chartified {
    /// `release` as helm runs it: with its rewritten chart (a local folder) when it has one,
    /// else as it comes (say, with its fetched archive).
    pub fn localize<'a>(&self, release: Cow<'a, PlannedRelease>) -> Cow<'a, PlannedRelease> {
        match self.charts.get(&release.id) {
            Some(path) => {
                let mut local = release.into_owned();
                local.chart = ChartRef::Local { path: path.clone() };
                local.chart_version = None;
                Cow::Owned(local)
            }
            None => release,
        }
    }
}

/// Rewrites the charts of the releases of `plan` to install that ask for it, one after the
/// other; `helm4` says whether helm is version 4 (it needs `--plain-http` in dependency updates).
pub async fn prepare<H: Helm>(
    plan: &Plan,
    helm: &H,
    helm4: bool,
    events: &dyn Events,
) -> Result<Chartified, ChartifyError> {
    let releases: Vec<(&PlannedRelease, &Chartify)> = plan
        .releases
        .iter()
        .filter(|r| r.desired == Desired::Install)
        .filter_map(|r| r.chartify.as_ref().map(|c| (r, c)))
        .collect();
    if releases.is_empty() {
        return Ok(Chartified::default());
    }
    let dir = PrivateDir::new()?;
    let mut charts = HashMap::new();
    for (index, (release, chartify)) in releases.into_iter().enumerate() {
        let work = dir.path().join(format!("{index:03}-{}", release.name));
        let chart = rewrite(plan, helm, helm4, release, chartify, &work).await?;
        events.emit(Event::ChartRewritten {
            release: release.id.clone(),
            chart: chart.clone(),
        });
        charts.insert(release.id.clone(), chart);
    }
    Ok(Chartified {
        charts,
        _dir: Some(dir),
    })
}

/// Rewrites one release's chart under `work`; returns the rewritten chart's folder.
async fn rewrite<H: Helm>(
    plan: &Plan,
    helm: &H,
    helm4: bool,
    release: &PlannedRelease,
    chartify: &Chartify,
    work: &Path,
) -> Result<PathBuf, ChartifyError> {
    let io = |path: &Path| {
        let (release, path) = (release.name.clone(), path.to_path_buf());
        move |source| ChartifyError::Io {
            release,
            path,
            source,
        }
    };
    let run = async |args: Vec<String>| {
        helm.run_for(&release.id, &args)
            .await
            .map_err(|source| ChartifyError::Helm {
                release: release.name.clone(),
                source,
            })
    };
    std::fs::create_dir_all(work).map_err(io(work))?;
    let (chart, local) = match &release.chart {
        ChartRef::Local { path } => {
            let source = plan.root.join(path);
            if !source.is_dir() {
                return Err(ChartifyError::Chart {
                    release: release.name.clone(),
                    message: format!(
                        "{} is not a chart folder: only folders and remote charts can be rewritten",
                        path.display()
                    ),
                });
            }
            let chart = work.join("chart");
            copy_dir(&source, &chart).map_err(io(&source))?;
            (chart, true)
        }
        _ => {
            run(argv::pull_untar(release, &work.to_string_lossy())).await?;
            (unpacked_chart(work).map_err(io(work))?, false)
        }
    };
    let chart_text = chart.to_string_lossy().into_owned();
    if !chartify.dependencies.is_empty() {
        add_dependencies(release, &chart, chartify, local)?;
        run(argv::chartify_dependency_update(
            release,
            &chart_text,
            helm4,
        ))
        .await?;
    } else if local && !release.settings.skip_deps && declares_dependencies(&chart) {
        run(argv::dependency_build(release, &chart_text)).await?;
    }
    if chartify.strategic_merge_patches.is_empty() {
        return Ok(chart);
    }
    let rendered = run(argv::chartify_render(release, &chart_text)).await?;
    let mut resources =
        patch::resources(&rendered.stdout).map_err(|message| ChartifyError::Chart {
            release: release.name.clone(),
            message: format!("the rendered chart is not YAML: {message}"),
        })?;
    for (index, one) in chartify.strategic_merge_patches.iter().enumerate() {
        if !patch::apply(&mut resources, one) {
            let text = |key: &str| {
                one.get(key)
                    .or_else(|| one.get("metadata").and_then(|m| m.get(key)))
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string()
            };
            return Err(ChartifyError::UnmatchedPatch {
                release: release.name.clone(),
                index,
                kind: text("kind"),
                name: text("name"),
            });
        }
    }
    patch::sort_legacy(&mut resources);
    write_patched_chart(&chart, &resources).map_err(io(&chart))?;
    Ok(chart)
}

/// The one chart folder `helm pull --untar` unpacked into `dir`.
fn unpacked_chart(dir: &Path) -> std::io::Result<PathBuf> {
    std::fs::read_dir(dir)?
        .flatten()
        .map(|e| e.path())
        .find(|p| p.join("Chart.yaml").is_file())
        .ok_or_else(|| std::io::Error::other("helm pull unpacked no chart"))
}

/// Adds the release's dependencies to the chart's `Chart.yaml` (`requirements.yaml` for an
/// `apiVersion: v1` chart): after its own for a local chart, instead of them for a pulled one
/// (whose own are already in its `charts/`), each enabled unless `<alias or name>.enabled` is
/// false, as chartify writes them.
fn add_dependencies(
    release: &PlannedRelease,
    chart: &Path,
    chartify: &Chartify,
    local: bool,
) -> Result<(), ChartifyError> {
    let metadata = read_yaml(release, &chart.join("Chart.yaml"))?;
    let file = if metadata.get("apiVersion").and_then(Value::as_str) == Some("v1") {
        chart.join("requirements.yaml")
    } else {
        chart.join("Chart.yaml")
    };
    let mut document = if file.is_file() {
        read_yaml(release, &file)?
    } else {
        Value::Mapping(Mapping::new())
    };
    let mut list = match document.get("dependencies") {
        Some(Value::Sequence(own)) if local => own.clone(),
        _ => Vec::new(),
    };
    for dependency in &chartify.dependencies {
        let mut entry = Mapping::new();
        let mut set = |key: &str, value: &str| {
            entry.insert(Value::String(key.into()), Value::String(value.into()));
        };
        set("name", &dependency.name);
        set("repository", &dependency.repository);
        let enabled_by = dependency.alias.as_deref().unwrap_or(&dependency.name);
        set("condition", &format!("{enabled_by}.enabled"));
        if let Some(alias) = &dependency.alias {
            set("alias", alias);
        }
        if let Some(version) = &dependency.version {
            set("version", version);
        }
        list.push(Value::Mapping(entry));
    }
    if let Some(map) = document.as_mapping_mut() {
        map.insert("dependencies".into(), Value::Sequence(list));
    }
    let text = serde_yaml::to_string(&document).map_err(|e| ChartifyError::Chart {
        release: release.name.clone(),
        message: e.to_string(),
    })?;
    std::fs::write(&file, text).map_err(|source| ChartifyError::Io {
        release: release.name.clone(),
        path: file,
        source,
    })
}

fn read_yaml(release: &PlannedRelease, file: &Path) -> Result<Value, ChartifyError> {
    let text = std::fs::read_to_string(file).map_err(|source| ChartifyError::Io {
        release: release.name.clone(),
        path: file.to_path_buf(),
        source,
    })?;
    serde_yaml::from_str(&text).map_err(|e| ChartifyError::Chart {
        release: release.name.clone(),
        message: format!("{}: {e}", file.display()),
    })
}

/// Turns `chart` into chartify's patched chart: the patched manifests in
/// `files/templates/patched_resources.yaml`, printed as they are by the only template
/// (`templates/patched_resources.yaml`, so helm does not render them again), CRDs in
/// `crds/patched_crds.yaml`, and no dependencies left to fetch.
fn write_patched_chart(chart: &Path, resources: &[patch::Resource]) -> std::io::Result<()> {
    for gone in ["templates", "charts", "crds", "files"] {
        let path = chart.join(gone);
        if path.is_dir() {
            std::fs::remove_dir_all(&path)?;
        }
    }
    for gone in ["requirements.yaml", "requirements.lock", "Chart.lock"] {
        let path = chart.join(gone);
        if path.is_file() {
            std::fs::remove_file(&path)?;
        }
    }
    let metadata_file = chart.join("Chart.yaml");
    let mut metadata: Value = serde_yaml::from_str(&std::fs::read_to_string(&metadata_file)?)
        .map_err(std::io::Error::other)?;
    if let Some(map) = metadata.as_mapping_mut() {
        map.remove("dependencies");
    }
    std::fs::write(
        &metadata_file,
        serde_yaml::to_string(&metadata).map_err(std::io::Error::other)?,
    )?;
    let join = |crds: bool| -> String {
        resources
            .iter()
            .filter(|r| r.is_crd() == crds)
            .map(|r| format!("{}---\n", r.to_yaml()))
            .collect()
    };
    let (plain, crds) = (join(false), join(true));
    if !plain.is_empty() {
        std::fs::create_dir_all(chart.join("files/templates"))?;
        std::fs::create_dir_all(chart.join("templates"))?;
        std::fs::write(chart.join("files/templates/patched_resources.yaml"), plain)?;
        std::fs::write(
            chart.join("templates/patched_resources.yaml"),
            "{{ .Files.Get \"files/templates/patched_resources.yaml\" }}",
        )?;
    }
    if !crds.is_empty() {
        std::fs::create_dir_all(chart.join("crds"))?;
        std::fs::write(chart.join("crds/patched_crds.yaml"), crds)?;
    }
    Ok(())
}

/// Copies the folder `from` to `to` (created), files and subfolders.
pub(crate) fn copy_dir(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), &target)?;
        }
    }
    Ok(())
}
