//! Go's `fmt` printing of template values: `%v` (`map[a:1]`, `[1 2]`, `1e+06`), `print`,
//! `println` and `printf` with Go's verbs, flags and error notations (`%!d(string=x)`).

use super::value::Value;

/// `fmt.Sprint` of one value (`%v`).
pub fn sprint_value(v: &Value) -> String {
    let mut out = String::new();
    write_v(&mut out, v);
    out
}

/// `fmt.Sprint(args...)`: spaces between operands when neither side is a string.
pub fn sprint(args: &[Value]) -> String {
    let mut out = String::new();
    for (i, a) in args.iter().enumerate() {
        if i > 0 && !matches!(a, Value::String(_)) && !matches!(args[i - 1], Value::String(_)) {
            out.push(' ');
        }
        write_v(&mut out, a);
    }
    out
}

/// `fmt.Sprintln(args...)`: always spaces, then a newline.
pub fn sprintln(args: &[Value]) -> String {
    let parts: Vec<String> = args.iter().map(sprint_value).collect();
    format!("{}\n", parts.join(" "))
}

fn write_v(out: &mut String, v: &Value) {
    match v {
        Value::Nil => out.push_str("<nil>"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(i) | Value::Int64(i) => out.push_str(&i.to_string()),
        Value::Uint(u) => out.push_str(&u.to_string()),
        Value::Float(f) => out.push_str(&format_float_g(*f, None)),
        Value::String(s) => out.push_str(s),
        Value::List(items, _) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                write_v(out, item);
            }
            out.push(']');
        }
        Value::Map(m) => {
            out.push_str("map[");
            for (i, (k, val)) in m.entries().iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                out.push_str(k);
                out.push(':');
                write_v(out, val);
            }
            out.push(']');
        }
        Value::Object(o) => out.push_str(&o.go_string()),
    }
}

/// The shortest decimal digits and exponent of `f` (`1.5` → `("15", 0)`), as strconv finds them.
fn shortest_digits(f: f64) -> (String, i32) {
    let s = format!("{:e}", f.abs());
    let (mant, exp) = s.split_once('e').unwrap_or((&s, "0"));
    let digits: String = mant.chars().filter(|c| c.is_ascii_digit()).collect();
    (digits, exp.parse().unwrap_or(0))
}

/// Go's `%g` / `%v` formatting of a float: shortest digits (or `prec` significant digits), in
/// exponent form when the exponent is below -4 or at least the precision (6 for the shortest).
pub fn format_float_g(f: f64, prec: Option<usize>) -> String {
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f > 0.0 {
            "+Inf".into()
        } else {
            "-Inf".into()
        };
    }
    let neg = f.is_sign_negative() && f != 0.0 || (f == 0.0 && f.is_sign_negative());
    let (digits, exp) = match prec {
        None => shortest_digits(f),
        Some(p) => {
            let p = p.max(1);
            let s = format!("{:.*e}", p - 1, f.abs());
            let (mant, exp) = s.split_once('e').unwrap_or((&s, "0"));
            let mut d: String = mant.chars().filter(|c| c.is_ascii_digit()).collect();
            while d.len() > 1 && d.ends_with('0') {
                d.pop();
            }
            (d, exp.parse().unwrap_or(0))
        }
    };
    let eprec = match prec {
        None => 6,
        Some(p) => {
            let p = p.max(1) as i32;
            if p > digits.len() as i32 && digits.len() as i32 > exp {
                digits.len() as i32
            } else {
                p
            }
        }
    };
    let mut out = String::new();
    if neg {
        out.push('-');
    }
    if f == 0.0 {
        out.push('0');
        return out;
    }
    if exp < -4 || exp >= eprec {
        out.push_str(&digits[..1]);
        if digits.len() > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        out.push_str(&exp_suffix(exp));
    } else if exp < 0 {
        out.push_str("0.");
        for _ in 0..(-exp - 1) {
            out.push('0');
        }
        out.push_str(&digits);
    } else {
        let int_len = (exp + 1) as usize;
        if digits.len() <= int_len {
            out.push_str(&digits);
            for _ in digits.len()..int_len {
                out.push('0');
            }
        } else {
            out.push_str(&digits[..int_len]);
            out.push('.');
            out.push_str(&digits[int_len..]);
        }
    }
    out
}

