//! `diff`: for each release, desired (what `helm template` prints with the upgrade's settings,
//! or the native renderer in its place) against current (the deployed release, and with `--live` the live objects), as plain-data
//! steps the runner calls per release.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use futures_util::{StreamExt, stream};

use crate::diff::{
    Comparison, DeployedRelease, DiffError, DiffOptions, DiffReport, Failure, KnownScopes,
    LiveObjects, ReleaseDiff, ReleaseInput, Source, read_release,
};
use crate::events::{Action, Event, Events};
use crate::graph::{Direction, ReleaseId};
use crate::helm::argv::{self, TemplateFlags};
use crate::helm::history::{ReleaseAt, deployed_release};
use crate::helm::{Helm, HelmError};
use crate::kube::{Cluster, Driver, KubeError, KubeconfigFiles};
use crate::ops::OperationError;
use crate::ops::renderer::{ChartRenderer, RenderError, Renderer};
use crate::ops::report::{ReleaseOutcome, Report};
use crate::ops::runner::{RunContext, Work, run};
use crate::ops::sync::{UpgradeCharts, prepare_upgrades};
use crate::plan::{ChartRef, Desired, Plan, PlannedRelease};

/// Where the deployed releases are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RecordSource {
    /// helm's release records, read from the cluster (`HELM_DRIVER` `secret` or `configmap`).
    Cluster(Driver),
    /// `helm history` and `helm get`, for other storage drivers.
    Helm,
}

impl Default for RecordSource {
    /// helm's default storage: release records in Secrets.
    fn default() -> Self {
        Self::Cluster(Driver::Secret)
    }
}

/// How a diff run compares.
#[derive(Debug, Clone)]
pub struct DiffSettings {
    /// Release, live or server-side.
    pub comparison: Comparison,
    /// Context lines, secrets, ignore rules, hooks.
    pub options: DiffOptions,
    /// Add no repositories and build no local chart dependencies first (`--skip-deps`).
    pub skip_deps: bool,
    /// `--kube-version` for the desired manifests, over the cluster's own version.
    pub kube_version: Option<String>,
    /// Where the deployed releases are read.
    pub records: RecordSource,
    /// The kubeconfig files, merged as kubectl does.
    pub kubeconfig: KubeconfigFiles,
    /// Where fetched charts are kept between runs; `None`: a temporary folder for this run.
    pub chart_cache: Option<PathBuf>,
    /// Who renders the desired manifests.
    pub renderer: Renderer,
    /// The folder helm runs in, which relative chart paths start from (the process' current
    /// folder when empty).
    pub working_dir: PathBuf,
}

impl Default for DiffSettings {
    fn default() -> Self {
        Self {
            comparison: Comparison::Release,
            options: DiffOptions::default(),
            skip_deps: false,
            kube_version: None,
            records: RecordSource::default(),
            kubeconfig: KubeconfigFiles::default(),
            chart_cache: None,
            renderer: Renderer::default(),
            working_dir: PathBuf::new(),
        }
    }
}

