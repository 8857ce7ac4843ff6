//! Lists the releases of every environment of a project, in the order a sync runs them: what a
//! platform portal or a review bot shows. No helm, no cluster, no keys: without `prepare`, a
//! plan selects and resolves releases but renders and decrypts no values.
//!
//! ```text
//! cargo run -p windlass --example environments -- [PROJECT_DIR]
//! ```

mod support;

use std::path::PathBuf;
use std::process::ExitCode;

use support::Failure;
use windlass::plan::{Plan, PlanOptions, Selection};
use windlass::project::{LoadOptions, Project};

fn main() -> ExitCode {
    let dir = std::env::args_os()
        .nth(1)
        .map_or_else(|| PathBuf::from("."), PathBuf::from);
    support::print_or_fail(list(dir))
}

/// One block per environment: each release's id, chart, version and kube context.
fn list(dir: PathBuf) -> Result<String, Failure> {
    let base = LoadOptions {
        dir,
        ..LoadOptions::default()
    };
    let only_look = PlanOptions {
        prepare: false,
        ..PlanOptions::default()
    };
    let mut text = String::new();
    for environment in Project::environment_names(&base).map_err(|e| (e.to_string(), e.hint()))? {
        let options = LoadOptions {
            environment: environment.clone(),
            ..base.clone()
        };
        let project = Project::load(&options).map_err(|e| (e.to_string(), e.hint()))?;
        let plan = Plan::build(&project, &Selection::default(), &only_look)
            .map_err(|e| (e.to_string(), e.hint()))?;
        text.push_str(&format!("{environment}:\n"));
        for release in plan.in_run_order() {
            // Install, Uninstall or Disabled (`installed: false`, a false `condition:`).
            let state = format!("{:?}", release.desired).to_lowercase();
            text.push_str(&format!(
                "  {:<20} {:<18} {:<8} {:<10} {}\n",
                release.id.to_string(),
                release.chart.to_string(),
                release.chart_version.as_deref().unwrap_or("-"),
                state,
                release
                    .kube_context
                    .as_deref()
                    .unwrap_or("(current context)"),
            ));
        }
    }
    Ok(text)
}
