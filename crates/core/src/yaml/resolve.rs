//! What go-yaml makes of a plain (unquoted) scalar: the one rule both reading and writing
//! follow, so that a string written plain always reads back as that string.

use crate::strconv::{parse_int_base0, parse_uint_base0, underscores_ok};

/// The value a plain scalar resolves to.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Plain {
    /// `~`, `null`, the empty scalar.
    Null,
    /// `true`, `yes`, `on`, `y`...
    Bool(bool),
    /// An integer that fits Go's `int`.
    Int(i64),
    /// An integer beyond `int64`, up to `uint64`.
    Uint(u64),
    /// A float, `.inf` and `.nan` included.
    Float(f64),
    /// A timestamp (`2001-12-14`, `2001-12-14T21:59:43Z`): a string once decoded into
    /// `interface{}`, but never written plain.
    Timestamp,
    /// A string.
    Str,
}

/// go-yaml v2's `resolve("", text)` (YAML 1.1 scalars). go-yaml v3, which Helmfile 1.x reads
/// state and values files with, reads numbers the same way; it differs on `yes`/`on`/`y`
/// (strings) and timestamps (times).
pub(crate) fn resolve(text: &str) -> Plain {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Plain::Null,
        "true" | "True" | "TRUE" => return Plain::Bool(true),
        "false" | "False" | "FALSE" => return Plain::Bool(false),
        "y" | "Y" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" => return Plain::Bool(true),
        "n" | "N" | "no" | "No" | "NO" | "off" | "Off" | "OFF" => return Plain::Bool(false),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return Plain::Float(f64::INFINITY);
        }
        "-.inf" | "-.Inf" | "-.INF" => return Plain::Float(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return Plain::Float(f64::NAN),
        _ => {}
    }
    match text.as_bytes()[0] {
        b'.' => parse_float(text).map_or(Plain::Str, Plain::Float),
        b'0'..=b'9' | b'+' | b'-' => {
            if is_timestamp(text) {
                return Plain::Timestamp;
            }
            let plain = text.replace('_', "");
            if let Some(i) = parse_int_base0(&plain) {
                return Plain::Int(i);
            }
            if let Some(u) = parse_uint_base0(&plain) {
                return Plain::Uint(u);
            }
            if is_yaml_float(&plain)
                && let Some(f) = parse_float(&plain)
            {
                return Plain::Float(f);
            }
            Plain::Str
        }
        _ => Plain::Str,
    }
}

/// Whether go-yaml's writer quotes `text`: it would read back as something else, or it is a
/// YAML 1.1 base 60 number (`1:30`), which go-yaml quotes for other readers' sake.
pub(crate) fn needs_quotes(text: &str) -> bool {
    resolve(text) != Plain::Str || is_base60_float(text)
}

/// `strconv.ParseFloat(s, 64)` for the decimal forms go-yaml hands it: underscores between
/// digits are allowed, out of range is an error.
fn parse_float(s: &str) -> Option<f64> {
    let body = s.strip_prefix(['-', '+']).unwrap_or(s);
    // Only decimal forms get here; Rust would also read words such as `inf` after a sign.
    if !body.starts_with(|c: char| c.is_ascii_digit() || c == '.') || !underscores_ok(s) {
        return None;
    }
    s.replace('_', "")
        .parse::<f64>()
        .ok()
        .filter(|f| f.is_finite())
}

/// go-yaml's float syntax: `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`.
fn is_yaml_float(s: &str) -> bool {
    let body = s.strip_prefix(['-', '+']).unwrap_or(s);
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(i) => (&body[..i], Some(&body[i + 1..])),
        None => (body, None),
    };
    let digits = |t: &str| t.bytes().all(|c| c.is_ascii_digit());
    let mantissa_ok = match mantissa.split_once('.') {
        Some(("", fraction)) => !fraction.is_empty() && digits(fraction),
        Some((int, fraction)) => !int.is_empty() && digits(int) && digits(fraction),
        None => !mantissa.is_empty() && digits(mantissa),
    };
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['-', '+']).unwrap_or(e);
        !e.is_empty() && digits(e)
    });
    mantissa_ok && exponent_ok
}

