//! `.Capabilities` as `helm template` 3.17 fills it without a cluster: Kubernetes v1.32.0 (or
//! `--kube-version`), the API versions helm 3.17 knows (plus `--api-versions`), and helm's own
//! build information.

use std::sync::Arc;

use crate::template::{Object, Struct, Value, normalize_version, sprint_value};

/// The API versions helm 3.17.3's client library knows, in its order (what `helm template`
/// reports without `--api-versions`).
const DEFAULT_API_VERSIONS: &str = include_str!("api_versions.txt");

/// The helm release whose behaviour the native renderer reproduces (`.Capabilities.HelmVersion`).
pub const HELM_VERSION: &str = "v3.17.3";
const HELM_GIT_COMMIT: &str = "e4da49785aa6e6ee2b86efd5dd9e43400318262b";
const HELM_GO_VERSION: &str = "go1.23.7";

/// The cluster a chart is rendered for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Capabilities {
    /// `v1.32.0`-style version.
    pub kube_version: String,
    /// Major version, e.g. `1`.
    pub kube_major: String,
    /// Minor version, e.g. `32`.
    pub kube_minor: String,
    /// API versions (`apps/v1`, `monitoring.coreos.com/v1/ServiceMonitor`...).
    pub api_versions: Vec<String>,
}

impl Default for Capabilities {
    fn default() -> Self {
        Self {
            kube_version: "v1.32.0".into(),
            kube_major: "1".into(),
            kube_minor: "32".into(),
            api_versions: DEFAULT_API_VERSIONS.lines().map(str::to_owned).collect(),
        }
    }
}

impl Capabilities {
    /// helm's defaults with `--kube-version` (when given) and `--api-versions` added.
    pub fn new(kube_version: Option<&str>, extra_api_versions: &[String]) -> Result<Self, String> {
        let mut caps = Capabilities::default();
        if let Some(v) = kube_version {
            let Some((major, minor, text)) = normalize_version(v) else {
                return Err(format!(
                    "invalid kube version '{v}': Invalid Semantic Version"
                ));
            };
            caps.kube_version = format!("v{text}");
            caps.kube_major = major.to_string();
            caps.kube_minor = minor.to_string();
        }
        caps.api_versions.extend(extra_api_versions.iter().cloned());
        Ok(caps)
    }

    /// The `.Capabilities` object templates see.
    pub(crate) fn template_object(&self) -> Value {
        Value::Object(Arc::new(CapabilitiesObject(self.clone())))
    }
}

/// `*chartutil.Capabilities`.
#[derive(Debug)]
struct CapabilitiesObject(Capabilities);

impl CapabilitiesObject {
    fn kube_version(&self) -> Value {
        Value::Object(Arc::new(KubeVersion {
            version: self.0.kube_version.clone(),
            major: self.0.kube_major.clone(),
            minor: self.0.kube_minor.clone(),
        }))
    }

    fn api_versions(&self) -> Value {
        Value::Object(Arc::new(VersionSet(self.0.api_versions.clone())))
    }

    fn helm_version() -> Value {
        Value::Object(Arc::new(BuildInfo))
    }
}

/// helm's `version.BuildInfo`: Go field names in templates, JSON tags when marshalled.
#[derive(Debug)]
struct BuildInfo;

