//! Helmfile's YAML functions: `toYaml` written as go-yaml v2 writes it (sorted keys, its quoting
//! rules, literal blocks, folding at 80 columns), `fromYaml`, `setValueAtPath`, `get`, `getOrNil`.

use super::Param::{Any, Map, Str};
use super::{FResult, Registry, s};
use crate::template::format::{format_float_g, sprint_value};
use std::cmp::Ordering;

use crate::template::value::{Struct, Value};

/// Helmfile's functions of this file that helm does not have; helm has its own `toYaml`,
/// `fromYaml` and (sprig's) `get`.
pub(super) const HELMFILE_ONLY: &[&str] = &["setValueAtPath", "getOrNil", "get"];

pub(super) fn register(r: &mut Registry) {
    r.add("toYaml", &[Any], None, |_, a| {
        Ok(Value::String(to_yaml(&a[0])))
    });
    r.add("fromYaml", &[Str], None, |_, a| from_yaml(s(&a[0])));
    r.add("setValueAtPath", &[Str, Any, Map], None, |_, a| {
        set_value_at_path(s(&a[0]), &a[1], &a[2])
    });
    r.add("get", &[Str], Some(Any), |_, a| {
        let (def, obj) = match &a[1..] {
            [obj] => (None, obj),
            [def, obj] => (Some(def), obj),
            rest => {
                return Err(format!(
                    "unexpected number of args passed to the template function get(path, [def, ]obj): expected 1 or 2, got {}, args was {}",
                    rest.len(),
                    sprint_value(&Value::list(rest.to_vec()))
                ));
            }
        };
        get(s(&a[0]), def, obj).map_err(|e| e.message)
    });
    r.add("getOrNil", &[Str, Any], None, |_, a| {
        match get(s(&a[0]), None, &a[1]) {
            Ok(v) => Ok(v),
            Err(e) if e.no_value => Ok(Value::Nil),
            Err(e) => Err(e.message),
        }
    });
}

/// Why `get` failed; `no_value` errors make `getOrNil` return nil instead.
pub(crate) struct GetError {
    no_value: bool,
    message: String,
}

/// Helmfile's `get`: a dotted path through maps and struct fields, with an optional default.
pub(crate) fn get(path: &str, def: Option<&Value>, obj: &Value) -> Result<Value, GetError> {
    if path.is_empty() {
        return Ok(obj.clone());
    }
    let (key, rest) = path.split_once('.').unwrap_or((path, ""));
    let v = match obj {
        Value::Object(o) if o.deref().is_some() => {
            return get(path, def, &o.deref().unwrap_or_default());
        }
        Value::Map(m) => match m.get(key) {
            Some(v) => v,
            None => {
                if let Some(d) = def {
                    return Ok(d.clone());
                }
                return Err(GetError {
                    no_value: true,
                    message: format!("no value exist for key {key:?} in {}", sprint_value(obj)),
                });
            }
        },
        Value::Object(o) if o.kind_name() == "struct" => match o.field(key) {
            Some(v) => v,
            None => {
                return Err(GetError {
                    no_value: true,
                    message: format!("no field named {key:?} exist in {}", sprint_value(obj)),
                });
            }
        },
        other => {
            let t = if other.is_nil() {
                "<nil>".to_owned()
            } else {
                other.type_name()
            };
            return Err(GetError {
                no_value: true,
                message: format!(
                    "unexpected type({t}) of value for key {key:?}: it must be either map[string]any or any struct"
                ),
            });
        }
    };
    get(rest, def, &v)
}

fn set_value_at_path(path: &str, value: &Value, values: &Value) -> FResult {
    let parts: Vec<&str> = path.split('.').collect();
    let (key, parents) = parts.split_last().unwrap_or((&"", &[]));
    let Value::Map(root) = values else {
        return Err(format!(
            "failed to set value at path {path:?}: value for key {key:?} was not a map"
        ));
    };
    let mut cur = root.clone();
    for k in parents {
        match cur.get(k) {
            None => {
                return Err(format!(
                    "failed to set value at path {path:?}: value for key {k:?} does not exist"
                ));
            }
            Some(Value::Map(m)) => cur = m,
            Some(_) => {
                return Err(format!(
                    "failed to set value at path {path:?}: value for key {k:?} was not a map"
                ));
            }
        }
    }
    cur.insert((*key).to_owned(), value.clone());
    Ok(values.clone())
}

