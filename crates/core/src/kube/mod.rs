//! Reading the cluster with kube-rs: one [`Cluster`] client per kube context, built from the
//! kubeconfig as kubectl builds it; helm's release records read directly from their Secrets or
//! ConfigMaps ([`records`]); live objects and server-side-apply dry runs through discovery and
//! dynamic objects ([`live`]).
//!
//! Release records hold the release's decrypted values: nothing here keeps, prints or logs them
//! (only the manifest, hooks, status and chart identity are read out of a record).

mod cluster;
mod error;
pub mod health;
pub mod live;
pub mod records;

pub use cluster::{Cluster, KubeconfigFiles};
pub use error::KubeError;
pub use records::Driver;
