//! Decrypting one sops file: parse, find the data key through age (or hand the file to the `sops`
//! binary), open the values, verify the MAC.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use age::armor::ArmoredReader;
use serde::Deserialize;
use serde_yaml::Value;
use zeroize::Zeroizing;

use super::cipher::{Plain, ValueCipher};
use super::metadata::{AgeStanza, Metadata};
use super::tree::TreeDecryptor;
use super::{AgeIdentities, SecretsError};
use crate::location::Location;

/// The serialization of a sops file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Format {
    /// YAML, one or more documents.
    Yaml,
    /// JSON.
    Json,
}

impl Format {
    /// The format sops would pick for `path`: JSON for `.json`, YAML otherwise.
    pub fn from_path(path: &Path) -> Self {
        match path.extension().and_then(|e| e.to_str()) {
            Some(ext) if ext.eq_ignore_ascii_case("json") => Self::Json,
            _ => Self::Yaml,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Self::Yaml => "yaml",
            Self::Json => "json",
        }
    }
}

/// How to decrypt: the age identities to try, and optionally a `sops` binary for files whose
/// keys we do not handle natively (PGP, cloud KMS, Vault, Shamir key groups).
#[derive(Debug, Default)]
pub struct DecryptOptions {
    /// Age identities; see [`AgeIdentities::discover`].
    pub identities: AgeIdentities,
    /// The `sops` binary to delegate to, if any (resolved by the caller from PATH or a flag).
    pub sops_binary: Option<PathBuf>,
    /// Extra environment for the `sops` binary (e.g. `GNUPGHOME`); it otherwise inherits ours.
    pub sops_env: Vec<(String, String)>,
}

/// A decrypted file: its documents, values typed as `sops decrypt` prints them, keys in order.
/// Its `Debug` output shows no value.
#[derive(Clone, PartialEq)]
pub struct Decrypted {
    documents: Vec<Value>,
    format: Format,
    file: PathBuf,
}

impl std::fmt::Debug for Decrypted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Decrypted")
            .field("documents", &self.documents.len())
            .field("format", &self.format)
            .field("file", &self.file)
            .finish_non_exhaustive()
    }
}

impl Decrypted {
    /// The documents, in file order (JSON files have one).
    pub fn documents(&self) -> &[Value] {
        &self.documents
    }

    /// The first document, as helm reads a values file; an empty mapping if there is none.
    pub fn into_value(self) -> Value {
        self.documents
            .into_iter()
            .next()
            .unwrap_or_else(|| Value::Mapping(Default::default()))
    }

    /// The plaintext, YAML documents separated by `---` (or JSON for a JSON file), for a values
    /// file handed to helm. Wrapped so the text is wiped from memory when dropped.
    pub fn to_text(&self) -> Result<Zeroizing<String>, SecretsError> {
        let render = |message: String| SecretsError::Render {
            file: self.file.clone(),
            message,
        };
        let mut out = Zeroizing::new(String::new());
        for (index, doc) in self.documents.iter().enumerate() {
            let text = Zeroizing::new(match self.format {
                // In the file's key order, as `sops decrypt` prints it, quoted where YAML 1.1
                // needs it (sops writes with go-yaml v3, which quotes the same strings).
                Format::Yaml => crate::yaml::to_string(doc),
                Format::Json => {
                    serde_json::to_string_pretty(doc).map_err(|e| render(e.to_string()))? + "\n"
                }
            });
            if index > 0 {
                out.push_str("---\n");
            }
            out.push_str(&text);
        }
        Ok(out)
    }

    /// The file the documents were decrypted from.
    pub fn file(&self) -> &Path {
        &self.file
    }
}

/// Decrypts the sops file at `path` (format from its extension).
pub fn decrypt_file(path: &Path, opts: &DecryptOptions) -> Result<Decrypted, SecretsError> {
    let bytes = std::fs::read(path).map_err(|source| SecretsError::Read {
        file: path.to_owned(),
        source,
    })?;
    decrypt_bytes(&bytes, Format::from_path(path), path, opts)
}

