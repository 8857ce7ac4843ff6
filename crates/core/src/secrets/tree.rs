//! Walks the documents of a sops file: opens the encrypted leaves in place and hashes every leaf
//! into the MAC, in document order, as sops' `Tree.Decrypt` does.

use std::path::Path;

use serde_yaml::{Number, Value};
use sha2::{Digest, Sha512};

use super::Format;
use super::SecretsError;
use super::cipher::{OpenError, Plain, ValueCipher, go_format_float};
use super::rules::{Leaf, Rules};

/// Bytes sops hashes first when `mac_only_encrypted` is set, so the two MAC kinds never collide.
const MAC_ONLY_ENCRYPTED_INIT: [u8; 32] = [
    0x8a, 0x3f, 0xd2, 0xad, 0x54, 0xce, 0x66, 0x52, 0x7b, 0x10, 0x34, 0xf3, 0xd1, 0x47, 0xbe, 0x0b,
    0x0b, 0x97, 0x5b, 0x3b, 0xf4, 0x4f, 0x72, 0xc6, 0xfd, 0xad, 0xec, 0x81, 0x76, 0xf2, 0x7d, 0x69,
];

/// Decrypts the values of one file and computes its MAC.
pub(crate) struct TreeDecryptor<'a> {
    pub(crate) file: &'a Path,
    pub(crate) cipher: &'a ValueCipher,
    pub(crate) rules: &'a Rules,
    pub(crate) mac_only_encrypted: bool,
    pub(crate) format: Format,
    hasher: Sha512,
}

impl<'a> TreeDecryptor<'a> {
    pub(crate) fn new(
        file: &'a Path,
        cipher: &'a ValueCipher,
        rules: &'a Rules,
        mac_only_encrypted: bool,
        format: Format,
    ) -> Self {
        let mut hasher = Sha512::new();
        if mac_only_encrypted {
            hasher.update(MAC_ONLY_ENCRYPTED_INIT);
        }
        Self {
            file,
            cipher,
            rules,
            mac_only_encrypted,
            format,
            hasher,
        }
    }

    /// Decrypts one document (its `sops` key already removed) in place.
    pub(crate) fn document(&mut self, doc: &mut Value) -> Result<(), SecretsError> {
        self.value(doc, &mut Vec::new())
    }

    /// The MAC of everything walked so far, as sops writes it (upper-case hex of SHA-512).
    pub(crate) fn finish(self) -> String {
        self.hasher
            .finalize()
            .iter()
            .map(|b| format!("{b:02X}"))
            .collect()
    }

    fn value(&mut self, value: &mut Value, path: &mut Vec<String>) -> Result<(), SecretsError> {
        match value {
            Value::Mapping(map) => {
                for (key, child) in map.iter_mut() {
                    // A tagged key (`!!merge <<`, as sops writes merge keys) counts by its text.
                    let key = match key {
                        Value::String(key) => key,
                        Value::Tagged(tagged) => match &tagged.value {
                            Value::String(key) => key,
                            _ => return Err(self.non_string_key(path)),
                        },
                        _ => return Err(self.non_string_key(path)),
                    };
                    path.push(key.clone());
                    self.value(child, path)?;
                    path.pop();
                }
                Ok(())
            }
            // sops does not put list indices in the key path. A comment inside a list is written
            // as an item of type comment; it decrypts to a comment, not a value, and stays out
            // of the MAC.
            Value::Sequence(items) => {
                items.retain(|item| !is_encrypted_comment(item));
                items.iter_mut().try_for_each(|item| self.value(item, path))
            }
            Value::Tagged(tagged) => self.value(&mut tagged.value, path),
            Value::Null => Ok(()),
            Value::String(text) => match self.rules.classify(path, Some(text)) {
                Leaf::Encrypted if text.is_empty() => Ok(()),
                Leaf::Encrypted => {
                    let plain = self.open(text, path)?;
                    self.hasher.update(mac_bytes(&plain));
                    *value = self.plain_value(plain, path)?;
                    Ok(())
                }
                Leaf::Plain => {
                    if !self.mac_only_encrypted {
                        self.hasher.update(text.as_bytes());
                    }
                    Ok(())
                }
            },
            Value::Bool(_) | Value::Number(_) => match self.rules.classify(path, None) {
                Leaf::Encrypted => Err(self.malformed(
                    path,
                    "found a plain scalar where sops' rules expect an encrypted string",
                )),
                Leaf::Plain => {
                    if !self.mac_only_encrypted {
                        self.hasher.update(scalar_mac_bytes(value));
                    }
                    if let Value::Number(n) = value
                        && let Some(f) = n.as_f64().filter(|_| n.is_f64())
                    {
                        *value = float_value(f, self.format);
                    }
                    Ok(())
                }
            },
        }
    }

