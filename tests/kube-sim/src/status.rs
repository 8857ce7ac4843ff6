//! API errors, answered as `Status` objects with the reason and code a real API server gives, so
//! clients (helm, kubectl) recognise not-found, conflicts and denials.

use serde_json::{Value, json};

use crate::resources::Resource;

/// A failed request: HTTP code, `Status.reason`, message and details.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    /// HTTP status code.
    pub code: u16,
    /// The `reason` clients switch on (`NotFound`, `AlreadyExists`, `Conflict`...).
    pub reason: &'static str,
    /// What went wrong, in the API server's words.
    pub message: String,
    /// `details` of the `Status` (name, group, kind, causes).
    pub details: Value,
}

impl ApiError {
    fn new(code: u16, reason: &'static str, message: String, details: Value) -> Self {
        Self {
            code,
            reason,
            message,
            details,
        }
    }

    fn about(resource: &Resource, name: &str) -> Value {
        json!({"name": name, "group": resource.group, "kind": resource.plural})
    }

    /// `<plural>.<group> "name" not found` (404).
    pub fn not_found(resource: &Resource, name: &str) -> Self {
        Self::new(
            404,
            "NotFound",
            format!("{} \"{name}\" not found", resource.qualified()),
            Self::about(resource, name),
        )
    }

    /// `<plural>.<group> "name" already exists` (409).
    pub fn already_exists(resource: &Resource, name: &str) -> Self {
        Self::new(
            409,
            "AlreadyExists",
            format!("{} \"{name}\" already exists", resource.qualified()),
            Self::about(resource, name),
        )
    }

    /// An optimistic-concurrency or field-ownership conflict (409).
    pub fn conflict(resource: &Resource, name: &str, why: &str) -> Self {
        Self::new(
            409,
            "Conflict",
            format!(
                "Operation cannot be fulfilled on {} \"{name}\": {why}",
                resource.qualified()
            ),
            Self::about(resource, name),
        )
    }

    /// A server-side apply conflict with other field managers (409), one cause per field.
    pub fn apply_conflict(resource: &Resource, name: &str, conflicts: &[(String, String)]) -> Self {
        let causes: Vec<Value> = conflicts
            .iter()
            .map(|(manager, field)| {
                json!({"reason": "FieldManagerConflict", "message": format!("conflict with \"{manager}\""), "field": field})
            })
            .collect();
        let list: Vec<String> = conflicts
            .iter()
            .map(|(manager, field)| format!("- conflict with \"{manager}\": {field}"))
            .collect();
        let mut details = Self::about(resource, name);
        details["causes"] = Value::Array(causes);
        Self::new(
            409,
            "Conflict",
            format!(
                "Apply failed with {} conflict{}:\n{}",
                conflicts.len(),
                if conflicts.len() == 1 { "" } else { "s" },
                list.join("\n")
            ),
            details,
        )
    }

    /// The object fails validation (422), one cause per `(field, message)`.
    pub fn invalid(resource: &Resource, name: &str, causes: &[(String, String)]) -> Self {
        let list: Vec<String> = causes.iter().map(|(f, m)| format!("{f}: {m}")).collect();
        let mut details = Self::about(resource, name);
        details["kind"] = Value::String(resource.kind.clone());
        details["causes"] = causes
            .iter()
            .map(|(field, message)| json!({"reason": "FieldValueInvalid", "message": message, "field": field}))
            .collect();
        let kind = if resource.group.is_empty() {
            resource.kind.clone()
        } else {
            format!("{}.{}", resource.kind, resource.group)
        };
        Self::new(
            422,
            "Invalid",
            format!("{kind} \"{name}\" is invalid: {}", list.join(", ")),
            details,
        )
    }

    /// The user may not do this (403).
    pub fn forbidden(user: &str, verb: &str, resource: &Resource, namespace: Option<&str>) -> Self {
        let scope = namespace.map_or_else(
            || " at the cluster scope".to_string(),
            |ns| format!(" in the namespace \"{ns}\""),
        );
        Self::new(
            403,
            "Forbidden",
            format!(
                "{} is forbidden: User \"{user}\" cannot {verb} resource \"{}\" in API group \"{}\"{scope}",
                resource.qualified(),
                resource.plural,
                resource.group
            ),
            json!({"group": resource.group, "kind": resource.plural}),
        )
    }

    /// No or an unknown bearer token (401).
    pub fn unauthorized() -> Self {
        Self::new(401, "Unauthorized", "Unauthorized".into(), json!({}))
    }

    /// A malformed request (400).
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(400, "BadRequest", message.into(), json!({}))
    }

    /// A path this server does not serve (404 without an object).
    pub fn no_route(path: &str) -> Self {
        Self::new(
            404,
            "NotFound",
            format!("the server could not find the requested resource ({path})"),
            json!({}),
        )
    }

    /// A verb the resource does not support (405).
    pub fn method_not_allowed(what: &str) -> Self {
        Self::new(
            405,
            "MethodNotAllowed",
            format!("the server does not allow this method on the requested resource: {what}"),
            json!({}),
        )
    }

    /// A body or patch type this server does not read (415).
    pub fn unsupported_media_type(message: impl Into<String>) -> Self {
        Self::new(415, "UnsupportedMediaType", message.into(), json!({}))
    }

    /// A watch asked for changes older than the server remembers (410).
    pub fn expired(message: impl Into<String>) -> Self {
        Self::new(410, "Expired", message.into(), json!({}))
    }

    /// The `Status` object answered to the client.
    pub fn to_status(&self) -> Value {
        json!({
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.message,
            "reason": self.reason,
            "details": self.details,
            "code": self.code,
        })
    }
}
