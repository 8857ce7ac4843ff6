//! The data a template sees: a Go-like dynamic value (nil, bool, int, float, string, list, map,
//! objects with fields and methods), convertible to and from YAML without loss.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};

/// A Go value as templates see it. Maps are shared references, as Go's are: `set` and `merge`
/// change the map every holder sees.
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub enum Value {
    /// Go's nil (an empty `interface{}`), printed `<no value>` by an action and `<nil>` by `print`.
    #[default]
    Nil,
    /// A boolean.
    Bool(bool),
    /// A Go `int` (YAML integers, template literals).
    Int(i64),
    /// A Go `int64` (the result of sprig's arithmetic).
    Int64(i64),
    /// A Go `uint64` (YAML integers beyond the range of `int`).
    Uint(u64),
    /// A Go `float64`.
    Float(f64),
    /// A string.
    String(String),
    /// A slice; the element type matters only for `typeOf` and argument checks.
    List(Arc<Vec<Value>>, ElemType),
    /// A map with string keys, iterated in sorted key order.
    Map(MapRef),
    /// A Go struct or other typed object with fields and methods.
    Object(Arc<dyn Object>),
}

/// The Go element type of a list or map, as `typeOf` reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ElemType {
    /// `interface {}`
    Any,
    /// `string`
    String,
    /// `int`
    Int,
    /// `[]interface {}` (sprig's `chunk` returns `[][]interface {}`)
    List,
}

impl ElemType {
    fn go_name(self) -> &'static str {
        match self {
            ElemType::Any => "interface {}",
            ElemType::String => "string",
            ElemType::Int => "int",
            ElemType::List => "[]interface {}",
        }
    }
}

/// A shared, mutable Go map (`map[string]interface{}` or `map[string]string`).
#[derive(Clone, Debug)]
pub struct MapRef {
    inner: Arc<Mutex<BTreeMap<String, Value>>>,
    elem: ElemType,
}

impl MapRef {
    /// A new map holding `entries`, of Go type `map[string]interface {}`.
    pub fn new(entries: BTreeMap<String, Value>) -> Self {
        Self::typed(entries, ElemType::Any)
    }

    /// A new map whose Go element type is `elem`.
    pub fn typed(entries: BTreeMap<String, Value>, elem: ElemType) -> Self {
        Self {
            inner: Arc::new(Mutex::new(entries)),
            elem,
        }
    }

    /// The Go element type of the map.
    pub fn elem(&self) -> ElemType {
        self.elem
    }

    fn lock(&self) -> MutexGuard<'_, BTreeMap<String, Value>> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The value at `key`, if present.
    pub fn get(&self, key: &str) -> Option<Value> {
        self.lock().get(key).cloned()
    }

    /// Whether `key` is present.
    pub fn contains_key(&self, key: &str) -> bool {
        self.lock().contains_key(key)
    }

    /// Sets `key` to `value` in place.
    pub fn insert(&self, key: String, value: Value) {
        self.lock().insert(key, value);
    }

    /// Removes `key` in place.
    pub fn remove(&self, key: &str) {
        self.lock().remove(key);
    }

    /// The number of entries.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// Whether the map has no entries.
    pub fn is_empty(&self) -> bool {
        self.lock().is_empty()
    }

    /// A copy of the entries in key order (a snapshot: later changes do not show).
    pub fn entries(&self) -> Vec<(String, Value)> {
        self.lock()
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }

    /// The keys in sorted order.
    pub fn keys(&self) -> Vec<String> {
        self.lock().keys().cloned().collect()
    }

    /// Whether both handles point at the same map.
    pub fn same(&self, other: &MapRef) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }
}

