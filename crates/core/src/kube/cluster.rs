//! One kube-rs client per kube context, built from the kubeconfig files as kubectl merges them
//! (exec credential plugins, client certificates and TLS settings included).

use std::path::PathBuf;

use kube::config::{KubeConfigOptions, Kubeconfig};

use super::KubeError;

/// The kubeconfig files to merge, in kubectl's order: `--kubeconfig`, else the files of
/// `KUBECONFIG`, else `~/.kube/config` (the caller resolves which).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KubeconfigFiles(pub Vec<PathBuf>);

impl KubeconfigFiles {
    fn describe(&self) -> String {
        self.0
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Reads and merges the files (the first file's settings win, as in kubectl).
    pub fn read(&self) -> Result<Kubeconfig, KubeError> {
        let error = |message: String| KubeError::Kubeconfig {
            files: self.describe(),
            message,
        };
        if self.0.is_empty() {
            return Err(error("no kubeconfig file was found".into()));
        }
        let mut merged: Option<Kubeconfig> = None;
        for path in &self.0 {
            let config = Kubeconfig::read_from(path).map_err(|e| error(e.to_string()))?;
            merged = Some(match merged {
                None => config,
                Some(merged) => merged.merge(config).map_err(|e| error(e.to_string()))?,
            });
        }
        merged.ok_or_else(|| error("no kubeconfig file was found".into()))
    }
}

/// A client for one kube context, with what error messages need to name it.
#[derive(Clone)]
pub struct Cluster {
    pub(super) client: kube::Client,
    pub(super) context: String,
    server: String,
    default_namespace: String,
    pub(super) discovery: super::live::DiscoveryCache,
}

impl std::fmt::Debug for Cluster {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cluster")
            .field("context", &self.context)
            .field("server", &self.server)
            .finish_non_exhaustive()
    }
}

impl Cluster {
    /// A client for `context` (the kubeconfig's current context when `None`). Nothing is asked
    /// of the server yet.
    pub async fn new(kubeconfig: &Kubeconfig, context: Option<&str>) -> Result<Cluster, KubeError> {
        let name = context
            .map(str::to_string)
            .or_else(|| kubeconfig.current_context.clone())
            .unwrap_or_default();
        let context_error = |message: String| KubeError::Context {
            context: name.clone(),
            message,
        };
        if name.is_empty() {
            return Err(context_error(
                "the kubeconfig has no current context and the release names none".into(),
            ));
        }
        if !kubeconfig.contexts.iter().any(|c| c.name == name) {
            return Err(context_error("not found in the kubeconfig".into()));
        }
        let options = KubeConfigOptions {
            context: Some(name.clone()),
            cluster: None,
            user: None,
        };
        let config = kube::Config::from_custom_kubeconfig(kubeconfig.clone(), &options)
            .await
            .map_err(|e| context_error(e.to_string()))?;
        let server = config.cluster_url.to_string();
        let default_namespace = config.default_namespace.clone();
        let client = kube::Client::try_from(config).map_err(|e| context_error(e.to_string()))?;
        Ok(Cluster {
            client,
            context: name,
            server,
            default_namespace,
            discovery: Default::default(),
        })
    }

    /// The context's name.
    pub fn context(&self) -> &str {
        &self.context
    }

    /// The namespace helm uses for a release that names none (the context's, else `default`).
    pub fn default_namespace(&self) -> &str {
        &self.default_namespace
    }

    /// The server's Kubernetes version (`v1.31.2`), for `helm template --kube-version`. This is
    /// the first request made, so an unreachable server is reported here, naming the context and
    /// its server.
    pub async fn version(&self) -> Result<String, KubeError> {
        let info = self
            .client
            .apiserver_version()
            .await
            .map_err(|e| self.error("get the server version", e))?;
        Ok(info.git_version)
    }

    /// The error of a failed request: the API's status when it answered, else unreachable.
    pub(super) fn error(&self, request: &str, error: kube::Error) -> KubeError {
        match error {
            kube::Error::Api(status) => KubeError::Api {
                context: self.context.clone(),
                request: request.to_string(),
                code: status.code,
                reason: status.reason.clone(),
                message: status.message.clone(),
            },
            kube::Error::HyperError(_) | kube::Error::Service(_) => KubeError::Unreachable {
                context: self.context.clone(),
                server: self.server.clone(),
                message: root_cause(&error),
            },
            other => KubeError::Api {
                context: self.context.clone(),
                request: request.to_string(),
                code: 0,
                reason: "ClientError".into(),
                message: root_cause(&other),
            },
        }
    }
}

/// The innermost cause of an error chain ("Connection refused (os error 111)").
fn root_cause(error: &(dyn std::error::Error + 'static)) -> String {
    let mut current = error;
    while let Some(source) = current.source() {
        current = source;
    }
    current.to_string()
}
