//! Why reading the cluster failed, naming the kube context (and its server when it is not
//! reachable), with the API's status code and reason kept.

/// Errors of the `kube` area.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum KubeError {
    /// No kubeconfig could be read.
    #[error("cannot read the kubeconfig {files}: {message}")]
    Kubeconfig {
        /// The files tried.
        files: String,
        /// What went wrong.
        message: String,
    },
    /// The kube context is not in the kubeconfig, or its cluster or user is incomplete.
    #[error("kube context {context:?}: {message}")]
    Context {
        /// The context.
        context: String,
        /// What went wrong.
        message: String,
    },
    /// The API server did not answer.
    #[error("cannot reach the Kubernetes API of kube context {context:?} at {server}: {message}")]
    Unreachable {
        /// The context.
        context: String,
        /// The server URL from the kubeconfig.
        server: String,
        /// What the connection said.
        message: String,
    },
    /// The API server refused or failed a request.
    #[error("kube context {context:?}: {request}: {message} ({code} {reason})")]
    Api {
        /// The context.
        context: String,
        /// What was asked, e.g. `list secrets in namespace backend`.
        request: String,
        /// The HTTP status code.
        code: u16,
        /// The API's reason (`Forbidden`, `NotFound`...).
        reason: String,
        /// The API's message.
        message: String,
    },
    /// A helm release record could not be decoded.
    #[error("release record {record} in namespace {namespace}: {message}")]
    Record {
        /// The Secret or ConfigMap name (`sh.helm.release.v1.NAME.vN`).
        record: String,
        /// Its namespace.
        namespace: String,
        /// What is wrong with it.
        message: String,
    },
}

impl KubeError {
    /// A suggestion of what to do about the error, when there is one.
    pub fn hint(&self) -> Option<String> {
        match self {
            Self::Kubeconfig { .. } => Some(
                "pass --kubeconfig FILE or set KUBECONFIG, as for kubectl".into(),
            ),
            Self::Context { .. } => {
                Some("`kubectl config get-contexts` lists the contexts of the kubeconfig".into())
            }
            Self::Unreachable { context, .. } => Some(format!(
                "check the cluster is up and reachable: kubectl --context {context} cluster-info"
            )),
            Self::Api { code: 401, .. } => {
                Some("the credentials of this kube context were refused; log in again".into())
            }
            Self::Api { code: 403, .. } => Some(
                "the credentials of this kube context may not do this; a diff needs get and list on the release's objects and its release records".into(),
            ),
            Self::Api { .. } | Self::Record { .. } => None,
        }
    }

    /// Whether the API refused the request for lack of permission (HTTP 403).
    pub fn is_forbidden(&self) -> bool {
        matches!(self, Self::Api { code: 403, .. })
    }
}
