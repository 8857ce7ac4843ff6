//! go-yaml v2's writer (`yaml.Marshal`), which helm's `toYaml` and Helmfile 0.166 use: block
//! style, two-space indentation, sequences at their key's indentation, multi-line strings as
//! literal blocks, long plain strings folded at 80 columns, and every string quoted that a YAML
//! 1.1 reader would take for something else.

use std::cmp::Ordering;

use serde_yaml::{Mapping, Value};

use super::scalar::{Place, needs_complex_key, write_string};
use crate::template::format_float_g;

/// `value` as go-yaml v2 writes it, for helm and for people; mappings keep their order (see
/// [`go_sorted`]). One thing differs from [`marshal`]: U+2028 and U+2029 are always escaped
/// (`\L`, `\P`) in a double-quoted string. go-yaml writes them raw, as line breaks, which
/// YAML 1.1 readers (helm 3) and YAML 1.2 readers (parts of helm 4, windlass's own) read
/// differently.
pub fn to_string(value: &Value) -> String {
    Emitter::new(Style::Helm).document(value)
}

/// Exactly what go-yaml v2's `yaml.Marshal` writes for `value` (Helmfile's `toYaml`).
pub(crate) fn marshal(value: &Value) -> String {
    Emitter::new(Style::Marshal).document(value)
}

/// `value` as Helmfile 1.x prints its state (`build`), with go-yaml v3's layout: sequences
/// indented under their key, no line folding. Strings are quoted as in [`to_string`], which
/// also covers v3's double quotes for `""` and number-like strings.
pub(crate) fn to_v3_string(value: &Value) -> String {
    Emitter::new(Style::V3).document(value)
}

/// Which writer's output the emitter reproduces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Style {
    /// go-yaml v2's `yaml.Marshal`, U+2028 and U+2029 written raw.
    Marshal,
    /// go-yaml v2's layout, U+2028 and U+2029 escaped: what windlass hands helm.
    Helm,
    /// go-yaml v3's layout (Helmfile 1.x's `build`).
    V3,
}

/// `value` with every mapping's keys in the order go-yaml writes a Go map's keys.
pub fn go_sorted(value: Value) -> Value {
    match value {
        Value::Mapping(map) => {
            let mut entries: Vec<(Value, Value)> =
                map.into_iter().map(|(k, v)| (k, go_sorted(v))).collect();
            entries.sort_by(|(a, _), (b, _)| key_order(&key_text(a), &key_text(b)));
            Value::Mapping(entries.into_iter().collect())
        }
        Value::Sequence(items) => Value::Sequence(items.into_iter().map(go_sorted).collect()),
        Value::Tagged(tagged) => go_sorted(tagged.value),
        other => other,
    }
}

/// go-yaml's key order: letters by code point, digit runs by numeric value, letters after
/// other characters.
pub(crate) fn key_order(a: &str, b: &str) -> Ordering {
    let (ar, br): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    for i in 0..ar.len().min(br.len()) {
        if ar[i] == br[i] {
            continue;
        }
        let (al, bl) = (ar[i].is_alphabetic(), br[i].is_alphabetic());
        if al && bl {
            return ar[i].cmp(&br[i]);
        }
        if al || bl {
            return if bl {
                Ordering::Less
            } else {
                Ordering::Greater
            };
        }
        // Past a non-zero digit of the same run, go-yaml's sorter counts both numbers from 1.
        let mut leading = 0i64;
        if ar[i] == '0' || br[i] == '0' {
            let mut j = i;
            while j > 0 && ar[j - 1].is_ascii_digit() {
                j -= 1;
                if ar[j] != '0' {
                    leading = 1;
                    break;
                }
            }
        }
        let (an, ai) = digit_run(&ar, i, leading);
        let (bn, bi) = digit_run(&br, i, leading);
        if an != bn {
            return an.cmp(&bn);
        }
        if ai != bi {
            return ai.cmp(&bi);
        }
        return ar[i].cmp(&br[i]);
    }
    ar.len().cmp(&br.len())
}

/// The run of digits of `chars` from `start` appended to `n`, as go-yaml reads it: its value and
/// where it ends.
fn digit_run(chars: &[char], start: usize, mut n: i64) -> (i64, usize) {
    let mut end = start;
    while let Some(digit) = chars.get(end).and_then(|c| c.to_digit(10)) {
        n = n.saturating_mul(10).saturating_add(i64::from(digit));
        end += 1;
    }
    (n, end)
}

