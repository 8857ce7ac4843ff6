//! Reading YAML as go-yaml v2 does for Helmfile's `fromYaml`: YAML 1.1 scalars (`yes` and `on`
//! are booleans, `0755` is octal), anchors, aliases and `<<` merge keys, first document only.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

use base64::Engine as _;
use saphyr_parser::{Event, Parser, ScalarStyle, Tag};

use super::conv::parse_int_base0;
use crate::template::format::sprint_value;
use crate::template::value::Value;

enum Frame {
    Seq(Vec<Value>, usize),
    Map {
        entries: BTreeMap<String, Value>,
        key: Option<String>,
        merges: Vec<Value>,
        anchor: usize,
    },
}

/// How map keys become strings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeyText {
    /// Decoding into `map[string]interface{}` (Helmfile): top-level keys keep their text (`y`
    /// stays `y`), nested keys resolve (`y` is `true`).
    TopRaw,
    /// Decoding into `interface{}` (`sigs.k8s.io/yaml`, helm): every key resolves.
    Resolved,
}

/// The first document of `text`, or `None` when it has none (empty input, only comments).
pub(crate) fn load(text: &str, keys: KeyText) -> Result<Option<Value>, String> {
    let mut stack: Vec<Frame> = Vec::new();
    let mut anchors: HashMap<usize, Value> = HashMap::new();
    // go-yaml v2 decodes into `map[string]interface{}`: top-level keys keep their text (`y`
    // stays `y`), nested maps are `map[interface{}]interface{}` whose keys resolve (`y` is true).
    let mut raw: Option<String> = None;
    let source = text;
    let source_chars = text.chars().count();
    for item in Parser::new_from_str(text) {
        let (event, span) = item.map_err(|e| go_yaml_error(e.marker().line(), e.info()))?;
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
                _ => return Err("yaml: unbalanced sequence".into()),
            },
            Event::MappingEnd => match stack.pop() {
                Some(Frame::Map {
                    mut entries,
                    merges,
                    anchor,
                    ..
                }) => {
                    for m in merges {
                        let sources = match m {
                            Value::List(l, _) => l.to_vec(),
                            other => vec![other],
                        };
                        for src in sources {
                            if let Value::Map(sm) = src {
                                for (k, v) in sm.entries() {
                                    entries.entry(k).or_insert(v);
                                }
                            }
                        }
                    }
                    (Value::map(entries), anchor)
                }
                _ => return Err("yaml: unbalanced mapping".into()),
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
        let top = stack.len() == 1 && keys == KeyText::TopRaw;
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
                        _ if keys == KeyText::Resolved && value.is_nil() => NULL_KEY.to_owned(),
                        _ => key_string(&value),
                    });
                }
                Some(k) if k == "<<" => merges.push(value),
                Some(k) if k == NULL_KEY => {
                    // sigs.k8s.io/yaml cannot turn a null key into JSON.
                    return Err(format!(
                        "unsupported map key of type: %!s(<nil>), key: <nil>, value: {}",
                        go_syntax(&value)
                    ));
                }
                Some(k) => {
                    entries.insert(k, value);
                }
            },
        }
    }
    Ok(None)
}

/// A parse error as go-yaml v2 words it: libyaml's problem without its context (`did not find
/// expected ',' or ']'`), after `line N: ` (the problem's 0-based line for parser errors, 1-based
/// for scanner errors, left out when it is 0).
fn go_yaml_error(line: usize, info: &str) -> String {
    let problem = match info.split_once(", ") {
        Some((context, problem)) if context.starts_with("while ") => problem,
        _ => info,
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
        line
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

/// Stands for a null map key while reading with [`KeyText::Resolved`].
const NULL_KEY: &str = "\u{0}null key";

/// A scalar as Go's `%#v` prints it.
fn go_syntax(v: &Value) -> String {
    match v {
        Value::String(s) => crate::template::format::go_quote(s),
        Value::Nil => "<nil>".into(),
        other => sprint_value(other),
    }
}

/// Helmfile's `CastKeysToStrings`: keys become their `%v` text.
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
            _ => resolve(text),
        };
    }
    match style {
        ScalarStyle::Plain => resolve(text),
        _ => Value::str(text),
    }
}

/// go-yaml v2's resolution of a plain scalar.
fn resolve(text: &str) -> Value {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Nil,
        "y" | "Y" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" | "true" | "True" | "TRUE" => {
            return Value::Bool(true);
        }
        "n" | "N" | "no" | "No" | "NO" | "off" | "Off" | "OFF" | "false" | "False" | "FALSE" => {
            return Value::Bool(false);
        }
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return Value::Float(f64::INFINITY);
        }
        "-.inf" | "-.Inf" | "-.INF" => return Value::Float(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return Value::Float(f64::NAN),
        _ => {}
    }
    let first = text.as_bytes()[0];
    if !(first.is_ascii_digit() || matches!(first, b'-' | b'+' | b'.')) {
        return Value::str(text);
    }
    let plain = text.replace('_', "");
    if let Some(i) = parse_int_base0(&plain) {
        return Value::Int(i);
    }
    if let Ok(u) = plain.strip_prefix('+').unwrap_or(&plain).parse::<u64>() {
        return Value::Uint(u);
    }
    if is_yaml_float(&plain)
        && let Ok(f) = plain.parse::<f64>()
    {
        return Value::Float(f);
    }
    Value::str(text)
}

/// go-yaml's float syntax: `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`.
fn is_yaml_float(s: &str) -> bool {
    let body = s.strip_prefix(['-', '+']).unwrap_or(s);
    let (mant, exp) = match body.find(['e', 'E']) {
        Some(i) => (&body[..i], Some(&body[i + 1..])),
        None => (body, None),
    };
    let mant_ok = match mant.split_once('.') {
        Some(("", f)) => !f.is_empty() && f.bytes().all(|c| c.is_ascii_digit()),
        Some((i, f)) => {
            !i.is_empty()
                && i.bytes().all(|c| c.is_ascii_digit())
                && f.bytes().all(|c| c.is_ascii_digit())
        }
        None => !mant.is_empty() && mant.bytes().all(|c| c.is_ascii_digit()),
    };
    let exp_ok = exp.is_none_or(|e| {
        let e = e.strip_prefix(['-', '+']).unwrap_or(e);
        !e.is_empty() && e.bytes().all(|c| c.is_ascii_digit())
    });
    mant_ok && exp_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_yaml_1_1_scalars_anchors_and_merges() {
        let v = load(
            "a: yes\nb: 0755\nc: '1'\nd: &x {k: 1}\ne:\n  <<: *x\n  j: 2\nf: 1.5\ng: ~\n",
            KeyText::TopRaw,
        )
        .ok()
        .flatten()
        .unwrap_or_default();
        assert_eq!(
            sprint_value(&v),
            "map[a:true b:493 c:1 d:map[k:1] e:map[j:2 k:1] f:1.5 g:<nil>]"
        );
    }
}
