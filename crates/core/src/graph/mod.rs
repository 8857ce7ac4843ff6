//! The release dependency graph: release ids as Helmfile forms them, `needs` resolution, `-l`
//! selectors, deterministic dependency order, and text/dot renderings.

mod dag;
mod error;
mod id;
mod selector;

pub use dag::{Dag, Inclusion, Node};
pub use error::GraphError;
pub use id::ReleaseId;
pub use selector::Selector;
