//! HTTP: routing Kubernetes REST paths to discovery and the verbs, reading request bodies (JSON,
//! YAML, protobuf), answering JSON (or a `Table` when kubectl asks for one), streaming watches.

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use tokio::net::TcpListener;

use crate::auth::User;
use crate::cluster::Cluster;
use crate::patch::PatchType;
use crate::resources::Resource;
use crate::selector::{FieldSelector, LabelSelector, Selectors};
use crate::status::ApiError;
use crate::verbs::{self, Propagation};
use crate::watch::{self, Start, WatchRequest};
use crate::{discovery, protobuf, table};

/// Serves `cluster` on `listener` until `shutdown` completes, then ends every watch.
pub async fn serve(
    listener: TcpListener,
    cluster: Arc<Cluster>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) {
    let app = Router::new()
        .fallback(handle)
        .with_state(Arc::clone(&cluster));
    let stopping = Arc::clone(&cluster);
    let _ = axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            shutdown.await;
            stopping.stop();
        })
        .await;
}

/// Largest request body read (helm release records of big charts stay far below).
const BODY_LIMIT: usize = 64 << 20;

async fn handle(State(cluster): State<Arc<Cluster>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let authorization = parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|h| h.to_str().ok());
    let (user, path) = match cluster.tokens.authenticate(parts.uri.path(), authorization) {
        Ok((user, path)) => (user, path.to_string()),
        Err(error) => return failure(&error),
    };
    let body = match axum::body::to_bytes(body, BODY_LIMIT).await {
        Ok(body) => body,
        Err(e) => {
            return failure(&ApiError::bad_request(format!(
                "cannot read the request body: {e}"
            )));
        }
    };
    let line = cluster.log_requests.then(|| {
        let content_type = parts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|h| h.to_str().ok());
        format!(
            "{} {} {}",
            parts.method,
            parts.uri,
            content_type.unwrap_or("-")
        )
    });
    let call = Call {
        method: parts.method.clone(),
        path,
        query: parse_query(parts.uri.query().unwrap_or_default()),
        headers: parts.headers,
        body,
        user,
    };
    let response = match respond(&cluster, &call) {
        Ok(response) => response,
        Err(error) => failure(&error),
    };
    if let Some(line) = line {
        eprintln!("{line} -> {}", response.status().as_u16());
    }
    response
}

/// One request, read.
struct Call {
    method: Method,
    path: String,
    query: HashMap<String, String>,
    headers: HeaderMap,
    body: Bytes,
    user: User,
}

impl Call {
    fn header(&self, name: header::HeaderName) -> &str {
        self.headers
            .get(name)
            .and_then(|h| h.to_str().ok())
            .unwrap_or_default()
    }

    fn param(&self, name: &str) -> Option<&str> {
        self.query.get(name).map(String::as_str)
    }

    fn flag(&self, name: &str) -> bool {
        matches!(self.param(name), Some("true" | "1"))
    }

    /// The field manager: `fieldManager`, else the user agent's first word, as the API server does.
    fn manager(&self) -> String {
        self.param("fieldManager").map_or_else(
            || {
                let agent = self.header(header::USER_AGENT);
                let name = agent.split('/').next().unwrap_or_default();
                if name.is_empty() {
                    "unknown".into()
                } else {
                    name.into()
                }
            },
            str::to_string,
        )
    }

    /// The body as JSON, whatever it was sent as.
    fn object(&self) -> Result<Value, ApiError> {
        if self.body.is_empty() {
            return Ok(Value::Null);
        }
        let content_type = self.header(header::CONTENT_TYPE);
        if content_type.starts_with("application/vnd.kubernetes.protobuf") {
            protobuf::decode(&self.body).map_err(ApiError::unsupported_media_type)
        } else if content_type.contains("yaml") {
            serde_yaml::from_slice(&self.body)
                .map_err(|e| ApiError::bad_request(format!("invalid YAML body: {e}")))
        } else {
            serde_json::from_slice(&self.body)
                .map_err(|e| ApiError::bad_request(format!("invalid JSON body: {e}")))
        }
    }
}

/// Where a path leads.
#[derive(Debug, PartialEq, Eq)]
enum Route {
    Version,
    Health,
    OpenApiV2,
    CoreVersions,
    Groups,
    Group(String),
    Resources { group: String, version: String },
    Objects(Target),
}

