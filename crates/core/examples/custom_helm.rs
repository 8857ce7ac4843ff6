//! Embedding windlass with a helm of your own: a dry run of `sync` that prints the helm
//! commands it would run, in order, instead of running them. The same trait lets a program
//! run helm in a sandbox, on another machine, or through a recording for tests.
//!
//! ```text
//! cargo run -p windlass --example custom_helm -- PROJECT_DIR ENVIRONMENT
//! ```
//!
//! SOPS files are decrypted with the age key whose file `$SOPS_AGE_KEY_FILE` names; the values
//! files the commands name live in the plan's private folder, shown as `$VALUES`.

mod support;

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};

use support::Failure;
use windlass::cancel::Cancellation;
use windlass::events::{Event, ReleasePhase};
use windlass::helm::{Helm, HelmCall, HelmError, HelmOutput, redacted};
use windlass::ops::runner::RunContext;
use windlass::ops::sync::{SyncOptions, sync};
use windlass::plan::{Plan, PlanOptions, Selection};
use windlass::project::{LoadOptions, Project};
use windlass::secrets::DecryptOptions;

/// A helm that runs nothing: it says it is helm 3.17 and remembers every other command.
#[derive(Clone, Default)]
struct DryRunHelm {
    commands: Arc<Mutex<Vec<String>>>,
}

impl Helm for DryRunHelm {
    async fn call(&self, call: HelmCall<'_>) -> Result<HelmOutput, HelmError> {
        let stdout = if call.args.first().is_some_and(|a| a == "version") {
            "v3.17.0+gdry\n".to_string()
        } else {
            // `--set` values and credentials masked, as windlass shows helm commands.
            let line = format!("helm {}", redacted(call.args));
            self.commands
                .lock()
                .map_err(|_| HelmError::UnexpectedOutput {
                    command: line.clone(),
                    message: "the command list is poisoned".into(),
                })?
                .push(line);
            String::new()
        };
        Ok(HelmOutput {
            stdout,
            stderr: String::new(),
        })
    }
}

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let (Some(dir), Some(environment)) = (args.next(), args.next()) else {
        eprintln!("usage: custom_helm PROJECT_DIR ENVIRONMENT");
        return ExitCode::FAILURE;
    };
    support::print_or_fail(dry_run(PathBuf::from(dir), environment))
}

/// The helm commands `sync` would run for every release of `environment`, then each release's
/// end as the events told it.
fn dry_run(dir: PathBuf, environment: String) -> Result<String, Failure> {
    let options = LoadOptions {
        dir,
        environment,
        decrypt: Arc::new(DecryptOptions {
            identities: support::age_identities()?,
            ..DecryptOptions::default()
        }),
        ..LoadOptions::default()
    };
    let project = Project::load(&options).map_err(|e| (e.to_string(), e.hint()))?;
    let plan = Plan::build(&project, &Selection::default(), &PlanOptions::default())
        .map_err(|e| (e.to_string(), e.hint()))?;

    let helm = DryRunHelm::default();
    let finished = Arc::new(Mutex::new(Vec::new()));
    let events = Arc::new({
        let finished = finished.clone();
        move |event| {
            if let Event::Release {
                release,
                phase: ReleasePhase::Done { .. },
            } = event
                && let Ok(mut finished) = finished.lock()
            {
                finished.push(release.to_string());
            }
        }
    });
    let context = RunContext {
        helm: helm.clone(),
        events,
        cancel: Cancellation::default(),
        // One at a time, so the commands come in the order a sync with --concurrency 1 runs.
        concurrency: 1,
    };
    let runtime =
        tokio::runtime::Runtime::new().map_err(|e| (format!("no async runtime: {e}"), None))?;
    // The plan is shared with the spawned run; the values files live as long as it does.
    let plan = Arc::new(plan);
    let run = runtime.spawn({
        let plan = plan.clone();
        async move { sync(&plan, &SyncOptions::default(), &context).await }
    });
    let report = runtime
        .block_on(run)
        .map_err(|e| (e.to_string(), None))?
        .map_err(|e| (e.to_string(), e.hint()))?;

    let private = plan
        .private_dir()
        .map(|d| d.display().to_string())
        .unwrap_or_default();
    let mut text = String::new();
    let commands = helm.commands.lock().map(|c| c.clone()).unwrap_or_default();
    for command in commands {
        let command = match private.as_str() {
            "" => command,
            dir => command.replace(dir, "$VALUES"),
        };
        text.push_str(&format!("{command}\n"));
    }
    let finished = finished.lock().map(|f| f.join(", ")).unwrap_or_default();
    text.push_str(&format!(
        "{} releases upgraded ({finished}), {} failed\n",
        report.releases.len() - report.failures().count(),
        report.failures().count()
    ));
    Ok(text)
}