impl BuildInfo {
    const FIELDS: [(&'static str, &'static str, &'static str); 4] = [
        ("Version", "version", HELM_VERSION),
        ("GitCommit", "git_commit", HELM_GIT_COMMIT),
        ("GitTreeState", "git_tree_state", "clean"),
        ("GoVersion", "go_version", HELM_GO_VERSION),
    ];
}

impl Object for BuildInfo {
    fn type_name(&self) -> String {
        "version.BuildInfo".into()
    }
    fn field(&self, name: &str) -> Option<Value> {
        Self::FIELDS
            .iter()
            .find(|(f, _, _)| *f == name)
            .map(|(_, _, v)| Value::str(*v))
    }
    fn go_string(&self) -> String {
        let values: Vec<&str> = Self::FIELDS.iter().map(|(_, _, v)| *v).collect();
        format!("{{{}}}", values.join(" "))
    }
    fn to_data(&self) -> Value {
        Struct::value(
            "version.BuildInfo",
            Self::FIELDS
                .iter()
                .map(|(_, json, v)| ((*json).to_owned(), Value::str(*v)))
                .collect(),
        )
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

impl Object for CapabilitiesObject {
    fn type_name(&self) -> String {
        "*chartutil.Capabilities".into()
    }
    fn kind_name(&self) -> &'static str {
        "ptr"
    }
    fn field(&self, name: &str) -> Option<Value> {
        match name {
            "KubeVersion" => Some(self.kube_version()),
            "APIVersions" => Some(self.api_versions()),
            "HelmVersion" => Some(Self::helm_version()),
            _ => None,
        }
    }
    fn go_string(&self) -> String {
        format!(
            "&{{{} {} {}}}",
            KubeVersion::struct_text(&self.0),
            sprint_value(&Value::string_list(self.0.api_versions.clone())),
            sprint_value(&Self::helm_version())
        )
    }
    fn to_data(&self) -> Value {
        Struct::value(
            "chartutil.Capabilities",
            vec![
                (
                    "KubeVersion".into(),
                    Struct::value(
                        "chartutil.KubeVersion",
                        vec![
                            ("Version".into(), Value::str(&self.0.kube_version)),
                            ("Major".into(), Value::str(&self.0.kube_major)),
                            ("Minor".into(), Value::str(&self.0.kube_minor)),
                        ],
                    ),
                ),
                (
                    "APIVersions".into(),
                    Value::string_list(self.0.api_versions.clone()),
                ),
                ("HelmVersion".into(), BuildInfo.to_data()),
            ],
        )
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

/// `chartutil.KubeVersion`, reached through the `*Capabilities` so its `String` method prints.
#[derive(Debug)]
struct KubeVersion {
    version: String,
    major: String,
    minor: String,
}

impl KubeVersion {
    fn struct_text(caps: &Capabilities) -> String {
        format!(
            "{{{} {} {}}}",
            caps.kube_version, caps.kube_major, caps.kube_minor
        )
    }
}

impl Object for KubeVersion {
    fn type_name(&self) -> String {
        "chartutil.KubeVersion".into()
    }
    fn field(&self, name: &str) -> Option<Value> {
        match name {
            "Version" => Some(Value::str(&self.version)),
            "Major" => Some(Value::str(&self.major)),
            "Minor" => Some(Value::str(&self.minor)),
            _ => None,
        }
    }
    fn method(&self, name: &str, args: &[Value]) -> Option<Result<Value, String>> {
        match name {
            "String" | "GitVersion" if args.is_empty() => Some(Ok(Value::str(&self.version))),
            "String" | "GitVersion" => Some(Err(format!(
                "wrong number of args for {name}: want 0 got {}",
                args.len()
            ))),
            _ => None,
        }
    }
    fn go_string(&self) -> String {
        self.version.clone()
    }
    fn to_data(&self) -> Value {
        Struct::value(
            "chartutil.KubeVersion",
            vec![
                ("Version".into(), Value::str(&self.version)),
                ("Major".into(), Value::str(&self.major)),
                ("Minor".into(), Value::str(&self.minor)),
            ],
        )
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

/// `chartutil.VersionSet`: a list of API versions with a `Has` method.
#[derive(Debug)]
struct VersionSet(Vec<String>);

impl Object for VersionSet {
    fn type_name(&self) -> String {
        "chartutil.VersionSet".into()
    }
    fn kind_name(&self) -> &'static str {
        "slice"
    }
    fn method(&self, name: &str, args: &[Value]) -> Option<Result<Value, String>> {
        if name != "Has" {
            return None;
        }
        Some(match args {
            [Value::String(v)] => Ok(Value::Bool(self.0.iter().any(|x| x == v))),
            [other] => Err(format!(
                "wrong type for value; expected string; got {}",
                other.type_name()
            )),
            _ => Err(format!(
                "wrong number of args for Has: want 1 got {}",
                args.len()
            )),
        })
    }
    fn go_string(&self) -> String {
        sprint_value(&Value::string_list(self.0.clone()))
    }
    fn to_data(&self) -> Value {
        Value::string_list(self.0.clone())
    }
    fn collection(&self) -> Option<Value> {
        Some(Value::string_list(self.0.clone()))
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}
