//! Helmfile's release selectors (`-l`/`--selector`): `key=value,key2!=value2`.

use std::collections::BTreeMap;
use std::fmt;

use crate::graph::GraphError;

/// One `-l` value: every `key=value` and `key!=value` of it must hold (AND).
///
/// `key=value` holds when the release has label `key` with exactly `value`; `key!=value` holds
/// when the release has no label `key` or a different value. Keys and values are non-empty and
/// made of ASCII letters, digits and `_ . / + -`, as in Helmfile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selector {
    source: String,
    terms: Vec<Term>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Term {
    key: String,
    value: String,
    equal: bool,
}

impl Selector {
    /// Parses one selector; the error names the selector and the part that is wrong.
    pub fn parse(selector: &str) -> Result<Selector, GraphError> {
        let terms = selector
            .split(',')
            .map(|term| {
                parse_term(term).ok_or_else(|| GraphError::InvalidSelector {
                    selector: selector.to_owned(),
                    term: term.to_owned(),
                })
            })
            .collect::<Result<_, _>>()?;
        Ok(Selector {
            source: selector.to_owned(),
            terms,
        })
    }

    /// Whether every part of the selector holds for a release with these `labels`.
    pub fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        self.terms.iter().all(|term| {
            let found = labels.get(&term.key) == Some(&term.value);
            found == term.equal
        })
    }
}

impl fmt::Display for Selector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)
    }
}

fn parse_term(term: &str) -> Option<Term> {
    let (key, value, equal) = match term.split_once("!=") {
        Some((key, value)) => (key, value, false),
        None => {
            let (key, value) = term.split_once('=')?;
            (key, value, true)
        }
    };
    let valid = |part: &str| {
        !part.is_empty()
            && part
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '/' | '+' | '-'))
    };
    (valid(key) && valid(value)).then(|| Term {
        key: key.to_owned(),
        value: value.to_owned(),
        equal,
    })
}

/// All `-l` values of a command: a release is selected when any of them matches (OR), and every
/// release is selected when there are none.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selectors(Vec<Selector>);

impl Selectors {
    /// Parses each `-l` value; the first bad one is the error.
    pub fn parse<'a>(
        selectors: impl IntoIterator<Item = &'a str>,
    ) -> Result<Selectors, GraphError> {
        selectors
            .into_iter()
            .map(Selector::parse)
            .collect::<Result<_, _>>()
            .map(Selectors)
    }

    /// Whether no selector was given (everything is selected).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether a release with these `labels` is selected.
    ///
    /// `labels` must hold the release's own labels (after Helmfile's `commonLabels`) and the
    /// automatic `name`, `namespace` and `chart` ones: build them with [`release_labels`].
    pub fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        self.0.is_empty() || self.0.iter().any(|selector| selector.matches(labels))
    }
}

