//! The user's values as helm's `values.Options.MergeValues` makes them: values files read
//! through JSON and deep-merged in order, then `--set-json`, `--set`, `--set-string`,
//! `--set-file` and `--set-literal` parsed with helm's `strvals` rules (`a.b[0]=x,c={1,2}`,
//! `\` escapes, `true`/`false`/`null` and decimal integers typed unless `--set-string`).

use std::collections::BTreeMap;
use std::path::Path;

use super::error::ChartError;
use crate::template::{MapRef, Value, read_yaml};
use crate::values::ValuesFile;

/// The deepest `a.b.c...` nesting helm accepts in a `--set` name.
const MAX_NESTED_NAME_LEVEL: usize = 30;
/// The largest list index helm accepts in a `--set` name.
const MAX_INDEX: i64 = 65536;

/// Merges `files` then applies `flags` (flag and argument pairs such as `--set`, `a=b`);
/// `--set-file` paths are relative to `base_dir`.
pub(crate) fn merge_values(
    files: &[ValuesFile],
    flags: &[String],
    base_dir: &Path,
) -> Result<Value, ChartError> {
    let mut base = BTreeMap::new();
    for f in files {
        let name = f
            .source
            .as_ref()
            .map_or_else(|| "values".to_owned(), |p| p.display().to_string());
        let current = match read_yaml(&f.content) {
            Ok(Value::Map(m)) => m,
            Ok(Value::Nil) => MapRef::new(BTreeMap::new()),
            Ok(_) => {
                return Err(ChartError::Values {
                    message: format!(
                        "failed to parse {name}: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal array into Go value of type map[string]interface {{}}"
                    ),
                });
            }
            Err(e) => {
                return Err(ChartError::Values {
                    message: format!("failed to parse {name}: {e}"),
                });
            }
        };
        base = merge_maps(base, &current);
    }
    let base = MapRef::new(base);
    let mut pairs: Vec<(&str, &str)> = Vec::new();
    let mut it = flags.iter();
    while let Some(flag) = it.next() {
        let (name, arg) = match flag.split_once('=') {
            Some((n, a)) if n.starts_with("--") => (n, a),
            _ => match it.next() {
                Some(a) => (flag.as_str(), a.as_str()),
                None => break,
            },
        };
        pairs.push((name, arg));
    }
    for kind in [
        "--set-json",
        "--set",
        "--set-string",
        "--set-file",
        "--set-literal",
    ] {
        for (_, arg) in pairs.iter().filter(|(n, _)| *n == kind) {
            let mode = match kind {
                "--set-json" => Mode::Json,
                "--set-string" => Mode::String,
                "--set-file" => Mode::File(base_dir),
                "--set-literal" => Mode::Literal,
                _ => Mode::Typed,
            };
            let mut p = Parser {
                chars: arg.chars().collect(),
                pos: 0,
                mode,
            };
            p.parse(&base).map_err(|e| ChartError::Values {
                message: match kind {
                    "--set-json" => format!("failed parsing --set-json data {arg}"),
                    _ => format!("failed parsing {kind} data: {e}"),
                },
            })?;
        }
    }
    Ok(Value::Map(base))
}

/// helm's `mergeMaps`: `b` over `a`, maps merged key by key, anything else replaced.
fn merge_maps(a: BTreeMap<String, Value>, b: &MapRef) -> BTreeMap<String, Value> {
    let mut out = a;
    for (k, v) in b.entries() {
        if let Value::Map(bm) = &v
            && let Some(Value::Map(am)) = out.get(&k)
        {
            let merged = merge_maps(am.entries().into_iter().collect(), bm);
            out.insert(k, Value::map(merged));
            continue;
        }
        out.insert(k, v);
    }
    out
}

/// How a `--set` flavour turns a value's text into a value.
#[derive(Clone, Copy)]
enum Mode<'a> {
    /// `--set`: `true`, `false`, `null` and decimal integers are typed.
    Typed,
    /// `--set-string`: always text.
    String,
    /// `--set-file`: the text names a file whose contents are the value.
    File(&'a Path),
    /// `--set-json`: the value is JSON.
    Json,
    /// `--set-literal`: the whole rest is the value, unparsed.
    Literal,
}

enum Stop {
    Eof,
    At(char),
}

