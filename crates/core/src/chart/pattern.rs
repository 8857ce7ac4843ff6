//! The two path-pattern languages helm uses: Go's `filepath.Match` (`.helmignore`,
//! `--show-only`) and `gobwas/glob` with `/` as separator (`.Files.Glob`, where `**` crosses
//! folders and `{a,b}` picks alternatives).

use regex::Regex;

/// A compiled Go `filepath.Match` pattern.
#[derive(Debug, Clone)]
pub(crate) struct PathPattern(Regex);

impl PathPattern {
    /// Compiles `pattern`; `None` for a malformed one (Go's `ErrBadPattern`).
    pub fn new(pattern: &str) -> Option<Self> {
        let mut re = String::from("^");
        let mut chars = pattern.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '*' => re.push_str("[^/]*"),
                '?' => re.push_str("[^/]"),
                '\\' => push_literal(&mut re, chars.next()?),
                '[' => {
                    re.push('[');
                    if chars.peek() == Some(&'^') {
                        chars.next();
                        re.push('^');
                    }
                    let mut empty = true;
                    loop {
                        let lo = match chars.next()? {
                            ']' if !empty => break,
                            '\\' => chars.next()?,
                            '-' | ']' => return None,
                            c => c,
                        };
                        empty = false;
                        push_class_char(&mut re, lo);
                        if chars.peek() == Some(&'-') {
                            chars.next();
                            let hi = match chars.next()? {
                                '\\' => chars.next()?,
                                '-' | ']' => return None,
                                c => c,
                            };
                            if hi < lo {
                                return None;
                            }
                            re.push('-');
                            push_class_char(&mut re, hi);
                        }
                    }
                    re.push(']');
                }
                c => push_literal(&mut re, c),
            }
        }
        re.push('$');
        Regex::new(&re).ok().map(PathPattern)
    }

    /// Whether the whole of `name` matches.
    pub fn matches(&self, name: &str) -> bool {
        self.0.is_match(name)
    }
}

/// Go's `filepath.Match(pattern, name)`, a malformed pattern matching nothing.
pub(crate) fn path_match(pattern: &str, name: &str) -> bool {
    PathPattern::new(pattern).is_some_and(|p| p.matches(name))
}

fn push_literal(re: &mut String, c: char) {
    re.push_str(&regex::escape(c.encode_utf8(&mut [0; 4])));
}

fn push_class_char(re: &mut String, c: char) {
    if matches!(c, '\\' | ']' | '[' | '^' | '-' | '&' | '~') {
        re.push('\\');
    }
    re.push(c);
}

/// A compiled `gobwas/glob` pattern with `/` as the separator; `None` stands for `**`.
#[derive(Debug, Clone)]
pub(crate) struct Glob(Option<Regex>);

impl Glob {
    /// Compiles `pattern`; a malformed pattern matches everything, as helm's `Files.Glob`
    /// falls back to `**`.
    pub fn new(pattern: &str) -> Self {
        Glob(glob_regex(pattern).and_then(|r| Regex::new(&format!("^{r}$")).ok()))
    }

    /// Whether the whole of `name` matches.
    pub fn matches(&self, name: &str) -> bool {
        self.0.as_ref().is_none_or(|re| re.is_match(name))
    }
}

/// The regex body of a gobwas glob, `None` when it does not compile.
fn glob_regex(pattern: &str) -> Option<String> {
    let chars: Vec<char> = pattern.chars().collect();
    let mut i = 0;
    let body = glob_seq(&chars, &mut i, 0)?;
    (i == chars.len()).then_some(body)
}

/// Parses until the end, or (inside `{}`, `depth > 0`) until a `,` or `}` left for the caller.
fn glob_seq(chars: &[char], i: &mut usize, depth: usize) -> Option<String> {
    let mut re = String::new();
    while *i < chars.len() {
        let c = chars[*i];
        match c {
            ',' | '}' if depth > 0 => return Some(re),
            '}' => return None,
            '*' => {
                if chars.get(*i + 1) == Some(&'*') {
                    re.push_str("(?s:.*)");
                    *i += 2;
                } else {
                    re.push_str("[^/]*");
                    *i += 1;
                }
            }
            '?' => {
                re.push_str("[^/]");
                *i += 1;
            }
            '\\' => {
                let next = *chars.get(*i + 1)?;
                push_literal(&mut re, next);
                *i += 2;
            }
            '[' => {
                *i += 1;
                let negate = chars.get(*i) == Some(&'!');
                if negate {
                    *i += 1;
                }
                let mut class = String::new();
                loop {
                    let c = *chars.get(*i)?;
                    *i += 1;
                    if c == ']' {
                        break;
                    }
                    if chars.get(*i) == Some(&'-') && chars.get(*i + 1).is_some_and(|h| *h != ']') {
                        let hi = chars[*i + 1];
                        *i += 2;
                        push_class_char(&mut class, c);
                        class.push('-');
                        push_class_char(&mut class, hi);
                    } else {
                        push_class_char(&mut class, c);
                    }
                }
                if class.is_empty() {
                    return None;
                }
                if negate {
                    re.push_str(&format!("[^/{class}]"));
                } else {
                    re.push_str(&format!("[{class}]"));
                }
            }
            '{' => {
                *i += 1;
                let mut alternatives = Vec::new();
                loop {
                    alternatives.push(glob_seq(chars, i, depth + 1)?);
                    match chars.get(*i)? {
                        ',' => *i += 1,
                        '}' => {
                            *i += 1;
                            break;
                        }
                        _ => return None,
                    }
                }
                re.push_str(&format!("(?:{})", alternatives.join("|")));
            }
            c => {
                push_literal(&mut re, c);
                *i += 1;
            }
        }
    }
    (depth == 0).then_some(re)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filepath_match_follows_go() {
        assert!(path_match("*.yaml", "a.yaml"));
        assert!(!path_match("*.yaml", "d/a.yaml"));
        assert!(path_match("templates/*", "templates/x.tpl"));
        assert!(path_match("[a-c]?", "bz"));
        assert!(path_match("[^a]", "/"));
        assert!(path_match("\\*", "*"));
        assert!(PathPattern::new("[").is_none());
        assert!(PathPattern::new("a[]").is_none());
    }

    #[test]
    fn globs_follow_gobwas() {
        assert!(Glob::new("files/*.json").matches("files/a.json"));
        assert!(!Glob::new("files/*.json").matches("files/d/a.json"));
        assert!(Glob::new("files/**.json").matches("files/d/a.json"));
        assert!(Glob::new("{a,b}/*").matches("b/x"));
        assert!(Glob::new("[!a]x").matches("bx"));
        assert!(!Glob::new("[!a]x").matches("ax"));
        assert!(Glob::new("{").matches("anything/at/all"));
    }
}
