//! The stack of YAML nodes a merged spec came from, to point at the file that set a field.

use std::sync::Arc;

use crate::location::Location;
use crate::project::source::{NodePath, Segment, SourceMap};

/// The nodes a merged mapping was built from, lowest precedence first.
#[derive(Debug, Clone, Default)]
pub struct Layers(Vec<(Arc<SourceMap>, NodePath)>);

impl Layers {
    /// One layer: the node at `prefix` of the document `map` describes.
    pub fn single(map: Arc<SourceMap>, prefix: NodePath) -> Self {
        Self(vec![(map, prefix)])
    }

    /// Adds a layer that takes precedence over the ones before it.
    pub fn push(&mut self, map: Arc<SourceMap>, prefix: NodePath) {
        self.0.push((map, prefix));
    }

    /// Adds all of `other`'s layers above these.
    pub fn extend(&mut self, other: &Layers) {
        self.0.extend(other.0.iter().cloned());
    }

    /// Where `path` (relative to the merged node) was set: the highest layer that has it, else the
    /// node of the highest layer.
    pub fn locate(&self, path: &[Segment]) -> Location {
        let exact = self.0.iter().rev().find_map(|(map, prefix)| {
            let mut full = prefix.clone();
            full.extend_from_slice(path);
            map.exact(&full)
        });
        exact.unwrap_or_else(|| self.origin())
    }

    /// Where the merged node itself is defined: the lowest layer (the definition).
    pub fn origin(&self) -> Location {
        self.0
            .first()
            .map_or_else(|| Location::file(""), |(map, prefix)| map.locate(prefix))
    }
}
