//! Hooks as the plan carries them: typed events, the command to run, and where each was written.

use std::fmt;
use std::str::FromStr;

use indexmap::IndexMap;

use crate::location::Location;
use crate::project::Hook;

/// A moment in a release's (or the run's) life at which Helmfile runs hooks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
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

/// One hook, ready to run: its events parsed, its command and arguments still Go templates
/// (they are rendered when the hook runs, with the event's data).
#[derive(Debug, Clone, PartialEq)]
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
}

impl PlannedHook {
    /// Checks `hook` (written at `location`): every event must be one Helmfile knows. Returns
    /// the unknown event name otherwise.
    pub(crate) fn new(hook: &Hook, location: Location) -> Result<Self, String> {
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
        })
    }

    /// Whether it runs at `event`.
    pub fn runs_at(&self, event: HookEvent) -> bool {
        self.events.contains(&event)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_parse_by_helmfile_name_and_unknown_ones_are_returned() {
        let hook: Hook =
            serde_yaml::from_str("{name: n, events: [presync, cleanup], command: echo}")
                .unwrap_or_default();
        let planned = PlannedHook::new(&hook, Location::file("h.yaml"));
        assert_eq!(
            planned.map(|p| p.events),
            Ok(vec![HookEvent::Presync, HookEvent::Cleanup])
        );
        let typo: Hook =
            serde_yaml::from_str("{events: [pre-sync], command: echo}").unwrap_or_default();
        assert_eq!(
            PlannedHook::new(&typo, Location::file("h.yaml")).map(|p| p.name),
            Err("pre-sync".to_string())
        );
    }
}