/// A typed object: a Go struct, a directory entry, a semantic version, a time.
pub trait Object: Send + Sync + fmt::Debug {
    /// The Go type, as `typeOf` prints it (`state.releaseTemplateDataRelease`, `*semver.Version`).
    fn type_name(&self) -> String;
    /// The Go kind, as `kindOf` prints it (`struct`, `ptr`).
    fn kind_name(&self) -> &'static str {
        "struct"
    }
    /// The field `name`, if the object has one.
    fn field(&self, name: &str) -> Option<Value> {
        let _ = name;
        None
    }
    /// Calls the method `name`; `None` when there is no such method.
    fn method(&self, name: &str, args: &[Value]) -> Option<Result<Value, String>> {
        let _ = (name, args);
        None
    }
    /// The value a pointer points at; field access and `get` look through it.
    fn deref(&self) -> Option<Value> {
        None
    }
    /// The text Go formats the object as through its `Error()` (or `String()`) method, to which
    /// `%v` and `%s` apply their precision; `None` for objects without one.
    fn message(&self) -> Option<String> {
        None
    }
    /// Go's truthiness of the object: true, except for objects that stand for a nil interface
    /// (a nil `error` is false in `if`, yet prints `<nil>`).
    fn truthy(&self) -> bool {
        true
    }
    /// The text `fmt` prints for `%v`.
    fn go_string(&self) -> String;
    /// The plain data the object marshals to in YAML and JSON (a map of its fields).
    fn to_data(&self) -> Value {
        Value::String(self.go_string())
    }
    /// The list or map the object also is, for `range`, `len` and `index`: a named slice or map
    /// type with methods, such as helm's `.Files` or `.Capabilities.APIVersions`.
    fn collection(&self) -> Option<Value> {
        None
    }
    /// The bytes of a Go `[]byte`, which `toString` turns into text.
    fn bytes(&self) -> Option<&[u8]> {
        None
    }
    /// The object as `Any`, so functions can recognise their own types (`semver` versions).
    fn as_any(&self) -> &dyn std::any::Any;
}

/// A Go struct with named, ordered fields: the template data (`.Environment`, `.Release`).
#[derive(Debug, Clone)]
pub struct Struct {
    /// The Go type name, e.g. `state.EnvironmentTemplateData`.
    pub type_name: String,
    /// Fields in declaration order.
    pub fields: Vec<(String, Value)>,
    /// Whether the value is reached through a pointer (`kindOf` says `ptr`).
    pub pointer: bool,
}

impl Struct {
    /// A struct value of Go type `type_name` with `fields` in declaration order.
    pub fn value(type_name: impl Into<String>, fields: Vec<(String, Value)>) -> Value {
        Value::Object(Arc::new(Struct {
            type_name: type_name.into(),
            fields,
            pointer: false,
        }))
    }
}

