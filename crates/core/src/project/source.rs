//! YAML documents that remember where each node came from.
//!
//! The data is parsed with `serde_yaml` (the `yaml_serde` fork); a second pass over the parser events
//! of `saphyr-parser` records the line and column of every mapping key and sequence item, so that an
//! error about `releases[2].namespce` can point at `helmfile.yaml:14:5`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use saphyr_parser::{Event, Parser, Span};
use serde::Deserialize;
use serde_yaml::Value;

use crate::location::Location;
use crate::project::error::ProjectError;

/// One step of a path into a YAML document: a mapping key or a sequence index.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Segment {
    /// A key of a mapping.
    Key(String),
    /// An index into a sequence.
    Index(usize),
}

/// A path from the root of a document to one of its nodes.
pub type NodePath = Vec<Segment>;

/// The positions of the nodes of one YAML document.
#[derive(Debug, Clone, Default)]
pub struct SourceMap {
    file: PathBuf,
    positions: HashMap<NodePath, (u32, u32)>,
}

impl SourceMap {
    /// A map that knows no positions: every node is located at the whole `file`.
    pub fn for_file(file: &Path) -> Self {
        Self {
            file: file.to_path_buf(),
            positions: HashMap::new(),
        }
    }

    /// The location of the node at `path`, or of its closest ancestor that has one.
    pub fn locate(&self, path: &[Segment]) -> Location {
        (0..=path.len())
            .rev()
            .find_map(|len| self.positions.get(&path[..len]))
            .map_or_else(
                || Location::file(&self.file),
                |&(line, column)| Location::new(&self.file, line, column),
            )
    }

    /// The location of the node at exactly `path`, if the document has it.
    pub fn exact(&self, path: &[Segment]) -> Option<Location> {
        self.positions
            .get(path)
            .map(|&(line, column)| Location::new(&self.file, line, column))
    }
}

/// A parsed YAML document and the positions of its nodes.
#[derive(Debug, Clone)]
pub struct Document {
    /// The data, with YAML merge keys (`<<:`) applied.
    pub value: Value,
    /// Where each node of `value` stands in the file.
    pub map: Arc<SourceMap>,
}

/// Parses every `---`-separated document of `text`; `shown` is the path used in messages.
pub fn parse_documents(shown: &Path, text: &str) -> Result<Vec<Document>, ProjectError> {
    parse_documents_at(shown, text, 0)
}

/// Parses `text`, which starts after `line_offset` lines of the file `shown`.
pub fn parse_documents_at(
    shown: &Path,
    text: &str,
    line_offset: u32,
) -> Result<Vec<Document>, ProjectError> {
    let mut values = Vec::new();
    for document in serde_yaml::Deserializer::from_str(text) {
        let mut value =
            Value::deserialize(document).map_err(|e| yaml_error(shown, &e, line_offset))?;
        value
            .apply_merge()
            .map_err(|e| yaml_error(shown, &e, line_offset))?;
        values.push(value);
    }
    let mut maps = source_maps(shown, text, line_offset).into_iter();
    Ok(values
        .into_iter()
        .map(|value| Document {
            value,
            map: Arc::new(maps.next().unwrap_or_else(|| SourceMap::for_file(shown))),
        })
        .collect())
}

/// Reads and parses a YAML file; `shown` is the path used in messages.
pub fn read_documents(path: &Path, shown: &Path) -> Result<Vec<Document>, ProjectError> {
    let text = std::fs::read_to_string(path).map_err(|source| ProjectError::Read {
        location: Location::file(shown),
        source,
    })?;
    parse_documents(shown, &text)
}

fn yaml_error(shown: &Path, error: &serde_yaml::Error, line_offset: u32) -> ProjectError {
    let (line, column) = error.location().map_or((0, 0), |l| {
        (l.line() as u32 + line_offset, l.column() as u32)
    });
    let message = error.to_string();
    // serde_yaml appends " at line L column C"; the location is shown in front instead.
    let message = match message.find(" at line ") {
        Some(at) => message[..at].to_string(),
        None => message,
    };
    ProjectError::Yaml {
        location: Location::new(shown, line, column),
        message,
    }
}

/// What the walker is inside of while it replays parser events.
enum Frame {
    Mapping { path: NodePath, key: Option<String> },
    Sequence { path: NodePath, next: usize },
}

fn source_maps(shown: &Path, text: &str, line_offset: u32) -> Vec<SourceMap> {
    let mut maps = Vec::new();
    let mut stack: Vec<Frame> = Vec::new();
    let mut current = SourceMap {
        file: shown.to_path_buf(),
        positions: HashMap::new(),
    };
    for event in Parser::new_from_str(text) {
        let Ok((event, span)) = event else { break };
        match event {
            Event::DocumentStart(_) => {
                stack.clear();
                current.positions.clear();
            }
            Event::DocumentEnd => maps.push(std::mem::take(&mut current.positions)),
            Event::Scalar(scalar, ..) => {
                if let Some(Frame::Mapping {
                    key: key @ None, ..
                }) = stack.last_mut()
                {
                    *key = Some(scalar.into_owned());
                    if let Some(path) = child_path(&stack) {
                        current.positions.insert(path, position(&span, line_offset));
                    }
                } else {
                    place_value(
                        &mut stack,
                        &mut current.positions,
                        position(&span, line_offset),
                    );
                    finish_value(&mut stack);
                }
            }
            Event::Alias(_) => {
                place_value(
                    &mut stack,
                    &mut current.positions,
                    position(&span, line_offset),
                );
                finish_value(&mut stack);
            }
            Event::MappingStart(..) | Event::SequenceStart(..) => {
                let path = place_value(
                    &mut stack,
                    &mut current.positions,
                    position(&span, line_offset),
                );
                stack.push(match event {
                    Event::MappingStart(..) => Frame::Mapping { path, key: None },
                    _ => Frame::Sequence { path, next: 0 },
                });
            }
            Event::MappingEnd | Event::SequenceEnd => {
                stack.pop();
                finish_value(&mut stack);
            }
            _ => {}
        }
    }
    maps.into_iter()
        .map(|positions| SourceMap {
            file: shown.to_path_buf(),
            positions,
        })
        .collect()
}

fn position(span: &Span, line_offset: u32) -> (u32, u32) {
    (
        span.start.line() as u32 + line_offset,
        span.start.col() as u32 + 1,
    )
}

/// The path of the node that the innermost frame receives next.
fn child_path(stack: &[Frame]) -> Option<NodePath> {
    match stack.last()? {
        Frame::Mapping { path, key } => {
            let mut p = path.clone();
            p.push(Segment::Key(key.clone()?));
            Some(p)
        }
        Frame::Sequence { path, next } => {
            let mut p = path.clone();
            p.push(Segment::Index(*next));
            Some(p)
        }
    }
}

/// Records a value node's position (sequence items; mapping values keep their key's position) and
/// returns its path; scalars and aliases are finished at once.
fn place_value(
    stack: &mut [Frame],
    positions: &mut HashMap<NodePath, (u32, u32)>,
    at: (u32, u32),
) -> NodePath {
    let path = child_path(stack).unwrap_or_default();
    positions.entry(path.clone()).or_insert(at);
    path
}

/// Moves the innermost frame past the value it just received.
fn finish_value(stack: &mut [Frame]) {
    match stack.last_mut() {
        Some(Frame::Mapping { key, .. }) => *key = None,
        Some(Frame::Sequence { next, .. }) => *next += 1,
        None => {}
    }
}
