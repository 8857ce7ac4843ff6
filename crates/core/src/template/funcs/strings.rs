//! sprig's string functions: trimming, case, quoting, indentation, splitting, regular
//! expressions, word wrapping and random strings.

use std::collections::BTreeMap;

use regex::Regex;

use super::Param::{Any, Int, Str};
use super::conv::{strslice, strval};
use super::{Ctx, FResult, Registry, i, s};
use crate::template::format::go_quote;
use crate::template::value::{ElemType, GoBytes, MapRef, Value};

fn string(v: impl Into<String>) -> FResult {
    Ok(Value::String(v.into()))
}

pub(super) fn register(r: &mut Registry) {
    r.add("trim", &[Str], None, |_, a| string(s(&a[0]).trim()));
    for name in ["trimAll", "trimall"] {
        r.add(name, &[Str, Str], None, |_, a| {
            let cut: Vec<char> = s(&a[0]).chars().collect();
            string(s(&a[1]).trim_matches(cut.as_slice()))
        });
    }
    r.add("hello", &[], None, |_, _| string("Hello!"));
    r.add("trimPrefix", &[Str, Str], None, |_, a| {
        string(s(&a[1]).strip_prefix(s(&a[0])).unwrap_or(s(&a[1])))
    });
    r.add("trimSuffix", &[Str, Str], None, |_, a| {
        string(s(&a[1]).strip_suffix(s(&a[0])).unwrap_or(s(&a[1])))
    });
    r.add("upper", &[Str], None, |_, a| {
        string(map_case(s(&a[0]), true))
    });
    r.add("lower", &[Str], None, |_, a| {
        string(map_case(s(&a[0]), false))
    });
    r.add("title", &[Str], None, |_, a| string(title(s(&a[0]))));
    r.add("untitle", &[Str], None, |_, a| string(untitle(s(&a[0]))));
    r.add("replace", &[Str, Str, Str], None, |_, a| {
        string(s(&a[2]).replace(s(&a[0]), s(&a[1])))
    });
    r.add("contains", &[Str, Str], None, |_, a| {
        Ok(Value::Bool(s(&a[1]).contains(s(&a[0]))))
    });
    r.add("hasPrefix", &[Str, Str], None, |_, a| {
        Ok(Value::Bool(s(&a[1]).starts_with(s(&a[0]))))
    });
    r.add("hasSuffix", &[Str, Str], None, |_, a| {
        Ok(Value::Bool(s(&a[1]).ends_with(s(&a[0]))))
    });
    r.add("quote", &[], Some(Any), |_, a| {
        let q: Vec<String> = a
            .iter()
            .filter(|v| !v.is_nil())
            .map(|v| go_quote(&strval(v)))
            .collect();
        string(q.join(" "))
    });
    r.add("squote", &[], Some(Any), |_, a| {
        let q: Vec<String> = a
            .iter()
            .filter(|v| !v.is_nil())
            .map(|v| format!("'{}'", strval(v)))
            .collect();
        string(q.join(" "))
    });
    r.add("cat", &[], Some(Any), |_, a| {
        let parts: Vec<String> = a.iter().filter(|v| !v.is_nil()).map(strval).collect();
        string(parts.join(" "))
    });
    r.add("indent", &[Int, Str], None, |_, a| {
        indent(i(&a[0]), s(&a[1])).map(Value::String)
    });
    r.add("nindent", &[Int, Str], None, |_, a| {
        indent(i(&a[0]), s(&a[1])).map(|t| Value::String(format!("\n{t}")))
    });
    r.add("trunc", &[Int, Str], None, |_, a| {
        let (c, t) = (i(&a[0]), s(&a[1]));
        let n = t.len() as i64;
        let cut = if c < 0 && n + c > 0 {
            (n + c) as usize..t.len()
        } else if c >= 0 && n > c {
            0..c as usize
        } else {
            0..t.len()
        };
        Ok(byte_slice(t, cut))
    });
    r.add("abbrev", &[Int, Str], None, |_, a| {
        let w = i(&a[0]);
        if w < 4 {
            return string(s(&a[1]));
        }
        string(abbreviate(s(&a[1]), 0, w as usize))
    });
    r.add("abbrevboth", &[Int, Int, Str], None, |_, a| {
        let (l, w) = (i(&a[0]), i(&a[1]));
        if w < 4 || (l > 0 && w < 7) {
            return string(s(&a[2]));
        }
        string(abbreviate(s(&a[2]), l.max(0) as usize, w as usize))
    });
    r.add("repeat", &[Int, Str], None, |_, a| {
        let n = i(&a[0]);
        if n < 0 {
            return Err("strings: negative Repeat count".into());
        }
        string(s(&a[1]).repeat(n as usize))
    });
    r.add("substr", &[Int, Int, Str], None, |_, a| {
        substr(i(&a[0]), i(&a[1]), s(&a[2]))
    });
    r.add("splitList", &[Str, Str], None, |_, a| {
        Ok(Value::string_list(split(s(&a[1]), s(&a[0]), -1)))
    });
    r.add("split", &[Str, Str], None, |_, a| {
        Ok(parts_map(split(s(&a[1]), s(&a[0]), -1)))
    });
    r.add("splitn", &[Str, Int, Str], None, |_, a| {
        Ok(parts_map(split(s(&a[2]), s(&a[0]), i(&a[1]))))
    });
    r.add("join", &[Str, Any], None, |_, a| {
        string(strslice(&a[1]).join(s(&a[0])))
    });
    r.add("plural", &[Str, Str, Int], None, |_, a| {
        string(if i(&a[2]) == 1 { s(&a[0]) } else { s(&a[1]) })
    });
    r.add("nospace", &[Str], None, |_, a| {
        string(
            s(&a[0])
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect::<String>(),
        )
    });
    r.add("initials", &[Str], None, |_, a| {
        string(
            s(&a[0])
                .split_whitespace()
                .filter_map(|w| w.chars().next())
                .collect::<String>(),
        )
    });
    r.add("swapcase", &[Str], None, |_, a| {
        string(
            s(&a[0])
                .chars()
                .flat_map(|c| -> Vec<char> {
                    if c.is_uppercase() {
                        c.to_lowercase().collect()
                    } else {
                        c.to_uppercase().collect()
                    }
                })
                .collect::<String>(),
        )
    });
    r.add("snakecase", &[Str], None, |_, a| {
        string(delimited(s(&a[0]), '_'))
    });
    r.add("kebabcase", &[Str], None, |_, a| {
        string(delimited(s(&a[0]), '-'))
    });
    r.add("camelcase", &[Str], None, |_, a| string(camel(s(&a[0]))));
    r.add("wrap", &[Int, Str], None, |_, a| {
        string(wrap(s(&a[1]), i(&a[0]), "\n"))
    });
    r.add("wrapWith", &[Int, Str, Str], None, |_, a| {
        string(wrap(s(&a[2]), i(&a[0]), s(&a[1])))
    });
    r.add("regexMatch", &[Str, Str], None, |ctx, a| {
        Ok(Value::Bool(
            re(ctx, &a[0]).is_ok_and(|re| re.is_match(s(&a[1]))),
        ))
    });
    r.add("mustRegexMatch", &[Str, Str], None, |ctx, a| {
        Ok(Value::Bool(re(ctx, &a[0])?.is_match(s(&a[1]))))
    });
    for (name, must) in [("regexFind", false), ("mustRegexFind", true)] {
        let f: super::Imp = if must {
            |ctx, a| string(re(ctx, &a[0])?.find(s(&a[1])).map_or("", |m| m.as_str()))
        } else {
            |ctx, a| {
                string(
                    re(ctx, &a[0])
                        .ok()
                        .and_then(|r| r.find(s(&a[1])).map(|m| m.as_str().to_owned()))
                        .unwrap_or_default(),
                )
            }
        };
        r.add(name, &[Str, Str], None, f);
    }
    let find_all: super::Imp = |ctx, a| {
        let n = i(&a[2]);
        let found: Vec<String> = re(ctx, &a[0])?
            .find_iter(s(&a[1]))
            .take(if n < 0 { usize::MAX } else { n as usize })
            .map(|m| m.as_str().to_owned())
            .collect();
        Ok(Value::string_list(found))
    };
    r.add("regexFindAll", &[Str, Str, Int], None, find_all);
    r.add("mustRegexFindAll", &[Str, Str, Int], None, find_all);
    let replace_all: super::Imp =
        |ctx, a| string(re(ctx, &a[0])?.replace_all(s(&a[1]), s(&a[2])).into_owned());
    r.add("regexReplaceAll", &[Str, Str, Str], None, replace_all);
    r.add("mustRegexReplaceAll", &[Str, Str, Str], None, replace_all);
    let replace_lit: super::Imp = |ctx, a| {
        string(
            re(ctx, &a[0])?
                .replace_all(s(&a[1]), regex::NoExpand(s(&a[2])))
                .into_owned(),
        )
    };
    r.add(
        "regexReplaceAllLiteral",
        &[Str, Str, Str],
        None,
        replace_lit,
    );
    r.add(
        "mustRegexReplaceAllLiteral",
        &[Str, Str, Str],
        None,
        replace_lit,
    );
    let split_re: super::Imp = |ctx, a| {
        Ok(Value::string_list(regex_split(
            &re(ctx, &a[0])?,
            s(&a[1]),
            i(&a[2]),
        )))
    };
    r.add("regexSplit", &[Str, Str, Int], None, split_re);
    r.add("mustRegexSplit", &[Str, Str, Int], None, split_re);
    r.add("regexQuoteMeta", &[Str], None, |_, a| {
        string(regex::escape(s(&a[0])))
    });
}

