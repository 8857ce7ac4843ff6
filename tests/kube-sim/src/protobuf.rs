//! Reading protobuf request bodies (`application/vnd.kubernetes.protobuf`): client-go's typed
//! clients send them, e.g. helm's release records (Secrets, ConfigMaps) and delete options. A
//! body is the magic `k8s\0` then an `Unknown` message {typeMeta{apiVersion, kind}, raw}; `raw`
//! is the object's own message, decoded here for the kinds clients send this way.

use serde_json::{Map, Value};

/// The Kubernetes protobuf envelope's magic prefix.
const MAGIC: &[u8] = b"k8s\0";

/// How one field is decoded.
#[derive(Debug, Clone, Copy)]
enum Ty {
    Str,
    Bytes,
    Int,
    Bool,
    Time,
    Msg(&'static [Field]),
    RepStr,
    RepMsg(&'static [Field]),
    MapStr,
    MapBytes,
}

/// (field number, JSON name, type)
type Field = (u64, &'static str, Ty);

const TIME: &[Field] = &[(1, "seconds", Ty::Int), (2, "nanos", Ty::Int)];
const OWNER_REFERENCE: &[Field] = &[
    (1, "kind", Ty::Str),
    (3, "name", Ty::Str),
    (4, "uid", Ty::Str),
    (5, "apiVersion", Ty::Str),
    (6, "controller", Ty::Bool),
    (7, "blockOwnerDeletion", Ty::Bool),
];
const OBJECT_META: &[Field] = &[
    (1, "name", Ty::Str),
    (2, "generateName", Ty::Str),
    (3, "namespace", Ty::Str),
    (5, "uid", Ty::Str),
    (6, "resourceVersion", Ty::Str),
    (7, "generation", Ty::Int),
    (8, "creationTimestamp", Ty::Time),
    (11, "labels", Ty::MapStr),
    (12, "annotations", Ty::MapStr),
    (13, "ownerReferences", Ty::RepMsg(OWNER_REFERENCE)),
    (14, "finalizers", Ty::RepStr),
];
const SECRET: &[Field] = &[
    (1, "metadata", Ty::Msg(OBJECT_META)),
    (2, "data", Ty::MapBytes),
    (3, "type", Ty::Str),
    (4, "stringData", Ty::MapStr),
    (5, "immutable", Ty::Bool),
];
const CONFIG_MAP: &[Field] = &[
    (1, "metadata", Ty::Msg(OBJECT_META)),
    (2, "data", Ty::MapStr),
    (3, "binaryData", Ty::MapBytes),
    (4, "immutable", Ty::Bool),
];
const NAMESPACE: &[Field] = &[
    (1, "metadata", Ty::Msg(OBJECT_META)),
    (2, "spec", Ty::Msg(&[(1, "finalizers", Ty::RepStr)])),
];
const PRECONDITIONS: &[Field] = &[(1, "uid", Ty::Str), (2, "resourceVersion", Ty::Str)];
const DELETE_OPTIONS: &[Field] = &[
    (1, "gracePeriodSeconds", Ty::Int),
    (2, "preconditions", Ty::Msg(PRECONDITIONS)),
    (3, "orphanDependents", Ty::Bool),
    (4, "propagationPolicy", Ty::Str),
    (5, "dryRun", Ty::RepStr),
];

/// The decoded object of a protobuf body, as JSON.
pub fn decode(body: &[u8]) -> Result<Value, String> {
    let envelope = body
        .strip_prefix(MAGIC)
        .ok_or("a protobuf body must start with the k8s\\0 envelope")?;
    let mut api_version = String::new();
    let mut kind = String::new();
    let mut raw: &[u8] = &[];
    for field in Fields(envelope) {
        match field? {
            (1, Wire::Bytes(type_meta)) => {
                for meta in Fields(type_meta) {
                    match meta? {
                        (1, Wire::Bytes(v)) => api_version = text(v)?,
                        (2, Wire::Bytes(v)) => kind = text(v)?,
                        _ => {}
                    }
                }
            }
            (2, Wire::Bytes(bytes)) => raw = bytes,
            _ => {}
        }
    }
    let schema = match kind.as_str() {
        "Secret" => SECRET,
        "ConfigMap" => CONFIG_MAP,
        "Namespace" => NAMESPACE,
        "DeleteOptions" => DELETE_OPTIONS,
        other => {
            return Err(format!(
                "protobuf bodies of kind {other:?} are not supported by this test server; send JSON"
            ));
        }
    };
    let mut object = message(raw, schema)?;
    object.insert("apiVersion".into(), Value::String(api_version));
    object.insert("kind".into(), Value::String(kind));
    Ok(Value::Object(object))
}

/// One field's wire value.
enum Wire<'a> {
    Varint(u64),
    Bytes(&'a [u8]),
    Fixed,
}

/// The fields of one message, in order.
struct Fields<'a>(&'a [u8]);

impl<'a> Iterator for Fields<'a> {
    type Item = Result<(u64, Wire<'a>), String>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.0.is_empty() {
            return None;
        }
        Some(self.read())
    }
}

impl<'a> Fields<'a> {
    fn varint(&mut self) -> Result<u64, String> {
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let (&byte, rest) = self.0.split_first().ok_or("truncated varint")?;
            self.0 = rest;
            value |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err("varint too long".into())
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        if self.0.len() < n {
            return Err("truncated field".into());
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(head)
    }

    fn read(&mut self) -> Result<(u64, Wire<'a>), String> {
        let tag = self.varint()?;
        let wire = match tag & 7 {
            0 => Wire::Varint(self.varint()?),
            1 => {
                self.take(8)?;
                Wire::Fixed
            }
            2 => {
                let len = usize::try_from(self.varint()?).map_err(|_| "length too large")?;
                Wire::Bytes(self.take(len)?)
            }
            5 => {
                self.take(4)?;
                Wire::Fixed
            }
            other => return Err(format!("unsupported wire type {other}")),
        };
        Ok((tag >> 3, wire))
    }
}

fn text(bytes: &[u8]) -> Result<String, String> {
    String::from_utf8(bytes.to_vec()).map_err(|_| "a string field is not UTF-8".to_string())
}

/// Decodes a message with `schema`; fields it does not name are skipped.
fn message(bytes: &[u8], schema: &[Field]) -> Result<Map<String, Value>, String> {
    let mut out = Map::new();
    for field in Fields(bytes) {
        let (number, wire) = field?;
        let Some(&(_, name, ty)) = schema.iter().find(|(n, _, _)| *n == number) else {
            continue;
        };
        match (ty, wire) {
            (Ty::Str, Wire::Bytes(b)) => {
                out.insert(name.into(), Value::String(text(b)?));
            }
            (Ty::Bytes, Wire::Bytes(b)) => {
                out.insert(name.into(), Value::String(encode_base64(b)));
            }
            (Ty::Int, Wire::Varint(v)) => {
                out.insert(name.into(), Value::from(v as i64));
            }
            (Ty::Bool, Wire::Varint(v)) => {
                out.insert(name.into(), Value::Bool(v != 0));
            }
            (Ty::Time, Wire::Bytes(b)) => {
                let time = message(b, TIME)?;
                let seconds = time.get("seconds").and_then(Value::as_i64).unwrap_or(0);
                out.insert(name.into(), Value::String(crate::clock::rfc3339(seconds)));
            }
            (Ty::Msg(fields), Wire::Bytes(b)) => {
                out.insert(name.into(), Value::Object(message(b, fields)?));
            }
            (Ty::RepStr, Wire::Bytes(b)) => push(&mut out, name, Value::String(text(b)?)),
            (Ty::RepMsg(fields), Wire::Bytes(b)) => {
                push(&mut out, name, Value::Object(message(b, fields)?))
            }
            (Ty::MapStr | Ty::MapBytes, Wire::Bytes(b)) => {
                let entry = message(b, &[(1, "key", Ty::Str), (2, "value", Ty::Bytes)])?;
                let key = entry
                    .get("key")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string();
                let encoded = entry
                    .get("value")
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                let value = if matches!(ty, Ty::MapBytes) {
                    encoded.to_string()
                } else {
                    text(&unbase64(encoded))?
                };
                let map = out.entry(name).or_insert_with(|| Value::Object(Map::new()));
                if let Some(map) = map.as_object_mut() {
                    map.insert(key, Value::String(value));
                }
            }
            _ => return Err(format!("field {name} has an unexpected wire type")),
        }
    }
    Ok(out)
}

fn push(out: &mut Map<String, Value>, name: &str, value: Value) {
    if let Some(list) = out
        .entry(name)
        .or_insert_with(|| Value::Array(Vec::new()))
        .as_array_mut()
    {
        list.push(value);
    }
}

const BASE64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard base64 with padding, as JSON carries `[]byte` fields.
pub fn encode_base64(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(BASE64[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn unbase64(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len() / 4 * 3);
    let (mut acc, mut bits) = (0u32, 0);
    for c in text.bytes().filter(|c| *c != b'=') {
        let Some(v) = BASE64.iter().position(|b| *b == c) else {
            continue;
        };
        acc = acc << 6 | v as u32;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn field(number: u64, bytes: &[u8]) -> Vec<u8> {
        let mut out = vec![(number << 3 | 2) as u8, bytes.len() as u8];
        out.extend_from_slice(bytes);
        out
    }

    #[test]
    fn decodes_a_helm_release_secret() {
        let label = [field(1, b"owner"), field(2, b"helm")].concat();
        let meta = [
            field(1, b"sh.helm.release.v1.web.v1"),
            field(3, b"apps"),
            field(11, &label),
        ]
        .concat();
        let data = [field(1, b"release"), field(2, b"H4sI")].concat();
        let secret = [
            field(1, &meta),
            field(2, &data),
            field(3, b"helm.sh/release.v1"),
        ]
        .concat();
        let type_meta = [field(1, b"v1"), field(2, b"Secret")].concat();
        let body = [MAGIC.to_vec(), field(1, &type_meta), field(2, &secret)].concat();
        assert_eq!(
            decode(&body).unwrap(),
            json!({
                "metadata": {"name": "sh.helm.release.v1.web.v1", "namespace": "apps", "labels": {"owner": "helm"}},
                "data": {"release": "SDRzSQ=="},
                "type": "helm.sh/release.v1",
                "apiVersion": "v1",
                "kind": "Secret"
            })
        );
    }

    #[test]
    fn base64_round_trips() {
        for text in ["", "a", "ab", "abc", "abcd"] {
            assert_eq!(unbase64(&encode_base64(text.as_bytes())), text.as_bytes());
        }
        assert_eq!(encode_base64(b"ab"), "YWI=");
    }

    #[test]
    fn unknown_kinds_are_refused() {
        let type_meta = [field(1, b"apps/v1"), field(2, b"Deployment")].concat();
        let body = [MAGIC.to_vec(), field(1, &type_meta)].concat();
        assert!(decode(&body).unwrap_err().contains("\"Deployment\""));
    }
}
