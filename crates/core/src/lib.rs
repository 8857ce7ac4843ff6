//! Windlass: deploy many Helm releases across many environments, compatible with Helmfile.
//!
//! Data flows one way: files → [`project::Project`] (typed, validated, every value remembers its
//! source) → a [`plan::Plan`] for one environment and selection (every release's settings,
//! values and context decided once) → an operation in [`ops`], run by [`ops::runner`] over the
//! plan's dependency graph → a [`ops::report::Report`] and a stream of [`events::Event`]s.
//! Nothing in this crate prints, reads the terminal, exits the process or changes its environment.

// The library reports through return values and events; only the CLI prints.
#![warn(clippy::print_stdout, clippy::print_stderr)]

pub mod cancel;
pub mod chart;
pub mod chartify;
pub mod charts;
pub mod diff;
pub mod events;
pub mod graph;
pub mod helm;
pub mod kube;
pub mod location;
pub mod ops;
pub mod plan;
mod process;
pub mod project;
pub mod secrets;
mod strconv;
pub mod template;
pub mod values;
pub mod yaml;
