//! Parse and render throughput of the template engine on the two shapes Helmfile users write:
//! a long values template and a `helmfile.yaml.gotmpl` with many releases.
#![allow(missing_docs)] // criterion_group! defines an undocumented public function.

use std::fmt::Write as _;

use criterion::{Criterion, criterion_group, criterion_main};
use windlass::template::{RenderOptions, Struct, Template, Value};

/// A values template of 5,004 lines (417 blocks of 12): fields, defaults, conditionals, ranges
/// and pipelines.
fn values_template() -> String {
    const BLOCK: &str = r#"serviceINDEX:
  name: {{ .Values.name }}-INDEX
  replicas: {{ .Values.replicas | default 1 }}
  image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"
  {{- if .Values.enabled }}
  enabled: true
  {{- end }}
  labels:
    {{- range $k, $v := .Values.labels }}
    {{ $k }}: {{ $v | quote }}
    {{- end }}
  env: {{ .Environment.Name | upper }}
"#;
    (0..417)
        .map(|i| BLOCK.replace("INDEX", &i.to_string()))
        .collect()
}

/// A helmfile with 1,000 releases built from a range over a list in the state values.
fn helmfile_template() -> &'static str {
    r#"environments:
  {{ .Environment.Name }}:
    values: [values.yaml]
---
releases:
{{- range $i, $r := .Values.releases }}
- name: {{ $r.name }}
  namespace: {{ $r.namespace | default "default" }}
  chart: {{ printf "charts/%s" $r.chart }}
  version: {{ $r.version | quote }}
  {{- if $r.needs }}
  needs:
  {{- range $r.needs }}
  - {{ . }}
  {{- end }}
  {{- end }}
  values:
  - {{ $r.values | toYaml | nindent 4 | trim }}
  labels:
    index: "{{ $i }}"
{{- end }}
"#
}

fn data() -> Value {
    let mut releases = String::from("releases:\n");
    for i in 0..1000 {
        let _ = write!(
            releases,
            "- name: app{i}\n  namespace: ns{}\n  chart: app\n  version: 1.{i}.0\n  needs: [ns{}/app{}]\n  values: {{replicas: {i}, image: {{tag: v{i}}}}}\n",
            i % 10,
            i % 10,
            i.max(1) - 1
        );
    }
    let text = format!(
        "name: web\nreplicas: 3\nenabled: true\nimage: {{repository: nginx, tag: '1.25'}}\nlabels: {{app: web, tier: frontend, team: core}}\n{releases}"
    );
    let yaml: serde_yaml::Value = serde_yaml::from_str(&text).unwrap_or_default();
    let values = Value::from(&yaml);
    Struct::value(
        "state.releaseTemplateData",
        vec![
            (
                "Environment".into(),
                Struct::value(
                    "environment.Environment",
                    vec![("Name".into(), Value::str("production"))],
                ),
            ),
            ("Values".into(), values),
        ],
    )
}

fn bench(c: &mut Criterion) {
    let data = data();
    let opts = RenderOptions::new(".");
    let values = values_template();
    for (name, source) in [
        ("values", values.as_str()),
        ("helmfile", helmfile_template()),
    ] {
        let rendered = Template::parse(name, source).and_then(|t| t.render(&data, &opts));
        assert!(rendered.is_ok(), "{name}: {rendered:?}");
    }
    c.bench_function("values template, 5000 lines", |b| {
        b.iter(|| {
            Template::parse("values.yaml.gotmpl", &values)
                .and_then(|t| t.render(&data, &opts))
                .map(|s| s.len())
        })
    });
    let helmfile = helmfile_template();
    c.bench_function("helmfile template, 1000 releases", |b| {
        b.iter(|| {
            Template::parse("helmfile.yaml.gotmpl", helmfile)
                .and_then(|t| t.render(&data, &opts))
                .map(|s| s.len())
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
