//! `repos`: add chart repositories (and log in to OCI registries that have credentials), as
//! Helmfile does before any chart is used.

use std::collections::HashSet;

use crate::charts::ChartsError;
use crate::events::{Event, Events};
use crate::helm::{Helm, argv};
use crate::project::Project;

/// Adds the repositories of every state file, each name once, in the order they are defined
/// (with `only`, just those names); with `update`, refreshes all repository indexes once
/// afterwards (`helm repo update`).
pub async fn add_repositories<H: Helm>(
    helm: &H,
    project: &Project,
    only: Option<&[String]>,
    update: bool,
    events: &dyn Events,
) -> Result<(), ChartsError> {
    let mut added = false;
    let mut seen = HashSet::new();
    let mut helm4 = None;
    let wanted = |name: &String| only.is_none_or(|names| names.contains(name));
    for repository in project.states.iter().flat_map(|s| &s.repositories) {
        if !wanted(&repository.name) || !seen.insert(repository.name.clone()) {
            continue;
        }
        let failed = |source| ChartsError::Repository {
            name: repository.name.clone(),
            url: repository.url.clone(),
            source,
        };
        if let Some(args) = argv::repo_add(repository) {
            helm.run(&args).await.map_err(failed)?;
            added = true;
            events.emit(Event::RepositoryAdded {
                name: repository.name.clone(),
                url: repository.url.clone(),
            });
        } else if repository.oci && repository.username.is_some() {
            // Only helm 4 has (and needs) --plain-http for a login.
            let is_helm4 = match helm4 {
                Some(known) => known,
                None if repository.plain_http => {
                    let known = helm.version().await.map_err(failed)?.is_helm4();
                    helm4 = Some(known);
                    known
                }
                None => false,
            };
            if let Some((args, password)) = argv::registry_login(repository, is_helm4) {
                helm.run_with_input(&args, Some(&password))
                    .await
                    .map_err(failed)?;
                events.emit(Event::RegistryLogin {
                    registry: repository.url.clone(),
                });
            }
        }
    }
    if update && added {
        helm.run(&argv::repo_update()).await?;
        events.emit(Event::RepositoriesUpdated);
    }
    Ok(())
}
