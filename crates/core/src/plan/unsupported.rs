//! Nothing accepted and silently ignored: a field of a release to install that windlass does not
//! act on is an error naming it and where it is written, a field that changes nothing deployed
//! (or that Helmfile itself ignores) is a warning, and settings that contradict each other or
//! need another helm version are errors worded as Helmfile words them.

use crate::helm::HelmVersion;
use crate::plan::settings::{TRACK_KUBEDOG, track_mode};
use crate::plan::{HelmSettings, PlanError, warning};
use crate::project::{Diagnostic, Project, Release};

/// Checks the fields of `release` (to be installed) for `helm` (when known).
pub(crate) fn check(
    project: &Project,
    release: &Release,
    settings: &HelmSettings,
    helm: Option<HelmVersion>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Result<(), PlanError> {
    let spec = &release.spec;
    let defaults = &project.state_of(release).helm_defaults;
    let owner = || format!("release \"{}\"", release.name());
    let unsupported = |field: &'static str| PlanError::Unsupported {
        location: release.field_location(field),
        owner: owner(),
        field,
    };
    let lists = [
        ("jsonPatches", spec.json_patches.is_empty()),
        ("transformers", spec.transformers.is_empty()),
    ];
    if let Some((field, _)) = lists.iter().find(|(_, empty)| !empty) {
        return Err(unsupported(field));
    }
    if spec
        .force_namespace
        .as_deref()
        .is_some_and(|n| !n.is_empty())
    {
        return Err(unsupported("forceNamespace"));
    }
    if spec.force_go_getter == Some(true) {
        return Err(unsupported("forceGoGetter"));
    }
    if spec
        .update_strategy
        .as_deref()
        .is_some_and(|s| !s.is_empty())
    {
        return Err(unsupported("updateStrategy"));
    }
    let track_mode = track_mode(spec, defaults);
    if let Some(mode) = track_mode.filter(|m| !["helm", TRACK_KUBEDOG].contains(m)) {
        return Err(PlanError::Setting {
            location: release.field_location("trackMode"),
            release: release.name().into(),
            message: format!("invalid trackMode \"{mode}\": must be \"helm\" or \"kubedog\""),
        });
    }
    let tracked = track_mode == Some(TRACK_KUBEDOG);
    let kubedog_only = "windlass tracks through helm --wait, which waits for all of the release's resources and streams no logs";
    let ignored = [
        (
            "unitTests",
            !spec.unit_tests.is_empty(),
            "windlass has no `unittest` command",
        ),
        (
            "waitRetries",
            spec.wait_retries.or(defaults.wait_retries).is_some(),
            "helm removed --wait-retries, and Helmfile 1.x ignores it too",
        ),
        (
            "helmStuckGrace",
            spec.helm_stuck_grace
                .or(defaults.helm_stuck_grace)
                .is_some(),
            "on Ctrl-C windlass stops helm itself (SIGTERM, then SIGKILL after a grace period)",
        ),
        (
            "trackKinds",
            tracked && !spec.track_kinds.is_empty(),
            kubedog_only,
        ),
        (
            "skipKinds",
            tracked && !spec.skip_kinds.is_empty(),
            kubedog_only,
        ),
        (
            "trackResources",
            tracked && !spec.track_resources.is_empty(),
            kubedog_only,
        ),
        (
            "trackLogs",
            tracked && spec.track_logs == Some(true),
            kubedog_only,
        ),
        (
            "trackFailedLogs",
            tracked && spec.track_failed_logs == Some(true),
            kubedog_only,
        ),
        (
            "trackFailOnError",
            tracked && spec.track_fail_on_error == Some(false),
            "a release whose resources do not become ready fails, as helm --wait reports it",
        ),
        (
            "kubedogQPS",
            tracked && spec.kubedog_qps.is_some(),
            kubedog_only,
        ),
        (
            "kubedogBurst",
            tracked && spec.kubedog_burst.is_some(),
            kubedog_only,
        ),
    ];
    for (field, set, why) in ignored {
        if set {
            diagnostics.push(warning(
                release.field_location(field),
                format!("{}: \"{field}\" is ignored: {why}", owner()),
            ));
        }
    }
    check_settings(release, settings, helm)
}

/// Helmfile 1.x's checks of a release's settings against each other and, when known, the helm
/// version (its `flagsForUpgrade` messages).
fn check_settings(
    release: &Release,
    settings: &HelmSettings,
    helm: Option<HelmVersion>,
) -> Result<(), PlanError> {
    let error = |field: &str, message: &str| PlanError::Setting {
        location: release.field_location(field),
        release: release.name().into(),
        message: message.into(),
    };
    if settings.force && settings.force_conflicts {
        return Err(error(
            "forceConflicts",
            "force and forceConflicts are mutually exclusive",
        ));
    }
    if settings.atomic && settings.rollback_on_failure {
        return Err(error(
            "rollbackOnFailure",
            "atomic and rollbackOnFailure are mutually exclusive",
        ));
    }
    if let Some(value) = &settings.server_side
        && !["true", "false", "auto"].contains(&value.as_str())
    {
        return Err(error(
            "serverSide",
            &format!(
                "invalid serverSide value \"{value}\": must be \"true\", \"false\", or \"auto\""
            ),
        ));
    }
    let Some(helm) = helm else { return Ok(()) };
    let needs_helm4 = [
        ("forceConflicts", settings.force_conflicts),
        ("rollbackOnFailure", settings.rollback_on_failure),
        ("serverSide", settings.server_side.is_some()),
    ];
    if !helm.is_helm4()
        && let Some((field, _)) = needs_helm4.iter().find(|(_, on)| *on)
    {
        return Err(error(
            field,
            &format!("{field} requires Helm 4 or greater (helm is {helm})"),
        ));
    }
    let take_ownership = HelmVersion {
        major: 3,
        minor: 17,
        patch: 0,
    };
    if settings.take_ownership && helm < take_ownership {
        return Err(error(
            "takeOwnership",
            &format!("takeOwnership requires Helm 3.17 or greater (helm is {helm})"),
        ));
    }
    Ok(())
}
