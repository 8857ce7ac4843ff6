//! The `sops:` mapping of an encrypted file: recipients, MAC, `lastmodified` and the rules.

use std::path::Path;

use regex::Regex;
use serde_yaml::{Mapping, Value};

use super::SecretsError;
use super::rules::Rules;

/// Key types sops may list besides `age`, in the order we name them in errors.
const OTHER_KEY_TYPES: [&str; 6] = ["pgp", "kms", "gcp_kms", "azure_kv", "hc_vault", "hckms"];

/// One age recipient and its armored age file holding the data key.
#[derive(Debug)]
pub(crate) struct AgeStanza {
    pub(crate) recipient: String,
    pub(crate) enc: String,
}

/// What we need from the metadata.
#[derive(Debug)]
pub(crate) struct Metadata {
    pub(crate) age: Vec<AgeStanza>,
    /// Non-age key types present (`pgp`, `kms`, ..., or `key_groups` for Shamir groups).
    pub(crate) other_key_types: Vec<String>,
    pub(crate) last_modified: String,
    pub(crate) mac: String,
    pub(crate) mac_only_encrypted: bool,
    pub(crate) rules: Rules,
}

impl Metadata {
    /// Reads the metadata mapping of `file`.
    pub(crate) fn parse(file: &Path, sops: &Value) -> Result<Self, SecretsError> {
        let bad = |message: String| SecretsError::Metadata {
            file: file.to_owned(),
            message,
        };
        let map = sops
            .as_mapping()
            .ok_or_else(|| bad("`sops` is not a mapping".to_owned()))?;
        let mut age = Vec::new();
        let mut other_key_types = Vec::new();
        collect_keys(map, &mut age, &mut other_key_types, &bad)?;
        if let Some(groups) = map.get("key_groups") {
            let groups = groups
                .as_sequence()
                .ok_or_else(|| bad("`key_groups` is not a list".to_owned()))?;
            if groups.len() == 1 {
                let group = groups[0]
                    .as_mapping()
                    .ok_or_else(|| bad("`key_groups` entry is not a mapping".to_owned()))?;
                collect_keys(group, &mut age, &mut other_key_types, &bad)?;
            } else if !groups.is_empty() {
                // Shamir secret sharing over several groups: left to the sops binary.
                age.clear();
                other_key_types.push(format!("key_groups ({} groups, Shamir)", groups.len()));
            }
        }
        let text = |key: &str| -> Result<Option<String>, SecretsError> {
            match map.get(key) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(s)) if s.is_empty() => Ok(None),
                Some(Value::String(s)) => Ok(Some(s.clone())),
                Some(_) => Err(bad(format!("`{key}` is not a string"))),
            }
        };
        let regex = |key: &str| -> Result<Option<Regex>, SecretsError> {
            text(key)?
                .map(|re| {
                    Regex::new(&re).map_err(|e| {
                        // The regex crate's message spans lines; its last line says what is wrong.
                        let text = e.to_string();
                        let reason = text
                            .lines()
                            .last()
                            .unwrap_or_default()
                            .trim_start_matches("error: ");
                        bad(format!(
                            "`{key}` is not a valid regular expression: {reason}"
                        ))
                    })
                })
                .transpose()
        };
        let rules = Rules {
            unencrypted_suffix: text("unencrypted_suffix")?,
            encrypted_suffix: text("encrypted_suffix")?,
            unencrypted_regex: regex("unencrypted_regex")?,
            encrypted_regex: regex("encrypted_regex")?,
            comment_rules: text("encrypted_comment_regex")?.is_some()
                || text("unencrypted_comment_regex")?.is_some(),
        };
        let mac_only_encrypted = match map.get("mac_only_encrypted") {
            None | Some(Value::Null) => false,
            Some(Value::Bool(b)) => *b,
            // sops reads metadata weakly typed: "true" works too.
            Some(Value::String(s)) => s == "true" || s == "1",
            Some(_) => return Err(bad("`mac_only_encrypted` is not a boolean".to_owned())),
        };
        Ok(Self {
            age,
            other_key_types,
            last_modified: text("lastmodified")?
                .ok_or_else(|| bad("`lastmodified` is missing".to_owned()))?,
            mac: text("mac")?.ok_or_else(|| bad("`mac` is missing".to_owned()))?,
            mac_only_encrypted,
            rules,
        })
    }

    /// The age recipients, for messages.
    pub(crate) fn recipients(&self) -> Vec<String> {
        self.age.iter().map(|s| s.recipient.clone()).collect()
    }
}

