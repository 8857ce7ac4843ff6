//! Hooks as the plan carries them: typed events, the command to run, where each was written, and
//! what its templates see ([`HookScope`]).

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::Arc;

use indexmap::IndexMap;

use crate::location::Location;
use crate::project::Hook;
use crate::template::{RenderOptions, Value};

/// A moment in a release's (or the run's) life at which Helmfile runs hooks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum HookEvent {
    /// Before anything else: once per run for state hooks, before each release's own work.
    Prepare,
    /// Before `apply` changes a release.
    Preapply,
    /// Before `helm upgrade` (or an uninstall during sync).
    Presync,
    /// After `helm upgrade`, also after a failed one (the hook sees the error).
    Postsync,
    /// Before `helm uninstall`.
    Preuninstall,
    /// After `helm uninstall`.
    Postuninstall,
    /// Last: after each release, and once per run for state hooks.
    Cleanup,
}

impl HookEvent {
    /// Every event, in the order they happen.
    pub const ALL: [HookEvent; 7] = [
        Self::Prepare,
        Self::Preapply,
        Self::Presync,
        Self::Postsync,
        Self::Preuninstall,
        Self::Postuninstall,
        Self::Cleanup,
    ];

    /// The name as written in `events:`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Prepare => "prepare",
            Self::Preapply => "preapply",
            Self::Presync => "presync",
            Self::Postsync => "postsync",
            Self::Preuninstall => "preuninstall",
            Self::Postuninstall => "postuninstall",
            Self::Cleanup => "cleanup",
        }
    }
}

impl fmt::Display for HookEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for HookEvent {
    type Err = ();

    fn from_str(s: &str) -> Result<Self, ()> {
        Self::ALL.into_iter().find(|e| e.name() == s).ok_or(())
    }
}

/// Where a hook runs and what its templates see besides `.Event` and `.HelmfileCommand`: for
/// every hook `.Environment` and `.Namespace` (the `--namespace` flag), and for a release's
/// hooks `.Values` (its state values) and `.Release`, as Helmfile's event bus gives them.
#[derive(Clone)]
pub struct HookScope {
    /// The folder the hook runs in: its state file's folder, as Helmfile runs hooks.
    pub dir: PathBuf,
    /// The template fields, in Helmfile's order.
    pub(crate) fields: Vec<(String, Value)>,
    /// How templates render (environment variables, secret references) from `dir`.
    pub(crate) render: RenderOptions,
}

/// The template data may hold decrypted state values: only the folder and field names show.
impl fmt::Debug for HookScope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.fields.iter().map(|(n, _)| n.as_str()).collect();
        f.debug_struct("HookScope")
            .field("dir", &self.dir)
            .field("fields", &names)
            .finish()
    }
}

/// One hook, ready to run: its events parsed, its command and arguments still Go templates
/// (they are rendered when the hook runs, with the event's data).
#[derive(Debug, Clone)]
pub struct PlannedHook {
    /// A name for messages (may be empty).
    pub name: String,
    /// The events that trigger it.
    pub events: Vec<HookEvent>,
    /// The program to run (a Go template).
    pub command: String,
    /// Its arguments (Go templates).
    pub args: Vec<String>,
    /// Whether its output is shown.
    pub showlogs: bool,
    /// `kubectlApply:` (`filename` or `kustomize`) instead of a command.
    pub kubectl_apply: IndexMap<String, String>,
    /// Where it is written.
    pub location: Location,
    /// Where it runs and what its templates see.
    pub scope: Arc<HookScope>,
}

impl PlannedHook {
    /// Checks `hook` (written at `location`, running in `scope`): every event must be one
    /// Helmfile knows. Returns the unknown event name otherwise.
    pub(crate) fn new(
        hook: &Hook,
        location: Location,
        scope: Arc<HookScope>,
    ) -> Result<Self, String> {
        let events = hook
            .events
            .iter()
            .map(|name| name.parse().map_err(|()| name.clone()))
            .collect::<Result<Vec<HookEvent>, String>>()?;
        Ok(Self {
            name: hook.name.clone(),
            events,
            command: hook.command.clone(),
            args: hook.args.clone(),
            showlogs: hook.showlogs,
            kubectl_apply: hook.kubectl_apply.clone(),
            location,
            scope,
        })
    }

    /// The name messages use: its own, else `kubectlApply` for those, else its command (as
    /// Helmfile names hooks).
    pub fn display_name(&self) -> &str {
        if !self.name.is_empty() {
            &self.name
        } else if !self.kubectl_apply.is_empty() {
            "kubectlApply"
        } else {
            &self.command
        }
    }

    /// Whether it runs at `event`.
    pub fn runs_at(&self, event: HookEvent) -> bool {
        self.events.contains(&event)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scope() -> Arc<HookScope> {
        Arc::new(HookScope {
            dir: PathBuf::from("."),
            fields: Vec::new(),
            render: RenderOptions::new("."),
        })
    }

    #[test]
    fn events_parse_by_helmfile_name_and_unknown_ones_are_returned() {
        let hook: Hook =
            serde_yaml::from_str("{name: n, events: [presync, cleanup], command: echo}")
                .unwrap_or_default();
        let planned = PlannedHook::new(&hook, Location::file("h.yaml"), scope());
        assert_eq!(
            planned.map(|p| p.events),
            Ok(vec![HookEvent::Presync, HookEvent::Cleanup])
        );
        let typo: Hook =
            serde_yaml::from_str("{events: [pre-sync], command: echo}").unwrap_or_default();
        assert_eq!(
            PlannedHook::new(&typo, Location::file("h.yaml"), scope()).map(|p| p.name),
            Err("pre-sync".to_string())
        );
    }
}
