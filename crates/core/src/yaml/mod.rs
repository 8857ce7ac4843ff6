//! YAML as the Go programs around windlass read and write it. helm reads values files with
//! go-yaml v2 (through sigs.k8s.io/yaml), a YAML 1.1 reader: unquoted `yes`, `on`, `y`, `~`,
//! `0755`, `1_000` or `1:30` are not strings there. Everything windlass writes for helm or for
//! the user goes through one writer, which quotes exactly what go-yaml v2 would otherwise
//! read as another type, so a value reaches helm with the type it was written with: in go-yaml
//! v2's layout ([`to_string`]) for helm, in go-yaml v3's (`to_v3_string`) for `build`, as
//! Helmfile 1.x prints its state.

mod emit;
pub(crate) mod lenient;
#[cfg(test)]
mod proptests;
pub(crate) mod read;
pub(crate) mod resolve;
mod scalar;

pub use emit::{go_sorted, to_string};
pub(crate) use emit::{key_order, marshal, to_v3_string};