/// A node as the writer sees it: tags dropped.
enum Node<'a> {
    Map(&'a Mapping),
    List(&'a [Value]),
    Scalar(&'a Value),
}

fn node(value: &Value) -> Node<'_> {
    match value {
        Value::Mapping(map) => Node::Map(map),
        Value::Sequence(items) => Node::List(items),
        Value::Tagged(tagged) => node(&tagged.value),
        scalar => Node::Scalar(scalar),
    }
}

/// A key as text: strings as they are, other scalars as go-yaml formats them.
fn key_text(key: &Value) -> String {
    match node(key) {
        Node::Scalar(Value::String(s)) => s.clone(),
        Node::Scalar(scalar) => plain_scalar(scalar),
        // A collection as a key (`? [a, b]`) reaches helm as its Go `%v` text.
        _ => crate::template::sprint_value(&crate::template::Value::from(key)),
    }
}

/// Writes one document.
struct Emitter {
    out: String,
    style: Style,
}

impl Emitter {
    fn new(style: Style) -> Self {
        Self {
            out: String::new(),
            style,
        }
    }

    /// The indentation of a sequence that is the value of a key at `indent`: go-yaml v2 keeps
    /// it at the key's, v3 indents it.
    fn sequence_indent(&self, indent: usize) -> usize {
        if self.style == Style::V3 {
            indent + 2
        } else {
            indent
        }
    }

    fn document(mut self, value: &Value) -> String {
        match node(value) {
            Node::Map(map) if !map.is_empty() => self.map(map, 0, false),
            Node::List(items) if !items.is_empty() => self.list(items, 0, false),
            node => self.scalar_line(&node, 2),
        }
        self.out
    }

    fn indent(&mut self, indent: usize) {
        self.out.push_str(&" ".repeat(indent));
    }

    /// Writes a block mapping; `inline` when its first key follows a `- ` already written.
    fn map(&mut self, map: &Mapping, indent: usize, inline: bool) {
        for (i, (key, value)) in map.iter().enumerate() {
            if i > 0 || !inline {
                self.indent(indent);
            }
            let simple = self.key(key, indent);
            if !simple {
                // A complex key (`? key`) puts its value on a line of its own.
                self.indent(indent);
            }
            self.out.push(':');
            match node(value) {
                // After a complex key, a collection starts on the `:` line.
                Node::Map(map) if !map.is_empty() && !simple => {
                    self.out.push(' ');
                    self.map(map, indent + 2, true);
                }
                Node::List(items) if !items.is_empty() && !simple => {
                    self.out.push(' ');
                    self.list(items, indent + 2, true);
                }
                Node::Map(map) if !map.is_empty() => {
                    self.out.push('\n');
                    self.map(map, indent + 2, false);
                }
                Node::List(items) if !items.is_empty() => {
                    self.out.push('\n');
                    self.list(items, self.sequence_indent(indent), false);
                }
                node => {
                    self.out.push(' ');
                    self.scalar_line(&node, indent + 2);
                }
            }
        }
    }

    /// Writes a key; returns whether it was a simple key (`key:`) rather than a complex one
    /// (`? key` and a line break).
    fn key(&mut self, key: &Value, indent: usize) -> bool {
        let Node::Scalar(Value::String(text)) = node(key) else {
            self.out.push_str(&key_text(key));
            return true;
        };
        let simple = !needs_complex_key(text);
        if !simple {
            self.out.push_str("? ");
        }
        let text = self.string(text, indent + 2, simple);
        self.out.push_str(&text);
        if !simple {
            self.end_line();
        }
        simple
    }

    /// Writes a block sequence; `inline` when its first item follows a `- ` already written.
    fn list(&mut self, items: &[Value], indent: usize, inline: bool) {
        for (i, item) in items.iter().enumerate() {
            if i > 0 || !inline {
                self.indent(indent);
            }
            self.out.push_str("- ");
            match node(item) {
                Node::Map(map) if !map.is_empty() => self.map(map, indent + 2, true),
                Node::List(items) if !items.is_empty() => self.list(items, indent + 2, true),
                node => self.scalar_line(&node, indent + 2),
            }
        }
    }

    /// Writes a scalar (or an empty collection) and ends its line; continuation lines start at
    /// `indent`.
    fn scalar_line(&mut self, node: &Node<'_>, indent: usize) {
        let text = match node {
            Node::Map(_) => "{}".into(),
            Node::List(_) => "[]".into(),
            Node::Scalar(Value::String(s)) => self.string(s, indent, false),
            Node::Scalar(scalar) => plain_scalar(scalar),
        };
        self.out.push_str(&text);
        self.end_line();
    }

    /// A string written from the current column.
    fn string(&self, s: &str, indent: usize, simple_key: bool) -> String {
        let start = self.out.rfind('\n').map_or(0, |p| p + 1);
        let place = Place {
            column: self.out[start..].chars().count(),
            indent,
            simple_key,
            escape_separators: self.style != Style::Marshal,
            wrap: self.style != Style::V3,
        };
        write_string(s, place)
    }

    /// Ends the line of a scalar, unless it was a literal block that ended with a line break of
    /// its own (go-yaml also takes U+2028 and U+2029 for one, and writes no other).
    fn end_line(&mut self) {
        if !self.out.ends_with(['\n', '\u{2028}', '\u{2029}']) {
            self.out.push('\n');
        }
    }
}

/// A non-string scalar as go-yaml writes it.
fn plain_scalar(scalar: &Value) -> String {
    match scalar {
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                i.to_string()
            } else if let Some(u) = n.as_u64() {
                u.to_string()
            } else {
                let f = n.as_f64().unwrap_or_default();
                if f.is_nan() {
                    ".nan".into()
                } else if f.is_infinite() {
                    if f > 0.0 { ".inf" } else { "-.inf" }.into()
                } else {
                    format_float_g(f, None)
                }
            }
        }
        Value::String(s) => s.clone(),
        _ => "null".into(),
    }
}
