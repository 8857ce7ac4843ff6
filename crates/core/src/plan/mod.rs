//! The plan: the resolved desired state of one environment and selection.
//!
//! [`Plan::build`] answers, once and before any helm call that changes anything, every question a
//! command could ask about a release: its id, kube context, chart, version, values (rendered,
//! decrypted and written `0600` in a private folder), `--set` flags, every helm setting with its
//! defaults applied, what should become of it ([`Desired`]) and its hooks; plus the dependency
//! graph of the selection and the repositories its charts need; remote charts take the versions
//! their state file's `helmfile.lock` pins. Commands read only the plan:
//! argv builders take a [`PlannedRelease`], the runner walks [`Plan::dag`].
//!
//! A plan owns the private folder of its values files; dropping the plan removes it.

mod chart;
mod chartify;
mod error;
mod hooks;
mod release;
mod select;
mod settings;
mod unsupported;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use sha2::{Digest, Sha256};
use tokio_util::sync::CancellationToken;

use crate::graph::{Dag, ReleaseId};
use crate::helm::HelmVersion;
use crate::location::Location;
use crate::project::template_data;
use crate::project::{Diagnostic, MissingFileHandler, Project, Release, Repository, StateFile};
use crate::secrets::PrivateDir;
use crate::template::MissingKey;
use crate::values::ValuesReader;

pub use chart::ChartRef;
pub(crate) use chart::clean;
pub use chartify::{AdhocDependency, Chartify};
pub use error::PlanError;
pub use hooks::{HookEvent, HookScope, PlannedHook};
pub use release::{CommandLineValues, Desired, PlannedRelease, PlannedValues, WrittenValues};
pub use select::Selection;
pub use settings::HelmSettings;

/// How a plan is built.
#[derive(Debug, Clone)]
pub struct PlanOptions {
    /// Prepare the releases for running: check that windlass can do everything their fields
    /// ask for, and render, decrypt and write the values of the releases to install. Commands
    /// that only look at the selection (`list`, `build`, `graph`, `repos`, `deps`) leave it off.
    pub prepare: bool,
    /// The helm version the plan is for, when known: settings that need another version
    /// (`forceConflicts` needs helm 4...) are errors then.
    pub helm_version: Option<HelmVersion>,
    /// What the command line adds to every release.
    pub command_line: CommandLineValues,
    /// The repositories helm already knows ([`crate::charts::helm_repository_names`]), when
    /// known: a `repo/chart` whose repository is neither declared in a state file nor among
    /// these is then an error before any helm call. `None` leaves that to helm.
    pub helm_repositories: Option<Vec<String>>,
    /// Stops the build between two releases (a signal arrived); the build then returns
    /// [`PlanError::Cancelled`].
    pub cancel: CancellationToken,
    /// `--oci-plain-http`: reach OCI registries over plain HTTP.
    pub oci_plain_http: bool,
}

impl Default for PlanOptions {
    fn default() -> Self {
        Self {
            prepare: true,
            helm_version: None,
            command_line: CommandLineValues::default(),
            helm_repositories: None,
            cancel: CancellationToken::new(),
            oci_plain_http: false,
        }
    }
}

/// The desired state of the selected releases of one environment.
#[derive(Debug)]
pub struct Plan {
    /// The project root: local chart paths are relative to it.
    pub root: PathBuf,
    /// The environment it is for.
    pub environment: String,
    /// The selected releases, in definition order.
    pub releases: Vec<PlannedRelease>,
    /// The dependency graph of the selected releases.
    pub dag: Dag,
    /// The helm version the plan was checked against, when known.
    pub helm_version: Option<HelmVersion>,
    /// How the selection treated the needs of selected releases.
    pub selection: Selection,
    /// The repositories the charts of the releases to install name, each once, in the order the
    /// state files define them (OCI registries included: they need a login, not an add).
    pub repositories: Vec<Repository>,
    /// The state files' own `hooks:` (prepare and cleanup of the whole run), in file order.
    pub hooks: Vec<PlannedHook>,
    /// Findings worth telling that do not stop the run (e.g. a field windlass ignores).
    pub diagnostics: Vec<Diagnostic>,
    /// Positions in `releases`, in Helmfile's run order: dependency groups, definition order
    /// inside each.
    run_order: Vec<usize>,
    /// Where each release is in `releases`.
    by_id: HashMap<ReleaseId, usize>,
    /// The folder of the values files; removed when the plan is dropped.
    private_dir: Option<Arc<PrivateDir>>,
}

