//! What a diff leaves out: kinds (`--suppress KIND`), fields (`--ignore GROUP/KIND:JSON_POINTER`
//! and the defaults for fields controllers own by design), output lines
//! (`--suppress-output-line-regex`), and objects annotated `windlass.dev/drift: ignore` (live
//! comparisons only).

use regex::Regex;
use serde_json::Value as Json;

use super::DiffError;
use super::key::ObjectKey;

/// The annotation that leaves one object out of live drift when set to `ignore`.
pub const DRIFT_ANNOTATION: &str = "windlass.dev/drift";

/// Fields never compared, because a controller writes them by design: the CA bundles that
/// cert-manager's cainjector (and similar) inject into webhooks, CRD conversion webhooks and
/// API services.
pub const DEFAULT_IGNORES: &[&str] = &[
    "admissionregistration.k8s.io/MutatingWebhookConfiguration:/webhooks/*/clientConfig/caBundle",
    "admissionregistration.k8s.io/ValidatingWebhookConfiguration:/webhooks/*/clientConfig/caBundle",
    "apiextensions.k8s.io/CustomResourceDefinition:/spec/conversion/webhook/clientConfig/caBundle",
    "apiregistration.k8s.io/APIService:/spec/caBundle",
];

/// One `--ignore` rule: a JSON pointer into the objects of one kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldRule {
    /// The API group (`""` for core), or `None` for any (`*`).
    group: Option<String>,
    /// The kind, or `None` for any (`*`).
    kind: Option<String>,
    /// The pointer's unescaped segments; `*` matches any key or index.
    segments: Vec<String>,
}

impl FieldRule {
    /// Parses `GROUP/KIND:/json/pointer` (`KIND:/pointer` for the core group; `*` for any group
    /// or kind; a `*` segment matches every key or list index).
    pub fn parse(rule: &str) -> Result<FieldRule, DiffError> {
        let problem = |problem: &str| DiffError::IgnoreRule {
            rule: rule.to_string(),
            problem: problem.to_string(),
        };
        let (kind, pointer) = rule
            .split_once(':')
            .ok_or_else(|| problem("no \":\" between the kind and the JSON pointer"))?;
        let (group, kind) = match kind.rsplit_once('/') {
            Some(split) => split,
            None if kind == "*" => ("*", "*"),
            None => ("", kind),
        };
        if kind.is_empty() {
            return Err(problem("no kind before \":\""));
        }
        let any = |s: &str| (s != "*").then(|| s.to_string());
        let segments = pointer_segments(pointer).ok_or_else(|| {
            problem("the JSON pointer must start with \"/\" (RFC 6901), e.g. /spec/replicas")
        })?;
        if segments.is_empty() {
            return Err(problem(
                "the JSON pointer names the whole object; use --suppress KIND",
            ));
        }
        Ok(FieldRule {
            group: any(group),
            kind: any(kind),
            segments,
        })
    }

    fn applies_to(&self, key: &ObjectKey) -> bool {
        self.group.as_ref().is_none_or(|g| *g == key.group)
            && self.kind.as_ref().is_none_or(|k| *k == key.kind)
    }
}

/// The unescaped segments of an RFC 6901 pointer (`~1` is `/`, `~0` is `~`); `None` unless it is
/// empty or starts with `/`.
pub fn pointer_segments(pointer: &str) -> Option<Vec<String>> {
    if pointer.is_empty() {
        return Some(Vec::new());
    }
    let rest = pointer.strip_prefix('/')?;
    Some(
        rest.split('/')
            .map(|s| s.replace("~1", "/").replace("~0", "~"))
            .collect(),
    )
}

