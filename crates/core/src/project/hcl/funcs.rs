//! The functions HCL values files can call: those of Helmfile's set (go-cty's standard library)
//! that take plain values. `can` and `try` (they need their arguments unevaluated), `formatlist`,
//! `setproduct`, `csvdecode`, `formatdate`, `timeadd` and the `cidr*` functions are not
//! provided; calling one is an "undefined function" error naming it.

use hcl::Value;
use hcl::eval::{Context, FuncArgs, FuncDef, ParamType};

/// A context that declares every function.
pub(super) fn context() -> Context<'static> {
    let mut context = Context::new();
    let fixed: [(&str, usize, hcl::eval::Func); 40] = [
        ("abs", 1, abs),
        ("ceil", 1, ceil),
        ("floor", 1, floor),
        ("signum", 1, signum),
        ("int", 1, int),
        ("log", 2, log),
        ("pow", 2, pow),
        ("parseint", 2, parseint),
        ("chomp", 1, chomp),
        ("indent", 2, indent),
        ("lower", 1, lower),
        ("upper", 1, upper),
        ("title", 1, title),
        ("trim", 2, trim),
        ("trimprefix", 2, trimprefix),
        ("trimsuffix", 2, trimsuffix),
        ("trimspace", 1, trimspace),
        ("split", 2, split),
        ("strrev", 1, strrev),
        ("strlen", 1, strlen),
        ("substr", 3, substr),
        ("regex", 2, regex),
        ("regexall", 2, regexall),
        ("compact", 1, compact),
        ("contains", 2, contains),
        ("distinct", 1, distinct),
        ("element", 2, element),
        ("chunklist", 2, chunklist),
        ("flatten", 1, flatten),
        ("keys", 1, keys),
        ("values", 1, values),
        ("length", 1, length),
        ("reverselist", 1, reverselist),
        ("slice", 3, slice),
        ("sort", 1, sort),
        ("zipmap", 2, zipmap),
        ("jsondecode", 1, jsondecode),
        ("jsonencode", 1, jsonencode),
        ("yamldecode", 1, yamldecode),
        ("yamlencode", 1, yamlencode),
    ];
    for (name, count, func) in fixed {
        let params = std::iter::repeat_n(ParamType::Any, count);
        context.declare_func(name, FuncDef::new(func, params));
    }
    let variadic: [(&str, usize, hcl::eval::Func); 11] = [
        ("max", 0, max),
        ("min", 0, min),
        ("format", 1, format),
        ("join", 1, join),
        ("coalesce", 0, coalesce),
        ("coalescelist", 0, coalescelist),
        ("concat", 0, concat),
        ("merge", 0, merge),
        ("range", 0, range),
        ("setunion", 0, setunion),
        ("setintersection", 0, setintersection),
    ];
    for (name, fixed_count, func) in variadic {
        let def = FuncDef::builder()
            .params(std::iter::repeat_n(ParamType::Any, fixed_count))
            .variadic_param(ParamType::Any)
            .build(func);
        context.declare_func(name, def);
    }
    context.declare_func(
        "lookup",
        FuncDef::builder()
            .params([ParamType::Any, ParamType::Any])
            .variadic_param(ParamType::Any)
            .build(lookup),
    );
    context.declare_func(
        "setsubtract",
        FuncDef::new(setsubtract, [ParamType::Any, ParamType::Any]),
    );
    context
}

/// A number as windlass's values hold it: an integer when whole.
pub(super) fn yaml_number(n: &hcl::Number) -> serde_yaml::Value {
    if let Some(i) = n.as_i64() {
        return serde_yaml::Value::Number(i.into());
    }
    if let Some(u) = n.as_u64() {
        return serde_yaml::Value::Number(u.into());
    }
    let f = n.as_f64().unwrap_or(f64::NAN);
    if f.fract() == 0.0 && f.abs() < 9.007_199_254_740_992e15 {
        serde_yaml::Value::Number((f as i64).into())
    } else {
        serde_yaml::Value::Number(f.into())
    }
}

