//! helm's `toToml`: TOML as `BurntSushi/toml` v1.4's encoder writes it (sorted keys, plain
//! values before tables, subtables indented by two spaces, floats always with a decimal point).

use crate::template::format::sprint_value;
use crate::template::value::Value;

/// The TOML document of `v`, or the encoder's error text (helm's `toToml` returns it as the
/// result).
pub(crate) fn to_toml(v: &Value) -> Result<String, String> {
    let mut e = Encoder::default();
    match v.plain() {
        Value::Map(m) => {
            e.map(&[], &m.entries())?;
            Ok(e.out)
        }
        Value::Nil => Ok(String::new()),
        other => Err(format!(
            "toml: top-level values must be Go maps or structs, not {}",
            other.kind_name()
        )),
    }
}

#[derive(Default)]
struct Encoder {
    out: String,
}

/// Whether a value is written as a table (`[key]`) or an array of tables (`[[key]]`).
fn is_table(v: &Value) -> bool {
    matches!(v.plain(), Value::Map(_))
}

fn is_table_array(v: &Value) -> bool {
    match v.plain() {
        Value::List(items, _) => !items.is_empty() && items.iter().all(is_table),
        _ => false,
    }
}

fn bare_key(k: &str) -> bool {
    !k.is_empty()
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

fn quoted(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\u{c}' => out.push_str("\\f"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                out.push_str(&format!("\\u{:04X}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn key_text(k: &str) -> String {
    if bare_key(k) { k.to_owned() } else { quoted(k) }
}

fn path_text(path: &[String]) -> String {
    path.iter()
        .map(|k| key_text(k))
        .collect::<Vec<_>>()
        .join(".")
}

fn float_text(f: f64) -> String {
    if f.is_nan() {
        return "nan".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "inf" } else { "-inf" }.into();
    }
    let s = format!("{f}");
    if s.contains('.') { s } else { format!("{s}.0") }
}

impl Encoder {
    fn newline(&mut self) {
        if !self.out.is_empty() {
            self.out.push('\n');
        }
    }

    fn indent(path: &[String]) -> String {
        "  ".repeat(path.len().saturating_sub(1))
    }

    /// A table's body: plain keys first, then tables and arrays of tables, each group sorted.
    fn map(&mut self, path: &[String], entries: &[(String, Value)]) -> Result<(), String> {
        let present = entries.iter().filter(|(_, v)| !v.is_nil());
        let direct = present
            .clone()
            .filter(|(_, v)| !is_table(v) && !is_table_array(v));
        let sub = present.filter(|(_, v)| is_table(v) || is_table_array(v));
        for (k, v) in direct.into_iter().chain(sub) {
            let mut key = path.to_vec();
            key.push(k.clone());
            self.encode(&key, v)?;
        }
        Ok(())
    }

    fn encode(&mut self, key: &[String], v: &Value) -> Result<(), String> {
        match v.plain() {
            Value::Map(m) => {
                if key.len() == 1 {
                    self.newline();
                }
                self.out
                    .push_str(&format!("{}[{}]", Self::indent(key), path_text(key)));
                self.newline();
                self.map(key, &m.entries())
            }
            Value::List(items, _) if is_table_array(v) => {
                for item in items.iter() {
                    self.newline();
                    self.out
                        .push_str(&format!("{}[[{}]]", Self::indent(key), path_text(key)));
                    self.newline();
                    if let Value::Map(m) = item.plain() {
                        self.map(key, &m.entries())?;
                    }
                }
                Ok(())
            }
            other => {
                let last = key.last().map(String::as_str).unwrap_or_default();
                self.out.push_str(&format!(
                    "{}{} = {}",
                    Self::indent(key),
                    key_text(last),
                    element(&other)?
                ));
                self.newline();
                Ok(())
            }
        }
    }
}

/// A value written inline (`1.0`, `"a"`, `[1, 2]`, `{a = 1}`).
fn element(v: &Value) -> Result<String, String> {
    Ok(match v.plain() {
        Value::Bool(b) => b.to_string(),
        Value::Int(i) | Value::Int64(i) => i.to_string(),
        Value::Uint(u) => u.to_string(),
        Value::Float(f) => float_text(f),
        Value::String(s) => quoted(&s),
        Value::List(items, _) => {
            let parts = items
                .iter()
                .map(|i| {
                    if i.is_nil() {
                        Err("toml: cannot encode array with nil element".to_owned())
                    } else {
                        element(i)
                    }
                })
                .collect::<Result<Vec<_>, _>>()?;
            format!("[{}]", parts.join(", "))
        }
        Value::Map(m) => {
            let mut entries: Vec<(String, Value)> = m
                .entries()
                .into_iter()
                .filter(|(_, x)| !x.is_nil())
                .collect();
            entries.sort_by_key(|(_, x)| is_table(x) || is_table_array(x));
            let parts = entries
                .iter()
                .map(|(k, x)| Ok(format!("{} = {}", key_text(k), element(x)?)))
                .collect::<Result<Vec<_>, String>>()?;
            format!("{{{}}}", parts.join(", "))
        }
        Value::Nil => return Err("toml: cannot encode a nil value".into()),
        other => quoted(&sprint_value(&other)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_like_burntsushi_toml() {
        let doc = crate::template::read_yaml(
            "a: 1\nb: [1, 2]\nt: {x: w}\nlist: [{m: a}, {m: b, sub: {z: 1}}]\n\"k k\": s\n",
        )
        .unwrap_or_default();
        assert_eq!(
            to_toml(&doc).unwrap_or_default(),
            "a = 1.0\nb = [1.0, 2.0]\n\"k k\" = \"s\"\n\n[[list]]\n  m = \"a\"\n\n[[list]]\n  m = \"b\"\n  [list.sub]\n    z = 1.0\n\n[t]\n  x = \"w\"\n"
        );
    }
}
