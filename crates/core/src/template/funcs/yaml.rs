//! Helmfile's YAML functions: `toYaml` written as go-yaml v2 writes it (sorted keys, its quoting
//! rules, literal blocks, folding at 80 columns), `fromYaml`, `setValueAtPath`, `get`, `getOrNil`.

use super::Param::{Any, Map, Str};
use super::{FResult, Registry, s};
use crate::template::format::{format_float_g, sprint_value};
use crate::template::value::Value;

pub(super) fn register(r: &mut Registry) {
    r.add("toYaml", &[Any], None, |_, a| Ok(Value::String(to_yaml(&a[0]))));
    r.add("fromYaml", &[Str], None, |_, a| from_yaml(s(&a[0])));
    r.add("setValueAtPath", &[Str, Any, Map], None, |_, a| set_value_at_path(s(&a[0]), &a[1], &a[2]));
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
    r.add("getOrNil", &[Str, Any], None, |_, a| match get(s(&a[0]), None, &a[1]) {
        Ok(v) => Ok(v),
        Err(e) if e.no_value => Ok(Value::Nil),
        Err(e) => Err(e.message),
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
            let t = if other.is_nil() { "<nil>".to_owned() } else { other.type_name() };
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
        return Err(format!("failed to set value at path {path:?}: value for key {key:?} was not a map"));
    };
    let mut cur = root.clone();
    for k in parents {
        match cur.get(k) {
            None => {
                return Err(format!("failed to set value at path {path:?}: value for key {k:?} does not exist"));
            }
            Some(Value::Map(m)) => cur = m,
            Some(_) => {
                return Err(format!("failed to set value at path {path:?}: value for key {k:?} was not a map"));
            }
        }
    }
    cur.insert((*key).to_owned(), value.clone());
    Ok(values.clone())
}

/// Helmfile's `fromYaml`: a YAML mapping into `map[string]interface {}`.
fn from_yaml(text: &str) -> FResult {
    let parsed: Result<serde_yaml::Value, _> = serde_yaml::from_str(text);
    match parsed {
        Ok(serde_yaml::Value::Null) => Ok(Value::empty_map()),
        Ok(v @ serde_yaml::Value::Mapping(_)) => Ok(Value::from(&v)),
        Ok(other) => {
            let (tag, shown) = match &other {
                serde_yaml::Value::Sequence(_) => ("!!seq", String::new()),
                serde_yaml::Value::String(s) => ("!!str", short_value(s)),
                serde_yaml::Value::Bool(b) => ("!!bool", short_value(&b.to_string())),
                serde_yaml::Value::Number(n) if n.is_f64() => ("!!float", short_value(&n.to_string())),
                serde_yaml::Value::Number(n) => ("!!int", short_value(&n.to_string())),
                _ => ("!!map", String::new()),
            };
            Err(format!(
                "yaml: unmarshal errors:\n  line 1: cannot unmarshal {tag}{shown} into map[string]interface {{}}, offending yaml: {text}"
            ))
        }
        Err(e) => {
            let line = e.location().map_or(1, |l| l.line());
            let msg = e.to_string();
            let msg = msg.split(" at line ").next().unwrap_or(&msg).to_owned();
            Err(format!("yaml: line {line}: {msg}, offending yaml: {text}"))
        }
    }
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
    let mut out = String::new();
    let v = v.plain();
    match &v {
        Value::Map(m) if !m.is_empty() => write_map(&mut out, &v, 0, false),
        Value::List(l, _) if !l.is_empty() => write_list(&mut out, &v, 0, false),
        other => {
            out.push_str(&scalar(other, 0, false));
            out.push('\n');
        }
    }
    out
}

fn is_block(v: &Value) -> bool {
    match v {
        Value::Map(m) => !m.is_empty(),
        Value::List(l, _) => !l.is_empty(),
        _ => false,
    }
}

/// Writes a block mapping; `inline` when its first key follows a `- ` already written.
fn write_map(out: &mut String, v: &Value, indent: usize, inline: bool) {
    let Value::Map(m) = v else { return };
    for (i, (k, val)) in m.entries().into_iter().enumerate() {
        if i > 0 || !inline {
            out.push_str(&" ".repeat(indent));
        }
        out.push_str(&quote_string(&k, indent, true));
        out.push(':');
        let val = val.plain();
        match &val {
            Value::Map(_) if is_block(&val) => {
                out.push('\n');
                write_map(out, &val, indent + 2, false);
            }
            Value::List(..) if is_block(&val) => {
                out.push('\n');
                write_list(out, &val, indent, false);
            }
            other => {
                out.push(' ');
                write_scalar_line(out, other, indent + 2);
            }
        }
    }
}

/// Writes a block sequence; `inline` when its first item follows a `- ` already written.
fn write_list(out: &mut String, v: &Value, indent: usize, inline: bool) {
    let Value::List(items, _) = v else { return };
    for (i, item) in items.iter().enumerate() {
        if i > 0 || !inline {
            out.push_str(&" ".repeat(indent));
        }
        out.push_str("- ");
        let item = item.plain();
        match &item {
            Value::Map(_) if is_block(&item) => write_map(out, &item, indent + 2, true),
            Value::List(..) if is_block(&item) => write_list(out, &item, indent + 2, true),
            other => write_scalar_line(out, other, indent + 2),
        }
    }
}

fn write_scalar_line(out: &mut String, v: &Value, indent: usize) {
    let start = out.rfind('\n').map_or(0, |p| p + 1);
    let column = out[start..].chars().count();
    out.push_str(&scalar_at(v, indent, column));
    out.push('\n');
}

fn scalar(v: &Value, indent: usize, key: bool) -> String {
    match v {
        Value::String(s) => quote_string(s, indent, key),
        _ => scalar_at(v, indent, 0),
    }
}

/// A scalar written at `column`, continuing lines at `indent`.
fn scalar_at(v: &Value, indent: usize, column: usize) -> String {
    match v {
        Value::Nil => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) | Value::Int64(i) => i.to_string(),
        Value::Float(f) => {
            if f.is_nan() {
                ".nan".into()
            } else if f.is_infinite() {
                if *f > 0.0 { "+.inf".into() } else { "-.inf".into() }
            } else {
                format_float_g(*f, None)
            }
        }
        Value::String(s) => {
            if s.contains('\n') && literal_allowed(s) {
                return literal(s, indent);
            }
            fold(&quote_string(s, indent, false), indent, column)
        }
        Value::List(..) => "[]".into(),
        Value::Map(_) => "{}".into(),
        Value::Object(o) => quote_string(&o.go_string(), indent, false),
    }
}

