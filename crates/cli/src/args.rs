//! The command line, as clap types only; `settings.rs` turns them into library options.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Deploy many Helm releases across many environments (Helmfile-compatible).
#[derive(Debug, Parser)]
#[command(
    name = "windlass",
    version = crate::help::VERSION,
    max_term_width = 100,
    after_help = crate::help::main()
)]
pub struct Cli {
    /// Options shared by every command.
    #[command(flatten)]
    pub global: GlobalArgs,
    /// What to do.
    #[command(subcommand)]
    pub command: TopLevel,
}

/// Every command: those that act on a project, and those that need none.
#[derive(Debug, Subcommand)]
pub enum TopLevel {
    /// Commands that load a project.
    #[command(flatten)]
    Project(Command),
    /// Commands that need no project.
    #[command(flatten)]
    Tool(Tool),
}

/// Flags that apply to every command, named as Helmfile names them.
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// State file or folder (charts.yaml, helmfile.yaml[.gotmpl], helmfile.d/)
    #[arg(short = 'f', long = "file", global = true, value_name = "FILE")]
    pub file: Option<PathBuf>,
    /// Environment to use [env: WINDLASS_ENVIRONMENT, HELMFILE_ENVIRONMENT] [default: default]
    #[arg(short = 'e', long = "environment", global = true, value_name = "ENV")]
    pub environment: Option<String>,
    /// Release selector, e.g. tier=web,name!=api; repeat for OR
    #[arg(short = 'l', long = "selector", global = true, value_name = "SELECTOR")]
    pub selectors: Vec<String>,
    /// Kube context for releases that set none
    #[arg(long, global = true, value_name = "CONTEXT")]
    pub kube_context: Option<String>,
    /// Path to the kubeconfig file
    #[arg(long, global = true, value_name = "FILE")]
    pub kubeconfig: Option<PathBuf>,
    /// Namespace for every release (overrides the state files)
    #[arg(short = 'n', long, global = true, value_name = "NAMESPACE")]
    pub namespace: Option<String>,
    /// The helm binary to run [default: the state file's helmBinary, else helm on PATH]
    #[arg(short = 'b', long, global = true, value_name = "PATH")]
    pub helm_binary: Option<PathBuf>,
    /// sops binary for secrets encrypted with PGP, cloud KMS or Vault [default: sops on PATH]
    #[arg(long, global = true, value_name = "PATH")]
    pub sops_binary: Option<PathBuf>,
    /// Set state values (key=value,key2=value2), over the environment's
    #[arg(long, global = true, value_name = "SET")]
    pub state_values_set: Vec<String>,
    /// A YAML file of state values, over the environment's
    #[arg(long, global = true, value_name = "FILE")]
    pub state_values_file: Vec<PathBuf>,
    /// How many releases run at once (0: one per core)
    #[arg(long, global = true, value_name = "N", default_value_t = 0)]
    pub concurrency: usize,
    /// On Ctrl-C or SIGTERM, how long running helm commands get to stop before they are killed
    #[arg(long, global = true, value_name = "SECONDS", default_value_t = 30)]
    pub grace_period: u64,
    /// Colour the output even when it is not a terminal
    #[arg(long, global = true, conflicts_with = "no_color")]
    pub color: bool,
    /// Never colour the output
    #[arg(long, global = true)]
    pub no_color: bool,
    /// Print only errors
    #[arg(short, long, global = true)]
    pub quiet: bool,
    /// How much to say on stderr
    #[arg(long, global = true, value_enum, default_value_t = LogLevel::Info)]
    pub log_level: LogLevel,
    /// Exit 0 instead of 3 when the selectors match no release
    #[arg(long, global = true)]
    pub allow_no_matching_release: bool,
    /// Reach OCI registries over plain HTTP (pulls, and dependency updates with helm 4)
    #[arg(long, global = true)]
    pub oci_plain_http: bool,
    /// Print helm's output as it runs (not for template, whose output is the manifests)
    #[arg(long, global = true)]
    pub enable_live_output: bool,
}

