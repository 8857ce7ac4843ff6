//! One release as a plan carries it: everything any command needs to know about it, decided once.

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

use indexmap::IndexMap;
use zeroize::Zeroizing;

use crate::graph::ReleaseId;
use crate::location::Location;
use crate::plan::{ChartRef, Chartify, HelmSettings, PlannedHook};

/// What should be true of a release in the cluster after a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Desired {
    /// Installed or upgraded to the planned chart and values.
    Install,
    /// Not installed (`installed: false`): uninstalled if it exists.
    Uninstall,
    /// Left alone: its `condition:` is false in this environment.
    Disabled,
}

/// Values and flags the command line adds to every release (`--values`, `--set`, `--args`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CommandLineValues {
    /// `--values` files (absolute paths), after the release's own.
    pub values: Vec<String>,
    /// `--set` values, after the release's own.
    pub set: Vec<String>,
    /// `--args`: extra helm arguments, last.
    pub args: Vec<String>,
}

/// One values file written for helm in the run's private folder.
#[derive(Clone, PartialEq, Eq)]
pub struct WrittenValues {
    /// The file it came from (relative to the project root); `None` for inline maps.
    pub source: Option<PathBuf>,
    /// Where helm reads it (in the private folder, mode 0600).
    pub path: PathBuf,
    /// Whether it was decrypted from a secrets file.
    pub secret: bool,
    /// The YAML text written; wiped from memory when dropped.
    pub content: Zeroizing<String>,
}

/// Values files are shown without their content: it may be decrypted.
impl fmt::Debug for WrittenValues {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WrittenValues")
            .field("source", &self.source)
            .field("path", &self.path)
            .field("secret", &self.secret)
            .field("content", &"<redacted>")
            .finish()
    }
}

/// A release's values as helm receives them.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct PlannedValues {
    /// The `--values` files, lowest precedence first (empty unless the release is installed and
    /// the plan prepared values).
    pub files: Vec<WrittenValues>,
    /// `--set`/`--set-string`/`--set-file` flags with their arguments, in Helmfile's order.
    pub set_flags: Vec<String>,
}

/// `--set` arguments may hold secrets: shown masked.
impl fmt::Debug for PlannedValues {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PlannedValues")
            .field("files", &self.files)
            .field("set_flags", &crate::helm::redacted(&self.set_flags))
            .finish()
    }
}

/// A release of the plan, resolved once: every command reads it and nothing else.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct PlannedRelease {
    /// `[kubeContext/]namespace/name`.
    pub id: ReleaseId,
    /// The release name.
    pub name: String,
    /// Its namespace; empty when none is set (helm then uses the kubeconfig's).
    pub namespace: String,
    /// The kube context helm runs against for this release: its own, else its environment's,
    /// else `helmDefaults.kubeContext` (with `--kube-context` over all of them, as in Helmfile).
    pub kube_context: Option<String>,
    /// `helmDefaults.kubeContext` of its state file, which Helmfile also puts before helm's
    /// subcommand.
    pub defaults_kube_context: Option<String>,
    /// Where its chart comes from.
    pub chart: ChartRef,
    /// The chart version or constraint (`version:`), if pinned.
    pub chart_version: Option<String>,
    /// What the run should make of it.
    pub desired: Desired,
    /// Its values, written for helm.
    pub values: PlannedValues,
    /// Its helm settings, defaults applied.
    pub settings: HelmSettings,
    /// How its chart is rewritten before helm sees it (`dependencies:`,
    /// `strategicMergePatches:`), if it is.
    pub chartify: Option<Chartify>,
    /// Its own hooks.
    pub hooks: Vec<PlannedHook>,
    /// Its labels (`commonLabels` included).
    pub labels: IndexMap<String, String>,
    /// What the command line adds to every release.
    pub command_line: Arc<CommandLineValues>,
    /// Where it is defined.
    pub location: Location,
    /// Its index in [`crate::project::Project::releases`].
    pub release_index: usize,
}
