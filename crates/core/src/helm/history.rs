//! A deployed release read through helm (`helm history`, `helm get manifest`, `helm get hooks`),
//! for storage drivers windlass does not read itself (`HELM_DRIVER=sql`...): three helm calls per
//! release instead of one list per namespace.

use serde::Deserialize;

use super::{Helm, HelmError};
use crate::diff::DeployedRelease;

/// Where a release is: its name, namespace (empty: helm's default) and kube context.
#[derive(Debug, Clone, Copy)]
pub struct ReleaseAt<'a> {
    /// The release name.
    pub name: &'a str,
    /// Its namespace; empty for helm's default.
    pub namespace: &'a str,
    /// Its kube context, when set.
    pub kube_context: Option<&'a str>,
}

impl ReleaseAt<'_> {
    /// `--kube-context C --namespace NS`, for the parts that are set.
    fn flags(&self) -> Vec<String> {
        let mut flags = Vec::new();
        if let Some(context) = self.kube_context.filter(|c| !c.is_empty()) {
            flags.extend(["--kube-context".into(), context.into()]);
        }
        if !self.namespace.is_empty() {
            flags.extend(["--namespace".into(), self.namespace.into()]);
        }
        flags
    }
}

/// `helm history NAME --max 10 --output json`.
pub fn history_args(release: ReleaseAt<'_>) -> Vec<String> {
    let mut args = vec!["history".to_string(), release.name.to_string()];
    args.extend(release.flags());
    args.extend(["--max", "10", "--output", "json"].map(String::from));
    args
}

/// `helm get manifest|hooks NAME --revision N`.
pub fn get_args(what: &str, release: ReleaseAt<'_>, revision: u32) -> Vec<String> {
    let mut args = vec![
        "get".to_string(),
        what.to_string(),
        release.name.to_string(),
    ];
    args.extend(release.flags());
    args.extend(["--revision".to_string(), revision.to_string()]);
    args
}

/// One entry of `helm history --output json`.
#[derive(Debug, Deserialize)]
struct Revision {
    revision: u32,
    #[serde(default)]
    status: String,
    #[serde(default)]
    chart: String,
    #[serde(default)]
    app_version: String,
    #[serde(default)]
    updated: String,
}

/// The deployed release through helm; `None` when helm has no such release (or its latest
/// revision is `uninstalled`).
pub async fn deployed_release<H: Helm>(
    helm: &H,
    release: ReleaseAt<'_>,
) -> Result<Option<DeployedRelease>, HelmError> {
    let history = match helm.run(&history_args(release)).await {
        Ok(output) => output.stdout,
        Err(HelmError::Failed { stderr, .. }) if stderr.contains("not found") => return Ok(None),
        Err(error) => return Err(error),
    };
    let Some((latest, baseline)) = parse_history(&history)? else {
        return Ok(None);
    };
    let manifest = helm
        .run(&get_args("manifest", release, baseline))
        .await?
        .stdout;
    let hooks = helm
        .run(&get_args("hooks", release, baseline))
        .await?
        .stdout;
    let (chart, chart_version) = split_chart(&latest.chart);
    Ok(Some(DeployedRelease {
        revision: latest.revision,
        status: latest.status,
        chart,
        chart_version,
        app_version: latest.app_version,
        last_deployed: latest.updated,
        baseline_revision: baseline,
        manifest,
        hooks: vec![hooks],
    }))
}

/// The latest revision and the revision to compare with (the last `deployed`, else the latest).
fn parse_history(json: &str) -> Result<Option<(Revision, u32)>, HelmError> {
    let mut revisions: Vec<Revision> =
        serde_json::from_str(json).map_err(|e| HelmError::UnexpectedOutput {
            command: "history".into(),
            message: e.to_string(),
        })?;
    revisions.sort_by_key(|r| r.revision);
    let baseline = revisions
        .iter()
        .rev()
        .find(|r| r.status == "deployed")
        .map(|r| r.revision);
    match revisions.pop() {
        Some(latest) if latest.status != "uninstalled" => {
            let baseline = baseline.unwrap_or(latest.revision);
            Ok(Some((latest, baseline)))
        }
        _ => Ok(None),
    }
}

/// `my-chart-1.2.3-rc.1` → (`my-chart`, `1.2.3-rc.1`): the version starts after the first `-`
/// that is followed by a digit.
fn split_chart(chart: &str) -> (String, String) {
    let split = chart
        .match_indices('-')
        .map(|(i, _)| i)
        .find(|&i| chart[i + 1..].starts_with(|c: char| c.is_ascii_digit()));
    match split {
        Some(i) => (chart[..i].to_string(), chart[i + 1..].to_string()),
        None => (chart.to_string(), String::new()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn history_gives_the_latest_revision_and_the_last_deployed_one() {
        let json = r#"[{"revision":2,"status":"superseded","chart":"app-0.1.0"},{"revision":3,"status":"deployed","chart":"app-0.2.0"},{"revision":4,"status":"failed","chart":"my-app-1.0.0-rc.1"}]"#;
        let parsed = parse_history(json).ok().flatten();
        let (latest, baseline) = parsed.unwrap_or_else(|| panic!("no release"));
        assert_eq!(
            (latest.revision, latest.status.as_str(), baseline),
            (4, "failed", 3)
        );
        assert_eq!(
            split_chart(&latest.chart),
            ("my-app".into(), "1.0.0-rc.1".into())
        );
        assert!(matches!(
            parse_history(r#"[{"revision":5,"status":"uninstalled","chart":"a-1"}]"#),
            Ok(None)
        ));
        assert!(parse_history("Error").is_err());
    }

    #[test]
    fn argv_names_the_release_where_it_is() {
        let at = ReleaseAt {
            name: "web",
            namespace: "frontend",
            kube_context: Some("prod"),
        };
        assert_eq!(
            history_args(at).join(" "),
            "history web --kube-context prod --namespace frontend --max 10 --output json"
        );
        assert_eq!(
            get_args("hooks", at, 3).join(" "),
            "get hooks web --kube-context prod --namespace frontend --revision 3"
        );
    }
}
