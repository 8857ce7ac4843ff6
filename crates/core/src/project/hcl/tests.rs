use super::*;
use crate::project::test_support::project_in;

/// Evaluates `files` (name, content) together, in order.
fn eval(files: &[(&str, &str)]) -> Result<String, String> {
    let dir = project_in(files);
    let list: Vec<(PathBuf, PathBuf)> = files
        .iter()
        .map(|(name, _)| (dir.path().join(name), PathBuf::from(name)))
        .collect();
    render(&list)
        .map(|v| serde_yaml::to_string(&v).unwrap_or_default())
        .map_err(|e| e.to_string())
}

#[test]
fn values_are_shared_locals_stay_in_their_file_and_order_follows_references() {
    let first = r#"
locals {
  env    = "stage"
  domain = "${local.env}.example.org"
}
values {
  # used before it is written, and in another file
  host    = "api.${local.domain}"
  summary = "${hv.count * 2} replicas on ${upper(hv.region)}"
  labels  = merge(hv.base_labels, { tier = "web" })
  mode    = hv.count > 2 ? "ha" : "single"
  joined  = "%{ for z in hv.zones }${z};%{ endfor }"
  enabled = "%{ if hv.count > 0 }on%{ else }off%{ endif }"
  own     = local
}
"#;
    let second = r#"
locals {
  env = "prod"
}
values {
  count       = 3
  region      = "eu-1"
  zones       = ["a", "b"]
  base_labels = { team = "core", tier = "api" }
  other_env   = local.env
}
"#;
    assert_eq!(
        eval(&[("one.hcl", first), ("two.hcl", second)]),
        Ok(r#"base_labels:
  team: core
  tier: api
count: 3
enabled: on
host: api.stage.example.org
joined: a;b;
labels:
  team: core
  tier: web
mode: ha
other_env: prod
own:
  domain: stage.example.org
  env: stage
region: eu-1
summary: 6 replicas on EU-1
zones:
- a
- b
"#
        .to_string())
    );
}

#[test]
fn a_later_definition_merges_maps_and_replaces_the_rest() {
    let first = "values {\n  a = { x = 1, y = { z = true } }\n  list = [1, 2]\n  flag = true\n  kept = \"k\"\n}\n";
    let second = "values {\n  a = { y = { w = \"w\" } }\n  list = [3]\n  flag = \"now a string\"\n  kept = null\n}\n";
    assert_eq!(
        eval(&[("a.hcl", first), ("b.hcl", second)]),
        Ok(
            "a:\n  x: 1\n  y:\n    w: w\n    z: true\nflag: now a string\nkept: k\nlist:\n- 3\n"
                .into()
        )
    );
}