type Result = std::result::Result<Value, String>;

fn number(f: f64) -> Result {
    if f.fract() == 0.0 && f.abs() < 9.007_199_254_740_992e15 {
        return Ok(Value::from(f as i64));
    }
    hcl::Number::from_f64(f)
        .map(Value::Number)
        .ok_or_else(|| format!("{f} is not a finite number"))
}

/// A number argument; strings that hold numbers convert, as in cty.
fn arg_f64(value: &Value) -> std::result::Result<f64, String> {
    match value {
        Value::Number(n) => n.as_f64().ok_or_else(|| "not a number".into()),
        Value::String(s) => s
            .trim()
            .parse()
            .map_err(|_| format!("a number is required, not \"{s}\"")),
        other => Err(format!("a number is required, not {}", kind(other))),
    }
}

/// A string argument; numbers and booleans convert, as in cty.
fn arg_str(value: &Value) -> std::result::Result<String, String> {
    match value {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(n.to_string()),
        Value::Bool(b) => Ok(b.to_string()),
        other => Err(format!("a string is required, not {}", kind(other))),
    }
}

fn arg_list(value: &Value) -> std::result::Result<&Vec<Value>, String> {
    value
        .as_array()
        .ok_or_else(|| format!("a list is required, not {}", kind(value)))
}

fn arg_object(value: &Value) -> std::result::Result<&hcl::Map<String, Value>, String> {
    value
        .as_object()
        .ok_or_else(|| format!("an object is required, not {}", kind(value)))
}

