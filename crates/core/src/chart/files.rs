//! `.Files`: the chart's files that are not templates, values or subcharts (helm's
//! `engine.files`, a `map[string][]byte` with `Get`, `GetBytes`, `Glob`, `Lines`, `AsConfig` and
//! `AsSecrets`).

use std::collections::BTreeMap;
use std::sync::Arc;

use base64::Engine as _;

use super::ChartFile;
use super::pattern::Glob;
use crate::template::{ElemType, GoBytes, MapRef, Object, Value, helm_to_yaml, sprint_value};

/// A set of chart files by path.
#[derive(Debug, Clone, Default)]
pub(crate) struct Files(Arc<BTreeMap<String, Arc<[u8]>>>);

impl Files {
    /// The `.Files` of a chart.
    pub fn new(files: &[ChartFile]) -> Self {
        Files(Arc::new(
            files
                .iter()
                .map(|f| (f.name.clone(), f.data.clone()))
                .collect(),
        ))
    }

    /// As a template value.
    pub fn value(self) -> Value {
        Value::Object(Arc::new(self))
    }

    fn get_bytes(&self, name: &str) -> Arc<[u8]> {
        self.0
            .get(name)
            .cloned()
            .unwrap_or_else(|| Arc::from(Vec::new()))
    }

    fn glob(&self, pattern: &str) -> Files {
        let g = Glob::new(pattern);
        Files(Arc::new(
            self.0
                .iter()
                .filter(|(name, _)| g.matches(name))
                .map(|(n, d)| (n.clone(), d.clone()))
                .collect(),
        ))
    }

    /// A `map[string]string` of base names to contents, written by helm's `toYaml`.
    fn as_yaml(&self, encode: impl Fn(&[u8]) -> String) -> String {
        let m: BTreeMap<String, Value> = self
            .0
            .iter()
            .map(|(k, v)| {
                let base = k.rsplit('/').next().unwrap_or(k).to_owned();
                (base, Value::String(encode(v)))
            })
            .collect();
        helm_to_yaml(&Value::Map(MapRef::typed(m, ElemType::String))).unwrap_or_default()
    }

    fn lines(&self, path: &str) -> Value {
        let Some(data) = self.0.get(path) else {
            return Value::string_list(Vec::new());
        };
        let text = String::from_utf8_lossy(data);
        let text = text.strip_suffix('\n').unwrap_or(&text);
        Value::string_list(text.split('\n').map(str::to_owned).collect())
    }
}

fn string_arg(name: &str, args: &[Value]) -> Result<String, String> {
    match args {
        [Value::String(s)] => Ok(s.clone()),
        [other] => Err(format!(
            "wrong type for value; expected string; got {}",
            other.arg_type_name()
        )),
        _ => Err(format!(
            "wrong number of args for {name}: want 1 got {}",
            args.len()
        )),
    }
}

fn no_args(name: &str, args: &[Value]) -> Result<(), String> {
    if args.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "wrong number of args for {name}: want 0 got {}",
            args.len()
        ))
    }
}

impl Object for Files {
    fn type_name(&self) -> String {
        "engine.files".into()
    }
    fn kind_name(&self) -> &'static str {
        "map"
    }
    fn method(&self, name: &str, args: &[Value]) -> Option<Result<Value, String>> {
        Some(match name {
            "Get" => string_arg(name, args).map(|p| GoBytes::string(self.get_bytes(&p))),
            "GetBytes" => string_arg(name, args).map(|p| GoBytes::slice(self.get_bytes(&p))),
            "Glob" => string_arg(name, args).map(|p| self.glob(&p).value()),
            "Lines" => string_arg(name, args).map(|p| self.lines(&p)),
            "AsConfig" => no_args(name, args)
                .map(|()| Value::String(self.as_yaml(|d| String::from_utf8_lossy(d).into_owned()))),
            "AsSecrets" => no_args(name, args).map(|()| {
                Value::String(self.as_yaml(|d| base64::engine::general_purpose::STANDARD.encode(d)))
            }),
            _ => return None,
        })
    }
    fn go_string(&self) -> String {
        sprint_value(&self.collection().unwrap_or_default())
    }
    fn to_data(&self) -> Value {
        Value::map(
            self.0
                .iter()
                .map(|(k, v)| (k.clone(), GoBytes::slice(v.clone()).plain()))
                .collect(),
        )
    }
    fn collection(&self) -> Option<Value> {
        Some(Value::map(
            self.0
                .iter()
                .map(|(k, v)| (k.clone(), GoBytes::slice(v.clone())))
                .collect(),
        ))
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}
