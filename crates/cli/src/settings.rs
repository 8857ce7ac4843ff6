//! Parsed flags plus environment variables and defaults, resolved into plain settings and the
//! library's options. Nothing below this module sees clap types.

use std::io::IsTerminal;
use std::path::PathBuf;

use windlass::project::LoadOptions;

use std::sync::Arc;

use std::time::Duration;

use windlass::cancel::Cancellation;
use windlass::events::Events;
use windlass::graph::NeedsMode;
use windlass::helm::argv::TemplateFlags;
use windlass::helm::{HelmError, HelmProcess};
use windlass::ops::deps::DepsOptions;
use windlass::ops::destroy::DestroyOptions;
use windlass::ops::fetch::FetchOptions;
use windlass::ops::renderer::Renderer;
use windlass::ops::status::StatusSettings;
use windlass::ops::sync::SyncOptions;
use windlass::ops::template::TemplateOptions;
use windlass::plan::{CommandLineValues, Selection};
use windlass::secrets::{AgeIdentities, DecryptOptions, SecretsError};

use windlass::diff::{Comparison, DiffError, DiffOptions, IgnoreRules};
use windlass::kube::{Driver, KubeconfigFiles};
use windlass::ops::diff::{DiffSettings, RecordSource};

use crate::args::{
    Command, CompareArgs, DepsArgs, DestroyArgs, FetchArgs, GlobalArgs, LintArgs, LogLevel,
    ReleaseArgs, RendererArg, SyncArgs, TemplateArgs,
};

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
    /// `--helm-binary`, if given.
    pub helm_binary: Option<PathBuf>,
    /// How many releases run at once (0: one per core).
    pub concurrency: usize,
    /// The `sops` binary for files whose keys windlass does not decrypt itself.
    pub sops_binary: Option<PathBuf>,
    /// `--kubeconfig`, handed to helm as `KUBECONFIG`.
    pub kubeconfig: Option<PathBuf>,
    /// How long running helm processes get to stop after SIGTERM.
    pub grace_period: Duration,
    /// `PATH`, where helm is looked up.
    pub search_path: Option<String>,
    /// Whether runs show a live view: stderr is a terminal, no `NO_COLOR`, no `CI`, and the log
    /// level is not `debug` (whose helm lines need plain output).
    pub live_progress: bool,
    /// Exit 0 instead of 3 when the selectors match no release.
    pub allow_no_matching_release: bool,
    /// `HELM_DRIVER`: where helm keeps its release records.
    pub helm_driver: Option<String>,
    /// The kubeconfig files the cluster is read with, found as kubectl finds them.
    pub kubeconfig_files: KubeconfigFiles,
    /// `--enable-live-output`: helm's output printed as it comes.
    pub live_output: bool,
    /// `--oci-plain-http`: OCI registries over plain HTTP.
    pub oci_plain_http: bool,
    /// Where fetched charts are kept: `$WINDLASS_CACHE_DIR/charts`, else
    /// `$XDG_CACHE_HOME/windlass/charts`, else `~/.cache/windlass/charts`.
    pub chart_cache: Option<PathBuf>,
    /// helm's repository file, where `helm repo add` writes: `$HELM_REPOSITORY_CONFIG`, else
    /// `repositories.yaml` in `$HELM_CONFIG_HOME`, `$XDG_CONFIG_HOME/helm` or `~/.config/helm`.
    pub helm_repository_config: Option<PathBuf>,
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
        let no_color = env("NO_COLOR").is_some_and(|v| !v.is_empty());
        let ci = env("CI").is_some_and(|v| !v.is_empty() && v != "false");
        let live_progress = std::io::stderr().is_terminal()
            && !no_color
            && !ci
            && !args.quiet
            && args.log_level < LogLevel::Debug;
        let color = if args.no_color || no_color {
            anstream::ColorChoice::Never
        } else if args.color {
            anstream::ColorChoice::Always
        } else {
            anstream::ColorChoice::Auto
        };
        let kubeconfig_files = KubeconfigFiles::discover(args.kubeconfig.as_deref(), &cwd, &env);
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
            grace_period: Duration::from_secs(args.grace_period),
            search_path: env("PATH"),
            live_progress,
            allow_no_matching_release: args.allow_no_matching_release,
            helm_driver: env("HELM_DRIVER"),
            kubeconfig_files,
            live_output: args.enable_live_output,
            oci_plain_http: args.oci_plain_http,
            chart_cache: cache_dir(&env).map(|dir| dir.join("charts")),
            helm_repository_config: helm_repository_config(&env),
        }
    }
}

