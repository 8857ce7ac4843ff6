//! Typed decoding of YAML mappings with Helmfile's strictness: unknown keys are errors that name the
//! closest known field, and type errors point at the offending value.

use serde::de::{self, DeserializeOwned, Visitor};
use serde::forward_to_deserialize_any;
use serde_yaml::Value;

use crate::location::Location;
use crate::project::error::{ProjectError, closest};
use crate::project::layers::Layers;
use crate::project::source::{NodePath, Segment, SourceMap};

/// Something that can say where a node below the decoded value was written.
pub trait Locate {
    /// The location of the node at `path`, relative to the decoded value.
    fn locate_below(&self, path: &[Segment]) -> Location;
}

/// A node of a single document: its source map and its path in it.
pub struct At<'a>(pub &'a SourceMap, pub &'a [Segment]);

impl Locate for At<'_> {
    fn locate_below(&self, path: &[Segment]) -> Location {
        let mut full = self.1.to_vec();
        full.extend_from_slice(path);
        self.0.locate(&full)
    }
}

impl Locate for Layers {
    fn locate_below(&self, path: &[Segment]) -> Location {
        self.locate(path)
    }
}

/// Decodes `value` into `T`, rejecting keys that `T` does not know; `at` locates its nodes and
/// `context` names the thing in messages, e.g. `release "web"`.
pub fn decode<T: DeserializeOwned>(
    value: &Value,
    at: &dyn Locate,
    context: &str,
) -> Result<T, ProjectError> {
    if let Value::Mapping(mapping) = value {
        let known = field_names::<T>();
        for key in mapping.keys() {
            let Some(key) = key.as_str() else { continue };
            if !known.contains(&key) {
                return Err(ProjectError::UnknownField {
                    location: at.locate_below(&[Segment::Key(key.to_string())]),
                    field: key.to_string(),
                    context: context.to_string(),
                    suggestion: closest(key, known.iter().copied()),
                });
            }
        }
    }
    serde_path_to_error::deserialize(value).map_err(|error| {
        let inner: NodePath = error
            .path()
            .iter()
            .filter_map(|segment| match segment {
                serde_path_to_error::Segment::Map { key } => Some(Segment::Key(key.clone())),
                serde_path_to_error::Segment::Seq { index } => Some(Segment::Index(*index)),
                _ => None,
            })
            .collect();
        let field = error.path().to_string();
        invalid(
            at.locate_below(&inner),
            if field == "." {
                context.to_string()
            } else {
                format!("{context}, field \"{field}\"")
            },
            error.into_inner().to_string(),
        )
    })
}

/// An [`ProjectError::InvalidField`] at `location`.
pub fn invalid(location: Location, context: String, message: String) -> ProjectError {
    ProjectError::InvalidField {
        location,
        context,
        message,
    }
}

/// The field names a struct deserializes, read from its `Deserialize` implementation.
pub fn field_names<T: DeserializeOwned>() -> &'static [&'static str] {
    let mut names: &'static [&'static str] = &[];
    let _ = T::deserialize(FieldNames(&mut names));
    names
}

/// A deserializer that records the field list a struct asks for, then stops.
struct FieldNames<'a>(&'a mut &'static [&'static str]);

#[derive(Debug)]
struct Stop;

impl std::fmt::Display for Stop {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("field names read")
    }
}

impl std::error::Error for Stop {}

impl de::Error for Stop {
    fn custom<M: std::fmt::Display>(_: M) -> Self {
        Stop
    }
}

impl<'de> de::Deserializer<'de> for FieldNames<'_> {
    type Error = Stop;

    fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Stop> {
        Err(Stop)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        fields: &'static [&'static str],
        _: V,
    ) -> Result<V::Value, Stop> {
        *self.0 = fields;
        Err(Stop)
    }

    forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf option
        unit unit_struct newtype_struct seq tuple tuple_struct map enum identifier ignored_any
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::project::source::parse_documents;
    use std::path::Path;

    #[derive(serde::Deserialize, Debug, PartialEq)]
    #[serde(rename_all = "camelCase")]
    struct Sample {
        name: String,
        #[serde(default)]
        create_namespace: Option<bool>,
    }

    fn decode_text(text: &str) -> Result<Sample, ProjectError> {
        let docs = parse_documents(Path::new("x.yaml"), text)?;
        decode::<Sample>(&docs[0].value, &At(&docs[0].map, &[]), "release \"a\"")
    }

    #[test]
    fn reads_field_names_from_serde() {
        assert_eq!(field_names::<Sample>(), &["name", "createNamespace"]);
    }

    #[test]
    fn unknown_field_names_the_closest_known_one() {
        let err = decode_text("name: a\ncreateNamspace: true\n").unwrap_err();
        assert_eq!(
            err.to_string(),
            "x.yaml:2:1: unknown field \"createNamspace\" in release \"a\" (did you mean \"createNamespace\"?)"
        );
    }

    #[test]
    fn type_error_points_at_the_value() {
        let err = decode_text("name: a\ncreateNamespace: [1]\n").unwrap_err();
        assert_eq!(
            err.to_string(),
            "x.yaml:2:1: release \"a\", field \"createNamespace\": invalid type: sequence, expected a boolean"
        );
    }
}