/// Go's `%x` of a float: `0x1.8p+00`.
fn format_float_hex(f: f64) -> String {
    if f == 0.0 {
        return if f.is_sign_negative() {
            "-0x0p+00".into()
        } else {
            "0x0p+00".into()
        };
    }
    if !f.is_finite() {
        return format_float_g(f, None);
    }
    let bits = f.to_bits();
    let sign = if f < 0.0 { "-" } else { "" };
    let raw_exp = ((bits >> 52) & 0x7ff) as i32;
    let mant = bits & ((1u64 << 52) - 1);
    let exp = if raw_exp == 0 { -1022 } else { raw_exp - 1023 };
    let lead = if raw_exp == 0 { 0 } else { 1 };
    let digits = format!("{mant:013x}");
    let digits = digits.trim_end_matches('0');
    let frac = if digits.is_empty() {
        String::new()
    } else {
        format!(".{digits}")
    };
    let esign = if exp < 0 { '-' } else { '+' };
    format!("{sign}0x{lead}{frac}p{esign}{:02}", exp.abs())
}

fn exp_suffix(exp: i32) -> String {
    let sign = if exp < 0 { '-' } else { '+' };
    format!("e{sign}{:02}", exp.abs())
}

/// Go's `%e` with `prec` digits after the point.
fn format_float_e(f: f64, prec: usize) -> String {
    let s = format!("{:.*e}", prec, f);
    let (mant, exp) = s.split_once('e').unwrap_or((&s, "0"));
    format!("{mant}{}", exp_suffix(exp.parse().unwrap_or(0)))
}

/// Go's `strconv.Quote`: double-quoted, with Go escapes for control and invalid characters.
pub fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\u{b}' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c if !is_go_printable(c) => {
                if (c as u32) < 0x10000 {
                    out.push_str(&format!("\\u{:04x}", c as u32));
                } else {
                    out.push_str(&format!("\\U{:08x}", c as u32));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Go's `unicode.IsPrint` for the characters templates meet.
pub(crate) fn is_go_printable(c: char) -> bool {
    !c.is_control() && !matches!(c as u32, 0x80..=0x9f | 0xad | 0x2028 | 0x2029 | 0xfeff)
}

#[derive(Default, Clone, Copy)]
struct Flags {
    minus: bool,
    plus: bool,
    sharp: bool,
    space: bool,
    zero: bool,
    width: Option<usize>,
    prec: Option<usize>,
}

/// `fmt.Sprintf(format, args...)`.
pub fn sprintf(format: &str, args: &[Value]) -> String {
    let mut out = String::new();
    let mut chars = format.chars().peekable();
    let mut argi = 0;
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let mut fl = Flags::default();
        while let Some(&f) = chars.peek() {
            match f {
                '-' => fl.minus = true,
                '+' => fl.plus = true,
                '#' => fl.sharp = true,
                ' ' => fl.space = true,
                '0' => fl.zero = true,
                _ => break,
            }
            chars.next();
        }
        fl.width = read_num(&mut chars, args, &mut argi);
        if chars.peek() == Some(&'.') {
            chars.next();
            fl.prec = Some(read_num(&mut chars, args, &mut argi).unwrap_or(0));
        }
        let Some(verb) = chars.next() else {
            out.push_str("%!(NOVERB)");
            break;
        };
        if verb == '%' {
            out.push('%');
            continue;
        }
        let Some(arg) = args.get(argi) else {
            out.push_str(&format!("%!{verb}(MISSING)"));
            continue;
        };
        argi += 1;
        let body = format_arg(verb, arg, fl);
        out.push_str(&pad(body, fl, arg));
    }
    if argi < args.len() {
        out.push_str("%!(EXTRA ");
        let extra: Vec<String> = args[argi..]
            .iter()
            .map(|a| format!("{}={}", a.type_name(), sprint_value(a)))
            .collect();
        out.push_str(&extra.join(", "));
        out.push(')');
    }
    out
}

fn read_num(
    chars: &mut std::iter::Peekable<std::str::Chars<'_>>,
    args: &[Value],
    argi: &mut usize,
) -> Option<usize> {
    if chars.peek() == Some(&'*') {
        chars.next();
        let n = args.get(*argi).and_then(Value::as_int);
        *argi += 1;
        return n.map(|n| n.max(0) as usize);
    }
    let mut n: Option<usize> = None;
    while let Some(d) = chars.peek().and_then(|c| c.to_digit(10)) {
        n = Some(n.unwrap_or(0) * 10 + d as usize);
        chars.next();
    }
    n
}

