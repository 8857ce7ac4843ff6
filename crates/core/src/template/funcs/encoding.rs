//! Encodings and digests: base64/base32, sha1/sha256/sha512/adler32, and JSON as Go's
//! `encoding/json` writes and reads it (sorted keys, HTML escaping, float64 numbers).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use base64::Engine as _;
use sha1::Digest as _;

use super::Param::{Any, Str, Text};
use super::{FResult, Registry, s};
use crate::template::format::format_float_g;
use crate::template::value::{Struct, Value};

fn string(v: impl Into<String>) -> FResult {
    Ok(Value::String(v.into()))
}

pub(super) fn register(r: &mut Registry) {
    r.add("b64enc", &[Text], None, |_, a| {
        let bytes = match &a[0] {
            Value::Object(o) => o.bytes().unwrap_or_default(),
            v => s(v).as_bytes(),
        };
        string(base64::engine::general_purpose::STANDARD.encode(bytes))
    });
    r.add("b64dec", &[Str], None, |_, a| {
        string(
            match base64::engine::general_purpose::STANDARD.decode(s(&a[0])) {
                Ok(b) => String::from_utf8_lossy(&b).into_owned(),
                Err(e) => go_base64_error(&e),
            },
        )
    });
    r.add("b32enc", &[Str], None, |_, a| {
        string(base32_encode(s(&a[0]).as_bytes()))
    });
    r.add("b32dec", &[Str], None, |_, a| {
        string(match base32_decode(s(&a[0])) {
            Some(b) => String::from_utf8_lossy(&b).into_owned(),
            None => "illegal base32 data at input byte 0".to_owned(),
        })
    });
    r.add("sha256sum", &[Str], None, |_, a| {
        string(hex(&sha2::Sha256::digest(s(&a[0]).as_bytes())))
    });
    r.add("sha512sum", &[Str], None, |_, a| {
        string(hex(&sha2::Sha512::digest(s(&a[0]).as_bytes())))
    });
    r.add("sha1sum", &[Str], None, |_, a| {
        string(hex(&sha1::Sha1::digest(s(&a[0]).as_bytes())))
    });
    r.add("adler32sum", &[Str], None, |_, a| {
        string(adler32(s(&a[0]).as_bytes()).to_string())
    });
    for name in ["toJson", "mustToJson"] {
        r.add(name, &[Any], None, |_, a| {
            string(to_json(&a[0], true, None))
        });
    }
    for name in ["toPrettyJson", "mustToPrettyJson"] {
        r.add(name, &[Any], None, |_, a| {
            string(to_json(&a[0], true, Some(0)))
        });
    }
    for name in ["toRawJson", "mustToRawJson"] {
        r.add(name, &[Any], None, |_, a| {
            string(to_json(&a[0], false, None))
        });
    }
    r.add("fromJson", &[Str], None, |_, a| {
        Ok(from_json(s(&a[0])).unwrap_or(Value::Nil))
    });
    r.add("mustFromJson", &[Str], None, |_, a| from_json(s(&a[0])));
    r.add("fromJsonArray", &[Str], None, |_, a| {
        Ok(match from_json(s(&a[0])) {
            Ok(v @ Value::List(..)) => v,
            _ => Value::list(Vec::new()),
        })
    });
}

pub(super) fn go_base64_error(e: &base64::DecodeError) -> String {
    let at = match e {
        base64::DecodeError::InvalidByte(i, _) | base64::DecodeError::InvalidLastSymbol(i, _) => *i,
        base64::DecodeError::InvalidLength(n) => *n,
        base64::DecodeError::InvalidPadding => 0,
    };
    format!("illegal base64 data at input byte {at}")
}

pub(super) fn hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

fn adler32(data: &[u8]) -> u32 {
    let (mut a, mut b) = (1u32, 0u32);
    for &byte in data {
        a = (a + u32::from(byte)) % 65521;
        b = (b + a) % 65521;
    }
    (b << 16) | a
}

const B32: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