#[test]
fn functions_follow_cty() {
    let file = r#"
values {
  nums     = [abs(-2), ceil(1.2), floor(1.8), max(1, 7, 3), min(4, 2), pow(2, 10), signum(-5), parseint("ff", 16)]
  strings  = [lower("AbC"), title("hello world"), trimspace("  x "), trimprefix("foo-bar", "foo-"), trimsuffix("a.yaml", ".yaml"), chomp("line\n\n"), strrev("abc"), substr("hello", 1, 3), substr("hello", -3, -1), indent(2, "a\nb")]
  lists    = [join("-", ["a", "b"], ["c"]), length([1, 2]), length("héllo"), element(["a", "b"], 3), contains(["x"], "x")]
  parts    = split(",", "a,b,c")
  nested   = flatten([[1, [2]], 3])
  unique   = distinct([1, 1, 2])
  chunks   = chunklist([1, 2, 3], 2)
  keys     = keys({ b = 1, a = 2 })
  vals     = values({ b = 1, a = 2 })
  look     = [lookup({ a = 1 }, "a"), lookup({}, "b", "fallback")]
  zipped   = zipmap(["k1", "k2"], [1, 2])
  ranged   = range(1, 7, 2)
  sets     = [setunion(["b"], ["a", "b"]), setintersection(["a", "b"], ["b", "c"]), setsubtract(["a", "b"], ["a"])]
  compacted = compact(["a", "", "b"])
  first    = coalesce("", "x")
  firstlist = coalescelist([], [1])
  sliced   = slice(["a", "b", "c"], 1, 3)
  sorted   = sort(["b", "a"])
  reversed = reverselist([1, 2])
  text     = format("%s=%d (%.1f) %q %t %%", "n", 3, 2.25, "q", true)
  json     = jsonencode({ a = [1, "b"] })
  decoded  = jsondecode("{\"k\": [true]}")
  yaml     = yamldecode("a: 1")
  match    = regex("(?P<major>\\d+)\\.(?P<minor>\\d+)", "v1.25")
  all      = regexall("\\d", "a1b2")
}
"#;
    assert_eq!(
        eval(&[("f.hcl", file)]),
        Ok(r#"all:
- '1'
- '2'
chunks:
- - 1
  - 2
- - 3
compacted:
- a
- b
decoded:
  k:
  - true
first: x
firstlist:
- 1
json: '{"a":[1,"b"]}'
keys:
- a
- b
lists:
- a-b-c
- 2
- 5
- b
- true
look:
- 1
- fallback
match:
  major: '1'
  minor: '25'
nested:
- 1
- 2
- 3
nums:
- 2
- 2
- 1
- 7
- 2
- 1024
- -1
- 255
parts:
- a
- b
- c
ranged:
- 1
- 3
- 5
reversed:
- 2
- 1
sets:
- - a
  - b
- - b
- - b
sliced:
- b
- c
sorted:
- a
- b
strings:
- abc
- Hello World
- x
- bar
- a
- line
- cba
- ell
- llo
- |-
  a
    b
text: n=3 (2.2) "q" true %
unique:
- 1
- 2
vals:
- 2
- 1
yaml:
  a: 1
zipped:
  k1: 1
  k2: 2
"#
        .to_string())
    );
}

#[test]
fn errors_point_at_the_definition() {
    let cases: [(&[(&str, &str)], &str); 8] = [
        (
            &[("a.hcl", "values {\n  a = 1\n  b = hv.missing\n}\n")],
            "a.hcl:3:3: HCL values: \"b\" uses hv.missing, which no `values` block defines",
        ),
        (
            &[
                ("a.hcl", "values {\n  a = hv.b\n}\n"),
                ("b.hcl", "values {\n  b = hv.a\n}\n"),
            ],
            "a.hcl:2:3: HCL values: values refer to each other: hv.a -> hv.b -> hv.a",
        ),
        (
            &[("a.hcl", "locals {\n  x = hv.a\n}\nvalues {\n  a = 1\n}\n")],
            "a.hcl:2:3: HCL values: a local can only use the locals of its own file (local.NAME), not values",
        ),
        (
            &[("a.hcl", "locals {}\nlocals {}\n")],
            "a.hcl:2:1: HCL values: a file can have only one `locals` block",
        ),
        (
            &[("a.hcl", "top = 1\n")],
            "a.hcl:1:1: HCL values: unexpected attribute \"top\": write it inside a `values` or `locals` block",
        ),
        (
            &[("a.hcl", "values {\n  whole = hv\n}\n")],
            "a.hcl:2:3: HCL values: \"hv\" can only be used as hv.NAME",
        ),
        (
            &[("a.hcl", "values {\n  a = \n}\n")],
            "a.hcl:2:7: HCL values: invalid expression; expected `\"`, `[`, `{`, `-`, `!`, `(`, `_`, `<`, letter or digit",
        ),
        (
            &[("a.hcl", "values {\n  a = can(hv.b)\n  b = 1\n}\n")],
            "a.hcl:2:3: HCL values: cannot evaluate \"a\": undefined function `can` in expression `can(hv.b)`",
        ),
    ];
    for (files, expected) in cases {
        assert_eq!(eval(files).err().as_deref(), Some(expected), "{files:?}");
    }
}
