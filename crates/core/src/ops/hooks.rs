//! Hooks as Helmfile 1.x's event bus runs them: every hook of a release (or of a state file)
//! whose `events:` name the event runs, in the order written, its `command` and `args` rendered
//! as Go templates with `.Event` (`Name`, and `Error`: `<nil>` unless the release failed),
//! `.HelmfileCommand`, `.Environment`, `.Namespace` and, for a release's hooks, `.Values` and
//! `.Release`. The first hook that fails stops the others of that event and is the error.
//!
//! Hook processes are children of the run like helm: their output is read while they run, and a
//! stop request sends them SIGTERM, then SIGKILL after the grace period. `kubectlApply` hooks run
//! `kubectl apply -f FILE` (or `-k DIR`). Every run is an [`Event::Hook`] with its exit code and,
//! with `showlogs: true`, its output.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::cancel::Cancellation;
use crate::events::{Event, Events, HookRun, ReleasePhase, Step};
use crate::location::Location;
use crate::ops::runner::RunContext;
use crate::plan::{HookEvent, Plan, PlannedHook, PlannedRelease};
use crate::template::{Object, Struct, Template, TemplateError, Value};

/// Why a hook failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum HookError {
    /// Its `command` or an argument is not a valid template, or failed to render.
    #[error("{location}: hook[{hook}]: {source}")]
    Template {
        /// Where the hook is written.
        location: Location,
        /// The hook's name.
        hook: String,
        /// The template error.
        source: TemplateError,
    },
    /// `kubectlApply` names neither `filename` nor `kustomize`, or both.
    #[error("{location}: hook[{hook}]: {message}")]
    KubectlApply {
        /// Where the hook is written.
        location: Location,
        /// The hook's name.
        hook: String,
        /// What is wrong, in Helmfile's words.
        message: &'static str,
    },
    /// Its program could not be started.
    #[error("{location}: hook[{hook}]: cannot run `{command}`: {source}")]
    Spawn {
        /// Where the hook is written.
        location: Location,
        /// The hook's name.
        hook: String,
        /// The program.
        command: String,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// Its program exited with an error.
    #[error("{location}: hook[{hook}]: command `{command}` failed{}{}", .code.map(|c| format!(" (exit {c})")).unwrap_or_default(), stderr_suffix(.stderr))]
    Failed {
        /// Where the hook is written.
        location: Location,
        /// The hook's name.
        hook: String,
        /// The program.
        command: String,
        /// Its exit code, when it exited.
        code: Option<i32>,
        /// What it wrote to standard error.
        stderr: String,
    },
    /// The run was stopped while the hook ran.
    #[error("{location}: hook[{hook}]: command `{command}` was stopped by an interruption")]
    Interrupted {
        /// Where the hook is written.
        location: Location,
        /// The hook's name.
        hook: String,
        /// The program.
        command: String,
    },
    /// `HELMFILE_DISABLE_HOOKS` is set and the release (or state file) has hooks.
    #[error("{location}: hook[{hook}]: HELMFILE_DISABLE_HOOKS is active, hooks are disabled")]
    Disabled {
        /// Where the hook is written.
        location: Location,
        /// The hook's name.
        hook: String,
    },
}

fn stderr_suffix(stderr: &str) -> String {
    match stderr.trim_end() {
        "" => String::new(),
        text => format!(": {text}"),
    }
}

impl HookError {
    /// Where the hook is written.
    pub fn location(&self) -> &Location {
        match self {
            Self::Template { location, .. }
            | Self::KubectlApply { location, .. }
            | Self::Spawn { location, .. }
            | Self::Failed { location, .. }
            | Self::Interrupted { location, .. }
            | Self::Disabled { location, .. } => location,
        }
    }

    /// A suggestion of what to do about the error, when there is one.
    pub fn hint(&self) -> Option<String> {
        match self {
            Self::Spawn { command, .. } => Some(format!(
                "check that `{command}` is installed and on PATH (hooks run in their state file's folder)"
            )),
            Self::KubectlApply { .. } => {
                Some("give kubectlApply exactly one of `filename:` or `kustomize:`".into())
            }
            Self::Disabled { .. } => {
                Some("unset HELMFILE_DISABLE_HOOKS, or remove the hooks of the release".into())
            }
            Self::Failed { .. } => {
                Some("`showlogs: true` on the hook shows what it printed".into())
            }
            Self::Template { .. } | Self::Interrupted { .. } => None,
        }
    }
}