/// Parse errors; `Eof` ends a flag without error where helm's `io.EOF` does.
enum ParseError {
    Eof,
    Message(String),
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ParseError::Eof => write!(f, "EOF"),
            ParseError::Message(m) => write!(f, "{m}"),
        }
    }
}

fn err<T>(m: impl Into<String>) -> Result<T, ParseError> {
    Err(ParseError::Message(m.into()))
}

struct Parser<'a> {
    chars: Vec<char>,
    pos: usize,
    mode: Mode<'a>,
}

impl Parser<'_> {
    fn parse(&mut self, data: &MapRef) -> Result<(), ParseError> {
        if let Mode::Literal = self.mode {
            return self.literal(data);
        }
        loop {
            match self.key(data, 0) {
                Ok(()) => {}
                Err(ParseError::Eof) => return Ok(()),
                Err(e) => return Err(e),
            }
        }
    }

    /// `--set-literal name=value`: everything after the first `=` is the value.
    fn literal(&mut self, data: &MapRef) -> Result<(), ParseError> {
        let text: String = self.chars.iter().collect();
        let Some((name, value)) = text.split_once('=') else {
            return err(format!("key {text:?} has no value"));
        };
        let parts: Vec<&str> = name.split('.').collect();
        let mut cur = data.clone();
        for part in &parts[..parts.len() - 1] {
            let next = match cur.get(part) {
                Some(Value::Map(m)) => m,
                _ => {
                    let m = MapRef::new(BTreeMap::new());
                    cur.insert((*part).to_owned(), Value::Map(m.clone()));
                    m
                }
            };
            cur = next;
        }
        set(&cur, parts[parts.len() - 1], Value::str(value));
        Ok(())
    }

    fn read(&mut self) -> Option<char> {
        let c = self.chars.get(self.pos).copied();
        if c.is_some() {
            self.pos += 1;
        }
        c
    }

    /// helm's `runesUntil`: text up to one of `stop` (consumed), `\` escaping the next
    /// character.
    fn until(&mut self, stop: &[char]) -> (String, Stop) {
        let mut v = String::new();
        loop {
            match self.read() {
                None => return (v, Stop::Eof),
                Some(c) if stop.contains(&c) => return (v, Stop::At(c)),
                Some('\\') => match self.read() {
                    None => return (v, Stop::Eof),
                    Some(n) => v.push(n),
                },
                Some(c) => v.push(c),
            }
        }
    }

    fn key(&mut self, data: &MapRef, level: usize) -> Result<(), ParseError> {
        let (k, stop) = self.until(&['=', '[', ',', '.']);
        match stop {
            Stop::Eof => {
                if k.is_empty() {
                    Err(ParseError::Eof)
                } else {
                    err(format!("key {k:?} has no value"))
                }
            }
            Stop::At('[') => {
                let i = self.key_index()?;
                let list = match data.get(&k) {
                    None => Vec::new(),
                    Some(Value::List(l, _)) => l.to_vec(),
                    Some(other) => {
                        return err(format!(
                            "unable to parse key: interface conversion: interface {{}} is {}, not []interface {{}}",
                            other.type_name()
                        ));
                    }
                };
                let (list, result) = self.list_item(list, i, level);
                set(data, &k, Value::list(list));
                result
            }
            Stop::At('=') => {
                let v = self.value()?;
                match v {
                    Assigned::Value(v) => {
                        set(data, &k, v);
                        Ok(())
                    }
                    Assigned::EmptyAtEof => {
                        set(data, &k, Value::str(""));
                        Err(ParseError::Eof)
                    }
                }
            }
            Stop::At(',') => {
                set(data, &k, Value::str(""));
                err(format!("key {k:?} has no value (cannot end with ,)"))
            }
            Stop::At(_) => {
                let level = level + 1;
                if level > MAX_NESTED_NAME_LEVEL {
                    return err(format!(
                        "value name nested level is greater than maximum supported nested level of {MAX_NESTED_NAME_LEVEL}"
                    ));
                }
                let inner = match data.get(&k) {
                    None => MapRef::new(BTreeMap::new()),
                    Some(Value::Map(m)) => m,
                    Some(other) => {
                        return err(format!(
                            "unable to parse key: interface conversion: interface {{}} is {}, not map[string]interface {{}}",
                            other.type_name()
                        ));
                    }
                };
                let e = self.key(&inner, level);
                if e.is_ok() && inner.is_empty() {
                    return err(format!("key map {k:?} has no value"));
                }
                if !inner.is_empty() {
                    set(data, &k, Value::Map(inner));
                }
                e
            }
        }
    }

    fn key_index(&mut self) -> Result<i64, ParseError> {
        let (v, stop) = self.until(&[']']);
        if let Stop::Eof = stop {
            return Err(ParseError::Eof);
        }
        v.parse::<i64>().map_err(|_| {
            ParseError::Message(format!(
                "error parsing index: strconv.Atoi: parsing {v:?}: invalid syntax"
            ))
        })
    }

    /// The value after `=`: a `{a,b}` list, JSON, a file's contents or typed text.
    fn value(&mut self) -> Result<Assigned, ParseError> {
        if let Mode::Json = self.mode {
            return self.json_value().map(Assigned::Value);
        }
        match self.val_list() {
            Ok(list) => Ok(Assigned::Value(Value::list(list))),
            Err(ListError::Eof) => Ok(Assigned::EmptyAtEof),
            Err(ListError::NotList) => {
                let (text, _) = self.until(&[',']);
                self.typed(&text).map(Assigned::Value)
            }
            Err(ListError::Other(e)) => Err(e),
        }
    }

    fn json_value(&mut self) -> Result<Value, ParseError> {
        if self.empty_val() {
            return Ok(Value::Nil);
        }
        let rest: String = self.chars[self.pos..].iter().collect();
        let mut stream = serde_json::Deserializer::from_str(&rest).into_iter::<serde_json::Value>();
        let v = match stream.next() {
            Some(Ok(v)) => v,
            Some(Err(e)) => return err(e.to_string()),
            None => return err("unexpected end of JSON input"),
        };
        let used = rest[..stream.byte_offset()].chars().count();
        self.pos += used;
        self.empty_val();
        Ok(json_to_value(&v))
    }

    /// helm's `emptyVal`: skips spaces; true at the end or a `,` (consumed).
    fn empty_val(&mut self) -> bool {
        loop {
            match self.chars.get(self.pos) {
                None => return true,
                Some(',') => {
                    self.pos += 1;
                    return true;
                }
                Some(c) if c.is_whitespace() => self.pos += 1,
                Some(_) => return false,
            }
        }
    }

    fn val_list(&mut self) -> Result<Vec<Value>, ListError> {
        match self.read() {
            None => return Err(ListError::Eof),
            Some('{') => {}
            Some(_) => {
                self.pos -= 1;
                return Err(ListError::NotList);
            }
        }
        let mut list = Vec::new();
        loop {
            let (text, stop) = self.until(&[',', '}']);
            match stop {
                Stop::Eof => {
                    return Err(ListError::Other(ParseError::Message(
                        "list must terminate with '}'".into(),
                    )));
                }
                Stop::At('}') => {
                    if let Some(c) = self.read()
                        && c != ','
                    {
                        self.pos -= 1;
                    }
                    list.push(self.typed(&text).map_err(ListError::Other)?);
                    return Ok(list);
                }
                Stop::At(_) => list.push(self.typed(&text).map_err(ListError::Other)?),
            }
        }
    }

    fn list_item(
        &mut self,
        mut list: Vec<Value>,
        i: i64,
        level: usize,
    ) -> (Vec<Value>, Result<(), ParseError>) {
        if i < 0 {
            return (list, err(format!("negative {i} index not allowed")));
        }
        let (k, stop) = self.until(&['[', '.', '=']);
        if !k.is_empty() {
            return (
                list,
                err(format!("unexpected data at end of array index: {k:?}")),
            );
        }
        match stop {
            Stop::Eof => (list, Err(ParseError::Eof)),
            Stop::At('=') => {
                let v = match self.value() {
                    Ok(Assigned::Value(v)) => v,
                    Ok(Assigned::EmptyAtEof) => Value::str(""),
                    Err(e) => return (list, Err(e)),
                };
                let r = set_index(&mut list, i, v);
                (list, r)
            }
            Stop::At('[') => {
                let next = match self.key_index() {
                    Ok(n) => n,
                    Err(e) => return (list, Err(e)),
                };
                let current = match list.get(i as usize) {
                    Some(Value::List(l, _)) => l.to_vec(),
                    _ => Vec::new(),
                };
                let (inner, r) = self.list_item(current, next, level);
                if r.is_err() {
                    return (list, r);
                }
                let r = set_index(&mut list, i, Value::list(inner));
                (list, r)
            }
            Stop::At(_) => {
                let inner = match list.get(i as usize) {
                    Some(Value::Map(m)) => m.clone(),
                    _ => MapRef::new(BTreeMap::new()),
                };
                if let Err(e) = self.key(&inner, level) {
                    return (list, Err(e));
                }
                let r = set_index(&mut list, i, Value::Map(inner));
                (list, r)
            }
        }
    }

    /// helm's `typedVal` (or the file's contents for `--set-file`).
    fn typed(&self, text: &str) -> Result<Value, ParseError> {
        match self.mode {
            Mode::String | Mode::Literal => Ok(Value::str(text)),
            Mode::File(base) => {
                let path = base.join(text);
                std::fs::read(&path)
                    .map(|b| Value::String(String::from_utf8_lossy(&b).into_owned()))
                    .map_err(|e| ParseError::Message(format!("open {text}: {e}")))
            }
            Mode::Json | Mode::Typed => Ok(typed_value(text)),
        }
    }
}

