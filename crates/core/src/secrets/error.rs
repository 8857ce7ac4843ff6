//! The one error type of the secrets area. No variant ever carries a decrypted value: key paths,
//! recipients and file names only.

use std::io;
use std::path::PathBuf;

use crate::location::Location;

/// Why a SOPS file could not be decrypted, or a key or private file could not be handled.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SecretsError {
    /// The encrypted file could not be read.
    #[error("{}: cannot read file: {source}", file.display())]
    Read {
        /// The file.
        file: PathBuf,
        /// The I/O error.
        source: io::Error,
    },

    /// The file is not valid YAML or JSON.
    #[error("{location}: invalid {format}: {message}")]
    Syntax {
        /// Where the parser stopped.
        location: Location,
        /// `YAML` or `JSON`.
        format: &'static str,
        /// The parser's message.
        message: String,
    },

    /// The file has no `sops` metadata, so it was not written by sops.
    #[error(
        "{}: no `sops` metadata: the file is not encrypted with sops",
        file.display()
    )]
    NotEncrypted {
        /// The file.
        file: PathBuf,
    },

    /// The `sops` metadata is present but malformed.
    #[error("{}: invalid sops metadata: {message}", file.display())]
    Metadata {
        /// The file.
        file: PathBuf,
        /// What is wrong with it.
        message: String,
    },

    /// The file has age recipients but no age identity was found at all.
    #[error(
        "{}: no age identity to decrypt it (recipients: {})",
        file.display(),
        recipients.join(", ")
    )]
    NoIdentity {
        /// The file.
        file: PathBuf,
        /// The file's age recipients (public keys).
        recipients: Vec<String>,
    },

    /// None of our age identities opens the file's data key.
    #[error(
        "{}: none of the {identities} age identities loaded matches the file's recipients: {}",
        file.display(),
        recipients.join(", ")
    )]
    NoMatchingKey {
        /// The file.
        file: PathBuf,
        /// How many identities were tried.
        identities: usize,
        /// The file's age recipients (public keys).
        recipients: Vec<String>,
    },

    /// The file has no age recipient we can use and no `sops` binary is configured.
    #[error(
        "{}: encrypted only for {} keys, which windlass does not decrypt natively",
        file.display(),
        key_types.join(", ")
    )]
    UnsupportedKeyTypes {
        /// The file.
        file: PathBuf,
        /// The key types found in the metadata (`pgp`, `kms`, `hc_vault`, ...).
        key_types: Vec<String>,
    },

    /// The data key opened by age is not a 32-byte AES key.
    #[error("{}: the age recipient {recipient} holds a data key of {len} bytes, expected 32", file.display())]
    DataKey {
        /// The file.
        file: PathBuf,
        /// The recipient whose stanza was opened.
        recipient: String,
        /// The length found.
        len: usize,
    },

    /// A value that sops' rules say is encrypted is not an `ENC[AES256_GCM,...]` string.
    #[error("{}: value at `{key_path}` is not a sops ENC[AES256_GCM,...] value: {reason}", file.display())]
    MalformedValue {
        /// The file.
        file: PathBuf,
        /// The key path, `a:b:c`.
        key_path: String,
        /// What is wrong (never the value itself).
        reason: String,
    },

    /// AES-GCM authentication of one value failed: the value or its key path was changed.
    #[error(
        "{}: value at `{key_path}` fails authentication: file was modified after encryption",
        file.display()
    )]
    ValueAuthentication {
        /// The file.
        file: PathBuf,
        /// The key path, `a:b:c`.
        key_path: String,
    },

    /// The MAC stored in the file does not match the values.
    #[error(
        "{}: MAC mismatch: file was modified after encryption",
        file.display()
    )]
    MacMismatch {
        /// The file.
        file: PathBuf,
    },

    /// A mapping key is not a string (sops supports only string keys).
    #[error("{}: key under `{key_path}` is not a string; sops supports only string keys", file.display())]
    NonStringKey {
        /// The file.
        file: PathBuf,
        /// The key path of the mapping holding the key.
        key_path: String,
    },

    /// A document of the file is not a mapping (sops supports only mappings at the top).
    #[error("{}: document {document} is not a mapping; sops files hold a mapping at the top", file.display())]
    NotAMapping {
        /// The file.
        file: PathBuf,
        /// 1-based document number.
        document: usize,
    },

    /// The `sops` binary could not be run, or failed.
    #[error("{}: `{}` failed: {message}", file.display(), binary.display())]
    SopsBinary {
        /// The file.
        file: PathBuf,
        /// The binary that was run.
        binary: PathBuf,
        /// Why (its exit status and last line of stderr, or the spawn error).
        message: String,
    },

    /// Decrypted documents could not be written back as text (the message names no value).
    #[error("{}: cannot write the decrypted documents as text: {message}", file.display())]
    Render {
        /// The file.
        file: PathBuf,
        /// The serializer's message.
        message: String,
    },

    /// An age identity source (env var or key file) could not be read or parsed.
    #[error("{origin}: {message}")]
    Identity {
        /// Where the identity came from: `SOPS_AGE_KEY`, a file path, a file path and line.
        origin: String,
        /// What is wrong (never the key itself).
        message: String,
    },

    /// An SSH key given as an age identity is protected by a passphrase.
    #[error("{origin}: SSH key is protected by a passphrase, which windlass cannot ask for")]
    PassphraseProtected {
        /// Where the key came from.
        origin: String,
    },

    /// The private directory or one of its files could not be created, written or removed.
    #[error("{}: {action}: {source}", path.display())]
    PrivateDir {
        /// The directory or file.
        path: PathBuf,
        /// What was being done.
        action: &'static str,
        /// The I/O error.
        source: io::Error,
    },
}

impl SecretsError {
    /// A suggestion of what to do about the error, when there is one.
    pub fn hint(&self) -> Option<String> {
        let hint = match self {
            Self::NotEncrypted { .. } => {
                "encrypt it with `sops encrypt --in-place`, or list it under `values:` instead of `secrets:`"
            }
            Self::NoIdentity { .. } => {
                "set SOPS_AGE_KEY or SOPS_AGE_KEY_FILE, or put the key in ~/.config/sops/age/keys.txt"
            }
            Self::NoMatchingKey { .. } => {
                "check SOPS_AGE_KEY / SOPS_AGE_KEY_FILE holds the key of one of them"
            }
            Self::UnsupportedKeyTypes { .. } => {
                "install sops, or pass --sops-binary, to decrypt it"
            }
            Self::ValueAuthentication { .. } => "restore it from version control",
            Self::MacMismatch { .. } => {
                "restore it from version control, or re-encrypt it with sops"
            }
            Self::PassphraseProtected { .. } => "use an age key in SOPS_AGE_KEY_FILE",
            _ => return None,
        };
        Some(hint.into())
    }
}
