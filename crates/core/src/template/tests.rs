//! Unit tests of the engine on small templates and on a whole `helmfile.yaml.gotmpl`.
//! (The differential corpus in `tests/template_corpus.rs` covers Go's behaviour case by case.)

use std::path::Path;

use proptest::prelude::*;

use super::*;

fn values(yaml: &str) -> Value {
    Value::from(&serde_yaml::from_str::<serde_yaml::Value>(yaml).unwrap_or_default())
}

fn expect_err<T: std::fmt::Debug>(r: Result<T, TemplateError>) -> TemplateError {
    match r {
        Err(e) => e,
        Ok(v) => panic!("expected an error, got {v:?}"),
    }
}

fn render(src: &str, data: &Value) -> Result<String, TemplateError> {
    Template::parse("t.gotmpl", src)?.render(data, &RenderOptions::new("."))
}

#[test]
fn renders_actions_control_flow_and_functions() {
    let data = values("name: web\nports: [80, 443]\nlabels: {b: 2, a: 1}\n");
    let src = "{{ .name | upper }}:{{ range $i, $p := .ports }} {{ $i }}={{ $p }}{{ end }}\n\
               {{- range $k, $v := .labels }} {{ $k }}{{ $v }}{{ end }}\n\
               {{ if eq .name \"api\" }}api{{ else if eq .name \"web\" }}web{{ else }}other{{ end }}\n\
               {{ $x := 1 }}{{ range .ports }}{{ if eq . 443 }}{{ break }}{{ end }}{{ $x = add $x . }}{{ end }}{{ $x }}\n\
               {{ define \"greet\" }}hi {{ . }}{{ end }}{{ template \"greet\" .name }} {{ include \"greet\" 1 | quote }}";
    assert_eq!(
        render(src, &data),
        Ok("WEB: 0=80 1=443 a1 b2\nweb\n81\nhi web \"hi 1\"".to_owned())
    );
}

#[test]
fn else_with_and_range_over_an_integer() {
    let data = values("a: null\nb: {c: x}\n");
    let src = "{{ with .a }}a{{ else with .b }}{{ .c }}{{ end }} {{ range $i := 3 }}{{ $i }}{{ end }}\n{{ toYaml \"one\\ntwo\" }}";
    assert_eq!(
        render(src, &data),
        Ok("x 012\n|-\n  one\n  two\n".to_owned())
    );
}

#[test]
fn missing_key_errors_name_file_line_column_and_key() {
    let data = values("image: {tag: '1'}\n");
    let err = expect_err(render("a: 1\nreplicas: {{ .image.replicas }}\n", &data));
    assert_eq!(
        err.to_string(),
        "t.gotmpl:2:20: map has no entry for key \"replicas\" (in <.image.replicas> of template \"t.gotmpl\")"
    );
    assert_eq!(
        err.go_message(),
        "template: t.gotmpl:2:19: executing \"t.gotmpl\" at <.image.replicas>: map has no entry for key \"replicas\""
    );
}

#[test]
fn missing_key_zero_prints_no_value() {
    let t = Template::parse("t", "[{{ .absent }}]").unwrap_or_else(|e| panic!("{e}"));
    let opts = RenderOptions {
        missing_key: MissingKey::Zero,
        ..RenderOptions::new(".")
    };
    assert_eq!(
        t.render(&Value::empty_map(), &opts),
        Ok("[<no value>]".to_owned())
    );
}

#[test]
fn parse_errors_name_the_line() {
    let err = expect_err(Template::parse("v.gotmpl", "a\n{{ if }}"));
    assert_eq!(err.to_string(), "v.gotmpl:2: missing value for if");
}

#[test]
fn insecure_functions_can_be_disabled_through_the_environment() {
    let t = Template::parse("t", "{{ readFile \"x\" }}").unwrap_or_else(|e| panic!("{e}"));
    let opts = RenderOptions::new(".").with_env([("WINDLASS_DISABLE_INSECURE_FEATURES", "true")]);
    assert_eq!(
        t.render(&Value::Nil, &opts).map_err(|e| e.go_message()),
        Err(
            "template: t:1:3: executing \"t\" at <readFile \"x\">: error calling readFile: \
             HELMFILE_DISABLE_INSECURE_FEATURES is active, insecure function calls are disabled"
                .to_owned()
        )
    );
}

