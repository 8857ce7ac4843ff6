//! The kubeconfig a server writes for itself: an admin and a read-only user with their tokens,
//! the server's address for each (the read-only one under its path prefix, see `auth`), and
//! contexts for both (plus any context names a test or the example project needs, all admin).

use serde_json::json;

use crate::auth::{READ_ONLY_PREFIX, Tokens};

/// The context of the admin user (the current context).
pub const ADMIN_CONTEXT: &str = "kube-sim";
/// The context of the read-only user.
pub const READ_ONLY_CONTEXT: &str = "kube-sim-read-only";

/// The kubeconfig text (YAML) for a server at `server` (`http://127.0.0.1:PORT`).
pub fn render(server: &str, tokens: &Tokens, extra_contexts: &[String]) -> String {
    let context = |name: &str, cluster: &str, user: &str| json!({"name": name, "context": {"cluster": cluster, "user": user, "namespace": "default"}});
    let mut contexts = vec![context(ADMIN_CONTEXT, "kube-sim", "admin")];
    contexts.extend(
        extra_contexts
            .iter()
            .filter(|c| c.as_str() != ADMIN_CONTEXT && c.as_str() != READ_ONLY_CONTEXT)
            .map(|c| context(c, "kube-sim", "admin")),
    );
    contexts.push(context(
        READ_ONLY_CONTEXT,
        "kube-sim-read-only",
        "read-only",
    ));
    let config = json!({
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [
            {"name": "kube-sim", "cluster": {"server": server}},
            {"name": "kube-sim-read-only", "cluster": {"server": format!("{server}{READ_ONLY_PREFIX}")}},
        ],
        "users": [
            {"name": "admin", "user": {"token": tokens.admin}},
            {"name": "read-only", "user": {"token": tokens.read_only}},
        ],
        "contexts": contexts,
        "current-context": ADMIN_CONTEXT,
        "preferences": {},
    });
    format!(
        "# Written by windlass-kube-sim, a local test double of the Kubernetes API (objects in memory).\n{}",
        serde_yaml::to_string(&config).unwrap_or_default()
    )
}
