//! Parsed flags plus environment variables and defaults, resolved into plain settings and the
//! library's options. Nothing below this module sees clap types.

use std::path::PathBuf;

use windlass::project::LoadOptions;

use std::sync::Arc;

use windlass::helm::argv::{TemplateFlags, UpgradeFlags};
use windlass::ops::renderer::Renderer;
use windlass::ops::sync::SyncOptions;
use windlass::ops::template::TemplateOptions;
use windlass::secrets::{AgeIdentities, DecryptOptions, SecretsError};

use crate::args::{GlobalArgs, LogLevel, RendererArg, SyncArgs, TemplateArgs};

/// Everything a command needs to know besides its own flags.
#[derive(Debug)]
pub struct Settings {
    /// How to load the project.
    pub load: LoadOptions,
    /// `-l` selectors; several are OR-ed.
    pub selectors: Vec<String>,
    /// Whether stdout and stderr get colours.
    pub color: anstream::ColorChoice,
    /// The loudest diagnostics to print.
    pub log_level: LogLevel,
    /// The helm binary to run.
    pub helm_binary: PathBuf,
    /// How many releases run at once (0: one per core).
    pub concurrency: usize,
    /// The `sops` binary for files whose keys windlass does not decrypt itself.
    pub sops_binary: Option<PathBuf>,
    /// `--kubeconfig`, handed to helm as `KUBECONFIG`.
    pub kubeconfig: Option<PathBuf>,
}

impl Settings {
    /// Resolves the global flags; `env` reads an environment variable, `cwd` is the current folder.
    pub fn new(args: GlobalArgs, env: impl Fn(&str) -> Option<String>, cwd: PathBuf) -> Self {
        let environment = args
            .environment
            .or_else(|| env("WINDLASS_ENVIRONMENT"))
            .or_else(|| env("HELMFILE_ENVIRONMENT"))
            .filter(|e| !e.is_empty())
            .unwrap_or_else(|| "default".to_string());
        let color = if args.no_color || env("NO_COLOR").is_some_and(|v| !v.is_empty()) {
            anstream::ColorChoice::Never
        } else if args.color {
            anstream::ColorChoice::Always
        } else {
            anstream::ColorChoice::Auto
        };
        Self {
            load: LoadOptions {
                dir: cwd.clone(),
                file: args.file,
                environment,
                state_values_set: args.state_values_set,
                state_values_files: args.state_values_file,
                namespace: args.namespace,
                kube_context: args.kube_context,
                decrypt: Default::default(),
                env: Default::default(),
            },
            selectors: args.selectors,
            color,
            log_level: if args.quiet {
                LogLevel::Error
            } else {
                args.log_level
            },
            helm_binary: args.helm_binary,
            concurrency: args.concurrency,
            sops_binary: args.sops_binary.or_else(|| find_on_path("sops", &env)),
            kubeconfig: args.kubeconfig,
        }
    }
}

impl Settings {
    /// The load options with SOPS decryption set up: age identities found where sops finds them
    /// (`SOPS_AGE_KEY`, `SOPS_AGE_KEY_FILE`, `~/.config/sops/age/keys.txt`...).
    /// A key source that cannot be read (say `SOPS_AGE_KEY_FILE` names a missing file) does not
    /// stop commands that need no secrets: it comes back beside the options, to report as a
    /// warning, and decryption then fails naming the files' recipients.
    pub fn load_options(&self) -> (LoadOptions, Option<SecretsError>) {
        let (identities, problem) = match AgeIdentities::discover(&|name| std::env::var(name).ok())
        {
            Ok(identities) => (identities, None),
            Err(problem) => (AgeIdentities::default(), Some(problem)),
        };
        let decrypt = DecryptOptions {
            identities,
            sops_binary: self.sops_binary.clone(),
            sops_env: Vec::new(),
        };
        let options = LoadOptions {
            decrypt: Arc::new(decrypt),
            env: Arc::new(std::env::vars().collect()),
            ..self.load.clone()
        };
        (options, problem)
    }

    /// Command-line values files made absolute, as Helmfile passes them to helm.
    fn absolute(&self, files: &[PathBuf]) -> Vec<String> {
        files
            .iter()
            .map(|v| self.load.dir.join(v).to_string_lossy().into_owned())
            .collect()
    }

    /// `template`'s options.
    pub fn template_options(&self, args: TemplateArgs) -> TemplateOptions {
        TemplateOptions {
            flags: TemplateFlags {
                include_crds: args.include_crds,
                skip_tests: args.skip_tests,
                values: self.absolute(&args.releases.values),
                set: args.releases.set,
                args: split_args(args.releases.args),
                kube_version: args.kube_version,
                show_only: args.show_only,
            },
            skip_deps: args.skip_deps,
            concurrency: self.concurrency,
            output_dir: args.output_dir,
            output_dir_template: args.output_dir_template,
            renderer: match args.renderer {
                RendererArg::Helm => Renderer::Helm,
                RendererArg::Native => Renderer::Native,
                RendererArg::Auto => Renderer::Auto,
            },
            working_dir: self.load.dir.clone(),
        }
    }
}

/// The first executable `name` in the folders of `$PATH`.
fn find_on_path(name: &str, env: impl Fn(&str) -> Option<String>) -> Option<PathBuf> {
    let path = env("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
}

impl Settings {
    /// `sync`'s options.
    pub fn sync_options(&self, args: SyncArgs) -> SyncOptions {
        SyncOptions {
            skip_deps: args.skip_deps,
            concurrency: self.concurrency,
            flags: UpgradeFlags {
                values: self.absolute(&args.releases.values),
                set: args.releases.set,
                args: split_args(args.releases.args),
                ..Default::default()
            },
        }
    }
}

/// `--args "a b"`: the words of the string.
fn split_args(args: Option<String>) -> Vec<String> {
    args.map(|a| a.split_whitespace().map(String::from).collect())
        .unwrap_or_default()
}
