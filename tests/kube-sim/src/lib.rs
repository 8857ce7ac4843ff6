//! A local Kubernetes API server for windlass's tests and for trying windlass without a cluster.
//!
//! It is a **test double**: objects live in memory, no container ever runs, and it only plays
//! the controllers helm waits for (see the crate README for exactly what it does and does not
//! emulate). Real helm 3 and 4 and kubectl talk to it over plain HTTP on 127.0.0.1.
//!
//! ```no_run
//! let sim = windlass_kube_sim::KubeSim::start().expect("start the local API");
//! println!("KUBECONFIG={}", sim.kubeconfig().display());
//! // ... run helm or kubectl with that kubeconfig; the server stops when `sim` is dropped.
//! ```

mod auth;
mod clock;
mod cluster;
mod controllers;
mod discovery;
mod kubeconfig;
pub mod patch;
mod protobuf;
mod resources;
mod selector;
mod server;
mod status;
mod store;
mod table;
mod validation;
mod verbs;
mod watch;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub use kubeconfig::{ADMIN_CONTEXT, READ_ONLY_CONTEXT};
pub use store::ChangeKind;

use cluster::Cluster;

/// How to start a server.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// More context names for the kubeconfig, all for the admin user (e.g. an environment's
    /// `kubeContext`).
    pub contexts: Vec<String>,
    /// Where to write the kubeconfig; a private temporary file when `None`.
    pub kubeconfig: Option<PathBuf>,
    /// The port on 127.0.0.1; 0 picks a free one.
    pub port: u16,
    /// Print one line per request on stderr: method, path, body type, answer.
    pub log_requests: bool,
}

/// A running server: stops when dropped.
pub struct KubeSim {
    address: SocketAddr,
    cluster: Arc<Cluster>,
    kubeconfig: PathBuf,
    contexts: Vec<String>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
    _dir: Option<tempfile::TempDir>,
}

impl std::fmt::Debug for KubeSim {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KubeSim")
            .field("address", &self.address)
            .field("kubeconfig", &self.kubeconfig)
            .finish()
    }
}

impl KubeSim {
    /// Starts a server on a free port with a kubeconfig in a temporary folder.
    pub fn start() -> std::io::Result<Self> {
        Self::start_with(Options::default())
    }

    /// Starts a server as `options` say, on its own thread.
    pub fn start_with(options: Options) -> std::io::Result<Self> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let listener =
            runtime.block_on(tokio::net::TcpListener::bind(("127.0.0.1", options.port)))?;
        let address = listener.local_addr()?;
        let (dir, kubeconfig) = match options.kubeconfig.clone() {
            Some(path) => (None, path),
            None => {
                let dir = tempfile::Builder::new().prefix("kube-sim-").tempdir()?;
                let path = dir.path().join("kubeconfig");
                (Some(dir), path)
            }
        };
        let cluster = start_cluster(address, &options, &kubeconfig)?;
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let serving = Arc::clone(&cluster);
        let thread = std::thread::Builder::new()
            .name(format!("kube-sim-{}", address.port()))
            .spawn(move || {
                runtime.block_on(server::serve(listener, serving, async {
                    let _ = stopped.await;
                }));
            })?;
        Ok(Self {
            address,
            cluster,
            kubeconfig,
            contexts: options.contexts,
            stop: Some(stop),
            thread: Some(thread),
            _dir: dir,
        })
    }

    /// The address it listens on.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// The kubeconfig file it wrote.
    pub fn kubeconfig(&self) -> &Path {
        &self.kubeconfig
    }

    /// The admin context (the kubeconfig's current context).
    pub fn admin_context(&self) -> &'static str {
        ADMIN_CONTEXT
    }

    /// The read-only user's context: get, list and watch only.
    pub fn read_only_context(&self) -> &'static str {
        READ_ONLY_CONTEXT
    }

    /// The extra context names asked for at start.
    pub fn contexts(&self) -> &[String] {
        &self.contexts
    }

    /// The stored object, read directly (no HTTP): `api_version` as in manifests (`apps/v1`),
    /// `plural` the resource (`deployments`), `namespace` empty for cluster-scoped objects.
    pub fn object(
        &self,
        api_version: &str,
        plural: &str,
        namespace: &str,
        name: &str,
    ) -> Option<serde_json::Value> {
        let (group, _) = resources::split_api_version(api_version);
        self.cluster
            .read()
            .get(&(group.to_string(), plural.to_string()), namespace, name)
            .cloned()
    }

    /// The stored objects of a resource, in one namespace or all, sorted by namespace and name.
    pub fn objects(
        &self,
        api_version: &str,
        plural: &str,
        namespace: Option<&str>,
    ) -> Vec<serde_json::Value> {
        let (group, _) = resources::split_api_version(api_version);
        self.cluster
            .read()
            .list(&(group.to_string(), plural.to_string()), namespace)
            .cloned()
            .collect()
    }
}

/// One stored change, as the server's journal keeps it.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    /// Added, modified or deleted.
    pub kind: ChangeKind,
    /// The resource (`secrets`, `deployments`...).
    pub resource: String,
    /// The namespace, empty for cluster-scoped objects.
    pub namespace: String,
    /// The object's name.
    pub name: String,
    /// The object after the change (its last state, for deletions).
    pub object: serde_json::Value,
}

impl KubeSim {
    /// Every change stored so far, oldest first (the standard namespaces' creation included):
    /// tests read the order in which clients wrote objects from it.
    pub fn changes(&self) -> Vec<Change> {
        self.cluster
            .read()
            .log()
            .map(|change| {
                let (namespace, name) = store::object_key(&change.object);
                Change {
                    kind: change.kind,
                    resource: change.key.1.clone(),
                    namespace,
                    name,
                    object: (*change.object).clone(),
                }
            })
            .collect()
    }
}

impl Drop for KubeSim {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        self.cluster.stop();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Serves on `listener` until `shutdown` completes, after writing the kubeconfig to
/// `kubeconfig` (for the binary, which runs its own runtime).
pub async fn serve_until(
    listener: tokio::net::TcpListener,
    options: &Options,
    kubeconfig: &Path,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let cluster = start_cluster(listener.local_addr()?, options, kubeconfig)?;
    server::serve(listener, cluster, shutdown).await;
    Ok(())
}

/// A new cluster for a server at `address`, with its kubeconfig written to `path`.
fn start_cluster(
    address: SocketAddr,
    options: &Options,
    path: &Path,
) -> std::io::Result<Arc<Cluster>> {
    let cluster = Arc::new(Cluster::new(options.log_requests));
    let text = kubeconfig::render(
        &format!("http://{address}"),
        &cluster.tokens,
        &options.contexts,
    );
    std::fs::write(path, text)?;
    Ok(cluster)
}