fn arg_index(value: &Value) -> std::result::Result<i64, String> {
    let f = arg_f64(value)?;
    if f.fract() != 0.0 {
        return Err(format!("a whole number is required, not {f}"));
    }
    Ok(f as i64)
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a bool",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

fn unary(args: &FuncArgs, f: impl Fn(f64) -> f64) -> Result {
    number(f(arg_f64(&args[0])?))
}

fn abs(args: FuncArgs) -> Result {
    unary(&args, f64::abs)
}

fn ceil(args: FuncArgs) -> Result {
    unary(&args, f64::ceil)
}

fn floor(args: FuncArgs) -> Result {
    unary(&args, f64::floor)
}

fn int(args: FuncArgs) -> Result {
    unary(&args, f64::trunc)
}

fn signum(args: FuncArgs) -> Result {
    unary(&args, |f| if f == 0.0 { 0.0 } else { f.signum() })
}

fn log(args: FuncArgs) -> Result {
    number(arg_f64(&args[0])?.log(arg_f64(&args[1])?))
}

fn pow(args: FuncArgs) -> Result {
    number(arg_f64(&args[0])?.powf(arg_f64(&args[1])?))
}

fn extreme(args: &FuncArgs, pick: fn(f64, f64) -> f64) -> Result {
    let mut numbers = args.iter().map(arg_f64);
    let first = numbers.next().ok_or("at least one number is required")??;
    number(numbers.try_fold(first, |a, b| b.map(|b| pick(a, b)))?)
}

fn max(args: FuncArgs) -> Result {
    extreme(&args, f64::max)
}

fn min(args: FuncArgs) -> Result {
    extreme(&args, f64::min)
}

fn parseint(args: FuncArgs) -> Result {
    let text = arg_str(&args[0])?;
    let base = arg_index(&args[1])?;
    if !(2..=62).contains(&base) {
        return Err(format!("base must be between 2 and 62, not {base}"));
    }
    i64::from_str_radix(&text, base as u32)
        .map(Value::from)
        .map_err(|_| format!("cannot parse \"{text}\" as a base {base} integer"))
}

fn string_fn(args: &FuncArgs, f: impl Fn(&str) -> String) -> Result {
    Ok(Value::String(f(&arg_str(&args[0])?)))
}

fn chomp(args: FuncArgs) -> Result {
    string_fn(&args, |s| s.trim_end_matches(['\n', '\r']).to_string())
}

fn lower(args: FuncArgs) -> Result {
    string_fn(&args, str::to_lowercase)
}

fn upper(args: FuncArgs) -> Result {
    string_fn(&args, str::to_uppercase)
}

fn trimspace(args: FuncArgs) -> Result {
    string_fn(&args, |s| s.trim().to_string())
}

fn strrev(args: FuncArgs) -> Result {
    string_fn(&args, |s| s.chars().rev().collect())
}

/// Go's `strings.Title`: the first letter of every word upper-cased.
fn title(args: FuncArgs) -> Result {
    string_fn(&args, |s| {
        let mut out = String::with_capacity(s.len());
        let mut at_word_start = true;
        for c in s.chars() {
            if at_word_start && c.is_alphanumeric() {
                out.extend(c.to_uppercase());
            } else {
                out.push(c);
            }
            at_word_start = !(c.is_alphanumeric() || c == '_' || c == '\'');
        }
        out
    })
}

fn indent(args: FuncArgs) -> Result {
    let spaces = " ".repeat(arg_index(&args[0])?.max(0) as usize);
    let text = arg_str(&args[1])?;
    Ok(Value::String(text.replace('\n', &format!("\n{spaces}"))))
}

fn trim(args: FuncArgs) -> Result {
    let text = arg_str(&args[0])?;
    let cutset: Vec<char> = arg_str(&args[1])?.chars().collect();
    Ok(Value::String(text.trim_matches(&cutset[..]).to_string()))
}

fn trimprefix(args: FuncArgs) -> Result {
    let text = arg_str(&args[0])?;
    let prefix = arg_str(&args[1])?;
    Ok(Value::String(
        text.strip_prefix(prefix.as_str())
            .unwrap_or(&text)
            .to_string(),
    ))
}

fn trimsuffix(args: FuncArgs) -> Result {
    let text = arg_str(&args[0])?;
    let suffix = arg_str(&args[1])?;
    Ok(Value::String(
        text.strip_suffix(suffix.as_str())
            .unwrap_or(&text)
            .to_string(),
    ))
}

fn split(args: FuncArgs) -> Result {
    let separator = arg_str(&args[0])?;
    let text = arg_str(&args[1])?;
    Ok(Value::Array(
        text.split(separator.as_str())
            .map(|s| Value::String(s.to_string()))
            .collect(),
    ))
}

fn strlen(args: FuncArgs) -> Result {
    Ok(Value::from(arg_str(&args[0])?.chars().count() as i64))
}

/// `substr(string, offset, length)`: a negative offset counts from the end, length -1 means
/// "to the end".
fn substr(args: FuncArgs) -> Result {
    let chars: Vec<char> = arg_str(&args[0])?.chars().collect();
    let len = chars.len() as i64;
    let mut offset = arg_index(&args[1])?;
    let length = arg_index(&args[2])?;
    if offset < 0 {
        offset += len;
    }
    if offset < 0 || offset > len {
        return Err("offset is out of the string's range".into());
    }
    let end = if length < 0 {
        len
    } else {
        (offset + length).min(len)
    };
    Ok(Value::String(
        chars[offset as usize..end as usize].iter().collect(),
    ))
}

fn compile(pattern: &Value) -> std::result::Result<regex::Regex, String> {
    let pattern = arg_str(pattern)?;
    regex::Regex::new(&pattern).map_err(|e| format!("invalid regular expression: {e}"))
}

/// One match as cty's `regex` returns it: the whole match without capture groups, an object of
/// named groups, or a list of unnamed ones.
fn captures_value(re: &regex::Regex, captures: &regex::Captures<'_>) -> Value {
    let text =
        |m: Option<regex::Match<'_>>| m.map_or(Value::Null, |m| Value::String(m.as_str().into()));
    if re.captures_len() == 1 {
        return text(captures.get(0));
    }
    let named: Vec<&str> = re.capture_names().flatten().collect();
    if named.is_empty() {
        return Value::Array(
            (1..re.captures_len())
                .map(|i| text(captures.get(i)))
                .collect(),
        );
    }
    Value::Object(
        named
            .into_iter()
            .map(|name| (name.to_string(), text(captures.name(name))))
            .collect(),
    )
}

fn regex(args: FuncArgs) -> Result {
    let re = compile(&args[0])?;
    let text = arg_str(&args[1])?;
    let captures = re
        .captures(&text)
        .ok_or_else(|| "the pattern did not match any part of the string".to_string())?;
    Ok(captures_value(&re, &captures))
}

fn regexall(args: FuncArgs) -> Result {
    let re = compile(&args[0])?;
    let text = arg_str(&args[1])?;
    Ok(Value::Array(
        re.captures_iter(&text)
            .map(|c| captures_value(&re, &c))
            .collect(),
    ))
}

/// `format(spec, values...)`: Go's verbs `%s`, `%d`, `%f` (with a precision), `%v`, `%q`, `%t`
/// and `%%`.
fn format(args: FuncArgs) -> Result {
    let spec = arg_str(&args[0])?;
    let mut values = args[1..].iter();
    let mut out = String::new();
    let mut chars = spec.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let mut precision = None;
        if chars.peek() == Some(&'.') {
            chars.next();
            let mut digits = String::new();
            while let Some(d) = chars.peek().copied().filter(char::is_ascii_digit) {
                digits.push(d);
                chars.next();
            }
            precision = digits.parse::<usize>().ok();
        }
        let verb = chars.next().ok_or("the format ends with a lone %")?;
        if verb == '%' {
            out.push('%');
            continue;
        }
        let value = values
            .next()
            .ok_or_else(|| format!("not enough arguments for %{verb}"))?;
        match verb {
            's' | 'v' => out.push_str(&match value {
                Value::Array(_) | Value::Object(_) | Value::Null => json(value)?,
                other => arg_str(other)?,
            }),
            'd' => out.push_str(&(arg_f64(value)?.trunc() as i64).to_string()),
            'f' => out.push_str(&format!("{:.*}", precision.unwrap_or(6), arg_f64(value)?)),
            'q' => out.push_str(&json(&Value::String(arg_str(value)?))?),
            't' => out.push_str(&value.as_bool().ok_or("%t needs a bool")?.to_string()),
            other => return Err(format!("unsupported format verb %{other}")),
        }
    }
    Ok(Value::String(out))
}

