//! Driving helm: the [`Helm`] trait (the real binary, or a test double), version detection, and
//! the argv builders shared by every command.

pub mod argv;
pub mod history;
mod process;
mod version;

use std::path::PathBuf;

pub use process::HelmProcess;
pub use version::HelmVersion;

/// What a successful helm run printed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HelmOutput {
    /// Standard output.
    pub stdout: String,
    /// Standard error (helm's warnings).
    pub stderr: String,
}

/// Why a helm run failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum HelmError {
    /// The binary could not be started.
    #[error("cannot run helm at \"{}\": {source}", .binary.display())]
    Spawn {
        /// The binary.
        binary: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// Helm exited with an error.
    #[error("`helm {command}` failed{}: {stderr}", .code.map(|c| format!(" (exit {c})")).unwrap_or_default())]
    Failed {
        /// The command line, with `--set` values and passwords masked.
        command: String,
        /// The exit code, when it exited.
        code: Option<i32>,
        /// What helm said.
        stderr: String,
    },
    /// Helm printed something windlass cannot read.
    #[error("cannot read the output of `helm {command}`: {message}")]
    UnexpectedOutput {
        /// The subcommand.
        command: String,
        /// What is wrong with it.
        message: String,
    },
    /// `helm version` printed something that is not a version.
    #[error("cannot tell the helm version from {output:?}")]
    UnknownVersion {
        /// What it printed.
        output: String,
    },
}

impl HelmError {
    /// A suggestion of what to do about the error, when there is one.
    pub fn hint(&self) -> Option<String> {
        match self {
            Self::Spawn { .. } => {
                Some("install helm 3 or 4, or pass its path with --helm-binary".into())
            }
            Self::UnknownVersion { .. } => Some("windlass drives helm 3.x and 4.x".into()),
            _ => None,
        }
    }
}

/// Something that runs helm commands: the real binary ([`HelmProcess`]) or a test double.
pub trait Helm: Send + Sync {
    /// Runs `helm ARGS` with `input` on its standard input (e.g. a registry password) and returns
    /// its output; a non-zero exit is an error.
    fn run_with_input(
        &self,
        args: &[String],
        input: Option<&str>,
    ) -> impl Future<Output = Result<HelmOutput, HelmError>> + Send;

    /// Runs `helm ARGS` with no input.
    fn run(&self, args: &[String]) -> impl Future<Output = Result<HelmOutput, HelmError>> + Send {
        self.run_with_input(args, None)
    }

    /// Asks helm for its version (`helm version --short`, which helm 3 and 4 both accept).
    fn version(&self) -> impl Future<Output = Result<HelmVersion, HelmError>> + Send {
        async {
            let output = self.run(&["version".into(), "--short".into()]).await?;
            HelmVersion::parse(&output.stdout).ok_or(HelmError::UnknownVersion {
                output: output.stdout.trim().to_string(),
            })
        }
    }
}

/// The command line for messages: `--set` values and credentials masked, since they may be secret.
pub fn redacted(args: &[String]) -> String {
    let mut out = Vec::with_capacity(args.len());
    let mut mask_next = None;
    for arg in args {
        match mask_next.take() {
            Some(Mask::Value) => {
                out.push(match arg.split_once('=') {
                    Some((name, _)) => format!("{name}=***"),
                    None => "***".to_string(),
                });
                continue;
            }
            Some(Mask::Whole) => {
                out.push("***".to_string());
                continue;
            }
            None => {}
        }
        mask_next = match arg.as_str() {
            "--set" | "--set-string" | "--set-json" | "--set-literal" => Some(Mask::Value),
            "--password" | "--username" => Some(Mask::Whole),
            _ => None,
        };
        out.push(arg.clone());
    }
    out.join(" ")
}

#[derive(Clone, Copy)]
enum Mask {
    Value,
    Whole,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redaction_masks_set_values_and_credentials() {
        let args: Vec<String> = [
            "upgrade",
            "--install",
            "a",
            "./c",
            "--set",
            "db.password=hunter2",
            "--set-string",
            "x",
            "--values",
            "/tmp/v.yaml",
            "--password",
            "pw",
        ]
        .map(String::from)
        .to_vec();
        assert_eq!(
            redacted(&args),
            "upgrade --install a ./c --set db.password=*** --set-string *** --values /tmp/v.yaml --password ***"
        );
    }
}
