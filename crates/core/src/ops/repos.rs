//! Chart repositories: `repos` adds every repository of the project once (and logs in to OCI
//! registries that have credentials); commands that render or install charts add, before their
//! first helm call, only the repositories their plan's charts use.

use std::collections::HashSet;

use crate::charts::ChartsError;
use crate::events::{Event, Events};
use crate::helm::{Helm, argv};
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
) -> Result<(), ChartsError> {
    let declared = project.states.iter().flat_map(|s| &s.repositories);
    add(helm, declared, update, events).await
}

/// Adds the repositories of the project named `names` (each once), as `deps` does for the
/// remote charts it locks.
pub async fn add_repositories_named<H: Helm>(
    helm: &H,
    project: &Project,
    names: &[String],
    events: &dyn Events,
) -> Result<(), ChartsError> {
    let declared = project
        .states
        .iter()
        .flat_map(|s| &s.repositories)
        .filter(|r| names.contains(&r.name));
    add(helm, declared, false, events).await
}

/// Adds the repositories `plan`'s charts use (each once), as Helmfile does before templating or
/// installing.
pub async fn add_plan_repositories<H: Helm>(
    helm: &H,
    plan: &Plan,
    events: &dyn Events,
) -> Result<(), OperationError> {
    Ok(add(helm, plan.repositories.iter(), false, events).await?)
}

/// `helm repo add` (or `helm registry login`) for each of `repositories` not seen before.
async fn add<'r, H: Helm>(
    helm: &H,
    repositories: impl Iterator<Item = &'r Repository>,
    update: bool,
    events: &dyn Events,
) -> Result<(), ChartsError> {
    let mut added = false;
    let mut seen = HashSet::new();
    let mut helm4 = None;
    for repository in repositories {
        if !seen.insert(repository.name.clone()) {
            continue;
        }
        let failed = |source| ChartsError::Repository {
            name: repository.name.clone(),
            url: repository.url.clone(),
            source,
        };
        // Only helm 4 has (and needs) --plain-http for a login: ask its version only then.
        if repository.oci && repository.plain_http && helm4.is_none() {
            helm4 = Some(helm.version().await.map_err(failed)?.is_helm4());
        }
        if let Some(args) = argv::repo_add(repository) {
            helm.run(&args).await.map_err(failed)?;
            added = true;
            events.emit(Event::RepositoryAdded {
                name: repository.name.clone(),
                url: repository.url.clone(),
            });
        } else if let Some((args, password)) =
            argv::registry_login(repository, helm4.unwrap_or(false))
        {
            helm.run_with_input(&args, &password)
                .await
                .map_err(failed)?;
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