/// Why one release could not be diffed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReleaseDiffError {
    /// A manifest is not Kubernetes objects.
    #[error(transparent)]
    Diff(#[from] DiffError),
    /// The cluster could not be read.
    #[error(transparent)]
    Kube(#[from] KubeError),
    /// Helm failed.
    #[error(transparent)]
    Helm(#[from] HelmError),
    /// The desired manifests could not be rendered.
    #[error(transparent)]
    Render(#[from] RenderError),
}

impl ReleaseDiffError {
    /// A suggestion of what to do about the error, when there is one.
    pub fn hint(&self) -> Option<String> {
        match self {
            Self::Diff(e) => e.hint(),
            Self::Kube(e) => e.hint(),
            Self::Helm(e) => e.hint(),
            Self::Render(e) => e.hint(),
        }
    }
}

/// A release's diff, and what the user should know about how it was made.
#[derive(Debug, Clone)]
pub struct DiffOutcome {
    /// The diff.
    pub diff: ReleaseDiff,
    /// E.g. that a server-side dry run was forbidden and the live comparison was made instead.
    pub warnings: Vec<String>,
}

/// What a diff run found: the report to show, and how each release's work ended (to tell
/// whether the run was interrupted).
#[derive(Debug)]
pub struct DiffRun {
    /// Every release's diff and every failure.
    pub report: DiffReport,
    /// The releases that would change (what `apply` acts on).
    pub changed: HashSet<ReleaseId>,
    /// The releases whose live objects drifted from their manifests (live or server-side
    /// comparisons).
    pub drifted: HashSet<ReleaseId>,
    /// Each release's outcome.
    pub outcomes: Report<(), ReleaseDiffError>,
    /// The charts fetched or rewritten (chartify) for the run, which `apply` installs from.
    pub charts: UpgradeCharts,
}

/// Where one kube context's releases are compared: its client (when the cluster is read) and
/// the Kubernetes version the desired manifests are rendered for.
struct Target {
    cluster: Option<Cluster>,
    kube_version: Option<String>,
}

/// Diffs every release of `plan` that is not disabled: helm's version (unless the plan has it),
/// repositories and dependencies (unless `skip_deps`), the charts as the upgrade installs them
/// (chartify, OCI pulls), then each kube context once (client, version; an unreachable cluster is
/// one failure for all its releases), the release records once per namespace, and the releases
/// concurrently through the runner. Release failures are in the report; an `Err` means nothing
/// could start.
pub async fn diff<H: Helm>(
    plan: &Plan,
    settings: &DiffSettings,
    context: &RunContext<H>,
) -> Result<DiffRun, OperationError> {
    let (_, charts) = prepare_upgrades(
        plan,
        context,
        None,
        settings.skip_deps,
        settings.chart_cache.as_deref(),
    )
    .await?;
    let releases: Vec<&PlannedRelease> = plan
        .in_run_order()
        .filter(|r| r.desired != Desired::Disabled)
        .collect();
    if let Some(release) = releases.iter().find(|r| !r.settings.diff_args.is_empty()) {
        context.events.emit(Event::Warning {
            location: release.location.clone(),
            message: "helmDefaults.diffArgs are flags of the helm-diff plugin, which windlass does not use; they are ignored (diff's own flags, e.g. --context or --suppress-secrets, do the same)".into(),
        });
    }
    let renderer = ChartRenderer::new(
        settings.renderer,
        plan,
        &context.helm,
        &settings.working_dir,
        context.events.as_ref(),
    )
    .await;
    let mut errors = Vec::new();
    let targets = targets(&releases, settings, &mut errors).await;
    let cluster_of = |release: &PlannedRelease| {
        targets
            .get(&release.kube_context)
            .and_then(|t| t.cluster.as_ref())
    };
    let records = match settings.records {
        RecordSource::Cluster(driver) => {
            read_records(&releases, cluster_of, driver, context.limit(), &mut errors).await
        }
        RecordSource::Helm => DeployedReleases::default(),
    };
    let work = Work {
        action: Action::Diff,
        takes_part: |r: &PlannedRelease| {
            r.desired != Desired::Disabled && targets.contains_key(&r.kube_context)
        },
    };
    let diffs = std::sync::Mutex::new(HashMap::new());
    let outcomes: Report<(), ReleaseDiffError> =
        run(plan, Direction::Unordered, context, work, async |release| {
            let Some(target) = targets.get(&release.kube_context) else {
                return Ok(None);
            };
            let desired = DesiredSide {
                charts: &charts,
                renderer: &renderer,
                events: context.events.as_ref(),
            };
            let outcome = diff_planned(
                plan,
                release,
                &desired,
                target,
                &records,
                settings,
                &context.helm,
            )
            .await?;
            for warning in &outcome.warnings {
                context.events.emit(Event::Warning {
                    location: release.location.clone(),
                    message: warning.clone(),
                });
            }
            if let Ok(mut diffs) = diffs.lock() {
                diffs.insert(release.id.clone(), outcome.diff);
            }
            Ok(Some(()))
        })
        .await;
    let mut diffs = diffs.into_inner().unwrap_or_default();
    let mut report = DiffReport {
        environment: plan.environment.clone(),
        comparison: settings.comparison,
        releases: Vec::new(),
        errors,
    };
    let mut changed = HashSet::new();
    let mut drifted = HashSet::new();
    for release in &releases {
        if let Some(found) = diffs.remove(&release.id) {
            if found.changed() {
                changed.insert(release.id.clone());
            }
            if found.resources.iter().any(|r| r.source != Source::Release) {
                drifted.insert(release.id.clone());
            }
            report.releases.push(found);
        }
        if let Some(ReleaseOutcome::Failed(error)) = outcomes.get(&release.id).map(|r| &r.outcome) {
            report.errors.push(Failure {
                releases: vec![release.id.to_string()],
                message: format!("release \"{}\": {error}", release.id),
                hint: error.hint(),
            });
        }
    }
    Ok(DiffRun {
        report,
        changed,
        drifted,
        outcomes,
        charts,
    })
}

/// The kube contexts of `releases`, each connected once when the cluster is read (its version
/// asked, which proves it reachable); a context that fails is one failure naming its releases.
async fn targets(
    releases: &[&PlannedRelease],
    settings: &DiffSettings,
    errors: &mut Vec<Failure>,
) -> HashMap<Option<String>, Target> {
    let reads_cluster = matches!(settings.records, RecordSource::Cluster(_))
        || settings.comparison != Comparison::Release
        || settings.kube_version.is_none();
    if !reads_cluster {
        let mut targets = HashMap::new();
        for release in releases {
            let target = Target {
                cluster: None,
                kube_version: settings.kube_version.clone(),
            };
            targets.insert(release.kube_context.clone(), target);
        }
        return targets;
    }
    connect(releases, &settings.kubeconfig, errors)
        .await
        .into_iter()
        .map(|(context, (cluster, version))| {
            let target = Target {
                cluster: Some(cluster),
                kube_version: settings.kube_version.clone().or(Some(version)),
            };
            (context, target)
        })
        .collect()
}

/// Each kube context of `releases` connected once, with its server's version (asking it proves
/// the cluster reachable); the kubeconfig or a context that fails is one failure naming its
/// releases. Shared by `diff` and `status`.
pub(crate) async fn connect(
    releases: &[&PlannedRelease],
    kubeconfig: &KubeconfigFiles,
    errors: &mut Vec<Failure>,
) -> HashMap<Option<String>, (Cluster, String)> {
    let mut contexts: Vec<&Option<String>> = Vec::new();
    for release in releases {
        if !contexts.contains(&&release.kube_context) {
            contexts.push(&release.kube_context);
        }
    }
    let ids = |context: &Option<String>| -> Vec<String> {
        releases
            .iter()
            .filter(|r| r.kube_context == *context)
            .map(|r| r.id.to_string())
            .collect()
    };
    let mut connected = HashMap::new();
    let kubeconfig = match kubeconfig.read() {
        Ok(kubeconfig) => kubeconfig,
        Err(error) => {
            errors.push(Failure {
                releases: releases.iter().map(|r| r.id.to_string()).collect(),
                message: error.to_string(),
                hint: error.hint(),
            });
            return connected;
        }
    };
    for context in contexts {
        let connecting = async {
            let cluster = Cluster::new(&kubeconfig, context.as_deref()).await?;
            let version = cluster.version().await?;
            Ok::<_, KubeError>((cluster, version))
        };
        match connecting.await {
            Ok(client) => {
                connected.insert(context.clone(), client);
            }
            Err(error) => errors.push(Failure {
                releases: ids(context),
                message: error.to_string(),
                hint: error.hint(),
            }),
        }
    }
    connected
}

/// The namespace helm uses for `release`: its own, else the context's default.
pub(crate) fn namespace_in<'a>(
    release: &'a PlannedRelease,
    cluster: Option<&'a Cluster>,
) -> &'a str {
    match (&release.namespace, cluster) {
        (namespace, _) if !namespace.is_empty() => namespace,
        (_, Some(cluster)) => cluster.default_namespace(),
        _ => "",
    }
}

/// The release records of `members`, in `namespace` of `cluster`, with where they were read.
async fn read_place<'a>(
    cluster: &'a Cluster,
    namespace: &'a str,
    members: Vec<&'a PlannedRelease>,
    driver: Driver,
) -> PlaceRecords<'a> {
    let names: Vec<&str> = members.iter().map(|r| r.name.as_str()).collect();
    let found = cluster.deployed_releases(driver, namespace, &names).await;
    (cluster.context().to_string(), namespace, members, found)
}

