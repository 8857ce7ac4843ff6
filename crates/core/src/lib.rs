//! Windlass: deploy many Helm releases across many environments, compatible with Helmfile.
//!
//! The `windlass` command is a thin layer over this crate; a platform CLI, an operator or a CI
//! bot can call the same operations and get typed results instead of text to parse.
//!
//! # How data flows
//!
//! Files → [`Project`](project::Project) (typed, validated, every value remembers its file and
//! line) → a [`Plan`](plan::Plan) for one environment and selection (every release's chart,
//! values, kube context and helm settings decided once) → an operation in [`ops`] (template,
//! diff, sync, apply...), run by [`ops::runner`] over the plan's dependency graph through a
//! [`Helm`](helm::Helm) → a typed report and a stream of [`events::Event`]s.
//!
//! Nothing in this crate prints, reads the terminal, exits the process, changes its environment
//! or keeps global state. Errors are `#[non_exhaustive]` enums, one per area, whose messages
//! name the file and line where they apply and whose `hint()` suggests what to do.
//!
//! # Load, plan, look
//!
//! [`Project::load`](project::Project::load) and [`Plan::build`](plan::Plan::build) are
//! **blocking** (they read files, render templates, decrypt SOPS files and write values files);
//! in async code call them through `tokio::task::spawn_blocking` or `block_in_place`. SOPS age identities can be handed over in
//! memory, so a program never has to put a key in a file or in its environment:
//!
//! ```
//! use std::sync::Arc;
//! use windlass::plan::{Plan, PlanOptions, Selection};
//! use windlass::project::{LoadOptions, Project};
//! use windlass::secrets::{AgeIdentities, DecryptOptions};
//!
//! // The example project of the repository (charts.yaml + environments-example/).
//! let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
//! // An age key from a vault, a Kubernetes Secret... here the example's test key.
//! let key = std::fs::read_to_string(root.join("environments-example/age-test-key.txt"))?;
//! let options = LoadOptions {
//!     dir: root,
//!     environment: "production".into(),
//!     decrypt: Arc::new(DecryptOptions {
//!         identities: AgeIdentities::parse(&key, "the example's key")?,
//!         ..DecryptOptions::default()
//!     }),
//!     ..LoadOptions::default()
//! };
//! let project = Project::load(&options)?;
//! assert_eq!(project.environments, ["development", "production", "staging"]);
//!
//! // Every release of the environment (a `Selection` with `-l`-style selectors picks fewer).
//! // Building the plan renders, decrypts and writes each release's values (0600, in a private
//! // folder that is removed when the plan is dropped).
//! let plan = Plan::build(&project, &Selection::default(), &PlanOptions::default())?;
//! let order: Vec<String> = plan.in_run_order().map(|r| r.id.to_string()).collect();
//! assert_eq!(order, ["data/postgres", "backend/api", "backend/worker", "frontend/web"]);
//! let api = plan.releases.iter().find(|r| r.name == "api").ok_or("no api")?;
//! assert_eq!(api.kube_context.as_deref(), Some("prod-eu"));
//! assert_eq!(api.chart.to_string(), "charts/api");
//!
//! // Values that came from decrypted secrets never show in `Debug` output.
//! assert!(!format!("{plan:?}").contains("example-production-db-password"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Run an operation through your own `Helm`
//!
//! Operations are `async` and take the plan and a [`RunContext`](ops::runner::RunContext): the
//! [`Helm`](helm::Helm) to drive ([`HelmProcess`](helm::HelmProcess) runs the real binary; a
//! test double or a remote executor implements the trait), where events go, the
//! [`Cancellation`](cancel::Cancellation) that stops the run, and how many releases run at
//! once. Events arrive through any [`Events`](events::Events) sink: a closure, an
//! [`events::channel`] (a `tokio::sync::mpsc` stream), or [`events::Recorded`].
//!
//! ```
//! use std::sync::{Arc, Mutex};
//! use windlass::cancel::Cancellation;
//! use windlass::events::{self, Event, ReleasePhase};
//! use windlass::helm::{Helm, HelmCall, HelmError, HelmOutput};
//! use windlass::ops::runner::RunContext;
//! use windlass::ops::template::{ChartCommand, TemplateOptions, run_per_release};
//! use windlass::plan::{Plan, PlanOptions, Selection};
//! use windlass::project::{LoadOptions, Project};
//! use windlass::secrets::{AgeIdentities, DecryptOptions};
//!
//! /// A helm that renders one ConfigMap per release and remembers what it was asked.
//! #[derive(Clone, Default)]
//! struct FakeHelm(Arc<Mutex<Vec<String>>>);
//!
//! impl Helm for FakeHelm {
//!     async fn call(&self, call: HelmCall<'_>) -> Result<HelmOutput, HelmError> {
//!         self.0.lock().unwrap().push(call.args.join(" "));
//!         let stdout = match call.args.first().map(String::as_str) {
//!             Some("version") => "v3.17.0+g1234567\n".to_string(),
//!             Some("template") => format!(
//!                 "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {}\n",
//!                 call.args[1]
//!             ),
//!             _ => String::new(), // `dependency build` and the like: nothing to say
//!         };
//!         Ok(HelmOutput { stdout, stderr: String::new() })
//!     }
//! }
//!
//! let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
//! let key = std::fs::read_to_string(root.join("environments-example/age-test-key.txt"))?;
//! let options = LoadOptions {
//!     dir: root.clone(),
//!     environment: "development".into(),
//!     decrypt: Arc::new(DecryptOptions {
//!         identities: AgeIdentities::parse(&key, "the example's key")?,
//!         ..DecryptOptions::default()
//!     }),
//!     ..LoadOptions::default()
//! };
//! let project = Project::load(&options)?;
//! let plan = Plan::build(&project, &Selection::default(), &PlanOptions::default())?;
//!
//! // Progress as a stream: every event of the run, in order.
//! let (sink, mut progress) = events::channel();
//! let helm = FakeHelm::default();
//! let context = RunContext {
//!     helm: helm.clone(),
//!     events: sink,
//!     cancel: Cancellation::default(),
//!     concurrency: 2,
//! };
//! let template = TemplateOptions { working_dir: root, ..TemplateOptions::default() };
//! let runtime = tokio::runtime::Runtime::new()?;
//! // The run owns what it uses, so it can go on a task of its own.
//! let run = runtime.spawn({
//!     let context = context.clone();
//!     async move {
//!         run_per_release(&project, &plan, ChartCommand::Template, &template, &context).await
//!     }
//! });
//! let rendered = runtime.block_on(run)??;
//! assert!(rendered.report.all_succeeded());
//! assert!(rendered.text.contains("name: web"));
//! // The api chart's local dependency was built before anything was rendered.
//! assert_eq!(helm.0.lock().unwrap()[0], "dependency build charts/api");
//!
//! drop(context); // closes the stream once the run's last sender is gone
//! let mut done = Vec::new();
//! while let Ok(event) = progress.try_recv() {
//!     if let Event::Release { release, phase: ReleasePhase::Done { .. } } = event {
//!         done.push(release.to_string());
//!     }
//! }
//! done.sort();
//! assert_eq!(done, ["backend/api", "data/postgres", "frontend/web"]); // no worker in development
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Diff, sync and apply; spawning
//!
//! [`ops::diff::diff`] compares each release with what its cluster runs and returns a
//! [`DiffRun`](ops::diff::DiffRun) whose [`DiffReport`](diff::DiffReport) holds every
//! release's object changes (and [`DiffReport::to_json`](diff::DiffReport::to_json), the
//! document `windlass diff --output json` prints); [`ops::apply::apply`] upgrades exactly what
//! a diff found; [`ops::sync::sync`] upgrades (or uninstalls) every release;
//! [`ops::destroy::destroy`] uninstalls them, dependents first. The state files' and releases'
//! hooks run as Helmfile runs them ([`ops::hooks::Hooks`]). Each returns a
//! [`Report`](ops::report::Report): per release an outcome, when it started and how long it
//! took. [`ops::status::status`] reads what each cluster runs, without changing anything: a
//! [`StatusReport`](ops::status::StatusReport) with each release's record (revision, status,
//! chart, last deployed) and its workloads' health as Argo CD names it.
//!
//! Everything an operation needs is owned or shared through `Arc` ([`Project`](project::Project),
//! [`Plan`](plan::Plan), [`RunContext`](ops::runner::RunContext)), and the operations' futures
//! are `Send`: move the data into an `async move` block to `tokio::spawn` a run, and keep a clone
//! of its [`Cancellation`](cancel::Cancellation) to stop it: nothing new starts, and helm
//! processes started by a [`HelmProcess`](helm::HelmProcess) given the same switch
//! ([`with_cancellation`](helm::HelmProcess::with_cancellation)) get SIGTERM, then SIGKILL after
//! the grace period; the report says what was cancelled.
//! `examples/drift.rs` does this: a drift check against a cluster that prints a JSON summary
//! and exits like `windlass diff --detailed-exitcode`. `examples/custom_helm.rs` embeds
//! windlass with a helm of its own, `examples/environments.rs` lists the releases of every
//! environment.

// The library reports through return values and events; only the CLI prints.
#![warn(clippy::print_stdout, clippy::print_stderr)]
#![deny(missing_docs)]

pub mod cancel;
pub mod chart;
pub mod chartify;
pub mod charts;
pub mod diff;
pub mod events;
pub mod graph;
pub mod helm;
pub mod kube;
pub mod location;
pub mod ops;
pub mod plan;
mod process;
pub mod project;
pub mod secrets;
mod strconv;
pub mod template;
pub mod values;
pub mod yaml;
