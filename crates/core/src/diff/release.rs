//! The diff of one release: its objects on both sides, and the release-level decision (install,
//! upgrade, uninstall or nothing) with its reasons.

use std::collections::HashMap;

use serde::Serialize;
use serde_json::Value as Json;

use super::DiffError;
use super::ignore::DRIFT_ANNOTATION;
use super::key::{KnownScopes, ObjectKey, group_of};
use super::manifest::{Document, Object, Objects, annotation, documents, objects};
use super::objects::{DiffOptions, ObjectDiff, Source, compare, prepared};
use crate::diff::compare::{align, project};

/// What the cluster holds of a release, from its release records (or `helm get`).
#[derive(Clone, PartialEq, Eq)]
pub struct DeployedRelease {
    /// The latest revision.
    pub revision: u32,
    /// The latest revision's status as helm writes it (`deployed`, `failed`, `pending-upgrade`...).
    pub status: String,
    /// The chart name of the latest revision.
    pub chart: String,
    /// The chart version of the latest revision.
    pub chart_version: String,
    /// The chart's `appVersion` in the latest revision (empty when it has none).
    pub app_version: String,
    /// When the latest revision was deployed, as helm records it (RFC 3339).
    pub last_deployed: String,
    /// The revision the manifest comes from: the last `deployed` one, else the latest.
    pub baseline_revision: u32,
    /// That revision's manifest.
    pub manifest: String,
    /// That revision's hook manifests.
    pub hooks: Vec<String>,
}

// The manifest may hold Secrets: only the identity is shown.
impl std::fmt::Debug for DeployedRelease {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeployedRelease")
            .field("revision", &self.revision)
            .field("status", &self.status)
            .field("chart", &self.chart)
            .field("chart_version", &self.chart_version)
            .field("baseline_revision", &self.baseline_revision)
            .finish_non_exhaustive()
    }
}

impl DeployedRelease {
    /// Whether the latest revision did not end deployed (`failed`, `pending-*`, `uninstalling`).
    pub fn unfinished(&self) -> bool {
        !matches!(self.status.as_str(), "deployed" | "superseded")
    }
}

/// Which comparison a diff makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Comparison {
    /// Desired manifests against the deployed releases' manifests.
    #[default]
    Release,
    /// Desired objects against the live objects (`--live`).
    Live,
    /// A server-side-apply dry run against the live objects (`--live --server-side`).
    ServerSide,
}

impl Comparison {
    /// The name used in output.
    pub fn as_str(self) -> &'static str {
        match self {
            Comparison::Release => "release",
            Comparison::Live => "live",
            Comparison::ServerSide => "server-side",
        }
    }
}

/// What would happen to a release.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Action {
    /// Installed for the first time.
    Install,
    /// Upgraded.
    Upgrade,
    /// Uninstalled (`installed: false` and it exists).
    Uninstall,
    /// Nothing to do.
    None,
}

/// Why a release gets its action.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Reason {
    /// Not in the cluster yet.
    NewRelease,
    /// `installed: false` and the release exists.
    Uninstall,
    /// `installed: false` and the release does not exist.
    NotInstalled,
    /// The latest revision did not end deployed.
    LastRevisionUnfinished {
        /// The revision.
        revision: u32,
        /// Its status.
        status: String,
    },
    /// The chart or its version changes.
    ChartChanged {
        /// Deployed `chart-version`.
        before: String,
        /// Desired `chart-version`.
        after: String,
    },
    /// The desired manifests differ from the deployed release's.
    ManifestsDiffer,
    /// Live objects differ from the desired ones.
    LiveDrift,
    /// A server-side-apply dry run would change live objects.
    ServerSideChanges,
    /// Everything matches.
    InSync,
}

