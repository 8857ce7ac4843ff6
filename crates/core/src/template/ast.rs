//! The parse tree of a template, printed back as Go prints it in error messages
//! (`at <index .Values "a">`).

use std::fmt;
use std::sync::Arc;

/// One parsed template (the main one or a `define`d one) with the source it came from.
#[derive(Debug)]
pub(crate) struct Tree {
    /// The template's name (`define "name"`, or the name given to `parse`).
    pub name: String,
    /// The name of the file the source came from, used in positions.
    pub parse_name: Arc<str>,
    /// The whole source, to turn byte offsets into lines and columns.
    pub source: Arc<str>,
    pub root: Vec<Node>,
}

impl Tree {
    /// The 1-based line and 0-based byte column of byte offset `pos` (Go's convention).
    pub fn line_col(&self, pos: usize) -> (u32, u32) {
        line_col(&self.source, pos)
    }
}

/// The 1-based line and 0-based byte column of `pos` in `src`, as Go's `ErrorContext` counts.
pub(crate) fn line_col(src: &str, pos: usize) -> (u32, u32) {
    let before = &src.as_bytes()[..pos.min(src.len())];
    let line = before.iter().filter(|&&b| b == b'\n').count() as u32 + 1;
    let col = match before.iter().rposition(|&b| b == b'\n') {
        Some(nl) => pos - nl - 1,
        None => pos,
    };
    (line, col as u32)
}

/// A node of a template's body.
#[derive(Debug)]
pub(crate) enum Node {
    Text(String),
    Action(Pipe),
    If(Branch),
    Range(Branch),
    With(Branch),
    Template(TemplateCall),
    Break,
    Continue,
}

/// `if`, `range` and `with`: a pipeline, a body and an optional `else` body.
#[derive(Debug)]
pub(crate) struct Branch {
    pub pipe: Pipe,
    pub list: Vec<Node>,
    pub else_list: Option<Vec<Node>>,
}

/// `{{template "name" pipeline}}`.
#[derive(Debug)]
pub(crate) struct TemplateCall {
    pub pos: usize,
    pub name: String,
    pub pipe: Option<Pipe>,
}

/// A pipeline with optional variable declarations (`$x := ...`) or assignment (`$x = ...`).
#[derive(Debug)]
pub(crate) struct Pipe {
    pub pos: usize,
    pub is_assign: bool,
    pub decl: Vec<String>,
    pub cmds: Vec<Command>,
}

/// One stage of a pipeline: a function, field or value and its arguments.
#[derive(Debug)]
pub(crate) struct Command {
    pub pos: usize,
    pub args: Vec<Arg>,
}

/// An operand.
#[derive(Debug)]
pub(crate) enum Arg {
    /// `.a.b`
    Field {
        pos: usize,
        idents: Vec<String>,
    },
    /// `$x.a` (the first ident holds the `$`).
    Variable {
        pos: usize,
        idents: Vec<String>,
    },
    Dot(usize),
    Nil(usize),
    Bool(usize, bool),
    Number(usize, Number),
    /// A quoted or raw string: its source text and its value.
    Str {
        pos: usize,
        quoted: String,
        value: String,
    },
    /// A function name.
    Ident {
        pos: usize,
        name: String,
    },
    /// A parenthesised pipeline.
    Pipe(Box<Pipe>),
    /// `(pipeline).a.b` and other field access on a non-field term.
    Chain {
        pos: usize,
        node: Box<Arg>,
        fields: Vec<String>,
    },
}

impl Arg {
    /// The byte offset of the operand.
    pub fn pos(&self) -> usize {
        match self {
            Arg::Field { pos, .. }
            | Arg::Variable { pos, .. }
            | Arg::Dot(pos)
            | Arg::Nil(pos)
            | Arg::Bool(pos, _)
            | Arg::Number(pos, _)
            | Arg::Str { pos, .. }
            | Arg::Ident { pos, .. }
            | Arg::Chain { pos, .. } => *pos,
            Arg::Pipe(p) => p.pos,
        }
    }
}

/// A numeric constant with every interpretation Go's parser found for it.
#[derive(Debug, Clone)]
pub(crate) struct Number {
    pub text: String,
    pub int: Option<i64>,
    pub is_uint: bool,
    pub float: Option<f64>,
    /// A character constant (`'a'`).
    pub is_char: bool,
}

impl fmt::Display for Pipe {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.decl.is_empty() {
            write!(f, "{}", self.decl.join(", "))?;
            write!(f, "{}", if self.is_assign { " = " } else { " := " })?;
        }
        for (i, c) in self.cmds.iter().enumerate() {
            if i > 0 {
                write!(f, " | ")?;
            }
            write!(f, "{c}")?;
        }
        Ok(())
    }
}

impl fmt::Display for Command {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, a) in self.args.iter().enumerate() {
            if i > 0 {
                write!(f, " ")?;
            }
            match a {
                Arg::Pipe(p) => write!(f, "({p})")?,
                a => write!(f, "{a}")?,
            }
        }
        Ok(())
    }
}

impl fmt::Display for Arg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Arg::Field { idents, .. } => {
                for i in idents {
                    write!(f, ".{i}")?;
                }
                Ok(())
            }
            Arg::Variable { idents, .. } => write!(f, "{}", idents.join(".")),
            Arg::Dot(_) => write!(f, "."),
            Arg::Nil(_) => write!(f, "nil"),
            Arg::Bool(_, b) => write!(f, "{b}"),
            Arg::Number(_, n) => write!(f, "{}", n.text),
            Arg::Str { quoted, .. } => write!(f, "{quoted}"),
            Arg::Ident { name, .. } => write!(f, "{name}"),
            Arg::Pipe(p) => write!(f, "{p}"),
            Arg::Chain { node, fields, .. } => {
                match node.as_ref() {
                    Arg::Pipe(p) => write!(f, "({p})")?,
                    n => write!(f, "{n}")?,
                }
                for i in fields {
                    write!(f, ".{i}")?;
                }
                Ok(())
            }
        }
    }
}

impl fmt::Display for TemplateCall {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.pipe {
            Some(p) => write!(f, "{{{{template {:?} {p}}}}}", self.name),
            None => write!(f, "{{{{template {:?}}}}}", self.name),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_count_bytes_from_line_start() {
        assert_eq!(line_col("ab\ncd", 1), (1, 1));
        assert_eq!(line_col("ab\ncd", 4), (2, 1));
    }
}