/// Helmfile's `fromYaml`: a YAML mapping into `map[string]interface {}`.
fn from_yaml(text: &str) -> FResult {
    let loaded = super::yaml_read::load(text, super::yaml_read::KeyText::TopRaw)
        .map_err(|e| format!("{e}, offending yaml: {text}"))?;
    let (tag, shown) = match &loaded {
        None | Some(Value::Nil) => return Ok(Value::empty_map()),
        Some(v @ Value::Map(_)) => return Ok(v.clone()),
        Some(Value::List(..)) => ("!!seq", String::new()),
        Some(Value::Bool(b)) => ("!!bool", short_value(&b.to_string())),
        Some(Value::Int(i)) => ("!!int", short_value(&i.to_string())),
        Some(Value::Float(f)) => ("!!float", short_value(&format_float_g(*f, None))),
        Some(other) => ("!!str", short_value(&sprint_value(other))),
    };
    Err(format!(
        "yaml: unmarshal errors:\n  line 1: cannot unmarshal {tag}{shown} into map[string]interface {{}}, offending yaml: {text}"
    ))
}

/// go-yaml's shortened value in unmarshal errors.
fn short_value(v: &str) -> String {
    if v.chars().count() > 10 {
        let head: String = v.chars().take(7).collect();
        format!(" `{head}...`")
    } else {
        format!(" `{v}`")
    }
}

/// `yaml.Marshal` of go-yaml v2.
pub(crate) fn to_yaml(v: &Value) -> String {
    emit(v, 0)
}

/// go-yaml v3's encoder with `SetIndent(2)` (helm's `toYamlPretty`): as v2 writes, but a
/// sequence under a mapping key is indented.
pub(crate) fn to_yaml_pretty(v: &Value) -> String {
    emit(v, 2)
}

/// Writes `v` as a YAML document, sequences under mapping keys indented by `seq_indent`.
fn emit(v: &Value, seq_indent: usize) -> String {
    let mut out = String::new();
    match node(v) {
        Node::Map(entries) if !entries.is_empty() => {
            write_map(&mut out, &entries, 0, false, seq_indent)
        }
        Node::List(items) if !items.is_empty() => {
            write_list(&mut out, &items, 0, false, seq_indent)
        }
        Node::Map(_) => out.push_str("{}\n"),
        Node::List(_) => out.push_str("[]\n"),
        Node::Scalar(s) => {
            out.push_str(&scalar_at(&s, 2, 0));
            out.push('\n');
        }
    }
    out
}

/// A value as go-yaml sees it: mappings with their keys in output order.
enum Node {
    Map(Vec<(String, Value)>),
    List(Vec<Value>),
    Scalar(Value),
}

fn node(v: &Value) -> Node {
    match v {
        Value::Map(m) => {
            let mut entries = m.entries();
            entries.sort_by(|(a, _), (b, _)| key_order(a, b));
            Node::Map(entries)
        }
        Value::List(items, _) => Node::List(items.to_vec()),
        Value::Object(o) => {
            if let Some(inner) = o.deref() {
                return node(&inner);
            }
            match o.as_any().downcast_ref::<Struct>() {
                // go-yaml writes struct fields in declaration order, names lowercased.
                Some(st) => Node::Map(
                    st.fields
                        .iter()
                        .map(|(k, v)| (k.to_lowercase(), v.clone()))
                        .collect(),
                ),
                None => node(&o.to_data()),
            }
        }
        other => Node::Scalar(other.clone()),
    }
}

