//! The parser: tokens to trees, with Go's checks (defined functions and variables, `break`
//! inside `range`, one definition per template name) and Go's error wording.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::ast::{Arg, Branch, Command, Node, Number, Pipe, TemplateCall, Tree};
use super::lex::{Keyword, Tok, Token, lex};

/// A parse failure: the line Go reports and its message.
#[derive(Debug)]
pub(crate) struct ParseFailure {
    pub line: u32,
    pub message: String,
}

type PResult<T> = Result<T, ParseFailure>;

/// Deepest nesting of parentheses and control structures the parser accepts.
const MAX_NESTING: u32 = 100;

/// Parses `source` into its main tree named `name` plus every `define`/`block` tree, adding them
/// to `set` as Go's `Template.Parse` does: a name defined twice in one source is an error, and a
/// name another source defined already is replaced, unless the new body is empty.
pub(crate) fn parse_into(
    set: &mut BTreeMap<String, Arc<Tree>>,
    name: &str,
    parse_name: &Arc<str>,
    source: &Arc<str>,
    has_func: &dyn Fn(&str) -> bool,
) -> PResult<()> {
    let parsed = parse_file(name, parse_name, source, has_func)?;
    associate(set, &parsed);
    Ok(())
}

/// Adds the trees of one parsed source to `set` as Go's `associate` does: an empty body never
/// replaces a template defined elsewhere.
pub(crate) fn associate(set: &mut BTreeMap<String, Arc<Tree>>, parsed: &[(String, Arc<Tree>)]) {
    for (n, tree) in parsed {
        if is_empty(&tree.root) && set.contains_key(n) {
            continue;
        }
        set.insert(n.clone(), tree.clone());
    }
}

/// Parses one source into its trees (the main one and each `define`), without adding them to a
/// set.
pub(crate) fn parse_file(
    name: &str,
    parse_name: &Arc<str>,
    source: &Arc<str>,
    has_func: &dyn Fn(&str) -> bool,
) -> PResult<Vec<(String, Arc<Tree>)>> {
    let mut p = Parser {
        toks: lex(source),
        i: 0,
        seen: 0,
        vars: vec!["$".into()],
        range_depth: 0,
        depth: 0,
        nesting: 0,
        action_line: 0,
        has_func,
        parse_name: parse_name.clone(),
        source: source.clone(),
        defined: Vec::new(),
    };
    let root = p.parse_root()?;
    let trees = std::mem::take(&mut p.defined);
    let mut parsed = BTreeMap::new();
    add_tree(&mut parsed, &mut p, name.to_owned(), root)?;
    for (n, body, line) in trees {
        add_tree(&mut parsed, &mut p, n, body).map_err(|e| ParseFailure { line, ..e })?;
    }
    Ok(parsed.into_iter().collect())
}

fn add_tree(
    set: &mut BTreeMap<String, Arc<Tree>>,
    p: &mut Parser<'_>,
    name: String,
    root: Vec<Node>,
) -> PResult<()> {
    if let Some(old) = set.get(&name)
        && !is_empty(&old.root)
    {
        if is_empty(&root) {
            return Ok(());
        }
        return Err(p.fail(format!(
            "template: multiple definition of template {name:?}"
        )));
    }
    set.insert(
        name.clone(),
        Arc::new(Tree {
            name,
            parse_name: p.parse_name.clone(),
            source: p.source.clone(),
            root,
        }),
    );
    Ok(())
}

/// Go's `IsEmptyTree`: only whitespace text.
fn is_empty(list: &[Node]) -> bool {
    list.iter()
        .all(|n| matches!(n, Node::Text(t) if t.trim_matches([' ', '\t', '\r', '\n']).is_empty()))
}

