//! The lexer: splits a template into text and the tokens of its actions, as Go's
//! `text/template/parse` lexer does (trim markers, comments, quoted and raw strings, numbers).

/// What a token is.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Tok {
    /// Plain text outside actions (already trimmed by neighbouring `{{-` / `-}}`).
    Text(String),
    LeftDelim,
    RightDelim,
    Space,
    /// A function name or keyword-less identifier.
    Ident(String),
    /// `.name` (the text without the dot).
    Field(String),
    /// `$` or `$name` (with the dollar).
    Variable(String),
    Dot,
    /// A character constant, source text with quotes.
    Char(String),
    /// A quoted string, source text with quotes.
    Str(String),
    /// A raw string, source text with backquotes.
    RawStr(String),
    /// A number, source text.
    Number(String),
    Bool(bool),
    Nil,
    Keyword(Keyword),
    Pipe,
    LeftParen,
    RightParen,
    /// `=`
    Assign,
    /// `:=`
    Declare,
    Comma,
    Eof,
    /// Any other printable ASCII character, which the parser reports as unexpected.
    Punct(char),
    /// A lexing error; lexing stops here.
    Error(String),
}

/// Keywords of the template language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Keyword {
    Block,
    Break,
    Continue,
    Define,
    Else,
    End,
    If,
    Range,
    Template,
    With,
}

/// A token with its byte offset and 1-based line.
#[derive(Debug, Clone)]
pub(crate) struct Token {
    pub tok: Tok,
    pub pos: usize,
    pub line: u32,
}

const LEFT: &str = "{{";
const RIGHT: &str = "}}";

/// Splits `src` into tokens, ending with `Eof` or `Error`.
pub(crate) fn lex(src: &str) -> Vec<Token> {
    let mut lx = Lexer {
        src,
        pos: 0,
        line: 1,
        out: Vec::new(),
    };
    lx.run();
    lx.out
}

struct Lexer<'a> {
    src: &'a str,
    pos: usize,
    line: u32,
    out: Vec<Token>,
}

fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

fn is_alnum(c: char) -> bool {
    c == '_' || c.is_alphanumeric()
}

impl<'a> Lexer<'a> {
    fn emit(&mut self, tok: Tok, pos: usize, line: u32) {
        self.out.push(Token { tok, pos, line });
    }

