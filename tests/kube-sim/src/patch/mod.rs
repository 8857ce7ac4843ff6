//! The four PATCH flavours: strategic merge (helm 3, kubectl), JSON merge (custom resources),
//! JSON patch, and server-side apply (helm 4, `kubectl apply --server-side`).

pub mod apply;
pub mod fields;
pub mod keys;
pub mod strategic;

use serde_json::Value;

/// How a PATCH body is to be read, from its `Content-Type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PatchType {
    /// `application/strategic-merge-patch+json`.
    Strategic,
    /// `application/merge-patch+json` (RFC 7386).
    Merge,
    /// `application/json-patch+json` (RFC 6902).
    Json,
    /// `application/apply-patch+yaml`: server-side apply.
    Apply,
}

impl PatchType {
    /// The patch type of a request's `Content-Type`.
    pub fn from_content_type(content_type: &str) -> Option<Self> {
        match content_type.split(';').next().unwrap_or_default().trim() {
            "application/strategic-merge-patch+json" => Some(Self::Strategic),
            "application/merge-patch+json" => Some(Self::Merge),
            "application/json-patch+json" => Some(Self::Json),
            "application/apply-patch+yaml" => Some(Self::Apply),
            _ => None,
        }
    }
}

/// `original` with a strategic-merge, merge or JSON patch applied.
pub fn patch(
    kind: PatchType,
    original: &Value,
    body: &Value,
    object_kind: &str,
) -> Result<Value, String> {
    match kind {
        PatchType::Strategic => strategic::merge(original, body, object_kind),
        PatchType::Merge => {
            let mut merged = original.clone();
            json_patch::merge(&mut merged, body);
            Ok(merged)
        }
        PatchType::Json => {
            let operations: json_patch::Patch = serde_json::from_value(body.clone())
                .map_err(|e| format!("invalid JSON patch: {e}"))?;
            let mut patched = original.clone();
            json_patch::patch(&mut patched, &operations).map_err(|e| e.to_string())?;
            Ok(patched)
        }
        PatchType::Apply => Err("server-side apply is not a merge of two documents".into()),
    }
}