/// The value of the environment variable `name` as a path, when it is set and not empty.
fn path_from(env: &impl Fn(&str) -> Option<String>, name: &str) -> Option<PathBuf> {
    env(name).filter(|v| !v.is_empty()).map(PathBuf::from)
}

/// windlass's cache folder, as the XDG base directory rules place it.
fn cache_dir(env: &impl Fn(&str) -> Option<String>) -> Option<PathBuf> {
    path_from(env, "WINDLASS_CACHE_DIR")
        .or_else(|| path_from(env, "XDG_CACHE_HOME").map(|d| d.join("windlass")))
        .or_else(|| path_from(env, "HOME").map(|d| d.join(".cache/windlass")))
}

/// helm's repository file, as helm finds it on Linux.
fn helm_repository_config(env: &impl Fn(&str) -> Option<String>) -> Option<PathBuf> {
    path_from(env, "HELM_REPOSITORY_CONFIG").or_else(|| {
        path_from(env, "HELM_CONFIG_HOME")
            .or_else(|| path_from(env, "XDG_CONFIG_HOME").map(|d| d.join("helm")))
            .or_else(|| path_from(env, "HOME").map(|d| d.join(".config/helm")))
            .map(|d| d.join("repositories.yaml"))
    })
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
    pub fn template_options(&self, args: &TemplateArgs) -> TemplateOptions {
        TemplateOptions {
            flags: TemplateFlags {
                include_crds: args.include_crds,
                skip_tests: args.skip_tests,
                kube_version: args.kube_version.clone(),
                show_only: args.show_only.clone(),
                is_upgrade: false,
                no_hooks: false,
            },
            skip_deps: args.skip_deps,
            output_dir: args.output_dir.clone(),
            output_dir_template: args.output_dir_template.clone(),
            renderer: renderer(args.renderer),
            working_dir: self.load.dir.clone(),
            chart_cache: self.chart_cache.clone(),
        }
    }

    /// `lint`'s options: none of `template`'s output flags.
    pub fn lint_options(&self, args: &LintArgs) -> TemplateOptions {
        TemplateOptions {
            flags: TemplateFlags::default(),
            skip_deps: args.skip_deps,
            output_dir: None,
            output_dir_template: None,
            renderer: Renderer::Helm,
            working_dir: self.load.dir.clone(),
            chart_cache: self.chart_cache.clone(),
        }
    }

    /// Whether what goes to stderr is coloured.
    pub fn stderr_color(&self) -> bool {
        match self.color {
            anstream::ColorChoice::Always | anstream::ColorChoice::AlwaysAnsi => true,
            anstream::ColorChoice::Never => false,
            _ => std::io::stderr().is_terminal(),
        }
    }

    /// `destroy`'s options.
    pub fn destroy_options(&self, args: &DestroyArgs) -> DestroyOptions {
        DestroyOptions {
            skip_charts: args.skip_charts,
            cascade: args.cascade.clone(),
            delete_wait: args.delete_wait,
            delete_timeout: Some(args.delete_timeout).filter(|t| *t != 0),
        }
    }

    /// What `diff` and `apply` compare and how they show it; a bad `--ignore` or
    /// `--suppress-output-line-regex` is an error.
    pub fn diff_settings(&self, args: &CompareArgs) -> Result<DiffSettings, DiffError> {
        let comparison = match (args.live, args.server_side) {
            (true, true) => Comparison::ServerSide,
            (true, false) => Comparison::Live,
            _ => Comparison::Release,
        };
        Ok(DiffSettings {
            comparison,
            options: DiffOptions {
                context: args.context,
                show_secrets: args.show_secrets,
                suppress_secrets: args.suppress_secrets,
                ignore: IgnoreRules::new(
                    &args.suppress,
                    &args.ignore,
                    &args.suppress_output_line_regex,
                )?,
                no_hooks: args.no_hooks,
            },
            skip_deps: args.skip_deps,
            kube_version: args.kube_version.clone(),
            records: self.record_source(),
            kubeconfig: self.kubeconfig_files.clone(),
            chart_cache: self.chart_cache.clone(),
            renderer: renderer(args.renderer),
            working_dir: self.load.dir.clone(),
        })
    }

    /// Where the deployed releases are read: helm's records, from the cluster for the storage
    /// drivers windlass reads (`HELM_DRIVER` secret or configmap), else through helm.
    fn record_source(&self) -> RecordSource {
        match Driver::from_helm_driver(self.helm_driver.as_deref()) {
            Some(driver) => RecordSource::Cluster(driver),
            None => RecordSource::Helm,
        }
    }

    /// `status`'s settings.
    pub fn status_settings(&self) -> StatusSettings {
        StatusSettings {
            records: self.record_source(),
            kubeconfig: self.kubeconfig_files.clone(),
        }
    }

    /// `fetch`'s options.
    pub fn fetch_options(&self, args: &FetchArgs) -> FetchOptions {
        FetchOptions {
            output_dir: args.output_dir.clone(),
            output_dir_template: Some(args.output_dir_template.clone()),
            skip_deps: args.skip_deps,
        }
    }

    /// `sync`'s options.
    pub fn sync_options(&self, args: &SyncArgs) -> SyncOptions {
        SyncOptions {
            skip_deps: args.skip_deps,
            chart_cache: self.chart_cache.clone(),
        }
    }

    /// `deps`' options.
    pub fn deps_options(&self, args: &DepsArgs) -> DepsOptions {
        DepsOptions {
            skip_repos: args.skip_repos,
            concurrency: self.concurrency,
            chart_cache: self.chart_cache.clone(),
        }
    }

    /// Helm, located once: `--helm-binary`, else the state file's `helmBinary`, else `helm`,
    /// as a path or looked up on `PATH`; its messages go to `events` and `cancel` stops it.
    /// With `live`, helm's output is emitted line by line as it runs (`--enable-live-output`).
    pub fn helm(
        &self,
        state_binary: Option<&str>,
        events: Arc<dyn Events>,
        cancel: Cancellation,
        live: bool,
    ) -> Result<HelmProcess, HelmError> {
        let binary = match (&self.helm_binary, state_binary) {
            (Some(binary), _) => binary.clone(),
            (None, Some(binary)) => PathBuf::from(binary),
            (None, None) => PathBuf::from("helm"),
        };
        let mut helm = HelmProcess::locate(
            &binary,
            &self.load.dir,
            self.search_path.as_deref().map(std::ffi::OsStr::new),
        )?
        .with_events(events)
        .with_cancellation(cancel);
        if let Some(kubeconfig) = &self.kubeconfig {
            helm = helm.with_env("KUBECONFIG", kubeconfig);
        }
        if live {
            helm = helm.with_live_output();
        }
        Ok(helm)
    }

    /// Which releases `command` acts on: the `-l` selectors and its needs flags, as Helmfile
    /// reads them.
    pub fn selection(&self, command: &Command) -> Selection {
        let needs = match release_args(command) {
            Some(args) if args.include_needs || args.include_transitive_needs => {
                // Helmfile's --include-needs pulls in needs of needs as well (its own tests say so).
                NeedsMode::IncludeTransitive
            }
            Some(args) if args.skip_needs == Some(false) => NeedsMode::Strict,
            _ => NeedsMode::Skip,
        };
        Selection {
            selectors: self.selectors.clone(),
            needs,
        }
    }

    /// What the command line adds to every release (`--values`, `--set`, `--args`).
    pub fn command_line(&self, command: &Command) -> CommandLineValues {
        match release_args(command) {
            Some(args) => CommandLineValues {
                values: self.absolute(&args.values),
                set: args.set.clone(),
                args: split_args(args.args.clone()),
            },
            None => CommandLineValues::default(),
        }
    }
}