struct Parser<'f> {
    toks: Vec<Token>,
    i: usize,
    /// The furthest token looked at, whose line Go reports in errors.
    seen: usize,
    vars: Vec<String>,
    range_depth: u32,
    /// How many lists deep the parser is; `define` is allowed only at the top.
    depth: u32,
    /// How many pipelines deep (parentheses) the parser is.
    nesting: u32,
    action_line: u32,
    has_func: &'f dyn Fn(&str) -> bool,
    parse_name: Arc<str>,
    source: Arc<str>,
    /// Trees of `define` and `block`, with the line of their `{{end}}` (where Go adds them).
    defined: Vec<(String, Vec<Node>, u32)>,
}

/// What ended a list of nodes.
enum Ending {
    End,
    /// `{{else}}`; `Some(keyword)` for `else if` / `else with`.
    Else(Option<Keyword>),
}

enum Item {
    Node(Node),
    End,
    Else(Option<Keyword>),
    Define,
}

fn describe(t: &Tok) -> String {
    let quoted = |s: &str| -> String {
        if s.chars().count() > 10 {
            let short: String = s.chars().take(10).collect();
            format!("{short:?}...")
        } else {
            format!("{s:?}")
        }
    };
    match t {
        Tok::Eof => "EOF".into(),
        Tok::Error(m) => m.clone(),
        Tok::Keyword(k) => format!("<{}>", keyword_text(*k)),
        Tok::Text(s)
        | Tok::Ident(s)
        | Tok::Char(s)
        | Tok::Str(s)
        | Tok::RawStr(s)
        | Tok::Number(s) => quoted(s),
        Tok::Field(s) => quoted(&format!(".{s}")),
        Tok::Variable(s) => quoted(s),
        Tok::LeftDelim => quoted("{{"),
        Tok::RightDelim => quoted("}}"),
        Tok::Space => quoted(" "),
        Tok::Dot => "<.>".into(),
        Tok::Bool(b) => quoted(&b.to_string()),
        Tok::Nil => "<nil>".into(),
        Tok::Punct(c) => quoted(&c.to_string()),
        Tok::Pipe => quoted("|"),
        Tok::LeftParen => quoted("("),
        Tok::RightParen => quoted(")"),
        Tok::Assign => quoted("="),
        Tok::Declare => quoted(":="),
        Tok::Comma => quoted(","),
    }
}

fn keyword_text(k: Keyword) -> &'static str {
    match k {
        Keyword::Block => "block",
        Keyword::Break => "break",
        Keyword::Continue => "continue",
        Keyword::Define => "define",
        Keyword::Else => "else",
        Keyword::End => "end",
        Keyword::If => "if",
        Keyword::Range => "range",
        Keyword::Template => "template",
        Keyword::With => "with",
    }
}

