//! A drift check for a scheduled job: diffs one environment against its clusters through the
//! library alone, prints a JSON summary on stdout and exits like
//! `windlass diff --detailed-exitcode`: 0 in sync, 2 drift, 1 error.
//!
//! ```text
//! cargo run -p windlass --example drift -- PROJECT_DIR ENVIRONMENT [--live]
//! ```
//!
//! helm is `$HELM` (default: `helm` on `PATH`); the clusters are read with the kubeconfig files
//! of `$KUBECONFIG` (default `~/.kube/config`); SOPS files are decrypted with the age key whose
//! file `$SOPS_AGE_KEY_FILE` names, read into memory. The diff runs as a spawned task, stopped
//! cleanly by Ctrl-C.

mod support;

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use serde_json::json;
use support::Failure;
use windlass::cancel::Cancellation;
use windlass::diff::{Comparison, DiffReport};
use windlass::helm::HelmProcess;
use windlass::kube::KubeconfigFiles;
use windlass::ops::diff::{DiffSettings, diff};
use windlass::ops::runner::RunContext;
use windlass::plan::{Plan, PlanOptions, Selection};
use windlass::project::{LoadOptions, Project};
use windlass::secrets::DecryptOptions;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let (Some(dir), Some(environment)) = (args.next(), args.next()) else {
        eprintln!("usage: drift PROJECT_DIR ENVIRONMENT [--live]");
        return ExitCode::from(1);
    };
    let live = args.any(|a| a == "--live");
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(e) => return support::fail((format!("cannot start the async runtime: {e}"), None)),
    };
    match runtime.block_on(check(PathBuf::from(dir), environment, live)) {
        Ok(report) => {
            println!("{:#}", summary(&report));
            ExitCode::from(match (report.errors.is_empty(), report.has_changes()) {
                (false, _) => 1,
                (true, true) => 2,
                (true, false) => 0,
            })
        }
        Err(failure) => support::fail(failure),
    }
}

/// Loads the environment, plans every release and diffs it against the cluster.
async fn check(dir: PathBuf, environment: String, live: bool) -> Result<DiffReport, Failure> {
    let options = LoadOptions {
        dir: dir.clone(),
        environment,
        decrypt: Arc::new(DecryptOptions {
            identities: support::age_identities()?,
            ..DecryptOptions::default()
        }),
        ..LoadOptions::default()
    };
    // Loading and planning read files and decrypt: blocking work, off the async threads.
    let plan = tokio::task::spawn_blocking(move || {
        let project = Project::load(&options).map_err(|e| (e.to_string(), e.hint()))?;
        Plan::build(&project, &Selection::default(), &PlanOptions::default())
            .map_err(|e| (e.to_string(), e.hint()))
    })
    .await
    .map_err(|e| (e.to_string(), None))??;

    let binary = std::env::var_os("HELM").unwrap_or_else(|| "helm".into());
    let search_path = std::env::var_os("PATH");
    let cancel = Cancellation::default();
    let helm = HelmProcess::locate(binary.as_ref(), &dir, search_path.as_deref())
        .map_err(|e| (e.to_string(), e.hint()))?
        .with_cancellation(cancel.clone());
    // Progress as a callback: the library's warnings go to stderr.
    let events = Arc::new(|event| {
        if let windlass::events::Event::Warning { location, message } = event {
            eprintln!("warning: {location}: {message}");
        }
    });
    let context = RunContext {
        helm,
        events,
        cancel: cancel.clone(),
        concurrency: 4,
    };
    let settings = DiffSettings {
        comparison: if live {
            Comparison::Live
        } else {
            Comparison::Release
        },
        // As kubectl finds them: `$KUBECONFIG`, else `~/.kube/config`.
        kubeconfig: KubeconfigFiles::discover(None, &dir, &|name| std::env::var(name).ok()),
        ..DiffSettings::default()
    };
    // The run owns everything it uses, so it can be spawned; Ctrl-C stops it cleanly.
    let run = tokio::spawn(async move { diff(&plan, &settings, &context).await });
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            cancel.stop();
        }
    });
    let run = run
        .await
        .map_err(|e| (e.to_string(), None))?
        .map_err(|e| (e.to_string(), e.hint()))?;
    Ok(run.report)
}

/// What a dashboard or an alert needs: the counts, the releases that drifted with the objects
/// that differ, and what could not be checked.
fn summary(report: &DiffReport) -> serde_json::Value {
    let drifted: Vec<_> = report
        .releases
        .iter()
        .filter(|r| r.changed())
        .map(|r| {
            json!({
                "release": format!("{}/{}", r.namespace, r.name),
                "kubeContext": r.kube_context,
                "reasons": r.reasons.iter().map(|reason| reason.code()).collect::<Vec<_>>(),
                "objects": r.resources.iter().map(|o| o.key.to_string()).collect::<Vec<_>>(),
            })
        })
        .collect();
    json!({
        "environment": report.environment,
        "comparison": report.comparison.as_str(),
        "inSync": report.errors.is_empty() && !report.has_changes(),
        "summary": report.summary(),
        "drifted": drifted,
        "errors": report.errors.iter().map(|e| json!({
            "releases": e.releases,
            "message": e.message,
            "hint": e.hint,
        })).collect::<Vec<_>>(),
    })
}