impl Plan {
    /// Builds the plan of `selection` in `project`: selects the releases, checks them, and
    /// resolves everything commands need (see the module documentation). Fails, before anything
    /// is changed anywhere, on the first problem of a selected release.
    pub fn build(
        project: &Project,
        selection: &Selection,
        options: &PlanOptions,
    ) -> Result<Plan, PlanError> {
        let selected = select::select(project, selection)?;
        for &index in &selected.releases {
            let release = &project.releases[index];
            if desired(release) == Desired::Install
                && let Some(problem) = release.problems.first()
            {
                return Err(PlanError::Problem(problem.clone()));
            }
        }
        let command_line = Arc::new(options.command_line.clone());
        let mut diagnostics = Vec::new();
        let mut releases = Vec::with_capacity(selected.releases.len());
        for &index in &selected.releases {
            let release = &project.releases[index];
            let planned = plan_release(project, release, index, &command_line, options)?;
            if options.prepare && planned.desired == Desired::Install {
                check_repository(project, release, &planned.chart, options)?;
                unsupported::check(
                    project,
                    release,
                    &planned.settings,
                    options.helm_version,
                    &mut diagnostics,
                )?;
            }
            releases.push(planned);
        }
        // The state files' lock files pin the versions of remote charts, as in Helmfile.
        let pinned = crate::charts::lock::pinned_versions(project)?;
        for release in &mut releases {
            if let Some(version) = pinned.get(release.release_index).cloned().flatten() {
                release.chart_version = Some(version);
            }
        }
        let by_id: HashMap<ReleaseId, usize> = releases
            .iter()
            .enumerate()
            .map(|(i, r)| (r.id.clone(), i))
            .collect();
        let position: HashMap<usize, usize> = releases
            .iter()
            .enumerate()
            .map(|(i, r)| (r.release_index, i))
            .collect();
        let run_order = selected
            .ordered
            .iter()
            .filter_map(|index| position.get(index).copied())
            .collect();
        let private_dir = if options.prepare {
            Some(Arc::new(write_values(project, &mut releases, options)?))
        } else {
            None
        };
        let hooks = state_hooks(project)?;
        Ok(Plan {
            root: project.root.clone(),
            environment: project.environment.name.clone(),
            repositories: repositories(project, &releases),
            releases,
            dag: selected.graph,
            helm_version: options.helm_version,
            selection: selection.clone(),
            hooks,
            diagnostics,
            run_order,
            by_id,
            private_dir,
        })
    }

    /// The release with `id`, if the plan has it.
    pub fn release(&self, id: &ReleaseId) -> Option<&PlannedRelease> {
        self.by_id.get(id).map(|&i| &self.releases[i])
    }

    /// The releases in Helmfile's run order: dependency groups, definition order inside each.
    pub fn in_run_order(&self) -> impl Iterator<Item = &PlannedRelease> {
        self.run_order.iter().map(|&i| &self.releases[i])
    }

    /// Each release's position in the run order (lower runs first when both could).
    pub(crate) fn run_position(&self) -> HashMap<&ReleaseId, usize> {
        self.run_order
            .iter()
            .enumerate()
            .map(|(position, &i)| (&self.releases[i].id, position))
            .collect()
    }

    /// The private folder holding the values files, while the plan lives.
    pub fn private_dir(&self) -> Option<&std::path::Path> {
        self.private_dir.as_deref().map(PrivateDir::path)
    }
}

/// What should become of `release`.
fn desired(release: &Release) -> Desired {
    match (release.enabled, release.installed()) {
        (false, _) => Desired::Disabled,
        (true, true) => Desired::Install,
        (true, false) => Desired::Uninstall,
    }
}

/// The kube context helm runs against for `release`, Helmfile 1.x's `getKubeContext`: the
/// release's own (which the loader already set from `--kube-context`, the state file's
/// `kubeContext:` or `helmDefaults.kubeContext` where Helmfile does), else the environment's,
/// else `helmDefaults.kubeContext`.
fn kube_context(project: &Project, release: &Release) -> Option<String> {
    let non_empty = |c: &Option<String>| c.clone().filter(|c| !c.is_empty());
    non_empty(&release.spec.kube_context)
        .or_else(|| non_empty(&project.environment.kube_context))
        .or_else(|| non_empty(&project.state_of(release).helm_defaults.kube_context))
}

