//! The data Helmfile's templates see, built as Helmfile builds it: `.Environment`, `.Values`,
//! `.StateValues` and `.Namespace` for state files; plus `.Release` (and the `--kube-context`,
//! `--namespace` overrides) for release fields and `*.gotmpl` values files.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_yaml::Value as Yaml;

use crate::project::{LoadOptions, Release};
use crate::secrets::{DecryptOptions, decrypt_file};
use crate::template::{
    ElemType, MapRef, MissingKey, Pointer, RenderOptions, SecretResolver, Struct, Template,
    TemplateError, Value,
};

/// The environment as templates see it.
#[derive(Debug, Clone)]
pub(crate) struct EnvironmentData<'a> {
    /// `.Environment.Name`.
    pub name: &'a str,
    /// `.Environment.KubeContext`.
    pub kube_context: &'a str,
    /// `.Values`, `.StateValues` and `.Environment.Values`.
    pub values: &'a Yaml,
}

/// The release fields a template sees as `.Release`.
#[derive(Debug, Clone, Default)]
pub(crate) struct ReleaseData {
    pub name: String,
    pub namespace: String,
    pub labels: BTreeMap<String, String>,
    pub chart: String,
    pub kube_context: String,
}

fn environment(env: &EnvironmentData<'_>, values: &Value) -> Value {
    Struct::value(
        "environment.Environment",
        vec![
            ("Name".into(), Value::str(env.name)),
            ("KubeContext".into(), Value::str(env.kube_context)),
            ("Values".into(), values.clone()),
            ("Defaults".into(), Value::empty_map()),
        ],
    )
}

/// Helmfile's `EnvironmentTemplateData`, for state files; `namespace` is the `--namespace` flag.
pub(crate) fn state_data(env: &EnvironmentData<'_>, namespace: &str) -> Value {
    let values = Value::from(env.values);
    Struct::value(
        "state.EnvironmentTemplateData",
        vec![
            ("Environment".into(), environment(env, &values)),
            ("Namespace".into(), Value::str(namespace)),
            ("Values".into(), values.clone()),
            ("StateValues".into(), Pointer::to(values)),
        ],
    )
}

/// `.Environment` of `env` (`Name`, `KubeContext`, `Values`).
pub(crate) fn environment_value(env: &EnvironmentData<'_>) -> Value {
    environment(env, &Value::from(env.values))
}

/// The environment as the templates of a state file's releases see it.
pub(crate) fn environment_of<'a>(
    project: &'a crate::project::Project,
    state: &'a crate::project::StateFile,
) -> EnvironmentData<'a> {
    EnvironmentData {
        name: &project.environment.name,
        kube_context: project
            .environment
            .kube_context
            .as_deref()
            .unwrap_or_default(),
        values: &state.values,
    }
}

/// The `.Release` fields of a resolved release.
pub(crate) fn release_fields(release: &Release) -> ReleaseData {
    ReleaseData {
        name: release.name().to_string(),
        namespace: release.namespace().to_string(),
        labels: release
            .spec
            .labels
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
        chart: release.chart().to_string(),
        kube_context: release.spec.kube_context.clone().unwrap_or_default(),
    }
}

/// Helmfile's `releaseTemplateData`, for release fields and `*.gotmpl` values files; the
/// `--namespace` and `--kube-context` overrides come from `options`.
pub(crate) fn release_data(
    env: &EnvironmentData<'_>,
    release: &ReleaseData,
    options: &LoadOptions,
) -> Value {
    Struct::value(
        "state.releaseTemplateData",
        release_data_fields(env, release, options),
    )
}

/// The fields of [`release_data`], for templates that see more (`write-values`' `.State`).
pub(crate) fn release_data_fields(
    env: &EnvironmentData<'_>,
    release: &ReleaseData,
    options: &LoadOptions,
) -> Vec<(String, Value)> {
    let namespace_override = options.namespace.as_deref().unwrap_or_default();
    let kube_context_override = options.kube_context.as_deref().unwrap_or_default();
    let values = Value::from(env.values);
    let labels = release
        .labels
        .iter()
        .map(|(k, v)| (k.clone(), Value::str(v)))
        .collect();
    vec![
        ("Environment".into(), environment(env, &values)),
        (
            "Release".into(),
            Struct::value(
                "state.releaseTemplateDataRelease",
                vec![
                    ("Name".into(), Value::str(&release.name)),
                    ("Namespace".into(), Value::str(&release.namespace)),
                    (
                        "Labels".into(),
                        Value::Map(MapRef::typed(labels, ElemType::String)),
                    ),
                    ("Chart".into(), Value::str(&release.chart)),
                    ("KubeContext".into(), Value::str(&release.kube_context)),
                ],
            ),
        ),
        ("Values".into(), values.clone()),
        ("StateValues".into(), Pointer::to(values)),
        ("KubeContext".into(), Value::str(kube_context_override)),
        ("Namespace".into(), Value::str(namespace_override)),
        ("Chart".into(), Value::str("")),
    ]
}