/// A namespace's release records: its kube context, the namespace, the releases asked for,
/// and what was found.
type PlaceRecords<'a> = (
    String,
    &'a str,
    Vec<&'a PlannedRelease>,
    Result<HashMap<String, DeployedRelease>, KubeError>,
);

/// The release records of `releases` whose cluster `cluster_of` connected, one list per kube
/// context and namespace, `limit` at once; a list that fails is one failure naming the releases
/// it would have answered for.
pub(crate) async fn read_records<'a>(
    releases: &[&'a PlannedRelease],
    cluster_of: impl Fn(&PlannedRelease) -> Option<&'a Cluster>,
    driver: Driver,
    limit: usize,
    errors: &mut Vec<Failure>,
) -> DeployedReleases {
    let mut places: Vec<(&Cluster, &str, Vec<&PlannedRelease>)> = Vec::new();
    for release in releases {
        let Some(cluster) = cluster_of(release) else {
            continue;
        };
        let namespace = namespace_in(release, Some(cluster));
        match places
            .iter_mut()
            .find(|(c, n, _)| c.context() == cluster.context() && *n == namespace)
        {
            Some((_, _, members)) => members.push(release),
            None => places.push((cluster, namespace, vec![release])),
        }
    }
    // The reads are made before the stream: a stream holding a closure over borrowed places
    // keeps the compiler from proving the diff `Send` (callers spawn runs).
    let reads: Vec<_> = places
        .into_iter()
        .map(|(cluster, namespace, members)| read_place(cluster, namespace, members, driver))
        .collect();
    let lists = stream::iter(reads)
        .buffer_unordered(limit.max(1))
        .collect::<Vec<_>>()
        .await;
    let mut records = DeployedReleases::default();
    for (context, namespace, members, found) in lists {
        match found {
            Ok(found) => records.insert(&context, namespace, found),
            Err(error) => errors.push(Failure {
                releases: members.iter().map(|r| r.id.to_string()).collect(),
                message: error.to_string(),
                hint: error.hint(),
            }),
        }
    }
    records
}

