//! go-yaml v2's writer (`yaml.Marshal`), which helm's `toYaml` and Helmfile 0.166 use: block
//! style, two-space indentation, sequences at their key's indentation, multi-line strings as
//! literal blocks, long plain strings folded at 80 columns, and every string quoted that a YAML
//! 1.1 reader would take for something else.

use std::cmp::Ordering;

use serde_yaml::{Mapping, Value};

use super::scalar::{Place, needs_complex_key, write_string};
use crate::template::format_float_g;

/// `value` as go-yaml v2 writes it; mappings keep their order (see [`go_sorted`]).
pub fn to_string(value: &Value) -> String {
    let mut out = String::new();
    match node(value) {
        Node::Map(map) if !map.is_empty() => write_map(&mut out, map, 0, false),
        Node::List(items) if !items.is_empty() => write_list(&mut out, items, 0, false),
        node => {
            out.push_str(&scalar_at(&node, 2, 0));
            out.push('\n');
        }
    }
    out
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
        let (mut an, mut bn) = (0i64, 0i64);
        if ar[i] == '0' || br[i] == '0' {
            let mut j = i;
            while j > 0 && ar[j - 1].is_ascii_digit() {
                j -= 1;
                if ar[j] != '0' {
                    an = 1;
                    bn = 1;
                    break;
                }
            }
        }
        let mut ai = i;
        while ai < ar.len() && ar[ai].is_ascii_digit() {
            an = an
                .saturating_mul(10)
                .saturating_add(i64::from(ar[ai] as u8 - b'0'));
            ai += 1;
        }
        let mut bi = i;
        while bi < br.len() && br[bi].is_ascii_digit() {
            bn = bn
                .saturating_mul(10)
                .saturating_add(i64::from(br[bi] as u8 - b'0'));
            bi += 1;
        }
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

/// Writes a block mapping; `inline` when its first key follows a `- ` already written.
fn write_map(out: &mut String, map: &Mapping, indent: usize, inline: bool) {
    for (i, (key, value)) in map.iter().enumerate() {
        if i > 0 || !inline {
            out.push_str(&" ".repeat(indent));
        }
        let simple = write_key(out, key, indent);
        if !simple {
            // A complex key (`? key`) puts its value on a line of its own.
            out.push_str(&" ".repeat(indent));
        }
        out.push(':');
        match node(value) {
            // After a complex key, a collection starts on the `:` line.
            Node::Map(map) if !map.is_empty() && !simple => {
                out.push(' ');
                write_map(out, map, indent + 2, true);
            }
            Node::List(items) if !items.is_empty() && !simple => {
                out.push(' ');
                write_list(out, items, indent + 2, true);
            }
            Node::Map(map) if !map.is_empty() => {
                out.push('\n');
                write_map(out, map, indent + 2, false);
            }
            // A sequence stays at its key's indentation.
            Node::List(items) if !items.is_empty() => {
                out.push('\n');
                write_list(out, items, indent, false);
            }
            node => {
                out.push(' ');
                write_scalar_line(out, &node, indent + 2);
            }
        }
    }
}

/// Writes a key; returns whether it was a simple key (`key:`) rather than a complex one
/// (`? key` and a line break).
fn write_key(out: &mut String, key: &Value, indent: usize) -> bool {
    let Node::Scalar(Value::String(text)) = node(key) else {
        out.push_str(&key_text(key));
        return true;
    };
    let simple = !needs_complex_key(text);
    if !simple {
        out.push_str("? ");
    }
    let column = current_column(out);
    let place = Place {
        column,
        indent: indent + 2,
        simple_key: simple,
    };
    out.push_str(&write_string(text, place));
    if !simple {
        out.push('\n');
    }
    simple
}

/// Writes a block sequence; `inline` when its first item follows a `- ` already written.
fn write_list(out: &mut String, items: &[Value], indent: usize, inline: bool) {
    for (i, item) in items.iter().enumerate() {
        if i > 0 || !inline {
            out.push_str(&" ".repeat(indent));
        }
        out.push_str("- ");
        match node(item) {
            Node::Map(map) if !map.is_empty() => write_map(out, map, indent + 2, true),
            Node::List(items) if !items.is_empty() => write_list(out, items, indent + 2, true),
            node => write_scalar_line(out, &node, indent + 2),
        }
    }
}

fn write_scalar_line(out: &mut String, node: &Node<'_>, indent: usize) {
    let column = current_column(out);
    out.push_str(&scalar_at(node, indent, column));
    out.push('\n');
}

/// The column the next character written to `out` lands in.
fn current_column(out: &str) -> usize {
    let start = out.rfind('\n').map_or(0, |p| p + 1);
    out[start..].chars().count()
}

/// A scalar (or empty collection) written at `column`, continuing lines at `indent`.
fn scalar_at(node: &Node<'_>, indent: usize, column: usize) -> String {
    match node {
        Node::Map(_) => "{}".into(),
        Node::List(_) => "[]".into(),
        Node::Scalar(Value::String(s)) => write_string(
            s,
            Place {
                column,
                indent,
                simple_key: false,
            },
        ),
        Node::Scalar(scalar) => plain_scalar(scalar),
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