/// go-yaml's key order: letters by code point, digit runs by numeric value, letters after
/// other characters.
fn key_order(a: &str, b: &str) -> Ordering {
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

/// Writes a block mapping; `inline` when its first key follows a `- ` already written.
fn write_map(
    out: &mut String,
    entries: &[(String, Value)],
    indent: usize,
    inline: bool,
    seq_indent: usize,
) {
    for (i, (k, val)) in entries.iter().enumerate() {
        if i > 0 || !inline {
            out.push_str(&" ".repeat(indent));
        }
        out.push_str(&quote_string(k));
        out.push(':');
        match node(val) {
            Node::Map(e) if !e.is_empty() => {
                out.push('\n');
                write_map(out, &e, indent + 2, false, seq_indent);
            }
            Node::List(l) if !l.is_empty() => {
                out.push('\n');
                write_list(out, &l, indent + seq_indent, false, seq_indent);
            }
            n => {
                out.push(' ');
                write_scalar_line(out, &n, indent + 2);
            }
        }
    }
}

/// Writes a block sequence; `inline` when its first item follows a `- ` already written.
fn write_list(out: &mut String, items: &[Value], indent: usize, inline: bool, seq_indent: usize) {
    for (i, item) in items.iter().enumerate() {
        if i > 0 || !inline {
            out.push_str(&" ".repeat(indent));
        }
        out.push_str("- ");
        match node(item) {
            Node::Map(e) if !e.is_empty() => write_map(out, &e, indent + 2, true, seq_indent),
            Node::List(l) if !l.is_empty() => write_list(out, &l, indent + 2, true, seq_indent),
            n => write_scalar_line(out, &n, indent + 2),
        }
    }
}

fn write_scalar_line(out: &mut String, n: &Node, indent: usize) {
    let start = out.rfind('\n').map_or(0, |p| p + 1);
    let column = out[start..].chars().count();
    let text = match n {
        Node::Map(_) => "{}".to_owned(),
        Node::List(_) => "[]".to_owned(),
        Node::Scalar(v) => scalar_at(v, indent, column),
    };
    out.push_str(&text);
    out.push('\n');
}

/// A scalar written at `column`, continuing lines at `indent`.
fn scalar_at(v: &Value, indent: usize, column: usize) -> String {
    match v {
        Value::Nil => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) | Value::Int64(i) => i.to_string(),
        Value::Uint(u) => u.to_string(),
        Value::Float(f) => {
            if f.is_nan() {
                ".nan".into()
            } else if f.is_infinite() {
                if *f > 0.0 {
                    "+.inf".into()
                } else {
                    "-.inf".into()
                }
            } else {
                format_float_g(*f, None)
            }
        }
        Value::String(s) => {
            if s.contains('\n') && literal_allowed(s) {
                return literal(s, indent);
            }
            fold(&quote_string(s), indent, column)
        }
        Value::List(..) => "[]".into(),
        Value::Map(_) => "{}".into(),
        Value::Object(o) => quote_string(&o.go_string()),
    }
}

fn literal_allowed(s: &str) -> bool {
    !s.chars().any(|c| c != '\n' && !printable(c)) && !s.contains(" \n")
}

fn printable(c: char) -> bool {
    matches!(c, '\n' | '\u{20}'..='\u{7e}' | '\u{85}' | '\u{a0}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}')
        && c != '\u{feff}'
}

fn literal(s: &str, indent: usize) -> String {
    let chomp = if !s.ends_with('\n') {
        "-"
    } else if s.ends_with("\n\n") {
        "+"
    } else {
        ""
    };
    // A leading space or line break needs an explicit indentation indicator.
    let hint = if s.starts_with([' ', '\n']) { "2" } else { "" };
    let mut out = format!("|{hint}{chomp}");
    let body = s.strip_suffix('\n').unwrap_or(s);
    let body = if chomp == "+" {
        s.strip_suffix('\n').unwrap_or(s)
    } else {
        body
    };
    for line in body.split('\n') {
        out.push('\n');
        if !line.is_empty() {
            out.push_str(&" ".repeat(indent));
            out.push_str(line);
        }
    }
    out
}

