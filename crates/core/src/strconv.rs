//! Go's `strconv` number parsing, which go-yaml and sprig's conversions rely on: integers with
//! base 0 (an optional sign, a `0x`/`0o`/`0b`/`0` base prefix) and underscores between digits.

/// `strconv.ParseInt(s, 0, 64)`.
pub(crate) fn parse_int_base0(s: &str) -> Option<i64> {
    let (neg, body) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    // Through i128 so that -9223372036854775808 parses, as in Go.
    let magnitude = i128::from(parse_digits(body)?);
    i64::try_from(if neg { -magnitude } else { magnitude }).ok()
}

/// `strconv.ParseUint(s, 0, 64)`: no sign allowed.
pub(crate) fn parse_uint_base0(s: &str) -> Option<u64> {
    parse_digits(s)
}

/// An unsigned integer literal with Go's base prefixes and underscore rules.
fn parse_digits(body: &str) -> Option<u64> {
    let (radix, digits) = match body.get(..2) {
        Some("0x" | "0X") => (16, &body[2..]),
        Some("0o" | "0O") => (8, &body[2..]),
        Some("0b" | "0B") => (2, &body[2..]),
        _ if body.len() > 1 && body.starts_with('0') => (8, &body[1..]),
        _ => (10, body),
    };
    if !underscores_ok(body) {
        return None;
    }
    let digits = digits.replace('_', "");
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    u64::from_str_radix(&digits, radix).ok()
}

/// Go's `underscoreOK`: underscores only between digits, or between a base prefix and a digit.
pub(crate) fn underscores_ok(s: &str) -> bool {
    let body = s.strip_prefix(['-', '+']).unwrap_or(s);
    let bytes = body.as_bytes();
    let mut i = 0;
    // What was seen last: a digit ('0'), an underscore ('_') or anything else ('!').
    let mut saw = '^';
    let mut hex = false;
    if bytes.len() >= 2 && bytes[0] == b'0' && matches!(bytes[1] | 0x20, b'b' | b'o' | b'x') {
        i = 2;
        saw = '0';
        hex = bytes[1] | 0x20 == b'x';
    }
    for &c in &bytes[i..] {
        if c.is_ascii_digit() || hex && c.is_ascii_hexdigit() {
            saw = '0';
        } else if c == b'_' {
            if saw != '0' {
                return false;
            }
            saw = '_';
        } else {
            if saw == '_' {
                return false;
            }
            saw = '!';
        }
    }
    saw != '_'
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_int_base0_reads_go_integer_literals() {
        let cases = [
            ("42", Some(42)),
            ("-0x1F", Some(-31)),
            ("0o17", Some(15)),
            ("017", Some(15)),
            ("0b101", Some(5)),
            ("1_000", Some(1000)),
            ("0x_1f", Some(31)),
            ("1__0", None),
            ("_1", None),
            ("1_", None),
            ("08", None),
            ("-9223372036854775808", Some(i64::MIN)),
            ("9223372036854775808", None),
            ("0x", None),
            ("+-1", None),
            ("12a", None),
        ];
        for (text, expected) in cases {
            assert_eq!(parse_int_base0(text), expected, "{text}");
        }
    }

    #[test]
    fn parse_uint_base0_takes_no_sign() {
        assert_eq!(parse_uint_base0("18446744073709551615"), Some(u64::MAX));
        assert_eq!(parse_uint_base0("0xFFFFFFFFFFFFFFFF"), Some(u64::MAX));
        assert_eq!(parse_uint_base0("+1"), None);
        assert_eq!(parse_uint_base0("18446744073709551616"), None);
    }
}
