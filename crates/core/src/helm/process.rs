//! Running the helm binary as a child process (tokio), capturing its output.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Stdio;

use tokio::io::AsyncWriteExt;

use crate::helm::{Helm, HelmError, HelmOutput, redacted};

/// The real helm: a binary on disk, run in a folder, with extra environment variables.
#[derive(Debug, Clone)]
pub struct HelmProcess {
    binary: PathBuf,
    dir: PathBuf,
    env: Vec<(OsString, OsString)>,
}

impl HelmProcess {
    /// Helm at `binary` (a path or a name looked up on `PATH`), run in `dir`.
    pub fn new(binary: impl Into<PathBuf>, dir: impl Into<PathBuf>) -> Self {
        Self {
            binary: binary.into(),
            dir: dir.into(),
            env: Vec::new(),
        }
    }

    /// Adds an environment variable to every helm run (e.g. `HELM_KUBECONTEXT`).
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
        let output = child.wait_with_output().await.map_err(spawn_error)?;
        let result = HelmOutput {
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        };
        if output.status.success() {
            Ok(result)
        } else {
            Err(HelmError::Failed {
                command: redacted(args),
                code: output.status.code(),
                stderr: result.stderr.trim_end().to_string(),
            })
        }
    }
}
