//! Chart repositories: `repos` adds every repository of the project once (and logs in to OCI
//! registries that have credentials); commands that render or install charts add, before their
//! first helm call, only the repositories their plan's charts use.

use std::collections::HashSet;

use crate::events::{Event, Events};
use crate::helm::{Helm, HelmError, argv};
use crate::ops::OperationError;
use crate::plan::Plan;
use crate::project::{Project, Repository};

/// Adds the repositories of every state file, each name once, in the order they are defined;
/// with `update`, refreshes all repository indexes once afterwards (`helm repo update`).
pub async fn add_repositories<H: Helm>(
    helm: &H,
    project: &Project,
    update: bool,
    events: &dyn Events,
) -> Result<(), HelmError> {
    let declared = project.states.iter().flat_map(|s| &s.repositories);
    add(helm, declared, update, events).await
}

/// Adds the repositories `plan`'s charts use (each once), as Helmfile does before templating or
/// installing.
pub async fn add_plan_repositories<H: Helm>(
    helm: &H,
    plan: &Plan,
    events: &dyn Events,
) -> Result<(), OperationError> {
    add(helm, plan.repositories.iter(), false, events)
        .await
        .map_err(OperationError::helm("repositories"))
}

/// `helm repo add` (or `helm registry login`) for each of `repositories` not seen before.
async fn add<'r, H: Helm>(
    helm: &H,
    repositories: impl Iterator<Item = &'r Repository>,
    update: bool,
    events: &dyn Events,
) -> Result<(), HelmError> {
    let mut added = false;
    let mut seen = HashSet::new();
    for repository in repositories {
        if !seen.insert(repository.name.clone()) {
            continue;
        }
        if let Some(args) = argv::repo_add(repository) {
            helm.run(&args).await?;
            added = true;
            events.emit(Event::RepositoryAdded {
                name: repository.name.clone(),
                url: repository.url.clone(),
            });
        } else if let Some((args, password)) = argv::registry_login(repository) {
            helm.run_with_input(&args, &password).await?;
            events.emit(Event::RegistryLogin {
                registry: repository.url.clone(),
            });
        }
    }
    if update && added {
        helm.run(&argv::repo_update()).await?;
        events.emit(Event::RepositoriesUpdated);
    }
    Ok(())
}
