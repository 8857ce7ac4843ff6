//! Driving helm: the [`Helm`] trait (the real binary, or a test double), version detection, and
//! the argv builders shared by every command.

pub mod argv;
pub mod history;
mod process;
mod version;

use std::path::PathBuf;

use crate::graph::ReleaseId;

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
    /// No helm binary where it was looked for.
    #[error("helm not found: looked for \"{}\" {searched}", .name.display())]
    NotFound {
        /// The name or path given.
        name: PathBuf,
        /// Where it was looked for, e.g. `in the folders of PATH (/usr/bin, /bin)`.
        searched: String,
    },
    /// The run was stopped (SIGINT/SIGTERM) before helm finished.
    #[error("`helm {command}` was stopped by an interruption")]
    Interrupted {
        /// The command line, with `--set` values and passwords masked.
        command: String,
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
            Self::Spawn { .. } | Self::NotFound { .. } => {
                Some("install helm 3 or 4, or pass its path with --helm-binary".into())
            }
            Self::UnknownVersion { .. } => Some("windlass drives helm 3.x and 4.x".into()),
            _ => None,
        }
    }
}

/// One helm run: its arguments, what to write on its standard input (a registry password), and
/// the release it works for, to which its messages are attributed.
#[derive(Debug, Clone, Copy)]
pub struct HelmCall<'a> {
    /// The arguments after `helm`.
    pub args: &'a [String],
    /// Written to helm's standard input, then closed.
    pub input: Option<&'a str>,
    /// The release the run is for, if any.
    pub release: Option<&'a ReleaseId>,
}

/// Something that runs helm commands: the real binary ([`HelmProcess`]) or a test double.
pub trait Helm: Send + Sync {
    /// Runs one helm command and returns its output; a non-zero exit is an error.
    fn call(
        &self,
        call: HelmCall<'_>,
    ) -> impl Future<Output = Result<HelmOutput, HelmError>> + Send;

    /// Runs `helm ARGS` for no particular release.
    fn run(&self, args: &[String]) -> impl Future<Output = Result<HelmOutput, HelmError>> + Send {
        self.call(HelmCall {
            args,
            input: None,
            release: None,
        })
    }

    /// Runs `helm ARGS` for `release`.
    fn run_for<'a>(
        &'a self,
        release: &'a ReleaseId,
        args: &'a [String],
    ) -> impl Future<Output = Result<HelmOutput, HelmError>> + Send + 'a {
        self.call(HelmCall {
            args,
            input: None,
            release: Some(release),
        })
    }

    /// Runs `helm ARGS` with `input` on its standard input.
    fn run_with_input<'a>(
        &'a self,
        args: &'a [String],
        input: &'a str,
    ) -> impl Future<Output = Result<HelmOutput, HelmError>> + Send + 'a {
        self.call(HelmCall {
            args,
            input: Some(input),
            release: None,
        })
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