/// Runs the hooks of a plan for one command: `.HelmfileCommand` is `command` (Helmfile passes
/// `sync` to the hooks of every upgrade, `delete` to those of `destroy`'s uninstalls).
#[derive(Clone, Copy)]
pub struct Hooks<'a> {
    plan: &'a Plan,
    command: &'a str,
    events: &'a dyn Events,
    cancel: &'a Cancellation,
}

impl<'a> Hooks<'a> {
    /// The hooks of `plan`, run for `command` with `context`'s events and stop switch.
    pub fn new<H>(plan: &'a Plan, command: &'a str, context: &'a RunContext<H>) -> Self {
        Self {
            plan,
            command,
            events: context.events.as_ref(),
            cancel: &context.cancel,
        }
    }

    /// The same hooks with another `.HelmfileCommand`.
    pub fn for_command(self, command: &'a str) -> Self {
        Self { command, ..self }
    }

    /// Runs the state files' hooks of `event` (`prepare` before anything, `cleanup` last, with
    /// the run's first error as `.Event.Error`, as Helmfile 1.x does).
    pub async fn run_state(&self, event: HookEvent, error: Option<&str>) -> Result<(), HookError> {
        self.run_all(&self.plan.hooks, None, event, error).await
    }

    /// Runs `release`'s hooks of `event`; `error` is the release's error so far (`postsync`
    /// runs after a failed upgrade too).
    pub async fn run_release(
        &self,
        release: &PlannedRelease,
        event: HookEvent,
        error: Option<&str>,
    ) -> Result<(), HookError> {
        if release.hooks.iter().any(|h| h.runs_at(event)) {
            self.events.emit(Event::Release {
                release: release.id.clone(),
                phase: ReleasePhase::Running {
                    step: Step::Hook { hook: event },
                },
            });
        }
        self.run_all(&release.hooks, Some(release), event, error)
            .await
    }

    /// The start of a run: the state files' `prepare` hooks, then the releases' (as
    /// [`Hooks::prepare_releases`] runs them, in definition order).
    pub async fn prepare_run(&self) -> Result<(), HookError> {
        self.run_state(HookEvent::Prepare, None).await?;
        self.prepare_releases(false).await
    }

    /// Runs the `prepare` hooks of the releases to install, one release after the other in
    /// definition order (`reverse`: the other way round, as Helmfile orders `destroy`), before
    /// anything else of the run (Helmfile runs them while it prepares charts: a prepare hook may
    /// write the chart). The first failure stops the run.
    pub async fn prepare_releases(&self, reverse: bool) -> Result<(), HookError> {
        let mut releases: Vec<&PlannedRelease> = self.plan.releases.iter().collect();
        if reverse {
            releases.reverse();
        }
        for release in releases {
            if release.desired == crate::plan::Desired::Install {
                self.run_release(release, HookEvent::Prepare, None).await?;
            }
        }
        Ok(())
    }

    /// Tells about a hook failure that does not fail anything (a `cleanup` hook after the
    /// release failed anyway), as a warning at the hook.
    pub(crate) fn warn(&self, error: &HookError) {
        let location = error.location().clone();
        let text = error.to_string();
        let message = text
            .strip_prefix(&format!("{location}: "))
            .unwrap_or(&text)
            .to_string();
        self.events.emit(Event::Warning { location, message });
    }

    async fn run_all(
        &self,
        hooks: &[PlannedHook],
        release: Option<&PlannedRelease>,
        event: HookEvent,
        error: Option<&str>,
    ) -> Result<(), HookError> {
        let Some(first) = hooks.first() else {
            return Ok(());
        };
        if hooks_disabled(first) {
            return Err(HookError::Disabled {
                location: first.location.clone(),
                hook: first.display_name().to_string(),
            });
        }
        for hook in hooks.iter().filter(|h| h.runs_at(event)) {
            self.run_one(hook, release, event, error).await?;
        }
        Ok(())
    }

