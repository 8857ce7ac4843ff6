//! YAML documents that remember where each node came from.
//!
//! The data is parsed with `serde_yaml` (the `yaml_serde` fork); a second pass over the parser events
//! of `saphyr-parser` records the line and column of every mapping key and sequence item, so that an
//! error about `releases[2].namespce` can point at `helmfile.yaml:14:5`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use saphyr_parser::{Event, Parser, ScalarStyle, Span};
use serde::Deserialize;
use serde_yaml::Value;

use crate::location::Location;
use crate::project::error::ProjectError;
use crate::yaml::lenient::Lenient;
use crate::yaml::resolve::{Plain, resolve};

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
        let mut value = Lenient::deserialize(document)
            .map_err(|e| yaml_error(shown, &e, line_offset))?
            .0;
        value
            .apply_merge()
            .map_err(|e| yaml_error(shown, &e, line_offset))?;
        values.push(value);
    }
    let mut walked = walk(shown, text, line_offset).into_iter();
    Ok(values
        .into_iter()
        .map(|mut value| {
            let (map, numbers) = walked
                .next()
                .unwrap_or_else(|| (SourceMap::for_file(shown), Vec::new()));
            for (path, number) in numbers {
                retype(&mut value, &path, number);
            }
            Document {
                value,
                map: Arc::new(map),
            }
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
    Mapping {
        path: NodePath,
        key: Option<String>,
        anchor: usize,
        numbers_from: usize,
    },
    Sequence {
        path: NodePath,
        next: usize,
        anchor: usize,
        numbers_from: usize,
    },
}

/// Plain scalars that go-yaml v3 reads as numbers but serde_yaml (YAML 1.2) as strings:
/// `0644` (octal), `1_000`, `0X1F`, `08` (a float in Go). Helmfile 1.x reads state and values
/// files with go-yaml v3 (pkg/yaml/yaml.go), and so did 0.166 with v2: windlass gives these the
/// type both gave them. Keys, and values reached through a `<<` merge, keep serde_yaml's reading.
type Numbers = Vec<(NodePath, Value)>;

/// Replays the parser events of every document: the position of each node, and the plain
/// scalars to retype.
fn walk(shown: &Path, text: &str, line_offset: u32) -> Vec<(SourceMap, Numbers)> {
    let mut documents = Vec::new();
    let mut stack: Vec<Frame> = Vec::new();
    let mut positions = HashMap::new();
    let mut numbers: Numbers = Vec::new();
    // The numbers inside each anchored node, relative to it, for the aliases that repeat it.
    let mut anchored: HashMap<usize, Numbers> = HashMap::new();
    for event in Parser::new_from_str(text) {
        let Ok((event, span)) = event else { break };
        let at = position(&span, line_offset);
        match event {
            Event::DocumentStart(_) => {
                stack.clear();
                positions.clear();
                numbers.clear();
            }
            Event::DocumentEnd => {
                let map = SourceMap {
                    file: shown.to_path_buf(),
                    positions: std::mem::take(&mut positions),
                };
                documents.push((map, std::mem::take(&mut numbers)));
            }
            Event::Scalar(scalar, style, anchor, tag) => {
                if let Some(Frame::Mapping {
                    key: key @ None, ..
                }) = stack.last_mut()
                {
                    *key = Some(scalar.into_owned());
                    if let Some(path) = child_path(&stack) {
                        positions.insert(path, at);
                    }
                } else {
                    place_value(&stack, &mut positions, at);
                    if style == ScalarStyle::Plain
                        && tag.is_none()
                        && let Some(number) = go_number(&scalar)
                    {
                        if anchor > 0 {
                            anchored.insert(anchor, vec![(Vec::new(), number.clone())]);
                        }
                        numbers.push((value_path(&stack), number));
                    }
                    finish_value(&mut stack);
                }
            }
            Event::Alias(id) => {
                place_value(&stack, &mut positions, at);
                let path = value_path(&stack);
                let merged = path.last() == Some(&Segment::Key("<<".into()));
                if let (Some(inner), false) = (anchored.get(&id), merged) {
                    for (relative, number) in inner {
                        let mut full = path.clone();
                        full.extend_from_slice(relative);
                        numbers.push((full, number.clone()));
                    }
                }
                finish_value(&mut stack);
            }
            Event::MappingStart(anchor, _) | Event::SequenceStart(anchor, _) => {
                place_value(&stack, &mut positions, at);
                let path = value_path(&stack);
                let numbers_from = numbers.len();
                stack.push(match event {
                    Event::MappingStart(..) => Frame::Mapping {
                        path,
                        key: None,
                        anchor,
                        numbers_from,
                    },
                    _ => Frame::Sequence {
                        path,
                        next: 0,
                        anchor,
                        numbers_from,
                    },
                });
            }
            Event::MappingEnd | Event::SequenceEnd => {
                if let Some(
                    Frame::Mapping {
                        path,
                        anchor,
                        numbers_from,
                        ..
                    }
                    | Frame::Sequence {
                        path,
                        anchor,
                        numbers_from,
                        ..
                    },
                ) = stack.pop()
                    && anchor > 0
                {
                    let inner = numbers[numbers_from..]
                        .iter()
                        .map(|(full, number)| (full[path.len()..].to_vec(), number.clone()))
                        .collect();
                    anchored.insert(anchor, inner);
                }
                finish_value(&mut stack);
            }
            _ => {}
        }
    }
    documents
}

/// The number go-yaml reads a plain scalar as (v2 and v3 read numbers alike).
fn go_number(text: &str) -> Option<Value> {
    match resolve(text) {
        Plain::Int(i) => Some(Value::Number(i.into())),
        Plain::Uint(u) => Some(Value::Number(u.into())),
        Plain::Float(f) => Some(Value::Number(f.into())),
        _ => None,
    }
}

/// Replaces the value at `path` with `number` where serde_yaml read a string.
fn retype(value: &mut Value, path: &[Segment], number: Value) {
    let mut node = value;
    for segment in path {
        let next = match (segment, node) {
            (Segment::Key(key), Value::Mapping(map)) => map.get_mut(key.as_str()),
            (Segment::Index(i), Value::Sequence(items)) => items.get_mut(*i),
            _ => None,
        };
        let Some(next) = next else { return };
        node = next;
    }
    if let Value::String(_) = node {
        *node = number;
    }
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
        Frame::Mapping { path, key, .. } => {
            let mut p = path.clone();
            p.push(Segment::Key(key.clone()?));
            Some(p)
        }
        Frame::Sequence { path, next, .. } => {
            let mut p = path.clone();
            p.push(Segment::Index(*next));
            Some(p)
        }
    }
}

/// Records a value node's position: a sequence item's or the root's (a mapping value has its
/// key's position, recorded with the key).
fn place_value(stack: &[Frame], positions: &mut HashMap<NodePath, (u32, u32)>, at: (u32, u32)) {
    if !matches!(stack.last(), Some(Frame::Mapping { .. })) {
        positions.entry(value_path(stack)).or_insert(at);
    }
}

/// The path of the value node the innermost frame receives next (the root outside any frame).
fn value_path(stack: &[Frame]) -> NodePath {
    child_path(stack).unwrap_or_default()
}

/// Moves the innermost frame past the value it just received.
fn finish_value(stack: &mut [Frame]) {
    match stack.last_mut() {
        Some(Frame::Mapping { key, .. }) => *key = None,
        Some(Frame::Sequence { next, .. }) => *next += 1,
        None => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_numbers_read_as_go_yaml_v3_reads_them() {
        let text = "a: 0644\nb: '0644'\nc: 1_000\nd: &x [0755, 08]\ne: *x\nf: yes\ng: 0X1F\n";
        let documents = parse_documents(Path::new("v.yaml"), text).unwrap_or_default();
        let value = documents
            .first()
            .map(|d| d.value.clone())
            .unwrap_or_default();
        let expected: Value = serde_yaml::from_str(
            "{a: 420, b: '0644', c: 1000, d: [493, 8.0], e: [493, 8.0], f: 'yes', g: 31}",
        )
        .unwrap_or_default();
        assert_eq!(value, expected);
    }
}