/// Renders `source` (named `name` in errors) over `data`, with relative paths from `base_dir`,
/// the load options' environment variables, and `ref+sops://` references decrypted with its keys.
pub(crate) fn render(
    name: &Path,
    source: &str,
    data: &Value,
    base_dir: &Path,
    missing_key: MissingKey,
    options: &LoadOptions,
) -> Result<String, TemplateError> {
    let template = Template::parse(&name.to_string_lossy(), source)?;
    template.render(data, &render_options(base_dir, missing_key, options))
}

/// How Helmfile's templates render: relative paths from `base_dir`, the load options'
/// environment variables, and `ref+sops://` references decrypted with its keys.
pub(crate) fn render_options(
    base_dir: &Path,
    missing_key: MissingKey,
    options: &LoadOptions,
) -> RenderOptions {
    let secrets: Arc<dyn SecretResolver> = Arc::new(SopsReferences {
        decrypt: options.decrypt.clone(),
        base_dir: base_dir.to_path_buf(),
    });
    RenderOptions {
        missing_key,
        env: (*options.env).clone(),
        secrets: Some(secrets),
        ..RenderOptions::new(base_dir)
    }
}

/// What Helmfile's event bus gives every hook's templates besides `.Event` and
/// `.HelmfileCommand`: `.Environment` and `.Namespace` (the `--namespace` flag); a release's
/// hooks also see `.Values` (the state values) and `.Release` (its spec).
pub(crate) fn hook_fields(
    env: &EnvironmentData<'_>,
    release: Option<&Release>,
    options: &LoadOptions,
) -> Vec<(String, Value)> {
    let values = Value::from(env.values);
    let mut fields = vec![
        ("Environment".to_string(), environment(env, &values)),
        (
            "Namespace".to_string(),
            Value::str(options.namespace.as_deref().unwrap_or_default()),
        ),
    ];
    if let Some(release) = release {
        fields.push(("Values".into(), values));
        fields.push(("Release".into(), release_spec(release)));
    }
    fields
}

/// A release as Helmfile's `*state.ReleaseSpec`, with the fields hooks read.
fn release_spec(release: &Release) -> Value {
    let data = release_fields(release);
    let labels = data
        .labels
        .into_iter()
        .map(|(k, v)| (k, Value::str(v)))
        .collect();
    Value::Object(Arc::new(Struct {
        type_name: "state.ReleaseSpec".into(),
        fields: vec![
            ("Chart".into(), Value::str(data.chart)),
            (
                "Version".into(),
                Value::str(release.spec.version.clone().unwrap_or_default()),
            ),
            ("Name".into(), Value::str(data.name)),
            ("Namespace".into(), Value::str(data.namespace)),
            (
                "Labels".into(),
                Value::Map(MapRef::typed(labels, ElemType::String)),
            ),
            ("KubeContext".into(), Value::str(data.kube_context)),
            (
                "Needs".into(),
                Value::string_list(release.spec.needs.clone()),
            ),
        ],
        pointer: true,
    }))
}

/// `ref+sops://FILE#/path/to/key` references (as Helmfile's vals reads them), decrypted in
/// process; `FILE` is relative to the template's folder.
struct SopsReferences {
    decrypt: Arc<DecryptOptions>,
    base_dir: PathBuf,
}

impl SecretResolver for SopsReferences {
    fn resolve(&self, reference: &str) -> Result<String, String> {
        let body = reference.strip_prefix("ref+sops://").unwrap_or(reference);
        let (file, fragment) = body.split_once('#').unwrap_or((body, ""));
        let decrypted =
            decrypt_file(&self.base_dir.join(file), &self.decrypt).map_err(|e| e.to_string())?;
        let mut value = decrypted.into_value();
        for key in fragment.split('/').filter(|k| !k.is_empty()) {
            value = value
                .get(key)
                .cloned()
                .ok_or_else(|| format!("{file}: no key \"{key}\" along \"{fragment}\""))?;
        }
        match crate::project::scalar_text(&value) {
            Some(text) => Ok(text),
            None => Ok(crate::yaml::to_string(&value)),
        }
    }
}
