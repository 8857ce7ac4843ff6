//! Windlass: deploy many Helm releases across many environments, compatible with Helmfile.
//!
//! Data flows one way: files → [`project::Project`] (typed, validated, every value remembers its
//! source) → a plan for one environment and selection → an operation in [`ops`] → a report.
//! Nothing in this crate prints, reads the terminal, exits the process or changes its environment.

// The library reports through return values and events; only the CLI prints.
#![warn(clippy::print_stdout, clippy::print_stderr)]

pub mod chart;
pub mod events;
pub mod graph;
pub mod helm;
pub mod location;
pub mod ops;
pub mod project;
pub mod secrets;
pub mod template;
pub mod values;