/// Go's `strings.ToUpper`/`ToLower`: one character for one (`ß` stays, `İ` lowers to `i`).
fn map_case(t: &str, upper: bool) -> String {
    t.chars()
        .map(|c| {
            let mut m: Vec<char> = if upper {
                c.to_uppercase().collect()
            } else {
                c.to_lowercase().collect()
            };
            match m.len() {
                1 => m.remove(0),
                _ if !upper => m.first().copied().unwrap_or(c),
                _ => c,
            }
        })
        .collect()
}

/// A Go (RE2) pattern in the syntax of the `regex` crate: the same language, except that Go
/// reads a `-` right after a class escape in brackets (`[\w-.]`) as a literal, where `regex`
/// sees a range.
fn rust_syntax(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len());
    let mut chars = pattern.chars().peekable();
    let mut in_class = false;
    let mut after_class_escape = false;
    while let Some(c) = chars.next() {
        if in_class && after_class_escape && c == '-' && chars.peek() != Some(&']') {
            out.push_str("\\-");
            after_class_escape = false;
            continue;
        }
        after_class_escape = false;
        match c {
            '\\' => {
                out.push(c);
                if let Some(e) = chars.next() {
                    out.push(e);
                    after_class_escape = in_class && "dDwWsS".contains(e);
                }
            }
            '[' if !in_class => {
                in_class = true;
                out.push(c);
                // A `]` first in a class is a literal.
                if chars.peek() == Some(&'^') {
                    out.push('^');
                    chars.next();
                }
                if chars.peek() == Some(&']') {
                    out.push_str("\\]");
                    chars.next();
                }
            }
            ']' if in_class => {
                in_class = false;
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// Compiles a Go (RE2) regular expression (once per render), with Go's error prefix.
fn re(ctx: &Ctx<'_>, v: &Value) -> Result<Regex, String> {
    ctx.opts.regexes.get_or_compile(s(v), compile)
}

fn compile(pattern: &str) -> Result<Regex, String> {
    Regex::new(&rust_syntax(pattern)).map_err(|e| {
        let detail = match &e {
            regex::Error::Syntax(m) => m
                .lines()
                .last()
                .unwrap_or_default()
                .trim_start_matches("error: ")
                .to_owned(),
            other => other.to_string(),
        };
        match detail.as_str() {
            "unclosed character class" => {
                let from = pattern.rfind('[').unwrap_or(0);
                format!(
                    "error parsing regexp: missing closing ]: `{}`",
                    &pattern[from..]
                )
            }
            "unclosed group" => format!("error parsing regexp: missing closing ): `{pattern}`"),
            "unopened group" => format!("error parsing regexp: unexpected ): `{pattern}`"),
            _ => format!("error parsing regexp: {detail}: `{pattern}`"),
        }
    })
}

/// The largest char boundary at or below `i`.
fn floor_char(t: &str, mut i: usize) -> usize {
    while i > 0 && !t.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn indent(n: i64, t: &str) -> Result<String, String> {
    if n < 0 {
        return Err("strings: negative Repeat count".into());
    }
    let pad = " ".repeat(n as usize);
    Ok(format!("{pad}{}", t.replace('\n', &format!("\n{pad}"))))
}

/// Go's `s[a:b]`, which may cut a character: the bytes as a Go string (an object keeping them
/// when they are not UTF-8, so `b64enc` sees what Go's would).
fn byte_slice(t: &str, range: std::ops::Range<usize>) -> Value {
    match t.get(range.clone()) {
        Some(text) => Value::str(text),
        None => GoBytes::string(std::sync::Arc::from(&t.as_bytes()[range])),
    }
}

fn substr(start: i64, end: i64, t: &str) -> FResult {
    let n = t.len() as i64;
    let (a, b) = if start < 0 {
        (0, end)
    } else if end < 0 || end > n {
        (start, n)
    } else {
        (start, end)
    };
    if b > n && start < 0 {
        return Err(format!(
            "runtime error: slice bounds out of range [:{b}] with length {n}"
        ));
    }
    if a > n {
        return Err(format!(
            "runtime error: slice bounds out of range [{a}:{n}]"
        ));
    }
    if a > b {
        return Err(format!(
            "runtime error: slice bounds out of range [{a}:{b}]"
        ));
    }
    Ok(byte_slice(t, a as usize..b as usize))
}

/// Go's `strings.SplitN` (`n < 0`: all parts; an empty separator splits into characters).
fn split(t: &str, sep: &str, n: i64) -> Vec<String> {
    if n == 0 {
        return Vec::new();
    }
    if sep.is_empty() {
        let chars: Vec<String> = t.chars().map(String::from).collect();
        if n > 0 && chars.len() > n as usize {
            let head: Vec<String> = chars[..n as usize - 1].to_vec();
            let tail: String = chars[n as usize - 1..].concat();
            return head.into_iter().chain(std::iter::once(tail)).collect();
        }
        return chars;
    }
    if n < 0 {
        t.split(sep).map(str::to_owned).collect()
    } else {
        t.splitn(n as usize, sep).map(str::to_owned).collect()
    }
}

fn parts_map(parts: Vec<String>) -> Value {
    let m: BTreeMap<String, Value> = parts
        .into_iter()
        .enumerate()
        .map(|(i, p)| (format!("_{i}"), Value::String(p)))
        .collect();
    Value::Map(MapRef::typed(m, ElemType::String))
}

/// Go's `Regexp.Split`.
fn regex_split(re: &Regex, t: &str, n: i64) -> Vec<String> {
    if n == 0 {
        return Vec::new();
    }
    if re.as_str().is_empty() && !t.is_empty() {
        return split(t, "", n);
    }
    let mut out = Vec::new();
    let mut beg = 0;
    for m in re.find_iter(t) {
        if n > 0 && out.len() as i64 == n - 1 {
            break;
        }
        if m.end() == 0 {
            continue;
        }
        out.push(t[beg..m.start()].to_owned());
        beg = m.end();
    }
    out.push(t[beg..].to_owned());
    out
}

/// Go's deprecated `strings.Title`: upper-cases letters that follow a separator.
fn title(t: &str) -> String {
    let mut prev_sep = true;
    t.chars()
        .flat_map(|c| {
            let out: Vec<char> = if prev_sep {
                c.to_uppercase().collect()
            } else {
                vec![c]
            };
            prev_sep = !(c.is_alphanumeric() || c == '_');
            out
        })
        .collect()
}

/// goutils' `Uncapitalize` of each space-separated word.
fn untitle(t: &str) -> String {
    let mut prev_space = true;
    t.chars()
        .flat_map(|c| {
            let out: Vec<char> = if prev_space {
                c.to_lowercase().collect()
            } else {
                vec![c]
            };
            prev_space = c.is_whitespace();
            out
        })
        .collect()
}

/// xstrings' `ToSnakeCase`/`ToKebabCase`: words split at case changes and separators.
fn delimited(t: &str, delim: char) -> String {
    let chars: Vec<char> = t.chars().collect();
    let mut out = String::new();
    for (idx, &c) in chars.iter().enumerate() {
        if c == '_' || c == '-' || c.is_whitespace() {
            if !out.is_empty() && !out.ends_with(delim) {
                out.push(delim);
            }
            continue;
        }
        if c.is_uppercase() && idx > 0 {
            let prev = chars[idx - 1];
            let next_lower = chars.get(idx + 1).is_some_and(|n| n.is_lowercase());
            if (prev.is_lowercase() || prev.is_ascii_digit() || (prev.is_uppercase() && next_lower))
                && !out.ends_with(delim)
                && !out.is_empty()
            {
                out.push(delim);
            }
        }
        out.extend(c.to_lowercase());
    }
    out
}

/// xstrings' `ToCamelCase`: `_`/`-`/space separated words, each capitalised.
fn camel(t: &str) -> String {
    let mut out = String::new();
    let mut upper_next = true;
    let mut leading = true;
    for c in t.chars() {
        if c == '_' || c == '-' || c == ' ' {
            if leading && c == '_' {
                out.push(c);
                continue;
            }
            upper_next = true;
            continue;
        }
        leading = false;
        if upper_next {
            out.extend(c.to_uppercase());
            upper_next = false;
        } else {
            out.extend(c.to_lowercase());
        }
    }
    out
}

/// goutils' `WrapCustom` with long words kept whole.
fn wrap(t: &str, width: i64, newline: &str) -> String {
    let width = width.max(1) as usize;
    let mut lines: Vec<String> = Vec::new();
    for paragraph in t.split('\n') {
        let mut line = String::new();
        for word in paragraph.split(' ').filter(|w| !w.is_empty()) {
            if !line.is_empty() && line.len() + 1 + word.len() > width {
                lines.push(std::mem::take(&mut line));
            }
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        }
        lines.push(line);
    }
    lines.join(newline)
}

/// goutils' `AbbreviateFull`.
fn abbreviate(t: &str, offset: usize, max: usize) -> String {
    if t.len() <= max {
        return t.to_owned();
    }
    let mut offset = offset.min(t.len());
    if t.len() - offset < max - 3 {
        offset = t.len() - (max - 3);
    }
    if offset <= 4 {
        return format!("{}...", &t[..floor_char(t, max - 3)]);
    }
    if offset + max - 3 < t.len() {
        return format!("...{}", abbreviate(&t[floor_char(t, offset)..], 0, max - 3));
    }
    format!("...{}", &t[floor_char(t, t.len() - (max - 3))..])
}
