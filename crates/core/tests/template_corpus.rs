//! Differential test: every case of `tests/template_corpus/` rendered by windlass must give the
//! exact bytes (or the exact error) real Helmfile gave. See that folder's README for the format
//! and the data context reproduced here.
//!
//! Cases windlass does not match yet are listed in `template_corpus_known_failures.txt`; the test
//! fails when a listed case starts passing (so the list only shrinks) or an unlisted case fails.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use windlass::template::{ElemType, MapRef, Pointer, RenderOptions, Struct, Template, Value};

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/template_corpus")
}

/// `context/context.json`: the environment, the release and the environment variables.
fn context(dir: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(dir.join("context/context.json")).unwrap_or_default();
    serde_json::from_str(&text).unwrap_or_default()
}

fn field(ctx: &serde_json::Value, path: &[&str]) -> Value {
    let v = path.iter().fold(ctx, |v, k| &v[*k]);
    Value::str(v.as_str().unwrap_or_default())
}

/// Helmfile's release template data, as the README describes it.
fn data(dir: &Path, ctx: &serde_json::Value) -> Value {
    let text = std::fs::read_to_string(dir.join("context/values.yaml")).unwrap_or_default();
    let yaml: serde_yaml::Value = serde_yaml::from_str(&text).unwrap_or_default();
    let values = Value::from(&yaml);
    let environment = Struct::value(
        "environment.Environment",
        vec![
            ("Name".into(), field(ctx, &["environment", "name"])),
            (
                "KubeContext".into(),
                field(ctx, &["environment", "kubeContext"]),
            ),
            ("Values".into(), values.clone()),
            ("Defaults".into(), Value::empty_map()),
        ],
    );
    let labels: BTreeMap<String, Value> = ctx["release"]["labels"]
        .as_object()
        .map(|m| {
            m.iter()
                .map(|(k, v)| (k.clone(), Value::str(v.as_str().unwrap_or_default())))
                .collect()
        })
        .unwrap_or_default();
    let release = Struct::value(
        "state.releaseTemplateDataRelease",
        vec![
            ("Name".into(), field(ctx, &["release", "name"])),
            ("Namespace".into(), field(ctx, &["release", "namespace"])),
            (
                "Labels".into(),
                Value::Map(MapRef::typed(labels, ElemType::String)),
            ),
            ("Chart".into(), field(ctx, &["release", "chart"])),
            (
                "KubeContext".into(),
                field(ctx, &["release", "kubeContext"]),
            ),
        ],
    );
    Struct::value(
        "state.releaseTemplateData",
        vec![
            ("Environment".into(), environment),
            ("Release".into(), release),
            ("Values".into(), values.clone()),
            ("StateValues".into(), Pointer::to(values)),
            ("KubeContext".into(), Value::str("")),
            ("Namespace".into(), Value::str("")),
            ("Chart".into(), Value::str("")),
        ],
    )
}

fn options(dir: &Path, ctx: &serde_json::Value) -> RenderOptions {
    let mut env: BTreeMap<String, String> = ctx["env"]
        .as_object()
        .map(|m| {
            m.iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned()))
                .collect()
        })
        .unwrap_or_default();
    env.insert("HOME".into(), dir.display().to_string());
    RenderOptions::new(dir).with_env(env)
}

/// Renders one case; `Ok` holds the output, `Err` Go's error text.
fn run_case(source: &str, data: &Value, opts: &RenderOptions) -> Result<String, String> {
    let t = Template::parse("stringTemplate", source).map_err(|e| e.go_message())?;
    t.render(data, opts).map_err(|e| e.go_message())
}

#[test]
fn corpus_matches_helmfile() {
    let dir = corpus_dir();
    let ctx = context(&dir);
    let opts = options(&dir, &ctx);
    let known: BTreeSet<String> = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/template_corpus_known_failures.txt"),
    )
    .unwrap_or_default()
    .lines()
    .map(str::trim)
    .filter(|l| !l.is_empty() && !l.starts_with('#'))
    .map(str::to_owned)
    .collect();
    let mut cases: Vec<PathBuf> = std::fs::read_dir(dir.join("cases"))
        .map(|rd| rd.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    cases.retain(|p| p.extension().is_some_and(|e| e == "gotmpl"));
    cases.sort();
    assert!(
        cases.len() >= 400,
        "expected the corpus at {}",
        dir.display()
    );
    let mut failed = Vec::new();
    let mut report = String::new();
    for case in &cases {
        let stem = case
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default()
            .to_owned();
        let source = std::fs::read_to_string(case).unwrap_or_default();
        if std::env::var_os("CORPUS_REPORT").is_some() {
            let _ = std::fs::write(
                std::env::temp_dir().join("template_corpus_current.txt"),
                &stem,
            );
        }
        // Each case gets fresh data: Helmfile ran each in its own process, and `set` or `merge`
        // change maps in place.
        let got = run_case(&source, &data(&dir, &ctx), &opts);
        let out = std::fs::read_to_string(case.with_extension("out"));
        let err = std::fs::read_to_string(case.with_extension("err"));
        let ok = match (&got, out, err) {
            (Ok(g), Ok(want), _) => *g == want,
            (Err(g), _, Ok(want)) => *g == want.strip_suffix('\n').unwrap_or(&want),
            _ => false,
        };
        if !ok {
            report.push_str(&format!("--- {stem}\n{got:?}\n"));
            failed.push(stem);
        }
    }
    if std::env::var_os("CORPUS_REPORT").is_some() {
        let _ = std::fs::write(
            std::env::temp_dir().join("template_corpus_report.txt"),
            &report,
        );
    }
    let failed_set: BTreeSet<String> = failed.iter().cloned().collect();
    let newly_failing: Vec<&String> = failed_set.difference(&known).collect();
    let now_passing: Vec<&String> = known.difference(&failed_set).collect();
    assert!(
        newly_failing.is_empty() && now_passing.is_empty(),
        "{} of {} cases pass.\nfailing but not in the known-failures list: {newly_failing:?}\nlisted as known failures but passing: {now_passing:?}\n{report}",
        cases.len() - failed.len(),
        cases.len(),
    );
}