/// A resource path: `/api/v1/namespaces/ns/secrets/name/status` and the like.
#[derive(Debug, PartialEq, Eq)]
struct Target {
    group: String,
    version: String,
    namespace: Option<String>,
    plural: String,
    name: Option<String>,
    subresource: Option<String>,
    watch: bool,
}

fn route(path: &str) -> Option<Route> {
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    Some(match segments.as_slice() {
        ["version"] => Route::Version,
        ["healthz" | "readyz" | "livez", ..] => Route::Health,
        ["openapi", "v2"] => Route::OpenApiV2,
        ["api"] => Route::CoreVersions,
        ["api", version] => Route::Resources {
            group: String::new(),
            version: (*version).into(),
        },
        ["api", version, rest @ ..] => Route::Objects(target("", version, rest)?),
        ["apis"] => Route::Groups,
        ["apis", group] => Route::Group((*group).into()),
        ["apis", group, version] => Route::Resources {
            group: (*group).into(),
            version: (*version).into(),
        },
        ["apis", group, version, rest @ ..] => Route::Objects(target(group, version, rest)?),
        _ => return None,
    })
}

fn target(group: &str, version: &str, rest: &[&str]) -> Option<Target> {
    let (watch, rest) = match rest {
        ["watch", rest @ ..] => (true, rest),
        _ => (false, rest),
    };
    let owned = |s: &&str| s.to_string();
    let (namespace, plural, name, subresource) = match rest {
        ["namespaces"] => (None, "namespaces", None, None),
        ["namespaces", name] => (None, "namespaces", Some(*name), None),
        ["namespaces", name, sub @ ("status" | "finalize")] => {
            (None, "namespaces", Some(*name), Some(*sub))
        }
        ["namespaces", ns, plural, tail @ ..] if tail.len() <= 2 => (
            Some(*ns),
            *plural,
            tail.first().copied(),
            tail.get(1).copied(),
        ),
        [plural, tail @ ..] if tail.len() <= 2 => {
            (None, *plural, tail.first().copied(), tail.get(1).copied())
        }
        _ => return None,
    };
    Some(Target {
        group: group.into(),
        version: version.into(),
        namespace: namespace.map(|n| owned(&n)),
        plural: plural.into(),
        name: name.map(|n| owned(&n)),
        subresource: subresource.map(|s| owned(&s)),
        watch,
    })
}

fn respond(cluster: &Arc<Cluster>, call: &Call) -> Result<Response, ApiError> {
    let route = route(&call.path).ok_or_else(|| ApiError::no_route(&call.path))?;
    if !matches!(route, Route::Objects(_)) && call.method != Method::GET {
        return Err(ApiError::method_not_allowed(&call.path));
    }
    let accept = call.header(header::ACCEPT);
    match route {
        Route::Version => Ok(ok(&discovery::version())),
        Route::Health => Ok((StatusCode::OK, "ok").into_response()),
        Route::OpenApiV2 => Ok((
            StatusCode::OK,
            [(header::CONTENT_TYPE, discovery::OPENAPI_V2_CONTENT_TYPE)],
            Vec::new(),
        )
            .into_response()),
        Route::CoreVersions | Route::Groups => {
            let core = route == Route::CoreVersions;
            let registry = cluster.read().registry.clone();
            Ok(match discovery::wants_aggregated(accept) {
                Some(version) => {
                    let content_type = format!(
                        "application/json;g=apidiscovery.k8s.io;v={version};as=APIGroupDiscoveryList"
                    );
                    let body = discovery::aggregated(&registry, core, version).to_string();
                    (StatusCode::OK, [(header::CONTENT_TYPE, content_type)], body).into_response()
                }
                None if core => ok(&discovery::core_versions()),
                None => ok(&discovery::groups(&registry)),
            })
        }
        Route::Group(group) => {
            let registry = cluster.read().registry.clone();
            discovery::group(&registry, &group)
                .map(|g| ok(&g))
                .ok_or_else(|| ApiError::no_route(&call.path))
        }
        Route::Resources { group, version } => {
            let registry = cluster.read().registry.clone();
            discovery::resources(&registry, &group, &version)
                .map(|r| ok(&r))
                .ok_or_else(|| ApiError::no_route(&call.path))
        }
        Route::Objects(target) => objects(cluster, call, &target),
    }
}