impl Reason {
    /// A stable code for machines (`new-release`, `last-revision-failed`, ...).
    pub fn code(&self) -> &'static str {
        match self {
            Reason::NewRelease => "new-release",
            Reason::Uninstall => "uninstall",
            Reason::NotInstalled => "not-installed",
            Reason::LastRevisionUnfinished { status, .. } if status == "failed" => {
                "last-revision-failed"
            }
            Reason::LastRevisionUnfinished { .. } => "last-revision-pending",
            Reason::ChartChanged { .. } => "chart-changed",
            Reason::ManifestsDiffer => "manifests-differ",
            Reason::LiveDrift => "live-drift",
            Reason::ServerSideChanges => "server-side-changes",
            Reason::InSync => "in-sync",
        }
    }

    /// The reason in words.
    pub fn message(&self) -> String {
        match self {
            Reason::NewRelease => "new release".into(),
            Reason::Uninstall => "installed: false and the release exists".into(),
            Reason::NotInstalled => "installed: false and the release is not installed".into(),
            Reason::LastRevisionUnfinished { revision, status } if status == "failed" => {
                format!("last upgrade failed: revision {revision} is {status}")
            }
            Reason::LastRevisionUnfinished { revision, status } => {
                format!("last upgrade did not finish: revision {revision} is {status}")
            }
            Reason::ChartChanged { before, after } => format!("chart {before} -> {after}"),
            Reason::ManifestsDiffer => "manifests differ from the deployed release".into(),
            Reason::LiveDrift => "live objects differ from the manifests".into(),
            Reason::ServerSideChanges => "a server-side apply would change live objects".into(),
            Reason::InSync => "in sync".into(),
        }
    }
}

/// The diff of one release.
#[derive(Debug, Clone, PartialEq)]
pub struct ReleaseDiff {
    /// The release name.
    pub name: String,
    /// Its namespace.
    pub namespace: String,
    /// The kube context it deploys to, when set.
    pub kube_context: Option<String>,
    /// The chart (as the release names it).
    pub chart: String,
    /// The deployed chart version, when deployed.
    pub version_before: Option<String>,
    /// The desired chart version, when known.
    pub version_after: Option<String>,
    /// What would happen.
    pub action: Action,
    /// Why.
    pub reasons: Vec<Reason>,
    /// The changed objects, in desired order then removed ones.
    pub resources: Vec<ObjectDiff>,
}

impl ReleaseDiff {
    /// Whether the release would change (its action is not `None`).
    pub fn changed(&self) -> bool {
        self.action != Action::None
    }
}

/// One release's desired and current state, as plain data.
#[derive(Debug, Clone, Copy)]
pub struct ReleaseInput<'a> {
    /// The release name.
    pub name: &'a str,
    /// Its namespace (the default of its namespaced objects).
    pub namespace: &'a str,
    /// Its kube context, when set.
    pub kube_context: Option<&'a str>,
    /// The chart as the release names it.
    pub chart: &'a str,
    /// The desired chart name and version (`app`, `1.2.3`), when known.
    pub chart_version: Option<(&'a str, &'a str)>,
    /// What `helm template` printed; `None` when the release should not be installed.
    pub desired: Option<&'a str>,
    /// What the cluster has; `None` when the release is not installed.
    pub deployed: Option<&'a DeployedRelease>,
}

/// A release's two sides, parsed: ready for a release comparison, or for fetching the live
/// objects the desired side names first.
#[derive(Debug)]
pub struct ParsedRelease<'a> {
    input: ReleaseInput<'a>,
    desired: Objects,
    current: Objects,
}

/// The live state of a release's desired objects (`--live`).
#[derive(Default)]
pub struct LiveObjects {
    /// The live objects found, by key; a desired object missing here is missing from the cluster.
    pub objects: HashMap<ObjectKey, Json>,
    /// Server-side-apply dry-run results, by key (`--server-side`); empty for a live comparison.
    pub dry_run: HashMap<ObjectKey, Json>,
    /// Which comparison these objects are for.
    pub source: Option<Source>,
}

// Live objects may be Secrets: only the keys are shown.
impl std::fmt::Debug for LiveObjects {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LiveObjects")
            .field("objects", &self.objects.keys().collect::<Vec<_>>())
            .field("dry_run", &self.dry_run.keys().collect::<Vec<_>>())
            .field("source", &self.source)
            .finish()
    }
}

/// A release's two sides split into documents, before they are keyed: the kinds they use can be
/// looked up in the cluster first ([`ReleaseDocuments::unknown_kinds`]).
#[derive(Debug)]
pub struct ReleaseDocuments<'a> {
    input: ReleaseInput<'a>,
    desired: Vec<Document>,
    current: Vec<Document>,
    desired_origin: String,
    current_origin: String,
    scopes: KnownScopes,
}

