//! Operations on a loaded project. Each returns data (text to print, entries, reports); the
//! caller decides how it is shown.

pub mod build;
pub mod deps;
pub mod list;
mod path_template;
pub mod renderer;
pub mod repos;
mod selection;
pub mod sync;
pub mod template;
pub mod write_values;

pub use selection::{SelectOptions, Selection, select};
