//! Reading YAML as go-yaml v2 does: YAML 1.1 scalars (`yes` and `on` are booleans, `0755` is
//! octal), anchors, aliases and `<<` merge keys, a repeated key's last value, first document
//! only. This is how helm reads a values file and how Helmfile 0.166's `fromYaml` reads text.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

use base64::Engine as _;
use saphyr_parser::{Event, Parser, ScalarStyle, Tag};

use super::resolve::{Plain, resolve};
use crate::template::{Value, sprint_value};

/// How the keys of the top-level mapping become strings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TopKeys {
    /// As written (`y` stays `y`): go-yaml decoding into `map[string]interface{}`, as
    /// Helmfile's `fromYaml` does.
    AsWritten,
    /// Resolved like every other key (`y` becomes `true`): decoding into `interface{}`, as
    /// helm reads a values file.
    Resolved,
}

/// Why a document could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum ReadError {
    /// The text is not YAML: the parser's message and the place it names.
    #[error("yaml: line {line}: {message}")]
    Syntax {
        /// The 1-based line.
        line: usize,
        /// The 1-based column.
        column: usize,
        /// What is wrong.
        message: String,
    },
    /// A null mapping key, read with [`TopKeys::Resolved`]: sigs.k8s.io/yaml cannot turn it
    /// into JSON.
    #[error("unsupported map key of type: %!s(<nil>), key: <nil>, value: {value}")]
    NullKey {
        /// The key's value as Go's `%#v` prints it.
        value: String,
    },
}

impl ReadError {
    /// The error as go-yaml v2 words it: libyaml's problem without its context (`did not find
    /// expected ',' or ']'`), after `line N: ` (the problem's 0-based line for parser errors,
    /// 1-based for scanner errors, left out when it is 0).
    pub(crate) fn go_yaml(&self) -> String {
        let Self::Syntax { line, message, .. } = self else {
            return self.to_string();
        };
        let problem = match message.split_once(", ") {
            Some((context, problem)) if context.starts_with("while ") => problem,
            _ => message,
        };
        let (problem, scanner) = match problem {
            p if p.starts_with("expected ") => (format!("did not find {p}"), false),
            p if p.starts_with("unexpected character") || p.starts_with("tabs disallowed") => (
                "found character that cannot start any token".to_owned(),
                true,
            ),
            p => (
                p.to_owned(),
                p.starts_with("found unexpected end of stream")
                    || p.starts_with("mapping values are not allowed")
                    || p.starts_with("could not find expected ':'"),
            ),
        };
        let line = if scanner {
            *line
        } else {
            line.saturating_sub(1)
        };
        let shown = if scanner { line > 1 } else { line > 0 };
        if shown {
            format!("yaml: line {line}: {problem}")
        } else {
            format!("yaml: {problem}")
        }
    }
}

enum Frame {
    Seq(Vec<Value>, usize),
    Map {
        entries: BTreeMap<String, Value>,
        key: Option<String>,
        merges: Vec<Value>,
        anchor: usize,
    },
}

/// The first document of `text`, or `None` when it has none (empty input, only comments).
pub(crate) fn load(text: &str, top_keys: TopKeys) -> Result<Option<Value>, ReadError> {
    let source = text;
    let mut stack: Vec<Frame> = Vec::new();
    let mut anchors: HashMap<usize, Value> = HashMap::new();
    let mut raw: Option<String> = None;
    let source_chars = text.chars().count();
    for item in Parser::new_from_str(text) {
        let (event, span) = item.map_err(|e| ReadError::Syntax {
            line: e.marker().line(),
            column: e.marker().col() + 1,
            message: e.info().to_owned(),
        })?;
        let (value, anchor) = match event {
            Event::SequenceStart(anchor, _) => {
                stack.push(Frame::Seq(Vec::new(), anchor));
                continue;
            }
            Event::MappingStart(anchor, _) => {
                stack.push(Frame::Map {
                    entries: BTreeMap::new(),
                    key: None,
                    merges: Vec::new(),
                    anchor,
                });
                continue;
            }
            Event::SequenceEnd => match stack.pop() {
                Some(Frame::Seq(items, anchor)) => (Value::list(items), anchor),
                _ => return Err(unbalanced("sequence")),
            },
            Event::MappingEnd => match stack.pop() {
                Some(Frame::Map {
                    mut entries,
                    merges,
                    anchor,
                    ..
                }) => {
                    for merged in merges {
                        let sources = match merged {
                            Value::List(list, _) => list.to_vec(),
                            other => vec![other],
                        };
                        for source in sources {
                            if let Value::Map(map) = source {
                                for (k, v) in map.entries() {
                                    entries.entry(k).or_insert(v);
                                }
                            }
                        }
                    }
                    (Value::map(entries), anchor)
                }
                _ => return Err(unbalanced("mapping")),
            },
            Event::Scalar(text, style, anchor, tag) => {
                raw = Some(text.to_string());
                let mut value = scalar(&text, style, tag.as_ref());
                // libyaml ends a block scalar with a line break only if the input has one; at the
                // very end of an input without a final newline, the scanner adds one.
                if matches!(style, ScalarStyle::Literal | ScalarStyle::Folded)
                    && !source.ends_with('\n')
                    && span.end.index() >= source_chars
                    && let Value::String(s) = &mut value
                    && s.ends_with('\n')
                {
                    s.pop();
                }
                (value, anchor)
            }
            Event::Alias(id) => (anchors.get(&id).cloned().unwrap_or(Value::Nil), 0),
            Event::DocumentEnd | Event::StreamEnd if stack.is_empty() => return Ok(None),
            _ => continue,
        };
        if anchor > 0 {
            anchors.insert(anchor, value.clone());
        }
        let top = stack.len() == 1 && top_keys == TopKeys::AsWritten;
        let raw_text = raw.take();
        match stack.last_mut() {
            None => return Ok(Some(value)),
            Some(Frame::Seq(items, _)) => items.push(value),
            Some(Frame::Map {
                entries,
                key,
                merges,
                ..
            }) => match key.take() {
                None => {
                    *key = Some(match raw_text {
                        Some(t) if top => t,
                        _ if top_keys == TopKeys::Resolved && value.is_nil() => NULL_KEY.to_owned(),
                        _ => key_string(&value),
                    });
                }
                Some(k) if k == "<<" => merges.push(value),
                Some(k) if k == NULL_KEY => {
                    return Err(ReadError::NullKey {
                        value: go_syntax(&value),
                    });
                }
                // A repeated key: the last value wins, as in go-yaml v2.
                Some(k) => {
                    entries.insert(k, value);
                }
            },
        }
    }
    Ok(None)
}