/// Decrypts sops-encrypted `bytes` in `format`; `file` names them in errors (and for the `sops`
/// binary's configuration lookup).
pub fn decrypt_bytes(
    bytes: &[u8],
    format: Format,
    file: &Path,
    opts: &DecryptOptions,
) -> Result<Decrypted, SecretsError> {
    let mut documents = parse(bytes, format, file)?;
    let sops = extract_metadata(&mut documents, file)?;
    let metadata = Metadata::parse(file, &sops)?;

    let key = match data_key(&metadata, file, &opts.identities) {
        Ok(key) => key,
        Err(err) => {
            // A file we cannot open with age goes to sops when it has other keys it may open.
            let sops_may_help = !metadata.other_key_types.is_empty();
            return match &opts.sops_binary {
                Some(binary) if sops_may_help => {
                    run_sops(binary, &opts.sops_env, bytes, format, file)
                }
                _ => Err(err),
            };
        }
    };
    let cipher = ValueCipher::new(&key).ok_or_else(|| SecretsError::Metadata {
        file: file.to_owned(),
        message: "data key is not a valid AES-256 key".to_owned(),
    })?;
    let mut walker = TreeDecryptor::new(
        file,
        &cipher,
        &metadata.rules,
        metadata.mac_only_encrypted,
        format,
    );
    for doc in &mut documents {
        walker.document(doc)?;
    }
    let computed = walker.finish();
    // sops binds the MAC to `lastmodified` as Go's RFC 3339 prints it, which is the text it
    // wrote; a hand-edited or foreign timestamp may differ only in that form.
    let mac_matches = [metadata.last_modified.clone(), go_rfc3339(&metadata.last_modified)]
        .iter()
        .any(|aad| matches!(cipher.open(&metadata.mac, aad), Ok(Plain::Str(stored)) if stored == computed));
    if !mac_matches {
        return Err(SecretsError::MacMismatch {
            file: file.to_owned(),
        });
    }
    Ok(Decrypted {
        documents,
        format,
        file: file.to_owned(),
    })
}

/// A timestamp as Go's `time.Format(time.RFC3339)` prints it: no fractional seconds, `Z` for a
/// zero offset.
fn go_rfc3339(text: &str) -> String {
    let (mut head, mut zone) = match text
        .find(['Z', 'z', '+'])
        .or_else(|| text.rfind('-').filter(|&i| i > 10))
    {
        Some(i) => (text[..i].to_owned(), text[i..].to_owned()),
        None => (text.to_owned(), String::new()),
    };
    if let Some(dot) = head.find('.') {
        head.truncate(dot);
    }
    if matches!(zone.as_str(), "z" | "+00:00" | "-00:00") {
        zone = "Z".to_owned();
    }
    head + &zone
}