impl Parser<'_> {
    fn fail(&self, message: String) -> ParseFailure {
        ParseFailure {
            line: self.current_line(),
            message,
        }
    }

    /// The line of the furthest token read, which Go's errors report.
    fn current_line(&self) -> u32 {
        self.toks
            .get(self.seen.min(self.toks.len().saturating_sub(1)))
            .map_or(1, |t| t.line)
    }

    fn err<T>(&self, message: String) -> PResult<T> {
        Err(self.fail(message))
    }

    fn peek(&mut self) -> &Token {
        let i = self.i.min(self.toks.len() - 1);
        self.seen = self.seen.max(i);
        &self.toks[i]
    }

    fn next(&mut self) -> Token {
        let t = self.peek().clone();
        self.i += 1;
        t
    }

    fn backup(&mut self) {
        self.i -= 1;
    }

    fn skip_space(&mut self) {
        while self.peek().tok == Tok::Space {
            self.i += 1;
        }
    }

    fn next_non_space(&mut self) -> Token {
        self.skip_space();
        self.next()
    }

    fn peek_non_space(&mut self) -> Token {
        self.skip_space();
        self.peek().clone()
    }

    fn unexpected<T>(&self, t: &Token, context: &str) -> PResult<T> {
        if let Tok::Error(m) = &t.tok {
            let mut extra = String::new();
            if self.action_line != 0 && self.action_line != t.line {
                extra = format!(
                    " in action started at {}:{}",
                    self.parse_name, self.action_line
                );
                if m.ends_with(" action") {
                    extra = extra[" in action".len()..].to_owned();
                }
            }
            return self.err(format!("{m}{extra}"));
        }
        self.err(format!("unexpected {} in {context}", describe(&t.tok)))
    }

    fn expect(&mut self, want: &Tok, context: &str) -> PResult<Token> {
        let t = self.next_non_space();
        if std::mem::discriminant(&t.tok) != std::mem::discriminant(want) {
            return self.unexpected(&t, context);
        }
        Ok(t)
    }

    fn parse_root(&mut self) -> PResult<Vec<Node>> {
        let mut list = Vec::new();
        loop {
            if self.peek().tok == Tok::Eof {
                return Ok(list);
            }
            match self.text_or_action()? {
                Item::Node(n) => list.push(n),
                Item::End => return self.err("unexpected {{end}}".into()),
                Item::Else(_) => return self.err("unexpected {{else}}".into()),
                Item::Define => {}
            }
        }
    }

    fn item_list(&mut self) -> PResult<(Vec<Node>, Ending)> {
        self.depth += 1;
        let r = self.item_list_inner();
        self.depth -= 1;
        r
    }

    fn item_list_inner(&mut self) -> PResult<(Vec<Node>, Ending)> {
        let mut list = Vec::new();
        loop {
            self.skip_space();
            if self.peek().tok == Tok::Eof {
                return self.err("unexpected EOF".into());
            }
            match self.text_or_action()? {
                Item::Node(n) => list.push(n),
                Item::End => return Ok((list, Ending::End)),
                Item::Else(k) => return Ok((list, Ending::Else(k))),
                Item::Define => {}
            }
        }
    }

    fn text_or_action(&mut self) -> PResult<Item> {
        let t = self.next_non_space();
        match t.tok {
            Tok::Text(s) => Ok(Item::Node(Node::Text(s))),
            Tok::LeftDelim => {
                self.action_line = t.line;
                let r = self.action();
                self.action_line = 0;
                r
            }
            _ => self.unexpected(&t, "input"),
        }
    }

    fn action(&mut self) -> PResult<Item> {
        let t = self.next_non_space();
        match t.tok {
            Tok::Keyword(Keyword::Block) => return self.block().map(Item::Node),
            Tok::Keyword(Keyword::Break) => {
                return self.loop_control("break").map(|_| Item::Node(Node::Break));
            }
            Tok::Keyword(Keyword::Continue) => {
                return self
                    .loop_control("continue")
                    .map(|_| Item::Node(Node::Continue));
            }
            Tok::Keyword(Keyword::Define) if self.depth == 0 => {
                self.definition()?;
                return Ok(Item::Define);
            }
            Tok::Keyword(Keyword::Else) => {
                let p = self.peek_non_space();
                if let Tok::Keyword(k @ (Keyword::If | Keyword::With)) = p.tok {
                    return Ok(Item::Else(Some(k)));
                }
                self.expect(&Tok::RightDelim, "else")?;
                return Ok(Item::Else(None));
            }
            Tok::Keyword(Keyword::End) => {
                self.expect(&Tok::RightDelim, "end")?;
                return Ok(Item::End);
            }
            Tok::Keyword(Keyword::If) => {
                return self.control("if").map(|b| Item::Node(Node::If(b)));
            }
            Tok::Keyword(Keyword::Range) => {
                return self.control("range").map(|b| Item::Node(Node::Range(b)));
            }
            Tok::Keyword(Keyword::With) => {
                return self.control("with").map(|b| Item::Node(Node::With(b)));
            }
            Tok::Keyword(Keyword::Template) => {
                return self
                    .template_call("template clause")
                    .map(|(c, _)| Item::Node(Node::Template(c)));
            }
            _ => {}
        }
        self.backup();
        let pipe = self.pipeline("command", &Tok::RightDelim)?;
        Ok(Item::Node(Node::Action(pipe)))
    }

    fn loop_control(&mut self, word: &str) -> PResult<()> {
        let t = self.next_non_space();
        if t.tok != Tok::RightDelim {
            return self.unexpected(&t, &format!("{{{{{word}}}}}"));
        }
        if self.range_depth == 0 {
            return self.err(format!("{{{{{word}}}}} outside {{{{range}}}}"));
        }
        Ok(())
    }

    fn control(&mut self, context: &str) -> PResult<Branch> {
        let saved_vars = self.vars.len();
        let r = self.control_inner(context);
        self.vars.truncate(saved_vars);
        r
    }

    fn control_inner(&mut self, context: &str) -> PResult<Branch> {
        let pipe = self.pipeline(context, &Tok::RightDelim)?;
        if context == "range" {
            self.range_depth += 1;
        }
        let r = self.item_list();
        if context == "range" {
            self.range_depth -= 1;
        }
        let (list, end) = r?;
        let else_list = match end {
            Ending::End => None,
            Ending::Else(Some(k))
                if (k == Keyword::If && context == "if")
                    || (k == Keyword::With && context == "with") =>
            {
                self.next_non_space();
                let nested = self.control(context)?;
                Some(vec![if k == Keyword::If {
                    Node::If(nested)
                } else {
                    Node::With(nested)
                }])
            }
            Ending::Else(_) => {
                // After `else if` in a `range` (or `else with` in an `if`), the pending keyword
                // is not an action: the list below reports it as Go does.
                let (else_list, end) = self.item_list()?;
                if !matches!(end, Ending::End) {
                    return self.err("expected end; found {{else}}".into());
                }
                Some(else_list)
            }
        };
        Ok(Branch {
            pipe,
            list,
            else_list,
        })
    }

    fn template_name(&mut self, context: &str) -> PResult<(String, usize)> {
        let t = self.next_non_space();
        match &t.tok {
            Tok::Str(q) | Tok::RawStr(q) => match unquote(q) {
                Some(s) => Ok((s, t.pos)),
                None => self.err(format!("invalid syntax: {q}")),
            },
            _ => self.unexpected(&t, context),
        }
    }

    fn template_call(&mut self, context: &str) -> PResult<(TemplateCall, ())> {
        let (name, pos) = self.template_name(context)?;
        let pipe = if self.next_non_space().tok != Tok::RightDelim {
            self.backup();
            Some(self.pipeline(context, &Tok::RightDelim)?)
        } else {
            None
        };
        Ok((TemplateCall { pos, name, pipe }, ()))
    }

    fn block(&mut self) -> PResult<Node> {
        let (call, ()) = self.template_call("block clause")?;
        let saved = std::mem::replace(&mut self.vars, vec!["$".into()]);
        let saved_depth = std::mem::replace(&mut self.range_depth, 0);
        let r = self.item_list();
        self.vars = saved;
        self.range_depth = saved_depth;
        let (body, end) = r?;
        if !matches!(end, Ending::End) {
            return self.err("unexpected {{else}} in block clause".into());
        }
        let line = self.current_line();
        self.defined.push((call.name.clone(), body, line));
        Ok(Node::Template(call))
    }

    fn definition(&mut self) -> PResult<()> {
        let context = "define clause";
        let (name, _) = self.template_name(context)?;
        self.expect(&Tok::RightDelim, context)?;
        let saved = std::mem::replace(&mut self.vars, vec!["$".into()]);
        let r = self.item_list();
        self.vars = saved;
        let (body, end) = r?;
        if !matches!(end, Ending::End) {
            return self.err(format!("unexpected {{{{else}}}} in {context}"));
        }
        let line = self.current_line();
        self.defined.push((name, body, line));
        Ok(())
    }

    fn pipeline(&mut self, context: &str, end: &Tok) -> PResult<Pipe> {
        // Deep nesting would exhaust the stack; no real template comes near this.
        self.nesting += 1;
        let r = self.pipeline_inner(context, end);
        self.nesting -= 1;
        r
    }

    fn pipeline_inner(&mut self, context: &str, end: &Tok) -> PResult<Pipe> {
        if self.nesting + self.depth > MAX_NESTING {
            return self.err(format!("exceeded maximum nesting depth ({MAX_NESTING})"));
        }
        let first = self.peek_non_space();
        let mut pipe = Pipe {
            pos: first.pos,
            is_assign: false,
            decl: Vec::new(),
            cmds: Vec::new(),
        };
        'decls: loop {
            let v = self.peek_non_space();
            let Tok::Variable(name) = &v.tok else { break };
            let name = name.clone();
            let var_index = self.i;
            self.next();
            let next = self.peek_non_space();
            match next.tok {
                Tok::Assign | Tok::Declare => {
                    pipe.is_assign = next.tok == Tok::Assign;
                    self.next_non_space();
                    pipe.decl.push(name.clone());
                    self.vars.push(name);
                    break;
                }
                Tok::Comma => {
                    self.next_non_space();
                    pipe.decl.push(name.clone());
                    self.vars.push(name);
                    if context == "range" && pipe.decl.len() < 2 {
                        match self.peek_non_space().tok {
                            Tok::Variable(_) | Tok::RightDelim | Tok::RightParen => continue 'decls,
                            _ => return self.err("range can only initialize variables".into()),
                        }
                    }
                    return self.err(format!("too many declarations in {context}"));
                }
                _ => {
                    self.i = var_index;
                    break;
                }
            }
        }
        loop {
            let t = self.next_non_space();
            if std::mem::discriminant(&t.tok) == std::mem::discriminant(end) {
                if pipe.cmds.is_empty() {
                    return self.err(format!("missing value for {context}"));
                }
                for (i, c) in pipe.cmds.iter().enumerate().skip(1) {
                    if matches!(
                        c.args.first(),
                        Some(
                            Arg::Bool(..)
                                | Arg::Dot(_)
                                | Arg::Nil(_)
                                | Arg::Number(..)
                                | Arg::Str { .. }
                        )
                    ) {
                        return self.err(format!(
                            "non executable command in pipeline stage {}",
                            i + 1
                        ));
                    }
                }
                return Ok(pipe);
            }
            match t.tok {
                Tok::Bool(_)
                | Tok::Char(_)
                | Tok::Dot
                | Tok::Field(_)
                | Tok::Ident(_)
                | Tok::Number(_)
                | Tok::Nil
                | Tok::RawStr(_)
                | Tok::Str(_)
                | Tok::Variable(_)
                | Tok::LeftParen => {
                    self.backup();
                    let c = self.command()?;
                    pipe.cmds.push(c);
                }
                _ => return self.unexpected(&t, context),
            }
        }
    }

    fn command(&mut self) -> PResult<Command> {
        let pos = self.peek_non_space().pos;
        let mut cmd = Command {
            pos,
            args: Vec::new(),
        };
        loop {
            self.skip_space();
            if let Some(op) = self.operand()? {
                cmd.args.push(op);
            }
            let t = self.next();
            match t.tok {
                Tok::Space => continue,
                Tok::RightDelim | Tok::RightParen => self.backup(),
                Tok::Pipe => {}
                _ => return self.unexpected(&t, "operand"),
            }
            break;
        }
        if cmd.args.is_empty() {
            return self.err("empty command".into());
        }
        Ok(cmd)
    }

    fn operand(&mut self) -> PResult<Option<Arg>> {
        let Some(node) = self.term()? else {
            return Ok(None);
        };
        if !matches!(self.peek().tok, Tok::Field(_)) {
            return Ok(Some(node));
        }
        let chain_pos = self.peek().pos;
        let mut fields = Vec::new();
        while let Tok::Field(f) = &self.peek().tok {
            fields.push(f.clone());
            self.next();
        }
        Ok(Some(match node {
            Arg::Field { mut idents, .. } => {
                idents.extend(fields);
                Arg::Field {
                    pos: chain_pos,
                    idents,
                }
            }
            Arg::Variable { mut idents, .. } => {
                idents.extend(fields);
                Arg::Variable {
                    pos: chain_pos,
                    idents,
                }
            }
            n @ (Arg::Bool(..) | Arg::Str { .. } | Arg::Number(..) | Arg::Nil(_) | Arg::Dot(_)) => {
                return self.err(format!("unexpected . after term {:?}", n.to_string()));
            }
            n => Arg::Chain {
                pos: chain_pos,
                node: Box::new(n),
                fields,
            },
        }))
    }

    fn term(&mut self) -> PResult<Option<Arg>> {
        let t = self.next_non_space();
        let pos = t.pos;
        Ok(Some(match t.tok {
            Tok::Ident(name) => {
                if !(self.has_func)(&name) {
                    return self.err(format!("function {name:?} not defined"));
                }
                Arg::Ident { pos, name }
            }
            Tok::Dot => Arg::Dot(pos),
            Tok::Nil => Arg::Nil(pos),
            Tok::Variable(name) => {
                if !self.vars.contains(&name) {
                    return self.err(format!("undefined variable {name:?}"));
                }
                Arg::Variable {
                    pos,
                    idents: vec![name],
                }
            }
            Tok::Field(f) => Arg::Field {
                pos,
                idents: vec![f],
            },
            Tok::Bool(b) => Arg::Bool(pos, b),
            Tok::Char(text) | Tok::Number(text) => match parse_number(&text) {
                Ok(n) => Arg::Number(pos, n),
                Err(m) => return self.err(m),
            },
            Tok::LeftParen => Arg::Pipe(Box::new(
                self.pipeline("parenthesized pipeline", &Tok::RightParen)?,
            )),
            Tok::Str(q) | Tok::RawStr(q) => match unquote(&q) {
                Some(value) => Arg::Str {
                    pos,
                    quoted: q,
                    value,
                },
                None => return self.err("invalid syntax".into()),
            },
            _ => {
                self.backup();
                return Ok(None);
            }
        }))
    }
}