/// Plans one release (without writing its values).
fn plan_release(
    project: &Project,
    release: &Release,
    index: usize,
    command_line: &Arc<CommandLineValues>,
    options: &PlanOptions,
) -> Result<PlannedRelease, PlanError> {
    let state = project.state_of(release);
    let chart_location = || release.field_location("chart");
    let mut chart = ChartRef::classify(release.chart(), &release.base_dir, &state.shown_dir)
        .map_err(|scheme| PlanError::UnsupportedChart {
            location: chart_location(),
            release: release.name().into(),
            chart: release.chart().into(),
            scheme,
        })?;
    let repository = chart
        .repository()
        .and_then(|name| project_repository(project, name));
    if let (Some(repository), ChartRef::Repository { chart: name, .. }) = (repository, &chart)
        && repository.oci
    {
        // Helmfile turns `repo/chart` of an OCI repository into the registry reference.
        chart = ChartRef::Oci {
            url: format!("oci://{}/{name}", repository.url.trim_end_matches('/')),
        };
    }
    let scope = (!release.spec.hooks.is_empty()).then(|| hook_scope(project, state, Some(release)));
    let hooks = release
        .spec
        .hooks
        .iter()
        .zip(scope.iter().cycle())
        .enumerate()
        .map(|(i, (hook, scope))| {
            let location = release.value_location("hooks", i);
            PlannedHook::new(hook, location.clone(), scope.clone()).map_err(|event| {
                PlanError::UnknownHookEvent {
                    location,
                    hook: hook.name.clone(),
                    event,
                }
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let mut settings = HelmSettings::resolve(&release.spec, &state.helm_defaults, repository);
    if options.oci_plain_http {
        settings.oci_plain_http = true;
        if matches!(chart, ChartRef::Oci { .. }) {
            settings.plain_http = true;
            settings.insecure_skip_tls_verify = false;
        }
    }
    if let Some(renderer) = &settings.post_renderer
        && options.helm_version.is_some_and(|h| h.is_helm4())
    {
        settings.post_renderer = Some(helm4_post_renderer(renderer));
    }
    let mut set_flags =
        crate::values::set_flags(&release.spec.set_values, &release.spec.set_string_values);
    set_flags.extend(env_set_flag(project, release)?);
    Ok(PlannedRelease {
        id: release.id.clone(),
        name: release.name().to_string(),
        namespace: release.namespace().to_string(),
        kube_context: kube_context(project, release),
        // Helmfile sets `helmDefaults.kubeContext` from `--kube-context` too.
        defaults_kube_context: project
            .options
            .kube_context
            .clone()
            .or_else(|| state.helm_defaults.kube_context.clone())
            .filter(|c| !c.is_empty()),
        settings,
        chartify: chartify::plan(project, release)?,
        chart,
        chart_version: release.spec.version.clone().filter(|v| !v.is_empty()),
        desired: desired(release),
        values: PlannedValues {
            files: Vec::new(),
            set_flags,
        },
        hooks,
        labels: release.spec.labels.clone(),
        command_line: command_line.clone(),
        location: release.location.clone(),
        release_index: index,
    })
}

/// A post-renderer for helm 4, which runs post-renderer plugins by name: Helmfile 1.x turns a
/// `.bash`/`.sh` script path into the plugin named after the script (`hooks/add.sh` → `add`).
fn helm4_post_renderer(renderer: &str) -> String {
    let path = std::path::Path::new(renderer);
    match path.extension().and_then(|e| e.to_str()) {
        Some("bash" | "sh") => path.file_stem().map_or_else(
            || renderer.to_string(),
            |s| s.to_string_lossy().into_owned(),
        ),
        _ => renderer.to_string(),
    }
}

/// The legacy `env:` entries as one `--set name=$VAR,...` flag pair, as Helmfile builds it; a
/// variable that is not set is an error naming it.
fn env_set_flag(project: &Project, release: &Release) -> Result<Vec<String>, PlanError> {
    let entries = &release.spec.env_values;
    if entries.is_empty() {
        return Ok(Vec::new());
    }
    let mut pairs = Vec::with_capacity(entries.len());
    for entry in entries {
        let variable = entry.value.as_deref().unwrap_or_default();
        match project.options.env.get(variable) {
            Some(value) => pairs.push(format!(
                "{}={}",
                crate::values::escape_set(&entry.name),
                crate::values::escape_set(value)
            )),
            None => {
                return Err(PlanError::Setting {
                    location: release.field_location("env"),
                    release: release.name().into(),
                    message: format!(
                        "environment variable \"{variable}\" (env: {}) is not set",
                        entry.name
                    ),
                });
            }
        }
    }
    Ok(vec!["--set".into(), pairs.join(",")])
}

/// The repository `name` as the first state file that defines it says.
fn project_repository<'p>(project: &'p Project, name: &str) -> Option<&'p Repository> {
    project
        .states
        .iter()
        .flat_map(|s| &s.repositories)
        .find(|r| r.name == name)
}

/// Fails when `chart` is `repo/chart` and `repo` is neither declared in a state file nor, when
/// the options say which, among the repositories helm knows.
fn check_repository(
    project: &Project,
    release: &Release,
    chart: &ChartRef,
    options: &PlanOptions,
) -> Result<(), PlanError> {
    let (Some(name), Some(known)) = (chart.repository(), &options.helm_repositories) else {
        return Ok(());
    };
    if project_repository(project, name).is_some() || known.iter().any(|k| k == name) {
        return Ok(());
    }
    let mut declared: Vec<String> = Vec::new();
    for repository in project.states.iter().flat_map(|s| &s.repositories) {
        if !declared.contains(&repository.name) {
            declared.push(repository.name.clone());
        }
    }
    Err(PlanError::UnknownRepository {
        location: release.field_location("chart"),
        release: release.name().into(),
        chart: release.chart().into(),
        repository: name.into(),
        declared,
    })
}

/// The repositories the releases to install need: those their `repo/chart` names, and OCI
/// registries with credentials whose URL their `oci://` charts start with.
fn repositories(project: &Project, releases: &[PlannedRelease]) -> Vec<Repository> {
    let mut needed: Vec<Repository> = Vec::new();
    let declared = project.states.iter().flat_map(|s| &s.repositories);
    for repository in declared {
        if needed.iter().any(|r| r.name == repository.name) {
            continue;
        }
        let registry = format!("oci://{}/", repository.url.trim_end_matches('/'));
        let used = releases
            .iter()
            .filter(|r| r.desired == Desired::Install)
            .any(|r| {
                let by_dependency = r
                    .chartify
                    .iter()
                    .flat_map(|c| &c.dependencies)
                    .any(|d| d.repository_name.as_deref() == Some(repository.name.as_str()));
                by_dependency
                    || match &r.chart {
                        ChartRef::Repository {
                            repository: name, ..
                        } => *name == repository.name,
                        ChartRef::Oci { url } => repository.oci && url.starts_with(&registry),
                        _ => false,
                    }
            });
        if used {
            needed.push(repository.clone());
        }
    }
    needed
}

/// Renders, decrypts and writes the values of the releases to install into a new private
/// folder, `NNN-namespace-name-M.yaml` each. Releases whose values file has the same content
/// share one file: fleets repeat their common values files, and creating a thousand files
/// costs more than everything else a plan does.
fn write_values(
    project: &Project,
    releases: &mut [PlannedRelease],
    options: &PlanOptions,
) -> Result<PrivateDir, PlanError> {
    let dir = PrivateDir::new()?;
    // Keyed by digest: the content may be decrypted, and only zeroized buffers may hold it.
    let mut by_content: HashMap<[u8; 32], PathBuf> = HashMap::new();
    let mut written = 0usize;
    let mut reader = ValuesReader::new(project);
    for planned in releases.iter_mut() {
        if planned.desired != Desired::Install {
            continue;
        }
        if options.cancel.is_cancelled() {
            return Err(PlanError::Cancelled);
        }
        let release = &project.releases[planned.release_index];
        if let Some(chartify) = &mut planned.chartify {
            chartify.strategic_merge_patches = strategic_merge_patches(&mut reader, release)?;
        }
        let values = reader.release_values(release)?;
        for (n, file) in values.files.into_iter().enumerate() {
            let digest: [u8; 32] = Sha256::digest(file.content.as_bytes()).into();
            let path = match by_content.get(&digest) {
                Some(path) => path.clone(),
                None => {
                    let name = format!(
                        "{written:03}-{}-{}-{n}.yaml",
                        planned.namespace, planned.name
                    );
                    let path = dir.write(&name, file.content.as_bytes())?;
                    by_content.insert(digest, path.clone());
                    path
                }
            };
            planned.values.files.push(WrittenValues {
                source: file.source,
                path,
                secret: file.secret,
                content: file.content,
            });
        }
        written += 1;
    }
    Ok(dir)
}

/// Where the hooks of `state` (or of its `release`) run, and what their templates see.
fn hook_scope(project: &Project, state: &StateFile, release: Option<&Release>) -> Arc<HookScope> {
    let environment = template_data::environment_of(project, state);
    Arc::new(HookScope {
        dir: state.base_dir.clone(),
        fields: template_data::hook_fields(&environment, release, &project.options),
        render: template_data::render_options(&state.base_dir, MissingKey::Error, &project.options),
    })
}

/// The documents of a release's `strategicMergePatches:` (files rendered like values files).
fn strategic_merge_patches(
    reader: &mut ValuesReader<'_>,
    release: &Release,
) -> Result<Vec<serde_yaml::Value>, PlanError> {
    let entries = &release.spec.strategic_merge_patches;
    let files = crate::values::entries_content(reader, release, "strategicMergePatches", entries)?;
    let mut patches = Vec::new();
    for file in files {
        let patch: serde_yaml::Value =
            serde_yaml::from_str(&file.content).map_err(|e| PlanError::Setting {
                location: release.field_location("strategicMergePatches"),
                release: release.name().into(),
                message: format!("strategicMergePatches: not a YAML document: {e}"),
            })?;
        if !patch.is_null() {
            patches.push(patch);
        }
    }
    Ok(patches)
}

/// The `hooks:` of every state file, typed.
fn state_hooks(project: &Project) -> Result<Vec<PlannedHook>, PlanError> {
    let mut hooks = Vec::new();
    for state in &project.states {
        if state.hooks.is_empty() {
            continue;
        }
        let scope = hook_scope(project, state, None);
        for (hook, location) in &state.hooks {
            hooks.push(
                PlannedHook::new(hook, location.clone(), scope.clone()).map_err(|event| {
                    PlanError::UnknownHookEvent {
                        location: location.clone(),
                        hook: hook.name.clone(),
                        event,
                    }
                })?,
            );
        }
    }
    Ok(hooks)
}

/// A finding about something written at `location`.
pub(crate) fn warning(location: Location, message: String) -> Diagnostic {
    Diagnostic {
        level: MissingFileHandler::Warn,
        location,
        message,
    }
}

#[cfg(test)]
impl Plan {
    /// A plan of bare releases over `dag`, for tests of what walks a plan; run order is the
    /// order of `ids`.
    pub(crate) fn of_graph(dag: Dag, ids: &[ReleaseId]) -> Plan {
        let releases: Vec<PlannedRelease> = ids
            .iter()
            .enumerate()
            .map(|(i, id)| PlannedRelease {
                id: id.clone(),
                name: id.name().to_string(),
                namespace: id.namespace().to_string(),
                kube_context: None,
                defaults_kube_context: None,
                chart: ChartRef::Local {
                    path: "chart".into(),
                },
                chart_version: None,
                desired: Desired::Install,
                values: PlannedValues::default(),
                settings: HelmSettings::default(),
                chartify: None,
                hooks: Vec::new(),
                labels: Default::default(),
                command_line: Default::default(),
                location: Location::file("helmfile.yaml"),
                release_index: i,
            })
            .collect();
        Plan {
            root: PathBuf::new(),
            environment: "default".into(),
            by_id: ids.iter().cloned().zip(0..).collect(),
            run_order: (0..ids.len()).collect(),
            releases,
            dag,
            helm_version: None,
            selection: Selection::default(),
            repositories: Vec::new(),
            hooks: Vec::new(),
            diagnostics: Vec::new(),
            private_dir: None,
        }
    }
}

#[cfg(test)]
mod tests;