fn pad(body: String, fl: Flags, arg: &Value) -> String {
    let Some(w) = fl.width else { return body };
    let len = body.chars().count();
    if len >= w {
        return body;
    }
    let fill = w - len;
    if fl.minus {
        format!("{body}{}", " ".repeat(fill))
    } else if fl.zero && matches!(arg, Value::Int(_) | Value::Int64(_) | Value::Float(_)) {
        let (sign, digits) = match body.strip_prefix(['-', '+']) {
            Some(rest) => (&body[..1], rest),
            None => ("", body.as_str()),
        };
        format!("{sign}{}{digits}", "0".repeat(fill))
    } else if fl.zero && matches!(arg, Value::String(_)) {
        format!("{}{body}", "0".repeat(fill))
    } else {
        format!("{}{body}", " ".repeat(fill))
    }
}

fn bad_verb(verb: char, arg: &Value) -> String {
    match arg {
        Value::Nil => format!("%!{verb}(<nil>)"),
        _ => format!("%!{verb}({}={})", arg.type_name(), sprint_value(arg)),
    }
}

fn sign_prefix(neg: bool, fl: Flags) -> &'static str {
    if neg {
        "-"
    } else if fl.plus {
        "+"
    } else if fl.space {
        " "
    } else {
        ""
    }
}

fn format_arg(verb: char, arg: &Value, fl: Flags) -> String {
    if verb == 'T' {
        return arg.type_name();
    }
    if verb == 'v' && fl.sharp {
        return go_syntax(arg, true);
    }
    match arg {
        Value::List(items, _) => {
            let parts: Vec<String> = items
                .iter()
                .map(|i| format_arg(verb, i, Flags { width: None, ..fl }))
                .collect();
            return format!("[{}]", parts.join(" "));
        }
        Value::Map(m) => {
            let parts: Vec<String> = m
                .entries()
                .iter()
                .map(|(k, v)| {
                    let f = Flags { width: None, ..fl };
                    format!(
                        "{}:{}",
                        format_arg(verb, &Value::String(k.clone()), f),
                        format_arg(verb, v, f)
                    )
                })
                .collect();
            return format!("map[{}]", parts.join(" "));
        }
        _ => {}
    }
    match (verb, arg) {
        ('v', Value::Nil) => "<nil>".into(),
        ('v', Value::Float(f)) => {
            let s = format_float_g(*f, fl.prec);
            with_sign(s, fl)
        }
        ('v' | 'd', Value::Uint(u)) => u.to_string(),
        ('v' | 'd', Value::Int(i) | Value::Int64(i)) => {
            let digits = i.unsigned_abs().to_string();
            let digits = match fl.prec {
                Some(p) if digits.len() < p => format!("{}{digits}", "0".repeat(p - digits.len())),
                _ => digits,
            };
            format!("{}{digits}", sign_prefix(*i < 0, fl))
        }
        ('v' | 's', Value::Object(o)) if o.message().is_some() => {
            let text = o.message().unwrap_or_default();
            match fl.prec {
                Some(p) => text.chars().take(p).collect(),
                None => text,
            }
        }
        ('v', Value::Object(o)) => match o.as_any().downcast_ref::<super::value::Struct>() {
            Some(st) if fl.plus => {
                let f = Flags { width: None, ..fl };
                let parts: Vec<String> = st
                    .fields
                    .iter()
                    .map(|(n, v)| format!("{n}:{}", format_arg('v', v, f)))
                    .collect();
                format!("{{{}}}", parts.join(" "))
            }
            _ => o.go_string(),
        },
        ('v' | 's', Value::String(s)) => match fl.prec {
            Some(p) => s.chars().take(p).collect(),
            None => s.clone(),
        },
        ('v' | 't', Value::Bool(b)) => b.to_string(),
        ('q', Value::String(s)) => {
            if fl.sharp && !s.contains('`') {
                format!("`{s}`")
            } else {
                go_quote(s)
            }
        }
        // A Go string that is not UTF-8: each byte that does not start a character is `\xNN`.
        ('q', Value::Object(o)) if o.kind_name() == "string" && o.bytes().is_some() => {
            let mut out = String::from("\"");
            for chunk in o.bytes().unwrap_or_default().utf8_chunks() {
                let q = go_quote(chunk.valid());
                out.push_str(&q[1..q.len() - 1]);
                for b in chunk.invalid() {
                    out.push_str(&format!("\\x{b:02x}"));
                }
            }
            out.push('"');
            out
        }
        ('q', Value::Int(i) | Value::Int64(i)) => match char::from_u32(*i as u32) {
            Some(c) => {
                let q = go_quote(&c.to_string());
                let inner = &q[1..q.len() - 1];
                let inner = if inner == "\\\"" { "\"" } else { inner };
                let inner = if c == '\'' { "\\'" } else { inner };
                format!("'{inner}'")
            }
            None => bad_verb(verb, arg),
        },
        ('U', Value::Int(i) | Value::Int64(i)) => format!("U+{:04X}", i),
        ('c', Value::Int(i) | Value::Int64(i)) => char::from_u32(*i as u32)
            .map(|c| c.to_string())
            .unwrap_or_else(|| "\u{fffd}".into()),
        ('x' | 'X', Value::Float(f)) => {
            let hex = format_float_hex(*f);
            if verb == 'X' { hex.to_uppercase() } else { hex }
        }
        ('x' | 'X', Value::String(s)) => {
            let hex: String = s.bytes().map(|b| format!("{b:02x}")).collect();
            if verb == 'X' { hex.to_uppercase() } else { hex }
        }
        ('x' | 'X' | 'o' | 'b' | 'O', Value::Int(i) | Value::Int64(i)) => {
            let n = i.unsigned_abs();
            let body = match verb {
                'x' => format!("{n:x}"),
                'X' => format!("{n:X}"),
                'o' => format!("{n:o}"),
                'O' => format!("0o{n:o}"),
                _ => format!("{n:b}"),
            };
            let prefix = match (fl.sharp, verb) {
                (true, 'x') => "0x",
                (true, 'X') => "0X",
                (true, 'o') => "0",
                _ => "",
            };
            format!("{}{prefix}{body}", sign_prefix(*i < 0, fl))
        }
        ('e' | 'E' | 'f' | 'F' | 'g' | 'G', Value::Float(_) | Value::Int(_) | Value::Int64(_)) => {
            let Value::Float(f) = arg else {
                return bad_verb(verb, arg);
            };
            let s = match verb {
                'e' => format_float_e(*f, fl.prec.unwrap_or(6)),
                'E' => format_float_e(*f, fl.prec.unwrap_or(6)).to_uppercase(),
                'f' | 'F' => format!("{:.*}", fl.prec.unwrap_or(6), f),
                'g' => format_float_g(*f, fl.prec),
                _ => format_float_g(*f, fl.prec).to_uppercase(),
            };
            with_sign(s, fl)
        }
        _ => bad_verb(verb, arg),
    }
}