fn literal_allowed(s: &str) -> bool {
    !s.chars().any(|c| c != '\n' && !printable(c)) && !s.contains(" \n") && !s.starts_with(' ')
}

fn printable(c: char) -> bool {
    matches!(c, '\n' | '\u{20}'..='\u{7e}' | '\u{85}' | '\u{a0}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}' | '\u{10000}'..)
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
    let mut out = format!("|{chomp}");
    let body = s.strip_suffix('\n').unwrap_or(s);
    let body = if chomp == "+" { s.strip_suffix('\n').unwrap_or(s) } else { body };
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
        "", "~", "null", "Null", "NULL", "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "true", "True",
        "TRUE", "false", "False", "FALSE", "on", "On", "ON", "off", "Off", "OFF", ".inf", ".Inf", ".INF", "+.inf",
        "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF", ".nan", ".NaN", ".NAN", "<<",
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
    if body.chars().all(|c| c.is_ascii_digit()) {
        return true;
    }
    // Base 60 numbers (`1:20`) are numbers in YAML 1.1.
    if body.contains(':')
        && body.split(':').all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit() || c == '.'))
    {
        return true;
    }
    is_float(body)
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
fn quote_string(s: &str, _indent: usize, key: bool) -> String {
    if resolves_to_non_string(s) {
        return double_quoted(s);
    }
    let special = s.chars().any(|c| !printable(c) || c == '\n');
    if special {
        return double_quoted(s);
    }
    if plain_allowed(s, key) {
        return s.to_owned();
    }
    format!("'{}'", s.replace('\'', "''"))
}

fn plain_allowed(s: &str, _key: bool) -> bool {
    if s.starts_with("---") || s.starts_with("...") {
        return false;
    }
    let chars: Vec<char> = s.chars().collect();
    let Some(&first) = chars.first() else { return false };
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

/// libyaml's line folding of plain and single-quoted scalars past column 80.
fn fold(text: &str, indent: usize, start_column: usize) -> String {
    if text.starts_with('"') || text.chars().count() + start_column <= 80 {
        return text.to_owned();
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
