//! Execution: walks a parsed tree over data, with Go's rules for fields, variables, function
//! arguments, `missingkey`, control flow and error positions.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::ast::{Arg, Branch, Command, Node, Pipe, TemplateCall, Tree};
use super::error::TemplateError;
use super::format::sprint_value;
use super::funcs::{Ctx, Func, Param};
use super::value::{ElemType, Value};
use super::{Functions, MissingKey, RenderOptions};
use crate::location::Location;

/// All templates that can call each other by name, and the function map they were parsed with.
#[derive(Debug, Clone)]
pub(crate) struct TreeSet {
    pub trees: BTreeMap<String, Arc<Tree>>,
    pub functions: Functions,
}

impl TreeSet {
    /// An empty set whose templates call `functions`.
    pub fn new(functions: Functions) -> Self {
        Self {
            trees: BTreeMap::new(),
            functions,
        }
    }

    /// The template `name`.
    pub fn get(&self, name: &str) -> Option<&Arc<Tree>> {
        self.trees.get(name)
    }

    /// Whether a template `name` is defined.
    pub fn contains_key(&self, name: &str) -> bool {
        self.trees.contains_key(name)
    }

    /// The function `name` of the set's function map.
    pub fn func(&self, name: &str) -> Option<&'static Func> {
        self.functions.lookup(name)
    }
}

/// Deepest nesting of `template`/`include` calls before giving up (Go's own limit is far above
/// what a stack can hold; real templates stay far below this).
pub(crate) const MAX_DEPTH: usize = 200;

/// Renders the template `name` of `set` over `data`.
pub(crate) fn execute(
    set: &TreeSet,
    name: &str,
    data: &Value,
    opts: &RenderOptions,
    depth: usize,
) -> Result<String, TemplateError> {
    let Some(tree) = set.get(name) else {
        return Err(TemplateError::Exec {
            location: Location::file(name),
            template: name.to_owned(),
            action: String::new(),
            message: format!("no template {name:?} associated with template {name:?}"),
        });
    };
    execute_tree(set, tree, data, opts, depth)
}

/// Renders `tree` (which calls the templates of `set`) over `data`; the tree need not be the
/// one `set` holds under its name (Go's `Execute` of a template whose body did not replace the
/// set's).
pub(crate) fn execute_tree(
    set: &TreeSet,
    tree: &Tree,
    data: &Value,
    opts: &RenderOptions,
    depth: usize,
) -> Result<String, TemplateError> {
    let mut st = State {
        set,
        tree,
        opts,
        vars: vec![("$".into(), data.clone())],
        out: String::new(),
        depth,
        at: At::None,
    };
    st.walk_list(data, &tree.root)?;
    Ok(st.out)
}