/// Go's `strconv.Unquote` for double-quoted, raw and character literals.
pub(crate) fn unquote(q: &str) -> Option<String> {
    if let Some(raw) = q.strip_prefix('`') {
        return raw.strip_suffix('`').map(|s| s.replace('\r', ""));
    }
    let quote = q.chars().next()?;
    let body = q.strip_prefix(quote)?.strip_suffix(quote)?;
    let mut out = String::new();
    let mut chars = body.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let e = chars.next()?;
        match e {
            'a' => out.push('\u{7}'),
            'b' => out.push('\u{8}'),
            'f' => out.push('\u{c}'),
            'n' => out.push('\n'),
            'r' => out.push('\r'),
            't' => out.push('\t'),
            'v' => out.push('\u{b}'),
            '\\' => out.push('\\'),
            '\'' if quote == '\'' => out.push('\''),
            '"' if quote == '"' => out.push('"'),
            'x' | 'u' | 'U' => {
                let n = match e {
                    'x' => 2,
                    'u' => 4,
                    _ => 8,
                };
                let hex: String = (0..n).filter_map(|_| chars.next()).collect();
                let v = u32::from_str_radix(&hex, 16).ok()?;
                if hex.len() != n {
                    return None;
                }
                if e == 'x' {
                    // A byte escape; only ASCII keeps the string valid UTF-8 here.
                    out.push(char::from_u32(v)?);
                } else {
                    out.push(char::from_u32(v)?);
                }
            }
            '0'..='7' => {
                let mut v = e.to_digit(8)?;
                for _ in 0..2 {
                    v = v * 8 + chars.next()?.to_digit(8)?;
                }
                out.push(char::from_u32(v)?);
            }
            _ => return None,
        }
    }
    if quote == '\'' && out.chars().count() != 1 {
        return None;
    }
    Some(out)
}