/// Parses every document; an empty document counts as an empty mapping, as in sops.
fn parse(bytes: &[u8], format: Format, file: &Path) -> Result<Vec<Value>, SecretsError> {
    match format {
        Format::Json => {
            let json: serde_json::Value =
                serde_json::from_slice(bytes).map_err(|e| SecretsError::Syntax {
                    location: Location::new(file, to_u32(e.line()), to_u32(e.column())),
                    format: "JSON",
                    message: strip_position(&e.to_string()),
                })?;
            let value = serde_yaml::to_value(json).map_err(|e| SecretsError::Syntax {
                location: Location::file(file),
                format: "JSON",
                message: e.to_string(),
            })?;
            Ok(vec![value])
        }
        Format::Yaml => serde_yaml::Deserializer::from_slice(bytes)
            .map(|doc| {
                Value::deserialize(doc).map_err(|e| {
                    let (line, column) = e
                        .location()
                        .map_or((0, 0), |l| (to_u32(l.line()), to_u32(l.column())));
                    SecretsError::Syntax {
                        location: Location::new(file, line, column),
                        format: "YAML",
                        message: strip_position(&e.to_string()),
                    }
                })
            })
            .map(|doc| {
                doc.map(|d| {
                    if d.is_null() {
                        Value::Mapping(Default::default())
                    } else {
                        d
                    }
                })
            })
            .collect(),
    }
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Removes the first ` at line N column M` of a parser message (our `Location` shows it); a
/// later one (where an enclosing collection started) stays.
fn strip_position(message: &str) -> String {
    let Some(at) = message.find(" at line ") else {
        return message.to_owned();
    };
    let rest = &message[at..];
    let end = rest.find(',').unwrap_or(rest.len());
    format!("{}{}", &message[..at], &rest[end..])
}

/// Takes the `sops` mapping of the first document and removes `sops` keys from all of them.
fn extract_metadata(documents: &mut [Value], file: &Path) -> Result<Value, SecretsError> {
    let mut metadata = None;
    for (index, doc) in documents.iter_mut().enumerate() {
        let Value::Mapping(map) = doc else {
            return Err(SecretsError::NotAMapping {
                file: file.to_owned(),
                document: index + 1,
            });
        };
        let found = map.shift_remove("sops");
        if index == 0 {
            metadata = found;
        }
    }
    metadata.ok_or_else(|| SecretsError::NotEncrypted {
        file: file.to_owned(),
    })
}

/// Opens the data key with the first age stanza one of our identities matches.
fn data_key(
    metadata: &Metadata,
    file: &Path,
    identities: &AgeIdentities,
) -> Result<Zeroizing<Vec<u8>>, SecretsError> {
    if metadata.age.is_empty() {
        if metadata.other_key_types.is_empty() {
            return Err(SecretsError::Metadata {
                file: file.to_owned(),
                message: "no recipients at all".to_owned(),
            });
        }
        return Err(SecretsError::UnsupportedKeyTypes {
            file: file.to_owned(),
            key_types: metadata.other_key_types.clone(),
        });
    }
    if identities.is_empty() {
        return Err(SecretsError::NoIdentity {
            file: file.to_owned(),
            recipients: metadata.recipients(),
        });
    }
    // A stanza age cannot read does not stop us from trying the others.
    let mut unreadable = None;
    for stanza in &metadata.age {
        match open_stanza(stanza, identities) {
            Ok(Some(key)) if key.len() == 32 => return Ok(key),
            Ok(Some(key)) => {
                return Err(SecretsError::DataKey {
                    file: file.to_owned(),
                    recipient: stanza.recipient.clone(),
                    len: key.len(),
                });
            }
            Ok(None) => {}
            Err(message) => {
                unreadable.get_or_insert_with(|| SecretsError::Metadata {
                    file: file.to_owned(),
                    message: format!(
                        "age data key for {} is not a valid age file: {message}",
                        stanza.recipient
                    ),
                });
            }
        }
    }
    Err(unreadable.unwrap_or_else(|| SecretsError::NoMatchingKey {
        file: file.to_owned(),
        identities: identities.len(),
        recipients: metadata.recipients(),
    }))
}

/// The data key in one age stanza, `None` if none of our identities matches it.
fn open_stanza(
    stanza: &AgeStanza,
    identities: &AgeIdentities,
) -> Result<Option<Zeroizing<Vec<u8>>>, String> {
    let reader = ArmoredReader::new(stanza.enc.as_bytes());
    let decryptor = age::Decryptor::new(reader).map_err(|e| e.to_string())?;
    match decryptor.decrypt(identities.iter()) {
        Ok(mut stream) => {
            let mut key = Zeroizing::new(Vec::with_capacity(32));
            stream.read_to_end(&mut key).map_err(|e| e.to_string())?;
            Ok(Some(key))
        }
        Err(age::DecryptError::NoMatchingKeys) => Ok(None),
        Err(e) => Err(e.to_string()),
    }
}

/// Runs `sops --disable-version-check decrypt` on `bytes` (through stdin) and parses its output.
fn run_sops(
    binary: &Path,
    env: &[(String, String)],
    bytes: &[u8],
    format: Format,
    file: &Path,
) -> Result<Decrypted, SecretsError> {
    let fail = |message: String| SecretsError::SopsBinary {
        file: file.to_owned(),
        binary: binary.to_owned(),
        message,
    };
    let mut child = Command::new(binary)
        .args([
            "--disable-version-check",
            "decrypt",
            "--input-type",
            format.name(),
            "--output-type",
            format.name(),
        ])
        .arg("--filename-override")
        .arg(file)
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| fail(format!("cannot run it: {e}")))?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin
            .write_all(bytes)
            .map_err(|e| fail(format!("cannot write to it: {e}")))?;
    }
    let output = child
        .wait_with_output()
        .map_err(|e| fail(format!("cannot wait for it: {e}")))?;
    let stdout = Zeroizing::new(output.stdout);
    if !output.status.success() {
        return Err(fail(format!(
            "{}: {}",
            output.status,
            sops_reason(&output.stderr)
        )));
    }
    let documents = parse(&stdout, format, file)?;
    Ok(Decrypted {
        documents,
        format,
        file: file.to_owned(),
    })
}