/// Where execution is, for error messages (Go's `state.at`).
#[derive(Clone, Copy)]
enum At<'a> {
    None,
    Arg(&'a Arg),
    Cmd(&'a Command),
    Pipe(&'a Pipe),
    Call(&'a TemplateCall),
}

enum Flow {
    Normal,
    Break,
    Continue,
}

type R<T> = Result<T, TemplateError>;

struct State<'a> {
    set: &'a TreeSet,
    tree: &'a Tree,
    opts: &'a RenderOptions,
    vars: Vec<(String, Value)>,
    out: String,
    depth: usize,
    at: At<'a>,
}

impl<'a> State<'a> {
    fn fail(&self, message: impl Into<String>) -> TemplateError {
        let (pos, action) = match self.at {
            At::None => (0, String::new()),
            At::Arg(a) => (a.pos(), a.to_string()),
            At::Cmd(c) => (c.pos, c.to_string()),
            At::Pipe(p) => (p.pos, p.to_string()),
            At::Call(c) => (c.pos, c.to_string()),
        };
        let (line, col) = self.tree.line_col(pos);
        TemplateError::Exec {
            location: Location::new(self.tree.parse_name.as_ref(), line, col + 1),
            template: self.tree.name.clone(),
            action,
            message: message.into(),
        }
    }

    fn walk_list(&mut self, dot: &Value, list: &'a [Node]) -> R<Flow> {
        for node in list {
            match self.walk(dot, node)? {
                Flow::Normal => {}
                flow => return Ok(flow),
            }
        }
        Ok(Flow::Normal)
    }

    fn walk(&mut self, dot: &Value, node: &'a Node) -> R<Flow> {
        match node {
            Node::Text(t) => self.out.push_str(t),
            Node::Action(pipe) => {
                let v = self.eval_pipeline(dot, pipe)?;
                if pipe.decl.is_empty() {
                    match v {
                        Value::Nil => self.out.push_str("<no value>"),
                        Value::String(s) => self.out.push_str(&s),
                        v => self.out.push_str(&sprint_value(&v)),
                    }
                }
            }
            Node::If(b) => return self.walk_if_with(dot, b, false),
            Node::With(b) => return self.walk_if_with(dot, b, true),
            Node::Range(b) => return self.walk_range(dot, b),
            Node::Template(call) => self.walk_template(dot, call)?,
            Node::Break => return Ok(Flow::Break),
            Node::Continue => return Ok(Flow::Continue),
        }
        Ok(Flow::Normal)
    }

    fn walk_if_with(&mut self, dot: &Value, b: &'a Branch, with: bool) -> R<Flow> {
        let mark = self.vars.len();
        let r = (|| {
            let v = self.eval_pipeline(dot, &b.pipe)?;
            if v.truthy() {
                if with {
                    self.walk_list(&v, &b.list)
                } else {
                    self.walk_list(dot, &b.list)
                }
            } else if let Some(e) = &b.else_list {
                self.walk_list(dot, e)
            } else {
                Ok(Flow::Normal)
            }
        })();
        self.vars.truncate(mark);
        r
    }

    fn walk_range(&mut self, dot: &Value, b: &'a Branch) -> R<Flow> {
        let mark = self.vars.len();
        let r = self.walk_range_inner(dot, b);
        self.vars.truncate(mark);
        r.map(|()| Flow::Normal)
    }

    fn walk_range_inner(&mut self, dot: &Value, b: &'a Branch) -> R<()> {
        let mut v = self.eval_pipeline(dot, &b.pipe)?;
        if let Value::Object(o) = &v
            && let Some(c) = o.collection()
        {
            v = c;
        }
        let items: Vec<(Value, Value)> = match &v {
            Value::List(items, _) => items
                .iter()
                .enumerate()
                .map(|(i, e)| (Value::Int(i as i64), e.clone()))
                .collect(),
            Value::Map(m) => m
                .entries()
                .into_iter()
                .map(|(k, e)| (Value::String(k), e))
                .collect(),
            Value::Int(n) | Value::Int64(n) => {
                if b.pipe.decl.len() > 1 {
                    return Err(self.fail(format!(
                        "can't use {} to iterate over more than one variable",
                        n
                    )));
                }
                (0..*n).map(|i| (Value::Int(i), Value::Int(i))).collect()
            }
            Value::Nil => Vec::new(),
            other => {
                return Err(self.fail(format!("range can't iterate over {}", sprint_value(other))));
            }
        };
        if items.is_empty() {
            if let Some(e) = &b.else_list {
                self.walk_list(dot, e)?;
            }
            return Ok(());
        }
        let decl = &b.pipe.decl;
        for (index, elem) in items {
            if !decl.is_empty() {
                if b.pipe.is_assign {
                    let first = if decl.len() > 1 {
                        index.clone()
                    } else {
                        elem.clone()
                    };
                    self.set_var(&decl[0], first)?;
                } else {
                    self.set_top_var(1, elem.clone());
                }
            }
            if decl.len() > 1 {
                if b.pipe.is_assign {
                    self.set_var(&decl[1], elem.clone())?;
                } else {
                    self.set_top_var(2, index);
                }
            }
            let mark = self.vars.len();
            let flow = self.walk_list(&elem, &b.list);
            self.vars.truncate(mark);
            if let Flow::Break = flow? {
                break;
            }
        }
        Ok(())
    }

    fn walk_template(&mut self, dot: &Value, call: &'a TemplateCall) -> R<()> {
        self.at = At::Call(call);
        let Some(tree) = self.set.get(&call.name) else {
            return Err(self.fail(format!("template {:?} not defined", call.name)));
        };
        if self.depth >= MAX_DEPTH {
            return Err(self.fail(format!("exceeded maximum template depth ({MAX_DEPTH})")));
        }
        let new_dot = match &call.pipe {
            Some(p) => self.eval_pipeline(dot, p)?,
            None => Value::Nil,
        };
        let mut st = State {
            set: self.set,
            tree,
            opts: self.opts,
            vars: vec![("$".into(), new_dot.clone())],
            out: std::mem::take(&mut self.out),
            depth: self.depth + 1,
            at: At::None,
        };
        let r = st.walk_list(&new_dot, &tree.root);
        self.out = st.out;
        r.map(|_| ())
    }

    fn set_var(&mut self, name: &str, value: Value) -> R<()> {
        match self.vars.iter_mut().rev().find(|(n, _)| n == name) {
            Some(slot) => {
                slot.1 = value;
                Ok(())
            }
            None => Err(self.fail(format!("undefined variable: {name}"))),
        }
    }

    fn set_top_var(&mut self, n: usize, value: Value) {
        let len = self.vars.len();
        if let Some(slot) = self.vars.get_mut(len - n) {
            slot.1 = value;
        }
    }

    fn var_value(&self, name: &str) -> R<Value> {
        match self.vars.iter().rev().find(|(n, _)| n == name) {
            Some((_, v)) => Ok(v.clone()),
            None => Err(self.fail(format!("undefined variable: {name}"))),
        }
    }

    fn eval_pipeline(&mut self, dot: &Value, pipe: &'a Pipe) -> R<Value> {
        self.at = At::Pipe(pipe);
        let mut value: Option<Value> = None;
        for cmd in &pipe.cmds {
            value = Some(self.eval_command(dot, cmd, value)?);
        }
        let value = value.unwrap_or_default();
        for name in &pipe.decl {
            if pipe.is_assign {
                self.set_var(name, value.clone())?;
            } else {
                self.vars.push((name.clone(), value.clone()));
            }
        }
        Ok(value)
    }

    fn not_a_function(&self, args: &[Arg], fin: &Option<Value>) -> R<()> {
        if args.len() > 1 || fin.is_some() {
            return Err(self.fail(format!("can't give argument to non-function {}", args[0])));
        }
        Ok(())
    }

    fn eval_command(&mut self, dot: &Value, cmd: &'a Command, fin: Option<Value>) -> R<Value> {
        let first = &cmd.args[0];
        match first {
            Arg::Field { idents, .. } => {
                self.at = At::Arg(first);
                return self.eval_field_chain(
                    dot,
                    dot.clone(),
                    first,
                    idents,
                    &cmd.args,
                    fin,
                    true,
                );
            }
            Arg::Chain { node, fields, .. } => {
                self.at = At::Arg(first);
                // A pipeline's nil result is Go's invalid value: its fields read as missing keys.
                let recv = self.eval_arg_any(dot, node)?;
                return self.eval_field_chain(dot, recv, first, fields, &cmd.args, fin, true);
            }
            Arg::Ident { name, .. } => {
                self.at = At::Arg(first);
                return self.eval_function(dot, name, first, cmd, &cmd.args, fin);
            }
            Arg::Pipe(p) => {
                self.not_a_function(&cmd.args, &fin)?;
                return self.eval_pipeline(dot, p);
            }
            Arg::Variable { idents, .. } => {
                self.at = At::Arg(first);
                return self.eval_variable(dot, first, idents, &cmd.args, fin);
            }
            _ => {}
        }
        self.at = At::Arg(first);
        self.not_a_function(&cmd.args, &fin)?;
        match first {
            Arg::Bool(_, b) => Ok(Value::Bool(*b)),
            Arg::Dot(_) => Ok(dot.clone()),
            Arg::Nil(_) => Err(self.fail("nil is not a command")),
            Arg::Number(..) => self.ideal_constant(first),
            Arg::Str { value, .. } => Ok(Value::String(value.clone())),
            _ => Err(self.fail(format!("can't evaluate command {first}"))),
        }
    }

    fn ideal_constant(&mut self, arg: &'a Arg) -> R<Value> {
        self.at = At::Arg(arg);
        let Arg::Number(_, n) = arg else {
            return Ok(Value::Nil);
        };
        let t = &n.text;
        let is_hex_int = t.len() > 2
            && t.starts_with('0')
            && t[1..].starts_with(['x', 'X'])
            && !t.contains(['p', 'P']);
        if let Some(f) = n.float
            && !is_hex_int
            && !n.is_char
            && t.contains(['.', 'e', 'E', 'p', 'P'])
        {
            return Ok(Value::Float(f));
        }
        if let Some(i) = n.int {
            return Ok(Value::Int(i));
        }
        if n.is_uint {
            return Err(self.fail(format!("{t} overflows int")));
        }
        Ok(Value::Nil)
    }

    fn eval_variable(
        &mut self,
        dot: &Value,
        arg: &'a Arg,
        idents: &'a [String],
        args: &'a [Arg],
        fin: Option<Value>,
    ) -> R<Value> {
        let value = self.var_value(&idents[0])?;
        if idents.len() == 1 {
            self.not_a_function(args, &fin)?;
            return Ok(value);
        }
        self.eval_field_chain(dot, value, arg, &idents[1..], args, fin, true)
    }

    /// Evaluates `receiver.idents...`; with `nil_is_missing`, a nil receiver is Go's invalid
    /// value (the data, a pipeline's result), whose fields read as missing keys, rather than a
    /// nil interface, whose fields are an error.
    #[allow(clippy::too_many_arguments)]
    fn eval_field_chain(
        &mut self,
        dot: &Value,
        receiver: Value,
        node: &'a Arg,
        idents: &'a [String],
        args: &'a [Arg],
        fin: Option<Value>,
        nil_is_missing: bool,
    ) -> R<Value> {
        let n = idents.len();
        let mut recv = receiver;
        // Go's invalid value stays invalid along the chain: `.a.b` of nothing is nothing.
        let mut invalid = nil_is_missing;
        for (i, id) in idents.iter().enumerate() {
            let last = i + 1 == n;
            let (a, f) = if last {
                (args, fin.clone())
            } else {
                (&[][..], None)
            };
            invalid = invalid && recv.is_nil();
            recv = self.eval_field(dot, id, node, a, f, recv, invalid)?;
        }
        Ok(recv)
    }

    #[allow(clippy::too_many_arguments)]
    fn eval_field(
        &mut self,
        dot: &Value,
        name: &str,
        node: &'a Arg,
        args: &'a [Arg],
        fin: Option<Value>,
        receiver: Value,
        at_root: bool,
    ) -> R<Value> {
        let has_args = args.len() > 1 || fin.is_some();
        match &receiver {
            Value::Nil if at_root => {
                if self.opts.missing_key == MissingKey::Error {
                    return Err(self.fail(format!("nil data; no entry for key {name:?}")));
                }
                Ok(Value::Nil)
            }
            Value::Nil => Err(self.fail(format!("nil pointer evaluating interface {{}}.{name}"))),
            Value::Object(o) if o.deref().is_some() => {
                let inner = o.deref().unwrap_or_default();
                self.eval_field(dot, name, node, args, fin, inner, false)
            }
            Value::Object(o) => {
                let mut argv = Vec::new();
                for a in args.iter().skip(1) {
                    argv.push(self.eval_arg_any(dot, a)?);
                }
                if let Some(f) = fin.clone() {
                    argv.push(f);
                }
                if let Some(r) = o.method(name, &argv) {
                    return r.map_err(|e| {
                        self.at = At::Arg(node);
                        self.fail(format!("error calling {name}: {e}"))
                    });
                }
                self.at = At::Arg(node);
                match o.field(name) {
                    Some(_) if has_args => Err(self.fail(format!(
                        "{name} has arguments but cannot be invoked as function"
                    ))),
                    Some(v) => Ok(v),
                    None => Err(self.fail(format!(
                        "can't evaluate field {name} in type {}",
                        o.type_name()
                    ))),
                }
            }
            Value::Map(m) => {
                if has_args {
                    return Err(self.fail(format!("{name} is not a method but has arguments")));
                }
                match m.get(name) {
                    Some(v) => Ok(v),
                    None => match self.opts.missing_key {
                        MissingKey::Error => {
                            Err(self.fail(format!("map has no entry for key {name:?}")))
                        }
                        MissingKey::Zero if m.elem() == ElemType::String => Ok(Value::str("")),
                        _ => Ok(Value::Nil),
                    },
                }
            }
            _ => Err(self.fail(format!(
                "can't evaluate field {name} in type interface {{}}"
            ))),
        }
    }

    fn eval_function(
        &mut self,
        dot: &Value,
        name: &str,
        ident: &'a Arg,
        cmd: &'a Command,
        args: &'a [Arg],
        fin: Option<Value>,
    ) -> R<Value> {
        self.at = At::Arg(ident);
        let Some(func) = self.set.func(name) else {
            return Err(self.fail(format!("{name:?} is not a defined function")));
        };
        self.eval_call(dot, func, name, At::Cmd(cmd), args, fin)
    }

    fn eval_call(
        &mut self,
        dot: &Value,
        func: &'static Func,
        name: &str,
        err_at: At<'a>,
        args: &'a [Arg],
        fin: Option<Value>,
    ) -> R<Value> {
        let args = if args.is_empty() { args } else { &args[1..] };
        let num_in = args.len() + usize::from(fin.is_some());
        let fixed = func.params.len();
        if func.variadic.is_some() {
            if num_in < fixed {
                return Err(self.fail(format!(
                    "wrong number of args for {name}: want at least {fixed} got {}",
                    args.len()
                )));
            }
        } else if num_in != fixed {
            return Err(self.fail(format!(
                "wrong number of args for {name}: want {fixed} got {num_in}"
            )));
        }
        if name == "and" || name == "or" {
            let want = name == "or";
            let mut v = Value::Nil;
            for a in args {
                v = self.eval_arg_any(dot, a)?;
                if v.truthy() == want {
                    return Ok(v);
                }
            }
            if let Some(f) = fin {
                v = f;
            }
            return Ok(v);
        }
        let param_at = |i: usize| -> Param {
            match func.params.get(i) {
                Some(p) => *p,
                None => func.variadic.unwrap_or(Param::Any),
            }
        };
        let mut argv = Vec::with_capacity(num_in);
        for (i, a) in args.iter().enumerate() {
            argv.push(self.eval_arg(dot, param_at(i), a)?);
        }
        if let Some(f) = fin {
            let p = param_at(argv.len());
            argv.push(self.validate(f, p, false)?);
        }
        let mut ctx = Ctx {
            opts: self.opts,
            set: self.set,
            depth: self.depth,
            parse_name: &self.tree.parse_name,
        };
        match (func.imp)(&mut ctx, argv) {
            Ok(v) => Ok(v),
            Err(e) => {
                self.at = err_at;
                Err(self.fail(format!("error calling {name}: {e}")))
            }
        }
    }

    /// Go's `validateType`: checks a computed value against a parameter type. `typed_nil` says
    /// whether a nil came out of a map (an `interface {}` nil) rather than a pipeline.
    fn validate(&self, v: Value, p: Param, typed_nil: bool) -> R<Value> {
        if p.accepts(&v) {
            return Ok(v);
        }
        // A Go string that is not UTF-8 reaches ordinary string parameters as its text.
        if p == Param::Str
            && let Value::Object(o) = &v
            && o.kind_name() == "string"
        {
            return Ok(Value::String(o.go_string()));
        }
        if v.is_nil() && !typed_nil {
            if p.nilable() {
                return Ok(Value::Nil);
            }
            return Err(self.fail(format!("invalid value; expected {}", p.go_name())));
        }
        Err(self.fail(format!(
            "wrong type for value; expected {}; got {}",
            p.go_name(),
            v.arg_type_name()
        )))
    }

    fn eval_arg_any(&mut self, dot: &Value, a: &'a Arg) -> R<Value> {
        self.eval_arg(dot, Param::Any, a)
    }

    fn eval_arg(&mut self, dot: &Value, p: Param, a: &'a Arg) -> R<Value> {
        self.at = At::Arg(a);
        let (v, typed_nil) = match a {
            Arg::Dot(_) => (dot.clone(), false),
            Arg::Nil(_) => {
                if p.nilable() {
                    return Ok(Value::Nil);
                }
                return Err(self.fail(format!("cannot assign nil to {}", p.go_name())));
            }
            Arg::Field { idents, .. } => (
                self.eval_field_chain(dot, dot.clone(), a, idents, &[], None, true)?,
                true,
            ),
            Arg::Variable { idents, .. } => (
                self.eval_variable(dot, a, idents, &[], None)?,
                idents.len() > 1,
            ),
            Arg::Pipe(pipe) => (self.eval_pipeline(dot, pipe)?, false),
            Arg::Ident { name, .. } => {
                let Some(func) = self.set.func(name) else {
                    return Err(self.fail(format!("{name:?} is not a defined function")));
                };
                let v =
                    self.eval_call(dot, func, name, At::Arg(a), std::slice::from_ref(a), None)?;
                (v, false)
            }
            Arg::Chain { node, fields, .. } => {
                let recv = self.eval_arg_any(dot, node)?;
                (
                    self.eval_field_chain(dot, recv, a, fields, &[], None, true)?,
                    true,
                )
            }
            Arg::Bool(_, b) => {
                return match p {
                    Param::Any | Param::Bool => Ok(Value::Bool(*b)),
                    _ => Err(self.literal_mismatch(p, a)),
                };
            }
            Arg::Str { value, .. } => {
                return match p {
                    Param::Any | Param::Str | Param::Text => Ok(Value::String(value.clone())),
                    _ => Err(self.literal_mismatch(p, a)),
                };
            }
            Arg::Number(_, n) => {
                return match p {
                    Param::Any => self.ideal_constant(a),
                    Param::Int => match n.int {
                        Some(i) => Ok(Value::Int(i)),
                        None => Err(self.literal_mismatch(p, a)),
                    },
                    Param::Uint32 => match n.int {
                        Some(i) if n.is_uint && i <= i64::from(u32::MAX) => Ok(Value::Int(i)),
                        _ => Err(self.fail(format!("expected unsigned integer; found {a}"))),
                    },
                    _ => Err(self.literal_mismatch(p, a)),
                };
            }
        };
        self.validate(v, p, typed_nil)
    }

    fn literal_mismatch(&self, p: Param, a: &Arg) -> TemplateError {
        match p {
            Param::Str | Param::Text => self.fail(format!("expected string; found {a}")),
            Param::Int => self.fail(format!("expected integer; found {a}")),
            Param::Bool => self.fail(format!("expected bool; found {a}")),
            _ => self.fail(format!("can't handle {a} for arg of type {}", p.go_name())),
        }
    }
}
