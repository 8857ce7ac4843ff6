//! How libyaml (inside go-yaml v2) writes one string: it analyses the characters, picks plain,
//! single-quoted, double-quoted or literal style, and folds long lines at spaces past column 80.

use super::resolve::needs_quotes;

/// The column past which libyaml folds long scalars at a space.
const BEST_WIDTH: usize = 80;

/// Where a string is written.
#[derive(Debug, Clone, Copy)]
pub(super) struct Place {
    /// The column of its first character.
    pub column: usize,
    /// The indentation of continuation lines.
    pub indent: usize,
    /// A simple (`key:`) mapping key: never folded, never a block.
    pub simple_key: bool,
    /// Whether U+2028 and U+2029 must be escaped (double quotes) rather than written raw.
    pub escape_separators: bool,
    /// Whether long lines are folded at a space past column 80 (go-yaml v2; v3 never folds).
    pub wrap: bool,
}

/// `s` written at `place` in the style libyaml picks for it.
pub(super) fn write_string(s: &str, place: Place) -> String {
    let chars: Vec<char> = s.chars().collect();
    let analysis = Analysis::of(&chars);
    let mut writer = Writer {
        out: String::new(),
        column: place.column,
        indent: place.indent,
        allow_breaks: place.wrap && !place.simple_key,
    };
    // go-yaml asks for a literal block when there is a line feed, plain when the text reads
    // back as a string, double quotes otherwise; libyaml falls back when the text forbids it.
    if place.escape_separators && s.contains(['\u{2028}', '\u{2029}']) {
        writer.double_quoted(&chars);
    } else if s.contains('\n') {
        if analysis.block_allowed && !place.simple_key {
            writer.literal(&chars);
        } else {
            writer.double_quoted(&chars);
        }
    } else if needs_quotes(s) {
        writer.double_quoted(&chars);
    } else if analysis.plain_allowed {
        writer.plain(&chars);
    } else if analysis.single_quoted_allowed {
        writer.single_quoted(&chars);
    } else {
        writer.double_quoted(&chars);
    }
    writer.out
}

/// Whether a key must be written as a complex key (`? key`): libyaml's simple keys hold no line
/// break and at most 128 bytes.
pub(super) fn needs_complex_key(s: &str) -> bool {
    s.len() > 128 || s.chars().any(is_break)
}

/// libyaml's `is_printable`, as go-yaml ports it (NEL and astral characters are not).
fn is_printable(c: char) -> bool {
    matches!(c, '\n' | '\u{20}'..='\u{7e}' | '\u{a0}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}')
        && c != '\u{feff}'
}

