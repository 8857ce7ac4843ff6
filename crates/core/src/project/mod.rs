//! Loading and validating a project in either layout: charts.yaml + environments (layout A) or
//! Helmfile state files (layout B). Both become one [`Project`]: the resolved, validated state of
//! one environment, every release remembering where it was written.

mod catalog;
mod error;
mod fields;
mod hcl;
mod helmfile;
mod layers;
pub(crate) mod merge;
mod release;
mod release_templates;
mod resolve;
pub mod schema;
mod source;
mod state;
mod state_values;
pub(crate) mod template_data;

pub use state_values::masked;

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_yaml::Value;

pub use error::ProjectError;
pub(crate) use release::scalar_text;
pub use release::{Hook, Inherit, MissingFileHandler, Release, ReleaseSpec, SetValue};
pub(crate) use resolve::release_entry_files;
pub use state::{EnvironmentSpec, HelmDefaults, Repository, SubHelmfileSpec};

use crate::graph::Dag;
use crate::location::Location;
use crate::secrets::DecryptOptions;

/// What to load and how: the command line's view of the project.
#[derive(Clone, Default)]
pub struct LoadOptions {
    /// The folder the command runs in; state files are looked up here.
    pub dir: PathBuf,
    /// `-f FILE`: a state file or a `helmfile.d`-like folder, relative to `dir`.
    pub file: Option<PathBuf>,
    /// `-e NAME`: the environment (`default` when none is given).
    pub environment: String,
    /// `--state-values-set k=v,...`, in order.
    pub state_values_set: Vec<String>,
    /// `--state-values-file FILE`, in order, relative to `dir`.
    pub state_values_files: Vec<PathBuf>,
    /// `-n NAMESPACE`: overrides every release's namespace.
    pub namespace: Option<String>,
    /// `--kube-context`: the context of releases that set none.
    pub kube_context: Option<String>,
    /// How SOPS files (environment `secrets:`) are decrypted.
    pub decrypt: Arc<DecryptOptions>,
    /// The environment variables templates see (`env`, `requiredEnv`, `exec`).
    pub env: Arc<BTreeMap<String, String>>,
}

/// Which of the two supported layouts a project uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Layout {
    /// `charts.yaml` + `<environmentsDir>/<env>/cluster.yaml`.
    ChartsAndEnvironments,
    /// `helmfile.yaml`, `helmfile.yaml.gotmpl` or `helmfile.d/`.
    Helmfile,
}

/// The selected environment.
#[derive(Clone)]
pub struct Environment {
    /// Its name.
    pub name: String,
    /// The kube context it sets, if any.
    pub kube_context: Option<String>,
    /// The state values (`.Values` in templates), fully merged.
    pub values: Value,
}

/// One state file after its documents and bases are merged: what applies to its releases.
#[derive(Clone)]
pub struct StateFile {
    /// The file, relative to the project root.
    pub file: PathBuf,
    /// The folder relative paths in it start from.
    pub base_dir: PathBuf,
    /// That folder as shown in messages (relative to the project root).
    pub shown_dir: PathBuf,
    /// `commonLabels:`, added to every release (they win over the release's own).
    pub common_labels: indexmap::IndexMap<String, String>,
    /// `apiVersions:` for releases that set none.
    pub api_versions: Vec<String>,
    /// `kubeVersion:` for releases that set none.
    pub kube_version: Option<String>,
    /// `missingFileHandler:` for releases that set none.
    pub missing_file_handler: MissingFileHandler,
    /// The state file's top-level `namespace:`, which every release takes (like `-n`).
    pub namespace: Option<String>,
    /// The state file's top-level `kubeContext:`, which every release takes.
    pub kube_context: Option<String>,
    /// Its `helmDefaults:`.
    pub helm_defaults: HelmDefaults,
    /// Its `repositories:`.
    pub repositories: Vec<Repository>,
    /// `lockFilePath:`, relative to `base_dir` (default: the state file's name with `.lock`).
    pub lock_file: Option<String>,
    /// Selectors a parent's `helmfiles:` entry gave it, replacing the command line's.
    pub selectors: Option<Vec<String>>,
    /// Its state values (`.Values`): the environment's, plus what a parent passed it.
    pub values: Value,
    /// The key paths in `values` that came from decrypted secrets, to mask when printing.
    pub secret_paths: Vec<Vec<Value>>,
    /// Its own `hooks:` (run once per run at `prepare` and `cleanup`), with where each is written.
    pub hooks: Vec<(Hook, Location)>,
    /// `helmBinary:`: the helm to run when the command line names none.
    pub helm_binary: Option<String>,
    /// The file's state as written, its parts and bases merged and its templates rendered
    /// (`build` prints it as Helmfile does); null for layout A.
    pub document: Value,
}

/// Something worth telling that does not stop the run (a skipped missing file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// How loud: `Warn`, `Info` or `Debug`.
    pub level: MissingFileHandler,
    /// Where it applies.
    pub location: Location,
    /// What happened.
    pub message: String,
}

/// A loaded, validated project for one environment. Its `Debug` output masks the state values
/// that came from decrypted secrets and shows only the names of the environment variables.
pub struct Project {
    /// The folder the project was loaded from.
    pub root: PathBuf,
    /// The layout it uses.
    pub layout: Layout,
    /// The environment selected with `-e`.
    pub environment: Environment,
    /// Every environment the project defines, sorted.
    pub environments: Vec<String>,
    /// The options it was loaded with (decryption, template environment, overrides).
    pub options: LoadOptions,
    /// The state files, main file first; releases point into this list.
    pub states: Vec<StateFile>,
    /// Every release of the environment, in definition order, including disabled ones.
    pub releases: Vec<Release>,
    /// The dependency graph of `releases` (same indices).
    pub graph: Dag,
    /// Non-fatal findings, in the order they were made.
    pub diagnostics: Vec<Diagnostic>,
}