    fn rest(&self) -> &'a str {
        &self.src[self.pos..]
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        if c == '\n' {
            self.line += 1;
        }
        Some(c)
    }

    fn advance_to(&mut self, end: usize) {
        self.line += self.src[self.pos..end].matches('\n').count() as u32;
        self.pos = end;
    }

    fn run(&mut self) {
        let mut trim_next_text = false;
        loop {
            let start = self.pos;
            let start_line = self.line;
            let next = self.rest().find(LEFT).map(|i| self.pos + i);
            let text_end = next.unwrap_or(self.src.len());
            let mut text = &self.src[start..text_end];
            if trim_next_text {
                text = text.trim_start_matches(is_space);
            }
            let left_trim = next.is_some_and(|n| has_left_trim(&self.src[n + LEFT.len()..]));
            if left_trim {
                text = text.trim_end_matches(is_space);
            }
            if !text.is_empty() {
                self.emit(Tok::Text(text.to_owned()), start, start_line);
            }
            self.advance_to(text_end);
            if next.is_none() {
                let (p, l) = (self.pos, self.line);
                self.emit(Tok::Eof, p, l);
                return;
            }
            match self.lex_action(left_trim) {
                Some(trim) => trim_next_text = trim,
                None => return,
            }
        }
    }

    /// Lexes one action starting at `{{`; returns whether it ended with a trim marker, or `None`
    /// after an error.
    fn lex_action(&mut self, left_trim: bool) -> Option<bool> {
        let (p, l) = (self.pos, self.line);
        self.pos += LEFT.len();
        if left_trim {
            self.pos += 1;
        }
        // Comments: `{{/*` or `{{- /*`, right after the delimiter and trim marker.
        let after_space = self.rest().trim_start_matches(is_space);
        let comment_start = if left_trim {
            after_space.starts_with("/*")
        } else {
            self.rest().starts_with("/*")
        };
        if comment_start {
            let skip = self.rest().len()
                - if left_trim {
                    after_space.len()
                } else {
                    self.rest().len()
                };
            self.advance_to(self.pos + skip);
            return self.lex_comment(l);
        }
        self.emit(Tok::LeftDelim, p, l);
        let mut paren_depth = 0i32;
        loop {
            let (p, l) = (self.pos, self.line);
            let rest = self.rest();
            // Right delimiter with trim marker: " -}}" (any whitespace before the dash).
            if rest.starts_with(is_space) {
                let ws_len = rest.len() - rest.trim_start_matches(is_space).len();
                let after_ws = &rest[ws_len..];
                if after_ws.starts_with("-}}") {
                    self.advance_to(p + ws_len);
                    let (p2, l2) = (self.pos, self.line);
                    if paren_depth > 0 {
                        self.emit(Tok::Error("unclosed left paren".into()), p2, l2);
                        return None;
                    }
                    self.emit(Tok::RightDelim, p2, l2);
                    self.pos += 3;
                    return Some(true);
                }
                self.advance_to(p + ws_len);
                self.emit(Tok::Space, p, l);
                continue;
            }
            if rest.starts_with(RIGHT) {
                if paren_depth > 0 {
                    self.emit(Tok::Error("unclosed left paren".into()), p, l);
                    return None;
                }
                self.emit(Tok::RightDelim, p, l);
                self.pos += RIGHT.len();
                return Some(false);
            }
            let Some(c) = self.peek() else {
                self.emit(Tok::Error("unclosed action".into()), p, l);
                return None;
            };
            match c {
                '=' => {
                    self.bump();
                    self.emit(Tok::Assign, p, l);
                }
                ':' => {
                    self.bump();
                    if self.peek() != Some('=') {
                        self.emit(Tok::Error("expected :=".into()), p, l);
                        return None;
                    }
                    self.bump();
                    self.emit(Tok::Declare, p, l);
                }
                '|' => {
                    self.bump();
                    self.emit(Tok::Pipe, p, l);
                }
                '"' => {
                    if !self.lex_quote(p, l) {
                        return None;
                    }
                }
                '`' => {
                    self.bump();
                    match self.rest().find('`') {
                        Some(i) => {
                            self.advance_to(self.pos + i + 1);
                            let text = self.src[p..self.pos].to_owned();
                            self.emit(Tok::RawStr(text), p, l);
                        }
                        None => {
                            self.emit(Tok::Error("unterminated raw quoted string".into()), p, l);
                            return None;
                        }
                    }
                }
                '$' => {
                    self.bump();
                    let word = self.scan_word();
                    let text = format!("${word}");
                    self.emit(Tok::Variable(text), p, l);
                }
                '\'' => {
                    if !self.lex_char(p, l) {
                        return None;
                    }
                }
                '.' => {
                    let next = self.rest()[1..].chars().next();
                    if next.is_some_and(|n| n.is_ascii_digit()) {
                        if !self.lex_number(p, l) {
                            return None;
                        }
                    } else {
                        self.bump();
                        let word = self.scan_word();
                        if word.is_empty() {
                            self.emit(Tok::Dot, p, l);
                        } else {
                            self.emit(Tok::Field(word), p, l);
                        }
                    }
                }
                '+' | '-' | '0'..='9' => {
                    if !self.lex_number(p, l) {
                        return None;
                    }
                }
                ',' => {
                    self.bump();
                    self.emit(Tok::Comma, p, l);
                }
                '(' => {
                    self.bump();
                    paren_depth += 1;
                    self.emit(Tok::LeftParen, p, l);
                }
                ')' => {
                    self.bump();
                    paren_depth -= 1;
                    if paren_depth < 0 {
                        self.emit(Tok::Error("unexpected right paren".into()), p, l);
                        return None;
                    }
                    self.emit(Tok::RightParen, p, l);
                }
                c if is_alnum(c) => {
                    let word = self.scan_word();
                    if !self.at_terminator() {
                        let c = self.peek().unwrap_or(' ');
                        self.emit(
                            Tok::Error(format!("bad character {}", go_quote_rune(c))),
                            p,
                            l,
                        );
                        return None;
                    }
                    let tok = match word.as_str() {
                        "true" => Tok::Bool(true),
                        "false" => Tok::Bool(false),
                        "nil" => Tok::Nil,
                        "block" => Tok::Keyword(Keyword::Block),
                        "break" => Tok::Keyword(Keyword::Break),
                        "continue" => Tok::Keyword(Keyword::Continue),
                        "define" => Tok::Keyword(Keyword::Define),
                        "else" => Tok::Keyword(Keyword::Else),
                        "end" => Tok::Keyword(Keyword::End),
                        "if" => Tok::Keyword(Keyword::If),
                        "range" => Tok::Keyword(Keyword::Range),
                        "template" => Tok::Keyword(Keyword::Template),
                        "with" => Tok::Keyword(Keyword::With),
                        _ => Tok::Ident(word),
                    };
                    self.emit(tok, p, l);
                }
                c if c.is_ascii_graphic() => {
                    self.bump();
                    self.emit(Tok::Punct(c), p, l);
                }
                c => {
                    self.emit(
                        Tok::Error(format!(
                            "unrecognized character in action: {}",
                            go_quote_rune(c)
                        )),
                        p,
                        l,
                    );
                    return None;
                }
            }
        }
    }

    fn scan_word(&mut self) -> String {
        let start = self.pos;
        while self.peek().is_some_and(is_alnum) {
            self.bump();
        }
        self.src[start..self.pos].to_owned()
    }

    fn at_terminator(&self) -> bool {
        let rest = self.rest();
        match rest.chars().next() {
            None => true,
            Some(c) if is_space(c) => true,
            Some('.' | ',' | '|' | ':' | ')' | '(' | '=') => true,
            _ => rest.starts_with(RIGHT),
        }
    }

    fn lex_comment(&mut self, line: u32) -> Option<bool> {
        let p = self.pos;
        let Some(end) = self.rest().find("*/") else {
            self.emit(Tok::Error("unclosed comment".into()), p, line);
            return None;
        };
        self.advance_to(self.pos + end + 2);
        let rest = self.rest();
        let ws = rest.len() - rest.trim_start_matches(is_space).len();
        if rest[ws..].starts_with("-}}") && ws > 0 {
            self.advance_to(self.pos + ws + 3);
            return Some(true);
        }
        if rest.starts_with(RIGHT) {
            self.pos += RIGHT.len();
            return Some(false);
        }
        self.emit(
            Tok::Error("comment ends before closing delimiter".into()),
            p,
            line,
        );
        None
    }

    fn lex_quote(&mut self, p: usize, l: u32) -> bool {
        self.bump();
        loop {
            match self.bump() {
                Some('\\') => {
                    if matches!(self.peek(), None | Some('\n')) {
                        self.emit(Tok::Error("unterminated quoted string".into()), p, l);
                        return false;
                    }
                    self.bump();
                }
                None | Some('\n') => {
                    self.emit(Tok::Error("unterminated quoted string".into()), p, l);
                    return false;
                }
                Some('"') => break,
                Some(_) => {}
            }
        }
        let text = self.src[p..self.pos].to_owned();
        self.emit(Tok::Str(text), p, l);
        true
    }

    fn lex_char(&mut self, p: usize, l: u32) -> bool {
        self.bump();
        loop {
            match self.bump() {
                Some('\\') => {
                    if self.bump().is_none() {
                        self.emit(Tok::Error("unterminated character constant".into()), p, l);
                        return false;
                    }
                }
                None | Some('\n') => {
                    self.emit(Tok::Error("unterminated character constant".into()), p, l);
                    return false;
                }
                Some('\'') => break,
                Some(_) => {}
            }
        }
        let text = self.src[p..self.pos].to_owned();
        self.emit(Tok::Char(text), p, l);
        true
    }

    fn lex_number(&mut self, p: usize, l: u32) -> bool {
        // Go scans a superset of numbers and lets the parser validate; so do we.
        if matches!(self.peek(), Some('+' | '-')) {
            self.bump();
        }
        let (mut digits, mut exp) = ("0123456789_", "eE");
        if self.rest().starts_with('0') {
            let r = &self.rest()[1..];
            if r.starts_with(['x', 'X']) {
                self.pos += 2;
                (digits, exp) = ("0123456789abcdefABCDEF_", "pP");
            } else if r.starts_with(['o', 'O']) {
                self.pos += 2;
                (digits, exp) = ("01234567_", "");
            } else if r.starts_with(['b', 'B']) {
                self.pos += 2;
                (digits, exp) = ("01_", "");
            }
        }
        self.accept_run(digits);
        if self.rest().starts_with('.') {
            self.pos += 1;
            self.accept_run(digits);
        }
        if !exp.is_empty() && self.rest().starts_with(|c: char| exp.contains(c)) {
            self.pos += 1;
            if self.rest().starts_with(['+', '-']) {
                self.pos += 1;
            }
            self.accept_run("0123456789_");
        }
        if self.rest().starts_with('i') {
            self.pos += 1;
        }
        if self.peek().is_some_and(is_alnum) {
            self.bump();
            let text = &self.src[p..self.pos];
            self.emit(Tok::Error(format!("bad number syntax: {:?}", text)), p, l);
            return false;
        }
        let text = self.src[p..self.pos].to_owned();
        self.emit(Tok::Number(text), p, l);
        true
    }

    fn accept_run(&mut self, set: &str) {
        while self.peek().is_some_and(|c| set.contains(c)) {
            self.pos += 1;
        }
    }
}

/// Whether the text after `{{` starts with a left trim marker (`-` and a space).
fn has_left_trim(after: &str) -> bool {
    after.starts_with('-') && after[1..].starts_with(is_space)
}

/// Go's `%#U`-less rune quoting used in lexer errors (`'x'`).
fn go_quote_rune(c: char) -> String {
    format!("{c:?}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &str) -> Vec<Tok> {
        lex(src).into_iter().map(|t| t.tok).collect()
    }

    #[test]
    fn trims_around_markers() {
        assert_eq!(
            kinds("a  {{- .x -}}  b"),
            vec![
                Tok::Text("a".into()),
                Tok::LeftDelim,
                Tok::Space,
                Tok::Field("x".into()),
                Tok::RightDelim,
                Tok::Text("b".into()),
                Tok::Eof
            ]
        );
    }

    #[test]
    fn minus_number_is_not_a_trim_marker() {
        assert_eq!(
            kinds("{{-3}}"),
            vec![
                Tok::LeftDelim,
                Tok::Number("-3".into()),
                Tok::RightDelim,
                Tok::Eof
            ]
        );
    }
}