    async fn run_one(
        &self,
        hook: &PlannedHook,
        release: Option<&PlannedRelease>,
        event: HookEvent,
        error: Option<&str>,
    ) -> Result<(), HookError> {
        let name = hook.display_name().to_string();
        let (command, raw_args) = self.command_line(hook, &name)?;
        let data = self.data(hook, event, error);
        let render = |field: &str, text: &str| {
            Template::parse(field, text)
                .and_then(|t| t.render(&data, &hook.scope.render))
                .map_err(|source| HookError::Template {
                    location: hook.location.clone(),
                    hook: name.clone(),
                    source,
                })
        };
        let command = render("command", &command)?;
        let args = raw_args
            .iter()
            .enumerate()
            .map(|(i, a)| render(&format!("args[{i}]"), a))
            .collect::<Result<Vec<_>, _>>()?;
        let mut process = tokio::process::Command::new(&command);
        process.args(&args).current_dir(&hook.scope.dir);
        let finished = crate::process::run(process, None, self.cancel, None, |_| {})
            .await
            .map_err(|source| HookError::Spawn {
                location: hook.location.clone(),
                hook: name.clone(),
                command: command.clone(),
                source,
            })?;
        let output = String::from_utf8_lossy(&finished.stdout).into_owned();
        self.events.emit(Event::Hook {
            release: release.map(|r| r.id.clone()),
            run: HookRun {
                name: name.clone(),
                hook: event,
                command: command.clone(),
                exit_code: finished.status.code(),
                output: hook.showlogs.then_some(output),
            },
        });
        match (finished.status.success(), finished.stopped) {
            (true, _) => Ok(()),
            (false, true) => Err(HookError::Interrupted {
                location: hook.location.clone(),
                hook: name,
                command,
            }),
            (false, false) => Err(HookError::Failed {
                location: hook.location.clone(),
                hook: name,
                command,
                code: finished.status.code(),
                stderr: finished.stderr,
            }),
        }
    }

    /// The program and argument templates: the hook's own, or `kubectl apply -f|-k X` for a
    /// `kubectlApply` hook (whose `command` Helmfile ignores with a warning).
    fn command_line(
        &self,
        hook: &PlannedHook,
        name: &str,
    ) -> Result<(String, Vec<String>), HookError> {
        if hook.kubectl_apply.is_empty() {
            return Ok((hook.command.clone(), hook.args.clone()));
        }
        let invalid = |message| HookError::KubectlApply {
            location: hook.location.clone(),
            hook: name.to_string(),
            message,
        };
        if !hook.command.is_empty() {
            self.events.emit(Event::Warning {
                location: hook.location.clone(),
                message: format!(
                    "ignoring command '{}' given within a kubectlApply hook",
                    hook.command
                ),
            });
        }
        let filename = hook.kubectl_apply.get("filename");
        let kustomize = hook.kubectl_apply.get("kustomize");
        let (flag, target) = match (filename, kustomize) {
            (Some(_), Some(_)) => {
                return Err(invalid("kustomize & filename cannot be used together"));
            }
            (Some(file), None) => ("-f", file),
            (None, Some(dir)) => ("-k", dir),
            (None, None) => return Err(invalid("either kustomize or filename must be given")),
        };
        Ok((
            "kubectl".into(),
            vec!["apply".into(), flag.into(), target.clone()],
        ))
    }

    /// The template data of one run: the scope's fields, `.Event` and `.HelmfileCommand`.
    fn data(&self, hook: &PlannedHook, event: HookEvent, error: Option<&str>) -> Value {
        let mut fields: BTreeMap<String, Value> = hook.scope.fields.iter().cloned().collect();
        fields.insert(
            "Event".into(),
            Struct::value(
                "event.event",
                vec![
                    ("Name".into(), Value::str(event.name())),
                    (
                        "Error".into(),
                        Value::Object(Arc::new(EventError(error.map(String::from)))),
                    ),
                ],
            ),
        );
        fields.insert("HelmfileCommand".into(), Value::str(self.command));
        Value::map(fields)
    }
}

/// Whether `HELMFILE_DISABLE_HOOKS` (as the templates' environment has it) is true.
fn hooks_disabled(hook: &PlannedHook) -> bool {
    hook.scope
        .render
        .env
        .get("HELMFILE_DISABLE_HOOKS")
        .is_some_and(|v| matches!(v.as_str(), "1" | "t" | "T" | "true" | "TRUE" | "True"))
}

/// `.Event.Error`: Go's `error` interface, `<nil>` (and false in `if`) when the release has not
/// failed, its message otherwise.
#[derive(Debug)]
struct EventError(Option<String>);

impl Object for EventError {
    fn type_name(&self) -> String {
        match self.0 {
            Some(_) => "*errors.errorString".into(),
            None => "<nil>".into(),
        }
    }
    fn kind_name(&self) -> &'static str {
        match self.0 {
            Some(_) => "ptr",
            None => "invalid",
        }
    }
    fn go_string(&self) -> String {
        self.0.clone().unwrap_or_else(|| "<nil>".into())
    }
    fn truthy(&self) -> bool {
        self.0.is_some()
    }
    fn message(&self) -> Option<String> {
        self.0.clone()
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}