/// Whether a plain string would read back as something other than that string (YAML 1.1).
fn resolves_to_non_string(s: &str) -> bool {
    const WORDS: &[&str] = &[
        "", "~", "null", "Null", "NULL", "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO",
        "true", "True", "TRUE", "false", "False", "FALSE", "on", "On", "ON", "off", "Off", "OFF",
        ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF", ".nan",
        ".NaN", ".NAN", "<<",
    ];
    if WORDS.contains(&s) {
        return true;
    }
    let t = s.replace('_', "");
    let body = t.strip_prefix(['-', '+']).unwrap_or(&t);
    if body.is_empty() {
        return false;
    }
    if let Some(h) = body.strip_prefix("0x") {
        return !h.is_empty() && h.chars().all(|c| c.is_ascii_hexdigit());
    }
    if let Some(b) = body.strip_prefix("0b") {
        return !b.is_empty() && b.chars().all(|c| c == '0' || c == '1');
    }
    if let Some(o) = body.strip_prefix("0o") {
        return !o.is_empty() && o.chars().all(|c| ('0'..='7').contains(&c));
    }
    if is_timestamp(body) {
        return true;
    }
    if body.chars().all(|c| c.is_ascii_digit()) {
        return true;
    }
    is_base60_float(s) || is_float(body)
}

/// go-yaml v2's `isBase60Float`: YAML 1.1's base 60 numbers (`1:20`, `-1:30:05.5`), which it
/// quotes for YAML 1.1 readers: `[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?`.
fn is_base60_float(s: &str) -> bool {
    let s = s.strip_prefix(['-', '+']).unwrap_or(s);
    let (head, fraction) = s.split_once('.').unwrap_or((s, ""));
    if !fraction.chars().all(|c| c.is_ascii_digit() || c == '_') {
        return false;
    }
    let mut parts = head.split(':');
    let first = parts.next().unwrap_or("");
    let first_ok = first.starts_with(|c: char| c.is_ascii_digit())
        && first.chars().all(|c| c.is_ascii_digit() || c == '_');
    let mut sixties = 0;
    for part in parts {
        let b = part.as_bytes();
        let ok = match b {
            [d] => d.is_ascii_digit(),
            [t, d] => (b'0'..=b'5').contains(t) && d.is_ascii_digit(),
            _ => false,
        };
        if !ok {
            return false;
        }
        sixties += 1;
    }
    first_ok && sixties > 0
}

/// go-yaml v2 reads `2001-12-14` (optionally followed by a time) as a timestamp.
fn is_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    let digits = |from: usize, min: usize, max: usize| -> Option<usize> {
        let n = b.get(from..).map_or(0, |r| {
            r.iter()
                .take(max)
                .take_while(|c| c.is_ascii_digit())
                .count()
        });
        (n >= min).then_some(from + n)
    };
    let Some(i) = digits(0, 4, 4) else {
        return false;
    };
    if b.get(i) != Some(&b'-') {
        return false;
    }
    let Some(i) = digits(i + 1, 1, 2) else {
        return false;
    };
    if b.get(i) != Some(&b'-') {
        return false;
    }
    let Some(i) = digits(i + 1, 1, 2) else {
        return false;
    };
    i == b.len() || matches!(b[i], b'T' | b't' | b' ')
}

fn is_float(b: &str) -> bool {
    let (mant, exp) = match b.find(['e', 'E']) {
        Some(i) => (&b[..i], Some(&b[i + 1..])),
        None => (b, None),
    };
    let mant_ok = {
        let (ip, fp) = mant.split_once('.').unwrap_or((mant, ""));
        (!ip.is_empty() || !fp.is_empty())
            && ip.chars().all(|c| c.is_ascii_digit())
            && fp.chars().all(|c| c.is_ascii_digit())
            && (mant.contains('.') || exp.is_some())
    };
    let exp_ok = exp.is_none_or(|e| {
        let e = e.strip_prefix(['-', '+']).unwrap_or(e);
        !e.is_empty() && e.chars().all(|c| c.is_ascii_digit())
    });
    mant_ok && exp_ok
}

/// The style libyaml picks for a string: plain when possible, else single, else double quotes.
fn quote_string(s: &str) -> String {
    if resolves_to_non_string(s) {
        return double_quoted(s);
    }
    let special = s.chars().any(|c| !printable(c) || c == '\n');
    if special {
        return double_quoted(s);
    }
    // Unicode line and paragraph separators are line breaks to libyaml: never plain.
    if s.contains(['\u{2028}', '\u{2029}']) {
        return format!("'{}'", s.replace('\'', "''"));
    }
    if plain_allowed(s) {
        return s.to_owned();
    }
    format!("'{}'", s.replace('\'', "''"))
}