/// Verbosity of diagnostics on stderr.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, ValueEnum)]
pub enum LogLevel {
    /// Errors only.
    Error,
    /// Errors and warnings.
    Warn,
    /// Also informational messages.
    Info,
    /// Everything.
    Debug,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Diff, then sync the releases that changed
    Apply(ApplyArgs),
    /// Show what sync would change
    Diff(DiffArgs),
    /// Install or upgrade every selected release
    #[command(after_help = crate::help::sync())]
    Sync(SyncArgs),
    /// Render the manifests of every selected release
    #[command(after_help = crate::help::template())]
    Template(TemplateArgs),
    /// Download every selected release's chart into a folder
    Fetch(FetchArgs),
    /// Run helm lint on every selected release
    #[command(after_help = crate::help::lint())]
    Lint(LintArgs),
    /// Uninstall every selected release, dependents first
    Destroy(DestroyArgs),
    /// Show the status of every selected release
    Status(StatusArgs),
    /// List the releases of the environment
    #[command(after_help = crate::help::list())]
    List(ListArgs),
    /// Print the fully resolved state of the environment as YAML
    #[command(after_help = crate::help::build())]
    Build(BuildArgs),
    /// Write the merged values of every selected release to files
    #[command(after_help = crate::help::write_values())]
    WriteValues(WriteValuesArgs),
    /// Update the dependencies of local charts and lock the versions of remote charts
    Deps(DepsArgs),
    /// Add and update the chart repositories
    Repos(PassThrough),
    /// Print the release dependency graph
    #[command(after_help = crate::help::graph())]
    Graph(GraphArgs),
}

/// Flags of a command that is not implemented yet, accepted so scripts fail with a clear message.
#[derive(Debug, Args)]
pub struct PassThrough {
    /// Flags for the command
    #[arg(trailing_var_arg = true, allow_hyphen_values = true, hide = true)]
    pub rest: Vec<String>,
}

/// `deps` flags (Helmfile's).
#[derive(Debug, Args)]
pub struct DepsArgs {
    /// Do not add the repositories first
    #[arg(long)]
    pub skip_repos: bool,
}

/// `template` flags (Helmfile's).
#[derive(Debug, Args)]
pub struct TemplateArgs {
    /// Do not build local charts' dependencies first
    #[arg(long)]
    pub skip_deps: bool,
    /// Include CRDs in the output
    #[arg(long)]
    pub include_crds: bool,
    /// Leave out the charts' tests
    #[arg(long)]
    pub skip_tests: bool,
    /// Values, helm arguments and needs for every release.
    #[command(flatten)]
    pub releases: ReleaseArgs,
    /// Only render these templates of the charts (helm's --show-only)
    #[arg(long, value_name = "TEMPLATE")]
    pub show_only: Vec<String>,
    /// Kubernetes version for the charts' Capabilities, over the releases' kubeVersion
    #[arg(long, value_name = "VERSION")]
    pub kube_version: Option<String>,
    /// Write the manifests under this folder instead of printing them
    #[arg(long, value_name = "DIR")]
    pub output_dir: Option<String>,
    /// Go template of each release's folder under --output-dir
    #[arg(long, value_name = "TEMPLATE", requires = "output_dir")]
    pub output_dir_template: Option<String>,
    /// Who renders the charts: helm, windlass in process (native), or native when it can
    /// stand in for the helm in use (auto)
    #[arg(long, value_enum, default_value_t = RendererArg::Auto)]
    pub renderer: RendererArg,
}

/// `--renderer`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RendererArg {
    /// `helm template` for every release.
    Helm,
    /// windlass's in-process renderer (helm 3.17's behaviour).
    Native,
    /// native with helm 3.17, helm otherwise or when the native render fails.
    Auto,
}

/// `lint` flags (Helmfile's): the per-release ones, none of `template`'s output flags.
#[derive(Debug, Args)]
pub struct LintArgs {
    /// Do not build local charts' dependencies first
    #[arg(long)]
    pub skip_deps: bool,
    /// Values, helm arguments and needs for every release.
    #[command(flatten)]
    pub releases: ReleaseArgs,
}

/// Flags of the commands that run helm per release (`template`, `lint`, `sync`).
#[derive(Debug, Args)]
pub struct ReleaseArgs {
    /// Set a value on every release (key=value), after the releases' own
    #[arg(long, value_name = "SET")]
    pub set: Vec<String>,
    /// Add a values file to every release, after the releases' own
    #[arg(long, value_name = "FILE")]
    pub values: Vec<std::path::PathBuf>,
    /// Extra arguments for helm, split on spaces
    #[arg(long, value_name = "ARGS", allow_hyphen_values = true)]
    pub args: Option<String>,
    /// Also run what the selected releases need (Helmfile pulls in needs of needs too)
    #[arg(long)]
    pub include_needs: bool,
    /// Also run everything the selected releases need, directly or not
    #[arg(long)]
    pub include_transitive_needs: bool,
    /// Ignore the needs of selected releases that are not selected (the default); with =false
    /// a selected release that needs an unselected one is an error
    #[arg(long, value_name = "BOOL", num_args = 0..=1, default_missing_value = "true")]
    pub skip_needs: Option<bool>,
}

