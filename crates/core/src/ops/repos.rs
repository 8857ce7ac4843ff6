//! `repos`: add every chart repository of the project once (and log in to OCI registries that
//! have credentials), as Helmfile does before any chart is used.

use std::collections::HashSet;

use crate::events::{Event, Events};
use crate::helm::{Helm, HelmError, argv};
use crate::project::Project;

/// Adds the repositories of every state file, each name once, in the order they are defined;
/// with `update`, refreshes all repository indexes once afterwards (`helm repo update`).
pub async fn add_repositories<H: Helm>(
    helm: &H,
    project: &Project,
    update: bool,
    events: &dyn Events,
) -> Result<(), HelmError> {
    let mut added = false;
    let mut seen = HashSet::new();
    for repository in project.states.iter().flat_map(|s| &s.repositories) {
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
            helm.run_with_input(&args, Some(&password)).await?;
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