/// Escapes one key for a JSON pointer.
pub fn escape_segment(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

/// Everything a diff leaves out; by default the [`DEFAULT_IGNORES`] fields.
#[derive(Debug, Clone)]
pub struct IgnoreRules {
    kinds: Vec<String>,
    fields: Vec<FieldRule>,
    lines: Vec<Regex>,
}

impl IgnoreRules {
    /// Rules from the command line: `suppress` kinds, `ignore` field rules (after the
    /// [`DEFAULT_IGNORES`]) and output-line regexes.
    pub fn new(
        suppress: &[String],
        ignore: &[String],
        line_patterns: &[String],
    ) -> Result<IgnoreRules, DiffError> {
        let mut fields = IgnoreRules::default().fields;
        for rule in ignore {
            fields.push(FieldRule::parse(rule)?);
        }
        let lines = line_patterns
            .iter()
            .map(|pattern| {
                Regex::new(pattern).map_err(|e| DiffError::LineRegex {
                    pattern: pattern.clone(),
                    message: e.to_string(),
                })
            })
            .collect::<Result<_, _>>()?;
        Ok(IgnoreRules {
            kinds: suppress.to_vec(),
            fields,
            lines,
        })
    }

    /// Whether objects of this kind are left out of the diff (`--suppress`, any letter case).
    pub fn suppresses(&self, key: &ObjectKey) -> bool {
        self.kinds
            .iter()
            .any(|kind| kind.eq_ignore_ascii_case(&key.kind))
    }

    /// Removes the ignored fields of the object `key` from `body`.
    pub fn strip_fields(&self, key: &ObjectKey, body: &mut Json) {
        for rule in self.fields.iter().filter(|r| r.applies_to(key)) {
            remove_path(body, &rule.segments);
        }
    }

    /// Whether a changed output line is hidden (`--suppress-output-line-regex`).
    pub fn hides_line(&self, line: &str) -> bool {
        self.lines.iter().any(|regex| regex.is_match(line))
    }
}

impl Default for IgnoreRules {
    fn default() -> Self {
        IgnoreRules {
            kinds: Vec::new(),
            // The defaults are constants that parse; a test checks each of them.
            fields: DEFAULT_IGNORES
                .iter()
                .filter_map(|rule| FieldRule::parse(rule).ok())
                .collect(),
            lines: Vec::new(),
        }
    }
}

/// Removes what `segments` points to (`*` matching every key or index).
fn remove_path(value: &mut Json, segments: &[String]) {
    let Some((first, rest)) = segments.split_first() else {
        return;
    };
    match value {
        Json::Object(map) if rest.is_empty() => {
            if first == "*" {
                map.clear();
            } else {
                map.remove(first);
            }
        }
        Json::Object(map) => {
            if first == "*" {
                map.values_mut().for_each(|v| remove_path(v, rest));
            } else if let Some(child) = map.get_mut(first) {
                remove_path(child, rest);
            }
        }
        Json::Array(items) if rest.is_empty() => {
            if first == "*" {
                items.clear();
            } else if let Some(index) = first.parse::<usize>().ok().filter(|i| *i < items.len()) {
                items.remove(index);
            }
        }
        Json::Array(items) => {
            if first == "*" {
                items.iter_mut().for_each(|v| remove_path(v, rest));
            } else if let Some(child) = first.parse::<usize>().ok().and_then(|i| items.get_mut(i)) {
                remove_path(child, rest);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn key(api_version: &str, kind: &str) -> ObjectKey {
        ObjectKey::new(api_version, kind, Some("ns"), "x")
    }

    #[test]
    fn field_rules_remove_pointers_with_wildcards_and_escapes() {
        let rules = IgnoreRules::new(
            &[],
            &[
                "apps/Deployment:/spec/replicas".into(),
                "*:/metadata/annotations/example.com~1checksum".into(),
                "Service:/spec/ports/*/nodePort".into(),
            ],
            &[],
        )
        .unwrap_or_default();
        let mut deployment = json!({"metadata": {"annotations": {"example.com/checksum": "1", "keep": "2"}}, "spec": {"replicas": 3, "paused": false}});
        rules.strip_fields(&key("apps/v1", "Deployment"), &mut deployment);
        assert_eq!(
            deployment,
            json!({"metadata": {"annotations": {"keep": "2"}}, "spec": {"paused": false}})
        );
        let mut service = json!({"spec": {"replicas": 1, "ports": [{"port": 80, "nodePort": 30080}, {"port": 81}]}});
        rules.strip_fields(&key("v1", "Service"), &mut service);
        assert_eq!(
            service,
            json!({"spec": {"replicas": 1, "ports": [{"port": 80}, {"port": 81}]}})
        );
        let mut webhook = json!({"webhooks": [{"clientConfig": {"caBundle": "LS0t", "url": "u"}}]});
        rules.strip_fields(
            &key(
                "admissionregistration.k8s.io/v1",
                "MutatingWebhookConfiguration",
            ),
            &mut webhook,
        );
        assert_eq!(
            webhook,
            json!({"webhooks": [{"clientConfig": {"url": "u"}}]})
        );
    }

    #[test]
    fn every_default_rule_parses() {
        for rule in DEFAULT_IGNORES {
            assert!(FieldRule::parse(rule).is_ok(), "{rule}");
        }
        assert_eq!(IgnoreRules::default().fields.len(), DEFAULT_IGNORES.len());
    }

    #[test]
    fn suppressed_kinds_match_in_any_case() {
        let rules = IgnoreRules::new(&["secret".into()], &[], &[]).unwrap_or_default();
        assert!(rules.suppresses(&key("v1", "Secret")));
        assert!(!rules.suppresses(&key("v1", "ConfigMap")));
    }

    #[test]
    fn bad_rules_say_what_is_wrong() {
        let error = |rule: &str| {
            IgnoreRules::new(&[], &[rule.into()], &[])
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default()
        };
        assert_eq!(
            error("apps/Deployment"),
            "--ignore \"apps/Deployment\": no \":\" between the kind and the JSON pointer"
        );
        assert_eq!(
            error("apps/Deployment:spec.replicas"),
            "--ignore \"apps/Deployment:spec.replicas\": the JSON pointer must start with \"/\" (RFC 6901), e.g. /spec/replicas"
        );
        assert_eq!(
            error("apps/:/spec"),
            "--ignore \"apps/:/spec\": no kind before \":\""
        );
        let regex = IgnoreRules::new(&[], &[], &["(".into()])
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            regex.starts_with("--suppress-output-line-regex \"(\": regex parse error"),
            "{regex}"
        );
    }

    #[test]
    fn pointer_segments_unescape() {
        assert_eq!(
            pointer_segments("/a~1b/c~0d"),
            Some(vec!["a/b".to_string(), "c~d".to_string()])
        );
        assert_eq!(escape_segment("a/b~c"), "a~1b~0c");
        assert_eq!(pointer_segments("a"), None);
    }
}
