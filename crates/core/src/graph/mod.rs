//! The release dependency graph: release ids, `needs`, selectors, selection and ordering.
//!
//! The flow for one run: build a [`Dag`] from every release of the environment (this checks that
//! each `needs` entry names a defined release and that there is no cycle), pick the releases the
//! [`Selectors`] match, narrow the graph with [`Dag::select`] and a [`NeedsMode`], then walk it in
//! [`Dag::order`] / [`Dag::levels`] or hand it to a [`Scheduler`].

mod dag;
mod error;
mod id;
mod render;
mod schedule;
mod select;
mod selector;

pub use dag::{Dag, Need, Node};
pub use error::{CycleStep, GraphError};
pub use id::ReleaseId;
pub use schedule::{Direction, Outcome, Scheduler, Status};
pub use select::NeedsMode;
pub use selector::{Selector, Selectors, release_labels};

#[cfg(test)]
pub(crate) mod proptests;