fn plain_allowed(s: &str) -> bool {
    if s.starts_with("---") || s.starts_with("...") {
        return false;
    }
    let chars: Vec<char> = s.chars().collect();
    let Some(&first) = chars.first() else {
        return false;
    };
    if first == ' ' || chars.last() == Some(&' ') {
        return false;
    }
    if "#,[]{}&*!|>'\"%@`".contains(first) {
        return false;
    }
    if matches!(first, '-' | '?' | ':') && chars.get(1).is_none_or(|c| *c == ' ') {
        return false;
    }
    for (i, &c) in chars.iter().enumerate() {
        if c == ':' && chars.get(i + 1).is_none_or(|n| *n == ' ') {
            return false;
        }
        if c == '#' && i > 0 && chars[i - 1] == ' ' {
            return false;
        }
        if c == '\t' {
            return false;
        }
    }
    true
}

fn double_quoted(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\0' => out.push_str("\\0"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{b}' => out.push_str("\\v"),
            '\u{c}' => out.push_str("\\f"),
            '\u{1b}' => out.push_str("\\e"),
            '\u{85}' => out.push_str("\\N"),
            '\u{a0}' => out.push_str("\\_"),
            c if !printable(c) => {
                let n = c as u32;
                if n <= 0xff {
                    out.push_str(&format!("\\x{n:02X}"));
                } else if n <= 0xffff {
                    out.push_str(&format!("\\u{n:04X}"));
                } else {
                    out.push_str(&format!("\\U{n:08X}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// libyaml's line folding of scalars past column 80.
fn fold(text: &str, indent: usize, start_column: usize) -> String {
    if text.chars().count() + start_column <= 80 {
        return text.to_owned();
    }
    if text.starts_with('"') {
        return fold_double_quoted(text, indent, start_column);
    }
    let chars: Vec<char> = text.chars().collect();
    let quoted = chars.first() == Some(&'\'');
    let mut out = String::new();
    let mut column = start_column;
    let mut prev_space = false;
    for (i, &c) in chars.iter().enumerate() {
        let inner_ok = !quoted || (i > 1 && i + 2 < chars.len());
        if c == ' '
            && !prev_space
            && column > 80
            && inner_ok
            && chars.get(i + 1).is_some_and(|n| *n != ' ')
        {
            out.push('\n');
            out.push_str(&" ".repeat(indent));
            column = indent;
            prev_space = true;
            continue;
        }
        out.push(c);
        column += 1;
        prev_space = c == ' ';
    }
    out
}

/// libyaml's folding of a double-quoted scalar: past column 80, the first space of a run (not
/// the text's first or last character) becomes a line break and indentation, followed by `\`
/// when a space comes next so that it is kept. Escapes hold no spaces, so the quoted text's
/// spaces are the string's.
fn fold_double_quoted(text: &str, indent: usize, start_column: usize) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::new();
    let mut column = start_column;
    let mut after_space = false;
    for (i, &c) in chars.iter().enumerate() {
        if c == ' ' {
            let edge = i == 1 || i + 2 == chars.len();
            if !after_space && column > 80 && !edge {
                out.push('\n');
                out.push_str(&" ".repeat(indent));
                column = indent;
                if chars.get(i + 1) == Some(&' ') {
                    out.push('\\');
                    column += 1;
                }
            } else {
                out.push(c);
                column += 1;
            }
            after_space = true;
        } else {
            out.push(c);
            column += 1;
            after_space = false;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// go-yaml v2 quotes base 60 numbers only (helm 3.17 prints `endpoint: 0.0.0.0:4317` and
    /// `- 10.1.2.3:502` plain in the public charts corpus).
    #[test]
    fn only_base_60_numbers_are_quoted_for_their_colons() {
        for quoted in ["1:20", "-1:30:05.5", "+190:20:30", "1_0:5", "12:59.", "1:5"] {
            assert_eq!(quote_string(quoted), format!("\"{quoted}\""), "{quoted}");
        }
        for plain in [
            "0.0.0.0:4317",
            "10.1.2.3:502",
            "1:60",
            "1:123",
            "a:1",
            "1:2:x",
            "1.5:20",
        ] {
            assert_eq!(quote_string(plain), plain, "{plain}");
        }
    }
}