fn objects(cluster: &Arc<Cluster>, call: &Call, target: &Target) -> Result<Response, ApiError> {
    let resource = cluster
        .read()
        .registry
        .find(&target.group, &target.version, &target.plural)
        .cloned()
        .ok_or_else(|| ApiError::no_route(&call.path))?;
    if resource.namespaced != target.namespace.is_some()
        && !(resource.namespaced && target.name.is_none() && call.method == Method::GET)
    {
        return Err(ApiError::no_route(&call.path));
    }
    let status_only = match target.subresource.as_deref() {
        None => false,
        Some("status") if resource.has_status => true,
        Some(_) => return Err(ApiError::no_route(&call.path)),
    };
    let watching = target.watch || call.flag("watch");
    let verb = match (&call.method, &target.name) {
        (&Method::GET, None) if watching => "watch",
        (&Method::GET, None) => "list",
        (&Method::GET, Some(_)) => "get",
        (&Method::POST, None) => "create",
        (&Method::PUT, Some(_)) => "update",
        (&Method::PATCH, Some(_)) => "patch",
        (&Method::DELETE, Some(_)) => "delete",
        _ => {
            return Err(ApiError::method_not_allowed(&format!(
                "{} {}",
                call.method, call.path
            )));
        }
    };
    if !call.user.may(verb) {
        return Err(ApiError::forbidden(
            call.user.name(),
            verb,
            &resource,
            target.namespace.as_deref(),
        ));
    }
    let manager = call.manager();
    let request = verbs::Request {
        resource: &resource,
        version: &target.version,
        namespace: target.namespace.as_deref(),
        manager: &manager,
        dry_run: call.param("dryRun") == Some("All"),
        force: call.flag("force"),
    };
    let name = target.name.as_deref().unwrap_or_default();
    let created = |object: Value| (StatusCode::CREATED, json_body(&object)).into_response();
    match verb {
        "watch" => Ok(watch_response(cluster, call, &resource, target)?),
        "list" => {
            let selectors = selectors(call)?;
            let store = cluster.read();
            let items: Vec<Value> = store
                .list(&resource.key(), target.namespace.as_deref())
                .filter(|o| selectors.matches(o))
                .map(|o| request.answer(o.clone()))
                .collect();
            let version = store.resource_version().to_string();
            drop(store);
            if wants_table(call) {
                return Ok(ok(&table::table(
                    &resource,
                    &items,
                    &version,
                    call.param("includeObject"),
                )));
            }
            Ok(ok(&json!({
                "kind": format!("{}List", resource.kind),
                "apiVersion": resource.api_version(&target.version),
                "metadata": {"resourceVersion": version},
                "items": items,
            })))
        }
        "get" => {
            let object = verbs::get(&cluster.read(), &request, name)?;
            if wants_table(call) {
                let version = object["metadata"]["resourceVersion"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string();
                return Ok(ok(&table::table(
                    &resource,
                    &[object],
                    &version,
                    call.param("includeObject"),
                )));
            }
            Ok(ok(&object))
        }
        "create" => {
            let body = call.object()?;
            cluster
                .write(|store| verbs::create(store, &request, body))
                .map(created)
        }
        "update" => {
            let body = call.object()?;
            cluster
                .write(|store| verbs::update(store, &request, name, body, status_only))
                .map(|o| ok(&o))
        }
        "patch" => {
            let content_type = call.header(header::CONTENT_TYPE);
            let kind = PatchType::from_content_type(content_type).ok_or_else(|| {
                ApiError::unsupported_media_type(format!("the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json (got {content_type:?})"))
            })?;
            let body = call.object()?;
            let existed = cluster
                .read()
                .get(
                    &resource.key(),
                    target.namespace.as_deref().unwrap_or_default(),
                    name,
                )
                .is_some();
            cluster
                .write(|store| verbs::patch_object(store, &request, name, kind, body, status_only))
                .map(|o| {
                    if existed || request.dry_run {
                        ok(&o)
                    } else {
                        created(o)
                    }
                })
        }
        _ => {
            let options = call.object()?;
            let propagation = Propagation::from_options(&options, call.param("propagationPolicy"));
            let dry_run = request.dry_run
                || options["dryRun"]
                    .as_array()
                    .is_some_and(|d| d.iter().any(|v| v == "All"));
            let request = verbs::Request { dry_run, ..request };
            cluster
                .write(|store| verbs::delete(store, &request, name, &options, propagation))
                .map(|o| ok(&o))
        }
    }
}

fn selectors(call: &Call) -> Result<Selectors, ApiError> {
    Ok(Selectors {
        labels: LabelSelector::parse(call.param("labelSelector").unwrap_or_default())
            .map_err(ApiError::bad_request)?,
        fields: FieldSelector::parse(call.param("fieldSelector").unwrap_or_default())
            .map_err(ApiError::bad_request)?,
    })
}

fn watch_response(
    cluster: &Arc<Cluster>,
    call: &Call,
    resource: &Resource,
    target: &Target,
) -> Result<Response, ApiError> {
    let mut selectors = selectors(call)?;
    if target.watch
        && let Some(name) = &target.name
    {
        selectors.fields = FieldSelector::parse(&format!("metadata.name={name}"))
            .map_err(ApiError::bad_request)?;
    }
    let start = if call.flag("sendInitialEvents") {
        Start::InitialEvents
    } else {
        match call.param("resourceVersion").unwrap_or_default() {
            "" | "0" => Start::Existing,
            version => Start::After(version.parse().map_err(|_| {
                ApiError::bad_request(format!("invalid resourceVersion {version:?}"))
            })?),
        }
    };
    let request = WatchRequest {
        resource: resource.clone(),
        version: target.version.clone(),
        namespace: target.namespace.clone(),
        selectors,
        start,
        timeout: call
            .param("timeoutSeconds")
            .and_then(|t| t.parse().ok())
            .map(Duration::from_secs),
    };
    let stream = watch::events(Arc::clone(cluster), request);
    Ok((
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::TRANSFER_ENCODING, "chunked"),
        ],
        Body::from_stream(stream),
    )
        .into_response())
}