impl Object for Struct {
    fn type_name(&self) -> String {
        if self.pointer {
            format!("*{}", self.type_name)
        } else {
            self.type_name.clone()
        }
    }
    fn kind_name(&self) -> &'static str {
        if self.pointer { "ptr" } else { "struct" }
    }
    fn field(&self, name: &str) -> Option<Value> {
        self.fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
    }
    fn go_string(&self) -> String {
        let parts: Vec<String> = self
            .fields
            .iter()
            .map(|(_, v)| super::format::sprint_value(v))
            .collect();
        let body = format!("{{{}}}", parts.join(" "));
        if self.pointer {
            format!("&{body}")
        } else {
            body
        }
    }
    fn to_data(&self) -> Value {
        // go-yaml lowercases struct field names when no tag is given.
        let map = self
            .fields
            .iter()
            .map(|(n, v)| (n.to_lowercase(), v.clone()))
            .collect();
        Value::Map(MapRef::new(map))
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

/// A pointer to a value (Helmfile's `.StateValues` is a `*map[string]interface {}`): fields read
/// through it, `typeOf` says `*T` and `kindOf` says `ptr`.
#[derive(Debug, Clone)]
pub struct Pointer(pub Value);

impl Pointer {
    /// A pointer to `target`.
    pub fn to(target: Value) -> Value {
        Value::Object(Arc::new(Pointer(target)))
    }
}

impl Object for Pointer {
    fn type_name(&self) -> String {
        format!("*{}", self.0.type_name())
    }
    fn kind_name(&self) -> &'static str {
        "ptr"
    }
    fn deref(&self) -> Option<Value> {
        Some(self.0.clone())
    }
    fn go_string(&self) -> String {
        format!("&{}", super::format::sprint_value(&self.0))
    }
    fn to_data(&self) -> Value {
        self.0.plain()
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

/// A Go `[]byte`, or a Go `string` whose bytes are not UTF-8 (a binary file read by helm's
/// `.Files.Get`), which `b64enc` and `toString` pass on as they are.
#[derive(Debug)]
pub struct GoBytes {
    data: Arc<[u8]>,
    string: bool,
}

impl GoBytes {
    /// A `[]byte`.
    pub fn slice(data: Arc<[u8]>) -> Value {
        Value::Object(Arc::new(GoBytes {
            data,
            string: false,
        }))
    }

    /// A Go `string` of these bytes: a plain string when they are UTF-8.
    pub fn string(data: Arc<[u8]>) -> Value {
        match std::str::from_utf8(&data) {
            Ok(text) => Value::str(text),
            Err(_) => Value::Object(Arc::new(GoBytes { data, string: true })),
        }
    }
}

impl Object for GoBytes {
    fn type_name(&self) -> String {
        if self.string { "string" } else { "[]uint8" }.into()
    }
    fn kind_name(&self) -> &'static str {
        if self.string { "string" } else { "slice" }
    }
    fn go_string(&self) -> String {
        if self.string {
            return String::from_utf8_lossy(&self.data).into_owned();
        }
        let parts: Vec<String> = self.data.iter().map(u8::to_string).collect();
        format!("[{}]", parts.join(" "))
    }
    fn to_data(&self) -> Value {
        if self.string {
            return Value::String(self.go_string());
        }
        // encoding/json writes a []byte as base64.
        use base64::Engine as _;
        Value::String(base64::engine::general_purpose::STANDARD.encode(&self.data))
    }
    fn bytes(&self) -> Option<&[u8]> {
        Some(&self.data)
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

impl Value {
    /// A string value.
    pub fn str(s: impl Into<String>) -> Value {
        Value::String(s.into())
    }

    /// A `[]interface {}` list.
    pub fn list(items: Vec<Value>) -> Value {
        Value::List(Arc::new(items), ElemType::Any)
    }

    /// A `[]string` list.
    pub fn string_list(items: Vec<String>) -> Value {
        Value::List(
            Arc::new(items.into_iter().map(Value::String).collect()),
            ElemType::String,
        )
    }

    /// A `map[string]interface {}`.
    pub fn map(entries: BTreeMap<String, Value>) -> Value {
        Value::Map(MapRef::new(entries))
    }

    /// An empty `map[string]interface {}`.
    pub fn empty_map() -> Value {
        Value::map(BTreeMap::new())
    }

    /// Whether this is nil.
    pub fn is_nil(&self) -> bool {
        matches!(self, Value::Nil)
    }

    /// Go's truthiness: false, 0, nil, and empty strings, lists and maps are false.
    pub fn truthy(&self) -> bool {
        match self {
            Value::Nil => false,
            Value::Bool(b) => *b,
            Value::Int(i) | Value::Int64(i) => *i != 0,
            Value::Uint(u) => *u != 0,
            Value::Float(f) => *f != 0.0,
            Value::String(s) => !s.is_empty(),
            Value::List(l, _) => !l.is_empty(),
            Value::Map(m) => !m.is_empty(),
            // A nil `error` is false; a named map or slice type (helm's `.Files`) is false when
            // empty.
            Value::Object(o) => o.truthy() && o.collection().is_none_or(|c| c.truthy()),
        }
    }

    /// The Go type name, as `typeOf` and `%T` print it (`<nil>` for nil).
    pub fn type_name(&self) -> String {
        match self {
            Value::Nil => "<nil>".into(),
            Value::Bool(_) => "bool".into(),
            Value::Int(_) => "int".into(),
            Value::Int64(_) => "int64".into(),
            Value::Uint(_) => "uint64".into(),
            Value::Float(_) => "float64".into(),
            Value::String(_) => "string".into(),
            Value::List(_, e) => format!("[]{}", e.go_name()),
            Value::Map(m) => format!("map[string]{}", m.elem().go_name()),
            Value::Object(o) => o.type_name(),
        }
    }

    /// The type name an argument check reports (`interface {}` for nil).
    pub(crate) fn arg_type_name(&self) -> String {
        match self {
            Value::Nil => "interface {}".into(),
            v => v.type_name(),
        }
    }

    /// The Go kind, as `kindOf` prints it.
    pub fn kind_name(&self) -> &'static str {
        match self {
            Value::Nil => "invalid",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int",
            Value::Int64(_) => "int64",
            Value::Uint(_) => "uint64",
            Value::Float(_) => "float64",
            Value::String(_) => "string",
            Value::List(..) => "slice",
            Value::Map(_) => "map",
            Value::Object(o) => o.kind_name(),
        }
    }

    /// The string inside, if this is a string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The integer inside, if this is an int or int64.
    pub fn as_int(&self) -> Option<i64> {
        match self {
            Value::Int(i) | Value::Int64(i) => Some(*i),
            _ => None,
        }
    }

    /// A deep copy: maps and lists are copied, so changes to the copy do not show in the original.
    pub fn deep_copy(&self) -> Value {
        match self {
            Value::List(l, e) => {
                Value::List(Arc::new(l.iter().map(Value::deep_copy).collect()), *e)
            }
            Value::Map(m) => Value::Map(MapRef::typed(
                m.entries()
                    .into_iter()
                    .map(|(k, v)| (k, v.deep_copy()))
                    .collect(),
                m.elem(),
            )),
            v => v.clone(),
        }
    }

    /// The struct inside, if this is a [`Struct`] object.
    pub fn as_struct(&self) -> Option<&Struct> {
        match self {
            Value::Object(o) => o.as_any().downcast_ref::<Struct>(),
            _ => None,
        }
    }

    /// The plain data of this value for serialisation (objects become maps of their fields).
    pub(crate) fn plain(&self) -> Value {
        match self {
            Value::Object(o) => o.to_data(),
            v => v.clone(),
        }
    }
}

impl From<&serde_yaml::Value> for Value {
    fn from(v: &serde_yaml::Value) -> Self {
        use serde_yaml::Value as Y;
        match v {
            Y::Null => Value::Nil,
            Y::Bool(b) => Value::Bool(*b),
            Y::Number(n) => {
                if let Some(i) = n.as_i64() {
                    Value::Int(i)
                } else if let Some(u) = n.as_u64() {
                    Value::Uint(u)
                } else {
                    Value::Float(n.as_f64().unwrap_or(0.0))
                }
            }
            Y::String(s) => Value::String(s.clone()),
            Y::Sequence(items) => Value::list(items.iter().map(Value::from).collect()),
            Y::Mapping(m) => Value::map(
                m.iter()
                    .map(|(k, v)| (yaml_key_string(k), Value::from(v)))
                    .collect(),
            ),
            Y::Tagged(t) => Value::from(&t.value),
        }
    }
}

impl From<serde_yaml::Value> for Value {
    fn from(v: serde_yaml::Value) -> Self {
        Value::from(&v)
    }
}

/// A YAML key as the string Go's `map[string]interface{}` conversion makes of it.
pub(crate) fn yaml_key_string(k: &serde_yaml::Value) -> String {
    use serde_yaml::Value as Y;
    match k {
        Y::String(s) => s.clone(),
        Y::Null => String::new(),
        other => super::format::sprint_value(&Value::from(other)),
    }
}

impl From<&Value> for serde_yaml::Value {
    fn from(v: &Value) -> Self {
        use serde_yaml::Value as Y;
        match v.plain() {
            Value::Nil => Y::Null,
            Value::Bool(b) => Y::Bool(b),
            Value::Int(i) | Value::Int64(i) => Y::Number(i.into()),
            Value::Uint(u) => Y::Number(u.into()),
            Value::Float(f) => Y::Number(f.into()),
            Value::String(s) => Y::String(s),
            Value::List(l, _) => Y::Sequence(l.iter().map(serde_yaml::Value::from).collect()),
            Value::Map(m) => Y::Mapping(
                m.entries()
                    .into_iter()
                    .map(|(k, v)| (Y::String(k), serde_yaml::Value::from(&v)))
                    .collect(),
            ),
            Value::Object(o) => Y::String(o.go_string()),
        }
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::String(s.to_owned())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::String(s)
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}

impl From<i64> for Value {
    fn from(i: i64) -> Self {
        Value::Int(i)
    }
}

impl From<f64> for Value {
    fn from(f: f64) -> Self {
        Value::Float(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_round_trip_keeps_types() {
        let y: serde_yaml::Value =
            serde_yaml::from_str("a: 1\nb: 1.5\nc: [x, true, null]\nd: {e: f}\n")
                .unwrap_or_default();
        let v = Value::from(&y);
        assert_eq!(serde_yaml::Value::from(&v), y);
    }

    #[test]
    fn truthiness_follows_go() {
        let cases = [
            (Value::Nil, false),
            (Value::Int(0), false),
            (Value::Float(0.5), true),
            (Value::str(""), false),
            (Value::list(vec![]), false),
            (Value::empty_map(), false),
            (Value::Bool(true), true),
        ];
        for (v, want) in cases {
            assert_eq!(v.truthy(), want, "{v:?}");
        }
    }
}
