//! Checking YAML files against the JSON Schemas `windlass schema` prints, with a real JSON
//! Schema validator (the `jsonschema` crate) as the judge. YAML is read as the loader reads it
//! (YAML 1.2, merge keys applied), one document at a time.

use std::path::Path;
use std::process::Command;

use crate::binary;

/// A compiled JSON Schema.
pub struct Schema {
    validator: jsonschema::Validator,
}

impl Schema {
    /// The schema `windlass schema KIND` prints (`charts`, `cluster` or `helmfile`).
    pub fn of(kind: &str) -> Self {
        Self::printed_by(&binary(), kind)
    }

    /// The schema `WINDLASS schema KIND` prints, for the `windlass` binary at `windlass`.
    pub fn printed_by(windlass: &Path, kind: &str) -> Self {
        Self::from_json(&crate::stdout_of(
            Command::new(windlass).args(["schema", kind]),
            &format!("windlass schema {kind}"),
        ))
    }

    /// A schema given as JSON text.
    pub fn from_json(text: &str) -> Self {
        let schema: serde_json::Value =
            serde_json::from_str(text).unwrap_or_else(|e| panic!("the schema is not JSON: {e}"));
        let validator = jsonschema::validator_for(&schema)
            .unwrap_or_else(|e| panic!("the schema is not a valid JSON Schema: {e}"));
        Self { validator }
    }

    /// What is wrong with each document of `yaml` (`--- `-separated), one line per error:
    /// `document N: /json/pointer: message`. Empty when every document is valid; empty documents
    /// count as valid (the loader reads them as nothing).
    pub fn errors(&self, yaml: &str) -> Vec<String> {
        let mut errors = Vec::new();
        for (index, document) in serde_yaml::Deserializer::from_str(yaml).enumerate() {
            let value = match json_of(document) {
                Ok(Some(value)) => value,
                Ok(None) => continue,
                Err(error) => {
                    errors.push(format!("document {index}: not YAML: {error}"));
                    continue;
                }
            };
            errors.extend(self.validator.iter_errors(&value).map(|error| {
                let at = error.instance_path().to_string();
                format!("document {index}: /{}: {error}", at.trim_start_matches('/'))
            }));
        }
        errors
    }
}

/// A YAML document as JSON, merge keys applied; `None` for an empty document.
fn json_of(document: serde_yaml::Deserializer<'_>) -> Result<Option<serde_json::Value>, String> {
    use serde::Deserialize;
    let mut value = serde_yaml::Value::deserialize(document).map_err(|e| e.to_string())?;
    if value.is_null() {
        return Ok(None);
    }
    value.apply_merge().map_err(|e| e.to_string())?;
    serde_json::to_value(&value)
        .map(Some)
        .map_err(|e| e.to_string())
}