/// What `diff` and `apply` compare, and how a diff is shown.
#[derive(Debug, Args)]
pub struct CompareArgs {
    /// Do not build local charts' dependencies first
    #[arg(long)]
    pub skip_deps: bool,
    /// Compare with the live objects in the cluster (fields the manifests set), not only with
    /// the deployed releases
    #[arg(long)]
    pub live: bool,
    /// With --live: diff a server-side-apply dry run of each object (needs patch permission)
    #[arg(long, requires = "live")]
    pub server_side: bool,
    /// Unchanged lines shown around each change [default: the whole object]
    #[arg(long, value_name = "N")]
    pub context: Option<usize>,
    /// Show the values of Secrets instead of markers
    #[arg(long, conflicts_with = "suppress_secrets")]
    pub show_secrets: bool,
    /// Show no content of Secrets, only that they change
    #[arg(long)]
    pub suppress_secrets: bool,
    /// Leave objects of this kind out (repeatable)
    #[arg(long, value_name = "KIND")]
    pub suppress: Vec<String>,
    /// Ignore a field, e.g. apps/Deployment:/spec/replicas (repeatable)
    #[arg(long, value_name = "GROUP/KIND:JSON_POINTER")]
    pub ignore: Vec<String>,
    /// Hide changed lines matching this regular expression (repeatable)
    #[arg(long, value_name = "REGEX")]
    pub suppress_output_line_regex: Vec<String>,
    /// Leave hooks out of the comparison
    #[arg(long)]
    pub no_hooks: bool,
    /// Kubernetes version the manifests are rendered for [default: the cluster's]
    #[arg(long, value_name = "VERSION")]
    pub kube_version: Option<String>,
    /// Who renders the desired manifests: helm, windlass in process (native), or native when
    /// it can stand in for the helm in use (auto)
    #[arg(long, value_enum, default_value_t = RendererArg::Auto)]
    pub renderer: RendererArg,
}

/// `diff` flags.
#[derive(Debug, Args)]
pub struct DiffArgs {
    /// Values, helm arguments and needs for every release.
    #[command(flatten)]
    pub releases: ReleaseArgs,
    /// What is compared and how.
    #[command(flatten)]
    pub compare: CompareArgs,
    /// Output format
    #[arg(long, value_enum, default_value_t = DiffFormat::Diff)]
    pub output: DiffFormat,
    /// Exit 2 when something would change, 0 when nothing would, 1 on errors
    #[arg(long)]
    pub detailed_exitcode: bool,
}

/// Formats of `diff`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    /// Each changed object with its changed lines.
    Diff,
    /// One line per changed object and a plan per release.
    Simple,
    /// One JSON document for the whole run (progress and messages on stderr).
    Json,
}

/// `apply` flags.
#[derive(Debug, Args)]
pub struct ApplyArgs {
    /// Values, helm arguments and needs for every release.
    #[command(flatten)]
    pub releases: ReleaseArgs,
    /// What is compared and how.
    #[command(flatten)]
    pub compare: CompareArgs,
    /// Do not print the diff before applying
    #[arg(long)]
    pub suppress_diff: bool,
    /// Ask for confirmation (on a terminal) before changing anything
    #[arg(short, long)]
    pub interactive: bool,
    /// Exit 2 when something was applied, 0 when nothing needed to be, 1 on errors
    #[arg(long)]
    pub detailed_exitcode: bool,
    /// Progress and the diff as text, or one JSON object per event on stdout (the diff in the
    /// report)
    #[arg(long, value_enum, default_value_t = RunFormat::Text)]
    pub output: RunFormat,
}

/// `write-values` flags (Helmfile's).
#[derive(Debug, Args)]
pub struct WriteValuesArgs {
    /// Go template of each output file's path (sees .State, .Release, .Environment)
    #[arg(long, value_name = "TEMPLATE", default_value = windlass::ops::write_values::DEFAULT_OUTPUT_FILE_TEMPLATE)]
    pub output_file_template: String,
    /// Add a values file to every release, after the releases' own
    #[arg(long, value_name = "FILE")]
    pub values: Vec<std::path::PathBuf>,
}

/// `sync` flags (Helmfile's).
#[derive(Debug, Args)]
pub struct SyncArgs {
    /// Do not build local charts' dependencies first
    #[arg(long)]
    pub skip_deps: bool,
    /// Values, helm arguments and needs for every release.
    #[command(flatten)]
    pub releases: ReleaseArgs,
    /// Progress as text on stderr, or one JSON object per event on stdout
    #[arg(long, value_enum, default_value_t = RunFormat::Text)]
    pub output: RunFormat,
}

/// How a run that changes the cluster reports its progress.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RunFormat {
    /// Progress and a summary on stderr.
    Text,
    /// One JSON object per event on stdout, the report last (docs/events.schema.json).
    Json,
}