/// Stands for a null map key while reading with [`TopKeys::Resolved`].
const NULL_KEY: &str = "\u{0}null key";

/// A scalar as Go's `%#v` prints it.
fn go_syntax(v: &Value) -> String {
    match v {
        Value::String(s) => crate::template::go_quote(s),
        Value::Nil => "<nil>".into(),
        other => sprint_value(other),
    }
}

fn unbalanced(what: &str) -> ReadError {
    ReadError::Syntax {
        line: 0,
        column: 0,
        message: format!("unbalanced {what}"),
    }
}

/// Helmfile's `CastKeysToStrings` (and sigs.k8s.io/yaml's key conversion): keys become their
/// `%v` text.
fn key_string(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => sprint_value(other),
    }
}

fn scalar(text: &str, style: ScalarStyle, tag: Option<&Cow<'_, Tag>>) -> Value {
    if let Some(t) = tag.filter(|t| t.handle == "tag:yaml.org,2002:" || t.handle == "!!") {
        return match t.suffix.as_str() {
            "str" => Value::str(text),
            "binary" => base64::engine::general_purpose::STANDARD
                .decode(text.split_whitespace().collect::<String>())
                .map(|b| Value::String(String::from_utf8_lossy(&b).into_owned()))
                .unwrap_or_else(|_| Value::str(text)),
            _ => plain(text),
        };
    }
    match style {
        ScalarStyle::Plain => plain(text),
        _ => Value::str(text),
    }
}

/// A plain scalar as go-yaml v2 decodes it into `interface{}`.
fn plain(text: &str) -> Value {
    match resolve(text) {
        Plain::Null => Value::Nil,
        Plain::Bool(b) => Value::Bool(b),
        Plain::Int(i) => Value::Int(i),
        Plain::Uint(u) => Value::Uint(u),
        Plain::Float(f) => Value::Float(f),
        Plain::Timestamp | Plain::Str => Value::str(text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str, top_keys: TopKeys) -> String {
        sprint_value(&load(text, top_keys).ok().flatten().unwrap_or_default())
    }

    #[test]
    fn reads_yaml_1_1_scalars_anchors_and_merges() {
        assert_eq!(
            read(
                "a: yes\nb: 0755\nc: '1'\nd: &x {k: 1}\ne:\n  <<: *x\n  j: 2\nf: 1.5\ng: ~\n",
                TopKeys::AsWritten
            ),
            "map[a:true b:493 c:1 d:map[k:1] e:map[j:2 k:1] f:1.5 g:<nil>]"
        );
    }

    #[test]
    fn a_repeated_key_takes_its_last_value() {
        assert_eq!(
            read("a: 1\nb: 2\na: 3\n", TopKeys::Resolved),
            "map[a:3 b:2]"
        );
    }

    #[test]
    fn top_level_keys_resolve_only_when_asked() {
        assert_eq!(
            read("y: 1\nn: {on: 2}\n", TopKeys::AsWritten),
            "map[n:map[true:2] y:1]"
        );
        assert_eq!(
            read("y: 1\nn: {on: 2}\n", TopKeys::Resolved),
            "map[false:map[true:2] true:1]"
        );
    }

    #[test]
    fn syntax_errors_name_their_line() {
        let error = load("a: 1\nb: [\n", TopKeys::Resolved).err();
        assert!(
            matches!(error, Some(ReadError::Syntax { line: 3, .. })),
            "{error:?}"
        );
    }
}
