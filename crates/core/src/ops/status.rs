//! `status`: each selected release as the cluster has it, read with the client `diff` uses:
//! helm's release record (installed or not, revision, status, chart, app version, last
//! deployed; one list per kube context and namespace) and the live objects of its workloads
//! (Deployments, StatefulSets, DaemonSets, Jobs), whose health is judged as Argo CD judges it.

use std::collections::HashMap;
use std::sync::Mutex;

use serde::Serialize;

use crate::diff::manifest;
use crate::diff::{DeployedRelease, DiffError, Failure, KnownScopes, ObjectKey};
use crate::events::Action;
use crate::graph::Direction;
use crate::helm::history::{ReleaseAt, deployed_release};
use crate::helm::{Helm, HelmError};
use crate::kube::health::{Health, health_of, is_workload};
use crate::kube::{Cluster, KubeError, KubeconfigFiles};
use crate::ops::diff::{RecordSource, connect, namespace_in, read_records};
use crate::ops::report::{ReleaseOutcome, Report};
use crate::ops::runner::{RunContext, Work, run};
use crate::plan::{Desired, Plan, PlannedRelease};

/// Where `status` reads the cluster (by default, as helm's defaults have it).
#[derive(Debug, Clone, Default)]
pub struct StatusSettings {
    /// Where the release records are read.
    pub records: RecordSource,
    /// The kubeconfig files, merged as kubectl does.
    pub kubeconfig: KubeconfigFiles,
}

/// One workload of a release and its health.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WorkloadHealth {
    /// `Kind namespace/name`, as diffs name objects.
    pub object: String,
    /// Its health.
    pub health: Health,
    /// Why it is not healthy, when the object says.
    pub message: Option<String>,
}

/// One release as the cluster has it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReleaseStatus {
    /// `[kubeContext/]namespace/name`.
    pub release: String,
    /// The release name.
    pub name: String,
    /// Its namespace.
    pub namespace: String,
    /// Whether helm has it (its latest revision is not `uninstalled`).
    pub installed: bool,
    /// The latest revision.
    pub revision: Option<u32>,
    /// Its status as helm writes it (`deployed`, `failed`, `pending-upgrade`...).
    pub status: Option<String>,
    /// `name-version` of its chart.
    pub chart: Option<String>,
    /// The chart's `appVersion`.
    pub app_version: Option<String>,
    /// When it was last deployed, as helm records it.
    pub last_deployed: Option<String>,
    /// Its worst workload's health (`Healthy` without workloads; `Missing` when not installed).
    pub health: Health,
    /// Each workload, in manifest order.
    pub workloads: Vec<WorkloadHealth>,
}

impl ReleaseStatus {
    /// Installed, `deployed`, and healthy.
    pub fn is_ok(&self) -> bool {
        self.installed
            && self.status.as_deref() == Some("deployed")
            && self.health == Health::Healthy
    }
}

/// What `status` found: every release it could read, and what it could not.
#[derive(Debug, Clone, Default, Serialize)]
pub struct StatusReport {
    /// The releases, in the plan's order.
    pub releases: Vec<ReleaseStatus>,
    /// What could not be read (a cluster, a release).
    pub errors: Vec<Failure>,
}

impl StatusReport {
    /// Whether every release is installed, deployed and healthy.
    pub fn all_ok(&self) -> bool {
        self.releases.iter().all(ReleaseStatus::is_ok)
    }
}