/// `destroy` flags (Helmfile's).
#[derive(Debug, Args)]
pub struct DestroyArgs {
    /// Run no prepare and no state file hooks (Helmfile prepares no charts then)
    #[arg(long)]
    pub skip_charts: bool,
    /// --cascade for helm uninstall (background, foreground or orphan), for releases that set none
    #[arg(long, value_name = "CASCADE")]
    pub cascade: Option<String>,
    /// Wait until each release's resources are gone (helm uninstall --wait)
    #[arg(long = "deleteWait", alias = "delete-wait")]
    pub delete_wait: bool,
    /// Seconds an uninstall waits, for releases that set no deleteTimeout
    #[arg(
        long = "deleteTimeout",
        alias = "delete-timeout",
        value_name = "SECONDS",
        default_value_t = 300
    )]
    pub delete_timeout: i64,
    /// Ask for confirmation before deleting anything
    #[arg(short, long)]
    pub interactive: bool,
    /// Progress as text on stderr, or one JSON object per event on stdout
    #[arg(long, value_enum, default_value_t = RunFormat::Text)]
    pub output: RunFormat,
}

/// `status` flags.
#[derive(Debug, Args)]
pub struct StatusArgs {
    /// Output format
    #[arg(long, value_enum, default_value_t = ListFormat::Table)]
    pub output: ListFormat,
    /// Exit 2 when a release is not installed, not deployed or not healthy
    #[arg(long)]
    pub detailed_exitcode: bool,
}

/// `fetch` flags (Helmfile's).
#[derive(Debug, Args)]
pub struct FetchArgs {
    /// Do not add the repositories first
    #[arg(long)]
    pub skip_deps: bool,
    /// Where the charts go [default: a temporary folder, removed afterwards]
    #[arg(long, value_name = "DIR")]
    pub output_dir: Option<PathBuf>,
    /// Go template of each chart's folder (.OutputDir, .ChartName, .Release, .Environment)
    #[arg(long, value_name = "TEMPLATE", default_value = windlass::ops::fetch::DEFAULT_FETCH_OUTPUT_DIR_TEMPLATE)]
    pub output_dir_template: String,
}

/// `build` flags.
#[derive(Debug, Args)]
pub struct BuildArgs {
    /// Replace values file paths with their content (values decrypted from secrets are masked)
    #[arg(long)]
    pub embed_values: bool,
}

/// `list` flags.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Output format
    #[arg(long, value_enum, default_value_t = ListFormat::Table)]
    pub output: ListFormat,
    /// Add each release's deployed revision and status (asks helm, per kube context)
    #[arg(long)]
    pub deployed: bool,
    /// Do not prepare the charts first (Helmfile 1.x's flag; windlass's list never touches charts)
    #[arg(long)]
    pub skip_charts: bool,
}

/// Formats of `list`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    /// Aligned columns, as Helmfile prints them.
    Table,
    /// A JSON array, one object per release.
    Json,
}

/// `graph` flags.
#[derive(Debug, Args)]
pub struct GraphArgs {
    /// Output format
    #[arg(long, value_enum, default_value_t = GraphFormat::Text)]
    pub output: GraphFormat,
}

/// Formats of `graph`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GraphFormat {
    /// Each release with what it needs, in dependency order.
    Text,
    /// Graphviz.
    Dot,
}

/// The commands that need no project.
#[derive(Debug, Subcommand)]
pub enum Tool {
    /// Print a shell completion script
    #[command(after_help = crate::help::completion())]
    Completion(CompletionArgs),
    /// Print the JSON Schema of charts.yaml, cluster.yaml or helmfile.yaml, for editors
    #[command(after_help = crate::help::schema())]
    Schema(SchemaArgs),
}

/// `completion` arguments.
#[derive(Debug, Args)]
pub struct CompletionArgs {
    /// The shell to complete in
    #[arg(value_enum)]
    pub shell: Shell,
}

/// The shells `completion` writes scripts for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Shell {
    /// Bash 4.4 or later.
    Bash,
    /// Zsh.
    Zsh,
    /// Fish.
    Fish,
}

/// `schema` arguments.
#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("what").required(true))]
pub struct SchemaArgs {
    /// The file whose schema to print
    #[arg(value_enum, value_name = "FILE", group = "what")]
    pub kind: Option<SchemaFileArg>,
    /// Write every schema into this folder instead (charts.schema.json, cluster.schema.json,
    /// helmfile.schema.json)
    #[arg(long, value_name = "DIR", group = "what")]
    pub output_dir: Option<PathBuf>,
}

/// The files `schema` describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SchemaFileArg {
    /// charts.yaml (layout A's release catalog).
    Charts,
    /// environments/<env>/cluster.yaml (layout A's environments).
    Cluster,
    /// helmfile.yaml, helmfile.d/*.yaml and bases (layout B).
    Helmfile,
}
