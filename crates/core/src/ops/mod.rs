//! Operations on a loaded project and its plan. Each returns data (text to print, entries,
//! reports) and emits events; the caller decides how they are shown.

pub mod apply;
pub mod build;
pub mod deps;
pub mod destroy;
pub mod diff;
mod error;
pub mod fetch;
pub mod hooks;
pub mod list;
mod path_template;
pub mod remote_charts;
pub mod renderer;
pub mod report;
pub mod repos;
pub mod runner;
pub mod status;
pub mod sync;
pub mod template;
pub mod write_values;

pub use error::{OperationError, ReleaseError};
