//! Running the helm binary as a child process (tokio), capturing its output and streaming its
//! messages (stderr lines) as events while it runs.

use std::ffi::OsString;
use std::fmt;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};

use crate::events::{Event, Events};
use crate::helm::{Helm, HelmError, HelmOutput, redacted};

/// The real helm: a binary on disk, run in a folder, with extra environment variables, and
/// optionally a sink for its messages as they come.
#[derive(Clone)]
pub struct HelmProcess {
    binary: PathBuf,
    dir: PathBuf,
    env: Vec<(OsString, OsString)>,
    events: Option<Arc<dyn Events>>,
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
    /// Helm at `binary` (a path or a name looked up on `PATH`), run in `dir`.
    pub fn new(binary: impl Into<PathBuf>, dir: impl Into<PathBuf>) -> Self {
        Self {
            binary: binary.into(),
            dir: dir.into(),
            env: Vec::new(),
            events: None,
        }
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

    /// The binary this runs.
    pub fn binary(&self) -> &Path {
        &self.binary
    }
}

impl Helm for HelmProcess {
    async fn run_with_input(
        &self,
        args: &[String],
        input: Option<&str>,
    ) -> Result<HelmOutput, HelmError> {
        let spawn_error = |source| HelmError::Spawn {
            binary: self.binary.clone(),
            source,
        };
        let mut child = tokio::process::Command::new(&self.binary)
            .args(args)
            .current_dir(&self.dir)
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .stdin(if input.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .map_err(spawn_error)?;
        if let (Some(text), Some(mut stdin)) = (input, child.stdin.take()) {
            stdin
                .write_all(text.as_bytes())
                .await
                .map_err(spawn_error)?;
        }
        let mut stdout_pipe = child.stdout.take();
        let stderr_pipe = child.stderr.take();
        let read_stdout = async {
            let mut bytes = Vec::new();
            if let Some(pipe) = stdout_pipe.as_mut() {
                pipe.read_to_end(&mut bytes).await?;
            }
            Ok::<_, std::io::Error>(bytes)
        };
        let read_stderr = async {
            let mut text = String::new();
            if let Some(pipe) = stderr_pipe {
                let mut lines = BufReader::new(pipe).lines();
                while let Some(line) = lines.next_line().await? {
                    if let Some(events) = &self.events {
                        events.emit(Event::HelmMessage { line: line.clone() });
                    }
                    text.push_str(&line);
                    text.push('\n');
                }
            }
            Ok::<_, std::io::Error>(text)
        };
        let (stdout, stderr, status) = tokio::join!(read_stdout, read_stderr, child.wait());
        let status = status.map_err(spawn_error)?;
        let result = HelmOutput {
            stdout: String::from_utf8_lossy(&stdout.map_err(spawn_error)?).into_owned(),
            stderr: stderr.map_err(spawn_error)?,
        };
        if status.success() {
            Ok(result)
        } else {
            Err(HelmError::Failed {
                command: redacted(args),
                code: status.code(),
                stderr: result.stderr.trim_end().to_string(),
            })
        }
    }
}