fn join(args: FuncArgs) -> Result {
    let separator = arg_str(&args[0])?;
    let mut parts = Vec::new();
    for list in &args[1..] {
        for item in arg_list(list)? {
            parts.push(arg_str(item)?);
        }
    }
    Ok(Value::String(parts.join(&separator)))
}

fn coalesce(args: FuncArgs) -> Result {
    args.iter()
        .find(|v| !v.is_null() && v.as_str() != Some(""))
        .cloned()
        .ok_or_else(|| "no non-null, non-empty-string arguments".into())
}

fn coalescelist(args: FuncArgs) -> Result {
    for list in args.iter() {
        if !arg_list(list)?.is_empty() {
            return Ok(list.clone());
        }
    }
    Err("no non-empty list arguments".into())
}

fn compact(args: FuncArgs) -> Result {
    Ok(Value::Array(
        arg_list(&args[0])?
            .iter()
            .filter(|v| !v.is_null() && v.as_str() != Some(""))
            .cloned()
            .collect(),
    ))
}

fn concat(args: FuncArgs) -> Result {
    let mut out = Vec::new();
    for list in args.iter() {
        out.extend(arg_list(list)?.iter().cloned());
    }
    Ok(Value::Array(out))
}

fn contains(args: FuncArgs) -> Result {
    Ok(Value::Bool(arg_list(&args[0])?.contains(&args[1])))
}

fn distinct(args: FuncArgs) -> Result {
    let mut out: Vec<Value> = Vec::new();
    for item in arg_list(&args[0])? {
        if !out.contains(item) {
            out.push(item.clone());
        }
    }
    Ok(Value::Array(out))
}