fn with_sign(s: String, fl: Flags) -> String {
    if s.starts_with('-') {
        s
    } else if fl.plus {
        format!("+{s}")
    } else if fl.space {
        format!(" {s}")
    } else {
        s
    }
}

/// `%#v`: Go syntax, with the type spelled out where Go spells it.
fn go_syntax(v: &Value, top: bool) -> String {
    match v {
        Value::Nil if top => "<nil>".into(),
        Value::Nil => "interface {}(nil)".into(),
        Value::String(s) => go_quote(s),
        Value::List(items, _) => {
            let parts: Vec<String> = items.iter().map(|i| go_syntax(i, false)).collect();
            format!("{}{{{}}}", v.type_name(), parts.join(", "))
        }
        Value::Map(m) => {
            let parts: Vec<String> = m
                .entries()
                .iter()
                .map(|(k, x)| format!("{}:{}", go_quote(k), go_syntax(x, false)))
                .collect();
            format!("{}{{{}}}", v.type_name(), parts.join(", "))
        }
        other => sprint_value(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_print_as_go() {
        let cases = [
            (3.0, "3"),
            (0.25, "0.25"),
            (1e6, "1e+06"),
            (123456.0, "123456"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (-0.5, "-0.5"),
            (19.99, "19.99"),
        ];
        for (f, want) in cases {
            assert_eq!(format_float_g(f, None), want);
        }
    }

    #[test]
    fn printf_reports_bad_verbs_and_missing_args() {
        assert_eq!(
            sprintf("%d %s %v", &[Value::str("x"), Value::Int(1)]),
            "%!d(string=x) %!s(int=1) %!v(MISSING)"
        );
        assert_eq!(
            sprintf("%05.1f|%-4s|", &[Value::Float(2.5), Value::str("a")]),
            "002.5|a   |"
        );
    }
}
