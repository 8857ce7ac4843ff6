//! Which values sops encrypted: the `unencrypted_suffix` / `encrypted_suffix` / `unencrypted_regex`
//! / `encrypted_regex` rules of the metadata, applied to the key path as sops does.

use regex::Regex;

/// The rules of one file, from its metadata.
#[derive(Debug, Default)]
pub(crate) struct Rules {
    pub(crate) unencrypted_suffix: Option<String>,
    pub(crate) encrypted_suffix: Option<String>,
    pub(crate) unencrypted_regex: Option<Regex>,
    pub(crate) encrypted_regex: Option<Regex>,
    /// True when `encrypted_comment_regex` or `unencrypted_comment_regex` is set. These rules
    /// depend on the YAML comments above a value, which our YAML reader does not keep; a value is
    /// then taken as encrypted exactly when it has the `ENC[...]` shape (see `should_decrypt`).
    pub(crate) comment_rules: bool,
}

/// What to do with one leaf.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Leaf {
    /// sops encrypted it: open it (an error if it is not an `ENC[...]` string).
    Encrypted,
    /// sops left it plain.
    Plain,
}

impl Rules {
    /// Whether sops encrypted the value at `path`, the value being `text` if it is a string.
    pub(crate) fn classify(&self, path: &[String], text: Option<&str>) -> Leaf {
        if self.comment_rules {
            return match text {
                Some(t) if super::cipher::looks_encrypted(t) => Leaf::Encrypted,
                _ => Leaf::Plain,
            };
        }
        if self.by_path(path) {
            Leaf::Encrypted
        } else {
            Leaf::Plain
        }
    }

    /// sops' `shouldBeEncrypted` for the key-path rules: each rule, when set, overrides the ones
    /// before it.
    fn by_path(&self, path: &[String]) -> bool {
        let mut encrypted = true;
        if let Some(suffix) = &self.unencrypted_suffix
            && path.iter().any(|k| k.ends_with(suffix.as_str()))
        {
            encrypted = false;
        }
        if let Some(suffix) = &self.encrypted_suffix {
            encrypted = path.iter().any(|k| k.ends_with(suffix.as_str()));
        }
        if let Some(re) = &self.unencrypted_regex
            && path.iter().any(|k| re.is_match(k))
        {
            encrypted = false;
        }
        if let Some(re) = &self.encrypted_regex {
            encrypted = path.iter().any(|k| re.is_match(k));
        }
        encrypted
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(keys: &[&str]) -> Vec<String> {
        keys.iter().map(|k| (*k).to_owned()).collect()
    }

    #[test]
    fn default_encrypts_everything() {
        assert_eq!(
            Rules::default().classify(&path(&["a", "b"]), None),
            Leaf::Encrypted
        );
    }

    #[test]
    fn unencrypted_suffix_on_any_ancestor_keeps_plain() {
        let rules = Rules {
            unencrypted_suffix: Some("_unencrypted".to_owned()),
            ..Rules::default()
        };
        assert_eq!(
            rules.classify(&path(&["x_unencrypted", "b"]), None),
            Leaf::Plain
        );
        assert_eq!(rules.classify(&path(&["x", "b"]), None), Leaf::Encrypted);
    }

    #[test]
    fn encrypted_regex_encrypts_only_matches() {
        let Ok(re) = Regex::new("^(data|stringData)$") else {
            panic!("valid regex");
        };
        let rules = Rules {
            encrypted_regex: Some(re),
            ..Rules::default()
        };
        assert_eq!(rules.classify(&path(&["data", "k"]), None), Leaf::Encrypted);
        assert_eq!(
            rules.classify(&path(&["metadata", "name"]), None),
            Leaf::Plain
        );
    }

    #[test]
    fn comment_rules_go_by_shape() {
        let rules = Rules {
            comment_rules: true,
            ..Rules::default()
        };
        assert_eq!(
            rules.classify(&path(&["a"]), Some("ENC[AES256_GCM,data:x]")),
            Leaf::Encrypted
        );
        assert_eq!(rules.classify(&path(&["a"]), Some("plain")), Leaf::Plain);
        assert_eq!(rules.classify(&path(&["a"]), None), Leaf::Plain);
    }
}