    fn open(&self, text: &str, path: &[String]) -> Result<Plain, SecretsError> {
        let aad = key_path_aad(path);
        self.cipher.open(text, &aad).map_err(|e| match e {
            OpenError::Malformed(reason) => self.malformed(path, reason),
            OpenError::Authentication => SecretsError::ValueAuthentication {
                file: self.file.to_owned(),
                key_path: path.join(":"),
            },
        })
    }

    fn plain_value(&self, plain: Plain, path: &[String]) -> Result<Value, SecretsError> {
        Ok(match plain {
            Plain::Str(s) | Plain::Time(s) => Value::String(s),
            Plain::Int(i) => Value::Number(Number::from(i)),
            Plain::Float(f) => float_value(f, self.format),
            Plain::Bool(b) => Value::Bool(b),
            Plain::Bytes(b) => Value::String(
                String::from_utf8(b)
                    .map_err(|_| self.malformed(path, "type:bytes plaintext is not UTF-8"))?,
            ),
        })
    }

    fn non_string_key(&self, path: &[String]) -> SecretsError {
        SecretsError::NonStringKey {
            file: self.file.to_owned(),
            key_path: path.join(":"),
        }
    }

    fn malformed(&self, path: &[String], reason: &str) -> SecretsError {
        SecretsError::MalformedValue {
            file: self.file.to_owned(),
            key_path: path.join(":"),
            reason: reason.to_owned(),
        }
    }
}

/// The additional data sops binds a value to: its key path joined by `:`, with a trailing `:`.
fn key_path_aad(path: &[String]) -> String {
    let mut aad = String::with_capacity(path.iter().map(|k| k.len() + 1).sum());
    for key in path {
        aad.push_str(key);
        aad.push(':');
    }
    aad
}

/// The bytes sops hashes for a decrypted value (Go's `ToBytes`).
fn mac_bytes(plain: &Plain) -> Vec<u8> {
    match plain {
        Plain::Str(s) | Plain::Time(s) => s.as_bytes().to_vec(),
        Plain::Int(i) => i.to_string().into_bytes(),
        Plain::Float(f) => go_format_float(*f).into_bytes(),
        Plain::Bool(b) => go_bool(*b).as_bytes().to_vec(),
        Plain::Bytes(b) => b.clone(),
    }
}

/// The bytes sops hashes for a plain number or boolean.
fn scalar_mac_bytes(value: &Value) -> Vec<u8> {
    match value {
        Value::Bool(b) => go_bool(*b).as_bytes().to_vec(),
        Value::Number(n) => match n.as_f64() {
            Some(f) if n.is_f64() => go_format_float(f),
            _ => n.to_string(),
        }
        .into_bytes(),
        _ => Vec::new(),
    }
}

fn go_bool(b: bool) -> &'static str {
    if b { "True" } else { "False" }
}

/// A float as it reads back from sops' output: Go prints whole floats without a fraction
/// (`1.0` becomes `1`, an integer), in YAML up to 1e6 (`FormatFloat 'g'`), in JSON up to 1e21.
pub(crate) fn float_value(f: f64, format: Format) -> Value {
    let limit = match format {
        Format::Yaml => 1e6,
        Format::Json => 1e21,
    };
    if f.is_finite() && f.fract() == 0.0 && f.abs() < limit {
        // In range: the cast is exact.
        #[allow(clippy::cast_possible_truncation)]
        let int = f as i64;
        return Value::Number(Number::from(int));
    }
    Value::Number(Number::from(f))
}

/// An `ENC[...,type:comment]` item: how sops stores a comment that stands inside a list.
fn is_encrypted_comment(item: &Value) -> bool {
    item.as_str()
        .is_some_and(|text| text.starts_with("ENC[AES256_GCM,") && text.ends_with(",type:comment]"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aad_is_colon_joined_with_trailing_colon() {
        assert_eq!(key_path_aad(&["a".to_owned(), "b".to_owned()]), "a:b:");
        assert_eq!(key_path_aad(&[]), "");
    }

    #[test]
    fn whole_floats_read_back_as_integers_like_sops_prints_them() {
        assert_eq!(
            float_value(1.0, Format::Yaml),
            Value::Number(Number::from(1))
        );
        assert_eq!(
            float_value(1.5, Format::Yaml),
            Value::Number(Number::from(1.5))
        );
        assert_eq!(
            float_value(2e6, Format::Yaml),
            Value::Number(Number::from(2e6))
        );
        assert_eq!(
            float_value(2e6, Format::Json),
            Value::Number(Number::from(2_000_000))
        );
    }
}