/// `element(list, index)`: the index wraps around the list's length.
fn element(args: FuncArgs) -> Result {
    let list = arg_list(&args[0])?;
    let index = arg_index(&args[1])?;
    if list.is_empty() {
        return Err("cannot use element function with an empty list".into());
    }
    if index < 0 {
        return Err("cannot use element function with a negative index".into());
    }
    Ok(list[index as usize % list.len()].clone())
}

fn chunklist(args: FuncArgs) -> Result {
    let list = arg_list(&args[0])?;
    let size = arg_index(&args[1])?;
    if size < 0 {
        return Err("the size argument must be positive".into());
    }
    if size == 0 {
        return Ok(Value::Array(vec![Value::Array(list.clone())]));
    }
    Ok(Value::Array(
        list.chunks(size as usize)
            .map(|c| Value::Array(c.to_vec()))
            .collect(),
    ))
}

fn flatten(args: FuncArgs) -> Result {
    fn go(list: &[Value], out: &mut Vec<Value>) {
        for item in list {
            match item {
                Value::Array(inner) => go(inner, out),
                other => out.push(other.clone()),
            }
        }
    }
    let mut out = Vec::new();
    go(arg_list(&args[0])?, &mut out);
    Ok(Value::Array(out))
}

fn sorted_entries(value: &Value) -> std::result::Result<Vec<(&String, &Value)>, String> {
    let mut entries: Vec<(&String, &Value)> = arg_object(value)?.iter().collect();
    entries.sort_by(|a, b| a.0.cmp(b.0));
    Ok(entries)
}

fn keys(args: FuncArgs) -> Result {
    Ok(Value::Array(
        sorted_entries(&args[0])?
            .into_iter()
            .map(|(k, _)| Value::String(k.clone()))
            .collect(),
    ))
}

fn values(args: FuncArgs) -> Result {
    Ok(Value::Array(
        sorted_entries(&args[0])?
            .into_iter()
            .map(|(_, v)| v.clone())
            .collect(),
    ))
}

fn length(args: FuncArgs) -> Result {
    let n = match &args[0] {
        Value::Array(list) => list.len(),
        Value::Object(object) => object.len(),
        Value::String(s) => s.chars().count(),
        other => return Err(format!("cannot take the length of {}", kind(other))),
    };
    Ok(Value::from(n as i64))
}

fn lookup(args: FuncArgs) -> Result {
    let object = arg_object(&args[0])?;
    let key = arg_str(&args[1])?;
    match (object.get(&key), args.get(2)) {
        (Some(value), _) => Ok(value.clone()),
        (None, Some(default)) => Ok(default.clone()),
        (None, None) => Err(format!("the object has no key \"{key}\"")),
    }
}

/// `merge(objects...)`: later keys win, shallowly; null arguments are skipped.
fn merge(args: FuncArgs) -> Result {
    let mut out = hcl::Map::new();
    for object in args.iter().filter(|v| !v.is_null()) {
        for (key, value) in arg_object(object)? {
            out.insert(key.clone(), value.clone());
        }
    }
    Ok(Value::Object(out))
}

/// `range(limit)`, `range(start, limit)`, `range(start, limit, step)`.
fn range(args: FuncArgs) -> Result {
    let numbers: Vec<f64> = args
        .iter()
        .map(arg_f64)
        .collect::<std::result::Result<_, _>>()?;
    let (start, limit, step) = match numbers[..] {
        [limit] => (0.0, limit, 1.0),
        [start, limit] => (start, limit, if limit >= start { 1.0 } else { -1.0 }),
        [start, limit, step] => (start, limit, step),
        _ => return Err("range takes one, two or three numbers".into()),
    };
    if step == 0.0 {
        return Err("the step must not be zero".into());
    }
    let mut out = Vec::new();
    let mut current = start;
    while (step > 0.0 && current < limit) || (step < 0.0 && current > limit) {
        if out.len() >= 1024 {
            return Err("more than 1024 values were generated".into());
        }
        out.push(number(current)?);
        current += step;
    }
    Ok(Value::Array(out))
}