fn is_break(c: char) -> bool {
    matches!(c, '\r' | '\n' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

fn is_blank(c: char) -> bool {
    c == ' ' || c == '\t'
}

/// What `yaml_emitter_analyze_scalar` finds out about a string (block context).
struct Analysis {
    plain_allowed: bool,
    single_quoted_allowed: bool,
    block_allowed: bool,
}

impl Analysis {
    fn of(chars: &[char]) -> Self {
        if chars.is_empty() {
            return Self {
                plain_allowed: true,
                single_quoted_allowed: true,
                block_allowed: false,
            };
        }
        let starts = |p: &str| chars.iter().take(3).copied().eq(p.chars());
        let mut indicators = starts("---") || starts("...");
        let (mut line_breaks, mut special) = (false, false);
        let (mut leading, mut trailing_space, mut trailing_break) = (false, false, false);
        let (mut break_space, mut space_break) = (false, false);
        let (mut previous_space, mut previous_break) = (false, false);
        let mut preceded_by_whitespace = true;
        for (i, &c) in chars.iter().enumerate() {
            let followed_by_whitespace = chars.get(i + 1).is_none_or(|&n| is_blank(n));
            indicators |= if i == 0 {
                match c {
                    '#' | ',' | '[' | ']' | '{' | '}' | '&' | '*' | '!' | '|' | '>' | '\''
                    | '"' | '%' | '@' | '`' => true,
                    '?' | ':' | '-' => followed_by_whitespace,
                    _ => false,
                }
            } else {
                match c {
                    ':' => followed_by_whitespace,
                    '#' => preceded_by_whitespace,
                    _ => false,
                }
            };
            special |= !is_printable(c);
            let last = i + 1 == chars.len();
            if c == ' ' {
                leading |= i == 0;
                trailing_space |= last;
                break_space |= previous_break;
                (previous_space, previous_break) = (true, false);
            } else if is_break(c) {
                line_breaks = true;
                leading |= i == 0;
                trailing_break |= last;
                space_break |= previous_space;
                (previous_space, previous_break) = (false, true);
            } else {
                (previous_space, previous_break) = (false, false);
            }
            preceded_by_whitespace = is_blank(c) || is_break(c) || c == '\0';
        }
        let mixed = space_break || special;
        Self {
            plain_allowed: !(leading
                || trailing_space
                || trailing_break
                || break_space
                || mixed
                || line_breaks
                || indicators),
            single_quoted_allowed: !(break_space || mixed),
            block_allowed: !(trailing_space || mixed),
        }
    }
}

/// The output of one scalar and the column it has reached.
struct Writer {
    out: String,
    column: usize,
    indent: usize,
    allow_breaks: bool,
}

impl Writer {
    fn put(&mut self, c: char) {
        self.out.push(c);
        self.column += 1;
    }

    fn put_str(&mut self, s: &str) {
        for c in s.chars() {
            self.put(c);
        }
    }

    fn newline(&mut self) {
        self.out.push('\n');
        self.column = 0;
    }

    /// Continues on a new line at the indentation (folding).
    fn fold(&mut self) {
        self.newline();
        self.pad();
    }

    fn pad(&mut self) {
        while self.column < self.indent {
            self.put(' ');
        }
    }

    /// A line break inside a scalar: `\n` itself, any other break character as it is.
    fn write_break(&mut self, c: char) {
        if c == '\n' {
            self.newline();
        } else {
            self.out.push(c);
            self.column = 0;
        }
    }

    /// Whether a space at `i` may become a line break.
    fn may_fold(&self, chars: &[char], i: usize, spaces: bool) -> bool {
        self.allow_breaks
            && !spaces
            && self.column > BEST_WIDTH
            && chars.get(i + 1).is_some_and(|&n| n != ' ')
    }

    /// A space, or the line break it folds into.
    fn space(&mut self, fold: bool) {
        if fold {
            self.fold();
        } else {
            self.put(' ');
        }
    }

    fn plain(&mut self, chars: &[char]) {
        let mut spaces = false;
        for (i, &c) in chars.iter().enumerate() {
            if c == ' ' {
                self.space(self.may_fold(chars, i, spaces));
            } else {
                self.put(c);
            }
            spaces = c == ' ';
        }
    }

    fn single_quoted(&mut self, chars: &[char]) {
        self.put('\'');
        let (mut spaces, mut breaks) = (false, false);
        for (i, &c) in chars.iter().enumerate() {
            if c == ' ' {
                self.space(i > 0 && self.may_fold(chars, i, spaces));
                spaces = true;
            } else if is_break(c) {
                // Only U+2028 and U+2029 get here: other breaks rule single quotes out.
                self.write_break(c);
                breaks = true;
            } else {
                if breaks {
                    self.after_break();
                }
                if c == '\'' {
                    self.put('\'');
                }
                self.put(c);
                (spaces, breaks) = (false, false);
            }
        }
        self.put('\'');
    }

    /// libyaml's `write_indent` after a break that was not a line feed: a new line only at
    /// indentation zero, then the indentation.
    fn after_break(&mut self) {
        if self.indent == 0 {
            self.newline();
        }
        self.pad();
    }

    fn double_quoted(&mut self, chars: &[char]) {
        self.put('"');
        // go-yaml checks for a byte order mark at the start of the string, not at each
        // character: a string that starts with one has every character escaped.
        let bom = chars.first() == Some(&'\u{feff}');
        let mut spaces = false;
        for (i, &c) in chars.iter().enumerate() {
            if bom || !is_printable(c) || is_break(c) || c == '"' || c == '\\' {
                self.put('\\');
                let escape = match c {
                    '\0' => "0".to_owned(),
                    '\u{7}' => "a".to_owned(),
                    '\u{8}' => "b".to_owned(),
                    '\t' => "t".to_owned(),
                    '\n' => "n".to_owned(),
                    '\u{b}' => "v".to_owned(),
                    '\u{c}' => "f".to_owned(),
                    '\r' => "r".to_owned(),
                    '\u{1b}' => "e".to_owned(),
                    '"' => "\"".to_owned(),
                    '\\' => "\\".to_owned(),
                    '\u{85}' => "N".to_owned(),
                    '\u{a0}' => "_".to_owned(),
                    '\u{2028}' => "L".to_owned(),
                    '\u{2029}' => "P".to_owned(),
                    c if u32::from(c) <= 0xff => format!("x{:02X}", u32::from(c)),
                    c if u32::from(c) <= 0xffff => format!("u{:04X}", u32::from(c)),
                    c => format!("U{:08X}", u32::from(c)),
                };
                self.put_str(&escape);
                spaces = false;
            } else if c == ' ' {
                let fold = self.allow_breaks
                    && !spaces
                    && self.column > BEST_WIDTH
                    && i > 0
                    && i + 1 < chars.len();
                self.space(fold);
                // A space that starts the next line is escaped, or folding would drop it.
                if fold && chars.get(i + 1) == Some(&' ') {
                    self.put('\\');
                }
                spaces = true;
            } else {
                self.put(c);
                spaces = false;
            }
        }
        self.put('"');
    }

    fn literal(&mut self, chars: &[char]) {
        self.put('|');
        // A leading space or break needs an explicit indentation indicator.
        if chars.first().is_some_and(|&c| c == ' ' || is_break(c)) {
            self.put('2');
        }
        let n = chars.len();
        let chomp = if chars.last().is_none_or(|&c| !is_break(c)) {
            Some('-')
        } else if n == 1 || is_break(chars[n - 2]) {
            Some('+')
        } else {
            None
        };
        if let Some(chomp) = chomp {
            self.put(chomp);
        }
        self.newline();
        let mut breaks = true;
        for &c in chars {
            if is_break(c) {
                self.write_break(c);
                breaks = true;
            } else {
                if breaks {
                    self.pad();
                }
                self.put(c);
                breaks = false;
            }
        }
    }
}