/// How a run renders the desired manifests: the charts as the upgrade installs them, and who
/// renders them.
struct DesiredSide<'a> {
    charts: &'a UpgradeCharts,
    renderer: &'a ChartRenderer,
    events: &'a dyn Events,
}

/// One release of the plan: `helm template` as the upgrade would render it (from the rewritten
/// chart or archive the upgrade installs from, by `helm` or in process), the deployed release,
/// then [`diff_release`].
async fn diff_planned<H: Helm>(
    plan: &Plan,
    release: &PlannedRelease,
    render: &DesiredSide<'_>,
    target: &Target,
    records: &DeployedReleases,
    settings: &DiffSettings,
    helm: &H,
) -> Result<DiffOutcome, ReleaseDiffError> {
    let desired = match release.desired {
        Desired::Install => {
            let flags = TemplateFlags {
                kube_version: target.kube_version.clone(),
                is_upgrade: true,
                no_hooks: settings.options.no_hooks,
                ..TemplateFlags::default()
            };
            let args = argv::template(&render.charts.localize(release), &flags, None);
            let manifests = render
                .renderer
                .template(helm, &release.id, &args, render.events)
                .await?;
            Some(manifests)
        }
        _ => None,
    };
    let namespace = namespace_in(release, target.cluster.as_ref());
    let context = target.cluster.as_ref().map(Cluster::context);
    let read_with_helm;
    let deployed = match settings.records {
        RecordSource::Cluster(_) => {
            records.get(context.unwrap_or_default(), namespace, &release.name)
        }
        RecordSource::Helm => {
            let at = ReleaseAt {
                name: &release.name,
                namespace: &release.namespace,
                kube_context: release.kube_context.as_deref(),
            };
            read_with_helm = deployed_release(helm, at).await?;
            read_with_helm.as_ref()
        }
    };
    let chart = release.chart.to_string();
    let identity = desired
        .as_ref()
        .and_then(|_| chart_identity(&plan.root, release));
    let input = ReleaseInput {
        name: &release.name,
        namespace,
        kube_context: release.kube_context.as_deref(),
        chart: &chart,
        chart_version: identity.as_ref().map(|(n, v)| (n.as_str(), v.as_str())),
        desired: desired.as_deref(),
        deployed,
    };
    diff_release(input, target.cluster.as_ref(), settings).await
}