impl Project {
    /// Loads the project in `options.dir` for `options.environment` and validates it whole:
    /// every release, its files and the dependency graph.
    pub fn load(options: &LoadOptions) -> Result<Self, ProjectError> {
        match find_layout(options)? {
            (Layout::ChartsAndEnvironments, catalog) => catalog::load(options, &catalog),
            (Layout::Helmfile, main) => helmfile::load(options, &main),
        }
    }

    /// The helm binary the main state file names (`helmBinary:`), if any.
    pub fn helm_binary(&self) -> Option<&str> {
        self.states.first().and_then(|s| s.helm_binary.as_deref())
    }

    /// The state file a release belongs to.
    pub fn state_of(&self, release: &Release) -> &StateFile {
        &self.states[release.state]
    }
}

/// The `Debug` of a value that may hold decrypted secrets: the paths in `secret_paths` masked.
struct Masked<'a>(&'a Value, &'a [Vec<Value>]);

impl fmt::Debug for Masked<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        masked(self.0, self.1).fmt(f)
    }
}

impl fmt::Debug for LoadOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LoadOptions")
            .field("dir", &self.dir)
            .field("file", &self.file)
            .field("environment", &self.environment)
            .field("state_values_set", &"<redacted>")
            .field("state_values_files", &self.state_values_files)
            .field("namespace", &self.namespace)
            .field("kube_context", &self.kube_context)
            .field("decrypt", &self.decrypt)
            .field("env", &self.env.keys().collect::<Vec<_>>())
            .finish()
    }
}

/// Without the secret paths, the values are not shown at all: they may hold decrypted secrets.
impl fmt::Debug for Environment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Environment")
            .field("name", &self.name)
            .field("kube_context", &self.kube_context)
            .field("values", &"<redacted>")
            .finish()
    }
}

impl fmt::Debug for StateFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StateFile")
            .field("file", &self.file)
            .field("base_dir", &self.base_dir)
            .field("shown_dir", &self.shown_dir)
            .field("common_labels", &self.common_labels)
            .field("api_versions", &self.api_versions)
            .field("kube_version", &self.kube_version)
            .field("missing_file_handler", &self.missing_file_handler)
            .field("namespace", &self.namespace)
            .field("kube_context", &self.kube_context)
            .field("helm_defaults", &self.helm_defaults)
            .field("repositories", &self.repositories)
            .field("selectors", &self.selectors)
            .field("values", &Masked(&self.values, &self.secret_paths))
            .field("secret_paths", &self.secret_paths)
            .field("hooks", &self.hooks)
            .field("helm_binary", &self.helm_binary)
            .field("document", &"<not shown>")
            .finish()
    }
}

impl fmt::Debug for Project {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The environment's values are those of the state files: mask what any of them decrypted.
        let secret_paths: Vec<Vec<Value>> = self
            .states
            .iter()
            .flat_map(|s| s.secret_paths.iter().cloned())
            .collect();
        f.debug_struct("Project")
            .field("root", &self.root)
            .field("layout", &self.layout)
            .field("environment.name", &self.environment.name)
            .field("environment.kube_context", &self.environment.kube_context)
            .field(
                "environment.values",
                &Masked(&self.environment.values, &secret_paths),
            )
            .field("environments", &self.environments)
            .field("options", &self.options)
            .field("states", &self.states)
            .field("releases", &self.releases)
            .field("graph", &self.graph)
            .field("diagnostics", &self.diagnostics)
            .finish()
    }
}

/// Which layout `options` point at, and its main file: `-f` decides; otherwise a helmfile in the
/// folder wins over `charts.yaml`.
fn find_layout(options: &LoadOptions) -> Result<(Layout, PathBuf), ProjectError> {
    if let Some(file) = &options.file {
        let layout = if file.file_name().is_some_and(|n| n == "charts.yaml") {
            Layout::ChartsAndEnvironments
        } else {
            Layout::Helmfile
        };
        return Ok((layout, file.clone()));
    }
    let dir = &options.dir;
    let helmfiles = ["helmfile.yaml", "helmfile.yaml.gotmpl", "helmfile.d"];
    if let Some(found) = helmfiles.iter().find(|name| dir.join(name).exists()) {
        return Ok((Layout::Helmfile, PathBuf::from(found)));
    }
    if dir.join("charts.yaml").is_file() {
        return Ok((Layout::ChartsAndEnvironments, PathBuf::from("charts.yaml")));
    }
    Err(ProjectError::NoProject {
        dir: display_dir(dir),
    })
}

/// `dir` as shown to the user: `.` for the current folder.
fn display_dir(dir: &Path) -> PathBuf {
    if dir.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        dir.to_path_buf()
    }
}

#[cfg(test)]
pub(crate) mod test_support {
    use std::path::Path;

    /// Writes `content` to `path` below `dir`, creating folders.
    pub fn write(dir: &Path, path: &str, content: &str) {
        let full = dir.join(path);
        if let Some(parent) = full.parent() {
            std::fs::create_dir_all(parent).unwrap_or_else(|e| panic!("{e}"));
        }
        std::fs::write(full, content).unwrap_or_else(|e| panic!("{e}"));
    }

    /// The repository root (for the example project's files).
    pub fn repo_root() -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
    }

    /// A temporary project folder with `files`.
    pub fn project_in(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        for (path, content) in files {
            write(dir.path(), path, content);
        }
        dir
    }
}