enum Assigned {
    Value(Value),
    /// `name=` at the very end: helm sets `""` and stops.
    EmptyAtEof,
}

enum ListError {
    Eof,
    NotList,
    Other(ParseError),
}

/// helm's `typedVal` without `--set-string`.
fn typed_value(text: &str) -> Value {
    if text.eq_ignore_ascii_case("true") {
        return Value::Bool(true);
    }
    if text.eq_ignore_ascii_case("false") {
        return Value::Bool(false);
    }
    if text.eq_ignore_ascii_case("null") {
        return Value::Nil;
    }
    if text == "0" {
        return Value::Int64(0);
    }
    if !text.is_empty()
        && !text.starts_with('0')
        && let Ok(i) = text.parse::<i64>()
    {
        return Value::Int64(i);
    }
    Value::str(text)
}

fn set(data: &MapRef, key: &str, v: Value) {
    if !key.is_empty() {
        data.insert(key.to_owned(), v);
    }
}

fn set_index(list: &mut Vec<Value>, i: i64, v: Value) -> Result<(), ParseError> {
    if i < 0 {
        return err(format!("negative {i} index not allowed"));
    }
    if i > MAX_INDEX {
        return err(format!(
            "index of {i} is greater than maximum supported index of {MAX_INDEX}"
        ));
    }
    let i = i as usize;
    if list.len() <= i {
        list.resize(i + 1, Value::Nil);
    }
    list[i] = v;
    Ok(())
}