/// Adds the age stanzas and the names of other key types found in one key group (or the top).
fn collect_keys(
    map: &Mapping,
    age: &mut Vec<AgeStanza>,
    others: &mut Vec<String>,
    bad: &dyn Fn(String) -> SecretsError,
) -> Result<(), SecretsError> {
    if let Some(list) = map.get("age") {
        for entry in list.as_sequence().map(Vec::as_slice).unwrap_or_default() {
            let field = |name: &str| entry.get(name).and_then(Value::as_str).map(str::to_owned);
            match (field("recipient"), field("enc")) {
                (Some(recipient), Some(enc)) => age.push(AgeStanza { recipient, enc }),
                _ => return Err(bad("an `age` entry lacks `recipient` or `enc`".to_owned())),
            }
        }
    }
    for kind in OTHER_KEY_TYPES {
        let present = map
            .get(kind)
            .and_then(Value::as_sequence)
            .is_some_and(|list| !list.is_empty());
        if present && !others.iter().any(|k| k == kind) {
            others.push(kind.to_owned());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Metadata, String> {
        let value: Value = serde_yaml::from_str(text).map_err(|e| e.to_string())?;
        Metadata::parse(Path::new("s.yaml"), &value).map_err(|e| e.to_string())
    }

    const TAIL: &str = "lastmodified: \"2024-01-01T00:00:00Z\"\nmac: ENC[x]\n";

    #[test]
    fn names_every_non_age_key_type() {
        let md = parse(&format!(
            "kms: [{{arn: a, enc: x}}]\npgp: [{{fp: f, enc: x}}]\nhc_vault: []\nage: [{{recipient: age1r, enc: x}}]\n{TAIL}"
        ));
        let md = md.map(|m| (m.recipients(), m.other_key_types));
        assert_eq!(
            md,
            Ok((
                vec!["age1r".to_owned()],
                vec!["pgp".to_owned(), "kms".to_owned()]
            ))
        );
    }

    #[test]
    fn one_key_group_counts_as_top_level_and_several_need_sops() {
        let one = parse(&format!(
            "key_groups:\n  - age: [{{recipient: age1r, enc: x}}]\n{TAIL}"
        ));
        assert_eq!(one.map(|m| m.recipients()), Ok(vec!["age1r".to_owned()]));
        let two = parse(&format!(
            "key_groups:\n  - age: [{{recipient: age1r, enc: x}}]\n  - pgp: [{{fp: f, enc: x}}]\n{TAIL}"
        ));
        assert_eq!(
            two.map(|m| (m.recipients(), m.other_key_types)),
            Ok((vec![], vec!["key_groups (2 groups, Shamir)".to_owned()]))
        );
    }

    #[test]
    fn bad_rules_and_missing_fields_are_reported() {
        assert_eq!(
            parse(&format!("encrypted_regex: \"(\"\n{TAIL}")).map(|_| ()),
            Err("s.yaml: invalid sops metadata: `encrypted_regex` is not a valid regular expression: unclosed group".to_owned())
        );
        assert_eq!(
            parse("mac: ENC[x]\n").map(|_| ()),
            Err("s.yaml: invalid sops metadata: `lastmodified` is missing".to_owned())
        );
    }
}