/// Splits both sides of a release into documents (hooks of the deployed release included unless
/// `--no-hooks`), learning the scopes of the CRDs they define.
pub fn read_release<'a>(
    input: ReleaseInput<'a>,
    options: &DiffOptions,
) -> Result<ReleaseDocuments<'a>, DiffError> {
    let id = if input.namespace.is_empty() {
        input.name.to_string()
    } else {
        format!("{}/{}", input.namespace, input.name)
    };
    let desired_origin = format!("desired manifest of release {id}");
    let desired = match input.desired {
        Some(text) => documents(text, &desired_origin)?,
        None => Vec::new(),
    };
    let mut current = Vec::new();
    let mut current_origin = String::new();
    if let Some(deployed) = input.deployed {
        current_origin = format!(
            "manifest of release {id} revision {}",
            deployed.baseline_revision
        );
        current = documents(&deployed.manifest, &current_origin)?;
        if !options.no_hooks {
            for hooks in &deployed.hooks {
                current.extend(documents(hooks, &current_origin)?);
            }
        }
    }
    let mut scopes = KnownScopes::default();
    for document in desired.iter().chain(&current) {
        scopes.learn_crd(&document.value);
    }
    Ok(ReleaseDocuments {
        input,
        desired,
        current,
        desired_origin,
        current_origin,
        scopes,
    })
}

impl<'a> ReleaseDocuments<'a> {
    /// The `(apiVersion, kind)` pairs whose scope neither Kubernetes' built-in kinds, the
    /// manifests' CRDs nor `known` tell: ask the cluster's discovery.
    pub fn unknown_kinds(&self, known: &KnownScopes) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = Vec::new();
        for document in self.desired.iter().chain(&self.current) {
            let (Some(api_version), Some(kind)) = (
                document.value["apiVersion"].as_str(),
                document.value["kind"].as_str(),
            ) else {
                continue;
            };
            let group = group_of(api_version);
            let unknown =
                self.scopes.scope(group, kind).is_none() && known.scope(group, kind).is_none();
            let pair = (api_version.to_string(), kind.to_string());
            if unknown && !out.contains(&pair) {
                out.push(pair);
            }
        }
        out
    }

    /// Keys the objects of both sides (`known`: scopes found by discovery), leaving out
    /// suppressed kinds and, with `--no-hooks`, hooks.
    pub fn key(
        self,
        known: &KnownScopes,
        options: &DiffOptions,
    ) -> Result<ParsedRelease<'a>, DiffError> {
        let mut scopes = known.clone();
        scopes.extend(&self.scopes);
        let keep = |objects: Objects| -> Objects {
            objects
                .into_iter()
                .filter(|(key, object)| {
                    !(options.ignore.suppresses(key) || options.no_hooks && object.is_hook())
                })
                .collect()
        };
        let namespace = self.input.namespace;
        let desired = keep(objects(
            self.desired,
            namespace,
            &scopes,
            &self.desired_origin,
        )?);
        let current = keep(objects(
            self.current,
            namespace,
            &scopes,
            &self.current_origin,
        )?);
        Ok(ParsedRelease {
            input: self.input,
            desired,
            current,
        })
    }
}

/// Parses and keys both sides of a release in one go (`scopes`: what discovery found, if any).
pub fn parse_release<'a>(
    input: ReleaseInput<'a>,
    scopes: &KnownScopes,
    options: &DiffOptions,
) -> Result<ParsedRelease<'a>, DiffError> {
    read_release(input, options)?.key(scopes, options)
}

