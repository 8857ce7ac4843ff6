//! JSON Schemas of the files the loader reads, for editors' YAML language servers. They are
//! derived from the loader's own spec types (`schemars` reads their serde attributes and doc
//! comments), so a field the loader learns is in the schema the next time it is printed. The
//! functions below describe the fields the loader keeps as raw YAML and decodes later.

use schemars::generate::SchemaSettings;
use schemars::transform::RecursiveTransform;
use schemars::{Schema, SchemaGenerator, json_schema};
use serde_json::{Map, Value, json};

use crate::project::catalog::{Catalog, Cluster};
use crate::project::release::{Inherit, ReleaseSpec};
use crate::project::state::{StateDocument, SubHelmfileSpec};

/// A file windlass reads, with a JSON Schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SchemaFile {
    /// Layout A's `charts.yaml`.
    Charts,
    /// Layout A's `<environmentsDir>/<env>/cluster.yaml`.
    Cluster,
    /// A Helmfile state file: `helmfile.yaml`, a `helmfile.d/` part or a base.
    Helmfile,
}

impl SchemaFile {
    /// Every file with a schema.
    pub const ALL: [Self; 3] = [Self::Charts, Self::Cluster, Self::Helmfile];

    /// The schema's file name (`charts.schema.json`), as committed under `schemas/`.
    pub fn file_name(self) -> &'static str {
        match self {
            Self::Charts => "charts.schema.json",
            Self::Cluster => "cluster.schema.json",
            Self::Helmfile => "helmfile.schema.json",
        }
    }

    /// The JSON Schema (draft-07, the draft YAML language servers validate) of the file.
    pub fn schema(self) -> serde_json::Value {
        let generator = SchemaSettings::draft07()
            .with_transform(RecursiveTransform(unwrap_description))
            .with_transform(RecursiveTransform(null_is_empty))
            .into_generator();
        let schema = match self {
            Self::Charts => generator.into_root_schema_for::<Catalog>(),
            Self::Cluster => generator.into_root_schema_for::<Cluster>(),
            Self::Helmfile => generator.into_root_schema_for::<StateDocument>(),
        };
        heading_first(schema.to_value())
    }
}

/// Joins the lines of a description taken from a wrapped doc comment, keeping paragraphs.
fn unwrap_description(schema: &mut Schema) {
    if let Some(Value::String(text)) = schema.get_mut("description") {
        *text = text
            .split("\n\n")
            .map(|paragraph| paragraph.replace('\n', " "))
            .collect::<Vec<_>>()
            .join("\n\n");
    }
}

/// Lists and maps may be written empty (`needs:`): the YAML reader takes null for an empty
/// collection, as Helmfile's does. Structs say so where they accept it (an `Option` field).
fn null_is_empty(schema: &mut Schema) {
    let is_map = schema.get("properties").is_none();
    if let Some(kind) = schema.get_mut("type")
        && (kind == "array" || (kind == "object" && is_map))
    {
        *kind = json!([kind.take(), "null"]);
    }
}

/// The root schema with `$schema`, `title` and `description` first, as people read it.
fn heading_first(schema: Value) -> Value {
    let Value::Object(mut rest) = schema else {
        return schema;
    };
    let mut ordered = Map::new();
    for key in ["$schema", "title", "description"] {
        if let Some(value) = rest.shift_remove(key) {
            ordered.insert(key.to_string(), value);
        }
    }
    ordered.append(&mut rest);
    Value::Object(ordered)
}

/// A scalar that the loader reads as text, as Go's YAML decoder does (`version: 1.2`).
pub(crate) fn scalar(_: &mut SchemaGenerator) -> Schema {
    json_schema!({ "type": ["string", "number", "boolean", "null"] })
}

/// Labels: a map whose values may be written as numbers or booleans.
pub(crate) fn labels(generator: &mut SchemaGenerator) -> Schema {
    json_schema!({
        "type": ["object", "null"],
        "additionalProperties": scalar(generator),
    })
}

/// `values:` entries: a file path or glob, an inline map, or nothing.
pub(crate) fn values_entries(_: &mut SchemaGenerator) -> Schema {
    json_schema!({
        "type": "array",
        "items": {
            "anyOf": [
                { "type": "string", "description": "A values file or glob; `.gotmpl` files are rendered." },
                { "type": "object", "description": "Values written inline." },
                { "type": "null" },
            ],
        },
    })
}

/// `inherit:`: one entry or a list of them.
pub(crate) fn inherits(generator: &mut SchemaGenerator) -> Schema {
    let entry = generator.subschema_for::<Inherit>();
    json_schema!({
        "anyOf": [entry, { "type": "array", "items": entry }, { "type": "null" }],
    })
}

/// A Helmfile state file's `releases:`: each names itself (layout A's catalog names them by key).
pub(crate) fn named_releases(generator: &mut SchemaGenerator) -> Schema {
    let release = generator.subschema_for::<ReleaseSpec>();
    json_schema!({
        "type": "array",
        "items": { "allOf": [release, { "type": "object", "required": ["name"] }] },
    })
}

/// `helmfiles:` entries: a path or glob, or an entry with values and selectors.
pub(crate) fn sub_helmfiles(generator: &mut SchemaGenerator) -> Schema {
    let entry = generator.subschema_for::<SubHelmfileSpec>();
    json_schema!({
        "type": "array",
        "items": { "anyOf": [{ "type": "string" }, entry] },
    })
}

/// `defaultInherit:`: one template name or a list of them.
pub(crate) fn one_or_more_names(_: &mut SchemaGenerator) -> Schema {
    json_schema!({
        "anyOf": [
            { "type": "string" },
            { "type": "array", "items": { "type": "string" } },
            { "type": "null" },
        ],
    })
}
