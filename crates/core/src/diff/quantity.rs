//! Kubernetes resource quantities (`500m`, `1Gi`, `1e3`), compared by value: `1000m` is `1`,
//! `1024Mi` is `1Gi`, `0.5` is `500m`.

/// A quantity's exact value, `mantissa × 10^exponent` with no trailing zeros in the mantissa.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quantity {
    mantissa: i128,
    exponent: i32,
}

impl Quantity {
    /// Parses Kubernetes' quantity syntax; `None` when `text` is not a quantity (or too large to
    /// compare exactly).
    pub fn parse(text: &str) -> Option<Quantity> {
        let text = text.trim();
        let (number, suffix) = split_suffix(text);
        let (binary, decimal) = suffix_scale(suffix)?;
        let (negative, digits) = match number.as_bytes().first()? {
            b'-' => (true, &number[1..]),
            b'+' => (false, &number[1..]),
            _ => (false, number),
        };
        let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
        let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if whole.len() + fraction.len() == 0 || !all_digits(whole) || !all_digits(fraction) {
            return None;
        }
        let mut mantissa: i128 = 0;
        for b in whole.bytes().chain(fraction.bytes()) {
            mantissa = mantissa
                .checked_mul(10)?
                .checked_add(i128::from(b - b'0'))?;
        }
        mantissa = mantissa.checked_mul(1i128.checked_shl(binary)?)?;
        if negative {
            mantissa = -mantissa;
        }
        let exponent = decimal.checked_sub(i32::try_from(fraction.len()).ok()?)?;
        Some(Quantity { mantissa, exponent }.reduced())
    }

    fn reduced(mut self) -> Quantity {
        if self.mantissa == 0 {
            return Quantity {
                mantissa: 0,
                exponent: 0,
            };
        }
        while self.mantissa % 10 == 0 {
            self.mantissa /= 10;
            self.exponent += 1;
        }
        self
    }
}

/// `("1.5", "Gi")`, `("1", "e3")`, `("100", "")`.
fn split_suffix(text: &str) -> (&str, &str) {
    let end = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-' || c == '+'))
        .unwrap_or(text.len());
    (&text[..end], &text[end..])
}

/// The binary (power of 2) and decimal (power of 10) scale of a suffix.
fn suffix_scale(suffix: &str) -> Option<(u32, i32)> {
    Some(match suffix {
        "" => (0, 0),
        "Ki" => (10, 0),
        "Mi" => (20, 0),
        "Gi" => (30, 0),
        "Ti" => (40, 0),
        "Pi" => (50, 0),
        "Ei" => (60, 0),
        "n" => (0, -9),
        "u" => (0, -6),
        "m" => (0, -3),
        "k" => (0, 3),
        "M" => (0, 6),
        "G" => (0, 9),
        "T" => (0, 12),
        "P" => (0, 15),
        "E" => (0, 18),
        exponent => {
            let digits = exponent
                .strip_prefix('e')
                .or_else(|| exponent.strip_prefix('E'))?;
            (0, digits.parse().ok()?)
        }
    })
}

/// Whether two JSON values are the same quantity (numbers and strings both accepted).
pub fn same_quantity(a: &serde_json::Value, b: &serde_json::Value) -> bool {
    let parse = |v: &serde_json::Value| match v {
        serde_json::Value::String(s) => Quantity::parse(s),
        serde_json::Value::Number(n) => Quantity::parse(&n.to_string()),
        _ => None,
    };
    matches!((parse(a), parse(b)), (Some(x), Some(y)) if x == y)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_values_in_different_notations_are_equal() {
        let same = |a: &str, b: &str| {
            Quantity::parse(a).is_some() && Quantity::parse(a) == Quantity::parse(b)
        };
        assert!(same("1000m", "1"));
        assert!(same("0.5", "500m"));
        assert!(same("1024Mi", "1Gi"));
        assert!(same("1e3", "1k"));
        assert!(same("1E3", "1000"));
        assert!(same("1.5Gi", "1536Mi"));
        assert!(same("0", "0m"));
        assert!(same("+2", "2"));
        assert!(same("100M", "100000k"));
        assert!(!same("1G", "1Gi"));
        assert!(!same("1", "1001m"));
        assert!(!same("-1", "1"));
    }

    #[test]
    fn non_quantities_are_refused() {
        for text in ["", "abc", "1Xi", "1.2.3", "--1", "1e", "."] {
            assert_eq!(Quantity::parse(text), None, "{text}");
        }
    }

    #[test]
    fn numbers_and_strings_compare() {
        assert!(same_quantity(
            &serde_json::json!(1),
            &serde_json::json!("1000m")
        ));
        assert!(same_quantity(
            &serde_json::json!(0.25),
            &serde_json::json!("250m")
        ));
        assert!(!same_quantity(
            &serde_json::json!("x"),
            &serde_json::json!("x")
        ));
    }
}
