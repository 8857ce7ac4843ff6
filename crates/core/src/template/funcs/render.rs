//! Functions that render or resolve: `tpl`, `include`, `required` and secret references
//! (`fetchSecretValue`, `expandSecretRefs`).

use std::collections::BTreeMap;
use std::sync::Arc;

use super::Param::{Any, Str};
use super::files::expand;
use super::{Ctx, FResult, Registry, s};
use crate::template::exec::{MAX_DEPTH, TreeSet, execute};
use crate::template::value::{ElemType, MapRef, Value};

/// Helmfile's functions of this file that helm does not have; helm has its own `tpl`,
/// `include` and `required`.
pub(super) const HELMFILE_ONLY: &[&str] = &["fetchSecretValue", "expandSecretRefs"];

pub(super) fn register(r: &mut Registry) {
    r.add("tpl", &[Str, Any], None, |ctx, a| {
        let mut set = TreeSet::new(ctx.set.functions);
        let name = ctx.parse_name.to_string();
        crate::template::parse_source(&mut set, &name, ctx.parse_name, s(&a[0]))
            .map_err(|e| e.go_message())?;
        execute(&set, &name, &a[1], ctx.opts, ctx.depth + 1)
            .map(Value::String)
            .map_err(|e| e.go_message())
    });
    r.add("include", &[Str, Any], None, |ctx, a| {
        let name = s(&a[0]);
        if !ctx.set.contains_key(name) {
            return Err(format!(
                "template: no template {name:?} associated with template {:?}",
                ctx.parse_name.as_ref()
            ));
        }
        if ctx.depth >= MAX_DEPTH {
            return Err(format!("rendering template has a nested reference name: {name}: exceeded maximum depth ({MAX_DEPTH})"));
        }
        execute(ctx.set, name, &a[1], ctx.opts, ctx.depth + 1)
            .map(Value::String)
            .map_err(|e| e.go_message())
    });
    r.add("required", &[Str, Any], None, |_, a| match &a[1] {
        Value::Nil => Err(s(&a[0]).to_owned()),
        Value::String(v) if v.is_empty() => Err(s(&a[0]).to_owned()),
        v => Ok(v.clone()),
    });
    r.add("fetchSecretValue", &[Any], None, |ctx, a| match &a[0] {
        Value::String(v) => fetch(ctx, v).map(Value::String),
        v => Ok(v.clone()),
    });
    r.add("expandSecretRefs", &[Any], None, |ctx, a| {
        expand_refs(ctx, &a[0])
    });
}

/// Resolves one `ref+` reference; other strings come back unchanged.
fn fetch(ctx: &Ctx<'_>, v: &str) -> Result<String, String> {
    let Some(rest) = v.strip_prefix("ref+") else {
        return Ok(v.to_owned());
    };
    if let Some(body) = rest.strip_prefix("envsubst://") {
        if body.contains('{') {
            return Err(format!(
                "expand envsubst://{body}: parse \"envsubst://{body}\": invalid character \"{{\" in host name"
            ));
        }
        return Ok(expand(body, &|n| {
            ctx.opts.env.get(n).cloned().unwrap_or_default()
        }));
    }
    if rest.starts_with("sops://") {
        return match &ctx.opts.secrets {
            Some(r) => r.resolve(v),
            None => Err(format!(
                "expand {rest}: no secret resolver is configured for sops references"
            )),
        };
    }
    // vals leaves references of unknown providers as they are.
    Ok(v.to_owned())
}

fn expand_refs(ctx: &Ctx<'_>, v: &Value) -> FResult {
    Ok(match v {
        Value::String(t) => Value::String(fetch(ctx, t)?),
        Value::List(items, e) => {
            let out: Result<Vec<Value>, String> =
                items.iter().map(|x| expand_refs(ctx, x)).collect();
            Value::List(Arc::new(out?), *e)
        }
        Value::Map(m) => {
            let mut out = BTreeMap::new();
            for (k, x) in m.entries() {
                out.insert(k, expand_refs(ctx, &x)?);
            }
            Value::Map(MapRef::typed(out, ElemType::Any))
        }
        other => other.clone(),
    })
}