/// The per-release flags of the commands that have them.
fn release_args(command: &Command) -> Option<&ReleaseArgs> {
    match command {
        Command::Template(args) => Some(&args.releases),
        Command::Lint(args) => Some(&args.releases),
        Command::Sync(args) => Some(&args.releases),
        Command::Diff(args) => Some(&args.releases),
        Command::Apply(args) => Some(&args.releases),
        Command::Destroy(_)
        | Command::Status(_)
        | Command::List(_)
        | Command::Build(_)
        | Command::WriteValues(_)
        | Command::Fetch(_)
        | Command::Deps(_)
        | Command::Repos(_)
        | Command::Graph(_) => None,
    }
}

/// The first executable `name` in the folders of `$PATH`.
fn find_on_path(name: &str, env: impl Fn(&str) -> Option<String>) -> Option<PathBuf> {
    let path = env("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
}

/// `--args "a b"`: the words of the string.
fn split_args(args: Option<String>) -> Vec<String> {
    args.map(|a| a.split_whitespace().map(String::from).collect())
        .unwrap_or_default()
}

/// The library's renderer for `--renderer`.
fn renderer(arg: RendererArg) -> Renderer {
    match arg {
        RendererArg::Helm => Renderer::Helm,
        RendererArg::Native => Renderer::Native,
        RendererArg::Auto => Renderer::Auto,
    }
}