/// The first line of sops' stderr, unless it is one of the messages in which sops quotes a value.
fn sops_reason(stderr: &[u8]) -> String {
    const QUOTES_A_VALUE: [&str; 3] = ["Input string", "Could not convert", "timestamp"];
    let stderr = String::from_utf8_lossy(stderr);
    let first = stderr
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("no message");
    if QUOTES_A_VALUE.iter().any(|m| first.contains(m)) {
        "sops rejected a value (its message is not shown: it may quote a secret)".to_owned()
    } else {
        first.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(text: &str, format: Format, opts: &DecryptOptions) -> String {
        match decrypt_bytes(text.as_bytes(), format, Path::new("s.yaml"), opts) {
            Ok(d) => format!("decrypted: {d:?}"),
            Err(e) => match e.hint() {
                Some(hint) => format!("{e}\n  hint: {hint}"),
                None => e.to_string(),
            },
        }
    }

    #[test]
    fn syntax_errors_point_at_line_and_column() {
        let opts = DecryptOptions::default();
        assert_eq!(
            message("a: b\nc: [d\n", Format::Yaml, &opts),
            "s.yaml:3:1: invalid YAML: did not find expected ',' or ']', while parsing a flow sequence at line 2 column 4"
        );
        assert_eq!(
            message("{\"a\": }", Format::Json, &opts),
            "s.yaml:1:7: invalid JSON: expected value"
        );
    }

    #[test]
    fn plain_files_are_not_encrypted() {
        assert_eq!(
            message(
                "password: hunter2\n",
                Format::Yaml,
                &DecryptOptions::default()
            ),
            "s.yaml: no `sops` metadata: the file is not encrypted with sops\n  hint: encrypt it with `sops encrypt --in-place`, or list it under `values:` instead of `secrets:`"
        );
        assert_eq!(
            message("- a\n", Format::Yaml, &DecryptOptions::default()),
            "s.yaml: document 1 is not a mapping; sops files hold a mapping at the top"
        );
    }

    #[test]
    fn a_missing_sops_binary_is_named() {
        let opts = DecryptOptions {
            sops_binary: Some(PathBuf::from("/nonexistent/sops")),
            ..DecryptOptions::default()
        };
        let pgp_only = "a: ENC[AES256_GCM,data:AA==,iv:AA==,tag:AA==,type:str]\nsops:\n    pgp:\n        - fp: ABC\n          enc: x\n    lastmodified: \"2024-01-01T00:00:00Z\"\n    mac: m\n";
        assert_eq!(
            message(pgp_only, Format::Yaml, &opts),
            "s.yaml: `/nonexistent/sops` failed: cannot run it: No such file or directory (os error 2)"
        );
    }

    #[test]
    fn sops_messages_quoting_values_are_withheld() {
        assert_eq!(
            sops_reason(b"\nFailed to get the data key required to decrypt the SOPS file.\n\nGroup 0: FAILED\n"),
            "Failed to get the data key required to decrypt the SOPS file."
        );
        assert_eq!(
            sops_reason(b"Error walking tree: Could not decrypt value: Input string hunter2 does not match sops' data format"),
            "sops rejected a value (its message is not shown: it may quote a secret)"
        );
    }

    #[test]
    fn timestamps_normalize_like_go_rfc3339() {
        assert_eq!(go_rfc3339("2024-01-02T03:04:05Z"), "2024-01-02T03:04:05Z");
        assert_eq!(
            go_rfc3339("2024-01-02T03:04:05.123456Z"),
            "2024-01-02T03:04:05Z"
        );
        assert_eq!(
            go_rfc3339("2024-01-02T03:04:05+00:00"),
            "2024-01-02T03:04:05Z"
        );
        assert_eq!(
            go_rfc3339("2024-01-02T03:04:05.5-07:00"),
            "2024-01-02T03:04:05-07:00"
        );
    }

    #[test]
    fn format_follows_the_extension() {
        assert_eq!(Format::from_path(Path::new("a/s.JSON")), Format::Json);
        assert_eq!(Format::from_path(Path::new("a/s.yaml")), Format::Yaml);
        assert_eq!(Format::from_path(Path::new("a/secrets")), Format::Yaml);
    }

    #[test]
    fn debug_output_shows_no_value() {
        let d = Decrypted {
            documents: vec![Value::String("hunter2".to_owned())],
            format: Format::Yaml,
            file: PathBuf::from("s.yaml"),
        };
        assert_eq!(
            format!("{d:?}"),
            "Decrypted { documents: 1, format: Yaml, file: \"s.yaml\", .. }"
        );
    }
}