/// go-yaml's base 60 float: `^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$`.
pub(crate) fn is_base60_float(s: &str) -> bool {
    let body = s.strip_prefix(['-', '+']).unwrap_or(s);
    let (whole, fraction) = body.split_once('.').unwrap_or((body, ""));
    if !fraction.bytes().all(|c| c.is_ascii_digit() || c == b'_') {
        return false;
    }
    let mut parts = whole.split(':');
    let first = parts.next().unwrap_or_default();
    let first_ok = first.starts_with(|c: char| c.is_ascii_digit())
        && first.bytes().all(|c| c.is_ascii_digit() || c == b'_');
    let mut sixties = 0;
    for part in parts {
        let ok = match part.as_bytes() {
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

/// go-yaml's `parseTimestamp`: `time.Parse` with `2006-1-2T15:4:5.999999999Z07:00`, the same
/// with a lower-case `t`, `2006-1-2 15:4:5.999999999`, or `2006-1-2`.
fn is_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    // Quick check: all date formats start with YYYY-.
    if b.len() < 5 || !b[..4].iter().all(u8::is_ascii_digit) || b[4] != b'-' {
        return false;
    }
    let year: u32 = s[..4].parse().unwrap_or(0);
    let mut rest = &b[5..];
    let Some(month) = go_number(&mut rest) else {
        return false;
    };
    if !(1..=12).contains(&month) || rest.first() != Some(&b'-') {
        return false;
    }
    rest = &rest[1..];
    let Some(day) = go_number(&mut rest) else {
        return false;
    };
    if day < 1 || day > days_in(month, year) {
        return false;
    }
    match rest {
        [] => true,
        [b'T' | b't', time @ ..] => is_clock(time, true),
        [b' ', ..] => {
            // A space in a layout matches any run of spaces.
            let time = rest.trim_ascii_start();
            is_clock(time, false)
        }
        _ => false,
    }
}

/// `15:4:5.999999999` then, with `zone`, `Z07:00`.
fn is_clock(mut rest: &[u8], zone: bool) -> bool {
    for (i, limit) in [24, 60, 60].into_iter().enumerate() {
        if i > 0 {
            match rest.split_first() {
                Some((b':', tail)) => rest = tail,
                _ => return false,
            }
        }
        match go_number(&mut rest) {
            Some(n) if n < limit => {}
            _ => return false,
        }
    }
    // Fractional seconds: `.` or `,` and any number of digits.
    if let [b'.' | b',', d, ..] = rest
        && d.is_ascii_digit()
    {
        let digits = rest[1..].iter().take_while(|c| c.is_ascii_digit()).count();
        rest = &rest[1 + digits..];
    }
    if !zone {
        return rest.is_empty();
    }
    match rest {
        [b'Z'] => true,
        // Go 1.22, which built the reference Helmfile, takes any two-digit offset.
        [b'+' | b'-', h1, h2, b':', m1, m2] => [h1, h2, m1, m2].iter().all(|c| c.is_ascii_digit()),
        _ => false,
    }
}

/// Go's `getnum`: one or two digits.
fn go_number(rest: &mut &[u8]) -> Option<u32> {
    let digits = rest
        .iter()
        .take(2)
        .take_while(|c| c.is_ascii_digit())
        .count();
    if digits == 0 {
        return None;
    }
    let n = rest[..digits]
        .iter()
        .fold(0, |n, d| n * 10 + u32::from(d - b'0'));
    *rest = &rest[digits..];
    Some(n)
}

fn days_in(month: u32, year: u32) -> u32 {
    match month {
        2 if year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400)) => {
            29
        }
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_as_go_yaml_v2() {
        let cases = [
            ("yes", Plain::Bool(true)),
            ("NO", Plain::Bool(false)),
            ("y", Plain::Bool(true)),
            ("~", Plain::Null),
            ("", Plain::Null),
            ("0o17", Plain::Int(15)),
            ("0755", Plain::Int(493)),
            ("08", Plain::Float(8.0)),
            ("1_000", Plain::Int(1000)),
            ("1_", Plain::Int(1)),
            ("0b1", Plain::Int(1)),
            ("-0b1", Plain::Int(-1)),
            ("-0b+1", Plain::Str),
            ("0x1F", Plain::Int(31)),
            ("+12", Plain::Int(12)),
            (
                "9223372036854775808",
                Plain::Uint(9_223_372_036_854_775_808),
            ),
            (
                "18446744073709551616",
                Plain::Float(18_446_744_073_709_551_616.0),
            ),
            ("1e3", Plain::Float(1000.0)),
            ("1.", Plain::Float(1.0)),
            (".5", Plain::Float(0.5)),
            (".5_0", Plain::Float(0.5)),
            ("._5", Plain::Str),
            ("1e400", Plain::Str),
            ("1:30", Plain::Str),
            ("2001-12-14", Plain::Timestamp),
            ("2001-12-14t21:59:43.10-05:00", Plain::Timestamp),
            ("2001-12-14  21:59:43,5", Plain::Timestamp),
            ("2001-2-30", Plain::Str),
            ("2000-2-29", Plain::Timestamp),
            ("2001-12-14 21:59:43Z", Plain::Str),
            // The merge key is the parser's business: as a value it is a string.
            ("<<", Plain::Str),
            ("1.2.3", Plain::Str),
            ("-", Plain::Str),
            (".", Plain::Str),
        ];
        for (text, expected) in cases {
            assert_eq!(resolve(text), expected, "{text:?}");
        }
        assert!(matches!(resolve(".nan"), Plain::Float(f) if f.is_nan()));
    }

    #[test]
    fn quotes_base60_numbers_too() {
        for text in ["1:30", "-1:30:00", "190:20:30.15", "1_0:5"] {
            assert!(needs_quotes(text), "{text:?}");
        }
        for text in ["1:60", "a:1", "1:", "12:345", "x"] {
            assert!(!needs_quotes(text), "{text:?}");
        }
    }
}