/// The desired chart's name and version when they are known without asking helm: a local
/// chart folder's `Chart.yaml`, or a remote chart pinned to an exact version.
fn chart_identity(root: &Path, release: &PlannedRelease) -> Option<(String, String)> {
    match &release.chart {
        ChartRef::Local { path } => {
            let text = std::fs::read_to_string(root.join(path).join("Chart.yaml")).ok()?;
            let chart: serde_yaml::Value = serde_yaml::from_str(&text).ok()?;
            let text_of = |field: &str| chart.get(field)?.as_str().map(str::to_string);
            Some((text_of("name")?, text_of("version")?))
        }
        ChartRef::Repository { chart, .. } => Some((chart.clone(), exact_version(release)?)),
        ChartRef::Oci { url } => {
            let name = url.rsplit('/').next()?.split(':').next()?.to_string();
            Some((name, exact_version(release)?))
        }
        _ => None,
    }
}

/// The release's `version:` when it is one version, not a range (`1.2.3`, `v1.2.3-rc.1`).
fn exact_version(release: &PlannedRelease) -> Option<String> {
    let version = release.chart_version.as_deref()?;
    let version = version.split('@').next().unwrap_or(version);
    let bare = version.strip_prefix('v').unwrap_or(version);
    let exact = bare.starts_with(|c: char| c.is_ascii_digit())
        && bare.split(['-', '+']).next().is_some_and(|core| {
            core.split('.').count() == 3 && core.split('.').all(|p| p.parse::<u64>().is_ok())
        });
    exact.then(|| bare.to_string())
}

/// Diffs one release: `input` holds the desired manifest and the deployed release; `cluster`,
/// when the cluster is read, answers discovery and (for live and server-side comparisons) the
/// live objects.
pub async fn diff_release(
    input: ReleaseInput<'_>,
    cluster: Option<&Cluster>,
    settings: &DiffSettings,
) -> Result<DiffOutcome, ReleaseDiffError> {
    let options = &settings.options;
    let documents = read_release(input, options)?;
    let mut scopes = KnownScopes::default();
    if let Some(cluster) = cluster {
        let unknown = documents.unknown_kinds(&scopes);
        cluster.learn_scopes(&unknown, &mut scopes).await?;
    }
    let parsed = documents.key(&scopes, options)?;
    let mut warnings = Vec::new();
    let live = match (settings.comparison, cluster, input.desired) {
        (Comparison::Release, _, _) | (_, None, _) | (_, _, None) => None,
        (comparison, Some(cluster), Some(_)) => {
            let candidates: Vec<_> = parsed.live_candidates().collect();
            let objects = cluster.live_objects(&candidates).await?;
            let mut live = LiveObjects {
                objects,
                dry_run: HashMap::new(),
                source: Some(Source::Live),
            };
            if comparison == Comparison::ServerSide {
                match cluster.dry_run_apply(&candidates).await {
                    Ok(dry_run) => {
                        live.dry_run = dry_run;
                        live.source = Some(Source::ServerSide);
                    }
                    Err(error) if error.is_forbidden() => warnings.push(format!(
                        "{error}; compared with the live objects instead (--live)"
                    )),
                    Err(error) => return Err(error.into()),
                }
            }
            Some(live)
        }
    };
    Ok(DiffOutcome {
        diff: parsed.finish(live.as_ref(), options),
        warnings,
    })
}

/// The deployed releases of a run, read once per kube context and namespace.
#[derive(Debug, Default)]
pub struct DeployedReleases {
    by_place: HashMap<(String, String), HashMap<String, DeployedRelease>>,
}

impl DeployedReleases {
    /// Records what `context`/`namespace` holds.
    pub fn insert(
        &mut self,
        context: &str,
        namespace: &str,
        releases: HashMap<String, DeployedRelease>,
    ) {
        self.by_place
            .entry((context.to_string(), namespace.to_string()))
            .or_default()
            .extend(releases);
    }

    /// The deployed release `name` in `context`/`namespace`, if any.
    pub fn get(&self, context: &str, namespace: &str, name: &str) -> Option<&DeployedRelease> {
        self.by_place
            .get(&(context.to_string(), namespace.to_string()))
            .and_then(|releases| releases.get(name))
    }
}