/// The labels selectors see for a release, as Helmfile builds them: `labels` (the
/// `commonLabels` overridden by the release's `labels`), then the automatic `name`,
/// `namespace` (empty when unset) and `chart` (the chart's last `/`-part: `bitnami/redis` gives
/// `redis`), which win over labels of the same key.
pub fn release_labels(
    labels: impl IntoIterator<Item = (String, String)>,
    name: &str,
    namespace: &str,
    chart: &str,
) -> BTreeMap<String, String> {
    let mut all: BTreeMap<String, String> = labels.into_iter().collect();
    let chart = chart.rsplit('/').next().unwrap_or(chart);
    for (key, value) in [("name", name), ("namespace", namespace), ("chart", chart)] {
        all.insert(key.to_owned(), value.to_owned());
    }
    all
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    fn parse(selector: &str) -> Selector {
        match Selector::parse(selector) {
            Ok(selector) => selector,
            Err(error) => panic!("{error}"),
        }
    }

    fn parse_error(selector: &str) -> String {
        match Selector::parse(selector) {
            Ok(selector) => panic!("expected an error, got {selector:?}"),
            Err(error) => error.to_string(),
        }
    }

    #[test]
    fn key_equals_value_needs_the_exact_label() {
        let selector = parse("tier=backend");
        assert!(selector.matches(&labels(&[("tier", "backend")])));
        assert!(!selector.matches(&labels(&[("tier", "frontend")])));
        assert!(!selector.matches(&labels(&[])));
    }

    #[test]
    fn key_not_equal_value_also_holds_without_the_label() {
        let selector = parse("tier!=backend");
        assert!(!selector.matches(&labels(&[("tier", "backend")])));
        assert!(selector.matches(&labels(&[("tier", "frontend")])));
        assert!(selector.matches(&labels(&[])));
    }

    #[test]
    fn terms_of_one_selector_are_anded() {
        let selector = parse("tier=backend,name!=db");
        assert!(selector.matches(&labels(&[("tier", "backend"), ("name", "api")])));
        assert!(!selector.matches(&labels(&[("tier", "backend"), ("name", "db")])));
        assert!(!selector.matches(&labels(&[("name", "api")])));
    }

    #[test]
    fn several_selectors_are_ored_and_none_selects_everything() {
        let selectors = Selectors::parse(["name=a", "name=b"]);
        let selectors = match selectors {
            Ok(selectors) => selectors,
            Err(error) => panic!("{error}"),
        };
        assert!(selectors.matches(&labels(&[("name", "a")])));
        assert!(selectors.matches(&labels(&[("name", "b")])));
        assert!(!selectors.matches(&labels(&[("name", "c")])));
        assert!(Selectors::default().matches(&labels(&[])));
        assert!(Selectors::default().is_empty());
    }

    #[test]
    fn keys_and_values_may_hold_helmfile_punctuation() {
        let selector = parse("app.kubernetes.io/part-of=a_b+c-1.2");
        assert!(selector.matches(&labels(&[("app.kubernetes.io/part-of", "a_b+c-1.2")])));
        assert_eq!(selector.to_string(), "app.kubernetes.io/part-of=a_b+c-1.2");
    }

    #[test]
    fn a_term_without_operator_is_rejected() {
        insta::assert_snapshot!(parse_error("tier=backend,web"), @r#"invalid selector "tier=backend,web": "web" is not key=value or key!=value"#);
    }

    #[test]
    fn empty_parts_and_bad_characters_are_rejected() {
        let errors: Vec<String> = ["", "tier=", "=x", "a==b", "a=b c", "a=b,,c=d", "a=b=c"]
            .iter()
            .map(|s| parse_error(s))
            .collect();
        insta::assert_snapshot!(errors.join("\n"), @r#"
        invalid selector "": "" is not key=value or key!=value
        invalid selector "tier=": "tier=" is not key=value or key!=value
        invalid selector "=x": "=x" is not key=value or key!=value
        invalid selector "a==b": "a==b" is not key=value or key!=value
        invalid selector "a=b c": "a=b c" is not key=value or key!=value
        invalid selector "a=b,,c=d": "" is not key=value or key!=value
        invalid selector "a=b=c": "a=b=c" is not key=value or key!=value
        "#);
    }

    #[test]
    fn the_first_bad_selector_of_several_is_the_error() {
        let error = Selectors::parse(["name=a", "name:b"]).map_err(|e| e.to_string());
        assert_eq!(
            error,
            Err(GraphError::InvalidSelector {
                selector: "name:b".into(),
                term: "name:b".into()
            }
            .to_string())
        );
    }

    #[test]
    fn release_labels_add_helmfile_automatic_labels() {
        let all = release_labels(
            [
                ("tier".to_owned(), "backend".to_owned()),
                ("name".to_owned(), "ignored".to_owned()),
            ],
            "redis",
            "",
            "bitnami/redis",
        );
        assert_eq!(
            all,
            labels(&[
                ("chart", "redis"),
                ("name", "redis"),
                ("namespace", ""),
                ("tier", "backend"),
            ])
        );
        assert!(parse("chart=redis,tier=backend").matches(&all));
    }
}
