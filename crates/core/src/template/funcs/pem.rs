//! PEM as Go's `encoding/pem` writes and reads it: 64-column base64 lines; decoding finds the
//! first well-formed block anywhere in the text, skipping malformed ones, and ignores headers.

use base64::Engine as _;

/// One decoded PEM block.
pub(super) struct Block {
    /// The label after `BEGIN` (`CERTIFICATE`, `RSA PRIVATE KEY`).
    pub kind: String,
    /// The decoded body.
    pub bytes: Vec<u8>,
}

/// Go's `pem.EncodeToMemory` of a block without headers.
pub(super) fn encode(kind: &str, der: &[u8]) -> String {
    let body = base64::engine::general_purpose::STANDARD.encode(der);
    let mut out = format!("-----BEGIN {kind}-----\n");
    for line in body.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(line));
        out.push('\n');
    }
    out.push_str(&format!("-----END {kind}-----\n"));
    out
}

/// The line at the start of `data` without its line ending and trailing blanks, and the rest.
fn line(data: &str) -> (&str, &str) {
    let (line, rest) = data.split_once('\n').unwrap_or((data, ""));
    let line = line.strip_suffix('\r').unwrap_or(line);
    (line.trim_end_matches([' ', '\t']), rest)
}

/// Go's `pem.Decode`: the first block that parses, if any.
pub(super) fn decode(data: &str) -> Option<Block> {
    let mut rest = data;
    loop {
        rest = match rest.strip_prefix("-----BEGIN ") {
            Some(after) => after,
            None => rest.split_once("\n-----BEGIN ")?.1,
        };
        let (type_line, after) = line(rest);
        rest = after;
        let Some(kind) = type_line.strip_suffix("-----") else {
            continue;
        };
        let mut headers = false;
        loop {
            if rest.is_empty() {
                return None;
            }
            let (l, next) = line(rest);
            if !l.contains(':') {
                break;
            }
            headers = true;
            rest = next;
        }
        let (end, trailer_at) = if !headers && rest.starts_with("-----END ") {
            (0, "-----END ".len())
        } else {
            match rest.find("\n-----END ") {
                Some(i) => (i, i + "\n-----END ".len()),
                None => continue,
            }
        };
        let trailer = &rest[trailer_at..];
        let want = format!("{kind}-----");
        let Some(after_end) = trailer.strip_prefix(want.as_str()) else {
            continue;
        };
        if !line(after_end).0.is_empty() {
            continue;
        }
        let body: String = rest[..end]
            .chars()
            .filter(|c| !matches!(c, ' ' | '\t' | '\r' | '\n'))
            .collect();
        let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(body) else {
            continue;
        };
        return Some(Block {
            kind: kind.to_owned(),
            bytes,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_what_it_encodes_and_skips_what_go_skips() {
        let der: Vec<u8> = (0..=255).collect();
        let text = encode("TEST DATA", &der);
        assert_eq!(text.lines().nth(1).map(str::len), Some(64));
        let block = decode(&format!("junk\n{text}trailing")).map(|b| (b.kind, b.bytes));
        assert_eq!(block, Some(("TEST DATA".to_owned(), der.clone())));
        // A block whose body is not base64 is skipped for the next one, as in Go.
        let bad = "-----BEGIN A-----\n!!!!\n-----END A-----\n";
        let block = decode(&format!("{bad}{text}")).map(|b| b.kind);
        assert_eq!(block.as_deref(), Some("TEST DATA"));
        assert!(decode(bad).is_none());
        assert!(decode("-----BEGIN A-----\nAAAA\n-----END B-----\n").is_none());
        assert!(decode("no pem here").is_none());
    }
}