fn reverselist(args: FuncArgs) -> Result {
    Ok(Value::Array(
        arg_list(&args[0])?.iter().rev().cloned().collect(),
    ))
}

fn slice(args: FuncArgs) -> Result {
    let list = arg_list(&args[0])?;
    let start = arg_index(&args[1])?;
    let end = arg_index(&args[2])?;
    if start < 0 || end > list.len() as i64 || start > end {
        return Err(format!(
            "slice({start}, {end}) is out of the list's range (0 to {})",
            list.len()
        ));
    }
    Ok(Value::Array(list[start as usize..end as usize].to_vec()))
}

fn sort(args: FuncArgs) -> Result {
    let mut items: Vec<String> = arg_list(&args[0])?
        .iter()
        .map(arg_str)
        .collect::<std::result::Result<_, _>>()?;
    items.sort();
    Ok(Value::Array(items.into_iter().map(Value::String).collect()))
}

/// A set as cty orders it: distinct elements, sorted (strings by text, numbers by value).
fn as_set(items: Vec<Value>) -> Value {
    let mut out: Vec<Value> = Vec::new();
    for item in items {
        if !out.contains(&item) {
            out.push(item);
        }
    }
    out.sort_by(|a, b| match (a, b) {
        (Value::Number(x), Value::Number(y)) => x
            .as_f64()
            .partial_cmp(&y.as_f64())
            .unwrap_or(std::cmp::Ordering::Equal),
        (Value::String(x), Value::String(y)) => x.cmp(y),
        _ => std::cmp::Ordering::Equal,
    });
    Value::Array(out)
}

fn setunion(args: FuncArgs) -> Result {
    let mut all = Vec::new();
    for list in args.iter() {
        all.extend(arg_list(list)?.iter().cloned());
    }
    Ok(as_set(all))
}

fn setintersection(args: FuncArgs) -> Result {
    let lists: Vec<&Vec<Value>> = args
        .iter()
        .map(arg_list)
        .collect::<std::result::Result<_, _>>()?;
    let Some((first, rest)) = lists.split_first() else {
        return Ok(Value::Array(Vec::new()));
    };
    Ok(as_set(
        first
            .iter()
            .filter(|item| rest.iter().all(|list| list.contains(item)))
            .cloned()
            .collect(),
    ))
}

fn setsubtract(args: FuncArgs) -> Result {
    let removed = arg_list(&args[1])?;
    Ok(as_set(
        arg_list(&args[0])?
            .iter()
            .filter(|item| !removed.contains(item))
            .cloned()
            .collect(),
    ))
}

fn zipmap(args: FuncArgs) -> Result {
    let keys = arg_list(&args[0])?;
    let values = arg_list(&args[1])?;
    if keys.len() != values.len() {
        return Err(format!(
            "{} keys but {} values: zipmap needs as many of each",
            keys.len(),
            values.len()
        ));
    }
    let mut out = hcl::Map::new();
    for (key, value) in keys.iter().zip(values) {
        out.insert(arg_str(key)?, value.clone());
    }
    Ok(Value::Object(out))
}

fn json(value: &Value) -> std::result::Result<String, String> {
    serde_json::to_string(value).map_err(|e| e.to_string())
}

fn jsonencode(args: FuncArgs) -> Result {
    Ok(Value::String(json(&args[0])?))
}

fn jsondecode(args: FuncArgs) -> Result {
    serde_json::from_str(&arg_str(&args[0])?).map_err(|e| format!("invalid JSON: {e}"))
}

fn yamlencode(args: FuncArgs) -> Result {
    serde_yaml::to_string(&args[0])
        .map(Value::String)
        .map_err(|e| e.to_string())
}

fn yamldecode(args: FuncArgs) -> Result {
    serde_yaml::from_str(&arg_str(&args[0])?).map_err(|e| format!("invalid YAML: {e}"))
}
