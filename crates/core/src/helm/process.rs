//! Running the helm binary as a child process (tokio): its output captured, its messages (stderr
//! lines) streamed as events while it runs, and stopped cleanly when the run is cancelled.

use std::ffi::{OsStr, OsString};
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::cancel::Cancellation;
use crate::events::{Event, Events};
use crate::helm::{Helm, HelmCall, HelmError, HelmOutput, redacted};

/// The real helm: a binary on disk, run in a folder, with extra environment variables, a sink for
/// its messages as they come, and the run's stop switch.
#[derive(Clone)]
pub struct HelmProcess {
    binary: PathBuf,
    dir: PathBuf,
    env: Vec<(OsString, OsString)>,
    events: Option<Arc<dyn Events>>,
    /// Whether stdout lines are emitted as they come, too.
    live_output: bool,
    cancel: Cancellation,
}

impl fmt::Debug for HelmProcess {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HelmProcess")
            .field("binary", &self.binary)
            .field("dir", &self.dir)
            .field("env", &self.env.iter().map(|(k, _)| k).collect::<Vec<_>>())
            .field("events", &self.events.is_some())
            .finish()
    }
}

impl HelmProcess {
    /// Helm at `binary` (a path, or a name looked up in `search_path`, the value of `PATH`), run
    /// in `dir`. Fails, naming where it looked, when there is no such executable.
    pub fn locate(
        binary: &Path,
        dir: impl Into<PathBuf>,
        search_path: Option<&OsStr>,
    ) -> Result<Self, HelmError> {
        let dir = dir.into();
        let found =
            which::which_in(binary, search_path, &dir).map_err(|_| HelmError::NotFound {
                name: binary.to_path_buf(),
                searched: if binary.components().count() > 1 {
                    format!("at {}", dir.join(binary).display())
                } else {
                    let folders: Vec<String> = search_path
                        .map(|p| {
                            std::env::split_paths(p)
                                .map(|d| d.display().to_string())
                                .collect()
                        })
                        .unwrap_or_default();
                    format!("in the folders of PATH ({})", folders.join(", "))
                },
            })?;
        Ok(Self::new(found, dir))
    }

    /// Helm at `binary` as given (not checked), run in `dir`.
    pub fn new(binary: impl Into<PathBuf>, dir: impl Into<PathBuf>) -> Self {
        Self {
            binary: binary.into(),
            dir: dir.into(),
            env: Vec::new(),
            events: None,
            live_output: false,
            cancel: Cancellation::default(),
        }
    }

    /// Also emits each line helm writes to stdout as an [`Event::HelmOutput`] while it runs, in
    /// the calls made for a release (Helmfile's `--enable-live-output`); the output is still
    /// returned whole.
    pub fn with_live_output(mut self) -> Self {
        self.live_output = true;
        self
    }

    /// The same helm without [`Self::with_live_output`]: for calls whose stdout is data, not
    /// progress (the `helm template` of `apply`'s diff).
    pub fn without_live_output(mut self) -> Self {
        self.live_output = false;
        self
    }

    /// Emits each line helm writes to stderr as an [`Event::HelmMessage`] while it runs.
    pub fn with_events(mut self, events: Arc<dyn Events>) -> Self {
        self.events = Some(events);
        self
    }

    /// Adds an environment variable to every helm run (e.g. `KUBECONFIG`).
    pub fn with_env(mut self, name: impl Into<OsString>, value: impl Into<OsString>) -> Self {
        self.env.push((name.into(), value.into()));
        self
    }

    /// Stops running helm processes when `cancel` says so: SIGTERM first, SIGKILL when the grace
    /// period ends or a kill is requested.
    pub fn with_cancellation(mut self, cancel: Cancellation) -> Self {
        self.cancel = cancel;
        self
    }

    /// The binary this runs.
    pub fn binary(&self) -> &Path {
        &self.binary
    }
}

impl Helm for HelmProcess {
    async fn call(&self, call: HelmCall<'_>) -> Result<HelmOutput, HelmError> {
        let spawn_error = |source| HelmError::Spawn {
            binary: self.binary.clone(),
            source,
        };
        if self.cancel.is_stopped() {
            return Err(HelmError::Interrupted {
                command: redacted(call.args),
            });
        }
        let mut command = tokio::process::Command::new(&self.binary);
        command
            .args(call.args)
            .current_dir(&self.dir)
            .envs(self.env.iter().map(|(k, v)| (k, v)));
        let emit_output = |line: &str| {
            if let Some(events) = &self.events {
                events.emit(Event::HelmOutput {
                    release: call.release.cloned(),
                    line: line.to_string(),
                });
            }
        };
        let live_output = self.live_output && self.events.is_some() && call.release.is_some();
        let on_stdout_line: Option<&(dyn Fn(&str) + Sync)> = live_output.then_some(&emit_output);
        let finished =
            crate::process::run(command, call.input, &self.cancel, on_stdout_line, |line| {
                if let Some(events) = &self.events {
                    events.emit(Event::HelmMessage {
                        release: call.release.cloned(),
                        line: line.to_string(),
                    });
                }
            })
            .await
            .map_err(spawn_error)?;
        let (status, stopped) = (finished.status, finished.stopped);
        let result = HelmOutput {
            stdout: String::from_utf8_lossy(&finished.stdout).into_owned(),
            stderr: finished.stderr,
        };
        match (status.success(), stopped) {
            (true, _) => Ok(result),
            (false, true) => Err(HelmError::Interrupted {
                command: redacted(call.args),
            }),
            (false, false) => Err(HelmError::Failed {
                command: redacted(call.args),
                code: status.code(),
                stderr: result.stderr.trim_end().to_string(),
            }),
        }
    }
}