/// Go's integer syntax: base prefixes, legacy octal and `_` separators.
fn parse_go_int(text: &str) -> Option<i128> {
    let (neg, body) = match text.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let (radix, digits, prefixed) =
        if let Some(r) = body.strip_prefix("0x").or_else(|| body.strip_prefix("0X")) {
            (16, r, true)
        } else if let Some(r) = body.strip_prefix("0o").or_else(|| body.strip_prefix("0O")) {
            (8, r, true)
        } else if let Some(r) = body.strip_prefix("0b").or_else(|| body.strip_prefix("0B")) {
            (2, r, true)
        } else if body.len() > 1 && body.starts_with('0') {
            (8, &body[1..], true)
        } else {
            (10, body, false)
        };
    if digits.is_empty()
        || digits.starts_with('_') && !prefixed
        || digits.ends_with('_')
        || digits.contains("__")
    {
        return None;
    }
    let clean: String = digits.chars().filter(|&c| c != '_').collect();
    let v = i128::from_str_radix(&clean, radix).ok()?;
    Some(if neg { -v } else { v })
}

fn parse_number(text: &str) -> Result<Number, String> {
    let mut n = Number {
        text: text.to_owned(),
        int: None,
        is_uint: false,
        float: None,
        is_char: false,
    };
    if text.starts_with('\'') {
        let c = unquote(text)
            .and_then(|s| s.chars().next())
            .ok_or_else(|| format!("malformed character constant: {text}"))?;
        n.int = Some(c as i64);
        n.is_uint = true;
        n.float = Some(c as u32 as f64);
        n.is_char = true;
        return Ok(n);
    }
    if text.ends_with('i') {
        return Err(format!("illegal number syntax: {text:?}"));
    }
    if let Some(v) = parse_go_int(text) {
        if v >= 0 && v <= u64::MAX as i128 {
            n.is_uint = true;
        }
        if v >= i64::MIN as i128 && v <= i64::MAX as i128 {
            n.int = Some(v as i64);
        }
        if n.int.is_some() || n.is_uint {
            n.float = Some(v as f64);
            return Ok(n);
        }
    }
    match parse_go_float(text) {
        Some(f) => {
            if !text.contains(['.', 'e', 'E', 'p', 'P']) {
                return Err(format!("integer overflow: {text:?}"));
            }
            n.float = Some(f);
            if f.fract() == 0.0 && f.abs() < 9.2e18 {
                n.int = Some(f as i64);
                if f >= 0.0 {
                    n.is_uint = true;
                }
            }
            Ok(n)
        }
        None => Err(format!("illegal number syntax: {text:?}")),
    }
}

