//! The CLI is a client of the library like any other: it can only reach what the library
//! documents. Items that are `pub(crate)` or private cannot be imported from another crate at
//! all (the compiler refuses); the one way around the documented API is an item that is public
//! but `#[doc(hidden)]`. There must be none, so everything the CLI imports is in the rustdoc.

use windlass_tests::{files_below, repo_root};

#[test]
fn the_library_hides_no_public_item_from_its_documentation() {
    let root = repo_root();
    let hidden: Vec<String> = files_below(&root.join("crates/core/src"))
        .into_iter()
        .filter(|path| path.extension().is_some_and(|e| e == "rs"))
        .flat_map(|path| {
            let text = std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("cannot read {path:?}: {e}"));
            let shown = path
                .strip_prefix(&root)
                .unwrap_or(&path)
                .display()
                .to_string();
            text.lines()
                .enumerate()
                .filter(|(_, line)| line.replace(' ', "").contains("doc(hidden"))
                .map(|(n, line)| format!("{shown}:{}: {}", n + 1, line.trim()))
                .collect::<Vec<_>>()
        })
        .collect();
    assert_eq!(hidden, Vec::<String>::new());
}

#[test]
fn missing_docs_are_an_error_in_the_library() {
    let lib = std::fs::read_to_string(repo_root().join("crates/core/src/lib.rs"))
        .unwrap_or_else(|e| panic!("cannot read lib.rs: {e}"));
    assert!(
        lib.lines()
            .any(|line| line.trim() == "#![deny(missing_docs)]"),
        "crates/core/src/lib.rs must deny missing_docs"
    );
}

/// A future a caller can `tokio::spawn`: `Send` and, over owned data, `'static`.
fn spawnable<F: Future + Send + 'static>(future: F) -> F {
    future
}

/// Every operation on a plan can be spawned. The check is the compiler's: this file does not
/// build when one of them is not `Send` (the futures are made, never run).
#[test]
fn every_operation_can_be_spawned() {
    use std::sync::Arc;
    use windlass::cancel::Cancellation;
    use windlass::events::Recorded;
    use windlass::helm::HelmProcess;
    use windlass::ops::hooks::Hooks;
    use windlass::ops::runner::RunContext;
    use windlass::ops::{apply, destroy, diff, fetch, status, sync, template};
    use windlass::plan::{Plan, PlanOptions, Selection};
    use windlass::project::{LoadOptions, Project};

    let root = repo_root();
    let options = LoadOptions {
        dir: root.clone(),
        environment: "development".into(),
        ..LoadOptions::default()
    };
    let project = Arc::new(Project::load(&options).unwrap_or_else(|e| panic!("{e}")));
    let only_look = PlanOptions {
        prepare: false,
        ..PlanOptions::default()
    };
    let plan = Arc::new(
        Plan::build(&project, &Selection::default(), &only_look).unwrap_or_else(|e| panic!("{e}")),
    );
    let context = RunContext {
        helm: HelmProcess::new("helm", &root),
        events: Arc::new(Recorded::default()),
        cancel: Cancellation::default(),
        concurrency: 1,
    };
    let (p, c) = (plan.clone(), context.clone());
    drop(spawnable(async move {
        sync::sync(&p, &sync::SyncOptions::default(), &c).await
    }));
    let (p, c) = (plan.clone(), context.clone());
    drop(spawnable(async move {
        let run = diff::diff(&p, &diff::DiffSettings::default(), &c).await?;
        let hooks = Hooks::new(&p, "apply", &c);
        apply::apply(&p, &run, &hooks, &c).await
    }));
    let (p, c) = (plan.clone(), context.clone());
    drop(spawnable(async move {
        destroy::destroy(&p, &destroy::DestroyOptions::default(), &c).await
    }));
    let (p, c) = (plan.clone(), context.clone());
    drop(spawnable(async move {
        status::status(&p, &status::StatusSettings::default(), &c).await
    }));
    let (j, p, c) = (project.clone(), plan.clone(), context.clone());
    drop(spawnable(async move {
        let options = template::TemplateOptions::default();
        template::run_per_release(&j, &p, template::ChartCommand::Template, &options, &c).await
    }));
    drop(spawnable(async move {
        fetch::fetch(&project, &plan, &fetch::FetchOptions::default(), &context).await
    }));
}