fn wants_table(call: &Call) -> bool {
    call.header(header::ACCEPT)
        .split(',')
        .any(|part| part.contains("as=Table"))
}

fn json_body(value: &Value) -> ([(header::HeaderName, &'static str); 1], String) {
    (
        [(header::CONTENT_TYPE, "application/json")],
        value.to_string(),
    )
}

fn ok(value: &Value) -> Response {
    (StatusCode::OK, json_body(value)).into_response()
}

fn failure(error: &ApiError) -> Response {
    let code = StatusCode::from_u16(error.code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (code, json_body(&error.to_status())).into_response()
}

/// The query string as a map, percent-decoded.
fn parse_query(query: &str) -> HashMap<String, String> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

fn percent_decode(text: &str) -> String {
    let hex = |b: u8| char::from(b).to_digit(16);
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match (
            bytes[i],
            bytes.get(i + 1).copied().and_then(hex),
            bytes.get(i + 2).copied().and_then(hex),
        ) {
            (b'%', Some(high), Some(low)) => {
                out.push((high * 16 + low) as u8);
                i += 3;
            }
            (b'+', _, _) => {
                out.push(b' ');
                i += 1;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_resource_paths() {
        let Some(Route::Objects(t)) = route("/api/v1/namespaces/apps/secrets/web/status") else {
            panic!()
        };
        assert_eq!(
            (
                t.namespace.as_deref(),
                t.plural.as_str(),
                t.name.as_deref(),
                t.subresource.as_deref()
            ),
            (Some("apps"), "secrets", Some("web"), Some("status"))
        );
        let Some(Route::Objects(t)) = route("/api/v1/namespaces/apps") else {
            panic!()
        };
        assert_eq!(
            (t.plural.as_str(), t.name.as_deref()),
            ("namespaces", Some("apps"))
        );
        let Some(Route::Objects(t)) = route("/apis/apps/v1/deployments") else {
            panic!()
        };
        assert_eq!(
            (t.group.as_str(), t.namespace, t.name),
            ("apps", None, None)
        );
        assert_eq!(route("/apis/apps"), Some(Route::Group("apps".into())));
        assert_eq!(route("/nothing/here"), None);
    }

    #[test]
    fn decodes_query_strings() {
        let query = parse_query("labelSelector=owner%3Dhelm%2Cname%3Dweb&watch=1&x=a+b");
        assert_eq!(query["labelSelector"], "owner=helm,name=web");
        assert_eq!(query["watch"], "1");
        assert_eq!(query["x"], "a b");
    }
}
