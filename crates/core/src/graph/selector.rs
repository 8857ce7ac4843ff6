//! `-l key=value,key2!=value2`: all conditions of one selector must hold; several selectors are
//! alternatives.

use indexmap::IndexMap;

use crate::graph::GraphError;

/// One parsed `-l` selector.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selector {
    conditions: Vec<(String, String, bool)>,
}

impl Selector {
    /// Parses `key=value` and `key!=value` conditions separated by commas.
    pub fn parse(text: &str) -> Result<Self, GraphError> {
        let invalid = || GraphError::InvalidSelector {
            selector: text.to_string(),
        };
        let mut conditions = Vec::new();
        for part in text.split(',') {
            let (key, value, equal) = match part.split_once("!=") {
                Some((k, v)) => (k, v, false),
                None => part
                    .split_once('=')
                    .map(|(k, v)| (k, v, true))
                    .ok_or_else(invalid)?,
            };
            let key = key.trim();
            if key.is_empty() {
                return Err(invalid());
            }
            conditions.push((key.to_string(), value.trim().to_string(), equal));
        }
        Ok(Self { conditions })
    }

    /// Whether a release with `labels` satisfies every condition (a missing label is empty).
    pub fn matches(&self, labels: &IndexMap<String, String>) -> bool {
        self.conditions.iter().all(|(key, value, equal)| {
            let actual = labels.get(key).map(String::as_str).unwrap_or_default();
            (actual == value) == *equal
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> IndexMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn all_conditions_must_hold() {
        let selector = Selector::parse("tier=web,name!=old").unwrap_or_else(|e| panic!("{e}"));
        assert!(selector.matches(&labels(&[("tier", "web"), ("name", "new")])));
        assert!(!selector.matches(&labels(&[("tier", "web"), ("name", "old")])));
        assert!(!selector.matches(&labels(&[("name", "new")])));
        assert!(Selector::parse("missing!=x").is_ok_and(|s| s.matches(&labels(&[]))));
    }

    #[test]
    fn malformed_selectors_are_errors() {
        for bad in ["tier", "=web", "a=b,,c=d"] {
            assert_eq!(
                Selector::parse(bad).err().map(|e| e.to_string()),
                Some(format!(
                    "invalid selector \"{bad}\": expected key=value or key!=value, comma-separated"
                ))
            );
        }
    }
}