/// Why one release's status could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StatusError {
    /// The cluster could not be read.
    #[error(transparent)]
    Kube(#[from] KubeError),
    /// Helm failed (other storage drivers than `secret` and `configmap`).
    #[error(transparent)]
    Helm(#[from] HelmError),
    /// The release's manifest is not Kubernetes objects.
    #[error(transparent)]
    Manifest(#[from] DiffError),
}

impl StatusError {
    /// A suggestion of what to do about the error, when there is one.
    pub fn hint(&self) -> Option<String> {
        match self {
            Self::Kube(e) => e.hint(),
            Self::Helm(e) => e.hint(),
            Self::Manifest(e) => e.hint(),
        }
    }
}

/// Reads the status of every release of `plan` to install: each kube context connected once
/// (an unreachable cluster is one failure for all its releases), the release records once per
/// namespace (or through helm for other drivers), then each release's workloads through the
/// runner, concurrently. Release failures are in the report.
pub async fn status<H: Helm>(
    plan: &Plan,
    settings: &StatusSettings,
    context: &RunContext<H>,
) -> StatusReport {
    let releases: Vec<&PlannedRelease> = plan
        .in_run_order()
        .filter(|r| r.desired == Desired::Install)
        .collect();
    if releases.is_empty() {
        return StatusReport::default();
    }
    let mut errors = Vec::new();
    let clusters: HashMap<Option<String>, Cluster> =
        connect(&releases, &settings.kubeconfig, &mut errors)
            .await
            .into_iter()
            .map(|(context, (cluster, _))| (context, cluster))
            .collect();
    let cluster_of = |release: &PlannedRelease| clusters.get(&release.kube_context);
    let records = match settings.records {
        RecordSource::Cluster(driver) => {
            read_records(&releases, cluster_of, driver, context.limit(), &mut errors).await
        }
        RecordSource::Helm => Default::default(),
    };
    let work = Work {
        action: Action::Status,
        takes_part: |r: &PlannedRelease| {
            r.desired == Desired::Install && clusters.contains_key(&r.kube_context)
        },
    };
    let found = Mutex::new(HashMap::new());
    let outcomes: Report<(), StatusError> =
        run(plan, Direction::Unordered, context, work, async |release| {
            let Some(cluster) = cluster_of(release) else {
                return Ok(None);
            };
            let namespace = namespace_in(release, Some(cluster));
            let read_with_helm;
            let deployed = match settings.records {
                RecordSource::Cluster(_) => {
                    records.get(cluster.context(), namespace, &release.name)
                }
                RecordSource::Helm => {
                    let at = ReleaseAt {
                        name: &release.name,
                        namespace: &release.namespace,
                        kube_context: release.kube_context.as_deref(),
                    };
                    read_with_helm = deployed_release(&context.helm, at).await?;
                    read_with_helm.as_ref()
                }
            };
            let status = release_status(release, namespace, deployed, cluster).await?;
            if let Ok(mut found) = found.lock() {
                found.insert(release.id.clone(), status);
            }
            Ok(Some(()))
        })
        .await;
    let mut found = found.into_inner().unwrap_or_default();
    let mut report = StatusReport {
        releases: Vec::new(),
        errors,
    };
    for release in releases {
        if let Some(status) = found.remove(&release.id) {
            report.releases.push(status);
        }
        if let Some(ReleaseOutcome::Failed(error)) = outcomes.get(&release.id).map(|r| &r.outcome) {
            report.errors.push(Failure {
                releases: vec![release.id.to_string()],
                message: format!("release \"{}\": {error}", release.id),
                hint: error.hint(),
            });
        }
    }
    report
}

/// One release's status from its record (`None`: not installed) and its workloads' live objects.
async fn release_status(
    release: &PlannedRelease,
    namespace: &str,
    deployed: Option<&DeployedRelease>,
    cluster: &Cluster,
) -> Result<ReleaseStatus, StatusError> {
    let mut status = ReleaseStatus {
        release: release.id.to_string(),
        name: release.name.clone(),
        namespace: namespace.to_string(),
        installed: deployed.is_some(),
        revision: None,
        status: None,
        chart: None,
        app_version: None,
        last_deployed: None,
        health: Health::Missing,
        workloads: Vec::new(),
    };
    let Some(deployed) = deployed else {
        return Ok(status);
    };
    status.revision = Some(deployed.revision);
    status.status = Some(deployed.status.clone());
    status.chart = Some(format!("{}-{}", deployed.chart, deployed.chart_version));
    status.app_version = Some(deployed.app_version.clone()).filter(|v| !v.is_empty());
    status.last_deployed = Some(deployed.last_deployed.clone()).filter(|v| !v.is_empty());
    let origin = format!("the manifest of release \"{}\"", release.name);
    let objects = manifest::parse(
        &deployed.manifest,
        namespace,
        &mut KnownScopes::default(),
        &origin,
    )?;
    let workloads: Vec<&manifest::Object> = objects
        .values()
        .filter(|o| is_workload(&o.key.group, &o.key.kind))
        .collect();
    let live: HashMap<ObjectKey, serde_json::Value> = cluster.live_objects(&workloads).await?;
    status.workloads = workloads
        .iter()
        .map(|object| {
            let (health, message) = match live.get(&object.key) {
                Some(live) => health_of(&object.key.kind, live).unwrap_or((Health::Healthy, None)),
                None => (Health::Missing, None),
            };
            WorkloadHealth {
                object: object.key.to_string(),
                health,
                message,
            }
        })
        .collect();
    status.health = status
        .workloads
        .iter()
        .map(|w| w.health)
        .max()
        .unwrap_or(Health::Healthy);
    Ok(status)
}