fn parse_go_float(text: &str) -> Option<f64> {
    let clean: String = text.chars().filter(|&c| c != '_').collect();
    let (neg, body) = match clean.strip_prefix('-') {
        Some(r) => (true, r.to_owned()),
        None => (false, clean.strip_prefix('+').unwrap_or(&clean).to_owned()),
    };
    let v = if let Some(hex) = body.strip_prefix("0x").or_else(|| body.strip_prefix("0X")) {
        let (mant, exp) = hex.split_once(['p', 'P'])?;
        let (ip, fp) = mant.split_once('.').unwrap_or((mant, ""));
        let mut v = 0f64;
        for c in ip.chars().chain(fp.chars()) {
            v = v * 16.0 + c.to_digit(16)? as f64;
        }
        let e: i32 = exp.parse().ok()?;
        v * 2f64.powi(e - 4 * fp.len() as i32)
    } else {
        if body.starts_with(|c: char| c.is_alphabetic()) {
            return None;
        }
        body.parse::<f64>().ok()?
    };
    Some(if neg { -v } else { v })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_follow_go_syntax() {
        assert_eq!(parse_go_int("0x1F"), Some(31));
        assert_eq!(parse_go_int("017"), Some(15));
        assert_eq!(parse_go_int("1_000"), Some(1000));
        assert_eq!(parse_go_float("0x1p4"), Some(16.0));
        assert!(parse_number("12345678901234567890").is_ok_and(|n| n.int.is_none() && n.is_uint));
    }

    #[test]
    fn unquotes_go_escapes() {
        assert_eq!(unquote(r#""a\tb\u00e9\x41""#).as_deref(), Some("a\tbéA"));
        assert_eq!(unquote("`a\\n`").as_deref(), Some("a\\n"));
        assert_eq!(unquote("'\\n'").as_deref(), Some("\n"));
    }
}