fn base32_encode(data: &[u8]) -> String {
    let mut out = String::new();
    for chunk in data.chunks(5) {
        let mut buf = [0u8; 5];
        buf[..chunk.len()].copy_from_slice(chunk);
        let bits = buf.iter().fold(0u64, |acc, &b| (acc << 8) | u64::from(b));
        let chars = (chunk.len() * 8).div_ceil(5);
        for i in 0..8 {
            if i < chars {
                out.push(B32[((bits >> (35 - i * 5)) & 31) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn base32_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let (mut bits, mut n) = (0u64, 0u32);
    for c in text.trim_end_matches('=').bytes() {
        let v = B32.iter().position(|&x| x == c)? as u64;
        bits = (bits << 5) | v;
        n += 5;
        if n >= 8 {
            n -= 8;
            out.push((bits >> n) as u8);
        }
    }
    Some(out)
}

/// `json.Marshal` (or `MarshalIndent` with two spaces when `indent` is set).
pub(crate) fn to_json(v: &Value, escape_html: bool, indent: Option<usize>) -> String {
    let mut out = String::new();
    write_json(&mut out, v, escape_html, indent);
    out
}

fn newline(out: &mut String, indent: Option<usize>) {
    if let Some(n) = indent {
        out.push('\n');
        out.push_str(&"  ".repeat(n));
    }
}

fn write_json(out: &mut String, v: &Value, esc: bool, indent: Option<usize>) {
    // encoding/json writes struct fields in declaration order under their Go names.
    if let Value::Object(o) = v
        && let Some(st) = o.as_any().downcast_ref::<Struct>()
    {
        out.push('{');
        for (i, (k, val)) in st.fields.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            newline(out, indent.map(|n| n + 1));
            json_string(out, k, esc);
            out.push(':');
            if indent.is_some() {
                out.push(' ');
            }
            write_json(out, val, esc, indent.map(|n| n + 1));
        }
        newline(out, indent);
        out.push('}');
        return;
    }
    // Other objects marshal as their data, which may itself be a struct (helm's `.Chart`).
    if let Value::Object(o) = v
        && o.deref().is_none()
        && let data @ Value::Object(_) = o.to_data()
        && data.as_struct().is_some()
    {
        return write_json(out, &data, esc, indent);
    }
    match v.plain() {
        Value::Nil => out.push_str("null"),
        Value::Bool(b) => out.push_str(if b { "true" } else { "false" }),
        Value::Int(i) | Value::Int64(i) => out.push_str(&i.to_string()),
        Value::Uint(u) => out.push_str(&u.to_string()),
        Value::Float(f) => out.push_str(&json_float(f)),
        Value::String(s) => json_string(out, &s, esc),
        Value::List(items, _) => {
            if items.is_empty() {
                out.push_str("[]");
                return;
            }
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(out, indent.map(|n| n + 1));
                write_json(out, item, esc, indent.map(|n| n + 1));
            }
            newline(out, indent);
            out.push(']');
        }
        Value::Map(m) => {
            let entries = m.entries();
            if entries.is_empty() {
                out.push_str("{}");
                return;
            }
            out.push('{');
            for (i, (k, val)) in entries.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(out, indent.map(|n| n + 1));
                json_string(out, k, esc);
                out.push(':');
                if indent.is_some() {
                    out.push(' ');
                }
                write_json(out, val, esc, indent.map(|n| n + 1));
            }
            newline(out, indent);
            out.push('}');
        }
        Value::Object(o) => json_string(out, &o.go_string(), esc),
    }
}

/// encoding/json's float format: plain decimals, exponents only for very small or large values.
pub(crate) fn json_float(f: f64) -> String {
    let abs = f.abs();
    if abs != 0.0 && !(1e-6..1e21).contains(&abs) {
        let s = format_float_g(f, None);
        // Go writes e-07 as e-7 in JSON.
        return s.replace("e-0", "e-").replace("e+0", "e+");
    }
    let s = format!("{f}");
    s.strip_suffix(".0").map(str::to_owned).unwrap_or(s)
}

fn json_string(out: &mut String, s: &str, esc: bool) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '<' | '>' | '&' if esc => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            '\u{2028}' | '\u{2029}' => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// `json.Unmarshal` into `interface{}`: numbers become float64, objects maps.
pub(crate) fn from_json(text: &str) -> FResult {
    let mut p = JsonParser {
        s: text.as_bytes(),
        i: 0,
    };
    p.ws();
    let v = p.value()?;
    p.ws();
    if p.i < p.s.len() {
        return Err(format!(
            "invalid character {} after top-level value",
            p.quote_char()
        ));
    }
    Ok(v)
}

struct JsonParser<'a> {
    s: &'a [u8],
    i: usize,
}

impl JsonParser<'_> {
    fn ws(&mut self) {
        while self.i < self.s.len() && matches!(self.s[self.i], b' ' | b'\t' | b'\n' | b'\r') {
            self.i += 1;
        }
    }

    fn quote_char(&self) -> String {
        let rest = std::str::from_utf8(&self.s[self.i..]).unwrap_or("?");
        let c = rest.chars().next().unwrap_or(' ');
        if c == '\'' {
            "'\\''".into()
        } else {
            format!("'{c}'")
        }
    }

    fn eof(&self) -> String {
        "unexpected end of JSON input".into()
    }

    fn value(&mut self) -> FResult {
        self.ws();
        let Some(&c) = self.s.get(self.i) else {
            return Err(self.eof());
        };
        match c {
            b'{' => {
                self.i += 1;
                let mut m = BTreeMap::new();
                self.ws();
                if self.s.get(self.i) == Some(&b'}') {
                    self.i += 1;
                    return Ok(Value::map(m));
                }
                loop {
                    self.ws();
                    match self.s.get(self.i) {
                        Some(b'"') => {}
                        Some(_) => {
                            return Err(format!(
                                "invalid character {} looking for beginning of object key string",
                                self.quote_char()
                            ));
                        }
                        None => return Err(self.eof()),
                    }
                    let k = self.string()?;
                    self.ws();
                    match self.s.get(self.i) {
                        Some(b':') => self.i += 1,
                        Some(_) => {
                            return Err(format!(
                                "invalid character {} after object key",
                                self.quote_char()
                            ));
                        }
                        None => return Err(self.eof()),
                    }
                    let v = self.value()?;
                    m.insert(k, v);
                    self.ws();
                    match self.s.get(self.i) {
                        Some(b',') => self.i += 1,
                        Some(b'}') => {
                            self.i += 1;
                            return Ok(Value::map(m));
                        }
                        Some(_) => {
                            return Err(format!(
                                "invalid character {} after object key:value pair",
                                self.quote_char()
                            ));
                        }
                        None => return Err(self.eof()),
                    }
                }
            }
            b'[' => {
                self.i += 1;
                let mut l = Vec::new();
                self.ws();
                if self.s.get(self.i) == Some(&b']') {
                    self.i += 1;
                    return Ok(Value::list(l));
                }
                loop {
                    l.push(self.value()?);
                    self.ws();
                    match self.s.get(self.i) {
                        Some(b',') => self.i += 1,
                        Some(b']') => {
                            self.i += 1;
                            return Ok(Value::list(l));
                        }
                        Some(_) => {
                            return Err(format!(
                                "invalid character {} after array element",
                                self.quote_char()
                            ));
                        }
                        None => return Err(self.eof()),
                    }
                }
            }
            b'"' => self.string().map(Value::String),
            b't' => self.literal("true", Value::Bool(true)),
            b'f' => self.literal("false", Value::Bool(false)),
            b'n' => self.literal("null", Value::Nil),
            b'-' | b'0'..=b'9' => {
                let start = self.i;
                self.i += 1;
                while self.i < self.s.len()
                    && matches!(
                        self.s[self.i],
                        b'0'..=b'9' | b'.' | b'e' | b'E' | b'+' | b'-'
                    )
                {
                    self.i += 1;
                }
                let t = std::str::from_utf8(&self.s[start..self.i]).unwrap_or("0");
                t.parse::<f64>()
                    .map(Value::Float)
                    .map_err(|_| format!("invalid character in numeric literal {t:?}"))
            }
            _ => Err(format!(
                "invalid character {} looking for beginning of value",
                self.quote_char()
            )),
        }
    }

    fn literal(&mut self, word: &str, v: Value) -> FResult {
        for (n, expected) in word.bytes().enumerate() {
            match self.s.get(self.i) {
                Some(&c) if c == expected => self.i += 1,
                Some(_) => {
                    let want = &word[n..=n];
                    return Err(format!(
                        "invalid character {} in literal {word} (expecting '{want}')",
                        self.quote_char()
                    ));
                }
                None => return Err(self.eof()),
            }
        }
        Ok(v)
    }

    fn string(&mut self) -> Result<String, String> {
        self.i += 1;
        let mut out = Vec::new();
        loop {
            let Some(&c) = self.s.get(self.i) else {
                return Err(self.eof());
            };
            self.i += 1;
            match c {
                b'"' => return Ok(String::from_utf8_lossy(&out).into_owned()),
                b'\\' => {
                    let Some(&e) = self.s.get(self.i) else {
                        return Err(self.eof());
                    };
                    self.i += 1;
                    match e {
                        b'n' => out.push(b'\n'),
                        b't' => out.push(b'\t'),
                        b'r' => out.push(b'\r'),
                        b'b' => out.push(8),
                        b'f' => out.push(12),
                        b'u' => {
                            let hex = self.s.get(self.i..self.i + 4).ok_or_else(|| self.eof())?;
                            self.i += 4;
                            let code =
                                u32::from_str_radix(std::str::from_utf8(hex).unwrap_or("x"), 16)
                                    .map_err(|_| {
                                        "invalid character in \\u hexadecimal character escape"
                                            .to_owned()
                                    })?;
                            let c = char::from_u32(code).unwrap_or('\u{fffd}');
                            out.extend_from_slice(c.to_string().as_bytes());
                        }
                        other => out.push(other),
                    }
                }
                c => out.push(c),
            }
        }
    }
}