/// JSON as `encoding/json` decodes it into `interface{}` (numbers are float64).
fn json_to_value(v: &serde_json::Value) -> Value {
    match v {
        serde_json::Value::Null => Value::Nil,
        serde_json::Value::Bool(b) => Value::Bool(*b),
        serde_json::Value::Number(n) => Value::Float(n.as_f64().unwrap_or_default()),
        serde_json::Value::String(s) => Value::str(s),
        serde_json::Value::Array(a) => Value::list(a.iter().map(json_to_value).collect()),
        serde_json::Value::Object(o) => Value::map(
            o.iter()
                .map(|(k, x)| (k.clone(), json_to_value(x)))
                .collect(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(flags: &[&str]) -> String {
        let flags: Vec<String> = flags.iter().map(|s| s.to_string()).collect();
        match merge_values(&[], &flags, Path::new(".")) {
            Ok(v) => crate::template::sprint_value(&v),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn set_flags_follow_helm_strvals() {
        assert_eq!(
            parse(&["--set", "a.b=1,c=true,d={x,y},e[1].f=007"]),
            "map[a:map[b:1] c:true d:[x y] e:[<nil> map[f:007]]]"
        );
        assert_eq!(parse(&["--set-string", "a=1"]), "map[a:1]");
        assert_eq!(parse(&["--set", "a\\.b=1"]), "map[a.b:1]");
        assert_eq!(
            parse(&["--set", "a=", "--set", "b=null"]),
            "map[a: b:<nil>]"
        );
        assert_eq!(
            parse(&["--set", "a"]),
            "failed parsing --set data: key \"a\" has no value"
        );
        assert_eq!(
            parse(&["--set-json", "a={\"b\":[1,2]}"]),
            "map[a:map[b:[1 2]]]"
        );
        assert_eq!(
            parse(&["--set-literal", "a.b=x,y={z}"]),
            "map[a:map[b:x,y={z}]]"
        );
    }
}
