//! Live objects: discovery of each group-version once per context (kinds, resource names and
//! scopes), objects read with one list per kind and namespace (label
//! `app.kubernetes.io/managed-by=Helm`, which helm puts on what it deploys) plus a get for the
//! few a list does not return, and server-side-apply dry runs as field manager `helm`.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use kube::api::{Api, DynamicObject, ListParams, Patch, PatchParams};
use kube::core::GroupVersion;
use kube::discovery::{self, ApiCapabilities, ApiResource};
use serde_json::Value as Json;

use super::{Cluster, KubeError};
use crate::diff::manifest::Object;
use crate::diff::{KnownScopes, ObjectKey, Scope};

/// The resources the server serves for one group-version.
type Resources = Arc<Vec<(ApiResource, ApiCapabilities)>>;

/// The resources of each group-version asked so far (`None`: the server does not serve it).
pub(super) type DiscoveryCache = Arc<Mutex<HashMap<String, Option<Resources>>>>;

/// The label helm sets on every object it deploys.
const HELM_LABEL: &str = "app.kubernetes.io/managed-by=Helm";

impl Cluster {
    /// The resources the server serves for `api_version`, asked once per context.
    async fn resources(&self, api_version: &str) -> Result<Option<Resources>, KubeError> {
        if let Some(known) = self.cached(api_version) {
            return Ok(known);
        }
        let found = match api_version.parse::<GroupVersion>() {
            Err(_) => None,
            Ok(gv) => match discovery::pinned_group(&self.client, &gv).await {
                Ok(group) => Some(Arc::new(group.versioned_resources(&gv.version))),
                Err(kube::Error::Api(status)) if status.code == 404 => None,
                Err(e) => {
                    return Err(self.error(&format!("discover the kinds of {api_version}"), e));
                }
            },
        };
        if let Ok(mut cache) = self.discovery.lock() {
            cache.insert(api_version.to_string(), found.clone());
        }
        Ok(found)
    }

    fn cached(&self, api_version: &str) -> Option<Option<Resources>> {
        self.discovery.lock().ok()?.get(api_version).cloned()
    }

    /// The resource of `kind` in `api_version`, when the server serves it.
    async fn resource(
        &self,
        api_version: &str,
        kind: &str,
    ) -> Result<Option<(ApiResource, Scope)>, KubeError> {
        let resources = self.resources(api_version).await?;
        Ok(resources.and_then(|list| {
            list.iter().find(|(r, _)| r.kind == kind).map(|(r, caps)| {
                let scope = match caps.scope {
                    discovery::Scope::Cluster => Scope::Cluster,
                    discovery::Scope::Namespaced => Scope::Namespaced,
                };
                (r.clone(), scope)
            })
        }))
    }

    /// Teaches `scopes` the scope of each `(apiVersion, kind)` the server serves.
    pub async fn learn_scopes(
        &self,
        kinds: &[(String, String)],
        scopes: &mut KnownScopes,
    ) -> Result<(), KubeError> {
        for (api_version, kind) in kinds {
            if let Some((resource, scope)) = self.resource(api_version, kind).await? {
                scopes.insert(&resource.group, kind, scope);
            }
        }
        Ok(())
    }

    fn api(&self, resource: &ApiResource, namespace: Option<&str>) -> Api<DynamicObject> {
        match namespace {
            Some(namespace) => Api::namespaced_with(self.client.clone(), namespace, resource),
            None => Api::all_with(self.client.clone(), resource),
        }
    }

    /// The live objects of `objects` that exist, by key: one list per kind and namespace when
    /// several objects share them, a get for the rest.
    pub async fn live_objects(
        &self,
        objects: &[&Object],
    ) -> Result<HashMap<ObjectKey, Json>, KubeError> {
        let mut groups: BTreeMap<(String, String, Option<String>), Vec<&Object>> = BTreeMap::new();
        for object in objects {
            groups
                .entry((
                    object.api_version.clone(),
                    object.key.kind.clone(),
                    object.key.namespace.clone(),
                ))
                .or_default()
                .push(object);
        }
        let mut found = HashMap::new();
        for ((api_version, kind, namespace), members) in groups {
            let Some((resource, _)) = self.resource(&api_version, &kind).await? else {
                continue;
            };
            let api = self.api(&resource, namespace.as_deref());
            let place = namespace
                .as_deref()
                .map(|n| format!(" in namespace {n}"))
                .unwrap_or_default();
            let mut listed: HashMap<String, DynamicObject> = HashMap::new();
            if members.len() > 1 {
                let request = format!("list {}{place}", resource.plural);
                let list = api
                    .list(&ListParams::default().labels(HELM_LABEL))
                    .await
                    .map_err(|e| self.error(&request, e))?;
                for item in list.items {
                    if let Some(name) = item.metadata.name.clone() {
                        listed.insert(name, item);
                    }
                }
            }
            for object in members {
                let name = &object.key.name;
                let live = match listed.remove(name) {
                    Some(live) => Some(live),
                    None => {
                        let request = format!("get {} {name}{place}", resource.plural);
                        api.get_opt(name)
                            .await
                            .map_err(|e| self.error(&request, e))?
                    }
                };
                if let Some(live) = live {
                    found.insert(object.key.clone(), as_json(live, &resource));
                }
            }
        }
        Ok(found)
    }

    /// The result of applying each object server-side as field manager `helm` with force, as a
    /// dry run (admission webhooks and defaults applied, nothing stored). A 403 comes back as
    /// [`KubeError::is_forbidden`] for the caller to fall back to a live comparison.
    pub async fn dry_run_apply(
        &self,
        objects: &[&Object],
    ) -> Result<HashMap<ObjectKey, Json>, KubeError> {
        let params = PatchParams::apply("helm").force().dry_run();
        let mut out = HashMap::new();
        for object in objects {
            let Some((resource, _)) = self.resource(&object.api_version, &object.key.kind).await?
            else {
                continue;
            };
            let namespace = object.key.namespace.as_deref();
            let api = self.api(&resource, namespace);
            let mut body = object.body.clone();
            if let (Some(namespace), Some(metadata)) = (
                namespace,
                body.get_mut("metadata").and_then(Json::as_object_mut),
            ) {
                metadata.insert("namespace".into(), Json::from(namespace));
            }
            let request = format!("server-side apply (dry run) {}", object.key);
            let result = api
                .patch(&object.key.name, &params, &Patch::Apply(&body))
                .await
                .map_err(|e| self.error(&request, e))?;
            out.insert(object.key.clone(), as_json(result, &resource));
        }
        Ok(out)
    }
}

/// A dynamic object as JSON, with `apiVersion` and `kind` (list items may lack them).
fn as_json(object: DynamicObject, resource: &ApiResource) -> Json {
    let mut value = serde_json::to_value(object).unwrap_or_default();
    if let Some(map) = value.as_object_mut() {
        map.insert(
            "apiVersion".into(),
            Json::from(resource.api_version.clone()),
        );
        map.insert("kind".into(), Json::from(resource.kind.clone()));
    }
    value
}
