//! The health of a release's workloads as Argo CD judges it (gitops-engine's `pkg/health`):
//! Deployments, StatefulSets and DaemonSets are healthy when their controller observed the
//! current spec and every replica is updated and available; Jobs when they completed. Objects of
//! other kinds have no health of their own.

use serde::Serialize;
use serde_json::Value as Json;

/// How a workload (or a release, by its worst workload) is doing, in Argo CD's words. Ordered
/// from best to worst, as Argo CD ranks them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[non_exhaustive]
pub enum Health {
    /// Everything it asked for runs (a Job: it completed).
    Healthy,
    /// Paused on purpose (a paused Deployment, a suspended Job).
    Suspended,
    /// Not there yet: a rollout in progress, replicas not ready, a Job running.
    Progressing,
    /// The object is not in the cluster (or the release is not installed).
    Missing,
    /// Failed: a Job failed, a Deployment exceeded its progress deadline.
    Degraded,
}

impl Health {
    /// The word Argo CD shows.
    pub fn name(self) -> &'static str {
        match self {
            Health::Healthy => "Healthy",
            Health::Suspended => "Suspended",
            Health::Progressing => "Progressing",
            Health::Missing => "Missing",
            Health::Degraded => "Degraded",
        }
    }
}

impl std::fmt::Display for Health {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Whether objects of `kind` in `group` have a health of their own.
pub fn is_workload(group: &str, kind: &str) -> bool {
    matches!(
        (group, kind),
        ("apps", "Deployment" | "StatefulSet" | "DaemonSet") | ("batch", "Job")
    )
}

/// The health of the live object `object` of `kind` (a workload kind of [`is_workload`]), and
/// why when it is not healthy; `None` for other kinds.
pub fn health_of(kind: &str, object: &Json) -> Option<(Health, Option<String>)> {
    match kind {
        "Deployment" => Some(deployment(object)),
        "StatefulSet" => Some(stateful_set(object)),
        "DaemonSet" => Some(daemon_set(object)),
        "Job" => Some(job(object)),
        _ => None,
    }
}

fn int(value: &Json) -> i64 {
    value.as_i64().unwrap_or(0)
}

/// `metadata.generation` is newer than what the controller last observed.
fn spec_not_observed(object: &Json) -> bool {
    int(&object["metadata"]["generation"]) > int(&object["status"]["observedGeneration"])
}

fn progressing(message: String) -> (Health, Option<String>) {
    (Health::Progressing, Some(message))
}

fn deployment(object: &Json) -> (Health, Option<String>) {
    let (spec, status) = (&object["spec"], &object["status"]);
    if spec["paused"] == true {
        return (Health::Suspended, Some("Deployment is paused".into()));
    }
    if spec_not_observed(object) {
        return progressing(
            "Waiting for rollout to finish: observed deployment generation less than desired generation".into(),
        );
    }
    let conditions = status["conditions"].as_array().map(Vec::as_slice);
    let deadline_exceeded = conditions
        .unwrap_or_default()
        .iter()
        .any(|c| c["type"] == "Progressing" && c["reason"] == "ProgressDeadlineExceeded");
    let (updated, replicas, available) = (
        int(&status["updatedReplicas"]),
        int(&status["replicas"]),
        int(&status["availableReplicas"]),
    );
    if deadline_exceeded {
        let name = object["metadata"]["name"].as_str().unwrap_or_default();
        return (
            Health::Degraded,
            Some(format!(
                "Deployment \"{name}\" exceeded its progress deadline"
            )),
        );
    }
    if let Some(wanted) = spec["replicas"].as_i64()
        && updated < wanted
    {
        return progressing(format!(
            "Waiting for rollout to finish: {updated} out of {wanted} new replicas have been updated..."
        ));
    }
    if replicas > updated {
        return progressing(format!(
            "Waiting for rollout to finish: {} old replicas are pending termination...",
            replicas - updated
        ));
    }
    if available < updated {
        return progressing(format!(
            "Waiting for rollout to finish: {available} of {updated} updated replicas are available..."
        ));
    }
    (Health::Healthy, None)
}

fn stateful_set(object: &Json) -> (Health, Option<String>) {
    let (spec, status) = (&object["spec"], &object["status"]);
    if int(&status["observedGeneration"]) == 0 || spec_not_observed(object) {
        return progressing("Waiting for statefulset spec update to be observed...".into());
    }
    let ready = int(&status["readyReplicas"]);
    if let Some(wanted) = spec["replicas"].as_i64()
        && ready < wanted
    {
        return progressing(format!(
            "Waiting for {} pods to be ready...",
            wanted - ready
        ));
    }
    let strategy = &spec["updateStrategy"];
    if strategy["type"] == "RollingUpdate"
        && let (Some(wanted), Some(partition)) = (
            spec["replicas"].as_i64(),
            strategy["rollingUpdate"]["partition"].as_i64(),
        )
    {
        let updated = int(&status["updatedReplicas"]);
        if updated < wanted - partition {
            return progressing(format!(
                "Waiting for partitioned roll out to finish: {updated} out of {} new pods have been updated...",
                wanted - partition
            ));
        }
        return (Health::Healthy, None);
    }
    if strategy["type"] == "OnDelete" {
        return (Health::Healthy, None);
    }
    if status["updateRevision"] != status["currentRevision"] {
        return progressing(format!(
            "waiting for statefulset rolling update to complete {} pods at revision {}...",
            int(&status["updatedReplicas"]),
            status["updateRevision"].as_str().unwrap_or_default()
        ));
    }
    (Health::Healthy, None)
}

fn daemon_set(object: &Json) -> (Health, Option<String>) {
    let (spec, status) = (&object["spec"], &object["status"]);
    if spec_not_observed(object) {
        return progressing(
            "Waiting for rollout to finish: observed daemon set generation less than desired generation".into(),
        );
    }
    if spec["updateStrategy"]["type"] == "OnDelete" {
        return (Health::Healthy, None);
    }
    let name = object["metadata"]["name"].as_str().unwrap_or_default();
    let desired = int(&status["desiredNumberScheduled"]);
    let updated = int(&status["updatedNumberScheduled"]);
    if updated < desired {
        return progressing(format!(
            "Waiting for daemon set \"{name}\" rollout to finish: {updated} out of {desired} new pods have been updated..."
        ));
    }
    let available = int(&status["numberAvailable"]);
    if available < desired {
        return progressing(format!(
            "Waiting for daemon set \"{name}\" rollout to finish: {available} of {desired} updated pods are available..."
        ));
    }
    (Health::Healthy, None)
}

fn job(object: &Json) -> (Health, Option<String>) {
    let conditions = object["status"]["conditions"].as_array();
    let holds = |kind: &str| {
        conditions
            .into_iter()
            .flatten()
            .find(|c| c["type"] == kind && c["status"] == "True")
    };
    let message = |condition: &Json| condition["message"].as_str().map(str::to_string);
    if let Some(failed) = holds("Failed") {
        return (Health::Degraded, message(failed));
    }
    if holds("Complete").is_some() {
        return (Health::Healthy, None);
    }
    if let Some(suspended) = holds("Suspended") {
        return (Health::Suspended, message(suspended));
    }
    (Health::Progressing, Some("Job has not completed".into()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn health(kind: &str, object: Json) -> (Health, Option<String>) {
        health_of(kind, &object).unwrap_or((Health::Missing, None))
    }

    #[test]
    fn a_deployment_is_healthy_when_every_replica_is_updated_and_available() {
        let ready = json!({
            "metadata": {"name": "web", "generation": 2},
            "spec": {"replicas": 2},
            "status": {"observedGeneration": 2, "replicas": 2, "updatedReplicas": 2, "availableReplicas": 2},
        });
        assert_eq!(health("Deployment", ready), (Health::Healthy, None));
    }

    #[test]
    fn a_deployment_rolling_out_is_progressing_and_past_its_deadline_degraded() {
        let cases = [
            (
                json!({"metadata": {"generation": 3}, "spec": {"replicas": 1}, "status": {"observedGeneration": 2}}),
                "Waiting for rollout to finish: observed deployment generation less than desired generation",
            ),
            (
                json!({"metadata": {"generation": 1}, "spec": {"replicas": 3},
                       "status": {"observedGeneration": 1, "replicas": 3, "updatedReplicas": 1, "availableReplicas": 1}}),
                "Waiting for rollout to finish: 1 out of 3 new replicas have been updated...",
            ),
            (
                json!({"metadata": {"generation": 1}, "spec": {"replicas": 2},
                       "status": {"observedGeneration": 1, "replicas": 3, "updatedReplicas": 2, "availableReplicas": 2}}),
                "Waiting for rollout to finish: 1 old replicas are pending termination...",
            ),
            (
                json!({"metadata": {"generation": 1}, "spec": {"replicas": 2},
                       "status": {"observedGeneration": 1, "replicas": 2, "updatedReplicas": 2, "availableReplicas": 0}}),
                "Waiting for rollout to finish: 0 of 2 updated replicas are available...",
            ),
        ];
        for (object, message) in cases {
            assert_eq!(
                health("Deployment", object),
                (Health::Progressing, Some(message.into()))
            );
        }
        let stuck = json!({
            "metadata": {"name": "web", "generation": 1},
            "spec": {"replicas": 1},
            "status": {"observedGeneration": 1, "replicas": 1, "updatedReplicas": 0,
                       "conditions": [{"type": "Progressing", "status": "False", "reason": "ProgressDeadlineExceeded"}]},
        });
        assert_eq!(
            health("Deployment", stuck),
            (
                Health::Degraded,
                Some("Deployment \"web\" exceeded its progress deadline".into())
            )
        );
        let paused = json!({"metadata": {"generation": 1}, "spec": {"paused": true}, "status": {}});
        assert_eq!(health("Deployment", paused).0, Health::Suspended);
    }

    #[test]
    fn stateful_sets_wait_for_ready_pods_and_their_update_revision() {
        let base = |status: Json, strategy: Json| json!({"metadata": {"generation": 1}, "spec": {"replicas": 2, "updateStrategy": strategy}, "status": status});
        let done = json!({"observedGeneration": 1, "readyReplicas": 2, "updatedReplicas": 2,
                          "currentRevision": "db-1", "updateRevision": "db-1"});
        assert_eq!(
            health("StatefulSet", base(done, json!({"type": "RollingUpdate"}))),
            (Health::Healthy, None)
        );
        let unobserved = json!({"readyReplicas": 2});
        assert_eq!(
            health("StatefulSet", base(unobserved, json!({}))),
            progressing("Waiting for statefulset spec update to be observed...".into())
        );
        let one_ready = json!({"observedGeneration": 1, "readyReplicas": 1});
        assert_eq!(
            health("StatefulSet", base(one_ready, json!({}))),
            progressing("Waiting for 1 pods to be ready...".into())
        );
        let rolling = json!({"observedGeneration": 1, "readyReplicas": 2, "updatedReplicas": 1,
                             "currentRevision": "db-1", "updateRevision": "db-2"});
        assert_eq!(
            health(
                "StatefulSet",
                base(rolling.clone(), json!({"type": "RollingUpdate"}))
            ),
            progressing(
                "waiting for statefulset rolling update to complete 1 pods at revision db-2..."
                    .into()
            )
        );
        let partitioned = json!({"type": "RollingUpdate", "rollingUpdate": {"partition": 1}});
        assert_eq!(
            health("StatefulSet", base(rolling.clone(), partitioned)),
            (Health::Healthy, None)
        );
        assert_eq!(
            health("StatefulSet", base(rolling, json!({"type": "OnDelete"}))),
            (Health::Healthy, None)
        );
    }

    #[test]
    fn daemon_sets_wait_for_updated_and_available_pods() {
        let set = |status: Json| json!({"metadata": {"name": "agent", "generation": 1}, "spec": {}, "status": status});
        assert_eq!(
            health(
                "DaemonSet",
                set(json!({"observedGeneration": 1, "desiredNumberScheduled": 2,
                "updatedNumberScheduled": 2, "numberAvailable": 2}))
            ),
            (Health::Healthy, None)
        );
        assert_eq!(
            health("DaemonSet", set(json!({"observedGeneration": 1, "desiredNumberScheduled": 2,
                "updatedNumberScheduled": 1, "numberAvailable": 1}))),
            progressing("Waiting for daemon set \"agent\" rollout to finish: 1 out of 2 new pods have been updated...".into())
        );
        assert_eq!(
            health("DaemonSet", set(json!({"observedGeneration": 1, "desiredNumberScheduled": 2,
                "updatedNumberScheduled": 2, "numberAvailable": 1}))),
            progressing("Waiting for daemon set \"agent\" rollout to finish: 1 of 2 updated pods are available...".into())
        );
        assert_eq!(
            health("DaemonSet", set(json!({"observedGeneration": 0}))).0,
            Health::Progressing
        );
    }

    #[test]
    fn jobs_are_healthy_when_complete_degraded_when_failed() {
        let job = |conditions: Json| json!({"status": {"conditions": conditions}});
        assert_eq!(
            health("Job", job(json!([{"type": "Complete", "status": "True"}]))),
            (Health::Healthy, None)
        );
        assert_eq!(
            health(
                "Job",
                job(
                    json!([{"type": "Failed", "status": "True", "message": "BackoffLimitExceeded"}])
                )
            ),
            (Health::Degraded, Some("BackoffLimitExceeded".into()))
        );
        assert_eq!(
            health("Job", job(json!([]))),
            progressing("Job has not completed".into())
        );
        assert_eq!(
            health(
                "Job",
                job(json!([{"type": "Suspended", "status": "True", "message": "Job suspended"}]))
            ),
            (Health::Suspended, Some("Job suspended".into()))
        );
    }

    #[test]
    fn the_worst_health_ranks_last_and_other_kinds_have_none() {
        let mut all = vec![
            Health::Degraded,
            Health::Healthy,
            Health::Missing,
            Health::Progressing,
            Health::Suspended,
        ];
        all.sort();
        assert_eq!(
            all,
            [
                Health::Healthy,
                Health::Suspended,
                Health::Progressing,
                Health::Missing,
                Health::Degraded
            ]
        );
        assert_eq!(health_of("ConfigMap", &json!({})), None);
        assert!(is_workload("apps", "Deployment") && !is_workload("", "Service"));
    }
}
