//! In-process chart rendering: helm 3.17's chart model and function set on windlass's own Go
//! template engine, printing byte for byte what `helm template` prints.
//!
//! ```no_run
//! use windlass::chart::{Chart, ReleaseOptions, merge_values, render};
//! let chart = Chart::load("charts/api".as_ref()).unwrap();
//! let values = merge_values(&[], &["--set".into(), "replicas=2".into()], ".".as_ref()).unwrap();
//! let out = render(&chart, &values, &ReleaseOptions::new("api", "backend")).unwrap();
//! print!("{}", out.manifests);
//! ```
//!
//! What is helm's and what is not: values are read as helm reads them (YAML through JSON, so
//! every number is a float64 and `1000000` prints as `1e+06`), coalesced with subchart scoping,
//! `global`, `condition`/`tags` and `import-values`; templates see `.Values`, `.Release`,
//! `.Chart`, `.Capabilities` (helm 3.17's defaults: Kubernetes v1.32.0), `.Files`, `.Template`
//! and `.Subcharts`; `lookup` returns an empty map as in `helm template`.

mod capabilities;
mod command;
mod dependencies;
mod engine;
mod error;
mod files;
mod ignore;
mod load;
mod manifest;
mod metadata;
mod pattern;
mod render;
mod schema;
mod set;
mod values;

use std::path::Path;
use std::sync::Arc;

pub use capabilities::{Capabilities, HELM_VERSION};
pub use command::TemplateCommand;
pub use error::ChartError;
pub use metadata::{Dependency, Maintainer, Metadata};
pub use render::{PostRenderer, ReleaseOptions, Rendered, render};
pub use schema::ValuesSchema;

use crate::template::Value;
use crate::values::ValuesFile;

/// A chart as helm loads it.
#[derive(Debug, Clone)]
pub struct Chart {
    /// `Chart.yaml` (with `requirements.yaml`'s dependencies for `apiVersion: v1` charts).
    pub metadata: Metadata,
    /// The files under `templates/`.
    pub templates: Vec<ChartFile>,
    /// `values.yaml` as helm reads it.
    pub values: Value,
    /// `values.schema.json`, if any.
    pub schema: Option<ValuesSchema>,
    /// Every other file (`.Files`, `crds/`...).
    pub files: Vec<ChartFile>,
    /// The subcharts found under `charts/` (folders and archives).
    pub dependencies: Vec<Chart>,
    /// helm's `ChartFullPath` (`app/charts/db`): where the chart's templates are named from. It
    /// follows the chart that last adopted it as a subchart, as helm's parent pointer does, so
    /// the subcharts of an aliased copy keep the original's path.
    path: String,
    /// The chart's templates as parsed by earlier renders, by full name; shared by the copies
    /// renders make, so a chart used by many releases is parsed once.
    parsed: engine::ParseCache,
}

/// A file of a chart: its path from the chart's root and its bytes.
#[derive(Debug, Clone)]
pub struct ChartFile {
    /// The path from the chart's root, `/`-separated.
    pub name: String,
    /// The contents.
    pub data: Arc<[u8]>,
}

impl Chart {
    /// Loads the chart folder or `.tgz` archive at `path`.
    pub fn load(path: &Path) -> Result<Chart, ChartError> {
        let mut chart = load::load(path)?;
        chart.path = chart.metadata.name.clone();
        chart.adopt_dependencies();
        Ok(chart)
    }

    /// Points the subcharts' paths (and theirs, recursively) at this chart, as helm's
    /// `AddDependency` sets their parent.
    fn adopt_dependencies(&mut self) {
        for dep in &mut self.dependencies {
            dep.path = format!("{}/charts/{}", self.path, dep.metadata.name);
            dep.adopt_dependencies();
        }
    }

    /// The chart's name.
    pub fn name(&self) -> &str {
        &self.metadata.name
    }

    /// helm's `CRDObjects`: the `crds/*.yaml|yml|json` files of the chart and its subcharts,
    /// with the path `helm template --include-crds` shows for each.
    pub(crate) fn crd_objects(&self) -> Vec<(String, Arc<[u8]>)> {
        let mut out = Vec::new();
        self.collect_crds(&mut out);
        out
    }

    fn collect_crds(&self, out: &mut Vec<(String, Arc<[u8]>)>) {
        for f in &self.files {
            let ext = f.name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
            if f.name.starts_with("crds/")
                && matches!(ext.as_deref(), Some("yaml" | "yml" | "json"))
            {
                out.push((format!("{}/{}", self.path, f.name), f.data.clone()));
            }
        }
        for dep in &self.dependencies {
            dep.collect_crds(out);
        }
    }
}

/// The user's values as helm's `--values`/`--set` flags make them: each values file read and
/// deep-merged over the previous ones, then the `--set-json`, `--set`, `--set-string`,
/// `--set-file` and `--set-literal` flags (`flags` holds flag and argument pairs, as given to
/// helm; `--set-file` paths are relative to `base_dir`).
pub fn merge_values(
    files: &[ValuesFile],
    flags: &[String],
    base_dir: &Path,
) -> Result<Value, ChartError> {
    set::merge_values(files, flags, base_dir)
}