impl ParsedRelease<'_> {
    /// The desired objects a live comparison looks up: not hooks (helm deletes most after they
    /// run), not annotated `windlass.dev/drift: ignore`.
    pub fn live_candidates(&self) -> impl Iterator<Item = &Object> {
        self.desired
            .values()
            .filter(|object| !object.is_hook() && !drift_ignored(&object.body))
    }

    /// The release's diff: the release comparison, and with `live` the live one over it: an
    /// object's live (or server-side) entry replaces its release entry; objects whose live state
    /// matches but whose deployed manifest is behind keep their release entry; removals come
    /// from the release comparison.
    pub fn finish(self, live: Option<&LiveObjects>, options: &DiffOptions) -> ReleaseDiff {
        let release = self.release_resources(options);
        let resources = match live {
            Some(live) => {
                let mut merged = self.live_resources(live, options);
                let release: Vec<ObjectDiff> = release
                    .into_iter()
                    .filter(|d| !merged.iter().any(|m| m.key == d.key))
                    .collect();
                merged.extend(release);
                merged
            }
            None => release,
        };
        self.decide(resources)
    }

    fn release_resources(&self, options: &DiffOptions) -> Vec<ObjectDiff> {
        let mut out = Vec::new();
        for (key, desired) in &self.desired {
            let before = self.current.get(key).map(|c| prepared(c, &options.ignore));
            let after = Some(prepared(desired, &options.ignore));
            out.extend(compare(
                key,
                &desired.api_version,
                before,
                after,
                Source::Release,
                options,
            ));
        }
        for (key, current) in self
            .current
            .iter()
            .filter(|(k, _)| !self.desired.contains_key(*k))
        {
            let before = Some(prepared(current, &options.ignore));
            out.extend(compare(
                key,
                &current.api_version,
                before,
                None,
                Source::Release,
                options,
            ));
        }
        out
    }

    fn live_resources(&self, live: &LiveObjects, options: &DiffOptions) -> Vec<ObjectDiff> {
        let source = live.source.unwrap_or(Source::Live);
        let mut out = Vec::new();
        for desired in self.live_candidates() {
            let key = &desired.key;
            let after = prepared(desired, &options.ignore);
            let live_object = live.objects.get(key).filter(|l| !drift_ignored(l));
            if live.objects.contains_key(key) && live_object.is_none() {
                continue;
            }
            let before = live_object.map(|l| live_prepared(key, &desired.api_version, l, options));
            let (before, after) = match (source, before) {
                (Source::ServerSide, Some(before)) => {
                    let applied = match live.dry_run.get(key) {
                        Some(result) => {
                            // Shown in the manifest's order, the server's additions after.
                            let mut applied =
                                live_prepared(key, &desired.api_version, result, options);
                            align(&mut applied, &after);
                            applied
                        }
                        None => after,
                    };
                    (Some(before), applied)
                }
                (_, Some(before)) => (Some(project(&before, &after)), after),
                (_, None) => (None, after),
            };
            out.extend(compare(
                key,
                &desired.api_version,
                before,
                Some(after),
                source,
                options,
            ));
        }
        out
    }

    fn decide(self, resources: Vec<ObjectDiff>) -> ReleaseDiff {
        let input = &self.input;
        let deployed = input.deployed;
        let mut reasons = Vec::new();
        let action = match (input.desired, deployed) {
            (None, Some(_)) => {
                reasons.push(Reason::Uninstall);
                Action::Uninstall
            }
            (None, None) => {
                reasons.push(Reason::NotInstalled);
                Action::None
            }
            (Some(_), None) => {
                reasons.push(Reason::NewRelease);
                Action::Install
            }
            (Some(_), Some(deployed)) => {
                if deployed.unfinished() {
                    reasons.push(Reason::LastRevisionUnfinished {
                        revision: deployed.revision,
                        status: deployed.status.clone(),
                    });
                }
                if let Some((chart, version)) = input.chart_version {
                    let before = format!("{}-{}", deployed.chart, deployed.chart_version);
                    let after = format!("{chart}-{version}");
                    if before != after {
                        reasons.push(Reason::ChartChanged { before, after });
                    }
                }
                for (source, reason) in [
                    (Source::Release, Reason::ManifestsDiffer),
                    (Source::Live, Reason::LiveDrift),
                    (Source::ServerSide, Reason::ServerSideChanges),
                ] {
                    if resources.iter().any(|r| r.source == source) {
                        reasons.push(reason);
                    }
                }
                if reasons.is_empty() {
                    reasons.push(Reason::InSync);
                    Action::None
                } else {
                    Action::Upgrade
                }
            }
        };
        ReleaseDiff {
            name: input.name.to_string(),
            namespace: input.namespace.to_string(),
            kube_context: input.kube_context.map(str::to_string),
            chart: input.chart.to_string(),
            version_before: deployed.map(|d| d.chart_version.clone()),
            version_after: input.chart_version.map(|(_, v)| v.to_string()),
            action,
            reasons,
            resources,
        }
    }
}

/// Whether an object is annotated `windlass.dev/drift: ignore`.
fn drift_ignored(body: &Json) -> bool {
    annotation(body, DRIFT_ANNOTATION) == Some("ignore")
}

/// A live object (or dry-run result) normalised for comparison.
fn live_prepared(key: &ObjectKey, api_version: &str, body: &Json, options: &DiffOptions) -> Json {
    let object = Object {
        key: key.clone(),
        api_version: api_version.to_string(),
        body: body.clone(),
        line: 0,
        source: None,
    };
    prepared(&object, &options.ignore)
}