#[test]
fn runaway_recursion_and_nesting_fail_cleanly() {
    let err = expect_err(render(
        "{{ define \"a\" }}{{ template \"a\" . }}{{ end }}{{ template \"a\" . }}",
        &Value::Nil,
    ));
    assert_eq!(
        err.go_message(),
        "template: t.gotmpl:1:28: executing \"a\" at <{{template \"a\" .}}>: exceeded maximum template depth (200)"
    );
    let deep = format!("{{{{ {}1{} }}}}", "(".repeat(5000), ")".repeat(5000));
    let err = expect_err(Template::parse("t", &deep));
    assert_eq!(err.to_string(), "t:1: exceeded maximum nesting depth (100)");
}

struct FixedSecrets;

impl SecretResolver for FixedSecrets {
    fn resolve(&self, reference: &str) -> Result<String, String> {
        match reference {
            "ref+sops://secrets.yaml#/db/password" => Ok("hunter2".into()),
            other => Err(format!("{other}: not found")),
        }
    }
}

#[test]
fn sops_references_go_through_the_resolver() {
    let t = Template::parse(
        "t",
        "{{ fetchSecretValue \"ref+sops://secrets.yaml#/db/password\" }}",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let opts = RenderOptions {
        secrets: Some(Arc::new(FixedSecrets)),
        ..RenderOptions::new(".")
    };
    assert_eq!(t.render(&Value::Nil, &opts), Ok("hunter2".to_owned()));
}

/// The shape of the seed project ammarlakis/deployment-core: a `helmfile.yaml.gotmpl` that
/// inlines `charts.yaml` and `environments/*/cluster.yaml` with `readDirEntries`, `tpl`,
/// `fromYaml`, `get`, `isFile`, `nindent` and `readFile` (fixture in `testdata/deployment`).
#[test]
fn renders_layout_a_helmfile() {
    let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/template/testdata/deployment");
    let source = std::fs::read_to_string(base.join("helmfile.yaml.gotmpl")).unwrap_or_default();
    let data = Struct::value(
        "state.EnvironmentTemplateData",
        vec![(
            "Environment".into(),
            Struct::value(
                "environment.Environment",
                vec![("Name".into(), Value::str("production"))],
            ),
        )],
    );
    let t = Template::parse("helmfile.yaml.gotmpl", &source).unwrap_or_else(|e| panic!("{e}"));
    let out = t
        .render(&data, &RenderOptions::new(&base))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(out, EXPECTED_LAYOUT_A);
}

/// Lines with only spaces are what Go writes too: `nindent` indents the newline `toYaml` ends with.
const EXPECTED_LAYOUT_A: &str = concat!(
    "helmDefaults:\n",
    "  timeout: 600\n",
    "\n",
    "repositories:\n",
    "  - name: bitnami\n",
    "    url: https://charts.bitnami.com/bitnami\n",
    "  \n",
    "\n",
    "environments:\n",
    "  production:\n",
    "    kubeContext: prod-cluster\n",
    "    values: []\n",
    "    \n",
    "  staging:\n",
    "    kubeContext: staging-cluster\n",
    "    \n",
    "\n",
    "releases:\n",
    "  - name: cache\n",
    "    chart: bitnami/redis\n",
    "    namespace: data\n",
    "    \n",
    "    secrets:\n",
    "      - environments/production/secrets/cache.yaml\n",
    "  - name: web\n",
    "    chart: bitnami/nginx\n",
    "    labels:\n",
    "      env: production\n",
    "    namespace: apps\n",
    "    \n",
    "    version: 15.0.0\n",
    "    wait: true\n",
    "    \n",
    "    values:\n",
    "      - environments/production/values/web.yaml\n",
);

proptest! {
    #[test]
    fn parse_and_render_never_panic(src in "(\\{\\{-? ?|[ -~]{0,8}| ?-?\\}\\}|\\n|\\$x|:=|\\||\\.a|range|end|if|else|with|define|template|block|\"s\"|`r`|'c'|1_0|0x1|\\(|\\)|printf|index|break|continue|nil|true)*") {
        let data = values("a: {b: [1, 2]}\n");
        if let Ok(t) = Template::parse("p", &src) {
            // Generated input must never run commands or read files.
            let opts = RenderOptions::new("/nonexistent")
                .with_env([("WINDLASS_DISABLE_INSECURE_FEATURES", "true")]);
            let _ = t.render(&data, &opts);
        }
    }
}

/// sprig v3.3.0 (Helmfile 1.x) added `sha512sum`, which the Helmfile 0.166 corpus cannot show;
/// FIPS 180-2's test vector stands in for Go here.
#[test]
fn sha512sum_is_the_hex_sha512() {
    assert_eq!(
        render("{{ sha512sum \"abc\" }}", &Value::Nil),
        Ok(
            "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a\
            2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"
                .to_owned()
        )
    );
}
